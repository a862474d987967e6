#!/usr/bin/env python3
"""Fail on any #include arrow between folders that docs/design.md's map does
not allow, on files past the size limit, and on functions past theirs.

The map's rule: the folders form layers; a folder may include its own
headers and those of the folders listed for it in ALLOWED (the layers below
it). This script is the map in a form a machine checks; docs/design.md says
the same in words and must be kept in step with it.

Usage: scripts/check-layout.py [REPO]   (exit 0: clean, 1: violations)
"""
import os
import re
import sys

# folder -> folders whose headers it may include (besides its own).
BASE = {"util"}
ALLOWED = {
    "util": set(),
    "vdso": set(),  # freestanding: the image and its params header only
    "platform": BASE,  # platform.h: the interface, and nothing else
    "platform/ptrace": BASE | {"platform", "platform/systrap"},  # an implementation of platform.h
    # the second one: its control threads are ptrace's, so it shares platform/ptrace's internals
    "platform/systrap": BASE | {"platform", "platform/ptrace"},
    "loader": BASE,
    "sentry/clock": BASE | {"loader", "vdso"},
    "sentry/kernel": BASE | {"platform", "loader", "vdso", "sentry/clock"},
    "sentry/fs": BASE | {"platform", "loader", "sentry/kernel"},
    "sentry/syscalls": BASE | {"platform", "loader", "sentry/kernel", "sentry/fs",
                               "sentry/clock"},
    "sentry/strace": BASE | {"platform", "loader", "sentry/kernel", "sentry/syscalls"},
    "sentry/vsyscall": BASE | {"platform", "loader", "sentry/kernel", "sentry/syscalls",
                               "sentry/strace"},
    # the control channel: served from the kernel's loop through its hooks
    "sentry/control": BASE | {"platform", "loader", "sentry/kernel"},
    # the root of sentry/: sentry_run wires every layer together
    "sentry": BASE | {"platform", "loader", "vdso", "sentry/clock", "sentry/kernel",
                      "sentry/fs", "sentry/syscalls", "sentry/strace", "sentry/vsyscall",
                      "sentry/control"},
    # the OCI runtime: sentry_run through the root header only
    "runtime": BASE | {"sentry", "loader"},
    "cmd": BASE | {"sentry", "loader", "runtime"},
    # libFuzzer targets: the pure pieces they feed (syscalls: the table's
    # names and formats, read from syscalls.def without its handlers)
    "fuzz": BASE | {"loader", "runtime", "sentry/strace", "sentry/syscalls"},
}
# Headers every layer may use: the sentry's public configuration.
PUBLIC = {"sentry/sentry.h"}
MAX_LINES = 800
MAX_FUNCTION_LINES = 80
# Files over the limit, to be split by the issues that own them (say which).
LINE_EXCEPTIONS = {}

def long_functions(text):
    """(name, lines) of each function body longer than MAX_FUNCTION_LINES:
    the project's style puts a function's braces alone in column 0."""
    out, start, head = [], None, ""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line == "{" and start is None:
            start, head = i, lines[i - 1] if i else ""
        elif line == "}" and start is not None:
            if i - start + 1 > MAX_FUNCTION_LINES:
                out.append((head.split("(")[0].split()[-1] if "(" in head else head, i - start + 1))
            start = None
    return out


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(path):
    d = os.path.dirname(path)
    while d and d not in ALLOWED:
        d = os.path.dirname(d)
    return d or None


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else "."
    bad = []
    for top in ALLOWED:
        root = os.path.join(repo, top)
        if not os.path.isdir(root):
            bad.append(f"{top}: folder in the map is missing")
            continue
        for name in sorted(os.listdir(root)):
            if not name.endswith((".c", ".h")):
                continue
            rel = os.path.join(top, name)
            text = open(os.path.join(repo, rel), encoding="utf-8").read()
            lines = text.count("\n")
            if lines > MAX_LINES and rel not in LINE_EXCEPTIONS:
                bad.append(f"{rel}: {lines} lines (limit {MAX_LINES})")
            if name.endswith(".c"):
                for fn, n in long_functions(text):
                    bad.append(f"{rel}: {fn} has {n} lines (limit {MAX_FUNCTION_LINES})")
            for inc in INCLUDE.findall(text):
                if "/" not in inc or inc in PUBLIC:
                    continue  # same folder, or the public configuration
                target = folder_of(inc)
                if target is None or target == top:
                    continue
                if target not in ALLOWED[top]:
                    bad.append(f"{rel}: includes {inc} ({top} may not use {target})")
    for b in bad:
        print("layout:", b)
    print(f"layout: {len(bad)} violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
