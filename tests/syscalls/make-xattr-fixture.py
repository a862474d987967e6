#!/usr/bin/env python3
"""Writes the file the xattr tests read: user.probe = "value".

syscall-probe cannot set the attribute itself (msentry does not serve
setxattr). If the build directory's filesystem has no user attributes the
file is still written; the tests then see the same errors natively and under
msentry."""
import os
import sys

path = sys.argv[1]
with open(path, "w") as f:
    f.write("xattr fixture\n")
try:
    os.setxattr(path, "user.probe", b"value")
except OSError as e:
    print(f"make-xattr-fixture: no user attributes here: {e}", file=sys.stderr)
