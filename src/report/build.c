/* The findings stage's entry points (ecr_report_build*): the report's header,
 * the repository and principal views, sorting, coverage and the evidence
 * lists; the findings themselves come from findings.c and chains.c. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "report/report_internal.h"

/* ---- who uses a principal ----------------------------------------------------------- */
static void used_by_add(ecr_buf *b, const char *s) {
  if (strstr(b->data ? b->data : "", s)) return;
  if (b->len) ecr_buf_puts(b, "; ");
  ecr_buf_puts(b, s);
}

/* Trust policy -> "codebuild.amazonaws.com; GitHub Actions OIDC (repo:acme/app:*); account 4444..."
 */
char *ecr_rb_trust_summary(const ecr_evidence *ev, const ecr_iam_principal *ip) {
  if (!ip->trust) return NULL;
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < ip->trust->n_statements; i++) {
    const ecr_statement *s = &ip->trust->statements[i];
    if (s->deny || s->not_principal) continue;
    for (size_t k = 0; k < s->n_principals; k++) {
      const ecr_principal_ref *p = &s->principals[k];
      char *t = NULL;
      switch (p->type) {
      case ECR_PT_SERVICE:
        t = T("trust/service", (const char *const[]){"service", p->value, NULL});
        break;
      case ECR_PT_STAR: t = T("trust/public", NULL); break;
      case ECR_PT_FEDERATED: {
        const char *const kv[] = {"provider", p->value, NULL};
        if (strstr(p->value, "token.actions.githubusercontent.com")) {
          /* the sub the statement pins (StringEquals / StringLike), the first value */
          size_t n = 0;
          const char *const *sub =
              s->condition ? ecr_condition_values(s->condition,
                                                  "token.actions.githubusercontent.com:sub", &n)
                           : NULL;
          t = n ? T("trust/github", (const char *const[]){"sub", sub[0], NULL})
                : T("trust/github-any", NULL);
        } else if (strstr(p->value, ":saml-provider/")) {
          t = T("trust/saml", kv);
        } else if (strstr(p->value, ":oidc-provider/")) {
          t = T("trust/oidc", kv);
        } else {
          t = T("trust/federated", kv);
        }
        break;
      }
      case ECR_PT_AWS: {
        const char *arn = p->value;
        char acct[13] = "";
        const char *c = arn;
        for (int f = 0; f < 4 && c; f++) {
          c = strchr(c, ':');
          if (c) c++;
        }
        if (c && strlen(c) >= 12) memcpy(acct, c, 12);
        if (acct[0] && strcmp(acct, ev->account) != 0)
          t = T("trust/other-account", (const char *const[]){"arn", arn, NULL});
        else if (strstr(arn, ":root"))
          t = T("trust/own-account", NULL);
        else
          t = ecr_xstrdup(arn);
        break;
      }
      case ECR_PT_CANONICAL: t = ecr_xstrdup(p->value); break;
      }
      if (t) {
        used_by_add(&b, t);
        free(t);
      }
    }
  }
  if (!b.len) {
    ecr_buf_cleanup(&b);
    return NULL;
  }
  return ecr_buf_steal(&b);
}

char *ecr_rb_account_in(const char *arn) {
  const char *c = arn;
  for (int f = 0; f < 4 && c; f++) {
    c = strchr(c, ':');
    if (c) c++;
  }
  if (!c || strlen(c) < 12) return ecr_xstrdup("?");
  return ecr_xstrndup(c, 12);
}

/* ---- repository view (push / delete / permissions / tag) ----------------------------- */
typedef struct access_list {
  ecr_repo_access **v;
  size_t *n;
  size_t cap;
} access_list;

static void add_access(access_list *l, const char *principal, ecr_decision d) {
  ecr_repo_access a = {principal, d, false};
  ECR_PUSH(*l->v, *l->n, l->cap, a);
}

static void build_repo_views(builder *B) {
  const ecr_matrix *m = B->m;
  ecr_report *r = B->r;
  r->n_repo_views = B->tg.n_repos;
  r->repositories = ecr_xcalloc(B->tg.n_repos + 1, sizeof(ecr_repo_view));
  B->first_pusher = ecr_xcalloc(B->tg.n_repos + 1, sizeof(size_t));
  B->n_pushers = ecr_xcalloc(B->tg.n_repos + 1, sizeof(size_t));
  for (size_t i = 0; i < B->tg.n_repos; i++) {
    const ecr_repository *repo = &B->ev->repos[i];
    ecr_repo_view *v = &r->repositories[i];
    v->arn = ecr_xstrdup(repo->arn);
    v->name = ecr_xstrdup(repo->name);
    v->region = ecr_xstrdup(repo->region);
    v->has_policy = repo->policy != NULL;
    v->gap = ecr_rb_target_gap(B, i);
    if (v->gap) {
      const char *e = repo->gap_error;
      long reg = ecr_matrix_target_region(m, i);
      if (!e && reg >= 0) e = B->ev->regions[reg].gap_error;
      v->gap_error = ecr_xstrdup(e ? e : "not collected");
    }
  }
  ecr_actset push = ecr_catalog_push_set() & B->tg.repo_mask;
  ecr_actset del = (ecr_actset)1 << ecr_catalog_find("ecr:BatchDeleteImage") |
                   (ecr_actset)1 << ecr_catalog_find("ecr:DeleteRepository");
  ecr_actset perm = (ecr_actset)1 << ecr_catalog_find("ecr:SetRepositoryPolicy") |
                    (ecr_actset)1 << ecr_catalog_find("ecr:DeleteRepositoryPolicy");
  ecr_actset tag = (ecr_actset)1 << ecr_catalog_find("ecr:TagResource") |
                   (ecr_actset)1 << ecr_catalog_find("ecr:UntagResource");
  ecr_actset login = (ecr_actset)1 << ecr_catalog_find("ecr:GetAuthorizationToken");
  /* images are written by pushing, and by another account's replication
     into the repository (ecr:ReplicateImage granted by the registry policy:
     the replication service acts for the source account; for the account's
     own principals it is a permission, not a way to write) */
  ecr_actset replicate_bit = (ecr_actset)1 << ecr_catalog_find("ecr:ReplicateImage");
  B->can_login = ecr_xcalloc(ecr_matrix_principal_count(m) + 1, sizeof(bool));
  for (size_t p = 0; p < ecr_matrix_principal_count(m); p++)
    ecr_rb_pool_add(B, ecr_xstrdup(ecr_matrix_principal_at(m, p)->name));
  access_list *lists = ecr_xcalloc(4 * B->tg.n_repos + 1, sizeof(access_list));
  for (size_t i = 0; i < B->tg.n_repos; i++) {
    ecr_repo_view *v = &r->repositories[i];
    lists[4 * i] = (access_list){&v->push, &v->n_push, 0};
    lists[4 * i + 1] = (access_list){&v->delete_, &v->n_delete, 0};
    lists[4 * i + 2] = (access_list){&v->permissions, &v->n_permissions, 0};
    lists[4 * i + 3] = (access_list){&v->tag, &v->n_tag, 0};
  }
  /* A principal that holds an access on every repository with one decision
     is listed once, in r->everywhere, not in each repository's list (a
     10,000-principal account where most are administrators would otherwise
     hold principals x repositories entries). */
  size_t ecap[ECR_ACCESS_COUNT] = {0};
  for (size_t p = 0; p < ecr_matrix_principal_count(m); p++) {
    const ecr_matrix_principal *mp = ecr_matrix_principal_at(B->m, p);
    const ecr_matrix_row *row = ecr_matrix_row_of(B->m, p);
    /* own principals log in through their own GetAuthorizationToken; others
       get their token from their own account, which we cannot see */
    bool own = mp->iam_index >= 0;
    ecr_actset ly = 0, lm = 0;
    ecr_matrix_get(m, p, ECR_MATRIX_REGISTRY, &ly, &lm);
    bool login_y = !own || (ly & login), login_m = !own || ((ly | lm) & login);
    B->can_login[p] = login_m;
    ecr_actset replicate = own ? 0 : replicate_bit;
    const char *who = r->name_pool[p];
    /* pass 1: on how many repositories each access is held, per decision */
    size_t cnt[ECR_ACCESS_COUNT][2] = {{0}};
    for (size_t k = 0; k < row->n; k++) {
      size_t t = row->target[k];
      if (!ecr_rb_is_repo(B, t)) continue;
      ecr_actset y = row->y[k], mm = row->m[k];
      if (((mm & push) == push && login_m) || (mm & replicate)) {
        cnt[0][((y & push) == push && login_y) || (y & replicate)]++;
        if (B->n_pushers[t]++ == 0) B->first_pusher[t] = p;
      }
      if (mm & del) cnt[1][(y & del) != 0]++;
      if (mm & perm) cnt[2][(y & perm) != 0]++;
      if (mm & tag) cnt[3][(y & tag) != 0]++;
    }
    bool every[ECR_ACCESS_COUNT];
    for (int a = 0; a < ECR_ACCESS_COUNT; a++) {
      every[a] = B->tg.n_repos > 0 && (cnt[a][0] == B->tg.n_repos || cnt[a][1] == B->tg.n_repos);
      if (every[a]) {
        ecr_repo_access e = {
            who, cnt[a][1] == B->tg.n_repos ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL, true};
        ECR_PUSH(r->everywhere[a], r->n_everywhere[a], ecap[a], e);
      }
    }
    if (every[0] && every[1] && every[2] && every[3]) continue;
    /* pass 2: the other accesses, repository by repository */
    for (size_t k = 0; k < row->n; k++) {
      size_t t = row->target[k];
      if (!ecr_rb_is_repo(B, t)) continue;
      ecr_actset y = row->y[k], mm = row->m[k];
      if (!every[0] && (((mm & push) == push && login_m) || (mm & replicate))) {
        bool sure = ((y & push) == push && login_y) || (y & replicate);
        add_access(&lists[4 * t], who, sure ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL);
      }
      if (!every[1] && (mm & del))
        add_access(&lists[4 * t + 1], who,
                   (y & del) ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL);
      if (!every[2] && (mm & perm))
        add_access(&lists[4 * t + 2], who,
                   (y & perm) ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL);
      if (!every[3] && (mm & tag))
        add_access(&lists[4 * t + 3], who,
                   (y & tag) ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL);
    }
  }
  free(lists);
}

/* ---- sorting and views
 * ------------------------------------------------------------------------------ */
static int status_rank(ecr_check_status s) {
  switch (s) {
  case ECR_CHECK_FAIL: return 0;
  case ECR_CHECK_UNKNOWN: return 1;
  case ECR_CHECK_EXCEPTED: return 2;
  default: return 3;
  }
}

typedef struct fsort {
  ecr_finding f;
  size_t principal;
} fsort;

static int cmp_finding(const void *a, const void *b) {
  const ecr_finding *x = &((const fsort *)a)->f, *y = &((const fsort *)b)->f;
  int c = status_rank(x->status) - status_rank(y->status);
  if (c) return c;
  if (x->severity != y->severity) return (int)x->severity - (int)y->severity;
  c = strcmp(x->principal, y->principal);
  if (c) return c;
  if (x->access_level != y->access_level) return (int)y->access_level - (int)x->access_level;
  return strcmp(x->id, y->id);
}

static int cmp_pview(const void *a, const void *b) {
  const ecr_principal_view *x = a, *y = b;
  int c = status_rank(x->worst_status) - status_rank(y->worst_status);
  if (c) return c;
  if (x->worst_severity != y->worst_severity)
    return (int)x->worst_severity - (int)y->worst_severity;
  return strcmp(x->principal, y->principal);
}

/* An orphan view sought by name: orphan_view[item] is its view index + 1. */
typedef struct view_query {
  const ecr_principal_view *views;
  const size_t *orphan_view;
  const char *name;
} view_query;

static bool view_equal(const void *ctx, size_t item) {
  const view_query *q = ctx;
  return strcmp(q->views[q->orphan_view[item] - 1].principal, q->name) == 0;
}

static uint64_t view_hash_of(const void *ctx, size_t item) {
  const view_query *q = ctx;
  const char *s = q->views[q->orphan_view[item] - 1].principal;
  return ecr_fnv1a(s, strlen(s), ECR_FNV1A_SEED);
}

static void build_principal_views(builder *B) {
  ecr_report *r = B->r;
  const ecr_matrix *m = B->m;
  /* one view per principal with findings, in finding order of first
     appearance; gap findings (no matrix principal) join the view of their
     principal name ("*") */
  ecr_principal_view *views = ecr_xcalloc(r->n_findings + 1, sizeof(ecr_principal_view));
  size_t nv = 0;
  size_t *view_of =
      ecr_xcalloc(ecr_matrix_principal_count(m) + 1, sizeof(size_t)); /* view index + 1 */
  /* principals outside the matrix (chain starts, "*" of gap findings): by name */
  ecr_index orphans = {0};
  size_t *orphan_view = ecr_xcalloc(r->n_findings + 1, sizeof(size_t)); /* view index + 1 */
  size_t n_orphans = 0;
  size_t *fcaps = ecr_xcalloc(r->n_findings + 1, sizeof(size_t));
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    size_t p = B->finding_principal[i];
    if (p == (size_t)-1) {
      long k = ecr_rb_matrix_find(m, f->principal);
      if (k >= 0) p = (size_t)k;
    }
    size_t *slot;
    if (p != (size_t)-1) {
      slot = &view_of[p];
    } else {
      view_query q = {views, orphan_view, f->principal};
      bool found;
      size_t at =
          ecr_index_get(&orphans, ecr_fnv1a(f->principal, strlen(f->principal), ECR_FNV1A_SEED),
                        view_equal, view_hash_of, &q, n_orphans, &found);
      if (!found) n_orphans++;
      slot = &orphan_view[at];
    }
    if (!*slot) {
      ecr_principal_view *pv = &views[nv++];
      *slot = nv;
      pv->principal = ecr_xstrdup(f->principal);
      pv->kind = f->principal_kind;
      pv->worst_status = ECR_CHECK_PASS;
      pv->worst_severity = ECR_SEV_INFO;
      const ecr_iam_principal *ip = NULL;
      if (p != (size_t)-1 && ecr_matrix_principal_at(m, p)->iam_index >= 0)
        ip = &B->ev->principals[ecr_matrix_principal_at(m, p)->iam_index];
      pv->name = ecr_xstrdup(ip ? ip->name : f->principal);
      if (ip) {
        pv->used_by = ip->cls == ECR_PRINCIPAL_ROLE ? ecr_rb_trust_summary(B->ev, ip) : NULL;
        pv->last_used = ip->last_used ? ecr_xstrdup(ip->last_used) : NULL;
        pv->service_linked = ip->service_linked;
        pv->evidence_gap = ecr_matrix_principal_gap(m, p);
      }
    }
    size_t v = *slot - 1;
    ecr_principal_view *pv = &views[v];
    ECR_PUSH(pv->findings, pv->n_findings, fcaps[v], i);
    if (status_rank(f->status) < status_rank(pv->worst_status)) pv->worst_status = f->status;
    if (f->status != ECR_CHECK_PASS && f->severity < pv->worst_severity)
      pv->worst_severity = f->severity;
  }
  free(fcaps);
  free(view_of);
  free(orphan_view);
  ecr_index_cleanup(&orphans);
  qsort(views, nv, sizeof(ecr_principal_view), cmp_pview);
  r->principals = views;
  r->n_principal_views = nv;
}

static void add_coverage(ecr_report *r, size_t *cap, char *s) {
  ECR_PUSH(r->coverage, r->n_coverage, *cap, s);
}

static void build_coverage(builder *B) {
  ecr_report *r = B->r;
  const ecr_evidence *ev = B->ev;
  size_t cap = 0, cond = 0;
  for (size_t i = 0; i < r->n_findings; i++)
    if (r->findings[i].decision == ECR_DECISION_CONDITIONAL &&
        r->findings[i].status != ECR_CHECK_UNKNOWN)
      cond++;
  if (cond) {
    char n[32];
    snprintf(n, sizeof(n), "%zu", cond);
    add_coverage(r, &cap, T("coverage/conditions", (const char *const[]){"count", n, NULL}));
  }
  add_coverage(r, &cap, T("coverage/sessions", NULL));
  {
    char n[32], hops[8], capn[8];
    snprintf(n, sizeof(n), "%zu", B->n_chain_findings);
    snprintf(hops, sizeof(hops), "%d", ECR_PATHS_MAX_HOPS);
    snprintf(capn, sizeof(capn), "%d", CHAIN_MAX_ROLES);
    add_coverage(r, &cap, T("coverage/chains", (const char *const[]){"n", n, "hops", hops, NULL}));
    snprintf(n, sizeof(n), "%zu", B->n_chain_capped);
    if (B->n_chain_capped)
      add_coverage(r, &cap,
                   T("coverage/chains-capped", (const char *const[]){"n", n, "cap", capn, NULL}));
  }
  if (!ev->scps_present) add_coverage(r, &cap, T("coverage/no-scps", NULL));
  /* RCPs, organization and tag evidence: what was decided and what not */
  bool management =
      ev->org_management_account && strcmp(ev->org_management_account, ev->account) == 0;
  if (management) {
    add_coverage(r, &cap, T("coverage/rcps-management", NULL));
  } else if (ev->rcps_present && ev->n_rcp_levels) {
    char lv[32];
    snprintf(lv, sizeof(lv), "%zu", ev->n_rcp_levels);
    add_coverage(r, &cap, T("coverage/rcps", (const char *const[]){"levels", lv, NULL}));
  } else {
    add_coverage(r, &cap, T("coverage/no-rcps", NULL));
  }
  if (!ev->org_present)
    add_coverage(
        r, &cap,
        T("coverage/no-organization",
          (const char *const[]){"accounts", ev->accounts_present ? "" : ", accounts.json", NULL}));
  {
    ecr_buf untagged;
    ecr_buf_init(&untagged);
    for (size_t i = 0; i < ev->n_regions; i++)
      if (!ev->regions[i].tags_present)
        ecr_buf_printf(&untagged, "%s%s", untagged.len ? ", " : "", ev->regions[i].name);
    if (untagged.len)
      add_coverage(r, &cap,
                   T("coverage/no-tags", (const char *const[]){"regions", untagged.data, NULL}));
    ecr_buf_cleanup(&untagged);
    size_t tagged_sessions = 0;
    for (size_t i = 0; i < ev->n_principals; i++)
      tagged_sessions += ecr_matrix_tag_session(B->m, i);
    if (tagged_sessions) {
      char n[32];
      snprintf(n, sizeof(n), "%zu", tagged_sessions);
      add_coverage(r, &cap, T("coverage/session-tags", (const char *const[]){"count", n, NULL}));
    }
  }
  if (ev->n_regions) {
    char **names = ecr_xcalloc(ev->n_regions + 1, sizeof(char *));
    for (size_t i = 0; i < ev->n_regions; i++) names[i] = ev->regions[i].name;
    char *list = ecr_rb_join(names, ev->n_regions, ", ", 64);
    add_coverage(r, &cap, T("coverage/regions", (const char *const[]){"regions", list, NULL}));
    free(list);
    free(names);
  } else {
    add_coverage(r, &cap, T("coverage/no-regions", NULL));
  }
  /* external accounts, once each */
  char **seen = NULL;
  size_t nseen = 0, scap = 0;
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    if (f->principal_kind != ECR_PK_ACCOUNT && f->principal_kind != ECR_PK_EXTERNAL) continue;
    if (!ecr_str_has_prefix(f->principal, "arn:")) continue;
    char *acct = ecr_rb_account_in(f->principal);
    bool dup = false;
    for (size_t k = 0; k < nseen; k++) dup |= strcmp(seen[k], acct) == 0;
    if (dup) {
      free(acct);
      continue;
    }
    ECR_PUSH(seen, nseen, scap, acct);
    add_coverage(r, &cap, T("coverage/external", (const char *const[]){"account", acct, NULL}));
  }
  for (size_t k = 0; k < nseen; k++) free(seen[k]);
  free(seen);
  for (size_t i = 0; i < ev->n_gaps; i++)
    add_coverage(r, &cap,
                 T("coverage/gap",
                   (const char *const[]){"source", ev->gaps[i].source, "resource",
                                         ev->gaps[i].resource, "error", ev->gaps[i].error, NULL}));
  add_coverage(r, &cap, T("coverage/registry-level", NULL));
  add_coverage(r, &cap, T("coverage/root-user", NULL));
  if (!ev->collected_at) add_coverage(r, &cap, T("coverage/no-manifest", NULL));
  add_coverage(r, &cap, T("coverage/public-ecr", NULL));
}

ecr_status ecr_report_build(const ecr_evidence *ev, const ecr_matrix *m, ecr_ledger *ledger,
                            const char *as_of, ecr_report **out, ecr_error *err) {
  return ecr_report_build_with_paths(ev, m, ledger, as_of, NULL, out, err);
}

ecr_status ecr_report_build_with_paths(const ecr_evidence *ev, const ecr_matrix *m,
                                       ecr_ledger *ledger, const char *as_of, ecr_paths *paths,
                                       ecr_report **out, ecr_error *err) {
  *out = NULL;
  if (!ecr_date_parse(as_of, NULL))
    return ecr_error_set(err, ECR_E_USAGE, NULL, "as-of date %s is not YYYY-MM-DD", as_of);
  builder B = {0};
  B.ev = ev;
  B.m = m;
  B.ledger = ledger;
  ecr_report *r = B.r = ecr_xcalloc(1, sizeof(ecr_report));
  B.tg = ecr_matrix_layout_of(m);
  B.target_str = ecr_xcalloc(B.tg.n_targets + 1, sizeof(char *));
  r->tool_version = ecr_xstrdup(ECRAUDIT_VERSION);
  r->catalog_version = ecr_xstrdup(ecr_catalog_version());
  r->control_id = ecr_xstrdup(ecr_control_id());
  r->control_name = ecr_xstrdup(ecr_control_name());
  r->control_ref = ecr_xstrdup(ecr_control_ref());
  r->account = ecr_xstrdup(ev->account);
  r->caller_arn = ecr_xstrdup(ev->caller_arn);
  r->evidence_time = ecr_xstrdup(ev->collected_at);
  char now[21];
  ecr_time_iso8601(ecr_time_now(), now);
  r->generated_at = ecr_xstrdup(now);
  r->as_of = ecr_xstrdup(as_of);
  r->n_regions = ev->n_regions;
  r->regions = ecr_xcalloc(ev->n_regions + 1, sizeof(char *));
  for (size_t i = 0; i < ev->n_regions; i++) r->regions[i] = ecr_xstrdup(ev->regions[i].name);
  r->n_principals_evaluated = ev->n_principals;
  r->n_repositories = ev->n_repos;

  build_repo_views(&B);
  B.as_of = as_of;
  for (size_t p = 0; p < ecr_matrix_principal_count(m); p++)
    ecr_rb_principal_findings(&B, p, as_of);
  ecr_rb_chain_findings(&B, paths);
  for (size_t i = 0; i < ev->n_repos; i++)
    if (ev->repos[i].policy_gap)
      ecr_rb_gap_finding(&B, ev->repos[i].arn, ev->repos[i].gap_error, GAP_REPO, NULL);
  for (size_t i = 0; i < ev->n_regions; i++) {
    const ecr_region *reg = &ev->regions[i];
    if (reg->repositories_gap)
      ecr_rb_gap_finding(&B, reg->name, reg->gap_error, GAP_REGION, reg->name);
    else if (reg->registry_policy_gap) {
      char *res = ecr_xasprintf("the registry policy of %s", reg->name);
      ecr_rb_gap_finding(&B, res, reg->gap_error, GAP_REPO, NULL);
      free(res);
    }
  }
  for (size_t i = 0; i < ev->n_gaps; i++) {
    const ecr_gap *g = &ev->gaps[i];
    if (strcmp(g->source, "ecr:DescribeRepositories") == 0 && strcmp(g->resource, "*") == 0)
      ecr_rb_gap_finding(&B, "*", g->error, GAP_REGION, "*");
    else if (ecr_str_has_prefix(g->source, "organizations:"))
      ecr_rb_gap_finding(&B, g->resource[0] ? g->resource : "the organization", g->error, GAP_SCP,
                         NULL);
  }

  /* sort findings, keeping their principal indices alongside */
  fsort *fs = ecr_xcalloc(r->n_findings + 1, sizeof(fsort));
  for (size_t i = 0; i < r->n_findings; i++) {
    fs[i].f = r->findings[i];
    fs[i].principal = B.finding_principal[i];
  }
  qsort(fs, r->n_findings, sizeof(fsort), cmp_finding);
  for (size_t i = 0; i < r->n_findings; i++) {
    r->findings[i] = fs[i].f;
    B.finding_principal[i] = fs[i].principal;
  }
  free(fs);
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    r->by_status[f->status]++;
    if (f->status != ECR_CHECK_PASS) r->by_severity[f->severity]++;
    r->by_status_severity[f->status][f->severity]++;
  }
  r->overall = r->by_status[ECR_CHECK_FAIL]      ? ECR_CHECK_FAIL
               : r->by_status[ECR_CHECK_UNKNOWN] ? ECR_CHECK_UNKNOWN
                                                 : ECR_CHECK_PASS;
  build_principal_views(&B);
  if (ledger) {
    ecr_ledger_mark_unused(ledger);
    r->ledger_path = ecr_xstrdup(ledger->path);
    memcpy(r->ledger_sha256, ledger->sha256, 65);
    r->ledger = ledger->entries;
    r->n_ledger = ledger->n_entries;
  }
  build_coverage(&B);
  r->n_files = ev->n_files;
  r->files = ecr_xcalloc(ev->n_files + 1, sizeof(ecr_evidence_file));
  for (size_t i = 0; i < ev->n_files; i++) {
    r->files[i] = ev->files[i];
    r->files[i].path = ecr_xstrdup(ev->files[i].path);
  }
  r->n_gaps = ev->n_gaps;
  r->gaps = ecr_xcalloc(ev->n_gaps + 1, sizeof(ecr_gap));
  for (size_t i = 0; i < ev->n_gaps; i++) {
    r->gaps[i].source = ecr_xstrdup(ev->gaps[i].source);
    r->gaps[i].resource = ecr_xstrdup(ev->gaps[i].resource);
    r->gaps[i].error = ecr_xstrdup(ev->gaps[i].error);
  }
  ecr_report_evidence_sha256(r->files, r->n_files, r->evidence_sha256);
  ecr_report_pack(r);
  free(B.first_pusher);
  free(B.n_pushers);
  free(B.can_login);
  free(B.finding_principal);
  free(B.target_str);
  for (size_t i = 0; i < B.n_sets; i++) {
    free(B.sets[i].targets);
    cJSON_Delete(B.sets[i].globs);
  }
  free(B.sets);
  ecr_index_cleanup(&B.set_index);
  for (size_t i = 0; i < B.n_profiles; i++) free(B.profiles[i].g);
  free(B.profiles);
  ecr_index_cleanup(&B.profile_index);
  *out = r;
  return ECR_OK;
}
