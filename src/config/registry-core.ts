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
  unknown(kind: string): string {
    const near = nearest(kind, this.kinds());
    return `unknown ${this.category} kind "${kind}"${near ? ` (did you mean "${near}"?)` : ''}; known kinds: ${this.kinds().join(', ')}`;
  }
}

export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== undefined && bestD <= Math.max(3, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
