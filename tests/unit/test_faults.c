/* Fault injection for report output (issue 8, "atomic output").
 *
 * This executable defines fwrite, fflush, fsync and rename itself; since the
 * ecraudit library is linked statically into it, the library's calls land
 * here, and the real functions are reached through dlsym(RTLD_NEXT). A
 * fault fails the next matching call with ENOSPC. Every renderer is driven
 * into a failing sink and every step of ecr_render_to_file is made to fail:
 * the status is ECR_E_OUTPUT naming the report file, the earlier report is
 * byte-for-byte intact and no temporary file is left behind. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecraudit/render.h"
#include "fixture.h"
#include "testutil.h"
#include "util/util.h"

typedef enum fault_op { F_NONE = 0, F_FWRITE, F_FFLUSH, F_FSYNC, F_RENAME } fault_op;
static fault_op fault = F_NONE;
static int fault_hits;

size_t fwrite(const void *ptr, size_t size, size_t n, FILE *fp) {
  static size_t (*real)(const void *, size_t, size_t, FILE *);
  if (!real) *(void **)(&real) = dlsym(RTLD_NEXT, "fwrite"); /* POSIX idiom */
  if (fault == F_FWRITE && fp != stdout && fp != stderr) {
    fault_hits++;
    errno = ENOSPC;
    return 0;
  }
  return real(ptr, size, n, fp);
}

int fflush(FILE *fp) {
  static int (*real)(FILE *);
  if (!real) *(void **)(&real) = dlsym(RTLD_NEXT, "fflush"); /* POSIX idiom */
  if (fault == F_FFLUSH && fp && fp != stdout && fp != stderr) {
    fault_hits++;
    errno = ENOSPC;
    return EOF;
  }
  return real(fp);
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) *(void **)(&real) = dlsym(RTLD_NEXT, "fsync"); /* POSIX idiom */
  if (fault == F_FSYNC) {
    fault_hits++;
    errno = ENOSPC;
    return -1;
  }
  return real(fd);
}

int rename(const char *from, const char *to) {
  static int (*real)(const char *, const char *);
  if (!real) *(void **)(&real) = dlsym(RTLD_NEXT, "rename"); /* POSIX idiom */
  if (fault == F_RENAME) {
    fault_hits++;
    errno = ENOSPC;
    return -1;
  }
  return real(from, to);
}

/* ---- sinks that fail ------------------------------------------------------ */
typedef struct limit_sink {
  size_t budget; /* bytes accepted before failing */
  size_t taken;
  int calls_after_failure;
  bool failed;
} limit_sink;

static int limit_write(void *ctx, const void *data, size_t len) {
  (void)data;
  limit_sink *s = ctx;
  if (s->failed) s->calls_after_failure++;
  if (s->taken + len > s->budget) {
    s->failed = true;
    return -1;
  }
  s->taken += len;
  return 0;
}

static void renderers_report_sink_failure(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(true, 0);
  size_t n = 0;
  const ecr_renderer *all = ecr_renderers(&n);
  assert_true(n >= 4);
  ecr_render_opts opts = {0};
  for (size_t i = 0; i < n; i++) {
    /* how much a full rendering writes */
    ecr_buf full;
    ecr_buf_init(&full);
    ecr_sink bs = {ecr_sink_buf_write, &full};
    ecr_error err;
    ecr_error_clear(&err);
    assert_int_equal(all[i].render(fx.report, &opts, &bs, &err), ECR_OK);
    assert_true(full.len > 100);
    size_t budgets[] = {0, 1, 100, full.len / 2, full.len - 1};
    for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
      limit_sink ls = {budgets[b], 0, 0, false};
      ecr_sink sink = {limit_write, &ls};
      ecr_error_clear(&err);
      ecr_status st = all[i].render(fx.report, &opts, &sink, &err);
      if (st != ECR_E_OUTPUT)
        fail_msg("%s with a sink failing after %zu of %zu bytes returned %d", all[i].name,
                 budgets[b], full.len, (int)st);
      assert_true(ls.failed);
      assert_true(err.message[0] != '\0');
    }
    ecr_buf_cleanup(&full);
  }
  ecr_fixture_free(&fx);
}

/* ---- ecr_render_to_file under faults -------------------------------------- */
static size_t count_tmp(const char *dir) {
  size_t n = 0;
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strstr(e->d_name, ".tmp.")) n++;
  closedir(d);
  return n;
}

static void one_fault(const ecr_renderer *r, const ecr_report *report, fault_op op) {
  char *dir = ecr_test_tmpdir("faults");
  static const char old[] = "earlier report, must survive\n";
  ecr_test_write(dir, r->filename, old);
  char *path = ecr_path_join(dir, r->filename);
  ecr_render_opts opts = {0};
  ecr_error err;
  ecr_error_clear(&err);
  fault = op;
  fault_hits = 0;
  ecr_status st = ecr_render_to_file(r, report, &opts, dir, &err);
  fault = F_NONE;
  if (st != ECR_E_OUTPUT)
    fail_msg("%s: fault %d gave status %d (hits %d)", r->name, (int)op, (int)st, fault_hits);
  assert_true(fault_hits > 0);
  if (!strstr(err.file, r->filename))
    fail_msg("%s: error names '%s', not the report file", r->name, err.file);
  char line[2048];
  ecr_error_format(&err, line, sizeof(line));
  assert_null(strchr(line, '\n'));
  char *now = ecr_test_slurp(path);
  if (strcmp(now, old) != 0) fail_msg("%s: fault %d changed the earlier report", r->name, (int)op);
  free(now);
  if (count_tmp(dir) != 0) fail_msg("%s: fault %d left a temporary file", r->name, (int)op);
  /* and without the fault the same call replaces the file */
  ecr_error_clear(&err);
  assert_int_equal(ecr_render_to_file(r, report, &opts, dir, &err), ECR_OK);
  now = ecr_test_slurp(path);
  assert_string_not_equal(now, old);
  free(now);
  assert_int_equal(count_tmp(dir), 0);
  free(path);
  ecr_test_rmrf(dir);
  free(dir);
}

static void render_to_file_faults(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  size_t n = 0;
  const ecr_renderer *all = ecr_renderers(&n);
  const fault_op ops[] = {F_FWRITE, F_FFLUSH, F_FSYNC, F_RENAME};
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) one_fault(&all[i], fx.report, ops[k]);
  ecr_fixture_free(&fx);
}

static void unwritable_directory(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  char *dir = ecr_test_tmpdir("faults-unwritable");
  /* "dir/missing" does not exist and "dir/file" is not a directory: neither
     can hold a report, whoever runs the test (root ignores chmod) */
  ecr_test_write(dir, "file", "x");
  char *missing = ecr_path_join(dir, "missing");
  char *file = ecr_path_join(dir, "file");
  const char *targets[] = {missing, file};
  size_t n = 0;
  const ecr_renderer *all = ecr_renderers(&n);
  for (size_t t = 0; t < 2; t++) {
    ecr_error err;
    ecr_error_clear(&err);
    ecr_render_opts opts = {0};
    assert_int_equal(ecr_render_to_file(&all[0], fx.report, &opts, targets[t], &err), ECR_E_OUTPUT);
    assert_non_null(strstr(err.file, all[0].filename));
  }
  assert_int_equal(count_tmp(dir), 0);
  char *content = ecr_test_slurp(file);
  assert_string_equal(content, "x");
  free(content);
  free(missing);
  free(file);
  ecr_test_rmrf(dir);
  free(dir);
  ecr_fixture_free(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(renderers_report_sink_failure),
      cmocka_unit_test(render_to_file_faults),
      cmocka_unit_test(unwritable_directory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
