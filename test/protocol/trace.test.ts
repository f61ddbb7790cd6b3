/** l5d-ctx-trace continuation: a child span of the caller's trace, or a new trace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceSource } from '../../src/protocol/http1/trace.js';

const seq = (values: number[]) => { let i = 0; return () => values[i++ % values.length]!; };

/** Draws 0, 1, 2, … as the 32-bit numbers they scale to, so the nth draw is known. */
const counting = () => { let i = 0; return () => (i++) / 0x100000000; };

test("an inbound trace continues: same trace id and flags, the caller's span becomes the parent", () => {
  const inbound = Buffer.from('1111111111111111' + '2222222222222222' + '3333333333333333' + '0000000000000006', 'hex').toString('base64');
  const t = new TraceSource(seq([0.5, 0.25])).next(inbound);
  const b = Buffer.from(t.header, 'base64');
  assert.equal(b.toString('hex', 0, 8), '8000000040000000', 'a new span id');
  assert.equal(b.toString('hex', 8, 16), '1111111111111111', 'parent = inbound span');
  assert.equal(b.toString('hex', 16, 24), '3333333333333333');
  assert.equal(b.toString('hex', 24, 32), '0000000000000006');
  assert.equal(t.traceId, '3333333333333333', 'l5d-reqid is the trace id');
});

test('without (or with a malformed) inbound trace a new one starts: span = parent = trace id', () => {
  for (const inbound of [undefined, 'not-a-trace']) {
    const t = new TraceSource(seq([0.5, 0.25])).next(inbound);
    const b = Buffer.from(t.header, 'base64');
    assert.equal(b.length, 32);
    assert.equal(t.header, b.toString('base64'), 'canonical base64, padded');
    assert.equal(b.toString('hex', 0, 8), '8000000040000000');
    assert.equal(b.toString('hex', 8, 16), '8000000040000000');
    assert.equal(t.traceId, '8000000040000000');
    assert.equal(b.toString('hex', 24, 32), '0000000000000000');
  }
});

test('new traces, made in batches, are each the next two draws, across batch boundaries', () => {
  const traces = new TraceSource(counting());
  const seen = new Set<string>();
  for (let n = 0; n < 200; n++) {
    const t = traces.next(undefined);
    const span = (2 * n).toString(16).padStart(8, '0') + (2 * n + 1).toString(16).padStart(8, '0');
    const expected = Buffer.from(span + span + span + '0000000000000000', 'hex');
    assert.equal(t.header, expected.toString('base64'), `trace ${n}`);
    assert.equal(t.traceId, span, `trace ${n}`);
    seen.add(t.header);
  }
  assert.equal(seen.size, 200);
});

test('inbound traces between new ones leave the new ones intact', () => {
  const traces = new TraceSource(Math.random);
  const inbound = Buffer.alloc(32, 7).toString('base64');
  for (let n = 0; n < 150; n++) {
    const fresh = traces.next(undefined);
    const b = Buffer.from(fresh.header, 'base64');
    assert.equal(fresh.header, b.toString('base64'));
    assert.deepEqual([b.toString('hex', 8, 16), b.toString('hex', 16, 24)], [b.toString('hex', 0, 8), b.toString('hex', 0, 8)]);
    assert.equal(fresh.traceId, b.toString('hex', 16, 24));
    const child = Buffer.from(traces.next(inbound).header, 'base64');
    assert.equal(child.toString('hex', 8, 32), '07'.repeat(24));
  }
});
