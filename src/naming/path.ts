/** Path: a sequence of non-empty byte labels naming something (`/svc/web`, `/#/io.l5d.fs/web`). */
import { showLabel, utf8Bytes } from './bytes.js';
import { parsePath } from './parser.js';

export class Path {
  /** The labels as byte strings (one char per byte, codes 0–255). Never empty strings. */
  readonly labels: readonly string[];
  private shown: string | undefined;

  private constructor(labels: readonly string[]) {
    this.labels = labels;
  }

  /** The path with no labels, written `/`. */
  static readonly empty: Path = new Path([]);

  /** Parses path syntax (§3): `/svc/web`, `/\x41`; throws DtabSyntaxError. */
  static read(text: string): Path {
    return parsePath(text);
  }

  /** A path from text labels, each encoded as UTF-8 (`Path.of('svc', 'café')`). */
  static of(...utf8Labels: string[]): Path {
    return Path.fromLabels(utf8Labels.map(utf8Bytes));
  }

  /** A path from byte-string labels. Throws RangeError on an empty label or a char above 0xFF. */
  static fromLabels(byteLabels: readonly string[]): Path {
    if (byteLabels.length === 0) return Path.empty;
    for (const label of byteLabels) checkLabel(label);
    return new Path(byteLabels.slice());
  }

  get size(): number { return this.labels.length; }

  /** Label-wise prefix test: `/a/b` starts with `/a`, `/ab` does not. */
  startsWith(prefix: Path): boolean {
    const n = prefix.labels.length;
    if (n > this.labels.length) return false;
    for (let i = 0; i < n; i++) if (this.labels[i] !== prefix.labels[i]) return false;
    return true;
  }

  /** The first `n` labels. */
  take(n: number): Path {
    return n >= this.labels.length ? this : n <= 0 ? Path.empty : new Path(this.labels.slice(0, n));
  }

  /** All but the first `n` labels. */
  drop(n: number): Path {
    return n <= 0 ? this : n >= this.labels.length ? Path.empty : new Path(this.labels.slice(n));
  }

  /** This path followed by `suffix`. */
  concat(suffix: Path): Path {
    if (suffix.labels.length === 0) return this;
    if (this.labels.length === 0) return suffix;
    return new Path(this.labels.concat(suffix.labels));
  }

  equals(other: Path): boolean {
    if (this === other) return true;
    const n = this.labels.length;
    if (n !== other.labels.length) return false;
    for (let i = 0; i < n; i++) if (this.labels[i] !== other.labels[i]) return false;
    return true;
  }

  /** Canonical text (§3.2), computed once. The empty path shows as `/`. */
  show(): string {
    if (this.shown === undefined) {
      this.shown = this.labels.length === 0 ? '/' : '/' + this.labels.map(showLabel).join('/');
    }
    return this.shown;
  }

  toString(): string { return this.show(); }
}

function checkLabel(label: string): void {
  if (label.length === 0) throw new RangeError('A path label cannot be empty');
  for (let i = 0; i < label.length; i++) {
    if (label.charCodeAt(i) > 0xff) {
      throw new RangeError(`Path labels are byte strings (codes 0-255); got U+${label.charCodeAt(i).toString(16).padStart(4, '0')} in ${JSON.stringify(label)} (use Path.of for text)`);
    }
  }
}
