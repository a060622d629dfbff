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
  bool no_usage;  /* --no-usage: skip iam/service-last-accessed.json (one IAM Access
                     Advisor job per user and role) */
  long timeout_s; /* --timeout: the whole collection, seconds; 0 -> 1800 (one
                     request at most 60 s, one call with retries 120 s) */
} ecr_collect_opts;

#define ECR_COLLECT_DEFAULT_TIMEOUT_S 1800

/* Collect into opts->out_dir. Per-resource failures become gaps in
 * manifest.json; ECR_E_COLLECT only when identity or IAM details cannot be
 * fetched; ECR_E_OUTPUT when the bundle cannot be written. */
ecr_status ecr_collect(const ecr_collect_opts *opts, ecr_error *err);

#ifdef __cplusplus
}
#endif
#endif
