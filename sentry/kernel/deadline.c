/* Deadlines: one min-heap of everything that happens at a time.
 *
 * A timed wait (nanosleep, a poll or futex timeout), a process's
 * ITIMER_REAL (alarm, setitimer) and each armed POSIX timer has a struct
 * deadline embedded in its owner: the CLOCK_MONOTONIC time it is due, what
 * kind of owner holds it, and its place in the heap. The sentry keeps a
 * binary min-heap of pointers to the armed ones, ordered by time, and each
 * node records its index, so arming, re-arming and cancelling are
 * O(log n) and the loop's question "what is due, and when is the next one"
 * costs O(1) plus O(log n) per expiry: a pass of the loop does work in
 * proportion to what expired, not to how many tasks exist (a walk of every
 * task's and process's timers on each pass made a thousand-thread sandbox
 * crawl).
 *
 * Owners cancel their node before they change or free it: clear_block and
 * task_release for a task's wait, process_alarm_set and process exit for
 * the alarm, ptimer_set, timer_delete and process exit for POSIX timers. A
 * node that expires is popped first, then handed to its owner's expiry
 * (sched.c), which may arm it again (periodic timers). Single-threaded: no
 * locks.
 */
#include <stdlib.h>

#include "sentry/kernel/kernel.h"

static bool before(const struct deadline *a, const struct deadline *b)
{
	return a->when.tv_sec < b->when.tv_sec ||
	       (a->when.tv_sec == b->when.tv_sec && a->when.tv_nsec < b->when.tv_nsec);
}

static void place(struct deadline_heap *h, size_t i, struct deadline *d)
{
	h->v[i] = d;
	d->pos = i + 1;
}

static void sift_up(struct deadline_heap *h, size_t i)
{
	struct deadline *d = h->v[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(d, h->v[parent]))
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, d);
}

static void sift_down(struct deadline_heap *h, size_t i)
{
	struct deadline *d = h->v[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && before(h->v[c + 1], h->v[c]))
			c++;
		if (!before(h->v[c], d))
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, d);
}

void deadline_cancel(struct deadline_heap *h, struct deadline *d)
{
	if (!d->pos)
		return;
	size_t i = d->pos - 1;
	d->pos = 0;
	struct deadline *last = h->v[--h->n];
	if (i == h->n)
		return;
	h->v[i] = last;
	last->pos = i + 1;
	sift_down(h, i);
	sift_up(h, last->pos - 1);
}

void deadline_arm(struct deadline_heap *h, struct deadline *d, const struct timespec *when)
{
	deadline_cancel(h, d);
	d->when = *when;
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	h->v[h->n] = d;
	sift_up(h, h->n++);
}

struct deadline *deadline_first(const struct deadline_heap *h)
{
	return h->n ? h->v[0] : NULL;
}

void deadline_release(struct deadline_heap *h)
{
	free(h->v);
	*h = (struct deadline_heap){0};
}
