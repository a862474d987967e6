/* What the host knows about a stub: its mappings and its CPU use.
 *
 * A stub is an ordinary host process, so the host's accounting of it is
 * the program's: /proc/<pid>/maps lists the program's memory (plus the
 * stub page, which is left out here), /proc/<pid>/stat and status its
 * faults, CPU ticks and peak RSS, and the kernel's CPU clock of the process
 * its CPU time. The sentry asks through platform.h and never opens these
 * itself: another platform may keep the program's memory and time
 * elsewhere.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform-internal.h"
#include "util/util.h"

/* Fill `m` from one line of /proc/<pid>/maps; false if it is not one. The
 * path points into `line`, its newline cut off. */
static bool parse_map_line(char *line, struct platform_mapping *m)
{
	unsigned long start, end, off, ino;
	unsigned maj, min;
	int pos = 0;
	*m = (struct platform_mapping){0};
	if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &start, &end, m->perms, &off, &maj, &min,
		   &ino, &pos) < 7)
		return false;
	m->start = start;
	m->end = end;
	m->offset = off;
	m->major = maj;
	m->minor = min;
	m->inode = ino;
	m->path = line + pos;
	line[pos + (int)strcspn(line + pos, "\n")] = '\0';
	return true;
}

int platform_for_each_mapping(pid_t stub, int (*fn)(void *ctx, const struct platform_mapping *m),
			      void *ctx)
{
	char name[64];
	snprintf(name, sizeof(name), "/proc/%d/maps", stub);
	FILE *f = fopen(name, "re");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		struct platform_mapping m;
		if (!parse_map_line(line, &m))
			continue;
		if (m.start >= PROGRAM_ADDR_LIMIT)
			continue; /* the stub page, the systrap slots, the vsyscall page */
		if (m.start == VSYSCALL_PAGE)
			continue; /* the host's vsyscall mode, not the program's */
		rc = fn(ctx, &m);
	}
	free(line);
	fclose(f);
	return rc;
}

int platform_cpu_usage(pid_t tid, struct platform_cpu *u)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the command name, which may hold spaces: state is 3. */
	const char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %lu %*u %lu %*u %lu %lu", &u->minflt,
			 &u->majflt, &u->utime, &u->stime) != 4)
		return -1;
	u->maxrss_kb = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	while (f && fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "VmHWM: %ld kB", &u->maxrss_kb) == 1)
			break;
	if (f)
		fclose(f);
	return 0;
}

int platform_cpu_time(pid_t tid, struct timespec *out)
{
	/* The kernel names another process's CPU clock ~pid << 3 |
	 * CPUCLOCK_SCHED (2), readable for thread-group leaders only;
	 * per-thread clocks (bit 4) only inside one's own thread group. So a
	 * stub's leader's time is its process clock (the whole stub's, which
	 * is the leader's own while it runs alone); the stub's other threads
	 * (the program's threads) are read from /proc/TID/schedstat below. */
	clockid_t clk = (clockid_t)(~(unsigned)tid << 3 | 2);
	if (clock_gettime(clk, out) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* A stub thread that does not lead its thread group (the program's
	 * second thread on): its own run time, in ns, from the scheduler's
	 * statistics, as exact as the last tick or switch. */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/schedstat", tid);
	FILE *f = fopen(path, "re");
	unsigned long long ns;
	int n = f ? fscanf(f, "%llu", &ns) : 0;
	if (f)
		fclose(f);
	if (n != 1)
		return -EINVAL;
	*out = (struct timespec){(time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL)};
	return 0;
}

/* Read all of /proc/<pid>/<entry> into a NUL-terminated malloc'd buffer. */
static char *read_proc(pid_t pid, const char *entry)
{
	char name[64];
	snprintf(name, sizeof(name), "/proc/%d/%s", pid, entry);
	FILE *f = fopen(name, "re");
	if (!f)
		return NULL;
	struct strbuf sb = {0};
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_append(&sb, buf, n);
	fclose(f);
	strbuf_append(&sb, "", 1);
	return sb.data;
}

int platform_memory_text(pid_t stub, const char *entry, struct strbuf *out)
{
	if (strcmp(entry, "status") != 0 && strcmp(entry, "statm") != 0 &&
	    strcmp(entry, "smaps_rollup") != 0)
		return -EINVAL;
	char *text = read_proc(stub, entry);
	if (!text)
		return -errno;
	strbuf_append(out, text, strlen(text));
	free(text);
	return 0;
}

/* Whether the line at `p` (up to its newline) is a maps line: parsed
 * from a copy, as parse_map_line reads past the end of an anonymous
 * mapping's line. */
static bool smap_header(const char *p, char *copy, size_t len, struct platform_mapping *m)
{
	size_t n = strcspn(p, "\n");
	snprintf(copy, len, "%.*s", (int)(n < len - 1 ? n : len - 1), p);
	return parse_map_line(copy, m);
}

int platform_for_each_smap(pid_t stub,
			   int (*fn)(void *ctx, const struct platform_mapping *m,
				     const char *detail),
			   void *ctx)
{
	char *text = read_proc(stub, "smaps");
	if (!text)
		return -errno;
	int rc = 0;
	char *line = text, header[PATH_MAX + 128], other[PATH_MAX + 128];
	while (rc == 0 && *line) {
		/* A block: its maps line, then "Key: value" lines up to the
		 * next maps line. */
		struct platform_mapping m, next_m;
		bool ok = smap_header(line, header, sizeof(header), &m);
		char *detail = line + strcspn(line, "\n");
		detail += *detail ? 1 : 0;
		char *next = detail;
		while (*next && !smap_header(next, other, sizeof(other), &next_m)) {
			next += strcspn(next, "\n");
			next += *next ? 1 : 0;
		}
		char saved = *next;
		*next = '\0';
		if (ok && m.start < PROGRAM_ADDR_LIMIT)
			rc = fn(ctx, &m, detail);
		*next = saved;
		line = next;
	}
	free(text);
	return rc;
}
