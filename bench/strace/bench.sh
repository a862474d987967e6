#!/bin/sh
# Cost of --strace: a getpid loop under msentry without tracing, with
# tracing to /dev/null, and with the summary only (-c). Prints ns/syscall.
# Usage: bench/strace/bench.sh [build-dir] [iterations]
set -eu
build=${1:-build}
n=${2:-100000}
msentry=$build/cmd/msentry
prog=$build/tests/strace/strace-getpid-loop
[ -x "$prog" ] || { echo "build $prog first (ninja -C $build)"; exit 1; }

# Best of 3 runs, in ns per loop iteration.
run() {
	best=
	for i in 1 2 3; do
		t0=$(date +%s%N)
		"$msentry" run "$@" "$prog" "$n" 2>/dev/null
		t1=$(date +%s%N)
		ns=$(( (t1 - t0) / n ))
		if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then best=$ns; fi
	done
	echo "$best"
}

off=$(run)
on=$(run --strace -o /dev/null)
filtered=$(run --strace=write -o /dev/null)
summary=$(run -c -o /dev/null)
echo "getpid x $n under msentry (ns per syscall, best of 3):"
echo "  tracing off:                      $off"
echo "  --strace -o /dev/null:            $on  (+$((on - off)))"
echo "  --strace=write (getpid filtered): $filtered  (+$((filtered - off)))"
echo "  -c (summary only):                $summary  (+$((summary - off)))"
