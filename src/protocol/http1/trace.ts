/**
 * `l5d-ctx-trace` (Finagle TraceId: span, parent, trace ids and flags, 8 bytes each, base64) and
 * `l5d-reqid`: the router continues an inbound trace with a child span, or starts one.
 */

export interface TraceContext { traceId: string; header: string }

/** Scratch space for one id at a time: the hot path builds the header without intermediate strings. */
const scratch = Buffer.alloc(32);

function writeRandom64(at: number, random: () => number): void {
  scratch.writeUInt32BE((random() * 0x100000000) >>> 0, at);
  scratch.writeUInt32BE((random() * 0x100000000) >>> 0, at + 4);
}

/** The trace to send downstream for a request that arrived with `inbound` (or none). */
export function nextTrace(inbound: string | undefined, random: () => number): TraceContext {
  const parent = inbound ? Buffer.from(inbound, 'base64') : undefined;
  writeRandom64(0, random); // our span
  if (parent && parent.length === 32) {
    parent.copy(scratch, 8, 0, 8); // parent := the caller's span
    parent.copy(scratch, 16, 16, 32); // same trace id and flags
  } else {
    scratch.copy(scratch, 8, 0, 8); // a new trace: span = parent = trace id
    scratch.copy(scratch, 16, 0, 8);
    scratch.fill(0, 24, 32);
  }
  return { traceId: scratch.toString('hex', 16, 24), header: scratch.toString('base64') };
}
