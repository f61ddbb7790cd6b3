/**
 * The bench's open-loop client (bench/load/rate-client.ts) against a real server that is slower
 * than the offered rate, so that requests are still queued in the client when the time is up.
 * Those were due inside the measured window: they must be sent and measured, not dropped and
 * reported as unanswered by the target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseResult } from '../../bench/lib/load.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const client = join(root, 'bench', 'load', 'rate-client.ts');

test('rate client: requests still queued when the time is up are sent and measured', async (t) => {
  // 2 connections at 50 ms each answer 40 req/s; 60 req/s for 1 s leaves about 20 in the client's
  // backlog at the end, which the 2 s grace drains in about half a second.
  const server = createServer((_req, res) => { setTimeout(() => res.end('ok'), 50); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const port = (server.address() as AddressInfo).port;

  const { stdout } = await promisify(execFile)(process.execPath,
    ['--import', 'tsx', client, '--port', String(port), '--rate', '60', '--seconds', '1', '--connections', '2', '--warmup', '0'],
    { cwd: root, timeout: 30_000 });
  const r = parseResult(stdout, 0);
  assert.ok(r, `no RESULT line in: ${stdout}`);
  assert.ok((r.extra.backlog_max ?? 0) >= 5, `the server should have been slower than the rate (backlog_max=${r.extra.backlog_max})`);
  assert.equal(r.timeouts, 0, 'no request was left unanswered');
  // Every request due in the window (59 or 60, as the last pacing step falls) was answered.
  assert.ok(r.requests >= 59, `answered ${r.requests} of the ~60 due`);
  // The last of them waited in the backlog: the worst latency covers that wait.
  assert.ok(r.maxUs > r.p50Us, 'the backlogged requests are in the latencies');
});
