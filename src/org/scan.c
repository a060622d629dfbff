/* A JSON scanner that validates and measures without building a tree
 * (org_internal.h): the merger reads thousands of findings.json files of a
 * few megabytes each, and a cJSON tree of each one (an allocation per
 * value) cost four times the rest of the merge. */
#include <string.h>

#include "org/org_internal.h"

static void ws(ecr_jscan *s) {
  while (s->pos < s->end) {
    char c = s->d[s->pos];
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') break;
    s->pos++;
    s->ws++;
  }
}

static bool bad(ecr_jscan *s, const char *why) {
  if (!s->why) {
    s->why = why;
    s->err_pos = s->pos;
  }
  return false;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* bytes that end a run of plain string bytes: '"', '\\' and C0 */
static bool special(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

static bool string(ecr_jscan *s) {
  s->pos++; /* the opening quote */
  while (s->pos < s->end) {
    const unsigned char *u = (const unsigned char *)s->d;
    while (s->pos + 4 <= s->end && !special(u[s->pos]) && !special(u[s->pos + 1]) &&
           !special(u[s->pos + 2]) && !special(u[s->pos + 3]))
      s->pos += 4;
    while (s->pos < s->end && !special(u[s->pos])) s->pos++;
    if (s->pos >= s->end) break;
    unsigned char c = (unsigned char)s->d[s->pos];
    if (c == '"') {
      s->pos++;
      return true;
    }
    if (c < 0x20) return bad(s, "a control character in a string");
    if (c != '\\') {
      s->pos++;
      continue;
    }
    if (s->pos + 1 >= s->end) break;
    char e = s->d[s->pos + 1];
    if (e == 'u') {
      if (s->pos + 6 > s->end) return bad(s, "a \\u escape without four hex digits");
      int v = 0;
      for (int k = 0; k < 4; k++) {
        int h = hexval(s->d[s->pos + 2 + k]);
        if (h < 0) return bad(s, "a \\u escape without four hex digits");
        if (s->d[s->pos + 2 + k] >= 'A' && s->d[s->pos + 2 + k] <= 'F') s->odd++;
        v = v * 16 + h;
      }
      if (v == 0) return bad(s, "U+0000 in a string");
      /* the printer writes \u00XX for control characters only */
      if (v >= 0x20 || v == '\b' || v == '\f' || v == '\n' || v == '\r' || v == '\t') s->odd++;
      s->pos += 6;
    } else if (strchr("\"\\bfnrt", e) && e) {
      s->pos += 2;
    } else if (e == '/') {
      s->odd++;
      s->pos += 2;
    } else {
      return bad(s, "an invalid escape in a string");
    }
  }
  return bad(s, "an unterminated string");
}

static bool number(ecr_jscan *s) {
  size_t start = s->pos;
  if (s->d[s->pos] == '-') s->pos++;
  size_t int_start = s->pos;
  while (s->pos < s->end && s->d[s->pos] >= '0' && s->d[s->pos] <= '9') s->pos++;
  size_t digits = s->pos - int_start;
  if (digits == 0) return bad(s, "a malformed number");
  if (digits > 1 && s->d[int_start] == '0') return bad(s, "a number with a leading zero");
  bool plain = s->d[start] != '-' && digits <= 15;
  if (s->pos < s->end && s->d[s->pos] == '.') {
    s->pos++;
    size_t f = s->pos;
    while (s->pos < s->end && s->d[s->pos] >= '0' && s->d[s->pos] <= '9') s->pos++;
    if (s->pos == f) return bad(s, "a malformed number");
    plain = false;
  }
  if (s->pos < s->end && (s->d[s->pos] == 'e' || s->d[s->pos] == 'E')) {
    s->pos++;
    if (s->pos < s->end && (s->d[s->pos] == '+' || s->d[s->pos] == '-')) s->pos++;
    size_t f = s->pos;
    while (s->pos < s->end && s->d[s->pos] >= '0' && s->d[s->pos] <= '9') s->pos++;
    if (s->pos == f) return bad(s, "a malformed number");
    plain = false;
  }
  if (!plain) s->odd++;
  return true;
}

static bool literal(ecr_jscan *s, const char *word) {
  size_t n = strlen(word);
  if (s->end - s->pos < n || memcmp(s->d + s->pos, word, n) != 0)
    return bad(s, "an unexpected character");
  s->pos += n;
  return true;
}

static bool value(ecr_jscan *s, int depth);

static bool container(ecr_jscan *s, int depth, bool obj) {
  if (depth > ECR_JSCAN_MAX_DEPTH) return bad(s, "nesting too deep");
  s->pos++;
  ws(s);
  char close = obj ? '}' : ']';
  if (s->pos < s->end && s->d[s->pos] == close) {
    s->pos++;
    return true;
  }
  for (;;) {
    if (obj) {
      if (s->pos >= s->end || s->d[s->pos] != '"') return bad(s, "an object key expected");
      if (!string(s)) return false;
      ws(s);
      if (s->pos >= s->end || s->d[s->pos] != ':') return bad(s, "':' expected");
      s->pos++;
    }
    if (!value(s, depth + 1)) return false;
    ws(s);
    if (s->pos >= s->end) return bad(s, "an unterminated object or array");
    char c = s->d[s->pos];
    if (c == ',') {
      s->pos++;
      ws(s);
      continue;
    }
    if (c == close) {
      s->pos++;
      return true;
    }
    return bad(s, obj ? "',' or '}' expected" : "',' or ']' expected");
  }
}

static bool value(ecr_jscan *s, int depth) {
  ws(s);
  if (s->pos >= s->end) return bad(s, "a value expected");
  char c = s->d[s->pos];
  switch (c) {
  case '"': return string(s);
  case '{': return container(s, depth, true);
  case '[': return container(s, depth, false);
  case 't': return literal(s, "true");
  case 'f': return literal(s, "false");
  case 'n': return literal(s, "null");
  default:
    if (c == '-' || (c >= '0' && c <= '9')) return number(s);
    return bad(s, "an unexpected character");
  }
}

void ecr_jscan_init(ecr_jscan *s, const char *data, ecr_jspan range) {
  memset(s, 0, sizeof(*s));
  s->d = data;
  s->pos = range.off;
  s->end = range.off + range.len;
}

bool ecr_jscan_value(ecr_jscan *s, ecr_jspan *out, int depth) {
  ws(s);
  size_t start = s->pos;
  if (!value(s, depth)) return false;
  out->off = start;
  out->len = s->pos - start;
  return true;
}

bool ecr_jscan_document(ecr_jscan *s, ecr_jspan *out) {
  if (!ecr_jscan_value(s, out, 0)) return false;
  ws(s);
  if (s->pos != s->end) return bad(s, "text after the JSON value");
  return true;
}

/* Members of the object or elements of the array at span, validated as
 * they are read: each key (with its quotes; a zero span for arrays) and
 * value. */
bool ecr_jscan_each(const char *data, ecr_jspan span, ecr_jscan_cb cb, void *ctx, ecr_jscan *errs) {
  ecr_jscan local, *sp = errs ? errs : &local;
  ecr_jscan_init(sp, data, span);
  ecr_jscan *s = sp;
  ws(s);
  if (s->pos >= s->end || (data[s->pos] != '{' && data[s->pos] != '['))
    return bad(s, "an object or array expected");
  bool obj = data[s->pos] == '{';
  char close = obj ? '}' : ']';
  s->pos++;
  ws(s);
  if (s->pos < s->end && data[s->pos] == close) {
    s->pos++;
    return true;
  }
  for (;;) {
    ecr_jspan key = {0, 0}, val;
    size_t ws0 = s->ws, odd0 = s->odd;
    if (obj) {
      key.off = s->pos;
      if (s->pos >= s->end || data[s->pos] != '"') return bad(s, "an object key expected");
      if (!string(s)) return false;
      key.len = s->pos - key.off;
      ws(s);
      if (s->pos >= s->end || data[s->pos] != ':') return bad(s, "':' expected");
      s->pos++;
    }
    if (!ecr_jscan_value(s, &val, 1)) return false;
    bool canonical = s->ws == ws0 && s->odd == odd0;
    if (!cb(ctx, key, val, canonical)) return false;
    ws(s);
    if (s->pos >= s->end) return bad(s, "an unterminated object or array");
    if (data[s->pos] == close) {
      s->pos++;
      return true;
    }
    if (data[s->pos] != ',') return bad(s, obj ? "',' or '}' expected" : "',' or ']' expected");
    s->pos++;
    ws(s);
  }
}

bool ecr_jspan_is(const char *data, ecr_jspan span, const char *text) {
  size_t n = strlen(text);
  return span.len == n && memcmp(data + span.off, text, n) == 0;
}

bool ecr_jscan_members(ecr_jscan *s, ecr_jscan_push_cb cb, void *ctx) {
  const char *data = s->d;
  ws(s);
  if (s->pos >= s->end || (data[s->pos] != '{' && data[s->pos] != '['))
    return bad(s, "an object or array expected");
  bool obj = data[s->pos] == '{';
  char close = obj ? '}' : ']';
  s->pos++;
  ws(s);
  if (s->pos < s->end && data[s->pos] == close) {
    s->pos++;
    return true;
  }
  for (;;) {
    ecr_jspan key = {0, 0};
    if (obj) {
      key.off = s->pos;
      if (s->pos >= s->end || data[s->pos] != '"') return bad(s, "an object key expected");
      if (!string(s)) return false;
      key.len = s->pos - key.off;
      ws(s);
      if (s->pos >= s->end || data[s->pos] != ':') return bad(s, "':' expected");
      s->pos++;
    }
    ws(s);
    if (!cb(ctx, s, key)) return false;
    ws(s);
    if (s->pos >= s->end) return bad(s, "an unterminated object or array");
    if (data[s->pos] == close) {
      s->pos++;
      return true;
    }
    if (data[s->pos] != ',') return bad(s, obj ? "',' or '}' expected" : "',' or ']' expected");
    s->pos++;
    ws(s);
  }
}

bool ecr_jscan_at_end(ecr_jscan *s) {
  ws(s);
  if (s->pos != s->end) return bad(s, "text after the JSON value");
  return true;
}
