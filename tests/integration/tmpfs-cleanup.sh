#!/usr/bin/env bash
# What a tmpfs mount's files leave behind (sentry/kernel/mount-private.c):
# nothing after a normal exit, at once; nothing after the sentry is
# SIGKILLed from outside while the program has files in the tmpfs, after
# a short bounded wait. Both mechanisms: msentry as root (a detached
# tmpfs held only by the sandbox's fds) and msentry as another user (a
# /tmp/msentry-mounts-XXXXXX directory and its cleanup helper; run with
# setpriv, so this needs root too).
#   tmpfs-cleanup.sh MSENTRY
# Each case finds its own sandbox's private directory through msentry's
# fds (other msentry runs may come and go in /tmp meanwhile).
set -u
msentry=$(realpath "$1")
fail=0
check() {
	if [ "$2" == "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: want [$2] got [$3]"; fail=1; fi
}
if [ "$(id -u)" != 0 ]; then
	echo "skipped: needs root (both mechanisms, and setpriv for the fallback)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"

# The private directory that process $1 holds fds of: its host path as the
# kernel names it (/proc/msentry-mounts detached, /tmp/msentry-mounts-X
# otherwise), or nothing.
private_of() {
	local l
	for l in /proc/"$1"/fd/*; do
		readlink "$l" 2>/dev/null
	done | sed -n 's#^\(/proc/msentry-mounts\|/tmp/msentry-mounts-[^/]*\).*#\1#p' | head -1
}

# Pids of $1 and every descendant (the stub factory and stubs).
tree_of() {
	local p=$1 kids k
	echo "$p"
	kids=$(cat /proc/"$p"/task/*/children 2>/dev/null)
	for k in $kids; do tree_of "$k"; done
}

# Whether any of the pids in $2 still holds a file named below $1.
held() {
	local p l
	for p in $2; do
		for l in /proc/"$p"/fd/*; do
			case "$(readlink "$l" 2>/dev/null)" in "$1"*) return 0 ;; esac
		done
	done
	return 1
}

# Wait (bounded) until $1 holds the private directory; prints it.
wait_private() {
	local d
	for _ in $(seq 100); do
		d=$(private_of "$1")
		[ -n "$d" ] && [ -e "/proc/$1/fd" ] && { echo "$d"; return; }
		sleep 0.05
	done
}

# Wait (bounded, 5 s) until the private directory $1 of the tree $2 is
# gone: the /tmp directory removed, the detached tmpfs held by no one.
wait_gone() {
	for _ in $(seq 100); do
		if [ "${1#/tmp/}" != "$1" ]; then
			[ -e "$1" ] || { echo gone; return; }
		elif ! held "$1" "$2"; then
			echo gone
			return
		fi
		sleep 0.05
	done
	echo "still there"
}

# $1: label, $2...: the command prefix that starts msentry.
cases() {
	local label=$1 pid dir tree rc flag
	shift
	flag=$flags/$RANDOM$RANDOM
	# A normal exit: nothing left at once.
	"$@" "$msentry" run --quiet --tmpfs=/x sh -c 'echo a >/x/f; mkdir /x/d; echo b >/x/d/g; sleep 1' &
	pid=$!
	dir=$(wait_private "$pid")
	echo "$label: the sandbox's private directory: ${dir:-none found}"
	check "$label: the sandbox has a private directory" "yes" "$([ -n "$dir" ] && echo yes || echo no)"
	wait "$pid"
	rc=$?
	check "$label: normal exit status" "0" "$rc"
	check "$label: after a normal exit, nothing is left in /tmp at once" "no" \
		"$([ "${dir#/tmp/}" != "$dir" ] && [ -e "$dir" ] && echo yes || echo no)"

	# SIGKILL from outside once the program has files in the tmpfs (it
	# says so on the host, in $flags). Not under timeout: the pid killed
	# must be msentry's own.
	"$@" "$msentry" run --quiet --tmpfs=/x sh -c \
		"echo a >/x/f; mkdir /x/d; echo b >/x/d/g; touch $flag; sleep 60" &
	pid=$!
	dir=$(wait_private "$pid")
	for _ in $(seq 100); do
		[ -e "$flag" ] && break
		sleep 0.05
	done
	check "$label (killed): the program wrote its files" "yes" "$([ -e "$flag" ] && echo yes || echo no)"
	if [ "${dir#/tmp/}" != "$dir" ]; then
		check "$label (killed): they are in $dir" "b" "$(cat "$dir"/t/*/d/g 2>&1)"
	fi
	tree=$(tree_of "$pid")
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	check "$label: after SIGKILL of the sentry, its tmpfs is gone" "gone" "$(wait_gone "$dir" "$tree")"
}

flags=$tmp/flags
mkdir -m 0777 "$flags"
cases "as root" env
# The fallback as root (MSENTRY_PRIVATE_DIR=host).
cases "as root, /tmp fallback" env MSENTRY_PRIVATE_DIR=host
# The fallback: msentry as nobody.
cases "not root" setpriv --reuid=65534 --regid=65534 --clear-groups

exit $fail
