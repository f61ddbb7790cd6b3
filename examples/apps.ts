/**
 * The demo services of the staging walkthrough, as functions (tests start them in-process;
 * hello.ts and world.ts are their command-line entry points).
 */
import { createServer, request, type Server } from 'node:http';

/** `world`: answers `<word> (<ip>)`. world-v1 says "world"; the staged world-v2 says "earth". */
export function createWorldServer(opts: { ip: string; word: string }): Server {
  return createServer((req, res) => {
    req.resume();
    const body = `${opts.word} (${opts.ip})`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
}

/**
 * `hello`: answers `Hello (<ip>) <world's answer>!!`. It calls `world` through the outgoing
 * router used as an HTTP proxy (absolute-form request, as apps with `http_proxy` do) and
 * forwards every `l5d-ctx-*` header it received: that carries a request's dtab override on to
 * the next hop.
 */
export function createHelloServer(opts: { ip: string; proxyHost: string; proxyPort: number; world: string }): Server {
  const reply = (res: import('node:http').ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  return createServer((req, res) => {
    req.resume();
    const ctx: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('l5d-ctx-') && v !== undefined) ctx[k] = v;
    const call = request({
      host: opts.proxyHost,
      port: opts.proxyPort,
      method: 'GET',
      path: `http://${opts.world}/`,
      headers: { ...ctx, host: opts.world },
    }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const answer = Buffer.concat(chunks).toString();
        if ((up.statusCode ?? 500) < 400) reply(res, 200, `Hello (${opts.ip}) ${answer}!!`);
        else reply(res, 502, `Hello (${opts.ip}) could not reach ${opts.world}: ${up.statusCode} ${answer}`);
      });
    });
    call.on('error', (e) => reply(res, 502, `Hello (${opts.ip}) could not reach ${opts.world}: ${e.message}`));
    call.end();
  });
}
