/* PDF renderer: renders the hand-built fixture (plain, hostile, large) to
 * memory; checks the document header and trailer, reproducibility under
 * SOURCE_DATE_EPOCH, font errors, write failures and the detail limit.
 *
 * With ECR_PDF_OUT=DIR it also writes DIR/{plain,hostile,large,...}.pdf and a
 * DIR/<name>.expect.json next to each (principals, finding ids, ledger ids)
 * for tests/pdf/test_pdf.sh, which checks them with qpdf and poppler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ecraudit/render.h"
#include "fixture.h"
#include "testutil.h"
#include "util/util.h"

/* memmem is a GNU extension: a portable one. */
static const void *find(const void *hay, size_t n, const char *needle, size_t m) {
  const char *h = hay;
  for (size_t i = 0; m && i + m <= n; i++)
    if (memcmp(h + i, needle, m) == 0) return h + i;
  return NULL;
}

static ecr_status render(const ecr_report *r, const ecr_render_opts *opts, ecr_buf *out,
                         ecr_error *err) {
  ecr_sink sink = {ecr_sink_buf_write, out};
  ecr_error_clear(err);
  return ecr_render_pdf(r, opts, &sink, err);
}

static void assert_pdf(const ecr_buf *b) {
  assert_true(b->len > 1000);
  assert_memory_equal(b->data, "%PDF-1.", 7);
  /* the trailer ends with %%EOF (and maybe a newline) */
  const char *tail = b->data + b->len - (b->len > 16 ? 16 : b->len);
  assert_non_null(strstr(tail, "%%EOF"));
}

static void write_expect(const char *dir, const char *name, const ecr_report *r) {
  cJSON *o = cJSON_CreateObject();
  cJSON *p = cJSON_AddArrayToObject(o, "principals");
  cJSON *ids = cJSON_AddArrayToObject(o, "finding_ids");
  cJSON *l = cJSON_AddArrayToObject(o, "ledger_ids");
  for (size_t i = 0; i < r->n_findings; i++) {
    cJSON_AddItemToArray(p, cJSON_CreateString(r->findings[i].principal));
    cJSON_AddItemToArray(ids, cJSON_CreateString(r->findings[i].id));
  }
  for (size_t i = 0; i < r->n_ledger; i++)
    cJSON_AddItemToArray(l, cJSON_CreateString(r->ledger[i].id));
  cJSON_AddStringToObject(o, "account", r->account);
  cJSON_AddNumberToObject(o, "n_findings", (double)r->n_findings);
  char *s = cJSON_Print(o);
  char *fn = ecr_xasprintf("%s.expect.json", name);
  ecr_test_write(dir, fn, s);
  free(fn);
  free(s);
  cJSON_Delete(o);
}

static void maybe_write(const char *name, const ecr_report *r, const ecr_buf *b) {
  const char *dir = getenv("ECR_PDF_OUT");
  if (!dir || !*dir) return;
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_mkdirs(dir, &err), ECR_OK);
  char *path = ecr_xasprintf("%s/%s.pdf", dir, name);
  assert_int_equal(ecr_atomic_write_file(path, b->data, b->len, &err), ECR_OK);
  free(path);
  write_expect(dir, name, r);
}

static void renders_fixture(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_error err;
  assert_int_equal(render(fx.report, NULL, &b, &err), ECR_OK);
  assert_pdf(&b);
  /* document info is written uncompressed: title and dates from the model */
  assert_non_null(find(b.data, b.len, "/CreationDate (D:20261127120000Z", 32));
  assert_non_null(find(b.data, b.len, "/Outlines", 9));
  /* no /ID (it would be random or time-based) */
  assert_null(find(b.data, b.len, "/ID [", 5));
  maybe_write("plain", fx.report, &b);
  ecr_buf_cleanup(&b);
  ecr_fixture_free(&fx);
}

static void renders_hostile(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(true, 3);
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_error err;
  assert_int_equal(render(fx.report, NULL, &b, &err), ECR_OK);
  assert_pdf(&b);
  maybe_write("hostile", fx.report, &b);
  ecr_buf_cleanup(&b);
  ecr_fixture_free(&fx);
}

static void renders_large(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 1000);
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_error err;
  assert_int_equal(render(fx.report, NULL, &b, &err), ECR_OK);
  assert_pdf(&b);
  maybe_write("large", fx.report, &b);
  ecr_buf_cleanup(&b);
  ecr_fixture_free(&fx);
}

/* Same model, same bytes: twice from one model and once from a model built
 * again, with SOURCE_DATE_EPOCH set. */
static void reproducible(void **state) {
  (void)state;
  setenv("SOURCE_DATE_EPOCH", "1795780800", 1);
  ecr_fixture a = ecr_fixture_make(true, 20);
  ecr_fixture b = ecr_fixture_make(true, 20);
  ecr_buf b1, b2, b3;
  ecr_buf_init(&b1);
  ecr_buf_init(&b2);
  ecr_buf_init(&b3);
  ecr_error err;
  assert_int_equal(render(a.report, NULL, &b1, &err), ECR_OK);
  assert_int_equal(render(a.report, NULL, &b2, &err), ECR_OK);
  assert_int_equal(render(b.report, NULL, &b3, &err), ECR_OK);
  assert_int_equal(b1.len, b2.len);
  assert_memory_equal(b1.data, b2.data, b1.len);
  assert_int_equal(b1.len, b3.len);
  assert_memory_equal(b1.data, b3.data, b1.len);
  /* and the model, not the clock, decides the dates */
  free(a.report->generated_at);
  a.report->generated_at = ecr_xstrdup("2030-01-02T03:04:05Z");
  ecr_buf_reset(&b2);
  assert_int_equal(render(a.report, NULL, &b2, &err), ECR_OK);
  assert_non_null(find(b2.data, b2.len, "D:20300102030405Z", 17));
  unsetenv("SOURCE_DATE_EPOCH");
  ecr_buf_cleanup(&b1);
  ecr_buf_cleanup(&b2);
  ecr_buf_cleanup(&b3);
  ecr_fixture_free(&a);
  ecr_fixture_free(&b);
}

static void missing_font_is_input_error(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_error err;
  ecr_render_opts opts = {0};
  opts.font_path = "/nonexistent/fonts/NoSuchSans.ttf";
  assert_int_equal(render(fx.report, &opts, &b, &err), ECR_E_INPUT);
  assert_string_equal(err.file, "/nonexistent/fonts/NoSuchSans.ttf");
  assert_int_equal(b.len, 0);

  opts.font_path = NULL;
  opts.font_mono_path = "/nonexistent/fonts/NoSuchMono.ttf";
  assert_int_equal(render(fx.report, &opts, &b, &err), ECR_E_INPUT);
  assert_string_equal(err.file, "/nonexistent/fonts/NoSuchMono.ttf");

  /* a file that is not a TrueType font */
  char *dir = ecr_test_tmpdir("pdf-font");
  ecr_test_write(dir, "Broken.ttf", "this is not a font");
  char *bad = ecr_path_join(dir, "Broken.ttf");
  opts.font_mono_path = NULL;
  opts.font_path = bad;
  assert_int_equal(render(fx.report, &opts, &b, &err), ECR_E_INPUT);
  assert_string_equal(err.file, bad);
  assert_int_equal(b.len, 0);
  free(bad);
  ecr_test_rmrf(dir);
  free(dir);
  ecr_buf_cleanup(&b);
  ecr_fixture_free(&fx);
}

/* Explicit font paths (the DejaVu files themselves) work. */
static void explicit_font_paths(void **state) {
  (void)state;
  const char *reg = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  const char *mono = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
  if (!ecr_file_exists(reg) || !ecr_file_exists(mono)) skip();
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_error err;
  ecr_render_opts opts = {.font_path = reg, .font_mono_path = mono};
  assert_int_equal(render(fx.report, &opts, &b, &err), ECR_OK);
  assert_pdf(&b);
  ecr_buf_cleanup(&b);
  ecr_fixture_free(&fx);
}

static int failing_write(void *ctx, const void *data, size_t len) {
  size_t *budget = ctx;
  (void)data;
  if (len > *budget) return -1;
  *budget -= len;
  return 0;
}

static void write_failure_is_output_error(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  size_t budget = 100;
  ecr_sink sink = {failing_write, &budget};
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_render_pdf(fx.report, NULL, &sink, &err), ECR_E_OUTPUT);
  ecr_fixture_free(&fx);
}

/* A small detail limit summarizes: the document gets much smaller than with
 * every detail block, and still renders every table row. */
static void detail_limit_summarizes(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 300);
  ecr_buf full, small;
  ecr_buf_init(&full);
  ecr_buf_init(&small);
  ecr_error err;
  ecr_render_opts opts = {0};
  assert_int_equal(render(fx.report, &opts, &full, &err), ECR_OK);
  opts.detail_limit = 5;
  assert_int_equal(render(fx.report, &opts, &small, &err), ECR_OK);
  assert_pdf(&small);
  assert_true(small.len * 2 < full.len);
  maybe_write("limited", fx.report, &small);
  ecr_buf_cleanup(&full);
  ecr_buf_cleanup(&small);
  ecr_fixture_free(&fx);
}

/* A compliant account with nothing to report, no ledger, no manifest. */
static void renders_empty(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_report saved = *fx.report;
  ecr_report *r = fx.report;
  r->n_findings = 0;
  r->n_repo_views = 0;
  r->n_principal_views = 0;
  r->ledger_path = NULL;
  r->n_ledger = 0;
  r->n_coverage = 0;
  r->n_files = 0;
  r->n_gaps = 0;
  r->caller_arn = NULL;
  r->evidence_time = NULL;
  r->n_regions = 0;
  memset(r->by_status, 0, sizeof(r->by_status));
  memset(r->by_severity, 0, sizeof(r->by_severity));
  memset(r->by_status_severity, 0, sizeof(r->by_status_severity));
  r->overall = ECR_CHECK_PASS;
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_error err;
  assert_int_equal(render(r, NULL, &b, &err), ECR_OK);
  assert_pdf(&b);
  maybe_write("empty", r, &b);
  *fx.report = saved;
  ecr_buf_cleanup(&b);
  ecr_fixture_free(&fx);
}

/* Pathological sizes: a 20,000-character principal without a space (a table
 * row taller than a page, split over pages), an impact note of 3,000 lines
 * and a 40,000-character JSON statement. Everything renders; the shell test
 * checks that nothing leaves the page. */
static void renders_pathological(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_finding *f = &fx.report->findings[2];
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_buf_puts(&b, "arn:aws:iam::111122223333:role/");
  for (int i = 0; i < 20000; i++) ecr_buf_putc(&b, (char)('a' + i % 26));
  free(f->principal);
  f->principal = ecr_buf_steal(&b);
  for (int i = 0; i < 3000; i++) ecr_buf_printf(&b, "impact line %d\n", i);
  free(f->impact);
  f->impact = ecr_buf_steal(&b);
  ecr_buf_puts(&b, "{\"Resource\":[");
  for (int i = 0; i < 1000; i++)
    ecr_buf_printf(&b, "%s\"arn:aws:ecr:us-east-1:111122223333:repository/r%04d\"", i ? "," : "",
                   i);
  ecr_buf_puts(&b, "]}");
  free(f->suggested_statement);
  f->suggested_statement = ecr_buf_steal(&b);
  ecr_error err;
  assert_int_equal(render(fx.report, NULL, &b, &err), ECR_OK);
  assert_pdf(&b);
  maybe_write("pathological", fx.report, &b);
  ecr_buf_cleanup(&b);
  ecr_fixture_free(&fx);
}

/* ECRAUDIT_FONT_DIR is searched before the system directories: a directory
 * whose "DejaVuSans.ttf" is really DejaVu Serif gives a PDF in Serif. */
static void font_dir_from_environment(void **state) {
  (void)state;
  const char *serif = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";
  if (!ecr_file_exists(serif)) skip();
  char *dir = ecr_test_tmpdir("pdf-fontdir");
  char *link = ecr_path_join(dir, "DejaVuSans.ttf");
  assert_int_equal(symlink(serif, link), 0);
  setenv("ECRAUDIT_FONT_DIR", dir, 1);
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_error err;
  assert_int_equal(render(fx.report, NULL, &b, &err), ECR_OK);
  unsetenv("ECRAUDIT_FONT_DIR");
  assert_non_null(find(b.data, b.len, "+DejaVuSerif,", 13));
  assert_non_null(find(b.data, b.len, "+DejaVuSansMono,", 16));
  ecr_buf_reset(&b);
  assert_int_equal(render(fx.report, NULL, &b, &err), ECR_OK);
  assert_null(find(b.data, b.len, "+DejaVuSerif,", 13));
  ecr_buf_cleanup(&b);
  ecr_fixture_free(&fx);
  ecr_test_rmrf(dir);
  free(link);
  free(dir);
}

/* Pages in a PDF: page objects ("/Type /Page" not followed by "s"; libharu
 * writes no object streams, so every page dictionary is plain text). */
static size_t count_pages(const ecr_buf *b) {
  size_t n = 0;
  const char *p = b->data, *end = b->data + b->len;
  while ((p = find(p, (size_t)(end - p), "/Type /Page", 11)) != NULL) {
    p += 11;
    if (p < end && *p != 's') n++;
  }
  return n;
}

static void recount(ecr_report *r) {
  memset(r->by_status, 0, sizeof(r->by_status));
  memset(r->by_severity, 0, sizeof(r->by_severity));
  memset(r->by_status_severity, 0, sizeof(r->by_status_severity));
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    r->by_status[f->status]++;
    if (f->status != ECR_CHECK_PASS) r->by_severity[f->severity]++;
    r->by_status_severity[f->status][f->severity]++;
  }
}

/* Strings added to the fixture: the model owns them through name_pool. */
typedef struct strvec {
  char **v;
  size_t n, cap;
} strvec;

/* A finding's repositories: n generated ARNs (borrowed from the pool, like
 * the model's). */
static void set_repos(ecr_report *r, ecr_finding *f, size_t n, bool all, strvec *pool) {
  ecr_repo_set *rs = &r->repo_sets[f->repo_set]; /* the fixture's own set of f */
  free(rs->repositories);                        /* the strings belong to name_pool */
  rs->repositories = f->repositories = ecr_xcalloc(n, sizeof(char *));
  rs->n = n;
  rs->all = all;
  for (size_t i = 0; i < n; i++) {
    char *arn = ecr_xasprintf("arn:aws:ecr:us-east-1:111122223333:repository/svc-%04zu/app", i);
    ECR_PUSH(pool->v, pool->n, pool->cap, arn);
    f->repositories[i] = arn;
  }
  f->n_repositories = n;
  f->all_repositories = all;
}

static void pool_append(ecr_report *r, strvec *pool) {
  r->name_pool = realloc(r->name_pool, (r->n_name_pool + pool->n + 1) * sizeof(char *));
  assert_non_null(r->name_pool);
  memcpy(r->name_pool + r->n_name_pool, pool->v, pool->n * sizeof(char *));
  r->n_name_pool += pool->n;
  free(pool->v);
  memset(pool, 0, sizeof(*pool));
}

#define SCALE_EXTRA 10000
#define SCALE_FAIL 1600
#define SCALE_REPOS 40

/* An account at scale (issue 9): 10,009 findings, 1,600 + 7 failed and the
 * rest passing (Read by the account's own principals), a grant on every one
 * of 2,000 repositories, one on 500 named repositories, 40 repository views
 * with principals that can push everywhere. */
static ecr_fixture scale_fixture(void) {
  ecr_fixture fx = ecr_fixture_make(false, SCALE_EXTRA);
  ecr_report *r = fx.report;
  strvec pool = {0};
  for (size_t i = 9 + SCALE_FAIL; i < r->n_findings; i++) {
    ecr_finding *f = &r->findings[i];
    f->status = ECR_CHECK_PASS;
    f->severity = ECR_SEV_INFO;
    f->access_level = (i % 5) ? ECR_LEVEL_READ : ECR_LEVEL_LIST;
    f->can_push = false;
    f->exception = NULL;
    if (i % 7 == 0) set_repos(r, f, 1, true, &pool);
  }
  set_repos(r, &r->findings[10], 2000, true, &pool);
  set_repos(r, &r->findings[11], 500, false, &pool);
  r->n_repositories = 2000;
  recount(r);

  /* 40 repository views: "*" and alice can push to every one, a role of
   * its own to each */
  for (size_t i = 0; i < r->n_repo_views; i++) {
    ecr_repo_view *v = &r->repositories[i];
    free(v->arn);
    free(v->name);
    free(v->region);
    free(v->gap_error);
    free(v->push);
    free(v->delete_);
    free(v->permissions);
    free(v->tag);
  }
  free(r->repositories);
  for (size_t i = 0; i < SCALE_REPOS; i++)
    ECR_PUSH(pool.v, pool.n, pool.cap,
             ecr_xasprintf("arn:aws:iam::111122223333:role/svc-%04zu-ci", i));
  size_t pool0 = r->n_name_pool + pool.n - SCALE_REPOS;
  pool_append(r, &pool);
  r->n_repo_views = SCALE_REPOS;
  r->repositories = ecr_xcalloc(SCALE_REPOS, sizeof(ecr_repo_view));
  for (size_t i = 0; i < SCALE_REPOS; i++) {
    ecr_repo_view *v = &r->repositories[i];
    v->arn = ecr_xasprintf("arn:aws:ecr:us-east-1:111122223333:repository/svc-%04zu/app", i);
    v->name = ecr_xasprintf("svc-%04zu/app", i);
    v->region = ecr_xstrdup("us-east-1");
    v->n_push = 3;
    v->push = ecr_xcalloc(3, sizeof(ecr_repo_access));
    v->push[0] = (ecr_repo_access){r->name_pool[0], ECR_DECISION_ALLOW, false};
    v->push[1] = (ecr_repo_access){r->name_pool[pool0 + i], ECR_DECISION_ALLOW, false};
    v->push[2] = (ecr_repo_access){r->name_pool[2], ECR_DECISION_CONDITIONAL, false};
  }
  ecr_report_mark_everywhere(r);
  return fx;
}

/* The scale fixture renders, within a bounded page count: passing findings
 * are summarized (no detail blocks, no rows), lists are cut short. */
static void renders_scale(void **state) {
  (void)state;
  ecr_fixture fx = scale_fixture();
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_error err;
  assert_int_equal(render(fx.report, NULL, &b, &err), ECR_OK);
  assert_pdf(&b);
  size_t pages = count_pages(&b);
  /* about 0.6 page per failed detail block, 18 table rows per page */
  assert_true(pages > 500);
  assert_true(pages < 1500);
  const char *dir = getenv("ECR_PDF_OUT");
  if (dir && *dir) {
    maybe_write("scale", fx.report, &b);
    /* what the shell test looks for: every non-passing finding, the
     * summaries; the passing ones are not in the PDF */
    ecr_report *r = fx.report;
    cJSON *o = cJSON_CreateObject();
    cJSON *p = cJSON_AddArrayToObject(o, "principals");
    cJSON *ids = cJSON_AddArrayToObject(o, "finding_ids");
    cJSON *st = cJSON_AddArrayToObject(o, "strings");
    cJSON *absent = cJSON_AddArrayToObject(o, "absent");
    size_t open = 0;
    for (size_t i = 0; i < r->n_findings; i++) {
      if (r->findings[i].status == ECR_CHECK_PASS) {
        if (cJSON_GetArraySize(absent) < 50)
          cJSON_AddItemToArray(absent, cJSON_CreateString(r->findings[i].id));
        continue;
      }
      open++;
      cJSON_AddItemToArray(p, cJSON_CreateString(r->findings[i].principal));
      cJSON_AddItemToArray(ids, cJSON_CreateString(r->findings[i].id));
    }
    char *s1 = ecr_xasprintf("Passing findings (%zu), summarized", r->by_status[ECR_CHECK_PASS]);
    cJSON_AddItemToArray(st, cJSON_CreateString(s1));
    free(s1);
    cJSON_AddItemToArray(st, cJSON_CreateString("All 2000 repositories, present and future"));
    cJSON_AddItemToArray(
        st, cJSON_CreateString("\xe2\x80\xa6 and 480 more (findings.json lists all 500)"));
    cJSON_AddItemToArray(st, cJSON_CreateString("Access on every repository"));
    cJSON_AddItemToArray(st, cJSON_CreateString("Write images (2)"));
    cJSON_AddItemToArray(
        st, cJSON_CreateString("and the 2 with this access on every repository (listed above)"));
    /* a repository ARN past the first 20 of the named 500 and one of the
     * 2,000: not listed */
    cJSON_AddItemToArray(
        absent, cJSON_CreateString("arn:aws:ecr:us-east-1:111122223333:repository/svc-0499/app"));
    cJSON_AddItemToArray(
        absent, cJSON_CreateString("arn:aws:ecr:us-east-1:111122223333:repository/svc-1999/app"));
    cJSON_AddStringToObject(o, "account", r->account);
    cJSON_AddNumberToObject(o, "n_findings", (double)open);
    cJSON_AddNumberToObject(o, "pages", (double)pages);
    char *js = cJSON_Print(o);
    ecr_test_write(dir, "scale.expect.json", js);
    free(js);
    cJSON_Delete(o);
  }
  ecr_buf_cleanup(&b);
  ecr_fixture_free(&fx);
}

/* More pages than libharu's arrays hold (8,191): the page tree has
 * intermediate nodes. A note of 480,000 empty lines makes about 8,700
 * pages that hold little else. */
static void renders_many_pages(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_finding *f = &fx.report->findings[0];
  free(f->impact);
  f->impact = ecr_xmalloc(480001);
  memset(f->impact, '\n', 480000);
  f->impact[480000] = '\0';
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_error err;
  assert_int_equal(render(fx.report, NULL, &b, &err), ECR_OK);
  assert_pdf(&b);
  assert_true(count_pages(&b) > 8191);
  maybe_write("manypages", fx.report, &b);
  ecr_buf_cleanup(&b);
  ecr_fixture_free(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(renders_fixture),
      cmocka_unit_test(renders_hostile),
      cmocka_unit_test(renders_large),
      cmocka_unit_test(reproducible),
      cmocka_unit_test(missing_font_is_input_error),
      cmocka_unit_test(explicit_font_paths),
      cmocka_unit_test(write_failure_is_output_error),
      cmocka_unit_test(detail_limit_summarizes),
      cmocka_unit_test(renders_empty),
      cmocka_unit_test(renders_pathological),
      cmocka_unit_test(font_dir_from_environment),
      cmocka_unit_test(renders_scale),
      cmocka_unit_test(renders_many_pages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
