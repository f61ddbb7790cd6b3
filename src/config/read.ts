/** Reads a config from a file or from stdin (`-`), and validates it. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfig } from './validate.js';
import type { Config } from './schema.js';

export interface LoadedConfig { config: Config; file: string; baseDir: string; text: string }

export function readConfig(pathOrDash: string, stdin: () => string = () => readFileSync(0, 'utf8')): LoadedConfig {
  const fromStdin = pathOrDash === '-';
  let text: string;
  try {
    text = fromStdin ? stdin() : readFileSync(pathOrDash, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${pathOrDash}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a config file' : (e as Error).message}`);
  }
  const file = fromStdin ? '<stdin>' : pathOrDash;
  const baseDir = fromStdin ? process.cwd() : dirname(resolve(pathOrDash));
  return { config: loadConfig(text, file), file, baseDir, text };
}
