/* util/utf8.c: the one UTF-8 decoder and the one replacement rule.
 *
 * The cases are the examples of Unicode 15 §3.9, "U+FFFD Substitution of
 * Maximal Subparts" (Tables 3-8 to 3-12): each maximal subpart of an
 * ill-formed sequence becomes one U+FFFD. Python's
 * bytes.decode("utf-8", "replace") and the WHATWG decoder agree on every
 * line. Then the same input goes through every format (HTML, JUnit,
 * findings.json, PDF text) and must come out with the same replacements.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "ecraudit/render.h"
#include "fixture.h"
#include "render/pdf_internal.h"
#include "util/util.h"

#define R "\xEF\xBF\xBD" /* U+FFFD */

typedef struct table_case {
  const char *name;
  const char *in;
  const char *out;
} table_case;

static const table_case TABLES[] = {
    /* Table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64
       -> 0061 FFFD FFFD FFFD 0062 FFFD 0063 FFFD FFFD 0064 */
    {"Table 3-8",
     "a\xF1\x80\x80\xE1\x80\xC2"
     "b\x80"
     "c\x80\xBF"
     "d",
     "a" R R R "b" R "c" R R "d"},
    /* Table 3-9, non-shortest forms: C0 AF E0 80 BF F0 81 82 41 -> 8 x FFFD, 0041 */
    {"Table 3-9",
     "\xC0\xAF\xE0\x80\xBF\xF0\x81\x82"
     "A",
     R R R R R R R R "A"},
    /* Table 3-10, surrogates: ED A0 80 ED BF BF ED AF 41 -> 8 x FFFD, 0041 */
    {"Table 3-10",
     "\xED\xA0\x80\xED\xBF\xBF\xED\xAF"
     "A",
     R R R R R R R R "A"},
    /* Table 3-11, other ill-formed: F4 91 92 93 FF 41 80 BF 42
       -> 5 x FFFD, 0041, FFFD FFFD, 0042 */
    {"Table 3-11",
     "\xF4\x91\x92\x93\xFF"
     "A\x80\xBF"
     "B",
     R R R R R "A" R R "B"},
    /* Table 3-12, truncated sequences: E1 80 E2 F0 91 92 F1 BF 41 -> 4 x FFFD, 0041 */
    {"Table 3-12",
     "\xE1\x80\xE2\xF0\x91\x92\xF1\xBF"
     "A",
     R R R R "A"},
    /* truncated at the end of the text: one U+FFFD for the maximal subpart */
    {"truncated at end", "x\xF0\x9F\x98", "x" R},
    /* well-formed text is kept (BMP only: the PDF shows other planes as
       [U+XXXXX], HTML maps noncharacters such as U+10FFFF: their own lists) */
    {"valid", "caf\xC3\xA9 \xE2\x82\xAC", "caf\xC3\xA9 \xE2\x82\xAC"},
};
#define N_TABLES (sizeof(TABLES) / sizeof(TABLES[0]))

/* ---- the decoder ------------------------------------------------------------ */

static void decoder_lengths_and_flags(void **state) {
  (void)state;
  struct {
    const char *s;
    size_t len, consumed;
    bool valid;
    uint32_t cp;
  } cases[] = {
      {"A", 1, 1, true, 0x41},
      {"\xC3\xA9", 2, 2, true, 0xE9},
      {"\xE2\x82\xAC", 3, 3, true, 0x20AC},
      {"\xF4\x8F\xBF\xBF", 4, 4, true, 0x10FFFF},
      {"\xC0\xAF", 2, 1, false, 0xFFFD},         /* overlong lead: never a prefix */
      {"\xE0\x80\x80", 3, 1, false, 0xFFFD},     /* overlong 3-byte */
      {"\xF0\x80\x80\x80", 4, 1, false, 0xFFFD}, /* overlong 4-byte */
      {"\xED\xA0\x80", 3, 1, false, 0xFFFD},     /* surrogate U+D800 */
      {"\xF4\x90\x80\x80", 4, 1, false, 0xFFFD}, /* > U+10FFFF */
      {"\xF5\x80", 2, 1, false, 0xFFFD},
      {"\x80", 1, 1, false, 0xFFFD},
      {"\xE2\x82"
       "A",
       3, 2, false, 0xFFFD},                     /* maximal subpart E2 82 */
      {"\xF1\x80\x80", 3, 3, false, 0xFFFD},     /* truncated by the length */
      {"\xF1\x80\x80\x80", 3, 3, false, 0xFFFD}, /* the 4th byte is beyond len */
      {"", 0, 0, false, 0xFFFD},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    uint32_t cp = 0;
    bool ok = !cases[i].valid;
    size_t k = ecr_utf8_next(cases[i].s, cases[i].len, &cp, &ok);
    if (k != cases[i].consumed || ok != cases[i].valid || cp != cases[i].cp)
      fail_msg("case %zu: consumed %zu valid %d cp %X, want %zu %d %X", i, k, ok, (unsigned)cp,
               cases[i].consumed, cases[i].valid, (unsigned)cases[i].cp);
  }
}

static void unicode_tables_repair(void **state) {
  (void)state;
  for (size_t i = 0; i < N_TABLES; i++) {
    char *got = ecr_utf8_repair(TABLES[i].in);
    const char *s = got ? got : TABLES[i].in;
    if (strcmp(s, TABLES[i].out) != 0) fail_msg("%s: repaired differently", TABLES[i].name);
    assert_true(ecr_utf8_valid(s, strlen(s)));
    free(got);
  }
}

static void encode_round_trip(void **state) {
  (void)state;
  const uint32_t cps[] = {0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF};
  for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
    char out[4];
    size_t n = ecr_utf8_encode(cps[i], out);
    uint32_t cp = 0;
    bool ok = false;
    assert_int_equal(ecr_utf8_next(out, n, &cp, &ok), n);
    assert_true(ok);
    assert_int_equal(cp, cps[i]);
  }
  char out[4];
  assert_int_equal(ecr_utf8_encode(0xD800, out), 3); /* a surrogate becomes U+FFFD */
  assert_memory_equal(out, R, 3);
}

/* ---- every format, the same replacement ---------------------------------------- */

static ecr_fixture fixture_with_impact(const char *impact) {
  ecr_fixture fx = ecr_fixture_make(false, 0);
  for (size_t i = 0; i < fx.report->n_findings; i++) {
    free(fx.report->findings[i].impact);
    fx.report->findings[i].impact = ecr_xstrdup(impact);
  }
  return fx;
}

typedef ecr_status (*render_fn)(const ecr_report *, const ecr_render_opts *, ecr_sink *,
                                ecr_error *);

static char *render(render_fn fn, const ecr_report *r, size_t *len) {
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_sink sink = {ecr_sink_buf_write, &b};
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = fn(r, NULL, &sink, &err);
  if (st != ECR_OK) fail_msg("render failed: %s", err.message);
  *len = b.len;
  return ecr_buf_steal(&b);
}

/* The text of a whole document, as a reader of the page or the XML sees it. */
static char *doc_text(xmlDocPtr doc) {
  assert_non_null(doc);
  xmlChar *t = xmlNodeGetContent(xmlDocGetRootElement(doc));
  char *s = ecr_xstrdup((const char *)t);
  xmlFree(t);
  xmlFreeDoc(doc);
  return s;
}

static char *html_text(const ecr_report *r) {
  size_t len;
  char *html = render(ecr_render_html, r, &len);
  htmlDocPtr doc = htmlReadMemory(html, (int)len, "report.html", "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  free(html);
  return doc_text(doc);
}

static char *junit_text(const ecr_report *r) {
  size_t len;
  char *xml = render(ecr_render_junit, r, &len);
  xmlDocPtr doc = xmlReadMemory(xml, (int)len, "report.junit.xml", NULL, XML_PARSE_NONET);
  free(xml);
  return doc_text(doc);
}

static char *json_impact(const ecr_report *r) {
  size_t len;
  char *text = render(ecr_render_json, r, &len);
  cJSON *doc = cJSON_Parse(text);
  assert_non_null(doc);
  const cJSON *f0 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "findings"), 0);
  char *s = ecr_xstrdup(cJSON_GetObjectItem(f0, "impact")->valuestring);
  cJSON_Delete(doc);
  free(text);
  return s;
}

/* PDF text as drawn: mapped for a font that has every printable ASCII
 * character, U+00E9, U+20AC and U+FFFD (DejaVu has them all), encoded back
 * to UTF-8. */
static char *pdf_drawn(const char *s, bool font_has_fffd) {
  pdf_ctx ctx;
  memset(&ctx, 0, sizeof(ctx));
  ctx.f[PDF_F_REG].has = calloc(0x10000, 1);
  for (unsigned c = 0x20; c < 0x7F; c++) ctx.f[PDF_F_REG].has[c] = 1;
  ctx.f[PDF_F_REG].has[0xE9] = ctx.f[PDF_F_REG].has[0x20AC] = 1;
  ctx.f[PDF_F_REG].has[0xFFFD] = font_has_fffd ? 1 : 2;
  pdf_text t = {0};
  ecr_pdf_text_map(&ctx, PDF_F_REG, s, &t);
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < t.n; i++) {
    char enc[4];
    ecr_buf_append(&b, enc, ecr_utf8_encode(t.cp[i], enc));
  }
  ecr_pdf_text_cleanup(&t);
  free(ctx.f[PDF_F_REG].has);
  return ecr_buf_steal(&b);
}

static void every_format_same_replacement(void **state) {
  (void)state;
  for (size_t i = 0; i < N_TABLES; i++) {
    const table_case *c = &TABLES[i];
    ecr_fixture fx = fixture_with_impact(c->in);
    char *html = html_text(fx.report);
    char *junit = junit_text(fx.report);
    char *json = json_impact(fx.report);
    char *pdf = pdf_drawn(c->in, true);
    char *plain = ecr_pdf_text_plain(c->in, 1000); /* PDF outline and metadata */
    if (!strstr(html, c->out)) fail_msg("%s: HTML differs", c->name);
    if (!strstr(junit, c->out)) fail_msg("%s: JUnit differs", c->name);
    if (strcmp(json, c->out) != 0) fail_msg("%s: findings.json differs", c->name);
    if (strcmp(pdf, c->out) != 0) fail_msg("%s: PDF text differs", c->name);
    if (strcmp(plain, c->out) != 0) fail_msg("%s: PDF plain text differs", c->name);
    free(html);
    free(junit);
    free(json);
    free(pdf);
    free(plain);
    ecr_fixture_free(&fx);
  }
}

/* The PDF's own rule stays its own: a font without U+FFFD shows the
 * replacement as [U+FFFD], still one per maximal subpart. */
static void pdf_without_replacement_glyph(void **state) {
  (void)state;
  char *pdf = pdf_drawn("a\xF1\x80\x80"
                        "b",
                        false);
  assert_string_equal(pdf, "a[U+FFFD]b");
  free(pdf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(decoder_lengths_and_flags),
      cmocka_unit_test(unicode_tables_repair),
      cmocka_unit_test(encode_round_trip),
      cmocka_unit_test(every_format_same_replacement),
      cmocka_unit_test(pdf_without_replacement_glyph),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
