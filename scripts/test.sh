#!/usr/bin/env bash
# Quick start, part 2: install what is missing, build, run the whole test
# suite (unit, integration, process, strace, vDSO, escape, and the vsyscall=none
# kernel under qemu), then every suite that runs programs once more on the
# systrap platform (`meson test --setup systrap`: MSENTRY_PLATFORM=systrap).
# Prints "N passed, N failed" last, over both runs; exits non-zero on any
# failure.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test || exit 1
# The qemu test boots a vsyscall=none Debian kernel; it skips itself if
# this cannot be set up.
tests/vdso/setup-qemu.sh >/dev/null 2>&1 || echo "msentry: qemu setup failed; the qemu test will skip" >&2
scripts/build.sh || exit 1
rm -f build/meson-logs/testlog.json build/meson-logs/testlog-systrap.json
meson test -C build --print-errorlogs --num-processes 2 "$@"
rc=$?
# The second platform: the unit tests and fuzz targets run no program.
if [ $# -eq 0 ]; then
	meson test -C build --setup systrap --print-errorlogs --num-processes 2 \
		--no-suite unit --no-suite fuzz
	rc2=$?
	[ $rc -ne 0 ] || rc=$rc2
fi
# One summary line in the plain form CI tools read, over both runs.
python3 - build/meson-logs/testlog.json build/meson-logs/testlog-systrap.json <<'PY'
import json, os, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for path in sys.argv[1:]:
    if not os.path.exists(path):
        continue
    for line in open(path):
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
