#!/usr/bin/env bash
# Runs a command natively and under msentry; passes when stdout and the
# exit status are the same. Usage: run-compare.sh MSENTRY CMD [ARGS...]
# msentry runs under tests/watchdog.py: a hung sentry fails the test at
# once (exit 124, with a line saying so and the sentry's --debug dump of
# its tasks) rather than at the time limit.
set -u
msentry=$1
shift
native_out=$(mktemp) sandbox_out=$(mktemp)
trap 'rm -f "$native_out" "$sandbox_out"' EXIT
timeout 120 "$@" >"$native_out" 2>/dev/null
native_rc=$?
python3 "$(dirname "$0")/../watchdog.py" --timeout 120 -- "$msentry" run --quiet "$@" \
	>"$sandbox_out" 2>"$sandbox_out.err"
sandbox_rc=$?
grep -E '^(watchdog:|msentry: debug dump|msentry:   )' "$sandbox_out.err"
rm -f "$sandbox_out.err"
if [ "$native_rc" != "$sandbox_rc" ] || ! cmp -s "$native_out" "$sandbox_out"; then
	echo "FAIL: $*: exit native=$native_rc msentry=$sandbox_rc"
	diff "$native_out" "$sandbox_out" | head -20
	exit 1
fi
echo "ok: $* (exit $native_rc)"
