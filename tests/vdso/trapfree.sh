#!/bin/sh
# Time calls do not trap wherever the host's TSC is invariant and its CPUs
# agree (sentry/clock/hostclock.c): 300,000 libc time calls under msentry
# reach the sentry as syscalls only while the clock page is being
# calibrated. Where the host's TSC cannot be used, msentry must say so once
# instead, and the calls trap. What this host offers is read from
# /proc/cpuinfo, so the test asserts this host's case, not one machine's.
#   trapfree.sh MSENTRY TIMELOOP
set -u
msentry=$1 prog=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Under the watchdog: a hung sentry fails at once, and says so.
python3 "$(dirname "$0")/../watchdog.py" --timeout 60 -- \
	"$msentry" run -c -e trace=clock_gettime,gettimeofday,time -o "$work/count" "$prog" \
	>"$work/out" 2>"$work/err" || { echo "FAIL: exit $?"; cat "$work/err"; exit 1; }
grep -qx 'read the time 300000 times' "$work/out" || { echo "FAIL: output"; exit 1; }
traps=$(awk '$NF == "total" { print $4 }' "$work/count")
warnings=$(grep -c '^msentry: host clock .* is not usable from the sandbox; time calls will trap' "$work/err")
flags=$(grep -m1 '^flags' /proc/cpuinfo)
invariant=yes
for f in constant_tsc nonstop_tsc; do
	case " $flags " in *" $f "*) ;; *) invariant=no ;; esac
done
echo "host: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null), invariant TSC: $invariant; $traps of 300000 time calls trapped"
if [ "$warnings" -gt 1 ]; then
	echo "FAIL: the warning was printed $warnings times"; exit 1
fi
if [ "$warnings" = 1 ]; then
	grep '^msentry: host clock' "$work/err"
	# Only a host whose TSC is not invariant, or whose CPUs disagree, may
	# fall back, and then every call traps.
	if [ "$invariant" = yes ] && ! grep -q 'TSCs of CPUs' "$work/err"; then
		echo "FAIL: an invariant TSC refused for another reason"; exit 1
	fi
	[ "$traps" -ge 300000 ] || { echo "FAIL: warned, yet only $traps calls trapped"; exit 1; }
	echo "ok: the host's TSC is not usable, and msentry said so once"
	exit 0
fi
if [ "$invariant" = no ]; then
	echo "FAIL: a TSC that is not invariant was used, or no warning"; exit 1
fi
if [ "$traps" -gt 1000 ]; then
	echo "FAIL: $traps time calls trapped without a word"; exit 1
fi
echo "ok: time calls are trap-free"
