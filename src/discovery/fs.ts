/**
 * `io.l5d.fs`: file-based service discovery. Every regular file in `rootDir` is a service whose
 * name is the file name and whose addresses are the file's lines (host-list.ts). Looking up
 * `/<name>/rest…` answers Neg while the file is absent and `Leaf(/prefix/<name>, residual rest…)`
 * while it exists, and both the answer and the address set follow the directory live.
 *
 * One watcher serves the whole directory and one address source serves each file, whatever the
 * number of lookups: ten thousand routes to `world-v2` share one address set.
 */
import { Buffer } from 'node:buffer';
import { watch as fsWatch, promises as fsp, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { NamerInstance, NamerPlugin, PluginContext } from '../config/plugin.js';
import { ActivitySource, constant, derive, type Activity } from '../naming/activity.js';
import { Addr, type Address } from '../naming/addr.js';
import { BoundName, type Name } from '../naming/namer.js';
import { NameTree } from '../naming/nametree.js';
import { Path } from '../naming/path.js';
import type { Timer } from '../time/clock.js';
import { publishAddr } from './addresses.js';
import { errorCode, errorMessage } from './errors.js';
import { parseHostList } from './host-list.js';

const schema = z.strictObject({
  kind: z.literal('io.l5d.fs'),
  prefix: z.string().optional(),
  rootDir: z.string().min(1),
});
export type FsNamerConfig = z.infer<typeof schema>;

/**
 * How often the directory is listed again without any watch event. fs.watch misses events on
 * network filesystems and some container mounts; listing is cheap because unchanged files are
 * recognised by their stat and not read.
 */
export const RESCAN_INTERVAL_MS = 1000;
/** Files over this size are refused (Linkerd's limit): a host list that large is a mistake. */
export const MAX_FILE_BYTES = 500 * 1024;

/** Starts watching a directory; the listener gets the changed entry's name when the OS tells it. */
export type WatchDir = (dir: string, onChange: (filename: string | null) => void) => FSWatcher;

const watchDir: WatchDir = (dir, onChange) =>
  // Not persistent: a namer must never be what keeps the process alive.
  fsWatch(dir, { persistent: false }, (_event, filename) => onChange(filename));

export const fsNamer: NamerPlugin<FsNamerConfig> = {
  kind: 'io.l5d.fs',
  defaultPrefix: 'io.l5d.fs',
  schema,
  create(config, ctx, prefix) {
    return new FsNamer(resolve(ctx.baseDir, config.rootDir), prefix, ctx);
  },
};

/** What the namer knows about one file. */
interface FileEntry {
  /** Shared by every bound name for this file; survives deletion while someone observes it. */
  readonly addr: ActivitySource<Addr>;
  present: boolean;
  /** Identity of the version last read (inode, size, times), to skip unchanged files. */
  stamp: string;
  /** The text last read, or the read error, to recognise a re-read that changed nothing. */
  content: string;
  /** The last address set parsed without error. */
  good: readonly Address[] | undefined;
  /** `<file>:<line>: <why>` while the current version is unusable. */
  problem: string | undefined;
  updatedAt: number;
}

type Version = { readonly text: string } | { readonly problem: string };

export class FsNamer implements NamerInstance {
  private readonly files = new Map<string, FileEntry>();
  /** Labels (path labels, one char per byte) of the files present now; pending until listed. */
  private readonly listing = new ActivitySource<ReadonlySet<string>>();
  private watcher: FSWatcher | undefined;
  private timer: Timer | undefined;
  private scanning = false;
  private scanAgain = false;
  /** Files an event named: read even if their stat looks unchanged (coarse mtimes). */
  private readonly named = new Set<string>();
  private dirProblem: string | undefined;
  private watchProblem: string | undefined;
  private lastScanAt: number | undefined;
  private closed = false;

  /**
   * @param rootDir absolute directory to serve
   * @param prefix the mount path (`/#/io.l5d.fs`); bound ids are `prefix ++ /<file name>`
   */
  constructor(
    readonly rootDir: string,
    private readonly prefix: Path,
    private readonly ctx: Pick<PluginContext, 'clock' | 'log'>,
    private readonly watch: WatchDir = watchDir,
  ) {
    this.tick();
  }

  lookup(path: Path): Activity<NameTree<Name>> {
    if (path.size === 0) return constant(NameTree.neg);
    const label = path.labels[0]!;
    const id = this.prefix.concat(path.take(1));
    const residual = path.drop(1);
    // The answer is recomputed whenever the listing changes; keeping the leaf for the same
    // address source makes unrelated changes invisible to whoever watches this name.
    let leaf: { addr: Activity<Addr>; tree: NameTree<Name> } | undefined;
    return derive((read) => {
      const entry = read(this.listing).has(label) ? this.files.get(label) : undefined;
      if (!entry) return NameTree.neg;
      const addr = entry.addr;
      if (leaf?.addr !== addr) leaf = { addr, tree: NameTree.leaf(new BoundName(id, addr, residual)) };
      return leaf.tree;
    });
  }

  boundNames(): string[] {
    const s = this.listing.current();
    if (s.status !== 'ok') return [];
    return [...s.value].sort().map((label) => this.prefix.concat(Path.fromLabels([label])).show());
  }

  /** Watch state for `/namer_state/<prefix>.json`. */
  state(): unknown {
    const files: Record<string, unknown> = {};
    for (const [label, e] of [...this.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!e.present) continue;
      const s = e.addr.current();
      files[fileName(label)] = {
        addr: s.status === 'ok' ? s.value : s.status,
        ...(e.problem ? { error: e.problem } : {}),
        updatedAt: new Date(e.updatedAt).toISOString(),
      };
    }
    return {
      rootDir: this.rootDir,
      watching: this.watcher !== undefined,
      lastScanAt: this.lastScanAt === undefined ? null : new Date(this.lastScanAt).toISOString(),
      ...(this.dirProblem ? { error: this.dirProblem } : {}),
      files,
    };
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.stopWatching();
  }

  private tick(): void {
    this.timer = this.ctx.clock.setTimeout(() => this.tick(), RESCAN_INTERVAL_MS);
    this.requestScan();
  }

  /** Scans now, or once more right after the scan in progress (bursts of events coalesce). */
  private requestScan(named?: string): void {
    if (this.closed) return;
    if (named !== undefined) this.named.add(named);
    if (this.scanning) { this.scanAgain = true; return; }
    this.scanning = true;
    void this.scanLoop();
  }

  private async scanLoop(): Promise<void> {
    try {
      do {
        this.scanAgain = false;
        await this.scan();
      } while (this.scanAgain && !this.closed);
    } catch (e) {
      this.ctx.log.error(`io.l5d.fs: scanning ${this.rootDir} failed: ${errorMessage(e)}`);
    } finally {
      this.scanning = false;
    }
  }

  private async scan(): Promise<void> {
    const named = new Set(this.named);
    this.named.clear();
    let names: string[];
    try {
      names = await fsp.readdir(this.rootDir);
    } catch (e) {
      if (!this.closed) this.dirUnreadable(e);
      return;
    }
    if (this.closed) return;
    this.dirProblem = undefined;
    this.startWatching();

    const present = new Set<string>();
    for (const name of names) {
      // Dot files are editor swap files and atomic-write temporaries, never services.
      if (name.startsWith('.')) continue;
      const label = Buffer.from(name, 'utf8').toString('latin1');
      const found = await this.refresh(name, label, named.has(label));
      if (this.closed) return;
      if (found) present.add(label);
    }
    for (const [label, entry] of this.files) {
      if (present.has(label)) continue;
      if (entry.present) {
        Object.assign(entry, { present: false, good: undefined, problem: undefined, content: '', stamp: '' });
        publishAddr(entry.addr, Addr.neg);
      }
      // Kept while observed, so a re-created file feeds the same address source.
      if (entry.addr.observers === 0) this.files.delete(label);
    }
    const before = this.listing.current();
    if (before.status !== 'ok' || !sameSet(before.value, present)) this.listing.update(present);
    this.lastScanAt = this.ctx.clock.wallNow();
  }

  /** Brings one file's entry up to date; false if it is not (or no longer) a regular file. */
  private async refresh(name: string, label: string, named: boolean): Promise<boolean> {
    const file = join(this.rootDir, name);
    let stat;
    try {
      stat = await fsp.stat(file);
    } catch {
      return false; // removed since the listing, or a dangling symlink
    }
    if (!stat.isFile()) return false;
    const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
    const entry = this.files.get(label);
    if (entry?.present && entry.stamp === stamp && !named) return true;
    let version: Version;
    if (stat.size > MAX_FILE_BYTES) {
      version = { problem: `${file}: ${stat.size} bytes is over the ${MAX_FILE_BYTES}-byte limit` };
    } else {
      try {
        version = { text: await fsp.readFile(file, 'utf8') };
      } catch (e) {
        if (errorCode(e) === 'ENOENT') return false;
        version = { problem: `${file}: cannot read: ${errorMessage(e)}` };
      }
    }
    this.apply(label, file, stamp, version);
    return true;
  }

  private apply(label: string, file: string, stamp: string, version: Version): void {
    const content = 'text' in version ? version.text : `\u0000${version.problem}`;
    let entry = this.files.get(label);
    if (entry?.present && entry.content === content) { entry.stamp = stamp; return; }
    if (!entry) {
      entry = { addr: new ActivitySource<Addr>(), present: true, stamp, content, good: undefined, problem: undefined, updatedAt: 0 };
      this.files.set(label, entry);
    }
    Object.assign(entry, { present: true, stamp, content, updatedAt: this.ctx.clock.wallNow() });

    const parsed = 'text' in version ? parseHostList(version.text) : undefined;
    if (parsed?.ok) {
      entry.good = parsed.addresses;
      entry.problem = undefined;
      publishAddr(entry.addr, Addr.bound(parsed.addresses));
      return;
    }
    entry.problem = parsed ? `${file}:${parsed.line}: ${parsed.reason}` : (version as { problem: string }).problem;
    this.ctx.log.warn(entry.problem, {
      namer: this.prefix.show(),
      kept: entry.good ? `last good address set (${entry.good.length} addresses)` : 'none: no good version yet',
    });
    if (!entry.good) publishAddr(entry.addr, Addr.failed(entry.problem));
  }

  private dirUnreadable(e: unknown): void {
    // The directory may come back (a remount); keep what was known and keep trying.
    this.stopWatching();
    const problem = `io.l5d.fs: cannot list rootDir ${this.rootDir}: ${errorMessage(e)}`;
    if (problem !== this.dirProblem) this.ctx.log.error(problem);
    this.dirProblem = problem;
    if (this.listing.current().status !== 'ok') this.listing.fail(new Error(problem));
  }

  private startWatching(): void {
    if (this.watcher || this.closed) return;
    try {
      const w = this.watch(this.rootDir, (filename) =>
        this.requestScan(filename ? Buffer.from(filename, 'utf8').toString('latin1') : undefined));
      w.on('error', (e) => { this.stopWatching(); this.watchFailed(e); });
      this.watcher = w;
      this.watchProblem = undefined;
    } catch (e) {
      this.watchFailed(e);
    }
  }

  private watchFailed(e: unknown): void {
    const problem = `io.l5d.fs: cannot watch ${this.rootDir} (${errorMessage(e)}); changes are picked up by rescanning every ${RESCAN_INTERVAL_MS} ms`;
    if (problem !== this.watchProblem) this.ctx.log.warn(problem);
    this.watchProblem = problem;
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function fileName(label: string): string {
  return Buffer.from(label, 'latin1').toString('utf8');
}
