/* ecraudit — live collector: gathers the evidence bundle of DESIGN.md
 * straight from AWS (libcurl + SigV4), without the AWS CLI.
 */
#ifndef ECRAUDIT_COLLECT_H
#define ECRAUDIT_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

#include "ecraudit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Progress of a collection: text is one phase or region ("eu-west-1:
 * repository policies 10/40"); done is true on the last update of that
 * phase. Called on the collecting thread; the CLI prints it. */
typedef void (*ecr_progress_fn)(void *ctx, bool done, const char *text);

/* One line of a log (no newline), e.g. the request log: "GET https://...
 * service=ecr region=eu-west-1 ...", secrets already redacted. */
typedef void (*ecr_log_fn)(void *ctx, const char *line);

typedef struct ecr_collect_opts {
  const char *out_dir;  /* bundle directory to create (renamed into place at the end) */
  const char *profile;  /* --profile, NULL -> AWS_PROFILE -> "default" */
  const char **regions; /* --region (repeatable); NULL/0 -> env / profile */
  size_t n_regions;
  const char *endpoint_url; /* --endpoint-url: every service to this URL */
  ecr_progress_fn progress; /* NULL: no progress */
  void *progress_ctx;
  ecr_log_fn debug; /* NULL: none; the redacted request log (the CLI: ECRAUDIT_DEBUG=1) */
  void *debug_ctx;
  const char *role_arn; /* NULL: none; else sts:AssumeRole into it with the credentials found,
                           and collect as that role (one member account of an organization) */
  const char *org_dir;  /* NULL: none; else an organisation's evidence (OUT/organization):
                           the organizations/ files are copied from it, Organizations is not asked */
  bool no_usage;        /* --no-usage: skip iam/service-last-accessed.json (one IAM Access
                           Advisor job per user and role) */
  long timeout_s;       /* --timeout: the whole collection, seconds; 0 -> 1800 (one
                           request at most 60 s, one call with retries 120 s) */
} ecr_collect_opts;

#define ECR_COLLECT_DEFAULT_TIMEOUT_S 1800
#define ECR_ORG_DEFAULT_JOBS 4
#define ECR_ORG_MAX_JOBS 64

/* Collect into opts->out_dir. Per-resource failures become gaps in
 * manifest.json; ECR_E_COLLECT only when identity or IAM details cannot be
 * fetched; ECR_E_OUTPUT when the bundle cannot be written. */
ecr_status ecr_collect(const ecr_collect_opts *opts, ecr_error *err);

/* ---- an organization (DESIGN "Organisation evidence (layout)") ---------- */

typedef struct ecr_org_collect_opts {
  ecr_collect_opts collect; /* out_dir: the organisation directory OUT; the rest applies to
                               the management call and to every account (timeout_s: per
                               account); role_arn and org_dir must be NULL */
  const char *role_name;    /* the role assumed in every account; NULL: OUT/organization only */
  int jobs;                 /* accounts collected at a time; 0 -> ECR_ORG_DEFAULT_JOBS */
} ecr_org_collect_opts;

typedef struct ecr_org_collect_result {
  size_t n_accounts;  /* ACTIVE accounts listed */
  size_t n_collected; /* bundles written into OUT/accounts/<id>/ */
  size_t n_failed;    /* accounts recorded in OUT/organization/gaps/<id>.json */
} ecr_org_collect_result;

/* With the credentials found (the management account or a delegated
 * administrator): OUT/organization/ (organization.json, accounts.json,
 * <id>-scps.json and <id>-rcps.json per ACTIVE account, account-ids.txt: the
 * ACTIVE ids sorted, one a line, and manifest.json with the files' SHA-256
 * and the organisation's gaps), then, with role_name, every account's bundle
 * into OUT/accounts/<id>/ (ecr_org_collect_account), jobs at a time. A failed
 * account is a gap of the organisation, not an error: ECR_E_COLLECT only when
 * the organization cannot be listed or no account could be collected. */
ecr_status ecr_collect_org(const ecr_org_collect_opts *opts, ecr_org_collect_result *res,
                           ecr_error *err);

/* The account at index (0-based) of OUT/organization/account-ids.txt into
 * *id (caller frees); *id NULL when index is past the end (*count: how many
 * there are). ECR_E_INPUT when the list is missing or malformed. */
ecr_status ecr_org_account_at(const char *org_out, long index, char **id, size_t *count,
                              ecr_error *err);

/* One account of the organisation in OUT: assume
 * arn:<partition>:iam::<account>:role/<role_name> and collect OUT/accounts/<account>/
 * as ecr_collect does, the organizations/ files copied from OUT/organization.
 * base->out_dir, role_arn and org_dir are ignored. On a collection failure
 * OUT/organization/gaps/<account>.json records why ({"account", "gaps":
 * [{"source","resource","error"}]}) and the error is returned; on success an
 * earlier such file is removed. Used by ecr_collect_org's workers and by one
 * `scan --org --account-index N` per account (Kubernetes, xargs -P). */
ecr_status ecr_org_collect_account(const ecr_collect_opts *base, const char *org_out,
                                   const char *account, const char *role_name, ecr_error *err);

#ifdef __cplusplus
}
#endif
#endif
