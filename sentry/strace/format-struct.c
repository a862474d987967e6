/* strace formatters of structures already read from the program: stat,
 * statfs, sigaction, siginfo, wait status, rusage, rlimit, utsname,
 * sysinfo, timespec and timeval, pollfd and epoll_event arrays, bitmaps.
 * Sockets' structures are in format-net.c.
 */
#include <inttypes.h>
#include <linux/audit.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "sentry/strace/format-flags.h"
#include "sentry/syscalls/syscalls.h"

/* ---- files ---- */

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

/* ---- signals ---- */

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
	case SIGSYS:
		return code == 1 ? "SYS_SECCOMP" : NULL;
	default:
		return NULL;
	}
#undef PICK
}

/* A seccomp SIGSYS, as strace shows it: the filter's data as an errno
 * name, the call's address, number and architecture. */
static void sfmt_sigsys(struct strbuf *b, const siginfo_t *si)
{
	const char *err = si->si_errno ? sfmt_errname(si->si_errno) : NULL;
	if (err)
		strbuf_printf(b, ", si_errno=%s", err);
	else
		strbuf_printf(b, ", si_errno=%d", si->si_errno);
	strbuf_printf(b, ", si_call_addr=");
	sfmt_ptr(b, (uint64_t)(uintptr_t)si->si_call_addr);
	const struct syscall_desc *d = syscall_lookup((uint64_t)(uint32_t)si->si_syscall);
	if (si->si_arch == AUDIT_ARCH_X86_64 && d && d->name)
		strbuf_printf(b, ", si_syscall=__NR_%s", d->name);
	else
		strbuf_printf(b, ", si_syscall=%d", si->si_syscall);
	if (si->si_arch == AUDIT_ARCH_X86_64)
		strbuf_printf(b, ", si_arch=AUDIT_ARCH_X86_64");
	else if (si->si_arch == AUDIT_ARCH_I386)
		strbuf_printf(b, ", si_arch=AUDIT_ARCH_I386");
	else
		strbuf_printf(b, ", si_arch=%#x", si->si_arch);
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
	} else if (si->si_signo == SIGSYS && si->si_code == 1 /* SYS_SECCOMP */) {
		sfmt_sigsys(b, si);
	} else if (is_fault(si->si_signo)) {
		strbuf_printf(b, ", si_addr=");
		sfmt_ptr(b, (uint64_t)(uintptr_t)si->si_addr);
	}
	strbuf_printf(b, "}");
}

/* ---- processes ---- */
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

void sfmt_epoll_event(struct strbuf *b, const struct epoll_event *ev)
{
	strbuf_printf(b, "{events=");
	sfmt_epoll_events(b, ev->events);
	strbuf_printf(b, ", data={u32=%u, u64=%" PRIu64 "}}", (uint32_t)ev->data.u64,
		      (uint64_t)ev->data.u64);
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
