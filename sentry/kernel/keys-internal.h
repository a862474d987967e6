/* kernel/keys-internal.h: the key objects shared by keys.c (objects,
 * quotas, the callers' keyrings, lookup, search) and keys-ctl.c (the
 * calls). Nothing outside those two files includes it. */
#ifndef MSENTRY_SENTRY_KERNEL_KEYS_INTERNAL_H
#define MSENTRY_SENTRY_KERNEL_KEYS_INTERNAL_H

#include "sentry/kernel/keys.h"

enum key_kind { KT_USER, KT_LOGON, KT_KEYRING };

#define KEY_MAX_DESC	  4096	/* bytes with the NUL (KEY_MAX_DESC_SIZE) */
#define KEY_USER_MAX	  32767 /* a user/logon payload */
#define KEYRING_MAX_DEPTH 6	/* nesting a search descends (KEYRING_SEARCH_MAX_DEPTH) */

struct key {
	int32_t serial;
	int refs; /* links from keyrings and holders (callers' keyrings, the users) */
	enum key_kind kind;
	char *desc;
	uid_t uid;
	gid_t gid; /* (gid_t)-1: none (user keyrings) */
	uint32_t perm;
	bool revoked, invalid;
	int negative;	/* -ENOKEY: negatively instantiated (request_key's), else 0 */
	bool quota;	/* charged to its owner's quota */
	size_t charged; /* bytes charged */
	int64_t expiry; /* CLOCK_REALTIME seconds; 0: never */
	char *data;	/* user/logon payload */
	size_t len;
	struct key **members; /* a keyring's links, in order */
	size_t n, cap;
	uint64_t mark;	     /* the last walk that visited it (keys->walk) */
	struct id_node node; /* in keys->by_serial */
	struct key *next;    /* in keys->all; once freed, in key_put's list */
	struct key **pprev;
};

/* Per uid: quota use and the user keyrings, made on first use. */
struct key_user {
	uid_t uid;
	int nkeys;
	size_t nbytes;
	struct key *user, *user_session;
	struct key_user *next;
};

/* The keyrings a thread (thread) or a process (process, session) holds. */
struct key_holder {
	const void *owner; /* struct task or struct process */
	struct key *thread, *process, *session;
	int reqkey; /* a process's KEYCTL_SET_REQKEY_KEYRING default (KEY_REQKEY_DEFL_*) */
	struct key_holder *next;
};

struct keys {
	/* /proc/sys/kernel/keys/: quotas of a non-root uid and of root. */
	long maxkeys, maxbytes, root_maxkeys, root_maxbytes, gc_delay, persistent_expiry;
	struct key *all;
	struct id_map by_serial;
	int32_t next_serial;
	uint32_t rng;
	uint64_t walk; /* walks through keyrings visit each keyring once */
	struct key_user *users;
	struct key_holder *holders;
};

/* Lookup flags and needs (Linux's KEY_LOOKUP_* and KEY_NEED_*). */
#define LK_CREATE   1	  /* make the special keyring if missing */
#define LK_PARTIAL  2	  /* a negative key will do */
#define NEED_NONE   0x100 /* found and valid: no permission asked */
#define NEED_UNLINK 0x200 /* no validity nor permission check */
#define NEED_DEFER  0x400 /* the caller checks validity and permission */

struct keys *keys_of(struct sentry *s);
/* A uid's quota use, made on first use. */
struct key_user *key_user(struct keys *ks, uid_t uid);
/* Is k reachable from t's keyrings (so possessed)? */
bool key_possessed(struct task *t, const struct key *k);
/* Mark every key t possesses: k->mark == the result. */
uint64_t keys_mark_possessed(struct task *t);
const char *key_kind_name(enum key_kind k);
/* A kind by type name: 0 and *out, or -1 (no such type here). */
int key_kind_by_name(const char *name, enum key_kind *out);
/* A new key owned by t's fsuid/fsgid, charged unless it is a user
 * keyring; `overrun`: it may exceed the quota. -EDQUOT or 0. */
long key_alloc(struct task *t, enum key_kind kind, const char *desc, uint32_t perm, size_t payload,
	       bool overrun, struct key **out);
void key_put(struct sentry *s, struct key *k);
/* Charge `delta` more payload bytes to k's owner: 0 or -EDQUOT. */
long key_recharge(struct sentry *s, struct key *k, long delta);
/* 0, -ENOKEY (invalidated), -EKEYREVOKED or -EKEYEXPIRED. */
int key_validate(const struct key *k);
bool key_allowed(struct task *t, const struct key *k, bool possessed, unsigned want);
/* Linux's lookup_user_key: an id (special or serial) to a key, checked
 * against `need`. The key is borrowed. */
long key_lookup(struct task *t, int32_t id, unsigned lflags, unsigned need, struct key **out,
		bool *possessed);
/* Link k into ring, replacing a link of the same type and description:
 * 0, -EDEADLK (ring is k or within it) or -ELOOP (k nests deeper than a
 * search goes, as Linux's cycle check). */
long keyring_link(struct sentry *s, struct key *ring, struct key *k);
long keyring_unlink(struct sentry *s, struct key *ring, struct key *k);
void keyring_clear(struct sentry *s, struct key *ring);
/* A key of kind and desc linked directly in ring, or NULL. */
struct key *keyring_find(struct key *ring, enum key_kind kind, const char *desc);
/* Search ring and the keyrings in it: 0 and *out, or -ENOKEY or the
 * error of a match that was skipped (revoked, expired). */
long keyring_search(struct task *t, struct key *ring, bool possessed, enum key_kind kind,
		    const char *desc, struct key **out);
/* The same through t's thread, process and session keyrings. */
long keys_search_process(struct task *t, enum key_kind kind, const char *desc, struct key **out);
/* KEYCTL_SET_REQKEY_KEYRING: the previous default, or -errno. */
long keys_set_reqkey(struct task *t, int defl);
/* Where request_key puts a key it makes: the default keyring (or NULL). */
struct key *keys_reqkey_dest(struct task *t);
/* KEYCTL_JOIN_SESSION_KEYRING: name NULL: a new anonymous one. */
long keys_join_session(struct task *t, const char *name);
/* Invalidate k: gone from every keyring. */
void key_invalidate(struct sentry *s, struct key *k);

#endif
