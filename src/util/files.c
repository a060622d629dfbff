/* File reading, directories and atomic output (temporary file + rename). */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

ecr_status ecr_file_read(const char *path, char **out, size_t *len, ecr_error *err) {
  *out = NULL;
  if (len) *len = 0;
  /* O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer;
   * anything but a regular file is refused before the first read. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return ecr_error_set(err, ECR_E_INPUT, path, "required file is missing");
    return ecr_error_set(err, ECR_E_INPUT, path, "cannot open: %s", strerror(errno));
  }
  struct stat st;
  memset(&st, 0, sizeof(st));
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    bool fifo = S_ISFIFO(st.st_mode);
    close(fd);
    return ecr_error_set(err, ECR_E_INPUT, path, "not a regular file%s", fifo ? " (a FIFO)" : "");
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
      ecr_status st =
          ecr_error_set(err, ECR_E_OUTPUT, p, "cannot create directory: %s", strerror(errno));
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

/* ---- temporary files: unpredictable names, never through a link --------- */

/* Paths of the temporary files that exist right now, for the signal handler
 * (lock-free slots: async-signal-safe to read). A file that finds no free
 * slot is still created, it is only not removed on a signal. */
#define TMP_SLOTS 64
static _Atomic(char *) tmp_slots[TMP_SLOTS];
static mode_t file_mode = 0644;
static volatile sig_atomic_t handling;

static void tmp_register(char *path) {
  for (size_t i = 0; i < TMP_SLOTS; i++) {
    char *expected = NULL;
    if (atomic_compare_exchange_strong(&tmp_slots[i], &expected, path)) return;
  }
}

static void tmp_unregister(const char *path) {
  for (size_t i = 0; i < TMP_SLOTS; i++) {
    char *expected = (char *)path;
    if (atomic_compare_exchange_strong(&tmp_slots[i], &expected, NULL)) return;
  }
}

static void on_fatal_signal(int sig) {
  if (!handling) {
    handling = 1;
    for (size_t i = 0; i < TMP_SLOTS; i++) {
      char *p = atomic_load(&tmp_slots[i]);
      if (p) unlink(p);
    }
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void ecr_atomic_cleanup_on_signals(void) {
  mode_t m = umask(022);
  umask(m);
  file_mode = 0666 & ~m & 0777;
  int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
    struct sigaction sa, old;
    /* a signal ignored at start (nohup, a background job) stays ignored */
    if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_fatal_signal;
    sigfillset(&sa.sa_mask);
    sigaction(sigs[i], &sa, NULL);
  }
}

static uint64_t random_u64(void) {
  uint64_t v = 0;
  if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v)) return v;
  static _Atomic uint64_t counter;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  v = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^
      (atomic_fetch_add(&counter, 1) * 0x9e3779b97f4a7c15ull);
  return v;
}

/* Create "<path>.tmp.<12 random characters>" with O_CREAT|O_EXCL|O_NOFOLLOW:
 * a link or file planted under the name is never opened or followed (a new
 * name is drawn instead). */
static int tmp_create(const char *path, char **tmp_out) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (int attempt = 0; attempt < 100; attempt++) {
    uint64_t r = random_u64();
    char sfx[13];
    for (int i = 0; i < 12; i++) {
      sfx[i] = alphabet[r % 62];
      r /= 62;
      if (i == 9) r ^= random_u64();
    }
    sfx[12] = '\0';
    char *tmp = ecr_xasprintf("%s.tmp.%s", path, sfx);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, file_mode);
    if (fd >= 0) {
      *tmp_out = tmp;
      return fd;
    }
    int e = errno;
    free(tmp);
    if (e != EEXIST && e != ELOOP) {
      errno = e;
      return -1;
    }
  }
  errno = EEXIST;
  return -1;
}

ecr_status ecr_atomic_open(ecr_atomic_file *af, const char *path, ecr_error *err) {
  memset(af, 0, sizeof(*af));
  af->path = ecr_xstrdup(path);
  int fd = tmp_create(path, &af->tmp_path);
  if (fd >= 0) tmp_register(af->tmp_path);
  if (fd < 0 || !(af->fp = fdopen(fd, "wb"))) {
    int e = errno;
    if (fd >= 0) close(fd);
    ecr_status st = ecr_error_set(err, ECR_E_OUTPUT, path, "cannot write: %s", strerror(e));
    if (fd >= 0) {
      unlink(af->tmp_path);
      tmp_unregister(af->tmp_path);
    }
    free(af->path);
    free(af->tmp_path);
    memset(af, 0, sizeof(*af));
    return st;
  }
  return ECR_OK;
}

/* Exclusive lock on a directory (flock on the directory itself: nothing is
 * created in it); waits for another holder. */
ecr_status ecr_dir_lock(const char *dir, int *fd_out, ecr_error *err) {
  *fd_out = -1;
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return ecr_error_set(err, ECR_E_OUTPUT, dir, "cannot open the directory: %s", strerror(errno));
  while (flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int e = errno;
    close(fd);
    return ecr_error_set(err, ECR_E_OUTPUT, dir, "cannot lock the directory: %s", strerror(e));
  }
  *fd_out = fd;
  return ECR_OK;
}

void ecr_dir_unlock(int fd) {
  if (fd >= 0) close(fd); /* releases the lock */
}

bool ecr_atomic_write(ecr_atomic_file *af, const void *data, size_t n) {
  if (af->failed || !af->fp) return false;
  if (n && fwrite(data, 1, n, af->fp) != n) af->failed = true;
  return !af->failed;
}

static void atomic_release(ecr_atomic_file *af) {
  if (af->tmp_path) tmp_unregister(af->tmp_path);
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
