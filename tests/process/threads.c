#include <pthread.h>
#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <string.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static long counter, ready;
static void *work(void *arg) {
  for (int i = 0; i < 10000; i++) { pthread_mutex_lock(&m); counter++; pthread_mutex_unlock(&m); }
  pthread_mutex_lock(&m); ready++; pthread_cond_broadcast(&c); pthread_mutex_unlock(&m);
  return arg;
}
static volatile sig_atomic_t got;
static void h(int s) { got = s; }
int main(void) {
  pthread_t t[8];
  for (long i = 0; i < 8; i++) pthread_create(&t[i], NULL, work, (void*)i);
  pthread_mutex_lock(&m); while (ready < 8) pthread_cond_wait(&c, &m); pthread_mutex_unlock(&m);
  long sum = 0; for (int i = 0; i < 8; i++) { void *r; pthread_join(t[i], &r); sum += (long)r; }
  printf("counter=%ld sum=%ld\n", counter, sum);
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = h; sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1); printf("got=%d\n", (int)got);
  alarm(1); sa.sa_handler = h; sigaction(SIGALRM, &sa, NULL); pause(); printf("alarm got=%d\n", (int)got);
  return 0;
}
