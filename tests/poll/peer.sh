#!/bin/sh
# peer.sh MSENTRY PYTHON PEER.PY: a TCP echo over 127.0.0.1 between a process
# in msentry and a native one, in both directions.
set -u
msentry=$1 python=$2 peer=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
"$python" "$peer" server "$tmp/port1" >"$tmp/s1" &
"$msentry" run --quiet "$python" "$peer" client "$tmp/port1" >"$tmp/c1" || status=1
wait $! || status=1
"$msentry" run --quiet "$python" "$peer" server "$tmp/port2" >"$tmp/s2" &
"$python" "$peer" client "$tmp/port2" >"$tmp/c2" || status=1
wait $! || status=1
cat "$tmp/c1" "$tmp/s1" "$tmp/c2" "$tmp/s2"
grep -q "client echo ok" "$tmp/c1" && grep -q "client echo ok" "$tmp/c2" || status=1
grep -q "server done" "$tmp/s1" && grep -q "server done" "$tmp/s2" || status=1
exit $status
