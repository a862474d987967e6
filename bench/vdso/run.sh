#!/bin/sh
# Time functions natively and under msentry: calls/s and the msentry/native
# ratio per benchmark, then our vDSO against the host's in one process.
#   bench/vdso/run.sh [BUILD_DIR] [SECONDS]     (default: build, 0.5)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
secs=${2:-0.5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/clockbench" "$here/clockbench.c"
cc -O2 -I"$here/../.." -o "$work/vdsocmp" "$here/vdsocmp.c"
"$work/clockbench" "$secs" >"$work/native"
"$build/cmd/msentry" run "$work/clockbench" "$secs" >"$work/msentry"
# --vsyscall=trap: every legacy call trapped and emulated (no call-site patching).
"$build/cmd/msentry" run --vsyscall=trap "$work/clockbench" "$secs" >"$work/trap"
printf '%-22s %14s %14s %8s %16s\n' benchmark native/s msentry/s ratio "trap-only/s"
join "$work/native" "$work/msentry" | join - "$work/trap" |
	awk '{ printf "%-22s %14.0f %14.0f %7.1f%% %16.0f\n", $1, $2, $4, 100 * $4 / $2, $6 }'
"$work/vdsocmp" "$build/vdso/vdso.so" 30 | tail -n 1
