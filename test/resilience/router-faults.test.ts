/**
 * Fault injection through the real router over loopback: endpoints that die, flap, fail every
 * request, slow down; deadlines that arrive with the request.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Agent, request } from 'undici';
import { loadConfig } from '../../src/config/validate.js';
import { Linker } from '../../src/linker/linker.js';
import { FakeClock } from '../../src/time/clock.js';
import { parseDeadline } from '../../src/resilience/deadline.js';
import { closeServer, discoDir, listen, quietLog, routerPort, send } from '../helpers/http.js';

interface Backend { server: Server; port: number; hits: number; sockets: Set<Socket>; mode: 'ok' | 'fail' | 'slow'; delayMs: number }

async function backend(name: string, mode: Backend['mode'] = 'ok', delayMs = 0): Promise<Backend> {
  const b: Backend = { server: undefined as unknown as Server, port: 0, hits: 0, sockets: new Set(), mode, delayMs };
  b.server = createServer((req, res) => {
    b.hits++;
    req.resume();
    const answer = () => {
      if (b.mode === 'fail') { res.writeHead(500); res.end('boom'); return; }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(name);
    };
    if (b.mode === 'slow' && b.delayMs > 0) setTimeout(answer, b.delayMs); else answer();
  });
  b.server.on('connection', (s: Socket) => { b.sockets.add(s); s.on('close', () => b.sockets.delete(s)); });
  b.port = await listen(b.server);
  return b;
}

function kill(b: Backend): void {
  b.server.close();
  for (const s of b.sockets) s.destroy();
}

function config(dir: string, extra: string): string {
  return `
admin: {port: 0}
namers: [{kind: io.l5d.fs, rootDir: ${dir}}]
routers:
- protocol: http
  label: web
  dtab: /svc => /#/io.l5d.fs
  servers: [{port: 0}]
${extra}`;
}

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

describe('resilience through the router', () => {
  it('three endpoints, one killed mid-load: a retryableRead5XX service loses no GET', async () => {
    const bs = await Promise.all([backend('a'), backend('b'), backend('c')]);
    const disco = discoDir({ web: bs.map((b) => b.port) });
    const linker = await Linker.start(loadConfig(config(disco.dir, `  service:
    responseClassifier: {kind: io.l5d.http.retryableRead5XX}
    retries: {budget: {minRetriesPerSec: 100, percentCanRetry: 1.0}}`), 't.yaml'), { log: quietLog });
    cleanups.push(() => linker.close(0), () => disco.remove(), () => Promise.all(bs.map((b) => closeServer(b.server))).then(() => {}));
    const port = routerPort(linker, 'web');
    const agent = new Agent({ connections: 16 });
    cleanups.push(() => agent.close());
    let failed = 0, ok = 0;
    const worker = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await request(`http://127.0.0.1:${port}/`, { headers: { host: 'web' }, dispatcher: agent });
        await r.body.text();
        if (r.statusCode === 200) ok++; else failed++;
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, () => worker(150)));
    while (ok < 300) await new Promise((r) => setTimeout(r, 5));
    kill(bs[1]!);
    await load;
    assert.equal(failed, 0, `${failed} GETs failed after an endpoint was killed`);
    assert.equal(ok, 1200);
  });

  it('a flapping endpoint is removed by failure accrual and probed back to life after its backoff', async () => {
    const good = await backend('good');
    const flappy = await backend('flappy', 'fail');
    const disco = discoDir({ web: [good.port, flappy.port] });
    const clock = new FakeClock();
    const linker = await Linker.start(loadConfig(config(disco.dir, `  client:
    failureAccrual: {kind: io.l5d.consecutiveFailures, failures: 3, backoff: {kind: constant, ms: 5000}}`), 't.yaml'), { log: quietLog, clock });
    cleanups.push(() => linker.close(0), () => disco.remove(), () => closeServer(good.server), () => closeServer(flappy.server));
    const port = routerPort(linker, 'web');
    for (let i = 0; i < 40 && flappy.hits < 3; i++) await send(port, { headers: { host: 'web' } });
    assert.equal(flappy.hits, 3, 'three consecutive failures reach the flapping endpoint');
    const client = linker.router('web')!.router.clients()[0]!;
    const node = client.nodes.find((n) => n.key.endsWith(`:${flappy.port}`))!;
    assert.equal(node.status(), 'dead');
    for (let i = 0; i < 30; i++) assert.equal((await send(port, { headers: { host: 'web' } })).body, 'good');
    assert.equal(flappy.hits, 3, 'a dead endpoint gets no traffic');

    flappy.mode = 'ok';
    clock.advance(5000); // backoff over: the next pick probes it
    for (let i = 0; i < 40 && flappy.hits < 4; i++) await send(port, { headers: { host: 'web' } });
    assert.equal(flappy.hits, 4, 'one probe request after the backoff');
    assert.equal(node.status(), 'alive', 'a successful probe revives it');
    const m = linker.metrics.find(`rt/web/client/#/io.l5d.fs/web/failure_accrual`);
    assert.ok(m, 'failure accrual metrics exist');
    const flat = (await send(linker.adminPort, { path: '/admin/metrics.json' })).body;
    const metrics = JSON.parse(flat) as Record<string, number>;
    assert.equal(metrics['rt/web/client/#/io.l5d.fs/web/failure_accrual/removals'], 1);
    assert.equal(metrics['rt/web/client/#/io.l5d.fs/web/failure_accrual/revivals'], 1);
  });

  it('under a 100%-failing upstream the retry budget caps retries (no retry storm)', async () => {
    const bad = await backend('bad', 'fail');
    const disco = discoDir({ web: [bad.port] });
    const clock = new FakeClock();
    const linker = await Linker.start(loadConfig(config(disco.dir, `  service:
    responseClassifier: {kind: io.l5d.http.retryableRead5XX}
    retries: {budget: {minRetriesPerSec: 2, percentCanRetry: 0.1, ttlSecs: 10}}`), 't.yaml'), { log: quietLog, clock });
    cleanups.push(() => linker.close(0), () => disco.remove(), () => closeServer(bad.server));
    const port = routerPort(linker, 'web');
    const n = 300;
    for (let i = 0; i < n; i += 30) {
      const rs = await Promise.all(Array.from({ length: 30 }, () => send(port, { headers: { host: 'web' } })));
      for (const r of rs) assert.equal(r.status, 500);
    }
    const retries = bad.hits - n;
    // Reserve (2/s × 10 s = 20) plus 10% of the requests (30).
    assert.ok(retries <= 20 + 0.1 * n + 1, `retries ${retries} exceed the budget`);
    assert.ok(retries >= 20, `the budget's reserve is used (${retries} retries)`);
    const metrics = JSON.parse((await send(linker.adminPort, { path: '/admin/metrics.json' })).body) as Record<string, number>;
    assert.equal(metrics['rt/web/service/svc/web/retries/total'], retries);
    assert.ok((metrics['rt/web/service/svc/web/retries/budget_exhausted'] ?? 0) > 0);
  });

  it('one slow endpoint among fast ones: ewma steers away from it, roundRobin does not', async () => {
    const share = async (balancer: string) => {
      const fast = await Promise.all([backend('f1'), backend('f2')]);
      const slow = await backend('slow', 'slow', 60);
      const disco = discoDir({ web: [...fast.map((b) => b.port), slow.port] });
      const linker = await Linker.start(loadConfig(config(disco.dir, `  client: {loadBalancer: {kind: ${balancer}}}`), 't.yaml'), { log: quietLog });
      const port = routerPort(linker, 'web');
      const latencies: number[] = [];
      const worker = async () => {
        for (let i = 0; i < 60; i++) {
          const t = performance.now();
          await send(port, { headers: { host: 'web' } });
          if (i >= 5) latencies.push(performance.now() - t); // p99 after warm-up (connections, JIT)
        }
      };
      await Promise.all(Array.from({ length: 5 }, worker));
      await linker.close(0);
      disco.remove();
      await Promise.all([...fast, slow].map((b) => closeServer(b.server)));
      latencies.sort((a, b) => a - b);
      return { slowHits: slow.hits, slowShare: slow.hits / 300, p99: latencies[Math.floor(latencies.length * 0.99)]! };
    };
    const ewma = await share('ewma');
    const rr = await share('roundRobin');
    // Counts, not timings: the p99 is the slow endpoint's latency exactly when more than 1% of
    // requests go there. Allowed: 1% of the 300 requests plus 2 while ewma has no latency for it
    // yet, compared as whole requests (5/300 is not below 0.01 + 2/300 in floating point).
    assert.ok(ewma.slowHits <= 300 * 0.01 + 2, `ewma sent ${ewma.slowHits} of 300 requests (${(ewma.slowShare * 100).toFixed(1)}%) to the slow endpoint`);
    assert.ok(rr.slowShare > 0.25, `roundRobin sent ${(rr.slowShare * 100).toFixed(1)}% to the slow endpoint`);
    process.stderr.write(`# p99 ewma ${ewma.p99.toFixed(1)} ms vs roundRobin ${rr.p99.toFixed(1)} ms\n`);
  });

  it("an inbound l5d-ctx-deadline shorter than totalTimeoutMs wins and travels downstream", async () => {
    let seen: string | undefined;
    const slow = createServer((req, res) => {
      seen = req.headers['l5d-ctx-deadline'] as string | undefined;
      req.resume();
      setTimeout(() => { res.writeHead(200); res.end('late'); }, 1500);
    });
    const disco = discoDir({ web: [await listen(slow)] });
    const linker = await Linker.start(loadConfig(config(disco.dir, `  service: {totalTimeoutMs: 10000}`), 't.yaml'), { log: quietLog });
    cleanups.push(() => linker.close(0), () => disco.remove(), () => closeServer(slow));
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const inbound = `${nowNs} ${nowNs + 200_000_000n}`; // 200 ms from now
    const r = await send(routerPort(linker, 'web'), { headers: { host: 'web', 'l5d-ctx-deadline': inbound } });
    assert.equal(r.status, 503, 'the inbound deadline, not the 10 s total timeout, ends the request');
    assert.match(decodeURIComponent(String(r.headers['l5d-err']).replace(/\+/g, ' ')), /timeout|deadline/);
    const downstream = parseDeadline(seen!);
    assert.ok(downstream, 'the downstream request carries l5d-ctx-deadline');
    assert.equal(downstream.deadlineNs, nowNs + 200_000_000n, 'the strictest deadline is propagated');
  });

  it('maxConcurrentRequests answers 503 with l5d-err beyond the limit', async () => {
    const release: (() => void)[] = [];
    const hold = createServer((req, res) => { req.resume(); release.push(() => { res.writeHead(200); res.end('ok'); }); });
    const disco = discoDir({ web: [await listen(hold)] });
    const linker = await Linker.start(loadConfig(config(disco.dir, '').replace('servers: [{port: 0}]', 'servers: [{port: 0, maxConcurrentRequests: 2}]'), 't.yaml'), { log: quietLog });
    cleanups.push(() => linker.close(0), () => disco.remove(), () => closeServer(hold));
    const port = routerPort(linker, 'web');
    const first = [send(port, { headers: { host: 'web' } }), send(port, { headers: { host: 'web' } })];
    while (release.length < 2) await new Promise((r) => setTimeout(r, 5));
    const third = await send(port, { headers: { host: 'web' } });
    assert.equal(third.status, 503);
    assert.ok(third.headers['l5d-err']);
    for (const r of release) r();
    for (const r of await Promise.all(first)) assert.equal(r.status, 200);
  });
});
