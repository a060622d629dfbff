/* The organisation's report.pdf (org_internal.h): the same content as its
 * report.html (src/org/html.c) for an auditor who signs a document: the
 * organisation summary and the accounts table, then one section per
 * account with its open findings, worst first, up to ECR_ORG_LISTED, and
 * the rest counted. Drawn with the PDF renderer's layout engine
 * (src/render/pdf_internal.h): the same fonts, text mapping, tables and page
 * furniture as a single account's evidence pack; a bookmark per account.
 * The sentences are templates/text/org/, shared with the HTML page
 * (words.c). Reproducible: the dates come from the summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org/org_internal.h"
#include "render/pdf_internal.h"
#include "util/util.h"

static const char DASH[] = "\xe2\x80\x94";

static void para(pdf_ctx *c, const pdf_style *st, const char *s) {
  ecr_pdf_para(c, st, c->left, c->right - c->left, s);
}

static void para_t(pdf_ctx *c, const pdf_style *st, const char *tmpl, const char *const *kv) {
  char *s = ecr_text(tmpl, kv);
  para(c, st, s);
  free(s);
}

/* Heading with a bookmark; keep: points of what follows kept with it. */
static HPDF_Outline heading(pdf_ctx *c, const pdf_style *st, const char *s, double keep) {
  ecr_pdf_space(c, 10);
  ecr_pdf_ensure(c, st->leading + keep);
  HPDF_Destination d = HPDF_Page_CreateDestination(c->page);
  if (d) HPDF_Destination_SetFitH(d, (HPDF_REAL)(c->y + 6 > c->ph ? c->ph : c->y + 6));
  para(c, st, s);
  ecr_pdf_stroke_line(c, c->left, c->y - 2, c->right, c->y - 2, 0.8, PDF_ACCENT);
  c->y -= 8;
  char *t = ecr_pdf_text_plain(s, 160);
  HPDF_Outline o = HPDF_CreateOutline(c->doc, NULL, t, c->enc);
  free(t);
  if (o && d) HPDF_Outline_SetDestination(o, d);
  return o;
}

/* The lines of a template (column titles, one per line) into t[0..max),
 * "" past its end; returns the text they point into (caller frees). */
static char *titles(const char *tmpl, const char **t, size_t max) {
  char *all = ecr_text(tmpl, NULL), *save = NULL;
  size_t n = 0;
  for (char *l = strtok_r(all, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save))
    t[n++] = l;
  while (n < max) t[n++] = "";
  return all;
}

static pdf_cell cell1(const char *s, pdf_style st) {
  pdf_cell c;
  memset(&c, 0, sizeof(c));
  c.n_runs = 1;
  c.run[0] = (pdf_run){s, st};
  return c;
}

static pdf_cell pill(ecr_check_status s, char *buf, size_t len) {
  snprintf(buf, len, "%s", ecr_check_status_name(s));
  for (char *p = buf; *p; p++)
    if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
  pdf_cell c = cell1(buf, ecr_pdf_st(PDF_F_BOLD, 6.5, 11.5, PDF_WHITE));
  c.pill = true;
  c.pill_bg = ecr_pdf_status_color(s);
  return c;
}

/* A finding's id, status and severity cells. */
static void id_cells(pdf_cell *cells, const ecr_org_worst *f, char *st, size_t st_len) {
  cells[0] = cell1(f->id, ecr_pdf_st(PDF_F_MONO, 6.5, 9, PDF_TEXT));
  cells[1] = pill(f->status, st, st_len);
  cells[2] = cell1(ecr_severity_name(f->severity),
                   ecr_pdf_st(PDF_F_BOLD, 8, 10.5, ecr_pdf_severity_color(f->severity)));
}

static void accounts_table(pdf_ctx *c, const ecr_org_summary *s) {
  static const double w[] = {92, 60, 42, 50, 52, 42, 145};
  static const int al[] = {0, 0, 1, 1, 1, 1, 0};
  const char *t7[7];
  char *all = titles("org/accounts-columns", t7, 7);
  pdf_col cols[7];
  for (size_t k = 0; k < 7; k++) cols[k] = (pdf_col){t7[k], w[k], al[k]};
  pdf_table t = {cols, 7, c->left};
  pdf_style cs = ecr_pdf_st(PDF_F_REG, 8, 10.5, PDF_TEXT);
  pdf_style small = ecr_pdf_st(PDF_F_REG, 7, 9.5, PDF_TEXT);
  ecr_pdf_table_begin(c, &t);
  size_t row = 0;
  size_t *order = ecr_org_page_order(s);
  for (size_t i = 0; i < s->n_accounts; i++) {
    const ecr_org_acct *a = &s->accounts[order[i]];
    char st[16], n[4][32];
    static const ecr_check_status col[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN, ECR_CHECK_EXCEPTED,
                                           ECR_CHECK_PASS};
    for (size_t k = 0; k < 4; k++) ecr_fmt_count(a->by_status[col[k]], n[k]);
    ecr_buf worst;
    ecr_buf_init(&worst);
    for (size_t k = 0; k < a->n_worst && k < ECR_ORG_WORST; k++)
      ecr_buf_printf(&worst, "%s%s %s %s", k ? "\n" : "", ecr_check_status_name(a->worst[k].status),
                     ecr_severity_name(a->worst[k].severity), a->worst[k].principal);
    pdf_cell cells[7] = {cell1(a->account, ecr_pdf_st(PDF_F_BOLD, 8, 10.5, PDF_TEXT)),
                         pill(a->overall, st, sizeof(st)),
                         cell1(n[0], cs),
                         cell1(n[1], cs),
                         cell1(n[2], cs),
                         cell1(n[3], cs),
                         cell1(worst.len ? worst.data : DASH, small)};
    ecr_pdf_table_row(c, &t, cells, row++, NULL, NULL);
    ecr_buf_cleanup(&worst);
  }
  ecr_pdf_table_end(c);
  free(order);
  free(all);
}

/* A section's bookmarked heading (a template) and its first line (taken). */
static void section_head(pdf_ctx *c, const char *tmpl, const char *const *kv, char *line) {
  char *title = ecr_text(tmpl, kv);
  pdf_style h2 = ecr_pdf_st(PDF_F_BOLD, 12, 17, PDF_ACCENT);
  pdf_style bs = ecr_pdf_st(PDF_F_REG, PDF_BODY_SIZE, PDF_BODY_LEAD, PDF_TEXT);
  heading(c, &h2, title, 3 * PDF_BODY_LEAD);
  free(title);
  para(c, &bs, line);
  free(line);
}

/* The open findings for principals outside the report's accounts. */
static void outside_section(pdf_ctx *c, const ecr_org_summary *s) {
  section_head(c, "org/outside-title", NULL, ecr_org_outside_line(s));
  if (!s->outside_open) return;
  ecr_pdf_space(c, 4);
  /* Account | Finding | Status | Severity | Principal · Access · Repositories */
  const char *t7[7];
  char *all = titles("org/outside-columns", t7, 7);
  char *what = ecr_xasprintf("%s \xc2\xb7 %s \xc2\xb7 %s", t7[4], t7[5], t7[6]);
  pdf_col cols[5] = {
      {t7[0], 72, 0}, {t7[1], 78, 0}, {t7[2], 46, 0}, {t7[3], 46, 0}, {what, 241, 0}};
  pdf_table t = {cols, 5, c->left};
  pdf_style cs = ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT);
  ecr_pdf_table_begin(c, &t);
  size_t row = 0;
  size_t *order = ecr_org_page_order(s);
  for (size_t i = 0; i < s->n_accounts; i++) {
    const ecr_org_acct *a = &s->accounts[order[i]];
    for (size_t k = 0; k < a->n_outside; k++) {
      const ecr_org_worst *f = &a->outside[k];
      char st[16];
      char *access = ecr_org_access_words(f);
      char *who = ecr_xasprintf("%s \xc2\xb7 %s", f->principal, access);
      pdf_cell cells[5];
      cells[0] = cell1(a->account, ecr_pdf_st(PDF_F_BOLD, 8, 10.5, PDF_TEXT));
      id_cells(cells + 1, f, st, sizeof(st));
      cells[4] = cell1(who, ecr_pdf_st(PDF_F_BOLD, 7.5, 10, PDF_TEXT));
      cells[4].n_runs = 2;
      cells[4].run[1] = (pdf_run){f->repositories ? f->repositories : DASH, cs};
      ecr_pdf_table_row(c, &t, cells, row++, NULL, NULL);
      free(access);
      free(who);
    }
    char *more = ecr_org_outside_more(a);
    if (more) {
      pdf_cell cells[5] = {cell1(a->account, ecr_pdf_st(PDF_F_BOLD, 8, 10.5, PDF_TEXT)),
                           cell1("", cs), cell1("", cs), cell1("", cs), cell1(more, cs)};
      ecr_pdf_table_row(c, &t, cells, row++, NULL, NULL);
    }
    free(more);
  }
  ecr_pdf_table_end(c);
  free(order);
  free(what);
  free(all);
}

static void account_section(pdf_ctx *c, const ecr_org_acct *a) {
  const char *kv_acct[] = {"account", a->account, NULL};
  pdf_style bs = ecr_pdf_st(PDF_F_REG, PDF_BODY_SIZE, PDF_BODY_LEAD, PDF_TEXT);
  section_head(c, "org/account-title", kv_acct, ecr_org_account_line(a));
  ecr_pdf_space(c, 4);
  if (!a->n_worst) {
    para_t(c, &bs, "org/account-none-open", kv_acct);
    return;
  }
  /* Finding | Status | Severity | Principal | Access | Repositories | Impact | Remediation:
     the last three share one wide cell, one run each */
  const char *t8[8];
  char *all = titles("org/findings-columns", t8, 8);
  char *what = ecr_xasprintf("%s \xc2\xb7 %s \xc2\xb7 %s", t8[3], t8[4], t8[5]);
  pdf_col cols[4] = {{t8[0], 78, 0}, {t8[1], 46, 0}, {t8[2], 46, 0}, {what, 313, 0}};
  pdf_table t = {cols, 4, c->left};
  ecr_pdf_table_begin(c, &t);
  for (size_t k = 0; k < a->n_worst; k++) {
    const ecr_org_worst *f = &a->worst[k];
    char st[16];
    char *access = ecr_org_access_words(f);
    char *who = ecr_xasprintf("%s \xc2\xb7 %s", f->principal, access);
    char *impact = ecr_xasprintf("%s: %s", t8[6], f->impact ? f->impact : DASH);
    char *fix = ecr_xasprintf("%s: %s", t8[7], f->remediation ? f->remediation : DASH);
    pdf_cell cells[4];
    id_cells(cells, f, st, sizeof(st));
    cells[3] = cell1(NULL, ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT));
    cells[3].n_runs = 4;
    cells[3].run[0] = (pdf_run){who, ecr_pdf_st(PDF_F_BOLD, 7.5, 10, PDF_TEXT)};
    cells[3].run[1] = (pdf_run){f->repositories ? f->repositories : DASH,
                                ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT)};
    cells[3].run[2] = (pdf_run){impact, ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT)};
    cells[3].run[3] = (pdf_run){fix, ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_MUTED)};
    ecr_pdf_table_row(c, &t, cells, k, NULL, NULL);
    free(access);
    free(who);
    free(impact);
    free(fix);
  }
  ecr_pdf_table_end(c);
  free(what);
  free(all);
  char *more = ecr_org_more_line(a);
  if (more) {
    ecr_pdf_space(c, 4);
    para(c, &bs, more);
  }
  free(more);
}

ecr_status ecr_org_pdf(const ecr_org_summary *s, const char *control_name, const char *tool_version,
                       ecr_buf *out, ecr_error *err) {
  pdf_ctx c;
  memset(&c, 0, sizeof(c));
  ecr_status st = ecr_pdf_open(&c, NULL, err);
  if (st != ECR_OK) {
    ecr_pdf_close(&c);
    return st;
  }
  ecr_pdf_new_page(&c);
  const char *kv_title[] = {"control", control_name, NULL};
  char *title = ecr_text("org/title", kv_title);
  pdf_style h1 = ecr_pdf_st(PDF_F_BOLD, 16, 22, PDF_ACCENT);
  pdf_style bs = ecr_pdf_st(PDF_F_REG, PDF_BODY_SIZE, PDF_BODY_LEAD, PDF_TEXT);
  heading(&c, &h1, title, 4 * PDF_BODY_LEAD);
  char *line = ecr_org_summary_line(s);
  para(&c, &bs, line);
  free(line);
  ecr_pdf_space(&c, 4);
  para_t(&c, &bs, "org/html-note", NULL);
  ecr_pdf_space(&c, 8);
  char *caption = ecr_text("org/accounts-caption", NULL);
  pdf_style h3 = ecr_pdf_st(PDF_F_BOLD, 10.5, 15, PDF_TEXT);
  ecr_pdf_ensure(&c, 3 * h3.leading);
  para(&c, &h3, caption);
  free(caption);
  accounts_table(&c, s);
  outside_section(&c, s);
  size_t *order = ecr_org_page_order(s);
  for (size_t i = 0; i < s->n_accounts; i++) account_section(&c, &s->accounts[order[i]]);
  free(order);
  char *foot = ecr_xasprintf("ecraudit %s \xc2\xb7 generated %s \xc2\xb7 as of %s",
                             tool_version ? tool_version : "?",
                             s->generated_at ? s->generated_at : "?", s->as_of ? s->as_of : "?");
  char nacc[32];
  ecr_fmt_count(s->n_accounts, nacc);
  const char *kv_head[] = {"accounts", nacc, NULL};
  char *head_right = ecr_text("org/pdf-head", kv_head);
  ecr_pdf_furniture(&c, title, head_right, foot);
  char *creator = ecr_xasprintf("ecraudit %s", tool_version ? tool_version : "?");
  ecr_pdf_info(&c, title, title, creator, "Amazon ECR, IAM, AWS Organizations, access review",
               s->generated_at);
  ecr_sink sink = {ecr_sink_buf_write, out};
  st = ecr_pdf_save(&c, &sink, err);
  free(creator);
  free(head_right);
  free(foot);
  free(title);
  ecr_pdf_close(&c);
  return st;
}
