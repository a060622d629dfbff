/* The report model: names of its enums, exit status, and freeing. */
#include <stdlib.h>

#include "util/util.h"

#include "ecraudit/evaluate.h"
#include "ecraudit/report.h"

const char *ecr_check_status_name(ecr_check_status s) {
  static const char *const names[] = {"fail", "excepted", "unknown", "pass"};
  return (unsigned)s < ECR_CHECK_COUNT ? names[s] : "unknown";
}

const char *ecr_severity_name(ecr_severity s) {
  static const char *const names[] = {"critical", "high", "medium", "low", "info"};
  return (unsigned)s < ECR_SEV_COUNT ? names[s] : "info";
}

const char *ecr_principal_kind_name(ecr_principal_kind k) {
  static const char *const names[] = {"user", "role", "public", "account", "external", "service"};
  return (unsigned)k <= ECR_PK_SERVICE ? names[k] : "external";
}

const char *ecr_access_level_name(ecr_access_level l) {
  static const char *const names[] = {"List", "Read", "Write", "Permissions management",
                                      "Tagging"};
  return (unsigned)l < ECR_LEVEL_COUNT ? names[l] : "Read";
}

const char *ecr_decision_name(ecr_decision d) {
  static const char *const names[] = {"deny", "conditional", "allow"};
  return (unsigned)d <= ECR_DECISION_ALLOW ? names[d] : "deny";
}

const char *ecr_source_name(ecr_source s) {
  static const char *const names[] = {"identity", "group", "resource",
                                      "registry", "boundary", "scp"};
  return (unsigned)s <= ECR_SRC_SCP ? names[s] : "identity";
}

void ecr_report_evidence_sha256(const ecr_evidence_file *files, size_t n, char out[65]) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < n; i++) ecr_buf_printf(&b, "%s  %s\n", files[i].sha256, files[i].path);
  ecr_sha256_hex(b.data ? b.data : "", b.len, out);
  ecr_buf_cleanup(&b);
}

int ecr_report_exit_code(const ecr_report *r) {
  return (r->by_status[ECR_CHECK_FAIL] || r->by_status[ECR_CHECK_UNKNOWN]) ? 1 : 0;
}

void ecr_via_cleanup(ecr_via *v) {
  if (!v) return;
  free(v->policy);
  free(v->statement);
  free(v->owner);
  free(v->json);
}

static void free_strv(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}


void ecr_report_free(ecr_report *r) {
  if (!r) return;
  free(r->tool_version);
  free(r->catalog_version);
  free(r->control_id);
  free(r->control_name);
  free(r->control_ref);
  free(r->account);
  free(r->caller_arn);
  free(r->evidence_time);
  free(r->generated_at);
  free(r->as_of);
  free_strv(r->regions, r->n_regions);
  for (size_t i = 0; i < r->n_findings; i++) {
    ecr_finding *f = &r->findings[i];
    free(f->id);
    free(f->principal);
    free(f->repositories); /* strings borrowed from name_pool */
    free_strv(f->actions, f->n_actions);
    for (size_t k = 0; k < f->n_via; k++) ecr_via_cleanup(&f->via[k]);
    free(f->via);
    free(f->impact);
    free(f->remediation);
    free(f->suggested_statement);
    free(f->status_reason);
  }
  free(r->findings);
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
  for (size_t i = 0; i < r->n_principal_views; i++) {
    ecr_principal_view *v = &r->principals[i];
    free(v->principal);
    free(v->name);
    free(v->findings);
    free(v->used_by);
    free(v->last_used);
  }
  free(r->principals);
  free_strv(r->name_pool, r->n_name_pool);
  free(r->ledger_path);
  free_strv(r->coverage, r->n_coverage);
  for (size_t i = 0; i < r->n_files; i++) free(r->files[i].path);
  free(r->files);
  for (size_t i = 0; i < r->n_gaps; i++) {
    free(r->gaps[i].source);
    free(r->gaps[i].resource);
    free(r->gaps[i].error);
  }
  free(r->gaps);
  free(r);
}
