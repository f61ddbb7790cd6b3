/** Shared CLI plumbing: exit codes, errors that are the user's to fix (printed without a stack), input. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInputText, type InputText } from '../config/read.js';
import type { DtabSyntaxError } from '../naming/errors.js';

export const EXIT = { ok: 0, invalid: 1, usage: 2, failed: 3 } as const;

/** A problem with what the user gave us: its message is printed as is, and the process exits with `exitCode`. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.invalid) { super(message); }
}

/** A file's text, or stdin's for `-`. */
export function readInput(file: string): InputText {
  try {
    return readInputText(file);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

/**
 * A dtab, path or prefix that did not parse, as `<where>: invalid dtab: expected … but found …`
 * followed by the offending line and a caret under the column.
 */
export function syntaxError(where: string, e: DtabSyntaxError): UserError {
  const line = e.input.split('\n')[e.line - 1] ?? '';
  const pad = line.slice(0, e.column - 1).replace(/[^\t]/g, ' ');
  const hint = e.hint ? ` (${e.hint})` : '';
  return new UserError(`${where}: invalid ${e.what}: expected ${e.expected} but found ${e.found}${hint}\n    ${line}\n    ${pad}^`);
}

/** The version in the package.json above this module (src/cli in a checkout, dist/src/cli when built). */
export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'switchyard' && pkg.version) return pkg.version;
    } catch {
      // No package.json here: keep looking upwards.
    }
  }
  return 'unknown';
}
