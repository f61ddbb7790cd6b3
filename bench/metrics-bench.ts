/**
 * Cost of the per-request accounting step on cached scopes: three counter increments and one
 * latency sample, as the router does after every response. Printed as ns per step, next to
 * baselines measured in the same run (plain field increments; one clock read).
 *
 *   node --import tsx bench/metrics-bench.ts
 */
import { Metrics } from '../src/telemetry/metrics.js';

const STEPS = 5_000_000;
const ROUNDS = 7;

const metrics = new Metrics();
const rt = metrics.scope('rt', 'outgoing');
const service = rt.child('service', '/svc/world');
const client = rt.child('client', '/#/io.l5d.fs/world-v1');
const requests = service.counter('requests');
const success = service.counter('success');
const clientRequests = client.counter('requests');
const latency = service.stat('request_latency_ms');

// Latencies spread over 0.2–200 ms so that many buckets are touched.
const samples = Float64Array.from({ length: 1024 }, (_, i) => 0.2 * 1000 ** ((i * 0.618) % 1));
const plain = { a: 0, b: 0, c: 0, d: 0 };

const cases: Record<string, (i: number, now: number) => void> = {
  'baseline: 3 plain field increments + 1 store': (i) => { plain.a++; plain.b++; plain.c++; plain.d = samples[i & 1023]!; },
  'baseline: one performance.now()': () => { plain.d = performance.now(); },
  'step, caller passes its clock reading': (i, now) => {
    requests.incr(); success.incr(); clientRequests.incr(); latency.add(samples[i & 1023]!, now);
  },
  'step, stat reads the clock itself': (i) => {
    requests.incr(); success.incr(); clientRequests.incr(); latency.add(samples[i & 1023]!);
  },
  'child() lookup of a cached service': () => { rt.child('service', '/svc/world'); },
};

function measure(fn: (i: number, now: number) => void): number {
  const now = performance.now();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < STEPS; i++) fn(i, now);
  return Number(process.hrtime.bigint() - t0) / STEPS;
}

const results = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved rounds so that drift on a shared machine hits every case alike.
  for (const [name, fn] of Object.entries(cases)) {
    const ns = measure(fn);
    if (round > 0) (results.get(name) ?? results.set(name, []).get(name)!).push(ns); // round 0 warms up
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const plainNs = median(results.get('baseline: 3 plain field increments + 1 store')!);
const clockNs = median(results.get('baseline: one performance.now()')!);
console.log(`metrics accounting step, median of ${ROUNDS - 1} rounds × ${STEPS.toLocaleString('en')} steps (node ${process.version})`);
for (const [name, xs] of results) {
  const ns = median(xs);
  console.log(`  ${name.padEnd(46)} ${ns.toFixed(1).padStart(7)} ns   ×${(ns / plainNs).toFixed(1).padStart(5)} plain   ×${(ns / clockNs).toFixed(2).padStart(5)} clock`);
}
if (requests.value === 0 || latency.recorded === 0) throw new Error('benchmark did not run');
