#!/usr/bin/env bash
# Signals sent to msentry reach the sandbox: SIGTERM to init runs its trap;
# SIGINT reaches the foreground group.
set -u
msentry=$1
"$msentry" run sh -c 'trap "echo got TERM; exit 5" TERM; sleep 30 & wait' >/tmp/msentry-sigfwd.$$ &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
rc=$?
out=$(cat /tmp/msentry-sigfwd.$$)
rm -f /tmp/msentry-sigfwd.$$
if [ "$rc" != 5 ] || [ "$out" != "got TERM" ]; then
	echo "FAIL: SIGTERM: exit $rc, output '$out'"
	exit 1
fi
"$msentry" run sleep 30 &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" != 130 ]; then
	echo "FAIL: SIGINT: exit $rc (want 130)"
	exit 1
fi
echo "ok: SIGTERM and SIGINT forwarded"
