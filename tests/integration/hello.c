/* Arguments, environment and exit status cross the sandbox unchanged. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("arg %d: %s\n", i, argv[i]);
	const char *v = getenv("MSENTRY_TEST_VAR");
	printf("env: %s\n", v ? v : "(unset)");
	return argc + 40;
}
