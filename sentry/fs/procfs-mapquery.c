/* ioctl(PROCMAP_QUERY) on /proc/PID/maps (Linux 6.11): one mapping of
 * the process, found by address, without parsing the text.
 *
 * The mappings are the ones the maps file lists (the stub's, through
 * platform_for_each_mapping, the platform's own pages left out), with the
 * same labels and sandbox paths as names. The query walks them in address
 * order as Linux's query_matching_vma walks the VMA tree: the first one
 * ending above the address that has the asked permissions (and a file, if
 * asked), covering the address unless the next one will do. The process is
 * the one the file's path names, looked up at the query (Linux holds the
 * address space it was opened on; they differ only for a file handed to
 * another process). No build ID is read: its size comes back 0, as Linux
 * answers for a file it cannot parse.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "procfs-internal.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

/* Linux's struct procmap_query (include/uapi/linux/fs.h), laid out as
 * there; not in the C library's headers yet. */
struct procmap_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
_Static_assert(sizeof(struct procmap_query) == 104, "Linux's layout");

enum {
	Q_READABLE = 0x01,
	Q_WRITABLE = 0x02,
	Q_EXECUTABLE = 0x04,
	Q_SHARED = 0x08,
	Q_COVERING_OR_NEXT = 0x10,
	Q_FILE_BACKED = 0x20,
	Q_VALID = 0x3f,
};

struct query_walk {
	struct task *t;
	struct procmap_query *q;
	char name[PATH_MAX];
	bool found;
};

static uint64_t perm_flags(const char *perms)
{
	return (perms[0] == 'r' ? Q_READABLE : 0) | (perms[1] == 'w' ? Q_WRITABLE : 0) |
	       (perms[2] == 'x' ? Q_EXECUTABLE : 0) | (perms[3] == 's' ? Q_SHARED : 0);
}

/* Mapping callback: 1 once the answer is in w->q. */
static int match_mapping(void *ctx, const struct platform_mapping *m)
{
	struct query_walk *w = ctx;
	struct procmap_query *q = w->q;
	uint64_t want = q->query_flags & (Q_READABLE | Q_WRITABLE | Q_EXECUTABLE | Q_SHARED);
	bool file = m->path[0] == '/' && strncmp(m->path, "/memfd:msentry-vdso", 19) != 0;
	if (m->end <= q->query_addr || (perm_flags(m->perms) & want) != want ||
	    ((q->query_flags & Q_FILE_BACKED) && !file))
		return 0;
	if (m->start > q->query_addr && !(q->query_flags & Q_COVERING_OR_NEXT))
		return -ENOENT;
	q->vma_start = m->start;
	q->vma_end = m->end;
	q->vma_flags = perm_flags(m->perms);
	q->vma_page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	q->vma_offset = file ? m->offset : 0;
	q->inode = file ? m->inode : 0;
	q->dev_major = file ? m->major : 0;
	q->dev_minor = file ? m->minor : 0;
	const char *label = procfs_map_label(w->t, m->start, m->path);
	cleanup_free char *shown = label	       ? xstrdup(label)
				   : m->path[0] == '/' ? path_from_host(w->t->s, m->path)
						       : xstrdup(m->path);
	snprintf(w->name, sizeof(w->name), "%s", shown ? shown : "");
	w->found = true;
	return 1;
}

/* Copy the name out as Linux does: its size with the NUL, or 0 for none. */
static int give_name(struct task *t, struct procmap_query *q, const char *name)
{
	if (!q->vma_name_size)
		return 0;
	size_t n = strlen(name);
	if (n == 0) {
		q->vma_name_size = 0;
		return 0;
	}
	if (n + 1 > q->vma_name_size)
		return -ENAMETOOLONG;
	q->vma_name_size = (uint32_t)(n + 1);
	return task_write(t, q->vma_name_addr, name, n + 1) == 0 ? 0 : -EFAULT;
}

/* Read the query as Linux's copy_struct_from_user does: `size` bytes
 * from the program, a larger struct only if the rest is zero. */
static long read_query(struct task *t, uint64_t arg, struct procmap_query *q, uint64_t *usize)
{
	if (task_read(t, arg, usize, sizeof(*usize)) != 0)
		return -EFAULT;
	if (*usize > 4096)
		return -E2BIG;
	if (*usize < offsetof(struct procmap_query, query_addr) + sizeof(uint64_t))
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	if (task_read(t, arg, q, *usize < sizeof(*q) ? *usize : sizeof(*q)) != 0)
		return -EFAULT;
	for (uint64_t off = sizeof(*q); off < *usize; off++) {
		uint8_t byte;
		if (task_read(t, arg + off, &byte, 1) != 0)
			return -EFAULT;
		if (byte)
			return -E2BIG;
	}
	return 0;
}

long procfs_map_query(struct task *t, struct file *f, uint64_t arg)
{
	struct task *who = f->path ? procfs_maps_owner(t, f->path) : NULL;
	if (!who)
		return -ENOTTY;
	struct procmap_query q;
	uint64_t usize;
	long rc = read_query(t, arg, &q, &usize);
	if (rc != 0)
		return rc;
	if ((q.query_flags & ~(uint64_t)Q_VALID) || !q.vma_name_size != !q.vma_name_addr ||
	    !q.build_id_size != !q.build_id_addr)
		return -EINVAL;
	struct query_walk w = {.t = who, .q = &q};
	rc = platform_for_each_mapping(who->mm->stub_pid, match_mapping, &w);
	if (rc < 0 || !w.found)
		return rc < 0 && rc != -ENOENT ? rc : -ENOENT;
	q.build_id_size = 0; /* no build ID read (see above) */
	rc = give_name(t, &q, w.name);
	if (rc != 0)
		return rc;
	return task_write(t, arg, &q, usize < sizeof(q) ? usize : sizeof(q)) == 0 ? 0 : -EFAULT;
}
