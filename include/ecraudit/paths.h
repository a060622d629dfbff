/* ecraudit — indirect access (DESIGN.md "Indirect access — a fixed
 * contract"): who can *become* a role that holds ECR actions.
 *
 * The hop graph: P -> role R when P may call sts:AssumeRole
 * (sts:AssumeRoleWithWebIdentity for OIDC providers, sts:AssumeRoleWithSAML
 * for SAML providers) on R's ARN, with R's trust policy as the resource
 * policy. STS actions are not in the ECR catalog: the matrix's 64-bit action
 * sets (ecr_actset) do not hold them, and they are evaluated here, from the
 * statements' action patterns (ecr_statement.action_patterns), over bitsets
 * of the account's roles, so that the ECR evaluation is not slowed by them.
 *
 * `ecraudit paths` then walks chains of at most ECR_PATHS_MAX_HOPS hops from
 * every starting principal and prints, for each chain, the ECR actions the
 * last role holds in the matrix.
 */
#ifndef ECRAUDIT_PATHS_H
#define ECRAUDIT_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ecraudit/error.h"
#include "ecraudit/matrix.h"
#include "ecraudit/evidence.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ECR_PATHS_MAX_HOPS 5

typedef struct ecr_paths ecr_paths;

/* Build the hop graph of ev; m is ev's matrix (ecr_matrix_eval). ev and m
 * must outlive the graph. *out owned by caller (ecr_paths_free). */
ecr_status ecr_paths_build(const ecr_evidence *ev, const ecr_matrix *m, ecr_paths **out,
                           ecr_error *err);
void ecr_paths_free(ecr_paths *p);

/* Starting principals (every principal with a hop), sorted as the TSV is:
 * IAM user/role ARNs, "*", "arn:aws:iam::<id>:root", external ARNs,
 * "service:<name>", "federated:<provider ARN>#<sub>" (web identity),
 * "federated:<provider ARN>" (SAML), "k8s:<cluster ARN>#<ns>/<sa>". */
size_t ecr_paths_start_count(const ecr_paths *p);
const char *ecr_paths_start_name(const ecr_paths *p, size_t i);

/* The hop from starting principal `from` (a name as above) to the role with
 * ARN role_arn: ECR_DECISION_DENY when none, else allow or conditional. */
ecr_decision ecr_paths_hop(const ecr_paths *p, const char *from, const char *role_arn);

/* Reachability, for findings with a chain. Starts are indexed as above;
 * roles are 0..ecr_paths_role_count()-1, sorted by ARN.
 *
 * The roles starting principal `start` reaches within ECR_PATHS_MAX_HOPS
 * hops, as bitsets over the roles: *y through chains whose hops are all
 * unconditional, *m through any (y is a subset). The start itself is never
 * reached through itself (a role's own bit may be set through a cycle:
 * ignore it). Starts with the same hops share one computation; the return
 * value identifies it (equal values, equal sets). The bitsets hold until
 * ecr_paths_free. */
size_t ecr_paths_reach(ecr_paths *p, size_t start, const uint64_t **y, const uint64_t **m);
size_t ecr_paths_role_count(const ecr_paths *p);
size_t ecr_paths_role_principal(const ecr_paths *p, size_t role); /* index into ev->principals */
/* The evidence principal index of an IAM start, -1 for the other starts. */
long ecr_paths_start_principal(const ecr_paths *p, size_t start);
/* A shortest chain from `start` to `role` (all hops unconditional when y):
 * the roles assumed, in order, ending with `role`, in out; returns the
 * number of hops (0 when role is not reached that way). */
size_t ecr_paths_chain(ecr_paths *p, size_t start, size_t role, bool y,
                       size_t out[ECR_PATHS_MAX_HOPS]);

/* The hops of starting principal i (ecr_paths_start_name's order): their
 * number, and the k-th one's role ARN (borrowed from the evidence) with its
 * decision (allow or conditional). NULL when out of range. */
size_t ecr_paths_hop_count(const ecr_paths *p, size_t i);
const char *ecr_paths_hop_at(const ecr_paths *p, size_t i, size_t k, ecr_decision *d);

/* Counts, for benchmarks and tests. */
typedef struct ecr_paths_stats {
  size_t starts; /* starting principals */
  size_t hops;   /* edges of the hop graph */
  size_t chains; /* chains written (last role holding some ECR action) */
  size_t rows;   /* TSV rows written */
} ecr_paths_stats;
void ecr_paths_get_stats(const ecr_paths *p, ecr_paths_stats *out);

/* Write the paths TSV (DESIGN.md contract) to fp: header, then rows sorted
 * bytewise, produced in that order (no sort buffer). ECR_E_OUTPUT on write
 * error. Updates the chain and row counts. */
ecr_status ecr_paths_write_tsv(ecr_paths *p, FILE *fp, ecr_error *err);

#ifdef __cplusplus
}
#endif
#endif
