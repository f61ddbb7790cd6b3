import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cli, root, scratch, STACK_FRAME, type CliResult } from './cli.js';
import { keys, kinds } from '../config/known.js';

const dir = scratch();
after(() => dir.remove());

/** Runs `switchyard check <name>` on a file written in the scratch directory (cwd), so messages name it plainly. */
async function check(name: string, text: string): Promise<CliResult> {
  dir.write(name, text);
  return cli(['check', name], { cwd: dir.dir });
}

function assertInvalid(r: CliResult): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.doesNotMatch(r.stderr, STACK_FRAME);
  assert.ok(r.stderr.endsWith('\n'));
}

/** The `file:line:col key: message` lines of the output, without the excerpts under them. */
const headlines = (stderr: string) => stderr.split('\n').filter((l) => l !== '' && !l.startsWith('    '));

describe('switchyard check', { concurrency: 4 }, () => {
  const examples = readdirSync(join(root, 'examples', 'configs')).filter((f) => /\.(ya?ml|json)$/.test(f));
  test('the example configs are listed', () => assert.ok(examples.length >= 2));
  for (const example of examples) {
    test(`examples/configs/${example} is valid: exit 0, a summary on stdout`, async () => {
      const r = await cli(['check', join('examples', 'configs', example)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(r.stdout, new RegExp(`^examples/configs/${example.replace('.', '\\.')}: ok: 2 routers \\(.+\\), 1 namer \\(io\\.l5d\\.fs\\), admin on 127\\.0\\.0\\.1:9990\\n$`));
    });
  }

  test('YAML syntax error: file:line:col, the line and a caret', async () => {
    const r = await check('syntax.yaml', 'routers:\n- protocol: http\n  servers: [\n  - port: 4140\n');
    assertInvalid(r);
    assert.equal(r.stderr, [
      'syntax.yaml:4:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      '      - port: 4140',
      '      ^',
      '',
    ].join('\n'));
  });

  test('duplicate keys are errors, named by key path with the first occurrence', async () => {
    const r = await check('dup.yaml', [
      'routers:',
      '- protocol: http',
      '  label: a',
      '  servers:',
      '  - port: 4140',
      '    ip: 127.0.0.1',
      '    port: 4141',
      '  label: b',
    ].join('\n'));
    assertInvalid(r);
    assert.deepEqual(headlines(r.stderr), [
      'dup.yaml:7:5 routers[0].servers[0].port: duplicate key "port" (first given on line 5)',
      'dup.yaml:8:3 routers[0].label: duplicate key "label" (first given on line 3)',
    ]);
  });

  test('unknown keys at every depth and wrong types, all listed in file order', async () => {
    const r = await check('config.yaml', [
      'admin:',
      '  port: 9990',
      '  prot: 9991',
      'namers:',
      '- kind: io.l5d.fs',
      '  rootDirr: disco',
      'routers:',
      '- protocol: http',
      '  label: ingress',
      '  servers:',
      '  - port: 4142',
      '- protocol: http',
      '  label: outgoing',
      '  bindingTimeoutMS: 100',
      '  client:',
      '    loadBalancer: {kind: ewma, maxEffortt: 3}',
      '  servers:',
      '  - port: "41x0"',
      '    clearContext: yes',
      'tracers: []',
    ].join('\n'));
    assertInvalid(r);
    assert.deepEqual(headlines(r.stderr), [
      'config.yaml:3:3 admin.prot: unknown key "prot" (did you mean "port"?)',
      'config.yaml:5:3 namers[0].rootDir: required key is missing (expected a string)',
      'config.yaml:6:3 namers[0].rootDirr: unknown key "rootDirr" (did you mean "rootDir"?)',
      'config.yaml:14:3 routers[1].bindingTimeoutMS: unknown key "bindingTimeoutMS" (did you mean "bindingTimeoutMs"?)',
      'config.yaml:16:32 routers[1].client.loadBalancer.maxEffortt: unknown key "maxEffortt" (did you mean "maxEffort"?)',
      'config.yaml:18:11 routers[1].servers[0].port: expected a number, got "41x0"',
      'config.yaml:19:19 routers[1].servers[0].clearContext: expected a boolean (true or false), got "yes"',
      `config.yaml:20:1 tracers: unknown key "tracers"; known keys: ${keys.top}`,
    ]);
    // Every problem shows its line with a caret under the column.
    assert.match(r.stderr, /^config\.yaml:18:11 .*\n {6}- port: "41x0"\n {14}\^$/m);
  });

  test('unknown plugin kinds list the known ones and suggest the nearest', async () => {
    const r = await check('kinds.yaml', [
      'namers:',
      '- kind: io.l5d.fss',
      '  rootDir: disco',
      'telemetry:',
      '- kind: io.l5d.prometeus',
      'routers:',
      '- protocol: http',
      '  identifier: {kind: io.l5d.header.tokn}',
      '  interpreter:',
      '    transformers:',
      '    - kind: localhost',
      '  client:',
      '    loadBalancer: {kind: ewmaa}',
      '    failureAccrual: {kind: io.l5d.consecutiveFailurs}',
      '  service:',
      '    responseClassifier: {kind: io.l5d.http.retryableRead5xx}',
      '  servers:',
      '  - port: 4140',
    ].join('\n'));
    assertInvalid(r);
    assert.deepEqual(headlines(r.stderr), [
      `kinds.yaml:2:9 namers[0].kind: unknown namer kind "io.l5d.fss" (did you mean "io.l5d.fs"?); known kinds: ${kinds.namers}`,
      'kinds.yaml:5:9 telemetry[0].kind: unknown telemeter kind "io.l5d.prometeus" (did you mean "io.l5d.prometheus"?); known kinds: io.l5d.prometheus',
      `kinds.yaml:8:22 routers[0].identifier.kind: unknown identifier kind "io.l5d.header.tokn" (did you mean "io.l5d.header.token"?); known kinds: ${kinds.identifiers}`,
      `kinds.yaml:11:13 routers[0].interpreter.transformers[0].kind: unknown transformer kind "localhost" (did you mean "io.l5d.localhost"?); known kinds: ${kinds.transformers}`,
      'kinds.yaml:13:26 routers[0].client.loadBalancer.kind: unknown loadBalancer kind "ewmaa" (did you mean "ewma"?); known kinds: p2c, ewma, roundRobin, aperture, heap',
      'kinds.yaml:14:28 routers[0].client.failureAccrual.kind: unknown failureAccrual kind "io.l5d.consecutiveFailurs" (did you mean "io.l5d.consecutiveFailures"?); known kinds: io.l5d.consecutiveFailures, io.l5d.successRate, io.l5d.successRateWindowed, none',
      'kinds.yaml:16:32 routers[0].service.responseClassifier.kind: unknown responseClassifier kind "io.l5d.http.retryableRead5xx" (did you mean "io.l5d.http.retryableRead5XX"?); known kinds: io.l5d.http.nonRetryable5XX, io.l5d.http.retryableRead5XX, io.l5d.http.retryableIdempotent5XX, io.l5d.http.retryableAll5XX, io.l5d.http.allSuccessful',
    ]);
  });

  test('a bad dtab is pointed at inside the dtab block', async () => {
    const r = await check('dtab.yaml', [
      'routers:',
      '- protocol: http',
      '  dtab: |',
      '    /srv  => /#/io.l5d.fs;',
      '    /host => /srv',
      '    /svc  => /host;',
      '  servers:',
      '  - port: 4140',
    ].join('\n'));
    assertInvalid(r);
    assert.equal(r.stderr, [
      "dtab.yaml:6:5 routers[0].dtab: invalid dtab: expected ';' or end of input but found '/' (dentries are separated by ';', a newline is not enough; trees are joined with '|' or '&')",
      '        /svc  => /host;',
      '        ^',
      '',
    ].join('\n'));
  });

  test('duplicate router labels and listeners that share an ip:port', async () => {
    const r = await check('clash.yaml', [
      'admin: {ip: 0.0.0.0, port: 9990}',
      'routers:',
      '- protocol: http',
      '  servers: [{port: 4140}]',
      '- protocol: http',
      '  servers: [{port: 4141}]',
      '- protocol: http',
      '  label: out',
      '  servers: [{port: 4141}, {port: 9990}]',
      '- protocol: http',
      '  label: out',
      '  servers: [{ip: 127.0.0.2, port: 4141}]',
    ].join('\n'));
    assertInvalid(r);
    assert.deepEqual(headlines(r.stderr), [
      'clash.yaml:5:3 routers[1]: duplicate router label "http": a router without a label is labelled by its protocol, and routers[0] is "http" too; give this router a unique label',
      'clash.yaml:9:20 routers[2].servers[0].port: 127.0.0.1:4141 is already used by routers[1].servers[0] (router "http"); every server needs its own ip:port',
      'clash.yaml:9:34 routers[2].servers[1].port: 127.0.0.1:9990 is already used by the admin server on 0.0.0.0:9990; every server needs its own ip:port',
      'clash.yaml:11:10 routers[3].label: duplicate router label "out" (routers[2] has it too); labels must be unique',
    ]);
  });

  test('JSON configs are read too, with positions', async () => {
    const good = await check('good.json', JSON.stringify({ routers: [{ protocol: 'http', label: 'web', servers: [{ port: 4140 }] }] }));
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout, 'good.json: ok: 1 router (web on 127.0.0.1:4140), 0 namers, admin on 127.0.0.1:9990\n');
    const bad = await check('bad.json', '{\n  "routers": [\n    {"protocol": "http", "servers": [{"port": "41x0"}]}\n  ]\n}\n');
    assertInvalid(bad);
    assert.deepEqual(headlines(bad.stderr), ['bad.json:3:47 routers[0].servers[0].port: expected a number, got "41x0"']);
  });

  test('- reads the config from stdin', async () => {
    const good = await cli(['check', '-'], { stdin: 'routers:\n- protocol: http\n  servers: [{port: 4140}]\n' });
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout, '<stdin>: ok: 1 router (http on 127.0.0.1:4140), 0 namers, admin on 127.0.0.1:9990\n');
    const bad = await cli(['check', '-'], { stdin: 'routers:\n- protocol: http\n  servers: [{port: 4140, bogus: 1}]\n' });
    assertInvalid(bad);
    assert.deepEqual(headlines(bad.stderr), [`<stdin>:3:26 routers[0].servers[0].bogus: unknown key "bogus"; known keys: ${keys.server}`]);
  });

  test('a missing file, a directory and an empty file', async () => {
    const [missing, directory, empty] = await Promise.all([
      cli(['check', 'no-such.yaml'], { cwd: dir.dir }),
      cli(['check', '.'], { cwd: dir.dir }),
      check('empty.yaml', ''),
    ]);
    for (const r of [missing, directory, empty]) assertInvalid(r);
    assert.equal(missing.stderr, 'no-such.yaml: no such file\n');
    assert.equal(directory.stderr, '.: is a directory, expected a file\n');
    assert.equal(empty.stderr, 'empty.yaml:1:1: the config is empty; expected a mapping with at least a `routers` list\n');
  });
});
