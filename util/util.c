#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The format attribute lets clang check the callers' formats (and accept
 * the non-literal one here), as gcc already does through error_set's. */
__attribute__((format(printf, 4, 0))) static int
error_vset(struct error *e, int err, bool with_errno, const char *fmt, va_list ap)
{
	e->err = err;
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(err));
	return -1;
}

int error_set(struct error *e, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(e, err, false, fmt, ap);
	va_end(ap);
	return -1;
}

int error_sys(struct error *e, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(e, err, true, fmt, ap);
	va_end(ap);
	return -1;
}

int error_wrap(struct error *e, const char *fmt, ...)
{
	char old[sizeof(e->msg)];
	memcpy(old, e->msg, sizeof(old));
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(e->msg) - 2) {
		size_t at = (size_t)n;
		e->msg[at++] = ':';
		e->msg[at++] = ' ';
		size_t room = sizeof(e->msg) - at - 1;
		size_t len = strnlen(old, room);
		memcpy(e->msg + at, old, len);
		e->msg[at + len] = '\0';
	}
	return -1;
}

void cleanup_freep(void *p)
{
	free(*(void **)p);
}

void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static void *check_alloc(void *p)
{
	if (!p) {
		fputs("msentry: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xmalloc(size_t n)
{
	return check_alloc(malloc(n ? n : 1));
}

void *xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
	return check_alloc(realloc(p, n ? n : 1));
}

char *xstrdup(const char *s)
{
	return check_alloc(strdup(s));
}

char *xasprintf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		check_alloc(NULL);
	return s;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void strbuf_append(struct strbuf *sb, const void *data, size_t len)
{
	if (sb->len + len + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 256;
		while (cap < sb->len + len + 1)
			cap *= 2;
		sb->data = xrealloc(sb->data, cap);
		sb->cap = cap;
	}
	memcpy(sb->data + sb->len, data, len);
	sb->len += len;
	sb->data[sb->len] = '\0';
}

void strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	strbuf_append(sb, "", 0); /* ensure allocated */
	if (sb->len + (size_t)n + 1 > sb->cap) {
		size_t cap = sb->cap;
		while (cap < sb->len + (size_t)n + 1)
			cap *= 2;
		sb->data = xrealloc(sb->data, cap);
		sb->cap = cap;
	}
	vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
	sb->len += (size_t)n;
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}
