// Where the upstream extension source (../shared/reference/vmbackup-main-b7eecd4.tar.gz, never
// copied into the repo) is on this machine: VMSNAP_UPSTREAM_TARBALL, else shared/reference beside
// the checkout or any folder above it, else the workspace's. Null when it is nowhere.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'vmbackup-main-b7eecd4.tar.gz';

function find(): string | null {
  const given = process.env['VMSNAP_UPSTREAM_TARBALL'];
  if (given) return fs.existsSync(given) ? given : null;
  const places: string[] = [];
  for (let dir = fileURLToPath(new URL('../..', import.meta.url)); ; dir = path.dirname(dir)) {
    places.push(path.join(dir, '..', 'shared', 'reference', NAME), path.join(dir, 'shared', 'reference', NAME));
    if (path.dirname(dir) === dir) break;
  }
  places.push(path.join('/work', 'shared', 'reference', NAME));
  return places.find((p) => fs.existsSync(p)) ?? null;
}

/** The tarball's path, or null. */
export const UPSTREAM_TARBALL = find();
export const UPSTREAM_MISSING = UPSTREAM_TARBALL ? null : `the upstream extension source ${NAME} was not found (set VMSNAP_UPSTREAM_TARBALL)`;
