/* Futexes in shared memory across processes: a pshared mutex+condvar and a
 * POSIX semaphore in MAP_SHARED memory, used by parent and child. */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
struct shared { pthread_mutex_t m; pthread_cond_t c; int ready; sem_t sem; int count; };
int main(void) {
  struct shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pthread_mutexattr_t ma; pthread_mutexattr_init(&ma); pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_condattr_t ca; pthread_condattr_init(&ca); pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&s->m, &ma); pthread_cond_init(&s->c, &ca); sem_init(&s->sem, 1, 0);
  pid_t p = fork();
  if (p == 0) {
    usleep(100000);
    pthread_mutex_lock(&s->m); s->ready = 1; pthread_cond_signal(&s->c); pthread_mutex_unlock(&s->m);
    for (int i = 0; i < 5; i++) { s->count++; sem_post(&s->sem); usleep(10000); }
    _exit(0);
  }
  pthread_mutex_lock(&s->m); while (!s->ready) pthread_cond_wait(&s->c, &s->m); pthread_mutex_unlock(&s->m);
  for (int i = 0; i < 5; i++) sem_wait(&s->sem);
  int st; waitpid(p, &st, 0);
  printf("ready=%d count=%d\n", s->ready, s->count);
  return 0;
}
