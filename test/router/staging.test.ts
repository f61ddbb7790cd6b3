/**
 * The staging story end to end over real sockets:
 * client → ingress router → hello → outgoing router → world-v1 | world-v2,
 * where hello forwards l5d-ctx-* headers, so an override at the ingress reroutes the second hop.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHelloServer, createWorldServer } from '../../examples/apps.js';
import { closeServer, discoDir, listen, routerPort, send, startLinker } from '../helpers/http.js';
import type { Linker } from '../../src/linker/linker.js';
import type { Server } from 'node:http';

describe('staging through the real topology', () => {
  let linker: Linker;
  let disco: ReturnType<typeof discoDir>;
  const servers: Server[] = [];
  let ingress = 0;

  before(async () => {
    const v1 = createWorldServer({ ip: '127.0.0.1', word: 'world' });
    const v2 = createWorldServer({ ip: '127.0.0.1', word: 'earth' });
    servers.push(v1, v2);
    disco = discoDir({ 'world-v1': [await listen(v1)], 'world-v2': [await listen(v2)] });
    linker = await startLinker(`
admin: {port: 0}
namers: [{kind: io.l5d.fs, rootDir: ${disco.dir}}]
routers:
- protocol: http
  label: ingress
  dtab: |
    /srv => /#/io.l5d.fs;
    /domain/world/hello/www => /srv/hello;
    /host => /$/io.buoyant.http.domainToPathPfx/domain;
    /svc => /host;
  servers: [{port: 0}]
- protocol: http
  label: outgoing
  dtab: |
    /srv => /#/io.l5d.fs;
    /host => /srv;
    /host/world => /srv/world-v1;
    /svc => /host;
  servers: [{port: 0}]
`);
    const hello = createHelloServer({ ip: '127.0.0.1', proxyHost: '127.0.0.1', proxyPort: routerPort(linker, 'outgoing'), world: 'world' });
    servers.push(hello);
    disco.write('hello', [await listen(hello)]);
    ingress = routerPort(linker, 'ingress');
    // The fs namer notices the new file within a second: wait for hello to become routable.
    for (let i = 0; i < 100; i++) {
      const r = await send(ingress, { headers: { host: 'www.hello.world' } });
      if (r.status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  after(async () => {
    await linker.close(0);
    await Promise.all(servers.map(closeServer));
    disco.remove();
  });

  it('routes everyone to world-v1', async () => {
    const r = await send(ingress, { headers: { host: 'www.hello.world' } });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'Hello (127.0.0.1) world (127.0.0.1)!!');
  });

  it('sends one request to world-v2 with an l5d-dtab override at the ingress', async () => {
    const r = await send(ingress, { headers: { host: 'www.hello.world', 'l5d-dtab': '/host/world => /srv/world-v2;' } });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'Hello (127.0.0.1) earth (127.0.0.1)!!');
    // …and nobody else's traffic changed.
    const plain = await send(ingress, { headers: { host: 'www.hello.world' } });
    assert.equal(plain.body, 'Hello (127.0.0.1) world (127.0.0.1)!!');
  });

  it('splits traffic by a weighted-union override in the given proportion', async () => {
    let earth = 0;
    const n = 2000;
    const headers = { host: 'www.hello.world', 'l5d-dtab': '/host/world => 3 * /srv/world-v1 & 1 * /srv/world-v2' };
    for (let i = 0; i < n; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => send(ingress, { headers })));
      for (const r of batch) { assert.equal(r.status, 200); if (r.body.includes('earth')) earth++; }
    }
    const share = earth / n;
    assert.ok(Math.abs(share - 0.25) <= 0.05, `world-v2 share ${share} should be 0.25 ± 0.05`);
  });
});
