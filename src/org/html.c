/* The organisation's report.html (org_internal.h): one page, the
 * organisation summary. Per account: its result, its findings by status and
 * its worst findings; every finding of every account is in findings.json
 * and report.junit.xml, and one account's full HTML report is
 * `ecraudit report --evidence ORG/accounts/<id>` (the page says so). Built
 * as a libxml2 HTML tree, so every string is escaped by the serializer; no
 * script, no external reference (the Content-Security-Policy forbids both). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include "org/org_internal.h"
#include "util/util.h"

static const char STYLE[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1200px}"
    "h1{font-size:20px;margin:0 0 4px}p{margin:6px 0}"
    "table{border-collapse:collapse;width:100%;margin-top:12px}"
    "th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:left;vertical-align:top}"
    "th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".fail{color:#b42318;font-weight:600}.unknown{color:#9a6700;font-weight:600}"
    ".pass{color:#1a7f37;font-weight:600}ul{margin:0;padding-left:18px}"
    "code{font:12px ui-monospace,monospace;overflow-wrap:anywhere}";

static xmlNodePtr el(xmlNodePtr parent, const char *name, const char *cls, const char *text) {
  xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
  if (cls) xmlNewProp(n, BAD_CAST "class", BAD_CAST cls);
  if (text) xmlAddChild(n, xmlNewText(BAD_CAST text));
  return n;
}

static void el_n(xmlNodePtr parent, const char *name, const char *cls, size_t v) {
  char num[32];
  snprintf(num, sizeof(num), "%zu", v);
  el(parent, name, cls, num);
}

static void worst_item(xmlNodePtr ul, const ecr_org_worst *w) {
  xmlNodePtr li = el(ul, "li", NULL, NULL);
  char *head =
      ecr_xasprintf("%s %s ", ecr_check_status_name(w->status), ecr_severity_name(w->severity));
  xmlAddChild(li, xmlNewText(BAD_CAST head));
  free(head);
  el(li, "code", NULL, w->id);
  char *tail = ecr_xasprintf(": %s, %s on %zu repositor%s", w->principal, w->access_level,
                             w->repository_count, w->repository_count == 1 ? "y" : "ies");
  xmlAddChild(li, xmlNewText(BAD_CAST tail));
  free(tail);
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
  char *title = ecr_xasprintf("%s: organisation summary", control_name);
  el(head, "title", NULL, title);
  el(head, "style", NULL, STYLE);
  xmlNodePtr body = el(html, "body", NULL, NULL);
  el(body, "h1", NULL, title);
  free(title);
  char *line = ecr_xasprintf(
      "%zu accounts (%zu fail, %zu unknown, %zu pass): %s. Findings: %zu fail, %zu unknown, %zu "
      "excepted, %zu pass. As of %s; generated %s.",
      s->n_accounts, s->accounts_by_overall[ECR_CHECK_FAIL],
      s->accounts_by_overall[ECR_CHECK_UNKNOWN], s->accounts_by_overall[ECR_CHECK_PASS],
      s->overall == ECR_CHECK_PASS ? "compliant" : "non-compliant", s->by_status[ECR_CHECK_FAIL],
      s->by_status[ECR_CHECK_UNKNOWN], s->by_status[ECR_CHECK_EXCEPTED],
      s->by_status[ECR_CHECK_PASS], s->as_of ? s->as_of : "?",
      s->generated_at ? s->generated_at : "?");
  el(body, "p", NULL, line);
  free(line);
  el(body, "p", NULL,
     "Every finding of every account is in findings.json and report.junit.xml beside this page. "
     "The full report of one account (HTML, PDF): ecraudit report --evidence ORG/accounts/<id>.");
  xmlNodePtr table = el(body, "table", NULL, NULL);
  el(table, "caption", NULL, "Accounts, worst first within each result");
  xmlNodePtr tr = el(el(table, "thead", NULL, NULL), "tr", NULL, NULL);
  static const char *const cols[] = {"Account",  "Result", "Fail",          "Unknown",
                                     "Excepted", "Pass",   "Worst findings"};
  for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
    xmlNodePtr th = el(tr, "th", NULL, cols[i]);
    xmlNewProp(th, BAD_CAST "scope", BAD_CAST "col");
  }
  xmlNodePtr tbody = el(table, "tbody", NULL, NULL);
  /* failing accounts first, then unknown, then passing; by id within */
  static const ecr_check_status order[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN, ECR_CHECK_EXCEPTED,
                                           ECR_CHECK_PASS};
  for (size_t o = 0; o < 4; o++)
    for (size_t i = 0; i < s->n_accounts; i++) {
      const ecr_org_acct *a = &s->accounts[i];
      if (a->overall != order[o]) continue;
      tr = el(tbody, "tr", NULL, NULL);
      xmlNodePtr th = el(tr, "th", NULL, a->account);
      xmlNewProp(th, BAD_CAST "scope", BAD_CAST "row");
      el(tr, "td", ecr_check_status_name(a->overall), ecr_check_status_name(a->overall));
      el_n(tr, "td", "n", a->by_status[ECR_CHECK_FAIL]);
      el_n(tr, "td", "n", a->by_status[ECR_CHECK_UNKNOWN]);
      el_n(tr, "td", "n", a->by_status[ECR_CHECK_EXCEPTED]);
      el_n(tr, "td", "n", a->by_status[ECR_CHECK_PASS]);
      xmlNodePtr td = el(tr, "td", NULL, NULL);
      if (!a->n_worst) {
        xmlAddChild(td, xmlNewText(BAD_CAST "\xe2\x80\x94"));
        continue;
      }
      xmlNodePtr ul = el(td, "ul", NULL, NULL);
      for (size_t k = 0; k < a->n_worst; k++) worst_item(ul, &a->worst[k]);
    }
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
