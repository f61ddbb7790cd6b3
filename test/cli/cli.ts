/** Runs `switchyard` as a user does: a separate process from the repository root, through tsx. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** tsx by URL, so that commands run from another directory still find it. */
export const tsx = import.meta.resolve('tsx');

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Starts `node --import tsx src/cli/main.ts …args`; the caller talks to it and waits for it. */
export function startCli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  return spawn(process.execPath, ['--import', tsx, join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: opts.cwd ?? root,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
  });
}

/** Runs the command to completion, feeding it `stdin` (an empty stdin when not given). */
export function cli(args: readonly string[], opts: { stdin?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const child = startCli(args, opts);
  return collect(child, opts.stdin);
}

/** Output and exit of a started process; writes `stdin` (if any) and closes it. */
export function collect(child: ChildProcess, stdin?: string): Promise<CliResult> {
  let stdout = '', stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  child.stdin!.end(stdin);
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Resolves with everything a stream has said once it has said something matching `pattern`. */
export function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (pattern.test(seen)) { stream.off('data', onData); resolve(seen); }
    };
    stream.on('data', onData);
    stream.once('end', () => { if (!pattern.test(seen)) reject(new Error(`stream ended without ${pattern}:\n${seen}`)); });
  });
}

/** A scratch directory with the given files; `remove()` deletes it. */
export function scratch(files: Record<string, string> = {}): { dir: string; path(name: string): string; write(name: string, text: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
  for (const [name, text] of Object.entries(files)) write(name, text);
  return { dir, path: (name) => join(dir, name), write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A port that something is listening on, to see what happens when another program wants it. */
export async function occupyPort(host = '127.0.0.1'): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Lines that look like a JavaScript stack frame: users must never see one. */
export const STACK_FRAME = /^\s+at .+[(:]\d+/m;
