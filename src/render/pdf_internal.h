/* ecraudit — PDF renderer internals (libharu): fonts, text mapping, line
 * breaking and a small page-layout engine shared by src/render/pdf*.c.
 *
 * Coordinates are PDF points with the origin at the bottom-left corner of
 * the page. ctx->y is the top of the next line box; content is laid out
 * downwards from ctx->top to ctx->bottom, and a new page starts when the
 * next box does not fit.
 */
#ifndef ECR_RENDER_PDF_INTERNAL_H
#define ECR_RENDER_PDF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hpdf.h>

#include "ecraudit/render.h"
#include "util/util.h"

/* ---- fonts ---------------------------------------------------------- */
enum { PDF_F_REG = 0, PDF_F_BOLD, PDF_F_MONO, PDF_F_COUNT };

typedef struct pdf_font {
  HPDF_Font font;
  HPDF_FontDef def; /* for glyph look-ups (which characters the font has) */
  int16_t *width;   /* BMP advance widths in 1/1000 em, -1 = not looked up */
  uint8_t *has;     /* 0 = not looked up, 1 = glyph present, 2 = missing */
  char *path;
} pdf_font;

/* Where to look for the fonts: opts overrides, else $ECRAUDIT_FONT_DIR, else
 * the usual system directories. Fills paths[PDF_F_COUNT] (caller frees each);
 * a missing bold face falls back to the regular one. ECR_E_INPUT naming the
 * missing font file when the regular or monospace face cannot be found. */
ecr_status ecr_pdf_fonts_find(const ecr_render_opts *opts, char *paths[PDF_F_COUNT],
                              ecr_error *err);

/* ---- colours and styles --------------------------------------------- */
typedef struct pdf_rgb {
  float r, g, b;
} pdf_rgb;

typedef struct pdf_style {
  int font;       /* PDF_F_* */
  double size;    /* font size, points */
  double leading; /* line height, points */
  pdf_rgb color;
} pdf_style;

/* ---- mapped text ------------------------------------------------------ */
/* Text after mapping for one font: code points the font can draw, with '\n'
 * kept as a hard line break. Control characters, invisible/format
 * characters, characters outside the BMP and characters the font lacks
 * become the visible ASCII notation "[U+XXXX]"; ill-formed UTF-8 becomes
 * U+FFFD, one per maximal subpart (util/utf8.c, the rule of every format),
 * shown like any other character. Tabs become spaces. */
typedef struct pdf_text {
  uint32_t *cp;
  size_t n, cap;
} pdf_text;

typedef struct pdf_line {
  size_t start, end; /* [start, end) in the pdf_text */
  double width;      /* points */
} pdf_line;

typedef struct pdf_lines {
  pdf_line *v;
  size_t n, cap;
} pdf_lines;

/* ---- layout context --------------------------------------------------- */
typedef struct pdf_ctx {
  const ecr_report *r;
  HPDF_Doc doc;
  HPDF_Encoder enc;
  pdf_font f[PDF_F_COUNT];

  HPDF_Page *pages;
  size_t n_pages, cap_pages;
  HPDF_Page page; /* current page */
  double y;       /* top of the next line box on the current page */

  double pw, ph;                   /* page size */
  double left, right, top, bottom; /* content box */

  HPDF_STATUS hpdf_error; /* first libharu error, 0 when none */
  HPDF_STATUS hpdf_detail;

  pdf_text tmp; /* scratch for mapping */
  pdf_lines lines;
  ecr_buf utf8; /* scratch for drawing */

  /* repeated table header, redrawn after a page break inside a table */
  const struct pdf_table *table;
} pdf_ctx;

/* A document (pdf.c): libharu, A4 geometry, the fonts (opts may be NULL:
 * $ECRAUDIT_FONT_DIR or the system's); ECR_E_INPUT naming a missing font.
 * ecr_pdf_close frees it (also after a failed open). */
ecr_status ecr_pdf_open(pdf_ctx *c, const ecr_render_opts *opts, ecr_error *err);
void ecr_pdf_close(pdf_ctx *c);
/* Headers, footers and "Page X of Y" on every page, once all exist. */
void ecr_pdf_furniture(pdf_ctx *c, const char *head_left, const char *head_right,
                       const char *foot_left);
/* Document information; dates from generated_at (ISO 8601 UTC). */
void ecr_pdf_info(pdf_ctx *c, const char *title, const char *subject, const char *creator,
                  const char *keywords, const char *generated_at);
/* The finished document to sink (ECR_E_INTERNAL after a libharu error). */
ecr_status ecr_pdf_save(pdf_ctx *c, ecr_sink *sink, ecr_error *err);

/* Text mapping and measuring (pdf_text.c). */
void ecr_pdf_text_cleanup(pdf_text *t);
void ecr_pdf_lines_cleanup(pdf_lines *l);
/* Map UTF-8 s (NULL -> "") for font; appends to out. */
void ecr_pdf_text_map(pdf_ctx *ctx, int font, const char *s, pdf_text *out);
/* UTF-8 for places the viewer draws with its own fonts (bookmarks, document
 * info): controls and invisible characters as [U+XXXX], at most max_chars
 * characters (then an ellipsis). Caller frees. */
char *ecr_pdf_text_plain(const char *s, size_t max_chars);
double ecr_pdf_text_width(pdf_ctx *ctx, int font, double size, const uint32_t *cp, size_t n);
/* Break t into lines no wider than width; a word wider than the line is
 * broken after '/', ':', ',', ';', '-', '.', '=', '&', '?' or, failing that,
 * at any character. keep_spaces: leading spaces of a line are kept
 * (monospace blocks); else spaces at breaks are dropped. */
void ecr_pdf_text_wrap(pdf_ctx *ctx, int font, double size, const pdf_text *t, double width,
                       bool keep_spaces, pdf_lines *out);

/* Drawing primitives (pdf_layout.c). */
void ecr_pdf_draw_cps(pdf_ctx *ctx, const pdf_style *st, double x, double baseline,
                      const uint32_t *cp, size_t n);
/* Draw UTF-8 text on one line, shortened with an ellipsis to max_width
 * (max_width <= 0: no limit); align 0 left, 1 right, 2 centre at x. Returns
 * the drawn width. */
double ecr_pdf_draw_line(pdf_ctx *ctx, const pdf_style *st, double x, double baseline,
                         const char *s, double max_width, int align);
double ecr_pdf_str_width(pdf_ctx *ctx, int font, double size, const char *s);
void ecr_pdf_fill_rect(pdf_ctx *ctx, double x, double y, double w, double h, pdf_rgb c);
void ecr_pdf_stroke_line(pdf_ctx *ctx, double x0, double y0, double x1, double y1, double w,
                         pdf_rgb c);
/* A filled label ("FAIL") with its top at top; returns its width. */
double ecr_pdf_pill(pdf_ctx *ctx, double x, double top, double height, double size,
                    const char *text, pdf_rgb bg, pdf_rgb fg);
/* Baseline for a line box whose top is at top. */
double ecr_pdf_baseline(double top, const pdf_style *st);

/* Pages and flow. */
void ecr_pdf_new_page(pdf_ctx *ctx);
/* Start a new page unless h points fit below ctx->y. true when it broke. */
bool ecr_pdf_ensure(pdf_ctx *ctx, double h);
/* Wrapped paragraph at x with width, flowing over pages. */
void ecr_pdf_para(pdf_ctx *ctx, const pdf_style *st, double x, double width, const char *text);
/* Same with a background box (monospace code): lines keep indentation. */
void ecr_pdf_code_block(pdf_ctx *ctx, const pdf_style *st, double x, double width,
                        const char *text);
/* "label   value" row: label in a column of label_w, value wrapped. */
void ecr_pdf_kv(pdf_ctx *ctx, const char *label, const char *value, int value_font, double label_w);
/* A highlighted note: tinted box with an accent bar. */
void ecr_pdf_note(pdf_ctx *ctx, const pdf_style *st, const char *text);
/* Bullet list item. */
void ecr_pdf_bullet(pdf_ctx *ctx, const pdf_style *st, double x, double width, const char *text);
/* Vertical space (never carried over to a new page). */
void ecr_pdf_space(pdf_ctx *ctx, double h);

/* Tables with wrapped cells and a header repeated after page breaks. */
#define PDF_MAX_COLS 8
#define PDF_MAX_RUNS 4
typedef struct pdf_col {
  const char *title;
  double width;
  int align; /* 0 left, 1 right */
} pdf_col;

typedef struct pdf_run {
  const char *text;
  pdf_style st;
} pdf_run;

typedef struct pdf_cell {
  pdf_run run[PDF_MAX_RUNS]; /* each run starts on a new line */
  size_t n_runs;
  bool pill; /* draw run[0] as a filled label */
  pdf_rgb pill_bg;
} pdf_cell;

typedef struct pdf_table {
  const pdf_col *cols;
  size_t n_cols;
  double x;
} pdf_table;

void ecr_pdf_table_begin(pdf_ctx *ctx, const pdf_table *t);
/* Draw one row; out_rect (may be NULL) receives the first column's
 * rectangle on the page where the row starts, *out_page its page index. */
void ecr_pdf_table_row(pdf_ctx *ctx, const pdf_table *t, const pdf_cell *cells, size_t row_no,
                       HPDF_Rect *out_rect, size_t *out_page);
void ecr_pdf_table_end(pdf_ctx *ctx);

/* Shared styles and colours (pdf_layout.c). */
#define PDF_TEXT ((pdf_rgb){0.11f, 0.14f, 0.19f})
#define PDF_MUTED ((pdf_rgb){0.40f, 0.44f, 0.50f})
#define PDF_RULE ((pdf_rgb){0.80f, 0.83f, 0.87f})
#define PDF_WHITE ((pdf_rgb){1.0f, 1.0f, 1.0f})
#define PDF_ZEBRA ((pdf_rgb){0.965f, 0.971f, 0.98f})
#define PDF_HEAD_BG ((pdf_rgb){0.90f, 0.925f, 0.95f})
#define PDF_CODE_BG ((pdf_rgb){0.953f, 0.957f, 0.965f})
#define PDF_ACCENT ((pdf_rgb){0.12f, 0.23f, 0.37f})
pdf_rgb ecr_pdf_status_color(ecr_check_status s);
pdf_rgb ecr_pdf_severity_color(ecr_severity s);
pdf_rgb ecr_pdf_ledger_color(ecr_ledger_state s);
pdf_style ecr_pdf_st(int font, double size, double leading, pdf_rgb c);

#define PDF_BODY_SIZE 9.5
#define PDF_BODY_LEAD 13.0
#define PDF_SMALL_SIZE 8.0
#define PDF_SMALL_LEAD 10.5
#define PDF_CELL_PAD 3.0

/* ---- the document being rendered (pdf.c, pdf_sections.c) -------------- */
typedef struct pdf_toc_entry {
  int level; /* 0 section, 1 sub-section */
  char *title;
  size_t page; /* page index, valid when set */
  double y;
  bool set;
} pdf_toc_entry;

/* Large accounts (issue 9): what is summarized rather than listed.
 * - Passing findings (Read/List by the account's own principals, listed for
 *   the record) get table rows, detail blocks and bookmarks while there are
 *   at most PDF_PASS_ROW_LIMIT of them; beyond that they are summarized in
 *   a count table (findings.json and report.html keep every one).
 * - A finding's repositories: at most PDF_LIST_LIMIT are listed, then
 *   "... and N more"; a grant on every repository says so instead of
 *   listing them.
 * - Repository access: with more than PDF_REPO_FACTOR_MIN repositories,
 *   principals with an access on every repository are listed once; each
 *   repository lists the others, at most PDF_LIST_LIMIT per access. */
#define PDF_PASS_ROW_LIMIT 1000
#define PDF_LIST_LIMIT 20
#define PDF_REPO_FACTOR_MIN 25
/* libharu's arrays hold at most 8191 entries: the page tree is built with
 * at most this many pages per intermediate /Pages node. */
#define PDF_PAGES_PER_NODE 256

typedef struct pdf_report {
  pdf_ctx c;
  const ecr_report *r;
  size_t detail_limit;  /* detail blocks per status group */
  bool pass_summarized; /* passing findings as a count table only */
  pdf_toc_entry *toc;
  size_t n_toc, cap_toc;
  size_t toc_first_page, toc_pages;
  HPDF_Outline root;             /* NULL: top-level outlines */
  HPDF_Destination *detail_dest; /* per finding, NULL when summarized */
  HPDF_Rect *row_rect;           /* per finding: its row in the findings table */
  size_t *row_page;
  char findings_sha256[65]; /* of the findings.json of this report (sign-off) */
} pdf_report;

/* Shared helpers (pdf_sections.c). */
/* templates/pdf/<name>.txt expanded with kv (may be NULL), without its
 * trailing newline; caller frees. */
char *ecr_pdf_template(const char *name, const char *const *kv);
const char *ecr_pdf_nz(const char *s, const char *dflt); /* s unless NULL or "" */
char *ecr_pdf_join(char *const *v, size_t n, const char *sep);
/* Add a contents entry (takes ownership of title); returns its index. */
size_t ecr_pdf_toc_add(pdf_report *R, int level, char *title);
/* A destination at the current position. */
HPDF_Destination ecr_pdf_dest_here(pdf_report *R);
HPDF_Outline ecr_pdf_outline_add(pdf_report *R, HPDF_Outline parent, const char *title,
                                 HPDF_Destination d);

/* Sections (pdf_sections.c), in document order. */
void ecr_pdf_cover(pdf_report *R);
void ecr_pdf_summary(pdf_report *R, size_t toc_idx);
void ecr_pdf_findings_table(pdf_report *R, size_t toc_idx);
/* group_toc: the contents entry of each status group, by ecr_check_status. */
void ecr_pdf_details(pdf_report *R, size_t toc_idx, const size_t *group_toc);
void ecr_pdf_repositories(pdf_report *R, size_t toc_idx);
void ecr_pdf_ledger(pdf_report *R, size_t toc_idx);
void ecr_pdf_coverage(pdf_report *R, size_t toc_idx);
void ecr_pdf_evidence(pdf_report *R, size_t toc_idx, size_t files_toc, size_t gaps_toc);
/* Evidence pack (issue 15): cover notes, scope and methodology, changes
 * since the baseline, population appendix, sign-off. */
void ecr_pdf_cover_pack(pdf_report *R);
void ecr_pdf_scope(pdf_report *R, size_t toc_idx);
void ecr_pdf_drift(pdf_report *R, size_t toc_idx);
void ecr_pdf_population(pdf_report *R, size_t toc_idx);
void ecr_pdf_signoff(pdf_report *R, size_t toc_idx);
const char *ecr_pdf_status_group_title(ecr_check_status s);
/* A section heading (TOC entry and bookmark), kept with `keep` points. */
HPDF_Outline ecr_pdf_heading(pdf_report *R, size_t toc_idx, bool new_page, double keep);
/* Who can write: the pictures (pdf_picture.c). */
void ecr_pdf_pictures(pdf_report *R, size_t toc_idx, const ecr_pictures *pics);

#endif
