// One entry point for every inventory format vmsnap reads: its own YAML (load.ts), Ansible YAML
// (ansible.ts), INI (ansible-ini.ts) and `ansible-inventory --list` JSON (ansible-json.ts)
// inventories, and `az vm list -d` output (az.ts). The format is detected from the content unless given:
//   an object with a hosts: list (or defaults:/groups:)       -> vmsnap
//   all:, or groups whose value has hosts:/children:/vars:    -> ansible
//   [section] or `host key=value` lines                       -> ansible-ini
//   JSON with _meta, or groups with lists of hosts/children   -> ansible-json
//   a list of objects with resourceGroup (JSON or YAML)        -> az
import { isMap, isScalar, isSeq } from 'yaml';
import { parseAnsibleInventory } from './ansible.js';
import { looksLikeAnsibleIni, parseAnsibleIni } from './ansible-ini.js';
import { looksLikeAnsibleJson, parseAnsibleJson } from './ansible-json.js';
import { parseAzVmList, type AzAddressKind } from './az.js';
import { InventoryError } from './errors.js';
import { parseInventory, parseInventoryYaml, readInventoryFile, type ParsedYaml } from './load.js';
import type { Inventory, InventoryFormat } from './types.js';

export interface SourceOptions {
  /** the file's format; detected from the content when absent or 'auto' */
  format?: InventoryFormat | 'auto' | undefined;
  /** az: which IP address to connect to (default private) */
  azAddress?: AzAddressKind | undefined;
  /** az: the login user (default root) */
  azUser?: string | undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The format of an inventory's text, or why it is none vmsnap reads. */
export function detectFormat(text: string): { format: InventoryFormat } | { error: string } {
  const d = detect(text);
  return 'error' in d ? d : { format: d.format };
}

type Detected = { format: InventoryFormat; yaml?: ParsedYaml } | { error: string };

/** detectFormat, and the YAML it parsed (a vmsnap inventory's loader reads it instead of parsing again). */
function detect(text: string): Detected {
  const body = text.replace(/^\uFEFF/, '');
  if (!isJson(body) && looksLikeAnsibleIni(body)) return { format: 'ansible-ini' };
  if (body.trimStart().startsWith('{')) {
    try {
      if (looksLikeAnsibleJson(JSON.parse(body))) return { format: 'ansible-json' };
    } catch {
      // not JSON: YAML below
    }
  }
  if (body.trimStart().startsWith('[')) {
    try {
      const data: unknown = JSON.parse(body);
      if (Array.isArray(data)) {
        const first: unknown = data[0];
        if (data.length > 0 && !(typeof first === 'object' && first !== null && 'resourceGroup' in first)) {
          return { error: 'a JSON list whose entries have no resourceGroup: vmsnap reads `az vm list -d -o json` output, a vmsnap YAML inventory or an Ansible YAML inventory' };
        }
        return { format: 'az' };
      }
    } catch {
      return { format: 'az' }; // broken JSON: the az reader names the line
    }
  }
  // parsed as the vmsnap loader parses (the BOM too: the loader gets the same text)
  const yaml = parseInventoryYaml(text);
  const doc = yaml.doc;
  const vmsnap = { format: 'vmsnap' as const, yaml };
  if (doc.errors.length > 0 || doc.contents === null) return vmsnap; // its loader reports the YAML error
  const top = doc.contents;
  if (isSeq(top)) {
    const first = top.items[0];
    if (isMap(first) && first.has('resourceGroup')) return { format: 'az' };
    return vmsnap;
  }
  if (!isMap(top)) return vmsnap;
  const key = (k: unknown) => (isScalar(k) ? String(k.value) : String(k));
  const hostsValue = top.get('hosts', true);
  if (isSeq(hostsValue) || top.has('defaults') || top.has('groups')) return vmsnap;
  if (top.has('all')) return { format: 'ansible' };
  const groupLike = top.items.some((p) => {
    const v = p.value;
    return isMap(v) && v.items.some((q) => ['hosts', 'children', 'vars'].includes(key(q.key)));
  });
  return groupLike ? { format: 'ansible' } : vmsnap;
}

/** Parses inventory text in any format vmsnap reads. Throws InventoryError (only). */
export function parseInventorySource(text: string, file: string, opts: SourceOptions = {}): Inventory {
  // read as UTF-8, binary data shows as NUL and U+FFFD: say so instead of quoting it
  if (/[\u0000\uFFFD]/.test(text.slice(0, 4096))) {
    throw new InventoryError(file, { line: null, column: null, field: null, message: 'not a text file (binary data, or not UTF-8): an inventory is YAML or JSON text' });
  }
  let format: InventoryFormat;
  let yaml: ParsedYaml | undefined;
  if (opts.format === undefined || opts.format === 'auto') {
    const d = detect(text);
    if ('error' in d) throw new InventoryError(file, { line: null, column: null, field: null, message: d.error });
    format = d.format;
    yaml = d.yaml;
  } else format = opts.format;
  if (format !== 'az') {
    const flag = opts.azAddress !== undefined ? '--az-address' : opts.azUser !== undefined ? '--az-user' : null;
    if (flag) throw new InventoryError(file, { line: null, column: null, field: null, message: `${flag} applies to \`az vm list\` inventories; this is a${format.startsWith('ansible') ? 'n Ansible' : ' vmsnap'} inventory` });
  }
  switch (format) {
    case 'vmsnap':
      return { ...parseInventory(text, file, yaml), format };
    case 'ansible':
      return parseAnsibleInventory(text, file);
    case 'ansible-ini':
      return parseAnsibleIni(text, file);
    case 'ansible-json':
      return parseAnsibleJson(text, file);
    case 'az':
      return parseAzVmList(text, file, { address: opts.azAddress, user: opts.azUser });
  }
}

/** Reads and parses an inventory file in any format vmsnap reads. Throws InventoryError (only). */
export async function loadInventory(file: string, opts: SourceOptions = {}): Promise<Inventory> {
  return parseInventorySource(await readInventoryFile(file), file, opts);
}
