/* The organisation's report.junit.xml (org_internal.h): a first test suite
 * "organisation summary" with one test case per account (failure when the
 * account fails, error when it is unknown; the message names its worst
 * finding), then each account's own test suite exactly as the account
 * renderer (src/render/junit.c) writes it, its name prefixed with the
 * account id. The summary suite is written with libxml2's writer (escaping
 * by construction); control characters XML 1.0 forbids are mapped first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "ecraudit/render.h"
#include "org/org_internal.h"
#include "util/util.h"

/* valid XML 1.0 text: C0 controls other than tab, newline and carriage
 * return, and U+FFFE/U+FFFF, become U+FFFD (the input is valid UTF-8) */
static char *xml_text(const char *s) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')) {
      ecr_buf_puts(&b, "\xEF\xBF\xBD");
    } else if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
      ecr_buf_puts(&b, "\xEF\xBF\xBD");
      p += 2;
    } else {
      ecr_buf_putc(&b, (char)*p);
    }
  }
  return ecr_buf_steal(&b);
}

static size_t attr_count(const char *tag_start, const char *tag_end, const char *name) {
  char pat[32];
  snprintf(pat, sizeof(pat), " %s=\"", name);
  const char *p = strstr(tag_start, pat);
  if (!p || p > tag_end) return 0;
  return (size_t)strtoull(p + strlen(pat), NULL, 10);
}

ecr_status ecr_org_junit_account(const ecr_report *r, ecr_buf *out, size_t totals[3],
                                 ecr_error *err) {
  ecr_buf doc;
  ecr_buf_init(&doc);
  ecr_render_opts ropts;
  memset(&ropts, 0, sizeof(ropts));
  ecr_sink sink = {ecr_sink_buf_write, &doc};
  ecr_status st = ecr_render_junit(r, &ropts, &sink, err);
  if (st != ECR_OK) goto done;
  /* the renderer writes "  <testsuite name=..." ... "  </testsuite>\n" inside <testsuites> */
  const char *start = strstr(doc.data, "\n  <testsuite ");
  const char *end = start ? strstr(start, "\n  </testsuite>\n") : NULL;
  if (!start || !end) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "junit: the account's suite was not found");
    goto done;
  }
  start++;
  end += strlen("\n  </testsuite>\n");
  const char *tag_end = strchr(start, '>');
  totals[0] = attr_count(start, tag_end, "tests");
  totals[1] = attr_count(start, tag_end, "failures");
  totals[2] = attr_count(start, tag_end, "errors");
  const char *name = strstr(start, " name=\"");
  if (!name || name > tag_end) {
    ecr_buf_append(out, start, (size_t)(end - start));
  } else {
    name += strlen(" name=\"");
    ecr_buf_append(out, start, (size_t)(name - start));
    ecr_buf_printf(out, "%s ", r->account ? r->account : "?"); /* 12 digits */
    ecr_buf_append(out, name, (size_t)(end - name));
  }
done:
  ecr_buf_cleanup(&doc);
  return st;
}

typedef struct xw {
  xmlTextWriterPtr w;
  bool failed;
} xw;

static void ck(xw *x, int rc) {
  if (rc < 0) x->failed = true;
}
static void start(xw *x, const char *name) {
  ck(x, xmlTextWriterStartElement(x->w, BAD_CAST name));
}
static void end(xw *x) {
  ck(x, xmlTextWriterEndElement(x->w));
}
static void attr(xw *x, const char *name, const char *value) {
  char *v = xml_text(value);
  ck(x, xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST v));
  free(v);
}
static void attr_n(xw *x, const char *name, size_t n) {
  char num[32];
  snprintf(num, sizeof(num), "%zu", n);
  attr(x, name, num);
}
static void text_el(xw *x, const char *name, const char *text) {
  char *t = xml_text(text);
  ck(x, xmlTextWriterWriteElement(x->w, BAD_CAST name, BAD_CAST t));
  free(t);
}
static void property(xw *x, const char *name, const char *value) {
  start(x, "property");
  attr(x, "name", name);
  attr(x, "value", value);
  end(x);
}
static void property_n(xw *x, const char *name, size_t n) {
  char num[32];
  snprintf(num, sizeof(num), "%zu", n);
  property(x, name, num);
}

static void worst_line(ecr_buf *b, const ecr_org_worst *w) {
  char *s = ecr_org_worst_text(w, "org/junit-worst");
  ecr_buf_puts(b, s);
  free(s);
}

static void account_case(xw *x, const ecr_org_acct *a) {
  start(x, "testcase");
  attr(x, "name", a->account);
  char *classname = ecr_xasprintf("ecraudit.%s.account", ecr_control_id());
  attr(x, "classname", classname);
  free(classname);
  attr(x, "time", "0");
  attr(x, "status", ecr_check_status_name(a->overall));
  ecr_buf body, msg;
  ecr_buf_init(&body);
  ecr_buf_init(&msg);
  char n[4][32];
  static const ecr_check_status order[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN, ECR_CHECK_EXCEPTED,
                                           ECR_CHECK_PASS};
  for (size_t k = 0; k < 4; k++) snprintf(n[k], sizeof(n[k]), "%zu", a->by_status[order[k]]);
  const char *kv[] = {"account",  a->account, "fail", n[0], "unknown", n[1],
                      "excepted", n[2],       "pass", n[3], NULL};
  char *line = ecr_text("org/junit-account", kv);
  ecr_buf_printf(&body, "%s\n", line);
  free(line);
  if (a->n_worst) ecr_buf_printf(&body, "%s\n", ecr_label("org/junit-worst-head"));
  for (size_t i = 0; i < a->n_worst && i < ECR_ORG_WORST; i++) {
    ecr_buf_puts(&body, "- ");
    worst_line(&body, &a->worst[i]);
    ecr_buf_putc(&body, '\n');
  }
  if (a->overall != ECR_CHECK_PASS) {
    bool fail = a->overall == ECR_CHECK_FAIL;
    size_t cnt = a->by_status[a->overall];
    char num[32];
    snprintf(num, sizeof(num), "%zu", cnt);
    const char *mkv[] = {"count", num, NULL};
    char *m = ecr_text(fail ? (cnt == 1 ? "org/junit-failing-one" : "org/junit-failing")
                            : (cnt == 1 ? "org/junit-unknown-one" : "org/junit-unknown"),
                       mkv);
    ecr_buf_puts(&msg, m);
    free(m);
    if (a->n_worst) {
      ecr_buf_puts(&msg, "; ");
      ecr_buf_puts(&msg, ecr_label("org/junit-worst-message"));
      ecr_buf_putc(&msg, ' ');
      worst_line(&msg, &a->worst[0]);
    }
    start(x, fail ? "failure" : "error");
    attr(x, "message", msg.data);
    attr(x, "type", a->n_worst ? ecr_severity_name(a->worst[0].severity) : "unknown");
    char *t = xml_text(body.data);
    ck(x, xmlTextWriterWriteString(x->w, BAD_CAST t));
    free(t);
    end(x);
  } else {
    text_el(x, "system-out", body.data);
  }
  end(x);
  ecr_buf_cleanup(&body);
  ecr_buf_cleanup(&msg);
}

ecr_status ecr_org_junit_head(const ecr_org_summary *s, const size_t totals[3], ecr_buf *out,
                              ecr_error *err) {
  xmlInitParser();
  xmlBufferPtr buf = xmlBufferCreate();
  xw x = {buf ? xmlNewTextWriterMemory(buf, 0) : NULL, false};
  if (!x.w) {
    if (buf) xmlBufferFree(buf);
    return ecr_error_set(err, ECR_E_INTERNAL, NULL, "junit: cannot create an XML writer");
  }
  ck(&x, xmlTextWriterSetIndent(x.w, 1));
  ck(&x, xmlTextWriterSetIndentString(x.w, BAD_CAST "  "));
  size_t failures = s->accounts_by_overall[ECR_CHECK_FAIL];
  size_t errors = s->accounts_by_overall[ECR_CHECK_UNKNOWN];
  ck(&x, xmlTextWriterStartDocument(x.w, "1.0", "UTF-8", NULL));
  start(&x, "testsuites");
  attr(&x, "name", "ecraudit");
  attr_n(&x, "tests", s->n_accounts + totals[0]);
  attr_n(&x, "failures", failures + totals[1]);
  attr_n(&x, "errors", errors + totals[2]);
  attr(&x, "time", "0");
  start(&x, "testsuite");
  const char *skv[] = {"control_id", ecr_control_id(), "control", ecr_control_name(), NULL};
  char *suite = ecr_text("org/junit-suite", skv);
  attr(&x, "name", suite);
  free(suite);
  attr_n(&x, "tests", s->n_accounts);
  attr_n(&x, "failures", failures);
  attr_n(&x, "errors", errors);
  attr(&x, "skipped", "0");
  attr(&x, "time", "0");
  attr(&x, "timestamp", s->generated_at);
  attr(&x, "id", "organisation");
  char *package = ecr_xasprintf("ecraudit.%s", ecr_control_id());
  attr(&x, "package", package);
  free(package);
  start(&x, "properties");
  property_n(&x, "accounts", s->n_accounts);
  property(&x, "as_of", s->as_of);
  property(&x, "generated_at", s->generated_at);
  property(&x, "overall", ecr_check_status_name(s->overall));
  for (int st = 0; st < ECR_CHECK_COUNT; st++) {
    char name[48];
    snprintf(name, sizeof(name), "findings.%s", ecr_check_status_name((ecr_check_status)st));
    property_n(&x, name, s->by_status[st]);
    snprintf(name, sizeof(name), "accounts.%s", ecr_check_status_name((ecr_check_status)st));
    property_n(&x, name, s->accounts_by_overall[st]);
  }
  end(&x); /* properties */
  for (size_t i = 0; i < s->n_accounts; i++) account_case(&x, &s->accounts[i]);
  end(&x); /* testsuite; <testsuites> stays open: the accounts' suites follow */
  ck(&x, xmlTextWriterFlush(x.w));
  ecr_status st = ECR_OK;
  if (x.failed)
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "junit: libxml2 could not write the summary");
  else
    ecr_buf_append(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
  xmlFreeTextWriter(x.w);
  xmlBufferFree(buf);
  if (st == ECR_OK && (!out->len || out->data[out->len - 1] != '\n')) ecr_buf_putc(out, '\n');
  return st;
}
