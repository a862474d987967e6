#!/bin/sh
# A registered missing page as a syscall buffer (uffd-kernel-fault.c):
# msentry must answer EFAULT at once instead of hanging in the host (see
# sentry/kernel/userfaultfd.c), still serve the program's own faults, and
# keep msentry's stub page out of every request's reach.
# Usage: uffd-no-hang.sh path/to/msentry path/to/process-uffd-kernel-fault
set -u
msentry=$1 prog=$2
out=$(timeout -k 5 60 "$msentry" run --quiet "$prog" 2>&1)
rc=$?
expected="write from a missing page = -1 EFAULT
read into a missing page = -1 EFAULT
touch: 'k'
stub page: register = -1 EINVAL
up to the stub page: register = -1 EINVAL
stub page: zeropage = -1 EINVAL
stub page: copy = -1 EINVAL
stub page: move = -1 EINVAL"
if [ $rc -ne 0 ] || [ "$out" != "$expected" ]; then
	echo "FAIL: rc $rc (124: msentry hung), output:"
	echo "$out"
	exit 1
fi
echo "ok: EFAULT without a hang; the program's own fault was served"
