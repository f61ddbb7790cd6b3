/** `io.l5d.header.token` (the default): `dstPrefix/<raw header value>` as one label. */
import { z } from 'zod';
import { Path } from '../../../naming/path.js';
import { header, Memo, type Identified, type IdentifierPlugin } from '../identifier.js';

const schema = z.strictObject({ kind: z.literal('io.l5d.header.token'), header: z.string().min(1).default('Host') });

export const headerTokenIdentifier: IdentifierPlugin<z.infer<typeof schema>> = {
  kind: 'io.l5d.header.token',
  schema,
  create(config, { dstPrefix }) {
    const memo = new Memo<Identified>();
    const name = config.header.toLowerCase();
    const absent: Identified = { ok: false, reason: `${config.header} header is absent` };
    // Header values arrive as latin1 text: one char per byte, as our labels are.
    const make = (value: string): Identified => ({ ok: true, path: dstPrefix.concat(Path.fromLabels([value])) });
    return {
      identify(req) {
        const value = header(req, name);
        if (!value) return absent;
        return memo.get(value, make);
      },
    };
  },
};
