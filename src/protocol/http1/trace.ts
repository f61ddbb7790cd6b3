/**
 * `l5d-ctx-trace` (Finagle TraceId: span, parent, trace ids and flags, 8 bytes each, base64) and
 * `l5d-reqid`: the router continues an inbound trace with a child span, or starts one.
 */
import { Buffer } from 'node:buffer';
import { base64, hex } from './wire/codecs.js';

export interface TraceContext { traceId: string; header: string }

/** New traces are made this many at a time. */
const BATCH = 64;
/**
 * A new trace's first 30 bytes: span, parent and trace id (the same 8 random bytes) and 6 of the
 * 8 flag bytes. 30 is a multiple of 3, so each trace's bytes are 40 characters of base64 of
 * their own inside the batch's encoding.
 */
const ALIGNED = 30;
/** Base64 of the last two flag bytes (zero), with the padding that ends 32 bytes. */
const ZERO_FLAGS_TAIL = 'AAA=';

/**
 * The traces a router sends downstream. A request that starts a trace takes the next one of a
 * batch made by one random fill and two encodings, as slices of the encoded text: an encoding is
 * a call into node, several times the cost of the slicing, so one per request would be most of
 * the cost of a trace.
 */
export class TraceSource {
  private readonly bytes = Buffer.alloc(BATCH * ALIGNED);
  /** The batch's bytes in base64 (40 characters a trace) and in hex (60). */
  private headers = '';
  private hexBytes = '';
  private taken = BATCH;

  constructor(private readonly random: () => number) {}

  /** The trace to send downstream for a request that arrived with `inbound` (or none). */
  next(inbound: string | undefined): TraceContext {
    if (inbound) {
      const parent = Buffer.from(inbound, 'base64');
      if (parent.length === 32) return childOf(parent, this.random);
    }
    if (this.taken === BATCH) this.refill();
    const i = this.taken++;
    return {
      traceId: this.hexBytes.slice(i * 60 + 32, i * 60 + 48), // bytes 16–24, the trace id
      header: this.headers.slice(i * 40, i * 40 + 40) + ZERO_FLAGS_TAIL,
    };
  }

  private refill(): void {
    const bytes = this.bytes;
    for (let t = 0; t < BATCH; t++) {
      const at = t * ALIGNED;
      writeRandom32(bytes, at, this.random);
      writeRandom32(bytes, at + 4, this.random);
      for (let i = 0; i < 8; i++) bytes[at + 8 + i] = bytes[at + 16 + i] = bytes[at + i]!;
      // bytes[at + 24, at + 30) stay zero: the flags.
    }
    this.headers = base64(bytes, 0, bytes.length);
    this.hexBytes = hex(bytes, 0, bytes.length);
    this.taken = 0;
  }
}

function writeRandom32(b: Uint8Array, at: number, random: () => number): void {
  const x = (random() * 0x100000000) >>> 0;
  b[at] = x >>> 24;
  b[at + 1] = x >>> 16;
  b[at + 2] = x >>> 8;
  b[at + 3] = x;
}

/** A child span of `parent` (32 bytes): a new span id, the caller's span as parent, the same trace id and flags. */
function childOf(parent: Buffer, random: () => number): TraceContext {
  const b = Buffer.allocUnsafe(32);
  writeRandom32(b, 0, random);
  writeRandom32(b, 4, random);
  parent.copy(b, 8, 0, 8);
  parent.copy(b, 16, 16, 32);
  return { traceId: hex(b, 16, 24), header: base64(b, 0, 32) };
}
