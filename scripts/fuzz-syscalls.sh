#!/usr/bin/env bash
# Syscall fuzzing: Debian's trinity run inside msentry (docs/design.md,
# "Fuzzing").
#   scripts/fuzz-syscalls.sh MINUTES [SEED]
# trinity runs as nobody (below a root pid 1, as on the host) in a sandbox
# whose root is the host's /, read-only, with a private tmpfs at /tmp as its working directory and
# /dev/null, /dev/zero and /dev/urandom as its only devices. msentry itself
# runs in throw-away namespaces (unshare: mount, pid, ipc, uts, net) in
# which / is read-only too and /tmp is a fresh tmpfs, so not even a bug in
# the sentry can change the host's files. The run fails if msentry
#  - crashes: dies of a signal, or prints a sanitizer report or an abort;
#  - hangs: tests/watchdog.py's deadlock (every stub stopped while the
#    sentry waits), no CPU used by the whole tree for 120 s, or no exit
#    within 60 s of the SIGINT that ends the run;
#  - changes the host: a file under /etc /usr/local /opt /srv /home /boot
#    newer than the start of the run.
# Prints the seed (rerun with it), trinity's count of syscalls, and the
# verdict; the full log is kept in the scratch directory it names, with
# events.log, msentry's trace of signals, exits and execs (--strace=none).
# Exits
# 0 (pass), 1 (fail), 77 (skip: trinity or msentry missing).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
	echo "usage: scripts/fuzz-syscalls.sh MINUTES [SEED]" >&2
	exit 2
fi
minutes=$1
seed=${2:-$((RANDOM * 32768 + RANDOM))}
msentry=$(realpath "${MSENTRY:-build/cmd/msentry}" 2>/dev/null)
if ! command -v trinity >/dev/null; then
	echo "msentry: fuzz-syscalls: skipped: trinity is not installed (apt-get install trinity)"
	exit 77
fi
if [ ! -x "$msentry" ]; then
	echo "msentry: fuzz-syscalls: skipped: no msentry at ${MSENTRY:-build/cmd/msentry} (build first)"
	exit 77
fi
# Not in /tmp: the namespace hides the host's /tmp under a fresh tmpfs.
scratch=$(mktemp -d /var/tmp/msentry-fuzz-syscalls.XXXXXX)
touch "$scratch/start"
# A private copy: a rebuild during a long run must not pull msentry from
# under it.
cp "$msentry" "$scratch/msentry" && msentry=$scratch/msentry
ns=()
if [ "$(id -u)" = 0 ] && unshare --mount --pid --fork --ipc --uts --net true 2>/dev/null; then
	ns=(unshare --mount --pid --fork --ipc --uts --net --kill-child --)
else
	echo "msentry: fuzz-syscalls: no namespaces here (needs root): host files are guarded by msentry's read-only root alone"
fi
echo "fuzz-syscalls: seed $seed, $minutes min, log $scratch/log"
"${ns[@]}" python3 tests/fuzz-syscalls.py "$msentry" "$minutes" "$seed" "${#ns[@]}" "$scratch" \
	>"$scratch/log" 2>&1
rc=$?
grep -E '^fuzz-syscalls:' "$scratch/log"
changed=$(find /etc /usr/local /opt /srv /home /boot -xdev -newer "$scratch/start" 2>/dev/null | head -20)
if [ -n "$changed" ]; then
	echo "fuzz-syscalls: FAIL: host files changed during the run:"
	echo "$changed"
	rc=1
fi
if [ $rc -eq 0 ]; then
	echo "fuzz-syscalls: PASS"
else
	echo "fuzz-syscalls: FAIL (log: $scratch/log)"
	tail -20 "$scratch/log"
fi
exit $rc
