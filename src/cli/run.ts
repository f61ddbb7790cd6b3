/**
 * `switchyard run <config>`: start everything. SIGTERM/SIGINT drain gracefully (up to
 * `admin.shutdownGraceMs`) and exit 0, also when they arrive while still starting. The same
 * signal again while draining (Ctrl-C twice) exits at once, with 130 for SIGINT or 143 for
 * SIGTERM as a shell reports a process killed by them; a different one does not, since Ctrl-C
 * signals a whole process group and a supervisor in it may send SIGTERM on top.
 */
import { Linker } from '../linker/linker.js';
import { consoleLogger } from '../linker/log.js';
import { loadConfigFile } from './config-file.js';
import { EXIT, UserError } from './io.js';
import { supervise, workerNumber } from './workers.js';

export async function runCommand(file: string, workersFlag = '1'): Promise<void> {
  const workers = Number(workersFlag);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UserError(`--workers must be a whole number from 1 to 64, got "${workersFlag}"`, EXIT.usage);
  if (workers > 1 && file === '-') throw new UserError('--workers needs a config file: every worker reads it, and stdin can be read only once', EXIT.usage);
  const loaded = loadConfigFile(file);
  const worker = workerNumber();
  if (workers > 1 && worker === undefined) {
    // The supervisor: workers re-run this command (cluster forks argv) and start the routers.
    await supervise(workers, loaded.config.admin.shutdownGraceMs);
    process.exit(process.exitCode ?? EXIT.ok);
  }
  const log = consoleLogger();
  let linker: Linker | undefined;
  const received = new Set<NodeJS.Signals>();
  const stop = (signal: NodeJS.Signals) => {
    if (received.has(signal)) {
      log.warn(`${signal} again: exiting without waiting for requests to finish`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    received.add(signal);
    if (received.size > 1) return;
    log.info(`${signal}: draining (up to ${loaded.config.admin.shutdownGraceMs} ms)`);
    // A signal during start-up is acted on once the start completes, below.
    void linker?.close();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    linker = await Linker.start(loaded.config, {
      baseDir: loaded.baseDir,
      log,
      // In multi-core mode worker 1 serves the admin port, and /admin/shutdown stops every worker.
      admin: worker === undefined || worker === 1,
      ...(worker !== undefined ? { onShutdown: () => process.kill(process.ppid, 'SIGTERM') } : {}),
    });
  } catch (e) {
    // Linker.start names what could not start (`router "outgoing" server 0: 127.0.0.1:4140 is already in use`).
    throw new UserError(`switchyard: ${(e as Error).message}`, EXIT.failed);
  }
  if (received.size > 0) void linker.close();
  await linker.closed;
  process.exit(EXIT.ok);
}
