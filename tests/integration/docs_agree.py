#!/usr/bin/env python3
"""Rule: README, --help, man/leader-exec.1 and the code agree on every
option, environment variable and exit status.

The lists come from the code itself: long options from the table in
src/cli.c, variables from getenv()/setenv() calls in src/, exit statuses
from enum lerr_class in src/err.h.  Each must appear in all three documents.
"""
import os
import re
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("LEADER_EXEC", os.path.join(TOP, "build", "leader-exec"))


def read(path):
    with open(os.path.join(TOP, path), encoding="utf-8") as f:
        return f.read()


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
    codes = sorted(int(c) for c in re.findall(r"LERR_[A-Z]+ = (\d+),", err_h) if int(c) != 0)

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
