/** `io.l5d.header`: the header's value (default `l5d-name`) read as a path and appended to dstPrefix. */
import { z } from 'zod';
import { Path } from '../../../naming/path.js';
import { DtabSyntaxError } from '../../../naming/errors.js';
import { header, Memo, type Identified, type IdentifierPlugin } from '../identifier.js';

const schema = z.strictObject({ kind: z.literal('io.l5d.header'), header: z.string().min(1).default('l5d-name') });

export const headerPathIdentifier: IdentifierPlugin<z.infer<typeof schema>> = {
  kind: 'io.l5d.header',
  schema,
  create(config, { dstPrefix }) {
    const memo = new Memo<Identified>();
    const name = config.header.toLowerCase();
    const make = (value: string): Identified => {
      try {
        return { ok: true, path: dstPrefix.concat(Path.read(value)) };
      } catch (e) {
        if (e instanceof DtabSyntaxError) return { ok: false, reason: `${config.header} header: ${e.message}` };
        throw e;
      }
    };
    return {
      identify(req) {
        const value = header(req, name);
        if (!value) return { ok: false, reason: `${config.header} header is absent` };
        return memo.get(value, make);
      },
    };
  },
};
