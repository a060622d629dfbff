/* Usage evidence (issue 21): iam/service-last-accessed.json into the model
 * (src/evidence/usage.c), and ecr_report_usage on the findings
 * (src/evaluate/usage.c): absent file = nothing said, an unlisted principal
 * = untracked, the templates all embedded. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/evaluate.h"
#include "ecraudit/evidence.h"
#include "util/util.h"

#include "bundle.h"

/* clang-format off */
#define PUSH "['ecr:InitiateLayerUpload','ecr:UploadLayerPart','ecr:CompleteLayerUpload','ecr:PutImage']"
#define PUSHER(n) USER(n, ",'UserPolicyList':[" INLINE("p", ALLOW(PUSH, "'" USE1("app") "'")) "]")
#define JOB(arn, services) "{'Arn':'" arn "','JobStatus':'COMPLETED','JobType':'ACTION_LEVEL'," \
  "'JobCreationDate':'2026-11-30T12:00:00+00:00','ServicesLastAccessed':[" services "]," \
  "'JobCompletionDate':'2026-11-30T12:00:05+00:00','IsTruncated':false}"
#define ECR_USED(t) "{'ServiceName':'Amazon Elastic Container Registry','LastAuthenticated':'" t \
  "','ServiceNamespace':'ecr','TotalAuthenticatedEntities':1}"
/* clang-format on */

static char *two_users(const char *tag) {
  char *dir = bundle_new(tag);
  bundle_iam(dir, PUSHER("a") "," PUSHER("b"), "", "", "");
  bundle_repos(dir, "us-east-1", "app");
  return dir;
}

static ecr_report *report_of(const ecr_evidence *ev, long days) {
  ecr_matrix *m = NULL;
  ecr_report *r = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_matrix_eval(ev, &m, &err), ECR_OK);
  assert_int_equal(ecr_report_build(ev, m, NULL, "2026-12-01", &r, &err), ECR_OK);
  ecr_report_usage(r, ev, days);
  ecr_matrix_free(m);
  return r;
}

static const ecr_finding *write_finding(const ecr_report *r, const char *arn) {
  for (size_t i = 0; i < r->n_findings; i++)
    if (strcmp(r->findings[i].principal, arn) == 0 &&
        r->findings[i].access_level == ECR_LEVEL_WRITE)
      return &r->findings[i];
  fail_msg("no Write finding of %s", arn);
  return NULL;
}

static void absent_file_says_nothing(void **state) {
  (void)state;
  char *dir = two_users("usage-absent");
  ecr_evidence *ev = load_ok(dir);
  assert_false(ev->usage_present);
  assert_null(ev->usage);
  ecr_report *r = report_of(ev, 90);
  assert_false(r->usage_present);
  const ecr_finding *f = write_finding(r, USER_ARN("a"));
  assert_null(f->usage);
  assert_null(strstr(f->impact, "Access Advisor"));
  assert_null(strstr(f->remediation, "Unused access"));
  assert_null(ecr_report_usage_text(r));
  ecr_report_free(r);
  ecr_evidence_free(ev);
  ecr_test_rmrf(dir);
  free(dir);
}

static void listed_unused_and_unlisted_untracked(void **state) {
  (void)state;
  char *dir = two_users("usage-listed");
  /* a: last ECR use 2026-07-01 (153 days); b not in the file; a principal of no
     bundle is ignored */
  writeq(dir, "iam/service-last-accessed.json",
         "[" JOB(USER_ARN("a"), ECR_USED("2026-07-01T08:00:00+00:00")) "," JOB(
             USER_ARN("gone"), ECR_USED("2026-11-01T08:00:00+00:00")) "]");
  ecr_evidence *ev = load_ok(dir);
  assert_true(ev->usage_present);
  long a = ecr_evidence_find_principal(ev, USER_ARN("a"));
  long b = ecr_evidence_find_principal(ev, USER_ARN("b"));
  assert_true(ev->usage[a].known);
  assert_string_equal(ev->usage[a].last_used, "2026-07-01T08:00:00+00:00");
  assert_false(ev->usage[b].listed);
  ecr_report *r = report_of(ev, 90);
  const ecr_finding *fa = write_finding(r, USER_ARN("a"));
  assert_non_null(fa->usage);
  assert_true(fa->usage->tracked && fa->usage->unused);
  assert_int_equal(fa->usage->days, 153);
  assert_non_null(strstr(fa->remediation, "Unused access:"));
  assert_non_null(strstr(fa->remediation, "the tracking shows no use"));
  const ecr_finding *fb = write_finding(r, USER_ARN("b"));
  assert_non_null(fb->usage);
  assert_false(fb->usage->tracked);
  assert_false(fb->usage->unused);
  assert_null(strstr(fb->remediation, "Unused access"));
  assert_non_null(strstr(fb->impact, "untracked"));
  assert_int_equal(r->n_unused, 1);
  assert_int_equal(r->n_usage_untracked, 1);
  char *cover = ecr_report_usage_text(r);
  assert_non_null(cover);
  assert_non_null(strstr(cover, "1 of the 1 tracked"));
  free(cover);
  ecr_report_free(r);
  /* a threshold above the age: used */
  r = report_of(ev, 200);
  assert_false(write_finding(r, USER_ARN("a"))->usage->unused);
  assert_int_equal(r->n_unused, 0);
  ecr_report_free(r);
  ecr_evidence_free(ev);
  ecr_test_rmrf(dir);
  free(dir);
}

static void bad_shapes_are_input_errors(void **state) {
  (void)state;
  static const struct {
    const char *doc, *needle;
  } cases[] = {
      {"{}", "must be a JSON array"},
      {"[1]", "[0] must be an object"},
      {"[{'JobStatus':'COMPLETED','ServicesLastAccessed':[]}]", "Arn is missing"},
      {"[{'Arn':'" USER_ARN("a") "','JobStatus':'done'}]", "JobStatus must be"},
      {"[{'Arn':'" USER_ARN("a") "','JobStatus':'COMPLETED'}]", "ServicesLastAccessed must be"},
      {"[{'Arn':'" USER_ARN("a") "','JobStatus':'COMPLETED','ServicesLastAccessed':[{}]}]",
       "ServiceNamespace must be"},
      {"[" JOB(USER_ARN("a"), ECR_USED("2026-13-01T00:00:00+00:00")) "]", "ISO 8601"},
      {"[" JOB(USER_ARN("a"), ECR_USED("2026-07-01T08:00:00+00:00")) "," JOB(
           USER_ARN("a"), ECR_USED("2026-07-01T08:00:00+00:00")) "]",
       "listed twice"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *dir = two_users("usage-bad");
    writeq(dir, "iam/service-last-accessed.json", cases[i].doc);
    ecr_evidence *ev = NULL;
    ecr_error err;
    ecr_error_clear(&err);
    assert_int_equal(ecr_evidence_load(dir, &ev, &err), ECR_E_INPUT);
    assert_null(ev);
    assert_string_equal(err.file, "iam/service-last-accessed.json");
    if (!strstr(err.message, cases[i].needle))
      fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.message, cases[i].needle);
    ecr_test_rmrf(dir);
    free(dir);
  }
}

/* Every template src/evaluate/usage.c names ("impact/...", "remediation/...",
 * "pack/...") is embedded: a missing one would be an empty text at run time. */
static void every_template_name_is_embedded(void **state) {
  (void)state;
  FILE *fp = fopen(ECR_SOURCE_DIR "/src/evaluate/usage.c", "rb");
  assert_non_null(fp);
  ecr_buf src;
  ecr_buf_init(&src);
  char chunk[4096];
  size_t k;
  while ((k = fread(chunk, 1, sizeof(chunk), fp)) > 0) ecr_buf_append(&src, chunk, k);
  fclose(fp);
  char *text = ecr_buf_steal(&src);
  size_t names = 0;
  for (const char *p = strstr(text, "T(\""); p; p = strstr(p + 3, "T(\"")) {
    const char *end = strchr(p + 3, '"');
    assert_non_null(end);
    char *path = ecr_xasprintf("templates/text/%.*s.txt", (int)(end - p - 3), p + 3);
    if (!ecr_embedded_get(path, NULL)) fail_msg("usage.c names %s, which is not embedded", path);
    free(path);
    names++;
  }
  if (names != 7) fail_msg("found %zu template names in usage.c, want 7", names);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(absent_file_says_nothing),
      cmocka_unit_test(listed_unused_and_unlisted_untracked),
      cmocka_unit_test(bad_shapes_are_input_errors),
      cmocka_unit_test(every_template_name_is_embedded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
