/* futex: wait queues kept by the sentry.
 *
 * A waiter is a task blocked with BLOCK_FUTEX on (address space, address,
 * bitset). The value check and the enqueueing happen in one step of the
 * single sentry thread, and FUTEX_WAKE is itself a syscall the sentry
 * serves afterwards, so no wakeup can be lost between them. A woken waiter
 * returns 0 (t->call.futex_woken); a changed value gives EAGAIN, a timeout
 * ETIMEDOUT, a signal EINTR/restart. Keys are Linux's: (address space,
 * address) for FUTEX_PRIVATE_FLAG operations and private memory; (device,
 * inode, offset) for a word in a MAP_SHARED mapping, found in the stub's
 * own mappings (platform_for_each_mapping), so processes sharing memory
 * (pshared mutexes, POSIX semaphores) meet. The PI operations and FUTEX_WAKE_OP return ENOSYS
 * (glibc needs neither for its ordinary mutexes, condition variables and
 * thread joins). futex(2) itself is decoded in syscalls/sys_futex.c.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <time.h>

#include "sentry/kernel/kernel.h"

struct shared_key_ctx {
	uint64_t addr;
	struct futex_key *key;
};

/* Mapping callback: stop at the one holding the word; a shared key if it
 * is MAP_SHARED. */
static int shared_key(void *ctx, const struct platform_mapping *m)
{
	const struct shared_key_ctx *c = ctx;
	if (c->addr < m->start || c->addr >= m->end)
		return 0;
	if (m->perms[3] == 's')
		*c->key = (struct futex_key){.space = NULL,
					     .a = ((uint64_t)m->major << 32) | m->minor,
					     .b = m->inode,
					     .c = m->offset + (c->addr - m->start)};
	return 1;
}

/* The key of the word at `addr`: shared when it lies in a MAP_SHARED
 * mapping and the operation is not FUTEX_PRIVATE_FLAG. Linux resolves the
 * page of a non-private key (get_futex_key), so an unmapped or PROT_NONE
 * word, or one past the end of its file, is EFAULT there; a private key
 * is only an address and is never checked. Reading the word through the
 * stub's memory fails in exactly those cases. */
static int key_of(struct task *t, uint64_t addr, bool private_key, struct futex_key *k)
{
	*k = (struct futex_key){.space = t->mm, .a = addr};
	if (private_key)
		return 0;
	uint32_t word;
	if (task_read(t, addr, &word, sizeof(word)) != 0)
		return -EFAULT;
	/* Reading the stub's mappings costs one line per mapping (a thread's
	 * stack each): skipped while the program never mapped shared memory,
	 * as in the joins of a thousand threads. */
	if (!t->mm->has_shared)
		return 0;
	struct shared_key_ctx c = {.addr = addr, .key = k};
	platform_for_each_mapping(t->mm->stub_pid, shared_key, &c);
	return 0;
}

static bool key_eq(const struct futex_key *x, const struct futex_key *y)
{
	return x->space == y->space && x->a == y->a && x->b == y->b && x->c == y->c;
}

long futex_wait(struct task *t, uint64_t addr, uint32_t expected, uint64_t timeout_addr,
		uint32_t bitset, bool absolute, clockid_t clk, bool private_key)
{
	if (t->call.retry && t->call.futex_woken) {
		t->call.futex_woken = false;
		return 0;
	}
	if (bitset == 0)
		return -EINVAL;
	uint32_t val;
	if (task_read(t, addr, &val, sizeof(val)) != 0)
		return -EFAULT;
	if (val != expected)
		return -EAGAIN;
	struct timespec ts;
	if (timeout_addr && task_read(t, timeout_addr, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (timeout_addr && (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L || ts.tv_sec < 0))
		return -EINVAL;
	if (task_deadline(t, timeout_addr ? &ts : NULL, absolute, clk))
		return -ETIMEDOUT;
	struct futex_key key;
	if (key_of(t, addr, private_key, &key) != 0)
		return -EFAULT;
	long r = task_block(t, BLOCK_FUTEX);
	t->block.futex = key;
	t->block.futex_bitset = bitset;
	return r;
}

/* Wake up to `max` waiters on `key` matching `bitset`. */
static int futex_wake(struct task *t, const struct futex_key *key, uint32_t bitset, int max)
{
	int n = 0;
	for (struct task *u = t->s->tasks; u && n < max; u = u->next) {
		if (u->state != TASK_BLOCKED || u->block.kind != BLOCK_FUTEX ||
		    !key_eq(&u->block.futex, key) || !(u->block.futex_bitset & bitset))
			continue;
		u->call.futex_woken = true;
		task_make_ready(u);
		n++;
	}
	return n;
}

int futex_wake_bitset(struct task *t, uint64_t addr, bool private_key, uint32_t bitset, int max)
{
	struct futex_key k;
	if (key_of(t, addr, private_key, &k) != 0)
		return -EFAULT;
	return futex_wake(t, &k, bitset, max);
}

int futex_wake_addr(struct task *t, uint64_t addr, bool private_key, int max)
{
	return futex_wake_bitset(t, addr, private_key, FUTEX_BITSET_MATCH_ANY, max);
}

long futex_requeue(struct task *t, uint64_t addr, int nr_wake, int nr_requeue, uint64_t addr2,
		   bool compare, uint32_t cmpval, bool private_key)
{
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	/* Linux takes both keys before comparing the word. */
	struct futex_key from, to;
	if (key_of(t, addr, private_key, &from) != 0 || key_of(t, addr2, private_key, &to) != 0)
		return -EFAULT;
	if (compare) {
		uint32_t val;
		if (task_read(t, addr, &val, sizeof(val)) != 0)
			return -EFAULT;
		if (val != cmpval)
			return -EAGAIN;
	}
	int woken = futex_wake(t, &from, FUTEX_BITSET_MATCH_ANY, nr_wake);
	int moved = 0;
	for (struct task *u = t->s->tasks; u && moved < nr_requeue; u = u->next) {
		if (u->state != TASK_BLOCKED || u->block.kind != BLOCK_FUTEX ||
		    !key_eq(&u->block.futex, &from))
			continue;
		u->block.futex = to;
		moved++;
	}
	return compare ? woken + moved : woken;
}
