/**
 * One HttpRouter behind one Http1Listener, assembled as the Linker does but with namers and a
 * clock chosen by the test (e.g. a namer whose answer never comes, driven by a FakeClock).
 */
import { Dtab } from '../../src/naming/dtab.js';
import { globalNamer } from '../../src/naming/global-namer.js';
import { Path } from '../../src/naming/path.js';
import type { Namer } from '../../src/naming/namer.js';
import { RouterInterpreter } from '../../src/interpreter/interpreter.js';
import { HttpRouter } from '../../src/router/router.js';
import { RequestStats } from '../../src/router/stats.js';
import { Http1Listener } from '../../src/protocol/http1/server.js';
import { headerTokenIdentifier } from '../../src/protocol/http1/identifiers/header-token.js';
import { createBalancer } from '../../src/balancer/create.js';
import { failureAccrualFactory } from '../../src/resilience/failure-accrual.js';
import { RetryBudget } from '../../src/resilience/retry-budget.js';
import type { ClientNode } from '../../src/router/client.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import type { Clock } from '../../src/time/clock.js';
import { quietLog } from './http.js';

export interface AssembledRouter {
  router: HttpRouter;
  listener: Http1Listener;
  port: number;
  close(): Promise<void>;
}

/** A router with base `dtab`, namers mounted at `/#/<prefix>`, the Host identifier, and `clock` for its timers. */
export async function assembleRouter(opts: { dtab: string; namers: Record<string, Namer>; clock: Clock; bindingTimeoutMs: number }): Promise<AssembledRouter> {
  const mounted = Object.entries(opts.namers).map(([prefix, namer]) => ({ prefix: Path.read(`/#/${prefix}`), namer }));
  const interpreter = new RouterInterpreter(Dtab.read(opts.dtab), mounted, globalNamer());
  const dstPrefix = Path.read('/svc');
  const scope = new Metrics().scope('rt', 'test');
  const deps = { clock: opts.clock, random: Math.random };
  const router = new HttpRouter({
    label: 'test',
    identifiers: [headerTokenIdentifier.create(headerTokenIdentifier.schema.parse({ kind: 'io.l5d.header.token' }), { dstPrefix })],
    interpreter,
    bindingTimeoutMs: opts.bindingTimeoutMs,
    cache: { paths: 100, clients: 100, idleTtlMs: 600_000 },
    maxHeadersBytes: 8192,
    maxErrResponseBytes: 5 * 1024 * 1024,
    clientPolicy: () => ({
      balancer: createBalancer<ClientNode>(undefined, deps),
      newHealth: failureAccrualFactory(undefined, deps),
      requeueBudget: new RetryBudget({}, opts.clock),
      attemptTimeoutMs: undefined,
    }),
    pool: { idleTimeMs: 60_000, connectTimeoutMs: 3_000 },
  }, { clock: opts.clock, log: quietLog, scope });
  const srv = { clearContext: false, maxCallDepth: 1000, stats: new RequestStats(scope.child('server', 'test')) };
  const listener = new Http1Listener({ ip: '127.0.0.1', port: 0, clearContext: false, maxHeadersBytes: 8192, maxErrResponseBytes: 5 * 1024 * 1024 },
    (req, res) => router.handle(req, res, srv));
  const { port } = await listener.listen();
  return { router, listener, port, close: async () => { await listener.close(0); await router.close(); } };
}
