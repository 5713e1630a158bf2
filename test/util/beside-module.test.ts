import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { existingBeside, firstBeside } from '../../src/util/beside-module.js';

describe('files beside a module', () => {
  const root = mkdtempSync(join(tmpdir(), 'vmsnap-beside-'));
  mkdirSync(join(root, 'dist/src/cli'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{}');
  writeFileSync(join(root, 'dist/src/cli/near.txt'), 'near');
  const moduleUrl = pathToFileURL(join(root, 'dist/src/cli/bundle.js')).href;

  it('keeps the order given and drops the candidates that do not exist', () => {
    const found = existingBeside(moduleUrl, ['./missing.txt', '../../../package.json', './near.txt']);
    expect(found.map((u) => u.pathname)).toEqual([join(root, 'package.json'), join(root, 'dist/src/cli/near.txt')]);
  });

  it('firstBeside gives the nearest existing candidate, or null', () => {
    expect(firstBeside(moduleUrl, ['./near.txt', '../../../package.json'])?.pathname).toBe(join(root, 'dist/src/cli/near.txt'));
    expect(firstBeside(moduleUrl, ['./a', '../b'])).toBeNull();
  });
});
