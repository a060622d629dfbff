/* The access matrix, compiling: targets, the pattern cache, statements
 * compiled once (action bitsets, resource matches per target), the SCP and
 * RCP layers, and the resource-side index by target and named principal. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate/matrix_internal.h"
#include "util/util.h"

/* ---- hashing helpers ------------------------------------------------------ */
#define fnv ecr_fnv1a
#define FNV0 ECR_FNV1A_SEED

static uint64_t ptr_hash(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}

/* ---- targets ------------------------------------------------------------------ */
void ecr_mx_targets_init(ecr_matrix *m) {
  const ecr_evidence *ev = m->ev;
  m->n_repos = ev->n_repos;
  m->n_regions = ev->n_regions;
  m->n_probes = 2 * ev->n_regions;
  m->n_targets = m->n_repos + m->n_probes + 1;
  m->registry = m->n_targets - 1;
  m->words = (m->n_targets + 63) / 64;
  m->target_res = ecr_xcalloc(m->n_targets, sizeof(char *));
  m->target_region = ecr_xcalloc(m->n_targets, sizeof(long));
  m->probe_prefix = ecr_xcalloc(ev->n_regions + 1, sizeof(char *));
  for (size_t i = 0; i < ev->n_repos; i++) {
    m->target_res[i] = ecr_xstrdup(ev->repos[i].arn);
    m->target_region[i] = -1;
    for (size_t r = 0; r < ev->n_regions; r++)
      if (strcmp(ev->regions[r].name, ev->repos[i].region) == 0) m->target_region[i] = (long)r;
  }
  for (size_t r = 0; r < ev->n_regions; r++) {
    m->probe_prefix[r] = ecr_xasprintf("arn:%s:ecr:%s:%s:repository/", ev->partition,
                                       ev->regions[r].name, ev->account);
    /* A repository name no real repository can have (ECR names are
     * [a-z0-9._/-]): only patterns that cover every name match it. Both
     * probes of a region carry it for code that matches them as text; the
     * statements' bits on them are set from the patterns (compile_stmt). */
    for (size_t k = 0; k < 2; k++) {
      size_t t = ecr_probe_low(m, r) + k * m->n_regions;
      m->target_res[t] = ecr_xasprintf("%s\x01probe", m->probe_prefix[r]);
      m->target_region[t] = (long)r;
    }
  }
  m->target_res[m->registry] = ecr_xstrdup("*");
  m->target_region[m->registry] = -1;
  m->registry_mask = ecr_catalog_registry_level();
  m->repo_mask = ecr_catalog_all() & ~m->registry_mask;
}

ecr_actset ecr_mx_target_mask(const ecr_matrix *m, size_t t) {
  return t == m->registry ? m->registry_mask : m->repo_mask;
}

/* ---- pattern cache --------------------------------------------------------------- */
typedef struct pat_query {
  const ecr_matrix *m;
  const char *pat;
} pat_query;

static bool pat_eq(const void *ctx, size_t item) {
  const pat_query *q = ctx;
  return strcmp(q->m->pat[item].key, q->pat) == 0;
}

static uint64_t pat_rehash(const void *ctx, size_t item) {
  return ((const pat_query *)ctx)->m->pat[item].hash;
}

static int cmp_target_res(const void *a, const void *b, void *ctx) {
  const ecr_matrix *m = ctx;
  return strcmp(m->target_res[*(const size_t *)a], m->target_res[*(const size_t *)b]);
}

/* The repository targets pat matches, into bits. A repository ARN it
 * matches starts with its literal prefix (up to the first * or ?; resource
 * patterns match case-sensitively), so only the sorted range with that
 * prefix is matched. Sharper when the pattern holds ":repository/": an ARN
 * holds it once and names never hold ':', so the literal after it starts
 * the name, a range of m->repos_by_name. */
static void match_repos(ecr_matrix *m, const char *pat, uint64_t *bits) {
  const char *mark = strstr(pat, ":repository/");
  const char *name = mark ? mark + strlen(":repository/") : NULL;
  size_t nl = name ? strcspn(name, "*?") : 0;
  if (nl > 0) {
    size_t a = 0, b = m->n_repos;
    while (a < b) {
      size_t mid = a + (b - a) / 2;
      if (strncmp(m->ev->repos[m->repos_by_name[mid]].name, name, nl) < 0)
        a = mid + 1;
      else
        b = mid;
    }
    for (size_t k = a; k < m->n_repos; k++) {
      size_t t = m->repos_by_name[k];
      if (strncmp(m->ev->repos[t].name, name, nl) != 0) break;
      if (ecr_glob_match(pat, m->target_res[t], false)) bits[t >> 6] |= 1ull << (t & 63);
    }
    return;
  }
  if (!m->repo_sorted) {
    m->repo_sorted = ecr_xcalloc(m->n_repos + 1, sizeof(size_t));
    for (size_t t = 0; t < m->n_repos; t++) m->repo_sorted[t] = t;
    ecr_sort_idx(m->repo_sorted, m->n_repos, cmp_target_res, m);
  }
  size_t plen = strcspn(pat, "*?"), lo = 0, hi = m->n_repos;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strncmp(m->target_res[m->repo_sorted[mid]], pat, plen) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (size_t k = lo; k < m->n_repos; k++) {
    size_t t = m->repo_sorted[k];
    if (strncmp(m->target_res[t], pat, plen) != 0) break;
    if (ecr_glob_match(pat, m->target_res[t], false)) bits[t >> 6] |= 1ull << (t & 63);
  }
}

static const uint64_t *pattern_bits(ecr_matrix *m, const char *pat) {
  pat_query q = {m, pat};
  uint64_t h = fnv(pat, strlen(pat), FNV0);
  bool found;
  size_t at = ecr_index_get(&m->pat_ix, h, pat_eq, pat_rehash, &q, m->pat_n, &found);
  if (found) return m->pat[at].bits;
  uint64_t *bits = ecr_xcalloc(m->words, sizeof(uint64_t));
  match_repos(m, pat, bits);
  for (size_t t = m->n_repos; t < m->n_targets; t++) {
    bool hit;
    if (t == m->registry) {
      hit = ecr_glob_match(pat, m->target_res[t], false);
    } else if (ecr_probe_is_low(m, t)) { /* covers every name of the region */
      hit = ecr_glob_covers_prefix(pat, m->probe_prefix[t - ecr_probe_low(m, 0)], false);
    } else { /* can match some name */
      hit = ecr_glob_prefix_match(pat, m->probe_prefix[t - ecr_probe_high(m, 0)],
                                  ECR_REPO_NAME_CHARS);
    }
    if (hit) bits[t >> 6] |= 1ull << (t & 63);
  }
  struct pat_item it = {ecr_xstrdup(pat), bits, h};
  ECR_PUSH(m->pat, m->pat_n, m->pat_cap, it);
  return bits;
}

/* ---- compiling statements --------------------------------------------------------- */
static void compile_stmt(ecr_matrix *m, ecr_cstmt *c, bool resource_policy) {
  const ecr_statement *s = c->s;
  c->vars = false;
  for (size_t i = 0; i < s->n_resources; i++)
    if (ecr_pattern_has_variables(s->resources[i], c->pol->variables)) c->vars = true;
  if (c->vars) return;
  c->match = ecr_xcalloc(m->words, sizeof(uint64_t));
  if (s->n_resources == 0 && !s->not_resource) {
    /* No Resource element: a resource policy applies to its own resource
     * (handled by the caller); an identity policy matches nothing. */
    if (resource_policy)
      for (size_t w = 0; w < m->words; w++) c->match[w] = ~0ull;
  } else {
    for (size_t i = 0; i < s->n_resources; i++) {
      const uint64_t *b = pattern_bits(m, s->resources[i]);
      for (size_t w = 0; w < m->words; w++) c->match[w] |= b[w];
    }
    if (s->not_resource)
      for (size_t w = 0; w < m->words; w++) c->match[w] = ~c->match[w];
  }
  /* the probes stand for repositories not created yet (see
   * matrix_internal.h): pattern bits say "covers every name" (low) and "can
   * match some name" (high); place them so the low probe sees the least
   * access any such repository can have and the high probe the most */
  for (size_t r = 0; r < m->n_regions; r++) {
    size_t lo = ecr_probe_low(m, r), hi = ecr_probe_high(m, r);
    bool every, some;
    if (s->n_resources == 0 && !s->not_resource) {
      every = some = resource_policy;
    } else {
      bool cover = false, can = false;
      for (size_t i = 0; i < s->n_resources; i++) {
        const uint64_t *b = pattern_bits(m, s->resources[i]);
        cover |= ecr_bit_get(b, lo);
        can |= ecr_bit_get(b, hi);
      }
      every = s->not_resource ? !can : cover;
      some = s->not_resource ? !cover : can;
    }
    bool at_lo = s->deny ? some : every, at_hi = s->deny ? every : some;
    c->match[lo >> 6] =
        at_lo ? c->match[lo >> 6] | 1ull << (lo & 63) : c->match[lo >> 6] & ~(1ull << (lo & 63));
    c->match[hi >> 6] =
        at_hi ? c->match[hi >> 6] | 1ull << (hi & 63) : c->match[hi >> 6] & ~(1ull << (hi & 63));
  }
  /* clear bits past the last target */
  size_t extra = m->words * 64 - m->n_targets;
  if (extra) c->match[m->words - 1] &= ~0ull >> extra;
}

typedef struct cpol_query {
  const ecr_matrix *m;
  const ecr_policy *p;
} cpol_query;

static bool cpol_eq(const void *ctx, size_t item) {
  const cpol_query *q = ctx;
  return q->m->cpol[item].key == q->p;
}

static uint64_t cpol_rehash(const void *ctx, size_t item) {
  return ptr_hash(((const cpol_query *)ctx)->m->cpol[item].key);
}

const ecr_cpolicy *ecr_matrix_cpolicy(const ecr_matrix *m, const ecr_policy *p) {
  if (!p) return NULL;
  cpol_query q = {m, p};
  size_t at = ecr_index_find(&m->cpol_ix, ptr_hash(p), cpol_eq, &q);
  return at == ECR_INDEX_NONE ? NULL : m->cpol[at].val;
}

const ecr_cpolicy *ecr_mx_compile_policy(ecr_matrix *m, const ecr_policy *p, const char *name,
                                         const char *owner, ecr_source src, bool resource_policy) {
  if (!p) return NULL;
  cpol_query q = {m, p};
  bool found;
  size_t at = ecr_index_get(&m->cpol_ix, ptr_hash(p), cpol_eq, cpol_rehash, &q, m->cpol_n, &found);
  if (found) return m->cpol[at].val;
  ecr_cpolicy *cp = ecr_xcalloc(1, sizeof(*cp));
  cp->st = ecr_xcalloc(p->n_statements + 1, sizeof(ecr_cstmt));
  for (size_t i = 0; i < p->n_statements; i++) {
    const ecr_statement *s = &p->statements[i];
    if (!s->actions || s->cond == ECR_COND_NEVER) continue;
    ecr_cstmt *c = &cp->st[cp->n++];
    c->s = s;
    c->pol = p;
    c->policy_name = name;
    c->owner = owner;
    c->source = src;
    c->cond = ecr_matrix_intern_condition(m, s, p->variables);
    compile_stmt(m, c, resource_policy);
  }
  struct cpol_item it = {p, cp};
  ECR_PUSH(m->cpol, m->cpol_n, m->cpol_cap, it);
  return cp;
}

/* ---- every policy of the bundle, and the resource-side index ---------------------------- */
static void index_resource_side(ecr_matrix *m);
void ecr_mx_compile_all(ecr_matrix *m) {
  const ecr_evidence *ev = m->ev;
  for (size_t i = 0; i < ev->n_managed; i++)
    ecr_mx_compile_policy(m, ev->managed[i].doc, ev->managed[i].arn, NULL, ECR_SRC_IDENTITY, false);
  for (size_t g = 0; g < ev->n_groups; g++)
    for (size_t i = 0; i < ev->groups[g].n_inline; i++)
      ecr_mx_compile_policy(m, ev->groups[g].inline_policies[i].doc,
                            ev->groups[g].inline_policies[i].name, ev->groups[g].name,
                            ECR_SRC_GROUP, false);
  for (size_t p = 0; p < ev->n_principals; p++)
    for (size_t i = 0; i < ev->principals[p].n_inline; i++)
      ecr_mx_compile_policy(m, ev->principals[p].inline_policies[i].doc,
                            ev->principals[p].inline_policies[i].name, NULL, ECR_SRC_IDENTITY,
                            false);
  /* SCPs and RCPs: evaluated once for every principal alike; again per
     principal where a condition or variable needs it (eval_principal) */
  size_t n = m->n_targets;
  m->scp_active = ev->scps_present && ev->n_scp_levels > 0;
  m->rcp_active =
      ev->rcps_present && ev->n_rcp_levels > 0 &&
      !(ev->org_management_account && strcmp(ev->org_management_account, ev->account) == 0);
  m->scp_y = ecr_xcalloc(n, sizeof(ecr_actset));
  m->scp_m = ecr_xcalloc(n, sizeof(ecr_actset));
  m->scp_dy = ecr_xcalloc(n, sizeof(ecr_actset));
  m->scp_dm = ecr_xcalloc(n, sizeof(ecr_actset));
  m->rcp_y = ecr_xcalloc(n, sizeof(ecr_actset));
  m->rcp_m = ecr_xcalloc(n, sizeof(ecr_actset));
  m->rcp_dy = ecr_xcalloc(n, sizeof(ecr_actset));
  m->rcp_dm = ecr_xcalloc(n, sizeof(ecr_actset));
  acc lvl;
  ecr_mx_acc_alloc(&lvl, n);
  if (m->scp_active) {
    m->scp_per_principal = ecr_mx_guard_compile(m, ev->scp_levels, ev->n_scp_levels, ECR_SRC_SCP,
                                                &m->scp_stmts, &m->n_scp_stmts);
    acc deny = {m->scp_dy, m->scp_dm};
    ecr_mx_guard_eval(m, ev->scp_levels, ev->n_scp_levels, NULL, ECR_NOWHERE, NULL, &lvl, m->scp_y,
                      m->scp_m, &deny);
  } else {
    for (size_t t = 0; t < n; t++) m->scp_y[t] = m->scp_m[t] = ecr_mx_target_mask(m, t);
  }
  if (m->rcp_active) {
    m->rcp_per_principal = ecr_mx_guard_compile(m, ev->rcp_levels, ev->n_rcp_levels, ECR_SRC_RCP,
                                                &m->rcp_stmts, &m->n_rcp_stmts);
    acc deny = {m->rcp_dy, m->rcp_dm};
    ecr_mx_guard_eval(m, ev->rcp_levels, ev->n_rcp_levels, NULL, ECR_NOWHERE, NULL, &lvl, m->rcp_y,
                      m->rcp_m, &deny);
  } else {
    for (size_t t = 0; t < n; t++) m->rcp_y[t] = m->rcp_m[t] = ecr_mx_target_mask(m, t);
  }
  ecr_mx_acc_free(&lvl);
  /* resource side: repository policies and registry policies, per target */
  m->rst_first = ecr_xcalloc(n + 1, sizeof(size_t));
  size_t rcap = 0;
  for (size_t t = 0; t < n; t++) {
    m->rst_first[t] = m->n_rst;
    if (t == m->registry) continue;
    if (t < m->n_repos) {
      const ecr_repository *repo = &ev->repos[t];
      const ecr_cpolicy *cp =
          ecr_mx_compile_policy(m, repo->policy, repo->arn, NULL, ECR_SRC_RESOURCE, true);
      for (size_t i = 0; cp && i < cp->n; i++) {
        const ecr_cstmt *c = &cp->st[i];
        /* a repository policy's Resource (when present) must match its own ARN */
        if (!c->vars && !ecr_bit_get(c->match, t)) continue;
        ecr_rstmt r = {c, (uint32_t)t};
        ECR_PUSH(m->rst, m->n_rst, rcap, r);
      }
    }
    long reg = m->target_region[t];
    if (reg >= 0 && ev->regions[reg].registry_policy) {
      char *name = ecr_xasprintf("arn:%s:ecr:%s:%s:registry", ev->partition, ev->regions[reg].name,
                                 ev->account);
      /* the name must live as long as the matrix: keep it in target_res's
       * neighbour table by compiling once per region */
      const ecr_cpolicy *cp = ecr_matrix_cpolicy(m, ev->regions[reg].registry_policy);
      if (!cp) {
        cp = ecr_mx_compile_policy(m, ev->regions[reg].registry_policy, NULL, NULL,
                                   ECR_SRC_REGISTRY, true);
        for (size_t i = 0; i < cp->n; i++) cp->st[i].policy_name = ecr_xstrdup(name);
      }
      free(name);
      for (size_t i = 0; i < cp->n; i++) {
        const ecr_cstmt *c = &cp->st[i];
        if (!c->vars && !ecr_bit_get(c->match, t)) continue;
        ecr_rstmt r = {c, (uint32_t)t};
        ECR_PUSH(m->rst, m->n_rst, rcap, r);
      }
    }
  }
  m->rst_first[n] = m->n_rst;
  index_resource_side(m);
}

typedef struct name_query {
  const ecr_matrix *m;
  const char *key;
} name_query;

static bool name_eq(const void *ctx, size_t item) {
  const name_query *q = ctx;
  return strcmp(q->m->names[item].key, q->key) == 0;
}

static uint64_t name_rehash(const void *ctx, size_t item) {
  return ((const name_query *)ctx)->m->names[item].hash;
}

struct name_slot *ecr_mx_name_slot(ecr_matrix *m, const char *key, bool create) {
  name_query q = {m, key};
  uint64_t h = fnv(key, strlen(key), FNV0);
  if (!create) {
    size_t at = ecr_index_find(&m->names_ix, h, name_eq, &q);
    return at == ECR_INDEX_NONE ? NULL : &m->names[at];
  }
  bool found;
  size_t at = ecr_index_get(&m->names_ix, h, name_eq, name_rehash, &q, m->names_n, &found);
  if (!found) {
    struct name_slot s = {key, NULL, 0, 0, h};
    ECR_PUSH(m->names, m->names_n, m->names_cap, s);
  }
  return &m->names[at];
}

/* Split resource-side statements into what applies to every principal of
 * the account alike ("*", the account root) and what needs a per-principal
 * test (named principals, NotPrincipal, variables). */
static void index_resource_side(ecr_matrix *m) {
  size_t n = m->n_targets, scap = 0, ucap = 0;
  m->uni_allow_y = ecr_xcalloc(n, sizeof(ecr_actset));
  m->uni_allow_m = ecr_xcalloc(n, sizeof(ecr_actset));
  m->uni_deny_y = ecr_xcalloc(n, sizeof(ecr_actset));
  m->uni_deny_m = ecr_xcalloc(n, sizeof(ecr_actset));
  char *own_root = ecr_xasprintf("arn:%s:iam::%s:root", m->ev->partition, m->ev->account);
  char *own_root_aws = ecr_xasprintf("arn:aws:iam::%s:root", m->ev->account);
  for (size_t k = 0; k < m->n_rst; k++) {
    const ecr_cstmt *c = m->rst[k].c;
    const ecr_statement *s = c->s;
    size_t t = m->rst[k].target;
    bool names_session = false;
    for (size_t i = 0; i < s->n_principals; i++)
      if (s->principals[i].type == ECR_PT_AWS &&
          ecr_mx_session_role_index(m, s->principals[i].value) >= 0)
        names_session = true;
    bool cond_principal = c->cond >= 0 && (m->conds[c->cond].cls & ECR_KEY_PRINCIPAL);
    if (c->vars || s->not_principal || names_session) {
      ECR_PUSH(m->special, m->n_special, scap, k);
      continue;
    }
    bool uniform = false;
    for (size_t i = 0; i < s->n_principals; i++) {
      const ecr_principal_ref *r = &s->principals[i];
      if (r->type == ECR_PT_STAR)
        uniform = true;
      else if (s->deny && r->type == ECR_PT_AWS &&
               (strcmp(r->value, own_root) == 0 || strcmp(r->value, own_root_aws) == 0))
        uniform = true;
    }
    if (uniform && cond_principal) {
      /* applies to every principal of the account; only its Condition
         differs between them (decided once per principal and block) */
      ECR_PUSH(m->unicond, m->n_unicond, ucap, k);
      continue;
    }
    if (cond_principal) {
      ECR_PUSH(m->special, m->n_special, scap, k);
      continue;
    }
    if (uniform) {
      ecr_actset act = s->actions & ecr_mx_target_mask(m, t);
      ecr_cond_result r = ecr_mx_cond_at(m, c, ECR_NOWHERE, t, NULL);
      if (r == ECR_COND_FALSE) continue;
      bool sure = r == ECR_COND_TRUE;
      if (s->deny) {
        if (sure) m->uni_deny_y[t] |= act;
        m->uni_deny_m[t] |= act;
      } else {
        if (sure) m->uni_allow_y[t] |= act;
        m->uni_allow_m[t] |= act;
      }
      continue;
    }
    for (size_t i = 0; i < s->n_principals; i++) {
      const ecr_principal_ref *r = &s->principals[i];
      if (r->type != ECR_PT_AWS) continue; /* services etc. are never IAM principals */
      struct name_slot *sl = ecr_mx_name_slot(m, r->value, true);
      if (sl->n && sl->idx[sl->n - 1] == k) continue;
      ECR_PUSH(sl->idx, sl->n, sl->cap, k);
    }
  }
  free(own_root);
  free(own_root_aws);
}
