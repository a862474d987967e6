/* A task's identity and attributes: ids, groups and sessions, names,
 * segment bases, personality, robust futex lists, rseq, futexes. */
#include <asm/prctl.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <sys/rseq.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "probe.h"

#define NO_PID 0x3ffffff0

static pid_t read_pid(int fd)
{
	pid_t p = -1;
	if (read(fd, &p, sizeof p) != sizeof p)
		return -1;
	return p;
}

static void *report_ids(void *arg)
{
	int *fds = arg;
	pid_t ids[2] = {(pid_t)syscall(SYS_getpid), (pid_t)syscall(SYS_gettid)};
	write(fds[1], ids, sizeof ids);
	return NULL;
}

/* getpid cannot fail. */
SYSCALL_TEST(getpid)
{
	pid_t me = syscall(SYS_getpid);
	say("getpid == gettid in the main thread: %d", me == syscall(SYS_gettid));
	say("stable: %d, > 0: %d", me == syscall(SYS_getpid), me > 0);
	int p[2];
	pipe(p);
	pid_t k = probe_fork();
	if (k == 0) {
		pid_t c = syscall(SYS_getpid);
		write(p[1], &c, sizeof c);
		_exit(0);
	}
	pid_t c = read_pid(p[0]);
	say("child's getpid == fork result: %d, differs from ours: %d", c == k, c != me);
	probe_wait("child", k);
	pthread_t t;
	pthread_create(&t, NULL, report_ids, p);
	pthread_join(t, NULL);
	pid_t ids[2];
	read(p[0], ids, sizeof ids);
	say("thread: getpid is the process's: %d, its tid differs: %d", ids[0] == me, ids[1] != me);
}

static void *report_ppid(void *arg)
{
	*(pid_t *)arg = syscall(SYS_getppid);
	return NULL;
}

/* getppid cannot fail. */
SYSCALL_TEST(getppid)
{
	int up[2], g2c[2];
	pipe(up);
	pipe(g2c);
	pid_t me = getpid();
	pid_t k = probe_fork();
	if (k == 0) {
		/* ids[0]: our parent; ids[1]: the grandchild's parent; ids[2]: us. */
		pid_t ids[3] = {(pid_t)syscall(SYS_getppid), -1, getpid()};
		pid_t g = fork();
		if (g == 0) {
			pid_t gp = syscall(SYS_getppid);
			write(g2c[1], &gp, sizeof gp);
			_exit(0);
		}
		ids[1] = read_pid(g2c[0]);
		waitpid(g, NULL, 0);
		write(up[1], ids, sizeof ids);
		_exit(0);
	}
	probe_wait("child", k);
	pid_t ids[3] = {-1, -1, -1};
	read(up[0], ids, sizeof ids);
	say("child's getppid is us: %d", ids[0] == me);
	say("grandchild's getppid is the child: %d", ids[1] == ids[2] && ids[2] == k);
	pid_t from_thread = -1;
	pthread_t t;
	pthread_create(&t, NULL, report_ppid, &from_thread);
	pthread_join(t, NULL);
	say("a thread's getppid is the process's: %d", from_thread == syscall(SYS_getppid));
}

SYSCALL_TEST(gettid)
{
	pid_t me = syscall(SYS_gettid);
	say("main thread: gettid == getpid %d", me == getpid());
	int p[2];
	pipe(p);
	pthread_t t1, t2;
	pthread_create(&t1, NULL, report_ids, p);
	pthread_join(t1, NULL);
	pthread_create(&t2, NULL, report_ids, p);
	pthread_join(t2, NULL);
	pid_t a[2], b[2];
	read(p[0], a, sizeof a);
	read(p[0], b, sizeof b);
	say("threads: same pid %d, own tids %d, distinct %d", a[0] == me && b[0] == me,
	    a[1] != me && b[1] != me, a[1] != b[1]);
	/* A tid is a valid target for tgkill while its thread lives. */
	SHOW(syscall(SYS_tgkill, getpid(), me, 0));
	/* gettid cannot fail. */
}

static int tid_fn(void *arg)
{
	int *words = arg;
	/* words[0]: cleared by the kernel at our exit; words[1]: what
	 * set_tid_address returned equals our tid. */
	long r = syscall(SYS_set_tid_address, &words[0]);
	words[1] = r == syscall(SYS_gettid);
	return 0;
}

/* set_tid_address cannot fail; the address is only used at exit. */
SYSCALL_TEST(set_tid_address)
{
	long r = syscall(SYS_set_tid_address, NULL);
	say("returns the tid: %d", r == syscall(SYS_gettid));
	static int words[2] = {0x1234, 0};
	char *stack = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fflush(stdout);
	pid_t k = clone(tid_fn, stack + 65536, CLONE_VM | SIGCHLD, words);
	probe_wait("CLONE_VM child", k);
	say("child: returned its tid %d, word cleared at exit: 0x%x", words[1], words[0]);
	/* Without shared memory nothing is cleared in ours. */
	words[0] = 0x1234;
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_set_tid_address, &words[0]);
		_exit(0);
	}
	probe_wait("forked child", k);
	say("our word untouched: 0x%x", words[0]);
}

/* Session and group changes run in a child that first makes its own
 * session: the probe's own place (pid 1's session in the sandbox, the test
 * runner's natively) is not the same in the two runs. */
SYSCALL_TEST(setpgid)
{
	pid_t k = probe_fork();
	if (k == 0) {
		setsid();
		int p[2];
		pipe(p);
		pid_t g = fork();
		if (g == 0) {
			char c;
			read(p[0], &c, 1);
			_exit(0);
		}
		SHOW(syscall(SYS_setpgid, g, g));
		say("grandchild leads its group: %d", getpgid(g) == g);
		SHOW(syscall(SYS_setpgid, g, getpid()));
		say("grandchild back in ours: %d", getpgid(g) == getpid());
		SHOW(syscall(SYS_setpgid, g, NO_PID));
		SHOW(syscall(SYS_setpgid, NO_PID, 0));
		SHOW(syscall(SYS_setpgid, 0, -1));
		/* A session leader cannot move. */
		SHOW(syscall(SYS_setpgid, 0, 0));
		write(p[1], "x", 1);
		waitpid(g, NULL, 0);
		SHOW(syscall(SYS_setpgid, g, g));
		/* A child that did execve can no longer be moved by its parent. */
		g = fork();
		if (g == 0) {
			execl("/bin/sleep", "sleep", "0.2", (char *)NULL);
			_exit(127);
		}
		usleep(50000);
		SHOW(syscall(SYS_setpgid, g, g));
		kill(g, SIGKILL);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	probe_wait("child", k);
	k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_setpgid, 0, 0));
		say("own group: %d", getpgrp() == getpid());
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(getpgid)
{
	say("getpgid(0) == getpgrp: %d", syscall(SYS_getpgid, 0) == getpgrp());
	say("getpgid(getpid()) == getpgrp: %d", syscall(SYS_getpgid, getpid()) == getpgrp());
	int go[2], done[2];
	pipe(go);
	pipe(done);
	pid_t k = probe_fork();
	if (k == 0) {
		char c;
		read(go[0], &c, 1);
		setpgid(0, 0);
		write(done[1], "x", 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	say("a child inherits our group: %d", syscall(SYS_getpgid, k) == getpgrp());
	char c;
	write(go[1], "x", 1);
	read(done[0], &c, 1);
	say("after its setpgid(0, 0) it leads its own: %d", syscall(SYS_getpgid, k) == k);
	write(go[1], "x", 1);
	probe_wait("child", k);
	SHOW(syscall(SYS_getpgid, k));
	SHOW(syscall(SYS_getpgid, NO_PID));
	SHOW(syscall(SYS_getpgid, -1));
}

/* getpgrp cannot fail. */
SYSCALL_TEST(getpgrp)
{
	say("getpgrp == getpgid(0): %d", syscall(SYS_getpgrp) == getpgid(0));
	pid_t k = probe_fork();
	if (k == 0) {
		pid_t before = syscall(SYS_getpgrp);
		setpgid(0, 0);
		say("child: own group after setpgid: %d, was not: %d",
		    syscall(SYS_getpgrp) == getpid(), before != getpid());
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(setsid)
{
	pid_t k = probe_fork();
	if (k == 0) {
		pid_t me = getpid();
		long r = syscall(SYS_setsid);
		say("child: setsid returns its pid: %d", r == me);
		say("child: session %d, group %d", getsid(0) == me, getpgrp() == me);
		SHOW(syscall(SYS_setsid));
		/* A member of another process's group can start a session. */
		pid_t g = fork();
		if (g == 0) {
			say("grandchild: setsid is its pid: %d", syscall(SYS_setsid) == getpid());
			_exit(0);
		}
		waitpid(g, NULL, 0);
		/* A group leader cannot: EPERM. */
		g = fork();
		if (g == 0) {
			setpgid(0, 0);
			SHOW(syscall(SYS_setsid));
			_exit(0);
		}
		waitpid(g, NULL, 0);
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(getsid)
{
	say("getsid(0) == getsid(getpid()): %d",
	    syscall(SYS_getsid, 0) == syscall(SYS_getsid, getpid()));
	int go[2], done[2];
	pipe(go);
	pipe(done);
	pid_t k = probe_fork();
	if (k == 0) {
		char c;
		say("child: inherits our session: %d", getsid(0) == getsid(getppid()));
		setsid();
		write(done[1], "x", 1);
		read(go[0], &c, 1);
		_exit(0);
	}
	char c;
	read(done[0], &c, 1);
	say("the child's session after setsid is its pid: %d", syscall(SYS_getsid, k) == k);
	write(go[1], "x", 1);
	probe_wait("child", k);
	SHOW(syscall(SYS_getsid, NO_PID));
	SHOW(syscall(SYS_getsid, -1));
}

/* prctl is partial: names, dumpable, no_new_privs and the capability
 * bounding set; only those are probed. */
SYSCALL_TEST(prctl)
{
	char name[32] = {0};
	SHOW(syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0));
	say("name: %s", name);
	SHOW(syscall(SYS_prctl, PR_SET_NAME, "renamed-thread-long-name", 0, 0, 0));
	memset(name, 0, sizeof name);
	SHOW(syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0));
	char comm[32];
	snprintf(comm, sizeof comm, "%s", get_file("/proc/self/comm"));
	comm[strcspn(comm, "\n")] = 0;
	say("name: %s, /proc/self/comm: %s", name, comm);
	SHOW(syscall(SYS_prctl, PR_SET_NAME, BADPTR, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_GET_NAME, BADPTR, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_SET_DUMPABLE, 5, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_CAPBSET_READ, 999, 0, 0, 0));
	SHOW(syscall(SYS_prctl, 12345, 0, 0, 0, 0));
	/* Seccomp through prctl (syscall-seccomp has the rest). */
	SHOW(syscall(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_SET_SECCOMP, 7, 0, 0, 0));
	SHOW(syscall(SYS_prctl, PR_SET_SECCOMP, 2, BADPTR, 0, 0));
	pid_t sk = probe_fork();
	if (sk == 0) {
		struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, 0x7fff0000);
		struct sock_fprog fp = {.len = 1, .filter = &allow};
		SHOW(syscall(SYS_prctl, PR_SET_SECCOMP, 2, &fp, 0, 0));
		SHOW(syscall(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0));
		SHOW(syscall(SYS_prctl, PR_SET_SECCOMP, 1, 0, 0, 0));
		_exit(0);
	}
	probe_wait("seccomp child", sk);
	/* A child inherits the name. */
	pid_t k = probe_fork();
	if (k == 0) {
		prctl(PR_GET_NAME, name);
		say("child: name %s", name);
		_exit(0);
	}
	probe_wait("child", k);
}

static long raw_syscall2(long nr, long a, long b)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return r;
}

/* arch_prctl is partial: FS and GS bases and ARCH_GET_CPUID are probed. */
SYSCALL_TEST(arch_prctl)
{
	unsigned long fs = 0, self = 0;
	SHOW(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	SHOW(syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0));
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	say("FS base is the thread pointer (%%fs:0): %d", fs == self);
	static unsigned long gsbuf[2] = {0x1234, 0x5678};
	SHOW(syscall(SYS_arch_prctl, ARCH_SET_GS, gsbuf));
	unsigned long gs = 0, word = 0;
	SHOW(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
	__asm__ volatile("mov %%gs:8, %0" : "=r"(word));
	say("GS base read back: %d, %%gs:8 = 0x%lx", gs == (unsigned long)gsbuf, word);
	SHOW(syscall(SYS_arch_prctl, ARCH_SET_GS, 0));
	SHOW(syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0));
	SHOW(syscall(SYS_arch_prctl, ARCH_GET_FS, BADPTR));
	SHOW(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x8000000000000000UL));
	SHOW(syscall(SYS_arch_prctl, ARCH_SET_FS, 0xffff800000000000UL));
	SHOW(syscall(SYS_arch_prctl, 0x9999, 0));
	/* A child moves its FS base to a block of its own and reads it back
	 * through %fs without libc (whose TLS that breaks). */
	static unsigned long block[2] = {0, 77};
	block[0] = (unsigned long)block;
	pid_t k = probe_fork();
	if (k == 0) {
		unsigned long v = 0;
		if (raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)block) == 0)
			__asm__ volatile("mov %%fs:8, %0" : "=r"(v));
		raw_syscall2(SYS_exit_group, (long)v, 0);
	}
	probe_wait("child with its own FS base (77 if read back)", k);
}

/* personality takes any value: no error case. */
SYSCALL_TEST(personality)
{
	SHOW(syscall(SYS_personality, 0xffffffff));
	SHOW(syscall(SYS_personality, ADDR_NO_RANDOMIZE));
	SHOW(syscall(SYS_personality, 0xffffffff));
	pid_t k = probe_fork();
	if (k == 0) {
		say("child inherits: 0x%lx", syscall(SYS_personality, 0xffffffff));
		_exit(0);
	}
	probe_wait("child", k);
	SHOW(syscall(SYS_personality, 0));
	SHOW(syscall(SYS_personality, 0xffffffff));
}

struct robust_lock {
	struct robust_list list;
	uint32_t word;
};

struct robust_shared {
	struct robust_list_head head;
	struct robust_lock lock;
};

SYSCALL_TEST(set_robust_list)
{
	static struct robust_list_head mine;
	mine.list.next = &mine.list;
	SHOW(syscall(SYS_set_robust_list, &mine, sizeof mine));
	struct robust_list_head *h = NULL;
	size_t len = 0;
	SHOW(syscall(SYS_get_robust_list, 0, &h, &len));
	say("reads back: %d, len %zu", h == &mine, len);
	SHOW(syscall(SYS_set_robust_list, &mine, sizeof mine - 1));
	SHOW(syscall(SYS_set_robust_list, &mine, 0));
	/* A holder that dies: the kernel marks its lock FUTEX_OWNER_DIED. */
	struct robust_shared *sh =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t k = probe_fork();
	if (k == 0) {
		sh->head.list.next = &sh->lock.list;
		sh->head.futex_offset = offsetof(struct robust_lock, word);
		sh->head.list_op_pending = NULL;
		sh->lock.list.next = &sh->head.list;
		sh->lock.word = syscall(SYS_gettid);
		syscall(SYS_set_robust_list, &sh->head, sizeof sh->head);
		syscall(SYS_exit_group, 0);
	}
	probe_wait("holder", k);
	say("lock word after the holder died: 0x%x", sh->lock.word);
}

SYSCALL_TEST(get_robust_list)
{
	struct robust_list_head *h = NULL;
	size_t len = 0;
	SHOW(syscall(SYS_get_robust_list, 0, &h, &len));
	say("libc registered one: %d, len %zu", h != NULL, len);
	struct robust_list_head *h2 = NULL;
	SHOW(syscall(SYS_get_robust_list, syscall(SYS_gettid), &h2, &len));
	say("same through our tid: %d", h2 == h);
	SHOW(syscall(SYS_get_robust_list, NO_PID, &h, &len));
	SHOW(syscall(SYS_get_robust_list, 0, BADPTR, &len));
	SHOW(syscall(SYS_get_robust_list, 0, &h, BADPTR));
	/* Another process's: the parent's (its list), then as nobody (EPERM). */
	pid_t parent = getpid();
	pid_t k = probe_fork();
	if (k == 0) {
		struct robust_list_head *ph = NULL;
		SHOW(syscall(SYS_get_robust_list, parent, &ph, &len));
		say("the parent's list: %d", ph == h);
		syscall(SYS_setresuid, 65534, 65534, 65534);
		SHOW(syscall(SYS_get_robust_list, parent, &ph, &len));
		_exit(0);
	}
	probe_wait("child", k);
}

/* rseq is partial (registered with the host kernel for the stub thread). */
SYSCALL_TEST(rseq)
{
	static struct rseq area __attribute__((aligned(32)));
	/* libc may have registered an area already; then a different one is
	 * refused until libc's is unregistered, which needs its address. */
	long r = syscall(SYS_rseq, &area, sizeof area, 0, RSEQ_SIG);
	say("first registration: %s", r == 0 ? "ok" : errname(errno));
	if (r != 0) {
		char *tp;
		__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
		void *libc_area = tp + __rseq_offset;
		SHOW(syscall(SYS_rseq, libc_area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG + 1));
		SHOW(syscall(SYS_rseq, libc_area, 16, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
		SHOW(syscall(SYS_rseq, libc_area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
		SHOW(syscall(SYS_rseq, &area, sizeof area, 0, RSEQ_SIG));
	}
	sched_yield();
	say("cpu_id valid: %d, cpu_id_start valid: %d",
	    area.cpu_id < (unsigned)sysconf(_SC_NPROCESSORS_CONF),
	    area.cpu_id_start < (unsigned)sysconf(_SC_NPROCESSORS_CONF));
	SHOW(syscall(SYS_rseq, &area, sizeof area, 0, RSEQ_SIG));
	SHOW(syscall(SYS_rseq, &area, sizeof area, 0, RSEQ_SIG + 1));
	static struct rseq other __attribute__((aligned(32)));
	SHOW(syscall(SYS_rseq, &other, sizeof other, 0, RSEQ_SIG));
	SHOW(syscall(SYS_rseq, &area, sizeof area, 2, RSEQ_SIG));
	SHOW(syscall(SYS_rseq, &area, sizeof area, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
	SHOW(syscall(SYS_rseq, &area, sizeof area, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
	SHOW(syscall(SYS_rseq, (char *)&area + 4, sizeof area, 0, RSEQ_SIG));
	SHOW(syscall(SYS_rseq, &area, 16, 0, RSEQ_SIG));
	SHOW(syscall(SYS_rseq, BADPTR, sizeof area, 0, RSEQ_SIG));
}

static uint32_t futex_word;
static uint32_t futex_woken;

static void *futex_waiter(void *arg)
{
	(void)arg;
	long r = syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	__atomic_store_n(&futex_woken, r == 0 ? 1 : 2, __ATOMIC_SEQ_CST);
	return NULL;
}

/* futex is partial: WAIT, WAKE, REQUEUE, CMP_REQUEUE and the bitset forms,
 * private and shared; PI and WAKE_OP are not probed. */
SYSCALL_TEST(futex)
{
	uint32_t w = 5;
	SHOW(syscall(SYS_futex, &w, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0));
	struct timespec ten_ms = {0, 10000000};
	long long t0 = now_ns();
	SHOW(syscall(SYS_futex, &w, FUTEX_WAIT_PRIVATE, 5, &ten_ms, NULL, 0));
	say("waited at least 10ms: %d", now_ns() - t0 >= 10000000);
	SHOW(syscall(SYS_futex, &w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
	/* A thread waits; wake it (retrying until it is really waiting). */
	pthread_t t;
	pthread_create(&t, NULL, futex_waiter, NULL);
	long woke = 0;
	for (int i = 0; i < 1000 && woke == 0; i++) {
		usleep(1000);
		woke = syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
	pthread_join(t, NULL);
	say("woke %ld, the waiter returned %s", woke, futex_woken == 1 ? "0" : "an error");
	/* Requeue: a waiter moved to another word is woken there. */
	futex_word = 0;
	futex_woken = 0;
	pthread_create(&t, NULL, futex_waiter, NULL);
	static uint32_t other;
	long moved = 0;
	for (int i = 0; i < 1000 && moved == 0; i++) {
		usleep(1000);
		moved = syscall(SYS_futex, &futex_word, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, &other, 0);
	}
	say("requeued %ld", moved);
	SHOW(syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
	SHOW(syscall(SYS_futex, &other, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
	pthread_join(t, NULL);
	SHOW(syscall(SYS_futex, &futex_word, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, &other, 7));
	/* A shared futex between processes. */
	uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t k = probe_fork();
	if (k == 0) {
		long r = syscall(SYS_futex, sh, FUTEX_WAIT, 0, NULL, NULL, 0);
		say("child: woken %ld", r);
		_exit(0);
	}
	long n = 0;
	for (int i = 0; i < 1000 && n == 0; i++) {
		usleep(1000);
		n = syscall(SYS_futex, sh, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
	probe_wait("child", k);
	say("shared wake woke %ld", n);
	/* The bitset forms take an absolute CLOCK_MONOTONIC time: 10ms after
	 * boot is long past. A zero bitset is invalid. */
	SHOW(syscall(SYS_futex, &w, FUTEX_WAIT_BITSET_PRIVATE, 5, &ten_ms, NULL,
		     FUTEX_BITSET_MATCH_ANY));
	SHOW(syscall(SYS_futex, &w, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL,
		     FUTEX_BITSET_MATCH_ANY));
	SHOW(syscall(SYS_futex, &w, FUTEX_WAIT_BITSET_PRIVATE, 5, &ten_ms, NULL, 0));
	SHOW(syscall(SYS_futex, (char *)&w + 1, FUTEX_WAIT_PRIVATE, 5, NULL, NULL, 0));
	SHOW(syscall(SYS_futex, BADPTR, FUTEX_WAIT_PRIVATE, 5, NULL, NULL, 0));
	struct timespec bad = {0, 2000000000};
	SHOW(syscall(SYS_futex, &w, FUTEX_WAIT_PRIVATE, 5, &bad, NULL, 0));
	SHOW(syscall(SYS_futex, &w, 99, 0, NULL, NULL, 0));
	/* A shared (non-private) key resolves the page: an unmapped or
	 * PROT_NONE word is EFAULT for wake and requeue (either word); a
	 * private wake never looks at the memory. */
	char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, 4096);
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SHOW(syscall(SYS_futex, gone, FUTEX_WAKE, 1, NULL, NULL, 0));
	SHOW(syscall(SYS_futex, none, FUTEX_WAKE, 1, NULL, NULL, 0));
	SHOW(syscall(SYS_futex, gone, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
	SHOW(syscall(SYS_futex, &w, FUTEX_CMP_REQUEUE, 1, 1, gone, 5));
	SHOW(syscall(SYS_futex, none, FUTEX_CMP_REQUEUE, 1, 1, &w, 5));
	munmap(none, 4096);
}
