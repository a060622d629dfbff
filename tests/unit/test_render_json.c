/* findings.json: render the hand-built fixture, parse it back with cJSON and
 * check every contract key, type and count; hostile strings round-trip;
 * invalid UTF-8 becomes U+FFFD; output is byte-identical across runs.
 *
 * With ECR_JSON_OUT=DIR set, also writes DIR/fixture.json and
 * DIR/fixture-hostile.json for tests/cli/test_findings_schema.sh. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/render.h"
#include "fixture.h"
#include "util/util.h"

static char *render(const ecr_report *r, size_t *len) {
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_sink sink = {ecr_sink_buf_write, &b};
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = ecr_render_json(r, NULL, &sink, &err);
  if (st != ECR_OK) fail_msg("render failed: %s", err.message);
  if (len) *len = b.len;
  return ecr_buf_steal(&b);
}

static const cJSON *get(const cJSON *obj, const char *key) {
  assert_true(cJSON_IsObject(obj));
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v) fail_msg("missing key \"%s\"", key);
  return v;
}

static const char *gets(const cJSON *obj, const char *key) {
  const cJSON *v = get(obj, key);
  if (!cJSON_IsString(v)) fail_msg("\"%s\" is not a string", key);
  return v->valuestring;
}

static double getn(const cJSON *obj, const char *key) {
  const cJSON *v = get(obj, key);
  if (!cJSON_IsNumber(v)) fail_msg("\"%s\" is not a number", key);
  return v->valuedouble;
}

static void assert_keys(const cJSON *obj, const char *const *keys, size_t n) {
  /* the contract's keys come first, in the contract's order */
  const cJSON *c = obj->child;
  for (size_t i = 0; i < n; i++, c = c->next) {
    if (!c) fail_msg("missing key \"%s\"", keys[i]);
    if (strcmp(c->string, keys[i]) != 0)
      fail_msg("key %zu is \"%s\", expected \"%s\"", i, c->string, keys[i]);
  }
}

static void assert_str_array(const cJSON *arr, char *const *expect, size_t n) {
  assert_true(cJSON_IsArray(arr));
  assert_int_equal(cJSON_GetArraySize(arr), n);
  size_t i = 0;
  for (const cJSON *c = arr->child; c; c = c->next, i++) {
    assert_true(cJSON_IsString(c));
    assert_string_equal(c->valuestring, expect[i]);
  }
}

static void assert_nullable_str(const cJSON *obj, const char *key, const char *expect) {
  const cJSON *v = get(obj, key);
  if (!expect) {
    assert_true(cJSON_IsNull(v));
  } else {
    assert_true(cJSON_IsString(v));
    assert_string_equal(v->valuestring, expect);
  }
}

/* An addition that is absent when NULL. */
static void optional_str(const cJSON *obj, const char *key, const char *expect) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!expect) {
    if (v) fail_msg("\"%s\" should be left out when null", key);
  } else {
    assert_true(cJSON_IsString(v));
    assert_string_equal(v->valuestring, expect);
  }
}

/* Every contract key, type and value against the model. */
static void check_document(const ecr_report *r, const char *text) {
  cJSON *doc = cJSON_Parse(text);
  assert_non_null(doc);
  static const char *const top[] = {"schema",   "control",    "account",         "generated_at",
                                    "as_of",    "summary",    "repository_sets", "findings",
                                    "coverage", "exceptions", "evidence"};
  assert_keys(doc, top, sizeof(top) / sizeof(top[0]));
  assert_string_equal(gets(doc, "schema"), "ecraudit.findings/v2");
  /* every set once, in model order, with its flag and repositories */
  const cJSON *sets = get(doc, "repository_sets");
  assert_true(cJSON_IsObject(sets));
  assert_int_equal(cJSON_GetArraySize(sets), r->n_repo_sets);
  size_t si = 0;
  for (const cJSON *sj = sets->child; sj; sj = sj->next, si++) {
    const ecr_repo_set *rs = &r->repo_sets[si];
    assert_string_equal(sj->string, rs->key);
    static const char *const skeys2[] = {"all", "repositories"};
    assert_keys(sj, skeys2, 2);
    assert_int_equal(cJSON_IsTrue(get(sj, "all")), rs->all);
    assert_str_array(get(sj, "repositories"), rs->repositories, rs->n);
  }
  const cJSON *control = get(doc, "control");
  assert_string_equal(gets(control, "id"), r->control_id);
  assert_string_equal(gets(control, "name"), r->control_name);
  assert_string_equal(gets(doc, "account"), r->account);
  assert_string_equal(gets(doc, "generated_at"), r->generated_at);
  assert_string_equal(gets(doc, "as_of"), r->as_of);

  const cJSON *summary = get(doc, "summary");
  static const char *const skeys[] = {"fail", "excepted", "unknown", "pass"};
  assert_keys(summary, skeys, 4);
  assert_int_equal((size_t)getn(summary, "fail"), r->by_status[ECR_CHECK_FAIL]);
  assert_int_equal((size_t)getn(summary, "excepted"), r->by_status[ECR_CHECK_EXCEPTED]);
  assert_int_equal((size_t)getn(summary, "unknown"), r->by_status[ECR_CHECK_UNKNOWN]);
  assert_int_equal((size_t)getn(summary, "pass"), r->by_status[ECR_CHECK_PASS]);

  const cJSON *findings = get(doc, "findings");
  assert_true(cJSON_IsArray(findings));
  assert_int_equal(cJSON_GetArraySize(findings), r->n_findings);
  size_t counted[ECR_CHECK_COUNT] = {0};
  size_t i = 0;
  for (const cJSON *fj = findings->child; fj; fj = fj->next, i++) {
    const ecr_finding *f = &r->findings[i];
    static const char *const fkeys[] = {"id",
                                        "status",
                                        "severity",
                                        "principal",
                                        "repository_set",
                                        "repository_count",
                                        "all_repositories",
                                        "access_level",
                                        "actions",
                                        "decision",
                                        "undecided_conditions",
                                        "via",
                                        "impact",
                                        "remediation",
                                        "exception"};
    assert_keys(fj, fkeys, sizeof(fkeys) / sizeof(fkeys[0]));
    assert_string_equal(gets(fj, "id"), f->id);
    const char *status = gets(fj, "status");
    assert_string_equal(status, ecr_check_status_name(f->status));
    for (int s = 0; s < ECR_CHECK_COUNT; s++)
      if (strcmp(status, ecr_check_status_name((ecr_check_status)s)) == 0) counted[s]++;
    assert_string_equal(gets(fj, "severity"), ecr_severity_name(f->severity));
    const cJSON *p = get(fj, "principal");
    assert_string_equal(gets(p, "arn"), f->principal);
    assert_string_equal(gets(p, "kind"), ecr_principal_kind_name(f->principal_kind));
    assert_string_equal(gets(fj, "repository_set"), r->repo_sets[f->repo_set].key);
    assert_int_equal((size_t)getn(fj, "repository_count"), f->n_repositories);
    assert_str_array(get(get(sets, gets(fj, "repository_set")), "repositories"), f->repositories,
                     f->n_repositories);
    assert_str_array(get(fj, "undecided_conditions"), f->undecided_conditions, f->n_undecided);
    const cJSON *all = get(fj, "all_repositories");
    assert_true(cJSON_IsBool(all));
    assert_int_equal(cJSON_IsTrue(all), f->all_repositories);
    assert_string_equal(gets(fj, "access_level"), ecr_access_level_name(f->access_level));
    assert_str_array(get(fj, "actions"), f->actions, f->n_actions);
    assert_string_equal(gets(fj, "decision"), ecr_decision_name(f->decision));
    const cJSON *via = get(fj, "via");
    assert_true(cJSON_IsArray(via));
    size_t k = 0;
    for (const cJSON *vj = via->child; vj; vj = vj->next, k++) {
      /* boundary and SCP statements are listed under "limited_by" instead */
      while (k < f->n_via &&
             (f->via[k].source == ECR_SRC_BOUNDARY || f->via[k].source == ECR_SRC_SCP))
        k++;
      assert_true(k < f->n_via);
      static const char *const vkeys[] = {"policy", "statement", "source"};
      assert_keys(vj, vkeys, 3);
      assert_string_equal(gets(vj, "policy"), f->via[k].policy);
      assert_string_equal(gets(vj, "statement"), f->via[k].statement);
      assert_string_equal(gets(vj, "source"), ecr_source_name(f->via[k].source));
      /* additions with their default value are left out */
      assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(vj, "deny")), f->via[k].deny);
      assert_int_equal(cJSON_GetObjectItemCaseSensitive(vj, "deny") != NULL, f->via[k].deny);
      assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(vj, "conditional")),
                       f->via[k].conditional);
      assert_int_equal(cJSON_GetObjectItemCaseSensitive(vj, "conditional") != NULL,
                       f->via[k].conditional);
      optional_str(vj, "owner", f->via[k].owner);
    }
    while (k < f->n_via &&
           (f->via[k].source == ECR_SRC_BOUNDARY || f->via[k].source == ECR_SRC_SCP))
      k++;
    assert_int_equal(k, f->n_via);
    assert_string_equal(gets(fj, "impact"), f->impact);
    assert_string_equal(gets(fj, "remediation"), f->remediation);
    const cJSON *ex = get(fj, "exception");
    if (!f->exception) {
      assert_true(cJSON_IsNull(ex));
    } else {
      static const char *const ekeys[] = {"id",          "state", "expires", "justification",
                                          "approved_by", "ticket"};
      assert_keys(ex, ekeys, 6);
      assert_string_equal(gets(ex, "id"), f->exception->id);
      assert_string_equal(gets(ex, "state"), ecr_ledger_state_name(f->exception->state));
      assert_nullable_str(ex, "expires", f->exception->expires);
      assert_nullable_str(ex, "justification", f->exception->justification);
      assert_nullable_str(ex, "approved_by", f->exception->approved_by);
      assert_nullable_str(ex, "ticket", f->exception->ticket);
    }
    assert_int_equal(cJSON_IsTrue(get(fj, "can_push")), f->can_push);
    optional_str(fj, "status_reason", f->status_reason);
    optional_str(fj, "suggested_statement", f->suggested_statement);
  }
  for (int s = 0; s < ECR_CHECK_COUNT; s++) assert_int_equal(counted[s], r->by_status[s]);

  assert_str_array(get(doc, "coverage"), r->coverage, r->n_coverage);

  const cJSON *exceptions = get(doc, "exceptions");
  assert_true(cJSON_IsArray(exceptions));
  assert_int_equal(cJSON_GetArraySize(exceptions), r->n_ledger);
  i = 0;
  for (const cJSON *ej = exceptions->child; ej; ej = ej->next, i++) {
    const ecr_ledger_entry *e = &r->ledger[i];
    static const char *const ekeys[] = {"id", "state"};
    assert_keys(ej, ekeys, 2);
    assert_string_equal(gets(ej, "id"), e->id);
    assert_string_equal(gets(ej, "state"), ecr_ledger_state_name(e->state));
    assert_nullable_str(ej, "justification", e->justification);
    assert_nullable_str(ej, "reason", e->reason);
    assert_str_array(get(ej, "actions"), e->actions, e->n_actions);
    assert_int_equal((size_t)getn(ej, "matched"), e->matched);
  }

  const cJSON *evidence = get(doc, "evidence");
  static const char *const evkeys[] = {"files", "gaps"};
  assert_keys(evidence, evkeys, 2);
  const cJSON *files = get(evidence, "files");
  assert_int_equal(cJSON_GetArraySize(files), r->n_files);
  i = 0;
  for (const cJSON *fj = files->child; fj; fj = fj->next, i++) {
    static const char *const fkeys[] = {"path", "sha256"};
    assert_keys(fj, fkeys, 2);
    assert_string_equal(gets(fj, "path"), r->files[i].path);
    assert_string_equal(gets(fj, "sha256"), r->files[i].sha256);
  }
  const cJSON *gaps = get(evidence, "gaps");
  assert_int_equal(cJSON_GetArraySize(gaps), r->n_gaps);
  i = 0;
  for (const cJSON *gj = gaps->child; gj; gj = gj->next, i++) {
    assert_string_equal(gets(gj, "source"), r->gaps[i].source);
    assert_string_equal(gets(gj, "resource"), r->gaps[i].resource);
    assert_string_equal(gets(gj, "error"), r->gaps[i].error);
  }

  const cJSON *ledger = get(doc, "ledger");
  if (r->ledger_path) {
    assert_string_equal(gets(ledger, "path"), r->ledger_path);
    assert_string_equal(gets(ledger, "sha256"), r->ledger_sha256);
  } else {
    assert_true(cJSON_IsNull(ledger));
  }
  const cJSON *tool = get(doc, "tool");
  assert_string_equal(gets(tool, "version"), r->tool_version);
  assert_string_equal(gets(doc, "overall"), ecr_check_status_name(r->overall));
  cJSON_Delete(doc);
}

static void write_out(const char *name, const char *text, size_t len) {
  const char *dir = getenv("ECR_JSON_OUT");
  if (!dir || !*dir) return;
  char *path = ecr_path_join(dir, name);
  ecr_error err;
  ecr_error_clear(&err);
  if (ecr_atomic_write_file(path, text, len, &err) != ECR_OK) fail_msg("%s", err.message);
  free(path);
}

static void plain_fixture(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  size_t len = 0;
  char *text = render(fx.report, &len);
  assert_int_equal(strlen(text), len);
  check_document(fx.report, text);
  write_out("fixture.json", text, len);
  /* layout: 2-space indent, no tabs, trailing newline */
  assert_true(ecr_str_has_prefix(text, "{\n  \"schema\": \"ecraudit.findings/v2\",\n  "
                                       "\"control\": {\n    \"id\": \"C-0222\",\n"));
  assert_null(strchr(text, '\t'));
  assert_true(len > 2 && text[len - 2] == '}' && text[len - 1] == '\n');
  assert_non_null(strstr(text, "\n  \"summary\": {\n    \"fail\": 6,\n    \"excepted\": 1,\n"
                               "    \"unknown\": 1,\n    \"pass\": 1\n  },\n"));
  assert_non_null(strstr(text, "\"exception\":null,")); /* a finding is one compact line */
  free(text);
  ecr_fixture_free(&fx);
}

static void hostile_fixture_round_trips(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(true, 3);
  size_t len = 0;
  char *text = render(fx.report, &len);
  assert_true(ecr_utf8_valid(text, len));
  check_document(fx.report, text); /* every string compared byte for byte */
  write_out("fixture-hostile.json", text, len);
  /* control characters are escaped, never raw */
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    assert_true(c >= 0x20 || c == '\n');
  }
  assert_non_null(strstr(text, "\\u0001\\u001f"));
  assert_non_null(strstr(text, "\\\"quoted\\\""));
  /* the hostile string itself, parsed back, equals the original */
  cJSON *doc = cJSON_Parse(text);
  const cJSON *f0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0);
  const char *impact = cJSON_GetObjectItem(f0, "impact")->valuestring;
  assert_non_null(strstr(impact, ECR_FIXTURE_HOSTILE));
  cJSON_Delete(doc);
  free(text);
  ecr_fixture_free(&fx);
}

static void invalid_utf8_becomes_replacement(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_finding *f = &fx.report->findings[0];
  free(f->impact);
  /* stray continuation, truncated 2-byte, overlong '/', surrogate, > U+10FFFF, then valid */
  f->impact = ecr_xstrdup("a\x80 b\xc3 c\xc0\xaf d\xed\xa0\x80 e\xf4\x90\x80\x80 \xc3\xa9");
  free(fx.report->account);
  fx.report->account = ecr_xstrdup("\xff");
  char *text = render(fx.report, NULL);
  assert_true(ecr_utf8_valid(text, strlen(text)));
  cJSON *doc = cJSON_Parse(text);
  assert_non_null(doc);
  assert_string_equal(cJSON_GetObjectItem(doc, "account")->valuestring, "\xef\xbf\xbd");
  const cJSON *f0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0);
  assert_string_equal(cJSON_GetObjectItem(f0, "impact")->valuestring,
                      "a\xef\xbf\xbd b\xef\xbf\xbd c\xef\xbf\xbd\xef\xbf\xbd d"
                      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                      "\xef\xbf\xbd \xc3\xa9");
  cJSON_Delete(doc);
  free(text);
  ecr_fixture_free(&fx);
}

static void deterministic(void **state) {
  (void)state;
  ecr_fixture a = ecr_fixture_make(true, 5), b = ecr_fixture_make(true, 5);
  size_t la = 0, lb = 0, lc = 0;
  char *ta = render(a.report, &la);
  char *tb = render(b.report, &lb);
  char *tc = render(a.report, &lc);
  assert_int_equal(la, lb);
  assert_memory_equal(ta, tb, la);
  assert_int_equal(la, lc);
  assert_memory_equal(ta, tc, la);
  free(ta);
  free(tb);
  free(tc);
  ecr_fixture_free(&a);
  ecr_fixture_free(&b);
}

static void limits_and_nulls(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_report *r = fx.report;
  /* a boundary statement is not one of the contract's via sources */
  ecr_finding *f = &r->findings[1];
  f->via[1].source = ECR_SRC_BOUNDARY;
  free(f->impact);
  f->impact = NULL; /* contract type is string: rendered as "" */
  free(r->ledger_path);
  r->ledger_path = NULL;
  char *text = render(r, NULL);
  cJSON *doc = cJSON_Parse(text);
  const cJSON *fj = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 1);
  const cJSON *via = cJSON_GetObjectItem(fj, "via");
  assert_int_equal(cJSON_GetArraySize(via), 1);
  assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(via, 0), "source")->valuestring,
                      "identity");
  const cJSON *lim = cJSON_GetObjectItem(fj, "limited_by");
  assert_int_equal(cJSON_GetArraySize(lim), 1);
  assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(lim, 0), "source")->valuestring,
                      "boundary");
  assert_string_equal(cJSON_GetObjectItem(fj, "impact")->valuestring, "");
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "ledger")));
  cJSON_Delete(doc);
  free(text);
  ecr_fixture_free(&fx);
}

static void empty_report(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_report *r = fx.report;
  /* hide everything from the renderer (the fixture still frees it) */
  size_t nf = r->n_findings, nl = r->n_ledger, nc = r->n_coverage, nfi = r->n_files, ng = r->n_gaps,
         by[ECR_CHECK_COUNT];
  memcpy(by, r->by_status, sizeof(by));
  r->n_findings = r->n_ledger = r->n_coverage = r->n_files = r->n_gaps = 0;
  memset(r->by_status, 0, sizeof(r->by_status));
  char *text = render(r, NULL);
  check_document(r, text);
  assert_non_null(strstr(text, "\"findings\": [],\n"));
  assert_non_null(strstr(text, "\"gaps\": []\n"));
  free(text);
  r->n_findings = nf;
  r->n_ledger = nl;
  r->n_coverage = nc;
  r->n_files = nfi;
  r->n_gaps = ng;
  memcpy(r->by_status, by, sizeof(by));
  ecr_fixture_free(&fx);
}

static int failing_write(void *ctx, const void *data, size_t len) {
  (void)ctx;
  (void)data;
  (void)len;
  return -1;
}

static void write_failure_is_output_error(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_sink sink = {failing_write, NULL};
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_render_json(fx.report, NULL, &sink, &err), ECR_E_OUTPUT);
  assert_int_equal(err.code, ECR_E_OUTPUT);

  /* through the registry into a directory: a missing directory leaves nothing */
  const ecr_renderer *r = ecr_renderer_find("json");
  assert_non_null(r);
  assert_string_equal(r->filename, "findings.json");
  char *dir = ecr_test_tmpdir("render-json");
  ecr_error_clear(&err);
  assert_int_equal(ecr_render_to_file(r, fx.report, NULL, dir, &err), ECR_OK);
  char *path = ecr_path_join(dir, "findings.json");
  char *text = ecr_test_slurp(path);
  char *direct = render(fx.report, NULL);
  assert_string_equal(text, direct);
  free(direct);
  free(text);
  free(path);
  ecr_test_rmrf(dir);
  free(dir);
  ecr_fixture_free(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plain_fixture),
      cmocka_unit_test(hostile_fixture_round_trips),
      cmocka_unit_test(invalid_utf8_becomes_replacement),
      cmocka_unit_test(deterministic),
      cmocka_unit_test(limits_and_nulls),
      cmocka_unit_test(empty_report),
      cmocka_unit_test(write_failure_is_output_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
