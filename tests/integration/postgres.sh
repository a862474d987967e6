#!/usr/bin/env bash
# PostgreSQL 15 under msentry, as a daemon really runs: initdb, the server
# (System V and POSIX shared memory, semaphores in shared memory, a unix
# socket, forked backends), pgbench's schema and a fixed number of
# transactions from clients outside the sandbox, then a fast shutdown by
# SIGINT sent to msentry (forwarded to the postmaster). Passes when every
# transaction commits and everything ends cleanly, with exit status 0.
# Skipped (exit 77) where Debian's postgresql-15 is not installed.
#   postgres.sh MSENTRY WATCHDOG
set -u
msentry=$(realpath "$1") watchdog=$(realpath "$2")
bin=/usr/lib/postgresql/15/bin
if [ ! -x "$bin/postgres" ] || ! id postgres >/dev/null 2>&1; then
	echo "skip: Debian's postgresql-15 is not installed"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "skip: running the server as the postgres user needs root"
	exit 77
fi
work=$(mktemp -d /tmp/msentry-pg.XXXXXX)
chown postgres "$work"
server=
cleanup() {
	[ -n "$server" ] && kill -9 "$server" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# The postgres user may not be able to reach the build tree (a clone under
# /root): it runs copies (msentry is linked statically).
cp "$msentry" "$watchdog" "$work/"
msentry=$work/$(basename "$msentry") watchdog=$work/$(basename "$watchdog")
# As the postgres user, in this process (setpriv execs: no su in between
# to swallow the SIGINT meant for msentry).
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups /bin/sh -c "$*"; }
port=$((50000 + $$ % 10000))
if ! as_pg "/usr/bin/python3 $watchdog --timeout 120 -- $msentry run --quiet $bin/initdb -D $work/data -A trust -U postgres" >"$work/initdb.log" 2>&1; then
	echo "FAIL: initdb under msentry"; tail -5 "$work/initdb.log"; exit 1
fi
# Not through as_pg: a shell function in the background is a subshell,
# which would be $! and ignores SIGINT.
setpriv --reuid=postgres --regid=postgres --init-groups /usr/bin/python3 "$watchdog" --timeout 300 -- \
	"$msentry" run --quiet "$bin/postgres" -D "$work/data" -k "$work" -p "$port" \
	-c listen_addresses= >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
	as_pg "$bin/pg_isready -q -h $work -p $port" && break
	sleep 0.2
done
fail=0
# Clients are bounded too: a server that stops answering fails (124)
# rather than holding the test.
as_pg "timeout 120 $bin/pgbench -q -h $work -p $port -U postgres -i -s 1 postgres" >"$work/init.log" 2>&1 || {
	echo "FAIL: pgbench -i (exit $?)"; tail -5 "$work/init.log"; fail=1; }
as_pg "timeout 120 $bin/pgbench -h $work -p $port -U postgres -c 4 -j 2 -t 200 postgres" >"$work/bench.log" 2>&1 || {
	echo "FAIL: pgbench (exit $?)"; tail -5 "$work/bench.log"; fail=1; }
grep -E 'processed|failed|tps' "$work/bench.log"
grep -q 'number of transactions actually processed: 800/800' "$work/bench.log" || { echo "FAIL: not all 800 transactions"; fail=1; }
grep -q 'number of failed transactions: 0 ' "$work/bench.log" || { echo "FAIL: failed transactions"; fail=1; }
# A fast shutdown, as `docker stop` would ask for it.
kill -INT "$server"
wait "$server"
rc=$?
server=
grep -q 'database system is shut down' "$work/server.log" || { echo "FAIL: no clean shutdown"; tail -5 "$work/server.log"; fail=1; }
[ "$rc" = 0 ] || { echo "FAIL: the server exited $rc"; fail=1; }
[ $fail = 0 ] && echo "ok: PostgreSQL under msentry: initdb, 800 pgbench transactions, clean shutdown"
exit $fail
