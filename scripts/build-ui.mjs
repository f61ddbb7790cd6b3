// Bundles the admin dashboard (src/admin/ui) into dist/ui with esbuild: no CDN, works offline.
import { build } from 'esbuild';
import { existsSync, mkdtempSync, renameSync, readdirSync, mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'admin', 'ui', 'main.ts');
if (existsSync(entry)) {
  // Build aside and rename into place, so a browser loading the dashboard never reads a half-written file.
  const out = join(root, 'dist', 'ui');
  mkdirSync(out, { recursive: true });
  const tmp = mkdtempSync(join(root, 'dist', '.ui-'));
  await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    outfile: join(tmp, 'app.js'),
    loader: { '.css': 'css' },
    logLevel: 'warning',
  });
  for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(out, f));
  rmSync(tmp, { recursive: true, force: true });
}
