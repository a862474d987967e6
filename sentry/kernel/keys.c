/* The sandbox's key retention service: its keys, keyrings and quotas.
 *
 * How it works: every key lives in the sentry (s->keys), never in the
 * host's keyrings, which are msentry's own. A key is reference counted:
 * each keyring link holds a reference, and so does each holder, the
 * thread, process and session keyrings of the sandbox's tasks (a list of
 * struct key_holder, one per task or process that has any) and the user
 * and user-session keyrings of each uid (struct key_user). A key nobody
 * references is freed at once (Linux's garbage collector, without its
 * delay): an unlinked key's serial then answers ENOKEY. Links never make
 * a cycle (keyring_link refuses with EDEADLK), so counting suffices.
 *
 * Possession (the top permission byte) is Linux's: a key is possessed if
 * it is one of the caller's keyrings or reachable from them through
 * keyrings the caller may search. Searches (request_key, KEYCTL_SEARCH)
 * go through the thread, process and session keyrings (without a session
 * keyring: the user-session keyring), each keyring's own links before its
 * nested keyrings, at most six deep.
 *
 * The session keyring is per process here (Linux keeps it in each
 * thread's credentials): JOIN_SESSION_KEYRING changes it for every thread
 * of the caller. Expiry uses the host's CLOCK_REALTIME, the sandbox's.
 *
 * Threats: every count is bounded by the quota (200 keys, 20000 bytes a
 * non-root uid), descriptions by 4096 bytes and payloads by 32767, so a
 * program cannot make the sentry grow without bound; no lock: the sentry
 * is one thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "sentry/kernel/keys-internal.h"
#include "util/util.h"

/* ---- pure parts ---- */

bool key_perm_allows(uint32_t perm, uid_t uid, gid_t gid, const struct key_asker *a, bool possessed,
		     unsigned want)
{
	unsigned kperm = perm & 0xff;
	if (uid == a->fsuid) {
		kperm = (perm >> 16) & 0xff;
	} else if (gid != (gid_t)-1) {
		bool member = gid == a->fsgid;
		for (int i = 0; !member && i < a->ngroups; i++)
			member = a->groups[i] == gid;
		if (member)
			kperm = (perm >> 8) & 0xff;
	}
	if (possessed)
		kperm |= (perm >> 24) & 0xff;
	return (kperm & want & KEYP_ALL) == (want & KEYP_ALL);
}

int key_describe_text(char *buf, size_t len, const char *type, uid_t uid, gid_t gid, uint32_t perm,
		      const char *desc)
{
	int g = gid == (gid_t)-1 ? 65534 : (int)gid;
	return snprintf(buf, len, "%s;%d;%d;%08x;%s", type, (int)uid, g, perm, desc);
}

/* ---- objects ---- */

struct keys *keys_of(struct sentry *s)
{
	if (!s->keys) {
		s->keys = xcalloc(1, sizeof(*s->keys));
		uint32_t r = 0;
		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = (uint32_t)time(NULL);
		/* Serials start somewhere random, as Linux's, so that a
		 * program cannot count on one. */
		s->keys->next_serial = 3 + (int32_t)(r & 0x3fffffff);
		s->keys->rng = r | 1;
		*s->keys = (struct keys){.maxkeys = 200,
					 .maxbytes = 20000,
					 .root_maxkeys = 1000000,
					 .root_maxbytes = 25000000,
					 .gc_delay = 300,
					 .persistent_expiry = 259200,
					 .next_serial = s->keys->next_serial,
					 .rng = s->keys->rng};
	}
	return s->keys;
}

const char *key_kind_name(enum key_kind k)
{
	return k == KT_USER ? "user" : k == KT_LOGON ? "logon" : "keyring";
}

int key_kind_by_name(const char *name, enum key_kind *out)
{
	static const char *const names[] = {"user", "logon", "keyring"};
	for (int i = 0; i < 3; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum key_kind)i;
			return 0;
		}
	return -1;
}

struct key_user *key_user(struct keys *ks, uid_t uid)
{
	for (struct key_user *u = ks->users; u; u = u->next)
		if (u->uid == uid)
			return u;
	struct key_user *u = xcalloc(1, sizeof(*u));
	u->uid = uid;
	u->next = ks->users;
	ks->users = u;
	return u;
}

static bool serial_used(struct keys *ks, int32_t serial)
{
	return idmap_find(&ks->by_serial, serial) != NULL;
}

static int32_t new_serial(struct keys *ks)
{
	for (;;) {
		/* xorshift: the next serial a small random step on. */
		ks->rng ^= ks->rng << 13;
		ks->rng ^= ks->rng >> 17;
		ks->rng ^= ks->rng << 5;
		int64_t next = (int64_t)ks->next_serial + 1 + (ks->rng & 0xff);
		ks->next_serial = next > INT32_MAX ? 3 : (int32_t)next;
		if (!serial_used(ks, ks->next_serial))
			return ks->next_serial;
	}
}

/* Linux's key_quota_{maxkeys,maxbytes} and root's. */
static bool over_quota(const struct keys *ks, const struct key_user *u, int nkeys, size_t bytes)
{
	long maxkeys = u->uid == 0 ? ks->root_maxkeys : ks->maxkeys;
	long maxbytes = u->uid == 0 ? ks->root_maxbytes : ks->maxbytes;
	return u->nkeys + nkeys > maxkeys || (long)(u->nbytes + bytes) > maxbytes;
}

long key_alloc(struct task *t, enum key_kind kind, const char *desc, uint32_t perm, size_t payload,
	       bool overrun, struct key **out)
{
	struct keys *ks = keys_of(t->s);
	struct process *p = t->proc;
	size_t bytes = strlen(desc) + 1 + payload;
	struct key_user *u = key_user(ks, p->fsuid);
	if (!overrun && over_quota(ks, u, 1, bytes))
		return -EDQUOT;
	struct key *k = xcalloc(1, sizeof(*k));
	k->serial = new_serial(ks);
	k->refs = 1;
	k->kind = kind;
	k->desc = xstrdup(desc);
	k->uid = p->fsuid;
	k->gid = p->fsgid;
	k->perm = perm;
	k->quota = true;
	k->charged = bytes;
	u->nkeys++;
	u->nbytes += bytes;
	k->next = ks->all;
	if (ks->all)
		ks->all->pprev = &k->next;
	k->pprev = &ks->all;
	ks->all = k;
	idmap_insert(&ks->by_serial, &k->node, k->serial);
	*out = k;
	return 0;
}

static void key_uncharge(struct keys *ks, struct key *k)
{
	if (!k->quota)
		return;
	struct key_user *u = key_user(ks, k->uid);
	u->nkeys--;
	u->nbytes -= k->charged;
	k->quota = false;
}

long key_recharge(struct sentry *s, struct key *k, long delta)
{
	if (!k->quota || delta == 0)
		return 0;
	struct keys *ks = keys_of(s);
	struct key_user *u = key_user(ks, k->uid);
	if (delta > 0 && over_quota(ks, u, 0, (size_t)delta))
		return -EDQUOT;
	u->nbytes += (size_t)delta;
	k->charged += (size_t)delta;
	return 0;
}

/* Free k and whatever only it held: iteratively (a keyring's members
 * join the list), so that a long chain of keyrings cannot exhaust the
 * sentry's stack. */
/* k leaves the lists of live keys. */
static void key_unlist(struct keys *ks, struct key *k)
{
	*k->pprev = k->next;
	if (k->next)
		k->next->pprev = k->pprev;
	k->next = NULL;
	idmap_remove(&ks->by_serial, &k->node);
}

void key_put(struct sentry *s, struct key *k)
{
	if (!k || --k->refs > 0)
		return;
	struct keys *ks = keys_of(s);
	key_unlist(ks, k);
	struct key *doomed = k;
	while (doomed) {
		k = doomed;
		doomed = k->next;
		key_uncharge(ks, k);
		for (size_t i = 0; i < k->n; i++) {
			struct key *m = k->members[i];
			if (--m->refs > 0)
				continue;
			key_unlist(ks, m);
			m->next = doomed;
			doomed = m;
		}
		free(k->members);
		free(k->desc);
		free(k->data);
		free(k);
	}
}

int key_validate(const struct key *k)
{
	if (k->invalid)
		return -ENOKEY;
	if (k->revoked)
		return -EKEYREVOKED;
	if (k->expiry) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec >= k->expiry)
			return -EKEYEXPIRED;
	}
	return 0;
}

bool key_allowed(struct task *t, const struct key *k, bool possessed, unsigned want)
{
	const struct process *p = t->proc;
	struct key_asker a = {p->fsuid, p->fsgid, p->groups, p->ngroups};
	return key_perm_allows(k->perm, k->uid, k->gid, &a, possessed, want);
}

/* ---- keyrings ---- */

struct key *keyring_find(struct key *ring, enum key_kind kind, const char *desc)
{
	for (size_t i = 0; i < ring->n; i++)
		if (ring->members[i]->kind == kind && strcmp(ring->members[i]->desc, desc) == 0)
			return ring->members[i];
	return NULL;
}

/* The first visit of k in walk `walk`: true once. Walks thus cost at
 * most one pass over the keys however the keyrings share members. */
static bool first_visit(struct key *k, uint64_t walk)
{
	if (k->mark == walk)
		return false;
	k->mark = walk;
	return true;
}

/* Is `k` within `ring` (or ring itself), at most KEYRING_MAX_DEPTH down?
 * -ELOOP if ring nests deeper than that, as Linux's cycle check says. */
static int keyring_contains(struct key *ring, const struct key *k, int depth, uint64_t walk)
{
	if (ring == k)
		return 1;
	if (!first_visit(ring, walk))
		return 0;
	for (size_t i = 0; i < ring->n; i++) {
		struct key *m = ring->members[i];
		if (m->kind != KT_KEYRING)
			continue;
		if (depth >= KEYRING_MAX_DEPTH)
			return -ELOOP;
		int rc = keyring_contains(m, k, depth + 1, walk);
		if (rc != 0)
			return rc;
	}
	return 0;
}

long keyring_link(struct sentry *s, struct key *ring, struct key *k)
{
	if (k->kind == KT_KEYRING) {
		int in = keyring_contains(k, ring, 0, ++keys_of(s)->walk);
		if (in != 0)
			return in < 0 ? in : -EDEADLK;
	}
	struct key *old = keyring_find(ring, k->kind, k->desc);
	if (old == k)
		return 0;
	k->refs++;
	if (old) {
		for (size_t i = 0; i < ring->n; i++)
			if (ring->members[i] == old)
				ring->members[i] = k;
		key_put(s, old);
		return 0;
	}
	if (ring->n == ring->cap) {
		ring->cap = ring->cap ? ring->cap * 2 : 4;
		ring->members = xrealloc(ring->members, ring->cap * sizeof(*ring->members));
	}
	ring->members[ring->n++] = k;
	return 0;
}

long keyring_unlink(struct sentry *s, struct key *ring, struct key *k)
{
	for (size_t i = 0; i < ring->n; i++) {
		if (ring->members[i] != k)
			continue;
		memmove(&ring->members[i], &ring->members[i + 1],
			(ring->n - i - 1) * sizeof(*ring->members));
		ring->n--;
		key_put(s, k);
		return 0;
	}
	return -ENOENT;
}

void keyring_clear(struct sentry *s, struct key *ring)
{
	while (ring->n > 0) {
		struct key *k = ring->members[--ring->n];
		key_put(s, k);
	}
}

void key_invalidate(struct sentry *s, struct key *k)
{
	k->invalid = true;
	k->refs++; /* kept while it leaves every keyring */
	struct keys *ks = keys_of(s);
	for (struct key *r = ks->all; r; r = r->next)
		if (r->kind == KT_KEYRING)
			while (keyring_unlink(s, r, k) == 0) {
			}
	key_put(s, k);
}

/* ---- the callers' keyrings ---- */

static struct key_holder *holder(struct keys *ks, const void *owner, bool make)
{
	for (struct key_holder *h = ks->holders; h; h = h->next)
		if (h->owner == owner)
			return h;
	if (!make)
		return NULL;
	struct key_holder *h = xcalloc(1, sizeof(*h));
	h->owner = owner;
	h->next = ks->holders;
	ks->holders = h;
	return h;
}

static void holder_drop(struct sentry *s, const void *owner)
{
	if (!s->keys)
		return;
	for (struct key_holder **pp = &s->keys->holders; *pp; pp = &(*pp)->next) {
		struct key_holder *h = *pp;
		if (h->owner != owner)
			continue;
		*pp = h->next;
		key_put(s, h->thread);
		key_put(s, h->process);
		key_put(s, h->session);
		free(h);
		return;
	}
}

/* The user (session: false) or user-session keyring of t's uid, made on
 * first use, as Linux's "_uid.N" and "_uid_ses.N" (the latter links the
 * former). Not charged to the quota. */
static struct key *user_keyring(struct task *t, bool session)
{
	struct keys *ks = keys_of(t->s);
	uid_t uid = t->proc->fsuid;
	struct key_user *u = key_user(ks, uid);
	if (!u->user) {
		char name[32];
		snprintf(name, sizeof(name), "_uid.%u", (unsigned)uid);
		key_alloc(t, KT_KEYRING, name, 0x3f3f0000, 0, true, &u->user);
		key_uncharge(ks, u->user);
		u->user->gid = (gid_t)-1;
		snprintf(name, sizeof(name), "_uid_ses.%u", (unsigned)uid);
		key_alloc(t, KT_KEYRING, name, 0x3f3f0000, 0, true, &u->user_session);
		key_uncharge(ks, u->user_session);
		u->user_session->gid = (gid_t)-1;
		keyring_link(t->s, u->user_session, u->user);
	}
	return session ? u->user_session : u->user;
}

/* The thread or process keyring, made if `create` (charged, may overrun,
 * as Linux's KEY_ALLOC_QUOTA_OVERRUN); NULL if missing. */
static struct key *own_keyring(struct task *t, bool thread, bool create)
{
	struct keys *ks = keys_of(t->s);
	const void *owner = thread ? (const void *)t : (const void *)t->proc;
	struct key_holder *h = holder(ks, owner, create);
	if (!h)
		return NULL;
	struct key **slot = thread ? &h->thread : &h->process;
	if (!*slot && create)
		key_alloc(t, KT_KEYRING, thread ? "_tid" : "_pid", 0x3f010000, 0, true, slot);
	return *slot;
}

static struct key *session_keyring(struct task *t)
{
	struct key_holder *h = holder(keys_of(t->s), t->proc, false);
	return h ? h->session : NULL;
}

static void set_session(struct task *t, struct key *k)
{
	struct key_holder *h = holder(keys_of(t->s), t->proc, true);
	k->refs++;
	key_put(t->s, h->session);
	h->session = k;
}

long keys_join_session(struct task *t, const char *name)
{
	struct keys *ks = keys_of(t->s);
	struct key *k = NULL;
	if (name) {
		/* A named keyring the caller may search (not possessing it),
		 * other than a user keyring, is joined; else one is made. */
		for (struct key *r = ks->all; r && !k; r = r->next)
			if (r->kind == KT_KEYRING && !r->revoked && !r->invalid &&
			    strcmp(r->desc, name) == 0 && key_allowed(t, r, false, KEYP_SEARCH) &&
			    strncmp(r->desc, "_uid", 4) != 0)
				k = r;
		if (k) {
			if (k != session_keyring(t))
				set_session(t, k);
			return k->serial;
		}
	}
	uint32_t perm = name ? 0x3f130000 : 0x3f030000;
	long rc = key_alloc(t, KT_KEYRING, name ? name : "_ses", perm, 0, false, &k);
	if (rc != 0)
		return rc;
	set_session(t, k);
	key_put(t->s, k);
	return k->serial;
}

/* The keyrings a search starts from: thread, process, session (or the
 * user-session keyring); NULL where missing. */
static void search_roots(struct task *t, struct key *roots[3])
{
	roots[0] = own_keyring(t, true, false);
	roots[1] = own_keyring(t, false, false);
	roots[2] = session_keyring(t);
	if (!roots[2])
		roots[2] = user_keyring(t, true);
}

/* Mark what t possesses in this walk: every key reachable from its
 * keyrings through keyrings it may search (possessed: Linux's search
 * with the possessor's rights), itself searchable. */
static void mark_reachable(struct task *t, struct key *ring, int depth, uint64_t walk)
{
	if (ring->mark == walk || !key_allowed(t, ring, true, KEYP_SEARCH))
		return;
	ring->mark = walk;
	if (ring->kind != KT_KEYRING || depth > KEYRING_MAX_DEPTH)
		return;
	for (size_t i = 0; i < ring->n; i++)
		mark_reachable(t, ring->members[i], depth + 1, walk);
}

uint64_t keys_mark_possessed(struct task *t)
{
	struct key *roots[3];
	search_roots(t, roots);
	uint64_t walk = ++keys_of(t->s)->walk;
	for (int i = 0; i < 3; i++)
		if (roots[i])
			mark_reachable(t, roots[i], 0, walk);
	return walk;
}

bool key_possessed(struct task *t, const struct key *k)
{
	uint64_t walk = keys_mark_possessed(t); /* before k->mark is read */
	return k->mark == walk;
}

/* A special id's keyring (Linux's lookup_user_key cases), or -errno. */
static long special_keyring(struct task *t, int32_t id, unsigned lflags, struct key **out)
{
	bool create = lflags & LK_CREATE;
	switch (id) {
	case -1: /* KEY_SPEC_THREAD_KEYRING */
	case -2: /* KEY_SPEC_PROCESS_KEYRING */
		*out = own_keyring(t, id == -1, create);
		return *out ? 0 : -ENOKEY;
	case -3: { /* KEY_SPEC_SESSION_KEYRING */
		struct key *ses = session_keyring(t);
		if ((!ses || ses == user_keyring(t, true)) && create) {
			long rc = keys_join_session(t, NULL);
			if (rc < 0)
				return rc;
		} else if (!ses) {
			set_session(t, user_keyring(t, true));
		}
		*out = session_keyring(t);
		return 0;
	}
	case -4: /* KEY_SPEC_USER_KEYRING */
	case -5: /* KEY_SPEC_USER_SESSION_KEYRING */
		*out = user_keyring(t, id == -5);
		return 0;
	default: /* group keyrings, request_key authority: none here */
		return -EINVAL;
	}
}

long key_lookup(struct task *t, int32_t id, unsigned lflags, unsigned need, struct key **out,
		bool *poss)
{
	struct key *k = NULL;
	bool is_poss = true;
	if (id < 0) {
		long rc = special_keyring(t, id, lflags, &k);
		if (rc != 0)
			return rc;
	} else {
		struct id_node *n = id > 0 ? idmap_find(&keys_of(t->s)->by_serial, id) : NULL;
		k = n ? KERNEL_CONTAINER_OF(n, struct key, node) : NULL;
		if (id == 0 || !k || k->invalid)
			return id == 0 ? -EINVAL : -ENOKEY;
		is_poss = key_possessed(t, k);
	}
	if (!(need & (NEED_UNLINK | NEED_DEFER))) {
		int v = k->negative && !(lflags & LK_PARTIAL) ? k->negative : key_validate(k);
		if (v != 0)
			return v;
		if ((need & KEYP_ALL) && !key_allowed(t, k, is_poss, need & KEYP_ALL))
			return -EACCES;
	}
	*out = k;
	if (poss)
		*poss = is_poss;
	return 0;
}

/* ---- search ---- */

/* One keyring's own links, then its nested keyrings. *err keeps the
 * error of a match that could not be given. */
static struct key *search_in(struct task *t, struct key *ring, bool poss, enum key_kind kind,
			     const char *desc, int depth, long *err)
{
	if (!first_visit(ring, t->s->keys->walk))
		return NULL;
	for (size_t i = 0; i < ring->n; i++) {
		struct key *k = ring->members[i];
		if (k->kind != kind || strcmp(k->desc, desc) != 0 || k->invalid)
			continue;
		int v = k->negative ? k->negative : key_validate(k);
		if (v != 0) {
			*err = v;
			return NULL; /* as Linux: a match in a bad state ends this keyring's search
				      */
		}
		/* One the caller may not search is passed over (Linux then
		 * answers ENOKEY, not EACCES). */
		if (key_allowed(t, k, poss, KEYP_SEARCH))
			return k;
	}
	if (depth >= KEYRING_MAX_DEPTH)
		return NULL;
	for (size_t i = 0; i < ring->n; i++) {
		struct key *r = ring->members[i];
		if (r->kind != KT_KEYRING || key_validate(r) != 0 ||
		    !key_allowed(t, r, poss, KEYP_SEARCH))
			continue;
		struct key *k = search_in(t, r, poss, kind, desc, depth + 1, err);
		if (k)
			return k;
	}
	return NULL;
}

long keyring_search(struct task *t, struct key *ring, bool poss, enum key_kind kind,
		    const char *desc, struct key **out)
{
	long err = -ENOKEY;
	keys_of(t->s)->walk++;
	*out = search_in(t, ring, poss, kind, desc, 0, &err);
	return *out ? 0 : err;
}

long keys_search_process(struct task *t, enum key_kind kind, const char *desc, struct key **out)
{
	struct key *roots[3];
	search_roots(t, roots);
	long err = -ENOKEY;
	for (int i = 0; i < 3; i++) {
		if (!roots[i] || key_validate(roots[i]) != 0)
			continue;
		long rc = keyring_search(t, roots[i], true, kind, desc, out);
		if (rc == 0)
			return 0;
		if (rc != -ENOKEY)
			err = rc;
	}
	return err;
}

/* ---- lifetime hooks ---- */

void keys_fork(struct process *child, const struct process *parent)
{
	struct sentry *s = child->s;
	if (!s->keys)
		return;
	struct key_holder *ph = holder(s->keys, parent, false);
	if (!ph || (!ph->session && !ph->reqkey))
		return;
	struct key_holder *h = holder(s->keys, child, true);
	h->reqkey = ph->reqkey;
	h->session = ph->session;
	if (h->session)
		h->session->refs++;
}

long keys_set_reqkey(struct task *t, int defl)
{
	struct key_holder *h = holder(keys_of(t->s), t->proc, true);
	int old = h->reqkey;
	if (defl == -1) /* KEY_REQKEY_DEFL_NO_CHANGE */
		return old;
	if (defl < 0 || defl > 7 || defl == 6) /* group keyrings: none */
		return -EINVAL;
	if (defl == 1 || defl == 2) /* the thread or process keyring is made now */
		own_keyring(t, defl == 1, true);
	h->reqkey = defl;
	return old;
}

struct key *keys_reqkey_dest(struct task *t)
{
	struct key_holder *h = holder(keys_of(t->s), t->proc, false);
	int defl = h ? h->reqkey : 0;
	struct key *k = NULL;
	/* Linux's construct_get_dest_keyring: from the chosen keyring on
	 * down the list to the first that exists. */
	switch (defl) {
	case 4: /* KEY_REQKEY_DEFL_USER_KEYRING */
		return user_keyring(t, false);
	case 0: /* default */
	case 7: /* requestor: none here */
	case 1: /* thread */
		if ((k = own_keyring(t, true, false)) != NULL)
			return k;
		/* fall through */
	case 2: /* process */
		if ((k = own_keyring(t, false, false)) != NULL)
			return k;
		/* fall through */
	case 3: /* session */
		if ((k = session_keyring(t)) != NULL)
			return k;
		/* fall through */
	default: /* 5: user session */
		return user_keyring(t, true);
	}
}

void keys_exec(struct task *t)
{
	if (!t->s->keys)
		return;
	holder_drop(t->s, t);
	struct key_holder *h = holder(t->s->keys, t->proc, false);
	if (h && h->process) {
		key_put(t->s, h->process);
		h->process = NULL;
	}
}

void keys_task_exit(struct task *t)
{
	holder_drop(t->s, t);
}

void keys_process_exit(struct process *p)
{
	holder_drop(p->s, p);
}

void keys_release_all(struct sentry *s)
{
	struct keys *ks = s->keys;
	if (!ks)
		return;
	while (ks->holders)
		holder_drop(s, ks->holders->owner);
	for (struct key_user *u = ks->users; u; u = u->next) {
		key_put(s, u->user_session);
		key_put(s, u->user);
		u->user = u->user_session = NULL;
	}
	/* What is left is only linked from keyrings that are left too:
	 * cut the links first, then free. */
	for (struct key *k = ks->all; k; k = k->next) {
		for (size_t i = 0; i < k->n; i++)
			k->members[i]->refs--;
		k->n = 0;
	}
	while (ks->all) {
		struct key *k = ks->all;
		ks->all = k->next;
		free(k->members);
		free(k->desc);
		free(k->data);
		free(k);
	}
	idmap_release(&ks->by_serial);
	while (ks->users) {
		struct key_user *u = ks->users;
		ks->users = u->next;
		free(u);
	}
	free(ks);
	s->keys = NULL;
}
