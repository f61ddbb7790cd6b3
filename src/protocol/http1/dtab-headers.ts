/**
 * Reading a request's dtab from HTTP headers (§12). Pure functions over an ordered list of
 * `[name, value]` pairs, so HTTP/1.1 and H2 share them.
 */
import { javaSplit, utf8Text } from '../../naming/bytes.js';
import { Dtab, Dentry, Prefix } from '../../naming/dtab.js';
import { DtabSyntaxError } from '../../naming/errors.js';
import { NameTree } from '../../naming/nametree.js';

/** Request headers in arrival order; names are matched case-insensitively. */
export type HeaderPairs = readonly (readonly [string, string])[];

/**
 * Linkerd 1.x (§12.1): every `l5d-ctx-dtab` value, then every `l5d-dtab` value, each parsed as
 * a complete dtab (no comma splitting), so user entries take precedence whatever the header order.
 * `dtab-local` and `X-Dtab-*` are not read. Throws DtabSyntaxError naming the header.
 */
export function readLinkerdDtab(headers: HeaderPairs): Dtab {
  let ctx = Dtab.empty;
  let user = Dtab.empty;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'l5d-ctx-dtab') ctx = ctx.concat(readHeaderDtab(lower, value));
    else if (lower === 'l5d-dtab') user = user.concat(readHeaderDtab(lower, value));
  }
  return ctx.concat(user);
}

/**
 * Finagle (§12.2): legacy `X-Dtab-<id>-A`/`-B` pairs (base64 prefix and tree, in sorted header
 * name order), then every `Dtab-Local` value split on ','. Throws DtabSyntaxError for a
 * `Dtab-Local` that does not parse, DtabHeaderError for a bad `X-Dtab` pair.
 */
export function readFinagleDtab(headers: HeaderPairs): Dtab {
  let local = Dtab.empty;
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'dtab-local') continue;
    for (const piece of javaSplit(value, ',')) local = local.concat(readHeaderDtab('dtab-local', piece));
  }
  return readXDtabPairs(headers).concat(local);
}

/** An `X-Dtab-*` header pair that is unmatched, not base64, or not a prefix / name tree. */
export class DtabHeaderError extends Error {
  override readonly name = 'DtabHeaderError';
}

function readHeaderDtab(header: string, value: string): Dtab {
  try {
    return Dtab.read(value);
  } catch (e) {
    throw e instanceof DtabSyntaxError ? e.withSource(`${header} header`) : e;
  }
}

const X_DTAB = 'x-dtab-';

function readXDtabPairs(headers: HeaderPairs): Dtab {
  const values = new Map<string, string>();
  const keys: string[] = [];
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    if (!key.startsWith(X_DTAB)) continue;
    keys.push(key);
    if (!values.has(key)) values.set(key, value); // a repeated name reads its first value, as Finagle's HeaderMap does
  }
  if (keys.length === 0) return Dtab.empty;
  keys.sort();
  if (keys.length % 2 !== 0) throw new DtabHeaderError('Unmatched X-Dtab headers');
  const entries: Dentry[] = [];
  for (let i = 0; i < keys.length; i += 2) {
    const a = keys[i]!;
    const b = keys[i + 1]!;
    if (a.length !== b.length || !a.endsWith('a') || !b.endsWith('b') || a.slice(0, -1) !== b.slice(0, -1)) {
      throw new DtabHeaderError('Unmatched X-Dtab headers');
    }
    const prefix = decodeWith(values.get(a)!, Prefix.read, 'Invalid prefix');
    const dst = decodeWith(values.get(b)!, NameTree.read, 'Invalid name');
    entries.push(new Dentry(prefix, dst));
  }
  return Dtab.of(entries);
}

function decodeWith<T>(b64: string, read: (text: string) => T, what: string): T {
  const bytes = decodeBase64(b64);
  if (bytes === null) throw new DtabHeaderError(`Value not b64-encoded: ${b64}`);
  const text = utf8Text(bytes);
  try {
    return read(text);
  } catch (e) {
    if (!(e instanceof DtabSyntaxError)) throw e;
    throw new DtabHeaderError(`${what}: ${text} (${e.message})`, { cause: e });
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Java's basic base64 decoder, as a byte string: standard alphabet only, no whitespace,
 * padding optional but exact when present, nothing after it. Null when the value is not base64.
 */
function decodeBase64(s: string): string | null {
  let out = '';
  let acc = 0;
  let n = 0;
  let i = 0;
  for (; i < s.length && s[i] !== '='; i++) {
    const v = B64.indexOf(s[i]!);
    if (v < 0) return null;
    acc = (acc << 6) | v;
    if (++n === 4) {
      out += String.fromCharCode((acc >> 16) & 255, (acc >> 8) & 255, acc & 255);
      acc = 0;
      n = 0;
    }
  }
  const padding = s.slice(i);
  if (n === 1 || (padding !== '' && padding !== (n === 2 ? '==' : n === 3 ? '=' : null))) return null;
  if (n === 2) out += String.fromCharCode((acc >> 4) & 255);
  if (n === 3) out += String.fromCharCode((acc >> 10) & 255, (acc >> 2) & 255);
  return out;
}
