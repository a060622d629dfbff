/* A hand-built report model for renderer tests (independent of the
 * evaluator): every status, severity, principal kind and ledger state, and
 * optionally hostile strings in every user-controlled field. */
#ifndef ECR_FIXTURE_H
#define ECR_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "ecraudit/report.h"

typedef struct ecr_fixture {
  ecr_report *report;
  ecr_ledger_entry *entries; /* what report->ledger points at */
  size_t n_entries;
} ecr_fixture;

/* hostile: put markup, quotes, '&', control characters, invalid-for-XML
 * characters and non-Latin text into principals, repositories, ledger text,
 * impact and remediation. extra: add this many generated findings (for
 * pagination / scale tests). */
ecr_fixture ecr_fixture_make(bool hostile, size_t extra);
void ecr_fixture_free(ecr_fixture *fx);

/* The hostile string used in every field (for assertions). */
extern const char ECR_FIXTURE_HOSTILE[];

#endif
