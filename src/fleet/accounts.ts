// Per-machine facts shared by every VM of a fleet: the fleet users' passwd/group/shadow entries,
// sudoers, stock rc files.
import * as fs from 'node:fs';
import { FLEET_USERS, ORPHAN_UID, PRIVATE_ROOTS, type FileSpec, type Owner } from './spec.js';
import { FleetError } from './prerequisites.js';

export const STOCK_BASHRC = '/usr/share/base-files/dot.bashrc';
/** used only if the machine lacks Debian's base-files copy */
export const FALLBACK_BASHRC = '# ~/.bashrc: executed by bash(1) for non-login shells.\n\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n';
export const USER_SHELLS: Record<keyof typeof FLEET_USERS, string> = {
  azureuser: '/bin/bash',
  nosudo: '/bin/bash',
  appuser: '/usr/sbin/nologin',
};
export const SUDOERS_TEXT = [
  '# written by the vmsnap local test fleet',
  'azureuser ALL=(ALL) NOPASSWD: ALL',
  'nosudo ALL=(ALL) ALL',
  '',
].join('\n');

export interface Attrs {
  mode: number;
  uid: number;
  gid: number;
}

export interface Shared {
  /** FileSpecs every VM gets before its own (its own win on the same path) */
  systemFiles: FileSpec[];
  /** the PRIVATE_ROOTS' own attributes (an overlay's root dir takes them from the upper dir) */
  rootAttrs: Map<string, Attrs>;
  /** attributes of the machine's directories (null: absent), to mirror on upper parent dirs */
  lowerDirs: Map<string, Attrs | null>;
  /** masked dirs the machine has */
  maskedOnHost: string[];
}

export function ownerId(o: Owner | undefined, fallback: number): number {
  if (o === undefined) return fallback;
  if (typeof o === 'number') return o;
  if (o === 'root') return 0;
  const id = FLEET_USERS[o];
  if (id === undefined) throw new FleetError(`unknown fleet user: ${String(o)}`);
  return id;
}

export function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

export function statAttrs(p: string): Attrs | null {
  try {
    const st = fs.statSync(p);
    if (!st.isDirectory()) return null;
    return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    return null;
  }
}

export function fileAttrs(p: string, fallback: Attrs): Attrs {
  try {
    const st = fs.statSync(p);
    return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    return fallback;
  }
}

/** The VM's passwd, group, shadow and gshadow: the machine's, minus anything on our names/ids, plus ours. */
export function accountFiles(): FileSpec[] {
  const users = Object.entries(FLEET_USERS) as [keyof typeof FLEET_USERS, number][];
  const ourNames = new Set<string>(users.map(([n]) => n));
  const takenIds = new Set<number>([...users.map(([, id]) => id), ORPHAN_UID]);
  const lines = (t: string | null) => (t ?? '').split('\n').filter((l) => l.trim() !== '');

  const droppedUsers = new Set<string>();
  const passwd = lines(readText('/etc/passwd')).filter((l) => {
    const f = l.split(':');
    const drop = ourNames.has(f[0] ?? '') || takenIds.has(Number(f[2]));
    if (drop) droppedUsers.add(f[0] ?? '');
    return !drop;
  });
  const droppedGroups = new Set<string>();
  const group = lines(readText('/etc/group'))
    .filter((l) => {
      const f = l.split(':');
      const drop = ourNames.has(f[0] ?? '') || takenIds.has(Number(f[2]));
      if (drop) droppedGroups.add(f[0] ?? '');
      return !drop;
    })
    .map((l) => {
      const f = l.split(':');
      if (f.length < 4) return l;
      f[3] = (f[3] ?? '').split(',').filter((m) => m && !droppedUsers.has(m)).join(',');
      return f.join(':');
    });
  // sshd without PAM refuses a key login to an account whose password field starts with "!"
  // (locked); give root "*" (no password, not locked) in the VM's copy if the machine locks it.
  const shadow = lines(readText('/etc/shadow'))
    .filter((l) => !droppedUsers.has(l.split(':')[0] ?? '') && !ourNames.has(l.split(':')[0] ?? ''))
    .map((l) => {
      const f = l.split(':');
      if (f[0] === 'root' && (f[1] ?? '').startsWith('!')) f[1] = '*';
      return f.join(':');
    });
  const gshadowText = readText('/etc/gshadow');
  const gshadow = lines(gshadowText)
    .filter((l) => !droppedGroups.has(l.split(':')[0] ?? '') && !ourNames.has(l.split(':')[0] ?? ''))
    .map((l) => {
      const f = l.split(':');
      for (const i of [2, 3]) if (f[i] !== undefined) f[i] = f[i].split(',').filter((m) => m && !droppedUsers.has(m)).join(',');
      return f.join(':');
    });

  for (const [name, id] of users) {
    passwd.push(`${name}:x:${id}:${id}::/home/${name}:${USER_SHELLS[name]}`);
    group.push(`${name}:x:${id}:`);
    shadow.push(`${name}:*:19000:0:99999:7:::`);
    gshadow.push(`${name}:!::`);
  }
  const spec = (p: string, content: string[], fallback: Attrs): FileSpec => {
    const a = fileAttrs(p, fallback);
    return { type: 'file', path: p, content: content.join('\n') + '\n', mode: a.mode, owner: a.uid, group: a.gid };
  };
  const out = [
    spec('/etc/passwd', passwd, { mode: 0o644, uid: 0, gid: 0 }),
    spec('/etc/group', group, { mode: 0o644, uid: 0, gid: 0 }),
    spec('/etc/shadow', shadow, { mode: 0o640, uid: 0, gid: 0 }),
  ];
  if (gshadowText !== null) out.push(spec('/etc/gshadow', gshadow, { mode: 0o640, uid: 0, gid: 0 }));
  return out;
}

export function sharedSetup(maskedDirs: string[]): Shared {
  const rootAttrs = new Map<string, Attrs>();
  for (const root of PRIVATE_ROOTS) {
    let a = statAttrs(root);
    if (!a) {
      // The machine lacks this root (e.g. no /srv): create it, empty, so the overlay has a lower
      // dir and a mount point; the VM then sees only its own files there.
      fs.mkdirSync(root, { recursive: true, mode: 0o755 });
      a = statAttrs(root) ?? { mode: 0o755, uid: 0, gid: 0 };
    }
    rootAttrs.set(root, a);
  }
  const bashrc = readText(STOCK_BASHRC) ?? FALLBACK_BASHRC;
  const systemFiles: FileSpec[] = [
    ...accountFiles(),
    { type: 'file', path: '/etc/sudoers.d/vmsnap-fleet', content: SUDOERS_TEXT, mode: 0o440, owner: 0, group: 0 },
    { type: 'file', path: '/root/.bashrc', content: bashrc, mode: 0o644, owner: 0, group: 0 },
  ];
  for (const [name, id] of Object.entries(FLEET_USERS)) {
    systemFiles.push(
      { type: 'dir', path: `/home/${name}`, mode: 0o755, owner: id, group: id },
      { type: 'file', path: `/home/${name}/.bashrc`, content: bashrc, mode: 0o644, owner: id, group: id },
    );
  }
  return {
    systemFiles,
    rootAttrs,
    lowerDirs: new Map(),
    maskedOnHost: maskedDirs.filter((d) => statAttrs(d) !== null),
  };
}

