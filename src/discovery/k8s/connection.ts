/**
 * How a namer or transformer reaches the Kubernetes API, from its config block:
 * - by default, plain HTTP to `host:port` (localhost:8001): a `kubectl proxy` sidecar, as in
 *   Linkerd 1, which authenticates on the router's behalf;
 * - with `inCluster: true`, HTTPS to the API server that Kubernetes names in every pod's
 *   environment (`KUBERNETES_SERVICE_HOST` / `KUBERNETES_SERVICE_PORT`, unless `host` / `port`
 *   are given), authenticated by the pod's service-account token and verified with its CA.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { ApiTarget } from './api.js';

/** Where Kubernetes mounts a pod's service-account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const portNumber = z.number().int().min(1).max(65535);

/** Config keys for in-cluster access, shared by every Kubernetes plugin. */
export const inClusterShape = {
  inCluster: z.boolean().default(false),
  /** Default `<SERVICE_ACCOUNT_DIR>/token`; re-read for every request, so rotation is followed. */
  tokenFile: z.string().min(1).optional(),
  /** Default `<SERVICE_ACCOUNT_DIR>/ca.crt`. */
  caFile: z.string().min(1).optional(),
};

/** The keys a block uses for the API's address: `host`/`port` on namers, `k8sHost`/`k8sPort` on transformers (Linkerd's names). */
export function apiAddressShape<H extends string, P extends string>(hostKey: H, portKey: P) {
  return { [hostKey]: z.string().min(1).optional(), [portKey]: portNumber.optional() } as
    { [K in H]: z.ZodOptional<z.ZodString> } & { [K in P]: z.ZodOptional<typeof portNumber> };
}

export interface ApiSettings {
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly inCluster: boolean;
  readonly tokenFile?: string | undefined;
  readonly caFile?: string | undefined;
}

/** A config check for the object schema: credentials files only make sense in-cluster. */
export function checkCredentialsNeedInCluster<S extends Pick<ApiSettings, 'inCluster' | 'tokenFile' | 'caFile'>>(s: S, ctx: z.RefinementCtx<S>): void {
  for (const key of ['tokenFile', 'caFile'] as const) {
    if (s[key] !== undefined && !s.inCluster) {
      ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies only with inCluster: true (through kubectl proxy the proxy authenticates)` });
    }
  }
}

/**
 * The API target for a block's settings. Relative credential paths are resolved against the
 * config file's directory. Throws when in-cluster access is asked for outside a cluster.
 */
export function apiTarget(kind: string, s: ApiSettings, baseDir: string, env: NodeJS.ProcessEnv = process.env): ApiTarget {
  if (!s.inCluster) return { host: s.host ?? 'localhost', port: s.port ?? 8001 };
  const host = s.host ?? env.KUBERNETES_SERVICE_HOST;
  if (!host) throw new Error(`${kind}: inCluster needs the API server's address, but KUBERNETES_SERVICE_HOST is not set and no host is configured`);
  let port = s.port;
  if (port === undefined) {
    const fromEnv = env.KUBERNETES_SERVICE_PORT;
    port = fromEnv === undefined || fromEnv === '' ? 443 : Number(fromEnv);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${kind}: KUBERNETES_SERVICE_PORT "${fromEnv}" is not a port number`);
  }
  return {
    host,
    port,
    tokenFile: resolve(baseDir, s.tokenFile ?? `${SERVICE_ACCOUNT_DIR}/token`),
    caFile: resolve(baseDir, s.caFile ?? `${SERVICE_ACCOUNT_DIR}/ca.crt`),
  };
}
