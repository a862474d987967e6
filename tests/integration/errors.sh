#!/usr/bin/env bash
# Bad input: one clear line naming the file and the reason, a shell-like
# exit status, and nothing left behind (no stub process, no temp file).
#   errors.sh MSENTRY
set -u
msentry=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
printf 'hello' >"$tmp/notelf"
head -c 100 /bin/true >"$tmp/truncated"
printf '#!/nonexistent/interp\n' >"$tmp/badscript"
cp /bin/true "$tmp/noexec"
# A 32-bit ELF and an aarch64 ELF: real headers, written byte by byte.
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\003\000' >"$tmp/elf32"
head -c 64 /bin/true >"$tmp/aarch64"
printf '\267\000' | dd of="$tmp/aarch64" bs=1 seek=18 conv=notrunc 2>/dev/null
# A dynamic executable whose interpreter does not exist.
cp /bin/true "$tmp/nointerp"
python3 - "$tmp/nointerp" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.find(b'/lib64/ld-linux-x86-64.so.2')
b[i:i + 27] = b'/lib64/ld-missing-x86-64.so'
open(p, 'wb').write(bytes(b))
PY
chmod +x "$tmp"/notelf "$tmp"/truncated "$tmp"/badscript "$tmp"/elf32 "$tmp"/aarch64 "$tmp"/nointerp
chmod -x "$tmp/noexec"

expect() { # expect STATUS PATTERN -- ARGS...
	local want=$1 pattern=$2
	shift 3
	local before after out rc
	mkdir -p "$tmp/tmpdir"
	before=$(ls -A "$tmp/tmpdir" | wc -l)
	out=$(TMPDIR=$tmp/tmpdir "$here/no-leftovers.py" "$msentry" run "$@" 2>&1 >/dev/null)
	rc=$?
	after=$(ls -A "$tmp/tmpdir" | wc -l)
	local lines
	lines=$(printf '%s\n' "$out" | grep -c .)
	if [ "$rc" != "$want" ] || [ "$lines" != 1 ] || ! grep -q -- "$pattern" <<<"$out"; then
		echo "FAIL: msentry run $*: exit $rc (want $want), message: $out"
		fail=1
	elif [ "$before" != "$after" ]; then
		echo "FAIL: msentry run $*: left files in TMPDIR"
		fail=1
	else
		echo "ok: $* -> $rc: $out"
	fi
}
expect 127 "No such file" -- /nonexistent/program
expect 127 "command not found" -- no-such-command-msentry
expect 126 "Is a directory" -- /tmp
expect 126 "Permission denied" -- "$tmp/noexec"
expect 126 "not an ELF" -- "$tmp/notelf"
expect 126 "truncated ELF" -- "$tmp/truncated"
expect 126 "32-bit ELF" -- "$tmp/elf32"
expect 126 "wrong architecture: aarch64" -- "$tmp/aarch64"
expect 127 "missing ELF interpreter" -- "$tmp/nointerp"
expect 127 "bad interpreter" -- "$tmp/badscript"
expect 2 "expected emulate, trap or none" -- --vsyscall=sometimes /bin/true
# The sandbox's processes share msentry's host fds: with a hard limit of
# 300, two processes of 200 fds each fit natively. msentry raises its own
# limit where the host lets it (then both fit); where it cannot, a program
# gets EMFILE early and msentry must say why, once.
fds_prog='exec 3>&-; python3 -c "
import os, sys
fds = []
try:
    for i in range(200): fds.append(os.open(\"/dev/null\", os.O_RDONLY))
except OSError as e: print(\"EMFILE after\", len(fds))
" & python3 -c "
import os
fds = [os.open(\"/dev/null\", os.O_RDONLY) for i in range(200)]
import time; time.sleep(1)
" 2>/dev/null; wait'
if command -v python3 >/dev/null; then
	out=$(bash -c "ulimit -n 300 && timeout 60 \"$msentry\" run sh -c '$fds_prog'" 2>&1)
	warnings=$(grep -c "refused msentry a file descriptor" <<<"$out")
	if grep -q "EMFILE after" <<<"$out" && [ "$warnings" != 1 ]; then
		echo "FAIL: early EMFILE not explained once: $out"
		fail=1
	elif ! grep -q "EMFILE after" <<<"$out" && [ "$warnings" != 0 ]; then
		echo "FAIL: a warning without an early EMFILE: $out"
		fail=1
	else
		echo "ok: host fd exhaustion: $(grep -c "EMFILE after" <<<"$out") early EMFILE, $warnings warning"
	fi
fi
# Where msentry cannot raise its own limit to the program's, the program
# is told a lower RLIMIT_NOFILE, one msentry can honour: it opens files up
# to its limit and then gets EMFILE, with no warning.
if command -v python3 >/dev/null; then
	out=$(bash -c "ulimit -n 300 && timeout 60 \"$msentry\" run python3 -c '
import os, resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
n = len(os.listdir(\"/proc/self/fd\")) - 1
try:
    while True: os.open(\"/dev/null\", os.O_RDONLY); n += 1
except OSError as e: print(\"EMFILE at the limit\" if n == soft and e.errno == 24 else (\"early\", n, soft, hard))
print(\"limit within the host\" if soft <= hard <= 300 else (\"limit\", soft, hard))
'" 2>&1)
	if [ "$out" = "EMFILE at the limit
limit within the host" ]; then
		echo "ok: RLIMIT_NOFILE within what msentry can give"
	else
		echo "FAIL: RLIMIT_NOFILE within what msentry can give: $out"
		fail=1
	fi
fi
# A successful run leaves nothing either.
if ! "$here/no-leftovers.py" "$msentry" run sh -c 'sleep 0.1 & echo started' >/dev/null; then
	echo "FAIL: a normal run left processes behind"
	fail=1
fi
exit $fail
