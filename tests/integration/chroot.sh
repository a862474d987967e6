#!/usr/bin/env bash
# chroot(2) inside the sandbox, against the same commands run natively:
# coreutils' chroot into a small jail (busybox, a dynamic ls whose loader
# is reached through Debian's absolute /lib64 symlink), "..", absolute and
# climbing symlinks stopping at the jail's root, getcwd, /proc links, and
# Python's os.chroot as root and as nobody. Needs root (chroot natively).
set -u
msentry=$(realpath "$1")
if [ "$(id -u)" != 0 ]; then
	echo "msentry: chroot test: skipped: native chroot needs root"
	exit 77
fi
tmp=$(mktemp -d /var/tmp/msentry-chroot.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
jail=$tmp/jail
mkdir -p "$jail/bin" "$jail/etc" "$jail/deep/er" "$jail/deep/bin" "$jail/lib64"
cp /bin/busybox "$jail/bin/"
cp /bin/busybox "$jail/deep/bin/"
ln -s busybox "$jail/bin/sh"
# ls and what it loads, at their own paths, and the loader through an
# absolute symlink as Debian has it: resolved in the jail, not the sandbox.
cp /bin/ls "$jail/bin/"
for lib in $(ldd /bin/ls | awk '$3 ~ /^\// {print $3}') /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2; do
	mkdir -p "$jail$(dirname "$lib")"
	cp -L "$lib" "$jail$lib"
done
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$jail/lib64/ld-linux-x86-64.so.2"
echo jail >"$jail/etc/marker"
echo outside >"$tmp/marker"
ln -s / "$jail/escape"
ln -s /etc/marker "$jail/abs-link"
ln -s ../../.. "$jail/deep/er/up"

fail=0
# same NAME CMD...: CMD's output and status natively and under msentry.
same() {
	local name=$1 native got
	shift
	native=$(cd "$tmp" && "$@" 2>&1; echo "status=$?")
	got=$(cd "$tmp" && timeout -k 5 60 "$msentry" run --quiet $opts -- "$@" 2>&1; echo "status=$?")
	if [ "$native" != "$got" ]; then
		echo "FAIL: $name: native [$native] msentry [$got]"
		fail=1
	else
		echo "ok: $name: $(echo "$got" | tr '\n' ' ')"
	fi
}
# Twice: paths resolved by the host from the jail's fd, and through the
# sandbox's mount table (any mount puts it in use), which folds them.
for opts in "" "--tmpfs=/mnt"; do
echo "-- msentry run $opts"
same "ls / in the jail (dynamic, loader via an absolute link)" chroot "$jail" /bin/ls /
same "cd .. stops at the jail's root" chroot "$jail" /bin/sh -c 'cd /deep/er; cd ../../../..; pwd; /bin/ls'
same "/.. and /escape stay in the jail" chroot "$jail" /bin/busybox cat /../etc/marker /escape/etc/marker /escape/../../etc/marker
same "an absolute symlink resolves in the jail" chroot "$jail" /bin/busybox cat /abs-link
same "a climbing symlink stops at the jail's root" chroot "$jail" /bin/busybox cat /deep/er/up/etc/marker /deep/er/up/marker
same "the file outside the jail is missing" chroot "$jail" /bin/busybox cat /../marker
same "writes stay in the jail" chroot "$jail" /bin/sh -c 'echo made > /escape/../made; /bin/busybox cat /made'
same "a second chroot, relative to the first" chroot "$jail" /bin/busybox chroot /deep /bin/../../bin/busybox ls -a / /..
same "nobody may not chroot" chroot --userspec=65534:65534 "$jail" /bin/busybox chroot / /bin/busybox true
py='
import os, sys
j = sys.argv[1]
fd = os.open("/", os.O_RDONLY)
os.chroot(j)
print("listdir", sorted(os.listdir("/")))
try:
    print("cwd", os.getcwd())
except OSError as e:
    print("cwd error", e.errno)
print("marker", open("/etc/marker").read().strip())
os.chdir("/deep")
print("cwd", os.getcwd())
print("root link", os.readlink("/proc/self/root") if os.path.exists("/proc") else "no /proc")
os.fchdir(fd)  # a directory outside the jail, reached by an fd
print("outside, relative", open(os.path.dirname(j)[1:] + "/marker").read().strip())
os.chroot(".")  # back to the old root through the cwd, as Linux allows
print("back", os.path.exists(j + "/etc/marker"))
'
same "python os.chroot, getcwd, fchdir out and chroot back" python3 -c "$py" "$jail"
# /proc of the sandbox seen from inside a jail that mounts nothing: the
# links name paths from the reader's root.
same "/proc/self/cwd and root after chroot, seen through an fd" python3 -c '
import os, sys
p = os.open("/proc/self", os.O_RDONLY)
os.chroot(sys.argv[1]); os.chdir("/deep")
print(os.readlink("cwd", dir_fd=p), os.readlink("root", dir_fd=p))' "$jail"
same "nobody's os.chroot is refused" python3 -c '
import os, sys
os.setgid(65534); os.setuid(65534)
try:
    os.chroot(sys.argv[1])
except PermissionError as e:
    print("refused", e.errno)' "$jail"
done
exit $fail
