/* The sentry's side of the vDSO: the memfd, and the clock behind it.
 *
 * One memfd "msentry-vdso" holds [parameter page][image]. Every program
 * maps the parameter page read-only and shared, and the image privately;
 * the sentry keeps its own read-write mapping of the parameter page. The
 * name matters: /proc/self/maps shows those mappings as [vvar] and [vdso].
 *
 * Calibration. The program computes time as a linear function of the TSC
 * (vdso-params.h). A small thread of the sentry samples (TSC, host clock)
 * pairs about once a second and publishes new parameters under the
 * seqcount; a thread, rather than the event loop, so that time stays right
 * when the program makes no syscall at all for hours, and so no timer
 * signal ever interrupts the sentry's blocking host calls. It only touches
 * the parameter page and its own state here; it never ptraces.
 *   - Frequency: measured against CLOCK_MONOTONIC from the first sample,
 *     so it gets more precise as the baseline grows.
 *   - MONOTONIC never goes backwards: a new base is never below what the
 *     old parameters give at that TSC; if the host clock is behind us, the
 *     difference is slewed away over the next second (at most 1000 ppm)
 *     instead of stepped; readers still on the old parameters are covered
 *     by a margin computed from how long publishing took.
 *   - REALTIME and BOOTTIME are offsets from MONOTONIC taken from the host
 *     at every refresh (REALTIME may step, as the host's does; BOOTTIME
 *     only grows).
 * Whether the TSC can be used at all is hostclock.c's question: an
 * invariant TSC is required, and except where the host kernel itself keeps
 * time from the TSC, this thread first checks that the CPUs' TSCs agree
 * (tsc_cpus_agree) before it publishes anything. Where the TSC cannot be
 * used the page is never marked ready, the vDSO makes real syscalls that
 * the sentry answers, and the first such call says so once
 * (vdso_warn_if_trapping).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>

#include "sentry/clock/clock-internal.h"

#define NSEC_PER_SEC 1000000000LL
#define REFRESH_MS 1000
#define FIRST_BASELINE_NS 2000000LL /* first frequency estimate: >= 2 ms of TSC */
#define MAX_SLEW_PPM 1000

struct vdso_clock {
	struct vdso_sample first;	    /* baseline of the frequency measurement */
	struct vdso_calib pub;	    /* what was last published (never read back
				     * from the shared page: the program can see it) */
	uint32_t seq;		    /* the page's seqcount */
	int64_t coarse_res;
	unsigned cpu;
	struct vdso_params *page;   /* the sentry's writable view */
	uint32_t tsc_read;	    /* VDSO_TSC_RDTSCP or VDSO_TSC_LFENCE */
	bool measure;		    /* check the CPUs agree before publishing */
	cpu_set_t cpus;		    /* the CPUs the program may run on */
	pthread_t thread;
	int stop_fd;		    /* eventfd: tells the thread to finish */
	bool thread_running;
	/* Set by the thread when the check fails (release), with `why`. */
	bool failed;
	char why[128];
};

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static int64_t host_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* One (TSC, MONOTONIC) pair on the calling thread's CPU: the tightest of
 * a few tries; *window is the TSC cycles its clock read took. */
static void tsc_mono_pair(uint64_t *tsc, int64_t *mono, uint64_t *window)
{
	*window = UINT64_MAX;
	for (int i = 0; i < 8; i++) {
		uint64_t t1 = rdtsc_ordered();
		int64_t m = host_ns(CLOCK_MONOTONIC);
		uint64_t t2 = rdtsc_ordered();
		if (t2 - t1 < *window) {
			*window = t2 - t1;
			*tsc = t1 + (t2 - t1) / 2;
			*mono = m;
		}
	}
}

/* (TSC, MONOTONIC) pair from the tightest of a few tries, plus the
 * REALTIME and BOOTTIME offsets. */
static struct vdso_sample take_sample(void)
{
	struct vdso_sample best = {0};
	uint64_t window;
	tsc_mono_pair(&best.tsc, &best.mono, &window);
	int64_t a = host_ns(CLOCK_MONOTONIC);
	int64_t real = host_ns(CLOCK_REALTIME);
	int64_t boot = host_ns(CLOCK_BOOTTIME);
	int64_t b = host_ns(CLOCK_MONOTONIC);
	int64_t mid = a + (b - a) / 2;
	best.real_off = real - mid;
	best.boot_off = boot - mid;
	return best;
}

/* ns/cycle in 32.32 fixed point between two samples. */
static uint64_t measure_mult(const struct vdso_sample *from, const struct vdso_sample *to)
{
	uint64_t cycles = to->tsc - from->tsc;
	int64_t ns = to->mono - from->mono;
	if (cycles == 0 || ns <= 0)
		return 0;
	return (uint64_t)(((unsigned __int128)ns << 32) / cycles);
}

int64_t vdso_calib_mono(const struct vdso_calib *c, uint64_t tsc)
{
	return c->mono_ns + vdso_delta_ns(tsc, c->tsc_base, c->mult);
}

static struct vdso_time split(int64_t ns)
{
	struct vdso_time t = {ns / NSEC_PER_SEC, ns % NSEC_PER_SEC};
	if (t.nsec < 0) {
		t.sec--;
		t.nsec += NSEC_PER_SEC;
	}
	return t;
}

void vdso_params_fill(struct vdso_params *p, const struct vdso_calib *c, int64_t coarse_res,
		      unsigned cpu)
{
	enum { REALTIME = 0, MONOTONIC = 1, REALTIME_COARSE = 5, MONOTONIC_COARSE = 6,
	       BOOTTIME = 7 };
	memset(p->base, 0, sizeof(p->base));
	p->tsc_base = c->tsc_base;
	p->mult = c->mult;
	p->coarse_res = coarse_res > 0 ? coarse_res : 1;
	p->cpu = cpu;
	p->node = 0;
	p->base[MONOTONIC] = p->base[MONOTONIC_COARSE] = split(c->mono_ns);
	p->base[REALTIME] = p->base[REALTIME_COARSE] = split(c->mono_ns + c->real_offset);
	p->base[BOOTTIME] = split(c->mono_ns + c->boot_offset);
	p->coarse = 1u << REALTIME_COARSE | 1u << MONOTONIC_COARSE;
	p->clocks = !c->ready ? 0
			      : 1u << REALTIME | 1u << MONOTONIC | 1u << REALTIME_COARSE |
					1u << MONOTONIC_COARSE | 1u << BOOTTIME;
}

/* Publish the calibration that follows sample `s`. The page is marked odd
 * first, so that every reader that could still use the old parameters took
 * its TSC before `publish_tsc`, which vdso_next_calib() accounts for. */
static void publish(struct vdso_clock *c, const struct vdso_sample *s, uint64_t mult)
{
	volatile struct vdso_params *p = c->page;
	p->seq = ++c->seq; /* odd: readers wait */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	struct vdso_calib nc = vdso_next_calib(&c->pub, s, mult, rdtsc_ordered());
	struct vdso_params np;
	vdso_params_fill(&np, &nc, c->coarse_res, c->cpu);
	p->clocks = np.clocks;
	p->coarse = np.coarse;
	p->cpu = np.cpu;
	p->node = np.node;
	p->tsc_base = np.tsc_base;
	p->mult = np.mult;
	p->coarse_res = np.coarse_res;
	p->tsc_read = c->tsc_read;
	for (int i = 0; i < VDSO_NCLOCKS; i++) {
		p->base[i].sec = np.base[i].sec;
		p->base[i].nsec = np.base[i].nsec;
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	p->seq = ++c->seq;
	c->pub = nc;
}

struct vdso_calib vdso_next_calib(const struct vdso_calib *old, const struct vdso_sample *s,
				  uint64_t mult_freq, uint64_t publish_tsc)
{
	struct vdso_calib nc = {
		.ready = true,
		.tsc_base = s->tsc,
		.mult = mult_freq,
		.mono_ns = s->mono,
		.real_offset = s->real_off,
		.boot_offset = !old->ready || s->boot_off > old->boot_offset ? s->boot_off
									    : old->boot_offset,
	};
	if (!old->ready)
		return nc;
	int64_t ours = vdso_calib_mono(old, s->tsc);
	if (ours <= s->mono)
		return nc; /* behind the host (or equal): stepping forward is fine */
	/* Ahead of the host: keep our value and run slower until we meet it
	 * about a second from now. */
	int64_t err = ours - s->mono;
	uint64_t cycles_per_sec = (uint64_t)(((unsigned __int128)NSEC_PER_SEC << 32) / mult_freq);
	uint64_t corr = (uint64_t)(((unsigned __int128)(uint64_t)err << 32) / cycles_per_sec);
	uint64_t max_corr = mult_freq / (1000000 / MAX_SLEW_PPM);
	nc.mult = mult_freq - (corr < max_corr ? corr : max_corr);
	nc.mono_ns = ours;
	/* A reader that took its TSC before the new page was published used
	 * the old, faster rate up to publish_tsc: start high enough that it
	 * can never see a later time than a reader of the new page (+2 for
	 * the two roundings). */
	if (old->mult > nc.mult)
		nc.mono_ns += vdso_delta_ns(publish_tsc, s->tsc, old->mult - nc.mult) + 2;
	return nc;
}

static void refresh(struct vdso_clock *c)
{
	struct vdso_sample s = take_sample();
	uint64_t mult = measure_mult(&c->first, &s);
	if (mult == 0)
		return;
	publish(c, &s, mult);
}

/* How far CPU `cpu`'s TSC is from `ref`'s, in ns: a pair on ref, one on
 * cpu, one on ref again; cpu's MONOTONIC against what ref's line says at
 * cpu's TSC. The best of a few rounds (a preempted vCPU only adds error).
 * False if this thread cannot run on one of them. */
static bool cpu_skew(int ref, int cpu, int64_t *skew, int64_t *window_ns)
{
	int64_t best = INT64_MAX;
	for (int round = 0; round < 5; round++) {
		const int order[3] = {ref, cpu, ref};
		uint64_t tsc[3], window[3];
		int64_t mono[3];
		for (int i = 0; i < 3; i++) {
			cpu_set_t one;
			CPU_ZERO(&one);
			CPU_SET(order[i], &one);
			if (sched_setaffinity(0, sizeof(one), &one) != 0)
				return false;
			tsc_mono_pair(&tsc[i], &mono[i], &window[i]);
		}
		if (tsc[2] <= tsc[0] || mono[2] <= mono[0])
			continue;
		double ns_per_cycle = (double)(mono[2] - mono[0]) / (double)(tsc[2] - tsc[0]);
		int64_t predicted = mono[0] + (int64_t)((double)(int64_t)(tsc[1] - tsc[0]) * ns_per_cycle);
		int64_t d = mono[1] - predicted;
		if (llabs(d) < llabs(best)) {
			best = d;
			*window_ns = (int64_t)((double)(window[0] + window[1] + window[2]) * ns_per_cycle);
		}
	}
	*skew = best;
	return best != INT64_MAX;
}

/* Do the TSCs of every CPU the program may run on agree? On failure,
 * c->why says by how much they did not. The thread's CPU mask is restored. */
static bool tsc_cpus_agree(struct vdso_clock *c)
{
	cpu_set_t saved;
	if (sched_getaffinity(0, sizeof(saved), &saved) != 0)
		return false;
	int ref = -1;
	bool agree = true;
	for (int cpu = 0; cpu < CPU_SETSIZE && agree; cpu++) {
		if (!CPU_ISSET(cpu, &c->cpus))
			continue;
		if (ref < 0) {
			ref = cpu;
			continue;
		}
		int64_t skew, window;
		if (!cpu_skew(ref, cpu, &skew, &window))
			continue; /* not ours to run on (cpuset): nor the program's */
		if (!tsc_skew_acceptable(skew, window)) {
			snprintf(c->why, sizeof(c->why), "the TSCs of CPUs %d and %d differ by %lld ns",
				 ref, cpu, (long long)skew);
			agree = false;
		}
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	return agree;
}

static void *refresh_thread(void *arg)
{
	struct vdso_clock *c = arg;
	struct pollfd pfd = {.fd = c->stop_fd, .events = POLLIN};
	/* The first parameters need a baseline of FIRST_BASELINE_NS. Waiting
	 * for it here rather than in clock_start keeps it off msentry's
	 * start-up (it was 2 of the ~5 ms of `msentry run /bin/true`); until
	 * then the page is not ready and the vDSO makes real syscalls. */
	if (c->measure && !tsc_cpus_agree(c)) {
		__atomic_store_n(&c->failed, true, __ATOMIC_RELEASE);
		return NULL; /* never ready: the vDSO makes real syscalls */
	}
	int64_t wait = c->first.mono + FIRST_BASELINE_NS - host_ns(CLOCK_MONOTONIC);
	struct timespec first = {0, wait > 0 ? (long)wait : 0};
	if (ppoll(&pfd, 1, &first, NULL) > 0)
		return NULL;
	refresh(c);
	for (;;) {
		int n = poll(&pfd, 1, REFRESH_MS);
		if (n > 0)
			return NULL;
		if (n == 0)
			refresh(c);
	}
}

static struct vdso_clock *clock_create(struct vdso_params *page, unsigned cpu,
				       const struct host_clock_facts *f, enum tsc_trust trust,
				       const cpu_set_t *cpus)
{
	struct vdso_clock *c = xcalloc(1, sizeof(*c));
	c->page = page;
	c->tsc_read = f->rdtscp ? VDSO_TSC_RDTSCP : VDSO_TSC_LFENCE;
	c->measure = trust == TSC_MEASURE;
	c->cpus = *cpus;
	struct timespec res;
	clock_getres(CLOCK_MONOTONIC_COARSE, &res);
	c->cpu = cpu;
	c->coarse_res = res.tv_sec * NSEC_PER_SEC + res.tv_nsec;
	c->first = take_sample();
	c->stop_fd = -1;
	return c;
}

/* The refresh thread; it publishes the first parameters after a short
 * baseline (see refresh_thread). */
static int clock_start(struct vdso_clock *c, struct error *e)
{
	c->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (c->stop_fd < 0)
		return error_sys(e, errno, "cannot create the vDSO clock's eventfd");
	/* The thread must not take the sentry's signals (SIGCHLD...). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&c->thread, NULL, refresh_thread, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return error_sys(e, rc, "cannot start the vDSO clock thread");
	c->thread_running = true;
	return 0;
}

static void clock_destroy(struct vdso_clock *c)
{
	if (!c)
		return;
	if (c->thread_running) {
		uint64_t one = 1;
		if (write(c->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(c->thread, NULL);
	}
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	free(c);
}

static int fill_memfd(struct vdso *v, struct error *e)
{
	int fd = memfd_create("msentry-vdso", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return error_sys(e, errno, "cannot create the vDSO memfd");
	v->map = (struct loader_vdso){.fd = fd, .params_size = VDSO_PARAMS_SIZE,
				      .image_size = PAGE_UP(vdso_image_size)};
	if (ftruncate(fd, (off_t)(v->map.params_size + v->map.image_size)) != 0 ||
	    pwrite(fd, vdso_image, vdso_image_size, VDSO_PARAMS_SIZE) != (ssize_t)vdso_image_size)
		return error_sys(e, errno, "cannot fill the vDSO memfd");
	void *p = mmap(NULL, VDSO_PARAMS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return error_sys(e, errno, "cannot map the vDSO parameter page");
	v->params = p;
	/* From now on nobody else may map it writable or resize it: programs
	 * map it, and must not be able to mprotect their view writable. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) !=
	    0)
		return error_sys(e, errno, "cannot seal the vDSO memfd");
	return 0;
}

int vdso_create(struct vdso **out, unsigned cpu, const cpu_set_t *cpus, bool use_tsc,
		struct error *e)
{
	struct vdso *v = xcalloc(1, sizeof(*v));
	v->map.fd = -1;
	*out = v;
	if (fill_memfd(v, e) != 0)
		return -1;
	if (!use_tsc)
		return 0; /* forced off (tests): real syscalls, no warning */
	struct host_clock_facts f = host_clock_facts();
	snprintf(v->clocksource, sizeof(v->clocksource), "%s", f.clocksource);
	const char *why;
	enum tsc_trust trust = host_tsc_trust(&f, &why);
	if (trust == TSC_UNUSABLE) {
		snprintf(v->unusable, sizeof(v->unusable), "%s", why);
		return 0; /* never ready: the vDSO makes real syscalls */
	}
	v->clock = clock_create(v->params, cpu, &f, trust, cpus);
	return clock_start(v->clock, e);
}

void vdso_warn_if_trapping(struct vdso *v)
{
	if (!v || v->warned)
		return;
	const char *why = v->unusable[0] ? v->unusable : NULL;
	if (!why && v->clock && __atomic_load_n(&v->clock->failed, __ATOMIC_ACQUIRE))
		why = v->clock->why;
	if (!why)
		return; /* usable (or not yet calibrated: the first 2 ms) */
	v->warned = true;
	fprintf(stderr,
		"msentry: host clock %s is not usable from the sandbox; time calls will trap (%s)\n",
		v->clocksource, why);
}

void vdso_destroy(struct vdso *v)
{
	if (!v)
		return;
	clock_destroy(v->clock);
	if (v->params)
		munmap(v->params, VDSO_PARAMS_SIZE);
	if (v->map.fd >= 0)
		close(v->map.fd);
	free(v);
}

bool vdso_ready(const struct vdso *v)
{
	return v && v->clock && v->clock->pub.ready;
}
