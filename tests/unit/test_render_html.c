/* HTML renderer: render the fixture into memory, parse it back with
 * libxml2's HTML parser and assert on the DOM (sections, anchors, links,
 * accessibility, escaping of hostile text, no foreign scripts or URLs,
 * bounded size for 10,000 findings).
 *
 * With ECR_HTML_OUT_DIR=<dir> set, main() also writes hostile.html,
 * plain.html and large.html there (used by tests/html/test_chromium.sh). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "ecraudit/evaluate.h"
#include "ecraudit/render.h"
#include "fixture.h"
#include "testutil.h"
#include "util/util.h"

/* ---- helpers ------------------------------------------------------------ */

static char *render(const ecr_report *r, size_t detail_limit, size_t *len) {
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_sink sink = {ecr_sink_buf_write, &b};
  ecr_render_opts opts = {0};
  opts.detail_limit = detail_limit;
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = ecr_render_html(r, &opts, &sink, &err);
  if (st != ECR_OK) fprintf(stderr, "render failed: %s\n", err.message);
  assert_int_equal(st, ECR_OK);
  if (len) *len = b.len;
  return ecr_buf_steal(&b);
}

static htmlDocPtr parse(const char *html, size_t len) {
  htmlDocPtr doc = htmlReadMemory(html, (int)len, "report.html", "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  assert_non_null(doc);
  return doc;
}

typedef bool (*node_pred)(xmlNodePtr n, const void *arg);

/* Elements matching pred, in document order. */
typedef struct node_list {
  xmlNodePtr *v;
  size_t n, cap;
} node_list;

static void collect(xmlNodePtr n, node_pred pred, const void *arg, node_list *out) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (pred(n, arg)) ECR_PUSH(out->v, out->n, out->cap, n);
    collect(n->children, pred, arg, out);
  }
}

static bool is_tag(xmlNodePtr n, const void *tag) {
  return xmlStrcasecmp(n->name, BAD_CAST tag) == 0;
}

static bool has_class(xmlNodePtr n, const void *cls) {
  xmlChar *v = xmlGetProp(n, BAD_CAST "class");
  bool eq = v && strcmp((const char *)v, cls) == 0;
  xmlFree(v);
  return eq;
}

static bool any_element(xmlNodePtr n, const void *arg) {
  (void)n;
  (void)arg;
  return true;
}

static node_list find_all(htmlDocPtr doc, node_pred pred, const void *arg) {
  node_list l = {0};
  collect(xmlDocGetRootElement(doc), pred, arg, &l);
  return l;
}

static size_t count_tag(htmlDocPtr doc, const char *tag) {
  node_list l = find_all(doc, is_tag, tag);
  free(l.v);
  return l.n;
}

static char *attr(xmlNodePtr n, const char *name) {
  xmlChar *v = xmlGetProp(n, BAD_CAST name);
  char *s = v ? ecr_xstrdup((const char *)v) : NULL;
  xmlFree(v);
  return s;
}

static bool has_id(xmlNodePtr n, const void *id) {
  char *v = attr(n, "id");
  bool eq = v && strcmp(v, id) == 0;
  free(v);
  return eq;
}

static xmlNodePtr by_id(htmlDocPtr doc, const char *id) {
  node_list l = find_all(doc, has_id, id);
  xmlNodePtr n = l.n == 1 ? l.v[0] : NULL;
  if (l.n > 1) fail_msg("id %s is not unique (%zu)", id, l.n);
  free(l.v);
  return n;
}

/* The text of a subtree. Not xmlNodeGetContent: libxml2 2.9 grows that
 * buffer to the exact size at every text node, so on a report of 10,000
 * findings it copies the whole text again for each node (quadratic; under
 * ASan, where a reallocation is a fresh mapping, minutes of system time). */
static void text_walk(xmlNodePtr n, ecr_buf *b) {
  for (; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content) ecr_buf_puts(b, (const char *)n->content);
    } else if (n->type == XML_ELEMENT_NODE) {
      text_walk(n->children, b);
    }
  }
}

static char *text_of(xmlNodePtr n) {
  ecr_buf b;
  ecr_buf_init(&b);
  if (n && (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)) {
    if (n->content) ecr_buf_puts(&b, (const char *)n->content);
  } else if (n) {
    text_walk(n->children, &b);
  }
  return ecr_buf_steal(&b);
}

static bool has_href(xmlNodePtr n, const void *href) {
  char *v = attr(n, "href");
  bool eq = v && strcmp(v, href) == 0 && is_tag(n, "a");
  free(v);
  return eq;
}

/* Is there an <a href="#id"> inside scope? */
static bool links_to(xmlNodePtr scope, const char *id) {
  char *href = ecr_xasprintf("#%s", id);
  node_list l = {0};
  collect(scope->children, has_href, href, &l);
  free(href);
  free(l.v);
  return l.n > 0;
}

static size_t count_occurrences(const char *hay, const char *needle) {
  size_t n = 0, nl = strlen(needle);
  for (const char *p = strstr(hay, needle); p; p = strstr(p + nl, needle)) n++;
  return n;
}

/* The hostile fixture text as it must appear on the page: each forbidden
 * control character replaced by U+FFFD. */
static char *expected_hostile(void) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (const unsigned char *p = (const unsigned char *)ECR_FIXTURE_HOSTILE; *p; p++) {
    if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
      ecr_buf_puts(&b, "\xef\xbf\xbd");
    else
      ecr_buf_putc(&b, (char)*p);
  }
  return ecr_buf_steal(&b);
}

static bool contains_nocase(const char *hay, const char *needle) {
  size_t nl = strlen(needle);
  for (const char *p = hay; *p; p++)
    if (xmlStrncasecmp(BAD_CAST p, BAD_CAST needle, (int)nl) == 0) return true;
  return false;
}

static void assert_no_forbidden_bytes(const char *html, size_t len) {
  assert_true(ecr_utf8_valid(html, len));
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)html[i];
    if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f)
      fail_msg("control character 0x%02x at byte %zu", ch, i);
    /* C1 controls as UTF-8: C2 80..C2 9F */
    if (ch == 0xc2 && i + 1 < len && (unsigned char)html[i + 1] >= 0x80 &&
        (unsigned char)html[i + 1] <= 0x9f)
      fail_msg("C1 control at byte %zu", i);
  }
}

static void base64(const unsigned char *in, size_t n, char *out) {
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                 (i + 2 < n ? in[i + 2] : 0);
    out[o++] = t[(v >> 18) & 63];
    out[o++] = t[(v >> 12) & 63];
    out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? t[v & 63] : '=';
  }
  out[o] = '\0';
}

static char *csp_source(const char *text) {
  char hex[65];
  unsigned char raw[32];
  ecr_sha256_hex(text, strlen(text), hex);
  for (int i = 0; i < 32; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    raw[i] = (unsigned char)v;
  }
  char b[64];
  base64(raw, 32, b);
  return ecr_xasprintf("'sha256-%s'", b);
}

/* All ids of a document, sorted, for fast lookups (large reports). */
typedef struct id_entry {
  char *id;
  xmlNodePtr node;
} id_entry;
typedef struct id_index {
  id_entry *v;
  size_t n, cap;
} id_index;

static void index_walk(xmlNodePtr n, id_index *idx) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    char *id = attr(n, "id");
    if (id) {
      id_entry e = {id, n};
      ECR_PUSH(idx->v, idx->n, idx->cap, e);
    }
    index_walk(n->children, idx);
  }
}

static int id_cmp(const void *a, const void *b) {
  return strcmp(((const id_entry *)a)->id, ((const id_entry *)b)->id);
}

static id_index index_ids(htmlDocPtr doc) {
  id_index idx = {0};
  index_walk(xmlDocGetRootElement(doc), &idx);
  if (idx.n) qsort(idx.v, idx.n, sizeof(id_entry), id_cmp);
  for (size_t i = 1; i < idx.n; i++)
    if (!strcmp(idx.v[i - 1].id, idx.v[i].id)) fail_msg("duplicate id %s", idx.v[i].id);
  return idx;
}

static xmlNodePtr lookup_id(const id_index *idx, const char *id) {
  id_entry key = {(char *)id, NULL};
  const id_entry *e = idx->n ? bsearch(&key, idx->v, idx->n, sizeof(id_entry), id_cmp) : NULL;
  return e ? e->node : NULL;
}

static void free_ids(id_index *idx) {
  for (size_t i = 0; i < idx->n; i++) free(idx->v[i].id);
  free(idx->v);
}

/* ---- structure checks shared by several tests --------------------------- */

static void assert_structure(htmlDocPtr doc, const ecr_report *r) {
  xmlNodePtr root = xmlDocGetRootElement(doc);
  char *lang = attr(root, "lang");
  assert_non_null(lang);
  assert_string_equal(lang, "en");
  free(lang);

  static const char *const sections[] = {"report-header", "result",       "summary",
                                         "findings",      "repositories", "principals",
                                         "exceptions",    "coverage",     "evidence"};
  for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
    if (!by_id(doc, sections[i])) fail_msg("section #%s missing", sections[i]);

  /* every finding id is an anchor (ids unique), its row in the right group */
  id_index idx = index_ids(doc);
  for (size_t i = 0; i < r->n_findings; i++) {
    xmlNodePtr n = lookup_id(&idx, r->findings[i].id);
    if (!n) fail_msg("no anchor for finding %s", r->findings[i].id);
    char group[48];
    snprintf(group, sizeof(group), "findings-%s", ecr_check_status_name(r->findings[i].status));
    xmlNodePtr g = lookup_id(&idx, group);
    assert_non_null(g);
    bool inside = false;
    for (xmlNodePtr p = n; p; p = p->parent)
      if (p == g) inside = true;
    assert_true(inside);
  }
  free_ids(&idx);

  /* exactly one h1; heading levels never skip on the way down */
  node_list all = find_all(doc, any_element, NULL);
  int prev = 0, h1 = 0;
  for (size_t i = 0; i < all.n; i++) {
    const char *name = (const char *)all.v[i]->name;
    if (name[0] != 'h' || name[1] < '1' || name[1] > '6' || name[2]) continue;
    int level = name[1] - '0';
    if (level == 1) h1++;
    if (level > prev + 1) fail_msg("heading h%d follows h%d", level, prev);
    prev = level;
  }
  assert_int_equal(h1, 1);

  /* table headers carry a scope; no inline styles, no event handlers, no
     external URLs, no images or frames */
  for (size_t i = 0; i < all.n; i++) {
    xmlNodePtr n = all.v[i];
    if (is_tag(n, "th")) {
      char *scope = attr(n, "scope");
      if (!scope || (strcmp(scope, "col") && strcmp(scope, "row")))
        fail_msg("<th> without scope: %s", text_of(n));
      free(scope);
    }
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
      const char *an = (const char *)a->name;
      if (!xmlStrncasecmp(a->name, BAD_CAST "on", 2)) fail_msg("event handler attribute %s", an);
      if (!xmlStrcasecmp(a->name, BAD_CAST "style")) fail_msg("inline style attribute");
      if (!xmlStrcasecmp(a->name, BAD_CAST "src") || !xmlStrcasecmp(a->name, BAD_CAST "href") ||
          !xmlStrcasecmp(a->name, BAD_CAST "action") ||
          !xmlStrcasecmp(a->name, BAD_CAST "srcset")) {
        char *v = attr(n, an);
        if (!xmlStrcasecmp(a->name, BAD_CAST "src")) fail_msg("src attribute %s", v);
        if (strstr(v, "http://") || strstr(v, "https://") || strncmp(v, "//", 2) == 0)
          fail_msg("external URL %s", v);
        if (v[0] != '#') fail_msg("href that is not a fragment: %s", v);
        free(v);
      }
    }
  }
  free(all.v);
  /* inline SVG (the pictures) may only draw: nothing it could load or embed */
  static const char *const banned[] = {"img",   "iframe", "object", "embed",
                                       "link",  "form",   "base",   "video",
                                       "audio", "image",  "use",    "foreignobject"};
  for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
    assert_int_equal(count_tag(doc, banned[i]), 0);

  /* our own script and stylesheet, verbatim, pinned by the CSP */
  const char *js = ecr_embedded_get("templates/html/report.js", NULL);
  const char *css = ecr_embedded_get("templates/html/report.css", NULL);
  assert_non_null(js);
  assert_non_null(css);
  node_list scripts = find_all(doc, is_tag, "script");
  assert_int_equal(scripts.n, 1);
  assert_null(xmlHasProp(scripts.v[0], BAD_CAST "src"));
  char *script_text = text_of(scripts.v[0]);
  assert_string_equal(script_text, js);
  free(script_text);
  free(scripts.v);
  node_list styles = find_all(doc, is_tag, "style");
  assert_int_equal(styles.n, 1);
  char *style_text = text_of(styles.v[0]);
  assert_string_equal(style_text, css);
  free(style_text);
  free(styles.v);
  node_list metas = find_all(doc, is_tag, "meta");
  char *csp = NULL;
  for (size_t i = 0; i < metas.n; i++) {
    char *he = attr(metas.v[i], "http-equiv");
    if (he && !strcmp(he, "Content-Security-Policy")) csp = attr(metas.v[i], "content");
    free(he);
  }
  free(metas.v);
  assert_non_null(csp);
  assert_non_null(strstr(csp, "default-src 'none'"));
  char *h_js = csp_source(js), *h_css = csp_source(css);
  assert_non_null(strstr(csp, h_js));
  assert_non_null(strstr(csp, h_css));
  assert_non_null(strstr(csp, "require-trusted-types-for 'script'"));
  free(h_js);
  free(h_css);
  free(csp);

  /* no template markup left behind */
  node_list left = find_all(doc, any_element, NULL);
  for (size_t i = 0; i < left.n; i++) {
    assert_null(xmlHasProp(left.v[i], BAD_CAST "data-slot"));
    assert_null(xmlHasProp(left.v[i], BAD_CAST "data-when"));
    assert_null(xmlHasProp(left.v[i], BAD_CAST "data-group"));
    assert_null(xmlHasProp(left.v[i], BAD_CAST "data-missing"));
  }
  free(left.v);
}

/* ---- tests -------------------------------------------------------------- */

static void renders_every_section(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  const ecr_report *r = fx.report;
  size_t len;
  char *html = render(r, 0, &len);
  assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
  assert_no_forbidden_bytes(html, len);
  htmlDocPtr doc = parse(html, len);
  assert_structure(doc, r);

  /* header */
  char *header = text_of(by_id(doc, "report-header"));
  assert_non_null(strstr(header, "C-0222"));
  assert_non_null(strstr(header, "Minimize user access to Amazon ECR"));
  assert_non_null(strstr(header, "CIS Amazon EKS Benchmark 5.1.2"));
  free(header);
  char *result = text_of(by_id(doc, "result"));
  assert_non_null(strstr(result, "Non-compliant"));
  assert_null(strstr(result, "Undetermined"));
  free(result);
  char *body = text_of(xmlDocGetRootElement(doc));
  assert_non_null(strstr(body, "111122223333"));
  assert_non_null(strstr(body, "arn:aws:iam::111122223333:user/auditor"));
  assert_non_null(strstr(body, "2026-11-26T08:00:00Z")); /* evidence time */
  assert_non_null(strstr(body, "2026-11-27T12:00:00Z")); /* generated */
  assert_non_null(strstr(body, "AWS Service Authorization Reference (ecr), 2026-06-14"));
  assert_non_null(strstr(body, "eu-west-1, us-east-1"));
  free(body);

  /* summary: cards and the status x severity matrix from the model */
  xmlNodePtr summary = by_id(doc, "summary");
  char *st = text_of(summary);
  assert_non_null(strstr(st, "Fail"));
  free(st);
  node_list cells = {0};
  collect(summary->children, is_tag, "td", &cells);
  assert_int_equal(cells.n, 4 * 6 + 6); /* 4 statuses x (5 severities + total), footer */
  char *critical_fail = text_of(cells.v[0]);
  assert_string_equal(critical_fail, "3");
  free(critical_fail);
  free(cells.v);
  /* the summary links to failing findings, in model order */
  assert_true(links_to(summary, r->findings[0].id));
  assert_false(links_to(summary, r->findings[7].id)); /* pass */

  /* findings: rows, details, deciding statements, remediation */
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    xmlNodePtr tb = by_id(doc, f->id);
    assert_true(is_tag(tb, "tbody"));
    char *t = text_of(tb);
    assert_non_null(strstr(t, f->principal));
    assert_non_null(strstr(t, ecr_access_level_name(f->access_level)));
    assert_non_null(strstr(t, f->actions[0]));
    assert_non_null(strstr(t, "PushImages"));
    assert_non_null(strstr(t, "arn:aws:iam::111122223333:policy/EcrPush"));
    assert_non_null(strstr(t, "Deny (limits the grant)"));
    assert_non_null(strstr(t, "developers"));
    assert_non_null(strstr(t, "Narrow statement PushImages"));
    assert_non_null(strstr(t, "only principal that can push"));
    if (f->status_reason) assert_non_null(strstr(t, f->status_reason));
    if (f->exception) assert_non_null(strstr(t, f->exception->id));
    free(t);
  }
  assert_int_equal(count_tag(doc, "details"), r->n_findings);
  assert_int_equal(count_tag(doc, "pre"), r->n_findings);         /* suggested statements */
  assert_null(strstr(html, "listed with their key fields only")); /* small: no note */

  /* per-principal view links to every finding of the principal */
  xmlNodePtr principals = by_id(doc, "principals");
  for (size_t i = 0; i < r->n_principal_views; i++)
    for (size_t k = 0; k < r->principals[i].n_findings; k++)
      assert_true(links_to(principals, r->findings[r->principals[i].findings[k]].id));
  char *pt = text_of(principals);
  assert_non_null(strstr(pt, "codebuild.amazonaws.com"));
  assert_non_null(strstr(pt, "2026-11-20T10:00:00Z"));
  free(pt);

  /* repositories: who can push / delete, the gap marked */
  char *rt = text_of(by_id(doc, "repositories"));
  assert_non_null(strstr(rt, "team-a/api"));
  assert_non_null(strstr(rt, "team-b/web-frontend"));
  assert_non_null(strstr(rt, "arn:aws:iam::111122223333:user/alice"));
  assert_non_null(strstr(rt, "evidence gap"));
  assert_non_null(strstr(rt, "AccessDeniedException: not authorized"));
  assert_non_null(strstr(rt, "conditional"));
  free(rt);

  /* ledger: every entry, its state and reason, the file's SHA-256 */
  char *lt = text_of(by_id(doc, "exceptions"));
  assert_non_null(strstr(lt, r->ledger_sha256));
  assert_non_null(strstr(lt, "samples/acme/ledger.json"));
  static const char *const states[] = {"active", "expired", "unused", "invalid"};
  for (size_t i = 0; i < 4; i++) {
    char id[32];
    snprintf(id, sizeof(id), "exception-%zu", i + 1);
    xmlNodePtr row = by_id(doc, id);
    assert_non_null(row);
    char *t = text_of(row);
    assert_non_null(strstr(t, r->ledger[i].id));
    assert_non_null(strstr(t, states[i]));
    if (r->ledger[i].reason) assert_non_null(strstr(t, r->ledger[i].reason));
    free(t);
  }
  free(lt);

  /* coverage and evidence */
  char *ct = text_of(by_id(doc, "coverage"));
  for (size_t i = 0; i < r->n_coverage; i++) assert_non_null(strstr(ct, r->coverage[i]));
  free(ct);
  char *et = text_of(by_id(doc, "evidence"));
  for (size_t i = 0; i < r->n_files; i++) {
    assert_non_null(strstr(et, r->files[i].path));
    assert_non_null(strstr(et, r->files[i].sha256));
  }
  assert_non_null(strstr(et, "12,345"));
  assert_non_null(strstr(et, "ecr:GetRepositoryPolicy"));
  free(et);

  xmlFreeDoc(doc);
  free(html);
  ecr_fixture_free(&fx);
}

static void hostile_text_stays_text(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(true, 0);
  size_t len;
  char *html = render(fx.report, 0, &len);
  assert_no_forbidden_bytes(html, len);
  /* nothing of the hostile markup survives as markup */
  assert_false(contains_nocase(html, "<img"));
  assert_false(contains_nocase(html, "<b>"));
  assert_int_equal(count_occurrences(html, "<script"), 1);
  htmlDocPtr doc = parse(html, len);
  assert_structure(doc, fx.report);
  assert_int_equal(count_tag(doc, "img"), 0);
  assert_int_equal(count_tag(doc, "b"), 0);

  /* ... but all of it is there as text, in every user-controlled field */
  char *want = expected_hostile();
  char *body = text_of(xmlDocGetRootElement(doc));
  size_t n = count_occurrences(body, want);
  /* caller, principals (roles), repositories, via policies, impact,
     remediation, ledger justification + approver, used_by, file, gap */
  if (n < 40) fail_msg("hostile text found %zu times as text", n);
  assert_non_null(strstr(body, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"));
  assert_non_null(strstr(body, "\xe6\xbc\xa2\xe5\xad\x97"));
  assert_non_null(strstr(body, "{\n  \"Sid\": \"<b>&amp;\"\n}")); /* suggested statement */
  free(body);

  /* the ledger justification specifically */
  char *row = text_of(by_id(doc, "exception-1"));
  char *just = ecr_xasprintf("CI pipeline publishes release images %s", want);
  assert_non_null(strstr(row, just));
  free(just);
  free(row);
  /* and the caller identity in the header */
  char *facts = text_of(by_id(doc, "main"));
  char *caller = ecr_xasprintf("arn:aws:iam::111122223333:user/auditor %s", want);
  assert_non_null(strstr(facts, caller));
  free(caller);
  free(facts);
  /* non-Latin text is written as UTF-8, not as character references */
  assert_non_null(strstr(html, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"));

  free(want);
  xmlFreeDoc(doc);
  free(html);
  ecr_fixture_free(&fx);
}

static void invalid_text_is_replaced(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_finding *f = &fx.report->findings[0];
  free(f->impact);
  /* invalid byte, overlong '/', surrogate, C1 NEL, DEL, U+FFFE, truncated */
  f->impact = ecr_xstrdup("a\xff"
                          "b\xc0\xaf"
                          "c\xed\xa0\x80"
                          "d\xc2\x85"
                          "e\x7f"
                          "f\xef\xbf\xbe"
                          "g\x1b[31m h\xe6\xbc");
  size_t len;
  char *html = render(fx.report, 0, &len);
  assert_no_forbidden_bytes(html, len);
  htmlDocPtr doc = parse(html, len);
  char *t = text_of(by_id(doc, f->id));
  const char *r = "\xef\xbf\xbd";
  /* one U+FFFD per maximal ill-formed subpart (util/utf8.c): the truncated
     "\xe6\xbc" is one (it was one per byte before the one UTF-8 module) */
  char *want =
      ecr_xasprintf("a%sb%s%sc%s%s%sd%se%sf%sg%s[31m h%s", r, r, r, r, r, r, r, r, r, r, r);
  if (!strstr(t, want)) fail_msg("replacement text not found in %s", t);
  free(want);
  free(t);
  xmlFreeDoc(doc);
  free(html);
  ecr_fixture_free(&fx);
}

static size_t count_summarized_notes(htmlDocPtr doc, const char *group) {
  xmlNodePtr g = by_id(doc, group);
  assert_non_null(g);
  char *t = text_of(g);
  size_t n = count_occurrences(t, "listed with their key fields only");
  free(t);
  return n;
}

static void large_account_stays_bounded(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 10000);
  const ecr_report *r = fx.report;
  size_t len;
  char *html = render(r, 0, &len);
  size_t per = len / r->n_findings;
  printf("# 10,009 findings: %zu bytes, %zu bytes per finding\n", len, per);
  assert_true(per < 1200);
  htmlDocPtr doc = parse(html, len);
  assert_structure(doc, r); /* every finding still has its anchor */
  /* fail/high and fail/medium hold 5,001 each: 500 detailed; the 7 others */
  assert_int_equal(count_tag(doc, "details"), 500 + 500 + 7);
  assert_int_equal(count_summarized_notes(doc, "findings-fail"), 1);
  assert_int_equal(count_summarized_notes(doc, "findings-unknown"), 0);
  char *t = text_of(by_id(doc, "findings-fail"));
  assert_non_null(strstr(t, "first 500 findings of each severity"));
  assert_non_null(strstr(t, "other 9,002 findings"));
  assert_non_null(strstr(t, "(10,006)"));
  free(t);
  /* in tables of 200 findings (a browser lays out only those on screen) */
  node_list tables = {0};
  collect(by_id(doc, "findings-fail")->children, has_class, "findings sortable", &tables);
  assert_int_equal(tables.n, (10006 + 199) / 200);
  for (size_t i = 0; i < tables.n; i++) {
    char *cls = attr(tables.v[i]->parent, "class");
    assert_string_equal(cls, "chunk");
    free(cls);
    cls = attr(tables.v[i]->parent->parent, "class");
    assert_string_equal(cls, "table-wrap chunked");
    free(cls);
    assert_int_equal(xmlChildElementCount(tables.v[i]), 1 + (i + 1 < tables.n ? 200 : 10006 % 200));
  }
  free(tables.v);
  xmlFreeDoc(doc);
  free(html);
  ecr_fixture_free(&fx);
}

static void detail_limit_option(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 30);
  size_t len;
  char *html = render(fx.report, 5, &len);
  htmlDocPtr doc = parse(html, len);
  assert_structure(doc, fx.report);
  /* fail/high 16 -> 5, fail/medium 16 -> 5, fail/critical 3, fail/info 1,
     and one each of excepted, unknown, pass */
  assert_int_equal(count_tag(doc, "details"), 5 + 5 + 3 + 1 + 3);
  char *t = text_of(by_id(doc, "findings-fail"));
  assert_non_null(strstr(t, "first 5 findings of each severity; the other 22 findings"));
  free(t);
  xmlFreeDoc(doc);
  free(html);
  ecr_fixture_free(&fx);
}

static void output_is_deterministic(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(true, 20);
  size_t l1, l2;
  char *a = render(fx.report, 0, &l1);
  char *b = render(fx.report, 0, &l2);
  assert_int_equal(l1, l2);
  assert_memory_equal(a, b, l1);
  free(a);
  free(b);
  ecr_fixture_free(&fx);
}

static void empty_report_renders(void **state) {
  (void)state;
  ecr_report *r = ecr_xcalloc(1, sizeof(*r));
  r->overall = ECR_CHECK_PASS;
  size_t len;
  char *html = render(r, 0, &len);
  htmlDocPtr doc = parse(html, len);
  assert_structure(doc, r);
  char *result = text_of(by_id(doc, "result"));
  assert_non_null(strstr(result, "Compliant"));
  assert_null(strstr(result, "Non-compliant"));
  free(result);
  char *body = text_of(xmlDocGetRootElement(doc));
  assert_non_null(strstr(body, "No exceptions ledger was given"));
  assert_non_null(strstr(body, "No finding fails the control."));
  assert_non_null(strstr(body, "Not in the evidence (no sts/caller-identity.json)"));
  assert_non_null(strstr(body, "Unknown (the bundle has no manifest)"));
  assert_non_null(strstr(body, "None: every piece of evidence was collected."));
  free(body);
  /* the summary matrix and the scope and sign-off tables (kinds, sources, mappings, signature
     lines); empty views say so */
  assert_int_equal(count_tag(doc, "tbody"), 5);
  xmlFreeDoc(doc);
  free(html);
  ecr_report_free(r);
}

static void undetermined_banner(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  fx.report->overall = ECR_CHECK_UNKNOWN;
  size_t len;
  char *html = render(fx.report, 0, &len);
  htmlDocPtr doc = parse(html, len);
  xmlNodePtr banner = by_id(doc, "result");
  char *cls = attr(banner, "class");
  assert_non_null(strstr(cls, "st-unknown"));
  free(cls);
  char *t = text_of(banner);
  assert_non_null(strstr(t, "Undetermined"));
  assert_null(strstr(t, "Compliant"));
  free(t);
  xmlFreeDoc(doc);
  free(html);
  ecr_fixture_free(&fx);
}

typedef struct failing_sink {
  size_t budget;
  size_t written;
} failing_sink;

static int failing_write(void *ctx, const void *data, size_t len) {
  (void)data;
  failing_sink *s = ctx;
  if (s->written + len > s->budget) return -1;
  s->written += len;
  return 0;
}

static void write_failure_is_reported(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  failing_sink fs = {1000, 0};
  ecr_sink sink = {failing_write, &fs};
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_render_html(fx.report, NULL, &sink, &err), ECR_E_OUTPUT);
  assert_int_equal(err.code, ECR_E_OUTPUT);
  ecr_fixture_free(&fx);
}

static void templates_are_safe_to_inline(void **state) {
  (void)state;
  static const char *const files[] = {"templates/html/report.css", "templates/html/report.js",
                                      "templates/html/report.html"};
  for (size_t i = 0; i < 3; i++) {
    size_t len = 0;
    const char *t = ecr_embedded_get(files[i], &len);
    assert_non_null(t);
    assert_true(ecr_utf8_valid(t, len));
    assert_null(strstr(t, "http://"));
    assert_null(strstr(t, "https://"));
    assert_null(strstr(t, "url("));
    assert_null(strstr(t, "@import"));
    if (i < 2) {
      assert_null(strstr(t, "</"));
      assert_null(strstr(t, "innerHTML"));
      assert_null(strstr(t, "outerHTML"));
      assert_null(strstr(t, "insertAdjacentHTML"));
      assert_null(strstr(t, "eval("));
      assert_null(strstr(t, "document.write"));
    }
  }
}

/* ---- optional file output for the browser test ------------------------- */

static void write_file(const char *dir, const char *name, bool hostile, size_t extra) {
  ecr_fixture fx = ecr_fixture_make(hostile, extra);
  size_t len;
  char *html = render(fx.report, 0, &len);
  char *path = ecr_path_join(dir, name);
  ecr_error err;
  if (ecr_atomic_write_file(path, html, len, &err) != ECR_OK) {
    fprintf(stderr, "%s\n", err.message);
    exit(1);
  }
  free(path);
  free(html);
  ecr_fixture_free(&fx);
}

/* Organisation scale (issue 9): passing findings beyond 1,000 keep their
 * rows but no detail blocks; a detail lists 20 repositories and says how
 * many more, a grant on every repository says so; with more than 25
 * repositories the principals with an access on all of them are listed once;
 * the page reaches the sink in pieces; a principal named like the internal
 * stream marker stays text. */
typedef struct piece_sink {
  ecr_buf buf;
  size_t calls;
} piece_sink;

static int piece_write(void *ctx, const void *data, size_t len) {
  piece_sink *p = ctx;
  p->calls++;
  ecr_buf_append(&p->buf, data, len);
  return 0;
}

/* The fixture at organisation scale: 1,500 more passing findings, 50
 * repositories on findings 0 (fail) and 7 (pass, every repository), 30
 * repository views where "*" pushes on all, alice on r-05 only, and the
 * first lists a principal named like the renderer's internal stream marker.
 * scale_restore() puts the fixture's own arrays back before it is freed. */
typedef struct scale_state {
  char *repos[50];
  ecr_repo_view views[30];
  ecr_repo_access push[30][2];
  char **saved_repos0, **saved_repos7;
  size_t saved_n0, saved_n7;
  ecr_repo_view *saved_views;
  size_t saved_nv;
} scale_state;

static const char MARKER_NAME[] = "<!--\x01"
                                  "ecraudit-stream-0\x01-->";

static void scale_apply(ecr_report *r, scale_state *st) {
  memset(st, 0, sizeof(*st));
  for (size_t i = 9; i < r->n_findings; i++) {
    r->findings[i].status = ECR_CHECK_PASS;
    r->findings[i].severity = ECR_SEV_INFO;
    r->by_status[ECR_CHECK_FAIL]--;
    r->by_status[ECR_CHECK_PASS]++;
  }
  for (size_t i = 0; i < 50; i++)
    st->repos[i] = ecr_xasprintf("arn:aws:ecr:us-east-1:111122223333:repository/many/r-%02zu", i);
  st->saved_repos0 = r->findings[0].repositories;
  st->saved_n0 = r->findings[0].n_repositories;
  st->saved_repos7 = r->findings[7].repositories;
  st->saved_n7 = r->findings[7].n_repositories;
  r->findings[0].repositories = r->findings[7].repositories = st->repos;
  r->findings[0].n_repositories = r->findings[7].n_repositories = 50;
  for (size_t i = 0; i < 30; i++) {
    ecr_repo_view *v = &st->views[i];
    v->arn = st->repos[i];
    v->name = st->repos[i] + strlen("arn:aws:ecr:us-east-1:111122223333:repository/");
    v->region = "us-east-1";
    st->push[i][0].principal = r->name_pool[0]; /* "*" */
    st->push[i][0].decision = ECR_DECISION_ALLOW;
    st->push[i][1].principal = i == 0 ? MARKER_NAME : r->name_pool[2]; /* alice */
    st->push[i][1].decision = ECR_DECISION_ALLOW;
    v->push = st->push[i];
    v->n_push = i == 0 || i == 5 ? 2 : 1;
  }
  st->saved_views = r->repositories;
  st->saved_nv = r->n_repo_views;
  r->repositories = st->views;
  r->n_repo_views = 30;
  ecr_report_mark_everywhere(r);
}

static void scale_restore(ecr_report *r, scale_state *st) {
  r->repositories = st->saved_views;
  r->n_repo_views = st->saved_nv;
  ecr_report_mark_everywhere(r);
  r->findings[0].repositories = st->saved_repos0;
  r->findings[0].n_repositories = st->saved_n0;
  r->findings[7].repositories = st->saved_repos7;
  r->findings[7].n_repositories = st->saved_n7;
  for (size_t i = 0; i < 50; i++) free(st->repos[i]);
}

static void organisation_scale(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 1500);
  ecr_report *r = fx.report;
  scale_state sc;
  scale_apply(r, &sc);

  piece_sink ps = {{0}, 0};
  ecr_buf_init(&ps.buf);
  ecr_sink sink = {piece_write, &ps};
  ecr_render_opts opts = {0};
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_render_html(r, &opts, &sink, &err), ECR_OK);
  assert_true(ps.calls > 10);                           /* streamed */
  assert_null(memchr(ps.buf.data, '\x01', ps.buf.len)); /* no marker left */
  htmlDocPtr doc = parse(ps.buf.data, ps.buf.len);

  /* every finding keeps its row and anchor; passing ones have no details */
  for (size_t i = 0; i < r->n_findings; i++) assert_non_null(by_id(doc, r->findings[i].id));
  assert_int_equal(count_tag(doc, "details"), 8); /* the 8 non-pass findings */
  char *t = text_of(by_id(doc, "findings-pass"));
  assert_non_null(strstr(t, "The 1,501 passing findings"));
  assert_non_null(strstr(t, "findings.json holds every field"));
  free(t);
  t = text_of(by_id(doc, "findings-fail"));
  assert_null(strstr(t, "passing findings (read and list"));
  free(t);

  /* detail of finding 0: 20 repositories, then how many more */
  t = text_of(by_id(doc, r->findings[0].id));
  assert_non_null(strstr(t, "many/r-19"));
  assert_null(strstr(t, "many/r-20"));
  assert_non_null(strstr(t, "and 30 more (findings.json lists every repository)"));
  free(t);
  t = text_of(by_id(doc, r->findings[1].id)); /* alice: the registry, not "every repository" */
  assert_non_null(strstr(t, "registry-wide actions"));
  assert_null(strstr(t, "All 7 repositories"));
  free(t);
  t = text_of(by_id(doc, r->findings[7].id)); /* a row: the count, no samples */
  assert_non_null(
      strstr(t, "All 50 repositories, incl. future ones")); /* the finding's own count */
  assert_null(strstr(t, "many/r-"));
  free(t);
  t = text_of(by_id(doc, r->findings[9].id)); /* a passing row without details */
  assert_non_null(strstr(t, "api"));
  assert_null(strstr(t, "Remediation"));
  free(t);

  /* "*" pushes everywhere: listed once; alice and the marker name per row */
  xmlNodePtr repos_sec = by_id(doc, "repositories");
  t = text_of(repos_sec);
  assert_non_null(strstr(t, "The account has 30 repositories."));
  assert_non_null(strstr(t, "Write images (1)"));
  assert_non_null(strstr(t, "Delete (0)"));
  assert_int_equal(count_occurrences(t, "Only the 1 with this access on every repository"), 28);
  assert_int_equal(count_occurrences(t, "and the 1 with this access on every repository"), 2);
  assert_non_null(strstr(t, "<!--\xef\xbf\xbd"
                            "ecraudit-stream-0\xef\xbf\xbd-->")); /* as text */
  free(t);
  node_list rows = {0};
  collect(repos_sec->children, is_tag, "tr", &rows);
  assert_int_equal(rows.n, 1 + 4 + 1 + 30); /* common head + 4, repos head + 30 */
  free(rows.v);
  xmlFreeDoc(doc);

  /* at most 1,000 passing findings: they keep their details (within
     detail_limit per severity, here above every group's size) */
  for (size_t i = 1008; i < r->n_findings; i++) r->findings[i].status = ECR_CHECK_FAIL;
  size_t len;
  char *html = render(r, 2000, &len);
  doc = parse(html, len);
  assert_int_equal(count_tag(doc, "details"), r->n_findings);
  t = text_of(by_id(doc, "findings-pass"));
  assert_null(strstr(t, "have no detail blocks here"));
  free(t);
  xmlFreeDoc(doc);
  free(html);

  scale_restore(r, &sc);
  ecr_buf_cleanup(&ps.buf);
  ecr_fixture_free(&fx);
}

static void write_browser_files(void **state) {
  (void)state;
  const char *dir = getenv("ECR_HTML_OUT_DIR");
  if (!dir || !*dir) skip();
  assert_int_equal(ecr_mkdirs(dir, NULL), ECR_OK);
  write_file(dir, "hostile.html", true, 0);
  write_file(dir, "plain.html", false, 0);
  write_file(dir, "large.html", false, 10000);
  ecr_fixture fx = ecr_fixture_make(false, 1500);
  scale_state sc;
  scale_apply(fx.report, &sc);
  size_t len;
  char *html = render(fx.report, 0, &len);
  char *path = ecr_path_join(dir, "scale.html");
  assert_int_equal(ecr_atomic_write_file(path, html, len, NULL), ECR_OK);
  free(path);
  free(html);
  scale_restore(fx.report, &sc);
  ecr_fixture_free(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(renders_every_section),     cmocka_unit_test(hostile_text_stays_text),
      cmocka_unit_test(invalid_text_is_replaced),  cmocka_unit_test(large_account_stays_bounded),
      cmocka_unit_test(detail_limit_option),       cmocka_unit_test(output_is_deterministic),
      cmocka_unit_test(empty_report_renders),      cmocka_unit_test(undetermined_banner),
      cmocka_unit_test(write_failure_is_reported), cmocka_unit_test(templates_are_safe_to_inline),
      cmocka_unit_test(organisation_scale),        cmocka_unit_test(write_browser_files),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
