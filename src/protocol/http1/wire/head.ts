/**
 * Message heads (RFC 9112 §3, §4, §5): the request line or status line and the header fields,
 * scanned once. The scan reads the head's bytes (a typed-array load takes fewer instructions than
 * a string's charCodeAt) and cuts names and values out of the same head as one latin1 string. The
 * same pass records what the engine needs for framing and connection management, so nothing looks
 * at the headers twice. One parser per connection, reused for every message on it.
 */
import { Buffer } from 'node:buffer';
import { Field, fieldOf, internMethod, isTchar, isVisible, onlyPersistence, parseContentLength } from './syntax.js';

export class HeadParser {
  /** Request line. */
  method = '';
  target = '';
  /** `'1.1'` or `'1.0'`. */
  version = '';
  /** Status line. */
  status = 0;
  reason = '';
  /** Header fields as a flat [name, value, …] list, values trimmed, both as latin1 text. */
  raw: string[] = [];
  /** The Content-Length value, or -1 when there is none. */
  contentLength = -1;
  /** Transfer-Encoding values joined with commas, when present. */
  transferEncoding: string | undefined;
  /** Connection values joined with commas, when present. */
  connection: string | undefined;
  expect: string | undefined;
  upgrade = false;
  /** The Keep-Alive header (a server's idle-timeout hint), when present. */
  keepAlive: string | undefined;
  /** Set when the last failure was a well-formed but unsupported version (answered with 505). */
  versionUnsupported = false;
  /**
   * False (a client reading responses): Keep-Alive, and Connection when it only says keep-alive or
   * close, are consumed here and left out of `raw`: they concern this hop alone, and whoever
   * forwards the message would only have to strip them.
   */
  keepConnectionFields = true;
  /** Why the last parse failed: an `HPE_*` code and a message. */
  errorCode = '';
  errorMessage = '';

  /**
   * Parses a request head: `s` ends with the CRLF of its last line, before the empty line, and
   * `b` holds the same text as bytes from `o` on (the buffer `s` was decoded from, when there is one).
   */
  parseRequest(s: string, b: Uint8Array = latin1Bytes(s), o = 0): boolean {
    this.reset();
    let i = 0;
    // The line ends with CR, which stops this scan and the next.
    while (isTchar(b[o + i]!)) i++;
    if (i === 0 || s.charCodeAt(i) !== 0x20) return this.fail('HPE_INVALID_METHOD', 'invalid method in request line');
    this.method = internMethod(s, 0, i);
    const t = ++i;
    for (let c = b[o + i]!; c > 0x20 && c !== 0x7f; c = b[o + ++i]!);
    if (i === t || s.charCodeAt(i) !== 0x20) return this.fail('HPE_INVALID_URL', 'invalid request target');
    this.target = s.slice(t, i);
    i++;
    // "HTTP/1.1" CRLF
    const minor = s.charCodeAt(i + 7);
    if (!s.startsWith('HTTP/1.', i) || (minor !== 0x31 && minor !== 0x30) || s.charCodeAt(i + 8) !== 0x0d) return this.badVersion(s, i);
    if (s.charCodeAt(i + 9) !== 0x0a) return this.fail('HPE_LF_EXPECTED', 'request line not terminated by CRLF');
    this.version = minor === 0x31 ? '1.1' : '1.0';
    return this.fields(s, b, o, i + 10);
  }

  /** Parses a response head (as `parseRequest`). */
  parseResponse(s: string, b: Uint8Array = latin1Bytes(s), o = 0): boolean {
    this.reset();
    if (!s.startsWith('HTTP/1.', 0) || (s.charCodeAt(7) !== 0x31 && s.charCodeAt(7) !== 0x30) || s.charCodeAt(8) !== 0x20) {
      return this.fail('HPE_INVALID_CONSTANT', 'response is not HTTP/1.x');
    }
    this.version = s.charCodeAt(7) === 0x31 ? '1.1' : '1.0';
    const d0 = s.charCodeAt(9) - 0x30, d1 = s.charCodeAt(10) - 0x30, d2 = s.charCodeAt(11) - 0x30;
    if (!(d0 >= 1 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)) return this.fail('HPE_INVALID_STATUS', 'invalid status code');
    this.status = d0 * 100 + d1 * 10 + d2;
    let i = 12;
    const c = s.charCodeAt(i);
    if (c === 0x20) {
      const r = ++i;
      for (let x = b[o + i]!; x !== 0x0d; x = b[o + ++i]!) {
        if ((x < 0x20 && x !== 0x09) || x === 0x7f || i >= s.length) return this.fail('HPE_INVALID_STATUS', 'invalid character in reason phrase');
      }
      this.reason = s.slice(r, i);
    } else if (c !== 0x0d) {
      return this.fail('HPE_INVALID_STATUS', 'invalid status line');
    }
    if (s.charCodeAt(i + 1) !== 0x0a) return this.fail('HPE_LF_EXPECTED', 'status line not terminated by CRLF');
    return this.fields(s, b, o, i + 2);
  }

  /** Parses header fields only (a trailer section); `s` as for `parseRequest`. */
  parseFields(s: string): boolean {
    this.reset();
    return this.fields(s, latin1Bytes(s), 0, 0);
  }

  /**
   * Header fields from `i` to the end of `s`, each `name: value CRLF`, read from `b` at `o + i`.
   * `s` ends with CRLF, so every scan below stops inside it.
   */
  private fields(s: string, b: Uint8Array, o: number, i: number): boolean {
    const raw = this.raw;
    // Positions in `b`; `p - o` is the same position in `s`. One index per loop keeps the byte
    // loops at one addition per byte.
    const end = o + s.length;
    let p = o + i;
    while (p < end) {
      const n0 = p;
      while (isTchar(b[p]!)) p++;
      if (p === n0 || b[p] !== 0x3a) {
        const c = b[n0];
        return this.fail('HPE_INVALID_HEADER_TOKEN', c === 0x20 || c === 0x09
          ? 'obsolete line folding in header field'
          : `invalid header field name ${JSON.stringify(s.slice(n0 - o, Math.min(p + 1, n0 + 40) - o))}`);
      }
      const name = s.slice(n0 - o, p - o);
      let c = b[++p]!;
      while (c === 0x20 || c === 0x09) c = b[++p]!;
      const v0 = p;
      // Values are long (dtabs, cookies): trailing whitespace is trimmed afterwards rather than
      // tracked in the scan. Runs of visible ASCII, nearly all of a value, are taken four bytes a
      // step, which pays the loop's own checks once for four; the bytes of the step that stops
      // are tested again one at a time. The step stops at the line's CR, which fails the test,
      // so it never reads past it.
      while (isVisible(c) && isVisible(b[p + 1]!) && isVisible(b[p + 2]!) && isVisible(b[p + 3]!)) c = b[p += 4]!;
      while (c !== 0x0d) {
        if ((c < 0x20 && c !== 0x09) || c === 0x7f) return this.fail('HPE_INVALID_HEADER_TOKEN', `invalid character in the value of header ${name}`);
        c = b[++p]!;
      }
      let v1 = p;
      for (c = b[v1 - 1]!; v1 > v0 && (c === 0x20 || c === 0x09); c = b[--v1 - 1]!);
      if (b[p + 1] !== 0x0a) return this.fail('HPE_LF_EXPECTED', `header ${name} not terminated by CRLF`);
      p += 2;
      const value = s.slice(v0 - o, v1 - o);
      const f = fieldOf(name);
      if (f !== Field.Other) {
        if (!this.note(f, value)) return false;
        if (!this.keepConnectionFields && (f === Field.KeepAlive || (f === Field.Connection && onlyPersistence(value)))) continue;
      }
      raw.push(name, value);
    }
    return true;
  }

  /** Records a field the engine acts on; false (with the error set) when its value is invalid. */
  private note(f: Field, value: string): boolean {
    switch (f) {
      case Field.ContentLength: {
        const n = parseContentLength(value);
        if (n < 0) return this.fail('HPE_INVALID_CONTENT_LENGTH', `invalid Content-Length ${JSON.stringify(value.slice(0, 40))}`);
        if (this.contentLength >= 0 && n !== this.contentLength) return this.fail('HPE_UNEXPECTED_CONTENT_LENGTH', 'conflicting Content-Length values');
        this.contentLength = n;
        return true;
      }
      case Field.TransferEncoding: this.transferEncoding = this.transferEncoding === undefined ? value : `${this.transferEncoding},${value}`; return true;
      case Field.Connection: this.connection = this.connection === undefined ? value : `${this.connection},${value}`; return true;
      case Field.Expect: this.expect = value; return true;
      case Field.Upgrade: this.upgrade = true; return true;
      case Field.KeepAlive: this.keepAlive = value; return true;
      default: return true;
    }
  }

  private badVersion(s: string, i: number): boolean {
    // A well-formed HTTP-version we do not speak (HTTP/2.0 in an HTTP/1 head, HTTP/1.2) is 505.
    const c5 = s.charCodeAt(i + 5), c7 = s.charCodeAt(i + 7);
    const wellFormed = s.startsWith('HTTP/', i) && c5 >= 0x30 && c5 <= 0x39 && s.charCodeAt(i + 6) === 0x2e && c7 >= 0x30 && c7 <= 0x39 && s.charCodeAt(i + 8) === 0x0d;
    if (wellFormed) {
      this.errorCode = 'HPE_INVALID_VERSION';
      this.errorMessage = `unsupported HTTP version ${s.slice(i, i + 8)}`;
      this.versionUnsupported = true;
      return false;
    }
    return this.fail('HPE_INVALID_VERSION', 'invalid HTTP version in request line');
  }

  private fail(code: string, message: string): boolean {
    this.errorCode = code;
    this.errorMessage = message;
    return false;
  }

  private reset(): void {
    this.raw = [];
    this.contentLength = -1;
    this.transferEncoding = undefined;
    this.connection = undefined;
    this.expect = undefined;
    this.upgrade = false;
    this.keepAlive = undefined;
    this.versionUnsupported = false;
    this.reason = '';
  }
}

/**
 * Where the head in `b[from, end)` ends: the index of its first CRLF CRLF, or -1 when `b` does
 * not hold all of it yet. The scan looks at every fourth byte and stops only on CR and LF: a byte
 * that is neither rules out each of the four places a terminator covering it could start, so a
 * header line costs about a quarter of its length in steps. (`Buffer#indexOf` costs more than the
 * whole scan in argument handling for a head of a few hundred bytes, and would search on past
 * `end`, into older bytes of a shared read buffer.)
 */
export function headEnd(b: Uint8Array, from: number, end: number): number {
  let i = from + 3;
  while (i < end) {
    const c = b[i]!;
    if (c === 0x0a) {
      if (b[i - 1] === 0x0d && b[i - 2] === 0x0a && b[i - 3] === 0x0d) return i - 3;
      i += 2; // the LF could be the first of the four's
    } else if (c === 0x0d) {
      i += 1; // the CR could be the third of the four's
    } else {
      i += 4;
    }
  }
  return -1;
}

/** The bytes of a latin1 head given only as text (tests, trailers). */
function latin1Bytes(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}
