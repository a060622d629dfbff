/* The report model (ecr_report_build) on small bundles: statuses,
 * severity, can-push, stable ids, ledger states, impact-note sources,
 * remediation, coverage. Ledgers through ecr_ledger_parse. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/evaluate.h"
#include "ecraudit/evidence.h"
#include "ecraudit/ledger.h"
#include "ecraudit/policy.h"
#include "util/util.h"

#include "bundle.h"

/* The bundles below are quote-free JSON built from string macros, laid out by
 * hand: clang-format cannot break them readably. */
/* clang-format off */

#define MP(name, stmts)                                                                        \
  "{'PolicyName':'" name "','Arn':'arn:aws:iam::" ACCT ":policy/" name "','DefaultVersionId':'v1',"  \
  "'PolicyVersionList':[{'VersionId':'v1','IsDefaultVersion':true,'Document':" DOCQ(stmts) "}]}"
#define PUSH5 "['ecr:BatchCheckLayerAvailability','ecr:InitiateLayerUpload','ecr:UploadLayerPart','ecr:CompleteLayerUpload','ecr:PutImage']"
#define TOKEN "{'Effect':'Allow','Action':'ecr:GetAuthorizationToken','Resource':'*'}"
#define TRUST(principal, extra)                                                                \
  ",'AssumeRolePolicyDocument':{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':" principal \
  ",'Action':'sts:AssumeRole'" extra "}]}"
#define AS_OF "2026-11-27"

typedef struct rfx {
  char *dir;
  ecr_evidence *ev;
  ecr_matrix *m;
  ecr_ledger *ledger;
  ecr_report *r;
} rfx;

static long days(const char *d) {
  long v = 0;
  if (!ecr_date_parse(d, &v)) fail_msg("bad date %s", d);
  return v;
}

/* Load, evaluate and build the report; ledger_json may be NULL. */
static rfx build(char *dir, const char *ledger_json) {
  rfx f = {dir, load_ok(dir), NULL, NULL, NULL};
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_matrix_eval(f.ev, &f.m, &err), ECR_OK);
  if (ledger_json) {
    char *lj = q(ledger_json);
    if (ecr_ledger_parse("ledger.json", lj, strlen(lj), days(AS_OF), &f.ledger, &err) != ECR_OK)
      fail_msg("ledger: %s", err.message);
    free(lj);
  }
  if (ecr_report_build(f.ev, f.m, f.ledger, AS_OF, &f.r, &err) != ECR_OK)
    fail_msg("report: %s", err.message);
  return f;
}

static void rfx_free(rfx *f, bool rm) {
  ecr_report_free(f->r);
  ecr_matrix_free(f->m);
  ecr_evidence_free(f->ev);
  ecr_ledger_free(f->ledger);
  if (rm) ecr_test_rmrf(f->dir);
  free(f->dir);
}

/* The finding of principal at level with decision (and status, or -1 for any). */
static const ecr_finding *ff(const ecr_report *r, const char *principal, ecr_access_level level,
                             ecr_decision d, int status) {
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    if (strcmp(f->principal, principal) == 0 && f->access_level == level && f->decision == d &&
        (status < 0 || (int)f->status == status))
      return f;
  }
  fail_msg("no %s %s %s finding (status %d) for %s", ecr_access_level_name(level), ecr_decision_name(d),
           "", status, principal);
  return NULL;
}

static bool covers_repo(const ecr_finding *f, const char *arn) {
  for (size_t i = 0; i < f->n_repositories; i++)
    if (strcmp(f->repositories[i], arn) == 0) return true;
  return false;
}

static void contains(const char *text, const char *needle, const char *what) {
  if (!text || !strstr(text, needle))
    fail_msg("%s lacks \"%s\":\n%s", what, needle, text ? text : "(null)");
}

static void lacks(const char *text, const char *needle, const char *what) {
  if (text && strstr(text, needle)) fail_msg("%s has \"%s\":\n%s", what, needle, text);
}

static const ecr_ledger_entry *entry(const ecr_report *r, const char *id) {
  for (size_t i = 0; i < r->n_ledger; i++)
    if (strcmp(r->ledger[i].id, id) == 0) return &r->ledger[i];
  fail_msg("no ledger entry %s in the report", id);
  return NULL;
}

/* The main sample: one bundle exercising most rules. */
static char *main_bundle(const char *tag, bool extra_user) {
  char *dir = bundle_new(tag);
  const char *users =
      USER("pusher", ",'UserPolicyList':[" INLINE("push-inline", "{'Sid':'PushApp','Effect':'Allow','Action':" PUSH5 ","
                     "'Resource':'" USE1("app") "'}," TOKEN) "]") ","
      USER("scoped", ",'UserPolicyList':[" INLINE("p", ALLOW(PUSH5, "'" USE1("app") "'")) "]") ","
      USER("wide", ",'UserPolicyList':[" INLINE("w", ALLOW("'ecr:BatchDeleteImage'", "'*'")) "]") ","
      USER("tagger", ",'UserPolicyList':[" INLINE("t", ALLOW("'ecr:TagResource'", "'" USE1("app") "'")) "]") ","
      USER("reader", ",'UserPolicyList':[" INLINE("r", ALLOW("['ecr:BatchGetImage','ecr:ListImages']", "'*'")) "]") ","
      USER("admin", ",'AttachedManagedPolicies':[{'PolicyName':'RepoAdmin','PolicyArn':'arn:aws:iam::" ACCT ":policy/RepoAdmin'}]") ","
      USER("mfa", ",'UserPolicyList':[" INLINE("m", "{'Effect':'Allow','Action':'ecr:PutImage','Resource':'" USE1("app") "',"
                  "'Condition':{'Bool':{'aws:MultiFactorAuthPresent':'true'}}}") "]");
  const char *roles =
      ROLE("ci", TRUST("{'Service':'codebuild.amazonaws.com'}", "")
                 ",'RoleLastUsed':{'LastUsedDate':'2026-11-20T10:00:00Z','Region':'us-east-1'},"
                 "'RolePolicyList':[" INLINE("ci-push", ALLOW(PUSH5, "['" USE1("app") "','" USE1("solo") "']") "," TOKEN) "]") ","
      ROLE("gh", TRUST("{'Federated':'arn:aws:iam::" ACCT ":oidc-provider/token.actions.githubusercontent.com'}",
                       ",'Condition':{'StringLike':{'token.actions.githubusercontent.com:sub':'repo:acme/app:ref:refs/heads/main'}}")
                 ",'RoleLastUsed':{'LastUsedDate':'2026-11-01T00:00:00Z','Region':'eu-west-1'},"
                 "'RolePolicyList':[" INLINE("gh", ALLOW("'ecr:PutImage'", "'" USE1("app") "'")) "]") ","
      ROLE("xacct", TRUST("{'AWS':'arn:aws:iam::444455556666:root'}", "")
                    ",'RolePolicyList':[" INLINE("x", ALLOW("'ecr:UntagResource'", "'" USE1("app") "'")) "]") ","
      ROLE("saml", TRUST("{'Federated':'arn:aws:iam::" ACCT ":saml-provider/corp'}", "")
                   ",'RolePolicyList':[" INLINE("s", ALLOW("'ecr:BatchDeleteImage'", "'" USE1("app") "'")) "]") ","
      "{'RoleName':'AWSServiceRoleForECRReplication','RoleId':'AROASLR','Path':'/aws-service-role/replication.ecr.amazonaws.com/',"
      "'Arn':'arn:aws:iam::" ACCT ":role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication',"
      "'RolePolicyList':[" INLINE("slr", ALLOW("'ecr:ReplicateImage'", "'*'")) "]}";
  char *u = extra_user ? ecr_xasprintf("%s,%s", users, USER("zed", ",'UserPolicyList':[" INLINE("z", ALLOW("'ecr:PutImage'", "'*'")) "]"))
                       : ecr_xstrdup(users);
  bundle_iam(dir, u, NULL, roles, MP("RepoAdmin", "{'Sid':'SetPolicies','Effect':'Allow','Action':'ecr:SetRepositoryPolicy','Resource':'" USE1("app") "'}"));
  free(u);
  bundle_repos(dir, "us-east-1", "app,solo,public-read,public-write,shared,gapped");
  bundle_repos(dir, "eu-west-1", "euro");
  const char *pols[] = {
      "public-read", DOCQ("{'Sid':'PublicPull','Effect':'Allow','Principal':'*','Action':'ecr:BatchGetImage'}"),
      "public-write", DOCQ("{'Sid':'Oops','Effect':'Allow','Principal':{'AWS':'*'},'Action':'ecr:PutImage'}"),
      "shared", DOCQ("{'Sid':'Partner','Effect':'Allow','Principal':{'AWS':'444455556666'},'Action':['ecr:BatchGetImage','ecr:PutImage']}"),
      NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  const char *none[] = {NULL};
  bundle_repo_policies(dir, "eu-west-1", none);
  writeq(dir, "manifest.json",
         "{'account':'" ACCT "','collected_at':'2026-11-26T00:00:00Z','gaps':[{'source':'ecr:GetRepositoryPolicy',"
         "'resource':'" USE1("gapped") "','error':'AccessDeniedException: denied'}]}");
  return dir;
}

#define LEDGER                                                                                    \
  "[{'id':'EX-ACTIVE','principal':'" ROLE_ARN("ci") "','repositories':['" REPO_ARN("us-east-1", "*") "'],"   \
  "'actions':['Write'],'justification':'CI publishes','approved_by':'sec','ticket':'SEC-1','expires':'2030-01-01'},"  \
  "{'id':'EX-EXPIRED','principal':'" USER_ARN("tagger") "','repositories':'*','actions':'Tagging',"        \
  "'justification':'cost tags','approved_by':'sec','expires':'2026-01-31'},"                             \
  "{'id':'EX-UNUSED','principal':'" USER_ARN("nobody") "','repositories':'*','actions':'*',"             \
  "'justification':'x','approved_by':'sec','expires':'2030-01-01'},"                                     \
  "{'id':'EX-BAD','principal':'" USER_ARN("wide") "','repositories':'*','actions':'Write',"              \
  "'approved_by':'sec','expires':'2030-01-01'}]"

#define PUSHER USER_ARN("pusher")
#define W ECR_LEVEL_WRITE
#define A ECR_DECISION_ALLOW

static void statuses_and_severity(void **state) {
  (void)state;
  rfx f = build(main_bundle("rp-main", false), LEDGER);
  const ecr_report *r = f.r;
  /* fail */
  const ecr_finding *pw = ff(r, PUSHER, W, A, ECR_CHECK_FAIL);
  assert_true(covers_repo(pw, USE1("app")));
  assert_false(pw->all_repositories);
  assert_int_equal(pw->severity, ECR_SEV_MEDIUM); /* Write scoped to some repositories */
  assert_int_equal(pw->principal_kind, ECR_PK_USER);
  assert_non_null(pw->id);
  assert_true(ecr_str_has_prefix(pw->id, "C0222-"));
  assert_int_equal(strlen(pw->id), 6 + 16);
  /* excepted by an active ledger entry */
  const ecr_finding *ci = ff(r, ROLE_ARN("ci"), W, A, ECR_CHECK_EXCEPTED);
  assert_non_null(ci->exception);
  assert_string_equal(ci->exception->id, "EX-ACTIVE");
  contains(ci->status_reason, "EX-ACTIVE", "status reason");
  /* unknown: the repository policy of "gapped" was not collected */
  const ecr_finding *wg = ff(r, USER_ARN("wide"), W, A, ECR_CHECK_UNKNOWN);
  assert_true(covers_repo(wg, USE1("gapped")));
  assert_false(covers_repo(wg, USE1("app")));
  assert_non_null(wg->status_reason);
  const ecr_finding *wf = ff(r, USER_ARN("wide"), W, A, ECR_CHECK_FAIL);
  assert_false(covers_repo(wf, USE1("gapped")));
  assert_true(covers_repo(wf, USE1("app")) && covers_repo(wf, REPO_ARN("eu-west-1", "euro")));
  /* (its severity: see write_everywhere_severity; "*" on public-write confounds it here) */
  /* the gapped repository itself: unknown, never pass */
  bool gap_finding = false;
  for (size_t i = 0; i < r->n_findings; i++)
    if (r->findings[i].status == ECR_CHECK_UNKNOWN && strcmp(r->findings[i].principal, "*") == 0 &&
        covers_repo(&r->findings[i], USE1("gapped")))
      gap_finding = true;
  assert_true(gap_finding);
  /* pass: Read/List by the account's own principals, also on the gapped repository */
  const ecr_finding *rd = ff(r, USER_ARN("reader"), ECR_LEVEL_READ, A, ECR_CHECK_PASS);
  assert_true(covers_repo(rd, USE1("gapped")));
  assert_int_equal(rd->severity, ECR_SEV_INFO);
  assert_int_equal(ff(r, USER_ARN("reader"), ECR_LEVEL_LIST, A, -1)->status, ECR_CHECK_PASS);
  assert_int_equal(ff(r, USER_ARN("reader"), ECR_LEVEL_LIST, A, -1)->severity, ECR_SEV_INFO);
  /* severities */
  assert_int_equal(ff(r, "*", W, A, -1)->severity, ECR_SEV_CRITICAL);            /* public Write */
  assert_int_equal(ff(r, "*", W, A, -1)->status, ECR_CHECK_FAIL);
  assert_int_equal(ff(r, "*", ECR_LEVEL_READ, A, -1)->severity, ECR_SEV_HIGH);   /* public Read */
  assert_int_equal(ff(r, "*", ECR_LEVEL_READ, A, -1)->status, ECR_CHECK_FAIL);
  const char *partner = "arn:aws:iam::444455556666:root";
  assert_int_equal(ff(r, partner, W, A, -1)->severity, ECR_SEV_CRITICAL);        /* external Write */
  assert_int_equal(ff(r, partner, W, A, -1)->principal_kind, ECR_PK_ACCOUNT);
  assert_int_equal(ff(r, partner, ECR_LEVEL_READ, A, -1)->status, ECR_CHECK_FAIL); /* cross-account Read fails */
  assert_int_equal(ff(r, partner, ECR_LEVEL_READ, A, -1)->severity, ECR_SEV_INFO);
  assert_int_equal(ff(r, USER_ARN("admin"), ECR_LEVEL_PERMISSIONS, A, -1)->severity, ECR_SEV_HIGH);
  assert_int_equal(ff(r, USER_ARN("admin"), ECR_LEVEL_PERMISSIONS, A, -1)->status, ECR_CHECK_FAIL);
  assert_int_equal(ff(r, USER_ARN("scoped"), W, A, -1)->severity, ECR_SEV_MEDIUM);
  /* Tagging: low; the expired exception lapsed, so it fails */
  const ecr_finding *tg = ff(r, USER_ARN("tagger"), ECR_LEVEL_TAGGING, A, -1);
  assert_int_equal(tg->severity, ECR_SEV_LOW);
  assert_int_equal(tg->status, ECR_CHECK_FAIL);
  assert_non_null(tg->exception);
  assert_string_equal(tg->exception->id, "EX-EXPIRED");
  contains(tg->status_reason, "lapsed", "status reason");
  contains(tg->status_reason, "EX-EXPIRED", "status reason");
  /* the invalid entry excepts nothing */
  assert_null(wf->exception);
  /* conditional grants are their own findings, never allow */
  const ecr_finding *mf = ff(r, USER_ARN("mfa"), W, ECR_DECISION_CONDITIONAL, ECR_CHECK_FAIL);
  assert_true(covers_repo(mf, USE1("app")));
  /* summary and order */
  size_t sum = 0;
  for (int s = 0; s < ECR_CHECK_COUNT; s++) sum += r->by_status[s];
  assert_int_equal(sum, r->n_findings);
  assert_int_equal(r->overall, ECR_CHECK_FAIL);
  assert_int_equal(ecr_report_exit_code(r), 1);
  static const int rank[] = {0, 2, 1, 3}; /* fail, excepted, unknown, pass -> order */
  for (size_t i = 1; i < r->n_findings; i++) {
    const ecr_finding *a = &r->findings[i - 1], *b = &r->findings[i];
    assert_true(rank[a->status] <= rank[b->status]);
    if (a->status == b->status) assert_true(a->severity <= b->severity);
  }
  assert_string_equal(r->account, ACCT);
  assert_string_equal(r->as_of, AS_OF);
  assert_int_equal(r->n_regions, 2);
  assert_int_equal(r->n_repositories, 7);
  rfx_free(&f, true);
}

/* "Write on every repository" is high. A principal that can delete images
 * from every repository, present and future, stays high when it also
 * holds another Write action on one repository only. */
static void write_everywhere_severity(void **state) {
  (void)state;
  char *dir = bundle_new("rp-wide");
  bundle_iam(dir, USER("wide", ",'UserPolicyList':[" INLINE("w", ALLOW("'ecr:BatchDeleteImage'", "'*'")) "]") ","
                  USER("wide2", ",'UserPolicyList':[" INLINE("w", ALLOW("'ecr:BatchDeleteImage'", "'*'") ","
                                 ALLOW("'ecr:PutImage'", "'" USE1("a") "'")) "]"),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "a,b");
  const char *none[] = {NULL};
  bundle_repo_policies(dir, "us-east-1", none);
  rfx f = build(dir, NULL);
  const ecr_finding *w = ff(f.r, USER_ARN("wide"), W, A, -1);
  assert_true(w->all_repositories);
  assert_int_equal(w->severity, ECR_SEV_HIGH);
  const ecr_finding *w2 = ff(f.r, USER_ARN("wide2"), W, A, -1);
  if (w2->severity != ECR_SEV_HIGH)
    fail_msg("BUG (report.c principal_findings/severity_of): ecr:BatchDeleteImage on every repository "
             "plus ecr:PutImage on one gives severity %s (all_repositories %d), want high",
             ecr_severity_name(w2->severity), (int)w2->all_repositories);
  rfx_free(&f, true);
}

/* The finding of principal that holds action (there is exactly one per
 * decision: findings partition the matrix). */
static const ecr_finding *ffa(const ecr_report *r, const char *principal, const char *action,
                              ecr_decision d) {
  const ecr_finding *hit = NULL;
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    if (strcmp(f->principal, principal) != 0 || f->decision != d) continue;
    for (size_t k = 0; k < f->n_actions; k++)
      if (strcmp(f->actions[k], action) == 0) {
        if (hit) fail_msg("%s %s is in two findings (%s, %s)", principal, action, hit->id, f->id);
        hit = f;
      }
  }
  if (!hit) fail_msg("no finding of %s holds %s", principal, action);
  return hit;
}

/* "Every repository, present and future" (DESIGN.md "Findings must be
 * true"): the grant's resource patterns must also cover repositories not
 * created yet. Expected values follow the IAM policy evaluation logic
 * (an explicit Deny that matches the resource wins; NotResource applies to
 * every resource except those listed; a Resource ARN names one account
 * and region or a wildcard over them):
 *   star     Allow ecr:* on "*"                          -> every repository
 *   carved   + Deny PutImage on repository/prod-*        -> PutImage: not every one (a
 *            (no prod repository exists yet)                 future prod-x is denied);
 *                                                            the rest: every one
 *   notres   Allow ecr:* NotResource repository/prod-*   -> not every one
 *   region   Allow ecr:* on us-east-1's repositories     -> not every one (eu-west-1)
 *   otheracct  + Deny ecr:* on account 999999999999's    -> every repository (the Deny
 *            repositories                                    can never match ours)
 *   colon    + Deny ecr:* on repository/x:y              -> every repository (':' is
 *                                                            not in any repository name) */
static void future_repositories_exact(void **state) {
  (void)state;
  char *dir = bundle_new("rp-future");
  bundle_iam(dir,
             USER("star", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:*'", "'*'")) "]") ","
             USER("carved", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:*'", "'*'") ","
                  DENY("'ecr:PutImage'", "'arn:aws:ecr:*:*:repository/prod-*'")) "]") ","
             USER("notres", ",'UserPolicyList':[" INLINE("a", "{'Effect':'Allow','Action':'ecr:*',"
                  "'NotResource':'arn:aws:ecr:*:*:repository/prod-*'}") "]") ","
             USER("region", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:*'",
                  "'arn:aws:ecr:us-east-1:" ACCT ":repository/*'")) "]") ","
             USER("otheracct", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:*'", "'*'") ","
                  DENY("'ecr:*'", "'arn:aws:ecr:*:999999999999:repository/*'")) "]") ","
             USER("colon", ",'UserPolicyList':[" INLINE("a", ALLOW("'ecr:*'", "'*'") ","
                  DENY("'ecr:*'", "'arn:aws:ecr:*:*:repository/x:y'")) "]"),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app,web");
  bundle_repos(dir, "eu-west-1", "api");
  const char *none[] = {NULL};
  bundle_repo_policies(dir, "us-east-1", none);
  bundle_repo_policies(dir, "eu-west-1", none);
  rfx f = build(dir, NULL);
  const ecr_report *r = f.r;
  assert_true(ffa(r, USER_ARN("star"), "ecr:PutImage", A)->all_repositories);
  assert_int_equal(ffa(r, USER_ARN("star"), "ecr:PutImage", A)->n_repositories, 3);
  assert_int_equal(ffa(r, USER_ARN("star"), "ecr:PutImage", A)->severity, ECR_SEV_HIGH);
  /* carved: PutImage is on all three current repositories, yet not "every" */
  const ecr_finding *put = ffa(r, USER_ARN("carved"), "ecr:PutImage", A);
  assert_int_equal(put->n_repositories, 3);
  assert_false(put->all_repositories);
  assert_true(ffa(r, USER_ARN("carved"), "ecr:BatchDeleteImage", A)->all_repositories);
  assert_false(ffa(r, USER_ARN("notres"), "ecr:PutImage", A)->all_repositories);
  assert_false(ffa(r, USER_ARN("region"), "ecr:PutImage", A)->all_repositories);
  assert_int_equal(ffa(r, USER_ARN("region"), "ecr:PutImage", A)->n_repositories, 2);
  assert_true(ffa(r, USER_ARN("otheracct"), "ecr:PutImage", A)->all_repositories);
  assert_true(ffa(r, USER_ARN("colon"), "ecr:PutImage", A)->all_repositories);
  /* the registry is never "every repository" */
  assert_false(ffa(r, USER_ARN("star"), "ecr:GetAuthorizationToken", A)->all_repositories);
  rfx_free(&f, true);
}

/* One principal's access differs between repositories: several findings,
 * each exactly true (the Write finding of a principal that may delete
 * everywhere but push to one repository is not one union). */
static void findings_never_union(void **state) {
  (void)state;
  char *dir = bundle_new("rp-union");
  bundle_iam(dir, USER("u", ",'UserPolicyList':[" INLINE("w", ALLOW("'ecr:BatchDeleteImage'", "'*'") ","
                  ALLOW("'ecr:PutImage'", "'" USE1("a") "'")) "]"),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "a,b");
  const char *none[] = {NULL};
  bundle_repo_policies(dir, "us-east-1", none);
  rfx f = build(dir, NULL);
  const ecr_finding *del = ffa(f.r, USER_ARN("u"), "ecr:BatchDeleteImage", ECR_DECISION_ALLOW);
  const ecr_finding *put = ffa(f.r, USER_ARN("u"), "ecr:PutImage", ECR_DECISION_ALLOW);
  assert_ptr_not_equal(del, put);
  assert_int_equal(del->n_actions, 1);
  assert_int_equal(del->n_repositories, 2);
  assert_int_equal(put->n_actions, 1);
  assert_int_equal(put->n_repositories, 1);
  assert_string_equal(put->repositories[0], USE1("a"));
  assert_string_not_equal(del->id, put->id);
  rfx_free(&f, true);
}

static void can_push_rule(void **state) {
  (void)state;
  rfx f = build(main_bundle("rp-push", false), NULL);
  const ecr_report *r = f.r;
  assert_true(ff(r, PUSHER, W, A, -1)->can_push);
  assert_true(ff(r, ROLE_ARN("ci"), W, A, -1)->can_push);
  /* the five repository actions without GetAuthorizationToken: no push */
  assert_false(ff(r, USER_ARN("scoped"), W, A, -1)->can_push);
  /* PutImage alone: no push */
  assert_false(ff(r, ROLE_ARN("gh"), W, A, -1)->can_push);
  assert_false(ff(r, USER_ARN("wide"), W, A, ECR_CHECK_FAIL)->can_push);
  contains(ff(r, PUSHER, W, A, -1)->impact, "whole push set", "pusher impact");
  if (strstr(ff(r, USER_ARN("scoped"), W, A, -1)->impact, "whole push set"))
    fail_msg("scoped cannot push but its impact says so");
  /* repository view: pushers of app are pusher and ci, not scoped */
  const ecr_repo_view *app = NULL;
  for (size_t i = 0; i < r->n_repo_views; i++)
    if (strcmp(r->repositories[i].arn, USE1("app")) == 0) app = &r->repositories[i];
  assert_non_null(app);
  bool saw_pusher = false, saw_scoped = false;
  for (size_t i = 0; i < app->n_push; i++) {
    saw_pusher |= strcmp(app->push[i].principal, PUSHER) == 0;
    saw_scoped |= strcmp(app->push[i].principal, USER_ARN("scoped")) == 0;
  }
  assert_true(saw_pusher);
  assert_false(saw_scoped);
  rfx_free(&f, true);
}

static void stable_ids(void **state) {
  (void)state;
  char *dir = main_bundle("rp-ids", false);
  rfx a = build(dir, LEDGER);
  rfx b = build(ecr_xstrdup(dir), LEDGER);
  assert_int_equal(a.r->n_findings, b.r->n_findings);
  for (size_t i = 0; i < a.r->n_findings; i++) {
    assert_string_equal(a.r->findings[i].id, b.r->findings[i].id);
    for (size_t k = 0; k < i; k++)
      if (strcmp(a.r->findings[k].id, a.r->findings[i].id) == 0)
        fail_msg("two findings share id %s", a.r->findings[i].id);
  }
  /* an unrelated principal added: existing ids do not change */
  char *dir2 = main_bundle("rp-ids2", true);
  rfx c = build(dir2, LEDGER);
  assert_true(c.r->n_findings > a.r->n_findings);
  const char *keep[] = {PUSHER, USER_ARN("tagger"), ROLE_ARN("ci")};
  ecr_access_level lv[] = {W, ECR_LEVEL_TAGGING, W};
  for (int i = 0; i < 3; i++)
    assert_string_equal(ff(a.r, keep[i], lv[i], A, -1)->id, ff(c.r, keep[i], lv[i], A, -1)->id);
  rfx_free(&c, true);
  rfx_free(&b, false);
  rfx_free(&a, true);
}

static void ledger_states(void **state) {
  (void)state;
  rfx f = build(main_bundle("rp-ledger", false), LEDGER);
  const ecr_report *r = f.r;
  assert_int_equal(r->n_ledger, 4);
  assert_non_null(r->ledger_path);
  assert_int_equal(strlen(r->ledger_sha256), 64);
  assert_int_equal(entry(r, "EX-ACTIVE")->state, ECR_LEDGER_ACTIVE);
  assert_true(entry(r, "EX-ACTIVE")->matched >= 1);
  assert_int_equal(entry(r, "EX-EXPIRED")->state, ECR_LEDGER_EXPIRED);
  assert_true(entry(r, "EX-EXPIRED")->matched >= 1);
  assert_int_equal(entry(r, "EX-UNUSED")->state, ECR_LEDGER_UNUSED);
  assert_int_equal(entry(r, "EX-UNUSED")->matched, 0);
  assert_non_null(entry(r, "EX-UNUSED")->reason);
  assert_int_equal(entry(r, "EX-BAD")->state, ECR_LEDGER_INVALID);
  assert_int_equal(entry(r, "EX-BAD")->matched, 0);
  /* the excepted finding does not make the report fail on its own */
  assert_true(r->by_status[ECR_CHECK_EXCEPTED] >= 1);
  rfx_free(&f, true);
}

static void impact_sources(void **state) {
  (void)state;
  rfx f = build(main_bundle("rp-impact", false), NULL);
  const ecr_report *r = f.r;
  const ecr_finding *ci = ff(r, ROLE_ARN("ci"), W, A, -1);
  contains(ci->impact, "codebuild.amazonaws.com", "ci impact");                /* trust: service */
  contains(ci->impact, "2026-11-20T10:00:00Z", "ci impact");                   /* RoleLastUsed */
  contains(ci->impact, "only principal that can push", "ci impact");           /* only pusher ... */
  contains(ci->impact, "solo", "ci impact");                                   /* ... to solo */
  const ecr_finding *gh = ff(r, ROLE_ARN("gh"), W, A, -1);
  contains(gh->impact, "GitHub Actions", "gh impact");
  contains(gh->impact, "repo:acme/app:ref:refs/heads/main", "gh impact");      /* its sub */
  contains(gh->impact, "2026-11-01T00:00:00Z", "gh impact");
  contains(gh->impact, "eu-west-1", "gh impact");
  contains(ff(r, ROLE_ARN("xacct"), ECR_LEVEL_TAGGING, A, -1)->impact, "444455556666", "xacct impact");
  contains(ff(r, ROLE_ARN("saml"), W, A, -1)->impact, "SAML", "saml impact");
  const char *slr = "arn:aws:iam::" ACCT ":role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication";
  contains(ff(r, slr, W, A, -1)->impact, "service-linked", "slr impact");
  contains(ff(r, slr, W, A, -1)->remediation, "service-linked", "slr remediation");
  /* the pusher is not the only pusher of app (ci pushes there too) */
  if (strstr(ff(r, PUSHER, W, A, -1)->impact, "only principal")) fail_msg("pusher is not the only pusher of app");
  contains(ff(r, "*", W, A, -1)->impact, "Anyone", "public impact");
  contains(ff(r, "arn:aws:iam::444455556666:root", W, A, -1)->impact, "444455556666", "account impact");
  contains(ff(r, USER_ARN("mfa"), W, ECR_DECISION_CONDITIONAL, -1)->impact, "Condition", "conditional impact");
  /* principal views carry who uses a role and when */
  bool seen = false;
  for (size_t i = 0; i < r->n_principal_views; i++) {
    const ecr_principal_view *v = &r->principals[i];
    if (strcmp(v->principal, ROLE_ARN("gh")) != 0) continue;
    seen = true;
    contains(v->used_by, "repo:acme/app:ref:refs/heads/main", "gh used_by");
    assert_string_equal(v->last_used, "2026-11-01T00:00:00Z");
  }
  assert_true(seen);
  rfx_free(&f, true);
}

static void remediation_names_policy_and_statement(void **state) {
  (void)state;
  rfx f = build(main_bundle("rp-remed", false), NULL);
  const ecr_report *r = f.r;
  const ecr_finding *pw = ff(r, PUSHER, W, A, -1);
  contains(pw->remediation, "PushApp", "pusher remediation");
  contains(pw->remediation, "push-inline", "pusher remediation");
  bool via = false;
  for (size_t i = 0; i < pw->n_via; i++)
    via |= strcmp(pw->via[i].policy, "push-inline") == 0 && strcmp(pw->via[i].statement, "PushApp") == 0 &&
           pw->via[i].source == ECR_SRC_IDENTITY;
  assert_true(via);
  const ecr_finding *adm = ff(r, USER_ARN("admin"), ECR_LEVEL_PERMISSIONS, A, -1);
  contains(adm->remediation, "arn:aws:iam::" ACCT ":policy/RepoAdmin", "admin remediation");
  contains(adm->remediation, "SetPolicies", "admin remediation");
  const ecr_finding *pub = ff(r, "*", W, A, -1);
  contains(pub->remediation, "Oops", "public remediation");
  contains(pub->remediation, USE1("public-write"), "public remediation");
  assert_int_equal(pub->via[0].source, ECR_SRC_RESOURCE);
  /* a suggested replacement statement that is JSON */
  assert_non_null(pw->suggested_statement);
  cJSON *j = cJSON_Parse(pw->suggested_statement);
  assert_non_null(j);
  assert_non_null(cJSON_GetObjectItemCaseSensitive(j, "Effect"));
  cJSON_Delete(j);
  /* and the ledger alternative */
  contains(pw->remediation, "\"principal\":\"" PUSHER "\"", "pusher remediation");
  rfx_free(&f, true);
}


/* Issue 13/15 wording: what the statement's Condition already limits, AWS-managed
 * policies, undecided keys. Expectations from AWS's documentation: a "*" grant
 * limited by aws:PrincipalOrgID reaches the organization only ("AWS global
 * condition context keys"); aws:SourceAccount/aws:SourceArn guard a service
 * grant ("The confused deputy problem"); AWS-managed policies cannot be edited
 * ("AWS managed policies"). */
static void auditor_wording(void **state) {
  (void)state;
  char *dir = bundle_new("rp-wording");
  const char *users =
      USER("ops", ",'AttachedManagedPolicies':[{'PolicyName':'PowerUserAccess','PolicyArn':'arn:aws:iam::aws:policy/PowerUserAccess'}]") ","
      USER("mfa", ",'UserPolicyList':[" INLINE("m", "{'Effect':'Allow','Action':'ecr:PutImage','Resource':'" USE1("app") "',"
                  "'Condition':{'Bool':{'aws:MultiFactorAuthPresent':'true'}}}") "]");
  const char *power = "{'PolicyName':'PowerUserAccess','Arn':'arn:aws:iam::aws:policy/PowerUserAccess','DefaultVersionId':'v5',"
                      "'PolicyVersionList':[{'VersionId':'v5','IsDefaultVersion':true,'Document':"
                      DOCQ("{'Effect':'Allow','NotAction':['iam:*','organizations:*'],'Resource':'*'}") "}]}";
  bundle_iam(dir, users, NULL, NULL, power);
  bundle_repos(dir, "us-east-1", "app,org,build");
  const char *pols[] = {
      "org", DOCQ("{'Sid':'OrgPush','Effect':'Allow','Principal':'*','Action':'ecr:PutImage',"
                  "'Condition':{'StringEquals':{'aws:PrincipalOrgID':'o-test123'}}}"),
      "build", DOCQ("{'Sid':'Build','Effect':'Allow','Principal':{'Service':'codebuild.amazonaws.com'},"
                    "'Action':['ecr:BatchGetImage','ecr:PutImage'],"
                    "'Condition':{'StringEquals':{'aws:SourceAccount':'" ACCT "'}}}"),
      NULL};
  bundle_repo_policies(dir, "us-east-1", pols);
  rfx f = build(dir, NULL);
  const ecr_report *r = f.r;
  /* organization-only: not public, not critical, never told to add what it has */
  const ecr_finding *org = ff(r, "*", W, ECR_DECISION_CONDITIONAL, -1);
  assert_int_equal(org->severity, ECR_SEV_HIGH);
  contains(org->impact, "organization o-test123", "org impact");
  lacks(org->impact, "unauthenticated", "org impact");
  contains(org->remediation, "already limited to organization o-test123", "org remediation");
  assert_int_equal(org->n_undecided, 1);
  assert_string_equal(org->undecided_conditions[0], "aws:PrincipalOrgID");
  if (org->suggested_statement) {
    contains(org->suggested_statement, "o-test123", "org suggestion keeps the condition");
    lacks(org->suggested_statement, "<your organization id>", "org suggestion");
  }
  /* service grant guarded against the confused deputy */
  const ecr_finding *svc = ff(r, "service:codebuild.amazonaws.com", W, ECR_DECISION_CONDITIONAL, -1);
  contains(svc->impact, "confused deputy", "service impact");
  contains(svc->impact, "aws:SourceAccount = " ACCT, "service impact names the guard");
  assert_non_null(svc->suggested_statement);
  lacks(svc->suggested_statement, "<your account id>", "service suggestion");
  contains(svc->suggested_statement, "aws:SourceAccount", "service suggestion keeps the guard");
  /* AWS-managed policy: detach / Deny / boundary / ledger, never "edit"; a
     NotAction statement is never narrowed to ECR actions */
  const ecr_finding *ops = ff(r, USER_ARN("ops"), W, A, -1);
  contains(ops->remediation, "cannot be edited", "AWS-managed remediation");
  lacks(ops->remediation, "of arn:aws:iam::aws:policy/PowerUserAccess (identity): it grants", "AWS-managed remediation");
  lacks(ops->remediation, "Edit statement 0 of arn:aws:iam::aws:policy", "AWS-managed remediation");
  assert_non_null(ops->suggested_statement);
  contains(ops->suggested_statement, "\"Effect\": \"Deny\"", "a Deny, not a narrowed Allow");
  lacks(ops->suggested_statement, "more)", "suggestion");
  /* a conditional grant names the keys it depends on */
  const ecr_finding *mfa = ff(r, USER_ARN("mfa"), W, ECR_DECISION_CONDITIONAL, -1);
  /* PutImage on app (MFA) and on org (the "*" grant, organization unknown) */
  assert_int_equal(mfa->n_undecided, 2);
  assert_string_equal(mfa->undecided_conditions[0], "aws:MultiFactorAuthPresent");
  assert_string_equal(mfa->undecided_conditions[1], "aws:PrincipalOrgID");
  contains(mfa->impact, "aws:MultiFactorAuthPresent", "conditional impact names the key");
  /* no credential report: key use is not claimed either way */
  contains(mfa->impact, "does not show whether", "usage evidence missing");
  lacks(mfa->impact, "records no use", "usage");
  rfx_free(&f, true);
}

static void coverage(void **state) {
  (void)state;
  rfx f = build(main_bundle("rp-cov", false), NULL);
  const ecr_report *r = f.r;
  ecr_buf all;
  ecr_buf_init(&all);
  for (size_t i = 0; i < r->n_coverage; i++) {
    ecr_buf_puts(&all, r->coverage[i]);
    ecr_buf_putc(&all, '\n');
  }
  contains(all.data, "still depend on keys it cannot fix", "coverage");          /* conditions */
  contains(all.data, "Service control policies were not collected", "coverage"); /* no SCPs */
  contains(all.data, "eu-west-1, us-east-1", "coverage");            /* regions */
  contains(all.data, USE1("gapped"), "coverage");                    /* gaps */
  contains(all.data, "AccessDeniedException: denied", "coverage");
  contains(all.data, "444455556666", "coverage");                    /* external account */
  contains(all.data, "Session policies", "coverage");
  ecr_buf_cleanup(&all);
  /* with SCPs the "not collected" sentence goes away */
  writeq(f.dir, "organizations/scps.json",
         "[{'target':'r-1','policies':[{'Id':'p-full','Content':" DOCQ("{'Effect':'Allow','Action':'*','Resource':'*'}") "}]}]");
  rfx g = build(ecr_xstrdup(f.dir), NULL);
  for (size_t i = 0; i < g.r->n_coverage; i++)
    if (strstr(g.r->coverage[i], "Service control policies were not collected"))
      fail_msg("SCPs present but coverage says they were not collected");
  rfx_free(&g, false);
  rfx_free(&f, true);
}

static void compliant_and_unknown_bundles(void **state) {
  (void)state;
  setenv("SOURCE_DATE_EPOCH", "1795780800", 1);
  /* only reads by own principals: compliant */
  char *dir = bundle_new("rp-ok");
  bundle_iam(dir, USER("reader", ",'UserPolicyList':[" INLINE("r", ALLOW("['ecr:BatchGetImage','ecr:GetAuthorizationToken']", "'*'")) "]"),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app");
  const char *none[] = {NULL};
  bundle_repo_policies(dir, "us-east-1", none);
  rfx f = build(dir, NULL);
  assert_int_equal(f.r->overall, ECR_CHECK_PASS);
  assert_int_equal(ecr_report_exit_code(f.r), 0);
  assert_int_equal(f.r->by_status[ECR_CHECK_FAIL] + f.r->by_status[ECR_CHECK_UNKNOWN], 0);
  assert_true(f.r->by_status[ECR_CHECK_PASS] >= 2); /* repository Read and registry Read */
  bool registry_read = false, repo_read = false;
  for (size_t i = 0; i < f.r->n_findings; i++) {
    const ecr_finding *x = &f.r->findings[i];
    if (strcmp(x->principal, USER_ARN("reader")) || x->access_level != ECR_LEVEL_READ) continue;
    assert_int_equal(x->status, ECR_CHECK_PASS);
    assert_int_equal(x->severity, ECR_SEV_INFO);
    if (x->n_repositories == 1 && strcmp(x->repositories[0], "*") == 0) {
      registry_read = true;
      assert_int_equal(x->n_actions, 1);
      assert_string_equal(x->actions[0], "ecr:GetAuthorizationToken");
    } else if (covers_repo(x, USE1("app"))) {
      repo_read = true;
      assert_string_equal(x->actions[0], "ecr:BatchGetImage");
    }
  }
  assert_true(registry_read && repo_read);
  assert_string_equal(f.r->generated_at, "2026-11-27T12:00:00Z");
  assert_int_equal(strlen(f.r->evidence_sha256), 64);
  assert_true(f.r->n_files >= 3);
  rfx_free(&f, true);
  /* the same without repository-policies.json: unknown, exit 1 */
  dir = bundle_new("rp-unknown");
  bundle_iam(dir, USER("reader", ",'UserPolicyList':[" INLINE("r", ALLOW("'ecr:BatchGetImage'", "'*'")) "]"), NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app");
  f = build(dir, NULL);
  assert_int_equal(f.r->overall, ECR_CHECK_UNKNOWN);
  assert_int_equal(ecr_report_exit_code(f.r), 1);
  assert_true(f.r->by_status[ECR_CHECK_UNKNOWN] >= 1);
  rfx_free(&f, true);
  /* a principal whose attached policy is missing: unknown */
  dir = bundle_new("rp-mp-gap");
  bundle_iam(dir, USER("ghosted", ",'AttachedManagedPolicies':[{'PolicyName':'Gone','PolicyArn':'arn:aws:iam::" ACCT ":policy/Gone'}]"),
             NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app");
  bundle_repo_policies(dir, "us-east-1", none);
  f = build(dir, NULL);
  assert_int_equal(f.r->overall, ECR_CHECK_UNKNOWN);
  const ecr_finding *gf = &f.r->findings[0];
  assert_string_equal(gf->principal, USER_ARN("ghosted"));
  assert_int_equal(gf->status, ECR_CHECK_UNKNOWN);
  contains(gf->status_reason, "policy/Gone", "status reason");
  rfx_free(&f, true);
  unsetenv("SOURCE_DATE_EPOCH");
}

/* organizations/scps.json lists a level with no policy at all. AWS never
 * leaves a root, OU or account without an SCP (the last one cannot be
 * detached), so this is incomplete evidence: the report must not call an
 * account with an ecr:PutImage grant compliant (DESIGN.md: a check whose
 * evidence has a gap is unknown, never pass). */
static void empty_scp_level_is_not_compliant(void **state) {
  (void)state;
  char *dir = bundle_new("rp-scp-empty");
  bundle_iam(dir, USER("pusher", ",'UserPolicyList':[" INLINE("p", ALLOW("'ecr:PutImage'", "'*'")) "]"), NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app");
  const char *none[] = {NULL};
  bundle_repo_policies(dir, "us-east-1", none);
  writeq(dir, "organizations/scps.json",
         "[{'target':'r-1','policies':[{'Id':'p-full','Content':" DOCQ("{'Effect':'Allow','Action':'*','Resource':'*'}") "}]},"
         "{'target':'ou-1','policies':[]}]");
  rfx f = build(dir, NULL);
  if (f.r->overall == ECR_CHECK_PASS)
    fail_msg("BUG/SEMANTICS (matrix.c compile_all SCP levels): an SCP level with no policies silently "
             "denies everything and the report says compliant (%zu findings)", f.r->n_findings);
  rfx_free(&f, true);
}

static void bad_as_of(void **state) {
  (void)state;
  char *dir = bundle_new("rp-asof");
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  ecr_evidence *ev = load_ok(dir);
  ecr_matrix *m = NULL;
  ecr_report *r = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_matrix_eval(ev, &m, &err), ECR_OK);
  assert_int_equal(ecr_report_build(ev, m, NULL, "2025-02-30", &r, &err), ECR_E_USAGE);
  assert_null(r);
  ecr_matrix_free(m);
  ecr_evidence_free(ev);
  ecr_test_rmrf(dir);
  free(dir);
}

/* Every template name the findings stage (src/report/: build.c, chains.c,
 * findings.c, suggestions.c, wording.c) uses is embedded. T() takes its name
 * from a string literal of those files ("dir/name" under templates/text/), directly,
 * in a ternary or in a table; a missing one would be an empty text at run
 * time, so it is caught here instead (the library neither prints nor
 * aborts for it). */
static void every_template_name_is_embedded(void **state) {
  (void)state;
  static const char *const files[] = {"build.c", "chains.c", "findings.c", "suggestions.c",
                                       "wording.c"};
  ecr_buf src;
  ecr_buf_init(&src);
  for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
    char *path = ecr_xasprintf("%s/src/report/%s", ECR_SOURCE_DIR, files[f]);
    FILE *fp = fopen(path, "rb");
    free(path);
    assert_non_null(fp);
    char chunk[4096];
    size_t k;
    while ((k = fread(chunk, 1, sizeof(chunk), fp)) > 0) ecr_buf_append(&src, chunk, k);
    fclose(fp);
  }
  char *text = ecr_buf_steal(&src);
  static const char *const dirs[] = {"chain/",       "coverage/", "effect/", "impact/",
                                     "remediation/", "status/",   "trust/"};
  size_t names = 0, effects = 0;
  for (const char *p = strchr(text, '"'); p; p = strchr(p, '"')) {
    const char *end = strchr(p + 1, '"');
    if (!end) break;
    size_t len = (size_t)(end - p - 1);
    bool is_name = len > 0 && len < 100 && p[len] != '/'; /* not a bare prefix */
    for (size_t i = 1; i <= len && is_name; i++) {
      char c = p[i];
      is_name = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '/';
    }
    bool in_dir = false;
    for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]) && is_name; d++)
      in_dir = in_dir || strncmp(p + 1, dirs[d], strlen(dirs[d])) == 0;
    if (is_name && in_dir) {
      char *path = ecr_xasprintf("templates/text/%.*s.txt", (int)len, p + 1);
      if (!ecr_embedded_get(path, NULL)) fail_msg("report.c names %s, which is not embedded", path);
      names++;
      effects += strncmp(p + 1, "effect/", 7) == 0;
      free(path);
    }
    p = end + 1;
  }
  /* the scan found them (62 T("...") calls, 10 effects, the gap tables) */
  if (names < 60 || effects != 10) fail_msg("found %zu template names, %zu effects", names, effects);
  /* every T( call names its template by a literal, a table of literals or a ternary of them */
  size_t calls = 0;
  for (const char *p = strstr(text, "T("); p; p = strstr(p + 2, "T(")) {
    if (p > text && (p[-1] == '_' || (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= 'a' && p[-1] <= 'z') ||
                     (p[-1] >= '0' && p[-1] <= '9')))
      continue;
    calls++;
    const char *a = p + 2;
    /* names from a table of literals of report.c (checked above) */
    static const char *const known[] = {"\"", "const char *name", "order[o]", "status_t[kind]",
                                        "tmpl"};
    bool ok = false;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
      ok = ok || strncmp(a, known[i], strlen(known[i])) == 0;
    if (!ok) { /* a ternary of literals or tables (the literals are checked above) */
      const char *q = strchr(a, '?'), *comma = strchr(a, ',');
      if (!q || (comma && comma < q)) fail_msg("T( with a computed name: %.60s", p);
    }
  }
  assert_true(calls >= 60);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_template_name_is_embedded),
      cmocka_unit_test(statuses_and_severity),
      cmocka_unit_test(write_everywhere_severity),
      cmocka_unit_test(future_repositories_exact),
      cmocka_unit_test(findings_never_union),
      cmocka_unit_test(can_push_rule),
      cmocka_unit_test(stable_ids),
      cmocka_unit_test(ledger_states),
      cmocka_unit_test(impact_sources),
      cmocka_unit_test(remediation_names_policy_and_statement),
      cmocka_unit_test(coverage),
      cmocka_unit_test(auditor_wording),
      cmocka_unit_test(compliant_and_unknown_bundles),
      cmocka_unit_test(empty_scp_level_is_not_compliant),
      cmocka_unit_test(bad_as_of),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
