import assert from 'node:assert/strict';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { FsNamer, fsNamer, RESCAN_INTERVAL_MS, type WatchDir } from '../../src/discovery/fs.js';
import { parseHostList } from '../../src/discovery/host-list.js';
import type { Activity } from '../../src/naming/activity.js';
import type { Addr } from '../../src/naming/addr.js';
import { BoundName, type Name } from '../../src/naming/namer.js';
import type { NameTree } from '../../src/naming/nametree.js';
import { Path } from '../../src/naming/path.js';
import { FakeClock } from '../../src/time/clock.js';
import { recordingLog, settle, show, until, value, type RecordingLog } from './helpers.js';

const PREFIX = Path.of('#', 'io.l5d.fs');

/** Replaces a file's content in one step (write aside, rename), so no reader sees it half-written. */
async function replaceFile(file: string, text: string): Promise<void> {
  const aside = join(dirname(file), `.${basename(file)}.tmp`);
  await writeFile(aside, text);
  await rename(aside, file);
}

describe('parseHostList', () => {
  test('reads host port and host port * weight, skipping comments and blank lines', () => {
    const r = parseHostList('# web tier\n\n10.0.0.1 8080\n  10.0.0.2\t8081   # canary\n10.0.0.3 8082 * 2.5\r\nweb.internal 80 * 0\n');
    assert.deepEqual(r, {
      ok: true,
      addresses: [
        { host: '10.0.0.1', port: 8080, weight: 1 },
        { host: '10.0.0.2', port: 8081, weight: 1 },
        { host: '10.0.0.3', port: 8082, weight: 2.5 },
        { host: 'web.internal', port: 80, weight: 0 },
      ],
    });
  });

  test('an empty file is an empty address set, and repeated lines count once', () => {
    assert.deepEqual(parseHostList(''), { ok: true, addresses: [] });
    assert.deepEqual(parseHostList('a 1\na 1\n'), { ok: true, addresses: [{ host: 'a', port: 1, weight: 1 }] });
  });

  const bad: [string, number, string][] = [
    ['10.0.0.1', 1, 'expected "host port" or "host port * weight", got "10.0.0.1"'],
    ['ok 1\n10.0.0.1 80 2', 2, 'expected "host port" or "host port * weight", got "10.0.0.1 80 2"'],
    ['10.0.0.1 http', 1, 'port "http" is not a number from 1 to 65535'],
    ['10.0.0.1 0', 1, 'port "0" is not a number from 1 to 65535'],
    ['\n\n10.0.0.1 65536', 3, 'port "65536" is not a number from 1 to 65535'],
    ['10.0.0.1 80 * -1', 1, 'weight "-1" is not a non-negative number'],
    ['10.0.0.1 80 * heavy', 1, 'weight "heavy" is not a non-negative number'],
    ['10.0.0.1 80 x 2', 1, 'expected "host port" or "host port * weight", got "10.0.0.1 80 x 2"'],
  ];
  for (const [text, line, reason] of bad) {
    test(`rejects ${JSON.stringify(text)} at line ${line}`, () => {
      assert.deepEqual(parseHostList(text), { ok: false, line, reason });
    });
  }
});

describe('io.l5d.fs namer', () => {
  let dir: string;
  let clock: FakeClock;
  let log: RecordingLog;
  const open: FsNamer[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-fs-'));
    clock = new FakeClock();
    log = recordingLog();
  });
  afterEach(async () => {
    for (const n of open.splice(0)) n.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A namer through the plugin, as the config would create it (rootDir relative to baseDir). */
  function namer(): FsNamer {
    const n = fsNamer.create({ kind: 'io.l5d.fs', rootDir: '.' }, { clock, log, baseDir: dir }, PREFIX) as FsNamer;
    open.push(n);
    return n;
  }

  const treeOf = (a: Activity<NameTree<Name>>) => value(a.current());
  const isLeaf = (s: ReturnType<Activity<NameTree<Name>>['current']>) => s.status === 'ok' && s.value.kind === 'leaf';
  const isNeg = (s: ReturnType<Activity<NameTree<Name>>['current']>) => s.status === 'ok' && s.value.kind === 'neg';
  function boundOf(a: Activity<NameTree<Name>>): BoundName {
    const t = treeOf(a);
    assert.equal(t.kind, 'leaf');
    const v = (t as { value: Name }).value;
    assert.ok(v instanceof BoundName);
    return v;
  }
  const addrIs = (want: string[] | string) => (s: ReturnType<Activity<Addr>['current']>) =>
    s.status === 'ok' && JSON.stringify(show(s.value)) === JSON.stringify(want);

  test('a name is Neg until its file appears, then bound with live addresses, then Neg again', async () => {
    const n = namer();
    const world = n.lookup(Path.of('world', 'v1', 'users'));
    await until(world, isNeg, 'Neg before the file exists');

    await writeFile(join(dir, 'world'), '127.0.0.1 8080\n127.0.0.1 8081 * 3\n');
    await until(world, isLeaf, 'a leaf once the file exists');
    const bound = boundOf(world);
    assert.equal(bound.id.show(), '/#/io.l5d.fs/world');
    assert.equal(bound.residual.show(), '/v1/users');
    await until(bound.addr, addrIs(['127.0.0.1:8080*1', '127.0.0.1:8081*3']), 'the file\'s addresses');
    assert.deepEqual(n.boundNames(), ['/#/io.l5d.fs/world']);

    await writeFile(join(dir, 'world'), '127.0.0.1 9090\n');
    await until(bound.addr, addrIs(['127.0.0.1:9090*1']), 'the edited addresses');
    assert.equal(boundOf(world), bound, 'an edit changes the addresses, not the bound name');

    await unlink(join(dir, 'world'));
    await until(world, isNeg, 'Neg after the file is deleted');
    await until(bound.addr, addrIs('neg'), 'a Neg address set for holders of the old bound name');
    assert.deepEqual(n.boundNames(), []);
  });

  test('every lookup of a name shares one address source', async () => {
    await writeFile(join(dir, 'world-v2'), '127.0.0.1 8080\n');
    const n = namer();
    const lookups = Array.from({ length: 50 }, (_, i) => n.lookup(Path.of('world-v2', `r${i}`)));
    await until(lookups[0]!, isLeaf);
    const addrs = new Set(lookups.map((l) => boundOf(l).addr));
    assert.equal(addrs.size, 1);
    assert.equal(boundOf(lookups[7]!).residual.show(), '/r7');
  });

  test('a bad line is logged as file:line and the last good address set is kept', async () => {
    const file = join(dir, 'world');
    await writeFile(file, '127.0.0.1 8080\n');
    const n = namer();
    const world = n.lookup(Path.of('world'));
    await until(world, isLeaf);
    const addr = boundOf(world).addr;
    await until(addr, addrIs(['127.0.0.1:8080*1']));

    await replaceFile(file, '127.0.0.1 8080\n# new one:\n127.0.0.1 80x\n');
    const problem = `${file}:3: port "80x" is not a number from 1 to 65535`;
    const logged = await log.line((l) => l.msg.startsWith(file));
    assert.equal(logged.level, 'warn');
    assert.equal(logged.msg, problem);
    assert.equal((n.state() as { files: Record<string, { error?: string }> }).files['world']?.error, problem);
    assert.deepEqual(show(value(addr.current())), ['127.0.0.1:8080*1'], 'last good set kept');

    await replaceFile(file, '127.0.0.1 8081\n');
    await until(addr, addrIs(['127.0.0.1:8081*1']), 'the fixed file\'s addresses');
    assert.equal((n.state() as { files: Record<string, { error?: string }> }).files['world']?.error, undefined);
  });

  test('a file that was never good has a failed address set naming the line', async () => {
    await writeFile(join(dir, 'broken'), 'nonsense\n');
    const n = namer();
    const broken = n.lookup(Path.of('broken'));
    await until(broken, isLeaf);
    const s = await until(boundOf(broken).addr, (x) => x.status === 'ok' && x.value.type === 'failed');
    assert.deepEqual(value(s), { type: 'failed', cause: `${join(dir, 'broken')}:1: expected "host port" or "host port * weight", got "nonsense"` });
  });

  test('dot files and directories are not services', async () => {
    await writeFile(join(dir, '.world.swp'), '127.0.0.1 1\n');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'web'), '127.0.0.1 2\n');
    const n = namer();
    const web = n.lookup(Path.of('web'));
    await until(web, isLeaf);
    assert.equal(treeOf(n.lookup(Path.of('.world.swp'))).kind, 'neg');
    assert.equal(treeOf(n.lookup(Path.of('sub'))).kind, 'neg');
    assert.equal(treeOf(n.lookup(Path.empty)).kind, 'neg');
    assert.deepEqual(n.boundNames(), ['/#/io.l5d.fs/web']);
  });

  test('a file replaced by rename (atomic write) is picked up', async () => {
    const n = namer();
    const web = n.lookup(Path.of('web'));
    await until(web, isNeg);
    await replaceFile(join(dir, 'web'), '127.0.0.1 7000\n');
    await until(web, isLeaf);
    await until(boundOf(web).addr, addrIs(['127.0.0.1:7000*1']));
  });

  test('without watch events, the periodic rescan on the clock picks up changes', async () => {
    // A watcher that hears nothing, as on filesystems where fs.watch is silent.
    const deaf: WatchDir = (d) => watch(d, { persistent: false }, () => {});
    const n = new FsNamer(dir, PREFIX, { clock, log }, deaf);
    open.push(n);
    const world = n.lookup(Path.of('world'));
    await until(world, isNeg);

    await writeFile(join(dir, 'world'), '127.0.0.1 8080\n');
    await settle();
    assert.equal(treeOf(world).kind, 'neg', 'nothing happens before the rescan');
    clock.advance(RESCAN_INTERVAL_MS);
    await until(world, isLeaf, 'a leaf after the rescan');
    await until(boundOf(world).addr, addrIs(['127.0.0.1:8080*1']));

    await unlink(join(dir, 'world'));
    clock.advance(RESCAN_INTERVAL_MS);
    await until(world, isNeg, 'Neg after the next rescan');
  });

  test('a missing rootDir fails lookups with the reason and recovers when it appears', async () => {
    const root = join(dir, 'disco');
    const n = new FsNamer(root, PREFIX, { clock, log });
    open.push(n);
    const world = n.lookup(Path.of('world'));
    const failed = await until(world, (s) => s.status === 'failed');
    assert.match((failed as { error: Error }).error.message, /io\.l5d\.fs: cannot list rootDir .*disco: .*ENOENT/);
    assert.equal(log.lines.filter((l) => l.level === 'error').length, 1);

    clock.advance(RESCAN_INTERVAL_MS);
    await settle();
    assert.equal(log.lines.filter((l) => l.level === 'error').length, 1, 'the same problem is logged once');

    await mkdir(root);
    await writeFile(join(root, 'world'), '127.0.0.1 8080\n');
    clock.advance(RESCAN_INTERVAL_MS);
    await until(world, isLeaf);
    assert.equal((n.state() as { watching: boolean }).watching, true);
  });

  test('state() describes files, addresses and errors', async () => {
    await writeFile(join(dir, 'world'), '127.0.0.1 8080 * 2\n');
    const n = namer();
    await until(n.lookup(Path.of('world')), isLeaf);
    const state = n.state() as { rootDir: string; watching: boolean; lastScanAt: string; files: Record<string, unknown> };
    assert.equal(state.rootDir, dir);
    assert.equal(state.watching, true);
    assert.equal(state.lastScanAt, new Date(clock.wallNow()).toISOString());
    assert.deepEqual(state.files, {
      world: {
        addr: { type: 'bound', addresses: [{ host: '127.0.0.1', port: 8080, weight: 2 }] },
        updatedAt: new Date(clock.wallNow()).toISOString(),
      },
    });
  });

  test('close() stops the watcher and the rescan timer', async () => {
    const watchers: FSWatcher[] = [];
    let closed = 0;
    const counting: WatchDir = (d, onChange) => {
      const w = watch(d, { persistent: false }, (_e, f) => onChange(f));
      const close = w.close.bind(w);
      w.close = () => { closed++; close(); };
      watchers.push(w);
      return w;
    };
    const n = new FsNamer(dir, PREFIX, { clock, log }, counting);
    const world = n.lookup(Path.of('world'));
    await until(world, isNeg);
    assert.equal(watchers.length, 1, 'one watcher for the whole directory');
    assert.equal(clock.pendingTimers, 1);

    n.close();
    assert.equal(closed, 1);
    assert.equal(clock.pendingTimers, 0);
    assert.equal((n.state() as { watching: boolean }).watching, false);

    await writeFile(join(dir, 'world'), '127.0.0.1 8080\n');
    clock.advance(10 * RESCAN_INTERVAL_MS);
    await settle();
    assert.equal(treeOf(world).kind, 'neg', 'a closed namer no longer follows the directory');
    assert.equal(clock.pendingTimers, 0);
  });

  test('the schema is strict and rootDir is required', () => {
    assert.equal(fsNamer.schema.safeParse({ kind: 'io.l5d.fs', rootDir: 'disco', prefix: '/disco' }).success, true);
    assert.equal(fsNamer.schema.safeParse({ kind: 'io.l5d.fs' }).success, false);
    assert.equal(fsNamer.schema.safeParse({ kind: 'io.l5d.fs', rootDir: 'disco', rootdir: 'x' }).success, false);
  });
});
