/**
 * Reads config (or dtab) text from a file or from stdin (`-`). Kept apart from validation so
 * that commands which only read text do not load the config model.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A file's text, or stdin's for `-`; `name` is how messages refer to it (`<stdin>`). */
export interface InputText { text: string; name: string }

/** Reads a file, or stdin for `-`; an unreadable file throws an Error that says why in a few words. */
export function readInputText(pathOrDash: string, stdin: () => string = () => readFileSync(0, 'utf8')): InputText {
  try {
    return pathOrDash === '-' ? { text: stdin(), name: '<stdin>' } : { text: readFileSync(pathOrDash, 'utf8'), name: pathOrDash };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new Error(`${pathOrDash}: ${why}`);
  }
}

/** The directory that relative paths in a config (`rootDir: disco`) are relative to: the file's, or the working directory for stdin. */
export function configBaseDir(pathOrDash: string): string {
  return pathOrDash === '-' ? process.cwd() : dirname(resolve(pathOrDash));
}
