/* src/org: the JSON scanner and the organisation merger on documents in
 * memory (the CLI cases are tests/org/test_org_report.sh). */
#include <stdlib.h>
#include <string.h>

#include "ecraudit/org.h"
#include "org/org_internal.h"
#include "testutil.h"
#include "util/util.h"

/* ---- scanner ---------------------------------------------------------------- */

static bool scan_ok(const char *text, const char **why) {
  ecr_jscan s;
  ecr_jspan all = {0, strlen(text)}, v;
  ecr_jscan_init(&s, text, all);
  bool ok = ecr_jscan_value(&s, &v, 0) && ecr_jscan_at_end(&s);
  if (why) *why = s.why;
  return ok;
}

static void test_scan_valid(void **state) {
  (void)state;
  const char *good[] = {"{}",
                        "[]",
                        " {\"a\": [1, -2, 3.5e-3, true, false, null]} ",
                        "\"\\u00e9\\n\"",
                        "{\"a\":{\"b\":[[]]}}",
                        "0",
                        "-0.0"};
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) assert_true(scan_ok(good[i], NULL));
}

static void test_scan_invalid(void **state) {
  (void)state;
  const char *bad[] = {"{",       "[1,]",      "{\"a\" 1}",   "{\"a\":1,}", "01",    "1.",
                       "\"\\x\"", "\"\\u12\"", "\"\\u0000\"", "tru",        "{} {}", "\"a",
                       "{1: 2}",  "[1 2]",     "\"\x01\"",    "-",          "1e",    ""};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    const char *why = NULL;
    assert_false(scan_ok(bad[i], &why));
    assert_non_null(why);
  }
  /* depth limit */
  ecr_buf b;
  ecr_buf_init(&b);
  for (int i = 0; i < ECR_JSCAN_MAX_DEPTH + 5; i++) ecr_buf_putc(&b, '[');
  for (int i = 0; i < ECR_JSCAN_MAX_DEPTH + 5; i++) ecr_buf_putc(&b, ']');
  const char *why = NULL;
  assert_false(scan_ok(b.data, &why));
  assert_string_equal(why, "nesting too deep");
  ecr_buf_cleanup(&b);
}

typedef struct seen {
  size_t n, canonical;
} seen;

static bool count_member(void *ctx, ecr_jspan key, ecr_jspan value, bool canonical) {
  (void)key;
  (void)value;
  seen *s = ctx;
  s->n++;
  s->canonical += canonical;
  return true;
}

/* canonical: exactly as the findings.json printer writes one line */
static void test_scan_canonical(void **state) {
  (void)state;
  const char *doc = "[{\"a\":1,\"b\":\"x\\n\"}, {\"a\": 1}, {\"a\":\"\\u0041\"}, {\"a\":1.5}, "
                    "{\"a\":\"\\/\"}, {\"a\":\"\\u001f\"}, {\"a\":\"\\u001F\"}]";
  seen s = {0, 0};
  ecr_jspan all = {0, strlen(doc)};
  assert_true(ecr_jscan_each(doc, all, count_member, &s, NULL));
  assert_int_equal(s.n, 7);
  /* canonical: the first ({"a":1,"b":"x\n"}) and \u001f; not: a space, \u0041, 1.5, \/, \u001F */
  assert_int_equal(s.canonical, 2);
}

/* ---- merger ------------------------------------------------------------------ */

static char *doc_of(const char *account, const char *status, const char *extra) {
  return ecr_xasprintf(
      "{\n  \"schema\": \"ecraudit.findings/v2\",\n  \"control\": {\"id\": \"C-0222\", \"name\": "
      "\"Minimize user access to Amazon ECR\"},\n  \"account\": \"%s\",\n  \"generated_at\": "
      "\"2026-12-01T00:00:00Z\",\n  \"as_of\": \"2026-12-01\",\n  \"summary\": {},\n  "
      "\"repository_sets\": {\n    \"rs-1\": {\"all\":true,\"repositories\":[\"arn:aws:ecr:us-east-1:%s:"
      "repository/app\"]}\n  },\n  \"findings\": [\n    {\"id\":\"C0222-%s\",\"status\":\"%s\","
      "\"severity\":\"high\",\"principal\":{\"arn\":\"arn:aws:iam::%s:user/u\",\"kind\":\"user\"},"
      "\"repository_set\":\"rs-1\",\"repository_count\":1,\"all_repositories\":true,"
      "\"access_level\":\"Write\",\"actions\":[\"ecr:PutImage\"],\"decision\":\"allow\","
      "\"undecided_conditions\":[],\"via\":[],\"impact\":\"\",\"remediation\":\"\",\"exception\":null%s}\n  ],\n  "
      "\"coverage\": [\"c\"],\n  \"exceptions\": [],\n  \"evidence\": {\"files\": [{\"path\": "
      "\"iam/x.json\", \"sha256\": \"%064d\"}], \"gaps\": []}\n}\n",
      account, account, account, status, account, extra ? extra : "", 0);
}

static void test_merge_two(void **state) {
  (void)state;
  char *dir = ecr_test_tmpdir("org-merge");
  ecr_error err;
  ecr_error_clear(&err);
  ecr_org_merge *m = NULL;
  assert_int_equal(ecr_org_merge_new(dir, &m, &err), ECR_OK);
  char *a = doc_of("111111111111", "fail", ",\"change\":\"new\"");
  char *b = doc_of("222222222222", "pass", NULL);
  assert_int_equal(ecr_org_merge_add(m, "a.json", a, strlen(a), &err), ECR_OK);
  assert_int_equal(ecr_org_merge_add(m, "b.json", b, strlen(b), &err), ECR_OK);
  /* the same account again: named, and the merge goes on unharmed */
  assert_int_equal(ecr_org_merge_add(m, "a2.json", a, strlen(a), &err), ECR_E_INPUT);
  assert_non_null(strstr(err.message, "already in the merge"));
  assert_string_equal(err.file, "a2.json");
  assert_int_equal(ecr_org_merge_finish(m, &err), ECR_OK);
  const ecr_org_summary *s = ecr_org_merge_summary(m);
  assert_int_equal(s->n_accounts, 2);
  assert_int_equal(s->by_status[ECR_CHECK_FAIL], 1);
  assert_int_equal(s->by_status[ECR_CHECK_PASS], 1);
  assert_int_equal(s->overall, ECR_CHECK_FAIL);
  assert_int_equal(ecr_org_exit_code(s, -1), 1);
  assert_int_equal(ecr_org_exit_code(s, ECR_SEV_CRITICAL), 0);
  assert_int_equal(ecr_org_exit_code(s, ECR_SEV_HIGH), 1);
  assert_int_equal(s->accounts[0].n_worst, 1);
  assert_string_equal(s->accounts[0].worst[0].principal, "arn:aws:iam::111111111111:user/u");
  char *path = ecr_path_join(dir, "findings.json");
  assert_false(ecr_file_exists(path)); /* nothing published yet */
  assert_int_equal(ecr_org_merge_publish(m, &err), ECR_OK);
  ecr_org_merge_free(m);
  char *out = ecr_test_slurp(path);
  assert_non_null(strstr(out, "\"rs-2\": {\"all\":true"));
  assert_non_null(strstr(out, "\"repository_set\":\"rs-2\""));
  assert_non_null(strstr(out, "\"account\":\"222222222222\"}"));
  assert_null(strstr(out, "\"change\""));
  assert_non_null(strstr(out, "\"path\": \"accounts/111111111111/iam/x.json\""));
  assert_non_null(strstr(out, "\"accounts\": [\n    \"111111111111\",\n    \"222222222222\"\n  ]"));
  assert_non_null(strstr(out, "\"coverage\": [\n    \"c\"\n  ]")); /* every account has it */
  free(out);
  free(path);
  free(a);
  free(b);
  ecr_test_rmrf(dir);
  free(dir);
}

static void test_merge_bad(void **state) {
  (void)state;
  char *dir = ecr_test_tmpdir("org-merge-bad");
  ecr_error err;
  const char *bad[] = {
      "{\"schema\": \"ecraudit.findings/v2\", \"schema\": \"x\"}", /* duplicate key */
      "{\"schema\": \"ecraudit.findings/v1\"}",
      "{\"schema\": \"ecraudit.findings/v2\", \"account\": \"12\"}",
      "{\"schema\": \"ecraudit.findings/v2\", \"account\": \"111111111111\", \"as_of\": "
      "\"2026-12-01\", \"repository_sets\": {}, \"findings\": [{\"id\": \"x\"}]}",
      "{\"schema\": \"ecraudit.findings/v2\", \"account\": \"111111111111\", \"as_of\": "
      "\"2026-12-01\", \"repository_sets\": {}, \"findings\": []}", /* no control, evidence */
      "[]",
      "\xff",
      "{\"schema\": \"ecraudit.findings/v2\", \"\\u0073chema\": \"x\"}", /* once unescaped */
      "{\"schema\": \"ecraudit.findings/v2\", \"x\": {\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,"
      "\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":0,\"k11\":1,\"k12\":2,"
      "\"k13\":3,\"k14\":4,\"k15\":5,\"k16\":6,\"k17\":7,\"k5\":5}}", /* a large object */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ecr_org_merge *m = NULL;
    ecr_error_clear(&err);
    assert_int_equal(ecr_org_merge_new(dir, &m, &err), ECR_OK);
    assert_int_equal(ecr_org_merge_add(m, "bad.json", bad[i], strlen(bad[i]), &err), ECR_E_INPUT);
    assert_string_equal(err.file, "bad.json");
    if (i == 0 || i >= 7) assert_non_null(strstr(err.message, "duplicate key"));
    ecr_org_merge_free(m);
  }
  /* no merge: nothing to finish; no temporary file left behind */
  ecr_org_merge *m = NULL;
  assert_int_equal(ecr_org_merge_new(dir, &m, &err), ECR_OK);
  assert_int_equal(ecr_org_merge_finish(m, &err), ECR_E_INPUT);
  ecr_org_merge_free(m);
  char *cmd = ecr_xasprintf("[ -z \"$(ls -A '%s')\" ]", dir);
  assert_int_equal(system(cmd), 0);
  free(cmd);
  ecr_test_rmrf(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scan_valid),     cmocka_unit_test(test_scan_invalid),
      cmocka_unit_test(test_scan_canonical), cmocka_unit_test(test_merge_two),
      cmocka_unit_test(test_merge_bad),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
