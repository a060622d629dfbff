/* The collection context the service modules (ecr.c, iam.c, orgs.c, eks.c,
 * sts.c) receive: where the bundle is written, the gaps and files recorded so
 * far, and the progress callback. It depends on nothing but the AWS client,
 * so the services never call back into collect.c (collect.c -> services ->
 * context.c). */
#ifndef ECRAUDIT_COLLECT_CONTEXT_H
#define ECRAUDIT_COLLECT_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ecr_aws_client ecr_aws_client;
typedef struct ecr_aws_response ecr_aws_response;

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
  void (*progress)(void *ctx, bool done, const char *text); /* NULL: none */
  void *progress_ctx;
} ecr_collect_ctx;

/* Free the gaps, files, account and partition (not the client); ctx is zeroed. */
void ecr_collect_ctx_cleanup(ecr_collect_ctx *ctx);

void ecr_collect_gap(ecr_collect_ctx *ctx, const char *source, const char *resource,
                     const ecr_aws_response *resp);
/* Progress through ctx->progress (done: the last update of a phase). */
void ecr_collect_progress(ecr_collect_ctx *ctx, bool done, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
