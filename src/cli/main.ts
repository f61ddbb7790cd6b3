/**
 * The `switchyard` command. Exit codes: 0 success, 1 invalid input (config, dtab, path),
 * 2 usage error, 3 could not start (e.g. a port already taken).
 */
import { Command, CommanderError } from 'commander';
import { runCommand } from './run.js';
import { checkCommand } from './check.js';
import { delegateCommand } from './delegate.js';
import { dtabCheckCommand, dtabFmtCommand } from './dtab.js';
import { EXIT, UserError } from './io.js';

const program = new Command();
program
  .name('switchyard')
  .description('A service-mesh router with per-request dtab routing, compatible with Linkerd 1.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program.command('run')
  .description('start the routers and admin server described by a config (YAML or JSON; "-" reads stdin)')
  .argument('<config>', 'config file, or - for stdin')
  .action((config: string) => runCommand(config));

program.command('check')
  .description('validate a config without starting anything')
  .argument('<config>', 'config file, or - for stdin')
  .action((config: string) => checkCommand(config));

program.command('delegate')
  .description('explain how a router delegates a path: each dentry used, the bound leaves and their addresses')
  .requiredOption('-c, --config <file>', 'config file')
  .option('-r, --router <label>', 'router whose base dtab and namers to use (default: the first)')
  .option('-d, --dtab <dtab>', 'override dtab, exactly as sent in l5d-dtab', '')
  .option('--json', "print Linkerd's delegator.json shape")
  .option('--timeout <ms>', 'how long to wait for namers to answer', '2000')
  .argument('<path>', 'logical name, e.g. /svc/world')
  .action((path: string, o: { config: string; router?: string; dtab: string; json?: boolean; timeout: string }) => delegateCommand(path, o));

const dtab = program.command('dtab').description('format and check dtabs');
dtab.command('fmt')
  .description('print a dtab in canonical form, one dentry per line')
  .argument('<file>', 'dtab file, or - for stdin')
  .action((file: string) => dtabFmtCommand(file));
dtab.command('check')
  .description('check a dtab; errors name the line and column')
  .argument('<file>', 'dtab file, or - for stdin')
  .action((file: string) => dtabCheckCommand(file));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (e instanceof UserError) {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`switchyard: ${(e as Error).stack ?? e}\n`);
    process.exitCode = EXIT.failed;
  }
}
