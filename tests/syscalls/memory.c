/* Memory: mappings, protections, remapping, syncing, advice, the break and
 * locking. Addresses are never printed, only what they hold and whether
 * touching them faults (in a child). */
#include <sys/mman.h>

#include "probe.h"

#define PAGE 4096

/* Touch addr in a child (read or write) and report how the child ended. */
static void touch(const char *label, volatile char *addr, bool write)
{
	pid_t k = probe_fork();
	if (k == 0) {
		if (write)
			*addr = 1;
		else
			(void)*addr;
		_exit(0);
	}
	probe_wait(label, k);
}

static void *anon(size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* mmap is partial: MAP_FIXED may not touch the stub page at the top of the
 * address space; nothing here goes near it. */
SYSCALL_TEST(mmap)
{
	/* A closed fd is EBADF even with a length of 0 (LTP mmap08). */
	SHOW(syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_SHARED, 99, 0));
	SHOW(syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	char *a = (char *)OK(syscall(SYS_mmap, NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	say("page aligned: %d, zero filled: %d", ((uintptr_t)a & (PAGE - 1)) == 0,
	    a[0] == 0 && a[2 * PAGE - 1] == 0);
	strcpy(a + PAGE, "anonymous");
	say("holds: %s", a + PAGE);
	/* A shared file mapping writes through to the file. */
	put_file("f", "file contents here");
	ftruncate(open("f", O_RDWR), PAGE);
	int fd = open("f", O_RDWR);
	char *s =
	    (char *)OK(syscall(SYS_mmap, NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	say("mapped file: %s", s);
	memcpy(s, "FILE", 4);
	char b[20] = {0};
	pread(fd, b, 18, 0);
	say("read back through the fd: %s", b);
	/* A private one does not. */
	char *p =
	    (char *)OK(syscall(SYS_mmap, NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	memcpy(p, "priv", 4);
	pread(fd, b, 18, 0);
	say("private copy: %.18s, file: %s", p, b);
	/* Shared anonymous memory is shared with a child. */
	char *sh = (char *)OK(syscall(SYS_mmap, NULL, PAGE, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	char *pr = anon(PAGE, PROT_READ | PROT_WRITE);
	pid_t k = probe_fork();
	if (k == 0) {
		strcpy(sh, "from child");
		strcpy(pr, "from child");
		_exit(0);
	}
	probe_wait("child", k);
	say("shared: [%s] private: [%s]", sh, pr);
	/* A fixed mapping replaces what was there. */
	char *f = (char *)OK(syscall(SYS_mmap, a, PAGE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	say("at the address asked: %d, zeroed: %d, next page kept: %s", f == a, a[0] == 0,
	    a + PAGE);
	SHOW(syscall(SYS_mmap, a, PAGE, PROT_READ,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	/* A mapping beyond the end of the file: SIGBUS past the last page. */
	char *big = (char *)OK(syscall(SYS_mmap, NULL, 3 * PAGE, PROT_READ, MAP_SHARED, fd, 0));
	touch("read inside the file", big, false);
	touch("read past the file's end", big + 2 * PAGE, false);
	touch("write to a read-only mapping", big, true);
	SHOW(syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	SHOW(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, 99, 0));
	SHOW(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100));
	SHOW(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1,
		     0));
	SHOW(syscall(SYS_mmap, (void *)(a + 1), PAGE, PROT_READ,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	int ro = open("f", O_RDONLY);
	SHOW(syscall(SYS_mmap, NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
	int wo = open("f", O_WRONLY);
	SHOW(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, wo, 0));
	int d = open(".", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_mmap, NULL, PAGE, PROT_READ, MAP_PRIVATE, d, 0));
	SHOW(syscall(SYS_mmap, NULL, 1UL << 50, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
}

SYSCALL_TEST(munmap)
{
	char *a = anon(3 * PAGE, PROT_READ | PROT_WRITE);
	strcpy(a, "first");
	strcpy(a + 2 * PAGE, "third");
	SHOW(syscall(SYS_munmap, a + PAGE, PAGE));
	touch("read the unmapped middle page", a + PAGE, false);
	say("neighbours kept: %s %s", a, a + 2 * PAGE);
	SHOW(syscall(SYS_munmap, a + PAGE, PAGE));
	SHOW(syscall(SYS_munmap, a + 1, PAGE));
	SHOW(syscall(SYS_munmap, a, 0));
	SHOW(syscall(SYS_munmap, (void *)-PAGE, 2 * PAGE));
	SHOW(syscall(SYS_munmap, a, 3 * PAGE));
	touch("read the first page", a, false);
	/* A partial page length unmaps the whole page. */
	char *b = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	SHOW(syscall(SYS_munmap, b, 10));
	touch("read the partly unmapped page", b, false);
	touch("read the page after it", b + PAGE, false);
}

SYSCALL_TEST(mprotect)
{
	char *a = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	strcpy(a, "data");
	SHOW(syscall(SYS_mprotect, a, PAGE, PROT_READ));
	say("still readable: %s", a);
	touch("write a read-only page", a, true);
	touch("write the next page", a + PAGE, true);
	SHOW(syscall(SYS_mprotect, a, PAGE, PROT_NONE));
	touch("read a PROT_NONE page", a, false);
	SHOW(syscall(SYS_mprotect, a, PAGE, PROT_READ | PROT_WRITE));
	a[1] = 'A';
	say("writable again: %s", a);
	SHOW(syscall(SYS_mprotect, a + 1, PAGE, PROT_READ));
	SHOW(syscall(SYS_mprotect, a, PAGE, 0x100));
	munmap(a + PAGE, PAGE);
	SHOW(syscall(SYS_mprotect, a, 2 * PAGE, PROT_READ));
	/* A read-only file mapping cannot become shared-writable. */
	put_file("f", "x");
	int ro = open("f", O_RDONLY);
	char *m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
	SHOW(syscall(SYS_mprotect, m, PAGE, PROT_READ | PROT_WRITE));
	char *pm = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, ro, 0);
	SHOW(syscall(SYS_mprotect, pm, PAGE, PROT_READ | PROT_WRITE));
	/* Growing down on a PROT_GROWSDOWN request on a normal mapping. */
	SHOW(syscall(SYS_mprotect, a, PAGE, PROT_READ | PROT_GROWSDOWN));
}

SYSCALL_TEST(mremap)
{
	char *a = anon(PAGE, PROT_READ | PROT_WRITE);
	strcpy(a, "moved data");
	char *b = (char *)OK(syscall(SYS_mremap, a, PAGE, 4 * PAGE, MREMAP_MAYMOVE));
	say("contents kept: %s, new pages zero: %d", b, b[3 * PAGE] == 0);
	b[4 * PAGE - 1] = 1;
	/* Shrink in place. */
	char *c = (char *)OK(syscall(SYS_mremap, b, 4 * PAGE, PAGE, 0));
	say("same address: %d", c == b);
	touch("read beyond the shrunk mapping", b + 2 * PAGE, false);
	/* Growing in place fails when the next page is taken. */
	char *two = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	SHOW(syscall(SYS_mremap, two, PAGE, 2 * PAGE, 0));
	/* Move to a fixed address. */
	char *dst = anon(PAGE, PROT_NONE);
	strcpy(two, "fixed");
	char *e =
	    (char *)OK(syscall(SYS_mremap, two, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst));
	say("at dst: %d, holds %s", e == dst, dst);
	touch("read the old place", two, false);
	/* MREMAP_DONTUNMAP leaves the old range mapped (and empty). */
	char *src = anon(PAGE, PROT_READ | PROT_WRITE);
	strcpy(src, "dontunmap");
	char *g =
	    (char *)OK(syscall(SYS_mremap, src, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP));
	say("new holds %s, old is zero: %d", g, src[0] == 0);
	SHOW(syscall(SYS_mremap, a + 1, PAGE, PAGE, MREMAP_MAYMOVE));
	SHOW(syscall(SYS_mremap, c, PAGE, 0, MREMAP_MAYMOVE));
	SHOW(syscall(SYS_mremap, c, PAGE, 2 * PAGE, 0x40));
	SHOW(syscall(SYS_mremap, c, PAGE, PAGE, MREMAP_FIXED, dst));
	munmap(dst, PAGE);
	SHOW(syscall(SYS_mremap, dst, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
}

SYSCALL_TEST(msync)
{
	put_file("f", "before");
	int fd = open("f", O_RDWR);
	ftruncate(fd, PAGE);
	char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memcpy(m, "after!", 6);
	SHOW(syscall(SYS_msync, m, PAGE, MS_SYNC));
	SHOW(syscall(SYS_msync, m, PAGE, MS_ASYNC));
	SHOW(syscall(SYS_msync, m, PAGE, MS_INVALIDATE));
	say("file: %s", fd_contents(fd));
	SHOW(syscall(SYS_msync, m, PAGE, MS_SYNC | MS_ASYNC));
	SHOW(syscall(SYS_msync, m + 1, PAGE, MS_SYNC));
	SHOW(syscall(SYS_msync, m, PAGE, 0x100));
	munmap(m, PAGE);
	SHOW(syscall(SYS_msync, m, PAGE, MS_SYNC));
	char *a = anon(PAGE, PROT_READ | PROT_WRITE);
	SHOW(syscall(SYS_msync, a, PAGE, MS_SYNC));
}

SYSCALL_TEST(madvise)
{
	char *a = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	strcpy(a, "private");
	SHOW(syscall(SYS_madvise, a, 2 * PAGE, MADV_NORMAL));
	SHOW(syscall(SYS_madvise, a, 2 * PAGE, MADV_WILLNEED));
	SHOW(syscall(SYS_madvise, a, PAGE, MADV_DONTNEED));
	say("anonymous after DONTNEED is zero: %d", a[0] == 0);
	/* A private file mapping falls back to the file. */
	put_file("f", "from the file");
	int fd = open("f", O_RDONLY);
	char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	memcpy(m, "CHANGED", 7);
	say("before: %.13s", m);
	SHOW(syscall(SYS_madvise, m, PAGE, MADV_DONTNEED));
	say("after: %.13s", m);
	/* MADV_DONTFORK: the child does not get the range. */
	SHOW(syscall(SYS_madvise, a + PAGE, PAGE, MADV_DONTFORK));
	touch("child reads a DONTFORK page", a + PAGE, false);
	SHOW(syscall(SYS_madvise, a + PAGE, PAGE, MADV_DOFORK));
	touch("child reads it after DOFORK", a + PAGE, false);
	SHOW(syscall(SYS_madvise, a + 1, PAGE, MADV_NORMAL));
	SHOW(syscall(SYS_madvise, a, PAGE, 999));
	munmap(a, 2 * PAGE);
	SHOW(syscall(SYS_madvise, a, PAGE, MADV_NORMAL));
}

/* brk is partial: emulated on anonymous mappings. Only relations between
 * the values it returns are printed. It has no errno: a refused request
 * returns the current break, which is the error case checked. */
SYSCALL_TEST(brk)
{
	/* libc's heap ends at the break: printing first makes it allocate
	 * its stdout buffer now, not in the pages moved below. */
	say("brk: the heap's end moves");
	char *cur = (char *)syscall(SYS_brk, 0);
	say("brk(0) stable across calls: %d", (char *)syscall(SYS_brk, 0) == cur);
	char *grown = (char *)syscall(SYS_brk, cur + 3 * PAGE);
	say("grow by 3 pages: %d", grown == cur + 3 * PAGE);
	memset(cur, 'b', 3 * PAGE);
	say("new memory usable: %c", cur[3 * PAGE - 1]);
	char *shrunk = (char *)syscall(SYS_brk, cur + PAGE);
	say("shrink to 1 page: %d", shrunk == cur + PAGE);
	touch("read above the shrunk break", cur + 2 * PAGE, false);
	/* Below the start of the heap: refused, the break stays. */
	say("brk(1) keeps the break: %d", (char *)syscall(SYS_brk, 1) == cur + PAGE);
	/* Into an existing mapping: refused. */
	char *m = mmap(cur + 64 * PAGE, PAGE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	say("mapped above the break: %d", m == cur + 64 * PAGE);
	say("brk into it refused: %d", (char *)syscall(SYS_brk, cur + 80 * PAGE) == cur + PAGE);
	/* A child inherits the break. */
	pid_t k = probe_fork();
	if (k == 0) {
		say("child's break is the parent's: %d", (char *)syscall(SYS_brk, 0) == cur + PAGE);
		_exit(0);
	}
	probe_wait("child", k);
	syscall(SYS_brk, cur);
}

SYSCALL_TEST(mlock)
{
	char *a = anon(4 * PAGE, PROT_READ | PROT_WRITE);
	SHOW(syscall(SYS_mlock, a, 2 * PAGE));
	say("locked memory is usable: %d", (a[0] = 1) == 1);
	SHOW(syscall(SYS_mlock, a + 1, 10));
	SHOW(syscall(SYS_mlock, a, 0));
	munmap(a + 3 * PAGE, PAGE);
	SHOW(syscall(SYS_mlock, a + 2 * PAGE, 2 * PAGE));
	SHOW(syscall(SYS_mlock, (void *)-PAGE, 2 * PAGE));
	munlock(a, 3 * PAGE);
}

SYSCALL_TEST(munlock)
{
	char *a = anon(4 * PAGE, PROT_READ | PROT_WRITE);
	mlock(a, 2 * PAGE);
	SHOW(syscall(SYS_munlock, a, 2 * PAGE));
	SHOW(syscall(SYS_munlock, a, 2 * PAGE));
	SHOW(syscall(SYS_munlock, a + 1, 10));
	SHOW(syscall(SYS_munlock, a, 0));
	munmap(a + 3 * PAGE, PAGE);
	SHOW(syscall(SYS_munlock, a + 2 * PAGE, 2 * PAGE));
}

SYSCALL_TEST(mincore)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m[0] = 1;
	m[2 * pg] = 1;
	unsigned char vec[4] = {0xff, 0xff, 0xff, 0xff};
	SHOW(syscall(SYS_mincore, m, 4 * pg, vec));
	say("resident: %d %d %d %d", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
	SHOW(syscall(SYS_mincore, m + 1, pg, vec));
	SHOW(syscall(SYS_mincore, m, 4 * pg, BADPTR));
	SHOW(syscall(SYS_mincore, m, 0, vec));
	munmap(m + 3 * pg, pg);
	SHOW(syscall(SYS_mincore, m, 4 * pg, vec));
	SHOW(syscall(SYS_mincore, (void *)0x7ffffffff000UL - pg, pg, vec));
	SHOW(syscall(SYS_mincore, m, (size_t)-4096, vec));
	munmap(m, 3 * pg);
}
