/**
 * Message body framing (RFC 9112 §6, §7): a known length, chunked transfer coding (with chunk
 * extensions skipped and trailer fields parsed), or everything until the connection closes.
 * Used by both sides of the engine; one decoder per connection, restarted for every message.
 * Body bytes are handed over as ranges of the input buffer: the decoder never copies.
 */
import { latin1 } from './codecs.js';
import { HeadParser } from './head.js';
import { hexValue } from './syntax.js';

/** Receives decoded body bytes. */
export interface BodyReceiver {
  /** Body bytes `buf[start, end)`. Returning false stops decoding after this range. */
  bodyData(buf: Buffer, start: number, end: number): boolean;
}

export enum Framing { None, Length, Chunked, UntilClose }

enum Chunk {
  Size, Ext, SizeLf, Data, DataCr, DataLf, TrailerLineStart, TrailerLine, TrailerLineLf, TrailerEndLf,
}

/** Hex digits in a chunk size beyond which it cannot be a safe integer. */
const MAX_SIZE_DIGITS = 13;

export class BodyDecoder {
  framing = Framing.None;
  /** Bytes left: of the body (Length) or of the current chunk (Chunked). */
  remaining = 0;
  done = true;
  /** Trailer fields of a chunked body, as a flat [name, value, …] list (empty when none). */
  trailers: string[] = [];
  errorCode = '';
  errorMessage = '';
  private chunk = Chunk.Size;
  private size = 0;
  private digits = 0;
  /** Bytes of the current chunk-size line or of the trailer section, bounded by `maxLineBytes`. */
  private lineBytes = 0;
  private trailerText = '';

  /** `maxLineBytes` bounds a chunk-size line with its extensions, and the trailer section. */
  constructor(private readonly maxLineBytes: number) {}

  /** No body. */
  none(): void { this.framing = Framing.None; this.done = true; this.remaining = 0; }

  length(n: number): void {
    this.framing = Framing.Length;
    this.remaining = n;
    this.done = n === 0;
  }

  chunked(): void {
    this.framing = Framing.Chunked;
    this.done = false;
    this.chunk = Chunk.Size;
    this.size = 0;
    this.digits = 0;
    this.lineBytes = 0;
    if (this.trailers.length > 0) this.trailers = [];
  }

  untilClose(): void { this.framing = Framing.UntilClose; this.done = false; }

  /** The connection closed. True when that ends the body; false when the body is cut short. */
  eof(): boolean {
    if (this.done) return true;
    if (this.framing !== Framing.UntilClose) return false;
    this.done = true;
    return true;
  }

  /**
   * Decodes `buf[pos, end)`. Returns the index after what was consumed, or -1 on a framing error
   * (see `errorCode`). Stops early when the body is done or the receiver asks to stop.
   */
  feed(buf: Buffer, pos: number, end: number, rx: BodyReceiver): number {
    switch (this.framing) {
      case Framing.Length: {
        const n = Math.min(end - pos, this.remaining);
        this.remaining -= n;
        if (this.remaining === 0) this.done = true;
        if (n > 0) rx.bodyData(buf, pos, pos + n);
        return pos + n;
      }
      case Framing.UntilClose:
        if (end > pos) rx.bodyData(buf, pos, end);
        return end;
      case Framing.Chunked:
        return this.chunks(buf, pos, end, rx);
      default:
        return pos;
    }
  }

  private chunks(buf: Buffer, i: number, end: number, rx: BodyReceiver): number {
    while (i < end) {
      if (this.chunk === Chunk.Data) {
        const n = Math.min(end - i, this.remaining);
        this.remaining -= n;
        if (this.remaining === 0) this.chunk = Chunk.DataCr;
        const more = rx.bodyData(buf, i, i + n);
        i += n;
        if (!more) return i;
        continue;
      }
      const c = buf[i]!;
      switch (this.chunk) {
        case Chunk.Size: {
          const v = hexValue(c);
          if (v >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return this.fail('HPE_INVALID_CHUNK_SIZE', 'chunk size too large');
            this.size = this.size * 16 + v;
          } else if (this.digits === 0) {
            return this.fail('HPE_INVALID_CHUNK_SIZE', 'invalid character in chunk size');
          } else if (c === 0x0d) {
            this.chunk = Chunk.SizeLf;
          } else if (c === 0x3b || c === 0x20 || c === 0x09) {
            this.chunk = Chunk.Ext; // chunk extensions (and the whitespace before them) are ignored
          } else {
            return this.fail('HPE_INVALID_CHUNK_SIZE', 'invalid character in chunk size');
          }
          break;
        }
        case Chunk.Ext:
          if (c === 0x0d) this.chunk = Chunk.SizeLf;
          else if ((c < 0x20 && c !== 0x09) || c === 0x7f) return this.fail('HPE_INVALID_CHUNK_EXTENSIONS', 'invalid character in chunk extension');
          break;
        case Chunk.SizeLf:
          if (c !== 0x0a) return this.fail('HPE_LF_EXPECTED', 'chunk size line not terminated by CRLF');
          this.lineBytes = 0;
          this.digits = 0;
          if (this.size === 0) {
            this.chunk = Chunk.TrailerLineStart;
            this.trailerText = '';
          } else {
            this.remaining = this.size;
            this.size = 0;
            this.chunk = Chunk.Data;
          }
          break;
        case Chunk.DataCr:
          if (c !== 0x0d) return this.fail('HPE_STRICT', 'chunk data not followed by CRLF');
          this.chunk = Chunk.DataLf;
          break;
        case Chunk.DataLf:
          if (c !== 0x0a) return this.fail('HPE_STRICT', 'chunk data not followed by CRLF');
          this.chunk = Chunk.Size;
          break;
        case Chunk.TrailerLineStart:
        case Chunk.TrailerEndLf:
          if (this.trailerText !== '') return this.trailerSection(buf, i, end);
          // No trailers (the common case): CRLF right after the last chunk.
          if (this.chunk === Chunk.TrailerLineStart) {
            if (c !== 0x0d) return this.trailerSection(buf, i, end);
            this.chunk = Chunk.TrailerEndLf;
            break;
          }
          if (c !== 0x0a) return this.fail('HPE_LF_EXPECTED', 'trailer section not terminated by CRLF');
          this.done = true;
          return i + 1;
        case Chunk.TrailerLine:
        case Chunk.TrailerLineLf:
          return this.trailerSection(buf, i, end);
        default:
          break;
      }
      i++;
      if (++this.lineBytes > this.maxLineBytes) return this.fail('HPE_HEADER_OVERFLOW', 'chunk framing line too long');
    }
    return i;
  }

  /** Collects trailer lines (rare: scanned simply, kept as text, parsed once complete). */
  private trailerSection(buf: Buffer, i: number, end: number): number {
    const start = i;
    while (i < end) {
      const c = buf[i]!;
      i++;
      if (this.chunk === Chunk.TrailerLineStart) {
        this.chunk = c === 0x0d ? Chunk.TrailerEndLf : Chunk.TrailerLine;
      } else if (this.chunk === Chunk.TrailerLine) {
        if (c === 0x0d) this.chunk = Chunk.TrailerLineLf;
      } else if (this.chunk === Chunk.TrailerLineLf) {
        if (c !== 0x0a) return this.fail('HPE_LF_EXPECTED', 'trailer field not terminated by CRLF');
        this.chunk = Chunk.TrailerLineStart;
      } else { // TrailerEndLf
        if (c !== 0x0a) return this.fail('HPE_LF_EXPECTED', 'trailer section not terminated by CRLF');
        if (this.lineBytes + i - start > this.maxLineBytes) return this.fail('HPE_HEADER_OVERFLOW', 'trailer section too large');
        this.trailerText += latin1(buf, start, i);
        return this.finishTrailers() ? i : -1;
      }
    }
    this.lineBytes += i - start;
    if (this.lineBytes > this.maxLineBytes) return this.fail('HPE_HEADER_OVERFLOW', 'trailer section too large');
    this.trailerText += latin1(buf, start, i);
    return i;
  }

  /** The trailer section is complete: `trailerText` holds its lines and the final empty line. */
  private finishTrailers(): boolean {
    const p = new HeadParser();
    const ok = p.parseFields(this.trailerText.slice(0, -2));
    this.trailerText = '';
    if (!ok) {
      this.fail(p.errorCode, `invalid trailer section: ${p.errorMessage}`);
      return false;
    }
    this.trailers = p.raw;
    this.done = true;
    return true;
  }

  private fail(code: string, message: string): -1 {
    this.errorCode = code;
    this.errorMessage = message;
    return -1;
  }
}
