/* PDF renderer: text mapping (what the embedded font can show), measuring
 * and line breaking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf_fontdef.h>

#include "render/pdf_internal.h"

void ecr_pdf_text_cleanup(pdf_text *t) {
  free(t->cp);
  t->cp = NULL;
  t->n = t->cap = 0;
}

void ecr_pdf_lines_cleanup(pdf_lines *l) {
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}

static void put(pdf_text *t, uint32_t c) {
  ECR_PUSH(t->cp, t->n, t->cap, c);
}

static void put_ascii(pdf_text *t, const char *s) {
  for (; *s; s++) put(t, (unsigned char)*s);
}

/* Characters shown as [U+XXXX] whatever the font: controls, and invisible
 * or direction-changing format characters (they could disguise text). */
static bool always_escape(uint32_t c) {
  if (c < 0x20 || (c >= 0x7F && c < 0xA0)) return true;
  if (c == 0xAD) return true; /* soft hyphen: invisible */
  if (ecr_is_bidi_control(c)) return true;
  if (c >= 0x200B && c <= 0x200F) return true;
  if (c >= 0x2028 && c <= 0x202E) return true;
  if (c >= 0x2060 && c <= 0x206F) return true;
  if (c == 0xFEFF || (c >= 0xFFF0 && c <= 0xFFFC) || c == 0xFFFE || c == 0xFFFF) return true;
  if (c >= 0xFE00 && c <= 0xFE0F) return true; /* variation selectors */
  if (c > 0xFFFF) return true;                 /* libharu's UTF-8 encoder is BMP-only */
  return false;
}

static bool font_has(pdf_ctx *ctx, int font, uint32_t c) {
  pdf_font *f = &ctx->f[font];
  if (c < 0x20) return false;
  if (!f->has[c]) {
    HPDF_UINT16 gid = f->def ? HPDF_TTFontDef_GetGlyphid(f->def, (HPDF_UINT16)c) : 0;
    f->has[c] = gid ? 1 : 2;
  }
  return f->has[c] == 1;
}

void ecr_pdf_text_map(pdf_ctx *ctx, int font, const char *s, pdf_text *out) {
  if (!s) return;
  const unsigned char *p = (const unsigned char *)s;
  size_t len = strlen(s);
  char esc[16];
  while (len) {
    uint32_t c;
    bool ok;
    /* ill-formed UTF-8: c = U+FFFD for the maximal subpart (utf8.c), then
       shown like any character: the glyph, or [U+FFFD] without one */
    size_t k = ecr_utf8_next((const char *)p, len, &c, &ok);
    if (c == '\n') {
      put(out, '\n');
    } else if (c == '\r') {
      if (!(len > 1 && p[1] == '\n')) put(out, '\n');
    } else if (c == '\t') {
      put_ascii(out, "    ");
    } else if (always_escape(c) || !font_has(ctx, font, c)) {
      snprintf(esc, sizeof(esc), "[U+%04X]", (unsigned)c);
      put_ascii(out, esc);
    } else {
      put(out, c);
    }
    p += k;
    len -= k;
  }
}

static double cp_width(pdf_ctx *ctx, int font, uint32_t c) {
  pdf_font *f = &ctx->f[font];
  if (c > 0xFFFF || c == '\n') return 0;
  if (f->width[c] < 0) {
    HPDF_INT w = HPDF_Font_GetUnicodeWidth(f->font, (HPDF_UNICODE)c);
    f->width[c] = (int16_t)(w < 0 ? 0 : (w > 4000 ? 4000 : w));
  }
  return f->width[c];
}

double ecr_pdf_text_width(pdf_ctx *ctx, int font, double size, const uint32_t *cp, size_t n) {
  double w = 0;
  for (size_t i = 0; i < n; i++) w += cp_width(ctx, font, cp[i]);
  return w * size / 1000.0;
}

/* Where a word too long for a line may break: 2 after separators of ARNs,
 * paths and JSON, 1 after '-', '.', '_', '@', 0 nowhere. */
static int soft_break_after(uint32_t c) {
  switch (c) {
  case '/':
  case ':':
  case ',':
  case ';':
  case '=':
  case '&':
  case '?':
  case '|':
  case '}':
  case ']':
  case ')':
  case '>': return 2;
  case '-':
  case '.':
  case '_':
  case '@': return 1;
  default: return 0;
  }
}

static void push_line(pdf_lines *out, size_t start, size_t end, double width) {
  pdf_line l = {start, end, width};
  ECR_PUSH(out->v, out->n, out->cap, l);
}

void ecr_pdf_text_wrap(pdf_ctx *ctx, int font, double size, const pdf_text *t, double width,
                       bool keep_spaces, pdf_lines *out) {
  out->n = 0;
  const double scale = size / 1000.0;
  if (width < size) width = size; /* at least one character per line */
  size_t i = 0;
  while (i < t->n) {
    size_t start = i;
    if (!keep_spaces)
      while (start < t->n && t->cp[start] == ' ') start++;
    double w = 0;
    size_t j = start;
    size_t space_brk = 0, strong_brk = 0, weak_brk = 0; /* candidate line ends, 0 = none */
    while (j < t->n && t->cp[j] != '\n') {
      uint32_t c = t->cp[j];
      double cw = cp_width(ctx, font, c) * scale;
      if (w + cw > width && j > start) break;
      if (c == ' ') space_brk = j;
      w += cw;
      j++;
      if (j < t->n && t->cp[j] != ' ') {
        int kind = soft_break_after(c);
        if (kind == 2) strong_brk = j;
        if (kind == 1) weak_brk = j;
      }
    }
    size_t soft_brk = strong_brk > space_brk ? strong_brk : weak_brk;
    size_t end;
    if (j >= t->n || t->cp[j] == '\n') {
      end = j;
      i = j + 1; /* past the '\n' (or the end) */
    } else {
      /* Overflow at j. Break at the last space unless the word after it
       * is wider than a whole line; such a word (an ARN, a JSON document)
       * is broken after a '/', ':', ',' ... or, failing that, anywhere. */
      if (space_brk > start) {
        double ww = 0;
        for (size_t k = space_brk + 1; k < t->n && t->cp[k] != ' ' && t->cp[k] != '\n'; k++) {
          ww += cp_width(ctx, font, t->cp[k]) * scale;
          if (ww > width) break;
        }
        if (ww <= width)
          end = space_brk;
        else if (soft_brk > space_brk)
          end = soft_brk;
        else
          end = j;
      } else {
        end = soft_brk > start ? soft_brk : j;
      }
      i = end;
      if (keep_spaces && i < t->n && t->cp[i] == ' ') i++; /* the space at the break */
    }
    size_t trim = end;
    if (!keep_spaces)
      while (trim > start && t->cp[trim - 1] == ' ') trim--;
    push_line(out, start, trim, ecr_pdf_text_width(ctx, font, size, t->cp + start, trim - start));
  }
  if (out->n == 0) push_line(out, 0, 0, 0);
}

char *ecr_pdf_text_plain(const char *s, size_t max_chars) {
  ecr_buf b;
  ecr_buf_init(&b);
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  size_t len = strlen((const char *)p), chars = 0;
  while (len && chars < max_chars) {
    uint32_t c;
    bool ok;
    size_t k = ecr_utf8_next((const char *)p, len, &c, &ok);
    if (!ok)
      ecr_buf_puts(&b, ECR_UTF8_REPLACEMENT); /* one per maximal subpart (utf8.c) */
    else if (c == '\n' || c == '\r' || c == '\t')
      ecr_buf_putc(&b, ' ');
    else if (always_escape(c))
      ecr_buf_printf(&b, "[U+%04X]", (unsigned)c);
    else
      ecr_buf_append(&b, p, k);
    p += k;
    len -= k;
    chars++;
  }
  if (len) ecr_buf_puts(&b, "\xe2\x80\xa6");
  return ecr_buf_steal(&b);
}
