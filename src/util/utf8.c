/* UTF-8: the one decoder and the one replacement rule.
 *
 * Every format (HTML, JUnit, findings.json, ASFF, PDF) and every input check
 * (evidence files, the exceptions ledger, URL-decoded policies) decodes with
 * ecr_utf8_next(). What is well-formed is Unicode's Table 3-7 (Unicode 15,
 * §3.9): no overlong forms, no encoded surrogates, nothing above U+10FFFF.
 *
 * The replacement rule, for every format: each *maximal subpart* of an
 * ill-formed sequence becomes one U+FFFD ("U+FFFD Substitution of Maximal
 * Subparts", Unicode 15 §3.9, Tables 3-8 to 3-12; the WHATWG Encoding
 * standard's UTF-8 decoder, cmark's utf8.c and Python's errors="replace" do
 * the same). A maximal subpart is the longest prefix of a well-formed
 * sequence found at that position, or one byte when no sequence starts
 * there: "E2 82 41" is one U+FFFD then 'A', "C0 AF" two U+FFFD.
 *
 * A format then keeps only its own list of characters it cannot carry (XML
 * 1.0 controls, bidi controls shown as [U+XXXX], the PDF font's missing
 * glyphs); that list works on decoded code points, never on bytes.
 */
#include <string.h>

#include "util/util.h"

size_t ecr_utf8_next(const char *str, size_t len, uint32_t *cp, bool *valid) {
  const unsigned char *s = (const unsigned char *)str;
  *cp = ECR_UTF8_REPLACEMENT_CP;
  *valid = false;
  if (len == 0) return 0;
  unsigned c = s[0];
  if (c < 0x80) {
    *cp = c;
    *valid = true;
    return 1;
  }
  size_t need;
  unsigned lo = 0x80, hi = 0xBF; /* the second byte's range (Table 3-7) */
  uint32_t v;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1, v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2, v = c & 0x0F;
    if (c == 0xE0) lo = 0xA0; /* no overlongs */
    if (c == 0xED) hi = 0x9F; /* no surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3, v = c & 0x07;
    if (c == 0xF0) lo = 0x90; /* no overlongs */
    if (c == 0xF4) hi = 0x8F; /* nothing above U+10FFFF */
  } else {
    return 1; /* a continuation byte, C0/C1 (always overlong), F5..FF */
  }
  for (size_t i = 1; i <= need; i++) {
    if (i >= len) return i; /* truncated: the prefix is the maximal subpart */
    unsigned b = s[i];
    if (b < lo || b > hi) return i;
    v = (v << 6) | (b & 0x3F);
    lo = 0x80, hi = 0xBF;
  }
  *cp = v;
  *valid = true;
  return need + 1;
}

size_t ecr_utf8_first_invalid(const char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint32_t cp;
    bool ok;
    size_t k = ecr_utf8_next(s + i, len - i, &cp, &ok);
    if (!ok) return i;
    i += k;
  }
  return len;
}

bool ecr_utf8_valid(const char *s, size_t len) {
  return ecr_utf8_first_invalid(s, len) == len;
}

void ecr_utf8_repair_append(ecr_buf *b, const char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    size_t bad = i + ecr_utf8_first_invalid(s + i, len - i);
    ecr_buf_append(b, s + i, bad - i);
    if (bad == len) break;
    uint32_t cp;
    bool ok;
    i = bad + ecr_utf8_next(s + bad, len - bad, &cp, &ok);
    ecr_buf_puts(b, ECR_UTF8_REPLACEMENT);
  }
}

char *ecr_utf8_repair(const char *s) {
  size_t len = strlen(s);
  if (ecr_utf8_valid(s, len)) return NULL;
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_utf8_repair_append(&b, s, len);
  return ecr_buf_steal(&b);
}

size_t ecr_utf8_encode(uint32_t cp, char out[4]) {
  unsigned char *o = (unsigned char *)out;
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = ECR_UTF8_REPLACEMENT_CP;
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | (cp >> 18));
  o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}
