import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { cli, scratch, STACK_FRAME } from './cli.js';

const dir = scratch({
  'linkerd.yaml': [
    'namers:',
    '- kind: io.l5d.fs',
    '  rootDir: disco',
    'routers:',
    '- protocol: http',
    '  label: ingress',
    '  dtab: /svc => /$/inet/127.0.0.1/8080;',
    '  servers: [{port: 4142}]',
    '- protocol: http',
    '  label: outgoing',
    '  dtab: |',
    '    /srv        => /#/io.l5d.fs;',
    '    /host       => /srv;',
    '    /host/world => /srv/world-v1;',
    '    /svc        => /host;',
    '  servers: [{port: 4140}]',
  ].join('\n'),
});
mkdirSync(dir.path('disco'));
dir.write('disco/world-v1', '127.0.0.1 7778\n');
dir.write('disco/world-v2', '127.0.0.1 7779\n127.0.0.2 7779 * 3\n');
after(() => dir.remove());

const delegate = (...args: string[]) => cli(['delegate', '-c', 'linkerd.yaml', ...args], { cwd: dir.dir });

describe('switchyard delegate', { concurrency: 4 }, () => {
  test('prints the tree: dentries, ★ on the branch taken, bound leaves with their addresses', async () => {
    const r = await delegate('-r', 'outgoing', '-d', '/host/world => /srv/world-v2', '/svc/world');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, [
      '/svc/world in router "outgoing" with override /host/world => /srv/world-v2',
      '',
      '/svc/world ★',
      '└─ /host/world ★   (/svc => /host)',
      '   ├─ /srv/world-v2 ★   (/host/world => /srv/world-v2)',
      '   │  └─ /#/io.l5d.fs/world-v2 ★   (/srv => /#/io.l5d.fs)',
      '   │         bound /#/io.l5d.fs/world-v2 → 127.0.0.1:7779, 127.0.0.2:7779 (weight 3)',
      '   ├─ /srv/world-v1   (/host/world => /srv/world-v1)',
      '   │  └─ /#/io.l5d.fs/world-v1   (/srv => /#/io.l5d.fs)',
      '   │         bound /#/io.l5d.fs/world-v1 → 127.0.0.1:7778',
      '   └─ /srv/world   (/host => /srv)',
      '      └─ /#/io.l5d.fs/world [neg]   (/srv => /#/io.l5d.fs)',
      '',
      '→ /#/io.l5d.fs/world-v2: 127.0.0.1:7779, 127.0.0.2:7779 (weight 3)',
      '(★ marks the branch routing takes)',
      '',
    ].join('\n'));
  });

  test('the first router is the default; a residual path is shown on its leaf', async () => {
    const r = await delegate('/svc/web/api');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\/svc\/web\/api in router "ingress"\n/);
    assert.match(r.stdout, /bound \/\$\/inet\/127\.0\.0\.1\/8080 residual \/web\/api → 127\.0\.0\.1:8080\n/);
  });

  test('a name nothing binds: the tree, and a closing line saying there is no route', async () => {
    const r = await delegate('-r', 'outgoing', '/svc/nowhere');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /└─ \/#\/io\.l5d\.fs\/nowhere \[neg\] {3}\(\/srv => \/#\/io\.l5d\.fs\)\n/);
    assert.match(r.stdout, /\n→ no route: nothing binds \/svc\/nowhere \(every branch is negative\)\n$/);
    assert.doesNotMatch(r.stdout, /★/);
  });

  test("--json prints Linkerd's delegator.json shape", async () => {
    const r = await delegate('-r', 'outgoing', '--json', '/svc/world');
    assert.equal(r.code, 0, r.stderr);
    const tree = JSON.parse(r.stdout);
    assert.equal(tree.type, 'delegate');
    assert.equal(tree.path, '/svc/world');
    assert.equal(tree.dentry, undefined);
    const host = tree.delegate;
    assert.deepEqual({ type: host.type, path: host.path, dentry: host.dentry }, { type: 'alt', path: '/host/world', dentry: { prefix: '/svc', dst: '/host' } });
    const [v1, fallback] = host.alt;
    assert.equal(v1.path, '/srv/world-v1');
    assert.deepEqual(v1.delegate, {
      type: 'leaf',
      path: '/#/io.l5d.fs/world-v1',
      dentry: { prefix: '/srv', dst: '/#/io.l5d.fs' },
      bound: { addr: { type: 'bound', addrs: [{ ip: '127.0.0.1', port: 7778, meta: {} }], meta: {} }, id: '/#/io.l5d.fs/world-v1', path: '/' },
      primary: true,
    });
    assert.equal(fallback.delegate.type, 'neg');
    assert.equal(fallback.primary, undefined);
  });

  test('a bad --dtab: exit 1, the reason and a caret under the column', async () => {
    const r = await delegate('-d', '/host/world => /srv/world-v2 &', '/svc/world');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, [
      "--dtab: invalid dtab: expected a path, '!', '~', '$' or '(' but found end of input ('&' must be followed by a tree)",
      '    /host/world => /srv/world-v2 &',
      '                                  ^',
      '',
    ].join('\n'));
  });

  test('a bad path: exit 1 with the reason', async () => {
    const r = await delegate('svc/world');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `"svc/world": invalid path: expected '/' but found 's' (a path starts with '/')\n    svc/world\n    ^\n`);
  });

  test('an unknown router: exit 1, the nearest label suggested and all listed', async () => {
    const r = await delegate('-r', 'outgoin', '/svc/world');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'linkerd.yaml has no router "outgoin" (did you mean "outgoing"?); its routers: ingress, outgoing\n');
  });

  test('a config with problems or no config: exit 1, no stack trace', async () => {
    dir.write('bad.yaml', 'routers:\n- protocol: http\n  servers: [{port: 4140}]\n  dtab: /svc => \n');
    const [bad, missing] = await Promise.all([
      cli(['delegate', '-c', 'bad.yaml', '/svc/x'], { cwd: dir.dir }),
      cli(['delegate', '-c', 'missing.yaml', '/svc/x'], { cwd: dir.dir }),
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^bad\.yaml:4:16 routers\[0\]\.dtab: invalid dtab: expected a path/);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'missing.yaml: no such file\n');
    for (const r of [bad, missing]) assert.doesNotMatch(r.stderr, STACK_FRAME);
  });
});
