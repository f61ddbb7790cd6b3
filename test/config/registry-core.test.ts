import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nearest, Registry, unknownKind } from '../../src/config/registry-core.js';

const kinds = ['io.l5d.fs', 'io.l5d.k8s', 'io.l5d.consul', 'io.l5d.dnssrv'];

describe('nearest', () => {
  test('a typo within one edit per three letters', () => {
    assert.equal(nearest('io.l5d.fss', kinds), 'io.l5d.fs');
    assert.equal(nearest('io.l5d.cnosul', kinds), 'io.l5d.consul', 'two letters swapped is one edit');
    assert.equal(nearest('IO.L5D.K8S', kinds), 'io.l5d.k8s', 'case does not count');
  });

  test('a kind without its namespace', () => {
    assert.equal(nearest('fs', kinds), 'io.l5d.fs');
    assert.equal(nearest('consul', kinds), 'io.l5d.consul');
  });

  test('the only candidate a word of three or more letters starts', () => {
    assert.equal(nearest('org', ['enabled', 'orgId']), 'orgId');
    assert.equal(nearest('max', ['maxSize', 'maxWaiters']), undefined, 'two candidates start with it');
  });

  test('nothing when every candidate is too far', () => {
    assert.equal(nearest('zookeeper', kinds), undefined);
    assert.equal(nearest('x', ['ip', 'port']), undefined);
    assert.equal(nearest('anything', []), undefined);
  });
});

describe('Registry', () => {
  const registry = new Registry('namer', kinds.map((kind) => ({ kind })));

  test('finds plugins by kind and lists the kinds sorted', () => {
    assert.deepEqual(registry.get('io.l5d.k8s'), { kind: 'io.l5d.k8s' });
    assert.equal(registry.get('k8s'), undefined);
    assert.deepEqual(registry.kinds(), ['io.l5d.consul', 'io.l5d.dnssrv', 'io.l5d.fs', 'io.l5d.k8s']);
  });

  test('an unknown kind: the suggestion when there is one, and the known kinds', () => {
    assert.equal(registry.unknown('io.l5d.dnsrv'), 'unknown namer kind "io.l5d.dnsrv" (did you mean "io.l5d.dnssrv"?); known kinds: io.l5d.consul, io.l5d.dnssrv, io.l5d.fs, io.l5d.k8s');
    assert.equal(unknownKind('telemeter', 'statsd', ['io.l5d.prometheus']), 'unknown telemeter kind "statsd"; known kinds: io.l5d.prometheus');
  });
});
