/**
 * How the wire engine reads its sockets: all of them, accepted and connected, read into one
 * shared buffer through node's `onread` option, so a read allocates nothing and goes from the
 * socket to the parser with no stream in between.
 *
 * Sharing one buffer is safe because a read is consumed before the next one is delivered (each
 * comes in its own callback from the event loop) and nothing keeps a view of it past the callback:
 * bytes that must outlive it (a partial head, body chunks) are copied out with `copyOut`.
 */
import { Buffer } from 'node:buffer';
import { Socket } from 'node:net';

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Called with the bytes read, `buf[0, nread)`; false stops reading (until `socket.resume()`). */
export type OnRead = (nread: number, buf: Buffer) => boolean;

/** The `onread` option of a socket that reads into the shared buffer. */
export function sharedReads(onRead: OnRead): { buffer: Uint8Array; callback: (n: number, b: Uint8Array) => boolean } {
  return { buffer: READ_BUFFER, callback: onRead as (n: number, b: Uint8Array) => boolean };
}

/** Copies below this size go byte by byte: a loop beats Buffer#copy's argument handling for them. */
const SMALL_COPY_BYTES = 64;

/** `buf[start, end)` as a Buffer of its own. */
export function copyOut(buf: Buffer, start: number, end: number): Buffer {
  const n = end - start;
  const out = Buffer.allocUnsafe(n);
  if (n <= SMALL_COPY_BYTES) for (let i = 0; i < n; i++) out[i] = buf[start + i]!;
  else buf.copy(out, 0, start, end);
  return out;
}

interface WithHandle { _handle: object | null }

/**
 * An accepted connection, from a server created with `pauseOnConnect`, as a socket that reads
 * into the shared buffer.
 *
 * Node offers `onread` only for sockets it connects; an accepted one reads through its Readable
 * stream, which allocates 64 KiB per read (then shrinks it) and schedules a tick of bookkeeping
 * after each: about a tenth of the instructions a proxied request costs. So the accepted handle
 * moves into a Socket made with `onread`, as node itself wraps handles (`new Socket({ handle })`).
 * The accepted socket, left without a handle, is destroyed at once (there is nothing to close) so
 * that it is not kept alive with every connection; node's server then no longer counts the
 * connection, and whoever adopts it must wait for it at close (WireServer does).
 */
export function adoptAccepted(accepted: Socket, allowHalfOpen: boolean, onRead: OnRead): Socket {
  const raw = accepted as unknown as WithHandle;
  const handle = raw._handle;
  raw._handle = null;
  accepted.destroy();
  return new Socket({
    handle, allowHalfOpen, onread: sharedReads(onRead),
  } as ConstructorParameters<typeof Socket>[0]);
}
