/* Signals: dispositions, masks, pending sets, waiting, queueing,
 * alternate stacks. Handlers only record; the main flow prints. */
#include <sys/mman.h>
#include <sys/wait.h>

#include "sigutil.h"

static void plain_handler(int sig)
{
	handled[sig]++;
}

SYSCALL_TEST(rt_sigaction)
{
	set_mask(0);
	struct ksigaction old = {0};
	SHOW(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8));
	say("initial: %s", old.handler == SIG_DFL ? "SIG_DFL" : "other");
	/* libc's sigaction adds its restorer; read it back raw. */
	struct sigaction sa = {.sa_handler = plain_handler};
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	SHOW(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8));
	say("handler ours %d, flags SA_RESTORER %d, restorer set %d, mask %s",
	    old.handler == (void *)plain_handler, old.flags == SA_RESTORER, old.restorer != NULL,
	    mask_text(old.mask));
	void *restorer = old.restorer;
	kill(getpid(), SIGUSR1);
	say("delivered: %d", handled[SIGUSR1]);
	/* SA_RESETHAND: one delivery, then the default action again. */
	struct ksigaction once = {(void *)plain_handler, SA_RESTORER | SA_RESETHAND, restorer, 0};
	struct ksigaction prev = {0};
	SHOW(syscall(SYS_rt_sigaction, SIGUSR2, &once, &prev, 8));
	say("previous: %s", prev.handler == SIG_DFL ? "SIG_DFL" : "other");
	kill(getpid(), SIGUSR2);
	SHOW(syscall(SYS_rt_sigaction, SIGUSR2, NULL, &prev, 8));
	say("after one delivery (%d): %s", handled[SIGUSR2],
	    prev.handler == SIG_DFL ? "SIG_DFL" : "other");
	/* SIG_IGN: sending has no effect. */
	struct ksigaction ign = {SIG_IGN, SA_RESTORER, restorer, 0};
	SHOW(syscall(SYS_rt_sigaction, SIGTERM, &ign, NULL, 8));
	SHOW(kill(getpid(), SIGTERM));
	say("still here after an ignored SIGTERM");
	/* SIGKILL and SIGSTOP can be read but not changed. */
	SHOW(syscall(SYS_rt_sigaction, SIGKILL, NULL, &old, 8));
	SHOW(syscall(SYS_rt_sigaction, SIGKILL, &ign, NULL, 8));
	SHOW(syscall(SYS_rt_sigaction, SIGSTOP, &ign, NULL, 8));
	SHOW(syscall(SYS_rt_sigaction, 0, NULL, &old, 8));
	SHOW(syscall(SYS_rt_sigaction, 65, NULL, &old, 8));
	SHOW(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4));
	SHOW(syscall(SYS_rt_sigaction, SIGUSR1, BADPTR, NULL, 8));
	SHOW(syscall(SYS_rt_sigaction, SIGUSR1, NULL, BADPTR, 8));
	/* A child inherits handlers; exec would reset them (see execve). */
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8);
		say("child: handler inherited %d", old.handler == (void *)plain_handler);
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(rt_sigprocmask)
{
	set_mask(0);
	catch_signal(SIGUSR1, 0);
	uint64_t set = BIT(SIGUSR1), old = 99;
	SHOW(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8));
	say("old %s", mask_text(old));
	say("now %s", mask_text(get_mask()));
	kill(getpid(), SIGUSR1);
	say("blocked: delivered %d", handled[SIGUSR1]);
	SHOW(syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8));
	say("unblocked: delivered %d", handled[SIGUSR1]);
	uint64_t all = ~0ULL;
	SHOW(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8));
	uint64_t m = get_mask();
	say("all blocked but SIGKILL and SIGSTOP: %d",
	    m == (~0ULL & ~BIT(SIGKILL) & ~BIT(SIGSTOP)));
	set = BIT(SIGUSR2) | BIT(SIGKILL);
	SHOW(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8));
	say("now %s", mask_text(get_mask()));
	SHOW(syscall(SYS_rt_sigprocmask, 99, &set, NULL, 8));
	SHOW(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4));
	SHOW(syscall(SYS_rt_sigprocmask, SIG_BLOCK, BADPTR, NULL, 8));
	SHOW(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, BADPTR, 8));
	say("mask unchanged by the failures: %s", mask_text(get_mask()));
	/* The mask is per thread: a new thread starts with its creator's. */
	pid_t k = probe_fork();
	if (k == 0) {
		say("child: mask %s", mask_text(get_mask()));
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(rt_sigpending)
{
	set_mask(BIT(SIGUSR2) | BIT(SIGINT));
	uint64_t p = 99;
	SHOW(syscall(SYS_rt_sigpending, &p, 8));
	say("pending: %s", mask_text(p));
	kill(getpid(), SIGUSR2);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGINT);
	SHOW(syscall(SYS_rt_sigpending, &p, 8));
	say("pending: %s", mask_text(p));
	/* A blocked signal stays pending even when ignored. */
	signal(SIGUSR1, SIG_IGN);
	set_mask(BIT(SIGUSR2) | BIT(SIGINT) | BIT(SIGUSR1));
	kill(getpid(), SIGUSR1);
	SHOW(syscall(SYS_rt_sigpending, &p, 8));
	say("pending: %s", mask_text(p));
	uint32_t half = 0;
	SHOW(syscall(SYS_rt_sigpending, &half, 4));
	say("first 32 bits: %s", mask_text(half));
	SHOW(syscall(SYS_rt_sigpending, &p, 16));
	SHOW(syscall(SYS_rt_sigpending, BADPTR, 8));
	/* Pending signals are not inherited by a child. */
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_rt_sigpending, &p, 8);
		say("child: pending %s", mask_text(p));
		_exit(0);
	}
	probe_wait("child", k);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	set_mask(0);
	SHOW(syscall(SYS_rt_sigpending, &p, 8));
	say("after unblocking ignored signals: %s", mask_text(p));
}

static void print_info(const char *label, long r, const siginfo_t *si, pid_t from)
{
	const char *code = si->si_code == SI_USER    ? "SI_USER"
			   : si->si_code == SI_QUEUE ? "SI_QUEUE"
			   : si->si_code == SI_TKILL ? "SI_TKILL"
			   : si->si_code == SI_TIMER ? "SI_TIMER"
						     : "other";
	say("%s: returned %s, signo %s, code %s, pid is the sender %d, uid %d", label,
	    r > 0 ? signame(r) : errname(errno), signame(si->si_signo), code, si->si_pid == from,
	    si->si_uid);
}

SYSCALL_TEST(rt_sigtimedwait)
{
	set_mask(BIT(SIGUSR1) | BIT(SIGUSR2));
	uint64_t want = BIT(SIGUSR1) | BIT(SIGUSR2);
	siginfo_t si;
	kill(getpid(), SIGUSR1);
	memset(&si, 0, sizeof si);
	long r = syscall(SYS_rt_sigtimedwait, &want, &si, NULL, 8);
	print_info("pending SIGUSR1", r, &si, getpid());
	uint64_t p = 0;
	syscall(SYS_rt_sigpending, &p, 8);
	say("no longer pending: %s", mask_text(p));
	struct timespec zero = {0, 0}, twenty = {0, 20000000};
	SHOW(syscall(SYS_rt_sigtimedwait, &want, &si, &zero, 8));
	long long t0 = now_ns();
	SHOW(syscall(SYS_rt_sigtimedwait, &want, &si, &twenty, 8));
	say("waited at least 20ms: %d", now_ns() - t0 >= 20000000);
	/* From a child, while we wait. */
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(10000);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	memset(&si, 0, sizeof si);
	r = syscall(SYS_rt_sigtimedwait, &want, &si, NULL, 8);
	print_info("SIGUSR2 from a child", r, &si, k);
	probe_wait("child", k);
	/* Several pending: the lowest number first. */
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	r = syscall(SYS_rt_sigtimedwait, &want, NULL, NULL, 8);
	say("first: %s", signame(r));
	r = syscall(SYS_rt_sigtimedwait, &want, NULL, NULL, 8);
	say("second: %s", signame(r));
	struct timespec bad = {0, 1000000000};
	SHOW(syscall(SYS_rt_sigtimedwait, &want, &si, &bad, 8));
	SHOW(syscall(SYS_rt_sigtimedwait, &want, &si, &zero, 4));
	SHOW(syscall(SYS_rt_sigtimedwait, BADPTR, &si, &zero, 8));
	kill(getpid(), SIGUSR1);
	SHOW(syscall(SYS_rt_sigtimedwait, &want, BADPTR, &zero, 8));
}

SYSCALL_TEST(rt_sigqueueinfo)
{
	set_mask(BIT(SIGUSR1));
	siginfo_t info = {0};
	info.si_signo = SIGUSR1;
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = getuid();
	info.si_value.sival_int = 42;
	SHOW(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &info));
	uint64_t want = BIT(SIGUSR1);
	siginfo_t got = {0};
	long r = syscall(SYS_rt_sigtimedwait, &want, &got, NULL, 8);
	print_info("queued", r, &got, getpid());
	say("value %d", got.si_value.sival_int);
	/* Real-time signals queue; each keeps its value. */
	int rt = SIGRTMIN + 2;
	set_mask(BIT(SIGUSR1) | BIT(rt));
	info.si_signo = rt;
	for (int v = 1; v <= 3; v++) {
		info.si_value.sival_int = v;
		syscall(SYS_rt_sigqueueinfo, getpid(), rt, &info);
	}
	uint64_t rwant = BIT(rt);
	struct timespec tenth = {0, 100000000};
	for (int i = 0; i < 3; i++) {
		memset(&got, 0, sizeof got);
		r = syscall(SYS_rt_sigtimedwait, &rwant, &got, &tenth, 8);
		say("real-time %d: %s value %d", i, r > 0 ? "got" : errname(errno),
		    got.si_value.sival_int);
	}
	/* To another process: si_code must be negative. */
	/* The child says when its mask is set; the parent's results are
	 * printed after the child has spoken, so the order is the same in
	 * every run. */
	int ready[2];
	pipe(ready);
	pid_t k = probe_fork();
	if (k == 0) {
		set_mask(BIT(SIGUSR1));
		write(ready[1], "r", 1);
		siginfo_t cg = {0};
		struct timespec sec = {2, 0};
		long cr = syscall(SYS_rt_sigtimedwait, &want, &cg, &sec, 8);
		say("child: got %s value %d code %s", cr > 0 ? signame(cr) : errname(errno),
		    cg.si_value.sival_int, cg.si_code == SI_QUEUE ? "SI_QUEUE" : "other");
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1);
	info.si_signo = SIGUSR1;
	info.si_code = SI_USER;
	errno = 0;
	long r1 = syscall(SYS_rt_sigqueueinfo, k, SIGUSR1, &info);
	int e1 = errno;
	info.si_code = SI_QUEUE;
	info.si_value.sival_int = 7;
	errno = 0;
	long r2 = syscall(SYS_rt_sigqueueinfo, k, SIGUSR1, &info);
	int e2 = errno;
	probe_wait("child", k);
	probe_show("rt_sigqueueinfo(child, SIGUSR1, SI_USER)", r1, e1);
	probe_show("rt_sigqueueinfo(child, SIGUSR1, SI_QUEUE 7)", r2, e2);
	SHOW(syscall(SYS_rt_sigqueueinfo, NO_PID, SIGUSR1, &info));
	SHOW(syscall(SYS_rt_sigqueueinfo, getpid(), 65, &info));
	SHOW(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, BADPTR));
	/* A queued SIGKILL to the caller's own process: it just dies. */
	k = probe_fork();
	if (k == 0) {
		info.si_signo = SIGKILL;
		syscall(SYS_rt_sigqueueinfo, getpid(), SIGKILL, &info);
		_exit(1);
	}
	probe_wait_timeout("self-killed child", k, 3000);
}

/* The suspends run in children with a deadline, so that one that never
 * returns is reported rather than hanging the test. */
SYSCALL_TEST(rt_sigsuspend)
{
	catch_signal(SIGUSR1, 0);
	set_mask(BIT(SIGUSR1));
	uint64_t none = 0;
	/* A pending blocked signal that the suspend mask unblocks. */
	pid_t k = probe_fork();
	if (k == 0) {
		kill(getpid(), SIGUSR1);
		say("child: pending, not delivered: %d", handled[SIGUSR1]);
		SHOW(syscall(SYS_rt_sigsuspend, &none, 8));
		say("child: delivered during the suspend: %d, mask restored: %s", handled[SIGUSR1],
		    mask_text(get_mask()));
		_exit(0);
	}
	probe_wait_timeout("child with a pending signal", k, 2000);
	/* Woken by a signal sent while suspended. */
	k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_rt_sigsuspend, &none, 8));
		say("child: delivered: %d", handled[SIGUSR1]);
		_exit(0);
	}
	usleep(50000);
	kill(k, SIGUSR1);
	probe_wait_timeout("child signalled while suspended", k, 2000);
	/* A suspend mask that still blocks the signal: it stays pending. */
	k = probe_fork();
	if (k == 0) {
		uint64_t usr1 = BIT(SIGUSR1);
		SHOW(syscall(SYS_rt_sigsuspend, &usr1, 8));
		_exit(0);
	}
	usleep(50000);
	kill(k, SIGUSR1);
	usleep(50000);
	kill(k, SIGTERM);
	probe_wait_timeout("child suspended with SIGUSR1 blocked, then sent SIGTERM", k, 2000);
	SHOW(syscall(SYS_rt_sigsuspend, &none, 4));
	SHOW(syscall(SYS_rt_sigsuspend, BADPTR, 8));
}

static char *alt_base;
static volatile int on_alt, alt_flags, alt_change;

static void alt_handler(int sig)
{
	char local;
	handled[sig]++;
	on_alt = &local >= alt_base && &local < alt_base + 65536;
	stack_t cur;
	syscall(SYS_sigaltstack, NULL, &cur);
	alt_flags = cur.ss_flags;
	stack_t other = {.ss_sp = alt_base, .ss_size = 65536};
	alt_change = syscall(SYS_sigaltstack, &other, NULL) == 0 ? 0 : errno;
}

SYSCALL_TEST(sigaltstack)
{
	stack_t cur;
	SHOW(syscall(SYS_sigaltstack, NULL, &cur));
	say("initially disabled: %d", cur.ss_flags == SS_DISABLE);
	alt_base = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stack_t ss = {.ss_sp = alt_base, .ss_size = 65536};
	SHOW(syscall(SYS_sigaltstack, &ss, NULL));
	SHOW(syscall(SYS_sigaltstack, NULL, &cur));
	say("reads back: sp %d size %zu flags %d", cur.ss_sp == alt_base, cur.ss_size,
	    cur.ss_flags);
	struct sigaction sa = {.sa_handler = alt_handler, .sa_flags = SA_ONSTACK};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	say("handler on the alternate stack: %d, flags there SS_ONSTACK: %d, changing it there: %s",
	    on_alt, alt_flags == SS_ONSTACK, errname(alt_change));
	/* Without SA_ONSTACK the normal stack is used. */
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	say("without SA_ONSTACK: on the alternate stack %d", on_alt);
	stack_t small = {.ss_sp = alt_base, .ss_size = 1024};
	SHOW(syscall(SYS_sigaltstack, &small, NULL));
	stack_t badflags = {.ss_sp = alt_base, .ss_size = 65536, .ss_flags = 0x1234};
	SHOW(syscall(SYS_sigaltstack, &badflags, NULL));
	SHOW(syscall(SYS_sigaltstack, BADPTR, NULL));
	SHOW(syscall(SYS_sigaltstack, NULL, BADPTR));
	stack_t off = {.ss_flags = SS_DISABLE};
	SHOW(syscall(SYS_sigaltstack, &off, NULL));
	SHOW(syscall(SYS_sigaltstack, NULL, &cur));
	say("disabled: %d", cur.ss_flags == SS_DISABLE);
	/* A child inherits the alternate stack setting (off) and can set its
	 * own for a SIGSEGV handler. */
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_sigaltstack, &ss, NULL);
		struct sigaction segv = {.sa_handler = plain_handler, .sa_flags = SA_ONSTACK};
		sigaction(SIGSEGV, &segv, NULL);
		raise(SIGSEGV);
		say("child: SIGSEGV handled on the alternate stack: %d", handled[SIGSEGV]);
		_exit(0);
	}
	probe_wait("child", k);
}
