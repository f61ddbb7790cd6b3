/**
 * `/delegator.json`: the explanation tree of a path under a dtab, as Linkerd's DelegateApiHandler
 * answers it. GET with `path`, `dtab`, `namespace` or POST the same as JSON. With a namespace
 * (router label) that router's namers explain the name; the dtab given is the whole dtab (the
 * playground sends base ++ override, as Linkerd's does).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { firstSettled } from '../naming/activity.js';
import { Dtab } from '../naming/dtab.js';
import { DtabSyntaxError } from '../naming/errors.js';
import { delegateTreeToJson } from '../naming/delegate-tree.js';
import { Path } from '../naming/path.js';
import type { Linker } from '../linker/linker.js';
import { json, text } from './server.js';

const TIMEOUT_MS = 2000;

export async function delegateJson(linker: Linker, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  let params: { path?: unknown; dtab?: unknown; namespace?: unknown };
  if (req.method === 'GET' || req.method === 'HEAD') {
    params = { path: url.searchParams.get('path') ?? undefined, dtab: url.searchParams.get('dtab') ?? '', namespace: url.searchParams.get('namespace') ?? undefined };
  } else if (req.method === 'POST') {
    if (!(req.headers['content-type'] ?? '').includes('json')) return text(res, 415, 'Expected Content-Type: application/json');
    try {
      params = JSON.parse(await body(req)) as typeof params;
    } catch {
      return text(res, 400, 'Malformed delegation request: the body is not JSON');
    }
  } else {
    return text(res, 405, 'Use GET or POST');
  }
  if (typeof params.path !== 'string' || params.path === '') return text(res, 400, 'Malformed delegation request: missing path');
  let path: Path, dtab: Dtab;
  try { path = Path.read(params.path); } catch (e) { return text(res, 400, `Invalid path: ${(e as Error).message}`); }
  try { dtab = Dtab.read(typeof params.dtab === 'string' ? params.dtab : ''); } catch (e) {
    if (e instanceof DtabSyntaxError) return text(res, 400, `Invalid dtab: ${e.message}`);
    throw e;
  }
  const router = typeof params.namespace === 'string' ? linker.router(params.namespace) : undefined;
  const interpreter = router?.interpreter ?? linker.routers[0]?.interpreter;
  if (!interpreter) return text(res, 501, 'No interpreter can delegate');
  const tree = interpreter.delegate(dtab, path);
  let state;
  try {
    state = await firstSettled(tree, TIMEOUT_MS);
  } catch {
    return text(res, 503, 'Request timed out.');
  }
  if (state.status === 'failed') return text(res, 502, `Delegation failed: ${state.error.message}`);
  if (state.status !== 'ok') return text(res, 503, 'Request timed out.');
  json(res, 200, delegateTreeToJson(state.value));
}

function body(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => { n += c.length; if (n > limit) { reject(new Error('too large')); req.destroy(); } else chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
