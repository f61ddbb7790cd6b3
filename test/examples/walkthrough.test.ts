/**
 * `npm start` as a user runs it: the walkthrough entry point with every port chosen free, both
 * curls of the README, then Ctrl-C (SIGINT) and nothing left behind.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = import.meta.resolve('tsx');
const SERVICES = ['ingress', 'outgoing', 'admin', 'hello', 'world-v1', 'world-v2'] as const;

/** Distinct free ports: each found by listening on port 0, all held until every one is known. */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    servers.push(s);
  }
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A free port for each service of the walkthrough. */
async function servicePorts(): Promise<Record<(typeof SERVICES)[number], number>> {
  const [ingress, outgoing, admin, hello, v1, v2] = await freePorts(SERVICES.length);
  return { ingress: ingress!, outgoing: outgoing!, admin: admin!, hello: hello!, 'world-v1': v1!, 'world-v2': v2! };
}

function startWalkthrough(ports: Record<(typeof SERVICES)[number], number>): { child: ChildProcess; stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  const args = SERVICES.flatMap((name) => [`--${name}-port`, String(ports[name])]);
  const child = spawn(process.execPath, ['--import', tsx, join(root, 'examples', 'walkthrough.ts'), ...args], {
    cwd: root,
    // Its own process group, as a terminal gives a foreground job: Ctrl-C signals the whole group.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SWITCHYARD_QUIET: '1' },
  });
  let stdout = '', stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves once the walkthrough says it is routing; rejects if it exits first. */
function routing(w: ReturnType<typeof startWalkthrough>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    w.child.stdout!.on('data', () => { if (w.stdout().includes('Switchyard is routing')) resolve(); });
    void w.exited.then((code) => reject(new Error(`walkthrough exited (${code}) before routing:\n${w.stderr()}`)));
  });
}

/** The curl of the README: a GET to the ingress router with the given headers. */
function curl(port: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => { body += s; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Processes whose parent is `pid`, with their command lines (Linux /proc). */
function childrenOf(pid: number): { pid: number; cmdline: string }[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      // The command name, in parentheses, may contain spaces: the parent pid is the 2nd field after it.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) return [];
      return [{ pid: Number(d), cmdline: readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ') }];
    } catch {
      return [];
    }
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the walkthrough (npm start)', () => {
  test('both curls answer world then earth; Ctrl-C (SIGINT to the process group) stops every process and frees every port', async () => {
    const ports = await servicePorts();
    const w = startWalkthrough(ports);
    try {
      await routing(w);
      assert.match(w.stdout(), new RegExp(`curl -H "Host: www\\.hello\\.world" localhost:${ports.ingress}\\n`));
      assert.match(w.stdout(), new RegExp(`http://localhost:${ports.admin}/delegator`));
      const children = childrenOf(w.child.pid!);
      const programs = children.map((c) => /(world|hello|main)\.ts( |$)/.exec(c.cmdline)?.[1]).filter((p) => p !== undefined).sort();
      assert.deepEqual(programs, ['hello', 'main', 'world', 'world'], 'world-v1, world-v2, hello and switchyard run');

      const everyone = await curl(ports.ingress, { host: 'www.hello.world' });
      assert.deepEqual(everyone, { status: 200, body: 'Hello (127.0.0.1) world (127.0.0.1)!!' });
      const staged = await curl(ports.ingress, { host: 'www.hello.world', 'l5d-dtab': '/host/world => /srv/world-v2;' });
      assert.deepEqual(staged, { status: 200, body: 'Hello (127.0.0.1) earth (127.0.0.1)!!' });
      // The override applied to that request only.
      assert.equal((await curl(ports.ingress, { host: 'www.hello.world' })).body, 'Hello (127.0.0.1) world (127.0.0.1)!!');

      process.kill(-w.child.pid!, 'SIGINT');
      assert.equal(await w.exited, 0, w.stderr());
      for (const c of children) assert.equal(alive(c.pid), false, `${c.cmdline} (pid ${c.pid}) is still running`);
      for (const [name, port] of Object.entries(ports)) assert.equal(await listening(port), false, `${name} port ${port} is still listening`);
    } finally {
      try { process.kill(-w.child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }
  });

  test('more signals after Ctrl-C (pressed twice, or a supervisor\'s SIGTERM) still stop every process before the walkthrough exits', async () => {
    const ports = await servicePorts();
    const w = startWalkthrough(ports);
    try {
      await routing(w);
      const children = childrenOf(w.child.pid!);
      // Keep-alive connections through the routers, which the services wait for when they close.
      assert.equal((await curl(ports.ingress, { host: 'www.hello.world' })).status, 200);

      process.kill(-w.child.pid!, 'SIGINT');
      process.kill(w.child.pid!, 'SIGTERM');
      process.kill(w.child.pid!, 'SIGINT');
      assert.equal(await w.exited, 0, w.stderr());
      for (const c of children) assert.equal(alive(c.pid), false, `${c.cmdline} (pid ${c.pid}) is still running`);
    } finally {
      try { process.kill(-w.child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }
  });

  test('a port already taken is reported by name and number; nothing is started, exit 1', async () => {
    const ports = await servicePorts();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(ports.hello, '127.0.0.1', resolve));
    try {
      const w = startWalkthrough(ports);
      assert.equal(await w.exited, 1);
      assert.equal(w.stderr(), `walkthrough: port ${ports.hello} (hello service) is already in use; pick another with --hello-port\n`);
      assert.equal(w.stdout(), '');
      for (const name of SERVICES.filter((s) => s !== 'hello')) assert.equal(await listening(ports[name]), false, `${name} was started`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
