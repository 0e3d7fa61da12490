#!/usr/bin/python3
"""The documentation agrees with the program.

`pyheat --help`, `pyheat COMMAND --help`, man/pyheat.1 and README.md must name
the same subcommands and the same long options per subcommand, and the exit
codes of include/error.h, the man page, `pyheat --help` and README.md must be
the same. The options are those each source describes, and separately those
its synopses name (usage lines, man SYNOPSIS, README's Usage block; -x counts
as the --long that 'pyheat COMMAND --help' pairs it with); `pyheat --help`'s
line per command (with its continuation lines) may name fewer, never others,
except where the command's usage line abbreviates its options as
"[options]": then that line stands in for the usage line and must name them
all. Every list is parsed from
its source; none is written down here, so any one of them drifting fails. Also: the man page renders without a
groff warning, its version is pyheat's, and README.md has the two set-up
commands CI runs.

Output formats: the formats pyheat writes are those its own "unknown format"
message lists (`pyheat CMD -f no-such-format`), for every command whose help
describes --format. Each of these must name exactly those: that command's
line in `pyheat --help`, its -f/--format in 'pyheat CMD --help', in the man
page's COMMANDS and in README's options table (a list laid out as a table,
one format a row, must hold them and no other; prose must name each), and
the man page's FILES and README's Files table must each name a file
STEM.<format>... per format.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import PYHEAT, ROOT, Failure, Report, check, run_pyheat  # noqa: E402

MAN = os.path.join(ROOT, "man", "pyheat.1")
README = os.path.join(ROOT, "README.md")
ERROR_H = os.path.join(ROOT, "include", "error.h")
LONGOPT = re.compile(r"--([a-z][a-z0-9-]*)")
SHORTOPT = re.compile(r"(?<![\w-])-([A-Za-z0-9])\b")
SHORT = {}   # {command: {short letter: long name}}, from 'pyheat COMMAND --help'


def opt_names(cmd, text):
    """The options a synopsis names, by long name: --long, or -x where
    'pyheat CMD --help' describes '-x, --long'."""
    shorts = SHORT.get(cmd, {})
    return set(LONGOPT.findall(text)) | {shorts[c] for c in SHORTOPT.findall(text) if c in shorts}


def read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


# --- include/error.h ----------------------------------------------------------

def codes_error_h():
    text = read(ERROR_H)
    m = re.search(r"enum\s+ph_exit\s*\{(.*?)\}", text, re.S)
    check(m, "no enum ph_exit in include/error.h")
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    codes = {int(v) for v in re.findall(r"PH_\w+\s*=\s*(\d+)", body)}
    check(codes, "no exit codes parsed from include/error.h")
    return codes


# --- pyheat --help --------------------------------------------------------------

def help_text(*args):
    r = run_pyheat(list(args) + ["--help"])
    check(r.returncode == 0, "pyheat %s --help exited %d: %r" % (" ".join(args), r.returncode, r.stderr))
    check(r.stdout.strip(), "pyheat %s --help printed nothing on stdout" % " ".join(args))
    return r.stdout


def help_sections(text):
    """{'Commands': [lines], 'Options': [lines], ...} of `pyheat --help`."""
    sections, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Za-z ]*):\s*(.*)$", line)
        if m:
            cur = m.group(1)
            sections[cur] = [m.group(2)] if m.group(2) else []
        elif not line.strip():
            cur = None
        elif cur:
            sections[cur].append(line)
    return sections


def help_model():
    """(commands {name: set(long options)}, synopses {name: (summary line's
    options, usage line's options)}, global options, exit codes)."""
    sec = help_sections(help_text())
    check("Commands" in sec, "pyheat --help has no 'Commands:' section")
    commands, synopses = {}, {}
    # a command's line is indented least; deeper lines continue its summary
    indent = min((len(l) - len(l.lstrip()) for l in sec["Commands"] if l.strip()), default=0)
    summaries, name = {}, None
    for line in sec["Commands"]:
        m = re.match(r"^ {%d}([a-z][a-z0-9-]*)\b(.*)$" % indent, line)
        if m:
            name = m.group(1)
            summaries[name] = m.group(2)
        elif name and line.strip():
            summaries[name] += "\n" + line
    for name, summary in summaries.items():
        own = help_text(name).splitlines()
        described = [l for l in own if re.match(r"^\s+-", l)]
        usage = [l for l in own if l.lower().startswith("usage:")]
        check(usage, "'pyheat %s --help' has no usage line" % name)
        commands[name] = set(LONGOPT.findall("\n".join(described)))
        for d in described:
            sm = re.match(r"^\s+-([A-Za-z0-9]),\s+--([a-z][a-z0-9-]*)", d)
            if sm:
                SHORT.setdefault(name, {})[sm.group(1)] = sm.group(2)
        syn_summary, syn_usage = opt_names(name, summary), opt_names(name, usage[0])
        # a usage line that abbreviates its options as "[options]" defers to
        # the command's line in `pyheat --help`, which must then name them all
        if re.search(r"\[options\]", usage[0], re.I):
            syn_usage |= syn_summary
        synopses[name] = (syn_summary, syn_usage, summary)
    check(commands, "no commands parsed from pyheat --help")
    glob = set(LONGOPT.findall(" ".join(sec.get("Options", []))))
    exit_text = " ".join(sec.get("Exit codes", []))
    check(exit_text, "pyheat --help has no 'Exit codes:' paragraph")
    codes = {int(c) for c in re.findall(r"(?:^|,\s*)(\d+)\s", exit_text)}
    return commands, synopses, glob, codes


# --- man/pyheat.1 -----------------------------------------------------------------

def man_sections():
    sections, cur = {}, None
    for line in read(MAN).splitlines():
        if line.startswith(".SH"):
            cur = line[3:].strip().strip('"').upper()
            sections[cur] = []
        elif cur:
            sections[cur].append(line)
    return sections


def unroff(s):
    s = re.sub(r"\\f[BIRP]", "", s)
    s = s.replace("\\-", "-").replace('"', "")
    return re.sub(r"^\.[A-Za-z]+\s*", "", s)


def man_model():
    sec = man_sections()
    for name in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "EXIT STATUS", "EXAMPLES", "SEE ALSO"):
        check(name in sec, "man/pyheat.1 has no .SH %s" % name)
    # COMMANDS: each top-level .TP tag names a command with a synopsis of
    # its options; the options described are every --long in its .RS ... .RE.
    commands, tags, cur, depth, tag_next = {}, {}, None, 0, False
    for line in sec["COMMANDS"]:
        if line.startswith(".RS"):
            depth += 1
        elif line.startswith(".RE"):
            depth -= 1
        elif line.startswith(".TP"):
            tag_next = depth == 0
        elif tag_next:
            tag_next = False
            words = unroff(line).split()
            check(words, "empty command tag in man/pyheat.1 COMMANDS")
            cur = words[0]
            commands[cur] = set()
            tags[cur] = unroff(line)
        elif cur and depth > 0:
            commands[cur] |= set(LONGOPT.findall(unroff(line)))
    check(commands, "no commands parsed from man/pyheat.1 COMMANDS")
    synopsis, first = {}, None
    for line in sec["SYNOPSIS"]:
        if line.startswith(".SY"):
            first = None
        elif line.startswith(".B ") and first is None:
            first = unroff(line).strip()
            if not first.startswith("-"):
                synopsis[first] = ""
        elif first in synopsis:
            synopsis[first] += " " + unroff(line)
    glob = set(LONGOPT.findall(unroff("\n".join(sec.get("OPTIONS", [])))))
    codes, tag_next = set(), False
    for line in sec["EXIT STATUS"]:
        if line.startswith(".TP"):
            tag_next = True
        elif tag_next:
            tag_next = False
            m = re.match(r"^\d+$", unroff(line).strip())
            check(m, "man/pyheat.1 EXIT STATUS tag is not a number: %r" % line)
            codes.add(int(m.group(0)))
    return commands, (synopsis, tags), glob, codes


# --- README.md ----------------------------------------------------------------------

def readme_sections():
    sections, cur = {}, None
    for line in read(README).splitlines():
        m = re.match(r"^(#{2,3})\s+(.*?)\s*$", line)
        if m:
            cur = m.group(2).strip("`").strip()
            sections[cur] = []
        elif cur:
            sections[cur].append(line)
    return sections


def readme_model():
    sec = readme_sections()
    commands = {}
    for title, lines in sec.items():
        m = re.match(r"^pyheat ([a-z][a-z0-9-]*)$", title)
        if m:
            rows = [l for l in lines if l.startswith("|")]
            check(rows, "README.md section '%s' has no options table" % title)
            commands[m.group(1)] = set(LONGOPT.findall("\n".join(rows)))
    check(commands, "README.md has no '### `pyheat COMMAND`' section")
    usage = {}
    for line in sec.get("Usage", []):
        m = re.match(r"^pyheat ([a-z][a-z0-9-]*)\b(.*)$", line)
        if m:
            usage[m.group(1)] = m.group(2)
    check(usage, "README.md's Usage block names no command")
    title = [t for t in sec if t.lower().startswith("exit code")]
    check(title, "README.md has no 'Exit codes' section")
    codes = {int(m.group(1)) for l in sec[title[0]] for m in [re.match(r"^\|\s*(\d+)\s*\|", l)] if m}
    return commands, usage, codes


# --- output formats -----------------------------------------------------------------

WORD = re.compile(r"[A-Za-z0-9]+")
FORMAT_ROW = re.compile(r"^\s+([a-z][a-z0-9-]*)\s{2,}\S")


def formats_program(cmd):
    """The formats 'pyheat CMD' knows, from its message for an unknown one."""
    r = run_pyheat([cmd, "-f", "no-such-format", os.path.join(ROOT, "no-such-dir", "x.pyheat")])
    m = re.search(r"\(known: ([^)]*)\)", r.stderr)
    check(r.returncode != 0 and m, "'pyheat %s -f no-such-format' names no known formats: %r" % (cmd, r.stderr))
    names = [n.strip() for n in m.group(1).split(",")]
    check(all(re.match(r"^[a-z][a-z0-9-]*$", n) for n in names), "odd format names: %r" % names)
    return set(names)


def named(known, text):
    """The known format names that text names as words."""
    return known & set(WORD.findall(text))


def listed(known, text, rows):
    """A format list: its table's first column when it has one (exactly
    those), else the known names the prose names."""
    return set(rows) if rows else named(known, text)


def help_format_block(cmd):
    """The lines of 'pyheat CMD --help' describing -f/--format: its own line
    and the deeper ones after it."""
    lines = help_text(cmd).splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\s+(-f,\s+)?--format\b", line):
            block = [line]
            for more in lines[i + 1:]:
                if not more.strip() or re.match(r"^\s+-", more):
                    break
                block.append(more)
            return block
    raise Failure("'pyheat %s --help' describes no --format" % cmd)


def man_format_item(cmd):
    """(text, nested .TP tags) of the --format item of cmd in man COMMANDS."""
    cur, depth, tag_next, item, text, tags = None, 0, False, False, [], []
    for line in man_sections()["COMMANDS"]:
        if line.startswith(".RS"):
            depth += 1
            continue
        if line.startswith(".RE"):
            depth -= 1
            if depth == 0:
                item = False
            continue
        if line.startswith(".TP"):
            tag_next = depth
            if depth == 1:
                item = False
            continue
        if tag_next is not False:
            level, tag_next = tag_next, False
            if level == 0:
                cur = unroff(line).split()[0]
            elif level == 1 and cur == cmd and "--format" in unroff(line):
                item = True
                continue
            elif level == 2 and item:
                tags.append(unroff(line).strip().split()[0])
        if item:
            text.append(unroff(line))
    check(text or tags, "man/pyheat.1 COMMANDS describes no --format for %s" % cmd)
    return "\n".join(text), tags


def readme_format_list(cmd):
    """(text of the --format row, first cells of a 'format' table) of
    README's '### `pyheat cmd`' section."""
    lines = readme_sections().get("pyheat %s" % cmd, [])
    row = [l for l in lines if l.startswith("|") and "--format" in l]
    check(row, "README.md's pyheat %s table has no --format row" % cmd)
    cells, in_table = [], False
    for l in lines:
        if not l.startswith("|"):
            in_table = False
            continue
        first = l.strip("|").split("|")[0].strip().strip("`")
        if first == "format":
            in_table = True
        elif in_table and not set(first) <= set("-: "):
            cells.append(first)
    return row[0], cells


def files_named(known):
    """The formats man FILES' tags and README Files' first column name a
    STEM.<format> file of."""
    man, tag_next = [], False
    for line in man_sections().get("FILES", []):
        if line.startswith(".TP"):
            tag_next = True
        elif tag_next:
            tag_next = False
            man.append(unroff(line))
    title = [t for t in readme_sections() if t.lower() == "files"]
    check(title, "README.md has no Files section")
    rows = [l.strip("|").split("|")[0] for l in readme_sections()[title[0]] if l.startswith("|")]
    def stem_files(text):   # STEM.<format>[...]: a file of that format
        return {n for n in known if re.search(r"STEM\s*\.%s\b" % re.escape(n), text)}
    return stem_files("\n".join(man)), stem_files("\n".join(rows))


def test_formats():
    hcmds, hsyn, _, _ = help_model()
    cmds = sorted(c for c, opts in hcmds.items() if "format" in opts)
    check(cmds, "no command describes --format")
    problems, every = [], set()
    for cmd in cmds:
        known = formats_program(cmd)
        every |= known
        block = help_format_block(cmd)
        help_rows = [m.group(1) for l in block[1:] for m in [FORMAT_ROW.match(l)] if m]
        man_text, man_tags = man_format_item(cmd)
        row, cells = readme_format_list(cmd)
        try:
            same("formats of '%s'" % cmd,
                 [("pyheat %s -f's message" % cmd, known),
                  ("pyheat --help's line", named(known, hsyn[cmd][2])),
                  ("pyheat %s --help" % cmd, listed(known, "\n".join(block), help_rows)),
                  ("man COMMANDS", listed(known, man_text, man_tags)),
                  ("README", listed(known, row, cells))])
        except Failure as e:
            problems.append(str(e))
    man_files, readme_files = files_named(every)
    try:
        same("files of the formats", [("pyheat", every), ("man FILES", man_files), ("README Files", readme_files)])
    except Failure as e:
        problems.append(str(e))
    check(not problems, "; ".join(problems))


# --- the checks ---------------------------------------------------------------------

def same(what, sources):
    """sources: [(name, set)]; all must be equal to the first. Every source
    that differs is named, so one drift does not hide another."""
    (base_name, base), rest = sources[0], sources[1:]
    diffs = ["only in %s: %s; only in %s: %s" % (base_name, sorted(base - got), name, sorted(got - base))
             for name, got in rest if got != base]
    check(not diffs, "%s differ: %s" % (what, " | ".join(diffs)))


def test_commands():
    hcmds, _, _, _ = help_model()
    mcmds, (msyn, _), _, _ = man_model()
    rcmds, rusage, _ = readme_model()
    same("subcommands", [("pyheat --help", set(hcmds)), ("man COMMANDS", set(mcmds)),
                         ("man SYNOPSIS", set(msyn)), ("README sections", set(rcmds)),
                         ("README Usage", set(rusage))])


def test_options():
    hcmds, hsyn, _, _ = help_model()
    mcmds, (msyn, mtags), _, _ = man_model()
    rcmds, rusage, _ = readme_model()
    problems = []
    for cmd, opts in sorted(hcmds.items()):
        summary, usage, _ = hsyn[cmd]
        checks = [
            ("long options of '%s'" % cmd,
             [("pyheat %s --help" % cmd, opts), ("man COMMANDS", mcmds.get(cmd, set())),
              ("README table", rcmds.get(cmd, set()))]),
            # synopses (long or short forms) may leave out --help; every other
            # option must be there
            ("options of '%s' in synopses" % cmd,
             [("pyheat %s --help" % cmd, opts - {"help"}),
              ("'pyheat %s --help' usage" % cmd, usage - {"help"}),
              ("man SYNOPSIS", opt_names(cmd, msyn.get(cmd, "")) - {"help"}),
              ("man COMMANDS tag", opt_names(cmd, mtags.get(cmd, "")) - {"help"}),
              ("README Usage", opt_names(cmd, rusage.get(cmd, "")) - {"help"})]),
        ]
        # `pyheat --help` has one short line per command: it may name fewer
        extra = summary - opts
        if extra:
            problems.append("pyheat --help's line for %s names %s, which 'pyheat %s --help' does not"
                            % (cmd, sorted(extra), cmd))
        for what, sources in checks:
            try:
                same(what, sources)
            except Failure as e:
                problems.append(str(e))
    check(not problems, "; ".join(problems))


def test_global_options():
    _, _, hglob, _ = help_model()
    _, _, mglob, _ = man_model()
    check(hglob, "no long options parsed from pyheat --help's Options")
    same("global options", [("pyheat --help", hglob), ("man OPTIONS", mglob)])
    for opt in hglob:
        r = run_pyheat(["--" + opt])
        check(r.returncode == 0, "pyheat --%s exited %d" % (opt, r.returncode))


def test_exit_codes():
    _, _, _, hcodes = help_model()
    _, _, _, mcodes = man_model()
    _, _, rcodes = readme_model()
    same("exit codes", [("include/error.h", codes_error_h()), ("pyheat --help", hcodes),
                        ("man EXIT STATUS", mcodes), ("README", rcodes)])


def test_man_renders():
    if not shutil.which("groff"):
        raise Skip("no groff (contrib/setup installs groff-base)")
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN], capture_output=True, text=True,
                       timeout=60)
    check(r.returncode == 0 and not r.stderr.strip(),
          "groff -man -ww warns about man/pyheat.1: %s" % r.stderr.strip()[:1000])


def test_versions():
    r = run_pyheat(["--version"])
    check(r.returncode == 0, "pyheat --version exited %d" % r.returncode)
    version = r.stdout.split()[-1]
    th = [l for l in read(MAN).splitlines() if l.startswith(".TH")]
    check(th and version in th[0], "man/pyheat.1's .TH does not name pyheat %s: %r" % (version, th))


def test_readme_ci_blocks():
    text = read(README)
    for marker in ("ci:demo", "ci:test"):
        m = re.search(r"<!--\s*%s\s*-->\s*\n```[a-z]*\n(.*?)\n```" % marker, text, re.S)
        check(m and m.group(1).strip(), "README.md has no fenced block after <!-- %s -->" % marker)


class Skip(Exception):
    pass


def main():
    check_bin = os.access(PYHEAT, os.X_OK)
    report = Report("docs")
    if not check_bin:
        report.fail("pyheat binary", "%s is not built (run make)" % PYHEAT)
        return report.finish()
    for name, fn in [("subcommands agree", test_commands), ("long options agree", test_options),
                     ("global options agree", test_global_options), ("output formats agree", test_formats),
                     ("exit codes agree", test_exit_codes),
                     ("man page renders cleanly", test_man_renders), ("man page version", test_versions),
                     ("README has the CI-run commands", test_readme_ci_blocks)]:
        try:
            report.run(name, fn)
        except Skip as e:
            report.skip(name, str(e))
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
