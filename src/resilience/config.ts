/**
 * The resilience keys of Linkerd's `client` and `service` blocks, as zod shapes that the config
 * model spreads into its own client and service schemas (and wraps with `perPrefixConfigSchema`
 * for `io.l5d.global` / `io.l5d.static`). `client.loadBalancer` is balancer/create.ts's
 * `loadBalancerConfigSchema`.
 */
import { z } from 'zod';
import { backoffConfigSchema } from './backoff.js';
import { failureAccrualConfigSchema } from './failure-accrual.js';
import { responseClassifierConfigSchema } from './response-classifier.js';
import { retryBudgetConfigSchema } from './retry-budget.js';
import { perPrefixConfigSchema, resolvePerPrefixConfig } from './static-config.js';

/** `service.retries`: the budget shared by the service's requests, and the delay between retries (default constant 0). */
export const retriesConfigSchema = z.strictObject({
  budget: retryBudgetConfigSchema.optional(),
  backoff: backoffConfigSchema.optional(),
});
export type RetriesConfig = z.infer<typeof retriesConfigSchema>;

/** Every `service` param (HTTP/1.1 router). */
export const serviceParamsShape = {
  /** Covers the request and all its retries. */
  totalTimeoutMs: z.number().int().positive().optional(),
  responseClassifier: responseClassifierConfigSchema.optional(),
  retries: retriesConfigSchema.optional(),
};
export type ServiceParams = z.infer<z.ZodObject<typeof serviceParamsShape>>;

/** `service`: global or per logical-name prefix. */
export const serviceConfigSchema = perPrefixConfigSchema(serviceParamsShape);
export type ServiceConfig = z.infer<typeof serviceConfigSchema>;

/** The `client` params this folder implements; the config model adds the load balancer, tls, pools and sockets. */
export const clientPolicyShape = {
  failureAccrual: failureAccrualConfigSchema.optional(),
  /** Budget for requeueing requests that never reached an endpoint (no backoff). */
  requeueBudget: retryBudgetConfigSchema.optional(),
  /** Timeout of each attempt (a retry gets a fresh one). */
  requestAttemptTimeoutMs: z.number().int().positive().optional(),
};
export type ClientPolicy = z.infer<z.ZodObject<typeof clientPolicyShape>>;

/** The `service` params for one logical name (`/svc/web`): all of a global block, or the merged matches of a static one. */
export function serviceParamsFor(config: ServiceConfig | undefined, logicalName: string): ServiceParams {
  return resolvePerPrefixConfig<ServiceParams>(config, logicalName);
}
