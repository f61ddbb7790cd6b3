/** Config errors that point at the file, line, column and key path, as a user needs to fix them. */

export interface ConfigProblem {
  /** e.g. `routers[1].servers[0].port` (empty for the document itself). */
  keyPath: string;
  message: string;
  line?: number;
  col?: number;
  /** The source line at `line`, shown under the message with a caret at `col`. */
  excerpt?: string;
}

export class ConfigError extends Error {
  constructor(readonly file: string, readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
  }

  /** Every problem, one per line; with `excerpts`, each followed by its source line and a caret. */
  describe(excerpts: boolean): string {
    return this.problems.map((p) => formatProblem(this.file, p, excerpts)).join('\n');
  }
}

/** `config.yaml:12:15 routers[1].servers[0].port: expected a number, got "41x0"`. */
export function formatProblem(file: string, p: ConfigProblem, excerpt = false): string {
  const where = p.line !== undefined ? `${file}:${p.line}:${p.col ?? 1}` : file;
  const head = p.keyPath ? `${where} ${p.keyPath}: ${p.message}` : `${where}: ${p.message}`;
  if (!excerpt || p.excerpt === undefined || p.line === undefined) return head;
  // Tabs stay tabs so that the caret lines up however the terminal expands them.
  const pad = p.excerpt.slice(0, (p.col ?? 1) - 1).replace(/[^\t]/g, ' ');
  return `${head}\n    ${p.excerpt}\n    ${pad}^`;
}

export type KeyPath = readonly (string | number)[];

export function showKeyPath(path: KeyPath): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${k}` : k;
  return out;
}
