/* strace formatters of values that need no memory: numbers, flag words
 * and enumerations (open flags, mmap protections, signal numbers and sets,
 * clone flags, futex operations...), grouped by subsystem. The scalar
 * formatters of sockets are in format-net.c.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "sentry/strace/format-flags.h"

/* Names of the set bits of `v` joined by '|', then any unknown rest in hex;
 * `zero` when v is 0. Entries that are multi-bit (O_SYNC) come before their
 * parts, so they are matched whole. */
void sfmt_flags(struct strbuf *b, uint64_t v, const struct flag *t, size_t n, const char *zero)
{
	if (v == 0) {
		strbuf_printf(b, "%s", zero);
		return;
	}
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (t[i].v == 0 || (v & t[i].v) != t[i].v)
			continue;
		strbuf_printf(b, "%s%s", first ? "" : "|", t[i].name);
		v &= ~t[i].v;
		first = false;
	}
	if (v)
		strbuf_printf(b, "%s%#" PRIx64, first ? "" : "|", v);
}

/* The name of an enumeration value, or the hex value and a PREFIX??? comment. */
void sfmt_enum(struct strbuf *b, uint64_t v, const struct flag *t, size_t n, const char *prefix)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].v == v) {
			strbuf_printf(b, "%s", t[i].name);
			return;
		}
	}
	strbuf_printf(b, "%#" PRIx64 " /* %s??? */", v, prefix);
}

/* ---- numbers ---- */

void sfmt_int(struct strbuf *b, uint64_t v)
{
	strbuf_printf(b, "%d", (int)v);
}

void sfmt_uint(struct strbuf *b, uint64_t v)
{
	strbuf_printf(b, "%" PRIu64, v);
}

void sfmt_off(struct strbuf *b, uint64_t v)
{
	strbuf_printf(b, "%" PRId64, (int64_t)v);
}

void sfmt_hex(struct strbuf *b, uint64_t v)
{
	strbuf_printf(b, "%#" PRIx64, v);
}

void sfmt_ptr(struct strbuf *b, uint64_t v)
{
	if (v == 0)
		strbuf_printf(b, "NULL");
	else
		strbuf_printf(b, "%#" PRIx64, v);
}

void sfmt_fd(struct strbuf *b, uint64_t v)
{
	strbuf_printf(b, "%d", (int)v);
}

void sfmt_dirfd(struct strbuf *b, uint64_t v)
{
	if ((int)v == AT_FDCWD)
		strbuf_printf(b, "AT_FDCWD");
	else
		strbuf_printf(b, "%d", (int)v);
}

void sfmt_mode(struct strbuf *b, uint64_t v)
{
	strbuf_printf(b, "%#03o", (unsigned)v & 07777);
}

/* ---- files ---- */

static const struct flag open_flags[] = {
    {0100, "O_CREAT"},	      {0200, "O_EXCL"},	       {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},	      {02000, "O_APPEND"},     {04000, "O_NONBLOCK"},
    {04010000, "O_SYNC"},     {010000, "O_DSYNC"},     {040000, "O_DIRECT"},
    {0100000, "O_LARGEFILE"}, {0400000, "O_NOFOLLOW"}, {01000000, "O_NOATIME"},
    {02000000, "O_CLOEXEC"},  {010000000, "O_PATH"},   {020200000, "O_TMPFILE"},
    {0200000, "O_DIRECTORY"}, {020000, "FASYNC"},
};

void sfmt_open_flags(struct strbuf *b, uint64_t v)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	strbuf_printf(b, "%s", acc[v & 3]);
	v &= ~3ULL & 0xffffffffULL;
	if (v) {
		strbuf_printf(b, "|");
		FLAGS(b, v, open_flags, "0");
	}
}

void sfmt_fd_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(FD_CLOEXEC)};
	FLAGS(b, v, t, "0");
}

static const struct flag at_flags[] = {
    N(AT_SYMLINK_NOFOLLOW), N(AT_EACCESS),	    N(AT_SYMLINK_FOLLOW),  N(AT_NO_AUTOMOUNT),
    N(AT_EMPTY_PATH),	    N(AT_STATX_FORCE_SYNC), N(AT_STATX_DONT_SYNC), {0x8000, "AT_RECURSIVE"},
};

void sfmt_at_flags(struct strbuf *b, uint64_t v)
{
	FLAGS(b, v & 0xffffffff, at_flags, "0");
}

void sfmt_unlink_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(AT_REMOVEDIR)};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_access_mode(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(R_OK), N(W_OK), N(X_OK)};
	FLAGS(b, v & 0xffffffff, t, "F_OK");
}

void sfmt_whence(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(SEEK_SET), N(SEEK_CUR), N(SEEK_END), N(SEEK_DATA),
					N(SEEK_HOLE)};
	ENUM(b, v & 0xffffffff, t, "SEEK_");
}

void sfmt_fcntl_cmd(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    N(F_DUPFD),		N(F_GETFD),	 N(F_SETFD),	  N(F_GETFL),	  N(F_SETFL),
	    N(F_GETLK),		N(F_SETLK),	 N(F_SETLKW),	  N(F_SETOWN),	  N(F_GETOWN),
	    N(F_SETSIG),	N(F_GETSIG),	 N(F_SETOWN_EX),  N(F_GETOWN_EX), N(F_OFD_GETLK),
	    N(F_OFD_SETLK),	N(F_OFD_SETLKW), N(F_SETLEASE),	  N(F_GETLEASE),  N(F_NOTIFY),
	    N(F_DUPFD_CLOEXEC), N(F_SETPIPE_SZ), N(F_GETPIPE_SZ), N(F_ADD_SEALS), N(F_GET_SEALS),
	};
	ENUM(b, v & 0xffffffff, t, "F_");
}

/* fcntl's third argument, by command. */
void sfmt_fcntl_arg(struct strbuf *b, uint64_t cmd, uint64_t v)
{
	switch ((int)cmd) {
	case F_SETFD:
		sfmt_fd_flags(b, v);
		break;
	case F_SETFL:
		sfmt_open_flags(b, v);
		break;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_SETOWN:
	case F_SETSIG:
	case F_SETPIPE_SZ:
	case F_SETLEASE:
	case F_NOTIFY:
	case F_ADD_SEALS:
		sfmt_int(b, v);
		break;
	default:
		sfmt_ptr(b, v);
		break;
	}
}

void sfmt_ioctl_req(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {0x5401, "TCGETS"},
	    {0x5402, "TCSETS"},
	    {0x5403, "TCSETSW"},
	    {0x5404, "TCSETSF"},
	    {0x5405, "TCGETA"},
	    {0x5409, "TCSBRK"},
	    {0x540a, "TCXONC"},
	    {0x540b, "TCFLSH"},
	    {0x540c, "TIOCEXCL"},
	    {0x540d, "TIOCNXCL"},
	    {0x540e, "TIOCSCTTY"},
	    {0x540f, "TIOCGPGRP"},
	    {0x5410, "TIOCSPGRP"},
	    {0x5411, "TIOCOUTQ"},
	    {0x5412, "TIOCSTI"},
	    {0x5413, "TIOCGWINSZ"},
	    {0x5414, "TIOCSWINSZ"},
	    {0x5415, "TIOCMGET"},
	    {0x541b, "FIONREAD"},
	    {0x541c, "TIOCLINUX"},
	    {0x5421, "FIONBIO"},
	    {0x5422, "TIOCNOTTY"},
	    {0x5429, "TIOCGSID"},
	    {0x5441, "TIOCGPTPEER"},
	    {0x5450, "FIONCLEX"},
	    {0x5451, "FIOCLEX"},
	    {0x5452, "FIOASYNC"},
	    {0x5460, "FIOQSIZE"},
	    {0x80045430, "TIOCGPTN"},
	    {0x40045431, "TIOCSPTLCK"},
	    {0x802c542a, "TCGETS2"},
	    {0x402c542b, "TCSETS2"},
	    /* userfaultfd (kernel/userfaultfd.c) and /dev/userfaultfd */
	    {0xc018aa3f, "UFFDIO_API"},
	    {0xc020aa00, "UFFDIO_REGISTER"},
	    {0x8010aa01, "UFFDIO_UNREGISTER"},
	    {0x8010aa02, "UFFDIO_WAKE"},
	    {0xc028aa03, "UFFDIO_COPY"},
	    {0xc020aa04, "UFFDIO_ZEROPAGE"},
	    {0xc028aa05, "UFFDIO_MOVE"},
	    {0xc018aa06, "UFFDIO_WRITEPROTECT"},
	    {0xc020aa07, "UFFDIO_CONTINUE"},
	    {0xc020aa08, "UFFDIO_POISON"},
	    {0xaa00, "USERFAULTFD_IOC_NEW"},
	};
	v &= 0xffffffff;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (t[i].v == v) {
			strbuf_printf(b, "%s", t[i].name);
			return;
		}
	}
	/* Unknown: decode the _IOC fields, as strace does. */
	static const char *const dir[] = {"_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
					  "_IOC_READ|_IOC_WRITE"};
	strbuf_printf(b, "_IOC(%s, %#x, %#x, %#x)", dir[(v >> 30) & 3], (unsigned)(v >> 8) & 0xff,
		      (unsigned)v & 0xff, (unsigned)(v >> 16) & 0x3fff);
}

void sfmt_rename_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_flock_op(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(LOCK_SH), N(LOCK_EX), N(LOCK_UN), N(LOCK_NB)};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_falloc_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {1, "FALLOC_FL_KEEP_SIZE"},	       {2, "FALLOC_FL_PUNCH_HOLE"},
	    {4, "FALLOC_FL_NO_HIDE_STALE"},    {8, "FALLOC_FL_COLLAPSE_RANGE"},
	    {0x10, "FALLOC_FL_ZERO_RANGE"},    {0x20, "FALLOC_FL_INSERT_RANGE"},
	    {0x40, "FALLOC_FL_UNSHARE_RANGE"},
	};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_inotify_mask(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {1, "IN_ACCESS"},
	    {2, "IN_MODIFY"},
	    {4, "IN_ATTRIB"},
	    {8, "IN_CLOSE_WRITE"},
	    {0x10, "IN_CLOSE_NOWRITE"},
	    {0x20, "IN_OPEN"},
	    {0x40, "IN_MOVED_FROM"},
	    {0x80, "IN_MOVED_TO"},
	    {0x100, "IN_CREATE"},
	    {0x200, "IN_DELETE"},
	    {0x400, "IN_DELETE_SELF"},
	    {0x800, "IN_MOVE_SELF"},
	    {0x2000, "IN_UNMOUNT"},
	    {0x4000, "IN_Q_OVERFLOW"},
	    {0x8000, "IN_IGNORED"},
	    {0x1000000, "IN_ONLYDIR"},
	    {0x2000000, "IN_DONT_FOLLOW"},
	    {0x4000000, "IN_EXCL_UNLINK"},
	    {0x10000000, "IN_MASK_CREATE"},
	    {0x20000000, "IN_MASK_ADD"},
	    {0x40000000, "IN_ISDIR"},
	    {0x80000000, "IN_ONESHOT"},
	};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_statx_mask(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {0xfff, "STATX_ALL"},	{0x7ff, "STATX_BASIC_STATS"}, {1, "STATX_TYPE"},
	    {2, "STATX_MODE"},		{4, "STATX_NLINK"},	      {8, "STATX_UID"},
	    {0x10, "STATX_GID"},	{0x20, "STATX_ATIME"},	      {0x40, "STATX_MTIME"},
	    {0x80, "STATX_CTIME"},	{0x100, "STATX_INO"},	      {0x200, "STATX_SIZE"},
	    {0x400, "STATX_BLOCKS"},	{0x800, "STATX_BTIME"},	      {0x1000, "STATX_MNT_ID"},
	    {0x2000, "STATX_DIOALIGN"},
	};
	FLAGS(b, v & 0xffffffff, t, "0");
}

/* ---- memory ---- */

void sfmt_prot(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(PROT_READ),	 N(PROT_WRITE),	    N(PROT_EXEC),
					{8, "PROT_SEM"}, N(PROT_GROWSDOWN), N(PROT_GROWSUP)};
	FLAGS(b, v & 0xffffffff, t, "PROT_NONE");
}

void sfmt_mmap_flags(struct strbuf *b, uint64_t v)
{
	static const char *const type[] = {"0", "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE"};
	static const struct flag t[] = {
	    N(MAP_FIXED),     N(MAP_ANONYMOUS),	      N(MAP_32BIT),
	    N(MAP_GROWSDOWN), N(MAP_DENYWRITE),	      N(MAP_EXECUTABLE),
	    N(MAP_LOCKED),    N(MAP_NORESERVE),	      N(MAP_POPULATE),
	    N(MAP_NONBLOCK),  N(MAP_STACK),	      N(MAP_HUGETLB),
	    N(MAP_SYNC),      N(MAP_FIXED_NOREPLACE), {0x4000000, "MAP_UNINITIALIZED"},
	};
	v &= 0xffffffff;
	uint64_t kind = v & 0xf;
	if (kind < ARRAY_SIZE(type))
		strbuf_printf(b, "%s", type[kind]);
	else
		strbuf_printf(b, "%#" PRIx64 " /* MAP_??? */", kind);
	v &= ~0xfULL;
	if (v) {
		strbuf_printf(b, "|");
		FLAGS(b, v, t, "0");
	}
}

void sfmt_mremap_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {1, "MREMAP_MAYMOVE"}, {2, "MREMAP_FIXED"}, {4, "MREMAP_DONTUNMAP"}};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_madvise(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {0, "MADV_NORMAL"},		  {1, "MADV_RANDOM"},	      {2, "MADV_SEQUENTIAL"},
	    {3, "MADV_WILLNEED"},	  {4, "MADV_DONTNEED"},	      {8, "MADV_FREE"},
	    {9, "MADV_REMOVE"},		  {10, "MADV_DONTFORK"},      {11, "MADV_DOFORK"},
	    {12, "MADV_MERGEABLE"},	  {13, "MADV_UNMERGEABLE"},   {14, "MADV_HUGEPAGE"},
	    {15, "MADV_NOHUGEPAGE"},	  {16, "MADV_DONTDUMP"},      {17, "MADV_DODUMP"},
	    {18, "MADV_WIPEONFORK"},	  {19, "MADV_KEEPONFORK"},    {20, "MADV_COLD"},
	    {21, "MADV_PAGEOUT"},	  {22, "MADV_POPULATE_READ"}, {23, "MADV_POPULATE_WRITE"},
	    {24, "MADV_DONTNEED_LOCKED"}, {25, "MADV_COLLAPSE"},      {100, "MADV_HWPOISON"},
	    {101, "MADV_SOFT_OFFLINE"},
	};
	ENUM(b, v & 0xffffffff, t, "MADV_");
}

/* ---- signals ---- */

static const char *const sig_names[32] = {
    NULL,	 "SIGHUP",  "SIGINT",	 "SIGQUIT", "SIGILL",	"SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE",	 "SIGKILL", "SIGUSR1",	 "SIGSEGV", "SIGUSR2",	"SIGPIPE", "SIGALRM", "SIGTERM",
    "SIGSTKFLT", "SIGCHLD", "SIGCONT",	 "SIGSTOP", "SIGTSTP",	"SIGTTIN", "SIGTTOU", "SIGURG",
    "SIGXCPU",	 "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};

const char *sfmt_signame(int sig, char tmp[16])
{
	if (sig > 0 && sig < 32)
		return sig_names[sig];
	if (sig == 32)
		return "SIGRTMIN";
	if (sig > 32 && sig <= 64) {
		snprintf(tmp, 16, "SIGRT_%d", sig - 32);
		return tmp;
	}
	return NULL;
}

void sfmt_signal(struct strbuf *b, uint64_t v)
{
	char tmp[16];
	const char *name = sfmt_signame((int)v, tmp);
	if (name)
		strbuf_printf(b, "%s", name);
	else
		strbuf_printf(b, "%d", (int)v);
}

/* `[INT TERM]`, or `~[...]` of the complement when most signals are in. */
void sfmt_sigset(struct strbuf *b, uint64_t v)
{
	bool invert = __builtin_popcountll(v) > 32;
	if (invert)
		v = ~v;
	strbuf_printf(b, "%s[", invert ? "~" : "");
	bool first = true;
	for (int sig = 1; sig <= 64; sig++) {
		if (!(v & (1ULL << (sig - 1))))
			continue;
		char tmp[16];
		strbuf_printf(b, "%s%s", first ? "" : " ", sfmt_signame(sig, tmp) + 3);
		first = false;
	}
	strbuf_printf(b, "]");
}

void sfmt_sigprocmask_how(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(SIG_BLOCK), N(SIG_UNBLOCK), N(SIG_SETMASK)};
	ENUM(b, v & 0xffffffff, t, "SIG_");
}

/* ---- processes ---- */

void sfmt_clone_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    N(CLONE_VM),
	    N(CLONE_FS),
	    N(CLONE_FILES),
	    N(CLONE_SIGHAND),
	    N(CLONE_PIDFD),
	    N(CLONE_PTRACE),
	    N(CLONE_VFORK),
	    N(CLONE_PARENT),
	    N(CLONE_THREAD),
	    N(CLONE_NEWNS),
	    N(CLONE_SYSVSEM),
	    N(CLONE_SETTLS),
	    N(CLONE_PARENT_SETTID),
	    N(CLONE_CHILD_CLEARTID),
	    N(CLONE_DETACHED),
	    N(CLONE_UNTRACED),
	    N(CLONE_CHILD_SETTID),
	    N(CLONE_NEWCGROUP),
	    N(CLONE_NEWUTS),
	    N(CLONE_NEWIPC),
	    N(CLONE_NEWUSER),
	    N(CLONE_NEWPID),
	    N(CLONE_NEWNET),
	    N(CLONE_IO),
	};
	uint64_t sig = v & 0xff;
	v &= ~0xffULL & 0xffffffffULL;
	if (v == 0 && sig == 0) {
		strbuf_printf(b, "0");
		return;
	}
	if (v)
		FLAGS(b, v, t, "0");
	if (sig) {
		strbuf_printf(b, "%s", v ? "|" : "");
		sfmt_signal(b, sig);
	}
}

void sfmt_wait_options(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    N(WNOHANG),
	    N(WUNTRACED),
	    N(WEXITED),
	    N(WCONTINUED),
	    N(WNOWAIT),
	    {0x20000000, "__WNOTHREAD"},
	    {0x40000000, "__WALL"},
	    {0x80000000, "__WCLONE"},
	};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_idtype(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(P_ALL), N(P_PID), N(P_PGID), {3, "P_PIDFD"}};
	ENUM(b, v & 0xffffffff, t, "P_");
}

void sfmt_arch_prctl(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {0x1001, "ARCH_SET_GS"},	     {0x1002, "ARCH_SET_FS"},
	    {0x1003, "ARCH_GET_FS"},	     {0x1004, "ARCH_GET_GS"},
	    {0x1011, "ARCH_GET_CPUID"},	     {0x1012, "ARCH_SET_CPUID"},
	    {0x1021, "ARCH_GET_XCOMP_SUPP"}, {0x1022, "ARCH_GET_XCOMP_PERM"},
	    {0x1023, "ARCH_REQ_XCOMP_PERM"}, {0x2001, "ARCH_MAP_VDSO_X32"},
	    {0x2002, "ARCH_MAP_VDSO_32"},    {0x2003, "ARCH_MAP_VDSO_64"},
	};
	ENUM(b, v & 0xffffffff, t, "ARCH_");
}

void sfmt_prctl_option(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {1, "PR_SET_PDEATHSIG"},
	    {2, "PR_GET_PDEATHSIG"},
	    {3, "PR_GET_DUMPABLE"},
	    {4, "PR_SET_DUMPABLE"},
	    {7, "PR_GET_KEEPCAPS"},
	    {8, "PR_SET_KEEPCAPS"},
	    {15, "PR_SET_NAME"},
	    {16, "PR_GET_NAME"},
	    {21, "PR_GET_SECCOMP"},
	    {22, "PR_SET_SECCOMP"},
	    {23, "PR_CAPBSET_READ"},
	    {24, "PR_CAPBSET_DROP"},
	    {27, "PR_GET_SECUREBITS"},
	    {28, "PR_SET_SECUREBITS"},
	    {29, "PR_SET_TIMERSLACK"},
	    {30, "PR_GET_TIMERSLACK"},
	    {35, "PR_SET_MM"},
	    {36, "PR_SET_CHILD_SUBREAPER"},
	    {37, "PR_GET_CHILD_SUBREAPER"},
	    {38, "PR_SET_NO_NEW_PRIVS"},
	    {39, "PR_GET_NO_NEW_PRIVS"},
	    {40, "PR_GET_TID_ADDRESS"},
	    {41, "PR_SET_THP_DISABLE"},
	    {42, "PR_GET_THP_DISABLE"},
	    {47, "PR_CAP_AMBIENT"},
	    {0x53564d41, "PR_SET_VMA"},
	};
	ENUM(b, v & 0xffffffff, t, "PR_");
}

void sfmt_futex_op(struct strbuf *b, uint64_t v)
{
	static const char *const cmds[] = {
	    "FUTEX_WAIT",	    "FUTEX_WAKE",	 "FUTEX_FD",
	    "FUTEX_REQUEUE",	    "FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP",
	    "FUTEX_LOCK_PI",	    "FUTEX_UNLOCK_PI",	 "FUTEX_TRYLOCK_PI",
	    "FUTEX_WAIT_BITSET",    "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI",
	    "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2",
	};
	unsigned cmd = (unsigned)v & 127;
	if (cmd < ARRAY_SIZE(cmds))
		strbuf_printf(b, "%s%s", cmds[cmd], (v & 128) ? "_PRIVATE" : "");
	else
		strbuf_printf(b, "%#x /* FUTEX_??? */", cmd | ((unsigned)v & 128));
	if (v & 256)
		strbuf_printf(b, "|FUTEX_CLOCK_REALTIME");
}

void sfmt_personality(struct strbuf *b, uint64_t v)
{
	if ((v & 0xffffffff) == 0)
		strbuf_printf(b, "PER_LINUX");
	else
		strbuf_printf(b, "%#" PRIx64, v & 0xffffffff);
}

void sfmt_sched_policy(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(SCHED_OTHER),	      N(SCHED_FIFO),	N(SCHED_RR),
					N(SCHED_BATCH),	      {4, "SCHED_ISO"}, N(SCHED_IDLE),
					{6, "SCHED_DEADLINE"}};
	uint64_t p = v & 0x3fffffff;
	ENUM(b, p, t, "SCHED_");
	if (v & 0x40000000)
		strbuf_printf(b, "|SCHED_RESET_ON_FORK");
}

void sfmt_rlimit_res(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    N(RLIMIT_CPU),	N(RLIMIT_FSIZE), N(RLIMIT_DATA),   N(RLIMIT_STACK),
	    N(RLIMIT_CORE),	N(RLIMIT_RSS),	 N(RLIMIT_NPROC),  N(RLIMIT_NOFILE),
	    N(RLIMIT_MEMLOCK),	N(RLIMIT_AS),	 N(RLIMIT_LOCKS),  N(RLIMIT_SIGPENDING),
	    N(RLIMIT_MSGQUEUE), N(RLIMIT_NICE),	 N(RLIMIT_RTPRIO), N(RLIMIT_RTTIME),
	};
	ENUM(b, v & 0xffffffff, t, "RLIMIT_");
}

void sfmt_itimer_which(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(ITIMER_REAL), N(ITIMER_VIRTUAL), N(ITIMER_PROF)};
	ENUM(b, v & 0xffffffff, t, "ITIMER_");
}

/* ioprio_get/ioprio_set's `which` (linux/ioprio.h). */
void sfmt_ioprio_which(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {1, "IOPRIO_WHO_PROCESS"}, {2, "IOPRIO_WHO_PGRP"}, {3, "IOPRIO_WHO_USER"}};
	ENUM(b, v & 0xffffffff, t, "IOPRIO_WHO_");
}

/* An I/O priority: class in bits 13..15, hints in 3..12, level in 0..2;
 * printed as strace prints it. */
void sfmt_ioprio(struct strbuf *b, uint64_t v)
{
	static const char *const cls[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
					  "IOPRIO_CLASS_IDLE"};
	uint32_t p = (uint32_t)v;
	if (p >> 16 || (p >> 13) > 3) {
		strbuf_printf(b, "%#x", p);
		return;
	}
	strbuf_printf(b, "IOPRIO_PRIO_VALUE(%s, %u)", cls[p >> 13], p & 0x1fff);
}

void sfmt_kcmp_type(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {0, "KCMP_FILE"},	 {1, "KCMP_VM"}, {2, "KCMP_FILES"},   {3, "KCMP_FS"},
	    {4, "KCMP_SIGHAND"}, {5, "KCMP_IO"}, {6, "KCMP_SYSVSEM"}, {7, "KCMP_EPOLL_TFD"}};
	ENUM(b, v & 0xffffffff, t, "KCMP_");
}

/* ---- time ---- */

void sfmt_clockid(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    N(CLOCK_REALTIME),		N(CLOCK_MONOTONIC),	N(CLOCK_PROCESS_CPUTIME_ID),
	    N(CLOCK_THREAD_CPUTIME_ID), N(CLOCK_MONOTONIC_RAW), N(CLOCK_REALTIME_COARSE),
	    N(CLOCK_MONOTONIC_COARSE),	N(CLOCK_BOOTTIME),	N(CLOCK_REALTIME_ALARM),
	    N(CLOCK_BOOTTIME_ALARM),	N(CLOCK_TAI),
	};
	ENUM(b, v & 0xffffffff, t, "CLOCK_");
}

void sfmt_timer_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(TIMER_ABSTIME)};
	FLAGS(b, v & 0xffffffff, t, "0");
}

/* ---- polling and events ---- */

void sfmt_epoll_op(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(EPOLL_CTL_ADD), N(EPOLL_CTL_DEL), N(EPOLL_CTL_MOD)};
	ENUM(b, v & 0xffffffff, t, "EPOLL_CTL_");
}

void sfmt_epoll_events(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    N(EPOLLIN),
	    N(EPOLLPRI),
	    N(EPOLLOUT),
	    N(EPOLLERR),
	    N(EPOLLHUP),
	    {0x20, "EPOLLNVAL"},
	    N(EPOLLRDNORM),
	    N(EPOLLRDBAND),
	    N(EPOLLWRNORM),
	    N(EPOLLWRBAND),
	    N(EPOLLMSG),
	    N(EPOLLRDHUP),
	    {1U << 28, "EPOLLEXCLUSIVE"},
	    {1U << 29, "EPOLLWAKEUP"},
	    {1U << 30, "EPOLLONESHOT"},
	    {1U << 31, "EPOLLET"},
	};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_eventfd_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {1, "EFD_SEMAPHORE"}, {04000, "EFD_NONBLOCK"}, {02000000, "EFD_CLOEXEC"}};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_getrandom_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_keyctl_cmd(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {0, "KEYCTL_GET_KEYRING_ID"},
	    {1, "KEYCTL_JOIN_SESSION_KEYRING"},
	    {2, "KEYCTL_UPDATE"},
	    {3, "KEYCTL_REVOKE"},
	    {4, "KEYCTL_CHOWN"},
	    {5, "KEYCTL_SETPERM"},
	    {6, "KEYCTL_DESCRIBE"},
	    {7, "KEYCTL_CLEAR"},
	    {8, "KEYCTL_LINK"},
	    {9, "KEYCTL_UNLINK"},
	    {10, "KEYCTL_SEARCH"},
	    {11, "KEYCTL_READ"},
	    {12, "KEYCTL_INSTANTIATE"},
	    {13, "KEYCTL_NEGATE"},
	    {14, "KEYCTL_SET_REQKEY_KEYRING"},
	    {15, "KEYCTL_SET_TIMEOUT"},
	    {16, "KEYCTL_ASSUME_AUTHORITY"},
	    {17, "KEYCTL_GET_SECURITY"},
	    {18, "KEYCTL_SESSION_TO_PARENT"},
	    {19, "KEYCTL_REJECT"},
	    {20, "KEYCTL_INSTANTIATE_IOV"},
	    {21, "KEYCTL_INVALIDATE"},
	    {22, "KEYCTL_GET_PERSISTENT"},
	    {23, "KEYCTL_DH_COMPUTE"},
	    {29, "KEYCTL_RESTRICT_KEYRING"},
	    {30, "KEYCTL_MOVE"},
	    {31, "KEYCTL_CAPABILITIES"},
	    {32, "KEYCTL_WATCH_KEY"},
	};
	ENUM(b, v & 0xffffffff, t, "KEYCTL_");
}

/* A key serial: the special ids by name, others as numbers. */
void sfmt_key_serial(struct strbuf *b, uint64_t v)
{
	static const char *const spec[] = {
	    "KEY_SPEC_THREAD_KEYRING",	"KEY_SPEC_PROCESS_KEYRING",	 "KEY_SPEC_SESSION_KEYRING",
	    "KEY_SPEC_USER_KEYRING",	"KEY_SPEC_USER_SESSION_KEYRING", "KEY_SPEC_GROUP_KEYRING",
	    "KEY_SPEC_REQKEY_AUTH_KEY", "KEY_SPEC_REQUESTOR_KEYRING",
	};
	int32_t id = (int32_t)v;
	if (id < 0 && id >= -8)
		strbuf_printf(b, "%s", spec[-id - 1]);
	else
		sfmt_int(b, (uint64_t)(int64_t)id);
}
