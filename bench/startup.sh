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
#   previous        the same with MSENTRY_PRIVATE_DIR=host: the mechanism
#                   before, a /tmp directory and a forked cleanup helper
#   no private dir  `--user=1000`: the program may not mount, nothing is made
#                   (the floor for the two above)
#   --root DIR      an OCI-like root of its own (a busybox copy), with and
#                   without MSENTRY_PRIVATE_DIR=host, and with a --tmpfs
#
# The machine is shared and small: rows are interleaved within each of
# BENCH_REPS repetitions (default 5) and each figure is the median of the
# repetitions' medians; the CPU time (user + system, children included)
# hardly moves with other load, the wall time does. Nothing is asserted.
# BENCH_QUICK=1: fewer runs, for a smoke test.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
reps=${BENCH_REPS:-5}
n=40
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

labels=("native" "msentry run /bin/true" "previous (MSENTRY_PRIVATE_DIR=host)"
	"no private dir (--user=1000)" "--root DIR" "--root DIR, previous"
	"--root DIR --tmpfs /tmp" "--root DIR --tmpfs /tmp, previous")
row() { # index: runs one row's measurement
	local m=(env "$msentry" run) p=(env MSENTRY_PRIVATE_DIR=host "$msentry" run)
	case $1 in
	0) "$spawn" "$n" /bin/true ;;
	1) "$spawn" "$n" "${m[@]}" /bin/true ;;
	2) "$spawn" "$n" "${p[@]}" /bin/true ;;
	3) "$spawn" "$n" "${m[@]}" --user=1000 /bin/true ;;
	4) "$spawn" "$n" "${m[@]}" --root "$root" /bin/true ;;
	5) "$spawn" "$n" "${p[@]}" --root "$root" /bin/true ;;
	6) "$spawn" "$n" "${m[@]}" --root "$root" --tmpfs /tmp /bin/true ;;
	7) "$spawn" "$n" "${p[@]}" --root "$root" --tmpfs /tmp /bin/true ;;
	*) return 1 ;;
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
