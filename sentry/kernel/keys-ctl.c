/* The key retention service's calls: add_key, request_key and keyctl's
 * commands, as Linux's security/keys/keyctl.c answers them, on the
 * sandbox's keys (keys.c). Arguments are read from the program with the
 * limits Linux applies (a type name 32 bytes, a description 4096, a
 * payload 1 MiB, a user key's 32767), in Linux's order, so that a call
 * with several bad arguments fails with the same errno.
 *
 * request_key never runs /sbin/request-key: a key that is not found is
 * ENOKEY, callout information or not (the sandbox has no upcall).
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sentry/kernel/keys-internal.h"
#include "util/util.h"

#define KEY_PAYLOAD_MAX (1024 * 1024 - 1) /* add_key's bound */

static void cleanup_key_text(char **p)
{
	free(*p);
}
#define cleanup_text __attribute__((cleanup(cleanup_key_text)))

/* A key type name from the program: 0, -EFAULT, -EINVAL (empty or 32
 * bytes and more) or -EPERM (a "." type is the kernel's own). */
static long read_type(struct task *t, uint64_t addr, char type[32])
{
	long n = task_read_string(t, addr, type, 32);
	if (n == -ENAMETOOLONG || n == 0)
		return -EINVAL;
	if (n < 0)
		return n;
	return type[0] == '.' ? -EPERM : 0;
}

/* A description (or keyring name): malloc'ed into *out; -EINVAL if it is
 * longer than Linux takes. */
static long read_desc(struct task *t, uint64_t addr, char **out)
{
	char *buf = xmalloc(KEY_MAX_DESC);
	long n = task_read_string(t, addr, buf, KEY_MAX_DESC);
	if (n < 0) {
		free(buf);
		return n == -ENAMETOOLONG ? -EINVAL : n;
	}
	*out = buf;
	return 0;
}

/* A user or logon payload's checks (Linux's user_preparse). */
static long check_payload(enum key_kind kind, size_t plen)
{
	if (kind == KT_KEYRING)
		return plen ? -EINVAL : 0;
	return plen == 0 || plen > KEY_USER_MAX ? -EINVAL : 0;
}

static long set_payload(struct sentry *s, struct key *k, const char *data, size_t plen)
{
	long rc = key_recharge(s, k, (long)plen - (long)k->len);
	if (rc != 0)
		return rc;
	free(k->data);
	k->negative = 0; /* an update instantiates a negative key */
	k->data = xmalloc(plen ? plen : 1);
	memcpy(k->data, data, plen);
	k->len = plen;
	return 0;
}

/* key_create_or_update, once the arguments are read. */
static long create_or_update(struct task *t, struct key *ring, bool ring_poss, const char *type,
			     const char *desc, const char *data, size_t plen)
{
	enum key_kind kind;
	if (key_kind_by_name(type, &kind) != 0)
		return -ENODEV; /* a kernel without that type */
	if (ring->kind != KT_KEYRING)
		return -ENOTDIR;
	long rc = check_payload(kind, plen);
	if (rc != 0 || !desc)
		return rc ? rc : -EINVAL;
	if (kind == KT_LOGON) {
		const char *colon = strchr(desc, ':');
		if (!colon || colon == desc)
			return -EINVAL;
	}
	struct key *old = kind == KT_KEYRING ? NULL : keyring_find(ring, kind, desc);
	if (old && !old->revoked && !old->invalid) {
		if (!key_allowed(t, old, ring_poss, KEYP_WRITE))
			return -EACCES;
		rc = set_payload(t->s, old, data, plen);
		return rc ? rc : old->serial;
	}
	/* Linux's default: the possessor may do all but read an unreadable
	 * type; the owner may view. */
	uint32_t perm = kind == KT_LOGON ? 0x3d010000 : 0x3f010000;
	struct key *k;
	rc = key_alloc(t, kind, desc, perm, plen, false, &k);
	if (rc != 0)
		return rc;
	if (kind != KT_KEYRING) {
		k->data = xmalloc(plen);
		memcpy(k->data, data, plen);
		k->len = plen;
	}
	keyring_link(t->s, ring, k);
	int32_t serial = k->serial;
	key_put(t->s, k);
	return serial;
}

long keys_add_key(struct task *t, uint64_t type_addr, uint64_t desc_addr, uint64_t payload,
		  size_t plen, int32_t ring_id)
{
	if (plen > KEY_PAYLOAD_MAX)
		return -EINVAL;
	char type[32];
	long rc = read_type(t, type_addr, type);
	if (rc != 0)
		return rc;
	cleanup_text char *desc = NULL;
	if (desc_addr && (rc = read_desc(t, desc_addr, &desc)) != 0)
		return rc;
	if (desc && !desc[0]) {
		free(desc);
		desc = NULL;
	} else if (desc && desc[0] == '.' && strncmp(type, "keyring", 7) == 0) {
		return -EPERM;
	}
	cleanup_text char *data = xmalloc(plen ? plen : 1);
	if (plen && task_read(t, payload, data, plen) != 0)
		return -EFAULT;
	struct key *ring;
	bool poss;
	rc = key_lookup(t, ring_id, LK_CREATE, KEYP_WRITE, &ring, &poss);
	if (rc != 0)
		return rc;
	return create_or_update(t, ring, poss, type, desc, data, plen);
}

/* A key to construct: Linux would run /sbin/request-key; here it is what
 * Linux makes when that fails, a negative key (ENOKEY to whoever asks for
 * it, for 60 seconds) in the destination keyring, which the caller must
 * be allowed to write. */
static long construct_negative(struct task *t, enum key_kind kind, const char *desc,
			       struct key *dest)
{
	if (!dest)
		dest = keys_reqkey_dest(t);
	if (!key_allowed(t, dest, true, KEYP_WRITE))
		return -EACCES;
	if (kind == KT_KEYRING)
		return -EPERM; /* keyrings are not constructed (no ->instantiate upcall) */
	struct key *k;
	long rc =
	    key_alloc(t, kind, desc, kind == KT_LOGON ? 0x3d010000 : 0x3f010000, 0, false, &k);
	if (rc != 0)
		return rc;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	k->negative = -ENOKEY;
	k->expiry = (int64_t)now.tv_sec + 60;
	if (dest->kind == KT_KEYRING)
		keyring_link(t->s, dest, k);
	key_put(t->s, k);
	return -ENOKEY;
}

long keys_request_key(struct task *t, uint64_t type_addr, uint64_t desc_addr, uint64_t callout,
		      int32_t dest_id)
{
	char type[32];
	long rc = read_type(t, type_addr, type);
	if (rc != 0)
		return rc;
	cleanup_text char *desc = NULL;
	if ((rc = read_desc(t, desc_addr, &desc)) != 0)
		return rc;
	if (callout) {
		cleanup_text char *info = NULL;
		if ((rc = read_desc(t, callout, &info)) != 0)
			return rc;
	}
	struct key *dest = NULL;
	if (dest_id && (rc = key_lookup(t, dest_id, LK_CREATE, KEYP_WRITE, &dest, NULL)) != 0)
		return rc;
	enum key_kind kind;
	if (key_kind_by_name(type, &kind) != 0)
		return -ENOKEY;
	struct key *k;
	rc = keys_search_process(t, kind, desc, &k);
	if (rc == -ENOKEY && callout)
		return construct_negative(t, kind, desc, dest);
	if (rc != 0)
		return rc;
	if (dest && dest->kind == KT_KEYRING && (rc = keyring_link(t->s, dest, k)) != 0)
		return rc;
	return k->serial;
}

/* ---- keyctl ---- */

enum {
	KC_GET_KEYRING_ID = 0,
	KC_JOIN_SESSION_KEYRING = 1,
	KC_UPDATE = 2,
	KC_REVOKE = 3,
	KC_CHOWN = 4,
	KC_SETPERM = 5,
	KC_DESCRIBE = 6,
	KC_CLEAR = 7,
	KC_LINK = 8,
	KC_UNLINK = 9,
	KC_SEARCH = 10,
	KC_READ = 11,
	KC_INSTANTIATE = 12,
	KC_NEGATE = 13,
	KC_SET_REQKEY_KEYRING = 14,
	KC_SET_TIMEOUT = 15,
	KC_ASSUME_AUTHORITY = 16,
	KC_GET_SECURITY = 17,
	KC_REJECT = 19,
	KC_INSTANTIATE_IOV = 20,
	KC_INVALIDATE = 21,
	KC_MOVE = 30,
	KC_CAPABILITIES = 31,
};

static long kc_join(struct task *t, uint64_t name_addr)
{
	if (!name_addr)
		return keys_join_session(t, NULL);
	cleanup_text char *name = NULL;
	long rc = read_desc(t, name_addr, &name);
	if (rc != 0)
		return rc;
	/* "." keyrings are the kernel's own (CVE-2016-9604): never joined. */
	return name[0] == '.' ? -EPERM : keys_join_session(t, name);
}

static long kc_update(struct task *t, int32_t id, uint64_t payload, size_t plen)
{
	if (plen > 4096) /* PAGE_SIZE, Linux's bound for an update */
		return -EINVAL;
	cleanup_text char *data = xmalloc(plen ? plen : 1);
	if (plen && task_read(t, payload, data, plen) != 0)
		return -EFAULT;
	struct key *k;
	long rc = key_lookup(t, id, 0, KEYP_WRITE, &k, NULL);
	if (rc != 0)
		return rc;
	if (k->kind == KT_KEYRING)
		return -EOPNOTSUPP;
	if ((rc = check_payload(k->kind, plen)) != 0)
		return rc;
	return set_payload(t->s, k, data, plen);
}

static long kc_revoke(struct task *t, int32_t id)
{
	struct key *k;
	long rc = key_lookup(t, id, 0, KEYP_WRITE, &k, NULL);
	if (rc == -EACCES)
		rc = key_lookup(t, id, 0, KEYP_SETATTR, &k, NULL);
	if (rc != 0)
		return rc;
	k->revoked = true;
	if (k->kind == KT_KEYRING)
		keyring_clear(t->s, k); /* a revoked keyring lets go of its keys */
	return 0;
}

static bool in_groups(const struct process *p, gid_t g)
{
	if (g == p->fsgid)
		return true;
	for (int i = 0; i < p->ngroups; i++)
		if (p->groups[i] == g)
			return true;
	return false;
}

static long kc_chown(struct task *t, int32_t id, uid_t uid, gid_t gid)
{
	if (uid == (uid_t)-1 && gid == (gid_t)-1)
		return 0;
	struct key *k;
	long rc = key_lookup(t, id, LK_CREATE | LK_PARTIAL, KEYP_SETATTR, &k, NULL);
	if (rc != 0)
		return rc;
	if (!caps_has(t->proc, CAP_SYS_ADMIN) &&
	    ((uid != (uid_t)-1 && uid != k->uid) ||
	     (gid != (gid_t)-1 && gid != k->gid && !in_groups(t->proc, gid))))
		return -EACCES;
	if (uid != (uid_t)-1 && uid != k->uid)
		k->uid = uid;
	if (gid != (gid_t)-1)
		k->gid = gid;
	return 0;
}

static long kc_setperm(struct task *t, int32_t id, uint32_t perm)
{
	if (perm & ~0x3f3f3f3fu)
		return -EINVAL;
	struct key *k;
	long rc = key_lookup(t, id, LK_CREATE | LK_PARTIAL, KEYP_SETATTR, &k, NULL);
	if (rc != 0)
		return rc;
	if (!caps_has(t->proc, CAP_SYS_ADMIN) && k->uid != t->proc->fsuid)
		return -EACCES;
	k->perm = perm;
	return 0;
}

/* Copy `len` bytes of a result the program asked for into buf, if any;
 * `whole`: only if it all fits (Linux's reads and describe copy nothing
 * into a short buffer and say how much is needed). */
static long give(struct task *t, uint64_t buf, size_t buflen, const void *src, size_t len,
		 bool whole)
{
	if (!buf || buflen == 0 || (whole && buflen < len))
		return (long)len;
	size_t n = len < buflen ? len : buflen;
	return task_write(t, buf, src, n) != 0 ? -EFAULT : (long)len;
}

static long kc_describe(struct task *t, int32_t id, uint64_t buf, size_t buflen)
{
	struct key *k;
	long rc = key_lookup(t, id, 0, KEYP_VIEW, &k, NULL);
	if (rc != 0)
		return rc;
	int n =
	    key_describe_text(NULL, 0, key_kind_name(k->kind), k->uid, k->gid, k->perm, k->desc);
	cleanup_text char *text = xmalloc((size_t)n + 1);
	key_describe_text(text, (size_t)n + 1, key_kind_name(k->kind), k->uid, k->gid, k->perm,
			  k->desc);
	return give(t, buf, buflen, text, (size_t)n + 1, true);
}

static long kc_read(struct task *t, int32_t id, uint64_t buf, size_t buflen)
{
	struct key *k;
	bool poss;
	long rc = key_lookup(t, id, 0, NEED_DEFER, &k, &poss);
	if (rc != 0)
		return rc;
	/* A possessed key (found by a search, so searchable) may be read
	 * without the read bit, as Linux's keyctl_read_key allows. */
	if (k->negative)
		return k->negative;
	if (!key_allowed(t, k, poss, KEYP_READ) && !poss)
		return -EACCES;
	if (k->kind == KT_LOGON)
		return -EOPNOTSUPP;
	if ((rc = key_validate(k)) != 0)
		return rc;
	if (k->kind != KT_KEYRING)
		return give(t, buf, buflen, k->data, k->len, true);
	size_t len = k->n * sizeof(int32_t);
	cleanup_text char *ids = xmalloc(len ? len : 1);
	for (size_t i = 0; i < k->n; i++)
		memcpy(ids + i * 4, &k->members[i]->serial, 4);
	return give(t, buf, buflen, ids, len, true);
}

static long kc_link(struct task *t, int32_t id, int32_t ring_id, bool link)
{
	struct key *ring, *k;
	long rc = key_lookup(t, ring_id, link ? LK_CREATE : 0, KEYP_WRITE, &ring, NULL);
	if (rc != 0)
		return rc;
	rc = key_lookup(t, id, LK_PARTIAL, link ? KEYP_LINK : NEED_UNLINK, &k, NULL);
	if (rc != 0)
		return rc;
	if (ring->kind != KT_KEYRING)
		return -ENOTDIR;
	return link ? keyring_link(t->s, ring, k) : keyring_unlink(t->s, ring, k);
}

static long kc_search(struct task *t, int32_t ring_id, uint64_t type_addr, uint64_t desc_addr,
		      int32_t dest_id)
{
	char type[32];
	long rc = read_type(t, type_addr, type);
	if (rc != 0)
		return rc;
	cleanup_text char *desc = NULL;
	if ((rc = read_desc(t, desc_addr, &desc)) != 0)
		return rc;
	struct key *ring, *dest = NULL, *k;
	bool poss;
	if ((rc = key_lookup(t, ring_id, 0, KEYP_SEARCH, &ring, &poss)) != 0)
		return rc;
	if (dest_id && (rc = key_lookup(t, dest_id, LK_CREATE, KEYP_WRITE, &dest, NULL)) != 0)
		return rc;
	enum key_kind kind;
	if (key_kind_by_name(type, &kind) != 0)
		return -ENOKEY;
	if (ring->kind != KT_KEYRING)
		return -ENOTDIR;
	if ((rc = keyring_search(t, ring, poss, kind, desc, &k)) != 0)
		return rc;
	if (dest) {
		if (!key_allowed(t, k, poss, KEYP_LINK))
			return -EACCES;
		if (dest->kind != KT_KEYRING)
			return -ENOTDIR;
		if ((rc = keyring_link(t->s, dest, k)) != 0)
			return rc;
	}
	return k->serial;
}

/* KEYCTL_MOVE: k leaves `from` for `to` (KEYCTL_MOVE_EXCL: unless `to`
 * has a key of its type and description). */
static long kc_move(struct task *t, int32_t id, int32_t from_id, int32_t to_id, uint64_t flags)
{
	if (flags & ~1ULL)
		return -EINVAL;
	struct key *k, *from, *to;
	long rc = key_lookup(t, id, LK_CREATE, KEYP_LINK, &k, NULL);
	if (rc == 0)
		rc = key_lookup(t, from_id, 0, KEYP_WRITE, &from, NULL);
	if (rc == 0)
		rc = key_lookup(t, to_id, LK_CREATE, KEYP_WRITE, &to, NULL);
	if (rc != 0)
		return rc;
	if (from->kind != KT_KEYRING || to->kind != KT_KEYRING)
		return -ENOTDIR;
	if (from == to)
		return 0;
	bool linked = false;
	for (size_t i = 0; i < from->n && !linked; i++)
		linked = from->members[i] == k;
	if (!linked)
		return -ENOENT;
	if ((flags & 1) && keyring_find(to, k->kind, k->desc))
		return -EEXIST;
	k->refs++; /* kept between the two keyrings */
	rc = keyring_link(t->s, to, k);
	if (rc == 0)
		keyring_unlink(t->s, from, k);
	key_put(t->s, k);
	return rc;
}

static long kc_timeout(struct task *t, int32_t id, unsigned secs)
{
	struct key *k;
	long rc = key_lookup(t, id, LK_CREATE | LK_PARTIAL, KEYP_SETATTR, &k, NULL);
	if (rc != 0)
		return rc;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	k->expiry = secs ? (int64_t)now.tv_sec + secs : 0;
	return 0;
}

static long kc_simple(struct task *t, int cmd, uint64_t a2, uint64_t a3, uint64_t a4)
{
	int32_t id = (int32_t)a2;
	struct key *k;
	long rc;
	switch (cmd) {
	case KC_GET_KEYRING_ID:
		rc = key_lookup(t, id, a3 ? LK_CREATE : 0, KEYP_SEARCH, &k, NULL);
		return rc ? rc : k->serial;
	case KC_CLEAR:
		if ((rc = key_lookup(t, id, LK_CREATE, KEYP_WRITE, &k, NULL)) != 0)
			return rc;
		if (k->kind != KT_KEYRING)
			return -ENOTDIR;
		keyring_clear(t->s, k);
		return 0;
	case KC_INVALIDATE:
		if ((rc = key_lookup(t, id, 0, KEYP_SEARCH, &k, NULL)) != 0)
			return rc;
		key_invalidate(t->s, k);
		return 0;
	case KC_GET_SECURITY:
		/* No security module labels keys here: the empty string. */
		if ((rc = key_lookup(t, id, LK_PARTIAL, KEYP_VIEW, &k, NULL)) != 0)
			return rc;
		return give(t, a3, (size_t)a4, "", 1, false);
	case KC_CAPABILITIES: {
		/* What this service has: KEYCTL_CAPABILITIES, INVALIDATE and
		 * MOVE (KEYCTL_CAPS0_*); nothing of KEYCTL_CAPS1_*. */
		static const unsigned char caps[2] = {0x01 | 0x20 | 0x80, 0};
		return give(t, a2, (size_t)a3, caps, sizeof(caps), false);
	}
	default:
		return -EOPNOTSUPP;
	}
}

long keys_keyctl(struct task *t, int cmd, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int32_t id = (int32_t)a2;
	switch (cmd) {
	case KC_JOIN_SESSION_KEYRING:
		return kc_join(t, a2);
	case KC_UPDATE:
		return kc_update(t, id, a3, (size_t)a4);
	case KC_REVOKE:
		return kc_revoke(t, id);
	case KC_CHOWN:
		return kc_chown(t, id, (uid_t)a3, (gid_t)a4);
	case KC_SETPERM:
		return kc_setperm(t, id, (uint32_t)a3);
	case KC_DESCRIBE:
		return kc_describe(t, id, a3, (size_t)a4);
	case KC_LINK:
	case KC_UNLINK:
		return kc_link(t, id, (int32_t)a3, cmd == KC_LINK);
	case KC_SEARCH:
		return kc_search(t, id, a3, a4, (int32_t)a5);
	case KC_READ:
		return kc_read(t, id, a3, (size_t)a4);
	case KC_SET_TIMEOUT:
		return kc_timeout(t, id, (unsigned)a3);
	case KC_MOVE:
		return kc_move(t, id, (int32_t)a3, (int32_t)a4, a5);
	case KC_INSTANTIATE:
	case KC_NEGATE:
	case KC_REJECT:
	case KC_INSTANTIATE_IOV:
		return -EPERM; /* no key is under construction: no authority */
	case KC_SET_REQKEY_KEYRING:
		return keys_set_reqkey(t, (int)a2);
	case KC_ASSUME_AUTHORITY:
		return id == 0 ? 0 : -EPERM;
	default:
		return kc_simple(t, cmd, a2, a3, a4);
	}
}
