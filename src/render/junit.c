/* JUnit XML renderer: report.junit.xml for CI test reporters (Jenkins,
 * GitLab, GitHub actions that read JUnit).
 *
 * A pure function of the report model, written with libxml2's xmlTextWriter
 * straight into the sink (an xmlOutputBuffer over it: the document is never
 * held in memory whole). Shape (valid against the Jenkins junit-4.xsd,
 * tests/data/junit/jenkins-junit.xsd):
 *
 *   <testsuites name="ecraudit" tests failures errors time="0">
 *     <testsuite name="C-0222 Minimize user access to Amazon ECR"
 *                tests failures errors skipped time="0" timestamp=generated_at>
 *       <properties> account, as_of, evidence/ledger SHA-256, versions, ...
 *       one <testcase> per principal view, in report order
 *         classname "ecraudit.C-0222.<kind>", name = the principal;
 *         worst status fail -> <failure type=severity>, unknown -> <error>,
 *         excepted -> <skipped>, pass -> no result element;
 *       one <testcase> per ledger problem (classname "ecraudit.C-0222.ledger"):
 *         expired -> <failure>, invalid -> <error>, unused -> passes with a
 *         <system-out> note (an unused exception weakens nothing; <skipped>
 *         is kept to mean "excepted access" only);
 *       one <testcase> per evidence gap (classname "ecraudit.C-0222.evidence"):
 *         <error>;
 *       <system-out> coverage and limitations
 *
 * Large accounts: a finding's text block lists at most JUNIT_REPO_LIMIT
 * repositories ("... and N more"), and passing findings (read and list
 * access, recorded for completeness) get one summary line each, not a block;
 * findings.json holds every field of every finding.
 *
 * The schema forbids attributes on <skipped> and a timestamp/skipped count on
 * <testsuites>: the skip reason is the element's text, and timestamp/skipped
 * live on <testsuite>.
 *
 * Every string passes through junit_xml_text() before it reaches the writer:
 * characters XML 1.0 forbids become U+FFFD (cmark's xml.c approach); libxml2
 * escapes markup.
 */
#include "ecraudit/render.h"

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* ---- characters ---------------------------------------------------------- */

#define JUNIT_REPO_LIMIT 20 /* repositories listed in one finding's text block */

/* XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF]. Surrogates never decode (see ecr_utf8_next). */
static bool xml_char_ok(uint32_t cp) {
  if (cp < 0x20) return cp == 0x09 || cp == 0x0A || cp == 0x0D;
  return cp != 0xFFFE && cp != 0xFFFF;
}

/* The one place text is made fit for XML: a copy of s (NULL -> "") where
 * every character XML 1.0 forbids (C0 controls except tab/LF/CR, U+FFFE,
 * U+FFFF) and every ill-formed UTF-8 subpart (invalid bytes, overlongs,
 * truncated sequences, encoded surrogates, > U+10FFFF) is replaced by
 * U+FFFD. Caller frees. */
static char *junit_xml_text(const char *s) {
  ecr_buf out;
  ecr_buf_init(&out);
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  const unsigned char *end = p + strlen((const char *)p);
  while (*p) {
    if (*p >= 0x20 && *p < 0x80) { /* the common case: a run of printable ASCII */
      const unsigned char *q = p;
      while (*q >= 0x20 && *q < 0x80) q++;
      ecr_buf_append(&out, p, (size_t)(q - p));
      p = q;
      continue;
    }
    uint32_t cp = 0;
    bool ok = false;
    size_t n = ecr_utf8_next((const char *)p, (size_t)(end - p), &cp, &ok);
    if (!ok) /* one U+FFFD per maximal ill-formed subpart (utf8.c) */
      ecr_buf_puts(&out, ECR_UTF8_REPLACEMENT);
    else if (ecr_is_bidi_control(cp))
      ecr_buf_printf(&out, "[U+%04X]", (unsigned)cp); /* visible, never reorders a name */
    else if (xml_char_ok(cp))
      ecr_buf_append(&out, p, n);
    else
      ecr_buf_puts(&out, ECR_UTF8_REPLACEMENT);
    p += n;
  }
  return ecr_buf_steal(&out);
}

/* ---- writer ---------------------------------------------------------------- */

/* The writer plus a sticky failure flag: after the first libxml2 error every
 * call is a no-op and the renderer reports ECR_E_INTERNAL at the end. */
typedef struct jw {
  xmlTextWriterPtr w;
  bool failed;
} jw;

static void jw_check(jw *j, int rc) {
  if (rc < 0) j->failed = true;
}

static void jw_start(jw *j, const char *name) {
  if (!j->failed) jw_check(j, xmlTextWriterStartElement(j->w, BAD_CAST name));
}

static void jw_end(jw *j) {
  if (!j->failed) jw_check(j, xmlTextWriterEndElement(j->w));
}

static void jw_attr(jw *j, const char *name, const char *value) {
  if (j->failed) return;
  char *clean = junit_xml_text(value);
  jw_check(j, xmlTextWriterWriteAttribute(j->w, BAD_CAST name, BAD_CAST clean));
  free(clean);
}

static void jw_attr_count(jw *j, const char *name, size_t n) {
  char num[32];
  snprintf(num, sizeof(num), "%zu", n);
  jw_attr(j, name, num);
}

static void jw_text(jw *j, const char *text) {
  if (j->failed) return;
  char *clean = junit_xml_text(text);
  jw_check(j, xmlTextWriterWriteString(j->w, BAD_CAST clean));
  free(clean);
}

/* <name>text</name> */
static void jw_text_element(jw *j, const char *name, const char *text) {
  jw_start(j, name);
  jw_text(j, text);
  jw_end(j);
}

static void jw_property(jw *j, const char *name, const char *value) {
  jw_start(j, "property");
  jw_attr(j, "name", name);
  jw_attr(j, "value", value ? value : "");
  jw_end(j);
}

/* ---- model helpers ---------------------------------------------------------- */

static const char *str_or(const char *s, const char *dflt) {
  return s ? s : dflt;
}

/* Append templates/text/<name>.txt expanded with kv. */
static void put_text(ecr_buf *b, const char *name, const char *const *kv) {
  char *s = ecr_text(name, kv);
  ecr_buf_puts(b, s);
  free(s);
}

/* A finding's change against the baseline, as a note after its id
 * (a template name; NULL: none). */
static const char *change_note(const ecr_finding *f) {
  switch (f->change) {
  case ECR_CHANGE_NEW: return "junit/change-new";
  case ECR_CHANGE_CHANGED: return "junit/change-changed";
  default: return NULL;
  }
}

/* The principal as a test case name: "*" is everyone. */
static char *principal_name(const char *p) {
  if (p && strcmp(p, "*") == 0) return ecr_xstrdup(ecr_label("junit/public"));
  return ecr_xstrdup(str_or(p, "?"));
}

/* "Write on 3 repositories (can push)" */
static void finding_scope(ecr_buf *b, const ecr_finding *f) {
  ecr_buf_puts(b, ecr_access_level_name(f->access_level));
  char n[32];
  snprintf(n, sizeof(n), "%zu", f->n_repositories);
  const char *kv[] = {"n", n, NULL};
  ecr_buf_putc(b, ' ');
  put_text(b,
           f->all_repositories       ? "junit/scope-all"
           : ecr_finding_registry(f) ? "junit/scope-registry"
           : f->n_repositories == 1  ? "junit/scope-one"
                                     : "junit/scope-many",
           kv);
  if (f->can_push) ecr_buf_printf(b, " %s", ecr_label("junit/can-push"));
  if (f->decision == ECR_DECISION_CONDITIONAL)
    ecr_buf_printf(b, " %s", ecr_label("label/conditional-suffix"));
}

static void via_line(ecr_buf *b, const ecr_via *v) {
  const char *kv[] = {"policy",    str_or(v->policy, "?"),    "owner", str_or(v->owner, "?"),
                      "statement", str_or(v->statement, "?"), NULL};
  const char *name;
  switch (v->source) {
  case ECR_SRC_IDENTITY: name = "junit/via-identity"; break;
  case ECR_SRC_GROUP: name = "junit/via-group"; break;
  case ECR_SRC_RESOURCE: name = "junit/via-resource"; break;
  case ECR_SRC_REGISTRY: name = "junit/via-registry"; break;
  case ECR_SRC_BOUNDARY: name = "junit/via-boundary"; break;
  case ECR_SRC_SCP: name = "junit/via-scp"; break;
  case ECR_SRC_RCP: name = "junit/via-rcp"; break;
  default: name = "junit/via-other"; break;
  }
  put_text(b, name, kv);
  ecr_buf_putc(b, ' ');
  put_text(b, "junit/via-statement", kv);
  if (v->deny && v->conditional)
    ecr_buf_printf(b, " %s", ecr_label("junit/via-conditional-deny"));
  else if (v->deny)
    ecr_buf_printf(b, " %s", ecr_label("junit/via-deny"));
  else if (v->conditional)
    ecr_buf_printf(b, " %s", ecr_label("label/conditional-suffix"));
}

/* Append text with every line after the first indented by ind. */
static void put_indented(ecr_buf *b, const char *text, const char *ind) {
  for (const char *p = str_or(text, ""); *p; p++) {
    ecr_buf_putc(b, *p);
    if (*p == '\n' && p[1]) ecr_buf_puts(b, ind);
  }
}

/* A plain-text block describing one finding (failure/error bodies,
 * system-out). */
static void finding_block(ecr_buf *b, const ecr_finding *f) {
  char *chain = ecr_finding_chain_text(f);
  char more[32];
  snprintf(more, sizeof(more), "%zu",
           f->n_repositories > JUNIT_REPO_LIMIT ? f->n_repositories - JUNIT_REPO_LIMIT : 0);
  const char *kv[] = {"status",   ecr_check_status_name(f->status),
                      "id",       str_or(f->id, "?"),
                      "severity", ecr_severity_name(f->severity),
                      "level",    ecr_access_level_name(f->access_level),
                      "decision", ecr_decision_name(f->decision),
                      "chain",    chain,
                      "n",        more,
                      NULL};
  const ecr_ledger_entry *x = f->exception;
  const char *xkv[] = {"id",      x ? str_or(x->id, "?") : NULL,
                       "state",   x ? ecr_ledger_state_name(x->state) : NULL,
                       "expires", x ? str_or(x->expires, "?") : NULL,
                       NULL};
  put_text(b, "junit/finding-head", kv);
  if (change_note(f)) ecr_buf_printf(b, "  %s", ecr_label(change_note(f)));
  ecr_buf_puts(b, "\n  ");
  put_text(b, "junit/access-level", kv);
  if (f->can_push) ecr_buf_printf(b, " %s", ecr_label("junit/can-push"));
  ecr_buf_puts(b, "\n  ");
  put_text(b, "junit/decision", kv);
  ecr_buf_putc(b, '\n');
  if (chain) {
    ecr_buf_puts(b, "  ");
    put_text(b, "junit/reached-through", kv);
    ecr_buf_putc(b, '\n');
  }
  free(chain);
  ecr_buf_printf(b, "  %s", ecr_label("junit/actions"));
  for (size_t i = 0; i < f->n_actions; i++)
    ecr_buf_printf(b, "%s %s", i ? "," : "", str_or(f->actions[i], "?"));
  ecr_buf_printf(b, "\n  %s", ecr_label("junit/repositories"));
  if (f->all_repositories) ecr_buf_printf(b, " %s", ecr_label("junit/repos-all"));
  for (size_t i = 0; i < f->n_repositories && i < JUNIT_REPO_LIMIT; i++) {
    const char *repo = str_or(f->repositories[i], "?");
    if (strcmp(repo, "*") == 0)
      ecr_buf_printf(b, "\n    %s", ecr_label("junit/repos-registry"));
    else
      ecr_buf_printf(b, "\n    %s", repo);
  }
  if (f->n_repositories > JUNIT_REPO_LIMIT) {
    ecr_buf_puts(b, "\n    ");
    put_text(b, "junit/repos-more", kv);
  }
  ecr_buf_printf(b, "\n  %s", ecr_label("junit/via"));
  for (size_t i = 0; i < f->n_via; i++) {
    ecr_buf_puts(b, "\n    ");
    via_line(b, &f->via[i]);
  }
  if (f->impact) {
    ecr_buf_printf(b, "\n  %s ", ecr_label("junit/impact"));
    put_indented(b, f->impact, "    ");
  }
  if (f->remediation) {
    ecr_buf_printf(b, "\n  %s ", ecr_label("junit/remediation"));
    put_indented(b, f->remediation, "    ");
  }
  if (f->suggested_statement) {
    ecr_buf_printf(b, "\n  %s\n    ", ecr_label("junit/suggested-statement"));
    put_indented(b, f->suggested_statement, "    ");
  }
  if (f->exception) {
    ecr_buf_puts(b, "\n  ");
    put_text(b, "junit/exception", xkv);
  }
  if (f->status_reason) {
    ecr_buf_printf(b, "\n  %s ", ecr_label("junit/status"));
    put_indented(b, f->status_reason, "    ");
  }
  ecr_buf_puts(b, "\n\n");
}

/* One line for a passing finding: "[pass] C0222-...  Read on 12 repositories" */
static void finding_line(ecr_buf *b, const ecr_finding *f) {
  ecr_buf_printf(b, "[%s] %s  ", ecr_check_status_name(f->status), str_or(f->id, "?"));
  finding_scope(b, f);
  ecr_buf_putc(b, '\n');
}

/* ---- testcases ------------------------------------------------------------- */

typedef struct junit_totals {
  size_t tests, failures, errors, skipped;
} junit_totals;

/* Which result a testcase gets: the model's status, never recomputed. */
static void count_totals(const ecr_report *r, junit_totals *t) {
  memset(t, 0, sizeof(*t));
  for (size_t i = 0; i < r->n_principal_views; i++) {
    t->tests++;
    switch (r->principals[i].worst_status) {
    case ECR_CHECK_FAIL: t->failures++; break;
    case ECR_CHECK_UNKNOWN: t->errors++; break;
    case ECR_CHECK_EXCEPTED: t->skipped++; break;
    default: break;
    }
  }
  for (size_t i = 0; i < r->n_ledger; i++) {
    ecr_ledger_state st = r->ledger[i].state;
    if (st == ECR_LEDGER_ACTIVE) continue;
    t->tests++;
    if (st == ECR_LEDGER_EXPIRED) t->failures++;
    if (st == ECR_LEDGER_INVALID) t->errors++;
  }
  t->tests += r->n_gaps;
  t->errors += r->n_gaps;
}

static void testcase_start(jw *j, const ecr_report *r, const char *kind, const char *name,
                           const char *status) {
  char *classname = ecr_xasprintf("ecraudit.%s.%s", str_or(r->control_id, ecr_control_id()), kind);
  jw_start(j, "testcase");
  jw_attr(j, "name", name);
  jw_attr(j, "classname", classname);
  jw_attr(j, "time", "0");
  jw_attr(j, "status", status);
  free(classname);
}

/* <failure>/<error> with a one-line message, a type and a body. */
static void result_element(jw *j, const char *elem, const char *message, const char *type,
                           const char *body) {
  jw_start(j, elem);
  jw_attr(j, "message", message);
  jw_attr(j, "type", type);
  jw_text(j, body);
  jw_end(j);
}

/* "2 failing findings: Write on 3 repositories (can push), Tagging registry-wide"
 * (one, many: the templates for one finding and for several) */
static char *status_summary(const ecr_report *r, const ecr_principal_view *pv,
                            ecr_check_status want, const char *one, const char *many) {
  size_t n = 0;
  ecr_buf scopes;
  ecr_buf_init(&scopes);
  for (size_t k = 0; k < pv->n_findings; k++) {
    const ecr_finding *f = &r->findings[pv->findings[k]];
    if (f->status != want) continue;
    ecr_buf_puts(&scopes, n++ ? ", " : "");
    finding_scope(&scopes, f);
    if (f->change == ECR_CHANGE_NEW) {
      const char *kv[] = {"id", str_or(f->id, "?"), NULL};
      ecr_buf_putc(&scopes, ' ');
      put_text(&scopes, "junit/new-id", kv);
    }
  }
  char num[32];
  snprintf(num, sizeof(num), "%zu", n);
  const char *kv[] = {"n", num, "scopes", scopes.data ? scopes.data : "", NULL};
  char *s = ecr_text(n == 1 ? one : many, kv);
  ecr_buf_cleanup(&scopes);
  return s;
}

/* Findings of pv with status want (want_other: all others) as text blocks;
 * passing findings as one line each, after the blocks. */
static char *findings_text(const ecr_report *r, const ecr_principal_view *pv, ecr_check_status want,
                           bool want_other) {
  ecr_buf b, pass;
  ecr_buf_init(&b);
  ecr_buf_init(&pass);
  for (size_t k = 0; k < pv->n_findings; k++) {
    const ecr_finding *f = &r->findings[pv->findings[k]];
    if ((f->status == want) == want_other) continue;
    if (f->status == ECR_CHECK_PASS)
      finding_line(&pass, f);
    else
      finding_block(&b, f);
  }
  if (pass.len) {
    ecr_buf_printf(&b, "%s\n", ecr_label("junit/passing"));
    ecr_buf_append(&b, pass.data, pass.len);
  }
  ecr_buf_cleanup(&pass);
  return ecr_buf_steal(&b);
}

/* "Excepted by EX-001 until 2099-12-31; EX-007 until 2027-01-31" */
static char *skip_reason(const ecr_report *r, const ecr_principal_view *pv) {
  ecr_buf b;
  ecr_buf_init(&b);
  size_t listed = 0;
  for (size_t k = 0; k < pv->n_findings; k++) {
    const ecr_finding *f = &r->findings[pv->findings[k]];
    if (f->status != ECR_CHECK_EXCEPTED || !f->exception) continue;
    bool seen = false;
    for (size_t m = 0; m < k && !seen; m++) {
      const ecr_finding *g = &r->findings[pv->findings[m]];
      seen = g->status == ECR_CHECK_EXCEPTED && g->exception == f->exception;
    }
    if (seen) continue;
    const char *kv[] = {"id", str_or(f->exception->id, "?"), "expires",
                        str_or(f->exception->expires, "?"), NULL};
    if (listed++) ecr_buf_puts(&b, "; ");
    put_text(&b, "junit/excepted-until", kv);
  }
  if (!listed) ecr_buf_puts(&b, ecr_label("junit/excepted-ledger"));
  const char *kv[] = {"exceptions", b.data ? b.data : "", NULL};
  char *s = ecr_text("junit/excepted-by", kv);
  ecr_buf_cleanup(&b);
  return s;
}

/* The first line of a failure: what to change, from the first (most
 * severe) failing finding's first granting statement. */
static void what_to_change(ecr_buf *b, const ecr_finding *f) {
  const ecr_via *grant = NULL;
  for (size_t i = 0; i < f->n_via && !grant; i++)
    if (!f->via[i].deny) grant = &f->via[i];
  ecr_buf scope, how;
  ecr_buf_init(&scope);
  ecr_buf_init(&how);
  finding_scope(&scope, f);
  char *chain = ecr_finding_chain_text(f);
  if (chain) { /* reached by becoming a role: the path is what to cut */
    const char *kv[] = {"chain", chain, NULL};
    ecr_buf_putc(&how, ' ');
    put_text(&how, "junit/change-reached", kv);
    free(chain);
    grant = NULL;
  }
  if (grant) {
    ecr_buf line;
    ecr_buf_init(&line);
    via_line(&line, grant);
    const char *kv[] = {"via", line.data, NULL};
    ecr_buf_putc(&how, ' ');
    put_text(&how, "junit/change-granted", kv);
    ecr_buf_cleanup(&line);
  }
  const char *kv[] = {"scope", scope.data ? scope.data : "", "how", how.data ? how.data : "", NULL};
  put_text(b, "junit/change-remove", kv);
  ecr_buf_cleanup(&scope);
  ecr_buf_cleanup(&how);
}

/* The first remediation sentence line of f, for the body's first line. */
static void first_line(ecr_buf *b, const char *text) {
  const char *t = str_or(text, "");
  const char *nl = strchr(t, '\n');
  ecr_buf_append(b, t, nl ? (size_t)(nl - t) : strlen(t));
}

static void principal_testcase(jw *j, const ecr_report *r, const ecr_principal_view *pv) {
  ecr_check_status st = pv->worst_status;
  char *tc_name = principal_name(pv->principal);
  testcase_start(j, r, ecr_principal_kind_name(pv->kind), tc_name, ecr_check_status_name(st));
  free(tc_name);
  char *body = NULL;
  if (st == ECR_CHECK_FAIL) {
    /* findings are in report order (status, then severity): the first
       failing one carries the highest severity */
    const char *type = "fail";
    const ecr_finding *top = NULL;
    for (size_t k = 0; k < pv->n_findings; k++) {
      const ecr_finding *f = &r->findings[pv->findings[k]];
      if (f->status == ECR_CHECK_FAIL) {
        type = ecr_severity_name(f->severity);
        top = f;
        break;
      }
    }
    char *sum =
        status_summary(r, pv, ECR_CHECK_FAIL, "junit/summary-fail-one", "junit/summary-fail-many");
    ecr_buf msg, full;
    ecr_buf_init(&msg);
    ecr_buf_init(&full);
    if (top) what_to_change(&msg, top);
    ecr_buf_printf(&msg, "%s%s", msg.len ? " \xe2\x80\x94 " : "", sum);
    if (top && top->remediation) {
      ecr_buf first;
      ecr_buf_init(&first);
      first_line(&first, top->remediation);
      const char *kv[] = {"remediation", first.data ? first.data : "", NULL};
      put_text(&full, "junit/what-to-change", kv);
      ecr_buf_puts(&full, "\n\n");
      ecr_buf_cleanup(&first);
    }
    body = findings_text(r, pv, ECR_CHECK_FAIL, false);
    ecr_buf_puts(&full, body);
    result_element(j, "failure", msg.data, type, full.data);
    ecr_buf_cleanup(&msg);
    ecr_buf_cleanup(&full);
    free(sum);
  } else if (st == ECR_CHECK_UNKNOWN) {
    char *msg = status_summary(r, pv, ECR_CHECK_UNKNOWN, "junit/summary-unknown-one",
                               "junit/summary-unknown-many");
    body = findings_text(r, pv, ECR_CHECK_UNKNOWN, false);
    result_element(j, "error", msg, "unknown", body);
    free(msg);
  } else if (st == ECR_CHECK_EXCEPTED) {
    char *why = skip_reason(r, pv);
    jw_text_element(j, "skipped", why);
    free(why);
  }

  /* system-out: who uses the principal, then the findings not shown above */
  ecr_buf out;
  ecr_buf_init(&out);
  const char *ukv[] = {"used_by", pv->used_by, "last_used", pv->last_used, NULL};
  if (pv->used_by) {
    put_text(&out, "junit/used-by", ukv);
    ecr_buf_putc(&out, '\n');
  }
  if (pv->last_used) {
    put_text(&out, "junit/last-used", ukv);
    ecr_buf_putc(&out, '\n');
  }
  if (pv->service_linked) ecr_buf_printf(&out, "%s\n", ecr_label("junit/service-linked"));
  if (pv->evidence_gap) ecr_buf_printf(&out, "%s\n", ecr_label("junit/policy-unreadable"));
  bool shown = st == ECR_CHECK_FAIL || st == ECR_CHECK_UNKNOWN;
  char *rest = findings_text(r, pv, shown ? st : ECR_CHECK_COUNT, true);
  if (rest[0]) {
    if (out.len) ecr_buf_putc(&out, '\n');
    ecr_buf_printf(&out, "%s\n\n", ecr_label(shown ? "junit/other-findings" : "junit/findings"));
    ecr_buf_puts(&out, rest);
  }
  if (out.len) jw_text_element(j, "system-out", out.data);
  ecr_buf_cleanup(&out);
  free(rest);
  free(body);
  jw_end(j);
}

static void ledger_details(ecr_buf *b, const ecr_ledger_entry *e) {
  char matched[32];
  snprintf(matched, sizeof(matched), "%zu", e->matched);
  const char *kv[] = {"id",
                      str_or(e->id, "?"),
                      "principal",
                      str_or(e->principal, ecr_label("junit/ledger-none")),
                      "justification",
                      str_or(e->justification, ""),
                      "approved_by",
                      str_or(e->approved_by, ""),
                      "ticket",
                      str_or(e->ticket, ""),
                      "expires",
                      str_or(e->expires, ""),
                      "state",
                      ecr_ledger_state_name(e->state),
                      "matched",
                      matched,
                      "reason",
                      e->reason,
                      NULL};
  put_text(b, "junit/ledger-head", kv);
  for (size_t i = 0; i < e->n_repositories; i++)
    ecr_buf_printf(b, "%s %s", i ? "," : "", str_or(e->repositories[i], "?"));
  ecr_buf_printf(b, "\n  %s", ecr_label("junit/ledger-actions"));
  for (size_t i = 0; i < e->n_actions; i++)
    ecr_buf_printf(b, "%s %s", i ? "," : "", str_or(e->actions[i], "?"));
  ecr_buf_puts(b, "\n  ");
  put_text(b, "junit/ledger-tail", kv);
  ecr_buf_putc(b, '\n');
  if (e->reason) {
    ecr_buf_puts(b, "  ");
    put_text(b, "junit/ledger-reason", kv);
    ecr_buf_putc(b, '\n');
  }
}

static void ledger_testcase(jw *j, const ecr_report *r, const ecr_ledger_entry *e) {
  char matched[32];
  snprintf(matched, sizeof(matched), "%zu", e->matched);
  const char *kv[] = {"id",      str_or(e->id, "?"),
                      "expires", str_or(e->expires, "?"),
                      "matched", matched,
                      "reason",  str_or(e->reason, ecr_label("junit/invalid-reason")),
                      NULL};
  char *name = ecr_text("junit/testcase-exception", kv);
  ecr_buf body;
  ecr_buf_init(&body);
  ledger_details(&body, e);
  testcase_start(j, r, "ledger", name, ecr_ledger_state_name(e->state));
  if (e->state == ECR_LEDGER_EXPIRED) {
    char *msg = ecr_text(e->matched == 1 ? "junit/expired-one" : "junit/expired-many", kv);
    result_element(j, "failure", msg, "expired-exception", body.data);
    free(msg);
  } else if (e->state == ECR_LEDGER_INVALID) {
    char *msg = ecr_text("junit/invalid", kv);
    result_element(j, "error", msg, "invalid-exception", body.data);
    free(msg);
  } else { /* unused: passes, with a note */
    char *unused = ecr_text("junit/unused", kv);
    char *note = ecr_xasprintf("%s\n\n%s", unused, body.data);
    free(unused);
    jw_text_element(j, "system-out", note);
    free(note);
  }
  jw_end(j);
  ecr_buf_cleanup(&body);
  free(name);
}

static void gap_testcase(jw *j, const ecr_report *r, const ecr_gap *g) {
  const char *kv[] = {"source",   str_or(g->source, "?"),
                      "resource", str_or(g->resource, "?"),
                      "error",    str_or(g->error, ecr_label("label/unknown-error")),
                      NULL};
  const char *bkv[] = {"source", str_or(g->source, "?"), "resource", str_or(g->resource, "?"),
                       "error",  str_or(g->error, ""),   NULL};
  char *name = ecr_text("junit/testcase-gap", kv);
  char *msg = ecr_text("junit/gap", kv);
  char *text = ecr_text("junit/gap-body", bkv);
  char *body = ecr_xasprintf("%s\n", text);
  free(text);
  testcase_start(j, r, "evidence", name, "unknown");
  result_element(j, "error", msg, "evidence-gap", body);
  jw_end(j);
  free(body);
  free(msg);
  free(name);
}

/* The xmlOutputBuffer's target. A failed write is remembered, not reported
 * to libxml2 (which would print a message: library code stays silent); the
 * writer stops at the next element and the rest is dropped. */
typedef struct junit_out {
  ecr_sink *sink;
  bool failed;
} junit_out;

static int out_write(void *ctx, const char *buf, int len) {
  junit_out *o = ctx;
  if (!o->failed && len > 0 && ecr_sink_write(o->sink, buf, (size_t)len) != 0) o->failed = true;
  return len;
}

static int out_close(void *ctx) {
  (void)ctx;
  return 0;
}

/* ---- document --------------------------------------------------------------- */

/* "44 failing findings (12 principals), 21 unknown (5), 3 excepted (2), 84 passing (20)" */
static char *totals_line(const ecr_report *r) {
  char n[ECR_CHECK_COUNT][32], p[ECR_CHECK_COUNT][32];
  for (int s = 0; s < ECR_CHECK_COUNT; s++) {
    snprintf(n[s], sizeof(n[s]), "%zu", r->by_status[s]);
    snprintf(p[s], sizeof(p[s]), "%zu", r->principals_by_status[s]);
  }
  const char *kv[] = {
      "fail",
      n[ECR_CHECK_FAIL],
      "findings",
      ecr_label(r->by_status[ECR_CHECK_FAIL] == 1 ? "junit/finding-one" : "junit/finding-many"),
      "fail_principals",
      p[ECR_CHECK_FAIL],
      "principals",
      ecr_label(r->principals_by_status[ECR_CHECK_FAIL] == 1 ? "junit/principal-one"
                                                             : "junit/principal-many"),
      "unknown",
      n[ECR_CHECK_UNKNOWN],
      "unknown_principals",
      p[ECR_CHECK_UNKNOWN],
      "excepted",
      n[ECR_CHECK_EXCEPTED],
      "excepted_principals",
      p[ECR_CHECK_EXCEPTED],
      "pass",
      n[ECR_CHECK_PASS],
      "pass_principals",
      p[ECR_CHECK_PASS],
      NULL};
  return ecr_text("junit/totals", kv);
}

static void write_properties(jw *j, const ecr_report *r) {
  char *control = ecr_xasprintf("%s %s", str_or(r->control_id, ecr_control_id()),
                                str_or(r->control_name, ecr_control_name()));
  ecr_buf regions;
  ecr_buf_init(&regions);
  for (size_t i = 0; i < r->n_regions; i++)
    ecr_buf_printf(&regions, "%s%s", i ? " " : "", str_or(r->regions[i], ""));

  jw_start(j, "properties");
  jw_property(j, "control", control);
  if (r->control_ref) jw_property(j, "control_ref", r->control_ref);
  jw_property(j, "account", r->account);
  if (r->caller_arn) jw_property(j, "caller", r->caller_arn);
  jw_property(j, "as_of", r->as_of);
  jw_property(j, "generated_at", r->generated_at);
  if (r->evidence_time) jw_property(j, "evidence_time", r->evidence_time);
  jw_property(j, "regions", regions.data);
  jw_property(j, "evidence_sha256", r->evidence_sha256);
  if (r->ledger_path) {
    jw_property(j, "ledger", r->ledger_path);
    jw_property(j, "ledger_sha256", r->ledger_sha256);
  }
  jw_property(j, "tool_version", r->tool_version);
  jw_property(j, "catalog_version", r->catalog_version);
  jw_property(j, "overall", ecr_check_status_name(r->overall));
  if (r->usage_present) { /* issue 21: IAM Access Advisor */
    char num[32];
    snprintf(num, sizeof(num), "%zu", r->n_unused);
    jw_property(j, "usage.unused", num);
    snprintf(num, sizeof(num), "%zu", r->n_unused_open);
    jw_property(j, "usage.unused_open", num);
    snprintf(num, sizeof(num), "%ld", r->unused_days);
    jw_property(j, "usage.unused_days", num);
  }
  for (int s = 0; s < ECR_CHECK_COUNT; s++) {
    char name[32], num[32];
    snprintf(name, sizeof(name), "findings.%s", ecr_check_status_name((ecr_check_status)s));
    snprintf(num, sizeof(num), "%zu", r->by_status[s]);
    jw_property(j, name, num);
    snprintf(name, sizeof(name), "principals.%s", ecr_check_status_name((ecr_check_status)s));
    snprintf(num, sizeof(num), "%zu", r->principals_by_status[s]);
    jw_property(j, name, num);
  }
  char *summary = totals_line(r);
  jw_property(j, "summary", summary);
  free(summary);
  for (size_t i = 0; i < r->n_mappings; i++) {
    const ecr_mapping *m = &r->mappings[i];
    char *name = ecr_xasprintf("mapping.%s %s", str_or(m->framework, "?"), str_or(m->id, "?"));
    jw_property(j, name, str_or(m->title, ""));
    free(name);
  }
  if (r->baseline) {
    const ecr_baseline *b = r->baseline;
    jw_property(j, "baseline", b->path);
    jw_property(j, "baseline_sha256", b->sha256);
    if (b->generated_at) jw_property(j, "baseline_generated_at", b->generated_at);
    char num[32];
    snprintf(num, sizeof(num), "%zu", b->n_new);
    jw_property(j, "baseline.new", num);
    snprintf(num, sizeof(num), "%zu", b->n_changed);
    jw_property(j, "baseline.changed", num);
    snprintf(num, sizeof(num), "%zu", b->n_resolved);
    jw_property(j, "baseline.resolved", num);
  }
  jw_end(j);
  ecr_buf_cleanup(&regions);
  free(control);
}

static void write_document(jw *j, const ecr_report *r, const junit_out *out) {
  junit_totals t;
  count_totals(r, &t);
  char *suite = ecr_xasprintf("%s %s", str_or(r->control_id, ecr_control_id()),
                              str_or(r->control_name, ecr_control_name()));
  char *package = ecr_xasprintf("ecraudit.%s", str_or(r->control_id, ecr_control_id()));

  jw_check(j, xmlTextWriterStartDocument(j->w, "1.0", "UTF-8", NULL));
  jw_start(j, "testsuites");
  jw_attr(j, "name", "ecraudit");
  jw_attr_count(j, "tests", t.tests);
  jw_attr_count(j, "failures", t.failures);
  jw_attr_count(j, "errors", t.errors);
  jw_attr(j, "time", "0");

  jw_start(j, "testsuite");
  jw_attr(j, "name", suite);
  jw_attr_count(j, "tests", t.tests);
  jw_attr_count(j, "failures", t.failures);
  jw_attr_count(j, "errors", t.errors);
  jw_attr_count(j, "skipped", t.skipped);
  jw_attr(j, "time", "0");
  jw_attr(j, "timestamp", r->generated_at);
  jw_attr(j, "id", "0");
  jw_attr(j, "package", package);
  write_properties(j, r);

  for (size_t i = 0; i < r->n_principal_views && !out->failed; i++)
    principal_testcase(j, r, &r->principals[i]);
  for (size_t i = 0; i < r->n_ledger; i++)
    if (r->ledger[i].state != ECR_LEDGER_ACTIVE) ledger_testcase(j, r, &r->ledger[i]);
  for (size_t i = 0; i < r->n_gaps; i++) gap_testcase(j, r, &r->gaps[i]);

  {
    ecr_buf cov;
    ecr_buf_init(&cov);
    char *tot = totals_line(r);
    ecr_buf_printf(&cov, "%s.\n", tot);
    free(tot);
    if (r->baseline) {
      const ecr_baseline *b = r->baseline;
      char nnew[32], nopen[32], nchg[32], nunch[32], nres[32];
      snprintf(nnew, sizeof(nnew), "%zu", b->n_new);
      snprintf(nopen, sizeof(nopen), "%zu", b->n_new_open);
      snprintf(nchg, sizeof(nchg), "%zu", b->n_changed);
      snprintf(nunch, sizeof(nunch), "%zu", b->n_unchanged);
      snprintf(nres, sizeof(nres), "%zu", b->n_resolved);
      const char *kv[] = {"path",
                          str_or(b->path, "?"),
                          "generated_at",
                          str_or(b->generated_at, "?"),
                          "sha256",
                          b->sha256,
                          "new",
                          nnew,
                          "new_open",
                          nopen,
                          "changed",
                          nchg,
                          "unchanged",
                          nunch,
                          "resolved",
                          nres,
                          NULL};
      ecr_buf_putc(&cov, '\n');
      put_text(&cov, "junit/baseline", kv);
      ecr_buf_putc(&cov, '\n');
      for (size_t i = 0; i < b->n_resolved; i++) {
        const ecr_baseline_item *it = &b->resolved[i];
        const char *rkv[] = {
            "id",           str_or(it->id, "?"),           "principal", str_or(it->principal, "?"),
            "access_level", str_or(it->access_level, "?"), "status",    str_or(it->status, "?"),
            "severity",     str_or(it->severity, "?"),     NULL};
        put_text(&cov, "junit/resolved", rkv);
        ecr_buf_putc(&cov, '\n');
      }
    }
    if (r->n_coverage) ecr_buf_printf(&cov, "\n%s\n", ecr_label("junit/coverage"));
    for (size_t i = 0; i < r->n_coverage; i++)
      ecr_buf_printf(&cov, "- %s\n", str_or(r->coverage[i], ""));
    jw_text_element(j, "system-out", cov.data);
    ecr_buf_cleanup(&cov);
  }
  jw_end(j); /* testsuite */
  jw_end(j); /* testsuites */
  if (!j->failed) jw_check(j, xmlTextWriterEndDocument(j->w));
  free(package);
  free(suite);
}

ecr_status ecr_render_junit(const ecr_report *report, const ecr_render_opts *opts, ecr_sink *sink,
                            ecr_error *err) {
  (void)opts;
  ecr_status st = ECR_OK;
  jw j = {NULL, false};
  junit_out out = {sink, false};

  xmlInitParser();
  xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(out_write, out_close, &out, NULL);
  if (!ob) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "junit: cannot create an output buffer");
    goto cleanup;
  }
  j.w = xmlNewTextWriter(ob); /* owns ob from here on */
  if (!j.w) {
    xmlOutputBufferClose(ob);
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "junit: cannot create an XML writer");
    goto cleanup;
  }
  jw_check(&j, xmlTextWriterSetIndent(j.w, 1));
  jw_check(&j, xmlTextWriterSetIndentString(j.w, BAD_CAST "  "));
  write_document(&j, report, &out);
  xmlFreeTextWriter(j.w); /* flushes and closes ob */
  j.w = NULL;
  if (out.failed) {
    st = ecr_error_set(err, ECR_E_OUTPUT, NULL, "junit: write failed");
    goto cleanup;
  }
  if (j.failed) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "junit: libxml2 could not write the document");
    goto cleanup;
  }
cleanup:
  if (j.w) xmlFreeTextWriter(j.w);
  return st;
}

/* A scan whose collection failed: no report model, one test case in error,
 * so the CI step that publishes report.junit.xml finds it and shows why. */
static void write_collect_failure(jw *j, const char *message) {
  char *suite = ecr_xasprintf("%s %s", ecr_control_id(), ecr_control_name());
  char *package = ecr_xasprintf("ecraudit.%s", ecr_control_id());
  char *classname = ecr_xasprintf("ecraudit.%s.collect", ecr_control_id());
  const char *kv[] = {"message", str_or(message, ecr_label("label/unknown-error")), NULL};
  char *msg = ecr_text("junit/collect-failed", kv);
  char *body = ecr_xasprintf("%s\n\n%s\n", msg, ecr_label("junit/collect-body"));
  jw_check(j, xmlTextWriterStartDocument(j->w, "1.0", "UTF-8", NULL));
  jw_start(j, "testsuites");
  jw_attr(j, "name", "ecraudit");
  jw_attr(j, "tests", "1");
  jw_attr(j, "failures", "0");
  jw_attr(j, "errors", "1");
  jw_attr(j, "time", "0");
  jw_start(j, "testsuite");
  jw_attr(j, "name", suite);
  jw_attr(j, "tests", "1");
  jw_attr(j, "failures", "0");
  jw_attr(j, "errors", "1");
  jw_attr(j, "skipped", "0");
  jw_attr(j, "time", "0");
  char now[21];
  ecr_time_iso8601(ecr_time_now(), now);
  jw_attr(j, "timestamp", now);
  jw_attr(j, "id", "0");
  jw_attr(j, "package", package);
  jw_start(j, "properties");
  jw_property(j, "tool_version", ECRAUDIT_VERSION);
  jw_property(j, "overall", "error");
  jw_end(j);
  jw_start(j, "testcase");
  jw_attr(j, "name", ecr_label("junit/testcase-collect"));
  jw_attr(j, "classname", classname);
  jw_attr(j, "time", "0");
  jw_attr(j, "status", "error");
  result_element(j, "error", msg, "collection-failed", body);
  jw_end(j);
  jw_end(j);
  jw_end(j);
  if (!j->failed) jw_check(j, xmlTextWriterEndDocument(j->w));
  free(body);
  free(msg);
  free(classname);
  free(package);
  free(suite);
}

ecr_status ecr_render_junit_collect_failure(const char *message, ecr_sink *sink, ecr_error *err) {
  jw j = {NULL, false};
  junit_out out = {sink, false};
  xmlInitParser();
  xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(out_write, out_close, &out, NULL);
  if (!ob) return ecr_error_set(err, ECR_E_INTERNAL, NULL, "junit: cannot create an output buffer");
  j.w = xmlNewTextWriter(ob);
  if (!j.w) {
    xmlOutputBufferClose(ob);
    return ecr_error_set(err, ECR_E_INTERNAL, NULL, "junit: cannot create an XML writer");
  }
  jw_check(&j, xmlTextWriterSetIndent(j.w, 1));
  jw_check(&j, xmlTextWriterSetIndentString(j.w, BAD_CAST "  "));
  write_collect_failure(&j, message);
  xmlFreeTextWriter(j.w);
  if (out.failed) return ecr_error_set(err, ECR_E_OUTPUT, NULL, "junit: write failed");
  if (j.failed)
    return ecr_error_set(err, ECR_E_INTERNAL, NULL, "junit: libxml2 could not write the document");
  return ECR_OK;
}
