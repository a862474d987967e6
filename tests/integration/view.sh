#!/usr/bin/env bash
# `msentry run` options for the sandbox's view: --hostname, --user (and,
# where given, --mount and --read-only). Each case runs a host program
# under msentry and checks what it prints.
#   view.sh MSENTRY
set -u
msentry=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
M() { timeout -k 5 60 "$msentry" run --quiet "$@"; }
check() {
	if [ "$2" == "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: want [$2] got [$3]"; fail=1; fi
}

check "--hostname: uname -n" "box1" "$(M --hostname box1 uname -n)"
check "--hostname: /proc/sys/kernel/hostname" "box1" "$(M --hostname box1 cat /proc/sys/kernel/hostname)"
check "no --hostname: the host's" "$(uname -n)" "$(M uname -n)"
check "--hostname longer than 64 bytes" "2" "$(M --hostname "$(printf '%070d' 0)" true 2>/dev/null; echo $?)"

if [ "$(id -u)" = 0 ]; then
	check "--user UID:GID: id" "uid=4242 gid=4343 groups=4343" "$(M --user 4242:4343 id | sed 's/([^)]*)//g')"
	check "--user UID: gid 0" "4242 0" "$(M --user 4242 sh -c 'echo $(id -u) $(id -g)')"
	echo secret >"$tmp/rootfile"
	chmod 0644 "$tmp/rootfile"
	chmod 0755 "$tmp"
	check "--user: a root-owned 0644 file is not writable" "denied secret" \
		"$(M --user 4242:4242 sh -c "(echo x >>$tmp/rootfile) 2>/dev/null && echo written || echo denied; cat $tmp/rootfile" | tr '\n' ' ' | sed 's/ $//')"
	mkdir -m 0777 "$tmp/open"
	M --user 4242:4243 touch "$tmp/open/mine"
	check "--user: a file it makes is its own" "4242:4243" "$(stat -c %u:%g "$tmp/open/mine")"
else
	echo "skipped: --user checks need root (file access as another user)"
fi
check "--user with a bad id" "2" "$(M --user x:1 true 2>/dev/null; echo $?)"

# --mount, --tmpfs, --read-only, in a root of its own (a copy of busybox).
root=$tmp/root
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc"
cp /bin/busybox "$root/bin/busybox"
for a in sh cat ls touch rm mkdir pwd echo awk grep sed sleep; do ln -s busybox "$root/bin/$a"; done
mkdir -p "$tmp/src"
echo host-file >"$tmp/src/f"
R() { M --root "$root" "$@"; }
check "--mount SRC:DST: reads the host directory" "host-file" "$(R --mount "$tmp/src:/mnt/src" cat /mnt/src/f)"
R --mount "$tmp/src:/mnt/src" sh -c 'echo from-sandbox >/mnt/src/new'
check "--mount SRC:DST: writes reach the host" "from-sandbox" "$(cat "$tmp/src/new" 2>&1)"
check "--mount SRC:DST:ro: writes fail with EROFS" "sh: can't create /mnt/src/x: Read-only file system" \
	"$(R --mount "$tmp/src:/mnt/src:ro" sh -c '(echo x >/mnt/src/x) 2>&1')"
check "--mount: .. and / from inside lead to the sandbox's root" "bin etc mnt proc tmp | mnt" \
	"$(R --mount "$tmp/src:/mnt/src" sh -c 'cd /mnt/src/../..; echo $(ls) "|" $(ls /mnt/src/../..//mnt/src/.. | grep -c src | sed s/1/mnt/)')"
check "--mount a file" "host-file" "$(R --mount "$tmp/src/f:/etc/f" cat /etc/f)"
check "--read-only: the root refuses writes" "touch: /x: Read-only file system" "$(R --read-only touch /x 2>&1)"
check "--read-only with a --tmpfs on /tmp: writes go there" "t" \
	"$(R --read-only --tmpfs /tmp sh -c 'echo t >/tmp/t && cat /tmp/t')"
check "--tmpfs: nothing reached the root" "no" "$([ -e "$root/tmp/t" ] && echo yes || echo no)"
check "/proc/mounts lists the table" "/ ro,relatime|/tmp rw,relatime|/mnt/src rw,relatime" \
	"$(R --read-only --tmpfs /tmp --mount "$tmp/src:/mnt/src" awk '{print $2, $4}' /proc/mounts | tr '\n' '|' | sed 's/|$//')"
check "a relative destination is refused" "2" "$(R --tmpfs tmp true 2>/dev/null; echo $?)"
# The tmpfs directory is removed at exit.
before=$(ls -d /tmp/msentry-mounts-* 2>/dev/null | wc -l)
R --tmpfs /tmp sh -c 'echo x >/tmp/x'
check "--tmpfs: removed at exit" "$before" "$(ls -d /tmp/msentry-mounts-* 2>/dev/null | wc -l)"
# After a SIGKILL of msentry: tmpfs-cleanup.sh (both mechanisms).
exit $fail
