/* SVG writer for the report's pictures (svg.h): copies the layout of
 * picture.c into elements; computes nothing but number formatting. */
#include "render/svg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlsave.h>

static void attr(xmlNodePtr n, const char *name, const char *value) {
  xmlChar *clean = ecr_html_text(value ? value : "");
  xmlSetProp(n, BAD_CAST name, clean);
  free(clean);
}

static void attr_num(xmlNodePtr n, const char *name, double v) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.1f", v);
  xmlSetProp(n, BAD_CAST name, BAD_CAST buf);
}

static xmlNodePtr child(xmlNodePtr parent, const char *tag) {
  return xmlNewChild(parent, NULL, BAD_CAST tag, NULL);
}

static xmlNodePtr text_el(xmlNodePtr parent, const char *tag, const char *s) {
  xmlNodePtr n = child(parent, tag);
  xmlChar *clean = ecr_html_text(s ? s : "");
  xmlAddChild(n, xmlNewDocText(parent->doc, clean));
  free(clean);
  return n;
}

static void hex(ecr_pic_ink ink, char out[8]) {
  ecr_pic_rgb c = ecr_pic_ink_rgb(ink);
  snprintf(out, 8, "#%02x%02x%02x", (unsigned)(c.r * 255 + 0.5f), (unsigned)(c.g * 255 + 0.5f),
           (unsigned)(c.b * 255 + 0.5f));
}

static xmlNodePtr svg_text(xmlNodePtr parent, double x, double y, double size, const char *fill,
                           const char *weight, const char *s) {
  xmlNodePtr t = text_el(parent, "text", s);
  attr_num(t, "x", x);
  attr_num(t, "y", y);
  attr_num(t, "font-size", size);
  xmlSetProp(t, BAD_CAST "fill", BAD_CAST fill);
  if (weight) xmlSetProp(t, BAD_CAST "font-weight", BAD_CAST weight);
  return t;
}

static xmlNodePtr svg_rect(xmlNodePtr parent, double x, double y, double w, double h,
                           const char *fill, const char *stroke) {
  xmlNodePtr r = child(parent, "rect");
  attr_num(r, "x", x);
  attr_num(r, "y", y);
  attr_num(r, "width", w);
  attr_num(r, "height", h);
  xmlSetProp(r, BAD_CAST "fill", BAD_CAST fill);
  if (stroke) xmlSetProp(r, BAD_CAST "stroke", BAD_CAST stroke);
  return r;
}

#define TEXT_COLOR "#1c2430"
#define MUTED_COLOR "#66707f"

static void legend(xmlNodePtr svg, const ecr_picture *p) {
  static const ecr_pic_ink inks[5] = {ECR_INK_ALLOW, ECR_INK_CONDITIONAL, ECR_INK_UNUSED,
                                      ECR_INK_MIXED, ECR_INK_NONE};
  xmlNodePtr g = child(svg, "g");
  xmlSetProp(g, BAD_CAST "class", BAD_CAST "pic-legend");
  for (int k = 0; k < (p->kind == ECR_PIC_HEATMAP ? 5 : 4); k++) {
    ecr_pic_ink ink = inks[k];
    double x, y;
    ecr_pic_legend_pos(p, k, &x, &y);
    char col[8];
    hex(ink, col);
    if (p->kind == ECR_PIC_GRAPH) {
      xmlNodePtr l = child(g, "line");
      attr_num(l, "x1", x);
      attr_num(l, "y1", y);
      attr_num(l, "x2", x + 22);
      attr_num(l, "y2", y);
      xmlSetProp(l, BAD_CAST "stroke", BAD_CAST col);
      xmlSetProp(l, BAD_CAST "stroke-width", BAD_CAST "2");
      if (ink == ECR_INK_CONDITIONAL) xmlSetProp(l, BAD_CAST "stroke-dasharray", BAD_CAST "5 3");
    } else {
      svg_rect(g, x, y - 5, 10, 10, col, "#ffffff");
    }
    svg_text(g, x + 27, y + 3.5, 9, MUTED_COLOR, NULL, ecr_pic_ink_name(ink));
  }
}

static void graph_body(xmlNodePtr svg, const ecr_picture *p) {
  xmlNodePtr defs = child(svg, "defs");
  static const ecr_pic_ink inks[4] = {ECR_INK_ALLOW, ECR_INK_CONDITIONAL, ECR_INK_MIXED,
                                      ECR_INK_UNUSED};
  for (int k = 0; k < 4; k++) {
    xmlNodePtr m = child(defs, "marker");
    char *id = ecr_xasprintf("%s-arrow-%d", p->id, (int)inks[k]);
    attr(m, "id", id);
    free(id);
    xmlSetProp(m, BAD_CAST "viewBox", BAD_CAST "0 0 8 8");
    xmlSetProp(m, BAD_CAST "refX", BAD_CAST "7");
    xmlSetProp(m, BAD_CAST "refY", BAD_CAST "4");
    xmlSetProp(m, BAD_CAST "markerWidth", BAD_CAST "7");
    xmlSetProp(m, BAD_CAST "markerHeight", BAD_CAST "7");
    xmlSetProp(m, BAD_CAST "orient", BAD_CAST "auto");
    xmlNodePtr path = child(m, "path");
    xmlSetProp(path, BAD_CAST "d", BAD_CAST "M0,0 L8,4 L0,8 z");
    char col[8];
    hex(inks[k], col);
    xmlSetProp(path, BAD_CAST "fill", BAD_CAST col);
  }
  legend(svg, p);
  xmlNodePtr ge = child(svg, "g");
  xmlSetProp(ge, BAD_CAST "class", BAD_CAST "pic-edges");
  xmlSetProp(ge, BAD_CAST "fill", BAD_CAST "none");
  for (size_t k = 0; k < p->n_edges; k++) {
    const ecr_pic_edge *e = &p->edges[k];
    char col[8];
    hex(e->ink, col);
    double dx = (e->x2 - e->x1) / 2;
    if (dx < 30) dx = 30;
    char d[160];
    snprintf(d, sizeof(d), "M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", e->x1, e->y1, e->x1 + dx,
             e->y1, e->x2 - dx, e->y2, e->x2, e->y2);
    if (e->x2 <= e->x1) /* within a column: a loop out to the left */
      snprintf(d, sizeof(d), "M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f", e->x1, e->y1, e->x1 - 40,
               e->y1, e->x2 - 40, e->y2, e->x2, e->y2);
    xmlNodePtr path = child(ge, "path");
    xmlSetProp(path, BAD_CAST "d", BAD_CAST d);
    xmlSetProp(path, BAD_CAST "stroke", BAD_CAST col);
    xmlSetProp(path, BAD_CAST "stroke-width", BAD_CAST(e->assume ? "1.5" : "2"));
    if (e->ink == ECR_INK_CONDITIONAL)
      xmlSetProp(path, BAD_CAST "stroke-dasharray", BAD_CAST "5 3");
    char *url = ecr_xasprintf("url(#%s-arrow-%d)", p->id, (int)e->ink);
    attr(path, "marker-end", url);
    free(url);
  }
  xmlNodePtr gl = child(svg, "g");
  xmlSetProp(gl, BAD_CAST "class", BAD_CAST "pic-edge-labels");
  for (size_t k = 0; k < p->n_edges; k++) {
    const ecr_pic_edge *e = &p->edges[k];
    char col[8];
    hex(e->ink, col);
    double w = strlen(e->label) * 4.6 + 6;
    svg_rect(gl, e->lx - w / 2, e->ly - 6, w, 11, "#ffffff", NULL);
    xmlNodePtr t = svg_text(gl, e->lx, e->ly + 3, 8, col, NULL, e->label);
    xmlSetProp(t, BAD_CAST "text-anchor", BAD_CAST "middle");
  }
  xmlNodePtr gn = child(svg, "g");
  xmlSetProp(gn, BAD_CAST "class", BAD_CAST "pic-nodes");
  for (size_t i = 0; i < p->n_nodes; i++) {
    const ecr_pic_node *n = &p->nodes[i];
    xmlNodePtr g = child(gn, "g");
    text_el(g, "title", n->title); /* the full name as a tooltip */
    const char *fill = n->kind == ECR_NODE_REPO   ? "#1f3a5f"
                       : n->kind == ECR_NODE_ROLE ? "#e8eef6"
                       : n->kind == ECR_NODE_MORE ? "#f3f4f6"
                                                  : "#ffffff";
    char stroke[8];
    hex(n->unused ? ECR_INK_UNUSED : ECR_INK_MIXED, stroke);
    xmlNodePtr r = svg_rect(g, n->x, n->y, n->w, n->h, fill,
                            n->kind == ECR_NODE_REPO ? "#1f3a5f"
                            : n->unused              ? stroke
                                                     : "#9aa5b4");
    xmlSetProp(r, BAD_CAST "rx", BAD_CAST "4");
    if (n->kind == ECR_NODE_GROUP || n->kind == ECR_NODE_MORE)
      xmlSetProp(r, BAD_CAST "stroke-dasharray", BAD_CAST "3 2");
    bool dark = n->kind == ECR_NODE_REPO;
    char ucol[8];
    hex(ECR_INK_UNUSED, ucol);
    svg_text(g, n->x + 6, n->y + 12.5, 10,
             dark        ? "#ffffff"
             : n->unused ? ucol
                         : TEXT_COLOR,
             "bold", n->label);
    svg_text(g, n->x + 6, n->y + 24.5, 8, dark ? "#d5deea" : MUTED_COLOR, NULL, n->caption);
  }
}

static void heat_body(xmlNodePtr svg, const ecr_picture *p) {
  xmlNodePtr g = child(svg, "g");
  xmlSetProp(g, BAD_CAST "class", BAD_CAST "pic-heat");
  for (size_t k = 0; k < p->n_cols; k++) {
    double x, y;
    ecr_heat_cell_pos(p, 0, k, &x, &y);
    /* the number only ("R12" -> "12"): the legend below spells it out */
    const char *id = p->cols[k].label[0] == 'R' ? p->cols[k].label + 1 : p->cols[k].label;
    xmlNodePtr t = svg_text(g, x + ECR_HEAT_CELL / 2, y - 6, 7, TEXT_COLOR, NULL, id);
    xmlSetProp(t, BAD_CAST "text-anchor", BAD_CAST "middle");
  }
  for (size_t i = 0; i < p->n_rows; i++) {
    double x, y;
    ecr_heat_cell_pos(p, i, 0, &x, &y);
    svg_text(g, ECR_PIC_MARGIN, y + 10.5, 9, TEXT_COLOR, p->rows[i].more ? NULL : "bold",
             p->rows[i].label);
    svg_text(g, ECR_PIC_MARGIN + 118, y + 10.5, 8, MUTED_COLOR, NULL, p->rows[i].example);
    for (size_t k = 0; k < p->n_cols; k++) {
      ecr_heat_cell_pos(p, i, k, &x, &y);
      char col[8];
      hex(p->cells[i * p->n_cols + k], col);
      svg_rect(g, x, y, ECR_HEAT_CELL, ECR_HEAT_CELL, col, "#ffffff");
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
    svg_text(g, x, y, 8, MUTED_COLOR, NULL, line);
    free(line);
  }
  legend(svg, p);
}

static xmlNodePtr svg_root(xmlNodePtr parent, const ecr_picture *p, bool standalone) {
  xmlNodePtr svg = child(parent, "svg");
  if (standalone) xmlSetNs(svg, xmlNewNs(svg, BAD_CAST "http://www.w3.org/2000/svg", NULL));
  char vb[96];
  snprintf(vb, sizeof(vb), "0 0 %.1f %.1f", p->width, p->height);
  xmlSetProp(svg, BAD_CAST "viewBox", BAD_CAST vb);
  attr_num(svg, "width", p->width);
  attr_num(svg, "height", p->height);
  xmlSetProp(svg, BAD_CAST "role", BAD_CAST "img");
  char *tid = ecr_xasprintf("%s-title", p->id), *did = ecr_xasprintf("%s-desc", p->id);
  char *both = ecr_xasprintf("%s %s", tid, did);
  attr(svg, "aria-labelledby", both);
  xmlSetProp(svg, BAD_CAST "font-family", BAD_CAST "DejaVu Sans, Verdana, sans-serif");
  attr(text_el(svg, "title", p->title), "id", tid);
  attr(text_el(svg, "desc", p->desc), "id", did);
  free(tid);
  free(did);
  free(both);
  if (p->kind == ECR_PIC_GRAPH)
    graph_body(svg, p);
  else
    heat_body(svg, p);
  return svg;
}

void ecr_svg_figure(xmlNodePtr parent, const ecr_picture *p) {
  xmlNodePtr fig = child(parent, "figure");
  xmlSetProp(fig, BAD_CAST "class", BAD_CAST "picture");
  attr(fig, "id", p->id);
  text_el(fig, "figcaption", p->title);
  xmlNodePtr scroll = child(fig, "div");
  xmlSetProp(scroll, BAD_CAST "class", BAD_CAST "picture-scroll");
  svg_root(scroll, p, false);
  xmlNodePtr ul = child(fig, "ul");
  xmlSetProp(ul, BAD_CAST "class", BAD_CAST "visually-hidden");
  char *lid = ecr_xasprintf("%s-text", p->id);
  attr(ul, "id", lid);
  free(lid);
  xmlSetProp(ul, BAD_CAST "aria-label", BAD_CAST ecr_label("html/picture-text"));
  for (size_t i = 0; i < p->n_text; i++) text_el(ul, "li", p->text[i]);
}

void ecr_svg_figures(xmlNodePtr parent, const ecr_pictures *p) {
  for (size_t i = 0; i < p->n_graphs; i++) ecr_svg_figure(parent, &p->graphs[i]);
  if (p->has_heatmap) ecr_svg_figure(parent, &p->heatmap);
}

void ecr_svg_document(const ecr_picture *p, ecr_buf *out) {
  xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
  xmlNodePtr holder = xmlNewDocNode(doc, NULL, BAD_CAST "holder", NULL);
  xmlDocSetRootElement(doc, holder);
  xmlNodePtr svg = svg_root(holder, p, true);
  xmlUnlinkNode(svg);
  xmlDocSetRootElement(doc, svg);
  xmlFreeNode(holder);
  xmlChar *mem = NULL;
  int len = 0;
  xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
  if (mem) ecr_buf_append(out, mem, (size_t)len);
  xmlFree(mem);
  xmlFreeDoc(doc);
}
