/** `io.l5d.path`: `dstPrefix/<first N URI segments>`; with `consume`, those segments are stripped from the forwarded URI. */
import { z } from 'zod';
import { Path } from '../../../naming/path.js';
import { uriSegments, type IdentifierPlugin } from '../identifier.js';

const schema = z.strictObject({
  kind: z.literal('io.l5d.path'),
  segments: z.number().int().positive().default(1),
  consume: z.boolean().default(false),
});

export const pathIdentifier: IdentifierPlugin<z.infer<typeof schema>> = {
  kind: 'io.l5d.path',
  schema,
  create(config, { dstPrefix }) {
    return {
      identify(req) {
        const url = req.url ?? '/';
        const segs = uriSegments(url);
        if (segs.length < config.segments) return { ok: false, reason: 'not enough segments in path' };
        const path = dstPrefix.concat(Path.fromLabels(segs.slice(0, config.segments)));
        if (!config.consume) return { ok: true, path };
        const q = url.search(/[?#]/);
        const rest = segs.slice(config.segments).join('/');
        return { ok: true, path, uri: `/${rest}${q < 0 ? '' : url.slice(q)}` };
      },
    };
  },
};
