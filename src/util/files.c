/* File reading, directories and atomic output (temporary file + rename). */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ecr_status ecr_file_read(const char *path, char **out, size_t *len, ecr_error *err) {
  *out = NULL;
  if (len) *len = 0;
  /* O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer;
   * anything but a regular file is refused before the first read. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return ecr_error_set(err, ECR_E_INPUT, path, "required file is missing");
    return ecr_error_set(err, ECR_E_INPUT, path, "cannot open: %s", strerror(errno));
  }
  struct stat st;
  memset(&st, 0, sizeof(st));
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    bool fifo = S_ISFIFO(st.st_mode);
    close(fd);
    return ecr_error_set(err, ECR_E_INPUT, path, "not a regular file%s",
                         fifo ? " (a FIFO)" : "");
  }
  int fl = fcntl(fd, F_GETFL);
  FILE *fp = NULL;
  if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0 || !(fp = fdopen(fd, "rb"))) {
    int e = errno;
    close(fd);
    return ecr_error_set(err, ECR_E_INPUT, path, "cannot open: %s", strerror(e));
  }
  if ((unsigned long long)st.st_size > ECR_MAX_INPUT_FILE) {
    fclose(fp);
    return ecr_error_set(err, ECR_E_INPUT, path, "file is larger than the %u MiB limit",
                         ECR_MAX_INPUT_FILE / (1024u * 1024u));
  }
  size_t cap = (size_t)st.st_size + 1, n = 0;
  char *buf = ecr_xmalloc(cap);
  for (;;) {
    if (n + 1 >= cap) {
      if (cap > ECR_MAX_INPUT_FILE) {
        free(buf);
        fclose(fp);
        return ecr_error_set(err, ECR_E_INPUT, path, "file is larger than the %u MiB limit",
                             ECR_MAX_INPUT_FILE / (1024u * 1024u));
      }
      cap *= 2;
      buf = ecr_xrealloc(buf, cap);
    }
    size_t got = fread(buf + n, 1, cap - n - 1, fp);
    n += got;
    if (got == 0) break;
  }
  int rerr = ferror(fp);
  fclose(fp);
  if (rerr) {
    free(buf);
    return ecr_error_set(err, ECR_E_INPUT, path, "read error");
  }
  buf[n] = '\0';
  *out = buf;
  if (len) *len = n;
  return ECR_OK;
}

bool ecr_file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool ecr_dir_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

ecr_status ecr_mkdirs(const char *path, ecr_error *err) {
  char *p = ecr_xstrdup(path);
  size_t n = strlen(p);
  while (n > 1 && p[n - 1] == '/') p[--n] = '\0';
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = '\0';
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
      ecr_status st = ecr_error_set(err, ECR_E_OUTPUT, p, "cannot create directory: %s",
                                    strerror(errno));
      free(p);
      return st;
    }
    *s = '/';
  }
  if (mkdir(p, 0755) != 0 && errno != EEXIST) {
    ecr_status st =
        ecr_error_set(err, ECR_E_OUTPUT, p, "cannot create directory: %s", strerror(errno));
    free(p);
    return st;
  }
  if (!ecr_dir_exists(p)) {
    ecr_status st = ecr_error_set(err, ECR_E_OUTPUT, p, "exists and is not a directory");
    free(p);
    return st;
  }
  free(p);
  return ECR_OK;
}

char *ecr_path_join(const char *dir, const char *name) {
  size_t dl = strlen(dir);
  if (dl && dir[dl - 1] == '/') return ecr_xasprintf("%s%s", dir, name);
  return ecr_xasprintf("%s/%s", dir, name);
}

ecr_status ecr_atomic_open(ecr_atomic_file *af, const char *path, ecr_error *err) {
  memset(af, 0, sizeof(*af));
  af->path = ecr_xstrdup(path);
  af->tmp_path = ecr_xasprintf("%s.tmp.%ld", path, (long)getpid());
  int fd = open(af->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || !(af->fp = fdopen(fd, "wb"))) {
    int e = errno;
    if (fd >= 0) close(fd);
    ecr_status st = ecr_error_set(err, ECR_E_OUTPUT, path, "cannot write: %s", strerror(e));
    if (fd >= 0) unlink(af->tmp_path);
    free(af->path);
    free(af->tmp_path);
    memset(af, 0, sizeof(*af));
    return st;
  }
  return ECR_OK;
}

bool ecr_atomic_write(ecr_atomic_file *af, const void *data, size_t n) {
  if (af->failed || !af->fp) return false;
  if (n && fwrite(data, 1, n, af->fp) != n) af->failed = true;
  return !af->failed;
}

static void atomic_release(ecr_atomic_file *af) {
  free(af->path);
  free(af->tmp_path);
  memset(af, 0, sizeof(*af));
}

ecr_status ecr_atomic_finish(ecr_atomic_file *af, ecr_error *err) {
  if (!af->fp) return ecr_error_set(err, ECR_E_OUTPUT, af->path, "not open");
  int e = 0;
  if (af->failed) e = errno ? errno : EIO;
  if (!e && fflush(af->fp) != 0) e = errno;
  if (!e && fsync(fileno(af->fp)) != 0 && errno != EINVAL) e = errno;
  if (fclose(af->fp) != 0 && !e) e = errno;
  af->fp = NULL;
  if (e) {
    unlink(af->tmp_path);
    ecr_status st = ecr_error_set(err, ECR_E_OUTPUT, af->path, "cannot write: %s", strerror(e));
    atomic_release(af);
    return st;
  }
  return ECR_OK;
}

ecr_status ecr_atomic_publish(ecr_atomic_file *af, ecr_error *err) {
  if (!af->tmp_path) return ecr_error_set(err, ECR_E_OUTPUT, af->path, "not finished");
  if (rename(af->tmp_path, af->path) != 0) {
    int e = errno;
    unlink(af->tmp_path);
    ecr_status st = ecr_error_set(err, ECR_E_OUTPUT, af->path, "cannot write: %s", strerror(e));
    atomic_release(af);
    return st;
  }
  atomic_release(af);
  return ECR_OK;
}

ecr_status ecr_atomic_commit(ecr_atomic_file *af, ecr_error *err) {
  ecr_status st = ecr_atomic_finish(af, err);
  if (st != ECR_OK) return st;
  return ecr_atomic_publish(af, err);
}

void ecr_atomic_abort(ecr_atomic_file *af) {
  if (af->fp) fclose(af->fp);
  if (af->tmp_path) unlink(af->tmp_path);
  atomic_release(af);
}

ecr_status ecr_atomic_write_file(const char *path, const void *data, size_t n, ecr_error *err) {
  ecr_atomic_file af;
  ecr_status st = ecr_atomic_open(&af, path, err);
  if (st != ECR_OK) return st;
  ecr_atomic_write(&af, data, n);
  return ecr_atomic_commit(&af, err);
}
