#!/usr/bin/env bash
# Call-site patching, end to end: the legacy loop program gives correct
# values with patching (default), with --vsyscall=trap, natively; patched
# sites trap once, the unrecognised site traps every time and its code is
# unchanged (the program checks its own bytes).
#   patch.sh MSENTRY LEGACY_LOOP_PIE LEGACY_LOOP_STATIC
set -u
msentry=$1
shift
fail=0
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT
for prog in "$@"; do
	want="bad=0 other-site-untouched=1"
	for mode in emulate trap; do
		out=$("$msentry" run --vsyscall=$mode --strace=none -o "$trace" "$prog" 1000 2>/dev/null)
		events=$(grep -c '\[vsyscall\]' "$trace")
		patched=$(grep -c 'now calls the vDSO' "$trace")
		# Sites: the movq loop (1000 calls), movabs (100), unrecognised
		# (100), gettimeofday (100).
		if [ "$mode" = emulate ]; then want_events=103 want_patched=3; else want_events=1300 want_patched=0; fi
		if [ "$out" != "$want" ] || [ "$events" != "$want_events" ] || [ "$patched" != "$want_patched" ]; then
			echo "FAIL: $prog --vsyscall=$mode: '$out', $events vsyscall traps (want $want_events), $patched patched (want $want_patched)"
			fail=1
		else
			echo "ok: $prog --vsyscall=$mode: $events traps, $patched sites patched, values correct"
		fi
	done
done
exit $fail
