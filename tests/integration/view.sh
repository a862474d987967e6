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
exit $fail
