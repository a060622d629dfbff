/* PDF renderer: drawing primitives, page flow and tables on libharu. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/pdf_internal.h"

pdf_rgb ecr_pdf_status_color(ecr_check_status s) {
  switch (s) {
  case ECR_CHECK_FAIL: return (pdf_rgb){0.71f, 0.14f, 0.09f};
  case ECR_CHECK_UNKNOWN: return (pdf_rgb){0.41f, 0.25f, 0.78f};
  case ECR_CHECK_EXCEPTED: return (pdf_rgb){0.09f, 0.36f, 0.83f};
  case ECR_CHECK_PASS: return (pdf_rgb){0.02f, 0.46f, 0.28f};
  }
  return PDF_MUTED;
}

pdf_rgb ecr_pdf_severity_color(ecr_severity s) {
  switch (s) {
  case ECR_SEV_CRITICAL: return (pdf_rgb){0.48f, 0.10f, 0.10f};
  case ECR_SEV_HIGH: return (pdf_rgb){0.77f, 0.20f, 0.04f};
  case ECR_SEV_MEDIUM: return (pdf_rgb){0.71f, 0.45f, 0.0f};
  case ECR_SEV_LOW: return (pdf_rgb){0.31f, 0.36f, 0.65f};
  case ECR_SEV_INFO: return (pdf_rgb){0.45f, 0.48f, 0.53f};
  }
  return PDF_MUTED;
}

pdf_rgb ecr_pdf_ledger_color(ecr_ledger_state s) {
  switch (s) {
  case ECR_LEDGER_ACTIVE: return (pdf_rgb){0.02f, 0.46f, 0.28f};
  case ECR_LEDGER_EXPIRED: return (pdf_rgb){0.71f, 0.14f, 0.09f};
  case ECR_LEDGER_UNUSED: return (pdf_rgb){0.45f, 0.48f, 0.53f};
  case ECR_LEDGER_INVALID: return (pdf_rgb){0.71f, 0.38f, 0.02f};
  }
  return PDF_MUTED;
}

pdf_style ecr_pdf_st(int font, double size, double leading, pdf_rgb c) {
  pdf_style s = {font, size, leading, c};
  return s;
}

double ecr_pdf_baseline(double top, const pdf_style *st) {
  return top - (st->leading + st->size * 0.72) / 2.0;
}

/* ---- primitives ------------------------------------------------------ */

static void to_utf8(ecr_buf *b, const uint32_t *cp, size_t n) {
  ecr_buf_reset(b);
  for (size_t i = 0; i < n; i++) {
    char u[4];
    ecr_buf_append(b, u, ecr_utf8_encode(cp[i], u));
  }
}

void ecr_pdf_draw_cps(pdf_ctx *ctx, const pdf_style *st, double x, double baseline,
                      const uint32_t *cp, size_t n) {
  if (!n || !ctx->page) return;
  to_utf8(&ctx->utf8, cp, n);
  HPDF_Page_BeginText(ctx->page);
  HPDF_Page_SetFontAndSize(ctx->page, ctx->f[st->font].font, (HPDF_REAL)st->size);
  HPDF_Page_SetRGBFill(ctx->page, st->color.r, st->color.g, st->color.b);
  HPDF_Page_TextOut(ctx->page, (HPDF_REAL)x, (HPDF_REAL)baseline, ctx->utf8.data);
  HPDF_Page_EndText(ctx->page);
}

double ecr_pdf_str_width(pdf_ctx *ctx, int font, double size, const char *s) {
  ctx->tmp.n = 0;
  ecr_pdf_text_map(ctx, font, s, &ctx->tmp);
  return ecr_pdf_text_width(ctx, font, size, ctx->tmp.cp, ctx->tmp.n);
}

double ecr_pdf_draw_line(pdf_ctx *ctx, const pdf_style *st, double x, double baseline,
                         const char *s, double max_width, int align) {
  pdf_text *t = &ctx->tmp;
  t->n = 0;
  ecr_pdf_text_map(ctx, st->font, s, t);
  for (size_t i = 0; i < t->n; i++)
    if (t->cp[i] == '\n') t->cp[i] = ' ';
  double w = ecr_pdf_text_width(ctx, st->font, st->size, t->cp, t->n);
  if (max_width > 0 && w > max_width) {
    uint32_t ell = 0x2026;
    double ew = ecr_pdf_text_width(ctx, st->font, st->size, &ell, 1);
    /* the longest prefix that fits with the ellipsis: one pass over the
     * characters (re-measuring after each removed one was quadratic) */
    size_t keep = 0;
    double kw = 0;
    while (keep < t->n) {
      double cw = ecr_pdf_text_width(ctx, st->font, st->size, &t->cp[keep], 1);
      if (kw + cw + ew > max_width) break;
      kw += cw;
      keep++;
    }
    t->n = keep;
    w = kw;
    ECR_PUSH(t->cp, t->n, t->cap, ell);
    w += ew;
  }
  double dx = align == 1 ? x - w : (align == 2 ? x - w / 2 : x);
  ecr_pdf_draw_cps(ctx, st, dx, baseline, t->cp, t->n);
  return w;
}

void ecr_pdf_fill_rect(pdf_ctx *ctx, double x, double y, double w, double h, pdf_rgb c) {
  if (!ctx->page || w <= 0 || h <= 0) return;
  HPDF_Page_SetRGBFill(ctx->page, c.r, c.g, c.b);
  HPDF_Page_Rectangle(ctx->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
  HPDF_Page_Fill(ctx->page);
}

void ecr_pdf_stroke_line(pdf_ctx *ctx, double x0, double y0, double x1, double y1, double w,
                         pdf_rgb c) {
  if (!ctx->page) return;
  HPDF_Page_SetLineWidth(ctx->page, (HPDF_REAL)w);
  HPDF_Page_SetRGBStroke(ctx->page, c.r, c.g, c.b);
  HPDF_Page_MoveTo(ctx->page, (HPDF_REAL)x0, (HPDF_REAL)y0);
  HPDF_Page_LineTo(ctx->page, (HPDF_REAL)x1, (HPDF_REAL)y1);
  HPDF_Page_Stroke(ctx->page);
}

double ecr_pdf_pill(pdf_ctx *ctx, double x, double top, double height, double size,
                    const char *text, pdf_rgb bg, pdf_rgb fg) {
  pdf_style st = ecr_pdf_st(PDF_F_BOLD, size, height, fg);
  double w = ecr_pdf_str_width(ctx, PDF_F_BOLD, size, text) + size * 1.1;
  ecr_pdf_fill_rect(ctx, x, top - height, w, height, bg);
  ecr_pdf_draw_line(ctx, &st, x + size * 0.55, ecr_pdf_baseline(top, &st), text, 0, 0);
  return w;
}

/* ---- pages and flow -------------------------------------------------- */

static void table_header(pdf_ctx *ctx, const pdf_table *t);

void ecr_pdf_new_page(pdf_ctx *ctx) {
  HPDF_Page p = HPDF_AddPage(ctx->doc);
  if (p) HPDF_Page_SetSize(p, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
  ECR_PUSH(ctx->pages, ctx->n_pages, ctx->cap_pages, p);
  ctx->page = p;
  ctx->y = ctx->top;
  if (ctx->table) table_header(ctx, ctx->table);
}

bool ecr_pdf_ensure(pdf_ctx *ctx, double h) {
  if (ctx->y - h >= ctx->bottom - 0.01) return false;
  ecr_pdf_new_page(ctx);
  return true;
}

void ecr_pdf_space(pdf_ctx *ctx, double h) {
  if (ctx->y == ctx->top) return;
  ctx->y -= h;
  if (ctx->y < ctx->bottom) ctx->y = ctx->bottom;
}

void ecr_pdf_para(pdf_ctx *ctx, const pdf_style *st, double x, double width, const char *text) {
  pdf_text t = {0};
  pdf_lines lines = {0};
  ecr_pdf_text_map(ctx, st->font, text, &t);
  ecr_pdf_text_wrap(ctx, st->font, st->size, &t, width, false, &lines);
  for (size_t i = 0; i < lines.n; i++) {
    ecr_pdf_ensure(ctx, st->leading);
    ecr_pdf_draw_cps(ctx, st, x, ecr_pdf_baseline(ctx->y, st), t.cp + lines.v[i].start,
                     lines.v[i].end - lines.v[i].start);
    ctx->y -= st->leading;
  }
  ecr_pdf_text_cleanup(&t);
  ecr_pdf_lines_cleanup(&lines);
}

void ecr_pdf_note(pdf_ctx *ctx, const pdf_style *st, const char *text) {
  const double pad = 8, bar = 3;
  double x = ctx->left + bar + pad, w = ctx->right - x - pad;
  pdf_text t = {0};
  pdf_lines lines = {0};
  ecr_pdf_text_map(ctx, st->font, text, &t);
  ecr_pdf_text_wrap(ctx, st->font, st->size, &t, w, false, &lines);
  double h = (double)lines.n * st->leading + 2 * pad;
  if (h <= ctx->top - ctx->bottom) ecr_pdf_ensure(ctx, h);
  for (size_t i = 0; i < lines.n; i++) {
    bool first = i == 0, last = i + 1 == lines.n;
    double top_pad = first ? pad : 0, bot_pad = last ? pad : 0;
    ecr_pdf_ensure(ctx, st->leading + top_pad + bot_pad);
    double y0 = ctx->y - top_pad - st->leading - bot_pad;
    ecr_pdf_fill_rect(ctx, ctx->left, y0, ctx->right - ctx->left, ctx->y - y0, PDF_HEAD_BG);
    ecr_pdf_fill_rect(ctx, ctx->left, y0, bar, ctx->y - y0, PDF_ACCENT);
    ctx->y -= top_pad;
    ecr_pdf_draw_cps(ctx, st, x, ecr_pdf_baseline(ctx->y, st), t.cp + lines.v[i].start,
                     lines.v[i].end - lines.v[i].start);
    ctx->y -= st->leading + bot_pad;
  }
  ecr_pdf_text_cleanup(&t);
  ecr_pdf_lines_cleanup(&lines);
}

void ecr_pdf_bullet(pdf_ctx *ctx, const pdf_style *st, double x, double width, const char *text) {
  ecr_pdf_ensure(ctx, st->leading);
  ecr_pdf_draw_line(ctx, st, x + 2, ecr_pdf_baseline(ctx->y, st), "\xe2\x80\xa2", 0, 0);
  ecr_pdf_para(ctx, st, x + 12, width - 12, text);
}

void ecr_pdf_code_block(pdf_ctx *ctx, const pdf_style *st, double x, double width,
                        const char *text) {
  const double pad = 5;
  const uint32_t sp = ' ';
  double hang = 2 * ecr_pdf_text_width(ctx, st->font, st->size, &sp, 1);
  pdf_text t = {0};
  pdf_lines lines = {0};
  ecr_pdf_text_map(ctx, st->font, text, &t);
  ecr_pdf_text_wrap(ctx, st->font, st->size, &t, width - 2 * pad - hang, true, &lines);
  ecr_pdf_ensure(ctx, st->leading + pad);
  ecr_pdf_fill_rect(ctx, x, ctx->y - pad, width, pad, PDF_CODE_BG);
  ctx->y -= pad;
  for (size_t i = 0; i < lines.n; i++) {
    if (ecr_pdf_ensure(ctx, st->leading)) {
      ecr_pdf_fill_rect(ctx, x, ctx->y - 2, width, 2, PDF_CODE_BG);
      ctx->y -= 2;
    }
    size_t start = lines.v[i].start;
    /* a line continued from the one before is indented a little */
    bool cont = start > 0 && t.cp[start - 1] != '\n';
    ecr_pdf_fill_rect(ctx, x, ctx->y - st->leading, width, st->leading, PDF_CODE_BG);
    ecr_pdf_draw_cps(ctx, st, x + pad + (cont ? hang : 0), ecr_pdf_baseline(ctx->y, st),
                     t.cp + start, lines.v[i].end - start);
    ctx->y -= st->leading;
  }
  double tail = ctx->y - pad >= ctx->bottom ? pad : ctx->y - ctx->bottom;
  ecr_pdf_fill_rect(ctx, x, ctx->y - tail, width, tail, PDF_CODE_BG);
  ctx->y -= tail;
  ecr_pdf_text_cleanup(&t);
  ecr_pdf_lines_cleanup(&lines);
}

void ecr_pdf_kv(pdf_ctx *ctx, const char *label, const char *value, int value_font,
                double label_w) {
  pdf_style ls = ecr_pdf_st(PDF_F_BOLD, PDF_SMALL_SIZE, PDF_BODY_LEAD, PDF_MUTED);
  pdf_style vs =
      ecr_pdf_st(value_font, value_font == PDF_F_MONO ? 8.5 : 9.0, PDF_BODY_LEAD, PDF_TEXT);
  pdf_text t = {0};
  pdf_lines lines = {0};
  ecr_pdf_text_map(ctx, value_font, value && *value ? value : "\xe2\x80\x94", &t);
  double x = ctx->left + label_w, w = ctx->right - x;
  ecr_pdf_text_wrap(ctx, value_font, vs.size, &t, w, false, &lines);
  for (size_t i = 0; i < lines.n; i++) {
    ecr_pdf_ensure(ctx, vs.leading);
    if (i == 0)
      ecr_pdf_draw_line(ctx, &ls, ctx->left, ecr_pdf_baseline(ctx->y, &ls), label, label_w - 6, 0);
    ecr_pdf_draw_cps(ctx, &vs, x, ecr_pdf_baseline(ctx->y, &vs), t.cp + lines.v[i].start,
                     lines.v[i].end - lines.v[i].start);
    ctx->y -= vs.leading;
  }
  ecr_pdf_text_cleanup(&t);
  ecr_pdf_lines_cleanup(&lines);
}

/* ---- tables ----------------------------------------------------------- */

static const pdf_style head_style = {PDF_F_BOLD, 8.0, 11.0, {0.11f, 0.14f, 0.19f}};

static double header_height(void) {
  return head_style.leading + 2 * PDF_CELL_PAD;
}

static void table_header(pdf_ctx *ctx, const pdf_table *t) {
  double h = header_height();
  double total = 0;
  for (size_t c = 0; c < t->n_cols; c++) total += t->cols[c].width;
  ecr_pdf_fill_rect(ctx, t->x, ctx->y - h, total, h, PDF_HEAD_BG);
  double x = t->x;
  for (size_t c = 0; c < t->n_cols; c++) {
    double cw = t->cols[c].width;
    double bl = ecr_pdf_baseline(ctx->y - PDF_CELL_PAD, &head_style);
    if (t->cols[c].align == 1)
      ecr_pdf_draw_line(ctx, &head_style, x + cw - PDF_CELL_PAD, bl, t->cols[c].title,
                        cw - 2 * PDF_CELL_PAD, 1);
    else
      ecr_pdf_draw_line(ctx, &head_style, x + PDF_CELL_PAD, bl, t->cols[c].title,
                        cw - 2 * PDF_CELL_PAD, 0);
    x += cw;
  }
  ctx->y -= h;
  ecr_pdf_stroke_line(ctx, t->x, ctx->y, t->x + total, ctx->y, 0.8, PDF_ACCENT);
}

void ecr_pdf_table_begin(pdf_ctx *ctx, const pdf_table *t) {
  ctx->table = NULL;
  ecr_pdf_ensure(ctx, header_height() + 2 * PDF_BODY_LEAD);
  ctx->table = t;
  table_header(ctx, t);
}

void ecr_pdf_table_end(pdf_ctx *ctx) {
  ctx->table = NULL;
  ecr_pdf_space(ctx, 8);
}

typedef struct cell_line {
  size_t run;
  size_t start, end;
  double width;
  double off; /* distance from the cell's top to the line box's top */
} cell_line;

typedef struct cell_layout {
  pdf_text text[PDF_MAX_RUNS];
  cell_line *lines;
  size_t n_lines, cap_lines;
  double height;
  size_t next; /* first line not yet drawn */
} cell_layout;

void ecr_pdf_table_row(pdf_ctx *ctx, const pdf_table *t, const pdf_cell *cells, size_t row_no,
                       HPDF_Rect *out_rect, size_t *out_page) {
  cell_layout lay[PDF_MAX_COLS];
  memset(lay, 0, sizeof(lay));
  double total = 0, row_h = 0;
  size_t nc = t->n_cols < PDF_MAX_COLS ? t->n_cols : PDF_MAX_COLS;
  for (size_t c = 0; c < nc; c++) {
    const pdf_cell *cell = &cells[c];
    double inner = t->cols[c].width - 2 * PDF_CELL_PAD;
    double off = 0;
    total += t->cols[c].width;
    for (size_t k = 0; k < cell->n_runs && k < PDF_MAX_RUNS; k++) {
      const pdf_run *run = &cell->run[k];
      ecr_pdf_text_map(ctx, run->st.font, run->text, &lay[c].text[k]);
      if (k == 0 && cell->pill) {
        cell_line cl = {k, 0, lay[c].text[k].n, 0, off};
        ECR_PUSH(lay[c].lines, lay[c].n_lines, lay[c].cap_lines, cl);
        off += run->st.leading;
        continue;
      }
      ecr_pdf_text_wrap(ctx, run->st.font, run->st.size, &lay[c].text[k], inner, false,
                        &ctx->lines);
      for (size_t i = 0; i < ctx->lines.n; i++) {
        cell_line cl = {k, ctx->lines.v[i].start, ctx->lines.v[i].end, ctx->lines.v[i].width, off};
        ECR_PUSH(lay[c].lines, lay[c].n_lines, lay[c].cap_lines, cl);
        off += run->st.leading;
      }
    }
    lay[c].height = off;
    if (off > row_h) row_h = off;
  }

  /* Move a row that fits on a fresh page to the next page instead of
   * splitting it. */
  double page_room = ctx->top - ctx->bottom - header_height();
  if (ctx->y - (row_h + 2 * PDF_CELL_PAD) < ctx->bottom && row_h + 2 * PDF_CELL_PAD <= page_room)
    ecr_pdf_new_page(ctx);

  bool first = true;
  for (;;) {
    double avail = ctx->y - ctx->bottom - 2 * PDF_CELL_PAD;
    /* what fits of each cell in this chunk */
    size_t upto[PDF_MAX_COLS];
    double chunk_h = 0;
    bool any_left = false, any_fits = false;
    for (size_t c = 0; c < nc; c++) {
      size_t i = lay[c].next;
      double base = i < lay[c].n_lines ? lay[c].lines[i].off : 0;
      while (i < lay[c].n_lines) {
        const cell_line *cl = &lay[c].lines[i];
        double lead = cells[c].run[cl->run].st.leading;
        if (cl->off - base + lead > avail + 0.01) break;
        if (cl->off - base + lead > chunk_h) chunk_h = cl->off - base + lead;
        i++;
      }
      upto[c] = i;
      if (i > lay[c].next) any_fits = true;
      if (lay[c].next < lay[c].n_lines) any_left = true;
    }
    if (!any_left && !first) break;
    if (any_left && !any_fits) {
      ecr_pdf_new_page(ctx);
      continue;
    }
    double top = ctx->y, h = chunk_h + 2 * PDF_CELL_PAD;
    if (row_no % 2 == 1) ecr_pdf_fill_rect(ctx, t->x, top - h, total, h, PDF_ZEBRA);
    double x = t->x;
    for (size_t c = 0; c < nc; c++) {
      double cw = t->cols[c].width;
      double base = lay[c].next < lay[c].n_lines ? lay[c].lines[lay[c].next].off : 0;
      for (size_t i = lay[c].next; i < upto[c]; i++) {
        const cell_line *cl = &lay[c].lines[i];
        const pdf_style *st = &cells[c].run[cl->run].st;
        double ltop = top - PDF_CELL_PAD - (cl->off - base);
        const uint32_t *base_cp = lay[c].text[cl->run].cp;
        const uint32_t *cp = base_cp ? base_cp + cl->start : base_cp; /* empty run: NULL */
        size_t n = cl->end - cl->start;
        if (cl->run == 0 && cells[c].pill) {
          to_utf8(&ctx->utf8, cp, n);
          char *label = ecr_xstrdup(ctx->utf8.data);
          ecr_pdf_pill(ctx, x + PDF_CELL_PAD, ltop - 0.5, st->leading - 1, st->size, label,
                       cells[c].pill_bg, st->color);
          free(label);
          continue;
        }
        double lx = t->cols[c].align == 1 ? x + cw - PDF_CELL_PAD - cl->width : x + PDF_CELL_PAD;
        ecr_pdf_draw_cps(ctx, st, lx, ecr_pdf_baseline(ltop, st), cp, n);
      }
      lay[c].next = upto[c];
      x += cw;
    }
    if (first) {
      if (out_rect) {
        out_rect->left = (HPDF_REAL)t->x;
        out_rect->right = (HPDF_REAL)(t->x + total);
        out_rect->top = (HPDF_REAL)top;
        out_rect->bottom = (HPDF_REAL)(top - h);
      }
      if (out_page) *out_page = ctx->n_pages ? ctx->n_pages - 1 : 0;
    }
    first = false;
    ctx->y = top - h;
    ecr_pdf_stroke_line(ctx, t->x, ctx->y, t->x + total, ctx->y, 0.4, PDF_RULE);
    bool left = false;
    for (size_t c = 0; c < nc; c++)
      if (lay[c].next < lay[c].n_lines) left = true;
    if (!left) break;
    ecr_pdf_new_page(ctx);
  }
  for (size_t c = 0; c < nc; c++) {
    for (size_t k = 0; k < PDF_MAX_RUNS; k++) ecr_pdf_text_cleanup(&lay[c].text[k]);
    free(lay[c].lines);
  }
}
