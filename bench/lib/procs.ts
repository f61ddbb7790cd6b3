/**
 * Processes the bench starts, and what /proc says about them.
 *
 * Every process starts in a session (and process group) of its own, so stopping it stops
 * everything it forked (nginx workers, node:cluster workers, wrk under `timeout`). Each group id is
 * written to a ledger file while it runs; `bench/run.sh` stops whatever the ledger still lists when
 * the suite exits, even if the suite itself was killed.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';

/** Clock ticks per second of the utime/stime fields in /proc. */
export const HZ = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** A started process group. */
export interface Group {
  readonly name: string;
  readonly pgid: number;
  readonly child: ChildProcess;
  /** Where its stdout and stderr go. */
  readonly log: string;
  /** Resolves with the exit code (or signal name) once the leader has exited and its output is read. */
  readonly exited: Promise<number | string>;
}

export interface StartOptions {
  /** taskset CPU list (`0`, `1`, `0,1`); undefined = not pinned. */
  readonly cpus?: string | undefined;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Captured stdout instead of the log file (load generators report on stdout). */
  readonly pipeStdout?: boolean;
}

export class Processes {
  private readonly live = new Map<number, Group>();

  /** @param ledger file listing the process-group ids that are running (one per line). */
  constructor(private readonly ledger: string) {
    writeFileSync(ledger, '');
  }

  /** Starts `argv` in its own process group, pinned to `opts.cpus` when given. */
  start(name: string, argv: readonly string[], log: string, opts: StartOptions = {}): Group {
    const full = opts.cpus === undefined ? [...argv] : ['taskset', '-c', opts.cpus, ...argv];
    const fd = openSync(log, 'a');
    const child = spawn(full[0]!, full.slice(1), {
      detached: true,
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', opts.pipeStdout ? 'pipe' : fd, fd],
    });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name}: ${full.join(' ')}`);
    const exited = new Promise<number | string>((resolve) => {
      child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
      child.once('error', (e) => resolve(e.message));
    });
    const group: Group = { name, pgid: child.pid, child, log, exited };
    this.live.set(group.pgid, group);
    this.writeLedger();
    return group;
  }

  /** Stops a group: SIGTERM to every member, SIGKILL to whatever is left after `graceMs`. */
  async stop(group: Group, graceMs = 3000): Promise<void> {
    signalGroup(group.pgid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(group.pgid) && Date.now() < deadline) await sleep(50);
    if (groupAlive(group.pgid)) signalGroup(group.pgid, 'SIGKILL');
    this.live.delete(group.pgid);
    this.writeLedger();
  }

  /** Stops every group still running, newest first (load generators before the servers they load). */
  async stopAll(): Promise<void> {
    const groups = [...this.live.values()].reverse();
    await Promise.all(groups.map((g) => this.stop(g)));
  }

  private writeLedger(): void {
    writeFileSync(this.ledger, [...this.live.keys()].map((p) => `${p}\n`).join(''));
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pgid, signal); } catch { /* already gone */ }
}

function groupAlive(pgid: number): boolean {
  return groupPids(pgid).length > 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The fields after the command name in /proc/<pid>/stat (index 0 = state), or undefined if gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Live (non-zombie) members of a process group. */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    const f = statFields(Number(e));
    // stat after the name: state(0) ppid(1) pgrp(2)
    if (f && Number(f[2]) === pgid && f[0] !== 'Z') out.push(Number(e));
  }
  return out;
}

/** CPU time (user + system, clock ticks) used so far by the members of a group. */
export function groupCpuTicks(pgid: number): number {
  let t = 0;
  for (const pid of groupPids(pgid)) {
    const f = statFields(pid);
    // utime(11) stime(12) counted from the state field
    if (f) t += Number(f[11]) + Number(f[12]);
  }
  return t;
}

/** Resident memory of a group (sum of the members' VmRSS), in bytes. */
export function groupRssBytes(pgid: number): number {
  let kb = 0;
  for (const pid of groupPids(pgid)) {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch { /* exited meanwhile */ }
  }
  return kb * 1024;
}

/** Busy time of the whole machine so far (user+nice+system+irq+softirq+steal over all CPUs, ticks). */
export function machineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  return v[0]! + v[1]! + v[2]! + v[5]! + v[6]! + v[7]!;
}

/** Moves every thread of every member of a group to the CPUs in `cpus` (taskset list syntax). */
export function setGroupAffinity(pgid: number, cpus: string): void {
  for (const pid of groupPids(pgid)) {
    try { execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' }); } catch { /* exited meanwhile */ }
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Waits until 127.0.0.1:port accepts connections; fails early if the group's leader exits first. */
export async function waitForPort(group: Group, port: number, timeoutMs = 20_000): Promise<void> {
  let exit: number | string | undefined;
  void group.exited.then((e) => { exit = e; });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`${group.name} exited (${exit}) before listening on ${port}; see ${group.log}`);
    if (await canConnect(port)) return;
    await sleep(100);
  }
  throw new Error(`${group.name} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms; see ${group.log}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
