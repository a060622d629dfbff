/* libFuzzer harness: IAM policy documents.
 *
 * The input is one policy document (JSON text, URL-encoded or not). It is
 * parsed and compiled; resource patterns are matched with policy variables;
 * then a tiny account is built around it (the document as a user's inline
 * policy, a role's trust and inline policy, a managed permissions boundary,
 * a repository policy, the registry policy and, for half of the inputs, an
 * SCP) and the account is evaluated into a matrix and a report model. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/policy.h"
#include "ecraudit/evaluate.h"
#include "fuzz_common.h"
#include "util/util.h"

#define ACCT "111122223333"
#define REPO_ARN "arn:aws:ecr:us-east-1:" ACCT ":repository/team/app"

static void write_json(const char *rel, cJSON *v) {
  char *s = cJSON_PrintUnformatted(v);
  fz_write(rel, s, strlen(s));
  free(s);
  cJSON_Delete(v);
}

static cJSON *inline_list(const char *name, const char *doc) {
  cJSON *arr = cJSON_CreateArray();
  cJSON *p = cJSON_CreateObject();
  cJSON_AddStringToObject(p, "PolicyName", name);
  cJSON_AddStringToObject(p, "PolicyDocument", doc);
  cJSON_AddItemToArray(arr, p);
  return arr;
}

static void build_account(const char *doc, bool with_scp) {
  fz_clear();
  cJSON *iam = cJSON_CreateObject();
  cJSON *users = cJSON_AddArrayToObject(iam, "UserDetailList");
  cJSON *u = cJSON_CreateObject();
  cJSON_AddStringToObject(u, "Path", "/");
  cJSON_AddStringToObject(u, "UserName", "alice");
  cJSON_AddStringToObject(u, "UserId", "AIDAFUZZFUZZFUZZFUZZ1");
  cJSON_AddStringToObject(u, "Arn", "arn:aws:iam::" ACCT ":user/alice");
  cJSON_AddStringToObject(u, "CreateDate", "2022-03-14T09:26:53+00:00");
  cJSON_AddItemToObject(u, "UserPolicyList", inline_list("fuzz-user", doc));
  cJSON_AddItemToObject(u, "GroupList", cJSON_CreateArray());
  cJSON_AddItemToObject(u, "AttachedManagedPolicies", cJSON_CreateArray());
  cJSON *tags = cJSON_AddArrayToObject(u, "Tags");
  cJSON *t = cJSON_CreateObject();
  cJSON_AddStringToObject(t, "Key", "team");
  cJSON_AddStringToObject(t, "Value", "app");
  cJSON_AddItemToArray(tags, t);
  cJSON_AddItemToArray(users, u);
  cJSON_AddItemToObject(iam, "GroupDetailList", cJSON_CreateArray());
  cJSON *roles = cJSON_AddArrayToObject(iam, "RoleDetailList");
  cJSON *r = cJSON_CreateObject();
  cJSON_AddStringToObject(r, "Path", "/");
  cJSON_AddStringToObject(r, "RoleName", "builder");
  cJSON_AddStringToObject(r, "RoleId", "AROAFUZZFUZZFUZZFUZZ1");
  cJSON_AddStringToObject(r, "Arn", "arn:aws:iam::" ACCT ":role/builder");
  cJSON_AddStringToObject(r, "CreateDate", "2022-03-14T09:26:53+00:00");
  cJSON_AddStringToObject(r, "AssumeRolePolicyDocument", doc);
  cJSON_AddItemToObject(r, "RolePolicyList", inline_list("fuzz-role", doc));
  cJSON_AddItemToObject(r, "AttachedManagedPolicies", cJSON_CreateArray());
  cJSON *pb = cJSON_AddObjectToObject(r, "PermissionsBoundary");
  cJSON_AddStringToObject(pb, "PermissionsBoundaryType", "Policy");
  cJSON_AddStringToObject(pb, "PermissionsBoundaryArn",
                          "arn:aws:iam::" ACCT ":policy/fuzz-boundary");
  cJSON_AddItemToArray(roles, r);
  cJSON *pols = cJSON_AddArrayToObject(iam, "Policies");
  cJSON *mp = cJSON_CreateObject();
  cJSON_AddStringToObject(mp, "PolicyName", "fuzz-boundary");
  cJSON_AddStringToObject(mp, "PolicyId", "ANPAFUZZFUZZFUZZFUZZ1");
  cJSON_AddStringToObject(mp, "Arn", "arn:aws:iam::" ACCT ":policy/fuzz-boundary");
  cJSON_AddStringToObject(mp, "Path", "/");
  cJSON_AddStringToObject(mp, "DefaultVersionId", "v1");
  cJSON *vl = cJSON_AddArrayToObject(mp, "PolicyVersionList");
  cJSON *v1 = cJSON_CreateObject();
  cJSON_AddStringToObject(v1, "Document", doc);
  cJSON_AddStringToObject(v1, "VersionId", "v1");
  cJSON_AddBoolToObject(v1, "IsDefaultVersion", 1);
  cJSON_AddItemToArray(vl, v1);
  cJSON_AddItemToArray(pols, mp);
  write_json("iam/account-authorization-details.json", iam);

  cJSON *sts = cJSON_CreateObject();
  cJSON_AddStringToObject(sts, "UserId", "AIDAFUZZFUZZFUZZFUZZ1");
  cJSON_AddStringToObject(sts, "Account", ACCT);
  cJSON_AddStringToObject(sts, "Arn", "arn:aws:iam::" ACCT ":user/alice");
  write_json("sts/caller-identity.json", sts);

  cJSON *repos = cJSON_CreateObject();
  cJSON *ra = cJSON_AddArrayToObject(repos, "repositories");
  const char *names[] = {"team/app", "other"};
  for (int i = 0; i < 2; i++) {
    cJSON *o = cJSON_CreateObject();
    char *arn = ecr_xasprintf("arn:aws:ecr:us-east-1:" ACCT ":repository/%s", names[i]);
    char *uri = ecr_xasprintf(ACCT ".dkr.ecr.us-east-1.amazonaws.com/%s", names[i]);
    cJSON_AddStringToObject(o, "repositoryArn", arn);
    cJSON_AddStringToObject(o, "registryId", ACCT);
    cJSON_AddStringToObject(o, "repositoryName", names[i]);
    cJSON_AddStringToObject(o, "repositoryUri", uri);
    cJSON_AddStringToObject(o, "createdAt", "2023-02-01T10:00:00.000000+00:00");
    cJSON_AddStringToObject(o, "imageTagMutability", "MUTABLE");
    cJSON_AddItemToArray(ra, o);
    free(arn);
    free(uri);
  }
  write_json("ecr/us-east-1/repositories.json", repos);
  cJSON *rp = cJSON_CreateArray();
  cJSON *rpo = cJSON_CreateObject();
  cJSON_AddStringToObject(rpo, "registryId", ACCT);
  cJSON_AddStringToObject(rpo, "repositoryName", "team/app");
  cJSON_AddStringToObject(rpo, "policyText", doc);
  cJSON_AddItemToArray(rp, rpo);
  write_json("ecr/us-east-1/repository-policies.json", rp);
  cJSON *reg = cJSON_CreateObject();
  cJSON_AddStringToObject(reg, "registryId", ACCT);
  cJSON_AddStringToObject(reg, "policyText", doc);
  write_json("ecr/us-east-1/registry-policy.json", reg);
  if (with_scp) {
    cJSON *scps = cJSON_CreateArray();
    cJSON *lvl = cJSON_CreateObject();
    cJSON_AddStringToObject(lvl, "target", ACCT);
    cJSON *pl = cJSON_AddArrayToObject(lvl, "policies");
    cJSON *sp = cJSON_CreateObject();
    cJSON_AddStringToObject(sp, "Id", "p-fuzz");
    cJSON_AddStringToObject(sp, "Name", "fuzz");
    cJSON_AddStringToObject(sp, "Content", doc);
    cJSON_AddItemToArray(pl, sp);
    cJSON_AddItemToArray(scps, lvl);
    write_json("organizations/scps.json", scps);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 64 * 1024) return -1;
  char *doc = fz_strndup(data, size);
  ecr_policy *p = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  if (ecr_policy_parse_text(doc, "fuzz.json", &p, &err) != ECR_OK) {
    fz_check_error(&err, false);
    free(doc);
    return 0;
  }
  const char *tags[] = {"team", "app", "env", "prod", NULL};
  ecr_var_context vars = {
      "alice", "AIDAFUZZFUZZFUZZFUZZ1", ACCT, "arn:aws:iam::" ACCT ":user/alice", "User", tags};
  ecr_var_context none = {0};
  for (size_t i = 0; i < p->n_statements; i++) {
    const ecr_statement *s = &p->statements[i];
    for (size_t k = 0; k < s->n_resources; k++) {
      (void)ecr_pattern_has_variables(s->resources[k], p->variables);
      (void)ecr_resource_match(s->resources[k], p->variables, &vars, REPO_ARN);
      (void)ecr_resource_match(s->resources[k], p->variables, &none, REPO_ARN);
      (void)ecr_resource_match(s->resources[k], p->variables, &vars, "*");
    }
  }
  /* the compact JSON the parser keeps must itself be a valid document */
  ecr_policy *again = NULL;
  if (p->json && ecr_policy_parse_text(p->json, "fuzz-again.json", &again, &err) != ECR_OK) {
    fprintf(stderr, "re-parse of the compact form failed: %s\n", err.message);
    abort();
  }
  if (again && again->n_statements != p->n_statements) {
    fprintf(stderr, "re-parse changed the statement count\n");
    abort();
  }
  ecr_policy_free(again);
  ecr_policy_free(p);
  build_account(doc, size > 0 && (data[size - 1] & 1));
  fz_load_and_evaluate(NULL, false);
  free(doc);
  return 0;
}
