# vmsnap collector. Runs on the VM as root, once per audit, in one SSH exec channel.
#
# The SSH command line is a constant (see remote-command.ts) that carries this program and its
# parameters, which are vmsnap's own: nothing read from the VM is ever placed on a command line.
# `P` (the parameters, a dict) is defined by the bootstrap before this text is exec'd.
#
# It must run under Python 2.7 and 3.x: the VMSnapshotLinux extension and the Linux agent are
# Python, so a VM that can run the extension has one of them. It only reads: no file is changed.
# It prints one framed JSON document on stdout; the client validates it (collect/parse-output.ts).
#
# Start-up is most of its cost (it runs once per VM per audit, and every process started on a VM is
# CPU there), so it imports only what every run needs: the extension folders are found with
# os.listdir, `sh -n` is started with os.posix_spawn (Python 3.8+), base64 comes from binascii,
# and configparser is imported only when there is an INI file to read. It stays on the standard
# library's own parsers (json, configparser: what the extension itself uses) for fidelity.
import binascii
import json
import os
import stat as statmod
import sys

try:
    import pwd
    import grp
except ImportError:  # pragma: no cover - not a POSIX system
    pwd = None
    grp = None

PY3 = sys.version_info[0] >= 3



COLLECTOR_VERSION = 1
CONFIG_KEYS = ('pluginName', 'preScriptLocation', 'postScriptLocation', 'preScriptParams', 'postScriptParams',
               'preScriptNoOfRetries', 'postScriptNoOfRetries', 'timeoutInSeconds', 'continueBackupOnFailure',
               'fsFreezeEnabled', 'ScriptsExecutionPollTimeSeconds')
EXT_GLOB = 'Microsoft.Azure.RecoveryServices.VMSnapshotLinux-*'
LOG_MARKERS = (
    'StatusCode.FailedPrepost',
    'Triggering File System Consistent Backup',
    'Enable Succeeded with App Consistent Snapshot',
)

_names = {}


def user_name(uid):
    key = ('u', uid)
    if key not in _names:
        try:
            _names[key] = pwd.getpwuid(uid).pw_name
        except Exception:
            _names[key] = None
    return _names[key]


def group_name(gid):
    key = ('g', gid)
    if key not in _names:
        try:
            _names[key] = grp.getgrgid(gid).gr_name
        except Exception:
            _names[key] = None
    return _names[key]


def text(b):
    """Bytes from the VM as text for JSON; undecodable bytes become U+FFFD."""
    if isinstance(b, bytes):
        return b.decode('utf-8', 'replace')
    return b


def file_type(mode):
    for test, name in ((statmod.S_ISREG, 'file'), (statmod.S_ISDIR, 'dir'), (statmod.S_ISLNK, 'symlink'),
                       (statmod.S_ISFIFO, 'fifo'), (statmod.S_ISSOCK, 'socket'), (statmod.S_ISCHR, 'char'),
                       (statmod.S_ISBLK, 'block')):
        if test(mode):
            return name
    return 'unknown'


def errno_name(e):
    import errno as _errno
    return _errno.errorcode.get(getattr(e, 'errno', None) or 0, 'EIO')


def stat_dict(st):
    return {
        'type': file_type(st.st_mode),
        'mode': statmod.S_IMODE(st.st_mode),
        'uid': st.st_uid,
        'gid': st.st_gid,
        'owner': user_name(st.st_uid),
        'group': group_name(st.st_gid),
        'size': st.st_size,
        'nlink': st.st_nlink,
        'dev': st.st_dev,
        'ino': st.st_ino,
    }


# A path with a NUL byte (from a config or the host conf) makes Python raise ValueError (3.x) or
# TypeError (2.x) before any system call; to the extension such a file simply does not exist.
BAD_PATH = (ValueError, TypeError)


def try_stat(path, follow):
    try:
        st = os.stat(path) if follow else os.lstat(path)
        return stat_dict(st), None
    except (OSError, IOError) as e:
        return None, errno_name(e)
    except BAD_PATH:
        return None, 'EINVAL'



def ancestors(path):
    """'/etc/azure/x.json' -> ['/', '/etc', '/etc/azure']"""
    out = []
    parent = os.path.dirname(path)
    while True:
        out.append(parent)
        if parent in ('/', ''):
            break
        nxt = os.path.dirname(parent)
        if nxt == parent:
            break
        parent = nxt
    out.reverse()
    return [p for p in out if p]


def link_chain(path):
    """readlink() text of every link followed from `path`, in order (at most 40, like the kernel)."""
    chain = []
    cur = path
    for _ in range(40):
        try:
            if not os.path.islink(cur):
                break
            target = os.readlink(cur)
        except (OSError, IOError) + BAD_PATH:
            break
        chain.append(text(target))
        cur = os.path.normpath(os.path.join(os.path.dirname(cur), target))
    return chain, cur


def path_facts(path):
    lst, lerr = try_stat(path, False)
    st, err = try_stat(path, True)
    chain, last = link_chain(path) if lst and lst['type'] == 'symlink' else ([], path)
    try:
        real = text(os.path.realpath(path)) if st else None
    except Exception:
        real = None
    dirs = []
    seen = set()
    wanted = ancestors(path)
    for hop in ([last] if chain else []) + ([real] if real else []):
        wanted.extend(ancestors(hop))
    for d in wanted:
        if d in seen:
            continue
        seen.add(d)
        dst, derr = try_stat(d, False)
        dirs.append({'path': text(d), 'stat': dst, 'errno': derr})
    return {
        'path': text(path),
        'lstat': lst,
        'stat': st,
        'errno': err or lerr if not st else None,
        'symlinkChain': chain,
        'realpath': real,
        'parents': dirs,
    }


def read_capped(path, cap):
    """At most cap+1 bytes of a regular file (never blocks on a FIFO), or None."""
    try:
        st = os.stat(path)
        if not statmod.S_ISREG(st.st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_NOCTTY', 0))
        try:
            chunks = []
            left = cap + 1
            while left > 0:
                b = os.read(fd, min(left, 65536))
                if not b:
                    break
                chunks.append(b)
                left -= len(b)
            return b''.join(chunks)
        finally:
            os.close(fd)
    except (OSError, IOError) + BAD_PATH:
        return None


def parse_ini(data):
    """Sections of an INI file as the extension's ConfigParser reads them (keys lower-cased)."""
    src = text(data)
    try:
        import configparser as _cp  # Python 3
    except ImportError:  # Python 2
        import ConfigParser as _cp
    parser = _cp.RawConfigParser()
    try:
        if hasattr(parser, 'read_string'):
            parser.read_string(src)
        else:  # Python 2
            import io
            parser.readfp(io.StringIO(src))
        return dict((s, dict(parser.items(s))) for s in parser.sections()), None
    except Exception as e:
        return None, '%s: %s' % (e.__class__.__name__, str(e).splitlines()[0] if str(e) else '')


def lib_dir():
    """Lib.Dir as WALinuxAgent's ConfigurationProvider reads /etc/waagent.conf: lines split on
    '\\n', a line starting with '#' skipped, key and value stripped, the value cut at '#' and
    stripped of quotes and spaces, the last line for a key wins, "None" means the default."""
    data = read_capped('/etc/waagent.conf', 256 * 1024)
    value = None
    if data:
        for line in text(data).split('\n'):
            if not line.startswith('#') and '=' in line:
                key, rest = line.split('=', 1)
                if key.strip() == 'Lib.Dir':
                    v = rest.split('#')[0].strip('" ').strip()
                    value = v if v != 'None' else None
    if value:
        return value, 'waagent.conf'
    return '/var/lib/waagent', 'default'


def version_parts(version):
    parts = version.split('.')
    if parts and all(p.isdigit() for p in parts):
        return [int(p) for p in parts]
    return None


def ext_dirs(libdir):
    """glob.glob(os.path.join(libdir, EXT_GLOB)), without importing glob when it is a plain prefix match."""
    pattern = os.path.join(libdir, EXT_GLOB)
    dirname = os.path.dirname(pattern)
    if not PY3 or not isinstance(pattern, str) or any(c in dirname for c in '*?['):
        import glob
        return glob.glob(pattern)
    # glob lists dirname ('.' when empty), keeps the names fnmatch accepts ('*' matches anything,
    # case-sensitively on POSIX; no name starting with '.' can match) and joins them to dirname
    try:
        names = os.listdir(dirname or os.curdir)
    except (OSError,) + BAD_PATH:
        return []
    prefix = EXT_GLOB[:-1]
    return [os.path.join(dirname, n) for n in names if n.startswith(prefix)]


def extensions(libdir):
    found = []
    for d in sorted(ext_dirs(libdir)):
        if not os.path.isdir(d):
            continue
        version = d.rsplit('-', 1)[-1]
        state = read_capped(os.path.join(d, 'config', 'HandlerState'), 256)
        state = text(state).strip() if state is not None else None
        found.append({
            'dir': text(d),
            'version': text(version),
            'versionParts': version_parts(version),
            'handlerState': state,
            'eligible': state not in (None, 'NotInstalled', 'FailedUpgrade'),
        })
    eligible = [e for e in found if e['eligible']]
    # numeric order, as the agent compares versions (1.0.10000.0 > 1.0.9225.0)
    eligible.sort(key=lambda e: e['versionParts'] or [-1])
    return found, (eligible[-1]['dir'] if eligible else None)


def lenient_json(data):
    """The config as far as it can be read, only to find the script paths (the client judges it)."""
    try:
        src = text(data)
        if src.startswith(u'\ufeff'):
            src = src[1:]
        return json.loads(src)
    except Exception:
        return None


def python_parse(data, cap):
    """A config too big to ship, read as the extension reads it: strict UTF-8, json.loads (a BOM is
    an error). Returns the value re-serialised (when that fits in cap) or Python's error."""
    try:
        text_ = data.decode('utf-8')
        if text_.startswith(u'\ufeff'):
            return {'ok': False, 'kind': 'bom', 'message': 'starts with a UTF-8 byte order mark (BOM), which json.loads rejects'}
        value = json.loads(text_)
    except UnicodeDecodeError as e:
        return {'ok': False, 'kind': 'not_utf8', 'message': str(e)[:500]}
    except RuntimeError as e:  # RecursionError (Python 3.5+) is one: nested too deep
        return {'ok': False, 'kind': 'too_deep', 'message': ('%s: %s' % (e.__class__.__name__, e))[:500]}
    except Exception as e:  # ValueError
        return {'ok': False, 'kind': 'syntax', 'message': ('%s: %s' % (e.__class__.__name__, e))[:500]}
    if not isinstance(value, dict):
        # the extension needs an object: a stand-in of the same JSON type says which it is instead
        value = type(value)() if isinstance(value, (list, str, type(u''))) else value
    dumped = json.dumps(value)
    if len(dumped) > cap and isinstance(value, dict):
        # the extension reads only its own keys: keep those and small values, name the others
        value = dict((k, v if k in CONFIG_KEYS or len(json.dumps(v)) <= 1024 else '(vmsnap: value not shipped)')
                     for k, v in value.items())
        dumped = json.dumps(value)
    if len(dumped) > cap:
        return {'ok': False, 'kind': 'too_large',
                'message': "Python's json read it on the VM, but its values alone are %d bytes: not shipped" % len(dumped)}
    return {'ok': True, 'json': dumped}


def sh_syntax(path):
    if not os.path.exists('/bin/sh'):
        return None
    try:
        if getattr(os, 'posix_spawn', None) is not None:
            return sh_syntax_spawn(path)
        return sh_syntax_subprocess(path)
    except Exception as e:
        return {'ok': False, 'message': 'sh -n could not run: %s' % e}


def sh_syntax_spawn(path):
    """`/bin/sh -n path` through os.posix_spawn (Python 3.8+): what sh_syntax_subprocess does,
    stdin and stdout on /dev/null, stderr read, a 10 s limit, without importing subprocess."""
    import select
    import time
    r, w = os.pipe()
    try:
        pid = os.posix_spawn('/bin/sh', ['/bin/sh', '-n', path], os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_DUP2, w, 2),
        ])
    except BaseException:
        os.close(r)
        raise
    finally:
        os.close(w)
    deadline = time.monotonic() + 10
    chunks = []
    status = None
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                break
            b = os.read(r, 65536)
            if not b:
                # stderr closed: sh is exiting; wait for it, still within the limit
                while status is None and time.monotonic() < deadline:
                    done, st = os.waitpid(pid, os.WNOHANG)
                    if done:
                        status = st
                    else:
                        time.sleep(0.001)
                break
            chunks.append(b)
    finally:
        os.close(r)
    if status is None:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
        os.waitpid(pid, 0)
        return {'ok': False, 'message': 'sh -n did not finish in 10 s'}
    ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    return {'ok': ok, 'message': text(b''.join(chunks)).strip()[:500]}


def sh_syntax_subprocess(path):
    import subprocess
    devnull = open(os.devnull, 'rb')
    proc = subprocess.Popen(['/bin/sh', '-n', path], stdin=devnull, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, close_fds=True)
    try:
        try:
            _, err = proc.communicate(timeout=10)
        except TypeError:  # Python 2: no timeout
            _, err = proc.communicate()
    except Exception:
        proc.kill()
        proc.wait()
        return {'ok': False, 'message': 'sh -n did not finish in 10 s'}
    finally:
        devnull.close()
    return {'ok': proc.returncode == 0, 'message': text(err).strip()[:500]}


INF = float('inf')


def script_facts(which, cfg, extdir):
    key = which + 'ScriptLocation'
    out = {'which': which, 'resolvedPath': None, 'file': None, 'firstLine': None, 'shSyntax': None,
           'text': None}
    if not isinstance(cfg, dict) or key not in cfg:
        return out
    value = cfg[key]
    # json.dumps would write NaN/Infinity, which the client's JSON.parse rejects (rules read the
    # config itself, this is evidence only)
    out['configured'] = None if isinstance(value, float) and (value != value or value in (INF, -INF)) else value
    string_types = (str, type(u''))
    if not isinstance(value, string_types) or value == '':
        return out
    if os.path.isabs(value):
        resolved = value
    elif extdir:
        resolved = os.path.join(extdir, value)
    else:
        return out
    out['resolvedPath'] = text(resolved)
    out['file'] = path_facts(resolved)
    st = out['file']['stat']
    if st and st['type'] == 'file':
        # the client looks for bash-only constructs in it (scan-shell.ts); hooks are small
        head = read_capped(resolved, P.get('maxScriptTextBytes', 65536))
        if head is not None:
            out['firstLine'] = text(head.split(b'\n', 1)[0][:255])
            out['text'] = text(head[:P.get('maxScriptTextBytes', 65536)])
        if st['size'] <= P.get('maxScriptBytes', 1048576):
            out['shSyntax'] = sh_syntax(resolved)
    return out


def tail_outcomes(path, tail_bytes, keep):
    info = {'path': path, 'exists': False, 'size': None, 'outcomeLines': []}
    try:
        st = os.stat(path)
    except (OSError, IOError):
        return info
    info['exists'] = True
    info['size'] = st.st_size
    if not statmod.S_ISREG(st.st_mode):
        return info
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0))
        try:
            start = max(0, st.st_size - tail_bytes)
            os.lseek(fd, start, 0)
            data = b''
            while len(data) < tail_bytes:
                b = os.read(fd, 65536)
                if not b:
                    break
                data += b
        finally:
            os.close(fd)
    except (OSError, IOError):
        return info
    lines = text(data).splitlines()
    if start > 0 and lines:
        lines = lines[1:]  # the first line is probably cut
    hits = [l[:500] for l in lines if any(m in l for m in LOG_MARKERS)]
    info['outcomeLines'] = hits[-keep:]
    return info


def main():
    out = {'collectorVersion': COLLECTOR_VERSION, 'python': sys.version.split()[0]}
    out['runAs'] = {'uid': os.geteuid(), 'name': user_name(os.geteuid())}
    libdir, source = lib_dir()
    out['waagent'] = {'libDir': libdir, 'libDirSource': source}
    exts, selected = extensions(libdir)
    out['extensions'] = exts
    out['selectedExtension'] = selected

    override = P.get('hostConfOverridePath', '/etc/azure/VMSnapshotPluginHost.conf')
    ext_conf = os.path.join(selected, 'main', 'VMSnapshotPluginHost.conf') if selected else None
    if os.path.isfile(override):
        source, hc_path = 'override', override
    elif ext_conf and os.path.isfile(ext_conf):
        source, hc_path = 'extension', ext_conf
    else:
        source, hc_path = 'none', ext_conf
    hc = {'overridePath': override, 'extensionPath': ext_conf, 'source': source, 'file': None,
          'sections': None, 'parseError': None}
    config_path = P.get('defaultConfigPath', '/etc/azure/VMSnapshotScriptPluginConfig.json')
    if hc_path:
        hc['file'] = path_facts(hc_path)
        data = read_capped(hc_path, 64 * 1024)
        if data is not None:
            hc['sections'], hc['parseError'] = parse_ini(data)
            pp = (hc['sections'] or {}).get('pre_post', {})
            if pp.get('pluginconfigpath0'):
                config_path = pp['pluginconfigpath0']
                # the extension runs in its own folder: a relative path is found there
                if not os.path.isabs(config_path) and selected:
                    config_path = os.path.join(selected, config_path)
    out['hostConf'] = hc

    out['configPath'] = text(config_path)
    cfg_file = path_facts(config_path)
    cfg = {'file': cfg_file, 'size': None, 'contentBase64': None, 'truncated': False,
           'pythonParse': None}
    cfg_data = None
    parsed = None
    if cfg_file['stat'] and cfg_file['stat']['type'] == 'file':
        cfg['size'] = cfg_file['stat']['size']
        cap = P.get('maxConfigBytes', 1048576)
        cfg_data = read_capped(config_path, cap)
        if cfg_data is not None and len(cfg_data) > cap:
            # Too big to ship whole, and the extension reads it all the same: judge what
            # Python's json makes of it here, up to a hard limit (the file could be gigabytes).
            big = read_capped(config_path, P.get('maxConfigParseBytes', 16 * 1048576))
            cfg_data = None
            if big is None or len(big) > P.get('maxConfigParseBytes', 16 * 1048576):
                cfg['truncated'] = True
            else:
                cfg['pythonParse'] = python_parse(big, cap)
                parsed = lenient_json(big)
                big = None
        elif cfg_data is not None:
            cfg['contentBase64'] = binascii.b2a_base64(cfg_data).rstrip(b'\n').decode('ascii')
    out['config'] = cfg

    if cfg_data is not None:
        parsed = lenient_json(cfg_data)
    out['scripts'] = {
        'pre': script_facts('pre', parsed, selected),
        'post': script_facts('post', parsed, selected),
    }

    wl_path = P.get('workloadConfPath', '/etc/azure/workload.conf')
    wl = {'file': path_facts(wl_path), 'workloadName': None}
    wl_data = read_capped(wl_path, 64 * 1024)
    if wl_data is not None:
        sections, _ = parse_ini(wl_data)
        name = (sections or {}).get('workload', {}).get('workload_name')
        wl['workloadName'] = name.strip() if name is not None else None
    out['workload'] = wl

    out['extensionLog'] = tail_outcomes(
        P.get('extensionLogPath',
              '/var/log/azure/Microsoft.Azure.RecoveryServices.VMSnapshotLinux/extension.log'),
        P.get('logTailBytes', 262144), P.get('logKeepLines', 20))

    # framed (see remote-command.ts): a login shell's rc files may print before it (a banner) and
    # keep the channel open after it (a background job); ASCII, so characters are bytes
    body = json.dumps(out)
    sys.stdout.write('\nVMSNAP-OUTPUT-BEGIN\n' + body + '\nVMSNAP-OUTPUT-END %d\n' % len(body))
    sys.stdout.flush()


main()
