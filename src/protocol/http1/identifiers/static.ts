/** `io.l5d.static`: every request gets `dstPrefix ++ path`. */
import { z } from 'zod';
import { Path } from '../../../naming/path.js';
import type { IdentifierPlugin } from '../identifier.js';

const schema = z.strictObject({ kind: z.literal('io.l5d.static'), path: z.string() });

export const staticIdentifier: IdentifierPlugin<z.infer<typeof schema>> = {
  kind: 'io.l5d.static',
  schema,
  create(config, { dstPrefix }) {
    const result = { ok: true as const, path: dstPrefix.concat(Path.read(config.path)) };
    return { identify: () => result };
  },
};
