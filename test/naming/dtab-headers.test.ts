// Reading request dtabs from HTTP headers (§12, §13.18).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DtabSyntaxError } from '../../src/naming/errors.js';
import { DtabHeaderError, readFinagleDtab, readLinkerdDtab } from '../../src/protocol/http1/dtab-headers.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('Linkerd headers', () => {
  test('l5d-ctx-dtab entries come first whatever the order; Finagle headers are ignored', () => {
    const dtab = readLinkerdDtab([['l5d-dtab', '/u=>/v'], ['Dtab-Local', '/x=>/y'], ['X-Dtab-00-A', b64('/s')], ['X-Dtab-00-B', b64('/t')], ['L5D-CTX-DTAB', '/a=>/b;/c=>/d']]);
    assert.equal(dtab.show(), '/a=>/b;/c=>/d;/u=>/v');
  });
  test('a parse error names the header', () => {
    assert.throws(() => readLinkerdDtab([['l5d-ctx-dtab', '/a=>/b'], ['L5d-Dtab', '/a=>/b,/c=>/d']]), (e: unknown) => {
      assert.ok(e instanceof DtabSyntaxError);
      assert.equal(e.source, 'l5d-dtab header');
      assert.match(e.message, /^Invalid dtab in l5d-dtab header at column 7: expected ';' or end of input but found ','/);
      return true;
    });
  });
  test('no headers, no dtab', () => assert.equal(readLinkerdDtab([]).size, 0));
});

describe('Finagle headers', () => {
  test('Dtab-Local is split on commas with Java semantics', () => {
    assert.equal(readFinagleDtab([['dtab-local', '/a=>/b,,/c=>/d,'], ['DTAB-LOCAL', ',/e=>/f']]).show(), '/a=>/b;/c=>/d;/e=>/f');
    assert.throws(() => readFinagleDtab([['Dtab-Local', '/a=>/b,/c']]), (e: unknown) => e instanceof DtabSyntaxError && e.source === 'dtab-local header');
  });
  test('X-Dtab pairs sort by lower-cased name and decode as prefix and tree', () => {
    const dtab = readFinagleDtab([
      ['x-dtab-10-b', b64('/y & 2*/z')], ['X-Dtab-10-A', b64('/x/*')], ['X-DTAB-02-A', b64('/s')], ['X-Dtab-02-B', b64('/t')],
    ]);
    assert.equal(dtab.show(), '/s=>/t;/x/*=>/y & 2.00*/z');
  });
  test('X-Dtab values are UTF-8 text: non-ASCII must still be escaped', () => {
    assert.throws(() => readFinagleDtab([['X-Dtab-00-A', b64('/caf\u00e9')], ['X-Dtab-00-B', b64('/t')]]), /^DtabHeaderError: Invalid prefix: \/caf\u00e9/);
  });
  const bad: [string, [string, string][], RegExp][] = [
    ['odd count', [['X-Dtab-00-A', b64('/s')]], /^Unmatched X-Dtab headers$/],
    ['mismatched pair', [['X-Dtab-00-A', b64('/s')], ['X-Dtab-01-B', b64('/t')]], /^Unmatched X-Dtab headers$/],
    ['two As', [['X-Dtab-00-A', b64('/s')], ['X-Dtab-00-A', b64('/t')]], /^Unmatched X-Dtab headers$/],
    ['not base64', [['X-Dtab-00-A', 'L3M'], ['X-Dtab-00-B', 'L3Q=!']], /^Value not b64-encoded: L3Q=!$/],
    ['wrong padding', [['X-Dtab-00-A', 'L3M=='], ['X-Dtab-00-B', 'L3Q=']], /^Value not b64-encoded: L3M==$/],
    ['url-safe alphabet', [['X-Dtab-00-A', 'L3M-'], ['X-Dtab-00-B', 'L3Q=']], /^Value not b64-encoded/],
    ['whitespace', [['X-Dtab-00-A', 'L3 M='], ['X-Dtab-00-B', 'L3Q=']], /^Value not b64-encoded/],
    ['a lone trailing character', [['X-Dtab-00-A', 'L3MzL'], ['X-Dtab-00-B', 'L3Q=']], /^Value not b64-encoded/],
    ['a dentry as prefix', [['X-Dtab-00-A', b64('/s=>/t')], ['X-Dtab-00-B', b64('/t')]], /^Invalid prefix: \/s=>\/t \(Invalid prefix at column 3/],
    ['a dtab as tree', [['X-Dtab-00-A', b64('/s')], ['X-Dtab-00-B', b64('/t;/u=>/v')]], /^Invalid name: \/t;\/u=>\/v/],
  ];
  for (const [name, headers, message] of bad) {
    test(`rejects: ${name}`, () => assert.throws(() => readFinagleDtab(headers), (e: unknown) => e instanceof DtabHeaderError && message.test(e.message)));
  }
  test('unpadded base64 is accepted', () => {
    assert.equal(readFinagleDtab([['X-Dtab-00-A', 'L3M'], ['X-Dtab-00-B', 'L3Q']]).show(), '/s=>/t');
  });
});
