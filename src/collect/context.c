/* The collection context (context.h): gaps and progress. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/aws.h"

void ecr_collect_gap(ecr_collect_ctx *ctx, const char *source, const char *resource,
                     const ecr_aws_response *resp) {
  ecr_collected_gap g;
  g.source = ecr_xstrdup(source);
  g.resource = ecr_xstrdup(resource ? resource : "");
  g.error = ecr_xasprintf("%s: %s", resp && resp->error_code ? resp->error_code : "Error",
                          resp && resp->error_message ? resp->error_message : "unknown error");
  ECR_PUSH(ctx->gaps, ctx->n_gaps, ctx->cap_gaps, g);
}

void ecr_collect_progress(ecr_collect_ctx *ctx, bool done, const char *fmt, ...) {
  if (!ctx->progress) return;
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  ctx->progress(ctx->progress_ctx, done, text);
}

bool ecr_aws_account_id_valid(const char *id) {
  size_t n = 0;
  for (; id && id[n]; n++)
    if (id[n] < '0' || id[n] > '9') return false;
  return n == 12;
}

void ecr_collect_ctx_cleanup(ecr_collect_ctx *ctx) {
  for (size_t i = 0; i < ctx->n_gaps; i++) {
    free(ctx->gaps[i].source);
    free(ctx->gaps[i].resource);
    free(ctx->gaps[i].error);
  }
  free(ctx->gaps);
  for (size_t i = 0; i < ctx->n_files; i++) free(ctx->files[i]);
  free(ctx->files);
  free(ctx->account);
  free(ctx->partition);
  memset(ctx, 0, sizeof(*ctx));
}
