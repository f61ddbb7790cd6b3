/**
 * The Kubernetes namers as plugins:
 * - `io.l5d.k8s`: `/#/io.l5d.k8s/<namespace>/<port name or number>/<service>[/<label value>]`;
 * - `io.l5d.k8s.ns`: the same within the router's own namespace, read from an environment
 *   variable (`POD_NAMESPACE`): `/#/io.l5d.k8s.ns/<port>/<service>[/<label value>]`.
 */
import { z } from 'zod';
import type { NamerPlugin, PluginContext } from '../../config/plugin.js';
import type { Path } from '../../naming/path.js';
import { K8sApi } from './api.js';
import { apiAddressShape, apiTarget, checkCredentialsNeedInCluster, inClusterShape } from './connection.js';
import { K8sNamer } from './namer.js';

/** A label key, `[prefix/]name` as Kubernetes allows it. */
const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, 'not a Kubernetes label key');

const commonShape = {
  prefix: z.string().optional(),
  /** Linkerd 1 required this on its k8s namers; accepted and ignored. */
  experimental: z.boolean().optional(),
  ...apiAddressShape('host', 'port'),
  ...inClusterShape,
  /** Label key: its value becomes a path segment, and only endpoints with that label value are used. */
  labelSelector: labelKey.optional(),
  /** false: read the legacy Endpoints API (`v1`) instead of EndpointSlices (`discovery.k8s.io/v1`). */
  useEndpointSlices: z.boolean().default(true),
};

const k8sSchema = z.strictObject({ kind: z.literal('io.l5d.k8s'), ...commonShape }).superRefine(checkCredentialsNeedInCluster);
export type K8sNamerConfig = z.infer<typeof k8sSchema>;

const k8sNsSchema = z.strictObject({
  kind: z.literal('io.l5d.k8s.ns'),
  ...commonShape,
  /** The environment variable holding the namespace (set it from the downward API's `metadata.namespace`). */
  envVar: z.string().min(1).default('POD_NAMESPACE'),
}).superRefine(checkCredentialsNeedInCluster);
export type K8sNsNamerConfig = z.infer<typeof k8sNsSchema>;

export const k8sNamer: NamerPlugin<K8sNamerConfig> = {
  kind: 'io.l5d.k8s',
  defaultPrefix: 'io.l5d.k8s',
  schema: k8sSchema,
  create(config, ctx, prefix) {
    return createNamer(config, ctx, prefix);
  },
};

export const k8sNsNamer: NamerPlugin<K8sNsNamerConfig> = {
  kind: 'io.l5d.k8s.ns',
  defaultPrefix: 'io.l5d.k8s.ns',
  schema: k8sNsSchema,
  create(config, ctx, prefix) {
    const namespace = process.env[config.envVar];
    if (!namespace) throw new Error(`io.l5d.k8s.ns: the environment variable ${config.envVar} is not set; it must hold this pod's namespace`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63) {
      throw new Error(`io.l5d.k8s.ns: ${config.envVar}="${namespace}" is not a namespace name`);
    }
    return createNamer(config, ctx, prefix, namespace);
  },
};

function createNamer(config: K8sNamerConfig | K8sNsNamerConfig, ctx: PluginContext, prefix: Path, namespace?: string): K8sNamer {
  const api = new K8sApi(apiTarget(config.kind, config, ctx.baseDir), ctx.clock);
  return new K8sNamer(prefix, {
    api,
    clock: ctx.clock,
    log: ctx.log,
    useEndpointSlices: config.useEndpointSlices,
    ...(config.labelSelector !== undefined ? { labelSelector: config.labelSelector } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
  });
}
