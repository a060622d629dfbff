/* The organisation's report.html (org_internal.h): one page, the
 * organisation summary, then each account. The summary table gives per
 * account its result, its findings by status and its worst findings; each
 * account's section lists its open findings (fail, unknown, excepted), worst
 * first, up to ECR_ORG_LISTED, with their repositories, impact and
 * remediation, and counts the rest. Every finding of every account is in
 * findings.json and report.junit.xml, and one account's full HTML report is
 * `ecraudit report --evidence ORG/accounts/<id>` (the page says so). Built
 * as a libxml2 HTML tree from text cleaned by the HTML renderer's rule
 * (ecr_html_text), so every string is escaped by the serializer; no script,
 * no external reference (the Content-Security-Policy forbids both). The
 * sentences are templates/text/org/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "org/org_internal.h"
#include "render/svg.h"
#include "util/util.h"

static const char STYLE[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1200px}"
    "h1{font-size:20px;margin:0 0 4px}p{margin:6px 0}"
    "table{border-collapse:collapse;width:100%;margin-top:12px}"
    "th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}"
    "th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".fail{color:#b42318;font-weight:600}.unknown{color:#9a6700;font-weight:600}"
    ".pass{color:#1a7f37;font-weight:600}ul{margin:0;padding-left:18px}"
    "code{font:12px ui-monospace,monospace;overflow-wrap:anywhere}"
    "h2{font-size:17px;margin:28px 0 4px}section{border-top:1px solid #d0d7de;margin-top:20px}"
    ".excepted{color:#57606a;font-weight:600}td.text{max-width:360px}"
    "a{color:#0969da}";

static void text(xmlNodePtr parent, const char *s) {
  xmlChar *clean = ecr_html_text(s ? s : "");
  xmlAddChild(parent, xmlNewText(clean));
  free(clean);
}

static xmlNodePtr el(xmlNodePtr parent, const char *name, const char *cls, const char *s) {
  xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
  if (cls) xmlNewProp(n, BAD_CAST "class", BAD_CAST cls);
  if (s) text(n, s);
  return n;
}

/* el() with a template of templates/text/org/ as its text */
static xmlNodePtr el_t(xmlNodePtr parent, const char *name, const char *cls, const char *tmpl,
                       const char *const *kv) {
  char *s = ecr_text(tmpl, kv);
  xmlNodePtr n = el(parent, name, cls, s);
  free(s);
  return n;
}

/* A header row from a template holding the column titles, one per line. */
static void header_row(xmlNodePtr table, const char *tmpl) {
  xmlNodePtr tr = el(el(table, "thead", NULL, NULL), "tr", NULL, NULL);
  char *cols = ecr_text(tmpl, NULL), *save = NULL;
  for (char *c = strtok_r(cols, "\n", &save); c; c = strtok_r(NULL, "\n", &save))
    xmlNewProp(el(tr, "th", NULL, c), BAD_CAST "scope", BAD_CAST "col");
  free(cols);
}

static char *anchor(const char *account) {
  return ecr_xasprintf("account-%s", account);
}

static void el_n(xmlNodePtr parent, const char *name, const char *cls, size_t v) {
  char num[32];
  snprintf(num, sizeof(num), "%zu", v);
  el(parent, name, cls, num);
}

static void worst_item(xmlNodePtr ul, const ecr_org_worst *w) {
  xmlNodePtr li = el(ul, "li", NULL, NULL);
  el(li, "code", NULL, w->id);
  char *s = ecr_org_worst_text(w, "org/worst");
  text(li, s);
  free(s);
}

/* A finding's id, status, severity, principal, access and repositories. */
static void finding_cells(xmlNodePtr tr, const ecr_org_worst *w) {
  el(el(tr, "td", NULL, NULL), "code", NULL, w->id);
  el(tr, "td", ecr_check_status_name(w->status), ecr_check_status_name(w->status));
  el(tr, "td", NULL, ecr_severity_name(w->severity));
  el(el(tr, "td", NULL, NULL), "code", NULL, w->principal);
  char *access = ecr_org_access_words(w);
  el(tr, "td", NULL, access);
  free(access);
  el(tr, "td", "text", w->repositories);
}

static void accounts_table(xmlNodePtr body, const ecr_org_summary *s) {
  xmlNodePtr table = el(body, "table", "accounts", NULL);
  el_t(table, "caption", NULL, "org/accounts-caption", NULL);
  header_row(table, "org/accounts-columns");
  xmlNodePtr tbody = el(table, "tbody", NULL, NULL);
  size_t *order = ecr_org_page_order(s);
  for (size_t i = 0; i < s->n_accounts; i++) {
    const ecr_org_acct *a = &s->accounts[order[i]];
    xmlNodePtr tr = el(tbody, "tr", NULL, NULL);
    xmlNodePtr th = el(tr, "th", NULL, NULL);
    xmlNewProp(th, BAD_CAST "scope", BAD_CAST "row");
    char *href = anchor(a->account), *ref = ecr_xasprintf("#%s", href);
    xmlNewProp(el(th, "a", NULL, a->account), BAD_CAST "href", BAD_CAST ref);
    free(href);
    free(ref);
    el(tr, "td", ecr_check_status_name(a->overall), ecr_check_status_name(a->overall));
    el_n(tr, "td", "n", a->by_status[ECR_CHECK_FAIL]);
    el_n(tr, "td", "n", a->by_status[ECR_CHECK_UNKNOWN]);
    el_n(tr, "td", "n", a->by_status[ECR_CHECK_EXCEPTED]);
    el_n(tr, "td", "n", a->by_status[ECR_CHECK_PASS]);
    xmlNodePtr td = el(tr, "td", NULL, NULL);
    if (!a->n_worst) {
      text(td, "\xe2\x80\x94");
      continue;
    }
    xmlNodePtr ul = el(td, "ul", NULL, NULL);
    for (size_t k = 0; k < a->n_worst && k < ECR_ORG_WORST; k++) worst_item(ul, &a->worst[k]);
  }
  free(order);
}

/* The open findings for principals outside the report's accounts. */
static void outside_section(xmlNodePtr body, const ecr_org_summary *s) {
  xmlNodePtr sec = el(body, "section", NULL, NULL);
  xmlNewProp(sec, BAD_CAST "id", BAD_CAST "outside");
  el_t(sec, "h2", NULL, "org/outside-title", NULL);
  char *line = ecr_org_outside_line(s);
  el(sec, "p", NULL, line);
  free(line);
  if (!s->outside_open) return;
  xmlNodePtr table = el(sec, "table", "outside", NULL);
  header_row(table, "org/outside-columns");
  xmlNodePtr tbody = el(table, "tbody", NULL, NULL);
  size_t *order = ecr_org_page_order(s);
  for (size_t i = 0; i < s->n_accounts; i++) {
    const ecr_org_acct *a = &s->accounts[order[i]];
    for (size_t k = 0; k < a->n_outside; k++) {
      const ecr_org_worst *w = &a->outside[k];
      xmlNodePtr tr = el(tbody, "tr", NULL, NULL);
      xmlNodePtr th = el(tr, "th", NULL, a->account);
      xmlNewProp(th, BAD_CAST "scope", BAD_CAST "row");
      finding_cells(tr, w);
    }
    char *more = ecr_org_outside_more(a);
    if (more) {
      xmlNodePtr tr = el(tbody, "tr", NULL, NULL);
      xmlNodePtr td = el(tr, "td", NULL, more);
      xmlNewProp(td, BAD_CAST "colspan", BAD_CAST "7");
    }
    free(more);
  }
  free(order);
}

/* One account's section: its counts, its listed open findings, the rest counted. */
static void account_section(xmlNodePtr body, const ecr_org_acct *a) {
  xmlNodePtr sec = el(body, "section", NULL, NULL);
  char *id = anchor(a->account);
  xmlNewProp(sec, BAD_CAST "id", BAD_CAST id);
  free(id);
  const char *kv_acct[] = {"account", a->account, NULL};
  el_t(sec, "h2", NULL, "org/account-title", kv_acct);
  char *line = ecr_org_account_line(a);
  el(sec, "p", NULL, line);
  free(line);
  if (!a->n_worst) {
    el_t(sec, "p", NULL, "org/account-none-open", kv_acct);
    return;
  }
  xmlNodePtr table = el(sec, "table", "findings", NULL);
  header_row(table, "org/findings-columns");
  xmlNodePtr tbody = el(table, "tbody", NULL, NULL);
  for (size_t k = 0; k < a->n_worst; k++) {
    const ecr_org_worst *w = &a->worst[k];
    xmlNodePtr tr = el(tbody, "tr", NULL, NULL);
    finding_cells(tr, w);
    el(tr, "td", "text", w->impact ? w->impact : "\xe2\x80\x94");
    el(tr, "td", "text", w->remediation ? w->remediation : "\xe2\x80\x94");
  }
  char *more = ecr_org_more_line(a);
  if (more) el(sec, "p", NULL, more);
  free(more);
}

ecr_status ecr_org_html(const ecr_org_summary *s, const char *control_name, ecr_buf *out,
                        ecr_error *err) {
  htmlDocPtr doc = htmlNewDoc(BAD_CAST "about:legacy-compat", NULL);
  if (!doc) return ecr_error_set(err, ECR_E_INTERNAL, NULL, "html: cannot create a document");
  xmlNodePtr html = xmlNewDocNode(doc, NULL, BAD_CAST "html", NULL);
  xmlDocSetRootElement(doc, html);
  xmlNewProp(html, BAD_CAST "lang", BAD_CAST "en");
  xmlNodePtr head = el(html, "head", NULL, NULL);
  xmlNodePtr meta = el(head, "meta", NULL, NULL);
  xmlNewProp(meta, BAD_CAST "charset", BAD_CAST "utf-8");
  meta = el(head, "meta", NULL, NULL);
  xmlNewProp(meta, BAD_CAST "http-equiv", BAD_CAST "Content-Security-Policy");
  xmlNewProp(meta, BAD_CAST "content",
             BAD_CAST "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                      "form-action 'none'");
  const char *kv_title[] = {"control", control_name, NULL};
  el_t(head, "title", NULL, "org/title", kv_title);
  el(head, "style", NULL, STYLE);
  xmlNodePtr body = el(html, "body", NULL, NULL);
  el_t(body, "h1", NULL, "org/title", kv_title);
  char *line = ecr_org_summary_line(s);
  el(body, "p", NULL, line);
  free(line);
  el_t(body, "p", NULL, "org/html-note", NULL);
  accounts_table(body, s);
  outside_section(body, s);
  size_t *order = ecr_org_page_order(s);
  for (size_t i = 0; i < s->n_accounts; i++) account_section(body, &s->accounts[order[i]]);
  free(order);
  xmlChar *mem = NULL;
  int size = 0;
  htmlDocDumpMemoryFormat(doc, &mem, &size, 1);
  xmlFreeDoc(doc);
  if (!mem || size <= 0) {
    xmlFree(mem);
    return ecr_error_set(err, ECR_E_INTERNAL, NULL, "html: libxml2 could not write the summary");
  }
  ecr_buf_append(out, (const char *)mem, (size_t)size);
  xmlFree(mem);
  return ECR_OK;
}
