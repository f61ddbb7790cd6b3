import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ConfigError, type ConfigProblem } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/validate.js';
import { keys, kinds } from './known.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The problems loadConfig reports for `lines`, as `line:col key: message`. */
function problems(lines: string[]): string[] {
  try {
    loadConfig(lines.join('\n'), 'config.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems.map((p) => `${p.line}:${p.col} ${p.keyPath}: ${p.message}`);
  }
  assert.fail('expected a ConfigError');
}

function configError(text: string): ConfigError {
  try {
    loadConfig(text, 'config.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  test('the example from the issue: file:line:col key path: expected a number, got "41x0"', () => {
    const e = configError([
      'admin:',
      '  port: 9990',
      'routers:',
      '- protocol: http',
      '  label: ingress',
      '  servers:',
      '  - port: 4142',
      '- protocol: http',
      '  label: outgoing',
      '  servers:',
      '      - ip: 127.0.0.1',
      '        port: "41x0"',
    ].join('\n'));
    assert.equal(e.message, 'config.yaml:12:15 routers[1].servers[0].port: expected a number, got "41x0"');
    assert.deepEqual(e.problems, [{ keyPath: 'routers[1].servers[0].port', message: 'expected a number, got "41x0"', line: 12, col: 15, excerpt: '        port: "41x0"' } satisfies ConfigProblem]);
    assert.equal(e.describe(true), 'config.yaml:12:15 routers[1].servers[0].port: expected a number, got "41x0"\n            port: "41x0"\n                  ^');
  });

  test('wrong types, ranges and missing keys', () => {
    assert.deepEqual(problems([
      'admin: {port: 99999, shutdownGraceMs: soon}',
      'routers:',
      '- protocol: h2',
      '  servers:',
      '  - port: 1.5',
      '    clearContext: "true"',
      '    maxCallDepth: 0',
      '  bindingTimeoutMs: []',
      '  label: ""',
      '  identifier: Host',
      '- servers: []',
      '  dstPrefix: {}',
    ]), [
      '1:15 admin.port: expected a number at most 65535, got 99999',
      '1:39 admin.shutdownGraceMs: expected a number, got "soon"',
      '3:13 routers[0].protocol: expected "http", got "h2"',
      '5:11 routers[0].servers[0].port: expected an integer, got 1.5',
      '6:19 routers[0].servers[0].clearContext: expected a boolean (true or false), got "true"',
      '7:19 routers[0].servers[0].maxCallDepth: expected a number greater than 0, got 0',
      '8:21 routers[0].bindingTimeoutMs: expected a number, got a list',
      '9:10 routers[0].label: must not be empty',
      '10:15 routers[0].identifier: expected a mapping or a list, got "Host"',
      '11:3 routers[1].protocol: required key is missing (expected "http")',
      '11:12 routers[1].servers: expected at least 1 item, got none',
      '12:14 routers[1].dstPrefix: expected a string, got a mapping',
    ]);
  });

  test('a config without routers, an empty config, and one that is not a mapping', () => {
    assert.deepEqual(problems(['admin: {port: 9990}']), ['1:1 routers: required key is missing (expected a list)']);
    assert.deepEqual(problems(['routers:']), ['1:9 routers: expected a list, got an empty value']);
    assert.deepEqual(problems(['']), ['1:1 : the config is empty; expected a mapping with at least a `routers` list']);
    assert.deepEqual(problems(['- protocol: http']), ['1:1 : the config is a list; expected a mapping with at least a `routers` list']);
  });

  test('unknown keys at every depth, with the nearest known key or the list of known keys', () => {
    assert.deepEqual(problems([
      'admin: {ip: 127.0.0.1, portt: 9990, security: {uiEnabld: false}}',
      'routers:',
      '- protocol: http',
      '  servers: [{port: 4140, adress: 127.0.0.1}]',
      '  interpreter:',
      '    kind: default',
      '    transformers: [{kind: io.l5d.port, port: 4141, hostt: x}]',
      '  client:',
      '    kind: io.l5d.static',
      '    configs:',
      '    - prefix: /#/io.l5d.fs/{service}',
      '      failureAccrual: {kind: io.l5d.consecutiveFailures, failures: 5, backof: {kind: constant}}',
      '  service:',
      '    retries: {budget: {minRetriesPerSec: 5, percentCanRetry: 0.1, ttl: 10}}',
      'namers: [{kind: io.l5d.fs, rootDir: disco, watch: true}]',
      'usage: {enabled: false, org: x}',
    ]), [
      '1:24 admin.portt: unknown key "portt" (did you mean "port"?)',
      '1:48 admin.security.uiEnabld: unknown key "uiEnabld" (did you mean "uiEnabled"?)',
      `4:26 routers[0].servers[0].adress: unknown key "adress"; known keys: ${keys.server}`,
      `7:52 routers[0].interpreter.transformers[0].hostt: unknown key "hostt"; known keys: ${keys.portTransformer}`,
      '12:71 routers[0].client.configs[0].failureAccrual.backof: unknown key "backof" (did you mean "backoff"?)',
      '14:67 routers[0].service.retries.budget.ttl: unknown key "ttl" (did you mean "ttlSecs"?)',
      `15:44 namers[0].watch: unknown key "watch"; known keys: ${keys.fsNamer}`,
      '16:25 usage.org: unknown key "org" (did you mean "orgId"?)',
    ]);
  });

  test('unknown kinds name the category, suggest the nearest and list the known ones', () => {
    assert.deepEqual(problems([
      'namers: [{kind: fs, rootDir: disco}]',
      'telemetry: [{kind: prometheus}]',
      'routers:',
      '- protocol: http',
      '  identifier: [{kind: io.l5d.path}, {kind: io.l5d.methodAndHots}]',
      '  interpreter: {transformers: [{kind: io.l5d.localhost}, {kind: io.l5d.portt, port: 1}]}',
      '  client: {kind: io.l5d.global, loadBalancer: {kind: p2cc}, failureAccrual: {kind: successRate}}',
      '  service: {kind: io.l5d.glbal}',
      '  servers: [{port: 4140}]',
    ]), [
      `1:17 namers[0].kind: unknown namer kind "fs" (did you mean "io.l5d.fs"?); known kinds: ${kinds.namers}`,
      '2:20 telemetry[0].kind: unknown telemeter kind "prometheus" (did you mean "io.l5d.prometheus"?); known kinds: io.l5d.prometheus',
      `5:44 routers[0].identifier[1].kind: unknown identifier kind "io.l5d.methodAndHots" (did you mean "io.l5d.methodAndHost"?); known kinds: ${kinds.identifiers}`,
      `6:65 routers[0].interpreter.transformers[1].kind: unknown transformer kind "io.l5d.portt" (did you mean "io.l5d.port"?); known kinds: ${kinds.transformers}`,
      '7:54 routers[0].client.loadBalancer.kind: unknown loadBalancer kind "p2cc" (did you mean "p2c"?); known kinds: p2c, ewma, roundRobin, aperture, heap',
      '7:84 routers[0].client.failureAccrual.kind: unknown failureAccrual kind "successRate" (did you mean "io.l5d.successRate"?); known kinds: io.l5d.consecutiveFailures, io.l5d.successRate, io.l5d.successRateWindowed, none',
      '8:19 routers[0].service.kind: unknown service kind "io.l5d.glbal" (did you mean "io.l5d.global"?); known kinds: io.l5d.global, io.l5d.static',
    ]);
  });

  test('a kind far from every known one gets no suggestion; a missing kind lists the choices', () => {
    assert.deepEqual(problems([
      'namers: [{kind: nosuchnamer}]',
      'routers:',
      '- protocol: http',
      '  client: {loadBalancer: {maxEffort: 3}}',
      '  servers: [{port: 4140}]',
    ]), [
      `1:17 namers[0].kind: unknown namer kind "nosuchnamer"; known kinds: ${kinds.namers}`,
      '4:26 routers[0].client.loadBalancer.kind: required key is missing (one of: p2c, ewma, roundRobin, aperture, heap)',
    ]);
  });

  test('a plugin block is checked against its own schema', () => {
    assert.deepEqual(problems([
      'namers: [{kind: io.l5d.fs}]',
      'routers:',
      '- protocol: http',
      '  identifier: {kind: io.l5d.path, segments: two}',
      '  interpreter: {transformers: [{kind: io.l5d.port, port: 70000}]}',
      '  servers: [{port: 4140}]',
    ]), [
      '1:10 namers[0].rootDir: required key is missing (expected a string)',
      '4:45 routers[0].identifier.segments: expected a number, got "two"',
      '5:58 routers[0].interpreter.transformers[0].port: expected a number at most 65535, got 70000',
    ]);
  });

  test('a bad dtab is located at the offending character, in a block, a plain or a quoted scalar', () => {
    assert.deepEqual(problems([
      'routers:',
      '- protocol: http',
      '  label: block',
      '  dtab: |',
      '    /srv => /#/io.l5d.fs;',
      '    /svc => /srv & ;',
      '  servers: [{port: 4140}]',
      '- protocol: http',
      '  label: plain',
      '  dtab: /svc => /a;',
      '    /b => /c | |',
      '  servers: [{port: 4141}]',
      '- protocol: http',
      '  label: quoted',
      '  dtab: "/svc = > /a"',
      '  servers: [{port: 4142}]',
    ]), [
      "6:20 routers[0].dtab: invalid dtab: expected a path, '!', '~', '$' or '(' but found ';' ('&' must be followed by a tree)",
      "11:16 routers[1].dtab: invalid dtab: expected a path, '!', '~', '$' or '(' but found '|' ('|' must be followed by a tree)",
      "15:16 routers[2].dtab: invalid dtab: expected '>' to complete '=>' but found ' ' (no space is allowed inside '=>')",
    ]);
  });

  test('duplicate router labels (given or defaulted to the protocol) and shared listeners', () => {
    assert.deepEqual(problems([
      'admin: {port: 4140}',
      'routers:',
      '- protocol: http',
      '  servers: [{port: 4141}]',
      '- protocol: http',
      '  servers: [{port: 4142}, {ip: 0.0.0.0, port: 4141}, {port: 0}, {port: 0}]',
      '- protocol: http',
      '  label: http',
      '  servers: [{}]',
    ]), [
      '5:3 routers[1]: duplicate router label "http": a router without a label is labelled by its protocol, and routers[0] is "http" too; give this router a unique label',
      '6:47 routers[1].servers[1].port: 0.0.0.0:4141 is already used by routers[0].servers[0] (router "http") on 127.0.0.1:4141; every server needs its own ip:port',
      '8:10 routers[2].label: duplicate router label "http" (routers[0] has it too); labels must be unique',
      '9:13 routers[2].servers[0].port: 127.0.0.1:4140 is already used by the admin server; every server needs its own ip:port',
    ]);
  });

  test('problems from the core schema, plugin blocks and cross-field rules are reported together, in file order', () => {
    assert.deepEqual(problems([
      'namers: [{kind: io.l5d.fss, rootDir: d}]',
      'routers:',
      '- protocol: http',
      '  dtab: /a => ;',
      '  servers: [{port: x}]',
      '- protocol: http',
      '  servers: [{port: 1}]',
    ]).map((p) => p.split(' ')[0]), ['1:17', '4:15', '5:20', '6:3']);
  });

  test('defaults are applied: admin, servers, routers, and each plugin block its own', () => {
    const config = loadConfig([
      'namers: [{kind: io.l5d.fs, rootDir: disco}]',
      'telemetry: [{kind: io.l5d.prometheus}]',
      'routers:',
      '- protocol: http',
      '  identifier: {kind: io.l5d.header.token}',
      '  servers: [{}]',
    ].join('\n'));
    assert.deepEqual(config.admin, { ip: '127.0.0.1', port: 9990, shutdownGraceMs: 10_000 });
    const [router] = config.routers;
    assert.deepEqual(router!.servers, [{ ip: '127.0.0.1', port: 4140, clearContext: false, maxCallDepth: 1000 }]);
    assert.equal(router!.label, 'http');
    assert.equal(router!.dtab, '');
    assert.equal(router!.dstPrefix, '/svc');
    assert.equal(router!.bindingTimeoutMs, 10_000);
    assert.equal(router!.maxHeadersKB, 8);
    assert.equal(router!.maxInitialLineKB, 4);
    assert.equal(router!.maxErrResponseKB, 5120);
    assert.equal(router!.streamingEnabled, true);
    assert.deepEqual(router!.identifier, { kind: 'io.l5d.header.token', header: 'Host' });
    assert.deepEqual(config.namers, [{ kind: 'io.l5d.fs', rootDir: 'disco' }]);
    assert.deepEqual(config.telemetry, [{ kind: 'io.l5d.prometheus', path: '/admin/metrics/prometheus', prefix: '', naming: 'linkerd' }]);
  });

  test('JSON is YAML too, with positions', () => {
    assert.equal(loadConfig('{"routers": [{"protocol": "http", "label": "web", "servers": [{"port": 8080}]}]}').routers[0]!.servers[0]!.port, 8080);
    assert.deepEqual(problems(['{"routers": [{"protocol": "http", "servers": [{"port": 8080}]}],', ' "admin": {"port": "x"}}']), ['2:20 admin.port: expected a number, got "x"']);
  });

  test('every example config loads', () => {
    const dir = join(root, 'examples', 'configs');
    const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
    assert.ok(files.length >= 2);
    for (const f of files) {
      const config = loadConfig(readFileSync(join(dir, f), 'utf8'), f);
      assert.ok(config.routers.length > 0, f);
    }
  });
});
