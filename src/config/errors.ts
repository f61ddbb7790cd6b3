/** Config errors that point at the file, line, column and key path, as a user needs to fix them. */

export interface ConfigProblem {
  /** e.g. `routers[1].servers[0].port` (empty for the document itself). */
  keyPath: string;
  message: string;
  line?: number;
  col?: number;
}

export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(file: string, p: ConfigProblem): string {
  const where = p.line !== undefined ? `${file}:${p.line}:${p.col ?? 1}` : file;
  return p.keyPath ? `${where} ${p.keyPath}: ${p.message}` : `${where}: ${p.message}`;
}

export type KeyPath = readonly (string | number)[];

export function showKeyPath(path: KeyPath): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${k}` : k;
  return out;
}
