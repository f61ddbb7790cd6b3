/**
 * Linkerd's rewriting namers under `/$/<class name>` (§10): pure functions from a path to a
 * new, unbound path that is delegated again, or Neg when the path does not fit the pattern.
 * Labels are read as UTF-8 text, split with Java's `String.split` rules, matched case-sensitively.
 * A result with an empty label is a namer failure, not Neg.
 */
import { ActivitySource, constant, failed, type Activity } from './activity.js';
import { javaSplit, utf8Text } from './bytes.js';
import { NamingError } from './errors.js';
import { NameTree } from './nametree.js';
import type { Name, Namer } from './namer.js';
import { Path } from './path.js';

/** Rewrites a non-empty path into a path (as text labels plus an untouched byte suffix), or declines. */
type Rewrite = (text: readonly string[], path: Path) => { labels: readonly string[]; rest: Path } | null;

/** Coarse host matching that admits DNS names, IPv4, and IPv6 without brackets. */
const HOST = /^[A-Za-z0-9.:_-]+$/;
const METHOD = /^[A-Z]+$/;
/** A DNS label (RFC 1035/1123 as Kubernetes spells it), for the port part of `host:port`. */
const DNS_LABEL = /^[a-z0-9][-a-z0-9]*[a-z0-9]?$/;

/** `host:port` with exactly one `:` and a DNS-label port of at most 63 characters. */
function hostColonPort(s: string): [host: string, port: string] | null {
  const parts = javaSplit(s, ':');
  if (parts.length !== 2) return null;
  const [host, port] = parts as [string, string];
  return DNS_LABEL.test(port) && port.length <= 63 ? [host, port] : null;
}

/** The host without a `:port` suffix (a leading `:` is not a port separator). */
function dropPort(host: string): string {
  const i = host.indexOf(':');
  return i > 0 ? host.slice(0, i) : host;
}

/** The non-empty part of `host` (port dropped) before `.domain`, or null. */
function subdomain(domain: string, host: string): string | null {
  const suffix = `.${domain}`;
  const h = dropPort(host);
  return h.endsWith(suffix) && h.length > suffix.length ? h.slice(0, -suffix.length) : null;
}

const reversedDomain = (host: string): string[] => javaSplit(host, '.').reverse();

const REWRITES: ReadonlyArray<readonly [kind: string, arity: number, rewrite: Rewrite]> = [
  ['io.buoyant.http.anyMethod', 1, ([m], p) => (METHOD.test(m!) ? { labels: [], rest: p.drop(1) } : null)],
  ['io.buoyant.http.anyMethodPfx', 2, ([pfx, m], p) => (METHOD.test(m!) ? { labels: [pfx!], rest: p.drop(2) } : null)],
  ['io.buoyant.http.anyHost', 1, ([h], p) => (HOST.test(h!) ? { labels: [], rest: p.drop(1) } : null)],
  ['io.buoyant.http.anyHostPfx', 2, ([pfx, h], p) => (HOST.test(h!) ? { labels: [pfx!], rest: p.drop(2) } : null)],
  ['io.buoyant.http.subdomainOf', 2, ([domain, host], p) => {
    const sub = HOST.test(domain!) && HOST.test(host!) ? subdomain(domain!, host!) : null;
    return sub === null ? null : { labels: [sub], rest: p.drop(2) };
  }],
  ['io.buoyant.http.subdomainOfPfx', 3, ([domain, pfx, host], p) => {
    const sub = HOST.test(domain!) && HOST.test(host!) ? subdomain(domain!, host!) : null;
    return sub === null ? null : { labels: [pfx!, sub], rest: p.drop(3) };
  }],
  ['io.buoyant.http.domainToPath', 1, ([h], p) => (HOST.test(h!) ? { labels: reversedDomain(h!), rest: p.drop(1) } : null)],
  ['io.buoyant.http.domainToPathPfx', 2, ([pfx, h], p) => (HOST.test(h!) ? { labels: [pfx!, ...reversedDomain(h!)], rest: p.drop(2) } : null)],
  ['io.buoyant.hostportPfx', 2, ([pfx, hp], p) => {
    const m = hostColonPort(hp!);
    return m ? { labels: [pfx!, m[0], m[1]], rest: p.drop(2) } : null;
  }],
  ['io.buoyant.porthostPfx', 2, ([pfx, hp], p) => {
    const m = hostColonPort(hp!);
    return m ? { labels: [pfx!, m[1], m[0]], rest: p.drop(2) } : null;
  }],
];

function rewritingNamer(kind: string, arity: number, rewrite: Rewrite): Namer {
  return {
    lookup(path: Path): Activity<NameTree<Name>> {
      if (path.size < arity) return constant(NameTree.neg);
      const text = path.labels.slice(0, arity).map(utf8Text);
      const out = rewrite(text, path);
      if (out === null) return constant(NameTree.neg);
      if (out.labels.some((l) => l.length === 0)) {
        const err = new NamingError('namer', `${kind} cannot rewrite /$/${kind}${path.show()}: the result would contain an empty label`);
        return new ActivitySource(failed(err));
      }
      return constant(NameTree.leaf(Path.of(...out.labels).concat(out.rest)));
    },
  };
}

/** The rewriting namers by the class name they are addressed with: `/$/io.buoyant.hostportPfx/…`. */
export const rewritingNamers: ReadonlyMap<string, Namer> = new Map(
  REWRITES.map(([kind, arity, rewrite]) => [kind, rewritingNamer(kind, arity, rewrite)]),
);
