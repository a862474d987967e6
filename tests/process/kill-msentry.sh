#!/usr/bin/env bash
# SIGKILL msentry while a process tree runs inside: every stub must be gone
# (PTRACE_O_EXITKILL and PR_SET_PDEATHSIG), no zombie left.
set -u
msentry=$1
"$msentry" run sh -c 'sleep 60 & sleep 60 & (sleep 60; echo never) & wait' &
pid=$!
sleep 1
stubs=$(pgrep -P "$pid" | tr '\n' ' ')
if [ -z "$stubs" ]; then
	echo "FAIL: no stub processes found under msentry ($pid)"
	exit 1
fi
kill -9 "$pid"
wait "$pid" 2>/dev/null
sleep 0.5
# A dead stub may linger as a zombie until the host's init reaps it (the
# stub was reparented when msentry died); what must not exist is a live one.
for s in $stubs; do
	state=$(awk '/^State:/ {print $2}' "/proc/$s/status" 2>/dev/null)
	if [ -n "$state" ] && [ "$state" != Z ]; then
		echo "FAIL: stub $s survived msentry (state $state)"
		exit 1
	fi
done
echo "ok: $(echo $stubs | wc -w) stubs gone after SIGKILL of msentry"
