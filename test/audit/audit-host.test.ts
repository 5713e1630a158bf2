// How a failed remote command becomes a host status: sudo's and login shells' own words, as sent.
import { describe, expect, it } from 'vitest';
import { classifyExecFailure } from '../../src/audit/audit-host.js';

const result = (exitCode: number, stderr: string, stdout = '') => ({ stdout: Buffer.from(stdout), stderr: Buffer.from(stderr), exitCode, exitSignal: null });

describe('classifyExecFailure', () => {
  it.each([
    ['sudo with Defaults requiretty', result(1, 'sudo: sorry, you must have a tty to run sudo'), true, 'sudo_required', 'SUDO_TTY'],
    ['sudo wanting a password', result(1, 'sudo: a password is required'), true, 'sudo_required', 'SUDO_PASSWORD'],
    ['not in sudoers', result(1, 'azureuser is not in the sudoers file.  This incident will be reported.'), true, 'sudo_required', 'SUDO_DENIED'],
    ['no sudo at all', result(127, 'sh: 1: sudo: not found'), true, 'sudo_required', 'SUDO_MISSING'],
    ['a nologin shell (it answers on stdout)', result(1, '', 'This account is currently not available.\n'), false, 'error', 'LOGIN_REFUSED'],
    ['no python', result(127, 'vmsnap: no python interpreter found (the VMSnapshotLinux extension needs one too)'), false, 'error', 'NO_PYTHON'],
    ['a login shell that exits before the command runs', result(0, '', 'Welcome\n'), false, 'error', 'NO_OUTPUT'],
  ])('%s', (_name, r, viaSudo, status, code) => {
    const f = classifyExecFailure(r, viaSudo);
    expect([f.status, f.code]).toEqual([status, code]);
    expect(f.message).not.toBe('');
  });

  it('names what the program printed on stdout when stderr says nothing', () => {
    const f = classifyExecFailure(result(3, '', 'something odd\n'), false);
    expect([f.status, f.code, f.message]).toEqual(['error', 'COLLECTOR_FAILED', 'collector failed (exit code 3): stdout: something odd']);
  });
});
