// --local: audit this machine with the same collector, rules and --fix as a VM, without SSH.
import os from 'node:os';
import type { Host, Inventory } from '../inventory/types.js';

/** The address a --local report shows for this machine. */
export const LOCAL_ADDRESS = 'local';

/** This machine as an audit target: named after its hostname, as the user running vmsnap (sudo -n when not root). */
export function localTarget(): Host {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.getuid?.() === 0 ? 'root' : `uid ${process.getuid?.() ?? '?'}`;
  }
  return {
    name: os.hostname(),
    address: LOCAL_ADDRESS,
    port: 0,
    user: process.getuid?.() === 0 ? 'root' : user,
    identityFile: null,
    sudo: 'auto',
    tags: [],
    groups: [],
    ruleSeverity: {},
  };
}

/** --local as an inventory of one: this machine, audited through a LocalConnector instead of SSH. */
export function localInventory(): Inventory {
  return { file: LOCAL_ADDRESS, hosts: [localTarget()], local: true };
}
