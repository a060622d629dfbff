/* PDF evidence pack: the sections (cover, executive summary, findings
 * table, finding details, repository access, exceptions ledger, coverage,
 * evidence appendix) and the helpers they share. Everything shown comes
 * from the report model; static wording comes from templates/pdf/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/pdf_internal.h"

#define LABEL_W 112.0

/* ---- small helpers ----------------------------------------------------- */

/* Template text without its trailing newline; caller frees. */
char *ecr_pdf_template(const char *name, const char *const *kv) {
  char path[128];
  snprintf(path, sizeof(path), "templates/pdf/%s.txt", name);
  const char *t = ecr_embedded_get(path, NULL);
  char *s = kv ? ecr_template_expand(t ? t : "", kv) : ecr_xstrdup(t ? t : "");
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
  return s;
}

const char *ecr_pdf_nz(const char *s, const char *dflt) {
  return s && *s ? s : dflt;
}

static const char *status_label(ecr_check_status s) {
  switch (s) {
  case ECR_CHECK_FAIL: return ecr_label("pdf/status-fail");
  case ECR_CHECK_EXCEPTED: return ecr_label("pdf/status-excepted");
  case ECR_CHECK_UNKNOWN: return ecr_label("pdf/status-unknown");
  case ECR_CHECK_PASS: return ecr_label("pdf/status-pass");
  }
  return "?";
}

const char *ecr_pdf_status_group_title(ecr_check_status s) {
  switch (s) {
  case ECR_CHECK_FAIL: return ecr_label("pdf/group-fail");
  case ECR_CHECK_UNKNOWN: return ecr_label("pdf/group-unknown");
  case ECR_CHECK_EXCEPTED: return ecr_label("pdf/group-excepted");
  case ECR_CHECK_PASS: return ecr_label("pdf/group-pass");
  }
  return ecr_label("pdf/findings");
}

static const char *overall_verdict(ecr_check_status s) {
  switch (s) {
  case ECR_CHECK_FAIL: return ecr_label("pdf/verdict-fail");
  case ECR_CHECK_UNKNOWN: return ecr_label("pdf/verdict-unknown");
  case ECR_CHECK_EXCEPTED:
  case ECR_CHECK_PASS: return ecr_label("pdf/verdict-pass");
  }
  return "?";
}

static const char *source_label(ecr_source s);

/* "repository policy" -> "repository policies", "permissions boundary" ->
 * "permissions boundaries"; caller frees. */
static char *source_label_plural(ecr_source s) {
  const char *l = source_label(s);
  size_t n = strlen(l);
  if (n > 1 && l[n - 1] == 'y') return ecr_xasprintf("%.*sies", (int)(n - 1), l);
  return ecr_xasprintf("%ss", l);
}

static const char *source_label(ecr_source s) {
  switch (s) {
  case ECR_SRC_IDENTITY: return ecr_label("pdf/source-identity");
  case ECR_SRC_GROUP: return ecr_label("pdf/source-group");
  case ECR_SRC_RESOURCE: return ecr_label("pdf/source-resource");
  case ECR_SRC_REGISTRY: return ecr_label("pdf/source-registry");
  case ECR_SRC_BOUNDARY: return ecr_label("pdf/source-boundary");
  case ECR_SRC_SCP: return ecr_label("pdf/source-scp");
  case ECR_SRC_RCP: return ecr_label("pdf/source-rcp");
  }
  return ecr_label("pdf/source-other");
}

static char *scope_text(const ecr_finding *f) {
  if (ecr_finding_registry(f)) return ecr_xstrdup(ecr_label("pdf/scope-registry"));
  if (f->all_repositories) return ecr_xstrdup(ecr_label("pdf/scope-all"));
  char n[32];
  snprintf(n, sizeof(n), "%zu", f->n_repositories);
  const char *kv[] = {"n", n, NULL};
  return ecr_text(f->n_repositories == 1 ? "label/repositories-one" : "label/repositories-many",
                  kv);
}

char *ecr_pdf_join(char *const *v, size_t n, const char *sep) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < n; i++) {
    if (i) ecr_buf_puts(&b, sep);
    ecr_buf_puts(&b, v[i] ? v[i] : "");
  }
  return ecr_buf_steal(&b);
}

size_t ecr_pdf_toc_add(pdf_report *R, int level, char *title) {
  pdf_toc_entry e = {level, title, 0, 0, false};
  ECR_PUSH(R->toc, R->n_toc, R->cap_toc, e);
  return R->n_toc - 1;
}

HPDF_Destination ecr_pdf_dest_here(pdf_report *R) {
  HPDF_Destination d = HPDF_Page_CreateDestination(R->c.page);
  if (d) HPDF_Destination_SetFitH(d, (HPDF_REAL)(R->c.y + 6 > R->c.ph ? R->c.ph : R->c.y + 6));
  return d;
}

HPDF_Outline ecr_pdf_outline_add(pdf_report *R, HPDF_Outline parent, const char *title,
                                 HPDF_Destination d) {
  char *t = ecr_pdf_text_plain(title, 160);
  HPDF_Outline o = HPDF_CreateOutline(R->c.doc, parent ? parent : R->root, t, R->c.enc);
  free(t);
  if (o && d) HPDF_Outline_SetDestination(o, d);
  if (o) HPDF_Outline_SetOpened(o, HPDF_FALSE);
  return o;
}

/* A section or sub-section heading that is also a TOC entry and a bookmark.
 * Keeps the heading with at least `keep` points of what follows. */
static HPDF_Outline heading(pdf_report *R, size_t toc_idx, HPDF_Outline parent, bool new_page,
                            double keep) {
  pdf_ctx *c = &R->c;
  pdf_toc_entry *e = &R->toc[toc_idx];
  bool h1 = e->level == 0;
  pdf_style st =
      h1 ? ecr_pdf_st(PDF_F_BOLD, 16, 22, PDF_ACCENT) : ecr_pdf_st(PDF_F_BOLD, 12, 17, PDF_ACCENT);
  if (new_page && c->y < c->top) ecr_pdf_new_page(c);
  if (!h1) ecr_pdf_space(c, 8);
  ecr_pdf_ensure(c, st.leading + 6 + keep);
  e->page = c->n_pages - 1;
  e->y = c->y;
  e->set = true;
  HPDF_Destination d = ecr_pdf_dest_here(R);
  ecr_pdf_para(c, &st, c->left, c->right - c->left, e->title);
  if (h1) {
    ecr_pdf_stroke_line(c, c->left, c->y - 2, c->right, c->y - 2, 1.2, PDF_ACCENT);
    c->y -= 10;
  } else {
    c->y -= 3;
  }
  HPDF_Outline o = ecr_pdf_outline_add(R, parent, e->title, d);
  if (o && h1) HPDF_Outline_SetOpened(o, HPDF_TRUE);
  return o;
}

HPDF_Outline ecr_pdf_heading(pdf_report *R, size_t toc_idx, bool new_page, double keep) {
  return heading(R, toc_idx, NULL, new_page, keep);
}

static void body(pdf_report *R, const char *text) {
  pdf_style st = ecr_pdf_st(PDF_F_REG, PDF_BODY_SIZE, PDF_BODY_LEAD, PDF_TEXT);
  ecr_pdf_para(&R->c, &st, R->c.left, R->c.right - R->c.left, text);
  ecr_pdf_space(&R->c, 6);
}

static void body_tmpl(pdf_report *R, const char *name, const char *const *kv) {
  char *s = ecr_pdf_template(name, kv);
  body(R, s);
  free(s);
}

static void subheading(pdf_report *R, const char *text) {
  pdf_style st = ecr_pdf_st(PDF_F_BOLD, 10.5, 15, PDF_TEXT);
  ecr_pdf_space(&R->c, 6);
  ecr_pdf_ensure(&R->c, st.leading + 3 * PDF_BODY_LEAD);
  ecr_pdf_para(&R->c, &st, R->c.left, R->c.right - R->c.left, text);
  R->c.y -= 2;
}

/* ---- cover ------------------------------------------------------------- */

void ecr_pdf_cover(pdf_report *R) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  double w = c->right - c->left;
  ecr_pdf_new_page(c);
  c->y -= 40;
  pdf_style kick = ecr_pdf_st(PDF_F_BOLD, 9, 14, PDF_MUTED);
  ecr_pdf_para(c, &kick, c->left, w, ecr_label("pdf/cover-kicker"));
  c->y -= 6;
  pdf_style title = ecr_pdf_st(PDF_F_BOLD, 22, 28, PDF_ACCENT);
  ecr_pdf_para(c, &title, c->left, w, ecr_pdf_nz(r->control_name, ecr_control_name()));
  c->y -= 4;
  const char *ckv[] = {"control_id", ecr_pdf_nz(r->control_id, ecr_control_id()), "control_ref",
                       ecr_pdf_nz(r->control_ref, ecr_control_ref()), NULL};
  char *sub = ecr_text("pdf/cover-control", ckv);
  pdf_style subst = ecr_pdf_st(PDF_F_REG, 13, 18, PDF_TEXT);
  ecr_pdf_para(c, &subst, c->left, w, sub);
  free(sub);
  const char *akv[] = {"account", ecr_pdf_nz(r->account, ecr_label("pdf/account-unknown")), NULL};
  char *acct = ecr_text("pdf/aws-account", akv);
  ecr_pdf_para(c, &subst, c->left, w, acct);
  free(acct);
  c->y -= 22;

  /* Result box */
  pdf_rgb col = ecr_pdf_status_color(r->overall);
  double box_h = 92, top = c->y;
  ecr_pdf_fill_rect(c, c->left, top - box_h, w, box_h, col);
  pdf_style lab = ecr_pdf_st(PDF_F_BOLD, 9, 12, PDF_WHITE);
  ecr_pdf_draw_line(c, &lab, c->left + 18, ecr_pdf_baseline(top - 10, &lab),
                    ecr_label("pdf/cover-overall"), 0, 0);
  pdf_style big = ecr_pdf_st(PDF_F_BOLD, 30, 36, PDF_WHITE);
  ecr_pdf_draw_line(c, &big, c->left + 18, ecr_pdf_baseline(top - 24, &big),
                    status_label(r->overall), 0, 0);
  pdf_style verdict = ecr_pdf_st(PDF_F_BOLD, 14, 18, PDF_WHITE);
  ecr_pdf_draw_line(c, &verdict, c->right - 18, ecr_pdf_baseline(top - 26, &verdict),
                    overall_verdict(r->overall), w / 2, 1);
  char nfail[32], nunk[32], nexc[32], npass[32];
  snprintf(nfail, sizeof(nfail), "%zu", r->by_status[ECR_CHECK_FAIL]);
  snprintf(nunk, sizeof(nunk), "%zu", r->by_status[ECR_CHECK_UNKNOWN]);
  snprintf(nexc, sizeof(nexc), "%zu", r->by_status[ECR_CHECK_EXCEPTED]);
  snprintf(npass, sizeof(npass), "%zu", r->by_status[ECR_CHECK_PASS]);
  const char *nkv[] = {"fail", nfail, "unknown", nunk, "excepted", nexc, "pass", npass, NULL};
  char *counts = ecr_text("pdf/cover-counts", nkv);
  pdf_style cnt = ecr_pdf_st(PDF_F_REG, 10.5, 14, PDF_WHITE);
  ecr_pdf_draw_line(c, &cnt, c->left + 18, ecr_pdf_baseline(top - 66, &cnt), counts, w - 36, 0);
  free(counts);
  c->y = top - box_h - 26;
  ecr_pdf_cover_pack(R);

  char *regions = r->n_regions ? ecr_pdf_join(r->regions, r->n_regions, ", ")
                               : ecr_xstrdup(ecr_label("pdf/regions-none"));
  char np[32], nl[32];
  snprintf(np, sizeof(np), "%zu", r->n_principals_evaluated);
  snprintf(nl, sizeof(nl), "%zu", r->n_ledger);
  const char *pkv[] = {"n", np, NULL};
  const char *lkv[] = {"path", r->ledger_path, "n", nl, NULL};
  const char *tkv[] = {"version", ecr_pdf_nz(r->tool_version, "?"), NULL};
  char *principals = ecr_text("pdf/cover-principals", pkv);
  char *repos = ecr_xasprintf("%zu", r->n_repositories);
  char *ledger = r->ledger_path ? ecr_text("pdf/cover-ledger", lkv)
                                : ecr_xstrdup(ecr_label("pdf/cover-ledger-none"));
  char *tool = ecr_text("label/tool", tkv);
  ecr_pdf_kv(c, ecr_label("pdf/caller-identity"),
             ecr_pdf_nz(r->caller_arn, ecr_label("pdf/caller-none")), PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/evidence-collected"),
             ecr_pdf_nz(r->evidence_time, ecr_label("pdf/evidence-time-none")), PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/exceptions-as-of"), ecr_pdf_nz(r->as_of, "?"), PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/report-generated"), ecr_pdf_nz(r->generated_at, "?"), PDF_F_REG,
             LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/regions"), regions, PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/principals-evaluated"), principals, PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("label/repositories"), repos, PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/exceptions-ledger"), ledger, PDF_F_REG, LABEL_W);
  if (r->ledger_path)
    ecr_pdf_kv(c, ecr_label("pdf/ledger-sha256"), r->ledger_sha256, PDF_F_MONO, LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/tool-version"), tool, PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/action-catalog"), ecr_pdf_nz(r->catalog_version, "?"), PDF_F_REG,
             LABEL_W);
  free(regions);
  free(principals);
  free(repos);
  free(ledger);
  free(tool);

  c->y -= 18;
  ecr_pdf_stroke_line(c, c->left, c->y, c->right, c->y, 0.5, PDF_RULE);
  c->y -= 8;
  char *note = ecr_pdf_template("cover-note", NULL);
  pdf_style small = ecr_pdf_st(PDF_F_REG, 8.5, 12, PDF_MUTED);
  ecr_pdf_para(c, &small, c->left, w, note);
  free(note);
}

/* ---- executive summary ---------------------------------------------------- */

static void bar_chart(pdf_report *R) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  static const ecr_check_status stack[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN, ECR_CHECK_EXCEPTED};
  const double label_w = 70, count_w = 40, bar_h = 14, gap = 9;
  double chart_w = c->right - c->left - label_w - count_w;
  double need = ECR_SEV_COUNT * (bar_h + gap) + 34;
  ecr_pdf_ensure(c, need);
  size_t max = 0;
  for (int s = 0; s < ECR_SEV_COUNT; s++)
    if (r->by_severity[s] > max) max = r->by_severity[s];
  /* axis: 1, 2 or 5 x 10^k per tick, at most 5 ticks */
  size_t step = 1;
  while (step * 5 < max) {
    if (step * 2 * 5 >= max) {
      step *= 2;
      break;
    }
    if (step * 5 * 5 >= max) {
      step *= 5;
      break;
    }
    step *= 10;
  }
  size_t ticks = max ? (max + step - 1) / step : 1;
  double scale_max = (double)(ticks * step);
  double top = c->y;
  double x0 = c->left + label_w;
  pdf_style axis = ecr_pdf_st(PDF_F_REG, 7, 9, PDF_MUTED);
  double plot_h = ECR_SEV_COUNT * (bar_h + gap);
  for (size_t q = 0; q <= ticks; q++) {
    double gx = x0 + chart_w * (double)q / (double)ticks;
    ecr_pdf_stroke_line(c, gx, top, gx, top - plot_h, q ? 0.3 : 0.8, q ? PDF_RULE : PDF_MUTED);
    char v[32];
    snprintf(v, sizeof(v), "%zu", q * step);
    ecr_pdf_draw_line(c, &axis, gx, top - plot_h - 9, v, 0, 2);
  }
  pdf_style lab = ecr_pdf_st(PDF_F_BOLD, 8.5, bar_h, PDF_TEXT);
  pdf_style num = ecr_pdf_st(PDF_F_BOLD, 8.5, bar_h, PDF_TEXT);
  for (int s = 0; s < ECR_SEV_COUNT; s++) {
    double by = top - gap / 2 - s * (bar_h + gap);
    lab.color = ecr_pdf_severity_color((ecr_severity)s);
    ecr_pdf_draw_line(c, &lab, c->left, ecr_pdf_baseline(by, &lab),
                      ecr_severity_name((ecr_severity)s), label_w - 6, 0);
    double x = x0;
    for (size_t k = 0; k < sizeof(stack) / sizeof(stack[0]); k++) {
      size_t n = r->by_status_severity[stack[k]][s];
      if (!n) continue;
      double bw = chart_w * (double)n / scale_max;
      ecr_pdf_fill_rect(c, x, by - bar_h, bw, bar_h, ecr_pdf_status_color(stack[k]));
      x += bw;
    }
    char v[32];
    snprintf(v, sizeof(v), "%zu", r->by_severity[s]);
    ecr_pdf_draw_line(c, &num, x + 5, ecr_pdf_baseline(by, &num), v, 0, 0);
  }
  c->y = top - plot_h - 16;
  /* legend */
  double lx = x0;
  pdf_style leg = ecr_pdf_st(PDF_F_REG, 8, 10, PDF_TEXT);
  for (size_t k = 0; k < sizeof(stack) / sizeof(stack[0]); k++) {
    ecr_pdf_fill_rect(c, lx, c->y - 8.5, 8, 8, ecr_pdf_status_color(stack[k]));
    lx += 12;
    lx += ecr_pdf_draw_line(c, &leg, lx, ecr_pdf_baseline(c->y, &leg),
                            ecr_check_status_name(stack[k]), 0, 0) +
          16;
  }
  c->y -= 18;
}

void ecr_pdf_summary(pdf_report *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 40);

  char *regions = r->n_regions ? ecr_pdf_join(r->regions, r->n_regions, ", ")
                               : ecr_xstrdup(ecr_label("pdf/summary-no-region"));
  char np[32], nr[32];
  snprintf(np, sizeof(np), "%zu", r->n_principals_evaluated);
  snprintf(nr, sizeof(nr), "%zu", r->n_repositories);
  const char *kv[] = {"account",
                      ecr_pdf_nz(r->account, "?"),
                      "principals",
                      np,
                      "repositories",
                      nr,
                      "regions",
                      regions,
                      "evidence_time",
                      ecr_pdf_nz(r->evidence_time, ecr_label("pdf/summary-evidence-time-none")),
                      "as_of",
                      ecr_pdf_nz(r->as_of, "?"),
                      NULL};
  body_tmpl(R, "summary-intro", kv);
  free(regions);

  /* overall line */
  ecr_pdf_ensure(c, 26);
  pdf_style ov = ecr_pdf_st(PDF_F_BOLD, 10.5, 20, PDF_TEXT);
  double w = ecr_pdf_draw_line(c, &ov, c->left, ecr_pdf_baseline(c->y, &ov),
                               ecr_label("pdf/overall-result"), 0, 0);
  double pw = ecr_pdf_pill(c, c->left + w + 8, c->y - 2, 16, 9.5, status_label(r->overall),
                           ecr_pdf_status_color(r->overall), PDF_WHITE);
  ecr_pdf_draw_line(c, &ov, c->left + w + 16 + pw, ecr_pdf_baseline(c->y, &ov),
                    overall_verdict(r->overall), 0, 0);
  c->y -= 28;

  subheading(R, ecr_label("pdf/by-status"));
  const pdf_col cols[] = {{ecr_label("label/status"), 78, 0},
                          {ecr_label("pdf/findings"), 56, 1},
                          {ecr_label("pdf/what-it-means"), 349, 0}};
  pdf_table t = {cols, 3, c->left};
  ecr_pdf_table_begin(c, &t);
  static const ecr_check_status order[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN, ECR_CHECK_EXCEPTED,
                                           ECR_CHECK_PASS};
  static const char *const meaning[] = {"status-fail", "status-unknown", "status-excepted",
                                        "status-pass"};
  for (size_t i = 0; i < 4; i++) {
    char n[32];
    snprintf(n, sizeof(n), "%zu", r->by_status[order[i]]);
    char *m = ecr_pdf_template(meaning[i], NULL);
    pdf_cell cells[3] = {0};
    cells[0].n_runs = 1;
    cells[0].pill = true;
    cells[0].pill_bg = ecr_pdf_status_color(order[i]);
    cells[0].run[0] = (pdf_run){status_label(order[i]), ecr_pdf_st(PDF_F_BOLD, 7.5, 13, PDF_WHITE)};
    cells[1].n_runs = 1;
    cells[1].run[0] = (pdf_run){n, ecr_pdf_st(PDF_F_BOLD, 9, 13, PDF_TEXT)};
    cells[2].n_runs = 1;
    cells[2].run[0] = (pdf_run){m, ecr_pdf_st(PDF_F_REG, 8.5, 12, PDF_TEXT)};
    ecr_pdf_table_row(c, &t, cells, i, NULL, NULL);
    free(m);
  }
  ecr_pdf_table_end(c);

  subheading(R, ecr_label("pdf/open-by-severity"));
  bar_chart(R);

  subheading(R, ecr_label("pdf/by-status-severity"));
  const pdf_col mcols[] = {
      {ecr_label("label/status"), 98, 0},       {ecr_severity_name(ECR_SEV_CRITICAL), 62, 1},
      {ecr_severity_name(ECR_SEV_HIGH), 62, 1}, {ecr_severity_name(ECR_SEV_MEDIUM), 62, 1},
      {ecr_severity_name(ECR_SEV_LOW), 62, 1},  {ecr_severity_name(ECR_SEV_INFO), 62, 1},
      {ecr_label("label/total"), 75, 1}};
  pdf_table mt = {mcols, 7, c->left};
  ecr_pdf_table_begin(c, &mt);
  for (size_t i = 0; i <= 4; i++) {
    pdf_cell cells[7] = {0};
    char nums[7][32];
    pdf_style numst = ecr_pdf_st(PDF_F_REG, 8.5, 12, PDF_TEXT);
    cells[0].n_runs = 1;
    if (i < 4) {
      cells[0].run[0] = (pdf_run){ecr_check_status_name(order[i]),
                                  ecr_pdf_st(PDF_F_BOLD, 8.5, 12, ecr_pdf_status_color(order[i]))};
      for (int s = 0; s < ECR_SEV_COUNT; s++)
        snprintf(nums[s + 1], sizeof(nums[0]), "%zu", r->by_status_severity[order[i]][s]);
      snprintf(nums[6], sizeof(nums[0]), "%zu", r->by_status[order[i]]);
    } else {
      cells[0].run[0] =
          (pdf_run){ecr_label("pdf/open-not-pass"), ecr_pdf_st(PDF_F_BOLD, 8.5, 12, PDF_TEXT)};
      for (int s = 0; s < ECR_SEV_COUNT; s++)
        snprintf(nums[s + 1], sizeof(nums[0]), "%zu", r->by_severity[s]);
      snprintf(nums[6], sizeof(nums[0]), "%zu", r->n_not_passing);
      numst.font = PDF_F_BOLD;
    }
    for (int k = 1; k < 7; k++) {
      cells[k].n_runs = 1;
      cells[k].run[0] = (pdf_run){nums[k], numst};
    }
    ecr_pdf_table_row(c, &mt, cells, i, NULL, NULL);
  }
  ecr_pdf_table_end(c);
}

/* ---- findings table -------------------------------------------------------- */

typedef struct pass_key {
  int level;
  const char *principal;
} pass_key;

static int pass_key_cmp(const void *a, const void *b) {
  const pass_key *x = a, *y = b;
  if (x->level != y->level) return x->level < y->level ? -1 : 1;
  return strcmp(x->principal ? x->principal : "", y->principal ? y->principal : "");
}

/* Passing findings of a large account: counts by access level and scope
 * (every repository, named repositories, registry level) and the number of
 * principals, instead of one row each. */
static void pass_summary(pdf_report *R) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  size_t n = 0, cnt[ECR_LEVEL_COUNT + 1][4];
  memset(cnt, 0, sizeof(cnt));
  pass_key *keys = ecr_xcalloc(r->by_status[ECR_CHECK_PASS] + 1, sizeof(pass_key));
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    if (f->status != ECR_CHECK_PASS || n >= r->by_status[ECR_CHECK_PASS]) continue;
    int lv = (int)f->access_level < ECR_LEVEL_COUNT ? (int)f->access_level : 0;
    bool registry = ecr_finding_registry(f);
    int sc = registry ? 2 : (f->all_repositories ? 0 : 1);
    cnt[lv][sc]++;
    cnt[ECR_LEVEL_COUNT][sc]++;
    keys[n++] = (pass_key){lv, f->principal};
  }
  qsort(keys, n, sizeof(pass_key), pass_key_cmp);
  size_t principals[ECR_LEVEL_COUNT + 1] = {0};
  for (size_t i = 0; i < n; i++)
    if (!i || pass_key_cmp(&keys[i], &keys[i - 1]) != 0) principals[keys[i].level]++;
  /* principals over all levels */
  for (size_t i = 0; i < n; i++) keys[i].level = 0;
  qsort(keys, n, sizeof(pass_key), pass_key_cmp);
  for (size_t i = 0; i < n; i++)
    if (!i || pass_key_cmp(&keys[i], &keys[i - 1]) != 0) principals[ECR_LEVEL_COUNT]++;
  free(keys);

  char total[32], np[32];
  snprintf(total, sizeof(total), "%zu", r->by_status[ECR_CHECK_PASS]);
  snprintf(np, sizeof(np), "%zu", principals[ECR_LEVEL_COUNT]);
  const char *kv[] = {"total", total, "principals", np, NULL};
  char *title = ecr_text("pdf/pass-summarized", kv);
  subheading(R, title);
  free(title);
  body_tmpl(R, "findings-pass-summary", kv);
  const pdf_col cols[] = {
      {ecr_label("pdf/access-level"), 95, 0},       {ecr_label("pdf/every-repository"), 88, 1},
      {ecr_label("pdf/named-repositories"), 98, 1}, {ecr_label("pdf/registry-star"), 66, 1},
      {ecr_label("pdf/findings"), 60, 1},           {ecr_label("pdf/principals"), 76, 1}};
  pdf_table t = {cols, 6, c->left};
  ecr_pdf_table_begin(c, &t);
  size_t row = 0;
  for (int lv = 0; lv <= ECR_LEVEL_COUNT; lv++) {
    size_t sum = cnt[lv][0] + cnt[lv][1] + cnt[lv][2];
    if (!sum && lv < ECR_LEVEL_COUNT) continue;
    char nums[6][32];
    snprintf(nums[1], sizeof(nums[1]), "%zu", cnt[lv][0]);
    snprintf(nums[2], sizeof(nums[2]), "%zu", cnt[lv][1]);
    snprintf(nums[3], sizeof(nums[3]), "%zu", cnt[lv][2]);
    snprintf(nums[4], sizeof(nums[4]), "%zu", sum);
    snprintf(nums[5], sizeof(nums[5]), "%zu", principals[lv]);
    bool tot = lv == ECR_LEVEL_COUNT;
    pdf_style st = ecr_pdf_st(tot ? PDF_F_BOLD : PDF_F_REG, 8.5, 12, PDF_TEXT);
    pdf_cell cells[6] = {0};
    cells[0].n_runs = 1;
    cells[0].run[0] =
        (pdf_run){tot ? ecr_label("pdf/all-passing") : ecr_access_level_name((ecr_access_level)lv),
                  ecr_pdf_st(PDF_F_BOLD, 8.5, 12, PDF_TEXT)};
    for (int k = 1; k < 6; k++) {
      cells[k].n_runs = 1;
      cells[k].run[0] = (pdf_run){nums[k], st};
    }
    ecr_pdf_table_row(c, &t, cells, row++, NULL, NULL);
  }
  ecr_pdf_table_end(c);
}

void ecr_pdf_findings_table(pdf_report *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  body_tmpl(R, "findings-intro", NULL);
  if (!r->n_findings) {
    body(R, ecr_label("pdf/no-findings"));
    return;
  }
  const pdf_col cols[] = {{"#", 24, 1},
                          {ecr_label("label/status"), 56, 0},
                          {ecr_label("pdf/severity"), 44, 0},
                          {ecr_label("pdf/principal-finding-id"), 168, 0},
                          {ecr_label("pdf/access-level"), 64, 0},
                          {ecr_label("pdf/scope"), 70, 0},
                          {ecr_label("pdf/decision"), 57, 0}};
  pdf_table t = {cols, 7, c->left};
  ecr_pdf_table_begin(c, &t);
  size_t row = 0;
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    if (R->pass_summarized && f->status == ECR_CHECK_PASS) continue;
    char num[32];
    snprintf(num, sizeof(num), "%zu", i + 1);
    char *scope = scope_text(f);
    pdf_cell cells[7] = {0};
    pdf_style txt = ecr_pdf_st(PDF_F_REG, 8, 10.5, PDF_TEXT);
    cells[0].n_runs = 1;
    cells[0].run[0] = (pdf_run){num, ecr_pdf_st(PDF_F_REG, 8, 10.5, PDF_ACCENT)};
    cells[1].n_runs = 1;
    cells[1].pill = true;
    cells[1].pill_bg = ecr_pdf_status_color(f->status);
    cells[1].run[0] =
        (pdf_run){status_label(f->status), ecr_pdf_st(PDF_F_BOLD, 6.5, 11.5, PDF_WHITE)};
    cells[2].n_runs = 1;
    cells[2].run[0] =
        (pdf_run){ecr_severity_name(f->severity),
                  ecr_pdf_st(PDF_F_BOLD, 8, 10.5, ecr_pdf_severity_color(f->severity))};
    cells[3].n_runs = 2;
    cells[3].run[0] = (pdf_run){f->principal, ecr_pdf_st(PDF_F_REG, 8, 10.5, PDF_TEXT)};
    char *idline = f->change == ECR_CHANGE_NONE
                       ? ecr_xstrdup(f->id)
                       : ecr_xasprintf("%s \xc2\xb7 %s", f->id, ecr_change_name(f->change));
    cells[3].run[1] = (pdf_run){
        idline,
        ecr_pdf_st(PDF_F_MONO, 6.5, 9,
                   f->change == ECR_CHANGE_NEW ? ecr_pdf_status_color(ECR_CHECK_FAIL) : PDF_MUTED)};
    cells[4].n_runs = 1;
    cells[4].run[0] = (pdf_run){ecr_access_level_name(f->access_level), txt};
    cells[5].n_runs = 1;
    cells[5].run[0] = (pdf_run){scope, txt};
    cells[6].n_runs = 1;
    cells[6].run[0] = (pdf_run){ecr_decision_name(f->decision), txt};
    ecr_pdf_table_row(c, &t, cells, row++, &R->row_rect[i], &R->row_page[i]);
    free(scope);
    free(idline);
  }
  ecr_pdf_table_end(c);
  if (R->pass_summarized) pass_summary(R);
}

/* ---- finding details ---------------------------------------------------- */

static bool str_eq(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

/* Two deciding statements with the same text and role (in different
 * policies). Only statements whose JSON is known are compared. */
static bool same_statement(const ecr_via *a, const ecr_via *b) {
  return a->json && b->json && a->deny == b->deny && a->conditional == b->conditional &&
         a->source == b->source && str_eq(a->owner, b->owner) &&
         str_eq(a->statement, b->statement) && strcmp(a->json, b->json) == 0;
}

static void via_block(pdf_report *R, const ecr_finding *f) {
  pdf_ctx *c = &R->c;
  double x = c->left + LABEL_W, w = c->right - x;
  pdf_style ls = ecr_pdf_st(PDF_F_BOLD, PDF_SMALL_SIZE, PDF_BODY_LEAD, PDF_MUTED);
  pdf_style vs = ecr_pdf_st(PDF_F_REG, 9, PDF_BODY_LEAD, PDF_TEXT);
  pdf_style code = ecr_pdf_st(PDF_F_MONO, 7, 9.5, PDF_TEXT);
  ecr_pdf_ensure(c, PDF_BODY_LEAD);
  ecr_pdf_draw_line(c, &ls, c->left, ecr_pdf_baseline(c->y, &ls),
                    ecr_label("pdf/deciding-statements"), LABEL_W - 6, 0);
  if (!f->n_via) {
    ecr_pdf_para(c, &vs, x, w, "\xe2\x80\x94");
    return;
  }
  for (size_t k = 0; k < f->n_via; k++) {
    const ecr_via *v = &f->via[k];
    /* the same statement in several policies (a Deny repeated in many
     * repository policies): once, with the policies it is in */
    bool seen = false;
    for (size_t j = 0; j < k && !seen; j++) seen = same_statement(&f->via[j], v);
    if (seen) continue;
    size_t same = 1;
    for (size_t j = k + 1; j < f->n_via; j++)
      if (same_statement(&f->via[j], v)) same++;
    const char *okv[] = {"owner", v->owner, NULL};
    char *of =
        v->owner ? ecr_text(v->source == ECR_SRC_GROUP ? "pdf/via-of" : "pdf/via-at", okv) : NULL;
    char *owner = of ? ecr_xasprintf(" %s", of) : ecr_xstrdup("");
    free(of);
    const char *effect = ecr_label(
        v->deny ? (v->conditional ? "pdf/effect-deny-conditional" : "pdf/effect-deny")
                : (v->conditional ? "pdf/effect-allow-conditional" : "label/effect-allow"));
    char *line;
    if (same == 1) {
      const char *lkv[] = {"effect",    effect,
                           "source",    source_label(v->source),
                           "owner",     owner,
                           "policy",    ecr_pdf_nz(v->policy, "?"),
                           "statement", ecr_pdf_nz(v->statement, "?"),
                           NULL};
      line = ecr_text("pdf/via-line", lkv);
    } else {
      ecr_buf b;
      ecr_buf_init(&b);
      char *plural = source_label_plural(v->source);
      size_t listed = 0;
      for (size_t j = k; j < f->n_via && listed < 5; j++)
        if (same_statement(&f->via[j], v))
          ecr_buf_printf(&b, "%s%s", listed++ ? ", " : "", ecr_pdf_nz(f->via[j].policy, "?"));
      if (same > listed) {
        char more[32];
        snprintf(more, sizeof(more), "%zu", same - listed);
        const char *mkv[] = {"n", more, NULL};
        char *m = ecr_text("pdf/via-more", mkv);
        ecr_buf_printf(&b, " %s", m);
        free(m);
      }
      char n[32];
      snprintf(n, sizeof(n), "%zu", same);
      const char *skv[] = {
          "effect", effect, "statement", ecr_pdf_nz(v->statement, "?"), "n", n, "sources", plural,
          "owner",  owner,  "policies",  b.data ? b.data : "",          NULL};
      line = ecr_text("pdf/via-same", skv);
      free(plural);
      ecr_buf_cleanup(&b);
    }
    vs.color = v->deny ? ecr_pdf_status_color(ECR_CHECK_FAIL) : PDF_TEXT;
    ecr_pdf_para(c, &vs, x, w, line);
    free(line);
    free(owner);
    if (v->json) {
      c->y -= 1;
      ecr_pdf_code_block(c, &code, x, w, v->json);
      c->y -= 3;
    }
  }
}

/* A finding's repositories: a grant on every repository says so (and lists
 * them only when there are few); otherwise at most PDF_LIST_LIMIT, then how
 * many more. */
static char *repos_text(const ecr_finding *f) {
  size_t n = f->n_repositories;
  if (ecr_finding_registry(f)) return ecr_xstrdup(ecr_label("pdf/repos-registry"));
  ecr_buf b;
  ecr_buf_init(&b);
  char num[32];
  snprintf(num, sizeof(num), "%zu", n);
  if (f->all_repositories) {
    const char *kv[] = {"n", num, NULL};
    char *all = ecr_text(n == 1 ? "pdf/repos-all-one" : "label/repos-all-many", kv);
    ecr_buf_puts(&b, all);
    free(all);
    if (n > PDF_LIST_LIMIT) {
      ecr_buf_printf(&b, " %s", ecr_label("pdf/repos-all-unlisted"));
      return ecr_buf_steal(&b);
    }
    ecr_buf_puts(&b, ":");
  }
  size_t shown = n > PDF_LIST_LIMIT ? PDF_LIST_LIMIT : n;
  for (size_t k = 0; k < shown; k++) {
    if (b.len) ecr_buf_putc(&b, '\n');
    ecr_buf_puts(&b, ecr_pdf_nz(f->repositories[k], "?"));
  }
  if (shown < n) {
    char rest[32];
    snprintf(rest, sizeof(rest), "%zu", n - shown);
    const char *kv[] = {"rest", rest, "n", num, NULL};
    char *more = ecr_text("pdf/repos-more", kv);
    ecr_buf_printf(&b, "\n%s", more);
    free(more);
  }
  if (!b.len) ecr_buf_puts(&b, "\xe2\x80\x94");
  return ecr_buf_steal(&b);
}

static void finding_block(pdf_report *R, size_t i, HPDF_Outline parent) {
  pdf_ctx *c = &R->c;
  const ecr_finding *f = &R->r->findings[i];
  double w = c->right - c->left;
  ecr_pdf_ensure(c, 18 + 2 * 15 + 4 * PDF_BODY_LEAD);
  double top = c->y;
  HPDF_Destination d = ecr_pdf_dest_here(R);
  R->detail_dest[i] = d;
  /* level, decision and scope tell one principal's findings apart */
  char *oscope = scope_text(f);
  char *oacts = f->n_actions == 0   ? ecr_xstrdup(ecr_label("pdf/no-action"))
                : f->n_actions == 1 ? ecr_xstrdup(f->actions[0])
                                    : ecr_xasprintf("%s +%zu", f->actions[0], f->n_actions - 1);
  char *otitle = ecr_xasprintf(
      "#%zu %s %s: %s \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %s \xc2\xb7 %s%s%s", i + 1,
      status_label(f->status), ecr_severity_name(f->severity), ecr_pdf_nz(f->principal, "?"),
      ecr_access_level_name(f->access_level), ecr_decision_name(f->decision), oscope, oacts,
      f->change == ECR_CHANGE_NONE ? "" : " \xc2\xb7 ", ecr_change_name(f->change));
  free(oscope);
  free(oacts);
  ecr_pdf_outline_add(R, parent, otitle, d);
  free(otitle);

  /* title row: number, status, severity, access level, decision ... id */
  ecr_pdf_fill_rect(c, c->left, top - 20, w, 20, PDF_HEAD_BG);
  ecr_pdf_fill_rect(c, c->left, top - 20, 3, 20, ecr_pdf_status_color(f->status));
  pdf_style num = ecr_pdf_st(PDF_F_BOLD, 10, 20, PDF_ACCENT);
  char n[32];
  snprintf(n, sizeof(n), "#%zu", i + 1);
  double x = c->left + 9;
  x += ecr_pdf_draw_line(c, &num, x, ecr_pdf_baseline(top, &num), n, 0, 0) + 8;
  x += ecr_pdf_pill(c, x, top - 4, 12, 7, status_label(f->status), ecr_pdf_status_color(f->status),
                    PDF_WHITE) +
       8;
  pdf_style sev = ecr_pdf_st(PDF_F_BOLD, 8.5, 20, ecr_pdf_severity_color(f->severity));
  x += ecr_pdf_draw_line(c, &sev, x, ecr_pdf_baseline(top, &sev), ecr_severity_name(f->severity), 0,
                         0) +
       8;
  const char *wkv[] = {"from", ecr_pdf_nz(f->change_from, "?"), NULL};
  char *chg = f->change == ECR_CHANGE_CHANGED ? ecr_text("pdf/changed-was", wkv)
                                              : ecr_xstrdup(ecr_change_name(f->change));
  char *lvl = ecr_xasprintf("%s \xc2\xb7 %s%s%s", ecr_access_level_name(f->access_level),
                            ecr_decision_name(f->decision),
                            f->change == ECR_CHANGE_NONE ? "" : " \xc2\xb7 ", chg);
  free(chg);
  pdf_style meta = ecr_pdf_st(PDF_F_REG, 8.5, 20, PDF_TEXT);
  x += ecr_pdf_draw_line(c, &meta, x, ecr_pdf_baseline(top, &meta), lvl, 0, 0);
  free(lvl);
  (void)x;
  c->y = top - 24;

  pdf_style pst = ecr_pdf_st(PDF_F_BOLD, 10.5, 14, PDF_TEXT);
  ecr_pdf_para(c, &pst, c->left, w, ecr_pdf_nz(f->principal, "?"));
  c->y -= 4;

  char *kind = ecr_xasprintf("%s", ecr_principal_kind_name(f->principal_kind));
  ecr_pdf_kv(c, ecr_label("pdf/principal-kind"), kind, PDF_F_REG, LABEL_W);
  free(kind);
  ecr_pdf_kv(c, ecr_label("pdf/finding-id"), f->id, PDF_F_MONO, LABEL_W);
  char *chain = ecr_finding_chain_text(f);
  if (chain) ecr_pdf_kv(c, ecr_label("label/reached-through"), chain, PDF_F_REG, LABEL_W);
  free(chain);
  char *rv = repos_text(f);
  ecr_pdf_kv(c, ecr_label("label/repositories"), rv, PDF_F_REG, LABEL_W);
  free(rv);
  char *acts = ecr_pdf_join(f->actions, f->n_actions, ", ");
  ecr_pdf_kv(c, ecr_label("label/actions"), acts, PDF_F_REG, LABEL_W);
  free(acts);
  const char *dkv[] = {"decision", ecr_decision_name(f->decision), NULL};
  char *dec = f->decision == ECR_DECISION_CONDITIONAL ? ecr_text("pdf/decision-conditional", dkv)
                                                      : ecr_xstrdup(ecr_decision_name(f->decision));
  ecr_pdf_kv(c, ecr_label("pdf/decision"), dec, PDF_F_REG, LABEL_W);
  free(dec);
  ecr_pdf_kv(c, ecr_label("pdf/can-push-images"),
             ecr_label(f->can_push ? "pdf/can-push-yes" : "pdf/can-push-no"), PDF_F_REG, LABEL_W);
  via_block(R, f);
  ecr_pdf_kv(c, ecr_label("label/impact"), f->impact, PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("label/remediation"), f->remediation, PDF_F_REG, LABEL_W);
  if (f->suggested_statement) {
    pdf_style ls = ecr_pdf_st(PDF_F_BOLD, PDF_SMALL_SIZE, PDF_BODY_LEAD, PDF_MUTED);
    pdf_style code = ecr_pdf_st(PDF_F_MONO, 7.5, 10, PDF_TEXT);
    ecr_pdf_ensure(c, PDF_BODY_LEAD + 10);
    ecr_pdf_draw_line(c, &ls, c->left, ecr_pdf_baseline(c->y, &ls),
                      ecr_label("label/suggested-statement"), LABEL_W - 6, 0);
    c->y -= 2;
    ecr_pdf_code_block(c, &code, c->left + LABEL_W, c->right - c->left - LABEL_W,
                       f->suggested_statement);
    c->y -= 3;
  }
  if (f->exception) {
    const ecr_ledger_entry *e = f->exception;
    const char *ekv[] = {
        "id",      ecr_pdf_nz(e->id, "?"),      "state",       ecr_ledger_state_name(e->state),
        "expires", ecr_pdf_nz(e->expires, "?"), "approved_by", ecr_pdf_nz(e->approved_by, "?"),
        "ticket",  ecr_pdf_nz(e->ticket, "?"),  NULL};
    char *ex = ecr_text("pdf/exception-line", ekv);
    ecr_pdf_kv(c, ecr_label("label/exception"), ex, PDF_F_REG, LABEL_W);
    free(ex);
  } else {
    ecr_pdf_kv(c, ecr_label("label/exception"), ecr_label("pdf/exception-none"), PDF_F_REG,
               LABEL_W);
  }
  if (f->status_reason)
    ecr_pdf_kv(c, ecr_label("pdf/status-reason"), f->status_reason, PDF_F_REG, LABEL_W);
  ecr_pdf_space(c, 14);
}

/* Passing findings (read and list access, recorded for completeness): one
 * compact table row each, with their actions, instead of a detail block. */
static void pass_table(pdf_report *R) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  body(R, ecr_label("pdf/pass-table-intro"));
  const pdf_col cols[] = {{"#", 24, 1},
                          {ecr_label("pdf/principal-finding-id"), 160, 0},
                          {ecr_label("pdf/access-level"), 62, 0},
                          {ecr_label("pdf/scope"), 62, 0},
                          {ecr_label("label/actions"), 175, 0}};
  pdf_table t = {cols, 5, c->left};
  ecr_pdf_table_begin(c, &t);
  size_t row = 0;
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    if (f->status != ECR_CHECK_PASS) continue;
    char num[32];
    snprintf(num, sizeof(num), "%zu", i + 1);
    char *scope = scope_text(f);
    char *acts = ecr_pdf_join(f->actions, f->n_actions, ", ");
    char *idline = f->change == ECR_CHANGE_NONE
                       ? ecr_xstrdup(f->id)
                       : ecr_xasprintf("%s \xc2\xb7 %s", f->id, ecr_change_name(f->change));
    pdf_style txt = ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT);
    pdf_cell cells[5] = {0};
    for (int k = 0; k < 5; k++) cells[k].n_runs = 1;
    cells[0].run[0] = (pdf_run){num, ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_ACCENT)};
    cells[1].n_runs = 2;
    cells[1].run[0] = (pdf_run){f->principal, txt};
    cells[1].run[1] = (pdf_run){idline, ecr_pdf_st(PDF_F_MONO, 6.5, 9, PDF_MUTED)};
    cells[2].run[0] = (pdf_run){ecr_access_level_name(f->access_level), txt};
    cells[3].run[0] = (pdf_run){scope, txt};
    cells[4].run[0] = (pdf_run){acts, ecr_pdf_st(PDF_F_REG, 6.8, 9, PDF_TEXT)};
    ecr_pdf_table_row(c, &t, cells, row++, NULL, NULL);
    free(scope);
    free(acts);
    free(idline);
  }
  ecr_pdf_table_end(c);
}

/* Detail blocks of the findings with status st (and severity sev, unless
 * -1), in the model's order, while fewer than the detail limit are shown. */
static void detail_run(pdf_report *R, ecr_check_status st, int sev, HPDF_Outline parent,
                       size_t *shown) {
  const ecr_report *r = R->r;
  for (size_t k = 0; k < r->n_findings && *shown < R->detail_limit; k++) {
    const ecr_finding *f = &r->findings[k];
    if (f->status != st || (sev >= 0 && (int)f->severity != sev)) continue;
    finding_block(R, k, parent);
    (*shown)++;
  }
}

void ecr_pdf_details(pdf_report *R, size_t toc_idx, const size_t *group_toc) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  HPDF_Outline sec = heading(R, toc_idx, NULL, true, 40);
  body_tmpl(R, "details-intro", NULL);
  if (!r->n_findings) {
    body(R, ecr_label("pdf/no-findings"));
    return;
  }
  /* One group per status in the report's status order; within a group the
   * findings keep the model's order. */
  static const ecr_check_status order[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN, ECR_CHECK_EXCEPTED,
                                           ECR_CHECK_PASS};
  bool first_group = true;
  for (size_t g = 0; g < 4; g++) {
    ecr_check_status st = order[g];
    size_t total = r->by_status[st];
    if (!total) continue;
    HPDF_Outline grp = heading(R, group_toc[st], sec, !first_group, 60);
    first_group = false;
    if (st == ECR_CHECK_PASS && R->pass_summarized) {
      char b[32];
      snprintf(b, sizeof(b), "%zu", total);
      const char *kv[] = {"total", b, NULL};
      body_tmpl(R, "details-pass-summary", kv);
      continue;
    }
    if (st == ECR_CHECK_PASS) {
      pass_table(R);
      continue;
    }
    /* big groups: one bookmark level per severity in between */
    size_t shown = 0;
    if (total > 50) {
      for (int sv = 0; sv < ECR_SEV_COUNT && shown < R->detail_limit; sv++) {
        if (!r->by_status_severity[st][sv]) continue;
        char *t = ecr_xasprintf("%s (%zu)", ecr_severity_name((ecr_severity)sv),
                                r->by_status_severity[st][sv]);
        ecr_pdf_ensure(c, 80);
        HPDF_Outline sev_ol = ecr_pdf_outline_add(R, grp, t, ecr_pdf_dest_here(R));
        free(t);
        detail_run(R, st, sv, sev_ol, &shown);
      }
    } else {
      detail_run(R, st, -1, grp, &shown);
    }
    if (shown < total) {
      char a[32], b[32], d[32];
      snprintf(a, sizeof(a), "%zu", shown);
      snprintf(b, sizeof(b), "%zu", total);
      snprintf(d, sizeof(d), "%zu", total - shown);
      const char *kv[] = {"shown", a, "total", b, "rest", d, NULL};
      char *s = ecr_pdf_template("details-limit", kv);
      pdf_style st2 = ecr_pdf_st(PDF_F_BOLD, 9.5, 13, PDF_ACCENT);
      ecr_pdf_ensure(c, 40);
      ecr_pdf_para(c, &st2, c->left, c->right - c->left, s);
      free(s);
      ecr_pdf_space(c, 10);
    }
  }
}

/* ---- repository access ---------------------------------------------------- */

static const char *const access_names[4] = {"label/access-write-images", "label/access-delete",
                                            "pdf/access-permissions", "label/access-tag"};

static const char *access_label(int k) {
  return ecr_label(access_names[k]);
}

static const ecr_repo_access *access_of(const ecr_repo_view *v, int k, size_t *n) {
  switch (k) {
  case 0: *n = v->n_push; return v->push;
  case 1: *n = v->n_delete; return v->delete_;
  case 2: *n = v->n_permissions; return v->permissions;
  default: *n = v->n_tag; return v->tag;
  }
}

static void put_access(ecr_buf *b, const ecr_repo_access *a) {
  if (b->len) ecr_buf_putc(b, '\n');
  ecr_buf_puts(b, ecr_pdf_nz(a->principal, "?"));
  if (a->decision == ECR_DECISION_CONDITIONAL)
    ecr_buf_printf(b, " %s", ecr_label("label/conditional-suffix"));
}

/* One repository's list for one access: without the principals that have it
 * on every repository (they are listed once), at most PDF_LIST_LIMIT. */
static char *access_list(size_t n_common, const ecr_repo_access *every, size_t n_every,
                         const ecr_repo_access *a, size_t n) {
  ecr_buf b;
  ecr_buf_init(&b);
  size_t shown = 0, rest = 0;
  /* not factored out: the principals with access everywhere first (the
     report lists them once, not in each repository's own list), then the
     repository's own */
  size_t n_first = n_common ? 0 : n_every;
  for (size_t i = 0; i < n_first + n; i++) {
    const ecr_repo_access *e = i < n_first ? &every[i] : &a[i - n_first];
    if (i >= n_first && e->everywhere) continue;
    if (shown < PDF_LIST_LIMIT) {
      put_access(&b, e);
      shown++;
    } else {
      rest++;
    }
  }
  if (rest) {
    char num[32];
    snprintf(num, sizeof(num), "%zu", rest);
    const char *kv[] = {"n", num, NULL};
    char *more = ecr_text("pdf/access-more", kv);
    ecr_buf_printf(&b, "\n%s", more);
    free(more);
  }
  if (n_common) {
    char num[32];
    snprintf(num, sizeof(num), "%zu", n_common);
    const char *kv[] = {"n", num, NULL};
    char *common = ecr_text(b.len ? "label/access-common-and" : "pdf/access-common-only", kv);
    ecr_buf_printf(&b, "%s%s", b.len ? "\n" : "", common);
    free(common);
  }
  if (!b.len) ecr_buf_puts(&b, "\xe2\x80\x94");
  return ecr_buf_steal(&b);
}

void ecr_pdf_repositories(pdf_report *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  body_tmpl(R, "repos-intro", NULL);
  if (!r->n_repo_views) {
    body(R, ecr_label("pdf/no-repositories"));
    return;
  }
  size_t n_common[4] = {0};
  size_t nr = r->n_repo_views;
  if (nr > PDF_REPO_FACTOR_MIN) {
    for (int k = 0; k < 4; k++) n_common[k] = r->n_everywhere[k];
    char repos[32], limit[32];
    snprintf(repos, sizeof(repos), "%zu", nr);
    snprintf(limit, sizeof(limit), "%d", PDF_LIST_LIMIT);
    const char *kv[] = {"repos", repos, "limit", limit, NULL};
    subheading(R, ecr_label("pdf/access-everywhere"));
    body_tmpl(R, "repos-common", kv);
    for (int k = 0; k < 4; k++) {
      /* in the order of the first repository's list (the model's order) */
      ecr_buf b;
      ecr_buf_init(&b);
      for (size_t j = 0; j < r->n_everywhere[k]; j++) put_access(&b, &r->everywhere[k][j]);
      if (!b.len) ecr_buf_puts(&b, ecr_label("pdf/access-none"));
      char *label = ecr_xasprintf("%s (%zu)", access_label(k), n_common[k]);
      ecr_pdf_kv(c, label, b.data, PDF_F_REG, LABEL_W);
      free(label);
      ecr_buf_cleanup(&b);
      c->y -= 3;
    }
    subheading(R, ecr_label("pdf/per-repository"));
  }
  for (size_t i = 0; i < nr; i++) {
    const ecr_repo_view *v = &r->repositories[i];
    char *lists[4];
    for (int k = 0; k < 4; k++) {
      size_t n;
      const ecr_repo_access *a = access_of(v, k, &n);
      lists[k] = access_list(n_common[k], r->everywhere[k], r->n_everywhere[k], a, n);
    }
    const char *ikv[] = {"region", ecr_pdf_nz(v->region, "?"), "error",
                         ecr_pdf_nz(v->gap_error, ecr_label("label/unknown-error")), NULL};
    char *info = ecr_text(v->gap          ? "pdf/repo-gap"
                          : v->has_policy ? "pdf/repo-policy"
                                          : "pdf/repo-no-policy",
                          ikv);
    ecr_pdf_ensure(c, 20 + 10 + 4 * PDF_BODY_LEAD);
    double top = c->y;
    ecr_pdf_fill_rect(c, c->left, top - 18, c->right - c->left, 18, PDF_HEAD_BG);
    pdf_style nm = ecr_pdf_st(PDF_F_BOLD, 9.5, 18, PDF_TEXT);
    ecr_pdf_draw_line(c, &nm, c->left + 6, ecr_pdf_baseline(top, &nm), ecr_pdf_nz(v->name, "?"),
                      c->right - c->left - 12, 0);
    c->y = top - 20;
    pdf_style sm = ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_MUTED);
    ecr_pdf_para(c, &sm, c->left + 6, c->right - c->left - 12, ecr_pdf_nz(v->arn, "?"));
    sm.color = v->gap ? ecr_pdf_status_color(ECR_CHECK_UNKNOWN) : PDF_MUTED;
    ecr_pdf_para(c, &sm, c->left + 6, c->right - c->left - 12, info);
    c->y -= 3;
    for (int k = 0; k < 4; k++) ecr_pdf_kv(c, access_label(k), lists[k], PDF_F_REG, LABEL_W);
    ecr_pdf_space(c, 12);
    for (int k = 0; k < 4; k++) free(lists[k]);
    free(info);
  }
}

/* ---- exceptions ledger ------------------------------------------------------ */

void ecr_pdf_ledger(pdf_report *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  body_tmpl(R, "ledger-intro", NULL);
  if (!r->ledger_path) {
    body_tmpl(R, "ledger-none", NULL);
    return;
  }
  ecr_pdf_kv(c, ecr_label("pdf/ledger-file"), r->ledger_path, PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/sha256"), r->ledger_sha256, PDF_F_MONO, LABEL_W);
  char *n = ecr_xasprintf("%zu", r->n_ledger);
  ecr_pdf_kv(c, ecr_label("pdf/entries"), n, PDF_F_REG, LABEL_W);
  free(n);
  ecr_pdf_space(c, 8);
  if (!r->n_ledger) return;
  const pdf_col cols[] = {{ecr_label("pdf/id"), 72, 0},
                          {ecr_label("pdf/state"), 56, 0},
                          {ecr_label("pdf/expires"), 58, 0},
                          {ecr_label("pdf/matched"), 50, 1},
                          {ecr_label("pdf/ledger-scope"), 247, 0}};
  pdf_table t = {cols, 5, c->left};
  ecr_pdf_table_begin(c, &t);
  for (size_t i = 0; i < r->n_ledger; i++) {
    const ecr_ledger_entry *e = &r->ledger[i];
    char *repos = ecr_pdf_join(e->repositories, e->n_repositories, ", ");
    char *acts = ecr_pdf_join(e->actions, e->n_actions, ", ");
    const char *skv[] = {"principal",
                         ecr_pdf_nz(e->principal, "\xe2\x80\x94"),
                         "repositories",
                         ecr_pdf_nz(repos, "\xe2\x80\x94"),
                         "actions",
                         ecr_pdf_nz(acts, "\xe2\x80\x94"),
                         NULL};
    char *scope = ecr_text("pdf/ledger-entry-scope", skv);
    const char *jkv[] = {"justification",
                         ecr_pdf_nz(e->justification, "\xe2\x80\x94"),
                         "approved_by",
                         ecr_pdf_nz(e->approved_by, "\xe2\x80\x94"),
                         "ticket",
                         ecr_pdf_nz(e->ticket, "\xe2\x80\x94"),
                         NULL};
    char *just = ecr_text("pdf/ledger-entry-approval", jkv);
    char matched[32];
    snprintf(matched, sizeof(matched), "%zu", e->matched);
    pdf_cell cells[5] = {0};
    cells[0].n_runs = 1;
    cells[0].run[0] = (pdf_run){ecr_pdf_nz(e->id, "?"), ecr_pdf_st(PDF_F_BOLD, 8, 10.5, PDF_TEXT)};
    cells[1].n_runs = 1;
    cells[1].pill = true;
    cells[1].pill_bg = ecr_pdf_ledger_color(e->state);
    char state[32];
    snprintf(state, sizeof(state), "%s", ecr_ledger_state_name(e->state));
    for (char *p = state; *p; p++)
      if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    cells[1].run[0] = (pdf_run){state, ecr_pdf_st(PDF_F_BOLD, 6.5, 11.5, PDF_WHITE)};
    cells[2].n_runs = 1;
    cells[2].run[0] =
        (pdf_run){ecr_pdf_nz(e->expires, "\xe2\x80\x94"), ecr_pdf_st(PDF_F_REG, 8, 10.5, PDF_TEXT)};
    cells[3].n_runs = 1;
    cells[3].run[0] = (pdf_run){matched, ecr_pdf_st(PDF_F_REG, 8, 10.5, PDF_TEXT)};
    cells[4].n_runs = e->reason ? 3 : 2;
    cells[4].run[0] = (pdf_run){scope, ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT)};
    cells[4].run[1] = (pdf_run){just, ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_MUTED)};
    if (e->reason)
      cells[4].run[2] =
          (pdf_run){e->reason, ecr_pdf_st(PDF_F_BOLD, 7.5, 10, ecr_pdf_ledger_color(e->state))};
    ecr_pdf_table_row(c, &t, cells, i, NULL, NULL);
    free(repos);
    free(acts);
    free(scope);
    free(just);
  }
  ecr_pdf_table_end(c);
}

/* ---- coverage ---------------------------------------------------------------- */

void ecr_pdf_coverage(pdf_report *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  body_tmpl(R, "coverage-intro", NULL);
  pdf_style st = ecr_pdf_st(PDF_F_REG, PDF_BODY_SIZE, PDF_BODY_LEAD, PDF_TEXT);
  if (!r->n_coverage) body(R, ecr_label("pdf/no-limitations"));
  for (size_t i = 0; i < r->n_coverage; i++) {
    ecr_pdf_bullet(c, &st, c->left, c->right - c->left, r->coverage[i]);
    c->y -= 3;
  }
  bool any_gap = false;
  for (size_t i = 0; i < r->n_repo_views; i++)
    if (r->repositories[i].gap) any_gap = true;
  if (any_gap) {
    subheading(R, ecr_label("pdf/repos-unreadable"));
    for (size_t i = 0; i < r->n_repo_views; i++) {
      const ecr_repo_view *v = &r->repositories[i];
      if (!v->gap) continue;
      char *s = ecr_xasprintf("%s: %s", ecr_pdf_nz(v->arn, "?"),
                              ecr_pdf_nz(v->gap_error, ecr_label("label/unknown-error")));
      ecr_pdf_bullet(c, &st, c->left, c->right - c->left, s);
      free(s);
    }
  }
  ecr_pdf_space(c, 6);
  char *note = ecr_pdf_template("text-mapping", NULL);
  pdf_style small = ecr_pdf_st(PDF_F_REG, 8, 11, PDF_MUTED);
  ecr_pdf_para(c, &small, c->left, c->right - c->left, note);
  free(note);
}

/* ---- evidence appendix -------------------------------------------------------- */

void ecr_pdf_evidence(pdf_report *R, size_t toc_idx, size_t files_toc, size_t gaps_toc) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  HPDF_Outline sec = heading(R, toc_idx, NULL, true, 60);
  body_tmpl(R, "evidence-intro", NULL);
  heading(R, files_toc, sec, false, 50);
  if (!r->n_files) {
    body(R, ecr_label("pdf/no-files"));
  } else {
    const pdf_col cols[] = {{ecr_label("pdf/file"), 144, 0},
                            {ecr_label("pdf/size-bytes"), 64, 1},
                            {ecr_label("pdf/sha256"), 275, 0}};
    pdf_table t = {cols, 3, c->left};
    ecr_pdf_table_begin(c, &t);
    for (size_t i = 0; i < r->n_files; i++) {
      const ecr_evidence_file *f = &r->files[i];
      char size[32];
      snprintf(size, sizeof(size), "%zu", f->size);
      pdf_cell cells[3] = {0};
      cells[0].n_runs = 1;
      cells[0].run[0] =
          (pdf_run){ecr_pdf_nz(f->path, "?"), ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT)};
      cells[1].n_runs = 1;
      cells[1].run[0] = (pdf_run){size, ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT)};
      cells[2].n_runs = 1;
      cells[2].run[0] = (pdf_run){f->sha256, ecr_pdf_st(PDF_F_MONO, 6.8, 10, PDF_TEXT)};
      ecr_pdf_table_row(c, &t, cells, i, NULL, NULL);
    }
    ecr_pdf_table_end(c);
  }
  if (r->ledger_path) {
    ecr_pdf_kv(c, ecr_label("pdf/exceptions-ledger"), r->ledger_path, PDF_F_REG, LABEL_W);
    ecr_pdf_kv(c, ecr_label("pdf/ledger-sha256"), r->ledger_sha256, PDF_F_MONO, LABEL_W);
  }
  heading(R, gaps_toc, sec, false, 50);
  if (!r->n_gaps) {
    body_tmpl(R, "gaps-none", NULL);
  } else {
    const pdf_col cols[] = {{ecr_label("label/source"), 110, 0},
                            {ecr_label("pdf/resource"), 203, 0},
                            {ecr_label("pdf/error"), 170, 0}};
    pdf_table t = {cols, 3, c->left};
    ecr_pdf_table_begin(c, &t);
    for (size_t i = 0; i < r->n_gaps; i++) {
      const ecr_gap *g = &r->gaps[i];
      pdf_cell cells[3] = {0};
      pdf_style s = ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT);
      cells[0].n_runs = cells[1].n_runs = cells[2].n_runs = 1;
      cells[0].run[0] = (pdf_run){ecr_pdf_nz(g->source, "?"), s};
      cells[1].run[0] = (pdf_run){ecr_pdf_nz(g->resource, "?"), s};
      cells[2].run[0] = (pdf_run){ecr_pdf_nz(g->error, "?"), s};
      ecr_pdf_table_row(c, &t, cells, i, NULL, NULL);
    }
    ecr_pdf_table_end(c);
  }
}

/* ---- evidence pack: scope, drift, population, sign-off (issue 15) ----------- */

static void body_pack(pdf_report *R, const char *name) {
  char *s = ecr_report_pack_text(R->r, name);
  body(R, s);
  free(s);
}

/* On the cover, under the result: the evidence-age warning and the drift
 * counts, when they apply. */
void ecr_pdf_cover_pack(pdf_report *R) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  pdf_style st = ecr_pdf_st(PDF_F_BOLD, 9.5, 13, ecr_pdf_status_color(ECR_CHECK_UNKNOWN));
  if (r->evidence_stale) {
    char *s = ecr_report_pack_text(r, "age-warning");
    ecr_pdf_note(c, &st, s);
    free(s);
    c->y -= 8;
  }
  char *usage = ecr_report_usage_text(r); /* issue 21: unused risky access */
  if (usage) {
    pdf_style us = ecr_pdf_st(PDF_F_BOLD, 9.5, 13, PDF_ACCENT);
    ecr_pdf_note(c, &us, usage);
    free(usage);
    c->y -= 8;
  }
  if (r->baseline) {
    char *s = ecr_report_pack_text(r, "baseline-counts");
    pdf_style bs = ecr_pdf_st(PDF_F_BOLD, 9.5, 13, PDF_ACCENT);
    ecr_pdf_note(c, &bs, s);
    free(s);
    c->y -= 8;
  }
}

void ecr_pdf_scope(pdf_report *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  subheading(R, ecr_label("pdf/the-question"));
  body_pack(R, "question");
  subheading(R, ecr_label("pdf/population"));
  body_pack(R, "population");
  const pdf_col kcols[] = {{ecr_label("pdf/principal-kind"), 140, 0},
                           {ecr_label("pdf/principals"), 70, 1}};
  pdf_table kt = {kcols, 2, c->left};
  ecr_pdf_table_begin(c, &kt);
  for (int k = 0; k <= ECR_PK_SERVICE; k++) {
    char n[32];
    snprintf(n, sizeof(n), "%zu", r->by_kind[k]);
    pdf_cell cells[2] = {0};
    cells[0].n_runs = cells[1].n_runs = 1;
    cells[0].run[0] = (pdf_run){ecr_principal_kind_name((ecr_principal_kind)k),
                                ecr_pdf_st(PDF_F_REG, 8.5, 12, PDF_TEXT)};
    cells[1].run[0] = (pdf_run){n, ecr_pdf_st(PDF_F_REG, 8.5, 12, PDF_TEXT)};
    ecr_pdf_table_row(c, &kt, cells, (size_t)k, NULL, NULL);
  }
  ecr_pdf_table_end(c);
  body(R, ecr_label("pdf/population-appendix-note"));

  subheading(R, ecr_label("pdf/sources"));
  const pdf_col scols[] = {{ecr_label("pdf/file"), 150, 0},
                           {ecr_label("pdf/needed"), 50, 0},
                           {ecr_label("pdf/files"), 40, 1},
                           {ecr_label("pdf/what-it-is"), 243, 0}};
  pdf_table sct = {scols, 4, c->left};
  ecr_pdf_table_begin(c, &sct);
  for (size_t i = 0; i < r->n_sources; i++) {
    const ecr_evidence_source *s = &r->sources[i];
    char n[32];
    snprintf(n, sizeof(n), "%zu", s->n_files);
    pdf_cell cells[4] = {0};
    pdf_style t = ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT);
    for (int k = 0; k < 4; k++) cells[k].n_runs = 1;
    cells[0].run[0] = (pdf_run){ecr_pdf_nz(s->pattern, "?"), t};
    cells[1].run[0] = (pdf_run){ecr_label(s->required ? "label/required" : "label/optional"), t};
    cells[2].run[0] = (pdf_run){
        s->n_files ? n : ecr_label("label/absent"),
        s->n_files ? t : ecr_pdf_st(PDF_F_BOLD, 7.5, 10, ecr_pdf_status_color(ECR_CHECK_UNKNOWN))};
    cells[3].run[0] = (pdf_run){ecr_pdf_nz(s->label, ""), t};
    ecr_pdf_table_row(c, &sct, cells, i, NULL, NULL);
  }
  ecr_pdf_table_end(c);
  subheading(R, ecr_label("pdf/evaluation"));
  body_pack(R, "evaluation");
  subheading(R, ecr_label("pdf/limits"));
  body_pack(R, "limits");

  subheading(R, ecr_label("pdf/framework-mapping"));
  const pdf_col mcols[] = {{ecr_label("pdf/framework"), 150, 0},
                           {ecr_label("pdf/control"), 60, 0},
                           {ecr_label("pdf/title"), 273, 0}};
  pdf_table mt = {mcols, 3, c->left};
  ecr_pdf_table_begin(c, &mt);
  for (size_t i = 0; i < r->n_mappings; i++) {
    const ecr_mapping *m = &r->mappings[i];
    pdf_cell cells[3] = {0};
    pdf_style t = ecr_pdf_st(PDF_F_REG, 8.5, 12, PDF_TEXT);
    for (int k = 0; k < 3; k++) cells[k].n_runs = 1;
    cells[0].run[0] = (pdf_run){ecr_pdf_nz(m->framework, "?"), t};
    cells[1].run[0] = (pdf_run){ecr_pdf_nz(m->id, "?"), ecr_pdf_st(PDF_F_BOLD, 8.5, 12, PDF_TEXT)};
    cells[2].run[0] = (pdf_run){ecr_pdf_nz(m->title, "\xe2\x80\x94"), t};
    ecr_pdf_table_row(c, &mt, cells, i, NULL, NULL);
  }
  ecr_pdf_table_end(c);

  subheading(R, ecr_label("pdf/versions"));
  const char *tkv[] = {"version", ecr_pdf_nz(r->tool_version, "?"), NULL};
  char *tool = ecr_text("label/tool", tkv);
  ecr_pdf_kv(c, ecr_label("pdf/tool-label"), tool, PDF_F_REG, LABEL_W);
  free(tool);
  ecr_pdf_kv(c, ecr_label("pdf/action-catalog"), ecr_pdf_nz(r->catalog_version, "?"), PDF_F_REG,
             LABEL_W);
}

void ecr_pdf_drift(pdf_report *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_baseline *b = R->r->baseline;
  if (!b) return;
  heading(R, toc_idx, NULL, true, 60);
  body_pack(R, "baseline");
  ecr_pdf_kv(c, ecr_label("pdf/baseline-file"), ecr_pdf_nz(b->path, "?"), PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/baseline-sha256"), b->sha256, PDF_F_MONO, LABEL_W);
  ecr_pdf_space(c, 6);
  subheading(R, ecr_label("pdf/resolved"));
  if (!b->n_resolved) {
    body(R, ecr_label("pdf/none"));
    return;
  }
  const pdf_col cols[] = {{ecr_label("pdf/finding-id"), 110, 0},
                          {ecr_label("label/principal"), 203, 0},
                          {ecr_label("pdf/access-level"), 90, 0},
                          {ecr_label("pdf/was"), 80, 0}};
  pdf_table t = {cols, 4, c->left};
  ecr_pdf_table_begin(c, &t);
  for (size_t i = 0; i < b->n_resolved; i++) {
    const ecr_baseline_item *it = &b->resolved[i];
    char *was = ecr_xasprintf("%s, %s", ecr_pdf_nz(it->status, "?"), ecr_pdf_nz(it->severity, "?"));
    pdf_cell cells[4] = {0};
    pdf_style s = ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT);
    for (int k = 0; k < 4; k++) cells[k].n_runs = 1;
    cells[0].run[0] = (pdf_run){ecr_pdf_nz(it->id, "?"), ecr_pdf_st(PDF_F_MONO, 7, 10, PDF_TEXT)};
    cells[1].run[0] = (pdf_run){ecr_pdf_nz(it->principal, "?"), s};
    cells[2].run[0] = (pdf_run){ecr_pdf_nz(it->access_level, "?"), s};
    cells[3].run[0] = (pdf_run){was, s};
    ecr_pdf_table_row(c, &t, cells, i, NULL, NULL);
    free(was);
  }
  ecr_pdf_table_end(c);
}

void ecr_pdf_population(pdf_report *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  body(R, ecr_label("pdf/population-intro"));
  if (!r->n_principal_views) {
    body(R, ecr_label("pdf/population-none"));
    return;
  }
  const pdf_col cols[] = {{ecr_label("label/principal"), 248, 0},
                          {ecr_label("pdf/kind"), 55, 0},
                          {ecr_label("pdf/result"), 60, 0},
                          {ecr_label("pdf/worst-severity"), 65, 0},
                          {ecr_label("pdf/findings"), 55, 1}};
  pdf_table t = {cols, 5, c->left};
  ecr_pdf_table_begin(c, &t);
  for (size_t i = 0; i < r->n_principal_views; i++) {
    const ecr_principal_view *p = &r->principals[i];
    char n[32];
    snprintf(n, sizeof(n), "%zu", p->n_findings);
    pdf_cell cells[5] = {0};
    pdf_style s = ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT);
    for (int k = 0; k < 5; k++) cells[k].n_runs = 1;
    cells[0].run[0] = (pdf_run){ecr_pdf_nz(p->principal, "?"), s};
    cells[1].run[0] = (pdf_run){ecr_principal_kind_name(p->kind), s};
    cells[2].pill = true;
    cells[2].pill_bg = ecr_pdf_status_color(p->worst_status);
    cells[2].run[0] =
        (pdf_run){status_label(p->worst_status), ecr_pdf_st(PDF_F_BOLD, 6.5, 11.5, PDF_WHITE)};
    bool open = p->worst_status != ECR_CHECK_PASS;
    cells[3].run[0] =
        (pdf_run){open ? ecr_severity_name(p->worst_severity) : "\xe2\x80\x94",
                  ecr_pdf_st(PDF_F_BOLD, 7.5, 10,
                             open ? ecr_pdf_severity_color(p->worst_severity) : PDF_MUTED)};
    cells[4].run[0] = (pdf_run){n, s};
    ecr_pdf_table_row(c, &t, cells, i, NULL, NULL);
  }
  ecr_pdf_table_end(c);
}

void ecr_pdf_signoff(pdf_report *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  body_pack(R, "signoff");
  ecr_pdf_kv(c, ecr_label("pdf/prepared-by"),
             ecr_pdf_nz(r->caller_arn, ecr_label("pdf/prepared-by-none")), PDF_F_REG, LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/report-generated"), ecr_pdf_nz(r->generated_at, "?"), PDF_F_REG,
             LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/findings-sha256"), ecr_pdf_nz(R->findings_sha256, "?"), PDF_F_MONO,
             LABEL_W);
  ecr_pdf_kv(c, ecr_label("pdf/evidence-digest"), r->evidence_sha256, PDF_F_MONO, LABEL_W);
  if (r->ledger_path)
    ecr_pdf_kv(c, ecr_label("pdf/ledger-sha256"), r->ledger_sha256, PDF_F_MONO, LABEL_W);
  if (r->baseline)
    ecr_pdf_kv(c, ecr_label("pdf/baseline-sha256"), r->baseline->sha256, PDF_F_MONO, LABEL_W);
  ecr_pdf_space(c, 18);
  static const char *const lines[] = {"pdf/reviewed-by", "pdf/date", "pdf/signature"};
  pdf_style ls = ecr_pdf_st(PDF_F_BOLD, 9, 13, PDF_TEXT);
  for (size_t i = 0; i < 3; i++) {
    ecr_pdf_ensure(c, 40);
    c->y -= 26;
    ecr_pdf_draw_line(c, &ls, c->left, c->y + 3, ecr_label(lines[i]), LABEL_W - 6, 0);
    ecr_pdf_stroke_line(c, c->left + LABEL_W, c->y, c->right - 60, c->y, 0.8, PDF_TEXT);
    c->y -= 10;
  }
}
