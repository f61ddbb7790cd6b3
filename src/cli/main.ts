/**
 * The `switchyard` command. Exit codes: 0 success, 1 invalid input (config, dtab, path),
 * 2 usage error, 3 could not start (e.g. a port already taken) or an internal error.
 * Each command's module is loaded when the command runs, so `check` and `dtab` start quickly
 * and never load the data plane.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { EXIT, packageVersion, UserError } from './io.js';

const program = new Command();
program
  .name('switchyard')
  .description('A service-mesh router with per-request dtab routing, compatible with Linkerd 1.')
  .version(packageVersion(), '-V, --version', 'print the version')
  .helpCommand('help [command]', 'show help for a command')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .addHelpText('after', `
Examples:
  switchyard check linkerd.yaml
  switchyard run linkerd.yaml
  switchyard delegate -c linkerd.yaml -r outgoing /svc/world
  switchyard delegate -c linkerd.yaml -d '/host/world => /srv/world-v2' /svc/world
  switchyard dtab fmt base.dtab

Exit codes: 0 success, 1 invalid input (config, dtab, path), 2 usage error,
3 could not start (e.g. a port already in use).`);

program.command('run')
  .description('start the routers and admin server described by a config (YAML or JSON; "-" reads stdin)')
  .argument('<config>', 'config file, or - for stdin')
  .option('-w, --workers <n>', 'worker processes sharing the listening ports (multi-core mode); worker 1 also runs the admin server', '1')
  .addHelpText('after', '\nSIGTERM or SIGINT (Ctrl-C) drains requests for up to admin.shutdownGraceMs, then exits 0.\nA port already in use exits 3, naming the router or admin server and the ip:port.')
  .action(async (config: string, o: { workers: string }) => (await import('./run.js')).runCommand(config, o.workers));

program.command('check')
  .description('validate a config without starting anything')
  .argument('<config>', 'config file (YAML or JSON), or - for stdin')
  .addHelpText('after', '\nEvery problem is printed as file:line:col key.path: message, with the line and a caret.\nExits 0 when the config is valid, 1 when it is not.')
  .action(async (config: string) => (await import('./check.js')).checkCommand(config));

program.command('delegate')
  .description('explain how a router delegates a path: each dentry used, the bound leaves and their addresses')
  .requiredOption('-c, --config <file>', 'config file')
  .option('-r, --router <label>', 'router whose base dtab and namers to use (default: the first)')
  .option('-d, --dtab <dtab>', 'override dtab, exactly as sent in l5d-dtab', '')
  .option('--json', "print Linkerd's delegator.json shape")
  .option('--timeout <ms>', 'how long to wait for namers to answer', milliseconds, 2000)
  .argument('<path>', 'logical name, e.g. /svc/world')
  .addHelpText('after', '\n★ marks the branch routing takes; the last lines say which bound names and addresses requests go to.')
  .action(async (path: string, o: { config: string; router?: string; dtab: string; json?: boolean; timeout: number }) =>
    (await import('./delegate.js')).delegateCommand(path, o));

const dtab = program.command('dtab')
  .description('format and check dtabs')
  .helpCommand('help [command]', 'show help for a command');
dtab.command('fmt')
  .description('print a dtab in canonical form: one dentry per line, "=>" aligned, comments kept')
  .argument('<file>', 'dtab file, or - for stdin')
  .action(async (file: string) => (await import('./dtab.js')).dtabFmtCommand(file));
dtab.command('check')
  .description('check a dtab; errors name the line and column')
  .argument('<file>', 'dtab file, or - for stdin')
  .action(async (file: string) => (await import('./dtab.js')).dtabCheckCommand(file));

function milliseconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n <= 0) throw new InvalidArgumentError('expected a positive whole number of milliseconds');
  return n;
}

// `switchyard … | head` closes our stdout early: that is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(EXIT.ok); throw e; });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Commander has already printed the help or the complaint.
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (e instanceof UserError) {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`switchyard: internal error (please report it): ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = EXIT.failed;
  }
}
