/* strace formatters of text: quoted and escaped strings, JSON string
 * literals, results with errno names, and the `strace -c` summary table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/strace/strace-internal.h"

/* ---- strings ---- */

/* strace's escaping: C escapes for the usual controls, octal for the rest,
 * three digits only when a digit follows (so the escape stays unambiguous). */
static void put_escaped(struct strbuf *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		switch (c) {
		case '"':
			strbuf_append(b, "\\\"", 2);
			continue;
		case '\\':
			strbuf_append(b, "\\\\", 2);
			continue;
		case '\n':
			strbuf_append(b, "\\n", 2);
			continue;
		case '\t':
			strbuf_append(b, "\\t", 2);
			continue;
		case '\r':
			strbuf_append(b, "\\r", 2);
			continue;
		case '\f':
			strbuf_append(b, "\\f", 2);
			continue;
		case '\v':
			strbuf_append(b, "\\v", 2);
			continue;
		default:
			break;
		}
		if (c >= 0x20 && c < 0x7f) {
			strbuf_append(b, &c, 1);
			continue;
		}
		bool digit_next = i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7';
		strbuf_printf(b, digit_next ? "\\%03o" : "\\%o", c);
	}
}

void sfmt_str(struct strbuf *b, const void *data, size_t len, size_t limit, bool more)
{
	size_t n = len < limit ? len : limit;
	strbuf_append(b, "\"", 1);
	put_escaped(b, data, n);
	strbuf_append(b, "\"", 1);
	if (len > limit || more)
		strbuf_append(b, "...", 3);
}

void sfmt_json_str(struct strbuf *b, const char *s, size_t len)
{
	strbuf_append(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			strbuf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			strbuf_printf(b, "\\u%04x", c);
		else
			strbuf_append(b, &c, 1);
	}
	strbuf_append(b, "\"", 1);
}

/* ---- results ---- */

const char *sfmt_errname(int err)
{
	if (err == 512)
		return "ERESTARTSYS";
	if (err == 513)
		return "ERESTARTNOINTR";
	if (err == 514)
		return "ERESTARTNOHAND";
	if (err == 516)
		return "ERESTART_RESTARTBLOCK";
	return strerrorname_np(err);
}

void sfmt_ret(struct strbuf *b, enum ret_fmt f, long ret)
{
	if (f == R_NORETURN) {
		strbuf_printf(b, "?");
		return;
	}
	if (ret < 0 && ret >= -4095) {
		int err = (int)-ret;
		const char *name = sfmt_errname(err);
		switch (err) {
		case 512:
			strbuf_printf(b, "? %s (To be restarted if SA_RESTART is set)", name);
			return;
		case 513:
			strbuf_printf(b, "? %s (To be restarted)", name);
			return;
		case 514:
			strbuf_printf(b, "? %s (To be restarted if no handler)", name);
			return;
		case 516:
			strbuf_printf(b, "? %s (Interrupted by signal)", name);
			return;
		default:
			break;
		}
		if (name)
			strbuf_printf(b, "-1 %s (%s)", name, strerror(err));
		else
			strbuf_printf(b, "-1 E??? (errno %d)", err);
		return;
	}
	if (f == R_HEX)
		strbuf_printf(b, "%#lx", (unsigned long)ret);
	else
		strbuf_printf(b, "%ld", ret);
}

/* ---- summary ---- */

static int by_time(const void *pa, const void *pb)
{
	const struct strace_count *a = pa, *b = pb;
	if (a->ns != b->ns)
		return a->ns < b->ns ? 1 : -1;
	if (a->calls != b->calls)
		return a->calls < b->calls ? 1 : -1;
	return strcmp(a->name, b->name);
}

static void summary_line(struct strbuf *b, double pct, uint64_t ns, uint64_t calls, uint64_t errors,
			 const char *name)
{
	char err[24] = "";
	if (errors)
		snprintf(err, sizeof(err), "%" PRIu64, errors);
	strbuf_printf(b, "%6.2f %11.6f %11" PRIu64 " %9" PRIu64 " %9s %s\n", pct, ns / 1e9,
		      calls ? ns / 1000 / calls : 0, calls, err, name);
}

void sfmt_summary(struct strbuf *b, struct strace_count *counts, size_t n)
{
	static const char rule[] =
	    "------ ----------- ----------- --------- --------- ----------------\n";
	qsort(counts, n, sizeof(*counts), by_time);
	uint64_t total_ns = 0, total_calls = 0, total_errors = 0;
	for (size_t i = 0; i < n; i++) {
		total_ns += counts[i].ns;
		total_calls += counts[i].calls;
		total_errors += counts[i].errors;
	}
	strbuf_printf(b, "%% time     seconds  usecs/call     calls    errors syscall\n%s", rule);
	for (size_t i = 0; i < n; i++) {
		if (!counts[i].calls)
			continue;
		double pct = total_ns ? 100.0 * (double)counts[i].ns / (double)total_ns : 0;
		summary_line(b, pct, counts[i].ns, counts[i].calls, counts[i].errors,
			     counts[i].name);
	}
	strbuf_printf(b, "%s", rule);
	summary_line(b, 100.0, total_ns, total_calls, total_errors, "total");
}
