/**
 * `io.l5d.specificHost`: keeps only the addresses of one host, given by IP or by name (resolved
 * once, when the transformer is created; all its IPs count). Ids become
 * `/%/io.l5d.specificHost/<host>/…`, so routers configured with different hosts never share a client.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Transformer, TransformerPlugin } from '../../config/plugin.js';
import { ActivitySource } from '../../naming/activity.js';
import { IpSet } from '../addresses.js';
import { errorMessage } from '../errors.js';
import type { HostLookup } from '../inet.js';
import { addressTransformer, filterAddr, transformerPrefix } from './bound-rewriter.js';

const schema = z.strictObject({
  kind: z.literal('io.l5d.specificHost'),
  host: z.string().min(1),
});

export const specificHostTransformer: TransformerPlugin<z.infer<typeof schema>> = {
  kind: 'io.l5d.specificHost',
  schema,
  create({ host }) { return createSpecificHostTransformer(host); },
};

/**
 * The transformer for `host`. Until a hostname has resolved, transformed address sets are
 * pending; if it cannot be resolved they fail with the reason.
 */
export function createSpecificHostTransformer(
  host: string,
  lookup: HostLookup = (hostname, options) => dns.lookup(hostname, options),
): Transformer {
  const ips = new ActivitySource<IpSet>();
  if (isIP(host) !== 0) {
    ips.update(new IpSet([host]));
  } else {
    Promise.resolve().then(() => lookup(host, { all: true })).then(
      (found) => ips.update(new IpSet(found.map((a) => a.address))),
      (e) => ips.fail(new Error(`io.l5d.specificHost: cannot resolve ${host}: ${errorMessage(e)}`)),
    );
  }
  return addressTransformer(transformerPrefix('io.l5d.specificHost', host), (addr, read) => {
    if (addr.type !== 'bound') return addr;
    const set = read(ips);
    return filterAddr(addr, (a) => set.has(a.host));
  });
}
