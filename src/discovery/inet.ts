/**
 * Address sets for the built-in `/$/inet/<host>/<port>` and `/$/fixedinet/…` names. IP literals
 * are bound at once; hostnames are resolved with the system resolver (dns.lookup, as a client's
 * connect would) and, for `inet`, resolved again every refresh period.
 *
 * Resolution runs only while someone observes the address set, and one resolution serves every
 * observer of the same (host, port, fixed): a thousand routes to `/$/inet/api/80` cost one
 * lookup per period, and a name nobody routes to costs nothing.
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { ActivitySource, constant, PENDING, type Activity, type State } from '../naming/activity.js';
import { Addr } from '../naming/addr.js';
import type { Clock, Timer } from '../time/clock.js';
import { publishAddr, uniqueAddresses } from './addresses.js';
import { errorCode, errorMessage } from './errors.js';

/** `dns.promises.lookup` with `all: true`, or a stand-in with the same contract. */
export type HostLookup = (hostname: string, options: { all: true }) => Promise<LookupAddress[]>;

export interface InetResolverDeps {
  clock: Clock;
  lookup?: HostLookup;
  /** How often an observed hostname is resolved again (Finagle's default: 5 s). */
  refreshMs?: number;
}

/** The address set of `host:port`; `fixed` resolves once (`/$/fixedinet`). An empty host is this host. */
export type InetResolver = (host: string, port: number, fixed: boolean) => Activity<Addr>;

/** Answers from the resolver that mean "no such host" rather than "could not ask". */
const NO_SUCH_HOST = new Set(['ENOTFOUND', 'ENODATA']);

export function createInetResolver(deps: InetResolverDeps): InetResolver {
  const running = new Map<string, Resolution>();
  const settings: Settings = {
    clock: deps.clock,
    lookup: deps.lookup ?? ((hostname, options) => dns.lookup(hostname, options)),
    refreshMs: deps.refreshMs ?? 5000,
  };
  return (host, port, fixed) => {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      return constant(Addr.failed(`inet: port ${port} is not a number from 1 to 65535`));
    }
    // `/$/inet/<port>` names this host (Finagle binds the wildcard address, which connects locally).
    const literal = host === '' ? '127.0.0.1' : host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    if (isIP(literal) !== 0) return constant(Addr.bound([Addr.address(literal, port)]));
    return new InetAddr(`${fixed ? 'fixedinet' : 'inet'}/${host}/${port}`, running, () => new Resolution(host, port, fixed, settings));
  };
}

interface Settings { readonly clock: Clock; readonly lookup: HostLookup; readonly refreshMs: number }

/**
 * The address set of one hostname as its observers see it. A cheap handle: the work lives in a
 * shared Resolution that exists only while at least one observer is subscribed.
 */
class InetAddr implements Activity<Addr> {
  constructor(
    private readonly key: string,
    private readonly running: Map<string, Resolution>,
    private readonly start: () => Resolution,
  ) {}

  current(): State<Addr> {
    return this.running.get(this.key)?.source.current() ?? PENDING;
  }

  subscribe(listener: () => void): () => void {
    let r = this.running.get(this.key);
    if (!r) {
      r = this.start();
      this.running.set(this.key, r);
    }
    const resolution = r;
    resolution.observers++;
    const unsubscribe = resolution.source.subscribe(listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribe();
      if (--resolution.observers > 0) return;
      resolution.stop();
      if (this.running.get(this.key) === resolution) this.running.delete(this.key);
    };
  }
}

/** Resolves one hostname now and then every refresh period until stopped. */
class Resolution {
  readonly source = new ActivitySource<Addr>();
  observers = 0;
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly fixed: boolean,
    private readonly settings: Settings,
  ) {
    void this.resolve();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private async resolve(): Promise<void> {
    let next: Addr | undefined;
    try {
      const found = await this.settings.lookup(this.host, { all: true });
      next = found.length === 0
        ? Addr.neg
        : Addr.bound(uniqueAddresses(found.map((a) => Addr.address(a.address, this.port))));
    } catch (e) {
      const code = errorCode(e);
      const now = this.source.current();
      if (code !== undefined && NO_SUCH_HOST.has(code)) next = Addr.neg;
      // A resolver hiccup must not empty a working set: keep it until the next attempt.
      else if (!(now.status === 'ok' && now.value.type === 'bound')) {
        next = Addr.failed(`inet: cannot resolve ${this.host}: ${errorMessage(e)}`);
      }
    }
    if (this.stopped) return;
    if (next) publishAddr(this.source, next);
    // Publishing may have made the last observer leave.
    if (!this.fixed && !this.stopped) this.timer = this.settings.clock.setTimeout(() => void this.resolve(), this.settings.refreshMs);
  }
}
