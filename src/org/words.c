/* The organisation report's sentences (templates/text/org/) and the order of
 * its accounts, shared by its HTML page and its PDF, so both say the same
 * thing in the same order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org/org_internal.h"
#include "util/util.h"

char *ecr_org_summary_line(const ecr_org_summary *s) {
  char c[8][32];
  const size_t n[8] = {s->n_accounts,
                       s->accounts_by_overall[ECR_CHECK_FAIL],
                       s->accounts_by_overall[ECR_CHECK_UNKNOWN],
                       s->accounts_by_overall[ECR_CHECK_PASS],
                       s->by_status[ECR_CHECK_FAIL],
                       s->by_status[ECR_CHECK_UNKNOWN],
                       s->by_status[ECR_CHECK_EXCEPTED],
                       s->by_status[ECR_CHECK_PASS]};
  for (size_t i = 0; i < 8; i++) ecr_fmt_count(n[i], c[i]);
  const char *kv[] = {"accounts",
                      c[0],
                      "accounts_fail",
                      c[1],
                      "accounts_unknown",
                      c[2],
                      "accounts_pass",
                      c[3],
                      "result",
                      s->overall == ECR_CHECK_PASS ? "compliant" : "non-compliant",
                      "fail",
                      c[4],
                      "unknown",
                      c[5],
                      "excepted",
                      c[6],
                      "pass",
                      c[7],
                      "as_of",
                      s->as_of ? s->as_of : "?",
                      "generated",
                      s->generated_at ? s->generated_at : "?",
                      NULL};
  return ecr_text("org/summary-line", kv);
}

char *ecr_org_account_line(const ecr_org_acct *a) {
  char c[5][32];
  const size_t n[5] = {a->by_status[ECR_CHECK_FAIL], a->by_status[ECR_CHECK_UNKNOWN],
                       a->by_status[ECR_CHECK_EXCEPTED], a->by_status[ECR_CHECK_PASS],
                       a->n_findings};
  for (size_t i = 0; i < 5; i++) ecr_fmt_count(n[i], c[i]);
  const char *kv[] = {"account",  a->account, "result",  ecr_check_status_name(a->overall),
                      "fail",     c[0],       "unknown", c[1],
                      "excepted", c[2],       "pass",    c[3],
                      "findings", c[4],       NULL};
  return ecr_text("org/account-line", kv);
}

char *ecr_org_access_words(const ecr_org_worst *w) {
  const char *kv[] = {"access_level", w->access_level, "decision", w->decision, NULL};
  return ecr_text(w->decision && *w->decision ? "org/access" : "org/access-level", kv);
}

char *ecr_org_more_line(const ecr_org_acct *a) {
  size_t open = a->by_status[ECR_CHECK_FAIL] + a->by_status[ECR_CHECK_UNKNOWN] +
                a->by_status[ECR_CHECK_EXCEPTED];
  if (open <= a->n_worst) return NULL;
  char more[32], listed[32];
  ecr_fmt_count(open - a->n_worst, more);
  ecr_fmt_count(a->n_worst, listed);
  const char *kv[] = {"account", a->account, "more", more, "listed", listed, NULL};
  return ecr_text("org/account-more", kv);
}

char *ecr_org_outside_line(const ecr_org_summary *s) {
  char open[32], accts[32], total[32];
  ecr_fmt_count(s->outside_open, open);
  ecr_fmt_count(s->outside_accounts, accts);
  ecr_fmt_count(s->n_accounts, total);
  const char *kv[] = {"open", open, "accounts", accts, "total", total, NULL};
  return ecr_text(s->outside_open ? "org/outside-line" : "org/outside-none", kv);
}

char *ecr_org_outside_more(const ecr_org_acct *a) {
  if (a->outside_open <= a->n_outside) return NULL;
  char more[32];
  ecr_fmt_count(a->outside_open - a->n_outside, more);
  const char *kv[] = {"account", a->account, "more", more, NULL};
  return ecr_text("org/outside-more", kv);
}

char *ecr_org_worst_text(const ecr_org_worst *w, const char *tmpl) {
  char count[32];
  snprintf(count, sizeof(count), "%zu", w->repository_count);
  const char *kv[] = {"status",
                      ecr_check_status_name(w->status),
                      "severity",
                      ecr_severity_name(w->severity),
                      "id",
                      w->id,
                      "principal",
                      w->principal,
                      "access_level",
                      w->access_level,
                      "count",
                      count,
                      "repositories",
                      w->repository_count == 1 ? "repository" : "repositories",
                      NULL};
  return ecr_text(tmpl, kv);
}

size_t *ecr_org_page_order(const ecr_org_summary *s) {
  static const ecr_check_status rank[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN, ECR_CHECK_EXCEPTED,
                                          ECR_CHECK_PASS};
  size_t *v = ecr_xcalloc(s->n_accounts + 1, sizeof(size_t)), n = 0;
  for (size_t r = 0; r < sizeof(rank) / sizeof(rank[0]); r++)
    for (size_t i = 0; i < s->n_accounts; i++)
      if (s->accounts[i].overall == rank[r]) v[n++] = i;
  return v;
}
