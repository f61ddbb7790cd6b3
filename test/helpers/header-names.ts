/** Header names for property tests: known names in random case, and the canonical spelling. */
import fc from 'fast-check';

/** One of `names` (lower case) with each letter upper- or lower-cased at random. */
export function anyCaseOf(names: readonly string[]): fc.Arbitrary<string> {
  return fc.constantFrom(...names).chain((k) => fc.array(fc.boolean(), { minLength: k.length, maxLength: k.length })
    .map((up) => [...k].map((c, i) => (up[i] ? c.toUpperCase() : c)).join('')));
}

/** `content-length` as RFC 9110 writes it: `Content-Length`. */
export function canonical(lower: string): string {
  return lower.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}
