#!/usr/bin/env python3
"""Write the seed corpus of the fuzz targets into fuzz/corpus/TARGET/.

  fuzz/make-seeds.py [MSENTRY]

Seeds are small and made here rather than copied from real programs: a
minimal static ELF, a PIE with an interpreter and a bss, "#!" lines, and
config.json documents that reach every part of the parser (with MSENTRY,
also the output of `MSENTRY spec`). The strace seeds are a header (see
fuzz_strace.c) plus fake program memory. Crash inputs found later are
added by hand as fuzz/corpus/TARGET/regress-*; this script leaves them.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = 4096


def ehdr(etype, entry, phnum):
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    return ident + struct.pack("<HHIQQQIHHHHHH", etype, 62, 1, entry, 64, 0, 0, 64, 56,
                               phnum, 64, 0, 0)


def phdr(ptype, flags, off, vaddr, filesz, memsz, align=PAGE):
    return struct.pack("<IIQQQQQQ", ptype, flags, off, vaddr, vaddr, filesz, memsz, align)


def elf_seeds():
    PT_LOAD, PT_INTERP, PT_PHDR, PT_GNU_STACK = 1, 3, 6, 0x6474E551
    code = b"\x31\xff\xb8\x3c\x00\x00\x00\x0f\x05"  # exit(0)
    # Static ET_EXEC: one R+X segment holding headers and code.
    hdr_len = 64 + 56
    size = hdr_len + len(code)
    static = ehdr(2, 0x400000 + hdr_len, 1) + phdr(PT_LOAD, 5, 0, 0x400000, size, size) + code
    # PIE with PT_PHDR, PT_INTERP, a text and a data+bss segment.
    interp = b"/lib64/ld-linux-x86-64.so.2\0"
    n = 5
    body_off = 64 + 56 * n
    interp_off = body_off
    code_off = interp_off + len(interp)
    end = code_off + len(code)
    data_off = PAGE
    pie = ehdr(3, code_off, n)
    pie += phdr(PT_PHDR, 4, 64, 64, 56 * n, 56 * n, 8)
    pie += phdr(PT_INTERP, 4, interp_off, interp_off, len(interp), len(interp), 1)
    pie += phdr(PT_LOAD, 5, 0, 0, end, end)
    pie += phdr(PT_LOAD, 6, data_off, 0x1000 + data_off + 0x10, 0x10, 0x2000)
    pie += phdr(PT_GNU_STACK, 6, 0, 0, 0, 0, 16)
    pie += interp + code
    pie = pie.ljust(data_off + 0x10, b"\0") + b"D" * 0x10
    pie = pie[:data_off] + bytes(0x10) + pie[data_off + 0x10:]
    # Static PIE: ET_DYN without an interpreter, bss only segment.
    spie = ehdr(3, hdr_len + 56, 2) + phdr(PT_LOAD, 5, 0, 0, 64 + 112 + len(code),
                                           64 + 112 + len(code))
    spie += phdr(PT_LOAD, 6, 0, 0x3000, 0, 0x1800) + code
    return {"static-exec": static, "pie-interp": pie, "static-pie": spie,
            "not-elf": b"hello", "elf32": b"\x7fELF\x01\x01\x01" + bytes(60)}


def shebang_seeds():
    return {
        "sh": b"#!/bin/sh\necho hi\n",
        "env-arg": b"#! /usr/bin/env  python3 -u \r\nprint()\n",
        "tabs": b"#!\t/bin/busybox\tsh\t-x\n",
        "no-newline": b"#!/bin/true",
        "empty": b"#!   \n",
        "not-script": b"#/bin/sh\n",
    }


def base_config():
    return {
        "ociVersion": "1.0.2",
        "root": {"path": "rootfs", "readonly": True},
        "process": {
            "terminal": False, "user": {"uid": 0, "gid": 0, "umask": 18,
                                        "additionalGids": [1, 2]},
            "args": ["sh", "-c", "true"], "env": ["PATH=/bin", "TERM=xterm"], "cwd": "/",
            "noNewPrivileges": True,
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "capabilities": {k: ["CAP_KILL", "CAP_CHOWN", "CAP_NOT_A_CAP"] for k in
                             ("bounding", "effective", "inheritable", "permitted", "ambient")},
        },
        "hostname": "box",
        "domainname": "example",
        "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                   {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "mode=1777"]}],
        "linux": {
            "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "network",
                                                                "path": "/proc/1/ns/net"}],
            "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"],
            "sysctl": {"net.ipv4.ip_forward": "1"},
            "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229,
                         "fileMode": 438, "uid": 0, "gid": 0}],
        },
        "hooks": {"prestart": [{"path": "/bin/true", "args": ["true"], "env": ["A=1"],
                                "timeout": 5}],
                  "poststop": [{"path": "/bin/true"}]},
        "annotations": {"org.example": "value"},
    }


def config_seeds(msentry):
    full = base_config()
    minimal = {"ociVersion": "1.0.0", "root": {"path": "/abs/rootfs"},
               "process": {"args": ["/bin/true"], "cwd": "/"}}
    seeds = {"full.json": json.dumps(full, indent=1).encode(),
             "minimal.json": json.dumps(minimal).encode(),
             "bad-type.json": b'{"ociVersion": 1}',
             "big-int.json": b'{"ociVersion":"1","root":{"path":"r"},"process":{"args":["a"],'
                             b'"cwd":"/","rlimits":[{"type":"RLIMIT_CORE",'
                             b'"hard":18446744073709551615,"soft":1e30}]}}',
             "syntax.json": b'{"ociVersion": "1.0", "root": '}
    if msentry:
        # `msentry spec` writes config.json into the bundle directory.
        with tempfile.TemporaryDirectory() as d:
            for name, extra in (("spec.json", []), ("spec-rootless.json", ["--rootless"])):
                out = subprocess.run([msentry, "spec", "--bundle", d, *extra],
                                     capture_output=True)
                path = os.path.join(d, "config.json")
                if out.returncode == 0 and os.path.exists(path):
                    with open(path, "rb") as f:
                        seeds[name] = f.read()
                    os.unlink(path)
    return seeds


def strace_seed(nargs, fmts, ret_fmt, limit, flags, args, ret, mem):
    # struct fuzz_header: 10 bytes of u8, padding to 16, six u64, one i64.
    head = struct.pack("<B6BBBB", nargs, *fmts, ret_fmt, limit, flags) + bytes(6)
    head += struct.pack("<6Qq", *args, ret)
    return head + mem


def strace_seeds():
    base = 0x10000
    path = b"/etc/passwd\0"
    iov = struct.pack("<QQQQ", base + 32, 5, base + 37, 3).ljust(32, b"\0") + b"helloabc"
    seeds = {
        # Real entries (flags bit 1): args[0] | args[1] << 8 is the number.
        "openat": strace_seed(4, [257 & 255, 257 >> 8, 0, 0, 0, 0], 0, 32, 2,
                              [2**64 - 100, base, 0o2101, 0o644, 0, 0], 3, path),
        "writev": strace_seed(3, [20, 0, 0, 0, 0, 0], 0, 32, 2, [1, base, 2, 0, 0, 0], 8, iov),
        "fstat": strace_seed(2, [5, 0, 0, 0, 0, 0], 0, 32, 2, [3, base, 0, 0, 0, 0], 0,
                             bytes(144)),
        "unknown": strace_seed(6, [0] * 6, 0, 32, 1, [1, 2, 3, 4, 5, 6], -38, b""),
    }
    # Made-up syscalls: every argument the same format, pointing at memory.
    mem = (b"abc\0" * 64) + struct.pack("<QQ", base, 0) + bytes(200)
    for f in range(0, 80, 8):
        seeds["fmt-%02d" % f] = strace_seed(6, [f + k for k in range(6)], f % 5, 16, 0,
                                            [base] * 6, 16, mem)
    return seeds


def main():
    msentry = sys.argv[1] if len(sys.argv) > 1 else None
    sets = {"elf": elf_seeds(), "shebang": shebang_seeds(), "config": config_seeds(msentry),
            "strace": strace_seeds()}
    for target, seeds in sets.items():
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
