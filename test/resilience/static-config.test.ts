import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  matchPrefixPattern, perPrefixConfigSchema, prefixPatternError, resolvePerPrefixConfig, resolveStaticConfig, substitutePathVars,
} from '../../src/resilience/static-config.js';
import { clientPolicyShape, serviceConfigSchema, serviceParamsFor } from '../../src/resilience/config.js';
import { loadBalancerConfigSchema } from '../../src/balancer/create.js';
import { z } from 'zod';

test('prefix patterns: literals, * and {var} captures match path prefixes', () => {
  const table: Array<[string, string, Record<string, string> | null]> = [
    ['/', '/anything/at/all', {}],
    ['/svc', '/svc', {}],
    ['/svc', '/svc/foo/bar', {}],
    ['/svc', '/svcx', null],
    ['/svc/foo', '/svc', null],
    ['/#/io.l5d.fs/{service}', '/#/io.l5d.fs/web', { service: 'web' }],
    ['/#/io.l5d.fs/{service}', '/#/io.l5d.fs/web/residual', { service: 'web' }],
    ['/#/io.l5d.fs/{service}', '/#/io.l5d.k8s/web', null],
    ['/#/*/{service}', '/#/io.l5d.k8s/web', { service: 'web' }],
    ['/%/io.l5d.port/4141/#/io.l5d.fs/{svc}', '/%/io.l5d.port/4141/#/io.l5d.fs/users', { svc: 'users' }],
    ['/svc/*', '/svc', null],
    ['/svc/{env}-{name}', '/svc/prod-web-v2', { env: 'prod-web', name: 'v2' }],
    ['/svc/web-{n}.{zone}', '/svc/web-1.east', { n: '1', zone: 'east' }],
    ['/svc/web-{n}.{zone}', '/svc/web-1xeast', null],
    ['/svc/web{n}', '/svc/oldweb1', null],
    ['/svc/a.b', '/svc/axb', null],
    ['/$/inet/{host}/{port}', '/$/inet/127.0.0.1/8080', { host: '127.0.0.1', port: '8080' }],
  ];
  for (const [pattern, path, expected] of table) {
    assert.deepEqual(matchPrefixPattern(pattern, path), expected, `${pattern} vs ${path}`);
  }
});

test('prefix patterns: invalid ones are reported precisely', () => {
  assert.match(prefixPatternError('svc')!, /must start with "\/"/);
  assert.match(prefixPatternError('/svc//x')!, /empty segment at position 2/);
  assert.match(prefixPatternError('/svc/{bad')!, /brace/);
  assert.match(prefixPatternError('/svc/{}')!, /brace/);
  assert.equal(prefixPatternError('/svc/{ok}/*'), undefined);
  assert.throws(() => matchPrefixPattern('nope', '/svc'), SyntaxError);
});

test('static config: every matching entry applies, later ones win', () => {
  const configs = [
    { prefix: '/', totalTimeoutMs: 1000, retries: { budget: { percentCanRetry: 0.1 }, backoff: { kind: 'constant' as const, ms: 5 } } },
    { prefix: '/svc/{name}', totalTimeoutMs: 2000 },
    { prefix: '/svc/web', retries: { budget: { percentCanRetry: 0.5 } } },
    { prefix: '/svc/api', totalTimeoutMs: 9 },
  ];
  assert.deepEqual(resolveStaticConfig(configs, '/svc/web'), {
    totalTimeoutMs: 2000,
    // retries.budget and retries.backoff are separate params: the later budget keeps the earlier backoff.
    retries: { budget: { percentCanRetry: 0.5 }, backoff: { kind: 'constant', ms: 5 } },
  });
  assert.deepEqual(resolveStaticConfig(configs, '/other'), configs[0] && { totalTimeoutMs: 1000, retries: configs[0].retries });
  assert.deepEqual(resolveStaticConfig([{ prefix: '/a', x: 1 }], '/b'), {});
});

test('static config: captures can be substituted into each entry\'s params', () => {
  const configs = [{ prefix: '/#/io.l5d.fs/{service}', tls: { commonName: '{service}.example.com' } }];
  const params = resolveStaticConfig(configs, '/#/io.l5d.fs/users', (p, vars) => ({ ...p, tls: { commonName: substitutePathVars(p.tls.commonName, vars) } }));
  assert.deepEqual(params, { tls: { commonName: 'users.example.com' } });
  assert.equal(substitutePathVars('{a}-{missing}', { a: 'x' }), 'x-{missing}');
});

test('client/service blocks: global applies everywhere, static per prefix; schemas are strict', () => {
  const global = serviceConfigSchema.parse({ totalTimeoutMs: 100 });
  assert.deepEqual(serviceParamsFor(global, '/svc/any'), { totalTimeoutMs: 100 });
  const explicit = serviceConfigSchema.parse({ kind: 'io.l5d.global', responseClassifier: { kind: 'io.l5d.http.retryableRead5XX' } });
  assert.deepEqual(serviceParamsFor(explicit, '/svc/any'), { responseClassifier: { kind: 'io.l5d.http.retryableRead5XX' } });
  const stat = serviceConfigSchema.parse({
    kind: 'io.l5d.static',
    configs: [
      { prefix: '/svc/*', totalTimeoutMs: 100 },
      { prefix: '/svc/slow', totalTimeoutMs: 5000, retries: { budget: { minRetriesPerSec: 1 } } },
    ],
  });
  assert.deepEqual(serviceParamsFor(stat, '/svc/slow'), { totalTimeoutMs: 5000, retries: { budget: { minRetriesPerSec: 1 } } });
  assert.deepEqual(serviceParamsFor(stat, '/svc/fast'), { totalTimeoutMs: 100 });
  assert.deepEqual(resolvePerPrefixConfig(undefined, '/svc/x'), {});

  for (const bad of [
    { totalTimeoutMs: 100, unknown: true },
    { kind: 'io.l5d.static', configs: [{ prefix: 'svc', totalTimeoutMs: 1 }] },
    { kind: 'io.l5d.static', configs: [{ prefix: '/svc', retries: { budget: { ttlSecs: 0 } } }] },
    { kind: 'io.l5d.static', configs: [{ totalTimeoutMs: 1 }] },
    { kind: 'io.l5d.dynamic' },
    { responseClassifier: { kind: 'io.l5d.nope' } },
  ]) assert.equal(serviceConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));

  const custom = perPrefixConfigSchema({ weight: z.number().optional() });
  assert.ok(custom.safeParse({ kind: 'io.l5d.static', configs: [{ prefix: '/x/{y}', weight: 2 }] }).success);
});

test('a client block assembled from the policy shapes accepts Linkerd client params', () => {
  const client = perPrefixConfigSchema({ ...clientPolicyShape, loadBalancer: loadBalancerConfigSchema.optional() });
  const parsed = client.parse({
    kind: 'io.l5d.static',
    configs: [
      { prefix: '/', loadBalancer: { kind: 'ewma', decayTimeMs: 5000 }, requeueBudget: { percentCanRetry: 0.5 } },
      {
        prefix: '/#/io.l5d.fs/{service}',
        failureAccrual: { kind: 'io.l5d.successRate', successRate: 0.9, requests: 20, backoff: { kind: 'constant', ms: 10000 } },
        requestAttemptTimeoutMs: 500,
      },
    ],
  });
  assert.deepEqual(resolvePerPrefixConfig(parsed, '/#/io.l5d.fs/users'), {
    loadBalancer: { kind: 'ewma', decayTimeMs: 5000 },
    requeueBudget: { percentCanRetry: 0.5 },
    failureAccrual: { kind: 'io.l5d.successRate', successRate: 0.9, requests: 20, backoff: { kind: 'constant', ms: 10000 } },
    requestAttemptTimeoutMs: 500,
  });
  assert.equal(client.safeParse({ failFast: true }).success, false, 'keys the shapes do not know are rejected');
});
