// What an inventory resolves to: one fully resolved connection description per host.
import type { Severity } from '../model/report.js';

export type SudoMode = 'auto' | 'always' | 'never';
export const SUDO_MODES = ['auto', 'always', 'never'] as const satisfies readonly SudoMode[];

/** A rule's severity as a group may override it; 'off' disables the rule. */
export type RuleSeverityOverride = 'off' | Severity;

export interface Host {
  /** unique in the inventory */
  name: string;
  /** the `host` field: an IP address or DNS name */
  address: string;
  /** 1..65535 */
  port: number;
  user: string;
  /** absolute path ('~' expanded, relative paths resolved against the inventory's folder), or null for none */
  identityFile: string | null;
  /** auto = use sudo when user is not root */
  sudo: SudoMode;
  /** jump hosts in ProxyJump syntax (`[user@]host[:port],...`), `none` for a direct connection, null: not set */
  jump?: string | null;
  /**
   * Whether the inventory set user and port (on the host, a group or defaults) rather than leaving
   * the built-in defaults: only then do they win over ssh_config's User and Port, as on the ssh
   * command line.
   */
  explicit?: { user: boolean; port: boolean };
  tags: string[];
  /** names of the groups the host belongs to, in the order the groups are defined */
  groups: string[];
  /** severity overrides by rule id from the host's groups, e.g. { 'script-interpreter': 'off' } */
  ruleSeverity: Record<string, RuleSeverityOverride>;
  /**
   * Set when the inventory itself shows the host cannot be audited (an `az vm list` VM with no
   * address of the chosen kind): the audit reports it with this status and error, without connecting.
   */
  unavailable?: HostUnavailable;
  /** what the `inventory` listing should say about the host (e.g. an az VM that is not running) */
  notes?: string[];
}

export interface HostUnavailable {
  status: 'unreachable';
  /** e.g. NO_ADDRESS */
  code: string;
  message: string;
}

/** The inventory file formats vmsnap reads. */
export type InventoryFormat = 'vmsnap' | 'ansible' | 'ansible-ini' | 'ansible-json' | 'az';
export const INVENTORY_FORMATS = ['vmsnap', 'ansible', 'ansible-ini', 'ansible-json', 'az'] as const satisfies readonly InventoryFormat[];

export interface Inventory {
  /** absolute path of the inventory file */
  file: string;
  /** hosts in file order */
  hosts: Host[];
  /** the file's format (set by loadInventory; the vmsnap loader leaves it out) */
  format?: InventoryFormat;
  /** entries of the file that are not hosts vmsnap audits (Windows VMs, WinRM hosts), and why */
  skipped?: { name: string; reason: string }[];
  /** --local: this machine, audited without SSH (see src/local) */
  local?: boolean;
}

/** What a host gets when neither it, its groups nor `defaults:` set a field. */
export const BUILTIN_DEFAULTS = {
  user: 'root',
  port: 22,
  identityFile: null,
  sudo: 'auto',
} as const satisfies Pick<Host, 'user' | 'port' | 'identityFile' | 'sudo'>;
