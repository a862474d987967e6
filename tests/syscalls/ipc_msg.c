/* System V message queues. Natively the queues are the host's: every test
 * removes what it makes (IPC_RMID); keyed queues use a key from the
 * probe's pid. A child that must act while the parent waits sleeps a
 * little first; the outcome is the same whichever runs first. */
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>

#include "probe.h"

struct pmsg {
	long type;
	char text[8192];
};

static key_t msg_key(void)
{
	return (key_t)(0x6d750000 | (getpid() & 0xffff));
}

static int put(int id, long type, const char *text, int flags)
{
	struct pmsg m = {.type = type};
	strcpy(m.text, text);
	return msgsnd(id, &m, strlen(text), flags);
}

/* msgrcv into a buffer of `size` and print what came. */
static void take(int id, size_t size, long type, int flags)
{
	struct pmsg m = {0};
	errno = 0;
	long r = msgrcv(id, &m, size, type, flags);
	if (r < 0)
		say("msgrcv(type %ld, size %zu, flags %#x) = -1 %s", type, size, flags,
		    errname(errno));
	else
		say("msgrcv(type %ld, size %zu, flags %#x) = %ld: type %ld \"%.*s\"", type, size,
		    flags, r, m.type, (int)r, m.text);
}

static void show_ds(int id)
{
	struct msqid_ds ds;
	if (SHOW(msgctl(id, IPC_STAT, &ds)) == 0)
		say("qnum %lu cbytes %lu qbytes %lu mode %o lspid==me %d",
		    (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes,
		    (unsigned long)ds.msg_qbytes, ds.msg_perm.mode & 0777,
		    ds.msg_lspid == getpid());
}

SYSCALL_TEST(msgget)
{
	int id = (int)OK(msgget(IPC_PRIVATE, IPC_CREAT | 0600));
	show_ds(id);
	key_t k = msg_key();
	int stale = msgget(k, 0);
	if (stale >= 0)
		msgctl(stale, IPC_RMID, NULL);
	int kid = (int)OK(msgget(k, IPC_CREAT | IPC_EXCL | 0640));
	say("same key, same id: %d", msgget(k, 0) == kid);
	SHOW(msgget(k, IPC_CREAT | IPC_EXCL | 0600));
	SHOW(msgget(k + 1, 0));
	SHOW(msgctl(kid, IPC_RMID, NULL));
	SHOW(msgget(k, 0));
	SHOW(msgctl(id, IPC_RMID, NULL));
}

SYSCALL_TEST(msgsnd)
{
	int id = (int)msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	SHOW(put(id, 1, "hello", 0));
	SHOW(put(id, 2, "world!", 0));
	show_ds(id);
	SHOW(put(id, 0, "x", 0));
	SHOW(put(id, -5, "x", 0));
	static struct pmsg big = {.type = 1};
	SHOW(msgsnd(id, &big, 8193, 0));
	SHOW(msgsnd(id, BADPTR, 1, 0));
	SHOW(msgsnd(-1, &big, 1, 0));
	take(id, 100, 0, IPC_NOWAIT);
	take(id, 100, 0, IPC_NOWAIT);
	/* Full (16384 bytes): IPC_NOWAIT says EAGAIN, else it waits for a
	 * reader. */
	SHOW(msgsnd(id, &big, 8192, 0));
	SHOW(msgsnd(id, &big, 8192, 0));
	SHOW(msgsnd(id, &big, 8192, IPC_NOWAIT));
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(30000);
		struct pmsg m;
		_exit(msgrcv(id, &m, sizeof(m.text), 0, 0) == 8192 ? 0 : 1);
	}
	SHOW(msgsnd(id, &big, 8192, 0));
	probe_wait("reader", k);
	show_ds(id);
	SHOW(msgctl(id, IPC_RMID, NULL));
}

SYSCALL_TEST(msgrcv)
{
	int id = (int)msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	put(id, 3, "three", 0);
	put(id, 1, "one", 0);
	put(id, 2, "two", 0);
	put(id, 1, "uno", 0);
	put(id, 5, "five", 0);
	take(id, 100, 0, MSG_COPY | IPC_NOWAIT);
	take(id, 100, 2, MSG_COPY | IPC_NOWAIT);
	take(id, 100, 9, MSG_COPY | IPC_NOWAIT);
	take(id, 100, 0, MSG_COPY);
	take(id, 100, -2, 0);
	take(id, 100, 1, MSG_EXCEPT);
	take(id, 2, 0, 0);
	take(id, 2, 0, MSG_NOERROR);
	take(id, 100, 4, IPC_NOWAIT);
	take(id, 100, -10, 0);
	take(id, 100, 0, 0);
	take(id, 100, 0, IPC_NOWAIT);
	SHOW(msgrcv(id, BADPTR, 10, 0, IPC_NOWAIT));
	SHOW(msgrcv(-1, BADPTR, 10, 0, 0));
	SHOW(msgrcv(id, BADPTR, (size_t)-1, 0, 0));
	/* Waiting: a sender, a signal (EINTR even with SA_RESTART), removal. */
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(30000);
		_exit(put(id, 7, "late", 0) == 0 ? 0 : 1);
	}
	take(id, 100, 7, 0);
	probe_wait("sender", k);
	catch_signal(SIGUSR1, SA_RESTART);
	k = probe_fork();
	if (k == 0) {
		usleep(30000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	take(id, 100, 0, 0);
	probe_wait("signaller", k);
	k = probe_fork();
	if (k == 0) {
		usleep(30000);
		_exit(msgctl(id, IPC_RMID, NULL) == 0 ? 0 : 1);
	}
	take(id, 100, 0, 0);
	probe_wait("remover", k);
}

SYSCALL_TEST(msgctl)
{
	int id = (int)msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	struct msqid_ds ds;
	msgctl(id, IPC_STAT, &ds);
	ds.msg_perm.mode = 0640;
	ds.msg_qbytes = 100;
	SHOW(msgctl(id, IPC_SET, &ds));
	show_ds(id);
	static struct pmsg big = {.type = 1};
	SHOW(msgsnd(id, &big, 60, 0));
	SHOW(msgsnd(id, &big, 60, IPC_NOWAIT));
	SHOW(msgctl(id, IPC_SET, BADPTR));
	SHOW(msgctl(id, IPC_STAT, BADPTR));
	SHOW(msgctl(id, 12345, &ds));
	SHOW(msgctl(-1, IPC_STAT, &ds));
	struct msginfo mi;
	SHOW(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0);
	say("msgmax %d msgmnb %d msgmni %d", mi.msgmax, mi.msgmnb, mi.msgmni);
	SHOW(msgctl(id, MSG_INFO, (struct msqid_ds *)&mi) >= 0);
	say("MSG_INFO: at least one queue %d", mi.msgpool >= 1);
	SHOW(msgctl(id, IPC_RMID, NULL));
	SHOW(msgctl(id, IPC_RMID, NULL));
}
