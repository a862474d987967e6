/* Lookup by id: sandbox tids, host tids of stubs, pids.
 *
 * Every stop the loop reads names a host tid; many syscalls name a sandbox
 * tid or pid (kill, wait4, futex owners, timers' target threads). A walk of
 * the task list per lookup made a sandbox of n tasks cost n per syscall and
 * n*n per pass of the loop, so each id has a hash table here: an array of
 * buckets of intrusive chains (struct id_node is embedded in the task or
 * process it names, so an entry needs no allocation). The table doubles when
 * it holds more entries than buckets, so a chain stays about one entry long.
 * Ids are small integers handed out in sequence: the low bits of the key
 * spread them well. Single-threaded, as the rest of the kernel: no locks.
 *
 * Who indexes what: task.c and process.c insert a task under its tid when it
 * is created and under its stub's host tid whenever it gets a stub (clone,
 * exec); a process under its pid from its creation until it is reaped. The
 * entries go with the object (task_release, reap, the last process_put).
 */
#include <stdint.h>
#include <stdlib.h>

#include "sentry/kernel/kernel.h"

static size_t bucket_of(const struct id_map *m, int32_t key)
{
	/* Fibonacci hashing: consecutive ids land in different buckets. */
	return (size_t)(((uint32_t)key * 2654435769u) >> 8) & (m->nbuckets - 1);
}

static void grow(struct id_map *m)
{
	size_t old_n = m->nbuckets;
	struct id_node **old = m->buckets;
	m->nbuckets = old_n ? old_n * 2 : 256;
	m->buckets = xcalloc(m->nbuckets, sizeof(*m->buckets));
	for (size_t i = 0; i < old_n; i++) {
		struct id_node *n = old[i], *next;
		for (; n; n = next) {
			next = n->next;
			size_t b = bucket_of(m, n->key);
			n->next = m->buckets[b];
			m->buckets[b] = n;
		}
	}
	free(old);
}

void idmap_insert(struct id_map *m, struct id_node *n, int32_t key)
{
	if (n->linked)
		idmap_remove(m, n);
	if (m->count >= m->nbuckets)
		grow(m);
	n->key = key;
	size_t b = bucket_of(m, key);
	n->next = m->buckets[b];
	m->buckets[b] = n;
	n->linked = true;
	m->count++;
}

void idmap_remove(struct id_map *m, struct id_node *n)
{
	if (!n->linked)
		return;
	struct id_node **pp = &m->buckets[bucket_of(m, n->key)];
	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = n->next;
		m->count--;
	}
	n->linked = false;
	n->next = NULL;
}

struct id_node *idmap_find(const struct id_map *m, int32_t key)
{
	if (!m->nbuckets)
		return NULL;
	for (struct id_node *n = m->buckets[bucket_of(m, key)]; n; n = n->next)
		if (n->key == key)
			return n;
	return NULL;
}

void idmap_release(struct id_map *m)
{
	free(m->buckets);
	*m = (struct id_map){0};
}
