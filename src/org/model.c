/* One account's report model read back from its findings.json
 * (org_internal.h), so that the organisation report renders every account
 * with the account renderers themselves, the same way whether the account
 * was evaluated in this run (report --evidence ORG) or elsewhere (merge).
 * What findings.json does not hold stays empty: repository and principal
 * usage views (who uses a principal, when it was last used), regions. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/ledger.h"
#include "ecraudit/report.h"
#include "org/org_internal.h"
#include "util/util.h"

size_t ecr_org_json_count(const cJSON *v) {
  if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble >= 9007199254740992.0)
    return 0;
  return (size_t)v->valuedouble;
}

static const cJSON *field(const cJSON *o, const char *k) {
  return cJSON_GetObjectItemCaseSensitive(o, k);
}

static char *str(const cJSON *o, const char *k) {
  const cJSON *v = field(o, k);
  return cJSON_IsString(v) ? ecr_xstrdup(v->valuestring) : NULL;
}

static char **strv(const cJSON *a, size_t *n) {
  *n = 0;
  size_t total = cJSON_IsArray(a) ? (size_t)cJSON_GetArraySize(a) : 0;
  char **v = ecr_xcalloc(total + 1, sizeof(char *));
  for (const cJSON *e = cJSON_IsArray(a) ? a->child : NULL; e; e = e->next)
    if (cJSON_IsString(e)) v[(*n)++] = ecr_xstrdup(e->valuestring);
  return v;
}

static int name_index(const char *s, const char *(*name)(int), int count, int dflt) {
  if (!s) return dflt;
  for (int i = 0; i < count; i++)
    if (strcmp(s, name(i)) == 0) return i;
  return dflt;
}
static const char *status_name(int i) {
  return ecr_check_status_name((ecr_check_status)i);
}
static const char *severity_name(int i) {
  return ecr_severity_name((ecr_severity)i);
}
static const char *kind_name(int i) {
  return ecr_principal_kind_name((ecr_principal_kind)i);
}
static const char *level_name(int i) {
  return ecr_access_level_name((ecr_access_level)i);
}
static const char *decision_name(int i) {
  return ecr_decision_name((ecr_decision)i);
}
static const char *source_name(int i) {
  return ecr_source_name((ecr_source)i);
}
static const char *ledger_state_name(int i) {
  return ecr_ledger_state_name((ecr_ledger_state)i);
}

static void via_from(ecr_via *v, const cJSON *o) {
  memset(v, 0, sizeof(*v));
  v->policy = str(o, "policy");
  v->statement = str(o, "statement");
  const cJSON *s = field(o, "source");
  v->source = (ecr_source)name_index(cJSON_GetStringValue(s), source_name, ECR_SRC_RCP + 1, 0);
  v->deny = cJSON_IsTrue(field(o, "deny"));
  v->conditional = cJSON_IsTrue(field(o, "conditional"));
  v->owner = str(o, "owner");
}

/* principal views: one per principal, findings in report order, sorted by
 * worst status (fail, unknown, excepted, pass) then principal */
static size_t status_rank(ecr_check_status s) {
  return s == ECR_CHECK_FAIL ? 0 : s == ECR_CHECK_UNKNOWN ? 1 : s == ECR_CHECK_EXCEPTED ? 2 : 3;
}

static int cmp_view(const void *a, const void *b) {
  const ecr_principal_view *x = a, *y = b;
  size_t rx = status_rank(x->worst_status), ry = status_rank(y->worst_status);
  if (rx != ry) return rx < ry ? -1 : 1;
  return strcmp(x->principal, y->principal);
}

typedef struct view_lookup {
  const ecr_report *r;
  const char *principal;
} view_lookup;

static uint64_t hash_str(const char *s) {
  return ecr_fnv1a(s, strlen(s), 1469598103934665603ull);
}
static bool view_eq(const void *ctx, size_t i) {
  const view_lookup *l = ctx;
  return strcmp(l->r->principals[i].principal, l->principal) == 0;
}
static uint64_t view_hash(const void *ctx, size_t i) {
  return hash_str(((const view_lookup *)ctx)->r->principals[i].principal);
}

static void build_views(ecr_report *r) {
  ecr_index ix = {0};
  size_t cap = 0;
  size_t *caps = NULL;
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    view_lookup l = {r, f->principal};
    bool found;
    size_t k = ecr_index_get(&ix, hash_str(f->principal), view_eq, view_hash, &l,
                             r->n_principal_views, &found);
    if (!found) {
      ecr_principal_view v;
      memset(&v, 0, sizeof(v));
      v.principal = ecr_xstrdup(f->principal);
      v.kind = f->principal_kind;
      const char *slash = strrchr(f->principal, '/');
      v.name = ecr_xstrdup(
          slash && (f->principal_kind == ECR_PK_USER || f->principal_kind == ECR_PK_ROLE)
              ? slash + 1
              : f->principal);
      v.worst_status = ECR_CHECK_PASS;
      v.worst_severity = ECR_SEV_INFO;
      size_t old_cap = cap;
      ECR_PUSH(r->principals, r->n_principal_views, cap, v);
      if (cap != old_cap) {
        caps = ecr_xrealloc(caps, cap * sizeof(size_t));
        for (size_t c = old_cap; c < cap; c++) caps[c] = 0;
      }
    }
    ecr_principal_view *v = &r->principals[k];
    ECR_PUSH(v->findings, v->n_findings, caps[k], i);
    if (status_rank(f->status) < status_rank(v->worst_status)) v->worst_status = f->status;
    if (f->status != ECR_CHECK_PASS && f->severity < v->worst_severity)
      v->worst_severity = f->severity;
  }
  free(caps);
  ecr_index_cleanup(&ix);
  if (r->n_principal_views)
    qsort(r->principals, r->n_principal_views, sizeof(ecr_principal_view), cmp_view);
  for (size_t i = 0; i < r->n_principal_views; i++)
    r->principals_by_status[r->principals[i].worst_status]++;
}

static void ledger_from(ecr_ledger *l, const cJSON *exceptions) {
  size_t n = cJSON_IsArray(exceptions) ? (size_t)cJSON_GetArraySize(exceptions) : 0;
  l->entries = ecr_xcalloc(n + 1, sizeof(ecr_ledger_entry));
  for (const cJSON *e = n ? exceptions->child : NULL; e; e = e->next) {
    ecr_ledger_entry *x = &l->entries[l->n_entries++];
    x->id = str(e, "id");
    if (!x->id) x->id = ecr_xstrdup("?");
    x->principal = str(e, "principal");
    x->repositories = strv(field(e, "repositories"), &x->n_repositories);
    x->actions = strv(field(e, "actions"), &x->n_actions);
    x->justification = str(e, "justification");
    x->approved_by = str(e, "approved_by");
    x->ticket = str(e, "ticket");
    x->expires = str(e, "expires");
    x->expires_days = -1;
    if (x->expires) ecr_date_parse(x->expires, &x->expires_days);
    x->state =
        (ecr_ledger_state)name_index(cJSON_GetStringValue(field(e, "state")), ledger_state_name,
                                     ECR_LEDGER_INVALID + 1, ECR_LEDGER_INVALID);
    x->reason = str(e, "reason");
    const cJSON *m = field(e, "matched");
    x->matched = ecr_org_json_count(m);
    x->position = l->n_entries;
  }
}

typedef struct set_ref {
  const char *key;
  size_t index;
} set_ref;

static int cmp_set_ref(const void *a, const void *b) {
  return strcmp(((const set_ref *)a)->key, ((const set_ref *)b)->key);
}

ecr_status ecr_org_model_from_json(const char *name, const char *data, size_t len, ecr_report **out,
                                   ecr_ledger **ledger_out, ecr_error *err) {
  *out = NULL;
  *ledger_out = NULL;
  /* the merger has validated the document (UTF-8, JSON, no duplicate key):
     a plain parse is enough */
  cJSON *root = cJSON_ParseWithLength(data, len);
  if (!root) return ecr_error_set(err, ECR_E_INPUT, name, "invalid JSON");
  ecr_report *r = ecr_xcalloc(1, sizeof(*r));
  ecr_ledger *l = ecr_xcalloc(1, sizeof(*l));
  const cJSON *tool = field(root, "tool"), *control = field(root, "control");
  r->tool_version = str(tool, "version");
  r->catalog_version = str(tool, "catalog");
  r->control_id = str(control, "id");
  r->control_name = str(control, "name");
  const cJSON *maps = field(control, "mappings");
  size_t n_maps = cJSON_IsArray(maps) ? (size_t)cJSON_GetArraySize(maps) : 0;
  r->mappings = ecr_xcalloc(n_maps + 1, sizeof(ecr_mapping));
  for (const cJSON *m = n_maps ? maps->child : NULL; m; m = m->next) {
    ecr_mapping *x = &r->mappings[r->n_mappings++];
    x->framework = str(m, "framework");
    x->id = str(m, "id");
    if (!r->control_ref && x->framework && x->id &&
        strcmp(x->framework, "CIS Amazon EKS Benchmark") == 0)
      r->control_ref = ecr_xasprintf("%s %s", x->framework, x->id);
  }
  r->account = str(root, "account");
  r->generated_at = str(root, "generated_at");
  r->as_of = str(root, "as_of");

  /* repository sets, by key */
  const cJSON *sets = field(root, "repository_sets");
  size_t n_sets = cJSON_IsObject(sets) ? (size_t)cJSON_GetArraySize(sets) : 0;
  r->repo_sets = ecr_xcalloc(n_sets + 1, sizeof(ecr_repo_set));
  set_ref *refs = ecr_xcalloc(n_sets + 1, sizeof(set_ref));
  size_t cap_pool = 0;
  for (const cJSON *s = n_sets ? sets->child : NULL; s; s = s->next) {
    ecr_repo_set *rs = &r->repo_sets[r->n_repo_sets];
    refs[r->n_repo_sets].key = s->string;
    refs[r->n_repo_sets].index = r->n_repo_sets;
    r->n_repo_sets++;
    rs->key = ecr_xstrdup(s->string);
    rs->all = cJSON_IsTrue(field(s, "all"));
    const cJSON *repos = field(s, "repositories");
    size_t nr = cJSON_IsArray(repos) ? (size_t)cJSON_GetArraySize(repos) : 0;
    rs->repositories = ecr_xcalloc(nr + 1, sizeof(char *));
    for (const cJSON *e = nr ? repos->child : NULL; e; e = e->next) {
      if (!cJSON_IsString(e)) continue;
      char *arn = ecr_xstrdup(e->valuestring);
      ECR_PUSH(r->name_pool, r->n_name_pool, cap_pool, arn);
      rs->repositories[rs->n++] = arn;
    }
  }
  if (r->n_repo_sets) qsort(refs, r->n_repo_sets, sizeof(set_ref), cmp_set_ref);

  ledger_from(l, field(root, "exceptions"));

  /* findings */
  const cJSON *fs = field(root, "findings");
  size_t nf = cJSON_IsArray(fs) ? (size_t)cJSON_GetArraySize(fs) : 0;
  r->findings = ecr_xcalloc(nf + 1, sizeof(ecr_finding));
  for (const cJSON *o = nf ? fs->child : NULL; o; o = o->next) {
    ecr_finding *f = &r->findings[r->n_findings];
    f->id = str(o, "id");
    f->status = (ecr_check_status)name_index(cJSON_GetStringValue(field(o, "status")), status_name,
                                             ECR_CHECK_COUNT, ECR_CHECK_UNKNOWN);
    f->severity = (ecr_severity)name_index(cJSON_GetStringValue(field(o, "severity")),
                                           severity_name, ECR_SEV_COUNT, ECR_SEV_INFO);
    const cJSON *p = field(o, "principal");
    f->principal = str(p, "arn");
    if (!f->id || !f->principal) {
      free(f->id);
      free(f->principal);
      memset(f, 0, sizeof(*f));
      continue;
    }
    f->principal_kind = (ecr_principal_kind)name_index(
        cJSON_GetStringValue(field(p, "kind")), kind_name, ECR_PK_SERVICE + 1, ECR_PK_EXTERNAL);
    set_ref want = {cJSON_GetStringValue(field(o, "repository_set")), 0};
    const set_ref *hit = want.key && r->n_repo_sets
                             ? bsearch(&want, refs, r->n_repo_sets, sizeof(set_ref), cmp_set_ref)
                             : NULL;
    if (hit) {
      f->repo_set = hit->index;
      f->repositories = r->repo_sets[hit->index].repositories;
      f->n_repositories = r->repo_sets[hit->index].n;
    } else { /* the merger checked it; keep a model that is whole anyway */
      free(f->id);
      free(f->principal);
      memset(f, 0, sizeof(*f));
      continue;
    }
    f->all_repositories = cJSON_IsTrue(field(o, "all_repositories"));
    f->access_level = (ecr_access_level)name_index(cJSON_GetStringValue(field(o, "access_level")),
                                                   level_name, ECR_LEVEL_COUNT, ECR_LEVEL_READ);
    f->actions = strv(field(o, "actions"), &f->n_actions);
    f->decision =
        (ecr_decision)name_index(cJSON_GetStringValue(field(o, "decision")), decision_name,
                                 ECR_DECISION_ALLOW + 1, ECR_DECISION_CONDITIONAL);
    f->undecided_conditions = strv(field(o, "undecided_conditions"), &f->n_undecided);
    f->can_push = cJSON_IsTrue(field(o, "can_push"));
    const cJSON *via = field(o, "via"), *lim = field(o, "limited_by");
    size_t nv = (cJSON_IsArray(via) ? (size_t)cJSON_GetArraySize(via) : 0) +
                (cJSON_IsArray(lim) ? (size_t)cJSON_GetArraySize(lim) : 0);
    f->via = ecr_xcalloc(nv + 1, sizeof(ecr_via));
    for (const cJSON *v = cJSON_IsArray(via) ? via->child : NULL; v; v = v->next)
      if (cJSON_IsObject(v)) via_from(&f->via[f->n_via++], v);
    for (const cJSON *v = cJSON_IsArray(lim) ? lim->child : NULL; v; v = v->next)
      if (cJSON_IsObject(v)) via_from(&f->via[f->n_via++], v);
    const cJSON *om = field(o, "via_omitted");
    f->n_via_omitted = ecr_org_json_count(om);
    f->impact = str(o, "impact");
    f->remediation = str(o, "remediation");
    f->suggested_statement = str(o, "suggested_statement");
    f->status_reason = str(o, "status_reason");
    const char *exc = cJSON_GetStringValue(field(field(o, "exception"), "id"));
    for (size_t k = 0; exc && k < l->n_entries && !f->exception; k++)
      if (strcmp(l->entries[k].id, exc) == 0) f->exception = &l->entries[k];
    r->by_status[f->status]++;
    if (f->status != ECR_CHECK_PASS) r->by_severity[f->severity]++;
    r->by_status_severity[f->status][f->severity]++;
    r->n_findings++;
  }
  free(refs);
  r->overall = r->by_status[ECR_CHECK_FAIL]      ? ECR_CHECK_FAIL
               : r->by_status[ECR_CHECK_UNKNOWN] ? ECR_CHECK_UNKNOWN
                                                 : ECR_CHECK_PASS;
  r->n_not_passing = r->n_findings - r->by_status[ECR_CHECK_PASS];
  build_views(r);

  size_t n_cov = 0;
  r->coverage = strv(field(root, "coverage"), &n_cov);
  r->n_coverage = n_cov;
  const cJSON *ev = field(root, "evidence");
  const cJSON *files = field(ev, "files"), *gaps = field(ev, "gaps");
  size_t nfi = cJSON_IsArray(files) ? (size_t)cJSON_GetArraySize(files) : 0;
  r->files = ecr_xcalloc(nfi + 1, sizeof(ecr_evidence_file));
  for (const cJSON *e = nfi ? files->child : NULL; e; e = e->next) {
    const char *sha = cJSON_GetStringValue(field(e, "sha256"));
    ecr_evidence_file *x = &r->files[r->n_files++];
    x->path = str(e, "path");
    if (!x->path) x->path = ecr_xstrdup("?");
    snprintf(x->sha256, sizeof(x->sha256), "%s", sha ? sha : "");
    const cJSON *sz = field(e, "size");
    x->size = ecr_org_json_count(sz);
  }
  ecr_report_evidence_sha256(r->files, r->n_files, r->evidence_sha256);
  size_t ng = cJSON_IsArray(gaps) ? (size_t)cJSON_GetArraySize(gaps) : 0;
  r->gaps = ecr_xcalloc(ng + 1, sizeof(ecr_gap));
  for (const cJSON *g = ng ? gaps->child : NULL; g; g = g->next) {
    ecr_gap *x = &r->gaps[r->n_gaps++];
    x->source = str(g, "source");
    x->resource = str(g, "resource");
    x->error = str(g, "error");
  }
  const cJSON *led = field(root, "ledger");
  if (cJSON_IsObject(led)) {
    r->ledger_path = str(led, "path");
    const char *sha = cJSON_GetStringValue(field(led, "sha256"));
    snprintf(r->ledger_sha256, sizeof(r->ledger_sha256), "%s", sha ? sha : "");
  }
  r->ledger = l->entries;
  r->n_ledger = l->n_entries;
  cJSON_Delete(root);
  *out = r;
  *ledger_out = l;
  return ECR_OK;
}
