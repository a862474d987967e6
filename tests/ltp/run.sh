#!/usr/bin/env bash
# LTP's syscall tests as the yardstick: run each test natively and under
# msentry, and count, over the tests that pass natively, how many pass in
# the sandbox too.
#
#   tests/ltp/run.sh MSENTRY LTP_DIR [PATTERN...]
#
# LTP_DIR is a Linux Test Project tree whose testcases/kernel/syscalls are
# already built (LTP's own instructions; msentry does not ship or build
# LTP). PATTERN (shell globs on test names, e.g. 'open*' 'read0[1-4]')
# picks tests; the default is every test. LTP_TIMEOUT (seconds, default 30)
# bounds each run; LTP_JOBS (default 2) runs that many tests at once;
# LTP_LOGS (a directory) keeps both logs of each test that passes
# natively and fails in the sandbox (NAME.msentry.log, NAME.native.log).
#
# Each test runs under a shell (`msentry run /bin/sh -c '"$0"' TEST`):
# LTP's library takes getppid() == 1 for "my parent died", and the
# sandbox's first process is pid 1, as in a container. Tests that would
# change this machine when run natively (its clock, hostname, swap, ...)
# are never run. Prints one line per test and, last:
#   ltp: N passed, N failed   (over the tests that pass natively)
# and the same over the tests that do not need a block device (natively
# they format a loop device; a sandbox offers none, see docs/ltp.md).
# A hang of msentry (tests/watchdog.py) counts as a failure and is named.
set -u
msentry=$(realpath "$1") ltp=$(realpath "$2")
shift 2
here=$(cd "$(dirname "$0")" && pwd)
timeout_s=${LTP_TIMEOUT:-30}
jobs=${LTP_JOBS:-2}
out=$(mktemp -d)
chmod 0755 "$out" # see run_one
trap 'rm -rf "$out"' EXIT
# Natively, these change the machine itself (gethostid01 writes /etc/hostid
# through sethostid).
never='settimeofday* gethostid* sethostid* stime* clock_settime* clock_adjtime* adjtimex* leapsec* reboot* swapon* swapoff* sethostname* setdomainname* acct* delete_module* init_module* finit_module* syslog* kexec* quotactl* ioperm* iopl*'

list_tests() {
	find "$ltp/testcases/kernel/syscalls" -mindepth 2 -maxdepth 2 -type f -perm -u+x \
		! -name '*.sh' ! -name '*.c' ! -name '*.o' ! -name '*.h' | sort
}

matches() { # NAME PATTERN...
	local n=$1 p
	shift
	for p in "$@"; do
		# shellcheck disable=SC2254
		case $n in $p) return 0 ;; esac
	done
	return 1
}

run_one() { # TEST-PATH -> "name native sandbox"
	local t=$1 name dir n s
	name=$(basename "$t") dir=$(dirname "$t")
	local tmp
	tmp=$(mktemp -d "$out/run.XXXXXX")
	# LTP's tests drop to nobody in a 0777 directory below TMPDIR, reached
	# by cwd-relative paths, which Linux resolves without searching the
	# ancestors. msentry opens host paths from the root, so it needs them
	# searchable (docs/ltp.md): open the 0700 of mktemp (here and for
	# $out), as /tmp is.
	chmod 0755 "$tmp"
	(cd "$dir" && TMPDIR=$tmp LTPROOT=$ltp timeout -k 5 "$timeout_s" /bin/sh -c '"$0"' "./$name" \
		>"$tmp/native.log" 2>&1)
	n=$?
	rm -rf "$tmp"/*.dir 2>/dev/null
	(cd "$dir" && TMPDIR=$tmp LTPROOT=$ltp python3 "$here/../watchdog.py" --timeout "$timeout_s" \
		-- "$msentry" run --quiet /bin/sh -c '"$0"' "./$name" >"$tmp/sandbox.log" 2>&1)
	s=$?
	if grep -q '^watchdog: msentry .* hung' "$tmp/sandbox.log"; then s=hang; fi
	# Natively on a loop device: a block device, which a sandbox does
	# not offer (docs/ltp.md); counted apart as well as in the total.
	local dev=-
	if grep -qE '/dev/loop[0-9]' "$tmp/native.log"; then dev=blockdev; fi
	if [ -n "${LTP_LOGS:-}" ] && [ "$n" = 0 ] && [ "$s" != 0 ]; then
		cp "$tmp/sandbox.log" "$LTP_LOGS/$name.msentry.log"
		cp "$tmp/native.log" "$LTP_LOGS/$name.native.log"
	fi
	echo "$name $n $s $dev"
	rm -rf "$tmp"
}
export -f run_one
export msentry ltp out here timeout_s

list_tests | while read -r t; do
	name=$(basename "$t")
	# shellcheck disable=SC2086
	matches "$name" $never && continue
	[ $# -eq 0 ] || matches "$name" "$@" || continue
	echo "$t"
done | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {} | tee "$out/results" |
	awk '{ printf "%-28s native %-4s msentry %-4s %s\n", $1, $2, $3, $4 == "blockdev" ? "needs a block device" : "" }'
# LTP exit codes: 0 pass, 32 TCONF (not applicable here); anything else fails.
awk '
	$2 == 0 { native++; if ($3 == 0) pass++; else fail++ }
	$2 == 0 && $4 != "blockdev" { snative++; if ($3 == 0) spass++ }
	$2 == 32 { conf++ }
	$2 != 0 && $2 != 32 { nfail++ }
	END {
		printf "ltp: %d tests run; %d pass natively, %d not applicable (TCONF), %d fail natively\n", NR, native, conf, nfail
		printf "ltp: %d passed, %d failed\n", pass, fail
		printf "ltp: without the %d that need a block device: %d of %d passed (%.1f%%)\n", native - snative, spass, snative, snative ? 100 * spass / snative : 0
	}' "$out/results"
