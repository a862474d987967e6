#ifndef MSENTRY_IO_INTERNAL_H
#define MSENTRY_IO_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct task;

/* Host fd <-> program memory. `off` NULL: use the file position.
 * Return bytes moved or -errno. */
long io_read(struct task *t, int fd, uint64_t buf, size_t count, const off_t *off);
long io_write(struct task *t, int fd, uint64_t buf, size_t count, const off_t *off);
long io_readv(struct task *t, int fd, uint64_t iov, int cnt, const off_t *off);
long io_writev(struct task *t, int fd, uint64_t iov, int cnt, const off_t *off);
/* Read and validate a program iovec array. 0 or -errno; *out malloc'ed. */
int io_read_iovec(struct task *t, uint64_t addr, int cnt, struct iovec **out, size_t *total);

#endif
