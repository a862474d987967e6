/* Signals, emulated by the sentry.
 *
 * Host signals never reach the program: the stub's signal stops are caught
 * by ptrace and discarded. Signals between sandboxed tasks, from msentry's
 * own host signals, and from faults are queued here (per thread or per
 * process, standard signals one slot each) and delivered when the target
 * task is stopped in the sentry, just before it runs again:
 *   - default actions (terminate, core, stop, continue, ignore) act on the
 *     process;
 *   - a handler gets a frame built like Linux's x86-64 rt_sigframe: return
 *     address (sa_restorer), ucontext (registers, mask, alternate stack,
 *     pointer to the full XSAVE area) and siginfo, below the red zone or on
 *     the alternate stack; rt_sigreturn restores from it.
 * A running target is kicked (task_kick) so it stops and gets the signal; a
 * blocked one is woken with t->call.interrupted, so its syscall ends with EINTR
 * or restarts (SA_RESTART).
 */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#include "sentry/kernel/kernel.h"

#define SIGRTMIN_K   32 /* the kernel's first real-time signal (glibc reserves 32, 33) */
#define STOP_SIGNALS (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define SYNC_SIGNALS                                                                               \
	(SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGFPE) | SIGBIT(SIGTRAP))

/* The kernel's x86-64 signal frame (arch/x86/include/uapi/asm/sigcontext.h). */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2, fpstate;
	uint64_t reserved1[8];
};

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	stack_t uc_stack;
	struct k_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct k_rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	siginfo_t info;
};

#define UC_FP_XSTATE	     0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4
#define FP_XSTATE_MAGIC2     0x46505845U
#define SA_RESTORER_FLAG     0x04000000
/* EFLAGS bits a signal handler may change (the kernel's FIX_EFLAGS). */
#define FIX_EFLAGS 0x40dd5UL

enum sig_default { SD_TERM, SD_CORE, SD_IGN, SD_STOP, SD_CONT };

static enum sig_default default_action(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
		return SD_IGN;
	case SIGCONT:
		return SD_CONT;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return SD_STOP;
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return SD_CORE;
	default:
		return SD_TERM;
	}
}

/* Linux reports "core dumped" only when it wrote a core, which needs a
 * non-zero RLIMIT_CORE. msentry writes no core file; it reports the flag
 * as Linux would have, so wait statuses match native runs. */
static int core_flag(const struct process *p)
{
	return p->rlim[RLIMIT_CORE].rlim_cur != 0 ? 0x80 : 0;
}

static struct sigaction_k *action_of(struct process *p, int sig)
{
	return &p->sighand->act[sig - 1];
}

bool signal_deliverable(const struct task *t)
{
	return ((t->pending.set | t->proc->pending.set) & ~t->sigmask) != 0;
}

bool signal_is_ignored(struct process *p, int sig)
{
	uint64_t h = action_of(p, sig)->handler;
	return h == (uint64_t)SIG_IGN || (h == (uint64_t)SIG_DFL && default_action(sig) == SD_IGN);
}

/* Real-time signals queued beyond the first instance, per pending set: a
 * program that floods itself gets them dropped, as Linux refuses past
 * RLIMIT_SIGPENDING. */
#define RT_QUEUE_MAX 4096

static void queue(struct sigpending *q, int sig, const siginfo_t *info)
{
	siginfo_t si;
	if (info) {
		si = *info;
	} else {
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = SI_KERNEL;
	}
	if (!(q->set & SIGBIT(sig))) {
		q->set |= SIGBIT(sig);
		q->info[sig - 1] = si;
		return;
	}
	if (sig < SIGRTMIN_K || q->rt_count >= RT_QUEUE_MAX)
		return; /* standard signals do not queue */
	struct sigqueued **tail = &q->rt_more;
	while (*tail)
		tail = &(*tail)->next;
	*tail = xcalloc(1, sizeof(**tail));
	(*tail)->info = si;
	q->rt_count++;
}

/* Take the pending instance of `sig` from q (it must be pending); the next
 * queued one, if any, takes its place. */
static void take(struct sigpending *q, int sig, siginfo_t *out)
{
	*out = q->info[sig - 1];
	for (struct sigqueued **p = &q->rt_more; *p; p = &(*p)->next) {
		if ((*p)->info.si_signo != sig)
			continue;
		struct sigqueued *next = *p;
		q->info[sig - 1] = next->info;
		*p = next->next;
		free(next);
		q->rt_count--;
		return;
	}
	q->set &= ~SIGBIT(sig);
}

void sigpending_release(struct sigpending *q)
{
	while (q->rt_more) {
		struct sigqueued *next = q->rt_more->next;
		free(q->rt_more);
		q->rt_more = next;
	}
	q->rt_count = 0;
}

/* Make `t` notice a signal it does not block. */
static void notify(struct task *t, int sig)
{
	if (t->state == TASK_BLOCKED && t->block.kind == BLOCK_SIGNAL &&
	    (t->block.sigwait_set & SIGBIT(sig))) {
		task_make_ready(t); /* sigtimedwait: it takes the signal itself */
		return;
	}
	if (t->sigmask & SIGBIT(sig))
		return;
	if (t->state == TASK_BLOCKED) {
		if (t->block.kind == BLOCK_VFORK || t->block.kind == BLOCK_STOPPED)
			return; /* only SIGKILL (and SIGCONT) end these waits */
		t->call.interrupted = true;
		task_make_ready(t);
	} else if (t->state == TASK_RUNNING && !t->in_syscall) {
		task_kick(t);
	}
}

/* Side effects at send time, as Linux's prepare_signal(): SIGCONT resumes
 * and discards pending stops; a stop signal discards pending SIGCONT. */
static bool prepare(struct process *p, int sig)
{
	if (p->exiting || p->zombie)
		return false;
	if (sig == SIGCONT) {
		p->pending.set &= ~STOP_SIGNALS;
	} else if (SIGBIT(sig) & STOP_SIGNALS) {
		p->pending.set &= ~SIGBIT(SIGCONT);
	}
	return true;
}

static struct task *first_task_of(struct sentry *s, struct process *p)
{
	/* The main thread, by hash; a walk only once it has exited. */
	struct task *main_thread = task_by_tid(s, p->pid);
	if (main_thread && main_thread->proc == p)
		return main_thread;
	for (struct task *t = s->tasks; t; t = t->next)
		if (t->proc == p)
			return t;
	return NULL;
}

/* SIGCONT: the stopped process runs again, and its parent may hear of it. */
static void wake_stopped(struct sentry *s, struct process *p)
{
	if (!p->stopped)
		return;
	p->stopped = false;
	p->stop_report = 0xffff; /* WIFCONTINUED */
	task_wake_all(s, BLOCK_CHILD, 1 << 30);
	/* Paused (kernel_freeze): they go on at thaw (signal_thaw_continued). */
	if (s->frozen)
		return;
	signal_thaw_continued(s, p);
}

void signal_thaw_continued(struct sentry *s, struct process *p)
{
	for (struct task *t = s->tasks; t; t = t->next) {
		if ((p ? t->proc != p : t->proc->stopped) || t->state != TASK_BLOCKED ||
		    t->block.kind != BLOCK_STOPPED)
			continue;
		t->state = TASK_RUNNING;
		t->block.kind = BLOCK_NONE;
		if (t->pending_result_set)
			platform_resume(t->th, true, t->pending_result);
		else
			platform_resume(t->th, false, 0);
	}
}

void signal_send_process(struct process *p, int sig, const siginfo_t *info)
{
	if (!prepare(p, sig))
		return;
	struct sentry *s = p->s;
	if (sig == SIGKILL) {
		struct task *t = first_task_of(s, p);
		if (t)
			task_exit_group(t, SIGKILL);
		return;
	}
	if (sig == SIGCONT)
		wake_stopped(s, p);
	if (signal_is_ignored(p, sig)) {
		bool all_block = true;
		for (struct task *t = s->tasks; t; t = t->next)
			if (t->proc == p && !(t->sigmask & SIGBIT(sig)))
				all_block = false;
		if (!all_block)
			return; /* discarded, as Linux does for ignored signals */
	}
	queue(&p->pending, sig, info);
	signalfd_notify(s, sig);
	for (struct task *t = s->tasks; t; t = t->next) {
		if (t->proc == p && t->state == TASK_BLOCKED && t->block.kind == BLOCK_SIGNAL &&
		    (t->block.sigwait_set & SIGBIT(sig))) {
			notify(t, sig);
			return;
		}
	}
	/* As Linux (complete_signal): the main thread takes it if it does not
	 * block it; handlers of some runtimes (Python's) only run there, and a
	 * blocking call of the main thread must be interrupted. */
	struct task *main_thread = task_by_tid(s, p->pid);
	if (main_thread && main_thread->proc == p && !(main_thread->sigmask & SIGBIT(sig))) {
		notify(main_thread, sig);
		return;
	}
	for (struct task *t = s->tasks; t; t = t->next) {
		if (t->proc == p && !(t->sigmask & SIGBIT(sig))) {
			notify(t, sig);
			return;
		}
	}
}

void signal_send_task(struct task *t, int sig, const siginfo_t *info)
{
	struct process *p = t->proc;
	if (!prepare(p, sig))
		return;
	if (sig == SIGKILL) {
		task_exit_group(t, SIGKILL);
		return;
	}
	if (sig == SIGCONT)
		wake_stopped(t->s, p);
	if (signal_is_ignored(p, sig) && !(t->sigmask & SIGBIT(sig)))
		return;
	queue(&t->pending, sig, info);
	signalfd_notify(t->s, sig);
	notify(t, sig);
}

/* Take the next deliverable signal: synchronous faults first, then the
 * lowest number, thread-directed before process-directed. */
static int dequeue(struct task *t, siginfo_t *info)
{
	uint64_t mine = t->pending.set & ~t->sigmask, shared = t->proc->pending.set & ~t->sigmask;
	uint64_t all = mine | shared;
	if (!all)
		return 0;
	uint64_t pick = (all & SYNC_SIGNALS) ? (all & SYNC_SIGNALS) : all;
	int sig = __builtin_ctzll(pick) + 1;
	struct sigpending *q = (mine & SIGBIT(sig)) ? &t->pending : &t->proc->pending;
	take(q, sig, info);
	ptimer_dequeued(t->proc, info);
	return sig;
}

int signal_dequeue_set(struct task *t, uint64_t set, siginfo_t *info)
{
	uint64_t ready = (t->pending.set | t->proc->pending.set) & set;
	if (!ready)
		return 0;
	int sig = __builtin_ctzll(ready) + 1;
	struct sigpending *q = (t->pending.set & SIGBIT(sig)) ? &t->pending : &t->proc->pending;
	take(q, sig, info);
	ptimer_dequeued(t->proc, info);
	return sig;
}

static bool on_altstack(const struct task *t, uint64_t sp)
{
	const stack_t *ss = &t->altstack;
	return !(ss->ss_flags & SS_DISABLE) && sp > (uint64_t)ss->ss_sp &&
	       sp <= (uint64_t)ss->ss_sp + ss->ss_size;
}

static void regs_to_sigcontext(const struct user_regs_struct *r, struct k_sigcontext *c)
{
	*c = (struct k_sigcontext){
	    .r8 = r->r8,
	    .r9 = r->r9,
	    .r10 = r->r10,
	    .r11 = r->r11,
	    .r12 = r->r12,
	    .r13 = r->r13,
	    .r14 = r->r14,
	    .r15 = r->r15,
	    .rdi = r->rdi,
	    .rsi = r->rsi,
	    .rbp = r->rbp,
	    .rbx = r->rbx,
	    .rdx = r->rdx,
	    .rax = r->rax,
	    .rcx = r->rcx,
	    .rsp = r->rsp,
	    .rip = r->rip,
	    .eflags = r->eflags,
	    .cs = (uint16_t)r->cs,
	    .ss = (uint16_t)r->ss,
	};
}

/* Build the frame and point the registers `r` at the handler. 0 or -EFAULT. */
static int build_frame(struct task *t, struct user_regs_struct *r, int sig, const siginfo_t *info,
		       const struct sigaction_k *act)
{
	struct sentry *s = t->s;
	uint64_t sp = r->rsp - 128; /* the red zone stays untouched */
	bool onstack = on_altstack(t, r->rsp);
	if ((act->flags & SA_ONSTACK) && !(t->altstack.ss_flags & SS_DISABLE) && !onstack) {
		sp = (uint64_t)t->altstack.ss_sp + t->altstack.ss_size;
		onstack = true;
	}
	cleanup_free uint8_t *xstate = xcalloc(1, s->xstate_size + 4);
	long xlen = platform_get_fpstate(t->th, xstate, s->xstate_size);
	if (xlen < 0)
		xlen = 0;
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	memcpy(xstate + xlen, &magic2, sizeof(magic2));
	sp = (sp - (uint64_t)xlen - 4) & ~63UL;
	uint64_t fpstate = sp;
	sp = ((sp - sizeof(struct k_rt_sigframe)) & ~15UL) - 8;

	struct k_rt_sigframe frame;
	memset(&frame, 0, sizeof(frame));
	frame.pretcode = act->restorer;
	frame.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	frame.uc.uc_stack = t->altstack;
	if (onstack)
		frame.uc.uc_stack.ss_flags = SS_ONSTACK;
	regs_to_sigcontext(r, &frame.uc.uc_mcontext);
	frame.uc.uc_mcontext.fpstate = xlen ? fpstate : 0;
	frame.uc.uc_mcontext.cr2 = t->fault_addr;
	frame.uc.uc_mcontext.trapno = sig == SIGSEGV ? 14 : 0;
	uint64_t saved_mask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
	frame.uc.uc_mcontext.oldmask = saved_mask;
	frame.uc.uc_sigmask = saved_mask;
	frame.info = *info;
	if ((xlen && task_write(t, fpstate, xstate, (size_t)xlen + 4) != 0) ||
	    task_write(t, sp, &frame, sizeof(frame)) != 0)
		return -EFAULT;

	r->rip = act->handler;
	r->rsp = sp;
	r->rdi = (uint64_t)sig;
	r->rsi = sp + offsetof(struct k_rt_sigframe, info);
	r->rdx = sp + offsetof(struct k_rt_sigframe, uc);
	r->rax = 0;
	r->orig_rax = (uint64_t)-1;
	r->eflags &= ~(0x400UL | 0x100UL | 0x10000UL); /* DF, TF, RF */
	return 0;
}

static void job_stop(struct task *t, int sig)
{
	struct process *p = t->proc;
	p->stopped = true;
	p->stop_report = (sig << 8) | 0x7f; /* WIFSTOPPED */
	if (p->parent && !(action_of(p->parent, SIGCHLD)->flags & SA_NOCLDSTOP)) {
		siginfo_t si = {.si_signo = SIGCHLD, .si_code = CLD_STOPPED};
		si.si_pid = p->pid;
		si.si_status = sig;
		signal_send_process(p->parent, SIGCHLD, &si);
	}
	task_wake_all(t->s, BLOCK_CHILD, 1 << 30);
	/* Threads running program code stop at their next stop in the sentry:
	 * make that now, so a busy loop stops too. */
	for (struct task *u = t->s->tasks; u; u = u->next)
		if (u->proc == p && u != t)
			task_kick(u);
}

/* Apply the restart rules to an interrupted syscall before a handler runs
 * (to the registers `r`). */
static void settle_syscall(struct task *t, struct user_regs_struct *r, long *ret,
			   const struct sigaction_k *act)
{
	if (*ret == SYSRET_RESTARTSYS) {
		if (act && !(act->flags & SA_RESTART)) {
			*ret = -EINTR;
		} else {
			/* Re-execute the syscall instruction after the handler. */
			r->rip -= 2;
			r->rax = t->sc.nr;
			return;
		}
	}
	r->rax = (uint64_t)*ret;
}

/* Every pending signal the mask lets in is delivered before the task runs
 * again, as Linux does on its way back to user space: a handler's frame is
 * built on top of the one before (the last one built runs first), and each
 * handler's mask then applies to the signals after it. */
enum deliver_result signal_deliver_pending(struct task *t, bool in_syscall, long *ret)
{
	bool has_result = in_syscall && *ret != SYSRET_REGS;
	bool framed = false;
	for (;;) {
		siginfo_t info;
		int sig = dequeue(t, &info);
		if (sig == 0)
			break;
		KERNEL_OBSERVE(t->s, signal, t, &info);
		struct sigaction_k *act = action_of(t->proc, sig);
		if (act->handler == (uint64_t)SIG_IGN)
			continue;
		if (act->handler == (uint64_t)SIG_DFL) {
			switch (default_action(sig)) {
			case SD_IGN:
			case SD_CONT:
				continue;
			case SD_STOP:
				job_stop(t, sig);
				continue;
			case SD_CORE:
				task_exit_group(t, sig | core_flag(t->proc));
				return DELIVER_GONE;
			case SD_TERM:
			default:
				task_exit_group(t, sig);
				return DELIVER_GONE;
			}
		}
		struct user_regs_struct regs;
		if (platform_get_regs(t->th, &regs) != 0) {
			task_exit_group(t, SIGKILL);
			return DELIVER_GONE;
		}
		if (has_result)
			settle_syscall(t, &regs, ret, act);
		if (!(act->flags & SA_RESTORER_FLAG) ||
		    build_frame(t, &regs, sig, &info, act) != 0) {
			/* No way to run the handler: Linux forces SIGSEGV. */
			task_exit_group(t, SIGSEGV | core_flag(t->proc));
			return DELIVER_GONE;
		}
		platform_set_regs(t->th, &regs);
		t->sigmask |= act->mask;
		if (!(act->flags & SA_NODEFER))
			t->sigmask |= SIGBIT(sig);
		t->sigmask &= ~SIG_UNBLOCKABLE;
		if (act->flags & SA_RESETHAND)
			act->handler = (uint64_t)SIG_DFL;
		t->restore_sigmask = false;
		framed = true;
		has_result = false; /* settled into the first frame */
	}
	if (t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	if (framed || !has_result)
		return DELIVER_KEEP_REGS;
	if (*ret == SYSRET_RESTARTSYS) {
		/* Interrupted by a signal that needed no handler: restart. */
		struct user_regs_struct regs;
		if (platform_get_regs(t->th, &regs) != 0)
			return DELIVER_SET_RESULT;
		settle_syscall(t, &regs, ret, NULL);
		platform_set_regs(t->th, &regs);
		return DELIVER_KEEP_REGS;
	}
	return DELIVER_SET_RESULT;
}

void signal_raise_sigpipe(struct task *t)
{
	/* As Linux's send_sig(SIGPIPE, current): from the task itself. */
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGPIPE;
	si.si_code = SI_USER;
	si.si_pid = t->proc->pid;
	si.si_uid = t->proc->ruid;
	signal_send_task(t, SIGPIPE, &si);
}

void task_force_siginfo(struct task *t, const siginfo_t *si, bool to_default)
{
	int sig = si->si_signo;
	struct sigaction_k *act = action_of(t->proc, sig);
	/* A fault that is blocked or ignored cannot be handled: Linux resets
	 * it to the default action, which kills. */
	if (to_default || (t->sigmask & SIGBIT(sig)) || act->handler == (uint64_t)SIG_IGN) {
		act->handler = (uint64_t)SIG_DFL;
		t->sigmask &= ~SIGBIT(sig);
	}
	queue(&t->pending, sig, si);
}

void task_force_signal(struct task *t, int sig, int code, uint64_t addr)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_addr = (void *)addr;
	t->fault_addr = addr;
	task_force_siginfo(t, &si, false);
}

/* rt_sigreturn: restore the registers, mask and FPU state saved in the
 * frame build_frame() made. */
long signal_return(struct task *t)
{
	struct user_regs_struct regs, *r = &regs;
	int rc = platform_get_regs(t->th, &regs);
	if (rc != 0)
		return rc;
	struct k_rt_sigframe frame;
	if (task_read(t, r->rsp - 8, &frame, sizeof(frame)) != 0) {
		task_force_signal(t, SIGSEGV, SI_KERNEL, 0);
		return SYSRET_REGS;
	}
	const struct k_sigcontext *c = &frame.uc.uc_mcontext;
	r->r8 = c->r8, r->r9 = c->r9, r->r10 = c->r10, r->r11 = c->r11;
	r->r12 = c->r12, r->r13 = c->r13, r->r14 = c->r14, r->r15 = c->r15;
	r->rdi = c->rdi, r->rsi = c->rsi, r->rbp = c->rbp, r->rbx = c->rbx;
	r->rdx = c->rdx, r->rax = c->rax, r->rcx = c->rcx, r->rsp = c->rsp, r->rip = c->rip;
	r->eflags = (r->eflags & ~FIX_EFLAGS) | (c->eflags & FIX_EFLAGS);
	r->orig_rax = (uint64_t)-1;
	platform_set_regs(t->th, &regs);
	t->sigmask = frame.uc.uc_sigmask & ~SIG_UNBLOCKABLE;
	if (c->fpstate) {
		cleanup_free uint8_t *xstate = xmalloc(t->s->xstate_size);
		if (task_read(t, c->fpstate, xstate, t->s->xstate_size) == 0)
			platform_set_fpstate(t->th, xstate, t->s->xstate_size);
	}
	/* The alternate stack setting is left as it is (sigaltstack owns it). */
	return SYSRET_REGS;
}

void signal_reset_on_exec(struct process *p)
{
	if (p->sighand->refs > 1) {
		struct sighand *copy = xcalloc(1, sizeof(*copy));
		*copy = *p->sighand;
		copy->refs = 1;
		p->sighand->refs--;
		p->sighand = copy;
	}
	for (int i = 0; i < 64; i++) {
		struct sigaction_k *a = &p->sighand->act[i];
		if (a->handler != (uint64_t)SIG_IGN)
			*a = (struct sigaction_k){0};
	}
}

/* Linux's check_kill_permission in the sandbox's credentials: a sender
 * with CAP_KILL (effective root that kept its capabilities), one whose
 * real or effective uid is the target's real or saved uid, or SIGCONT
 * within the session. */
static bool may_kill(const struct process *from, const struct process *to, int sig)
{
	if (from == to || caps_has(from, CAP_KILL))
		return true;
	if (from->euid == to->suid || from->euid == to->ruid || from->ruid == to->suid ||
	    from->ruid == to->ruid)
		return true;
	return sig == SIGCONT && from->sid == to->sid;
}

bool signal_may_kill(const struct process *from, const struct process *to, int sig)
{
	return may_kill(from, to, sig);
}

bool signal_queue_full(const struct task *u, int sig, int code)
{
	rlim_t limit = u->proc->rlim[RLIMIT_SIGPENDING].rlim_cur;
	if (sig < SIGRTMIN_K || code == SI_USER || limit == RLIM_INFINITY)
		return false;
	uint64_t n = (uint64_t)__builtin_popcountll(u->pending.set) + u->pending.rt_count +
		     (uint64_t)__builtin_popcountll(u->proc->pending.set) +
		     u->proc->pending.rt_count;
	return n >= limit;
}

/* What a signal sent by t's kill/tkill says of its sender. */
static siginfo_t sender_info(const struct task *t, int sig, int code)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = t->proc->pid;
	si.si_uid = getuid();
	return si;
}

/* The caller's own group may be among the targets: a SIGKILL then ends it
 * and frees t (and other tasks of the list) at once. So the targets are
 * picked first, by pid, and looked up again as each is sent to; the caller
 * learns it is gone from its tid (SYSRET_NORETURN). */
long signal_kill(struct task *t, pid_t pid, int sig)
{
	siginfo_t si = sender_info(t, sig, SI_USER);
	struct sentry *s = t->s;
	pid_t caller = t->tid;
	if (pid > 0) {
		/* A thread's id names its process, as in Linux. */
		struct process *p = process_by_pid(s, pid);
		struct task *u = p ? NULL : task_by_tid(s, pid);
		if (u)
			p = u->proc;
		if (!p)
			return -ESRCH;
		if (!may_kill(t->proc, p, sig))
			return -EPERM;
		if (sig && !p->zombie)
			signal_send_process(p, sig, &si);
		return task_by_tid(s, caller) ? 0 : SYSRET_NORETURN;
	}
	/* Process groups (0: the caller's) and -1 (everyone but init and self). */
	pid_t pgid = pid == 0 ? t->proc->pgid : -pid;
	int denied = 0;
	size_t n = 0, cap = 0;
	cleanup_free pid_t *pids = NULL;
	for (struct task *u = s->tasks; u; u = u->next) {
		struct process *p = u->proc;
		if (first_task_of(s, p) != u || p->zombie)
			continue;
		/* -1 reaches the caller too, last (as before this list). */
		bool match = pid == -1 ? p != s->init : p->pgid == pgid;
		if (!match)
			continue;
		if (!may_kill(t->proc, p, sig)) {
			denied++;
			continue;
		}
		if (n == cap)
			pids = xrealloc(pids, (cap = cap * 2 + 4) * sizeof(*pids));
		pids[n++] = p->pid;
	}
	for (size_t i = 0; pid == -1 && i + 1 < n; i++)
		if (pids[i] == t->proc->pid) { /* move the caller to the end */
			pids[i] = pids[n - 1];
			pids[n - 1] = t->proc->pid;
		}
	for (size_t i = 0; i < n && sig; i++) {
		struct process *p = process_by_pid(s, pids[i]);
		if (p && !p->zombie)
			signal_send_process(p, sig, &si);
	}
	if (!task_by_tid(s, caller))
		return SYSRET_NORETURN;
	if (n || pid == -1)
		return 0;
	return denied ? -EPERM : -ESRCH;
}

long signal_tkill(struct task *t, pid_t tgid, pid_t tid, int sig)
{
	if (sig < 0 || sig > 64 || tid <= 0)
		return -EINVAL;
	struct task *u = task_by_tid(t->s, tid);
	if (!u || (tgid > 0 && u->proc->pid != tgid))
		return -ESRCH;
	if (!may_kill(t->proc, u->proc, sig))
		return -EPERM;
	if (sig == 0)
		return 0;
	if (signal_queue_full(u, sig, SI_TKILL))
		return -EAGAIN;
	siginfo_t si = sender_info(t, sig, SI_TKILL);
	struct sentry *s = t->s;
	pid_t caller = t->tid;
	signal_send_task(u, sig, &si);
	/* A SIGKILL of the caller's own process ends it (and frees t). */
	return task_by_tid(s, caller) ? 0 : SYSRET_NORETURN;
}
