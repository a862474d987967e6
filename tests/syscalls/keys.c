/* The key retention service: add_key, keyctl, request_key. Natively the
 * keys are the host's: each test runs in a child that first joins a new
 * session keyring, so that it starts from the same empty keyring in any
 * session, and prints relations between serials (never serials) and
 * errors. No test waits for a key to expire (no wall-clock). */
#include <sys/wait.h>

#include "probe.h"

#define T_KEYRING	  -1
#define P_KEYRING	  -2
#define S_KEYRING	  -3
#define KC_GET_KEYRING_ID 0
#define KC_JOIN		  1
#define KC_UPDATE	  2
#define KC_REVOKE	  3
#define KC_CHOWN	  4
#define KC_SETPERM	  5
#define KC_DESCRIBE	  6
#define KC_CLEAR	  7
#define KC_LINK		  8
#define KC_UNLINK	  9
#define KC_SEARCH	  10
#define KC_READ		  11
#define KC_SET_TIMEOUT	  15
#define KC_GET_SECURITY	  17
#define KC_INVALIDATE	  21

static long add(const char *type, const char *desc, const void *data, size_t len, long ring)
{
	return syscall(SYS_add_key, type, desc, data, len, ring);
}

static long kc(long cmd, long a, long b, long c, long d)
{
	return syscall(SYS_keyctl, cmd, a, b, c, d);
}

static long req(const char *type, const char *desc, const char *info, long dest)
{
	return syscall(SYS_request_key, type, desc, info, dest);
}

/* Fork, join a fresh session keyring, run fn, wait. */
static void in_session(const char *label, void (*fn)(long session))
{
	pid_t pid = probe_fork();
	if (pid == 0) {
		long ses = kc(KC_JOIN, 0, 0, 0, 0);
		if (ses < 0) {
			say("join session: %s", errname(errno));
			_exit(0);
		}
		fn(ses);
		_exit(0);
	}
	probe_wait(label, pid);
}

/* How many keys a keyring holds, and whether `serial` is one. */
static void show_ring(const char *what, long ring, long serial)
{
	int32_t ids[64];
	long n = kc(KC_READ, ring, (long)ids, sizeof(ids), 0);
	if (n < 0) {
		say("%s: read %s", what, errname(errno));
		return;
	}
	bool has = false;
	for (long i = 0; i < n / 4 && i < 64; i++)
		has |= ids[i] == serial;
	say("%s: %ld keys, has it %d", what, n / 4, has);
}

/* A key's type, permission and description from KEYCTL_DESCRIBE, and
 * whether uid and gid are the caller's. */
static void show_desc(long key)
{
	char buf[256];
	long n = kc(KC_DESCRIBE, key, (long)buf, sizeof(buf), 0);
	if (n < 0) {
		say("describe: %s", errname(errno));
		return;
	}
	char type[32], desc[128];
	unsigned uid, gid, perm;
	if (sscanf(buf, "%31[^;];%u;%u;%x;%127s", type, &uid, &gid, &perm, desc) != 5) {
		say("describe: unparsed");
		return;
	}
	say("describe: len %ld type %s perm %08x desc %s mine %d", n, type, perm, desc,
	    uid == (unsigned)geteuid() && gid == (unsigned)getegid());
}

static void add_key_body(long ses)
{
	long k1 = add("user", "k1", "abc", 3, S_KEYRING);
	say("add user k1: %s", k1 > 0 ? "ok" : errname(errno));
	long k1b = add("user", "k1", "defgh", 5, S_KEYRING);
	say("add again: same key %d", k1b == k1);
	char buf[16] = {0};
	long n = kc(KC_READ, k1, (long)buf, sizeof(buf), 0);
	say("read: %ld \"%s\"", n, buf);
	show_desc(k1);
	show_ring("session", ses, k1);
	SHOW(add("logon", "k1", "x", 1, S_KEYRING));
	long lg = add("logon", "svc:k1", "secret", 6, S_KEYRING);
	say("add logon svc:k1: %s", lg > 0 ? "ok" : errname(errno));
	show_desc(lg);
	SHOW(kc(KC_READ, lg, (long)buf, sizeof(buf), 0));
	SHOW(add("user", "", "x", 1, S_KEYRING));
	SHOW(add("user", NULL, "x", 1, S_KEYRING));
	SHOW(add("user", "k2", "x", 0, S_KEYRING));
	static char big[32768];
	say("32767 bytes: %s", add("user", "big", big, 32767, S_KEYRING) > 0 ? "ok" : "failed");
	SHOW(add("user", "k2", big, 32768, S_KEYRING));
	SHOW(add("user", "k2", big, 1 << 20, S_KEYRING));
	SHOW(add(".user", "k2", "x", 1, S_KEYRING));
	SHOW(add("", "k2", "x", 1, S_KEYRING));
	SHOW(add("no_such_type", "k2", "x", 1, S_KEYRING));
	SHOW(add("keyring", "kr", "x", 1, S_KEYRING));
	SHOW(add("keyring", ".kr", NULL, 0, S_KEYRING));
	SHOW(add(BADPTR, "k2", "x", 1, S_KEYRING));
	SHOW(add("user", BADPTR, "x", 1, S_KEYRING));
	SHOW(add("user", "k2", BADPTR, 1, S_KEYRING));
	SHOW(add("user", "k2", "x", 1, 0));
	SHOW(add("user", "k2", "x", 1, -6));
	SHOW(add("user", "k2", "x", 1, k1)); /* not a keyring */
	long kr = add("keyring", "kr", NULL, 0, S_KEYRING);
	long kr2 = add("keyring", "kr", NULL, 0, S_KEYRING);
	say("keyring twice: new keyring %d", kr2 > 0 && kr2 != kr);
	show_ring("session", ses, kr2);
	show_ring("session (old kr)", ses, kr);
	show_desc(kr2);
	long in = add("user", "inner", "i", 1, kr2);
	show_ring("kr", kr2, in);
	say("add into thread keyring: %d", add("user", "t", "x", 1, T_KEYRING) > 0);
	show_ring("thread keyring", T_KEYRING, 0);
}

SYSCALL_TEST(add_key)
{
	in_session("add_key child", add_key_body);
}

static void keyctl_body(long ses)
{
	SHOW(kc(KC_GET_KEYRING_ID, T_KEYRING, 0, 0, 0));
	say("thread keyring made: %d", kc(KC_GET_KEYRING_ID, T_KEYRING, 1, 0, 0) > 0);
	SHOW(kc(KC_GET_KEYRING_ID, P_KEYRING, 0, 0, 0));
	say("process keyring made: %d", kc(KC_GET_KEYRING_ID, P_KEYRING, 1, 0, 0) > 0);
	say("session id: joined %d", kc(KC_GET_KEYRING_ID, S_KEYRING, 0, 0, 0) == ses);
	SHOW(kc(KC_GET_KEYRING_ID, 0, 0, 0, 0));
	SHOW(kc(KC_GET_KEYRING_ID, -6, 0, 0, 0));
	long k = add("user", "k", "v1", 2, S_KEYRING);
	long kr = add("keyring", "kr", NULL, 0, S_KEYRING);
	SHOW(kc(KC_UPDATE, k, (long)"value2", 6, 0));
	char buf[64] = {0};
	long n = kc(KC_READ, k, (long)buf, 3, 0);
	say("short read: %ld \"%.3s\"", n, buf);
	SHOW(kc(KC_UPDATE, k, (long)"x", 0, 0));
	SHOW(kc(KC_UPDATE, kr, (long)"x", 1, 0));
	SHOW(kc(KC_LINK, k, kr, 0, 0));
	show_ring("kr", kr, k);
	SHOW(kc(KC_LINK, kr, kr, 0, 0));
	SHOW(kc(KC_LINK, ses, kr, 0, 0));
	SHOW(kc(KC_LINK, k, k, 0, 0));
	say("search session: found k %d", kc(KC_SEARCH, ses, (long)"user", (long)"k", 0) == k);
	SHOW(kc(KC_UNLINK, k, ses, 0, 0));
	say("search session after unlink: nested found %d",
	    kc(KC_SEARCH, ses, (long)"user", (long)"k", 0) == k);
	SHOW(kc(KC_UNLINK, k, ses, 0, 0));
	SHOW(kc(KC_SEARCH, ses, (long)"user", (long)"none", 0));
	SHOW(kc(KC_SEARCH, ses, (long)"no_such_type", (long)"k", 0));
	say("search, link into process keyring: %d",
	    kc(KC_SEARCH, ses, (long)"user", (long)"k", P_KEYRING) == k);
	show_ring("process", P_KEYRING, k);
	n = kc(KC_GET_SECURITY, k, (long)buf, sizeof(buf), 0);
	say("get_security: %ld empty %d", n, buf[0] == 0);
	SHOW(kc(KC_SETPERM, k, 0x40000000, 0, 0));
	SHOW(kc(KC_SETPERM, k, 0x3f000000, 0, 0));
	show_desc(k);
	SHOW(kc(KC_CHOWN, k, -1, -1, 0));
	SHOW(kc(KC_CHOWN, k, -1, getegid(), 0));
	SHOW(kc(KC_SET_TIMEOUT, k, 1000, 0, 0));
	SHOW(kc(KC_SET_TIMEOUT, k, 0, 0, 0));
	long r = add("user", "r", "x", 1, S_KEYRING);
	SHOW(kc(KC_REVOKE, r, 0, 0, 0));
	SHOW(kc(KC_READ, r, (long)buf, sizeof(buf), 0));
	SHOW(kc(KC_DESCRIBE, r, (long)buf, sizeof(buf), 0));
	SHOW(kc(KC_REVOKE, r, 0, 0, 0));
	SHOW(kc(KC_SEARCH, ses, (long)"user", (long)"r", 0));
	long p = add("user", "p", "x", 1, S_KEYRING);
	SHOW(kc(KC_SETPERM, p, 0, 0, 0));
	SHOW(kc(KC_READ, p, (long)buf, sizeof(buf), 0));
	SHOW(kc(KC_DESCRIBE, p, (long)buf, sizeof(buf), 0));
	SHOW(kc(KC_SETPERM, p, 0x3f010000, 0, 0));
	SHOW(kc(KC_CLEAR, p, 0, 0, 0));
	/* Readable by its owner: an invalidated key is gone (ENOKEY) whether
	 * or not Linux's collector has run yet. */
	SHOW(kc(KC_SETPERM, k, 0x3f3f0000, 0, 0));
	SHOW(kc(KC_INVALIDATE, k, 0, 0, 0));
	SHOW(kc(KC_READ, k, (long)buf, sizeof(buf), 0));
	show_ring("kr after invalidate", kr, k);
	SHOW(kc(KC_CLEAR, ses, 0, 0, 0));
	show_ring("session after clear", ses, 0);
	SHOW(kc(999, 0, 0, 0, 0));
	long m = add("user", "m", "x", 1, S_KEYRING);
	long kr3 = add("keyring", "kr3", NULL, 0, S_KEYRING);
	SHOW(kc(30 /* KEYCTL_MOVE */, m, ses, kr3, 2));
	SHOW(kc(30, m, ses, kr3, 0));
	show_ring("kr3 after move", kr3, m);
	show_ring("session after move", ses, m);
	SHOW(kc(30, m, ses, kr3, 0));
	add("user", "m", "y", 1, S_KEYRING);
	SHOW(kc(30, m, kr3, ses, 1 /* KEYCTL_MOVE_EXCL */));
	long named = kc(KC_JOIN, (long)"probe-named", 0, 0, 0);
	say("join named: new %d", named > 0 && named != ses);
	show_desc(named);
}

SYSCALL_TEST(keyctl)
{
	in_session("keyctl child", keyctl_body);
}

static void request_key_body(long ses)
{
	SHOW(req("user", "none", NULL, 0));
	long k = add("user", "k", "v", 1, S_KEYRING);
	say("found in session: %d", req("user", "k", NULL, 0) == k);
	long kr = add("keyring", "kr", NULL, 0, S_KEYRING);
	long in = add("user", "in", "v", 1, kr);
	say("found nested: %d", req("user", "in", NULL, 0) == in);
	say("keyring by name: %d", req("keyring", "kr", NULL, 0) == kr);
	say("linked into process keyring: %d", req("user", "k", NULL, P_KEYRING) == k);
	show_ring("process", P_KEYRING, k);
	SHOW(req(".user", "k", NULL, 0));
	SHOW(req("", "k", NULL, 0));
	SHOW(req("user", BADPTR, NULL, 0));
	SHOW(req(BADPTR, "k", NULL, 0));
	SHOW(req("no_such_type", "k", NULL, 0));
	SHOW(req("user", "k", NULL, -6));
	kc(KC_SETPERM, in, 0x37010000, 0, 0); /* no search */
	SHOW(req("user", "in", NULL, 0));
	kc(KC_REVOKE, k, 0, 0, 0);
	SHOW(req("user", "k", NULL, 0));
	kc(KC_UNLINK, kr, ses, 0, 0);
	SHOW(req("keyring", "kr", NULL, 0));
}

SYSCALL_TEST(request_key)
{
	in_session("request_key child", request_key_body);
}
