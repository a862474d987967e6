/* runtime: helpers shared by the runtime's files (private to runtime/). */
#ifndef MSENTRY_RUNTIME_INTERNAL_H
#define MSENTRY_RUNTIME_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "runtime.h"
#include "util/util.h"

/* Lexically clean an absolute or relative path: no "//", "." or "x/..",
 * no trailing slash (as Go's filepath.Clean, which runc's paths go
 * through). Returns a malloc'd string. */
char *path_clean(const char *path);

/* Read a whole file (at most `max` bytes) into `out`. 0, or -errno
 * (-EFBIG if longer). */
int read_file(const char *path, size_t max, struct strbuf *out);

/* Replace `path` with `data` atomically: write a temporary file beside
 * it, fsync, rename over, fsync the directory. A reader sees the old file
 * or the new one, never a part. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, struct error *e);

/* RFC 3339 in UTC as Go's time.RFC3339Nano prints it (runc's "created"):
 * 2026-11-23T00:19:22.898Z, trailing zeros of the fraction dropped, no
 * fraction if it is zero. `with_fraction` false: whole seconds (logs). */
void format_rfc3339(const struct timespec *ts, bool with_fraction, char *buf, size_t size);

/* Open `path` inside the directory `root_fd` as if it were "/": "..",
 * absolute symlinks and absolute paths stay inside (openat2
 * RESOLVE_IN_ROOT). Returns an fd, or -errno. */
int open_in_root(int root_fd, const char *path, int flags);

/* The home directory and the name of `uid` in an /etc/passwd text; NULL
 * if absent. malloc'd. */
char *passwd_field(const char *passwd, uid_t uid, int field);
enum { PASSWD_NAME = 0, PASSWD_HOME = 5 };

/* Remove a directory and what it holds (one level: the state directory
 * holds only files). 0 or -errno. */
int remove_dir(const char *path);

/* A warning line in the --log file only (create's stderr is the
 * container's own). */
void runtime_warn(const struct runtime *rt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
