// The demo fleet, judged on virtual copies of its VMs (test/helpers/virtual-vm.ts): each VM must fail
// exactly the rules it declares, before the end-to-end tests hold the real audit to the same list.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoFleet } from '../../src/fleet/demo-fleet.js';
import { PRE_SCRIPT, PRIVATE_ROOTS } from '../../src/fleet/spec.js';
import { judge } from '../../src/rules/engine.js';
import { allRules } from '../../src/rules/index.js';
import { collectFacts } from '../helpers/virtual-vm.js';
import { HostFacts } from '../../src/model/facts.js';

const fleet = demoFleet();

describe('demo fleet', () => {
  it('starts with a compliant VM and has at most 30 VMs with unique names', () => {
    expect(fleet[0]?.expectedRules).toEqual([]);
    expect(fleet.length).toBeLessThanOrEqual(30);
    expect(new Set(fleet.map((v) => v.name)).size).toBe(fleet.length);
  });

  it('only uses paths under the private roots, never under a file or a symlink', () => {
    for (const vm of fleet) {
      const leaves = new Set(vm.files.filter((f) => f.type !== 'dir').map((f) => f.path));
      for (const f of vm.files) {
        expect(PRIVATE_ROOTS.some((r) => f.path.startsWith(`${r}/`)), `${vm.name}: ${f.path}`).toBe(true);
        for (let d = f.path.slice(0, f.path.lastIndexOf('/')); d; d = d.slice(0, d.lastIndexOf('/'))) {
          expect(leaves.has(d), `${vm.name}: ${f.path} lies under ${d}`).toBe(false);
        }
      }
    }
  });

  it('describes every VM and lists only registered rule ids', () => {
    const ids = new Set(allRules.map((r) => r.meta.id));
    for (const vm of fleet) {
      expect(vm.description, vm.name).toBeTruthy();
      for (const id of vm.expectedRules ?? []) expect(ids.has(id), `${vm.name}: ${id}`).toBe(true);
    }
  });

  for (const vm of fleet) {
    it(`${vm.name} fails exactly ${JSON.stringify(vm.expectedRules)}`, () => {
      const facts = collectFacts(vm.files);
      HostFacts.parse(facts);
      const failed = [...new Set(judge(facts, allRules).filter((f) => f.severity !== 'info').map((f) => f.rule))];
      expect(failed.sort()).toEqual([...(vm.expectedRules ?? [])].sort());
    });
  }

  const dash = ['/usr/bin/dash', '/bin/dash'].find((p) => fs.existsSync(p));
  it.skipIf(!dash)("the bash pre-script is rejected by dash's sh -n, the compliant one is not", () => {
    const scriptOf = (name: string) => {
      const f = fleet.find((v) => v.name === name)?.files.find((x) => x.path === PRE_SCRIPT);
      if (f?.type !== 'file') throw new Error(`${name} has no pre-script file`);
      return f.content;
    };
    expect(spawnSync(dash!, ['-n'], { input: scriptOf('vm-bash-prescript') }).status).not.toBe(0);
    expect(spawnSync(dash!, ['-n'], { input: scriptOf('vm-compliant') }).status).toBe(0);
  });
});
