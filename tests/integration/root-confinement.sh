#!/usr/bin/env bash
# --root: every path the program names resolves inside the root, whatever
# "..", absolute symlinks or relative symlinks climbing out try to do.
set -u
msentry=$1
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp/deep"
cp /bin/busybox "$root/bin/"
echo inside >"$root/etc/hostname"
ln -s / "$root/escape"
ln -s ../../../../../../etc "$root/tmp/deep/up"
fail=0
expect() { # expect WANT ARGS...
	local want=$1 got
	shift
	got=$("$msentry" run --quiet --root="$root" busybox "$@" 2>&1)
	if [ "$got" != "$want" ]; then
		echo "FAIL: busybox $*: got '$got', want '$want'"
		fail=1
	else
		echo "ok: busybox $* -> $got"
	fi
}
expect inside cat /etc/hostname
expect inside cat /../../../etc/hostname
expect inside cat /escape/etc/hostname
expect inside cat /escape/escape/../etc/hostname
expect inside cat /tmp/deep/up/hostname
expect inside sh -c 'cd /tmp/deep; cd ../../../..; cat etc/hostname'
expect / sh -c 'cd ..; pwd'
expect "$(printf 'bin\nescape\netc\ntmp')" ls /
expect /bin/busybox readlink /proc/self/exe
# Writes stay inside too.
"$msentry" run --quiet --root="$root" busybox sh -c 'echo made > /escape/tmp/new-file'
if [ -e /tmp/new-file ] || [ "$(cat "$root/tmp/new-file" 2>/dev/null)" != made ]; then
	echo "FAIL: a write through /escape left the root"
	rm -f /tmp/new-file
	fail=1
else
	echo "ok: a write through /escape stayed inside the root"
fi
exit $fail
