/**
 * Multi-core mode (`switchyard run --workers N`): a supervisor forks N workers with node:cluster;
 * every worker runs all routers on the shared listening sockets, and worker 1 also runs the
 * admin server. The supervisor restarts a worker that dies, and on SIGTERM/SIGINT tells every
 * worker to drain and waits for them.
 */
import cluster, { type Worker } from 'node:cluster';
import { consoleLogger } from '../linker/log.js';

export const WORKER_ENV = 'SWITCHYARD_WORKER';

/** Which worker this process is (1-based), or undefined in single-process mode and in the supervisor. */
export function workerNumber(): number | undefined {
  const n = Number(process.env[WORKER_ENV]);
  return cluster.isWorker && n > 0 ? n : undefined;
}

/** Runs the supervisor until all workers have exited after a shutdown signal. */
export function supervise(workers: number, graceMs: number): Promise<void> {
  const log = consoleLogger();
  let stopping = false;
  const byNumber = new Map<number, Worker>();
  const fork = (n: number) => {
    const w = cluster.fork({ [WORKER_ENV]: String(n) });
    byNumber.set(n, w);
    w.on('exit', (code, signal) => {
      if (byNumber.get(n) === w) byNumber.delete(n);
      if (stopping) return;
      if (code === 3) {
        // A worker that cannot start (port taken, bad plugin) will not do better next time.
        log.error(`worker ${n} could not start; stopping`);
        void stop('startup failure', 3);
        return;
      }
      log.warn(`worker ${n} exited (${signal ?? code}); restarting it`);
      fork(n);
    });
  };
  let exitCode = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => { resolveDone = r; });
  const stop = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    log.info(`${why}: draining ${byNumber.size} worker(s) (up to ${graceMs} ms)`);
    const exits = [...byNumber.values()].map((w) => new Promise<void>((r) => {
      if (w.isDead()) return r();
      w.once('exit', () => r());
      w.process.kill('SIGTERM');
    }));
    const hardStop = setTimeout(() => { for (const w of byNumber.values()) w.process.kill('SIGKILL'); }, graceMs + 2000);
    await Promise.all(exits);
    clearTimeout(hardStop);
    process.exitCode = exitCode;
    resolveDone();
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  for (let n = 1; n <= workers; n++) fork(n);
  log.info(`supervising ${workers} workers`);
  return done;
}
