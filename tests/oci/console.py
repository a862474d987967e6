#!/usr/bin/env python3
"""Play containerd's shim with a terminal: listen on a console socket, run
the runtime's create with --console-socket, receive the pty master (one
message, exactly one SCM_RIGHTS fd, a non-empty name), set a window size
on it, start, type INPUT (if any, with echo off), read everything the container writes
until the slave side closes, reap the init (we are a child subreaper, as
the shim is) and delete the container.

Usage: console.py RUNTIME ROOT BUNDLE ID ROWS COLS [INPUT|WINCH]
(WINCH: once the container prints "ready", resize the terminal to 40x100.)
Prints (stdout), one per line:
  received=<fds in the message> name=<nonempty|empty>
  exit=<shell-style status of the init>
  then the container's output, "\\r\\n" turned into "\\n".
Exit 0 if every step ran, 1 otherwise (the reason on stderr).
"""
import array
import ctypes
import fcntl
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time

PR_SET_CHILD_SUBREAPER = 36


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def receive_master(listener):
    listener.settimeout(30)
    conn, _ = listener.accept()
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
    conn.close()
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
    print(f"received={len(fds)} name={'nonempty' if msg else 'empty'}")
    if len(fds) != 1:
        fail(f"expected one fd, got {len(fds)}")
    return fds[0]


def read_all(master, deadline):
    out = b""
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 1)
        if not r:
            continue
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: every slave fd is closed
            break
        if not data:
            break
        out += data
    return out


def main():
    rt, root, bundle, cid, rows, cols = sys.argv[1:7]
    typed = sys.argv[7] if len(sys.argv) > 7 else None
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "console.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    r = subprocess.run([rt, "--root", root, "create", "--bundle", bundle, "--console-socket",
                        path, cid], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=60)
    if r.returncode != 0:
        fail(f"create: {r.returncode}: {r.stderr.strip()}")
    master = receive_master(listener)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", int(rows), int(cols), 0, 0))
    r = subprocess.run([rt, "--root", root, "start", cid], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail(f"start: {r.returncode}: {r.stderr.strip()}")
    pre = b""
    if typed == "WINCH":
        # Resize once the container says it is ready: the host signals
        # the terminal's foreground group, the program must see SIGWINCH.
        deadline = time.monotonic() + 30
        while b"ready" not in pre and time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 1)
            if r:
                pre += os.read(master, 4096)
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        typed = None
    if typed:
        # No echo: the typed line would otherwise appear wherever the
        # line discipline saw it, before or after the container's output.
        attrs = termios.tcgetattr(master)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(master, termios.TCSANOW, attrs)
        os.write(master, typed.encode())
    out = pre + read_all(master, time.monotonic() + 30)
    status = None
    deadline = time.monotonic() + 30
    while status is None and time.monotonic() < deadline:
        pid, st = os.waitpid(-1, os.WNOHANG)
        if pid:
            status = os.waitstatus_to_exitcode(st)
        else:
            time.sleep(0.05)
    print(f"exit={status if status is None or status >= 0 else 128 - status}")
    subprocess.run([rt, "--root", root, "delete", "--force", cid], capture_output=True,
                   timeout=60)
    sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
    os.close(master)
    os.unlink(path)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
