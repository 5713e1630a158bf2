// --output files: written through a temp file and renamed; what a forced exit leaves is removed.
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFileSink, parseOutputSpecs, removeUnfinishedOutputs } from '../../src/cli/output-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmsnap-output-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('AtomicFileSink', () => {
  it('streams into a temp file beside the target and renames it on commit', async () => {
    const target = path.join(dir, 'a.json');
    const sink = new AtomicFileSink(target);
    sink.write('{"a":');
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual([`.a.json.${process.pid}.tmp`]);
    sink.write('1}\n');
    await sink.commit();
    expect(fs.readFileSync(target, 'utf8')).toBe('{"a":1}\n');
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
    removeUnfinishedOutputs(); // nothing unfinished: the committed file stays
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
  });

  it('removeUnfinishedOutputs takes away the temp files of reports not committed (a second Ctrl-C)', () => {
    const sink = new AtomicFileSink(path.join(dir, 'b.jsonl'));
    sink.write('{"type":"host"}\n');
    expect(fs.readdirSync(dir).sort()).toEqual([`.b.jsonl.${process.pid}.tmp`, 'a.json']);
    removeUnfinishedOutputs();
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
  });
});

describe('parseOutputSpecs', () => {
  it('reads FORMAT=PATH and names a bad one', () => {
    expect(parseOutputSpecs(['json=/tmp/x.json', 'junit=a=b.xml'])).toEqual([
      { format: 'json', path: '/tmp/x.json' },
      { format: 'junit', path: 'a=b.xml' },
    ]);
    expect(() => parseOutputSpecs(['yaml=x'])).toThrow(/--output "yaml=x": expected FORMAT=PATH/);
  });
});
