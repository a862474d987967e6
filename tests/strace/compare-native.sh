#!/bin/sh
# The syscalls msentry's --strace shows for a program are the ones
# `strace -f` shows natively, in the same order, after the loader's work.
#
# Legitimate differences, removed before comparing:
#  - The kernel's loader is the execve line natively; msentry's loader is
#    its `[msentry] exec` line. Everything before the first syscall of the
#    new program (and msentry's own [msentry]/[vsyscall] lines) is dropped.
#  - Without a vDSO (msentry builds without the vdso module, exec line says
#    "no vdso"), ld.so does not allocate the vDSO's link map early, so its
#    first anonymous 8192-byte mmap happens later. That one mmap is dropped
#    from both sequences.
# Usage: compare-native.sh path/to/msentry
set -u
msentry=$(realpath "$1")
command -v strace >/dev/null || { echo "strace not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
cd /
compare() {
	name=$1
	shift
	strace -f -o "$tmp/$name.native" "$@" >/dev/null 2>&1
	"$msentry" run --strace -o "$tmp/$name.sandbox" "$@" >/dev/null 2>&1
	if ! python3 - "$tmp/$name.native" "$tmp/$name.sandbox" <<'PY'
import re, sys

def names(path, native):
    out, no_vdso = [], False
    for line in open(path):
        line = re.sub(r'^(\[pid +\d+\] |\d+ +)', '', line.rstrip('\n'))
        if line.startswith('[msentry] exec') and 'no vdso' in line:
            no_vdso = True
        if line.startswith(('[msentry]', '[vsyscall]', '+++', '---')):
            continue
        m = re.match(r'<\.\.\. (\w+) resumed>', line)
        if m:
            continue  # the call was counted at its entry
        m = re.match(r'(\w+)\((.*)', line)
        if m:
            out.append((m.group(1), m.group(2)))
    if native:
        assert out and out[0][0] == 'execve', out[:1]
        out = out[1:]  # the kernel's loader
    return out, no_vdso

native, _ = names(sys.argv[1], True)
sandbox, no_vdso = names(sys.argv[2], False)
if no_vdso:
    def drop_first_small_anon_mmap(seq):
        for i, (n, a) in enumerate(seq):
            if n == 'mmap' and a.startswith('NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS'):
                return seq[:i] + seq[i + 1:]
        return seq
    native = drop_first_small_anon_mmap(native)
    sandbox = drop_first_small_anon_mmap(sandbox)
a = [n for n, _ in native]
b = [n for n, _ in sandbox]
if a != b:
    import difflib
    sys.stdout.writelines(difflib.unified_diff([x + '\n' for x in a], [x + '\n' for x in b],
                                               'native', 'msentry'))
    sys.exit(1)
print(f"{len(a)} syscalls match")
PY
	then
		echo "FAIL: $* differs from native strace"
		fail=1
	fi
}
compare cat cat /etc/os-release
compare ls ls /
exit $fail
