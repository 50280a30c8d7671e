#!/usr/bin/env python3
"""Writes berth(1) and berth-COMMAND(1) (berth-image-ls(1) for a management
command's subcommands) into OUTDIR from the built binary's own --help
texts, so that the manual pages say what --help says.

usage: berth-man.py BERTH VERSION OUTDIR

The help texts are Docker's layout: "Usage:  berth CMD …", a description,
then "Options:" (flag lines, continuation lines indented) and, for berth
itself and the management commands, "Commands:"."""
import os
import re
import subprocess
import sys


def help_of(berth, args):
    # stdin not a terminal: --help wraps at 80 columns whatever the terminal
    out = subprocess.run([berth, *args, "--help"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    return out.stdout.decode("utf-8", "replace")


def sections(text):
    """(usage lines, description lines, {section: lines})"""
    usage, desc, secs, cur = [], [], {}, None
    for line in text.splitlines():
        if line.startswith("Usage:"):
            usage.append(line[len("Usage:"):].strip())
            continue
        # a second form of the command ("\tberth cp [OPTIONS] SRC_PATH|- …")
        if usage and not desc and cur is None and re.match(r"^\s+berth ", line):
            usage.append(line.strip())
            continue
        m = re.match(r"^([A-Z][A-Za-z ]*):$", line)
        if m:
            cur = m.group(1)
            secs[cur] = []
            continue
        if cur is None:
            desc.append(line)
        elif line.strip() or secs[cur]:
            secs[cur].append(line)
    return usage, "\n".join(desc).strip(), secs


def roff(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", s, flags=re.M)


def options(lines):
    """[(flag text, description)] from Docker's flag lines"""
    out = []
    for line in lines:
        m = re.match(r"^\s+((?:-\w, )?--[a-z0-9-]+(?: [a-zA-Z0-9]+)?)(?:\s{2,}(.*))?$", line)
        if m:
            out.append([m.group(1), (m.group(2) or "").strip()])
        elif out and line.strip():
            out[-1][1] += " " + line.strip()
    return out


def commands(lines):
    out = []
    for line in lines:
        parts = line.split(None, 1)
        if len(parts) == 2 and not line.startswith("Run "):
            out.append((parts[0], parts[1].strip()))
    return out


def page(path, name, summary, version, text, see_also):
    usage, desc, secs = sections(text)
    title = name.upper()
    w = [f'.TH "{title}" "1" "" "berth {version}" "berth Manual"',
         ".SH NAME", f"{roff(name)} \\- {roff(summary)}",
         ".SH SYNOPSIS", "\n.br\n".join(f"\\fB{roff(u)}\\fR" for u in usage)]
    if desc and desc != summary:
        w += [".SH DESCRIPTION", roff(desc).replace("\n\n", "\n.PP\n")]
    elif summary:
        w += [".SH DESCRIPTION", roff(summary)]
    aliases = " ".join(line.strip() for line in secs.get("Aliases", []))
    if aliases:
        w += [".SH ALIASES", roff(aliases)]
    opts = options(secs.get("Options", []))
    if opts:
        w.append(".SH OPTIONS")
        for flag, d in opts:
            w += [".TP", f"\\fB{roff(flag)}\\fR", roff(d)]
    cmds = commands(secs.get("Commands", []))
    if cmds:
        w.append(".SH COMMANDS")
        for c, d in cmds:
            w += [".TP", f"\\fB{roff(name)}\\-{roff(c)}\\fR(1)", roff(d)]
    if see_also:
        w += [".SH SEE ALSO", ", ".join(f"\\fB{roff(s)}\\fR(1)" for s in see_also)]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(w) + "\n")


def main():
    berth, version, outdir = sys.argv[1:4]
    os.makedirs(outdir, exist_ok=True)
    # a command that is gone leaves no page behind
    for old in os.listdir(outdir):
        if old.startswith("berth") and old.endswith(".1"):
            os.remove(os.path.join(outdir, old))
    top = help_of(berth, [])
    cmds = commands(sections(top)[2].get("Commands", []))
    page(os.path.join(outdir, "berth.1"), "berth", "a daemonless container image engine",
         version, top, [])
    for cmd, summary in cmds:
        text = help_of(berth, [cmd])
        subs = commands(sections(text)[2].get("Commands", []))
        page(os.path.join(outdir, f"berth-{cmd}.1"), f"berth-{cmd}", summary, version, text,
             ["berth"])
        for sub, sub_summary in subs:
            page(os.path.join(outdir, f"berth-{cmd}-{sub}.1"), f"berth-{cmd}-{sub}",
                 sub_summary, version, help_of(berth, [cmd, sub]), ["berth", f"berth-{cmd}"])


main()
