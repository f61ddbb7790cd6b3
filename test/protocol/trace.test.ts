/** l5d-ctx-trace continuation: a child span of the caller's trace, or a new trace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextTrace } from '../../src/protocol/http1/trace.js';

const seq = (values: number[]) => { let i = 0; return () => values[i++ % values.length]!; };

test("an inbound trace continues: same trace id and flags, the caller's span becomes the parent", () => {
  const inbound = Buffer.from('1111111111111111' + '2222222222222222' + '3333333333333333' + '0000000000000006', 'hex').toString('base64');
  const t = nextTrace(inbound, seq([0.5, 0.25]));
  const b = Buffer.from(t.header, 'base64');
  assert.equal(b.toString('hex', 0, 8), '8000000040000000', 'a new span id');
  assert.equal(b.toString('hex', 8, 16), '1111111111111111', 'parent = inbound span');
  assert.equal(b.toString('hex', 16, 24), '3333333333333333');
  assert.equal(b.toString('hex', 24, 32), '0000000000000006');
  assert.equal(t.traceId, '3333333333333333', 'l5d-reqid is the trace id');
});

test('without (or with a malformed) inbound trace a new one starts: span = parent = trace id', () => {
  for (const inbound of [undefined, 'not-a-trace']) {
    const t = nextTrace(inbound, seq([0.5, 0.25]));
    const b = Buffer.from(t.header, 'base64');
    assert.equal(b.length, 32);
    assert.equal(b.toString('hex', 0, 8), '8000000040000000');
    assert.equal(b.toString('hex', 8, 16), '8000000040000000');
    assert.equal(t.traceId, '8000000040000000');
    assert.equal(b.toString('hex', 24, 32), '0000000000000000');
  }
});
