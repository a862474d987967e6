/* loader: turns an executable (ELF or #! script) into a ready address space.
 *
 * The loader never touches a stub directly: it asks its caller, through
 * `struct loader_ops`, to open files (so the sentry's sandbox root applies)
 * and to create memory (so the sentry's mm bookkeeping sees every mapping).
 * That keeps the ELF checks and the stack layout pure and unit-testable.
 */
#ifndef MSENTRY_LOADER_H
#define MSENTRY_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define LOADER_MAX_SCRIPT_DEPTH 6 /* nested #! interpreters, as gVisor and Linux allow */
#define LOADER_AUXV_MAX 32

struct loader_ops {
	void *ctx;
	/* Open `path` (a sandbox path) for execution: host fd or -errno. */
	int (*open)(void *ctx, const char *path);
	/* mmap in the target; returns the address or -errno. fd < 0: anonymous. */
	long (*map)(void *ctx, uint64_t addr, uint64_t len, int prot, int flags, int fd,
		    uint64_t off);
	/* Write bytes into the target, ignoring page protections. 0 or -errno. */
	int (*write)(void *ctx, uint64_t addr, const void *buf, size_t len);
};

/* An optional vDSO image to map into the new address space. */
struct loader_vdso {
	int fd;		      /* memfd holding [params pages][image] */
	size_t params_size;   /* bytes of parameter pages before the image */
	size_t image_size;    /* bytes of the image (page multiple) */
	uint64_t image_entry; /* unused for now: symbol lookup is the libc's job */
};

struct loader_request {
	const char *path;	    /* as given to execve: becomes AT_EXECFN */
	const char *const *argv;    /* NULL-terminated */
	const char *const *envp;    /* NULL-terminated */
	const struct loader_vdso *vdso; /* NULL: no vDSO */
	uint64_t stack_size;	    /* bytes of stack to map */
	uint64_t stack_limit;	    /* highest address the stack may reach */
	uint32_t uid, euid, gid, egid;
	uint64_t hwcap, hwcap2, minsigstksz;
	uint8_t random[16]; /* AT_RANDOM bytes (fresh per exec) */
	uint64_t aslr_seed; /* randomness for PIE base and stack position */
};

struct loader_result {
	uint64_t entry;			/* where the program starts (interpreter if any) */
	uint64_t sp;			/* initial stack pointer */
	uint64_t exe_entry, exe_base, interp_base;
	uint64_t brk_start;
	uint64_t stack_start, stack_end; /* the stack mapping */
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t vdso_base;		/* 0: none */
	uint64_t auxv[LOADER_AUXV_MAX * 2];
	size_t auxv_words; /* entries * 2, including AT_NULL */
	char *exe_path;	   /* the executable actually run (script: the script) */
	char *interp_path; /* ELF interpreter, or NULL */
	char *script_interp; /* #! interpreter, or NULL */
	bool is_dynamic, is_pie, is_static_pie;
};

/* Load `req` through `ops`. 0, or -errno with `e` naming the file and the
 * reason (ENOENT, EACCES, ENOEXEC, ELIBBAD, ELOOP, E2BIG...). */
int loader_load(const struct loader_request *req, const struct loader_ops *ops,
		struct loader_result *res, struct error *e);
void loader_result_release(struct loader_result *res);

/* Shell-style exit status for a loader failure: 127 not found, 126 otherwise. */
int loader_exit_status(int err);

#endif
