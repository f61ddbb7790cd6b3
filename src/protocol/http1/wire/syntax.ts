/**
 * The character classes and small value grammars of HTTP/1.1 (RFC 9110 §5.6, RFC 9112), as
 * lookup tables and charCode scans: the wire engine's parsers call these on every message, so
 * nothing here allocates or uses a regular expression.
 */

/** `tchar` (RFC 9110 §5.6.2): the characters of methods, header names and other tokens. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/** Is char code `c` a token character? (NaN, for past-the-end reads, is not.) */
export function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

/** Is char code `c` a space or a visible ASCII character (most of any field value)? */
export function isVisible(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** The value of a hex digit, or -1. */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * A Content-Length value (RFC 9110 §8.6): 1*DIGIT, as a safe integer; -1 when invalid. A list
 * of identical values (`5, 5`, what some intermediaries produce when merging) is that value.
 */
export function parseContentLength(v: string): number {
  let n = -1;
  let i = 0;
  const len = v.length;
  while (i < len) {
    let x = 0;
    const start = i;
    for (let c = v.charCodeAt(i); c >= 0x30 && c <= 0x39; c = v.charCodeAt(++i)) {
      x = x * 10 + (c - 0x30);
      if (x > Number.MAX_SAFE_INTEGER) return -1;
    }
    if (i === start || (n >= 0 && x !== n)) return -1;
    n = x;
    if (i === len) break;
    // `, ` between list members
    while (v.charCodeAt(i) === 0x20 || v.charCodeAt(i) === 0x09) i++;
    if (v.charCodeAt(i) !== 0x2c) return -1;
    i++;
    while (v.charCodeAt(i) === 0x20 || v.charCodeAt(i) === 0x09) i++;
    if (i === len) return -1;
  }
  return n;
}

/**
 * Calls `visit(start, end)` for each member of the comma-separated list `value`, trimmed of
 * spaces and tabs (empty members skipped), until it returns true; returns whether one did.
 * For Connection and Transfer-Encoding values, which are short.
 */
function someMember(value: string, visit: (start: number, end: number) => boolean): boolean {
  const len = value.length;
  let i = 0;
  while (i < len) {
    while (i < len && (value.charCodeAt(i) === 0x20 || value.charCodeAt(i) === 0x09 || value.charCodeAt(i) === 0x2c)) i++;
    const start = i;
    while (i < len && value.charCodeAt(i) !== 0x2c) i++;
    let end = i;
    while (end > start && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--;
    if (end > start && visit(start, end)) return true;
  }
  return false;
}

/** Does the comma-separated list `value` contain `token` (lower case), compared case-insensitively? */
export function hasToken(value: string, token: string): boolean {
  return someMember(value, (start, end) => end - start === token.length && equalsLower(value, start, token));
}

/** Does a Connection value hold only the persistence options `keep-alive` and `close` (no field names)? */
export function onlyPersistence(value: string): boolean {
  if (value.length === 10 && isName(value, 'keep-alive', 'Keep-Alive')) return true; // what almost every server sends
  return !someMember(value, (start, end) => {
    const n = end - start;
    return !((n === 10 && equalsLower(value, start, 'keep-alive')) || (n === 5 && equalsLower(value, start, 'close')));
  });
}

/** Is the last member of the comma-separated list `value` the token `chunked`? */
export function endsWithChunked(value: string): boolean {
  let end = value.length;
  while (end > 0 && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--;
  const start = end - 7;
  if (start < 0 || !equalsLower(value, start, 'chunked')) return false;
  for (let i = start - 1; i >= 0; i--) {
    const c = value.charCodeAt(i);
    if (c === 0x2c) return true;
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** Does `s` hold `lower` at `at`, ignoring ASCII case in `s`? */
export function equalsLower(s: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(at + i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The header names the engine itself acts on, recognised by length first so that the common
 * case (any other name) costs one comparison.
 */
export enum Field {
  Other,
  ContentLength,
  TransferEncoding,
  Connection,
  Host,
  Expect,
  Upgrade,
  KeepAlive,
}

/**
 * Is `name` the header name `lower`, in any case? `name` has the same length. The two spellings
 * nearly every peer sends, lower case and `canonical` (as RFC 9110 writes it), are compared as
 * whole strings first: V8 compares two strings natively, while `equalsLower` pays a `charCodeAt`,
 * which is not cheap on a sliced string, per character.
 */
export function isName(name: string, lower: string, canonical: string): boolean {
  return name === lower || name === canonical || equalsLower(name, 0, lower);
}

/** Which of the engine's own fields `name` (any case) is. */
export function fieldOf(name: string): Field {
  switch (name.length) {
    case 4: return isName(name, 'host', 'Host') ? Field.Host : Field.Other;
    case 6: return isName(name, 'expect', 'Expect') ? Field.Expect : Field.Other;
    case 7: return isName(name, 'upgrade', 'Upgrade') ? Field.Upgrade : Field.Other;
    case 10:
      if (isName(name, 'connection', 'Connection')) return Field.Connection;
      return isName(name, 'keep-alive', 'Keep-Alive') ? Field.KeepAlive : Field.Other;
    case 14: return isName(name, 'content-length', 'Content-Length') ? Field.ContentLength : Field.Other;
    case 17: return isName(name, 'transfer-encoding', 'Transfer-Encoding') ? Field.TransferEncoding : Field.Other;
    default: return Field.Other;
  }
}

/**
 * Methods as interned constants: a request's method is then compared by identity further on
 * and no string is allocated for the common ones.
 */
export function internMethod(s: string, start: number, end: number): string {
  switch (end - start) {
    case 3:
      if (s.startsWith('GET', start)) return 'GET';
      if (s.startsWith('PUT', start)) return 'PUT';
      break;
    case 4:
      if (s.startsWith('POST', start)) return 'POST';
      if (s.startsWith('HEAD', start)) return 'HEAD';
      break;
    case 5: if (s.startsWith('PATCH', start)) return 'PATCH'; break;
    case 6: if (s.startsWith('DELETE', start)) return 'DELETE'; break;
    case 7:
      if (s.startsWith('OPTIONS', start)) return 'OPTIONS';
      if (s.startsWith('CONNECT', start)) return 'CONNECT';
      break;
    default: break;
  }
  return s.slice(start, end);
}
