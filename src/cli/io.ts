/** Shared CLI plumbing: exit codes and errors that are the user's to fix (printed without a stack). */
import { readFileSync } from 'node:fs';

export const EXIT = { ok: 0, invalid: 1, usage: 2, failed: 3 } as const;

export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.invalid) { super(message); }
}

export function readInput(file: string): { text: string; name: string } {
  try {
    return file === '-' ? { text: readFileSync(0, 'utf8'), name: '<stdin>' } : { text: readFileSync(file, 'utf8'), name: file };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}
