/* process_vm_readv/process_vm_writev: within the caller, with another
 * process, scattered vectors, partial transfers at an unmapped page, and
 * the errors. Pids and addresses are never printed. */
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "probe.h"

#define NO_PID 0x3ffffff0

static char shared_buf[64];

static long vm_read(pid_t pid, void *l, size_t ll, void *r, size_t rl)
{
	struct iovec li = {l, ll}, ri = {r, rl};
	return syscall(SYS_process_vm_readv, pid, &li, 1, &ri, 1, 0);
}

/* Two pages, the second unmapped: an address `back` bytes before the hole. */
static char *before_hole(size_t back)
{
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m + 4096, 4096);
	memset(m, 'h', 4096);
	return m + 4096 - back;
}

static void self_cases(void)
{
	char src[] = "0123456789", dst[16] = {0};
	SHOW(vm_read(getpid(), dst, 10, src, 10));
	say("read: %s", dst);
	char a[4] = {0}, b[8] = {0};
	struct iovec l[2] = {{a, 3}, {b, 7}};
	struct iovec r[3] = {{src, 4}, {src + 6, 4}, {src, 2}};
	SHOW(syscall(SYS_process_vm_readv, getpid(), l, 2, r, 3, 0));
	say("scattered: %s|%s", a, b);
	SHOW(syscall(SYS_process_vm_readv, getpid(), l, 2, r, 3, 1));
	SHOW(syscall(SYS_process_vm_readv, getpid(), l, 1025, r, 3, 0));
	SHOW(syscall(SYS_process_vm_readv, getpid(), l, 2, r, 1025, 0));
	SHOW(syscall(SYS_process_vm_readv, getpid(), BADPTR, 2, r, 3, 0));
	SHOW(syscall(SYS_process_vm_readv, getpid(), l, 2, BADPTR, 3, 0));
	SHOW(syscall(SYS_process_vm_readv, getpid(), l, 0, BADPTR, 3, 0));
	SHOW(syscall(SYS_process_vm_readv, NO_PID, l, 2, r, 3, 0));
	SHOW(syscall(SYS_process_vm_readv, 0, l, 2, r, 3, 0));
	struct iovec neg = {a, (size_t)-1};
	SHOW(syscall(SYS_process_vm_readv, getpid(), &neg, 1, r, 3, 0));
	SHOW(syscall(SYS_process_vm_readv, getpid(), l, 2, &neg, 1, 0));
	char *edge = before_hole(4);
	memset(dst, 0, sizeof dst);
	SHOW(vm_read(getpid(), dst, 8, edge, 8));
	SHOW(vm_read(getpid(), dst, 8, edge + 4, 8));
	SHOW(vm_read(getpid(), edge, 8, src, 8));
	say("local edge: %.4s", edge);
	SHOW(vm_read(getpid(), dst, 8, BADPTR, 8));
	struct iovec two[2] = {{src, 2}, {BADPTR, 4}};
	struct iovec one = {dst, 6};
	SHOW(syscall(SYS_process_vm_readv, getpid(), &one, 1, two, 2, 0));
}

SYSCALL_TEST(process_vm_readv)
{
	self_cases();
	int go[2], back[2];
	pipe(go);
	pipe(back);
	pid_t k = probe_fork();
	if (k == 0) {
		strcpy(shared_buf, "the child's copy");
		write(back[1], "r", 1);
		char c;
		read(go[0], &c, 1);
		_exit(0);
	}
	strcpy(shared_buf, "the parent's copy");
	char c, got[64] = {0};
	read(back[0], &c, 1);
	SHOW(vm_read(k, got, sizeof got, shared_buf, 17));
	say("from the child: %s", got);
	write(go[1], "g", 1);
	siginfo_t si;
	syscall(SYS_waitid, P_PID, k, &si, WEXITED | WNOWAIT, NULL);
	SHOW(vm_read(k, got, sizeof got, shared_buf, 17));
	probe_wait("child", k);
}

SYSCALL_TEST(process_vm_writev)
{
	char src[] = "abcdefgh";
	char dst[16] = {0};
	struct iovec l = {src, 8}, r[2] = {{dst, 3}, {dst + 8, 5}};
	SHOW(syscall(SYS_process_vm_writev, getpid(), &l, 1, r, 2, 0));
	say("written: %.3s|%.5s", dst, dst + 8);
	SHOW(syscall(SYS_process_vm_writev, getpid(), &l, 1, r, 2, 2));
	SHOW(syscall(SYS_process_vm_writev, NO_PID, &l, 1, r, 2, 0));
	struct iovec hole = {before_hole(2), 8};
	SHOW(syscall(SYS_process_vm_writev, getpid(), &l, 1, &hole, 1, 0));
	int go[2], back[2];
	pipe(go);
	pipe(back);
	strcpy(shared_buf, "unchanged");
	pid_t k = probe_fork();
	if (k == 0) {
		char c;
		write(back[1], "r", 1);
		read(go[0], &c, 1);
		say("child sees: %s", shared_buf);
		_exit(0);
	}
	char c;
	read(back[0], &c, 1);
	struct iovec msg = {"written by the parent", 22}, there = {shared_buf, 22};
	SHOW(syscall(SYS_process_vm_writev, k, &msg, 1, &there, 1, 0));
	say("parent keeps: %s", shared_buf);
	write(go[1], "g", 1);
	probe_wait("child", k);
}
