/* Findings, grouped: one principal's grants of one access level with one
 * decision (and one scope: repositories or the registry; and whether
 * evidence gaps touch it), their repository sets, severities, ledger
 * matches, and the findings for evidence gaps. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "report/report_internal.h"

/* ---- severity (the one place: README "Severity") ----------------------------- */
static bool outside(ecr_principal_kind k) {
  return k == ECR_PK_PUBLIC || k == ECR_PK_ACCOUNT || k == ECR_PK_EXTERNAL;
}

/* Principals of the account itself (its users and roles). */
static bool own(ecr_principal_kind k) {
  return k == ECR_PK_USER || k == ECR_PK_ROLE;
}

ecr_severity ecr_rb_severity_of(ecr_access_level level, ecr_principal_kind kind, bool all) {
  bool write_like = level == ECR_LEVEL_WRITE || level == ECR_LEVEL_PERMISSIONS;
  if (write_like && outside(kind)) return ECR_SEV_CRITICAL;
  if (level == ECR_LEVEL_PERMISSIONS) return ECR_SEV_HIGH;
  if (level == ECR_LEVEL_WRITE && all) return ECR_SEV_HIGH;
  if ((level == ECR_LEVEL_READ || level == ECR_LEVEL_LIST) && kind == ECR_PK_PUBLIC)
    return ECR_SEV_HIGH;
  if (level == ECR_LEVEL_WRITE) return ECR_SEV_MEDIUM;
  if (level == ECR_LEVEL_TAGGING) return ECR_SEV_LOW;
  return ECR_SEV_INFO;
}

/* The check fails for Write, Permissions management, Tagging, and for any
 * grant to a principal that is not one of the account's own users and roles
 * (the public, other accounts and their principals, AWS services: a service
 * grant without aws:SourceAccount is a confused-deputy risk). Read and List
 * by the account's own principals pass. */
static bool risky(ecr_access_level level, ecr_principal_kind kind) {
  return level == ECR_LEVEL_WRITE || level == ECR_LEVEL_PERMISSIONS || level == ECR_LEVEL_TAGGING ||
         !own(kind);
}

/* Hand a string to the report's pool (it frees it) and borrow it back. */
char *ecr_rb_pool_add(builder *B, char *owned) {
  ECR_PUSH(B->r->name_pool, B->r->n_name_pool, B->pool_cap, owned);
  return owned;
}

static char *pool_target(builder *B, size_t t) {
  if (!B->target_str[t])
    B->target_str[t] = ecr_rb_pool_add(B, ecr_xstrdup(ecr_matrix_target_resource(B->m, t)));
  return B->target_str[t];
}

bool ecr_rb_target_gap(const builder *B, size_t t) {
  const ecr_matrix *m = B->m;
  if (t >= B->tg.n_repos) return false;
  const ecr_repository *repo = &B->ev->repos[t];
  if (repo->policy_gap) return true;
  long reg = ecr_matrix_target_region(m, t);
  return reg >= 0 && B->ev->regions[reg].registry_policy_gap;
}

static group *find_group(group **gs, size_t *n, size_t *cap, ecr_access_level level, ecr_decision d,
                         ecr_actset actions, bool registry, bool gap) {
  for (size_t i = *n; i-- > 0;) {
    group *g = &(*gs)[i];
    if (g->level == level && g->decision == d && g->actions == actions && g->registry == registry &&
        g->gap == gap)
      return g;
  }
  group g0 = {0};
  g0.level = level;
  g0.decision = d;
  g0.actions = actions;
  g0.registry = registry;
  g0.gap = gap;
  ECR_PUSH(*gs, *n, *cap, g0);
  return &(*gs)[*n - 1];
}

/* ---- repository sets ------------------------------------------------------------- */
static uint64_t set_hash(bool all, const size_t *t, size_t n, const char *literal) {
  uint64_t h = ecr_fnv1a(t, n * sizeof(*t), ECR_FNV1A_SEED ^ (all ? 0x9e3779b97f4a7c15ull : 0));
  return literal ? ecr_fnv1a(literal, strlen(literal), h) : h;
}

/* A set sought in the index. */
typedef struct set_query {
  const builder *B;
  bool all;
  const size_t *t;
  size_t n;
  const char *literal;
  uint64_t hash;
} set_query;

static bool set_equal(const void *ctx, size_t item) {
  const set_query *q = ctx;
  const bset *s = &q->B->sets[item];
  if (s->hash != q->hash || s->all != q->all || s->n != (q->literal ? 1 : q->n) ||
      !s->literal != !q->literal)
    return false;
  if (q->literal) return strcmp(s->literal, q->literal) == 0;
  return memcmp(s->targets, q->t, q->n * sizeof(size_t)) == 0;
}

static uint64_t set_hash_of(const void *ctx, size_t item) {
  return ((const set_query *)ctx)->B->sets[item].hash;
}

static char *pool_target(builder *B, size_t t);

/* The index of the set (targets t[0..n), or one literal resource), made
 * once: the report's set and its repository list are created with it. */
static size_t intern_set(builder *B, bool all, const size_t *t, size_t n, const char *literal) {
  uint64_t h = set_hash(all, t, n, literal);
  set_query q = {B, all, t, n, literal, h};
  bool found;
  size_t at = ecr_index_get(&B->set_index, h, set_equal, set_hash_of, &q, B->n_sets, &found);
  if (found) return at;
  bset s0 = {all, NULL, n, NULL, h, NULL};
  ecr_repo_set rs = {0};
  rs.key = ecr_xasprintf("rs-%zu", B->n_sets + 1);
  rs.all = all;
  if (literal) {
    s0.n = 1;
    s0.literal = ecr_rb_pool_add(B, ecr_xstrdup(literal));
    rs.repositories = ecr_xcalloc(1, sizeof(char *));
    rs.repositories[0] = (char *)s0.literal;
    rs.n = 1;
  } else {
    s0.targets = ecr_xcalloc(n + 1, sizeof(size_t));
    memcpy(s0.targets, t, n * sizeof(size_t));
    rs.repositories = ecr_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) rs.repositories[i] = pool_target(B, t[i]);
    rs.n = n;
  }
  ECR_PUSH(B->sets, B->n_sets, B->sets_cap, s0);
  ECR_PUSH(B->r->repo_sets, B->r->n_repo_sets, B->rsets_cap, rs);
  return B->n_sets - 1;
}

char **ecr_rb_actions_of(ecr_actset set, size_t *n) {
  size_t na = ecr_catalog_count(), cnt = 0;
  char **v = ecr_xcalloc(65, sizeof(char *));
  for (size_t a = 0; a < na; a++)
    if (set & ((ecr_actset)1 << a)) v[cnt++] = ecr_xstrdup(ecr_catalog_action(a)->name);
  *n = cnt;
  return v;
}

char *ecr_rb_join(char *const *v, size_t n, const char *sep, size_t limit) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < n && i < limit; i++) {
    if (i) ecr_buf_puts(&b, sep);
    ecr_buf_puts(&b, v[i]);
  }
  if (n > limit) ecr_buf_printf(&b, "%s... (%zu more)", sep, n - limit);
  return ecr_buf_steal(&b);
}

/* Stable id: a hash of the account, the principal and what makes the
 * finding one (level, decision, scope, gap, and its action set or the
 * resource of a gap finding): same input, same id; two accounts never
 * share one. */
char *ecr_rb_finding_id(const char *account, const char *principal, ecr_access_level level,
                        ecr_decision d, bool registry, bool gap, const char *extra) {
  char *key =
      ecr_xasprintf("%s\n%s\n%s\n%s\n%s\n%s\n%s", account, principal, ecr_access_level_name(level),
                    ecr_decision_name(d), registry ? "registry" : "repositories", gap ? "gap" : "",
                    extra ? extra : "");
  char hex[65];
  ecr_sha256_hex(key, strlen(key), hex);
  free(key);
  hex[16] = '\0';
  return ecr_xasprintf("C0222-%s", hex);
}

/* The condition keys of a conditional finding's conditional statements
 * (sorted, once each): what the evidence leaves undecided. */
static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void ecr_rb_undecided_keys(ecr_finding *f) {
  if (f->decision != ECR_DECISION_CONDITIONAL) return;
  char **keys = NULL;
  size_t n = 0, cap = 0;
  for (size_t i = 0; i < f->n_via; i++) {
    const ecr_via *v = &f->via[i];
    if (!v->conditional) continue;
    for (size_t k = 0; k < v->n_undecided; k++) {
      bool dup = false;
      for (size_t x = 0; x < n && !dup; x++)
        dup = ecr_strcasecmp_ascii(keys[x], v->undecided[k]) == 0;
      if (!dup) ECR_PUSH(keys, n, cap, ecr_xstrdup(v->undecided[k]));
    }
  }
  if (n) qsort(keys, n, sizeof(char *), cmp_str);
  f->undecided_conditions = keys;
  f->n_undecided = n;
}

char *ecr_rb_action_key(ecr_actset set) {
  ecr_buf b;
  ecr_buf_init(&b);
  size_t na = ecr_catalog_count();
  for (size_t a = 0; a < na; a++)
    if (set & ((ecr_actset)1 << a)) {
      ecr_buf_puts(&b, ecr_catalog_action(a)->name);
      ecr_buf_putc(&b, ',');
    }
  return ecr_buf_steal(&b);
}

ecr_finding *ecr_rb_new_finding(builder *B, size_t principal_index) {
  ecr_report *r = B->r;
  ecr_finding f0 = {0};
  ECR_PUSH(r->findings, r->n_findings, B->fcap, f0);
  ecr_grow((void **)&B->finding_principal, &B->fpcap, r->n_findings, sizeof(size_t));
  B->finding_principal[r->n_findings - 1] = principal_index;
  return &r->findings[r->n_findings - 1];
}

/* ---- ledger --------------------------------------------------------------------------------- */
void ecr_rb_apply_ledger(builder *B, ecr_finding *f) {
  if (!B->ledger || f->status == ECR_CHECK_PASS) return;
  /* a grant on every repository, present and future, is covered only by an
     entry whose repository globs also cover a repository not created yet */
  size_t n = f->n_repositories;
  const char **repos = ecr_xcalloc(n + 2, sizeof(char *));
  for (size_t i = 0; i < n; i++) repos[i] = f->repositories[i];
  char *future = NULL;
  if (f->all_repositories && !ecr_finding_registry(f)) {
    future = ecr_xasprintf("arn:%s:ecr:*:%s:repository/*", B->ev->partition, B->ev->account);
    repos[n++] = future;
  }
  const ecr_ledger_entry *e =
      ecr_ledger_match(B->ledger, f->principal, repos, n, (const char *const *)f->actions,
                       f->n_actions, ecr_access_level_name(f->access_level));
  free(repos);
  free(future);
  const ecr_ledger_entry *active = e && e->state == ECR_LEDGER_ACTIVE ? e : NULL;
  const ecr_ledger_entry *expired = e && e->state == ECR_LEDGER_EXPIRED ? e : NULL;
  if (active) {
    f->exception = active;
    f->status = ECR_CHECK_EXCEPTED;
    free(f->status_reason);
    f->status_reason = T("status/excepted",
                         (const char *const[]){"id", active->id, "approved_by", active->approved_by,
                                               "ticket", active->ticket ? active->ticket : "-",
                                               "expires", active->expires, NULL});
  } else if (expired) {
    f->exception = expired;
    char *old = f->status_reason;
    char *lapsed = T("status/lapsed",
                     (const char *const[]){"id", expired->id, "expires", expired->expires, NULL});
    f->status_reason = old ? ecr_xasprintf("%s %s", lapsed, old) : ecr_xstrdup(lapsed);
    free(lapsed);
    free(old);
  }
}

/* ---- one principal's findings ------------------------------------------------------------------
 */
/* Flags besides the row that change a profile's skeleton. */
enum { PF_GAP = 1, PF_OWN = 2, PF_LOGIN = 4 };

static unsigned principal_flags(const builder *B, size_t p) {
  const ecr_matrix_principal *mp = ecr_matrix_principal_at(B->m, p);
  return (ecr_matrix_principal_gap(B->m, p) ? PF_GAP : 0) | (own(mp->kind) ? PF_OWN : 0) |
         (B->can_login[p] ? PF_LOGIN : 0);
}

/* Cell k of a row at decision d (1: allow, 0: conditional only), or 0 when
 * the cell is outside the scope: the registry or the repositories (and the
 * probes, *probe set), with an evidence gap or without (gaps only count
 * for risky levels). */
static ecr_actset scoped_cell(const builder *B, const ecr_matrix_row *row, size_t k, bool registry,
                              bool gap, bool gaps_count, bool principal_gap, int d, bool *probe) {
  size_t t = row->target[k];
  *probe = false;
  if (registry != (t == B->tg.registry)) return 0;
  *probe = ecr_rb_is_probe(B, t);
  if (!registry && !ecr_rb_is_repo(B, t) && !*probe) return 0;
  bool tgap = gaps_count && (ecr_rb_target_gap(B, t) || principal_gap);
  if (tgap != gap) return 0;
  return d ? row->y[k] : row->m[k] & ~row->y[k];
}

/* The findings skeleton of a row. Per access level and decision, actions
 * are grouped by the targets that hold them: a group is the actions with
 * exactly the same targets, so every target of a finding holds every
 * action of it with its decision, and every cell is in one finding. (A
 * principal that may delete everywhere but push only to one repository
 * gets "delete: every repository" and "push: that one", not a union.) */
static void build_profile(builder *B, profile *pf, size_t p) {
  const ecr_matrix *m = B->m;
  const ecr_matrix_row *row = ecr_matrix_row_of(m, p);
  bool principal_gap = pf->flags & PF_GAP;
  ecr_principal_kind kind = pf->flags & PF_OWN ? ECR_PK_USER : ECR_PK_PUBLIC;
  size_t na = ecr_catalog_count();
  group *gs = NULL;
  size_t ng = 0, gcap = 0;
  /* per (level, decision, registry, gap): each action's column of targets,
     hashed as it is scanned */
  for (int L = 0; L < ECR_LEVEL_COUNT; L++) {
    ecr_actset lvl = ecr_catalog_level((ecr_access_level)L);
    bool lrisky = risky((ecr_access_level)L, kind);
    for (int d = 0; d < 2; d++) {
      for (int scope = 0; scope < 4; scope++) { /* bit 0: registry, bit 1: gap */
        bool registry = scope & 1, gap = scope & 2;
        if (gap && !lrisky) continue;
        uint64_t hash[64] = {0};
        size_t count[64] = {0};
        ecr_actset present = 0;
        /* the probes (future repositories) are part of a column: actions
           that agree on every current repository but not on future ones
           are different findings (one may say "every repository") */
        for (size_t k = 0; k < row->n; k++) {
          size_t t = row->target[k];
          bool probe;
          ecr_actset bits =
              scoped_cell(B, row, k, registry, gap, lrisky, principal_gap, d, &probe) & lvl;
          if (!probe) present |= bits;
          while (bits) {
            size_t a = (size_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            hash[a] = (hash[a] ^ (t + 1)) * 0x100000001b3ull;
            count[a]++;
          }
        }
        if (!present) continue;
        /* actions with equal columns (hash and count; then checked) */
        ecr_actset left = present;
        while (left) {
          size_t a0 = (size_t)__builtin_ctzll(left);
          ecr_actset g = 0;
          for (size_t a = a0; a < na; a++)
            if ((left >> a & 1) && hash[a] == hash[a0] && count[a] == count[a0])
              g |= (ecr_actset)1 << a;
          left &= ~g;
          group *grp =
              find_group(&gs, &ng, &gcap, (ecr_access_level)L,
                         d ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL, g, registry, gap);
          bool split = false;
          for (size_t k = 0; k < row->n; k++) {
            bool probe;
            ecr_actset bits =
                scoped_cell(B, row, k, registry, gap, lrisky, principal_gap, d, &probe) & g;
            if (!bits) continue;
            if (bits != g) split = true; /* a hash collision: never a union */
            if (!probe) ECR_PUSH(grp->targets, grp->n, grp->cap, row->target[k]);
          }
          if (split) {
            /* one group per action instead */
            free(grp->targets);
            ng--;
            for (size_t a = a0; a < na; a++) {
              if (!(g >> a & 1)) continue;
              group *one = find_group(&gs, &ng, &gcap, (ecr_access_level)L,
                                      d ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL,
                                      (ecr_actset)1 << a, registry, gap);
              for (size_t k = 0; k < row->n; k++) {
                bool probe;
                ecr_actset bits =
                    scoped_cell(B, row, k, registry, gap, lrisky, principal_gap, d, &probe);
                if (!probe && (bits >> a & 1))
                  ECR_PUSH(one->targets, one->n, one->cap, row->target[k]);
              }
            }
          }
        }
      }
    }
  }
  pf->g = ecr_xcalloc(ng + 1, sizeof(pgroup));
  pf->n = ng;
  ecr_actset push = ecr_catalog_push_set() & B->tg.repo_mask;
  for (size_t i = 0; i < ng; i++) {
    group *g = &gs[i];
    pgroup *pg = &pf->g[i];
    pg->level = g->level;
    pg->decision = g->decision;
    pg->actions = g->actions;
    pg->registry = g->registry;
    pg->gap = g->gap;
    /* every repository now, with exactly these actions and this decision,
       and every repository not created yet too */
    pg->all = !g->registry && B->tg.n_repos > 0 && g->n == B->tg.n_repos &&
              ecr_matrix_future_decision(m, p, g->actions, g->decision);
    /* can push: the whole push set on one of these repositories */
    if (g->level == ECR_LEVEL_WRITE && !g->registry && (pf->flags & PF_LOGIN)) {
      for (size_t k = 0; k < g->n && !pg->can_push; k++) {
        ecr_actset y, c;
        ecr_matrix_get(m, p, g->targets[k], &y, &c);
        if (((y | c) & push) == push) pg->can_push = true;
      }
    }
    size_t reg = B->tg.registry;
    pg->set = g->registry ? intern_set(B, false, &reg, 1, NULL)
                          : intern_set(B, pg->all, g->targets, g->n, NULL);
    free(g->targets);
  }
  free(gs);
}

/* A profile sought in the index. */
typedef struct profile_query {
  const builder *B;
  const void *row;
  unsigned flags;
} profile_query;

static bool profile_equal(const void *ctx, size_t item) {
  const profile_query *q = ctx;
  const profile *pf = &q->B->profiles[item];
  return pf->row == q->row && pf->flags == q->flags;
}

static uint64_t profile_hash_of(const void *ctx, size_t item) {
  return ((const profile_query *)ctx)->B->profiles[item].hash;
}

/* The profile of principal p, built on first use; the pointer holds until
 * the next call. */

const profile *ecr_rb_profile_of(builder *B, size_t p) {
  profile_query q = {B, ecr_matrix_row_of(B->m, p), principal_flags(B, p)};
  uint64_t h = ((uint64_t)(uintptr_t)q.row * 0x9e3779b97f4a7c15ull ^ q.flags) >> 17;
  bool found;
  size_t at = ecr_index_get(&B->profile_index, h, profile_equal, profile_hash_of, &q, B->n_profiles,
                            &found);
  if (found) return &B->profiles[at];
  profile pf0 = {q.row, q.flags, h, NULL, 0, 0};
  ECR_PUSH(B->profiles, B->n_profiles, B->profiles_cap, pf0);
  profile *pf = &B->profiles[at];
  build_profile(B, pf, p);
  pf->cells = ecr_rb_risky_cells(q.row);
  return pf;
}

void ecr_rb_use_set(builder *B, ecr_finding *f, size_t set) {
  f->repo_set = set;
  f->repositories = B->r->repo_sets[set].repositories;
  f->n_repositories = B->r->repo_sets[set].n;
}

void ecr_rb_principal_findings(builder *B, size_t p, const char *as_of) {
  const ecr_matrix *m = B->m;
  const ecr_matrix_principal *mp = ecr_matrix_principal_at(B->m, p);
  const profile *pf = ecr_rb_profile_of(B, p);
  bool any_risky = false;
  for (size_t i = 0; i < pf->n; i++) {
    const pgroup *g = &pf->g[i];
    ecr_finding *f = ecr_rb_new_finding(B, p);
    f->principal = ecr_xstrdup(mp->name);
    f->principal_kind = mp->kind;
    f->access_level = g->level;
    f->decision = g->decision;
    f->actions = ecr_rb_actions_of(g->actions, &f->n_actions);
    ecr_rb_use_set(B, f, g->set);
    f->all_repositories = g->all;
    f->can_push = g->can_push;
    bool is_risky = risky(g->level, mp->kind);
    any_risky |= is_risky;
    f->severity = ecr_rb_severity_of(g->level, mp->kind, g->all || g->registry);
    /* evidence gaps make the affected findings unknown, never pass (only
       risky grants are split by gap: reading by the account's own
       principals passes whatever the missing evidence says) */
    f->status = !is_risky ? ECR_CHECK_PASS : g->gap ? ECR_CHECK_UNKNOWN : ECR_CHECK_FAIL;
    if (f->status == ECR_CHECK_UNKNOWN) {
      if (ecr_matrix_principal_gap(B->m, p)) {
        const ecr_iam_principal *ip = &B->ev->principals[mp->iam_index];
        char *missing = ecr_rb_join(ip->missing_managed, ip->n_missing_managed, ", ", 5);
        if (!ip->n_missing_managed) {
          free(missing);
          missing = ip->n_missing_groups
                        ? ecr_rb_join(ip->missing_groups, ip->n_missing_groups, ", ", 5)
                        : ecr_xstrdup("a group's attached policy");
        }
        f->status_reason =
            T("status/gap-principal", (const char *const[]){"missing", missing, NULL});
        free(missing);
      } else {
        f->status_reason = T("status/gap-finding", NULL);
      }
    }
    char *akey = ecr_rb_action_key(g->actions);
    f->id = ecr_rb_finding_id(B->ev->account, f->principal, g->level, g->decision, g->registry,
                              g->gap, akey);
    free(akey);
    const bset *set = &B->sets[g->set];
    f->via = ecr_matrix_explain_limited(
        m, p, g->registry ? (size_t[]){ECR_MATRIX_REGISTRY} : set->targets,
        g->registry ? 1 : set->n, g->actions,
        f->status == ECR_CHECK_PASS ? VIA_MAX_RESOURCE_PASS : VIA_MAX_RESOURCE, &f->n_via,
        &f->n_via_omitted);
    ecr_rb_undecided_keys(f);
    if (ecr_rb_organization_only(f)) /* the organization, not the public */
      f->severity =
          ecr_rb_severity_of(g->level, ECR_PK_ACCOUNT, g->all || g->registry) == ECR_SEV_CRITICAL
              ? ECR_SEV_HIGH
              : ECR_SEV_LOW;
    ecr_rb_apply_ledger(B, f);
    f->impact = ecr_rb_impact_text(B, f, p);
    f->remediation = ecr_rb_remediation_text(B, f, p, as_of);
  }
  /* a principal whose policies are partly missing and that shows no risky
     access: what is missing may grant it, so the check is unknown */
  if (ecr_matrix_principal_gap(B->m, p) && !any_risky) {
    const ecr_iam_principal *ip = &B->ev->principals[mp->iam_index];
    ecr_finding *f = ecr_rb_new_finding(B, p);
    f->principal = ecr_xstrdup(mp->name);
    f->principal_kind = mp->kind;
    f->access_level = ECR_LEVEL_WRITE;
    f->decision = ECR_DECISION_CONDITIONAL;
    char *every = ecr_xasprintf("arn:%s:ecr:*:%s:repository/*", B->ev->partition, B->ev->account);
    ecr_rb_use_set(B, f, intern_set(B, false, NULL, 0, every));
    free(every);
    f->actions = ecr_xcalloc(1, sizeof(char *));
    f->severity = ECR_SEV_MEDIUM;
    f->status = ECR_CHECK_UNKNOWN;
    char *missing = ip->n_missing_managed
                        ? ecr_rb_join(ip->missing_managed, ip->n_missing_managed, ", ", 5)
                        : ecr_rb_join(ip->missing_groups, ip->n_missing_groups, ", ", 5);
    if (!missing[0]) {
      free(missing);
      missing = ecr_xstrdup("a group's attached policy");
    }
    f->status_reason = T("status/gap-principal", (const char *const[]){"missing", missing, NULL});
    f->id = ecr_rb_finding_id(B->ev->account, f->principal, ECR_LEVEL_WRITE,
                              ECR_DECISION_CONDITIONAL, false, true, "principal-gap");
    f->impact = T("impact/gap", NULL);
    f->remediation =
        T("remediation/gap-principal", (const char *const[]){"missing", missing, NULL});
    free(missing);
    ecr_rb_apply_ledger(B, f);
  }
}

void ecr_rb_gap_finding(builder *B, const char *resource, const char *error, gap_kind kind,
                        const char *region_name) {
  bool region = kind == GAP_REGION;
  ecr_finding *f = ecr_rb_new_finding(B, (size_t)-1);
  f->principal = ecr_xstrdup("*");
  f->principal_kind = ECR_PK_PUBLIC;
  f->access_level = ECR_LEVEL_WRITE;
  f->decision = ECR_DECISION_CONDITIONAL;
  char *res = kind == GAP_SCP
                  ? ecr_xasprintf("arn:%s:ecr:*:%s:repository/*", B->ev->partition, B->ev->account)
              : region ? ecr_xasprintf("arn:%s:ecr:%s:%s:repository/*", B->ev->partition,
                                       region_name, B->ev->account)
                       : ecr_xstrdup(resource);
  ecr_rb_use_set(B, f, intern_set(B, false, NULL, 0, res));
  free(res);
  f->actions = ecr_xcalloc(1, sizeof(char *));
  f->severity = ECR_SEV_MEDIUM;
  f->status = ECR_CHECK_UNKNOWN;
  const char *kv[] = {"resource", resource,
                      "error",    error ? error : "not collected",
                      "region",   region_name ? region_name : "",
                      NULL};
  static const char *const status_t[] = {"status/gap-repo", "status/gap-region", "status/gap-scp"};
  static const char *const remedy_t[] = {"remediation/gap-repo", "remediation/gap-region",
                                         "remediation/gap-scp"};
  f->status_reason = T(status_t[kind], kv);
  f->impact = T("impact/gap", NULL);
  /* an explicit Deny in the repository's own policy: only that policy can exempt the auditor */
  bool denied_there =
      kind == GAP_REPO && error && strstr(error, "explicit deny in a resource-based policy");
  f->remediation = T(denied_there ? "remediation/gap-repo-denied" : remedy_t[kind], kv);
  f->id = ecr_rb_finding_id(B->ev->account, "*", ECR_LEVEL_WRITE, ECR_DECISION_CONDITIONAL, false,
                            true, resource);
  ecr_rb_apply_ledger(B, f);
}
