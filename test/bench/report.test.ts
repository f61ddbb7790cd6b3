/**
 * The bench report's verdicts (bench/lib/report.ts, bench/lib/stats.ts): which runs each goal
 * reads, which medians it compares, and where each threshold falls. Built from hand-made runs,
 * so each test pins one rule; no load is generated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goals, readResults, table, writeResults, type Collected, type Goal, type RunRecord } from '../../bench/lib/report.js';
import { levelsOff } from '../../bench/lib/stats.js';

const MiB = 1024 * 1024;

function run(o: Partial<RunRecord> = {}): RunRecord {
  return {
    phase: 'load', scenario: 'plain', target: 'switchyard', rep: 1, attempt: 1, noisy: false, connections: 64, offeredRps: NaN,
    requests: 60_000, rps: 10_000, p50Us: 1_000, p90Us: 2_000, p99Us: 3_000, p999Us: 4_000, maxUs: 5_000, errors: 0, timeouts: 0,
    proxyCpuUsPerReq: 50, upstreamCpuUsPerReq: 20, proxyCpuPct: 50, loadCpuPct: 30, otherCpuPct: 1, rssBytes: 60 * MiB, pacingP99Us: NaN,
    ...o,
  };
}

function collected(o: Partial<Collected> = {}): Collected {
  return { meta: {}, options: {}, runs: [], idle: [], rate: undefined, overrides: undefined, multicore: undefined, soak: undefined, notes: [], ...o };
}

/** One run per repetition (rep 1, 2, …), each with its own value of `field`. */
function reps(base: Partial<RunRecord>, field: 'rps' | 'p99Us' | 'proxyCpuUsPerReq', values: readonly number[]): RunRecord[] {
  return values.map((v, i) => run({ ...base, rep: i + 1, [field]: v }));
}

// Looked up by a distinctive part of the goal's text rather than by position in the list.
const GOALS = {
  peer: /best off-the-shelf Node proxy/, nginx: /0\.6× nginx/, cost: /override costs/, p99: /^p99 at/, multicore: /^multi-core/,
  overridesRss: /distinct overrides/, soakRss: /soak/, errors: /fails no request/,
} as const;

function goal(c: Collected, key: keyof typeof GOALS): Goal {
  const found = goals(c).filter((g) => GOALS[key].test(g.goal));
  assert.equal(found.length, 1, `exactly one goal matches ${GOALS[key]}`);
  return found[0]!;
}

/** What a goal concluded, without its wording. */
const pick = (g: Goal): { measured: string; verdict: string } => ({ measured: g.measured, verdict: g.verdict });
const loadRps = (target: string, values: readonly number[]): RunRecord[] => reps({ target }, 'rps', values);

test('throughput vs Node peers: ≥ 1.2× the faster of fastify and http-proxy, n/a without them', () => {
  for (const [peers, expected] of [[[10_000, 8_000], 'PASS'], [[8_000, 10_000], 'PASS'], [[10_001, 8_000], 'MISS'], [[8_000, 10_001], 'MISS']] as const) {
    const c = collected({ runs: [...loadRps('switchyard', [12_000]), ...loadRps('fastify', [peers[0]]), ...loadRps('http-proxy', [peers[1]])] });
    assert.equal(goal(c, 'peer').verdict, expected, `switchyard 12000 vs fastify ${peers[0]}, http-proxy ${peers[1]}`);
  }
  // 1.1× the faster peer but 1.375× the slower: only the comparison with the best one misses.
  for (const [fastify, httpProxy] of [[8_000, 10_000], [10_000, 8_000]] as const) {
    const c = collected({ runs: [...loadRps('switchyard', [11_000]), ...loadRps('fastify', [fastify]), ...loadRps('http-proxy', [httpProxy])] });
    const g = goal(c, 'peer');
    assert.equal(g.verdict, 'MISS');
    assert.match(g.measured, /^1\.10×/);
  }
  // node-pipe is no peer, however slow.
  const alone = collected({ runs: [...loadRps('switchyard', [12_000]), ...loadRps('nginx', [20_000]), ...loadRps('node-pipe', [1_000])] });
  assert.deepEqual(pick(goal(alone, 'peer')), { measured: 'not measured', verdict: 'n/a' });
});

test('throughput vs nginx: the median over repetitions decides, ≥ 0.6× passes', () => {
  const nginx = loadRps('nginx', [10_000, 10_000, 10_000]);
  const cases = [
    // The mean (≈ 6 933) and the last run would pass; the median (5 900) misses.
    { sy: [5_900, 5_900, 9_000], verdict: 'MISS' },
    // The mean (≈ 5 333) and the last run would miss; the median sits on the threshold.
    { sy: [6_000, 7_000, 3_000], verdict: 'PASS' },
  ];
  for (const { sy, verdict } of cases) {
    assert.equal(goal(collected({ runs: [...nginx, ...loadRps('switchyard', sy)] }), 'nginx').verdict, verdict, `switchyard ${sy}`);
  }
  assert.deepEqual(pick(goal(collected({ runs: loadRps('switchyard', [6_000]) }), 'nginx')), { measured: 'not measured', verdict: 'n/a' });
});

test('table: medians over the repetitions where no target was noisy, over all when none is clean', () => {
  const sy = loadRps('switchyard', [1_000, 5_000, 2_000]);
  const nginx = loadRps('nginx', [4_000, 4_000, 4_000]);
  const noisyAt = (rs: RunRecord[], ...at: number[]): RunRecord[] => rs.map((r) => (at.includes(r.rep) ? { ...r, noisy: true } : r));
  const rowOf = (rows: ReturnType<typeof table>, target: string) => rows.find((r) => r.target === target)!;

  // nginx's noisy rep 2 takes Switchyard's rep 2 out too, so both are compared on reps 1 and 3.
  const some = table([...sy, ...noisyAt(nginx, 2)], 'load', 'plain');
  const syRow = rowOf(some, 'switchyard');
  assert.deepEqual([syRow.runs, syRow.noisy, syRow.used, syRow.rps.median], [3, 0, 2, 1_500]);
  assert.deepEqual([rowOf(some, 'nginx').noisy, rowOf(some, 'nginx').used], [1, 2]);
  assert.equal(syRow.rps.xNginx, 1_500 / 4_000);

  const all = rowOf(table([...noisyAt(sy, 1, 3), ...noisyAt(nginx, 2)], 'load', 'plain'), 'switchyard');
  assert.deepEqual([all.noisy, all.used, all.rps.median], [2, 3, 2_000]);
});

type Pair = readonly [plainCpu: number, overrideCpu: number, noisy?: 'plain' | 'override' | 'both'];

/** Switchyard's plain and override runs, one pair per rep; plain runs listed in reverse, so pairing by position would mismatch them. */
function pairs(ps: readonly Pair[], phase: RunRecord['phase'] = 'override-cost'): RunRecord[] {
  const side = (scenario: 'plain' | 'override') => ps.map(([plain, override, noisy], i) => run({
    phase, scenario, rep: i + 1, offeredRps: 6_000, proxyCpuUsPerReq: scenario === 'plain' ? plain : override,
    noisy: noisy === scenario || noisy === 'both',
  }));
  return [...side('plain').reverse(), ...side('override')];
}

test('override cost: median of per-pair proxy CPU ratios ≤ 5 %, pairs matched by rep, noisy pairs dropped', () => {
  const costGoal = (runs: RunRecord[]): Goal => goal(collected({ runs }), 'cost');

  // +3 %, +3 %, +4 %; pairing the reversed plain runs by position would give +106 %, −3 %, −74 %.
  const clean: Pair[] = [[100, 103], [200, 206], [50, 52]];
  assert.equal(costGoal(pairs(clean)).verdict, 'PASS');
  // +4 %, +10 %, +3 %: the median passes where the mean (+5.7 %) would not; and the other way round.
  assert.equal(costGoal(pairs([[100, 104], [100, 110], [100, 103]])).verdict, 'PASS');
  assert.equal(costGoal(pairs([[100, 106], [100, 100], [100, 106]])).verdict, 'MISS');
  // Load-phase runs do not count while the override-cost phase is there.
  assert.equal(costGoal([...pairs(clean), ...pairs([[100, 200]], 'load')]).verdict, 'PASS');

  // Three +50 % pairs, noisy on either side or both: dropped while clean pairs exist, used when none is.
  const noisy: Pair[] = [[100, 150, 'plain'], [100, 150, 'override'], [100, 150, 'both']];
  const mixed = costGoal(pairs([...clean, ...noisy]));
  assert.equal(mixed.verdict, 'PASS');
  assert.match(mixed.measured, /per clean pair/);
  const allNoisy = costGoal(pairs([...clean.map(([p, o]): Pair => [p, o, 'override']), ...noisy]));
  assert.equal(allNoisy.verdict, 'MISS');
  assert.doesNotMatch(allNoisy.measured, /clean/);

  // Without the phase, the load table's plain and override runs pair per repetition, Switchyard's only.
  const nginx = reps({ scenario: 'override', target: 'nginx' }, 'proxyCpuUsPerReq', [900, 900, 900]);
  const perRep = costGoal([...pairs(clean, 'load'), ...nginx]);
  assert.equal(perRep.verdict, 'PASS');
  assert.match(perRep.measured, /repetition/);
  assert.equal(costGoal([...pairs(clean.map(([p, o]): Pair => [p, o * 1.1]), 'load'), ...nginx]).verdict, 'MISS');
  assert.deepEqual(pick(costGoal([])), { measured: 'not measured', verdict: 'n/a' });
});

test('p99 at the rate phase: median p99 ≤ 1.5× nginx\'s passes, above misses', () => {
  const rated = (sy: readonly number[]): Collected => collected({
    rate: { offeredRps: 5_000, basis: 'test' },
    runs: [...reps({ phase: 'rate', scenario: 'rate', target: 'nginx', offeredRps: 5_000, proxyCpuUsPerReq: 30 }, 'p99Us', [1_000, 1_000, 1_000]),
      ...reps({ phase: 'rate', scenario: 'rate', target: 'switchyard', offeredRps: 5_000 }, 'p99Us', sy),
      // A closed-loop run with a tiny p99 must not enter the rate comparison.
      run({ p99Us: 10 })],
  });
  // Medians 1.5× (mean 4×) and 1.6× (mean 1.4×).
  assert.equal(goal(rated([1_500, 1_400, 9_000]), 'p99').verdict, 'PASS');
  // (proxy + upstream CPU per request) × offered rate: (50 + 20) µs × 5,000/s and (30 + 20) µs × 5,000/s.
  assert.match(goal(rated([1_500, 1_400, 9_000]), 'p99').measured, /load on the core shared with the upstream 35 % vs 25 %\)$/);
  assert.equal(goal(rated([1_600, 1_600, 1_000]), 'p99').verdict, 'MISS');
  assert.deepEqual(pick(goal(collected({ runs: [run({ p99Us: 10 })] }), 'p99')), { measured: 'not measured', verdict: 'n/a' });
  // The offered rate is the runs' own when the phase's record is missing.
  assert.match(goal({ ...rated([1_600, 1_600, 1_000]), rate: undefined }, 'p99').measured, /at 5,000 req\/s/);
});

test('multicore: fresh-override gain ≥ 1.5 on 4+ cores, n/a below 4 cores, not measured without runs', () => {
  const mc = (scenario: string, one: number, two: number): RunRecord[] => [
    ...reps({ phase: 'multicore', scenario, target: 'switchyard ×1' }, 'rps', [one, one]),
    ...reps({ phase: 'multicore', scenario, target: 'switchyard ×2' }, 'rps', [two, two]),
  ];
  // The plain gain points the other way each time, so only the fresh gain can give the verdict.
  const passing = [...mc('plain', 10_000, 10_000), ...mc('fresh', 4_000, 6_000)];
  const missing = [...mc('plain', 10_000, 20_000), ...mc('fresh', 4_000, 5_900)];
  for (const [runs, verdict] of [[passing, 'PASS'], [missing, 'MISS']] as const) {
    assert.equal(goal(collected({ runs, multicore: { twoWorkers: undefined, cores: 4 } }), 'multicore').verdict, verdict);
    const few = goal(collected({ runs, multicore: { twoWorkers: undefined, cores: 3 } }), 'multicore');
    assert.equal(few.verdict, 'n/a');
    assert.match(few.measured, /\b3 cores\b/);
  }
  assert.deepEqual(pick(goal(collected({ multicore: { twoWorkers: undefined, cores: 8 } }), 'multicore')), { measured: 'not measured', verdict: 'n/a' });
  // A result saved without its core count (read back as NaN) cannot say whether a core was spare.
  const unknown = goal(collected({ runs: mc('fresh', 4_000, 6_000), multicore: { twoWorkers: undefined, cores: NaN } }), 'multicore');
  assert.equal(unknown.verdict, 'n/a');
  assert.match(unknown.measured, /1\.50× with fresh overrides, –× plain; the machine's core count was not recorded/);
});

test('levelsOff: needs 4 samples; the second half may peak max(8 MiB, 10 %) above the first', () => {
  for (let n = 0; n < 4; n++) assert.equal(levelsOff(Array.from({ length: n }, () => 100 * MiB)), undefined);
  // 10 % of 100 MiB is above 8 MiB; 10 % of 20 MiB is below it.
  for (const [base, allowed] of [[100 * MiB, 10 * MiB], [20 * MiB, 8 * MiB]] as const) {
    assert.equal(levelsOff([base, base / 2, base / 2, base + allowed])?.ok, true, `${base / MiB} MiB + ${allowed / MiB} MiB`);
    assert.equal(levelsOff([base, base / 2, base / 2, base + allowed + 1])?.ok, false, `${base / MiB} MiB + ${allowed / MiB} MiB + 1 B`);
  }
  // Peaks, not the last sample: a sawtooth that ends low still fails if its second half peaked high.
  assert.equal(levelsOff([50 * MiB, 60 * MiB, 80 * MiB, 40 * MiB])?.ok, false);
  assert.deepEqual(levelsOff([1, 5, 9, 2, 3].map((x) => x * MiB)), { ok: true, firstHalfPeak: 5 * MiB, secondHalfPeak: 9 * MiB, allowed: 8 * MiB });
  // A sample that could not be read (NaN) is left out: it neither fails the series nor counts.
  assert.equal(levelsOff([100, 110, NaN, 105, 108].map((x) => x * MiB))?.ok, true);
  assert.equal(levelsOff([100, NaN, 110, 105].map((x) => x * MiB)), undefined);
});

test('RSS goals: the overrides and soak series level off or not; too few samples is not measured', () => {
  const level = [100, 120, 121, 122].map((x) => x * MiB);
  const leak = [100, 110, 120, 130].map((x) => x * MiB);
  const overrides = (rss: readonly number[]): Collected => collected({
    overrides: { target: 'switchyard', rps: 1_000, errors: 0, samples: rss.map((rssBytes, i) => ({ atS: i, overrides: i * 1_000, rssBytes })) },
  });
  const soak = (rss: readonly number[]): Collected => collected({
    soak: { minutes: 10, offeredRps: 1_000, result: undefined, intervals: [], samples: rss.map((rssBytes, i) => ({ atS: i * 60, rssBytes })) },
  });
  for (const [make, key] of [[overrides, 'overridesRss'], [soak, 'soakRss']] as const) {
    assert.equal(goal(make(level), key).verdict, 'PASS', key);
    assert.equal(goal(make(leak), key).verdict, 'MISS', key);
    assert.deepEqual(pick(goal(make(level.slice(0, 3)), key)), { measured: 'not measured', verdict: 'n/a' }, key);
    assert.deepEqual(pick(goal(make([]), key)), { measured: 'not measured', verdict: 'n/a' }, key);
  }
});

test('RSS over overrides: the level is judged over the whole phase, and RSS after the first 100,000 is reported', () => {
  const samples = [100, 150, 140, 160, 150, 158, 152].map((x, i) => ({ atS: i, overrides: i * 45_000, rssBytes: x * MiB }));
  const g = goal(collected({ overrides: { target: 'switchyard', rps: 1_000, errors: 0, samples } }), 'overridesRss');
  assert.match(g.goal, /over 270,000 distinct overrides/);
  assert.match(g.measured, /; 160\.0 MiB after 135,000$/);
  assert.equal(g.verdict, 'PASS');
});

test('errors: any error on a switchyard* run or in the overrides phase misses; other targets do not count', () => {
  const errorsGoal = (runs: RunRecord[], overridesErrors?: number): Goal => goal(collected({
    runs,
    overrides: overridesErrors === undefined ? undefined : { target: 'switchyard', rps: 1_000, errors: overridesErrors, samples: [{ atS: 0, overrides: 0, rssBytes: MiB }] },
  }), 'errors');
  const others = [run({ target: 'nginx', errors: 50 }), run({ target: 'fastify', errors: 7 })];
  assert.equal(errorsGoal([...others, run()]).verdict, 'PASS');
  assert.equal(errorsGoal([...others, run(), run({ phase: 'multicore', target: 'switchyard ×2', errors: 1 })]).verdict, 'MISS');
  assert.equal(errorsGoal([run({ phase: 'rate', scenario: 'rate', errors: 1 })]).verdict, 'MISS');
  assert.equal(errorsGoal([run()], 1).verdict, 'MISS');
  // `--only overrides` records no run: the phase's own count still decides.
  assert.equal(errorsGoal([], 5).verdict, 'MISS');
  assert.deepEqual(pick(errorsGoal([], 0)), { measured: '0 errors', verdict: 'PASS' });
  assert.deepEqual(pick(errorsGoal(others)), { measured: 'not measured', verdict: 'n/a' });
});

test('writeResults then readResults: the same goals, NaN written as null and read back as NaN', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-report-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const c = collected({
    meta: { commit: 'abc' },
    options: { reps: 3, workersCmd: null },
    runs: [
      ...loadRps('switchyard', [12_000, 12_500, 11_000]), ...loadRps('fastify', [9_000, 9_500, 9_100]),
      ...loadRps('nginx', [20_000, 21_000, 19_000]), ...reps({ target: 'direct', proxyCpuUsPerReq: NaN, proxyCpuPct: NaN }, 'rps', [30_000, 31_000, 29_000]),
      ...reps({ phase: 'override-cost', scenario: 'plain', offeredRps: 6_000 }, 'proxyCpuUsPerReq', [50, 52]),
      ...reps({ phase: 'override-cost', scenario: 'override', offeredRps: 6_000 }, 'proxyCpuUsPerReq', [51, 53]),
      ...reps({ phase: 'rate', scenario: 'rate', target: 'nginx', offeredRps: 10_000, pacingP99Us: 40 }, 'p99Us', [900, 1_000]),
      ...reps({ phase: 'rate', scenario: 'rate', target: 'switchyard', offeredRps: 10_000, pacingP99Us: 40 }, 'p99Us', [1_200, 1_300]),
      ...reps({ phase: 'multicore', scenario: 'fresh', target: 'switchyard ×1' }, 'rps', [4_000, 4_100]),
      ...reps({ phase: 'multicore', scenario: 'fresh', target: 'switchyard ×2' }, 'rps', [6_500, 6_400]),
    ],
    rate: { offeredRps: 10_000, basis: 'test' },
    overrides: { target: 'switchyard', rps: 5_000, errors: 0, samples: [0, 1, 2, 3].map((i) => ({ atS: i, overrides: i * 1_000, rssBytes: (60 + i) * MiB })) },
    multicore: { twoWorkers: undefined, cores: 4 },
    soak: { minutes: 1, offeredRps: 6_000, result: undefined, intervals: [{ atS: 60, rps: NaN, p99Us: 1_000, errors: 0 }], samples: [0, 1, 2, 3].map((i) => ({ atS: i * 15, rssBytes: 70 * MiB })) },
  });
  const md = writeResults(dir, c);
  assert.match(readFileSync(join(dir, 'summary.json'), 'utf8'), /"offeredRps": null/);
  const back = readResults(dir);
  assert.ok(Number.isNaN(back.runs[0]!.offeredRps));
  assert.deepEqual(back.options, { reps: 3, workersCmd: null });
  assert.ok(Number.isNaN(back.soak!.intervals[0]!.rps));

  const before = goals(c);
  assert.deepEqual(goals(back), before);
  // Every goal is measured here, so a round trip that lost a field could not hide behind n/a.
  assert.ok(before.every((g) => g.verdict !== 'n/a'), JSON.stringify(before.filter((g) => g.verdict === 'n/a')));
  for (const g of before) assert.ok(md.includes(`| ${g.goal} | ${g.measured} | ${g.verdict} |`), `## Targets line for ${g.goal}`);
});
