/* The access matrix's principals: the account's users and roles and every
 * other principal a resource policy names, and whether a resource-policy
 * statement applies to one of them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate/matrix_internal.h"
#include "util/util.h"

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
long ecr_mx_session_role_index(const ecr_matrix *m, const char *arn) {
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

void ecr_mx_build_name_indexes(ecr_matrix *m) {
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
  ecr_index ix;      /* the names of v */
  const char *probe; /* the name being looked up */
} pset;

static bool pset_eq(const void *ctx, size_t item) {
  const pset *ps = ctx;
  return strcmp(ps->v[item].pub.name, ps->probe) == 0;
}

static uint64_t pset_hash(const void *ctx, size_t item) {
  const pset *ps = ctx;
  const char *n = ps->v[item].pub.name;
  return ecr_fnv1a(n, strlen(n), ECR_FNV1A_SEED);
}

/* Index name as item `fresh` unless it is there; true when it was. */
static bool pset_seen(pset *ps, const char *name, size_t fresh) {
  bool found = false;
  ps->probe = name;
  ecr_index_get(&ps->ix, ecr_fnv1a(name, strlen(name), ECR_FNV1A_SEED), pset_eq, pset_hash, ps,
                fresh, &found);
  return found;
}

static void add_other(ecr_matrix *m, pset *ps, const char *name, ecr_principal_kind kind,
                      const char *account) {
  if (pset_seen(ps, name, ps->n)) return;
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
      } else if (own && ecr_mx_session_role_index(m, r->value) >= 0) {
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

const ecr_iam_principal *ecr_mx_iam_of(const ecr_matrix *m, const ecr_mprincipal *p) {
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
  return ip->cls == ECR_PRINCIPAL_ROLE &&
         ecr_mx_session_role_index(m, r->value) == p->pub.iam_index;
}

/* As ecr_rstmt_applies; *session is set when the match is through a role
 * session ARN (a grant AWS does not limit by the role's boundary). */

ecr_match ecr_rstmt_applies(const ecr_matrix *m, const ecr_cstmt *c, size_t pi) {
  bool session = false;
  return ecr_mx_rstmt_applies(m, c, pi, &session);
}

ecr_match ecr_mx_rstmt_applies(const ecr_matrix *m, const ecr_cstmt *c, size_t pi, bool *session) {
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
  const ecr_iam_principal *ip = ecr_mx_iam_of(m, p);
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

void ecr_mx_build_principals(ecr_matrix *m) {
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
    (void)pset_seen(&ps, mp.pub.name, ps.n - 1); /* two IAM entries of one ARN: both kept */
  }
  for (size_t k = 0; k < m->n_rst; k++) collect_others(m, &ps, m->rst[k].c);
  ecr_index_cleanup(&ps.ix);
  if (ps.n) qsort(ps.v, ps.n, sizeof(ecr_mprincipal), cmp_mprincipal);
  /* two IAM entries with the same ARN would make ambiguous rows: keep both,
   * the loader rejects nothing here; the sort keeps them adjacent */
  m->principals = ps.v;
  m->n_principals = ps.n;
}

void ecr_mx_policy_walk_init(ecr_mx_policy_walk *w, const ecr_evidence *ev,
                             const ecr_iam_principal *ip) {
  w->ev = ev;
  w->ip = ip;
  w->stage = w->g = w->i = 0;
}

bool ecr_mx_policy_walk_next(ecr_mx_policy_walk *w, const ecr_policy **doc, ecr_source *src,
                             const char **owner) {
  const ecr_evidence *ev = w->ev;
  const ecr_iam_principal *ip = w->ip;
  for (;;) {
    switch (w->stage) {
    case 0: /* the principal's inline policies */
      if (w->i < ip->n_inline) {
        *doc = ip->inline_policies[w->i++].doc;
        *src = ECR_SRC_IDENTITY;
        *owner = NULL;
        return true;
      }
      w->stage = 1, w->i = 0;
      break;
    case 1: /* its attached managed policies */
      if (w->i < ip->n_managed) {
        *doc = ev->managed[ip->managed[w->i++]].doc;
        *src = ECR_SRC_IDENTITY;
        *owner = NULL;
        return true;
      }
      w->stage = 2, w->i = 0, w->g = 0;
      break;
    case 2: /* per group: the group's inline policies, then its attached ones */
      if (w->g >= ip->n_groups) return false;
      const ecr_group *grp = &ev->groups[ip->groups[w->g]];
      if (w->i < grp->n_inline) {
        *doc = grp->inline_policies[w->i++].doc;
      } else if (w->i < grp->n_inline + grp->n_managed) {
        *doc = ev->managed[grp->managed[w->i++ - grp->n_inline]].doc;
      } else {
        w->g++, w->i = 0;
        break;
      }
      *src = ECR_SRC_GROUP;
      *owner = grp->name;
      return true;
    default: return false;
    }
  }
}
