// The application behind every proxy: a keep-alive node:http server. `GET /` answers a 12-byte
// body; `GET /bytes/<n>` answers n bytes (response-body scenarios). Request bodies are drained.
// Plain JavaScript run by plain `node`, so its cost is the same for every target.
// Usage: node upstream.mjs --port P [--host 127.0.0.1]
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } },
});
const MAX_BODY = 1 << 20;
const bodies = new Map();

/** The response for a path, built once: the upstream's own cost must stay flat and small. */
function responseFor(url) {
  let r = bodies.get(url);
  if (r) return r;
  const m = /^\/bytes\/([0-9]{1,7})$/.exec(url);
  const size = m ? Number(m[1]) : url === '/' ? 12 : -1;
  if (size < 0 || size > MAX_BODY) return undefined;
  const text = size === 0 ? '' : ('hello world' + 'x'.repeat(size)).slice(0, size - 1) + '\n';
  const body = Buffer.from(text);
  r = { body, headers: { 'content-type': 'text/plain', 'content-length': String(size) } };
  bodies.set(url, r);
  return r;
}

const server = http.createServer((req, res) => {
  const r = responseFor(req.url);
  const reply = () => {
    if (!r) { res.writeHead(404, { 'content-length': '0' }); res.end(); return; }
    res.writeHead(200, r.headers);
    res.end(r.body);
  };
  if (req.method === 'GET' || req.method === 'HEAD') return reply();
  req.resume();
  req.on('end', reply);
});
// Longer than every proxy's idle pool timeout, so no proxy reuses a socket the upstream just closed.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.maxHeadersCount = 0;
server.listen(Number(o.port), o.host, () => {
  process.stdout.write(`upstream on ${o.host}:${o.port} pid=${process.pid}\n`);
});
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
