/* seccomp-filter: the program's own seccomp filters (not the stub's, which
 * platform/ installs on the host).
 *
 * Two layers. The pure one (seccomp-bpf.c) checks a classic BPF program the
 * way Linux accepts a seccomp filter and runs it over a struct seccomp_data.
 * The other (seccomp-filter.c) keeps each task's chain of filters, installs
 * them (seccomp(2), prctl(PR_SET_SECCOMP)) and enforces their verdict
 * before a syscall's handler runs (syscalls/dispatch.c).
 */
#ifndef MSENTRY_SENTRY_KERNEL_SECCOMP_FILTER_H
#define MSENTRY_SENTRY_KERNEL_SECCOMP_FILTER_H

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the pure part (seccomp-bpf.c) ---- */

/* Linux's limits: one program (BPF_MAXINSNS), and every program of a
 * chain together, each counted with 4 more (MAX_INSNS_PER_PATH). */
#define SECCOMP_PROG_MAX       4096
#define SECCOMP_PATH_MAX_INSNS 32768

/* 0 if `prog` is a filter Linux would accept (bpf_check_classic then
 * seccomp_check_filter), else -EINVAL. */
int seccomp_bpf_check(const struct sock_filter *prog, size_t len);
/* Run a checked program over `data`: the filter's return value. */
uint32_t seccomp_bpf_run(const struct sock_filter *prog, size_t len,
			 const struct seccomp_data *data);
/* Whether action `a` takes precedence over `b` when filters stack: the
 * action part (SECCOMP_RET_ACTION_FULL) compared as a signed number, so
 * KILL_PROCESS < KILL_THREAD < TRAP < ERRNO < USER_NOTIF < TRACE < LOG
 * < ALLOW, the smaller winning. */
bool seccomp_action_wins(uint32_t a, uint32_t b);

/* ---- filter chains (seccomp-filter.c) ---- */
struct task;

/* One installed filter, shared (refs) by every task whose chain holds it:
 * a child's chain continues its parent's. `strict` marks strict mode, a
 * chain of that one node (the modes exclude each other). */
struct seccomp_filter {
	int refs;
	struct seccomp_filter *prev; /* the filter installed before, or NULL */
	bool strict;
	bool log; /* SECCOMP_FILTER_FLAG_LOG: only recorded */
	uint32_t len;
	struct sock_filter prog[];
};

/* The chain a new task starts with: the parent's, shared. */
struct seccomp_filter *seccomp_chain_get(struct seccomp_filter *f);
/* Drop a task's reference to its chain (it exits). */
void seccomp_chain_put(struct seccomp_filter *f);
/* SECCOMP_MODE_DISABLED, _STRICT or _FILTER. */
int seccomp_task_mode(const struct task *t);
/* SECCOMP_SET_MODE_STRICT. 0 or -errno. */
long seccomp_set_strict(struct task *t);
/* SECCOMP_SET_MODE_FILTER with `flags` and the struct sock_fprog at
 * `uargs`: 0, -errno, or (TSYNC) the tid of a thread that cannot follow. */
long seccomp_set_filter(struct task *t, unsigned long flags, uint64_t uargs);

/* Enforcement: what seccomp_enforce() returns when the syscall may run. */
#define SECCOMP_RUN_SYSCALL (-(1L << 43))
/* Run t's chain over its syscall stop (t->sc): SECCOMP_RUN_SYSCALL, or the
 * syscall's result without running it (-errno, a SYSRET_* code). */
long seccomp_enforce(struct task *t);

#endif
