/* Internal layout of the access matrix, shared by the evaluator (matrix.c)
 * and explain.c. The findings stage (src/report/) reads the matrix through
 * matrix.h only. Not installed. */
#ifndef ECRAUDIT_MATRIX_INTERNAL_H
#define ECRAUDIT_MATRIX_INTERNAL_H

#include <stdint.h>

#include "ecraudit/matrix.h"
#include "util/util.h"

/* A statement ready to evaluate, with where it comes from. */
typedef struct ecr_cstmt {
  const ecr_statement *s;
  const ecr_policy *pol;
  const char
      *policy_name;  /* managed ARN, inline name, repository ARN, "registry:<region>", SCP id */
  const char *owner; /* group name / SCP target / NULL */
  ecr_source source;
  bool vars;       /* resource patterns hold variables: matched per principal */
  uint64_t *match; /* targets matched unconditionally (NULL when vars) */
  int cond;        /* index into matrix conds (its distinct Condition), -1 when none */
} ecr_cstmt;

/* "No principal" / "no target": the attributes it would fix stay undecided. */
#define ECR_NOWHERE ((size_t)-1)

/* One distinct Condition block of the account (by its JSON text). */
struct ecr_cond_entry {
  char *text;
  const ecr_condition *c;   /* the first statement's compiled block */
  unsigned cls;             /* ecr_condition_classes */
  ecr_cond_result constant; /* evaluated with nothing fixed */
  uint64_t *ry, *rm;        /* repository-side only: per target, true / may be true */
};

/* A compiled policy: its ECR-relevant statements. */
typedef struct ecr_cpolicy {
  ecr_cstmt *st;
  size_t n;
} ecr_cpolicy;

/* One resource-policy statement applying to one target. */
typedef struct ecr_rstmt {
  const ecr_cstmt *c;
  uint32_t target;
} ecr_rstmt;

/* A sparse row of decisions (matrix.h). */
typedef ecr_matrix_row ecr_row;

typedef struct ecr_mprincipal {
  ecr_matrix_principal pub;
  const ecr_row *row; /* interned, owned by the matrix */
  char *account;      /* account the principal belongs to, NULL for "*" and services */
  bool gap;           /* a policy of this principal is missing from the bundle */
} ecr_mprincipal;

struct ecr_matrix {
  const ecr_evidence *ev;
  /* Targets: the repositories (evidence order, sorted by ARN), then two
   * probes per region standing for the repositories not created yet, then
   * the registry. On the low probe an Allow applies when its resource
   * patterns cover every repository name of the region and a Deny when they
   * can match some name; on the high probe the other way round. Policy
   * evaluation is monotone (more Allows, fewer Denies never take access
   * away), so every future repository's decision lies between the two: when
   * they agree on an action, that is its decision on every future one. */
  size_t n_repos, n_probes, n_targets;
  size_t n_regions;
  char **probe_prefix; /* per region: "arn:<partition>:ecr:<region>:<account>:repository/" */
  size_t registry;     /* target index of the registry ("*") */
  char **target_res;   /* resource string per target */
  long *target_region; /* region index, -1 for the registry */
  size_t words;        /* uint64 words per target bitmap */
  ecr_actset repo_mask, registry_mask;

  ecr_mprincipal *principals; /* sorted by matrix spelling */
  size_t n_principals;

  /* compiled policies, in compilation order, indexed by the policy pointer */
  struct cpol_item {
    const ecr_policy *key;
    ecr_cpolicy *val;
  } * cpol;
  size_t cpol_cap, cpol_n;
  ecr_index cpol_ix;
  /* resource-side statements (repository and registry policies), by target */
  ecr_rstmt *rst;
  size_t n_rst;
  size_t *rst_first; /* per target: first index into rst (n_targets + 1 entries) */
  /* fast paths for the account's own principals: what "*" and the account
     root grant or deny on each target applies to all of them alike */
  ecr_actset *uni_allow_y, *uni_allow_m, *uni_deny_y, *uni_deny_m;
  size_t *special; /* rst indices that need a per-principal test (NotPrincipal, variables) */
  size_t n_special;
  size_t *unicond; /* rst indices of "*" (or own-root Deny) statements whose Condition names
                      principal-side keys: every own principal, its own decision */
  size_t n_unicond;
  char *session_prefix; /* "arn:<partition>:sts::<account>:assumed-role/" */
  struct name_slot {
    const char *key;
    size_t *idx;
    size_t n, cap;
    uint64_t hash;
  } * names; /* rst by named principal, indexed by the name */
  size_t names_cap, names_n;
  ecr_index names_ix;
  size_t *roles_by_name; /* IAM role indices sorted by role name */
  size_t n_roles;
  size_t *repos_by_name; /* repository target indices sorted by repository name */
  size_t *repo_sorted;   /* repository targets by ARN (strcmp), built by the first pattern */
  /* SCP layer */
  ecr_cstmt **scp_stmts; /* every SCP statement (for explain) */
  size_t n_scp_stmts;
  ecr_actset *scp_y, *scp_m, *scp_dy, *scp_dm; /* per target */
  bool scp_active;

  /* RCP layer (like SCPs, for every principal; not the management account's) */
  ecr_cstmt **rcp_stmts;
  size_t n_rcp_stmts;
  ecr_actset *rcp_y, *rcp_m, *rcp_dy, *rcp_dm;
  bool rcp_active;
  /* guardrails whose conditions name principal-side keys: per principal */
  bool scp_per_principal, rcp_per_principal;

  /* distinct Condition blocks */
  struct ecr_cond_entry *conds;
  size_t n_conds, conds_cap;
  ecr_index cond_ix;
  char *org_path;    /* aws:PrincipalOrgPaths of the account's principals, NULL when unknown */
  bool *tag_session; /* per IAM principal: a role whose trust allows sts:TagSession */

  /* interned rows: one table per evaluation thread */
  struct row_table {
    ecr_row **rows; /* in insertion order, found through ix */
    size_t n_rows, rows_cap;
    ecr_index ix;
    const ecr_row *probe; /* the row being looked up */
  } tables[2];
  /* pattern cache: the targets each resource pattern matches, indexed by
     the pattern's text */
  struct pat_item {
    char *key;
    uint64_t *bits;
    uint64_t hash;
  } * pat;
  size_t pat_cap, pat_n;
  ecr_index pat_ix;
};

static inline bool ecr_bit_get(const uint64_t *b, size_t i) {
  return (b[i >> 6] >> (i & 63)) & 1u;
}

/* Is target t a repository (not a probe, not the registry)? */
static inline bool ecr_target_is_repo(const struct ecr_matrix *m, size_t t) {
  return t < m->n_repos;
}
static inline size_t ecr_probe_low(const struct ecr_matrix *m, size_t region) {
  return m->n_repos + region;
}
static inline size_t ecr_probe_high(const struct ecr_matrix *m, size_t region) {
  return m->n_repos + m->n_regions + region;
}
static inline bool ecr_target_is_probe(const struct ecr_matrix *m, size_t t) {
  return t >= m->n_repos && t < m->n_repos + m->n_probes;
}
static inline bool ecr_probe_is_low(const struct ecr_matrix *m, size_t t) {
  return t < m->n_repos + m->n_regions;
}
/* The bytes of ECR repository names. */
#define ECR_REPO_NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789._-/"

/* ---- conditions (conditions.c) ---- */
void ecr_matrix_conditions_init(ecr_matrix *m);
void ecr_matrix_conditions_free(ecr_matrix *m);
/* The distinct Condition of statement s, -1 when it has none. */
int ecr_matrix_intern_condition(ecr_matrix *m, const ecr_statement *s, bool variables);
/* Evaluate c for principal p and target t (ECR_NOWHERE: not fixed). */
ecr_cond_result ecr_matrix_cond_eval(const ecr_matrix *m, const ecr_condition *c, unsigned classes,
                                     size_t p, size_t t, ecr_keylist *undecided);
/* The Condition of compiled statement c at (p, t), undecided keys added. */
ecr_cond_result ecr_cstmt_condition(const ecr_matrix *m, const ecr_cstmt *c, size_t p, size_t t,
                                    ecr_keylist *undecided);

const ecr_cpolicy *ecr_matrix_cpolicy(const ecr_matrix *m, const ecr_policy *p);
/* Match of a compiled statement on target t for principal index p. */
ecr_match ecr_cstmt_match(const ecr_matrix *m, const ecr_cstmt *c, size_t p, size_t t);
/* Principal-side tests for resource statements. */
ecr_match ecr_rstmt_applies(const ecr_matrix *m, const ecr_cstmt *c, size_t p);

/* ---- shared by the matrix's files (prefix ecr_mx_) ---- */
typedef struct varctx {
  ecr_var_context v;
  const char **tags;
} varctx;

typedef struct acc {
  ecr_actset *y, *m;
} acc;

/* Per-thread memo of principal-side Conditions for the principal being
 * evaluated: distinct blocks are few, statements naming them many. */
typedef struct cscratch {
  ecr_cond_result *res;
  uint32_t *gen;
  uint32_t cur;
} cscratch;

/* matrix_compile.c */
void ecr_mx_targets_init(ecr_matrix *m);
ecr_actset ecr_mx_target_mask(const ecr_matrix *m, size_t t);
const ecr_cpolicy *ecr_mx_compile_policy(ecr_matrix *m, const ecr_policy *p, const char *name,
                                         const char *owner, ecr_source src, bool resource_policy);
void ecr_mx_compile_all(ecr_matrix *m);
struct name_slot *ecr_mx_name_slot(ecr_matrix *m, const char *key, bool create);
/* matrix_principals.c */
long ecr_mx_session_role_index(const ecr_matrix *m, const char *arn);
void ecr_mx_build_name_indexes(ecr_matrix *m);
const ecr_iam_principal *ecr_mx_iam_of(const ecr_matrix *m, const ecr_mprincipal *p);
ecr_match ecr_mx_rstmt_applies(const ecr_matrix *m, const ecr_cstmt *c, size_t pi, bool *session);
void ecr_mx_build_principals(ecr_matrix *m);
/* matrix.c */
void ecr_mx_acc_alloc(acc *a, size_t n);
void ecr_mx_acc_free(acc *a);
ecr_cond_result ecr_mx_cond_at(const ecr_matrix *m, const ecr_cstmt *c, size_t pi, size_t t,
                               cscratch *sc);
void ecr_mx_guard_eval(const ecr_matrix *m, const ecr_scp_level *levels, size_t n_levels,
                       const varctx *vc, size_t pi, cscratch *sc, acc *lvl, ecr_actset *y,
                       ecr_actset *mm, acc *deny);
bool ecr_mx_guard_compile(ecr_matrix *m, const ecr_scp_level *levels, size_t n_levels,
                          ecr_source src, ecr_cstmt ***stmts, size_t *n_stmts);

/* A walk over the identity-side policies of one IAM principal, in the
 * order evaluation and explain both take them: its inline policies, its
 * attached managed policies, then per group the group's inline and attached
 * ones. Caller-owned; start with ecr_mx_policy_walk_init. */
typedef struct ecr_mx_policy_walk {
  const ecr_evidence *ev;
  const ecr_iam_principal *ip;
  size_t stage, g, i;
} ecr_mx_policy_walk;
void ecr_mx_policy_walk_init(ecr_mx_policy_walk *w, const ecr_evidence *ev,
                             const ecr_iam_principal *ip);
/* The next policy (false when there is none): its document, its source
 * (identity or group) and owner (the group's name, NULL for the
 * principal's own). */
bool ecr_mx_policy_walk_next(ecr_mx_policy_walk *w, const ecr_policy **doc, ecr_source *src,
                             const char **owner);

#endif
