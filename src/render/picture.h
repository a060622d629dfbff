/* ecraudit — the drawing model of the report's pictures (issue 21 point 3).
 *
 * Two kinds of picture, laid out once here and drawn by two writers that
 * only copy coordinates: svg.c (inline SVG in report.html) and
 * pdf_picture.c (libharu vector drawing in report.pdf).
 *
 *  - ECR_PIC_GRAPH, one per group of repositories with the same risky
 *    writers (Write, Permissions management or Tagging; failing or
 *    excepted findings): principals -> the roles they assume (the hop
 *    graph of `ecraudit paths`, when the caller passes it) -> the
 *    repository. Columns by the longest chain to the repository; at most
 *    ECR_PIC_COL_MAX nodes per column: principals with the same edges are
 *    one "N principals" node, and what is left over one "and K more" node.
 *  - ECR_PIC_HEATMAP, one: principals x repositories for Write, rows the
 *    distinct access profiles (principals with the same Write access,
 *    counted), columns the groups of repositories with identical Write
 *    access; at most ECR_HEAT_ROWS_MAX rows and ECR_HEAT_COLS_MAX columns,
 *    the rest folded into one "more" row / column.
 *
 * Coordinates are points (1/72 in), origin top-left, y downwards; the PDF
 * writer flips and scales them. Every label is already shortened to fit its
 * box (ECR_PIC_LABEL_CHARS code points); `title` keeps the full text. Each
 * picture carries its text equivalent (`text`, one line per edge or row),
 * which both writers show (visually hidden list / small text).
 *
 * Cost: linear in the findings and repository sets of the report plus the
 * hops; each picture is bounded by the caps, whatever the account's size.
 */
#ifndef ECR_RENDER_PICTURE_H
#define ECR_RENDER_PICTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "ecraudit/render.h"

#define ECR_PIC_GRAPHS_MAX 12   /* graphs drawn; further groups are counted */
#define ECR_PIC_COL_MAX 8       /* nodes per column (the last may be "and K more") */
#define ECR_PIC_LABEL_CHARS 24  /* code points of a node label */
#define ECR_PIC_TITLE_CHARS 400 /* of a full name in titles and text equivalents */
#define ECR_HEAT_ROWS_MAX 30    /* access-profile rows (the last may be "more") */
#define ECR_HEAT_COLS_MAX 30    /* repository-group columns (the last may be "more") */
#define ECR_PIC_NODE_W 168.0
#define ECR_PIC_NODE_H 30.0
#define ECR_PIC_COL_GAP 72.0
#define ECR_PIC_ROW_GAP 12.0
#define ECR_PIC_MARGIN 8.0
#define ECR_HEAT_CELL 14.0
#define ECR_HEAT_LABEL_W 230.0

typedef enum ecr_pic_kind { ECR_PIC_GRAPH = 0, ECR_PIC_HEATMAP } ecr_pic_kind;

/* How a node or edge is drawn: the one parameter per look. Unused access
 * (the usage evidence of issue 21 point 1) is ECR_INK_UNUSED everywhere. */
typedef enum ecr_pic_ink {
  ECR_INK_ALLOW = 0,   /* unconditional grant */
  ECR_INK_CONDITIONAL, /* conditional grant (undecided condition keys) */
  ECR_INK_MIXED,       /* a folded node whose members differ */
  ECR_INK_UNUSED,      /* granted, and the usage evidence shows no use */
  ECR_INK_NONE,        /* heat map: no access */
  ECR_INK_COUNT
} ecr_pic_ink;

typedef struct ecr_pic_rgb {
  float r, g, b;
} ecr_pic_rgb;

/* The palette both writers use (picture.c). */
ecr_pic_rgb ecr_pic_ink_rgb(ecr_pic_ink ink);
/* "allow", "conditional", "allow or conditional", "unused", "none". */
const char *ecr_pic_ink_name(ecr_pic_ink ink);

typedef enum ecr_pic_node_kind {
  ECR_NODE_PRINCIPAL = 0, /* a starting principal or direct writer */
  ECR_NODE_ROLE,          /* a role on a chain (it may also write directly) */
  ECR_NODE_GROUP,         /* principals with the same edges */
  ECR_NODE_MORE,          /* "and K more" */
  ECR_NODE_REPO           /* the repository (group) */
} ecr_pic_node_kind;

typedef struct ecr_pic_node {
  ecr_pic_node_kind kind;
  char *label;   /* shortened name, shown */
  char *caption; /* second line: "user", "k8s service account", "12 roles", ... */
  char *title;   /* full name (ARN / principal spelling) */
  double x, y, w, h;
  size_t count; /* principals it stands for (1 for a single one) */
  bool unused;  /* every grant behind it is unused access */
  int column;
} ecr_pic_node;

typedef struct ecr_pic_edge {
  size_t from, to; /* node indices */
  ecr_pic_ink ink;
  const char *label;     /* "allow" / "conditional" / ... (static) */
  bool assume;           /* a role hop (sts:AssumeRole*), else an ECR grant */
  double x1, y1, x2, y2; /* anchors: source right edge, target left edge */
  double lx, ly;         /* centre of the label */
} ecr_pic_edge;

typedef struct ecr_heat_row {
  char *label;   /* "P1  412 principals" */
  char *example; /* one member's spelling, shortened */
  size_t count;  /* principals */
  bool more;     /* folded rows */
} ecr_heat_row;

typedef struct ecr_heat_col {
  char *label;   /* "R1" */
  char *example; /* one repository name */
  size_t count;  /* repositories */
  bool more;
} ecr_heat_col;

typedef struct ecr_picture {
  ecr_pic_kind kind;
  char *id;    /* "pic-graph-1", "pic-heatmap": an XML id */
  char *title; /* one line */
  char *desc;  /* one or two sentences */
  double width, height;

  /* graph */
  ecr_pic_node *nodes;
  size_t n_nodes;
  ecr_pic_edge *edges;
  size_t n_edges;
  size_t n_repos;   /* repositories the graph stands for */
  size_t n_writers; /* principals with risky access on them (before folding) */

  /* heat map: rows x cols cells, row-major */
  ecr_heat_row *rows;
  size_t n_rows;
  ecr_heat_col *cols;
  size_t n_cols;
  ecr_pic_ink *cells;
  double grid_x, grid_y; /* top-left of the cell grid */

  char **text; /* the text equivalent, one line each */
  size_t n_text;
} ecr_picture;

struct ecr_pictures {
  ecr_picture *graphs;
  size_t n_graphs;
  size_t n_groups;       /* repository groups with risky writers (>= n_graphs) */
  size_t n_groups_repos; /* repositories in the groups not drawn */
  ecr_picture heatmap;
  bool has_heatmap;
};

/* Positions derived from the layout (the same for SVG and PDF). */
/* Legend item k (0 allow, 1 conditional, 2 unused, 3 none/mixed): the
 * left end of its swatch, vertically centred at *y. */
void ecr_pic_legend_pos(const ecr_picture *p, int k, double *x, double *y);
/* Heat map cell (row, col): its top-left corner. */
void ecr_heat_cell_pos(const ecr_picture *p, size_t row, size_t col, double *x, double *y);
/* Heat map legend line k (column k's id and size): its baseline start. */
void ecr_heat_legend_line(const ecr_picture *p, size_t k, double *x, double *y);

/* The usage hook: true when the usage evidence marks this finding's grant
 * as unused access. The report model has no usage flag yet (issue 21
 * points 1-2 add one), so this says "used or unknown" (false) for every
 * finding; when the flag exists, this one function reads it. */
bool ecr_pic_finding_unused(const ecr_finding *f);

/* The role-chain hook: true when the finding's access is the principal's
 * own (no via_chain). Chains are drawn from the paths engine's hop graph, so
 * a finding that reaches the access only through a chain (the via_chain
 * findings of DESIGN.md "Indirect access") must not also be drawn as a
 * direct arrow; the model has no via_chain field yet, so this is true for
 * every finding, and when the field exists this one function reads it. The
 * heat map counts every finding, direct or not. */
bool ecr_pic_finding_direct(const ecr_finding *f);

/* "12 more repository groups (340 repositories) ..." when groups were not
 * drawn, else NULL. Caller frees. */
char *ecr_pictures_omitted_text(const ecr_pictures *p);

/* The pictures of report r that the renderers draw: opts->pictures when the
 * caller built them, else built here without role chains (*owned set: free
 * with ecr_pictures_free). */
const ecr_pictures *ecr_pictures_for(const ecr_report *r, const ecr_render_opts *opts,
                                     ecr_pictures **owned);

#endif
