/** `switchyard dtab fmt|check <file|->`: canonical formatting and precise errors for dtab files. */
import { Dtab } from '../naming/dtab.js';
import { DtabSyntaxError } from '../naming/errors.js';
import { readInput, UserError } from './io.js';

function parse(file: string): { dtab: Dtab; name: string } {
  const { text, name } = readInput(file);
  try {
    return { dtab: Dtab.read(text), name };
  } catch (e) {
    if (!(e instanceof DtabSyntaxError)) throw e;
    const before = text.slice(0, e.offset);
    const line = before.split('\n').length;
    const col = e.offset - before.lastIndexOf('\n');
    const src = text.split('\n')[line - 1] ?? '';
    throw new UserError(`${name}:${line}:${col}: ${e.message}\n  ${src}\n  ${' '.repeat(Math.max(0, col - 1))}^`);
  }
}

/** One dentry per line, `=>` aligned, each ending in `;` — valid dtab text, stable under re-formatting. */
export function formatDtab(dtab: Dtab): string {
  const rows = dtab.entries.map((e) => {
    const s = e.show();
    const i = s.indexOf('=>');
    return [s.slice(0, i), s.slice(i + 2)] as const;
  });
  const width = Math.max(0, ...rows.map(([p]) => p.length));
  return rows.map(([p, d]) => `${p.padEnd(width)} => ${d};\n`).join('');
}

export function dtabFmtCommand(file: string): void {
  process.stdout.write(formatDtab(parse(file).dtab));
}

export function dtabCheckCommand(file: string): void {
  const { dtab, name } = parse(file);
  process.stdout.write(`${name}: ok (${dtab.size} dentr${dtab.size === 1 ? 'y' : 'ies'})\n`);
}
