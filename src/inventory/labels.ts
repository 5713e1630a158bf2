// A host's inventory labels (groups and tags), looked up by name: waivers select hosts by them and
// the HTML page filters by them; a report does not carry them.
import type { Host } from './types.js';

export interface HostLabels {
  groups: readonly string[];
  tags: readonly string[];
}

export type HostLabelLookup = (hostName: string) => HostLabels | undefined;

export function hostLabels(hosts: readonly Pick<Host, 'name' | 'groups' | 'tags'>[]): HostLabelLookup {
  const byName = new Map(hosts.map((h) => [h.name, { groups: h.groups, tags: h.tags }]));
  return (name) => byName.get(name);
}
