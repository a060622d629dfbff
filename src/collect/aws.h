/* ecraudit — internal API of the live collector: credentials, the signed
 * HTTP client with retries, the per-service calls and the bundle writer.
 * Nothing here is public; include/ecraudit/collect.h is the public face.
 */
#ifndef ECRAUDIT_COLLECT_AWS_H
#define ECRAUDIT_COLLECT_AWS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "ecraudit/error.h"
#include "util/util.h"

/* ---- credentials (credentials.c) -------------------------------------- */

typedef struct ecr_aws_creds {
  char *access_key_id;
  char *secret_access_key; /* secret: never printed, wiped on cleanup */
  char *session_token;     /* secret, NULL when none */
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

/* Callback that turns source credentials into role credentials (collect.c
 * calls STS; unit tests pass a fake). */
typedef ecr_status (*ecr_assume_role_fn)(void *ctx, const ecr_aws_creds *source,
                                         const ecr_assume_role_params *p, ecr_aws_creds *out,
                                         ecr_error *err);

typedef struct ecr_cred_result {
  ecr_aws_creds creds;
  char *profile; /* profile used (even when env creds won), caller frees */
  char *region;  /* region of that profile in the config, NULL when none */
  char *source;  /* "environment", "shared-credentials-file", "config-file",
                    "assume-role" (describes the source, never a secret) */
} ecr_cred_result;

void ecr_cred_result_cleanup(ecr_cred_result *r);

/* Resolve credentials as the AWS CLI does (see README): environment unless a
 * profile was passed on the command line, then the profile's role_arn
 * (+ source_profile / credential_source=Environment, chained, via assume),
 * then static keys in the shared credentials file, then the config file.
 * profile_arg is --profile (NULL when not given). Files come from
 * AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE or ~/.aws/{credentials,config}.
 * Errors: ECR_E_COLLECT with a message that names the profile, never a secret. */
ecr_status ecr_credentials_resolve(const char *profile_arg, ecr_assume_role_fn assume,
                                   void *assume_ctx, ecr_cred_result *out, ecr_error *err);

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
  bool debug;              /* ECRAUDIT_DEBUG=1: redacted request log on stderr */
  unsigned long long rng;  /* jitter state */
  unsigned long retries;   /* statistics: retried attempts */
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

/* creds are copied. endpoint_url may be NULL. */
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

/* Append "&key=value" form-encoded to b. */
void ecr_aws_form_add(ecr_buf *b, const char *key, const char *value);

/* Endpoint of a service in a region: "https://api.ecr.eu-west-1.amazonaws.com"
 * and the region to sign for (IAM and Organizations are global services).
 * Caller frees *url; *sign_region is static or region. */
void ecr_aws_endpoint(const char *service, const char *region, char **url,
                      const char **sign_region);

/* true for error codes / statuses that are retried. */
bool ecr_aws_retryable(long status, const char *code);

/* ---- collection state shared by the service modules ------------------- */

typedef struct ecr_collected_gap {
  char *source;   /* "ecr:GetRepositoryPolicy" */
  char *resource; /* ARN or region */
  char *error;    /* "Code: message" */
} ecr_collected_gap;

typedef struct ecr_progress {
  bool on;
} ecr_progress;

typedef struct ecr_collect_ctx {
  ecr_aws_client *client;
  const char *tmp_dir; /* bundle being written */
  char *account;
  char *partition; /* "aws", "aws-cn", "aws-us-gov" */
  ecr_collected_gap *gaps;
  size_t n_gaps, cap_gaps;
  char **files; /* relative paths written, for the manifest */
  size_t n_files, cap_files;
  bool progress;
} ecr_collect_ctx;

void ecr_collect_gap(ecr_collect_ctx *ctx, const char *source, const char *resource,
                     const ecr_aws_response *resp);
/* Progress line on stderr when ctx->progress (newline when done). */
void ecr_collect_progress(ecr_collect_ctx *ctx, bool done, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

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

/* ---- services (sts.c, iam.c, ecr.c, orgs.c) --------------------------- */

/* sts:GetCallerIdentity -> {"UserId","Account","Arn"} (caller frees). */
ecr_status ecr_sts_get_caller_identity(ecr_aws_client *c, const char *region, cJSON **out,
                                       ecr_error *err);
ecr_status ecr_sts_assume_role(ecr_aws_client *c, const ecr_assume_role_params *p,
                               ecr_aws_creds *out, ecr_error *err);

/* iam:GetAccountAuthorizationDetails, all pages, as the CLI prints it. */
ecr_status ecr_iam_get_account_authorization_details(ecr_collect_ctx *ctx, cJSON **out,
                                                     ecr_error *err);
/* Convert one GetAccountAuthorizationDetails XML response page; *marker gets
 * the next Marker (NULL when not truncated). Exposed for unit tests. */
ecr_status ecr_iam_parse_page(const char *xml, size_t len, cJSON *acc, char **marker,
                              ecr_error *err);

/* ECR files of one region; failures become gaps. */
void ecr_ecr_collect_region(ecr_collect_ctx *ctx, const char *region);

/* organizations/scps.json when permitted; gaps otherwise. */
void ecr_orgs_collect(ecr_collect_ctx *ctx);

#endif
