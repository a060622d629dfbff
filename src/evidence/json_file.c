#include "evidence/json_file.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/evidence.h"
#include "util/util.h"

/* Depth check before cJSON recurses: cJSON's own limit is 1000; we refuse
 * documents nested deeper than ECR_MAX_JSON_DEPTH with a clear message. */
static long scan_depth(const char *data, size_t len, size_t *at) {
  long depth = 0, max = 0;
  bool in_str = false;
  for (size_t i = 0; i < len; i++) {
    char c = data[i];
    if (in_str) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"')
      in_str = true;
    else if (c == '{' || c == '[') {
      if (++depth > max) {
        max = depth;
        if (max > ECR_MAX_JSON_DEPTH) {
          *at = i;
          return max;
        }
      }
    } else if (c == '}' || c == ']')
      depth--;
  }
  return max;
}

/* A string value or key longer than ECR_MAX_STRING (nesting is bounded by
 * ECR_MAX_JSON_DEPTH, so the recursion is too). */
static bool too_long(const cJSON *v, const cJSON **which) {
  if ((v->string && strlen(v->string) > ECR_MAX_STRING) ||
      (cJSON_IsString(v) && v->valuestring && strlen(v->valuestring) > ECR_MAX_STRING)) {
    *which = v;
    return true;
  }
  for (const cJSON *c = v->child; c; c = c->next)
    if (too_long(c, which)) return true;
  return false;
}

static void position(const char *data, size_t off, long *line, long *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++) {
    if (data[i] == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}

/* ---- trees in one arena ----------------------------------------------------
 * A bundle's trees are read, copied into the model and dropped: one malloc
 * per node and string, then one free each (and glibc's consolidation of a
 * million small chunks at the next large allocation) cost more than the
 * parse. ecr_json_read_file_arena's tree lives in a few large blocks
 * instead, allocated while this thread parses (cJSON's hooks consult a
 * thread-local arena; with none they are malloc and free) and released
 * at once by ecr_json_free. */
typedef struct json_arena {
  char **blocks;
  size_t *sizes;
  size_t n, cap;
  char *cur;
  size_t left, next_size;
} json_arena;

#define ARENA_FIRST_BLOCK (256u * 1024u)
#define ARENA_MAX_BLOCK (64u * 1024u * 1024u)

static _Thread_local json_arena *active_arena;

static void *hook_malloc(size_t n) {
  json_arena *a = active_arena;
  if (!a) return malloc(n);
  n = (n + 15u) & ~(size_t)15u;
  if (n > a->left) {
    size_t size = a->next_size;
    if (size < n) size = n;
    char *b = malloc(size);
    if (!b) return NULL; /* cJSON reports the failure */
    if (a->n == a->cap) {
      a->cap = a->cap ? a->cap * 2 : 8;
      a->blocks = ecr_xrealloc(a->blocks, a->cap * sizeof(*a->blocks));
      a->sizes = ecr_xrealloc(a->sizes, a->cap * sizeof(*a->sizes));
    }
    a->blocks[a->n] = b;
    a->sizes[a->n++] = size;
    a->cur = b;
    a->left = size;
    if (a->next_size < ARENA_MAX_BLOCK) a->next_size *= 2;
  }
  void *p = a->cur;
  a->cur += n;
  a->left -= n;
  return p;
}

/* cJSON frees while it parses only what it then drops (a failed parse):
 * memory of the active arena is released with the arena. */
static void hook_free(void *p) {
  json_arena *a = active_arena;
  if (a && p) {
    uintptr_t u = (uintptr_t)p;
    for (size_t i = 0; i < a->n; i++)
      if (u >= (uintptr_t)a->blocks[i] && u < (uintptr_t)a->blocks[i] + a->sizes[i]) return;
  }
  free(p);
}

static void install_hooks(void) {
  cJSON_Hooks h = {hook_malloc, hook_free};
  cJSON_InitHooks(&h);
}

static void arena_release(json_arena *a) {
  for (size_t i = 0; i < a->n; i++) free(a->blocks[i]);
  free(a->blocks);
  free(a->sizes);
  free(a);
}

/* The trees ecr_json_read_file_arena returned and not yet freed, with
 * their arenas (a handful at a time: a loader holds a few trees). */
typedef struct arena_tree {
  const cJSON *root;
  json_arena *arena;
} arena_tree;
static pthread_mutex_t trees_lock = PTHREAD_MUTEX_INITIALIZER;
static arena_tree *trees;
static size_t n_trees, cap_trees;

static void trees_add(const cJSON *root, json_arena *a) {
  pthread_mutex_lock(&trees_lock);
  ECR_PUSH(trees, n_trees, cap_trees, ((arena_tree){root, a}));
  pthread_mutex_unlock(&trees_lock);
}

static json_arena *trees_take(const cJSON *root) {
  json_arena *a = NULL;
  pthread_mutex_lock(&trees_lock);
  for (size_t i = 0; i < n_trees; i++)
    if (trees[i].root == root) {
      a = trees[i].arena;
      trees[i] = trees[--n_trees];
      break;
    }
  if (n_trees == 0) {
    free(trees);
    trees = NULL;
    cap_trees = 0;
  }
  pthread_mutex_unlock(&trees_lock);
  return a;
}

void ecr_json_free(cJSON *tree) {
  if (!tree) return;
  json_arena *a = trees_take(tree);
  if (a)
    arena_release(a);
  else
    cJSON_Delete(tree);
}

/* The checks before cJSON: one pass says yes to all of them in the common
 * case; when it does not, they run one by one, in this order, for the
 * message. *longest: bytes of the longest string token (SIZE_MAX: unknown). */
static ecr_status pre_checks(const char *data, size_t len, const char *rel, size_t *longest,
                             ecr_error *err) {
  if (ecr_json_check_fast(data, len, ECR_MAX_JSON_DEPTH, longest)) return ECR_OK;
  *longest = SIZE_MAX;
  long line, col;
  size_t at = 0;
  if (memchr(data, '\0', len)) {
    position(data, (size_t)((const char *)memchr(data, '\0', len) - data), &line, &col);
    return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col, "invalid JSON: NUL byte");
  }
  if (scan_depth(data, len, &at) > ECR_MAX_JSON_DEPTH) {
    position(data, at, &line, &col);
    return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col, "JSON nested deeper than %d levels",
                            ECR_MAX_JSON_DEPTH);
  }
  size_t bad_at = ecr_utf8_first_invalid(data, len);
  if (bad_at < len) {
    position(data, bad_at, &line, &col);
    return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col, "invalid UTF-8");
  }
  char why[160];
  size_t first = SIZE_MAX;
  if (!ecr_json_check(data, len, &at, &first, why, sizeof(why))) {
    position(data, at, &line, &col);
    if (first != SIZE_MAX) {
      long fl, fc;
      position(data, first, &fl, &fc);
      return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col,
                              "invalid JSON: %s (first at line %ld, column %ld)", why, fl, fc);
    }
    return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col, "invalid JSON: %s", why);
  }
  return ECR_OK;
}

/* cJSON's parse of data (after a BOM); with arena (not NULL), the tree is
 * allocated there. *end: where cJSON stopped. */
static cJSON *cjson_parse(const char *data, size_t len, json_arena *arena, const char **end) {
  const char *p = data;
  if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3; /* BOM */
  *end = NULL;
  active_arena = arena;
  /* data is NUL-terminated; with no NUL byte inside (pre_checks), this is
   * cJSON_ParseWithOpts(p, end, true) without its strlen */
  cJSON *v = cJSON_ParseWithLengthOpts(p, len - (size_t)(p - data) + 1, end, true);
  active_arena = NULL;
  return v;
}

/* The error of a failed parse (v NULL), or the string length limit. */
static ecr_status finish(const char *data, size_t len, const char *rel, cJSON *v, const char *end,
                         size_t longest, json_arena *arena, cJSON **out, ecr_error *err) {
  long line, col;
  if (!v) {
    size_t off = end ? (size_t)(end - data) : len;
    if (off > len) off = len;
    position(data, off, &line, &col);
    if (off >= len)
      return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col,
                              "invalid JSON: unexpected end of file (truncated?)");
    return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col, "invalid JSON (byte offset %zu)",
                            off);
  }
  const cJSON *which = NULL;
  /* no string token longer than the limit: no decoded string is */
  if (longest > ECR_MAX_STRING && too_long(v, &which)) {
    size_t n = which->valuestring ? strlen(which->valuestring) : strlen(which->string);
    if (!arena) cJSON_Delete(v);
    return ecr_error_set(err, ECR_E_INPUT, rel,
                         "a string of %zu bytes exceeds the %u KiB limit for one value", n,
                         ECR_MAX_STRING / 1024u);
  }
  *out = v;
  return ECR_OK;
}

/* ecr_json_parse; with arena (not NULL), cJSON allocates the tree there. */
static ecr_status parse(const char *data, size_t len, const char *rel, cJSON **out,
                        json_arena *arena, ecr_error *err) {
  *out = NULL;
  size_t longest = SIZE_MAX;
  ecr_status st = pre_checks(data, len, rel, &longest, err);
  if (st != ECR_OK) return st;
  const char *end = NULL;
  cJSON *v = cjson_parse(data, len, arena, &end);
  return finish(data, len, rel, v, end, longest, arena, out, err);
}

ecr_status ecr_json_parse(const char *data, size_t len, const char *rel, cJSON **out,
                          ecr_error *err) {
  return parse(data, len, rel, out, NULL, err);
}

/* A file this large is hashed and checked on a second thread while cJSON
 * parses it (smaller ones are not worth a thread). */
#define SIDE_THREAD_MIN (256u * 1024u)

typedef struct side_job {
  const char *data;
  size_t len;
  char *sha256; /* NULL: not wanted */
  bool ok;      /* ecr_json_check_fast said yes */
  size_t longest;
} side_job;

static void *side_run(void *arg) {
  side_job *j = arg;
  if (j->sha256) ecr_sha256_hex(j->data, j->len, j->sha256);
  j->ok = ecr_json_check_fast(j->data, j->len, ECR_MAX_JSON_DEPTH, &j->longest);
  return NULL;
}

static json_arena *arena_new(void) {
  json_arena *a = ecr_xcalloc(1, sizeof(*a));
  a->next_size = ARENA_FIRST_BLOCK;
  return a;
}

static ecr_status read_file(const char *path, const char *rel, cJSON **out, char sha256[65],
                            size_t *size, bool in_arena, ecr_error *err) {
  char *data = NULL;
  size_t len = 0;
  *out = NULL;
  ecr_status st = ecr_file_read(path, &data, &len, err);
  if (st != ECR_OK) {
    if (err) snprintf(err->file, sizeof(err->file), "%s", rel);
    return st;
  }
  if (size) *size = len;
  json_arena *a = NULL;
  if (in_arena) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_hooks);
    a = arena_new();
  }
  side_job job = {data, len, sha256, false, SIZE_MAX};
  pthread_t th;
  if (len >= SIDE_THREAD_MIN && pthread_create(&th, NULL, side_run, &job) == 0) {
    /* cJSON parses while the other thread hashes and checks; the tree is
     * kept only when every check passed, else the checks run again, one by
     * one, for their message (as parse does) */
    const char *end = NULL;
    cJSON *v = cjson_parse(data, len, a, &end);
    pthread_join(th, NULL);
    if (job.ok) {
      st = finish(data, len, rel, v, end, job.longest, a, out, err);
    } else {
      if (a) {
        arena_release(a);
        a = arena_new();
      } else {
        cJSON_Delete(v);
      }
      st = parse(data, len, rel, out, a, err);
    }
  } else {
    if (sha256) ecr_sha256_hex(data, len, sha256);
    st = parse(data, len, rel, out, a, err);
  }
  free(data);
  if (a) {
    if (*out)
      trees_add(*out, a);
    else
      arena_release(a);
  }
  return st;
}

ecr_status ecr_json_read_file(const char *path, const char *rel, cJSON **out, char sha256[65],
                              size_t *size, ecr_error *err) {
  return read_file(path, rel, out, sha256, size, false, err);
}

ecr_status ecr_json_read_file_arena(const char *path, const char *rel, cJSON **out, char sha256[65],
                                    size_t *size, ecr_error *err) {
  return read_file(path, rel, out, sha256, size, true, err);
}

int ecr_json_depth(const cJSON *v) {
  int max = 0;
  const cJSON *c;
  if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) return 0;
  cJSON_ArrayForEach(c, v) {
    int d = ecr_json_depth(c);
    if (d > max) max = d;
  }
  return max + 1;
}
