/* ecraudit — the evidence bundle (DESIGN.md "Evidence bundle") loaded into a
 * model of the account: principals, groups, managed policies, repositories,
 * registry policies, SCP levels, the manifest's files and gaps.
 */
#ifndef ECRAUDIT_EVIDENCE_H
#define ECRAUDIT_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "ecraudit/error.h"
#include "ecraudit/policy.h"
#include "ecraudit/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Documented limits (issue: hostile inputs). */
#define ECR_MAX_JSON_DEPTH 128
#define ECR_MAX_ITEMS 1000000     /* principals, policies, repositories, statements */
#define ECR_MAX_STRING (1u << 20) /* longest JSON string value or key, bytes */

typedef struct ecr_inline_policy {
  char *name;
  ecr_policy *doc;
} ecr_inline_policy;

typedef struct ecr_managed_policy {
  char *arn;
  char *name;
  char *default_version; /* "v3" */
  ecr_policy *doc;       /* the default version's document; NULL when absent */
  bool aws_managed;      /* arn:aws:iam::aws:policy/... */
} ecr_managed_policy;

typedef struct ecr_tag {
  char *key;
  char *value;
} ecr_tag;

typedef struct ecr_group {
  char *name;
  char *arn;
  ecr_inline_policy *inline_policies;
  size_t n_inline;
  size_t *managed; /* indices into ev->managed */
  size_t n_managed;
  char **missing_managed; /* attached ARNs absent from the bundle */
  size_t n_missing_managed;
} ecr_group;

typedef enum ecr_principal_class { ECR_PRINCIPAL_USER = 0, ECR_PRINCIPAL_ROLE } ecr_principal_class;

typedef struct ecr_iam_principal {
  ecr_principal_class cls;
  char *arn;
  char *name;
  char *id; /* UserId / RoleId */
  char *path;
  char *create_date;
  ecr_inline_policy *inline_policies;
  size_t n_inline;
  size_t *managed; /* indices into ev->managed */
  size_t n_managed;
  size_t *groups; /* indices into ev->groups (users only) */
  size_t n_groups;
  char **missing_managed; /* attached or boundary ARNs absent from the bundle */
  size_t n_missing_managed;
  char **missing_groups; /* group names absent from GroupDetailList */
  size_t n_missing_groups;
  bool has_boundary;
  long boundary; /* index into ev->managed, -1 when absent from the bundle */
  char *boundary_arn;
  ecr_policy *trust; /* roles: AssumeRolePolicyDocument */
  ecr_tag *tags;
  size_t n_tags;
  char *last_used; /* RoleLastUsed.LastUsedDate / PasswordLastUsed */
  char *last_used_region;
  bool service_linked; /* role path /aws-service-role/ */
  /* usage evidence: roles, RoleLastUsed present (AWS tracks 400 days);
   * users, a row in iam/credential-report.json */
  bool usage_known;
  bool password_enabled; /* credential report: password_enabled */
  int keys_active;       /* credential report: access keys marked active */
} ecr_iam_principal;

typedef struct ecr_repository {
  char *arn;
  char *name;
  char *region;
  char *registry_id;
  char *uri;
  char *created_at;
  char *tag_mutability;
  ecr_policy *policy; /* NULL when the repository has no policy */
  bool policy_gap;    /* the policy could not be collected */
  char *gap_error;
  /* ecr/<region>/repository-tags.json (optional): tags_known when the file
   * exists and lists this repository (an empty "tags" array is known: no
   * tags); otherwise ecr:ResourceTag/aws:ResourceTag stay undecided. */
  bool tags_known;
  ecr_tag *tags;
  size_t n_tags;
} ecr_repository;

typedef struct ecr_region {
  char *name;
  ecr_policy *registry_policy; /* NULL when none */
  bool registry_policy_gap;
  bool repositories_gap; /* describe-repositories failed / missing */
  char *gap_error;
  bool tags_present; /* ecr/<region>/repository-tags.json exists */
} ecr_region;

typedef struct ecr_scp_policy {
  char *id;
  char *name;
  ecr_policy *doc;
} ecr_scp_policy;

typedef struct ecr_scp_level {
  char *target; /* "r-..", "ou-..", or the account id */
  ecr_scp_policy *policies;
  size_t n_policies;
} ecr_scp_level;

/* organizations/accounts.json: one member account. */
typedef struct ecr_org_account {
  char *id; /* 12 digits */
  char *arn;
  char *name;
  char *status; /* "ACTIVE", "SUSPENDED", ... (Status, or State when present) */
} ecr_org_account;

/* eks/<region>/clusters.json: one `aws eks describe-cluster` output. */
typedef struct ecr_eks_cluster {
  char *name;
  char *arn;
  char *region;
  char *oidc_issuer; /* identity.oidc.issuer ("https://oidc.eks...."), NULL when none */
} ecr_eks_cluster;

/* eks/<region>/pod-identity-associations.json: one association. */
typedef struct ecr_pod_identity {
  char *cluster_name;
  char *cluster_arn; /* of the cluster in clusters.json with that name and region, or
                        built from the region, account and name */
  char *region;
  char *namespace_;
  char *service_account;
  char *role_arn;
  char *association_arn;
} ecr_pod_identity;

/* iam/service-last-accessed.json (optional): one principal's IAM Access
 * Advisor data for ECR (a `get-service-last-accessed-details` output with its
 * "Arn", docs/evidence-bundle.md). */
typedef struct ecr_action_usage {
  char *action;        /* "ecr:PutImage" (ActionName, with the ecr: prefix) */
  char *last_accessed; /* LastAccessedTime; NULL: tracked, no use in the tracking period */
  char *region;        /* LastAccessedRegion, NULL */
} ecr_action_usage;

typedef struct ecr_usage {
  bool listed;               /* the principal has an entry in the file */
  bool known;                /* its job COMPLETED and ServicesLastAccessed has the ecr entry */
  char *job_status;          /* "COMPLETED", "IN_PROGRESS", "FAILED" */
  char *job_created;         /* JobCreationDate, NULL */
  char *job_done;            /* JobCompletionDate, NULL */
  char *last_used;           /* ecr LastAuthenticated; NULL: no ECR use in the tracking period */
  char *last_region;         /* LastAuthenticatedRegion, NULL */
  bool action_level;         /* the ecr entry has TrackedActionsLastAccessed */
  ecr_action_usage *actions; /* tracked ecr actions, in file order */
  size_t n_actions;
} ecr_usage;

#define ECR_USAGE_FILE "iam/service-last-accessed.json"
#define ECR_USAGE_TRACKED_DAYS 400 /* AWS keeps last accessed data this long */

typedef struct ecr_evidence {
  char *dir;
  char *account;    /* 12 digits */
  char *partition;  /* "aws", "aws-cn", "aws-us-gov" */
  char *caller_arn; /* NULL when sts/caller-identity.json is absent */
  char *caller_user_id;
  char *collected_at; /* manifest, NULL when no manifest */
  char *collector_version;

  ecr_iam_principal *principals; /* users then roles, in file order */
  size_t n_principals;
  size_t *principals_by_arn; /* indices into principals, sorted by ARN */
  ecr_group *groups;
  size_t n_groups;
  ecr_managed_policy *managed;
  size_t n_managed;
  ecr_region *regions; /* sorted by name */
  size_t n_regions;
  ecr_repository *repos; /* sorted by ARN */
  size_t n_repos;
  bool scps_present; /* organizations/scps.json exists */
  ecr_scp_level *scp_levels;
  size_t n_scp_levels;
  /* organizations/rcps.json (optional): resource control policies, same
   * shape and level rule as SCPs */
  bool rcps_present;
  ecr_scp_level *rcp_levels;
  size_t n_rcp_levels;
  /* organizations/organization.json (optional) */
  bool org_present;
  char *org_id;                 /* "o-..." */
  char *org_management_account; /* MasterAccountId */
  /* organizations/accounts.json (optional) */
  bool accounts_present;
  ecr_org_account *org_accounts;
  size_t n_org_accounts;
  /* eks/<region>/clusters.json and pod-identity-associations.json (optional) */
  bool eks_present;          /* some region has clusters.json */
  ecr_eks_cluster *clusters; /* sorted by ARN */
  size_t n_clusters;
  bool pod_identity_present;
  ecr_pod_identity *pod_identities;
  size_t n_pod_identities;

  /* iam/service-last-accessed.json (optional): usage[i] belongs to
     principals[i]; NULL when the file is absent (usage unknown, never unused) */
  bool usage_present;
  ecr_usage *usage;

  ecr_evidence_file *files; /* every file read or listed, sorted by path */
  size_t n_files;
  ecr_gap *gaps; /* manifest gaps plus gaps found while loading */
  size_t n_gaps;
} ecr_evidence;

/* Load the bundle in dir. Required: iam/account-authorization-details.json.
 * Errors (ECR_E_INPUT) name the file and the problem, with line/column for
 * malformed JSON. *out owned by caller. */
ecr_status ecr_evidence_load(const char *dir, ecr_evidence **out, ecr_error *err);
void ecr_evidence_free(ecr_evidence *ev);

/* Index of a principal by ARN (exact), -1 when absent. */
long ecr_evidence_find_principal(const ecr_evidence *ev, const char *arn);

#ifdef __cplusplus
}
#endif
#endif
