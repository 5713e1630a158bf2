# vmsnap fixer. Runs on the VM as root, over the same SSH connection as the audit, only with
# `--fix`. `P` (read from stdin by stdin-params.py, see remote-command.ts) holds the changes the client
# planned: {"changes": [{"path", "expect": {dev, ino, uid, gid, mode}, "chown": {uid, gid}|null,
# "chmod": mode|null, "requireSingleLink": bool, "adopt": bool}]}. "adopt" is true only with
# --fix-adopt, for a file a non-root user owns or can write (see fix/plan.ts).
#
# For each file: open it without following a symlink (O_NOFOLLOW) and without blocking (a FIFO
# swapped in cannot hang us), check with fstat that it is still the regular file the audit saw
# (device, inode, owner, group, mode, link count), then fchown/fchmod that open file. Nothing is
# done by path after the check, so a file swapped between audit and fix is refused, never changed.
# Content is never read or written. Python 2.7 and 3.x.
import json
import os
import stat as statmod
import sys


def errno_name(e):
    import errno as _errno
    return _errno.errorcode.get(getattr(e, 'errno', None) or 0, 'EIO')


def real_dirs_ok(path):
    """No directory on the path is a symlink: the path the audit saw is the path we open."""
    try:
        return os.path.realpath(path) == os.path.normpath(path)
    except Exception:
        return False


def writable_by_non_root(st):
    """The planner's test (rules/helpers.ts nonRootWriters), again on the open file."""
    mode = statmod.S_IMODE(st.st_mode)
    return st.st_uid != 0 or (mode & 0o020 and st.st_gid != 0) or bool(mode & 0o002)


def fix_one(change):
    path = change['path']
    exp = change['expect']
    out = {'path': path, 'chown': None, 'chmod': None}

    def refuse(reason):
        if change.get('chown') is not None:
            out['chown'] = {'applied': False, 'reason': reason}
        if change.get('chmod') is not None:
            out['chmod'] = {'applied': False, 'reason': reason}
        return out

    if not hasattr(os, 'O_NOFOLLOW'):
        return refuse('this Python has no O_NOFOLLOW: refusing to open files that could be links')
    if not real_dirs_ok(path):
        return refuse('a directory on the path is now a symlink: the path no longer names the audited file')
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_NOCTTY', 0)
    try:
        fd = os.open(path, flags)
    except (OSError, IOError) as e:
        if errno_name(e) == 'ELOOP':
            return refuse('the path is now a symlink: refused (vmsnap never changes a file through a link)')
        return refuse('cannot open it: %s' % errno_name(e))
    try:
        st = os.fstat(fd)
        if not statmod.S_ISREG(st.st_mode):
            return refuse('it is no longer a regular file: refused')
        if st.st_dev != exp['dev'] or st.st_ino != exp['ino']:
            return refuse('it is not the file the audit saw (device/inode changed: swapped since the audit): refused')
        if st.st_uid != exp['uid'] or st.st_gid != exp['gid'] or statmod.S_IMODE(st.st_mode) != exp['mode']:
            return refuse('its owner or mode changed since the audit: refused, run the audit again')
        if change.get('requireSingleLink') and st.st_nlink != 1:
            return refuse('it now has %d hard links: refused' % st.st_nlink)
        # Second line of defence behind the planner: never set a setuid/setgid/sticky bit, and never
        # make root trust a file a non-root user could write unless the operator said --fix-adopt.
        if change.get('chmod') is not None and change['chmod'] & ~0o777:
            return refuse('vmsnap never sets a setuid, setgid or sticky bit: refused')
        if writable_by_non_root(st) and not change.get('adopt'):
            return refuse('a non-root user owns or can write it: refused without --fix-adopt')
        # chown first: changing the owner may clear set-id bits, chmod then sets the final mode
        if change.get('chown') is not None:
            try:
                os.fchown(fd, change['chown']['uid'], change['chown']['gid'])
                out['chown'] = {'applied': True}
            except (OSError, IOError) as e:
                out['chown'] = {'applied': False, 'reason': 'fchown failed: %s' % errno_name(e)}
                if change.get('chmod') is not None:
                    out['chmod'] = {'applied': False, 'reason': 'not attempted: the chown failed'}
                return out
        if change.get('chmod') is not None:
            try:
                os.fchmod(fd, change['chmod'])
                out['chmod'] = {'applied': True}
            except (OSError, IOError) as e:
                out['chmod'] = {'applied': False, 'reason': 'fchmod failed: %s' % errno_name(e)}
        return out
    finally:
        os.close(fd)


def main():
    results = []
    for change in P.get('changes', []):
        try:
            results.append(fix_one(change))
        except Exception as e:  # one file's failure never stops the others
            results.append({'path': change.get('path'), 'error': '%s: %s' % (e.__class__.__name__, e)})
    # framed, as the collector's output (see remote-command.ts)
    body = json.dumps({'fixerVersion': 1, 'results': results})
    sys.stdout.write('\nVMSNAP-OUTPUT-BEGIN\n' + body + '\nVMSNAP-OUTPUT-END %d\n' % len(body))
    sys.stdout.flush()


main()
