/* Credentials: the ids the program sees, and the host identity the sentry
 * uses when it touches files for it.
 *
 * Every process carries its real/effective/saved uids and gids and its
 * supplementary groups (struct process). They start as the configuration
 * asks (an OCI config's process.user, `msentry run --user`) or as
 * msentry's own, and change only through the sandbox's set*id calls.
 *
 * The sentry often runs as host root (an OCI runtime does), and it opens,
 * creates and changes host files on the program's behalf. If it did so as
 * root, a program running as uid 1000 would write a root-owned 0644 file.
 * So the sentry's own thread takes the program's identity for file access
 * before it serves each syscall: setfsuid/setfsgid to the task's effective
 * ids and setgroups to its groups. These three calls act on the calling
 * thread only (the raw syscalls, not glibc's process-wide wrappers), and
 * a non-zero fsuid clears the thread's file capabilities
 * (CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_FOWNER...) as Linux does for a
 * process that leaves uid 0, so every host permission check (open,
 * access, create, chmod, chown, utimes, unlink) is the one Linux would make
 * for the program, and files it creates belong to its ids. The identity
 * is switched lazily: only when the next task's ids differ from the ones
 * the thread has, so one user's sandbox pays three calls once.
 *
 * What still runs as msentry: the sentry's other threads (the clock, the
 * sync helpers of offload.c: sync needs no permission), and teardown
 * (creds_enter_host). /proc/self/fd of the sentry stays reachable under
 * another fsuid: Linux lets a thread group into its own fd links whatever
 * its ids. The switch is only made when msentry may set ids
 * (CAP_SETUID and CAP_SETGID); otherwise host access is msentry's own
 * and only the program's view changes.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/kernel/kernel.h"

void creds_init(struct process *p, const struct sentry_config *cfg)
{
	if (cfg->set_user) {
		p->ruid = p->euid = p->suid = cfg->uid;
		p->rgid = p->egid = p->sgid = cfg->gid;
		p->fsuid = cfg->uid;
		p->fsgid = cfg->gid;
		p->ngroups = (int)cfg->ngroups;
		p->groups = xcalloc(cfg->ngroups + 1, sizeof(gid_t));
		for (size_t i = 0; i < cfg->ngroups; i++)
			p->groups[i] = cfg->groups[i];
		return;
	}
	p->ruid = getuid(), p->euid = p->suid = geteuid();
	p->rgid = getgid(), p->egid = p->sgid = getegid();
	creds_fs_follow(p);
	int n = getgroups(0, NULL);
	p->groups = xcalloc((size_t)(n > 0 ? n : 0) + 1, sizeof(gid_t));
	n = n > 0 ? getgroups(n, p->groups) : 0;
	p->ngroups = n > 0 ? n : 0;
}

void creds_copy(struct process *dst, const struct process *src)
{
	dst->ruid = src->ruid, dst->euid = src->euid, dst->suid = src->suid;
	dst->rgid = src->rgid, dst->egid = src->egid, dst->sgid = src->sgid;
	dst->fsuid = src->fsuid, dst->fsgid = src->fsgid;
	creds_set_groups(dst, src->groups, src->ngroups);
}

void creds_release(struct process *p)
{
	free(p->groups);
	p->groups = NULL;
	p->ngroups = 0;
}

void creds_set_groups(struct process *p, const gid_t *groups, int n)
{
	gid_t *copy = xcalloc((size_t)n + 1, sizeof(gid_t));
	if (n > 0)
		memcpy(copy, groups, (size_t)n * sizeof(gid_t));
	free(p->groups);
	p->groups = copy;
	p->ngroups = n;
}

bool creds_in_group(const struct process *p, gid_t gid)
{
	if (p->egid == gid)
		return true;
	for (int i = 0; i < p->ngroups; i++)
		if (p->groups[i] == gid)
			return true;
	return false;
}

static bool may_switch(struct sentry *s)
{
	const uint64_t need = (1ULL << CAP_SETUID) | (1ULL << CAP_SETGID);
	return (s->host_caps & need) == need;
}

/* Make the thread's identity (uid, gid, groups); records what it is. */
static void switch_to(struct sentry *s, uid_t uid, gid_t gid, const gid_t *groups, int n)
{
	if (s->fs_uid == uid && s->fs_gid == gid && s->fs_ngroups == n &&
	    (n == 0 || memcmp(s->fs_groups, groups, (size_t)n * sizeof(gid_t)) == 0))
		return;
	/* Raw calls: per thread, unlike glibc's setgroups (which would
	 * change every thread of the sentry). */
	syscall(SYS_setgroups, (size_t)n, groups);
	syscall(SYS_setfsgid, gid);
	syscall(SYS_setfsuid, uid);
	s->fs_uid = uid;
	s->fs_gid = gid;
	gid_t *copy = xcalloc((size_t)n + 1, sizeof(gid_t));
	if (n > 0)
		memcpy(copy, groups, (size_t)n * sizeof(gid_t));
	free(s->fs_groups);
	s->fs_groups = copy;
	s->fs_ngroups = n;
}

static int host_groups(gid_t **out)
{
	int n = getgroups(0, NULL);
	*out = xcalloc((size_t)(n > 0 ? n : 0) + 1, sizeof(gid_t));
	n = n > 0 ? getgroups(n, *out) : 0;
	return n > 0 ? n : 0;
}

void creds_setup(struct sentry *s)
{
	s->switch_ids = may_switch(s);
	s->fs_uid = geteuid();
	s->fs_gid = getegid();
	s->fs_ngroups = host_groups(&s->fs_groups);
}

void creds_fs_follow(struct process *p)
{
	p->fsuid = p->euid;
	p->fsgid = p->egid;
}

void creds_enter(struct task *t)
{
	if (t->s->switch_ids)
		switch_to(t->s, t->proc->fsuid, t->proc->fsgid, t->proc->groups, t->proc->ngroups);
}

/* Linux's access() checks with the real ids (access_override_creds): a
 * host faccessat2 with AT_EACCESS under them gives its answer, since the
 * sentry's own real ids are msentry's, not the program's. Going from a
 * non-zero fsuid to 0 restores the thread's file capabilities, as Linux
 * grants a real root. */
void creds_enter_real(struct task *t)
{
	if (t->s->switch_ids)
		switch_to(t->s, t->proc->ruid, t->proc->rgid, t->proc->groups, t->proc->ngroups);
}

void creds_enter_host(struct sentry *s)
{
	if (!s->switch_ids)
		return;
	cleanup_free gid_t *host = NULL;
	int n = host_groups(&host);
	switch_to(s, geteuid(), getegid(), host, n);
}

void creds_teardown(struct sentry *s)
{
	creds_enter_host(s);
	free(s->fs_groups);
	s->fs_groups = NULL;
}
