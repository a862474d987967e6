#!/usr/bin/env python3
"""The escape suite's canary: a host process outside the sandbox.

canary.py INFO_DIR LOG: writes its host pid (INFO_DIR/canary), the address
and length of a secret buffer in its memory (addr, len), the secret
itself to LOG.secret (outside the root), then logs to LOG
every signal it receives ("signal N") and any change of the buffer
("memory changed"), until killed. Its own session and process group, so a
group kill reaches it alone. The test judges the canary's log, its state in
/proc (stopped, traced, nice, limits) and whether the secret turned up in
the sandbox's files.
"""
import ctypes
import os
import signal
import sys
import time

info, log = sys.argv[1], sys.argv[2]
try:
    os.setsid()
except OSError:
    pass  # already a session leader (started by setsid)
secret = ("CANARY-SECRET-%d-%s" % (os.getpid(), os.urandom(6).hex())).encode()
buf = ctypes.create_string_buffer(secret, 256)


def note(line):
    with open(log, "a") as f:
        f.write(line + "\n")


def on_signal(sig, _frame):
    note("signal %d" % sig)


for sig in range(1, signal.NSIG):
    if sig in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD):
        continue
    try:
        signal.signal(sig, on_signal)
    except (OSError, ValueError, RuntimeError):
        pass
for name, value in (("addr", "%x" % ctypes.addressof(buf)), ("len", str(len(secret))),
                    ("canary", str(os.getpid()))):
    with open(os.path.join(info, name + ".tmp"), "w") as f:
        f.write(value)
    os.rename(os.path.join(info, name + ".tmp"), os.path.join(info, name))
# The secret itself only outside the root, for the host's grep.
with open(log + ".secret", "w") as f:
    f.write(secret.decode())
changed = False
while True:
    time.sleep(0.02)
    if not changed and buf.raw[:len(secret)] != secret:
        changed = True
        note("memory changed")
