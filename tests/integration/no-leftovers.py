#!/usr/bin/env python3
"""Run a command as a child subreaper and fail if it leaves processes behind.

Orphans of the command (stubs that outlived msentry, say) are re-parented to
us instead of to init, so they can be seen: after the command exits, any
live child left is an error (exit 99). Otherwise the command's own exit
status is returned.
"""
import ctypes
import os
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("no-leftovers: prctl(PR_SET_CHILD_SUBREAPER) failed")
# The command's fds are the caller's, all of them (the escape suite hands
# msentry a stray fd on purpose).
rc = subprocess.call(sys.argv[1:], close_fds=False)
if rc < 0:  # killed by signal -rc: the shell's 128+N
    rc = 128 - rc
time.sleep(0.2)
left = []
for tid in os.listdir("/proc/self/task"):
    with open("/proc/self/task/%s/children" % tid) as f:
        left += f.read().split()
live = []
for pid in left:
    try:
        with open("/proc/%s/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        continue
    if state != "Z":
        live.append(pid)
    try:
        os.waitpid(int(pid), os.WNOHANG)
    except ChildProcessError:
        pass
if live:
    print("no-leftovers: processes left behind: %s" % " ".join(live), file=sys.stderr)
    for pid in live:
        try:
            os.kill(int(pid), 9)
        except OSError:
            pass
    sys.exit(99)
sys.exit(rc)
