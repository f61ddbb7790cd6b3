/** Test plumbing for the Kubernetes namer: a namer on a fake API server, and reading its answers. */
import type { Activity } from '../../src/naming/activity.js';
import { Addr } from '../../src/naming/addr.js';
import { BoundName, type Name } from '../../src/naming/namer.js';
import type { NameTree } from '../../src/naming/nametree.js';
import { Path } from '../../src/naming/path.js';
import { K8sApi, type ApiTarget } from '../../src/discovery/k8s/api.js';
import { K8sNamer, type K8sNamerOptions } from '../../src/discovery/k8s/namer.js';
import { systemClock, type Clock } from '../../src/time/clock.js';
import { recordingLog, until, value, type RecordingLog } from '../discovery/helpers.js';
import type { FakeApiServer } from './fake-apiserver.js';

export interface TestNamer { namer: K8sNamer; log: RecordingLog }

/** A namer mounted at `/#/io.l5d.k8s`, talking plain HTTP to the fake (as to a kubectl proxy). */
export function namerFor(fake: FakeApiServer, opts: Partial<Omit<K8sNamerOptions, 'api'>> & { target?: ApiTarget; clock?: Clock } = {}): TestNamer {
  const log = recordingLog();
  const clock = opts.clock ?? systemClock;
  const api = new K8sApi(opts.target ?? { host: '127.0.0.1', port: fake.port }, clock);
  const namer = new K8sNamer(Path.read('/#/io.l5d.k8s'), { useEndpointSlices: true, log, ...opts, clock, api });
  return { namer, log };
}

/** The first settled answer of a lookup. */
export async function answer(namer: K8sNamer, path: string): Promise<NameTree<Name>> {
  return value(await until(namer.lookup(Path.read(path)), (s) => s.status !== 'pending', `an answer for ${path}`));
}

/** Waits until the lookup answers a leaf, and returns its bound name. */
export async function bound(namer: K8sNamer, path: string): Promise<BoundName> {
  const tree = value(await until(namer.lookup(Path.read(path)), (s) => s.status === 'ok' && s.value.kind === 'leaf', `a leaf for ${path}`));
  if (tree.kind !== 'leaf' || !(tree.value instanceof BoundName)) throw new Error(`expected a bound leaf for ${path}`);
  return tree.value;
}

/** `host:port` of each address, or the Addr's type. */
export function addrText(addr: Addr): string[] | string {
  return addr.type === 'bound' ? addr.addresses.map((a) => Addr.show(a)) : addr.type;
}

/** Waits until an address set shows `expected` (see addrText). */
export function addrIs(addr: Activity<Addr>, expected: string[] | string): Promise<unknown> {
  const want = JSON.stringify(expected);
  return until(addr, (s) => s.status === 'ok' && JSON.stringify(addrText(s.value)) === want, `addresses ${want}`);
}

/** Waits until a lookup answers Neg. */
export function becomesNeg(namer: K8sNamer, path: string): Promise<unknown> {
  return until(namer.lookup(Path.read(path)), (s) => s.status === 'ok' && s.value.kind === 'neg', `Neg for ${path}`);
}

/** Subscribes for the rest of a test (keeps a service's watches running); returns the unsubscribe. */
export function observe<T>(a: Activity<T>): () => void {
  return a.subscribe(() => {});
}

/**
 * Resolves once `test()` holds, checking every few milliseconds: for conditions nothing announces
 * (a socket closed on the fake's side). The guard only stops a broken test from hanging.
 */
export function eventually(test: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (test()) { clearInterval(timer); resolve(); }
      else if (Date.now() - started > 10_000) { clearInterval(timer); reject(new Error(`gave up waiting for ${what}`)); }
    }, 5);
  });
}
