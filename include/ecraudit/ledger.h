/* ecraudit — exceptions ledger (DESIGN.md "Exceptions ledger").
 *
 * A ledger is a UTF-8 JSON file (a leading byte-order mark is skipped):
 * either a top-level array of entries or an object {"exceptions": [...]}
 * (other top-level keys of that object, e.g. "description", are ignored).
 * Each entry is an object with these fields (names are case-sensitive):
 *
 *   id             required  non-empty string, unique in the file
 *   principal      required  ARN glob: "*", "arn:...", "service:<name>", or a
 *                            glob starting with '*' or '?'
 *   repositories   required  a glob or a non-empty array of globs over
 *                            repository ARNs; "*" also covers registry-level
 *                            findings (whose repository is the literal "*")
 *   actions        required  a string or non-empty array; each is an access
 *                            level ("Write", "Permissions management",
 *                            "Tagging", "Read", "List"; case-insensitive) or an
 *                            action glob ("ecr:Put*", "*"; case-insensitive)
 *   justification  required  non-empty string
 *   approved_by    required  non-empty string
 *   expires        required  "YYYY-MM-DD", a real calendar date; the entry is
 *                            active through that day (UTC) and expired after
 *   ticket         optional  non-empty string (null or absent: no ticket)
 *   x-<anything>   optional  free-form annotations, ignored
 *
 * Any other field is an error in that entry (catches typos such as
 * "expiry" or "Principal"). Globs use '*' (any run, '/' and ':' included)
 * and '?' (one byte); principals and repositories match case-sensitively,
 * actions case-insensitively. A glob is bad when it is empty, contains a
 * control character, or has leading/trailing white space; a principal must
 * look like a principal (a bare 12-digit account id is rejected with a hint
 * to write arn:aws:iam::<id>:root) and a repository glob must start with
 * "arn:" or a wildcard. A string without ':' and without wildcards in
 * actions must be an access level name.
 *
 * States:
 *   ACTIVE   valid and as_of <= expires.
 *   EXPIRED  valid and as_of > expires: excepts nothing; it still "covers"
 *            (ecr_ledger_entry_covers), so the report can say the
 *            exception lapsed. Expired wins over unused.
 *   UNUSED   set by ecr_ledger_mark_unused: ACTIVE and covered no finding.
 *   INVALID  anything wrong with the entry (every problem is listed in
 *            reason, one sentence); excepts and covers nothing. Of two
 *            entries with the same id the later one is INVALID.
 * An unreadable file, malformed JSON (line/column of the parse position),
 * a NUL byte or invalid UTF-8, or a document that is neither an array nor
 * an object with an "exceptions" array is ECR_E_INPUT naming the file.
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
  char *id;            /* as written; "#N" (1-based position) when missing,
                          empty or not a string */
  char *principal;     /* NULL when missing or not a string (INVALID only) */
  char **repositories; /* globs (the string elements as written) */
  size_t n_repositories;
  char **actions; /* globs or access-level names (string elements) */
  size_t n_actions;
  char *justification;    /* NULL when missing/not a string (INVALID only) */
  char *approved_by;      /* NULL when missing/not a string (INVALID only) */
  char *ticket;           /* NULL when absent (optional field) */
  char *expires;          /* as written; NULL when missing/not a string (INVALID only) */
  long expires_days;      /* days since 1970-01-01 when expires is a valid date
                             (always when state != INVALID), else -1 */
  ecr_ledger_state state; /* ACTIVE/EXPIRED/INVALID after load; UNUSED is
                             set by ecr_ledger_mark_unused */
  char *reason;           /* one sentence: why invalid / expired / unused;
                             NULL for ACTIVE */
  size_t matched;         /* findings this entry covers (ecr_ledger_match or the
                             report builder counts them, active or expired) */
  size_t position;        /* 1-based position in the file */
} ecr_ledger_entry;

typedef struct ecr_ledger {
  char *path;
  char sha256[65];           /* of the file's bytes, exactly as read */
  char as_of[11];            /* the as-of date the states were computed for */
  ecr_ledger_entry *entries; /* in file order */
  size_t n_entries;
  struct ecr_ledger_index *index; /* private: built by the first ecr_ledger_match */
} ecr_ledger;

/* Parse path. as_of_days (days since 1970-01-01) decides expiry: expired
 * when as_of > expires; an entry expiring on the as-of date is still active.
 * Malformed entries become INVALID with a reason; an unreadable file, a
 * document that is not a ledger at all, a key written twice in one object or
 * U+0000 in a string is ECR_E_INPUT (with line and column). *out owned by caller
 * (ecr_ledger_free); *out is NULL on error. */
ecr_status ecr_ledger_load(const char *path, long as_of_days, ecr_ledger **out, ecr_error *err);
/* Same from memory (path used in messages and ecr_ledger.path only; data
 * needs no terminating NUL). */
ecr_status ecr_ledger_parse(const char *path, const char *data, size_t len, long as_of_days,
                            ecr_ledger **out, ecr_error *err);
void ecr_ledger_free(ecr_ledger *l); /* NULL is a no-op */

/* Does entry e (any state but INVALID) cover this grant?
 * principal must match the principal glob; every repository of the finding
 * must match one repository glob ("*" finding repository = registry-level,
 * matched only by a glob that matches the literal "*"); every action must be
 * matched by an action glob (case-insensitive) or by an access-level name
 * equal to access_level (case-insensitive). A grant with no repositories or
 * no actions is covered by nothing. Partial coverage (some repositories or
 * some actions) is no coverage. */
bool ecr_ledger_entry_covers(const ecr_ledger_entry *e, const char *principal,
                             const char *const *repositories, size_t n_repositories,
                             const char *const *actions, size_t n_actions,
                             const char *access_level);

/* Convenience for the report builder: every entry that covers the grant
 * (any state but INVALID) gets matched += 1. Returns the entry that
 * decides the finding: the first covering ACTIVE entry in file order (the
 * finding is excepted), else the first covering EXPIRED entry (the finding
 * fails and the exception lapsed), else NULL. l may be NULL. */
const ecr_ledger_entry *ecr_ledger_match(ecr_ledger *l, const char *principal,
                                         const char *const *repositories, size_t n_repositories,
                                         const char *const *actions, size_t n_actions,
                                         const char *access_level);

/* After all findings were matched: entries that are ACTIVE with matched == 0
 * become UNUSED (reason filled). EXPIRED entries stay EXPIRED whether they
 * matched or not. l may be NULL. */
void ecr_ledger_mark_unused(ecr_ledger *l);

#ifdef __cplusplus
}
#endif
#endif
