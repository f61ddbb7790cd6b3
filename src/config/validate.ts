/**
 * Turns config text into a validated Config: YAML/JSON with positions (source.ts), the core
 * schema (schema.ts), every plugin block against its plugin's schema (registry.ts), then the
 * cross-field rules Linkerd enforces at load time. Every problem is collected, each with
 * file:line:col and key path, so that one `switchyard check` lists all there is to fix.
 */
import type { z } from 'zod';
import { Dtab } from '../naming/dtab.js';
import { DtabSyntaxError } from '../naming/errors.js';
import { ConfigError, showKeyPath, type ConfigProblem, type KeyPath } from './errors.js';
import { readConfigText, type ConfigSource, type Position } from './source.js';
import { adminSchema, configSchema, serverSchema, telemeterSchema, type Config } from './schema.js';
import { registries } from './registry.js';
import { nearest, Registry, unknownKind, type Kinded } from './registry-core.js';

interface Schemed extends Kinded { schema: z.ZodType }

/** Telemeters are plugin blocks too; their schemas live in schema.ts. */
const telemeters = new Registry<Schemed>('telemeter',
  telemeterSchema.options.map((schema) => ({ kind: schema.shape.kind.value, schema })));

type Report = (path: KeyPath, message: string, at?: Position) => void;

/** Parses and validates a config; throws a ConfigError listing every problem, in file order. */
export function loadConfig(text: string, file = 'config.yaml'): Config {
  const src = readConfigText(text, file);
  const problems: ConfigProblem[] = [];
  const report: Report = (path, message, at = src.locate(path)) => {
    const excerpt = at ? src.lineText(at.line) : undefined;
    problems.push({ keyPath: showKeyPath(path), message, ...at, ...(excerpt !== undefined ? { excerpt } : {}) });
  };

  const root = src.value;
  if (!isMapping(root)) {
    const what = root === null || root === undefined ? 'the config is empty' : `the config is ${describe(root)}`;
    throw new ConfigError(file, [{ keyPath: '', message: `${what}; expected a mapping with at least a \`routers\` list`, line: 1, col: 1 }]);
  }
  const parsed = configSchema.safeParse(root);
  if (!parsed.success) for (const issue of parsed.error.issues) reportIssue(src, configSchema, issue, [], report);
  // Plugin blocks and cross-field rules are checked on the document as written, so that their
  // problems are listed even when other keys are wrong.
  for (const { registry, block, path } of pluginBlocks(root)) {
    const plugin = registry.get(block.kind);
    if (!plugin) { report([...path, 'kind'], registry.unknown(block.kind)); continue; }
    const r = plugin.schema.safeParse(block);
    if (!r.success) for (const issue of r.error.issues) reportIssue(src, plugin.schema, issue, path, report);
  }
  checkRouters(src, root, report);

  if (problems.length > 0 || !parsed.success) throw new ConfigError(file, inFileOrder(problems));
  const config = parsed.data;
  for (const { registry, block, replace } of pluginBlocks(config)) replace(registry.get(block.kind)!.schema.parse(block));
  for (const router of config.routers) router.label ??= router.protocol;
  return config;
}

/** Sorted by position; problems at the same place keep the order they were found in (sort is stable). */
function inFileOrder(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

// ---- plugin blocks ----

interface PluginBlockAt {
  registry: Registry<Schemed>;
  block: { kind: string } & Record<string, unknown>;
  path: KeyPath;
  /** Puts the plugin's parsed block (defaults applied) in place of the one written. */
  replace(value: unknown): void;
}

/** Every `kind:` block of a config (as written, or parsed) that a plugin's own schema checks. */
function* pluginBlocks(config: unknown): Generator<PluginBlockAt> {
  if (!isMapping(config)) return;
  yield* listBlocks(registries.namers, config, 'namers', ['namers']);
  yield* listBlocks(telemeters, config, 'telemetry', ['telemetry']);
  const routers = config.routers;
  if (!Array.isArray(routers)) return;
  for (const [ri, router] of routers.entries()) {
    if (!isMapping(router)) continue;
    const at: KeyPath = ['routers', ri, 'identifier'];
    if (Array.isArray(router.identifier)) yield* listBlocks(registries.identifiers, router, 'identifier', at);
    else yield* oneBlock(registries.identifiers, router, 'identifier', at);
    if (isMapping(router.interpreter)) {
      yield* listBlocks(registries.transformers, router.interpreter, 'transformers', ['routers', ri, 'interpreter', 'transformers']);
    }
  }
}

function* oneBlock(registry: Registry<Schemed>, holder: Record<string, unknown> | unknown[], key: string | number, path: KeyPath): Generator<PluginBlockAt> {
  const slots = holder as Record<string | number, unknown>;
  const block = slots[key];
  // A block without a string `kind` is the core schema's to report.
  if (isMapping(block) && typeof block.kind === 'string') {
    yield { registry, block: block as PluginBlockAt['block'], path, replace: (value) => { slots[key] = value; } };
  }
}

function* listBlocks(registry: Registry<Schemed>, holder: Record<string, unknown>, key: string, path: KeyPath): Generator<PluginBlockAt> {
  const list = holder[key];
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) yield* oneBlock(registry, list, i, [...path, i]);
}

// ---- cross-field rules (Linker.scala, ProtocolInitializer.scala) ----

const WILDCARD_IPS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/** Router labels are unique; no two listeners (admin included) share an ip:port; dtabs parse. */
function checkRouters(src: ConfigSource, root: Record<string, unknown>, report: Report): void {
  const listeners: { ip: string; port: number; owner: string }[] = [];
  const claim = (ip: string, port: number, owner: string, path: KeyPath) => {
    // Port 0 asks the OS for a free port; a wildcard address takes the port on every address.
    const taken = port === 0 ? undefined : listeners.find((l) => l.port === port && (l.ip === ip || WILDCARD_IPS.has(l.ip) || WILDCARD_IPS.has(ip)));
    if (taken) report(path, `${ip}:${port} is already used by ${taken.owner}${taken.ip !== ip ? ` on ${taken.ip}:${taken.port}` : ''}; every server needs its own ip:port`);
    listeners.push({ ip, port, owner });
  };
  const admin = adminSchema.safeParse(root.admin ?? {});
  if (admin.success) claim(admin.data.ip, admin.data.port, 'the admin server', ['admin', 'port']);

  const labels = new Map<string, number>();
  const routers = Array.isArray(root.routers) ? root.routers : [];
  for (const [ri, router] of routers.entries()) {
    if (!isMapping(router)) continue;
    const rp: KeyPath = ['routers', ri];
    const label = typeof router.label === 'string' ? router.label : typeof router.protocol === 'string' ? router.protocol : undefined;
    if (label !== undefined) {
      const first = labels.get(label);
      if (first === undefined) labels.set(label, ri);
      else if (typeof router.label === 'string') report([...rp, 'label'], `duplicate router label "${label}" (routers[${first}] has it too); labels must be unique`);
      else report(rp, `duplicate router label "${label}": a router without a label is labelled by its protocol, and routers[${first}] is "${label}" too; give this router a unique label`);
    }
    if (typeof router.dtab === 'string') {
      try { Dtab.read(router.dtab); } catch (e) {
        if (!(e instanceof DtabSyntaxError)) throw e;
        const hint = e.hint ? ` (${e.hint})` : '';
        report([...rp, 'dtab'], `invalid dtab: expected ${e.expected} but found ${e.found}${hint}`, src.locateInString([...rp, 'dtab'], e.offset));
      }
    }
    if (!Array.isArray(router.servers)) continue;
    for (const [si, server] of router.servers.entries()) {
      const s = serverSchema.safeParse(server);
      if (s.success) claim(s.data.ip, s.data.port, `routers[${ri}].servers[${si}]${label !== undefined ? ` (router "${label}")` : ''}`, [...rp, 'servers', si, 'port']);
    }
  }
}

// ---- zod issues as messages ----

type Issue = z.core.$ZodIssue;

function reportIssue(src: ConfigSource, schema: z.ZodType, issue: Issue, base: KeyPath, report: Report): void {
  const rel = issue.path as (string | number)[];
  const path: KeyPath = [...base, ...rel];
  const actual = valueAt(src.value, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = keysAt(schema, rel);
      for (const k of issue.keys) {
        const near = nearest(k, known);
        const hint = near ? ` (did you mean "${near}"?)` : known.length > 0 ? `; known keys: ${known.join(', ')}` : '';
        report([...path, k], `unknown key "${k}"${hint}`, src.locate([...path, k], true));
      }
      return;
    }
    case 'invalid_type':
      if (actual === undefined) report(path, `required key is missing (expected ${article(issue.expected)})`);
      else report(path, `expected ${article(issue.expected)}, got ${describe(actual)}`);
      return;
    case 'invalid_value':
      if (actual === undefined) report(path, `required key is missing (expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')})`);
      else if (path.at(-1) === 'kind' && typeof actual === 'string') report(path, unknownKind(categoryOf(path), actual, issue.values.map(String)));
      else report(path, `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(actual)}`);
      return;
    case 'invalid_union': {
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const known = ((issue as { options?: unknown[] }).options ?? []).filter((o): o is string => typeof o === 'string');
        const kindPath = path.at(-1) === issue.discriminator ? path : [...path, issue.discriminator];
        const kind = valueAt(src.value, kindPath);
        if (kind === undefined) report(kindPath, `required key is missing (one of: ${known.join(', ')})`);
        else if (typeof kind === 'string') report(kindPath, unknownKind(categoryOf(kindPath), kind, known));
        else report(kindPath, `expected a string (one of: ${known.join(', ')}), got ${describe(kind)}`);
        return;
      }
      // Report the one alternative that accepts this type of value (a mapping, a list, …), if any.
      const fitting = issue.errors.filter((errs) => !errs.some((e) => e.code === 'invalid_type' && e.path.length === 0));
      if (fitting.length === 1) {
        for (const e of fitting[0]!) reportIssue(src, schema, { ...e, path: [...rel, ...e.path] } as Issue, base, report);
        return;
      }
      const expected = [...new Set(issue.errors.flatMap((errs) => errs.filter((e) => e.code === 'invalid_type' && e.path.length === 0).map((e) => article((e as { expected: string }).expected))))];
      report(path, `expected ${expected.length > 0 ? expected.join(' or ') : 'something else'}, got ${describe(actual)}`);
      return;
    }
    case 'too_big':
    case 'too_small':
      report(path, boundMessage(issue, actual));
      return;
    default:
      report(path, issue.message.replace(/^Invalid input: /, ''));
  }
}

function boundMessage(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, actual: unknown): string {
  const big = issue.code === 'too_big';
  const limit = Number(big ? (issue as z.core.$ZodIssueTooBig).maximum : (issue as z.core.$ZodIssueTooSmall).minimum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array') {
    const n = Array.isArray(actual) ? actual.length : 0;
    const bound = big ? `at most ${limit}` : `at least ${limit}`;
    return `expected ${bound} item${limit === 1 ? '' : 's'}, got ${n === 0 ? 'none' : n}`;
  }
  if (issue.origin === 'string') return !big && limit === 1 ? 'must not be empty' : `expected ${big ? 'at most' : 'at least'} ${limit} characters, got ${describe(actual)}`;
  const bound = big ? (inclusive ? `at most ${limit}` : `less than ${limit}`) : (inclusive ? `at least ${limit}` : `greater than ${limit}`);
  return `expected a number ${bound}, got ${describe(actual)}`;
}

/** The name of the block a `kind` belongs to: `routers[0].client.loadBalancer.kind` → loadBalancer. */
function categoryOf(kindPath: KeyPath): string {
  const holder = [...kindPath.slice(0, -1)].reverse().find((k): k is string => typeof k === 'string');
  return holder ?? 'plugin';
}

/**
 * The keys an object schema accepts at `path` (through optional and default wrappers, lists and
 * unions), for "did you mean" on an unknown key.
 */
function keysAt(schema: z.ZodType, path: KeyPath): string[] {
  let current: unknown[] = [schema];
  for (const k of path) current = current.flatMap((s) => childSchemas(s, k));
  return [...new Set(current.flatMap((s) => objectShapes(s).flatMap((shape) => Object.keys(shape))))].sort();
}

interface SchemaDef { type: string; innerType?: unknown; in?: unknown; shape?: Record<string, unknown>; element?: unknown; options?: unknown[] }
const defOf = (s: unknown): SchemaDef => (s as { _zod: { def: SchemaDef } })._zod.def;

/** The schema itself without optional/default/… wrappers, unions spread out. */
function unwrap(s: unknown): unknown[] {
  const def = defOf(s);
  if (def.innerType !== undefined) return unwrap(def.innerType);
  if (def.type === 'pipe') return unwrap(def.in);
  if (def.type === 'union') return def.options!.flatMap(unwrap);
  return [s];
}

function objectShapes(s: unknown): Record<string, unknown>[] {
  return unwrap(s).flatMap((u) => { const def = defOf(u); return def.type === 'object' ? [def.shape!] : []; });
}

function childSchemas(s: unknown, key: string | number): unknown[] {
  return unwrap(s).flatMap((u) => {
    const def = defOf(u);
    if (def.type === 'array' && typeof key === 'number') return [def.element];
    if (def.type === 'object' && typeof key === 'string' && def.shape![key] !== undefined) return [def.shape![key]];
    return [];
  });
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function article(t: string): string {
  const names: Record<string, string> = { number: 'a number', string: 'a string', boolean: 'a boolean (true or false)', object: 'a mapping', array: 'a list', int: 'an integer' };
  return names[t] ?? t;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}
