/* A JSON scanner that validates and measures without building a tree
 * (org_internal.h): the merger reads thousands of findings.json files of a
 * few megabytes each, and a cJSON tree of each one (an allocation per
 * value) cost four times the rest of the merge. */
#include <stdlib.h>
#include <string.h>

#include "org/org_internal.h"
#include "util/util.h"

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

/* The keys of one object, for "no key twice" (DESIGN.md: every JSON input
 * is without duplicate object keys). Keys compare as written; a key with an
 * escape is counted in s->escaped_keys, and the caller then checks the
 * whole document exactly (ecr_json_check: "\u0061" is "a"). */
#define KEYSET_SMALL 16
typedef struct keyset {
  ecr_jspan small[KEYSET_SMALL];
  ecr_jspan *big; /* all keys once there are more than KEYSET_SMALL */
  size_t n, cap;
} keyset;

static bool key_eq(const char *d, ecr_jspan a, ecr_jspan b) {
  return a.len == b.len && memcmp(d + a.off, d + b.off, a.len) == 0;
}

static bool keyset_add(ecr_jscan *s, keyset *k, ecr_jspan key) {
  if (memchr(s->d + key.off, '\\', key.len)) s->escaped_keys++;
  if (k->n < KEYSET_SMALL) {
    for (size_t i = 0; i < k->n; i++)
      if (key_eq(s->d, k->small[i], key)) {
        s->pos = key.off;
        return bad(s, "duplicate key in one object");
      }
    k->small[k->n++] = key;
    return true;
  }
  if (!k->big) {
    k->cap = 4 * KEYSET_SMALL;
    k->big = ecr_xmalloc(k->cap * sizeof(ecr_jspan));
    memcpy(k->big, k->small, sizeof(k->small));
  }
  if (k->n == k->cap) {
    k->cap *= 2;
    k->big = ecr_xrealloc(k->big, k->cap * sizeof(ecr_jspan));
  }
  k->big[k->n++] = key;
  return true;
}

typedef struct key_ctx {
  const char *d;
  const ecr_jspan *keys;
} key_ctx;

static int cmp_key(const void *a, const void *b, void *ctx) {
  const key_ctx *k = ctx;
  const ecr_jspan *x = &k->keys[*(const size_t *)a], *y = &k->keys[*(const size_t *)b];
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(k->d + x->off, k->d + y->off, n);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Large objects: sorted once at the end. */
static bool keyset_end(ecr_jscan *s, keyset *k) {
  bool ok = true;
  if (k->big) {
    size_t *idx = ecr_xmalloc(k->n * sizeof(size_t));
    for (size_t i = 0; i < k->n; i++) idx[i] = i;
    key_ctx ctx = {s->d, k->big};
    ecr_sort_idx(idx, k->n, cmp_key, &ctx);
    for (size_t i = 1; i < k->n && ok; i++)
      if (key_eq(s->d, k->big[idx[i - 1]], k->big[idx[i]])) {
        size_t a = k->big[idx[i - 1]].off, b = k->big[idx[i]].off;
        s->pos = a > b ? a : b;
        ok = bad(s, "duplicate key in one object");
      }
    free(idx);
    free(k->big);
  }
  k->big = NULL;
  k->n = 0;
  return ok;
}

static bool container(ecr_jscan *s, int depth, bool obj) {
  if (depth > ECR_JSCAN_MAX_DEPTH) return bad(s, "nesting too deep");
  s->pos++;
  ws(s);
  char close = obj ? '}' : ']';
  if (s->pos < s->end && s->d[s->pos] == close) {
    s->pos++;
    return true;
  }
  keyset keys;
  keys.n = 0;
  keys.big = NULL;
  bool ok = true;
  for (;;) {
    if (obj) {
      ecr_jspan key = {s->pos, 0};
      if (s->pos >= s->end || s->d[s->pos] != '"') {
        ok = bad(s, "an object key expected");
        break;
      }
      if (!(ok = string(s))) break;
      key.len = s->pos - key.off;
      if (!(ok = keyset_add(s, &keys, key))) break;
      ws(s);
      if (s->pos >= s->end || s->d[s->pos] != ':') {
        ok = bad(s, "':' expected");
        break;
      }
      s->pos++;
    }
    if (!(ok = value(s, depth + 1))) break;
    ws(s);
    if (s->pos >= s->end) {
      ok = bad(s, "an unterminated object or array");
      break;
    }
    char c = s->d[s->pos];
    if (c == ',') {
      s->pos++;
      ws(s);
      continue;
    }
    if (c == close) {
      s->pos++;
      break;
    }
    ok = bad(s, obj ? "',' or '}' expected" : "',' or ']' expected");
    break;
  }
  size_t at = s->pos;
  bool unique = keyset_end(s, &keys);
  if (ok && unique) s->pos = at;
  return ok && unique;
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

static bool each_members(ecr_jscan *s, const char *data, bool obj, char close, ecr_jscan_cb cb,
                         void *ctx, keyset *keys);
static bool push_members(ecr_jscan *s, const char *data, bool obj, char close, ecr_jscan_push_cb cb,
                         void *ctx, keyset *keys);

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
  keyset keys;
  keys.n = 0;
  keys.big = NULL;
  bool ok = each_members(s, data, obj, close, cb, ctx, &keys);
  size_t at = s->pos;
  bool unique = keyset_end(s, &keys);
  if (ok && unique) s->pos = at;
  return ok && unique;
}

static bool each_members(ecr_jscan *s, const char *data, bool obj, char close, ecr_jscan_cb cb,
                         void *ctx, keyset *keys) {
  for (;;) {
    ecr_jspan key = {0, 0}, val;
    size_t ws0 = s->ws, odd0 = s->odd;
    if (obj) {
      key.off = s->pos;
      if (s->pos >= s->end || data[s->pos] != '"') return bad(s, "an object key expected");
      if (!string(s)) return false;
      key.len = s->pos - key.off;
      if (!keyset_add(s, keys, key)) return false;
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

static bool push_members(ecr_jscan *s, const char *data, bool obj, char close, ecr_jscan_push_cb cb,
                         void *ctx, keyset *keys);

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
  keyset keys;
  keys.n = 0;
  keys.big = NULL;
  bool ok = push_members(s, data, obj, close, cb, ctx, &keys);
  size_t at = s->pos;
  bool unique = keyset_end(s, &keys);
  if (ok && unique) s->pos = at;
  return ok && unique;
}

static bool push_members(ecr_jscan *s, const char *data, bool obj, char close, ecr_jscan_push_cb cb,
                         void *ctx, keyset *keys) {
  for (;;) {
    ecr_jspan key = {0, 0};
    if (obj) {
      key.off = s->pos;
      if (s->pos >= s->end || data[s->pos] != '"') return bad(s, "an object key expected");
      if (!string(s)) return false;
      key.len = s->pos - key.off;
      if (!keyset_add(s, keys, key)) return false;
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
