// Public surface of the inventory loader.
export { loadVmsnapInventory, parseInventory } from './load.js';
export { loadInventory, parseInventorySource, detectFormat, type SourceOptions } from './source.js';
export { parseAnsibleInventory } from './ansible.js';
export { parseAzVmList, AZ_ADDRESS_KINDS, type AzAddressKind, type AzOptions } from './az.js';
export { InventoryError, type InventoryIssue } from './errors.js';
export { INVENTORY_FORMATS } from './types.js';
export type { Host, HostUnavailable, Inventory, InventoryFormat, SudoMode, RuleSeverityOverride } from './types.js';
