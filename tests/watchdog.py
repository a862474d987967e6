#!/usr/bin/env python3
"""Run a command that starts msentry, and fail it if msentry hangs.

A hang is as serious as a crash, and a test that merely times out says
nothing about why. This watchdog recognises the state in which a sentry can
never make progress again: every thread of every stub process is in a
ptrace stop (state `t`, or a zombie leader whose siblings stop) while the
sentry itself sleeps in a host wait
(wait4/waitid: wchan do_wait). Nothing can then wake anything: the sentry
waits for a stop that cannot come. Seen for IDLE_SECONDS in a row, the
watchdog prints one line naming it, kills the process tree and exits 124.

A program that itself sleeps (nanosleep, poll with a timeout, a pipe read)
never matches: its sentry waits in ppoll with a deadline or on an fd, or its
threads are running. A plain time limit stays as a backstop (TIMEOUT).

Before it kills a stuck command, the watchdog sends SIGUSR2 to every sentry
in the tree and waits a moment: a sentry started with --debug prints one line
per task (what each waits for) to stderr, so the failure log says where the
sandbox stood. A command that is `.../msentry run ...` gets --debug added.

SIGTERM, SIGINT, SIGHUP, SIGUSR1 and SIGUSR2 sent to the watchdog are
passed on to the command.

Usage: watchdog.py [--timeout SECONDS] -- COMMAND [ARGS...]
Exit status: the command's, or 124 on a hang or the time limit.
"""
import os
import signal
import subprocess
import sys
import time

IDLE_SECONDS = 3.0
POLL = 0.25


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def children_of(pid):
    out = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []  # gone meanwhile (a fuzzed tree changes all the time)
    for task in tasks:
        out += read(f"/proc/{pid}/task/{task}/children").split()
    return [int(c) for c in out]


def tree(root):
    todo, seen = [root], []
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        todo += children_of(p)
    return seen


def thread_states(pid):
    states = []
    base = f"/proc/{pid}/task"
    for task in os.listdir(base) if os.path.isdir(base) else []:
        stat = read(f"{base}/{task}/stat")
        if stat:
            states.append(stat[stat.rfind(")") + 2])
    return states


def comm(pid):
    return read(f"/proc/{pid}/comm").strip()


def hung_sentries(root):
    """Sentries (msentry processes) waiting in do_wait whose stubs (their
    children that are msentry too: stubs are clones of msentry) all stop."""
    procs = tree(root)
    hung = []
    for p in procs:
        if comm(p) != "msentry":
            continue
        stubs = [c for c in children_of(p) if comm(c) == "msentry"]
        if not stubs or read(f"/proc/{p}/wchan") != "do_wait":
            continue
        states = [s for c in stubs for s in thread_states(c)]
        # A thread-group leader that exited while its siblings live stays a
        # zombie (Z): it can no more move than a stopped thread.
        if "t" in states and all(s in "tZ" for s in states):
            hung.append(p)
    return hung


def sentries(root):
    """msentry processes in the tree whose parent is not msentry (stubs are
    clones of msentry, children of their sentry)."""
    procs = tree(root)
    out = []
    for p in procs:
        if comm(p) != "msentry":
            continue
        ppid = read(f"/proc/{p}/stat").rsplit(")", 1)[-1].split()[1:2]
        if not ppid or comm(int(ppid[0])) != "msentry":
            out.append(p)
    return out


def ask_for_dump(root):
    """SIGUSR2: a --debug sentry prints its tasks to stderr (dump.c)."""
    asked = False
    for p in sentries(root):
        try:
            os.kill(p, signal.SIGUSR2)
            asked = True
        except ProcessLookupError:
            pass
    if asked:
        time.sleep(0.5)


def with_debug(args):
    """`... msentry run ARGS` -> `... msentry run --debug ARGS`."""
    for i, a in enumerate(args[:-1]):
        if os.path.basename(a) == "msentry" and args[i + 1] == "run":
            return args[:i + 2] + ["--debug"] + args[i + 2:]
    return args


def kill_tree(root):
    for p in reversed(tree(root)):
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main():
    args = sys.argv[1:]
    limit = 120.0
    if args[:1] == ["--timeout"]:
        limit, args = float(args[1]), args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    args = with_debug(args)
    proc = subprocess.Popen(args)
    # Signals for the command (a test's SIGTERM, as `docker stop` sends
    # one) go to it, not to the watchdog.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, lambda s, f: proc.send_signal(s))
    start = time.monotonic()
    idle_since = {}
    while True:
        try:
            rc = proc.wait(timeout=POLL)
            return 128 - rc if rc < 0 else rc  # killed by a signal: as a shell says
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        hung = hung_sentries(proc.pid)
        idle_since = {p: idle_since.get(p, now) for p in hung}
        stuck = [p for p, since in idle_since.items() if now - since >= IDLE_SECONDS]
        if stuck or now - start > limit:
            why = (f"msentry {stuck[0]} hung: every stub thread is stopped while the sentry "
                   f"waits in wait4 ({IDLE_SECONDS:.0f} s)") if stuck else \
                f"time limit of {limit:.0f} s"
            print(f"watchdog: {why}: {' '.join(args)}", file=sys.stderr, flush=True)
            ask_for_dump(proc.pid)
            kill_tree(proc.pid)
            proc.wait()
            return 124


if __name__ == "__main__":
    sys.exit(main())
