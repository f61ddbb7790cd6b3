/**
 * The Switchyard benchmark suite (`npm run bench`; started by bench/run.sh, `--help` for options).
 *
 * Starts on 127.0.0.1 a keep-alive upstream, Switchyard (`switchyard run` with a six-entry dtab,
 * io.l5d.fs discovery and the admin server), and the peers: direct, nginx, HAProxy,
 * @fastify/http-proxy and http-proxy, all routing by Host to the upstream. In the sidecar layout
 * the proxy and the upstream share cpu0 and every load generator runs on cpu1 (taskset).
 * Repetitions are interleaved and rotate the order of targets; the results directory receives
 * raw.tsv, summary.json and summary.md, and summary.md is printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeDiscovery, type Upstream } from './lib/configs.js';
import { parseResult, runLoadProcess, runRate, runWrk, type LoadContext, type LoadResult } from './lib/load.js';
import { parseOptions, USAGE, type Options } from './lib/options.js';
import {
  freePort, groupCpuTicks, groupRssBytes, HZ, machineBusyTicks, Processes, setGroupAffinity, sleep, type Group,
} from './lib/procs.js';
import { table, writeResults, type Collected, type IdleRecord, type MemorySample, type OverridesReport, type RunRecord, type SoakReport } from './lib/report.js';
import { BENCH_HOST, freshOverrideTemplate, REPEATED_OVERRIDE } from './lib/routes.js';
import { IDLE_TARGETS, LOAD_SCENARIOS, TARGET_TITLES, TARGETS, type LoadScenario, type TargetName } from './lib/scenarios.js';
import { median } from './lib/stats.js';
import { detectWorkersCommand, get, startPeer, startSwitchyard, startUpstream, type Target, type TargetEnv } from './lib/targets.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
const HOST_HEADER = `Host: ${BENCH_HOST}`;
/** Connections of every throughput run (closed and open loop). */
const CONNECTIONS = 64;

/** CPU lists for the sidecar layout; undefined = not pinned (fewer than two CPUs). */
interface Layout { readonly load: string | undefined; readonly proxy: string | undefined; readonly upstream: string | undefined; readonly text: string }

function sidecarLayout(): Layout {
  if (os.availableParallelism() < 2) return { load: undefined, proxy: undefined, upstream: undefined, text: 'unpinned (fewer than 2 CPUs)' };
  return { load: '1', proxy: '0', upstream: '0', text: 'sidecar: proxy + upstream on cpu0, load generator on cpu1' };
}

/** Every CPU, for unpinning. */
const ALL_CPUS = `0-${os.availableParallelism() - 1}`;

const rotate = <T>(xs: readonly T[], k: number): T[] => xs.slice(k % xs.length).concat(xs.slice(0, k % xs.length));

class Suite {
  private readonly procs: Processes;
  private readonly env: TargetEnv;
  private readonly layout = sidecarLayout();
  private readonly load: LoadContext;
  private readonly targets = new Map<TargetName, Target>();
  private readonly discoveryDir: string;
  private upstream!: Group;
  private switchyardAdminPort = 0;
  private seq = 0;
  private readonly runs: RunRecord[] = [];
  private readonly idle: IdleRecord[] = [];
  private readonly notes: string[] = [];
  private rate: Collected['rate'];
  private overrides: OverridesReport | undefined;
  private multicore: Collected['multicore'];
  private soak: SoakReport | undefined;
  private readonly meta: Record<string, string> = {};

  /** Creates the results directory and picks the upstream's port. */
  static async create(opts: Options, out: string): Promise<Suite> {
    mkdirSync(join(out, 'run'), { recursive: true });
    mkdirSync(join(out, 'logs'), { recursive: true });
    return new Suite(opts, out, { host: '127.0.0.1', port: await freePort() });
  }

  private constructor(private readonly opts: Options, private readonly out: string, upstream: Upstream) {
    const runDir = join(out, 'run');
    const logDir = join(out, 'logs');
    this.procs = new Processes(process.env.SWITCHYARD_BENCH_LEDGER ?? join(runDir, 'pgids'));
    this.env = {
      procs: this.procs, root, benchDir, runDir, logDir, upstream,
      deps: process.env.SWITCHYARD_BENCH_DEPS ?? '/tmp/switchyard-bench-deps',
    };
    this.load = { procs: this.procs, benchDir, root, logDir, cpus: this.layout.load };
    this.discoveryDir = join(runDir, 'disco');
  }

  log(line: string): void {
    process.stdout.write(`${line}\n`);
    appendFileSync(join(this.out, 'progress.log'), `${line}\n`);
  }

  /** Stops everything the suite started. */
  stop(): Promise<void> {
    return this.procs.stopAll();
  }

  async run(): Promise<void> {
    const o = this.opts;
    const selected = LOAD_SCENARIOS.filter((s) => o.only.has(s.id));
    const wanted = new Set<TargetName>(['direct', 'nginx']);
    for (const s of selected) for (const t of s.targets) wanted.add(t);
    if (o.only.has('idle') || o.only.has('rate')) for (const t of TARGETS) wanted.add(t);
    if (o.only.has('override-cost') || o.only.has('overrides') || o.only.has('multicore') || (o.only.has('soak') && o.soakMinutes > 0)) wanted.add('switchyard');
    const targets = TARGETS.filter((t) => wanted.has(t) && o.targets.includes(t));

    this.collectMeta();
    this.log(`results: ${this.out}`);
    for (const [k, v] of Object.entries(this.meta)) this.log(`  ${k}: ${v}`);
    await this.startTargets(targets);
    await this.warmUp([...this.targets.values()]);

    if (selected.length) await this.closedLoop(selected);
    if (o.only.has('override-cost')) await this.overrideCostPhase();
    if (o.only.has('idle')) await this.idlePhase();
    if (o.only.has('rate')) await this.ratePhase();
    if (o.only.has('overrides')) await this.overridesPhase();
    if (o.only.has('multicore')) await this.multicorePhase();
    if (o.only.has('soak')) await this.soakPhase();
    await this.report();
  }

  // ---------------------------------------------------------------- setup

  private collectMeta(): void {
    const o = this.opts;
    const sh = (cmd: string, args: string[]): string => {
      const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
      return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    };
    const peerVersion = (name: string): string => {
      try {
        return (JSON.parse(readFileSync(join(this.env.deps, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
      } catch {
        return 'missing';
      }
    };
    const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
    Object.assign(this.meta, {
      date: new Date().toISOString(),
      machine: `${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, kernel ${os.release()}, load average at start ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
      layout: this.layout.text,
      versions: `node ${process.version}, wrk ${sh('wrk', ['-v']).split('\n')[0]!.split(' ')[1]}, ${sh('nginx', ['-v']).replace('nginx version: ', '')}, `
        + `HAProxy ${sh('haproxy', ['-v']).split('\n')[0]!.split(' ')[2]}, fastify ${peerVersion('fastify')}, @fastify/http-proxy ${peerVersion('@fastify/http-proxy')}, http-proxy ${peerVersion('http-proxy')}`,
      switchyard: `${o.switchyardCmd} (commit ${sh('git', ['rev-parse', '--short', 'HEAD'])}, ${sh('git', ['status', '--porcelain']).split('\n').filter(Boolean).length} uncommitted changes in the tree)`,
      runs: `${o.reps} repetition(s), ${o.durationS} s per run, ${o.warmupS} s warm-up, wrk -t1 (closed loop); noisy = other processes > ${o.maxOtherPct} % of a core, retried ${o.retries}×`,
    });
  }

  private async startTargets(names: readonly TargetName[]): Promise<void> {
    const env = this.env;
    this.upstream = await startUpstream(env, this.layout.upstream);
    writeDiscovery(this.discoveryDir, env.upstream);
    for (const name of names) {
      if (name === 'switchyard') {
        const sy = await startSwitchyard(env, 'switchyard', this.opts.switchyardCmd, this.discoveryDir, this.layout.proxy);
        this.switchyardAdminPort = sy.adminPort;
        this.targets.set(name, sy);
      } else {
        this.targets.set(name, await startPeer(env, name, this.layout.proxy));
      }
      const t = this.targets.get(name)!;
      this.log(`started ${TARGET_TITLES[name]} on 127.0.0.1:${t.port}${t.group ? ` (pgid ${t.group.pgid})` : ''}`);
    }
  }

  private async warmUp(targets: readonly Target[]): Promise<void> {
    if (this.opts.warmupS <= 0) return;
    this.log(`warming up ${targets.map((t) => t.name).join(', ')} (${this.opts.warmupS} s each)`);
    for (const t of targets) {
      await runWrk(this.load, `warmup-${t.name}`, { port: t.port, path: '/', connections: CONNECTIONS, seconds: this.opts.warmupS, headers: [HOST_HEADER] });
    }
  }

  // ---------------------------------------------------------------- measuring

  /** Waits (up to --quiet-wait) until the machine's busy time is under the noise threshold. */
  private async waitQuiet(): Promise<void> {
    for (let i = 0; i < this.opts.quietWaitS; i++) {
      const a = machineBusyTicks();
      await sleep(1000);
      if (((machineBusyTicks() - a) / HZ) * 100 < this.opts.maxOtherPct) return;
    }
  }

  /**
   * Runs one load run with the CPU of the proxy, the upstream, the load generator and everything
   * else accounted from /proc; retries (up to `retries` times) a run that other processes disturbed.
   */
  private async measure(
    spec: { phase: RunRecord['phase']; scenario: string; target: Target; rep: number; connections: number; offeredRps: number },
    go: (name: string) => Promise<LoadResult | undefined>,
    retries = this.opts.retries,
  ): Promise<RunRecord | undefined> {
    const pg = spec.target.group?.pgid;
    for (let attempt = 1; ; attempt++) {
      await this.waitQuiet();
      const name = `${spec.phase}-${spec.scenario}-${spec.target.name.replace(/\W+/g, '')}-r${spec.rep}-${++this.seq}`;
      const b0 = machineBusyTicks();
      const p0 = pg === undefined ? 0 : groupCpuTicks(pg);
      const u0 = groupCpuTicks(this.upstream.pgid);
      const t0 = performance.now();
      const r = await go(name);
      const secs = (performance.now() - t0) / 1000;
      const proxyTicks = pg === undefined ? 0 : groupCpuTicks(pg) - p0;
      const upTicks = groupCpuTicks(this.upstream.pgid) - u0;
      const busy = machineBusyTicks() - b0;
      if (!r || !(r.requests > 0)) {
        this.log(`  ${spec.scenario} r${spec.rep} ${spec.target.name}: no result, see logs/${name}.log`);
        return undefined;
      }
      // The rate client also counts the requests of its unrecorded warm-up second.
      const served = r.extra.all_requests ?? r.requests;
      const other = ((busy - proxyTicks - upTicks - r.loadTicks) / HZ / secs) * 100;
      const noisy = other > this.opts.maxOtherPct;
      const rec: RunRecord = {
        phase: spec.phase, scenario: spec.scenario, target: spec.target.name, rep: spec.rep, attempt, noisy,
        connections: spec.connections, offeredRps: spec.offeredRps, requests: r.requests, rps: r.rps,
        p50Us: r.p50Us, p90Us: r.p90Us, p99Us: r.p99Us, p999Us: r.p999Us, maxUs: r.maxUs, errors: r.errors, timeouts: r.timeouts,
        proxyCpuUsPerReq: pg === undefined ? NaN : (proxyTicks / HZ) * 1e6 / served,
        upstreamCpuUsPerReq: (upTicks / HZ) * 1e6 / served,
        proxyCpuPct: pg === undefined ? NaN : (proxyTicks / HZ / secs) * 100,
        loadCpuPct: (r.loadTicks / HZ / secs) * 100,
        otherCpuPct: other,
        rssBytes: groupRssBytes(pg ?? this.upstream.pgid),
        pacingP99Us: r.extra.pacing_p99_us ?? NaN,
      };
      const retry = noisy && attempt <= retries;
      this.log(`  ${spec.scenario.padEnd(14)} r${spec.rep} ${spec.target.name.padEnd(14)} ${Math.round(r.rps).toString().padStart(7)} req/s`
        + `  p50 ${(r.p50Us / 1000).toFixed(3)}  p99 ${(r.p99Us / 1000).toFixed(3)}  p99.9 ${(r.p999Us / 1000).toFixed(3)} ms`
        + `  cpu ${Number.isFinite(rec.proxyCpuUsPerReq) ? rec.proxyCpuUsPerReq.toFixed(1) : '-'} µs/req  err ${r.errors}${r.timeouts ? ` unanswered ${r.timeouts}` : ''}`
        + `  other ${other.toFixed(0)} %${noisy ? (retry ? '  NOISY, retrying' : '  NOISY') : ''}`);
      if (!retry) {
        this.runs.push(rec);
        return rec;
      }
    }
  }

  private wrkRun(s: LoadScenario, t: Target) {
    return async (name: string): Promise<LoadResult | undefined> => {
      const headers = s.override === 'repeated' ? [HOST_HEADER, `l5d-dtab: ${REPEATED_OVERRIDE}`] : [HOST_HEADER];
      const freshDtab = s.override === 'fresh' ? freshOverrideTemplate(name) : undefined;
      const { result } = await runWrk(this.load, name, { port: t.port, path: s.path, connections: s.connections, seconds: this.opts.durationS, headers, freshDtab });
      return result;
    };
  }

  // ---------------------------------------------------------------- phases

  private async closedLoop(scenarios: readonly LoadScenario[]): Promise<void> {
    this.log(`closed loop: ${scenarios.map((s) => s.id).join(', ')}`);
    for (let rep = 1; rep <= this.opts.reps; rep++) {
      for (const s of scenarios) {
        const ts = s.targets.flatMap((n) => this.targets.get(n) ?? []);
        for (const t of rotate(ts, rep - 1)) {
          await this.measure({ phase: 'load', scenario: s.id, target: t, rep, connections: s.connections, offeredRps: NaN }, this.wrkRun(s, t));
        }
      }
    }
  }

  /**
   * The cost of a repeated override, measured apart from the main table: Switchyard at one fixed
   * offered rate (50 % of its plain peak) with and without the override, in pairs of runs back
   * to back (alternating which goes first). At the same load both runs batch their I/O alike, so
   * the proxy CPU per request compares the work a request does, not how busy the core was; and
   * the machine's slow drifts hit both runs of a pair alike.
   */
  private async overrideCostPhase(): Promise<void> {
    const sy = this.targets.get('switchyard');
    if (!sy) { this.notes.push('override-cost: skipped, Switchyard is not among --targets'); return; }
    const peak = await this.peak('switchyard');
    const rate = peak.rps / 2;
    const override = `l5d-dtab: ${REPEATED_OVERRIDE}`;
    this.log(`override-cost: ${this.opts.costPairs} pairs of runs at ${Math.round(rate)} req/s (50 % of Switchyard's peak: ${peak.basis}), without and with the override`);
    // "Once the override has been seen": its path is warm (cached and compiled) before measuring.
    if (this.opts.warmupS > 0) {
      await runWrk(this.load, `warmup-override-${++this.seq}`, { port: sy.port, path: '/', connections: CONNECTIONS, seconds: this.opts.warmupS, headers: [HOST_HEADER, override] });
    }
    for (let pair = 1; pair <= this.opts.costPairs; pair++) {
      for (const scenario of pair % 2 ? ['plain', 'override'] : ['override', 'plain']) {
        const headers = scenario === 'override' ? [HOST_HEADER, override] : [HOST_HEADER];
        await this.measure({ phase: 'override-cost', scenario, target: sy, rep: pair, connections: CONNECTIONS, offeredRps: rate }, async (name) =>
          (await runRate(this.load, name, { port: sy.port, path: '/', rate, seconds: this.opts.durationS, connections: CONNECTIONS, headers, reportEveryS: 0 })).result);
      }
    }
  }

  private async idlePhase(): Promise<void> {
    const n = this.opts.idleConns;
    this.log(`idle: ${n} keep-alive connections per target`);
    const ts = IDLE_TARGETS.flatMap((name) => this.targets.get(name) ?? []);
    for (let rep = 1; rep <= this.opts.reps; rep++) {
      for (const t of rotate(ts, rep - 1)) {
        const pg = t.group?.pgid ?? this.upstream.pgid;
        const before = groupRssBytes(pg);
        let held = NaN;
        let sampling: Promise<void> | undefined;
        const argv = [process.execPath, '--import', 'tsx', join(benchDir, 'load', 'idle-client.ts'), '--port', String(t.port),
          '--count', String(n), '--hold', '3', '--header', HOST_HEADER];
        const { output, loadTicks } = await runLoadProcess(this.load, `idle-${t.name}-r${rep}-${++this.seq}`, argv, 300, {}, (line) => {
          if (line.startsWith('OPEN')) sampling = sleep(1000).then(() => { held = groupRssBytes(pg); });
        });
        await sampling;
        const r = parseResult(output, loadTicks);
        const rec: IdleRecord = {
          rep, target: t.name, connections: n, rssBeforeBytes: before, rssIdleBytes: held,
          opened: r?.extra.opened ?? 0, openFailed: r?.extra.open_failed ?? n, reused: r?.requests ?? 0,
        };
        this.idle.push(rec);
        this.log(`  idle r${rep} ${t.name.padEnd(14)} RSS ${(before / 2 ** 20).toFixed(1)} → ${(held / 2 ** 20).toFixed(1)} MiB`
          + `  opened ${rec.opened}/${n}  reused ${rec.reused}`);
      }
    }
  }

  /** A target's throughput as the plain-scenario table reports it, or one calibration run when there is none. */
  private async peak(name: TargetName): Promise<{ rps: number; basis: string }> {
    const measured = table(this.runs, 'load', 'plain').find((r) => r.target === name)?.rps.median ?? NaN;
    if (Number.isFinite(measured)) return { rps: measured, basis: `its median in the plain table, ${Math.round(measured)} req/s` };
    const t = this.targets.get(name)!;
    const { result } = await runWrk(this.load, `calibrate-${name}-${++this.seq}`, { port: t.port, path: '/', connections: CONNECTIONS, seconds: this.opts.durationS, headers: [HOST_HEADER] });
    if (!result) throw new Error(`could not measure the peak throughput of ${name}; see the calibrate-${name} log`);
    return { rps: result.rps, basis: `a ${this.opts.durationS} s calibration run, ${Math.round(result.rps)} req/s` };
  }

  private async ratePhase(): Promise<void> {
    const peak = await this.peak('nginx');
    const rate = peak.rps / 2;
    this.rate = { offeredRps: rate, basis: `50 % of nginx's peak: ${peak.basis}` };
    this.log(`rate: ${Math.round(rate)} req/s open loop (${this.rate.basis})`);
    const ts = [...this.targets.values()];
    for (let rep = 1; rep <= this.opts.reps; rep++) {
      for (const t of rotate(ts, rep - 1)) {
        await this.measure({ phase: 'rate', scenario: 'rate', target: t, rep, connections: CONNECTIONS, offeredRps: rate }, async (name) =>
          (await runRate(this.load, name, { port: t.port, path: '/', rate, seconds: this.opts.durationS, connections: CONNECTIONS, headers: [HOST_HEADER], reportEveryS: 0 })).result);
      }
    }
  }

  private async overridesPhase(): Promise<void> {
    const sy = this.targets.get('switchyard');
    if (!sy) { this.notes.push('overrides: skipped, Switchyard is not among --targets'); return; }
    const goal = this.opts.overrides;
    this.log(`overrides: ${goal} distinct l5d-dtab overrides against Switchyard, RSS after each 1 s round`);
    const pg = sy.group!.pgid;
    const t0 = performance.now();
    const samples: OverridesReport['samples'][number][] = [{ atS: 0, overrides: 0, rssBytes: groupRssBytes(pg) }];
    let sent = 0;
    let errors = 0;
    const rates: number[] = [];
    // A hard stop in case Switchyard serves fresh overrides very slowly.
    const maxRounds = 900;
    for (let round = 1; sent < goal && round <= maxRounds; round++) {
      const name = `overrides-r${round}-${++this.seq}`;
      const { result } = await runWrk(this.load, name, { port: sy.port, path: '/', connections: CONNECTIONS, seconds: 1, headers: [HOST_HEADER], freshDtab: freshOverrideTemplate(name) });
      if (!result) throw new Error(`overrides: wrk gave no result; see logs/${name}.log`);
      sent += result.requests;
      errors += result.errors;
      rates.push(result.rps);
      samples.push({ atS: (performance.now() - t0) / 1000, overrides: sent, rssBytes: groupRssBytes(pg) });
    }
    if (sent < goal) this.notes.push(`overrides: stopped after ${maxRounds} rounds with ${sent} of ${goal} overrides sent`);
    this.overrides = { target: sy.name, samples, rps: median(rates), errors };
    const s = samples[samples.length - 1]!;
    this.log(`  RSS ${(samples[0]!.rssBytes / 2 ** 20).toFixed(1)} → ${(s.rssBytes / 2 ** 20).toFixed(1)} MiB after ${sent} overrides, ${errors} errors`);
  }

  private async multicorePhase(): Promise<void> {
    const main = this.targets.get('switchyard');
    if (!main) { this.notes.push('multicore: skipped, Switchyard is not among --targets'); return; }
    const workersCmd = this.opts.workersCmd ?? detectWorkersCommand(root);
    this.log(`multicore: nothing pinned; Switchyard with 1 worker${workersCmd ? ' and 2 workers' : ''}`);
    const unpinned = ['direct', 'nginx', 'switchyard'].flatMap((n) => this.targets.get(n as TargetName)?.group ?? []).concat(this.upstream);
    for (const g of unpinned) setGroupAffinity(g.pgid, ALL_CPUS);
    let two: Target | undefined;
    try {
      const ts: Target[] = [this.targets.get('direct')!, this.targets.get('nginx')!, { ...main, name: 'switchyard ×1' }];
      const cores = os.availableParallelism();
      if (workersCmd) {
        two = { ...(await startSwitchyard(this.env, 'switchyard-w2', workersCmd, this.discoveryDir, undefined, 2)), name: 'switchyard ×2' };
        ts.push(two);
        this.multicore = { twoWorkers: undefined, cores };
      } else {
        this.multicore = { twoWorkers: '2 workers: not measured, `switchyard run` has no --workers option yet (pass --workers-cmd \'… {workers} … {config}\' to measure one)', cores };
      }
      const load: LoadContext = { ...this.load, cpus: undefined };
      const run = (t: Target, name: string, seconds: number, fresh: boolean) => runWrk(load, name,
        { port: t.port, path: '/', connections: CONNECTIONS, seconds, headers: [HOST_HEADER], freshDtab: fresh ? freshOverrideTemplate(name) : undefined });
      // Plain requests leave Switchyard a part of the machine only (the upstream and wrk take the
      // rest); a fresh override on every request makes the proxy the bottleneck, where a second
      // worker has something to show.
      const rounds: [string, Target[]][] = [['plain', ts]];
      if (two) rounds.push(['fresh', ts.filter((t) => t.name.startsWith('switchyard'))]);
      for (const [scenario, targets] of rounds) {
        const fresh = scenario === 'fresh';
        for (const t of targets) await run(t, `warmup-mc-${scenario}-${t.name.replace(/\W+/g, '')}`, Math.max(1, this.opts.warmupS), fresh);
        for (let rep = 1; rep <= this.opts.reps; rep++) {
          for (const t of rotate(targets, rep - 1)) {
            await this.measure({ phase: 'multicore', scenario, target: t, rep, connections: CONNECTIONS, offeredRps: NaN }, async (name) =>
              (await run(t, name, this.opts.durationS, fresh)).result);
          }
        }
      }
    } finally {
      if (two?.group) await this.procs.stop(two.group);
      for (const g of unpinned) setGroupAffinity(g.pgid, (g === this.upstream ? this.layout.upstream : this.layout.proxy) ?? ALL_CPUS);
    }
  }

  private async soakPhase(): Promise<void> {
    const minutes = this.opts.soakMinutes;
    if (minutes <= 0) { this.notes.push('soak: skipped (--soak-minutes 0)'); return; }
    const sy = this.targets.get('switchyard');
    if (!sy) { this.notes.push('soak: skipped, Switchyard is not among --targets'); return; }
    const peak = await this.peak('switchyard');
    const rate = peak.rps / 2;
    const everyS = Math.max(10, Math.round((minutes * 60) / 20));
    this.log(`soak: ${minutes} min at ${Math.round(rate)} req/s (50 % of Switchyard's peak: ${peak.basis}), RSS every ${everyS} s`);
    const pg = sy.group!.pgid;
    const samples: MemorySample[] = [{ atS: 0, rssBytes: groupRssBytes(pg) }];
    const intervals: SoakReport['intervals'][number][] = [];
    const rec = await this.measure({ phase: 'soak', scenario: 'soak', target: sy, rep: 1, connections: CONNECTIONS, offeredRps: rate }, async (name) =>
      (await runRate(this.load, name, { port: sy.port, path: '/', rate, seconds: minutes * 60, connections: CONNECTIONS, headers: [HOST_HEADER], reportEveryS: everyS }, (line) => {
        if (!line.startsWith('INTERVAL ')) return;
        const kv = Object.fromEntries(line.slice(9).split(' ').map((p) => p.split('=')).map(([k, v]) => [k, Number(v)]));
        const atS = kv.t_s ?? NaN;
        intervals.push({ atS, rps: kv.rps ?? NaN, p99Us: kv.p99_us ?? NaN, errors: kv.errors ?? NaN });
        samples.push({ atS, rssBytes: groupRssBytes(pg) });
        this.log(`  soak ${(atS / 60).toFixed(1)} min: ${Math.round(kv.rps ?? 0)} req/s, p99 ${((kv.p99_us ?? NaN) / 1000).toFixed(3)} ms, RSS ${(samples[samples.length - 1]!.rssBytes / 2 ** 20).toFixed(1)} MiB`);
      })).result, 0); // a soak is too long to repeat; its noise is reported instead
    this.soak = { minutes, offeredRps: rate, result: rec, intervals, samples };
  }

  // ---------------------------------------------------------------- output

  private async report(): Promise<void> {
    if (this.switchyardAdminPort) {
      try {
        const { body } = await get(this.switchyardAdminPort, {}, '/admin/metrics.json');
        writeFileSync(join(this.out, 'switchyard-metrics.json'), body);
      } catch (e) {
        this.notes.push(`could not read Switchyard's /admin/metrics.json: ${(e as Error).message}`);
      }
    }
    const o = this.opts;
    const collected: Collected = {
      meta: this.meta,
      options: { quick: o.quick, reps: o.reps, durationS: o.durationS, warmupS: o.warmupS, only: [...o.only], targets: o.targets, soakMinutes: o.soakMinutes, idleConns: o.idleConns, overrides: o.overrides, costPairs: o.costPairs, switchyardCmd: o.switchyardCmd, workersCmd: o.workersCmd ?? null },
      runs: this.runs, idle: this.idle, rate: this.rate, overrides: this.overrides, multicore: this.multicore, soak: this.soak, notes: this.notes,
    };
    const md = writeResults(this.out, collected);
    this.log(`\n${md}`);
    this.log(`results in ${this.out}`);
  }
}

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
    process.stderr.write('bench: dist/src/cli/main.js is missing; build first (npm run build)\n');
    return 2;
  }
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-');
  const suite = await Suite.create(opts, resolve(opts.out ?? join(benchDir, 'results', stamp)));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\nbench: ${signal}, stopping everything it started…\n`);
    void suite.stop().finally(() => process.exit(130));
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  try {
    await suite.run();
    return 0;
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 1;
  } finally {
    if (!stopping) await suite.stop();
  }
}

process.exitCode = await main();
// Nothing the suite started may keep it alive.
process.exit();
