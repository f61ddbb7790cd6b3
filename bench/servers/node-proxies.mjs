// The best off-the-shelf Node.js reverse proxies, configured to do Switchyard's job in the bench:
// route by Host to the upstream over keep-alive connections; unknown hosts get 404.
// Loaded from the scratch directory bench/setup.sh installs into (never the project's deps).
// Usage: node node-proxies.mjs --kind fastify|http-proxy --port P --upstream host:port
//        --hosts a.example,b.example [--deps DIR]
//   fastify     fastify + @fastify/http-proxy (one registration per Host, as a route constraint;
//               forwards through @fastify/reply-from and an undici pool)
//   http-proxy  node-http-proxy with a keep-alive http.Agent, Host looked up in a Map
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    kind: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    upstream: { type: 'string' },
    hosts: { type: 'string' },
    deps: { type: 'string', default: process.env.SWITCHYARD_BENCH_DEPS ?? '/tmp/switchyard-bench-deps' },
    connections: { type: 'string', default: '128' },
  },
});
const require = createRequire(path.join(o.deps, 'package.json'));
const port = Number(o.port);
const hosts = o.hosts.split(',');
const connections = Number(o.connections);
const ready = () => process.stdout.write(`${o.kind} on ${o.host}:${port} -> ${o.upstream} for ${hosts.join(' ')} pid=${process.pid}\n`);

if (o.kind === 'fastify') {
  const app = require('fastify')({ logger: false, keepAliveTimeout: 65_000 });
  const proxy = require('@fastify/http-proxy');
  for (const host of hosts) {
    app.register(proxy, {
      upstream: `http://${o.upstream}`,
      constraints: { host },
      undici: { connections, pipelining: 1, keepAliveTimeout: 60_000 },
    });
  }
  await app.listen({ port, host: o.host });
  ready();
} else if (o.kind === 'http-proxy') {
  const httpProxy = require('http-proxy');
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const proxy = httpProxy.createProxyServer({ agent, xfwd: false });
  proxy.on('error', (_e, _req, res) => {
    if (res && !res.headersSent && res.writeHead) { res.writeHead(502, { 'content-length': '0' }); res.end(); }
  });
  const targets = new Map(hosts.map((h) => [h, `http://${o.upstream}`]));
  const server = http.createServer((req, res) => {
    const target = targets.get(req.headers.host);
    if (!target) { res.writeHead(404, { 'content-length': '0' }); res.end(); return; }
    proxy.web(req, res, { target });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(port, o.host, ready);
} else {
  throw new Error(`node-proxies: unknown --kind ${o.kind} (fastify or http-proxy)`);
}
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
