/* Between the organisation merger (merge.c) and its producers (report.c). */
#ifndef ECRAUDIT_ORG_INTERNAL_H
#define ECRAUDIT_ORG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ecraudit/ledger.h"
#include "ecraudit/org.h"
#include "util/util.h"

/* Produce document i of a merge, in a worker thread: *name (what errors
 * call it) and data and len (one account's findings.json), all malloc'd and
 * freed by the merger, also on failure. */
typedef ecr_status (*ecr_org_producer)(void *ctx, size_t i, char **name, char **data, size_t *len,
                                       ecr_error *err);

/* Documents 0..n-1 of produce, jobs at a time (0: one per core), merged in
 * order; the first failure in order decides err. */
ecr_status ecr_org_merge_add_produced(ecr_org_merge *m, size_t n, ecr_org_producer produce,
                                      void *ctx, size_t jobs, ecr_error *err);

/* Also write report.junit.xml (before adding documents). */
ecr_status ecr_org_merge_want_junit(ecr_org_merge *m, ecr_error *err);
/* also write report.html, the organisation summary then each account (ecr_org_html) */
void ecr_org_merge_want_html(ecr_org_merge *m);
/* also write report.pdf, the same content (ecr_org_pdf) */
void ecr_org_merge_want_pdf(ecr_org_merge *m);
/* Accounts without evidence (src/org/gap.c). A gap file of collect --org
 * (organization/gaps/<id>.json: {"account", "gaps": [...]}): true, with its
 * account and the errors as one sentence (NULL when none). */
bool ecr_org_is_gap_doc(const char *data, size_t len, char **account, char **reason);
/* The errors of organization/gaps/<account>.json under org_dir, NULL when none. */
char *ecr_org_gap_reason_file(const char *org_dir, const char *account);
/* A per-account findings.json whose one finding is unknown: the account has
 * no evidence (reason: why, NULL: no bundle). Caller frees. */
char *ecr_org_gap_document(const char *account, const char *reason, const char *as_of);

/* A count from a document: a JSON number 0 <= n < 2^53 (integral part),
 * else 0 (a hostile 1e300 is no count). src/org/model.c. */
struct cJSON;
size_t ecr_org_json_count(const struct cJSON *v);

/* The organisation summary page (src/org/html.c), appended to out. */
ecr_status ecr_org_html(const ecr_org_summary *s, const char *control_name, ecr_buf *out,
                        ecr_error *err);

/* ---- words.c: the sentences of the organisation report (HTML and PDF) --- */

/* "N accounts (.. fail, .. unknown, .. pass): result. Findings: ..." */
char *ecr_org_summary_line(const ecr_org_summary *s);
/* "fail: 3 fail, 0 unknown, 0 excepted, 8 pass of 11 findings." */
char *ecr_org_account_line(const ecr_org_acct *a);
/* The accounts in the order the pages list them: failing first, then
 * unknown, then passing; by id within (s->accounts is sorted by id). Indices
 * into s->accounts, n_accounts of them; caller frees. */
size_t *ecr_org_page_order(const ecr_org_summary *s);
/* A finding in one line, by a template of templates/text/org/ (keys status,
 * severity, id, principal, access_level, count, repositories). */
char *ecr_org_worst_text(const ecr_org_worst *w, const char *tmpl);
/* "Write (allow)" */
char *ecr_org_access_words(const ecr_org_worst *w);
/* How many open findings of the account are not listed, NULL when none. */
char *ecr_org_more_line(const ecr_org_acct *a);
/* The open findings for principals outside the accounts, or that there is none. */
char *ecr_org_outside_line(const ecr_org_summary *s);
/* How many of the account's outside findings are not listed, NULL when none. */
char *ecr_org_outside_more(const ecr_org_acct *a);

/* The organisation's report.pdf (src/org/pdf.c), appended to out: the same
 * content as ecr_org_html. ECR_E_INPUT naming a missing font. */
ecr_status ecr_org_pdf(const ecr_org_summary *s, const char *control_name, const char *tool_version,
                       ecr_buf *out, ecr_error *err);

/* Online processors (at least 1). */
size_t ecr_org_cores(void);

/* Move the summary out of a finished merge (the merge keeps an empty one).
 * Caller frees with ecr_org_summary_free. */
ecr_org_summary *ecr_org_merge_take_summary(ecr_org_merge *m);

/* ---- model.c: an account's report model from its findings.json ---------- */

/* The model a renderer needs (findings, repository sets, principal views
 * grouped from the findings, ledger entries, coverage, evidence list,
 * gaps); what findings.json does not hold stays empty. data must be a
 * document the merger has checked (it is parsed as is). *ledger_out owns
 * the entries the model borrows: free it after the model. */
ecr_status ecr_org_model_from_json(const char *name, const char *data, size_t len, ecr_report **out,
                                   ecr_ledger **ledger_out, ecr_error *err);

/* ---- junit.c: the organisation's report.junit.xml --------------------------- */

/* Append the account's <testsuite> (ecr_render_junit's, its name prefixed
 * with the account id) to out; totals: its tests, failures, errors. */
ecr_status ecr_org_junit_account(const ecr_report *r, ecr_buf *out, size_t totals[3],
                                 ecr_error *err);
/* The document's start: <testsuites> (totals: the accounts' suites summed)
 * and the organisation summary suite, <testsuites> left open. */
ecr_status ecr_org_junit_head(const ecr_org_summary *s, const size_t totals[3], ecr_buf *out,
                              ecr_error *err);

/* ---- scan.c: validate JSON and find spans without a tree ------------------ */

typedef struct ecr_jspan {
  size_t off, len;
} ecr_jspan;

#define ECR_JSCAN_MAX_DEPTH 128

typedef struct ecr_jscan {
  const char *d;
  size_t pos, end;
  size_t ws;           /* whitespace bytes between tokens seen */
  size_t odd;          /* tokens the findings.json printer would write otherwise
                          (an escape it does not use, a number it prints otherwise) */
  size_t escaped_keys; /* object keys written with an escape: "no key twice" is
                          then left to ecr_json_check over the document */
  const char *why;     /* first syntax error, NULL when none */
  size_t err_pos;
} ecr_jscan;

void ecr_jscan_init(ecr_jscan *s, const char *data, ecr_jspan range);
/* The whole range is one JSON value (surrounding whitespace allowed). */
bool ecr_jscan_document(ecr_jscan *s, ecr_jspan *out);
bool ecr_jscan_value(ecr_jscan *s, ecr_jspan *out, int depth);

/* key: the member's key with its quotes (zero for array elements); value:
 * its value; canonical: the member is exactly as the findings.json printer
 * (src/render/json_print.h, one line) would write it. false stops. */
typedef bool (*ecr_jscan_cb)(void *ctx, ecr_jspan key, ecr_jspan value, bool canonical);
/* Each member of the object, or element of the array, at span, validated
 * as it is read (errs, when not NULL, says where it is not valid JSON). */
bool ecr_jscan_each(const char *data, ecr_jspan span, ecr_jscan_cb cb, void *ctx, ecr_jscan *errs);
/* Push style: cb is called at each member's value (after the key and ':',
 * or at each element) and must consume it from s (ecr_jscan_value, or
 * ecr_jscan_members for a nested container); false stops. */
typedef bool (*ecr_jscan_push_cb)(void *ctx, ecr_jscan *s, ecr_jspan key);
bool ecr_jscan_members(ecr_jscan *s, ecr_jscan_push_cb cb, void *ctx);
/* Only whitespace is left. */
bool ecr_jscan_at_end(ecr_jscan *s);
/* span's bytes are exactly text */
bool ecr_jspan_is(const char *data, ecr_jspan span, const char *text);

#endif
