/* The ptrace platform's allow-list: the stub's seccomp filter and the
 * checks before every injected syscall come from one table,
 * stub_syscalls[] (platform/ptrace/inject.c).
 *
 *  - The filter libseccomp builds from it is run here by a small classic-BPF
 *    interpreter: every table entry (with each allowed argument value) is
 *    allowed, other values and every other syscall kill the stub, and for
 *    each probe the filter agrees with stub_syscall_allowed(), the check
 *    stub_inject() makes.
 *  - In a real stub, every typed call of platform.h runs without the stub
 *    dying, and a syscall outside the table is refused (-ENOSYS) instead of
 *    reaching the filter. (On the way: the stub's map as the platform lists
 *    it, without the stub page, and its CPU accounting.)
 */
#include <check.h>

#include "tests/check-run.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/rseq.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/ptrace/platform-internal.h"
#include "platform/systrap/systrap-internal.h"

#define MAX_INSNS 4096

struct prog {
	struct sock_filter insn[MAX_INSNS];
	size_t len;
};

/* The filter the stub loads, as the BPF program the kernel would run. */
static void build_prog(struct prog *p)
{
	scmp_filter_ctx ctx = stub_seccomp_filter(false);
	ck_assert_ptr_nonnull(ctx);
	int fd = memfd_create("stub-filter", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(seccomp_export_bpf(ctx, fd), 0);
	seccomp_release(ctx);
	off_t size = lseek(fd, 0, SEEK_END);
	ck_assert(size > 0 && size % (off_t)sizeof(struct sock_filter) == 0);
	ck_assert((size_t)size <= sizeof(p->insn));
	ck_assert_int_eq(pread(fd, p->insn, (size_t)size, 0), size);
	p->len = (size_t)size / sizeof(struct sock_filter);
	close(fd);
}

/* Classic BPF as seccomp runs it over struct seccomp_data. */
static uint32_t run_prog(const struct prog *p, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	for (size_t pc = 0; pc < p->len; pc++) {
		const struct sock_filter *f = &p->insn[pc];
		uint32_t k = f->k, src = BPF_SRC(f->code) == BPF_X ? x : k;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v = 0;
			switch (BPF_MODE(f->code)) {
			case BPF_ABS:
				ck_assert(BPF_SIZE(f->code) == BPF_W && k % 4 == 0 &&
					  k + 4 <= sizeof(*d));
				memcpy(&v, (const char *)d + k, 4);
				break;
			case BPF_IMM:
				v = k;
				break;
			case BPF_MEM:
				ck_assert(k < BPF_MEMWORDS);
				v = mem[k];
				break;
			case BPF_LEN:
				v = sizeof(*d);
				break;
			default:
				ck_abort_msg("unexpected load %#x", f->code);
			}
			*(BPF_CLASS(f->code) == BPF_LD ? &a : &x) = v;
			break;
		}
		case BPF_ST:
		case BPF_STX:
			ck_assert(k < BPF_MEMWORDS);
			mem[k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD:
				a += src;
				break;
			case BPF_SUB:
				a -= src;
				break;
			case BPF_MUL:
				a *= src;
				break;
			case BPF_DIV:
				ck_assert(src);
				a /= src;
				break;
			case BPF_MOD:
				ck_assert(src);
				a %= src;
				break;
			case BPF_OR:
				a |= src;
				break;
			case BPF_AND:
				a &= src;
				break;
			case BPF_XOR:
				a ^= src;
				break;
			case BPF_LSH:
				a = src < 32 ? a << src : 0;
				break;
			case BPF_RSH:
				a = src < 32 ? a >> src : 0;
				break;
			case BPF_NEG:
				a = -a;
				break;
			default:
				ck_abort_msg("unexpected alu %#x", f->code);
			}
			break;
		case BPF_JMP: {
			bool taken;
			switch (BPF_OP(f->code)) {
			case BPF_JA:
				pc += k;
				continue;
			case BPF_JEQ:
				taken = a == src;
				break;
			case BPF_JGT:
				taken = a > src;
				break;
			case BPF_JGE:
				taken = a >= src;
				break;
			case BPF_JSET:
				taken = (a & src) != 0;
				break;
			default:
				ck_abort_msg("unexpected jump %#x", f->code);
				taken = false;
			}
			pc += taken ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			ck_abort_msg("unexpected instruction %#x", f->code);
		}
	}
	ck_abort_msg("the filter ran off its end");
	return 0;
}

static uint32_t filter_says(const struct prog *p, long nr, const uint64_t args[6])
{
	struct seccomp_data d = {
	    .nr = (int)nr, .arch = AUDIT_ARCH_X86_64, .instruction_pointer = STUB_SYSCALL_ADDR};
	memcpy(d.args, args, sizeof(d.args));
	return run_prog(p, &d);
}

static const long vsyscall_nrs[] = {__NR_gettimeofday, __NR_time, __NR_getcpu};

static bool is_vsyscall(long nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(vsyscall_nrs); i++)
		if (vsyscall_nrs[i] == nr)
			return true;
	return false;
}

/* The filter and the table agree on (nr, args); returns whether allowed. */
static bool agree(const struct prog *p, long nr, const uint64_t args[6])
{
	uint32_t act = filter_says(p, nr, args);
	bool allowed = stub_syscall_allowed(nr, args);
	if (is_vsyscall(nr)) {
		ck_assert_msg((act & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRACE,
			      "vsyscall %ld not traced (%#x)", nr, act);
		ck_assert(!allowed);
		return false;
	}
	ck_assert_msg(act == (allowed ? SECCOMP_RET_ALLOW : SECCOMP_RET_KILL_PROCESS),
		      "syscall %ld: filter %#x, table %s", nr, act, allowed ? "allows" : "refuses");
	return allowed;
}

START_TEST(every_entry_is_in_the_filter)
{
	static struct prog p;
	build_prog(&p);
	ck_assert_uint_gt(stub_syscalls_count, 0);
	for (size_t i = 0; i < stub_syscalls_count; i++) {
		const struct stub_syscall *e = &stub_syscalls[i];
		uint64_t args[6] = {0x1000, 0x2000, 3, 0x22, (uint64_t)-1, 0};
		if (e->nvalues == 0) {
			ck_assert_msg(agree(&p, e->nr, args), "%s not allowed", e->name);
			continue;
		}
		ck_assert_uint_lt(e->arg, 6);
		ck_assert_uint_le(e->nvalues, STUB_SYSCALL_VALUES_MAX);
		for (unsigned v = 0; v < e->nvalues; v++) {
			args[e->arg] = e->values[v];
			ck_assert_msg(agree(&p, e->nr, args), "%s value %u not allowed", e->name,
				      v);
			/* Any other value of the argument, even one bit off, kills. */
			const uint64_t others[] = {0, e->values[v] ^ 1, e->values[v] | CLONE_VM,
						   e->values[v] ^ (1ULL << 40), ~e->values[v]};
			for (size_t o = 0; o < ARRAY_SIZE(others); o++) {
				bool listed = false;
				for (unsigned w = 0; w < e->nvalues; w++)
					listed |= others[o] == e->values[w];
				args[e->arg] = others[o];
				ck_assert_msg(agree(&p, e->nr, args) == listed, "%s with %#lx",
					      e->name, (unsigned long)others[o]);
			}
		}
	}
}
END_TEST

START_TEST(nothing_else_is_allowed)
{
	static struct prog p;
	build_prog(&p);
	const uint64_t args[6] = {0};
	int allowed = 0;
	for (long nr = 0; nr < 1024; nr++)
		allowed += agree(&p, nr, args);
	/* Each entry without a constraint once (arguments 0 match none of
	 * the constrained values). */
	int free_entries = 0;
	for (size_t i = 0; i < stub_syscalls_count; i++)
		free_entries += stub_syscalls[i].nvalues == 0;
	ck_assert_int_eq(allowed, free_entries);
	/* Another ABI (int $0x80 from the stub) is killed whatever the call. */
	struct seccomp_data d = {.nr = __NR_mmap, .arch = AUDIT_ARCH_I386};
	uint32_t act = run_prog(&p, &d);
	ck_assert_msg(act == SECCOMP_RET_KILL_THREAD || act == SECCOMP_RET_KILL_PROCESS, "%#x",
		      act);
	d = (struct seccomp_data){.nr = __NR_mmap | 0x40000000, .arch = AUDIT_ARCH_X86_64};
	ck_assert_uint_ne(run_prog(&p, &d), SECCOMP_RET_ALLOW);
}
END_TEST

/* A typed call ran in the stub: not refused, and the stub is alive. */
static void ran(struct stub_thread *th, long ret, const char *what)
{
	ck_assert_msg(ret != -ENOSYS && ret != -ESRCH, "%s: %ld", what, ret);
	long probe = platform_mmap(th, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_msg(probe > 0, "stub dead after %s (%ld)", what, probe);
	ck_assert_int_eq(platform_munmap(th, (uint64_t)probe, PAGE_SIZE), 0);
}

struct find_ctx {
	uint64_t addr;
	int found, stub_page;
};

static int find_mapping(void *ctx, const struct platform_mapping *m)
{
	struct find_ctx *c = ctx;
	c->found += m->start == c->addr && m->end == c->addr + 2 * PAGE_SIZE &&
		    strcmp(m->perms, "rw-p") == 0 && m->path[0] == '\0';
	c->stub_page += m->start <= STUB_ADDR && m->end > STUB_ADDR;
	return 0;
}

START_TEST(typed_calls_run_in_a_stub)
{
	struct error e;
	struct platform *pf;
	ck_assert_msg(platform_create(&pf, PLATFORM_PTRACE, &e) == 0, "%s", e.msg);
	struct stub_thread *th;
	ck_assert_msg(platform_new_address_space(pf, &th, &e) == 0, "%s", e.msg);

	long m = platform_mmap(th, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_msg(m > 0 && (uint64_t)m < PROGRAM_ADDR_LIMIT, "mmap: %ld", m);
	ran(th, m, "mmap");
	uint64_t at = (uint64_t)m;
	/* The mapping shows in the stub's map; the stub page does not. */
	struct find_ctx fc = {.addr = at};
	ck_assert_int_eq(platform_for_each_mapping(platform_thread_tid(th), find_mapping, &fc), 0);
	ck_assert_int_eq(fc.found, 1);
	ck_assert_int_eq(fc.stub_page, 0);
	struct platform_cpu cpu;
	ck_assert_int_eq(platform_cpu_usage(platform_thread_tid(th), &cpu), 0);
	struct timespec ts;
	ck_assert_int_eq(platform_cpu_time(platform_thread_tid(th), &ts), 0);
	ran(th, platform_mprotect(th, at, PAGE_SIZE, PROT_READ), "mprotect");
	ran(th, platform_madvise(th, at, PAGE_SIZE, MADV_DONTNEED), "madvise");
	ran(th, platform_msync(th, at, PAGE_SIZE, MS_ASYNC), "msync");
	ran(th, platform_mlock(th, at, PAGE_SIZE), "mlock");
	ran(th, platform_munlock(th, at, PAGE_SIZE), "munlock");
	ran(th, platform_mlock2(th, at, PAGE_SIZE, 1 /* MLOCK_ONFAULT */), "mlock2");
	ran(th, platform_munlock(th, at, PAGE_SIZE), "munlock");
	ran(th, platform_mincore(th, at, PAGE_SIZE, at + PAGE_SIZE), "mincore");
	ran(th, platform_mlockall(th, 0), "mlockall"); /* EINVAL: no flags */
	ran(th, platform_munlockall(th), "munlockall");
	/* Nothing registered: unregistering fails, and registers nothing. */
	ran(th, platform_rseq(th, at + PAGE_SIZE, sizeof(struct rseq), RSEQ_FLAG_UNREGISTER, 0),
	    "rseq");
	ran(th, platform_membarrier(th, 0 /* MEMBARRIER_CMD_QUERY */, 0, 0), "membarrier");
	/* A userfaultfd lands in the sentry's (here: the test's) fd table. */
	long uffd = platform_userfaultfd(th);
	/* (A host without userfaultfd answers ENOSYS itself.) */
	long own = syscall(__NR_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
	bool host_uffd = own >= 0 || errno != ENOSYS;
	if (own >= 0)
		close((int)own);
	if (host_uffd)
		ran(th, uffd, "userfaultfd");
	if (uffd >= 0) {
		/* Nothing to move: EINVAL before the handshake, but made. */
		ran(th, platform_uffd_move(th, (int)uffd, at), "ioctl UFFDIO_MOVE");
		close((int)uffd);
	}
	/* (The first page is a mapping of its own now: mprotect split it.) */
	long moved =
	    platform_mremap(th, at + PAGE_SIZE, PAGE_SIZE, 4 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
	ck_assert_msg(moved > 0, "mremap: %ld", moved);
	ran(th, moved, "mremap");
	ran(th, platform_munmap(th, (uint64_t)moved, 4 * PAGE_SIZE), "munmap");
	ran(th, platform_munmap(th, at, PAGE_SIZE), "munmap");

	/* clone with the thread flags, then exit of that thread. */
	struct stub_thread *thread;
	ck_assert_int_eq(platform_new_thread(th, &thread), 0);
	platform_end_thread(thread);
	platform_thread_free(thread);
	ran(th, 0, "new thread, end thread");
	/* clone with the fork flags. */
	struct stub_thread *child;
	ck_assert_int_eq(platform_fork(th, &child), 0);
	ran(child, 0, "fork (child)");
	platform_kill(platform_thread_tid(child));
	platform_thread_free(child);
	ran(th, 0, "fork (parent)");

	/* Outside the table: refused before the stub runs it, so the filter
	 * never kills the stub. */
	const uint64_t none[6] = {0};
	ck_assert_int_eq(stub_inject(th, __NR_getpid, none, NULL), -ENOSYS);
	ran(th, 0, "getpid refused");
	const uint64_t bad_clone[6] = {SIGCHLD};
	ck_assert_int_eq(stub_inject(th, __NR_clone, bad_clone, NULL), -ENOSYS);
	ran(th, 0, "clone with other flags refused");

	platform_kill(platform_thread_tid(th));
	platform_thread_free(th);
	platform_destroy(pf);
}
END_TEST

/* The systrap program threads' filter (systrap_build_filter): the handler's
 * few calls pass at the stub's one syscall site and nowhere else; every
 * other call, and any call from another architecture, traps. */
static uint32_t systrap_verdict(int nr, uint64_t ip, uint64_t arg0, uint32_t arch)
{
	struct prog p = {0};
	p.len = systrap_build_filter(p.insn, 7);
	struct seccomp_data d = {.nr = nr, .arch = arch, .instruction_pointer = ip};
	d.args[0] = arg0;
	return run_prog(&p, &d);
}

START_TEST(systrap_filter_allows_only_the_handler)
{
	const uint64_t site = SYSTRAP_ADDR(msentry_systrap_site) + 2;
	const uint32_t x86_64 = AUDIT_ARCH_X86_64;
	const int handler_calls[] = {__NR_futex, __NR_rt_sigreturn, __NR_arch_prctl, __NR_exit,
				     __NR_rseq};
	for (size_t i = 0; i < ARRAY_SIZE(handler_calls); i++) {
		int nr = handler_calls[i];
		ck_assert_uint_eq(systrap_verdict(nr, site, 0, x86_64), SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(systrap_verdict(nr, site + 4096, 0, x86_64), SECCOMP_RET_TRAP);
		ck_assert_uint_eq(systrap_verdict(nr, site ^ (1ULL << 40), 0, x86_64),
				  SECCOMP_RET_TRAP);
		ck_assert_uint_eq(systrap_verdict(nr, site, 0, AUDIT_ARCH_I386), SECCOMP_RET_TRAP);
	}
	/* write: only to the sentry's eventfd (7 here). */
	ck_assert_uint_eq(systrap_verdict(__NR_write, site, 7, x86_64), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(systrap_verdict(__NR_write, site, 1, x86_64), SECCOMP_RET_TRAP);
	/* The typed calls are the control thread's: never a program thread's. */
	const int others[] = {__NR_mmap, __NR_mprotect, __NR_clone, __NR_seccomp, __NR_sigaltstack,
			      __NR_rt_sigaction, __NR_rt_sigprocmask, __NR_openat, __NR_getpid};
	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		ck_assert_uint_eq(systrap_verdict(others[i], site, 7, x86_64), SECCOMP_RET_TRAP);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("platform");
	TCase *tc = tcase_create("seccomp-table");
	tcase_add_test(tc, every_entry_is_in_the_filter);
	tcase_add_test(tc, nothing_else_is_allowed);
	tcase_add_test(tc, typed_calls_run_in_a_stub);
	tcase_add_test(tc, systrap_filter_allows_only_the_handler);
	suite_add_tcase(s, tc);
	return check_run(s);
}
