/**
 * Node's codec entry points on Buffer (present since the first releases, used by node's own
 * modules): the engine converts message heads (and trace ids) with them directly, without the
 * argument handling of `toString(encoding, start, end)` on every message.
 */
export {};

declare global {
  interface Buffer {
    /** `buf[start, end)` as a string of one char per byte. */
    latin1Slice(start: number, end: number): string;
    /** Writes `s` (chars ≤ 0xff) one byte per char at `offset`; returns the bytes written. */
    latin1Write(s: string, offset?: number, length?: number): number;
    /** `buf[start, end)` as lower-case hex. */
    hexSlice(start: number, end: number): string;
    /** `buf[start, end)` as padded base64. */
    base64Slice(start: number, end: number): string;
  }
}
