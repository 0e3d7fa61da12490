# dump_tables.py - dump the line tables of real code objects, with the line
# of every instruction as the running interpreter itself computes it.
#
#   python dump_tables.py OUT [MAXFILES]
#
# Runs under every CPython from 2.7 on (keep it 2.7-compatible).  It compiles
# every standard library module of the interpreter running it (the whole Lib
# tree but its test suites; at most MAXFILES of them, evenly spread), walks
# every code object recursively through co_consts, and writes OUT in this text format (one record per line, fields
# separated by one space):
#
#   V <version> <format>              first line; version gets a "t" for
#                                     free-threaded and a "d" for debug
#                                     builds; format is one of
#                                     lnotab_u8 lnotab_s8 table_310 locations
#   C <firstlineno> <codelen> <hex>   a code object; <hex> is its line table
#                                     (co_lnotab / co_linetable), "-" if empty
#   I <off>:<line> <off>:<line> ...   every instruction of that code object:
#                                     byte offset and expected line ("N" for
#                                     no line)
#   R <start>:<end>:<line> ...        3.10+ only: co_lines() as it is ("N"
#                                     for no line; 3.12+ merges neighbours
#                                     with the same line, 3.10/3.11 do not)
#   E                                 end of file
#
# The expected line of an instruction comes from the dis module:
#   <= 3.9   dis.findlinestarts(), the last line start at or before the offset
#   3.10     co_lines()
#   3.11+    co_positions() (first element; None -> no line), which must agree
#            with co_lines()
# and, when ctypes is there, is cross-checked against the interpreter's own
# PyCode_Addr2Line() (what f_lineno uses), -1 meaning no line.  Disagreements
# between these references are printed to stderr and make the exit status 3;
# the dump is written anyway.
#
# Instructions: 2.7 walks co_code with its 1- or 3-byte instructions; 3.6+
# lists every 2-byte code unit (for 3.11+ that includes inline CACHE units,
# whose line is their instruction's).
import binascii
import os
import sys
import warnings

try:
    import ctypes
    _addr2line = ctypes.pythonapi.PyCode_Addr2Line
    _addr2line.argtypes = [ctypes.py_object, ctypes.c_int]
    _addr2line.restype = ctypes.c_int
except Exception:
    _addr2line = None

VER = sys.version_info
if VER[0] == 2:
    FORMAT = 'lnotab_u8'
elif VER < (3, 10):
    FORMAT = 'lnotab_s8'
elif VER < (3, 11):
    FORMAT = 'table_310'
else:
    FORMAT = 'locations'

CODE_TYPE = type(compile('0', '<s>', 'exec'))
problems = []


def problem(msg):
    problems.append(msg)


def table_of(co):
    if FORMAT in ('lnotab_u8', 'lnotab_s8'):
        return co.co_lnotab
    return co.co_linetable


def instr_offsets(co):
    code = bytearray(co.co_code)
    if FORMAT == 'lnotab_u8':
        import opcode
        offs = []
        i = 0
        while i < len(code):
            offs.append(i)
            i += 1 if code[i] < opcode.HAVE_ARGUMENT else 3
        return offs
    return list(range(0, len(code), 2))


def expected_lines(co, offs):
    """[line or None for each of offs] from the dis-level APIs."""
    if FORMAT in ('lnotab_u8', 'lnotab_s8'):
        import dis
        starts = list(dis.findlinestarts(co))
        exp = []
        j = 0
        line = None
        for off in offs:
            while j < len(starts) and starts[j][0] <= off:
                line = starts[j][1]
                j += 1
            exp.append(line)
        return exp
    # 3.6+ offs are every code unit: index = off // 2
    lines = ['?'] * len(offs)
    for start, end, line in co.co_lines():
        for k in range(start // 2, min(end // 2, len(lines))):
            lines[k] = line
    if FORMAT == 'table_310':
        return lines
    exp = [p[0] for p in co.co_positions()]
    exp += ['?'] * (len(offs) - len(exp))
    if exp != lines:
        for k in range(len(offs)):
            if exp[k] != lines[k]:
                problem('%s:%d offset %d: co_positions %r, co_lines %r'
                        % (co.co_name, co.co_firstlineno, offs[k], exp[k],
                           lines[k]))
    return exp


def check_addr2line(co, offs, exp):
    if _addr2line is None:
        return
    a2l = _addr2line
    none_is_minus1 = FORMAT in ('table_310', 'locations')
    for off, want in zip(offs, exp):
        got = a2l(co, off)
        if got == -1 and none_is_minus1:
            got = None
        if got != want:
            problem('%s:%d offset %d: dis says %r, PyCode_Addr2Line %r'
                    % (co.co_name, co.co_firstlineno, off, want, got))


def walk(co, out, counts):
    offs = instr_offsets(co)
    exp = expected_lines(co, offs)
    check_addr2line(co, offs, exp)
    tab = table_of(co)
    hx = binascii.hexlify(tab).decode('ascii') if len(tab) else '-'
    out.append('C %d %d %s\n' % (co.co_firstlineno, len(co.co_code), hx))
    out.append('I ' + ' '.join(['%d:%s' % (off, 'N' if line is None else line)
                                for off, line in zip(offs, exp)]) + '\n')
    if FORMAT in ('table_310', 'locations'):
        out.append('R ' + ' '.join(['%d:%d:%s' % (start, end, 'N' if line is
                                                  None else line)
                                    for start, end, line in co.co_lines()])
                   + '\n')
    counts[0] += 1
    counts[1] += len(offs)
    for c in co.co_consts:
        if isinstance(c, CODE_TYPE):
            walk(c, out, counts)


SKIP_DIRS = ('test', 'tests', 'idle_test', 'site-packages', 'dist-packages', 'lib-dynload',
             '__pycache__')


def sources(maxfiles):
    """Every module of the standard library (the whole Lib tree but its test
    suites and installed third-party packages); when there are more than
    maxfiles, maxfiles of them evenly spread."""
    lib = os.path.dirname(os.path.abspath(os.__file__))
    paths = []
    for d, dirs, files in os.walk(lib):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith('config-'))
        paths += [os.path.join(d, f) for f in sorted(files) if f.endswith('.py')]
    n = len(paths)
    if maxfiles < n:
        paths = [paths[i * n // maxfiles] for i in range(maxfiles)]
    return paths


def main():
    if len(sys.argv) < 2:
        sys.stderr.write('usage: dump_tables.py OUT [MAXFILES]\n')
        return 2
    maxfiles = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    version = '%d.%d.%d' % tuple(VER[:3])
    try:
        import sysconfig
        if sysconfig.get_config_var('Py_GIL_DISABLED'):
            version += 't'
    except Exception:
        pass
    if hasattr(sys, 'gettotalrefcount'):
        version += 'd'
    out = ['V %s %s\n' % (version, FORMAT)]
    counts = [0, 0]
    nfiles = 0
    warnings.simplefilter('ignore')
    for path in sources(maxfiles):
        try:
            f = open(path, 'rb')
            try:
                src = f.read()
            finally:
                f.close()
            co = compile(src, path, 'exec', 0, True)
        except Exception:
            continue          # e.g. a file of another Python's syntax
        nfiles += 1
        walk(co, out, counts)
    out.append('E\n')
    f = open(sys.argv[1], 'w')
    try:
        f.write(''.join(out))
    finally:
        f.close()
    sys.stderr.write('dump %s: %d files, %d code objects, %d instructions%s\n'
                     % (version, nfiles, counts[0], counts[1],
                        '' if _addr2line else ' (no ctypes: Addr2Line '
                        'not cross-checked)'))
    if problems:
        sys.stderr.write('dump %s: %d disagreements between references:\n'
                         % (version, len(problems)))
        for p in problems[:10]:
            sys.stderr.write('  ' + p + '\n')
        return 3
    return 0


if __name__ == '__main__':
    sys.exit(main())
