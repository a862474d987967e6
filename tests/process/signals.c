#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
static sigjmp_buf env;
static void segv(int sig, siginfo_t *si, void *uc) { (void)uc; printf("sig=%d code=%d addr=%p\n", sig, si->si_code, si->si_addr); siglongjmp(env, 1); }
static volatile int alarms;
static void alrm(int s) { (void)s; alarms++; }
int main(void) {
  static char stack[65536]; stack_t ss = {.ss_sp = stack, .ss_size = sizeof stack};
  sigaltstack(&ss, NULL);
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_sigaction = segv; sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGSEGV, &sa, NULL);
  if (!sigsetjmp(env, 1)) *(volatile int *)0x1234 = 1;
  printf("recovered\n");
  double x = 1.5; for (int i = 0; i < 3; i++) x *= 2.5; printf("fp %.3f\n", x);
  sa.sa_handler = alrm; sa.sa_flags = SA_RESTART; sigaction(SIGALRM, &sa, NULL);
  int p[2]; pipe(p);
  /* The child writes a second after the alarm, never at the same moment
   * (both at 1 s raced: alarms=0 or 1 depending on who came first). */
  if (fork() == 0) { sleep(2); write(p[1], "x", 1); _exit(0); }
  alarm(1); /* fires during read: SA_RESTART keeps the read going */
  char c; ssize_t n = read(p[0], &c, 1); printf("read %zd %c alarms=%d\n", n, c, alarms);
  int st; wait(&st);
  pid_t k = fork(); if (k == 0) { pause(); _exit(1); }
  kill(k, SIGTERM); waitpid(k, &st, 0); printf("killed: %d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));
  k = fork(); if (k == 0) { abort(); }
  waitpid(k, &st, 0); printf("abort: sig=%d core=%d\n", WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
  return 0;
}
