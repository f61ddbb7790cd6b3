/**
 * Responses Switchyard generates itself, as Linkerd gives them: a status, a URL-encoded
 * (ISO-8859-1) `l5d-err` header, and the message as a text/plain body.
 */
import { Buffer } from 'node:buffer';
import type { ServerResponse } from 'node:http';

export class RouterError extends Error {
  constructor(readonly status: 400 | 502 | 503, message: string, readonly retryable = false) {
    super(message);
    this.name = 'RouterError';
  }
}

/** `l5d-err` value: percent-encoding of the ISO-8859-1 bytes, space as `+`, cut to `maxBytes`. */
export function encodeL5dErr(message: string, maxBytes: number): string {
  let out = '';
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    let piece: string;
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x2d || c === 0x2a || c === 0x5f) piece = message[i]!;
    else if (c === 0x20) piece = '+';
    else piece = '%' + (c > 0xff ? 0x3f : c).toString(16).toUpperCase().padStart(2, '0');
    if (out.length + piece.length > maxBytes) break;
    out += piece;
  }
  return out;
}

export interface ErrorResponseOptions {
  maxHeaderBytes: number;
  maxBodyBytes: number;
  /** clearContext servers send no l5d-* headers and an empty body to untrusted callers. */
  clearContext: boolean;
  via?: string;
}

export function sendError(res: ServerResponse, err: RouterError, opts: ErrorResponseOptions): void {
  if (res.headersSent) { res.destroy(err); return; }
  const headers: string[] = ['content-type', 'text/plain; charset=utf-8'];
  let body = opts.clearContext ? '' : err.message;
  if (Buffer.byteLength(body) > opts.maxBodyBytes) body = Buffer.from(body).subarray(0, opts.maxBodyBytes).toString();
  if (!opts.clearContext) {
    headers.push('l5d-err', encodeL5dErr(err.message, opts.maxHeaderBytes));
    if (err.retryable) headers.push('l5d-retryable', 'true');
    headers.push('l5d-success-class', '0.0');
  }
  if (opts.via) headers.push('via', opts.via);
  headers.push('content-length', String(Buffer.byteLength(body)));
  res.writeHead(err.status, headers);
  res.end(body);
}
