/* Fuzz target: config.json parsing and validation (oci_config_parse), on
 * any text.
 *
 * The parser promises one error line for a bad document and never a crash;
 * a document it accepts must hold what the rest of the runtime relies on
 * without checking again: process.args non-empty and NULL-terminated, an
 * absolute cwd and rootfs. Everything is freed each run, so LeakSanitizer
 * also checks oci_config_free.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/config-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_config *c = NULL;
	struct error e = {0};
	if (oci_config_parse((const char *)data, size, "/bundle", &c, &e) != 0) {
		if (e.msg[0] == '\0' || strchr(e.msg, '\n'))
			abort(); /* one line, always */
		oci_config_free(c);
		return 0;
	}
	if (!c->rootfs || c->rootfs[0] != '/')
		abort();
	if (c->has_process) {
		const struct oci_process *p = &c->process;
		if (p->args.n == 0 || !p->args.v || p->args.v[p->args.n] != NULL)
			abort();
		if (!p->cwd || p->cwd[0] != '/')
			abort();
		if (!p->env.v || p->env.v[p->env.n] != NULL)
			abort();
	}
	oci_config_free(c);
	return 0;
}
