/* /init of the vsyscall=none qemu test: runs the legacy program natively
 * (on a vsyscall=none kernel it must die of SIGSEGV) and under msentry (it
 * must succeed), prints one RESULT line per run, and powers off. */
#include <stdio.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void run(const char *label, char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("RESULT %s: signal %d\n", label, WTERMSIG(status));
	else
		printf("RESULT %s: exit %d\n", label, WEXITSTATUS(status));
	fflush(stdout);
}

int main(void)
{
	mount("proc", "/proc", "proc", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	FILE *f = fopen("/proc/cmdline", "r");
	char line[512] = "";
	if (f && fgets(line, sizeof(line), f))
		printf("CMDLINE %s", line);
	char *native[] = {"/legacy", NULL};
	char *sandboxed[] = {"/msentry", "run", "/legacy", NULL};
	char *probe[] = {"/msentry", "run", "/vdsoprobe", NULL};
	char *refused[] = {"/msentry", "run", "--vsyscall=none", "/legacy", NULL};
	char *hello[] = {"/msentry", "run", "/hello", NULL};
	run("native", native);
	run("hello", hello);
	run("msentry", sandboxed);
	run("probe", probe);
	run("refused", refused);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
