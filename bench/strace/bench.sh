#!/bin/sh
# Cost of --strace: a getpid loop under msentry without tracing, tracing to
# /dev/null, tracing with getpid filtered out, and summary only (-c).
# Prints, per syscall, the median wall time and the user CPU time of
# msentry and its stubs (formatting is user time in the sentry; the wall
# time is dominated by the ptrace round trip and is noisy on shared hosts).
# Usage: bench/strace/bench.sh [build-dir] [iterations] [runs]
set -eu
build=${1:-build}
n=${2:-100000}
runs=${3:-5}
msentry=$build/cmd/msentry
prog=$build/tests/strace/strace-getpid-loop
[ -x "$prog" ] || { echo "build $prog first (ninja -C $build)"; exit 1; }
exec python3 - "$msentry" "$prog" "$n" "$runs" <<'PY'
import os, resource, statistics, subprocess, sys, time
msentry, prog, n, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
modes = [
    ("tracing off", []),
    ("--strace -o /dev/null", ["--strace", "-o", "/dev/null"]),
    ("--strace=write (getpid not traced)", ["--strace=write", "-o", "/dev/null"]),
    ("-c (summary only)", ["-c", "-o", "/dev/null"]),
]
print(f"getpid x {n} under msentry, median of {runs} runs, ns per syscall")
print(f"{'mode':38} {'wall':>8} {'user CPU':>9}")
base = None
for name, args in modes:
    walls, users = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        t0 = time.perf_counter_ns()
        subprocess.run([msentry, "run", *args, prog, str(n)], check=True,
                       stderr=subprocess.DEVNULL)
        walls.append((time.perf_counter_ns() - t0) / n)
        users.append((resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before) * 1e9 / n)
    w, u = statistics.median(walls), statistics.median(users)
    extra = "" if base is None else f"   (+{w - base[0]:.0f} wall, +{u - base[1]:.0f} user)"
    base = base or (w, u)
    print(f"{name:38} {w:8.0f} {u:9.0f}{extra}")
PY
