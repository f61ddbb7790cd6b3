/**
 * Load generators, each run as a separate process pinned to the load CPU and bounded in time:
 * wrk (closed loop) and the bench's own constant-rate and idle-connection clients. Every one of
 * them prints the same `RESULT key=value …` line, parsed here.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Processes } from './procs.js';

/** One load run as its generator reported it; latencies in microseconds. */
export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  readonly maxUs: number;
  /** Failed requests: connection errors, read/write errors, non-2xx/3xx answers. */
  readonly errors: number;
  /** Requests without an answer in time (wrk: 5 s; rate client: still pending 2 s after the end). */
  readonly timeouts: number;
  /** Every other key the generator printed (e.g. `offered_rps`), as numbers. */
  readonly extra: Readonly<Record<string, number>>;
  /** CPU ticks the generator used. */
  readonly loadTicks: number;
}

export interface LoadContext {
  readonly procs: Processes;
  readonly benchDir: string;
  readonly root: string;
  /** Where each run's full output is kept. */
  readonly logDir: string;
  /** taskset CPU list for load generators; undefined = not pinned. */
  readonly cpus: string | undefined;
}

/** Parses `RESULT k=v …`; undefined when the output has no such line. */
export function parseResult(output: string, loadTicks: number): LoadResult | undefined {
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) return undefined;
  const kv: Record<string, number> = {};
  for (const pair of line.slice(7).trim().split(/\s+/)) {
    const i = pair.indexOf('=');
    kv[pair.slice(0, i)] = Number(pair.slice(i + 1));
  }
  const take = (k: string, absent = NaN): number => { const v = kv[k] ?? absent; delete kv[k]; return v; };
  const errors = ['err_connect', 'err_read', 'err_write', 'err_status'].reduce((s, k) => s + take(k, 0), 0);
  const timeouts = take('err_timeout', 0);
  return {
    requests: take('requests'), rps: take('rps'),
    p50Us: take('p50_us'), p90Us: take('p90_us'), p99Us: take('p99_us'), p999Us: take('p999_us'), maxUs: take('max_us'),
    errors, timeouts, extra: kv, loadTicks,
  };
}

/**
 * Runs a load generator to completion under `timeout` and returns its stdout and CPU ticks.
 * A bash leader waits for it, so the leader's cutime+cstime is exactly the generator's CPU.
 */
export async function runLoadProcess(
  ctx: LoadContext, name: string, argv: readonly string[], limitS: number,
  env: Readonly<Record<string, string>> = {}, onLine?: (line: string) => void,
): Promise<{ output: string; loadTicks: number }> {
  const pin = ctx.cpus === undefined ? '' : `taskset -c ${ctx.cpus} `;
  const script = `${pin}timeout -k 5 ${Math.ceil(limitS)} "$@"; rc=$?; `
    + `awk '{ sub(/.*\\) /, ""); print "LOADTICKS", $14 + $15 }' /proc/$$/stat; exit $rc`;
  const group = ctx.procs.start(name, ['bash', '-c', script, 'load', ...argv], join(ctx.logDir, `${name}.log`),
    { env, cwd: ctx.root, pipeStdout: true });
  let output = '';
  let partial = '';
  group.child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    output += s;
    if (!onLine) return;
    partial += s;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) onLine(l);
  });
  await group.exited;
  await ctx.procs.stop(group, 0);
  appendFileSync(group.log, output);
  const ticks = /^LOADTICKS (\d+)/m.exec(output);
  return { output, loadTicks: ticks ? Number(ticks[1]) : 0 };
}

export interface WrkRun {
  readonly port: number;
  readonly path: string;
  readonly connections: number;
  readonly seconds: number;
  /** `Name: value` request headers (Host included). */
  readonly headers: readonly string[];
  /** l5d-dtab template with `{n}` for a per-request counter: every request carries a new override. */
  readonly freshDtab?: string | undefined;
}

/** One closed-loop wrk run (`-t1`); the full output is returned for the run log. */
export async function runWrk(ctx: LoadContext, name: string, run: WrkRun): Promise<{ result: LoadResult | undefined; output: string }> {
  const argv = ['wrk', '-t1', `-c${run.connections}`, `-d${run.seconds}s`, '--timeout', '5s', '--latency',
    ...run.headers.flatMap((h) => ['-H', h]), '-s', join(ctx.benchDir, 'wrk', 'bench.lua'),
    `http://127.0.0.1:${run.port}${run.path}`];
  const env: Record<string, string> = run.freshDtab ? { BENCH_FRESH_DTAB: run.freshDtab } : {};
  const { output, loadTicks } = await runLoadProcess(ctx, name, argv, run.seconds + 15, env);
  return { result: parseResult(output, loadTicks), output };
}

export interface RateRun {
  readonly port: number;
  readonly path: string;
  readonly rate: number;
  readonly seconds: number;
  readonly connections: number;
  readonly headers: readonly string[];
  /** Print an `INTERVAL` line every this many seconds (0 = none). */
  readonly reportEveryS: number;
}

/** One open-loop constant-rate run with the bench's rate client (load/rate-client.ts). */
export async function runRate(
  ctx: LoadContext, name: string, run: RateRun, onLine?: (line: string) => void,
): Promise<{ result: LoadResult | undefined; output: string }> {
  // A large young generation: the client's pacing loop allocates, and frequent scavenges would
  // stall it inside the latencies it measures.
  const argv = [process.execPath, '--min-semi-space-size=32', '--max-semi-space-size=64', '--import', 'tsx', join(ctx.benchDir, 'load', 'rate-client.ts'),
    '--port', String(run.port), '--path', run.path, '--rate', String(Math.round(run.rate)),
    '--seconds', String(run.seconds), '--connections', String(run.connections),
    '--report-every', String(run.reportEveryS), ...run.headers.flatMap((h) => ['--header', h])];
  const { output, loadTicks } = await runLoadProcess(ctx, name, argv, run.seconds + 30, {}, onLine);
  return { result: parseResult(output, loadTicks), output };
}
