#!/usr/bin/env python3
"""Play containerd's shim: become a child subreaper, run the runtime's
create (which exits, leaving the container's init re-parented to us),
start, optionally kill, then reap the init ourselves and print its wait
status as the shim sees it.

Usage: subreaper.py RUNTIME ROOT BUNDLE ID SIGNAL|none [DELAY]
       subreaper.py --leftovers COMMAND...
       subreaper.py --exec PIDFILE [SIGNAL] -- COMMAND...
The second form runs COMMAND (a create expected to fail) and prints its
exit status, its stderr, and any process it left behind (re-parented to
us, alive or a zombie): "leftovers=none" or their pids.

Prints (stdout), one per line:
  pidfile=<repr of the pid file's bytes>
  parent=<the init's parent pid is ours: yes|no>
  status-created=<status after create>   status-running=<after start>
  exit=<shell-style status: the exit code, or 128+N for signal N>
  status-stopped=<status after the reap>
The --exec form runs COMMAND (an `exec --detach --pid-file PIDFILE`), as
the shim does, and prints the pid file's form, whether the pid in it is
re-parented to us, and its exit status once reaped (after SIGNAL if given).

Exit 0 if every step ran, 1 otherwise (the reason on stderr).
"""
import ctypes
import json
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def runtime(rt, root, *args):
    return subprocess.run([rt, "--root", root, *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)


def status_of(rt, root, cid):
    r = runtime(rt, root, "state", cid)
    if r.returncode != 0:
        return "error: " + r.stderr.strip()
    s = json.loads(r.stdout)
    return "%s pid=%s" % (s["status"], "0" if s["pid"] == 0 else "N")


def children():
    found = []
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and int(open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                found.append(int(p))
        except OSError:
            pass
    return found


def leftovers(cmd):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    print("exit=%d" % r.returncode)
    print("stderr=%s" % r.stderr.rstrip("\n").replace("\n", "\\n"))
    time.sleep(0.2)
    left = []
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:  # live children: kill them, and report them
            for child in children():
                left.append(str(child))
                os.kill(child, signal.SIGKILL)
            time.sleep(0.1)
            continue
        left.append(str(pid))
    print("leftovers=%s" % (" ".join(left) if left else "none"))
    return 0


def detached_exec(pidfile, sig, cmd):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # The process keeps the exec's stdio: files, not pipes to wait on.
    with open(pidfile + ".out", "wb") as out:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    if r.returncode != 0:
        print("exec failed (%d): %s" % (r.returncode, open(pidfile + ".out").read().strip()))
        return 1
    raw = open(pidfile, "rb").read()
    print("pidfile=%s" % ("decimal-no-newline" if raw.isdigit() else repr(raw)))
    pid = int(raw)
    ppid = int(open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[1])
    print("parent=%s" % ("yes" if ppid == os.getpid() else "no (%d)" % ppid))
    if sig:
        time.sleep(0.3)
        os.kill(pid, getattr(signal, "SIG" + sig))
    _, ws = os.waitpid(pid, 0)
    print("exit=%d" % (128 + os.WTERMSIG(ws) if os.WIFSIGNALED(ws) else os.WEXITSTATUS(ws)))
    return 0


def main():
    if sys.argv[1] == "--leftovers":
        return leftovers(sys.argv[2:])
    if sys.argv[1] == "--exec":
        dash = sys.argv.index("--")
        sig = sys.argv[3] if dash == 4 else None
        return detached_exec(sys.argv[2], sig, sys.argv[dash + 1:])
    rt, root, bundle, cid, sig = sys.argv[1:6]
    delay = float(sys.argv[6]) if len(sys.argv) > 6 else 0.5
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("cannot become a subreaper", file=sys.stderr)
        return 1
    pidfile = os.path.join(bundle, "init.pid")
    if os.path.exists(pidfile):
        os.unlink(pidfile)
    # The container's stdio are create's (files here: a pipe would stay
    # open in the init, and waiting for its end would wait for the init).
    out_path, err_path = os.path.join(bundle, "stdout"), os.path.join(bundle, "stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        r = subprocess.run([rt, "--root", root, "create", "--bundle", bundle, "--pid-file",
                            pidfile, cid], stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    if r.returncode != 0:
        print("create failed: " + open(err_path).read().strip(), file=sys.stderr)
        return 1
    raw = open(pidfile, "rb").read()
    print("pidfile=%s" % ("decimal-no-newline" if raw.isdigit() else repr(raw)))
    pid = int(raw)
    ppid = int(open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[1])
    print("parent=%s" % ("yes" if ppid == os.getpid() else "no (%d)" % ppid))
    print("status-created=%s" % status_of(rt, root, cid))
    r = runtime(rt, root, "start", cid)
    if r.returncode != 0:
        print("start failed: " + r.stderr.strip(), file=sys.stderr)
        return 1
    if sig != "none":
        time.sleep(delay)
        print("status-running=%s" % status_of(rt, root, cid))
        r = runtime(rt, root, "kill", cid, sig)
        if r.returncode != 0:
            print("kill failed: " + r.stderr.strip(), file=sys.stderr)
    _, ws = os.waitpid(pid, 0)
    code = 128 + os.WTERMSIG(ws) if os.WIFSIGNALED(ws) else os.WEXITSTATUS(ws)
    print("exit=%d" % code)
    print("status-stopped=%s" % status_of(rt, root, cid))
    runtime(rt, root, "delete", cid)
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
