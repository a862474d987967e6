#!/usr/bin/env bash
# The sentry's mount namespace holds only the sandbox root, what it serves
# and /proc (sentry/guard-pivot.c). Evidence from the host side only, while
# the program sleeps: /proc/<sentry>/mountinfo lists no other mount point,
# /proc/<sentry>/root/ (and a stub's) holds only the served paths' first
# components, and a host file outside the root is not there. A file
# mount's point cannot be removed from the host. With the default root
# "/" nothing is cut, and --debug says so.
#
# usage: pivot.sh MSENTRY
set -u
msentry=$(realpath "$1")
if [ "$(id -u)" != 0 ]; then
	echo "skip: the pivot needs root (CAP_SYS_ADMIN)"
	exit 77
fi
tmp=$(mktemp -d /var/tmp/msentry-pivot.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
tmp=$(realpath "$tmp")
root=$tmp/root
src=$tmp/served
mkdir -p "$root/bin" "$root/tmp" "$root/data" "$src"
cp /bin/busybox "$root/bin/"
echo served >"$src/file"
echo SECRET >"$tmp/secret"
fail=0
bad() {
	echo "FAIL: $*"
	fail=1
}

timeout -k 5 60 "$msentry" run --debug --quiet --root="$root" --mount="$src:/data" \
	/bin/busybox sh -c 'cat /data/file > /tmp/ready; sleep 30' 2>"$tmp/debug" &
run=$!
for _ in $(seq 200); do
	[ -s "$root/tmp/ready" ] && break
	sleep 0.05
done
sentry=$(pgrep -P "$run" | head -1) # timeout's child is msentry itself
stub=$(pgrep -P "$sentry" | tail -1)
if [ -z "$sentry" ] || [ "$(cat "$root/tmp/ready" 2>/dev/null)" != served ]; then
	bad "the program did not start or did not read its mount"
	cat "$tmp/debug"
	kill "$run" 2>/dev/null
	exit 1
fi
cp "/proc/$sentry/mountinfo" "$tmp/mountinfo"
ls -A "/proc/$sentry/root/" >"$tmp/top"
stub_top=$(ls -A "/proc/$stub/root/" 2>/dev/null | tr '\n' ' ')
secret_seen=no
[ -e "/proc/$sentry/root$tmp/secret" ] && secret_seen=yes
[ -e "/proc/$sentry/root/etc/passwd" ] && secret_seen="$secret_seen, /etc/passwd"
root_seen=no
[ -x "/proc/$sentry/root$root/bin/busybox" ] && root_seen=yes
kill "$run" 2>/dev/null
wait "$run" 2>/dev/null

# Mount points: "/" (the tmpfs), /proc and what is below it, the root
# (and its own submounts) and the served directory; nothing else.
others=$(awk '{print $5}' "$tmp/mountinfo" | while read -r point; do
	case "$point" in
	/ | /proc | /proc/* | "$root" | "$root"/* | "$src") ;;
	*) echo "$point" ;;
	esac
done)
if [ -n "$others" ]; then
	bad "the sentry's mount namespace still holds host mounts: $(echo "$others" | head -5 | tr '\n' ' ')"
else
	echo "ok: the sentry's mounts: $(awk '{print $5}' "$tmp/mountinfo" | tr '\n' ' ')"
fi
grep -q "^[0-9]* [0-9]* [0-9:]* / / .* - tmpfs " "$tmp/mountinfo" ||
	bad "the sentry's root is not its own tmpfs: $(grep ' / / ' "$tmp/mountinfo")"
# Its root directory: /proc and the first component of the root's path.
first=$(echo "$tmp" | cut -d/ -f2)
want=$(printf '%s\n' proc "$first" | sort -u | tr '\n' ' ')
got=$(sort -u "$tmp/top" | tr '\n' ' ')
if [ "$got" != "$want" ]; then
	bad "ls /proc/<sentry>/root/ shows '$got', want '$want'"
else
	echo "ok: ls /proc/<sentry>/root/ shows only: $got"
fi
[ "$stub_top" = "$(tr '\n' ' ' <"$tmp/top")" ] ||
	bad "a stub's root shows '$stub_top', not the sentry's"
[ "$secret_seen" = no ] || bad "a host file outside the root is reachable from the sentry's root: $secret_seen"
[ "$root_seen" = yes ] || bad "the sandbox root is not at its path in the sentry's root"
[ "$secret_seen" = no ] && [ "$root_seen" = yes ] &&
	echo "ok: the root is at its path, a host file beside it is not reachable"
grep -q "guard: mount namespace pivoted" "$tmp/debug" ||
	bad "--debug does not name the pivot: $(grep guard "$tmp/debug")"

# A file mount's point is changed through its directory, which is now the
# new root's (the file a mount point there), never the host's: removing
# the point must leave the host's file (it removed it before the pivot).
timeout -k 5 60 "$msentry" run --quiet --root="$root" --mount="$src/file:/file" \
	/bin/busybox rm -f /file 2>/dev/null
if [ "$(cat "$src/file" 2>/dev/null)" = served ]; then
	echo "ok: rm of a file mount's point leaves the host's file"
else
	bad "rm of a file mount's point removed the host's file"
fi

# The default root "/": nothing to cut, and --debug says so.
line=$(timeout -k 5 60 "$msentry" run --debug --quiet /bin/true 2>&1 | grep "mount namespace")
case "$line" in
*"not pivoted (the root is the host's /"*) echo "ok: root /: $line" ;;
*) bad "root /: --debug says '$line'" ;;
esac
exit $fail
