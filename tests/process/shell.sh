#!/usr/bin/env bash
# Shell workloads, compared with native runs.
set -u
msentry=$1
here=$(dirname "$0")
fail=0
cmp() { "$here/run-compare.sh" "$msentry" "$@" || fail=1; }
cmp sh -c 'ls / | wc -l'
cmp bash -c 'x=$(echo sub); echo "$x"; (echo subshell; exit 3); echo "status $?"; echo a b c | tr " " "\n" | sort -r | head -2'
cmp bash -c 'for i in 1 2 3; do (sleep 0.$i; echo job $i) & done; wait; echo all done'
cmp bash -c 'f() { local n=$1; [ $n -le 1 ] && echo 1 && return; echo $(( n * $(f $((n-1))) )); }; f 6'
cmp bash -c 'set -o pipefail; false | true; echo "pipefail $?"; trap "echo trapped" USR1; kill -USR1 $$; echo after'
cmp bash -c 'yes | head -2; echo "pipestatus ${PIPESTATUS[*]}"' # SIGPIPE ends yes (141)
cmp busybox sh -c 'i=0; while [ $i -lt 20 ]; do i=$((i+1)); done; echo $i; echo hi | busybox sed s/hi/ho/; busybox seq 5 | busybox awk "{s+=\$1} END {print s}"'
cmp perl -e 'my @k; for (1..4) { my $p = fork; if (!$p) { exit $_ } push @k, $p } my $s = 0; for (@k) { waitpid($_, 0); $s += $? >> 8 } print "perl $s\n"'
cmp /usr/bin/python3 -c 'import os, threading; r = []; ts = [threading.Thread(target=lambda i=i: r.append(i)) for i in range(8)]; [t.start() for t in ts]; [t.join() for t in ts]; print(sorted(r)); p = os.fork(); os._exit(4) if p == 0 else print(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]))'
cmp /usr/bin/python3 -c 'import multiprocessing as mp
if __name__ == "__main__":
    with mp.Pool(2) as p: print(p.map(abs, range(-5, 5)))
    q = mp.Queue(); w = mp.Process(target=q.put, args=("via queue",)); w.start(); print(q.get()); w.join()'
cmp /usr/bin/python3 -c 'import subprocess; print(subprocess.run(["echo", "from subprocess"], capture_output=True, text=True).stdout.strip()); print(subprocess.call(["sh", "-c", "exit 7"]))'
# make -j2 builds a small C project: make forks the shell, gcc runs cc1, as
# and ld through pipes. Commands are silent (-s) so -j2 ordering is not
# compared; the program's output and every exit status are.
proj=$(mktemp -d)
trap 'rm -rf "$proj"' EXIT
for i in 1 2 3 4 5 6; do printf 'int f%d(void) { return %d; }\n' $i $i >"$proj/f$i.c"; done
cat >"$proj/main.c" <<'C'
#include <stdio.h>
int f1(void), f2(void), f3(void), f4(void), f5(void), f6(void);
int main(void) { printf("%d\n", f1() + f2() + f3() + f4() + f5() + f6()); return 0; }
C
printf 'prog: main.o f1.o f2.o f3.o f4.o f5.o f6.o\n\tgcc -o $@ $^\n%%.o: %%.c\n\tgcc -O1 -c -o $@ $<\n' >"$proj/Makefile"
cmp sh -c "cd $proj && rm -f *.o prog && make -s -j2 && ./prog"
exit $fail
