/* System V semaphores. Natively the sets are the host's: every test removes
 * what it makes (IPC_RMID), and keyed sets use a key from the probe's pid
 * (the same both ways). Waits between processes are made deterministic by
 * the other process watching GETNCNT/GETZCNT until the waiter is blocked. */
#include <sched.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>

#include "probe.h"

union semun_k {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *info;
};

static key_t sem_key(void)
{
	return (key_t)(0x6d740000 | (getpid() & 0xffff));
}

/* Wait (bounded) until `cmd` (GETNCNT/GETZCNT) of semaphore num is want. */
static int wait_count(int id, int num, int cmd, int want)
{
	for (int i = 0; i < 5000; i++) {
		int n = semctl(id, num, cmd);
		if (n == want || n < 0)
			return n;
		usleep(1000);
	}
	return -2;
}

static void show_vals(int id, int n)
{
	unsigned short v[8] = {0};
	if (SHOW(semctl(id, 0, GETALL, (union semun_k){.array = v})) != 0)
		return;
	char line[128] = "";
	for (int i = 0; i < n; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " %u", v[i]);
	say("values:%s", line);
}

static int op1(int id, unsigned short num, short op, short flg)
{
	struct sembuf b = {.sem_num = num, .sem_op = op, .sem_flg = flg};
	return semop(id, &b, 1);
}

SYSCALL_TEST(semget)
{
	int id = (int)OK(semget(IPC_PRIVATE, 3, IPC_CREAT | 0600));
	struct semid_ds ds;
	if (SHOW(semctl(id, 0, IPC_STAT, (union semun_k){.buf = &ds})) == 0)
		say("nsems %lu mode %o", (unsigned long)ds.sem_nsems, ds.sem_perm.mode & 0777);
	key_t k = sem_key();
	int stale = semget(k, 0, 0);
	if (stale >= 0)
		semctl(stale, 0, IPC_RMID);
	int kid = (int)OK(semget(k, 2, IPC_CREAT | IPC_EXCL | 0640));
	say("same key, same id: %d", semget(k, 2, 0) == kid);
	say("fewer sems, same id: %d", semget(k, 1, 0) == kid);
	say("nsems 0, same id: %d", semget(k, 0, 0) == kid);
	SHOW(semget(k, 3, 0));
	SHOW(semget(k, 2, IPC_CREAT | IPC_EXCL | 0600));
	SHOW(semget(k + 1, 1, 0));
	SHOW(semget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
	SHOW(semget(IPC_PRIVATE, -1, IPC_CREAT | 0600));
	SHOW(semget(IPC_PRIVATE, 32001, IPC_CREAT | 0600));
	SHOW(semctl(kid, 0, IPC_RMID));
	SHOW(semget(k, 2, 0));
	SHOW(semctl(id, 0, IPC_RMID));
}

SYSCALL_TEST(semop)
{
	int id = (int)semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	SHOW(op1(id, 0, 2, 0));
	SHOW(op1(id, 0, -1, 0));
	show_vals(id, 2);
	SHOW(op1(id, 0, -2, IPC_NOWAIT));
	SHOW(op1(id, 1, 0, 0));
	SHOW(op1(id, 0, 0, IPC_NOWAIT));
	/* All or nothing: the second operation cannot proceed. */
	struct sembuf two[2] = {{0, 1, 0}, {1, -1, IPC_NOWAIT}};
	SHOW(semop(id, two, 2));
	show_vals(id, 2);
	SHOW(op1(id, 2, 1, 0));
	SHOW(semop(id, two, 0));
	SHOW(semop(id, BADPTR, 1));
	SHOW(semop(-1, two, 1));
	SHOW(op1(id, 0, 32767, 0));
	struct sembuf many[501] = {{0}};
	SHOW(semop(id, many, 501));
	/* Blocking: the child raises the value once the parent waits. */
	pid_t k = probe_fork();
	if (k == 0) {
		int n = wait_count(id, 1, GETNCNT, 1);
		op1(id, 1, 1, 0);
		_exit(n == 1 ? 0 : 1);
	}
	SHOW(op1(id, 1, -1, 0));
	probe_wait("raiser", k);
	say("GETPID is the last to operate, me: %d", semctl(id, 1, GETPID) == getpid());
	/* Waiting for zero. */
	op1(id, 1, 1, 0);
	k = probe_fork();
	if (k == 0) {
		int n = wait_count(id, 1, GETZCNT, 1);
		op1(id, 1, -1, 0);
		_exit(n == 1 ? 0 : 1);
	}
	SHOW(op1(id, 1, 0, 0));
	probe_wait("lowerer", k);
	/* SEM_UNDO: a child's operations are undone when it exits. */
	semctl(id, 0, SETVAL, (union semun_k){.val = 5});
	k = probe_fork();
	if (k == 0) {
		op1(id, 0, -3, SEM_UNDO);
		op1(id, 0, 1, SEM_UNDO);
		_exit(semctl(id, 0, GETVAL) == 3 ? 0 : 1);
	}
	probe_wait("undoer", k);
	show_vals(id, 2);
	say("GETPID is the undoer: %d", semctl(id, 0, GETPID) == k);
	/* CLONE_SYSVSEM: the undo list is shared, and applied when its last
	 * process exits (here the sharer, after its clone child). */
	k = probe_fork();
	if (k == 0) {
		pid_t c = (pid_t)syscall(SYS_clone, CLONE_SYSVSEM | SIGCHLD, 0, 0, 0, 0);
		if (c == 0) {
			op1(id, 0, -2, SEM_UNDO);
			_exit(0);
		}
		waitpid(c, NULL, 0);
		say("after the clone child: %d", semctl(id, 0, GETVAL));
		_exit(0);
	}
	probe_wait("sharer", k);
	show_vals(id, 2);
	SHOW(semctl(id, 0, IPC_RMID));
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* The set goes while the parent waits: EIDRM. A signal: EINTR, even
 * with SA_RESTART. A timeout: EAGAIN. */
SYSCALL_TEST(semtimedop)
{
	int id = (int)semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	struct sembuf down = {0, -1, 0};
	struct timespec ts = {0, 20 * 1000 * 1000};
	SHOW(semtimedop(id, &down, 1, &ts));
	SHOW(semtimedop(id, &down, 1, &(struct timespec){0, -1}));
	SHOW(semtimedop(id, &down, 1, BADPTR));
	op1(id, 0, 1, 0);
	SHOW(semtimedop(id, &down, 1, &ts));
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
	sigaction(SIGUSR1, &sa, NULL);
	pid_t k = probe_fork();
	if (k == 0) {
		int n = wait_count(id, 0, GETNCNT, 1);
		kill(getppid(), SIGUSR1);
		_exit(n == 1 ? 0 : 1);
	}
	SHOW(semtimedop(id, &down, 1, NULL));
	probe_wait("signaller", k);
	k = probe_fork();
	if (k == 0) {
		int n = wait_count(id, 0, GETNCNT, 1);
		semctl(id, 0, IPC_RMID);
		_exit(n == 1 ? 0 : 1);
	}
	SHOW(semtimedop(id, &down, 1, NULL));
	probe_wait("remover", k);
	SHOW(semtimedop(id, &down, 1, &ts));
}

SYSCALL_TEST(semctl)
{
	int id = (int)semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	unsigned short set[3] = {1, 2, 3};
	SHOW(semctl(id, 0, SETALL, (union semun_k){.array = set}));
	show_vals(id, 3);
	SHOW(semctl(id, 2, GETVAL));
	SHOW(semctl(id, 1, SETVAL, (union semun_k){.val = 7}));
	SHOW(semctl(id, 1, GETVAL));
	SHOW(semctl(id, 1, SETVAL, (union semun_k){.val = 32768}));
	SHOW(semctl(id, 1, SETVAL, (union semun_k){.val = -1}));
	SHOW(semctl(id, 3, SETVAL, (union semun_k){.val = 1}));
	SHOW(semctl(id, 3, GETVAL));
	SHOW(semctl(id, -1, GETVAL));
	say("GETPID is me: %d", semctl(id, 1, GETPID) == getpid());
	SHOW(semctl(id, 0, GETNCNT));
	SHOW(semctl(id, 0, GETZCNT));
	unsigned short big[3] = {1, 40000, 1};
	SHOW(semctl(id, 0, SETALL, (union semun_k){.array = big}));
	SHOW(semctl(id, 0, SETALL, (union semun_k){.array = BADPTR}));
	SHOW(semctl(id, 0, GETALL, (union semun_k){.array = BADPTR}));
	struct semid_ds ds;
	semctl(id, 0, IPC_STAT, (union semun_k){.buf = &ds});
	ds.sem_perm.mode = 0640;
	SHOW(semctl(id, 0, IPC_SET, (union semun_k){.buf = &ds}));
	semctl(id, 0, IPC_STAT, (union semun_k){.buf = &ds});
	say("mode %o nsems %lu otime set %d", ds.sem_perm.mode & 0777, (unsigned long)ds.sem_nsems,
	    ds.sem_otime != 0);
	SHOW(semctl(id, 0, IPC_STAT, (union semun_k){.buf = BADPTR}));
	SHOW(semctl(id, 0, 12345));
	SHOW(semctl(-1, 0, IPC_STAT, (union semun_k){.buf = &ds}));
	struct seminfo si;
	SHOW(semctl(0, 0, IPC_INFO, (union semun_k){.info = &si}) >= 0);
	say("semmsl %d semopm %d semvmx %d semmni %d", si.semmsl, si.semopm, si.semvmx, si.semmni);
	SHOW(semctl(id, 0, IPC_RMID));
	SHOW(semctl(id, 0, IPC_RMID));
	SHOW(semctl(id, 0, GETVAL));
}
