#!/usr/bin/env python3
"""Reads a command's --help (Docker's layout) on stdin and prints one line
per flag of its Options section: LONG, SHORT, TYPE and DESCRIPTION apart
by \x1f (not a tab: bash's read would merge empty fields),
a description wrapped over several lines (as Docker's client wraps them)
joined with single spaces.  With --commands: the names of the Commands
section (a management command's subcommands) instead."""
import re
import sys

lines = sys.stdin.read().splitlines()
want = "Commands:" if "--commands" in sys.argv[1:] else "Options:"
section = False
flags = []
for line in lines:
    if line.strip() in ("Options:", "Commands:", "Management Commands:"):
        section = line.strip() == want
        continue
    if not line.strip():
        section = False
        continue
    if not section:
        continue
    if want == "Commands:":
        print(line.split()[0])
        continue
    m = re.match(r"^\s+(?:-(\w), )?--([a-z0-9-]+)(?: ([a-zA-Z0-9-]+))?(?:\s{2,}(.*))?$", line)
    if m:
        flags.append([m.group(2), m.group(1) or "", m.group(3) or "", (m.group(4) or "").strip()])
    elif flags:
        flags[-1][3] = (flags[-1][3] + " " + line.strip()).strip()
for f in flags:
    print("\x1f".join(f))
