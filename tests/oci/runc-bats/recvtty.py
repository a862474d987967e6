#!/usr/bin/env python3
"""msentry: a stand-in for runc's contrib/cmd/recvtty (a Go program we do not
build), written for these tests; it shares no code with runc's.

Usage: recvtty.py [--pid-file FILE] [--mode null|single] [--no-stdin] SOCKET

Listens on the unix socket SOCKET, where a runtime run with
--console-socket sends the pty master of a container's terminal (one
message, one SCM_RIGHTS fd).
  null:   accept any number of connections; read and discard everything
          each master yields until it ends (what helpers.bash uses).
  single: accept one connection, copy the master to stdout and stdin to
          the master (unless --no-stdin) until the master ends.
The pid file is written once the socket listens, so a caller that waits
for it never races the bind.
"""
import argparse
import array
import os
import socket
import sys
import threading


def recv_fd(conn):
    fds = array.array("i")
    _, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    for extra in fds[1:]:
        os.close(extra)
    return fds[0] if fds else -1


def drain(fd, out=None):
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the slave side is closed
            break
        if not data:
            break
        if out is not None:
            os.write(out, data)
    os.close(fd)


def serve_null(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            fd = recv_fd(conn)
        if fd >= 0:
            threading.Thread(target=drain, args=(fd,), daemon=True).start()


def serve_single(listener, no_stdin):
    conn, _ = listener.accept()
    listener.close()
    with conn:
        fd = recv_fd(conn)
    if fd < 0:
        sys.exit("[recvtty] no fd received")
    if not no_stdin:
        def pump():
            while True:
                data = os.read(0, 65536)
                if not data:
                    return
                os.write(fd, data)
        threading.Thread(target=pump, daemon=True).start()
    drain(fd, 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pid-file", default="")
    p.add_argument("--mode", "-m", default="single")
    p.add_argument("--no-stdin", action="store_true")
    p.add_argument("socket")
    a = p.parse_args()
    if a.mode not in ("null", "single"):
        sys.exit("[recvtty] need to select a valid mode: " + a.mode)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(a.socket)
    listener.listen(16)
    if a.pid_file:
        tmp = a.pid_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(tmp, a.pid_file)
    if a.mode == "null":
        serve_null(listener)
    else:
        serve_single(listener, a.no_stdin)


if __name__ == "__main__":
    main()
