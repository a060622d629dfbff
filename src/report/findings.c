/* Findings, impact notes, remediation and the report model.
 *
 * A finding groups one principal's grants of one access level with one
 * decision (and one scope: repositories or the registry; and whether
 * evidence gaps touch it). Wording comes from templates/text/; this file
 * decides what is said, never how it is phrased.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "ecraudit/findings.h"
#include "ecraudit/paths.h"
#include "evaluate/matrix_internal.h"
#include "util/util.h"

/* ---- templates ------------------------------------------------------------ */
/* templates/text/<name>.txt expanded with kv (ecr_text). Every name is a
 * string literal of this file ("dir/name"), and test_report checks that each
 * one is embedded. Caller frees. */
#define T ecr_text

static void para(ecr_buf *b, char *s) {
  if (!s) return;
  if (b->len) ecr_buf_putc(b, b->data[b->len - 1] == '\n' ? '\n' : ' ');
  ecr_buf_puts(b, s);
  free(s);
}

/* ---- what a statement's Condition already limits ------------------------------------ */
/* The values a statement compares `key` with through an equality or Like
 * operator (String*, ForAnyValue:String*, Arn*), as a cJSON array owned by
 * the caller; NULL when the statement has no such test of the key. */
static cJSON *condition_values(const char *statement_json, const char *key) {
  if (!statement_json) return NULL;
  cJSON *j = cJSON_Parse(statement_json), *out = NULL;
  const cJSON *cond = cJSON_GetObjectItemCaseSensitive(j, "Condition"), *op, *k;
  cJSON_ArrayForEach(op, cond) {
    const char *name = op->string;
    if (ecr_str_has_prefix(name, "ForAnyValue:")) name += strlen("ForAnyValue:");
    if (!ecr_str_has_prefix(name, "StringEquals") && !ecr_str_has_prefix(name, "StringLike") &&
        !ecr_str_has_prefix(name, "ArnEquals") && !ecr_str_has_prefix(name, "ArnLike"))
      continue;
    cJSON_ArrayForEach(k, op) {
      if (!k->string || ecr_strcasecmp_ascii(k->string, key) != 0) continue;
      if (!out) out = cJSON_CreateArray();
      if (cJSON_IsArray(k)) {
        const cJSON *v;
        cJSON_ArrayForEach(v, k) cJSON_AddItemToArray(out, cJSON_Duplicate(v, 1));
      } else {
        cJSON_AddItemToArray(out, cJSON_Duplicate(k, 1));
      }
    }
  }
  cJSON_Delete(j);
  return out;
}

/* Does every granting statement of the finding test `key` (one of keys)? */
static bool grants_all_test(const ecr_finding *f, const char *const *keys) {
  size_t grants = 0;
  for (size_t i = 0; i < f->n_via; i++) {
    const ecr_via *v = &f->via[i];
    if (v->deny) continue;
    grants++;
    bool has = false;
    for (size_t k = 0; keys[k] && !has; k++) {
      cJSON *vals = condition_values(v->json, keys[k]);
      has = vals != NULL;
      cJSON_Delete(vals);
    }
    if (!has) return false;
  }
  return grants > 0 && f->n_via_omitted == 0;
}

static const char *const org_keys[] = {"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", NULL};
static const char *const deputy_keys[] = {"aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID",
                                          NULL};

/* A public grant that only the organization can use: every granting
 * statement limits aws:PrincipalOrgID (or OrgPaths). */
static bool organization_only(const ecr_finding *f) {
  return f->principal_kind == ECR_PK_PUBLIC && f->decision == ECR_DECISION_CONDITIONAL &&
         grants_all_test(f, org_keys);
}

/* A service grant guarded against the confused deputy. */
static bool deputy_guarded(const ecr_finding *f) {
  return f->principal_kind == ECR_PK_SERVICE && grants_all_test(f, deputy_keys);
}

/* The values of keys the granting statements test, once each, joined ("o-a, o-b"). */
static char *tested_values(const ecr_finding *f, const char *const *keys) {
  ecr_buf b;
  ecr_buf_init(&b);
  cJSON *seen = cJSON_CreateArray();
  for (size_t i = 0; i < f->n_via; i++) {
    if (f->via[i].deny) continue;
    for (size_t k = 0; keys[k]; k++) {
      cJSON *vals = condition_values(f->via[i].json, keys[k]);
      const cJSON *v;
      cJSON_ArrayForEach(v, vals) {
        char *text = cJSON_IsString(v) ? ecr_xstrdup(v->valuestring) : cJSON_PrintUnformatted(v);
        bool dup = false;
        const cJSON *x;
        cJSON_ArrayForEach(x, seen) dup |= strcmp(x->valuestring, text) == 0;
        if (!dup) {
          cJSON_AddItemToArray(seen, cJSON_CreateString(text));
          ecr_buf_printf(&b, "%s%s", b.len ? ", " : "", text);
        }
        free(text);
      }
      cJSON_Delete(vals);
    }
  }
  cJSON_Delete(seen);
  return ecr_buf_steal(&b);
}

/* "aws:SourceAccount = 111122223333, aws:SourceArn = arn:..." */
static char *tested_keys(const ecr_finding *f, const char *const *keys) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t k = 0; keys[k]; k++) {
    const char *one[] = {keys[k], NULL};
    char *vals = tested_values(f, one);
    if (*vals) ecr_buf_printf(&b, "%s%s = %s", b.len ? ", " : "", keys[k], vals);
    free(vals);
  }
  return ecr_buf_steal(&b);
}

/* ---- severity (the one place: README "Severity") ----------------------------- */
static bool outside(ecr_principal_kind k) {
  return k == ECR_PK_PUBLIC || k == ECR_PK_ACCOUNT || k == ECR_PK_EXTERNAL;
}

/* Principals of the account itself (its users and roles). */
static bool own(ecr_principal_kind k) {
  return k == ECR_PK_USER || k == ECR_PK_ROLE;
}

static ecr_severity severity_of(ecr_access_level level, ecr_principal_kind kind, bool all) {
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

/* ---- building findings ---------------------------------------------------------- */
/* One finding's cells: an access level, a decision and one exact action
 * set, on a set of targets (DESIGN.md "Findings must be true": every
 * target of the set holds exactly these actions of this level with this
 * decision, so no finding is a union over repositories). */
typedef struct group {
  ecr_access_level level;
  ecr_decision decision;
  ecr_actset actions;
  bool registry;
  bool gap;
  size_t *targets;
  size_t n, cap;
} group;

/* A repository set under construction: targets (matrix indices) or, for
 * evidence-gap findings, one literal resource string. */
typedef struct bset {
  bool all;
  size_t *targets; /* NULL for a literal set */
  size_t n;
  const char *literal;
  uint64_t hash;
  cJSON *globs; /* repo_globs() of the set, made on first use */
} bset;

/* A profile's finding skeleton: what every principal with the same row and
 * the same flags shares (cells, set, severity inputs, can-push). */
typedef struct pgroup {
  ecr_access_level level;
  ecr_decision decision;
  ecr_actset actions;
  bool registry, gap, all, can_push;
  size_t set;
} pgroup;

typedef struct profile {
  const void *row; /* matrix row (interned: equal rows, equal pointers) */
  unsigned flags;
  uint64_t hash;
  pgroup *g;
  size_t n;
  size_t cells; /* cells at Write, Permissions management and Tagging */
} profile;

typedef struct builder {
  const ecr_evidence *ev;
  const ecr_matrix *m;
  ecr_ledger *ledger;
  ecr_report *r;
  size_t fcap;
  size_t *finding_principal; /* matrix principal index per finding, (size_t)-1 for gap findings */
  size_t fpcap;
  /* per repository: principals that can push (matrix indices) */
  size_t *first_pusher; /* per repository: the first principal that can push */
  size_t *n_pushers;
  bool *can_login;   /* per matrix principal: GetAuthorizationToken granted (own principals) */
  size_t pool_cap;   /* r->name_pool capacity */
  char **target_str; /* per matrix target: its string in the pool, NULL until used */
  /* repository sets, interned */
  bset *sets;
  size_t n_sets, sets_cap, rsets_cap;
  ecr_index set_index;
  /* profiles, by row and flags */
  profile *profiles;
  size_t n_profiles, profiles_cap;
  ecr_index profile_index;
  const char *as_of;
  size_t n_chain_findings; /* findings through a chain of roles */
  size_t n_chain_capped;   /* starts that reach more role profiles than listed */
} builder;

/* Hand a string to the report's pool (it frees it) and borrow it back. */
static char *pool_add(builder *B, char *owned) {
  ECR_PUSH(B->r->name_pool, B->r->n_name_pool, B->pool_cap, owned);
  return owned;
}

static char *pool_target(builder *B, size_t t) {
  if (!B->target_str[t]) B->target_str[t] = pool_add(B, ecr_xstrdup(B->m->target_res[t]));
  return B->target_str[t];
}

static bool target_gap(const builder *B, size_t t) {
  const ecr_matrix *m = B->m;
  if (t >= m->n_repos) return false;
  const ecr_repository *repo = &B->ev->repos[t];
  if (repo->policy_gap) return true;
  long reg = m->target_region[t];
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
static char *pool_add(builder *B, char *owned);

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
    s0.literal = pool_add(B, ecr_xstrdup(literal));
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

static char **actions_of(ecr_actset set, size_t *n) {
  size_t na = ecr_catalog_count(), cnt = 0;
  char **v = ecr_xcalloc(65, sizeof(char *));
  for (size_t a = 0; a < na; a++)
    if (set & ((ecr_actset)1 << a)) v[cnt++] = ecr_xstrdup(ecr_catalog_action(a)->name);
  *n = cnt;
  return v;
}

static char *join(char *const *v, size_t n, const char *sep, size_t limit) {
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
static char *finding_id(const char *account, const char *principal, ecr_access_level level,
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

static void undecided_keys(ecr_finding *f) {
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

static char *action_key(ecr_actset set) {
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

static ecr_finding *new_finding(builder *B, size_t principal_index) {
  ecr_report *r = B->r;
  ecr_finding f0 = {0};
  ECR_PUSH(r->findings, r->n_findings, B->fcap, f0);
  ecr_grow((void **)&B->finding_principal, &B->fpcap, r->n_findings, sizeof(size_t));
  B->finding_principal[r->n_findings - 1] = principal_index;
  return &r->findings[r->n_findings - 1];
}

/* ---- who uses a principal ----------------------------------------------------------- */
static void used_by_add(ecr_buf *b, const char *s) {
  if (strstr(b->data ? b->data : "", s)) return;
  if (b->len) ecr_buf_puts(b, "; ");
  ecr_buf_puts(b, s);
}

/* Trust policy -> "codebuild.amazonaws.com; GitHub Actions OIDC (repo:acme/app:*); account 4444..."
 */
static char *trust_summary(const ecr_evidence *ev, const ecr_iam_principal *ip) {
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

static char *account_in(const char *arn) {
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
  r->n_repo_views = m->n_repos;
  r->repositories = ecr_xcalloc(m->n_repos + 1, sizeof(ecr_repo_view));
  B->first_pusher = ecr_xcalloc(m->n_repos + 1, sizeof(size_t));
  B->n_pushers = ecr_xcalloc(m->n_repos + 1, sizeof(size_t));
  for (size_t i = 0; i < m->n_repos; i++) {
    const ecr_repository *repo = &B->ev->repos[i];
    ecr_repo_view *v = &r->repositories[i];
    v->arn = ecr_xstrdup(repo->arn);
    v->name = ecr_xstrdup(repo->name);
    v->region = ecr_xstrdup(repo->region);
    v->has_policy = repo->policy != NULL;
    v->gap = target_gap(B, i);
    if (v->gap) {
      const char *e = repo->gap_error;
      long reg = m->target_region[i];
      if (!e && reg >= 0) e = B->ev->regions[reg].gap_error;
      v->gap_error = ecr_xstrdup(e ? e : "not collected");
    }
  }
  ecr_actset push = ecr_catalog_push_set() & m->repo_mask;
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
  B->can_login = ecr_xcalloc(m->n_principals + 1, sizeof(bool));
  for (size_t p = 0; p < m->n_principals; p++) pool_add(B, ecr_xstrdup(m->principals[p].pub.name));
  access_list *lists = ecr_xcalloc(4 * m->n_repos + 1, sizeof(access_list));
  for (size_t i = 0; i < m->n_repos; i++) {
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
  for (size_t p = 0; p < m->n_principals; p++) {
    const ecr_mprincipal *mp = &m->principals[p];
    const ecr_row *row = mp->row;
    /* own principals log in through their own GetAuthorizationToken; others
       get their token from their own account, which we cannot see */
    bool own = mp->pub.iam_index >= 0;
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
      if (!ecr_target_is_repo(m, t)) continue;
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
      every[a] = m->n_repos > 0 && (cnt[a][0] == m->n_repos || cnt[a][1] == m->n_repos);
      if (every[a]) {
        ecr_repo_access e = {
            who, cnt[a][1] == m->n_repos ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL, true};
        ECR_PUSH(r->everywhere[a], r->n_everywhere[a], ecap[a], e);
      }
    }
    if (every[0] && every[1] && every[2] && every[3]) continue;
    /* pass 2: the other accesses, repository by repository */
    for (size_t k = 0; k < row->n; k++) {
      size_t t = row->target[k];
      if (!ecr_target_is_repo(m, t)) continue;
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

/* ---- impact ---------------------------------------------------------------------------- */
/* "team-a/api, team-a/web" — with the region when the report spans several. */
static char *repos_phrase_n(const builder *B, const ecr_finding *f, size_t limit);

static char *repos_phrase(const builder *B, const ecr_finding *f) {
  return repos_phrase_n(B, f, 8);
}

/* ... naming at most `limit` repositories and counting the rest. */
static char *repos_phrase_n(const builder *B, const ecr_finding *f, size_t limit) {
  if (ecr_finding_registry(f)) return ecr_xstrdup("the registry");
  if (f->all_repositories) return ecr_xstrdup("every repository, present and future");
  bool regions = B->ev->n_regions > 1;
  /* join() names `limit` and counts the rest: spell only those (it never
     reads past its limit) */
  size_t n_named = f->n_repositories < limit ? f->n_repositories : limit;
  char **names = ecr_xcalloc(f->n_repositories + 1, sizeof(char *));
  for (size_t i = 0; i < n_named; i++) {
    const char *arn = f->repositories[i];
    const char *colon = strstr(arn, ":repository/");
    const char *name = colon ? colon + strlen(":repository/") : arn;
    /* arn:partition:ecr:REGION:... */
    const char *r0 = arn;
    for (int k = 0; k < 3 && r0; k++) {
      r0 = strchr(r0, ':');
      if (r0) r0++;
    }
    const char *r1 = r0 ? strchr(r0, ':') : NULL;
    if (regions && colon && r0 && r1)
      names[i] = ecr_xasprintf("%s (%.*s)", name, (int)(r1 - r0), r0);
    else
      names[i] = ecr_xstrdup(name);
  }
  char *s = join(names, f->n_repositories, ", ", limit);
  for (size_t i = 0; i < n_named; i++) free(names[i]);
  free(names);
  return s;
}

/* How a principal is named in a sentence. */
static const char *display_name(const ecr_finding *f, const ecr_iam_principal *ip, char **owned) {
  *owned = NULL;
  if (ip) return ip->name;
  switch (f->principal_kind) {
  case ECR_PK_PUBLIC: return "anyone";
  case ECR_PK_SERVICE: return f->principal + strlen("service:");
  case ECR_PK_ACCOUNT: {
    char *acct = account_in(f->principal);
    *owned = ecr_xasprintf("account %s", acct);
    free(acct);
    return *owned;
  }
  default: return f->principal;
  }
}

/* What the usage evidence says, and which usage evidence there is: a
 * role's RoleLastUsed (IAM tracks 400 days), a user's console password
 * (GetAccountAuthorizationDetails) and, with the credential report, each
 * access key's last use. "No use" is said only where the evidence covers it. */
static void usage_note(ecr_buf *b, const ecr_iam_principal *ip) {
  bool role = ip->cls == ECR_PRINCIPAL_ROLE;
  const char *source = role ? "IAM RoleLastUsed"
                       : ip->usage_known
                           ? "credential report: console password and access keys"
                           : "console password only; access-key use is not in the evidence";
  if (ip->last_used) {
    char *region =
        ip->last_used_region ? ecr_xasprintf(" in %s", ip->last_used_region) : ecr_xstrdup("");
    para(b, T("impact/last-used", (const char *const[]){"date", ip->last_used, "region", region,
                                                        "source", source, NULL}));
    free(region);
  } else if (role && ip->usage_known) {
    para(b, T("impact/never-used",
              (const char *const[]){"source", "IAM RoleLastUsed (400 days of tracking)", NULL}));
  } else if (!role && ip->usage_known) {
    para(b, T("impact/never-used",
              (const char *const[]){
                  "source", "The credential report (console password and access keys)", NULL}));
  } else if (!role) {
    para(
        b,
        T("impact/usage-unknown",
          (const char *const[]){
              "missing",
              "no console password use is recorded, and access-key use needs the credential report (iam/credential-report.json)",
              NULL}));
  }
}

/* What removing Write access stops, from the finding's actions. */
static char *write_effects(const ecr_finding *f) {
  static const struct {
    const char *action, *effect;
  } map[] = {{"ecr:PutImage", "push"},
             {"ecr:InitiateLayerUpload", "push"},
             {"ecr:UploadLayerPart", "push"},
             {"ecr:CompleteLayerUpload", "push"},
             {"ecr:BatchDeleteImage", "delete-images"},
             {"ecr:DeleteRepository", "delete-repository"},
             {"ecr:ReplicateImage", "replicate"},
             {"ecr:CreateRepository", "create-repository"},
             {"ecr:PutImageScanningConfiguration", "settings"},
             {"ecr:PutImageTagMutability", "settings"},
             {"ecr:PutLifecyclePolicy", "settings"},
             {"ecr:DeleteLifecyclePolicy", "settings"},
             {"ecr:StartLifecyclePolicyPreview", "settings"},
             {"ecr:UpdateImageStorageClass", "settings"},
             {"ecr:StartImageScan", "scan"},
             {"ecr:BatchImportUpstreamImage", "import"}};
  /* template names (literals: test_report checks each is embedded); the
     effect is the part after "effect/" */
  static const char *const order[] = {"effect/push",
                                      "effect/delete-images",
                                      "effect/delete-repository",
                                      "effect/replicate",
                                      "effect/create-repository",
                                      "effect/import",
                                      "effect/settings",
                                      "effect/scan"};
  bool has[8] = {0};
  for (size_t i = 0; i < f->n_actions; i++)
    for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
      if (strcmp(f->actions[i], map[k].action) == 0)
        for (size_t o = 0; o < 8; o++)
          if (strcmp(order[o] + strlen("effect/"), map[k].effect) == 0) has[o] = true;
  char *parts[8];
  size_t n = 0;
  for (size_t o = 0; o < 8; o++) {
    if (!has[o]) continue;
    parts[n++] = T(order[o], NULL);
  }
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < n; i++) {
    ecr_buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", parts[i]);
    free(parts[i]);
  }
  if (!n) ecr_buf_puts(&b, "change images");
  return ecr_buf_steal(&b);
}

static char *impact_text(builder *B, const ecr_finding *f, size_t p) {
  const ecr_matrix *m = B->m;
  const ecr_mprincipal *mp = &m->principals[p];
  const ecr_iam_principal *ip =
      mp->pub.iam_index >= 0 ? &B->ev->principals[mp->pub.iam_index] : NULL;
  ecr_buf b;
  ecr_buf_init(&b);
  char *repos = repos_phrase(B, f);
  char *owned_name = NULL;
  const char *name = display_name(f, ip, &owned_name);
  if (organization_only(f)) name = "the organization's principals";
  /* a passing finding (reading by the account's own principal, listed for
     the record) says what breaks, not again who the principal is and when it
     was used: that is in the principal's other findings and its view */
  bool describe = f->status != ECR_CHECK_PASS;
  if (!describe && ip) {
    /* nothing */
  } else if (ip && ip->service_linked) {
    para(&b, T("impact/service-linked", (const char *const[]){"name", name, NULL}));
  } else if (ip && ip->cls == ECR_PRINCIPAL_USER) {
    para(&b, T("impact/user", (const char *const[]){"name", name, NULL}));
  } else if (ip) {
    char *used = trust_summary(B->ev, ip);
    if (used)
      para(&b, T("impact/role", (const char *const[]){"name", name, "used_by", used, NULL}));
    else
      para(&b, T("impact/role-no-trust", (const char *const[]){"name", name, NULL}));
    free(used);
  } else if (organization_only(f)) {
    char *org = tested_values(f, org_keys);
    para(&b, T("impact/organization", (const char *const[]){"org", org, NULL}));
    free(org);
  } else if (f->principal_kind == ECR_PK_PUBLIC) {
    para(&b, T("impact/public", NULL));
  } else if (f->principal_kind == ECR_PK_ACCOUNT) {
    char *acct = account_in(f->principal);
    para(&b, T("impact/account", (const char *const[]){"account", acct, NULL}));
    free(acct);
  } else if (deputy_guarded(f)) {
    char *keys = tested_keys(f, deputy_keys);
    para(&b, T("impact/service-guarded",
               (const char *const[]){"service", f->principal + 8, "keys", keys, NULL}));
    free(keys);
  } else if (f->principal_kind == ECR_PK_SERVICE) {
    para(&b, T("impact/service", (const char *const[]){"service", f->principal + 8, NULL}));
  } else if (ecr_str_has_prefix(f->principal, "arn:")) {
    char *acct = account_in(f->principal);
    para(&b,
         T("impact/external", (const char *const[]){"name", f->principal, "account", acct, NULL}));
    free(acct);
  } else {
    para(&b, T("impact/federated", (const char *const[]){"name", f->principal, NULL}));
  }
  if (ip && describe) usage_note(&b, ip);
  bool registry = ecr_finding_registry(f);
  char *effects = write_effects(f);
  const char *kv[] = {"name", name, "repos", repos, "effects", effects, NULL};
  switch (f->access_level) {
  case ECR_LEVEL_WRITE:
    para(&b, T(registry ? "impact/breaks-write-registry" : "impact/breaks-write", kv));
    break;
  case ECR_LEVEL_PERMISSIONS: para(&b, T("impact/breaks-permissions", kv)); break;
  case ECR_LEVEL_TAGGING: para(&b, T("impact/breaks-tagging", kv)); break;
  default: para(&b, T(registry ? "impact/breaks-read-registry" : "impact/breaks-read", kv)); break;
  }
  if (f->can_push) para(&b, T("impact/can-push", kv));
  /* the only principal able to push to some of these repositories */
  if (f->access_level == ECR_LEVEL_WRITE && !registry) {
    const bset *set = &B->sets[f->repo_set];
    char **only = ecr_xcalloc(set->n + 1, sizeof(char *));
    size_t n_only = 0;
    for (size_t k = 0; set->targets && k < set->n; k++) {
      size_t i = set->targets[k];
      if (i < m->n_repos && B->n_pushers[i] == 1 && B->first_pusher[i] == p)
        only[n_only++] = B->ev->repos[i].name;
    }
    if (n_only) {
      char *list = join(only, n_only, ", ", 8);
      para(&b, T("impact/only-pusher", (const char *const[]){"repos", list, NULL}));
      free(list);
    }
    free(only);
  }
  if (f->decision == ECR_DECISION_CONDITIONAL) {
    char *keys = f->n_undecided ? join(f->undecided_conditions, f->n_undecided, ", ", 12)
                                : ecr_xstrdup("not named by the evidence");
    para(&b, T("impact/conditional", (const char *const[]){"keys", keys, NULL}));
    free(keys);
  }
  if (f->status == ECR_CHECK_UNKNOWN) para(&b, T("impact/gap", NULL));
  free(effects);
  free(repos);
  free(owned_name);
  return ecr_buf_steal(&b);
}

/* ---- remediation ---------------------------------------------------------------------------- */
static cJSON *str_array(char *const *v, size_t n) {
  cJSON *a = cJSON_CreateArray();
  for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
  return a;
}

static char *print_json(cJSON *j) {
  char *s = cJSON_Print(j);
  cJSON_Delete(j);
  char *out = ecr_xstrdup(s ? s : "{}");
  free(s);
  /* cJSON indents with tabs: use two spaces for reports */
  ecr_buf b;
  ecr_buf_init(&b);
  for (const char *c = out; *c; c++) {
    if (*c == '\t')
      ecr_buf_puts(&b, c > out && c[-1] == ':' ? " " : "  ");
    else
      ecr_buf_putc(&b, *c);
  }
  free(out);
  return ecr_buf_steal(&b);
}

static const char *const pull_set[] = {"ecr:GetAuthorizationToken",
                                       "ecr:BatchCheckLayerAvailability",
                                       "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"};

/* Repository globs standing for a finding's repositories in examples: the
 * ARNs themselves when few, else one glob per region from their common
 * prefix (a ledger entry or a policy a person would write). */
#define EXAMPLE_MAX_REPOS 5
/* Repository-policy statements listed per finding (the rest are counted). */
#define VIA_MAX_RESOURCE 5
/* ... and for a passing finding (reading by the account's own principal,
   listed for the record): one, and the count */
#define VIA_MAX_RESOURCE_PASS 1

static cJSON *repo_globs_of(const builder *B, const ecr_finding *f) {
  if (f->all_repositories && !ecr_finding_registry(f)) {
    char *g = ecr_xasprintf("arn:%s:ecr:*:%s:repository/*", B->ev->partition, B->ev->account);
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateString(g));
    free(g);
    return a;
  }
  if (f->n_repositories <= EXAMPLE_MAX_REPOS) return str_array(f->repositories, f->n_repositories);
  cJSON *a = cJSON_CreateArray();
  /* repositories are sorted by ARN, so each region is one run */
  size_t i = 0;
  while (i < f->n_repositories) {
    const char *first = f->repositories[i];
    const char *slash = strstr(first, ":repository/");
    size_t region_len = slash ? (size_t)(slash - first) : 0;
    size_t j = i + 1, common = strlen(first);
    while (j < f->n_repositories && region_len &&
           strncmp(f->repositories[j], first, region_len) == 0 &&
           f->repositories[j][region_len] == ':') {
      size_t k = 0;
      while (k < common && first[k] == f->repositories[j][k]) k++;
      common = k;
      j++;
    }
    char *g = ecr_xasprintf("%.*s*", (int)common, first);
    cJSON_AddItemToArray(a, cJSON_CreateString(g));
    free(g);
    i = j;
  }
  return a;
}

/* The same, made once per repository set (findings of many principals
 * share a set); the caller owns the copy. */
static cJSON *repo_globs(const builder *B, const ecr_finding *f) {
  bset *set = &B->sets[f->repo_set];
  if (!set->globs) set->globs = repo_globs_of(B, f);
  return cJSON_Duplicate(set->globs, 1);
}

/* arn:<partition>:iam::aws:policy/...: AWS owns it, nobody can edit it. */
static bool aws_managed(const char *policy) {
  return policy && ecr_str_has_prefix(policy, "arn:") &&
         strstr(policy, ":iam::aws:policy/") != NULL;
}

/* A statement whose actions reach beyond ECR ("*", "s3:*", NotAction):
 * narrowing it to ECR actions would strip every other right it gives. */
static bool broad_actions(const char *statement_json) {
  cJSON *j = statement_json ? cJSON_Parse(statement_json) : NULL;
  bool broad = cJSON_GetObjectItemCaseSensitive(j, "NotAction") != NULL;
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "Action"), *it;
  if (cJSON_IsString(a)) broad |= strncasecmp(a->valuestring, "ecr:", 4) != 0;
  const cJSON *list = cJSON_IsArray(a) ? a : NULL;
  cJSON_ArrayForEach(it, list) broad |=
      !cJSON_IsString(it) || strncasecmp(it->valuestring, "ecr:", 4) != 0;
  cJSON_Delete(j);
  return broad;
}

static char *suggest(const builder *B, const ecr_finding *f, const ecr_via *grant, bool human,
                     bool own) {
  bool registry = ecr_finding_registry(f);
  if (f->status == ECR_CHECK_PASS || f->status == ECR_CHECK_UNKNOWN || !grant) return NULL;
  cJSON *s = cJSON_CreateObject();
  bool resource_side = grant->source == ECR_SRC_RESOURCE || grant->source == ECR_SRC_REGISTRY;
  if (f->access_level == ECR_LEVEL_PERMISSIONS && !resource_side) {
    cJSON_AddStringToObject(s, "Sid", "DenyEcrPolicyChanges");
    cJSON_AddStringToObject(s, "Effect", "Deny");
    const char *acts[] = {"ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy",
                          "ecr:PutRegistryPolicy", "ecr:DeleteRegistryPolicy"};
    cJSON_AddItemToObject(s, "Action", cJSON_CreateStringArray(acts, 4));
    cJSON_AddStringToObject(s, "Resource", "*");
    return print_json(s);
  }
  if (!resource_side && (aws_managed(grant->policy) || broad_actions(grant->json))) {
    /* keep the policy (AWS-managed, or granting more than ECR): deny the
       finding's actions where they are granted */
    char *sid =
        ecr_xasprintf("DenyEcr%s", f->access_level == ECR_LEVEL_TAGGING ? "Tagging" : "Write");
    cJSON_AddStringToObject(s, "Sid", sid);
    free(sid);
    cJSON_AddStringToObject(s, "Effect", "Deny");
    cJSON_AddItemToObject(s, "Action", str_array(f->actions, f->n_actions));
    if (registry) {
      cJSON_AddStringToObject(s, "Resource", "*");
    } else if (f->all_repositories) {
      char *every = ecr_xasprintf("arn:%s:ecr:*:%s:repository/*", B->ev->partition, B->ev->account);
      cJSON_AddStringToObject(s, "Resource", every);
      free(every);
    } else {
      cJSON_AddItemToObject(s, "Resource", repo_globs(B, f));
    }
    return print_json(s);
  }
  char *sid = ecr_xasprintf("%sNarrowed", grant->statement[0] >= '0' && grant->statement[0] <= '9'
                                              ? "Statement"
                                              : grant->statement);
  cJSON_AddStringToObject(s, "Sid", sid);
  free(sid);
  cJSON_AddStringToObject(s, "Effect", "Allow");
  if (resource_side) {
    /* the statement's own Principal, every principal it names: one
       suggestion per statement, whichever of its principals' findings shows it */
    cJSON *orig = grant->json ? cJSON_Parse(grant->json) : NULL;
    cJSON *pr = cJSON_DetachItemFromObjectCaseSensitive(orig, "Principal");
    cJSON_Delete(orig);
    if (!pr) {
      pr = cJSON_CreateObject();
      if (f->principal_kind == ECR_PK_SERVICE)
        cJSON_AddStringToObject(pr, "Service", f->principal + 8);
      else
        cJSON_AddStringToObject(pr, "AWS", f->principal);
    }
    cJSON_AddItemToObject(s, "Principal", pr);
    cJSON_AddItemToObject(s, "Action", cJSON_CreateStringArray(pull_set + 1, 3));
    /* the statement's own Condition stays; a guard is added only where it
       has none, with the value the evidence knows */
    cJSON *stmt = grant->json ? cJSON_Parse(grant->json) : NULL;
    cJSON *cond = cJSON_DetachItemFromObjectCaseSensitive(stmt, "Condition");
    cJSON_Delete(stmt);
    if (own) { /* the account's own principal: no org condition needed */
      if (cond) cJSON_AddItemToObject(s, "Condition", cond);
      return print_json(s);
    }
    bool service = f->principal_kind == ECR_PK_SERVICE;
    const char *const *guard = service ? deputy_keys : org_keys;
    bool has = false;
    for (size_t k = 0; guard[k] && !has; k++) {
      cJSON *vals = condition_values(grant->json, guard[k]);
      has = vals != NULL;
      cJSON_Delete(vals);
    }
    if (!has) {
      if (!cond) cond = cJSON_CreateObject();
      cJSON *op = cJSON_GetObjectItemCaseSensitive(cond, "StringEquals");
      if (!op) cJSON_AddItemToObject(cond, "StringEquals", op = cJSON_CreateObject());
      if (service)
        cJSON_AddStringToObject(op, "aws:SourceAccount", B->ev->account);
      else /* a placeholder only where the evidence has no organization */
        cJSON_AddStringToObject(op, "aws:PrincipalOrgID",
                                B->ev->org_id ? B->ev->org_id : "<your organization id>");
    }
    if (cond) cJSON_AddItemToObject(s, "Condition", cond);
    return print_json(s);
  }
  if (human || f->access_level == ECR_LEVEL_READ || f->access_level == ECR_LEVEL_LIST) {
    cJSON_AddItemToObject(s, "Action", cJSON_CreateStringArray(pull_set, 4));
    cJSON_AddStringToObject(s, "Resource", "*");
    return print_json(s);
  }
  if (f->access_level == ECR_LEVEL_WRITE && !registry) {
    /* a publisher needs the push set, nothing that deletes or reconfigures */
    static const char *const push[] = {"ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                                       "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                                       "ecr:PutImage"};
    cJSON_AddItemToObject(s, "Action", cJSON_CreateStringArray(push, 5));
  } else {
    cJSON_AddItemToObject(s, "Action", str_array(f->actions, f->n_actions));
  }
  if (registry) {
    cJSON_AddStringToObject(s, "Resource", "*");
  } else if (f->all_repositories) {
    char *r = ecr_xasprintf("arn:%s:ecr:<region>:%s:repository/<repositories it publishes to>",
                            B->ev->partition, B->ev->account);
    cJSON_AddStringToObject(s, "Resource", r);
    free(r);
  } else {
    cJSON_AddItemToObject(s, "Resource", repo_globs(B, f));
  }
  return print_json(s);
}

static char *ledger_example(const builder *B, const ecr_finding *f, const char *as_of) {
  cJSON *e = cJSON_CreateObject();
  char *id = ecr_xasprintf("EX-%s", f->id + 6);
  cJSON_AddStringToObject(e, "id", id);
  free(id);
  cJSON_AddStringToObject(e, "principal", f->principal);
  cJSON_AddItemToObject(e, "repositories", repo_globs(B, f));
  cJSON_AddItemToObject(
      e, "actions",
      cJSON_CreateStringArray((const char *[]){ecr_access_level_name(f->access_level)}, 1));
  cJSON_AddStringToObject(e, "justification", "<why this access is needed>");
  cJSON_AddStringToObject(e, "approved_by", "<approver>");
  cJSON_AddStringToObject(e, "ticket", "<ticket>");
  long days = 0;
  char exp[11] = "YYYY-MM-DD";
  if (ecr_date_parse(as_of, &days)) ecr_time_date((time_t)(days + 90) * 86400, exp);
  cJSON_AddStringToObject(e, "expires", exp);
  char *s = cJSON_PrintUnformatted(e);
  cJSON_Delete(e);
  char *out = ecr_xstrdup(s);
  free(s);
  return out;
}

static char *remediation_text(builder *B, ecr_finding *f, size_t p, const char *as_of) {
  const ecr_matrix *m = B->m;
  ecr_buf b;
  ecr_buf_init(&b);
  if (p == (size_t)-1) return NULL; /* gap findings set their own */
  const ecr_mprincipal *mp = &m->principals[p];
  const ecr_iam_principal *ip =
      mp->pub.iam_index >= 0 ? &B->ev->principals[mp->pub.iam_index] : NULL;
  const char *name = ip ? ip->name : f->principal;
  if (f->status == ECR_CHECK_PASS) {
    para(&b, T("remediation/pass", NULL));
    return ecr_buf_steal(&b);
  }
  char *actions = join(f->actions, f->n_actions, ", ", 12);
  char *scope = repos_phrase(B, f);
  const ecr_via *first_grant = NULL;
  size_t said = 0; /* statements named so far: the actions and scope are spelled once */
  for (size_t i = 0; i < f->n_via; i++) {
    const ecr_via *v = &f->via[i];
    if (v->deny) continue;
    if (!first_grant) first_grant = v;
    if (ip && ip->service_linked) break; /* AWS owns its policies: nothing to edit */
    const char *acts = said ? "the same actions" : actions;
    const char *where = said ? "the same repositories" : scope;
    said++;
    if (v->source == ECR_SRC_RESOURCE || v->source == ECR_SRC_REGISTRY) {
      const char *kind = v->source == ECR_SRC_RESOURCE ? "repository policy" : "registry policy";
      para(&b, T("remediation/resource",
                 (const char *const[]){"statement", v->statement, "kind", kind, "policy", v->policy,
                                       "actions", acts, "principal", f->principal, NULL}));
    } else {
      char *pol = v->owner ? ecr_xasprintf("%s (attached to group %s)", v->policy, v->owner)
                           : ecr_xstrdup(v->policy);
      para(&b, T(aws_managed(v->policy) ? "remediation/aws-managed" : "remediation/identity",
                 (const char *const[]){"statement", v->statement, "policy", pol, "source",
                                       ecr_source_name(v->source), "actions", acts, "scope", where,
                                       NULL}));
      free(pol);
    }
    if (i >= 4) break;
  }
  bool human = ip && ip->cls == ECR_PRINCIPAL_USER;
  bool via_resource = first_grant && (first_grant->source == ECR_SRC_RESOURCE ||
                                      first_grant->source == ECR_SRC_REGISTRY);
  ecr_actset replication = (ecr_actset)1 << ecr_catalog_find("ecr:ReplicateImage") |
                           (ecr_actset)1 << ecr_catalog_find("ecr:CreateRepository");
  ecr_actset fa = 0;
  for (size_t i = 0; i < f->n_actions; i++) {
    int a = ecr_catalog_find(f->actions[i]);
    if (a >= 0) fa |= (ecr_actset)1 << a;
  }
  bool is_replication = fa && (fa & ~replication) == 0 && via_resource;
  if (is_replication) {
    char *acct = account_in(f->principal);
    para(&b, T("remediation/replication", (const char *const[]){"account", acct, NULL}));
    free(acct);
  } else if (ip && ip->service_linked) {
    para(&b, T("remediation/service-linked", NULL));
  } else if (organization_only(f)) {
    char *org = tested_values(f, org_keys);
    para(&b, T("remediation/organization", (const char *const[]){"org", org, NULL}));
    free(org);
  } else if (f->principal_kind == ECR_PK_PUBLIC) {
    para(&b, T(f->access_level == ECR_LEVEL_READ || f->access_level == ECR_LEVEL_LIST
                   ? "remediation/public-read"
                   : "remediation/public",
               NULL));
  } else if (f->principal_kind == ECR_PK_ACCOUNT || f->principal_kind == ECR_PK_EXTERNAL) {
    char *acct = account_in(f->principal);
    para(&b, T("remediation/external", (const char *const[]){"account", acct, NULL}));
    free(acct);
  } else if (deputy_guarded(f)) {
    char *keys = tested_keys(f, deputy_keys);
    para(&b, T("remediation/service-guarded",
               (const char *const[]){"service", f->principal + 8, "keys", keys, NULL}));
    free(keys);
  } else if (f->principal_kind == ECR_PK_SERVICE) {
    para(&b, T("remediation/service", (const char *const[]){"service", f->principal + 8, NULL}));
  } else if (f->access_level == ECR_LEVEL_PERMISSIONS) {
    para(&b, T("remediation/permissions", (const char *const[]){"actions", actions, NULL}));
  } else if (f->access_level == ECR_LEVEL_TAGGING) {
    para(&b, T("remediation/tagging", NULL));
  } else if (ip && via_resource && f->access_level == ECR_LEVEL_WRITE) {
    para(&b, T("remediation/resource-own", (const char *const[]){"name", name, NULL}));
  } else if (f->access_level == ECR_LEVEL_WRITE && human) {
    para(&b, T("remediation/human-write", (const char *const[]){"actions", actions, NULL}));
  } else if (f->access_level == ECR_LEVEL_WRITE) {
    if (f->all_repositories)
      para(&b, T("remediation/scope-repos", (const char *const[]){"name", name, NULL}));
    para(&b, T("remediation/narrow-pull", (const char *const[]){"name", name, NULL}));
  } else {
    para(&b, T("remediation/narrow-pull", (const char *const[]){"name", name, NULL}));
  }
  char *entry = ledger_example(B, f, as_of);
  para(&b, T("remediation/ledger", (const char *const[]){"entry", entry, NULL}));
  free(entry);
  f->suggested_statement = is_replication || (ip && ip->service_linked)
                               ? NULL
                               : suggest(B, f, first_grant, human, ip != NULL);
  free(actions);
  free(scope);
  return ecr_buf_steal(&b);
}

/* ---- ledger --------------------------------------------------------------------------------- */
static void apply_ledger(builder *B, ecr_finding *f) {
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
  const ecr_mprincipal *mp = &B->m->principals[p];
  return (mp->gap ? PF_GAP : 0) | (own(mp->pub.kind) ? PF_OWN : 0) |
         (B->can_login[p] ? PF_LOGIN : 0);
}

/* Cell k of a row at decision d (1: allow, 0: conditional only), or 0 when
 * the cell is outside the scope: the registry or the repositories (and the
 * probes, *probe set), with an evidence gap or without (gaps only count
 * for risky levels). */
static ecr_actset scoped_cell(const builder *B, const ecr_row *row, size_t k, bool registry,
                              bool gap, bool gaps_count, bool principal_gap, int d, bool *probe) {
  const ecr_matrix *m = B->m;
  size_t t = row->target[k];
  *probe = false;
  if (registry != (t == m->registry)) return 0;
  *probe = ecr_target_is_probe(m, t);
  if (!registry && !ecr_target_is_repo(m, t) && !*probe) return 0;
  bool tgap = gaps_count && (target_gap(B, t) || principal_gap);
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
  const ecr_row *row = m->principals[p].row;
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
  ecr_actset push = ecr_catalog_push_set() & m->repo_mask;
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
    pg->all = !g->registry && m->n_repos > 0 && g->n == m->n_repos &&
              ecr_matrix_future_decision(m, p, g->actions, g->decision);
    /* can push: the whole push set on one of these repositories */
    if (g->level == ECR_LEVEL_WRITE && !g->registry && (pf->flags & PF_LOGIN)) {
      for (size_t k = 0; k < g->n && !pg->can_push; k++) {
        ecr_actset y, c;
        ecr_matrix_get(m, p, g->targets[k], &y, &c);
        if (((y | c) & push) == push) pg->can_push = true;
      }
    }
    size_t reg = m->registry;
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
static size_t risky_cells(const ecr_row *row);

static const profile *profile_of(builder *B, size_t p) {
  profile_query q = {B, B->m->principals[p].row, principal_flags(B, p)};
  uint64_t h = ((uint64_t)(uintptr_t)q.row * 0x9e3779b97f4a7c15ull ^ q.flags) >> 17;
  bool found;
  size_t at = ecr_index_get(&B->profile_index, h, profile_equal, profile_hash_of, &q, B->n_profiles,
                            &found);
  if (found) return &B->profiles[at];
  profile pf0 = {q.row, q.flags, h, NULL, 0, 0};
  ECR_PUSH(B->profiles, B->n_profiles, B->profiles_cap, pf0);
  profile *pf = &B->profiles[at];
  build_profile(B, pf, p);
  pf->cells = risky_cells(q.row);
  return pf;
}

static void use_set(builder *B, ecr_finding *f, size_t set) {
  f->repo_set = set;
  f->repositories = B->r->repo_sets[set].repositories;
  f->n_repositories = B->r->repo_sets[set].n;
}

static void principal_findings(builder *B, size_t p, const char *as_of) {
  const ecr_matrix *m = B->m;
  const ecr_mprincipal *mp = &m->principals[p];
  const profile *pf = profile_of(B, p);
  bool any_risky = false;
  for (size_t i = 0; i < pf->n; i++) {
    const pgroup *g = &pf->g[i];
    ecr_finding *f = new_finding(B, p);
    f->principal = ecr_xstrdup(mp->pub.name);
    f->principal_kind = mp->pub.kind;
    f->access_level = g->level;
    f->decision = g->decision;
    f->actions = actions_of(g->actions, &f->n_actions);
    use_set(B, f, g->set);
    f->all_repositories = g->all;
    f->can_push = g->can_push;
    bool is_risky = risky(g->level, mp->pub.kind);
    any_risky |= is_risky;
    f->severity = severity_of(g->level, mp->pub.kind, g->all || g->registry);
    /* evidence gaps make the affected findings unknown, never pass (only
       risky grants are split by gap: reading by the account's own
       principals passes whatever the missing evidence says) */
    f->status = !is_risky ? ECR_CHECK_PASS : g->gap ? ECR_CHECK_UNKNOWN : ECR_CHECK_FAIL;
    if (f->status == ECR_CHECK_UNKNOWN) {
      if (mp->gap) {
        const ecr_iam_principal *ip = &B->ev->principals[mp->pub.iam_index];
        char *missing = join(ip->missing_managed, ip->n_missing_managed, ", ", 5);
        if (!ip->n_missing_managed) {
          free(missing);
          missing = ip->n_missing_groups ? join(ip->missing_groups, ip->n_missing_groups, ", ", 5)
                                         : ecr_xstrdup("a group's attached policy");
        }
        f->status_reason =
            T("status/gap-principal", (const char *const[]){"missing", missing, NULL});
        free(missing);
      } else {
        f->status_reason = T("status/gap-finding", NULL);
      }
    }
    char *akey = action_key(g->actions);
    f->id =
        finding_id(B->ev->account, f->principal, g->level, g->decision, g->registry, g->gap, akey);
    free(akey);
    const bset *set = &B->sets[g->set];
    f->via = ecr_matrix_explain_limited(
        m, p, g->registry ? (size_t[]){ECR_MATRIX_REGISTRY} : set->targets,
        g->registry ? 1 : set->n, g->actions,
        f->status == ECR_CHECK_PASS ? VIA_MAX_RESOURCE_PASS : VIA_MAX_RESOURCE, &f->n_via,
        &f->n_via_omitted);
    undecided_keys(f);
    if (organization_only(f)) /* the organization, not the public */
      f->severity = severity_of(g->level, ECR_PK_ACCOUNT, g->all || g->registry) == ECR_SEV_CRITICAL
                        ? ECR_SEV_HIGH
                        : ECR_SEV_LOW;
    apply_ledger(B, f);
    f->impact = impact_text(B, f, p);
    f->remediation = remediation_text(B, f, p, as_of);
  }
  /* a principal whose policies are partly missing and that shows no risky
     access: what is missing may grant it, so the check is unknown */
  if (mp->gap && !any_risky) {
    const ecr_iam_principal *ip = &B->ev->principals[mp->pub.iam_index];
    ecr_finding *f = new_finding(B, p);
    f->principal = ecr_xstrdup(mp->pub.name);
    f->principal_kind = mp->pub.kind;
    f->access_level = ECR_LEVEL_WRITE;
    f->decision = ECR_DECISION_CONDITIONAL;
    char *every = ecr_xasprintf("arn:%s:ecr:*:%s:repository/*", B->ev->partition, B->ev->account);
    use_set(B, f, intern_set(B, false, NULL, 0, every));
    free(every);
    f->actions = ecr_xcalloc(1, sizeof(char *));
    f->severity = ECR_SEV_MEDIUM;
    f->status = ECR_CHECK_UNKNOWN;
    char *missing = ip->n_missing_managed
                        ? join(ip->missing_managed, ip->n_missing_managed, ", ", 5)
                        : join(ip->missing_groups, ip->n_missing_groups, ", ", 5);
    if (!missing[0]) {
      free(missing);
      missing = ecr_xstrdup("a group's attached policy");
    }
    f->status_reason = T("status/gap-principal", (const char *const[]){"missing", missing, NULL});
    f->id = finding_id(B->ev->account, f->principal, ECR_LEVEL_WRITE, ECR_DECISION_CONDITIONAL,
                       false, true, "principal-gap");
    f->impact = T("impact/gap", NULL);
    f->remediation =
        T("remediation/gap-principal", (const char *const[]){"missing", missing, NULL});
    free(missing);
    apply_ledger(B, f);
  }
}

/* ---- findings through a chain of roles ------------------------------------------------
 * DESIGN.md "Indirect access": a principal that reaches Write, Permissions
 * management or Tagging only by becoming a role gets findings of its own,
 * carrying the chain. Per starting principal, the roles it can become
 * (ecr_paths_reach) are taken widest access first, unconditional chains
 * before conditional ones. A role adds findings only for the groups that
 * neither the principal's own access nor a role taken before already covers
 * with at least that decision: every cell the principal reaches only
 * indirectly is in a finding, and no principal gets one finding per role it
 * could become. A finding is one group of the role's own skeleton (one
 * level, decision, action set and repository set), so each of its cells is
 * a `paths` row of that chain with that decision: the role's decision, or
 * conditional when a hop is. */
#define CHAIN_MAX_ROLES 16
#define POD_IDENTITY                                                                               \
  "pods.eks.amazonaws.com" /* roles listed per starting principal, widest first */

typedef struct chain_emit {
  size_t role, mx, profile, group;
  bool y;
} chain_emit;

typedef struct chain_memo {
  size_t reach;
  const void *row; /* the start's own matrix row, NULL when it has none */
  long self;       /* the start when it is a role it reaches again (through a cycle), else -1 */
  bool iam;        /* the start is an IAM user or role of the account */
  uint64_t hash;
  chain_emit *e;
  size_t n;
  bool capped;
} chain_memo;

typedef struct chain_cand {
  size_t role, mx, profile, cells;
  bool y;
} chain_cand;

/* The statements behind one group of one role, explained once and copied
   into every start's finding through that role. */
typedef struct via_memo {
  size_t mx, profile, group;
  ecr_via *via;
  size_t n, omitted;
} via_memo;

typedef struct reach_cands {
  chain_cand *c;
  size_t n;
  bool made;
} reach_cands;

typedef struct chains {
  ecr_paths *paths;
  long *role_of_ev; /* evidence principal -> paths role index, -1 */
  reach_cands *rc;  /* per reach id */
  size_t cap_rc;
  size_t *taken; /* per profile: the plan that took it (stamp) */
  size_t cap_taken, stamp;
  via_memo *vias;
  size_t n_vias, cap_vias;
  ecr_index via_index;
  long *mx_of_ev;       /* evidence principal -> matrix principal, -1 */
  size_t *role_profile; /* paths role -> profile index + 1, 0 until known */
  ecr_actset *uy, *um;  /* per matrix target: cells covered so far */
  size_t *touched;
  size_t n_touched, cap_touched;
  chain_memo *memo;
  size_t n_memo, cap_memo;
  ecr_index memo_index;
  size_t n_findings, n_capped;
} chains;

static ecr_actset risky_mask(void) {
  return ecr_catalog_level(ECR_LEVEL_WRITE) | ecr_catalog_level(ECR_LEVEL_PERMISSIONS) |
         ecr_catalog_level(ECR_LEVEL_TAGGING);
}

static bool risky_level(ecr_access_level l) {
  return l == ECR_LEVEL_WRITE || l == ECR_LEVEL_PERMISSIONS || l == ECR_LEVEL_TAGGING;
}

/* Cells of a row at the risky levels (how wide a role's access is). */
static size_t risky_cells(const ecr_row *row) {
  ecr_actset rm = risky_mask();
  size_t n = 0;
  for (size_t k = 0; k < row->n; k++) n += (size_t)__builtin_popcountll(row->m[k] & rm);
  return n;
}

static void cover(chains *C, size_t t, ecr_actset y, ecr_actset m) {
  if (!C->uy[t] && !C->um[t]) ECR_PUSH(C->touched, C->n_touched, C->cap_touched, t);
  C->uy[t] |= y;
  C->um[t] |= m;
}

/* Does what is covered so far hold every cell of the row (y: its
   unconditional cells count as unconditional)? */
static bool row_covered(const chains *C, const ecr_row *row, bool y) {
  ecr_actset rm = risky_mask();
  for (size_t k = 0; k < row->n; k++) {
    size_t t = row->target[k];
    ecr_actset ey = y ? row->y[k] & rm : 0, em = row->m[k] & rm;
    if ((ey & ~C->uy[t]) || (em & ~C->um[t])) return false;
  }
  return true;
}

static bool group_covered(const builder *B, const chains *C, const pgroup *g, ecr_decision d) {
  const bset *set = &B->sets[g->set];
  for (size_t k = 0; k < set->n; k++) {
    size_t t = g->registry ? B->m->registry : set->targets[k];
    ecr_actset have = d == ECR_DECISION_ALLOW ? C->uy[t] : C->um[t];
    if (g->actions & ~have) return false;
  }
  return true;
}

static int cmp_cand_profile(const void *a, const void *b) {
  const chain_cand *x = a, *y = b;
  if (x->profile != y->profile) return x->profile < y->profile ? -1 : 1;
  if (x->y != y->y) return x->y ? -1 : 1;
  return (x->role > y->role) - (x->role < y->role);
}

static int cmp_cand_width(const void *a, const void *b) {
  const chain_cand *x = a, *y = b;
  if (x->y != y->y) return x->y ? -1 : 1;
  if (x->cells != y->cells) return x->cells > y->cells ? -1 : 1;
  return (x->role > y->role) - (x->role < y->role);
}

typedef struct memo_query {
  const chains *C;
  size_t reach;
  const void *row;
  long self;
  bool iam;
} memo_query;

static bool memo_equal(const void *ctx, size_t item) {
  const memo_query *q = ctx;
  const chain_memo *mm = &q->C->memo[item];
  return mm->reach == q->reach && mm->row == q->row && mm->self == q->self && mm->iam == q->iam;
}

static uint64_t memo_hash_of(const void *ctx, size_t item) {
  return ((const memo_query *)ctx)->C->memo[item].hash;
}

/* The roles a reach holds that have risky access, widest first (see
   cmp_cand_width), at most two per access profile (the best two: so that a
   start that is itself the best of its profile still has one). Made once
   per reach, shared by every start with it. */
static const reach_cands *reach_candidates(builder *B, chains *C, size_t reach, const uint64_t *ry,
                                           const uint64_t *rm) {
  const ecr_evidence *ev = B->ev;
  if (reach >= C->cap_rc) {
    size_t old = C->cap_rc;
    C->cap_rc = 2 * reach + 16;
    C->rc = ecr_xrealloc(C->rc, C->cap_rc * sizeof(reach_cands));
    memset(C->rc + old, 0, (C->cap_rc - old) * sizeof(reach_cands));
  }
  reach_cands *out = &C->rc[reach];
  if (out->made) return out;
  out->made = true;
  size_t nr = ecr_paths_role_count(C->paths), nc = 0, cap_c = 0;
  chain_cand *cands = NULL;
  for (size_t x = 0; x < (nr + 63) / 64; x++) {
    uint64_t bits = rm[x];
    while (bits) {
      size_t r = x * 64 + (size_t)__builtin_ctzll(bits);
      bits &= bits - 1;
      size_t ev_i = ecr_paths_role_principal(C->paths, r);
      long mx = C->mx_of_ev[ev_i];
      if (mx < 0) continue;
      /* becoming a service-linked role (only its AWS service can: AWS owns
         the trust policy) is not a path anyone can narrow; the role's own
         finding says what it holds */
      if (ev->principals[ev_i].service_linked) continue;
      if (!C->role_profile[r]) {
        const profile *pf = profile_of(B, (size_t)mx);
        C->role_profile[r] = (size_t)(pf - B->profiles) + 1;
      }
      size_t pi = C->role_profile[r] - 1;
      if (!B->profiles[pi].cells) continue;
      chain_cand c = {r, (size_t)mx, pi, B->profiles[pi].cells, (ry[x] >> (r % 64)) & 1};
      ECR_PUSH(cands, nc, cap_c, c);
    }
  }
  if (nc) qsort(cands, nc, sizeof(chain_cand), cmp_cand_profile);
  size_t nu = 0;
  for (size_t i = 0; i < nc; i++)
    if (nu < 2 || cands[nu - 1].profile != cands[i].profile ||
        cands[nu - 2].profile != cands[i].profile)
      cands[nu++] = cands[i];
  if (nu) qsort(cands, nu, sizeof(chain_cand), cmp_cand_width);
  out->c = cands;
  out->n = nu;
  return out;
}

/* What the starts with this reach and this own row get: the groups to
   emit, per role. */
static const chain_memo *chain_plan(builder *B, chains *C, size_t start, long start_ev,
                                    long start_mx) {
  const uint64_t *ry, *rm;
  size_t reach = ecr_paths_reach(C->paths, start, &ry, &rm);
  const ecr_row *own_row = start_mx >= 0 ? B->m->principals[start_mx].row : NULL;
  /* only the start's risky cells count as covered: a row without any (a
     reader) plans like no row, so such starts share one plan per reach */
  if (own_row && !risky_cells(own_row)) own_row = NULL;
  long self = -1;
  long sr = start_ev >= 0 ? C->role_of_ev[start_ev] : -1; /* the start's role index */
  if (sr >= 0 && (rm[(size_t)sr / 64] >> ((size_t)sr % 64) & 1)) self = start_ev;
  memo_query q = {C, reach, own_row, self, start_ev >= 0};
  uint64_t h = (reach * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)(uintptr_t)own_row >> 4) ^
               ((uint64_t)(self + 1) << 40) ^ (uint64_t)q.iam;
  bool found;
  size_t at = ecr_index_get(&C->memo_index, h, memo_equal, memo_hash_of, &q, C->n_memo, &found);
  if (found) return &C->memo[at];
  chain_memo mm = {reach, own_row, self, q.iam, h, NULL, 0, false};
  size_t cap_e = 0;
  const reach_cands *rcs = reach_candidates(B, C, reach, ry, rm);
  /* one candidate per profile, never the start itself (the list keeps two
     roles per profile for that) */
  size_t stamp = ++C->stamp;
  if (C->cap_taken < B->n_profiles + 1) {
    size_t old = C->cap_taken;
    C->cap_taken = 2 * (B->n_profiles + 1);
    C->taken = ecr_xrealloc(C->taken, C->cap_taken * sizeof(size_t));
    memset(C->taken + old, 0, (C->cap_taken - old) * sizeof(size_t));
  }
  chain_cand *cands = ecr_xcalloc(rcs->n + 1, sizeof(chain_cand));
  size_t nu = 0;
  for (size_t i = 0; i < rcs->n; i++) {
    const chain_cand *c = &rcs->c[i];
    if ((long)ecr_paths_role_principal(C->paths, c->role) == start_ev) continue;
    if (C->taken[c->profile] == stamp) continue;
    C->taken[c->profile] = stamp;
    cands[nu++] = *c;
  }
  /* covered so far: the start's own access */
  ecr_actset mask = risky_mask();
  for (size_t k = 0; own_row && k < own_row->n; k++)
    cover(C, own_row->target[k], own_row->y[k] & mask, own_row->m[k] & mask);
  size_t kept = 0;
  for (size_t i = 0; i < nu; i++) {
    const chain_cand *c = &cands[i];
    const ecr_row *row = B->m->principals[c->mx].row;
    if (row_covered(C, row, c->y)) continue;
    if (kept == CHAIN_MAX_ROLES) {
      mm.capped = true;
      break;
    }
    kept++;
    const profile *pf = &B->profiles[c->profile];
    for (size_t gi = 0; gi < pf->n; gi++) {
      const pgroup *g = &pf->g[gi];
      if (!risky_level(g->level)) continue;
      ecr_decision d = c->y ? g->decision : ECR_DECISION_CONDITIONAL;
      if (group_covered(B, C, g, d)) continue;
      chain_emit e = {c->role, c->mx, c->profile, gi, c->y};
      ECR_PUSH(mm.e, mm.n, cap_e, e);
    }
    for (size_t k = 0; k < row->n; k++)
      cover(C, row->target[k], c->y ? row->y[k] & mask : 0, row->m[k] & mask);
  }
  for (size_t i = 0; i < C->n_touched; i++) C->uy[C->touched[i]] = C->um[C->touched[i]] = 0;
  C->n_touched = 0;
  free(cands);
  ECR_PUSH(C->memo, C->n_memo, C->cap_memo, mm);
  return &C->memo[at];
}

typedef struct via_query {
  const chains *C;
  const chain_emit *e;
} via_query;

static bool via_equal(const void *ctx, size_t item) {
  const via_query *q = ctx;
  const via_memo *v = &q->C->vias[item];
  return v->mx == q->e->mx && v->profile == q->e->profile && v->group == q->e->group;
}

static uint64_t via_hash(size_t mx, size_t pf, size_t gi) {
  return (mx * 0x9e3779b97f4a7c15ull) ^ (pf * 0xc2b2ae3d27d4eb4full) ^ gi;
}

static uint64_t via_hash_of(const void *ctx, size_t item) {
  const via_memo *v = &((const via_query *)ctx)->C->vias[item];
  return via_hash(v->mx, v->profile, v->group);
}

/* The granting statements of the role's group (as a direct finding of the
   role lists them), explained on first use. */
static const via_memo *chain_vias(builder *B, chains *C, const chain_emit *e, const pgroup *g) {
  via_query q = {C, e};
  bool found;
  size_t at = ecr_index_get(&C->via_index, via_hash(e->mx, e->profile, e->group), via_equal,
                            via_hash_of, &q, C->n_vias, &found);
  if (found) return &C->vias[at];
  via_memo v = {e->mx, e->profile, e->group, NULL, 0, 0};
  const bset *set = &B->sets[g->set];
  v.via = ecr_matrix_explain_limited(
      B->m, e->mx, g->registry ? (size_t[]){ECR_MATRIX_REGISTRY} : set->targets,
      g->registry ? 1 : set->n, g->actions, VIA_MAX_RESOURCE, &v.n, &v.omitted);
  ECR_PUSH(C->vias, C->n_vias, C->cap_vias, v);
  return &C->vias[at];
}

static ecr_principal_kind start_kind(const ecr_evidence *ev, const char *name, long ev_i) {
  if (ev_i >= 0) return ev->principals[ev_i].cls == ECR_PRINCIPAL_USER ? ECR_PK_USER : ECR_PK_ROLE;
  if (strcmp(name, "*") == 0) return ECR_PK_PUBLIC;
  if (ecr_str_has_prefix(name, "service:")) return ECR_PK_SERVICE;
  if (ecr_str_has_prefix(name, "federated:")) return ECR_PK_FEDERATED;
  if (ecr_str_has_prefix(name, "k8s:")) return ECR_PK_K8S;
  size_t n = strlen(name);
  if (n > 5 && strcmp(name + n - 5, ":root") == 0) return ECR_PK_ACCOUNT;
  return ECR_PK_EXTERNAL;
}

/* A web identity start whose trust pins no sub is anyone holding a token of
   that provider: as outside as the public. */
static bool start_unpinned(const char *name) {
  size_t n = strlen(name);
  return ecr_str_has_prefix(name, "federated:") && n > 2 && strcmp(name + n - 2, "#*") == 0;
}

/* "GitHub Actions workflows of repository acme/web, branch main" ... */
static char *who_of(const ecr_evidence *ev, const char *name, long ev_i, ecr_principal_kind k) {
  if (ev_i >= 0)
    return T(k == ECR_PK_USER ? "chain/who-user" : "chain/who-role",
             (const char *const[]){"name", ev->principals[ev_i].name, NULL});
  if (k == ECR_PK_PUBLIC) return T("chain/who-public", NULL);
  if (k == ECR_PK_SERVICE)
    return T("chain/who-service", (const char *const[]){"service", name + 8, NULL});
  if (k == ECR_PK_ACCOUNT || k == ECR_PK_EXTERNAL) {
    char *acct = account_in(name);
    char *s = T(k == ECR_PK_ACCOUNT ? "chain/who-account" : "chain/who-external",
                (const char *const[]){"account", acct, "name", name, NULL});
    free(acct);
    return s;
  }
  if (k == ECR_PK_K8S) { /* k8s:<cluster ARN>#<ns>/<sa> */
    const char *hash = strrchr(name, '#');
    const char *slash = hash ? strchr(hash, '/') : NULL;
    if (!hash || !slash) return ecr_xstrdup(name);
    char *cluster = ecr_xasprintf("%.*s", (int)(hash - name - 4), name + 4);
    const char *cl = strstr(cluster, ":cluster/");
    char *ns = ecr_xasprintf("%.*s", (int)(slash - hash - 1), hash + 1);
    char *s = T("chain/who-k8s", (const char *const[]){"sa", slash + 1, "ns", ns, "cluster",
                                                       cl ? cl + 9 : cluster, NULL});
    free(ns);
    free(cluster);
    return s;
  }
  /* federated:<provider ARN>[#<sub>] */
  const char *prov = name + strlen("federated:");
  const char *hash = strchr(prov, '#');
  char *provider = hash ? ecr_xasprintf("%.*s", (int)(hash - prov), prov) : ecr_xstrdup(prov);
  char *s;
  if (!hash) {
    s = T("chain/who-saml", (const char *const[]){"provider", provider, NULL});
  } else if (strstr(provider, "token.actions.githubusercontent.com")) {
    const char *sub = hash + 1;
    if (strcmp(sub, "*") == 0) {
      s = T("chain/who-github-any", NULL);
    } else {
      /* repo:OWNER/NAME:ref:refs/heads/BRANCH, :ref:refs/tags/TAG, :environment:ENV,
         :pull_request ... */
      char *what;
      const char *r = ecr_str_has_prefix(sub, "repo:") ? sub + 5 : NULL;
      const char *colon = r ? strchr(r, ':') : NULL;
      if (r) {
        char *rname = colon ? ecr_xasprintf("%.*s", (int)(colon - r), r) : ecr_xstrdup(r);
        bool pattern = strchr(rname, '*') != NULL;
        char *repo = T(pattern ? "chain/gh-repos" : "chain/gh-repo",
                       (const char *const[]){"repo", rname, NULL});
        const char *rest = colon ? colon + 1 : NULL;
        static const struct {
          const char *prefix, *tmpl;
        } refs[] = {{"ref:refs/heads/", "chain/gh-branch"},
                    {"ref:refs/tags/", "chain/gh-tag"},
                    {"environment:", "chain/gh-environment"}};
        const char *tmpl = rest ? "chain/gh-other" : NULL, *ref = rest;
        for (size_t j = 0; rest && j < sizeof(refs) / sizeof(refs[0]); j++)
          if (ecr_str_has_prefix(rest, refs[j].prefix)) {
            tmpl = refs[j].tmpl;
            ref = rest + strlen(refs[j].prefix);
            break;
          }
        what = tmpl ? T(tmpl, (const char *const[]){"repo", repo, "ref", ref, NULL})
                    : ecr_xstrdup(repo);
        free(repo);
        free(rname);
      } else {
        what = T("chain/gh-sub", (const char *const[]){"sub", sub, NULL});
      }
      s = T("chain/who-github", (const char *const[]){"what", what, NULL});
      free(what);
    }
  } else if (strcmp(hash + 1, "*") == 0) {
    s = T("chain/who-web-any", (const char *const[]){"provider", provider, NULL});
  } else {
    s = T("chain/who-web", (const char *const[]){"provider", provider, "sub", hash + 1, NULL});
  }
  free(provider);
  return s;
}

/* The statement of the first role's trust policy that lets the start in:
   the one naming it exactly, else one delegating to its account's IAM
   policies (*delegated), else one naming "*". NULL when none is found. */
static char *trust_statement(const ecr_evidence *ev, const ecr_iam_principal *role,
                             const char *name, long ev_i, ecr_principal_kind k, bool *delegated) {
  *delegated = false;
  if (!role->trust) return NULL;
  const ecr_statement *best = NULL;
  int rank = 0; /* 3 exact, 2 delegated, 1 star */
  char *root = ecr_xasprintf("arn:%s:iam::%s:root", ev->partition, ev->account);
  const char *prov = ecr_str_has_prefix(name, "federated:") ? name + 10 : NULL;
  size_t prov_len = prov ? strcspn(prov, "#") : 0;
  for (size_t i = 0; i < role->trust->n_statements; i++) {
    const ecr_statement *s = &role->trust->statements[i];
    if (s->deny || s->not_principal) continue;
    for (size_t j = 0; j < s->n_principals; j++) {
      const ecr_principal_ref *ref = &s->principals[j];
      int r = 0;
      switch (ref->type) {
      case ECR_PT_STAR: r = 1; break;
      case ECR_PT_AWS:
        if (strcmp(ref->value, name) == 0)
          r = 3;
        else if (ev_i >= 0 &&
                 (strcmp(ref->value, root) == 0 || strcmp(ref->value, ev->account) == 0))
          r = 2;
        else if (k == ECR_PK_ACCOUNT && strlen(ref->value) == 12 && strstr(name, ref->value))
          r = 3;
        break;
      case ECR_PT_SERVICE:
        if ((k == ECR_PK_SERVICE && strcmp(ref->value, name + 8) == 0) ||
            (k == ECR_PK_K8S && strcmp(ref->value, POD_IDENTITY) == 0))
          r = 3;
        break;
      case ECR_PT_FEDERATED:
        if ((prov && strlen(ref->value) == prov_len && strncmp(ref->value, prov, prov_len) == 0) ||
            (k == ECR_PK_K8S && strstr(ref->value, ":oidc-provider/")))
          r = 3;
        break;
      case ECR_PT_CANONICAL: break;
      }
      if (r > rank) {
        rank = r;
        best = s;
      }
    }
  }
  free(root);
  if (!best) return NULL;
  *delegated = rank == 2;
  return best->sid ? ecr_xstrdup(best->sid) : ecr_xasprintf("%zu", best->index);
}

static void chain_texts(builder *B, ecr_finding *f, const char *who, const char *who_short,
                        long start_ev, ecr_principal_kind kind, bool hops_y) {
  const ecr_evidence *ev = B->ev;
  const char *first_arn = f->via_chain[0], *last_arn = f->via_chain[f->n_via_chain - 1];
  long fi = ecr_evidence_find_principal(ev, first_arn),
       li = ecr_evidence_find_principal(ev, last_arn);
  const char *first = fi >= 0 ? ev->principals[fi].name : first_arn;
  const char *role = li >= 0 ? ev->principals[li].name : last_arn;
  ecr_buf path;
  ecr_buf_init(&path);
  for (size_t i = 0; i < f->n_via_chain; i++) {
    long pi = ecr_evidence_find_principal(ev, f->via_chain[i]);
    ecr_buf_printf(&path, "%s%s", i ? " > " : "",
                   pi >= 0 ? ev->principals[pi].name : f->via_chain[i]);
  }
  char *cond = hops_y ? ecr_xstrdup("") : T("chain/impact-conditional", NULL);
  char *repos = repos_phrase_n(B, f, 3);
  char *effects = f->access_level == ECR_LEVEL_WRITE         ? write_effects(f)
                  : f->access_level == ECR_LEVEL_PERMISSIONS ? T("effect/permissions", NULL)
                                                             : T("effect/tagging", NULL);
  ecr_buf b;
  ecr_buf_init(&b);
  char *how = T(f->n_via_chain == 1 ? "chain/how-one" : "chain/how-chain",
                (const char *const[]){"role", role, "path", path.data, NULL});
  para(&b, T("chain/impact", (const char *const[]){"who", who, "how", how, "hops", cond, "effects",
                                                   effects, "repos", repos, NULL}));
  free(how);
  /* (can_push says whether the whole push set is there; that removing the
     path leaves the role its own access is said once, in the report's
     coverage, not per finding) */
  if (f->decision == ECR_DECISION_CONDITIONAL && f->n_undecided) {
    char *keys = join(f->undecided_conditions, f->n_undecided, ", ", 12);
    para(&b, T("impact/conditional", (const char *const[]){"keys", keys, NULL}));
    free(keys);
  }
  if (f->status == ECR_CHECK_UNKNOWN) para(&b, T("impact/gap", NULL));
  f->impact = ecr_buf_steal(&b);

  ecr_buf_init(&b);
  bool delegated = false;
  f->chain_trust =
      fi >= 0 ? trust_statement(ev, &ev->principals[fi], f->principal, start_ev, kind, &delegated)
              : NULL;
  const char *stmt = f->chain_trust ? f->chain_trust : "(not found)";
  para(&b, T(delegated ? "chain/remediation-delegated" : "chain/remediation-trust",
             (const char *const[]){"first", first, "statement", stmt, "who_short", who_short,
                                   "role", role, NULL}));
  para(&b, T("chain/ledger", NULL));
  f->remediation = ecr_buf_steal(&b);
  free(effects);
  free(repos);
  free(cond);
  ecr_buf_cleanup(&path);
}

/* The matrix principal spelled `name`, -1 when none (principals are sorted
   in TSV order). */
static long matrix_find(const ecr_matrix *m, const char *name) {
  size_t lo = 0, hi = m->n_principals;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = ecr_tsv_cmp(m->principals[mid].pub.name, name);
    if (c == 0) return (long)mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

static void chain_findings(builder *B, ecr_paths *given) {
  const ecr_evidence *ev = B->ev;
  const ecr_matrix *m = B->m;
  chains C = {0};
  ecr_error err = {0};
  C.paths = given;
  if (!given && ecr_paths_build(ev, m, &C.paths, &err) != ECR_OK) return;
  C.mx_of_ev = ecr_xcalloc(ev->n_principals + 1, sizeof(long));
  for (size_t i = 0; i < ev->n_principals; i++) C.mx_of_ev[i] = -1;
  for (size_t i = 0; i < m->n_principals; i++)
    if (m->principals[i].pub.iam_index >= 0) C.mx_of_ev[m->principals[i].pub.iam_index] = (long)i;
  C.role_profile = ecr_xcalloc(ecr_paths_role_count(C.paths) + 1, sizeof(size_t));
  C.role_of_ev = ecr_xcalloc(ev->n_principals + 1, sizeof(long));
  for (size_t i = 0; i < ev->n_principals; i++) C.role_of_ev[i] = -1;
  for (size_t r = 0; r < ecr_paths_role_count(C.paths); r++)
    C.role_of_ev[ecr_paths_role_principal(C.paths, r)] = (long)r;
  C.uy = ecr_xcalloc(m->n_targets + 1, sizeof(ecr_actset));
  C.um = ecr_xcalloc(m->n_targets + 1, sizeof(ecr_actset));
  size_t n_starts = ecr_paths_start_count(C.paths);
  for (size_t s = 0; s < n_starts; s++) {
    const char *name = ecr_paths_start_name(C.paths, s);
    long start_ev = ecr_paths_start_principal(C.paths, s);
    long start_mx = start_ev >= 0 ? C.mx_of_ev[start_ev] : matrix_find(m, name);
    const chain_memo *plan = chain_plan(B, &C, s, start_ev, start_mx);
    if (!plan->n) continue;
    if (plan->capped) C.n_capped++;
    size_t n_emit = plan->n;
    chain_emit *emits = ecr_xcalloc(n_emit + 1, sizeof(chain_emit));
    memcpy(emits, plan->e, n_emit * sizeof(chain_emit)); /* the memo array may move */
    ecr_principal_kind kind = start_kind(ev, name, start_ev);
    ecr_principal_kind sev_kind = start_unpinned(name)                             ? ECR_PK_PUBLIC
                                  : kind == ECR_PK_FEDERATED || kind == ECR_PK_K8S ? ECR_PK_ROLE
                                                                                   : kind;
    char *who = who_of(ev, name, start_ev, kind);
    const char *who_short = start_ev >= 0 ? ev->principals[start_ev].name : name;
    for (size_t i = 0; i < n_emit; i++) {
      const chain_emit *e = &emits[i];
      const pgroup *g = &B->profiles[e->profile].g[e->group];
      size_t chain[ECR_PATHS_MAX_HOPS];
      size_t n_chain = ecr_paths_chain(C.paths, s, e->role, e->y, chain);
      if (!n_chain) continue;
      ecr_finding *f = new_finding(B, start_mx >= 0 ? (size_t)start_mx : (size_t)-1);
      f->principal = ecr_xstrdup(name);
      f->principal_kind = kind;
      f->access_level = g->level;
      f->decision = e->y ? g->decision : ECR_DECISION_CONDITIONAL;
      f->actions = actions_of(g->actions, &f->n_actions);
      use_set(B, f, g->set);
      f->all_repositories = g->all;
      f->can_push = g->can_push;
      f->severity = severity_of(g->level, sev_kind, g->all || g->registry);
      f->status = g->gap ? ECR_CHECK_UNKNOWN : ECR_CHECK_FAIL;
      if (g->gap) f->status_reason = T("status/gap-finding", NULL);
      f->via_chain = ecr_xcalloc(n_chain + 1, sizeof(char *));
      ecr_buf key;
      ecr_buf_init(&key);
      ecr_buf_puts(&key, "chain");
      for (size_t k = 0; k < n_chain; k++) {
        f->via_chain[k] =
            ecr_xstrdup(ev->principals[ecr_paths_role_principal(C.paths, chain[k])].arn);
        ecr_buf_printf(&key, "\n%s", f->via_chain[k]);
      }
      f->n_via_chain = n_chain;
      char *akey = action_key(g->actions);
      ecr_buf_printf(&key, "\n%s\n%s", akey, ecr_decision_name(g->decision));
      free(akey);
      f->id = finding_id(ev->account, f->principal, g->level, f->decision, g->registry, g->gap,
                         key.data);
      ecr_buf_cleanup(&key);
      const via_memo *vm = chain_vias(B, &C, e, g);
      f->via = ecr_via_copy(vm->via, vm->n);
      f->n_via = vm->n;
      f->n_via_omitted = vm->omitted;
      undecided_keys(f);
      apply_ledger(B, f);
      chain_texts(B, f, who, who_short, start_ev, kind, e->y);
      C.n_findings++;
    }
    free(who);
    free(emits);
  }
  B->n_chain_findings = C.n_findings;
  B->n_chain_capped = C.n_capped;
  for (size_t i = 0; i < C.n_memo; i++) free(C.memo[i].e);
  for (size_t i = 0; i < C.cap_rc; i++) free(C.rc[i].c);
  free(C.rc);
  free(C.taken);
  for (size_t i = 0; i < C.n_vias; i++) {
    for (size_t k = 0; k < C.vias[i].n; k++) ecr_via_cleanup(&C.vias[i].via[k]);
    free(C.vias[i].via);
  }
  free(C.vias);
  ecr_index_cleanup(&C.via_index);
  free(C.memo);
  ecr_index_cleanup(&C.memo_index);
  free(C.mx_of_ev);
  free(C.role_of_ev);
  free(C.role_profile);
  free(C.uy);
  free(C.um);
  free(C.touched);
  if (!given) ecr_paths_free(C.paths);
}

/* A repository or region whose evidence is missing: unknown, never pass. */
typedef enum gap_kind { GAP_REPO, GAP_REGION, GAP_SCP } gap_kind;

static void gap_finding(builder *B, const char *resource, const char *error, gap_kind kind,
                        const char *region_name) {
  bool region = kind == GAP_REGION;
  ecr_finding *f = new_finding(B, (size_t)-1);
  f->principal = ecr_xstrdup("*");
  f->principal_kind = ECR_PK_PUBLIC;
  f->access_level = ECR_LEVEL_WRITE;
  f->decision = ECR_DECISION_CONDITIONAL;
  char *res = kind == GAP_SCP
                  ? ecr_xasprintf("arn:%s:ecr:*:%s:repository/*", B->ev->partition, B->ev->account)
              : region ? ecr_xasprintf("arn:%s:ecr:%s:%s:repository/*", B->ev->partition,
                                       region_name, B->ev->account)
                       : ecr_xstrdup(resource);
  use_set(B, f, intern_set(B, false, NULL, 0, res));
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
  f->id = finding_id(B->ev->account, "*", ECR_LEVEL_WRITE, ECR_DECISION_CONDITIONAL, false, true,
                     resource);
  apply_ledger(B, f);
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
  size_t *view_of = ecr_xcalloc(m->n_principals + 1, sizeof(size_t)); /* view index + 1 */
  /* principals outside the matrix (chain starts, "*" of gap findings): by name */
  ecr_index orphans = {0};
  size_t *orphan_view = ecr_xcalloc(r->n_findings + 1, sizeof(size_t)); /* view index + 1 */
  size_t n_orphans = 0;
  size_t *fcaps = ecr_xcalloc(r->n_findings + 1, sizeof(size_t));
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    size_t p = B->finding_principal[i];
    if (p == (size_t)-1) {
      long k = matrix_find(m, f->principal);
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
      if (p != (size_t)-1 && m->principals[p].pub.iam_index >= 0)
        ip = &B->ev->principals[m->principals[p].pub.iam_index];
      pv->name = ecr_xstrdup(ip ? ip->name : f->principal);
      if (ip) {
        pv->used_by = ip->cls == ECR_PRINCIPAL_ROLE ? trust_summary(B->ev, ip) : NULL;
        pv->last_used = ip->last_used ? ecr_xstrdup(ip->last_used) : NULL;
        pv->service_linked = ip->service_linked;
        pv->evidence_gap = m->principals[p].gap;
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
    for (size_t i = 0; i < ev->n_principals; i++) tagged_sessions += B->m->tag_session[i];
    if (tagged_sessions) {
      char n[32];
      snprintf(n, sizeof(n), "%zu", tagged_sessions);
      add_coverage(r, &cap, T("coverage/session-tags", (const char *const[]){"count", n, NULL}));
    }
  }
  if (ev->n_regions) {
    char **names = ecr_xcalloc(ev->n_regions + 1, sizeof(char *));
    for (size_t i = 0; i < ev->n_regions; i++) names[i] = ev->regions[i].name;
    char *list = join(names, ev->n_regions, ", ", 64);
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
    char *acct = account_in(f->principal);
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
  B.target_str = ecr_xcalloc(m->n_targets + 1, sizeof(char *));
  r->tool_version = ecr_xstrdup(ECRAUDIT_VERSION);
  r->catalog_version = ecr_xstrdup(ecr_catalog_version());
  r->control_id = ecr_xstrdup("C-0222");
  r->control_name = ecr_xstrdup("Minimize user access to Amazon ECR");
  r->control_ref = ecr_xstrdup("CIS Amazon EKS Benchmark 5.1.2");
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
  for (size_t p = 0; p < m->n_principals; p++) principal_findings(&B, p, as_of);
  chain_findings(&B, paths);
  for (size_t i = 0; i < ev->n_repos; i++)
    if (ev->repos[i].policy_gap)
      gap_finding(&B, ev->repos[i].arn, ev->repos[i].gap_error, GAP_REPO, NULL);
  for (size_t i = 0; i < ev->n_regions; i++) {
    const ecr_region *reg = &ev->regions[i];
    if (reg->repositories_gap)
      gap_finding(&B, reg->name, reg->gap_error, GAP_REGION, reg->name);
    else if (reg->registry_policy_gap) {
      char *res = ecr_xasprintf("the registry policy of %s", reg->name);
      gap_finding(&B, res, reg->gap_error, GAP_REPO, NULL);
      free(res);
    }
  }
  for (size_t i = 0; i < ev->n_gaps; i++) {
    const ecr_gap *g = &ev->gaps[i];
    if (strcmp(g->source, "ecr:DescribeRepositories") == 0 && strcmp(g->resource, "*") == 0)
      gap_finding(&B, "*", g->error, GAP_REGION, "*");
    else if (ecr_str_has_prefix(g->source, "organizations:"))
      gap_finding(&B, g->resource[0] ? g->resource : "the organization", g->error, GAP_SCP, NULL);
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
