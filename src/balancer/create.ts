/**
 * `client.loadBalancer`: the kinds, their config schemas and the factory. Linkerd's default is
 * p2c with a max effort of 5.
 */
import { z } from 'zod';
import { ApertureBalancer, apertureConfigSchema, DEFAULT_APERTURE } from './aperture.js';
import { DEFAULT_MAX_EFFORT, type Balancer, type BalancerDeps, type BalancerNode } from './balancer.js';
import { DEFAULT_DECAY_TIME_MS, ewmaConfigSchema, PeakEwmaBalancer } from './ewma.js';
import { heapConfigSchema, LeastLoadedBalancer } from './least-loaded.js';
import { P2CBalancer, p2cConfigSchema } from './p2c.js';
import { RoundRobinBalancer, roundRobinConfigSchema } from './round-robin.js';

/** Each kind's config schema, by kind. */
export const balancerSchemas = {
  p2c: p2cConfigSchema,
  ewma: ewmaConfigSchema,
  roundRobin: roundRobinConfigSchema,
  aperture: apertureConfigSchema,
  heap: heapConfigSchema,
} as const;

export type BalancerKind = keyof typeof balancerSchemas;

export const loadBalancerConfigSchema = z.discriminatedUnion('kind', [
  p2cConfigSchema, ewmaConfigSchema, roundRobinConfigSchema, apertureConfigSchema, heapConfigSchema,
]);
export type LoadBalancerConfig = z.infer<typeof loadBalancerConfigSchema>;

export const DEFAULT_LOAD_BALANCER: LoadBalancerConfig = { kind: 'p2c' };

/** A balancer for one client, as its `loadBalancer` block (default p2c) describes. */
export function createBalancer<N extends BalancerNode>(config: LoadBalancerConfig | undefined, deps: BalancerDeps): Balancer<N> {
  const c = config ?? DEFAULT_LOAD_BALANCER;
  const { clock, random } = deps;
  switch (c.kind) {
    case 'p2c': return new P2CBalancer(c.maxEffort ?? DEFAULT_MAX_EFFORT, random);
    case 'ewma': return new PeakEwmaBalancer(c.maxEffort ?? DEFAULT_MAX_EFFORT, c.decayTimeMs ?? DEFAULT_DECAY_TIME_MS, random, clock);
    case 'roundRobin': return new RoundRobinBalancer(c.maxEffort ?? DEFAULT_MAX_EFFORT, random);
    case 'heap': return new LeastLoadedBalancer(random);
    case 'aperture': return new ApertureBalancer({
      maxEffort: c.maxEffort ?? DEFAULT_MAX_EFFORT,
      smoothWindowMs: c.smoothWindowMs ?? DEFAULT_APERTURE.smoothWindowMs,
      lowLoad: c.lowLoad ?? DEFAULT_APERTURE.lowLoad,
      highLoad: c.highLoad ?? DEFAULT_APERTURE.highLoad,
      minAperture: c.minAperture ?? DEFAULT_APERTURE.minAperture,
    }, random, clock);
  }
}
