// Bundles the admin dashboard (src/admin/ui) into dist/ui with esbuild: no CDN, works offline.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'admin', 'ui', 'main.ts');
if (existsSync(entry)) {
  await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    outfile: join(root, 'dist', 'ui', 'app.js'),
    loader: { '.css': 'css' },
    logLevel: 'warning',
  });
}
