/**
 * A small Kubernetes API client: GET a JSON document, or stream a watch as JSON lines. It talks
 * plain HTTP to a `kubectl proxy` (Linkerd 1's way), or HTTPS to the API server with the pod's
 * service-account token and CA (in-cluster). The token and CA are read from their files for
 * every request, so a rotated token is picked up by the next list or watch.
 */
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Clock, Timer } from '../../time/clock.js';
import { errorMessage } from '../errors.js';

/** Where the API is and how to authenticate to it. */
export interface ApiTarget {
  readonly host: string;
  readonly port: number;
  /** HTTPS, trusting the CA certificates in this PEM file. Without it: plain HTTP. */
  readonly caFile?: string;
  /** Sent as `Authorization: Bearer <contents>`, read for every request. */
  readonly tokenFile?: string;
}

/** `http://localhost:8001`, `https://[fd00::1]:443`: for messages and the admin state. */
export function showTarget(t: ApiTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.caFile ? 'https' : 'http'}://${host}:${t.port}`;
}

/** A non-200 answer. `reason` is the Status object's reason (`Expired`, `Forbidden`, …) when there is one. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly reason: string | undefined, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** One line of a watch stream. */
export interface WatchEvent {
  readonly type: string;
  readonly object: unknown;
}

export interface WatchStream {
  /**
   * Resolves when the stream ends (the server closed it, or `cancel()`); rejects with an ApiError
   * for a non-200 answer, or with the transport error, a malformed line or the idle timeout.
   */
  readonly done: Promise<void>;
  cancel(): void;
}

/** A GET that has not answered completely by then fails. */
const REQUEST_TIMEOUT_MS = 30_000;
/** A watch line longer than this is refused: no object the namer reads comes near it. */
const MAX_LINE_CHARS = 16 * 1024 * 1024;
/** Error bodies are only quoted in messages; the rest is not read. */
const MAX_ERROR_BODY_CHARS = 4096;

export class K8sApi {
  private readonly agent: HttpAgent;

  constructor(readonly target: ApiTarget, private readonly clock: Clock) {
    this.agent = target.caFile ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  /** GET `path` (with its query) and parse the JSON answer. */
  async get(path: string): Promise<unknown> {
    const req = await this.request(path);
    return new Promise<unknown>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => req.destroy(new Error(`no complete answer within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
      const fail = (e: unknown) => { timer.cancel(); reject(this.transportError(path, e)); };
      req.on('error', fail);
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          errorFrom(res, this.url(path)).then((e) => { timer.cancel(); reject(e); }, fail);
          return;
        }
        res.setEncoding('utf8');
        let body = '';
        res.on('data', (chunk: string) => { body += chunk; });
        res.on('error', fail);
        res.on('close', () => { if (!res.complete) fail(new Error('the connection was cut mid-answer')); });
        res.on('end', () => {
          timer.cancel();
          try {
            resolve(JSON.parse(body));
          } catch (e) {
            reject(new Error(`GET ${this.url(path)}: the answer is not JSON: ${errorMessage(e)}`));
          }
        });
      });
      req.end();
    });
  }

  /**
   * Starts a watch on `path` (which must ask for `watch=1`); `onEvent` gets each line as it
   * arrives. A stream silent for `idleMs` is presumed dead (a peer gone without a word).
   */
  watch(path: string, onEvent: (e: WatchEvent) => void, idleMs: number): WatchStream {
    let req: ClientRequest | undefined;
    let cancelled = false;
    let idle: Timer | undefined;
    let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
    const done = new Promise<void>((resolve, reject) => { settle = { resolve, reject }; });
    const finish = (e?: unknown) => {
      idle?.cancel();
      if (!settle) return;
      const s = settle;
      settle = undefined;
      if (e === undefined || cancelled) s.resolve();
      else s.reject(e);
    };
    const armIdle = () => {
      idle?.cancel();
      idle = this.clock.setTimeout(() => req?.destroy(new Error(`the watch was silent for ${idleMs} ms`)), idleMs);
    };

    this.request(path).then((r) => {
      req = r;
      r.on('error', (e) => finish(this.transportError(path, e)));
      if (cancelled) { r.destroy(); return; }
      armIdle();
      r.on('response', (res) => {
        if (res.statusCode !== 200) {
          errorFrom(res, this.url(path)).then(finish, (e) => finish(this.transportError(path, e)));
          return;
        }
        res.setEncoding('utf8');
        let buffered = '';
        /** Hands one line to the listener; false once the stream is over (a bad line, or the listener cancelled). */
        const deliver = (text: string): boolean => {
          const line = text.trim();
          if (line === '') return true;
          const event = parseEvent(line);
          if (typeof event === 'string') { r.destroy(); finish(new Error(`watch ${this.url(path)}: ${event}`)); return false; }
          onEvent(event);
          return settle !== undefined;
        };
        res.on('data', (chunk: string) => {
          armIdle();
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (!deliver(line)) return;
          }
          if (buffered.length > MAX_LINE_CHARS) { r.destroy(); finish(new Error(`watch ${this.url(path)}: a line longer than ${MAX_LINE_CHARS} characters`)); }
        });
        res.on('end', () => { if (deliver(buffered)) finish(); });
        res.on('error', (e) => finish(this.transportError(path, e)));
        // Without an 'end' first, the connection was lost (after 'end' or an error this does nothing).
        res.on('close', () => finish(new Error(`watch ${this.url(path)}: the connection was cut mid-stream`)));
      });
      r.end();
    }, finish);

    return {
      done,
      cancel: () => {
        cancelled = true;
        req?.destroy();
        finish();
      },
    };
  }

  close(): void { this.agent.destroy(); }

  url(path: string): string { return `${showTarget(this.target)}${path}`; }

  private async request(path: string): Promise<ClientRequest> {
    const { caFile, tokenFile } = this.target;
    const [ca, token] = await Promise.all([
      caFile ? readCredential(caFile, 'CA certificate') : undefined,
      tokenFile ? readCredential(tokenFile, 'service-account token') : undefined,
    ]);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'switchyard' };
    if (token !== undefined) headers.authorization = `Bearer ${token.trim()}`;
    const options = { host: this.target.host, port: this.target.port, path, method: 'GET', headers, agent: this.agent };
    return ca === undefined ? httpRequest(options) : httpsRequest({ ...options, ca });
  }

  private transportError(path: string, e: unknown): Error {
    return new Error(`GET ${this.url(path)}: ${errorMessage(e)}`, { cause: e });
  }
}

async function readCredential(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the ${what} ${file}: ${errorMessage(e)}`);
  }
}

/** The ApiError for a non-200 answer, with the Status object's message when the body is one. */
function errorFrom(res: IncomingMessage, url: string): Promise<ApiError> {
  return new Promise((resolve, reject) => {
    res.setEncoding('utf8');
    let body = '';
    res.on('data', (chunk: string) => { if (body.length < MAX_ERROR_BODY_CHARS) body += chunk; });
    res.on('error', reject);
    res.on('end', () => {
      const status = res.statusCode ?? 0;
      let reason: string | undefined;
      let detail = body.slice(0, MAX_ERROR_BODY_CHARS).trim();
      try {
        const s = JSON.parse(body) as { reason?: unknown; message?: unknown };
        if (typeof s.reason === 'string') reason = s.reason;
        if (typeof s.message === 'string') detail = s.message;
      } catch { /* not a Status object: quote the text */ }
      resolve(new ApiError(status, reason, `GET ${url} answered ${status}${reason ? ` ${reason}` : ''}${detail ? `: ${detail}` : ''}`));
    });
  });
}

function parseEvent(line: string): WatchEvent | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return `not a JSON line: ${line.slice(0, 200)}`;
  }
  if (typeof v !== 'object' || v === null || typeof (v as { type?: unknown }).type !== 'string') {
    return `not a watch event: ${line.slice(0, 200)}`;
  }
  return v as WatchEvent;
}
