/* Between the organisation merger (merge.c) and its producers (report.c). */
#ifndef ECRAUDIT_ORG_INTERNAL_H
#define ECRAUDIT_ORG_INTERNAL_H

#include <stddef.h>

#include "ecraudit/org.h"

/* Produce document i of a merge, in a worker thread: *name (what errors
 * call it) and data and len (one account's findings.json), all malloc'd and
 * freed by the merger, also on failure. */
typedef ecr_status (*ecr_org_producer)(void *ctx, size_t i, char **name, char **data, size_t *len,
                                       ecr_error *err);

/* Documents 0..n-1 of produce, jobs at a time (0: one per core), merged in
 * order; the first failure in order decides err. */
ecr_status ecr_org_merge_add_produced(ecr_org_merge *m, size_t n, ecr_org_producer produce,
                                      void *ctx, size_t jobs, ecr_error *err);

/* Online processors (at least 1). */
size_t ecr_org_cores(void);

/* Move the summary out of a finished merge (the merge keeps an empty one).
 * Caller frees with ecr_org_summary_free. */
ecr_org_summary *ecr_org_merge_take_summary(ecr_org_merge *m);

#endif
