/**
 * Linkerd's admin security categories: UI pages and metrics, control (shutdown), and
 * diagnostics (everything else). `pathBlacklist` wins; otherwise a path is served when its
 * category is enabled or it matches `pathWhitelist`. Refused paths answer 404.
 */
import type { z } from 'zod';
import type { securitySchema } from '../config/schema.js';

export type Category = 'ui' | 'control' | 'diagnostics';

const ui = [/^\/$/, /^\/services$/, /^\/files\/.*/, /^\/admin\/files\/.*/, /^\/config\.json$/, /^\/metrics\.json$/,
  /^\/admin\/metrics\.json$/, /^\/admin\/metrics(\/.*)?$/, /^\/delegator$/, /^\/delegator\.json$/, /^\/logging$/, /^\/help$/,
  /^\/admin\/clients\.json$/];
const control = [/^\/admin\/shutdown$/, /^\/logging\.json$/];

export function categoryOf(path: string): Category {
  if (ui.some((r) => r.test(path))) return 'ui';
  if (control.some((r) => r.test(path))) return 'control';
  return 'diagnostics';
}

const compiled = new WeakMap<object, { white: RegExp[]; black: RegExp[] }>();

export function allowed(path: string, s: z.infer<typeof securitySchema>): boolean {
  let c = compiled.get(s);
  if (!c) {
    c = { white: s.pathWhitelist.map((p) => new RegExp(`^(?:${p})$`)), black: s.pathBlacklist.map((p) => new RegExp(`^(?:${p})$`)) };
    compiled.set(s, c);
  }
  if (c.black.some((r) => r.test(path))) return false;
  if (c.white.some((r) => r.test(path))) return true;
  const cat = categoryOf(path);
  return cat === 'ui' ? s.uiEnabled : cat === 'control' ? s.controlEnabled : s.diagnosticsEnabled;
}
