/** `switchyard dtab fmt|check <file|->`: canonical formatting and precise errors for dtab files. */
import { isShowable } from '../naming/bytes.js';
import { Dtab, type Dentry } from '../naming/dtab.js';
import { DtabSyntaxError } from '../naming/errors.js';
import { readInput, syntaxError } from './io.js';

/** Runs `f` on the file's text; a syntax error becomes `<file>:<line>:<col>: invalid dtab: …` with a caret. */
function withDtabFile<T>(file: string, f: (text: string, name: string) => T): T {
  const { text, name } = readInput(file);
  try {
    return f(text, name);
  } catch (e) {
    if (!(e instanceof DtabSyntaxError)) throw e;
    throw syntaxError(`${name}:${e.line}:${e.column}`, e);
  }
}

export function dtabFmtCommand(file: string): void {
  process.stdout.write(withDtabFile(file, (text) => formatDtab(text)));
}

export function dtabCheckCommand(file: string): void {
  const { size, name } = withDtabFile(file, (text, name) => ({ size: Dtab.read(text).size, name }));
  process.stdout.write(`${name}: ok (${size} dentr${size === 1 ? 'y' : 'ies'})\n`);
}

/**
 * Dtab text in canonical form: one dentry per line, `=>` aligned, each ending in `;`. Comments
 * are kept: one on the line where a dentry ends stays after it, any other goes on its own line
 * (one inside a dentry moves before it); single blank lines are kept. Formatting the output
 * again gives the same output. Throws DtabSyntaxError for text that does not parse.
 */
export function formatDtab(text: string): string {
  const dtab = Dtab.read(text);
  const items = layout(text);
  // The comment scanner mirrors the parser's rule for `#`; never let a mismatch change a dtab's meaning.
  const mismatch = new Error('dtab formatter: the formatted dtab would differ from the original');
  if (items.filter((i) => i.kind === 'dentry').length !== dtab.size) throw mismatch;
  const rows = dtab.entries.map((e) => splitDentry(e));
  const width = Math.max(0, ...rows.map(([prefix]) => prefix.length));
  const out: string[] = [];
  let dentries = 0;
  for (const item of items) {
    if (item.blankBefore && out.length > 0) out.push('');
    if (item.kind === 'comment') { out.push(item.text); continue; }
    const [prefix, dst] = rows[dentries++]!;
    out.push(`${prefix.padEnd(width)} => ${dst};${item.trailing ? `  ${item.trailing}` : ''}`);
  }
  const formatted = out.map((l) => `${l}\n`).join('');
  if (Dtab.read(formatted).show() !== dtab.show()) throw mismatch;
  return formatted;
}

function splitDentry(e: Dentry): [string, string] {
  const s = e.show();
  const i = s.indexOf('=>');
  return [s.slice(0, i), s.slice(i + 2)];
}

/** One output line: a comment on its own, or the next dentry with the comment that trails it. */
type Item = { blankBefore: boolean } & ({ kind: 'comment'; text: string } | { kind: 'dentry'; trailing?: string });

interface Comment { text: string; offset: number; line: number }

/**
 * The dentries and comments of dtab text in output order. A comment that follows a dentry on the
 * line where it ends trails it; every other comment gets its own line, in source order, so one
 * inside a dentry comes before it. An item is preceded by a blank line when one preceded it.
 */
function layout(text: string): Item[] {
  const lines = new LineIndex(text);
  const { comments, extents } = scan(text, lines);
  const items: Item[] = [];
  let lastLine = 0;
  let next = 0;
  const blankBefore = (line: number) => items.length > 0 && lines.blankBetween(lastLine, line);
  const commentsUntil = (offset: number) => {
    for (; next < comments.length && comments[next]!.offset < offset; next++) {
      const c = comments[next]!;
      items.push({ kind: 'comment', text: c.text, blankBefore: blankBefore(c.line) });
      lastLine = c.line;
    }
  };
  extents.forEach((ext, i) => {
    commentsUntil(ext.end);
    const start = lines.lineOf(ext.start);
    const dentry: Item = { kind: 'dentry', blankBefore: blankBefore(start) };
    items.push(dentry);
    lastLine = lines.lineOf(ext.end);
    const c = comments[next];
    const nextStart = extents[i + 1]?.start ?? Infinity;
    if (c && c.line === lastLine && c.offset < nextStart) { dentry.trailing = c.text; next++; }
  });
  commentsUntil(Infinity);
  return items;
}

/**
 * The comments of dtab text and each dentry's extent (first character to its `;`, or to its last
 * character). A `#` starts a comment unless it is part of a path label: the parser reads `#` as a
 * label character right after `/` or another label character. A comment runs to the end of its
 * line, swallowing any `;` in it.
 */
function scan(text: string, lines: LineIndex): { comments: Comment[]; extents: { start: number; end: number }[] } {
  const comments: Comment[] = [];
  const extents: { start: number; end: number }[] = [];
  let inPath = false, start = -1, last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */ && !inPath) {
      const nl = text.indexOf('\n', i);
      const end = nl === -1 ? text.length : nl;
      comments.push({ text: text.slice(i, end).trimEnd(), offset: i, line: lines.lineOf(i) });
      i = end - 1;
    } else if (c === 0x3b /* ; */) {
      extents.push({ start, end: i });
      start = -1;
      inPath = false;
    } else {
      inPath = c === 0x2f /* / */ || (inPath && (isShowable(c) || c === 0x5c /* \ */));
      if (!/\s/.test(text[i]!)) {
        if (start < 0) start = i;
        last = i;
      }
    }
  }
  if (start >= 0) extents.push({ start, end: last });
  return { comments, extents };
}

/** Line numbers of offsets, and which lines are blank. */
class LineIndex {
  private readonly starts: number[] = [0];
  private readonly lines: string[];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
    this.lines = text.split('\n');
  }

  /** 1-based line of `offset`. */
  lineOf(offset: number): number {
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Whether a line strictly between `after` and `before` has nothing on it. */
  blankBetween(after: number, before: number): boolean {
    for (let l = after + 1; l < before; l++) if (this.lines[l - 1]!.trim() === '') return true;
    return false;
  }
}
