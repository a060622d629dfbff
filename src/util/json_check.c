/* The JSON rules of DESIGN.md that cJSON does not enforce: no object with
 * two equal keys (cJSON keeps the first, jq and Python the last, so a second
 * "UserDetailList" would change what is audited) and no U+0000 in a string
 * (cJSON stops the C string there: "user/alice\u0000mallory" would become
 * "user/alice").
 *
 * One linear pass over the raw text: keys are decoded (so "a" and "\u0061"
 * are the same key, as for every other JSON reader) into one arena and kept
 * in one open-addressing hash table keyed by (object number, key). Syntax
 * errors are left to the parser, but for a \u escape without four hex
 * digits: cJSON accepts it as U+0000 (found by fuzz_json_check). */
#include "util/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct key_slot {
  uint64_t obj;    /* 0: empty */
  size_t off, len; /* in the arena */
  size_t at;       /* offset of the key in the text */
} key_slot;

typedef struct frame {
  uint64_t obj; /* 0 for an array */
  bool expect_key;
} frame;

typedef struct scan {
  const char *data;
  size_t len;
  ecr_buf arena;
  key_slot *slots;
  size_t cap, used;
} scan;

static uint64_t hash_key(uint64_t obj, const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull ^ (obj * 0x9e3779b97f4a7c15ull);
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

static void table_grow(scan *S) {
  size_t ncap = S->cap ? S->cap * 2 : 256;
  key_slot *n = ecr_xcalloc(ncap, sizeof(key_slot));
  for (size_t i = 0; i < S->cap; i++) {
    key_slot *k = &S->slots[i];
    if (!k->obj) continue;
    size_t j = (size_t)hash_key(k->obj, S->arena.data + k->off, k->len) & (ncap - 1);
    while (n[j].obj) j = (j + 1) & (ncap - 1);
    n[j] = *k;
  }
  free(S->slots);
  S->slots = n;
  S->cap = ncap;
}

/* Insert the key just appended to the arena at off; the offset in the text of
 * an earlier equal key of the same object, or SIZE_MAX when it is new. */
static size_t table_insert(scan *S, uint64_t obj, size_t off, size_t at) {
  if ((S->used + 1) * 2 > S->cap) table_grow(S);
  size_t n = S->arena.len - off;
  const char *key = S->arena.data + off;
  size_t j = (size_t)hash_key(obj, key, n) & (S->cap - 1);
  while (S->slots[j].obj) {
    key_slot *k = &S->slots[j];
    if (k->obj == obj && k->len == n && memcmp(S->arena.data + k->off, key, n) == 0) {
      S->arena.len = off; /* not kept */
      return k->at;
    }
    j = (j + 1) & (S->cap - 1);
  }
  S->slots[j] = (key_slot){obj, off, n, at};
  S->used++;
  return SIZE_MAX;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static long hex4(const char *p, const char *end) {
  if (end - p < 4) return -1;
  long v = 0;
  for (int i = 0; i < 4; i++) {
    int h = hexval(p[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

static void put_utf8(ecr_buf *b, unsigned long cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xc0 | (cp >> 6));
    u[1] = (char)(0x80 | (cp & 0x3f));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xe0 | (cp >> 12));
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    u[2] = (char)(0x80 | (cp & 0x3f));
    n = 3;
  } else {
    u[0] = (char)(0xf0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    u[3] = (char)(0x80 | (cp & 0x3f));
    n = 4;
  }
  ecr_buf_append(b, u, n);
}

/* Scan the string starting at the quote at *i; *i ends on the closing quote
 * (or len). Decodes into S->arena when key. Returns false with *bad set to
 * the offset of a \u0000 escape or of an invalid \u escape (*bad_escape). */
static bool scan_string(scan *S, size_t *i, bool key, size_t *bad, bool *bad_escape) {
  const char *d = S->data, *end = S->data + S->len;
  size_t k = *i + 1;
  size_t run = k; /* start of the bytes not yet copied */
  while (k < S->len && d[k] != '"') {
    if (d[k] != '\\') {
      k++;
      continue;
    }
    if (key && k > run) ecr_buf_append(&S->arena, d + run, k - run);
    if (k + 1 >= S->len) {
      k = S->len;
      run = k;
      break;
    }
    char e = d[k + 1];
    if (e == 'u') {
      long cp = hex4(d + k + 2, end);
      if (cp <= 0) { /* \u0000, or a \u without four hex digits: cJSON reads
                      * both as U+0000 and ends the string there */
        *bad = k;
        *bad_escape = cp < 0;
        return false;
      }
      k += 6;
      if (cp >= 0xd800 && cp < 0xdc00 && k + 1 < S->len && d[k] == '\\' && d[k + 1] == 'u') {
        long lo = hex4(d + k + 2, end);
        if (lo >= 0xdc00 && lo < 0xe000) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          k += 6;
        }
      }
      if (key) put_utf8(&S->arena, (unsigned long)cp);
    } else {
      if (key) {
        char c = e == 'n'   ? '\n'
                 : e == 't' ? '\t'
                 : e == 'r' ? '\r'
                 : e == 'b' ? '\b'
                 : e == 'f' ? '\f'
                            : e;
        ecr_buf_putc(&S->arena, c);
      }
      k += 2;
    }
    run = k;
  }
  if (k > S->len) k = S->len;
  if (key && k > run) ecr_buf_append(&S->arena, d + run, k - run);
  *i = k;
  return true;
}

/* A short, printable form of a key for a message. */
static void show_key(const char *s, size_t n, char *out, size_t size) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 4 < size; i++) {
    unsigned char c = (unsigned char)s[i];
    out[o++] = (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? (char)c : '?';
  }
  if (o + 4 >= size && n > o) {
    out[o++] = '.';
    out[o++] = '.';
    out[o++] = '.';
  }
  out[o] = '\0';
}

bool ecr_json_check(const char *data, size_t len, size_t *off, size_t *first, char *msg,
                    size_t msg_size) {
  scan S = {data, len, {0}, NULL, 0, 0};
  ecr_buf_init(&S.arena);
  ecr_buf_putc(&S.arena, 'x'); /* never a NULL arena, even for empty keys */
  S.arena.len = 0;
  frame *stack = NULL;
  size_t depth = 0, cap = 0;
  uint64_t next_obj = 0;
  bool ok = true;
  *off = 0;
  if (first) *first = SIZE_MAX;
  for (size_t i = 0; i < len && ok; i++) {
    char c = data[i];
    frame *top = depth ? &stack[depth - 1] : NULL;
    switch (c) {
    case '{': ECR_PUSH(stack, depth, cap, ((frame){++next_obj, true})); break;
    case '[': ECR_PUSH(stack, depth, cap, ((frame){0, false})); break;
    case '}':
    case ']':
      if (depth) depth--;
      break;
    case ',':
      if (top && top->obj) top->expect_key = true;
      break;
    case ':':
      if (top && top->obj) top->expect_key = false;
      break;
    case '"': {
      bool key = top && top->obj && top->expect_key;
      size_t start = i, bad = 0, koff = S.arena.len;
      bool bad_escape = false;
      if (!scan_string(&S, &i, key, &bad, &bad_escape)) {
        *off = bad;
        snprintf(msg, msg_size, "%s",
                 bad_escape ? "invalid \\u escape (four hex digits expected) in a string"
                            : "U+0000 (\\u0000) in a string");
        ok = false;
        break;
      }
      if (key) {
        top->expect_key = false;
        size_t prev = table_insert(&S, top->obj, koff, start);
        if (prev != SIZE_MAX) {
          char shown[64];
          size_t klen = 0;
          /* the duplicate was dropped from the arena: decode it again */
          size_t j = start;
          size_t mark = S.arena.len;
          scan_string(&S, &j, true, &bad, &bad_escape);
          klen = S.arena.len - mark;
          show_key(S.arena.data + mark, klen, shown, sizeof(shown));
          *off = start;
          if (first) *first = prev;
          snprintf(msg, msg_size, "duplicate key \"%s\" in one object", shown);
          ok = false;
        }
      }
      break;
    }
    default: break;
    }
  }
  free(stack);
  free(S.slots);
  ecr_buf_cleanup(&S.arena);
  return ok;
}
