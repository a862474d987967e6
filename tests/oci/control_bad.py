#!/usr/bin/env python3
"""Feed a sandbox's control channel untrusted input: every malformed
request must get one error reply (or a closed connection) and leave the
sentry serving. Prints one line per request: its name and the reply's first
word ("error", "ok", or "closed").

Usage: control_bad.py SOCKET
"""
import os
import socket
import sys


def ask(path, payload, fds=()):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(20)
    s.connect(path)
    if fds:
        s.sendmsg([payload], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, bytes(
            b"".join(int(f).to_bytes(4, sys.byteorder) for f in fds)))])
    else:
        s.sendmsg([payload])
    try:
        reply = s.recv(65536)
    except OSError:
        reply = b""
    s.close()
    return reply.split(b" ")[0].split(b"\n")[0].decode() if reply else "closed"


def main():
    path = sys.argv[1]
    null = os.open("/dev/null", os.O_RDWR)
    std = [null, null, null]
    cases = [
        ("empty", b"", ()),
        ("no NUL at the end", b"ps", ()),
        ("unknown verb", b"reboot\0", ()),
        ("ps with a field", b"ps\0x=1\0", ()),
        ("exec without fds", b"exec\0path=/bin/true\0arg=true\0", ()),
        ("exec with a relative path", b"exec\0path=bin/true\0arg=true\0", std),
        ("exec without args", b"exec\0path=/bin/true\0", std),
        ("exec with a bad uid", b"exec\0path=/bin/true\0arg=true\0uid=-1\0", std),
        ("exec with a huge uid", b"exec\0path=/bin/true\0arg=true\0uid=4294967295\0", std),
        ("exec with an unknown field", b"exec\0path=/bin/true\0arg=true\0evil=1\0", std),
        ("exec with a key inside a known one", b"exec\0path=/bin/true\0arg=true\0p=1\0", std),
        ("exec with a path given twice", b"exec\0path=/bin/true\0path=/x\0arg=true\0", std),
        ("exec with a bad env", b"exec\0path=/bin/true\0arg=true\0env=NOEQUALS\0", std),
        ("exec of a missing program", b"exec\0path=/nonexistent\0arg=x\0", std),
        ("exec with a path past PATH_MAX", b"exec\0path=/" + b"a" * 5000 + b"\0arg=x\0", std),
        ("signal without a pid", b"signal\0sig=15\0", ()),
        ("signal 0", b"signal\0sig=0\0pid=1\0", ()),
        ("signal 65", b"signal\0sig=65\0pid=1\0", ()),
        ("signal to a missing pid", b"signal\0sig=15\0pid=99999\0", ()),
        ("signal with a bad pid", b"signal\0sig=15\0pid=1x\0", ()),
        ("oversized", b"exec\0" + b"arg=" + b"x" * 70000 + b"\0", ()),
        ("a field without =", b"signal\0sig\0", ()),
        ("many fds", b"ps\0", [null] * 60),
        ("a valid ps", b"ps\0", ()),
    ]
    for name, payload, fds in cases:
        try:
            print("%s: %s" % (name, ask(path, payload, fds)))
        except OSError as e:
            print("%s: %s" % (name, "refused" if "too long" in str(e) else e.__class__.__name__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
