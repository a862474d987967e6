/* mount and umount2: the program's changes to the sandbox's own mount
 * table (kernel/mount-change.c explains what each kind of mount is). */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <sys/mount.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

/* A string argument that may be NULL: 0 (with *out NULL or buf), -errno. */
static long optional_string(struct task *t, uint64_t addr, char *buf, size_t max, const char **out)
{
	*out = NULL;
	if (addr == 0)
		return 0;
	long n = task_read_string(t, addr, buf, max);
	if (n < 0)
		return n;
	*out = buf;
	return 0;
}

SYSCALL_HANDLER(mount)
{
	char source[PATH_MAX], target[PATH_MAX], type[256], data[4096];
	const char *src, *fstype, *opts;
	int rc = task_read_path(t, a[1], target);
	if (rc != 0)
		return rc;
	long r = optional_string(t, a[0], source, sizeof(source), &src);
	if (r == 0)
		r = optional_string(t, a[2], type, sizeof(type), &fstype);
	if (r == 0)
		r = optional_string(t, a[4], data, sizeof(data), &opts);
	if (r != 0)
		return r;
	unsigned long flags = (unsigned long)a[3];
	long changed = mount_change(t, src, target, fstype, flags, opts);
	/* Linux's mount namespace event: any change but of propagation. */
	if (changed == 0 && !(flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)))
		mount_table_changed(t->s);
	return changed;
}

SYSCALL_HANDLER(umount2)
{
	char target[PATH_MAX];
	int rc = task_read_path(t, a[0], target);
	if (rc != 0)
		return rc;
	long removed = mount_remove(t, target, (int)a[1]);
	if (removed == 0)
		mount_table_changed(t->s);
	return removed;
}
