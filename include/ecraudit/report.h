/* ecraudit — the report model.
 *
 * One immutable model built from the evidence, the evaluation and the
 * ledger; every renderer (html, pdf, junit, json) is a pure function of it.
 * Renderers never compute: counts, statuses, severities and sort orders are
 * all here already. Everything below an ecr_report is owned by it.
 */
#ifndef ECRAUDIT_REPORT_H
#define ECRAUDIT_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "ecraudit/error.h"
#include "ecraudit/ledger.h"
#include "ecraudit/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A set of repositories that findings share (findings.json "repository_sets"):
 * every distinct set once, however many findings name it. */
typedef struct ecr_repo_set {
  char *key;           /* "rs-1", "rs-2", ... in order of creation */
  bool all;            /* every repository, present and future (see ecr_finding) */
  char **repositories; /* sorted ARNs, {"*"} for the registry; strings borrowed
                          from report->name_pool, the array is the set's */
  size_t n;
} ecr_repo_set;

/* What IAM Access Advisor (iam/service-last-accessed.json) says about one
 * finding's access (ecr_report_usage). */
typedef struct ecr_finding_usage {
  bool tracked;        /* the file has ECR data for the principal; false: untracked
                          (its job failed, or AWS lists no ECR entry for it) */
  char *last_used;     /* ISO 8601 of the last recorded use, NULL: none in the tracking period */
  char *action;        /* "ecr:PutImage" when last_used is action level (the finding's
                          action used last), NULL when it is ECR as a whole */
  long days;           /* as-of date minus last_used, in days (-1 without last_used) */
  char *tracked_since; /* YYYY-MM-DD: the tracking covers the principal from this day on */
  bool unused;         /* unused access: no use recorded for more than the report's
                          unused_days (never for untracked access) */
} ecr_finding_usage;

typedef struct ecr_finding {
  char *id; /* stable: same input -> same id ("C0222-" + 16 hex digits) */
  ecr_check_status status;
  ecr_severity severity;
  char *principal; /* ARN / "*" / "service:<name>" as in the matrix */
  ecr_principal_kind principal_kind;
  size_t repo_set;     /* index into report->repo_sets */
  char **repositories; /* borrowed: report->repo_sets[repo_set].repositories */
  size_t n_repositories;
  bool all_repositories; /* every repository of the evidence, and every repository
                            not created yet, holds these actions with this decision
                            (never for the registry) */
  ecr_access_level access_level;
  char **actions; /* sorted canonical names "ecr:PutImage" */
  size_t n_actions;
  ecr_decision decision;       /* ALLOW or CONDITIONAL */
  char **undecided_conditions; /* sorted condition keys of the conditional statements
                                  behind a conditional finding (owned) */
  size_t n_undecided;
  bool can_push; /* the whole push set is granted on >= 1 repository */
  ecr_via *via;  /* granting statements first, then limiting Denies */
  size_t n_via;
  size_t n_via_omitted;              /* further repository-policy statements that also grant
                                        (not listed; the access matrix shows every cell) */
  char *impact;                      /* plain text, may contain newlines */
  char *remediation;                 /* plain text, may contain newlines */
  char *suggested_statement;         /* pretty JSON of a replacement statement, or NULL */
  const ecr_ledger_entry *exception; /* matching ledger entry (active -> excepted,
                                        expired -> still fail), NULL when none */
  char *status_reason;               /* one sentence: why this status (gap, lapsed exception...) */
  ecr_change change;                 /* against the baseline; ECR_CHANGE_NONE without one */
  char *change_from;                 /* changed: "fail/high" as the baseline had it, else NULL */
  char **via_chain; /* role ARNs assumed, in order, for access through a chain of roles
                       (the principal reaches it only that way); NULL, 0 for direct access */
  size_t n_via_chain;
  char *chain_trust;        /* the trust statement of the chain's first role that lets the
                               principal in: "Sid" or the 0-based index; NULL for direct access */
  ecr_finding_usage *usage; /* NULL: no usage evidence (file absent, or not a user or
                               role of the account, or a passing finding) */
} ecr_finding;

/* A finding's chain of roles as one line, from the principal to the last
 * role: "<principal> > <role ARN> > <role ARN>", with the trust statement of
 * the first role appended as " (trust statement S)"; NULL for direct access.
 * Caller frees. Every renderer shows the chain with this text. */
char *ecr_finding_chain_text(const ecr_finding *f);

/* The finding is about registry-level actions: its repository set is the
 * registry, {"*"}. The one test of it, for every renderer. */
bool ecr_finding_registry(const ecr_finding *f);

/* Who can do what on one repository (repository view). */
typedef struct ecr_repo_access {
  const char *principal; /* borrowed from report->name_pool */
  ecr_decision decision;
  bool everywhere; /* the principal holds this access, with this decision, on every
                      repository of the report (see report->everywhere) */
} ecr_repo_access;

/* The four accesses of the repository view, in this order. */
enum { ECR_ACCESS_PUSH = 0, ECR_ACCESS_DELETE, ECR_ACCESS_PERMISSIONS, ECR_ACCESS_TAG };
#define ECR_ACCESS_COUNT 4

typedef struct ecr_repo_view {
  char *arn;
  char *name;
  char *region;
  bool has_policy;
  bool gap;        /* repository policy could not be collected */
  char *gap_error; /* "AccessDeniedException: ..." or NULL */
  ecr_repo_access *push;
  size_t n_push; /* whole push set */
  ecr_repo_access *delete_;
  size_t n_delete; /* BatchDeleteImage / DeleteRepository */
  ecr_repo_access *permissions;
  size_t n_permissions; /* Set/DeleteRepositoryPolicy */
  ecr_repo_access *tag;
  size_t n_tag; /* Tag/UntagResource */
} ecr_repo_view;

typedef struct ecr_principal_view {
  char *principal;
  ecr_principal_kind kind;
  char *name;       /* user/role name or the principal itself */
  size_t *findings; /* indices into report->findings, in report order */
  size_t n_findings;
  ecr_check_status worst_status; /* FAIL > UNKNOWN > EXCEPTED > PASS */
  ecr_severity worst_severity;   /* over its non-pass findings, INFO if none */
  char *used_by;   /* who uses it: "codebuild.amazonaws.com; GitHub Actions OIDC (repo:acme/...)" or
                      NULL */
  char *last_used; /* ISO 8601 or NULL */
  bool service_linked;
  bool evidence_gap; /* a policy of this principal could not be read */
} ecr_principal_view;

/* One framework control the check supports (data/control-mappings.json). */
typedef struct ecr_mapping {
  char *framework; /* "SOC 2 (2017 Trust Services Criteria)" */
  char *id;        /* "CC6.1" */
  char *title;     /* short description, shown in HTML/PDF/JUnit only */
} ecr_mapping;

/* One kind of evidence file and whether the bundle had it
 * (templates/text/evidence-sources.tsv). */
typedef struct ecr_evidence_source {
  char *pattern;  /* "ecr/<region>/repositories.json" as documented */
  char *label;    /* what it is */
  bool required;  /* the evaluation needs it; optional ones only sharpen it */
  size_t n_files; /* files of the bundle that match */
} ecr_evidence_source;

/* A finding of the baseline that the new report does not have. */
typedef struct ecr_baseline_item {
  char *id;
  char *principal;
  char *access_level;
  char *status; /* as the baseline had it */
  char *severity;
} ecr_baseline_item;

/* --baseline OLD/findings.json: the old file and what changed since. */
typedef struct ecr_baseline {
  char *path;
  char sha256[65];                      /* of the old file's bytes */
  char *generated_at;                   /* the old file's generated_at */
  size_t n_new, n_changed, n_unchanged; /* findings of this report by change */
  size_t n_new_open;                    /* new findings that fail or are unknown */
  ecr_baseline_item *resolved;          /* in the old file, not in this report (old order) */
  size_t n_resolved;
} ecr_baseline;

typedef struct ecr_report {
  /* header */
  char *tool_version;    /* "0.1.0" */
  char *catalog_version; /* "AWS Service Authorization Reference, ecr, 2026-06-14" */
  char *control_id;      /* "C-0222" */
  char *control_name;    /* "Minimize user access to Amazon ECR" */
  char *control_ref;     /* "CIS Amazon EKS Benchmark 5.1.2" */
  char *account;
  char *caller_arn;    /* from sts/caller-identity.json, NULL when absent */
  char *evidence_time; /* manifest collected_at, NULL when the bundle has no manifest */
  char *generated_at;  /* ISO 8601 UTC, SOURCE_DATE_EPOCH when set */
  char *as_of;         /* YYYY-MM-DD */
  char **regions;
  size_t n_regions;
  size_t n_principals_evaluated; /* users + roles of the account */
  size_t n_repositories;

  /* result */
  ecr_check_status overall; /* FAIL if any fail, else UNKNOWN if any unknown, else PASS
                               (excepted findings do not make a report fail) */
  size_t by_status[ECR_CHECK_COUNT];
  size_t by_severity[ECR_SEV_COUNT]; /* over non-pass findings */
  size_t by_status_severity[ECR_CHECK_COUNT][ECR_SEV_COUNT];

  /* findings, sorted: status (fail, unknown, excepted, pass), severity,
     principal, access level, id */
  ecr_finding *findings;
  size_t n_findings;

  ecr_repo_set *repo_sets; /* every repository set findings refer to */
  size_t n_repo_sets;

  ecr_repo_view *repositories; /* sorted by ARN */
  size_t n_repo_views;
  ecr_principal_view *principals; /* sorted: worst status, then principal */
  size_t n_principal_views;

  /* Per access (ECR_ACCESS_*): the principals that hold it on every repository
     (with one decision), in principal order, so renderers can list them once.
     The report builder lists them here only, never in the repository views'
     own lists; a view built by hand may list them too, flagged everywhere
     (ecr_report_mark_everywhere). A repository's whole list is both. */
  ecr_repo_access *everywhere[ECR_ACCESS_COUNT];
  size_t n_everywhere[ECR_ACCESS_COUNT];

  /* ledger (NULL ledger_path when no --exceptions) */
  char *ledger_path;
  char ledger_sha256[65];
  const ecr_ledger_entry *ledger; /* borrowed from the ledger the report was built with */
  size_t n_ledger;

  char **name_pool; /* strings the model borrows: principal names of repository views,
                       repository ARNs of findings */
  size_t n_name_pool;

  char **coverage; /* one sentence each */
  size_t n_coverage;

  char evidence_sha256[65]; /* SHA-256 of the "sha256  path\n" lines of files (sha256sum format) */
  ecr_evidence_file *files; /* sorted by path */
  size_t n_files;
  ecr_gap *gaps;
  size_t n_gaps;

  /* evidence pack (src/report/pack.c, filled by ecr_report_pack) */
  ecr_mapping *mappings; /* framework controls, in data file order */
  size_t n_mappings;
  size_t by_kind[ECR_PK_SERVICE + 1];           /* principal views per kind */
  size_t principals_by_status[ECR_CHECK_COUNT]; /* principal views per worst status */
  size_t n_not_passing; /* findings that fail, are unknown or excepted (sum of by_severity) */
  ecr_evidence_source *sources; /* evidence kinds and their coverage */
  size_t n_sources;
  bool evidence_age_known; /* evidence_time and as_of both parse */
  long evidence_age_days;  /* as_of - the date of evidence_time */
  bool evidence_stale;     /* evidence_age_days > ECR_EVIDENCE_MAX_AGE_DAYS */

  ecr_baseline *baseline; /* NULL without --baseline */

  /* usage evidence (ecr_report_usage; all zero without iam/service-last-accessed.json) */
  bool usage_present;
  long unused_days;         /* threshold: unused for more than this many days */
  size_t n_usage_tracked;   /* non-passing findings with tracked usage */
  size_t n_usage_untracked; /* non-passing findings of users and roles without ECR data */
  size_t n_unused;          /* non-passing findings marked unused access */
  size_t n_unused_open;     /* of those, fail or unknown */
} ecr_report;

#define ECR_EVIDENCE_MAX_AGE_DAYS 30

/* Fill the evidence-pack part of the model (mappings, principals per kind,
 * evidence sources, evidence age) from the rest of it. The report builder
 * calls it; so must anyone who builds a report by hand and wants them. */
void ecr_report_pack(ecr_report *r);

/* templates/text/pack/<name>.txt expanded with the model's values
 * (account, control_id, iam, repos, regions, principals, days, collected,
 * as_of, max, and the baseline's generated_at, sha256, new, new_open,
 * changed, unchanged, resolved); one text for HTML and PDF. Caller frees. */
char *ecr_report_pack_text(const ecr_report *r, const char *name);

/* Read OLD/findings.json and mark every finding new, changed or unchanged
 * (changed: same id, other status or severity), listing the old findings
 * this report no longer has. ECR_E_INPUT naming the file when it is not a
 * findings.json of schema ecraudit.findings/v2. */
ecr_status ecr_report_baseline(ecr_report *r, const char *path, ecr_error *err);

/* SHA-256 over the sha256sum-format lines "<sha256>  <path>\n" of files,
 * in the order given (the model keeps files sorted by path), so that
 * `cd BUNDLE && sha256sum <paths in C order> | sha256sum` reproduces it. */
void ecr_report_evidence_sha256(const ecr_evidence_file *files, size_t n, char out[65]);

/* Fill report->everywhere and the everywhere flags from the repository
 * views (principal strings are compared by address: they are borrowed from
 * name_pool). The report builder calls it; so must anyone who edits views. */
void ecr_report_mark_everywhere(ecr_report *r);

/* The cover sentence on usage evidence (templates/text/pack/usage-counts.txt:
 * unused risky access among the tracked grants), or NULL when the report has
 * no usage evidence (src/evaluate/usage.c). Caller frees. */
char *ecr_report_usage_text(const ecr_report *r);

/* Free the report and everything under it; NULL is a no-op. */
void ecr_report_free(ecr_report *r);

/* Exit status for a report: 0 compliant (no fail, no unknown), 1 otherwise. */
int ecr_report_exit_code(const ecr_report *r);

#ifdef __cplusplus
}
#endif
#endif
