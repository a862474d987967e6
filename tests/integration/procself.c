/* /proc/self shows the program, never the stub. PASS/FAIL lines. */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	failures += !ok;
}

static size_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	size_t n = 0;
	ssize_t r;
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return n;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	slurp("/proc/self/maps", buf, sizeof(buf));
	check(strstr(buf, "7fffffffe000-7ffffffff000") == NULL, "maps has no stub page");
	check(strstr(buf, "[stack]") != NULL, "maps labels the stack");
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	check(n > 0 && strstr(buf, exe) != NULL, "maps shows the executable /proc/self/exe names");
	check(exe[0] == '/' && strstr(exe, "procself") != NULL, "/proc/self/exe is the program");
	size_t len = slurp("/proc/self/cmdline", buf, sizeof(buf));
	const char *arg1 = buf + strlen(buf) + 1;
	check(len > 0 && argc == 3 && strcmp(arg1, "one") == 0 &&
		      strcmp(arg1 + strlen(arg1) + 1, "two") == 0,
	      "/proc/self/cmdline holds the arguments");
	(void)argv;
	len = slurp("/proc/self/auxv", buf, sizeof(buf));
	int entry_ok = 0;
	for (size_t i = 0; i + 16 <= len; i += 16) {
		uint64_t type, val;
		memcpy(&type, buf + i, 8);
		memcpy(&val, buf + i + 8, 8);
		if (type == AT_ENTRY)
			entry_ok = val == getauxval(AT_ENTRY);
	}
	check(entry_ok, "/proc/self/auxv matches getauxval");
	int fd = open("/etc/hostname", O_RDONLY);
	DIR *d = opendir("/proc/self/fd");
	int seen = 0, count = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		count++;
		seen |= atoi(e->d_name) == fd;
	}
	check(seen && count <= 5, "/proc/self/fd lists the program's fds only");
	char link[64], target[256];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	check(strcmp(target, "/etc/hostname") == 0, "/proc/self/fd/N names the open file");
	return failures ? 1 : 0;
}
