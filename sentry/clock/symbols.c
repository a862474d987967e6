/* Symbol offsets in the embedded vDSO image (linked at 0, so a symbol's
 * value is its offset from wherever the image is mapped). */
#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include "sentry/clock/clock.h"

int vdso_symbol_offset(const char *name, uint64_t *offset)
{
	elf_version(EV_CURRENT);
	/* libelf parses a private copy: elf_memory() may convert in place. */
	cleanup_free char *copy = xmalloc(vdso_image_size);
	memcpy(copy, vdso_image, vdso_image_size);
	Elf *elf = elf_memory(copy, vdso_image_size);
	if (!elf)
		return -1;
	int rc = -1;
	Elf_Scn *scn = NULL;
	while (rc != 0 && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || sh.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n = gelf_getsym(data, (int)i, &sym)
						? elf_strptr(elf, sh.sh_link, sym.st_name)
						: NULL;
			if (n && strcmp(n, name) == 0 && sym.st_shndx != SHN_UNDEF) {
				*offset = sym.st_value;
				rc = 0;
				break;
			}
		}
	}
	elf_end(elf);
	return rc;
}
