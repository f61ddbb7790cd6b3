/** The identifiers' memo: the last key is answered without a look-up, and never for another key. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Memo } from '../../src/protocol/http1/identifier.js';

describe('identifier Memo', () => {
  it('makes a value once per key, and answers alternating and repeated keys with their own values', () => {
    const made: string[] = [];
    const make = (k: string): string => { made.push(k); return `v:${k}`; };
    const memo = new Memo<string>();
    // Keys built at run time, as header values sliced from a request are: equal text, other strings.
    const host = (n: number): string => `${['a', 'b'][n]!}.example`;
    const seq = [0, 0, 1, 0, 1, 1, 0];
    assert.deepEqual(seq.map((n) => memo.get(host(n), make)), seq.map((n) => `v:${host(n)}`));
    assert.deepEqual(made, ['a.example', 'b.example']);
  });

  it('stays bounded: a flood of distinct keys recycles the table and still answers each right', () => {
    let calls = 0;
    const memo = new Memo<number>(4);
    for (let i = 0; i < 20; i++) assert.equal(memo.get(`k${i}`, (k) => { calls++; return Number(k.slice(1)); }), i);
    assert.equal(calls, 20);
    assert.equal((memo as unknown as { map: Map<string, number> }).map.size <= 4, true);
    // The last key is still known after the table was recycled.
    assert.equal(memo.get('k19', () => -1), 19);
  });
});
