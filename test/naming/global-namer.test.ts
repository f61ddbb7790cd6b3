// The /$/ namer and Linkerd's rewriting namers in isolation (§10, §13.12, §13.13, §13.17).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { globalNamer, javaInt } from '../../src/naming/global-namer.js';
import { BoundName } from '../../src/naming/namer.js';
import { Path } from '../../src/naming/path.js';
import { errorCategory } from './harness.js';

const global = globalNamer();

/** What the namer makes of `/$/…`: a rewritten path, `bound <id> <residual>`, `~`, `!`, `$`, or an error category. */
function lookup(path: string): string {
  const s = global.lookup(Path.read(path).drop(1)).current();
  if (s.status === 'failed') return errorCategory(s.error);
  if (s.status === 'pending') return 'pending';
  const t = s.value;
  if (t.kind === 'neg') return '~';
  if (t.kind === 'fail') return '!';
  if (t.kind === 'empty') return '$';
  if (t.kind !== 'leaf') return `unexpected ${t.kind}`;
  return t.value instanceof BoundName ? `bound ${t.value.id.show()} ${t.value.residual.show()}` : t.value.show();
}

const cases: [string, string][] = [
  // inet and friends
  ['/$/inet/127.0.0.1/8080/a/b', 'bound /$/inet/127.0.0.1/8080 /a/b'],
  ['/$/inet/8080', 'bound /$/inet/8080 /'],
  ['/$/inet/8080/9090', 'bound /$/inet/8080/9090 /'],
  ['/$/inet/h/-2147483648', 'bound /$/inet/h/-2147483648 /'],
  ['/$/inet/h/80x', 'error:namer'],
  ['/$/fail', '!'],
  ['/$/fail/x/y', '!'],
  ['/$/nil/x', '$'],
  ['/$/failure', 'error:namer'],
  ['/$/no.such.Namer/x', 'error:namer'],
  ['/$', '~'],
  // rinet
  ['/$/io.buoyant.rinet/8080/10.0.0.1/x', 'bound /$/io.buoyant.rinet/8080/10.0.0.1 /x'],
  ['/$/io.buoyant.rinet/8080/a\\x20\\x23b/x', 'bound /$/io.buoyant.rinet/8080/a /x'],
  ['/$/io.buoyant.rinet/8080/a\\x2fb', 'bound /$/io.buoyant.rinet/8080/a/b /'],
  ['/$/io.buoyant.rinet/8080/a\\x2bb', 'error:namer'],
  // domainToPath(Pfx): Java split, empty labels fail, no case folding, port kept
  ['/$/io.buoyant.http.domainToPathPfx/pfx/foo.bar./x', '/pfx/bar/foo/x'],
  ['/$/io.buoyant.http.domainToPathPfx/pfx/.foo', 'error:namer'],
  ['/$/io.buoyant.http.domainToPathPfx/pfx/a..b', 'error:namer'],
  ['/$/io.buoyant.http.domainToPathPfx/pfx/Web.Example', '/pfx/Example/Web'],
  ['/$/io.buoyant.http.domainToPathPfx/pfx/a$b', '~'],
  ['/$/io.buoyant.http.domainToPath/www.example.com/x', '/com/example/www/x'],
  ['/$/io.buoyant.http.domainToPath/.', '/'],
  // subdomainOf(Pfx): the port is dropped
  ['/$/io.buoyant.http.subdomainOfPfx/example.com/pfx/web.example.com:8080/a', '/pfx/web/a'],
  ['/$/io.buoyant.http.subdomainOfPfx/example.com/pfx/.example.com', '~'],
  ['/$/io.buoyant.http.subdomainOfPfx/example.com/pfx', '~'],
  ['/$/io.buoyant.http.subdomainOf/example.com/a.b.example.com/x', '/a.b/x'],
  ['/$/io.buoyant.http.subdomainOf/example.com/example.com', '~'],
  // methods and hosts
  ['/$/io.buoyant.http.anyMethod/GET/svc/x', '/svc/x'],
  ['/$/io.buoyant.http.anyMethod/get/svc', '~'],
  ['/$/io.buoyant.http.anyMethodPfx/pfx/POST/svc', '/pfx/svc'],
  ['/$/io.buoyant.http.anyMethodPfx/pfx', '~'],
  ['/$/io.buoyant.http.anyHost/foo.example.com/a', '/a'],
  ['/$/io.buoyant.http.anyHost/a$b/a', '~'],
  ['/$/io.buoyant.http.anyHostPfx/pfx/foo:80/a', '/pfx/a'],
  // host:port
  ['/$/io.buoyant.hostportPfx/pfx/web:80-/x', '/pfx/web/80-/x'],
  ['/$/io.buoyant.hostportPfx/pfx/web:-80', '~'],
  ['/$/io.buoyant.hostportPfx/pfx/:8080', 'error:namer'],
  ['/$/io.buoyant.porthostPfx/pfx/web:http/x', '/pfx/http/web/x'],
  ['/$/io.buoyant.porthostPfx/pfx', '~'],
  ['/$/io.buoyant.hostportPfx', '~'],
  // labels are read as UTF-8 and written back as UTF-8
  ['/$/io.buoyant.http.anyMethodPfx/caf\\xc3\\xa9/GET/x', '/\\x63\\x61\\x66\\xc3\\xa9/x'],
];

describe('the /$/ namer', () => {
  for (const [path, expected] of cases) test(`${path} → ${expected}`, () => assert.equal(lookup(path), expected));

  test('Integer.parseInt', () => {
    assert.equal(javaInt('08080'), 8080);
    assert.equal(javaInt('+1'), 1);
    assert.equal(javaInt('-2147483648'), -2147483648);
    for (const bad of ['', '+', '-', '2147483648', '80x', '1e3', ' 80', '\u0668\u0660']) assert.equal(javaInt(bad), null, bad);
  });

  test('an empty-label failure says which namer and why', () => {
    const s = global.lookup(Path.read('/io.buoyant.http.domainToPathPfx/pfx/a..b')).current();
    assert.equal(s.status, 'failed');
    if (s.status === 'failed') {
      assert.equal(s.error.message, 'io.buoyant.http.domainToPathPfx cannot rewrite /$/io.buoyant.http.domainToPathPfx/pfx/a..b: the result would contain an empty label');
    }
  });
});
