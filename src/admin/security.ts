/**
 * Linkerd's admin security categories: UI pages and metrics, control (shutdown), and
 * diagnostics (everything else). `pathBlacklist` wins; otherwise a path is served when its
 * category is enabled or it matches `pathWhitelist`. Refused paths answer 404.
 *
 * The category lists are Linkerd's SecurityFilter's, plus the dashboard's own additions
 * (`/services`, `/admin/clients.json`). Like Linkerd, `/admin/metrics/prometheus` is a
 * diagnostics path: turning the UI off does not stop scraping, and turning diagnostics off does.
 */
import type { z } from 'zod';
import type { securitySchema } from '../config/schema.js';

export type Category = 'ui' | 'control' | 'diagnostics';

export type SecurityConfig = z.infer<typeof securitySchema>;

const ui = [/^\/$/, /^\/services$/, /^\/files\/.*/, /^\/admin\/files\/.*/, /^\/config\.json$/, /^\/metrics\.json$/,
  /^\/admin\/metrics\.json$/, /^\/admin\/metrics$/, /^\/delegator$/, /^\/delegator\.json$/, /^\/logging$/, /^\/help$/,
  /^\/admin\/clients\.json$/];
const control = [/^\/admin\/shutdown$/, /^\/logging\.json$/];

export function categoryOf(path: string): Category {
  if (ui.some((r) => r.test(path))) return 'ui';
  if (control.some((r) => r.test(path))) return 'control';
  return 'diagnostics';
}

/** A security block with its path patterns compiled; decides which request paths are served. */
export class AdminSecurity {
  private readonly white: RegExp[];
  private readonly black: RegExp[];

  /** Throws, naming the key and the pattern, when a pattern is not a regular expression. */
  constructor(private readonly config: SecurityConfig) {
    this.white = config.pathWhitelist.map((p, i) => compile(p, `pathWhitelist[${i}]`));
    this.black = config.pathBlacklist.map((p, i) => compile(p, `pathBlacklist[${i}]`));
  }

  /** Whether `path` (the request path, without its query) may be served. */
  allows(path: string): boolean {
    if (this.black.some((r) => r.test(path))) return false;
    if (this.white.some((r) => r.test(path))) return true;
    const cat = categoryOf(path);
    return cat === 'ui' ? this.config.uiEnabled : cat === 'control' ? this.config.controlEnabled : this.config.diagnosticsEnabled;
  }
}

/** Patterns match the whole path, as Java's `Matcher.matches()` does in Linkerd. */
function compile(pattern: string, key: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new Error(`admin.security.${key}: ${JSON.stringify(pattern)} is not a regular expression (${(e as Error).message})`);
  }
}
