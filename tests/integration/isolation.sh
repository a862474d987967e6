#!/usr/bin/env bash
# Runs the isolation probe under msentry and checks the host was untouched.
# What `int $0x80` does differs between hosts (see isolation.c): the probe
# first learns it natively.
set -u
msentry=$1 probe=$2
native_int80=$("$probe" int80)
before=$(hostname)
"$msentry" run --quiet "$probe" "$native_int80"
rc=$?
after=$(hostname)
if [ "$before" != "$after" ]; then
	echo "FAIL: the host's hostname changed from '$before' to '$after'"
	hostname "$before"
	exit 1
fi
echo "ok: host hostname unchanged ($after)"
exit $rc
