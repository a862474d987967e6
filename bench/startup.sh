#!/bin/bash
# bench/startup.sh: start-up and exit of `msentry run /bin/true`, and what
# the mounts' private directory (sentry/kernel/mount-private.c) costs in it.
#
#   bench/startup.sh        build if needed, run, print a table
#
# Rows, each the median wall and CPU time of one run (bench-spawn):
#   native          /bin/true itself
#   msentry         `msentry run /bin/true` as it is: as root, the program
#                   may mount, so the private directory is made (a detached
#                   tmpfs when msentry is root)
#   /tmp fallback   the same with MSENTRY_PRIVATE_DIR=host: the directory
#                   msentry makes when it is not root, a /tmp directory and
#                   its cleanup helper (the mechanism before, but spawned
#                   where it was forked)
#   baseline        with BENCH_BASELINE=PATH, that msentry binary (e.g. one
#                   built from before the change), as it is
#   no private dir  `--user=1000`: the program may not mount, nothing is made
#                   (the floor for the rows above)
#   --root DIR      an OCI-like root of its own (a busybox copy), with and
#                   without MSENTRY_PRIVATE_DIR=host, and with a --tmpfs
#
# The machine is shared and small: rows are interleaved within each of
# BENCH_REPS repetitions (default 9) of BENCH_RUNS runs (default 20), and
# each figure is the median of the repetitions' medians; the CPU time
# (user + system, children included) moves less with other load than the
# wall time does. Nothing is asserted.
# BENCH_QUICK=1: fewer runs, for a smoke test. The whole script may run
# under `nice -n -10` on a busy machine.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
reps=${BENCH_REPS:-9}
n=${BENCH_RUNS:-20}
[ "${BENCH_QUICK:-}" = 1 ] && n=5 && reps=${BENCH_REPS:-1}
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >&2
fi
ninja -C "$build" >&2
msentry=$build/cmd/msentry
spawn=$build/bench/bench-spawn

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/proc" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/true"

# Rows that are compared sit side by side, so that a burst of load hits
# them alike.
labels=("native" "msentry run /bin/true")
cmds=("/bin/true" "M /bin/true")
if [ -n "${BENCH_BASELINE:-}" ]; then
	labels+=("baseline: $BENCH_BASELINE run /bin/true")
	cmds+=("B /bin/true")
fi
labels+=("/tmp fallback (MSENTRY_PRIVATE_DIR=host)" "no private dir (--user=1000)"
	"--root DIR --tmpfs /tmp")
cmds+=("P /bin/true" "M --user=1000 /bin/true" "M --root $root --tmpfs /tmp /bin/true")
if [ -n "${BENCH_BASELINE:-}" ]; then
	labels+=("baseline --root DIR --tmpfs /tmp")
	cmds+=("B --root $root --tmpfs /tmp /bin/true")
fi
labels+=("--root DIR --tmpfs /tmp, /tmp fallback" "--root DIR" "--root DIR, /tmp fallback")
cmds+=("P --root $root --tmpfs /tmp /bin/true" "M --root $root /bin/true"
	"P --root $root /bin/true")

row() { # index: one row's measurement (M: msentry, P: its /tmp fallback,
	# B: the baseline binary; split on spaces: no spaces in $root)
	local -a words
	read -r -a words <<<"${cmds[$1]}"
	case ${words[0]} in
	M) "$spawn" "$n" "$msentry" run "${words[@]:1}" ;;
	P) "$spawn" "$n" env MSENTRY_PRIVATE_DIR=host "$msentry" run "${words[@]:1}" ;;
	B) "$spawn" "$n" "$BENCH_BASELINE" run "${words[@]:1}" ;;
	*) "$spawn" "$n" "${words[@]}" ;;
	esac
}

median() { # file column
	sort -g -k"$2,$2" "$1" | awk -v c="$2" '{v[NR] = $c} END {
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

for ((i = 1; i <= reps; i++)); do
	echo "startup: repetition $i/$reps (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
	for r in "${!labels[@]}"; do
		row "$r" >>"$tmp/$r"
	done
done

echo "| \`msentry run /bin/true\`, median of $reps x $n runs | wall | CPU |"
echo "|---|---|---|"
for r in "${!labels[@]}"; do
	printf '| %s | %.2f ms | %.2f ms |\n' "${labels[$r]}" \
		"$(echo "$(median "$tmp/$r" 1) / 1000000" | bc -l)" \
		"$(echo "$(median "$tmp/$r" 2) / 1000000" | bc -l)"
done
