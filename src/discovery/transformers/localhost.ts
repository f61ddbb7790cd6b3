/**
 * `io.l5d.localhost`: keeps only the addresses of this host, so an incoming router sends
 * traffic only to local instances. Local means an address of one of this machine's network
 * interfaces (read once, when the transformer is created), an address this Switchyard's own
 * servers listen on (so hosts simulated on 127.0.0.2 and 127.0.0.3 stay apart), or the hostname
 * `localhost`. Other hostnames are not resolved and never count as local.
 */
import { networkInterfaces } from 'node:os';
import { z } from 'zod';
import type { TransformerPlugin } from '../../config/plugin.js';
import { IpSet } from '../addresses.js';
import { addressTransformer, filterAddr, transformerPrefix } from './bound-rewriter.js';

const schema = z.strictObject({ kind: z.literal('io.l5d.localhost') });

export const localhostTransformer: TransformerPlugin<z.infer<typeof schema>> = {
  kind: 'io.l5d.localhost',
  schema,
  create(_config, ctx) {
    const local = localAddresses(ctx.localAddresses ?? []);
    return addressTransformer(transformerPrefix('io.l5d.localhost'), (addr) =>
      filterAddr(addr, (a) => a.host.toLowerCase() === 'localhost' || local.has(a.host)));
  },
};

/** The IPs of this machine's interfaces, plus the ones this Switchyard listens on. */
function localAddresses(listening: readonly string[]): IpSet {
  const ips = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return new IpSet([...ips, ...listening]);
}
