import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { readConfigText } from '../../src/config/source.js';

function problemsOf(text: string): string[] {
  try {
    readConfigText(text, 'c.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message.split('\n');
  }
  assert.fail('expected a ConfigError');
}

describe('readConfigText', () => {
  test('a YAML syntax error reports only the first error, with its line and column', () => {
    assert.deepEqual(problemsOf('routers:\n- protocol: http\n  servers: [\n  - port: 4140\n'), [
      'c.yaml:4:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    assert.deepEqual(problemsOf('admin:\n\tport: 1\n'), ['c.yaml:2:1: invalid YAML: Tabs are not allowed as indentation']);
  });

  test('duplicate keys are found at every depth and named by key path', () => {
    assert.deepEqual(problemsOf('a: 1\nb:\n  - {x: 1, y: 2, x: 3}\n  - c: 1\n    c: 2\na: 2\n'), [
      'c.yaml:3:18 b[0].x: duplicate key "x" (first given at column 6)',
      'c.yaml:5:5 b[1].c: duplicate key "c" (first given on line 4)',
      'c.yaml:6:1 a: duplicate key "a" (first given on line 1)',
    ]);
  });

  test('a second document and an alias without an anchor are errors with positions', () => {
    assert.deepEqual(problemsOf('a: 1\n---\nb: 2\n'), ['c.yaml:2:1: invalid YAML: a config is one YAML document, but this file has more than one (a second "---")']);
    assert.deepEqual(problemsOf('a: [1]\nb: *x\n'), ['c.yaml:2:4: invalid YAML: Unresolved alias (the anchor must be set before the alias): x']);
  });

  test('anchors and aliases resolve to plain values', () => {
    assert.deepEqual(readConfigText('a: &s {port: 1}\nb: *s\n', 'c.yaml').value, { a: { port: 1 }, b: { port: 1 } });
  });

  test('locate finds a value, its key, or the nearest ancestor that exists', () => {
    const src = readConfigText('routers:\n- protocol: http\n  servers:\n  - port: 4140\n', 'c.yaml');
    assert.deepEqual(src.locate(['routers', 0, 'servers', 0, 'port']), { line: 4, col: 11 });
    assert.deepEqual(src.locate(['routers', 0, 'servers', 0, 'port'], true), { line: 4, col: 5 });
    assert.deepEqual(src.locate(['routers', 0, 'servers', 0, 'ip']), { line: 4, col: 5 });
    assert.deepEqual(src.locate(['routers', 3]), { line: 2, col: 1 });
    assert.deepEqual(src.locate(['admin', 'port']), { line: 1, col: 1 });
    assert.equal(src.lineText(4), '  - port: 4140');
  });

  test('locateInString maps an offset inside a string to its line and column', () => {
    const src = readConfigText([
      'literal: |',
      '  /a => /b;',
      '  /c => /d',
      'folded: >-',
      '  /a => /b;',
      '  /c => /d',
      'plain: /a => /b;',
      '   /c => /d',
      'quoted: "/a => /b"',
      'escaped: "/a\\x41 => /b"',
      'number: 12',
    ].join('\n'), 'c.yaml');
    const at = (key: string, offset: number) => src.locateInString([key], offset);
    assert.deepEqual(at('literal', 0), { line: 2, col: 3 });
    assert.deepEqual(at('literal', 13), { line: 3, col: 6 });
    assert.deepEqual(at('literal', 18), { line: 3, col: 11 }, 'the end of the string');
    assert.deepEqual(at('folded', 10), { line: 6, col: 3 });
    assert.deepEqual(at('plain', 10), { line: 8, col: 4 });
    assert.deepEqual(at('plain', 9), { line: 7, col: 17 }, 'the space that joins two lines is the end of the first');
    assert.deepEqual(at('quoted', 3), { line: 9, col: 13 });
    // An escape changes the length: fall back to where the value starts.
    assert.deepEqual(at('escaped', 9), { line: 10, col: 10 });
    assert.deepEqual(at('number', 0), { line: 11, col: 9 });
  });
});
