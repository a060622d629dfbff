/* An account of the organisation without evidence (org_internal.h): listed
 * in organization/account-ids.txt (or recorded in organization/gaps/<id>.json
 * by collect --org / scan --org) but without a bundle or a findings.json.
 * Missing evidence is never a pass: the account enters the organisation
 * report as one findings.json of its own whose single finding is *unknown*
 * (every repository of the account, Write), with the recorded error as its
 * reason, so the organisation summary, the exit status and every format
 * show it. Wording: templates/text/org/. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/evaluate.h"
#include "org/org_internal.h"
#include "util/util.h"

static char *T(const char *name, const char *const *kv) {
  char full[64];
  snprintf(full, sizeof(full), "org/%s", name);
  return ecr_text(full, kv);
}

/* "sts:AssumeRole on arn:...: AccessDenied: ..." from a gaps/<id>.json
   document ({"account", "gaps": [{"source", "resource", "error"}]}), NULL
   when it holds none. */
static char *gap_reason(const cJSON *doc) {
  const cJSON *gaps = cJSON_GetObjectItemCaseSensitive(doc, "gaps");
  ecr_buf b;
  ecr_buf_init(&b);
  const cJSON *g;
  cJSON_ArrayForEach(g, gaps) {
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(g, "source");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(g, "resource");
    const cJSON *er = cJSON_GetObjectItemCaseSensitive(g, "error");
    ecr_buf_printf(
        &b, "%s%s%s%s: %s", b.len ? "; " : "", cJSON_IsString(src) ? src->valuestring : "?",
        cJSON_IsString(res) && res->valuestring[0] ? " on " : "",
        cJSON_IsString(res) ? res->valuestring : "", cJSON_IsString(er) ? er->valuestring : "?");
  }
  if (!b.len) {
    ecr_buf_cleanup(&b);
    return NULL;
  }
  return ecr_buf_steal(&b);
}

bool ecr_org_is_gap_doc(const char *data, size_t len, char **account, char **reason) {
  *account = *reason = NULL;
  if (len > (1u << 20)) return false; /* a gap file is small; findings.json is not one */
  cJSON *doc = cJSON_ParseWithLength(data, len);
  bool is = cJSON_IsObject(doc) && !cJSON_GetObjectItemCaseSensitive(doc, "schema") &&
            cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "account")) &&
            cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "gaps"));
  if (is) {
    *account = ecr_xstrdup(cJSON_GetObjectItemCaseSensitive(doc, "account")->valuestring);
    *reason = gap_reason(doc);
  }
  cJSON_Delete(doc);
  return is;
}

char *ecr_org_gap_reason_file(const char *org_dir, const char *account) {
  char *rel = ecr_xasprintf("organization/gaps/%s.json", account);
  char *path = ecr_path_join(org_dir, rel);
  free(rel);
  char *data = NULL;
  size_t len = 0;
  ecr_error err = {0};
  char *reason = NULL;
  if (ecr_file_read(path, &data, &len, &err) == ECR_OK) {
    cJSON *doc = cJSON_ParseWithLength(data, len);
    reason = gap_reason(doc);
    cJSON_Delete(doc);
  }
  free(data);
  free(path);
  return reason;
}

char *ecr_org_gap_document(const char *account, const char *reason, const char *as_of) {
  const char *why = reason ? reason : "no bundle and no findings.json for this account";
  cJSON *d = cJSON_CreateObject();
  cJSON_AddStringToObject(d, "schema", "ecraudit.findings/v2");
  cJSON *control = cJSON_AddObjectToObject(d, "control");
  cJSON_AddStringToObject(control, "id", ecr_control_id());
  cJSON_AddStringToObject(control, "name", ecr_control_name());
  cJSON_AddStringToObject(d, "account", account);
  char now[21];
  ecr_time_iso8601(ecr_time_now(), now);
  cJSON_AddStringToObject(d, "generated_at", now);
  cJSON_AddStringToObject(d, "as_of", as_of);
  cJSON *summary = cJSON_AddObjectToObject(d, "summary");
  cJSON_AddNumberToObject(summary, "fail", 0);
  cJSON_AddNumberToObject(summary, "excepted", 0);
  cJSON_AddNumberToObject(summary, "unknown", 1);
  cJSON_AddNumberToObject(summary, "pass", 0);
  char *every = ecr_xasprintf("arn:aws:ecr:*:%s:repository/*", account);
  cJSON *sets = cJSON_AddObjectToObject(d, "repository_sets");
  cJSON *rs = cJSON_AddObjectToObject(sets, "rs-1");
  cJSON_AddBoolToObject(rs, "all", false);
  cJSON_AddItemToObject(rs, "repositories", cJSON_CreateStringArray((const char *[]){every}, 1));
  cJSON *f = cJSON_CreateObject();
  char *key = ecr_xasprintf("%s\ncollection-gap", account);
  char hex[65];
  ecr_sha256_hex(key, strlen(key), hex);
  free(key);
  hex[16] = '\0';
  char *id = ecr_xasprintf("C0222-%s", hex);
  cJSON_AddStringToObject(f, "id", id);
  free(id);
  cJSON_AddStringToObject(f, "status", "unknown");
  cJSON_AddStringToObject(f, "severity", "medium");
  cJSON *p = cJSON_AddObjectToObject(f, "principal");
  cJSON_AddStringToObject(p, "arn", "*");
  cJSON_AddStringToObject(p, "kind", "public");
  cJSON_AddStringToObject(f, "repository_set", "rs-1");
  cJSON_AddNumberToObject(f, "repository_count", 1);
  cJSON_AddBoolToObject(f, "all_repositories", false);
  cJSON_AddStringToObject(f, "access_level", "Write");
  cJSON_AddItemToObject(f, "actions", cJSON_CreateArray());
  cJSON_AddStringToObject(f, "decision", "conditional");
  cJSON_AddItemToObject(f, "undecided_conditions", cJSON_CreateArray());
  cJSON_AddItemToObject(f, "via", cJSON_CreateArray());
  const char *kv[] = {"account", account, "reason", why, NULL};
  char *impact = T("gap-impact", kv), *remedy = T("gap-remediation", kv), *st = T("gap-status", kv);
  cJSON_AddStringToObject(f, "impact", impact);
  cJSON_AddStringToObject(f, "remediation", remedy);
  cJSON_AddNullToObject(f, "exception");
  cJSON_AddBoolToObject(f, "can_push", false);
  cJSON_AddStringToObject(f, "status_reason", st);
  cJSON *findings = cJSON_AddArrayToObject(d, "findings");
  cJSON_AddItemToArray(findings, f);
  cJSON *coverage = cJSON_AddArrayToObject(d, "coverage");
  cJSON_AddItemToArray(coverage, cJSON_CreateString(st));
  cJSON_AddArrayToObject(d, "exceptions");
  cJSON *ev = cJSON_AddObjectToObject(d, "evidence");
  cJSON_AddArrayToObject(ev, "files");
  cJSON *gaps = cJSON_AddArrayToObject(ev, "gaps");
  cJSON *g = cJSON_CreateObject();
  cJSON_AddStringToObject(g, "source", "collect");
  cJSON_AddStringToObject(g, "resource", account);
  cJSON_AddStringToObject(g, "error", why);
  cJSON_AddItemToArray(gaps, g);
  cJSON_AddStringToObject(d, "overall", "unknown");
  cJSON_AddNullToObject(d, "ledger");
  char *out = cJSON_Print(d);
  cJSON_Delete(d);
  free(impact);
  free(remedy);
  free(st);
  free(every);
  char *copy = ecr_xstrdup(out); /* ours to free with free() */
  cJSON_free(out);
  return copy;
}
