/* Resource use arithmetic (usage.h has how use is captured and summed). */
#include "sentry/kernel/usage.h"

#include <string.h>
#include <unistd.h>

void usage_add(struct proc_usage *sum, const struct proc_usage *u)
{
	sum->utime += u->utime;
	sum->stime += u->stime;
	sum->minflt += u->minflt;
	sum->majflt += u->majflt;
	if (u->maxrss_kb > sum->maxrss_kb)
		sum->maxrss_kb = u->maxrss_kb;
}

static struct timeval ticks_to_timeval(unsigned long ticks)
{
	long hz = sysconf(_SC_CLK_TCK);
	return (struct timeval){
	    .tv_sec = (time_t)(ticks / (unsigned long)hz),
	    .tv_usec = (suseconds_t)(ticks % (unsigned long)hz * 1000000 / (unsigned long)hz)};
}

void usage_to_rusage(const struct proc_usage *u, struct rusage *ru)
{
	memset(ru, 0, sizeof(*ru));
	ru->ru_utime = ticks_to_timeval(u->utime);
	ru->ru_stime = ticks_to_timeval(u->stime);
	ru->ru_minflt = (long)u->minflt;
	ru->ru_majflt = (long)u->majflt;
	ru->ru_maxrss = u->maxrss_kb;
}
