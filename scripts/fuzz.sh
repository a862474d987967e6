#!/usr/bin/env bash
# Run one libFuzzer target of fuzz/ (docs/design.md, "Fuzzing").
#   scripts/fuzz.sh TARGET SECONDS [LIBFUZZER-OPTION...]
#   scripts/fuzz.sh list
# TARGET: elf, shebang, config, strace. Builds build-fuzz (clang, ASan,
# UBSan, libFuzzer; the gcc build is not touched) if needed, then fuzzes for
# SECONDS starting from the seeds in fuzz/corpus/TARGET/; inputs that find
# new code go to build-fuzz/corpus/TARGET/ (not into the repository). Prints
# the number of runs and runs per second, and the path of a crash input if
# one was found; exits 1 on a crash, 77 (a skip for meson) when clang's
# fuzzer runtime is missing, 0 otherwise. For hours of fuzzing:
#   nice -n 10 scripts/fuzz.sh elf 14400
set -uo pipefail
cd "$(dirname "$0")/.."
targets=(elf shebang config strace)
if [ "${1:-}" = list ]; then
	printf '%s\n' "${targets[@]}"
	exit 0
fi
if [ $# -lt 2 ] || [[ ! " ${targets[*]} " =~ " $1 " ]] || ! [[ $2 =~ ^[0-9]+$ ]]; then
	echo "usage: scripts/fuzz.sh TARGET SECONDS [LIBFUZZER-OPTION...]  (TARGET: ${targets[*]})" >&2
	exit 2
fi
target=$1 seconds=$2
shift 2
build=${MSENTRY_FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-clang}

# The fuzzer runtime comes with clang's libclang-rt package: without it,
# linking -fsanitize=fuzzer fails. One line, and a skip.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
	echo "msentry: fuzz: skipped: $cc cannot link -fsanitize=fuzzer (install clang and libclang-rt-14-dev)"
	exit 77
fi

# Set up and build under a lock: the meson suite runs several targets at once.
mkdir -p "$build.lock.d"
(
	flock 9
	if [ ! -f "$build/build.ninja" ]; then
		CC=$cc meson setup "$build" -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined \
			-Db_lundef=false >"$probe/setup.log" 2>&1 || { cat "$probe/setup.log" >&2; exit 1; }
	fi
	ninja -C "$build" -j2 >"$probe/build.log" 2>&1 || { cat "$probe/build.log" >&2; exit 1; }
) 9>"$build.lock.d/lock" || { echo "msentry: fuzz: building $build failed" >&2; exit 1; }

work="$build/corpus/$target"
crashes="$build/crashes"
mkdir -p "$work" "$crashes"
log="$build/fuzz-$target.log"
start=$SECONDS
# -timeout: an input running for 10 s is a hang, reported like a crash.
"$build/fuzz/fuzz-$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
	-artifact_prefix="$crashes/$target-" "$@" "$work" "fuzz/corpus/$target" >"$log" 2>&1
rc=$?
runs=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
rate=$(grep -h 'stat::average_exec_per_sec' "$log" | awk '{s += $2} END {print s + 0}')
echo "fuzz $target: $runs runs in $((SECONDS - start)) s ($rate runs/s)"
crash=$(grep -ho 'Test unit written to .*' "$log" | sed 's/Test unit written to //' | head -1)
if [ $rc -ne 0 ] || [ -n "$crash" ]; then
	grep -hE 'ERROR:|runtime error|SUMMARY' "$log" | head -5
	echo "fuzz $target: CRASH, input: ${crash:-none written (exit $rc)}; log: $log"
	exit 1
fi
exit 0
