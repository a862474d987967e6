/* Legacy vsyscall emulation: the pure routine both arrival paths share.
 *
 * The vsyscall page (0xffffffffff600000) is what glibc before 2.14 calls for
 * gettimeofday (+0x000), time (+0x400) and getcpu (+0x800). Whatever way a
 * call reaches the sentry (a seccomp stop on hosts that emulate vsyscalls,
 * a SIGSEGV on hosts with vsyscall=none), the program's registers look the
 * same: RIP is the vsyscall address and [RSP] the return address. This
 * routine decides, from those registers alone, what Linux would do, so it
 * can be tested from synthetic registers (tests/vdso/unit).
 */
#ifndef MSENTRY_SENTRY_VSYSCALL_VSYSCALL_H
#define MSENTRY_SENTRY_VSYSCALL_VSYSCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sentry/sentry.h"

#define VSYSCALL_ADDR 0xffffffffff600000UL
#define VSYSCALL_SIZE 4096UL
/* Highest user address + 1 (Linux's TASK_SIZE_MAX with 4-level paging). */
#define VSYSCALL_USER_LIMIT 0x7ffffffff000UL

/* The registers the emulation reads and writes. */
struct vsyscall_regs {
	uint64_t rip, rsp, rax, rdi, rsi, rdx;
};

/* How the routine reaches the program and the syscall handlers. */
struct vsyscall_ops {
	void *ctx;
	/* Read program memory: 0 or -EFAULT. */
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	/* Run the ordinary handler of syscall `nr`: its result or -errno. */
	long (*call)(void *ctx, uint64_t nr, const uint64_t args[6]);
};

enum vsyscall_action {
	VSYSCALL_RETURN,  /* done: RAX = result, RIP = caller, RSP += 8 */
	VSYSCALL_SIGSEGV, /* the program gets SIGSEGV; registers untouched */
};

struct vsyscall_outcome {
	enum vsyscall_action action;
	int sig_code;	  /* SIGSEGV: SEGV_MAPERR or SI_KERNEL, as Linux */
	uint64_t sig_addr; /* SIGSEGV: the faulting address or 0 */
	uint64_t nr;	  /* syscall number, or -1 for an address that is none */
	const char *name; /* "gettimeofday", "time", "getcpu", or NULL */
	uint64_t caller;  /* the return address, 0 if unreadable */
	bool refused;	  /* --vsyscall=none */
	bool call_fault;  /* the handler itself returned -EFAULT */
};

/* Is `addr` inside the vsyscall page? */
static inline bool vsyscall_in_page(uint64_t addr)
{
	return addr >= VSYSCALL_ADDR && addr < VSYSCALL_ADDR + VSYSCALL_SIZE;
}

/* Emulate the vsyscall at r->rip (which must be in the page). On
 * VSYSCALL_RETURN, `r` holds the registers after the emulated `ret`. */
enum vsyscall_action vsyscall_emulate(const struct vsyscall_ops *ops, enum vsyscall_mode mode,
				      struct vsyscall_regs *r, struct vsyscall_outcome *out);

/* ---- the sentry's side (vsyscall-task.c): the kernel's vsyscall hooks ---- */
struct task;
/* A STOP_VSYSCALL (host emulates vsyscalls): served, the stub resumed. */
void vsyscall_seccomp_stop(struct task *t);
/* A SIGSEGV stop: if it is a call into the vsyscall page (vsyscall=none
 * host), emulate it and return true (the stub is resumed or the task is
 * gone); false: an ordinary fault. */
bool vsyscall_fault_stop(struct task *t);
/* Patch the call site recorded at a seccomp stop (at a stop that allows
 * injected syscalls: the kick that follows it). */
void vsyscall_patch_pending(struct task *t);

#endif
