/**
 * The targets and scenarios of the suite. Closed-loop scenarios (wrk) form the main table and are
 * interleaved: every repetition runs every scenario, each with its targets in a rotated order.
 * The other phases (idle connections, constant rate, memory, multi-core, soak) follow them.
 */
import { REPEATED_OVERRIDE } from './routes.js';

export const TARGETS = ['direct', 'nginx', 'haproxy', 'fastify', 'http-proxy', 'node-pipe', 'switchyard'] as const;
export type TargetName = (typeof TARGETS)[number];

export const TARGET_TITLES: Readonly<Record<TargetName, string>> = {
  direct: 'direct (no proxy)',
  nginx: 'nginx',
  haproxy: 'HAProxy',
  fastify: '@fastify/http-proxy',
  'http-proxy': 'http-proxy',
  'node-pipe': 'Node TCP pipe (floor)',
  switchyard: 'Switchyard',
};

/**
 * Off-the-shelf Node proxies: Switchyard's throughput target is relative to the best of them.
 * (node-pipe is not one: it copies bytes between paired connections, the floor under any of them.)
 */
export const NODE_PEERS: readonly TargetName[] = ['fastify', 'http-proxy'];

/**
 * Who runs the idle-connections phase: not the pipe, which opens an upstream connection for each
 * client one, so what its idle connections cost is the upstream's memory, not its own.
 */
export const IDLE_TARGETS: readonly TargetName[] = TARGETS.filter((t) => t !== 'node-pipe');

/** How a scenario sets `l5d-dtab`. */
export type Override = 'none' | 'repeated' | 'fresh';

export interface LoadScenario {
  readonly id: string;
  readonly title: string;
  readonly connections: number;
  readonly path: string;
  readonly override: Override;
  /** Who runs it; direct and nginx always, for the ratios. */
  readonly targets: readonly TargetName[];
}

const OVERRIDE_TARGETS: readonly TargetName[] = ['direct', 'nginx', 'switchyard'];

export const LOAD_SCENARIOS: readonly LoadScenario[] = [
  { id: 'plain', title: 'GET, 64 connections (throughput)', connections: 64, path: '/', override: 'none', targets: TARGETS },
  { id: 'latency', title: 'GET, 1 connection (latency)', connections: 1, path: '/', override: 'none', targets: TARGETS },
  { id: 'override', title: `GET with a 2-entry l5d-dtab, the same on every request (\`${REPEATED_OVERRIDE}\`), 64 connections`, connections: 64, path: '/', override: 'repeated', targets: OVERRIDE_TARGETS },
  { id: 'override-fresh', title: 'GET with a 2-entry l5d-dtab that is new on every request, 64 connections', connections: 64, path: '/', override: 'fresh', targets: OVERRIDE_TARGETS },
  { id: 'body-1k', title: 'GET, 1 KiB response body, 64 connections', connections: 64, path: '/bytes/1024', override: 'none', targets: TARGETS },
  { id: 'body-64k', title: 'GET, 64 KiB response body, 64 connections', connections: 64, path: '/bytes/65536', override: 'none', targets: TARGETS },
];

/** Phases after the closed-loop table, in the order they run. */
export const PHASES = ['override-cost', 'idle', 'rate', 'overrides', 'multicore', 'soak'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_TITLES: Readonly<Record<Phase, string>> = {
  'override-cost': 'the cost of a repeated override: Switchyard at a fixed rate, without and with it, back to back',
  idle: 'idle keep-alive client connections (RSS)',
  rate: 'p99 at 50 % of nginx\'s peak rate (open loop)',
  overrides: 'RSS while sending distinct l5d-dtab overrides',
  multicore: 'multi-core: Switchyard with 1 and 2 workers',
  soak: 'soak at 50 % of Switchyard\'s peak rate',
};

export const SCENARIO_IDS: readonly string[] = [...LOAD_SCENARIOS.map((s) => s.id), ...PHASES];
