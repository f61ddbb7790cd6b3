/** A registry of plugins keyed by `kind`, with "did you mean" suggestions for typos. */

export interface Kinded { readonly kind: string }

export class Registry<P extends Kinded> {
  private readonly byKind = new Map<string, P>();

  constructor(readonly category: string, plugins: readonly P[]) {
    for (const p of plugins) this.byKind.set(p.kind, p);
  }

  get(kind: string): P | undefined { return this.byKind.get(kind); }
  kinds(): string[] { return [...this.byKind.keys()].sort(); }

  /** The message for an unknown kind: lists the known ones and suggests the nearest. */
  unknown(kind: string): string { return unknownKind(this.category, kind, this.kinds()); }
}

/** `unknown namer kind "io.l5d.fss" (did you mean "io.l5d.fs"?); known kinds: io.l5d.fs`. */
export function unknownKind(category: string, kind: string, known: readonly string[]): string {
  const near = nearest(kind, known);
  return `unknown ${category} kind "${kind}"${near ? ` (did you mean "${near}"?)` : ''}; known kinds: ${known.join(', ')}`;
}

/**
 * The candidate a user most likely meant: one that ends with `.word` (`fs` → `io.l5d.fs`, as
 * Linkerd kinds are namespaced), else the nearest by edit distance if it is near enough, else the
 * only one that starts with a word of three or more letters (`org` → `orgId`).
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const suffixed = candidates.find((c) => c.toLowerCase().endsWith(`.${lower}`));
  if (suffixed) return suffixed;
  const near = nearestByEdits(lower, candidates);
  if (near !== undefined) return near;
  const prefixed = lower.length >= 3 ? candidates.filter((c) => c.toLowerCase().startsWith(lower)) : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

function nearestByEdits(lower: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  // One edit per three characters, at least one and at most three: short words match only near misses.
  return best !== undefined && bestD <= Math.min(3, Math.max(1, Math.floor(lower.length / 3))) ? best : undefined;
}

/** Edits (insert, delete, substitute, swap two neighbours) between two strings. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
