/**
 * What the config model knows today, as messages list it: tests build expected messages from
 * these so that adding a plugin or a key does not break them.
 */
import type { z } from 'zod';
import { registries } from '../../src/config/registry.js';
import { configSchema, serverSchema } from '../../src/config/schema.js';
import { fsNamer } from '../../src/discovery/fs.js';
import { portTransformer } from '../../src/discovery/transformers/port.js';

/** `known kinds: …` of each plugin category. */
export const kinds = {
  namers: registries.namers.kinds().join(', '),
  transformers: registries.transformers.kinds().join(', '),
  identifiers: registries.identifiers.kinds().join(', '),
};

const keysOf = (schema: z.ZodType) => Object.keys((schema as unknown as z.ZodObject).shape).sort().join(', ');

/** `known keys: …` of some blocks. */
export const keys = {
  top: keysOf(configSchema),
  server: keysOf(serverSchema),
  fsNamer: keysOf(fsNamer.schema),
  portTransformer: keysOf(portTransformer.schema),
};
