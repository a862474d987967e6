#!/bin/sh
# compare.sh MSENTRY PROG [ARGS...]: run PROG natively and under msentry;
# stdout and exit status must be identical (the native run must pass first).
set -u
msentry=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$@" >"$tmp/native" 2>"$tmp/native.err"
native_rc=$?
"$msentry" run --quiet "$@" >"$tmp/sandbox" 2>"$tmp/sandbox.err"
sandbox_rc=$?
if grep -q FAIL "$tmp/native"; then
	echo "native run fails its own checks:"
	cat "$tmp/native"
	exit 1
fi
if [ "$native_rc" != "$sandbox_rc" ] || ! cmp -s "$tmp/native" "$tmp/sandbox"; then
	echo "exit status: native $native_rc, msentry $sandbox_rc"
	diff -u "$tmp/native" "$tmp/sandbox"
	cat "$tmp/sandbox.err"
	exit 1
fi
cat "$tmp/sandbox"
exit 0
