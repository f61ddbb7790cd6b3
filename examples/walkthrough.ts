/**
 * `npm start`: the staging walkthrough. Starts world-v1, world-v2 and hello as separate
 * programs, writes their io.l5d.fs discovery files, starts Switchyard with the reference ingress
 * and outgoing routers, and prints the two curls to paste. Ctrl-C stops everything.
 *
 * Ports: --ingress-port 4142 --outgoing-port 4140 --admin-port 9990 --hello-port 7777
 *        --world-v1-port 7778 --world-v2-port 7779 (or SWITCHYARD_<NAME>_PORT in the environment).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { flag } from './args.js';

const here = dirname(fileURLToPath(import.meta.url));
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
/** The reference config lives beside the sources; in dist/ we look back at the checkout. */
const configTemplate = [join(here, 'configs', 'ingress-outgoing.yaml'), join(here, '..', '..', 'examples', 'configs', 'ingress-outgoing.yaml')]
  .find((p) => { try { readFileSync(p); return true; } catch { return false; } })!;

const ports = {
  ingress: portFlag('ingress-port', 4142),
  outgoing: portFlag('outgoing-port', 4140),
  admin: portFlag('admin-port', 9990),
  hello: portFlag('hello-port', 7777),
  'world-v1': portFlag('world-v1-port', 7778),
  'world-v2': portFlag('world-v2-port', 7779),
};

function portFlag(name: string, def: number): number {
  const env = process.env[`SWITCHYARD_${name.toUpperCase().replace(/-/g, '_')}`];
  const v = Number(flag(name, env ?? String(def)));
  if (!Number.isInteger(v) || v < 1 || v > 65535) fail(`--${name} must be a port number (1-65535), got "${flag(name, env ?? '')}"`);
  return v;
}

function fail(msg: string): never {
  process.stderr.write(`walkthrough: ${msg}\n`);
  process.exit(1);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function waitForPort(port: number, child: ChildProcess, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`${what} exited with code ${child.exitCode}`));
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(); });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`${what} did not start listening on port ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

const children: { name: string; child: ChildProcess }[] = [];
function start(name: string, script: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const node = ext === '.ts' ? ['--import', 'tsx', script] : [script];
  const child = spawn(process.execPath, [...node, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const prefix = `[${name}] `;
  const relay = (chunk: Buffer) => {
    if (process.env.SWITCHYARD_QUIET) return;
    for (const line of chunk.toString().split('\n')) if (line) process.stderr.write(prefix + line + '\n');
  };
  child.stdout!.on('data', relay);
  child.stderr!.on('data', relay);
  children.push({ name, child });
  return child;
}

/**
 * Stops every process (SIGTERM, SIGKILL after 5 s) and exits once all have exited. A signal that
 * arrives meanwhile (Ctrl-C pressed twice, or a supervisor's SIGTERM on top of the terminal's
 * SIGINT) waits for the same end: the walkthrough never exits leaving a service running.
 */
let stopping: Promise<never> | undefined;
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    await Promise.all(children.map(({ child }) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    })));
    rmSync(work, { recursive: true, force: true });
    return process.exit(code);
  })();
  return stopping;
}

const names: Record<keyof typeof ports, string> = {
  ingress: 'ingress router', outgoing: 'outgoing router', admin: 'admin server',
  hello: 'hello service', 'world-v1': 'world-v1 service', 'world-v2': 'world-v2 service',
};
for (const [key, port] of Object.entries(ports) as [keyof typeof ports, number][]) {
  if (!(await portFree(port))) fail(`port ${port} (${names[key]}) is already in use; pick another with --${key}-port`);
}

// Discovery files and the config, in a scratch directory.
const work = mkdtempSync(join(tmpdir(), 'switchyard-walkthrough-'));
mkdirSync(join(work, 'disco'));
for (const svc of ['hello', 'world-v1', 'world-v2'] as const) writeFileSync(join(work, 'disco', svc), `127.0.0.1 ${ports[svc]}\n`);
const config = parse(readFileSync(configTemplate, 'utf8'));
config.admin.port = ports.admin;
config.namers[0].rootDir = join(work, 'disco');
config.routers[0].servers[0].port = ports.ingress;
config.routers[1].servers[0].port = ports.outgoing;
writeFileSync(join(work, 'switchyard.yaml'), stringify(config));

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  const world1 = start('world-v1', join(here, `world${ext}`), ['--port', String(ports['world-v1']), '--word', 'world']);
  const world2 = start('world-v2', join(here, `world${ext}`), ['--port', String(ports['world-v2']), '--word', 'earth']);
  const hello = start('hello', join(here, `hello${ext}`), ['--port', String(ports.hello), '--proxy', `127.0.0.1:${ports.outgoing}`, '--world', 'world']);
  const router = start('switchyard', join(here, '..', 'src', 'cli', `main${ext}`), ['run', join(work, 'switchyard.yaml')]);
  await Promise.all([
    waitForPort(ports['world-v1'], world1, 'world-v1'),
    waitForPort(ports['world-v2'], world2, 'world-v2'),
    waitForPort(ports.hello, hello, 'hello'),
    waitForPort(ports.ingress, router, 'switchyard'),
    waitForPort(ports.outgoing, router, 'switchyard'),
  ]);
  for (const { name, child } of children) {
    child.once('exit', (code) => { if (!stopping) { process.stderr.write(`walkthrough: ${name} exited (${code}); stopping\n`); void stopAll(1); } });
  }
} catch (e) {
  process.stderr.write(`walkthrough: ${(e as Error).message}\n`);
  await stopAll(1);
}

const host = ports.ingress === 4142 ? 'localhost:4142' : `localhost:${ports.ingress}`;
process.stdout.write(`
Switchyard is routing. Everyone's traffic goes to world-v1:

  curl -H "Host: www.hello.world" ${host}
  → Hello (127.0.0.1) world (127.0.0.1)!!

One request, staged onto world-v2 through the real topology:

  curl -H "Host: www.hello.world" -H "l5d-dtab: /host/world => /srv/world-v2;" ${host}
  → Hello (127.0.0.1) earth (127.0.0.1)!!

Dtab playground: http://localhost:${ports.admin}/delegator
Dashboard:       http://localhost:${ports.admin}/
Discovery files: ${join(work, 'disco')} (edit them; changes apply within a second)

Ctrl-C stops everything.
`);
