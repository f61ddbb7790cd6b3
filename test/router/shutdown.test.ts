/**
 * Graceful shutdown of a `switchyard run` process: on SIGTERM it stops accepting connections,
 * lets the request in flight finish, and exits 0.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { ServerResponse } from 'node:http';
import { eventually, send, startUpstream, type Reply, type Upstream } from '../helpers/http.js';
import { spawnSwitchyard, type SwitchyardProcess } from '../helpers/process.js';

/** Resolves with the connect error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve('connected'); });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('graceful shutdown on SIGTERM', () => {
  let slow: Upstream;
  const held: ServerResponse[] = [];
  let proc: SwitchyardProcess;
  let port = 0;

  before(async () => {
    slow = await startUpstream('slow', (req, res) => { req.resume(); held.push(res); });
    proc = await spawnSwitchyard(`
admin: {port: 0, shutdownGraceMs: 3000}
routers:
- protocol: http
  label: main
  dtab: /svc => /$/inet/127.0.0.1/${slow.port};
  servers: [{port: 0}]
`, ['main']);
    port = proc.ports.get('main')!;
  });

  after(async () => {
    await proc.stop();
    await slow.close();
  });

  it('finishes the request in flight, refuses new connections meanwhile, and exits 0', async () => {
    const inFlight: Promise<Reply> = send(port, { path: '/slow', headers: { host: 'slow' } });
    await eventually('the request to reach the upstream', () => held.length === 1);

    proc.child.kill('SIGTERM');
    await eventually('the drain to start', () => proc.log().includes('SIGTERM'));
    assert.equal(await eventually('new connections to be refused', async () => {
      const r = await tryConnect(port);
      return r === 'connected' ? undefined : r;
    }), 'ECONNREFUSED');
    assert.equal(proc.child.exitCode, null, 'the process waits for the request in flight');

    // The upstream answers (Linkerd's slow-request case: 500 ms later).
    await new Promise((r) => setTimeout(r, 500));
    held[0]!.writeHead(200, { 'content-type': 'text/plain' });
    held[0]!.end('slow done');
    const reply = await inFlight;
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'slow done');

    const { code, signal } = await proc.exited;
    assert.equal(signal, null);
    assert.equal(code, 0);
  });
});
