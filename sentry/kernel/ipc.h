/* kernel/ipc.h: the sandbox's IPC namespace beyond shared memory: System V
 * semaphores (sem.c), System V message queues (msg.c) and POSIX message
 * queues (mqueue.c), with what they share (ipc.c). Every object lives in
 * the sentry (struct sentry), never in the host's tables. The syscall
 * handlers (syscalls/sys_sem.c, sys_msg.c, sys_mqueue.c) decode arguments
 * and call these; results are ids, counts or -errno as Linux gives them. */
#ifndef MSENTRY_SENTRY_KERNEL_IPC_H
#define MSENTRY_SENTRY_KERNEL_IPC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/types.h>

#include "sentry/kernel/kernel.h"

/* ---- shared (ipc.c) ---- */
/* Linux's ipcperms: `want` (rwx bits, e.g. 4 read, 2 write; or a get's
 * flags, whose owner, group and other bits all count) against the mode for
 * t's euid/egid; root may do anything. */
bool ipc_allowed(const struct task *t, const struct ipc_perm *perm, int want);
/* The owner or creator (or root): IPC_SET and IPC_RMID. */
bool ipc_owner(const struct task *t, const struct ipc_perm *perm);
/* A fresh ipc_perm for an object t creates with `key` and `flags`' mode. */
void ipc_perm_init(const struct task *t, struct ipc_perm *perm, key_t key, int flags);
/* Block t's syscall on IPC object `obj` (BLOCK_IPC). Returns SYSRET_BLOCK,
 * or -EINTR if a signal came first: System V calls are never restarted,
 * whatever SA_RESTART says (restartable: SYSRET_RESTARTSYS kept). */
long ipc_block(struct task *t, const void *obj, bool restartable);
/* Let every task blocked on `obj` try again. */
void ipc_wake(struct sentry *s, const void *obj);

/* The next id for a new object: *next_id (the sysctl, then -1) or the first
 * free one from *counter; `in_use` says whether an id is taken. */
int ipc_new_id(struct sentry *s, int *next_id, int *counter, bool (*in_use)(struct sentry *, int));

/* ---- kernel parameters (ipc-limits.c) ---- */
/* The IPC namespace's kernel parameters, /proc/sys/kernel/{shm*,msg*,sem,
 * *_next_id} and /proc/sys/fs/mqueue/ (ipc-limits.c): state of the sandbox,
 * set at start (--sysctl, OCI linux.sysctl) and by its root through /proc. */
struct ipc_limits {
	unsigned long shmmax, shmall; /* bytes a segment; pages in all */
	int shmmni, shm_rmid_forced;
	int msgmax, msgmnb, msgmni;
	int sem[4]; /* kernel.sem: semmsl, semmns, semopm, semmni */
	/* The id the next msgget/semget/shmget that creates takes; -1: none. */
	int msg_next_id, sem_next_id, shm_next_id;
	int mq_queues_max, mq_msg_max, mq_msgsize_max, mq_msg_default, mq_msgsize_default;
};

#define MQ_HARD_MSGMAX	   65536	      /* Linux's HARD_MSGMAX */
#define MQ_HARD_MSGSIZEMAX (16 * 1024 * 1024) /* HARD_MSGSIZEMAX */
struct ipc_sysctl;
/* A new Linux IPC namespace's values. */
void ipc_limits_init(struct ipc_limits *l);
/* A parameter by its sysctl name ("kernel.msgmni", "fs.mqueue.msg_max"),
 * or NULL if it is not one of the IPC namespace's. */
const struct ipc_sysctl *ipc_sysctl_find(const char *key);
const char *ipc_sysctl_key(const struct ipc_sysctl *k);
/* Its /proc/sys text ("2\n"; kernel.sem: four values, tab-separated):
 * malloc'ed. */
char *ipc_sysctl_show(const struct ipc_limits *l, const struct ipc_sysctl *k);
/* A write of `len` bytes of `text` to its /proc/sys file, as Linux takes
 * it: the bytes consumed, or -EINVAL (not a number, out of range;
 * kernel.sem's semmni out of range: -ERANGE). */
long ipc_sysctl_store(struct ipc_limits *l, const struct ipc_sysctl *k, const char *text,
		      size_t len);
/* May t open the file for writing (Linux: euid 0; *_next_id:
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE)? */
bool ipc_sysctl_writable(const struct task *t, const struct ipc_sysctl *k);

/* /proc/sysvipc/shm (shm.c; the segments' calls are in kernel.h). */
char *shm_proc_text(struct sentry *s);
/* kernel.shm_rmid_forced became 1: segments no process is attached to and
 * whose creator is gone go now (Linux's shm_destroy_orphaned). */
void shm_destroy_orphans(struct sentry *s);
/* Process p ends: with shm_rmid_forced, the unattached segments it created
 * go (Linux's exit_shm). */
void shm_process_exit(struct sentry *s, struct process *p);

/* ---- System V semaphores (sem.c) ---- */
long sem_get(struct task *t, key_t key, int nsems, int flags);
/* semop/semtimedop: `timeout_addr` 0 waits for ever. */
long sem_op(struct task *t, int id, uint64_t sops_addr, size_t nsops, uint64_t timeout_addr);
long sem_control(struct task *t, int id, int semnum, int cmd, uint64_t arg);
/* clone with CLONE_SYSVSEM: the child shares the parent's adjustments. */
void sem_undo_share(struct process *child, struct process *parent);
/* A process ends: its SEM_UNDO adjustments are applied if no other process
 * shares them. */
void sem_undo_exit(struct sentry *s, struct process *p);
/* /proc/sysvipc/sem: malloc'ed text. */
char *sem_proc_text(struct sentry *s);
void sem_release_all(struct sentry *s);

/* ---- System V message queues (msg.c) ---- */
long msg_get(struct task *t, key_t key, int flags);
long msg_send(struct task *t, int id, uint64_t msgp, size_t size, int flags);
long msg_receive(struct task *t, int id, uint64_t msgp, size_t size, long type, int flags);
long msg_control(struct task *t, int id, int cmd, uint64_t buf);
char *msg_proc_text(struct sentry *s);
void msg_release_all(struct sentry *s);

/* ---- POSIX message queues (mqueue.c) ---- */
long mq_open_name(struct task *t, uint64_t name_addr, int flags, mode_t mode, uint64_t attr);
long mq_unlink_name(struct task *t, uint64_t name_addr);
long mq_send_msg(struct task *t, int fd, uint64_t msg, size_t len, unsigned prio,
		 uint64_t timeout_addr);
long mq_receive_msg(struct task *t, int fd, uint64_t msg, size_t len, uint64_t prio_addr,
		    uint64_t timeout_addr);
long mq_notify_set(struct task *t, int fd, uint64_t sevp);
long mq_attr_get_set(struct task *t, int fd, uint64_t newattr, uint64_t oldattr);
/* read() of a queue descriptor: its "QSIZE:..." line. */
long mq_read(struct task *t, struct file *f, uint64_t buf, size_t count);
void mq_release_all(struct sentry *s);

#endif
