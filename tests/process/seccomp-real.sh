#!/bin/sh
# A real program that installs its own seccomp filters through libseccomp:
# man-db's man (its helpers run under a filter). Its output under msentry
# is the native one, and under msentry the filters really were installed
# (SECCOMP_SET_MODE_FILTER succeeded: seccomp(1, ...) = 0 in --strace).
# Usage: seccomp-real.sh path/to/msentry
set -u
msentry=$1
man=$(command -v man) || { echo "man (man-db) not installed: skipped"; exit 77; }
here=$(dirname "$0")
set -- /usr/bin/env MANPAGER=cat MANWIDTH=80 LANG=C.UTF-8 MAN_KEEP_FORMATTING= "$man" ls
"$here/run-compare.sh" "$msentry" "$@" || exit 1
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT
timeout 120 "$msentry" run --quiet --strace -o "$trace" "$@" >/dev/null 2>&1
if ! grep -q 'seccomp(1, 0, 0x[0-9a-f]*) *= 0' "$trace"; then
	echo "FAIL: man installed no seccomp filter under msentry"
	grep 'seccomp(' "$trace" | head -20
	exit 1
fi
echo "ok: man's helpers ran under their seccomp filters"
