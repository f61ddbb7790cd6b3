/** `switchyard check <config>`: validate without starting anything. */
import type { Config } from '../config/schema.js';
import { loadConfigFile } from './config-file.js';

export function checkCommand(file: string): void {
  const { config, file: name } = loadConfigFile(file);
  process.stdout.write(`${name}: ok: ${summary(config)}\n`);
}

/** `2 routers (ingress on 127.0.0.1:4142, outgoing on 127.0.0.1:4140), 1 namer (io.l5d.fs), admin on 127.0.0.1:9990`. */
function summary(config: Config): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const routers = config.routers.map((r) => `${r.label} on ${r.servers.map((s) => `${s.ip}:${s.port}`).join(' and ')}`);
  const namers = config.namers.map((n) => n.kind);
  return `${count(config.routers.length, 'router')} (${routers.join(', ')}), ${count(namers.length, 'namer')}${namers.length ? ` (${namers.join(', ')})` : ''}, admin on ${config.admin.ip}:${config.admin.port}`;
}
