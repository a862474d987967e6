#!/usr/bin/env bash
# The sandbox ends with its first process, as a PID namespace does, and a
# bomb meets the --max-tasks wall. Each case runs msentry under
# no-leftovers.py (a child subreaper: stubs that outlive msentry would be
# seen) and `timeout` (a hang fails the case), and checks msentry's exit
# status is the first process's.
#
#   pid1.sh MSENTRY BOMBS_PROGRAM
set -u
msentry=$1
bombs=$2
here=$(cd "$(dirname "$0")" && pwd)
leftovers=$here/../integration/no-leftovers.py
fail=0

# expect STATUS NAME ARGS...: `msentry run ARGS` exits with STATUS, leaves nothing.
expect() {
	local want=$1 name=$2
	shift 2
	timeout -k 5 60 "$leftovers" "$msentry" run "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $name: exit status $rc, expected $want"
		sed 's/^/    /' "$tmp/err" | tail -n 5
		fail=1
		return
	fi
	echo "ok: $name (status $rc, nothing left)"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect 3 "background child outlives pid 1" sh -c 'sleep 1000 & exit 3'
expect 4 "stopped child" sh -c 'sleep 1000 & kill -STOP $!; exit 4'
expect 5 "double-forked daemon in its own session" \
	sh -c '(setsid sh -c "sleep 1000" </dev/null >/dev/null 2>&1 &); sleep 0.3; exit 5'
expect 6 "process keeping an unreaped zombie" \
	sh -c 'sh -c "sleep 0.1 & exec sleep 1000" & sleep 0.5; exit 6'
expect 137 "pid 1 killed by a signal, children left" sh -c 'sleep 1000 & sleep 1000 & kill -9 $$; exit 1'
expect 3 "fork bomb under --max-tasks=64" --max-tasks=64 "$bombs" fork
if ! grep -q "fork: EAGAIN" "$tmp/out"; then
	echo "FAIL: fork bomb: fork did not fail with EAGAIN: $(cat "$tmp/out")"
	fail=1
fi
expect 3 "thread bomb under --max-tasks=64" --max-tasks=64 "$bombs" thread
if ! grep -q "thread: EAGAIN" "$tmp/out"; then
	echo "FAIL: thread bomb: pthread_create did not fail with EAGAIN: $(cat "$tmp/out")"
	fail=1
fi
# RLIMIT_NPROC for a non-root uid (needs root to pick the uid): with a
# limit of 3 tasks, the third fork fails with EAGAIN, as Linux's.
if [ "$(id -u)" = 0 ] && [ -x /usr/bin/python3 ]; then
	prog='import resource, os, errno, time
resource.setrlimit(resource.RLIMIT_NPROC, (3, 3))
pids = []
for i in range(6):
    try:
        pid = os.fork()
    except OSError as e:
        print("fork", i, errno.errorcode[e.errno])
        break
    if pid == 0:
        time.sleep(1)
        os._exit(0)
    pids.append(pid)
for p in pids:
    os.waitpid(p, 0)
print("forked", len(pids))'
	expect 0 "RLIMIT_NPROC for uid 1000" --user=1000 /usr/bin/python3 -c "$prog"
	if [ "$(tr '\n' ' ' <"$tmp/out")" != "fork 2 EAGAIN forked 2 " ]; then
		echo "FAIL: RLIMIT_NPROC: $(cat "$tmp/out")"
		fail=1
	fi
else
	echo "skip: RLIMIT_NPROC case (needs root and /usr/bin/python3)"
fi
exit $fail
