/* Flag and enumeration tables, shared by the formatters (format-*.c) only.
 *
 * A table lists {value, name} pairs, written with N(MACRO) when the name is
 * the macro's. FLAGS() prints a bit set with a table, ENUM() one value of an
 * enumeration; both print what the table does not know in hex, as strace
 * does.
 */
#ifndef MSENTRY_SENTRY_STRACE_FORMAT_FLAGS_H
#define MSENTRY_SENTRY_STRACE_FORMAT_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#include "sentry/strace/strace-internal.h"

struct flag {
	uint64_t v;
	const char *name;
};

#define N(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}

/* Names of the set bits of `v` joined by '|', then any unknown rest in hex;
 * `zero` when v is 0. Entries that are multi-bit (O_SYNC) come before their
 * parts, so they are matched whole. */
void sfmt_flags(struct strbuf *b, uint64_t v, const struct flag *t, size_t n, const char *zero);
/* The name of an enumeration value, or the hex value and a PREFIX??? comment. */
void sfmt_enum(struct strbuf *b, uint64_t v, const struct flag *t, size_t n, const char *prefix);

#define FLAGS(b, v, t, zero)  sfmt_flags(b, v, t, ARRAY_SIZE(t), zero)
#define ENUM(b, v, t, prefix) sfmt_enum(b, v, t, ARRAY_SIZE(t), prefix)

#endif
