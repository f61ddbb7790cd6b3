/** A small structured logger for the process: one line per event on stderr, off the hot path. */
import type { Logger } from '../config/plugin.js';

export type Level = 'info' | 'warn' | 'error' | 'silent';
const rank: Record<Level, number> = { info: 0, warn: 1, error: 2, silent: 3 };

export function consoleLogger(level: Level = (process.env.SWITCHYARD_LOG as Level | undefined) ?? 'info', out: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const emit = (lvl: Exclude<Level, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (rank[lvl] < rank[level]) return;
    const extra = fields && Object.keys(fields).length > 0 ? ' ' + Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') : '';
    out(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${msg}${extra}`);
  };
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
