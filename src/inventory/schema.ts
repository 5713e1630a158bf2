// The inventory file's shape, as zod schemas over the YAML's plain data. Objects are strict, so a
// misspelt key is an error rather than a silently ignored setting. Cross-references (group members,
// duplicate names, conflicting group settings) are checked after this, in load.ts.
import * as z from 'zod';
import { SEVERITIES } from '../model/report.js';
import { suggestionSuffix } from '../util/did-you-mean.js';
import { SUDO_MODES } from './types.js';
import { isIPv6 } from 'node:net';

export const RULE_SEVERITY_VALUES = ['off', ...SEVERITIES] as const;

// C0 controls, DEL and C1 controls
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const WHITESPACE = /\s/;

/** A value as an error message shows it after "got". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') {
    const shown = v.length > 60 ? `${v.slice(0, 57)}...` : v;
    return JSON.stringify(shown);
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return `a date (${v.toISOString()})`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

function oneOf(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** words a wrong-type issue; other issues keep their own message */
function typeError(what: string) {
  return (iss: { code?: string; input?: unknown }): string | undefined =>
    iss.code === 'invalid_type' ? `must be ${what}, got ${describeValue(iss.input)}` : undefined;
}

function enumError(values: readonly string[]) {
  return (iss: { input?: unknown }): string => {
    const suffix = typeof iss.input === 'string' ? suggestionSuffix(iss.input, values) : '';
    return `must be one of ${oneOf(values)}, got ${describeValue(iss.input)}${suffix}`;
  };
}

function firstProblem(checks: Array<[boolean, string]>): string | null {
  for (const [bad, message] of checks) if (bad) return message;
  return null;
}

/** a string that passes `check` (which returns the problem, or null) */
function checkedString(what: string, check: (v: string) => string | null) {
  return z
    .string({ error: typeError(what) })
    .superRefine((v, ctx) => {
      const problem = check(v);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, input: v });
    });
}

const hostName = checkedString('a string (the host\'s name)', (v) =>
  firstProblem([
    [v.length === 0, 'must not be empty'],
    [CONTROL_CHARS.test(v), `must not contain control characters, got ${JSON.stringify(v)}`],
    // --limit reads these as pattern syntax: such a host could not be selected by its name alone
    [/[,*?[\]]/.test(v) || (v.includes(':') && !isIPv6(v)) || /^[!&~]/.test(v), `must not contain , : * ? [ ] or start with ! & ~ (--limit pattern syntax; an IPv6 address is fine), got ${JSON.stringify(v)}`],
  ]),
);

const address = checkedString('a string (an IP address or DNS name)', (v) =>
  firstProblem([
    [v.length === 0, 'must not be empty (an IP address or DNS name)'],
    [CONTROL_CHARS.test(v), `must not contain control characters, got ${JSON.stringify(v)}`],
    [WHITESPACE.test(v), `must not contain whitespace, got ${JSON.stringify(v)}`],
    [v.startsWith('-'), `must not start with "-" (it would be read as an option), got ${JSON.stringify(v)}`],
    [v.includes('@'), `must be an IP address or DNS name only, got ${JSON.stringify(v)}; set the login name with user:`],
    [v.startsWith('['), `is an address in brackets, got ${JSON.stringify(v)}; write an IPv6 address without them and the port with port:`],
  ]),
);

const user = checkedString('a string (a login name)', (v) =>
  firstProblem([
    [v.length === 0, 'must not be empty'],
    [CONTROL_CHARS.test(v), `must not contain control characters, got ${JSON.stringify(v)}`],
    [WHITESPACE.test(v), `must not contain whitespace, got ${JSON.stringify(v)}`],
    [v.startsWith('-'), `must not start with "-" (it would be read as an option), got ${JSON.stringify(v)}`],
  ]),
);

const identityFile = checkedString('a path to a private key file (or empty for none)', (v) =>
  firstProblem([
    [v.length === 0, 'must not be an empty string (leave the value empty, or write null, for no key file)'],
    [CONTROL_CHARS.test(v), `must not contain control characters, got ${JSON.stringify(v)}`],
    [/^~[^/]/.test(v), `only "~/" is expanded (to your home folder), not "~user/": got ${JSON.stringify(v)}`],
  ]),
).nullable();

const jump = checkedString('jump hosts in ProxyJump syntax ([user@]host[:port],...) or none', (v) =>
  firstProblem([
    [v.length === 0, 'must not be empty (leave it out, or write none)'],
    [CONTROL_CHARS.test(v), `must not contain control characters, got ${JSON.stringify(v)}`],
    [WHITESPACE.test(v), `must not contain whitespace, got ${JSON.stringify(v)}`],
    [v.startsWith('-'), `must not start with "-" (it would be read as an option), got ${JSON.stringify(v)}`],
  ]),
);

const port = z
  .number({ error: (iss) => `must be an integer from 1 to 65535, got ${describeValue(iss.input)}` })
  .int()
  .min(1)
  .max(65535);

const sudo = z.enum(SUDO_MODES, { error: enumError(SUDO_MODES) });

const severity = z.enum(RULE_SEVERITY_VALUES, { error: enumError(RULE_SEVERITY_VALUES) });

const label = (what: string) =>
  checkedString(`a string (${what})`, (v) =>
    firstProblem([
      [v.length === 0, 'must not be empty'],
      [CONTROL_CHARS.test(v), `must not contain control characters, got ${JSON.stringify(v)}`],
    ]),
  );

function list<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: typeError(`a list of ${what}`) });
}

/** connection settings that defaults, groups and hosts may all set */
const connectionFields = {
  /** login name; default root */
  user: user.optional(),
  /** SSH port; default 22 */
  port: port.optional(),
  /** private key file; default none (ssh-agent / ssh2 defaults) */
  identityFile: identityFile.optional(),
  /** when to run the collector under sudo; default auto */
  sudo: sudo.optional(),
  /** jump hosts (ProxyJump syntax) or none; default: ssh_config's ProxyJump, if any */
  jump: jump.optional(),
};
export const CONNECTION_FIELDS = ['user', 'port', 'identityFile', 'sudo', 'jump'] as const;
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];

export const DefaultsSchema = z.strictObject(connectionFields);

export const GroupSchema = z.strictObject({
  hosts: list(hostName, 'host names').nullish(),
  ...connectionFields,
  rules: z
    .record(z.string(), severity, { error: typeError('a mapping of rule id to severity') })
    .nullish(),
});

export const HostSchema = z.strictObject({
  name: hostName,
  host: address,
  ...connectionFields,
  tags: list(label('a tag'), 'tags').nullish(),
  groups: list(label('a group name'), 'group names').nullish(),
});

export const InventorySchema = z.strictObject({
  defaults: DefaultsSchema.nullish(),
  groups: z
    .record(label('a group name'), GroupSchema.nullable(), { error: typeError('a mapping of group name to group settings') })
    .nullish(),
  hosts: list(HostSchema, 'hosts').min(1, { error: 'must list at least one host' }),
});

export type InventoryFile = z.infer<typeof InventorySchema>;
export type HostEntry = z.infer<typeof HostSchema>;
export type GroupEntry = z.infer<typeof GroupSchema>;
export type DefaultsEntry = z.infer<typeof DefaultsSchema>;

export const ROOT_KEYS = Object.keys(InventorySchema.shape);
export const DEFAULTS_KEYS = Object.keys(DefaultsSchema.shape);
export const GROUP_KEYS = Object.keys(GroupSchema.shape);
export const HOST_KEYS = Object.keys(HostSchema.shape);

/** Keys people reach for from other tools, and the key this format uses instead. */
export const KEY_SYNONYMS: Readonly<Record<string, string>> = {
  hostname: 'host',
  address: 'host',
  ip: 'host',
  username: 'user',
  login: 'user',
  identity_file: 'identityFile',
  identity: 'identityFile',
  key: 'identityFile',
  keyfile: 'identityFile',
  privatekey: 'identityFile',
  tag: 'tags',
  group: 'groups',
  members: 'hosts',
  rule: 'rules',
  default: 'defaults',
};

/** Generic messages for issues the schemas above do not word themselves. */
export function genericIssueMessage(iss: { code: string; expected?: unknown; input?: unknown; origin?: unknown }): string | undefined {
  if (iss.code === 'invalid_type') {
    const expected = EXPECTED_NAMES[String(iss.expected)] ?? String(iss.expected);
    return `must be ${expected}, got ${describeValue(iss.input)}`;
  }
  return undefined;
}

const EXPECTED_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** The field checks, for the inventory formats that are not vmsnap's own (Ansible, az). */
export const FIELD_SCHEMAS = { hostName, address, user, identityFile, port } as const;

/** The first problem `schema` finds with `value`, worded as the vmsnap format words it; null when fine. */
export function fieldProblem(schema: z.ZodType, value: unknown): string | null {
  const r = schema.safeParse(value, {
    reportInput: true,
    error: (iss) => genericIssueMessage(iss),
  });
  return r.success ? null : (r.error.issues[0]?.message ?? 'is not valid');
}
