/**
 * `io.l5d.methodAndHost`: HTTP/1.1 → `dstPrefix/1.1/<METHOD>/<host lower-cased>[/uri…]`,
 * HTTP/1.0 → `dstPrefix/1.0/<METHOD>[/uri…]`.
 */
import { z } from 'zod';
import { Path } from '../../../naming/path.js';
import { header, uriSegments, type IdentifierPlugin } from '../identifier.js';

const schema = z.strictObject({ kind: z.literal('io.l5d.methodAndHost'), httpUriInDst: z.boolean().default(false) });

export const methodAndHostIdentifier: IdentifierPlugin<z.infer<typeof schema>> = {
  kind: 'io.l5d.methodAndHost',
  schema,
  create(config, { dstPrefix }) {
    return {
      identify(req) {
        const method = req.method ?? 'GET';
        const uri = config.httpUriInDst ? uriSegments(req.url ?? '/') : [];
        if (req.httpVersion === '1.0') return { ok: true, path: dstPrefix.concat(Path.fromLabels(['1.0', method, ...uri])) };
        const host = header(req, 'host');
        if (!host) return { ok: false, reason: 'Host header is absent' };
        return { ok: true, path: dstPrefix.concat(Path.fromLabels(['1.1', method, host.toLowerCase(), ...uri])) };
      },
    };
  },
};
