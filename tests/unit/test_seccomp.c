/* The checker and interpreter of the program's seccomp filters
 * (sentry/kernel/seccomp-bpf.c).
 *
 *  - The checker accepts what Linux accepts and refuses (EINVAL) what it
 *    refuses: lengths, opcodes outside seccomp's list (MOD, packet loads),
 *    jumps out of the program, loads outside seccomp_data or unaligned,
 *    shifts past 31, division by constant 0, scratch slots read before
 *    written on some path, a last instruction that is not RET.
 *  - The interpreter computes what Linux computes: every ALU operation in
 *    K and X forms, division by X = 0 ending the program with 0, jumps,
 *    scratch memory, RET A.
 *  - Real filters: libseccomp builds them (as programs do), exports the
 *    BPF, and the checker accepts it and the interpreter gives each
 *    syscall the rule's action.
 *  - Every filter the checker accepted here is also accepted by the host
 *    kernel (installed in a child), and every one it refused is refused;
 *    so are 600 random short programs (a fixed seed).
 */
#include <check.h>

#include "tests/check-run.h"
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/kernel/seccomp-filter.h"

#define S(code, k)	 ((struct sock_filter)BPF_STMT((code), (k)))
#define J(code, k, t, f) ((struct sock_filter)BPF_JUMP((code), (k), (t), (f)))
#define RET_K(k)	 S(BPF_RET | BPF_K, (k))
#define LEN(a)		 (sizeof(a) / sizeof((a)[0]))

/* Whether the host kernel installs `prog` (in a child with no_new_privs). */
static bool host_accepts(const struct sock_filter *prog, size_t len)
{
	pid_t k = fork();
	if (k == 0) {
		struct sock_fprog fp = {.len = (unsigned short)len,
					.filter = (struct sock_filter *)prog};
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		_exit(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == 0 ? 0 : 1);
	}
	int st = 0;
	waitpid(k, &st, 0);
	/* Installed, the filter also judges the child's exit: it may die of
	 * it. Only the refusal path exits 1. */
	return !(WIFEXITED(st) && WEXITSTATUS(st) == 1);
}

static void expect(const struct sock_filter *prog, size_t len, int rc)
{
	ck_assert_int_eq(seccomp_bpf_check(prog, len), rc);
	ck_assert_int_eq(host_accepts(prog, len), rc == 0);
}

START_TEST(checker_refuses_what_linux_refuses)
{
	const struct sock_filter ok[] = {RET_K(SECCOMP_RET_ALLOW)};
	ck_assert_int_eq(seccomp_bpf_check(ok, 0), -EINVAL);
	static struct sock_filter big[SECCOMP_PROG_MAX + 1];
	for (size_t i = 0; i < LEN(big); i++)
		big[i] = RET_K(SECCOMP_RET_ALLOW);
	ck_assert_int_eq(seccomp_bpf_check(big, LEN(big)), -EINVAL);
	ck_assert_int_eq(seccomp_bpf_check(big, SECCOMP_PROG_MAX), 0);
	struct {
		struct sock_filter insn[3];
		size_t len;
	} bad[] = {
	    {{S(BPF_ALU | BPF_MOD | BPF_K, 3), RET_K(0)}, 2},
	    {{S(BPF_ALU | BPF_MOD | BPF_X, 0), RET_K(0)}, 2},
	    {{S(BPF_LD | BPF_H | BPF_ABS, 0), RET_K(0)}, 2},
	    {{S(BPF_LD | BPF_B | BPF_ABS, 0), RET_K(0)}, 2},
	    {{S(BPF_LD | BPF_W | BPF_IND, 0), RET_K(0)}, 2},
	    {{S(BPF_LDX | BPF_B | BPF_MSH, 0), RET_K(0)}, 2},
	    {{S(BPF_LD | BPF_W | BPF_ABS, 64), RET_K(0)}, 2},
	    {{S(BPF_LD | BPF_W | BPF_ABS, 6), RET_K(0)}, 2},
	    {{S(BPF_LD | BPF_W | BPF_ABS, 0xfffff000), RET_K(0)}, 2},
	    {{S(BPF_ALU | BPF_DIV | BPF_K, 0), RET_K(0)}, 2},
	    {{S(BPF_ALU | BPF_LSH | BPF_K, 32), RET_K(0)}, 2},
	    {{S(BPF_ALU | BPF_RSH | BPF_K, 40), RET_K(0)}, 2},
	    {{S(BPF_ST, 16), RET_K(0)}, 2},
	    {{S(BPF_LD | BPF_MEM, 0), RET_K(0)}, 2},
	    {{J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), S(BPF_ST, 2), S(BPF_LD | BPF_MEM, 2)}, 3},
	    {{S(BPF_JMP | BPF_JA, 1), RET_K(0)}, 2},
	    {{J(BPF_JMP | BPF_JGT | BPF_K, 0, 1, 0), RET_K(0)}, 2},
	    {{J(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1), RET_K(0)}, 2},
	    {{S(BPF_LD | BPF_IMM, 0)}, 1},
	    {{RET_K(0), S(BPF_MISC | BPF_TAX, 0)}, 2},
	    {{S(BPF_RET | BPF_X, 0)}, 1},
	    {{S(BPF_ALU | BPF_NEG | BPF_X, 0), RET_K(0)}, 2},
	    {{S(0x07 /* MISC */ | 0x10, 0), RET_K(0)}, 2},
	    {{S(BPF_JMP | 0x50, 0), RET_K(0)}, 2},
	};
	for (size_t i = 0; i < LEN(bad); i++) {
		if (seccomp_bpf_check(bad[i].insn, bad[i].len) != -EINVAL)
			ck_abort_msg("bad program %zu accepted", i);
		if (host_accepts(bad[i].insn, bad[i].len))
			ck_abort_msg("bad program %zu: the host accepts it", i);
	}
}
END_TEST

START_TEST(checker_accepts_every_seccomp_opcode)
{
	const struct sock_filter every[] = {
	    S(BPF_LD | BPF_W | BPF_ABS, 60),
	    S(BPF_LD | BPF_W | BPF_LEN, 0),
	    S(BPF_LDX | BPF_W | BPF_LEN, 0),
	    S(BPF_LD | BPF_IMM, 7),
	    S(BPF_LDX | BPF_IMM, 3),
	    S(BPF_ST, 15),
	    S(BPF_STX, 0),
	    S(BPF_LD | BPF_MEM, 15),
	    S(BPF_LDX | BPF_MEM, 0),
	    S(BPF_ALU | BPF_ADD | BPF_K, 1),
	    S(BPF_ALU | BPF_ADD | BPF_X, 0),
	    S(BPF_ALU | BPF_SUB | BPF_K, 1),
	    S(BPF_ALU | BPF_SUB | BPF_X, 0),
	    S(BPF_ALU | BPF_MUL | BPF_K, 1),
	    S(BPF_ALU | BPF_MUL | BPF_X, 0),
	    S(BPF_ALU | BPF_DIV | BPF_K, 1),
	    S(BPF_ALU | BPF_DIV | BPF_X, 0),
	    S(BPF_ALU | BPF_AND | BPF_K, 1),
	    S(BPF_ALU | BPF_AND | BPF_X, 0),
	    S(BPF_ALU | BPF_OR | BPF_K, 1),
	    S(BPF_ALU | BPF_OR | BPF_X, 0),
	    S(BPF_ALU | BPF_XOR | BPF_K, 1),
	    S(BPF_ALU | BPF_XOR | BPF_X, 0),
	    S(BPF_ALU | BPF_LSH | BPF_K, 31),
	    S(BPF_ALU | BPF_LSH | BPF_X, 0),
	    S(BPF_ALU | BPF_RSH | BPF_K, 31),
	    S(BPF_ALU | BPF_RSH | BPF_X, 0),
	    S(BPF_ALU | BPF_NEG, 0),
	    S(BPF_MISC | BPF_TAX, 0),
	    S(BPF_MISC | BPF_TXA, 0),
	    S(BPF_JMP | BPF_JA, 0),
	    J(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0),
	    J(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 0),
	    J(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 0),
	    J(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 0),
	    J(BPF_JMP | BPF_JGE | BPF_K, 1, 0, 0),
	    J(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 0),
	    J(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 0),
	    J(BPF_JMP | BPF_JSET | BPF_X, 0, 1, 0),
	    S(BPF_RET | BPF_A, 0),
	    RET_K(SECCOMP_RET_ALLOW),
	};
	expect(every, LEN(every), 0);
	/* A slot stored on every path to its read. */
	const struct sock_filter both_paths[] = {
	    J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
	    S(BPF_ST, 4),
	    S(BPF_JMP | BPF_JA, 1),
	    S(BPF_STX, 4),
	    S(BPF_LD | BPF_MEM, 4),
	    S(BPF_RET | BPF_A, 0),
	};
	expect(both_paths, LEN(both_paths), 0);
	const struct sock_filter one_path[] = {
	    J(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
	    S(BPF_ST, 4),
	    S(BPF_JMP | BPF_JA, 1),
	    S(BPF_STX, 5),
	    S(BPF_LD | BPF_MEM, 4),
	    S(BPF_RET | BPF_A, 0),
	};
	expect(one_path, LEN(one_path), -EINVAL);
}
END_TEST

/* Random short programs, from every 8-bit opcode and operands near the
 * limits: the checker and the host kernel agree on each (a fixed seed). */
START_TEST(checker_agrees_with_the_host_on_random_programs)
{
	static const uint16_t every_code[] = {
	    BPF_LD | BPF_W | BPF_ABS,
	    BPF_LD | BPF_W | BPF_LEN,
	    BPF_LDX | BPF_W | BPF_LEN,
	    BPF_LD | BPF_IMM,
	    BPF_LDX | BPF_IMM,
	    BPF_LD | BPF_MEM,
	    BPF_LDX | BPF_MEM,
	    BPF_ST,
	    BPF_STX,
	    BPF_ALU | BPF_DIV | BPF_K,
	    BPF_ALU | BPF_DIV | BPF_X,
	    BPF_ALU | BPF_LSH | BPF_K,
	    BPF_ALU | BPF_RSH | BPF_X,
	    BPF_ALU | BPF_MOD | BPF_K,
	    BPF_ALU | BPF_NEG,
	    BPF_MISC | BPF_TAX,
	    BPF_JMP | BPF_JA,
	    BPF_JMP | BPF_JEQ | BPF_K,
	    BPF_JMP | BPF_JSET | BPF_X,
	    BPF_RET | BPF_K,
	    BPF_RET | BPF_A,
	};
	static const uint32_t ks[] = {0, 1, 2, 3, 4, 15, 16, 31, 32, 60, 63, 64, 0xffffffff};
	uint32_t seed = 12345;
#define NEXT() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
	int accepted = 0;
	for (int n = 0; n < 600; n++) {
		struct sock_filter p[6];
		size_t len = 1 + NEXT() % LEN(p);
		for (size_t i = 0; i < len; i++) {
			/* Mostly opcodes seccomp knows, sometimes any. */
			uint16_t code = NEXT() % 4 ? every_code[NEXT() % LEN(every_code)]
						   : (uint16_t)(NEXT() % 256);
			p[i] = (struct sock_filter){code, (uint8_t)(NEXT() % 4),
						    (uint8_t)(NEXT() % 4), ks[NEXT() % LEN(ks)]};
		}
		if (NEXT() % 2)
			p[len - 1] = RET_K(ks[NEXT() % LEN(ks)] ? SECCOMP_RET_ALLOW : 0);
		int rc = seccomp_bpf_check(p, len);
		if ((rc == 0) != host_accepts(p, len))
			ck_abort_msg(
			    "program %d (len %zu, first code %#x): checker %d, host differs", n,
			    len, p[0].code, rc);
		accepted += rc == 0;
	}
#undef NEXT
	printf("%d of 600 random programs accepted\n", accepted);
	ck_assert_int_gt(accepted, 50); /* the sample is not all refusals */
}
END_TEST

static uint32_t run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d)
{
	ck_assert_int_eq(seccomp_bpf_check(prog, len), 0);
	return seccomp_bpf_run(prog, len, d);
}
#define RUN(prog, d) run((prog), LEN(prog), (d))

/* A = a OP b, in K form and in X form. */
static void alu_both(uint16_t op, uint32_t a, uint32_t b, uint32_t want)
{
	const struct seccomp_data d = {0};
	const struct sock_filter k[] = {S(BPF_LD | BPF_IMM, a), S(BPF_ALU | op | BPF_K, b),
					S(BPF_RET | BPF_A, 0)};
	const struct sock_filter x[] = {S(BPF_LD | BPF_IMM, a), S(BPF_LDX | BPF_IMM, b),
					S(BPF_ALU | op | BPF_X, 0), S(BPF_RET | BPF_A, 0)};
	ck_assert_uint_eq(RUN(k, &d), want);
	ck_assert_uint_eq(RUN(x, &d), want);
}

START_TEST(interpreter_computes_as_linux)
{
	alu_both(BPF_ADD, 0xfffffffe, 3, 1);
	alu_both(BPF_SUB, 1, 2, 0xffffffff);
	alu_both(BPF_MUL, 0x10000, 0x10001, 0x10000);
	alu_both(BPF_DIV, 100, 7, 14);
	alu_both(BPF_AND, 0xf0f0, 0xff00, 0xf000);
	alu_both(BPF_OR, 0xf0f0, 0x0f00, 0xfff0);
	alu_both(BPF_XOR, 0xff, 0x0f, 0xf0);
	alu_both(BPF_LSH, 1, 31, 0x80000000);
	alu_both(BPF_RSH, 0x80000000, 31, 1);
	const struct seccomp_data d = {.nr = 39,
				       .arch = AUDIT_ARCH_X86_64,
				       .instruction_pointer = 0x1122334455667788ULL,
				       .args = {0, 0xdeadbeefcafef00dULL}};
	/* Division by X = 0: the program ends with 0. */
	const struct sock_filter div0[] = {S(BPF_LD | BPF_IMM, 5), S(BPF_ALU | BPF_DIV | BPF_X, 0),
					   RET_K(SECCOMP_RET_ALLOW)};
	ck_assert_uint_eq(RUN(div0, &d), 0);
	/* Shifts by X use its low 5 bits. */
	const struct sock_filter shx[] = {S(BPF_LD | BPF_IMM, 1), S(BPF_LDX | BPF_IMM, 33),
					  S(BPF_ALU | BPF_LSH | BPF_X, 0), S(BPF_RET | BPF_A, 0)};
	ck_assert_uint_eq(RUN(shx, &d), 2);
	const struct sock_filter neg[] = {S(BPF_LD | BPF_IMM, 1), S(BPF_ALU | BPF_NEG, 0),
					  S(BPF_RET | BPF_A, 0)};
	ck_assert_uint_eq(RUN(neg, &d), 0xffffffff);
	/* Loads: the words of seccomp_data, little-endian halves; LEN. */
	const struct sock_filter ld[] = {S(BPF_LD | BPF_W | BPF_ABS, 28), S(BPF_RET | BPF_A, 0)};
	ck_assert_uint_eq(RUN(ld, &d), 0xdeadbeef);
	const struct sock_filter ip[] = {S(BPF_LD | BPF_W | BPF_ABS, 8), S(BPF_RET | BPF_A, 0)};
	ck_assert_uint_eq(RUN(ip, &d), 0x55667788);
	const struct sock_filter len[] = {S(BPF_LDX | BPF_W | BPF_LEN, 0), S(BPF_MISC | BPF_TXA, 0),
					  S(BPF_RET | BPF_A, 0)};
	ck_assert_uint_eq(RUN(len, &d), 64);
	/* Scratch memory and jumps. */
	const struct sock_filter mem[] = {
	    S(BPF_LD | BPF_W | BPF_ABS, 0),
	    S(BPF_ST, 7),
	    S(BPF_LD | BPF_IMM, 0),
	    S(BPF_LDX | BPF_MEM, 7),
	    J(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 3),
	    J(BPF_JMP | BPF_JSET | BPF_K, 0x20, 0, 2),
	    J(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 1),
	    RET_K(SECCOMP_RET_ERRNO | 1),
	    RET_K(SECCOMP_RET_KILL_PROCESS),
	};
	/* A = 0 here: JEQ 39 on A fails; the program kills. */
	ck_assert_uint_eq(RUN(mem, &d), SECCOMP_RET_KILL_PROCESS);
	const struct sock_filter tax[] = {
	    S(BPF_LD | BPF_W | BPF_ABS, 0),
	    J(BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 2),
	    J(BPF_JMP | BPF_JSET | BPF_K, 0x20, 0, 1),
	    RET_K(SECCOMP_RET_ERRNO | 1),
	    RET_K(SECCOMP_RET_KILL_PROCESS),
	};
	ck_assert_uint_eq(RUN(tax, &d), SECCOMP_RET_ERRNO | 1);
	const struct sock_filter ja[] = {S(BPF_JMP | BPF_JA, 1), RET_K(1), RET_K(2)};
	ck_assert_uint_eq(RUN(ja, &d), 2);
}
END_TEST

START_TEST(precedence_is_linux_order)
{
	const uint32_t order[] = {SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
				  SECCOMP_RET_TRAP | 9,	    SECCOMP_RET_ERRNO | 1,
				  SECCOMP_RET_USER_NOTIF,   SECCOMP_RET_TRACE,
				  SECCOMP_RET_LOG,	    SECCOMP_RET_ALLOW};
	for (size_t i = 0; i < LEN(order); i++)
		for (size_t j = 0; j < LEN(order); j++)
			ck_assert_int_eq(seccomp_action_wins(order[i], order[j]), i < j);
	/* The data does not count: the first found keeps a tie. */
	ck_assert(!seccomp_action_wins(SECCOMP_RET_ERRNO | 1, SECCOMP_RET_ERRNO | 2));
}
END_TEST

/* libseccomp's BPF for `ctx`, exported through a memfd. */
static size_t export(scmp_filter_ctx ctx, struct sock_filter *out, size_t max)
{
	int fd = memfd_create("filter", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(seccomp_export_bpf(ctx, fd), 0);
	off_t size = lseek(fd, 0, SEEK_END);
	ck_assert(size > 0 && (size_t)size <= max * sizeof(*out));
	ck_assert_int_eq(pread(fd, out, (size_t)size, 0), size);
	close(fd);
	return (size_t)size / sizeof(*out);
}

static uint32_t verdict(const struct sock_filter *p, size_t len, int nr, uint64_t a0, uint64_t a1)
{
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64, .args = {a0, a1}};
	return seccomp_bpf_run(p, len, &d);
}

START_TEST(libseccomp_filters_check_and_run)
{
	static struct sock_filter p[SECCOMP_PROG_MAX];
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(getcwd), 0), 0);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTTY), SCMP_SYS(ioctl), 1,
					  SCMP_A1(SCMP_CMP_EQ, 0x5401)),
			 0);
	ck_assert_int_eq(
	    seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(kill), 1, SCMP_A0(SCMP_CMP_GT, 100)), 0);
	ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(mmap), 1,
					  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfff, 1)),
			 0);
	size_t len = export(ctx, p, LEN(p));
	seccomp_release(ctx);
	expect(p, len, 0);
	ck_assert_uint_eq(verdict(p, len, SYS_getcwd, 0, 0), SECCOMP_RET_ERRNO | EACCES);
	ck_assert_uint_eq(verdict(p, len, SYS_ioctl, 1, 0x5401), SECCOMP_RET_ERRNO | ENOTTY);
	ck_assert_uint_eq(verdict(p, len, SYS_ioctl, 1, 0x5402), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(verdict(p, len, SYS_kill, 101, 0), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(verdict(p, len, SYS_kill, 100, 0), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(verdict(p, len, SYS_kill, 1ULL << 32, 0), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(verdict(p, len, SYS_mmap, 0, 0x2001), SECCOMP_RET_KILL_PROCESS);
	ck_assert_uint_eq(verdict(p, len, SYS_mmap, 0, 0x2002), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(verdict(p, len, SYS_getpid, 0, 0), SECCOMP_RET_ALLOW);
	/* Another arch: libseccomp's filter kills it (its bad-arch action). */
	struct seccomp_data other = {.nr = SYS_getpid, .arch = AUDIT_ARCH_I386};
	ck_assert_uint_eq(seccomp_bpf_run(p, len, &other), SECCOMP_RET_KILL_THREAD);

	/* A default-deny allow-list, as systemd and sshd build them. */
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	const int allowed[] = {SCMP_SYS(read),	SCMP_SYS(write),  SCMP_SYS(exit_group),
			       SCMP_SYS(futex), SCMP_SYS(openat), SCMP_SYS(close)};
	for (size_t i = 0; i < LEN(allowed); i++)
		ck_assert_int_eq(seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0), 0);
	len = export(ctx, p, LEN(p));
	seccomp_release(ctx);
	expect(p, len, 0);
	for (size_t i = 0; i < LEN(allowed); i++)
		ck_assert_uint_eq(verdict(p, len, allowed[i], 0, 0), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(verdict(p, len, SYS_getpid, 0, 0), SECCOMP_RET_ERRNO | EPERM);
	/* x32 numbers: libseccomp's filter kills them. */
	ck_assert_uint_eq(verdict(p, len, 0x40000000 | 1, 0, 0), SECCOMP_RET_KILL_THREAD);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc = tcase_create("bpf");
	tcase_set_timeout(tc, 60); /* a fork per program the host checks */
	tcase_add_test(tc, checker_refuses_what_linux_refuses);
	tcase_add_test(tc, checker_accepts_every_seccomp_opcode);
	tcase_add_test(tc, checker_agrees_with_the_host_on_random_programs);
	tcase_add_test(tc, interpreter_computes_as_linux);
	tcase_add_test(tc, precedence_is_linux_order);
	tcase_add_test(tc, libseccomp_filters_check_and_run);
	suite_add_tcase(s, tc);
	return check_run(s);
}
