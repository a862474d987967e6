#!/usr/bin/env bash
# podman drives msentry through conmon as it drives runc or crun:
# `podman --runtime MSENTRY run --rootfs DIR`, storage, run root and tmpdir in
# a temp dir, no network (no netavark or CNI needed), cgroupfs, file events;
# rlimits within this machine's hard limits (podman's default RLIMIT_NOFILE,
# 1048576, is above them: setrlimit fails create with EPERM).
# Skips (77) when podman is missing or cannot run a container here with runc.
#   podman.sh MSENTRY
set -u
msentry=$(realpath "$1")
if ! command -v podman >/dev/null; then
	echo "podman not installed (scripts/deps.sh test installs it): skipped"
	exit 77
fi
tmp=$(mktemp -d)
fail=0
cleanup() {
	P rm -a -f >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
P() {
	timeout -k 5 90 podman --root "$tmp/storage" --runroot "$tmp/run" --tmpdir "$tmp/tmp" \
		--cgroup-manager cgroupfs --events-backend file "$@" </dev/null
}
check() {
	if [ "$2" == "$3" ]; then echo "ok: $1: $3"; else
		echo "FAIL: $1: want [$2] got [$3]"
		fail=1
	fi
}
rootfs=$tmp/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/proc" "$rootfs/dev" "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
for a in sh echo; do ln -s busybox "$rootfs/bin/$a"; done
run() {
	local rt=$1
	shift
	P --runtime "$rt" run --rm --network none --ulimit nofile=1024:1024 \
		--ulimit nproc=1024:1024 --rootfs "$rootfs" "$@"
}
if ! out=$(run runc echo probe 2>&1) || [ "$out" != probe ]; then
	echo "podman cannot run a container here even with runc ($(tail -1 <<<"$out")): skipped"
	exit 77
fi

check "podman run echo: output, status" "hi 0" "$(run "$msentry" echo hi 2>&1) $?"
check "podman run: the exit status" "5" "$(run "$msentry" sh -c 'exit 5' >/dev/null 2>&1; echo $?)"
# --runtime-flag passes a global flag to the runtime: msentry's --strace-log
# shows that msentry, not runc, ran the program.
check "podman --runtime-flag strace-log: output, status" "traced 3" \
	"$(P --runtime-flag "strace-log=$tmp/trace.txt" --runtime "$msentry" run --rm --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rootfs "$rootfs" \
		sh -c 'echo traced; exit 3' 2>&1) $?"
check "podman --runtime-flag strace-log: the program traced" "1" \
	"$(grep -c '^\[pid 1\] exit_group(3)' "$tmp/trace.txt")"
check "podman ps -a: nothing left" "" "$(P ps -a -q)"
echo "podman: $([ $fail = 0 ] && echo all passed || echo FAILURES)"
exit $fail
