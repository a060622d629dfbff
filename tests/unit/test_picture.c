/* The pictures' drawing model (src/render/picture.c): deterministic layout,
 * the two-hop chain of samples/acme, and the caps (per column, heat map
 * rows and columns) on hand-built reports; the SVG writer's standalone
 * document parses as XML.
 *
 * With ECR_PICTURE_OUT_DIR=<dir>, main() also writes the acme pictures
 * there as standalone SVG files (tests/html/test_pictures.sh runs xmllint
 * on them). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "ecraudit/evaluate.h"
#include "ecraudit/evidence.h"
#include "ecraudit/paths.h"
#include "ecraudit/render.h"
#include "render/picture.h"
#include "render/svg.h"
#include "testutil.h"
#include "util/util.h"

/* ---- samples/acme, through the real pipeline ------------------------------ */
typedef struct acme {
  ecr_evidence *ev;
  ecr_matrix *m;
  ecr_report *r;
  ecr_paths *p;
} acme;

static void acme_load(acme *a) {
  ecr_error err;
  ecr_error_clear(&err);
  memset(a, 0, sizeof(*a));
  assert_int_equal(ecr_evidence_load(ECR_SOURCE_DIR "/samples/acme", &a->ev, &err), ECR_OK);
  assert_int_equal(ecr_matrix_eval(a->ev, &a->m, &err), ECR_OK);
  assert_int_equal(ecr_report_build(a->ev, a->m, NULL, "2026-12-01", &a->r, &err), ECR_OK);
  assert_int_equal(ecr_paths_build(a->ev, a->m, &a->p, &err), ECR_OK);
}

static void acme_free(acme *a) {
  ecr_paths_free(a->p);
  ecr_report_free(a->r);
  ecr_matrix_free(a->m);
  ecr_evidence_free(a->ev);
}

static void same_picture(const ecr_picture *x, const ecr_picture *y) {
  assert_string_equal(x->id, y->id);
  assert_string_equal(x->title, y->title);
  assert_true(x->width == y->width && x->height == y->height);
  assert_int_equal(x->n_nodes, y->n_nodes);
  assert_int_equal(x->n_edges, y->n_edges);
  for (size_t i = 0; i < x->n_nodes; i++) {
    assert_string_equal(x->nodes[i].title, y->nodes[i].title);
    assert_string_equal(x->nodes[i].label, y->nodes[i].label);
    assert_true(x->nodes[i].x == y->nodes[i].x && x->nodes[i].y == y->nodes[i].y);
  }
  for (size_t i = 0; i < x->n_edges; i++) {
    assert_int_equal(x->edges[i].from, y->edges[i].from);
    assert_int_equal(x->edges[i].to, y->edges[i].to);
    assert_int_equal(x->edges[i].ink, y->edges[i].ink);
  }
  assert_int_equal(x->n_text, y->n_text);
  for (size_t i = 0; i < x->n_text; i++) assert_string_equal(x->text[i], y->text[i]);
}

static void layout_is_deterministic(void **state) {
  (void)state;
  acme a;
  acme_load(&a);
  ecr_pictures *p1 = ecr_pictures_build(a.r, a.p);
  ecr_pictures *p2 = ecr_pictures_build(a.r, a.p);
  assert_true(p1->n_graphs > 0);
  assert_int_equal(p1->n_graphs, p2->n_graphs);
  for (size_t i = 0; i < p1->n_graphs; i++) same_picture(&p1->graphs[i], &p2->graphs[i]);
  assert_true(p1->has_heatmap);
  same_picture(&p1->heatmap, &p2->heatmap);
  /* nodes inside the picture, never overlapping within a column */
  for (size_t g = 0; g < p1->n_graphs; g++) {
    const ecr_picture *pic = &p1->graphs[g];
    for (size_t i = 0; i < pic->n_nodes; i++) {
      const ecr_pic_node *n = &pic->nodes[i];
      assert_true(n->x >= 0 && n->y >= 0);
      assert_true(n->x + n->w <= pic->width + 0.01 && n->y + n->h <= pic->height + 0.01);
      for (size_t j = i + 1; j < pic->n_nodes; j++) {
        const ecr_pic_node *o = &pic->nodes[j];
        if (o->column != n->column) continue;
        assert_true(o->y >= n->y + n->h || n->y >= o->y + o->h);
      }
    }
  }
  ecr_pictures_free(p1);
  ecr_pictures_free(p2);
  acme_free(&a);
}

static long node_by_title(const ecr_picture *p, const char *title) {
  for (size_t i = 0; i < p->n_nodes; i++)
    if (strcmp(p->nodes[i].title, title) == 0) return (long)i;
  return -1;
}

static const ecr_pic_edge *edge(const ecr_picture *p, long from, long to) {
  for (size_t i = 0; i < p->n_edges; i++)
    if ((long)p->edges[i].from == from && (long)p->edges[i].to == to) return &p->edges[i];
  return NULL;
}

#define ACME_ROLE(n) "arn:aws:iam::111122223333:role/" n

static void acme_chains_are_drawn(void **state) {
  (void)state;
  acme a;
  acme_load(&a);
  ecr_pictures *pics = ecr_pictures_build(a.r, a.p);
  bool chain = false, k8s = false, federated = false;
  for (size_t g = 0; g < pics->n_graphs; g++) {
    const ecr_picture *p = &pics->graphs[g];
    long gina = node_by_title(p, "arn:aws:iam::111122223333:user/gina.sre");
    long jump = node_by_title(p, ACME_ROLE("acme-ops-jump"));
    long admin = node_by_title(p, ACME_ROLE("acme-platform-admin"));
    if (gina >= 0 && jump >= 0 && admin >= 0) {
      const ecr_pic_edge *e1 = edge(p, gina, jump), *e2 = edge(p, jump, admin);
      if (e1 && e2 && e1->assume && e2->assume) {
        chain = true;
        /* columns left to right along the chain */
        assert_true(p->nodes[gina].column < p->nodes[jump].column);
        assert_true(p->nodes[jump].column < p->nodes[admin].column);
        assert_int_equal(p->nodes[jump].kind, ECR_NODE_ROLE);
      }
    }
    for (size_t i = 0; i < p->n_nodes; i++) {
      k8s |= strncmp(p->nodes[i].title, "k8s:", 4) == 0;
      federated |= strncmp(p->nodes[i].title, "federated:", 10) == 0;
    }
    /* the repository is the last column, alone */
    size_t last = 0;
    for (size_t i = 0; i < p->n_nodes; i++)
      if (p->nodes[i].kind == ECR_NODE_REPO) {
        last++;
        for (size_t j = 0; j < p->n_nodes; j++)
          assert_true(p->nodes[j].column <= p->nodes[i].column);
      }
    assert_int_equal(last, 1);
  }
  assert_true(chain);
  assert_true(k8s);
  assert_true(federated);
  /* without the hop graph: direct writers only */
  ecr_pictures *direct = ecr_pictures_build(a.r, NULL);
  for (size_t g = 0; g < direct->n_graphs; g++)
    for (size_t i = 0; i < direct->graphs[g].n_edges; i++)
      assert_false(direct->graphs[g].edges[i].assume);
  ecr_pictures_free(direct);
  ecr_pictures_free(pics);
  acme_free(&a);
}

/* ---- hand-built reports --------------------------------------------------- */
typedef struct mini {
  ecr_report r;
  char **strs;
  size_t n_strs, cap_strs;
} mini;

static char *keep(mini *m, char *s) {
  ECR_PUSH(m->strs, m->n_strs, m->cap_strs, s);
  return s;
}

/* n_repos repositories repo-000.. in one region. */
static void mini_init(mini *m, size_t n_repos) {
  memset(m, 0, sizeof(*m));
  m->r.repositories = ecr_xcalloc(n_repos, sizeof(ecr_repo_view));
  m->r.n_repo_views = n_repos;
  for (size_t i = 0; i < n_repos; i++) {
    ecr_repo_view *v = &m->r.repositories[i];
    v->name = keep(m, ecr_xasprintf("repo-%04zu", i)); /* sorted by ARN, as the model is */
    v->arn = keep(m, ecr_xasprintf("arn:aws:ecr:eu-west-1:111122223333:repository/repo-%04zu", i));
    v->region = keep(m, ecr_xstrdup("eu-west-1"));
  }
}

/* A repository set of the repositories [lo, hi). */
static size_t mini_set(mini *m, size_t lo, size_t hi) {
  m->r.repo_sets = ecr_xrealloc(m->r.repo_sets, (m->r.n_repo_sets + 1) * sizeof(ecr_repo_set));
  ecr_repo_set *s = &m->r.repo_sets[m->r.n_repo_sets];
  memset(s, 0, sizeof(*s));
  s->repositories = ecr_xcalloc(hi - lo, sizeof(char *));
  for (size_t i = lo; i < hi; i++) s->repositories[s->n++] = m->r.repositories[i].arn;
  return m->r.n_repo_sets++;
}

/* A failing Write finding of principal on set, with its principal view. */
static void mini_finding(mini *m, const char *principal, ecr_principal_kind kind, size_t set,
                         ecr_decision d) {
  m->r.findings = ecr_xrealloc(m->r.findings, (m->r.n_findings + 1) * sizeof(ecr_finding));
  ecr_finding *f = &m->r.findings[m->r.n_findings];
  memset(f, 0, sizeof(*f));
  f->principal = keep(m, ecr_xstrdup(principal));
  f->principal_kind = kind;
  f->status = ECR_CHECK_FAIL;
  f->access_level = ECR_LEVEL_WRITE;
  f->decision = d;
  f->repo_set = set;
  m->r.principals =
      ecr_xrealloc(m->r.principals, (m->r.n_principal_views + 1) * sizeof(ecr_principal_view));
  ecr_principal_view *pv = &m->r.principals[m->r.n_principal_views++];
  memset(pv, 0, sizeof(*pv));
  pv->principal = f->principal;
  pv->kind = kind;
  pv->findings = ecr_xcalloc(1, sizeof(size_t));
  pv->findings[0] = m->r.n_findings;
  pv->n_findings = 1;
  m->r.n_findings++;
}

static void mini_free(mini *m) {
  for (size_t i = 0; i < m->r.n_repo_sets; i++) free(m->r.repo_sets[i].repositories);
  free(m->r.repo_sets);
  for (size_t i = 0; i < m->r.n_principal_views; i++) free(m->r.principals[i].findings);
  free(m->r.principals);
  free(m->r.findings);
  free(m->r.repositories);
  for (size_t i = 0; i < m->n_strs; i++) free(m->strs[i]);
  free(m->strs);
}

static const char *spelling(ecr_principal_kind k, size_t i, char *buf, size_t n) {
  switch (k) {
  case ECR_PK_USER: snprintf(buf, n, "arn:aws:iam::111122223333:user/u%04zu", i); break;
  case ECR_PK_ROLE: snprintf(buf, n, "arn:aws:iam::111122223333:role/r%04zu", i); break;
  case ECR_PK_ACCOUNT: snprintf(buf, n, "arn:aws:iam::%012zu:root", 200000000000 + i); break;
  case ECR_PK_SERVICE: snprintf(buf, n, "service:s%04zu.amazonaws.com", i); break;
  case ECR_PK_PUBLIC: snprintf(buf, n, "*"); break;
  default: snprintf(buf, n, "arn:aws:sts::999999999999:assumed-role/x/s%04zu", i); break;
  }
  return buf;
}

static void column_is_capped(void **state) {
  (void)state;
  mini m;
  mini_init(&m, 1);
  size_t set = mini_set(&m, 0, 1);
  /* 5 kinds x 2 decisions = 10 distinct edge signatures, 300 principals */
  static const ecr_principal_kind kinds[] = {ECR_PK_USER, ECR_PK_ROLE, ECR_PK_ACCOUNT,
                                             ECR_PK_SERVICE, ECR_PK_EXTERNAL};
  size_t total = 0;
  for (size_t i = 0; i < 300; i++) {
    char buf[96];
    ecr_principal_kind k = kinds[i % 5];
    mini_finding(&m, spelling(k, i, buf, sizeof(buf)), k, set,
                 (i / 5) % 2 ? ECR_DECISION_CONDITIONAL : ECR_DECISION_ALLOW);
    total++;
  }
  ecr_pictures *p = ecr_pictures_build(&m.r, NULL);
  assert_int_equal(p->n_graphs, 1);
  const ecr_picture *g = &p->graphs[0];
  assert_int_equal(g->n_writers, total);
  size_t in_col0 = 0, counted = 0, more = 0;
  for (size_t i = 0; i < g->n_nodes; i++) {
    if (g->nodes[i].column != 0) continue;
    in_col0++;
    counted += g->nodes[i].count;
    more += g->nodes[i].kind == ECR_NODE_MORE;
  }
  assert_int_equal(in_col0, ECR_PIC_COL_MAX);
  assert_int_equal(more, 1);
  assert_int_equal(counted, total); /* every principal stands in some box */
  assert_int_equal(g->n_nodes, ECR_PIC_COL_MAX + 1);
  ecr_pictures_free(p);
  mini_free(&m);
}

static void heatmap_is_capped(void **state) {
  (void)state;
  /* 45 principals, each writing to its own repository: 45 profiles, 45 groups;
     plus 100 principals writing everywhere: one profile */
  mini m;
  mini_init(&m, 45);
  char buf[96];
  for (size_t i = 0; i < 45; i++)
    mini_finding(&m, spelling(ECR_PK_USER, i, buf, sizeof(buf)), ECR_PK_USER,
                 mini_set(&m, i, i + 1), ECR_DECISION_ALLOW);
  size_t all = mini_set(&m, 0, 45);
  for (size_t i = 0; i < 100; i++)
    mini_finding(&m, spelling(ECR_PK_ROLE, i, buf, sizeof(buf)), ECR_PK_ROLE, all,
                 ECR_DECISION_CONDITIONAL);
  ecr_pictures *p = ecr_pictures_build(&m.r, NULL);
  assert_true(p->has_heatmap);
  const ecr_picture *h = &p->heatmap;
  assert_int_equal(h->n_rows, ECR_HEAT_ROWS_MAX);
  assert_int_equal(h->n_cols, ECR_HEAT_COLS_MAX);
  assert_true(h->rows[h->n_rows - 1].more);
  assert_true(h->cols[h->n_cols - 1].more);
  /* the largest profile first: the 100 roles, conditional everywhere */
  assert_int_equal(h->rows[0].count, 100);
  for (size_t k = 0; k < h->n_cols; k++) assert_int_equal(h->cells[k], ECR_INK_CONDITIONAL);
  size_t principals = 0, repos = 0;
  for (size_t i = 0; i < h->n_rows; i++) principals += h->rows[i].count;
  for (size_t k = 0; k < h->n_cols; k++) repos += h->cols[k].count;
  assert_int_equal(principals, 145);
  assert_int_equal(repos, 45);
  /* a single-repository profile: allow on its own column only (a shown row
     and a shown column meet once) */
  size_t allow = 0;
  for (size_t i = 1; i + 1 < h->n_rows; i++)
    for (size_t k = 0; k + 1 < h->n_cols; k++)
      allow += h->cells[i * h->n_cols + k] == ECR_INK_ALLOW;
  assert_true(allow <= h->n_rows - 2);
  /* the picture's graphs: 45 groups, at most ECR_PIC_GRAPHS_MAX drawn */
  assert_int_equal(p->n_groups, 45);
  assert_int_equal(p->n_graphs, ECR_PIC_GRAPHS_MAX);
  char *omitted = ecr_pictures_omitted_text(p);
  assert_non_null(omitted);
  free(omitted);
  ecr_pictures_free(p);
  mini_free(&m);
}

/* 10,000 principals in 200 profiles over 2,000 repositories in 100 groups:
 * every picture stays within its caps, whatever the account's size. */
static void large_account_stays_bounded(void **state) {
  (void)state;
  mini m;
  mini_init(&m, 2000);
  size_t sets[100];
  for (size_t g = 0; g < 100; g++) sets[g] = mini_set(&m, g * 20, g * 20 + 20);
  char buf[96];
  for (size_t i = 0; i < 10000; i++) {
    size_t prof = i % 200;
    /* profile p writes to groups p % 100 and (p * 7) % 100 */
    ecr_principal_kind k = prof % 3 ? ECR_PK_ROLE : ECR_PK_USER;
    mini_finding(&m, spelling(k, i, buf, sizeof(buf)), k, sets[prof % 100],
                 prof < 100 ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL);
  }
  ecr_pictures *p = ecr_pictures_build(&m.r, NULL);
  assert_int_equal(p->n_graphs, ECR_PIC_GRAPHS_MAX);
  for (size_t g = 0; g < p->n_graphs; g++) {
    const ecr_picture *pic = &p->graphs[g];
    assert_true(pic->n_nodes <= ECR_PIC_COL_MAX + 1);
    assert_true(pic->n_text <= pic->n_edges + 1);
    ecr_buf b;
    ecr_buf_init(&b);
    ecr_svg_document(pic, &b);
    assert_true(b.len < 64 * 1024);
    ecr_buf_cleanup(&b);
  }
  const ecr_picture *h = &p->heatmap;
  assert_true(h->n_rows <= ECR_HEAT_ROWS_MAX && h->n_cols <= ECR_HEAT_COLS_MAX);
  size_t principals = 0;
  for (size_t i = 0; i < h->n_rows; i++) principals += h->rows[i].count;
  assert_int_equal(principals, 10000);
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_svg_document(h, &b);
  assert_true(b.len < 256 * 1024);
  ecr_buf_cleanup(&b);
  ecr_pictures_free(p);
  mini_free(&m);
}

static void unused_hook_defaults_to_used(void **state) {
  (void)state;
  ecr_finding f;
  memset(&f, 0, sizeof(f));
  assert_false(ecr_pic_finding_unused(&f));
  assert_true(ecr_pic_finding_direct(&f)); /* no via_chain in the model yet */
  /* the unused style is one palette entry */
  ecr_pic_rgb g = ecr_pic_ink_rgb(ECR_INK_UNUSED);
  assert_true(g.r == g.g || (g.r - g.g < 0.05f && g.g - g.r < 0.05f));
  assert_string_equal(ecr_pic_ink_name(ECR_INK_UNUSED), "unused");
}

static void svg_document_is_xml(void **state) {
  (void)state;
  acme a;
  acme_load(&a);
  ecr_pictures *pics = ecr_pictures_build(a.r, a.p);
  const char *dir = getenv("ECR_PICTURE_OUT_DIR");
  for (size_t i = 0; i <= pics->n_graphs; i++) {
    const ecr_picture *p = i < pics->n_graphs ? &pics->graphs[i] : &pics->heatmap;
    ecr_buf b;
    ecr_buf_init(&b);
    ecr_svg_document(p, &b);
    xmlDocPtr doc = xmlReadMemory(b.data, (int)b.len, "picture.svg", "UTF-8", XML_PARSE_NONET);
    assert_non_null(doc);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "svg");
    assert_non_null(root->ns);
    xmlFreeDoc(doc);
    assert_null(strstr(b.data, "http://www.w3.org/1999/xlink"));
    if (dir && *dir) {
      char *path = ecr_xasprintf("%s/%s.svg", dir, p->id);
      FILE *fp = fopen(path, "wb");
      assert_non_null(fp);
      assert_int_equal(fwrite(b.data, 1, b.len, fp), b.len);
      assert_int_equal(fclose(fp), 0);
      free(path);
    }
    ecr_buf_cleanup(&b);
  }
  ecr_pictures_free(pics);
  acme_free(&a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(layout_is_deterministic),
      cmocka_unit_test(acme_chains_are_drawn),
      cmocka_unit_test(column_is_capped),
      cmocka_unit_test(heatmap_is_capped),
      cmocka_unit_test(large_account_stays_bounded),
      cmocka_unit_test(unused_hook_defaults_to_used),
      cmocka_unit_test(svg_document_is_xml),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
