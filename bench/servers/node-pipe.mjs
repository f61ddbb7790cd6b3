// The floor under any Node.js proxy: each client connection gets its own upstream connection and
// bytes are copied both ways, with no HTTP parsing, no routing and no pooling. It cannot route by
// Host, so it is a reference point, not a peer: what node's sockets and event loop alone cost per
// request on this machine, next to what Switchyard's HTTP engine and router add to that.
// Usage: node node-pipe.mjs --port P --upstream host:port [--host 127.0.0.1]
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, upstream: { type: 'string' } },
});
const colon = o.upstream.lastIndexOf(':');
const upHost = o.upstream.slice(0, colon);
const upPort = Number(o.upstream.slice(colon + 1));

const server = net.createServer({ noDelay: true }, (client) => {
  const up = net.connect({ host: upHost, port: upPort, noDelay: true });
  client.pipe(up);
  up.pipe(client);
  // Either side closing ends the pair; errors surface as the close that follows them.
  client.on('error', () => up.destroy());
  up.on('error', () => client.destroy());
  client.on('close', () => up.destroy());
  up.on('close', () => client.destroy());
});
server.listen(Number(o.port), o.host, () => process.stdout.write(`node-pipe on ${o.host}:${o.port} -> ${o.upstream} pid=${process.pid}\n`));
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
