#!/usr/bin/env bash
# Real programs from Debian's packages, run natively and under msentry:
# stdout and exit status must be the same.
#   programs.sh MSENTRY COMPARE HELLO_STATIC HELLO_PIE HELLO_DYNAMIC
set -u
msentry=$1 compare=$2
shift 2
fail=0
cmp() { "$compare" "$msentry" "$@" || fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seq 1000 -1 1 | sed 's/^/line /' >"$tmp/lines"
cmp /bin/true
cmp /bin/false
cmp /bin/echo hello world
# The link count of /proc is the number of processes the viewer can see:
# the host's natively, the sandbox's under msentry. Everything else of
# `ls -la /` must match.
# The link counts of /proc (the viewer's processes) and /tmp (other tests'
# temp dirs come and go meanwhile) are masked; so is /tmp's time.
cmp sh -c 'ls -la / | sed -E "/ (proc|tmp)$/s/^([^ ]*) *[0-9]+(.*) [A-Z][a-z]{2} +[0-9]+ +[0-9:]+ /\1 N\2 DATE /"'
cmp cat /etc/os-release
cmp sort "$tmp/lines"
cmp sha256sum /etc/os-release "$tmp/lines"
cmp /bin/busybox ls /
cmp /bin/busybox cat /etc/os-release
cmp /bin/busybox wc -l "$tmp/lines"
cmp /bin/busybox md5sum /etc/os-release
cmp /bin/busybox awk '{ s += $2 } END { print s }' "$tmp/lines"
cmp /bin/busybox sed -n 's/line 99\(.\)/found \1/p' "$tmp/lines"
cmp /usr/bin/python3 -c 'print(sum(range(10**6)))'
cmp perl -e 'print 1+1'
cmp env -i PATH=/usr/bin:/bin sh -c 'echo $PATH; cd /etc && pwd && ls -d ../etc'
# util-linux's ipcmk, ipcs and ipcrm (System V IPC through /proc/sysvipc
# and the *ctl calls); ids and times are masked.
if command -v ipcmk >/dev/null; then
	cmp sh -c 'id=$(ipcmk -S 3 -p 0640 | sed "s/.*: //"); ipcs -s -i "$id" | sed -E "s/semid=[0-9]+/semid=N/; /time/d"; ipcrm -s "$id"; ipcs -s -i "$id" 2>/dev/null; q=$(ipcmk -Q | sed "s/.*: //"); ipcs -q -i "$q" | sed -E "s/msqid=[0-9]+/msqid=N/; /time/d; /pid/d"; ipcrm -q "$q"; echo removed'
fi
for hello in "$@"; do
	cmp env MSENTRY_TEST_VAR=value "$hello" one "two words" three
done
exit $fail
