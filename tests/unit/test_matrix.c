/* The access matrix through ecr_evidence_load + ecr_matrix_eval: the 13
 * "Evaluator" points of issue 2 (complementing tests/golden/), explain(),
 * covers_future(), interned rows, and the TSV contract (header first, then
 * bytewise order). Every bundle is built in a temporary directory. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/evaluate.h"
#include "ecraudit/evidence.h"
#include "ecraudit/policy.h"
#include "evaluate/matrix_internal.h"
#include "util/util.h"

#include "bundle.h"

/* The bundles below are quote-free JSON built from string macros, laid out by
 * hand: clang-format cannot break them readably. */
/* clang-format off */

/* ---- evaluation fixture ---------------------------------------------------------- */
typedef struct fx {
  char *dir;
  ecr_evidence *ev;
  ecr_matrix *m;
} fx;

static fx eval_dir(char *dir) {
  fx f = {dir, load_ok(dir), NULL};
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_matrix_eval(f.ev, &f.m, &err), ECR_OK);
  return f;
}

static void fx_free(fx *f) {
  ecr_matrix_free(f->m);
  ecr_evidence_free(f->ev);
  ecr_test_rmrf(f->dir);
  free(f->dir);
}

static long pidx(const fx *f, const char *name) {
  for (size_t i = 0; i < ecr_matrix_principal_count(f->m); i++)
    if (strcmp(ecr_matrix_principal_at(f->m, i)->name, name) == 0) return (long)i;
  return -1;
}

static size_t P(const fx *f, const char *name) {
  long i = pidx(f, name);
  if (i < 0) fail_msg("no matrix principal %s", name);
  return (size_t)i;
}

static size_t R(const fx *f, const char *arn) {
  if (strcmp(arn, "*") == 0) return ECR_MATRIX_REGISTRY;
  for (size_t i = 0; i < f->ev->n_repos; i++)
    if (strcmp(f->ev->repos[i].arn, arn) == 0) return i;
  fail_msg("no repository %s", arn);
  return 0;
}

/* Decision of principal on repository ARN (or "*") for one action. */
static ecr_decision dec(const fx *f, const char *principal, const char *repo, const char *action) {
  ecr_actset y, c;
  ecr_matrix_get(f->m, P(f, principal), R(f, repo), &y, &c);
  ecr_actset b = abit(action);
  assert_int_equal(y & c, 0); /* allow and conditional are disjoint */
  return (y & b) ? ECR_DECISION_ALLOW : (c & b) ? ECR_DECISION_CONDITIONAL : ECR_DECISION_DENY;
}

#define EXPECT(f, p, r, a, d)                                                                \
  do {                                                                                       \
    ecr_decision got_ = dec(f, p, r, a);                                                     \
    if (got_ != (d))                                                                         \
      fail_msg("%s on %s, %s: %s, want %s", p, r, a, ecr_decision_name(got_),                \
               ecr_decision_name(d));                                                        \
  } while (0)
#define ALLOWED ECR_DECISION_ALLOW
#define COND ECR_DECISION_CONDITIONAL
#define DENIED ECR_DECISION_DENY

/* Whole matrix TSV as a string. */
static char *tsv(const fx *f) {
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_matrix_write_tsv(f->m, fp, &err), ECR_OK);
  fclose(fp);
  return buf;
}

static bool has_line(const char *t, const char *line) {
  size_t n = strlen(line);
  for (const char *p = t; (p = strstr(p, line)); p++)
    if ((p == t || p[-1] == '\n') && p[n] == '\n') return true;
  return false;
}

static const ecr_via *find_via(const ecr_via *v, size_t n, const char *policy, const char *stmt) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(v[i].policy, policy) == 0 && strcmp(v[i].statement, stmt) == 0) return &v[i];
  return NULL;
}

static void vias_free(ecr_via *v, size_t n) {
  for (size_t i = 0; i < n; i++) ecr_via_cleanup(&v[i]);
  free(v);
}

#define MP(name, stmts)                                                                        \
  "{'PolicyName':'" name "','Arn':'arn:aws:iam::" ACCT ":policy/" name "','DefaultVersionId':'v1',"  \
  "'PolicyVersionList':[{'VersionId':'v1','IsDefaultVersion':true,'Document':" DOCQ(stmts) "}]}"
#define ATTACH(name) "{'PolicyName':'" name "','PolicyArn':'arn:aws:iam::" ACCT ":policy/" name "'}"
#define BOUNDARY(name)                                                                         \
  ",'PermissionsBoundary':{'PermissionsBoundaryType':'Policy','PermissionsBoundaryArn':'arn:aws:iam::" ACCT \
  ":policy/" name "'}"
#define ECRALL ALLOW("'ecr:*'", "'*'")

/* ---- 1. explicit Deny across layers and policies ---------------------------------- */
static void deny_across_layers(void **state) {
  (void)state;
  char *dir = bundle_new("mx-deny");
  bundle_iam(dir,
             USER("id", ",'UserPolicyList':[" INLINE("a", ECRALL) "," INLINE("d", DENY("'ecr:PutImage'", "'*'")) "]") ","
             USER("mgd", ",'UserPolicyList':[" INLINE("a", ECRALL) "],'AttachedManagedPolicies':[" ATTACH("NoPush") "]") ","
             USER("grp", ",'UserPolicyList':[" INLINE("a", ECRALL) "],'GroupList':['nopush']") ","
             USER("bnd", ",'UserPolicyList':[" INLINE("a", ECRALL) "]" BOUNDARY("BoundNoPush")) ","
             USER("res", ",'UserPolicyList':[" INLINE("a", ECRALL) "]") ","
             USER("acct", ",'UserPolicyList':[" INLINE("a", ECRALL) "]"),
             "{'GroupName':'nopush','GroupPolicyList':[" INLINE("g", DENY("'ecr:PutImage'", "'*'")) "]}",
             NULL,
             MP("NoPush", DENY("'ecr:PutImage'", "'*'")) ","
             MP("BoundNoPush", ECRALL ",{'Effect':'Deny','Action':'ecr:PutImage','Resource':'*'}"));
  bundle_repos(dir, "us-east-1", "app,other");
  bundle_repos(dir, "eu-west-1", "app");
  const char *pols[] = {
      "app", DOCQ("{'Effect':'Deny','Principal':{'AWS':'" USER_ARN("res") "'},'Action':'ecr:PutImage'},"
                  "{'Effect':'Deny','Principal':{'AWS':'" ACCT "'},'Action':'ecr:DeleteRepository'},"
                  "{'Sid':'PublicPull','Effect':'Allow','Principal':'*','Action':['ecr:BatchGetImage','ecr:PutImage']}"),
      NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  const char *none[] = {NULL};
  bundle_repo_policies(dir, "eu-west-1", none);
  bundle_registry_policy(dir, "eu-west-1",
                         DOCQ("{'Effect':'Deny','Principal':'*','Action':'ecr:BatchDeleteImage',"
                              "'Resource':'arn:aws:ecr:eu-west-1:" ACCT ":repository/*'}"));
  writeq(dir, "organizations/scps.json",
         "[{'target':'r-1','policies':[{'Id':'p-full','Content':" DOCQ("{'Effect':'Allow','Action':'*','Resource':'*'}")
         "},{'Id':'p-deny','Content':" DOCQ(DENY("'ecr:PutLifecyclePolicy'", "'*'")) "}]}]");
  fx f = eval_dir(dir);
  const char *users[] = {USER_ARN("id"), USER_ARN("mgd"), USER_ARN("grp"), USER_ARN("bnd")};
  for (size_t i = 0; i < 4; i++) {
    EXPECT(&f, users[i], USE1("app"), "ecr:PutImage", DENIED);
    EXPECT(&f, users[i], USE1("other"), "ecr:PutImage", DENIED);
    EXPECT(&f, users[i], USE1("other"), "ecr:BatchDeleteImage", ALLOWED);
  }
  /* repository Deny naming the user: only on that repository */
  EXPECT(&f, USER_ARN("res"), USE1("app"), "ecr:PutImage", DENIED);
  EXPECT(&f, USER_ARN("res"), USE1("other"), "ecr:PutImage", ALLOWED);
  /* repository Deny naming the account (bare id): every principal of it */
  EXPECT(&f, USER_ARN("acct"), USE1("app"), "ecr:DeleteRepository", DENIED);
  EXPECT(&f, USER_ARN("acct"), USE1("other"), "ecr:DeleteRepository", ALLOWED);
  /* ...but not the public row */
  EXPECT(&f, "*", USE1("app"), "ecr:BatchGetImage", ALLOWED);
  /* a resource-policy grant does not beat an identity Deny */
  EXPECT(&f, USER_ARN("id"), USE1("app"), "ecr:PutImage", DENIED);
  EXPECT(&f, USER_ARN("acct"), USE1("app"), "ecr:PutImage", ALLOWED);
  /* registry Deny: every repository of its region, nothing elsewhere */
  EXPECT(&f, USER_ARN("acct"), REPO_ARN("eu-west-1", "app"), "ecr:BatchDeleteImage", DENIED);
  EXPECT(&f, USER_ARN("acct"), USE1("app"), "ecr:BatchDeleteImage", ALLOWED);
  /* SCP Deny (a second policy of the level) */
  EXPECT(&f, USER_ARN("acct"), USE1("other"), "ecr:PutLifecyclePolicy", DENIED);
  /* the SCP does not limit the public grant of the repository policy */
  EXPECT(&f, "*", USE1("app"), "ecr:PutImage", ALLOWED);
  fx_free(&f);
}

/* ---- 2, 3, 5: action and resource globs, single values and arrays ------------------------- */
static void globs_and_forms(void **state) {
  (void)state;
  char *dir = bundle_new("mx-globs");
  bundle_iam(dir,
             USER("acts", ",'UserPolicyList':[" INLINE("a", "{'Effect':'Allow','Action':['ECR:put*','ecr:?atchGetImage',"
                          "'ecr-public:*'],'Resource':'*'}") "]") ","
             USER("pub", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr-public:*'", "'*'")) "]") ","
             USER("res", ",'UserPolicyList':[{'PolicyName':'r','PolicyDocument':{'Version':'2012-10-17',"
                         "'Statement':{'Effect':'Allow','Action':'ecr:BatchGetImage','Resource':["
                         "'arn:aws:ecr:us-east-1:" ACCT ":repository/team/*',"
                         "'arn:aws:ecr:*:" ACCT ":repository/app',"
                         "'arn:aws:ecr:us-east-1:" ACCT ":repository/Upper',"
                         "'arn:aws:ecr:us-east-1:444455556666:repository/*',"
                         "'arn:aws-cn:ecr:us-east-1:" ACCT ":repository/*',"
                         "'arn:aws:ecr:us-east-1:" ACCT ":repository/x?z']}}}]"),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app,team/api,team/a/b,teams,upper,xyz,xz");
  bundle_repos(dir, "eu-west-1", "app,team/api");
  fx f = eval_dir(dir);
  EXPECT(&f, USER_ARN("acts"), USE1("app"), "ecr:PutImage", ALLOWED);
  EXPECT(&f, USER_ARN("acts"), USE1("app"), "ecr:PutLifecyclePolicy", ALLOWED);
  EXPECT(&f, USER_ARN("acts"), USE1("app"), "ecr:PutImageTagMutability", ALLOWED);
  EXPECT(&f, USER_ARN("acts"), "*", "ecr:PutRegistryPolicy", ALLOWED);
  EXPECT(&f, USER_ARN("acts"), USE1("app"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, USER_ARN("acts"), USE1("app"), "ecr:BatchDeleteImage", DENIED);
  EXPECT(&f, USER_ARN("acts"), USE1("app"), "ecr:InitiateLayerUpload", DENIED);
  /* ecr-public:* grants no ecr: action */
  for (size_t a = 0; a < ecr_catalog_count(); a++) {
    EXPECT(&f, USER_ARN("pub"), USE1("app"), ecr_catalog_action(a)->name, DENIED);
    EXPECT(&f, USER_ARN("pub"), "*", ecr_catalog_action(a)->name, DENIED);
  }
  /* resources: case-sensitive, '*' spans '/' and ':', '?' one character */
  EXPECT(&f, USER_ARN("res"), USE1("team/api"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, USER_ARN("res"), USE1("team/a/b"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, USER_ARN("res"), USE1("teams"), "ecr:BatchGetImage", DENIED);
  EXPECT(&f, USER_ARN("res"), REPO_ARN("eu-west-1", "team/api"), "ecr:BatchGetImage", DENIED);
  EXPECT(&f, USER_ARN("res"), USE1("app"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, USER_ARN("res"), REPO_ARN("eu-west-1", "app"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, USER_ARN("res"), USE1("upper"), "ecr:BatchGetImage", DENIED);
  EXPECT(&f, USER_ARN("res"), USE1("xyz"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, USER_ARN("res"), USE1("xz"), "ecr:BatchGetImage", DENIED);
  EXPECT(&f, USER_ARN("res"), USE1("app"), "ecr:PutImage", DENIED);
  fx_free(&f);
}

/* ---- 4. NotAction, NotResource, NotPrincipal ---------------------------------------------- */
static void not_elements(void **state) {
  (void)state;
  char *dir = bundle_new("mx-not");
  bundle_iam(dir,
             USER("na", ",'UserPolicyList':[" INLINE("a", "{'Effect':'Allow','NotAction':['ecr:PutImage','ecr:Delete*'],"
                        "'Resource':'*'}") "]") ","
             USER("nastar", ",'UserPolicyList':[" INLINE("a", "{'Effect':'Allow','NotAction':'*','Resource':'*'}") "]") ","
             USER("nr", ",'UserPolicyList':[" INLINE("a", "{'Effect':'Allow','Action':'ecr:PutImage',"
                        "'NotResource':'arn:aws:ecr:us-east-1:" ACCT ":repository/prod/*'}") "]") ","
             USER("admin", ",'UserPolicyList':[" INLINE("a", ECRALL) "]") ","
             USER("bounded", ",'UserPolicyList':[" INLINE("a", ECRALL) "]" BOUNDARY("B")) ","
             USER("other", ",'UserPolicyList':[" INLINE("a", ECRALL) "]"),
             NULL, NULL, MP("B", ECRALL));
  bundle_repos(dir, "us-east-1", "app,prod/api");
  const char *pols[] = {
      "prod/api", DOCQ("{'Sid':'OnlyAdmin','Effect':'Deny','NotPrincipal':{'AWS':['" USER_ARN("admin") "',"
                       "'arn:aws:iam::" ACCT ":root','" USER_ARN("bounded") "']},'Action':'ecr:*'}"),
      NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  fx f = eval_dir(dir);
  EXPECT(&f, USER_ARN("na"), USE1("app"), "ecr:PutImage", DENIED);
  EXPECT(&f, USER_ARN("na"), USE1("app"), "ecr:DeleteRepository", DENIED);
  EXPECT(&f, USER_ARN("na"), USE1("app"), "ecr:BatchDeleteImage", ALLOWED);
  EXPECT(&f, USER_ARN("na"), USE1("app"), "ecr:SetRepositoryPolicy", ALLOWED);
  EXPECT(&f, USER_ARN("na"), "*", "ecr:GetAuthorizationToken", ALLOWED);
  EXPECT(&f, USER_ARN("na"), "*", "ecr:DeleteRegistryPolicy", DENIED);
  /* NotAction "*" grants nothing: the user has no line at all */
  char *t = tsv(&f);
  assert_null(strstr(t, USER_ARN("nastar") "\t"));
  assert_null(strstr(t, USER_ARN("other") "\t" USE1("prod/api")));
  /* NotResource: everything but prod/..., registry-level actions not in Action */
  EXPECT(&f, USER_ARN("nr"), USE1("app"), "ecr:PutImage", ALLOWED);
  EXPECT(&f, USER_ARN("nr"), USE1("prod/api"), "ecr:PutImage", DENIED);
  /* NotPrincipal Deny: user and account listed -> exempt; others denied;
     a principal with a permissions boundary is always denied (AWS docs,
     "Permissions boundaries for IAM entities") */
  EXPECT(&f, USER_ARN("admin"), USE1("prod/api"), "ecr:PutImage", ALLOWED);
  EXPECT(&f, USER_ARN("other"), USE1("prod/api"), "ecr:PutImage", DENIED);
  EXPECT(&f, USER_ARN("other"), USE1("app"), "ecr:PutImage", ALLOWED);
  EXPECT(&f, USER_ARN("bounded"), USE1("prod/api"), "ecr:PutImage", DENIED);
  EXPECT(&f, USER_ARN("bounded"), USE1("app"), "ecr:PutImage", ALLOWED);
  free(t);
  fx_free(&f);
}

/* ---- 6. groups and policy versions ---------------------------------------------------------- */
static void groups_inherited(void **state) {
  (void)state;
  char *dir = bundle_new("mx-groups");
  bundle_iam(dir, USER("dev", ",'GroupList':['devs','readers']") "," USER("loner", ""),
             "{'GroupName':'devs','GroupPolicyList':[" INLINE("push", ALLOW("'ecr:PutImage'", "'*'")) "],"
             "'AttachedManagedPolicies':[" ATTACH("Versions") "]},"
             "{'GroupName':'readers','AttachedManagedPolicies':[" ATTACH("Read") "]}",
             NULL,
             "{'PolicyName':'Versions','Arn':'arn:aws:iam::" ACCT ":policy/Versions','DefaultVersionId':'v2',"
             "'PolicyVersionList':[{'VersionId':'v1','IsDefaultVersion':false,'Document':" DOCQ(ECRALL) "},"
             "{'VersionId':'v2','IsDefaultVersion':true,'Document':" DOCQ(ALLOW("'ecr:TagResource'", "'*'")) "}]},"
             MP("Read", ALLOW("'ecr:BatchGetImage'", "'*'")));
  bundle_repos(dir, "us-east-1", "app");
  fx f = eval_dir(dir);
  EXPECT(&f, USER_ARN("dev"), USE1("app"), "ecr:PutImage", ALLOWED);      /* group inline */
  EXPECT(&f, USER_ARN("dev"), USE1("app"), "ecr:TagResource", ALLOWED);   /* group managed, v2 */
  EXPECT(&f, USER_ARN("dev"), USE1("app"), "ecr:BatchGetImage", ALLOWED); /* second group */
  EXPECT(&f, USER_ARN("dev"), USE1("app"), "ecr:DeleteRepository", DENIED); /* only in v1 */
  EXPECT(&f, USER_ARN("loner"), USE1("app"), "ecr:PutImage", DENIED);
  fx_free(&f);
}

/* ---- 7. boundaries; user-ARN vs role-ARN repository grants; "*" for a user vs a role -------- */
static void boundaries(void **state) {
  (void)state;
  char *dir = bundle_new("mx-boundary");
  bundle_iam(dir,
             USER("u", ",'UserPolicyList':[" INLINE("a", ALLOW("['ecr:PutImage','ecr:TagResource']", "'*'")) "]"
                       BOUNDARY("PullOnly")) ","
             USER("plain", ""),
             NULL,
             ROLE("r", ",'RolePolicyList':[" INLINE("a", ALLOW("['ecr:PutImage','ecr:TagResource']", "'*'")) "]"
                       BOUNDARY("PullOnly")) ","
             ROLE("free", ""),
             MP("PullOnly", ALLOW("['ecr:BatchGetImage','ecr:PutImage','ecr:GetAuthorizationToken']", "'*'")));
  bundle_repos(dir, "us-east-1", "named,star");
  const char *pols[] = {
      "named", DOCQ("{'Sid':'Direct','Effect':'Allow','Principal':{'AWS':['" USER_ARN("u") "','" ROLE_ARN("r") "']},"
                    "'Action':['ecr:DeleteRepository','ecr:BatchGetImage']}"),
      "star", DOCQ("{'Sid':'Everyone','Effect':'Allow','Principal':{'AWS':'*'},'Action':'ecr:DeleteRepository'}"),
      NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  fx f = eval_dir(dir);
  /* identity grants: intersection with the boundary */
  EXPECT(&f, USER_ARN("u"), USE1("named"), "ecr:PutImage", ALLOWED);
  EXPECT(&f, USER_ARN("u"), USE1("named"), "ecr:TagResource", DENIED);
  EXPECT(&f, ROLE_ARN("r"), USE1("named"), "ecr:TagResource", DENIED);
  /* the boundary grants nothing itself */
  EXPECT(&f, USER_ARN("u"), "*", "ecr:GetAuthorizationToken", DENIED);
  EXPECT(&f, USER_ARN("u"), USE1("star"), "ecr:BatchGetImage", DENIED);
  /* repository policy naming the user ARN: not limited by the boundary */
  EXPECT(&f, USER_ARN("u"), USE1("named"), "ecr:DeleteRepository", ALLOWED);
  /* naming the role ARN: the role's boundary still limits it */
  EXPECT(&f, ROLE_ARN("r"), USE1("named"), "ecr:DeleteRepository", DENIED);
  EXPECT(&f, ROLE_ARN("r"), USE1("named"), "ecr:BatchGetImage", ALLOWED);
  /* "*": the user (boundary or not) and an unbounded role get it, the bounded role not */
  EXPECT(&f, USER_ARN("u"), USE1("star"), "ecr:DeleteRepository", ALLOWED);
  EXPECT(&f, USER_ARN("plain"), USE1("star"), "ecr:DeleteRepository", ALLOWED);
  EXPECT(&f, ROLE_ARN("free"), USE1("star"), "ecr:DeleteRepository", ALLOWED);
  EXPECT(&f, ROLE_ARN("r"), USE1("star"), "ecr:DeleteRepository", DENIED);
  EXPECT(&f, "*", USE1("star"), "ecr:DeleteRepository", ALLOWED);
  fx_free(&f);
}

/* A boundary that is missing from the bundle may allow anything: the
 * identity grant becomes conditional, never allow and never dropped. */
static void missing_boundary_is_conditional(void **state) {
  (void)state;
  char *dir = bundle_new("mx-nobound");
  bundle_iam(dir, USER("u", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:PutImage'", "'*'")) "]" BOUNDARY("Gone")),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app");
  fx f = eval_dir(dir);
  EXPECT(&f, USER_ARN("u"), USE1("app"), "ecr:PutImage", COND);
  fx_free(&f);
}

/* ---- 8. SCPs ------------------------------------------------------------------------------ */
static void scps(void **state) {
  (void)state;
  char *dir = bundle_new("mx-scp");
  bundle_iam(dir, USER("u", ",'UserPolicyList':[" INLINE("a", ECRALL) "]") ","
             USER("t", ",'UserPolicyList':[" INLINE("a", ECRALL) "],'Tags':[{'Key':'X','Value':'y'}]"), NULL,
             ROLE("r", ",'RolePolicyList':[" INLINE("a", ECRALL) "]") ","
             "{'RoleName':'AWSServiceRoleForECRReplication','RoleId':'AROASLR','Path':'/aws-service-role/replication.ecr.amazonaws.com/',"
             "'Arn':'arn:aws:iam::" ACCT ":role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication',"
             "'RolePolicyList':[" INLINE("a", ECRALL) "]}",
             NULL);
  bundle_repos(dir, "us-east-1", "app");
  const char *pols[] = {"app", DOCQ("{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::444455556666:root'},"
                                    "'Action':'ecr:PutImage'}"), NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  /* root allows ecr:*; the OU allows only pulls (two policies: one of them
     conditional); the account level allows everything */
  writeq(dir, "organizations/scps.json",
         "[{'target':'r-1','policies':[{'Id':'p-ecr','Content':" DOCQ(ECRALL) "}]},"
         "{'target':'ou-1','policies':[{'Id':'p-pull','Content':" DOCQ(ALLOW("['ecr:BatchGetImage','ecr:GetAuthorizationToken']", "'*'")) "},"
         "{'Id':'p-cond','Content':" DOCQ("{'Effect':'Allow','Action':'ecr:ListImages','Resource':'*',"
                                           "'Condition':{'StringEquals':{'aws:PrincipalTag/x':'y'}}}") "}]},"
         "{'target':'" ACCT "','policies':[{'Id':'p-full','Content':" DOCQ("{'Effect':'Allow','Action':'*','Resource':'*'}") "}]}]");
  fx f = eval_dir(dir);
  const char *slr = "arn:aws:iam::" ACCT ":role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication";
  EXPECT(&f, USER_ARN("u"), USE1("app"), "ecr:PutImage", DENIED); /* the OU level does not allow it */
  EXPECT(&f, ROLE_ARN("r"), USE1("app"), "ecr:PutImage", DENIED);
  EXPECT(&f, USER_ARN("u"), USE1("app"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, USER_ARN("u"), "*", "ecr:GetAuthorizationToken", ALLOWED);
  /* the OU's conditional Allow, decided from the user's tags (tag keys are
     case-insensitive): u has no tag x, t has X=y */
  EXPECT(&f, USER_ARN("u"), USE1("app"), "ecr:ListImages", DENIED);
  EXPECT(&f, USER_ARN("t"), USE1("app"), "ecr:ListImages", ALLOWED);
  EXPECT(&f, USER_ARN("u"), "*", "ecr:PutRegistryPolicy", DENIED);
  /* service-linked roles are exempt from SCPs */
  EXPECT(&f, slr, USE1("app"), "ecr:PutImage", ALLOWED);
  EXPECT(&f, slr, "*", "ecr:PutRegistryPolicy", ALLOWED);
  /* another account's principal is not limited by this organization's SCPs */
  EXPECT(&f, "arn:aws:iam::444455556666:root", USE1("app"), "ecr:PutImage", ALLOWED);
  fx_free(&f);
}

/* ---- 9. repository-policy principals -------------------------------------------------------- */
static void repository_principals(void **state) {
  (void)state;
  char *dir = bundle_new("mx-repo-pr");
  bundle_iam(dir, USER("alice", "") "," USER("idgrant", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:ListImages'", "'*'")) "]"),
             NULL, ROLE("ci", ""), NULL);
  bundle_repos(dir, "us-east-1", "app,web");
  const char *pols[] = {
      "app", DOCQ("{'Sid':'Direct','Effect':'Allow','Principal':{'AWS':['" USER_ARN("alice") "','" ROLE_ARN("ci") "']},"
                  "'Action':'ecr:PutImage'},"
                  "{'Sid':'Own','Effect':'Allow','Principal':{'AWS':['arn:aws:iam::" ACCT ":root','" ACCT "']},"
                  "'Action':['ecr:ListImages','ecr:DeleteRepository']},"
                  "{'Sid':'Other','Effect':'Allow','Principal':{'AWS':['444455556666','arn:aws:iam::777788889999:role/deploy']},"
                  "'Action':'ecr:BatchGetImage'},"
                  "{'Sid':'Svc','Effect':'Allow','Principal':{'Service':'codebuild.amazonaws.com'},'Action':'ecr:BatchGetImage'}"),
      "web", DOCQ("{'Sid':'Public','Effect':'Allow','Principal':'*','Action':'ecr:BatchGetImage'}"),
      NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  fx f = eval_dir(dir);
  /* principal ARN grants directly, without identity policies */
  EXPECT(&f, USER_ARN("alice"), USE1("app"), "ecr:PutImage", ALLOWED);
  EXPECT(&f, ROLE_ARN("ci"), USE1("app"), "ecr:PutImage", ALLOWED);
  /* the account root or bare id only delegates to IAM */
  EXPECT(&f, USER_ARN("alice"), USE1("app"), "ecr:DeleteRepository", DENIED);
  EXPECT(&f, USER_ARN("idgrant"), USE1("app"), "ecr:ListImages", ALLOWED);
  assert_int_equal(pidx(&f, "arn:aws:iam::" ACCT ":root"), -1);
  assert_int_equal(pidx(&f, ACCT), -1);
  /* other accounts (bare id normalized), external roles, services: own rows */
  EXPECT(&f, "arn:aws:iam::444455556666:root", USE1("app"), "ecr:BatchGetImage", ALLOWED);
  /* web's policy grants "*": that is everyone of the matrix, other accounts included */
  EXPECT(&f, "arn:aws:iam::444455556666:root", USE1("web"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, "arn:aws:iam::444455556666:root", USE1("web"), "ecr:ListImages", DENIED);
  assert_int_equal(ecr_matrix_principal_at(f.m, P(&f, "arn:aws:iam::444455556666:root"))->kind, ECR_PK_ACCOUNT);
  EXPECT(&f, "arn:aws:iam::777788889999:role/deploy", USE1("app"), "ecr:BatchGetImage", ALLOWED);
  assert_int_equal(ecr_matrix_principal_at(f.m, P(&f, "arn:aws:iam::777788889999:role/deploy"))->kind, ECR_PK_EXTERNAL);
  EXPECT(&f, "service:codebuild.amazonaws.com", USE1("app"), "ecr:BatchGetImage", ALLOWED);
  assert_int_equal(ecr_matrix_principal_at(f.m, P(&f, "service:codebuild.amazonaws.com"))->kind, ECR_PK_SERVICE);
  assert_int_equal(pidx(&f, "444455556666"), -1);
  /* "*" is public, and grants the account's own principals too */
  assert_int_equal(ecr_matrix_principal_at(f.m, P(&f, "*"))->kind, ECR_PK_PUBLIC);
  EXPECT(&f, "*", USE1("web"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, "*", USE1("app"), "ecr:BatchGetImage", DENIED);
  EXPECT(&f, USER_ARN("alice"), USE1("web"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, "service:codebuild.amazonaws.com", USE1("web"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, "arn:aws:iam::777788889999:role/deploy", USE1("web"), "ecr:BatchGetImage", ALLOWED);
  /* own principals: kinds and IAM indices */
  const ecr_matrix_principal *mp = ecr_matrix_principal_at(f.m, P(&f, ROLE_ARN("ci")));
  assert_int_equal(mp->kind, ECR_PK_ROLE);
  assert_string_equal(f.ev->principals[mp->iam_index].arn, ROLE_ARN("ci"));
  fx_free(&f);
}

/* A repository policy naming a session of the account's own role
 * (arn:aws:sts::<own>:assumed-role/<role>/<session>) names a principal of
 * this account: it is not "external", and the account's SCPs limit it like
 * the role itself. */
static void own_role_session_is_not_external(void **state) {
  (void)state;
  char *dir = bundle_new("mx-session");
  bundle_iam(dir, NULL, NULL, ROLE("ci", ""), NULL);
  bundle_repos(dir, "us-east-1", "app");
  const char *pols[] = {"app", DOCQ("{'Effect':'Allow','Principal':{'AWS':'arn:aws:sts::" ACCT ":assumed-role/ci/build-1'},"
                                    "'Action':'ecr:PutImage'}"), NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  writeq(dir, "organizations/scps.json",
         "[{'target':'r-1','policies':[{'Id':'p-full','Content':" DOCQ("{'Effect':'Allow','Action':'*','Resource':'*'}") "},"
         "{'Id':'p-noecr','Content':" DOCQ(DENY("'ecr:*'", "'*'")) "}]}]");
  fx f = eval_dir(dir);
  long s = pidx(&f, "arn:aws:sts::" ACCT ":assumed-role/ci/build-1");
  if (s >= 0) {
    const ecr_matrix_principal *mp = ecr_matrix_principal_at(f.m, (size_t)s);
    ecr_actset y, c;
    ecr_matrix_get(f.m, (size_t)s, R(&f, USE1("app")), &y, &c);
    if (mp->kind == ECR_PK_EXTERNAL || ((y | c) & abit("ecr:PutImage")))
      fail_msg("BUG (matrix.c collect_others/eval_principal): own role session reported as kind %s and %s "
               "ecr:PutImage despite an SCP denying ecr:*",
               ecr_principal_kind_name(mp->kind), (y | c) & abit("ecr:PutImage") ? "granted" : "denied");
  }
  fx_free(&f);
}

/* ---- 10, 11. registry policy by region; registry-level actions --------------------------------- */
static void registry_policy_and_level(void **state) {
  (void)state;
  char *dir = bundle_new("mx-registry");
  bundle_iam(dir,
             USER("scoped", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:*'", "'arn:aws:ecr:*:" ACCT ":repository/*'")) "]") ","
             USER("star", ",'UserPolicyList':[" INLINE("a", ALLOW("['ecr:GetAuthorizationToken','ecr:PutReplicationConfiguration']", "'*'")) "]") ","
             USER("arnstar", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:GetAuthorizationToken'", "'arn:aws:ecr:*'")) "]"),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app,web");
  bundle_repos(dir, "eu-west-1", "app");
  bundle_registry_policy(dir, "us-east-1",
                         DOCQ("{'Sid':'Repl','Effect':'Allow','Principal':{'AWS':'arn:aws:iam::444455556666:root'},"
                              "'Action':['ecr:ReplicateImage','ecr:CreateRepository','ecr:GetAuthorizationToken'],"
                              "'Resource':'arn:aws:ecr:us-east-1:" ACCT ":repository/*'}"));
  fx f = eval_dir(dir);
  const char *other = "arn:aws:iam::444455556666:root";
  EXPECT(&f, other, USE1("app"), "ecr:ReplicateImage", ALLOWED);
  EXPECT(&f, other, USE1("web"), "ecr:CreateRepository", ALLOWED);
  EXPECT(&f, other, REPO_ARN("eu-west-1", "app"), "ecr:ReplicateImage", DENIED);
  EXPECT(&f, other, "*", "ecr:GetAuthorizationToken", DENIED);
  /* registry-level actions need Resource "*" */
  EXPECT(&f, USER_ARN("scoped"), USE1("app"), "ecr:PutImage", ALLOWED);
  for (size_t a = 0; a < ecr_catalog_count(); a++)
    if (ecr_catalog_action(a)->registry_level)
      EXPECT(&f, USER_ARN("scoped"), "*", ecr_catalog_action(a)->name, DENIED);
  EXPECT(&f, USER_ARN("star"), "*", "ecr:GetAuthorizationToken", ALLOWED);
  EXPECT(&f, USER_ARN("star"), "*", "ecr:PutReplicationConfiguration", ALLOWED);
  EXPECT(&f, USER_ARN("arnstar"), "*", "ecr:GetAuthorizationToken", DENIED);
  /* registry-level actions never appear on repositories, repository-level never on "*" */
  char *t = tsv(&f);
  assert_true(has_line(t, USER_ARN("star") "\t*\tecr:GetAuthorizationToken\tallow"));
  assert_null(strstr(t, "\tarn:aws:ecr:us-east-1:" ACCT ":repository/app\tecr:GetAuthorizationToken\t"));
  assert_null(strstr(t, "\t*\tecr:PutImage\t"));
  free(t);
  fx_free(&f);
}

/* ---- 12. conditions ----------------------------------------------------------------------------- */
static void conditions_three_valued(void **state) {
  (void)state;
  char *dir = bundle_new("mx-cond");
  bundle_iam(dir,
             USER("c", ",'UserPolicyList':[" INLINE("a",
                 "{'Effect':'Allow','Action':'ecr:PutImage','Resource':'*','Condition':{'Bool':{'aws:MultiFactorAuthPresent':'true'}}},"
                 ALLOW("['ecr:BatchGetImage','ecr:ListImages','ecr:TagResource']", "'*'") ","
                 "{'Effect':'Deny','Action':'ecr:BatchGetImage','Resource':'*','Condition':{'NotIpAddress':{'aws:SourceIp':'10.0.0.0/8'}}},"
                 "{'Effect':'Allow','Action':'ecr:DeleteRepository','Resource':'*','Condition':{'StringEqualsSometimes':{'k':'v'}}},"
                 "{'Effect':'Deny','Action':'ecr:ListImages','Resource':'*','Condition':{'Bogus':{'k':'v'}}},"
                 "{'Effect':'Deny','Action':'ecr:TagResource','Resource':'*','Condition':{'ForAnyValue:StringLike':{'aws:TagKeys':'x*'}}}") "]"),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app,cond");
  const char *pols[] = {
      "cond", DOCQ("{'Effect':'Allow','Principal':'*','Action':'ecr:BatchGetImage','Condition':{'StringEquals':{'aws:PrincipalOrgID':'o-1'}}},"
                   "{'Effect':'Allow','Principal':'*','Action':'ecr:DescribeImages'},"
                   "{'Effect':'Deny','Principal':'*','Action':'ecr:DescribeImages','Condition':{'Null':{'aws:PrincipalOrgID':'true'}}}"),
      NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  fx f = eval_dir(dir);
  EXPECT(&f, USER_ARN("c"), USE1("app"), "ecr:PutImage", COND);          /* conditional Allow */
  EXPECT(&f, USER_ARN("c"), USE1("app"), "ecr:BatchGetImage", COND);     /* conditional Deny */
  EXPECT(&f, USER_ARN("c"), USE1("app"), "ecr:DeleteRepository", DENIED); /* unknown operator: no match */
  EXPECT(&f, USER_ARN("c"), USE1("app"), "ecr:ListImages", ALLOWED);     /* unknown operator in a Deny */
  EXPECT(&f, USER_ARN("c"), USE1("app"), "ecr:TagResource", COND);       /* ForAnyValue: known */
  EXPECT(&f, "*", USE1("cond"), "ecr:BatchGetImage", COND);              /* public but conditional */
  EXPECT(&f, "*", USE1("cond"), "ecr:DescribeImages", COND);             /* public, conditional Deny */
  char *t = tsv(&f);
  assert_true(has_line(t, "*\t" USE1("cond") "\tecr:BatchGetImage\tconditional"));
  assert_true(has_line(t, USER_ARN("c") "\t" USE1("app") "\tecr:ListImages\tallow"));
  free(t);
  fx_free(&f);
}

/* ---- 13. policy variables ------------------------------------------------------------------------- */
static void policy_variables(void **state) {
  (void)state;
  char *dir = bundle_new("mx-vars");
#define HOME ALLOW("'ecr:PutImage'", "'arn:aws:ecr:us-east-1:" ACCT ":repository/home/${aws:username}/*'")
  bundle_iam(dir,
             USER("alice", ",'GroupList':['people'],'Tags':[{'Key':'team','Value':'web'}]") ","
             USER("bob", ",'GroupList':['people']") ","
             USER("old", ",'UserPolicyList':[{'PolicyName':'o','PolicyDocument':{'Version':'2008-10-17','Statement':["
                         "{'Effect':'Allow','Action':'ecr:BatchGetImage','Resource':'arn:aws:ecr:us-east-1:" ACCT
                         ":repository/home/${aws:username}/*'}]}},"
                         "{'PolicyName':'nov','PolicyDocument':{'Statement':[{'Effect':'Allow','Action':'ecr:ListImages',"
                         "'Resource':'arn:aws:ecr:us-east-1:" ACCT ":repository/home/${aws:username}/*'}]}}]"),
             "{'GroupName':'people','GroupPolicyList':[" INLINE("home", HOME) ","
             INLINE("team", ALLOW("'ecr:TagResource'", "'arn:aws:ecr:us-east-1:" ACCT ":repository/${aws:PrincipalTag/team}/*'")) "]}",
             ROLE("alice", ",'RolePolicyList':[" INLINE("home", HOME) "]"), NULL);
  bundle_repos(dir, "us-east-1", "home/alice/app,home/bob/app,web/site,home/${aws:username}/x");
  fx f = eval_dir(dir);
  EXPECT(&f, USER_ARN("alice"), USE1("home/alice/app"), "ecr:PutImage", ALLOWED);
  EXPECT(&f, USER_ARN("alice"), USE1("home/bob/app"), "ecr:PutImage", DENIED);
  EXPECT(&f, USER_ARN("bob"), USE1("home/bob/app"), "ecr:PutImage", ALLOWED);
  EXPECT(&f, USER_ARN("bob"), USE1("home/alice/app"), "ecr:PutImage", DENIED);
  /* a role has no aws:username: its ${aws:username} resource matches nothing */
  EXPECT(&f, ROLE_ARN("alice"), USE1("home/alice/app"), "ecr:PutImage", DENIED);
  /* principal tags */
  EXPECT(&f, USER_ARN("alice"), USE1("web/site"), "ecr:TagResource", ALLOWED);
  EXPECT(&f, USER_ARN("bob"), USE1("web/site"), "ecr:TagResource", DENIED);
  /* 2008-10-17 and no Version: literal text */
  EXPECT(&f, USER_ARN("old"), USE1("home/${aws:username}/x"), "ecr:BatchGetImage", ALLOWED);
  EXPECT(&f, USER_ARN("old"), USE1("home/${aws:username}/x"), "ecr:ListImages", ALLOWED);
  EXPECT(&f, USER_ARN("old"), USE1("home/alice/app"), "ecr:BatchGetImage", DENIED);
  /* two users with the same policies but different names differ */
  assert_true(f.m->principals[P(&f, USER_ARN("alice"))].row != f.m->principals[P(&f, USER_ARN("bob"))].row);
  fx_free(&f);
}

/* ---- explain, covers_future, interning ------------------------------------------------------------- */
static void explain_and_future(void **state) {
  (void)state;
  char *dir = bundle_new("mx-explain");
  bundle_iam(dir,
             USER("a", ",'UserPolicyList':[" INLINE("ci-push", "{'Sid':'Push','Effect':'Allow','Action':['ecr:PutImage','ecr:InitiateLayerUpload'],"
                       "'Resource':'arn:aws:ecr:us-east-1:" ACCT ":repository/team/*'},"
                       "{'Effect':'Allow','Action':'ecr:BatchGetImage','Resource':'*'},"
                       "{'Sid':'MaybeNot','Effect':'Deny','Action':'ecr:PutImage','Resource':'*','Condition':{'Bool':{'aws:MultiFactorAuthPresent':'false'}}}") "]") ","
             USER("twin1", ",'AttachedManagedPolicies':[" ATTACH("Shared") "]") ","
             USER("twin2", ",'AttachedManagedPolicies':[" ATTACH("Shared") "]") ","
             USER("g", ",'GroupList':['devs']"),
             "{'GroupName':'devs','AttachedManagedPolicies':[" ATTACH("GroupOnly") "]}",
             NULL,
             MP("Shared", ALLOW("'ecr:ListImages'", "'arn:aws:ecr:*:" ACCT ":repository/*'")) ","
             MP("GroupOnly", "{'Sid':'G','Effect':'Allow','Action':'ecr:PutImage','Resource':'*'}"));
  bundle_repos(dir, "us-east-1", "team/api,other");
  bundle_repos(dir, "eu-west-1", "x");
  const char *pols[] = {"other", DOCQ("{'Sid':'RepoGrant','Effect':'Allow','Principal':{'AWS':'" USER_ARN("a") "'},"
                                      "'Action':'ecr:PutImage'}"), NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  fx f = eval_dir(dir);
  size_t a = P(&f, USER_ARN("a"));
  size_t repos[] = {R(&f, USE1("team/api"))};
  size_t n = 0;
  ecr_via *v = ecr_matrix_explain(f.m, a, repos, 1, abit("ecr:PutImage"), &n);
  const ecr_via *push = find_via(v, n, "ci-push", "Push");
  assert_non_null(push);
  assert_int_equal(push->source, ECR_SRC_IDENTITY);
  assert_false(push->deny);
  assert_non_null(push->json);
  assert_non_null(strstr(push->json, "ecr:InitiateLayerUpload"));
  const ecr_via *deny = find_via(v, n, "ci-push", "MaybeNot");
  assert_non_null(deny);
  assert_true(deny->deny);
  assert_true(deny->conditional);
  assert_false(v[0].deny); /* granting statements first */
  assert_true(v[n - 1].deny);
  assert_null(find_via(v, n, "ci-push", "1")); /* BatchGetImage statement is not about PutImage */
  assert_null(find_via(v, n, USE1("other"), "RepoGrant"));
  vias_free(v, n);
  /* a statement without Sid: its index; a repository-policy grant: the repository ARN */
  v = ecr_matrix_explain(f.m, a, repos, 1, abit("ecr:BatchGetImage"), &n);
  assert_int_equal(n, 1);
  assert_string_equal(v[0].policy, "ci-push");
  assert_string_equal(v[0].statement, "1");
  vias_free(v, n);
  size_t other[] = {R(&f, USE1("other"))};
  v = ecr_matrix_explain(f.m, a, other, 1, abit("ecr:PutImage"), &n);
  const ecr_via *rg = find_via(v, n, USE1("other"), "RepoGrant");
  assert_non_null(rg);
  assert_int_equal(rg->source, ECR_SRC_RESOURCE);
  vias_free(v, n);
  /* covers_future: a scoped Resource does not cover future repositories, a wildcard does */
  assert_false(ecr_matrix_covers_future(f.m, a, abit("ecr:PutImage")));
  assert_true(ecr_matrix_covers_future(f.m, a, abit("ecr:BatchGetImage")));
  assert_true(ecr_matrix_covers_future(f.m, P(&f, USER_ARN("twin1")), abit("ecr:ListImages")));
  assert_false(ecr_matrix_covers_future(f.m, P(&f, USER_ARN("twin1")), abit("ecr:ListImages") | abit("ecr:PutImage")));
  /* identical principals share one interned row and the same answers */
  size_t t1 = P(&f, USER_ARN("twin1")), t2 = P(&f, USER_ARN("twin2"));
  assert_ptr_equal(f.m->principals[t1].row, f.m->principals[t2].row);
  for (size_t r = 0; r < f.ev->n_repos; r++) {
    ecr_actset y1, c1, y2, c2;
    ecr_matrix_get(f.m, t1, r, &y1, &c1);
    ecr_matrix_get(f.m, t2, r, &y2, &c2);
    assert_int_equal(y1, y2);
    assert_int_equal(c1, c2);
    assert_int_equal(y1, abit("ecr:ListImages"));
  }
  assert_true(f.m->principals[t1].row != f.m->principals[a].row);
  fx_free(&f);
}

/* A managed policy attached to a group: explain must say so (source
 * "group", owner = the group), as DESIGN.md's via.source and the report's
 * remediation ("attached to group ...") expect. */
static void explain_group_managed_policy_source(void **state) {
  (void)state;
  char *dir = bundle_new("mx-explain-grp");
  bundle_iam(dir, USER("g", ",'GroupList':['devs']"),
             "{'GroupName':'devs','AttachedManagedPolicies':[" ATTACH("GroupOnly") "]}", NULL,
             MP("GroupOnly", "{'Sid':'G','Effect':'Allow','Action':'ecr:PutImage','Resource':'*'}"));
  bundle_repos(dir, "us-east-1", "app");
  fx f = eval_dir(dir);
  size_t repos[] = {0};
  size_t n = 0;
  ecr_via *v = ecr_matrix_explain(f.m, P(&f, USER_ARN("g")), repos, 1, abit("ecr:PutImage"), &n);
  const ecr_via *g = find_via(v, n, "arn:aws:iam::" ACCT ":policy/GroupOnly", "G");
  assert_non_null(g);
  if (g->source != ECR_SRC_GROUP || !g->owner || strcmp(g->owner, "devs") != 0)
    fail_msg("BUG (matrix.c compile_all/explain.c): group-attached managed policy reported with "
             "source \"%s\", owner %s; want \"group\", \"devs\"",
             ecr_source_name(g->source), g->owner ? g->owner : "(null)");
  vias_free(v, n);
  fx_free(&f);
}

/* A conditional Deny in a permissions boundary limits a grant: explain
 * must name it with source "boundary". */
static void explain_boundary_deny_source(void **state) {
  (void)state;
  char *dir = bundle_new("mx-explain-bnd");
  bundle_iam(dir, USER("u", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:PutImage'", "'*'")) "]" BOUNDARY("B")),
             NULL, NULL,
             MP("B", ECRALL ",{'Sid':'NoMfaNoPush','Effect':'Deny','Action':'ecr:PutImage','Resource':'*',"
                     "'Condition':{'BoolIfExists':{'aws:MultiFactorAuthPresent':'false'}}}"));
  bundle_repos(dir, "us-east-1", "app");
  fx f = eval_dir(dir);
  EXPECT(&f, USER_ARN("u"), USE1("app"), "ecr:PutImage", COND);
  size_t repos[] = {0};
  size_t n = 0;
  ecr_via *v = ecr_matrix_explain(f.m, P(&f, USER_ARN("u")), repos, 1, abit("ecr:PutImage"), &n);
  const ecr_via *d = find_via(v, n, "arn:aws:iam::" ACCT ":policy/B", "NoMfaNoPush");
  assert_non_null(d);
  assert_true(d->deny);
  if (d->source != ECR_SRC_BOUNDARY)
    fail_msg("BUG (matrix.c compile_all/explain.c): boundary Deny reported with source \"%s\", want \"boundary\"",
             ecr_source_name(d->source));
  vias_free(v, n);
  fx_free(&f);
}

/* ---- TSV contract ------------------------------------------------------------------------------------- */
static void tsv_order(void **state) {
  (void)state;
  char *dir = bundle_new("mx-tsv");
  /* users whose ARNs are prefixes of each other, upper case, digits */
  bundle_iam(dir,
             USER("dev", ",'UserPolicyList':[" INLINE("a", ALLOW("['ecr:PutImage','ecr:PutImageTagMutability','ecr:GetAuthorizationToken']", "'*'")) "]") ","
             USER("dev-ops", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:PutImage'", "'*'")) "]") ","
             USER("dev.x", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:PutImage'", "'*'")) "]") ","
             USER("Dev", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:PutImage'", "'*'")) "]") ","
             USER("dev0", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:PutImage'", "'*'")) "]"),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app,app-x,app/x,App,app.x");
  bundle_repos(dir, "eu-west-1", "app");
  const char *pols[] = {"app", DOCQ("{'Effect':'Allow','Principal':{'Service':'codebuild.amazonaws.com'},'Action':'ecr:BatchGetImage'},"
                                    "{'Effect':'Allow','Principal':'*','Action':'ecr:ListImages'},"
                                    "{'Effect':'Allow','Principal':{'AWS':'444455556666'},'Action':'ecr:BatchGetImage'}"), NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  fx f = eval_dir(dir);
  char *t = tsv(&f);
  assert_true(ecr_str_has_prefix(t, "principal\trepository\taction\tdecision\n"));
  /* every body line: 4 fields, known decision; strictly increasing bytewise */
  char *body = t + strlen("principal\trepository\taction\tdecision\n");
  char *prev = NULL;
  size_t lines = 0;
  for (char *line = body; *line;) {
    char *nl = strchr(line, '\n');
    assert_non_null(nl);
    *nl = '\0';
    int tabs = 0;
    for (char *c = line; *c; c++) tabs += *c == '\t';
    assert_int_equal(tabs, 3);
    assert_true(strstr(line, "\tallow") || strstr(line, "\tconditional"));
    if (prev && strcmp(prev, line) >= 0) fail_msg("not sorted bytewise:\n%s\n%s", prev, line);
    prev = line;
    lines++;
    line = nl + 1;
  }
  /* 5 users: dev 3 actions x 6 repos (2 repository-level) + token on "*", others 6 each;
     "*" 1; account and service 2 each (their own grant and the "*" ListImages) */
  assert_int_equal(lines, (2 * 6 + 1) + 4 * 6 + 5 + 5);
  free(t);
  /* determinism: a second evaluation prints the same bytes */
  fx_free(&f);
}

static void tsv_determinism_and_errors(void **state) {
  (void)state;
  char *dir = bundle_new("mx-det");
  bundle_iam(dir, USER("a", ",'UserPolicyList':[" INLINE("a", ECRALL) "]") "," USER("b", ",'UserPolicyList':[" INLINE("a", ECRALL) "]"),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "x,y");
  fx f1 = eval_dir(dir);
  char *dir2 = ecr_xstrdup(dir);
  fx f2 = {dir2, load_ok(dir2), NULL};
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_matrix_eval(f2.ev, &f2.m, &err), ECR_OK);
  char *t1 = tsv(&f1), *t2 = tsv(&f2);
  assert_string_equal(t1, t2);
  /* all 60 actions per user: 25 on "*" and 35 on each of 2 repositories */
  size_t lines = 0;
  for (char *c = t1; *c; c++) lines += *c == '\n';
  assert_int_equal(lines, 1 + 2 * (25 + 2 * 35));
  /* a write error is ECR_E_OUTPUT */
  FILE *full = fopen("/dev/full", "w");
  if (full) {
    assert_int_equal(ecr_matrix_write_tsv(f1.m, full, &err), ECR_E_OUTPUT);
    fclose(full);
  }
  free(t1);
  free(t2);
  ecr_matrix_free(f2.m);
  ecr_evidence_free(f2.ev);
  free(dir2);
  fx_free(&f1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(deny_across_layers),
      cmocka_unit_test(globs_and_forms),
      cmocka_unit_test(not_elements),
      cmocka_unit_test(groups_inherited),
      cmocka_unit_test(boundaries),
      cmocka_unit_test(missing_boundary_is_conditional),
      cmocka_unit_test(scps),
      cmocka_unit_test(repository_principals),
      cmocka_unit_test(own_role_session_is_not_external),
      cmocka_unit_test(registry_policy_and_level),
      cmocka_unit_test(conditions_three_valued),
      cmocka_unit_test(policy_variables),
      cmocka_unit_test(explain_and_future),
      cmocka_unit_test(explain_group_managed_policy_source),
      cmocka_unit_test(explain_boundary_deny_source),
      cmocka_unit_test(tsv_order),
      cmocka_unit_test(tsv_determinism_and_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
