/* Access to the program's memory, through the platform. */
#include <errno.h>
#include <limits.h>

#include "sentry/kernel/kernel.h"

int task_read(struct task *t, uint64_t addr, void *buf, size_t len)
{
	return platform_read(platform_thread_tid(t->th), addr, buf, len);
}

int task_write(struct task *t, uint64_t addr, const void *buf, size_t len)
{
	return platform_write(platform_thread_tid(t->th), addr, buf, len);
}

long task_read_string(struct task *t, uint64_t addr, char *buf, size_t max)
{
	return platform_read_string(platform_thread_tid(t->th), addr, buf, max);
}

int task_read_path(struct task *t, uint64_t addr, char *buf)
{
	long n = task_read_string(t, addr, buf, PATH_MAX);
	if (n < 0)
		return (int)n;
	return n == 0 ? -ENOENT : 0;
}
