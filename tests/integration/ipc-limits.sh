#!/usr/bin/env bash
# The sandbox's IPC namespace parameters (sentry/kernel/ipc-limits.c):
# /proc/sys/kernel/{shm*,msg*,sem,*_next_id} and /proc/sys/fs/mqueue/*,
# msentry run --sysctl, and what they make of the IPC calls. The native
# side is a fresh IPC namespace (unshare --ipc: a new namespace's
# defaults, the host's own values differ), which needs root.
#   ipc-limits.sh MSENTRY PROBE
set -u
msentry=$(realpath "$1")
probe=$(realpath "$2")
fail=0
M() { timeout -k 5 60 "$msentry" run --quiet "$@"; }
check() {
	if [ "$2" == "$3" ]; then echo "ok: $1"; else
		echo "FAIL: $1"
		diff <(echo "$2") <(echo "$3")
		fail=1
	fi
}

# Always: --sysctl kernel.msgmni=2, the third msgget fails with ENOSPC.
check "--sysctl kernel.msgmni=2: /proc/sys/kernel/msgmni" "2" \
	"$(M --sysctl kernel.msgmni=2 cat /proc/sys/kernel/msgmni)"
check "--sysctl kernel.msgmni=2: the third msgget is ENOSPC" \
	"msgget 1: ok|msgget 2: ok|msgget 3: No space left on device" \
	"$(M --sysctl kernel.msgmni=2 "$probe" | grep '^msgget' | sed 's/ id .*//' | tr '\n' '|' | sed 's/|$//')"
check "--sysctl: applied in order" "7" \
	"$(M --sysctl kernel.msgmni=2 --sysctl kernel.msgmni=7 cat /proc/sys/kernel/msgmni)"
# Bad --sysctl: exit 2 as any bad option, one line naming the key.
out=$(M --sysctl kernel.hostname=x true 2>&1)
check "--sysctl of another namespace's key" "2|1|yes" \
	"$?|$(echo "$out" | wc -l)|$(echo "$out" | grep -q kernel.hostname && echo yes)"
out=$(M --sysctl kernel.msgmni=40000 true 2>&1)
check "--sysctl value out of range" "2|msentry: --sysctl kernel.msgmni: invalid value \"40000\": Invalid argument" \
	"$?|$out"
check "--sysctl without =" "2" "$(M --sysctl kernel.msgmni true 2>/dev/null; echo $?)"
# Writing needs the sandbox's root (Linux: the files are root's 0644).
check "a non-root write is refused" "Permission denied" \
	"$(M --user 4242 sh -c 'echo 5 >/proc/sys/kernel/msgmni' 2>&1 | grep -o 'Permission denied')"
check "a non-root read works" "32000" "$(M --user 4242 cat /proc/sys/kernel/msgmni)"

if [ "$(id -u)" != 0 ] || ! unshare --ipc true 2>/dev/null; then
	echo "skipped: the native comparisons need root (unshare --ipc)"
	exit $fail
fi
check "/proc/sys values: a fresh namespace's" "$(unshare --ipc "$probe" show)" "$(M "$probe" show)"
check "writes from inside: Linux's parsing and ranges" "$(unshare --ipc "$probe" writes)" \
	"$(M "$probe" writes)"
for v in 0 1; do
	check "kernel.shm_rmid_forced=$v: segments without attachments" \
		"$(unshare --ipc sh -c "echo $v >/proc/sys/kernel/shm_rmid_forced && \"\$0\" rmid" "$probe")" \
		"$(M --sysctl kernel.shm_rmid_forced=$v "$probe" rmid)"
done
keys=(kernel.msgmni=2 kernel.msgmax=100 kernel.msgmnb=300 kernel.shmmni=1 "kernel.sem=5 10 2 1"
	kernel.msg_next_id=77 fs.mqueue.msg_max=20 fs.mqueue.msg_default=15)
native_set=""
args=()
for kv in "${keys[@]}"; do
	k=${kv%%=*}
	native_set+="echo '${kv#*=}' >/proc/sys/${k//.//} && "
	args+=(--sysctl "$kv")
done
check "parameters set: msgget, msgsnd, shmget, semget, semop, mq_open, IPC_INFO" \
	"$(unshare --ipc sh -c "$native_set \"\$0\"" "$probe")" "$(M "${args[@]}" "$probe")"
check "parameters set: the probe ran" "mq_open defaults: maxmsg 15 msgsize 8192" \
	"$(M "${args[@]}" "$probe" | tail -1)"
exit $fail
