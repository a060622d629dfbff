/* The access matrix: AWS policy evaluation restricted to ECR.
 *
 * Every statement is compiled once: its action set is a bitset over the
 * catalog, its resource patterns are matched once per target (repository,
 * per-region probe for "future" repositories, and the registry "*") and
 * cached by pattern string. A principal's row is then a few bitwise
 * operations per target; identical rows are interned, so thousands of
 * principals sharing the same policies cost one row of memory.
 *
 * Three-valued logic: every term is a pair (y, m) of action sets, y the
 * actions granted unconditionally, m those granted at least conditionally
 * (y is a subset of m). AND/OR act on both; an explicit Deny removes y
 * wherever it may apply (its m) and m wherever it surely applies (its y).
 */
#include <ctype.h>
#include <pthread.h>
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
static void targets_init(ecr_matrix *m) {
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

static inline ecr_actset target_mask(const ecr_matrix *m, size_t t) {
  return t == m->registry ? m->registry_mask : m->repo_mask;
}

/* ---- pattern cache --------------------------------------------------------------- */
static const uint64_t *pattern_bits(ecr_matrix *m, const char *pat) {
  if (m->pat_n * 2 >= m->pat_cap) {
    size_t ncap = m->pat_cap ? m->pat_cap * 2 : 256;
    struct pat_slot *n = ecr_xcalloc(ncap, sizeof(*n));
    for (size_t i = 0; i < m->pat_cap; i++) {
      if (!m->pat[i].key) continue;
      size_t h = fnv(m->pat[i].key, strlen(m->pat[i].key), FNV0) & (ncap - 1);
      while (n[h].key) h = (h + 1) & (ncap - 1);
      n[h] = m->pat[i];
    }
    free(m->pat);
    m->pat = n;
    m->pat_cap = ncap;
  }
  size_t h = fnv(pat, strlen(pat), FNV0) & (m->pat_cap - 1);
  while (m->pat[h].key) {
    if (strcmp(m->pat[h].key, pat) == 0) return m->pat[h].bits;
    h = (h + 1) & (m->pat_cap - 1);
  }
  uint64_t *bits = ecr_xcalloc(m->words, sizeof(uint64_t));
  for (size_t t = 0; t < m->n_targets; t++) {
    bool hit;
    if (t < m->n_repos || t == m->registry) {
      hit = ecr_glob_match(pat, m->target_res[t], false);
    } else if (ecr_probe_is_low(m, t)) { /* covers every name of the region */
      hit = ecr_glob_covers_prefix(pat, m->probe_prefix[t - ecr_probe_low(m, 0)], false);
    } else { /* can match some name */
      hit = ecr_glob_prefix_match(pat, m->probe_prefix[t - ecr_probe_high(m, 0)],
                                  ECR_REPO_NAME_CHARS);
    }
    if (hit) bits[t >> 6] |= 1ull << (t & 63);
  }
  m->pat[h].key = ecr_xstrdup(pat);
  m->pat[h].bits = bits;
  m->pat_n++;
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

const ecr_cpolicy *ecr_matrix_cpolicy(const ecr_matrix *m, const ecr_policy *p) {
  if (!p || !m->cpol_cap) return NULL;
  size_t h = ptr_hash(p) & (m->cpol_cap - 1);
  while (m->cpol[h].key) {
    if (m->cpol[h].key == p) return m->cpol[h].val;
    h = (h + 1) & (m->cpol_cap - 1);
  }
  return NULL;
}

static const ecr_cpolicy *compile_policy(ecr_matrix *m, const ecr_policy *p, const char *name,
                                         const char *owner, ecr_source src, bool resource_policy) {
  if (!p) return NULL;
  const ecr_cpolicy *have = ecr_matrix_cpolicy(m, p);
  if (have) return have;
  if (m->cpol_n * 2 >= m->cpol_cap) {
    size_t ncap = m->cpol_cap ? m->cpol_cap * 2 : 1024;
    struct cpol_slot *n = ecr_xcalloc(ncap, sizeof(*n));
    for (size_t i = 0; i < m->cpol_cap; i++) {
      if (!m->cpol[i].key) continue;
      size_t h = ptr_hash(m->cpol[i].key) & (ncap - 1);
      while (n[h].key) h = (h + 1) & (ncap - 1);
      n[h] = m->cpol[i];
    }
    free(m->cpol);
    m->cpol = n;
    m->cpol_cap = ncap;
  }
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
  size_t h = ptr_hash(p) & (m->cpol_cap - 1);
  while (m->cpol[h].key) h = (h + 1) & (m->cpol_cap - 1);
  m->cpol[h].key = p;
  m->cpol[h].val = cp;
  m->cpol_n++;
  return cp;
}

/* ---- principals ------------------------------------------------------------------- */
static bool is_account_root(const char *arn) {
  char *acct = ecr_arn_account(arn);
  bool ok = acct && ecr_str_has_prefix(arn, "arn:") && strstr(arn, ":iam::") && strlen(arn) > 5 &&
            strcmp(arn + strlen(arn) - 5, ":root") == 0;
  free(acct);
  return ok;
}

/* "arn:<partition>:sts::<own account>:assumed-role/<role name>/<session>":
 * a session of one of the account's roles. Returns the role name (borrowed
 * from arn, length in *len) or NULL. */
static const char *own_session_role(const ecr_matrix *m, const char *arn, size_t *len) {
  const char *prefix = m->session_prefix;
  if (!ecr_str_has_prefix(arn, prefix)) return NULL;
  size_t pl = strlen(prefix);
  const char *name = arn + pl, *slash = strchr(name, '/');
  if (!slash || slash == name) return NULL;
  *len = (size_t)(slash - name);
  return name;
}

/* A name that is not NUL-terminated where it ends (part of an ARN). */
struct name_key {
  const char *name;
  size_t len;
};

static int role_vs_name(size_t i, const void *key, void *ctx) {
  const struct name_key *k = key;
  const char *rn = ((const ecr_evidence *)ctx)->principals[i].name;
  int c = strncmp(rn, k->name, k->len);
  return c ? c : rn[k->len] != '\0';
}

/* The IAM role of the account a session ARN belongs to, -1 when none. */
static long session_role_index(const ecr_matrix *m, const char *arn) {
  size_t len = 0;
  const char *name = own_session_role(m, arn, &len);
  if (!name) return -1;
  struct name_key key = {name, len};
  return ecr_sorted_find(m->roles_by_name, m->n_roles, &key, role_vs_name, (void *)m->ev);
}

static int cmp_role_name(const void *a, const void *b, void *ctx) {
  const ecr_evidence *ev = ctx;
  return strcmp(ev->principals[*(const size_t *)a].name, ev->principals[*(const size_t *)b].name);
}
static int cmp_repo_name(const void *a, const void *b, void *ctx) {
  const ecr_evidence *ev = ctx;
  return strcmp(ev->repos[*(const size_t *)a].name, ev->repos[*(const size_t *)b].name);
}

static void build_name_indexes(ecr_matrix *m) {
  const ecr_evidence *ev = m->ev;
  m->roles_by_name = ecr_xcalloc(ev->n_principals + 1, sizeof(size_t));
  for (size_t i = 0; i < ev->n_principals; i++)
    if (ev->principals[i].cls == ECR_PRINCIPAL_ROLE) m->roles_by_name[m->n_roles++] = i;
  m->repos_by_name = ecr_xcalloc(ev->n_repos + 1, sizeof(size_t));
  for (size_t i = 0; i < ev->n_repos; i++) m->repos_by_name[i] = i;
  ecr_sort_idx(m->roles_by_name, m->n_roles, cmp_role_name, (void *)ev);
  ecr_sort_idx(m->repos_by_name, ev->n_repos, cmp_repo_name, (void *)ev);
}

static int cmp_mprincipal(const void *a, const void *b) {
  return ecr_tsv_cmp(((const ecr_mprincipal *)a)->pub.name, ((const ecr_mprincipal *)b)->pub.name);
}

typedef struct pset {
  ecr_mprincipal *v;
  size_t n, cap;
} pset;

static void add_other(ecr_matrix *m, pset *ps, const char *name, ecr_principal_kind kind,
                      const char *account) {
  for (size_t i = 0; i < ps->n; i++)
    if (strcmp(ps->v[i].pub.name, name) == 0) return;
  ecr_mprincipal mp = {0};
  mp.pub.name = ecr_xstrdup(name);
  mp.pub.kind = kind;
  mp.pub.iam_index = -1;
  mp.account = account ? ecr_xstrdup(account) : NULL;
  ECR_PUSH(ps->v, ps->n, ps->cap, mp);
  (void)m;
}

/* Principals a resource-side statement names, as matrix rows: an Allow's
 * get what it grants, and a Deny's what "*" grants them less the Deny. */
static void collect_others(ecr_matrix *m, pset *ps, const ecr_cstmt *c) {
  const ecr_statement *s = c->s;
  const ecr_evidence *ev = m->ev;
  if (s->not_principal) {
    if (!s->deny) add_other(m, ps, "*", ECR_PK_PUBLIC, NULL);
    return;
  }
  for (size_t i = 0; i < s->n_principals; i++) {
    const ecr_principal_ref *r = &s->principals[i];
    switch (r->type) {
    case ECR_PT_STAR: add_other(m, ps, "*", ECR_PK_PUBLIC, NULL); break;
    case ECR_PT_SERVICE: {
      char *n = ecr_xasprintf("service:%s", r->value);
      add_other(m, ps, n, ECR_PK_SERVICE, NULL);
      free(n);
      break;
    }
    case ECR_PT_AWS: {
      char *acct = ecr_arn_account(r->value);
      bool own = acct && strcmp(acct, ev->account) == 0;
      if (own && is_account_root(r->value)) {
        /* own account: delegation to IAM, no principal of its own */
      } else if (own && ecr_evidence_find_principal(ev, r->value) >= 0) {
        /* an IAM user or role of the account: evaluated with its policies */
      } else if (own && session_role_index(m, r->value) >= 0) {
        /* a session of one of the account's roles: evaluated with the role */
      } else if (own && strstr(r->value, ":assumed-role/")) {
        add_other(m, ps, r->value, ECR_PK_ROLE, acct);
      } else if (is_account_root(r->value)) {
        add_other(m, ps, r->value, ECR_PK_ACCOUNT, acct);
      } else if (own && strstr(r->value, ":user/")) {
        add_other(m, ps, r->value, ECR_PK_USER, acct);
      } else if (own && strstr(r->value, ":role/")) {
        add_other(m, ps, r->value, ECR_PK_ROLE, acct);
      } else {
        add_other(m, ps, r->value, ECR_PK_EXTERNAL, acct);
      }
      free(acct);
      break;
    }
    case ECR_PT_FEDERATED:
    case ECR_PT_CANONICAL: add_other(m, ps, r->value, ECR_PK_EXTERNAL, NULL); break;
    }
  }
}

/* Does a principal reference name matrix principal p? */
static bool ref_names(const ecr_matrix *m, const ecr_principal_ref *r, const ecr_mprincipal *p) {
  switch (r->type) {
  case ECR_PT_STAR: return true;
  case ECR_PT_SERVICE:
    return p->pub.kind == ECR_PK_SERVICE && strcmp(p->pub.name + strlen("service:"), r->value) == 0;
  case ECR_PT_FEDERATED:
  case ECR_PT_CANONICAL: return strcmp(p->pub.name, r->value) == 0;
  case ECR_PT_AWS: return strcmp(p->pub.name, r->value) == 0;
  }
  (void)m;
  return false;
}

/* Is r the root of p's account (a Deny naming an account applies to all of it)? */
static bool ref_is_account_of(const ecr_principal_ref *r, const ecr_mprincipal *p) {
  if (r->type != ECR_PT_AWS || !p->account || !is_account_root(r->value)) return false;
  char *acct = ecr_arn_account(r->value);
  bool same = acct && strcmp(acct, p->account) == 0;
  free(acct);
  return same;
}

static const ecr_iam_principal *iam_of(const ecr_matrix *m, const ecr_mprincipal *p) {
  return p->pub.iam_index >= 0 ? &m->ev->principals[p->pub.iam_index] : NULL;
}

/* Resource-side statement c and principal p: does it apply? For an Allow
 * naming the account root of p's own account: no (delegation only). */
/* Does a principal reference name a session of p (one of the account's
 * roles)? Only some sessions (by name) are meant: a "maybe". */
static bool ref_names_session(const ecr_matrix *m, const ecr_principal_ref *r,
                              const ecr_mprincipal *p) {
  if (r->type != ECR_PT_AWS || p->pub.iam_index < 0) return false;
  const ecr_iam_principal *ip = &m->ev->principals[p->pub.iam_index];
  return ip->cls == ECR_PRINCIPAL_ROLE && session_role_index(m, r->value) == p->pub.iam_index;
}

/* As ecr_rstmt_applies; *session is set when the match is through a role
 * session ARN (a grant AWS does not limit by the role's boundary). */
static ecr_match rstmt_applies(const ecr_matrix *m, const ecr_cstmt *c, size_t pi, bool *session);

ecr_match ecr_rstmt_applies(const ecr_matrix *m, const ecr_cstmt *c, size_t pi) {
  bool session = false;
  return rstmt_applies(m, c, pi, &session);
}

static ecr_match rstmt_applies(const ecr_matrix *m, const ecr_cstmt *c, size_t pi, bool *session) {
  const ecr_statement *s = c->s;
  const ecr_mprincipal *p = &m->principals[pi];
  *session = false;
  if (!s->not_principal) {
    bool hit = false;
    for (size_t i = 0; i < s->n_principals && !hit; i++) {
      if (ref_names_session(m, &s->principals[i], p)) *session = true;
      const ecr_principal_ref *r = &s->principals[i];
      if (r->type == ECR_PT_STAR) {
        /* "*" is everyone: the account's own users and roles, the public
           row, and every other account, external principal and service of
           the matrix (DESIGN.md, the "*" rule) */
        hit = true;
      } else if (ref_names(m, r, p)) {
        hit = true;
      } else if (s->deny && ref_is_account_of(r, p))
        hit = true;
    }
    if (hit) return ECR_MATCH_YES;
    return *session ? ECR_MATCH_MAYBE : ECR_MATCH_NO;
  }
  /* NotPrincipal: applies to everyone not listed. A principal is exempt
   * only when it and its account are both listed; a role is exempt only
   * through a listed session ARN (then it depends on the session name).
   * Principals with a permissions boundary are always covered by a
   * NotPrincipal Deny (AWS documents this). */
  const ecr_iam_principal *ip = iam_of(m, p);
  if (s->deny && ip && ip->has_boundary) return ECR_MATCH_YES;
  bool self = false, account = false, listed_session = false;
  for (size_t i = 0; i < s->n_principals; i++) {
    const ecr_principal_ref *r = &s->principals[i];
    if (r->type == ECR_PT_STAR) return ECR_MATCH_NO;
    if (ref_names(m, r, p)) self = true;
    if (ref_is_account_of(r, p)) account = true;
    if (ip && ip->cls == ECR_PRINCIPAL_ROLE && r->type == ECR_PT_AWS) {
      char *prefix = ecr_xasprintf("arn:%s:sts::%s:assumed-role/%s/", m->ev->partition,
                                   m->ev->account, ip->name);
      if (ecr_str_has_prefix(r->value, prefix)) listed_session = true;
      free(prefix);
    }
  }
  if (p->pub.kind == ECR_PK_PUBLIC) return ECR_MATCH_YES;
  if (p->pub.kind == ECR_PK_SERVICE || p->pub.kind == ECR_PK_ACCOUNT)
    return self ? ECR_MATCH_NO : ECR_MATCH_YES;
  if (ip && ip->cls == ECR_PRINCIPAL_ROLE) {
    if (listed_session && account) return ECR_MATCH_MAYBE;
    return ECR_MATCH_YES;
  }
  if (self && account) return ECR_MATCH_NO;
  if (self) return ECR_MATCH_MAYBE;
  return ECR_MATCH_YES;
}

/* ---- variables --------------------------------------------------------------------- */
typedef struct varctx {
  ecr_var_context v;
  const char **tags;
} varctx;

static void varctx_init(const ecr_matrix *m, const ecr_mprincipal *p, varctx *vc) {
  memset(vc, 0, sizeof(*vc));
  const ecr_iam_principal *ip = iam_of(m, p);
  vc->v.account = p->account;
  vc->v.principal_arn = p->pub.name;
  if (!ip) return;
  if (ip->cls == ECR_PRINCIPAL_USER) {
    vc->v.username = ip->name;
    vc->v.userid = ip->id;
    vc->v.principal_type = "User";
  } else {
    vc->v.principal_type = "AssumedRole";
  }
  vc->v.tags_undecided =
      m->tag_session && ip->cls == ECR_PRINCIPAL_ROLE && m->tag_session[p->pub.iam_index];
  vc->tags = ecr_xcalloc(ip->n_tags * 2 + 1, sizeof(char *));
  for (size_t i = 0; i < ip->n_tags; i++) {
    vc->tags[2 * i] = ip->tags[i].key;
    vc->tags[2 * i + 1] = ip->tags[i].value;
  }
  vc->v.tags = vc->tags;
}

/* A statement whose resource patterns hold variables on a probe: its
 * patterns are not known before substitution, so it counts as the widest
 * carve-out (low probe: Denies apply, Allows do not; high: the reverse). */
static ecr_match probe_vars_match(const ecr_matrix *m, const ecr_cstmt *c, size_t t) {
  return ecr_probe_is_low(m, t) == c->s->deny ? ECR_MATCH_YES : ECR_MATCH_NO;
}

static ecr_match stmt_match_vars(const ecr_matrix *m, const ecr_cstmt *c, const varctx *vc,
                                 size_t t) {
  const ecr_statement *s = c->s;
  if (ecr_target_is_probe(m, t)) return probe_vars_match(m, c, t);
  ecr_match any = ECR_MATCH_NO;
  for (size_t i = 0; i < s->n_resources && any != ECR_MATCH_YES; i++) {
    ecr_match r = ecr_resource_match(s->resources[i], c->pol->variables, vc ? &vc->v : NULL,
                                     m->target_res[t]);
    if (r > any) any = r;
  }
  if (!s->not_resource) return any;
  return any == ECR_MATCH_YES     ? ECR_MATCH_NO
         : any == ECR_MATCH_MAYBE ? ECR_MATCH_MAYBE
                                  : ECR_MATCH_YES;
}

ecr_match ecr_cstmt_match(const ecr_matrix *m, const ecr_cstmt *c, size_t p, size_t t) {
  if (!c->vars) return ecr_bit_get(c->match, t) ? ECR_MATCH_YES : ECR_MATCH_NO;
  varctx vc;
  varctx_init(m, &m->principals[p], &vc);
  ecr_match r = stmt_match_vars(m, c, &vc, t);
  free(vc.tags);
  return r;
}

/* ---- accumulation ----------------------------------------------------------------- */
typedef struct acc {
  ecr_actset *y, *m;
} acc;

static void acc_alloc(acc *a, size_t n) {
  a->y = ecr_xcalloc(n, sizeof(ecr_actset));
  a->m = ecr_xcalloc(n, sizeof(ecr_actset));
}

static void acc_clear(acc *a, size_t n) {
  memset(a->y, 0, n * sizeof(ecr_actset));
  memset(a->m, 0, n * sizeof(ecr_actset));
}

static void acc_free(acc *a) {
  free(a->y);
  free(a->m);
}

/* Per-thread memo of principal-side Conditions for the principal being
 * evaluated: distinct blocks are few, statements naming them many. */
typedef struct cscratch {
  ecr_cond_result *res;
  uint32_t *gen;
  uint32_t cur;
} cscratch;

/* The Condition of c for principal pi (ECR_NOWHERE: not fixed) at target t. */
static ecr_cond_result cond_at(const ecr_matrix *m, const ecr_cstmt *c, size_t pi, size_t t,
                               cscratch *sc) {
  if (c->cond < 0) return c->s->cond == ECR_COND_NONE ? ECR_COND_TRUE : ECR_COND_MAYBE;
  const struct ecr_cond_entry *e = &m->conds[c->cond];
  bool pside = e->cls & ECR_KEY_PRINCIPAL, rside = e->cls & ECR_KEY_RESOURCE;
  if (!rside && (!pside || pi == ECR_NOWHERE)) return e->constant;
  if (!pside)
    return ecr_bit_get(e->ry, t)   ? ECR_COND_TRUE
           : ecr_bit_get(e->rm, t) ? ECR_COND_MAYBE
                                   : ECR_COND_FALSE;
  if (rside) return ecr_matrix_cond_eval(m, e->c, ~0u, pi, t, NULL);
  if (sc && sc->gen[c->cond] == sc->cur) return sc->res[c->cond];
  ecr_cond_result r = ecr_matrix_cond_eval(m, e->c, ~0u, pi, ECR_NOWHERE, NULL);
  if (sc) {
    sc->gen[c->cond] = sc->cur;
    sc->res[c->cond] = r;
  }
  return r;
}

/* Does c's Condition depend on the target (repository-side keys)? */
static bool cond_per_target(const ecr_matrix *m, const ecr_cstmt *c) {
  return c->cond >= 0 && (m->conds[c->cond].cls & ECR_KEY_RESOURCE);
}

static inline void acc_add(acc *a, size_t t, ecr_actset act, bool sure) {
  if (sure) a->y[t] |= act;
  a->m[t] |= act;
}

/* The range [*lo, *hi) of m->repos_by_name that a pattern can match: the
 * repositories whose name starts with the literal text following the
 * pattern's ":repository/" (an ARN holds ":repository/" once, and names
 * never hold ':'). Without such a literal, every repository. */
static void candidates(const ecr_matrix *m, const ecr_pattern *p, size_t *lo, size_t *hi) {
  static const char marker[] = ":repository/";
  const size_t ml = sizeof(marker) - 1;
  *lo = 0;
  *hi = m->n_repos;
  if (p->never) {
    *hi = 0;
    return;
  }
  size_t at = (size_t)-1;
  for (size_t i = 0; i + ml <= p->n && at == (size_t)-1; i++) {
    size_t k = 0;
    while (k < ml && p->tokens[i + k] == (unsigned char)marker[k]) k++;
    if (k == ml) at = i + ml;
  }
  if (at == (size_t)-1) return;
  char prefix[256];
  size_t len = 0;
  while (at + len < p->n && p->tokens[at + len] < 256 && len + 1 < sizeof(prefix)) {
    prefix[len] = (char)p->tokens[at + len];
    len++;
  }
  prefix[len] = '\0';
  if (!len) return;
  size_t a = 0, b = m->n_repos;
  while (a < b) { /* first name >= prefix */
    size_t mid = (a + b) / 2;
    if (strcmp(m->ev->repos[m->repos_by_name[mid]].name, prefix) < 0)
      a = mid + 1;
    else
      b = mid;
  }
  size_t e = a;
  while (e < m->n_repos && strncmp(m->ev->repos[m->repos_by_name[e]].name, prefix, len) == 0) e++;
  *lo = a;
  *hi = e;
}

/* Add a compiled identity-side statement to allow or deny accumulators, for
 * principal pi (ECR_NOWHERE: a layer evaluated for every principal alike). */
static void apply_stmt(const ecr_matrix *m, const ecr_cstmt *c, const varctx *vc, size_t pi,
                       cscratch *sc, acc *allow, acc *deny) {
  const ecr_statement *s = c->s;
  acc *a = s->deny ? deny : allow;
  bool per_t = cond_per_target(m, c);
  ecr_cond_result once = per_t ? ECR_COND_MAYBE : cond_at(m, c, pi, 0, sc);
  if (once == ECR_COND_FALSE) return;
  if (!c->vars) {
    for (size_t w = 0; w < m->words; w++) {
      uint64_t bits = c->match[w];
      while (bits) {
        size_t t = w * 64 + (size_t)__builtin_ctzll(bits);
        bits &= bits - 1;
        ecr_actset act = s->actions & target_mask(m, t);
        if (!act) continue;
        ecr_cond_result r = per_t ? cond_at(m, c, pi, t, sc) : once;
        if (r != ECR_COND_FALSE) acc_add(a, t, act, r == ECR_COND_TRUE);
      }
    }
    return;
  }
  /* variables: substitute once for this principal, then match the targets */
  ecr_pattern *pats = ecr_xcalloc(s->n_resources + 1, sizeof(ecr_pattern));
  for (size_t i = 0; i < s->n_resources; i++)
    ecr_pattern_compile(&pats[i], s->resources[i], c->pol->variables, vc ? &vc->v : NULL);
  ecr_match *res = ecr_xcalloc(m->n_targets, sizeof(ecr_match));
  if (!s->not_resource) {
    /* only repositories whose name starts with each pattern's literal name
       prefix can match (plus the probes and the registry) */
    for (size_t i = 0; i < s->n_resources; i++) {
      size_t lo = 0, hi = 0;
      candidates(m, &pats[i], &lo, &hi);
      for (size_t k = lo; k < hi; k++) {
        size_t t = m->repos_by_name[k];
        ecr_match r = ecr_pattern_match(&pats[i], m->target_res[t]);
        if (r > res[t]) res[t] = r;
      }
      for (size_t t = m->n_repos; t < m->n_targets; t++) {
        ecr_match r = ecr_target_is_probe(m, t) ? probe_vars_match(m, c, t)
                                                : ecr_pattern_match(&pats[i], m->target_res[t]);
        if (r > res[t]) res[t] = r;
      }
    }
  } else {
    for (size_t t = 0; t < m->n_targets; t++) {
      ecr_match any = ECR_MATCH_NO;
      for (size_t i = 0; i < s->n_resources && any != ECR_MATCH_YES; i++) {
        ecr_match r = ecr_pattern_match(&pats[i], m->target_res[t]);
        if (r > any) any = r;
      }
      res[t] = any == ECR_MATCH_YES     ? ECR_MATCH_NO
               : any == ECR_MATCH_MAYBE ? ECR_MATCH_MAYBE
                                        : ECR_MATCH_YES;
      if (ecr_target_is_probe(m, t)) res[t] = probe_vars_match(m, c, t);
    }
  }
  for (size_t t = 0; t < m->n_targets; t++) {
    if (res[t] == ECR_MATCH_NO) continue;
    ecr_actset act = s->actions & target_mask(m, t);
    if (!act) continue;
    ecr_cond_result r = per_t ? cond_at(m, c, pi, t, sc) : once;
    if (r != ECR_COND_FALSE) acc_add(a, t, act, res[t] == ECR_MATCH_YES && r == ECR_COND_TRUE);
  }
  free(res);
  for (size_t i = 0; i < s->n_resources; i++) ecr_pattern_cleanup(&pats[i]);
  free(pats);
}

static void apply_policy(const ecr_matrix *m, const ecr_cpolicy *cp, const varctx *vc, size_t pi,
                         cscratch *sc, acc *allow, acc *deny) {
  if (!cp) return;
  for (size_t i = 0; i < cp->n; i++) apply_stmt(m, &cp->st[i], vc, pi, sc, allow, deny);
}

/* An organization guardrail (SCPs, RCPs): every level must allow, a Deny in
 * any level denies. y/mm start as the full masks; deny collects the Denies. */
static void guard_eval(const ecr_matrix *m, const ecr_scp_level *levels, size_t n_levels,
                       const varctx *vc, size_t pi, cscratch *sc, acc *lvl, ecr_actset *y,
                       ecr_actset *mm, acc *deny) {
  size_t n = m->n_targets;
  for (size_t t = 0; t < n; t++) y[t] = mm[t] = target_mask(m, t);
  for (size_t l = 0; l < n_levels; l++) {
    const ecr_scp_level *L = &levels[l];
    /* a level without policies is missing evidence (AWS requires one):
       it limits nothing here, which can only over-report; the loader
       recorded a gap that makes the report unknown */
    if (L->n_policies == 0) continue;
    acc_clear(lvl, n);
    for (size_t k = 0; k < L->n_policies; k++)
      apply_policy(m, ecr_matrix_cpolicy(m, L->policies[k].doc), vc, pi, sc, lvl, deny);
    for (size_t t = 0; t < n; t++) {
      y[t] &= lvl->y[t];
      mm[t] &= lvl->m[t];
    }
  }
}

/* Compile a guardrail's policies; true when some statement needs the
 * principal (principal-side condition keys or resource variables). */
static bool guard_compile(ecr_matrix *m, const ecr_scp_level *levels, size_t n_levels,
                          ecr_source src, ecr_cstmt ***stmts, size_t *n_stmts) {
  bool per_principal = false;
  size_t cap = 0;
  for (size_t l = 0; l < n_levels; l++)
    for (size_t k = 0; k < levels[l].n_policies; k++) {
      const ecr_cpolicy *cp = compile_policy(m, levels[l].policies[k].doc, levels[l].policies[k].id,
                                             levels[l].target, src, false);
      for (size_t i = 0; cp && i < cp->n; i++) {
        ECR_PUSH(*stmts, *n_stmts, cap, &cp->st[i]);
        const ecr_cstmt *c = &cp->st[i];
        if (c->vars || (c->cond >= 0 && (m->conds[c->cond].cls & ECR_KEY_PRINCIPAL)))
          per_principal = true;
      }
    }
  return per_principal;
}

/* ---- interning rows ----------------------------------------------------------------- */
static const ecr_row *intern_row(struct row_table *m, ecr_row *tmp) {
  uint64_t h = FNV0;
  h = fnv(tmp->target, tmp->n * sizeof(uint32_t), h);
  h = fnv(tmp->y, tmp->n * sizeof(ecr_actset), h);
  h = fnv(tmp->m, tmp->n * sizeof(ecr_actset), h);
  tmp->hash = h;
  if (m->n_rows * 2 >= m->rows_cap) {
    size_t ncap = m->rows_cap ? m->rows_cap * 2 : 256;
    ecr_row **n = ecr_xcalloc(ncap, sizeof(ecr_row *));
    for (size_t i = 0; i < m->rows_cap; i++) {
      if (!m->rows[i]) continue;
      size_t k = m->rows[i]->hash & (ncap - 1);
      while (n[k]) k = (k + 1) & (ncap - 1);
      n[k] = m->rows[i];
    }
    free(m->rows);
    m->rows = n;
    m->rows_cap = ncap;
  }
  size_t k = h & (m->rows_cap - 1);
  while (m->rows[k]) {
    const ecr_row *r = m->rows[k];
    if (r->hash == h && r->n == tmp->n &&
        !memcmp(r->target, tmp->target, tmp->n * sizeof(uint32_t)) &&
        !memcmp(r->y, tmp->y, tmp->n * sizeof(ecr_actset)) &&
        !memcmp(r->m, tmp->m, tmp->n * sizeof(ecr_actset)))
      return r;
    k = (k + 1) & (m->rows_cap - 1);
  }
  ecr_row *r = ecr_xcalloc(1, sizeof(*r));
  r->n = tmp->n;
  r->hash = h;
  r->target = ecr_xmalloc((tmp->n + 1) * sizeof(uint32_t));
  r->y = ecr_xmalloc((tmp->n + 1) * sizeof(ecr_actset));
  r->m = ecr_xmalloc((tmp->n + 1) * sizeof(ecr_actset));
  memcpy(r->target, tmp->target, tmp->n * sizeof(uint32_t));
  memcpy(r->y, tmp->y, tmp->n * sizeof(ecr_actset));
  memcpy(r->m, tmp->m, tmp->n * sizeof(ecr_actset));
  m->rows[k] = r;
  m->n_rows++;
  return r;
}

/* ---- the evaluation ------------------------------------------------------------------ */
static void index_resource_side(ecr_matrix *m);
static void compile_all(ecr_matrix *m) {
  const ecr_evidence *ev = m->ev;
  for (size_t i = 0; i < ev->n_managed; i++)
    compile_policy(m, ev->managed[i].doc, ev->managed[i].arn, NULL, ECR_SRC_IDENTITY, false);
  for (size_t g = 0; g < ev->n_groups; g++)
    for (size_t i = 0; i < ev->groups[g].n_inline; i++)
      compile_policy(m, ev->groups[g].inline_policies[i].doc, ev->groups[g].inline_policies[i].name,
                     ev->groups[g].name, ECR_SRC_GROUP, false);
  for (size_t p = 0; p < ev->n_principals; p++)
    for (size_t i = 0; i < ev->principals[p].n_inline; i++)
      compile_policy(m, ev->principals[p].inline_policies[i].doc,
                     ev->principals[p].inline_policies[i].name, NULL, ECR_SRC_IDENTITY, false);
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
  acc_alloc(&lvl, n);
  if (m->scp_active) {
    m->scp_per_principal = guard_compile(m, ev->scp_levels, ev->n_scp_levels, ECR_SRC_SCP,
                                         &m->scp_stmts, &m->n_scp_stmts);
    acc deny = {m->scp_dy, m->scp_dm};
    guard_eval(m, ev->scp_levels, ev->n_scp_levels, NULL, ECR_NOWHERE, NULL, &lvl, m->scp_y,
               m->scp_m, &deny);
  } else {
    for (size_t t = 0; t < n; t++) m->scp_y[t] = m->scp_m[t] = target_mask(m, t);
  }
  if (m->rcp_active) {
    m->rcp_per_principal = guard_compile(m, ev->rcp_levels, ev->n_rcp_levels, ECR_SRC_RCP,
                                         &m->rcp_stmts, &m->n_rcp_stmts);
    acc deny = {m->rcp_dy, m->rcp_dm};
    guard_eval(m, ev->rcp_levels, ev->n_rcp_levels, NULL, ECR_NOWHERE, NULL, &lvl, m->rcp_y,
               m->rcp_m, &deny);
  } else {
    for (size_t t = 0; t < n; t++) m->rcp_y[t] = m->rcp_m[t] = target_mask(m, t);
  }
  acc_free(&lvl);
  /* resource side: repository policies and registry policies, per target */
  m->rst_first = ecr_xcalloc(n + 1, sizeof(size_t));
  size_t rcap = 0;
  for (size_t t = 0; t < n; t++) {
    m->rst_first[t] = m->n_rst;
    if (t == m->registry) continue;
    if (t < m->n_repos) {
      const ecr_repository *repo = &ev->repos[t];
      const ecr_cpolicy *cp =
          compile_policy(m, repo->policy, repo->arn, NULL, ECR_SRC_RESOURCE, true);
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
        cp =
            compile_policy(m, ev->regions[reg].registry_policy, NULL, NULL, ECR_SRC_REGISTRY, true);
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

static struct name_slot *name_slot(ecr_matrix *m, const char *key, bool create) {
  if (create && m->names_n * 2 >= m->names_cap) {
    size_t ncap = m->names_cap ? m->names_cap * 2 : 64;
    struct name_slot *nt = ecr_xcalloc(ncap, sizeof(*nt));
    for (size_t i = 0; i < m->names_cap; i++) {
      if (!m->names[i].key) continue;
      size_t h = fnv(m->names[i].key, strlen(m->names[i].key), FNV0) & (ncap - 1);
      while (nt[h].key) h = (h + 1) & (ncap - 1);
      nt[h] = m->names[i];
    }
    free(m->names);
    m->names = nt;
    m->names_cap = ncap;
  }
  if (!m->names_cap) return NULL;
  size_t h = fnv(key, strlen(key), FNV0) & (m->names_cap - 1);
  while (m->names[h].key) {
    if (strcmp(m->names[h].key, key) == 0) return &m->names[h];
    h = (h + 1) & (m->names_cap - 1);
  }
  if (!create) return NULL;
  m->names[h].key = key;
  m->names_n++;
  return &m->names[h];
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
      if (s->principals[i].type == ECR_PT_AWS && session_role_index(m, s->principals[i].value) >= 0)
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
      ecr_actset act = s->actions & target_mask(m, t);
      ecr_cond_result r = cond_at(m, c, ECR_NOWHERE, t, NULL);
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
      struct name_slot *sl = name_slot(m, r->value, true);
      if (sl->n && sl->idx[sl->n - 1] == k) continue;
      ECR_PUSH(sl->idx, sl->n, sl->cap, k);
    }
  }
  free(own_root);
  free(own_root_aws);
}

static void build_principals(ecr_matrix *m) {
  const ecr_evidence *ev = m->ev;
  pset ps = {0};
  for (size_t i = 0; i < ev->n_principals; i++) {
    const ecr_iam_principal *ip = &ev->principals[i];
    ecr_mprincipal mp = {0};
    mp.pub.name = ecr_xstrdup(ip->arn);
    mp.pub.kind = ip->cls == ECR_PRINCIPAL_USER ? ECR_PK_USER : ECR_PK_ROLE;
    mp.pub.iam_index = (long)i;
    mp.account = ecr_xstrdup(ev->account);
    mp.gap = ip->n_missing_managed || ip->n_missing_groups;
    for (size_t g = 0; g < ip->n_groups; g++)
      if (ev->groups[ip->groups[g]].n_missing_managed) mp.gap = true;
    ECR_PUSH(ps.v, ps.n, ps.cap, mp);
  }
  for (size_t k = 0; k < m->n_rst; k++) collect_others(m, &ps, m->rst[k].c);
  if (ps.n) qsort(ps.v, ps.n, sizeof(ecr_mprincipal), cmp_mprincipal);
  /* two IAM entries with the same ARN would make ambiguous rows: keep both,
   * the loader rejects nothing here; the sort keeps them adjacent */
  m->principals = ps.v;
  m->n_principals = ps.n;
}

/* One evaluation thread's scratch space. */
typedef struct worker {
  acc id, bnd, dny, ru, rb, lvl, sd, rd;
  ecr_actset *sy, *sm, *ry, *rm; /* per-principal SCP / RCP layers */
  cscratch sc;
  ecr_row tmp;
} worker;

static void eval_principal(ecr_matrix *m, size_t pi, worker *wk, struct row_table *table) {
  const ecr_evidence *ev = m->ev;
  ecr_mprincipal *p = &m->principals[pi];
  const ecr_iam_principal *ip = iam_of(m, p);
  size_t n = m->n_targets;
  acc *id = &wk->id, *bnd = &wk->bnd, *dny = &wk->dny, *ru = &wk->ru, *rb = &wk->rb;
  cscratch *sc = &wk->sc;
  ecr_row *tmp = &wk->tmp;
  sc->cur++;
  varctx vc;
  varctx_init(m, p, &vc);
  acc_clear(id, n);
  acc_clear(dny, n);
  acc_clear(ru, n);
  acc_clear(rb, n);
  bool has_bnd = false, is_role = false, slr = false;
  if (ip) {
    is_role = ip->cls == ECR_PRINCIPAL_ROLE;
    slr = ip->service_linked;
    for (size_t i = 0; i < ip->n_inline; i++)
      apply_policy(m, ecr_matrix_cpolicy(m, ip->inline_policies[i].doc), &vc, pi, sc, id, dny);
    for (size_t i = 0; i < ip->n_managed; i++)
      apply_policy(m, ecr_matrix_cpolicy(m, ev->managed[ip->managed[i]].doc), &vc, pi, sc, id, dny);
    for (size_t g = 0; g < ip->n_groups; g++) {
      const ecr_group *grp = &ev->groups[ip->groups[g]];
      for (size_t i = 0; i < grp->n_inline; i++)
        apply_policy(m, ecr_matrix_cpolicy(m, grp->inline_policies[i].doc), &vc, pi, sc, id, dny);
      for (size_t i = 0; i < grp->n_managed; i++)
        apply_policy(m, ecr_matrix_cpolicy(m, ev->managed[grp->managed[i]].doc), &vc, pi, sc, id,
                     dny);
    }
    if (ip->has_boundary) {
      has_bnd = true;
      acc_clear(bnd, n);
      if (ip->boundary >= 0)
        apply_policy(m, ecr_matrix_cpolicy(m, ev->managed[ip->boundary].doc), &vc, pi, sc, bnd,
                     dny);
      else /* boundary not in the bundle: it may allow anything */
        for (size_t t = 0; t < n; t++) bnd->m[t] = target_mask(m, t);
    }
  }
  /* organization guardrails: SCPs limit the account's principals (not its
     service-linked roles); RCPs limit every request to the account's
     repositories (service-linked roles exempt), and registry-level actions
     of the account's own principals only (another account's RCPs decide
     its callers' GetAuthorizationToken) */
  const ecr_actset *scp_y = m->scp_y, *scp_m = m->scp_m, *scp_dy = m->scp_dy, *scp_dm = m->scp_dm;
  if (ip && !slr && m->scp_active && m->scp_per_principal) {
    acc_clear(&wk->sd, n);
    guard_eval(m, ev->scp_levels, ev->n_scp_levels, &vc, pi, sc, &wk->lvl, wk->sy, wk->sm, &wk->sd);
    scp_y = wk->sy, scp_m = wk->sm, scp_dy = wk->sd.y, scp_dm = wk->sd.m;
  }
  bool rcp = m->rcp_active && !slr;
  const ecr_actset *rcp_y = m->rcp_y, *rcp_m = m->rcp_m, *rcp_dy = m->rcp_dy, *rcp_dm = m->rcp_dm;
  if (rcp && m->rcp_per_principal) {
    acc_clear(&wk->rd, n);
    guard_eval(m, ev->rcp_levels, ev->n_rcp_levels, &vc, pi, sc, &wk->lvl, wk->ry, wk->rm, &wk->rd);
    rcp_y = wk->ry, rcp_m = wk->rm, rcp_dy = wk->rd.y, rcp_dm = wk->rd.m;
  }
  /* resource side: the account's own principals take the uniform part in
     bulk and test only the statements that name them or need a test;
     other principals (few) test every statement */
  size_t n_list = m->n_rst;
  const size_t *list = NULL;
  size_t *merged = NULL;
  if (ip) {
    for (size_t t = 0; t < n; t++) {
      acc *a = is_role ? rb : ru;
      a->y[t] |= m->uni_allow_y[t];
      a->m[t] |= m->uni_allow_m[t];
      dny->y[t] |= m->uni_deny_y[t];
      dny->m[t] |= m->uni_deny_m[t];
    }
    for (size_t j = 0; j < m->n_unicond; j++) {
      const ecr_rstmt *r = &m->rst[m->unicond[j]];
      const ecr_cstmt *c = r->c;
      ecr_actset act = c->s->actions & target_mask(m, r->target);
      ecr_cond_result cr = act ? cond_at(m, c, pi, r->target, sc) : ECR_COND_FALSE;
      if (cr == ECR_COND_FALSE) continue;
      acc_add(c->s->deny ? dny : is_role ? rb : ru, r->target, act, cr == ECR_COND_TRUE);
    }
    const struct name_slot *sl = name_slot(m, p->pub.name, false);
    n_list = (sl ? sl->n : 0) + m->n_special;
    merged = ecr_xcalloc(n_list + 1, sizeof(size_t));
    if (sl && sl->n) memcpy(merged, sl->idx, sl->n * sizeof(size_t));
    if (m->n_special) memcpy(merged + (sl ? sl->n : 0), m->special, m->n_special * sizeof(size_t));
    list = merged;
  }
  for (size_t j = 0; j < n_list; j++) {
    size_t k = list ? list[j] : j;
    const ecr_rstmt *r = &m->rst[k];
    const ecr_cstmt *c = r->c;
    size_t t = r->target;
    ecr_actset act = c->s->actions & target_mask(m, t);
    if (!act) continue;
    ecr_match res = c->vars ? stmt_match_vars(m, c, &vc, t) : ECR_MATCH_YES;
    if (res == ECR_MATCH_NO) continue;
    bool session = false;
    ecr_match who = rstmt_applies(m, c, pi, &session);
    if (who == ECR_MATCH_NO) continue;
    ecr_cond_result cr = cond_at(m, c, pi, t, sc);
    if (cr == ECR_COND_FALSE) continue;
    bool sure = res == ECR_MATCH_YES && who == ECR_MATCH_YES && cr == ECR_COND_TRUE;
    acc *a;
    if (c->s->deny)
      a = dny;
    else if (ip && is_role && !(session && who == ECR_MATCH_MAYBE))
      a = rb; /* a role's boundary still limits the grant (not a session's) */
    else
      a = ru; /* users: not limited; others have no boundary */
    acc_add(a, t, act, sure);
  }
  free(merged);
  /* combine */
  tmp->n = 0;
  for (size_t t = 0; t < n; t++) {
    ecr_actset mask = target_mask(m, t);
    ecr_actset by = has_bnd ? bnd->y[t] : mask, bm = has_bnd ? bnd->m[t] : mask;
    ecr_actset sy = mask, sm = mask;
    if (ip && !slr) {
      sy = scp_y[t];
      sm = scp_m[t];
    }
    bool rcp_here = rcp && (ip || t != m->registry);
    if (rcp_here) {
      sy &= rcp_y[t];
      sm &= rcp_m[t];
    }
    ecr_actset ay = ((id->y[t] & by) | ru->y[t] | (rb->y[t] & by)) & sy;
    ecr_actset am = ((id->m[t] & bm) | ru->m[t] | (rb->m[t] & bm)) & sm;
    ecr_actset dy = dny->y[t], dm = dny->m[t];
    if (ip && !slr) {
      dy |= scp_dy[t];
      dm |= scp_dm[t];
    }
    if (rcp_here) {
      dy |= rcp_dy[t];
      dm |= rcp_dm[t];
    }
    ecr_actset fy = ay & ~dm & mask, fm = am & ~dy & mask;
    fy &= fm;
    if (!fm) continue;
    tmp->target[tmp->n] = (uint32_t)t;
    tmp->y[tmp->n] = fy;
    tmp->m[tmp->n] = fm;
    tmp->n++;
  }
  p->row = intern_row(table, tmp);
  free(vc.tags);
}

typedef struct eval_job {
  ecr_matrix *m;
  size_t from, to;
  struct row_table *table;
} eval_job;

/* Evaluate principals [from, to): each thread has its own scratch space and
 * row table; everything else it reads was built before and is not changed. */
static void *eval_range(void *arg) {
  eval_job *j = arg;
  ecr_matrix *m = j->m;
  size_t n = m->n_targets;
  worker wk = {0};
  acc *accs[] = {&wk.id, &wk.bnd, &wk.dny, &wk.ru, &wk.rb, &wk.lvl, &wk.sd, &wk.rd};
  for (size_t i = 0; i < sizeof(accs) / sizeof(accs[0]); i++) acc_alloc(accs[i], n);
  ecr_actset **layers[] = {&wk.sy, &wk.sm, &wk.ry, &wk.rm};
  for (size_t i = 0; i < 4; i++) *layers[i] = ecr_xcalloc(n, sizeof(ecr_actset));
  wk.sc.res = ecr_xcalloc(m->n_conds + 1, sizeof(ecr_cond_result));
  wk.sc.gen = ecr_xcalloc(m->n_conds + 1, sizeof(uint32_t));
  wk.tmp.target = ecr_xcalloc(n, sizeof(uint32_t));
  wk.tmp.y = ecr_xcalloc(n, sizeof(ecr_actset));
  wk.tmp.m = ecr_xcalloc(n, sizeof(ecr_actset));
  for (size_t p = j->from; p < j->to; p++) eval_principal(m, p, &wk, j->table);
  free(wk.tmp.target);
  free(wk.tmp.y);
  free(wk.tmp.m);
  free(wk.sc.res);
  free(wk.sc.gen);
  for (size_t i = 0; i < 4; i++) free(*layers[i]);
  for (size_t i = 0; i < sizeof(accs) / sizeof(accs[0]); i++) acc_free(accs[i]);
  return NULL;
}

/* Below this many principals a second thread costs more than it saves. */
#define EVAL_PARALLEL_MIN 512

ecr_status ecr_matrix_eval(const ecr_evidence *ev, ecr_matrix **out, ecr_error *err) {
  (void)err;
  ecr_matrix *m = ecr_xcalloc(1, sizeof(*m));
  m->ev = ev;
  targets_init(m);
  m->session_prefix = ecr_xasprintf("arn:%s:sts::%s:assumed-role/", ev->partition, ev->account);
  build_name_indexes(m);
  ecr_matrix_conditions_init(m);
  compile_all(m);
  build_principals(m);
  size_t half = m->n_principals / 2;
  eval_job jobs[2] = {{m, 0, half, &m->tables[0]}, {m, half, m->n_principals, &m->tables[1]}};
  pthread_t th;
  if (m->n_principals >= EVAL_PARALLEL_MIN &&
      pthread_create(&th, NULL, eval_range, &jobs[0]) == 0) {
    eval_range(&jobs[1]);
    pthread_join(th, NULL);
  } else {
    jobs[0].to = m->n_principals;
    eval_range(&jobs[0]);
  }
  *out = m;
  return ECR_OK;
}

void ecr_matrix_free(ecr_matrix *m) {
  if (!m) return;
  for (size_t t = 0; t < m->n_targets; t++) free(m->target_res[t]);
  free(m->target_res);
  free(m->target_region);
  for (size_t r = 0; r < m->n_regions; r++) free(m->probe_prefix[r]);
  free(m->probe_prefix);
  for (size_t i = 0; i < m->n_principals; i++) {
    free(m->principals[i].pub.name);
    free(m->principals[i].account);
  }
  free(m->principals);
  for (size_t i = 0; i < m->cpol_cap; i++) {
    ecr_cpolicy *cp = m->cpol[i].val;
    if (!cp) continue;
    for (size_t k = 0; k < cp->n; k++) {
      free(cp->st[k].match);
      if (cp->st[k].source == ECR_SRC_REGISTRY) free((char *)cp->st[k].policy_name);
    }
    free(cp->st);
    free(cp);
  }
  free(m->cpol);
  free(m->rst);
  free(m->rst_first);
  free(m->roles_by_name);
  free(m->repos_by_name);
  free(m->uni_allow_y);
  free(m->uni_allow_m);
  free(m->uni_deny_y);
  free(m->uni_deny_m);
  free(m->special);
  for (size_t i = 0; i < m->names_cap; i++) free(m->names[i].idx);
  free(m->names);
  free(m->scp_stmts);
  free(m->scp_y);
  free(m->scp_m);
  free(m->scp_dy);
  free(m->scp_dm);
  free(m->session_prefix);
  free(m->unicond);
  free(m->rcp_stmts);
  free(m->rcp_y);
  free(m->rcp_m);
  free(m->rcp_dy);
  free(m->rcp_dm);
  ecr_matrix_conditions_free(m);
  for (size_t k = 0; k < 2; k++) {
    struct row_table *tb = &m->tables[k];
    for (size_t i = 0; i < tb->rows_cap; i++) {
      if (!tb->rows[i]) continue;
      free(tb->rows[i]->target);
      free(tb->rows[i]->y);
      free(tb->rows[i]->m);
      free(tb->rows[i]);
    }
    free(tb->rows);
  }
  for (size_t i = 0; i < m->pat_cap; i++) {
    free(m->pat[i].key);
    free(m->pat[i].bits);
  }
  free(m->pat);
  free(m);
}

size_t ecr_matrix_principal_count(const ecr_matrix *m) {
  return m->n_principals;
}

const ecr_matrix_principal *ecr_matrix_principal_at(const ecr_matrix *m, size_t i) {
  return i < m->n_principals ? &m->principals[i].pub : NULL;
}

ecr_matrix_layout ecr_matrix_layout_of(const ecr_matrix *m) {
  ecr_matrix_layout l = {m->n_repos, m->n_probes, m->n_targets, m->registry, m->repo_mask};
  return l;
}

const char *ecr_matrix_target_resource(const ecr_matrix *m, size_t t) {
  return m->target_res[t];
}

long ecr_matrix_target_region(const ecr_matrix *m, size_t t) {
  return m->target_region[t];
}

const ecr_matrix_row *ecr_matrix_row_of(const ecr_matrix *m, size_t p) {
  return m->principals[p].row;
}

bool ecr_matrix_principal_gap(const ecr_matrix *m, size_t p) {
  return m->principals[p].gap;
}

bool ecr_matrix_tag_session(const ecr_matrix *m, size_t i) {
  return m->tag_session[i];
}

void ecr_matrix_get(const ecr_matrix *m, size_t p, size_t r, ecr_actset *allow, ecr_actset *cond) {
  *allow = *cond = 0;
  if (p >= m->n_principals) return;
  size_t t = r == ECR_MATRIX_REGISTRY ? m->registry : r;
  const ecr_row *row = m->principals[p].row;
  size_t lo = 0, hi = row->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (row->target[mid] == t) {
      *allow = row->y[mid];
      *cond = row->m[mid] & ~row->y[mid];
      return;
    }
    if (row->target[mid] < t)
      lo = mid + 1;
    else
      hi = mid;
  }
}

bool ecr_matrix_covers_future(const ecr_matrix *m, size_t p, ecr_actset actions) {
  return ecr_matrix_future_decision(m, p, actions, ECR_DECISION_ALLOW) ||
         ecr_matrix_future_decision(m, p, actions, ECR_DECISION_CONDITIONAL);
}

bool ecr_matrix_future_decision(const ecr_matrix *m, size_t p, ecr_actset actions, ecr_decision d) {
  if (m->n_regions == 0 || !actions) return false;
  for (size_t r = 0; r < m->n_regions; r++) {
    size_t probes[2] = {ecr_probe_low(m, r), ecr_probe_high(m, r)};
    for (size_t k = 0; k < 2; k++) {
      ecr_actset y, c;
      ecr_matrix_get(m, p, probes[k], &y, &c);
      ecr_actset have = d == ECR_DECISION_ALLOW ? y : c;
      if ((have & actions) != actions) return false;
    }
  }
  return true;
}

/* ---- TSV ---------------------------------------------------------------------------- */
/* Lines are assembled with memcpy into a large buffer: the matrix of a large
 * account is millions of lines, and per-character appends dominated. */
#define TSV_CHUNK (4u << 20)

typedef struct tsv_out {
  char *buf;
  size_t len;
  FILE *fp;
  bool ok;
} tsv_out;

static inline void tsv_flush(tsv_out *o) {
  if (o->ok && o->len && fwrite(o->buf, 1, o->len, o->fp) != o->len) o->ok = false;
  o->len = 0;
}

static inline void tsv_put(tsv_out *o, const char *s, size_t n) {
  if (o->len + n > TSV_CHUNK) tsv_flush(o);
  if (n > TSV_CHUNK) { /* a pathological name: write it straight through */
    if (o->ok && fwrite(s, 1, n, o->fp) != n) o->ok = false;
    return;
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}

ecr_status ecr_matrix_write_tsv(const ecr_matrix *m, FILE *fp, ecr_error *err) {
  tsv_out o = {ecr_xmalloc(TSV_CHUNK), 0, fp, true};
  static const char header[] = "principal\trepository\taction\tdecision\n";
  tsv_put(&o, header, sizeof(header) - 1);
  size_t na = ecr_catalog_count();
  /* "\t<action>\tallow\n" and "\t<action>\tconditional\n" per action */
  char **tail_y = ecr_xcalloc(na, sizeof(char *)), **tail_c = ecr_xcalloc(na, sizeof(char *));
  size_t *len_y = ecr_xcalloc(na, sizeof(size_t)), *len_c = ecr_xcalloc(na, sizeof(size_t));
  for (size_t a = 0; a < na; a++) {
    tail_y[a] = ecr_xasprintf("\t%s\tallow\n", ecr_catalog_action(a)->name);
    tail_c[a] = ecr_xasprintf("\t%s\tconditional\n", ecr_catalog_action(a)->name);
    len_y[a] = strlen(tail_y[a]);
    len_c[a] = strlen(tail_c[a]);
  }
  size_t *res_len = ecr_xcalloc(m->n_targets, sizeof(size_t));
  for (size_t t = 0; t < m->n_targets; t++) res_len[t] = strlen(m->target_res[t]);
  for (size_t p = 0; p < m->n_principals && o.ok; p++) {
    const ecr_row *row = m->principals[p].row;
    const char *pname = m->principals[p].pub.name;
    size_t plen = strlen(pname);
    /* the registry target sorts first ("*" < "arn:...") */
    for (size_t pass = 0; pass < 2; pass++) {
      for (size_t k = 0; k < row->n; k++) {
        size_t t = row->target[k];
        bool is_reg = t == m->registry;
        if ((pass == 0) != is_reg) continue;
        if (!is_reg && !ecr_target_is_repo(m, t)) continue;
        ecr_actset bits = row->m[k];
        while (bits) {
          size_t a = (size_t)__builtin_ctzll(bits);
          bits &= bits - 1;
          tsv_put(&o, pname, plen);
          tsv_put(&o, "\t", 1);
          tsv_put(&o, m->target_res[t], res_len[t]);
          if (row->y[k] & ((ecr_actset)1 << a))
            tsv_put(&o, tail_y[a], len_y[a]);
          else
            tsv_put(&o, tail_c[a], len_c[a]);
        }
      }
    }
  }
  tsv_flush(&o);
  if (o.ok && fflush(fp) != 0) o.ok = false;
  for (size_t a = 0; a < na; a++) {
    free(tail_y[a]);
    free(tail_c[a]);
  }
  free(tail_y);
  free(tail_c);
  free(len_y);
  free(len_c);
  free(res_len);
  free(o.buf);
  if (!o.ok) return ecr_error_set(err, ECR_E_OUTPUT, "<stdout>", "cannot write the matrix");
  return ECR_OK;
}
