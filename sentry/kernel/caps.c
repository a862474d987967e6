/* Capabilities: the sandbox's view of each process's five sets.
 *
 * Every process carries Linux's inheritable, permitted, effective,
 * bounding and ambient sets (struct caps). The first process's start as
 * configured (an OCI config's process.capabilities, the state runc gives
 * its process just before exec) or as msentry's own, and then take
 * Linux's execve transition, as every execve does after: with no file
 * capabilities, a process with a uid 0 (real or effective) gets its
 * bounding and inheritable sets (plus ambient) as permitted, and as
 * effective when its effective uid is 0; others keep only their ambient
 * set. A uid change applies Linux's fixup (PR_SET_KEEPCAPS keeps the
 * permitted set), and capset and
 * prctl change the sets under Linux's rules: nothing is ever raised
 * beyond the permitted and bounding sets.
 *
 * What the sets decide: caps_has() (kernel.h) for what only the sandbox's
 * view governs (its ids, signals between its processes, its UTS names,
 * chown's permission check); task_capable() for what the host then does,
 * which also needs msentry's own capability. So the view only ever takes
 * capabilities away from what msentry may do, never adds one.
 *
 * Threats: a program's arguments only (headers, data, prctl options),
 * checked as Linux checks them; no host call is made for a program.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/kernel/kernel.h"

/* Every capability this header knows (Linux's CAP_VALID_MASK). */
#define CAPS_VALID ((2ULL << CAP_LAST_CAP) - 1)

static uint64_t join(uint32_t lo, uint32_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

void caps_read_host(struct caps *c)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {{0}};
	*c = (struct caps){0};
	if (syscall(SYS_capget, &hdr, d) == 0) {
		c->inh = join(d[0].inheritable, d[1].inheritable);
		c->prm = join(d[0].permitted, d[1].permitted);
		c->eff = join(d[0].effective, d[1].effective);
	}
	for (int i = 0; i <= CAP_LAST_CAP; i++) {
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
			c->bnd |= 1ULL << i;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0) == 1)
			c->amb |= 1ULL << i;
	}
}

void caps_init(struct process *p, const struct sentry_config *cfg)
{
	struct caps *c = &p->caps;
	if (cfg->has_caps) {
		*c = (struct caps){.inh = cfg->cap_inheritable & CAPS_VALID,
				   .prm = cfg->cap_permitted & CAPS_VALID,
				   .eff = cfg->cap_effective & CAPS_VALID,
				   .bnd = cfg->cap_bounding & CAPS_VALID,
				   .amb = cfg->cap_ambient & CAPS_VALID};
	} else {
		*c = p->s->host_caps_start;
	}
	/* What capset and PR_CAP_AMBIENT_RAISE would have let the runtime
	 * set: effective within permitted, ambient within both permitted
	 * and inheritable (runc's ambient raise fails otherwise, and is
	 * only warned about). */
	c->eff &= c->prm;
	c->amb &= c->prm & c->inh;
	caps_exec(p);
}

void caps_exec(struct process *p)
{
	struct caps *c = &p->caps;
	bool root = p->euid == 0 || p->ruid == 0;
	uint64_t prm = (root ? c->bnd | c->inh : 0) | c->amb;
	c->prm = prm;
	c->eff = p->euid == 0 ? prm : c->amb;
	c->securebits &= ~(unsigned)SECBIT_KEEP_CAPS;
}

void caps_uid_changed(struct process *p, uid_t old_r, uid_t old_e, uid_t old_s)
{
	struct caps *c = &p->caps;
	if ((old_r == 0 || old_e == 0 || old_s == 0) && p->ruid != 0 && p->euid != 0 &&
	    p->suid != 0) {
		/* PR_SET_KEEPCAPS keeps the permitted set (setpriv, daemons
		 * that drop root but keep a capability); ambient goes anyway. */
		if (!(c->securebits & SECBIT_KEEP_CAPS))
			c->prm = c->eff = 0;
		c->amb = 0;
	}
	if (old_e == 0 && p->euid != 0)
		c->eff = 0;
	if (old_e != 0 && p->euid == 0)
		c->eff = c->prm;
}

/* The capabilities a file-system uid of 0 carries (Linux's CAP_FS_MASK). */
#define CAPS_FS                                                                                    \
	((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) |        \
	 (1ULL << CAP_FOWNER) | (1ULL << CAP_FSETID) | (1ULL << CAP_LINUX_IMMUTABLE) |             \
	 (1ULL << CAP_MKNOD) | (1ULL << CAP_MAC_OVERRIDE))

void caps_fsuid_changed(struct process *p, uid_t old_fsuid)
{
	struct caps *c = &p->caps;
	if (old_fsuid == 0 && p->fsuid != 0)
		c->eff &= ~CAPS_FS;
	if (old_fsuid != 0 && p->fsuid == 0)
		c->eff |= c->prm & CAPS_FS;
}

/* Linux's cap_validate_magic: the number of data structs the version
 * has, or -EINVAL after writing back the version Linux prefers. */
static long header_words(struct task *t, uint64_t hdr_addr, int *words)
{
	uint32_t version;
	if (task_read(t, hdr_addr, &version, sizeof(version)) != 0)
		return -EFAULT;
	switch (version) {
	case _LINUX_CAPABILITY_VERSION_1:
		*words = 1;
		return 0;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		*words = 2;
		return 0;
	default:
		version = _LINUX_CAPABILITY_VERSION_3;
		return task_write(t, hdr_addr, &version, sizeof(version)) == 0 ? -EINVAL : -EFAULT;
	}
}

static long header_pid(struct task *t, uint64_t hdr_addr, pid_t *pid)
{
	struct __user_cap_header_struct hdr;
	if (task_read(t, hdr_addr, &hdr, sizeof(hdr)) != 0)
		return -EFAULT;
	*pid = hdr.pid;
	return 0;
}

long caps_capget(struct task *t, uint64_t hdr_addr, uint64_t data_addr)
{
	int words = 0;
	long rc = header_words(t, hdr_addr, &words);
	/* Linux: a version probe (no data) succeeds after the write-back. */
	if (!data_addr || rc != 0)
		return !data_addr && rc == -EINVAL ? 0 : rc;
	pid_t pid;
	if (header_pid(t, hdr_addr, &pid) != 0)
		return -EFAULT;
	if (pid < 0)
		return -EINVAL;
	struct process *p = t->proc;
	if (pid != 0 && pid != p->pid) {
		struct task *o = task_by_tid(t->s, pid);
		if (!o)
			return -ESRCH;
		p = o->proc;
	}
	struct __user_cap_data_struct d[2];
	for (int i = 0; i < 2; i++)
		d[i] = (struct __user_cap_data_struct){
		    .effective = (uint32_t)(p->caps.eff >> (32 * i)),
		    .permitted = (uint32_t)(p->caps.prm >> (32 * i)),
		    .inheritable = (uint32_t)(p->caps.inh >> (32 * i))};
	return task_write(t, data_addr, d, (size_t)words * sizeof(d[0])) == 0 ? 0 : -EFAULT;
}

static bool subset(uint64_t a, uint64_t b)
{
	return (a & ~b) == 0;
}

long caps_capset(struct task *t, uint64_t hdr_addr, uint64_t data_addr)
{
	int words = 0;
	long rc = header_words(t, hdr_addr, &words);
	if (rc != 0)
		return rc;
	pid_t pid;
	if (header_pid(t, hdr_addr, &pid) != 0)
		return -EFAULT;
	struct process *p = t->proc;
	if (pid != 0 && pid != p->pid)
		return -EPERM;
	struct __user_cap_data_struct d[2] = {{0}};
	if (task_read(t, data_addr, d, (size_t)words * sizeof(d[0])) != 0)
		return -EFAULT;
	uint64_t eff = join(d[0].effective, d[1].effective) & CAPS_VALID;
	uint64_t prm = join(d[0].permitted, d[1].permitted) & CAPS_VALID;
	uint64_t inh = join(d[0].inheritable, d[1].inheritable) & CAPS_VALID;
	struct caps *c = &p->caps;
	/* Linux's cap_capset: inheritable within inheritable|permitted
	 * unless CAP_SETPCAP, and always within inheritable|bounding;
	 * permitted never grows; effective within the new permitted. */
	if (!caps_has(p, CAP_SETPCAP) && !subset(inh, c->inh | c->prm))
		return -EPERM;
	if (!subset(inh, c->inh | c->bnd) || !subset(prm, c->prm) || !subset(eff, prm))
		return -EPERM;
	c->eff = eff;
	c->prm = prm;
	c->inh = inh;
	c->amb &= prm & inh;
	return 0;
}

static long ambient(struct process *p, const uint64_t *a)
{
	struct caps *c = &p->caps;
	if (a[1] == PR_CAP_AMBIENT_CLEAR_ALL) {
		if (a[2] || a[3] || a[4])
			return -EINVAL;
		c->amb = 0;
		return 0;
	}
	if (a[2] > CAP_LAST_CAP || a[3] || a[4])
		return -EINVAL;
	uint64_t bit = 1ULL << a[2];
	switch (a[1]) {
	case PR_CAP_AMBIENT_IS_SET:
		return (c->amb & bit) != 0;
	case PR_CAP_AMBIENT_RAISE:
		if (!(c->prm & bit) || !(c->inh & bit) ||
		    (c->securebits & SECBIT_NO_CAP_AMBIENT_RAISE))
			return -EPERM;
		c->amb |= bit;
		return 0;
	case PR_CAP_AMBIENT_LOWER:
		c->amb &= ~bit;
		return 0;
	default:
		return -EINVAL;
	}
}

/* PR_SET_SECUREBITS as Linux checks it: a locked bit may not change, a
 * lock may not be released, no unknown bit, and CAP_SETPCAP. */
static long set_securebits(struct process *p, uint64_t want)
{
	unsigned old = p->caps.securebits;
	if ((((old & SECURE_ALL_LOCKS) >> 1) & (old ^ want)) || (old & SECURE_ALL_LOCKS & ~want) ||
	    (want & ~(uint64_t)(SECURE_ALL_LOCKS | SECURE_ALL_BITS)) || !caps_has(p, CAP_SETPCAP))
		return -EPERM;
	p->caps.securebits = (unsigned)want;
	return 0;
}

long caps_prctl(struct task *t, const uint64_t *a)
{
	struct process *p = t->proc;
	switch (a[0]) {
	case PR_CAPBSET_READ:
		return a[1] <= CAP_LAST_CAP ? (long)((p->caps.bnd >> a[1]) & 1) : -EINVAL;
	case PR_CAPBSET_DROP:
		if (!caps_has(p, CAP_SETPCAP))
			return -EPERM;
		if (a[1] > CAP_LAST_CAP)
			return -EINVAL;
		p->caps.bnd &= ~(1ULL << a[1]);
		return 0;
	case PR_CAP_AMBIENT:
		return ambient(p, a);
	case PR_GET_SECUREBITS:
		return p->caps.securebits; /* only KEEP_CAPS, NO_CAP_AMBIENT_RAISE act */
	case PR_SET_SECUREBITS:
		return set_securebits(p, a[1]);
	case PR_GET_KEEPCAPS:
		return !!(p->caps.securebits & SECBIT_KEEP_CAPS);
	case PR_SET_KEEPCAPS:
		if (a[1] > 1)
			return -EINVAL;
		if (p->caps.securebits & SECBIT_KEEP_CAPS_LOCKED)
			return -EPERM;
		p->caps.securebits = (p->caps.securebits & ~(unsigned)SECBIT_KEEP_CAPS) |
				     (a[1] ? SECBIT_KEEP_CAPS : 0);
		return 0;
	default:
		return -EINVAL;
	}
}
