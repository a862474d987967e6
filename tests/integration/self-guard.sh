#!/bin/sh
# The sentry's own confinement (sentry/guard.c): seen from the host it runs
# with a seccomp filter, no_new_privs, fewer capabilities and (as root) its
# own mount, IPC and UTS namespaces; a host syscall its allow-list does not
# name kills it with SIGSYS, and every stub with it; in trap mode the call
# is named and fails instead.
msentry=$1
noleft=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "self-guard: $*" >&2; exit 1; }

field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }

# 1. Applied: the sentry is msentry's own process (run directly, so that
#    $! is its pid; the test's own timeout bounds a hang).
"$msentry" run sleep 30 &
pid=$!
i=0
while [ "$(field $pid Seccomp)" != 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(field $pid Seccomp)" = 2 ] || fail "no seccomp filter on the sentry"
[ "$(field $pid NoNewPrivs)" = 1 ] || fail "no_new_privs not set"
if [ "$(id -u)" = 0 ]; then
	for ns in mnt ipc uts; do
		[ "$(readlink /proc/$pid/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ] ||
			fail "the sentry shares the caller's $ns namespace"
	done
	# CAP_SYS_MODULE (16) and CAP_SYS_BOOT (22) are gone from every set.
	for set in CapEff CapPrm CapBnd; do
		v=$((0x$(field $pid $set)))
		[ $((v & (1 << 16 | 1 << 22))) = 0 ] || fail "$set still has SYS_MODULE or SYS_BOOT"
	done
fi
kill $pid
wait $pid

# 2. Turned off.
"$msentry" run --no-self-seccomp sleep 30 &
pid=$!
i=0
while [ "$(field $pid NoNewPrivs)" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(field $pid Seccomp)" = 0 ] || fail "--no-self-seccomp still filters"
kill $pid
wait $pid

# 3. A forbidden call kills the sentry (SIGSYS: 128+31) and every stub:
#    three sandbox processes are alive at the third execve. no-leftovers
#    runs the whole as a subreaper and fails (99) on any survivor.
cat >"$tmp/run.sh" <<EOS
MSENTRY_TEST_FORBIDDEN_SYSCALL=3 timeout -k 5 60 "$msentry" run /bin/sh -c 'sleep 30 & sleep 30 & exec sleep 30'
EOS
python3 "$noleft" sh "$tmp/run.sh"
rc=$?
[ $rc = 159 ] || fail "forbidden syscall: status $rc, expected 159 (SIGSYS)"

# 4. Trap mode (MSENTRY_SELF_SECCOMP=log, also --debug): named, ENOSYS.
out=$(MSENTRY_SELF_SECCOMP=log MSENTRY_TEST_FORBIDDEN_SYSCALL=1 \
	timeout -k 5 60 "$msentry" run /bin/sh -c '/bin/true; echo survived' 2>&1)
echo "$out" | grep -q "host syscall reboot (args" || fail "trap mode: $out"
echo "$out" | grep -q survived || fail "trap mode did not continue: $out"

# 5. --debug names each layer.
out=$(timeout -k 5 60 "$msentry" run --debug /bin/true 2>&1)
for word in namespaces capabilities seccomp; do
	echo "$out" | grep -q "guard: .*$word" || fail "--debug does not name $word: $out"
done
echo "self-guard: ok"
