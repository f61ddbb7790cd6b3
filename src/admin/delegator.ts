/**
 * `/delegator.json`: the explanation tree of a path under a dtab, as Linkerd's DelegateApiHandler
 * answers it. GET with `path`, `dtab`, `namespace` or POST the same as JSON. The namespace is a
 * router label: that router's namers explain the name, under exactly the dtab given (the
 * playground sends base ++ override, as Linkerd's does). Without a namespace only the `/$/`
 * namers are consulted; an unknown namespace has no interpreter that can explain (501), as in
 * Linkerd.
 */
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { firstSettled } from '../naming/activity.js';
import { Dtab } from '../naming/dtab.js';
import { DtabSyntaxError } from '../naming/errors.js';
import { delegateTreeToJson } from '../naming/delegate-tree.js';
import { globalNamer } from '../naming/global-namer.js';
import { NameInterpreter } from '../naming/interpreter.js';
import { Path } from '../naming/path.js';
import { createInetResolver } from '../discovery/inet.js';
import type { Linker } from '../linker/linker.js';
import { json, text } from './server.js';

/** Linkerd gives up on a delegation whose namers have not answered within two seconds. */
const TIMEOUT_MS = 2000;
/** A delegation request is a path and a dtab: a megabyte is far more than any real one. */
const BODY_LIMIT = 1 << 20;

interface DelegationRequest { path?: unknown; dtab?: unknown; namespace?: unknown }

export async function delegateJson(linker: Linker, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  let params: DelegationRequest;
  if (req.method === 'GET' || req.method === 'HEAD') {
    params = { path: url.searchParams.get('path') ?? undefined, dtab: url.searchParams.get('dtab') ?? '', namespace: url.searchParams.get('namespace') ?? undefined };
  } else if (req.method === 'POST') {
    if (!(req.headers['content-type'] ?? '').includes('json')) return text(res, 415, 'Expected Content-Type: application/json');
    const raw = await body(req);
    if (raw === undefined) return text(res, 413, `Malformed delegation request: the body is over ${BODY_LIMIT} bytes`);
    let parsed: unknown;
    try { parsed = JSON.parse(raw); } catch { parsed = undefined; }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return text(res, 400, `Malformed delegation request: expected a JSON object {"namespace", "dtab", "path"}, got: ${raw.slice(0, 200)}`);
    }
    params = parsed as DelegationRequest;
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

  let tree;
  if (typeof params.namespace === 'string') {
    const router = linker.router(params.namespace);
    if (!router) {
      const known = linker.routers.map((r) => r.label).join(', ');
      return text(res, 501, `Name Interpreter for ${params.namespace} cannot show delegations (no router has that label; routers: ${known})`);
    }
    tree = router.interpreter.delegate(dtab, path);
  } else {
    tree = new NameInterpreter([], { global: globalNamer({ inet: createInetResolver({ clock: linker.clock }) }) }).delegate(dtab, path);
  }
  // Observed until the answer is written: the leaves' address sets are read while rendering, and
  // an address set nobody observes stops resolving (a DNS name would read as pending again).
  const release = tree.subscribe(() => {});
  try {
    let state;
    try {
      state = await firstSettled(tree, TIMEOUT_MS, (fn, ms) => {
        const timer = linker.clock.setTimeout(fn, ms);
        return () => timer.cancel();
      });
    } catch {
      return text(res, 503, 'Request timed out.');
    }
    if (state.status === 'failed') return text(res, 502, `Delegation failed: ${state.error.message}`);
    if (state.status !== 'ok') return text(res, 503, 'Request timed out.');
    json(res, 200, delegateTreeToJson(state.value));
  } finally {
    release();
  }
}

/** The request body as text, or undefined when it is over BODY_LIMIT (the rest is drained, so the answer can still be sent). */
function body(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => { n += c.length; if (n <= BODY_LIMIT) chunks.push(c); });
    req.on('end', () => resolve(n > BODY_LIMIT ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
