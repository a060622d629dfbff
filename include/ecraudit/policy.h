/* ecraudit — IAM policy documents: parse, compile, match.
 *
 * A document is compiled once: every statement's Action/NotAction becomes a
 * bitset over the ECR action catalog, its Condition a three-valued flag,
 * its Principal a list of typed entries. Resource patterns stay strings
 * (matched against repository ARNs by the evaluator, once per distinct
 * pattern and repository).
 */
#ifndef ECRAUDIT_POLICY_H
#define ECRAUDIT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecraudit/condition.h"
#include "ecraudit/error.h"
#include "ecraudit/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the ECR action catalog (data/ecr-actions.json, embedded) ---------- */
#define ECR_MAX_ACTIONS 64
#define ECR_MAX_STATEMENTS 10000 /* per document (documented limit) */
typedef uint64_t ecr_actset;     /* bit i = catalog action i */

typedef struct ecr_action_info {
  const char *name; /* canonical "ecr:PutImage" */
  ecr_access_level level;
  bool registry_level; /* resource type "*" only */
  bool permission_only;
  const char *description;
} ecr_action_info;

/* The catalog, parsed once (thread-safe after first call). Actions are in
 * bytewise order of their names. Never NULL: a broken embedded catalog aborts
 * (through ecr_set_fatal_cb's handler; the tests load it, so a build with a
 * broken catalog fails its tests). */
size_t ecr_catalog_count(void);
const ecr_action_info *ecr_catalog_action(size_t i);
const char *ecr_catalog_version(void);
/* Index of an exact (case-insensitive) action name, -1 when not in the catalog. */
int ecr_catalog_find(const char *name);
/* Catalog actions matched by a case-insensitive glob ("ecr:*", "*", "ecr:Put*"). */
ecr_actset ecr_catalog_match(const char *glob);
ecr_actset ecr_catalog_all(void);
ecr_actset ecr_catalog_registry_level(void); /* actions with resource "*" only */
ecr_actset ecr_catalog_level(ecr_access_level level);
ecr_actset ecr_catalog_push_set(void); /* the six actions a push needs */

/* ---- policy documents -------------------------------------------------- */
typedef enum ecr_cond {
  ECR_COND_NONE = 0, /* no Condition: applies unconditionally */
  ECR_COND_UNKNOWN,  /* known operators: may or may not apply */
  ECR_COND_NEVER     /* an operator we do not know: never counts as a match */
} ecr_cond;

typedef enum ecr_principal_type {
  ECR_PT_STAR = 0, /* "*" or {"AWS": "*"} */
  ECR_PT_AWS,      /* ARN, or bare 12-digit account id (normalized to :root) */
  ECR_PT_SERVICE,
  ECR_PT_FEDERATED,
  ECR_PT_CANONICAL
} ecr_principal_type;

typedef struct ecr_principal_ref {
  ecr_principal_type type;
  char *value; /* normalized: account ids -> "arn:aws:iam::<id>:root" */
} ecr_principal_ref;

typedef struct ecr_statement {
  size_t index; /* 0-based position in the document */
  char *sid;    /* NULL when absent */
  bool deny;
  bool not_action;
  ecr_actset actions;     /* effective catalog actions this statement applies to */
  char **action_patterns; /* Action or NotAction as written (globs, any service) */
  size_t n_action_patterns;
  bool not_resource;
  char **resources; /* patterns as written (Resource or NotResource) */
  size_t n_resources;
  bool has_principal; /* Principal or NotPrincipal present */
  bool not_principal;
  ecr_principal_ref *principals;
  size_t n_principals;
  ecr_cond cond;
  struct ecr_condition *condition; /* the compiled Condition block, NULL when none */
  char *json;                      /* compact JSON of the statement as written */
} ecr_statement;

typedef struct ecr_policy {
  char *version;  /* "2012-10-17", "2008-10-17" or NULL when absent */
  bool variables; /* policy variables are substituted (Version 2012-10-17) */
  ecr_statement *statements;
  size_t n_statements;
  bool touches_ecr; /* some statement's action set is not empty */
  char *json;       /* the document as compact JSON */
} ecr_policy;

/* Parse a policy document given as a JSON value: an object (AWS CLI output),
 * or a string holding JSON, URL-encoded or not (raw API). source_file names
 * the evidence file for error messages. Malformed documents are ECR_E_INPUT
 * with a message that says what is wrong. *out owned by caller. */
struct cJSON;
ecr_status ecr_policy_parse_value(const struct cJSON *value, const char *source_file,
                                  ecr_policy **out, ecr_error *err);
ecr_status ecr_policy_parse_text(const char *text, const char *source_file, ecr_policy **out,
                                 ecr_error *err);
void ecr_policy_free(ecr_policy *p);

/* Values policy variables resolve to for one principal; NULL fields are
 * absent keys (a Resource naming an absent key matches nothing). */
typedef struct ecr_var_context {
  const char *username;       /* aws:username (IAM users only) */
  const char *userid;         /* aws:userid */
  const char *account;        /* aws:PrincipalAccount */
  const char *principal_arn;  /* aws:PrincipalArn */
  const char *principal_type; /* aws:PrincipalType: "User" / "AssumedRole" */
  const char *const *tags;    /* aws:PrincipalTag/<k>: k0, v0, k1, v1, ..., NULL */
  bool tags_undecided;        /* a role whose callers may pass session tags */
} ecr_var_context;

typedef enum ecr_match {
  ECR_MATCH_NO = 0,
  ECR_MATCH_MAYBE, /* depends on a value only known at request time */
  ECR_MATCH_YES
} ecr_match;

/* Does resource pattern p (as written in a document with/without variables)
 * match the resource string res ("*" for registry-level actions)? */
ecr_match ecr_resource_match(const char *pattern, bool variables, const ecr_var_context *vars,
                             const char *res);
/* A resource pattern with its variables substituted for one principal,
 * ready to match many resources. */
typedef struct ecr_pattern {
  int *tokens; /* bytes, or wildcards (values > 255) */
  size_t n;
  bool never; /* an absent variable: matches nothing */
  bool maybe; /* a request-time variable became a wildcard */
} ecr_pattern;

void ecr_pattern_compile(ecr_pattern *p, const char *pattern, bool variables,
                         const ecr_var_context *vars);
ecr_match ecr_pattern_match(const ecr_pattern *p, const char *res);
void ecr_pattern_cleanup(ecr_pattern *p);

/* true when the pattern contains a policy variable that is substituted. */
bool ecr_pattern_has_variables(const char *pattern, bool variables);

#ifdef __cplusplus
}
#endif
#endif
