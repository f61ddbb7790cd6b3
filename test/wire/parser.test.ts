/** The wire engine's message parsers in isolation: heads, body framing, value grammars. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HeadParser, headEnd } from '../../src/protocol/http1/wire/head.js';
import { BodyDecoder, type BodyReceiver } from '../../src/protocol/http1/wire/body.js';
import { endsWithChunked, Field, fieldOf, hasToken, onlyPersistence, parseContentLength } from '../../src/protocol/http1/wire/syntax.js';
import { headerObject } from '../../src/protocol/http1/wire/request.js';
import { anyCaseOf, canonical } from '../helpers/header-names.js';

/** A head as the connection hands it over: up to and including the CRLF of the last line. */
function head(lines: string[]): string {
  return lines.map((l) => `${l}\r\n`).join('');
}

function parseRequest(lines: string[]): HeadParser {
  const p = new HeadParser();
  p.parseRequest(head(lines));
  return p;
}

describe('request heads', () => {
  it('parses the request line and the fields, trimming optional whitespace around values', () => {
    const p = new HeadParser();
    assert.ok(p.parseRequest(head(['GET /a/b?c=d HTTP/1.1', 'Host: web', 'X-Empty:', 'X-Pad: \t v a l \t', 'x-dup: 1', 'X-Dup: 2'])));
    assert.equal(p.method, 'GET');
    assert.equal(p.target, '/a/b?c=d');
    assert.equal(p.version, '1.1');
    assert.deepEqual(p.raw, ['Host', 'web', 'X-Empty', '', 'X-Pad', 'v a l', 'x-dup', '1', 'X-Dup', '2']);
    assert.equal(p.contentLength, -1);
    assert.equal(p.transferEncoding, undefined);
  });

  it('records the fields that decide framing and connection handling, in any case', () => {
    const p = parseRequest(['POST / HTTP/1.0', 'CONTENT-LENGTH: 12', 'Connection: keep-alive', 'connection: x-foo', 'Expect: 100-continue', 'Upgrade: websocket']);
    assert.equal(p.version, '1.0');
    assert.equal(p.contentLength, 12);
    assert.equal(p.connection, 'keep-alive,x-foo');
    assert.equal(p.expect, '100-continue');
    assert.equal(p.upgrade, true);
    const q = parseRequest(['POST / HTTP/1.1', 'Transfer-Encoding: gzip', 'transfer-encoding: chunked']);
    assert.equal(q.transferEncoding, 'gzip,chunked');
  });

  it('accepts repeated identical Content-Length values and rejects conflicting or invalid ones', () => {
    assert.equal(parseRequest(['POST / HTTP/1.1', 'Content-Length: 5', 'Content-Length: 5']).contentLength, 5);
    assert.equal(parseRequest(['POST / HTTP/1.1', 'Content-Length: 5, 5']).contentLength, 5);
    for (const [value, code] of [['5, 6', 'HPE_INVALID_CONTENT_LENGTH'], ['-1', 'HPE_INVALID_CONTENT_LENGTH'], ['1e3', 'HPE_INVALID_CONTENT_LENGTH'],
      ['', 'HPE_INVALID_CONTENT_LENGTH'], ['99999999999999999999', 'HPE_INVALID_CONTENT_LENGTH'], ['+5', 'HPE_INVALID_CONTENT_LENGTH']] as const) {
      const p = new HeadParser();
      assert.equal(p.parseRequest(head(['POST / HTTP/1.1', `Content-Length: ${value}`])), false, value);
      assert.equal(p.errorCode, code, value);
    }
    const p = new HeadParser();
    assert.equal(p.parseRequest(head(['POST / HTTP/1.1', 'Content-Length: 5', 'Content-Length: 6'])), false);
    assert.equal(p.errorCode, 'HPE_UNEXPECTED_CONTENT_LENGTH');
  });

  it('rejects malformed request lines precisely', () => {
    const cases: [string, string][] = [
      ['GET/ HTTP/1.1', 'HPE_INVALID_METHOD'],
      ['G(T / HTTP/1.1', 'HPE_INVALID_METHOD'],
      [' GET / HTTP/1.1', 'HPE_INVALID_METHOD'],
      ['GET  HTTP/1.1', 'HPE_INVALID_URL'],
      ['GET /a\u0001b HTTP/1.1', 'HPE_INVALID_URL'],
      ['GET / HTTP/1.1 extra', 'HPE_INVALID_VERSION'],
      ['GET / HTTX/1.1', 'HPE_INVALID_VERSION'],
      ['GET / http/1.1', 'HPE_INVALID_VERSION'],
      ['GET /', 'HPE_INVALID_URL'],
    ];
    for (const [line, code] of cases) {
      const p = new HeadParser();
      assert.equal(p.parseRequest(head([line, 'Host: x'])), false, line);
      assert.equal(p.errorCode, code, line);
      assert.equal(p.versionUnsupported, false, line);
    }
  });

  it('tells a well-formed but unsupported version apart (answered 505)', () => {
    for (const v of ['HTTP/2.0', 'HTTP/1.2', 'HTTP/0.9']) {
      const p = new HeadParser();
      assert.equal(p.parseRequest(head([`GET / ${v}`])), false);
      assert.equal(p.versionUnsupported, true, v);
      assert.match(p.errorMessage, new RegExp(v.replace('.', '\\.')));
    }
  });

  it('rejects invalid header fields: bad names, whitespace before the colon, obs-fold, control characters, bare CR', () => {
    const cases: [string[], RegExp][] = [
      [['Host : x'], /invalid header field name/],
      [['Ho st: x'], /invalid header field name/],
      [[': x'], /invalid header field name/],
      [['NoColon'], /invalid header field name/],
      [['X-A: 1', ' folded'], /obsolete line folding/],
      [['X-A: a\u0000b'], /invalid character in the value of header X-A/],
      [['X-A: a\nb'], /invalid character in the value of header X-A/],
      [['X-A: a\u007fb'], /invalid character in the value of header X-A/],
      [['X-A: a\rb'], /not terminated by CRLF/],
    ];
    for (const [fields, message] of cases) {
      const p = new HeadParser();
      assert.equal(p.parseRequest(head(['GET / HTTP/1.1', ...fields])), false, JSON.stringify(fields));
      assert.match(p.errorMessage, message, JSON.stringify(fields));
    }
  });

  it('tests every byte of a value, wherever it falls against the four-byte steps', () => {
    const char = fc.constantFrom('a', 'Z', '~', ' ', '\t', '\x01', '\n', '\x1f', '\x7f', '\x80', '\xff');
    const value = fc.array(char, { maxLength: 24 }).map((cs) => cs.join(''));
    fc.assert(fc.property(value, fc.nat(3), (v, pad) => {
      const p = new HeadParser();
      const ok = p.parseRequest(head(['GET / HTTP/1.1', `X-V${'x'.repeat(pad)}: ${v}`, 'Host: h']));
      assert.equal(ok, !/[\x00-\x08\x0a-\x1f\x7f]/.test(v), JSON.stringify(v));
      if (ok) assert.deepEqual(p.raw, [`X-V${'x'.repeat(pad)}`, v.replace(/^[ \t]+|[ \t]+$/g, ''), 'Host', 'h']);
      else assert.match(p.errorMessage, /invalid character in the value of header X-V/);
    }), { numRuns: 3000 });
  });

  it('keeps obs-text (bytes 0x80-0xff) in values as latin1 characters', () => {
    const p = parseRequest(['GET / HTTP/1.1', 'X-Latin: caf\u00e9 \u00ff']);
    assert.deepEqual(p.raw, ['X-Latin', 'caf\u00e9 \u00ff']);
  });
});

describe('response heads', () => {
  it('parses status lines with and without a reason phrase', () => {
    const p = new HeadParser();
    assert.ok(p.parseResponse(head(['HTTP/1.1 204 No Content', 'Keep-Alive: timeout=5'])));
    assert.deepEqual([p.version, p.status, p.reason, p.keepAlive], ['1.1', 204, 'No Content', 'timeout=5']);
    assert.ok(p.parseResponse(head(['HTTP/1.0 200'])));
    assert.deepEqual([p.version, p.status, p.reason], ['1.0', 200, '']);
    assert.ok(p.parseResponse(head(['HTTP/1.1 599 '])));
    assert.deepEqual([p.status, p.reason], [599, '']);
  });

  it('on the client side, consumes Keep-Alive and a Connection field that only says keep-alive or close', () => {
    const p = new HeadParser();
    p.keepConnectionFields = false;
    assert.ok(p.parseResponse(head(['HTTP/1.1 200 OK', 'Connection: Keep-Alive', 'Keep-Alive: timeout=5', 'X-A: 1'])));
    assert.deepEqual(p.raw, ['X-A', '1']);
    assert.equal(p.connection, 'Keep-Alive');
    assert.equal(p.keepAlive, 'timeout=5');
    assert.ok(p.parseResponse(head(['HTTP/1.1 200 OK', 'Connection: close, X-Secret', 'X-Secret: s'])));
    assert.deepEqual(p.raw, ['Connection', 'close, X-Secret', 'X-Secret', 's'], 'a Connection field naming fields is passed on');
  });

  it('rejects what is not an HTTP/1.x status line', () => {
    for (const line of ['HTTP/2 200 OK', 'HTTP/1.1 20 OK', 'HTTP/1.1 099 X', 'HTTP/1.1 2000 OK', 'ICY 200 OK', 'HTTP/1.1 200 O\u0001K']) {
      const p = new HeadParser();
      assert.equal(p.parseResponse(head([line])), false, line);
    }
  });
});

/** Collects decoded body bytes; optionally asks the decoder to stop after every range. */
class Collector implements BodyReceiver {
  readonly parts: Buffer[] = [];
  constructor(private readonly stopEach = false) {}
  bodyData(buf: Buffer, start: number, end: number): boolean {
    this.parts.push(Buffer.from(buf.subarray(start, end)));
    return !this.stopEach;
  }
  get text(): string { return Buffer.concat(this.parts).toString('latin1'); }
}

/** Feeds `input` to a chunked decoder in the given pieces; returns the body, the trailers and what follows. */
function decodeChunked(pieces: Buffer[], stopEach = false): { body: string; trailers: string[]; rest: string; error?: string } {
  const d = new BodyDecoder(1024);
  d.chunked();
  const rx = new Collector(stopEach);
  let rest = '';
  for (const piece of pieces) {
    let pos = 0;
    while (pos < piece.length) {
      if (d.done) { rest += piece.toString('latin1', pos); break; }
      pos = d.feed(piece, pos, piece.length, rx);
      if (pos < 0) return { body: rx.text, trailers: d.trailers, rest, error: `${d.errorCode}: ${d.errorMessage}` };
    }
  }
  assert.ok(d.done, 'body complete');
  return { body: rx.text, trailers: d.trailers, rest };
}

describe('heads read from the connection\'s buffer', () => {
  /** What a parse decided, for comparing two parses. */
  const outcome = (p: HeadParser, ok: boolean) => ({
    ok, errorCode: p.errorCode, method: p.method, target: p.target, version: p.version, status: p.status, reason: p.reason,
    raw: p.raw, contentLength: p.contentLength, connection: p.connection, transferEncoding: p.transferEncoding,
  });
  // Lines of printable text with the separators and control bytes a head can hold, so that both
  // valid and broken heads come up.
  const line = fc.array(fc.constantFrom('G', 'E', 'T', ' ', '/', ':', 'a', 'Z', '-', '1', '\t', '\x01', '\x7f', '\xe9', 'HTTP/1.1', 'HTTP/1.0 200 OK'), { maxLength: 12 })
    .map((parts) => parts.join(''));
  const text = fc.array(line, { minLength: 1, maxLength: 6 }).map((lines) => head(lines));
  const junk = fc.uint8Array({ maxLength: 8 });

  it('decides the same from the bytes at any offset as from the text alone', () => {
    fc.assert(fc.property(fc.constantFrom('GET / HTTP/1.1', 'HTTP/1.1 200 OK', 'POST /x HTTP/1.0'), text, junk, junk, (first, rest, before, after) => {
      const s = `${first}\r\n${rest}`;
      const buf = Buffer.concat([before, Buffer.from(s, 'latin1'), Buffer.from('\r\n', 'latin1'), after]);
      const kind = first.startsWith('HTTP/') ? 'parseResponse' : 'parseRequest';
      const a = new HeadParser(), b = new HeadParser();
      assert.deepEqual(outcome(b, b[kind](s, buf, before.length)), outcome(a, a[kind](s)));
    }), { numRuns: 2000 });
  });
});

describe('where a head ends', () => {
  const at = (text: string, from = 0, end = text.length) => headEnd(Buffer.from(text, 'latin1'), from, end);

  it('finds the first empty line, wherever it falls against the four-byte steps', () => {
    for (let pad = 0; pad < 8; pad++) {
      const text = `${'x'.repeat(pad)}GET / HTTP/1.1\r\nHost: a\r\n\r\nbody\r\n\r\n`;
      assert.equal(at(text), pad + 'GET / HTTP/1.1\r\nHost: a'.length, `after ${pad} bytes`);
    }
    assert.equal(at('\r\n\r\n'), 0);
    assert.equal(at('\r\r\n\r\n'), 1);
    assert.equal(at('a\n\r\n\r\n'), 2);
    assert.equal(at('a\r\n\r\r\n\r\n'), 4);
  });

  it('finds nothing in a partial head, nor past the end it is given, nor before the start', () => {
    assert.equal(at('GET / HTTP/1.1\r\nHost: a\r\n'), -1);
    assert.equal(at('GET / HTTP/1.1\r\nHost: a\r\n\r'), -1);
    assert.equal(at('a: b\r\n\r\n', 0, 7), -1);
    assert.equal(at('a: b\r\n\r\n', 0, 8), 4);
    assert.equal(at('\r\n\r\nGET / HTTP/1.1\r\n\r\n', 1), 18);
    assert.equal(at(''), -1);
    assert.equal(at('\r\n\r'), -1);
  });

  it('agrees with a plain search on arbitrary bytes', () => {
    const bytes = fc.array(fc.constantFrom(0x0d, 0x0a, 0x61, 0x3a), { maxLength: 40 }).map((a) => Buffer.from(a));
    fc.assert(fc.property(bytes, fc.nat(), fc.nat(), (b, x, y) => {
      const from = x % (b.length + 1), end = from + (y % (b.length - from + 1));
      assert.equal(headEnd(b, from, end), b.subarray(0, end).indexOf('\r\n\r\n', from, 'latin1'));
    }), { numRuns: 5000 });
  });
});

describe('chunked bodies', () => {
  const wire = '5;name=value;quoted="a;b"\r\nhello\r\n1 ; ext\r\n \r\nA\r\n0123456789\r\n0\r\nX-Checksum: abc\r\nX-Other:  d e \r\n\r\nNEXT';

  it('decodes chunks with extensions and trailers, and stops at the end of the message', () => {
    const r = decodeChunked([Buffer.from(wire, 'latin1')]);
    assert.equal(r.body, 'hello 0123456789');
    assert.deepEqual(r.trailers, ['X-Checksum', 'abc', 'X-Other', 'd e']);
    assert.equal(r.rest, 'NEXT');
  });

  it('decodes the same at every split point, and byte by byte', () => {
    const all = Buffer.from(wire, 'latin1');
    for (let k = 1; k < all.length; k++) {
      const r = decodeChunked([all.subarray(0, k), all.subarray(k)]);
      assert.equal(r.body, 'hello 0123456789', `split at ${k}`);
      assert.deepEqual(r.trailers, ['X-Checksum', 'abc', 'X-Other', 'd e'], `split at ${k}`);
      assert.equal(r.rest, 'NEXT', `split at ${k}`);
    }
    const bytes = [...all].map((b) => Buffer.from([b]));
    assert.equal(decodeChunked(bytes).body, 'hello 0123456789');
  });

  it('resumes exactly where a receiver asked it to stop', () => {
    const r = decodeChunked([Buffer.from(wire, 'latin1')], true);
    assert.equal(r.body, 'hello 0123456789');
    assert.equal(r.rest, 'NEXT');
  });

  it('has no trailers in the common case', () => {
    const r = decodeChunked([Buffer.from('3\r\nabc\r\n0\r\n\r\n')]);
    assert.equal(r.body, 'abc');
    assert.deepEqual(r.trailers, []);
  });

  it('rejects bad framing precisely', () => {
    const cases: [string, RegExp][] = [
      ['x\r\n', /HPE_INVALID_CHUNK_SIZE: invalid character in chunk size/],
      ['\r\n', /HPE_INVALID_CHUNK_SIZE/],
      ['-1\r\n', /HPE_INVALID_CHUNK_SIZE/],
      ['12345678901234\r\n', /HPE_INVALID_CHUNK_SIZE: chunk size too large/],
      ['3\nabc', /HPE_LF_EXPECTED|HPE_INVALID_CHUNK_SIZE/],
      ['3\r\nabcd\r\n', /HPE_STRICT: chunk data not followed by CRLF/],
      ['3;a\u0001b\r\nabc\r\n', /HPE_INVALID_CHUNK_EXTENSIONS/],
      ['0\r\nBad Name: x\r\n\r\n', /invalid trailer section/],
      ['0\r\nX: 1\r\nX', /none/],
    ];
    for (const [input, expected] of cases) {
      const d = new BodyDecoder(1024);
      d.chunked();
      const buf = Buffer.from(input, 'latin1');
      let pos = 0;
      const rx = new Collector();
      while (pos >= 0 && pos < buf.length && !d.done) pos = d.feed(buf, pos, buf.length, rx);
      const got = pos < 0 ? `${d.errorCode}: ${d.errorMessage}` : 'none';
      assert.match(got, expected, JSON.stringify(input));
    }
  });

  it('bounds a chunk-size line and the trailer section', () => {
    const d = new BodyDecoder(64);
    d.chunked();
    const long = Buffer.from(`1;${'e'.repeat(100)}\r\n`, 'latin1');
    assert.equal(d.feed(long, 0, long.length, new Collector()), -1);
    assert.equal(d.errorCode, 'HPE_HEADER_OVERFLOW');
    const t = new BodyDecoder(64);
    t.chunked();
    const trailer = Buffer.from(`0\r\nX: ${'v'.repeat(100)}\r\n\r\n`, 'latin1');
    assert.equal(t.feed(trailer, 0, trailer.length, new Collector()), -1);
    assert.equal(t.errorCode, 'HPE_HEADER_OVERFLOW');
  });
});

describe('length-delimited and close-delimited bodies', () => {
  it('takes exactly Content-Length bytes across pieces and leaves the rest', () => {
    const d = new BodyDecoder(1024);
    d.length(7);
    const rx = new Collector();
    const a = Buffer.from('abc'), b = Buffer.from('defgNEXT');
    assert.equal(d.feed(a, 0, a.length, rx), 3);
    assert.equal(d.done, false);
    assert.equal(d.feed(b, 0, b.length, rx), 4);
    assert.equal(d.done, true);
    assert.equal(rx.text, 'abcdefg');
  });

  it('ends a close-delimited body at EOF, and reports a cut-short one', () => {
    const d = new BodyDecoder(1024);
    d.untilClose();
    const rx = new Collector();
    const a = Buffer.from('all of it');
    assert.equal(d.feed(a, 0, a.length, rx), a.length);
    assert.equal(d.eof(), true);
    assert.equal(rx.text, 'all of it');
    const e = new BodyDecoder(1024);
    e.length(10);
    assert.equal(e.eof(), false);
  });
});

describe('field names', () => {
  const FIELDS = new Map<string, Field>([
    ['content-length', Field.ContentLength], ['transfer-encoding', Field.TransferEncoding], ['connection', Field.Connection],
    ['host', Field.Host], ['expect', Field.Expect], ['upgrade', Field.Upgrade], ['keep-alive', Field.KeepAlive],
  ]);
  const fieldExpected = (name: string): Field => FIELDS.get(name.toLowerCase()) ?? Field.Other;

  it('knows the engine\'s own fields in the usual spellings and in any other case', () => {
    for (const [lower, f] of FIELDS) {
      // Cut out of a longer text, as the parser does, so that none is the literal constant itself.
      const line = `x: ${lower}|${canonical(lower)}|${lower.toUpperCase()}|${lower.replace(/.$/, (c) => c.toUpperCase())}`;
      for (const name of line.slice(3).split('|')) assert.equal(fieldOf(name), f, name);
    }
    for (const name of ['hosT', 'content-lengtx', 'Connectioñ', 'keep_alive', 'upgrades', 'expec', '', 'Content-Type']) {
      assert.equal(fieldOf(name), fieldExpected(name), JSON.stringify(name));
    }
  });

  it('agrees with the table for arbitrary names', () => {
    const name = fc.oneof(fc.string({ maxLength: 20 }), anyCaseOf([...FIELDS.keys()]));
    fc.assert(fc.property(name, (n) => fieldOf(n) === fieldExpected(n)), { numRuns: 2000 });
  });
});

describe('field values', () => {
  it('Content-Length: digits only, identical list members, safe integers', () => {
    assert.equal(parseContentLength('0'), 0);
    assert.equal(parseContentLength('42'), 42);
    assert.equal(parseContentLength('42,42'), 42);
    assert.equal(parseContentLength('42 , 42'), 42);
    assert.equal(parseContentLength('42,'), -1);
    assert.equal(parseContentLength('4 2'), -1);
    assert.equal(parseContentLength(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    assert.equal(parseContentLength('9007199254740993'), -1);
  });

  it('Connection and Transfer-Encoding tokens, case-insensitively', () => {
    assert.equal(hasToken('Keep-Alive, Upgrade', 'upgrade'), true);
    assert.equal(hasToken('x-close', 'close'), false);
    assert.equal(hasToken(' CLOSE ', 'close'), true);
    assert.equal(endsWithChunked('chunked'), true);
    assert.equal(endsWithChunked('gzip, Chunked '), true);
    assert.equal(endsWithChunked('chunked, gzip'), false);
    assert.equal(endsWithChunked('xchunked'), false);
  });

  it('a Connection value with only persistence options, and one naming other fields', () => {
    assert.equal(hasToken('a,, b ,\tclose', 'close'), true);
    assert.equal(hasToken(' , ', 'close'), false);
    assert.equal(onlyPersistence('keep-alive'), true);
    assert.equal(onlyPersistence('Keep-Alive , CLOSE'), true);
    assert.equal(onlyPersistence(' ,keep-alive, '), true);
    assert.equal(onlyPersistence('keep-alive, x-trace'), false);
    assert.equal(onlyPersistence('x-trace'), false);
    assert.equal(onlyPersistence('keep-alivex'), false);
  });

  it('builds the header map as node does: lower-cased, most duplicates joined, some dropped, set-cookie listed', () => {
    const h = headerObject(['Host', 'a', 'host', 'b', 'X-A', '1', 'x-a', '2', 'Cookie', 'c=1', 'cookie', 'd=2', 'Set-Cookie', 's=1', 'set-cookie', 's=2']);
    assert.deepEqual(h, { host: 'a', 'x-a': '1, 2', cookie: 'c=1; d=2', 'set-cookie': ['s=1', 's=2'] });
  });
});
