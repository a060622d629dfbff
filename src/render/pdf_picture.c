/* The report's pictures in the PDF (picture.h): the layout of picture.c,
 * drawn as vectors with libharu -- rectangles, Bezier curves, lines and
 * text in the report's embedded fonts (so pdftotext finds every label) --
 * scaled to the text width, then each picture's text equivalent. */
#include <stdlib.h>
#include <string.h>

#include "render/pdf_internal.h"
#include "render/picture.h"

typedef struct pmap {
  pdf_ctx *c;
  double x0, y0, s; /* page position of the picture's (0,0), and its scale */
} pmap;

static double X(const pmap *m, double x) {
  return m->x0 + m->s * x;
}
static double Y(const pmap *m, double y) {
  return m->y0 - m->s * y;
}

static pdf_rgb rgb_of(ecr_pic_ink ink) {
  ecr_pic_rgb c = ecr_pic_ink_rgb(ink);
  return (pdf_rgb){c.r, c.g, c.b};
}

static void rect(const pmap *m, double x, double y, double w, double h, pdf_rgb fill,
                 const pdf_rgb *stroke, bool dashed) {
  HPDF_Page pg = m->c->page;
  if (!pg) return;
  static const HPDF_UINT16 dash[] = {3, 2};
  HPDF_Page_SetRGBFill(pg, fill.r, fill.g, fill.b);
  if (stroke) {
    HPDF_Page_SetLineWidth(pg, (HPDF_REAL)(0.8 * m->s));
    HPDF_Page_SetRGBStroke(pg, stroke->r, stroke->g, stroke->b);
    if (dashed) HPDF_Page_SetDash(pg, dash, 2, 0);
  }
  HPDF_Page_Rectangle(pg, (HPDF_REAL)X(m, x), (HPDF_REAL)Y(m, y + h), (HPDF_REAL)(w * m->s),
                      (HPDF_REAL)(h * m->s));
  if (!stroke) {
    HPDF_Page_Fill(pg);
    return;
  }
  HPDF_Page_FillStroke(pg);
  if (dashed) HPDF_Page_SetDash(pg, NULL, 0, 0);
}

static void text(const pmap *m, double x, double baseline, double size, int font, pdf_rgb color,
                 const char *s, double max_w, int align) {
  pdf_style st = ecr_pdf_st(font, size * m->s, size * m->s * 1.2, color);
  ecr_pdf_draw_line(m->c, &st, X(m, x), Y(m, baseline), s, max_w > 0 ? max_w * m->s : 0, align);
}

static void legend(const pmap *m, const ecr_picture *p) {
  static const ecr_pic_ink inks[5] = {ECR_INK_ALLOW, ECR_INK_CONDITIONAL, ECR_INK_UNUSED,
                                      ECR_INK_MIXED, ECR_INK_NONE};
  HPDF_Page pg = m->c->page;
  for (int k = 0; k < (p->kind == ECR_PIC_HEATMAP ? 5 : 4); k++) {
    ecr_pic_ink ink = inks[k];
    double x, y;
    ecr_pic_legend_pos(p, k, &x, &y);
    pdf_rgb col = rgb_of(ink);
    if (p->kind == ECR_PIC_GRAPH) {
      static const HPDF_UINT16 dash[] = {5, 3};
      if (ink == ECR_INK_CONDITIONAL) HPDF_Page_SetDash(pg, dash, 2, 0);
      ecr_pdf_stroke_line(m->c, X(m, x), Y(m, y), X(m, x + 22), Y(m, y), 2 * m->s, col);
      if (ink == ECR_INK_CONDITIONAL) HPDF_Page_SetDash(pg, NULL, 0, 0);
    } else {
      rect(m, x, y - 5, 10, 10, col, &PDF_WHITE, false);
    }
    text(m, x + 27, y + 3.5, 9, PDF_F_REG, PDF_MUTED, ecr_pic_ink_name(ink), 90, 0);
  }
}

static void draw_graph(const pmap *m, const ecr_picture *p) {
  HPDF_Page pg = m->c->page;
  legend(m, p);
  for (size_t k = 0; k < p->n_edges; k++) {
    const ecr_pic_edge *e = &p->edges[k];
    pdf_rgb col = rgb_of(e->ink);
    double dx = (e->x2 - e->x1) / 2;
    if (dx < 30) dx = 30;
    double c1 = e->x1 + dx, c2 = e->x2 - dx;
    if (e->x2 <= e->x1) {
      c1 = e->x1 - 40;
      c2 = e->x2 - 40;
    }
    static const HPDF_UINT16 dash[] = {5, 3};
    HPDF_Page_SetLineWidth(pg, (HPDF_REAL)((e->assume ? 1.5 : 2) * m->s));
    HPDF_Page_SetRGBStroke(pg, col.r, col.g, col.b);
    if (e->ink == ECR_INK_CONDITIONAL) HPDF_Page_SetDash(pg, dash, 2, 0);
    HPDF_Page_MoveTo(pg, (HPDF_REAL)X(m, e->x1), (HPDF_REAL)Y(m, e->y1));
    HPDF_Page_CurveTo(pg, (HPDF_REAL)X(m, c1), (HPDF_REAL)Y(m, e->y1), (HPDF_REAL)X(m, c2),
                      (HPDF_REAL)Y(m, e->y2), (HPDF_REAL)X(m, e->x2 - 4), (HPDF_REAL)Y(m, e->y2));
    HPDF_Page_Stroke(pg);
    if (e->ink == ECR_INK_CONDITIONAL) HPDF_Page_SetDash(pg, NULL, 0, 0);
    /* the arrow head, pointing right into the target */
    HPDF_Page_SetRGBFill(pg, col.r, col.g, col.b);
    HPDF_Page_MoveTo(pg, (HPDF_REAL)X(m, e->x2), (HPDF_REAL)Y(m, e->y2));
    HPDF_Page_LineTo(pg, (HPDF_REAL)X(m, e->x2 - 7), (HPDF_REAL)Y(m, e->y2 - 3.5));
    HPDF_Page_LineTo(pg, (HPDF_REAL)X(m, e->x2 - 7), (HPDF_REAL)Y(m, e->y2 + 3.5));
    HPDF_Page_ClosePath(pg);
    HPDF_Page_Fill(pg);
  }
  for (size_t k = 0; k < p->n_edges; k++) {
    const ecr_pic_edge *e = &p->edges[k];
    double w = strlen(e->label) * 4.6 + 6;
    rect(m, e->lx - w / 2, e->ly - 6, w, 11, PDF_WHITE, NULL, false);
    text(m, e->lx, e->ly + 3, 8, PDF_F_REG, rgb_of(e->ink), e->label, 0, 2);
  }
  for (size_t i = 0; i < p->n_nodes; i++) {
    const ecr_pic_node *n = &p->nodes[i];
    pdf_rgb fill = n->kind == ECR_NODE_REPO   ? (pdf_rgb){0.122f, 0.227f, 0.373f}
                   : n->kind == ECR_NODE_ROLE ? (pdf_rgb){0.91f, 0.933f, 0.965f}
                   : n->kind == ECR_NODE_MORE ? (pdf_rgb){0.953f, 0.957f, 0.965f}
                                              : PDF_WHITE;
    pdf_rgb stroke = n->kind == ECR_NODE_REPO ? fill
                     : n->unused              ? rgb_of(ECR_INK_UNUSED)
                                              : (pdf_rgb){0.604f, 0.647f, 0.706f};
    rect(m, n->x, n->y, n->w, n->h, fill, &stroke,
         n->kind == ECR_NODE_GROUP || n->kind == ECR_NODE_MORE);
    bool dark = n->kind == ECR_NODE_REPO;
    text(m, n->x + 6, n->y + 12.5, 10, PDF_F_BOLD,
         dark        ? PDF_WHITE
         : n->unused ? rgb_of(ECR_INK_UNUSED)
                     : PDF_TEXT,
         n->label, n->w - 10, 0);
    text(m, n->x + 6, n->y + 24.5, 8, PDF_F_REG,
         dark ? (pdf_rgb){0.835f, 0.871f, 0.918f} : PDF_MUTED, n->caption, n->w - 10, 0);
  }
}

static void draw_heatmap(const pmap *m, const ecr_picture *p) {
  for (size_t k = 0; k < p->n_cols; k++) {
    double x, y;
    ecr_heat_cell_pos(p, 0, k, &x, &y);
    const char *id = p->cols[k].label[0] == 'R' ? p->cols[k].label + 1 : p->cols[k].label;
    text(m, x + ECR_HEAT_CELL / 2, y - 6, 7, PDF_F_REG, PDF_TEXT, id, 0, 2);
  }
  for (size_t i = 0; i < p->n_rows; i++) {
    double x, y;
    ecr_heat_cell_pos(p, i, 0, &x, &y);
    text(m, ECR_PIC_MARGIN, y + 10.5, 9, p->rows[i].more ? PDF_F_REG : PDF_F_BOLD, PDF_TEXT,
         p->rows[i].label, 114, 0);
    text(m, ECR_PIC_MARGIN + 118, y + 10.5, 8, PDF_F_REG, PDF_MUTED, p->rows[i].example, 108, 0);
    for (size_t k = 0; k < p->n_cols; k++) {
      ecr_heat_cell_pos(p, i, k, &x, &y);
      rect(m, x, y, ECR_HEAT_CELL, ECR_HEAT_CELL, rgb_of(p->cells[i * p->n_cols + k]), &PDF_WHITE,
           false);
    }
  }
  for (size_t k = 0; k < p->n_cols; k++) {
    double x, y;
    ecr_heat_legend_line(p, k, &x, &y);
    char cnt[32];
    snprintf(cnt, sizeof(cnt), "%zu", p->cols[k].count);
    const char *kv[] = {"label", p->cols[k].label, "n",
                        cnt,     "example",        p->cols[k].example ? p->cols[k].example : "",
                        NULL};
    char *line =
        ecr_text(p->cols[k].count == 1 ? "label/heat-legend-one" : "label/heat-legend-many", kv);
    text(m, x, y, 8, PDF_F_REG, PDF_MUTED, line, (p->width - 2 * ECR_PIC_MARGIN) / 2 - 6, 0);
    free(line);
  }
  legend(m, p);
}

static void picture(pdf_report *R, const ecr_picture *p) {
  pdf_ctx *c = &R->c;
  double cw = c->right - c->left;
  double s = p->width > cw ? cw / p->width : 1.0;
  double room = c->top - c->bottom - 60;
  if (p->height * s > room) s = room / p->height;
  pdf_style ts = ecr_pdf_st(PDF_F_BOLD, 10, 14, PDF_TEXT);
  ecr_pdf_space(c, 6);
  ecr_pdf_ensure(c, 2 * ts.leading + p->height * s + 6);
  ecr_pdf_para(c, &ts, c->left, cw, p->title);
  pdf_style ds = ecr_pdf_st(PDF_F_REG, PDF_SMALL_SIZE, PDF_SMALL_LEAD, PDF_MUTED);
  ecr_pdf_para(c, &ds, c->left, cw, p->desc);
  ecr_pdf_ensure(c, p->height * s + 4);
  pmap m = {c, c->left, c->y, s};
  rect(&m, 0, 0, p->width, p->height, PDF_WHITE, &PDF_RULE, false);
  if (p->kind == ECR_PIC_GRAPH)
    draw_graph(&m, p);
  else
    draw_heatmap(&m, p);
  c->y -= p->height * s + 6;
  /* the text equivalent, for readers and for pdftotext */
  pdf_style st = ecr_pdf_st(PDF_F_REG, 7.5, 9.5, PDF_TEXT);
  for (size_t i = 0; i < p->n_text; i++) ecr_pdf_bullet(c, &st, c->left, cw, p->text[i]);
  ecr_pdf_space(c, 8);
}

void ecr_pdf_pictures(pdf_report *R, size_t toc_idx, const ecr_pictures *pics) {
  ecr_pdf_heading(R, toc_idx, true, 80);
  char *intro = ecr_pdf_template("pictures-intro", NULL);
  pdf_style bs = ecr_pdf_st(PDF_F_REG, PDF_BODY_SIZE, PDF_BODY_LEAD, PDF_TEXT);
  ecr_pdf_para(&R->c, &bs, R->c.left, R->c.right - R->c.left, intro);
  ecr_pdf_space(&R->c, 6);
  free(intro);
  if (!pics->n_graphs && !pics->has_heatmap) {
    ecr_pdf_para(&R->c, &bs, R->c.left, R->c.right - R->c.left, ecr_label("pdf/pictures-none"));
    return;
  }
  for (size_t i = 0; i < pics->n_graphs; i++) picture(R, &pics->graphs[i]);
  char *omitted = ecr_pictures_omitted_text(pics);
  if (omitted) {
    ecr_pdf_para(&R->c, &bs, R->c.left, R->c.right - R->c.left, omitted);
    ecr_pdf_space(&R->c, 6);
    free(omitted);
  }
  if (pics->has_heatmap) picture(R, &pics->heatmap);
}
