/** `switchyard check <config>`: validate without starting anything. */
import { readConfig } from '../config/read.js';
import { ConfigError } from '../config/errors.js';
import { UserError } from './io.js';

export function checkCommand(file: string): void {
  try {
    const { config, file: name } = readConfig(file);
    const servers = config.routers.flatMap((r) => r.servers.map((s) => `${r.label} ${s.ip}:${s.port}`));
    process.stdout.write(`${name}: ok — ${config.routers.length} router(s) [${servers.join(', ')}], ${config.namers.length} namer(s), admin ${config.admin.ip}:${config.admin.port}\n`);
  } catch (e) {
    if (e instanceof ConfigError) throw new UserError(e.message);
    throw new UserError((e as Error).message);
  }
}
