#!/usr/bin/env bash
# Runs the isolation probe under msentry and checks the host was untouched.
set -u
msentry=$1 probe=$2
before=$(hostname)
"$msentry" run --quiet "$probe"
rc=$?
after=$(hostname)
if [ "$before" != "$after" ]; then
	echo "FAIL: the host's hostname changed from '$before' to '$after'"
	hostname "$before"
	exit 1
fi
echo "ok: host hostname unchanged ($after)"
exit $rc
