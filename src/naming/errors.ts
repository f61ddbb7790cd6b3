/** The two ways naming goes wrong: text that does not parse, and names that cannot be bound. */

/** Which reader rejected the text. */
export type SyntaxTarget = 'path' | 'prefix' | 'name tree' | 'dentry' | 'dtab';

export interface DtabSyntaxErrorInit {
  readonly what: SyntaxTarget;
  readonly input: string;
  /** 0-based offset of the offending character (`input.length` at end of input). */
  readonly offset: number;
  /** What the parser needed here, in words: `'=>'`, `a label character`, `end of input`. */
  readonly expected: string;
  /** Advice for the common mistakes (how to escape a byte, that `;` separates dentries, …). */
  readonly hint?: string;
  /** Where the text came from, e.g. `l5d-dtab header`; named in the message. */
  readonly source?: string;
}

/**
 * A path, prefix, name tree, dentry or dtab that does not follow the grammar of dtab.md.
 * The message reads `Invalid dtab at column 14: expected '=>' but found '/'`; multi-line input
 * reports `at line 2, column 3`.
 */
export class DtabSyntaxError extends Error {
  override readonly name = 'DtabSyntaxError';
  readonly what: SyntaxTarget;
  readonly input: string;
  readonly offset: number;
  /** 1-based line of `offset` (1 for single-line input). */
  readonly line: number;
  /** 1-based column of `offset` within its line. */
  readonly column: number;
  readonly expected: string;
  /** The offending character quoted (`'/'`), or `end of input`. */
  readonly found: string;
  readonly hint: string | undefined;
  readonly source: string | undefined;

  constructor(init: DtabSyntaxErrorInit) {
    const lineStart = init.offset === 0 ? 0 : init.input.lastIndexOf('\n', init.offset - 1) + 1;
    const line = lineStart === 0 ? 1 : countNewlines(init.input, lineStart) + 1;
    const column = init.offset - lineStart + 1;
    const found = describeAt(init.input, init.offset);
    const where = line === 1 ? `column ${column}` : `line ${line}, column ${column}`;
    const from = init.source ? ` in ${init.source}` : '';
    const hint = init.hint ? ` (${init.hint})` : '';
    super(`Invalid ${init.what}${from} at ${where}: expected ${init.expected} but found ${found}${hint}`);
    this.what = init.what;
    this.input = init.input;
    this.offset = init.offset;
    this.line = line;
    this.column = column;
    this.expected = init.expected;
    this.found = found;
    this.hint = init.hint;
    this.source = init.source;
  }

  /** The same error, saying where the text came from (`l5d-dtab header`). */
  withSource(source: string): DtabSyntaxError {
    return new DtabSyntaxError({ what: this.what, input: this.input, offset: this.offset, expected: this.expected, hint: this.hint, source });
  }
}

function countNewlines(s: string, end: number): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1 && i < end; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

const NAMED: Readonly<Record<number, string>> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

/** The character at `offset`, quoted so that invisible characters can be told apart. */
function describeAt(input: string, offset: number): string {
  if (offset >= input.length) return 'end of input';
  const cp = input.codePointAt(offset)!;
  if (NAMED[cp]) return `'${NAMED[cp]}'`;
  const visible = (cp >= 0x20 && cp < 0x7f) || (cp > 0xa0 && !/[\s\p{C}]/u.test(String.fromCodePoint(cp)));
  return visible ? `'${String.fromCodePoint(cp)}'` : `'\\u${cp.toString(16).padStart(4, '0')}'`;
}

/**
 * Binding failed: `depth` when delegation went deeper than the limit (a loop, usually),
 * `namer` when a namer failed or a `/$/` namer kind is unknown.
 */
export class NamingError extends Error {
  override readonly name = 'NamingError';

  constructor(readonly kind: 'depth' | 'namer', message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /**
   * The depth limit was exceeded. `steps` are the dentries applied along the branch, first to
   * last; the message names the ones going round when one repeats.
   */
  static depth(maxDepth: number, steps: readonly string[]): NamingError {
    const cycle = firstCycle(steps);
    if (cycle) return new NamingError('depth', `Delegation loop: max depth ${maxDepth} exceeded; dentries going round: ${cycle.join(', ')}`);
    const last = steps.length > 0 ? `; no dentry repeats, the last one applied was ${steps[steps.length - 1]}` : '';
    return new NamingError('depth', `Delegation too deep: max depth ${maxDepth} exceeded${last}`);
  }
}

/** The steps between the first repetition of a step and its previous occurrence. */
function firstCycle(steps: readonly string[]): readonly string[] | undefined {
  const seen = new Map<string, number>();
  for (let j = 0; j < steps.length; j++) {
    const i = seen.get(steps[j]!);
    if (i !== undefined) return steps.slice(i, j);
    seen.set(steps[j]!, j);
  }
  return undefined;
}
