/* ecraudit — the small shared types of every stage: severities, check
 * statuses, principal kinds, access levels, decisions, policy sources, the
 * statement that decided something (ecr_via), and the evidence files and
 * gaps a bundle records. The policy, evidence, matrix and report headers
 * all use them; none of them needs the report model for it.
 */
#ifndef ECRAUDIT_TYPES_H
#define ECRAUDIT_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ecr_check_status {
  ECR_CHECK_FAIL = 0,
  ECR_CHECK_EXCEPTED,
  ECR_CHECK_UNKNOWN,
  ECR_CHECK_PASS
} ecr_check_status;
#define ECR_CHECK_COUNT 4

typedef enum ecr_severity {
  ECR_SEV_CRITICAL = 0,
  ECR_SEV_HIGH,
  ECR_SEV_MEDIUM,
  ECR_SEV_LOW,
  ECR_SEV_INFO
} ecr_severity;
#define ECR_SEV_COUNT 5

typedef enum ecr_principal_kind {
  ECR_PK_USER = 0,
  ECR_PK_ROLE,
  ECR_PK_PUBLIC,   /* "*" */
  ECR_PK_ACCOUNT,  /* arn:aws:iam::<other account>:root */
  ECR_PK_EXTERNAL, /* a named principal of another account, federated, ... */
  ECR_PK_SERVICE,  /* service:<name> */
  /* starting principals of a chain of roles only (DESIGN.md "Indirect access") */
  ECR_PK_FEDERATED, /* federated:<provider ARN>#<sub> (web identity), federated:<provider ARN>
                       (SAML) */
  ECR_PK_K8S        /* k8s:<cluster ARN>#<namespace>/<service account> */
} ecr_principal_kind;

typedef enum ecr_access_level {
  ECR_LEVEL_LIST = 0,
  ECR_LEVEL_READ,
  ECR_LEVEL_WRITE,
  ECR_LEVEL_PERMISSIONS, /* "Permissions management" */
  ECR_LEVEL_TAGGING
} ecr_access_level;
#define ECR_LEVEL_COUNT 5

typedef enum ecr_decision {
  ECR_DECISION_DENY = 0, /* not granted (explicitly or implicitly) */
  ECR_DECISION_CONDITIONAL,
  ECR_DECISION_ALLOW
} ecr_decision;

typedef enum ecr_source {
  ECR_SRC_IDENTITY = 0, /* the principal's own inline or attached policy */
  ECR_SRC_GROUP,        /* a group's inline or attached policy */
  ECR_SRC_RESOURCE,     /* repository policy */
  ECR_SRC_REGISTRY,     /* registry policy */
  ECR_SRC_BOUNDARY,     /* permissions boundary */
  ECR_SRC_SCP,          /* service control policy */
  ECR_SRC_RCP           /* resource control policy */
} ecr_source;

/* Drift against a baseline findings.json (--baseline): per finding. */
typedef enum ecr_change {
  ECR_CHANGE_NONE = 0, /* no baseline */
  ECR_CHANGE_NEW,      /* id not in the baseline */
  ECR_CHANGE_CHANGED,  /* same id, other status or severity */
  ECR_CHANGE_UNCHANGED
} ecr_change;

/* Stable names used by every renderer and by findings.json. */
const char *ecr_check_status_name(ecr_check_status s);     /* "fail" ... */
const char *ecr_severity_name(ecr_severity s);             /* "critical" ... */
const char *ecr_principal_kind_name(ecr_principal_kind k); /* "user" ... */
const char *ecr_access_level_name(ecr_access_level l);     /* "Write", "Permissions management" */
const char *ecr_decision_name(ecr_decision d);             /* "deny" "conditional" "allow" */
const char *ecr_source_name(ecr_source s);                 /* "identity" ... */
const char *ecr_change_name(ecr_change c); /* "new" "changed" "unchanged" ("" none) */

/* One policy statement that decided something. */
typedef struct ecr_via {
  char *policy;    /* managed policy ARN, inline policy name ("user/alice:inline-name"
                      style is NOT used: the bare inline name), or repository ARN
                      for repository policies, "registry:<region>" for registry policies */
  char *statement; /* Sid, or the 0-based index as a decimal string when no Sid */
  ecr_source source;
  bool deny;        /* a (conditional) Deny that limits the grant */
  bool conditional; /* its Condition is not decided by the evidence for this principal */
  char **undecided; /* the condition keys left undecided, as written */
  size_t n_undecided;
  char *owner; /* group name for ECR_SRC_GROUP, SCP target for ECR_SRC_SCP, else NULL */
  char *json;  /* the statement as compact JSON (for remediation), may be NULL */
} ecr_via;

/* Free what one via owns (not v itself). */
void ecr_via_cleanup(ecr_via *v);
/* A deep copy of n vias (free each with ecr_via_cleanup, then the array). */
ecr_via *ecr_via_copy(const ecr_via *v, size_t n);

typedef struct ecr_evidence_file {
  char *path; /* relative to the bundle, '/'-separated */
  char sha256[65];
  size_t size;
} ecr_evidence_file;

typedef struct ecr_gap {
  char *source;   /* "ecr:GetRepositoryPolicy" */
  char *resource; /* ARN or region */
  char *error;    /* "AccessDeniedException: ..." */
} ecr_gap;

#ifdef __cplusplus
}
#endif
#endif
