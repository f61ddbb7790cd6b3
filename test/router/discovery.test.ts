/**
 * io.l5d.fs edits while the router serves: adding an endpoint, removing one, and moving a
 * service to another port take effect promptly, and no request fails across the changes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Pool } from 'undici';
import type { Linker } from '../../src/linker/linker.js';
import { discoDir, eventually, routerPort, send, startLinker, startUpstream, type DiscoDir, type Upstream } from '../helpers/http.js';

/** Answers with its name after a short pause, so requests are in flight while files change. */
const slowly = (name: string) => (req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  setTimeout(() => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(name); }, 5);
};

describe('io.l5d.fs changes while serving', () => {
  let linker: Linker;
  let disco: DiscoDir;
  let a: Upstream, b: Upstream, c: Upstream;
  let client: Pool;
  /** Answers of the request loop, in order, and what went wrong. */
  const answers: string[] = [];
  const failures: string[] = [];
  let stop = false;
  let loops: Promise<void> = Promise.resolve();

  before(async () => {
    a = await startUpstream('a', slowly('a'), '127.0.0.1', { record: false });
    b = await startUpstream('b', slowly('b'), '127.0.0.1', { record: false });
    c = await startUpstream('c', slowly('c'), '127.0.0.1', { record: false });
    disco = discoDir({ web: [a.port] });
    linker = await startLinker(`
admin: {port: 0}
namers: [{kind: io.l5d.fs, rootDir: ${disco.dir}}]
routers:
- protocol: http
  label: r
  dtab: /svc => /#/io.l5d.fs;
  servers: [{port: 0}]
`);
    client = new Pool(`http://127.0.0.1:${routerPort(linker, 'r')}`, { connections: 4 });
    const loop = async () => {
      while (!stop) {
        try {
          const r = await client.request({ path: '/', method: 'GET', headers: { host: 'web' } });
          const body = await r.body.text();
          if (r.statusCode === 200) answers.push(body);
          else failures.push(`${r.statusCode} ${body}`);
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    };
    loops = Promise.all([loop(), loop(), loop(), loop()]).then(() => undefined);
    await eventually('web to be served by a', () => answers.includes('a'));
  });

  after(async () => {
    stop = true;
    await loops;
    await client.close();
    await linker.close(0);
    await Promise.all([a.close(), b.close(), c.close()]);
    disco.remove();
  });

  /** Answers given from now on, once `n` of them have arrived. */
  async function next(n: number): Promise<string[]> {
    const from = answers.length;
    await eventually(`${n} more answers`, () => answers.length >= from + n);
    return answers.slice(from, from + n);
  }

  it('adds an endpoint: traffic reaches it', async () => {
    disco.write('web', [a.port, b.port]);
    await eventually('b to get traffic', async () => (await next(10)).includes('b'));
    const mix = new Set(await next(100));
    assert.deepEqual([...mix].sort(), ['a', 'b']);
  });

  it('removes an endpoint: traffic stops reaching it', async () => {
    disco.write('web', [b.port]);
    await eventually('a to get no traffic', async () => (await next(20)).every((x) => x === 'b'));
    assert.deepEqual(new Set(await next(100)), new Set(['b']));
  });

  it('moves the service to another port', async () => {
    disco.write('web', [c.port]);
    await eventually('c to get all traffic', async () => (await next(20)).every((x) => x === 'c'));
    assert.deepEqual(new Set(await next(100)), new Set(['c']));
  });

  it('finishes a request in flight on an endpoint that is removed meanwhile', async () => {
    const held: ServerResponse[] = [];
    // Holds the first request it gets; answers any later one at once.
    const h = await startUpstream('held', (req, res) => {
      req.resume();
      if (held.length === 0) held.push(res);
      else res.end('held-late');
    }, '127.0.0.1', { record: false });
    try {
      const port = routerPort(linker, 'r');
      disco.write('other', [b.port]);
      await eventually('other to be served by b', async () => (await send(port, { headers: { host: 'other' } })).body === 'b');
      disco.write('other', [h.port]);
      // Requests go to b until the change is seen; the first one that reaches the held endpoint stays in flight.
      let inFlight: ReturnType<typeof send> | undefined;
      await eventually('a request to reach the held endpoint', async () => {
        const attempt = send(port, { headers: { host: 'other' } });
        let settled = false;
        void attempt.then(() => { settled = true; });
        await eventually('an answer or a held request', () => settled || held.length > 0);
        if (held.length > 0) inFlight = attempt;
        return held.length > 0;
      });
      disco.write('other', [b.port]);
      await eventually('other to move to b', async () => (await send(port, { headers: { host: 'other' } })).body === 'b');
      held[0]!.writeHead(200, { 'content-type': 'text/plain' });
      held[0]!.end('held');
      const reply = await inFlight!;
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'held');
    } finally {
      await h.close();
    }
  });

  it('failed no request across the changes', async () => {
    stop = true;
    await loops;
    assert.deepEqual(failures, []);
    assert.ok(answers.length > 300, `${answers.length} answers`);
  });
});
