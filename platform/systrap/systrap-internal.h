/* The systrap platform's private declarations: the memory a program thread
 * shares with the sentry, and the stub code that uses it.
 *
 * The layout is one contract between two programs: the stub code (asm in
 * platform/systrap/stub-code.c, running in the program's address space) and
 * the sentry (platform/systrap/systrap.c). The asm cannot include C, so the
 * offsets are plain numbers here, and systrap.c checks them against the
 * struct with static_assert.
 */
#ifndef MSENTRY_PLATFORM_SYSTRAP_INTERNAL_H
#define MSENTRY_PLATFORM_SYSTRAP_INTERNAL_H

#include <linux/filter.h>
#include <stdint.h>

#include "platform/ptrace/platform-internal.h"

/* Every address space has SYSTRAP_SLOTS slots of SYSTRAP_SLOT_SIZE bytes at
 * SYSTRAP_AREA, one per program thread: a page shared with the sentry (the
 * registers and the hand-off words) and the thread's signal stack. The
 * handler finds its slot by rounding its stack pointer down to the slot
 * size, so slots are aligned to it. The area is a memfd mapped MAP_SHARED
 * both in the stub and in the sentry. */
#define SYSTRAP_SLOT_SIZE 0x10000UL
#define SYSTRAP_SLOTS 4096UL
#define SYSTRAP_AREA_SIZE (SYSTRAP_SLOT_SIZE * SYSTRAP_SLOTS)
#define SYSTRAP_AREA PROGRAM_ADDR_LIMIT
#define SYSTRAP_STACK_OFFSET 0x1000UL /* the signal stack: the rest of the slot */

/* The systrap stub code lies in the second half of the stub page. */
#define SYSTRAP_CODE_OFFSET 0x800UL

/* Hand-off states (slot.state). The stub writes REPORTED, the sentry
 * RESUME, the stub RUNNING once it has taken the registers back. */
#define SYSTRAP_RUNNING 0
#define SYSTRAP_REPORTED 1
#define SYSTRAP_RESUME 2

/* slot.cmd when resumed: return into the program, or end the thread. */
#define SYSTRAP_CMD_RETURN 0
#define SYSTRAP_CMD_EXIT 1
#define SYSTRAP_CMD_SYSCALL 2 /* make sys_nr(sys_args) here, report again */

/* The syscall number of a new thread's first trap (its entry code). */
#define SYSTRAP_ENTRY_NR 0xfff

/* Offsets in struct systrap_slot, for the asm. */
#define SLOT_STATE 0
#define SLOT_SLEEPING 4
#define SLOT_CMD 8
#define SLOT_FS_DIRTY 12
#define SLOT_FS_BASE 16
#define SLOT_SIG 24
#define SLOT_FPSTATE 32
#define SLOT_UCONTEXT 40
#define SLOT_EVFD 48
#define SLOT_ONE 56
#define SLOT_GREGS 64	   /* 23 words: the kernel's sigcontext order */
#define SLOT_GS_BASE 248
#define SLOT_SIGINFO 256   /* 128 bytes */
#define SLOT_SYS_NR 416
#define SLOT_SYS_ARGS 424
#define SLOT_SYS_RET 472
#define SLOT_SPIN 480
#define SLOT_FILTER 512	   /* the program threads' filter, for its injected load */
#define SLOT_FILTER_MAX 48 /* instructions */

#define SYSTRAP_NGREGS 23

struct systrap_slot {
	volatile uint32_t state;    /* SYSTRAP_* */
	volatile uint32_t sleeping; /* the stub waits in FUTEX_WAIT on state */
	uint32_t cmd;		    /* SYSTRAP_CMD_* */
	uint32_t fs_dirty;	    /* set fs_base (bit 0), gs_base (bit 1) before returning */
	uint64_t fs_base;
	uint64_t sig;	    /* the signal the stub reported */
	uint64_t fpstate;   /* the frame's FPU state (stub address) */
	uint64_t ucontext;  /* the frame's ucontext (stub address) */
	uint64_t evfd;	    /* the sentry's eventfd, written after a report */
	uint64_t one;	    /* 1: what is written to it */
	uint64_t gregs[SYSTRAP_NGREGS];
	uint64_t gs_base;
	uint8_t siginfo[128];
	uint8_t altstack_desc[32]; /* the stack_t of the injected sigaltstack */
	uint64_t sys_nr;	   /* SYSTRAP_CMD_SYSCALL: the call, its arguments */
	uint64_t sys_args[6];
	uint64_t sys_ret; /* ...and its result */
	uint32_t spin;	  /* the handler's spins before it sleeps in FUTEX_WAIT */
	uint8_t pad1[28];
	struct sock_filter filter[SLOT_FILTER_MAX];
	struct sock_fprog fprog;
};

/* The stub code (stub-code.c): copied to STUB_ADDR + SYSTRAP_CODE_OFFSET. */
extern const char msentry_systrap_start[], msentry_systrap_handler[],
    msentry_systrap_restorer[], msentry_systrap_site[], msentry_systrap_entry[],
    msentry_systrap_end[];
#define SYSTRAP_ADDR(sym) (STUB_ADDR + SYSTRAP_CODE_OFFSET + (uint64_t)((sym) - msentry_systrap_start))

/* Signals whose handler is the systrap handler in every stub. */
extern const int systrap_signals[];
extern const unsigned systrap_signals_count;

/* The program threads' seccomp filter (stacked on the stub's own): a
 * syscall made at the stub's one syscall site is allowed if it is one of
 * the few the handler makes; every other syscall traps. Returns the number
 * of instructions written (at most SLOT_FILTER_MAX). */
unsigned systrap_build_filter(struct sock_filter *out, int evfd);

/* One stub process of the systrap platform. */
struct systrap_space {
	struct platform *p;
	struct stub_thread *control; /* traced, parked; makes the typed calls */
	int pidfd;		     /* the stub process: killed and reaped by it */
	char *area;		     /* the sentry's mapping of the slots */
	unsigned nthreads;	     /* program threads whose handles exist */
	uint64_t used[SYSTRAP_SLOTS / 64];
	pid_t last_tid[SYSTRAP_SLOTS]; /* the host thread a slot last served */
};

/* Kill the stub process and reap it (once; safe after it was reaped). */
void systrap_space_kill(struct systrap_space *sp);
/* End a stub process (if alive) and free its space. */
void systrap_space_free(struct systrap_space *sp);

/* In the factory, before its filter: the handlers. 0 or -errno. */
int systrap_install_handlers(void);

#endif
