/* ecraudit — internal API of the live collector: credentials, the signed
 * HTTP client with retries, the per-service calls and the bundle writer.
 * Nothing here is public; include/ecraudit/collect.h is the public face.
 */
#ifndef ECRAUDIT_COLLECT_AWS_H
#define ECRAUDIT_COLLECT_AWS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "ecraudit/collect.h"
#include "ecraudit/error.h"
#include "util/util.h"

/* ---- credentials (credentials.c) -------------------------------------- */

typedef struct ecr_aws_creds {
  char *access_key_id;
  char *secret_access_key; /* secret: never printed, wiped on cleanup */
  char *session_token;     /* secret, NULL when none */
  long long expiration;    /* epoch seconds when temporary credentials expire, 0 = never */
} ecr_aws_creds;

/* Wipe and free the strings; the struct is zeroed. */
void ecr_aws_creds_cleanup(ecr_aws_creds *c);
void ecr_aws_creds_copy(ecr_aws_creds *dst, const ecr_aws_creds *src);

/* What sts:AssumeRole needs. */
typedef struct ecr_assume_role_params {
  const char *role_arn;
  const char *session_name;
  const char *external_id;      /* NULL when none */
  const char *duration_seconds; /* NULL -> service default */
  const char *region;           /* region to call STS in, NULL -> us-east-1 */
} ecr_assume_role_params;

/* What sts:AssumeRoleWithWebIdentity needs (an unsigned call). */
typedef struct ecr_web_identity_params {
  const char *role_arn;
  const char *session_name;
  const char *token;            /* secret: the OIDC token read from the token file */
  const char *duration_seconds; /* NULL -> service default */
  const char *region;           /* NULL -> us-east-1 */
} ecr_web_identity_params;

/* A plain (unsigned) HTTP request: container credentials, IMDS, SSO portal. */
typedef struct ecr_http_req {
  const char *method; /* "GET", "PUT" or "POST" */
  const char *url;
  const char *const *headers; /* "Name: value" lines (may hold secrets: never logged) */
  size_t n_headers;
  long timeout_ms;  /* whole request; connect timeout is the same */
  const char *body; /* POST body (secret: never logged), NULL for GET/PUT */
} ecr_http_req;

/* Callbacks that turn source credentials into role credentials, call
 * AssumeRoleWithWebIdentity and send plain HTTP requests (collect.c: STS and
 * libcurl; unit tests pass fakes). */
typedef ecr_status (*ecr_assume_role_fn)(void *ctx, const ecr_aws_creds *source,
                                         const ecr_assume_role_params *p, ecr_aws_creds *out,
                                         ecr_error *err);
typedef ecr_status (*ecr_web_identity_fn)(void *ctx, const ecr_web_identity_params *p,
                                          ecr_aws_creds *out, ecr_error *err);
/* *status is the HTTP status (0 on a transport failure, then ECR_E_COLLECT
 * with the reason in err); body receives the response body. */
typedef ecr_status (*ecr_http_fn)(void *ctx, const ecr_http_req *req, long *status, ecr_buf *body,
                                  ecr_error *err);

typedef struct ecr_cred_io {
  ecr_assume_role_fn assume;
  ecr_web_identity_fn web_identity;
  ecr_http_fn http;
  void *ctx;
  const char *endpoint_url; /* --endpoint-url (SSO portal and STS go there too), NULL */
} ecr_cred_io;

typedef struct ecr_cred_result {
  ecr_aws_creds creds;
  char *profile;      /* profile used (even when env creds won), caller frees */
  char *region;       /* region of that profile in the config, NULL when none */
  char *source;       /* "environment", "shared-credentials-file", "config-file",
                         "assume-role", "web-identity", "sso", "credential-process",
                         "container", "instance-metadata" (never a secret) */
  char *max_attempts; /* profile max_attempts, NULL when none */
  char *retry_mode;   /* profile retry_mode, NULL when none */
  char *endpoint_url; /* profile endpoint_url, NULL when none */
} ecr_cred_result;

void ecr_cred_result_cleanup(ecr_cred_result *r);

/* Resolve credentials in the AWS SDKs' order (see README): environment keys
 * (unless a profile was passed on the command line); web identity from
 * AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE; the profile (role_arn with
 * source_profile / credential_source / web_identity_token_file, chained; SSO
 * through sso_session or sso_start_url and the cached token; static keys in
 * the shared credentials file, then the config file; credential_process);
 * container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI);
 * last the EC2 instance metadata service (IMDSv2). profile_arg is --profile
 * (NULL when not given). A provider whose settings are present but that
 * fails stops the chain with an error naming the provider and the reason.
 * Errors: ECR_E_COLLECT with a message that names the profile, never a secret. */
ecr_status ecr_credentials_resolve(const char *profile_arg, const ecr_cred_io *io,
                                   ecr_cred_result *out, ecr_error *err);

/* Plain HTTP over libcurl (the ecr_http_fn collect.c uses; ctx unused). */
ecr_status ecr_http_send(void *ctx, const ecr_http_req *req, long *status, ecr_buf *body,
                         ecr_error *err);

/* "2026-12-01T10:00:00Z" (also "+00:00" offsets, fractions) -> epoch seconds, 0 if unparsable. */
long long ecr_aws_parse_time(const char *s);

/* ---- HTTP client with SigV4, retries and timeouts (http.c) ------------- */

typedef struct ecr_aws_client {
  void *curl;              /* CURL * */
  ecr_aws_creds creds;     /* owned */
  char *endpoint_url;      /* every service to this URL; NULL -> real AWS endpoints */
  long connect_timeout_ms; /* default 10 s */
  long timeout_ms;         /* one attempt, default 60 s */
  long call_timeout_ms;    /* one call with all its retries, default 120 s */
  long long deadline_ms;   /* CLOCK_MONOTONIC ms the whole collection ends; 0: none */
  long attempt_timeout_ms; /* internal: the current attempt's bound */
  int max_attempts;        /* default 5 */
  unsigned base_delay_ms;  /* default 200: delay ~ U(0, min(cap, base * 2^attempt)) */
  unsigned max_delay_ms;   /* default 20000 */
  /* the redacted request log, one line per call (ecr_collect_opts.debug); NULL: none */
  void (*debug)(void *ctx, const char *line);
  void *debug_ctx;
  unsigned long long rng; /* jitter state */
  unsigned long retries;  /* statistics: retried attempts */
  /* Temporary credentials: called when creds.expiration is within
   * refresh_margin seconds (default 900, ECRAUDIT_CREDENTIAL_REFRESH_MARGIN),
   * or after an ExpiredToken error; fills *out with fresh credentials. */
  ecr_status (*refresh)(void *ctx, ecr_aws_creds *out, ecr_error *err);
  void *refresh_ctx;
  long refresh_margin;
  unsigned long refreshes; /* statistics */
  char *profile_endpoint;  /* profile endpoint_url, NULL when none */
} ecr_aws_client;

/* Tokens (Marker, nextToken, NextToken) one paginated call has received
 * (paginate.c). Zero-initialise; add returns true when the token came
 * before: a pagination loop. */
typedef struct ecr_token_set {
  uint64_t *v;
  size_t cap, n;
} ecr_token_set;
bool ecr_token_set_add(ecr_token_set *t, const char *token);
void ecr_token_set_cleanup(ecr_token_set *t);

typedef struct ecr_aws_response {
  long status; /* HTTP status, 0 on transport failure */
  ecr_buf body;
  char *error_code; /* AWS error code ("AccessDenied", "ThrottlingException",
                       "RequestError" for transport failures); NULL on success */
  char *error_message;
} ecr_aws_response;

void ecr_aws_response_init(ecr_aws_response *r);
void ecr_aws_response_cleanup(ecr_aws_response *r);

/* creds are copied; NULL creds: an anonymous client (unsigned requests, for
 * sts:AssumeRoleWithWebIdentity). endpoint_url may be NULL. Retries follow
 * AWS_MAX_ATTEMPTS and AWS_RETRY_MODE (legacy 5 attempts, standard and
 * adaptive 3; default 5). */
ecr_status ecr_aws_client_init(ecr_aws_client *c, const ecr_aws_creds *creds,
                               const char *endpoint_url, ecr_error *err);
void ecr_aws_client_cleanup(ecr_aws_client *c);

/* AWS Query protocol (STS, IAM): POST form "Action=...&Version=..." plus
 * params (already form-encoded "&K=V" pairs, may be NULL). ECR_OK on 2xx;
 * otherwise ECR_E_COLLECT with resp->error_code/error_message filled and err
 * "service:Action: Code: message". Retries throttling and 5xx. */
ecr_status ecr_aws_query(ecr_aws_client *c, const char *service, const char *region,
                         const char *version, const char *action, const char *params,
                         ecr_aws_response *resp, ecr_error *err);

/* AWS JSON 1.1 protocol (ECR, Organizations): X-Amz-Target prefix.op. */
ecr_status ecr_aws_json(ecr_aws_client *c, const char *service, const char *region,
                        const char *target_prefix, const char *op, const char *json_body,
                        ecr_aws_response *resp, ecr_error *err);

/* REST-JSON GET (EKS): path ("/clusters/NAME", segments already
 * percent-encoded) appended to the service endpoint, query "k=v&..." already
 * encoded (NULL: none); signed for service, unsigned body. op names the call
 * in messages ("eks:ListClusters" for op "ListClusters"). Errors and retries
 * as ecr_aws_json. */
ecr_status ecr_aws_rest_get(ecr_aws_client *c, const char *service, const char *region,
                            const char *op, const char *path, const char *query,
                            ecr_aws_response *resp, ecr_error *err);

/* Append "&key=value" form-encoded to b. */
void ecr_aws_form_add(ecr_buf *b, const char *key, const char *value);

/* Endpoint of a service in a region: "https://api.ecr.eu-west-1.amazonaws.com"
 * and the region to sign for (IAM and Organizations are global services).
 * Caller frees *url; *sign_region is static or region. */
void ecr_aws_endpoint(const char *service, const char *region, char **url,
                      const char **sign_region);

/* true for error codes / statuses that are retried. */
bool ecr_aws_retryable(long status, const char *code);

/* ---- collection state shared by the service modules: context.h ------- */
#include "collect/context.h"

/* ---- bundle writing (bundle.c) ---------------------------------------- */

/* JSON as the AWS CLI prints it (4-space indent, ", " and ": " separators,
 * non-ASCII kept as UTF-8). Caller frees. */
char *ecr_json_print_cli(const cJSON *v);
/* Write v to tmp_dir/rel (parents created) and remember rel for the manifest. */
ecr_status ecr_bundle_write_json(ecr_collect_ctx *ctx, const char *rel, const cJSON *v,
                                 ecr_error *err);
/* Write manifest.json for everything written so far. */
ecr_status ecr_bundle_write_manifest(ecr_collect_ctx *ctx, const char *const *regions,
                                     size_t n_regions, ecr_error *err);
/* AWS timestamps as the CLI v2 prints them: "2019-01-01T00:00:00Z" or epoch
 * seconds -> "2019-01-01T00:00:00+00:00". Caller frees. */
char *ecr_aws_time_from_iso(const char *s);
char *ecr_aws_time_from_epoch(double t);

/* ---- services (sts.c, iam.c, ecr.c, orgs.c, eks.c) -------------------- */

/* sts:GetCallerIdentity -> {"UserId","Account","Arn"} (caller frees). */
ecr_status ecr_sts_get_caller_identity(ecr_aws_client *c, const char *region, cJSON **out,
                                       ecr_error *err);
ecr_status ecr_sts_assume_role(ecr_aws_client *c, const ecr_assume_role_params *p,
                               ecr_aws_creds *out, ecr_error *err);
/* Unsigned (c may be an anonymous client). */
ecr_status ecr_sts_assume_role_with_web_identity(ecr_aws_client *c,
                                                 const ecr_web_identity_params *p,
                                                 ecr_aws_creds *out, ecr_error *err);

/* iam:GetAccountAuthorizationDetails, all pages, as the CLI prints it. */
ecr_status ecr_iam_get_account_authorization_details(ecr_collect_ctx *ctx, cJSON **out,
                                                     ecr_error *err);
/* Convert one GetAccountAuthorizationDetails XML response page; *marker gets
 * the next Marker (NULL when not truncated). Exposed for unit tests. */
ecr_status ecr_iam_parse_page(const char *xml, size_t len, cJSON *acc, char **marker,
                              ecr_error *err);

/* ec2:DescribeRegions: the account's enabled regions, sorted; caller frees
 * the strings and the array. */
ecr_status ecr_ec2_describe_regions(ecr_aws_client *c, const char *region, char ***out, size_t *n,
                                    ecr_error *err);

/* iam/credential-report.json (Generate + GetCredentialReport); failures become gaps. */
void ecr_iam_collect_credential_report(ecr_collect_ctx *ctx);

/* iam/service-last-accessed.json: one Access Advisor job (ACTION_LEVEL) per
 * user and role of iam (the GetAccountAuthorizationDetails output), polled
 * with backoff, a few in flight; failures become gaps (usage.c). */
void ecr_usage_collect(ecr_collect_ctx *ctx, const cJSON *iam);

/* ECR files of one region; failures become gaps. */
void ecr_ecr_collect_region(ecr_collect_ctx *ctx, const char *region);

/* organizations/organization.json, accounts.json, scps.json and rcps.json
 * when permitted; gaps otherwise. */
void ecr_orgs_collect(ecr_collect_ctx *ctx);

/* The organisation evidence (collect --org) into ctx->tmp_dir:
 * organization.json, accounts.json, and per ACTIVE account <id>-scps.json and
 * <id>-rcps.json (each OU asked once). *ids: the ACTIVE account ids, sorted
 * (caller frees the strings and the array). Failures of one account's
 * policies are gaps; ECR_E_COLLECT when there is no organization or
 * DescribeOrganization / ListAccounts fail, ECR_E_OUTPUT when a file cannot
 * be written. */
ecr_status ecr_orgs_collect_organization(ecr_collect_ctx *ctx, char ***ids, size_t *n_ids,
                                         ecr_error *err);

/* the organizations/ files of ctx->account copied from an organisation's
 * evidence directory (OUT/organization) instead of asking Organizations from
 * the member account (which may not): organization.json, accounts.json,
 * <id>-scps.json -> scps.json, <id>-rcps.json -> rcps.json. A file the
 * directory lacks is a gap (rcps only when the organization has RCPs enabled). */
void ecr_orgs_copy(ecr_collect_ctx *ctx, const char *org_dir);

/* ecr_collect; *failed (may be NULL) names the step that failed, for a
 * gap: "credentials", "sts:AssumeRole", "sts:GetCallerIdentity",
 * "iam:GetAccountAuthorizationDetails" or "collect" (static strings). */
ecr_status ecr_collect_bundle(const ecr_collect_opts *opts, const char **failed, ecr_error *err);

/* Remove a directory tree (no links followed); NULL: nothing. */
void ecr_rmrf(const char *path);
/* Rename the finished tmp directory to out; an earlier ecraudit directory at
 * out (manifest.json with "tool": "ecraudit") is replaced, anything else is
 * an ECR_E_OUTPUT error. */
ecr_status ecr_bundle_move_into_place(const char *tmp, const char *out, ecr_error *err);

/* Credentials of opts (profile, endpoint, debug, timeout) and a client
 * signed with them, for calls outside one bundle (the organisation's);
 * region: where STS is called for role profiles (NULL: us-east-1). */
typedef struct ecr_collect_session ecr_collect_session;
ecr_status ecr_collect_session_open(const ecr_collect_opts *opts, const char *region,
                                    ecr_collect_session **out, ecr_error *err);
ecr_aws_client *ecr_collect_session_client(ecr_collect_session *s);
const char *ecr_collect_session_source(const ecr_collect_session *s); /* never a secret */
void ecr_collect_session_free(ecr_collect_session *s);                /* NULL: no-op */

/* 12 decimal digits. */
bool ecr_aws_account_id_valid(const char *id);

/* eks/<region>/clusters.json and pod-identity-associations.json; failures
 * become gaps (eks.c). */
void ecr_eks_collect_region(ecr_collect_ctx *ctx, const char *region);

#endif
