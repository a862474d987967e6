#!/bin/bash
# bench/run.sh: the benchmark harness. One command:
#
#   bench/run.sh            build, install missing peers, run, print, save
#
# It builds msentry and the benchmark programs (bench/*.c), installs the
# peers it compares against from Debian when they are missing (strace, proot,
# runsc), and runs three micro benchmarks natively and under each runner:
#
#   getpid      raw syscall(SYS_getpid) loop: ns per call
#   fork        fork + _exit + waitpid: us per iteration
#   exec        fork + execve(/bin/true) + waitpid, as a shell runs a command
#   getpid1     the same with every runner confined to one CPU by taskset:
#               the peers do not pin their tracer and tracee together, and on
#               an idle VM each of their cross-CPU wakeups costs ~50 us more
#               (msentry pins itself; this row shows the peers at their best)
#   open        open/read/close of a small file: ns per iteration
#   true        start-up and exit of /bin/true: wall and CPU time per run
#   tasks       N threads, then N processes, all alive at once, then joined
#               (bench-tasks), N = 100, 1000, 5000: us per task, native and
#               msentry only (--max-tasks raised above 5000); the figure
#               should stay roughly flat as N grows (docs/benchmarks.md)
#
# Runners: native, `msentry run` (the ptrace platform), `msentry run
# --platform=systrap`, `strace -f -o /dev/null`, `proot`, and
# `runsc --platform=ptrace --network=none do` (gVisor). A runner that cannot
# run here is reported with the reason and left out; the rest go on.
#
# In each repetition bench-sysemu also measures the bare PTRACE_SYSEMU round
# trip, the floor of any ptrace sandbox, so that msentry's getpid overhead
# can be stated as a ratio to it.
#
# The machine is shared and small, so: every figure is a median over
# BENCH_REPS repetitions, runners are interleaved within each repetition (so
# a burst of someone else's load hits them all alike), and for start-up the
# CPU time is printed beside the wall time (it hardly moves with load).
# Nothing here asserts a time: it measures and reports.
#
# Environment: BENCH_REPS (default 5), BENCH_QUICK=1 (fewer iterations, for
# a smoke run), BENCH_NICE=N (run everything measured under `nice -n N`, e.g.
# -10 on a busy machine; applies to all runners alike), BENCH_NO_INSTALL=1.
# Results are printed and saved to bench/results/<date>.md.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
build=$repo/build
reps=${BENCH_REPS:-5}

log() { printf '%s\n' "$*" >&2; }

# --- Setup --------------------------------------------------------------------

install_peers() {
	local missing=()
	command -v strace >/dev/null || missing+=(strace)
	command -v proot >/dev/null || missing+=(proot)
	command -v runsc >/dev/null || missing+=(runsc)
	if [ ${#missing[@]} -eq 0 ] || [ "${BENCH_NO_INSTALL:-}" = 1 ]; then
		return 0
	fi
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
		log "bench: cannot install ${missing[*]} (needs root and apt-get); those runners are skipped"
		return 0
	fi
	log "bench: installing from Debian: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 ||
		log "bench: apt-get install failed; missing runners are skipped"
}

build_all() {
	if [ ! -f "$build/build.ninja" ]; then
		meson setup "$build" >&2
	fi
	ninja -C "$build" >&2
}

# --- Runners ------------------------------------------------------------------

loop=$build/bench/bench-loop
spawn=$build/bench/bench-spawn
small=$build/bench/small-file.txt
nice_cmd=()
if [ -n "${BENCH_NICE:-}" ]; then
	nice_cmd=(nice -n "$BENCH_NICE")
fi

# The command prefix of each runner.
runner_prefix() {
	case $1 in
	native) ;;
	msentry) printf '%s\n' "$build/cmd/msentry" run ;;
	systrap) printf '%s\n' "$build/cmd/msentry" run --platform=systrap ;;
	strace) printf '%s\n' strace -f -o /dev/null ;;
	proot) printf '%s\n' proot ;;
	runsc) printf '%s\n' runsc --platform=ptrace --network=none do ;;
	*) return 1 ;;
	esac
}

runner_title() {
	case $1 in
	strace) echo "strace -f" ;;
	msentry) echo "msentry (ptrace)" ;;
	systrap) echo "msentry (systrap)" ;;
	*) echo "$1" ;;
	esac
}

# Probe a runner with /bin/true; prints the reason when it cannot run.
probe() {
	local prefix err
	mapfile -t prefix < <(runner_prefix "$1")
	if [ ${#prefix[@]} -gt 0 ] && ! command -v "${prefix[0]}" >/dev/null; then
		echo "not installed"
		return 1
	fi
	if ! err=$("${prefix[@]}" /bin/true 2>&1 >/dev/null); then
		echo "cannot run: $(printf '%s' "$err" | tail -n 1)"
		return 1
	fi
	return 0
}

# Iterations per run: a trapped syscall costs ~100x a native one, so the
# sandboxes get fewer iterations to keep each run near a second.
iterations() { # runner bench
	local q=1
	[ "${BENCH_QUICK:-}" = 1 ] && q=10
	case $1:$2 in
	native:getpid*) echo $((1000000 / q)) ;;
	native:open) echo $((100000 / q)) ;;
	native:true) echo $((200 / q)) ;;
	*:getpid*) echo $((20000 / q)) ;;
	*:open) echo $((5000 / q)) ;;
	runsc:true) echo $((30 / q < 3 ? 3 : 30 / q)) ;;
	native:fork | native:exec) echo $((2000 / q)) ;;
	runsc:fork | runsc:exec) echo $((100 / q)) ;;
	*:fork | *:exec) echo $((300 / q)) ;;
	*:true) echo $((60 / q)) ;;
	esac
}

# One measurement; prints "VALUE" (ns) or "VALUE CPU" for start-up.
measure() { # runner bench
	local prefix n
	mapfile -t prefix < <(runner_prefix "$1")
	n=$(iterations "$1" "$2")
	case $2 in
	getpid) "${nice_cmd[@]}" "${prefix[@]}" "$loop" getpid "$n" ;;
	getpid1) "${nice_cmd[@]}" taskset -c "$one_cpu" "${prefix[@]}" "$loop" getpid "$n" ;;
	open) "${nice_cmd[@]}" "${prefix[@]}" "$loop" open "$n" "$small" ;;
	fork | exec) "${nice_cmd[@]}" "${prefix[@]}" "$loop" "$2" "$n" ;;
	true) "${nice_cmd[@]}" "$spawn" "$n" "${prefix[@]}" /bin/true ;;
	esac
}

median() { # file column
	sort -g -k"$2,$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {
		if (NR == 0) { print "-"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- Main ---------------------------------------------------------------------

install_peers
build_all
printf 'msentry bench small file\n' >"$small"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

runners=()
declare -A skipped=()
for r in native msentry systrap strace proot runsc; do
	if why=$(probe "$r"); then
		runners+=("$r")
	else
		skipped[$r]=$why
		log "bench: $(runner_title "$r"): $why"
	fi
done

benches=(getpid getpid1 open true fork exec)
# The CPU for getpid1: the first one we may use.
one_cpu=$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')
sysemu_n=20000
[ "${BENCH_QUICK:-}" = 1 ] && sysemu_n=2000
for ((i = 1; i <= reps; i++)); do
	log "bench: repetition $i/$reps (load: $(cut -d' ' -f1-3 /proc/loadavg))"
	for b in "${benches[@]}"; do
		for r in "${runners[@]}"; do
			if ! out=$(measure "$r" "$b" 2>"$tmp/err"); then
				log "bench: $r $b failed: $(tail -n 1 "$tmp/err")"
				continue
			fi
			echo "$out" >>"$tmp/$r.$b"
		done
	done
	# The floor, measured in the same repetition so that it sees the same
	# load as the runners above.
	"${nice_cmd[@]}" "$build/bench/bench-sysemu" "$sysemu_n" 1 >>"$tmp/sysemu"
done

# Many live tasks: native and msentry, threads and processes, N each.
task_counts=(100 1000 5000)
[ "${BENCH_QUICK:-}" = 1 ] && task_counts=(100 1000)
measure_tasks() {
	local i kind n r prefix
	for ((i = 1; i <= reps; i++)); do
		log "bench: tasks, repetition $i/$reps (load: $(cut -d' ' -f1-3 /proc/loadavg))"
		for kind in threads procs; do
			for n in "${task_counts[@]}"; do
				for r in native msentry; do
					[[ " ${runners[*]} " == *" $r "* ]] || continue
					prefix=()
					[ "$r" = msentry ] && prefix=("$build/cmd/msentry" run --max-tasks=6000)
					if out=$("${nice_cmd[@]}" "${prefix[@]}" "$build/bench/bench-tasks" \
						"$kind" "$n" 2>"$tmp/err"); then
						echo "$out" >>"$tmp/$r.tasks-$kind-$n"
					else
						log "bench: $r tasks $kind $n failed: $(tail -n 1 "$tmp/err")"
					fi
				done
			done
		done
	done
}
measure_tasks

# value runner bench [column]: the median, or "-" when there is none.
value() {
	local f=$tmp/$1.$2
	if [ -s "$f" ]; then median "$f" "${3:-1}"; else echo "-"; fi
}

# Median over the repetitions of one bench-sysemu case (mode, placement).
sysemu_median() {
	awk -v m="$1" -v p="$2" '$1 == m && $2 == p {print $3}' "$tmp/sysemu" >"$tmp/sysemu.$1.$2"
	if [ -s "$tmp/sysemu.$1.$2" ]; then median "$tmp/sysemu.$1.$2" 1; fi
}

fmt_us() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.2f us", v / 1000 }'; }
fmt_ms() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.2f ms", v / 1e6 }'; }
ratio() { awk -v v="$1" -v n="$2" 'BEGIN { if (v == "-" || n == "-" || n == 0) print ""; else printf " (%.1fx)", v / n }'; }

report() {
	echo "## msentry benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Host: $(uname -sr), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load at end $(cut -d' ' -f1-3 /proc/loadavg); medians of $reps repetitions${BENCH_NICE:+, all under nice -n $BENCH_NICE}."
	echo
	local header="| benchmark |" rule="|---|"
	for r in "${runners[@]}"; do
		header+=" $(runner_title "$r") |"
		rule+="---|"
	done
	echo "$header"
	echo "$rule"
	local rows=("getpid:1:us:getpid, per call" "getpid1:1:us:getpid, all confined to CPU $one_cpu"
		    "open:1:us:open+read+close, per iteration"
		    "true:1:ms:/bin/true start-up, wall" "true:2:ms:/bin/true start-up, CPU"
		    "fork:1:us:fork+exit+wait, per iteration"
		    "exec:1:us:fork+exec /bin/true+wait, per iteration")
	for row in "${rows[@]}"; do
		IFS=: read -r b col unit title <<<"$row"
		local line="| $title |" base
		base=$(value native "$b" "$col")
		for r in "${runners[@]}"; do
			local v
			v=$(value "$r" "$b" "$col")
			if [ "$unit" = us ]; then line+=" $(fmt_us "$v")"; else line+=" $(fmt_ms "$v")"; fi
			[ "$r" != native ] && line+="$(ratio "$v" "$base")"
			line+=" |"
		done
		echo "$line"
	done
	echo
	echo "Ratios in parentheses are to native."
	for r in "${!skipped[@]}"; do
		echo "Not measured: $(runner_title "$r"): ${skipped[$r]}."
	done
	echo
	echo "### Many live tasks (start N, all alive at once, join them): per task"
	echo
	echo "| tasks | native | msentry |"
	echo "|---|---|---|"
	local kind n
	for kind in threads procs; do
		for n in "${task_counts[@]}"; do
			local nat ms
			nat=$(value native "tasks-$kind-$n")
			ms=$(value msentry "tasks-$kind-$n")
			echo "| $n $kind | $(fmt_us "$nat") | $(fmt_us "$ms")$(ratio "$ms" "$nat") |"
		done
	done
	echo
	echo "### Bare PTRACE_SYSEMU round trip (tracee calls getpid, tracer answers)"
	echo
	echo "| answered with | same CPU | different CPUs |"
	echo "|---|---|---|"
	local m
	for m in regs peekpoke info none; do
		local same cross
		same=$(sysemu_median "$m" same)
		cross=$(sysemu_median "$m" cross)
		local title
		case $m in
		regs) title="GETREGS + SETREGS" ;;
		peekpoke) title="PEEKUSER + POKEUSER" ;;
		info) title="GET_SYSCALL_INFO + POKEUSER" ;;
		none) title="nothing (stop + resume only)" ;;
		esac
		echo "| $title | $(fmt_us "${same:--}") | $(fmt_us "${cross:--}") |"
	done
	local ms nat regs
	ms=$(value msentry getpid)
	nat=$(value native getpid)
	regs=$(sysemu_median regs same)
	info=$(sysemu_median info same)
	if [ "$ms" != - ] && [ -n "$regs" ] && [ -n "$info" ]; then
		echo
		awk -v ms="$ms" -v nat="$nat" -v regs="$regs" -v info="$info" 'BEGIN {
			printf "msentry getpid overhead (msentry - native): %.2f us = %.2fx the bare same-CPU SYSEMU round trip with GETREGS+SETREGS (target <= 1.3x), %.2fx the one with GET_SYSCALL_INFO+POKEUSER (what msentry does).\n",
				(ms - nat) / 1000, (ms - nat) / regs, (ms - nat) / info }'
	fi
}

mkdir -p "$repo/bench/results"
out=$repo/bench/results/$(date -u '+%Y-%m-%d-%H%M%S').md
report | tee "$out"
log "bench: saved to ${out#"$repo"/}"
