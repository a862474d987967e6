/* System V shared memory. Natively these segments are the host's: every
 * test removes what it makes (IPC_RMID), and keyed segments use a key
 * unlikely to be taken (from the probe's pid, the same both ways). */
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "probe.h"

static key_t probe_key(void)
{
	return (key_t)(0x6d730000 | (getpid() & 0xffff));
}

static void show_ds(int id)
{
	struct shmid_ds ds;
	if (SHOW(shmctl(id, IPC_STAT, &ds)) == 0)
		say("segsz %zu nattch %lu mode %o cpid==me %d", ds.shm_segsz,
		    (unsigned long)ds.shm_nattch, ds.shm_perm.mode & 01777,
		    ds.shm_cpid == getpid());
}

SYSCALL_TEST(shmget)
{
	int id = (int)OK(shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600));
	show_ds(id);
	key_t k = probe_key();
	/* Natively the key is the host's: a segment an interrupted earlier
	 * run left behind would make IPC_EXCL fail. Silently cleared. */
	int stale = shmget(k, 0, 0);
	if (stale >= 0)
		shmctl(stale, IPC_RMID, NULL);
	int kid = (int)OK(shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0640));
	say("same key, same id: %d", shmget(k, 4096, 0) == kid);
	say("smaller size, same id: %d", shmget(k, 100, 0) == kid);
	SHOW(shmget(k, 8192, 0));
	SHOW(shmget(k, 4096, IPC_CREAT | IPC_EXCL | 0600));
	SHOW(shmget(k + 1, 4096, 0));
	SHOW(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
	SHOW(shmctl(kid, IPC_RMID, NULL));
	SHOW(shmget(k, 4096, 0));
	SHOW(shmctl(id, IPC_RMID, NULL));
}

SYSCALL_TEST(shmat)
{
	int id = (int)shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	char *p = shmat(id, NULL, 0);
	say("attached: %d", p != (void *)-1);
	strcpy(p, "shared hello");
	show_ds(id);
	pid_t k = probe_fork();
	if (k == 0) {
		/* The child inherits the attachment and shares the pages. */
		say("child sees: %s", p);
		strcpy(p, "from the child");
		show_ds(id);
		_exit(0);
	}
	probe_wait("child", k);
	say("parent sees: %s", p);
	show_ds(id);
	char *ro = shmat(id, NULL, SHM_RDONLY);
	say("read-only attach: %d, reads: %.6s", ro != (void *)-1, ro);
	show_ds(id);
	SHOW(shmat(id, (void *)0x10001, 0) == (void *)-1);
	say("errno %s", errname(errno));
	SHOW(shmat(-1, NULL, 0) == (void *)-1);
	say("errno %s", errname(errno));
	/* SHM_RND rounds a misaligned address down. */
	void *want = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(want, 3 * 4096);
	char *r = shmat(id, (char *)want + 5, SHM_RND);
	say("SHM_RND: %d", r == want);
	/* Not over a mapping, unless SHM_REMAP. */
	void *busy = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SHOW(shmat(id, busy, 0) == (void *)-1);
	say("errno %s", errname(errno));
	say("SHM_REMAP: %d", shmat(id, busy, SHM_REMAP) == busy);
	SHOW(shmctl(id, IPC_RMID, NULL));
}

SYSCALL_TEST(shmdt)
{
	int id = (int)shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	char *p = shmat(id, NULL, 0);
	show_ds(id);
	SHOW(shmctl(id, IPC_RMID, NULL));
	show_ds(id); /* still there while attached, marked SHM_DEST */
	SHOW(shmdt(p + 4096));
	SHOW(shmdt(p));
	SHOW(shmctl(id, IPC_STAT, &(struct shmid_ds){0})); /* gone with its last attachment */
	SHOW(shmdt(p));
}

SYSCALL_TEST(shmctl)
{
	int id = (int)shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	struct shmid_ds ds;
	shmctl(id, IPC_STAT, &ds);
	ds.shm_perm.mode = 0640;
	SHOW(shmctl(id, IPC_SET, &ds));
	show_ds(id);
	SHOW(shmctl(id, IPC_STAT, BADPTR));
	SHOW(shmctl(id, 12345, &ds));
	SHOW(shmctl(-1, IPC_STAT, &ds));
	struct shminfo info;
	OK(shmctl(0, IPC_INFO, (struct shmid_ds *)&info));
	say("shmmin %lu", (unsigned long)info.shmmin);
	SHOW(shmctl(id, IPC_RMID, NULL));
	SHOW(shmctl(id, IPC_RMID, NULL));
}
