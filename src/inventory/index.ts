// Public surface of the inventory loader.
export { loadInventory, parseInventory } from './load.js';
export { InventoryError, type InventoryIssue } from './errors.js';
export type { Host, Inventory, SudoMode, RuleSeverityOverride } from './types.js';
