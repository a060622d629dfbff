/* ecraudit-gen — policy document shapes.
 *
 * Statement builders for the shapes seen in real accounts: non-ECR service
 * access (most policies), ECR pull/push scoped to a team's repositories,
 * ecr:* on *, NotAction, Deny guardrails, Conditions, policy variables, and
 * the AWS managed policies that matter for ECR.
 */
#include "policies.h"

#include <stdlib.h>
#include <string.h>

static const char *const WORDS[] = {"events",  "orders",  "reports", "assets",  "cache",
                                    "exports", "uploads", "archive", "metrics", "state"};
#define N_WORDS (sizeof WORDS / sizeof *WORDS)

static cJSON *two(cJSON *a, cJSON *b) {
  cJSON *arr = gen_arr();
  gen_push(arr, a);
  gen_push(arr, b);
  return arr;
}

static const char *word(gen_rng *r) {
  return WORDS[gen_rng_below(r, N_WORDS)];
}

/* Occasionally spell an action in lower case (IAM action names are
 * case-insensitive; evaluators must not care). */
static cJSON *act(gen_rng *r, const char *a) {
  if (gen_rng_ppm(r, 20000)) {
    char buf[128];
    size_t i = 0;
    for (; a[i] && i + 1 < sizeof buf; i++)
      buf[i] = (char)((a[i] >= 'A' && a[i] <= 'Z') ? a[i] - 'A' + 'a' : a[i]);
    buf[i] = '\0';
    return gen_str(buf);
  }
  return gen_str(a);
}

static cJSON *acts(gen_rng *r, const char *const *v, size_t n) {
  cJSON *a = gen_arr();
  for (size_t i = 0; i < n; i++) gen_push(a, act(r, v[i]));
  return a;
}

cJSON *pol_doc(const char *version) {
  cJSON *d = gen_obj();
  gen_add_str(d, "Version", version);
  gen_add(d, "Statement", gen_arr());
  return d;
}

cJSON *pol_stmt(cJSON *doc, const char *sid, bool deny) {
  cJSON *s = gen_obj();
  if (sid) gen_add_str(s, "Sid", sid);
  gen_add_str(s, "Effect", deny ? "Deny" : "Allow");
  gen_push(cJSON_GetObjectItemCaseSensitive(doc, "Statement"), s);
  return s;
}

/* {"op": {"key": value}} */
static cJSON *cond1(const char *op, const char *key, cJSON *value) {
  cJSON *c = gen_obj(), *inner = gen_obj();
  gen_add(inner, key, value);
  gen_add(c, op, inner);
  return c;
}

cJSON *pol_condition(const pol_ctx *c, gen_rng *r, size_t team) {
  switch (gen_rng_below(r, 6)) {
  case 0:
    return cond1("StringEquals", "aws:RequestedRegion",
                 c->n_regions > 1 ? gen_strs(c->regions[0], c->regions[1], (const char *)NULL)
                                  : gen_str(c->regions[0]));
  case 1:
    return cond1("IpAddress", "aws:SourceIp",
                 gen_strs("10.0.0.0/8", "192.0.2.0/24", (const char *)NULL));
  case 2: return cond1("StringEquals", "aws:ResourceTag/team", gen_str(c->teams[team]));
  case 3: return cond1("Bool", "aws:MultiFactorAuthPresent", gen_str("true"));
  case 4:
    return cond1("StringEquals", "aws:SourceVpce",
                 gen_strf("vpce-0%012llx", (unsigned long long)(gen_rng_next(r) >> 16)));
  default: return cond1("StringEquals", "aws:PrincipalTag/team", gen_str(c->teams[team]));
  }
}

static char *team_repos(const pol_ctx *c, gen_rng *r, size_t team) {
  const char *region = gen_rng_ppm(r, 500000) ? "*" : c->regions[gen_rng_below(r, c->n_regions)];
  return gen_xasprintf("arn:aws:ecr:%s:%s:repository/%s/*", region, c->account, c->teams[team]);
}

static void maybe_sid(gen_rng *r, cJSON *doc, cJSON **s, const char *sid, bool deny) {
  *s = pol_stmt(doc, gen_rng_ppm(r, 600000) ? sid : NULL, deny);
}

/* ---- non-ECR statements ------------------------------------------------- */
void pol_add_nonecr(const pol_ctx *c, gen_rng *r, cJSON *doc, size_t team) {
  const char *tm = c->teams[team];
  const char *rg = c->regions[gen_rng_below(r, c->n_regions)];
  const char *w = word(r);
  unsigned n = (unsigned)gen_rng_below(r, 1000);
  cJSON *s;
  switch (gen_rng_below(r, 16)) {
  case 0:
    maybe_sid(r, doc, &s, "ReadBucket", false);
    gen_add(s, "Action", gen_strs("s3:GetObject", "s3:ListBucket", (const char *)NULL));
    gen_add(s, "Resource",
            two(gen_strf("arn:aws:s3:::%s-%s-%s-%u", c->account, tm, w, n),
                gen_strf("arn:aws:s3:::%s-%s-%s-%u/*", c->account, tm, w, n)));
    break;
  case 1:
    maybe_sid(r, doc, &s, "WriteObjects", false);
    gen_add(s, "Action",
            gen_strs("s3:PutObject", "s3:GetObject", "s3:DeleteObject", (const char *)NULL));
    gen_add(s, "Resource", gen_strf("arn:aws:s3:::%s-%s-%s-%u/*", c->account, tm, w, n));
    break;
  case 2:
    maybe_sid(r, doc, &s, "Table", false);
    gen_add(s, "Action",
            gen_strs("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
                     "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", (const char *)NULL));
    gen_add(s, "Resource",
            gen_strf("arn:aws:dynamodb:%s:%s:table/%s-%s-%u", rg, c->account, tm, w, n));
    break;
  case 3:
    maybe_sid(r, doc, &s, "Queue", false);
    gen_add(s, "Action",
            gen_strs("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                     "sqs:GetQueueAttributes", (const char *)NULL));
    gen_add(s, "Resource", gen_strf("arn:aws:sqs:%s:%s:%s-%s-%u", rg, c->account, tm, w, n));
    break;
  case 4:
    maybe_sid(r, doc, &s, "Logs", false);
    gen_add(s, "Action",
            gen_strs("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                     (const char *)NULL));
    gen_add(s, "Resource",
            gen_strf("arn:aws:logs:%s:%s:log-group:/aws/%s/%s:*", rg, c->account, tm, w));
    break;
  case 5:
    maybe_sid(r, doc, &s, "DecryptViaS3", false);
    gen_add(s, "Action", gen_str("kms:Decrypt"));
    gen_add(s, "Resource",
            gen_strf("arn:aws:kms:%s:%s:key/%08llx-%04x-4%03x-8%03x-%012llx", rg, c->account,
                     (unsigned long long)(gen_rng_next(r) & 0xffffffffu), n, n, n,
                     (unsigned long long)(gen_rng_next(r) >> 16)));
    gen_add(s, "Condition",
            cond1("StringEquals", "kms:ViaService", gen_strf("s3.%s.amazonaws.com", rg)));
    break;
  case 6:
    maybe_sid(r, doc, &s, "Parameters", false);
    gen_add(s, "Action",
            gen_strs("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
                     (const char *)NULL));
    gen_add(s, "Resource", gen_strf("arn:aws:ssm:%s:%s:parameter/%s/*", rg, c->account, tm));
    break;
  case 7:
    maybe_sid(r, doc, &s, "Describe", false);
    gen_add(s, "Action",
            gen_strs("ec2:Describe*", "elasticloadbalancing:Describe*", "autoscaling:Describe*",
                     (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    break;
  case 8:
    maybe_sid(r, doc, &s, "Metrics", false);
    gen_add(s, "Action", gen_str("cloudwatch:PutMetricData"));
    gen_add(s, "Resource", gen_str("*"));
    gen_add(s, "Condition", cond1("StringEquals", "cloudwatch:namespace", gen_str(tm)));
    break;
  case 9:
    maybe_sid(r, doc, &s, "Secrets", false);
    gen_add(s, "Action",
            gen_strs("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
                     (const char *)NULL));
    gen_add(s, "Resource",
            gen_strf("arn:aws:secretsmanager:%s:%s:secret:%s/%s-*", rg, c->account, tm, w));
    break;
  case 10:
    maybe_sid(r, doc, &s, "Publish", false);
    gen_add(s, "Action", gen_str("sns:Publish"));
    gen_add(s, "Resource", gen_strf("arn:aws:sns:%s:%s:%s-%s", rg, c->account, tm, w));
    break;
  case 11:
    maybe_sid(r, doc, &s, "Invoke", false);
    gen_add(s, "Action", gen_strs("lambda:InvokeFunction", (const char *)NULL));
    gen_add(s, "Resource",
            gen_strf("arn:aws:lambda:%s:%s:function:%s-%s-%u", rg, c->account, tm, w, n));
    break;
  case 12:
    maybe_sid(r, doc, &s, "AssumeDeployer", false);
    gen_add(s, "Action", gen_str("sts:AssumeRole"));
    gen_add(s, "Resource", gen_strf("arn:aws:iam::%s:role/%s-deployer", c->external[0], tm));
    break;
  case 13:
    /* Deny everything in S3 except the team's bucket: NotResource. */
    maybe_sid(r, doc, &s, "OnlyOwnBucket", true);
    gen_add(s, "Action", gen_str("s3:*"));
    gen_add(s, "NotResource",
            two(gen_strf("arn:aws:s3:::%s-%s-%s", c->account, tm, w),
                gen_strf("arn:aws:s3:::%s-%s-%s/*", c->account, tm, w)));
    break;
  case 14:
    /* ECR Public is not the private registry: must not show in the matrix. */
    maybe_sid(r, doc, &s, "PublicGallery", false);
    gen_add(s, "Action",
            gen_strs("ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken",
                     "ecr-public:BatchCheckLayerAvailability", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    break;
  default:
    maybe_sid(r, doc, &s, "ReadLogs", false);
    gen_add(s, "Action",
            gen_strs("logs:FilterLogEvents", "logs:GetLogEvents", "logs:DescribeLogStreams",
                     (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    break;
  }
}

cJSON *pol_nonecr_doc(const pol_ctx *c, gen_rng *r, size_t team) {
  cJSON *d = pol_doc("2012-10-17");
  unsigned n = 1 + (unsigned)gen_rng_below(r, 5);
  for (unsigned i = 0; i < n; i++) pol_add_nonecr(c, r, d, team);
  return d;
}

/* ---- ECR statements -------------------------------------------------------- */
static const char *const PULL[] = {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                   "ecr:BatchCheckLayerAvailability"};
static const char *const BROWSE[] = {"ecr:DescribeImages", "ecr:ListImages",
                                     "ecr:DescribeRepositories"};
static const char *const PUSH[] = {"ecr:BatchCheckLayerAvailability",
                                   "ecr:InitiateLayerUpload",
                                   "ecr:UploadLayerPart",
                                   "ecr:CompleteLayerUpload",
                                   "ecr:PutImage",
                                   "ecr:BatchGetImage",
                                   "ecr:GetDownloadUrlForLayer"};
static const char *const DELETES[] = {"ecr:BatchDeleteImage", "ecr:DeleteRepository",
                                      "ecr:DeleteRepositoryPolicy", "ecr:SetRepositoryPolicy"};

void pol_add_ecr_login(gen_rng *r, cJSON *doc) {
  cJSON *s = pol_stmt(doc, gen_rng_ppm(r, 700000) ? "EcrLogin" : NULL, false);
  gen_add(s, "Action", act(r, "ecr:GetAuthorizationToken"));
  gen_add(s, "Resource", gen_str("*"));
}

void pol_add_team_pull(const pol_ctx *c, gen_rng *r, cJSON *doc, size_t team, bool cond,
                       bool broad) {
  pol_add_ecr_login(r, doc);
  cJSON *s = pol_stmt(doc, gen_rng_ppm(r, 600000) ? "PullTeamImages" : NULL, false);
  if (broad) {
    gen_add(s, "Action", gen_str("ecr:*"));
  } else {
    cJSON *a = acts(r, PULL, 3);
    if (gen_rng_ppm(r, 400000))
      for (size_t i = 0; i < 3; i++) gen_push(a, act(r, BROWSE[i]));
    gen_add(s, "Action", a);
  }
  char *res = team_repos(c, r, team);
  gen_add(s, "Resource", gen_str(res));
  free(res);
  if (cond) gen_add(s, "Condition", pol_condition(c, r, team));
}

void pol_add_team_push(const pol_ctx *c, gen_rng *r, cJSON *doc, size_t team, bool cond,
                       bool broad) {
  pol_add_ecr_login(r, doc);
  cJSON *s = pol_stmt(doc, gen_rng_ppm(r, 600000) ? "PushTeamImages" : NULL, false);
  unsigned style = broad ? 2 : (unsigned)gen_rng_below(r, 3);
  if (style == 0)
    gen_add(s, "Action", acts(r, PUSH, sizeof PUSH / sizeof *PUSH));
  else if (style == 1)
    gen_add(s, "Action",
            gen_strs("ecr:Batch*", "ecr:*Layer*", "ecr:PutImage", "ecr:Describe*", "ecr:List*",
                     (const char *)NULL));
  else
    gen_add(s, "Action", gen_str("ecr:*"));
  char *res = team_repos(c, r, team);
  gen_add(s, "Resource",
          gen_maybe_single(gen_strs(res, (const char *)NULL), gen_rng_ppm(r, 500000)));
  free(res);
  if (cond) gen_add(s, "Condition", pol_condition(c, r, team));
  if (gen_rng_ppm(r, 300000)) {
    cJSON *d = pol_stmt(doc, "NoDeletes", true);
    gen_add(d, "Action",
            gen_strs("ecr:BatchDeleteImage", "ecr:DeleteRepository", (const char *)NULL));
    gen_add(d, "Resource", gen_str("*"));
  }
}

void pol_add_ecr_deny(const pol_ctx *c, gen_rng *r, cJSON *doc, size_t team) {
  cJSON *s = pol_stmt(doc, "DenyDestructiveEcr", true);
  gen_add(s, "Action", acts(r, DELETES, 4));
  if (gen_rng_ppm(r, 500000)) {
    gen_add(s, "Resource", gen_str("*"));
  } else {
    char *res = team_repos(c, r, team);
    gen_add(s, "Resource", gen_str(res));
    free(res);
  }
  if (gen_rng_ppm(r, 400000))
    gen_add(s, "Condition",
            cond1("StringNotEquals", "aws:PrincipalTag/role", gen_str("platform-admin")));
}

void pol_add_ecr_admin(gen_rng *r, cJSON *doc, bool cond) {
  cJSON *s = pol_stmt(doc, gen_rng_ppm(r, 500000) ? "EcrAdmin" : NULL, false);
  gen_add(s, "Action",
          gen_rng_ppm(r, 300000) ? gen_strs("ecr:*", "ecr-public:*", (const char *)NULL)
                                 : gen_str("ecr:*"));
  gen_add(s, "Resource", gen_str("*"));
  if (cond) gen_add(s, "Condition", cond1("Bool", "aws:MultiFactorAuthPresent", gen_str("true")));
}

void pol_add_sandbox(gen_rng *r, const pol_ctx *c, cJSON *doc) {
  cJSON *s = pol_stmt(doc, "OwnSandboxRepositories", false);
  gen_add(s, "Action", acts(r, PUSH, sizeof PUSH / sizeof *PUSH));
  gen_add(s, "Resource",
          gen_strf("arn:aws:ecr:*:%s:repository/sandbox/${aws:username}/*", c->account));
}

cJSON *pol_boundary_doc(const pol_ctx *c, gen_rng *r) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s;
  switch (gen_rng_below(r, 3)) {
  case 0:
    s = pol_stmt(d, "EverythingButIam", false);
    gen_add(s, "NotAction", gen_strs("iam:*", "organizations:*", "account:*", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    s = pol_stmt(d, "ReadIam", false);
    gen_add(s, "Action", gen_strs("iam:Get*", "iam:List*", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    s = pol_stmt(d, "NoEcrDeletes", true);
    gen_add(s, "Action", acts(r, DELETES, 2));
    gen_add(s, "Resource", gen_str("*"));
    break;
  case 1:
    s = pol_stmt(d, "AllowedServices", false);
    gen_add(s, "Action",
            gen_strs("s3:*", "dynamodb:*", "sqs:*", "sns:*", "logs:*", "cloudwatch:*",
                     "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                     "ecr:BatchCheckLayerAvailability", "ecr:DescribeRepositories",
                     "ecr:DescribeImages", "ecr:ListImages", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    break;
  default:
    s = pol_stmt(d, "AllowAll", false);
    gen_add(s, "Action", gen_str("*"));
    gen_add(s, "Resource", gen_str("*"));
    s = pol_stmt(d, "NoPermissionChanges", true);
    gen_add(s, "Action",
            gen_strs("ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy",
                     "ecr:PutRegistryPolicy", "ecr:DeleteRegistryPolicy", "iam:CreatePolicyVersion",
                     "iam:DeleteRolePermissionsBoundary", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    break;
  }
  (void)c;
  return d;
}

/* ---- AWS managed policies ------------------------------------------------- */
const pol_aws_info POL_AWS[MP_AWS_COUNT] = {
    [MP_ADMIN] = {"AdministratorAccess", "/"},
    [MP_POWERUSER] = {"PowerUserAccess", "/"},
    [MP_READONLY] = {"ReadOnlyAccess", "/"},
    [MP_SECAUDIT] = {"SecurityAudit", "/"},
    [MP_ECR_RO] = {"AmazonEC2ContainerRegistryReadOnly", "/"},
    [MP_ECR_POWER] = {"AmazonEC2ContainerRegistryPowerUser", "/"},
    [MP_ECR_FULL] = {"AmazonEC2ContainerRegistryFullAccess", "/"},
    [MP_ECR_PULL] = {"AmazonEC2ContainerRegistryPullOnly", "/"},
    [MP_ECS_EXEC] = {"AmazonECSTaskExecutionRolePolicy", "/service-role/"},
    [MP_EKS_WORKER] = {"AmazonEKSWorkerNodePolicy", "/"},
    [MP_EKS_CNI] = {"AmazonEKS_CNI_Policy", "/"},
    [MP_LAMBDA_BASIC] = {"AWSLambdaBasicExecutionRole", "/service-role/"},
    [MP_S3_RO] = {"AmazonS3ReadOnlyAccess", "/"},
    [MP_CW_RO] = {"CloudWatchReadOnlyAccess", "/"},
    [MP_SSM_CORE] = {"AmazonSSMManagedInstanceCore", "/"},
    [MP_BILLING] = {"Billing", "/job-function/"},
    [MP_SLR_ECR_REPL] = {"ECRReplicationServiceRolePolicy", "/aws-service-role/"},
    [MP_SLR_AUTOSCALING] = {"AutoScalingServiceRolePolicy", "/aws-service-role/"},
    [MP_SLR_ELB] = {"AWSElasticLoadBalancingServiceRolePolicy", "/aws-service-role/"},
    [MP_SLR_RDS] = {"AmazonRDSServiceRolePolicy", "/aws-service-role/"},
    [MP_SLR_SUPPORT] = {"AWSSupportServiceRolePolicy", "/aws-service-role/"},
    [MP_SLR_EKS] = {"AmazonEKSServiceRolePolicy", "/aws-service-role/"},
};

static const char *const ECR_RO[] = {
    "ecr:GetAuthorizationToken",  "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer", "ecr:GetRepositoryPolicy",
    "ecr:DescribeRepositories",   "ecr:ListImages",
    "ecr:DescribeImages",         "ecr:BatchGetImage",
    "ecr:GetLifecyclePolicy",     "ecr:GetLifecyclePolicyPreview",
    "ecr:ListTagsForResource",    "ecr:DescribeImageScanFindings"};
#define N_ECR_RO (sizeof ECR_RO / sizeof *ECR_RO)

static void allow_list(cJSON *d, const char *sid, const char *const *a, size_t n,
                       const char *resource) {
  cJSON *s = pol_stmt(d, sid, false);
  cJSON *arr = gen_arr();
  for (size_t i = 0; i < n; i++) gen_push(arr, gen_str(a[i]));
  gen_add(s, "Action", arr);
  gen_add(s, "Resource", gen_str(resource));
}

cJSON *pol_aws_doc(int which) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s;
  switch (which) {
  case MP_ADMIN:
    s = pol_stmt(d, NULL, false);
    gen_add(s, "Action", gen_str("*"));
    gen_add(s, "Resource", gen_str("*"));
    break;
  case MP_POWERUSER: {
    static const char *const iam[] = {"iam:CreateServiceLinkedRole",
                                      "iam:DeleteServiceLinkedRole",
                                      "iam:ListRoles",
                                      "organizations:DescribeOrganization",
                                      "account:ListRegions",
                                      "account:GetAccountInformation"};
    s = pol_stmt(d, NULL, false);
    gen_add(s, "NotAction", gen_strs("iam:*", "organizations:*", "account:*", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    allow_list(d, NULL, iam, 6, "*");
    break;
  }
  case MP_READONLY: {
    static const char *const ro[] = {"a4b:Get*",
                                     "acm:Describe*",
                                     "acm:Get*",
                                     "acm:List*",
                                     "apigateway:GET",
                                     "autoscaling:Describe*",
                                     "cloudformation:Describe*",
                                     "cloudformation:Get*",
                                     "cloudformation:List*",
                                     "cloudfront:Get*",
                                     "cloudfront:List*",
                                     "cloudtrail:Describe*",
                                     "cloudtrail:Get*",
                                     "cloudtrail:LookupEvents",
                                     "cloudwatch:Describe*",
                                     "cloudwatch:Get*",
                                     "cloudwatch:List*",
                                     "codebuild:BatchGet*",
                                     "codebuild:List*",
                                     "dynamodb:BatchGet*",
                                     "dynamodb:Describe*",
                                     "dynamodb:Get*",
                                     "dynamodb:List*",
                                     "dynamodb:Query",
                                     "dynamodb:Scan",
                                     "ec2:Describe*",
                                     "ec2:Get*",
                                     "ecr:BatchCheck*",
                                     "ecr:BatchGet*",
                                     "ecr:Describe*",
                                     "ecr:Get*",
                                     "ecr:List*",
                                     "ecs:Describe*",
                                     "ecs:List*",
                                     "eks:Describe*",
                                     "eks:List*",
                                     "elasticloadbalancing:Describe*",
                                     "iam:Generate*",
                                     "iam:Get*",
                                     "iam:List*",
                                     "kms:Describe*",
                                     "kms:Get*",
                                     "kms:List*",
                                     "lambda:Get*",
                                     "lambda:List*",
                                     "logs:Describe*",
                                     "logs:FilterLogEvents",
                                     "logs:Get*",
                                     "rds:Describe*",
                                     "route53:Get*",
                                     "route53:List*",
                                     "s3:Get*",
                                     "s3:List*",
                                     "sns:Get*",
                                     "sns:List*",
                                     "sqs:Get*",
                                     "sqs:List*",
                                     "ssm:Describe*",
                                     "ssm:Get*",
                                     "ssm:List*",
                                     "sts:GetCallerIdentity",
                                     "tag:Get*"};
    allow_list(d, NULL, ro, sizeof ro / sizeof *ro, "*");
    break;
  }
  case MP_SECAUDIT: {
    static const char *const sa[] = {"acm:Describe*",
                                     "cloudtrail:DescribeTrails",
                                     "cloudtrail:GetEventSelectors",
                                     "config:Describe*",
                                     "ec2:Describe*",
                                     "ec2:GetManagedPrefixListEntries",
                                     "ecr:DescribeImageScanFindings",
                                     "ecr:DescribeImages",
                                     "ecr:DescribeRegistry",
                                     "ecr:DescribeRepositories",
                                     "ecr:GetLifecyclePolicy",
                                     "ecr:GetRegistryPolicy",
                                     "ecr:GetRepositoryPolicy",
                                     "ecr:ListImages",
                                     "ecr:ListTagsForResource",
                                     "ecr-public:DescribeImages",
                                     "ecr-public:GetRepositoryPolicy",
                                     "ecs:Describe*",
                                     "ecs:List*",
                                     "eks:Describe*",
                                     "eks:List*",
                                     "iam:GenerateCredentialReport",
                                     "iam:Get*",
                                     "iam:List*",
                                     "iam:SimulateCustomPolicy",
                                     "kms:Describe*",
                                     "kms:Get*",
                                     "kms:List*",
                                     "lambda:GetPolicy",
                                     "lambda:List*",
                                     "s3:GetBucket*",
                                     "s3:ListAllMyBuckets",
                                     "sns:GetTopicAttributes",
                                     "sqs:GetQueueAttributes",
                                     "tag:GetResources"};
    allow_list(d, NULL, sa, sizeof sa / sizeof *sa, "*");
    s = pol_stmt(d, "APIGatewayAccess", false);
    gen_add(s, "Action", gen_str("apigateway:GET"));
    gen_add(s, "Resource",
            gen_strs("arn:aws:apigateway:*::/apis", "arn:aws:apigateway:*::/restapis",
                     (const char *)NULL));
    break;
  }
  case MP_ECR_RO: allow_list(d, NULL, ECR_RO, N_ECR_RO, "*"); break;
  case MP_ECR_POWER: {
    static const char *const pu[] = {"ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                                     "ecr:CompleteLayerUpload", "ecr:PutImage"};
    const char *all[N_ECR_RO + 4];
    memcpy(all, ECR_RO, sizeof ECR_RO);
    memcpy(all + N_ECR_RO, pu, sizeof pu);
    allow_list(d, NULL, all, N_ECR_RO + 4, "*");
    break;
  }
  case MP_ECR_FULL:
    s = pol_stmt(d, NULL, false);
    gen_add(s, "Action", gen_strs("ecr:*", "cloudtrail:LookupEvents", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    s = pol_stmt(d, NULL, false);
    gen_add(s, "Action", gen_strs("iam:CreateServiceLinkedRole", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    gen_add(s, "Condition",
            cond1("StringEquals", "iam:AWSServiceName",
                  gen_strs("replication.ecr.amazonaws.com", (const char *)NULL)));
    break;
  case MP_ECR_PULL: {
    static const char *const po[] = {"ecr:GetAuthorizationToken", "ecr:BatchGetImage",
                                     "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage"};
    allow_list(d, "AmazonEC2ContainerRegistryPullOnly", po, 4, "*");
    break;
  }
  case MP_ECS_EXEC: {
    static const char *const ex[] = {
        "ecr:GetAuthorizationToken",  "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
        "logs:CreateLogStream",       "logs:PutLogEvents"};
    allow_list(d, NULL, ex, 6, "*");
    break;
  }
  case MP_EKS_WORKER: {
    static const char *const wk[] = {"ec2:DescribeInstances",
                                     "ec2:DescribeInstanceTypes",
                                     "ec2:DescribeRouteTables",
                                     "ec2:DescribeSecurityGroups",
                                     "ec2:DescribeSubnets",
                                     "ec2:DescribeVolumes",
                                     "ec2:DescribeVpcs",
                                     "eks:DescribeCluster",
                                     "eks-auth:AssumeRoleForPodIdentity"};
    allow_list(d, "WorkerNodePermissions", wk, 9, "*");
    break;
  }
  case MP_EKS_CNI: {
    static const char *const cni[] = {
        "ec2:AssignPrivateIpAddresses",  "ec2:AttachNetworkInterface",
        "ec2:CreateNetworkInterface",    "ec2:DeleteNetworkInterface",
        "ec2:DescribeInstances",         "ec2:DescribeTags",
        "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstanceTypes",
        "ec2:DetachNetworkInterface",    "ec2:ModifyNetworkInterfaceAttribute",
        "ec2:UnassignPrivateIpAddresses"};
    allow_list(d, NULL, cni, 11, "*");
    s = pol_stmt(d, NULL, false);
    gen_add(s, "Action", gen_strs("ec2:CreateTags", (const char *)NULL));
    gen_add(s, "Resource", gen_strs("arn:aws:ec2:*:*:network-interface/*", (const char *)NULL));
    break;
  }
  case MP_LAMBDA_BASIC: {
    static const char *const lb[] = {"logs:CreateLogGroup", "logs:CreateLogStream",
                                     "logs:PutLogEvents"};
    allow_list(d, NULL, lb, 3, "*");
    break;
  }
  case MP_S3_RO: {
    static const char *const s3[] = {"s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*",
                                     "s3-object-lambda:List*"};
    allow_list(d, NULL, s3, 5, "*");
    break;
  }
  case MP_CW_RO: {
    static const char *const cw[] = {"application-autoscaling:DescribeScalingPolicies",
                                     "autoscaling:Describe*",
                                     "cloudwatch:BatchGet*",
                                     "cloudwatch:Describe*",
                                     "cloudwatch:GenerateQuery",
                                     "cloudwatch:Get*",
                                     "cloudwatch:List*",
                                     "logs:Get*",
                                     "logs:List*",
                                     "logs:StartQuery",
                                     "logs:StopQuery",
                                     "logs:Describe*",
                                     "logs:TestMetricFilter",
                                     "logs:FilterLogEvents",
                                     "oam:ListSinks",
                                     "sns:Get*",
                                     "sns:List*"};
    allow_list(d, "CloudWatchReadOnlyAccessPermissions", cw, sizeof cw / sizeof *cw, "*");
    break;
  }
  case MP_SSM_CORE: {
    static const char *const ssm[] = {"ssm:DescribeAssociation",
                                      "ssm:GetDeployablePatchSnapshotForInstance",
                                      "ssm:GetDocument",
                                      "ssm:DescribeDocument",
                                      "ssm:GetManifest",
                                      "ssm:GetParameter",
                                      "ssm:GetParameters",
                                      "ssm:ListAssociations",
                                      "ssm:ListInstanceAssociations",
                                      "ssm:PutInventory",
                                      "ssm:PutComplianceItems",
                                      "ssm:PutConfigurePackageResult",
                                      "ssm:UpdateAssociationStatus",
                                      "ssm:UpdateInstanceAssociationStatus",
                                      "ssm:UpdateInstanceInformation"};
    static const char *const msg[] = {
        "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"};
    static const char *const ec2m[] = {
        "ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
        "ec2messages:GetEndpoint",        "ec2messages:GetMessages",   "ec2messages:SendReply"};
    allow_list(d, NULL, ssm, sizeof ssm / sizeof *ssm, "*");
    allow_list(d, NULL, msg, 4, "*");
    allow_list(d, NULL, ec2m, 6, "*");
    break;
  }
  case MP_BILLING: {
    static const char *const bl[] = {"aws-portal:*Billing",
                                     "aws-portal:*PaymentMethods",
                                     "aws-portal:*Usage",
                                     "budgets:ModifyBudget",
                                     "budgets:ViewBudget",
                                     "ce:*",
                                     "cur:*",
                                     "pricing:*",
                                     "purchase-orders:*",
                                     "tax:*"};
    allow_list(d, NULL, bl, sizeof bl / sizeof *bl, "*");
    break;
  }
  case MP_SLR_ECR_REPL:
    s = pol_stmt(d, NULL, false);
    gen_add(s, "Action",
            gen_strs("ecr:CreateRepository", "ecr:ReplicateImage", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    break;
  default: {
    static const char *const slr[] = {"ec2:Describe*",
                                      "ec2:CreateNetworkInterface",
                                      "ec2:DeleteNetworkInterface",
                                      "cloudwatch:PutMetricData",
                                      "elasticloadbalancing:Describe*",
                                      "logs:CreateLogStream"};
    allow_list(d, NULL, slr, 6, "*");
    break;
  }
  }
  return d;
}

/* ---- the broad profile ------------------------------------------------------
 * Shapes of an enterprise account where most principals can write almost
 * everywhere: ecr:* on *, NotAction allows, and Deny carve-outs on the
 * prod-* and platform/ repositories (identity Deny, NotResource
 * boundaries). Few variants each, so many principals share a document. */
static char *prod_arn(const pol_ctx *c, bool any_account) {
  return gen_xasprintf("arn:aws:ecr:*:%s:repository/" POL_PROD_PREFIX "*",
                       any_account ? "*" : c->account);
}

static char *platform_arn(const pol_ctx *c, bool any_account) {
  return gen_xasprintf("arn:aws:ecr:*:%s:repository/" POL_PLATFORM_PREFIX "*",
                       any_account ? "*" : c->account);
}

static const char *const PROD_WRITES[] = {"ecr:PutImage",
                                          "ecr:InitiateLayerUpload",
                                          "ecr:UploadLayerPart",
                                          "ecr:CompleteLayerUpload",
                                          "ecr:BatchDeleteImage",
                                          "ecr:DeleteRepository",
                                          "ecr:SetRepositoryPolicy",
                                          "ecr:DeleteRepositoryPolicy",
                                          "ecr:PutLifecyclePolicy",
                                          "ecr:DeleteLifecyclePolicy",
                                          "ecr:TagResource",
                                          "ecr:UntagResource"};
#define N_PROD_WRITES (sizeof PROD_WRITES / sizeof *PROD_WRITES)

static cJSON *strs_of(const char *const *v, size_t n) {
  cJSON *a = gen_arr();
  for (size_t i = 0; i < n; i++) gen_push(a, gen_str(v[i]));
  return a;
}

cJSON *pol_ecr_star_doc(gen_rng *r) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s;
  switch (gen_rng_below(r, 3)) {
  case 0:
    s = pol_stmt(d, "EcrFullAccess", false);
    gen_add(s, "Action", gen_str("ecr:*"));
    gen_add(s, "Resource", gen_str("*"));
    break;
  case 1:
    s = pol_stmt(d, NULL, false);
    gen_add(s, "Action", gen_strs("ecr:*", "ecr-public:*", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    break;
  default:
    s = pol_stmt(d, "AllRepositories", false);
    gen_add(s, "Action", gen_str("ecr:*"));
    gen_add(s, "Resource", gen_str("arn:aws:ecr:*:*:repository/*"));
    s = pol_stmt(d, "Login", false);
    gen_add(s, "Action", gen_str("ecr:GetAuthorizationToken"));
    gen_add(s, "Resource", gen_str("*"));
    break;
  }
  return d;
}

cJSON *pol_notaction_doc(gen_rng *r) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, "EverythingElse", false);
  switch (gen_rng_below(r, 4)) {
  case 0:
    gen_add(s, "NotAction", gen_strs("iam:*", "organizations:*", "account:*", (const char *)NULL));
    break;
  case 1:
    gen_add(s, "NotAction",
            gen_strs("iam:*", "organizations:*", "kms:*", "sts:AssumeRole", (const char *)NULL));
    break;
  case 2: gen_add(s, "NotAction", gen_str("iam:*")); break;
  default:
    /* "everything but the destructive registry calls" */
    gen_add(s, "NotAction",
            gen_strs("ecr:DeleteRepository", "ecr:DeleteRegistryPolicy", "ecr:PutRegistryPolicy",
                     "organizations:*", (const char *)NULL));
    break;
  }
  gen_add(s, "Resource", gen_str("*"));
  s = pol_stmt(d, "ReadIam", false);
  gen_add(s, "Action", gen_strs("iam:Get*", "iam:List*", (const char *)NULL));
  gen_add(s, "Resource", gen_str("*"));
  return d;
}

cJSON *pol_prod_deny_doc(const pol_ctx *c, gen_rng *r) {
  cJSON *d = pol_doc("2012-10-17");
  char *prod = prod_arn(c, gen_rng_ppm(r, 500000)), *plat = platform_arn(c, true);
  cJSON *s;
  switch (gen_rng_below(r, 4)) {
  case 0:
    s = pol_stmt(d, "NoProdWrites", true);
    gen_add(s, "Action", strs_of(PROD_WRITES, 6));
    gen_add(s, "Resource", gen_str(prod));
    break;
  case 1: { /* read-only on prod and platform: Deny NotAction */
    s = pol_stmt(d, "ReadOnlyOnProdAndPlatform", true);
    gen_add(s, "NotAction",
            gen_strs("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                     "ecr:BatchCheckLayerAvailability", "ecr:DescribeImages", "ecr:ListImages",
                     "ecr:DescribeRepositories", (const char *)NULL));
    gen_add(s, "Resource", two(gen_str(prod), gen_str(plat)));
    break;
  }
  case 2:
    s = pol_stmt(d, "NoPlatform", true);
    gen_add(s, "Action", gen_str("ecr:*"));
    gen_add(s, "Resource", gen_str(plat));
    s = pol_stmt(d, "NoProdWrites", true);
    gen_add(s, "Action", strs_of(PROD_WRITES, N_PROD_WRITES));
    gen_add(s, "Resource", gen_str(prod));
    break;
  default:
    /* Globs; without MFA only (the Deny is conditional). */
    s = pol_stmt(d, "NoProdChangesWithoutMfa", true);
    gen_add(s, "Action",
            gen_strs("ecr:Put*", "ecr:Delete*", "ecr:BatchDelete*", "ecr:Set*",
                     "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                     (const char *)NULL));
    gen_add(s, "Resource", gen_str(prod));
    gen_add(s, "Condition", cond1("BoolIfExists", "aws:MultiFactorAuthPresent", gen_str("false")));
    break;
  }
  free(prod);
  free(plat);
  return d;
}

cJSON *pol_prod_boundary_doc(const pol_ctx *c, gen_rng *r) {
  cJSON *d = pol_doc("2012-10-17");
  char *prod = prod_arn(c, false), *plat = platform_arn(c, false);
  cJSON *s;
  switch (gen_rng_below(r, 3)) {
  case 0:
    s = pol_stmt(d, "EverythingButProd", false);
    gen_add(s, "Action", gen_str("*"));
    gen_add(s, "NotResource", gen_str(prod));
    s = pol_stmt(d, "PullProd", false);
    gen_add(s, "Action", acts(r, PULL, 3));
    gen_add(s, "Resource", gen_str(prod));
    break;
  case 1:
    s = pol_stmt(d, "EverythingButIamProdPlatform", false);
    gen_add(s, "NotAction", gen_strs("iam:*", "organizations:*", (const char *)NULL));
    gen_add(s, "NotResource", two(gen_str(prod), gen_str(plat)));
    s = pol_stmt(d, "PullProdPlatform", false);
    gen_add(s, "Action", acts(r, PULL, 3));
    gen_add(s, "Resource", two(gen_str(prod), gen_str(plat)));
    s = pol_stmt(d, "ReadIam", false);
    gen_add(s, "Action", gen_strs("iam:Get*", "iam:List*", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    break;
  default:
    s = pol_stmt(d, "EverythingButProd", false);
    gen_add(s, "Action", gen_str("*"));
    gen_add(s, "NotResource",
            two(gen_str(prod), gen_strf("arn:aws:iam::%s:role/admin-*", c->account)));
    s = pol_stmt(d, "KeepBoundary", true);
    gen_add(s, "Action",
            gen_strs("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary",
                     (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    break;
  }
  free(prod);
  free(plat);
  return d;
}

cJSON *pol_prod_guard_doc(void) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, "NoProdWrites", true);
  gen_add(s, "Action", strs_of(PROD_WRITES, N_PROD_WRITES));
  gen_add(s, "Resource", gen_str("arn:aws:ecr:*:*:repository/" POL_PROD_PREFIX "*"));
  return d;
}

cJSON *pol_contractor_deny_doc(void) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, "NoProdNoPlatform", true);
  gen_add(s, "Action", gen_str("ecr:*"));
  gen_add(s, "Resource",
          two(gen_str("arn:aws:ecr:*:*:repository/" POL_PROD_PREFIX "*"),
              gen_str("arn:aws:ecr:*:*:repository/" POL_PLATFORM_PREFIX "*")));
  return d;
}

cJSON *pol_base_pull_doc(const pol_ctx *c) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, "EcrLogin", false);
  gen_add(s, "Action", gen_str("ecr:GetAuthorizationToken"));
  gen_add(s, "Resource", gen_str("*"));
  s = pol_stmt(d, "PullBaseImages", false);
  gen_add(s, "Action", strs_of(PULL, 3));
  gen_add(s, "Resource",
          two(gen_strf("arn:aws:ecr:*:%s:repository/base/*", c->account),
              gen_strf("arn:aws:ecr:*:%s:repository/mirror/*", c->account)));
  return d;
}
