/**
 * Open-loop, constant-rate HTTP/1.1 load: the part of wrk2 that Debian's wrk lacks. Request i is
 * due at start + i/rate whatever earlier responses did, and its latency is counted from the
 * moment it was due, so a proxy that stalls is charged for every request it held up (no
 * coordinated omission). Due requests wait for a free connection in a backlog.
 *
 * Pacing spins on setImmediate instead of sleeping on 1 ms timers: a timer tick would release
 * rate/1000 requests at once, and that burst queues inside a single-threaded proxy, inflating the
 * very tail this client measures. So the client keeps its own (dedicated) load CPU busy. Spinning
 * allocates; run it with a large young generation (`--min-semi-space-size=32
 * --max-semi-space-size=64`, as the bench does) or scavenge pauses land in the measured tail.
 *
 * Usage: node --import tsx rate-client.ts --port P --rate R --seconds S [--connections 64]
 *          [--warmup 1] [--path /] [--header 'Name: value']… [--report-every S]
 * The first --warmup seconds run at the same rate but are not recorded (this client's own JIT
 * warm-up). Prints `INTERVAL …` every --report-every seconds (0: never) and, at the end, one
 * `RESULT …` line in the bench's wrk format plus offered_rps, backlog_max, all_requests (warm-up
 * included) and pacing_p99_us/pacing_max_us: how late the client itself sent requests, so a
 * stalled client is not mistaken for a slow target. Requests due before the end keep their place:
 * the backlog still drains after it, and those unanswered 2 s after the end (sent or still
 * waiting for a connection) count as timeouts.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Connection, getRequest, headerLine } from './http1-connection.js';
import { LatencyHistogram } from './histogram.js';

const { values: o } = parseArgs({
  options: {
    port: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '1' },
    path: { type: 'string', default: '/' },
    header: { type: 'string', multiple: true, default: [] },
    'report-every': { type: 'string', default: '0' },
  },
});
const port = Number(o.port);
const rate = Number(o.rate);
const durationMs = Number(o.seconds) * 1000;
const reportEveryMs = Number(o['report-every']) * 1000;
const warmupMs = Number(o.warmup) * 1000;
if (!(port > 0 && rate > 0 && durationMs > 0)) {
  process.stderr.write('rate-client: --port, --rate and --seconds must be positive numbers\n');
  process.exit(2);
}
const request = getRequest(o.path, o.header.map(headerLine));

const total = new LatencyHistogram();
const interval = new LatencyHistogram();
/** How late this client itself issued requests (its own stalls: GC, scheduling), recorded part only. */
const pacing = new LatencyHistogram();
const errors = { connect: 0, read: 0, status: 0, timeout: 0 };
let intervalErrors = 0;
let completed = 0;
/** Every answered request, warm-up included: what the target actually served. */
let served = 0;
/** Failed connection attempts; only the first is logged. */
let refusals = 0;

/** A connection slot: reopened in place when its connection fails, so the pool size stays fixed. */
class Slot {
  dueAt = 0;
  conn: Connection;
  constructor(private readonly onOpen: () => void) { this.conn = this.open(); }

  private open(): Connection {
    return new Connection(port, {
      onConnect: this.onOpen,
      onResponse: (status) => {
        served++;
        if (this.dueAt >= recordFrom) {
          const us = (performance.now() - this.dueAt) * 1000;
          total.record(us);
          interval.record(us);
          completed++;
          if (status >= 400) { errors.status++; intervalErrors++; }
        }
        next(this);
      },
      onError: ({ busy, connected, reason }) => {
        if (busy) { if (connected) errors.read++; else errors.connect++; intervalErrors++; }
        if (!connected && refusals++ === 0) process.stderr.write(`rate-client: connect to 127.0.0.1:${port}: ${reason}\n`);
        // Out of circulation until reopened; a refused connection is retried after a pause, not in a tight loop.
        const i = idle.indexOf(this);
        if (i >= 0) idle.splice(i, 1);
        setTimeout(() => { this.conn = this.open(); next(this); }, connected ? 0 : 100);
      },
    });
  }
}

const idle: Slot[] = [];
const backlog: number[] = [];
let backlogHead = 0;
let backlogMax = 0;

function next(slot: Slot): void {
  // The backlog still drains after the end: those requests were due inside the measured window.
  if (backlogHead < backlog.length) {
    slot.dueAt = backlog[backlogHead++]!;
    if (backlogHead > 4096 && backlogHead * 2 > backlog.length) { backlog.splice(0, backlogHead); backlogHead = 0; }
    slot.conn.send(request);
  } else {
    idle.push(slot);
  }
}

function dispatch(dueAt: number): void {
  const slot = idle.pop();
  if (slot) { slot.dueAt = dueAt; slot.conn.send(request); return; }
  backlog.push(dueAt);
  backlogMax = Math.max(backlogMax, backlog.length - backlogHead);
}

const slots: Slot[] = [];
let opened = 0;
const allOpen = new Promise<void>((resolve) => {
  const n = Number(o.connections);
  for (let i = 0; i < n; i++) slots.push(new Slot(() => { if (++opened === n) resolve(); }));
});
await Promise.race([allOpen, new Promise((r) => setTimeout(r, 2000))]);
// Slots whose connection failed meanwhile join the pool when they are reopened.
idle.push(...slots.filter((s) => s.conn.usable && !idle.includes(s)));

const start = performance.now();
const recordFrom = start + warmupMs;
const endMs = warmupMs + durationMs;
let issued = 0;
let nextReport = warmupMs + reportEveryMs;
let reportedAt = warmupMs;
let completedAtReport = 0;

function pace(): void {
  const elapsed = performance.now() - start;
  if (elapsed >= endMs) {
    if (reportEveryMs > 0 && elapsed - reportedAt >= reportEveryMs / 2) reportInterval(elapsed);
    void finish(elapsed - warmupMs);
    return;
  }
  const due = Math.floor((elapsed * rate) / 1000);
  const now = start + elapsed;
  while (issued < due) {
    const at = start + (issued++ * 1000) / rate;
    if (at >= recordFrom) pacing.record((now - at) * 1000);
    dispatch(at);
  }
  if (reportEveryMs > 0 && elapsed >= nextReport) {
    reportInterval(elapsed);
    nextReport += reportEveryMs;
  }
  setImmediate(pace);
}

function reportInterval(elapsed: number): void {
  const secs = (elapsed - reportedAt) / 1000;
  process.stdout.write(`INTERVAL t_s=${((elapsed - warmupMs) / 1000).toFixed(0)} rps=${((completed - completedAtReport) / secs).toFixed(1)} `
    + `p50_us=${interval.percentile(50)} p99_us=${interval.percentile(99)} p999_us=${interval.percentile(99.9)} errors=${intervalErrors}\n`);
  interval.reset();
  intervalErrors = 0;
  completedAtReport = completed;
  reportedAt = elapsed;
}

async function finish(elapsedMs: number): Promise<void> {
  const waitUntil = performance.now() + 2000;
  while ((backlogHead < backlog.length || slots.some((s) => s.conn.busy)) && performance.now() < waitUntil) {
    await new Promise((r) => setTimeout(r, 10));
  }
  errors.timeout += slots.filter((s) => s.conn.busy).length + (backlog.length - backlogHead);
  for (const s of slots) s.conn.close();
  process.stdout.write(`RESULT requests=${completed} duration_us=${Math.round(elapsedMs * 1000)} rps=${(completed / (elapsedMs / 1000)).toFixed(1)} `
    + `p50_us=${total.percentile(50)} p90_us=${total.percentile(90)} p99_us=${total.percentile(99)} p999_us=${total.percentile(99.9)} `
    + `max_us=${total.max} mean_us=${total.mean.toFixed(1)} err_connect=${errors.connect} err_read=${errors.read} err_write=0 `
    + `err_status=${errors.status} err_timeout=${errors.timeout} offered_rps=${rate} backlog_max=${backlogMax} all_requests=${served} `
    + `pacing_p99_us=${pacing.percentile(99)} pacing_max_us=${pacing.max}\n`);
  process.exit(0);
}

setImmediate(pace);
