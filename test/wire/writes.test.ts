/**
 * Writing a message straight to the socket's handle: the bytes on the connection keep the order of
 * the calls whatever the kernel takes at once, and a failed write ends the socket with node's error.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { writeText } from '../../src/protocol/http1/wire/writes.js';

/**
 * A connected pair; the accepted side reads nothing until told to (its kernel buffers fill up). The
 * client reads through `onread`, as the engine's sockets do, so that pausing it stops its reads.
 */
async function pair(): Promise<{ client: Socket; accepted: Socket; server: Server }> {
  const server = createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connect({
    port: (server.address() as AddressInfo).port, host: '127.0.0.1', onread: { buffer: Buffer.alloc(1024), callback: () => true },
  });
  const [[accepted]] = await Promise.all([once(server, 'connection') as Promise<[Socket]>, once(client, 'connect')]);
  open.push(client, accepted);
  servers.push(server);
  return { client, accepted, server };
}

/** Reads `socket` from now on; `until(n)` is all it received once that is at least `n` bytes, as latin1 text. */
function reader(socket: Socket): { until(n: number): Promise<string> } {
  const parts: Buffer[] = [];
  let got = 0;
  let waiting: { n: number; resolve: (s: string) => void } | null = null;
  const check = (): void => {
    if (waiting !== null && got >= waiting.n) waiting.resolve(Buffer.concat(parts).toString('latin1'));
  };
  socket.on('data', (b: Buffer) => { parts.push(b); got += b.length; check(); });
  socket.resume();
  return { until: (n) => new Promise((resolve) => { waiting = { n, resolve }; check(); }) };
}

/** Counts the writes `socket` takes through its stream (`socket.write`) from now on. */
function countStreamWrites(socket: Socket): () => number {
  let n = 0;
  const write = socket.write;
  socket.write = function (this: Socket, ...args: unknown[]) {
    n++;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof socket.write;
  return () => n;
}

/** More than loopback's socket buffers hold, so the kernel takes only part of it at once. */
const BIG = 'x'.repeat(8 * 1024 * 1024);

const open: Socket[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

describe('writeText', () => {
  it('writes a message the kernel takes at once, and the next one as well', async () => {
    const { client, accepted } = await pair();
    const streamWrites = countStreamWrites(client);
    assert.equal(writeText(client, 'GET / HTTP/1.1\r\n\r\n'), true);
    assert.equal(writeText(client, 'GET /b HTTP/1.1\r\n\r\n'), true);
    assert.equal(streamWrites(), 0, 'nothing went through the stream');
    assert.equal(await reader(accepted).until(37), 'GET / HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
  });

  it('keeps the order of the calls when the kernel does not take a message at once', async () => {
    const { client, accepted } = await pair();
    assert.equal(writeText(client, BIG), true, 'one message is held by the handle, not counted as backlog');
    // The handle still holds part of BIG: what follows goes through the stream, behind it, and
    // counts as the stream's backlog.
    writeText(client, 'head');
    assert.equal(client.writableLength, 4);
    client.write('body');
    // A corked group mixing both kinds of write arrives in call order as well.
    client.cork();
    client.write('[');
    writeText(client, 'corked');
    client.write(']');
    client.uncork();
    const received = reader(accepted);
    const text = await received.until(BIG.length + 16);
    assert.equal(text.length, BIG.length + 16);
    assert.ok(text.slice(0, BIG.length) === BIG, 'the large message arrives first and whole');
    assert.equal(text.slice(BIG.length), 'headbody[corked]');
    // All of it written: the next message goes straight to the handle again.
    assert.equal(client.writableLength, 0);
    assert.equal(writeText(client, 'after'), true);
    assert.equal(client.writableLength, 0, 'nothing went through the stream');
    assert.equal((await received.until(BIG.length + 21)).slice(BIG.length), 'headbody[corked]after');
  });

  it('leaves a corked socket to coalesce what is written until uncork', async () => {
    const { client, accepted } = await pair();
    client.cork();
    writeText(client, 'GET / HTTP/1.1\r\n');
    assert.equal(client.writableLength, 16, 'held for the uncork');
    client.write('\r\n');
    client.uncork();
    assert.equal(await reader(accepted).until(18), 'GET / HTTP/1.1\r\n\r\n');
  });

  it('writes nothing after end(), as the stream would not', async () => {
    const { client, accepted } = await pair();
    const errors: string[] = [];
    client.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code!));
    client.end();
    writeText(client, 'late');
    const parts: Buffer[] = [];
    accepted.on('data', (b: Buffer) => parts.push(b)).resume();
    await once(accepted, 'end');
    assert.equal(Buffer.concat(parts).toString('latin1'), '');
    assert.deepEqual(errors, ['ERR_STREAM_WRITE_AFTER_END']);
  });

  it('ends the socket with a write error when the peer is gone', async () => {
    const { client, accepted } = await pair();
    client.pause(); // not reading: only the write can notice the reset
    accepted.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 50));
    const failed = once(client, 'error') as Promise<[NodeJS.ErrnoException]>;
    writeText(client, 'GET / HTTP/1.1\r\n\r\n');
    const [err] = await failed;
    assert.ok(err.code === 'ECONNRESET' || err.code === 'EPIPE', `code ${err.code}`);
    assert.equal(err.syscall, 'write');
    assert.equal(err.message, `write ${err.code}`);
    assert.equal(client.destroyed, true);
  });

  it('ends the socket with a write error when the peer goes away while a message is still being written', async () => {
    const { client, accepted } = await pair();
    client.pause();
    writeText(client, BIG);
    const failed = once(client, 'error') as Promise<[NodeJS.ErrnoException]>;
    accepted.resetAndDestroy();
    const [err] = await failed;
    assert.ok(err.code === 'ECONNRESET' || err.code === 'EPIPE', `code ${err.code}`);
    assert.equal(err.syscall, 'write');
    assert.equal(client.destroyed, true);
  });

  it('writes through the stream where node withholds its stream binding (its permission model)', async () => {
    const proc = process as unknown as { binding: (name: string) => unknown };
    const binding = proc.binding;
    proc.binding = () => {
      throw Object.assign(new Error('Access to this API has been restricted'), { code: 'ERR_ACCESS_DENIED' });
    };
    let withoutBinding: typeof import('../../src/protocol/http1/wire/writes.js');
    try {
      // A module instance of its own, loaded while the binding is withheld.
      withoutBinding = await import(new URL('../../src/protocol/http1/wire/writes.js?without-binding', import.meta.url).href);
    } finally {
      proc.binding = binding;
    }
    const { client, accepted } = await pair();
    const streamWrites = countStreamWrites(client);
    assert.equal(withoutBinding.writeText(client, 'GET / HTTP/1.1\r\n\r\n'), true);
    assert.equal(streamWrites(), 1);
    assert.equal(await reader(accepted).until(18), 'GET / HTTP/1.1\r\n\r\n');
  });

  it('writes through the stream while the socket is connecting', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const got = new Promise<string>((resolve) => server.once('connection', (s: Socket) => {
      open.push(s);
      const parts: Buffer[] = [];
      s.on('data', (b: Buffer) => parts.push(b)).on('end', () => resolve(Buffer.concat(parts).toString('latin1')));
    }));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    open.push(client);
    assert.equal(client.connecting, true);
    writeText(client, 'early');
    client.end();
    assert.equal(await got, 'early');
  });
});
