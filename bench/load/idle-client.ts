/**
 * Holds many idle keep-alive client connections open against one target, to measure what an
 * idle connection costs the proxy. Each connection first carries one request (so the proxy has
 * seen a full request on it, as with a real idle client), then sits idle for --hold seconds, then
 * carries one more request to show the connections were kept, not silently dropped.
 *
 * Usage: node --import tsx idle-client.ts --port P --count N --hold S [--concurrency 200]
 *          [--path /] [--header 'Name: value']…
 * Prints `OPEN ok=… failed=… ms=…` once every connection has its first answer (the proxy's
 * memory is sampled during the hold that follows), then one `RESULT …` line in the bench format
 * whose `requests` are the second-round answers.
 */
import { parseArgs } from 'node:util';
import { Connection, getRequest, headerLine } from './http1-connection.js';

const { values: o } = parseArgs({
  options: {
    port: { type: 'string' },
    count: { type: 'string' },
    hold: { type: 'string' },
    concurrency: { type: 'string', default: '200' },
    path: { type: 'string', default: '/' },
    header: { type: 'string', multiple: true, default: [] },
  },
});
const port = Number(o.port);
const count = Number(o.count);
const concurrency = Number(o.concurrency);
const request = getRequest(o.path, o.header.map(headerLine));

/** One round trip on a connection; resolves with the status, or the reason it failed. */
type Outcome = { ok: true; status: number } | { ok: false; reason: string };

interface Held {
  conn: Connection | undefined;
  settle: ((o: Outcome) => void) | undefined;
}

function open(h: Held): Promise<Outcome> {
  return new Promise((resolve) => {
    h.settle = resolve;
    h.conn = new Connection(port, {
      onConnect: () => h.conn!.send(request),
      onResponse: (status) => { h.settle?.({ ok: true, status }); h.settle = undefined; },
      onError: ({ reason }) => { h.settle?.({ ok: false, reason }); h.settle = undefined; h.conn = undefined; },
    });
  });
}

function again(h: Held): Promise<Outcome> {
  if (!h.conn || !h.conn.usable) return Promise.resolve({ ok: false, reason: 'closed while idle' });
  return new Promise((resolve) => { h.settle = resolve; h.conn!.send(request); });
}

/** A round trip that takes longer than this counts as failed, so one stuck connection cannot stall a round. */
const ROUND_TRIP_LIMIT_MS = 15_000;

function bounded(h: Held, p: Promise<Outcome>): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => { h.settle = undefined; h.conn?.close(); h.conn = undefined; resolve({ ok: false, reason: `no answer within ${ROUND_TRIP_LIMIT_MS} ms` }); }, ROUND_TRIP_LIMIT_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Runs `step` over every held connection with at most `concurrency` in flight. */
async function round(held: Held[], step: (h: Held) => Promise<Outcome>): Promise<{ ok: number; failed: number; reasons: Map<string, number> }> {
  let ok = 0;
  let failed = 0;
  const reasons = new Map<string, number>();
  let i = 0;
  const worker = async (): Promise<void> => {
    while (i < held.length) {
      const h = held[i++]!;
      const r = await bounded(h, step(h));
      if (r.ok && r.status < 400) ok++;
      else {
        failed++;
        const why = r.ok ? `status ${r.status}` : r.reason;
        reasons.set(why, (reasons.get(why) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ok, failed, reasons };
}

const show = (m: Map<string, number>): string => [...m].map(([k, v]) => `${v}× ${k}`).join('; ');

const held: Held[] = Array.from({ length: count }, () => ({ conn: undefined, settle: undefined }));
const t0 = Date.now();
const first = await round(held, open);
process.stdout.write(`OPEN ok=${first.ok} failed=${first.failed} ms=${Date.now() - t0}\n`);
if (first.failed) process.stderr.write(`idle-client: first round: ${show(first.reasons)}\n`);
await new Promise((r) => setTimeout(r, Number(o.hold) * 1000));
const second = await round(held, again);
if (second.failed) process.stderr.write(`idle-client: after the hold: ${show(second.reasons)}\n`);
for (const h of held) h.conn?.close();
process.stdout.write(`RESULT requests=${second.ok} err_read=${second.failed} opened=${first.ok} open_failed=${first.failed}\n`);
process.exit(0);
