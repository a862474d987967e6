#include <spawn.h>
#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
extern char **environ;
int main(void) {
  pid_t pid; char *argv[] = {"echo", "spawned", NULL};
  int rc = posix_spawnp(&pid, "echo", NULL, NULL, argv, environ);
  int st; waitpid(pid, &st, 0); printf("spawn rc=%d exit=%d\n", rc, WEXITSTATUS(st));
  char *bad[] = {"/nonexistent", NULL};
  rc = posix_spawn(&pid, "/nonexistent", NULL, NULL, bad, environ);
  printf("spawn missing rc=%d\n", rc);
  pid = vfork(); if (pid == 0) { execlp("true", "true", NULL); _exit(99); }
  waitpid(pid, &st, 0); printf("vfork exit=%d\n", WEXITSTATUS(st));
  pid = fork(); if (pid == 0) { for (;;) pause(); }
  kill(pid, SIGSTOP); waitpid(pid, &st, WUNTRACED); printf("stopped=%d sig=%d\n", WIFSTOPPED(st), WSTOPSIG(st));
  kill(pid, SIGCONT); waitpid(pid, &st, WCONTINUED); printf("continued=%d\n", WIFCONTINUED(st));
  kill(pid, SIGKILL); waitpid(pid, &st, 0); printf("killed=%d\n", WTERMSIG(st));
  pid = fork(); if (pid == 0) { if (fork() == 0) { sleep(1); printf("orphan ppid=%d\n", getppid()); fflush(stdout); _exit(0);} _exit(0); }
  waitpid(pid, &st, 0); sleep(2);
  return 0;
}
