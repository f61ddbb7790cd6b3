/**
 * examples/configs/linker-to-linker.yaml for real: two Switchyards on one machine, standing for
 * two hosts by their loopback addresses (Linux routes all of 127.0.0.0/8 to loopback): host A
 * is 127.0.0.2, host B is 127.0.0.3. Apps send to their host's outgoing router, which sends to
 * the peer's incoming router (io.l5d.port), which delivers only to instances on its own host
 * (io.l5d.localhost).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/config/validate.js';
import { Linker } from '../../src/linker/linker.js';
import { toFlatJson } from '../../src/telemetry/json.js';
import { discoDir, quietLog, routerPort, send, startUpstream, type Upstream } from '../helpers/http.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HOST_A = '127.0.0.2';
const HOST_B = '127.0.0.3';

interface ExampleConfig {
  admin: { ip: string; port: number };
  namers: { kind: string; rootDir: string }[];
  routers: { label: string; servers: { ip: string; port: number }[]; interpreter: { transformers: { kind: string; port?: number }[] } }[];
}

/** The example, as one host runs it: its own address everywhere, the shared discovery directory. */
function configFor(ip: string, incomingPort: number, rootDir: string): string {
  const config = parse(readFileSync(join(root, 'examples', 'configs', 'linker-to-linker.yaml'), 'utf8')) as ExampleConfig;
  const router = (label: string) => config.routers.find((r) => r.label === label)!;
  const [outgoing, incoming] = [router('outgoing'), router('incoming')];
  assert.deepEqual(outgoing.interpreter.transformers, [{ kind: 'io.l5d.port', port: 4141 }]);
  assert.deepEqual(incoming.interpreter.transformers, [{ kind: 'io.l5d.localhost' }]);
  assert.equal(incoming.servers[0]!.port, 4141, 'the outgoing router sends to the incoming router port');
  config.admin = { ip, port: 0 };
  config.namers[0]!.rootDir = rootDir;
  outgoing.servers = [{ ip, port: 0 }];
  outgoing.interpreter.transformers[0]!.port = incomingPort;
  incoming.servers = [{ ip, port: incomingPort }];
  return stringify(config);
}

/** A port free on both hosts' addresses: io.l5d.port sends to the same port on every host. */
async function portFreeOnBoth(): Promise<number> {
  const tryListen = (ip: string, port: number) => new Promise<number | undefined>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, ip, () => { const p = (s.address() as AddressInfo).port; s.close(() => resolve(p)); });
  });
  for (;;) {
    const port = (await tryListen(HOST_A, 0))!;
    if (await tryListen(HOST_B, port) !== undefined) return port;
  }
}

describe('linker-to-linker (examples/configs/linker-to-linker.yaml)', () => {
  const disco = discoDir({});
  let incomingPort = 0;
  let a: Linker, b: Linker;
  let worldA: Upstream, worldB: Upstream;
  const requests = (linker: Linker, ip: string) => toFlatJson(linker.metrics)[`rt/incoming/server/${ip}/${incomingPort}/requests`] ?? 0;

  before(async () => {
    incomingPort = await portFreeOnBoth();
    worldA = await startUpstream(`world (${HOST_A})`, undefined, HOST_A);
    worldB = await startUpstream(`world (${HOST_B})`, undefined, HOST_B);
    // Discovery, shared by both hosts: `world` runs on host B only, `everywhere` on both.
    disco.write('world', `${HOST_B} ${worldB.port}\n`);
    disco.write('everywhere', `${HOST_A} ${worldA.port}\n${HOST_B} ${worldB.port}\n`);
    a = await Linker.start(loadConfig(configFor(HOST_A, incomingPort, disco.dir), 'host-a.yaml'), { log: quietLog });
    b = await Linker.start(loadConfig(configFor(HOST_B, incomingPort, disco.dir), 'host-b.yaml'), { log: quietLog });
  });
  after(async () => {
    await Promise.all([a?.close(0), b?.close(0), worldA?.close(), worldB?.close()]);
    disco.remove();
  });

  test("A's outgoing router reaches world on host B through B's incoming router", async () => {
    const reply = await send(routerPort(a, 'outgoing'), { host: HOST_A, headers: { host: 'world' } });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(reply.body, `world (${HOST_B})`);
    const seen = worldB.seen.at(-1)!;
    assert.equal(seen.headers.via, '1.1 switchyard, 1.1 switchyard', 'two hops: an outgoing and an incoming router');
    assert.equal(seen.headers['l5d-dst-client'], '/%/io.l5d.localhost/#/io.l5d.fs/world', 'delivered by an incoming router');
    assert.equal(requests(b, HOST_B), 1, "B's incoming router carried it");
    assert.equal(requests(a, HOST_A), 0, "A's incoming router did not");
  });

  test('an incoming router delivers only to instances on its own host', async () => {
    const before = { a: worldA.seen.length, b: worldB.seen.length };
    const answers = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const reply = await send(incomingPort, { host: HOST_B, headers: { host: 'everywhere' } });
      assert.equal(reply.status, 200, reply.body);
      answers.add(reply.body);
    }
    assert.deepEqual([...answers], [`world (${HOST_B})`]);
    assert.equal(worldA.seen.length, before.a, 'world on host A was not called by host B');
    assert.equal(worldB.seen.length, before.b + 8);
  });
});
