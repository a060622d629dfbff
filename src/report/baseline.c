/* Drift against a previous run (--baseline OLD/findings.json): each finding
 * of the report is new (its id is not in the old file), changed (same id,
 * other status or severity) or unchanged; old findings whose id the report
 * no longer has are resolved. Finding ids are stable (same input, same id),
 * so the id is the key. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/util.h"

#include "ecraudit/report.h"

#define SCHEMA "ecraudit.findings/v2"

const char *ecr_change_name(ecr_change c) {
  static const char *const names[] = {"", "new", "changed", "unchanged"};
  return (unsigned)c <= ECR_CHANGE_UNCHANGED ? names[c] : "";
}

static const char *str_of(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

typedef struct old_finding {
  const char *id, *status, *severity, *principal, *level;
  bool seen;
} old_finding;

static int old_cmp(const void *a, const void *b) {
  return strcmp(((const old_finding *)a)->id, ((const old_finding *)b)->id);
}

static ecr_status not_findings(ecr_error *err, const char *path, const char *why) {
  return ecr_error_set(err, ECR_E_INPUT, path,
                       "not an ecraudit findings.json (%s): --baseline "
                       "needs a findings.json of schema " SCHEMA,
                       why);
}

void ecr_baseline_free(ecr_baseline *b);
void ecr_baseline_free(ecr_baseline *b) {
  if (!b) return;
  free(b->path);
  free(b->generated_at);
  for (size_t i = 0; i < b->n_resolved; i++) {
    free(b->resolved[i].id);
    free(b->resolved[i].principal);
    free(b->resolved[i].access_level);
    free(b->resolved[i].status);
    free(b->resolved[i].severity);
  }
  free(b->resolved);
  free(b);
}

ecr_status ecr_report_baseline(ecr_report *r, const char *path, ecr_error *err) {
  char *text = NULL;
  size_t len = 0;
  ecr_status st = ecr_file_read(path, &text, &len, err);
  if (st != ECR_OK) return st;
  cJSON *doc = cJSON_ParseWithLength(text, len);
  old_finding *old = NULL;
  size_t n_old = 0;
  if (!doc || !cJSON_IsObject(doc)) {
    st = not_findings(err, path, "not a JSON object");
    goto done;
  }
  const char *schema = str_of(doc, "schema");
  if (!schema || strcmp(schema, SCHEMA) != 0) {
    st = not_findings(err, path, schema ? "another schema" : "no \"schema\" key");
    goto done;
  }
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "findings");
  if (!cJSON_IsArray(arr)) {
    st = not_findings(err, path, "no \"findings\" array");
    goto done;
  }
  old = ecr_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(old_finding));
  const cJSON *f;
  cJSON_ArrayForEach(f, arr) {
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(f, "principal");
    old_finding o = {str_of(f, "id"),  str_of(f, "status"),       str_of(f, "severity"),
                     str_of(p, "arn"), str_of(f, "access_level"), false};
    if (!o.id || !o.status || !o.severity) {
      st = not_findings(err, path, "a finding without id, status or severity");
      goto done;
    }
    old[n_old++] = o;
  }
  /* the old file's order, for the resolved list; a sorted copy to look up */
  old_finding *sorted = ecr_xcalloc(n_old + 1, sizeof(old_finding));
  memcpy(sorted, old, n_old * sizeof(old_finding));
  qsort(sorted, n_old, sizeof(old_finding), old_cmp);

  ecr_baseline *b = ecr_xcalloc(1, sizeof(ecr_baseline));
  b->path = ecr_xstrdup(path);
  ecr_sha256_hex(text, len, b->sha256);
  const char *gen = str_of(doc, "generated_at");
  b->generated_at = gen ? ecr_xstrdup(gen) : NULL;
  for (size_t i = 0; i < r->n_findings; i++) {
    ecr_finding *nf = &r->findings[i];
    old_finding key = {nf->id ? nf->id : "", NULL, NULL, NULL, NULL, false};
    old_finding *o = bsearch(&key, sorted, n_old, sizeof(old_finding), old_cmp);
    free(nf->change_from);
    nf->change_from = NULL;
    if (!o) {
      nf->change = ECR_CHANGE_NEW;
      b->n_new++;
      if (nf->status == ECR_CHECK_FAIL || nf->status == ECR_CHECK_UNKNOWN) b->n_new_open++;
      continue;
    }
    o->seen = true;
    if (strcmp(o->status, ecr_check_status_name(nf->status)) != 0 ||
        strcmp(o->severity, ecr_severity_name(nf->severity)) != 0) {
      nf->change = ECR_CHANGE_CHANGED;
      nf->change_from = ecr_xasprintf("%s/%s", o->status, o->severity);
      b->n_changed++;
    } else {
      nf->change = ECR_CHANGE_UNCHANGED;
      b->n_unchanged++;
    }
  }
  size_t cap = 0;
  for (size_t i = 0; i < n_old; i++) {
    old_finding key = old[i];
    old_finding *o = bsearch(&key, sorted, n_old, sizeof(old_finding), old_cmp);
    if (!o || o->seen) continue;
    o->seen = true; /* a duplicate id in the old file is listed once */
    ecr_baseline_item it = {ecr_xstrdup(old[i].id),
                            ecr_xstrdup(old[i].principal ? old[i].principal : ""),
                            ecr_xstrdup(old[i].level ? old[i].level : ""),
                            ecr_xstrdup(old[i].status), ecr_xstrdup(old[i].severity)};
    ECR_PUSH(b->resolved, b->n_resolved, cap, it);
  }
  free(sorted);
  ecr_baseline_free(r->baseline);
  r->baseline = b;
done:
  free(old);
  cJSON_Delete(doc);
  free(text);
  return st;
}
