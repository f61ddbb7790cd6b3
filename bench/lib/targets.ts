/**
 * Starting the targets: the upstream, the peers and Switchyard itself, each in its own process
 * group on 127.0.0.1, and checking that each one routes the bench's Host to the upstream.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { haproxyConfig, nginxConfig, switchyardConfig, type Upstream } from './configs.js';
import { freePort, waitForPort, type Group, type Processes } from './procs.js';
import { BENCH_HOST, REPEATED_OVERRIDE, ROUTED_HOSTS } from './routes.js';
import type { TargetName } from './scenarios.js';

/** A target under load: where to send requests and whose CPU and memory to count. */
export interface Target {
  readonly name: string;
  readonly port: number;
  /** The proxy's process group; undefined for direct (there is no proxy). */
  readonly group: Group | undefined;
}

export interface TargetEnv {
  readonly procs: Processes;
  readonly root: string;
  readonly benchDir: string;
  /** Generated configs and the discovery directory live here. */
  readonly runDir: string;
  readonly logDir: string;
  readonly upstream: Upstream;
  /** Scratch directory with the npm peers (bench/setup.sh). */
  readonly deps: string;
}

/**
 * Starts the upstream application on `cpus`. It gets a large young generation: with V8's default
 * it scavenges about 60 times a second at 14k req/s, and its pauses (up to 16 ms) set the p99 of
 * every target, direct included, instead of the proxy's own tail.
 */
export async function startUpstream(env: TargetEnv, cpus: string | undefined): Promise<Group> {
  const node = [process.execPath, '--min-semi-space-size=32', '--max-semi-space-size=64'];
  const g = env.procs.start('upstream', [...node, join(env.benchDir, 'servers', 'upstream.mjs'), '--port', String(env.upstream.port)],
    join(env.logDir, 'upstream.log'), { cpus });
  await waitForPort(g, env.upstream.port);
  return g;
}

/**
 * Starts one peer (everything but Switchyard, which startSwitchyard starts) on `cpus` and waits
 * until it routes a request.
 */
export async function startPeer(env: TargetEnv, name: Exclude<TargetName, 'switchyard'>, cpus: string | undefined): Promise<Target> {
  if (name === 'direct') return { name, port: env.upstream.port, group: undefined };
  const port = await freePort();
  const up = `${env.upstream.host}:${env.upstream.port}`;
  let argv: string[];
  if (name === 'nginx') {
    const file = join(env.runDir, 'nginx.conf');
    writeFileSync(file, nginxConfig({ port, upstream: env.upstream, runDir: env.runDir }));
    argv = ['nginx', '-e', join(env.logDir, 'nginx-error.log'), '-c', file];
  } else if (name === 'haproxy') {
    const file = join(env.runDir, 'haproxy.cfg');
    writeFileSync(file, haproxyConfig({ port, upstream: env.upstream }));
    argv = ['haproxy', '-db', '-f', file];
  } else if (name === 'node-pipe') {
    argv = [process.execPath, join(env.benchDir, 'servers', 'node-pipe.mjs'), '--port', String(port), '--upstream', up];
  } else {
    argv = [process.execPath, join(env.benchDir, 'servers', 'node-proxies.mjs'), '--kind', name, '--port', String(port),
      '--upstream', up, '--hosts', ROUTED_HOSTS.join(','), '--deps', env.deps];
  }
  const group = env.procs.start(name, argv, join(env.logDir, `${name}.log`), { cpus });
  await waitForPort(group, port);
  const target = { name, port, group };
  await checkRoutes(target, false);
  return target;
}

/** Expands a command template (`{config}`, `{workers}`) into an argv run by bash from the repo root. */
function templateArgv(template: string, values: Readonly<Record<string, string>>): string[] {
  const cmd = template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
  return ['bash', '-c', `exec ${cmd}`];
}

/**
 * Writes a Switchyard config (its own server and admin ports, the shared discovery directory)
 * and starts `command` with it on `cpus`. Returns the target and its admin port.
 */
export async function startSwitchyard(
  env: TargetEnv, name: string, command: string, discoveryDir: string, cpus: string | undefined, workers = 1,
): Promise<Target & { readonly adminPort: number; readonly config: string }> {
  const port = await freePort();
  const adminPort = await freePort();
  const config = join(env.runDir, `${name}.yaml`);
  writeFileSync(config, switchyardConfig({ port, adminPort, discoveryDir }));
  const group = env.procs.start(name, templateArgv(command, { config, workers: String(workers) }), join(env.logDir, `${name}.log`),
    { cpus, cwd: env.root });
  await waitForPort(group, port);
  const target = { name, port, group, adminPort, config };
  await checkRoutes(target, true);
  return target;
}

/** The `--workers` template when `switchyard run` has such an option; undefined otherwise. */
export function detectWorkersCommand(root: string): string | undefined {
  const help = execFileSync(process.execPath, ['dist/src/cli/main.js', 'run', '--help'], { cwd: root, encoding: 'utf8' });
  return /--workers\b/.test(help) ? 'node dist/src/cli/main.js run --workers {workers} {config}' : undefined;
}

/**
 * Sends the bench's request (and, for Switchyard, one with the repeated override) and insists on
 * the upstream's 200 and 12-byte body: a misrouted target must not be measured.
 */
async function checkRoutes(target: Target, withOverride: boolean): Promise<void> {
  const cases: Record<string, string>[] = [{ host: BENCH_HOST }];
  if (withOverride) cases.push({ host: BENCH_HOST, 'l5d-dtab': REPEATED_OVERRIDE });
  for (const headers of cases) {
    const { status, body } = await get(target.port, headers);
    if (status !== 200 || body !== 'hello world\n') {
      throw new Error(`${target.name} on port ${target.port} answered ${status} ${JSON.stringify(body.slice(0, 200))} `
        + `for ${JSON.stringify(headers)}; expected 200 "hello world\\n" from the upstream`);
    }
  }
}

export function get(port: number, headers: Record<string, string>, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => { body += s; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${port}${path} within 5 s`)));
    req.on('error', reject);
  });
}
