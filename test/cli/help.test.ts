import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cli, root } from './cli.js';

describe('switchyard help and usage', { concurrency: 4 }, () => {
  test('--help lists every command, examples and exit codes on stdout, exit 0', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    for (const cmd of ['run [options] <config>', 'check <config>', 'delegate [options] <path>', 'dtab']) assert.match(r.stdout, new RegExp(`^  ${cmd.replace(/[[\]]/g, '\\$&')} `, 'm'));
    assert.match(r.stdout, /^Examples:$/m);
    assert.match(r.stdout, /Exit codes: 0 success, 1 invalid input/);
    assert.ok(r.stdout.endsWith('\n'));
  });

  const commands: [string[], RegExp[]][] = [
    [['run'], [/^Usage: switchyard run \[options\] <config>$/m, /SIGTERM or SIGINT/, /already in use exits 3/]],
    [['check'], [/^Usage: switchyard check \[options\] <config>$/m, /file:line:col key\.path: message/]],
    [['delegate'], [/^Usage: switchyard delegate \[options\] <path>$/m, /-c, --config <file>/, /-r, --router <label>/, /-d, --dtab <dtab>/, /--json/, /★ marks the branch/]],
    [['dtab'], [/^Usage: switchyard dtab \[options\] \[command\]$/m, /^  fmt <file> /m, /^  check <file> /m]],
    [['dtab', 'fmt'], [/^Usage: switchyard dtab fmt \[options\] <file>$/m, /or - for stdin/]],
    [['dtab', 'check'], [/^Usage: switchyard dtab check \[options\] <file>$/m, /line and column/]],
  ];
  for (const [cmd, expected] of commands) {
    test(`${cmd.join(' ')} --help describes the command, exit 0`, async () => {
      const r = await cli([...cmd, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      for (const e of expected) assert.match(r.stdout, e);
    });
  }

  test('--version prints the package version', async () => {
    const r = await cli(['--version']);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${pkg.version}\n`);
  });

  test('no command: usage on stderr, exit 2', async () => {
    const r = await cli([]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: switchyard /m);
  });

  test('an unknown command, a missing argument or a bad option value: one line on stderr, exit 2', async () => {
    const [unknown, missing, badTimeout] = await Promise.all([
      cli(['chekc', 'x.yaml']),
      cli(['delegate', '/svc/x']),
      cli(['delegate', '--config', 'x.yaml', '--timeout', 'soon', '/svc/x']),
    ]);
    for (const r of [unknown, missing, badTimeout]) {
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /\(run with --help for usage\)\n$/);
    }
    assert.match(unknown.stderr, /^error: unknown command 'chekc'/m);
    assert.match(missing.stderr, /^error: required option '-c, --config <file>' not specified/m);
    assert.match(badTimeout.stderr, /argument 'soon' is invalid\. expected a positive whole number of milliseconds/);
  });
});
