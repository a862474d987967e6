#!/usr/bin/env python3
"""The inside of scripts/fuzz-syscalls.sh: run trinity under msentry for a
while and judge msentry (crash, hang), not trinity.

  fuzz-syscalls.py MSENTRY MINUTES SEED IN_NAMESPACES SCRATCH

With IN_NAMESPACES (non-zero) this runs as pid 1 of fresh namespaces
(unshare), first makes / read-only and /tmp a new tmpfs there; it stays pid
1 so that msentry is an ordinary child whose death by a signal shows
(status < 0), which a pid 1 msentry would not. Hang detection reuses
tests/watchdog.py (every stub stopped while the sentry waits) and adds a
coarser rule: no CPU time used by the whole tree for NO_CPU_SECONDS.
Lines starting "fuzz-syscalls:" are the summary the shell script prints.
"""
import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time

NO_CPU_SECONDS = 120
STOP_SECONDS = 60
# What a sentry that broke says (sanitizers, assert, abort, a fault).
CRASH_RE = re.compile(r"AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|Assertion .* failed"
                      r"|msentry: internal|msentry: BUG|core dumped|stack smashing")

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("watchdog", os.path.join(here, "watchdog.py"))
watchdog = importlib.util.module_from_spec(spec)
spec.loader.exec_module(watchdog)


def cpu_ticks(root):
    total = 0
    for p in watchdog.tree(root):
        stat = watchdog.read(f"/proc/{p}/stat")
        if stat:
            f = stat[stat.rfind(")") + 2:].split()
            total += int(f[11]) + int(f[12])  # utime, stime
    return total


def isolate(scratch):
    for cmd in (["mount", "--make-rprivate", "/"],
                # The scratch directory stays writable: a mount of its own.
                ["mount", "--bind", scratch, scratch],
                ["mount", "-o", "remount,bind,ro", "/"],
                ["mount", "-t", "tmpfs", "-o", "mode=1777", "fuzz-tmp", "/tmp"],
                # The new pid namespace's own /proc: the platform finds its
                # stubs there by pid.
                ["mount", "-t", "proc", "proc", "/proc"]):
        if subprocess.run(cmd).returncode != 0:
            print(f"fuzz-syscalls: FAIL: cannot set up the namespace: {' '.join(cmd)}", flush=True)
            sys.exit(1)


def main():
    msentry, minutes, seed, in_ns, scratch = sys.argv[1:6]
    minutes = float(minutes)
    if in_ns != "0":
        isolate(scratch)
    devs = [f"--mount=/dev/{d}:/dev/{d}" for d in ("null", "zero", "urandom")]
    # -a64: the sandbox runs 64-bit programs only; -l off: no log files;
    # -C 2: two children (the machine is shared); nobody, so no
    # --dangerous is needed and file access is checked as for nobody.
    # pid 1 is a root shell, as the host's init is root's: trinity's
    # children aim signals at pid 1 as at an init they cannot touch
    # (fcntl F_SETOWN(1) with O_ASYNC: the kernel's sigio_perm refuses
    # nobody's SIGIO to root's init natively); with trinity itself as
    # pid 1 they killed it (exit 157, SIGIO). The shell ignores SIGINT,
    # which ends the run: trinity takes it and stops cleanly.
    # --disable-fds=sockets: trinity 2023.01's main process, setting random
    # options on the sockets it prepares, reads net_protocols[45], which is
    # the integer 1 in its binary, as a pointer (SEGV at 0x21, natively
    # too); its children still fuzz socket syscalls.
    # --strace=none: no syscalls, only signals (with their si_code and
    # address), exits and execs, to tell what killed whom.
    events = os.path.join(scratch, "events.log")
    cmd = [msentry, "run", "--quiet", "--root=/", "--read-only", "--tmpfs=/tmp",
           "--strace=none", "-o", events, *devs, "--", "/bin/sh", "-c",
           "trap '' INT; chmod 1777 /tmp && cd /tmp && setpriv --reuid=65534 --regid=65534"
           f" --clear-groups trinity -q -l off -a64 -C 2 --disable-fds=sockets -s {seed}"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    lines, verdict = [], None

    def pump():  # a thread: the output as it comes, kept for the verdict
        for line in proc.stdout:
            sys.stdout.write(line)
            lines.append(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    last_cpu, last_cpu_change, stop_sent, idle_since = -1, time.monotonic(), None, None

    while proc.poll() is None:
        time.sleep(0.5)
        now = time.monotonic()
        cpu = cpu_ticks(proc.pid)
        if cpu != last_cpu:
            last_cpu, last_cpu_change = cpu, now
        hung = watchdog.hung_sentries(proc.pid)
        idle_since = (idle_since or now) if hung else None
        if idle_since and now - idle_since >= watchdog.IDLE_SECONDS:
            verdict = "HANG: every stub thread is stopped while the sentry waits in wait4"
        elif now - last_cpu_change >= NO_CPU_SECONDS:
            verdict = f"HANG: no CPU time used by msentry and its stubs for {NO_CPU_SECONDS} s"
        elif stop_sent and now - stop_sent >= STOP_SECONDS:
            verdict = f"HANG: msentry still running {STOP_SECONDS} s after SIGINT"
        elif not stop_sent and now - start >= minutes * 60:
            stop_sent = now
            proc.send_signal(signal.SIGINT)
        if verdict:
            watchdog.kill_tree(proc.pid)
            break
    rc = proc.wait()
    reader.join(timeout=10)
    sys.stdout.flush()
    ran = [ln for ln in lines if "Ran " in ln and "syscalls" in ln]
    print(f"fuzz-syscalls: {ran[-1].strip() if ran else 'trinity printed no syscall count'}"
          f" in {time.monotonic() - start:.0f} s")
    crash = [ln for ln in lines if CRASH_RE.search(ln)]
    if not verdict and rc < 0 and -rc != signal.SIGINT:
        verdict = f"CRASH: msentry died of signal {-rc} ({signal.Signals(-rc).name})"
    if not verdict and crash:
        verdict = f"CRASH: {crash[0].strip()}"
    if not verdict and not ran:
        verdict = "FAIL: trinity did not run to its end (see the log)"
    if verdict:
        deaths = [ln for ln in watchdog.read(events).splitlines() if "killed by" in ln
                  or "SIGBUS" in ln or "SIGSEGV" in ln]
        for ln in deaths[-4:]:
            print(f"fuzz-syscalls: event: {ln}")
        print(f"fuzz-syscalls: {verdict} (seed {seed}, exit {rc})", flush=True)
        return 1
    print(f"fuzz-syscalls: msentry exited with {rc} (seed {seed})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
