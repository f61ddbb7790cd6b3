/**
 * The `hello` demo service on its own:
 *   node dist/examples/hello.js --port 7777 --proxy 127.0.0.1:4140 --world world
 * Flags or environment: --ip/IP, --port/PORT, --proxy/http_proxy, --world/WORLD.
 */
import { flag } from './args.js';
import { createHelloServer } from './apps.js';

const ip = flag('ip', process.env.IP ?? '127.0.0.1');
const port = Number(flag('port', process.env.PORT ?? '7777'));
const proxyFlag = flag('proxy', process.env.http_proxy ?? '127.0.0.1:4140');
const proxy = new URL(/^[a-z]+:\/\//i.test(proxyFlag) ? proxyFlag : `http://${proxyFlag}`);
const world = flag('world', process.env.WORLD ?? 'world');
const server = createHelloServer({ ip, proxyHost: proxy.hostname, proxyPort: Number(proxy.port || 80), world });
server.listen(port, ip, () => console.log(`hello listening on ${ip}:${port}, calling ${world} via proxy ${proxy.host}`));
for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => server.close(() => process.exit(0)));
