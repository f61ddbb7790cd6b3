/**
 * The built-in namer for `/$/…` names (Finagle's `Namer.global`, §8.3.1 step 3). It is asked
 * about the path after `/$`: `inet`/`fixedinet` addresses, `fail`, `nil`, and namers registered
 * under a class name (the rewriting namers of §10 and `io.buoyant.rinet`).
 */
import { ActivitySource, constant, failed, type Activity } from './activity.js';
import { Addr } from './addr.js';
import { utf8Text } from './bytes.js';
import { DtabSyntaxError, NamingError } from './errors.js';
import { NameTree } from './nametree.js';
import { BoundName, type Name, type Namer } from './namer.js';
import { Path } from './path.js';
import { rewritingNamers } from './rewriting-namers.js';

/**
 * Resolves an inet address into a live address set. `host` is '' for the port-only form
 * (`/$/inet/8080`, meaning localhost); `fixed` is true for `/$/fixedinet` (resolve once).
 */
export type InetResolver = (host: string, port: number, fixed: boolean) => Activity<Addr>;

export interface GlobalNamerOptions {
  /** Defaults to a constant address set of the literal host and port, with no DNS. */
  readonly inet?: InetResolver;
}

const DOLLAR = Path.fromLabels(['$']);
const RINET = Path.fromLabels(['$', 'io.buoyant.rinet']);

/** The `/$/` namer; mount it as the interpreter's `global`. */
export function globalNamer(opts: GlobalNamerOptions = {}): Namer {
  const inet = opts.inet ?? literalInet;
  const kinds = new Map<string, Namer>([...rewritingNamers, ['io.buoyant.rinet', rinet(inet)]]);
  return {
    lookup(path: Path): Activity<NameTree<Name>> {
      if (path.size === 0) return constant(NameTree.neg);
      const kind = path.labels[0]!;
      if (kind === 'inet' || kind === 'fixedinet') {
        const bound = inetName(path, inet);
        if (bound) return constant(NameTree.leaf(bound));
      }
      if (kind === 'fail') return constant(NameTree.fail);
      if (kind === 'nil') return constant(NameTree.empty);
      const namer = kinds.get(kind);
      if (namer) return namer.lookup(path.drop(1));
      return new ActivitySource(failed(unknownNamer(path, [...kinds.keys()])));
    },
  };
}

/**
 * `inet/<host>/<port>/rest…` (tried first) or `inet/<port>/rest…`: a name bound to that
 * address, id `/$/inet/<host>/<port>`, residual `rest`. Null when no label is a Java int.
 */
function inetName(path: Path, inet: InetResolver): BoundName | null {
  const fixed = path.labels[0] === 'fixedinet';
  if (path.size >= 3) {
    const port = javaInt(path.labels[2]!);
    if (port !== null) return new BoundName(DOLLAR.concat(path.take(3)), inet(utf8Text(path.labels[1]!), port, fixed), path.drop(3));
  }
  if (path.size >= 2) {
    const port = javaInt(path.labels[1]!);
    if (port !== null) return new BoundName(DOLLAR.concat(path.take(2)), inet('', port, fixed), path.drop(2));
  }
  return null;
}

/** `io.buoyant.rinet/<port>/<host>/rest…`: inet with port first; id `/$/io.buoyant.rinet/<port>/<host>`. */
function rinet(inet: InetResolver): Namer {
  return {
    lookup(path: Path): Activity<NameTree<Name>> {
      if (path.size < 2) return constant(NameTree.neg);
      const port = utf8Text(path.labels[0]!);
      const host = utf8Text(path.labels[1]!);
      let id: Path;
      try {
        // Linkerd re-reads the decoded labels as path text, so they must be valid path syntax.
        id = RINET.concat(Path.read(`/${port}/${host}`));
      } catch (e) {
        if (!(e instanceof DtabSyntaxError)) throw e;
        return new ActivitySource(failed(new NamingError('namer', `io.buoyant.rinet cannot name port ${JSON.stringify(port)} on host ${JSON.stringify(host)}: ${e.message}`, { cause: e })));
      }
      const n = javaInt(port);
      const addr = n === null ? constant(Addr.failed(`io.buoyant.rinet: port ${JSON.stringify(port)} is not an integer`)) : inet(host, n, false);
      return constant(NameTree.leaf(new BoundName(id, addr, path.drop(2))));
    },
  };
}

/** Java's Integer.parseInt on a label: optional sign, ASCII digits, 32-bit range. */
export function javaInt(label: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(label)) return null;
  const n = Number(label);
  return n >= -2147483648 && n <= 2147483647 ? n : null;
}

/** No DNS: the literal host (localhost for the port-only form) and port, if the port is valid. */
function literalInet(host: string, port: number): Activity<Addr> {
  if (port < 0 || port > 65535) return constant(Addr.failed(`port ${port} is out of range 0-65535`));
  return constant(Addr.bound([Addr.address(host === '' ? '127.0.0.1' : host, port)]));
}

function unknownNamer(path: Path, known: readonly string[]): NamingError {
  const kind = utf8Text(path.labels[0]!);
  const full = `/$${path.show()}`;
  const advice = kind === 'inet' || kind === 'fixedinet'
    ? `/$/${kind} needs /$/${kind}/<host>/<port> or /$/${kind}/<port> with an integer port`
    : `known: inet, fixedinet, fail, nil, ${known.join(', ')}`;
  return new NamingError('namer', `Unknown namer: ${kind} for path: ${full} (${advice})`);
}
