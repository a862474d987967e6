#!/usr/bin/env bash
# The escape suite (docs/design.md, "Threats and the escape suite"): attacks
# on the sandbox from inside it, judged ONLY from host-side evidence, never
# from what the program prints:
#   - a SECRET file outside the root (unchanged? its bytes never copied
#     into the root's files),
#   - a CANARY host process (canary.py: the signals it received, its
#     memory, whether it was stopped, traced, re-niced or re-limited; its
#     secret never copied into the root),
#   - the VICTIM, msentry's own host pid (its exit status: 137 if killed,
#     a hang if stopped),
#   - what is left after msentry exits (every process under a subreaper,
#     every live process running msentry's binary, /tmp/msentry-* dirs).
# Each attack runs in a throw-away root (busybox and the attack binary) in
# both modes of use where it fits: `msentry run --root` and the OCI runtime.
# The whole script re-runs itself in fresh mount/pid/ipc/uts namespaces
# with a private /tmp when unshare is allowed, so a failing check cannot
# harm the machine.
# The checks can fail: the fd and host-pid attacks also run natively (and
# the fd one with --pass-fd) and the judge must trip on their evidence.
#   escape.sh MSENTRY ATTACK CANARY_PY NO_LEFTOVERS_PY
set -u
if [ -z "${ESCAPE_IN_NS:-}" ]; then
	if unshare --mount --pid --fork --ipc --uts --mount-proc true 2>/dev/null; then
		# The private /tmp hides what lies below the host's: a checkout
		# there (a CI clone in /tmp) runs from a copy made outside it.
		stage=
		case "$(realpath "$0") $(realpath "$1") $(realpath "$2") $(realpath "$3") $(realpath "$4")" in
		/tmp/* | *" /tmp/"*)
			stage=$(mktemp -d /var/tmp/msentry-escape.XXXXXX) || exit 1
			cp "$0" "$stage/escape.sh" && cp "$1" "$stage/msentry" &&
				cp "$2" "$stage/attack" && cp "$3" "$stage/canary.py" &&
				cp "$4" "$stage/no-leftovers.py" || exit 1
			set -- "$stage/msentry" "$stage/attack" "$stage/canary.py" "$stage/no-leftovers.py"
			script=$stage/escape.sh
			;;
		*) script=$0 ;;
		esac
		# (and from /, as the cwd may be below /tmp too)
		[ -n "$stage" ] && cd /
		env ESCAPE_IN_NS=1 unshare --mount --pid --fork --ipc --uts --mount-proc \
			bash -c 'mount -t tmpfs tmpfs /tmp && exec bash "$0" "$@"' "$script" "$@"
		rc=$?
		[ -n "$stage" ] && rm -rf "$stage"
		exit $rc
	fi
	echo "escape: unshare refused here: running without fresh namespaces"
	ESCAPE_IN_NS=0
fi
# Host pids far above the sandbox's own (which count from 1): an attack
# aimed at a host pid must not hit a sandbox process of the same number
# instead (that is allowed, and would end the attack early).
[ "$ESCAPE_IN_NS" = 1 ] && echo 200000 >/proc/sys/kernel/ns_last_pid
msentry=$(realpath "$1")
attack=$(realpath "$2")
canary_py=$(realpath "$3")
no_leftovers=$(realpath "$4")
work=$(mktemp -d)
root=$work/root
fail=0
canary_pid=
cleanup() {
	[ -n "$canary_pid" ] && kill -9 "$canary_pid" 2>/dev/null
	for c in $("$msentry" --root "$work/state" list -q 2>/dev/null); do
		"$msentry" --root "$work/state" delete --force "$c" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	fail=1
}

if ! command -v busybox >/dev/null; then
	echo "skip: busybox is not installed (Debian package busybox-static)"
	exit 77
fi
mkdir -p "$root/bin" "$root/out" "$root/info" "$root/tmp" "$root/proc" "$root/dev" "$root/etc"
cp "$(command -v busybox)" "$root/bin/busybox"
for applet in sh sleep cat kill true echo; do ln -s busybox "$root/bin/$applet"; done
cp "$attack" "$root/attack"
secret_file=$work/secret
printf 'HOST-SECRET-%s\n' "$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$work/secret.orig"
cp "$work/secret.orig" "$secret_file"

start_canary() {
	rm -f "$root/info/canary" "$work/canary.log" "$work/canary.log.secret"
	setsid python3 "$canary_py" "$root/info" "$work/canary.log" </dev/null >/dev/null 2>&1 &
	# python3 may take seconds to start on a loaded machine.
	for _ in $(seq 600); do [ -s "$work/canary.log.secret" ] && break; sleep 0.05; done
	if [ ! -s "$work/canary.log.secret" ]; then
		echo "FAIL: the canary did not start"
		exit 1
	fi
	canary_pid=$(cat "$root/info/canary")
	: >"$work/canary.log"
	canary_state >"$work/canary.state"
}
# What of the canary an attack could change: scheduling, limits, affinity.
canary_state() {
	awk '{print "nice", $19, "policy", $41}' "/proc/$canary_pid/stat"
	cat "/proc/$canary_pid/limits"
	grep Cpus_allowed_list "/proc/$canary_pid/status"
}
# Live processes running msentry's binary (stubs, sentries): only
# meaningful in our own pid namespace, where no other test runs msentry.
msentry_procs() {
	[ "$ESCAPE_IN_NS" = 1 ] || return 0
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$msentry" ] || continue
		[ "$(awk '/^State:/ {print $2}' "$p/status" 2>/dev/null)" = Z ] || echo "${p#/proc/}"
	done
}
tmpdirs() { ls -d /tmp/msentry-* 2>/dev/null | sort; }

# judge NAME WANT_STATUS GOT_STATUS: every host-side evidence; prints the
# failures and returns 1 if any (the caller decides whether that is bad).
judge() {
	local why=()
	[ "$2" = "$3" ] || why+=("exit status $3, want $2")
	[ -s "$work/canary.log" ] && why+=("canary: $(sort "$work/canary.log" | uniq -c | tr -s ' \n' ' ')")
	local state
	state=$(awk '/^State:/ {print $2} /^TracerPid:/ {print "tracer", $2}' "/proc/$canary_pid/status" 2>/dev/null | tr '\n' ' ')
	case "$state" in
	"S tracer 0 " | "R tracer 0 ") ;;
	*) why+=("canary state [$state]") ;;
	esac
	[ -d "/proc/$canary_pid" ] && [ "$(canary_state)" != "$(cat "$work/canary.state")" ] &&
		why+=("canary scheduling/limits changed")
	cmp -s "$secret_file" "$work/secret.orig" || why+=("secret file changed")
	if grep -r -a -q -F -e "$(cat "$work/secret.orig")" -e "$(cat "$work/canary.log.secret")" "$root" 2>/dev/null; then
		why+=("a secret was copied into the root")
	fi
	[ -d "/proc/$victim_sleep" ] || why+=("the native victim died")
	sleep 0.3
	local procs dirs
	procs=$(msentry_procs)
	[ -z "$procs" ] && procs=$(for _ in $(seq 20); do sleep 0.1; p=$(msentry_procs); [ -z "$p" ] && break; echo "$p"; done | tail -1)
	[ -n "$procs" ] && why+=("msentry processes left: $procs")
	for _ in $(seq 30); do [ "$(tmpdirs)" = "$tmp_before" ] && break; sleep 0.1; done
	dirs=$(comm -13 <(echo "$tmp_before") <(tmpdirs) | tr '\n' ' ')
	[ -n "${dirs// /}" ] && why+=("dirs left: $dirs")
	if [ ${#why[@]} -gt 0 ]; then
		printf '%s\n' "${why[@]}" >"$work/why"
		return 1
	fi
	return 0
}
# reset: a fresh canary if it was hurt, the secret restored, out/ emptied.
reset() {
	local state
	state=$(awk '/^State:/ {print $2} /^TracerPid:/ {print $2}' "/proc/$canary_pid/status" 2>/dev/null | tr '\n' ' ')
	if [ "$state" != "S 0 " ] && [ "$state" != "R 0 " ] || [ "$(canary_state)" != "$(cat "$work/canary.state")" ]; then
		kill -9 "$canary_pid" 2>/dev/null
		start_canary
	fi
	: >"$work/canary.log"
	cp "$work/secret.orig" "$secret_file"
	rm -rf "$root/out" && mkdir "$root/out" && chmod 777 "$root/out"
	[ -d "/proc/$victim_sleep" ] || { sleep 1000 & victim_sleep=$!; }
	for p in $(msentry_procs); do kill -9 "$p"; done
	tmp_before=$(tmpdirs)
}
# expect_safe NAME WANT GOT: the attack must have left no evidence.
expect_safe() {
	if judge "$@"; then ok "$1"; else bad "$1: $(tr '\n' ';' <"$work/why")"; fi
	reset
}
# expect_caught NAME: a control run whose evidence the judge must see.
expect_caught() {
	if judge "$1" 42 "$2"; then bad "$1: the judge saw nothing (it cannot fail?)"; else ok "$1: the judge trips ($(head -1 "$work/why"))"; fi
	reset
}

# run_m MODE [MSENTRY OPTIONS...] -- [REDIRECTIONS are the caller's]:
# `msentry run --root` under the subreaper; the victim is msentry itself.
# The attacks' fds 0-2 are throw-away files, never the suite's own: a
# sweep of every syscall with made-up arguments fchmods and fchowns its
# stdin, which was the host's /dev/null (found changed to 0755 and to
# nobody's after suite runs).
attack_stdio() { : >"$work/stdin"; }
run_m() {
	local mode=$1
	shift
	attack_stdio
	"$no_leftovers" timeout -k 5 180 sh -c 'echo $$ >"$0"; exec "$@"' "$root/info/victim" \
		"$msentry" run --quiet --root "$root" "$@" /attack "$mode" / \
		<"$work/stdin" >>"$work/attack-output.txt" 2>&1
}
# run_oci MODE [RUNTIME OPTIONS...]: the OCI runtime's `run` with a
# minimal config.json; the victim is the container's init (the sentry).
oci_n=0
run_oci() {
	local mode=$1 b=$work/bundle
	shift
	oci_n=$((oci_n + 1))
	mkdir -p "$b"
	rm -f "$root/info/victim"
	cat >"$b/config.json" <<EOF
{"ociVersion":"1.0.2","root":{"path":"$root","readonly":false},
 "process":{"terminal":false,"user":{"uid":0,"gid":0},"cwd":"/","args":["/attack","$mode","/"${OCI_EXTRA_ARGS:-}],
  "env":["PATH=/bin"]},
 "linux":{"namespaces":[{"type":"mount"}]}}
EOF
	attack_stdio
	"$no_leftovers" timeout -k 5 180 "$msentry" --root "$work/state" run --bundle "$b" \
		--pid-file "$root/info/victim" "$@" "esc$oci_n" \
		<"$work/stdin" >>"$work/attack-output.txt" 2>&1
	local rc=$?
	"$msentry" --root "$work/state" delete --force "esc$oci_n" >/dev/null 2>&1
	return $rc
}

sleep 1000 &
victim_sleep=$!
start_canary
reset

# 1. Inherited fds: fd 63 open read-write on the secret file.
run_m fds 63<>"$secret_file"
expect_safe "fds: an inherited fd 63 does not reach the program (run)" 42 $?
run_oci fds 63<>"$secret_file"
expect_safe "fds: an inherited fd 63 does not reach the container (oci)" 42 $?
: >"$work/fd3"
run_oci fds --preserve-fds 1 3<"$work/fd3" 63<>"$secret_file"
expect_safe "fds: --preserve-fds 1 passes fd 3, not fd 63 (oci)" 42 $?
# The check can fail: natively, and with --pass-fd=63, the fd is there.
echo "$victim_sleep" >"$root/info/victim"
"$attack" fds "$root" 63<>"$secret_file"
expect_caught "fds, native control" $?
run_m fds --pass-fd=63 63<>"$secret_file"
expect_caught "fds, --pass-fd=63 control" $?

# 1b. msentry started with 0, 1, 2 closed: its own fds (a signalfd, the
# vDSO memfd...) take those numbers, and none may reach the program. The
# one check judged from the program's view (a sentry fd leaves no trace on
# the host); before the fix it listed fd0 fd1 fd2.
timeout -k 5 60 "$msentry" run --quiet --root "$root" /bin/sh -c \
	'exec 3>/out/std; for f in 0 1 2; do [ -e /proc/self/fd/$f ] && echo fd$f >&3; done; true' \
	0<&- 1>&- 2>&-
got=$(tr '\n' ' ' <"$root/out/std" 2>/dev/null)
[ -z "$got" ] && ok "fds: with 0-2 closed, no sentry fd takes their place" ||
	bad "fds: with 0-2 closed the program has: $got"
reset

# 2. Host pids: signals, pidfds, ptrace, process_vm_*, /proc/PID, nice,
# limits on the canary; SIGSTOP and SIGKILL on msentry itself.
run_m hostpids
expect_safe "hostpids: canary and msentry untouched (run)" 42 $?
run_oci hostpids
expect_safe "hostpids: canary and the sentry untouched (oci)" 42 $?
# The check can fail: natively the canary gets its signals and the
# victim (a host sleep here) dies.
echo "$victim_sleep" >"$root/info/victim"
"$attack" hostpids "$root"
expect_caught "hostpids, native control" $?

# 3. Raw host syscalls: every number by `syscall` and `int $0x80`, jumps
# into the vDSO's and the stub page's syscall instructions, forged
# sigreturn frames, the program's own seccomp filters, and the platform's
# memory above the program's (systrap's slots) garbled.
# Forged sigreturn frames once hung the sentry (a stub that could not run
# its own code, resumed forever: platform/ptrace/ptrace.c); every variant
# runs, the kernel-rsp one (7) on its own as well.
for mode in sweep int80 gadgets seccomp sigreturn slots; do
	run_m "$mode"
	rc=$?
	expect_safe "$mode: no host syscall reached the canary or msentry (run): $(tr '\n' ' ' <"$root/out/log" 2>/dev/null)" 42 $rc
done
run_oci sweep
expect_safe "sweep (oci)" 42 $?

# 4. Fork and thread bombs end with the program.
run_m bomb
expect_safe "bomb: 16 processes of 4 threads and their orphans end with pid 1 (run)" 42 $?
run_oci bomb
expect_safe "bomb (oci)" 42 $?

# 5. Leftovers after every kind of exit (a --tmpfs to remove each time).
leftover_case() { # NAME WANT_STATUS SH_SCRIPT
	"$no_leftovers" timeout -k 5 60 sh -c 'echo $$ >"$0"; exec "$@"' "$root/info/victim" \
		"$msentry" run --quiet --root "$root" --tmpfs=/tmp /bin/sh -c "$3"
	expect_safe "exit: $1" "$2" $?
}
leftover_case "normal exit with children running" 3 'sleep 100 & sleep 100 & exit 3'
leftover_case "killed by a signal" 139 'sleep 100 & kill -SEGV $$'
leftover_case "exec failure" 127 'exec /nonexistent'
kill_case() { # NAME SIGNAL WANT_STATUS [oci]
	rm -f "$root/info/victim"
	if [ "${4:-}" = oci ]; then
		OCI_EXTRA_ARGS=',"4","stay"' run_oci bomb &
	else
		"$no_leftovers" timeout -k 5 60 sh -c 'echo $$ >"$0"; exec "$@"' "$root/info/victim" \
			"$msentry" run --quiet --root "$root" --tmpfs=/tmp /attack bomb / 4 stay &
	fi
	local bg=$!
	for _ in $(seq 600); do [ -s "$root/out/log" ] && break; sleep 0.05; done
	kill -"$2" "$(cat "$root/info/victim")"
	wait $bg
	expect_safe "$1" "$3" $?
}
kill_case "kill -9 of msentry run: every stub dies, the tmpfs dir goes" KILL 137
kill_case "SIGTERM to msentry run" TERM 143
kill_case "kill -9 of the OCI container's sentry" KILL 137 oci
exit $fail
