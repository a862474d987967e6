/* Linux native AIO contexts (io_setup...): the sandbox's own (aio.c). */
#ifndef SENTRY_KERNEL_AIO_H
#define SENTRY_KERNEL_AIO_H

#include <linux/aio_abi.h>
#include <stdint.h>

struct mm;
struct sentry;
struct task;

/* One context: completed events waiting for io_getevents. */
struct aio_ctx {
	uint64_t id;	   /* the aio_context_t: a page mapped in the program */
	unsigned max_reqs; /* io_setup's nr, counted against aio-max-nr */
	unsigned cap;	   /* unreaped events it holds before io_submit says EAGAIN */
	struct io_event *ev;
	unsigned head, n, size; /* events head..head+n of `ev` (size slots) */
	struct aio_ctx *next;
};

/* io_setup: a new context of the address space of `t`; its id or -errno. */
long aio_ctx_create(struct task *t, unsigned nr);
/* The context `id` of the address space of `t`, or NULL. */
struct aio_ctx *aio_ctx_find(struct task *t, uint64_t id);
/* io_destroy: 0 or -EINVAL. */
long aio_ctx_destroy(struct task *t, uint64_t id);
/* Queue a completed event (the caller checked aio_ctx_full) and wake
 * the tasks waiting in io_getevents. */
void aio_ctx_complete(struct task *t, struct aio_ctx *c, const struct io_event *ev);
/* Every context of a dying address space (exit, exec); no unmapping. */
void aio_mm_release(struct sentry *s, struct mm *mm);

#endif
