/* The drawing model of the report's pictures (picture.h): which nodes,
 * edges, rows and columns, and where they go. No drawing here.
 *
 * Repository groups: every risky finding (Write, Permissions management,
 * Tagging; failing or excepted; not the registry) adds a hash of
 * (principal, access level, decision, unused) to each repository of its
 * set -- once per repository set, then per member -- so repositories with
 * the same writers get the same pair of 64-bit sums and share a picture.
 * Only the drawn groups are then resolved to their writers.
 */
#include "render/picture.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/paths.h"
#include "util/util.h"

/* ---- palette ----------------------------------------------------------------- */
ecr_pic_rgb ecr_pic_ink_rgb(ecr_pic_ink ink) {
  static const ecr_pic_rgb rgb[ECR_INK_COUNT] = {
      {0.72f, 0.11f, 0.11f}, /* allow: red */
      {0.76f, 0.45f, 0.02f}, /* conditional: amber */
      {0.45f, 0.25f, 0.55f}, /* mixed: purple */
      {0.62f, 0.64f, 0.67f}, /* unused: grey -- the one unused-access style */
      {0.93f, 0.94f, 0.95f}, /* none: pale */
  };
  return (unsigned)ink < ECR_INK_COUNT ? rgb[ink] : rgb[ECR_INK_NONE];
}

const char *ecr_pic_ink_name(ecr_pic_ink ink) {
  static const char *const names[ECR_INK_COUNT] = {"picture/ink-allow", "picture/ink-conditional",
                                                   "picture/ink-mixed", "picture/ink-unused",
                                                   "picture/ink-none"};
  return ecr_label((unsigned)ink < ECR_INK_COUNT ? names[ink] : "picture/ink-none");
}

bool ecr_pic_finding_unused(const ecr_finding *f) {
  return f->usage && f->usage->unused; /* IAM Access Advisor: no use in the threshold */
}

bool ecr_pic_finding_direct(const ecr_finding *f) {
  return f->n_via_chain == 0; /* the chains come from the paths engine */
}

/* ---- small helpers ------------------------------------------------------------- */
static uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

static uint64_t str_hash(const char *s) {
  return ecr_fnv1a(s, strlen(s), ECR_FNV1A_SEED);
}

#define fmt_count ecr_fmt_count /* "12,345" (util) */

/* s as valid UTF-8 (the one repair rule), always a copy. Caller frees. */
static char *utf8_copy(const char *s) {
  char *fixed = ecr_utf8_repair(s ? s : "");
  return fixed ? fixed : ecr_xstrdup(s ? s : "");
}

/* s shortened to max code points, with an ellipsis (valid UTF-8 out: the
 * one repair rule). Caller frees. */
static char *shorten(const char *s, size_t max) {
  char *fixed = utf8_copy(s ? s : "");
  size_t len = strlen(fixed), off = 0, n = 0;
  while (off < len && n < max) {
    uint32_t cp;
    bool ok;
    off += ecr_utf8_next(fixed + off, len - off, &cp, &ok);
    n++;
  }
  if (off >= len) return fixed;
  /* room for the ellipsis: one code point less */
  size_t cut = 0, k = 0;
  while (k + 1 < max) {
    uint32_t cp;
    bool ok;
    cut += ecr_utf8_next(fixed + cut, len - cut, &cp, &ok);
    k++;
  }
  char *out = ecr_xasprintf("%.*s\xe2\x80\xa6", (int)cut, fixed);
  free(fixed);
  return out;
}

/* The name of a "N principals can assume this role" box (never a principal). */
#define AGG_NAME "(principals)"

/* What a principal spelling is, for captions and kinds. */
static const char *kind_of(const char *name) {
  if (ecr_str_has_prefix(name, "federated:")) return "federated";
  if (ecr_str_has_prefix(name, "k8s:")) return "k8s";
  if (ecr_str_has_prefix(name, "service:")) return "service";
  if (strcmp(name, "*") == 0) return "public";
  if (strstr(name, ":user/")) return "user";
  if (strstr(name, ":role/")) return "role";
  if (strstr(name, ":root")) return "account";
  return "external";
}

static const char *kind_caption(const char *kind) {
  if (strcmp(kind, "federated") == 0) return ecr_label("picture/kind-federated");
  if (strcmp(kind, "k8s") == 0) return ecr_label("picture/kind-k8s");
  if (strcmp(kind, "service") == 0) return ecr_label("picture/kind-service");
  if (strcmp(kind, "public") == 0) return ecr_label("picture/kind-public");
  if (strcmp(kind, "account") == 0) return ecr_label("picture/kind-account");
  if (strcmp(kind, "external") == 0) return ecr_label("picture/kind-external");
  return kind;
}

/* The short name shown in a box. */
static char *short_name(const char *name) {
  const char *kind = kind_of(name);
  const char *s = name;
  if (strcmp(kind, "k8s") == 0) {
    const char *hash = strchr(name, '#');
    const char *cl = strstr(name, ":cluster/");
    if (hash) {
      if (cl && cl < hash) {
        char *t = ecr_xasprintf("%s @ %.*s", hash + 1, (int)(hash - cl - 9), cl + 9);
        char *out = shorten(t, ECR_PIC_LABEL_CHARS);
        free(t);
        return out;
      }
      s = hash + 1;
    }
  } else if (strcmp(kind, "federated") == 0) {
    const char *hash = strchr(name, '#');
    const char *slash = strrchr(name, '/');
    s = hash ? hash + 1 : slash ? slash + 1 : name + 10;
  } else if (strcmp(kind, "service") == 0) {
    s = name + 8;
  } else if (strcmp(kind, "account") == 0) {
    const char *c = strstr(name, "::");
    if (c) {
      char *id = ecr_xstrndup(c + 2, 12);
      const char *kv[] = {"account", id, NULL};
      char *t = ecr_text("picture/account", kv);
      free(id);
      char *out = shorten(t, ECR_PIC_LABEL_CHARS);
      free(t);
      return out;
    }
  } else if (strcmp(kind, "user") == 0 || strcmp(kind, "role") == 0) {
    const char *slash = strrchr(name, '/');
    if (slash && slash[1]) s = slash + 1;
  }
  return shorten(s, ECR_PIC_LABEL_CHARS);
}

static const char *repo_name(const ecr_report *r, size_t ri) {
  const ecr_repo_view *v = &r->repositories[ri];
  return v->name && *v->name ? v->name : v->arn;
}

static void text_add(ecr_picture *p, char *line) {
  p->text = ecr_xrealloc(p->text, (p->n_text + 1) * sizeof(char *));
  p->text[p->n_text++] = line;
}

/* ---- string -> index map (names of one graph) ------------------------------------- */
typedef struct smap {
  const char **key;
  size_t *val;
  size_t cap, n;
} smap;

static const size_t *smap_find(const smap *m, const char *key) {
  if (!m->cap) return NULL;
  size_t k = str_hash(key) & (m->cap - 1);
  while (m->key[k]) {
    if (strcmp(m->key[k], key) == 0) return &m->val[k];
    k = (k + 1) & (m->cap - 1);
  }
  return NULL;
}

static size_t *smap_slot(smap *m, const char *key, bool *fresh) {
  if (m->n * 2 >= m->cap) {
    size_t ncap = m->cap ? m->cap * 2 : 64;
    const char **nk = ecr_xcalloc(ncap, sizeof(char *));
    size_t *nv = ecr_xcalloc(ncap, sizeof(size_t));
    for (size_t i = 0; i < m->cap; i++) {
      if (!m->key[i]) continue;
      size_t k = str_hash(m->key[i]) & (ncap - 1);
      while (nk[k]) k = (k + 1) & (ncap - 1);
      nk[k] = m->key[i];
      nv[k] = m->val[i];
    }
    free(m->key);
    free(m->val);
    m->key = nk;
    m->val = nv;
    m->cap = ncap;
  }
  size_t k = str_hash(key) & (m->cap - 1);
  while (m->key[k]) {
    if (strcmp(m->key[k], key) == 0) {
      *fresh = false;
      return &m->val[k];
    }
    k = (k + 1) & (m->cap - 1);
  }
  m->key[k] = key;
  m->n++;
  *fresh = true;
  return &m->val[k];
}

static void smap_free(smap *m) {
  free(m->key);
  free(m->val);
}

/* ---- the report, indexed ----------------------------------------------------------- */
typedef struct set_repos {
  size_t *idx; /* repository view indices, ascending */
  size_t n;
  bool done;
} set_repos;

/* The hops into one role: how many, their inks merged, and the first
 * ECR_PIC_COL_MAX of them (in the paths engine's start order). A role that
 * more principals can assume gets one "N principals" box. */
typedef struct rin {
  const char *role; /* ARN, borrowed from the paths engine's evidence */
  size_t count;
  ecr_pic_ink ink;
  const char *from[ECR_PIC_COL_MAX];
  ecr_pic_ink from_ink[ECR_PIC_COL_MAX];
} rin;

typedef struct pctx {
  const ecr_report *r;
  set_repos *sets;
  rin *rins;
  size_t n_rins;
  smap rin_by_name; /* role ARN -> index into rins */
  smap repo_by_arn; /* repository ARN -> view index */
} pctx;

static int size_cmp(const void *x, const void *y) {
  size_t a = *(const size_t *)x, b = *(const size_t *)y;
  return a < b ? -1 : a > b;
}

static const set_repos *set_of(pctx *c, size_t s) {
  set_repos *sr = &c->sets[s];
  if (sr->done) return sr;
  sr->done = true;
  const ecr_repo_set *rs = &c->r->repo_sets[s];
  sr->idx = ecr_xcalloc(rs->n ? rs->n : 1, sizeof(size_t));
  /* by ARN (whatever order the model sorts them in), ascending indices */
  if (!c->repo_by_arn.cap)
    for (size_t j = 0; j < c->r->n_repo_views; j++) {
      bool fresh;
      *smap_slot(&c->repo_by_arn, c->r->repositories[j].arn, &fresh) = j;
    }
  for (size_t i = 0; i < rs->n; i++) {
    const size_t *j = smap_find(&c->repo_by_arn, rs->repositories[i]);
    if (j) sr->idx[sr->n++] = *j;
  }
  if (sr->n > 1) qsort(sr->idx, sr->n, sizeof(size_t), size_cmp);
  return sr;
}

static bool set_has(pctx *c, size_t s, size_t repo) {
  const set_repos *sr = set_of(c, s);
  size_t lo = 0, hi = sr->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (sr->idx[mid] < repo)
      lo = mid + 1;
    else if (sr->idx[mid] > repo)
      hi = mid;
    else
      return true;
  }
  return false;
}

static bool risky_level(ecr_access_level l) {
  return l == ECR_LEVEL_WRITE || l == ECR_LEVEL_PERMISSIONS || l == ECR_LEVEL_TAGGING;
}

static bool drawn_status(ecr_check_status s) {
  return s == ECR_CHECK_FAIL || s == ECR_CHECK_EXCEPTED;
}

static bool finding_counts(const ecr_report *r, const ecr_finding *f, bool write_only) {
  if (!drawn_status(f->status) || f->repo_set >= r->n_repo_sets) return false;
  if (write_only ? f->access_level != ECR_LEVEL_WRITE : !risky_level(f->access_level)) return false;
  const ecr_repo_set *rs = &r->repo_sets[f->repo_set];
  return !(rs->n == 1 && strcmp(rs->repositories[0], "*") == 0);
}

static ecr_pic_ink finding_ink(const ecr_finding *f) {
  if (ecr_pic_finding_unused(f)) return ECR_INK_UNUSED;
  return f->decision == ECR_DECISION_ALLOW ? ECR_INK_ALLOW : ECR_INK_CONDITIONAL;
}

/* Two inks of one folded thing: the same one, or mixed. */
static ecr_pic_ink ink_merge(ecr_pic_ink a, ecr_pic_ink b) {
  return a == b ? a : ECR_INK_MIXED;
}

/* Repository signatures over the findings finding_counts accepts. */
typedef struct rsig {
  uint64_t a, b;
  size_t n; /* findings */
} rsig;

static rsig *repo_sigs(pctx *c, bool write_only) {
  const ecr_report *r = c->r;
  rsig *per_set = ecr_xcalloc(r->n_repo_sets ? r->n_repo_sets : 1, sizeof(rsig));
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    if (!finding_counts(r, f, write_only) || (!write_only && !ecr_pic_finding_direct(f))) continue;
    uint64_t h = str_hash(f->principal);
    h = mix64(h ^ ((uint64_t)f->access_level << 8) ^ ((uint64_t)finding_ink(f) << 16));
    per_set[f->repo_set].a += h;
    per_set[f->repo_set].b += mix64(h + 0x9e3779b97f4a7c15ULL);
    per_set[f->repo_set].n++;
  }
  rsig *sig = ecr_xcalloc(r->n_repo_views ? r->n_repo_views : 1, sizeof(rsig));
  for (size_t s = 0; s < r->n_repo_sets; s++) {
    if (!per_set[s].n) continue;
    const set_repos *sr = set_of(c, s);
    for (size_t k = 0; k < sr->n; k++) {
      rsig *d = &sig[sr->idx[k]];
      d->a += per_set[s].a;
      d->b += per_set[s].b;
      d->n += per_set[s].n;
    }
  }
  free(per_set);
  return sig;
}

/* Repository groups: members ascending, groups ordered by findings (desc),
 * then by their first repository. */
typedef struct rgroup {
  size_t *repos;
  size_t n;
  size_t weight;
} rgroup;

static int sig_cmp(const void *x, const void *y, void *ctx) {
  const rsig *s = ctx;
  size_t i = *(const size_t *)x, j = *(const size_t *)y;
  if (s[i].a != s[j].a) return s[i].a < s[j].a ? -1 : 1;
  if (s[i].b != s[j].b) return s[i].b < s[j].b ? -1 : 1;
  if (s[i].n != s[j].n) return s[i].n < s[j].n ? -1 : 1;
  return i < j ? -1 : i > j;
}

static int group_cmp(const void *x, const void *y) {
  const rgroup *a = x, *b = y;
  if (a->weight != b->weight) return a->weight > b->weight ? -1 : 1;
  if (a->n != b->n) return a->n > b->n ? -1 : 1;
  return a->repos[0] < b->repos[0] ? -1 : a->repos[0] > b->repos[0];
}

/* Heat map columns: the largest groups first. */
static int group_size_cmp(const void *x, const void *y) {
  const rgroup *a = x, *b = y;
  if (a->n != b->n) return a->n > b->n ? -1 : 1;
  if (a->weight != b->weight) return a->weight > b->weight ? -1 : 1;
  return a->repos[0] < b->repos[0] ? -1 : a->repos[0] > b->repos[0];
}

static rgroup *repo_groups(const ecr_report *r, const rsig *sig, size_t *n_out, size_t *group_of,
                           bool by_size) {
  size_t n = 0;
  size_t *idx = ecr_xcalloc(r->n_repo_views ? r->n_repo_views : 1, sizeof(size_t));
  for (size_t i = 0; i < r->n_repo_views; i++)
    if (sig[i].n) idx[n++] = i;
  ecr_sort_idx(idx, n, sig_cmp, (void *)sig);
  rgroup *g = NULL;
  size_t ng = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && sig[idx[j]].a == sig[idx[i]].a && sig[idx[j]].b == sig[idx[i]].b &&
           sig[idx[j]].n == sig[idx[i]].n)
      j++;
    g = ecr_xrealloc(g, (ng + 1) * sizeof(rgroup));
    g[ng].n = j - i;
    g[ng].repos = ecr_xcalloc(j - i, sizeof(size_t));
    memcpy(g[ng].repos, idx + i, (j - i) * sizeof(size_t));
    g[ng].weight = sig[idx[i]].n;
    /* members come sorted by index within equal signatures */
    ng++;
    i = j;
  }
  free(idx);
  if (ng) qsort(g, ng, sizeof(rgroup), by_size ? group_size_cmp : group_cmp);
  if (group_of) {
    for (size_t i = 0; i < r->n_repo_views; i++) group_of[i] = SIZE_MAX;
    for (size_t k = 0; k < ng; k++)
      for (size_t m = 0; m < g[k].n; m++) group_of[g[k].repos[m]] = k;
  }
  *n_out = ng;
  return g;
}

static void groups_free(rgroup *g, size_t n) {
  for (size_t i = 0; i < n; i++) free(g[i].repos);
  free(g);
}

/* ---- one graph ------------------------------------------------------------------- */
typedef struct gnode {
  const char *name; /* borrowed (report or hops) */
  ecr_pic_node_kind kind;
  int level;                     /* longest chain to the repository: 1 = writes directly */
  size_t rep;                    /* after folding: the node it was folded into (itself otherwise) */
  size_t count;                  /* principals */
  bool unused;                   /* every grant behind it is unused */
  bool has_in;                   /* some hop leads to it */
  bool approx;                   /* its count may count a principal once per role it can assume */
  char *label, *caption, *title; /* for group / more nodes (owned) */
} gnode;

typedef struct gedge {
  size_t from, to;
  ecr_pic_ink ink;
  bool assume;
} gedge;

typedef struct graph {
  gnode *n;
  size_t nn, cap_n;
  gedge *e;
  size_t ne, cap_e;
  smap names;
} graph;

static size_t g_node(graph *g, const char *name, bool *fresh) {
  size_t *slot = smap_slot(&g->names, name, fresh);
  if (!*fresh) return *slot;
  ecr_grow((void **)&g->n, &g->cap_n, g->nn + 1, sizeof(gnode));
  gnode *n = &g->n[g->nn];
  memset(n, 0, sizeof(*n));
  n->name = name;
  n->kind = ECR_NODE_PRINCIPAL;
  n->rep = g->nn;
  n->count = 1;
  n->unused = true;
  *slot = g->nn;
  return g->nn++;
}

static void g_edge(graph *g, size_t from, size_t to, ecr_pic_ink ink, bool assume) {
  ecr_grow((void **)&g->e, &g->cap_e, g->ne + 1, sizeof(gedge));
  g->e[g->ne++] = (gedge){from, to, ink, assume};
}

static int edge_cmp(const void *x, const void *y) {
  const gedge *a = x, *b = y;
  if (a->from != b->from) return a->from < b->from ? -1 : 1;
  if (a->to != b->to) return a->to < b->to ? -1 : 1;
  return (int)a->assume - (int)b->assume;
}

/* Edges with folded endpoints, duplicates merged. */
static void edges_fold(graph *g) {
  size_t o = 0;
  for (size_t i = 0; i < g->ne; i++) {
    gedge e = g->e[i];
    e.from = g->n[e.from].rep;
    e.to = g->n[e.to].rep;
    if (e.from == e.to) continue;
    g->e[o++] = e;
  }
  g->ne = o;
  if (o) qsort(g->e, o, sizeof(gedge), edge_cmp);
  o = 0;
  for (size_t i = 0; i < g->ne; i++) {
    if (o && g->e[o - 1].from == g->e[i].from && g->e[o - 1].to == g->e[i].to &&
        g->e[o - 1].assume == g->e[i].assume) {
      g->e[o - 1].ink = ink_merge(g->e[o - 1].ink, g->e[i].ink);
      continue;
    }
    g->e[o++] = g->e[i];
  }
  g->ne = o;
}

/* Column order: roles on chains first, then by principals (desc), name. */
static int col_cmp(const void *x, const void *y, void *ctx) {
  const graph *g = ctx;
  const gnode *a = &g->n[*(const size_t *)x], *b = &g->n[*(const size_t *)y];
  int ka = a->kind == ECR_NODE_MORE, kb = b->kind == ECR_NODE_MORE;
  if (ka != kb) return ka - kb;
  if (a->has_in != b->has_in) return a->has_in ? -1 : 1;
  if (a->count != b->count) return a->count > b->count ? -1 : 1;
  const char *na = a->title ? a->title : a->name, *nb = b->title ? b->title : b->name;
  return strcmp(na, nb);
}

static int sig_idx_cmp(const void *x, const void *y, void *ctx) {
  const uint64_t *s = ctx;
  size_t i = *(const size_t *)x, j = *(const size_t *)y;
  if (s[i] != s[j]) return s[i] < s[j] ? -1 : 1;
  return i < j ? -1 : i > j;
}

static size_t fold_new(graph *g, ecr_pic_node_kind kind, int level) {
  ecr_grow((void **)&g->n, &g->cap_n, g->nn + 1, sizeof(gnode));
  gnode *n = &g->n[g->nn];
  memset(n, 0, sizeof(*n));
  n->kind = kind;
  n->level = level;
  n->rep = g->nn;
  n->unused = true;
  return g->nn++;
}

static void fold_into(graph *g, size_t member, size_t into) {
  g->n[member].rep = into;
  g->n[into].count += g->n[member].count;
  g->n[into].unused = g->n[into].unused && g->n[member].unused;
  g->n[into].has_in = g->n[into].has_in || g->n[member].has_in;
  g->n[into].approx = g->n[into].approx || g->n[member].approx;
}

/* Label a "more" node of `folded` boxes (plural: the template naming what
 * they are). */
static void more_label(graph *g, size_t more, size_t folded, const char *plural) {
  char num[32], boxes[32];
  fmt_count(g->n[more].count, num);
  fmt_count(folded, boxes);
  const char *kv[] = {"n", num, "boxes", boxes, NULL};
  if (g->n[more].approx) {
    g->n[more].label = ecr_text("picture/more-boxes", kv);
    g->n[more].caption = ecr_xstrdup(ecr_label("picture/more-boxes-caption"));
    g->n[more].title = ecr_text("picture/more-boxes-title", kv);
  } else {
    g->n[more].label = ecr_text("picture/more", kv);
    g->n[more].caption = ecr_xstrdup(ecr_label(plural));
    g->n[more].title = ecr_text("picture/more-title", kv);
  }
}

/* At most ECR_PIC_COL_MAX nodes on one level: first principals with the same
 * edges and no hop into them become one group node, then the smallest are
 * folded into "and K more". */
static void fold_level(graph *g, int level, const char *plural) {
  size_t n = 0;
  size_t *idx = ecr_xcalloc(g->nn + 1, sizeof(size_t));
  for (size_t i = 0; i < g->nn; i++)
    if (g->n[i].rep == i && g->n[i].level == level && g->n[i].kind != ECR_NODE_REPO) idx[n++] = i;
  if (n <= ECR_PIC_COL_MAX) {
    free(idx);
    return;
  }
  /* boxes whose every arrow leads into an "and K more" box (of the level to
     the right, folded first) go into one such box too */
  {
    unsigned char *keep = ecr_xcalloc(g->nn + 1, 1);
    unsigned char *out = ecr_xcalloc(g->nn + 1, 1);
    for (size_t k = 0; k < g->ne; k++) {
      out[g->e[k].from] = 1;
      if (g->n[g->e[k].to].kind != ECR_NODE_MORE) keep[g->e[k].from] = 1;
    }
    size_t orphan = SIZE_MAX, folded = 0, o = 0;
    for (size_t k = 0; k < n; k++) {
      size_t i = idx[k];
      if (out[i] && !keep[i]) {
        if (orphan == SIZE_MAX) orphan = fold_new(g, ECR_NODE_MORE, level);
        fold_into(g, i, orphan);
        folded++;
      } else {
        idx[o++] = i;
      }
    }
    if (orphan != SIZE_MAX) more_label(g, orphan, folded, "picture/principals-and-roles");
    n = o;
    free(keep);
    free(out);
  }
  uint64_t *sig = ecr_xcalloc(g->nn + 1, sizeof(uint64_t));
  size_t m = 0;
  size_t *leaf = ecr_xcalloc(n, sizeof(size_t));
  /* out-edge signatures (targets and inks), one pass over the edges */
  for (size_t k = 0; k < g->ne; k++) {
    const gedge *e = &g->e[k];
    sig[e->from] += mix64(((uint64_t)e->to << 8) ^ ((uint64_t)e->ink << 1) ^ e->assume);
  }
  for (size_t k = 0; k < n; k++)
    if (!g->n[idx[k]].has_in) {
      sig[idx[k]] += str_hash(kind_of(g->n[idx[k]].name));
      leaf[m++] = idx[k];
    }
  ecr_sort_idx(leaf, m, sig_idx_cmp, sig);
  size_t live = n;
  for (size_t a = 0; a < m;) {
    size_t b = a + 1;
    while (b < m && sig[leaf[b]] == sig[leaf[a]]) b++;
    if (b - a >= 2) {
      size_t grp = fold_new(g, ECR_NODE_GROUP, level);
      const char *kind = kind_of(g->n[leaf[a]].name);
      for (size_t k = a; k < b; k++) fold_into(g, leaf[k], grp);
      char num[32];
      fmt_count(b - a, num);
      g->n[grp].label = ecr_xasprintf("%s %s%s", num, kind, b - a == 1 ? "" : "s");
      char *ex = short_name(g->n[leaf[a]].name);
      const char *ckv[] = {"example", ex, NULL};
      g->n[grp].caption = ecr_text("picture/group-caption", ckv);
      free(ex);
      const char *tkv[] = {"n", num, "kind", kind_caption(kind), "example", g->n[leaf[a]].name,
                           NULL};
      g->n[grp].title = ecr_text("picture/group-title", tkv);
      live -= b - a - 1;
    }
    a = b;
  }
  free(leaf);
  free(sig);
  if (live > ECR_PIC_COL_MAX) {
    size_t k2 = 0;
    for (size_t i = 0; i < g->nn; i++)
      if (g->n[i].rep == i && g->n[i].level == level && g->n[i].kind != ECR_NODE_REPO)
        idx[k2++] = i;
    /* idx has room: g->nn grew by the group nodes, n >= live */
    ecr_sort_idx(idx, k2, col_cmp, g);
    size_t more = fold_new(g, ECR_NODE_MORE, level);
    size_t folded = 0;
    for (size_t k = ECR_PIC_COL_MAX - 1; k < k2; k++) {
      fold_into(g, idx[k], more);
      folded++;
    }
    more_label(g, more, folded, plural);
  }
  free(idx);
}

static void picture_free_one(ecr_picture *p);

static void node_out(ecr_pic_node *o, const gnode *n) {
  o->kind = n->kind;
  o->count = n->count;
  o->unused = n->unused;
  if (n->kind == ECR_NODE_GROUP || n->kind == ECR_NODE_MORE) {
    o->label = shorten(n->label, ECR_PIC_LABEL_CHARS);
    o->caption = shorten(n->caption, ECR_PIC_LABEL_CHARS + 8);
    o->title = shorten(n->title, ECR_PIC_TITLE_CHARS);
    return;
  }
  o->label = short_name(n->name);
  const char *kind = kind_of(n->name);
  o->caption = ecr_xstrdup(n->kind == ECR_NODE_ROLE ? ecr_label("picture/role-assumed")
                                                    : kind_caption(kind));
  o->title = shorten(n->name, ECR_PIC_TITLE_CHARS);
}

static void build_graph(pctx *c, const rgroup *grp, size_t number, ecr_picture *out) {
  const ecr_report *r = c->r;
  graph g = {0};
  size_t rep = grp->repos[0];
  bool fresh;
  /* the repository node: index 0 */
  size_t repo = g_node(&g, r->repositories[rep].arn, &fresh);
  g.n[repo].kind = ECR_NODE_REPO;
  g.n[repo].level = 0;
  g.n[repo].unused = false;

  /* direct writers */
  size_t n_writers = 0;
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    if (!finding_counts(r, f, false) || !ecr_pic_finding_direct(f) || !set_has(c, f->repo_set, rep))
      continue;
    size_t w = g_node(&g, f->principal, &fresh);
    if (fresh) n_writers++;
    bool unused = ecr_pic_finding_unused(f);
    g.n[w].unused = g.n[w].unused && unused;
    g.n[w].level = 1;
    g_edge(&g, w, repo, finding_ink(f), false);
  }
  /* chains: hops into the graph's roles, up to ECR_PATHS_MAX_HOPS deep */
  size_t frontier_lo = 1, frontier_hi = g.nn;
  for (int depth = 0; depth < ECR_PATHS_MAX_HOPS && c->n_rins && frontier_lo < frontier_hi;
       depth++) {
    for (size_t i = frontier_lo; i < frontier_hi; i++) {
      const char *role = g.n[i].name;
      if (!role || !strstr(role, ":role/")) continue;
      const size_t *ri = smap_find(&c->rin_by_name, role);
      if (!ri) continue;
      const rin *in = &c->rins[*ri];
      g.n[i].has_in = true;
      g.n[i].kind = ECR_NODE_ROLE;
      if (in->count > ECR_PIC_COL_MAX) { /* one box for all of them */
        size_t agg = fold_new(&g, ECR_NODE_GROUP, 0);
        char num[32];
        fmt_count(in->count, num);
        g.n[agg].name = AGG_NAME;
        g.n[agg].count = in->count;
        g.n[agg].unused = false;
        g.n[agg].approx = true;
        const char *akv[] = {"n", num, NULL};
        g.n[agg].label = ecr_text("picture/agg", akv);
        g.n[agg].caption = ecr_xstrdup(ecr_label("picture/agg-caption"));
        g.n[agg].title = ecr_text("picture/agg-title", akv);
        g_edge(&g, agg, i, in->ink, true);
        continue;
      }
      for (size_t k = 0; k < in->count; k++) {
        if (strcmp(in->from[k], role) == 0) continue;
        size_t from = g_node(&g, in->from[k], &fresh);
        if (from == repo) continue;
        g.n[from].unused = false; /* hops carry no usage evidence */
        g_edge(&g, from, i, in->from_ink[k], true);
      }
    }
    frontier_lo = frontier_hi;
    frontier_hi = g.nn;
  }
  /* levels: the longest chain to the repository (bounded: cycles stop at 6) */
  for (int it = 0; it < 6; it++) {
    bool changed = false;
    for (size_t k = 0; k < g.ne; k++) {
      const gedge *e = &g.e[k];
      int want = g.n[e->to].level + 1;
      if (want <= 6 && g.n[e->from].level < want) {
        g.n[e->from].level = want;
        changed = true;
      }
    }
    if (!changed) break;
  }
  int max_level = 1;
  for (size_t i = 0; i < g.nn; i++)
    if (g.n[i].level > max_level) max_level = g.n[i].level;
  for (int l = 1; l <= max_level; l++) { /* from the repository outwards */
    fold_level(&g, l,
               l == 1 && max_level == 1 ? "picture/principals" : "picture/principals-and-roles");
    edges_fold(&g);
  }

  /* output: nodes per column (column 0 = the longest chains), in column order */
  out->kind = ECR_PIC_GRAPH;
  out->id = ecr_xasprintf("pic-graph-%zu", number);
  out->n_repos = grp->n;
  out->n_writers = n_writers;
  size_t *map = ecr_xcalloc(g.nn, sizeof(size_t));
  size_t *col = ecr_xcalloc(g.nn, sizeof(size_t));
  size_t live = 0;
  for (size_t i = 0; i < g.nn; i++)
    if (g.n[i].rep == i) live++;
  out->nodes = ecr_xcalloc(live, sizeof(ecr_pic_node));
  size_t tallest = 0;
  int n_cols = max_level + 1;
  for (int cix = 0; cix < n_cols; cix++) {
    int level = max_level - cix;
    size_t n = 0;
    for (size_t i = 0; i < g.nn; i++)
      if (g.n[i].rep == i && g.n[i].level == level) col[n++] = i;
    ecr_sort_idx(col, n, col_cmp, &g);
    if (n > tallest) tallest = n;
    for (size_t k = 0; k < n; k++) {
      ecr_pic_node *o = &out->nodes[out->n_nodes];
      node_out(o, &g.n[col[k]]);
      o->column = cix;
      o->x = ECR_PIC_MARGIN + cix * (ECR_PIC_NODE_W + ECR_PIC_COL_GAP);
      o->y = k; /* row; centred below */
      o->w = ECR_PIC_NODE_W;
      o->h = ECR_PIC_NODE_H;
      map[col[k]] = out->n_nodes++;
    }
  }
  double pitch = ECR_PIC_NODE_H + ECR_PIC_ROW_GAP;
  double inner = tallest * pitch - ECR_PIC_ROW_GAP;
  for (int cix = 0; cix < n_cols; cix++) {
    size_t n = 0;
    for (size_t i = 0; i < out->n_nodes; i++)
      if (out->nodes[i].column == cix) n++;
    double off = (inner - (n * pitch - ECR_PIC_ROW_GAP)) / 2;
    for (size_t i = 0; i < out->n_nodes; i++)
      if (out->nodes[i].column == cix)
        out->nodes[i].y = ECR_PIC_MARGIN + 14 + off + out->nodes[i].y * pitch;
  }
  /* the repository node names the group */
  ecr_pic_node *rn = &out->nodes[map[repo]];
  free(rn->caption);
  if (grp->n > 1) {
    char num[32];
    fmt_count(grp->n - 1, num);
    const char *kv[] = {"region",
                        r->repositories[rep].region ? r->repositories[rep].region
                                                    : ecr_label("picture/repository"),
                        "n", num, NULL};
    rn->caption = ecr_text("picture/repo-caption-more", kv);
  } else {
    const char *kv[] = {"region", r->repositories[rep].region ? r->repositories[rep].region : "",
                        NULL};
    rn->caption = ecr_text("picture/repo-caption", kv);
  }
  free(rn->label);
  rn->label = shorten(repo_name(r, rep), ECR_PIC_LABEL_CHARS);

  out->width = 2 * ECR_PIC_MARGIN + n_cols * ECR_PIC_NODE_W + (n_cols - 1) * ECR_PIC_COL_GAP;
  out->height = 2 * ECR_PIC_MARGIN + 14 + inner;
  out->edges = ecr_xcalloc(g.ne ? g.ne : 1, sizeof(ecr_pic_edge));
  for (size_t k = 0; k < g.ne; k++) {
    const gedge *e = &g.e[k];
    ecr_pic_edge *o = &out->edges[out->n_edges++];
    o->from = map[e->from];
    o->to = map[e->to];
    o->ink = e->ink;
    o->assume = e->assume;
    o->label = ecr_pic_ink_name(e->ink);
    const ecr_pic_node *a = &out->nodes[o->from], *b = &out->nodes[o->to];
    o->x1 = a->x + a->w;
    o->y1 = a->y + a->h / 2;
    o->x2 = b->x;
    o->y2 = b->y + b->h / 2;
    if (b->column <= a->column) { /* a hop within a column or back: left side to left side */
      o->x1 = a->x;
      o->x2 = b->x;
    }
    /* grants converge on the repository, and each source has one: their
       labels sit by the source; hops, half way, where they are still apart */
    if (b->kind == ECR_NODE_REPO) {
      o->lx = o->x1 + 24;
      o->ly = o->y1;
    } else {
      o->lx = (o->x1 + o->x2) / 2;
      o->ly = (o->y1 + o->y2) / 2;
    }
    if (b->column <= a->column) o->lx = a->x - 24;
  }
  /* edges in drawing order: by source position */
  char *rname = r->repositories[rep].region
                    ? ecr_xasprintf("%s (%s)", repo_name(r, rep), r->repositories[rep].region)
                    : ecr_xstrdup(repo_name(r, rep));
  {
    char *fixed = shorten(rname, ECR_PIC_TITLE_CHARS);
    free(rname);
    rname = fixed;
  }
  char wr[32], more[32];
  fmt_count(n_writers, wr);
  fmt_count(grp->n - 1, more);
  const char *tkv[] = {"repo", rname, "n", more, "writers", wr, NULL};
  out->title = ecr_text(grp->n > 1 ? "picture/graph-title-more" : "picture/graph-title", tkv);
  out->desc = ecr_text(grp->n > 1 ? "picture/graph-desc-more" : "picture/graph-desc", tkv);
  /* text equivalent: one line per edge */
  for (size_t k = 0; k < out->n_edges; k++) {
    const ecr_pic_edge *e = &out->edges[k];
    const ecr_pic_node *a = &out->nodes[e->from], *b = &out->nodes[e->to];
    const char *kv[] = {"from", a->title, "to", b->title, "ink", ecr_pic_ink_name(e->ink), NULL};
    text_add(out, ecr_text(e->assume ? "picture/edge-assume" : "picture/edge-write", kv));
  }
  if (grp->n > 1) {
    ecr_buf b;
    ecr_buf_init(&b);
    size_t show = grp->n - 1 < 10 ? grp->n - 1 : 10;
    for (size_t k = 1; k <= show; k++) {
      char *nm = shorten(repo_name(r, grp->repos[k]), ECR_PIC_TITLE_CHARS);
      ecr_buf_printf(&b, "%s%s", k > 1 ? ", " : "", nm);
      free(nm);
    }
    if (grp->n - 1 > show) {
      char rest[32];
      snprintf(rest, sizeof(rest), "%zu", grp->n - 1 - show);
      const char *rkv[] = {"n", rest, NULL};
      char *t = ecr_text("picture/more", rkv);
      ecr_buf_printf(&b, " %s", t);
      free(t);
    }
    const char *kv[] = {"n", more, "repos", b.data ? b.data : "", NULL};
    text_add(out, ecr_text("picture/same-writers", kv));
    ecr_buf_cleanup(&b);
  }
  free(rname);
  free(map);
  free(col);
  for (size_t i = 0; i < g.nn; i++) {
    free(g.n[i].label);
    free(g.n[i].caption);
    free(g.n[i].title);
  }
  free(g.n);
  free(g.e);
  smap_free(&g.names);
}

/* ---- the Write heat map --------------------------------------------------------------- */
typedef struct hprof {
  uint64_t a, b;
  size_t principal; /* view index */
} hprof;

static int hprof_cmp(const void *x, const void *y) {
  const hprof *p = x, *q = y;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  if (p->b != q->b) return p->b < q->b ? -1 : 1;
  return p->principal < q->principal ? -1 : p->principal > q->principal;
}

typedef struct hrow {
  size_t first, count; /* first member (view index), members */
  size_t cells;        /* columns with access */
  size_t orig;         /* index before sorting (its cells) */
} hrow;

static int hrow_cmp(const void *x, const void *y) {
  const hrow *p = x, *q = y;
  if (p->count != q->count) return p->count > q->count ? -1 : 1;
  if (p->cells != q->cells) return p->cells > q->cells ? -1 : 1;
  return p->first < q->first ? -1 : p->first > q->first;
}

/* The column groups of each repository set (distinct, ascending). */
typedef struct set_groups {
  size_t *g;
  size_t n;
  bool done;
} set_groups;

static const set_groups *groups_of_set(pctx *c, set_groups *sg, size_t s, const size_t *group_of,
                                       unsigned char *mark) {
  set_groups *o = &sg[s];
  if (o->done) return o;
  o->done = true;
  const set_repos *sr = set_of(c, s);
  o->g = ecr_xcalloc(sr->n ? sr->n : 1, sizeof(size_t));
  for (size_t k = 0; k < sr->n; k++) {
    size_t g = group_of[sr->idx[k]];
    if (g == SIZE_MAX || mark[g]) continue;
    mark[g] = 1;
    o->g[o->n++] = g;
  }
  for (size_t k = 0; k < o->n; k++) mark[o->g[k]] = 0;
  return o;
}

/* The ink of (row member p, column group g): none when p has no Write there. */
static void row_cells(pctx *c, set_groups *sg, const size_t *group_of, unsigned char *mark,
                      const ecr_principal_view *pv, const size_t *col_of, size_t n_cols,
                      ecr_pic_ink *cells) {
  const ecr_report *r = c->r;
  for (size_t k = 0; k < pv->n_findings; k++) {
    if (pv->findings[k] >= r->n_findings) continue;
    const ecr_finding *f = &r->findings[pv->findings[k]];
    if (!finding_counts(r, f, true)) continue;
    const set_groups *gs = groups_of_set(c, sg, f->repo_set, group_of, mark);
    for (size_t j = 0; j < gs->n; j++) {
      size_t col = col_of[gs->g[j]];
      if (col >= n_cols) continue;
      ecr_pic_ink ink = finding_ink(f);
      cells[col] = cells[col] == ECR_INK_NONE ? ink : ink_merge(cells[col], ink);
    }
  }
}

static void build_heatmap(pctx *c, ecr_picture *out) {
  const ecr_report *r = c->r;
  rsig *sig = repo_sigs(c, true);
  size_t *group_of = ecr_xcalloc(r->n_repo_views ? r->n_repo_views : 1, sizeof(size_t));
  size_t ng = 0;
  rgroup *grp = repo_groups(r, sig, &ng, group_of, true);
  free(sig);
  set_groups *sg = ecr_xcalloc(r->n_repo_sets ? r->n_repo_sets : 1, sizeof(set_groups));
  unsigned char *mark = ecr_xcalloc(ng ? ng : 1, 1);

  /* profiles: per principal, the sum over its Write (group, ink) pairs */
  hprof *pr = ecr_xcalloc(r->n_principal_views ? r->n_principal_views : 1, sizeof(hprof));
  size_t np = 0;
  for (size_t i = 0; i < r->n_principal_views; i++) {
    const ecr_principal_view *pv = &r->principals[i];
    uint64_t a = 0, b = 0;
    bool any = false;
    for (size_t k = 0; k < pv->n_findings; k++) {
      if (pv->findings[k] >= r->n_findings) continue;
      const ecr_finding *f = &r->findings[pv->findings[k]];
      if (!finding_counts(r, f, true)) continue;
      const set_groups *gs = groups_of_set(c, sg, f->repo_set, group_of, mark);
      for (size_t j = 0; j < gs->n; j++) {
        uint64_t h = mix64(((uint64_t)gs->g[j] << 4) ^ (uint64_t)finding_ink(f));
        a += h;
        b += mix64(h ^ 0x9e3779b97f4a7c15ULL);
        any = true;
      }
    }
    if (any) pr[np++] = (hprof){a, b, i};
  }
  if (np) qsort(pr, np, sizeof(hprof), hprof_cmp);
  hrow *rows = NULL;
  size_t nrows = 0;
  for (size_t i = 0; i < np;) {
    size_t j = i + 1;
    while (j < np && pr[j].a == pr[i].a && pr[j].b == pr[i].b) j++;
    rows = ecr_xrealloc(rows, (nrows + 1) * sizeof(hrow));
    rows[nrows++] = (hrow){pr[i].principal, j - i, 0, 0};
    i = j;
  }
  free(pr);

  /* columns: the groups, largest first (repo_groups' order), capped */
  size_t n_cols = ng > ECR_HEAT_COLS_MAX ? ECR_HEAT_COLS_MAX : ng;
  bool more_col = ng > ECR_HEAT_COLS_MAX;
  size_t *col_of = ecr_xcalloc(ng ? ng : 1, sizeof(size_t));
  for (size_t k = 0; k < ng; k++) col_of[k] = k < n_cols - (more_col ? 1 : 0) ? k : n_cols - 1;

  /* cells per row (computed for every row: the sort needs the width) */
  ecr_pic_ink *all = ecr_xcalloc((nrows ? nrows : 1) * (n_cols ? n_cols : 1), sizeof(ecr_pic_ink));
  for (size_t i = 0; i < nrows; i++) {
    ecr_pic_ink *cells = all + i * n_cols;
    for (size_t k = 0; k < n_cols; k++) cells[k] = ECR_INK_NONE;
    row_cells(c, sg, group_of, mark, &r->principals[rows[i].first], col_of, n_cols, cells);
    for (size_t k = 0; k < n_cols; k++) rows[i].cells += cells[k] != ECR_INK_NONE;
  }
  /* sort rows (each keeps its cells through orig) */
  for (size_t i = 0; i < nrows; i++) rows[i].orig = i;
  if (nrows) qsort(rows, nrows, sizeof(hrow), hrow_cmp);
  size_t shown = nrows > ECR_HEAT_ROWS_MAX ? ECR_HEAT_ROWS_MAX - 1 : nrows;
  bool more_row = nrows > ECR_HEAT_ROWS_MAX;
  out->kind = ECR_PIC_HEATMAP;
  out->id = ecr_xstrdup("pic-heatmap");
  out->n_rows = shown + (more_row ? 1 : 0);
  out->n_cols = n_cols;
  out->rows = ecr_xcalloc(out->n_rows ? out->n_rows : 1, sizeof(ecr_heat_row));
  out->cols = ecr_xcalloc(n_cols ? n_cols : 1, sizeof(ecr_heat_col));
  out->cells =
      ecr_xcalloc((out->n_rows ? out->n_rows : 1) * (n_cols ? n_cols : 1), sizeof(ecr_pic_ink));
  size_t total_principals = 0;
  for (size_t i = 0; i < nrows; i++) total_principals += rows[i].count;
  for (size_t i = 0; i < out->n_rows; i++) {
    ecr_heat_row *o = &out->rows[i];
    ecr_pic_ink *cells = out->cells + i * n_cols;
    char num[32];
    if (i < shown) {
      fmt_count(rows[i].count, num);
      o->count = rows[i].count;
      char idx[32];
      snprintf(idx, sizeof(idx), "%zu", i + 1);
      const char *kv[] = {"i", idx, "n", num, NULL};
      o->label = ecr_text(rows[i].count == 1 ? "picture/heat-row" : "picture/heat-row-many", kv);
      char *ex = short_name(r->principals[rows[i].first].principal);
      o->example = shorten(ex, 20);
      free(ex);
      memcpy(cells, all + rows[i].orig * n_cols, n_cols * sizeof(ecr_pic_ink));
    } else {
      size_t cnt = 0;
      for (size_t k = 0; k < n_cols; k++) cells[k] = ECR_INK_NONE;
      /* the folded rows: recompute their cells from their first members */
      for (size_t k = shown; k < nrows; k++) {
        cnt += rows[k].count;
        ecr_pic_ink *tmp = ecr_xcalloc(n_cols ? n_cols : 1, sizeof(ecr_pic_ink));
        for (size_t m = 0; m < n_cols; m++) tmp[m] = ECR_INK_NONE;
        row_cells(c, sg, group_of, mark, &r->principals[rows[k].first], col_of, n_cols, tmp);
        for (size_t m = 0; m < n_cols; m++)
          if (tmp[m] != ECR_INK_NONE)
            cells[m] = cells[m] == ECR_INK_NONE ? tmp[m] : ink_merge(cells[m], tmp[m]);
        free(tmp);
      }
      char profs[32];
      fmt_count(cnt, num);
      fmt_count(nrows - shown, profs);
      o->count = cnt;
      o->more = true;
      const char *pkv[] = {"n", profs, NULL}, *nkv[] = {"n", num, NULL};
      o->label = ecr_text("picture/more-profiles", pkv);
      o->example = ecr_text("picture/agg", nkv);
    }
  }
  for (size_t k = 0; k < ng; k++) {
    size_t col = col_of[k];
    ecr_heat_col *o = &out->cols[col];
    o->count += grp[k].n; /* the "more" column counts its repositories here too */
    if (more_col && col == n_cols - 1) continue;
    o->label = ecr_xasprintf("R%zu", k + 1);
    o->example = shorten(repo_name(r, grp[k].repos[0]), ECR_PIC_LABEL_CHARS);
  }
  if (more_col) {
    ecr_heat_col *o = &out->cols[n_cols - 1];
    o->more = true;
    o->label = ecr_xstrdup("R+");
    char n[32];
    snprintf(n, sizeof(n), "%zu", ng - (n_cols - 1));
    const char *kv[] = {"n", n, NULL};
    o->example = ecr_text("picture/more-groups", kv);
  }
  /* layout: labels left, column ids on top, the legend of columns below */
  out->grid_x = ECR_PIC_MARGIN + ECR_HEAT_LABEL_W;
  out->grid_y = ECR_PIC_MARGIN + 28;
  double grid_w = n_cols * ECR_HEAT_CELL;
  out->width = out->grid_x + (grid_w > 160 ? grid_w : 160) + ECR_PIC_MARGIN;
  if (out->width < 5 * 120.0 + 2 * ECR_PIC_MARGIN) /* room for the legend */
    out->width = 5 * 120.0 + 2 * ECR_PIC_MARGIN;
  size_t legend_rows = (n_cols + 1) / 2;
  out->height =
      out->grid_y + out->n_rows * ECR_HEAT_CELL + 16 + legend_rows * 12 + 18 + ECR_PIC_MARGIN;

  char np_s[32], nr_s[32], ng_s[32], nrepo_s[32];
  fmt_count(total_principals, np_s);
  fmt_count(nrows, nr_s);
  fmt_count(ng, ng_s);
  size_t n_write_repos = 0;
  for (size_t k = 0; k < ng; k++) n_write_repos += grp[k].n;
  fmt_count(n_write_repos, nrepo_s);
  out->title = ecr_xstrdup(ecr_label("picture/heat-title"));
  const char *dkv[] = {"principals", np_s, "rows", nr_s, "repos", nrepo_s, "groups", ng_s, NULL};
  out->desc =
      ecr_text(more_row || more_col ? "picture/heat-desc-folded" : "picture/heat-desc", dkv);
  for (size_t i = 0; i < out->n_rows; i++) {
    ecr_buf b;
    ecr_buf_init(&b);
    char *ex = utf8_copy(out->rows[i].example);
    ecr_buf_printf(&b, "%s (%s):", out->rows[i].label, ex);
    free(ex);
    bool any = false;
    for (int ink = 0; ink < ECR_INK_NONE; ink++) {
      bool first = true;
      for (size_t k = 0; k < n_cols; k++) {
        if (out->cells[i * n_cols + k] != (ecr_pic_ink)ink) continue;
        if (first) {
          const char *kv[] = {"ink", ecr_pic_ink_name((ecr_pic_ink)ink), NULL};
          char *on = ecr_text("picture/cell-on", kv);
          ecr_buf_printf(&b, "%s%s ", any ? "; " : " ", on);
          free(on);
        } else
          ecr_buf_puts(&b, ", ");
        ecr_buf_puts(&b, out->cols[k].label);
        first = false;
        any = true;
      }
    }
    if (!any) ecr_buf_printf(&b, " %s", ecr_pic_ink_name(ECR_INK_NONE));
    ecr_buf_putc(&b, '.');
    text_add(out, ecr_buf_steal(&b));
  }
  for (size_t k = 0; k < n_cols; k++) {
    char cnt[32];
    fmt_count(out->cols[k].count, cnt);
    char *ex = utf8_copy(out->cols[k].example);
    const char *kv[] = {"label", out->cols[k].label, "n", cnt, "example", ex, NULL};
    bool one = out->cols[k].count == 1;
    text_add(out, ecr_text(out->cols[k].more
                               ? (one ? "picture/heat-col-more-one" : "picture/heat-col-more-many")
                               : (one ? "picture/heat-col-one" : "picture/heat-col-many"),
                           kv));
    free(ex);
  }
  for (size_t i = 0; i < r->n_repo_sets; i++) free(sg[i].g);
  free(sg);
  free(mark);
  free(all);
  free(rows);
  free(col_of);
  free(group_of);
  groups_free(grp, ng);
}

void ecr_pic_legend_pos(const ecr_picture *p, int k, double *x, double *y) {
  *x = ECR_PIC_MARGIN + k * 120.0;
  *y = p->kind == ECR_PIC_GRAPH ? ECR_PIC_MARGIN + 4 : p->height - ECR_PIC_MARGIN - 6;
}

void ecr_heat_cell_pos(const ecr_picture *p, size_t row, size_t col, double *x, double *y) {
  *x = p->grid_x + col * ECR_HEAT_CELL;
  *y = p->grid_y + row * ECR_HEAT_CELL;
}

void ecr_heat_legend_line(const ecr_picture *p, size_t k, double *x, double *y) {
  size_t half = (p->n_cols + 1) / 2;
  *x = ECR_PIC_MARGIN + (k < half ? 0 : (p->width - 2 * ECR_PIC_MARGIN) / 2);
  *y = p->grid_y + p->n_rows * ECR_HEAT_CELL + 20 + (k < half ? k : k - half) * 12.0;
}

/* ---- public --------------------------------------------------------------------------- */
/* The hops into each role, from the paths engine: one pass over every hop
 * (roles told apart by their ARN pointer, which is the evidence's own). */
static void index_hops(pctx *c, const ecr_paths *paths) {
  size_t cap = 64, n = 0;
  const char **keys = ecr_xcalloc(cap, sizeof(char *));
  size_t *vals = ecr_xcalloc(cap, sizeof(size_t));
  for (size_t i = 0; i < ecr_paths_start_count(paths); i++) {
    const char *from = ecr_paths_start_name(paths, i);
    size_t nh = ecr_paths_hop_count(paths, i);
    for (size_t k = 0; k < nh; k++) {
      ecr_decision d = ECR_DECISION_DENY;
      const char *role = ecr_paths_hop_at(paths, i, k, &d);
      if (!role) continue;
      if (n * 2 >= cap) {
        size_t ncap = cap * 2;
        const char **nk = ecr_xcalloc(ncap, sizeof(char *));
        size_t *nv = ecr_xcalloc(ncap, sizeof(size_t));
        for (size_t j = 0; j < cap; j++) {
          if (!keys[j]) continue;
          size_t q = mix64((uint64_t)(uintptr_t)keys[j]) & (ncap - 1);
          while (nk[q]) q = (q + 1) & (ncap - 1);
          nk[q] = keys[j];
          nv[q] = vals[j];
        }
        free(keys);
        free(vals);
        keys = nk;
        vals = nv;
        cap = ncap;
      }
      size_t q = mix64((uint64_t)(uintptr_t)role) & (cap - 1);
      while (keys[q] && keys[q] != role) q = (q + 1) & (cap - 1);
      if (!keys[q]) {
        keys[q] = role;
        vals[q] = c->n_rins;
        c->rins = ecr_xrealloc(c->rins, (c->n_rins + 1) * sizeof(rin));
        memset(&c->rins[c->n_rins], 0, sizeof(rin));
        c->rins[c->n_rins].role = role;
        c->n_rins++;
        n++;
      }
      rin *in = &c->rins[vals[q]];
      ecr_pic_ink ink = d == ECR_DECISION_ALLOW ? ECR_INK_ALLOW : ECR_INK_CONDITIONAL;
      in->ink = in->count ? ink_merge(in->ink, ink) : ink;
      if (in->count < ECR_PIC_COL_MAX) {
        in->from[in->count] = from;
        in->from_ink[in->count] = ink;
      }
      in->count++;
    }
  }
  free(keys);
  free(vals);
  for (size_t i = 0; i < c->n_rins; i++) {
    bool fresh;
    *smap_slot(&c->rin_by_name, c->rins[i].role, &fresh) = i;
  }
}

ecr_pictures *ecr_pictures_build(const ecr_report *r, const ecr_paths *paths) {
  ecr_pictures *p = ecr_xcalloc(1, sizeof(*p));
  pctx c = {0};
  c.r = r;
  c.sets = ecr_xcalloc(r->n_repo_sets ? r->n_repo_sets : 1, sizeof(set_repos));
  if (paths) index_hops(&c, paths);

  rsig *sig = repo_sigs(&c, false);
  size_t ng = 0;
  rgroup *grp = repo_groups(r, sig, &ng, NULL, false);
  free(sig);
  p->n_groups = ng;
  p->n_graphs = ng < ECR_PIC_GRAPHS_MAX ? ng : ECR_PIC_GRAPHS_MAX;
  p->graphs = ecr_xcalloc(p->n_graphs ? p->n_graphs : 1, sizeof(ecr_picture));
  for (size_t k = 0; k < p->n_graphs; k++) build_graph(&c, &grp[k], k + 1, &p->graphs[k]);
  for (size_t k = p->n_graphs; k < ng; k++) p->n_groups_repos += grp[k].n;
  groups_free(grp, ng);

  build_heatmap(&c, &p->heatmap);
  p->has_heatmap = p->heatmap.n_rows > 0 && p->heatmap.n_cols > 0;

  for (size_t i = 0; i < r->n_repo_sets; i++) free(c.sets[i].idx);
  free(c.sets);
  free(c.rins);
  smap_free(&c.rin_by_name);
  smap_free(&c.repo_by_arn);
  return p;
}

static void picture_free_one(ecr_picture *p) {
  for (size_t i = 0; i < p->n_nodes; i++) {
    free(p->nodes[i].label);
    free(p->nodes[i].caption);
    free(p->nodes[i].title);
  }
  free(p->nodes);
  free(p->edges);
  for (size_t i = 0; i < p->n_rows; i++) {
    free(p->rows[i].label);
    free(p->rows[i].example);
  }
  free(p->rows);
  for (size_t i = 0; i < p->n_cols; i++) {
    free(p->cols[i].label);
    free(p->cols[i].example);
  }
  free(p->cols);
  free(p->cells);
  for (size_t i = 0; i < p->n_text; i++) free(p->text[i]);
  free(p->text);
  free(p->id);
  free(p->title);
  free(p->desc);
}

void ecr_pictures_free(ecr_pictures *p) {
  if (!p) return;
  for (size_t i = 0; i < p->n_graphs; i++) picture_free_one(&p->graphs[i]);
  free(p->graphs);
  picture_free_one(&p->heatmap);
  free(p);
}

const ecr_pictures *ecr_pictures_for(const ecr_report *r, const ecr_render_opts *opts,
                                     ecr_pictures **owned) {
  *owned = NULL;
  if (opts && opts->pictures) return opts->pictures;
  *owned = ecr_pictures_build(r, NULL);
  return *owned;
}

char *ecr_pictures_omitted_text(const ecr_pictures *p) {
  if (p->n_groups <= p->n_graphs) return NULL;
  char g[32], n[32];
  fmt_count(p->n_groups - p->n_graphs, g);
  fmt_count(p->n_groups_repos, n);
  const char *kv[] = {"groups", g, "repos", n, NULL};
  return ecr_text("picture/omitted", kv);
}
