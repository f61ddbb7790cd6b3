/**
 * Node's codec entry points on Buffer (present since the first releases, used by node's own
 * modules): the engine converts message heads and trace ids with them directly, without the
 * argument handling of `toString(encoding, start, end)` on every message.
 *
 * They are taken from Buffer's prototype once and called with `call`: V8's optimizing compiler
 * does not inline a method load from a Buffer (a typed array), so `buf.latin1Slice(…)` pays a
 * generic property lookup on every call, where `latin1Slice.call(buf, …)` calls the function it
 * already holds.
 */
type Slice = (this: Uint8Array, start: number, end: number) => string;
const proto = Buffer.prototype as unknown as { latin1Slice: Slice; hexSlice: Slice; base64Slice: Slice };
const latin1Slice = proto.latin1Slice;
const hexSlice = proto.hexSlice;
const base64Slice = proto.base64Slice;

/** `b[start, end)` as a string of one char per byte. */
export function latin1(b: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(b, start, end);
}

/** `b[start, end)` as lower-case hex. */
export function hex(b: Uint8Array, start: number, end: number): string {
  return hexSlice.call(b, start, end);
}

/** `b[start, end)` as padded base64. */
export function base64(b: Uint8Array, start: number, end: number): string {
  return base64Slice.call(b, start, end);
}
