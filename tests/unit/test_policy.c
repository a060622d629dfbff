/* Action catalog and policy documents: parsing forms, action globs,
 * NotAction, conditions, principals, errors, resource patterns with policy
 * variables. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/policy.h"
#include "util/util.h"

static ecr_actset bit(const char *name) {
  int i = ecr_catalog_find(name);
  if (i < 0) fail_msg("%s is not in the catalog", name);
  return (ecr_actset)1 << i;
}

static int popcount(ecr_actset s) {
  return __builtin_popcountll(s);
}

static ecr_policy *parse(const char *text) {
  ecr_policy *p = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  if (ecr_policy_parse_text(text, "test.json", &p, &err) != ECR_OK)
    fail_msg("parse failed: %s (%s)", err.message, text);
  assert_non_null(p);
  return p;
}

/* Parse expecting ECR_E_INPUT whose message contains needle. */
static void parse_err(const char *text, const char *needle) {
  ecr_policy *p = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = ecr_policy_parse_text(text, "iam/doc.json", &p, &err);
  if (st != ECR_E_INPUT) fail_msg("expected ECR_E_INPUT for %s, got %d", text, (int)st);
  assert_null(p);
  assert_string_equal(err.file, "iam/doc.json");
  if (!strstr(err.message, needle)) fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
}

#define DOC(stmts) "{\"Version\":\"2012-10-17\",\"Statement\":[" stmts "]}"

/* ---- catalog -------------------------------------------------------------------- */

static void catalog(void **state) {
  (void)state;
  assert_int_equal(ecr_catalog_count(), 60);
  for (size_t i = 1; i < ecr_catalog_count(); i++)
    if (strcmp(ecr_catalog_action(i - 1)->name, ecr_catalog_action(i)->name) >= 0)
      fail_msg("catalog not sorted at %zu: %s, %s", i, ecr_catalog_action(i - 1)->name,
               ecr_catalog_action(i)->name);
  for (size_t i = 0; i < ecr_catalog_count(); i++)
    assert_true(ecr_str_has_prefix(ecr_catalog_action(i)->name, "ecr:"));
  assert_null(ecr_catalog_action(60));
  assert_int_equal(popcount(ecr_catalog_all()), 60);
  /* registry-level: resource type "*" only */
  ecr_actset reg = ecr_catalog_registry_level();
  assert_int_equal(popcount(reg), 25);
  assert_true(reg & bit("ecr:GetAuthorizationToken"));
  assert_true(reg & bit("ecr:PutRegistryPolicy"));
  assert_true(reg & bit("ecr:PutReplicationConfiguration"));
  assert_false(reg & bit("ecr:PutImage"));
  assert_false(reg & bit("ecr:SetRepositoryPolicy"));
  assert_true(
      ecr_catalog_action((size_t)ecr_catalog_find("ecr:GetAuthorizationToken"))->registry_level);
  /* push set */
  ecr_actset push = ecr_catalog_push_set();
  assert_int_equal(popcount(push), 6);
  assert_int_equal(push, bit("ecr:GetAuthorizationToken") | bit("ecr:BatchCheckLayerAvailability") |
                             bit("ecr:InitiateLayerUpload") | bit("ecr:UploadLayerPart") |
                             bit("ecr:CompleteLayerUpload") | bit("ecr:PutImage"));
  /* levels partition the catalog */
  ecr_actset u = 0;
  for (int l = 0; l < ECR_LEVEL_COUNT; l++) {
    assert_int_equal(u & ecr_catalog_level((ecr_access_level)l), 0);
    u |= ecr_catalog_level((ecr_access_level)l);
  }
  assert_int_equal(u, ecr_catalog_all());
  assert_int_equal(ecr_catalog_level(ECR_LEVEL_TAGGING),
                   bit("ecr:TagResource") | bit("ecr:UntagResource"));
  assert_int_equal(ecr_catalog_level(ECR_LEVEL_PERMISSIONS),
                   bit("ecr:SetRepositoryPolicy") | bit("ecr:DeleteRepositoryPolicy") |
                       bit("ecr:PutRegistryPolicy") | bit("ecr:DeleteRegistryPolicy"));
  assert_true(ecr_catalog_level(ECR_LEVEL_WRITE) & bit("ecr:PutImage"));
  assert_true(ecr_catalog_level(ECR_LEVEL_READ) & bit("ecr:BatchGetImage"));
  assert_true(ecr_catalog_level(ECR_LEVEL_LIST) & bit("ecr:ListImages"));
  /* lookups */
  assert_int_equal(ecr_catalog_find("ECR:PUTIMAGE"), ecr_catalog_find("ecr:PutImage"));
  assert_int_equal(ecr_catalog_find("ecr-public:PutImage"), -1);
  assert_int_equal(ecr_catalog_find("ecr:PutImag"), -1);
  assert_non_null(ecr_catalog_version());
  assert_non_null(strstr(ecr_catalog_version(), "ecr"));
}

static void action_globs(void **state) {
  (void)state;
  assert_int_equal(ecr_catalog_match("*"), ecr_catalog_all());
  assert_int_equal(ecr_catalog_match("ecr:*"), ecr_catalog_all());
  assert_int_equal(ecr_catalog_match("ECR:*"), ecr_catalog_all());
  assert_int_equal(ecr_catalog_match("ecr-public:*"), 0);
  assert_int_equal(ecr_catalog_match("ecr-public:PutImage"), 0);
  assert_int_equal(ecr_catalog_match("ecr:putimage"), bit("ecr:PutImage"));
  assert_int_equal(ecr_catalog_match("ecr:?utImage"), bit("ecr:PutImage"));
  assert_int_equal(ecr_catalog_match("ecr:Put?mage*"),
                   bit("ecr:PutImage") | bit("ecr:PutImageScanningConfiguration") |
                       bit("ecr:PutImageTagMutability"));
  assert_int_equal(ecr_catalog_match("ecr:*Tag*"),
                   bit("ecr:TagResource") | bit("ecr:UntagResource") |
                       bit("ecr:PutImageTagMutability") | bit("ecr:ListTagsForResource"));
  assert_int_equal(ecr_catalog_match("ecr:Get*"), ecr_catalog_match("ECR:GET*"));
  assert_int_equal(ecr_catalog_match("s3:*"), 0);
  assert_int_equal(ecr_catalog_match("ecr"), 0);
  /* through a document */
  ecr_policy *p =
      parse(DOC("{\"Effect\":\"Allow\",\"Action\":[\"ECR:BATCHGETIMAGE\",\"ecr-public:*\"],"
                "\"Resource\":\"*\"}"));
  assert_int_equal(p->statements[0].actions, bit("ecr:BatchGetImage"));
  assert_true(p->touches_ecr);
  ecr_policy_free(p);
  p = parse(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr-public:*\",\"Resource\":\"*\"}"));
  assert_int_equal(p->statements[0].actions, 0);
  assert_false(p->touches_ecr);
  ecr_policy_free(p);
}

/* ---- document forms ---------------------------------------------------------------- */

static void document_forms(void **state) {
  (void)state;
  const char *json =
      "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"One\",\"Effect\":\"Allow\","
      "\"Action\":\"ecr:PutImage\",\"Resource\":\"arn:aws:ecr:us-east-1:1:repository/a\"}}";
  /* object */
  cJSON *obj = cJSON_Parse(json);
  ecr_policy *a = NULL, *b = NULL, *c = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_policy_parse_value(obj, "f", &a, &err), ECR_OK);
  /* JSON string */
  cJSON *str = cJSON_CreateString(json);
  assert_int_equal(ecr_policy_parse_value(str, "f", &b, &err), ECR_OK);
  /* URL-encoded JSON string (raw IAM API) */
  ecr_buf enc;
  ecr_buf_init(&enc);
  for (const char *s = json; *s; s++) {
    if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
        *s == '-' || *s == '.')
      ecr_buf_putc(&enc, *s);
    else
      ecr_buf_printf(&enc, "%%%02X", (unsigned char)*s);
  }
  cJSON *u = cJSON_CreateString(enc.data);
  assert_int_equal(ecr_policy_parse_value(u, "f", &c, &err), ECR_OK);
  ecr_policy *all[] = {a, b, c};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(all[i]->n_statements, 1); /* single Statement object */
    assert_string_equal(all[i]->statements[0].sid, "One");
    assert_int_equal(all[i]->statements[0].actions, bit("ecr:PutImage"));
    assert_int_equal(all[i]->statements[0].n_resources, 1);
    assert_string_equal(all[i]->statements[0].resources[0], "arn:aws:ecr:us-east-1:1:repository/a");
    assert_string_equal(all[i]->version, "2012-10-17");
    assert_true(all[i]->variables);
    assert_non_null(all[i]->statements[0].json);
  }
  /* a number is neither form */
  cJSON *num = cJSON_CreateNumber(3);
  ecr_policy *d = NULL;
  assert_int_equal(ecr_policy_parse_value(num, "f", &d, &err), ECR_E_INPUT);
  assert_null(d);
  /* a URL-encoded string that is not JSON */
  parse_err("%7Bnot json", "not valid JSON");
  cJSON_Delete(num);
  cJSON_Delete(obj);
  cJSON_Delete(str);
  cJSON_Delete(u);
  ecr_buf_cleanup(&enc);
  ecr_policy_free(a);
  ecr_policy_free(b);
  ecr_policy_free(c);
}

static void string_or_array(void **state) {
  (void)state;
  ecr_policy *p = parse(DOC(
      "{\"Effect\":\"Allow\",\"Action\":\"ecr:PutImage\",\"Resource\":\"arn:x\"},"
      "{\"Effect\":\"Allow\",\"Action\":[\"ecr:PutImage\",\"ecr:BatchGetImage\"],\"Resource\":[\"arn:x\",\"arn:y\"]},"
      "{\"Effect\":\"Deny\",\"Action\":[],\"Resource\":[]}"));
  assert_int_equal(p->n_statements, 3);
  assert_int_equal(p->statements[0].actions, bit("ecr:PutImage"));
  assert_int_equal(p->statements[0].n_resources, 1);
  assert_int_equal(p->statements[1].actions, bit("ecr:PutImage") | bit("ecr:BatchGetImage"));
  assert_int_equal(p->statements[1].n_resources, 2);
  assert_string_equal(p->statements[1].resources[1], "arn:y");
  assert_true(p->statements[2].deny);
  assert_int_equal(p->statements[2].actions, 0);
  assert_int_equal(p->statements[2].index, 2);
  assert_null(p->statements[2].sid);
  ecr_policy_free(p);
}

static void not_action(void **state) {
  (void)state;
  ecr_policy *p =
      parse(DOC("{\"Effect\":\"Allow\",\"NotAction\":\"ecr:PutImage\",\"Resource\":\"*\"},"
                "{\"Effect\":\"Allow\",\"NotAction\":\"*\",\"Resource\":\"*\"},"
                "{\"Effect\":\"Allow\",\"NotAction\":[\"ecr:*\"],\"Resource\":\"*\"},"
                "{\"Effect\":\"Allow\",\"NotAction\":\"s3:*\",\"Resource\":\"*\"},"
                "{\"Effect\":\"Allow\",\"NotAction\":\"ecr:get*\",\"NotResource\":\"arn:z\"}"));
  assert_true(p->statements[0].not_action);
  assert_int_equal(p->statements[0].actions, ecr_catalog_all() & ~bit("ecr:PutImage"));
  assert_int_equal(popcount(p->statements[0].actions), 59);
  assert_int_equal(p->statements[1].actions, 0); /* NotAction "*" grants nothing */
  assert_int_equal(p->statements[2].actions, 0);
  assert_int_equal(p->statements[3].actions, ecr_catalog_all()); /* every ECR action */
  assert_int_equal(p->statements[4].actions & ecr_catalog_match("ecr:Get*"), 0);
  assert_true(p->statements[4].not_resource);
  assert_string_equal(p->statements[4].resources[0], "arn:z");
  ecr_policy_free(p);
  p = parse(DOC("{\"Effect\":\"Allow\",\"NotAction\":\"*\",\"Resource\":\"*\"}"));
  assert_false(p->touches_ecr);
  ecr_policy_free(p);
}

static void conditions(void **state) {
  (void)state;
  struct {
    const char *cond;
    ecr_cond want;
  } cases[] = {
      {"{\"StringEquals\":{\"aws:PrincipalTag/team\":\"a\"}}", ECR_COND_UNKNOWN},
      {"{\"StringEqualsIfExists\":{\"aws:PrincipalTag/team\":\"a\"}}", ECR_COND_UNKNOWN},
      {"{\"ForAnyValue:StringLike\":{\"aws:TagKeys\":\"a*\"}}", ECR_COND_UNKNOWN},
      {"{\"ForAllValues:StringEqualsIfExists\":{\"aws:TagKeys\":\"a\"}}", ECR_COND_UNKNOWN},
      {"{\"Null\":{\"aws:PrincipalTag/team\":\"true\"}}", ECR_COND_UNKNOWN},
      {"{\"Bool\":{\"aws:SecureTransport\":\"true\"},\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}",
       ECR_COND_UNKNOWN},
      {"{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:*\"}}", ECR_COND_UNKNOWN},
      {"{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}", ECR_COND_UNKNOWN},
      {"{\"StringEqualsFoo\":{\"k\":\"v\"}}", ECR_COND_NEVER},
      {"{\"stringequals\":{\"k\":\"v\"}}", ECR_COND_NEVER}, /* operators are case-sensitive */
      {"{\"NullIfExists\":{\"k\":\"true\"}}", ECR_COND_NEVER},
      {"{\"ForSomeValues:StringEquals\":{\"k\":\"v\"}}", ECR_COND_NEVER},
      {"{\"IfExists\":{\"k\":\"v\"}}", ECR_COND_NEVER},
      /* one unknown operator among known ones: never a match */
      {"{\"StringEquals\":{\"k\":\"v\"},\"Bogus\":{\"k\":\"v\"}}", ECR_COND_NEVER},
      {"{\"Bogus\":{\"k\":\"v\"},\"StringEquals\":{\"k\":\"v\"}}", ECR_COND_NEVER},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *doc = ecr_xasprintf(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Resource\":\"*\","
                                  "\"Condition\":%s}"),
                              cases[i].cond);
    ecr_policy *p = parse(doc);
    if (p->statements[0].cond != cases[i].want)
      fail_msg("Condition %s: cond %d, want %d", cases[i].cond, (int)p->statements[0].cond,
               (int)cases[i].want);
    ecr_policy_free(p);
    free(doc);
  }
  ecr_policy *p = parse(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Resource\":\"*\"}"));
  assert_int_equal(p->statements[0].cond, ECR_COND_NONE);
  ecr_policy_free(p);
}

static void principals(void **state) {
  (void)state;
  ecr_policy *p = parse(DOC(
      "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\"},"
      "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"ecr:BatchGetImage\"},"
      "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"444455556666\",\"arn:aws:iam::777788889999:role/x\"]},"
      "\"Action\":\"ecr:BatchGetImage\"},"
      "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"codebuild.amazonaws.com\"],"
      "\"Federated\":\"arn:aws:iam::111122223333:saml-provider/corp\"},\"Action\":\"ecr:BatchGetImage\"},"
      "{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111122223333:user/admin\"},"
      "\"Action\":\"ecr:*\"},"
      "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"12345\"},\"Action\":\"ecr:BatchGetImage\"}"));
  const ecr_statement *s = p->statements;
  assert_true(s[0].has_principal);
  assert_int_equal(s[0].n_principals, 1);
  assert_int_equal(s[0].principals[0].type, ECR_PT_STAR);
  assert_int_equal(s[1].principals[0].type, ECR_PT_STAR); /* {"AWS":"*"} is "*" */
  assert_string_equal(s[1].principals[0].value, "*");
  assert_int_equal(s[2].n_principals, 2);
  assert_int_equal(s[2].principals[0].type, ECR_PT_AWS);
  assert_string_equal(s[2].principals[0].value, "arn:aws:iam::444455556666:root"); /* bare id */
  assert_string_equal(s[2].principals[1].value, "arn:aws:iam::777788889999:role/x");
  assert_int_equal(s[3].n_principals, 2);
  int svc = s[3].principals[0].type == ECR_PT_SERVICE ? 0 : 1;
  assert_int_equal(s[3].principals[svc].type, ECR_PT_SERVICE);
  assert_string_equal(s[3].principals[svc].value, "codebuild.amazonaws.com");
  assert_int_equal(s[3].principals[1 - svc].type, ECR_PT_FEDERATED);
  assert_true(s[4].not_principal);
  assert_true(s[4].has_principal);
  assert_string_equal(s[4].principals[0].value, "arn:aws:iam::111122223333:user/admin");
  /* not 12 digits: kept as written */
  assert_string_equal(s[5].principals[0].value, "12345");
  /* no Principal at all */
  ecr_policy_free(p);
  p = parse(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Resource\":\"*\"}"));
  assert_false(p->statements[0].has_principal);
  ecr_policy_free(p);
}

static void parse_errors(void **state) {
  (void)state;
  parse_err(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Resource\":\"*\"},"
                "{\"Effect\":\"Permit\",\"Action\":\"ecr:*\",\"Resource\":\"*\"}"),
            "policy statement 1: Effect must be \"Allow\" or \"Deny\", not \"Permit\"");
  parse_err(DOC("{\"Effect\":\"allow\",\"Action\":\"ecr:*\"}"), "statement 0: Effect must be");
  parse_err(DOC("{\"Action\":\"ecr:*\"}"), "statement 0: Effect is missing");
  parse_err(DOC("{\"Effect\":\"Allow\",\"Action\":42}"),
            "statement 0: Action must be a string or an array of strings");
  parse_err(
      DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\"},{\"Effect\":\"Allow\",\"Action\":[\"ecr:*\",7]}"),
      "statement 1: Action must contain only strings");
  parse_err(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Resource\":{\"a\":1}}"),
            "statement 0: Resource must be a string or an array");
  parse_err(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"NotResource\":true}"),
            "statement 0: NotResource must be");
  parse_err(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"NotAction\":\"ecr:*\"}"),
            "statement 0: has both Action and NotAction");
  parse_err(
      DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Resource\":\"*\",\"NotResource\":\"*\"}"),
      "has both Resource and NotResource");
  parse_err(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Condition\":[1]}"),
            "statement 0: Condition must be an object");
  parse_err(
      DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Principal\":\"arn:aws:iam::1:root\"}"),
      "statement 0: Principal string must be \"*\"");
  parse_err(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Principal\":{\"Robot\":\"x\"}}"),
            "unknown principal type \"Robot\"");
  parse_err(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Principal\":{\"AWS\":[1]}}"),
            "statement 0: Principal must contain only strings");
  parse_err(DOC("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Sid\":5}"),
            "statement 0: Sid must be a string");
  parse_err(DOC("\"just a string\""), "policy statement 0: must be an object");
  parse_err("{\"Version\":\"2012-10-17\",\"Statement\":\"x\"}",
            "Statement must be an object or an array");
  parse_err("{\"Version\":5,\"Statement\":[]}", "Version must be a string");
  parse_err("[1,2]", "policy document must be a JSON object");
  parse_err("{\"Version\":\"2012-10-17\",", "not valid JSON");
}

/* ---- resource patterns and policy variables ------------------------------------------- */

#define R(name) "arn:aws:ecr:us-east-1:111122223333:repository/" name

static void resource_plain(void **state) {
  (void)state;
  assert_int_equal(ecr_resource_match(R("team/*"), true, NULL, R("team/a/b")), ECR_MATCH_YES);
  assert_int_equal(ecr_resource_match(R("team/*"), true, NULL, R("Team/a")), ECR_MATCH_NO);
  assert_int_equal(ecr_resource_match("arn:aws:ecr:*:111122223333:repository/app", true, NULL,
                                      "arn:aws:ecr:eu-west-1:111122223333:repository/app"),
                   ECR_MATCH_YES);
  assert_int_equal(ecr_resource_match("arn:aws-cn:ecr:us-east-1:111122223333:repository/app", true,
                                      NULL, R("app")),
                   ECR_MATCH_NO);
  assert_int_equal(ecr_resource_match("*", true, NULL, "*"), ECR_MATCH_YES);
  assert_int_equal(ecr_resource_match(R("*"), true, NULL, "*"), ECR_MATCH_NO);
}

static void resource_variables(void **state) {
  (void)state;
  const char *tags[] = {"team", "web", "Env", "prod", NULL};
  ecr_var_context user = {.username = "alice",
                          .userid = "AIDAALICE",
                          .account = "111122223333",
                          .principal_arn = "arn:aws:iam::111122223333:user/alice",
                          .principal_type = "User",
                          .tags = tags};
  ecr_var_context role = {.account = "111122223333",
                          .principal_arn = "arn:aws:iam::111122223333:role/ci",
                          .principal_type = "AssumedRole",
                          .tags = NULL};
  const char *pat = R("${aws:username}/*");
  assert_true(ecr_pattern_has_variables(pat, true));
  assert_false(ecr_pattern_has_variables(pat, false));
  assert_false(ecr_pattern_has_variables(R("app"), true));
  /* users: resolved */
  assert_int_equal(ecr_resource_match(pat, true, &user, R("alice/app")), ECR_MATCH_YES);
  assert_int_equal(ecr_resource_match(pat, true, &user, R("bob/app")), ECR_MATCH_NO);
  /* key names are case-insensitive */
  assert_int_equal(ecr_resource_match(R("${AWS:UserName}/*"), true, &user, R("alice/x")),
                   ECR_MATCH_YES);
  /* roles have no aws:username: the pattern matches nothing */
  assert_int_equal(ecr_resource_match(pat, true, &role, R("alice/app")), ECR_MATCH_NO);
  assert_int_equal(ecr_resource_match(R("${aws:username}*"), true, &role, R("x")), ECR_MATCH_NO);
  /* principal tags */
  assert_int_equal(ecr_resource_match(R("${aws:PrincipalTag/team}-*"), true, &user, R("web-api")),
                   ECR_MATCH_YES);
  assert_int_equal(ecr_resource_match(R("${aws:PrincipalTag/team}-*"), true, &user, R("db-api")),
                   ECR_MATCH_NO);
  assert_int_equal(ecr_resource_match(R("${aws:PrincipalTag/missing}*"), true, &user, R("web")),
                   ECR_MATCH_NO);
  assert_int_equal(ecr_resource_match(R("${aws:PrincipalTag/team}"), true, &role, R("web")),
                   ECR_MATCH_NO);
  /* ${*} ${?} ${$} are literal characters, not wildcards */
  assert_int_equal(ecr_resource_match(R("a${*}b"), true, &user, R("a*b")), ECR_MATCH_YES);
  assert_int_equal(ecr_resource_match(R("a${*}b"), true, &user, R("axxb")), ECR_MATCH_NO);
  assert_int_equal(ecr_resource_match(R("a${?}"), true, &user, R("ax")), ECR_MATCH_NO);
  assert_int_equal(ecr_resource_match(R("a${?}"), true, &user, R("a?")), ECR_MATCH_YES);
  assert_int_equal(ecr_resource_match(R("${$}x"), true, &user, R("$x")), ECR_MATCH_YES);
  /* default values apply when the key is absent */
  assert_int_equal(ecr_resource_match(R("${aws:username, 'shared'}/*"), true, &role, R("shared/x")),
                   ECR_MATCH_YES);
  assert_int_equal(ecr_resource_match(R("${aws:username, 'shared'}/*"), true, &role, R("other/x")),
                   ECR_MATCH_NO);
  assert_int_equal(ecr_resource_match(R("${aws:username, 'shared'}/*"), true, &user, R("alice/x")),
                   ECR_MATCH_YES);
  assert_int_equal(ecr_resource_match(R("${aws:username, 'shared'}/*"), true, &user, R("shared/x")),
                   ECR_MATCH_NO);
  assert_int_equal(ecr_resource_match(R("${aws:PrincipalTag/team,'none'}"), true, &role, R("none")),
                   ECR_MATCH_YES);
  /* a request-time key (not known from evidence): maybe */
  assert_int_equal(ecr_resource_match(R("${aws:SourceIdentity}/*"), true, &user, R("x/y")),
                   ECR_MATCH_MAYBE);
  /* other known keys */
  assert_int_equal(ecr_resource_match("arn:aws:ecr:us-east-1:${aws:PrincipalAccount}:repository/*",
                                      true, &user, R("app")),
                   ECR_MATCH_YES);
  assert_int_equal(ecr_resource_match(R("${aws:userid}"), true, &user, R("AIDAALICE")),
                   ECR_MATCH_YES);
  /* variables off (Version 2008-10-17 or no Version): literal text */
  assert_int_equal(ecr_resource_match(pat, false, &user, R("alice/app")), ECR_MATCH_NO);
  assert_int_equal(ecr_resource_match(pat, false, &user, R("${aws:username}/app")), ECR_MATCH_YES);
}

static void versions(void **state) {
  (void)state;
  const char *stmt = "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Resource\":\"" R(
      "${aws:username}") "\"}]}";
  char *d12 = ecr_xasprintf("{\"Version\":\"2012-10-17\",%s", stmt);
  char *d08 = ecr_xasprintf("{\"Version\":\"2008-10-17\",%s", stmt);
  char *dnone = ecr_xasprintf("{%s", stmt);
  ecr_policy *a = parse(d12), *b = parse(d08), *c = parse(dnone);
  assert_true(a->variables);
  assert_false(b->variables);
  assert_string_equal(b->version, "2008-10-17");
  assert_false(c->variables);
  assert_null(c->version);
  ecr_policy_free(a);
  ecr_policy_free(b);
  ecr_policy_free(c);
  free(d12);
  free(d08);
  free(dnone);
  /* an empty document is valid and grants nothing */
  ecr_policy *e = parse("{\"Version\":\"2012-10-17\"}");
  assert_int_equal(e->n_statements, 0);
  assert_false(e->touches_ecr);
  ecr_policy_free(e);
}

static void statement_limit(void **state) {
  (void)state;
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[");
  for (int i = 0; i <= ECR_MAX_STATEMENTS; i++)
    ecr_buf_printf(&b, "%s{\"Effect\":\"Allow\",\"Action\":\"ecr:PutImage\",\"Resource\":\"*\"}",
                   i ? "," : "");
  ecr_buf_puts(&b, "]}");
  parse_err(b.data, "more than 10000 statements");
  ecr_buf_cleanup(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(catalog),        cmocka_unit_test(action_globs),
      cmocka_unit_test(document_forms), cmocka_unit_test(string_or_array),
      cmocka_unit_test(not_action),     cmocka_unit_test(conditions),
      cmocka_unit_test(principals),     cmocka_unit_test(parse_errors),
      cmocka_unit_test(resource_plain), cmocka_unit_test(resource_variables),
      cmocka_unit_test(versions),       cmocka_unit_test(statement_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
