/**
 * `l5d-ctx-trace` (Finagle TraceId: span, parent, trace ids and flags, 8 bytes each, base64) and
 * `l5d-reqid`: the router continues an inbound trace with a child span, or starts one.
 */
import { base64, hex } from './wire/codecs.js';

export interface TraceContext { traceId: string; header: string }

/**
 * Scratch space for one id at a time: the hot path builds the header without intermediate
 * strings, byte by byte (8-byte moves are cheaper as loops than as Buffer calls).
 */
const scratch = Buffer.alloc(32);

function writeRandom32(at: number, random: () => number): void {
  const x = (random() * 0x100000000) >>> 0;
  scratch[at] = x >>> 24;
  scratch[at + 1] = x >>> 16;
  scratch[at + 2] = x >>> 8;
  scratch[at + 3] = x;
}

function move8(from: Uint8Array, start: number, to: number): void {
  for (let i = 0; i < 8; i++) scratch[to + i] = from[start + i]!;
}

/** The trace to send downstream for a request that arrived with `inbound` (or none). */
export function nextTrace(inbound: string | undefined, random: () => number): TraceContext {
  const parent = inbound ? Buffer.from(inbound, 'base64') : undefined;
  writeRandom32(0, random); // our span
  writeRandom32(4, random);
  if (parent && parent.length === 32) {
    move8(parent, 0, 8); // parent := the caller's span
    move8(parent, 16, 16); // same trace id…
    move8(parent, 24, 24); // …and flags
  } else {
    move8(scratch, 0, 8); // a new trace: span = parent = trace id
    move8(scratch, 0, 16);
    for (let i = 24; i < 32; i++) scratch[i] = 0;
  }
  return { traceId: hex(scratch, 16, 24), header: base64(scratch, 0, 32) };
}
