/** The config a command works on, read and validated, or a UserError listing every problem. */
import { ConfigError } from '../config/errors.js';
import { configBaseDir } from '../config/read.js';
import type { Config } from '../config/schema.js';
import { loadConfig } from '../config/validate.js';
import { readInput, UserError } from './io.js';

export interface LoadedConfig {
  config: Config;
  /** How messages name the config (`<stdin>` for `-`). */
  file: string;
  /** Where relative paths in the config are resolved from. */
  baseDir: string;
}

/** Reads and validates a config; every problem is reported with its source line and a caret. */
export function loadConfigFile(file: string): LoadedConfig {
  const { text, name } = readInput(file);
  try {
    return { config: loadConfig(text, name), file: name, baseDir: configBaseDir(file) };
  } catch (e) {
    if (e instanceof ConfigError) throw new UserError(e.describe(true));
    throw e;
  }
}
