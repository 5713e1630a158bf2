// The command line: parse flags with yargs, dispatch, and turn every failure into an exit code.
// Returns the exit code; only bin/vmsnap calls process.exit.
import yargs, { type Argv } from 'yargs';
import type { Format } from '../report/reporter.js';
import { VERSION } from '../version.js';
import { auditCommand, type FixArgs } from './audit-command.js';
import { fileOption } from './audit-reporting.js';
import { demoCommand } from './demo-command.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { UsageError, isInputError } from '../errors.js';
import { KEYSCAN_OPTIONS, keyscanCommand, keyscanOptions } from './keyscan-command.js';
import { sshArgsFrom } from './ssh-options.js';
import { AUDIT_OPTIONS } from './audit-options.js';
import { numberFlag, rejectRepeated, withOptions, type OptionSpec } from './options.js';
import { rulesCommand } from './rules-command.js';
import { schemaCommand } from './schema-command.js';
import { INVENTORY_OPTIONS, hostArgs, inventoryArgs, inventoryCommand, inventoryOptions } from './inventory-command.js';
import { MERGE_OPTIONS, mergeArgs, mergeCommand, mergeOptions } from './merge-command.js';
import { REPORT_OPTIONS, reportArgs, reportCommand, reportOptions } from './report-command.js';
import { COMPLETION_FLAG, printCompletions } from './completion.js';
import { didYouMean } from '../util/did-you-mean.js';

function auditOptions(y: Argv) {
  return withOptions(y, AUDIT_OPTIONS)
    .example('$0 audit -i inventory.yaml --rerun-failed last.json', 'audit again only what failed last time')
    .example('$0 audit -i inventory.yaml --fix --dry-run', 'show what --fix would change')
    .example('$0 audit -i inventory.yaml', 'audit every host, print a table')
    .example('$0 audit -i hosts.yml --limit \'web:&prod:!web3\'', 'an Ansible inventory; the prod web servers but web3')
    .example('$0 audit -i inventory.yaml --shard 2/4 --output json=shard-2.json', 'the second of four shares; join them with vmsnap merge')
    .example('sudo $0 audit --local', 'this machine, without SSH')
    .example('$0 audit -i inventory.yaml --format json -j 100 > report.json', 'JSON for dashboards, 100 hosts at once');
}

function buildParser() {
  return yargs()
    .scriptName('vmsnap')
    .usage('$0 <command> [options]\n\nAudits Azure Backup\'s application-consistent pre/post-script setup on Linux VMs over SSH.')
    .example('$0 audit -i inventory.yaml', 'audit every host of an inventory (vmsnap YAML, Ansible YAML/INI/--list JSON, or az vm list -d JSON)')
    .example('$0 inventory -i hosts.yml --limit \'web:&prod\'', 'the hosts a --limit selects, without connecting')
    .example('$0 rules', 'the rules vmsnap checks')
    .example('$0 report last.json -o html=last.html', 'a self-contained HTML page of a saved report')
    .command('audit', 'audit the hosts of an inventory', auditOptions)
    .command('inventory', 'list the hosts an inventory (and --limit/--shard) selects and how vmsnap reaches them, without connecting', inventoryOptions)
    .command('merge <reports..>', 'join the JSON reports of --shard runs into one report', mergeOptions)
    .command('report <file>', 'render a saved JSON/JSONL report as html, table, junit or prometheus, without connecting', reportOptions)
    .completion('completion', 'print a shell completion script (bash, zsh): vmsnap completion >> ~/.bashrc')
    .command('keyscan', "fetch every host's SSH host key (never logging in): print the known_hosts lines to add, say which match or changed", keyscanOptions)
    .command('rules [id]', 'list the rules, or print one rule\'s documentation', (y) =>
      withOptions(y.positional('id', { type: 'string', describe: 'rule id' }), RULES_OPTIONS)
        .example('$0 rules config-mode', 'what config-mode checks and how to fix it'),
    )
    .command('schema', 'print the JSON Schema of the JSON report', (y) => y.example('$0 schema > vmsnap-report.schema.json', ''))
    .command('demo', 'start a local fleet of sshd test VMs (root, Linux), audit it, clean up', (y) =>
      withOptions(y, DEMO_OPTIONS)
        .example('sudo $0 demo', 'see vmsnap on VMs it builds itself'),
    )
    .demandCommand(1, 'name a command: audit, inventory, merge, report, keyscan, rules, schema, demo or completion')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns || 100));
}

type Parsed = { _: (string | number)[]; [k: string]: unknown };

function parse(argv: readonly string[]): Promise<{ err: Error | null; parsed: Parsed; output: string }> {
  return new Promise((resolve) => {
    void buildParser().parse([...argv], {}, (err, parsed, output) => resolve({ err: err ?? null, parsed: parsed, output }));
  });
}

const RULES_OPTIONS: readonly OptionSpec[] = [{ name: 'format', alias: 'f', kind: 'choice', choices: ['table', 'json'], default: 'table', group: 'reports', doc: 'the catalogue as a table or as JSON (the rules\' meta)' }];
const DEMO_OPTIONS: readonly OptionSpec[] = [
  { name: 'dir', kind: 'string', default: '.vmsnap-demo', group: 'reports', doc: 'where the demo keeps its inventory and its JSON and HTML reports' },
  { name: 'format', alias: 'f', kind: 'choice', choices: ['table', 'json'], default: 'table', group: 'reports', doc: 'the report on stdout' },
];

/** Each command's option table. */
const OPTION_TABLES: Record<string, readonly OptionSpec[]> = {
  audit: AUDIT_OPTIONS,
  keyscan: KEYSCAN_OPTIONS,
  inventory: INVENTORY_OPTIONS,
  merge: MERGE_OPTIONS,
  report: REPORT_OPTIONS,
  rules: RULES_OPTIONS,
  demo: DEMO_OPTIONS,
};

function fixArgs(parsed: Parsed): FixArgs | null {
  const fix = parsed['fix'] === true;
  const dryRun = parsed['dryRun'] === true;
  if (!fix) {
    for (const flag of ['dry-run', 'yes', 'fix-allow-dir', 'fix-adopt'] as const) {
      const v = parsed[flag];
      if (v === true || (Array.isArray(v) && v.length > 0)) throw new UsageError(`--${flag} goes with --fix`);
    }
    return null;
  }
  return {
    dryRun,
    yes: parsed['yes'] === true,
    maxChanges: numberFlag(AUDIT_OPTIONS, parsed, 'max-changes'),
    allowDirs: (parsed['fixAllowDir'] as string[]).map(String),
    adopt: parsed['fixAdopt'] === true,
  };
}

const COMMANDS = ['audit', 'inventory', 'merge', 'report', 'keyscan', 'rules', 'schema', 'demo', 'completion'];

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const completing = argv.indexOf(COMPLETION_FLAG);
  if (completing !== -1) return printCompletions(buildParser(), argv.slice(completing), io);
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !COMMANDS.includes(first)) {
    const hint = didYouMean(first, COMMANDS);
    io.stderr.write(`vmsnap: unknown command "${first}"${hint ? ` (did you mean "${hint}"?)` : ''}; the commands are ${COMMANDS.join(', ')}\nRun \`vmsnap --help\` for usage.\n`);
    return EXIT.usage;
  }
  const { err, parsed, output } = await parse(argv);
  if (err) {
    io.stderr.write(`vmsnap: ${err.message}\nRun \`vmsnap --help\` for usage.\n`);
    return EXIT.usage;
  }
  if (output) {
    io.stdout.write(output + '\n');
    return EXIT.ok;
  }
  try {
    rejectRepeated(OPTION_TABLES[String(parsed._[0])] ?? [], parsed);
    switch (parsed._[0]) {
      case 'audit':
        return await auditCommand(
          {
            inventory: String(parsed['inventory']),
            format: parsed['format'] as Format,
            concurrency: numberFlag(AUDIT_OPTIONS, parsed, 'concurrency'),
            // yargs' default is a number, a value given is the string as written: only that one is explicit
            workers: typeof parsed['workers'] === 'number' ? undefined : numberFlag(AUDIT_OPTIONS, parsed, 'workers'),
            timeout: numberFlag(AUDIT_OPTIONS, parsed, 'timeout'),
            knownHosts: parsed['knownHosts'] as string | undefined,
            rule: (parsed['rule'] as string[]).map(String),
            skipRule: (parsed['skipRule'] as string[]).map(String),
            output: (parsed['output'] as string[]).map(String),
            fix: fixArgs(parsed),
            waivers: fileOption(parsed['waivers'], 'waivers'),
            baseline: fileOption(parsed['baseline'], 'baseline'),
            rerunFailed: fileOption(parsed['rerunFailed'], 'rerun-failed'),
            quiet: parsed['quiet'] === true,
            argv,
            ssh: sshArgsFrom(parsed),
            hosts: hostArgs(parsed),
          },
          io,
        );
      case 'inventory':
        return await inventoryCommand(inventoryArgs(parsed), io);
      case 'merge':
        return await mergeCommand(mergeArgs(parsed), io);
      case 'report':
        return await reportCommand(reportArgs(parsed), io);
      case 'keyscan':
        return await keyscanCommand(
          {
            hosts: hostArgs(parsed),
            concurrency: numberFlag(KEYSCAN_OPTIONS, parsed, 'concurrency'),
            timeout: numberFlag(KEYSCAN_OPTIONS, parsed, 'timeout'),
            ssh: sshArgsFrom(parsed),
          },
          io,
        );
      case 'rules':
        return await rulesCommand(parsed['id'] as string | undefined, parsed['format'] as 'table' | 'json', io);
      case 'schema':
        return schemaCommand(io);
      case 'demo':
        return await demoCommand({ dir: String(parsed['dir']), format: parsed['format'] as 'table' | 'json' }, io);
      default:
        throw new UsageError(`unknown command "${String(parsed._[0])}"`);
    }
  } catch (e) {
    // bad input of any kind (a flag, the inventory, a waivers/baseline/report file, ssh_config):
    // its message names the file, line or flag; anything else is a bug (bin/vmsnap: exit 70)
    if (isInputError(e)) {
      io.stderr.write(`vmsnap: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
