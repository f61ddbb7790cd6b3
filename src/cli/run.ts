/** `switchyard run <config>`: start everything; SIGTERM/SIGINT drain gracefully. */
import { readConfig } from '../config/read.js';
import { ConfigError } from '../config/errors.js';
import { Linker } from '../linker/linker.js';
import { EXIT, UserError } from './io.js';

export async function runCommand(file: string): Promise<void> {
  let loaded;
  try {
    loaded = readConfig(file);
  } catch (e) {
    throw new UserError(e instanceof ConfigError ? e.message : (e as Error).message);
  }
  let linker: Linker;
  try {
    linker = await Linker.start(loaded.config, { baseDir: loaded.baseDir });
  } catch (e) {
    throw new UserError(`switchyard: ${(e as Error).message}`, EXIT.failed);
  }
  const stop = (signal: string) => {
    linker.log.info(`${signal}: draining (up to ${loaded.config.admin.shutdownGraceMs} ms)`);
    void linker.close();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  await linker.closed;
  process.exit(0);
}
