/**
 * Endpoint churn while requests flow: a service is scaled up and down through the fake API
 * server (pods become ready, are marked terminating and then stop, move between slices) under
 * steady load, and no request fails that a healthy endpoint could have served.
 *
 * Pods are servers on their own loopback IPs (127.0.3.x) sharing one container port, as pods
 * of a Deployment do: the port comes from the EndpointSlice, the IP from each endpoint.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Linker } from '../../src/linker/linker.js';
import { closeServer, listen, routerPort, send, startLinker, type Reply } from '../helpers/http.js';
import { FakeApiServer } from './fake-apiserver.js';
import { eventually } from './harness.js';
import { endpointSlice } from './objects.js';

interface Pod { ip: string; server: Server; served: number; stopped: boolean }

describe('endpoint churn under load', () => {
  let fake: FakeApiServer;
  let linker: Linker;
  let routerAt = 0;
  let containerPort = 0;
  const pods: Pod[] = [];

  async function startPod(ip: string): Promise<Pod> {
    const pod: Pod = { ip, server: createServer(), served: 0, stopped: false };
    pod.server.on('request', (req, res) => {
      req.resume();
      pod.served++;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`world (${ip})`);
    });
    if (containerPort === 0) containerPort = await listen(pod.server, ip);
    else await new Promise<void>((resolve) => pod.server.listen(containerPort, ip, resolve));
    pods.push(pod);
    return pod;
  }

  /** Terminates a pod as the kubelet does once it is out of the endpoints: finish in-flight work, then exit. */
  async function stopPod(pod: Pod): Promise<void> {
    pod.stopped = true;
    const closed = new Promise<void>((resolve) => pod.server.close(() => resolve()));
    pod.server.closeIdleConnections();
    await closed;
  }

  function slice(name: string, ready: Pod[], terminating: Pod[] = []) {
    return endpointSlice(name, 'world', {
      ports: [{ name: 'http', port: containerPort }],
      endpoints: [...ready.map((p) => ({ ip: p.ip })), ...terminating.map((p) => ({ ip: p.ip, ready: false, terminating: true }))],
    });
  }

  /** The IPs the router balances over for the world service now. */
  function routed(): string[] {
    const client = linker.router('outgoing')!.router.clients().find((c) => c.id === '/#/io.l5d.k8s/default/http/world');
    return (client?.nodes ?? []).map((n) => n.key.slice(0, n.key.lastIndexOf(':'))).sort();
  }
  const routedIs = (pods: Pod[]) => eventually(() => JSON.stringify(routed()) === JSON.stringify(pods.map((p) => p.ip).sort()), `routing to ${pods.map((p) => p.ip).join(', ')}`);

  before(async () => {
    fake = await FakeApiServer.start();
    linker = await startLinker(`
admin: {port: 0}
namers:
- kind: io.l5d.k8s
  host: 127.0.0.1
  port: ${fake.port}
routers:
- protocol: http
  label: outgoing
  dtab: /svc => /#/io.l5d.k8s/default/http;
  servers: [{port: 0}]
`);
    routerAt = routerPort(linker, 'outgoing');
  });
  after(async () => {
    await linker.close(0);
    await Promise.all(pods.filter((p) => !p.stopped).map((p) => closeServer(p.server)));
    await fake.close();
  });

  test('scale up, scale down, move across slices: every request succeeds', async () => {
    const [a, b] = [await startPod('127.0.3.1'), await startPod('127.0.3.2')];
    fake.apply('endpointslices', slice('world-abc', [a!, b!]));

    // Steady load: four clients, each sending one request after another.
    const failures: Reply[] = [];
    let sent = 0;
    let running = true;
    const client = async () => {
      while (running) {
        const r = await send(routerAt, { headers: { host: 'world' } });
        sent++;
        if (r.status !== 200) failures.push(r);
      }
    };
    const load = [client(), client(), client(), client()];
    const progress = (n: number) => { const target = sent + n; return eventually(() => sent >= target, `${n} more requests`); };
    try {
      await routedIs([a!, b!]);
      await progress(20);

      // Scale up: three pods start, become ready, and get traffic.
      const [c, d, e] = [await startPod('127.0.3.3'), await startPod('127.0.3.4'), await startPod('127.0.3.5')];
      fake.apply('endpointslices', slice('world-abc', [a!, b!, c!, d!, e!]));
      await routedIs([a!, b!, c!, d!, e!]);
      await eventually(() => [c!, d!, e!].every((p) => p.served > 0), 'the new pods to serve');

      // Scale down: three pods are marked terminating, leave the set, and then exit.
      fake.apply('endpointslices', slice('world-abc', [a!, b!], [c!, d!, e!]));
      await routedIs([a!, b!]);
      await Promise.all([c!, d!, e!].map(stopPod));
      await progress(40);

      // A rollout across slices: a new pod in a new slice, then the old slice goes away.
      const f = await startPod('127.0.3.6');
      fake.apply('endpointslices', slice('world-def', [b!, f]));
      await routedIs([a!, b!, f]);
      fake.remove('endpointslices', 'default', 'world-abc');
      await routedIs([b!, f]);
      await stopPod(a!);
      await progress(40);
    } finally {
      running = false;
      await Promise.all(load);
    }
    assert.deepEqual(failures.map((r) => `${r.status} ${r.body}`), []);
    assert.ok(sent >= 100);
  });
});
