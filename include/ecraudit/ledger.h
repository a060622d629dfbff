/* ecraudit — exceptions ledger (DESIGN.md "Exceptions ledger").
 *
 * A ledger is a JSON file: either an array of entries or an object
 * {"exceptions": [...]} (both accepted). Entry fields: id, principal (ARN
 * glob), repositories (globs), actions (globs or access-level names such as
 * "Write"), justification, approved_by, ticket, expires (YYYY-MM-DD).
 */
#ifndef ECRAUDIT_LEDGER_H
#define ECRAUDIT_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include "ecraudit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ecr_ledger_state {
  ECR_LEDGER_ACTIVE = 0,
  ECR_LEDGER_EXPIRED,
  ECR_LEDGER_UNUSED,
  ECR_LEDGER_INVALID
} ecr_ledger_state;

const char *ecr_ledger_state_name(ecr_ledger_state s); /* "active", ... */

typedef struct ecr_ledger_entry {
  char *id;            /* as written; "#N" (1-based position) when missing */
  char *principal;     /* may be NULL when invalid */
  char **repositories; /* globs */
  size_t n_repositories;
  char **actions;      /* globs or access-level names */
  size_t n_actions;
  char *justification;
  char *approved_by;
  char *ticket;
  char *expires;       /* as written */
  long expires_days;   /* days since epoch, valid when state != INVALID */
  ecr_ledger_state state;  /* ACTIVE/EXPIRED/INVALID after load; UNUSED is
                              set by ecr_ledger_mark_unused */
  char *reason;        /* why invalid / expired / unused, human sentence */
  size_t matched;      /* findings this entry matched (set by the report) */
} ecr_ledger_entry;

typedef struct ecr_ledger {
  char *path;
  char sha256[65];
  ecr_ledger_entry *entries;
  size_t n_entries;
} ecr_ledger;

/* Parse path. as_of_days decides expiry (entry expired when as_of > expires;
 * an entry expiring today is still active). Malformed entries become
 * INVALID with a reason; an unreadable file or a document that is not a
 * ledger at all is ECR_E_INPUT. *out owned by caller (ecr_ledger_free). */
ecr_status ecr_ledger_load(const char *path, long as_of_days, ecr_ledger **out,
                           ecr_error *err);
/* Same from memory (path used in messages only). */
ecr_status ecr_ledger_parse(const char *path, const char *data, size_t len,
                            long as_of_days, ecr_ledger **out, ecr_error *err);
void ecr_ledger_free(ecr_ledger *l);

/* Does entry e (ACTIVE or EXPIRED; never INVALID) cover this grant?
 * principal must match the principal glob; every repository of the finding
 * must match one repository glob ("*" finding repository = registry-level,
 * matched only by a glob that matches the literal "*"); every action must be
 * matched by an action glob (case-insensitive) or by an access-level name
 * equal to access_level (case-insensitive). */
bool ecr_ledger_entry_covers(const ecr_ledger_entry *e, const char *principal,
                             const char *const *repositories, size_t n_repositories,
                             const char *const *actions, size_t n_actions,
                             const char *access_level);

/* After all findings were matched: entries that are ACTIVE with matched == 0
 * become UNUSED (reason filled). */
void ecr_ledger_mark_unused(ecr_ledger *l);

#ifdef __cplusplus
}
#endif
#endif
