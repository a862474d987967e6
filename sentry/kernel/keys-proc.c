/* The key retention service as /proc shows it: /proc/keys, /proc/key-users
 * and /proc/sys/kernel/keys/, from the sandbox's own keys (keys.c). The
 * host's files would list the host's keys (msentry's, descriptions
 * included) and change the host's quotas: procfs serves these instead.
 *
 * /proc/keys lists the keys the reader may view (possession counted), in
 * Linux's columns; /proc/key-users one line per uid with keys. The
 * parameters are numbers a root of the sandbox may change (1 to INT_MAX
 * for the quotas, as Linux's ranges).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sentry/kernel/keys-internal.h"
#include "util/util.h"

static void timeout_text(const struct key *k, int64_t now, char buf[16])
{
	int64_t left = k->expiry - now;
	if (!k->expiry)
		snprintf(buf, 16, "perm");
	else if (left <= 0)
		snprintf(buf, 16, "expd");
	else if (left < 60)
		snprintf(buf, 16, "%llds", (long long)left);
	else if (left < 3600)
		snprintf(buf, 16, "%lldm", (long long)(left / 60));
	else if (left < 86400)
		snprintf(buf, 16, "%lldh", (long long)(left / 3600));
	else if (left < 604800)
		snprintf(buf, 16, "%lldd", (long long)(left / 86400));
	else
		snprintf(buf, 16, "%lldw", (long long)(left / 604800));
}

static void key_line(struct strbuf *sb, const struct key *k, int64_t now)
{
	char timeo[16];
	timeout_text(k, now, timeo);
	int gid = k->gid == (gid_t)-1 ? 65534 : (int)k->gid;
	strbuf_printf(sb, "%08x %c%c%c%c%c%c%c %5d %4s %08x %5d %5d %-9.9s %s", (unsigned)k->serial,
		      'I', k->revoked ? 'R' : '-', '-', k->quota ? 'Q' : '-', '-',
		      k->negative ? 'N' : '-', k->invalid ? 'i' : '-', k->refs, timeo, k->perm,
		      (int)k->uid, gid, key_kind_name(k->kind), k->desc);
	if (k->negative)
		strbuf_printf(sb, "\n");
	else if (k->kind != KT_KEYRING)
		strbuf_printf(sb, ": %zu\n", k->len);
	else if (k->n)
		strbuf_printf(sb, ": %zu\n", k->n);
	else
		strbuf_printf(sb, ": empty\n");
}

static int by_serial(const void *a, const void *b)
{
	int32_t x = (*(struct key *const *)a)->serial, y = (*(struct key *const *)b)->serial;
	return (x > y) - (x < y);
}

char *keys_proc_text(struct task *t, bool users)
{
	struct keys *ks = keys_of(t->s);
	struct strbuf sb = {0};
	strbuf_printf(&sb, "%s", "");
	if (users) {
		for (struct key_user *u = ks->users; u; u = u->next) {
			if (!u->nkeys && !u->user)
				continue;
			long mk = u->uid == 0 ? ks->root_maxkeys : ks->maxkeys;
			long mb = u->uid == 0 ? ks->root_maxbytes : ks->maxbytes;
			strbuf_printf(&sb, "%5u: %5d %d/%d %d/%ld %zu/%ld\n", (unsigned)u->uid,
				      u->nkeys + 1, u->nkeys, u->nkeys, u->nkeys, mk, u->nbytes,
				      mb);
		}
		return sb.data;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	/* In serial order, as Linux walks its tree of serials. */
	size_t n = 0;
	for (struct key *k = ks->all; k; k = k->next)
		n++;
	struct key **v = xcalloc(n ? n : 1, sizeof(*v));
	n = 0;
	for (struct key *k = ks->all; k; k = k->next)
		v[n++] = k;
	qsort(v, n, sizeof(*v), by_serial);
	uint64_t walk = keys_mark_possessed(t);
	for (size_t i = 0; i < n; i++)
		if (key_allowed(t, v[i], v[i]->mark == walk, KEYP_VIEW))
			key_line(&sb, v[i], now.tv_sec);
	free(v);
	return sb.data;
}

static long *param(struct keys *ks, const char *name)
{
	return !strcmp(name, "maxkeys")			    ? &ks->maxkeys
	       : !strcmp(name, "maxbytes")		    ? &ks->maxbytes
	       : !strcmp(name, "root_maxkeys")		    ? &ks->root_maxkeys
	       : !strcmp(name, "root_maxbytes")		    ? &ks->root_maxbytes
	       : !strcmp(name, "gc_delay")		    ? &ks->gc_delay
	       : !strcmp(name, "persistent_keyring_expiry") ? &ks->persistent_expiry
							    : NULL;
}

char *keys_sysctl_show(struct sentry *s, const char *name)
{
	long *v = param(keys_of(s), name);
	return v ? xasprintf("%ld\n", *v) : NULL;
}

long keys_sysctl_store(struct sentry *s, const char *name, const char *text, size_t len)
{
	long *v = param(keys_of(s), name);
	if (!v)
		return -ENOENT;
	char buf[32];
	size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;
	memcpy(buf, text, n);
	buf[n] = 0;
	char *end;
	errno = 0;
	long x = strtol(buf, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\t')
		end++;
	bool quota = strstr(name, "max") != NULL;
	if (end == buf || *end || errno || x < (quota ? 1 : 0) || x > INT_MAX)
		return -EINVAL;
	*v = x;
	return (long)len;
}
