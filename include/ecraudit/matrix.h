/* ecraudit — the access matrix: principal x repository x ECR action ->
 * decision, evaluated from the evidence, and the statements behind each
 * decision (explain).
 */
#ifndef ECRAUDIT_MATRIX_H
#define ECRAUDIT_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
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

/* Write the matrix TSV (DESIGN.md contract) to fp. ECR_E_OUTPUT on write error. */
ecr_status ecr_matrix_write_tsv(const ecr_matrix *m, FILE *fp, ecr_error *err);

#ifdef __cplusplus
}
#endif
#endif
