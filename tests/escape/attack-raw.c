/* The escape suite's raw attacks (see attack.h): every syscall number by
 * `syscall` and by `int $0x80`, jumps into the syscall instructions of the
 * vDSO and of the stub page with chosen registers, forged rt_sigreturn
 * frames, and the program's own seccomp filters. Each attempt aims at the
 * canary (SIGUSR1, which it logs) or the victim (SIGKILL: msentry itself
 * under the sandbox), and runs in a child of its own, killed if it hangs:
 * an attempt may crash or block without stopping the next. */
#include <elf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#include "attack.h"

#define STUB_PAGE 0x7fffffffe000UL

/* What the current child loads into its registers. Global: children of
 * in_child() see the parent's values. */
struct regset {
	long nr, a1, a2, a3, a4, target;
};
struct regset escape_regs;
static const struct target *tg;

/* Four register sets: the canary by kill, by tgkill, the victim by kill
 * and by tgkill. */
static void set_regs(int which, long nr)
{
	pid_t c = tg->canary, v = tg->victim;
	long sets[4][4] = {{c, SIGUSR1, c, SIGUSR1},
			   {c, c, SIGUSR1, 0},
			   {v, SIGKILL, v, SIGKILL},
			   {v, v, SIGKILL, 0}};
	escape_regs.nr = nr;
	escape_regs.a1 = sets[which][0];
	escape_regs.a2 = sets[which][1];
	escape_regs.a3 = sets[which][2];
	escape_regs.a4 = sets[which][3];
}

static void do_syscall(long unused)
{
	(void)unused;
	raw6(escape_regs.nr, escape_regs.a1, escape_regs.a2, escape_regs.a3, escape_regs.a4, 0, 0);
}

static void do_int80(long unused)
{
	(void)unused;
	long ret;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(escape_regs.nr), "b"(escape_regs.a1), "c"(escape_regs.a2),
			   "d"(escape_regs.a3), "S"(escape_regs.a4)
			 : "memory");
}

/* 0 .. 470 and a few beyond: x32's numbers, out of range, negative. */
static const long extra_numbers[] = {
    512, 520, 545, 1000, 0x40000000 | SYS_kill, 0x40000000 | SYS_tgkill, -1, 0x7fffffff};

static int sweep(void (*fn)(long), int max)
{
	int n = 0;
	for (int set = 0; set < 4; set++) {
		for (long nr = 0; nr <= max; nr++, n++) {
			set_regs(set, nr);
			in_child(fn, 0, 300);
		}
		for (size_t i = 0; i < sizeof(extra_numbers) / sizeof(extra_numbers[0]); i++, n++) {
			set_regs(set, extra_numbers[i]);
			in_child(fn, 0, 300);
		}
	}
	char line[64];
	snprintf(line, sizeof(line), "sweep %d attempts\n", n);
	out_append(tg, "log", line, strlen(line));
	return 42;
}

int attack_sweep(const struct target *t)
{
	tg = t;
	return sweep(do_syscall, 470);
}

int attack_int80(const struct target *t)
{
	tg = t;
	return sweep(do_int80, 450);
}

/* Set the registers and jump: whatever runs at the target runs with them. */
static void jump_with_regs(long unused)
{
	(void)unused;
	__asm__ volatile("mov escape_regs+0(%%rip), %%rax\n\t"
			 "mov escape_regs+8(%%rip), %%rdi\n\t"
			 "mov escape_regs+16(%%rip), %%rsi\n\t"
			 "mov escape_regs+24(%%rip), %%rdx\n\t"
			 "mov escape_regs+32(%%rip), %%r10\n\t"
			 "mov %%rdi, %%rbx\n\t" /* int $0x80's first argument */
			 "mov %%rsi, %%rcx\n\t"
			 "jmp *escape_regs+40(%%rip)" ::
			     : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r10", "memory");
}

/* Every offset of [start, start+len) that holds `syscall` (0f 05),
 * `int $0x80` (cd 80) or `sysenter` (0f 34), or every offset at all when
 * the bytes cannot be read (bytes == NULL). */
static int jump_gadgets(const unsigned char *bytes, unsigned long start, size_t len)
{
	int n = 0;
	for (size_t off = 0; off + 1 < len; off++) {
		if (bytes &&
		    !((bytes[off] == 0x0f && (bytes[off + 1] == 0x05 || bytes[off + 1] == 0x34)) ||
		      (bytes[off] == 0xcd && bytes[off + 1] == 0x80)))
			continue;
		for (int set = 0; set < 4; set++) {
			long nr = bytes && bytes[off] == 0xcd ? (set & 1 ? 270 : 37)
							      : (set & 1 ? SYS_tgkill : SYS_kill);
			set_regs(set, nr);
			escape_regs.target = (long)(start + off);
			in_child(jump_with_regs, 0, 200);
			n++;
		}
	}
	return n;
}

/* The stub page, if the program can read it at all: copied in a child
 * (a fault there must not end the attack) into a shared page. */
static unsigned char *shared_copy;
static void copy_stub_page(long unused)
{
	(void)unused;
	memcpy(shared_copy, (const void *)STUB_PAGE, 4096);
	shared_copy[4096] = 1;
}

static size_t vdso_size(const unsigned char *vdso)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)vdso;
	size_t end = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(vdso + eh->e_phoff) + i;
		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > end)
			end = ph->p_offset + ph->p_filesz;
	}
	return end;
}

int attack_gadgets(const struct target *t)
{
	tg = t;
	int n = 0;
	const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	if (vdso)
		n += jump_gadgets(vdso, (unsigned long)vdso, vdso_size(vdso));
	shared_copy = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_copy != MAP_FAILED) {
		in_child(copy_stub_page, 0, 1000);
		/* Readable: its gadgets; unreadable: every offset (the page
		 * may still be executable). */
		n += jump_gadgets(shared_copy[4096] ? shared_copy : NULL, STUB_PAGE, 4096);
	}
	char line[80];
	snprintf(line, sizeof(line), "gadgets %d jumps (vdso %s, stub page %s)\n", n,
		 vdso ? "found" : "none", shared_copy[4096] ? "readable" : "unreadable");
	out_append(t, "log", line, strlen(line));
	return 42;
}

/* The platform's own memory above the program's (the systrap platform's
 * slots: registers and signal stacks shared with the sentry; on ptrace
 * nothing is mapped there): every writable page found is filled with
 * values that are addresses and syscall numbers of the attack's choosing,
 * a thread of the process is left making syscalls meanwhile, then the
 * canary and the victim are aimed at from the garbled state. Whatever
 * the platform reads back must not let a call reach the host. */
#define PLATFORM_AREA 0x7fffe0000000UL
#define SLOT 0x10000UL
static sigjmp_buf garble_jmp;
static volatile int garbling;

static void skip_page(int sig)
{
	(void)sig;
	siglongjmp(garble_jmp, 1);
}

/* A thread making syscalls while its slot is being garbled. */
static void *busy_thread(void *arg)
{
	(void)arg;
	while (garbling)
		raw6(SYS_getppid, 0, 0, 0, 0, 0, 0);
	return NULL;
}

/* One slot's shared page, if it is mapped (not on ptrace). */
static void garble_slot(volatile long *w, long salt)
{
	if (sigsetjmp(garble_jmp, 1) != 0)
		return;
	for (int i = 0; i < 512; i++)
		w[i] = i % 3 == 0 ? (long)SYS_kill : i % 3 == 1 ? tg->canary : (long)STUB_PAGE + salt;
}

static void garble(long seed)
{
	signal(SIGSEGV, skip_page);
	signal(SIGBUS, skip_page);
	garbling = 1;
	pthread_t th;
	pthread_create(&th, NULL, busy_thread, NULL);
	for (int round = 0; round < 200; round++)
		for (unsigned long slot = 0; slot < 8; slot++)
			garble_slot((volatile long *)(PLATFORM_AREA + slot * SLOT), seed + round);
	garbling = 0;
	set_regs((int)(seed & 3), seed & 1 ? SYS_tgkill : SYS_kill);
	do_syscall(0);
}

int attack_slots(const struct target *t)
{
	tg = t;
	for (long seed = 0; seed < 16; seed++)
		in_child(garble, seed, 2000);
	out_append(t, "log", "slots garbled\n", 14);
	return 42;
}

/* A `syscall; int $0x80; hlt` of the attack's own, for forged frames. */
__asm__(".pushsection .text\n"
	".globl escape_gadget\n"
	"escape_gadget: syscall\n"
	"int $0x80\n"
	"hlt\n"
	".popsection\n");
extern char escape_gadget[];

/* A forged rt_sigreturn frame: the kernel's layout (pretcode, ucontext,
 * siginfo) with rsp just past pretcode, as after a handler's `ret`. */
struct forged {
	long pretcode;
	ucontext_t uc;
	siginfo_t info;
	unsigned char fpspace[4096] __attribute__((aligned(64)));
};
static struct forged frame __attribute__((aligned(64)));

static void sigreturn_with(long variant)
{
	greg_t *r = frame.uc.uc_mcontext.gregs;
	memset(&frame, 0, sizeof(frame));
	r[REG_RAX] = escape_regs.nr;
	r[REG_RDI] = r[REG_RBX] = escape_regs.a1;
	r[REG_RSI] = r[REG_RCX] = escape_regs.a2;
	r[REG_RDX] = escape_regs.a3;
	r[REG_R10] = escape_regs.a4;
	r[REG_RSP] = (greg_t)(frame.fpspace + 2048);
	r[REG_RIP] = escape_regs.target;
	r[REG_CSGSFS] = 0x33; /* cs 0x33, the 64-bit user selector */
	r[REG_EFL] = 0x202;
	switch (variant) {
	case 1: /* 32-bit code segment: `syscall` and `int $0x80` in compat mode */
		r[REG_CSGSFS] = 0x23;
		break;
	case 2: /* every selector and flag bit set (IOPL, NT, TF, AC, VM...) */
		r[REG_CSGSFS] = -1;
		r[REG_EFL] = -1;
		break;
	case 3: /* an fpstate pointer into the kernel, then a garbage one */
		frame.uc.uc_mcontext.fpregs = (fpregset_t)0xffff888000000000UL;
		break;
	case 4:
		frame.uc.uc_mcontext.fpregs = (fpregset_t)(frame.fpspace + 1);
		memset(frame.fpspace, 0xff, sizeof(frame.fpspace));
		break;
	case 5: /* a non-canonical and a kernel rip */
		r[REG_RIP] = (greg_t)0x8000000000000000UL;
		break;
	case 6:
		r[REG_RIP] = (greg_t)0xffffffff81000000UL;
		break;
	case 7: /* garbage flags and stack, kernel rsp */
		frame.uc.uc_flags = -1UL;
		frame.uc.uc_stack.ss_sp = (void *)-1L;
		r[REG_RSP] = (greg_t)0xffff800000000000UL;
		break;
	default: /* the plain frame */
		break;
	}
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "mov $15, %%eax\n\t"
			 "syscall\n\t"
			 "hlt" ::"r"(&frame.uc)
			 : "rax", "memory");
}

int sigreturn_only = -1; /* attack sigreturn BASE N: variant N only */

int attack_sigreturn(const struct target *t)
{
	tg = t;
	const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	long targets[3] = {(long)escape_gadget, (long)STUB_PAGE, 0};
	/* A syscall instruction of the vDSO, if it has one. */
	for (size_t off = 0; vdso && off + 1 < vdso_size(vdso); off++)
		if (vdso[off] == 0x0f && vdso[off + 1] == 0x05) {
			targets[2] = (long)(vdso + off);
			break;
		}
	int n = 0;
	for (int set = 0; set < 4; set++)
		for (int tgt = 0; tgt < 3; tgt++)
			for (long variant = 0; variant < 8; variant++, n++) {
				bool only = sigreturn_only >= 0;
				if (!targets[tgt] || (only && variant != sigreturn_only))
					continue;
				/* kill/tgkill in 64-bit numbers, or 32-bit ones for compat mode */
				set_regs(set, variant == 1 ? (set & 1 ? 270 : 37)
							   : (set & 1 ? SYS_tgkill : SYS_kill));
				escape_regs.target = targets[tgt];
				in_child(sigreturn_with, variant, 300);
			}
	char line[64];
	snprintf(line, sizeof(line), "sigreturn %d frames\n", n);
	out_append(t, "log", line, strlen(line));
	return 42;
}

/* The program's own filters: each variant installs one, then tries the
 * canary and the victim by raw syscalls. Had the filter reached the host,
 * the sentry (the stubs' tracer) would see its TRACE events, and ERRNO or
 * KILL would break its own injected calls. */
static void filtered(long ret)
{
	struct sock_filter insn[] = {BPF_STMT(BPF_RET | BPF_K, (uint32_t)ret)};
	struct sock_fprog prog = {1, insn};
	raw6(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
	if (ret == -1)
		raw6(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, 0, 0, 0, 0);
	else
		raw6(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, (long)&prog,
		     0, 0, 0);
	pid_t c = tg->canary, v = tg->victim;
	raw6(SYS_kill, c, SIGUSR1, 0, 0, 0, 0);
	raw6(SYS_tgkill, c, c, SIGUSR1, 0, 0, 0);
	if (fork() == 0) /* the sentry injects a clone: must not be filtered */
		raw6(SYS_kill, c, SIGUSR1, 0, 0, 0, 0);
	mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	raw6(SYS_ptrace, 16 /* PTRACE_ATTACH */, c, 0, 0, 0, 0);
	raw6(SYS_kill, v, SIGKILL, 0, 0, 0, 0);
}

int attack_seccomp(const struct target *t)
{
	tg = t;
	const long actions[] = {
	    SECCOMP_RET_ALLOW,	     SECCOMP_RET_TRACE,	       SECCOMP_RET_ERRNO | 1,
	    SECCOMP_RET_TRAP,	     SECCOMP_RET_USER_NOTIF,   SECCOMP_RET_LOG,
	    SECCOMP_RET_KILL_THREAD, SECCOMP_RET_KILL_PROCESS, -1 /* strict mode */};
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		in_child(filtered, actions[i], 1000);
	out_append(t, "log", "seccomp done\n", 13);
	return 42;
}
