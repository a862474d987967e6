/* Blocked and pending signals, as Linux keeps them: per-thread and
 * per-process pending sets, standard signals that do not queue, real-time
 * signals that queue in order with their values, sigsuspend. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t seen[65], order[32], norder;

static void handler(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	seen[sig]++;
	if (norder < 32)
		order[norder++] = sig * 100 + (sig >= SIGRTMIN ? si->si_value.sival_int : 0);
}

static void show_pending(const char *what)
{
	sigset_t p;
	sigpending(&p);
	printf("%s: pending", what);
	for (int s = 1; s < 65; s++)
		if (sigismember(&p, s))
			printf(" %d", s);
	printf("\n");
}

static void *thread_main(void *arg)
{
	(void)arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL); /* this thread takes nothing */
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	for (int s = 1; s < 65; s++)
		if (s != SIGKILL && s != SIGSTOP && s != 32 && s != 33)
			sigaction(s, &sa, NULL);
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &block, &old);
	pthread_t t;
	pthread_create(&t, NULL, thread_main, NULL);
	/* Process-directed: SIGUSR1 twice (one stays), SIGRTMIN+1 three times
	 * with values (all queue); thread-directed: SIGUSR2 to this thread. */
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	for (int v = 1; v <= 3; v++)
		sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = v});
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2);
	show_pending("blocked");
	printf("before unblock: usr1=%d usr2=%d rt=%d\n", seen[SIGUSR1], seen[SIGUSR2],
	       seen[SIGRTMIN + 1]);
	/* sigsuspend with an empty mask delivers them all, then returns. */
	sigset_t none;
	sigemptyset(&none);
	int r = sigsuspend(&none);
	printf("sigsuspend returned %d\n", r);
	show_pending("after");
	printf("delivered: usr1=%d usr2=%d rt=%d; rt order:", seen[SIGUSR1], seen[SIGUSR2],
	       seen[SIGRTMIN + 1]);
	for (int i = 0; i < norder; i++)
		if (order[i] >= (SIGRTMIN + 1) * 100)
			printf(" %d", order[i] % 100);
	printf("\n");
	return 0;
}
