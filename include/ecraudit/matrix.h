/* ecraudit — the access matrix: principal x repository x ECR action ->
 * decision, evaluated from the evidence, and the statements behind each
 * decision (explain).
 */
#ifndef ECRAUDIT_MATRIX_H
#define ECRAUDIT_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ecraudit/error.h"
#include "ecraudit/evidence.h"
#include "ecraudit/policy.h"
#include "ecraudit/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ecr_matrix ecr_matrix;

/* A principal as it appears in the matrix. */
typedef struct ecr_matrix_principal {
  char *name; /* matrix spelling: ARN, "*", "service:<name>" */
  ecr_principal_kind kind;
  long iam_index; /* index into ev->principals, -1 for others */
} ecr_matrix_principal;

/* Evaluate the evidence. ev must outlive the matrix. */
ecr_status ecr_matrix_eval(const ecr_evidence *ev, ecr_matrix **out, ecr_error *err);
void ecr_matrix_free(ecr_matrix *m);

/* Principals, sorted by matrix spelling (bytewise, TSV order). */
size_t ecr_matrix_principal_count(const ecr_matrix *m);
const ecr_matrix_principal *ecr_matrix_principal_at(const ecr_matrix *m, size_t i);

/* Decisions of principal p on repository r (index into ev->repos), or on
 * the registry (r == ECR_MATRIX_REGISTRY) for registry-level actions.
 * *allow = unconditionally granted actions, *cond = conditionally granted. */
#define ECR_MATRIX_REGISTRY ((size_t)-1)
void ecr_matrix_get(const ecr_matrix *m, size_t p, size_t r, ecr_actset *allow, ecr_actset *cond);

/* True when p holds every action of `actions`, all with decision d, on
 * every repository not created yet, in every region of the evidence: the
 * least and the most access a future repository can get (its resource
 * patterns covering every name, or only some) agree. */
bool ecr_matrix_future_decision(const ecr_matrix *m, size_t p, ecr_actset actions, ecr_decision d);
/* The same with one decision for all of them, allow or conditional. */
bool ecr_matrix_covers_future(const ecr_matrix *m, size_t p, ecr_actset actions);

/* The statements that grant (and the Denies that limit) principal p's
 * actions `actions` on the repositories `repos` (indices; ECR_MATRIX_REGISTRY
 * allowed). Returned array owned by caller (free each via with
 * ecr_via_cleanup, then the array). */
ecr_via *ecr_matrix_explain(const ecr_matrix *m, size_t p, const size_t *repos, size_t n_repos,
                            ecr_actset actions, size_t *n_out);

/* The same, listing at most max_resource repository-policy statements
 * (identity-side statements, registry statements and limiting Denies are
 * always all listed); *n_omitted counts the repository-policy statements
 * left out. A principal granted pull by the policies of 600 repositories
 * gets 600 "why"s otherwise. */
ecr_via *ecr_matrix_explain_limited(const ecr_matrix *m, size_t p, const size_t *repos,
                                    size_t n_repos, ecr_actset actions, size_t max_resource,
                                    size_t *n_out, size_t *n_omitted);

/* A Condition block of a hop (a trust or sts:AssumeRole statement) for
 * matrix principal p: its principal-side keys (aws:PrincipalTag/<k>,
 * aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID, ...) are
 * decided from the evidence as for ECR actions; other keys (request context
 * such as aws:MultiFactorAuthPresent, sts:ExternalId) stay undecided. NO when
 * the decided part fails, YES when it holds and nothing else is tested,
 * else MAYBE. */
struct ecr_condition;
ecr_match ecr_matrix_hop_condition(const ecr_matrix *m, size_t p, const struct ecr_condition *c);

/* ---- what the findings stage reads (cheap getters, no copies) ---- */

/* The matrix's targets: the repositories (indices into ev->repos), then two
 * probes per region standing for the repositories not created yet (the
 * low ones, then the high ones), then the registry. */
typedef struct ecr_matrix_layout {
  size_t n_repos;       /* targets [0, n_repos) are the repositories */
  size_t n_probes;      /* [n_repos, n_repos + n_probes) are the probes */
  size_t n_targets;     /* every target, the registry included */
  size_t registry;      /* the registry's target */
  ecr_actset repo_mask; /* the actions that apply to a repository */
} ecr_matrix_layout;
ecr_matrix_layout ecr_matrix_layout_of(const ecr_matrix *m);

/* Resource string of target t (a repository ARN, a probe's prefix, "*"). */
const char *ecr_matrix_target_resource(const ecr_matrix *m, size_t t);
/* Region index (into ev->regions) of target t, -1 for the registry. */
long ecr_matrix_target_region(const ecr_matrix *m, size_t t);

/* One principal's decisions: a sparse row, entries sorted by target.
 * Rows are interned: principals with equal decisions share one row, so
 * equal rows have equal pointers. Owned by the matrix. */
typedef struct ecr_matrix_row {
  size_t n;
  uint32_t *target;
  ecr_actset *y; /* granted unconditionally */
  ecr_actset *m; /* granted at least conditionally (y is a subset) */
  uint64_t hash;
} ecr_matrix_row;
const ecr_matrix_row *ecr_matrix_row_of(const ecr_matrix *m, size_t p);

/* A policy of principal p is missing from the bundle (an evidence gap). */
bool ecr_matrix_principal_gap(const ecr_matrix *m, size_t p);
/* IAM principal i (index into ev->principals) is a role whose trust policy
 * allows sts:TagSession. */
bool ecr_matrix_tag_session(const ecr_matrix *m, size_t i);

/* Write the matrix TSV (DESIGN.md contract) to fp (src/render/tsv.c). ECR_E_OUTPUT on write error.
 */
ecr_status ecr_matrix_write_tsv(const ecr_matrix *m, FILE *fp, ecr_error *err);

#ifdef __cplusplus
}
#endif
#endif
