/** Identifiers turn an HTTP request into a logical name under the router's `dstPrefix`. */
import type { z } from 'zod';
import type { Path } from '../../naming/path.js';
import { equalsLower } from './wire/syntax.js';

/** The parts of a request an identifier may look at (node's IncomingMessage fits). */
export interface RequestHead {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersion: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The fields as received, [name, value, …]: when present, a single field is read from here. */
  readonly rawHeaders?: readonly string[];
}

export type Identified =
  | { readonly ok: true; readonly path: Path; /** forwarded URI when the identifier consumed part of it */ readonly uri?: string }
  | { readonly ok: false; readonly reason: string };

export interface Identifier { identify(req: RequestHead): Identified }

export interface IdentifierPlugin<C = any> {
  kind: string;
  schema: z.ZodType<C>;
  create(config: C, ctx: { dstPrefix: Path }): Identifier;
}

/**
 * First value of the header `lower` (a field name in lower case: identifiers lower their
 * configured name once, not per request). Node joins most duplicates; `set-cookie`-style arrays
 * take the first.
 */
export function header(req: RequestHead, lower: string): string | undefined {
  const raw = req.rawHeaders;
  if (raw !== undefined) {
    // The usual case, a field sent once, needs no header object.
    let found: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i]!;
      if (n.length !== lower.length || (n !== lower && !equalsLower(n, 0, lower))) continue;
      if (found !== undefined) return joined(req, lower);
      found = raw[i + 1]!;
    }
    return found;
  }
  return joined(req, lower);
}

function joined(req: RequestHead, lower: string): string | undefined {
  const v = req.headers[lower];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * A bounded memo for identifier results keyed by a header value: identification on the hot path
 * is one string compare with the last key, or one Map look-up; a flood of distinct values only
 * recycles the table.
 */
export class Memo<V> {
  private readonly map = new Map<string, V>();
  /**
   * The last key and its value. Keys are sliced fresh from each request's head, so a Map look-up
   * hashes the key every time; comparing it with the last key skips that when consecutive
   * requests name the same host, as they mostly do.
   */
  private lastKey: string | undefined;
  private lastValue: V | undefined;
  constructor(private readonly capacity = 4096) {}
  /** The value for `key`, made by `make(key)` on a miss (pass a function made once, not per call). */
  get(key: string, make: (key: string) => V): V {
    if (key === this.lastKey) return this.lastValue!;
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.capacity) this.map.clear();
      v = make(key);
      this.map.set(key, v);
    }
    this.lastKey = key;
    this.lastValue = v;
    return v;
  }
}

/** Splits the path part of a request target into segments (query and fragment dropped). */
export function uriSegments(url: string): string[] {
  const q = url.search(/[?#]/);
  const p = q < 0 ? url : url.slice(0, q);
  return p.split('/').filter((s) => s.length > 0);
}
