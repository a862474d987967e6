/* strace formatters: values and bytes already read -> strace-style text.
 *
 * Everything here is pure (no task, no program memory), so each formatter is
 * checked by unit tests against the exact text strace prints. The naming
 * and ordering of flags follow what strace 6 shows for the same values
 * (e.g. O_RDONLY|O_CLOEXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, sets as
 * ~[RTMIN RT_1] when most bits are set). Unknown bits print in hex after the
 * known names; unknown enumeration values as `0x3001` plus a comment
 * `ARCH_???`, as strace does.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>
#include <sys/wait.h>

#include "sentry/strace/strace-internal.h"

struct flag {
	uint64_t v;
	const char *name;
};

#define N(x)                                                                                       \
	{                                                                                          \
		x, #x                                                                              \
	}

/* Names of the set bits of `v` joined by '|', then any unknown rest in hex;
 * `zero` when v is 0. Entries that are multi-bit (O_SYNC) come before their
 * parts, so they are matched whole. */
static void put_flags(struct strbuf *b, uint64_t v, const struct flag *t, size_t n,
		      const char *zero)
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
static void put_enum(struct strbuf *b, uint64_t v, const struct flag *t, size_t n,
		     const char *prefix)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].v == v) {
			strbuf_printf(b, "%s", t[i].name);
			return;
		}
	}
	strbuf_printf(b, "%#" PRIx64 " /* %s??? */", v, prefix);
}

#define FLAGS(b, v, t, zero)  put_flags(b, v, t, ARRAY_SIZE(t), zero)
#define ENUM(b, v, t, prefix) put_enum(b, v, t, ARRAY_SIZE(t), prefix)

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

static void sfmt_unlink_flags(struct strbuf *b, uint64_t v)
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

void sfmt_ioctl_req(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    {0x5401, "TCGETS"},	     {0x5402, "TCSETS"},       {0x5403, "TCSETSW"},
	    {0x5404, "TCSETSF"},     {0x5405, "TCGETA"},       {0x5409, "TCSBRK"},
	    {0x540a, "TCXONC"},	     {0x540b, "TCFLSH"},       {0x540c, "TIOCEXCL"},
	    {0x540d, "TIOCNXCL"},    {0x540e, "TIOCSCTTY"},    {0x540f, "TIOCGPGRP"},
	    {0x5410, "TIOCSPGRP"},   {0x5411, "TIOCOUTQ"},     {0x5412, "TIOCSTI"},
	    {0x5413, "TIOCGWINSZ"},  {0x5414, "TIOCSWINSZ"},   {0x5415, "TIOCMGET"},
	    {0x541b, "FIONREAD"},    {0x541c, "TIOCLINUX"},    {0x5421, "FIONBIO"},
	    {0x5422, "TIOCNOTTY"},   {0x5429, "TIOCGSID"},     {0x5441, "TIOCGPTPEER"},
	    {0x5450, "FIONCLEX"},    {0x5451, "FIOCLEX"},      {0x5452, "FIOASYNC"},
	    {0x5460, "FIOQSIZE"},    {0x80045430, "TIOCGPTN"}, {0x40045431, "TIOCSPTLCK"},
	    {0x802c542a, "TCGETS2"}, {0x402c542b, "TCSETS2"},
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

static const struct flag file_types[] = {
    {S_IFREG, "S_IFREG"}, {S_IFDIR, "S_IFDIR"}, {S_IFCHR, "S_IFCHR"},	{S_IFBLK, "S_IFBLK"},
    {S_IFIFO, "S_IFIFO"}, {S_IFLNK, "S_IFLNK"}, {S_IFSOCK, "S_IFSOCK"},
};

static void put_file_mode(struct strbuf *b, unsigned mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(file_types); i++) {
		if ((mode & S_IFMT) == file_types[i].v) {
			strbuf_printf(b, "%s|%#03o", file_types[i].name, mode & 07777);
			return;
		}
	}
	strbuf_printf(b, "%#03o", mode);
}

static void put_rdev(struct strbuf *b, uint64_t rdev, unsigned mode)
{
	if (S_ISCHR(mode) || S_ISBLK(mode))
		strbuf_printf(b, "st_rdev=makedev(%#x, %#x), ", major(rdev), minor(rdev));
}

void sfmt_stat(struct strbuf *b, const struct stat *st)
{
	strbuf_printf(b, "{st_mode=");
	put_file_mode(b, st->st_mode);
	strbuf_printf(b, ", ");
	put_rdev(b, st->st_rdev, st->st_mode);
	if (!S_ISCHR(st->st_mode) && !S_ISBLK(st->st_mode))
		strbuf_printf(b, "st_size=%" PRId64 ", ", (int64_t)st->st_size);
	strbuf_printf(b, "...}");
}

void sfmt_statx(struct strbuf *b, const struct statx *stx)
{
	strbuf_printf(b, "{stx_mask=");
	sfmt_statx_mask(b, stx->stx_mask);
	strbuf_printf(b, ", stx_attributes=%#" PRIx64 ", stx_mode=", (uint64_t)stx->stx_attributes);
	put_file_mode(b, stx->stx_mode);
	strbuf_printf(b, ", stx_size=%" PRIu64 ", ...}", (uint64_t)stx->stx_size);
}

void sfmt_statfs(struct strbuf *b, const struct statfs *sf)
{
	static const struct flag magic[] = {
	    {0xef53, "EXT2_SUPER_MAGIC"},     {0x01021994, "TMPFS_MAGIC"},
	    {0x9fa0, "PROC_SUPER_MAGIC"},     {0x794c7630, "OVERLAYFS_SUPER_MAGIC"},
	    {0x58465342, "XFS_SUPER_MAGIC"},  {0x9123683e, "BTRFS_SUPER_MAGIC"},
	    {0x62656572, "SYSFS_MAGIC"},      {0x1373, "DEVFS_SUPER_MAGIC"},
	    {0x27e0eb, "CGROUP_SUPER_MAGIC"}, {0x63677270, "CGROUP2_SUPER_MAGIC"},
	};
	uint64_t type = (uint64_t)sf->f_type & 0xffffffff;
	strbuf_printf(b, "{f_type=");
	size_t i;
	for (i = 0; i < ARRAY_SIZE(magic) && magic[i].v != type; i++)
		;
	if (i < ARRAY_SIZE(magic))
		strbuf_printf(b, "%s", magic[i].name);
	else
		strbuf_printf(b, "%#" PRIx64, type);
	strbuf_printf(b,
		      ", f_bsize=%ld, f_blocks=%lu, f_bfree=%lu, f_bavail=%lu, f_files=%lu, "
		      "f_ffree=%lu, f_fsid={val=[%#x, %#x]}, f_namelen=%ld, f_frsize=%ld, "
		      "f_flags=%#lx}",
		      (long)sf->f_bsize, (unsigned long)sf->f_blocks, (unsigned long)sf->f_bfree,
		      (unsigned long)sf->f_bavail, (unsigned long)sf->f_files,
		      (unsigned long)sf->f_ffree, (unsigned)sf->f_fsid.__val[0],
		      (unsigned)sf->f_fsid.__val[1], (long)sf->f_namelen, (long)sf->f_frsize,
		      (unsigned long)sf->f_flags);
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

void sfmt_sigaction(struct strbuf *b, const struct sigaction_k *sa)
{
	static const struct flag t[] = {
	    {0x04000000, "SA_RESTORER"},
	    N(SA_ONSTACK),
	    N(SA_RESTART),
	    N(SA_NODEFER),
	    N(SA_RESETHAND),
	    N(SA_SIGINFO),
	    N(SA_NOCLDSTOP),
	    N(SA_NOCLDWAIT),
	    {0x400, "SA_UNSUPPORTED"},
	    {0x800, "SA_EXPOSE_TAGBITS"},
	};
	strbuf_printf(b, "{sa_handler=");
	if (sa->handler == (uint64_t)(uintptr_t)SIG_DFL)
		strbuf_printf(b, "SIG_DFL");
	else if (sa->handler == (uint64_t)(uintptr_t)SIG_IGN)
		strbuf_printf(b, "SIG_IGN");
	else
		strbuf_printf(b, "%#" PRIx64, sa->handler);
	strbuf_printf(b, ", sa_mask=");
	sfmt_sigset(b, sa->mask);
	strbuf_printf(b, ", sa_flags=");
	FLAGS(b, sa->flags & 0xffffffff, t, "0");
	if (sa->flags & 0x04000000)
		strbuf_printf(b, ", sa_restorer=%#" PRIx64, sa->restorer);
	strbuf_printf(b, "}");
}

static const char *si_code_name(int sig, int code)
{
	static const char *const segv[] = {NULL, "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR",
					   "SEGV_PKUERR"};
	static const char *const bus[] = {NULL,		"BUS_ADRALN",	 "BUS_ADRERR",
					  "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"};
	static const char *const ill[] = {NULL,		"ILL_ILLOPC", "ILL_ILLOPN",
					  "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC",
					  "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK"};
	static const char *const fpe[] = {NULL,		"FPE_INTDIV", "FPE_INTOVF",
					  "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND",
					  "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB"};
	static const char *const trap[] = {NULL, "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH",
					   "TRAP_HWBKPT"};
	static const char *const chld[] = {NULL,	   "CLD_EXITED",  "CLD_KILLED",
					   "CLD_DUMPED",   "CLD_TRAPPED", "CLD_STOPPED",
					   "CLD_CONTINUED"};
	switch (code) {
	case SI_USER:
		return "SI_USER";
	case SI_KERNEL:
		return "SI_KERNEL";
	case SI_QUEUE:
		return "SI_QUEUE";
	case SI_TIMER:
		return "SI_TIMER";
	case SI_MESGQ:
		return "SI_MESGQ";
	case SI_ASYNCIO:
		return "SI_ASYNCIO";
	case SI_SIGIO:
		return "SI_SIGIO";
	case SI_TKILL:
		return "SI_TKILL";
	default:
		break;
	}
#define PICK(arr) return code > 0 && (size_t)code < ARRAY_SIZE(arr) ? arr[code] : NULL
	switch (sig) {
	case SIGSEGV:
		PICK(segv);
	case SIGBUS:
		PICK(bus);
	case SIGILL:
		PICK(ill);
	case SIGFPE:
		PICK(fpe);
	case SIGTRAP:
		PICK(trap);
	case SIGCHLD:
		PICK(chld);
	default:
		return NULL;
	}
#undef PICK
}

static bool is_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

void sfmt_siginfo(struct strbuf *b, const siginfo_t *si)
{
	strbuf_printf(b, "{si_signo=");
	sfmt_signal(b, (uint64_t)si->si_signo);
	const char *code = si_code_name(si->si_signo, si->si_code);
	if (code)
		strbuf_printf(b, ", si_code=%s", code);
	else
		strbuf_printf(b, ", si_code=%d", si->si_code);
	if (si->si_code == SI_TIMER) {
		strbuf_printf(b,
			      ", si_timerid=%#x, si_overrun=%d, si_int=%d, si_ptr=", si->si_timerid,
			      si->si_overrun, si->si_int);
		sfmt_ptr(b, (uint64_t)(uintptr_t)si->si_ptr);
	} else if (si->si_code == SI_USER || si->si_code == SI_TKILL || si->si_code == SI_QUEUE) {
		strbuf_printf(b, ", si_pid=%d, si_uid=%u", si->si_pid, si->si_uid);
		if (si->si_code == SI_QUEUE) {
			strbuf_printf(b, ", si_int=%d, si_ptr=", si->si_int);
			sfmt_ptr(b, (uint64_t)(uintptr_t)si->si_ptr);
		}
	} else if (si->si_signo == SIGCHLD && si->si_code > 0) {
		strbuf_printf(b, ", si_pid=%d, si_uid=%u, si_status=", si->si_pid, si->si_uid);
		if (si->si_code == CLD_EXITED)
			strbuf_printf(b, "%d", si->si_status);
		else
			sfmt_signal(b, (uint64_t)si->si_status);
		strbuf_printf(b, ", si_utime=%ld, si_stime=%ld", (long)si->si_utime,
			      (long)si->si_stime);
	} else if (is_fault(si->si_signo)) {
		strbuf_printf(b, ", si_addr=");
		sfmt_ptr(b, (uint64_t)(uintptr_t)si->si_addr);
	}
	strbuf_printf(b, "}");
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

void sfmt_wait_status(struct strbuf *b, int st)
{
	char tmp[16];
	const char *name;
	if (WIFEXITED(st)) {
		strbuf_printf(b, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		name = sfmt_signame(WTERMSIG(st), tmp);
		strbuf_printf(b, "[{WIFSIGNALED(s) && WTERMSIG(s) == %s%s}]", name ? name : "?",
			      WCOREDUMP(st) ? " && WCOREDUMP(s)" : "");
	} else if (WIFSTOPPED(st)) {
		name = sfmt_signame(WSTOPSIG(st), tmp);
		strbuf_printf(b, "[{WIFSTOPPED(s) && WSTOPSIG(s) == %s}]", name ? name : "?");
	} else if (WIFCONTINUED(st)) {
		strbuf_printf(b, "[{WIFCONTINUED(s)}]");
	} else {
		strbuf_printf(b, "[%#x]", (unsigned)st);
	}
}

void sfmt_idtype(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(P_ALL), N(P_PID), N(P_PGID), {3, "P_PIDFD"}};
	ENUM(b, v & 0xffffffff, t, "P_");
}

void sfmt_timeval(struct strbuf *b, const struct timeval *tv)
{
	strbuf_printf(b, "{tv_sec=%ld, tv_usec=%ld}", (long)tv->tv_sec, (long)tv->tv_usec);
}

void sfmt_rusage(struct strbuf *b, const struct rusage *ru)
{
	strbuf_printf(b, "{ru_utime=");
	sfmt_timeval(b, &ru->ru_utime);
	strbuf_printf(b, ", ru_stime=");
	sfmt_timeval(b, &ru->ru_stime);
	strbuf_printf(b, ", ...}");
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

static void put_rlim(struct strbuf *b, uint64_t v)
{
	if (v == (uint64_t)RLIM_INFINITY)
		strbuf_printf(b, "RLIM64_INFINITY");
	else if (v > 0 && v % 1024 == 0)
		strbuf_printf(b, "%" PRIu64 "*1024", v / 1024);
	else
		strbuf_printf(b, "%" PRIu64, v);
}

void sfmt_rlimit(struct strbuf *b, const struct rlimit *rl)
{
	strbuf_printf(b, "{rlim_cur=");
	put_rlim(b, rl->rlim_cur);
	strbuf_printf(b, ", rlim_max=");
	put_rlim(b, rl->rlim_max);
	strbuf_printf(b, "}");
}

void sfmt_utsname(struct strbuf *b, const struct utsname *u, size_t limit)
{
	strbuf_printf(b, "{sysname=");
	sfmt_str(b, u->sysname, strnlen(u->sysname, sizeof(u->sysname)), limit, false);
	strbuf_printf(b, ", nodename=");
	sfmt_str(b, u->nodename, strnlen(u->nodename, sizeof(u->nodename)), limit, false);
	strbuf_printf(b, ", ...}");
}

void sfmt_sysinfo(struct strbuf *b, const struct sysinfo *si)
{
	strbuf_printf(b,
		      "{uptime=%ld, loads=[%lu, %lu, %lu], totalram=%lu, freeram=%lu, "
		      "sharedram=%lu, bufferram=%lu, totalswap=%lu, freeswap=%lu, procs=%u, "
		      "totalhigh=%lu, freehigh=%lu, mem_unit=%u}",
		      si->uptime, si->loads[0], si->loads[1], si->loads[2], si->totalram,
		      si->freeram, si->sharedram, si->bufferram, si->totalswap, si->freeswap,
		      (unsigned)si->procs, si->totalhigh, si->freehigh, si->mem_unit);
}

void sfmt_itimer_which(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(ITIMER_REAL), N(ITIMER_VIRTUAL), N(ITIMER_PROF)};
	ENUM(b, v & 0xffffffff, t, "ITIMER_");
}

void sfmt_itimerval(struct strbuf *b, const struct itimerval *it)
{
	strbuf_printf(b, "{it_interval=");
	sfmt_timeval(b, &it->it_interval);
	strbuf_printf(b, ", it_value=");
	sfmt_timeval(b, &it->it_value);
	strbuf_printf(b, "}");
}

/* ---- time ---- */

void sfmt_timespec(struct strbuf *b, const struct timespec *ts)
{
	strbuf_printf(b, "{tv_sec=%ld, tv_nsec=%ld}", (long)ts->tv_sec, (long)ts->tv_nsec);
}

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

/* ---- sockets ---- */

static const struct flag families[] = {
    N(AF_UNSPEC),    N(AF_UNIX),  N(AF_INET),	   N(AF_AX25),	  N(AF_IPX),
    N(AF_APPLETALK), N(AF_INET6), N(AF_KEY),	   N(AF_NETLINK), N(AF_PACKET),
    N(AF_ALG),	     N(AF_VSOCK), N(AF_BLUETOOTH), N(AF_CAN),	  N(AF_XDP),
};

void sfmt_sock_family(struct strbuf *b, uint64_t v)
{
	ENUM(b, v & 0xffffffff, families, "AF_");
}

void sfmt_sock_type(struct strbuf *b, uint64_t v)
{
	static const struct flag kinds[] = {N(SOCK_STREAM), N(SOCK_DGRAM),     N(SOCK_RAW),
					    N(SOCK_RDM),    N(SOCK_SEQPACKET), N(SOCK_DCCP),
					    N(SOCK_PACKET)};
	static const struct flag t[] = {N(SOCK_NONBLOCK), N(SOCK_CLOEXEC)};
	ENUM(b, v & 0xf, kinds, "SOCK_");
	uint64_t rest = v & 0xfffffff0;
	if (rest) {
		strbuf_printf(b, "|");
		FLAGS(b, rest, t, "0");
	}
}

void sfmt_sock_level(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(SOL_IP),   N(SOL_SOCKET), {6, "SOL_TCP"}, {17, "SOL_UDP"},
					N(SOL_IPV6), N(SOL_RAW),    N(SOL_NETLINK)};
	ENUM(b, v & 0xffffffff, t, "SOL_");
}

void sfmt_msg_flags(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {
	    N(MSG_OOB),	  N(MSG_PEEK),	     N(MSG_DONTROUTE),	  N(MSG_CTRUNC),   N(MSG_PROXY),
	    N(MSG_TRUNC), N(MSG_DONTWAIT),   N(MSG_EOR),	  N(MSG_WAITALL),  N(MSG_FIN),
	    N(MSG_SYN),	  N(MSG_CONFIRM),    N(MSG_RST),	  N(MSG_ERRQUEUE), N(MSG_NOSIGNAL),
	    N(MSG_MORE),  N(MSG_WAITFORONE), N(MSG_CMSG_CLOEXEC),
	};
	FLAGS(b, v & 0xffffffff, t, "0");
}

void sfmt_shutdown_how(struct strbuf *b, uint64_t v)
{
	static const struct flag t[] = {N(SHUT_RD), N(SHUT_WR), N(SHUT_RDWR)};
	ENUM(b, v & 0xffffffff, t, "SHUT_");
}

void sfmt_sockaddr(struct strbuf *b, const void *data, size_t len)
{
	sa_family_t fam;
	if (len < sizeof(fam)) {
		strbuf_printf(b, "{}");
		return;
	}
	memcpy(&fam, data, sizeof(fam));
	strbuf_printf(b, "{sa_family=");
	sfmt_sock_family(b, fam);
	if (fam == AF_UNIX && len > sizeof(fam)) {
		const char *path = (const char *)data + sizeof(fam);
		size_t n = len - sizeof(fam);
		bool abstract = path[0] == '\0';
		if (abstract) {
			path++, n--;
		} else {
			n = strnlen(path, n);
		}
		strbuf_printf(b, ", sun_path=%s", abstract ? "@" : "");
		sfmt_str(b, path, n, 4096, false);
	} else if (fam == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in in;
		memcpy(&in, data, sizeof(in));
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &in.sin_addr, ip, sizeof(ip));
		strbuf_printf(b, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")",
			      ntohs(in.sin_port), ip);
	} else if (fam == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 in6;
		memcpy(&in6, data, sizeof(in6));
		char ip[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof(ip));
		strbuf_printf(b,
			      ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), "
			      "inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u",
			      ntohs(in6.sin6_port), ntohl(in6.sin6_flowinfo), ip,
			      in6.sin6_scope_id);
	} else if (fam == AF_NETLINK && len >= 12) {
		uint32_t pid, groups;
		memcpy(&pid, (const char *)data + 4, 4);
		memcpy(&groups, (const char *)data + 8, 4);
		strbuf_printf(b, ", nl_pid=%u, nl_groups=%08x", pid, groups);
	} else if (len > sizeof(fam)) {
		strbuf_printf(b, ", sa_data=");
		sfmt_str(b, (const char *)data + sizeof(fam), len - sizeof(fam), 32, false);
	}
	strbuf_printf(b, "}");
}

/* ---- polling ---- */

static const struct flag poll_events[] = {
    N(POLLIN),	   N(POLLPRI),	  N(POLLOUT),	 N(POLLERR),	N(POLLHUP), N(POLLNVAL),
    N(POLLRDNORM), N(POLLRDBAND), N(POLLWRNORM), N(POLLWRBAND), N(POLLMSG), N(POLLRDHUP),
};

void sfmt_pollfds(struct strbuf *b, const struct pollfd *p, size_t n, bool revents)
{
	strbuf_printf(b, "[");
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (revents && !p[i].revents)
			continue;
		strbuf_printf(b, "%s{fd=%d, %s=", first ? "" : ", ", p[i].fd,
			      revents ? "revents" : "events");
		FLAGS(b, (uint16_t)(revents ? p[i].revents : p[i].events), poll_events, "0");
		strbuf_printf(b, "}");
		first = false;
	}
	strbuf_printf(b, "]");
}

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

void sfmt_epoll_event(struct strbuf *b, const struct epoll_event *ev)
{
	strbuf_printf(b, "{events=");
	sfmt_epoll_events(b, ev->events);
	strbuf_printf(b, ", data={u32=%u, u64=%" PRIu64 "}}", (uint32_t)ev->data.u64,
		      (uint64_t)ev->data.u64);
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

void sfmt_bitmap(struct strbuf *b, const uint8_t *bits, size_t nbits, const char *sep)
{
	strbuf_printf(b, "[");
	bool first = true;
	for (size_t i = 0; i < nbits; i++) {
		if (!(bits[i / 8] & (1U << (i % 8))))
			continue;
		strbuf_printf(b, "%s%zu", first ? "" : sep, i);
		first = false;
	}
	strbuf_printf(b, "]");
}

/* ---- strings ---- */

/* strace's escaping: C escapes for the usual controls, octal for the rest,
 * three digits only when a digit follows (so the escape stays unambiguous). */
static void put_escaped(struct strbuf *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		switch (c) {
		case '"':
			strbuf_append(b, "\\\"", 2);
			continue;
		case '\\':
			strbuf_append(b, "\\\\", 2);
			continue;
		case '\n':
			strbuf_append(b, "\\n", 2);
			continue;
		case '\t':
			strbuf_append(b, "\\t", 2);
			continue;
		case '\r':
			strbuf_append(b, "\\r", 2);
			continue;
		case '\f':
			strbuf_append(b, "\\f", 2);
			continue;
		case '\v':
			strbuf_append(b, "\\v", 2);
			continue;
		default:
			break;
		}
		if (c >= 0x20 && c < 0x7f) {
			strbuf_append(b, &c, 1);
			continue;
		}
		bool digit_next = i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7';
		strbuf_printf(b, digit_next ? "\\%03o" : "\\%o", c);
	}
}

void sfmt_str(struct strbuf *b, const void *data, size_t len, size_t limit, bool more)
{
	size_t n = len < limit ? len : limit;
	strbuf_append(b, "\"", 1);
	put_escaped(b, data, n);
	strbuf_append(b, "\"", 1);
	if (len > limit || more)
		strbuf_append(b, "...", 3);
}

void sfmt_json_str(struct strbuf *b, const char *s, size_t len)
{
	strbuf_append(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			strbuf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			strbuf_printf(b, "\\u%04x", c);
		else
			strbuf_append(b, &c, 1);
	}
	strbuf_append(b, "\"", 1);
}

/* ---- results ---- */

const char *sfmt_errname(int err)
{
	if (err == 512)
		return "ERESTARTSYS";
	if (err == 513)
		return "ERESTARTNOINTR";
	if (err == 514)
		return "ERESTARTNOHAND";
	if (err == 516)
		return "ERESTART_RESTARTBLOCK";
	return strerrorname_np(err);
}

void sfmt_ret(struct strbuf *b, enum ret_fmt f, long ret)
{
	if (f == R_NORETURN) {
		strbuf_printf(b, "?");
		return;
	}
	if (ret < 0 && ret >= -4095) {
		int err = (int)-ret;
		const char *name = sfmt_errname(err);
		switch (err) {
		case 512:
			strbuf_printf(b, "? %s (To be restarted if SA_RESTART is set)", name);
			return;
		case 513:
			strbuf_printf(b, "? %s (To be restarted)", name);
			return;
		case 514:
			strbuf_printf(b, "? %s (To be restarted if no handler)", name);
			return;
		case 516:
			strbuf_printf(b, "? %s (Interrupted by signal)", name);
			return;
		default:
			break;
		}
		if (name)
			strbuf_printf(b, "-1 %s (%s)", name, strerror(err));
		else
			strbuf_printf(b, "-1 E??? (errno %d)", err);
		return;
	}
	if (f == R_HEX)
		strbuf_printf(b, "%#lx", (unsigned long)ret);
	else
		strbuf_printf(b, "%ld", ret);
}

/* ---- summary ---- */

static int by_time(const void *pa, const void *pb)
{
	const struct strace_count *a = pa, *b = pb;
	if (a->ns != b->ns)
		return a->ns < b->ns ? 1 : -1;
	if (a->calls != b->calls)
		return a->calls < b->calls ? 1 : -1;
	return strcmp(a->name, b->name);
}

static void summary_line(struct strbuf *b, double pct, uint64_t ns, uint64_t calls, uint64_t errors,
			 const char *name)
{
	char err[24] = "";
	if (errors)
		snprintf(err, sizeof(err), "%" PRIu64, errors);
	strbuf_printf(b, "%6.2f %11.6f %11" PRIu64 " %9" PRIu64 " %9s %s\n", pct, ns / 1e9,
		      calls ? ns / 1000 / calls : 0, calls, err, name);
}

void sfmt_summary(struct strbuf *b, struct strace_count *counts, size_t n)
{
	static const char rule[] =
	    "------ ----------- ----------- --------- --------- ----------------\n";
	qsort(counts, n, sizeof(*counts), by_time);
	uint64_t total_ns = 0, total_calls = 0, total_errors = 0;
	for (size_t i = 0; i < n; i++) {
		total_ns += counts[i].ns;
		total_calls += counts[i].calls;
		total_errors += counts[i].errors;
	}
	strbuf_printf(b, "%% time     seconds  usecs/call     calls    errors syscall\n%s", rule);
	for (size_t i = 0; i < n; i++) {
		if (!counts[i].calls)
			continue;
		double pct = total_ns ? 100.0 * (double)counts[i].ns / (double)total_ns : 0;
		summary_line(b, pct, counts[i].ns, counts[i].calls, counts[i].errors,
			     counts[i].name);
	}
	strbuf_printf(b, "%s", rule);
	summary_line(b, 100.0, total_ns, total_calls, total_errors, "total");
}

/* ---- the scalar formats of the table ---- */

sfmt_scalar_fn *sfmt_scalar(enum arg_fmt f)
{
	switch (f) {
	case A_INT:
		return sfmt_int;
	case A_UINT:
	case A_SIZE:
		return sfmt_uint;
	case A_HEX:
		return sfmt_hex;
	case A_PTR:
		return sfmt_ptr;
	case A_OFF:
		return sfmt_off;
	case A_FD:
		return sfmt_fd;
	case A_DIRFD:
		return sfmt_dirfd;
	case A_OPEN_FLAGS:
		return sfmt_open_flags;
	case A_MODE:
		return sfmt_mode;
	case A_PROT:
		return sfmt_prot;
	case A_MMAP_FLAGS:
		return sfmt_mmap_flags;
	case A_MREMAP_FLAGS:
		return sfmt_mremap_flags;
	case A_MADVISE:
		return sfmt_madvise;
	case A_SIGNAL:
		return sfmt_signal;
	case A_SIGPROCMASK_HOW:
		return sfmt_sigprocmask_how;
	case A_STATX_MASK:
		return sfmt_statx_mask;
	case A_CLOCKID:
		return sfmt_clockid;
	case A_TIMER_FLAGS:
		return sfmt_timer_flags;
	case A_FCNTL_CMD:
		return sfmt_fcntl_cmd;
	case A_IOCTL_REQ:
		return sfmt_ioctl_req;
	case A_CLONE_FLAGS:
		return sfmt_clone_flags;
	case A_AT_FLAGS:
		return sfmt_at_flags;
	case A_ACCESS_MODE:
		return sfmt_access_mode;
	case A_WHENCE:
		return sfmt_whence;
	case A_RLIMIT_RES:
		return sfmt_rlimit_res;
	case A_SOCK_FAMILY:
		return sfmt_sock_family;
	case A_SOCK_TYPE:
		return sfmt_sock_type;
	case A_SOCK_LEVEL:
		return sfmt_sock_level;
	case A_SOCKOPT:
		return sfmt_int; /* names depend on the level: strace.c */
	case A_MSG_FLAGS:
		return sfmt_msg_flags;
	case A_SHUTDOWN_HOW:
		return sfmt_shutdown_how;
	case A_EPOLL_OP:
		return sfmt_epoll_op;
	case A_WAIT_OPTIONS:
		return sfmt_wait_options;
	case A_IDTYPE:
		return sfmt_idtype;
	case A_ARCH_PRCTL:
		return sfmt_arch_prctl;
	case A_PRCTL_OPTION:
		return sfmt_prctl_option;
	case A_FUTEX_OP:
		return sfmt_futex_op;
	case A_GETRANDOM_FLAGS:
		return sfmt_getrandom_flags;
	case A_UNLINK_FLAGS:
		return sfmt_unlink_flags;
	case A_RENAME_FLAGS:
		return sfmt_rename_flags;
	case A_PERSONALITY:
		return sfmt_personality;
	case A_ITIMER_WHICH:
		return sfmt_itimer_which;
	case A_CAP:
		return sfmt_hex;
	case A_FLOCK_OP:
		return sfmt_flock_op;
	case A_FALLOC_FLAGS:
		return sfmt_falloc_flags;
	case A_SCHED_POLICY:
		return sfmt_sched_policy;
	case A_EVENTFD_FLAGS:
		return sfmt_eventfd_flags;
	case A_INOTIFY_MASK:
		return sfmt_inotify_mask;
	default:
		return NULL;
	}
}
