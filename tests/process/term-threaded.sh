#!/usr/bin/env bash
# A multi-threaded program killed from outside, as `docker stop` and `ctr
# task kill` do: SIGTERM to msentry, which forwards it to the sandbox's
# init. Without a handler the program dies of it (143); Python with a
# handler and a daemon thread runs its handler on the main thread and exits
# with the handler's status. Each case is compared with the program run
# natively, and runs under tests/watchdog.py, so a hang fails at once.
#   term-threaded.sh MSENTRY WATCHDOG THREADS-PROGRAM
set -u
msentry=$1 watchdog=$2 prog=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/handler.py" <<'PY'
import signal, sys, threading, time
def spin():
    while True:
        time.sleep(0.01)
threading.Thread(target=spin, daemon=True).start()
signal.signal(signal.SIGTERM, lambda s, f: sys.exit(3))
print("ready", flush=True)
time.sleep(60)
PY
cat >"$work/nohandler.py" <<'PY'
import threading, time
threading.Thread(target=lambda: time.sleep(60), daemon=True).start()
print("ready", flush=True)
time.sleep(60)
PY
fail=0
# Start CMD (prefix: "" or msentry run), wait for "ready", SIGTERM it,
# print its exit status.
term_status() {
	local out=$work/out
	: >"$out"
	"$@" >"$out" 2>/dev/null &
	local pid=$!
	for _ in $(seq 100); do grep -q ready "$out" && break; sleep 0.05; done
	sleep 0.2
	kill -TERM "$pid"
	wait "$pid"
	echo $?
}
for case in "$prog" "python3 $work/handler.py" "python3 $work/nohandler.py"; do
	# shellcheck disable=SC2086
	native=$(term_status $case)
	# shellcheck disable=SC2086
	sandboxed=$(term_status python3 "$watchdog" --timeout 30 -- "$msentry" run --quiet $case)
	if [ "$native" != "$sandboxed" ]; then
		echo "FAIL: $case: SIGTERM gives $native natively, $sandboxed under msentry"
		fail=1
	else
		echo "ok: $case: SIGTERM gives $native"
	fi
done
exit $fail
