#!/bin/sh
# Proves the SIGSEGV arrival path of vsyscall emulation on a real
# vsyscall=none kernel: boots Debian's cloud kernel under qemu (TCG) with an
# initramfs holding a static msentry and a legacy program (glibc 2.5-style
# vsyscall calls). Natively the program must die of SIGSEGV there; under
# msentry it must run correctly.
#   qemu-test.sh SRCDIR PROJECT_ROOT
# Needs tests/vdso/setup-qemu.sh to have run (qemu-system-x86 + kernel in
# $MSENTRY_QEMU_CACHE, default /var/cache/msentry-qemu); skips (77) if not.
set -u
src=$1
root=$2
cache=${MSENTRY_QEMU_CACHE:-/var/cache/msentry-qemu}
skip() { echo "SKIP: $*"; exit 77; }
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "qemu-system-x86_64 not installed (run tests/vdso/setup-qemu.sh)"
[ -s "$cache/vmlinuz" ] || skip "no kernel in $cache (run tests/vdso/setup-qemu.sh)"
command -v python3 >/dev/null 2>&1 || skip "python3 needed to write the initramfs"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
set -e
meson setup "$work/build" "$root" -Dstatic=true -Dtests=false >"$work/setup.log" 2>&1 ||
	{ cat "$work/setup.log"; echo "FAIL: static msentry build setup"; exit 1; }
ninja -C "$work/build" cmd/msentry >"$work/build.log" 2>&1 ||
	{ tail -20 "$work/build.log"; echo "FAIL: static msentry build"; exit 1; }
mkdir -p "$work/root/proc" "$work/root/dev" "$work/root/tmp"
cp "$work/build/cmd/msentry" "$work/root/msentry"
cc -O2 -static -o "$work/root/legacy" "$src/legacy.c"
cc -O2 -static -o "$work/root/vdsoprobe" "$src/vdsoprobe.c"
cc -O2 -static -o "$work/root/init" "$src/qemu-init.c"
printf '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n' >"$work/hello.c"
cc -O2 -static -o "$work/root/hello" "$work/hello.c"
python3 - "$work/root" "$work/initrd" <<'PY'
# A newc cpio archive of a directory (no cpio(1) needed).
import os, sys
root, out = sys.argv[1], sys.argv[2]
ino = [0]
def entry(f, name, mode, data=b""):
    ino[0] += 1
    hdr = "070701" + "".join("%08x" % v for v in (ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0))
    f.write(hdr.encode() + name.encode() + b"\0")
    f.write(b"\0" * ((4 - (110 + len(name) + 1) % 4) % 4))
    f.write(data)
    f.write(b"\0" * ((4 - len(data) % 4) % 4))
with open(out, "wb") as f:
    for d, dirs, files in os.walk(root):
        for n in sorted(dirs + files):
            p = os.path.join(d, n)
            rel = os.path.relpath(p, root)
            st = os.stat(p)
            if os.path.isdir(p):
                entry(f, rel, 0o40755)
            else:
                entry(f, rel, 0o100000 | (st.st_mode & 0o7777), open(p, "rb").read())
    entry(f, "TRAILER!!!", 0)
PY
set +e
timeout 300 qemu-system-x86_64 -accel tcg -cpu max -m 512 -smp 1 -nographic -no-reboot \
	-kernel "$cache/vmlinuz" -initrd "$work/initrd" \
	-append "console=ttyS0 vsyscall=none panic=-1 quiet" </dev/null >"$work/console" 2>&1
rc=$?
[ -n "${MSENTRY_QEMU_LOG:-}" ] && cp "$work/console" "$MSENTRY_QEMU_LOG"
grep -E '^(CMDLINE|RESULT)|msentry:' "$work/console" | tr -d '\r'
grep -q 'RESULT' "$work/console" || {
	[ $rc = 124 ] && echo "qemu timed out"
	tail -30 "$work/console"
	skip "qemu did not run the test (rc $rc)"
}
fail=0
grep -q 'CMDLINE.*vsyscall=none' "$work/console" || { echo "FAIL: kernel not booted with vsyscall=none"; fail=1; }
grep -q 'RESULT native: signal 11' "$work/console" || { echo "FAIL: natively the legacy program did not die of SIGSEGV"; fail=1; }
grep -q 'RESULT hello: exit 0' "$work/console" || { echo "FAIL: msentry cannot run a static hello on this kernel (a sentry problem, not a vsyscall one)"; fail=1; }
grep -q 'RESULT msentry: exit 0' "$work/console" || { echo "FAIL: the legacy program failed under msentry"; fail=1; }
grep -q 'RESULT probe: exit 0' "$work/console" || { echo "FAIL: vdsoprobe failed under msentry"; fail=1; }
grep -q 'RESULT refused: exit 139' "$work/console" || { echo "FAIL: --vsyscall=none did not give SIGSEGV"; fail=1; }
[ $fail = 0 ] && echo "ok: vsyscall emulation works on a vsyscall=none kernel"
exit $fail
