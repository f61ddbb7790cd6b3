/**
 * Re-renders a results directory's summary.md, summary.json and raw.tsv from its summary.json,
 * e.g. after the reporting changed:  node --import tsx bench/summarize.ts bench/results/<timestamp>
 */
import { readResults, writeResults } from './lib/report.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node --import tsx bench/summarize.ts <results dir>\n');
  process.exit(2);
}
process.stdout.write(`${writeResults(dir, readResults(dir))}\n`);
