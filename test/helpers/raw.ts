/**
 * Raw HTTP/1.x over a plain socket, for what node's client will not send: absolute-form
 * targets, HTTP/1.0, missing Host, hop-by-hop headers, malformed requests.
 */
import { connect, type Socket } from 'node:net';

export interface RawReply {
  status: number;
  /** Header pairs as received, names lower-cased. */
  headers: [string, string][];
  body: Buffer;
  /** The first value of a header, or undefined. */
  header(name: string): string | undefined;
  /** Every value of a header, in order. */
  all(name: string): string[];
}

/** Parses one response from the start of `buf`; undefined until it is complete (`ended`: the peer closed). */
export function parseResponse(buf: Buffer, ended: boolean, head = false): RawReply | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
  const headers = lines.slice(1).map((l): [string, string] => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
  });
  const get = (n: string) => headers.filter(([k]) => k === n).map(([, v]) => v);
  const reply = (body: Buffer): RawReply => ({ status, headers, body, header: (n) => get(n.toLowerCase())[0], all: (n) => get(n.toLowerCase()) });
  const rest = buf.subarray(end + 4);
  if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) return reply(Buffer.alloc(0));
  const length = get('content-length')[0];
  if (length !== undefined) return rest.length >= Number(length) ? reply(rest.subarray(0, Number(length))) : undefined;
  if (/chunked/i.test(get('transfer-encoding').join(','))) {
    const chunks: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = rest.indexOf('\r\n', at);
      if (eol < 0) return undefined;
      const size = parseInt(rest.subarray(at, eol).toString('latin1'), 16);
      if (size === 0) return rest.indexOf('\r\n\r\n', eol) >= 0 || ended ? reply(Buffer.concat(chunks)) : undefined;
      if (rest.length < eol + 2 + size + 2) return undefined;
      chunks.push(rest.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
  return ended ? reply(rest) : undefined;
}

/**
 * Writes `request` verbatim and resolves with the first response. Rejects when the peer closes
 * or resets without one, or after `timeoutMs`.
 */
export function rawExchange(port: number, request: string | Buffer, opts: { timeoutMs?: number; head?: boolean } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (err: Error | undefined, reply?: RawReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err); else resolve(reply!);
    };
    const timer = setTimeout(() => finish(new Error(`no response within ${opts.timeoutMs ?? 5000} ms`)), opts.timeoutMs ?? 5000);
    const tryParse = (ended: boolean) => {
      try {
        const r = parseResponse(buf, ended, opts.head);
        if (r) finish(undefined, r);
        else if (ended) finish(new Error(`connection closed after ${buf.length} bytes without a complete response`));
      } catch (e) {
        finish(e as Error);
      }
    };
    socket.on('data', (c: Buffer) => { buf = Buffer.concat([buf, c]); tryParse(false); });
    socket.on('end', () => tryParse(true));
    socket.on('error', (e) => (buf.length > 0 ? tryParse(true) : finish(e)));
    socket.write(request);
  });
}

/** An open socket to `port` (resolves once connected). */
export function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => { s.off('error', reject); resolve(s); });
    s.once('error', reject);
  });
}
