/**
 * The `world` demo service on its own:
 *   node dist/examples/world.js --port 7778 --word world     (world-v1)
 *   node dist/examples/world.js --port 7779 --word earth     (world-v2)
 * Flags or environment: --ip/IP, --port/PORT, --word/WORD.
 */
import { flag } from './args.js';
import { createWorldServer } from './apps.js';

const ip = flag('ip', process.env.IP ?? '127.0.0.1');
const port = Number(flag('port', process.env.PORT ?? '7778'));
const word = flag('word', process.env.WORD ?? 'world');
const server = createWorldServer({ ip, word });
server.listen(port, ip, () => console.log(`${word} listening on ${ip}:${port}`));
for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => server.close(() => process.exit(0)));
