/**
 * `l5d-ctx-trace` (Finagle TraceId: span, parent, trace ids and flags, 8 bytes each, base64) and
 * `l5d-reqid`: the router continues an inbound trace with a child span, or starts one.
 */

export interface TraceContext { traceId: string; header: string }

function randomHex64(random: () => number): string {
  return ((random() * 0x100000000) >>> 0).toString(16).padStart(8, '0') + ((random() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
}

/** The trace to send downstream for a request that arrived with `inbound` (or none). */
export function nextTrace(inbound: string | undefined, random: () => number): TraceContext {
  const span = randomHex64(random);
  let traceId = span;
  let parent = span;
  let flags = '0000000000000000';
  if (inbound) {
    const b = Buffer.from(inbound, 'base64');
    if (b.length === 32) {
      parent = b.toString('hex', 0, 8);
      traceId = b.toString('hex', 16, 24);
      flags = b.toString('hex', 24, 32);
    }
  }
  const header = Buffer.from(span + parent + traceId + flags, 'hex').toString('base64');
  return { traceId, header };
}
