/**
 * The plugin contract. A plugin is one file that exports a `*Plugin` object (kind, zod schema,
 * factory) plus one line in config/registry.ts. The config loader validates each plugin's block
 * against its schema (with line/column errors) before calling `create`.
 */
import type { z } from 'zod';
import type { Activity } from '../naming/activity.js';
import type { NameTree } from '../naming/nametree.js';
import type { Namer, BoundName } from '../naming/namer.js';
import type { Path } from '../naming/path.js';
import type { Clock } from '../time/clock.js';

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface PluginContext {
  clock: Clock;
  log: Logger;
  /** Directory of the config file, for resolving relative paths (`rootDir: disco`). */
  baseDir: string;
  /** The IPs this Switchyard's servers listen on (wildcards excluded): what io.l5d.localhost counts as this host. */
  localAddresses?: readonly string[];
  /** Binds a path under the router's dtab (for transformers such as io.l5d.replace). */
  bind?: (path: Path) => Activity<NameTree<BoundName>>;
}

/** A running namer: the Namer, plus optional state for /namer_state/<prefix>.json and cleanup. */
export interface NamerInstance extends Namer {
  /** Concrete names it currently knows, for /bound-names.json (enumerating namers: fs, k8s). */
  boundNames?(): string[];
  /** Watch state for the admin server. */
  state?(): unknown;
  close?(): void | Promise<void>;
}

export interface NamerPlugin<C = any> {
  kind: string;
  /** Mount point when the config gives no `prefix` (Linkerd: the kind itself, e.g. io.l5d.fs). */
  defaultPrefix: string;
  schema: z.ZodType<C>;
  create(config: C, ctx: PluginContext, prefix: Path): NamerInstance;
}

/**
 * A transformer rewrites a bound tree after binding: it prefixes each bound id with
 * `/%/<kind>[/args]` and maps or filters its addresses (io.l5d.port, io.l5d.localhost, …).
 */
export interface Transformer {
  transform(tree: NameTree<BoundName>): Activity<NameTree<BoundName>>;
  close?(): void;
}

export interface TransformerPlugin<C = any> {
  kind: string;
  schema: z.ZodType<C>;
  create(config: C, ctx: PluginContext): Transformer;
}
