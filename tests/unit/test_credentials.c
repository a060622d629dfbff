/* Credential resolution as the AWS SDKs do it: environment, web identity,
 * --profile / AWS_PROFILE in the shared credentials and config files, roles
 * assumed via source_profile (chained) or credential_source, SSO,
 * credential_process, container credentials and IMDSv2. STS and HTTP are
 * replaced by recording fakes (tests/fake_aws covers the real wire). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* ---- fake network ---------------------------------------------------- */

typedef struct fake_route {
  const char *method, *url; /* exact */
  long status;              /* 0: transport failure */
  const char *body;
} fake_route;

typedef struct fake_net {
  fake_sts sts;
  /* web identity */
  int wi_calls;
  char wi_role[128], wi_session[64], wi_token[256];
  const char *wi_fail; /* message when it should fail */
  /* http */
  const fake_route *routes;
  size_t n_routes;
  int http_calls;
  char last_url[512];
  char last_body[512];
  char headers[8][512];
  size_t n_headers;
} fake_net;

static ecr_status fake_assume(void *ctx, const ecr_aws_creds *source,
                              const ecr_assume_role_params *p, ecr_aws_creds *out, ecr_error *err);

static ecr_status fake_web_identity(void *ctx, const ecr_web_identity_params *p, ecr_aws_creds *out,
                                    ecr_error *err) {
  fake_net *n = ctx;
  n->wi_calls++;
  snprintf(n->wi_role, sizeof(n->wi_role), "%s", p->role_arn);
  snprintf(n->wi_session, sizeof(n->wi_session), "%s", p->session_name);
  snprintf(n->wi_token, sizeof(n->wi_token), "%s", p->token);
  if (n->wi_fail)
    return ecr_error_set(err, ECR_E_COLLECT, NULL, "sts:AssumeRoleWithWebIdentity: %s", n->wi_fail);
  out->access_key_id = ecr_xstrdup("ASIAWEBID");
  out->secret_access_key = ecr_xstrdup("webidsecret");
  out->session_token = ecr_xstrdup("webidtoken");
  out->expiration = 1900000000;
  return ECR_OK;
}

static ecr_status fake_http(void *ctx, const ecr_http_req *req, long *status, ecr_buf *body,
                            ecr_error *err) {
  fake_net *n = ctx;
  n->http_calls++;
  snprintf(n->last_url, sizeof(n->last_url), "%s %s", req->method, req->url);
  snprintf(n->last_body, sizeof(n->last_body), "%s", req->body ? req->body : "");
  for (size_t i = 0; i < req->n_headers && n->n_headers < 8; i++)
    snprintf(n->headers[n->n_headers++], sizeof(n->headers[0]), "%s", req->headers[i]);
  for (size_t i = 0; i < n->n_routes; i++) {
    const fake_route *r = &n->routes[i];
    if (strcmp(r->method, req->method) || strcmp(r->url, req->url)) continue;
    *status = r->status;
    if (!r->status)
      return ecr_error_set(err, ECR_E_COLLECT, NULL, "%s %s: Couldn't connect to server",
                           req->method, req->url);
    ecr_buf_puts(body, r->body);
    return ECR_OK;
  }
  *status = 0;
  return ecr_error_set(err, ECR_E_COLLECT, NULL, "%s %s: Couldn't connect to server", req->method,
                       req->url);
}

static bool saw_header(const fake_net *n, const char *h) {
  for (size_t i = 0; i < n->n_headers; i++)
    if (strcmp(n->headers[i], h) == 0) return true;
  return false;
}

static fake_net net;

static ecr_cred_io io_of(fake_net *n) {
  ecr_cred_io io = {fake_assume, fake_web_identity, fake_http, n, NULL};
  return io;
}

static ecr_status fake_assume(void *ctx, const ecr_aws_creds *source,
                              const ecr_assume_role_params *p, ecr_aws_creds *out, ecr_error *err) {
  fake_sts *f = &((fake_net *)ctx)->sts;
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
                            "[profile webid]\n"
                            "role_arn = arn:aws:iam::111122223333:role/webid\n"
                            "web_identity_token_file = @DIR@/token\n"
                            "role_session_name = webid-session\n"
                            "\n"
                            "[profile process]\n"
                            "credential_process = \"@DIR@/cred process.sh\" --ok 'arg two'\n"
                            "\n"
                            "[profile processfail]\n"
                            "credential_process = @DIR@/fail.sh\n"
                            "\n"
                            "[profile processv2]\n"
                            "credential_process = @DIR@/v2.sh\n"
                            "\n"
                            "[profile sso]\n"
                            "sso_session = corp\n"
                            "sso_account_id = 111122223333\n"
                            "sso_role_name = Auditor\n"
                            "\n"
                            "[sso-session corp]\n"
                            "sso_start_url = https://corp.awsapps.com/start\n"
                            "sso_region = eu-central-1\n"
                            "\n"
                            "[profile ssolegacy]\n"
                            "sso_start_url = https://legacy.awsapps.com/start\n"
                            "sso_region = us-west-2\n"
                            "sso_account_id = 111122223333\n"
                            "sso_role_name = Reader\n"
                            "\n"
                            "[profile ssonosession]\n"
                            "sso_session = missing\n"
                            "sso_account_id = 1\n"
                            "sso_role_name = r\n"
                            "\n"
                            "[profile viaimds]\n"
                            "role_arn = arn:aws:iam::111122223333:role/fromimds\n"
                            "credential_source = Ec2InstanceMetadata\n"
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
  static const char *vars[] = {"AWS_ACCESS_KEY_ID",
                               "AWS_SECRET_ACCESS_KEY",
                               "AWS_SESSION_TOKEN",
                               "AWS_SECURITY_TOKEN",
                               "AWS_PROFILE",
                               "AWS_DEFAULT_PROFILE",
                               "AWS_REGION",
                               "AWS_DEFAULT_REGION",
                               "AWS_ROLE_ARN",
                               "AWS_WEB_IDENTITY_TOKEN_FILE",
                               "AWS_ROLE_SESSION_NAME",
                               "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                               "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                               "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                               "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                               "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                               "AWS_EC2_METADATA_DISABLED",
                               "AWS_ENDPOINT_URL",
                               "AWS_ENDPOINT_URL_SSO"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) unsetenv(vars[i]);
  memset(&net, 0, sizeof(net));
}

/* text with every @DIR@ replaced by the test directory */
static char *with_dir(const char *text) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (const char *p = text; *p;) {
    if (strncmp(p, "@DIR@", 5) == 0) {
      ecr_buf_puts(&b, dir);
      p += 5;
    } else {
      ecr_buf_putc(&b, *p++);
    }
  }
  return ecr_buf_steal(&b);
}

static void write_exec(const char *name, const char *text) {
  ecr_test_write(dir, name, text);
  char *path = ecr_path_join(dir, name);
  chmod(path, 0755);
  free(path);
}

static int setup(void **state) {
  (void)state;
  dir = ecr_test_tmpdir("credentials");
  char *config = with_dir(CONFIG);
  ecr_test_write(dir, "config", config);
  free(config);
  ecr_test_write(dir, "token", "eyJraWQiOiJ0ZXN0In0.webidentitytoken.sig\n");
  write_exec("cred process.sh",
             "#!/bin/sh\n[ \"$1\" = --ok ] && [ \"$2\" = 'arg two' ] || exit 9\n"
             "echo '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": "
             "\"procsecret\", \"SessionToken\": \"proctoken\", \"Expiration\": "
             "\"2030-01-01T00:00:00Z\"}'\n");
  write_exec("fail.sh", "#!/bin/sh\necho 'token expired, run login' >&2\nexit 3\n");
  write_exec("v2.sh", "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"A\", "
                      "\"SecretAccessKey\": \"procsecret\"}'\n");
  setenv("HOME", dir, 1);
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
  char *c = ecr_path_join(dir, "config");
  char *k = ecr_path_join(dir, "credentials");
  setenv("AWS_CONFIG_FILE", c, 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", k, 1);
  free(c);
  free(k);
  return 0;
}

static void resolve_ok(const char *profile, fake_sts *f, ecr_cred_result *r) {
  ecr_error err;
  ecr_error_clear(&err);
  (void)f;
  ecr_cred_io io = io_of(&net);
  ecr_status st = ecr_credentials_resolve(profile, &io, r, &err);
  if (st != ECR_OK) fprintf(stdout, "unexpected error: %s\n", err.message);
  assert_int_equal(st, ECR_OK);
}

static void resolve_fails(const char *profile, fake_sts *f, const char *needle) {
  ecr_error err;
  ecr_error_clear(&err);
  ecr_cred_result r;
  (void)f;
  ecr_cred_io io = io_of(&net);
  assert_int_equal(ecr_credentials_resolve(profile, &io, &r, &err), ECR_E_COLLECT);
  if (!strstr(err.message, needle)) fprintf(stdout, "message: %s\n", err.message);
  assert_non_null(strstr(err.message, needle));
  /* never a secret value in a message */
  static const char *values[] = {"defaultsecret",  "basesecret",       "basetoken",  "cfgsecret",
                                 "configsecret",   "credssecret",      "selfsecret", "envsecret",
                                 "notused",        "webidentitytoken", "procsecret", "ssotoken",
                                 "imdssecret",     "containersecret",  "authztoken", "ssorefresh",
                                 "ssoclientsecret"};
  for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
    assert_null(strstr(err.message, values[i]));
  assert_null(r.creds.secret_access_key);
  ecr_cred_result_cleanup(&r);
}

static void test_default_profile(void **state) {
  (void)state;
  fake_sts f = {0};
  (void)f;
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
  (void)f;
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
  (void)f;
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
  (void)f;
  ecr_cred_result r;
  resolve_ok("both", &f, &r);
  assert_string_equal(r.creds.access_key_id, "AKIAFROMCREDS");
  assert_string_equal(r.creds.secret_access_key, "credssecret");
  ecr_cred_result_cleanup(&r);
}

static void test_assume_role(void **state) {
  (void)state;
  fake_sts f = {0};
  (void)f;
  ecr_cred_result r;
  resolve_ok("audit", &f, &r);
  assert_int_equal(net.sts.calls, 1);
  assert_string_equal(net.sts.source_ak[0], "AKIABASE");
  assert_string_equal(net.sts.role[0], "arn:aws:iam::111122223333:role/auditor");
  assert_string_equal(net.sts.session[0], "audit-session");
  assert_string_equal(net.sts.external_id[0], "ext-123");
  assert_string_equal(r.creds.access_key_id, "ASIAROLE0");
  assert_string_equal(r.creds.session_token, "roletoken0");
  assert_string_equal(r.source, "assume-role");
  assert_string_equal(r.region, "us-east-2");
  ecr_cred_result_cleanup(&r);
}

static void test_assume_role_chained(void **state) {
  (void)state;
  fake_sts f = {0};
  (void)f;
  ecr_cred_result r;
  resolve_ok("chained", &f, &r);
  assert_int_equal(net.sts.calls, 2);
  assert_string_equal(net.sts.source_ak[0], "AKIABASE");
  assert_string_equal(net.sts.source_ak[1], "ASIAROLE0");
  assert_string_equal(net.sts.role[1], "arn:aws:iam::444455556666:role/second");
  assert_non_null(strstr(net.sts.session[1], "ecraudit-")); /* default session name */
  assert_string_equal(r.creds.access_key_id, "ASIAROLE1");
  ecr_cred_result_cleanup(&r);
}

static void test_assume_role_self_source(void **state) {
  (void)state;
  fake_sts f = {0};
  (void)f;
  ecr_cred_result r;
  resolve_ok("self", &f, &r);
  assert_int_equal(net.sts.calls, 1);
  assert_string_equal(net.sts.source_ak[0], "AKIASELF");
  ecr_cred_result_cleanup(&r);
}

static void test_credential_source_environment(void **state) {
  (void)state;
  fake_sts f = {0};
  (void)f;
  resolve_fails("envrole", &f, "AWS_ACCESS_KEY_ID");
  setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  ecr_cred_result r;
  resolve_ok("envrole", &f, &r);
  assert_int_equal(net.sts.calls, 1);
  assert_string_equal(net.sts.source_ak[0], "AKIAENV");
  assert_string_equal(r.creds.access_key_id, "ASIAROLE0");
  ecr_cred_result_cleanup(&r);
}

static void test_errors(void **state) {
  (void)state;
  fake_sts f = {0};
  (void)f;
  resolve_fails("nosuch", &f, "profile \"nosuch\" not found");
  resolve_fails("loop1", &f, "loops");
  assert_int_equal(net.sts.calls, 0);
  resolve_fails("mfa", &f, "mfa_serial");
  resolve_fails("proc", &f,
                "credential_process (profile \"proc\"): /bin/echo did not print a JSON object");
  resolve_fails("partial", &f, "partial credentials");
  resolve_fails("notaprofile", &f, "not found"); /* config needs "[profile X]" */
  setenv("AWS_ACCESS_KEY_ID", "AKIAONLY", 1);
  resolve_fails(NULL, &f, "AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_ACCESS_KEY_ID");
  /* nothing anywhere */
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  resolve_fails(NULL, &f,
                "no AWS credentials found (tried environment, profile \"default\", "
                "instance metadata: PUT http://169.254.169.254/latest/api/token");
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
  assert_int_equal(ecr_credentials_resolve("audit", NULL, &r, &err), ECR_E_COLLECT);
  assert_null(r.creds.access_key_id);
  ecr_cred_result_cleanup(&r);
}

/* ---- web identity ------------------------------------------------------ */

static void test_web_identity_env(void **state) {
  (void)state;
  char *tok = ecr_path_join(dir, "token");
  setenv("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/irsa", 1);
  setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tok, 1);
  setenv("AWS_ROLE_SESSION_NAME", "cronjob", 1);
  ecr_cred_result r;
  resolve_ok(NULL, NULL, &r);
  assert_int_equal(net.wi_calls, 1);
  assert_string_equal(net.wi_role, "arn:aws:iam::111122223333:role/irsa");
  assert_string_equal(net.wi_session, "cronjob");
  /* the file's content, without the trailing newline */
  assert_string_equal(net.wi_token, "eyJraWQiOiJ0ZXN0In0.webidentitytoken.sig");
  assert_string_equal(r.source, "web-identity");
  assert_string_equal(r.creds.access_key_id, "ASIAWEBID");
  assert_int_equal(r.creds.expiration, 1900000000);
  ecr_cred_result_cleanup(&r);
  /* web identity comes before the profile's static keys */
  resolve_ok("base", NULL, &r);
  assert_string_equal(r.source, "web-identity");
  ecr_cred_result_cleanup(&r);
  /* variables present but failing: the provider and the reason, not "no credentials" */
  net.wi_fail = "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity";
  resolve_fails(NULL, NULL, "web identity (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE");
  resolve_fails(NULL, NULL,
                "assuming arn:aws:iam::111122223333:role/irsa: "
                "sts:AssumeRoleWithWebIdentity: AccessDenied");
  /* a message that echoes the token: redacted ("webidentitytoken" is checked by resolve_fails) */
  net.wi_fail = "InvalidIdentityToken: eyJraWQiOiJ0ZXN0In0.webidentitytoken.sig is expired";
  resolve_fails(NULL, NULL, "InvalidIdentityToken: <redacted> is expired");
  net.wi_fail = NULL;
  setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token", 1);
  resolve_fails(NULL, NULL, "token file /nonexistent/token does not exist");
  unsetenv("AWS_ROLE_ARN");
  resolve_fails(NULL, NULL,
                "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
  free(tok);
}

static void test_web_identity_profile(void **state) {
  (void)state;
  ecr_cred_result r;
  resolve_ok("webid", NULL, &r);
  assert_int_equal(net.wi_calls, 1);
  assert_string_equal(net.wi_role, "arn:aws:iam::111122223333:role/webid");
  assert_string_equal(net.wi_session, "webid-session");
  assert_string_equal(r.source, "web-identity");
  assert_int_equal(net.sts.calls, 0);
  ecr_cred_result_cleanup(&r);
}

/* ---- container credentials ---------------------------------------------- */

static const char CONTAINER_JSON[] =
    "{\"AccessKeyId\": \"ASIACONTAINER\", \"SecretAccessKey\": \"containersecret\", "
    "\"Token\": \"containertoken\", \"Expiration\": \"2030-01-01T00:00:00Z\"}";

static void test_container(void **state) {
  (void)state;
  /* no default profile: the chain reaches the container provider */
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  fake_route routes[] = {
      {"GET", "http://169.254.170.23/v1/credentials", 200, CONTAINER_JSON},
      {"GET", "http://169.254.170.2/v2/credentials/abc", 200, CONTAINER_JSON},
      {"GET", "http://127.0.0.1:9/denied", 403,
       "{\"code\": \"AccessDenied\", \"message\": \"bad token\"}"},
  };
  net.routes = routes;
  net.n_routes = 3;
  ecr_test_write(dir, "eks-token", "authztoken-eks\n");
  char *tf = ecr_path_join(dir, "eks-token");
  /* EKS Pod Identity: full URI + token file (the file beats the variable) */
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials", 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tf, 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "authztoken-ignored", 1);
  ecr_cred_result r;
  resolve_ok(NULL, NULL, &r);
  assert_string_equal(r.source, "container");
  assert_string_equal(r.creds.access_key_id, "ASIACONTAINER");
  assert_string_equal(r.creds.session_token, "containertoken");
  assert_int_equal(r.creds.expiration, 1893456000);
  assert_string_equal(net.last_url, "GET http://169.254.170.23/v1/credentials");
  assert_true(saw_header(&net, "Authorization: authztoken-eks"));
  ecr_cred_result_cleanup(&r);
  /* ECS: relative URI, no token */
  clear_env();
  net.routes = routes;
  net.n_routes = 3;
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
  resolve_ok(NULL, NULL, &r);
  assert_string_equal(net.last_url, "GET http://169.254.170.2/v2/credentials/abc");
  assert_string_equal(r.source, "container");
  ecr_cred_result_cleanup(&r);
  unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  /* refused by the endpoint: which provider and why */
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/denied", 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "authztoken-plain", 1);
  resolve_fails(NULL, NULL,
                "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI): "
                "http://127.0.0.1:9/denied answered HTTP 403: bad token");
  assert_true(saw_header(&net, "Authorization: authztoken-plain"));
  /* unreachable */
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/nothing", 1);
  resolve_fails(NULL, NULL,
                "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI): GET "
                "http://127.0.0.1:9/nothing: Couldn't connect");
  /* plain http to anything else is refused before any request */
  net.http_calls = 0;
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
  resolve_fails(NULL, NULL, "is neither https nor a loopback");
  assert_int_equal(net.http_calls, 0);
  free(tf);
}

/* ---- IMDSv2 ---------------------------------------------------------------- */

static const char IMDS_JSON[] =
    "{\"Code\": \"Success\", \"Type\": \"AWS-HMAC\", \"AccessKeyId\": \"ASIAIMDS\", "
    "\"SecretAccessKey\": \"imdssecret\", \"Token\": \"imdstoken\", "
    "\"Expiration\": \"2030-01-01T06:00:00Z\"}";

static void test_imds(void **state) {
  (void)state;
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:8/", 1);
  fake_route routes[] = {
      {"PUT", "http://127.0.0.1:8/latest/api/token", 200, "imds-session-token"},
      {"GET", "http://127.0.0.1:8/latest/meta-data/iam/security-credentials/", 200,
       "jenkins-role\n"},
      {"GET", "http://127.0.0.1:8/latest/meta-data/iam/security-credentials/jenkins-role", 200,
       IMDS_JSON},
  };
  net.routes = routes;
  net.n_routes = 3;
  ecr_cred_result r;
  resolve_ok(NULL, NULL, &r);
  assert_string_equal(r.source, "instance-metadata");
  assert_string_equal(r.creds.access_key_id, "ASIAIMDS");
  assert_int_equal(r.creds.expiration, 1893477600);
  assert_true(saw_header(&net, "X-aws-ec2-metadata-token-ttl-seconds: 21600"));
  assert_true(saw_header(&net, "X-aws-ec2-metadata-token: imds-session-token"));
  ecr_cred_result_cleanup(&r);
  /* credential_source = Ec2InstanceMetadata: those keys assume the role */
  each(NULL);
  net.routes = routes;
  net.n_routes = 3;
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:8", 1);
  resolve_ok("viaimds", NULL, &r);
  assert_int_equal(net.sts.calls, 1);
  assert_string_equal(net.sts.source_ak[0], "ASIAIMDS");
  assert_string_equal(r.source, "assume-role");
  ecr_cred_result_cleanup(&r);
  /* a configured endpoint that fails names the provider */
  net.n_routes = 1; /* token only: no role */
  setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  resolve_fails(NULL, NULL,
                "instance metadata (IMDSv2): GET "
                "http://127.0.0.1:8/latest/meta-data/iam/security-credentials/");
  net.n_routes = 0;
  resolve_fails(NULL, NULL, "instance metadata (IMDSv2): PUT http://127.0.0.1:8/latest/api/token");
  /* disabled: not even tried */
  unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  net.http_calls = 0;
  resolve_fails(NULL, NULL, "instance metadata (disabled by AWS_EC2_METADATA_DISABLED)");
  assert_int_equal(net.http_calls, 0);
  char *c = ecr_path_join(dir, "config");
  setenv("AWS_CONFIG_FILE", c, 1);
  free(c);
}

/* ---- credential_process --------------------------------------------------- */

static void test_credential_process(void **state) {
  (void)state;
  ecr_cred_result r;
  resolve_ok("process", NULL, &r);
  assert_string_equal(r.source, "credential-process");
  assert_string_equal(r.creds.access_key_id, "ASIAPROC");
  assert_string_equal(r.creds.secret_access_key, "procsecret");
  assert_string_equal(r.creds.session_token, "proctoken");
  assert_int_equal(r.creds.expiration, 1893456000);
  ecr_cred_result_cleanup(&r);
  resolve_fails("processfail", NULL, "credential_process (profile \"processfail\"): ");
  resolve_fails("processfail", NULL, "fail.sh exited with status 3: token expired, run login");
  resolve_fails("processv2", NULL, "no \"Version\": 1");
}

/* ---- SSO ---------------------------------------------------------------------- */

static void write_sso_cache(const char *key_hex, const char *expires) {
  char *rel = ecr_xasprintf(".aws/sso/cache/%s.json", key_hex);
  char *text = ecr_xasprintf("{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": "
                             "\"eu-central-1\", \"accessToken\": \"ssotoken-abc\", "
                             "\"expiresAt\": \"%s\"}",
                             expires);
  ecr_test_write(dir, rel, text);
  free(rel);
  free(text);
}

static void test_sso(void **state) {
  (void)state;
  fake_route routes[] = {
      {"GET",
       "https://portal.sso.eu-central-1.amazonaws.com/federation/credentials?account_id="
       "111122223333&role_name=Auditor",
       200,
       "{\"roleCredentials\": {\"accessKeyId\": \"ASIASSO\", \"secretAccessKey\": "
       "\"ssosecret\", \"sessionToken\": \"ssosession\", \"expiration\": 1900000000000}}"},
      {"GET", "http://127.0.0.1:7/federation/credentials?account_id=111122223333&role_name=Reader",
       401, "{\"message\": \"Session token not found or invalid\"}"},
  };
  net.routes = routes;
  net.n_routes = 2;
  /* no cached token yet */
  resolve_fails("sso", NULL, "SSO (profile \"sso\"): no cached token");
  resolve_fails("sso", NULL, "run `aws sso login --sso-session corp`");
  /* the cache file is named by the SHA-1 of the session name */
  write_sso_cache("ee0bfd2552fbd840c02cc48b6e823320543c450f", "2099-01-01T00:00:00Z");
  ecr_cred_result r;
  resolve_ok("sso", NULL, &r);
  assert_string_equal(r.source, "sso");
  assert_string_equal(r.creds.access_key_id, "ASIASSO");
  assert_int_equal(r.creds.expiration, 1900000000);
  assert_true(saw_header(&net, "x-amz-sso_bearer_token: ssotoken-abc"));
  ecr_cred_result_cleanup(&r);
  /* expired */
  write_sso_cache("ee0bfd2552fbd840c02cc48b6e823320543c450f", "2020-01-01T00:00:00Z");
  resolve_fails("sso", NULL, "the cached token expired at 2020-01-01T00:00:00Z");
  /* legacy profile: SHA-1 of the start URL; portal refuses */
  setenv("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:7", 1);
  write_sso_cache("79e435d7a515078e81c9dffc35f38d5687ebd3a7", "2099-01-01T00:00:00Z");
  resolve_fails("ssolegacy", NULL,
                "GetRoleCredentials for Reader in account 111122223333: HTTP "
                "401: Session token not found or invalid");
  resolve_fails("ssonosession", NULL, "sso_session \"missing\" has no [sso-session missing]");
  unsetenv("AWS_ENDPOINT_URL_SSO");
}

/* an expired sso-session token is refreshed through SSO OIDC and written back */
static void test_sso_refresh(void **state) {
  (void)state;
  fake_route routes[] = {
      {"POST", "https://oidc.eu-central-1.amazonaws.com/token", 200,
       "{\"accessToken\": \"ssotoken-new\", \"expiresIn\": 3600, \"refreshToken\": "
       "\"ssorefresh-2\", \"tokenType\": \"Bearer\"}"},
      {"GET",
       "https://portal.sso.eu-central-1.amazonaws.com/federation/credentials?account_id="
       "111122223333&role_name=Auditor",
       200,
       "{\"roleCredentials\": {\"accessKeyId\": \"ASIASSO\", \"secretAccessKey\": "
       "\"ssosecret\", \"sessionToken\": \"ssosession\", \"expiration\": 1900000000000}}"},
  };
  net.routes = routes;
  net.n_routes = 2;
  const char *rel = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
  ecr_test_write(dir, rel,
                 "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"eu-central-1\", "
                 "\"accessToken\": \"ssotoken-old\", \"expiresAt\": \"2020-01-01T00:00:00Z\", "
                 "\"refreshToken\": \"ssorefresh-1\", \"clientId\": \"client-1\", "
                 "\"clientSecret\": \"ssoclientsecret\", "
                 "\"registrationExpiresAt\": \"2099-01-01T00:00:00Z\"}");
  ecr_cred_result r;
  resolve_ok("sso", NULL, &r);
  assert_string_equal(r.creds.access_key_id, "ASIASSO");
  assert_true(saw_header(&net, "x-amz-sso_bearer_token: ssotoken-new"));
  assert_false(saw_header(&net, "x-amz-sso_bearer_token: ssotoken-old"));
  ecr_cred_result_cleanup(&r);
  char *path = ecr_path_join(dir, rel);
  char *cache = ecr_test_slurp(path);
  assert_non_null(strstr(cache, "\"ssotoken-new\""));
  assert_non_null(strstr(cache, "\"ssorefresh-2\""));
  assert_non_null(strstr(cache, "\"clientSecret\""));
  free(cache);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_mode & 0777, 0600);
  /* the OIDC service refuses: which provider, why, and what to do */
  ecr_test_write(
      dir, rel,
      "{\"accessToken\": \"ssotoken-old\", \"expiresAt\": \"2020-01-01T00:00:00Z\", "
      "\"refreshToken\": \"ssorefresh-1\", \"clientId\": \"c\", \"clientSecret\": \"s\"}");
  fake_route refused[] = {
      {"POST", "https://oidc.eu-central-1.amazonaws.com/token", 400,
       "{\"error\": \"invalid_grant\", \"message\": \"Invalid refresh token\"}"}};
  net.routes = refused;
  net.n_routes = 1;
  resolve_fails("sso", NULL,
                "expired at 2020-01-01T00:00:00Z and was not refreshed: CreateToken: "
                "HTTP 400: Invalid refresh token; run `aws sso login --sso-session corp`");
  free(path);
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
      cmocka_unit_test_setup(test_web_identity_env, each),
      cmocka_unit_test_setup(test_web_identity_profile, each),
      cmocka_unit_test_setup(test_container, each),
      cmocka_unit_test_setup(test_imds, each),
      cmocka_unit_test_setup(test_credential_process, each),
      cmocka_unit_test_setup(test_sso, each),
      cmocka_unit_test_setup(test_sso_refresh, each),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
