import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classify, H } from '../../src/protocol/http1/headers.js';
import { anyCaseOf, canonical } from '../helpers/header-names.js';

/** The contract as a table (Linkerd 1's header rules and RFC 9110 §7.6.1). */
const TABLE = new Map<string, H>([
  ['keep-alive', H.HopByHop], ['proxy-authenticate', H.HopByHop], ['proxy-authorization', H.HopByHop],
  ['te', H.HopByHop], ['trailer', H.HopByHop], ['transfer-encoding', H.HopByHop], ['upgrade', H.HopByHop],
  ['proxy-connection', H.HopByHop], ['connection', H.Connection], ['expect', H.HopByHop],
  ['l5d-dtab', H.L5dDtab], ['l5d-ctx-dtab', H.L5dCtxDtab], ['l5d-ctx-deadline', H.L5dCtxDeadline],
  ['l5d-ctx-trace', H.L5dCtxTrace], ['l5d-sample', H.L5dSample],
  ['l5d-dst-service', H.L5dRouterOwned], ['l5d-dst-client', H.L5dRouterOwned], ['l5d-dst-residual', H.L5dRouterOwned],
  ['l5d-reqid', H.L5dRouterOwned], ['l5d-err', H.L5dRouterOwned], ['l5d-success-class', H.L5dRouterOwned],
  ['via', H.Via], ['host', H.Host], ['content-length', H.ContentLength],
]);

function expected(name: string): H {
  const lower = name.toLowerCase();
  return TABLE.get(lower) ?? (lower.startsWith('l5d-') ? H.L5dOther : H.Pass);
}

test('classify: every name of the contract, in any case', () => {
  for (const [name, h] of TABLE) {
    assert.equal(classify(name), h, name);
    assert.equal(classify(name.toUpperCase()), h, name.toUpperCase());
    assert.equal(classify(canonical(name)), h, canonical(name));
    const mixed = [...name].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
    assert.equal(classify(mixed), h, mixed);
  }
});

test('classify: near misses and other l5d- names', () => {
  for (const name of ['l5d-', 'L5D-ctx-other', 'l5d-dst-servicf', 'l5d-dtabs', 'l5d-ctx', 'l5d-errr', 'l5d-retryable']) {
    assert.equal(classify(name), expected(name), name);
  }
  for (const name of ['', 'x', 'hosts', 'hos', 'vía', 'content-lengtH2', 'l5d_dtab', 'l6d-dtab', 'connectioN ', 'tE']) {
    assert.equal(classify(name), expected(name), JSON.stringify(name));
  }
});

test('classify agrees with the table for arbitrary names', () => {
  const known = [...TABLE.keys()];
  const name = fc.oneof(
    fc.string({ maxLength: 24 }),
    anyCaseOf(known),
    fc.string({ maxLength: 16 }).map((s) => `l5d-${s}`),
  );
  fc.assert(fc.property(name, (n) => classify(n) === expected(n)), { numRuns: 2000 });
});
