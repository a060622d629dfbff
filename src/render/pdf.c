/* PDF evidence pack (libharu): a pure function of the report model.
 *
 * Layout: cover, contents (pages reserved up front and filled at the end),
 * executive summary, findings table, finding details, repository access,
 * exceptions ledger, coverage and limitations, evidence appendix. Headers
 * and footers ("Page X of Y") are drawn once every page exists. Text is
 * drawn with embedded DejaVu TrueType fonts through libharu's UTF-8
 * encoder; see pdf_text.c for how characters are mapped.
 *
 * Reproducible: no clock, no randomness. The document dates come from
 * report->generated_at; libharu writes no /ID unless encryption is on
 * (it is not), so the same model gives the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include "render/pdf_internal.h"

#define DEFAULT_DETAIL_LIMIT 500
#define LABEL_W 112.0

typedef struct toc_entry {
  int level;
  char *title;
  size_t page; /* page index, valid when set */
  double y;
  bool set;
} toc_entry;

typedef struct rend {
  pdf_ctx c;
  const ecr_report *r;
  size_t detail_limit;
  toc_entry *toc;
  size_t n_toc, cap_toc;
  size_t toc_first_page, toc_pages;
  HPDF_Outline root; /* NULL: top-level outlines */
  HPDF_Destination *detail_dest; /* per finding, NULL when summarized */
  HPDF_Rect *row_rect;           /* per finding: its row in the findings table */
  size_t *row_page;
} rend;

/* ---- small helpers ----------------------------------------------------- */

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user) {
  pdf_ctx *c = user;
  if (!c->hpdf_error) {
    c->hpdf_error = error_no;
    c->hpdf_detail = detail_no;
  }
}

/* Template text without its trailing newline; caller frees. */
static char *tmpl(const char *name, const char *const *kv) {
  char path[128];
  snprintf(path, sizeof(path), "templates/pdf/%s.txt", name);
  const char *t = ecr_embedded_get(path, NULL);
  char *s = kv ? ecr_template_expand(t ? t : "", kv) : ecr_xstrdup(t ? t : "");
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
  return s;
}

static const char *nz(const char *s, const char *dflt) { return s && *s ? s : dflt; }

static const char *status_label(ecr_check_status s) {
  switch (s) {
  case ECR_CHECK_FAIL: return "FAIL";
  case ECR_CHECK_EXCEPTED: return "EXCEPTED";
  case ECR_CHECK_UNKNOWN: return "UNKNOWN";
  case ECR_CHECK_PASS: return "PASS";
  }
  return "?";
}

static const char *status_group_title(ecr_check_status s) {
  switch (s) {
  case ECR_CHECK_FAIL: return "Failed findings";
  case ECR_CHECK_UNKNOWN: return "Findings with unknown status";
  case ECR_CHECK_EXCEPTED: return "Excepted findings";
  case ECR_CHECK_PASS: return "Passing findings";
  }
  return "Findings";
}

static const char *overall_verdict(ecr_check_status s) {
  switch (s) {
  case ECR_CHECK_FAIL: return "NOT COMPLIANT";
  case ECR_CHECK_UNKNOWN: return "INCONCLUSIVE";
  case ECR_CHECK_EXCEPTED:
  case ECR_CHECK_PASS: return "COMPLIANT";
  }
  return "?";
}

static const char *source_label(ecr_source s) {
  switch (s) {
  case ECR_SRC_IDENTITY: return "identity policy";
  case ECR_SRC_GROUP: return "group policy";
  case ECR_SRC_RESOURCE: return "repository policy";
  case ECR_SRC_REGISTRY: return "registry policy";
  case ECR_SRC_BOUNDARY: return "permissions boundary";
  case ECR_SRC_SCP: return "service control policy";
  }
  return "policy";
}

static char *scope_text(const ecr_finding *f) {
  if (f->n_repositories == 1 && strcmp(f->repositories[0], "*") == 0)
    return ecr_xstrdup("registry-level (*)");
  if (f->all_repositories) return ecr_xstrdup("all repositories, present and future");
  return ecr_xasprintf("%zu repositor%s", f->n_repositories, f->n_repositories == 1 ? "y" : "ies");
}

static char *join(char *const *v, size_t n, const char *sep) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < n; i++) {
    if (i) ecr_buf_puts(&b, sep);
    ecr_buf_puts(&b, v[i] ? v[i] : "");
  }
  return ecr_buf_steal(&b);
}

static size_t toc_add(rend *R, int level, char *title) {
  toc_entry e = {level, title, 0, 0, false};
  ECR_PUSH(R->toc, R->n_toc, R->cap_toc, e);
  return R->n_toc - 1;
}

static HPDF_Destination dest_here(rend *R) {
  HPDF_Destination d = HPDF_Page_CreateDestination(R->c.page);
  if (d) HPDF_Destination_SetFitH(d, (HPDF_REAL)(R->c.y + 6 > R->c.ph ? R->c.ph : R->c.y + 6));
  return d;
}

static HPDF_Outline outline_add(rend *R, HPDF_Outline parent, const char *title,
                                HPDF_Destination d) {
  char *t = pdf_text_plain(title, 160);
  HPDF_Outline o = HPDF_CreateOutline(R->c.doc, parent ? parent : R->root, t, R->c.enc);
  free(t);
  if (o && d) HPDF_Outline_SetDestination(o, d);
  if (o) HPDF_Outline_SetOpened(o, HPDF_FALSE);
  return o;
}

/* A section or sub-section heading that is also a TOC entry and a bookmark.
 * Keeps the heading with at least `keep` points of what follows. */
static HPDF_Outline heading(rend *R, size_t toc_idx, HPDF_Outline parent, bool new_page,
                            double keep) {
  pdf_ctx *c = &R->c;
  toc_entry *e = &R->toc[toc_idx];
  bool h1 = e->level == 0;
  pdf_style st = h1 ? pdf_st(PDF_F_BOLD, 16, 22, PDF_ACCENT) : pdf_st(PDF_F_BOLD, 12, 17, PDF_ACCENT);
  if (new_page && c->y < c->top) pdf_new_page(c);
  if (!h1) pdf_space(c, 8);
  pdf_ensure(c, st.leading + 6 + keep);
  e->page = c->n_pages - 1;
  e->y = c->y;
  e->set = true;
  HPDF_Destination d = dest_here(R);
  pdf_para(c, &st, c->left, c->right - c->left, e->title);
  if (h1) {
    pdf_stroke_line(c, c->left, c->y - 2, c->right, c->y - 2, 1.2, PDF_ACCENT);
    c->y -= 10;
  } else {
    c->y -= 3;
  }
  HPDF_Outline o = outline_add(R, parent, e->title, d);
  if (o && h1) HPDF_Outline_SetOpened(o, HPDF_TRUE);
  return o;
}

static void body(rend *R, const char *text) {
  pdf_style st = pdf_st(PDF_F_REG, PDF_BODY_SIZE, PDF_BODY_LEAD, PDF_TEXT);
  pdf_para(&R->c, &st, R->c.left, R->c.right - R->c.left, text);
  pdf_space(&R->c, 6);
}

static void body_tmpl(rend *R, const char *name, const char *const *kv) {
  char *s = tmpl(name, kv);
  body(R, s);
  free(s);
}

static void subheading(rend *R, const char *text) {
  pdf_style st = pdf_st(PDF_F_BOLD, 10.5, 15, PDF_TEXT);
  pdf_space(&R->c, 6);
  pdf_ensure(&R->c, st.leading + 3 * PDF_BODY_LEAD);
  pdf_para(&R->c, &st, R->c.left, R->c.right - R->c.left, text);
  R->c.y -= 2;
}

/* ---- cover ------------------------------------------------------------- */

static void cover(rend *R) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  double w = c->right - c->left;
  pdf_new_page(c);
  c->y -= 40;
  pdf_style kick = pdf_st(PDF_F_BOLD, 9, 14, PDF_MUTED);
  pdf_para(c, &kick, c->left, w, "AMAZON ECR ACCESS AUDIT \xc2\xb7 EVIDENCE PACK");
  c->y -= 6;
  pdf_style title = pdf_st(PDF_F_BOLD, 24, 30, PDF_ACCENT);
  pdf_para(c, &title, c->left, w, nz(r->control_name, "Minimize user access to Amazon ECR"));
  c->y -= 4;
  char *sub = ecr_xasprintf("Control %s \xc2\xb7 %s", nz(r->control_id, "C-0222"),
                            nz(r->control_ref, "CIS Amazon EKS Benchmark 5.1.2"));
  pdf_style subst = pdf_st(PDF_F_REG, 13, 18, PDF_TEXT);
  pdf_para(c, &subst, c->left, w, sub);
  free(sub);
  char *acct = ecr_xasprintf("AWS account %s", nz(r->account, "(unknown)"));
  pdf_para(c, &subst, c->left, w, acct);
  free(acct);
  c->y -= 22;

  /* Result box */
  pdf_rgb col = pdf_status_color(r->overall);
  double box_h = 92, top = c->y;
  pdf_fill_rect(c, c->left, top - box_h, w, box_h, col);
  pdf_style lab = pdf_st(PDF_F_BOLD, 9, 12, PDF_WHITE);
  pdf_draw_line(c, &lab, c->left + 18, pdf_baseline(top - 10, &lab), "OVERALL RESULT", 0, 0);
  pdf_style big = pdf_st(PDF_F_BOLD, 30, 36, PDF_WHITE);
  pdf_draw_line(c, &big, c->left + 18, pdf_baseline(top - 24, &big),
                status_label(r->overall), 0, 0);
  pdf_style verdict = pdf_st(PDF_F_BOLD, 14, 18, PDF_WHITE);
  pdf_draw_line(c, &verdict, c->right - 18, pdf_baseline(top - 26, &verdict),
                overall_verdict(r->overall), w / 2, 1);
  char *counts = ecr_xasprintf(
      "%zu failed \xc2\xb7 %zu unknown \xc2\xb7 %zu excepted \xc2\xb7 %zu passing findings",
      r->by_status[ECR_CHECK_FAIL], r->by_status[ECR_CHECK_UNKNOWN],
      r->by_status[ECR_CHECK_EXCEPTED], r->by_status[ECR_CHECK_PASS]);
  pdf_style cnt = pdf_st(PDF_F_REG, 10.5, 14, PDF_WHITE);
  pdf_draw_line(c, &cnt, c->left + 18, pdf_baseline(top - 66, &cnt), counts, w - 36, 0);
  free(counts);
  c->y = top - box_h - 26;

  char *regions = r->n_regions ? join(r->regions, r->n_regions, ", ") : ecr_xstrdup("(none)");
  char *principals = ecr_xasprintf("%zu IAM users and roles", r->n_principals_evaluated);
  char *repos = ecr_xasprintf("%zu", r->n_repositories);
  char *ledger = r->ledger_path
                     ? ecr_xasprintf("%s (%zu entries)", r->ledger_path, r->n_ledger)
                     : ecr_xstrdup("none supplied");
  char *tool = ecr_xasprintf("ecraudit %s", nz(r->tool_version, "?"));
  pdf_kv(c, "Caller identity", nz(r->caller_arn, "not in the evidence"), PDF_F_REG, LABEL_W);
  pdf_kv(c, "Evidence collected", nz(r->evidence_time, "unknown (no manifest)"), PDF_F_REG,
         LABEL_W);
  pdf_kv(c, "Exceptions as of", nz(r->as_of, "?"), PDF_F_REG, LABEL_W);
  pdf_kv(c, "Report generated", nz(r->generated_at, "?"), PDF_F_REG, LABEL_W);
  pdf_kv(c, "Regions", regions, PDF_F_REG, LABEL_W);
  pdf_kv(c, "Principals evaluated", principals, PDF_F_REG, LABEL_W);
  pdf_kv(c, "Repositories", repos, PDF_F_REG, LABEL_W);
  pdf_kv(c, "Exceptions ledger", ledger, PDF_F_REG, LABEL_W);
  if (r->ledger_path) pdf_kv(c, "Ledger SHA-256", r->ledger_sha256, PDF_F_MONO, LABEL_W);
  pdf_kv(c, "Tool version", tool, PDF_F_REG, LABEL_W);
  pdf_kv(c, "Action catalog", nz(r->catalog_version, "?"), PDF_F_REG, LABEL_W);
  free(regions);
  free(principals);
  free(repos);
  free(ledger);
  free(tool);

  c->y -= 18;
  pdf_stroke_line(c, c->left, c->y, c->right, c->y, 0.5, PDF_RULE);
  c->y -= 8;
  char *note = tmpl("cover-note", NULL);
  pdf_style small = pdf_st(PDF_F_REG, 8.5, 12, PDF_MUTED);
  pdf_para(c, &small, c->left, w, note);
  free(note);
}

/* ---- contents ------------------------------------------------------------ */

static const pdf_style toc_h1 = {PDF_F_BOLD, 10.5, 20, {0.11f, 0.14f, 0.19f}};
static const pdf_style toc_h2 = {PDF_F_REG, 9.5, 15, {0.11f, 0.14f, 0.19f}};

static void reserve_toc(rend *R) {
  pdf_ctx *c = &R->c;
  double h = 22 + 10; /* heading */
  for (size_t i = 0; i < R->n_toc; i++) h += R->toc[i].level ? toc_h2.leading : toc_h1.leading;
  double room = c->top - c->bottom;
  R->toc_pages = (size_t)(h / room) + 1;
  R->toc_first_page = c->n_pages;
  for (size_t i = 0; i < R->toc_pages; i++) pdf_new_page(c);
  c->y = c->bottom; /* filled at the end: the next section starts a new page */
}

static void fill_toc(rend *R) {
  pdf_ctx *c = &R->c;
  size_t pg = R->toc_first_page;
  c->page = c->pages[pg];
  c->y = c->top;
  pdf_style h = pdf_st(PDF_F_BOLD, 16, 22, PDF_ACCENT);
  pdf_draw_line(c, &h, c->left, pdf_baseline(c->y, &h), "Contents", 0, 0);
  HPDF_Destination d = dest_here(R);
  outline_add(R, NULL, "Contents", d);
  c->y -= h.leading;
  pdf_stroke_line(c, c->left, c->y - 2, c->right, c->y - 2, 1.2, PDF_ACCENT);
  c->y -= 10;
  for (size_t i = 0; i < R->n_toc; i++) {
    const toc_entry *e = &R->toc[i];
    const pdf_style *st = e->level ? &toc_h2 : &toc_h1;
    if (c->y - st->leading < c->bottom && pg + 1 < R->toc_first_page + R->toc_pages) {
      c->page = c->pages[++pg];
      c->y = c->top;
    }
    double x = c->left + (e->level ? 18 : 0);
    double bl = pdf_baseline(c->y, st);
    char num[32];
    snprintf(num, sizeof(num), "%zu", e->set ? e->page + 1 : 0);
    double nw = pdf_draw_line(c, st, c->right, bl, num, 0, 1);
    double tw = pdf_draw_line(c, st, x, bl, e->title, c->right - x - nw - 24, 0);
    /* dot leader */
    pdf_style dots = pdf_st(PDF_F_REG, st->size, st->leading, PDF_RULE);
    double dw = pdf_str_width(c, PDF_F_REG, st->size, ". ");
    double from = x + tw + 6, to = c->right - nw - 6;
    if (to > from && dw > 0) {
      size_t n = (size_t)((to - from) / dw);
      char *s = ecr_xmalloc(2 * n + 1);
      for (size_t k = 0; k < n; k++) s[2 * k] = '.', s[2 * k + 1] = ' ';
      s[2 * n] = '\0';
      pdf_draw_line(c, &dots, to, bl, s, 0, 1);
      free(s);
    }
    if (e->set) {
      HPDF_Rect rect = {(HPDF_REAL)x, (HPDF_REAL)(c->y - st->leading), (HPDF_REAL)c->right,
                        (HPDF_REAL)c->y};
      HPDF_Destination td = HPDF_Page_CreateDestination(c->pages[e->page]);
      if (td) HPDF_Destination_SetFitH(td, (HPDF_REAL)(e->y + 6 > c->ph ? c->ph : e->y + 6));
      HPDF_Annotation a = HPDF_Page_CreateLinkAnnot(c->page, rect, td);
      if (a) HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
    }
    c->y -= st->leading;
  }
}

/* ---- executive summary ---------------------------------------------------- */

static void bar_chart(rend *R) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  static const ecr_check_status stack[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN, ECR_CHECK_EXCEPTED};
  const double label_w = 70, count_w = 40, bar_h = 14, gap = 9;
  double chart_w = c->right - c->left - label_w - count_w;
  double need = ECR_SEV_COUNT * (bar_h + gap) + 34;
  pdf_ensure(c, need);
  size_t max = 0;
  for (int s = 0; s < ECR_SEV_COUNT; s++)
    if (r->by_severity[s] > max) max = r->by_severity[s];
  /* axis: 1, 2 or 5 x 10^k per tick, at most 5 ticks */
  size_t step = 1;
  while (step * 5 < max) {
    if (step * 2 * 5 >= max) { step *= 2; break; }
    if (step * 5 * 5 >= max) { step *= 5; break; }
    step *= 10;
  }
  size_t ticks = max ? (max + step - 1) / step : 1;
  double scale_max = (double)(ticks * step);
  double top = c->y;
  double x0 = c->left + label_w;
  pdf_style axis = pdf_st(PDF_F_REG, 7, 9, PDF_MUTED);
  double plot_h = ECR_SEV_COUNT * (bar_h + gap);
  for (size_t q = 0; q <= ticks; q++) {
    double gx = x0 + chart_w * (double)q / (double)ticks;
    pdf_stroke_line(c, gx, top, gx, top - plot_h, q ? 0.3 : 0.8, q ? PDF_RULE : PDF_MUTED);
    char v[32];
    snprintf(v, sizeof(v), "%zu", q * step);
    pdf_draw_line(c, &axis, gx, top - plot_h - 9, v, 0, 2);
  }
  pdf_style lab = pdf_st(PDF_F_BOLD, 8.5, bar_h, PDF_TEXT);
  pdf_style num = pdf_st(PDF_F_BOLD, 8.5, bar_h, PDF_TEXT);
  for (int s = 0; s < ECR_SEV_COUNT; s++) {
    double by = top - gap / 2 - s * (bar_h + gap);
    lab.color = pdf_severity_color((ecr_severity)s);
    pdf_draw_line(c, &lab, c->left, pdf_baseline(by, &lab), ecr_severity_name((ecr_severity)s),
                  label_w - 6, 0);
    double x = x0;
    for (size_t k = 0; k < sizeof(stack) / sizeof(stack[0]); k++) {
      size_t n = r->by_status_severity[stack[k]][s];
      if (!n) continue;
      double bw = chart_w * (double)n / scale_max;
      pdf_fill_rect(c, x, by - bar_h, bw, bar_h, pdf_status_color(stack[k]));
      x += bw;
    }
    char v[32];
    snprintf(v, sizeof(v), "%zu", r->by_severity[s]);
    pdf_draw_line(c, &num, x + 5, pdf_baseline(by, &num), v, 0, 0);
  }
  c->y = top - plot_h - 16;
  /* legend */
  double lx = x0;
  pdf_style leg = pdf_st(PDF_F_REG, 8, 10, PDF_TEXT);
  for (size_t k = 0; k < sizeof(stack) / sizeof(stack[0]); k++) {
    pdf_fill_rect(c, lx, c->y - 8.5, 8, 8, pdf_status_color(stack[k]));
    lx += 12;
    lx += pdf_draw_line(c, &leg, lx, pdf_baseline(c->y, &leg), ecr_check_status_name(stack[k]), 0,
                        0) +
          16;
  }
  c->y -= 18;
}

static void summary(rend *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 40);

  char *regions = r->n_regions ? join(r->regions, r->n_regions, ", ") : ecr_xstrdup("no region");
  char np[32], nr[32];
  snprintf(np, sizeof(np), "%zu", r->n_principals_evaluated);
  snprintf(nr, sizeof(nr), "%zu", r->n_repositories);
  const char *kv[] = {"account", nz(r->account, "?"), "principals", np, "repositories", nr,
                      "regions", regions, "evidence_time", nz(r->evidence_time, "an unknown time"),
                      "as_of", nz(r->as_of, "?"), NULL};
  body_tmpl(R, "summary-intro", kv);
  free(regions);

  /* overall line */
  pdf_ensure(c, 26);
  pdf_style ov = pdf_st(PDF_F_BOLD, 10.5, 20, PDF_TEXT);
  double w = pdf_draw_line(c, &ov, c->left, pdf_baseline(c->y, &ov), "Overall result:", 0, 0);
  double pw = pdf_pill(c, c->left + w + 8, c->y - 2, 16, 9.5, status_label(r->overall),
                       pdf_status_color(r->overall), PDF_WHITE);
  pdf_draw_line(c, &ov, c->left + w + 16 + pw, pdf_baseline(c->y, &ov),
                overall_verdict(r->overall), 0, 0);
  c->y -= 28;

  subheading(R, "Findings by status");
  static const pdf_col cols[] = {{"Status", 78, 0}, {"Findings", 56, 1}, {"What it means", 349, 0}};
  pdf_table t = {cols, 3, c->left};
  pdf_table_begin(c, &t);
  static const ecr_check_status order[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN, ECR_CHECK_EXCEPTED,
                                           ECR_CHECK_PASS};
  static const char *const meaning[] = {"status-fail", "status-unknown", "status-excepted",
                                        "status-pass"};
  for (size_t i = 0; i < 4; i++) {
    char n[32];
    snprintf(n, sizeof(n), "%zu", r->by_status[order[i]]);
    char *m = tmpl(meaning[i], NULL);
    pdf_cell cells[3] = {0};
    cells[0].n_runs = 1;
    cells[0].pill = true;
    cells[0].pill_bg = pdf_status_color(order[i]);
    cells[0].run[0] = (pdf_run){status_label(order[i]), pdf_st(PDF_F_BOLD, 7.5, 13, PDF_WHITE)};
    cells[1].n_runs = 1;
    cells[1].run[0] = (pdf_run){n, pdf_st(PDF_F_BOLD, 9, 13, PDF_TEXT)};
    cells[2].n_runs = 1;
    cells[2].run[0] = (pdf_run){m, pdf_st(PDF_F_REG, 8.5, 12, PDF_TEXT)};
    pdf_table_row(c, &t, cells, i, NULL, NULL);
    free(m);
  }
  pdf_table_end(c);

  subheading(R, "Open findings by severity (failed, unknown and excepted)");
  bar_chart(R);

  subheading(R, "Findings by status and severity");
  static const pdf_col mcols[] = {{"Status", 98, 0},  {"critical", 62, 1}, {"high", 62, 1},
                                  {"medium", 62, 1},  {"low", 62, 1},      {"info", 62, 1},
                                  {"Total", 75, 1}};
  pdf_table mt = {mcols, 7, c->left};
  pdf_table_begin(c, &mt);
  for (size_t i = 0; i <= 4; i++) {
    pdf_cell cells[7] = {0};
    char nums[7][32];
    pdf_style numst = pdf_st(PDF_F_REG, 8.5, 12, PDF_TEXT);
    cells[0].n_runs = 1;
    if (i < 4) {
      cells[0].run[0] = (pdf_run){ecr_check_status_name(order[i]),
                                  pdf_st(PDF_F_BOLD, 8.5, 12, pdf_status_color(order[i]))};
      for (int s = 0; s < ECR_SEV_COUNT; s++)
        snprintf(nums[s + 1], sizeof(nums[0]), "%zu", r->by_status_severity[order[i]][s]);
      snprintf(nums[6], sizeof(nums[0]), "%zu", r->by_status[order[i]]);
    } else {
      cells[0].run[0] = (pdf_run){"open (not pass)", pdf_st(PDF_F_BOLD, 8.5, 12, PDF_TEXT)};
      for (int s = 0; s < ECR_SEV_COUNT; s++)
        snprintf(nums[s + 1], sizeof(nums[0]), "%zu", r->by_severity[s]);
      snprintf(nums[6], sizeof(nums[0]), "%s", "");
      numst.font = PDF_F_BOLD;
    }
    for (int k = 1; k < 7; k++) {
      cells[k].n_runs = 1;
      cells[k].run[0] = (pdf_run){nums[k], numst};
    }
    pdf_table_row(c, &mt, cells, i, NULL, NULL);
  }
  pdf_table_end(c);
}

/* ---- findings table -------------------------------------------------------- */

static void findings_table(rend *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  body_tmpl(R, "findings-intro", NULL);
  if (!r->n_findings) {
    body(R, "The evidence produced no findings.");
    return;
  }
  static const pdf_col cols[] = {{"#", 30, 1},          {"Status", 60, 0},  {"Severity", 50, 0},
                                 {"Principal / finding ID", 166, 0}, {"Access level", 68, 0},
                                 {"Scope", 62, 0},      {"Decision", 47, 0}};
  pdf_table t = {cols, 7, c->left};
  pdf_table_begin(c, &t);
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    char num[32];
    snprintf(num, sizeof(num), "%zu", i + 1);
    char *scope = scope_text(f);
    pdf_cell cells[7] = {0};
    pdf_style txt = pdf_st(PDF_F_REG, 8, 10.5, PDF_TEXT);
    cells[0].n_runs = 1;
    cells[0].run[0] = (pdf_run){num, pdf_st(PDF_F_REG, 8, 10.5, PDF_ACCENT)};
    cells[1].n_runs = 1;
    cells[1].pill = true;
    cells[1].pill_bg = pdf_status_color(f->status);
    cells[1].run[0] = (pdf_run){status_label(f->status), pdf_st(PDF_F_BOLD, 6.5, 11.5, PDF_WHITE)};
    cells[2].n_runs = 1;
    cells[2].run[0] = (pdf_run){ecr_severity_name(f->severity),
                                pdf_st(PDF_F_BOLD, 8, 10.5, pdf_severity_color(f->severity))};
    cells[3].n_runs = 2;
    cells[3].run[0] = (pdf_run){f->principal, pdf_st(PDF_F_REG, 8, 10.5, PDF_TEXT)};
    cells[3].run[1] = (pdf_run){f->id, pdf_st(PDF_F_MONO, 6.5, 9, PDF_MUTED)};
    cells[4].n_runs = 1;
    cells[4].run[0] = (pdf_run){ecr_access_level_name(f->access_level), txt};
    cells[5].n_runs = 1;
    cells[5].run[0] = (pdf_run){scope, txt};
    cells[6].n_runs = 1;
    cells[6].run[0] = (pdf_run){ecr_decision_name(f->decision), txt};
    pdf_table_row(c, &t, cells, i, &R->row_rect[i], &R->row_page[i]);
    free(scope);
  }
  pdf_table_end(c);
}

/* ---- finding details ---------------------------------------------------- */

static void via_block(rend *R, const ecr_finding *f) {
  pdf_ctx *c = &R->c;
  double x = c->left + LABEL_W, w = c->right - x;
  pdf_style ls = pdf_st(PDF_F_BOLD, PDF_SMALL_SIZE, PDF_BODY_LEAD, PDF_MUTED);
  pdf_style vs = pdf_st(PDF_F_REG, 9, PDF_BODY_LEAD, PDF_TEXT);
  pdf_style code = pdf_st(PDF_F_MONO, 7, 9.5, PDF_TEXT);
  pdf_ensure(c, PDF_BODY_LEAD);
  pdf_draw_line(c, &ls, c->left, pdf_baseline(c->y, &ls), "Deciding statements", LABEL_W - 6, 0);
  if (!f->n_via) {
    pdf_para(c, &vs, x, w, "\xe2\x80\x94");
    return;
  }
  for (size_t k = 0; k < f->n_via; k++) {
    const ecr_via *v = &f->via[k];
    char *owner = v->owner ? ecr_xasprintf(" (%s %s)", v->source == ECR_SRC_GROUP ? "group" : "target",
                                           v->owner)
                           : ecr_xstrdup("");
    char *line = ecr_xasprintf("%s%s \xc2\xb7 %s%s: %s \xc2\xb7 statement %s", v->deny ? "Deny" : "Allow",
                               v->conditional ? " (conditional)" : "", source_label(v->source),
                               owner, nz(v->policy, "?"), nz(v->statement, "?"));
    vs.color = v->deny ? pdf_status_color(ECR_CHECK_FAIL) : PDF_TEXT;
    pdf_para(c, &vs, x, w, line);
    free(line);
    free(owner);
    if (v->json) {
      c->y -= 1;
      pdf_code_block(c, &code, x, w, v->json);
      c->y -= 3;
    }
  }
}

static void finding_block(rend *R, size_t i, HPDF_Outline parent) {
  pdf_ctx *c = &R->c;
  const ecr_finding *f = &R->r->findings[i];
  double w = c->right - c->left;
  pdf_ensure(c, 18 + 2 * 15 + 4 * PDF_BODY_LEAD);
  double top = c->y;
  HPDF_Destination d = dest_here(R);
  R->detail_dest[i] = d;
  char *otitle = ecr_xasprintf("#%zu %s %s: %s", i + 1, status_label(f->status),
                               ecr_severity_name(f->severity), nz(f->principal, "?"));
  outline_add(R, parent, otitle, d);
  free(otitle);

  /* title row: number, status, severity, access level, decision ... id */
  pdf_fill_rect(c, c->left, top - 20, w, 20, PDF_HEAD_BG);
  pdf_fill_rect(c, c->left, top - 20, 3, 20, pdf_status_color(f->status));
  pdf_style num = pdf_st(PDF_F_BOLD, 10, 20, PDF_ACCENT);
  char n[32];
  snprintf(n, sizeof(n), "#%zu", i + 1);
  double x = c->left + 9;
  x += pdf_draw_line(c, &num, x, pdf_baseline(top, &num), n, 0, 0) + 8;
  x += pdf_pill(c, x, top - 4, 12, 7, status_label(f->status), pdf_status_color(f->status),
                PDF_WHITE) + 8;
  pdf_style sev = pdf_st(PDF_F_BOLD, 8.5, 20, pdf_severity_color(f->severity));
  x += pdf_draw_line(c, &sev, x, pdf_baseline(top, &sev), ecr_severity_name(f->severity), 0, 0) + 8;
  char *lvl = ecr_xasprintf("%s \xc2\xb7 %s", ecr_access_level_name(f->access_level),
                            ecr_decision_name(f->decision));
  pdf_style meta = pdf_st(PDF_F_REG, 8.5, 20, PDF_TEXT);
  x += pdf_draw_line(c, &meta, x, pdf_baseline(top, &meta), lvl, 0, 0);
  free(lvl);
  pdf_style idst = pdf_st(PDF_F_MONO, 7, 20, PDF_MUTED);
  double room = c->right - 6 - (x + 8);
  if (room > 30) pdf_draw_line(c, &idst, c->right - 6, pdf_baseline(top, &idst), f->id, room, 1);
  c->y = top - 24;

  pdf_style pst = pdf_st(PDF_F_BOLD, 10.5, 14, PDF_TEXT);
  pdf_para(c, &pst, c->left, w, nz(f->principal, "?"));
  c->y -= 4;

  char *kind = ecr_xasprintf("%s", ecr_principal_kind_name(f->principal_kind));
  pdf_kv(c, "Principal kind", kind, PDF_F_REG, LABEL_W);
  free(kind);
  pdf_kv(c, "Finding ID", f->id, PDF_F_MONO, LABEL_W);
  char *repos = join(f->repositories, f->n_repositories, "\n");
  char *rv = f->all_repositories
                 ? ecr_xasprintf("All repositories, present and future:\n%s", repos)
                 : ecr_xstrdup(repos);
  pdf_kv(c, "Repositories", rv, PDF_F_REG, LABEL_W);
  free(rv);
  free(repos);
  char *acts = join(f->actions, f->n_actions, ", ");
  pdf_kv(c, "Actions", acts, PDF_F_REG, LABEL_W);
  free(acts);
  char *dec = ecr_xasprintf("%s%s", ecr_decision_name(f->decision),
                            f->decision == ECR_DECISION_CONDITIONAL
                                ? " (depends on a policy condition the evidence cannot decide)"
                                : "");
  pdf_kv(c, "Decision", dec, PDF_F_REG, LABEL_W);
  free(dec);
  pdf_kv(c, "Can push images", f->can_push ? "yes: the whole push action set is granted" : "no",
         PDF_F_REG, LABEL_W);
  via_block(R, f);
  pdf_kv(c, "Impact", f->impact, PDF_F_REG, LABEL_W);
  pdf_kv(c, "Remediation", f->remediation, PDF_F_REG, LABEL_W);
  if (f->suggested_statement) {
    pdf_style ls = pdf_st(PDF_F_BOLD, PDF_SMALL_SIZE, PDF_BODY_LEAD, PDF_MUTED);
    pdf_style code = pdf_st(PDF_F_MONO, 7.5, 10, PDF_TEXT);
    pdf_ensure(c, PDF_BODY_LEAD + 10);
    pdf_draw_line(c, &ls, c->left, pdf_baseline(c->y, &ls), "Suggested statement", LABEL_W - 6,
                  0);
    c->y -= 2;
    pdf_code_block(c, &code, c->left + LABEL_W, c->right - c->left - LABEL_W,
                   f->suggested_statement);
    c->y -= 3;
  }
  if (f->exception) {
    const ecr_ledger_entry *e = f->exception;
    char *ex = ecr_xasprintf("%s \xe2\x80\x94 %s, expires %s; approved by %s; ticket %s", nz(e->id, "?"),
                             ecr_ledger_state_name(e->state), nz(e->expires, "?"),
                             nz(e->approved_by, "?"), nz(e->ticket, "?"));
    pdf_kv(c, "Exception", ex, PDF_F_REG, LABEL_W);
    free(ex);
  } else {
    pdf_kv(c, "Exception", "none", PDF_F_REG, LABEL_W);
  }
  if (f->status_reason) pdf_kv(c, "Status reason", f->status_reason, PDF_F_REG, LABEL_W);
  pdf_space(c, 14);
}

static void details(rend *R, size_t toc_idx, const size_t *group_toc) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  HPDF_Outline sec = heading(R, toc_idx, NULL, true, 40);
  body_tmpl(R, "details-intro", NULL);
  if (!r->n_findings) {
    body(R, "The evidence produced no findings.");
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
    /* big groups: one bookmark level per severity in between */
    bool by_sev = total > 50;
    HPDF_Outline sev_ol = NULL;
    int cur_sev = -1;
    size_t shown = 0;
    for (size_t k = 0; k < r->n_findings && shown < R->detail_limit; k++) {
      const ecr_finding *f = &r->findings[k];
      if (f->status != st) continue;
      if (by_sev && (int)f->severity != cur_sev) {
        cur_sev = (int)f->severity;
        char *t = ecr_xasprintf("%s (%zu)", ecr_severity_name(f->severity),
                                r->by_status_severity[st][cur_sev]);
        pdf_ensure(c, 80);
        sev_ol = outline_add(R, grp, t, dest_here(R));
        free(t);
      }
      finding_block(R, k, by_sev ? sev_ol : grp);
      shown++;
    }
    if (shown < total) {
      char a[32], b[32], d[32];
      snprintf(a, sizeof(a), "%zu", shown);
      snprintf(b, sizeof(b), "%zu", total);
      snprintf(d, sizeof(d), "%zu", total - shown);
      const char *kv[] = {"shown", a, "total", b, "rest", d, NULL};
      char *s = tmpl("details-limit", kv);
      pdf_style st2 = pdf_st(PDF_F_BOLD, 9.5, 13, PDF_ACCENT);
      pdf_ensure(c, 40);
      pdf_para(c, &st2, c->left, c->right - c->left, s);
      free(s);
      pdf_space(c, 10);
    }
  }
}

/* ---- repository access ---------------------------------------------------- */

static char *access_list(const ecr_repo_access *a, size_t n) {
  if (!n) return ecr_xstrdup("\xe2\x80\x94");
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < n; i++) {
    if (i) ecr_buf_putc(&b, '\n');
    ecr_buf_puts(&b, nz(a[i].principal, "?"));
    if (a[i].decision == ECR_DECISION_CONDITIONAL) ecr_buf_puts(&b, " (conditional)");
  }
  return ecr_buf_steal(&b);
}

static void repositories(rend *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  body_tmpl(R, "repos-intro", NULL);
  if (!r->n_repo_views) {
    body(R, "The evidence lists no repositories.");
    return;
  }
  static const pdf_col cols[] = {{"Repository", 123, 0}, {"Push", 90, 0}, {"Delete", 90, 0},
                                 {"Permissions", 90, 0}, {"Tag", 90, 0}};
  pdf_table t = {cols, 5, c->left};
  pdf_table_begin(c, &t);
  for (size_t i = 0; i < r->n_repo_views; i++) {
    const ecr_repo_view *v = &r->repositories[i];
    char *lists[4] = {access_list(v->push, v->n_push), access_list(v->delete_, v->n_delete),
                      access_list(v->permissions, v->n_permissions),
                      access_list(v->tag, v->n_tag)};
    char *info = v->gap ? ecr_xasprintf("policy not collected: %s", nz(v->gap_error, "unknown error"))
                        : ecr_xasprintf("%s \xc2\xb7 %s", nz(v->region, "?"),
                                        v->has_policy ? "has a repository policy" : "no repository policy");
    pdf_cell cells[5] = {0};
    cells[0].n_runs = 3;
    cells[0].run[0] = (pdf_run){nz(v->name, "?"), pdf_st(PDF_F_BOLD, 8, 10.5, PDF_TEXT)};
    cells[0].run[1] = (pdf_run){nz(v->arn, "?"), pdf_st(PDF_F_REG, 6.5, 8.5, PDF_MUTED)};
    cells[0].run[2] = (pdf_run){info, pdf_st(PDF_F_REG, 6.5, 8.5,
                                             v->gap ? pdf_status_color(ECR_CHECK_UNKNOWN) : PDF_MUTED)};
    for (int k = 0; k < 4; k++) {
      cells[k + 1].n_runs = 1;
      cells[k + 1].run[0] = (pdf_run){lists[k], pdf_st(PDF_F_REG, 7, 9.5, PDF_TEXT)};
    }
    pdf_table_row(c, &t, cells, i, NULL, NULL);
    for (int k = 0; k < 4; k++) free(lists[k]);
    free(info);
  }
  pdf_table_end(c);
}

/* ---- exceptions ledger ------------------------------------------------------ */

static void ledger(rend *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  body_tmpl(R, "ledger-intro", NULL);
  if (!r->ledger_path) {
    body_tmpl(R, "ledger-none", NULL);
    return;
  }
  pdf_kv(c, "Ledger file", r->ledger_path, PDF_F_REG, LABEL_W);
  pdf_kv(c, "SHA-256", r->ledger_sha256, PDF_F_MONO, LABEL_W);
  char *n = ecr_xasprintf("%zu", r->n_ledger);
  pdf_kv(c, "Entries", n, PDF_F_REG, LABEL_W);
  free(n);
  pdf_space(c, 8);
  if (!r->n_ledger) return;
  static const pdf_col cols[] = {{"ID", 70, 0},      {"State", 58, 0},   {"Expires", 58, 0},
                                 {"Matched", 42, 1}, {"Scope, justification and approval", 255, 0}};
  pdf_table t = {cols, 5, c->left};
  pdf_table_begin(c, &t);
  for (size_t i = 0; i < r->n_ledger; i++) {
    const ecr_ledger_entry *e = &r->ledger[i];
    char *repos = join(e->repositories, e->n_repositories, ", ");
    char *acts = join(e->actions, e->n_actions, ", ");
    char *scope = ecr_xasprintf("Principal: %s\nRepositories: %s\nActions: %s",
                                nz(e->principal, "\xe2\x80\x94"), nz(repos, "\xe2\x80\x94"),
                                nz(acts, "\xe2\x80\x94"));
    char *just = ecr_xasprintf("Justification: %s\nApproved by: %s \xc2\xb7 Ticket: %s",
                               nz(e->justification, "\xe2\x80\x94"),
                               nz(e->approved_by, "\xe2\x80\x94"), nz(e->ticket, "\xe2\x80\x94"));
    char matched[32];
    snprintf(matched, sizeof(matched), "%zu", e->matched);
    pdf_cell cells[5] = {0};
    cells[0].n_runs = 1;
    cells[0].run[0] = (pdf_run){nz(e->id, "?"), pdf_st(PDF_F_BOLD, 8, 10.5, PDF_TEXT)};
    cells[1].n_runs = 1;
    cells[1].pill = true;
    cells[1].pill_bg = pdf_ledger_color(e->state);
    char state[32];
    snprintf(state, sizeof(state), "%s", ecr_ledger_state_name(e->state));
    for (char *p = state; *p; p++)
      if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    cells[1].run[0] = (pdf_run){state, pdf_st(PDF_F_BOLD, 6.5, 11.5, PDF_WHITE)};
    cells[2].n_runs = 1;
    cells[2].run[0] = (pdf_run){nz(e->expires, "\xe2\x80\x94"), pdf_st(PDF_F_REG, 8, 10.5, PDF_TEXT)};
    cells[3].n_runs = 1;
    cells[3].run[0] = (pdf_run){matched, pdf_st(PDF_F_REG, 8, 10.5, PDF_TEXT)};
    cells[4].n_runs = e->reason ? 3 : 2;
    cells[4].run[0] = (pdf_run){scope, pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT)};
    cells[4].run[1] = (pdf_run){just, pdf_st(PDF_F_REG, 7.5, 10, PDF_MUTED)};
    if (e->reason)
      cells[4].run[2] = (pdf_run){e->reason, pdf_st(PDF_F_BOLD, 7.5, 10, pdf_ledger_color(e->state))};
    pdf_table_row(c, &t, cells, i, NULL, NULL);
    free(repos);
    free(acts);
    free(scope);
    free(just);
  }
  pdf_table_end(c);
}

/* ---- coverage ---------------------------------------------------------------- */

static void coverage(rend *R, size_t toc_idx) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  heading(R, toc_idx, NULL, true, 60);
  body_tmpl(R, "coverage-intro", NULL);
  pdf_style st = pdf_st(PDF_F_REG, PDF_BODY_SIZE, PDF_BODY_LEAD, PDF_TEXT);
  if (!r->n_coverage) body(R, "The evaluation recorded no limitations.");
  for (size_t i = 0; i < r->n_coverage; i++) {
    pdf_bullet(c, &st, c->left, c->right - c->left, r->coverage[i]);
    c->y -= 3;
  }
  bool any_gap = false;
  for (size_t i = 0; i < r->n_repo_views; i++)
    if (r->repositories[i].gap) any_gap = true;
  if (any_gap) {
    subheading(R, "Repositories whose policy could not be read");
    for (size_t i = 0; i < r->n_repo_views; i++) {
      const ecr_repo_view *v = &r->repositories[i];
      if (!v->gap) continue;
      char *s = ecr_xasprintf("%s: %s", nz(v->arn, "?"), nz(v->gap_error, "unknown error"));
      pdf_bullet(c, &st, c->left, c->right - c->left, s);
      free(s);
    }
  }
  pdf_space(c, 6);
  char *note = tmpl("text-mapping", NULL);
  pdf_style small = pdf_st(PDF_F_REG, 8, 11, PDF_MUTED);
  pdf_para(c, &small, c->left, c->right - c->left, note);
  free(note);
}

/* ---- evidence appendix -------------------------------------------------------- */

static void evidence(rend *R, size_t toc_idx, size_t files_toc, size_t gaps_toc,
                     HPDF_Outline *out) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  HPDF_Outline sec = heading(R, toc_idx, NULL, true, 60);
  body_tmpl(R, "evidence-intro", NULL);
  heading(R, files_toc, sec, false, 50);
  if (!r->n_files) {
    body(R, "The bundle lists no evidence files.");
  } else {
    static const pdf_col cols[] = {{"File", 150, 0}, {"Size (bytes)", 58, 1}, {"SHA-256", 275, 0}};
    pdf_table t = {cols, 3, c->left};
    pdf_table_begin(c, &t);
    for (size_t i = 0; i < r->n_files; i++) {
      const ecr_evidence_file *f = &r->files[i];
      char size[32];
      snprintf(size, sizeof(size), "%zu", f->size);
      pdf_cell cells[3] = {0};
      cells[0].n_runs = 1;
      cells[0].run[0] = (pdf_run){nz(f->path, "?"), pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT)};
      cells[1].n_runs = 1;
      cells[1].run[0] = (pdf_run){size, pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT)};
      cells[2].n_runs = 1;
      cells[2].run[0] = (pdf_run){f->sha256, pdf_st(PDF_F_MONO, 6.8, 10, PDF_TEXT)};
      pdf_table_row(c, &t, cells, i, NULL, NULL);
    }
    pdf_table_end(c);
  }
  if (r->ledger_path) {
    char *s = ecr_xasprintf("Exceptions ledger %s: SHA-256 %s", r->ledger_path, r->ledger_sha256);
    pdf_style small = pdf_st(PDF_F_REG, 8, 11, PDF_MUTED);
    pdf_para(c, &small, c->left, c->right - c->left, s);
    free(s);
  }
  heading(R, gaps_toc, sec, false, 50);
  if (!r->n_gaps) {
    body_tmpl(R, "gaps-none", NULL);
  } else {
    static const pdf_col cols[] = {{"Source", 110, 0}, {"Resource", 203, 0}, {"Error", 170, 0}};
    pdf_table t = {cols, 3, c->left};
    pdf_table_begin(c, &t);
    for (size_t i = 0; i < r->n_gaps; i++) {
      const ecr_gap *g = &r->gaps[i];
      pdf_cell cells[3] = {0};
      pdf_style s = pdf_st(PDF_F_REG, 7.5, 10, PDF_TEXT);
      cells[0].n_runs = cells[1].n_runs = cells[2].n_runs = 1;
      cells[0].run[0] = (pdf_run){nz(g->source, "?"), s};
      cells[1].run[0] = (pdf_run){nz(g->resource, "?"), s};
      cells[2].run[0] = (pdf_run){nz(g->error, "?"), s};
      pdf_table_row(c, &t, cells, i, NULL, NULL);
    }
    pdf_table_end(c);
  }
  (void)out;
}

/* ---- page furniture, links, info ------------------------------------------------ */

static void decorate(rend *R) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  char *hl = ecr_xasprintf("%s \xc2\xb7 %s", nz(r->control_id, "C-0222"),
                           nz(r->control_name, "Minimize user access to Amazon ECR"));
  char *hr = ecr_xasprintf("AWS account %s", nz(r->account, "?"));
  char *fl = ecr_xasprintf("ecraudit %s \xc2\xb7 generated %s \xc2\xb7 as of %s",
                           nz(r->tool_version, "?"), nz(r->generated_at, "?"), nz(r->as_of, "?"));
  pdf_style hs = pdf_st(PDF_F_REG, 7.5, 10, PDF_MUTED);
  pdf_style hsb = pdf_st(PDF_F_BOLD, 7.5, 10, PDF_MUTED);
  double hy = c->ph - 34, fy = 30;
  for (size_t i = 0; i < c->n_pages; i++) {
    c->page = c->pages[i];
    double w = pdf_draw_line(c, &hsb, c->right, hy, hr, (c->right - c->left) * 0.4, 1);
    pdf_draw_line(c, &hs, c->left, hy, hl, c->right - c->left - w - 16, 0);
    pdf_stroke_line(c, c->left, hy - 6, c->right, hy - 6, 0.5, PDF_RULE);
    pdf_stroke_line(c, c->left, fy + 12, c->right, fy + 12, 0.5, PDF_RULE);
    char pg[64];
    snprintf(pg, sizeof(pg), "Page %zu of %zu", i + 1, c->n_pages);
    double pw = pdf_draw_line(c, &hsb, c->right, fy, pg, 0, 1);
    pdf_draw_line(c, &hs, c->left, fy, fl, c->right - c->left - pw - 16, 0);
  }
  free(hl);
  free(hr);
  free(fl);
}

static void table_links(rend *R) {
  pdf_ctx *c = &R->c;
  for (size_t i = 0; i < R->r->n_findings; i++) {
    if (!R->detail_dest[i] || R->row_page[i] >= c->n_pages) continue;
    HPDF_Rect rect = R->row_rect[i];
    if (rect.top <= rect.bottom) continue;
    rect.right = (HPDF_REAL)(rect.left + 30); /* the "#" column */
    HPDF_Annotation a = HPDF_Page_CreateLinkAnnot(c->pages[R->row_page[i]], rect, R->detail_dest[i]);
    if (a) HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
  }
}

static bool parse_iso(const char *s, HPDF_Date *d) {
  int y, mo, da, h, mi, se;
  if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &da, &h, &mi, &se) != 6) return false;
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || se > 59 || y < 1) return false;
  memset(d, 0, sizeof(*d));
  d->year = y, d->month = mo, d->day = da, d->hour = h, d->minutes = mi, d->seconds = se;
  d->ind = 'Z';
  return true;
}

static void doc_info(rend *R) {
  pdf_ctx *c = &R->c;
  const ecr_report *r = R->r;
  char *title = ecr_xasprintf("Amazon ECR access audit %s \xe2\x80\x94 account %s",
                              nz(r->control_id, "C-0222"), nz(r->account, "?"));
  char *subject = ecr_xasprintf("%s %s (%s): %s", nz(r->control_id, "C-0222"),
                                nz(r->control_name, ""), nz(r->control_ref, ""),
                                ecr_check_status_name(r->overall));
  char *creator = ecr_xasprintf("ecraudit %s", nz(r->tool_version, "?"));
  char *vals[4] = {pdf_text_plain(title, 300), pdf_text_plain(subject, 300),
                   pdf_text_plain(creator, 100), NULL};
  HPDF_SetInfoAttr(c->doc, HPDF_INFO_TITLE, vals[0]);
  HPDF_SetInfoAttr(c->doc, HPDF_INFO_SUBJECT, vals[1]);
  HPDF_SetInfoAttr(c->doc, HPDF_INFO_AUTHOR, "ecraudit");
  HPDF_SetInfoAttr(c->doc, HPDF_INFO_CREATOR, vals[2]);
  HPDF_SetInfoAttr(c->doc, HPDF_INFO_KEYWORDS,
                   "C-0222, CIS Amazon EKS Benchmark 5.1.2, Amazon ECR, IAM, access review, evidence");
  HPDF_Date d;
  if (parse_iso(r->generated_at, &d)) {
    HPDF_SetInfoDateAttr(c->doc, HPDF_INFO_CREATION_DATE, d);
    HPDF_SetInfoDateAttr(c->doc, HPDF_INFO_MOD_DATE, d);
  }
  for (int i = 0; i < 4; i++) free(vals[i]);
  free(title);
  free(subject);
  free(creator);
}

/* libharu's ToUnicode CMap for its UTF-8 encoder is malformed (it uses
 * cidrange operators), so text extraction and search are unreliable.
 * The codes it draws with are the Unicode code points themselves
 * (Identity-H, 2 bytes), so the correct CMap is the identity over the BMP. */
static void fix_tounicode(HPDF_Font font) {
  HPDF_Dict tu = HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT);
  if (!tu || !tu->stream) return;
  HPDF_MemStream_FreeData(tu->stream);
  HPDF_Stream s = tu->stream;
  HPDF_Stream_WriteStr(s, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                          "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                          "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                          "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
  int hi[256], n = 0;
  for (int h = 0; h < 256; h++)
    if (h < 0xD8 || h > 0xDF) hi[n++] = h;
  char buf[64];
  for (int i = 0; i < n; i += 100) {
    int m = n - i < 100 ? n - i : 100;
    snprintf(buf, sizeof(buf), "%d beginbfrange\n", m);
    HPDF_Stream_WriteStr(s, buf);
    for (int k = 0; k < m; k++) {
      snprintf(buf, sizeof(buf), "<%02X00> <%02XFF> <%02X00>\n", hi[i + k], hi[i + k], hi[i + k]);
      HPDF_Stream_WriteStr(s, buf);
    }
    HPDF_Stream_WriteStr(s, "endbfrange\n");
  }
  HPDF_Stream_WriteStr(s, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

static ecr_status load_fonts(rend *R, const ecr_render_opts *opts, ecr_error *err) {
  pdf_ctx *c = &R->c;
  char *paths[PDF_F_COUNT];
  ecr_status st = pdf_fonts_find(opts, paths, err);
  if (st != ECR_OK) return st;
  for (int i = 0; i < PDF_F_COUNT; i++) {
    c->f[i].path = paths[i];
    int same = -1;
    for (int k = 0; k < i; k++)
      if (strcmp(paths[k], paths[i]) == 0) same = k;
    if (same >= 0) {
      c->f[i].font = c->f[same].font;
      c->f[i].def = c->f[same].def;
    } else {
      const char *name = HPDF_LoadTTFontFromFile(c->doc, paths[i], HPDF_TRUE);
      HPDF_Font f = name ? HPDF_GetFont(c->doc, name, "UTF-8") : NULL;
      if (!f) {
        st = ecr_error_set(err, ECR_E_INPUT, paths[i],
                           "not a usable TrueType font for the PDF report (libharu error 0x%04X)",
                           (unsigned)c->hpdf_error);
        return st;
      }
      fix_tounicode(f);
      c->f[i].font = f;
      c->f[i].def = ((HPDF_FontAttr)f->attr)->fontdef;
    }
    c->f[i].width = ecr_xmalloc(65536 * sizeof(int16_t));
    memset(c->f[i].width, 0xff, 65536 * sizeof(int16_t)); /* -1: not looked up */
    c->f[i].has = ecr_xcalloc(65536, 1);
  }
  return ECR_OK;
}

static ecr_status save(rend *R, ecr_sink *sink, ecr_error *err) {
  pdf_ctx *c = &R->c;
  if (HPDF_SaveToStream(c->doc) != HPDF_OK || c->hpdf_error)
    return ecr_error_set(err, ECR_E_INTERNAL, NULL, "PDF: libharu could not save the document (error 0x%04X, detail %u)",
                         (unsigned)c->hpdf_error, (unsigned)c->hpdf_detail);
  HPDF_BYTE buf[65536];
  for (;;) {
    HPDF_UINT32 n = sizeof(buf);
    HPDF_STATUS rs = HPDF_ReadFromStream(c->doc, buf, &n);
    if (n && ecr_sink_write(sink, buf, n) != 0)
      return ecr_error_set(err, ECR_E_OUTPUT, NULL, "PDF: write failed");
    if (rs == HPDF_STREAM_EOF) break;
    if (rs != HPDF_OK)
      return ecr_error_set(err, ECR_E_INTERNAL, NULL, "PDF: cannot read the saved document (0x%04X)",
                           (unsigned)rs);
    if (!n) break;
  }
  return ECR_OK;
}

ecr_status ecr_render_pdf(const ecr_report *report, const ecr_render_opts *opts, ecr_sink *sink,
                          ecr_error *err) {
  ecr_status st = ECR_OK;
  rend R;
  memset(&R, 0, sizeof(R));
  R.r = report;
  R.c.r = report;
  R.detail_limit = opts && opts->detail_limit ? opts->detail_limit : DEFAULT_DETAIL_LIMIT;
  size_t nf = report->n_findings ? report->n_findings : 1;
  R.detail_dest = ecr_xcalloc(nf, sizeof(HPDF_Destination));
  R.row_rect = ecr_xcalloc(nf, sizeof(HPDF_Rect));
  R.row_page = ecr_xcalloc(nf, sizeof(size_t));
  ecr_buf_init(&R.c.utf8);

  pdf_ctx *c = &R.c;
  c->doc = HPDF_New(on_hpdf_error, c);
  if (!c->doc) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "PDF: cannot create a libharu document");
    goto done;
  }
  HPDF_SetCompressionMode(c->doc, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(c->doc);
  HPDF_SetCurrentEncoder(c->doc, "UTF-8");
  c->enc = HPDF_GetEncoder(c->doc, "UTF-8");
  HPDF_SetPageMode(c->doc, HPDF_PAGE_MODE_USE_OUTLINE);
  c->pw = 595.276;
  c->ph = 841.89;
  c->left = 56;
  c->right = c->pw - 56;
  c->top = c->ph - 62;
  c->bottom = 56;
  st = load_fonts(&R, opts, err);
  if (st != ECR_OK) goto done;

  /* Table of contents entries, fixed before layout. */
  size_t t_sum = toc_add(&R, 0, ecr_xstrdup("1  Executive summary"));
  size_t t_tab = toc_add(&R, 0, ecr_xstrdup("2  Findings"));
  size_t t_det = toc_add(&R, 0, ecr_xstrdup("3  Finding details"));
  size_t group_toc[ECR_CHECK_COUNT] = {0};
  {
    static const ecr_check_status order[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN,
                                             ECR_CHECK_EXCEPTED, ECR_CHECK_PASS};
    size_t sub = 1;
    for (size_t i = 0; i < 4; i++) {
      ecr_check_status s = order[i];
      if (!report->by_status[s]) continue;
      group_toc[s] = toc_add(&R, 1, ecr_xasprintf("3.%zu  %s (%zu)", sub++, status_group_title(s),
                                                  report->by_status[s]));
    }
  }
  size_t t_repo = toc_add(&R, 0, ecr_xstrdup("4  Repository access"));
  size_t t_led = toc_add(&R, 0, ecr_xstrdup("5  Exceptions ledger"));
  size_t t_cov = toc_add(&R, 0, ecr_xstrdup("6  Coverage and limitations"));
  size_t t_evi = toc_add(&R, 0, ecr_xstrdup("7  Evidence appendix"));
  size_t t_files = toc_add(&R, 1, ecr_xstrdup("7.1  Evidence files"));
  size_t t_gaps = toc_add(&R, 1, ecr_xstrdup("7.2  Collection gaps"));

  cover(&R);
  HPDF_Destination cd = HPDF_Page_CreateDestination(c->pages[0]);
  outline_add(&R, NULL, "Cover", cd);
  reserve_toc(&R);
  summary(&R, t_sum);
  findings_table(&R, t_tab);
  details(&R, t_det, group_toc);
  repositories(&R, t_repo);
  ledger(&R, t_led);
  coverage(&R, t_cov);
  evidence(&R, t_evi, t_files, t_gaps, NULL);
  fill_toc(&R);
  table_links(&R);
  decorate(&R);
  doc_info(&R);
  if (c->hpdf_error) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "PDF: libharu error 0x%04X (detail %u)",
                       (unsigned)c->hpdf_error, (unsigned)c->hpdf_detail);
    goto done;
  }
  st = save(&R, sink, err);

done:
  if (c->doc) HPDF_Free(c->doc);
  for (int i = 0; i < PDF_F_COUNT; i++) {
    free(c->f[i].width);
    free(c->f[i].has);
    free(c->f[i].path);
  }
  for (size_t i = 0; i < R.n_toc; i++) free(R.toc[i].title);
  free(R.toc);
  free(c->pages);
  free(c->links);
  pdf_text_cleanup(&c->tmp);
  pdf_lines_cleanup(&c->lines);
  ecr_buf_cleanup(&c->utf8);
  free(R.detail_dest);
  free(R.row_rect);
  free(R.row_page);
  return st;
}
