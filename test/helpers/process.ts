/**
 * Switchyard as its own process (`switchyard run <config>`), for what only a process shows:
 * memory use, signals, exit codes.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildOp, Measurement } from './linker-child.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SwitchyardProcess {
  child: ChildProcess;
  pid: number;
  /** Listening port of each router's first server, by label, as logged at start-up. */
  ports: Map<string, number>;
  adminPort: number;
  /** Everything written to stderr so far. */
  log(): string;
  /** Resolves with the exit code (or the signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Peak resident set size (VmHWM), in kB. */
  peakRssKB(): number;
  /** Kills the process if it is still running and removes the config directory. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /**
   * Run one plain-JavaScript bundle of the CLI (built now from src/ with esbuild) instead of the
   * sources through tsx. tsx compiles on a loader thread with its own V8 heap, which adds about
   * 30 MB of resident memory that the shipped program does not have: memory measurements use this.
   */
  bundled?: boolean;
  startTimeoutMs?: number;
}

/**
 * Writes `yaml` to a temp directory, runs `src/cli/main.ts run` on it, and resolves once every
 * router in `labels` has logged its listening address.
 */
export async function spawnSwitchyard(yaml: string, labels: readonly string[], opts: SpawnOptions = {}): Promise<SwitchyardProcess> {
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-run-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, yaml);
  const entry = join(root, 'src', 'cli', 'main.ts');
  let argv = ['--import', 'tsx', entry, 'run', config];
  if (opts.bundled) {
    const outfile = join(dir, 'switchyard.mjs');
    await build({
      entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error',
      // Bundled CommonJS dependencies still call require().
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    argv = [outfile, 'run', config];
  }
  const child = spawn(process.execPath, argv, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, SWITCHYARD_LOG: 'info' },
  });
  let stderr = '';
  const ports = new Map<string, number>();
  let adminPort = 0;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`switchyard did not start within ${startTimeoutMs} ms:\n${stderr}`)), startTimeoutMs);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      stderr += text;
      for (const m of text.matchAll(/router (\S+) listening on [^\s:]+:(\d+)/g)) if (!ports.has(m[1]!)) ports.set(m[1]!, Number(m[2]));
      const admin = /admin server on http:\/\/[^:]+:(\d+)\//.exec(text);
      if (admin) adminPort = Number(admin[1]);
      if (labels.every((l) => ports.has(l))) { clearTimeout(timer); resolve(); }
    });
    void exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`switchyard exited (${code ?? signal}) before listening:\n${stderr}`)); });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await started;
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    child,
    pid: child.pid!,
    ports,
    adminPort,
    log: () => stderr,
    exited,
    peakRssKB: () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]),
    stop,
  };
}

export interface ForkedLinker {
  pid: number;
  /** Listening port of each router's first server, by label. */
  ports: Record<string, number>;
  /** Heap after a full collection, cache sizes and upstream connections of router `label`. */
  measure(label: string): Promise<Measurement>;
  close(): Promise<void>;
}

/** Starts a Linker from `yaml` in a child process with --expose-gc (linker-child.ts). */
export async function forkLinker(yaml: string): Promise<ForkedLinker> {
  const child = fork(join(root, 'test', 'helpers', 'linker-child.ts'), [], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const replies = new Map<number, (m: Measurement) => void>();
  let nextId = 0;
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    child.once('message', (m: { ports: Record<string, number> }) => resolve(m.ports));
    child.once('exit', (code) => reject(new Error(`linker child exited (${code}) before listening`)));
    child.send({ config: yaml });
  });
  child.on('message', (m: { id?: number } & Measurement) => {
    if (m.id === undefined) return;
    replies.get(m.id)?.(m);
    replies.delete(m.id);
  });
  const call = (op: ChildOp) => new Promise<Measurement>((resolve) => {
    const id = nextId++;
    replies.set(id, resolve);
    child.send({ ...op, id });
  });
  return {
    pid: child.pid!,
    ports,
    measure: (label) => call({ op: 'measure', label }),
    close: async () => {
      if (child.exitCode === null && child.connected) await call({ op: 'close' });
      await exited;
    },
  };
}
