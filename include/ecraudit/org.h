/* ecraudit — organisation reports (DESIGN.md "Organisation evidence
 * (layout)", `merge`).
 *
 * One organisation report is made of per-account findings.json documents:
 * `report --evidence DIR` on the organisation layout evaluates every
 * account (in parallel) and renders each account's findings.json in memory;
 * `merge` reads them from files. Both feed the same merger, which streams:
 * one account's document is parsed at a time (a few at once, one per core),
 * its repository sets and findings are written out straight away (sets
 * renumbered rs-1.. over the organisation, every finding tagged with its
 * "account"), and only what the organisation summary needs stays in memory
 * (per account: counts and the worst findings; coverage, ledger and
 * evidence lists). So report --evidence and merge write the same findings
 * by construction, and 1,000 accounts fit in memory.
 */
#ifndef ECRAUDIT_ORG_H
#define ECRAUDIT_ORG_H

#include <stdbool.h>
#include <stddef.h>

#include "ecraudit/error.h"
#include "ecraudit/report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- layout --------------------------------------------------------------- */

/* True when dir is an organisation layout: dir/accounts/ is a directory and
 * dir is not itself a bundle (no iam/account-authorization-details.json). */
bool ecr_org_is_layout(const char *dir);

/* The account bundles of an organisation layout: the sorted names of the
 * directories under dir/accounts/ (each must be a 12-digit account id).
 * ECR_E_INPUT naming the offending entry otherwise, or when there is none.
 * *ids (and each string) owned by the caller (ecr_org_ids_free). */
ecr_status ecr_org_list_accounts(const char *dir, char ***ids, size_t *n, ecr_error *err);
void ecr_org_ids_free(char **ids, size_t n);

/* ---- cross-account grants decided on both sides --------------------------- */

/* The organisation directory when bundle is <org>/accounts/<account> of an
 * organisation layout, else NULL. Caller frees. */
char *ecr_org_dir_of(const char *bundle, const char *account);

/* For every finding of report r (account a's, ev a) whose principal is
 * another account B (arn:aws:iam::B:root) or a user or role of B, with B's
 * bundle in org/accounts/B: evaluate B's own users and roles on a's
 * repositories (B's identity policies, boundaries and SCPs; no resource
 * policy) and name in the finding's impact those for which B's side allows
 * every action of the finding on every repository of it (a's side is the
 * finding itself); the coverage sentence "account B decides" says it is
 * decided (an unreadable bundle of B: a coverage sentence says B's side is
 * undecided). Statuses, ids and repository sets do not change.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
struct ecr_evidence;
ecr_status ecr_org_cross_account(ecr_report *r, const struct ecr_evidence *a, const char *org,
                                 ecr_error *err);

/* ---- the organisation summary (model of the org renderers) ---------------- */

#define ECR_ORG_WORST 3   /* worst findings named in the summary table */
#define ECR_ORG_LISTED 25 /* open findings listed in an account's section */

/* One open finding (fail, unknown or excepted) as the organisation report
 * lists it, copied from the account's findings.json. */
typedef struct ecr_org_worst {
  char *id;
  ecr_check_status status;
  ecr_severity severity;
  char *principal;
  char *access_level; /* "Write", ... as findings.json spells it */
  char *decision;     /* "allow", "conditional", ... */
  char *impact;       /* NULL when the finding has none */
  char *remediation;  /* NULL when the finding has none */
  char *repositories; /* its repository set in words ("prod/a, prod/b and 3 more") */
  size_t repository_count;
  bool all_repositories; /* every repository, present and future */
  char grantee[16];      /* for a principal of another account: its id; "*": anyone */
  size_t set;            /* merge-internal: the set's index in its document */
} ecr_org_worst;

/* Open findings of an account per other account they give access to. */
typedef struct ecr_org_grantee {
  char account[16]; /* 12 digits, or "*" (a grant to anyone) */
  size_t n;
} ecr_org_grantee;

#define ECR_ORG_OUTSIDE_KEPT 100 /* outside grants kept per account while merging */

void ecr_org_worst_cleanup(ecr_org_worst *w);

typedef struct ecr_org_acct {
  char *account; /* 12 digits */
  char *source;  /* the findings.json path or the bundle directory */
  ecr_check_status overall;
  size_t by_status[ECR_CHECK_COUNT];
  size_t by_status_severity[ECR_CHECK_COUNT][ECR_SEV_COUNT];
  size_t n_findings;
  /* its open findings, worst first (fail, unknown, excepted; by severity),
     at most ECR_ORG_LISTED; the summary table names the first ECR_ORG_WORST */
  ecr_org_worst worst[ECR_ORG_LISTED];
  size_t n_worst;
  /* its open findings for a principal outside the report's accounts (anyone,
     or another account that is not one of them), worst first, at most
     ECR_ORG_LISTED, and how many there are */
  ecr_org_worst *outside;
  size_t n_outside, outside_open;
  ecr_org_grantee *grantees; /* merge-internal, until the accounts are known */
  size_t n_grantees, cap_grantees;
} ecr_org_acct;

typedef struct ecr_org_summary {
  char *account; /* the first of the accounts (findings.json "account") */
  char *generated_at;
  char *as_of;            /* the latest as_of of the accounts */
  ecr_org_acct *accounts; /* sorted by account id */
  size_t n_accounts;
  ecr_check_status overall; /* over all accounts, as a single report's */
  size_t by_status[ECR_CHECK_COUNT];
  size_t by_status_severity[ECR_CHECK_COUNT][ECR_SEV_COUNT];
  size_t accounts_by_overall[ECR_CHECK_COUNT];
  size_t outside_open;     /* open findings for principals outside the accounts */
  size_t outside_accounts; /* accounts with at least one */
} ecr_org_summary;

/* 0 compliant (no fail, no unknown anywhere), 1 otherwise; with threshold
 * >= 0 (an ecr_severity), 1 only when an open finding is at least that
 * severe (as `report --fail-on`). */
int ecr_org_exit_code(const ecr_org_summary *s, int threshold);

/* ---- the merger ----------------------------------------------------------- */

typedef struct ecr_org_merge ecr_org_merge;

/* Start an organisation findings.json for out_dir/findings.json (temporary
 * files only until ecr_org_merge_publish). */
ecr_status ecr_org_merge_new(const char *out_dir, ecr_org_merge **out, ecr_error *err);

/* Add one account's findings.json (schema ecraudit.findings/v2, a single
 * account's). name is what errors and the summary call it (the file's
 * path). ECR_E_INPUT naming it when it is not such a document or its
 * account is already in the merge. Borrows data. */
ecr_status ecr_org_merge_add(ecr_org_merge *m, const char *name, const char *data, size_t len,
                             ecr_error *err);
/* The same, reading the file at path. */
ecr_status ecr_org_merge_add_file(ecr_org_merge *m, const char *path, ecr_error *err);
/* Read and add several files, jobs at a time (0: one per core), in order. */
ecr_status ecr_org_merge_add_files(ecr_org_merge *m, const char *const *paths, size_t n,
                                   size_t jobs, ecr_error *err);

/* Write the whole findings.json to its temporary file (nothing published). */
ecr_status ecr_org_merge_finish(ecr_org_merge *m, ecr_error *err);
/* The summary, valid after ecr_org_merge_finish and until the merge is freed. */
const ecr_org_summary *ecr_org_merge_summary(const ecr_org_merge *m);
/* Rename the finished findings.json into place. */
ecr_status ecr_org_merge_publish(ecr_org_merge *m, ecr_error *err);
/* Frees; a file not published is removed. NULL is a no-op. */
void ecr_org_merge_free(ecr_org_merge *m);

/* ---- the organisation report ---------------------------------------------- */

typedef struct ecr_org_opts {
  const char *out_dir;
  const char *exceptions; /* ledger path or NULL (loaded once per account) */
  const char *as_of;      /* YYYY-MM-DD */
  long as_of_days;
  long unused_days; /* usage: unused access after this many days (ecr_report_usage) */
  size_t jobs;      /* accounts evaluated at once; 0: one per core */
  bool json;        /* write findings.json */
  bool junit;       /* write report.junit.xml (organisation summary, then each account) */
  bool html;        /* write report.html (organisation summary, then each account) */
  bool pdf;         /* write report.pdf (the same content) */
} ecr_org_opts;

/* report --evidence DIR on the organisation layout: every account of
 * ecr_org_list_accounts evaluated (opts->jobs at a time), one organisation
 * report written into opts->out_dir (every file published only when all
 * were written). *summary (caller frees with ecr_org_summary_free) for the
 * exit status and the summary line. */
ecr_status ecr_org_report(const char *dir, const ecr_org_opts *opts, ecr_org_summary **summary,
                          ecr_error *err);

/* merge FILES: the same report from per-account findings.json files. HTML
 * and JUnit then show the organisation summary and each account's findings
 * (from the files: no repository or principal views, which need bundles). */
ecr_status ecr_org_merge_files(const char *const *paths, size_t n, const ecr_org_opts *opts,
                               ecr_org_summary **summary, ecr_error *err);

void ecr_org_summary_free(ecr_org_summary *s);

#ifdef __cplusplus
}
#endif
#endif
