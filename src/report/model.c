/* The report model: names of its enums, exit status, and freeing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#include "ecraudit/report.h"
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
  static const char *const names[] = {"user",     "role",    "public",    "account",
                                      "external", "service", "federated", "k8s"};
  return (unsigned)k <= ECR_PK_K8S ? names[k] : "external";
}

bool ecr_finding_registry(const ecr_finding *f) {
  return f->n_repositories == 1 && f->repositories[0] && strcmp(f->repositories[0], "*") == 0;
}

char *ecr_finding_chain_text(const ecr_finding *f) {
  if (!f->n_via_chain) return NULL;
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_buf_puts(&b, f->principal ? f->principal : "?");
  for (size_t i = 0; i < f->n_via_chain; i++) ecr_buf_printf(&b, " > %s", f->via_chain[i]);
  if (f->chain_trust) ecr_buf_printf(&b, " (trust statement %s)", f->chain_trust);
  return ecr_buf_steal(&b);
}

const char *ecr_access_level_name(ecr_access_level l) {
  static const char *const names[] = {"List", "Read", "Write", "Permissions management", "Tagging"};
  return (unsigned)l < ECR_LEVEL_COUNT ? names[l] : "Read";
}

const char *ecr_decision_name(ecr_decision d) {
  static const char *const names[] = {"deny", "conditional", "allow"};
  return (unsigned)d <= ECR_DECISION_ALLOW ? names[d] : "deny";
}

const char *ecr_source_name(ecr_source s) {
  static const char *const names[] = {"identity", "group", "resource", "registry",
                                      "boundary", "scp",   "rcp"};
  return (unsigned)s <= ECR_SRC_RCP ? names[s] : "identity";
}

void ecr_report_evidence_sha256(const ecr_evidence_file *files, size_t n, char out[65]) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < n; i++) ecr_buf_printf(&b, "%s  %s\n", files[i].sha256, files[i].path);
  ecr_sha256_hex(b.data ? b.data : "", b.len, out);
  ecr_buf_cleanup(&b);
}

static ecr_repo_access *access_of(ecr_repo_view *v, int k, size_t *n) {
  switch (k) {
  case ECR_ACCESS_PUSH: *n = v->n_push; return v->push;
  case ECR_ACCESS_DELETE: *n = v->n_delete; return v->delete_;
  case ECR_ACCESS_PERMISSIONS: *n = v->n_permissions; return v->permissions;
  default: *n = v->n_tag; return v->tag;
  }
}

/* (principal, decision) -> repositories listing it, keyed by address. */
typedef struct every_slot {
  const char *principal;
  ecr_decision decision;
  size_t repos;
  size_t last; /* 1 + index of the last repository counted */
} every_slot;

static every_slot *every_find(every_slot *t, size_t cap, const char *p, ecr_decision d) {
  size_t h = (size_t)(((uint64_t)(uintptr_t)p >> 3) * 0x9E3779B97F4A7C15ull) + (size_t)d;
  for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
    every_slot *s = &t[i];
    if (s->principal == p && s->decision == d) return s;
    if (!s->principal) {
      s->principal = p;
      s->decision = d;
      return s;
    }
  }
}

void ecr_report_mark_everywhere(ecr_report *r) {
  for (int k = 0; k < ECR_ACCESS_COUNT; k++) {
    free(r->everywhere[k]);
    r->everywhere[k] = NULL;
    r->n_everywhere[k] = 0;
    size_t total = 0, n;
    for (size_t i = 0; i < r->n_repo_views; i++) {
      access_of(&r->repositories[i], k, &n);
      total += n;
    }
    if (!r->n_repo_views || !total) continue;
    size_t cap = 64;
    while (cap < 2 * total + 2) cap *= 2;
    every_slot *t = ecr_xcalloc(cap, sizeof(every_slot));
    for (size_t i = 0; i < r->n_repo_views; i++) {
      ecr_repo_access *a = access_of(&r->repositories[i], k, &n);
      for (size_t j = 0; j < n; j++) {
        if (!a[j].principal) continue;
        every_slot *s = every_find(t, cap, a[j].principal, a[j].decision);
        if (s->last != i + 1) s->repos++;
        s->last = i + 1;
      }
    }
    size_t cnt = 0;
    for (size_t i = 0; i < r->n_repo_views; i++) {
      ecr_repo_access *a = access_of(&r->repositories[i], k, &n);
      for (size_t j = 0; j < n; j++) {
        a[j].everywhere =
            a[j].principal &&
            every_find(t, cap, a[j].principal, a[j].decision)->repos == r->n_repo_views;
        if (a[j].everywhere && i == 0) {
          ECR_PUSH(r->everywhere[k], r->n_everywhere[k], cnt, a[j]);
        }
      }
    }
    free(t);
  }
}

int ecr_report_exit_code(const ecr_report *r) {
  return (r->by_status[ECR_CHECK_FAIL] || r->by_status[ECR_CHECK_UNKNOWN]) ? 1 : 0;
}

static char *dup_or_null(const char *s) {
  return s ? ecr_xstrdup(s) : NULL;
}

ecr_via *ecr_via_copy(const ecr_via *v, size_t n) {
  ecr_via *c = ecr_xcalloc(n + 1, sizeof(ecr_via));
  for (size_t i = 0; i < n; i++) {
    c[i] = v[i];
    c[i].policy = dup_or_null(v[i].policy);
    c[i].statement = dup_or_null(v[i].statement);
    c[i].owner = dup_or_null(v[i].owner);
    c[i].json = dup_or_null(v[i].json);
    c[i].undecided = ecr_xcalloc(v[i].n_undecided + 1, sizeof(char *));
    for (size_t k = 0; k < v[i].n_undecided; k++)
      c[i].undecided[k] = ecr_xstrdup(v[i].undecided[k]);
  }
  return c;
}

void ecr_via_cleanup(ecr_via *v) {
  if (!v) return;
  free(v->policy);
  free(v->statement);
  free(v->owner);
  free(v->json);
  for (size_t i = 0; i < v->n_undecided; i++) free(v->undecided[i]);
  free(v->undecided);
}

static void free_strv(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

void ecr_baseline_free(ecr_baseline *b); /* src/report/baseline.c */

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
    free_strv(f->actions, f->n_actions);
    free_strv(f->undecided_conditions, f->n_undecided);
    for (size_t k = 0; k < f->n_via; k++) ecr_via_cleanup(&f->via[k]);
    free(f->via);
    free(f->impact);
    free(f->remediation);
    free(f->suggested_statement);
    free(f->status_reason);
    free(f->change_from);
    free_strv(f->via_chain, f->n_via_chain);
    free(f->chain_trust);
    if (f->usage) {
      free(f->usage->last_used);
      free(f->usage->action);
      free(f->usage->tracked_since);
      free(f->usage);
    }
  }
  free(r->findings);
  for (size_t i = 0; i < r->n_repo_sets; i++) {
    free(r->repo_sets[i].key);
    free(r->repo_sets[i].repositories); /* strings borrowed from name_pool */
  }
  free(r->repo_sets);
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
  for (int k = 0; k < ECR_ACCESS_COUNT; k++) free(r->everywhere[k]);
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
  for (size_t i = 0; i < r->n_mappings; i++) {
    free(r->mappings[i].framework);
    free(r->mappings[i].id);
    free(r->mappings[i].title);
  }
  free(r->mappings);
  for (size_t i = 0; i < r->n_sources; i++) {
    free(r->sources[i].pattern);
    free(r->sources[i].label);
  }
  free(r->sources);
  ecr_baseline_free(r->baseline);
  free(r);
}
