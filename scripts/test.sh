#!/usr/bin/env bash
# Quick start, part 2: install what is missing, build, run the whole test
# suite (unit, integration, process, strace, vDSO, escape, and the vsyscall=none
# kernel under qemu). Prints "N passed, N failed" last; exits non-zero on any
# failure.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test || exit 1
# The qemu test boots a vsyscall=none Debian kernel; it skips itself if
# this cannot be set up.
tests/vdso/setup-qemu.sh >/dev/null 2>&1 || echo "msentry: qemu setup failed; the qemu test will skip" >&2
scripts/build.sh || exit 1
meson test -C build --print-errorlogs --num-processes 2 "$@"
rc=$?
# One summary line in the plain form CI tools read.
python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        counts["passed"] += 1
    elif r == "SKIP":
        counts["skipped"] += 1
    else:
        counts["failed"] += 1
print("%d passed, %d failed, %d skipped" % (counts["passed"], counts["failed"], counts["skipped"]))
PY
exit $rc
