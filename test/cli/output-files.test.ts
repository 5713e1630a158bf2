// --output files: written through a temp file and renamed; what a forced exit leaves is removed.
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFileSink, checkWritable, parseOutputSpecs, removeUnfinishedOutputs } from '../../src/cli/output-files.js';

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

describe('checkWritable', () => {
  it('refuses, before anything runs: the same file twice, an input of the run, a directory, a symlink, a device', async () => {
    const sub = fs.mkdtempSync(path.join(dir, 'cw-'));
    const inv = path.join(sub, 'inventory.yaml');
    fs.writeFileSync(inv, 'hosts: []\n');
    fs.symlinkSync(inv, path.join(sub, 'link.json'));
    fs.mkdirSync(path.join(sub, 'adir'));
    const at = (p: string) => path.join(sub, p);
    await expect(checkWritable([{ format: 'json', path: at('r.json') }, { format: 'prometheus', path: at('./r.json') }])).rejects.toThrow(
      `--output prometheus=${at('./r.json')}: the same file as --output json=${at('r.json')}; give each report its own file`,
    );
    await expect(checkWritable([{ format: 'json', path: inv }], [inv])).rejects.toThrow('that is an input of this run');
    await expect(checkWritable([{ format: 'json', path: at('adir') }])).rejects.toThrow('it is a directory');
    await expect(checkWritable([{ format: 'json', path: at('link.json') }])).rejects.toThrow('it is a symlink');
    await expect(checkWritable([{ format: 'json', path: '/dev/null' }])).rejects.toThrow('it is not a regular file');
    const key = at('id_ed25519');
    fs.writeFileSync(key, '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
    await expect(checkWritable([{ format: 'json', path: key }])).rejects.toThrow('that file holds a key (it starts with -----BEGIN)');
    await expect(checkWritable([{ format: 'json', path: path.join(os.homedir(), '.ssh', 'known_hosts') }])).rejects.toThrow('where SSH keeps keys and known_hosts');
    await expect(checkWritable([{ format: 'json', path: at('new.json') }, { format: 'jsonl', path: inv }])).resolves.toBeUndefined();
  });

  it('the temp file is a new file: one already there (or a symlink planted there) fails the write, and is left alone', async () => {
    const target = path.join(dir, 'c.json');
    const tmp = path.join(dir, `.c.json.${process.pid}.tmp`);
    fs.symlinkSync('/etc/hostname', tmp);
    const sink = new AtomicFileSink(target);
    sink.write('{}');
    await expect(sink.commit()).rejects.toThrow(`--output ${target}: cannot write: EEXIST`);
    expect(fs.readlinkSync(tmp)).toBe('/etc/hostname');
    expect(fs.existsSync(target)).toBe(false);
    fs.unlinkSync(tmp);
  });
});
