/* HTML renderer: report.html, one self-contained page for compliance
 * archives.
 *
 * The page is the skeleton templates/html/report.html, parsed with
 * libxml2's HTML parser and filled through its tree API: every string of
 * the model reaches the page as a text node or an attribute value, so
 * libxml2's serializer escapes it (no markup is ever assembled from text).
 * Text first passes html_clean(), the one place that maps what HTML and
 * XML forbid (invalid UTF-8, C0/C1 controls, noncharacters) to U+FFFD.
 *
 * The stylesheet and the script are templates too (report.css, report.js),
 * inlined and pinned by a Content-Security-Policy with their SHA-256, so
 * the page can load nothing else and no injected script could run.
 *
 * Large accounts: every finding keeps its table row (and its anchor), but
 * only the first detail_limit findings of each (status, severity) group
 * get the expandable detail; the page says how many were summarized.
 * Passing findings (read/list access, recorded for completeness) get detail
 * blocks only while there are at most HTML_PASS_DETAIL_MAX of them. A
 * detail block lists at most HTML_DETAIL_REPOS repositories ("... and N
 * more", findings.json has them all). With more than HTML_REPO_FACTOR_MIN
 * repositories, principals with an access on every repository are listed
 * once above the repository table instead of in every row (like the PDF).
 *
 * The big tables are never one tree: the skeleton (with the header,
 * summary, ledger, ...) is serialized with a marker comment where each
 * findings group, the repository rows and the principal rows go; the
 * output is the skeleton's bytes up to a marker, then that table's rows,
 * built and serialized HTML_CHUNK at a time (and freed), and so on. A
 * marker holds U+0001, which html_clean() removes from every model string,
 * so no text of the model can look like one.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>

#include "ecraudit/render.h"
#include "render/svg.h"
#include "util/util.h"

#define HTML_DEFAULT_DETAIL_LIMIT 500 /* detailed findings per status/severity */
#define HTML_TOP_FINDINGS 10          /* failing findings listed in the summary */
#define HTML_ROW_REPOS 3              /* repositories shown in a finding's row */
#define HTML_CHUNK                                                                                 \
  200                             /* findings per table: a browser lays out                        \
                                     only the chunks on screen */
#define HTML_DETAIL_REPOS 20      /* repositories listed in a detail block */
#define HTML_PASS_DETAIL_MAX 1000 /* more passing findings: rows only */
#define HTML_REPO_FACTOR_MIN 25   /* more repositories: common access listed once */
#define HTML_BATCH 200            /* repository / principal rows per piece */
#define HTML_REPO_ACCESS_MAX 20   /* principals listed per access in a repository row */
#define MARKER_HEAD                                                                                \
  "<!--\x01"                                                                                       \
  "ecraudit-stream-"
#define MARKER_TAIL "\x01-->"

#define SKELETON "templates/html/report.html"
#define STYLESHEET "templates/html/report.css"
#define SCRIPT "templates/html/report.js"

/* Display order of the check statuses (the model's sort order). */
static const ecr_check_status status_order[ECR_CHECK_COUNT] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN,
                                                               ECR_CHECK_EXCEPTED, ECR_CHECK_PASS};

/* What goes where a marker is: a findings group, the repository rows or
 * the principal rows. */
typedef enum stream_kind { STREAM_FINDINGS, STREAM_REPOS, STREAM_PRINCIPALS } stream_kind;

typedef struct stream_job {
  stream_kind kind;
  ecr_check_status status; /* STREAM_FINDINGS */
  bool done;
} stream_job;

typedef struct html_ctx {
  htmlDocPtr doc;
  const ecr_report *r;
  size_t detail_limit;
  bool pass_details;                  /* passing findings get detail blocks */
  xmlNodePtr protos[ECR_CHECK_COUNT]; /* each findings group's empty table */
  stream_job *jobs;
  size_t n_jobs, cap_jobs;
  bool factor;       /* principals with an access on every repository are listed once */
  xmlNodePtr *marks; /* skeleton elements with data-slot / data-when / data-group */
  size_t n_marks;
  size_t cap_marks;
} html_ctx;

/* ---- text: the one sanitizing helper ---------------------------------- */

static void put_fffd(ecr_buf *b) {
  ecr_buf_puts(b, ECR_UTF8_REPLACEMENT);
}

/* Characters that must not reach an HTML/XML document: C0 controls other
 * than tab, LF and CR; DEL and the C1 controls; noncharacters. */
static bool forbidden_cp(uint32_t c) {
  if (c < 0x20) return c != 0x09 && c != 0x0a && c != 0x0d;
  if (c >= 0x7f && c <= 0x9f) return true;
  if (c >= 0xfdd0 && c <= 0xfdef) return true;
  return (c & 0xfffe) == 0xfffe;
}

/* Model text -> text safe for libxml2 and every HTML parser: valid UTF-8
 * without forbidden characters (each replaced by U+FFFD). Caller frees. */
static xmlChar *html_clean(const char *s) {
  ecr_buf b;
  ecr_buf_init(&b);
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  while (n > 0) {
    if (*p >= 0x20 && *p < 0x7f) { /* the common case: a run of printable ASCII */
      size_t run = 1;
      while (run < n && p[run] >= 0x20 && p[run] < 0x7f) run++;
      ecr_buf_append(&b, p, run);
      p += run;
      n -= run;
      continue;
    }
    uint32_t cp = 0;
    bool ok = false;
    size_t len = ecr_utf8_next((const char *)p, n, &cp, &ok);
    if (!ok) { /* one U+FFFD per maximal ill-formed subpart (utf8.c) */
      put_fffd(&b);
    } else if (forbidden_cp(cp)) {
      put_fffd(&b);
    } else if (ecr_is_bidi_control(cp)) {
      ecr_buf_printf(&b, "[U+%04X]", (unsigned)cp); /* visible, never reorders text */
    } else {
      ecr_buf_append(&b, p, len);
    }
    p += len;
    n -= len;
  }
  ecr_buf_putc(&b, '\0'); /* an empty string still yields a buffer */
  return (xmlChar *)ecr_buf_steal(&b);
}

xmlChar *ecr_html_text(const char *s) {
  return html_clean(s);
}

/* ---- DOM helpers (tag, class and attribute names are literals) -------- */

static void add_text(xmlNodePtr parent, const char *s) {
  if (!s || !*s) return;
  xmlChar *clean = html_clean(s);
  xmlAddChild(parent, xmlNewDocText(parent->doc, clean));
  free(clean);
}

static void set_attr(xmlNodePtr node, const char *name, const char *value) {
  xmlChar *clean = html_clean(value ? value : "");
  xmlSetProp(node, BAD_CAST name, clean);
  free(clean);
}

static xmlNodePtr el(xmlNodePtr parent, const char *tag, const char *cls) {
  xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST tag, NULL);
  if (cls) xmlSetProp(n, BAD_CAST "class", BAD_CAST cls);
  return n;
}

static xmlNodePtr el_text(xmlNodePtr parent, const char *tag, const char *cls, const char *s) {
  xmlNodePtr n = el(parent, tag, cls);
  add_text(n, s);
  return n;
}

static void add_class(xmlNodePtr node, const char *cls) {
  xmlChar *old = xmlGetProp(node, BAD_CAST "class");
  char *v = old ? ecr_xasprintf("%s %s", (const char *)old, cls) : ecr_xstrdup(cls);
  set_attr(node, "class", v);
  free(v);
  xmlFree(old);
}

static void remove_node(xmlNodePtr n) {
  xmlUnlinkNode(n);
  xmlFreeNode(n);
}

static void remove_children(xmlNodePtr n) {
  while (n->children) remove_node(n->children);
}

#define fmt_count ecr_fmt_count /* "12,345" (util) */

static void count_text(xmlNodePtr parent, size_t n) {
  char buf[32];
  fmt_count(n, buf);
  add_text(parent, buf);
}

static void sort_key(xmlNodePtr cell, size_t rank) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%zu", rank);
  set_attr(cell, "data-sort", buf);
}

/* "critical" -> class "badge sev-critical" with the name as text. */
static xmlNodePtr badge(xmlNodePtr parent, const char *prefix, const char *name) {
  char cls[64];
  snprintf(cls, sizeof(cls), "badge %s-%s", prefix, name);
  return el_text(parent, "span", cls, name);
}

static void code_or_dash(xmlNodePtr parent, const char *s) {
  if (s && *s)
    el_text(parent, "code", NULL, s);
  else
    el_text(parent, "span", "nobody", "\xe2\x80\x94");
}

static void text_or_dash(xmlNodePtr parent, const char *s) {
  if (s && *s)
    add_text(parent, s);
  else
    el_text(parent, "span", "nobody", "\xe2\x80\x94");
}

static void link_to(xmlNodePtr parent, const char *cls, const char *id) {
  xmlNodePtr a = el_text(parent, "a", cls, id);
  char *href = ecr_xasprintf("#%s", id);
  set_attr(a, "href", href);
  free(href);
}

/* An ARN as a small prefix line and its name (the name stands out; the
 * text is still the whole ARN for copying and filtering). */
static void arn_code(xmlNodePtr parent, const char *arn, const char *marker) {
  const char *cut = arn ? strstr(arn, marker) : NULL;
  size_t mlen = strlen(marker);
  xmlNodePtr code = el(parent, "code", NULL);
  if (!cut || !cut[mlen]) {
    add_text(code, arn);
    return;
  }
  size_t plen = (size_t)(cut - arn) + mlen;
  char *prefix = ecr_xstrndup(arn, plen);
  el_text(code, "span", "arn-prefix", prefix);
  el_text(code, "span", "arn-name", arn + plen);
  free(prefix);
}

static void principal_code(xmlNodePtr parent, const char *principal) {
  if (principal && strstr(principal, ":role/"))
    arn_code(parent, principal, ":role/");
  else
    arn_code(parent, principal, ":user/");
}

/* A repository in a finding's row: its name and region, the ARN as title
 * ("arn:aws:ecr:<region>:<account>:repository/<name>"); "*" and anything
 * else as written. */
static void repo_short(xmlNodePtr parent, const char *arn) {
  static const char marker[] = ":repository/";
  const char *cut = arn ? strstr(arn, marker) : NULL;
  if (!cut || !ecr_str_has_prefix(arn, "arn:") || !cut[sizeof(marker) - 1]) {
    el_text(parent, "code", NULL, arn);
    if (arn && strcmp(arn, "*") == 0) {
      char *t = ecr_xasprintf(" %s", ecr_label("html/registry-wide"));
      el_text(parent, "span", "region", t);
      free(t);
    }
    return;
  }
  xmlNodePtr code = el_text(parent, "code", "arn-name", cut + sizeof(marker) - 1);
  set_attr(code, "title", arn);
  /* region: the fourth ':'-separated field */
  const char *p = arn;
  for (int i = 0; i < 3 && p; i++) {
    p = strchr(p, ':');
    if (p) p++;
  }
  const char *end = p ? strchr(p, ':') : NULL;
  if (p && end && end > p && end < cut) {
    char *region = ecr_xstrndup(p, (size_t)(end - p));
    add_text(parent, " ");
    el_text(parent, "span", "region", region);
    free(region);
  }
}

static size_t status_rank(ecr_check_status s) {
  for (size_t i = 0; i < ECR_CHECK_COUNT; i++)
    if (status_order[i] == s) return i;
  return ECR_CHECK_COUNT;
}

/* ---- skeleton marks ---------------------------------------------------- */

static bool has_mark_attr(xmlNodePtr n) {
  return xmlHasProp(n, BAD_CAST "data-slot") || xmlHasProp(n, BAD_CAST "data-when") ||
         xmlHasProp(n, BAD_CAST "data-group");
}

/* Record marked elements and drop the skeleton's comments. */
static void collect_marks(html_ctx *c, xmlNodePtr n) {
  while (n) {
    xmlNodePtr next = n->next;
    if (n->type == XML_COMMENT_NODE) {
      remove_node(n);
    } else if (n->type == XML_ELEMENT_NODE) {
      if (has_mark_attr(n)) ECR_PUSH(c->marks, c->n_marks, c->cap_marks, n);
      collect_marks(c, n->children);
    }
    n = next;
  }
}

static bool is_inside(xmlNodePtr n, xmlNodePtr scope) {
  if (!scope) return true;
  for (; n; n = n->parent)
    if (n == scope) return true;
  return false;
}

static bool attr_is(xmlNodePtr n, const char *attr, const char *value) {
  xmlChar *v = xmlGetProp(n, BAD_CAST attr);
  bool eq = v && strcmp((const char *)v, value) == 0;
  xmlFree(v);
  return eq;
}

/* The marks with attr == value inside scope (NULL: anywhere), one by one:
 * start with *i = 0. */
static xmlNodePtr next_mark(html_ctx *c, size_t *i, xmlNodePtr scope, const char *attr,
                            const char *value) {
  for (; *i < c->n_marks; (*i)++) {
    xmlNodePtr n = c->marks[*i];
    if (n && attr_is(n, attr, value) && is_inside(n, scope)) {
      (*i)++;
      return n;
    }
  }
  return NULL;
}

static xmlNodePtr slot(html_ctx *c, xmlNodePtr scope, const char *name) {
  size_t i = 0;
  return next_mark(c, &i, scope, "data-slot", name);
}

/* Append text to every slot of that name; data-missing text when NULL. */
static void fill(html_ctx *c, xmlNodePtr scope, const char *name, const char *text) {
  size_t i = 0;
  xmlNodePtr n;
  while ((n = next_mark(c, &i, scope, "data-slot", name))) {
    if (text && *text) {
      add_text(n, text);
    } else {
      xmlChar *missing = xmlGetProp(n, BAD_CAST "data-missing");
      if (missing) {
        add_text(n, (const char *)missing);
        add_class(n, "na");
      }
      xmlFree(missing);
    }
  }
}

/* Keep (or remove) every data-when=key element inside scope. */
static void when(html_ctx *c, xmlNodePtr scope, const char *key, bool keep) {
  for (size_t i = 0; i < c->n_marks; i++) {
    xmlNodePtr n = c->marks[i];
    if (!n || !attr_is(n, "data-when", key) || !is_inside(n, scope)) continue;
    if (keep) continue;
    /* forget marks inside the removed subtree before freeing it */
    for (size_t k = 0; k < c->n_marks; k++)
      if (c->marks[k] && is_inside(c->marks[k], n)) c->marks[k] = NULL;
    remove_node(n);
  }
}

static void strip_marks(html_ctx *c) {
  static const char *const attrs[] = {"data-slot", "data-when", "data-group", "data-missing"};
  for (size_t i = 0; i < c->n_marks; i++) {
    if (!c->marks[i]) continue;
    for (size_t a = 0; a < sizeof(attrs) / sizeof(attrs[0]); a++) {
      xmlAttrPtr p = xmlHasProp(c->marks[i], BAD_CAST attrs[a]);
      if (p) xmlRemoveProp(p);
    }
  }
}

static xmlNodePtr first_element(xmlNodePtr n, const char *tag) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (strcmp((const char *)n->name, tag) == 0) return n;
    xmlNodePtr found = first_element(n->children, tag);
    if (found) return found;
  }
  return NULL;
}

/* ---- inline assets and the Content-Security-Policy --------------------- */

static void base64_encode(const unsigned char *in, size_t n, char *out) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < n) v |= in[i + 2];
    out[o++] = tbl[(v >> 18) & 63];
    out[o++] = tbl[(v >> 12) & 63];
    out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? tbl[v & 63] : '=';
  }
  out[o] = '\0';
}

/* 'sha256-<base64>' source expression for an inline asset; out >= 64. */
static void csp_hash(const char *data, size_t len, char out[64]) {
  char hex[65];
  unsigned char raw[32];
  ecr_sha256_hex(data, len, hex);
  for (size_t i = 0; i < 32; i++) {
    unsigned v = 0;
    sscanf(hex + 2 * i, "%2x", &v);
    raw[i] = (unsigned char)v;
  }
  char b64[48];
  base64_encode(raw, 32, b64);
  snprintf(out, 64, "'sha256-%s'", b64);
}

/* An inline asset must not be able to end its element early, and must be
 * exactly what the browser hashes (no CR, which HTML parsing rewrites). */
static bool asset_ok(const char *data, size_t len) {
  if (strlen(data) != len || strchr(data, '\r')) return false;
  return !strstr(data, "</") && !strstr(data, "<!--");
}

static ecr_status add_assets(html_ctx *c, ecr_error *err) {
  size_t css_len = 0, js_len = 0;
  const char *css = ecr_embedded_get(STYLESHEET, &css_len);
  const char *js = ecr_embedded_get(SCRIPT, &js_len);
  if (!css || !js)
    return ecr_error_set(err, ECR_E_INTERNAL, NULL, "html templates %s / %s are not embedded",
                         STYLESHEET, SCRIPT);
  if (!asset_ok(css, css_len) || !asset_ok(js, js_len))
    return ecr_error_set(err, ECR_E_INTERNAL, NULL,
                         "html templates must not contain \"</\", \"<!--\" or CR");
  xmlNodePtr style = slot(c, NULL, "css");
  xmlNodePtr script = slot(c, NULL, "js");
  xmlNodePtr meta = slot(c, NULL, "csp");
  if (!style || !script || !meta)
    return ecr_error_set(err, ECR_E_INTERNAL, NULL, "%s lacks the css/js/csp slots", SKELETON);
  /* raw text elements: the serializer writes their text unescaped */
  xmlAddChild(style, xmlNewDocText(c->doc, BAD_CAST css));
  xmlAddChild(script, xmlNewDocText(c->doc, BAD_CAST js));
  char hcss[64], hjs[64];
  csp_hash(css, css_len, hcss);
  csp_hash(js, js_len, hjs);
  char *policy = ecr_xasprintf(
      "default-src 'none'; style-src %s; script-src %s; img-src 'none'; base-uri 'none'; "
      "form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'",
      hcss, hjs);
  set_attr(meta, "content", policy);
  free(policy);
  return ECR_OK;
}

/* ---- header and summary ------------------------------------------------ */

static void render_header(html_ctx *c) {
  const ecr_report *r = c->r;
  char num[32];
  const char *gkv[] = {"version", r->tool_version ? r->tool_version : "", NULL};
  char *gen = ecr_text("label/tool", gkv);
  xmlNodePtr meta = slot(c, NULL, "generator");
  if (meta) set_attr(meta, "content", gen);
  free(gen);
  fill(c, NULL, "title", r->account);
  fill(c, NULL, "control_id", r->control_id ? r->control_id : ecr_control_id());
  fill(c, NULL, "control_name", r->control_name ? r->control_name : ecr_control_name());
  fill(c, NULL, "control_ref", r->control_ref ? r->control_ref : ecr_control_ref());
  fill(c, NULL, "account", r->account);
  fill(c, NULL, "caller_arn", r->caller_arn);
  fill(c, NULL, "evidence_time", r->evidence_time);
  fill(c, NULL, "as_of", r->as_of);
  fill(c, NULL, "generated_at", r->generated_at);
  fill(c, NULL, "tool_version", r->tool_version);
  fill(c, NULL, "catalog_version", r->catalog_version);
  fmt_count(r->n_principals_evaluated, num);
  fill(c, NULL, "n_principals", num);
  fmt_count(r->n_repositories, num);
  fill(c, NULL, "n_repositories", num);

  ecr_buf regions;
  ecr_buf_init(&regions);
  for (size_t i = 0; i < r->n_regions; i++) {
    if (i) ecr_buf_puts(&regions, ", ");
    ecr_buf_puts(&regions, r->regions[i] ? r->regions[i] : "");
  }
  fill(c, NULL, "regions", regions.len ? regions.data : NULL);
  ecr_buf_cleanup(&regions);

  for (size_t i = 0; i < ECR_CHECK_COUNT; i++) {
    ecr_check_status s = status_order[i];
    when(c, NULL, ecr_check_status_name(s), r->overall == s);
  }
  char cls[32];
  snprintf(cls, sizeof(cls), "st-%s", ecr_check_status_name(r->overall));
  xmlNodePtr banner = slot(c, NULL, "banner");
  if (banner) add_class(banner, cls);
}

static void render_summary(html_ctx *c) {
  const ecr_report *r = c->r;
  static const char *const labels[ECR_CHECK_COUNT] = {"html/card-fail", "html/card-excepted",
                                                      "html/card-unknown", "html/card-pass"};
  static const char *const hints[ECR_CHECK_COUNT] = {
      "html/card-hint-fail", "html/card-hint-excepted", "html/card-hint-unknown",
      "html/card-hint-pass"};
  xmlNodePtr cards = slot(c, NULL, "cards");
  for (size_t i = 0; cards && i < ECR_CHECK_COUNT; i++) {
    ecr_check_status s = status_order[i];
    char cls[32], href[32];
    snprintf(cls, sizeof(cls), "card st-%s", ecr_check_status_name(s));
    snprintf(href, sizeof(href), "#findings-%s", ecr_check_status_name(s));
    xmlNodePtr a = el(cards, "a", cls);
    set_attr(a, "href", href);
    count_text(el(a, "span", "card-count"), r->by_status[s]);
    el_text(a, "span", "card-label", ecr_label(labels[s]));
    el_text(a, "span", "card-hint", ecr_label(hints[s]));
  }

  xmlNodePtr head = slot(c, NULL, "matrix_head");
  if (head) {
    xmlNodePtr tr = el(head, "tr", NULL);
    set_attr(el_text(tr, "th", NULL, ecr_label("label/status")), "scope", "col");
    for (int v = 0; v < ECR_SEV_COUNT; v++)
      set_attr(el_text(tr, "th", NULL, ecr_severity_name((ecr_severity)v)), "scope", "col");
    set_attr(el_text(tr, "th", NULL, ecr_label("label/total")), "scope", "col");
  }
  xmlNodePtr body = slot(c, NULL, "matrix_body");
  for (size_t i = 0; body && i < ECR_CHECK_COUNT; i++) {
    ecr_check_status s = status_order[i];
    xmlNodePtr tr = el(body, "tr", NULL);
    xmlNodePtr th = el(tr, "th", NULL);
    set_attr(th, "scope", "row");
    badge(th, "st", ecr_check_status_name(s));
    for (int v = 0; v < ECR_SEV_COUNT; v++) {
      size_t n = r->by_status_severity[s][v];
      count_text(el(tr, "td", n ? NULL : "zero"), n);
    }
    count_text(el(tr, "td", NULL), r->by_status[s]);
  }
  xmlNodePtr foot = slot(c, NULL, "matrix_foot");
  if (foot) {
    xmlNodePtr tr = el(foot, "tr", NULL);
    set_attr(el_text(tr, "th", NULL, ecr_label("html/not-passing")), "scope", "row");
    for (int v = 0; v < ECR_SEV_COUNT; v++)
      count_text(el(tr, "td", r->by_severity[v] ? NULL : "zero"), r->by_severity[v]);
    count_text(el(tr, "td", NULL), r->n_not_passing);
  }

  xmlNodePtr top = slot(c, NULL, "top");
  size_t listed = 0;
  for (size_t i = 0; top && i < r->n_findings && listed < HTML_TOP_FINDINGS; i++) {
    const ecr_finding *f = &r->findings[i];
    if (f->status != ECR_CHECK_FAIL) continue;
    xmlNodePtr li = el(top, "li", NULL);
    badge(li, "sev", ecr_severity_name(f->severity));
    link_to(li, "fid", f->id);
    add_text(li, " \xc2\xb7 ");
    el_text(li, "code", NULL, f->principal);
    add_text(li, " \xc2\xb7 ");
    add_text(li, ecr_access_level_name(f->access_level));
    listed++;
  }
  when(c, NULL, "top", listed > 0);
  when(c, NULL, "no-top", listed == 0);
  when(c, NULL, "top-more", r->by_status[ECR_CHECK_FAIL] > listed);
}

/* ---- findings ------------------------------------------------------------ */

static void via_table(xmlNodePtr parent, const ecr_finding *f) {
  xmlNodePtr t = el(parent, "table", "via");
  xmlNodePtr tr = el(el(t, "thead", NULL), "tr", NULL);
  static const char *const cols[] = {"html/policy", "html/statement", "label/source", "html/effect",
                                     "html/condition"};
  for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
    set_attr(el_text(tr, "th", NULL, ecr_label(cols[i])), "scope", "col");
  xmlNodePtr tb = el(t, "tbody", NULL);
  for (size_t i = 0; i < f->n_via; i++) {
    const ecr_via *v = &f->via[i];
    tr = el(tb, "tr", NULL);
    xmlNodePtr td = el(tr, "td", NULL);
    code_or_dash(td, v->policy);
    if (v->owner && *v->owner) {
      char *what = ecr_xasprintf(" \xc2\xb7 %s ",
                                 ecr_label(v->source == ECR_SRC_SCP   ? "html/via-scp-target"
                                           : v->source == ECR_SRC_RCP ? "html/via-rcp-target"
                                                                      : "html/via-group"));
      xmlNodePtr span = el_text(td, "span", "muted", what);
      free(what);
      add_text(span, v->owner);
    }
    code_or_dash(el(tr, "td", NULL), v->statement);
    el_text(tr, "td", NULL, ecr_source_name(v->source));
    el_text(tr, "td", NULL, ecr_label(v->deny ? "html/effect-deny" : "label/effect-allow"));
    el_text(tr, "td", NULL, ecr_label(v->conditional ? "html/yes" : "html/no"));
  }
}

static void exception_text(html_ctx *c, xmlNodePtr dd, const ecr_ledger_entry *e) {
  const ecr_report *r = c->r;
  if (r->ledger && e >= r->ledger && e < r->ledger + r->n_ledger) {
    char href[48];
    snprintf(href, sizeof(href), "#exception-%zu", (size_t)(e - r->ledger) + 1);
    xmlNodePtr a = el_text(dd, "a", NULL, e->id);
    set_attr(a, "href", href);
  } else {
    el_text(dd, "code", NULL, e->id);
  }
  add_text(dd, " ");
  badge(dd, "ls", ecr_ledger_state_name(e->state));
  if (e->expires && *e->expires) {
    char *t = ecr_xasprintf(" %s ", ecr_label("html/expires"));
    add_text(dd, t);
    free(t);
    add_text(dd, e->expires);
  }
  if (e->reason && *e->reason) el_text(dd, "p", "muted", e->reason);
}

static xmlNodePtr dl_item(xmlNodePtr dl, const char *term) {
  el_text(dl, "dt", NULL, term);
  return el(dl, "dd", NULL);
}

static void finding_detail(html_ctx *c, xmlNodePtr tbody, const ecr_finding *f) {
  xmlNodePtr td = el(el(tbody, "tr", "detail"), "td", NULL);
  set_attr(td, "colspan", "7");
  xmlNodePtr details = el(td, "details", NULL);
  el_text(details, "summary", NULL, ecr_label("html/details-summary"));
  xmlNodePtr dl = el(details, "dl", "detail-body");

  xmlNodePtr dd = dl_item(dl, ecr_label("label/status"));
  badge(dd, "st", ecr_check_status_name(f->status));
  if (f->status_reason && *f->status_reason) {
    add_text(dd, " ");
    add_text(dd, f->status_reason);
  }
  if (f->exception) exception_text(c, dl_item(dl, ecr_label("label/exception")), f->exception);
  if (f->n_via_chain) {
    /* the chain as a path: principal, then each role assumed */
    dd = dl_item(dl, ecr_label("label/reached-through"));
    xmlNodePtr ol = el(dd, "ol", "chain");
    el_text(el(ol, "li", NULL), "code", NULL, f->principal);
    for (size_t i = 0; i < f->n_via_chain; i++)
      arn_code(el(ol, "li", NULL), f->via_chain[i], ":role/");
    if (f->chain_trust) {
      const char *kv[] = {"statement", f->chain_trust, NULL};
      char *t = ecr_text("html/chain-trust", kv);
      el_text(dd, "div", "note", t);
      free(t);
    }
  }

  dd = dl_item(dl, ecr_label("label/actions"));
  add_class(dd, "actions");
  for (size_t i = 0; i < f->n_actions; i++) {
    el_text(dd, "code", NULL, f->actions[i]);
    add_text(dd, " ");
  }
  {
    dd = dl_item(dl, ecr_label("label/repositories"));
    if (f->all_repositories) {
      char num[32];
      fmt_count(f->n_repositories, num); /* the set is every repository: the PDF's count too */
      const char *kv[] = {"n", num, NULL};
      char *all = ecr_text("label/repos-all-many", kv);
      el_text(el(dd, "div", NULL), "span", "all-repos", all);
      free(all);
    }
    xmlNodePtr ul = el(dd, "ul", NULL);
    for (size_t i = 0; i < f->n_repositories && i < HTML_DETAIL_REPOS; i++)
      arn_code(el(ul, "li", NULL), f->repositories[i], ":repository/");
    if (f->n_repositories > HTML_DETAIL_REPOS) {
      char num[32];
      fmt_count(f->n_repositories - HTML_DETAIL_REPOS, num);
      const char *kv[] = {"n", num, NULL};
      char *more = ecr_text("html/repos-more", kv);
      el_text(el(ul, "li", NULL), "span", "more", more);
      free(more);
    }
  }
  dd = dl_item(dl, ecr_label("html/decided-by"));
  if (f->n_via)
    via_table(dd, f);
  else
    text_or_dash(dd, NULL);
  el_text(dl_item(dl, ecr_label("label/impact")), "p", "prose",
          f->impact && *f->impact ? f->impact : "\xe2\x80\x94");
  el_text(dl_item(dl, ecr_label("label/remediation")), "p", "prose",
          f->remediation && *f->remediation ? f->remediation : "\xe2\x80\x94");
  if (f->suggested_statement && *f->suggested_statement) {
    dd = dl_item(dl, ecr_label("label/suggested-statement"));
    el_text(el(dd, "pre", NULL), "code", NULL, f->suggested_statement);
  }
}

/* A finding row's repositories: a grant on every repository says so, else
 * the first HTML_ROW_REPOS and how many more. */
static void row_repos(html_ctx *c, xmlNodePtr td, const ecr_finding *f, bool detailed) {
  if (f->all_repositories && f->n_repositories > HTML_ROW_REPOS) {
    /* no samples: the details (or findings.json) list them */
    char num[32];
    fmt_count(f->n_repositories, num);
    const char *kv[] = {"n", num, NULL};
    char *all = ecr_text("html/row-repos-all", kv);
    el_text(el(td, "div", NULL), "span", "all-repos", all);
    free(all);
    return;
  }
  if (f->all_repositories)
    el_text(el(td, "div", NULL), "span", "all-repos", ecr_label("html/row-repos-all-few"));
  xmlNodePtr ul = el(td, "ul", NULL);
  for (size_t i = 0; i < f->n_repositories && i < HTML_ROW_REPOS; i++)
    repo_short(el(ul, "li", NULL), f->repositories[i]);
  if (f->n_repositories > HTML_ROW_REPOS) {
    char num[32];
    fmt_count(f->n_repositories - HTML_ROW_REPOS, num);
    const char *kv[] = {"n", num, NULL};
    char *more = ecr_text(detailed ? "html/row-repos-more-details" : "html/row-repos-more", kv);
    el_text(el(ul, "li", NULL), "span", "more", more);
    free(more);
  }
}

static void finding_row(html_ctx *c, xmlNodePtr table, const ecr_finding *f, bool detailed) {
  const char *sev = ecr_severity_name(f->severity);
  const char *st = ecr_check_status_name(f->status);
  char cls[64];
  snprintf(cls, sizeof(cls), "finding st-%s sev-%s", st, sev);
  xmlNodePtr tbody = el(table, "tbody", cls);
  set_attr(tbody, "id", f->id);
  set_attr(tbody, "data-severity", sev);
  xmlNodePtr tr = el(tbody, "tr", "row");

  xmlNodePtr td = el(tr, "td", NULL);
  link_to(td, "fid", f->id);
  if (f->change != ECR_CHANGE_NONE) {
    char ccls[32];
    snprintf(ccls, sizeof(ccls), "chg chg-%s", ecr_change_name(f->change));
    const char *kv[] = {"from", f->change_from, NULL};
    char *label =
        f->change_from ? ecr_text("html/changed-was", kv) : ecr_xstrdup(ecr_change_name(f->change));
    el_text(td, "span", ccls, label);
    free(label);
  }

  td = el(tr, "td", NULL);
  sort_key(td, (size_t)f->severity);
  badge(td, "sev", sev);

  td = el(tr, "td", NULL);
  el_text(td, "span", "kind", ecr_principal_kind_name(f->principal_kind));
  principal_code(td, f->principal);

  el_text(tr, "td", NULL, ecr_access_level_name(f->access_level));

  row_repos(c, el(tr, "td", NULL), f, detailed);

  td = el(tr, "td", NULL);
  sort_key(td, (size_t)f->decision);
  char dcls[48];
  snprintf(dcls, sizeof(dcls), "decision %s", ecr_decision_name(f->decision));
  el_text(td, "span", dcls, ecr_decision_name(f->decision));

  td = el(tr, "td", NULL);
  el_text(td, "span", f->can_push ? "push-yes" : "push-no",
          ecr_label(f->can_push ? "html/yes" : "html/no"));

  if (detailed) finding_detail(c, tbody, f);
}

/* A marker comment in parent: the rows of job go there. */
static void add_marker(html_ctx *c, xmlNodePtr parent, stream_kind kind, ecr_check_status st) {
  char text[48];
  snprintf(text, sizeof(text),
           "\x01"
           "ecraudit-stream-%zu\x01",
           c->n_jobs);
  xmlAddChild(parent, xmlNewDocComment(c->doc, BAD_CAST text));
  stream_job job = {kind, st, false};
  ECR_PUSH(c->jobs, c->n_jobs, c->cap_jobs, job);
}

/* Replace a note's {{key}} text with its expansion. */
static void expand_note(xmlNodePtr note, const char *const *kv) {
  xmlChar *tmpl = xmlNodeGetContent(note);
  char *text = ecr_template_expand(tmpl ? (const char *)tmpl : "", kv);
  remove_children(note);
  add_text(note, text);
  free(text);
  xmlFree(tmpl);
}

/* Whether the next finding of (s, v) gets its detail block; counts it. */
static bool take_detail(const html_ctx *c, size_t shown[ECR_CHECK_COUNT][ECR_SEV_COUNT], unsigned s,
                        unsigned v) {
  if (s == ECR_CHECK_PASS && !c->pass_details) return false;
  if (shown[s][v] >= c->detail_limit) return false;
  shown[s][v]++;
  return true;
}

static void render_findings(html_ctx *c) {
  const ecr_report *r = c->r;
  xmlNodePtr groups[ECR_CHECK_COUNT] = {0};
  size_t summarized[ECR_CHECK_COUNT] = {0};
  size_t rows[ECR_CHECK_COUNT] = {0};
  size_t shown[ECR_CHECK_COUNT][ECR_SEV_COUNT] = {{0}};

  size_t n_pass = 0;
  for (size_t i = 0; i < r->n_findings; i++) n_pass += r->findings[i].status == ECR_CHECK_PASS;
  c->pass_details = n_pass <= HTML_PASS_DETAIL_MAX;

  for (int s = 0; s < ECR_CHECK_COUNT; s++) {
    size_t i = 0;
    const char *name = ecr_check_status_name((ecr_check_status)s);
    groups[s] = next_mark(c, &i, NULL, "data-group", name);
    if (!groups[s]) continue;
    char id[32];
    snprintf(id, sizeof(id), "findings-%s", name);
    set_attr(groups[s], "id", id);
    char num[32];
    fmt_count(r->by_status[s], num);
    char *count = ecr_xasprintf("(%s)", num);
    fill(c, groups[s], "count", count);
    free(count);
    c->protos[s] = first_element(groups[s]->children, "table");
    if (c->protos[s] && c->protos[s]->parent) xmlUnlinkNode(c->protos[s]);
  }

  /* the rows themselves come later (stream_findings); here only what the
     skeleton says about them */
  for (size_t i = 0; i < r->n_findings; i++) {
    const ecr_finding *f = &r->findings[i];
    unsigned s = (unsigned)f->status, v = (unsigned)f->severity;
    if (s >= ECR_CHECK_COUNT || v >= ECR_SEV_COUNT || !c->protos[s]) continue;
    rows[s]++;
    if (!take_detail(c, shown, s, v) && !(s == ECR_CHECK_PASS && !c->pass_details)) summarized[s]++;
  }

  for (int s = 0; s < ECR_CHECK_COUNT; s++) {
    if (!groups[s]) continue;
    bool any = rows[s] > 0 && c->protos[s];
    when(c, groups[s], "empty", !any);
    when(c, groups[s], "rows", any);
    if (summarized[s]) {
      size_t i = 0;
      xmlNodePtr note = next_mark(c, &i, groups[s], "data-when", "summarized");
      if (note) {
        char limit[32], num[32];
        fmt_count(c->detail_limit, limit);
        fmt_count(summarized[s], num);
        const char *kv[] = {"limit", limit, "summarized", num, NULL};
        expand_note(note, kv);
      }
    }
    when(c, groups[s], "summarized", summarized[s] > 0);
    bool rows_only = s == ECR_CHECK_PASS && any && !c->pass_details;
    if (rows_only) {
      size_t i = 0;
      xmlNodePtr note = next_mark(c, &i, groups[s], "data-when", "pass-rows-only");
      if (note) {
        char num[32];
        fmt_count(rows[s], num);
        const char *kv[] = {"total", num, NULL};
        expand_note(note, kv);
      }
    }
    when(c, groups[s], "pass-rows-only", rows_only);
    if (!any) continue;
    size_t k = 0;
    xmlNodePtr wrap = next_mark(c, &k, groups[s], "data-when", "rows");
    if (!wrap) continue;
    if (rows[s] > HTML_CHUNK) add_class(wrap, "chunked");
    add_marker(c, wrap, STREAM_FINDINGS, (ecr_check_status)s);
  }
}

/* Serialize n and free it. */
static void dump_free(html_ctx *c, xmlOutputBufferPtr ob, xmlNodePtr n) {
  htmlNodeDumpFormatOutput(ob, c->doc, n, "UTF-8", 1);
  xmlFreeNode(n);
}

/* The rows of one findings group, HTML_CHUNK per table, each table in its
 * own div.chunk (CSS content-visibility), serialized and freed in turn. */
static void stream_findings(html_ctx *c, xmlOutputBufferPtr ob, ecr_check_status st,
                            const bool *stop) {
  const ecr_report *r = c->r;
  size_t shown[ECR_CHECK_COUNT][ECR_SEV_COUNT] = {{0}};
  xmlNodePtr proto = c->protos[st];
  xmlNodePtr chunk = NULL, table = NULL;
  size_t rows = 0;
  for (size_t i = 0; i < r->n_findings && !*stop; i++) {
    const ecr_finding *f = &r->findings[i];
    unsigned s = (unsigned)f->status, v = (unsigned)f->severity;
    if (s != (unsigned)st || v >= ECR_SEV_COUNT) continue;
    bool detailed = take_detail(c, shown, s, v);
    if (!chunk) {
      chunk = xmlNewDocNode(c->doc, NULL, BAD_CAST "div", NULL);
      xmlSetProp(chunk, BAD_CAST "class", BAD_CAST "chunk");
      table = xmlDocCopyNode(proto, c->doc, 1);
      xmlAddChild(chunk, table);
    }
    finding_row(c, table, f, detailed);
    if (++rows % HTML_CHUNK == 0) {
      dump_free(c, ob, chunk);
      chunk = NULL;
    }
  }
  if (chunk) dump_free(c, ob, chunk);
}

/* ---- repositories, principals, ledger, coverage, evidence --------------- */

static const ecr_repo_access *access_of(const ecr_repo_view *v, int k, size_t *n) {
  switch (k) {
  case 0: *n = v->n_push; return v->push;
  case 1: *n = v->n_delete; return v->delete_;
  case 2: *n = v->n_permissions; return v->permissions;
  default: *n = v->n_tag; return v->tag;
  }
}

static void access_item(xmlNodePtr ul, const ecr_repo_access *a) {
  xmlNodePtr li = el(ul, "li", NULL);
  principal_code(li, a->principal);
  if (a->decision == ECR_DECISION_CONDITIONAL) {
    add_text(li, " ");
    el_text(li, "span", "decision conditional", ecr_label("html/conditional"));
  }
}

/* One repository's list for access k, without the principals listed once
 * above the table. */
static void access_list(html_ctx *c, xmlNodePtr tr, int k, const ecr_repo_access *a, size_t n) {
  xmlNodePtr td = el(tr, "td", NULL);
  size_t n_common = c->factor ? c->r->n_everywhere[k] : 0;
  size_t n_every = c->r->n_everywhere[k];
  if (!n && !n_every) {
    el_text(td, "span", "nobody", ecr_label("html/access-none-found"));
    return;
  }
  xmlNodePtr ul = NULL;
  size_t shown = 0, more = 0;
  /* not factored out: the principals with access everywhere first (the
     report lists them once, not in each repository's own list), then the
     repository's own */
  size_t n_first = c->factor ? 0 : n_every;
  for (size_t i = 0; i < n_first + n; i++) {
    const ecr_repo_access *e = i < n_first ? &c->r->everywhere[k][i] : &a[i - n_first];
    if (i >= n_first && e->everywhere) continue;
    if (shown == HTML_REPO_ACCESS_MAX) {
      more++;
      continue;
    }
    if (!ul) ul = el(td, "ul", NULL);
    access_item(ul, e);
    shown++;
  }
  if (more) {
    char num[32];
    fmt_count(more, num);
    const char *kv[] = {"n", num, NULL};
    char *text = ecr_text("html/access-more", kv);
    el_text(td, "div", "muted", text);
    free(text);
  }
  if (n_common) {
    char num[32];
    fmt_count(n_common, num);
    const char *kv[] = {"n", num, NULL};
    char *text = ecr_text(ul ? "label/access-common-and" : "html/access-common-only", kv);
    el_text(td, "div", "muted", text);
    free(text);
  }
}

/* The pictures (src/render/picture.c, drawn by svg.c). */
static void render_pictures(html_ctx *c, const ecr_render_opts *opts) {
  ecr_pictures *owned = NULL;
  const ecr_pictures *p = ecr_pictures_for(c->r, opts, &owned);
  when(c, NULL, "no-pictures", !p->n_graphs && !p->has_heatmap);
  xmlNodePtr s = slot(c, NULL, "pictures");
  if (s) ecr_svg_figures(s, p);
  char *omitted = ecr_pictures_omitted_text(p);
  when(c, NULL, "pictures-omitted", omitted != NULL);
  if (omitted) fill(c, NULL, "pictures_omitted", omitted);
  free(omitted);
  ecr_pictures_free(owned);
}

static const char *const access_names[4] = {"label/access-write-images", "label/access-delete",
                                            "html/access-permissions", "label/access-tag"};

static void render_repositories(html_ctx *c) {
  const ecr_report *r = c->r;
  when(c, NULL, "repos", r->n_repo_views > 0);
  when(c, NULL, "no-repos", r->n_repo_views == 0);
  bool factor = r->n_repo_views > HTML_REPO_FACTOR_MIN;
  when(c, NULL, "repos-common", factor);
  c->factor = factor;
  if (factor) {
    xmlNodePtr note = slot(c, NULL, "repos_common_note");
    if (note) {
      char num[32];
      fmt_count(r->n_repo_views, num);
      const char *kv[] = {"repos", num, NULL};
      expand_note(note, kv);
    }
    xmlNodePtr body = slot(c, NULL, "repos_common_body");
    for (int k = 0; body && k < 4; k++) {
      xmlNodePtr tr = el(body, "tr", NULL);
      char num[32];
      fmt_count(r->n_everywhere[k], num);
      char *label = ecr_xasprintf("%s (%s)", ecr_label(access_names[k]), num);
      set_attr(el_text(tr, "th", NULL, label), "scope", "row");
      free(label);
      xmlNodePtr td = el(tr, "td", NULL);
      xmlNodePtr ul = NULL;
      for (size_t j = 0; j < r->n_everywhere[k]; j++) {
        if (!ul) ul = el(td, "ul", NULL);
        access_item(ul, &r->everywhere[k][j]);
      }
      if (!ul) el_text(td, "span", "nobody", ecr_label("html/none"));
    }
  }
  xmlNodePtr body = slot(c, NULL, "repos_body");
  if (body && r->n_repo_views) add_marker(c, body, STREAM_REPOS, ECR_CHECK_PASS);
}

static void repo_row(html_ctx *c, xmlNodePtr parent, const ecr_repo_view *v) {
  xmlNodePtr tr = el(parent, "tr", v->gap ? "gap" : NULL);
  xmlNodePtr th = el(tr, "th", NULL);
  set_attr(th, "scope", "row");
  el_text(th, "div", "repo-name", v->name && *v->name ? v->name : v->arn);
  if (v->region && *v->region) el_text(th, "div", "region", v->region);
  arn_code(el(th, "div", "muted"), v->arn, ":repository/");
  xmlNodePtr td = el(tr, "td", NULL);
  if (v->gap) {
    el_text(td, "span", "badge gap", ecr_label("html/evidence-gap"));
    if (v->gap_error && *v->gap_error) el_text(td, "div", "muted", v->gap_error);
  } else {
    add_text(td, ecr_label(v->has_policy ? "html/policy-present" : "html/none"));
  }
  for (int k = 0; k < 4; k++) {
    size_t n;
    const ecr_repo_access *a = access_of(v, k, &n);
    access_list(c, tr, k, a, n);
  }
}

static void principal_row(html_ctx *c, xmlNodePtr parent, const ecr_principal_view *p) {
  const ecr_report *r = c->r;
  xmlNodePtr tr = el(parent, "tr", NULL);
  xmlNodePtr th = el(tr, "th", NULL);
  set_attr(th, "scope", "row");
  if (p->name && *p->name && (!p->principal || strcmp(p->name, p->principal) != 0)) {
    el_text(th, "div", NULL, p->name);
    el_text(el(th, "div", "muted"), "code", NULL, p->principal);
  } else {
    principal_code(th, p->principal);
  }
  if (p->service_linked)
    el_text(el(th, "div", NULL), "span", "badge flag", ecr_label("html/service-linked"));
  if (p->evidence_gap)
    el_text(el(th, "div", NULL), "span", "badge gap", ecr_label("html/evidence-gap"));

  el_text(tr, "td", NULL, ecr_principal_kind_name(p->kind));
  xmlNodePtr td = el(tr, "td", NULL);
  sort_key(td, status_rank(p->worst_status));
  badge(td, "st", ecr_check_status_name(p->worst_status));
  td = el(tr, "td", NULL);
  sort_key(td, (size_t)p->worst_severity);
  badge(td, "sev", ecr_severity_name(p->worst_severity));

  td = el(tr, "td", NULL);
  sort_key(td, p->n_findings);
  xmlNodePtr ul = el(td, "ul", NULL);
  for (size_t k = 0; k < p->n_findings; k++) {
    if (p->findings[k] >= r->n_findings) continue;
    link_to(el(ul, "li", NULL), "fid", r->findings[p->findings[k]].id);
  }
  text_or_dash(el(tr, "td", NULL), p->used_by);
  text_or_dash(el(tr, "td", NULL), p->last_used);
}

static void render_principals(html_ctx *c) {
  const ecr_report *r = c->r;
  when(c, NULL, "principals", r->n_principal_views > 0);
  when(c, NULL, "no-principals", r->n_principal_views == 0);
  xmlNodePtr body = slot(c, NULL, "principals_body");
  if (body && r->n_principal_views) add_marker(c, body, STREAM_PRINCIPALS, ECR_CHECK_PASS);
}

/* Repository or principal rows, HTML_BATCH at a time: built under a
 * detached tbody, each row serialized, then the batch freed. */
static void stream_rows(html_ctx *c, xmlOutputBufferPtr ob, stream_kind kind, const bool *stop) {
  const ecr_report *r = c->r;
  size_t n = kind == STREAM_REPOS ? r->n_repo_views : r->n_principal_views;
  for (size_t i = 0; i < n && !*stop; i += HTML_BATCH) {
    xmlNodePtr batch = xmlNewDocNode(c->doc, NULL, BAD_CAST "tbody", NULL);
    for (size_t k = i; k < n && k < i + HTML_BATCH; k++) {
      if (kind == STREAM_REPOS)
        repo_row(c, batch, &r->repositories[k]);
      else
        principal_row(c, batch, &r->principals[k]);
    }
    for (xmlNodePtr row = batch->children; row; row = row->next)
      htmlNodeDumpFormatOutput(ob, c->doc, row, "UTF-8", 1);
    xmlFreeNode(batch);
  }
}

static void strv_codes(xmlNodePtr parent, const char *label, char **v, size_t n) {
  xmlNodePtr div = el(parent, "div", NULL);
  el_text(div, "span", "muted", label);
  if (!n) text_or_dash(div, NULL);
  for (size_t i = 0; i < n; i++) {
    add_text(div, " ");
    el_text(div, "code", NULL, v[i]);
  }
}

static void render_ledger(html_ctx *c) {
  const ecr_report *r = c->r;
  bool have = r->ledger_path != NULL;
  when(c, NULL, "ledger", have);
  when(c, NULL, "no-ledger", !have);
  if (!have) return;
  fill(c, NULL, "ledger_path", r->ledger_path);
  fill(c, NULL, "ledger_sha256", r->ledger_sha256);
  when(c, NULL, "entries", r->n_ledger > 0);
  when(c, NULL, "no-entries", r->n_ledger == 0);
  xmlNodePtr body = slot(c, NULL, "ledger_body");
  for (size_t i = 0; body && i < r->n_ledger; i++) {
    const ecr_ledger_entry *e = &r->ledger[i];
    xmlNodePtr tr = el(body, "tr", NULL);
    char id[48];
    snprintf(id, sizeof(id), "exception-%zu", i + 1);
    set_attr(tr, "id", id);
    xmlNodePtr th = el(tr, "th", NULL);
    set_attr(th, "scope", "row");
    code_or_dash(th, e->id);
    xmlNodePtr td = el(tr, "td", NULL);
    sort_key(td, (size_t)e->state);
    badge(td, "ls", ecr_ledger_state_name(e->state));
    if (e->reason && *e->reason) el_text(td, "div", "muted", e->reason);
    td = el(tr, "td", NULL);
    xmlNodePtr div = el(td, "div", NULL);
    char *pl = ecr_xasprintf("%s ", ecr_label("label/principal"));
    el_text(div, "span", "muted", pl);
    free(pl);
    code_or_dash(div, e->principal);
    strv_codes(td, ecr_label("label/repositories"), e->repositories, e->n_repositories);
    strv_codes(td, ecr_label("label/actions"), e->actions, e->n_actions);
    el_text(el(tr, "td", NULL), "span", "prose",
            e->justification && *e->justification ? e->justification : "\xe2\x80\x94");
    text_or_dash(el(tr, "td", NULL), e->approved_by);
    text_or_dash(el(tr, "td", NULL), e->ticket);
    text_or_dash(el(tr, "td", "date"), e->expires);
    td = el(tr, "td", "num");
    count_text(td, e->matched);
  }
}

static void render_coverage(html_ctx *c) {
  const ecr_report *r = c->r;
  when(c, NULL, "coverage", r->n_coverage > 0);
  when(c, NULL, "no-coverage", r->n_coverage == 0);
  xmlNodePtr ul = slot(c, NULL, "coverage");
  for (size_t i = 0; ul && i < r->n_coverage; i++) el_text(ul, "li", NULL, r->coverage[i]);
}

static void render_evidence(html_ctx *c) {
  const ecr_report *r = c->r;
  when(c, NULL, "files", r->n_files > 0);
  when(c, NULL, "no-files", r->n_files == 0);
  xmlNodePtr body = slot(c, NULL, "files_body");
  for (size_t i = 0; body && i < r->n_files; i++) {
    const ecr_evidence_file *f = &r->files[i];
    xmlNodePtr tr = el(body, "tr", NULL);
    el_text(el(tr, "td", NULL), "code", NULL, f->path);
    xmlNodePtr td = el(tr, "td", "num");
    sort_key(td, f->size);
    count_text(td, f->size);
    el_text(el(tr, "td", NULL), "code", "hash", f->sha256);
  }
  when(c, NULL, "gaps", r->n_gaps > 0);
  when(c, NULL, "no-gaps", r->n_gaps == 0);
  body = slot(c, NULL, "gaps_body");
  for (size_t i = 0; body && i < r->n_gaps; i++) {
    const ecr_gap *g = &r->gaps[i];
    xmlNodePtr tr = el(body, "tr", NULL);
    code_or_dash(el(tr, "td", NULL), g->source);
    code_or_dash(el(tr, "td", NULL), g->resource);
    text_or_dash(el(tr, "td", NULL), g->error);
  }
}

/* ---- evidence pack: scope, drift, sign-off ------------------------------- */

static void fill_pack_text(html_ctx *c, const char *slot_name, const char *tmpl) {
  char *t = ecr_report_pack_text(c->r, tmpl);
  fill(c, NULL, slot_name, t);
  free(t);
}

static void render_pack(html_ctx *c, const char *findings_sha256) {
  const ecr_report *r = c->r;
  when(c, NULL, "stale", r->evidence_stale);
  if (r->evidence_stale) fill_pack_text(c, "age_warning", "age-warning");
  char *usage = ecr_report_usage_text(r); /* issue 21: unused risky access */
  when(c, NULL, "usage", usage != NULL);
  if (usage) fill(c, NULL, "usage_counts", usage);
  free(usage);
  fill_pack_text(c, "method_question", "question");
  fill_pack_text(c, "method_population", "population");
  fill_pack_text(c, "method_evaluation", "evaluation");
  fill_pack_text(c, "method_limits", "limits");
  fill_pack_text(c, "signoff_text", "signoff");

  xmlNodePtr body = slot(c, NULL, "kinds_body");
  for (int k = 0; body && k <= ECR_PK_SERVICE; k++) {
    xmlNodePtr tr = el(body, "tr", NULL);
    el_text(tr, "td", NULL, ecr_principal_kind_name((ecr_principal_kind)k));
    count_text(el(tr, "td", "num"), r->by_kind[k]);
  }
  body = slot(c, NULL, "sources_body");
  for (size_t i = 0; body && i < r->n_sources; i++) {
    const ecr_evidence_source *s = &r->sources[i];
    xmlNodePtr tr = el(body, "tr", s->n_files ? NULL : "absent");
    el_text(el(tr, "td", NULL), "code", NULL, s->pattern);
    el_text(tr, "td", NULL, ecr_label(s->required ? "label/required" : "label/optional"));
    xmlNodePtr td = el(tr, "td", "num");
    if (s->n_files)
      count_text(td, s->n_files);
    else
      el_text(td, "span", "badge gap", ecr_label("label/absent"));
    el_text(tr, "td", NULL, s->label);
  }
  body = slot(c, NULL, "mappings_body");
  for (size_t i = 0; body && i < r->n_mappings; i++) {
    const ecr_mapping *m = &r->mappings[i];
    xmlNodePtr tr = el(body, "tr", NULL);
    el_text(tr, "td", NULL, m->framework);
    el_text(el(tr, "td", NULL), "strong", NULL, m->id);
    text_or_dash(el(tr, "td", NULL), m->title);
  }

  const ecr_baseline *b = r->baseline;
  when(c, NULL, "baseline", b != NULL);
  if (b) {
    fill_pack_text(c, "baseline_text", "baseline");
    fill(c, NULL, "baseline_path", b->path);
    fill(c, NULL, "baseline_sha256", b->sha256);
    fill_pack_text(c, "baseline_counts", "baseline-counts");
    when(c, NULL, "resolved", b->n_resolved > 0);
    when(c, NULL, "no-resolved", b->n_resolved == 0);
    body = slot(c, NULL, "resolved_body");
    for (size_t i = 0; body && i < b->n_resolved; i++) {
      const ecr_baseline_item *it = &b->resolved[i];
      xmlNodePtr tr = el(body, "tr", "resolved");
      el_text(el(tr, "td", NULL), "code", "fid", it->id);
      principal_code(el(tr, "td", NULL), it->principal);
      text_or_dash(el(tr, "td", NULL), it->access_level);
      xmlNodePtr td = el(tr, "td", NULL);
      badge(td, "st", it->status);
      add_text(td, " ");
      badge(td, "sev", it->severity);
    }
  }
  fill(c, NULL, "findings_sha256", findings_sha256);
  fill(c, NULL, "evidence_sha256", r->evidence_sha256);
}

/* ---- output ---------------------------------------------------------------- */

typedef struct html_out {
  ecr_sink *sink;
  bool failed;
} html_out;

/* A failed write is remembered, not reported to libxml2 (which would print
 * a message: library code stays silent); the rest of the output is dropped. */
static int out_write(void *ctx, const char *buf, int len) {
  html_out *o = ctx;
  if (!o->failed && len > 0 && ecr_sink_write(o->sink, buf, (size_t)len) != 0) o->failed = true;
  return len;
}

static int out_close(void *ctx) {
  (void)ctx;
  return 0;
}

static int buf_write(void *ctx, const char *buf, int len) {
  if (len > 0) ecr_buf_append(ctx, buf, (size_t)len);
  return len;
}

/* The skeleton's bytes (in skel) with each marker replaced by its job's
 * rows, into ob. False unless every job's marker appears exactly once. */
static bool stream_document(html_ctx *c, const ecr_buf *skel, xmlOutputBufferPtr ob,
                            const bool *stop) {
  const char *p = skel->data ? skel->data : "";
  const char *end = p + skel->len;
  size_t done = 0;
  for (;;) {
    const char *m = strstr(p, MARKER_HEAD);
    if (!m) break;
    const char *num = m + strlen(MARKER_HEAD);
    char *after = NULL;
    unsigned long id = strtoul(num, &after, 10);
    if (after == num || id >= c->n_jobs || c->jobs[id].done ||
        strncmp(after, MARKER_TAIL, strlen(MARKER_TAIL)) != 0)
      return false;
    xmlOutputBufferWrite(ob, (int)(m - p), p);
    stream_job *job = &c->jobs[id];
    job->done = true;
    done++;
    if (job->kind == STREAM_FINDINGS)
      stream_findings(c, ob, job->status, stop);
    else
      stream_rows(c, ob, job->kind, stop);
    p = after + strlen(MARKER_TAIL);
  }
  if (done != c->n_jobs) return false;
  xmlOutputBufferWrite(ob, (int)(end - p), p);
  return true;
}

ecr_status ecr_render_html(const ecr_report *report, const ecr_render_opts *opts, ecr_sink *sink,
                           ecr_error *err) {
  html_ctx c = {0};
  ecr_status st = ECR_OK;
  ecr_buf skel;
  ecr_buf_init(&skel);
  c.r = report;
  c.detail_limit = opts && opts->detail_limit ? opts->detail_limit : HTML_DEFAULT_DETAIL_LIMIT;

  size_t len = 0;
  const char *skeleton = ecr_embedded_get(SKELETON, &len);
  if (!skeleton || len > INT32_MAX) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "html template %s is not embedded", SKELETON);
    goto done;
  }
  c.doc = htmlReadMemory(skeleton, (int)len, "report.html", "UTF-8",
                         HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  if (!c.doc) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "cannot parse html template %s", SKELETON);
    goto done;
  }
  collect_marks(&c, c.doc->children);

  st = add_assets(&c, err);
  if (st != ECR_OK) goto done;
  render_header(&c);
  {
    char fsha[65];
    ecr_render_findings_sha256(report, opts, fsha);
    render_pack(&c, fsha);
  }
  render_summary(&c);
  render_findings(&c);
  render_pictures(&c, opts);
  render_repositories(&c);
  render_principals(&c);
  render_ledger(&c);
  render_coverage(&c);
  render_evidence(&c);
  strip_marks(&c);

  /* the skeleton with its markers, in memory (small), then the page */
  xmlOutputBufferPtr sb = xmlOutputBufferCreateIO(buf_write, out_close, &skel, NULL);
  if (!sb) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "cannot create an output buffer");
    goto done;
  }
  htmlDocContentDumpFormatOutput(sb, c.doc, "UTF-8", 1);
  if (xmlOutputBufferClose(sb) < 0) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "cannot serialize the HTML skeleton");
    goto done;
  }
  html_out out = {sink, false};
  xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(out_write, out_close, &out, NULL);
  if (!ob) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "cannot create an output buffer");
    goto done;
  }
  bool ok = stream_document(&c, &skel, ob, &out.failed);
  int rc = xmlOutputBufferClose(ob);
  if (rc < 0 || out.failed)
    st = ecr_error_set(err, ECR_E_OUTPUT, NULL, "cannot write the HTML report");
  else if (!ok)
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "html skeleton markers out of order");

done:
  for (int s = 0; s < ECR_CHECK_COUNT; s++)
    if (c.protos[s]) xmlFreeNode(c.protos[s]);
  free(c.jobs);
  ecr_buf_cleanup(&skel);
  if (c.doc) xmlFreeDoc(c.doc);
  free(c.marks);
  return st;
}
