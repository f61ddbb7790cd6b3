/**
 * The Linkerd 1 config model (shared/spec/linkerd1-reference.md §1), validated with zod.
 * Plugin blocks (`kind: …`) are slots here: each is checked against its own plugin's schema
 * by validate.ts, so a plugin's keys live next to its implementation.
 */
import { z } from 'zod';
import { loadBalancerConfigSchema } from '../balancer/create.js';
import { clientPolicyShape, serviceConfigSchema } from '../resilience/config.js';
import { perPrefixConfigSchema } from '../resilience/static-config.js';

const port = z.number().int().min(0).max(65535);
const ip = z.string().min(1);
/** A `kind: …` block whose other keys the plugin's own schema checks. */
export const pluginSlot = z.looseObject({ kind: z.string() });
export type PluginBlock = z.infer<typeof pluginSlot>;

export const securitySchema = z.strictObject({
  uiEnabled: z.boolean().default(true),
  controlEnabled: z.boolean().default(true),
  diagnosticsEnabled: z.boolean().default(true),
  pathWhitelist: z.array(z.string()).default([]),
  pathBlacklist: z.array(z.string()).default([]),
});

export const adminSchema = z.strictObject({
  ip: ip.default('127.0.0.1'),
  port: port.default(9990),
  shutdownGraceMs: z.number().int().min(0).default(10_000),
  security: securitySchema.optional(),
  workerThreads: z.number().int().optional(),
});

export const serverSchema = z.strictObject({
  ip: ip.default('127.0.0.1'),
  port: port.default(4140),
  clearContext: z.boolean().default(false),
  maxConcurrentRequests: z.number().int().positive().optional(),
  maxCallDepth: z.number().int().positive().default(1000),
  timeoutMs: z.number().int().positive().optional(),
  label: z.string().optional(),
});

export const bindingCacheSchema = z.strictObject({
  paths: z.number().int().positive().default(1000),
  trees: z.number().int().positive().default(1000),
  bounds: z.number().int().positive().default(1000),
  clients: z.number().int().positive().default(1000),
  idleTtlSecs: z.number().int().positive().default(600),
});

/** `client.hostConnectionPool` (upstream connections per endpoint). */
export const hostConnectionPoolSchema = z.strictObject({
  minSize: z.number().int().min(0).default(0),
  maxSize: z.number().int().positive().optional(),
  idleTimeMs: z.number().int().positive().default(60_000),
  maxWaiters: z.number().int().positive().optional(),
});

/** `client`: params for every client (`io.l5d.global`), or per bound-id prefix (`io.l5d.static`). */
export const clientConfigSchema = perPrefixConfigSchema({
  ...clientPolicyShape,
  loadBalancer: loadBalancerConfigSchema.optional(),
  hostConnectionPool: hostConnectionPoolSchema.optional(),
});
export type ClientConfig = z.infer<typeof clientConfigSchema>;

export const routerSchema = z.strictObject({
  protocol: z.literal('http'),
  label: z.string().min(1).optional(),
  dtab: z.string().default(''),
  dstPrefix: z.string().default('/svc'),
  identifier: z.union([pluginSlot, z.array(pluginSlot).min(1)]).optional(),
  interpreter: z.strictObject({
    kind: z.literal('default').default('default'),
    transformers: z.array(pluginSlot).default([]),
  }).optional(),
  servers: z.array(serverSchema).min(1),
  bindingTimeoutMs: z.number().int().positive().default(10_000),
  bindingCache: bindingCacheSchema.optional(),
  client: clientConfigSchema.optional(),
  service: serviceConfigSchema.optional(),
  maxHeadersKB: z.number().int().positive().default(8),
  maxInitialLineKB: z.number().int().positive().default(4),
  maxErrResponseKB: z.number().int().positive().default(5120),
  httpAccessLog: z.string().optional(),
  streamingEnabled: z.boolean().default(true),
  originator: z.boolean().optional(),
  announcers: z.array(z.unknown()).optional(),
});

export const telemeterSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('io.l5d.prometheus'),
    path: z.string().default('/admin/metrics/prometheus'),
    prefix: z.string().default(''),
    /** `linkerd`: Linkerd 1's metric names (dashboards keep working); `prometheus`: names that pass promtool's lint. */
    naming: z.enum(['linkerd', 'prometheus']).default('linkerd'),
  }),
]);

export const configSchema = z.strictObject({
  admin: adminSchema.default({ ip: '127.0.0.1', port: 9990, shutdownGraceMs: 10_000 }),
  routers: z.array(routerSchema).min(1),
  namers: z.array(pluginSlot).default([]),
  telemetry: z.array(pluginSlot).default([]),
  usage: z.strictObject({ enabled: z.boolean().optional(), orgId: z.string().optional() }).optional(),
});

export type AdminConfig = z.infer<typeof adminSchema>;
export type ServerConfig = z.infer<typeof serverSchema>;
export type RouterConfig = z.infer<typeof routerSchema>;
export type Config = z.infer<typeof configSchema>;
export type TelemeterConfig = z.infer<typeof telemeterSchema>;
