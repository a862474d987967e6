#!/usr/bin/env bash
# The host's /proc behind the sandbox's: with `msentry run` (root "/") the
# host's procfs lies inside the root, where /proc/self is the sentry itself
# (its memory, maps, environment, fds) and /proc/PID any host process. The
# sandbox's procfs serves /proc by name; every other way there (a symlink
# to /proc/self, "//proc", "/./proc", "/tmp/../proc", "/proc/./self",
# climbing links, a directory link, a dirfd) must reach the program's own
# entries or nothing, never the sentry's. Evidence: what the program reads
# must not carry the sentry's marks (its binary's path, its own process
# name, a token only in its environment), and a native run of the same
# script must show them (its own /proc does), so the test can fail. And a
# listing of /proc by any of those spellings is the sandbox's (its pid 1,
# not the sentry's host pid), where natively it lists the host's.
#
# usage: host-proc.sh MSENTRY
set -u
msentry=$(realpath "$1")
token=HOSTPROC-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
tmp=$(mktemp -d /var/tmp/msentry-hostproc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
mkdir -p "$tmp/a/b"
for f in status maps cmdline environ; do
	ln -s "/proc/self/$f" "$tmp/abs-$f"
	ln -s "../../../../../../../../proc/self/$f" "$tmp/a/b/rel-$f"
done
ln -s /proc/self "$tmp/selfdir"
ln -s /proc "$tmp/procdir"
# The routes, each read with cat; $1 is the file (status, maps...).
cat >"$tmp/read.sh" <<EOF
for f in status maps cmdline environ; do
	for p in $tmp/abs-\$f $tmp/a/b/rel-\$f //proc/self/\$f /./proc/self/\$f \
		/tmp/../proc/self/\$f /proc/./self/\$f /proc/self/../self/\$f \
		/proc/thread-self/../self/\$f $tmp/selfdir/\$f $tmp/procdir/self/\$f \
		$tmp/procdir/./self/\$f; do
		cat "\$p" 2>/dev/null | tr '\0' '\n'
	done
	(cd / && cat proc/../proc/self/\$f proc/./self/\$f 2>/dev/null | tr '\0' '\n')
	(cd $tmp/a/b && cat ../../../../../../../../proc/self/\$f 2>/dev/null | tr '\0' '\n')
done
# The sentry's host pid, which the test hands over: /proc/PID by that
# number, through the host's /proc or the sandbox's.
i=0
while [ ! -s $tmp/sentry.pid ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i+1)); done
pid=\$(cat $tmp/sentry.pid 2>/dev/null)
for f in status maps cmdline environ; do
	cat //proc/\$pid/\$f /proc/\$pid/\$f $tmp/procdir/\$pid/\$f 2>/dev/null | tr '\0' '\n'
done
# Listings of /proc by every spelling: its pid entries, one LIST line each.
for p in /proc //proc /./proc /tmp/../proc $tmp/procdir $tmp/procdir/ /proc/self/..; do
	ls -1a "\$p" 2>/dev/null | grep -E '^[0-9]+\$' | sed "s|^|LIST \$p |"
done
(cd /tmp/../proc && ls -1a . 2>/dev/null | grep -E '^[0-9]+\$' | sed "s|^|LIST cd |")
# Writes: the sentry's memory through its own /proc (the program's own is
# fine: it is its own memory).
for p in $tmp/abs-mem //proc/self/mem /./proc/self/mem; do
	(exec 3<>"\$p") 2>/dev/null
done
EOF
fail=0
marks() { # marks FILE: which of the sentry's marks the file shows
	local m=""
	grep -qF "$msentry" "$1" && m="$m binary-path"
	grep -qE '^Name:[[:space:]]+msentry' "$1" && m="$m name"
	grep -qF "$token" "$1" && m="$m env-token"
	echo "${m# }"
}
# The program runs with an empty environment (env -i): only msentry's own
# environment holds the token.
env HOSTPROC_TOKEN="$token" timeout -k 5 120 "$msentry" run --quiet -- \
	/usr/bin/env -i /bin/sh "$tmp/read.sh" >"$tmp/msentry.out" 2>&1 &
run=$!
# timeout's child is msentry itself.
for _ in $(seq 100); do
	sentry=$(pgrep -P "$run" | head -1)
	[ -n "$sentry" ] && break
	sleep 0.05
done
echo "$sentry" >"$tmp/sentry.pid.new" && mv "$tmp/sentry.pid.new" "$tmp/sentry.pid"
wait "$run"
got=$(marks "$tmp/msentry.out")
if [ -n "$got" ]; then
	echo "FAIL: the program read the sentry's own /proc: $got"
	grep -nF -e "$msentry" -e "$token" "$tmp/msentry.out" | head -5
	grep -nE '^Name:[[:space:]]+msentry' "$tmp/msentry.out" | head -2
	fail=1
else
	echo "ok: no route reached the sentry's /proc ($(wc -l <"$tmp/msentry.out") lines read, all the program's)"
fi
# The same script natively, run by a process that carries the marks
# itself: a copy of msentry's path as its name is not needed; its own
# environment has the token and its maps show the shell. The routes must
# reach its /proc there, or the script tests nothing.
echo $$ >"$tmp/sentry.pid"
env -i HOSTPROC_TOKEN="$token" /bin/sh "$tmp/read.sh" >"$tmp/native.out" 2>&1
if grep -qF "$token" "$tmp/native.out" && [ "$(grep -c '^Name:' "$tmp/native.out")" -ge 10 ]; then
	echo "ok: natively the same routes reach the reader's own /proc ($(grep -c '^Name:' "$tmp/native.out") status reads)"
else
	echo "FAIL: natively the routes did not reach /proc: the script proves nothing"
	fail=1
fi
# The listings: under msentry every spelling lists the sandbox's /proc
# (its pid 1, the shell reading the script; never the sentry's host pid),
# natively the host's (the reader's, this script's, pid among them).
spellings="/proc //proc /./proc /tmp/../proc $tmp/procdir $tmp/procdir/ /proc/self/.. cd"
for p in $spellings; do
	if grep -qx "LIST $p $sentry" "$tmp/msentry.out" || ! grep -qx "LIST $p 1" "$tmp/msentry.out"; then
		echo "FAIL: under msentry \`ls $p\` listed the host's pids, not the sandbox's"
		grep "^LIST $p " "$tmp/msentry.out" | head -5
		fail=1
	elif ! grep -qx "LIST $p $$" "$tmp/native.out"; then
		echo "FAIL: natively \`ls $p\` did not list the host's pids: the check proves nothing"
		fail=1
	fi
done
[ $fail = 0 ] && echo "ok: every spelling of /proc lists the sandbox's pids under msentry, the host's natively"
# And under msentry they still reach the program's own entries.
n=$(grep -c '^Name:' "$tmp/msentry.out")
if [ "$n" -ge 10 ]; then
	echo "ok: under msentry the routes reach the program's own /proc ($n status reads)"
else
	echo "FAIL: under msentry only $n of the status routes reached the program's /proc"
	fail=1
fi
exit $fail
