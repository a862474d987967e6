/* seccomp: the program's own filters. Every case runs in a child (a filter
 * cannot be taken back) that sets no_new_privs first, and RLIMIT_CORE 0 so a
 * seccomp kill writes no core file natively. The last case builds its
 * filter with libseccomp, as real programs (systemd services, sshd) do. */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <ucontext.h>

#include "probe.h"

#define NR_OFF	     offsetof(struct seccomp_data, nr)
#define ARG0_OFF     offsetof(struct seccomp_data, args[0])
#define LD(off)	     BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(k)	     BPF_STMT(BPF_RET | BPF_K, (k))

static long install(unsigned flags, struct sock_filter *prog, unsigned short len)
{
	struct sock_fprog fp = {.len = len, .filter = prog};
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp);
}
#define INSTALL(flags, prog) install((flags), (prog), sizeof(prog) / sizeof((prog)[0]))

/* A filter giving `action` to syscall `nr` and allowing the rest. */
static long install_for(long nr, uint32_t action)
{
	struct sock_filter f[] = {LD(NR_OFF), JEQ((uint32_t)nr, 0, 1), RET(action),
				  RET(SECCOMP_RET_ALLOW)};
	return INSTALL(0, f);
}

static pid_t child(void)
{
	pid_t k = probe_fork();
	if (k == 0) {
		struct rlimit no_core = {0, 0};
		setrlimit(RLIMIT_CORE, &no_core);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	}
	return k;
}

static void bad_filters(void)
{
	struct sock_filter ok[] = {RET(SECCOMP_RET_ALLOW)};
	struct sock_filter mod[] = {BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), RET(0)};
	struct sock_filter far[] = {JEQ(1, 5, 0), RET(0)};
	struct sock_filter noret[] = {LD(NR_OFF)};
	struct sock_filter off64[] = {LD(64), RET(0)};
	struct sock_filter off2[] = {LD(2), RET(0)};
	struct sock_filter div0[] = {BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), RET(0)};
	struct sock_filter unset[] = {BPF_STMT(BPF_LD | BPF_MEM, 3), RET(0)};
	struct sock_filter packet[] = {BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), RET(0)};
	struct sock_fprog nofilter = {.len = 1, .filter = BADPTR};
	SHOW(syscall(SYS_seccomp, 99, 0, NULL));
	SHOW(syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 1, NULL));
	SHOW(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, BADPTR));
	SHOW(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &nofilter));
	SHOW(install(0, ok, 0));
	SHOW(install(0, ok, 4097));
	SHOW(install(1u << 7, ok, 1));
	SHOW(INSTALL(0, mod));
	SHOW(INSTALL(0, far));
	SHOW(INSTALL(0, noret));
	SHOW(INSTALL(0, off64));
	SHOW(INSTALL(0, off2));
	SHOW(INSTALL(0, div0));
	SHOW(INSTALL(0, unset));
	SHOW(INSTALL(0, packet));
	static const uint32_t actions[] = {
	    SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP,  SECCOMP_RET_ERRNO,
	    SECCOMP_RET_TRACE,	      SECCOMP_RET_LOG,	       SECCOMP_RET_ALLOW, 0x12340000};
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		errno = 0;
		long r = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &actions[i]);
		say("action %#x available = %ld %s", actions[i], r, r ? errname(errno) : "");
	}
	SHOW(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 1, &actions[0]));
	SHOW(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, BADPTR));
	SHOW(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
}

static void errno_by_arg(void)
{
	/* uname(NULL) gets ENOTTY, uname(buf) runs; getpid gets an errno
	 * above 4095, cut to 4095. */
	struct sock_filter f[] = {
	    LD(NR_OFF),
	    JEQ(SYS_uname, 0, 3),
	    LD(ARG0_OFF),
	    JEQ(0, 0, 4),
	    RET(SECCOMP_RET_ERRNO | ENOTTY),
	    LD(NR_OFF),
	    JEQ(SYS_getpid, 0, 1),
	    RET(SECCOMP_RET_ERRNO | 5000),
	    RET(SECCOMP_RET_ALLOW),
	};
	SHOW(INSTALL(SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW, f));
	struct utsname u;
	SHOW(syscall(SYS_uname, NULL));
	SHOW(syscall(SYS_uname, &u));
	errno = 0;
	long r = syscall(SYS_getpid);
	say("getpid = %ld errno %d", r, errno);
	SHOW(prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	SHOW(syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL));
	/* Stacked: both refuse getuid; the newer one's errno wins the tie,
	 * and TRACE (no tracer: ENOSYS) loses to ERRNO. */
	SHOW(install_for(SYS_getuid, SECCOMP_RET_ERRNO | EPERM));
	SHOW(install_for(SYS_getuid, SECCOMP_RET_ERRNO | EACCES));
	SHOW(install_for(SYS_getuid, SECCOMP_RET_TRACE));
	SHOW(syscall(SYS_getuid));
	SHOW(install_for(SYS_getgid, SECCOMP_RET_TRACE));
	SHOW(syscall(SYS_getgid));
	SHOW(install_for(SYS_getegid, SECCOMP_RET_USER_NOTIF));
	SHOW(syscall(SYS_getegid));
	SHOW(install_for(SYS_getppid, SECCOMP_RET_LOG));
	OK(syscall(SYS_getppid));
	/* An unknown syscall is filtered too. */
	SHOW(install_for(999, SECCOMP_RET_ERRNO | EDOM));
	SHOW(syscall(999));
	/* Inherited by a child. */
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_uname, NULL));
		SHOW(syscall(SYS_getuid));
		_exit(0);
	}
	probe_wait("forked child", k);
}

static volatile int trap_code, trap_nr, trap_errno, trap_arch_ok, trap_addr_ok;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	trap_code = si->si_code;
	trap_nr = si->si_syscall;
	trap_errno = si->si_errno;
	trap_arch_ok = si->si_arch == AUDIT_ARCH_X86_64;
	trap_addr_ok = si->si_call_addr != NULL;
	/* A handler that emulates the call: its RAX is the result. */
	if (si->si_errno == 43)
		((ucontext_t *)uc)->uc_mcontext.gregs[REG_RAX] = 4321;
}

static void trap(void)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	sigaction(SIGSYS, &sa, NULL);
	SHOW(install_for(SYS_getppid, SECCOMP_RET_TRAP | 42));
	/* The call is skipped: RAX keeps its number, as Linux rolls it back. */
	long r = syscall(SYS_getppid);
	say("getppid = %ld; SIGSYS code %d syscall %d errno %d arch %d addr %d", r, trap_code,
	    trap_nr, trap_errno, trap_arch_ok, trap_addr_ok);
	SHOW(install_for(SYS_getpgrp, SECCOMP_RET_TRAP | 43));
	SHOW(syscall(SYS_getpgrp));
	/* A number past every syscall: the filter sees its low 32 bits (0,
	 * read) and RAX keeps all of it. */
	struct sock_filter big_nr[] = {LD(NR_OFF),
				       JEQ(0, 0, 3),
				       LD(ARG0_OFF),
				       JEQ(12345, 0, 1),
				       RET(SECCOMP_RET_TRAP | 44),
				       RET(SECCOMP_RET_ALLOW)};
	SHOW(INSTALL(0, big_nr));
	r = syscall(-(1L << 40), 12345);
	say("huge number trapped: rax intact %d, si_syscall %d errno %d", r == -(1L << 40), trap_nr,
	    trap_errno);
	/* Blocked SIGSYS: the trap kills. */
	mask_signal(SIG_BLOCK, SIGSYS);
	syscall(SYS_getppid);
	say("not reached");
}

static void *call_getppid(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	return (void *)1;
}

static void kills(void)
{
	pid_t k = child();
	if (k == 0) {
		/* A handler does not save it: the kill resets SIGSYS. */
		catch_signal(SIGSYS, 0);
		install_for(SYS_getppid, SECCOMP_RET_KILL_PROCESS);
		syscall(SYS_getppid);
		_exit(0);
	}
	probe_wait("kill process", k);
	k = child();
	if (k == 0) {
		/* A thread killed alone; the process goes on. */
		install_for(SYS_getppid, SECCOMP_RET_KILL_THREAD);
		pthread_t th;
		pthread_create(&th, NULL, call_getppid, NULL);
		sleep(1);
		say("main thread still runs");
		syscall(SYS_getppid); /* the last thread: the process dies */
		_exit(0);
	}
	probe_wait("kill thread", k);
	k = child();
	if (k == 0) {
		SHOW(syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL));
		syscall(SYS_write, 1, "strict: write works\n", 20);
		syscall(SYS_getpid);
		_exit(0);
	}
	probe_wait("strict getpid", k);
	k = child();
	if (k == 0) {
		SHOW(prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0));
		syscall(SYS_exit, 7);
	}
	probe_wait("strict exit", k);
}

static int gate[2];

static void *wait_then_getppid(void *arg)
{
	char c;
	(void)arg;
	read(gate[0], &c, 1);
	errno = 0;
	long r = syscall(SYS_getppid);
	say("thread: getppid = %ld %s", r, r < 0 ? errname(errno) : "");
	return NULL;
}

static void tsync(void)
{
	pipe(gate);
	pthread_t th;
	pthread_create(&th, NULL, wait_then_getppid, NULL);
	SHOW(install_for(SYS_getppid, SECCOMP_RET_ERRNO | ECHILD) == 0);
	struct sock_filter f[] = {LD(NR_OFF), JEQ(SYS_getppid, 0, 1),
				  RET(SECCOMP_RET_ERRNO | EBADF), RET(SECCOMP_RET_ALLOW)};
	SHOW(INSTALL(SECCOMP_FILTER_FLAG_TSYNC, f));
	write(gate[1], "x", 1);
	pthread_join(th, NULL);
}

static void *own_filter_and_wait(void *arg)
{
	install_for(SYS_getgid, SECCOMP_RET_ERRNO | EPERM);
	*(volatile pid_t *)arg = (pid_t)syscall(SYS_gettid);
	char c;
	read(gate[0], &c, 1);
	return NULL;
}

static void tsync_refused(void)
{
	pipe(gate);
	volatile pid_t tid = 0;
	pthread_t th;
	pthread_create(&th, NULL, own_filter_and_wait, (void *)&tid);
	while (tid == 0)
		sched_yield();
	struct sock_filter f[] = {RET(SECCOMP_RET_ALLOW)};
	long r = INSTALL(SECCOMP_FILTER_FLAG_TSYNC, f);
	say("tsync = the thread's tid: %d", r == tid);
	SHOW(INSTALL(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH, f));
	write(gate[1], "x", 1);
	pthread_join(th, NULL);
}

static void limits_and_exec(void)
{
	static struct sock_filter big[4096];
	for (int i = 0; i < 4095; i++)
		big[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, 0);
	big[4095] = (struct sock_filter)RET(SECCOMP_RET_ALLOW);
	for (int i = 0; i < 8; i++)
		SHOW(install(0, big, 4096));
	install_for(SYS_uname, SECCOMP_RET_ERRNO | EPERM);
	/* Kept across execve: uname(1) cannot get the system's name. */
	execl("/bin/uname", "uname", (char *)NULL);
	_exit(99);
}

static void with_libseccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(getcwd), 0);
	seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(ioctl), 1,
			 SCMP_A1(SCMP_CMP_EQ, TCGETS));
	seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(getppid), 1, SCMP_A0(SCMP_CMP_GT, 5));
	SHOW(seccomp_load(ctx));
	seccomp_release(ctx);
	char buf[64];
	struct termios tio;
	SHOW(syscall(SYS_getcwd, buf, sizeof buf));
	SHOW(ioctl(0, TCGETS, &tio));
	SHOW(ioctl(-1, TIOCGWINSZ, buf));
	OK(syscall(SYS_getppid, 1));
	syscall(SYS_getppid, 6);
	say("not reached");
}

SYSCALL_TEST(seccomp)
{
	void (*cases[])(void) = {bad_filters,	errno_by_arg,	 trap,		 tsync,
				 tsync_refused, limits_and_exec, with_libseccomp};
	static const char *names[] = {"bad filters",   "errno",		  "trap",      "tsync",
				      "tsync refused", "limits and exec", "libseccomp"};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pid_t k = child();
		if (k == 0) {
			cases[i]();
			_exit(0);
		}
		probe_wait(names[i], k);
	}
	kills();
	/* Without no_new_privs: only CAP_SYS_ADMIN may install (root here
	 * natively and in the sandbox alike, or neither). */
	pid_t k = probe_fork();
	if (k == 0) {
		struct sock_filter ok[] = {RET(SECCOMP_RET_ALLOW)};
		SHOW(INSTALL(0, ok));
		if (setresuid(65534, 65534, 65534) == 0)
			SHOW(INSTALL(0, ok));
		_exit(0);
	}
	probe_wait("no_new_privs unset", k);
}
