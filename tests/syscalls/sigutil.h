/* Helpers shared by the signal tests (signals.c, sigsend.c). */
#ifndef MSENTRY_TESTS_SYSCALLS_SIGUTIL_H
#define MSENTRY_TESTS_SYSCALLS_SIGUTIL_H

#include "probe.h"

#define NO_PID 0x3ffffff0

/* The kernel's struct sigaction. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

#define BIT(sig) (1ULL << ((sig)-1))

/* The names of the signals in a kernel mask, or "none". */
static inline const char *mask_text(uint64_t m)
{
	static char buf[512];
	buf[0] = 0;
	for (int s = 1; s <= 64; s++)
		if (m & BIT(s))
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",
				 buf[0] ? " " : "", signame(s));
	return buf[0] ? buf : "none";
}

static inline void set_mask(uint64_t m)
{
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &m, NULL, 8);
}

static inline uint64_t get_mask(void)
{
	uint64_t m = 0;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &m, 8);
	return m;
}

#endif
