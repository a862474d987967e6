#!/usr/bin/env bash
# containerd drives msentry as it drives runc: a private containerd (state,
# root and socket in a temp dir, its CRI plugin off), `ctr run --rootfs
# --runc-binary msentry`, through containerd-shim-runc-v2. Skips (77) when
# containerd is not installed.
#   containerd.sh MSENTRY
set -u
msentry=$(realpath "$1")
. "$(dirname "$0")/containerd-lib.sh"
containerd_test_setup
ns=msentry-test-$$
fail=0
containerd_start "$tmp" "$ns"

rootfs=$tmp/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/proc" "$rootfs/dev"
cp /bin/busybox "$rootfs/bin/busybox"
run() { ctr_ run --rm --rootfs --runc-binary "$msentry" "$rootfs" "$@" </dev/null; }
# runx FLAG... -- ID ARGS...: ctr run with options of its own.
runx() {
	local flags=()
	while [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	shift
	ctr_ run --rm "${flags[@]}" --rootfs --runc-binary "$msentry" "$rootfs" "$@" </dev/null
}
check() {
	if [ "$2" == "$3" ]; then echo "ok: $1: $3"; else
		echo "FAIL: $1: want [$2] got [$3]"
		fail=1
	fi
}

check "ctr run echo" "hi 0" "$(run c1 /bin/busybox echo hi 2>&1) $?"
check "ctr run exit status" "5" "$(run c2 /bin/busybox sh -c 'exit 5' >/dev/null 2>&1; echo $?)"
check "ctr run: a missing program is the shim's error" "1 yes" \
	"$(out=$(run c3 /bin/nosuch 2>&1); echo "$? $(grep -q 'exec: "/bin/nosuch": No such file or directory' <<<"$out" && echo yes || echo "no: $out")")"
# The process and the file system as ctr sets them in the spec. (ctr
# relays the container's stdout and stderr apart, so their bytes may
# interleave: the shell's error goes to its stdout.)
check "ctr run --env" "bar" "$(runx --env FOO=bar -- c7 /bin/busybox sh -c 'echo $FOO' 2>&1)"
mkdir -p "$rootfs/work"
check "ctr run --cwd" "/work" "$(runx --cwd /work -- c8 /bin/busybox pwd 2>&1)"
mkdir -p "$tmp/shared" && echo from-host >"$tmp/shared/in"
check "ctr run --mount (rw bind): reads the host's file, writes reach the host" "from-host written" \
	"$(runx --mount "type=bind,src=$tmp/shared,dst=/mnt,options=rbind:rw" -- c9 /bin/busybox sh -c 'cat /mnt/in; echo written >/mnt/out' 2>&1) $(cat "$tmp/shared/out" 2>&1)"
check "ctr run --mount (ro bind): writes refused (EROFS)" "sh: can't create /mnt/new: Read-only file system refused" \
	"$(runx --mount "type=bind,src=$tmp/shared,dst=/mnt,options=rbind:ro" -- c10 /bin/busybox sh -c 'exec 2>&1; echo x >/mnt/new && echo written || echo refused' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
check "ctr run --read-only: the root refuses writes (EROFS)" "sh: can't create /newfile: Read-only file system refused" \
	"$(runx --read-only -- c11 /bin/busybox sh -c 'exec 2>&1; echo x >/newfile && echo written || echo refused' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
# SIGKILL of a running container: status 137, as the shim reports it.
ctr_ run -d --rootfs --runc-binary "$msentry" "$rootfs" c12 /bin/busybox sleep 60 </dev/null >/dev/null 2>&1
ctr_ task kill -s SIGKILL c12
for _ in $(seq 50); do
	[ "$(ctr_ task ls | awk '$1 == "c12" {print $3}')" = STOPPED ] && break
	sleep 0.1
done
check "ctr task kill -s SIGKILL: the exit status the shim saw" "137" \
	"$(ctr_ task rm c12 2>&1 | sed -n 's/.*exit code \([0-9]*\).*/\1/p')"
ctr_ c rm c12 >/dev/null 2>&1
# A terminal: `ctr run -t` (script gives ctr a terminal of a known size);
# the shim's console socket gets the pty master, ctr copies its size once
# the task has started (as for exec -t below: the program waits for it).
if command -v script >/dev/null; then
	got=$(timeout -k 5 90 script -qc "stty cols 77 rows 33; timeout --foreground -k 5 60 ctr --address $tmp/containerd.sock -n $ns run --rm -t --rootfs --runc-binary $msentry $rootfs c6 /bin/busybox sh -c '[ -t 0 ] && [ -t 1 ] && echo isatty; i=0; until [ -n \"\$(stty size 2>/dev/null)\" ] || [ \$i -ge 100 ]; do /bin/busybox sleep 0.1; i=\$((i+1)); done; stty size; exit 3'; echo status=\$?" /dev/null </dev/null | tr -d '\r\0' | sed 's/\^@//g')
	check "ctr run -t: a terminal of ctr's size, the exit status" "$(printf 'isatty\n33 77\nstatus=3')" "$got"
fi
# Tracing through containerd: `ctr run --config` takes a whole OCI spec, so
# its annotations reach config.json; dev.msentry.strace names the trace file.
"$msentry" spec --bundle "$tmp"
python3 - "$tmp" <<'EOF'
import json, sys
t = sys.argv[1]
c = json.load(open(t + "/config.json"))
c["process"]["terminal"] = False
c["root"]["path"] = t + "/rootfs"
c["process"]["args"] = ["/bin/busybox", "sh", "-c", "echo traced; exit 6"]
c["annotations"] = {"dev.msentry.strace": t + "/ctr-trace.txt"}
json.dump(c, open(t + "/config.json", "w"))
EOF
check "ctr run --config with dev.msentry.strace: output, status" "traced 6" \
	"$(ctr_ run --rm --config "$tmp/config.json" --runc-binary "$msentry" c7 </dev/null 2>&1) $?"
check "ctr run --config with dev.msentry.strace: the program's syscalls traced" "2" \
	"$(grep -c -e '^\[pid 1\] write(1, "traced\\n", 7) *= 7' -e '^\[pid 1\] exit_group(6)' "$tmp/ctr-trace.txt")"
ctr_ run -d --rootfs --runc-binary "$msentry" "$rootfs" c4 /bin/busybox sleep 100 </dev/null >/dev/null
sleep 0.5
check "ctr task ls: running" "RUNNING" "$(ctr_ task ls | awk '$1 == "c4" {print $3}')"
check "ctr task ps: the init's pid" "$(ctr_ task ls | awk '$1 == "c4" {print $2}')" \
	"$(ctr_ task ps c4 | awk 'NR == 2 {print $1}')"
check "ctr task exec: output and status" "hi 3" \
	"$(ctr_ task exec --exec-id e1 c4 /bin/busybox sh -c 'echo hi; exit 3' </dev/null 2>&1) $?"
check "ctr task exec: the init's files" "yes" \
	"$(ctr_ task exec --exec-id e2 c4 /bin/busybox sh -c 'test -x /bin/busybox && echo yes' </dev/null 2>&1)"
# `ctr task exec -t`: the shim's --console-socket and a --process with
# "terminal": true; a new pty of ctr's size. ctr sizes an exec's pty only
# after the process has started (with runc too), so the program waits
# for a size before it reads it. busybox stty exits 0 even when it finds
# no size (it prints the error and goes on), so the wait looks at what
# stty prints on standard output, not at its status.
if command -v script >/dev/null; then
	got=$(timeout -k 5 90 script -qc "stty cols 77 rows 33; timeout --foreground -k 5 60 ctr --address $containerd_sock -n $ns task exec -t --exec-id e3 c4 /bin/busybox sh -c '[ -t 0 ] && [ -t 1 ] && echo isatty; i=0; until [ -n \"\$(stty size 2>/dev/null)\" ] || [ \$i -ge 100 ]; do /bin/busybox sleep 0.1; i=\$((i+1)); done; stty size; exit 3'; echo status=\$?" /dev/null </dev/null | tr -d '\r\0' | sed 's/\^@//g')
	check "ctr task exec -t: a terminal of ctr's size, the exit status" "$(printf 'isatty\n33 77\nstatus=3')" "$got"
fi
check "ctr task ps: the sandbox's processes listed" "ok" \
	"$(ctr_ task ps c4 | awk 'NR > 1 && $1 > 0 {n++} END {print (n >= 1 ? "ok" : "none")}')"
ctr_ task pause c4
check "ctr task pause: paused" "PAUSED" "$(ctr_ task ls | awk '$1 == "c4" {print $3}')"
ctr_ task resume c4
check "ctr task resume: running" "RUNNING" "$(ctr_ task ls | awk '$1 == "c4" {print $3}')"
ctr_ task kill c4
for _ in $(seq 50); do
	[ "$(ctr_ task ls | awk '$1 == "c4" {print $3}')" = STOPPED ] && break
	sleep 0.1
done
check "ctr task kill (SIGTERM): stopped" "STOPPED" "$(ctr_ task ls | awk '$1 == "c4" {print $3}')"
check "the exit status the shim saw" "143" \
	"$(ctr_ task rm c4 2>&1 | sed -n 's/.*exit code \([0-9]*\).*/\1/p')"
ctr_ c rm c4
echo "containerd: $([ $fail = 0 ] && echo all passed || echo FAILURES)"
exit $fail
