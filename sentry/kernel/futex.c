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
 *
 * futex_waitv(2) waits on up to 128 words at once on the same queues: the
 * waiter keeps one key per word (block.futex_v) instead of block.futex, a
 * wake or requeue matches any of them, and the index of the key a
 * FUTEX_WAKE picked is what the call returns (1 + index in futex_woken).
 * As in Linux, every entry is checked, then every key taken (alignment,
 * shared-page lookup), then every value compared, before it sleeps. Linux
 * queues each entry on its own, so a wake takes (and counts) every entry of
 * the waiter on its word, up to its maximum, and the last index is returned.
 */
#include <errno.h>
#include <linux/futex.h>
#include <stdio.h>
#include <time.h>

#include "sentry/kernel/kernel.h"
#include "util/util.h"

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
		t->call.futex_woken = 0;
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

/* The key of u's wait that is `key` (futex(2): its one key; futex_waitv:
 * the first of its keys that is), with its index; NULL when u does not
 * wait there. */
static struct futex_key *waits_on(struct task *u, const struct futex_key *key, uint32_t *index)
{
	if (u->state != TASK_BLOCKED || u->block.kind != BLOCK_FUTEX)
		return NULL;
	*index = 0;
	if (!u->block.futex_v)
		return key_eq(&u->block.futex, key) ? &u->block.futex : NULL;
	for (uint32_t i = 0; i < u->block.futex_nv; i++) {
		if (key_eq(&u->block.futex_v[i], key)) {
			*index = i;
			return &u->block.futex_v[i];
		}
	}
	return NULL;
}

/* The first of a futex_waitv waiter's keys from *index on that is `key`. */
static bool next_on(const struct task *u, const struct futex_key *key, uint32_t *index)
{
	for (; *index < u->block.futex_nv; (*index)++)
		if (key_eq(&u->block.futex_v[*index], key))
			return true;
	return false;
}

/* Wake up to `max` waiters on `key` matching `bitset`. */
static int futex_wake(struct task *t, const struct futex_key *key, uint32_t bitset, int max)
{
	int n = 0;
	uint32_t i;
	for (struct task *u = t->s->tasks; u && n < max; u = u->next) {
		if (!waits_on(u, key, &i) || !(u->block.futex_bitset & bitset))
			continue;
		/* Linux queues each word of a futex_waitv on its own: a wake
		 * takes (and counts) every one of them on this key, in order,
		 * up to `max`, and the waiter returns the last one's index. */
		do {
			u->call.futex_woken = (int)i + 1;
			n++;
		} while (u->block.futex_v && n < max && ++i < u->block.futex_nv &&
			 next_on(u, key, &i));
		task_make_ready(u);
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
	uint32_t i;
	for (struct task *u = t->s->tasks; u && moved < nr_requeue; u = u->next) {
		struct futex_key *k = waits_on(u, &from, &i);
		if (!k)
			continue;
		*k = to;
		moved++;
	}
	return compare ? woken + moved : woken;
}

/* futex_waitv's flags per word (linux/futex.h names them only in newer
 * headers). FUTEX2_NUMA and FUTEX2_MPOL (Linux 6.16) are refused, as by
 * the Linux versions before them. */
#define WAITV_SIZE_MASK 0x03u
#define WAITV_SIZE_U32	0x02u
#define WAITV_PRIVATE	128u

/* Check the `n` entries at `uv` and take their keys, as Linux does: every
 * entry (EFAULT, EINVAL), then every key (EINVAL for a misaligned word,
 * EFAULT for a shared one that is not there), then every value (EFAULT,
 * EAGAIN at the first that changed). */
static long waitv_keys(struct task *t, uint64_t uv, uint32_t n, struct futex_key *keys)
{
	struct futex_waitv w[FUTEX_WAITV_MAX];
	for (uint32_t i = 0; i < n; i++) {
		if (task_read(t, uv + i * sizeof(w[0]), &w[i], sizeof(w[i])) != 0)
			return -EFAULT;
		if ((w[i].flags & ~(WAITV_SIZE_MASK | WAITV_PRIVATE)) || w[i].__reserved)
			return -EINVAL;
		/* Only 32-bit words, and a value that fits one (Linux 6.7's
		 * futex_validate_input). */
		if ((w[i].flags & WAITV_SIZE_MASK) != WAITV_SIZE_U32 || w[i].val > UINT32_MAX)
			return -EINVAL;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (w[i].uaddr & 3)
			return -EINVAL;
		if (key_of(t, w[i].uaddr, (w[i].flags & WAITV_PRIVATE) != 0, &keys[i]) != 0)
			return -EFAULT;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t val;
		if (task_read(t, w[i].uaddr, &val, sizeof(val)) != 0)
			return -EFAULT;
		if (val != (uint32_t)w[i].val)
			return -EAGAIN;
	}
	return 0;
}

/* Whether the absolute timeout `in` is one (a valid timespec: EINVAL
 * otherwise, as Linux's futex_init_timeout), and never from about year
 * 2262 on, where Linux's nanosecond count stops. */
static long waitv_timeout(const struct timespec *in, bool *has_timeout)
{
	if (in->tv_sec < 0 || in->tv_nsec < 0 || in->tv_nsec >= 1000000000L)
		return -EINVAL;
	*has_timeout = in->tv_sec < INT64_MAX / 1000000000LL;
	return 0;
}

long futex_waitv(struct task *t, uint64_t uv, uint32_t n, uint64_t timeout_addr, clockid_t clk)
{
	if (t->call.retry && t->call.futex_woken) {
		long index = t->call.futex_woken - 1;
		t->call.futex_woken = 0;
		return index;
	}
	if (n == 0 || n > FUTEX_WAITV_MAX || uv == 0)
		return -EINVAL;
	struct timespec ts;
	bool has_timeout = false;
	if (timeout_addr) {
		if (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME)
			return -EINVAL;
		if (task_read(t, timeout_addr, &ts, sizeof(ts)) != 0)
			return -EFAULT;
		long err = waitv_timeout(&ts, &has_timeout);
		if (err != 0)
			return err;
	}
	cleanup_free struct futex_key *keys = xcalloc(n, sizeof(*keys));
	long r = waitv_keys(t, uv, n, keys);
	if (r != 0)
		return r;
	if (task_deadline(t, has_timeout ? &ts : NULL, true, clk))
		return -ETIMEDOUT;
	r = task_block(t, BLOCK_FUTEX);
	if (r == SYSRET_BLOCK) {
		t->block.futex_v = steal_ptr(keys);
		t->block.futex_nv = n;
		t->block.futex_bitset = FUTEX_BITSET_MATCH_ANY;
	}
	return r;
}
