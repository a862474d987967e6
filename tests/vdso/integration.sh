#!/bin/sh
# Integration tests of the vDSO and of vsyscall emulation: every program
# runs natively first (it must pass there), then under msentry.
#   integration.sh MSENTRY SRCDIR
set -u
msentry=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

pass() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

build() { # name compiler args...
	name=$1; shift
	"$@" -o "$work/$name" 2>"$work/$name.log" || { echo "skip $name: cannot build ($(head -c 200 "$work/$name.log"))"; return 1; }
}

# expect NAME STATUS CMD...: exit status must be STATUS natively and under msentry.
expect() {
	name=$1 want=$2; shift 2
	"$@" >"$work/out" 2>&1; got=$?
	[ "$got" = "$want" ] || { bad "$name: native exit $got, expected $want: $(cat "$work/out")"; return; }
	"$msentry" run "$@" >"$work/out" 2>&1; got=$?
	[ "$got" = "$want" ] && pass "$name" || bad "$name: under msentry exit $got, expected $want: $(cat "$work/out")"
}

build legacy-dyn cc -O2 "$src/legacy.c"
build legacy-static cc -O2 -static "$src/legacy.c"
build probe-dyn cc -O2 "$src/vdsoprobe.c"
build probe-static cc -O2 -static "$src/vdsoprobe.c"
if command -v musl-gcc >/dev/null 2>&1; then
	build legacy-musl musl-gcc -O2 -static "$src/legacy.c"
	build probe-musl musl-gcc -O2 -static "$src/vdsoprobe.c"
else
	echo "skip musl: musl-gcc not installed (Debian package musl-tools)"
fi

for p in legacy-dyn legacy-static legacy-musl; do
	[ -x "$work/$p" ] || continue
	expect "$p: time/gettimeofday/getcpu via the vsyscall page" 0 "$work/$p"
	expect "$p: bad output pointer is SIGSEGV" 139 "$work/$p" badptr
	expect "$p: misaligned vsyscall address is SIGSEGV" 139 "$work/$p" misaligned
done
for p in probe-dyn probe-static probe-musl; do
	[ -x "$work/$p" ] || continue
	expect "$p: vDSO symbols, clocks, maps" 0 "$work/$p"
	MSENTRY_VDSO_TSC=0 "$msentry" run "$work/$p" >"$work/out" 2>&1 &&
		pass "$p: vDSO without TSC falls back to syscalls" ||
		bad "$p: vDSO fallback: $(cat "$work/out")"
done

# --vsyscall=none: the program dies of SIGSEGV and msentry says why.
"$msentry" run --vsyscall=none "$work/legacy-dyn" >"$work/out" 2>"$work/err"; got=$?
if [ "$got" = 139 ] && grep -q "^msentry: vsyscall time() at 0xffffffffff600400 from 0x[0-9a-f]* refused (--vsyscall=none); the program's libc predates the vDSO$" "$work/err"; then
	pass "--vsyscall=none: SIGSEGV with an explanation"
else
	bad "--vsyscall=none: exit $got, stderr: $(cat "$work/err")"
fi
# ...and /proc/self/maps has no [vsyscall] line, like a vsyscall=none kernel.
if "$msentry" run --vsyscall=none /bin/cat /proc/self/maps | grep -q vsyscall; then
	bad "--vsyscall=none: [vsyscall] still in /proc/self/maps"
else
	pass "--vsyscall=none: no [vsyscall] in /proc/self/maps"
fi
exit $fail
