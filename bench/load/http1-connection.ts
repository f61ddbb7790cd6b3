/**
 * The client side of an HTTP/1.1 keep-alive connection, as small as the load clients need:
 * one request written at a time, responses framed by Content-Length (every bench target answers
 * that way). Anything else is a framing error and the connection is dropped.
 */
import net from 'node:net';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

/** Builds the bytes of a GET request once; they are written unchanged for every request. */
export function getRequest(path: string, headers: readonly string[]): Buffer {
  const lines = [`GET ${path} HTTP/1.1`, ...headers];
  if (!headers.some((h) => /^host:/i.test(h))) lines.push('Host: 127.0.0.1');
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Parses `Name: value` as given on the command line. */
export function headerLine(spec: string): string {
  const i = spec.indexOf(':');
  if (i <= 0) throw new Error(`bad header "${spec}": expected "Name: value"`);
  return `${spec.slice(0, i).trim()}: ${spec.slice(i + 1).trim()}`;
}

export interface ConnectionEvents {
  /** The TCP connection is established. */
  onConnect(): void;
  /** A complete response arrived. */
  onResponse(status: number): void;
  /** The connection is gone: refused, reset, closed by the peer, or unreadable. */
  onError(failure: { readonly busy: boolean; readonly connected: boolean; readonly reason: string }): void;
}

/** One keep-alive connection to 127.0.0.1:port that carries one request at a time. */
export class Connection {
  private readonly socket: net.Socket;
  private pending: Buffer | undefined;
  /** Body bytes still expected, or -1 while reading a head. */
  private remaining = -1;
  private status = 0;
  private connected = false;
  private outstanding = false;
  private failed = false;

  constructor(port: number, private readonly events: ConnectionEvents) {
    this.socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('connect', () => { this.connected = true; this.events.onConnect(); });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', (e) => this.fail(e.message));
    this.socket.on('close', () => this.fail('closed by peer'));
  }

  /** A request is outstanding on a live connection. */
  get busy(): boolean { return this.outstanding && !this.failed; }
  get usable(): boolean { return !this.failed; }

  send(request: Buffer): void {
    this.outstanding = true;
    this.socket.write(request);
  }

  close(): void {
    this.failed = true;
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    while (buf.length > 0) {
      if (this.remaining < 0) {
        const end = buf.indexOf(CRLFCRLF);
        if (end < 0) { this.pending = buf; return; }
        const head = buf.toString('latin1', 0, end + 2);
        const length = CONTENT_LENGTH.exec(head);
        this.status = Number(head.slice(9, 12));
        if (!length) { this.fail(`response without Content-Length (status ${this.status})`); return; }
        this.remaining = Number(length[1]);
        buf = buf.subarray(end + 4);
      }
      const take = Math.min(this.remaining, buf.length);
      this.remaining -= take;
      buf = buf.subarray(take);
      if (this.remaining > 0) return;
      this.remaining = -1;
      this.outstanding = false;
      this.events.onResponse(this.status);
    }
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.socket.destroy();
    this.events.onError({ busy: this.outstanding, connected: this.connected, reason });
  }
}
