/* kernel/keys.h: the sandbox's kernel key retention service (add_key,
 * request_key, keyctl), served by the sentry from its own tables (keys.c,
 * keys-ctl.c); the host's keyrings are msentry's and never reached. The
 * syscall handlers (syscalls/sys_keys.c) call these; results are serials,
 * lengths or -errno as Linux gives them. */
#ifndef MSENTRY_SENTRY_KERNEL_KEYS_H
#define MSENTRY_SENTRY_KERNEL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sentry/kernel/kernel.h"

/* Permission bits (Linux's KEY_POS_*, KEY_USR_*, KEY_GRP_*, KEY_OTH_*):
 * one byte each for possessor, owner, group, other, from the top. */
#define KEYP_VIEW    0x01
#define KEYP_READ    0x02
#define KEYP_WRITE   0x04
#define KEYP_SEARCH  0x08
#define KEYP_LINK    0x10
#define KEYP_SETATTR 0x20
#define KEYP_ALL     0x3f

/* ---- pure parts (unit tested) ---- */
/* Who asks, for key_perm_allows. */
struct key_asker {
	uid_t fsuid;
	gid_t fsgid;
	const gid_t *groups;
	int ngroups;
};
/* Linux's key_task_permission: the owner byte if the asker's fsuid owns
 * the key, else the group byte if it is in the key's group, else the
 * other byte; the possessor byte added if it possesses the key. True if
 * every bit of `want` (KEYP_*) is granted. Root gets no exemption. */
bool key_perm_allows(uint32_t perm, uid_t uid, gid_t gid, const struct key_asker *a, bool possessed,
		     unsigned want);
/* KEYCTL_DESCRIBE's text, "type;uid;gid;perm;description" (perm as eight
 * hex digits; an unset gid (-1) as the overflow gid 65534, as Linux
 * prints it), into buf; its length without the NUL (snprintf's). */
int key_describe_text(char *buf, size_t len, const char *type, uid_t uid, gid_t gid, uint32_t perm,
		      const char *desc);

/* ---- the calls (keys-ctl.c) ---- */
long keys_add_key(struct task *t, uint64_t type, uint64_t desc, uint64_t payload, size_t plen,
		  int32_t ring);
long keys_request_key(struct task *t, uint64_t type, uint64_t desc, uint64_t callout, int32_t dest);
long keys_keyctl(struct task *t, int cmd, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* ---- /proc (keys-proc.c) ---- */
/* /proc/key-users (users) or /proc/keys as t reads it: malloc'ed. */
char *keys_proc_text(struct task *t, bool users);
/* /proc/sys/kernel/keys/NAME's text (malloc'ed), or NULL: no such file. */
char *keys_sysctl_show(struct sentry *s, const char *name);
/* A write of it: the bytes taken, or -EINVAL (not a number, out of range). */
long keys_sysctl_store(struct sentry *s, const char *name, const char *text, size_t len);

/* ---- lifetime hooks (keys.c) ---- */
/* fork: the child process shares its parent's session keyring. */
void keys_fork(struct process *child, const struct process *parent);
/* execve: the thread and process keyrings are dropped, as Linux's. */
void keys_exec(struct task *t);
/* A thread ends: its thread keyring is released. */
void keys_task_exit(struct task *t);
/* A process ends: its process and session keyrings are released. */
void keys_process_exit(struct process *p);
/* The sentry ends: every key goes. */
void keys_release_all(struct sentry *s);

#endif
