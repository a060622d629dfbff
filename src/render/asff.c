/* findings.asff.json: the AWS Security Finding Format, as the input of
 * Security Hub's BatchImportFindings ({"Findings": [...]}; the API takes at
 * most 100 findings a call, so a loader sends the array in slices). A pure
 * function of the report model.
 *
 * One ASFF finding per failing, unknown and excepted finding (passing ones
 * are not findings to Security Hub):
 *   Id              ecraudit/<account>/<finding id> (stable, as the finding id)
 *   ProductArn      the account's default product ("import your own findings")
 *   Compliance      FAILED (fail, excepted) or NOT_AVAILABLE (unknown: evidence missing)
 *   Workflow        SUPPRESSED for an excepted finding (an active ledger entry), else NEW
 *   Resources       the principal, then at most 31 repositories (the registry as
 *                   "Other"); ProductFields says how many the finding covers and
 *                   which findings.json repository set lists them all
 *   Description / Remediation.Recommendation.Text: the impact note and the
 *   remediation, cut to the API's 1,024 and 512 characters on a UTF-8 boundary.
 */
#include "ecraudit/render.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/util.h"

#define ASFF_MAX_RESOURCES 32
#define ASFF_DESCRIPTION_MAX 1024
#define ASFF_RECOMMENDATION_MAX 512
#define ASFF_TITLE_MAX 256
#define ASFF_TYPE                                                                                  \
  "Software and Configuration Checks/Industry and Regulatory Standards/CIS EKS Benchmark"

/* A valid UTF-8 copy of s, at most max bytes, cut before a partial character. */
static char *fit(const char *s, size_t max) {
  char *fixed = ecr_utf8_repair(s ? s : "");
  char *out = ecr_xstrdup(fixed ? fixed : s ? s : "");
  free(fixed);
  size_t n = strlen(out);
  if (n > max) {
    size_t cut = max;
    while (cut > 0 && ((unsigned char)out[cut] & 0xC0) == 0x80) cut--;
    out[cut] = '\0';
  }
  return out;
}

static void add_fit(cJSON *o, const char *key, const char *s, size_t max) {
  char *v = fit(s, max);
  cJSON_AddStringToObject(o, key, v);
  free(v);
}

static const char *severity_label(ecr_severity s) {
  switch (s) {
  case ECR_SEV_CRITICAL: return "CRITICAL";
  case ECR_SEV_HIGH: return "HIGH";
  case ECR_SEV_MEDIUM: return "MEDIUM";
  case ECR_SEV_LOW: return "LOW";
  default: return "INFORMATIONAL";
  }
}

/* "arn:<partition>:ecr:<region>:..." -> partition and region (copies). */
static void arn_part(const char *arn, int field, char *out, size_t size) {
  out[0] = '\0';
  if (!arn || strncmp(arn, "arn:", 4) != 0) return;
  const char *p = arn;
  for (int i = 0; i < field && p; i++) {
    p = strchr(p, ':');
    if (p) p++;
  }
  if (!p) return;
  const char *e = strchr(p, ':');
  size_t n = e ? (size_t)(e - p) : strlen(p);
  if (n >= size) n = size - 1;
  memcpy(out, p, n);
  out[n] = '\0';
}

static const char *principal_type(ecr_principal_kind k) {
  switch (k) {
  case ECR_PK_USER: return "AwsIamUser";
  case ECR_PK_ROLE: return "AwsIamRole";
  default: return "Other";
  }
}

static cJSON *finding_asff(const ecr_report *r, const ecr_finding *f, const char *partition,
                           const char *home) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "SchemaVersion", "2018-10-08");
  char *id = ecr_xasprintf("ecraudit/%s/%s", r->account, f->id);
  add_fit(o, "Id", id, 512);
  free(id);
  char *product = ecr_xasprintf("arn:%s:securityhub:%s:%s:product/%s/default", partition, home,
                                r->account, r->account);
  cJSON_AddStringToObject(o, "ProductArn", product);
  free(product);
  const char *control_id = r->control_id ? r->control_id : ecr_control_id();
  char *gen = ecr_xasprintf("ecraudit/%s", control_id);
  cJSON_AddStringToObject(o, "GeneratorId", gen);
  free(gen);
  cJSON_AddStringToObject(o, "AwsAccountId", r->account);
  cJSON *types = cJSON_AddArrayToObject(o, "Types");
  cJSON_AddItemToArray(types, cJSON_CreateString(ASFF_TYPE));
  cJSON_AddStringToObject(o, "CreatedAt", r->generated_at);
  cJSON_AddStringToObject(o, "UpdatedAt", r->generated_at);
  cJSON *sev = cJSON_AddObjectToObject(o, "Severity");
  cJSON_AddStringToObject(sev, "Label", severity_label(f->severity));
  cJSON_AddStringToObject(sev, "Original", ecr_severity_name(f->severity));
  bool registry = ecr_finding_registry(f);
  char n[32];
  snprintf(n, sizeof(n), "%zu", f->n_repositories);
  const char *nkv[] = {"n", n, NULL};
  char *where = ecr_text(registry                 ? "asff/where-registry"
                         : f->all_repositories    ? "asff/where-all"
                         : f->n_repositories == 1 ? "label/repositories-one"
                                                  : "label/repositories-many",
                         nkv);
  const char *tkv[] = {"control_id", control_id, "principal",
                       f->principal, "level",    ecr_access_level_name(f->access_level),
                       "where",      where,      NULL};
  char *title = ecr_text(
      f->decision == ECR_DECISION_CONDITIONAL ? "asff/title-conditional" : "asff/title", tkv);
  add_fit(o, "Title", title, ASFF_TITLE_MAX);
  free(title);
  free(where);
  add_fit(o, "Description", f->impact && *f->impact ? f->impact : ecr_label("asff/see-report"),
          ASFF_DESCRIPTION_MAX);
  cJSON *rem = cJSON_AddObjectToObject(o, "Remediation");
  cJSON *rec = cJSON_AddObjectToObject(rem, "Recommendation");
  add_fit(rec, "Text",
          f->remediation && *f->remediation ? f->remediation : ecr_label("asff/see-report"),
          ASFF_RECOMMENDATION_MAX);
  cJSON *pf = cJSON_AddObjectToObject(o, "ProductFields");
  cJSON_AddStringToObject(pf, "ecraudit/status", ecr_check_status_name(f->status));
  cJSON_AddStringToObject(pf, "ecraudit/access_level", ecr_access_level_name(f->access_level));
  cJSON_AddStringToObject(pf, "ecraudit/decision", ecr_decision_name(f->decision));
  char num[32];
  snprintf(num, sizeof(num), "%zu", f->n_repositories);
  cJSON_AddStringToObject(pf, "ecraudit/repository_count", num);
  if (f->repo_set < r->n_repo_sets)
    cJSON_AddStringToObject(pf, "ecraudit/repository_set", r->repo_sets[f->repo_set].key);
  char *acts = NULL;
  {
    ecr_buf b;
    ecr_buf_init(&b);
    for (size_t i = 0; i < f->n_actions; i++) {
      if (i) ecr_buf_putc(&b, ',');
      ecr_buf_puts(&b, f->actions[i]);
    }
    acts = ecr_buf_steal(&b);
  }
  add_fit(pf, "ecraudit/actions", acts, 2000);
  free(acts);
  if (f->exception) add_fit(pf, "ecraudit/exception", f->exception->id, 512);

  cJSON *res = cJSON_AddArrayToObject(o, "Resources");
  cJSON *pr = cJSON_CreateObject();
  cJSON_AddStringToObject(pr, "Type", principal_type(f->principal_kind));
  add_fit(pr, "Id", f->principal, 512);
  cJSON_AddStringToObject(pr, "Partition", partition);
  cJSON_AddItemToArray(res, pr);
  for (size_t i = 0; i < f->n_repositories && cJSON_GetArraySize(res) < ASFF_MAX_RESOURCES; i++) {
    const char *arn = f->repositories[i];
    cJSON *ro = cJSON_CreateObject();
    char region[64];
    if (strcmp(arn, "*") == 0) {
      char *reg = ecr_xasprintf("AWS::ECR::Registry %s", r->account);
      cJSON_AddStringToObject(ro, "Type", "Other");
      cJSON_AddStringToObject(ro, "Id", reg);
      free(reg);
    } else {
      arn_part(arn, 3, region, sizeof(region));
      cJSON_AddStringToObject(ro, "Type",
                              strstr(arn, ":repository/") && !strchr(arn, '*') ? "AwsEcrRepository"
                                                                               : "Other");
      add_fit(ro, "Id", arn, 512);
      cJSON_AddStringToObject(ro, "Partition", partition);
      if (region[0] && strcmp(region, "*") != 0) cJSON_AddStringToObject(ro, "Region", region);
    }
    cJSON_AddItemToArray(res, ro);
  }
  cJSON *comp = cJSON_AddObjectToObject(o, "Compliance");
  cJSON_AddStringToObject(comp, "Status",
                          f->status == ECR_CHECK_UNKNOWN ? "NOT_AVAILABLE" : "FAILED");
  cJSON *reqs = cJSON_AddArrayToObject(comp, "RelatedRequirements");
  cJSON_AddItemToArray(reqs,
                       cJSON_CreateString(r->control_ref ? r->control_ref : ecr_control_ref()));
  char *kubescape = ecr_xasprintf("Kubescape %s", control_id);
  cJSON_AddItemToArray(reqs, cJSON_CreateString(kubescape));
  free(kubescape);
  cJSON *wf = cJSON_AddObjectToObject(o, "Workflow");
  cJSON_AddStringToObject(wf, "Status", f->status == ECR_CHECK_EXCEPTED ? "SUPPRESSED" : "NEW");
  cJSON_AddStringToObject(o, "RecordState", "ACTIVE");
  return o;
}

ecr_status ecr_render_asff(const ecr_report *r, const ecr_render_opts *opts, ecr_sink *sink,
                           ecr_error *err) {
  (void)opts;
  char partition[32] = "aws";
  const char *home = r->n_regions ? r->regions[0] : "us-east-1";
  for (size_t i = 0; i < r->n_repo_views; i++) {
    arn_part(r->repositories[i].arn, 1, partition, sizeof(partition));
    if (partition[0]) break;
  }
  if (!partition[0]) snprintf(partition, sizeof(partition), "aws");
  ecr_buf out;
  ecr_buf_init(&out);
  ecr_buf_puts(&out, "{\"Findings\": [");
  size_t n = 0;
  ecr_status st = ECR_OK;
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    if (f->status == ECR_CHECK_PASS) continue;
    cJSON *o = finding_asff(r, f, partition, home);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) {
      st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "findings.asff.json: out of memory");
      goto done;
    }
    ecr_buf_puts(&out, n++ ? ",\n  " : "\n  ");
    ecr_buf_puts(&out, s);
    cJSON_free(s);
    if (out.len >= (1u << 20)) {
      if (ecr_sink_write(sink, out.data, out.len) != 0) {
        st = ecr_error_set(err, ECR_E_OUTPUT, NULL, "findings.asff.json: write failed");
        goto done;
      }
      ecr_buf_reset(&out);
    }
  }
  ecr_buf_puts(&out, n ? "\n]}\n" : "]}\n");
  if (ecr_sink_write(sink, out.data, out.len) != 0)
    st = ecr_error_set(err, ECR_E_OUTPUT, NULL, "findings.asff.json: write failed");
done:
  ecr_buf_cleanup(&out);
  return st;
}
