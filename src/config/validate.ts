/**
 * Turns config text into a validated Config: YAML/JSON with positions (source.ts), the core
 * schema (schema.ts), every plugin block against its plugin's schema (registry.ts), then the
 * cross-field rules Linkerd enforces at load time. All problems are collected, each with
 * file:line:col and key path.
 */
import type { z } from 'zod';
import { Dtab } from '../naming/dtab.js';
import { DtabSyntaxError } from '../naming/errors.js';
import { ConfigError, showKeyPath, type ConfigProblem, type KeyPath } from './errors.js';
import { readConfigText, type ConfigSource } from './source.js';
import { configSchema, telemeterSchema, type Config, type PluginBlock } from './schema.js';
import { registries } from './registry.js';
import { nearest, type Registry, type Kinded } from './registry-core.js';
import { loadBalancerConfigSchema } from '../balancer/create.js';
import { failureAccrualConfigSchema } from '../resilience/failure-accrual.js';
import { responseClassifierConfigSchema } from '../resilience/response-classifier.js';
import { backoffConfigSchema } from '../resilience/backoff.js';

/** The `kind`s a discriminated block accepts, by the key that holds the block (for "did you mean"). */
const KINDS_BY_KEY: Record<string, readonly string[]> = {
  loadBalancer: kindsOf(loadBalancerConfigSchema),
  failureAccrual: kindsOf(failureAccrualConfigSchema),
  responseClassifier: kindsOf(responseClassifierConfigSchema),
  backoff: kindsOf(backoffConfigSchema),
  client: ['io.l5d.global', 'io.l5d.static'],
  service: ['io.l5d.global', 'io.l5d.static'],
};

function kindsOf(schema: z.ZodType): string[] {
  const values = (schema as unknown as { _zod: { propValues?: Record<string, Set<unknown>> } })._zod.propValues?.kind;
  if (values) return [...values].filter((v): v is string => typeof v === 'string');
  const options = (schema as unknown as { shape?: { kind?: { options?: string[] } } }).shape?.kind?.options;
  return options ?? [];
}

interface Schemed extends Kinded { schema: z.ZodType }

export function loadConfig(text: string, file = 'config.yaml'): Config {
  const src = readConfigText(text, file);
  const problems: ConfigProblem[] = [];
  const report = (path: KeyPath, message: string, preferKey = false) => {
    const at = src.locate(path, preferKey);
    problems.push({ keyPath: showKeyPath(path), message, ...(at ?? {}) });
  };

  if (src.value === null || typeof src.value !== 'object' || Array.isArray(src.value)) {
    throw new ConfigError(file, [{ keyPath: '', message: 'expected a mapping with at least a `routers` list', line: 1, col: 1 }]);
  }
  const parsed = configSchema.safeParse(src.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportIssue(src, issue, [], report);
    throw new ConfigError(file, problems);
  }
  const config = parsed.data;

  // Plugin blocks, each against its own schema.
  const slot = <P extends Schemed>(reg: Registry<P>, block: PluginBlock, path: KeyPath): PluginBlock => {
    const plugin = reg.get(block.kind);
    if (!plugin) { report([...path, 'kind'], reg.unknown(block.kind)); return block; }
    const r = plugin.schema.safeParse(block);
    if (!r.success) { for (const issue of r.error.issues) reportIssue(src, issue, path, report); return block; }
    return r.data as PluginBlock;
  };

  config.namers = config.namers.map((n, i) => slot(registries.namers, n, ['namers', i]));
  config.telemetry = config.telemetry.map((t, i) => {
    const r = telemeterSchema.safeParse(t);
    if (!r.success) {
      if (!['io.l5d.prometheus'].includes(t.kind)) report(['telemetry', i, 'kind'], `unknown telemeter kind "${t.kind}"; known kinds: io.l5d.prometheus`);
      else for (const issue of r.error.issues) reportIssue(src, issue, ['telemetry', i], report);
      return t;
    }
    return r.data;
  });

  const labels = new Map<string, number>();
  const listeners = new Map<string, string>();
  config.routers.forEach((router, ri) => {
    const rp: KeyPath = ['routers', ri];
    const label = router.label ?? router.protocol;
    if (labels.has(label)) report([...rp, 'label'], `duplicate router label "${label}" (also routers[${labels.get(label)}]); labels must be unique`);
    labels.set(label, ri);
    router.label = label;

    try { Dtab.read(router.dtab); } catch (e) {
      if (e instanceof DtabSyntaxError) report([...rp, 'dtab'], e.message);
      else throw e;
    }
    if (router.identifier) {
      router.identifier = Array.isArray(router.identifier)
        ? router.identifier.map((b, i) => slot(registries.identifiers, b, [...rp, 'identifier', i]))
        : slot(registries.identifiers, router.identifier, [...rp, 'identifier']);
    }
    if (router.interpreter) {
      router.interpreter.transformers = router.interpreter.transformers.map((t, i) =>
        slot(registries.transformers, t, [...rp, 'interpreter', 'transformers', i]));
    }
    router.servers.forEach((s, si) => {
      const key = `${s.ip}:${s.port}`;
      const other = listeners.get(key);
      if (other !== undefined && s.port !== 0) report([...rp, 'servers', si, 'port'], `${key} is already used by ${other}`);
      listeners.set(key, `routers[${ri}].servers[${si}]`);
    });
  });
  const adminKey = `${config.admin.ip}:${config.admin.port}`;
  if (listeners.has(adminKey) && config.admin.port !== 0) report(['admin', 'port'], `${adminKey} is already used by ${listeners.get(adminKey)}`);

  if (problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

type Issue = z.core.$ZodIssue;

function reportIssue(src: ConfigSource, issue: Issue, base: KeyPath, report: (p: KeyPath, m: string, preferKey?: boolean) => void): void {
  const path: KeyPath = [...base, ...(issue.path as (string | number)[])];
  switch (issue.code) {
    case 'unrecognized_keys':
      for (const k of issue.keys) report([...path, k], `unknown key "${k}"`, true);
      return;
    case 'invalid_type': {
      const actual = valueAt(src.value, path);
      if (actual === undefined) { report(path, `required ${article(issue.expected)} is missing`, true); return; }
      report(path, `expected ${article(issue.expected)}, got ${describe(actual)}`);
      return;
    }
    case 'invalid_value':
      report(path, `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(valueAt(src.value, path))}`);
      return;
    case 'invalid_union': {
      const actual = valueAt(src.value, path);
      const holder = path.at(-1) === 'kind' ? path.at(-2) : path.at(-1);
      const known = typeof holder === 'string' ? KINDS_BY_KEY[holder] : undefined;
      if (known && known.length > 0) {
        const kindPath = path.at(-1) === 'kind' ? path : [...path, 'kind'];
        const kind = valueAt(src.value, kindPath);
        const near = typeof kind === 'string' ? nearest(kind, known) : undefined;
        report(kindPath, `unknown ${holder} kind ${describe(kind)}${near ? ` (did you mean "${near}"?)` : ''}; known kinds: ${known.join(', ')}`);
      } else {
        report(path, `expected a mapping or a list of mappings, got ${describe(actual)}`);
      }
      return;
    }
    default:
      report(path, issue.message.replace(/^Invalid input: /, ''));
  }
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let v: any = root;
  for (const k of path) { if (v === null || typeof v !== 'object') return undefined; v = v[k]; }
  return v;
}

function article(t: string): string {
  const names: Record<string, string> = { number: 'a number', string: 'a string', boolean: 'a boolean (true or false)', object: 'a mapping', array: 'a list', int: 'an integer' };
  return names[t] ?? t;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}
