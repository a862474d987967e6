#!/usr/bin/env bash
# Issue 13, paths: one family of path syscalls (paths-probe.c) tries every
# way out of a throw-away root: "..", relative and absolute symlinks, the
# host's absolute path and the magic links /proc/self/{root,cwd,fd/N}.
# Next to the root, on the host: `secret` and `outside/`. The verdict comes
# only from the host after the run: the secret and everything next to the
# root unchanged (content, mode, owner, times, link count, xattrs), nothing
# new outside, no hard link to an outside file inside the root, and nothing
# of the outside's (unguessable tokens, inode numbers) in what the probe
# could read and keep. The same probe is then run natively, unconfined, with
# the root as its cwd: there the checks must fail, which proves that the
# probe really attempts the escapes (a test that cannot fail proves nothing).
#
# usage: paths-escape.sh MSENTRY PROBE FAMILY
set -u
msentry=$1 probe=$2 family=$3
top= listener=
cleanup() {
	[ -n "$listener" ] && kill "$listener" 2>/dev/null && wait "$listener" 2>/dev/null
	[ -n "$top" ] && rm -rf "$top"
	top= listener=
}
trap cleanup EXIT

if [ "$family" = xattr ] && ! python3 -c 'import os,tempfile
with tempfile.NamedTemporaryFile(dir="/tmp") as f: os.setxattr(f.name, "user.t", b"1")' 2>/dev/null; then
	echo "SKIP: no user xattrs in /tmp"
	exit 77
fi

setup() {
	top=$(mktemp -d /tmp/msentry-escape.XXXXXX)
	chmod 755 "$top"
	token=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	root=$top/root
	mkdir -p "$root/dir" "$top/outside/emptydir"
	cp "$probe" "$root/probe"
	cp "$probe" "$top/outside/prog"
	echo "SECRET-$token" >"$top/secret"
	chmod 640 "$top/secret"
	touch -d '2001-02-03 04:05:06' "$top/secret"
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.msentry", sys.argv[2].encode())' \
		"$top/secret" "XATTR-$token" 2>/dev/null
	echo "MARKER-$token" >"$top/outside/marker"
	echo victim >"$top/outside/victimfile"
	ln -s "HOSTLINK-$token" "$top/outside/hostlink"
	ln -s ../secret "$root/rel"
	ln -s "$top/secret" "$root/abs"
	ln -s ../outside "$root/reldir"
	ln -s "$top/outside" "$root/absdir"
	ln -s ../.. "$root/dir/uplink"
	ln -s /proc/self/cwd "$root/mcwd"
	ln -s /proc/self/root "$root/mroot"
	echo inside >"$root/victim"
	: >"$top/received"
	if [ "$family" = unix ]; then
		"$probe" listen "$top/outside" "$top/received" &
		listener=$!
		for _ in $(seq 100); do [ -e "$top/received.ready" ] && break; sleep 0.05; done
	fi
	[ "$family" = handle ] && "$probe" handle "$top/secret" "$root/handle"
}

# Everything on the host next to the root, and the secret's xattrs.
snapshot() {
	find "$top" -path "$root" -prune -o -printf '%p %i %n %m %u %g %s %T@ %C@ %l\n' | sort
	python3 -c 'import os,sys; print(sorted((k, os.getxattr(sys.argv[1], k)) for k in os.listxattr(sys.argv[1])))' \
		"$top/secret" 2>/dev/null
	md5sum <"$top/secret" 2>&1
}

# The probe's run: inotify gets its event from the host while it runs (the
# snapshot is then taken after the event: a watch changes nothing).
run_probe() { # run_probe CMD...
	if [ "$family" != inotify ]; then
		timeout -k 5 120 "$@" >/dev/null 2>&1
		return
	fi
	timeout -k 5 120 "$@" >/dev/null 2>&1 &
	local pid=$!
	for _ in $(seq 100); do [ -e "$root/ready" ] && break; sleep 0.05; done
	touch "$top/outside/INOTIFY-$token" "$top/secret"
	rm -f "$top/outside/INOTIFY-$token"
	sleep 0.3
	touch "$root/done"
	wait $pid
	before=$(snapshot)
}

# The host's verdict: prints one line per escape found, returns their count.
verdict() {
	local n=0 after ino
	after=$(snapshot)
	if [ "$before" != "$after" ]; then
		echo "ESCAPE: the host next to the root changed:"
		diff <(echo "$before") <(echo "$after") | sed 's/^/    /' | head -20
		n=$((n + 1))
	fi
	for f in secret outside/marker outside/prog outside/victimfile; do
		[ -e "$top/$f" ] || continue
		if [ -n "$(find "$root" -samefile "$top/$f" 2>/dev/null)" ]; then
			echo "ESCAPE: a hard link to $f inside the root"
			n=$((n + 1))
		fi
	done
	local loot=$root/loot
	for tok in "SECRET-$token" "MARKER-$token" "HOSTLINK-$token" "XATTR-$token" \
		"INOTIFY-$token" EXECUTED-OUTSIDE; do
		if grep -q -- "$tok" "$loot" 2>/dev/null; then
			echo "ESCAPE: the sandbox got ${tok%%-*}: $(grep -am1 -- "$tok" "$loot" | cut -c1-120)"
			n=$((n + 1))
		fi
	done
	for f in secret outside/marker; do
		ino=$(stat -c %i "$top/$f" 2>/dev/null) || continue
		if grep -aqw -- "ino=$ino" "$loot" 2>/dev/null; then
			echo "ESCAPE: the sandbox saw $f's inode: $(grep -am1 -w "ino=$ino" "$loot")"
			n=$((n + 1))
		fi
	done
	if [ -s "$top/received" ]; then
		echo "ESCAPE: a host socket outside the root was reached: $(head -c 120 "$top/received")"
		n=$((n + 1))
	fi
	return $n
}

fail=0
# Under msentry, confined: no escape may be found, with the root alone and
# with a mount table (paths then resolve through sentry/kernel/mount.c).
for extra in "" --tmpfs=/t; do
	setup
	before=$(snapshot)
	run_probe "$msentry" run --quiet --root="$root" $extra /probe "$family" "$top"
	if ! verdict; then
		echo "FAIL: $family escaped the root under msentry $extra"
		fail=1
	else
		echo "ok: $family stayed inside the root under msentry $extra"
	fi
	cleanup
done

# Natively, unconfined, the root as cwd: the same attempts must escape.
if [ -e /secret ] || [ -e /outside ]; then
	echo "SKIP native self-check: the host has /secret or /outside"
elif [ "$family" = handle ] && [ "$(id -u)" != 0 ]; then
	echo "SKIP native self-check: open_by_handle_at needs root"
else
	setup
	before=$(snapshot)
	cd "$root" && run_probe ./probe "$family" "$top"
	cd /
	if verdict >/dev/null; then
		echo "FAIL: natively the $family probe found no way out: it proves nothing"
		fail=1
	else
		echo "ok: natively (unconfined) the $family probe escapes, so its checks can fail"
	fi
	cleanup
fi
exit $fail
