/** Command-line options of the suite (`bench/run.sh --help`). */
import { parseArgs } from 'node:util';
import { SCENARIO_IDS, TARGETS, type TargetName } from './scenarios.js';

export const USAGE = `Usage: bench/run.sh [options]      (npm run bench -- [options])

Benchmarks Switchyard against direct, nginx, HAProxy, @fastify/http-proxy and http-proxy on
127.0.0.1 (sidecar layout: proxy and upstream share cpu0, load generators on cpu1).

  --quick              smoke run: 1 repetition, 3 s runs, 1 s warm-up, short phases
  --reps N             interleaved repetitions (default 5)
  --duration S         seconds per load run (default 6)
  --warmup S           warm-up per target before measuring (default 3)
  --only LIST          comma-separated scenarios/phases to run (default: all):
                       ${SCENARIO_IDS.join(', ')}
  --targets LIST       comma-separated targets (default: all; direct and nginx are always kept):
                       ${TARGETS.join(', ')}
  --soak-minutes N     soak length (default 10; 0 skips the soak)
  --idle-conns N       idle keep-alive connections (default 10000)
  --overrides N        distinct l5d-dtab overrides for the memory phase (default 300000; RSS is
                       also reported after the first 100000)
  --cost-pairs N       plain/override run pairs for the override-cost phase (default 10; 2 with --quick)
  --switchyard-cmd T   how to start Switchyard; {config} is replaced by the config path
                       (default: node dist/src/cli/main.js run {config})
  --workers-cmd T      how to start Switchyard with {workers} workers (multi-core phase);
                       default: the --workers option of \`switchyard run\` when it has one
  --max-other PCT      a run during which other processes used more than PCT % of a core is
                       marked noisy and retried (default 25)
  --retries N          retries of a noisy run (default 1; 0 with --quick)
  --quiet-wait S       before each run, wait up to S s for the machine to be quiet (default 5)
  --out DIR            results directory (default bench/results/<timestamp>)
  -h, --help           this text`;

export interface Options {
  readonly quick: boolean;
  readonly reps: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly only: ReadonlySet<string>;
  readonly targets: readonly TargetName[];
  readonly soakMinutes: number;
  readonly idleConns: number;
  readonly costPairs: number;
  readonly overrides: number;
  readonly switchyardCmd: string;
  readonly workersCmd: string | undefined;
  readonly maxOtherPct: number;
  readonly retries: number;
  readonly quietWaitS: number;
  readonly out: string | undefined;
  readonly help: boolean;
}

export const DEFAULT_SWITCHYARD_CMD = 'node dist/src/cli/main.js run {config}';

/** Parses argv; throws an Error whose message says which option is wrong and why. */
export function parseOptions(argv: readonly string[]): Options {
  const { values: v } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      reps: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      targets: { type: 'string' },
      'soak-minutes': { type: 'string', default: '10' },
      'idle-conns': { type: 'string', default: '10000' },
      overrides: { type: 'string' },
      'cost-pairs': { type: 'string' },
      'switchyard-cmd': { type: 'string', default: DEFAULT_SWITCHYARD_CMD },
      'workers-cmd': { type: 'string' },
      'max-other': { type: 'string', default: '25' },
      retries: { type: 'string' },
      'quiet-wait': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = v.quick!;
  const num = (name: string, text: string | undefined, dflt: number, min: number): number => {
    if (text === undefined) return dflt;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} ${text}: expected a number ≥ ${min}`);
    return n;
  };
  const list = <T extends string>(name: string, text: string | undefined, known: readonly T[]): T[] | undefined => {
    if (text === undefined) return undefined;
    const items = text.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((i) => !known.includes(i as T));
    if (bad.length) throw new Error(`--${name}: unknown ${bad.join(', ')} (known: ${known.join(', ')})`);
    return items as T[];
  };
  const only = list('only', v.only, SCENARIO_IDS);
  const chosen = list('targets', v.targets, TARGETS);
  const targets = chosen ? TARGETS.filter((t) => t === 'direct' || t === 'nginx' || chosen.includes(t)) : [...TARGETS];
  const cmd = (name: string, text: string | undefined, placeholders: string[]): string | undefined => {
    if (text === undefined) return undefined;
    const missing = placeholders.filter((p) => !text.includes(`{${p}}`));
    if (missing.length) throw new Error(`--${name}: the command must contain ${missing.map((p) => `{${p}}`).join(' and ')}`);
    return text;
  };
  return {
    quick,
    reps: num('reps', v.reps, quick ? 1 : 5, 1),
    durationS: num('duration', v.duration, quick ? 3 : 6, 1),
    warmupS: num('warmup', v.warmup, quick ? 1 : 3, 0),
    only: new Set(only ?? SCENARIO_IDS),
    targets,
    soakMinutes: num('soak-minutes', v['soak-minutes'], 10, 0),
    idleConns: num('idle-conns', v['idle-conns'], 10_000, 1),
    overrides: num('overrides', v.overrides, quick ? 20_000 : 300_000, 1),
    costPairs: num('cost-pairs', v['cost-pairs'], quick ? 2 : 10, 1),
    switchyardCmd: cmd('switchyard-cmd', v['switchyard-cmd'], ['config'])!,
    workersCmd: cmd('workers-cmd', v['workers-cmd'], ['config', 'workers']),
    maxOtherPct: num('max-other', v['max-other'], 25, 0),
    retries: num('retries', v.retries, quick ? 0 : 1, 0),
    quietWaitS: num('quiet-wait', v['quiet-wait'], quick ? 0 : 5, 0),
    out: v.out,
    help: v.help!,
  };
}
