/* Linux native AIO contexts (io_setup, io_destroy; the calls themselves
 * are in syscalls/sys_aio.c).
 *
 * A context belongs to an address space, as Linux's belong to the mm
 * (mm->ioctx_table): threads sharing the mm share them, a fork child's new
 * mm starts with none, and exec and exit drop them with the old mm
 * (aio_mm_release, Linux's exit_aio).
 *
 * The id: Linux answers the address of a ring it maps in the process,
 * and libaio's io_getevents reads that ring's header in user memory to
 * skip the syscall when the ring is empty; it makes the syscall unless
 * the header's magic is AIO_RING_MAGIC. So an id must be an address the
 * program can read: io_setup maps one private zero page, read-only, and
 * answers its address. Its magic reads 0, so libaio always asks the
 * sentry; the page also makes ids unique within the address space.
 * io_destroy unmaps it, as Linux unmaps its ring. The events themselves
 * live in the sentry, a ring per context that grows as events complete.
 *
 * Limits: io_setup refuses (EAGAIN) contexts whose summed nr would pass
 * fs.aio-max-nr, read from the host's /proc/sys/fs/aio-max-nr (65536 if
 * unreadable), summed over the sandbox's own contexts only.
 *
 * Threats: the page is the program's memory, and it may unmap or remap
 * it; the sentry never reads it, so nothing the program does there
 * matters but to libaio in the program itself.
 */
#include "sentry/kernel/aio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "util/util.h"

#define RING_PAGE   4096u
#define RING_HEADER 32u /* Linux's struct aio_ring before its events */
#define AIO_MAX_NR  65536u
/* Linux refuses (EINVAL) rings of more events than this. */
#define AIO_EVENT_MAX (0x10000000u / sizeof(struct io_event))

static unsigned max_nr(void)
{
	unsigned v = AIO_MAX_NR;
	FILE *f = fopen("/proc/sys/fs/aio-max-nr", "re");
	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = AIO_MAX_NR;
		fclose(f);
	}
	return v;
}

/* The nr of every context of the sandbox (each mm once). */
static unsigned long in_use(struct sentry *s)
{
	unsigned long sum = 0;
	for (struct task *t = s->tasks; t; t = t->next) {
		bool seen = false;
		for (struct task *u = s->tasks; u != t && !seen; u = u->next)
			seen = u->mm == t->mm;
		if (seen || !t->mm)
			continue;
		for (struct aio_ctx *c = t->mm->aio; c; c = c->next)
			sum += c->max_reqs;
	}
	return sum;
}

/* Linux's ring size for nr: at least 4 per CPU, doubled, then the page
 * rounding's spare slots; one is kept free. 0: too many (EINVAL). */
static unsigned ring_cap(unsigned nr)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t want = nr;
	if (cpus > 0 && want < (uint64_t)cpus * 4)
		want = (uint64_t)cpus * 4;
	want *= 2;
	if (want > AIO_EVENT_MAX)
		return 0;
	uint64_t bytes = RING_HEADER + want * sizeof(struct io_event);
	bytes = (bytes + RING_PAGE - 1) / RING_PAGE * RING_PAGE;
	return (unsigned)((bytes - RING_HEADER) / sizeof(struct io_event)) - 1;
}

long aio_ctx_create(struct task *t, unsigned nr)
{
	unsigned cap = ring_cap(nr);
	if (cap == 0)
		return -EINVAL;
	unsigned long limit = max_nr();
	if (nr > limit || in_use(t->s) + nr > limit)
		return -EAGAIN;
	long at = platform_mmap(t->th, 0, RING_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (at < 0)
		return at == -ENOMEM ? -EAGAIN : at;
	struct aio_ctx *c = xcalloc(1, sizeof(*c));
	*c = (struct aio_ctx){.id = (uint64_t)at, .max_reqs = nr, .cap = cap, .next = t->mm->aio};
	t->mm->aio = c;
	return at;
}

struct aio_ctx *aio_ctx_find(struct task *t, uint64_t id)
{
	for (struct aio_ctx *c = t->mm ? t->mm->aio : NULL; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

long aio_ctx_destroy(struct task *t, uint64_t id)
{
	for (struct aio_ctx **pp = &t->mm->aio; *pp; pp = &(*pp)->next) {
		struct aio_ctx *c = *pp;
		if (c->id != id)
			continue;
		*pp = c->next;
		/* The program may have unmapped it itself: nothing to report. */
		(void)platform_munmap(t->th, c->id, RING_PAGE);
		ipc_wake(t->s, c); /* waiters find it gone: EINVAL */
		free(c->ev);
		free(c);
		return 0;
	}
	return -EINVAL;
}

void aio_ctx_complete(struct task *t, struct aio_ctx *c, const struct io_event *ev)
{
	if (c->head + c->n == c->size) {
		if (c->head > 0) {
			memmove(c->ev, c->ev + c->head, c->n * sizeof(*ev));
			c->head = 0;
		} else {
			c->size = c->size ? c->size * 2 : 16;
			c->ev = xrealloc(c->ev, c->size * sizeof(*ev));
		}
	}
	c->ev[c->head + c->n++] = *ev;
	ipc_wake(t->s, c);
}

void aio_mm_release(struct sentry *s, struct mm *mm)
{
	(void)s;
	while (mm->aio) {
		struct aio_ctx *c = mm->aio;
		mm->aio = c->next;
		free(c->ev);
		free(c);
	}
}
