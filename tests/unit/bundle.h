/* A tiny evidence-bundle builder shared by the evidence, matrix and report
 * tests. Tests write JSON with ' for " and ` for ' (see q()). */
#ifndef ECR_TEST_BUNDLE_H
#define ECR_TEST_BUNDLE_H

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "testutil.h"
#include "util/util.h"

/* ---- bundle builder (tests write JSON with ' for ", ` for ') ------------ */
#define ACCT "111122223333"
#define USER_ARN(n) "arn:aws:iam::" ACCT ":user/" n
#define ROLE_ARN(n) "arn:aws:iam::" ACCT ":role/" n
#define REPO_ARN(region, n) "arn:aws:ecr:" region ":" ACCT ":repository/" n
#define USE1(n) REPO_ARN("us-east-1", n)
/* An inline policy and a statement, in the quote-free notation. */
#define DOCQ(stmts) "{'Version':'2012-10-17','Statement':[" stmts "]}"
#define INLINE(name, stmts) "{'PolicyName':'" name "','PolicyDocument':" DOCQ(stmts) "}"
#define ALLOW(act, res) "{'Effect':'Allow','Action':" act ",'Resource':" res "}"
#define DENY(act, res) "{'Effect':'Deny','Action':" act ",'Resource':" res "}"
#define USER(name, extra)                                                                          \
  "{'UserName':'" name "','UserId':'AIDA" name "','Arn':'" USER_ARN(name) "','Path':'/'" extra "}"
#define ROLE(name, extra)                                                                          \
  "{'RoleName':'" name "','RoleId':'AROA" name "','Arn':'" ROLE_ARN(name) "','Path':'/'" extra "}"

/* ' -> ", ` -> ' */
static __attribute__((unused)) char *q(const char *s) {
  char *d = ecr_xstrdup(s);
  for (char *p = d; *p; p++) {
    if (*p == '\'')
      *p = '"';
    else if (*p == '`')
      *p = '\'';
  }
  return d;
}

static __attribute__((unused)) void writeq(const char *dir, const char *rel, const char *text) {
  char *t = q(text);
  ecr_test_write(dir, rel, t);
  free(t);
}

/* A bundle directory with the caller identity. */
static __attribute__((unused)) char *bundle_new(const char *tag) {
  char *dir = ecr_test_tmpdir(tag);
  writeq(dir, "sts/caller-identity.json",
         "{'UserId':'AIDAAUDITOR','Account':'" ACCT "','Arn':'" USER_ARN("auditor") "'}");
  return dir;
}

/* iam/account-authorization-details.json from the four lists (NULL = []). */
static __attribute__((unused)) void bundle_iam(const char *dir, const char *users,
                                               const char *groups, const char *roles,
                                               const char *policies) {
  char *t = ecr_xasprintf("{'UserDetailList':[%s],'GroupDetailList':[%s],'RoleDetailList':[%s],"
                          "'Policies':[%s]}",
                          users ? users : "", groups ? groups : "", roles ? roles : "",
                          policies ? policies : "");
  writeq(dir, "iam/account-authorization-details.json", t);
  free(t);
}

/* ecr/<region>/repositories.json listing names (comma-separated). */
static __attribute__((unused)) void bundle_repos(const char *dir, const char *region,
                                                 const char *names) {
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_buf_puts(&b, "{\"repositories\":[");
  char *copy = ecr_xstrdup(names), *save = NULL;
  int i = 0;
  for (char *n = strtok_r(copy, ",", &save); n; n = strtok_r(NULL, ",", &save), i++)
    ecr_buf_printf(&b,
                   "%s{\"repositoryArn\":\"arn:aws:ecr:%s:" ACCT ":repository/%s\","
                   "\"registryId\":\"" ACCT "\",\"repositoryName\":\"%s\","
                   "\"repositoryUri\":\"" ACCT ".dkr.ecr.%s.amazonaws.com/%s\"}",
                   i ? "," : "", region, n, n, region, n);
  ecr_buf_puts(&b, "]}");
  char *rel = ecr_xasprintf("ecr/%s/repositories.json", region);
  ecr_test_write(dir, rel, b.data);
  free(rel);
  free(copy);
  ecr_buf_cleanup(&b);
}

/* ecr/<region>/repository-policies.json from name, document pairs (NULL
 * terminated); documents in the quote-free notation, stored as policyText
 * strings like get-repository-policy prints them. */
static __attribute__((unused)) void bundle_repo_policies(const char *dir, const char *region,
                                                         const char *const *pairs) {
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; pairs[i]; i += 2) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "registryId", ACCT);
    cJSON_AddStringToObject(o, "repositoryName", pairs[i]);
    char *doc = q(pairs[i + 1]);
    cJSON_AddStringToObject(o, "policyText", doc);
    free(doc);
    cJSON_AddItemToArray(arr, o);
  }
  char *text = cJSON_Print(arr);
  char *rel = ecr_xasprintf("ecr/%s/repository-policies.json", region);
  ecr_test_write(dir, rel, text);
  free(rel);
  free(text);
  cJSON_Delete(arr);
}

static __attribute__((unused)) void bundle_registry_policy(const char *dir, const char *region,
                                                           const char *docq) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "registryId", ACCT);
  char *doc = q(docq);
  cJSON_AddStringToObject(o, "policyText", doc);
  free(doc);
  char *text = cJSON_Print(o);
  char *rel = ecr_xasprintf("ecr/%s/registry-policy.json", region);
  ecr_test_write(dir, rel, text);
  free(rel);
  free(text);
  cJSON_Delete(o);
}

static __attribute__((unused)) ecr_evidence *load_ok(const char *dir) {
  ecr_evidence *ev = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  if (ecr_evidence_load(dir, &ev, &err) != ECR_OK) {
    char line[1500];
    ecr_error_format(&err, line, sizeof(line));
    fail_msg("load failed: %s", line);
  }
  assert_non_null(ev);
  return ev;
}

static __attribute__((unused)) ecr_actset abit(const char *name) {
  int i = ecr_catalog_find(name);
  if (i < 0) fail_msg("%s is not in the catalog", name);
  return (ecr_actset)1 << i;
}

#endif
