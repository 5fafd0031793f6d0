#!/usr/bin/env node
/**
 * The `agentic-etl` entry point: parses arguments, lazy-loads one command module, and is
 * the only place that ends the process. User mistakes (AetlError) print a message and the
 * fix, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { isAetlError } from '../util/errors.js';
import { EXIT, EXIT_CODES_HELP } from './_exit-codes.js';

type CommandFunction = (...args: unknown[]) => Promise<number>;

/** Loads a command's module only when it runs; `name` picks an export other than default. */
function lazy(load: () => Promise<unknown>, name = 'default') {
  return async (...args: unknown[]): Promise<void> => {
    const module = (await load()) as Record<string, CommandFunction>;
    // Commander passes (…arguments, options, command); commands take what they declare.
    process.exitCode = await module[name]!(...args);
  };
}

const program = new Command('agentic-etl')
  .description('A self-healing data ingestion pipeline: files → bronze / silver / quarantine, checked against a data contract.')
  .version('0.1.0')
  .option('-c, --config <path>', 'pipeline config file', 'agentic-etl.yaml')
  .showHelpAfterError()
  .addHelpText('after', EXIT_CODES_HELP)
  .exitOverride();

program
  .command('init')
  .description('infer a contract from sample files and write agentic-etl.yaml + the contract for you to review')
  .option('--from <dir>', 'folder of sample files (also the source folder)', 'landing')
  .option('--table <name>', 'table name (default: from the folder name)')
  .option('--out <dir>', 'where to write the config and contract', '.')
  .option('--force', 'overwrite existing files')
  .action(lazy(() => import('./init.js')));

program
  .command('run')
  .description('process every new file once, then exit (exit 1 when a file failed, 3 when a table is halted or an incident awaits approval)')
  .option('--json', 'print the summary as JSON')
  .addHelpText('after', EXIT_CODES_HELP)
  .action(lazy(() => import('./run.js')));

program
  .command('watch')
  .description('process new files as they land; Ctrl+C finishes the current file and exits')
  .option('--json', 'log one JSON line per file')
  .addHelpText('after', EXIT_CODES_HELP)
  .action(lazy(() => import('./watch.js')));

program
  .command('status')
  .description('per table: files, records, silver, quarantined, quarantine rate')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./status.js')));

const quarantine = program.command('quarantine').description('inspect quarantined records');
quarantine
  .command('list')
  .description('list quarantined records with their reasons')
  .option('--table <name>', 'contract table (default: the only one)')
  .option('--file <key>', 'only records from this file')
  .option('--status <status>', 'open | replayed | discarded', 'open')
  .option('--limit <n>', 'at most this many', '50')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./quarantine-list.js')));
quarantine
  .command('show <recordId>')
  .description('show one quarantined record: raw bytes and every reason')
  .option('--table <name>', 'contract table (default: the only one)')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./quarantine-show.js')));

program
  .command('audit')
  .description('check the conservation invariant per file and recount each file from the source; exit 1 with the offending files if either fails')
  .option('--no-recount', 'skip the recount from the source (it reads every ingested file again)')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./audit.js')));

const incidents = program
  .command('incidents')
  .description('incidents the healing loop opened: drift, plan, decisions, status')
  .option('--open', 'only those not yet healed or rejected')
  .option('--table <name>', 'only this table')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./incidents.js'), 'incidentsList'));
incidents
  .command('show <id>')
  .description('one incident: findings, sample records, plan, decisions, the exact DDL, history')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./incidents.js'), 'incidentsShow'));

program
  .command('approve <id>')
  .description("apply an incident's pending actions (as a person's decision), resume if halted, and replay")
  .action(lazy(() => import('./approve.js')));

program
  .command('reject <id>')
  .description("refuse an incident's proposals: its records stay in quarantine (a halted table resumes)")
  .option('--reason <text>', 'why, for the record')
  .action(lazy(() => import('./approve.js'), 'reject'));

program
  .command('replay')
  .description('re-validate open quarantined records against the current contract and promote the valid ones')
  .option('--incident <id>', "only this incident's records")
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./replay.js')));

program
  .command('backfill')
  .description('fill a column from bronze for silver records that landed while its field was ignored')
  .requiredOption('--column <name>', 'the contract column to fill')
  .option('--table <name>', 'contract table (default: the configured one)')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./backfill.js')));

const contract = program.command('contract').description('contract versions: show, history, diff, export');
contract
  .command('show [version]')
  .description('a contract version as YAML (default: the current one)')
  .option('--table <name>', 'contract table')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./contract.js'), 'contractShow'));
contract
  .command('history')
  .description('every version: who made it and what changed')
  .option('--table <name>', 'contract table')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./contract.js'), 'contractHistoryCommand'));
contract
  .command('diff [v1] [v2]')
  .description('what changed between two versions (default: the last change)')
  .option('--table <name>', 'contract table')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./contract.js'), 'contractDiff'));
contract
  .command('export [version]')
  .description('the current version as YAML, to save over your contract file')
  .option('--table <name>', 'contract table')
  .action(lazy(() => import('./contract.js'), 'contractExport'));

program
  .command('chaos')
  .description('write a realistic event stream with injected faults and drift, plus a ground-truth manifest')
  .requiredOption('--out <dir>', 'folder to write the files into')
  .option('--files <n>', 'number of files', '5')
  .option('--records <m>', 'records per file', '1000')
  .option('--poison-rate <r>', 'share of records with one sporadic fault', '0.02')
  .option('--seed <s>', 'random seed (same seed, same bytes)', '1')
  .option('--drift <kind@file...>', 'sustained drift from a file on: new_column, int_to_float, rename, new_enum_value, incompatible_type')
  .option('--interval <ms>', 'pause between files (for watch demos)', '0')
  .option('--contract <path>', 'also write the stream\'s contract YAML here')
  .option('--overwrite', 'replace the files of an earlier chaos run in --out')
  .option('--json', 'print the summary as JSON')
  .action(lazy(() => import('./chaos.js')));

program
  .command('demo')
  .description('run the chaos monkey and the pipeline on the embedded default and show where every record went')
  .option('--dir <dir>', 'folder for the demo (re-created each time)', 'demo')
  .action(lazy(() => import('./demo.js')));

program
  .command('scorecard')
  .description('compare where records went against a chaos manifest')
  .requiredOption('--chaos <dir>', 'the folder chaos wrote (with .chaos/manifest.ndjson)')
  .option('--json', 'print as JSON')
  .action(lazy(() => import('./scorecard.js')));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed the problem; --help and --version end here too.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (isAetlError(error)) {
    process.stderr.write(`${pc.red('error:')} ${error.message}\n`);
    if (error.hint !== undefined) process.stderr.write(`${pc.dim('  fix:')} ${error.hint}\n`);
    process.exitCode = error.code === 'config_invalid' || error.code === 'config_not_found' || error.code === 'usage' ? EXIT.usage : EXIT.failed;
  } else {
    process.stderr.write(`${pc.red('internal error')} (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.failed;
  }
}
