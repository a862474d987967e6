/* The IPC namespace's kernel parameters: what Linux shows and takes at
 * /proc/sys/kernel/{shmmax,shmall,shmmni,shm_rmid_forced,msgmax,msgmnb,
 * msgmni,sem,msg_next_id,sem_next_id,shm_next_id} and
 * /proc/sys/fs/mqueue/{queues_max,msg_max,msgsize_max,msg_default,
 * msgsize_default}, and what shm.c, msg.c, sem.c and mqueue.c obey.
 *
 * How it works: the values are one struct ipc_limits in struct sentry
 * (s->ipc), set to a new Linux IPC namespace's defaults when the sandbox
 * starts, then changed by the configuration (msentry run --sysctl, OCI
 * linux.sysctl: sentry_run stores each KEY=VALUE here as a write of VALUE
 * to the file would) and by the sandbox's root writing the file (procfs).
 * One table names each parameter with its type, count, range and mode, and
 * one parser reads a write the way Linux's proc_dointvec_minmax and
 * proc_doulongvec_minmax do: blanks around numbers, an optional '-', base
 * 0 (0x.., 0..), a number followed by a blank or the end, EINVAL for
 * anything out of the parameter's range (nothing is changed then; but
 * kernel.sem's semmni out of range is ERANGE, its other three kept). The
 * *_next_id values are consumed by the next object created (ipc_new_id),
 * which resets them to -1 as Linux does.
 *
 * Threats: a write is program memory of any length and content: it is
 * read into a bounded buffer, numbers longer than Linux's 21 characters
 * are refused, and every value is range-checked before it is stored, so a
 * limit is never out of the range the IPC code assumes (e.g. semopm is
 * bounded by the memory semop copies, see sem.c).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"

#define IPCMNI_K      32768			/* Linux's most ids of one kind */
#define SHM_DEFAULT_K (ULONG_MAX - (1UL << 24)) /* SHMMAX and SHMALL of uapi/linux/shm.h */
#define NUMBER_MAX    21			/* Linux's TMPBUFLEN - 1: digits at most */

enum sysctl_type { SYSCTL_INT, SYSCTL_ULONG };

struct ipc_sysctl {
	const char *key; /* dotted, as sysctl(8) and OCI name it */
	enum sysctl_type type;
	size_t offset; /* in struct ipc_limits */
	int count;     /* values (kernel.sem: 4) */
	long min, max; /* of an int; ULONG: any unsigned long */
	bool next_id;  /* 0444, writable with CAP_CHECKPOINT_RESTORE (Linux) */
};

#define INT_KEY(k, field, lo, hi)                                                                  \
	{                                                                                          \
		k, SYSCTL_INT, offsetof(struct ipc_limits, field), 1, lo, hi, false                \
	}
#define ULONG_KEY(k, field)                                                                        \
	{                                                                                          \
		k, SYSCTL_ULONG, offsetof(struct ipc_limits, field), 1, 0, 0, false                \
	}
#define NEXT_ID_KEY(k, field)                                                                      \
	{                                                                                          \
		k, SYSCTL_INT, offsetof(struct ipc_limits, field), 1, 0, INT_MAX, true             \
	}

/* Linux's ipc/ipc_sysctl.c and ipc/mq_sysctl.c ranges. */
static const struct ipc_sysctl table[] = {
    ULONG_KEY("kernel.shmmax", shmmax),
    ULONG_KEY("kernel.shmall", shmall),
    INT_KEY("kernel.shmmni", shmmni, 0, IPCMNI_K),
    INT_KEY("kernel.shm_rmid_forced", shm_rmid_forced, 0, 1),
    INT_KEY("kernel.msgmax", msgmax, 0, INT_MAX),
    INT_KEY("kernel.msgmnb", msgmnb, 0, INT_MAX),
    INT_KEY("kernel.msgmni", msgmni, 0, IPCMNI_K),
    {"kernel.sem", SYSCTL_INT, offsetof(struct ipc_limits, sem), 4, INT_MIN, INT_MAX, false},
    NEXT_ID_KEY("kernel.msg_next_id", msg_next_id),
    NEXT_ID_KEY("kernel.sem_next_id", sem_next_id),
    NEXT_ID_KEY("kernel.shm_next_id", shm_next_id),
    INT_KEY("fs.mqueue.queues_max", mq_queues_max, INT_MIN, INT_MAX),
    INT_KEY("fs.mqueue.msg_max", mq_msg_max, 1, MQ_HARD_MSGMAX),
    INT_KEY("fs.mqueue.msgsize_max", mq_msgsize_max, 128, MQ_HARD_MSGSIZEMAX),
    INT_KEY("fs.mqueue.msg_default", mq_msg_default, 1, MQ_HARD_MSGMAX),
    INT_KEY("fs.mqueue.msgsize_default", mq_msgsize_default, 128, MQ_HARD_MSGSIZEMAX),
};

void ipc_limits_init(struct ipc_limits *l)
{
	*l = (struct ipc_limits){
	    .shmmax = SHM_DEFAULT_K,
	    .shmall = SHM_DEFAULT_K,
	    .shmmni = 4096,
	    .msgmax = 8192,
	    .msgmnb = 16384,
	    .msgmni = 32000,
	    .sem = {32000, 1024000000, 500, 32000},
	    .msg_next_id = -1,
	    .sem_next_id = -1,
	    .shm_next_id = -1,
	    .mq_queues_max = 256,
	    .mq_msg_max = 10,
	    .mq_msgsize_max = 8192,
	    .mq_msg_default = 10,
	    .mq_msgsize_default = 8192,
	};
}

const struct ipc_sysctl *ipc_sysctl_find(const char *key)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(key, table[i].key) == 0)
			return &table[i];
	return NULL;
}

const char *ipc_sysctl_key(const struct ipc_sysctl *k)
{
	return k->key;
}

bool ipc_sysctl_writable(const struct task *t, const struct ipc_sysctl *k)
{
	/* Linux: the files are root's 0644, so euid 0 writes them; the
	 * *_next_id files are 0444 but 0666 to a checkpoint/restore tool. */
	if (k->next_id)
		return task_capable(t, CAP_SYS_ADMIN) || task_capable(t, CAP_CHECKPOINT_RESTORE);
	return t->proc->euid == 0;
}

char *ipc_sysctl_show(const struct ipc_limits *l, const struct ipc_sysctl *k)
{
	const char *base = (const char *)l + k->offset;
	if (k->type == SYSCTL_ULONG)
		return xasprintf("%lu\n", *(const unsigned long *)base);
	const int *v = (const int *)base;
	char *out = xstrdup("");
	for (int i = 0; i < k->count; i++) {
		char *more = xasprintf("%s%s%d", out, i ? "\t" : "", v[i]);
		free(out);
		out = more;
	}
	char *line = xasprintf("%s\n", out);
	free(out);
	return line;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* One number at text[*pos..len) as Linux's proc_get_long reads it: an
 * optional '-', digits in base 0, then a blank or the end. 0 or -EINVAL. */
static int get_number(const char *text, size_t len, size_t *pos, unsigned long *val, bool *neg)
{
	char buf[NUMBER_MAX + 2];
	size_t n = len - *pos < sizeof(buf) - 1 ? len - *pos : sizeof(buf) - 1;
	memcpy(buf, text + *pos, n);
	buf[n] = '\0';
	char *p = buf;
	*neg = p[0] == '-' && n > 1;
	p += *neg;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	char *end;
	errno = 0;
	*val = strtoul(p, &end, 0);
	size_t used = (size_t)(end - buf);
	if (errno != 0 || used >= NUMBER_MAX)
		return -EINVAL; /* Linux refuses what might be two numbers run together */
	if (used < len - *pos && !blank(buf[used]))
		return -EINVAL;
	*pos += used;
	return 0;
}

/* Range check of one parsed value; 0 or -EINVAL. */
static int convert(const struct ipc_sysctl *k, unsigned long val, bool neg, long *out)
{
	if (k->type == SYSCTL_ULONG)
		return neg ? -EINVAL : 0;
	if (neg ? val > (unsigned long)INT_MAX + 1 : val > INT_MAX)
		return -EINVAL;
	long v = neg ? -(long)val : (long)val;
	if (v < k->min || v > k->max)
		return -EINVAL;
	*out = v;
	return 0;
}

long ipc_sysctl_store(struct ipc_limits *l, const struct ipc_sysctl *k, const char *text,
		      size_t len)
{
	char *base = (char *)l + k->offset;
	struct ipc_limits saved = *l;
	size_t pos = 0;
	int stored = 0, err = 0;
	for (; stored < k->count; stored++) {
		while (pos < len && isspace((unsigned char)text[pos]))
			pos++;
		if (pos == len)
			break;
		unsigned long val;
		bool neg;
		long v = 0;
		err = get_number(text, len, &pos, &val, &neg);
		if (err == 0)
			err = convert(k, val, neg, &v);
		if (err != 0)
			break;
		if (k->type == SYSCTL_ULONG)
			((unsigned long *)base)[stored] = val;
		else
			((int *)base)[stored] = (int)v;
	}
	if (stored == 0)
		return err ? err : -EINVAL; /* Linux: a write with no number */
	if (err == 0 && k->count == 4 && (l->sem[3] < 0 || l->sem[3] > IPCMNI_K)) {
		l->sem[3] = saved.sem[3]; /* Linux keeps the other three */
		return -ERANGE;		  /* Linux's sem_check_semmni */
	}
	if (err != 0)
		return err;
	while (pos < len && isspace((unsigned char)text[pos]))
		pos++;
	return (long)pos;
}

int ipc_new_id(struct sentry *s, int *next_id, int *counter, bool (*in_use)(struct sentry *, int))
{
	/* Linux takes the index of next_id, or the first free one above it
	 * (its sequence number kept); then next_id is spent. */
	if (*next_id >= 0) {
		int id = *next_id;
		*next_id = -1;
		while (in_use(s, id) && id < INT_MAX)
			id++;
		return id;
	}
	while (in_use(s, *counter))
		*counter = *counter == INT_MAX ? 0 : *counter + 1;
	int id = *counter;
	*counter = id == INT_MAX ? 0 : id + 1;
	return id;
}
