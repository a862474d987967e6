#!/bin/sh
# msentry run --strace on real programs: key lines must be exactly what
# strace prints (with strace -f's `[pid N] ` prefix and result column).
# Usage: trace-programs.sh path/to/msentry
set -u
msentry=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# Debian's python3, not a shim that execs through a chain of scripts.
py=/usr/bin/python3
[ -x $py ] || py=python3

# res CALL RESULT: strace's line, the result aligned at column 40.
res() {
	if [ ${#1} -lt 39 ]; then
		printf '%-39s = %s' "$1" "$2"
	else
		printf '%s = %s' "$1" "$2"
	fi
}

# trace NAME ARGS...: run under msentry, trace into $tmp/NAME.
trace() {
	name=$1
	shift
	# stdout through a pipe, as in a shell pipeline (cat writes to a pipe;
	# to a file it would use copy_file_range).
	"$msentry" run "$@" 2>"$tmp/$name.err" | cat >"$tmp/$name.out"
}
has_line() { # FILE LINE: an exact line
	if ! grep -Fxq -- "$2" "$tmp/$1"; then
		echo "FAIL: $1 lacks the line: $2"
		fail=1
	fi
}
has_re() { # FILE REGEX
	if ! grep -Eq -- "$2" "$tmp/$1"; then
		echo "FAIL: $1 lacks a line matching: $2"
		fail=1
	fi
}
lacks_re() {
	if grep -Eq -- "$2" "$tmp/$1"; then
		echo "FAIL: $1 has a line matching: $2"
		fail=1
	fi
}

# cat: the openat of a known file, its write, exit_group and the exit line.
trace cat --strace -o "$tmp/cat.tr" cat /etc/os-release
has_line cat.tr '[pid 1] openat(AT_FDCWD, "/etc/os-release", O_RDONLY) = 3'
has_line cat.tr "$(printf '[pid 1] write(1, "%s"..., %d) = %d' \
	"$(head -c 32 /etc/os-release | sed 's/"/\\"/g')" \
	"$(wc -c </etc/os-release)" "$(wc -c </etc/os-release)")"
has_line cat.tr "$(res '[pid 1] exit_group(0)' '?')"
has_line cat.tr '[pid 1] +++ exited with 0 +++'
has_re cat.tr '^\[pid 1\] \[msentry\] exec "/usr/bin/cat" \(dynamic, interpreter /lib64/ld-linux-x86-64\.so\.2, (vdso at 0x[0-9a-f]+|no vdso)\)$'
has_line cat.tr '[pid 1] openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3'
has_re cat.tr '^\[pid 1\] newfstatat\(3, "", \{st_mode=S_IFREG\|0644, st_size=[0-9]+, \.\.\.\}, AT_EMPTY_PATH\) = 0$'
has_re cat.tr '^\[pid 1\] mmap\(NULL, [0-9]+, PROT_READ\|PROT_WRITE, MAP_PRIVATE\|MAP_ANONYMOUS, -1, 0\) = 0x[0-9a-f]+$'
has_re cat.tr '^\[pid 1\] read\(3, "\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0.*"\.\.\., 832\) = 832$'
# The values are the host's limits, which differ between machines.
has_re cat.tr '^\[pid 1\] prlimit64\(0, RLIMIT_STACK, NULL, \{rlim_cur=[^,]+, rlim_max=[^}]+\}\) = 0$'
cmp -s "$tmp/cat.out" /etc/os-release || { echo "FAIL: cat output changed under --strace"; fail=1; }

# A failing openat, and the exit status.
trace nofile --strace -o "$tmp/nofile.tr" cat /nonexistent-strace-test
has_line nofile.tr '[pid 1] openat(AT_FDCWD, "/nonexistent-strace-test", O_RDONLY) = -1 ENOENT (No such file or directory)'
has_line nofile.tr '[pid 1] +++ exited with 1 +++'

# A write with its buffer, cut at -s.
trace echo -s 4 -o "$tmp/echo.tr" /bin/echo hello
has_line echo.tr "$(res '[pid 1] write(1, "hell"..., 6)' 6)"
trace echo2 --strace -o "$tmp/echo2.tr" /bin/echo hello
has_line echo2.tr "$(res '[pid 1] write(1, "hello\n", 6)' 6)"

# ls: the directory open, getdents64 with its entry count.
trace ls --strace -o "$tmp/ls.tr" ls /
has_line ls.tr '[pid 1] openat(AT_FDCWD, "/", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 3'
has_re ls.tr '^\[pid 1\] getdents64\(3, 0x[0-9a-f]+ /\* [1-9][0-9]* entries \*/, 32768\) = [1-9][0-9]*$'
has_re ls.tr '^\[pid 1\] getdents64\(3, 0x[0-9a-f]+ /\* 0 entries \*/, 32768\) = 0$'

# python3: a failing open, a long write, exit status 1.
trace py --strace -s 8 -o "$tmp/py.tr" $py -c '
import os, sys
os.write(1, b"x" * 100)
try:
    open("/nonexistent-py")
except OSError:
    sys.exit(1)'
has_line py.tr '[pid 1] openat(AT_FDCWD, "/nonexistent-py", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)'
has_line py.tr "$(res '[pid 1] write(1, "xxxxxxxx"..., 100)' 100)"
has_line py.tr '[pid 1] +++ exited with 1 +++'

# Signals: a fault becomes SIGSEGV (msentry says so first), the process dies of it.
trace segv --strace=none -o "$tmp/segv.tr" $py -c 'import ctypes; ctypes.string_at(0)'
has_re segv.tr '^\[pid 1\] \[msentry\] fault at ip 0x[0-9a-f]+: \{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL\}, sent as a signal$'
has_line segv.tr '[pid 1] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---'
has_re segv.tr '^\[pid 1\] \+\+\+ killed by SIGSEGV( \(core dumped\))? \+\+\+$'
trace kill --strace=kill -o "$tmp/kill.tr" $py -c 'import os; os.kill(os.getpid(), 10)'
has_line kill.tr "$(res '[pid 1] kill(1, SIGUSR1)' 0)"
has_re kill.tr '^\[pid 1\] --- SIGUSR1 \{si_signo=SIGUSR1, si_code=SI_USER, si_pid=1, si_uid=[0-9]+\} ---$'
has_line kill.tr '[pid 1] +++ killed by SIGUSR1 +++'

# Two processes: the parent blocked in wait4 while the child runs.
trace wait --strace=wait4,nanosleep,clock_nanosleep,exit_group,execve -o "$tmp/wait.tr" sh -c 'sleep 0.2; exit 4'
has_re wait.tr '^\[pid 1\] wait4\(-1,  <unfinished \.\.\.>$'
has_re wait.tr '^\[pid 1\] <\.\.\. wait4 resumed>\[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 0\}\], 0, NULL\) = 2$'
has_re wait.tr '^\[pid 2\] execve\("/usr/bin/sleep", \["sleep", "0\.2"\], 0x[0-9a-f]+ /\* [0-9]+ vars \*/'
has_line wait.tr '[pid 2] +++ exited with 0 +++'
has_line wait.tr '[pid 1] +++ exited with 4 +++'

# Filters: %file keeps openat and drops read.
trace filt -e trace=%file -o "$tmp/filt.tr" cat /etc/os-release
has_re filt.tr '^\[pid 1\] openat\('
lacks_re filt.tr '^\[pid 1\] (read|mmap|close)\('

# Summary: strace -c's table, no trace lines.
trace sum -c -o "$tmp/sum.tr" cat /etc/os-release /nonexistent-sum
has_line sum.tr '% time     seconds  usecs/call     calls    errors syscall'
has_re sum.tr '^ +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+ +[1-9][0-9]* openat$'
has_re sum.tr '^100\.00 +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ total$'
lacks_re sum.tr '^\[pid'

# JSON: one object per line, with decoded and raw arguments.
trace json --strace-format=json -o "$tmp/json.tr" cat /nonexistent-json
if ! python3 - "$tmp/json.tr" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
opens = [e for e in events if e.get("syscall") == "openat" and e["args"][1]["text"] == '"/nonexistent-json"']
assert len(opens) == 1, opens
e = opens[0]
assert e["errno"] == "ENOENT" and e["result"] == -1 and e["vsyscall"] is False, e
assert e["args"][0] == {"raw": "0xffffff9c", "text": "AT_FDCWD"}, e
assert e["pid"] == 1 and e["tid"] == 1 and isinstance(e["duration_ns"], int)
assert events[-1]["type"] == "exit" and events[-1]["text"] == "+++ exited with 1 +++"
PY
then
	echo "FAIL: JSON trace"
	fail=1
fi

# Legacy vsyscalls are msentry's own events, marked [vsyscall].
legacy=$(dirname "$0")/../vdso/legacy.c
if [ -f "$legacy" ] && cc -O2 -o "$tmp/legacy" "$legacy" 2>/dev/null; then
	trace vsys --strace=none -o "$tmp/vsys.tr" "$tmp/legacy"
	has_re vsys.tr '^\[pid 1\] \[vsyscall\] time\(0x[0-9a-f]+\) = [0-9]+ from 0x[0-9a-f]+$'
	has_re vsys.tr '^\[pid 1\] \[vsyscall\] gettimeofday\(\{tv_sec=[0-9]+, tv_usec=[0-9]+\}, 0x[0-9a-f]+\) = 0 from 0x[0-9a-f]+$'
fi

# Bad sets are refused before anything runs.
if "$msentry" run --strace=nosuchcall true 2>"$tmp/bad.err"; then
	echo "FAIL: --strace=nosuchcall accepted"
	fail=1
fi
has_re bad.err 'unknown syscall or class `nosuchcall`'

[ $fail = 0 ] && echo "all strace integration checks passed"
exit $fail
