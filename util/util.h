/* util: error reporting convention and cleanup helpers shared by every module.
 *
 * Error convention (written down once, used everywhere):
 *  - Results visible to the sandboxed program are negative errno values.
 *  - Host failures are reported through a `struct error`: the function that
 *    fails fills it (errno + message), callers may prefix context with
 *    error_wrap(), and only main() prints it, exactly once.
 */
#ifndef MSENTRY_UTIL_H
#define MSENTRY_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#ifndef PAGE_SIZE /* <sys/user.h> has the same values */
#define PAGE_SIZE 4096UL
#endif
#ifndef PAGE_MASK
#define PAGE_MASK (~(PAGE_SIZE - 1))
#endif
#define PAGE_DOWN(x) ((uint64_t)(x) & PAGE_MASK)
#define PAGE_UP(x) (((uint64_t)(x) + PAGE_SIZE - 1) & PAGE_MASK)
#define UNUSED __attribute__((unused))

struct error {
	int err;	/* errno of the root cause, 0 if none */
	int status;	/* exit status main() should use (0: default 1) */
	char msg[1024]; /* human readable, already with context */
};

/* Fill `e` with a formatted message; returns -1 so callers can `return error_set(...)`. */
int error_set(struct error *e, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, appending ": strerror(err)". */
int error_sys(struct error *e, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefix existing message with context ("context: old message"); returns -1. */
int error_wrap(struct error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Cleanup helpers for __attribute__((cleanup)). */
void cleanup_freep(void *p);
void cleanup_closep(int *fd);
#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))

/* Take ownership out of a cleanup variable. */
#define steal_fd(fd) ({ int __fd = (fd); (fd) = -1; __fd; })
#define steal_ptr(p) ({ __typeof__(p) __p = (p); (p) = NULL; __p; })

/* Allocation that aborts on out-of-memory so call sites stay clean. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write all of buf to fd, retrying on EINTR and short writes. 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/* A growable byte buffer (used for synthesized files and trace lines). */
struct strbuf {
	char *data;
	size_t len, cap;
};
void strbuf_append(struct strbuf *sb, const void *data, size_t len);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void strbuf_release(struct strbuf *sb);

#endif
