import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { cli, scratch, STACK_FRAME } from './cli.js';

const messy = '# base dtab\n/srv=>/#/io.l5d.fs;/host => /srv ;  # fallback\n/host/world=>/srv/world-v1|/srv/world-v0;/svc=>/host\n';
const canonical = [
  '# base dtab',
  '/srv        => /#/io.l5d.fs;',
  '/host       => /srv;  # fallback',
  '/host/world => /srv/world-v1 | /srv/world-v0;',
  '/svc        => /host;',
  '',
].join('\n');
const broken = '/srv => /#/io.l5d.fs;\n/host => /srv\n/svc => /host;\n';

const dir = scratch({ 'base.dtab': messy, 'broken.dtab': broken });
after(() => dir.remove());
const run = (args: string[], stdin?: string) => cli(args, { cwd: dir.dir, ...(stdin !== undefined ? { stdin } : {}) });

describe('switchyard dtab', { concurrency: 4 }, () => {
  test('fmt prints the canonical form, aligned, comments kept; fmt of that is the same', async () => {
    const once = await run(['dtab', 'fmt', 'base.dtab']);
    assert.equal(once.code, 0, once.stderr);
    assert.equal(once.stderr, '');
    assert.equal(once.stdout, canonical);
    const twice = await run(['dtab', 'fmt', '-'], once.stdout);
    assert.equal(twice.code, 0, twice.stderr);
    assert.equal(twice.stdout, once.stdout);
  });

  test('check says ok with the number of dentries, for a file and for stdin', async () => {
    const [file, stdin, empty] = await Promise.all([run(['dtab', 'check', 'base.dtab']), run(['dtab', 'check', '-'], '/a => /b'), run(['dtab', 'check', '-'], '')]);
    assert.deepEqual([file.code, file.stdout, file.stderr], [0, 'base.dtab: ok (4 dentries)\n', '']);
    assert.deepEqual([stdin.code, stdin.stdout], [0, '<stdin>: ok (1 dentry)\n']);
    assert.deepEqual([empty.code, empty.stdout], [0, '<stdin>: ok (0 dentries)\n']);
  });

  const error = [
    "broken.dtab:3:1: invalid dtab: expected ';' or end of input but found '/' (dentries are separated by ';', a newline is not enough; trees are joined with '|' or '&')",
    '    /svc => /host;',
    '    ^',
    '',
  ].join('\n');

  test('check and fmt of a broken dtab: file:line:col, the reason, the line and a caret; exit 1', async () => {
    const [check, fmt] = await Promise.all([run(['dtab', 'check', 'broken.dtab']), run(['dtab', 'fmt', 'broken.dtab'])]);
    for (const r of [check, fmt]) {
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, error);
    }
  });

  test('errors in stdin are located too, and tabs keep the caret aligned', async () => {
    const r = await run(['dtab', 'check', '-'], '/a => /b;\n\t/c => /d e;\n');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "<stdin>:2:11: invalid dtab: expected ';' or end of input but found 'e'\n    \t/c => /d e;\n    \t         ^\n");
  });

  test('a missing file: exit 1, one line, no stack trace', async () => {
    const r = await run(['dtab', 'fmt', 'nope.dtab']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'nope.dtab: no such file\n');
    assert.doesNotMatch(r.stderr, STACK_FRAME);
  });
});
