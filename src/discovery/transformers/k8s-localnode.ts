/**
 * `io.l5d.k8s.localnode`: keeps only the addresses on this Switchyard's own node, so an incoming
 * router hands requests to local pods only (the other half of linker-to-linker). On this node
 * means in the same /24 subnet as this pod's IP (`podIp`, default the `POD_IP` environment
 * variable), or, with `hostNetwork: true`, the endpoint's `nodeName` equal to this node's name
 * (`nodeName`, default `NODE_NAME`). Set both variables from the downward API.
 *
 * Ids become `/%/io.l5d.k8s.localnode/<pod IP or node name>/…`. A set left empty is Neg.
 */
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import type { TransformerPlugin } from '../../config/plugin.js';
import { nodeNameOf, sameSubnet24 } from '../k8s/node.js';
import { addressTransformer, filterAddr, transformerPrefix } from './bound-rewriter.js';

const schema = z.strictObject({
  kind: z.literal('io.l5d.k8s.localnode'),
  hostNetwork: z.boolean().default(false),
  podIp: z.string().refine((s) => isIPv4(s), 'not an IPv4 address').optional(),
  nodeName: z.string().min(1).optional(),
});

export type K8sLocalnodeConfig = z.infer<typeof schema>;

export const k8sLocalnodeTransformer: TransformerPlugin<K8sLocalnodeConfig> = {
  kind: 'io.l5d.k8s.localnode',
  schema,
  create(config) {
    if (config.hostNetwork) {
      const nodeName = config.nodeName ?? process.env.NODE_NAME;
      if (!nodeName) throw new Error(`${config.kind}: with hostNetwork it needs this node's name: set NODE_NAME (downward API spec.nodeName) or nodeName`);
      return addressTransformer(transformerPrefix(config.kind, nodeName), (addr) => filterAddr(addr, (a) => nodeNameOf(a) === nodeName));
    }
    const podIp = config.podIp ?? process.env.POD_IP;
    if (!podIp) throw new Error(`${config.kind}: it needs this pod's IP: set POD_IP (downward API status.podIP) or podIp`);
    if (!isIPv4(podIp)) throw new Error(`${config.kind}: POD_IP "${podIp}" is not an IPv4 address; on IPv6 clusters use hostNetwork: true with NODE_NAME`);
    return addressTransformer(transformerPrefix(config.kind, podIp), (addr) => filterAddr(addr, (a) => sameSubnet24(a.host, podIp)));
  },
};
