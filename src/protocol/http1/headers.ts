/**
 * The l5d header contract and hop-by-hop rules, as a classification of header names: a switch
 * on the name's length and a case-insensitive compare (the usual spellings first, as whole
 * strings), with no allocation or hashing of the freshly parsed name.
 */
import { equalsLower, isName } from './wire/syntax.js';

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

/** Classifies a header name as sent on the wire (any case): by length, then by its letters. */
export function classify(name: string): H {
  const n = name.length;
  if (n >= 4 && isL5d(name)) return classifyL5d(name, n);
  switch (n) {
    case 2: return equalsLower(name, 0, 'te') ? H.HopByHop : H.Pass;
    case 3: return isName(name, 'via', 'Via') ? H.Via : H.Pass;
    case 4: return isName(name, 'host', 'Host') ? H.Host : H.Pass;
    // The listener answers `100 Continue` itself, so the expectation ends at this hop.
    case 6: return equalsLower(name, 0, 'expect') ? H.HopByHop : H.Pass;
    case 7: return equalsLower(name, 0, 'trailer') || equalsLower(name, 0, 'upgrade') ? H.HopByHop : H.Pass;
    case 10:
      if (isName(name, 'connection', 'Connection')) return H.Connection;
      return isName(name, 'keep-alive', 'Keep-Alive') ? H.HopByHop : H.Pass;
    case 14: return isName(name, 'content-length', 'Content-Length') ? H.ContentLength : H.Pass;
    case 16: return equalsLower(name, 0, 'proxy-connection') ? H.HopByHop : H.Pass;
    case 17: return isName(name, 'transfer-encoding', 'Transfer-Encoding') ? H.HopByHop : H.Pass;
    case 18: return equalsLower(name, 0, 'proxy-authenticate') ? H.HopByHop : H.Pass;
    case 19: return equalsLower(name, 0, 'proxy-authorization') ? H.HopByHop : H.Pass;
    default: return H.Pass;
  }
}

function isL5d(name: string): boolean {
  return (name.charCodeAt(0) | 0x20) === 0x6c && (name.charCodeAt(1) === 0x35) && (name.charCodeAt(2) | 0x20) === 0x64 && name.charCodeAt(3) === 0x2d;
}

/** An `l5d-` name: the contract's own headers, or any other (passed on unless clearContext). */
function classifyL5d(name: string, n: number): H {
  switch (n) {
    case 7: if (equalsLower(name, 4, 'err')) return H.L5dRouterOwned; break;
    case 8: if (equalsLower(name, 4, 'dtab')) return H.L5dDtab; break;
    case 9: if (equalsLower(name, 4, 'reqid')) return H.L5dRouterOwned; break;
    case 10: if (equalsLower(name, 4, 'sample')) return H.L5dSample; break;
    case 12: if (equalsLower(name, 4, 'ctx-dtab')) return H.L5dCtxDtab; break;
    case 13: if (equalsLower(name, 4, 'ctx-trace')) return H.L5dCtxTrace; break;
    case 14: if (equalsLower(name, 4, 'dst-client')) return H.L5dRouterOwned; break;
    case 15: if (equalsLower(name, 4, 'dst-service')) return H.L5dRouterOwned; break;
    case 16:
      if (equalsLower(name, 4, 'ctx-deadline')) return H.L5dCtxDeadline;
      if (equalsLower(name, 4, 'dst-residual')) return H.L5dRouterOwned;
      break;
    case 17: if (equalsLower(name, 4, 'success-class')) return H.L5dRouterOwned; break;
    default: break;
  }
  return H.L5dOther;
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
