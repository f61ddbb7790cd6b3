/**
 * Per-prefix parameters for `client` and `service` blocks (Linkerd's `io.l5d.global` /
 * `io.l5d.static`). A static block lists `configs: [{prefix, ...params}]`; the prefix is a path
 * pattern matched against the client's bound id (`/#/io.l5d.fs/web`, `/%/io.l5d.port/4141/#/…`)
 * or the service's logical name (`/svc/web`). Every matching entry applies, in order, so later
 * entries override earlier ones.
 *
 * Pattern segments are literal, `*` (any one segment), or contain `{name}` captures (`{service}`,
 * `web-{env}`), whose values are returned so that params such as `tls.commonName` can use them.
 * A pattern matches a path that starts with it. Unlike Linkerd's PathMatcher, a capture segment
 * must match the whole path segment (Linkerd searches for it anywhere inside the segment, so
 * `web{n}` would match `oldweb1`).
 *
 * Matching compiles the patterns on each call: resolve once per client or service, not per request.
 */
import { z } from 'zod';

export type PathVars = Record<string, string>;

const CAPTURE = /\{([A-Za-z0-9._:-]+)\}/g;
const REGEX_SPECIALS = /[.*+?^${}()|[\]\\]/g;

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'any' }
  | { kind: 'capture'; regex: RegExp; names: string[] };

/** Why `pattern` is not a valid prefix pattern, or undefined when it is. */
export function prefixPatternError(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return `prefix pattern "${pattern}" must start with "/"`;
  if (pattern === '/') return undefined;
  const segments = pattern.slice(1).split('/');
  for (const [i, seg] of segments.entries()) {
    if (seg === '') return `prefix pattern "${pattern}" has an empty segment at position ${i + 1}`;
    if (/[{}]/.test(seg.replace(CAPTURE, ''))) return `prefix pattern "${pattern}": segment "${seg}" has a brace that is not part of a {name} capture`;
  }
  return undefined;
}

function compile(pattern: string): Segment[] {
  const error = prefixPatternError(pattern);
  if (error) throw new SyntaxError(error);
  if (pattern === '/') return [];
  return pattern.slice(1).split('/').map((seg): Segment => {
    if (seg === '*') return { kind: 'any' };
    const names: string[] = [];
    const source = seg.split(CAPTURE).map((piece, i) => {
      // split() with a capture group alternates literal text and capture names.
      if (i % 2 === 1) { names.push(piece); return '(.*)'; }
      return piece.replace(REGEX_SPECIALS, '\\$&');
    }).join('');
    return names.length === 0 ? { kind: 'literal', text: seg } : { kind: 'capture', regex: new RegExp(`^${source}$`), names };
  });
}

/**
 * The captures of `pattern` if it matches the start of `path` (a shown Path such as
 * `/#/io.l5d.fs/web`), otherwise null. Throws a SyntaxError for an invalid pattern.
 */
export function matchPrefixPattern(pattern: string, path: string): PathVars | null {
  return matchSegments(compile(pattern), path);
}

function matchSegments(segments: readonly Segment[], path: string): PathVars | null {
  const elems = path === '/' || path === '' ? [] : path.slice(1).split('/');
  if (elems.length < segments.length) return null;
  const vars: PathVars = {};
  for (const [i, seg] of segments.entries()) {
    const elem = elems[i]!;
    if (seg.kind === 'literal') {
      if (seg.text !== elem) return null;
    } else if (seg.kind === 'capture') {
      const m = seg.regex.exec(elem);
      if (!m) return null;
      seg.names.forEach((name, j) => { vars[name] = m[j + 1]!; });
    }
  }
  return vars;
}

/** Replaces every `{name}` in `template` with its captured value (Linkerd's PathMatcher.substitute). */
export function substitutePathVars(template: string, vars: PathVars): string {
  return template.replace(CAPTURE, (whole, name: string) => vars[name] ?? whole);
}

/**
 * Linkerd turns these params into several independent stack params (`retries` into a backoff
 * and a budget), so a later entry that sets only some of their keys keeps the others from
 * earlier entries. Every other param is replaced whole.
 */
const MERGED_ONE_LEVEL: ReadonlySet<string> = new Set(['retries']);

/**
 * The params that apply to `path`: every entry whose prefix matches, merged in order (later
 * wins). `instantiate` sees each matching entry's params with its own captures, e.g. to fill
 * `{service}` into `tls.commonName`.
 */
export function resolveStaticConfig<P extends object>(
  configs: readonly ({ prefix: string } & P)[],
  path: string,
  instantiate: (params: P, vars: PathVars) => P = (p) => p,
): Partial<P> {
  const merged: Record<string, unknown> = {};
  for (const entry of configs) {
    const vars = matchPrefixPattern(entry.prefix, path);
    if (!vars) continue;
    const { prefix: _prefix, ...params } = entry;
    for (const [key, value] of Object.entries(instantiate(params as unknown as P, vars))) {
      if (value === undefined) continue;
      const prev = merged[key];
      merged[key] = MERGED_ONE_LEVEL.has(key) && isPlainObject(prev) && isPlainObject(value) ? { ...prev, ...value } : value;
    }
  }
  return merged as Partial<P>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const prefixPatternSchema = z.string().superRefine((pattern, ctx) => {
  const error = prefixPatternError(pattern);
  if (error) ctx.addIssue({ code: 'custom', message: error });
});

/**
 * The schema of a `client` or `service` block whose params have the given shape:
 * `{kind?: io.l5d.global, ...params}` or `{kind: io.l5d.static, configs: [{prefix, ...params}]}`.
 */
export function perPrefixConfigSchema<S extends z.ZodRawShape>(params: S) {
  return z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('io.l5d.global').optional(), ...params }),
    z.strictObject({
      kind: z.literal('io.l5d.static'),
      configs: z.array(z.strictObject({ prefix: prefixPatternSchema, ...params })),
    }),
  ]);
}

/** A parsed `client` / `service` block with params P. */
export type PerPrefixConfig<P extends object> =
  | ({ kind?: 'io.l5d.global' } & P)
  | { kind: 'io.l5d.static'; configs: readonly ({ prefix: string } & NoInfer<P>)[] };

/** The params a `client` / `service` block gives `path`: all of them for a global block. */
export function resolvePerPrefixConfig<P extends object>(
  block: PerPrefixConfig<P> | undefined,
  path: string,
  instantiate?: (params: P, vars: PathVars) => P,
): Partial<P> {
  if (!block) return {};
  if (block.kind === 'io.l5d.static') {
    return resolveStaticConfig<P>(block.configs, path, instantiate);
  }
  const { kind: _kind, ...params } = block;
  return instantiate ? instantiate(params as unknown as P, {}) : params as unknown as Partial<P>;
}
