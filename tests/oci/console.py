#!/usr/bin/env python3
"""Play containerd's shim with a terminal: listen on a console socket, run
the runtime's create with --console-socket, receive the pty master (one
message, exactly one SCM_RIGHTS fd, a non-empty name), set a window size
on it, start, type INPUT (if any, with echo off), read everything the container writes
until the slave side closes, reap the init (we are a child subreaper, as
the shim is) and delete the container.

Usage: console.py RUNTIME ROOT BUNDLE ID ROWS COLS [INPUT|WINCH|INTR]
(WINCH: once the container prints "ready", resize the terminal to 40x100;
INTR: once it prints "ready", type ^C.)
   or: console.py --exec RUNTIME ROOT PROCESS_JSON ID ROWS COLS [INPUT|WINCH|INTR]
(the same for `exec --detach --console-socket --process PROCESS_JSON ID`
into a running container, as containerd's shim runs `ctr task exec -t`:
"exit" is then the status of the pid file's process, the exec's waiter.)
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


def run(argv):
    """Start the process; the pty master."""
    exec_mode = argv[0] == "--exec"
    rt, root, what, cid, rows, cols = argv[1:7] if exec_mode else argv[0:6]
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "console.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    if exec_mode:
        cmd = ["exec", "--detach", "--pid-file", os.path.join(tmp, "exec.pid"),
               "--console-socket", path, "--process", what, cid]
    else:
        cmd = ["create", "--bundle", what, "--console-socket", path, cid]
    r = subprocess.run([rt, "--root", root] + cmd, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail(f"{cmd[0]}: {r.returncode}: {r.stderr.strip()}")
    master = receive_master(listener)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", int(rows), int(cols), 0, 0))
    if not exec_mode:
        r = subprocess.run([rt, "--root", root, "start", cid], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            fail(f"start: {r.returncode}: {r.stderr.strip()}")
    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)
    return master


def main():
    exec_mode = sys.argv[1] == "--exec"
    args = sys.argv[2:] if exec_mode else sys.argv[1:]
    rt, root, cid = args[0], args[1], args[3]
    typed = args[6] if len(args) > 6 else None
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    master = run(sys.argv[1:])
    pre = b""
    if typed in ("WINCH", "INTR"):
        # Once the program says it is ready: a resize (the host signals
        # the terminal's foreground group, the program must see SIGWINCH)
        # or ^C (the line discipline sends SIGINT to that group).
        deadline = time.monotonic() + 30
        while b"ready" not in pre and time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 1)
            if r:
                pre += os.read(master, 4096)
        if typed == "WINCH":
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        else:
            os.write(master, b"\x03")
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
    if not exec_mode:
        subprocess.run([rt, "--root", root, "delete", "--force", cid], capture_output=True,
                       timeout=60)
    sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
    os.close(master)


if __name__ == "__main__":
    main()
