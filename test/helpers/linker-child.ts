/**
 * A Linker in a child process (see forkLinker in process.ts), for tests that measure it: its
 * heap is its own, not shared with the load generator, and it runs with --expose-gc.
 * Protocol over IPC: the parent sends `{ config }`; the child answers `{ ports }` once
 * listening, then answers each `{ id, op: 'measure', label }` and `{ id, op: 'close' }`.
 */
import { loadConfig } from '../../src/config/validate.js';
import { Linker } from '../../src/linker/linker.js';
import { quietLog } from './http.js';

export interface Measurement {
  /** heapUsed after a full collection. */
  heapUsed: number;
  sizes: Linker['routers'][number]['router']['sizes'];
  /** Open upstream connections of each endpoint. */
  connections: number[];
}

export type ChildOp = { op: 'measure'; label: string } | { op: 'close' };
export type ChildRequest = ChildOp & { id: number };

const gc = (globalThis as { gc?: () => void }).gc;

process.once('message', async ({ config }: { config: string }) => {
  const linker = await Linker.start(loadConfig(config, 'child.yaml'), { log: quietLog });
  process.send!({ ports: Object.fromEntries(linker.routers.map((r) => [r.label, r.listeners[0]!.port])) });
  process.on('message', async (m: ChildRequest) => {
    if (m.op === 'close') {
      await linker.close(0);
      process.send!({ id: m.id }, () => process.exit(0));
      return;
    }
    gc?.();
    const router = linker.router(m.label)!.router;
    const reply: Measurement = { heapUsed: process.memoryUsage().heapUsed, sizes: router.sizes, connections: router.endpoints.all().map((e) => e.pool.stats.connected) };
    process.send!({ id: m.id, ...reply });
  });
});
