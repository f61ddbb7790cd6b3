/**
 * The concrete syntax of paths, prefixes, name trees, dentries and dtabs (§2–§6), following
 * Finagle's NameTreeParsers token by token: same whitespace and comment rules, same places
 * where whitespace is allowed, same grammar. Errors are DtabSyntaxError with advice.
 */
import { isShowable, showLabel, SHOWABLE_CHARS, utf8Bytes } from './bytes.js';
import { Dentry, Dtab, Prefix, type PrefixElem } from './dtab.js';
import { DtabSyntaxError, type SyntaxTarget } from './errors.js';
import { NameTree, type Weighted } from './nametree.js';
import { Path } from './path.js';

const EOI = -1;
const SLASH = 0x2f, BACKSLASH = 0x5c, STAR = 0x2a, HASH = 0x23, DOT = 0x2e;

/** Java's Character.isWhitespace: separators except the no-break spaces, plus ASCII controls. */
function isWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a && c !== 0x2007)
    || c === 0x2028 || c === 0x2029 || c === 0x205f || c === 0x3000;
}

const isLabelStart = (c: number): boolean => isShowable(c) || c === BACKSLASH;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const hexValue = (c: number): number =>
  isDigit(c) ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;

/** A cursor over the input that knows how to skip whitespace and comments and how to complain. */
class Reader {
  pos = 0;
  constructor(readonly input: string, readonly what: SyntaxTarget) {}

  peek(ahead = 0): number {
    const i = this.pos + ahead;
    return i < this.input.length ? this.input.charCodeAt(i) : EOI;
  }

  /** Whitespace, and `#` comments running to the end of their line (§2.2). */
  skipWhitespace(): void {
    const s = this.input;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (isWhitespace(c)) this.pos++;
      else if (c === HASH) {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl === -1 ? s.length : nl + 1;
      } else break;
    }
  }

  maybeEat(c: number): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  fail(expected: string, hint?: string, offset = this.pos): never {
    throw new DtabSyntaxError({ what: this.what, input: this.input, offset, expected, ...(hint ? { hint } : {}) });
  }

  /** The whole input must have been consumed. */
  end(expected: string): void {
    this.skipWhitespace();
    if (this.pos < this.input.length) this.fail(expected, trailingHint(this));
  }
}

function readLabel(r: Reader): string {
  let bytes = '';
  do {
    const start = r.pos;
    while (isShowable(r.peek())) r.pos++;
    if (r.pos > start) bytes += r.input.slice(start, r.pos);
    if (r.peek() === BACKSLASH) bytes += readEscape(r);
    else if (r.pos === start) r.fail('a label character', labelHint(r));
  } while (isLabelStart(r.peek()));
  return bytes;
}

/** `\xHH`: backslash, lower-case x, two hex digits of either case; one byte. */
function readEscape(r: Reader): string {
  r.pos++;
  if (r.peek() !== 0x78) r.fail("'x' after '\\'", 'a byte is escaped as \\xHH, with a lower-case x and two hex digits');
  r.pos++;
  const hi = hexValue(r.peek());
  if (hi < 0) r.fail('a hex digit', '\\x must be followed by exactly two hex digits');
  r.pos++;
  const lo = hexValue(r.peek());
  if (lo < 0) r.fail('a hex digit', '\\x must be followed by exactly two hex digits');
  r.pos++;
  return String.fromCharCode(hi * 16 + lo);
}

function readPath(r: Reader): Path {
  r.skipWhitespace();
  if (!r.maybeEat(SLASH)) r.fail("'/'", 'a path starts with \'/\'');
  if (!isLabelStart(r.peek())) return Path.empty;
  const labels: string[] = [];
  do labels.push(readLabel(r)); while (r.maybeEat(SLASH));
  return Path.fromLabels(labels);
}

function readPrefix(r: Reader): Prefix {
  r.skipWhitespace();
  if (!r.maybeEat(SLASH)) r.fail("'/'", prefixStartHint(r));
  if (!isLabelStart(r.peek()) && r.peek() !== STAR) return Prefix.empty;
  const elems: PrefixElem[] = [];
  do elems.push(r.maybeEat(STAR) ? Prefix.ANY : readLabel(r)); while (r.maybeEat(SLASH));
  return new Prefix(elems);
}

function readTree(r: Reader): NameTree<Path> {
  const trees: NameTree<Path>[] = [];
  do {
    trees.push(readUnion(r));
    r.skipWhitespace();
  } while (r.maybeEat(0x7c /* | */));
  return trees.length > 1 ? { kind: 'alt', trees } : trees[0]!;
}

/** A weighted term alone at its level is just its tree: `2 * /a` is `/a` (§5.1). */
function readUnion(r: Reader): NameTree<Path> {
  const branches: Weighted<Path>[] = [];
  do {
    branches.push(readWeighted(r));
    r.skipWhitespace();
  } while (r.maybeEat(0x26 /* & */));
  return branches.length > 1 ? { kind: 'union', branches } : branches[0]!.tree;
}

function readWeighted(r: Reader): Weighted<Path> {
  r.skipWhitespace();
  let weight = 1;
  if (isDigit(r.peek()) || r.peek() === DOT) {
    weight = readWeight(r);
    r.skipWhitespace();
    if (!r.maybeEat(STAR)) r.fail("'*' after the weight", 'a weighted branch is written like 0.5*/a');
  }
  return { weight, tree: readSimple(r) };
}

/** Digits with at most one '.', not "." alone; no sign, no exponent (§5.1). */
function readWeight(r: Reader): number {
  const start = r.pos;
  let dot = false;
  for (let c = r.peek(); isDigit(c) || c === DOT; c = r.peek()) {
    if (c === DOT) {
      if (dot) r.fail("a digit or '*'", 'a weight has at most one \'.\'');
      dot = true;
    }
    r.pos++;
  }
  if (r.pos - start === 1 && dot) r.fail('a weight', "'.' alone is not a number", start);
  return Number(r.input.slice(start, r.pos));
}

function readSimple(r: Reader): NameTree<Path> {
  r.skipWhitespace();
  switch (r.peek()) {
    case 0x28: { // (
      r.pos++;
      const tree = readTree(r);
      r.skipWhitespace();
      if (!r.maybeEat(0x29 /* ) */)) r.fail("')'", "close the group opened with '('");
      return tree;
    }
    case SLASH: return { kind: 'leaf', value: readPath(r) };
    case 0x21: r.pos++; return NameTree.fail;
    case 0x7e: r.pos++; return NameTree.neg;
    case 0x24: r.pos++; return NameTree.empty;
    default: return r.fail("a path, '!', '~', '$' or '('", simpleHint(r));
  }
}

function readDentry(r: Reader): Dentry {
  const prefix = readPrefix(r);
  r.skipWhitespace();
  if (!r.maybeEat(0x3d /* = */)) r.fail("'=>'", arrowHint(r));
  if (!r.maybeEat(0x3e /* > */)) r.fail("'>' to complete '=>'", isWhitespace(r.peek()) ? "no space is allowed inside '=>'" : undefined);
  return new Dentry(prefix, readTree(r));
}

/** Dentries separated by `;`, one trailing `;` allowed, no empty entries (§6.1). */
function readDtab(r: Reader): Dtab {
  const entries: Dentry[] = [];
  do {
    r.skipWhitespace();
    if (r.pos < r.input.length) {
      entries.push(readDentry(r));
      r.skipWhitespace();
    }
  } while (r.maybeEat(0x3b /* ; */));
  r.end("';' or end of input");
  return Dtab.of(entries);
}

export function parsePath(text: string): Path {
  const r = new Reader(text, 'path');
  const p = readPath(r);
  r.end('end of input');
  return p;
}

export function parsePrefix(text: string): Prefix {
  const r = new Reader(text, 'prefix');
  const p = readPrefix(r);
  r.end("'/' or end of input");
  return p;
}

export function parseNameTree(text: string): NameTree<Path> {
  const r = new Reader(text, 'name tree');
  const t = readTree(r);
  r.end("'|', '&' or end of input");
  return t;
}

export function parseDentry(text: string): Dentry {
  const r = new Reader(text, 'dentry');
  const d = readDentry(r);
  r.end("'|', '&' or end of input");
  return d;
}

export function parseDtab(text: string): Dtab {
  return readDtab(new Reader(text, 'dtab'));
}

// Advice for the mistakes people make. Each looks at the offending character and its context.

const LABEL_CHARS_HINT = `label characters are ${SHOWABLE_CHARS}; write any other byte as \\xHH`;

/** A label was required right after a '/'. */
function labelHint(r: Reader): string {
  const c = r.peek();
  if (c === SLASH) return "empty labels ('//') are not allowed";
  if (c === STAR) return r.what === 'path' ? "'*' is a wildcard only in dentry prefixes" : "'*' must be a whole prefix element, e.g. /svc/*";
  if (c === EOI || isWhitespace(c) || ';)|&=,'.includes(String.fromCharCode(c))) return "a path cannot end with '/'";
  return badCharHint(r);
}

/** The character at the cursor cannot appear in a label: say how to write it. */
function badCharHint(r: Reader): string {
  if (r.peek() <= 0x7f) return LABEL_CHARS_HINT;
  const ch = String.fromCodePoint(r.input.codePointAt(r.pos)!);
  return `non-ASCII text is escaped byte by byte: '${ch}' is ${showLabel(utf8Bytes(ch))}`;
}

function prefixStartHint(r: Reader): string {
  const c = r.peek();
  if (c === 0x3b) return "a ';' must follow a dentry: no leading or doubled ';'";
  if (c === 0x3d) return "a dentry needs a prefix before '=>'";
  return 'a dentry is written /prefix=>tree';
}

function arrowHint(r: Reader): string | undefined {
  const c = r.peek();
  if (c === STAR) return "'*' must be a whole prefix element, e.g. /svc/*";
  if (c === 0x2d && r.peek(1) === 0x3e) return "write '=>', not '->'";
  if (c === EOI || c === SLASH || isWhitespace(r.input.charCodeAt(r.pos - 1))) return 'a dentry is written /prefix=>tree';
  return badCharHint(r);
}

/** A tree was required: say what came before that needed one. */
function simpleHint(r: Reader): string | undefined {
  const c = r.peek();
  if (c === 0x2d) return 'weights cannot be negative';
  if (c === STAR) return "a weight is written before '*', like 0.5*/a";
  let i = r.pos - 1;
  while (i >= 0 && isWhitespace(r.input.charCodeAt(i))) i--;
  const before = i >= 0 ? r.input[i]! : '';
  if (c === 0x29 && before === '(') return 'parentheses cannot be empty';
  if (before === '|' || before === '&') return `'${before}' must be followed by a tree`;
  if (before === '*') return "a weight's '*' must be followed by a tree";
  if (c === EOI && before === '') return 'the input is empty';
  return undefined;
}

/** Something follows a complete value. */
function trailingHint(r: Reader): string | undefined {
  const c = r.peek();
  const prev = r.input.charCodeAt(r.pos - 1);
  if (c === SLASH && prev === SLASH) return "empty labels ('//') are not allowed";
  if (r.what === 'path' || r.what === 'prefix') {
    if (c === STAR) return r.what === 'path' ? "'*' is a wildcard only in dentry prefixes" : "'*' must be a whole prefix element";
    if (isWhitespace(prev)) return 'a path cannot contain whitespace';
    return c === SLASH ? undefined : badCharHint(r);
  }
  if (c === 0x3d && r.peek(1) === 0x3e) return "'=>' belongs in a dentry, not in a name tree";
  if (r.what === 'dtab') {
    if (c === 0x2c) return "',' is not a separator; dentries are separated by ';'";
    if (c === SLASH) return "dentries are separated by ';', a newline is not enough; trees are joined with '|' or '&'";
  }
  if ('/!~$('.includes(String.fromCharCode(c))) return "trees are joined with '|' or '&'";
  return undefined;
}
