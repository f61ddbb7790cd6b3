// Brings a checkout to a runnable state: installs npm dependencies when the lock changed,
// installs the Debian packages the tests drive (when run as root and they are missing),
// and rebuilds dist/ when any source is newer than the last build.
// Usage: node scripts/ensure.mjs [--no-build] [--system]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const log = (msg) => process.stderr.write(`[switchyard] ${msg}\n`);

function mtime(p) { try { return statSync(p).mtimeMs; } catch { return 0; } }
function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : mtime(p));
  }
  return t;
}
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) { log(`${cmd} ${argv.join(' ')} failed (exit ${r.status})`); process.exit(r.status ?? 1); }
}

// 1. npm dependencies
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || mtime(lock) > mtime(installed) || mtime(join(root, 'package.json')) > mtime(installed)) {
  log('installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}

// 2. Debian packages the test suite drives (browser, load generator, promtool)
if (args.has('--system')) {
  run('bash', [join(root, 'scripts', 'system-deps.sh')]);
}

// 3. build
if (!args.has('--no-build')) {
  const stamp = join(root, 'dist', '.stamp');
  const src = Math.max(newest(join(root, 'src')), newest(join(root, 'examples')), mtime(join(root, 'tsconfig.json')), mtime(join(root, 'tsconfig.build.json')), mtime(lock));
  if (!existsSync(stamp) || src > mtime(stamp)) {
    log('building (tsc)…');
    run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json']);
    run(process.execPath, [join(root, 'scripts', 'build-ui.mjs')]);
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(stamp, new Date().toISOString());
  }
}
