/**
 * List-then-watch of one Kubernetes collection (with selectors), kept as a live map from object
 * name to its parsed form: the protocol every Kubernetes controller speaks.
 *
 * - List, then watch from the list's resourceVersion; every event and bookmark moves that
 *   version forward, so a watch that ends (the server's `timeoutSeconds`, a dropped connection)
 *   resumes where it stopped without missing or repeating anything.
 * - `410 Gone` (as an HTTP status or as an ERROR event) means the version was compacted away:
 *   list again. Any other ERROR event also lists again, since the stream's state is unknown.
 * - Failures are retried with a jittered exponential backoff (10 ms to 10 s, as Linkerd's namer),
 *   which starts over once a watch streams events again. The last good map is kept meanwhile;
 *   until a first list succeeds the map is failed with the reason, so requests fail with it.
 * - Resource versions are opaque strings: they are passed back to the server, never compared.
 */
import type { Logger } from '../../config/plugin.js';
import { ActivitySource } from '../../naming/activity.js';
import { equalJitteredBackoff, type Backoff, type BackoffSequence, type Random } from '../../resilience/backoff.js';
import type { Clock, Timer } from '../../time/clock.js';
import { errorMessage } from '../errors.js';
import { ApiError, type K8sApi, type WatchEvent, type WatchStream } from './api.js';
import { objectName, resourceVersion } from './resources.js';

/**
 * The server is asked to end each watch after 5 to 10 minutes (`timeoutSeconds`, spread so that
 * watches started together do not all come back at once), and the watcher resumes it.
 */
const WATCH_TIMEOUT_SECONDS = 300;
/** A watch silent for its timeout plus this long is presumed dead (bookmarks arrive well within). */
const WATCH_GRACE_SECONDS = 60;
const BACKOFF_MIN_MS = 10;
const BACKOFF_MAX_MS = 10_000;

export interface ListWatchOptions<T> {
  readonly api: K8sApi;
  readonly clock: Clock;
  readonly log: Logger;
  readonly random?: Random;
  /** The collection's URL path, e.g. `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices`. */
  readonly collection: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Names the watch in logs and state, e.g. `endpointslices default/world`. */
  readonly what: string;
  /** Turns an object into what consumers read; must not throw. */
  readonly parse: (obj: unknown) => T;
}

type Phase = 'listing' | 'watching' | 'waiting' | 'stopped';

/** Why a watch stopped, and so what to do next. */
type WatchEnd =
  /** List again; after a pause unless the version had merely expired. */
  | { readonly next: 'relist'; readonly pause: boolean }
  | { readonly next: 'rewatch'; readonly heard: boolean }
  | { readonly next: 'retry'; readonly error: string };

export class ListWatch<T> {
  /** Object name → parsed object; pending until the first list, failed while no list has succeeded. */
  readonly objects = new ActivitySource<ReadonlyMap<string, T>>();
  private readonly random: Random;
  private readonly backoff: Backoff;
  private delays: BackoffSequence;
  private phase: Phase = 'listing';
  private version: string | undefined;
  private stream: WatchStream | undefined;
  private timer: Timer | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;
  private problem: string | undefined;
  private readonly counts = { lists: 0, watches: 0, relists: 0, events: 0 };
  private lastEventAt: number | undefined;

  constructor(private readonly opts: ListWatchOptions<T>) {
    this.random = opts.random ?? Math.random;
    this.backoff = equalJitteredBackoff(BACKOFF_MIN_MS, BACKOFF_MAX_MS, this.random);
    this.delays = this.backoff.start();
    void this.run();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.phase = 'stopped';
    this.timer?.cancel();
    this.wake?.();
    this.stream?.cancel();
  }

  /** For the admin server's namer state. */
  state(): Record<string, unknown> {
    const s = this.objects.current();
    return {
      watch: this.opts.what,
      phase: this.phase,
      resourceVersion: this.version ?? null,
      objects: s.status === 'ok' ? [...s.value.keys()].sort() : [],
      ...this.counts,
      lastEventAt: this.lastEventAt === undefined ? null : new Date(this.lastEventAt).toISOString(),
      ...(this.problem ? { error: this.problem } : {}),
    };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!(await this.list())) {
        await this.sleep();
        continue;
      }
      for (;;) {
        if (this.stopped) return;
        const end = await this.watch();
        if (this.stopped) return;
        if (end.next === 'relist') {
          this.counts.relists++;
          if (end.pause) await this.sleep();
          break;
        }
        if (end.next === 'retry') { this.failed(end.error); await this.sleep(); continue; }
        // A stream that ended without a word may be a server refusing quietly: do not spin.
        if (!end.heard) await this.sleep();
      }
    }
  }

  /** Lists the collection into the map; false (with the problem recorded) when that failed. */
  private async list(): Promise<boolean> {
    this.phase = 'listing';
    this.counts.lists++;
    let answer: unknown;
    try {
      answer = await this.opts.api.get(this.url());
    } catch (e) {
      if (!this.stopped) this.failed(errorMessage(e));
      return false;
    }
    if (this.stopped) return false;
    const items = (answer as { items?: unknown }).items;
    const version = resourceVersion(answer);
    if (!Array.isArray(items) || version === undefined) {
      this.failed(`GET ${this.opts.api.url(this.url())}: the answer is not a list with a resourceVersion`);
      return false;
    }
    const next = new Map<string, T>();
    for (const item of items) {
      const name = objectName(item);
      if (name !== undefined) next.set(name, this.opts.parse(item));
    }
    this.version = version;
    this.recovered();
    this.objects.update(next);
    return true;
  }

  private async watch(): Promise<WatchEnd> {
    this.phase = 'watching';
    this.counts.watches++;
    let heard = false;
    let end: WatchEnd | undefined;
    const timeout = WATCH_TIMEOUT_SECONDS + Math.floor(this.random() * WATCH_TIMEOUT_SECONDS);
    const stream = this.opts.api.watch(this.url(timeout), (event) => {
      end = this.apply(event);
      if (end) { stream.cancel(); return; }
      if (!heard) this.recovered();
      heard = true;
      // The API streams again: the next failure starts from the shortest delay.
      this.delays = this.backoff.start();
    }, (timeout + WATCH_GRACE_SECONDS) * 1000);
    this.stream = stream;
    try {
      await stream.done;
    } catch (e) {
      if (e instanceof ApiError && e.status === 410) return this.expired(errorMessage(e));
      return { next: 'retry', error: errorMessage(e) };
    } finally {
      this.stream = undefined;
    }
    return end ?? { next: 'rewatch', heard };
  }

  /** Applies one watch event; answers how the watch must end, or undefined to go on. */
  private apply(event: WatchEvent): WatchEnd | undefined {
    this.counts.events++;
    this.lastEventAt = this.opts.clock.wallNow();
    if (event.type === 'ERROR') {
      const status = event.object as { code?: unknown; message?: unknown } | null;
      const why = typeof status?.message === 'string' ? status.message : JSON.stringify(event.object);
      if (status?.code === 410) return this.expired(why);
      this.opts.log.warn(`k8s: ${this.opts.what}: the watch reported an error (${why}); listing again`);
      return { next: 'relist', pause: true };
    }
    const version = resourceVersion(event.object);
    if (version !== undefined) this.version = version;
    if (event.type === 'BOOKMARK') return undefined;
    const name = objectName(event.object);
    const s = this.objects.current();
    if (name === undefined || s.status !== 'ok') return undefined;
    const next = new Map(s.value);
    if (event.type === 'ADDED' || event.type === 'MODIFIED') next.set(name, this.opts.parse(event.object));
    else if (event.type === 'DELETED') next.delete(name);
    else return undefined;
    this.objects.update(next);
    return undefined;
  }

  /** The server has compacted away the version the watch started from: only a new list can catch up. */
  private expired(why: string): WatchEnd {
    this.opts.log.info(`k8s: ${this.opts.what}: resourceVersion ${this.version} is too old; listing again`, { why });
    return { next: 'relist', pause: false };
  }

  /** The collection's URL: a list, or with a timeout in seconds, a watch from the current version. */
  private url(watchTimeout?: number): string {
    const q = new URLSearchParams();
    if (this.opts.labelSelector) q.set('labelSelector', this.opts.labelSelector);
    if (this.opts.fieldSelector) q.set('fieldSelector', this.opts.fieldSelector);
    if (watchTimeout !== undefined) {
      q.set('watch', '1');
      q.set('resourceVersion', this.version ?? '');
      q.set('allowWatchBookmarks', 'true');
      q.set('timeoutSeconds', String(watchTimeout));
    }
    const query = q.toString();
    return query ? `${this.opts.collection}?${query}` : this.opts.collection;
  }

  private failed(problem: string): void {
    if (problem !== this.problem) this.opts.log.warn(`k8s: ${this.opts.what}: ${problem}; retrying`);
    this.problem = problem;
    if (this.objects.current().status !== 'ok') this.objects.fail(new Error(`k8s: ${this.opts.what}: ${problem}`));
  }

  private recovered(): void {
    if (this.problem) this.opts.log.info(`k8s: ${this.opts.what}: the API answers again`);
    this.problem = undefined;
  }

  private sleep(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.phase = 'waiting';
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = this.opts.clock.setTimeout(resolve, this.delays.next());
    }).then(() => { this.wake = undefined; this.timer = undefined; });
  }
}
