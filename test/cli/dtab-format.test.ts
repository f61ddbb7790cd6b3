import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatDtab } from '../../src/cli/dtab.js';
import { Dtab } from '../../src/naming/dtab.js';
import { DtabSyntaxError } from '../../src/naming/errors.js';
import { root } from './cli.js';

/** The formatted text means the same dtab, and formatting it again changes nothing. */
function assertCanonical(text: string): string {
  const out = formatDtab(text);
  assert.equal(Dtab.read(out).show(), Dtab.read(text).show(), `meaning changed:\n${text}\n→\n${out}`);
  assert.equal(formatDtab(out), out, `not idempotent:\n${out}`);
  return out;
}

describe('formatDtab', () => {
  test('one dentry per line, "=>" aligned, each ending in ";"', () => {
    assert.equal(assertCanonical('/srv=>/#/io.l5d.fs;/host/world => /srv/world-v1 | /srv/world-v0 ;  /svc=>/host'), [
      '/srv        => /#/io.l5d.fs;',
      '/host/world => /srv/world-v1 | /srv/world-v0;',
      '/svc        => /host;',
      '',
    ].join('\n'));
  });

  test('trees are printed as the naming core shows them', () => {
    assert.equal(assertCanonical('/a => 1 * /b & 2 * ( /c | /d ) ; /e => ~ | ! | $'), '/a => /b & 2.00*(/c | /d);\n/e => ~ | ! | $;\n');
  });

  test('an empty dtab, or one of comments only, formats to its comments', () => {
    assert.equal(assertCanonical(''), '');
    assert.equal(assertCanonical('  \n\n'), '');
    assert.equal(assertCanonical('# nothing yet\n'), '# nothing yet\n');
  });

  test('comments are kept: trailing ones stay, others get their own line, blank lines survive', () => {
    const text = [
      '# base dtab',
      '',
      '/srv=>/#/io.l5d.fs;/host => /srv ; # host fallback',
      '/host/world=>/srv/world-v1|  # v1 first',
      '   /srv/world-v0;   /svc=>/host;',
      '',
      '',
      '# weighted',
      '/a => 1*/b & 2 * /c # trailing',
      '# the end',
    ].join('\n');
    assert.equal(assertCanonical(text), [
      '# base dtab',
      '',
      '/srv        => /#/io.l5d.fs;',
      '/host       => /srv;  # host fallback',
      '# v1 first',
      '/host/world => /srv/world-v1 | /srv/world-v0;',
      '/svc        => /host;',
      '',
      '# weighted',
      '/a          => /b & 2.00*/c;  # trailing',
      '# the end',
      '',
    ].join('\n'));
  });

  test('"#" inside a label is not a comment; ";" inside a comment is not a separator', () => {
    assert.equal(assertCanonical('/a#b => /#/io.l5d.fs/x#y;/c=>/d # x ; /e=>/f'), '/a#b => /#/io.l5d.fs/x#y;\n/c   => /d;  # x ; /e=>/f\n');
    // After a literal, a wildcard or a weight, "#" starts a comment, as the parser reads it.
    assert.equal(assertCanonical('/a/*#w\n=>$#x\n;/b=>2#y\n*/c & /d'), '#w\n#x\n/a/* => $;\n#y\n/b   => 2.00*/c & /d;\n');
  });

  test('every valid dtab of the shared vectors keeps its meaning and is a fixed point', () => {
    const vectors = JSON.parse(readFileSync(join(root, 'test', 'naming', 'dtab-vectors.json'), 'utf8')) as { dtab_parse: { input: string; ok: boolean }[] };
    const valid = vectors.dtab_parse.filter((v) => v.ok);
    assert.ok(valid.length > 10);
    for (const v of valid) assertCanonical(v.input);
  });

  test('text that does not parse throws the parser error, with its position in the whole text', () => {
    assert.throws(() => formatDtab('/a=>/b;\n/c=>/d\n/e=>/f'), (e: unknown) => e instanceof DtabSyntaxError && e.line === 3 && e.column === 1);
  });

  test('property: dtabs with comments and odd spacing keep their meaning and format idempotently', () => {
    const label = fc.constantFrom('a', 'b', 'svc', 'io.l5d.fs', '#', 'x#y', '$', 'web-v2', '\\x41');
    const path = fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => `/${ls.join('/')}`);
    const prefix = fc.array(fc.oneof(label, fc.constant('*')), { minLength: 1, maxLength: 3 }).map((ls) => `/${ls.join('/')}`);
    const space = fc.constantFrom('', ' ', '  ', '\n', ' # note; /z=>/q\n', '\t');
    const simple = fc.oneof(path, fc.constantFrom('~', '!', '$'));
    const weighted = fc.tuple(fc.constantFrom('', '2 * ', '0.5*'), simple).map(([w, t]) => w + t);
    const union = fc.array(weighted, { minLength: 1, maxLength: 3 }).chain((ws) => fc.array(space, { minLength: ws.length, maxLength: ws.length }).map((sp) => ws.map((w, i) => `${w}${sp[i]}`).join('& ')));
    const tree = fc.array(union, { minLength: 1, maxLength: 2 }).map((us) => us.join(' | '));
    const dentry = fc.tuple(space, prefix, space, tree, space).map(([a, p, b, t, c]) => `${a}${p}${b}=>${b.includes('#') ? '' : ' '}${t}${c}`);
    const dtab = fc.tuple(fc.array(dentry, { maxLength: 5 }), fc.boolean()).map(([ds, trailing]) => ds.join(';') + (trailing && ds.length > 0 ? ';' : ''));
    fc.assert(fc.property(dtab, (text) => {
      let parsed: Dtab;
      try { parsed = Dtab.read(text); } catch { return; }
      const out = formatDtab(text);
      assert.equal(Dtab.read(out).show(), parsed.show());
      assert.equal(formatDtab(out), out);
    }), { numRuns: 300 });
  });
});
