/**
 * `io.l5d.k8s.daemonset`: sends each request to the Switchyard of the node where its destination
 * runs (linker-to-linker), instead of to the destination itself. The daemonset's own endpoints
 * are bound through the Kubernetes API as `/<namespace>/<port>/<service>` (typically
 * `default/incoming/l5d`), and every destination address is replaced by the daemonset pods on
 * the same node: the same /24 subnet, or, with `hostNetwork: true`, the same `nodeName`.
 *
 * Ids become `/%/io.l5d.k8s.daemonset/<namespace>/<port>/<service>/…`. A destination with no
 * daemonset pod on its node leaves its set empty, which is Neg: the request fails (502) rather
 * than bypass the mesh.
 */
import { z } from 'zod';
import type { TransformerPlugin } from '../../config/plugin.js';
import { derive } from '../../naming/activity.js';
import { Addr, type Address } from '../../naming/addr.js';
import { BoundName } from '../../naming/namer.js';
import { Path } from '../../naming/path.js';
import { uniqueAddresses } from '../addresses.js';
import { K8sApi } from '../k8s/api.js';
import { apiAddressShape, apiTarget, checkCredentialsNeedInCluster, inClusterShape } from '../k8s/connection.js';
import { K8sNamer } from '../k8s/namer.js';
import { nodeNameOf, sameSubnet24 } from '../k8s/node.js';
import { addressTransformer, transformerPrefix } from './bound-rewriter.js';

const schema = z.strictObject({
  kind: z.literal('io.l5d.k8s.daemonset'),
  namespace: z.string().min(1),
  service: z.string().min(1),
  /** The daemonset's port, by name (`incoming`) or Service port number. */
  port: z.union([z.string().min(1), z.number().int().min(1).max(65535)]).transform(String),
  hostNetwork: z.boolean().default(false),
  ...apiAddressShape('k8sHost', 'k8sPort'),
  ...inClusterShape,
  useEndpointSlices: z.boolean().default(true),
}).superRefine(checkCredentialsNeedInCluster);

export type K8sDaemonsetConfig = z.infer<typeof schema>;

export const k8sDaemonsetTransformer: TransformerPlugin<K8sDaemonsetConfig> = {
  kind: 'io.l5d.k8s.daemonset',
  schema,
  create(config, ctx) {
    const api = new K8sApi(apiTarget(config.kind, { ...config, host: config.k8sHost, port: config.k8sPort }, ctx.baseDir), ctx.clock);
    const namer = new K8sNamer(Path.of('#', 'io.l5d.k8s'), { api, clock: ctx.clock, log: ctx.log, useEndpointSlices: config.useEndpointSlices });
    const daemonset = namer.lookup(Path.of(config.namespace, config.port, config.service));
    // The daemonset pods' addresses: none while the service or port does not exist.
    const gateways = derive((read): readonly Address[] => {
      const tree = read(daemonset);
      if (tree.kind !== 'leaf' || !(tree.value instanceof BoundName)) return [];
      const addr = read(tree.value.addr);
      return addr.type === 'bound' ? addr.addresses : [];
    });
    const sameNode = config.hostNetwork
      ? (a: Address, g: Address) => nodeNameOf(a) !== undefined && nodeNameOf(a) === nodeNameOf(g)
      : (a: Address, g: Address) => sameSubnet24(a.host, g.host);
    const transformer = addressTransformer(
      transformerPrefix(config.kind, config.namespace, config.port, config.service),
      (addr, read) => {
        if (addr.type !== 'bound') return addr;
        const pods = read(gateways);
        const selected = uniqueAddresses(addr.addresses.flatMap((a) => pods.filter((g) => sameNode(a, g))));
        return selected.length === 0 ? Addr.neg : Addr.bound(selected, addr.meta);
      },
    );
    return { ...transformer, close: () => namer.close() };
  },
};
