/* futex_waitv: waits on several futex words at once (the futex probe itself
 * is in task.c). Only results, errno names and the woken index are printed;
 * timeouts are absolute times a little ahead, and no time is shown. */
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "probe.h"

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
/* Per-word flags (newer headers call them FUTEX2_SIZE_U32, FUTEX2_PRIVATE). */
#define W_U32	  0x02u
#define W_PRIVATE 128u

static long waitv(struct futex_waitv *w, unsigned n, unsigned flags, struct timespec *ts,
		  clockid_t clk)
{
	return syscall(SYS_futex_waitv, w, n, flags, ts, clk);
}

static void set(struct futex_waitv *w, uint32_t *addr, uint64_t val, uint32_t flags)
{
	*w = (struct futex_waitv){.val = val, .uaddr = (uintptr_t)addr, .flags = flags};
}

/* An absolute time `ms` milliseconds from now on `clk`. */
static struct timespec in_ms(clockid_t clk, long ms)
{
	struct timespec t;
	clock_gettime(clk, &t);
	t.tv_nsec += ms * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

static uint32_t words[3];
static long thread_result;

/* Waits on words 0, 1, 2, or (arg not NULL) on 0, 1, 1. */
static void *waiter(void *arg)
{
	struct futex_waitv w[3];
	for (int i = 0; i < 3; i++)
		set(&w[i], &words[i], 0, W_U32 | W_PRIVATE);
	if (arg)
		w[2].uaddr = (uintptr_t)&words[1];
	long r = waitv(w, 3, 0, NULL, 0);
	__atomic_store_n(&thread_result, r < 0 ? -errno : r, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Wake `addr` (op: private or shared) until a waiter was there; the count. */
static long wake_until(uint32_t *addr, int op, int max)
{
	long n = 0;
	for (int i = 0; i < 2000 && n == 0; i++) {
		usleep(1000);
		n = syscall(SYS_futex, addr, op, max, NULL, NULL, 0);
	}
	return n;
}

static void waitv_errors(void)
{
	static uint32_t a = 1, b = 2, c = 3;
	struct futex_waitv w[129];
	for (int i = 0; i < 129; i++)
		set(&w[i], &a, 1, W_U32 | W_PRIVATE);
	set(&w[1], &b, 2, W_U32 | W_PRIVATE);
	set(&w[2], &c, 3, W_U32);
	struct timespec past = {0, 0};
	SHOW(waitv(w, 0, 0, &past, CLOCK_MONOTONIC));
	SHOW(waitv(w, 129, 0, &past, CLOCK_MONOTONIC));
	SHOW(waitv(NULL, 1, 0, &past, CLOCK_MONOTONIC));
	SHOW(waitv(w, 3, 1, &past, CLOCK_MONOTONIC));
	SHOW(waitv(w, 3, 0, &past, CLOCK_BOOTTIME));
	SHOW(waitv(w, 3, 0, &past, 12345));
	SHOW(waitv(w, 3, 0, BADPTR, CLOCK_MONOTONIC));
	SHOW(waitv(BADPTR, 1, 0, &past, CLOCK_MONOTONIC));
	/* The array is read entry by entry: a bad third entry past a good
	 * second; the last entry of a page next to an unmapped one. */
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(page + 4096, 4096);
	struct futex_waitv *edge = (struct futex_waitv *)(page + 4096) - 1;
	set(edge, &a, 1, W_U32 | W_PRIVATE);
	SHOW(waitv(edge, 1, 0, &past, CLOCK_MONOTONIC));
	SHOW(waitv(edge, 2, 0, &past, CLOCK_MONOTONIC));
	/* With no timeout the clock is not looked at. */
	set(&w[0], &a, 7, W_U32 | W_PRIVATE);
	SHOW(waitv(w, 1, 0, NULL, 12345));
	set(&w[0], &a, 1, W_U32 | W_PRIVATE);
	/* Per-entry checks: size, unknown flags, __reserved, a value wider
	 * than the word is not probed (older kernels truncate it). */
	uint32_t bad_flags[] = {0,	   0x01,	  0x03,
				W_PRIVATE, W_U32 | 0x100, W_U32 | W_PRIVATE | 0x10000};
	for (unsigned i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		w[1].flags = bad_flags[i];
		printf("word flags %#x: ", bad_flags[i]);
		SHOW(waitv(w, 3, 0, &past, CLOCK_MONOTONIC));
	}
	w[1].flags = W_U32 | W_PRIVATE;
	w[1].__reserved = 1;
	printf("__reserved 1: ");
	SHOW(waitv(w, 3, 0, &past, CLOCK_MONOTONIC));
	w[1].__reserved = 0;
	/* Addresses: misaligned is EINVAL, checked for every word before any
	 * value (so before the first word's mismatch); NULL, unmapped and
	 * PROT_NONE words are EFAULT, private or shared. */
	w[0].val = 99;
	w[2].uaddr = (uintptr_t)&c + 1;
	printf("3rd misaligned, 1st changed: ");
	SHOW(waitv(w, 3, 0, &past, CLOCK_MONOTONIC));
	w[0].val = 1;
	w[2].uaddr = (uintptr_t)&c;
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t *bad[] = {NULL, (uint32_t *)(page + 4096), (uint32_t *)none};
	const char *bad_name[] = {"NULL", "unmapped", "PROT_NONE"};
	for (int i = 0; i < 3; i++) {
		for (int priv = 0; priv < 2; priv++) {
			set(&w[1], bad[i], 0, W_U32 | (priv ? W_PRIVATE : 0));
			printf("%s %s word: ", bad_name[i], priv ? "private" : "shared");
			SHOW(waitv(w, 3, 0, &past, CLOCK_MONOTONIC));
		}
	}
	munmap(none, 4096);
	munmap(page, 4096);
}

/* futex_waitv is partial: 32-bit words only (FUTEX2_NUMA/MPOL are not
 * probed: kernels before 6.16 refuse them, later ones accept them). */
SYSCALL_TEST(futex_waitv)
{
	struct futex_waitv w[3];
	static uint32_t x = 1, y = 2, z = 3;
	set(&w[0], &x, 1, W_U32 | W_PRIVATE);
	set(&w[1], &y, 5, W_U32 | W_PRIVATE);
	set(&w[2], &z, 3, W_U32);
	SHOW(waitv(w, 3, 0, NULL, 0));
	w[1].val = 2;
	struct timespec past = {0, 0};
	SHOW(waitv(w, 3, 0, &past, CLOCK_MONOTONIC));
	struct timespec soon = in_ms(CLOCK_MONOTONIC, 20);
	SHOW(waitv(w, 3, 0, &soon, CLOCK_MONOTONIC));
	soon = in_ms(CLOCK_REALTIME, 20);
	SHOW(waitv(w, 1, 0, &soon, CLOCK_REALTIME));
	waitv_errors();

	/* A thread waits on three words; waking the second returns 1. */
	pthread_t t;
	pthread_create(&t, NULL, waiter, NULL);
	long n = wake_until(&words[1], FUTEX_WAKE_PRIVATE, 1);
	pthread_join(t, NULL);
	say("woke %ld; the waiter returned %ld", n, thread_result);
	/* A word given twice is queued twice: one wake takes one entry, a
	 * wider one both (counted twice), and the last index is returned. */
	for (int max = 1; max <= 5; max += 4) {
		pthread_create(&t, NULL, waiter, words);
		n = wake_until(&words[1], FUTEX_WAKE_PRIVATE, max);
		pthread_join(t, NULL);
		say("wake of %d woke %ld; the waiter returned %ld", max, n, thread_result);
	}

	/* Shared words in MAP_SHARED memory: a forked child waits on two,
	 * the parent wakes the second with a shared FUTEX_WAKE. */
	uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t k = probe_fork();
	if (k == 0) {
		struct futex_waitv cw[2];
		set(&cw[0], &sh[0], 0, W_U32);
		set(&cw[1], &sh[8], 0, W_U32);
		SHOW(waitv(cw, 2, 0, NULL, 0));
		_exit(0);
	}
	n = wake_until(&sh[8], FUTEX_WAKE, 1);
	probe_wait("child", k);
	say("shared wake woke %ld", n);

	/* A signal ends the wait with EINTR, or (SA_RESTART) the call starts
	 * again and a wake still finds it. */
	for (int restart = 0; restart < 2; restart++) {
		sh[16] = 0;
		k = probe_fork();
		if (k == 0) {
			catch_signal(SIGUSR1, restart ? SA_RESTART : 0);
			struct futex_waitv cw[2];
			set(&cw[0], &sh[24], 0, W_U32);
			set(&cw[1], &sh[16], 0, W_U32);
			SHOW(waitv(cw, 2, 0, NULL, 0));
			say("handled %d", (int)handled[SIGUSR1]);
			_exit(0);
		}
		probe_wait_sleeping(k, 2000);
		kill(k, SIGUSR1);
		/* Said after the child ended: its lines and ours would
		 * otherwise come in whichever order the two were scheduled. */
		long woken = restart ? wake_until(&sh[16], FUTEX_WAKE, 1) : 0;
		probe_wait("child", k);
		if (restart)
			say("restarted wait woken: %ld", woken);
	}
	munmap(sh, 4096);
}
