/* ecraudit — the findings stage: the report model (report.h) built from
 * the evidence, its access matrix (matrix.h) and the exceptions ledger.
 */
#ifndef ECRAUDIT_FINDINGS_H
#define ECRAUDIT_FINDINGS_H

#include "ecraudit/error.h"
#include "ecraudit/evidence.h"
#include "ecraudit/ledger.h"
#include "ecraudit/matrix.h"
#include "ecraudit/report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Build the report model. ledger may be NULL; it is updated (matched counts,
 * unused state) and must outlive the report. as_of is YYYY-MM-DD. */
ecr_status ecr_report_build(const ecr_evidence *ev, const ecr_matrix *m, ecr_ledger *ledger,
                            const char *as_of, ecr_report **out, ecr_error *err);

/* As ecr_report_build, with the hop graph of ev and m already built (the
 * findings through chains of roles use it; NULL: built and freed here). A
 * caller that needs the graph afterwards too (the pictures) builds it once. */
struct ecr_paths;
ecr_status ecr_report_build_with_paths(const ecr_evidence *ev, const ecr_matrix *m,
                                       ecr_ledger *ledger, const char *as_of,
                                       struct ecr_paths *paths, ecr_report **out, ecr_error *err);

#define ECR_USAGE_UNUSED_DAYS 90 /* default --unused-days */

/* Usage evidence on the findings (src/evaluate/usage.c): with
 * iam/service-last-accessed.json, every non-passing finding of a user or role
 * of the account gets its usage (last ECR use, action level where AWS tracks
 * the finding's actions), an impact note, and — when no use is recorded for
 * more than unused_days (1..400) before the as-of date — is marked unused
 * access, its remediation saying why removal is unlikely to break anything.
 * Without the file nothing changes (usage unknown, never unused). Call once,
 * after ecr_report_build and before rendering. */
void ecr_report_usage(ecr_report *r, const ecr_evidence *ev, long unused_days);

#ifdef __cplusplus
}
#endif
#endif
