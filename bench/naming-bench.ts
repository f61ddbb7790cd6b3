// Naming core micro-benchmark: node --import tsx bench/naming-bench.ts
// Parsing a typical dtab, binding through it (with and without a request override), and
// dtab lookup as the table grows: with distinct first labels the cost must stay flat.
import { constant } from '../src/naming/activity.js';
import { Addr } from '../src/naming/addr.js';
import { Dtab } from '../src/naming/dtab.js';
import { NameInterpreter } from '../src/naming/interpreter.js';
import { NameTree } from '../src/naming/nametree.js';
import { BoundName, type Name, type Namer } from '../src/naming/namer.js';
import { Path } from '../src/naming/path.js';

const TYPICAL = `
  /k8s      => /#/io.l5d.k8s ;
  /srv      => /k8s/default/http ;
  /srv      => /#/io.l5d.fs ;
  /host     => /srv ;
  /svc      => /host ;
  /svc/web  => 0.9 * /host/web & 0.1 * /host/web-canary ;
`;
const OVERRIDE = '/svc/users => /#/io.l5d.fs/users-v2 ; /host/web => /#/io.l5d.fs/web-v2';

/** Binds every name it is asked about, like a file namer whose directory has every file. */
function everything(prefix: string): Namer {
  const mount = Path.read(prefix);
  const addr = constant(Addr.bound([Addr.address('127.0.0.1', 8080)]));
  return { lookup: (rest) => constant(NameTree.leaf<Name>(new BoundName(mount.concat(rest.take(1)), addr, rest.drop(1)))) };
}

const interpreter = new NameInterpreter([
  { prefix: Path.read('/#/io.l5d.fs'), namer: everything('/#/io.l5d.fs') },
  { prefix: Path.read('/#/io.l5d.k8s'), namer: everything('/#/io.l5d.k8s') },
]);

/** Runs `fn` repeatedly for about `ms` after a warm-up; returns operations per second. */
function measure(fn: (i: number) => unknown, ms = 400): number {
  for (let i = 0; i < 2000; i++) fn(i);
  let ops = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 500; i++) fn(ops + i);
    ops += 500;
    elapsed = process.hrtime.bigint() - start;
  }
  return ops / (Number(elapsed) / 1e9);
}

const rows: [string, number][] = [];
const row = (name: string, fn: (i: number) => unknown): void => { rows.push([name, measure(fn)]); };

const names = ['users', 'web', 'orders', 'billing', 'search', 'auth', 'cart', 'feed'].map((n) => Path.read(`/svc/${n}`));
const base = Dtab.read(TYPICAL);
const withOverride = base.concat(Dtab.read(OVERRIDE));

row('parse 6-entry dtab', () => Dtab.read(TYPICAL));
row('bind /svc/<name> through it', (i) => interpreter.bind(base, names[i % names.length]!).current());
row('bind with 2-entry override appended', (i) => interpreter.bind(withOverride, names[i % names.length]!).current());

for (const size of [10, 100, 1_000, 10_000]) {
  const dtab = Dtab.read(Array.from({ length: size }, (_, i) => `/svc${i}=>/#/io.l5d.fs/s${i}`).join(';'));
  const paths = Array.from({ length: 64 }, (_, i) => Path.read(`/svc${(i * 7919) % size}/x`));
  dtab.lookup(paths[0]!); // builds the index once
  row(`lookup in ${size.toLocaleString('en')} dentries`, (i) => dtab.lookup(paths[i & 63]!));
}

const big = Dtab.read(Array.from({ length: 10_000 }, (_, i) => `/svc${i}=>/#/io.l5d.fs/s${i}`).join(';'));
big.lookup(Path.read('/svc0'));
const override = Dtab.read(OVERRIDE);
row('fresh 10,000 ++ override, first lookup', (i) => big.concat(override).lookup(Path.read(`/svc${i % 10_000}/x`)));

const width = Math.max(...rows.map(([n]) => n.length));
console.log(`${'case'.padEnd(width)}  ${'ops/s'.padStart(12)}  ${'ns/op'.padStart(9)}`);
for (const [name, ops] of rows) {
  console.log(`${name.padEnd(width)}  ${Math.round(ops).toLocaleString('en').padStart(12)}  ${(1e9 / ops).toFixed(0).padStart(9)}`);
}
