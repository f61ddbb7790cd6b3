/**
 * What every target is asked to do, in one place: route requests by Host to the upstream.
 * Switchyard does it through a six-entry dtab and io.l5d.fs discovery; the peers are configured
 * with the same hosts (nginx server blocks, HAProxy ACLs, a Host map or route constraint).
 */

/** The Host every load request carries. */
export const BENCH_HOST = 'web.bench.local';

/** Every Host the targets route; the others exist so routing is a real choice. */
export const ROUTED_HOSTS = [BENCH_HOST, 'api.bench.local', 'auth.bench.local'] as const;

/** Services in the io.l5d.fs discovery directory; all of them answer on the one upstream. */
export const DISCOVERED_SERVICES = ['web-v1', 'web-v2', 'api-v1', 'api-v2', 'auth'] as const;

/**
 * Switchyard's base dtab, in the style of Linkerd's ingress examples: Host → reversed domain path
 * (a rewriting namer) → service → discovery. `web.bench.local` resolves in five rewrites to
 * `/#/io.l5d.fs/web-v1`.
 */
export const BASE_DTAB = [
  '/srv                      => /#/io.l5d.fs',
  '/domain/local/bench/web   => /srv/web-v1',
  '/domain/local/bench/api   => 0.9 * /srv/api-v1 & 0.1 * /srv/api-v2',
  '/domain/local/bench/auth  => /srv/auth',
  '/host                     => /$/io.buoyant.http.domainToPathPfx/domain',
  '/svc                      => /host',
] as const;

/** A two-entry `l5d-dtab` override as a developer would send it: `web` and `api` to their v2. */
export const REPEATED_OVERRIDE = '/domain/local/bench/web => /srv/web-v2; /domain/local/bench/api => /srv/api-v2';

/**
 * A two-entry override that is new on every request: the second dentry names a fresh service
 * (`{n}` is a per-request counter filled in by wrk; `runId` keeps runs apart). Routing is the
 * same as REPEATED_OVERRIDE, but nothing about the override can be reused from earlier requests.
 */
export function freshOverrideTemplate(runId: string): string {
  return `/domain/local/bench/web => /srv/web-v2; /domain/local/bench/api => /srv/api-${runId}-{n}`;
}
