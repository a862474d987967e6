/* Fuzz target: the "#!" line parser (script_parse), on any bytes.
 *
 * The loader reads a file's first bytes into a buffer with one spare byte
 * and NUL-terminates it before parsing; the harness does the same. An
 * accepted line must give a non-empty interpreter without blanks and an
 * argument (if any) that does not start with a blank, both inside the
 * buffer. (The argument may end with one: like Linux, a NUL byte inside
 * the line cuts it, and the blanks stripped are those before the end of
 * the line, not those before the NUL.)
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader/loader-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_word(const char *s, const char *buf, size_t size)
{
	size_t n = strlen(s);
	if (s < buf || s + n > buf + size)
		abort();
	if (n == 0 || s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *interp = NULL, *arg = NULL;
	if (script_parse(buf, size, &interp, &arg) == 0) {
		check_word(interp, buf, size);
		if (strchr(interp, ' ') || strchr(interp, '\t') || strchr(interp, '\n'))
			abort();
		if (arg)
			check_word(arg, buf, size);
	}
	free(buf);
	return 0;
}
