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
  size_t off, len; /* in big_arena */
  size_t at;       /* offset of the key in the text */
} key_slot;

/* A key of an open object: its bytes are the text itself (off into data)
 * when it holds no escape, else decoded into the arena. */
typedef struct key_ref {
  size_t off, len;
  size_t at; /* offset of the key in the text */
  bool decoded;
} key_ref;

typedef struct frame {
  uint64_t obj; /* 0 for an array */
  bool expect_key;
  bool big;                     /* its keys are in the hash table */
  size_t key_first, arena_mark; /* where its keys start on the key stack */
} frame;

/* Objects up to this many keys are checked by comparing each new key with
 * the others (most objects of a bundle have a handful); a larger object's
 * keys go into one hash table, so a hostile object of a million keys stays
 * linear. */
#define SMALL_OBJECT 16

typedef struct scan {
  const char *data;
  size_t len;
  ecr_buf arena; /* decoded keys of the open objects (a stack) */
  key_ref *keys; /* keys of the open small objects (a stack) */
  size_t n_keys, cap_keys;
  ecr_buf big_arena; /* keys of the large objects */
  key_slot *slots;
  size_t cap, used;
  bool fast;             /* ecr_json_check_fast: also NUL, UTF-8 and depth */
  size_t longest_string; /* bytes of the longest string token (fast) */
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
    size_t j = (size_t)hash_key(k->obj, S->big_arena.data + k->off, k->len) & (ncap - 1);
    while (n[j].obj) j = (j + 1) & (ncap - 1);
    n[j] = *k;
  }
  free(S->slots);
  S->slots = n;
  S->cap = ncap;
}

/* Insert key (n bytes) of object obj; the offset in the text of an earlier
 * equal key of the same object, or SIZE_MAX when it is new. */
static size_t table_insert(scan *S, uint64_t obj, const char *key, size_t n, size_t at) {
  if ((S->used + 1) * 2 > S->cap) table_grow(S);
  size_t j = (size_t)hash_key(obj, key, n) & (S->cap - 1);
  while (S->slots[j].obj) {
    key_slot *k = &S->slots[j];
    if (k->obj == obj && k->len == n && memcmp(S->big_arena.data + k->off, key, n) == 0)
      return k->at;
    j = (j + 1) & (S->cap - 1);
  }
  size_t off = S->big_arena.len;
  ecr_buf_append(&S->big_arena, key, n);
  S->slots[j] = (key_slot){obj, off, n, at};
  S->used++;
  return SIZE_MAX;
}

static const char *key_bytes(const scan *S, const key_ref *k) {
  return (k->decoded ? S->arena.data : S->data) + k->off;
}

/* Add key k to the object of frame f; the offset in the text of an earlier
 * equal key of that object, or SIZE_MAX when it is new. */
static size_t key_add(scan *S, frame *f, const key_ref *k) {
  const char *kb = key_bytes(S, k);
  if (f->big) {
    size_t prev = table_insert(S, f->obj, kb, k->len, k->at);
    if (k->decoded && prev == SIZE_MAX) S->arena.len = k->off; /* copied: not kept twice */
    return prev;
  }
  for (size_t j = f->key_first; j < S->n_keys; j++) {
    const key_ref *o = &S->keys[j];
    if (o->len == k->len && memcmp(key_bytes(S, o), kb, k->len) == 0) return o->at;
  }
  if (S->n_keys - f->key_first < SMALL_OBJECT) {
    ECR_PUSH(S->keys, S->n_keys, S->cap_keys, *k);
    return SIZE_MAX;
  }
  /* the object grows large: its keys move into the hash table */
  for (size_t j = f->key_first; j < S->n_keys; j++)
    table_insert(S, f->obj, key_bytes(S, &S->keys[j]), S->keys[j].len, S->keys[j].at);
  table_insert(S, f->obj, kb, k->len, k->at);
  S->n_keys = f->key_first;
  S->arena.len = f->arena_mark;
  f->big = true;
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

enum { STR_OK, STR_BAD, STR_BAIL };

/* Scan the string starting at the quote at *i; *i ends on the closing quote
 * (or len). A key is left in *k: its bytes in the text when it holds no
 * escape, else decoded into S->arena. Returns STR_BAD with *bad set to the
 * offset of a \u0000 escape or of an invalid \u escape (*bad_escape); with
 * S->fast, STR_BAIL at a NUL byte, invalid UTF-8 or an escaped non-ASCII byte
 * (left to the exact checks). */
static int scan_string(scan *S, size_t *i, bool key, key_ref *k, size_t *bad, bool *bad_escape) {
  const char *d = S->data, *end = S->data + S->len;
  const size_t len = S->len;
  size_t p = *i + 1;
  size_t run = p; /* start of the bytes not yet copied (decoded key) */
  bool decoded = false;
  if (key) *k = (key_ref){p, 0, *i, false};
  while (p < len) {
    unsigned char c = (unsigned char)d[p];
    if (c == '"') break;
    if (c != '\\') {
      if (S->fast && (c == 0 || c >= 0x80)) {
        if (c == 0) return STR_BAIL;
        uint32_t cp;
        bool valid;
        size_t n = ecr_utf8_next(d + p, len - p, &cp, &valid);
        if (!valid) return STR_BAIL;
        p += n;
        continue;
      }
      p++;
      continue;
    }
    if (key && !decoded) {
      decoded = true;
      k->off = S->arena.len;
      k->decoded = true;
    }
    if (key && p > run) ecr_buf_append(&S->arena, d + run, p - run);
    if (p + 1 >= len) {
      p = len;
      run = p;
      break;
    }
    char e = d[p + 1];
    if (S->fast && (e == 0 || (unsigned char)e >= 0x80)) return STR_BAIL;
    if (e == 'u') {
      long cp = hex4(d + p + 2, end);
      if (cp <= 0) { /* \u0000, or a \u without four hex digits: cJSON reads
                      * both as U+0000 and ends the string there */
        *bad = p;
        *bad_escape = cp < 0;
        return STR_BAD;
      }
      p += 6;
      if (cp >= 0xd800 && cp < 0xdc00 && p + 1 < len && d[p] == '\\' && d[p + 1] == 'u') {
        long lo = hex4(d + p + 2, end);
        if (lo >= 0xdc00 && lo < 0xe000) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          p += 6;
        }
      }
      if (key) put_utf8(&S->arena, (unsigned long)cp);
    } else {
      if (key) {
        char c2 = e == 'n'   ? '\n'
                  : e == 't' ? '\t'
                  : e == 'r' ? '\r'
                  : e == 'b' ? '\b'
                  : e == 'f' ? '\f'
                             : e;
        ecr_buf_putc(&S->arena, c2);
      }
      p += 2;
    }
    run = p;
  }
  if (p > len) p = len;
  if (key) {
    if (decoded) {
      if (p > run) ecr_buf_append(&S->arena, d + run, p - run);
      k->len = S->arena.len - k->off;
    } else {
      k->len = p - k->off;
    }
  }
  if (S->fast && p - *i > S->longest_string) S->longest_string = p - *i;
  *i = p;
  return STR_OK;
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

/* The scan of ecr_json_check; with S->fast (and depth_limit) it gives up,
 * returning false with an empty msg, where ecr_json_check_fast's other checks
 * would fail. */
static bool check(scan *S, long depth_limit, size_t *off, size_t *first, char *msg,
                  size_t msg_size) {
  const char *data = S->data;
  const size_t len = S->len;
  ecr_buf_init(&S->arena);
  ecr_buf_putc(&S->arena, 'x'); /* never a NULL arena, even for empty keys */
  S->arena.len = 0;
  ecr_buf_init(&S->big_arena);
  ecr_buf_putc(&S->big_arena, 'x');
  S->big_arena.len = 0;
  frame *stack = NULL;
  size_t depth = 0, cap = 0;
  long level = 0; /* as ecr_json_parse's depth scan counts it: may go below 0 */
  uint64_t next_obj = 0;
  bool ok = true;
  *off = 0;
  if (first) *first = SIZE_MAX;
  if (msg_size) msg[0] = '\0';
  for (size_t i = 0; i < len && ok; i++) {
    unsigned char c = (unsigned char)data[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') continue;
    frame *top = depth ? &stack[depth - 1] : NULL;
    switch (c) {
    case '{':
    case '[':
      if (++level > depth_limit && S->fast) {
        ok = false;
        break;
      }
      ECR_PUSH(stack, depth, cap,
               ((frame){c == '{' ? ++next_obj : 0, c == '{', false, S->n_keys, S->arena.len}));
      break;
    case '}':
    case ']':
      level--;
      if (depth) {
        depth--;
        S->n_keys = stack[depth].key_first;
        S->arena.len = stack[depth].arena_mark;
      }
      break;
    case ',':
      if (top && top->obj) top->expect_key = true;
      break;
    case ':':
      if (top && top->obj) top->expect_key = false;
      break;
    case '"': {
      bool key = top && top->obj && top->expect_key;
      size_t start = i, bad = 0;
      bool bad_escape = false;
      key_ref k;
      int r = scan_string(S, &i, key, &k, &bad, &bad_escape);
      if (r == STR_BAIL) {
        ok = false;
        break;
      }
      if (r == STR_BAD) {
        *off = bad;
        snprintf(msg, msg_size, "%s",
                 bad_escape ? "invalid \\u escape (four hex digits expected) in a string"
                            : "U+0000 (\\u0000) in a string");
        ok = false;
        break;
      }
      if (key) {
        top->expect_key = false;
        size_t prev = key_add(S, top, &k);
        if (prev != SIZE_MAX) {
          char shown[64];
          show_key(key_bytes(S, &k), k.len, shown, sizeof(shown));
          *off = start;
          if (first) *first = prev;
          snprintf(msg, msg_size, "duplicate key \"%s\" in one object", shown);
          ok = false;
        }
      }
      break;
    }
    default:
      if (S->fast && (c == 0 || c >= 0x80)) {
        uint32_t cp;
        bool valid;
        size_t n = c ? ecr_utf8_next(data + i, len - i, &cp, &valid) : 0;
        if (!c || !valid) {
          ok = false;
          break;
        }
        i += n - 1;
      }
      break;
    }
  }
  free(stack);
  free(S->keys);
  free(S->slots);
  ecr_buf_cleanup(&S->arena);
  ecr_buf_cleanup(&S->big_arena);
  return ok;
}

bool ecr_json_check(const char *data, size_t len, size_t *off, size_t *first, char *msg,
                    size_t msg_size) {
  scan S = {0};
  S.data = data;
  S.len = len;
  return check(&S, 0, off, first, msg, msg_size);
}

bool ecr_json_check_fast(const char *data, size_t len, long max_depth, size_t *longest_string) {
  scan S = {0};
  S.data = data;
  S.len = len;
  S.fast = true;
  size_t off, first;
  char msg[1];
  bool ok = check(&S, max_depth, &off, &first, msg, sizeof(msg));
  *longest_string = S.longest_string;
  return ok;
}
