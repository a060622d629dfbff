/* ecraudit-gen — policy document shapes (internal). */
#ifndef ECRAUDIT_GEN_POLICIES_H
#define ECRAUDIT_GEN_POLICIES_H

#include "gen.h"

/* What statement builders need to know about the account. */
typedef struct pol_ctx {
  const char *account;
  const char *const *regions;
  size_t n_regions;
  const char *const *teams;
  size_t n_teams;
  const char *const *external; /* other accounts (>= 3) */
} pol_ctx;

/* AWS managed policies the generator attaches. */
enum {
  MP_ADMIN = 0,
  MP_POWERUSER,
  MP_READONLY,
  MP_SECAUDIT,
  MP_ECR_RO,
  MP_ECR_POWER,
  MP_ECR_FULL,
  MP_ECR_PULL,
  MP_ECS_EXEC,
  MP_EKS_WORKER,
  MP_EKS_CNI,
  MP_LAMBDA_BASIC,
  MP_S3_RO,
  MP_CW_RO,
  MP_SSM_CORE,
  MP_BILLING,
  MP_SLR_ECR_REPL,
  MP_SLR_AUTOSCALING,
  MP_SLR_ELB,
  MP_SLR_RDS,
  MP_SLR_SUPPORT,
  MP_SLR_EKS,
  MP_AWS_COUNT
};

typedef struct pol_aws_info {
  const char *name;
  const char *path;
} pol_aws_info;

extern const pol_aws_info POL_AWS[MP_AWS_COUNT];

/* {"Version": version, "Statement": []} */
cJSON *pol_doc(const char *version);
/* Append a statement (Sid may be NULL) and return it. */
cJSON *pol_stmt(cJSON *doc, const char *sid, bool deny);
/* A Condition block of a common shape. */
cJSON *pol_condition(const pol_ctx *c, gen_rng *r, size_t team);

void pol_add_nonecr(const pol_ctx *c, gen_rng *r, cJSON *doc, size_t team);
cJSON *pol_nonecr_doc(const pol_ctx *c, gen_rng *r, size_t team);
void pol_add_ecr_login(gen_rng *r, cJSON *doc);
/* broad: the older, wider version of a policy (ecr:* on the team prefix). */
void pol_add_team_pull(const pol_ctx *c, gen_rng *r, cJSON *doc, size_t team, bool cond,
                       bool broad);
void pol_add_team_push(const pol_ctx *c, gen_rng *r, cJSON *doc, size_t team, bool cond,
                       bool broad);
void pol_add_ecr_deny(const pol_ctx *c, gen_rng *r, cJSON *doc, size_t team);
void pol_add_ecr_admin(gen_rng *r, cJSON *doc, bool cond);
/* Push to repository/sandbox/${aws:username}/... (a policy variable). */
void pol_add_sandbox(gen_rng *r, const pol_ctx *c, cJSON *doc);
cJSON *pol_boundary_doc(const pol_ctx *c, gen_rng *r);
cJSON *pol_aws_doc(int which);

/* ---- the broad profile (--profile broad) ---------------------------------
 * Repository name prefixes the carve-outs protect. */
#define POL_PROD_PREFIX "prod-"
#define POL_PLATFORM_PREFIX "platform/"
/* Customer "ecr:*" on "*" (variant picks the spelling; never a Condition). */
cJSON *pol_ecr_star_doc(gen_rng *r);
/* Allow NotAction shapes: everything but IAM/Organizations/... on "*". */
cJSON *pol_notaction_doc(gen_rng *r);
/* Identity Deny on repository/prod-* (and sometimes platform/). */
cJSON *pol_prod_deny_doc(const pol_ctx *c, gen_rng *r);
/* A permissions boundary whose Allow uses NotResource on prod repositories. */
cJSON *pol_prod_boundary_doc(const pol_ctx *c, gen_rng *r);
/* Group inline documents: Deny writes on prod-*; Deny ecr:* on prod-* and platform/. */
cJSON *pol_prod_guard_doc(void);
cJSON *pol_contractor_deny_doc(void);
/* Pull on base/ and mirror/ (every developer). */
cJSON *pol_base_pull_doc(const pol_ctx *c);

#endif
