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

/* /proc/sysvipc/shm (shm.c; the segments' calls are in kernel.h). */
char *shm_proc_text(struct sentry *s);

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
