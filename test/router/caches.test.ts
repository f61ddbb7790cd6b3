/**
 * The logical / concrete / endpoint caches under many distinct dtab overrides: overrides that
 * land on the same service share one client and one connection pool, and a flood of distinct
 * overrides stays within the configured bounds, in cache entries and in heap. The router runs
 * in its own process (with --expose-gc) so its heap is measured apart from the load generator's.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Pool } from 'undici';
import { discoDir, eventually, send, startUpstream, type DiscoDir, type Upstream } from '../helpers/http.js';
import { forkLinker, type ForkedLinker } from '../helpers/process.js';

const PATHS = 500;

describe('binding caches under distinct overrides', () => {
  let linker: ForkedLinker;
  let disco: DiscoDir;
  let v1: Upstream, v2: Upstream;
  let port = 0;

  before(async () => {
    v1 = await startUpstream('world-v1', undefined, '127.0.0.1', { record: false });
    v2 = await startUpstream('world-v2', undefined, '127.0.0.1', { record: false });
    disco = discoDir({ 'world-v1': [v1.port], 'world-v2': [v2.port] });
    linker = await forkLinker(`
admin: {port: 0}
namers: [{kind: io.l5d.fs, rootDir: ${disco.dir}}]
routers:
- protocol: http
  label: x
  dtab: |
    /srv => /#/io.l5d.fs;
    /svc => /srv;
    /svc/world => /srv/world-v1;
  bindingCache: {paths: ${PATHS}, clients: 100}
  servers: [{port: 0}]
`);
    port = linker.ports.x!;
    await eventually('world-v2 routable', async () => (await send(port, { headers: { host: 'world', 'l5d-dtab': '/svc/world => /srv/world-v2' } })).body === 'world-v2');
  });

  after(async () => {
    await linker.close();
    await Promise.all([v1.close(), v2.close()]);
    disco.remove();
  });

  /**
   * Sends requests `from`…`to`-1, `concurrency` at a time over keep-alive connections, each with
   * its own override that sends /svc/world to world-v2; returns how many answers were not world-v2.
   */
  async function overrides(from: number, to: number, concurrency: number): Promise<number> {
    const client = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 });
    let next = from;
    let wrong = 0;
    const worker = async () => {
      while (next < to) {
        const i = next++;
        const r = await client.request({ path: '/', method: 'GET', headers: { host: 'world', 'l5d-dtab': `/svc/world => /srv/world-v2; /tag/${i} => /srv/world-v1` } });
        const body = await r.body.text();
        if (r.statusCode !== 200 || body !== 'world-v2') wrong++;
      }
    };
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
    } finally {
      await client.close();
    }
    return wrong;
  }

  it('10,000 overrides that bind to world-v2 share one concrete client and one small endpoint pool', async () => {
    const concurrency = 16;
    assert.equal(await overrides(0, 10_000, concurrency), 0);
    const m = await linker.measure('x');
    assert.equal(m.sizes.concrete, 1, `concrete clients: ${m.sizes.concrete}`);
    assert.equal(m.sizes.endpoints, 1, `endpoints: ${m.sizes.endpoints}`);
    assert.ok(m.connections[0]! <= concurrency, `upstream connections: ${m.connections[0]}`);
    assert.ok(m.sizes.logical <= PATHS, `logical bindings: ${m.sizes.logical}`);
  });

  it('100,000 distinct overrides (counting the 10,000 above) keep every cache at its bound and the heap flat', async (t) => {
    const concurrency = 64;
    assert.equal(await overrides(10_000, 20_000, concurrency), 0);
    const early = await linker.measure('x');
    assert.equal(await overrides(20_000, 100_000, concurrency), 0);
    const late = await linker.measure('x');
    const mb = (n: number) => (n / 2 ** 20).toFixed(1);
    t.diagnostic(`router heap after 20k overrides: ${mb(early.heapUsed)} MB, after 100k: ${mb(late.heapUsed)} MB; sizes ${JSON.stringify(late.sizes)}`);
    assert.ok(late.sizes.logical <= PATHS, `logical bindings: ${late.sizes.logical}`);
    assert.ok(late.sizes.dtabs <= PATHS, `parsed local dtabs: ${late.sizes.dtabs}`);
    assert.equal(late.sizes.concrete, 1);
    assert.equal(late.sizes.endpoints, 1);
    // 80,000 more distinct overrides may not leave more than a few MB behind (a leak of even
    // 100 bytes per override would be 8 MB).
    assert.ok(late.heapUsed - early.heapUsed < 8 * 2 ** 20, `router heap grew by ${mb(late.heapUsed - early.heapUsed)} MB over 80,000 overrides`);
  });

  it('alternating overrides, and the same text as l5d-ctx-dtab or split over two fields, each route by their own dtab', async () => {
    const toV2 = '/svc/world => /srv/world-v2';
    const toV1 = '/svc/world => /srv/world-v1';
    const cases: [Record<string, string | string[]>, string][] = [
      [{ 'l5d-dtab': toV2 }, 'world-v2'],
      [{ 'l5d-dtab': toV1 }, 'world-v1'],
      [{ 'l5d-dtab': toV2 }, 'world-v2'],
      [{ 'l5d-dtab': toV2 }, 'world-v2'],
      [{}, 'world-v1'],
      [{ 'l5d-dtab': toV2 }, 'world-v2'],
      // ctx first, then the request's own entries: the last matching dentry wins.
      [{ 'l5d-ctx-dtab': toV2, 'l5d-dtab': toV1 }, 'world-v1'],
      [{ 'l5d-ctx-dtab': toV1, 'l5d-dtab': toV2 }, 'world-v2'],
      [{ 'l5d-ctx-dtab': toV2 }, 'world-v2'],
      [{ 'l5d-dtab': [toV1, toV2] }, 'world-v2'],
      [{ 'l5d-dtab': [toV2, toV1] }, 'world-v1'],
      [{ 'l5d-dtab': toV1 }, 'world-v1'],
    ];
    for (const [extra, want] of cases) {
      const r = await send(port, { headers: { host: 'world', ...extra } });
      assert.equal(r.body, want, JSON.stringify(extra));
    }
  });
});
