/** The namer contract: how `/#/…` and `/$/…` names become bound names whose addresses change over time. */
import type { Activity } from './activity.js';
import type { Addr } from './addr.js';
import type { NameTree } from './nametree.js';
import type { Path } from './path.js';

/**
 * A concrete name: `id` identifies the client (e.g. `/#/io.l5d.fs/world-v1`, with `/%/…`
 * transformer prefixes), `addr` is its live address set, `residual` is what the namer left over
 * of the path it was given (carried to the app as `l5d-dst-residual`).
 */
export class BoundName {
  constructor(readonly id: Path, readonly addr: Activity<Addr>, readonly residual: Path) {}
  /** The full path that was handed to the namer: id followed by residual. */
  get path(): Path { return this.id.concat(this.residual); }
}

/** A namer answers a bound name, or an unbound path to be delegated again (rewriting namers). */
export type Name = BoundName | Path;

/**
 * A namer mounted at a prefix (`/#/io.l5d.fs`) is asked about the rest of the path
 * (`/world-v1/x`). It answers Neg when it does not know the name, so dtab alternatives fall
 * through; the answer may change over time (a file appears, a Kubernetes service is created).
 * Throwing, or a failed activity, is a namer failure (an error, not a fallback).
 */
export interface Namer {
  lookup(path: Path): Activity<NameTree<Name>>;
}
