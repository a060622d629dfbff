/* Credential resolution as the AWS CLI does it: environment, --profile /
 * AWS_PROFILE in the shared credentials and config files, roles assumed via
 * source_profile (chained) or credential_source = Environment. STS is
 * replaced by a recording fake. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/aws.h"
#include "util/util.h"

static char *dir;

typedef struct fake_sts {
  int calls;
  char source_ak[8][64];
  char role[8][128];
  char session[8][64];
  char external_id[8][64];
} fake_sts;

static ecr_status fake_assume(void *ctx, const ecr_aws_creds *source,
                              const ecr_assume_role_params *p, ecr_aws_creds *out, ecr_error *err) {
  fake_sts *f = ctx;
  int i = f->calls++;
  if (i >= 8) return ecr_error_set(err, ECR_E_COLLECT, NULL, "too many");
  snprintf(f->source_ak[i], sizeof(f->source_ak[i]), "%s", source->access_key_id);
  snprintf(f->role[i], sizeof(f->role[i]), "%s", p->role_arn);
  snprintf(f->session[i], sizeof(f->session[i]), "%s", p->session_name);
  snprintf(f->external_id[i], sizeof(f->external_id[i]), "%s",
           p->external_id ? p->external_id : "");
  out->access_key_id = ecr_xasprintf("ASIAROLE%d", i);
  out->secret_access_key = ecr_xasprintf("rolesecret%d", i);
  out->session_token = ecr_xasprintf("roletoken%d", i);
  return ECR_OK;
}

static const char *CONFIG = "# comment\n"
                            "[default]\n"
                            "region = eu-west-1\n"
                            "s3 =\n"
                            "    max_concurrent_requests = 10\n"
                            "\n"
                            "[profile cfgonly]\n"
                            "aws_access_key_id = AKIACFGONLY\n"
                            "aws_secret_access_key = cfgsecret\n"
                            "region = ap-south-1\n"
                            "\n"
                            "[profile both]\n"
                            "aws_access_key_id = AKIAFROMCONFIG\n"
                            "aws_secret_access_key = configsecret\n"
                            "\n"
                            "[profile audit]\n"
                            "role_arn = arn:aws:iam::111122223333:role/auditor\n"
                            "source_profile = base\n"
                            "external_id = ext-123\n"
                            "role_session_name = audit-session\n"
                            "region = us-east-2\n"
                            "\n"
                            "[profile chained]\n"
                            "role_arn = arn:aws:iam::444455556666:role/second\n"
                            "source_profile = audit\n"
                            "\n"
                            "[profile self]\n"
                            "role_arn = arn:aws:iam::111122223333:role/self\n"
                            "source_profile = self\n"
                            "aws_access_key_id = AKIASELF\n"
                            "aws_secret_access_key = selfsecret\n"
                            "\n"
                            "[profile loop1]\n"
                            "role_arn = arn:aws:iam::111122223333:role/l1\n"
                            "source_profile = loop2\n"
                            "[profile loop2]\n"
                            "role_arn = arn:aws:iam::111122223333:role/l2\n"
                            "source_profile = loop1\n"
                            "\n"
                            "[profile envrole]\n"
                            "role_arn = arn:aws:iam::111122223333:role/fromenv\n"
                            "credential_source = Environment\n"
                            "\n"
                            "[profile mfa]\n"
                            "role_arn = arn:aws:iam::111122223333:role/mfa\n"
                            "source_profile = base\n"
                            "mfa_serial = arn:aws:iam::111122223333:mfa/me\n"
                            "\n"
                            "[profile proc]\n"
                            "credential_process = /bin/echo secret\n"
                            "\n"
                            "[profile partial]\n"
                            "aws_access_key_id = AKIAPARTIAL\n"
                            "[notaprofile]\n"
                            "aws_access_key_id = AKIANOTUSED\n"
                            "aws_secret_access_key = notused\n";

static const char *CREDS = "[default]\n"
                           "aws_access_key_id = AKIADEFAULT\n"
                           "aws_secret_access_key = defaultsecret\n"
                           "; comment\n"
                           "[base]\n"
                           "aws_access_key_id=AKIABASE\n"
                           "aws_secret_access_key=basesecret\n"
                           "aws_session_token=basetoken\n"
                           "[both]\n"
                           "aws_access_key_id = AKIAFROMCREDS\n"
                           "aws_secret_access_key = credssecret\n";

static void clear_env(void) {
  static const char *vars[] = {"AWS_ACCESS_KEY_ID",  "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                               "AWS_SECURITY_TOKEN", "AWS_PROFILE",           "AWS_DEFAULT_PROFILE",
                               "AWS_REGION",         "AWS_DEFAULT_REGION"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
    unsetenv(vars[i]);
}

static int setup(void **state) {
  (void)state;
  dir = ecr_test_tmpdir("credentials");
  ecr_test_write(dir, "config", CONFIG);
  ecr_test_write(dir, "credentials", CREDS);
  char *c = ecr_path_join(dir, "config");
  char *k = ecr_path_join(dir, "credentials");
  setenv("AWS_CONFIG_FILE", c, 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", k, 1);
  free(c);
  free(k);
  clear_env();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  ecr_test_rmrf(dir);
  free(dir);
  return 0;
}

static int each(void **state) {
  (void)state;
  clear_env();
  return 0;
}

static void resolve_ok(const char *profile, fake_sts *f, ecr_cred_result *r) {
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = ecr_credentials_resolve(profile, fake_assume, f, r, &err);
  if (st != ECR_OK) fprintf(stdout, "unexpected error: %s\n", err.message);
  assert_int_equal(st, ECR_OK);
}

static void resolve_fails(const char *profile, fake_sts *f, const char *needle) {
  ecr_error err;
  ecr_error_clear(&err);
  ecr_cred_result r;
  assert_int_equal(ecr_credentials_resolve(profile, fake_assume, f, &r, &err), ECR_E_COLLECT);
  if (!strstr(err.message, needle)) fprintf(stdout, "message: %s\n", err.message);
  assert_non_null(strstr(err.message, needle));
  /* never a secret value in a message */
  static const char *values[] = {"defaultsecret", "basesecret",   "basetoken",
                                 "cfgsecret",     "configsecret", "credssecret",
                                 "selfsecret",    "envsecret",    "notused"};
  for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
    assert_null(strstr(err.message, values[i]));
  assert_null(r.creds.secret_access_key);
  ecr_cred_result_cleanup(&r);
}

static void test_default_profile(void **state) {
  (void)state;
  fake_sts f = {0};
  ecr_cred_result r;
  resolve_ok(NULL, &f, &r);
  assert_string_equal(r.creds.access_key_id, "AKIADEFAULT");
  assert_string_equal(r.creds.secret_access_key, "defaultsecret");
  assert_null(r.creds.session_token);
  assert_string_equal(r.profile, "default");
  assert_string_equal(r.region, "eu-west-1");
  assert_string_equal(r.source, "shared-credentials-file");
  ecr_cred_result_cleanup(&r);
}

static void test_env_wins_without_profile_flag(void **state) {
  (void)state;
  fake_sts f = {0};
  setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  setenv("AWS_SESSION_TOKEN", "envtoken", 1);
  setenv("AWS_PROFILE", "cfgonly", 1); /* AWS_PROFILE does not beat env keys */
  ecr_cred_result r;
  resolve_ok(NULL, &f, &r);
  assert_string_equal(r.creds.access_key_id, "AKIAENV");
  assert_string_equal(r.creds.session_token, "envtoken");
  assert_string_equal(r.source, "environment");
  assert_string_equal(r.profile, "cfgonly");
  assert_string_equal(r.region, "ap-south-1");
  ecr_cred_result_cleanup(&r);
  /* --profile does */
  resolve_ok("cfgonly", &f, &r);
  assert_string_equal(r.creds.access_key_id, "AKIACFGONLY");
  assert_string_equal(r.source, "config-file");
  ecr_cred_result_cleanup(&r);
}

static void test_aws_profile_env(void **state) {
  (void)state;
  fake_sts f = {0};
  setenv("AWS_PROFILE", "base", 1);
  ecr_cred_result r;
  resolve_ok(NULL, &f, &r);
  assert_string_equal(r.creds.access_key_id, "AKIABASE");
  assert_string_equal(r.creds.session_token, "basetoken");
  assert_null(r.region);
  ecr_cred_result_cleanup(&r);
}

static void test_credentials_file_beats_config(void **state) {
  (void)state;
  fake_sts f = {0};
  ecr_cred_result r;
  resolve_ok("both", &f, &r);
  assert_string_equal(r.creds.access_key_id, "AKIAFROMCREDS");
  assert_string_equal(r.creds.secret_access_key, "credssecret");
  ecr_cred_result_cleanup(&r);
}

static void test_assume_role(void **state) {
  (void)state;
  fake_sts f = {0};
  ecr_cred_result r;
  resolve_ok("audit", &f, &r);
  assert_int_equal(f.calls, 1);
  assert_string_equal(f.source_ak[0], "AKIABASE");
  assert_string_equal(f.role[0], "arn:aws:iam::111122223333:role/auditor");
  assert_string_equal(f.session[0], "audit-session");
  assert_string_equal(f.external_id[0], "ext-123");
  assert_string_equal(r.creds.access_key_id, "ASIAROLE0");
  assert_string_equal(r.creds.session_token, "roletoken0");
  assert_string_equal(r.source, "assume-role");
  assert_string_equal(r.region, "us-east-2");
  ecr_cred_result_cleanup(&r);
}

static void test_assume_role_chained(void **state) {
  (void)state;
  fake_sts f = {0};
  ecr_cred_result r;
  resolve_ok("chained", &f, &r);
  assert_int_equal(f.calls, 2);
  assert_string_equal(f.source_ak[0], "AKIABASE");
  assert_string_equal(f.source_ak[1], "ASIAROLE0");
  assert_string_equal(f.role[1], "arn:aws:iam::444455556666:role/second");
  assert_non_null(strstr(f.session[1], "ecraudit-")); /* default session name */
  assert_string_equal(r.creds.access_key_id, "ASIAROLE1");
  ecr_cred_result_cleanup(&r);
}

static void test_assume_role_self_source(void **state) {
  (void)state;
  fake_sts f = {0};
  ecr_cred_result r;
  resolve_ok("self", &f, &r);
  assert_int_equal(f.calls, 1);
  assert_string_equal(f.source_ak[0], "AKIASELF");
  ecr_cred_result_cleanup(&r);
}

static void test_credential_source_environment(void **state) {
  (void)state;
  fake_sts f = {0};
  resolve_fails("envrole", &f, "AWS_ACCESS_KEY_ID");
  setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  ecr_cred_result r;
  resolve_ok("envrole", &f, &r);
  assert_int_equal(f.calls, 1);
  assert_string_equal(f.source_ak[0], "AKIAENV");
  assert_string_equal(r.creds.access_key_id, "ASIAROLE0");
  ecr_cred_result_cleanup(&r);
}

static void test_errors(void **state) {
  (void)state;
  fake_sts f = {0};
  resolve_fails("nosuch", &f, "profile \"nosuch\" not found");
  resolve_fails("loop1", &f, "loops");
  assert_int_equal(f.calls, 0);
  resolve_fails("mfa", &f, "mfa_serial");
  resolve_fails("proc", &f, "credential_process is not supported");
  resolve_fails("partial", &f, "partial credentials");
  resolve_fails("notaprofile", &f, "not found"); /* config needs "[profile X]" */
  setenv("AWS_ACCESS_KEY_ID", "AKIAONLY", 1);
  resolve_fails(NULL, &f, "AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_ACCESS_KEY_ID");
  /* nothing anywhere */
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  resolve_fails(NULL, &f, "no AWS credentials found");
  char *c = ecr_path_join(dir, "config");
  char *k = ecr_path_join(dir, "credentials");
  setenv("AWS_CONFIG_FILE", c, 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", k, 1);
  free(c);
  free(k);
}

static void test_assume_failure_propagates(void **state) {
  (void)state;
  ecr_error err;
  ecr_error_clear(&err);
  ecr_cred_result r;
  /* no assume function: cannot assume */
  assert_int_equal(ecr_credentials_resolve("audit", NULL, NULL, &r, &err), ECR_E_COLLECT);
  assert_null(r.creds.access_key_id);
  ecr_cred_result_cleanup(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_default_profile, each),
      cmocka_unit_test_setup(test_env_wins_without_profile_flag, each),
      cmocka_unit_test_setup(test_aws_profile_env, each),
      cmocka_unit_test_setup(test_credentials_file_beats_config, each),
      cmocka_unit_test_setup(test_assume_role, each),
      cmocka_unit_test_setup(test_assume_role_chained, each),
      cmocka_unit_test_setup(test_assume_role_self_source, each),
      cmocka_unit_test_setup(test_credential_source_environment, each),
      cmocka_unit_test_setup(test_errors, each),
      cmocka_unit_test_setup(test_assume_failure_propagates, each),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
