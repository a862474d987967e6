#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static volatile int hits; static volatile int val;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; hits++; val = si->si_value.sival_int; }
static void th(union sigval v) { printf("thread notify %d\n", v.sival_int); fflush(stdout); }
int main(void) {
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO; sigaction(SIGRTMIN+1, &sa, NULL);
  timer_t tid; struct sigevent ev = {0}; ev.sigev_notify = SIGEV_SIGNAL; ev.sigev_signo = SIGRTMIN+1; ev.sigev_value.sival_int = 42;
  timer_create(CLOCK_MONOTONIC, &ev, &tid);
  struct itimerspec its = {{0, 50000000}, {0, 50000000}}; timer_settime(tid, 0, &its, NULL);
  while (hits < 3) pause();
  timer_delete(tid); printf("hits>=3 val=%d\n", val);
  timer_t t2; struct sigevent e2 = {0}; e2.sigev_notify = SIGEV_THREAD; e2.sigev_notify_function = th; e2.sigev_value.sival_int = 7;
  timer_create(CLOCK_REALTIME, &e2, &t2); struct itimerspec i2 = {{0,0},{0, 100000000}}; timer_settime(t2, 0, &i2, NULL);
  sleep(1); return 0;
}
