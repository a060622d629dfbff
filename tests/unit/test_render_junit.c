/* JUnit renderer: renders the hand-built fixture, parses it back with
 * libxml2, validates it against the Jenkins JUnit schema and checks counts,
 * names, result types and that no character XML 1.0 forbids gets through.
 *
 * ECR_JUNIT_OUT=DIR also writes the rendered documents into DIR
 * (fixture.junit.xml, fixture-hostile.junit.xml, fixture-forbidden.junit.xml)
 * for tests/junit/test_junit.sh (xmllint, junitparser). */
#include "testutil.h"
#include "fixture.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/render.h"
#include "util/util.h"

#define R "\xEF\xBF\xBD" /* U+FFFD */

/* Every kind of character XML 1.0 forbids, plus allowed neighbours (tab,
 * CR/LF, DEL, an emoji) that must survive. */
static const char FORBIDDEN_IN[] =
    "n\x01t\tab\x7f|\xff|\xc0\xaf|\xed\xa0\x80|\xef\xbf\xbe|\xef\xbf\xbf|\xf4\x90\x80\x80|"
    "\xf0\x9f\x98\x80|\x0b\x0c\x1b|\r\n|\xe6\xbc";
static const char FORBIDDEN_OUT[] = "n" R "t\tab\x7f|" R "|" R R "|" R R R "|" R "|" R "|" R R R R
                                    "|\xf0\x9f\x98\x80|" R R R "|\r\n|" R;

/* ---- helpers ----------------------------------------------------------- */

static char *render(const ecr_report *r, size_t *len) {
  ecr_buf out;
  ecr_buf_init(&out);
  ecr_sink sink = {ecr_sink_buf_write, &out};
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = ecr_render_junit(r, NULL, &sink, &err);
  if (st != ECR_OK) fprintf(stderr, "render failed: %s\n", err.message);
  assert_int_equal(st, ECR_OK);
  assert_non_null(out.data);
  if (len) *len = out.len;
  return ecr_buf_steal(&out);
}

static xmlDocPtr parse(const char *xml, size_t len) {
  xmlDocPtr doc = xmlReadMemory(xml, (int)len, "report.junit.xml", NULL, XML_PARSE_NONET);
  assert_non_null(doc);
  return doc;
}

static void assert_schema_valid(xmlDocPtr doc) {
  xmlSchemaParserCtxtPtr pc =
      xmlSchemaNewParserCtxt(ECR_SOURCE_DIR "/tests/data/junit/jenkins-junit.xsd");
  assert_non_null(pc);
  xmlSchemaPtr schema = xmlSchemaParse(pc);
  assert_non_null(schema);
  xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
  assert_non_null(vc);
  assert_int_equal(xmlSchemaValidateDoc(vc, doc), 0);
  xmlSchemaFreeValidCtxt(vc);
  xmlSchemaFree(schema);
  xmlSchemaFreeParserCtxt(pc);
}

static double xpath_number(xmlDocPtr doc, const char *expr) {
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
  assert_non_null(o);
  double v = xmlXPathCastToNumber(o);
  xmlXPathFreeObject(o);
  xmlXPathFreeContext(ctx);
  return v;
}

#define assert_xpath_count(doc, expr, n) assert_int_equal((long)xpath_number(doc, expr), (long)(n))

/* Attribute value (caller frees with xmlFree), asserting it exists. */
static char *attr(xmlNodePtr n, const char *name) {
  xmlChar *v = xmlGetProp(n, BAD_CAST name);
  if (!v) fprintf(stderr, "missing attribute %s on <%s>\n", name, (const char *)n->name);
  assert_non_null(v);
  return (char *)v;
}

static void assert_attr(xmlNodePtr n, const char *name, const char *want) {
  char *v = attr(n, name);
  assert_string_equal(v, want);
  xmlFree(v);
}

static xmlNodePtr child(xmlNodePtr n, const char *name) {
  for (xmlNodePtr c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0) return c;
  return NULL;
}

static size_t n_children(xmlNodePtr n) {
  size_t k = 0;
  for (xmlNodePtr c = n->children; c; c = c->next) k += c->type == XML_ELEMENT_NODE;
  return k;
}

static xmlNodePtr suite_of(xmlDocPtr doc) {
  xmlNodePtr root = xmlDocGetRootElement(doc);
  assert_string_equal((const char *)root->name, "testsuites");
  xmlNodePtr suite = child(root, "testsuite");
  assert_non_null(suite);
  return suite;
}

/* The idx-th <testcase> in document order. */
static xmlNodePtr testcase_at(xmlDocPtr doc, size_t idx) {
  size_t k = 0;
  for (xmlNodePtr c = suite_of(doc)->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "testcase") != 0) continue;
    if (k++ == idx) return c;
  }
  fail_msg("no testcase %zu", idx);
  return NULL;
}

static xmlNodePtr testcase_named(xmlDocPtr doc, const char *name) {
  for (xmlNodePtr c = suite_of(doc)->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "testcase") != 0) continue;
    char *v = attr(c, "name");
    bool hit = strcmp(v, name) == 0;
    xmlFree(v);
    if (hit) return c;
  }
  fail_msg("no testcase named %s", name);
  return NULL;
}

static char *content(xmlNodePtr n) {
  return (char *)xmlNodeGetContent(n);
}

static void assert_content_contains(xmlNodePtr n, const char *needle) {
  assert_non_null(n);
  char *c = content(n);
  if (!strstr(c, needle)) fprintf(stderr, "<%s> lacks \"%s\":\n%s\n", n->name, needle, c);
  assert_non_null(strstr(c, needle));
  xmlFree(c);
}

static char *property(xmlDocPtr doc, const char *name) {
  xmlNodePtr props = child(suite_of(doc), "properties");
  assert_non_null(props);
  for (xmlNodePtr p = props->children; p; p = p->next) {
    if (p->type != XML_ELEMENT_NODE) continue;
    char *n = attr(p, "name");
    bool hit = strcmp(n, name) == 0;
    xmlFree(n);
    if (hit) return attr(p, "value");
  }
  return NULL;
}

static void assert_property(xmlDocPtr doc, const char *name, const char *want) {
  char *v = property(doc, name);
  if (!v) fail_msg("no property %s", name);
  assert_string_equal(v, want);
  xmlFree(v);
}

/* Only characters XML 1.0 allows, as well-formed UTF-8. */
static void assert_xml_chars_only(const char *xml, size_t len) {
  assert_true(ecr_utf8_valid(xml, len));
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)xml[i];
    if (c < 0x20) assert_true(c == '\t' || c == '\n' || c == '\r');
    if (c == 0xEF && i + 2 < len && (unsigned char)xml[i + 1] == 0xBF)
      assert_true((unsigned char)xml[i + 2] < 0xBE);
  }
  /* nothing smuggled in as a character reference either */
  assert_null(strstr(xml, "&#1;"));
  assert_null(strstr(xml, "&#x1;"));
  assert_null(strstr(xml, "&#31;"));
}

static void write_out(const char *name, const char *xml, size_t len) {
  const char *dir = getenv("ECR_JUNIT_OUT");
  if (!dir || !*dir) return;
  assert_int_equal(ecr_mkdirs(dir, NULL), ECR_OK);
  char *path = ecr_path_join(dir, name);
  assert_int_equal(ecr_atomic_write_file(path, xml, len, NULL), ECR_OK);
  free(path);
}

/* ---- tests --------------------------------------------------------------- */

/* fixture: 9 principals (6 fail, 1 unknown, 1 excepted, 1 pass),
 * ledger problems (expired, unused, invalid), 1 evidence gap. */
static void totals_and_results(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  size_t len;
  char *xml = render(fx.report, &len);
  write_out("fixture.junit.xml", xml, len);
  xmlDocPtr doc = parse(xml, len);
  assert_schema_valid(doc);

  xmlNodePtr root = xmlDocGetRootElement(doc);
  assert_attr(root, "tests", "13");
  assert_attr(root, "failures", "7");
  assert_attr(root, "errors", "3");
  assert_attr(root, "time", "0");
  xmlNodePtr suite = suite_of(doc);
  assert_attr(suite, "name", "C-0222 Minimize user access to Amazon ECR");
  assert_attr(suite, "tests", "13");
  assert_attr(suite, "failures", "7");
  assert_attr(suite, "errors", "3");
  assert_attr(suite, "skipped", "1");
  assert_attr(suite, "timestamp", "2026-11-27T12:00:00Z");
  assert_xpath_count(doc, "count(/testsuites/testsuite)", 1);
  assert_xpath_count(doc, "count(//testcase)", 13);
  assert_xpath_count(doc, "count(//testcase/failure)", 7);
  assert_xpath_count(doc, "count(//testcase/error)", 3);
  assert_xpath_count(doc, "count(//testcase/skipped)", 1);
  assert_xpath_count(doc, "count(//testcase[failure or error or skipped])", 11);
  assert_xpath_count(doc, "count(//testcase[count(failure|error|skipped) > 1])", 0);

  /* one testcase per principal, in report order, then ledger, then gaps */
  const ecr_report *r = fx.report;
  for (size_t i = 0; i < r->n_principal_views; i++) {
    xmlNodePtr tc = testcase_at(doc, i);
    const char *pn = r->principals[i].principal;
    assert_attr(tc, "name", strcmp(pn, "*") == 0 ? "public (*)" : pn);
    char *cls = ecr_xasprintf("ecraudit.C-0222.%s", ecr_principal_kind_name(r->principals[i].kind));
    assert_attr(tc, "classname", cls);
    free(cls);
    assert_attr(tc, "status", ecr_check_status_name(r->principals[i].worst_status));
  }
  assert_attr(testcase_at(doc, 9), "name", "exception EX-002");
  assert_attr(testcase_at(doc, 10), "name", "exception EX-003");
  assert_attr(testcase_at(doc, 11), "name", "exception EX-004");
  assert_attr(testcase_at(doc, 12), "classname", "ecraudit.C-0222.evidence");

  /* failure type = highest failing severity */
  struct {
    const char *name, *type;
  } fails[] = {{"public (*)", "critical"},
               {"arn:aws:iam::111122223333:user/alice", "high"},
               {"arn:aws:iam::111122223333:role/codebuild-push", "medium"},
               {"arn:aws:iam::444455556666:root", "info"},
               {"service:codebuild.amazonaws.com", "critical"},
               {"arn:aws:iam::777788889999:role/deployer", "critical"}};
  for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
    xmlNodePtr f = child(testcase_named(doc, fails[i].name), "failure");
    assert_non_null(f);
    assert_attr(f, "type", fails[i].type);
  }
  xmlNodePtr pub = testcase_named(doc, "public (*)");
  assert_attr(pub, "classname", "ecraudit.C-0222.public");
  xmlNodePtr f = child(pub, "failure");
  /* the first line says what to change, then the findings it counts */
  assert_attr(
      f, "message",
      "Remove Write on 2 repositories (can push) granted by identity policy "
      "arn:aws:iam::111122223333:policy/EcrPush statement PushImages, or record an approved "
      "exception \xe2\x80\x94 1 failing finding: Write on 2 repositories (can push)");
  assert_content_contains(f, "What to change: Narrow statement PushImages");
  assert_content_contains(f, "C0222-000000005eed0000");
  assert_content_contains(f, "Access level: Write (can push)");
  assert_content_contains(f, "ecr:PutImage");
  assert_content_contains(f, "arn:aws:ecr:us-east-1:111122223333:repository/team-b/web-frontend");
  assert_content_contains(f, "Decision: allow");
  assert_content_contains(
      f, "identity policy arn:aws:iam::111122223333:policy/EcrPush statement PushImages");
  assert_content_contains(f, "group developers policy DenyOutsideBusinessHours statement 1 "
                             "(conditional Deny)");
  assert_content_contains(f, "Remediation: Narrow statement PushImages");
  xmlNodePtr alice = child(testcase_named(doc, "arn:aws:iam::111122223333:user/alice"), "failure");
  char *am = attr(alice, "message");
  assert_non_null(strstr(am, "1 failing finding: Permissions management on the registry "
                             "(registry-level actions)"));
  assert_true(strncmp(am, "Remove Permissions management on the registry", 45) == 0);
  xmlFree(am);
  xmlNodePtr push =
      child(testcase_named(doc, "arn:aws:iam::111122223333:role/codebuild-push"), "failure");
  char *pm = attr(push, "message");
  assert_non_null(strstr(pm, "\xe2\x80\x94 1 failing finding: Write on 2 repositories (can push) "
                             "(conditional)"));
  xmlFree(pm);
  assert_content_contains(push, "Exception: EX-002 (expired, expires 2024-01-31)");
  assert_content_contains(push, "Status: Exception EX-002 lapsed on 2024-01-31.");

  /* unknown -> error */
  xmlNodePtr tagger = testcase_named(doc, "arn:aws:iam::111122223333:role/tagger");
  xmlNodePtr e = child(tagger, "error");
  assert_non_null(e);
  assert_attr(e, "type", "unknown");
  assert_attr(e, "message", "1 finding unknown: Tagging on 2 repositories (evidence missing)");
  assert_content_contains(e, "could not be collected (AccessDeniedException)");
  assert_content_contains(child(tagger, "system-out"), "Used by: codebuild.amazonaws.com");

  /* excepted -> skipped with exception id and expiry */
  xmlNodePtr rel = testcase_named(doc, "arn:aws:iam::111122223333:role/codebuild-release");
  xmlNodePtr sk = child(rel, "skipped");
  assert_non_null(sk);
  char *skc = content(sk);
  assert_string_equal(skc, "Excepted by EX-001 until 2099-12-31");
  xmlFree(skc);
  assert_content_contains(child(rel, "system-out"), "Findings of this principal:");

  /* pass -> no result, findings in system-out */
  xmlNodePtr node = testcase_named(doc, "arn:aws:iam::111122223333:role/eks-node");
  assert_null(child(node, "failure"));
  assert_null(child(node, "error"));
  assert_null(child(node, "skipped"));
  assert_content_contains(child(node, "system-out"), "[pass] C0222-000000005eed0007");

  /* ledger problems */
  xmlNodePtr ex2 = child(testcase_named(doc, "exception EX-002"), "failure");
  assert_non_null(ex2);
  assert_attr(ex2, "type", "expired-exception");
  assert_content_contains(ex2, "Justification: CI pipeline publishes release images");
  xmlNodePtr ex3 = testcase_named(doc, "exception EX-003");
  assert_int_equal(n_children(ex3), 1);
  assert_content_contains(child(ex3, "system-out"), "Unused exception: EX-003 matches no finding");
  assert_attr(ex3, "status", "unused");
  xmlNodePtr ex4 = child(testcase_named(doc, "exception EX-004"), "error");
  assert_non_null(ex4);
  assert_attr(ex4, "type", "invalid-exception");
  assert_attr(ex4, "message",
              "Exception EX-004 is invalid: expires: \"2025-02-30\" is not a calendar date.");
  /* the active entry EX-001 is no problem: no testcase */
  assert_xpath_count(doc, "count(//testcase[@name='exception EX-001'])", 0);

  /* evidence gap */
  xmlNodePtr gap = child(testcase_at(doc, 12), "error");
  assert_attr(gap, "type", "evidence-gap");
  assert_attr(gap, "message",
              "ecr:GetRepositoryPolicy on "
              "arn:aws:ecr:us-east-1:111122223333:repository/team-b/web-frontend could not be "
              "collected: AccessDeniedException: not authorized");

  /* coverage in the suite's system-out */
  assert_content_contains(child(suite, "system-out"), "- Session policies are not part");

  xmlFreeDoc(doc);
  free(xml);
  ecr_fixture_free(&fx);
}

static void properties(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  size_t len;
  char *xml = render(fx.report, &len);
  xmlDocPtr doc = parse(xml, len);
  assert_property(doc, "control", "C-0222 Minimize user access to Amazon ECR");
  assert_property(doc, "control_ref", "CIS Amazon EKS Benchmark 5.1.2");
  assert_property(doc, "account", "111122223333");
  assert_property(doc, "caller", "arn:aws:iam::111122223333:user/auditor");
  assert_property(doc, "as_of", "2026-11-27");
  assert_property(doc, "generated_at", "2026-11-27T12:00:00Z");
  assert_property(doc, "evidence_time", "2026-11-26T08:00:00Z");
  assert_property(doc, "regions", "eu-west-1 us-east-1");
  assert_property(doc, "tool_version", "0.1.0");
  assert_property(doc, "catalog_version", fx.report->catalog_version);
  assert_property(doc, "ledger", "samples/acme/ledger.json");
  assert_property(doc, "ledger_sha256",
                  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  assert_property(doc, "overall", "fail");
  assert_property(doc, "findings.fail", "6");
  assert_property(doc, "findings.excepted", "1");
  assert_property(doc, "findings.unknown", "1");
  assert_property(doc, "findings.pass", "1");
  /* sha256sum lines ordered by path: "ecr/..." sorts before "iam/..." */
  static const char lines[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb  "
                              "ecr/us-east-1/repositories.json\n"
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  "
                              "iam/account-authorization-details.json\n";
  char want[65];
  ecr_sha256_hex(lines, strlen(lines), want);
  assert_property(doc, "evidence_sha256", want);
  xmlFreeDoc(doc);
  free(xml);
  ecr_fixture_free(&fx);
}

/* Markup, quotes, "]]>", control characters, Cyrillic/CJK and format
 * directives in every user field. */
static void hostile(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(true, 0);
  size_t len;
  char *xml = render(fx.report, &len);
  write_out("fixture-hostile.junit.xml", xml, len);
  assert_xml_chars_only(xml, len);
  /* raw markup never appears unescaped */
  assert_null(strstr(xml, "<img"));
  assert_null(strstr(xml, "]]>"));
  xmlDocPtr doc = parse(xml, len);
  assert_schema_valid(doc);
  assert_xpath_count(doc, "count(//img)", 0);
  assert_xpath_count(doc, "count(//testcase)", 13);

  /* the hostile role name comes back exactly, controls mapped to U+FFFD */
  char *want_host = ecr_xstrdup(ECR_FIXTURE_HOSTILE);
  char *ctl = strstr(want_host, "\x01\x1f");
  assert_non_null(ctl);
  *ctl = '\0';
  char *want = ecr_xasprintf("arn:aws:iam::111122223333:role/codebuild-push %s" R R "%s", want_host,
                             ctl + 2);
  xmlNodePtr push = testcase_named(doc, want);
  assert_attr(push, "classname", "ecraudit.C-0222.role");
  xmlNodePtr f = child(push, "failure");
  assert_content_contains(f, "<img src=x onerror=alert(1)> \"quoted\" & 'single' " R R " ]]>");
  assert_content_contains(
      f, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xe6\xbc\xa2\xe5\xad\x97 %s %n \\");
  assert_content_contains(f, "\"Sid\": \"<b>&amp;\"");
  /* ledger text and gap error too */
  assert_content_contains(child(testcase_named(doc, "exception EX-002"), "failure"),
                          "Approved by: jane.doe@acme.example <img src=x");
  assert_content_contains(child(testcase_at(doc, 12), "error"), "not authorized <img");
  char *caller = property(doc, "caller");
  assert_non_null(strstr(caller, "auditor <img src=x onerror=alert(1)> \"quoted\""));
  xmlFree(caller);
  free(want);
  free(want_host);
  xmlFreeDoc(doc);
  free(xml);
  ecr_fixture_free(&fx);
}

/* Every class of forbidden character, in an attribute and in text. */
static void forbidden_characters(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_report *r = fx.report;
  free(r->principals[0].principal);
  r->principals[0].principal = ecr_xstrdup(FORBIDDEN_IN);
  free(r->findings[0].remediation);
  r->findings[0].remediation = ecr_xstrdup(FORBIDDEN_IN);
  free(r->gaps[0].error);
  r->gaps[0].error = ecr_xstrdup(FORBIDDEN_IN);
  size_t len;
  char *xml = render(r, &len);
  write_out("fixture-forbidden.junit.xml", xml, len);
  assert_xml_chars_only(xml, len);
  xmlDocPtr doc = parse(xml, len);
  assert_schema_valid(doc);
  xmlNodePtr tc = testcase_at(doc, 0);
  assert_attr(tc, "name", FORBIDDEN_OUT);
  /* text bodies indent continuation lines: compare up to the line break */
  char *head = ecr_xstrndup(FORBIDDEN_OUT, (size_t)(strchr(FORBIDDEN_OUT, '\r') - FORBIDDEN_OUT));
  assert_content_contains(child(tc, "failure"), head);
  assert_content_contains(child(tc, "failure"), "\r\n    |" R "\n");
  free(head);
  char *msg = ecr_xasprintf("ecr:GetRepositoryPolicy on %s could not be collected: %s",
                            r->gaps[0].resource, FORBIDDEN_OUT);
  assert_attr(child(testcase_at(doc, 12), "error"), "message", msg);
  free(msg);
  xmlFreeDoc(doc);
  free(xml);
  ecr_fixture_free(&fx);
}

static void set_findings(ecr_principal_view *pv, size_t n, const size_t *idx) {
  free(pv->findings);
  pv->findings = ecr_xcalloc(n, sizeof(size_t));
  memcpy(pv->findings, idx, n * sizeof(size_t));
  pv->n_findings = n;
}

/* Several findings per principal: summary, type and body come from the
 * failing ones, the rest goes to system-out; distinct exceptions listed once. */
static void grouping(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_report *r = fx.report;
  static const size_t mixed[] = {0, 1, 4, 7}; /* fail critical, fail high, unknown, pass */
  set_findings(&r->principals[0], 4, mixed);
  r->findings[5].status = ECR_CHECK_EXCEPTED;
  r->findings[5].exception = &fx.entries[0];
  r->findings[7].status = ECR_CHECK_EXCEPTED;
  r->findings[7].exception = &fx.entries[2];
  static const size_t exc[] = {3, 5, 7}; /* EX-001, EX-001, EX-003 */
  set_findings(&r->principals[3], 3, exc);
  size_t len;
  char *xml = render(r, &len);
  xmlDocPtr doc = parse(xml, len);
  assert_schema_valid(doc);

  xmlNodePtr pub = testcase_named(doc, "public (*)");
  xmlNodePtr f = child(pub, "failure");
  char *m2 = attr(f, "message");
  assert_non_null(strstr(m2, "\xe2\x80\x94 2 failing findings: Write on 2 repositories (can push), "
                             "Permissions management on the registry (registry-level actions)"));
  xmlFree(m2);
  assert_attr(f, "type", "critical");
  assert_content_contains(f, "[fail] C0222-000000005eed0000");
  assert_content_contains(f, "[fail] C0222-000000005eed0001");
  assert_content_contains(f, "    the registry (registry-level actions, \"*\")");
  char *body = content(f);
  assert_null(strstr(body, "C0222-000000005eed0004"));
  xmlFree(body);
  xmlNodePtr out = child(pub, "system-out");
  assert_content_contains(out, "Other findings of this principal:");
  assert_content_contains(out, "[unknown] C0222-000000005eed0004");
  assert_content_contains(out, "C0222-000000005eed0007");
  assert_null(child(pub, "error")); /* one result per testcase */

  xmlNodePtr sk =
      child(testcase_named(doc, "arn:aws:iam::111122223333:role/codebuild-release"), "skipped");
  char *skc = content(sk);
  assert_string_equal(skc, "Excepted by EX-001 until 2099-12-31; EX-003 until 2099-01-01");
  xmlFree(skc);
  assert_attr(child(testcase_named(doc, "exception EX-002"), "failure"), "message",
              "Exception EX-002 expired on 2024-01-31 and excepts nothing (1 finding matched)");
  xmlFreeDoc(doc);
  free(xml);
  ecr_fixture_free(&fx);
}

/* No principals, no ledger, no gaps, optional fields absent. */
static void empty_report(void **state) {
  (void)state;
  ecr_report r;
  memset(&r, 0, sizeof(r));
  r.control_id = "C-0222";
  r.control_name = "Minimize user access to Amazon ECR";
  r.account = "111122223333";
  r.generated_at = "2026-11-27T12:00:00Z";
  r.as_of = "2026-11-27";
  r.tool_version = "0.1.0";
  r.overall = ECR_CHECK_PASS;
  size_t len;
  ecr_report_evidence_sha256(r.files, r.n_files, r.evidence_sha256);
  char *xml = render(&r, &len);
  xmlDocPtr doc = parse(xml, len);
  assert_schema_valid(doc);
  assert_attr(xmlDocGetRootElement(doc), "tests", "0");
  assert_attr(suite_of(doc), "skipped", "0");
  assert_xpath_count(doc, "count(//testcase)", 0);
  assert_null(property(doc, "ledger_sha256"));
  assert_null(property(doc, "caller"));
  char empty_sha[65];
  ecr_sha256_hex("", 0, empty_sha);
  assert_property(doc, "evidence_sha256", empty_sha);
  assert_property(doc, "catalog_version", "");
  assert_property(doc, "overall", "pass");
  xmlFreeDoc(doc);
  free(xml);
}

static void deterministic(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(true, 0);
  size_t l1, l2;
  char *a = render(fx.report, &l1);
  char *b = render(fx.report, &l2);
  assert_int_equal(l1, l2);
  assert_memory_equal(a, b, l1);
  free(a);
  free(b);
  ecr_fixture_free(&fx);
}

static int failing_write(void *ctx, const void *data, size_t len) {
  (void)data;
  (void)len;
  (*(int *)ctx)++;
  return -1;
}

static void sink_failure(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  int calls = 0;
  ecr_sink sink = {failing_write, &calls};
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_render_junit(fx.report, NULL, &sink, &err), ECR_E_OUTPUT);
  assert_int_equal(err.code, ECR_E_OUTPUT);
  assert_true(calls >= 1);
  assert_true(err.message[0] != '\0');
  ecr_fixture_free(&fx);
}

/* Through the registry into a file: report.junit.xml appears whole. */
static void to_file(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  char *dir = ecr_test_tmpdir("junit");
  const ecr_renderer *rr = ecr_renderer_find("junit");
  assert_non_null(rr);
  assert_string_equal(rr->filename, "report.junit.xml");
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_render_to_file(rr, fx.report, NULL, dir, &err), ECR_OK);
  char *path = ecr_path_join(dir, "report.junit.xml");
  char *data = ecr_test_slurp(path);
  size_t len;
  char *mem = render(fx.report, &len);
  assert_int_equal(strlen(data), len);
  assert_memory_equal(data, mem, len);
  free(mem);
  free(data);
  free(path);
  ecr_test_rmrf(dir);
  free(dir);
  ecr_fixture_free(&fx);
}

/* Large accounts: a finding's block lists 20 repositories and says how many
 * more; a passing finding is one line, not a block; the document reaches
 * the sink in pieces (streamed), and a failing sink stops the writer early. */
typedef struct counting {
  ecr_buf buf;
  size_t calls;
} counting;

static int counting_write(void *ctx, const void *data, size_t len) {
  counting *c = ctx;
  c->calls++;
  ecr_buf_append(&c->buf, data, len);
  return 0;
}

static void large_lists(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(false, 0);
  ecr_report *r = fx.report;
  /* 50 repositories on finding 0 (fail) and on finding 7 (pass); the
     fixture's own arrays go back before it is freed */
  char *repos[50];
  for (size_t i = 0; i < 50; i++)
    repos[i] = ecr_xasprintf("arn:aws:ecr:us-east-1:111122223333:repository/many/r-%02zu", i);
  char **saved0 = r->findings[0].repositories, **saved7 = r->findings[7].repositories;
  size_t n0 = r->findings[0].n_repositories, n7 = r->findings[7].n_repositories;
  r->findings[0].repositories = r->findings[7].repositories = repos;
  r->findings[0].n_repositories = r->findings[7].n_repositories = 50;

  counting c = {{0}, 0};
  ecr_buf_init(&c.buf);
  ecr_sink sink = {counting_write, &c};
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_render_junit(r, NULL, &sink, &err), ECR_OK);
  assert_true(c.calls > 1); /* streamed, not one buffer at the end */
  xmlDocPtr doc = parse(c.buf.data, c.buf.len);
  assert_schema_valid(doc);

  xmlNodePtr f = child(testcase_named(doc, "public (*)"), "failure");
  assert_content_contains(f, "repository/many/r-00");
  assert_content_contains(f, "repository/many/r-19\n    ... and 30 more (findings.json lists "
                             "every repository)");
  char *body = content(f);
  assert_null(strstr(body, "repository/many/r-20"));
  xmlFree(body);

  xmlNodePtr out =
      child(testcase_named(doc, "arn:aws:iam::111122223333:role/eks-node"), "system-out");
  assert_content_contains(out, "Passing (read and list access; findings.json has every field):\n"
                               "[pass] C0222-000000005eed0007  Read on all repositories\n");
  char *text = content(out);
  assert_null(strstr(text, "many/r-")); /* a pass line lists no repositories */
  assert_null(strstr(text, "Remediation:"));
  xmlFree(text);
  xmlFreeDoc(doc);

  /* a sink that fails at once: the writer gives up early */
  int calls = 0;
  ecr_sink bad = {failing_write, &calls};
  ecr_error_clear(&err);
  assert_int_equal(ecr_render_junit(r, NULL, &bad, &err), ECR_E_OUTPUT);
  assert_true(calls >= 1);
  assert_true((size_t)calls < c.calls);

  r->findings[0].repositories = saved0;
  r->findings[7].repositories = saved7;
  r->findings[0].n_repositories = n0;
  r->findings[7].n_repositories = n7;
  for (size_t i = 0; i < 50; i++) free(repos[i]);
  ecr_buf_cleanup(&c.buf);
  ecr_fixture_free(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(totals_and_results),
      cmocka_unit_test(properties),
      cmocka_unit_test(hostile),
      cmocka_unit_test(forbidden_characters),
      cmocka_unit_test(empty_report),
      cmocka_unit_test(deterministic),
      cmocka_unit_test(sink_failure),
      cmocka_unit_test(to_file),
      cmocka_unit_test(grouping),
      cmocka_unit_test(large_lists),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  xmlCleanupParser();
  return rc;
}
