#!/usr/bin/env bash
# podman drives msentry through conmon as it drives runc or crun:
# `podman --runtime MSENTRY run --rootfs DIR`, storage, run root and tmpdir in
# a temp dir, no network (no netavark or CNI needed) but in the one case
# about podman's network, cgroupfs, file events; rlimits within this
# machine's hard limits (podman's default RLIMIT_NOFILE, 1048576, is above
# them: setrlimit fails create with EPERM). run, run -i, run -t, ps, exec
# (-i, -t), stop and podman's network run with runc and with msentry, each
# expecting the same.
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

# Each case below runs with runc and with msentry and expects the same.
rts=(runc "$msentry")
name_of() { [ "$1" = runc ] && echo runc || echo msentry; }
# A container's options, every time (podman's default limits are above
# this machine's hard ones).
opts=(--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rootfs "$rootfs")
for a in cat tty stty sleep nc; do ln -s busybox "$rootfs/bin/$a"; done
for rt in "${rts[@]}"; do
	n=$(name_of "$rt")
	# -i: stdin piped through conmon.
	check "$n podman run -i: stdin reaches the program" "hi" \
		"$(echo hi | timeout -k 5 90 podman --root "$tmp/storage" --runroot "$tmp/run" \
			--tmpdir "$tmp/tmp" --cgroup-manager cgroupfs --events-backend file \
			--runtime "$rt" run --rm -i "${opts[@]}" cat 2>&1)"
	# -t: podman needs a terminal of its own (script gives it one); the
	# container gets a pty through the console socket.
	if command -v script >/dev/null; then
		got=$(timeout -k 5 90 script -qc "stty rows 33 cols 77; podman --root $tmp/storage --runroot $tmp/run --tmpdir $tmp/tmp --cgroup-manager cgroupfs --events-backend file --runtime $rt run --rm -t ${opts[*]} sh -c '[ -t 0 ] && [ -t 1 ] && echo isatty; stty size; exit 3'; echo status=\$?" /dev/null </dev/null | tr -d '\r\0')
		check "$n podman run -t: a terminal of podman's size, the status" \
			"$(printf 'isatty\n33 77\nstatus=3')" "$got"
	fi
	# A detached container: ps shows it, exec runs in it.
	P --runtime "$rt" run -d --name "det-$n" "${opts[@]}" sleep 100 >/dev/null 2>&1
	check "$n podman ps: the running container" "det-$n" \
		"$(P ps --filter status=running --format '{{.Names}}' | grep "det-$n")"
	check "$n podman exec: output and status" "hi 3" \
		"$(P exec "det-$n" sh -c 'echo hi; exit 3' 2>&1) $?"
	check "$n podman exec -i: stdin reaches the process" "hi" \
		"$(echo hi | timeout -k 5 90 podman --root "$tmp/storage" --runroot "$tmp/run" \
			--tmpdir "$tmp/tmp" --cgroup-manager cgroupfs --events-backend file \
			exec -i "det-$n" cat 2>&1)"
	if command -v script >/dev/null; then
		got=$(timeout -k 5 90 script -qc "stty rows 33 cols 77; podman --root $tmp/storage --runroot $tmp/run --tmpdir $tmp/tmp --cgroup-manager cgroupfs --events-backend file exec -t det-$n sh -c '[ -t 0 ] && [ -t 1 ] && echo isatty; stty size; exit 4'; echo status=\$?" /dev/null </dev/null | tr -d '\r\0')
		check "$n podman exec -t: a new terminal of podman's size, the status" \
			"$(printf 'isatty\n33 77\nstatus=4')" "$got"
	fi
	P rm -f "det-$n" >/dev/null 2>&1
	# stop: SIGTERM, then SIGKILL after -t 2 for a program that ignores
	# TERM (137); one that handles it exits its own way.
	P --runtime "$rt" run -d --name "deaf-$n" "${opts[@]}" sh -c 'trap "" TERM; echo up; while :; do sleep 0.2; done' >/dev/null 2>&1
	P --runtime "$rt" run -d --name "polite-$n" "${opts[@]}" sh -c 'trap "exit 7" TERM; echo up; while :; do sleep 0.2; done' >/dev/null 2>&1
	sleep 1
	P stop -t 2 "deaf-$n" "polite-$n" >/dev/null 2>&1
	check "$n podman stop: exit codes (TERM ignored: killed; TERM handled: its status)" "137 7" \
		"$(P inspect -f '{{.State.ExitCode}}' "deaf-$n") $(P inspect -f '{{.State.ExitCode}}' "polite-$n")"
	P rm -f "deaf-$n" "polite-$n" >/dev/null 2>&1
	# podman's own network (its bridge, a namespace it made and names in
	# config.json): the container's port is bound there, not on the host.
	port=$((7790 + ${#n}))
	if P --runtime "$rt" run -d --name "net-$n" --ulimit nofile=1024:1024 \
		--ulimit nproc=1024:1024 --rootfs "$rootfs" nc -l -p "$port" >/dev/null 2>&1; then
		pid=$(P inspect -f '{{.State.Pid}}' "net-$n")
		for _ in $(seq 50); do
			[ -n "$(nsenter -t "$pid" -n ss -Hltn "sport = :$port" 2>/dev/null)" ] && break
			sleep 0.1
		done
		check "$n podman run with podman's network: the port is bound in its namespace, not the host's" \
			"yes no" "$([ -n "$(nsenter -t "$pid" -n ss -Hltn "sport = :$port" 2>/dev/null)" ] && echo yes || echo no) $([ -n "$(ss -Hltn "sport = :$port")" ] && echo yes || echo no)"
		P rm -f "net-$n" >/dev/null 2>&1
	else
		echo "$n: podman's network cannot start here: skipped"
	fi
done
check "podman ps -a: nothing left" "" "$(P ps -a -q)"
echo "podman: $([ $fail = 0 ] && echo all passed || echo FAILURES)"
exit $fail
