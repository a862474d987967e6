/* The escape suite's attack program (tests/escape/escape.sh runs it).
 *
 * Every attack tries to reach something outside the sandbox: a host file,
 * the host canary process, msentry's own host process. The attack never
 * judges itself; the host script judges it from host-side evidence only
 * (the canary's log of received signals, its memory and scheduling state,
 * files outside the root, processes left behind). What the attack writes
 * under BASE/out is what it managed to read: the host greps it for the
 * secrets it was never meant to see.
 *
 * BASE is "/" under the sandbox and the root directory natively (the
 * script runs some attacks natively to prove that its checks trip). The
 * host puts what the attack is told under BASE/info: `canary` (the
 * canary's host pid), `addr` (the hex address of the canary's secret
 * buffer), `len` (its length), `victim` (a host pid to SIGKILL: msentry's
 * own, or a host sleep natively). */
#ifndef ESCAPE_ATTACK_H
#define ESCAPE_ATTACK_H

#include <stddef.h>
#include <sys/types.h>

struct target {
	const char *base;
	pid_t canary;
	unsigned long addr; /* the canary's secret buffer */
	size_t len;
	pid_t victim;
};

/* Append `len` bytes to BASE/out/NAME (made if missing). */
void out_append(const struct target *t, const char *name, const void *buf, size_t len);
/* A raw syscall, never libc's wrapper (no errno, no pid caching). */
long raw6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
/* Run fn(arg) in a child, killed after `ms` milliseconds; its wait status. */
int in_child(void (*fn)(long), long arg, int ms);

int attack_sweep(const struct target *t);
int attack_int80(const struct target *t);
int attack_gadgets(const struct target *t);
int attack_slots(const struct target *t);
int attack_sigreturn(const struct target *t);
int attack_seccomp(const struct target *t);

#endif
