#!/usr/bin/env python3
"""Rule: README, --help, man/leader-exec.1 and the code agree on every
option, environment variable, exit status, file, option limit and
platform-hook variable.

The lists come from the code itself: long options from the table in
src/cli.c, variables from getenv()/setenv() calls in src/, exit statuses
from enum lerr_class in src/err.h, files from the absolute paths in src/*.c
and the scripts under platform-hooks/ (installed as .platform/...), hook
variables from what those scripts read, and limits from the binary's own
usage errors for out-of-range values (the numbers it names, such as "0 to
600").  Each must appear in all three documents; a limit must appear in one
place that also names its option (a README line, a man page item, a --help
clause), with every number of the binary's message.  The man page must have
FILES and ENVIRONMENT sections naming every file and variable, and --help
may name a hook by its file name under its directory.
"""
import os
import re
import stat
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("LEADER_EXEC", os.path.join(TOP, "build", "leader-exec"))


def read(path):
    with open(os.path.join(TOP, path), encoding="utf-8") as f:
        return f.read()


# Values outside each option's limits; the binary's message names the limit.
LIMIT_PROBES = [("name", "bad/name"), ("epoch", "bad/epoch"), ("settle", "9999"),
                ("rolling", "0"), ("quorum", "101%"),
                ("timeout", "0"), ("follower-exit", "999"), ("follower-exit", "2"),
                ("scope", "tag:=x"), ("scope", "tag:a="), ("store", "s3://ab"),
                ("lease", "1"), ("kill-after", "9999")]
NUMBER_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:-\d+)?(?![\d.])")


def hook_scripts():
    out = []
    for dirpath, _, names in os.walk(os.path.join(TOP, "platform-hooks")):
        for n in sorted(names):
            path = os.path.join(dirpath, n)
            if os.stat(path).st_mode & stat.S_IXUSR:
                out.append(path)
    return sorted(out)


def chunks(name, text):
    """The places a limit can be stated: README lines, man page items,
    --help clauses (split at ';', '.' + newline and blank lines)."""
    if name == "README":
        return text.split("\n")
    if name == "man page":
        return re.split(r"\n(?=\.(?:It|Sh|Pp|El)\b)", text)
    return re.split(r";|\.\n|\n\n", text)


def limit_messages():
    """{option: [numbers]} from the binary's usage errors."""
    out = {}
    for opt, value in LIMIT_PROBES:
        p = subprocess.run([BINARY, "--" + opt, value, "--", "true"], capture_output=True,
                           text=True, timeout=10, env={"PATH": os.environ.get("PATH", "")})
        msg = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
        text = msg.split(":", 2)[-1]
        ranges = re.findall(r"(\d+(?:\.\d+)?) to (\d+)", text)
        nums = ([n for r in ranges for n in r] if ranges else
                NUMBER_RE.findall("".join(re.findall(r"\(([^)]*)\)", text))))
        nums = nums if p.returncode == 2 else None
        out.setdefault(opt, []).append((value, p.returncode, msg, nums))
    return out


def check_files_limits_hooks(src, docs, man, failures):
    checked = 0
    headers = "".join(read(os.path.join("src", f)) for f in sorted(os.listdir(
        os.path.join(TOP, "src"))) if f.endswith(".h"))
    files = sorted(set(re.findall(r'"(/(?:etc|opt|var|usr)/[^"\s]+)"', src + headers)))
    kit = [".platform/" + os.path.relpath(p, os.path.join(TOP, "platform-hooks"))
           for p in hook_scripts()]
    man_files = man[man.index(".Sh FILES"):] if ".Sh FILES" in man else ""
    man_files = man_files[:man_files.find("\n.Sh ", 1)] if man_files else ""
    if not man_files:
        failures.append("the man page has no FILES section")
    for f in files + kit:
        for name, text in docs.items():
            checked += 1
            if f in text:
                continue
            base, parent = os.path.basename(f), os.path.dirname(f)
            if name == "--help" and f in kit and base in text and parent.split("/")[1] in text:
                continue
            failures.append("file %s missing from the %s" % (f, name))
        checked += 1
        if f not in man_files:
            failures.append("file %s not in the man page's FILES section" % f)

    hook_vars = set()
    for path in hook_scripts():
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        assigned = set(re.findall(r"^\s*([A-Z][A-Z0-9_]*)=", text, re.M))
        hook_vars |= set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", text)) - assigned
    man_env = man[man.index(".Sh ENVIRONMENT"):man.index(".Sh FILES")] if man_files else ""
    for var in sorted(hook_vars):
        for name, text in docs.items():
            checked += 1
            if var not in text:
                failures.append("hook variable %s missing from the %s" % (var, name))
        checked += 1
        if ".It Ev %s" % var not in man_env:
            failures.append("hook variable %s not an item of the man page's ENVIRONMENT" % var)

    limits = limit_messages()
    for opt, probes in sorted(limits.items()):
        for value, rc, msg, nums in probes:
            checked += 1
            if nums is None or not nums:
                failures.append("--%s %s: expected a usage error (2) naming its limit, got %d: %s"
                                % (opt, value, rc, msg))
                continue
            for name, text in docs.items():
                checked += 1
                flag = re.compile(r"--%s\b" % re.escape(opt))
                if not any(flag.search(c) and all(re.search(r"(?<![\d.])%s(?![\d.])"
                                                            % re.escape(n), c) for n in nums)
                           for c in chunks(name, text)):
                    failures.append("limit of --%s (%s, from \"%s\") missing from the %s"
                                    % (opt, ", ".join(nums), msg, name))
    print("files: %s; hook variables: %s; limits: %s" % (
        ", ".join(files + kit), ", ".join(sorted(hook_vars)),
        "; ".join("--%s %s" % (o, "/".join(",".join(p[3] or []) for p in ps))
                  for o, ps in sorted(limits.items()))))
    return checked


def main():
    cli = read("src/cli.c")
    table = cli[cli.index("longopts[] = {"):]
    table = table[:table.index("};")]
    options = sorted(set(re.findall(r'\{ "([a-z0-9-]+)", ', table)))
    shorts = sorted(set(re.findall(r"'([a-zA-Z])'", table)))

    src = "".join(read(os.path.join("src", f)) for f in sorted(os.listdir(os.path.join(TOP, "src")))
                  if f.endswith(".c"))
    env_read = set(re.findall(r'getenv\("([A-Z0-9_]+)"\)', src))
    env_set = set(re.findall(r'setenv\("([A-Z0-9_]+)"', src))

    err_h = read("src/err.h")
    codes = sorted(int(c) for c in re.findall(r"LERR_[A-Z_]+ = (\d+)", err_h) if int(c) != 0)

    help_text = subprocess.run([BINARY, "--help"], capture_output=True, text=True,
                               timeout=10).stdout
    man = read("man/leader-exec.1")
    # mdoc escapes dashes in flags: "Fl \-export" or "Fl n , Fl \-name".
    man_plain = man.replace("\\-", "-").replace("Fl -", "--").replace("Fl ", "-")
    readme = read("README")
    docs = {"--help": help_text, "man page": man_plain, "README": readme}

    failures = []
    checked = 0
    for opt in options:
        for name, text in docs.items():
            checked += 1
            if not re.search(r"--%s\b" % re.escape(opt), text):
                failures.append("option --%s missing from the %s" % (opt, name))
    for s in shorts:
        for name, text in docs.items():
            checked += 1
            if not re.search(r"(^|[\s|`(])-%s\b" % s, text):
                failures.append("option -%s missing from the %s" % (s, name))
    for var in sorted(env_read | env_set):
        for name, text in docs.items():
            checked += 1
            if var not in text:
                failures.append("variable %s missing from the %s" % (var, name))
    for code in codes + [126, 127]:
        for name, text in docs.items():
            checked += 1
            if not re.search(r"(^|\D)%d(\D|$)" % code, text):
                failures.append("exit status %d missing from the %s" % (code, name))
    # The man page's EXIT STATUS section lists every error status itself.
    exit_section = man[man.index(".Sh EXIT STATUS"):man.index(".Sh EXAMPLES")]
    for code in codes + [126, 127]:
        checked += 1
        if ".It %d" % code not in exit_section:
            failures.append("exit status %d not an item of EXIT STATUS" % code)

    checked += check_files_limits_hooks(src, docs, man, failures)
    print("checked %d facts: %d options, %d short options, %d variables, %d exit statuses"
          % (checked, len(options), len(shorts), len(env_read | env_set), len(codes) + 2))
    for f in failures:
        print("FAIL: " + f)
    if failures:
        return 1
    print("PASS: docs_agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
