/** Shared test helpers for discovery: waiting on activities, a recording logger, bound names. */
import type { Logger } from '../../src/config/plugin.js';
import { ActivitySource, ok, type Activity, type State } from '../../src/naming/activity.js';
import { Addr, type Address } from '../../src/naming/addr.js';
import { BoundName } from '../../src/naming/namer.js';
import { Path } from '../../src/naming/path.js';

/**
 * Resolves with the first state of `activity` that `accept` takes, checking now and after every
 * change. The guard only stops a broken test from hanging; it is not a timing assertion.
 */
export function until<T>(activity: Activity<T>, accept: (s: State<T>) => boolean, what = 'the expected state'): Promise<State<T>> {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    const guard = setTimeout(() => { unsubscribe(); reject(new Error(`gave up waiting for ${what}; last state: ${JSON.stringify(activity.current())}`)); }, 10_000);
    const check = (): boolean => {
      const s = activity.current();
      if (!accept(s)) return false;
      clearTimeout(guard);
      unsubscribe();
      resolve(s);
      return true;
    };
    unsubscribe = activity.subscribe(check);
    check();
  });
}

/** The value of an ok state (fails the test otherwise). */
export function value<T>(s: State<T>): T {
  if (s.status !== 'ok') throw new Error(`expected an ok state, got ${JSON.stringify(s)}`);
  return s.value;
}

/** `host:port*weight` for each address of a bound Addr; the Addr's type otherwise. */
export function show(addr: Addr): string[] | string {
  return addr.type === 'bound' ? addr.addresses.map((a: Address) => `${Addr.show(a)}*${a.weight}`) : addr.type;
}

/** Lets queued promise callbacks (fs, injected lookups) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface LogLine { level: 'info' | 'warn' | 'error'; msg: string; fields?: Record<string, unknown> }

export interface RecordingLog extends Logger {
  readonly lines: LogLine[];
  /** Resolves with the first line, logged so far or later, that `accept` takes. */
  line(accept: (l: LogLine) => boolean): Promise<LogLine>;
}

export function recordingLog(): RecordingLog {
  const lines: LogLine[] = [];
  const waiting = new Set<{ accept: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  const at = (level: LogLine['level']) => (msg: string, fields?: Record<string, unknown>) => {
    const line = { level, msg, ...(fields ? { fields } : {}) };
    lines.push(line);
    for (const w of [...waiting]) if (w.accept(line)) { waiting.delete(w); w.resolve(line); }
  };
  return {
    lines,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    line(accept) {
      const seen = lines.find(accept);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => { waiting.add({ accept, resolve }); });
    },
  };
}

/** A bound name `/#/io.l5d.fs/<name>` whose address set the test sets. */
export function boundName(name: string, ...addresses: Address[]): { bound: BoundName; addr: ActivitySource<Addr> } {
  const addr = new ActivitySource<Addr>(ok(Addr.bound(addresses)));
  return { bound: new BoundName(Path.of('#', 'io.l5d.fs', name), addr, Path.empty), addr };
}
