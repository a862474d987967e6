/* ipc-limits probe: what the IPC namespace's kernel parameters make of
 * System V and POSIX IPC calls. Run natively in a fresh IPC namespace and
 * under msentry, both with the same parameters set (ipc-limits.sh), it
 * prints only what those parameters decide: the /proc/sys values, which
 * calls succeed or fail with which errno, IPC_INFO's fields. Every object
 * it makes it removes. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const files[] = {"kernel/shmmax",	     "kernel/shmall",
				    "kernel/shmmni",	     "kernel/shm_rmid_forced",
				    "kernel/msgmax",	     "kernel/msgmnb",
				    "kernel/msgmni",	     "kernel/sem",
				    "kernel/msg_next_id",    "kernel/sem_next_id",
				    "kernel/shm_next_id",    "fs/mqueue/queues_max",
				    "fs/mqueue/msg_max",     "fs/mqueue/msgsize_max",
				    "fs/mqueue/msg_default", "fs/mqueue/msgsize_default"};

static void show(const char *name)
{
	char path[128], buf[128] = "";
	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	FILE *f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		snprintf(buf, sizeof(buf), "(%s)\n", strerror(errno));
	if (f)
		fclose(f);
	printf("%s: %s", name, buf);
}

/* Write `text` to /proc/sys/NAME in one write(2): its result. */
static void put(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	int fd = open(path, O_WRONLY);
	long r = fd < 0 ? -1 : (long)write(fd, text, strlen(text));
	printf("write %s <- \"%s\": %s\n", name, text, r < 0 ? strerror(errno) : "ok");
	if (fd >= 0)
		close(fd);
}

static void result(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

static void msg_part(void)
{
	int ids[3];
	for (int i = 0; i < 3; i++) {
		ids[i] = msgget(IPC_PRIVATE, 0600);
		printf("msgget %d: %s", i + 1, ids[i] < 0 ? strerror(errno) : "ok");
		printf(i == 0 && ids[i] >= 0 ? " id %d\n" : "\n", ids[i]);
	}
	show("kernel/msg_next_id");
	struct msqid_ds ds;
	if (msgctl(ids[0], IPC_STAT, &ds) == 0)
		printf("msg_qbytes %lu\n", (unsigned long)ds.msg_qbytes);
	struct {
		long type;
		char text[200];
	} m = {1, {0}};
	result("msgsnd 101 bytes", msgsnd(ids[0], &m, 101, IPC_NOWAIT));
	result("msgsnd 100 bytes", msgsnd(ids[0], &m, 100, IPC_NOWAIT));
	struct msginfo mi;
	if (msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0)
		printf("IPC_INFO msgmax %d msgmnb %d msgmni %d\n", mi.msgmax, mi.msgmnb, mi.msgmni);
	for (int i = 0; i < 3; i++)
		if (ids[i] >= 0)
			msgctl(ids[i], IPC_RMID, NULL);
}

static void shm_sem_part(void)
{
	int a = shmget(IPC_PRIVATE, 4096, 0600), b = shmget(IPC_PRIVATE, 4096, 0600);
	result("shmget 1", a);
	result("shmget 2", b);
	struct shminfo si;
	if (shmctl(0, IPC_INFO, (struct shmid_ds *)&si) >= 0)
		printf("IPC_INFO shmmni %lu shmmax %lu\n", si.shmmni, si.shmmax);
	struct shmid_ds ds;
	result("SHM_LOCK", shmctl(a, SHM_LOCK, NULL));
	if (shmctl(a, IPC_STAT, &ds) == 0)
		printf("SHM_LOCKED after SHM_LOCK: %s\n",
		       ds.shm_perm.mode & SHM_LOCKED ? "yes" : "no");
	result("SHM_UNLOCK", shmctl(a, SHM_UNLOCK, NULL));
	if (shmctl(a, IPC_STAT, &ds) == 0)
		printf("SHM_LOCKED after SHM_UNLOCK: %s\n",
		       ds.shm_perm.mode & SHM_LOCKED ? "yes" : "no");
	if (a >= 0)
		shmctl(a, IPC_RMID, NULL);
	/* The host's huge pages decide, natively and under msentry alike. */
	int h = shmget(IPC_PRIVATE, 4096, SHM_HUGETLB | 0600);
	result("shmget SHM_HUGETLB", h);
	if (h >= 0)
		shmctl(h, IPC_RMID, NULL);
	if (b >= 0)
		shmctl(b, IPC_RMID, NULL);
	result("semget 6 semaphores", semget(IPC_PRIVATE, 6, 0600));
	int s = semget(IPC_PRIVATE, 5, 0600);
	result("semget 5 semaphores", s);
	result("semget a second set", semget(IPC_PRIVATE, 1, 0600));
	struct sembuf ops[3] = {{0, 1, 0}, {1, 1, 0}, {2, 1, 0}};
	result("semop 3 operations", semop(s, ops, 3));
	result("semop 2 operations", semop(s, ops, 2));
	struct seminfo sem;
	if (semctl(0, 0, IPC_INFO, &sem) >= 0)
		printf("IPC_INFO semmsl %d semmns %d semopm %d semmni %d\n", sem.semmsl, sem.semmns,
		       sem.semopm, sem.semmni);
	if (s >= 0)
		semctl(s, 0, IPC_RMID);
}

static void mq_part(void)
{
	mqd_t q = mq_open("/ipc-limits-probe", O_CREAT | O_RDWR, 0600, NULL);
	struct mq_attr at;
	if (q != (mqd_t)-1 && mq_getattr(q, &at) == 0)
		printf("mq_open defaults: maxmsg %ld msgsize %ld\n", at.mq_maxmsg, at.mq_msgsize);
	else
		printf("mq_open: %s\n", strerror(errno));
	if (q != (mqd_t)-1)
		mq_close(q);
	mq_unlink("/ipc-limits-probe");
}

/* kernel.shm_rmid_forced: a segment goes at its last detach, and with
 * its creator when nothing is attached. */
static void rmid_part(void)
{
	struct shmid_ds ds;
	int a = shmget(IPC_PRIVATE, 4096, 0600);
	void *at = shmat(a, NULL, 0);
	result("shmat", at == (void *)-1 ? -1 : 0);
	shmdt(at);
	result("IPC_STAT after the last detach", shmctl(a, IPC_STAT, &ds));
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return;
	pid_t child = fork();
	if (child == 0) {
		int id = shmget(IPC_PRIVATE, 4096, 0600);
		if (write(pipefd[1], &id, sizeof(id)) != sizeof(id))
			_exit(1);
		_exit(0);
	}
	int id = -1;
	if (read(pipefd[0], &id, sizeof(id)) != sizeof(id))
		id = -1;
	waitpid(child, NULL, 0);
	result("IPC_STAT after its creator exited", shmctl(id, IPC_STAT, &ds));
	shmctl(a, IPC_RMID, NULL);
	shmctl(id, IPC_RMID, NULL);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "rmid") == 0) {
		rmid_part();
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "show") == 0) {
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			show(files[i]);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "writes") == 0) {
		/* Linux's parsing and ranges, from inside. */
		put("kernel/msgmni", "abc");
		put("kernel/msgmni", "40000");
		put("kernel/msgmni", "-1");
		put("kernel/msgmni", " 0x20\n");
		show("kernel/msgmni");
		put("kernel/shm_rmid_forced", "2");
		put("kernel/sem", "250 32000 32 128");
		show("kernel/sem");
		put("kernel/sem", "1 2 3 99999");
		show("kernel/sem");
		put("kernel/msg_next_id", "-1");
		put("fs/mqueue/msgsize_max", "100");
		put("fs/mqueue/msg_max", "65537");
		put("kernel/shmmax", "-5");
		put("kernel/shmmax", "4096");
		show("kernel/shmmax");
		return 0;
	}
	msg_part();
	shm_sem_part();
	mq_part();
	return 0;
}
