/**
 * How the wire engine writes a message: its head, with a small body as text, goes from the string
 * straight to the socket's handle when nothing else is waiting to be written on it.
 *
 * `socket.write` takes a string through the socket's Writable stream: state checks, a WriteWrap
 * per write, and a tick to report the write done, which a message written whole in one go has no
 * use for. The handle itself (what the stream calls in the end) copies the string and tries the
 * write at once. When the kernel takes all of it, which is almost always, the write is over.
 * When it does not, the handle keeps the rest and finishes it later, ahead of whatever is written
 * after, since the handle writes in order: the stream's own writes then queue behind it.
 *
 * So the handle is written directly only when both the stream and the handle hold nothing: the
 * order of bytes on the connection is the order of the calls, and at most one message per socket
 * is ever outside the stream's accounting (the stream still sees the backlog, and signals 'drain',
 * for everything written after it). A corked socket is left to the stream too, so that what the
 * caller writes until `uncork()` still leaves in one system call. Where node withholds its stream
 * binding (under its permission model), every write goes through the stream.
 */
import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/** Bodies up to this size go out in the same write as their head, as text. */
export const INLINE_BODY_BYTES = 1024;

/** The write request node's streams hand to a handle; ours is reused while writes complete at once. */
interface WriteReq {
  oncomplete?: (this: WriteReq, status: number) => void;
  socket?: Socket;
}

interface StreamHandle {
  readonly writeQueueSize: number;
  writeLatin1String(req: WriteReq, text: string): number;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

/** Node's stream binding, or null where it is withheld (under node's permission model). */
function streamWrap(): StreamWrapBinding | null {
  try {
    return (process as unknown as { binding(name: 'stream_wrap'): StreamWrapBinding }).binding('stream_wrap');
  } catch {
    return null;
  }
}

const binding = streamWrap();

/** A request object for the next direct write; replaced when one is kept by a write in progress. */
let spare: WriteReq | null = binding === null ? null : new binding.WriteWrap();

/**
 * Writes `text` (latin1) to `socket`, as `socket.write(text, 'latin1')` would, and returns the
 * same: false when the stream's buffer is full and 'drain' will follow. A direct write returns true
 * even when the kernel did not take it all: the stream emits no 'drain' for it, and the bytes it
 * holds are one message's.
 */
export function writeText(socket: Socket, text: string): boolean {
  const handle = (socket as unknown as { _handle: StreamHandle | null })._handle;
  const req = spare;
  if (req === null || handle === null || handle.writeQueueSize !== 0 || socket.writableLength !== 0
    || socket.writableCorked !== 0 || socket.connecting || socket.writableEnded) {
    return socket.write(text, 'latin1');
  }
  const b = binding!;
  const err = handle.writeLatin1String(req, text);
  if (err !== 0) {
    spare = new b.WriteWrap();
    socket.destroy(writeError(err));
  } else if (b.streamBaseState[b.kLastWriteWasAsync] !== 0) {
    spare = new b.WriteWrap();
    req.socket = socket;
    req.oncomplete = completed;
  }
  return true;
}

/** A direct write the kernel did not take at once has finished. */
function completed(this: WriteReq, status: number): void {
  if (status < 0) this.socket!.destroy(writeError(status));
  this.socket = undefined;
}

/** The error node's streams give for a failed write (`write EPIPE`, with code, errno and syscall). */
function writeError(errno: number): NodeJS.ErrnoException {
  const code = getSystemErrorName(errno);
  const e: NodeJS.ErrnoException = new Error(`write ${code}`);
  e.code = code;
  e.errno = errno;
  e.syscall = 'write';
  return e;
}
