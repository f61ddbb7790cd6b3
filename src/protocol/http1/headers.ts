/**
 * The l5d header contract and hop-by-hop rules, as a classification of header names that is
 * computed once per distinct name: the per-request pass over raw headers is a Map look-up each.
 */

export enum H {
  Pass = 0,
  /** Connection-level (RFC 9110 §7.6.1): never forwarded. */
  HopByHop,
  Connection,
  L5dDtab,
  L5dCtxDtab,
  L5dCtxDeadline,
  L5dCtxTrace,
  L5dSample,
  /** Written by the router on the way out; inbound values are dropped. */
  L5dRouterOwned,
  /** Other `l5d-*`: passed through unless clearContext. */
  L5dOther,
  Via,
  Host,
  ContentLength,
}

const fixed = new Map<string, H>([
  ['keep-alive', H.HopByHop], ['proxy-authenticate', H.HopByHop], ['proxy-authorization', H.HopByHop],
  ['te', H.HopByHop], ['trailer', H.HopByHop], ['transfer-encoding', H.HopByHop], ['upgrade', H.HopByHop],
  ['proxy-connection', H.HopByHop], ['connection', H.Connection],
  // The listener answers `100 Continue` itself, so the expectation ends at this hop.
  ['expect', H.HopByHop],
  ['l5d-dtab', H.L5dDtab], ['l5d-ctx-dtab', H.L5dCtxDtab], ['l5d-ctx-deadline', H.L5dCtxDeadline],
  ['l5d-ctx-trace', H.L5dCtxTrace], ['l5d-sample', H.L5dSample],
  ['l5d-dst-service', H.L5dRouterOwned], ['l5d-dst-client', H.L5dRouterOwned], ['l5d-dst-residual', H.L5dRouterOwned],
  ['l5d-reqid', H.L5dRouterOwned], ['l5d-err', H.L5dRouterOwned], ['l5d-success-class', H.L5dRouterOwned],
  ['via', H.Via], ['host', H.Host], ['content-length', H.ContentLength],
]);

const seen = new Map<string, H>();

/** Classifies a header name as sent on the wire (any case). */
export function classify(name: string): H {
  let h = seen.get(name);
  if (h === undefined) {
    const lower = name.toLowerCase();
    h = fixed.get(lower) ?? (lower.startsWith('l5d-') ? H.L5dOther : H.Pass);
    if (seen.size < 10_000) seen.set(name, h);
  }
  return h;
}

/** Header names listed in a Connection header (other than the usual options), lower-cased. */
export function connectionTokens(value: string): string[] {
  const out: string[] = [];
  for (const t of value.split(',')) {
    const v = t.trim().toLowerCase();
    if (v && v !== 'close' && v !== 'keep-alive') out.push(v);
  }
  return out;
}

/** Number of comma-separated entries in a Via header (maxCallDepth counts them). */
export function viaDepth(via: string | undefined): number {
  if (!via) return 0;
  let n = 1;
  for (let i = 0; i < via.length; i++) if (via.charCodeAt(i) === 44) n++;
  return n;
}
