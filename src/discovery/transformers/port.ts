/**
 * `io.l5d.port`: sends every address to a fixed port instead, typically the incoming router of a
 * peer on the same host (linker-to-linker). Ids become `/%/io.l5d.port/<port>/…`.
 */
import { z } from 'zod';
import type { TransformerPlugin } from '../../config/plugin.js';
import { Addr } from '../../naming/addr.js';
import { uniqueAddresses } from '../addresses.js';
import { addressTransformer, transformerPrefix } from './bound-rewriter.js';

const schema = z.strictObject({
  kind: z.literal('io.l5d.port'),
  port: z.number().int().min(1).max(65535),
});

export const portTransformer: TransformerPlugin<z.infer<typeof schema>> = {
  kind: 'io.l5d.port',
  schema,
  create({ port }) {
    return addressTransformer(transformerPrefix('io.l5d.port', String(port)), (addr) =>
      addr.type !== 'bound'
        ? addr
        // Two ports of one host become one endpoint.
        : Addr.bound(uniqueAddresses(addr.addresses.map((a) => ({ ...a, port }))), addr.meta));
  },
};
