/* Evidence loader: required files, JSON errors with positions, type errors
 * naming the JSON path, document forms, regions, registry policies, SCP
 * levels, manifest gaps and hashes, missing policies as gaps, default
 * policy versions, repository tags, the organization, its accounts and RCPs.
 * Every bundle is built in a temporary directory. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/evidence.h"
#include "ecraudit/policy.h"
#include "util/util.h"

#include "bundle.h"

/* The bundles below are quote-free JSON built from string macros, laid out by
 * hand: clang-format cannot break them readably. */
/* clang-format off */

/* Load expecting ECR_E_INPUT naming file, with message containing needle. */
static ecr_error load_err(const char *dir, const char *file, const char *needle) {
  ecr_evidence *ev = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = ecr_evidence_load(dir, &ev, &err);
  if (st != ECR_E_INPUT) fail_msg("expected ECR_E_INPUT, got %d", (int)st);
  assert_null(ev);
  if (strcmp(err.file, file) != 0) fail_msg("error names \"%s\", want \"%s\"", err.file, file);
  if (needle && !strstr(err.message, needle))
    fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
  return err;
}

static const ecr_repository *repo(const ecr_evidence *ev, const char *arn) {
  for (size_t i = 0; i < ev->n_repos; i++)
    if (strcmp(ev->repos[i].arn, arn) == 0) return &ev->repos[i];
  fail_msg("no repository %s", arn);
  return NULL;
}

static void cleanup(char *dir, ecr_evidence *ev) {
  ecr_evidence_free(ev);
  ecr_test_rmrf(dir);
  free(dir);
}

/* ---- required files and JSON errors --------------------------------------------- */

static void missing_dir_and_required_file(void **state) {
  (void)state;
  char *dir = bundle_new("ev-missing");
  char *nodir = ecr_path_join(dir, "nope");
  load_err(nodir, nodir, "does not exist");
  free(nodir);
  /* no iam/account-authorization-details.json */
  bundle_repos(dir, "us-east-1", "app");
  ecr_error e = load_err(dir, "iam/account-authorization-details.json", "missing");
  assert_int_equal(e.code, ECR_E_INPUT);
  char line[1500];
  ecr_error_format(&e, line, sizeof(line));
  assert_non_null(strstr(line, "iam/account-authorization-details.json: "));
  cleanup(dir, NULL);
}

static void malformed_json_position(void **state) {
  (void)state;
  char *dir = bundle_new("ev-malformed");
  ecr_test_write(dir, "iam/account-authorization-details.json",
                 "{\n  \"UserDetailList\": [\n    {\"UserName\": \"a\",, \"Arn\": \"x\"}\n  ]\n}\n");
  ecr_error e = load_err(dir, "iam/account-authorization-details.json", "invalid JSON");
  assert_int_equal(e.line, 3);
  /* the second ',' is column 22; cJSON reports the byte after a failed
     string start, so 23 is accepted too (close enough for a reader) */
  if (e.column != 22 && e.column != 23) fail_msg("column %ld, want 22 (or 23)", e.column);
  /* truncated file */
  ecr_test_write(dir, "iam/account-authorization-details.json", "{\"UserDetailList\": [");
  e = load_err(dir, "iam/account-authorization-details.json", "end of file");
  assert_int_equal(e.line, 1);
  /* an optional file that is malformed is still an error */
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  ecr_test_write(dir, "ecr/us-east-1/repositories.json", "{\"repositories\": [}\n");
  e = load_err(dir, "ecr/us-east-1/repositories.json", "invalid JSON");
  assert_int_equal(e.line, 1);
  assert_int_equal(e.column, 19);
  /* invalid UTF-8, with its position */
  ecr_test_write(dir, "ecr/us-east-1/repositories.json", "{\"repositories\": [],\n \"x\": \"\xC3\x28\"}");
  e = load_err(dir, "ecr/us-east-1/repositories.json", "UTF-8");
  assert_int_equal(e.line, 2);
  assert_int_equal(e.column, 8);
  cleanup(dir, NULL);
}

static void deep_nesting_refused(void **state) {
  (void)state;
  char *dir = bundle_new("ev-deep");
  ecr_buf b;
  ecr_buf_init(&b);
  for (int i = 0; i < 200; i++) ecr_buf_putc(&b, '[');
  for (int i = 0; i < 200; i++) ecr_buf_putc(&b, ']');
  ecr_test_write(dir, "iam/account-authorization-details.json", b.data);
  load_err(dir, "iam/account-authorization-details.json", "nested deeper than 128");
  ecr_buf_cleanup(&b);
  cleanup(dir, NULL);
}

/* Wrong types at several levels: the message names the JSON path. */
static void wrong_types_name_the_path(void **state) {
  (void)state;
  char *dir = bundle_new("ev-types");
  const char *iam = "iam/account-authorization-details.json";
  struct {
    const char *users, *groups, *roles, *policies, *needle;
  } cases[] = {
      {NULL, NULL, NULL, NULL, NULL}, /* placeholder: top level below */
      {USER("a", "") "," "{'UserName':7,'Arn':'x'}", NULL, NULL, NULL,
       "UserDetailList[1].UserName must be a string"},
      {USER("a", ",'UserPolicyList':[{'PolicyName':'p','PolicyDocument':" DOCQ(
           "{'Effect':'Allow','Action':5}") "}]"),
       NULL, NULL, NULL, "UserDetailList[0].UserPolicyList[0]: policy statement 0: Action"},
      {USER("a", ",'GroupList':'dev'"), NULL, NULL, NULL, "UserDetailList[0].GroupList must be an array"},
      {NULL, NULL, ROLE("r", ",'RolePolicyList':[{'PolicyDocument':{}}]"), NULL,
       "RoleDetailList[0].RolePolicyList[0].PolicyName is missing"},
      {NULL, NULL, ROLE("r", ",'RoleLastUsed':'yesterday'"), NULL,
       "RoleDetailList[0].RoleLastUsed must be an object"},
      {NULL, NULL, ROLE("r", ",'Tags':[{'Key':'k','Value':3}]"), NULL,
       "RoleDetailList[0].Tags[0].Value must be a string"},
      {NULL, "{'GroupName':'g','GroupPolicyList':{}}", NULL, NULL,
       "GroupDetailList[0].GroupPolicyList must be an array"},
      {NULL, NULL, NULL,
       "{'Arn':'arn:aws:iam::" ACCT ":policy/p','DefaultVersionId':'v1','PolicyVersionList':"
       "[{'VersionId':'v1','IsDefaultVersion':'yes','Document':{}}]}",
       "Policies[0].PolicyVersionList[0].IsDefaultVersion must be true or false"},
      {NULL, NULL, NULL, "{'Arn':['x']}", "Policies[0].Arn must be a string"},
      {USER("a", ",'PermissionsBoundary':'arn:x'"), NULL, NULL, NULL,
       "UserDetailList[0].PermissionsBoundary must be an object"},
  };
  for (size_t i = 1; i < sizeof(cases) / sizeof(cases[0]); i++) {
    bundle_iam(dir, cases[i].users, cases[i].groups, cases[i].roles, cases[i].policies);
    load_err(dir, iam, cases[i].needle);
  }
  writeq(dir, iam, "{'UserDetailList':'none'}");
  load_err(dir, iam, "UserDetailList must be an array");
  writeq(dir, iam, "[]");
  load_err(dir, iam, "must be a JSON object");
  /* repositories.json and repository-policies.json */
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  writeq(dir, "ecr/us-east-1/repositories.json", "{'repositories':[{'repositoryName':'a'},{'repositoryName':9}]}");
  load_err(dir, "ecr/us-east-1/repositories.json", "repositories[1].repositoryName must be a string");
  writeq(dir, "ecr/us-east-1/repositories.json", "{'repositories':{}}");
  load_err(dir, "ecr/us-east-1/repositories.json", "repositories must be an array");
  bundle_repos(dir, "us-east-1", "app");
  writeq(dir, "ecr/us-east-1/repository-policies.json",
         "[{'registryId':'" ACCT "','repositoryName':'app','policyText':12}]");
  load_err(dir, "ecr/us-east-1/repository-policies.json", "[0].policyText must be a string");
  writeq(dir, "ecr/us-east-1/repository-policies.json",
         "[{'repositoryName':'app','policyText':'{\\'Statement\\':[{\\'Effect\\':\\'Maybe\\'}]}'}]");
  ecr_error e = load_err(dir, "ecr/us-east-1/repository-policies.json", "repository app");
  assert_non_null(strstr(e.message, "Effect must be"));
  ecr_test_write(dir, "ecr/us-east-1/repository-policies.json", "[]");
  /* organizations/scps.json */
  writeq(dir, "organizations/scps.json", "[{'target':'r-1'}]");
  load_err(dir, "organizations/scps.json", "[0].policies is missing");
  writeq(dir, "organizations/scps.json", "[{'target':'r-1','policies':[{'Id':'p-1','Content':3}]}]");
  load_err(dir, "organizations/scps.json", "[0].policies[0]");
  writeq(dir, "organizations/scps.json", "{'target':'r-1'}");
  load_err(dir, "organizations/scps.json", "must be a JSON array");
  cleanup(dir, NULL);
}

/* An array element of the wrong type: the path is named without a stray
 * "." before "must" (e.g. "UserDetailList[0].GroupList[0] must be a string"). */
static void wrong_element_type_message(void **state) {
  (void)state;
  char *dir = bundle_new("ev-elem");
  bundle_iam(dir, USER("a", ",'GroupList':[3]"), NULL, NULL, NULL);
  ecr_error e = load_err(dir, "iam/account-authorization-details.json",
                         "UserDetailList[0].GroupList[0]");
  if (strstr(e.message, ". must"))
    fail_msg("BUG (evidence.c type_error with an empty key): \"%s\"", e.message);
  bundle_iam(dir, "3", NULL, NULL, NULL);
  e = load_err(dir, "iam/account-authorization-details.json", "UserDetailList[0]");
  if (strstr(e.message, ". must"))
    fail_msg("BUG (evidence.c type_error with an empty key): \"%s\"", e.message);
  cleanup(dir, NULL);
}

/* ---- documents, principals, regions ------------------------------------------------ */

static void document_forms_and_principals(void **state) {
  (void)state;
  char *dir = bundle_new("ev-forms");
  /* the raw API form: a URL-encoded JSON string */
  const char *encoded =
      "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22"
      "%2C%22Action%22%3A%22ecr%3APutImage%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
  char *users = ecr_xasprintf(
      USER("alice", ",'UserPolicyList':[{'PolicyName':'enc','PolicyDocument':'%s'}],"
                    "'GroupList':['dev','ghost'],'PasswordLastUsed':'2026-10-01T08:00:00Z',"
                    "'Tags':[{'Key':'team','Value':'web'}]"),
      encoded);
  bundle_iam(dir, users,
             "{'GroupName':'dev','Arn':'arn:aws:iam::" ACCT ":group/dev','GroupPolicyList':["
             INLINE("g", ALLOW("'ecr:BatchGetImage'", "'*'")) "]}",
             ROLE("ci", ",'AssumeRolePolicyDocument':'{\\'Version\\':\\'2012-10-17\\',\\'Statement\\':"
                        "[{\\'Effect\\':\\'Allow\\',\\'Principal\\':{\\'Service\\':\\'codebuild.amazonaws.com\\'},"
                        "\\'Action\\':\\'sts:AssumeRole\\'}]}',"
                        "'RoleLastUsed':{'LastUsedDate':'2026-11-01T00:00:00Z','Region':'eu-west-1'}") ","
             "{'RoleName':'AWSServiceRoleForECRReplication','Arn':'arn:aws:iam::" ACCT
             ":role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication',"
             "'Path':'/aws-service-role/replication.ecr.amazonaws.com/'}",
             NULL);
  free(users);
  bundle_repos(dir, "us-east-1", "app,team/api");
  bundle_repos(dir, "eu-west-1", "app");
  ecr_evidence *ev = load_ok(dir);
  assert_string_equal(ev->account, ACCT);
  assert_string_equal(ev->partition, "aws");
  assert_string_equal(ev->caller_arn, USER_ARN("auditor"));
  assert_int_equal(ev->n_principals, 3);
  const ecr_iam_principal *alice = &ev->principals[ecr_evidence_find_principal(ev, USER_ARN("alice"))];
  assert_int_equal(alice->cls, ECR_PRINCIPAL_USER);
  assert_int_equal(alice->n_inline, 1);
  assert_int_equal(alice->inline_policies[0].doc->statements[0].actions, abit("ecr:PutImage"));
  assert_int_equal(alice->n_groups, 1);
  assert_string_equal(ev->groups[alice->groups[0]].name, "dev");
  assert_int_equal(alice->n_missing_groups, 1); /* "ghost" is not in GroupDetailList */
  assert_string_equal(alice->missing_groups[0], "ghost");
  assert_string_equal(alice->last_used, "2026-10-01T08:00:00Z");
  assert_int_equal(alice->n_tags, 1);
  assert_string_equal(alice->tags[0].value, "web");
  long ci = ecr_evidence_find_principal(ev, ROLE_ARN("ci"));
  assert_true(ci >= 0);
  assert_int_equal(ev->principals[ci].cls, ECR_PRINCIPAL_ROLE);
  assert_non_null(ev->principals[ci].trust);
  assert_int_equal(ev->principals[ci].trust->statements[0].principals[0].type, ECR_PT_SERVICE);
  assert_string_equal(ev->principals[ci].last_used, "2026-11-01T00:00:00Z");
  assert_string_equal(ev->principals[ci].last_used_region, "eu-west-1");
  assert_false(ev->principals[ci].service_linked);
  assert_true(ev->principals[2].service_linked);
  assert_int_equal(ecr_evidence_find_principal(ev, ROLE_ARN("nobody")), -1);
  /* regions sorted by name, repositories by ARN */
  assert_int_equal(ev->n_regions, 2);
  assert_string_equal(ev->regions[0].name, "eu-west-1");
  assert_string_equal(ev->regions[1].name, "us-east-1");
  assert_int_equal(ev->n_repos, 3);
  assert_string_equal(ev->repos[0].arn, REPO_ARN("eu-west-1", "app"));
  assert_string_equal(ev->repos[1].arn, USE1("app"));
  assert_string_equal(ev->repos[2].arn, USE1("team/api"));
  assert_string_equal(ev->repos[2].name, "team/api");
  assert_string_equal(ev->repos[2].region, "us-east-1");
  /* no repository-policies.json at all: every repository is a gap */
  for (size_t i = 0; i < ev->n_repos; i++) assert_true(ev->repos[i].policy_gap);
  /* files are listed with hashes, sorted by path */
  assert_true(ev->n_files >= 4);
  for (size_t i = 1; i < ev->n_files; i++) assert_true(strcmp(ev->files[i - 1].path, ev->files[i].path) < 0);
  assert_int_equal(strlen(ev->files[0].sha256), 64);
  cleanup(dir, ev);
}

static void repository_and_registry_policies(void **state) {
  (void)state;
  char *dir = bundle_new("ev-repo-pol");
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app,web,ops/tools");
  bundle_repos(dir, "eu-west-1", "app");
  const char *pol[] = {"app", DOCQ("{'Sid':'Pull','Effect':'Allow','Principal':'*','Action':'ecr:BatchGetImage'}"),
                       "ops/tools", DOCQ("{'Effect':'Deny','Principal':{'AWS':'444455556666'},'Action':'ecr:*'}"),
                       "not-listed", DOCQ("{'Effect':'Allow','Principal':'*','Action':'ecr:*'}"), NULL};
  bundle_repo_policies(dir, "us-east-1", pol);
  const char *none[] = {NULL};
  bundle_repo_policies(dir, "eu-west-1", none);
  bundle_registry_policy(dir, "us-east-1",
                         DOCQ("{'Sid':'Repl','Effect':'Allow','Principal':{'AWS':'arn:aws:iam::444455556666:root'},"
                              "'Action':['ecr:ReplicateImage','ecr:CreateRepository'],"
                              "'Resource':'arn:aws:ecr:us-east-1:" ACCT ":repository/*'}"));
  ecr_evidence *ev = load_ok(dir);
  const ecr_repository *app = repo(ev, USE1("app"));
  assert_non_null(app->policy);
  assert_false(app->policy_gap);
  assert_string_equal(app->policy->statements[0].sid, "Pull");
  assert_int_equal(app->policy->statements[0].principals[0].type, ECR_PT_STAR);
  assert_null(repo(ev, USE1("web"))->policy); /* absent from the file: no policy */
  assert_false(repo(ev, USE1("web"))->policy_gap);
  const ecr_repository *ops = repo(ev, USE1("ops/tools"));
  assert_true(ops->policy->statements[0].deny);
  assert_string_equal(ops->policy->statements[0].principals[0].value, "arn:aws:iam::444455556666:root");
  assert_null(repo(ev, REPO_ARN("eu-west-1", "app"))->policy);
  assert_false(repo(ev, REPO_ARN("eu-west-1", "app"))->policy_gap);
  /* registry policy of us-east-1 only */
  assert_string_equal(ev->regions[1].name, "us-east-1");
  assert_non_null(ev->regions[1].registry_policy);
  assert_int_equal(ev->regions[1].registry_policy->statements[0].actions,
                   abit("ecr:ReplicateImage") | abit("ecr:CreateRepository"));
  assert_null(ev->regions[0].registry_policy);
  assert_int_equal(ev->n_gaps, 0);
  cleanup(dir, ev);
}

static void missing_repository_policies_file(void **state) {
  (void)state;
  char *dir = bundle_new("ev-nopol");
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "a,b");
  bundle_repos(dir, "eu-west-1", "c");
  const char *none[] = {NULL};
  bundle_repo_policies(dir, "eu-west-1", none);
  ecr_evidence *ev = load_ok(dir);
  assert_true(repo(ev, USE1("a"))->policy_gap);
  assert_true(repo(ev, USE1("b"))->policy_gap);
  assert_non_null(strstr(repo(ev, USE1("a"))->gap_error, "ecr/us-east-1/repository-policies.json"));
  assert_false(repo(ev, REPO_ARN("eu-west-1", "c"))->policy_gap);
  /* one gap per repository, named by ARN */
  size_t n = 0;
  for (size_t i = 0; i < ev->n_gaps; i++)
    if (strcmp(ev->gaps[i].source, "ecr:GetRepositoryPolicy") == 0) {
      n++;
      assert_true(strcmp(ev->gaps[i].resource, USE1("a")) == 0 ||
                  strcmp(ev->gaps[i].resource, USE1("b")) == 0);
    }
  assert_int_equal(n, 2);
  /* a region directory without repositories.json: the region is a gap */
  ecr_test_write(dir, "ecr/ap-south-1/registry-policy.json", "{}");
  ecr_evidence_free(ev);
  ev = load_ok(dir);
  assert_int_equal(ev->n_regions, 3);
  assert_string_equal(ev->regions[0].name, "ap-south-1");
  assert_true(ev->regions[0].repositories_gap);
  assert_false(ev->regions[1].repositories_gap);
  cleanup(dir, ev);
}

static void scp_levels(void **state) {
  (void)state;
  char *dir = bundle_new("ev-scp");
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app");
  writeq(dir, "organizations/scps.json",
         "[{'target':'r-root','policies':[{'Id':'p-FullAWSAccess','Name':'FullAWSAccess',"
         "'Content':'{\\'Version\\':\\'2012-10-17\\',\\'Statement\\':[{\\'Effect\\':\\'Allow\\',"
         "\\'Action\\':\\'*\\',\\'Resource\\':\\'*\\'}]}'}]},"
         "{'target':'ou-prod','policies':[{'Id':'p-a','Content':" DOCQ(ALLOW("'ecr:*'", "'*'")) "},"
         "{'Policy':{'PolicySummary':{'Id':'p-b','Name':'Guard'},'Content':"
         DOCQ(DENY("'ecr:DeleteRepository'", "'*'")) "}}]},"
         "{'target':'" ACCT "','policies':[]}]");
  ecr_evidence *ev = load_ok(dir);
  assert_true(ev->scps_present);
  assert_int_equal(ev->n_scp_levels, 3);
  assert_string_equal(ev->scp_levels[0].target, "r-root");
  assert_int_equal(ev->scp_levels[0].n_policies, 1);
  assert_string_equal(ev->scp_levels[0].policies[0].name, "FullAWSAccess");
  assert_int_equal(ev->scp_levels[0].policies[0].doc->statements[0].actions, ecr_catalog_all());
  assert_int_equal(ev->scp_levels[1].n_policies, 2);
  assert_string_equal(ev->scp_levels[1].policies[1].id, "p-b"); /* describe-policy form */
  assert_string_equal(ev->scp_levels[1].policies[1].name, "Guard");
  assert_true(ev->scp_levels[1].policies[1].doc->statements[0].deny);
  assert_string_equal(ev->scp_levels[2].target, ACCT);
  assert_int_equal(ev->scp_levels[2].n_policies, 0);
  ecr_evidence_free(ev);
  /* without the file: no SCPs */
  char *p = ecr_path_join(dir, "organizations/scps.json");
  remove(p);
  free(p);
  ev = load_ok(dir);
  assert_false(ev->scps_present);
  assert_int_equal(ev->n_scp_levels, 0);
  cleanup(dir, ev);
}

/* ---- manifest -------------------------------------------------------------------------- */

static void manifest_gaps_and_hashes(void **state) {
  (void)state;
  char *dir = bundle_new("ev-manifest");
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app,web");
  bundle_repos(dir, "eu-west-1", "app");
  const char *none[] = {NULL};
  bundle_repo_policies(dir, "us-east-1", none);
  bundle_repo_policies(dir, "eu-west-1", none);
  char *iam_path = ecr_path_join(dir, "iam/account-authorization-details.json");
  char *iam = ecr_test_slurp(iam_path);
  char sha[65];
  ecr_sha256_hex(iam, strlen(iam), sha);
  char *man = ecr_xasprintf(
      "{'tool':'ecraudit','tool_version':'0.1.0','account':'" ACCT "','collected_at':'2026-11-20T09:00:00Z',"
      "'files':[{'path':'iam/account-authorization-details.json','sha256':'%s'}],"
      "'gaps':[{'source':'ecr:GetRepositoryPolicy','resource':'" USE1("web") "',"
      "'error':'AccessDeniedException: not authorized'},"
      "{'source':'ecr:GetRegistryPolicy','resource':'eu-west-1','error':'AccessDeniedException: no'}]}",
      sha);
  writeq(dir, "manifest.json", man);
  ecr_evidence *ev = load_ok(dir);
  assert_string_equal(ev->collected_at, "2026-11-20T09:00:00Z");
  assert_string_equal(ev->collector_version, "0.1.0");
  assert_true(repo(ev, USE1("web"))->policy_gap);
  assert_string_equal(repo(ev, USE1("web"))->gap_error, "AccessDeniedException: not authorized");
  assert_false(repo(ev, USE1("app"))->policy_gap);
  assert_false(repo(ev, REPO_ARN("eu-west-1", "app"))->policy_gap);
  assert_true(ev->regions[0].registry_policy_gap); /* eu-west-1 */
  assert_false(ev->regions[1].registry_policy_gap);
  assert_int_equal(ev->n_gaps, 2);
  ecr_evidence_free(ev);
  ev = NULL;
  /* a file changed after collection: SHA-256 mismatch is an input error */
  char *bad = ecr_xstrdup(sha);
  bad[0] = bad[0] == '0' ? '1' : '0';
  free(man);
  man = ecr_xasprintf("{'account':'" ACCT "','files':[{'path':'iam/account-authorization-details.json',"
                      "'sha256':'%s'}]}",
                      bad);
  writeq(dir, "manifest.json", man);
  ecr_error e = load_err(dir, "manifest.json", "SHA-256 of iam/account-authorization-details.json");
  assert_non_null(strstr(e.message, bad));
  /* upper-case hex in the manifest is the same hash */
  for (char *c = sha; *c; c++)
    if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 32);
  free(man);
  man = ecr_xasprintf("{'files':[{'path':'iam/account-authorization-details.json','sha256':'%s'}]}", sha);
  writeq(dir, "manifest.json", man);
  ev = load_ok(dir);
  ecr_evidence_free(ev);
  ev = NULL;
  /* a listed file that is missing */
  writeq(dir, "manifest.json", "{'files':[{'path':'ecr/us-east-1/registry-policy.json','sha256':'00'}]}");
  load_err(dir, "manifest.json", "ecr/us-east-1/registry-policy.json");
  /* a manifest account that is not 12 digits */
  writeq(dir, "manifest.json", "{'account':'12'}");
  load_err(dir, "manifest.json", "12-digit");
  free(bad);
  free(man);
  free(iam);
  free(iam_path);
  cleanup(dir, ev);
}

/* ---- IAM details -------------------------------------------------------------------------- */

static void missing_managed_policy_is_a_gap(void **state) {
  (void)state;
  char *dir = bundle_new("ev-mp");
  bundle_iam(dir,
             USER("alice", ",'AttachedManagedPolicies':[{'PolicyName':'Gone','PolicyArn':'arn:aws:iam::" ACCT
                           ":policy/Gone'},{'PolicyName':'Here','PolicyArn':'arn:aws:iam::" ACCT ":policy/Here'}],"
                           "'PermissionsBoundary':{'PermissionsBoundaryType':'Policy',"
                           "'PermissionsBoundaryArn':'arn:aws:iam::" ACCT ":policy/Bound'}"),
             NULL, NULL,
             "{'PolicyName':'Here','Arn':'arn:aws:iam::" ACCT ":policy/Here','DefaultVersionId':'v1',"
             "'PolicyVersionList':[{'VersionId':'v1','IsDefaultVersion':true,'Document':"
             DOCQ(ALLOW("'ecr:ListImages'", "'*'")) "}]}");
  bundle_repos(dir, "us-east-1", "app");
  ecr_evidence *ev = load_ok(dir);
  const ecr_iam_principal *a = &ev->principals[0];
  assert_int_equal(a->n_managed, 1);
  assert_string_equal(ev->managed[a->managed[0]].arn, "arn:aws:iam::" ACCT ":policy/Here");
  assert_int_equal(a->n_missing_managed, 2); /* Gone and the boundary */
  assert_string_equal(a->missing_managed[0], "arn:aws:iam::" ACCT ":policy/Gone");
  assert_string_equal(a->missing_managed[1], "arn:aws:iam::" ACCT ":policy/Bound");
  assert_true(a->has_boundary);
  assert_int_equal(a->boundary, -1);
  size_t n = 0;
  for (size_t i = 0; i < ev->n_gaps; i++)
    if (strstr(ev->gaps[i].resource, ":policy/Gone") || strstr(ev->gaps[i].resource, ":policy/Bound")) n++;
  assert_int_equal(n, 2);
  cleanup(dir, ev);
}

static void default_policy_version_only(void **state) {
  (void)state;
  char *dir = bundle_new("ev-versions");
  bundle_iam(dir, NULL, NULL, NULL,
             /* explicit IsDefaultVersion; the non-default v1 would grant PutImage */
             "{'PolicyName':'A','Arn':'arn:aws:iam::" ACCT ":policy/A','DefaultVersionId':'v2',"
             "'PolicyVersionList':[{'VersionId':'v1','IsDefaultVersion':false,'Document':"
             DOCQ(ALLOW("'ecr:PutImage'", "'*'")) "},{'VersionId':'v2','IsDefaultVersion':true,'Document':"
             DOCQ(ALLOW("'ecr:BatchGetImage'", "'*'")) "}]},"
             /* no IsDefaultVersion: DefaultVersionId decides */
             "{'PolicyName':'B','Arn':'arn:aws:iam::" ACCT ":policy/B','DefaultVersionId':'v1',"
             "'PolicyVersionList':[{'VersionId':'v3','Document':" DOCQ(ALLOW("'ecr:*'", "'*'")) "},"
             "{'VersionId':'v1','Document':" DOCQ(ALLOW("'ecr:ListImages'", "'*'")) "}]},"
             /* two default versions: an error later; here a policy without any */
             "{'PolicyName':'C','Arn':'arn:aws:iam::" ACCT ":policy/C','DefaultVersionId':'v9',"
             "'PolicyVersionList':[{'VersionId':'v1','IsDefaultVersion':false,'Document':"
             DOCQ(ALLOW("'ecr:*'", "'*'")) "}]}");
  bundle_repos(dir, "us-east-1", "app");
  ecr_evidence *ev = load_ok(dir);
  assert_int_equal(ev->n_managed, 3);
  assert_int_equal(ev->managed[0].doc->statements[0].actions, abit("ecr:BatchGetImage"));
  assert_string_equal(ev->managed[0].default_version, "v2");
  assert_int_equal(ev->managed[1].doc->statements[0].actions, abit("ecr:ListImages"));
  assert_null(ev->managed[2].doc);
  ecr_evidence_free(ev);
  /* two versions marked default */
  bundle_iam(dir, NULL, NULL, NULL,
             "{'PolicyName':'A','Arn':'arn:aws:iam::" ACCT ":policy/A','DefaultVersionId':'v2',"
             "'PolicyVersionList':[{'VersionId':'v1','IsDefaultVersion':true,'Document':{}},"
             "{'VersionId':'v2','IsDefaultVersion':true,'Document':{}}]}");
  load_err(dir, "iam/account-authorization-details.json", "more than one default version");
  cleanup(dir, NULL);
}

static void account_sources(void **state) {
  (void)state;
  /* no caller identity: the account comes from the principals' ARNs */
  char *dir = ecr_test_tmpdir("ev-acct");
  bundle_iam(dir, USER("alice", ""), NULL, NULL, NULL);
  ecr_evidence *ev = load_ok(dir);
  assert_string_equal(ev->account, ACCT);
  assert_null(ev->caller_arn);
  assert_null(ev->collected_at);
  ecr_evidence_free(ev);
  /* nothing names the account */
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  load_err(dir, "sts/caller-identity.json", "account id cannot be determined");
  /* a malformed account id */
  writeq(dir, "sts/caller-identity.json", "{'Account':'1234','Arn':'x'}");
  load_err(dir, "sts/caller-identity.json", "12-digit");
  /* partition from the caller ARN */
  writeq(dir, "sts/caller-identity.json",
         "{'Account':'" ACCT "','Arn':'arn:aws-cn:iam::" ACCT ":user/auditor'}");
  bundle_repos(dir, "cn-north-1", "app");
  writeq(dir, "ecr/cn-north-1/repositories.json", "{'repositories':[{'repositoryName':'app'}]}");
  ev = load_ok(dir);
  assert_string_equal(ev->partition, "aws-cn");
  assert_string_equal(ev->repos[0].arn, "arn:aws-cn:ecr:cn-north-1:" ACCT ":repository/app");
  cleanup(dir, ev);
}

static void credential_report_last_use(void **state) {
  (void)state;
  /* last use = the latest of password_last_used and the access keys' last use;
     N/A, no_information and bytes that are not a time are ignored */
  char *dir = ecr_test_tmpdir("ev-credreport");
  bundle_iam(dir, USER("alice", "") "," USER("bob", "") "," USER("carol", ""), NULL, NULL, NULL);
  writeq(dir, "iam/credential-report.json",
         "{'Content':'dXNlcixhcm4sdXNlcl9jcmVhdGlvbl90aW1lLHBhc3N3b3JkX2VuYWJsZWQscGFzc3dvcmRfbGFzdF91c2VkLGFjY2Vzc19rZXlfMV9hY3RpdmUsYWNjZXNzX2tleV8xX2xhc3RfdXNlZF9kYXRlLGFjY2Vzc19rZXlfMl9hY3RpdmUsYWNjZXNzX2tleV8yX2xhc3RfdXNlZF9kYXRlCjxyb290X2FjY291bnQ+LGFybjphd3M6aWFtOjoxMTExMjIyMjMzMzM6cm9vdCwyMDE5LTAxLTAxVDAwOjAwOjAwKzAwOjAwLG5vdF9zdXBwb3J0ZWQsMjAyNS0wNi0wMVQwMDowMDowMCswMDowMCxmYWxzZSxOL0EsZmFsc2UsTi9BCmFsaWNlLGFybjphd3M6aWFtOjoxMTExMjIyMjMzMzM6dXNlci9hbGljZSwyMDE5LTAxLTAxVDAwOjAwOjAwKzAwOjAwLHRydWUsMjAyNS0wMS0wMlQwMzowNDowNSswMDowMCx0cnVlLDIwMjUtMTEtMThUMTY6NDI6MDkrMDA6MDAsZmFsc2UsTi9BCmJvYixhcm46YXdzOmlhbTo6MTExMTIyMjIzMzMzOnVzZXIvYm9iLDIwMTktMDEtMDFUMDA6MDA6MDArMDA6MDAsZmFsc2Usbm9faW5mb3JtYXRpb24sdHJ1ZSxOL0EsZmFsc2UsTi9BCmNhcm9sLGFybjphd3M6aWFtOjoxMTExMjIyMjMzMzM6dXNlci9jYXJvbCwyMDE5LTAxLTAxVDAwOjAwOjAwKzAwOjAwLHRydWUsMjAyNS3/AWJhZCxmYWxzZSxOL0EsZmFsc2UsTi9BCg==','ReportFormat':'text/csv'}");
  ecr_evidence *ev = load_ok(dir);
  size_t seen = 0;
  for (size_t i = 0; i < ev->n_principals; i++) {
    const ecr_iam_principal *p = &ev->principals[i];
    if (strcmp(p->name, "alice") == 0) {
      assert_string_equal(p->last_used, "2025-11-18T16:42:09+00:00");
      seen++;
    } else if (strcmp(p->name, "bob") == 0 || strcmp(p->name, "carol") == 0) {
      assert_null(p->last_used);
      seen++;
    }
  }
  assert_int_equal(seen, 3);
  ecr_evidence_free(ev);
  writeq(dir, "iam/credential-report.json", "{'Content':'not base64!'}");
  load_err(dir, "iam/credential-report.json", "not base64");
  writeq(dir, "iam/credential-report.json", "{'State':'COMPLETE'}");
  load_err(dir, "iam/credential-report.json", "Content");
  writeq(dir, "iam/credential-report.json", "{'Content':'dXNlcixuYW1lCg=='}"); /* "user,name" */
  load_err(dir, "iam/credential-report.json", "no \"arn\" column");
  cleanup(dir, NULL);
}

/* ---- repository tags, organization, accounts, RCPs ---------------------------------------- */

static void rm_rel(const char *dir, const char *rel) {
  char *p = ecr_path_join(dir, rel);
  remove(p);
  free(p);
}

static bool listed_file(const ecr_evidence *ev, const char *rel) {
  for (size_t i = 0; i < ev->n_files; i++)
    if (strcmp(ev->files[i].path, rel) == 0) return true;
  return false;
}

#define TAGS_USE1 "ecr/us-east-1/repository-tags.json"

static void repository_tags(void **state) {
  (void)state;
  char *dir = bundle_new("ev-tags");
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "prod/payments,dev/web,base");
  bundle_repos(dir, "eu-west-1", "prod/payments");
  /* present: two repositories listed (one with no tags), one not listed, one
   * ARN of no repository of the bundle (ignored), a tag without Value */
  writeq(dir, TAGS_USE1,
         "[{'resourceArn':'" USE1("prod/payments") "','tags':[{'Key':'team','Value':'payments'},"
         "{'Key':'env','Value':'prod'}]},"
         "{'resourceArn':'" USE1("base") "','tags':[]},"
         "{'resourceArn':'" USE1("deleted") "','tags':[{'Key':'team','Value':'gone'}]},"
         "{'resourceArn':'" REPO_ARN("eu-west-1", "prod/payments") "','tags':[{'Key':'x'}]}]");
  ecr_evidence *ev = load_ok(dir);
  const ecr_repository *pay = repo(ev, USE1("prod/payments"));
  assert_true(pay->tags_known);
  assert_int_equal(pay->n_tags, 2);
  assert_string_equal(pay->tags[0].key, "team");
  assert_string_equal(pay->tags[0].value, "payments");
  assert_string_equal(pay->tags[1].key, "env");
  assert_string_equal(pay->tags[1].value, "prod");
  const ecr_repository *base = repo(ev, USE1("base"));
  assert_true(base->tags_known); /* an empty list is known: no tags */
  assert_int_equal(base->n_tags, 0);
  assert_false(repo(ev, USE1("dev/web"))->tags_known); /* not listed: unknown */
  /* eu-west-1 has no tags file; a us-east-1 entry for its repository is not its tags */
  const ecr_repository *eu = repo(ev, REPO_ARN("eu-west-1", "prod/payments"));
  assert_false(eu->tags_known);
  assert_int_equal(eu->n_tags, 0);
  for (size_t i = 0; i < ev->n_regions; i++)
    assert_int_equal(ev->regions[i].tags_present, strcmp(ev->regions[i].name, "us-east-1") == 0);
  assert_true(listed_file(ev, TAGS_USE1));
  ecr_evidence_free(ev);

  /* empty array: the file is there, every repository's tags unknown */
  writeq(dir, TAGS_USE1, "[]");
  ev = load_ok(dir);
  assert_true(ev->regions[1].tags_present);
  assert_false(repo(ev, USE1("base"))->tags_known);
  ecr_evidence_free(ev);

  /* absent */
  rm_rel(dir, TAGS_USE1);
  ev = load_ok(dir);
  for (size_t i = 0; i < ev->n_regions; i++)
    assert_false(ev->regions[i].tags_present);
  assert_false(repo(ev, USE1("prod/payments"))->tags_known);
  assert_false(listed_file(ev, TAGS_USE1));
  ecr_evidence_free(ev);

  /* malformed */
  static const char *const bad[][2] = {
      {"{'tags':[]}", "must be a JSON array of {\"resourceArn\", \"tags\"}"},
      {"['x']", "[0] must be an object"},
      {"[{'tags':[]}]", "[0].resourceArn is missing"},
      {"[{'resourceArn':7,'tags':[]}]", "[0].resourceArn must be a string"},
      {"[{'resourceArn':'" USE1("base") "'}]", "[0].tags is missing"},
      {"[{'resourceArn':'" USE1("base") "','tags':{}}]", "[0].tags must be an array"},
      {"[{'resourceArn':'" USE1("base") "','tags':[{'Value':'v'}]}]", "[0].tags[0].Key is missing"},
      {"[{'resourceArn':'" USE1("base") "','tags':[{'Key':'k','Value':1}]}]",
       "[0].tags[0].Value must be a string"},
      /* an unknown repository's entry is checked all the same */
      {"[{'resourceArn':'" USE1("deleted") "','tags':[3]}]", "[0].tags[0] must be an object"},
      {"[{'resourceArn':'" USE1("base") "','tags':[{'Key':'team','Value':'a'},{'Key':'env'},"
       "{'Key':'team','Value':'b'}]}]",
       "[0].tags[0] and [0].tags[2]: key team twice"},
      {"[{'resourceArn':'a','resourceArn':'b','tags':[]}]", "duplicate key"},
      {"[{'resourceArn':'" USE1("base") "','tags':[]", NULL},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    writeq(dir, TAGS_USE1, bad[i][0]);
    load_err(dir, TAGS_USE1, bad[i][1]);
  }
  /* duplicates name both entries, whichever repository they are */
  writeq(dir, TAGS_USE1,
         "[{'resourceArn':'" USE1("base") "','tags':[]},"
         "{'resourceArn':'" USE1("dev/web") "','tags':[]},"
         "{'resourceArn':'" USE1("base") "','tags':[{'Key':'a','Value':'b'}]}]");
  load_err(dir, TAGS_USE1,
           "[0] and [2] are both repository " USE1("base") " (each repository must be listed once)");
  writeq(dir, TAGS_USE1,
         "[{'resourceArn':'" USE1("gone") "','tags':[]},{'resourceArn':'" USE1("gone") "','tags':[]}]");
  load_err(dir, TAGS_USE1, "[0] and [1] are both repository " USE1("gone"));
  cleanup(dir, NULL);
}

#define RCPS "organizations/rcps.json"
#define RCP_FULL                                                                                  \
  "{'Id':'p-RCPFullAWSAccess','Name':'RCPFullAWSAccess','Content':'{\\'Version\\':\\'2012-10-17\\'," \
  "\\'Statement\\':[{\\'Effect\\':\\'Allow\\',\\'Principal\\':\\'*\\',\\'Action\\':\\'*\\',"       \
  "\\'Resource\\':\\'*\\'}]}'}"

static void rcp_levels(void **state) {
  (void)state;
  char *dir = bundle_new("ev-rcp");
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app");
  writeq(dir, RCPS,
         "[{'target':'r-root','policies':[" RCP_FULL ",{'Id':'p-perim','Name':'perimeter','Content':"
         "{'Version':'2012-10-17','Statement':[{'Effect':'Deny','Principal':'*','Action':'ecr:*',"
         "'Resource':'*','Condition':{'StringNotEqualsIfExists':{'aws:PrincipalOrgID':'o-abcdefghij'},"
         "'BoolIfExists':{'aws:PrincipalIsAWSService':'false'}}}]}}]},"
         "{'target':'ou-prod','policies':[" RCP_FULL "]},"
         "{'target':'" ACCT "','policies':[]}]");
  ecr_evidence *ev = load_ok(dir);
  assert_true(ev->rcps_present);
  assert_false(ev->scps_present);
  assert_int_equal(ev->n_rcp_levels, 3);
  assert_string_equal(ev->rcp_levels[0].target, "r-root");
  assert_int_equal(ev->rcp_levels[0].n_policies, 2);
  assert_string_equal(ev->rcp_levels[0].policies[0].name, "RCPFullAWSAccess");
  assert_string_equal(ev->rcp_levels[0].policies[1].id, "p-perim");
  assert_true(ev->rcp_levels[0].policies[1].doc->statements[0].deny);
  assert_string_equal(ev->rcp_levels[1].target, "ou-prod");
  assert_int_equal(ev->rcp_levels[2].n_policies, 0);
  bool gap = false;
  for (size_t i = 0; i < ev->n_gaps; i++)
    gap = gap || (strcmp(ev->gaps[i].resource, ACCT) == 0 &&
                  strstr(ev->gaps[i].error, "no RCP listed for this level") != NULL);
  assert_true(gap);
  assert_true(listed_file(ev, RCPS));
  ecr_evidence_free(ev);
  /* empty: present, no level */
  writeq(dir, RCPS, "[]");
  ev = load_ok(dir);
  assert_true(ev->rcps_present);
  assert_int_equal(ev->n_rcp_levels, 0);
  ecr_evidence_free(ev);
  /* malformed: the SCP loader's messages, naming rcps.json */
  static const char *const bad[][2] = {
      {"{}", "must be a JSON array of {target, policies}"},
      {"[{'policies':[]}]", "[0].target is missing"},
      {"[{'target':'r-root'}]", "[0].policies is missing"},
      {"[{'target':'r-root','policies':[{'Id':'p-x','Content':'{not json'}]}]", "[0].policies[0]"},
      {"[{'target':'r-root','target':'r-other','policies':[]}]", "duplicate key"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    writeq(dir, RCPS, bad[i][0]);
    load_err(dir, RCPS, bad[i][1]);
  }
  /* absent */
  rm_rel(dir, RCPS);
  ev = load_ok(dir);
  assert_false(ev->rcps_present);
  assert_int_equal(ev->n_rcp_levels, 0);
  assert_null(ev->rcp_levels);
  cleanup(dir, ev);
}

#define ORG "organizations/organization.json"
#define ACCOUNTS "organizations/accounts.json"

static void organization_and_accounts(void **state) {
  (void)state;
  char *dir = bundle_new("ev-org");
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app");
  writeq(dir, ORG,
         "{'Organization':{'Id':'o-a1b2c3d4e5','Arn':'arn:aws:organizations::999988887777:"
         "organization/o-a1b2c3d4e5','FeatureSet':'ALL','MasterAccountId':'999988887777',"
         "'AvailablePolicyTypes':[]}}");
  writeq(dir, ACCOUNTS,
         "{'Accounts':[{'Id':'999988887777','Arn':'arn:aws:organizations::999988887777:account/"
         "o-a1b2c3d4e5/999988887777','Name':'management','Status':'ACTIVE',"
         "'JoinedTimestamp':'2020-01-01T00:00:00+00:00'},"
         "{'Id':'" ACCT "','Name':'acme','Status':'ACTIVE','State':'ACTIVE'},"
         "{'Id':'222233334444','Status':'SUSPENDED','State':'CLOSED'},"
         "{'Id':'333344445555','State':'PENDING_ACTIVATION'}]}");
  ecr_evidence *ev = load_ok(dir);
  assert_true(ev->org_present);
  assert_string_equal(ev->org_id, "o-a1b2c3d4e5");
  assert_string_equal(ev->org_management_account, "999988887777");
  assert_true(ev->accounts_present);
  assert_int_equal(ev->n_org_accounts, 4);
  assert_string_equal(ev->org_accounts[0].id, "999988887777");
  assert_string_equal(ev->org_accounts[0].name, "management");
  assert_non_null(strstr(ev->org_accounts[0].arn, ":account/o-a1b2c3d4e5/"));
  assert_string_equal(ev->org_accounts[0].status, "ACTIVE");
  assert_null(ev->org_accounts[2].name);
  assert_string_equal(ev->org_accounts[2].status, "CLOSED");   /* State wins */
  assert_string_equal(ev->org_accounts[3].status, "PENDING_ACTIVATION");
  assert_true(listed_file(ev, ORG) && listed_file(ev, ACCOUNTS));
  ecr_evidence_free(ev);

  /* empty: an organization without MasterAccountId, no accounts */
  writeq(dir, ORG, "{'Organization':{'Id':'o-a1b2c3d4e5'}}");
  writeq(dir, ACCOUNTS, "{'Accounts':[]}");
  ev = load_ok(dir);
  assert_true(ev->org_present && ev->accounts_present);
  assert_null(ev->org_management_account);
  assert_int_equal(ev->n_org_accounts, 0);
  ecr_evidence_free(ev);

  /* absent */
  rm_rel(dir, ORG);
  rm_rel(dir, ACCOUNTS);
  ev = load_ok(dir);
  assert_false(ev->org_present);
  assert_false(ev->accounts_present);
  assert_null(ev->org_id);
  assert_null(ev->org_accounts);
  ecr_evidence_free(ev);

  static const char *const bad_org[][2] = {
      {"[]", "must be a JSON object with an \"Organization\" object"},
      {"{}", "must be a JSON object with an \"Organization\" object"},
      {"{'Organization':{'MasterAccountId':'999988887777'}}", "Organization.Id is missing"},
      {"{'Organization':{'Id':5}}", "Organization.Id must be a string"},
      {"{'Organization':{'Id':'r-a1b2'}}", "Organization.Id must be an organization id"},
      {"{'Organization':{'Id':'o-a1b2c3d4e5','MasterAccountId':'12'}}",
       "Organization.MasterAccountId must be a 12-digit account id"},
      {"{'Organization':{'Id':'o-a1b2c3d4e5','Id':'o-a1b2c3d4e6'}}", "duplicate key"},
      {"{'Organization':", NULL},
  };
  for (size_t i = 0; i < sizeof(bad_org) / sizeof(bad_org[0]); i++) {
    writeq(dir, ORG, bad_org[i][0]);
    load_err(dir, ORG, bad_org[i][1]);
  }
  rm_rel(dir, ORG);
  static const char *const bad_acc[][2] = {
      {"[]", "must be a JSON object with \"Accounts\""},
      {"{}", "Accounts is missing"},
      {"{'Accounts':{}}", "Accounts must be an array"},
      {"{'Accounts':[1]}", "Accounts[0] must be an object"},
      {"{'Accounts':[{'Name':'x'}]}", "Accounts[0].Id is missing"},
      {"{'Accounts':[{'Id':'12345'}]}", "Accounts[0].Id must be a 12-digit account id"},
      {"{'Accounts':[{'Id':'" ACCT "','State':true}]}", "Accounts[0].State must be a string"},
      {"{'Accounts':[{'Id':'" ACCT "'},{'Id':'999988887777'},{'Id':'" ACCT "'}]}",
       "Accounts[0] and Accounts[2] are both account " ACCT " (each account must be listed once)"},
  };
  for (size_t i = 0; i < sizeof(bad_acc) / sizeof(bad_acc[0]); i++) {
    writeq(dir, ACCOUNTS, bad_acc[i][0]);
    load_err(dir, ACCOUNTS, bad_acc[i][1]);
  }
  cleanup(dir, NULL);
}

/* ---- EKS ------------------------------------------------------------------------------- */

#define ISSUER(id) "https://oidc.eks.us-east-1.amazonaws.com/id/" id
#define CLUSTER_ARN(region, n) "arn:aws:eks:" region ":" ACCT ":cluster/" n

static bool has_file(const ecr_evidence *ev, const char *path) {
  for (size_t i = 0; i < ev->n_files; i++)
    if (strcmp(ev->files[i].path, path) == 0) return true;
  return false;
}

static void eks_clusters_and_pod_identities(void **state) {
  (void)state;
  char *dir = bundle_new("ev-eks");
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app");
  /* two regions; one cluster without an ARN (built), one without OIDC */
  writeq(dir, "eks/us-east-1/clusters.json",
         "[{'cluster':{'name':'prod','arn':'" CLUSTER_ARN("us-east-1", "prod") "',"
         "'identity':{'oidc':{'issuer':'" ISSUER("ABC") "'}},'status':'ACTIVE'}},"
         "{'cluster':{'name':'dev','identity':{'oidc':{'issuer':'" ISSUER("DEF") "'}}}}]");
  writeq(dir, "eks/eu-west-1/clusters.json", "[{'cluster':{'name':'edge','arn':'"
         CLUSTER_ARN("eu-west-1", "edge") "'}}]");
  writeq(dir, "eks/us-east-1/pod-identity-associations.json",
         "[{'association':{'clusterName':'prod','namespace':'ci','serviceAccount':'pusher',"
         "'roleArn':'" ROLE_ARN("pusher") "','associationArn':'arn:aws:eks:us-east-1:" ACCT
         ":podidentityassociation/prod/a-1','associationId':'a-1'}},"
         "{'association':{'clusterName':'gone','namespace':'ci','serviceAccount':'pusher',"
         "'roleArn':'" ROLE_ARN("pusher") "'}}]");
  ecr_evidence *ev = load_ok(dir);
  assert_true(ev->eks_present);
  assert_int_equal(ev->n_clusters, 3); /* sorted by ARN: eu-west-1 first */
  assert_string_equal(ev->clusters[0].arn, CLUSTER_ARN("eu-west-1", "edge"));
  assert_null(ev->clusters[0].oidc_issuer);
  assert_string_equal(ev->clusters[1].arn, CLUSTER_ARN("us-east-1", "dev"));
  assert_string_equal(ev->clusters[1].oidc_issuer, ISSUER("DEF"));
  assert_string_equal(ev->clusters[1].region, "us-east-1");
  assert_string_equal(ev->clusters[2].name, "prod");
  assert_true(ev->pod_identity_present);
  assert_int_equal(ev->n_pod_identities, 2);
  /* a cluster absent from clusters.json: its ARN is built from region and name */
  assert_string_equal(ev->pod_identities[0].cluster_arn, CLUSTER_ARN("us-east-1", "gone"));
  assert_null(ev->pod_identities[0].association_arn);
  assert_string_equal(ev->pod_identities[1].cluster_arn, CLUSTER_ARN("us-east-1", "prod"));
  assert_string_equal(ev->pod_identities[1].namespace_, "ci");
  assert_string_equal(ev->pod_identities[1].service_account, "pusher");
  assert_string_equal(ev->pod_identities[1].role_arn, ROLE_ARN("pusher"));
  assert_true(has_file(ev, "eks/us-east-1/clusters.json"));
  assert_true(has_file(ev, "eks/eu-west-1/clusters.json"));
  assert_true(has_file(ev, "eks/us-east-1/pod-identity-associations.json"));
  ecr_evidence_free(ev);
  /* without eks/: nothing present */
  char *p = ecr_path_join(dir, "eks");
  ecr_test_rmrf(p);
  free(p);
  ev = load_ok(dir);
  assert_false(ev->eks_present);
  assert_false(ev->pod_identity_present);
  assert_int_equal(ev->n_clusters, 0);
  assert_int_equal(ev->n_pod_identities, 0);
  cleanup(dir, ev);
}

static void eks_errors_name_the_file(void **state) {
  (void)state;
  char *dir = bundle_new("ev-eks-err");
  bundle_iam(dir, NULL, NULL, NULL, NULL);
  bundle_repos(dir, "us-east-1", "app");
  const char *clusters = "eks/us-east-1/clusters.json";
  const char *assoc = "eks/us-east-1/pod-identity-associations.json";
  writeq(dir, clusters, "{'clusters':[]}");
  load_err(dir, clusters, "cluster must be an object");
  writeq(dir, clusters, "7");
  load_err(dir, clusters, "must be a JSON array");
  writeq(dir, clusters, "[{'cluster':{'arn':'x'}}]");
  load_err(dir, clusters, "[0].cluster.name is missing");
  writeq(dir, clusters, "[{'cluster':{'name':'a','identity':{'oidc':{'issuer':3}}}}]");
  load_err(dir, clusters, "issuer must be a string");
  writeq(dir, clusters, "[{'cluster':{'name':'a'}},{'cluster':{'name':'a'}}]");
  load_err(dir, clusters, "listed twice");
  writeq(dir, clusters, "{'cluster':{'name':'a'}}"); /* one saved output */
  writeq(dir, assoc, "[{'association':{'clusterName':'a','namespace':'n','roleArn':'r'}}]");
  load_err(dir, assoc, "[0].association.serviceAccount is missing");
  writeq(dir, assoc, "[{'association':{'clusterName':'a','namespace':'n','serviceAccount':'s',"
         "'roleArn':'r1'}},{'association':{'clusterName':'a','namespace':'n',"
         "'serviceAccount':'s','roleArn':'r2'}}]");
  load_err(dir, assoc, "two associations");
  writeq(dir, assoc, "[{'association':{'clusterName':'a','namespace':'n','serviceAccount':'s',"
         "'roleArn':'r1'}}]");
  ecr_evidence *ev = load_ok(dir);
  assert_int_equal(ev->n_clusters, 1);
  assert_string_equal(ev->pod_identities[0].cluster_arn, ev->clusters[0].arn);
  cleanup(dir, ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(missing_dir_and_required_file),
      cmocka_unit_test(malformed_json_position),
      cmocka_unit_test(deep_nesting_refused),
      cmocka_unit_test(wrong_types_name_the_path),
      cmocka_unit_test(wrong_element_type_message),
      cmocka_unit_test(document_forms_and_principals),
      cmocka_unit_test(repository_and_registry_policies),
      cmocka_unit_test(missing_repository_policies_file),
      cmocka_unit_test(scp_levels),
      cmocka_unit_test(eks_clusters_and_pod_identities),
      cmocka_unit_test(eks_errors_name_the_file),
      cmocka_unit_test(manifest_gaps_and_hashes),
      cmocka_unit_test(missing_managed_policy_is_a_gap),
      cmocka_unit_test(default_policy_version_only),
      cmocka_unit_test(account_sources),
      cmocka_unit_test(credential_report_last_use),
      cmocka_unit_test(repository_tags),
      cmocka_unit_test(rcp_levels),
      cmocka_unit_test(organization_and_accounts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
