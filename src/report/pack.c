/* The evidence-pack part of the report model: framework mappings (data),
 * principals per kind, evidence sources and their coverage, evidence age.
 * Everything here is derived from the rest of the model, once, so that the
 * renderers only print it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/util.h"

#include "ecraudit/report.h"

#define MAPPINGS "data/control-mappings.json"
#define SOURCES "templates/text/evidence-sources.tsv"

static char *json_str(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) && v->valuestring ? ecr_xstrdup(v->valuestring) : NULL;
}

static void load_mappings(ecr_report *r) {
  const char *text = ecr_embedded_get(MAPPINGS, NULL);
  cJSON *doc = text ? cJSON_Parse(text) : NULL;
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "mappings");
  size_t n = (size_t)cJSON_GetArraySize(arr), k = 0;
  r->mappings = ecr_xcalloc(n + 1, sizeof(ecr_mapping));
  const cJSON *m;
  cJSON_ArrayForEach(m, arr) {
    ecr_mapping e = {json_str(m, "framework"), json_str(m, "id"), json_str(m, "title")};
    if (!e.framework || !e.id) {
      free(e.framework);
      free(e.id);
      free(e.title);
      continue;
    }
    r->mappings[k++] = e;
  }
  r->n_mappings = k;
  cJSON_Delete(doc);
}

/* "ecr/<region>/x.json" in the table is the glob "ecr/(any)/x.json". */
static bool source_matches(const char *pattern, const char *path) {
  return ecr_glob_match(pattern, path, false);
}

static void load_sources(ecr_report *r) {
  const char *text = ecr_embedded_get(SOURCES, NULL);
  if (!text) return;
  size_t cap = 0;
  const char *p = text;
  while (*p) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    char *line = ecr_xstrndup(p, len);
    p += len + (eol ? 1 : 0);
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (line[0] == '#' || !t1 || !t2) {
      free(line);
      continue;
    }
    *t1 = *t2 = '\0';
    ecr_evidence_source s = {0};
    s.required = strcmp(t1 + 1, "required") == 0;
    s.label = ecr_xstrdup(t2 + 1);
    for (size_t i = 0; i < r->n_files; i++)
      if (r->files[i].path && source_matches(line, r->files[i].path)) s.n_files++;
    /* shown as the documented layout: "*" stands for a region */
    ecr_buf b;
    ecr_buf_init(&b);
    for (const char *q = line; *q; q++) {
      if (*q == '*')
        ecr_buf_puts(&b, "<region>");
      else
        ecr_buf_putc(&b, *q);
    }
    s.pattern = ecr_buf_steal(&b);
    ECR_PUSH(r->sources, r->n_sources, cap, s);
    free(line);
  }
}

static void evidence_age(ecr_report *r) {
  r->evidence_age_known = false;
  r->evidence_stale = false;
  long as_of, collected;
  char day[11];
  if (!r->evidence_time || strlen(r->evidence_time) < 10 || !r->as_of) return;
  memcpy(day, r->evidence_time, 10);
  day[10] = '\0';
  if (!ecr_date_parse(day, &collected) || !ecr_date_parse(r->as_of, &as_of)) return;
  r->evidence_age_known = true;
  r->evidence_age_days = as_of - collected;
  r->evidence_stale = r->evidence_age_days > ECR_EVIDENCE_MAX_AGE_DAYS;
}

void ecr_report_pack(ecr_report *r) {
  if (!r->mappings) load_mappings(r);
  memset(r->by_kind, 0, sizeof(r->by_kind));
  memset(r->principals_by_status, 0, sizeof(r->principals_by_status));
  for (size_t i = 0; i < r->n_principal_views; i++) {
    unsigned k = (unsigned)r->principals[i].kind;
    if (k <= ECR_PK_SERVICE) r->by_kind[k]++;
    unsigned s = (unsigned)r->principals[i].worst_status;
    if (s < ECR_CHECK_COUNT) r->principals_by_status[s]++;
  }
  r->n_not_passing = 0;
  for (int v = 0; v < ECR_SEV_COUNT; v++) r->n_not_passing += r->by_severity[v];
  if (!r->sources) load_sources(r);
  evidence_age(r);
}

char *ecr_report_pack_text(const ecr_report *r, const char *name) {
  char path[128];
  snprintf(path, sizeof(path), "templates/text/pack/%s.txt", name);
  const char *t = ecr_embedded_get(path, NULL);
  char iam[32], repos[32], principals[32], days[32], max[32];
  char nnew[32], nopen[32], nchg[32], nunch[32], nres[32];
  snprintf(iam, sizeof(iam), "%zu", r->n_principals_evaluated);
  snprintf(repos, sizeof(repos), "%zu", r->n_repositories);
  snprintf(principals, sizeof(principals), "%zu", r->n_principal_views);
  snprintf(days, sizeof(days), "%ld", r->evidence_age_days);
  snprintf(max, sizeof(max), "%d", ECR_EVIDENCE_MAX_AGE_DAYS);
  const ecr_baseline *b = r->baseline;
  snprintf(nnew, sizeof(nnew), "%zu", b ? b->n_new : 0);
  snprintf(nopen, sizeof(nopen), "%zu", b ? b->n_new_open : 0);
  snprintf(nchg, sizeof(nchg), "%zu", b ? b->n_changed : 0);
  snprintf(nunch, sizeof(nunch), "%zu", b ? b->n_unchanged : 0);
  snprintf(nres, sizeof(nres), "%zu", b ? b->n_resolved : 0);
  ecr_buf regions;
  ecr_buf_init(&regions);
  for (size_t i = 0; i < r->n_regions; i++)
    ecr_buf_printf(&regions, "%s%s", i ? (i + 1 == r->n_regions ? " and " : ", ") : "",
                   r->regions[i] ? r->regions[i] : "");
  if (!regions.len) ecr_buf_puts(&regions, "no region");
  const char *kv[] = {"account",
                      r->account ? r->account : "?",
                      "control_id",
                      r->control_id ? r->control_id : ecr_control_id(),
                      "iam",
                      iam,
                      "repos",
                      repos,
                      "principals",
                      principals,
                      "regions",
                      regions.data,
                      "days",
                      days,
                      "max",
                      max,
                      "collected",
                      r->evidence_time ? r->evidence_time : "?",
                      "as_of",
                      r->as_of ? r->as_of : "?",
                      "generated_at",
                      b && b->generated_at ? b->generated_at : "at an unknown time",
                      "sha256",
                      b ? b->sha256 : "",
                      "new",
                      nnew,
                      "new_open",
                      nopen,
                      "changed",
                      nchg,
                      "unchanged",
                      nunch,
                      "resolved",
                      nres,
                      NULL};
  char *s = ecr_template_expand(t ? t : "", kv);
  ecr_buf_cleanup(&regions);
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
  return s;
}
