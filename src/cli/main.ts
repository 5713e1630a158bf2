// The command line: parse flags with yargs, dispatch, and turn every failure into an exit code.
// Returns the exit code; only bin/vmsnap calls process.exit.
import yargs, { type Argv } from 'yargs';
import { FORMATS, type Format } from '../report/reporter.js';
import { VERSION } from '../version.js';
import { auditCommand, type FixArgs } from './audit-command.js';
import { fileOption } from './audit-reporting.js';
import { demoCommand } from './demo-command.js';
import { EXIT } from './exit-codes.js';
import { decimal, type CliIo } from './io.js';
import { UsageError, isInputError } from '../errors.js';
import { keyscanCommand, keyscanOptions } from './keyscan-command.js';
import { sshArgsFrom, withSshOptions } from './ssh-options.js';
import { rulesCommand } from './rules-command.js';
import { schemaCommand } from './schema-command.js';
import { hostArgs, hostOptions, inventoryArgs, inventoryCommand, inventoryOptions } from './inventory-command.js';
import { mergeArgs, mergeCommand, mergeOptions } from './merge-command.js';
import { reportArgs, reportCommand, reportOptions } from './report-command.js';
import { COMPLETION_FLAG, printCompletions } from './completion.js';
import { didYouMean } from '../util/did-you-mean.js';

function auditOptions(y: Argv) {
  return hostOptions(withSshOptions(y), { local: true })
    .option('inventory', { alias: 'i', type: 'string', requiresArg: true, describe: 'inventory: vmsnap YAML, Ansible YAML/INI/--list JSON, or `az vm list -d -o json` output (required unless --local)' })
    .option('format', { alias: 'f', choices: FORMATS, default: 'table', describe: 'report format on stdout' })
    .option('concurrency', { alias: 'j', type: 'string', default: '50', describe: 'hosts audited at once (a number)' })
    .option('timeout', { type: 'string', default: '30', describe: 'hard per-host deadline in seconds (connect, auth, collection)' })
    .option('known-hosts', { type: 'string', describe: 'known_hosts file (default ~/.ssh/known_hosts); host keys are always verified' })
    .option('rule', { type: 'string', array: true, default: [] as string[], describe: 'run only this rule (repeatable)' })
    .option('skip-rule', { type: 'string', array: true, default: [] as string[], describe: 'do not run this rule (repeatable)' })
    .option('output', { alias: 'o', type: 'string', array: true, default: [] as string[], describe: 'also write a report to a file, FORMAT=PATH (repeatable, written atomically)' })
    .option('waivers', { type: 'string', describe: 'YAML file of accepted findings (rule, host/group/tag, justification, expires)' })
    .option('baseline', { type: 'string', describe: 'an earlier JSON report: mark findings new or unchanged, list resolved ones' })
    .option('rerun-failed', { type: 'string', describe: 'an earlier JSON report: audit only the hosts that were not compliant in it' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress line on stderr' })
    .example('$0 audit -i inventory.yaml --rerun-failed last.json', 'audit again only what failed last time')
    .option('fix', { type: 'boolean', default: false, describe: 'repair owner and mode of the config, the scripts and the host conf (never content, never through a link)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'with --fix: print the changes per host, change nothing' })
    .option('yes', { type: 'boolean', default: false, describe: 'with --fix: allow more than --max-changes hosts to change when stdout is not a terminal' })
    .option('max-changes', { type: 'string', default: '10', describe: 'with --fix, stdout not a terminal, no --yes: most hosts that may change' })
    .option('fix-adopt', { type: 'boolean', default: false, describe: 'with --fix: I reviewed these files: also make root\'s the config and scripts a non-root user owns or can write (never the host conf)' })
    .option('fix-allow-dir', { type: 'string', array: true, default: [] as string[], describe: 'with --fix: another directory the config and scripts may be fixed in (default only /etc/azure)' })
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
      y
        .positional('id', { type: 'string', describe: 'rule id' })
        .option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const })
        .example('$0 rules config-mode', 'what config-mode checks and how to fix it'),
    )
    .command('schema', 'print the JSON Schema of the JSON report', (y) => y.example('$0 schema > vmsnap-report.schema.json', ''))
    .command('demo', 'start a local fleet of sshd test VMs (root, Linux), audit it, clean up', (y) =>
      y
        .option('dir', { type: 'string', default: '.vmsnap-demo', describe: 'where the demo keeps its inventory and JSON report' })
        .option('format', { alias: 'f', choices: ['table', 'json'] as const, default: 'table' as const })
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

/** Largest --timeout: Node's timers hold at most 2^31-1 ms (about 24.8 days). */
const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

function positiveNumber(value: unknown, flag: string, integer: boolean, max = Number.MAX_SAFE_INTEGER): number {
  if (Array.isArray(value)) throw new UsageError(`--${flag} was given ${value.length} times; give it once`);
  const n = decimal(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} must be a positive ${integer ? 'whole number' : 'number'}, got "${String(value)}"`);
  }
  if (n > max) throw new UsageError(`--${flag} must be at most ${max}, got "${String(value)}"`);
  return n;
}

/** Options that take one value: given twice, yargs makes a list of them, which nothing expects. */
const SINGLE_VALUED = ['inventory', 'format', 'concurrency', 'timeout', 'known-hosts', 'waivers', 'baseline', 'rerun-failed', 'max-changes', 'retries', 'ssh-config', 'jump-max-startups', 'dir'];

function rejectRepeated(parsed: Parsed): void {
  for (const flag of SINGLE_VALUED) {
    const v = parsed[flag];
    if (Array.isArray(v)) throw new UsageError(`--${flag} was given ${v.length} times; give it once`);
  }
}

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
    maxChanges: positiveNumber(parsed['maxChanges'], 'max-changes', true),
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
    rejectRepeated(parsed);
    switch (parsed._[0]) {
      case 'audit':
        return await auditCommand(
          {
            inventory: String(parsed['inventory']),
            format: parsed['format'] as Format,
            concurrency: positiveNumber(parsed['concurrency'], 'concurrency', true),
            timeout: positiveNumber(parsed['timeout'], 'timeout', false, MAX_TIMEOUT_S),
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
            concurrency: positiveNumber(parsed['concurrency'], 'concurrency', true),
            timeout: positiveNumber(parsed['timeout'], 'timeout', false, MAX_TIMEOUT_S),
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
