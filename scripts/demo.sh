#!/usr/bin/env bash
# Quick start, part 1: install what is missing, build, run msentry on demos.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh
run() { echo "\$ msentry run $*"; build/cmd/msentry run "$@"; echo "(exit status $?)"; echo; }
run /bin/echo "hello from inside msentry"
run sh -c 'echo "pid in the sandbox: $$"; ls / | head -5 | tr "\n" " "; echo'
run ls -la /proc/self/
run --strace=%file cat /etc/hostname
