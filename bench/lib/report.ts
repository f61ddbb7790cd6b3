/**
 * What a suite run recorded, and how it is reported: raw.tsv (one row per measured run),
 * summary.json (for tracking) and summary.md (for the README), with PASS/MISS per target.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { levelsOff, max, median, min, ratio, type LevelOff } from './stats.js';
import type { LoadResult } from './load.js';
import { LOAD_SCENARIOS, NODE_PEERS, PHASE_TITLES, TARGET_TITLES, type TargetName } from './scenarios.js';

/** One measured load run (the final attempt when a noisy run was retried): the generator's figures and the suite's accounting. */
export interface RunRecord extends Pick<LoadResult, 'requests' | 'rps' | 'p50Us' | 'p90Us' | 'p99Us' | 'p999Us' | 'maxUs' | 'errors' | 'timeouts'> {
  readonly phase: 'load' | 'override-cost' | 'rate' | 'multicore' | 'soak';
  readonly scenario: string;
  readonly target: string;
  readonly rep: number;
  readonly attempt: number;
  /** Other processes used more than the allowed share of a core during the run. */
  readonly noisy: boolean;
  readonly connections: number;
  /** Offered rate of an open-loop run; NaN for closed-loop runs. */
  readonly offeredRps: number;
  /** CPU of the proxy's process group per request, µs (NaN for direct). */
  readonly proxyCpuUsPerReq: number;
  readonly upstreamCpuUsPerReq: number;
  /** CPU of the proxy, the load generator and everything else, % of one core. */
  readonly proxyCpuPct: number;
  readonly loadCpuPct: number;
  readonly otherCpuPct: number;
  /** RSS of the proxy's process group (of the upstream for direct) after the run, bytes. */
  readonly rssBytes: number;
  /** Open loop: p99 of how late the client itself sent requests (NaN for wrk). */
  readonly pacingP99Us: number;
}

export interface IdleRecord {
  readonly rep: number;
  readonly target: string;
  readonly connections: number;
  readonly rssBeforeBytes: number;
  /** RSS while every connection is open and idle. */
  readonly rssIdleBytes: number;
  readonly opened: number;
  readonly openFailed: number;
  /** Connections that answered a second request after the hold. */
  readonly reused: number;
}

/** RSS of the process group under test, `atS` seconds into a phase. */
export interface MemorySample { readonly atS: number; readonly rssBytes: number }

export interface OverridesReport {
  readonly target: string;
  /** RSS after each round of fresh overrides, with the number sent so far. */
  readonly samples: readonly (MemorySample & { readonly overrides: number })[];
  readonly rps: number;
  readonly errors: number;
}

export interface SoakReport {
  readonly minutes: number;
  readonly offeredRps: number;
  readonly result: RunRecord | undefined;
  readonly intervals: readonly { readonly atS: number; readonly rps: number; readonly p99Us: number; readonly errors: number }[];
  readonly samples: readonly MemorySample[];
}

export interface Collected {
  readonly meta: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, unknown>>;
  readonly runs: readonly RunRecord[];
  readonly idle: readonly IdleRecord[];
  readonly rate: { readonly offeredRps: number; readonly basis: string } | undefined;
  readonly overrides: OverridesReport | undefined;
  /** `twoWorkers`: why 2 workers were not measured; `cores`: the machine's (scaling needs cores to spare). */
  readonly multicore: { readonly twoWorkers: string | undefined; readonly cores: number } | undefined;
  readonly soak: SoakReport | undefined;
  /** Why a phase that was asked for could not run. */
  readonly notes: readonly string[];
}

const RAW_COLUMNS: readonly (keyof RunRecord)[] = [
  'phase', 'scenario', 'target', 'rep', 'attempt', 'noisy', 'connections', 'offeredRps', 'requests', 'rps',
  'p50Us', 'p90Us', 'p99Us', 'p999Us', 'maxUs', 'errors', 'timeouts', 'proxyCpuUsPerReq', 'upstreamCpuUsPerReq',
  'proxyCpuPct', 'loadCpuPct', 'otherCpuPct', 'rssBytes', 'pacingP99Us',
];

export function rawTsv(runs: readonly RunRecord[]): string {
  const cell = (v: unknown): string => (typeof v === 'number' ? (Number.isFinite(v) ? String(Math.round(v * 100) / 100) : '') : String(v));
  return [RAW_COLUMNS.join('\t'), ...runs.map((r) => RAW_COLUMNS.map((c) => cell(r[c])).join('\t'))].join('\n') + '\n';
}

// ------------------------------------------------------------------ per-scenario tables

/** A median with its spread and its ratios to direct and nginx measured in the same run. */
export interface Cell { readonly median: number; readonly min: number; readonly max: number; readonly xDirect: number; readonly xNginx: number }

export interface Row {
  readonly target: string;
  readonly runs: number;
  readonly noisy: number;
  /** Runs the medians are taken over (see cleanRepetitions). */
  readonly used: number;
  readonly offeredRps: number;
  readonly rps: Cell;
  readonly p50Us: Cell;
  readonly p99Us: Cell;
  readonly p999Us: Cell;
  readonly cpuUsPerReq: Cell;
  readonly cpuPct: number;
  /**
   * Open loop: the load on the core the proxy and the upstream share, % of it: their CPU per
   * request times the offered rate. Queueing, and so the tail, grows steeply as it nears 100 %;
   * above, the pair cannot keep up.
   */
  readonly coreLoadPct: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly otherCpuPct: number;
  readonly rssMiB: number;
  readonly pacingP99Us: number;
}

type Metric = 'rps' | 'p50Us' | 'p99Us' | 'p999Us' | 'proxyCpuUsPerReq';

/**
 * The repetitions a table's medians are taken over: those in which no target's run was noisy, so
 * that every ratio compares runs made under the same conditions; all of them when there is none.
 */
function cleanRepetitions(rs: readonly RunRecord[]): ReadonlySet<number> {
  const reps = [...new Set(rs.map((r) => r.rep))];
  const clean = reps.filter((rep) => rs.every((r) => r.rep !== rep || !r.noisy));
  return new Set(clean.length ? clean : reps);
}

/** A run's proxy and upstream CPU per request at its offered rate, % of one core (direct: the upstream's alone). */
const coreLoadPct = (r: RunRecord): number =>
  ((Number.isFinite(r.proxyCpuUsPerReq) ? r.proxyCpuUsPerReq : 0) + r.upstreamCpuUsPerReq) * r.offeredRps / 1e4;

export function table(runs: readonly RunRecord[], phase: RunRecord['phase'], scenario: string): Row[] {
  const rs = runs.filter((r) => r.phase === phase && r.scenario === scenario);
  const targets = [...new Set(rs.map((r) => r.target))];
  const reps = cleanRepetitions(rs);
  const all = (t: string): RunRecord[] => rs.filter((r) => r.target === t);
  const of = (t: string): RunRecord[] => all(t).filter((r) => reps.has(r.rep));
  const med = (t: string, m: Metric): number => median(of(t).map((r) => r[m]));
  const cell = (t: string, m: Metric): Cell => {
    const xs = of(t).map((r) => r[m]);
    const v = median(xs);
    return { median: v, min: min(xs), max: max(xs), xDirect: ratio(v, med('direct', m)), xNginx: ratio(v, med('nginx', m)) };
  };
  return targets.map((t) => ({
    target: t,
    runs: all(t).length,
    noisy: all(t).filter((r) => r.noisy).length,
    used: of(t).length,
    offeredRps: median(of(t).map((r) => r.offeredRps)),
    rps: cell(t, 'rps'), p50Us: cell(t, 'p50Us'), p99Us: cell(t, 'p99Us'), p999Us: cell(t, 'p999Us'),
    cpuUsPerReq: cell(t, 'proxyCpuUsPerReq'),
    cpuPct: median(of(t).map((r) => r.proxyCpuPct)),
    coreLoadPct: median(of(t).map(coreLoadPct)),
    errors: all(t).reduce((s, r) => s + r.errors, 0),
    timeouts: all(t).reduce((s, r) => s + r.timeouts, 0),
    otherCpuPct: median(of(t).map((r) => r.otherCpuPct)),
    rssMiB: median(of(t).map((r) => r.rssBytes)) / MiB,
    pacingP99Us: median(of(t).map((r) => r.pacingP99Us)),
  }));
}

// ------------------------------------------------------------------ goals

export type Verdict = 'PASS' | 'MISS' | 'n/a';
export interface Goal { readonly goal: string; readonly measured: string; readonly verdict: Verdict }

const MiB = 1024 * 1024;
const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;

interface CostPair { rep: number; noisy: boolean; plain: RunRecord; override: RunRecord; rps: number; cpu: number }

/**
 * Switchyard's plain and override runs paired by repetition: from the override-cost phase when
 * it ran (each pair back to back, so both see the same machine), else from the main table. Only
 * pairs where both runs are clean, when there are any.
 */
function overridePairs(runs: readonly RunRecord[]): { pairs: CostPair[]; clean: boolean; source: string } {
  const phase = runs.some((r) => r.phase === 'override-cost') ? 'override-cost' : 'load';
  const sy = (s: string): RunRecord[] => runs.filter((r) => r.phase === phase && r.scenario === s && r.target === 'switchyard');
  const all = sy('override').flatMap((o): CostPair[] => {
    const p = sy('plain').find((r) => r.rep === o.rep);
    return p ? [{ rep: o.rep, noisy: o.noisy || p.noisy, plain: p, override: o, rps: o.rps / p.rps - 1, cpu: o.proxyCpuUsPerReq / p.proxyCpuUsPerReq - 1 }] : [];
  });
  const clean = all.filter((p) => !p.noisy);
  return { pairs: clean.length ? clean : all, clean: clean.length > 0, source: phase === 'override-cost' ? 'pair' : 'repetition' };
}
/** A target's row in a table. */
const row = (rows: readonly Row[], t: string): Row | undefined => rows.find((r) => r.target === t);
const verdict = (ok: boolean | undefined): Verdict => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS');

export function goals(c: Collected): Goal[] {
  const out: Goal[] = [];
  const plain = table(c.runs, 'load', 'plain');
  const sy = row(plain, 'switchyard');

  const peers = NODE_PEERS.map((p) => row(plain, p)).filter((r): r is Row => r !== undefined);
  const best = peers.sort((a, b) => b.rps.median - a.rps.median)[0];
  const vsPeer = sy && best ? sy.rps.median / best.rps.median : NaN;
  out.push({
    goal: 'throughput (64 conns) ≥ 1.2× the best off-the-shelf Node proxy',
    measured: Number.isFinite(vsPeer) ? `${vsPeer.toFixed(2)}× (${int(sy!.rps.median)} vs ${TARGET_TITLES[best!.target as TargetName]} ${int(best!.rps.median)} req/s)` : 'not measured',
    verdict: verdict(Number.isFinite(vsPeer) ? vsPeer >= 1.2 : undefined),
  });
  const vsNginx = sy ? sy.rps.xNginx : NaN;
  out.push({
    goal: 'throughput (64 conns) ≥ 0.6× nginx',
    measured: Number.isFinite(vsNginx) ? `${vsNginx.toFixed(2)}× (${int(sy!.rps.median)} vs ${int(row(plain, 'nginx')!.rps.median)} req/s)` : 'not measured',
    verdict: verdict(Number.isFinite(vsNginx) ? vsNginx >= 0.6 : undefined),
  });

  // The cost of a request is the proxy CPU it takes; throughput on the shared core also moves with
  // the upstream's share, so it is shown beside. From the override-cost phase when it ran (pairs
  // of runs back to back), else paired per repetition of the main table.
  const { pairs, clean, source } = overridePairs(c.runs);
  const cost = median(pairs.map((p) => p.cpu));
  out.push({
    goal: 'a repeated 2-entry l5d-dtab override costs ≤ 5 % more proxy CPU per request',
    measured: pairs.length
      ? `${pct(cost)} CPU per request (per ${clean ? 'clean ' : ''}${source}: ${pairs.map((p) => pct(p.cpu)).join(', ')})`
        + (source === 'repetition' ? `; throughput ${pct(median(pairs.map((p) => p.rps)))}` : ` at ${int(pairs[0]!.plain.offeredRps)} req/s`)
      : 'not measured',
    verdict: verdict(pairs.length && Number.isFinite(cost) ? cost <= 0.05 : undefined),
  });

  const rate = table(c.runs, 'rate', 'rate');
  const syRate = row(rate, 'switchyard');
  const p99x = syRate ? syRate.p99Us.xNginx : NaN;
  out.push({
    goal: 'p99 at 50 % of nginx\'s peak rate ≤ 1.5× nginx\'s p99',
    measured: Number.isFinite(p99x)
      ? `${p99x.toFixed(2)}× (${ms(syRate!.p99Us.median)} vs ${ms(row(rate, 'nginx')!.p99Us.median)} ms at ${int(syRate!.offeredRps)} req/s; `
        + `load on the core shared with the upstream ${int(syRate!.coreLoadPct)} % vs ${int(row(rate, 'nginx')!.coreLoadPct)} %)`
      : 'not measured',
    verdict: verdict(Number.isFinite(p99x) ? p99x <= 1.5 : undefined),
  });

  out.push(multicoreGoal(c));

  const ov = c.overrides ? levelsOff(c.overrides.samples.map((s) => s.rssBytes)) : undefined;
  out.push({
    goal: `RSS levels off over ${c.overrides?.samples.length ? int(last(c.overrides.samples).overrides) : 'N'} distinct overrides`,
    measured: ov ? `${levelText(ov)}${rssAfter(c.overrides!.samples, REPORTED_OVERRIDES)}` : 'not measured',
    verdict: verdict(ov?.ok),
  });
  const so = c.soak ? levelsOff(c.soak.samples.map((s) => s.rssBytes)) : undefined;
  out.push({
    goal: `RSS levels off during the ${c.soak ? c.soak.minutes : 10}-minute soak at 50 % of peak`,
    measured: so ? levelText(so) : 'not measured',
    verdict: verdict(so?.ok),
  });
  const syErrors = c.runs.filter((r) => r.target.startsWith('switchyard')).reduce((s, r) => s + r.errors, 0)
    + (c.overrides?.errors ?? 0);
  // The overrides phase drives Switchyard with wrk directly and records no run of its own.
  const anySy = c.runs.some((r) => r.target.startsWith('switchyard')) || c.overrides !== undefined;
  out.push({
    goal: 'Switchyard fails no request (no socket errors, no 4xx/5xx; saturation is reported in the tables)',
    measured: anySy ? `${int(syErrors)} errors` : 'not measured',
    verdict: verdict(anySy ? syErrors === 0 : undefined),
  });
  return out;
}

/**
 * Whether a second worker scales throughput. It can only show where the proxy is the bottleneck
 * and the machine has a core to give it: with wrk, the upstream and the proxy on two cores there
 * is none, so the verdict there is n/a and the figures are reported as measured.
 */
function multicoreGoal(c: Collected): Goal {
  const goal = 'multi-core: 2 workers give ≥ 1.5× the throughput of 1 where the proxy is the bottleneck';
  const gain = (scenario: string): number => {
    const rows = table(c.runs, 'multicore', scenario);
    return ratio(row(rows, 'switchyard ×2')?.rps.median ?? NaN, row(rows, 'switchyard ×1')?.rps.median ?? NaN);
  };
  const plain = gain('plain'), fresh = gain('fresh');
  if (!c.multicore || !Number.isFinite(fresh)) return { goal, measured: 'not measured', verdict: verdict(undefined) };
  const measured = `2 workers / 1 worker: ${x2(fresh)}× with fresh overrides, ${x2(plain)}× plain`;
  if (!Number.isFinite(c.multicore.cores)) return { goal, measured: `${measured}; the machine's core count was not recorded`, verdict: 'n/a' };
  if (c.multicore.cores < 4) {
    return { goal, measured: `${measured}; this machine has ${int(c.multicore.cores)} cores, and wrk and the upstream need one of them`, verdict: 'n/a' };
  }
  return { goal, measured, verdict: verdict(fresh >= 1.5) };
}

/** The memory figure the suite reports besides the level: RSS once this many distinct overrides were answered. */
const REPORTED_OVERRIDES = 100_000;

function rssAfter(samples: OverridesReport['samples'], overrides: number): string {
  const s = samples.find((x) => x.overrides >= overrides);
  return s ? `; ${mib(s.rssBytes)} MiB after ${int(s.overrides)}` : '';
}

function levelText(l: LevelOff): string {
  return `peak ${mib(l.firstHalfPeak)} MiB in the first half, ${mib(l.secondHalfPeak)} MiB in the second (allowed +${mib(l.allowed)} MiB)`;
}

// ------------------------------------------------------------------ markdown

const int = (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const ms = (us: number): string => (Number.isFinite(us) ? (us / 1000).toFixed(3) : '–');
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');
const x2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');
const mib = (b: number): string => (Number.isFinite(b) ? (b / MiB).toFixed(1) : '–');
const last = <T>(xs: readonly T[]): T => xs[xs.length - 1]!;
/** At most n evenly spaced items, always keeping the first and the last. */
const spread = <T>(xs: readonly T[], n: number): T[] =>
  xs.length <= n ? [...xs] : Array.from({ length: n }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (n - 1))]!);
const title = (t: string): string => TARGET_TITLES[t as TargetName] ?? t;
const withRatios = (text: string, c: Cell): string => `${text} (${x2(c.xDirect)} / ${x2(c.xNginx)})`;

function loadTable(rows: readonly Row[], open: boolean): string[] {
  const head = ['target', 'runs', ...(open ? ['offered req/s'] : []), 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'proxy CPU µs/req', 'proxy CPU %',
    ...(open ? ['core load %'] : []), 'errors (unanswered)', 'other CPU %',
    ...(open ? ['client pacing p99 ms'] : [])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const runs = r.noisy ? `${r.runs} (${r.noisy} noisy${r.used < r.runs ? `; ${r.used} used` : ''})` : String(r.runs);
    lines.push(`| ${[
      title(r.target), runs, ...(open ? [int(r.offeredRps)] : []),
      withRatios(`${int(r.rps.median)} [${int(r.rps.min)}–${int(r.rps.max)}]`, r.rps),
      withRatios(ms(r.p50Us.median), r.p50Us), withRatios(ms(r.p99Us.median), r.p99Us), withRatios(ms(r.p999Us.median), r.p999Us),
      r.target === 'direct' ? '–' : `${f1(r.cpuUsPerReq.median)} (${x2(r.cpuUsPerReq.xNginx)})`,
      r.target === 'direct' ? '–' : int(r.cpuPct), ...(open ? [int(r.coreLoadPct)] : []), r.timeouts ? `${int(r.errors)} (${int(r.timeouts)})` : int(r.errors), int(r.otherCpuPct),
      ...(open ? [ms(r.pacingP99Us)] : []),
    ].join(' | ')} |`);
  }
  return lines;
}

export function markdown(c: Collected): string {
  const md: string[] = ['# Switchyard benchmark', ''];
  md.push('```', ...Object.entries(c.meta).map(([k, v]) => `${k}: ${v}`), '```', '');
  md.push('## Targets', '', '| target | measured | verdict |', '|---|---|---|');
  for (const g of goals(c)) md.push(`| ${g.goal} | ${g.measured} | ${g.verdict} |`);
  md.push('', 'Verdicts report; they do not fail the run. Ratios compare medians measured in the same run.', '');
  for (const n of c.notes) md.push(`> ${n}`, '');

  const loadRows = LOAD_SCENARIOS.map((s) => ({ s, rows: table(c.runs, 'load', s.id) })).filter((x) => x.rows.length);
  if (loadRows.length) {
    md.push('## Closed loop (wrk)', '', 'Each cell: median, then (×direct / ×nginx) measured in the same run; req/s also shows [min–max] over repetitions. '
      + 'Proxy CPU is the proxy\'s process group per request, with ×nginx. "other CPU" is what processes outside the bench used (% of a core): '
      + 'runs above the threshold are "noisy". When some repetitions had no noisy run in a scenario, its medians use only those ("used"), so every ratio '
      + 'compares runs made under the same conditions.', '');
    for (const { s, rows } of loadRows) md.push(`### ${s.id}: ${s.title}`, '', ...loadTable(rows, false), '');
  }
  if (c.runs.some((r) => r.phase === 'override-cost')) {
    const { pairs } = overridePairs(c.runs);
    md.push(`## ${PHASE_TITLES['override-cost']}`, '', `Switchyard alone, open loop at ${int(pairs[0]?.plain.offeredRps ?? NaN)} req/s (50 % of its plain peak), 64 connections; `
      + 'each pair is a run without and a run with the repeated 2-entry override, back to back and in alternating order, so both runs of a pair see '
      + 'the same machine and the same load. The verdict is the median of the pairs\' ratios of proxy CPU per request.', '',
      '| pair | plain req/s | override req/s | plain CPU µs/req | override CPU µs/req | override costs | plain / override p99 ms |', '|---|---|---|---|---|---|---|',
      ...pairs.map((p) => `| ${p.rep} | ${int(p.plain.rps)} | ${int(p.override.rps)} | ${p.plain.proxyCpuUsPerReq.toFixed(1)} | ${p.override.proxyCpuUsPerReq.toFixed(1)} | ${pct(p.cpu)} | ${ms(p.plain.p99Us)} / ${ms(p.override.p99Us)} |`), '');
  }
  if (c.idle.length) {
    md.push(`## ${PHASE_TITLES.idle}`, '', `Each target holds ${int(c.idle[0]!.connections)} client connections that carried one request and then sit idle; RSS of the proxy's process group (of the upstream itself for direct) while they are open, median over repetitions, against its RSS before the first round `
      + '(later rounds start from memory the earlier ones left behind). "reused" = connections that answered a second request after the hold.', '');
    md.push('| target | RSS before the first round MiB | RSS with idle conns MiB (×nginx) | KiB per idle conn | opened | reused |', '|---|---|---|---|---|---|');
    const targets = [...new Set(c.idle.map((r) => r.target))];
    const rssIdle = (t: string): number => median(c.idle.filter((r) => r.target === t).map((r) => r.rssIdleBytes));
    for (const t of targets) {
      const rs = c.idle.filter((r) => r.target === t);
      const before = rs.reduce((a, r) => (r.rep < a.rep ? r : a)).rssBeforeBytes;
      const held = rssIdle(t);
      md.push(`| ${title(t)} | ${mib(before)} | ${mib(held)} (${x2(ratio(held, rssIdle('nginx')))}) | ${f1((held - before) / 1024 / rs[0]!.connections)} | `
        + `${int(median(rs.map((r) => r.opened)))} | ${int(median(rs.map((r) => r.reused)))} |`);
    }
    md.push('');
  }
  const rate = table(c.runs, 'rate', 'rate');
  if (rate.length && c.rate) {
    md.push(`## ${PHASE_TITLES.rate}`, '', `Offered ${int(c.rate.offeredRps)} req/s (${c.rate.basis}) by the bench's own open-loop client (bench/load/rate-client.ts: `
      + 'requests are due at fixed times and latency counts from the due time, as wrk2 does; Debian\'s wrk has no constant-rate mode), 64 connections. '
      + 'Cells as above; a target that cannot keep up shows it in req/s and in its latencies. "core load" is the proxy\'s and the upstream\'s CPU per '
      + 'request times the offered rate, as a share of the one core they share: the nearer it is to 100 %, the longer the queue that any stall of the '
      + 'machine leaves behind, and the higher the p99; above 100 % the pair cannot keep up. "client pacing" is how late the client itself sent requests: '
      + 'when it approaches a p99, the client (or the machine), not the target, set that p99.', '', ...loadTable(rate, true), '');
  }
  if (c.overrides) {
    const o = c.overrides;
    md.push(`## ${PHASE_TITLES.overrides}`, '', `${title(o.target)} under wrk (64 connections) with a fresh 2-entry l5d-dtab on every request, ${int(o.rps)} req/s, ${int(o.errors)} errors. RSS of its process group:`, '');
    md.push('| distinct overrides | RSS MiB |', '|---|---|', ...spread(o.samples, 11).map((s) => `| ${int(s.overrides)} | ${mib(s.rssBytes)} |`), '');
    md.push('(At most eleven evenly spaced samples; summary.json has them all.)', '');
  }
  const mc = table(c.runs, 'multicore', 'plain');
  if (mc.length && c.multicore) {
    md.push(`## ${PHASE_TITLES.multicore}`, '', `Nothing pinned (the processes and wrk share all ${int(c.multicore.cores)} cores), 64 connections; cells as above. Proxy CPU % is of one core.`, '', ...loadTable(mc, false), '');
    const fresh = table(c.runs, 'multicore', 'fresh');
    if (fresh.length) md.push('With a fresh 2-entry override on every request, which makes the proxy the bottleneck:', '', ...loadTable(fresh, false), '');
    if (c.multicore.twoWorkers) md.push(`> ${c.multicore.twoWorkers}`, '');
  }
  if (c.soak) {
    const s = c.soak;
    md.push(`## ${PHASE_TITLES.soak}`, '');
    if (s.result) {
      md.push(`${s.minutes} min at ${int(s.offeredRps)} req/s offered (open loop): achieved ${int(s.result.rps)} req/s, p50 ${ms(s.result.p50Us)} ms, `
        + `p99 ${ms(s.result.p99Us)} ms, p99.9 ${ms(s.result.p999Us)} ms, ${int(s.result.errors)} errors, proxy CPU ${f1(s.result.proxyCpuUsPerReq)} µs/req; `
        + `other processes used ${int(s.result.otherCpuPct)} % of a core meanwhile; client pacing p99 ${ms(s.result.pacingP99Us)} ms.`, '');
    }
    md.push('| minute | RSS MiB | req/s | p99 ms |', '|---|---|---|---|');
    for (const m of spread(s.samples, 21)) {
      const iv = s.intervals.find((i) => Math.abs(i.atS - m.atS) < 1);
      md.push(`| ${(m.atS / 60).toFixed(1)} | ${mib(m.rssBytes)} | ${iv ? int(iv.rps) : '–'} | ${iv ? ms(iv.p99Us) : '–'} |`);
    }
    md.push('');
  }
  return md.join('\n');
}

/** Everything, for tracking over time: the goals, every table, the memory series and the raw runs. */
function json(c: Collected): unknown {
  return {
    meta: c.meta,
    options: c.options,
    goals: goals(c),
    notes: c.notes,
    load: Object.fromEntries(LOAD_SCENARIOS.map((s) => [s.id, table(c.runs, 'load', s.id)]).filter(([, rows]) => rows.length)),
    idle: c.idle,
    rate: c.rate ? { ...c.rate, rows: table(c.runs, 'rate', 'rate') } : undefined,
    overrides: c.overrides ? { ...c.overrides, levelOff: levelsOff(c.overrides.samples.map((s) => s.rssBytes)) } : undefined,
    multicore: c.multicore ? { ...c.multicore, rows: table(c.runs, 'multicore', 'plain') } : undefined,
    soak: c.soak ? { ...c.soak, levelOff: levelsOff(c.soak.samples.map((s) => s.rssBytes)) } : undefined,
    runs: c.runs,
  };
}

/** Writes raw.tsv, summary.json and summary.md into `dir`; returns the Markdown. */
export function writeResults(dir: string, c: Collected): string {
  const md = markdown(c);
  writeFileSync(join(dir, 'raw.tsv'), rawTsv(c.runs));
  // A missing measurement is NaN in memory and null in JSON.
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(json(c), (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  writeFileSync(join(dir, 'summary.md'), md);
  return md;
}

/** What writeResults saved in `dir`, read back from its summary.json. */
export function readResults(dir: string): Collected {
  type Saved = Omit<Collected, 'rate' | 'multicore'> & {
    rate?: NonNullable<Collected['rate']>;
    multicore?: NonNullable<Collected['multicore']>;
  };
  const text = readFileSync(join(dir, 'summary.json'), 'utf8');
  const s = JSON.parse(text, (_k, v: unknown) => (v === null ? NaN : v)) as Saved;
  // The options' nulls are values (no command given), not missing measurements.
  const { options } = JSON.parse(text) as Pick<Collected, 'options'>;
  return {
    meta: s.meta, options, runs: s.runs, idle: s.idle, notes: s.notes,
    rate: s.rate && { offeredRps: s.rate.offeredRps, basis: s.rate.basis },
    overrides: s.overrides && { target: s.overrides.target, samples: s.overrides.samples, rps: s.overrides.rps, errors: s.overrides.errors },
    multicore: s.multicore && { twoWorkers: s.multicore.twoWorkers, cores: s.multicore.cores ?? NaN },
    soak: s.soak && { minutes: s.soak.minutes, offeredRps: s.soak.offeredRps, result: s.soak.result, intervals: s.soak.intervals, samples: s.soak.samples },
  };
}
