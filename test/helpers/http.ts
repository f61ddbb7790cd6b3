/** Test plumbing over real loopback sockets: upstream servers, a running Switchyard, requests. */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { mkdtempSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/validate.js';
import { Linker } from '../../src/linker/linker.js';
import type { Logger } from '../../src/config/plugin.js';

export interface Upstream {
  server: Server;
  port: number;
  /** Requests seen: method, url, headers (lower-cased), raw header pairs. */
  seen: { method: string; url: string; headers: IncomingHttpHeaders; rawHeaders: string[] }[];
  close(): Promise<void>;
}

export async function listen(server: NetServer, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
}

/**
 * An upstream that records requests and answers with `handler` (default: 200 `name`).
 * `record: false` keeps `seen` empty, for load tests that must not grow the test's own heap.
 */
export async function startUpstream(name: string, handler?: (req: IncomingMessage, res: ServerResponse) => void, host = '127.0.0.1', opts: { record?: boolean } = {}): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const record = opts.record ?? true;
  const server = createServer((req, res) => {
    if (record) seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders });
    if (handler) return handler(req, res);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(name);
  });
  const port = await listen(server, host);
  return { server, port, seen, close: () => closeServer(server) };
}

export interface Reply { status: number; headers: IncomingHttpHeaders; rawHeaders: string[]; body: string }

export function send(port: number, opts: { method?: string; path?: string; headers?: Record<string, string | string[]> | [string, string][]; body?: string | Buffer; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = Array.isArray(opts.headers) ? opts.headers.flat() : opts.headers;
    const req = httpRequest({ host: opts.host ?? '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const quietLog: Logger = { info() {}, warn() {}, error() {} };

export interface DiscoDir {
  dir: string;
  /** Replaces a service file atomically (written aside as a dot file, then renamed), as deploy tools do. */
  write(name: string, content: number[] | string): void;
  /** Deletes a service file. */
  unlink(name: string): void;
  remove(): void;
}

/** A temp directory of io.l5d.fs files: `{ 'world-v1': [port] }` → `127.0.0.1 <port>` lines. */
export function discoDir(files: Record<string, number[] | string>): DiscoDir {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-disco-'));
  const write = (name: string, content: number[] | string) => {
    // The fs namer skips dot files, so the half-written temporary is never seen as a service.
    const aside = join(dir, `.${name}.tmp`);
    writeFileSync(aside, typeof content === 'string' ? content : content.map((p) => `127.0.0.1 ${p}\n`).join(''));
    renameSync(aside, join(dir, name));
  };
  for (const [name, content] of Object.entries(files)) write(name, content);
  return { dir, write, unlink: (name) => rmSync(join(dir, name), { force: true }), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/** Polls `probe` until it returns something truthy, and resolves with that; fails naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 20): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A port nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await closeServer(s);
  return port;
}

/** The text of an `l5d-err` value: `+` is a space and `%XX` an ISO-8859-1 byte. */
export function decodeL5dErr(value: string): string {
  return value.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Starts a Linker from YAML text with every port at 0 unless given. */
export async function startLinker(yaml: string, baseDir = process.cwd()): Promise<Linker> {
  return Linker.start(loadConfig(yaml, 'test.yaml'), { baseDir, log: quietLog });
}

export function routerPort(linker: Linker, label: string, server = 0): number {
  const r = linker.router(label);
  if (!r) throw new Error(`no router ${label}`);
  return r.listeners[server]!.port;
}
