/* LD_PRELOAD fault injector for tests/faults/test_faults.sh.
 * ECR_FAULT="<op>:<substring>" makes every <op> (fwrite, fflush, fsync,
 * rename, open) on a file whose path contains <substring> fail with ENOSPC
 * (EACCES for open); "stall:<substring>" makes fsync sleep instead. The path of a stream/descriptor
 * is read from /proc/self/fd; rename matches its target. Built by the test at run time. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int wants(const char *op, const char *path) {
  const char *spec = getenv("ECR_FAULT");
  size_t n = strlen(op);
  if (!spec || !path || strncmp(spec, op, n) != 0 || spec[n] != ':') return 0;
  return strstr(path, spec + n + 1) != NULL;
}

static int fd_wants(const char *op, int fd) {
  char link[64], path[4096];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t k = readlink(link, path, sizeof(path) - 1);
  if (k <= 0) return 0;
  path[k] = '\0';
  return wants(op, path);
}

#define REAL(name)                                                                                 \
  (*(void **)(&real_##name) ? 0 : (*(void **)(&real_##name) = dlsym(RTLD_NEXT, #name), 0))

static size_t (*real_fwrite)(const void *, size_t, size_t, FILE *);
size_t fwrite(const void *p, size_t s, size_t n, FILE *fp) {
  REAL(fwrite);
  if (fp && fd_wants("fwrite", fileno(fp))) {
    errno = ENOSPC;
    return 0;
  }
  return real_fwrite(p, s, n, fp);
}

static int (*real_fflush)(FILE *);
int fflush(FILE *fp) {
  REAL(fflush);
  if (fp && fd_wants("fflush", fileno(fp))) {
    errno = ENOSPC;
    return EOF;
  }
  return real_fflush(fp);
}

static int (*real_fsync)(int);
int fsync(int fd) {
  REAL(fsync);
  /* "stall:<substring>": fsync sleeps ECR_STALL seconds (default 30), so a
   * test can signal or race a run while its temporary files exist */
  if (fd_wants("stall", fd)) {
    const char *s = getenv("ECR_STALL");
    unsigned left = s ? (unsigned)atoi(s) : 30u;
    while (left) left = sleep(left);
  }
  if (fd_wants("fsync", fd)) {
    errno = ENOSPC;
    return -1;
  }
  return real_fsync(fd);
}

static int (*real_rename)(const char *, const char *);
int rename(const char *from, const char *to) {
  REAL(rename);
  if (wants("rename", to)) {
    errno = ENOSPC;
    return -1;
  }
  return real_rename(from, to);
}

static int (*real_open)(const char *, int, ...);
int open(const char *path, int flags, ...) {
  REAL(open);
  mode_t mode = 0;
  if (flags & O_CREAT) {
    va_list ap;
    va_start(ap, flags);
    mode = (mode_t)va_arg(ap, int);
    va_end(ap);
  }
  if ((flags & (O_WRONLY | O_RDWR)) && wants("open", path)) {
    errno = EACCES;
    return -1;
  }
  return real_open(path, flags, mode);
}
