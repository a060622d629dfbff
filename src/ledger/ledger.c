/* Exceptions ledger: parse, validate, expire and match entries
 * (format and decisions documented in include/ecraudit/ledger.h). */
#include "ecraudit/ledger.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "util/util.h"

/* Longest principal, repository or action pattern (bytes): matching is
 * O(pattern x name) in the worst case, so a pattern is bounded. */
#define ECR_LEDGER_MAX_PATTERN 1024

/* Longest excerpt of a user value quoted in a reason (bytes, before "..."). */
#define SHOW_MAX 80

const char *ecr_ledger_state_name(ecr_ledger_state s) {
  static const char *const names[] = {"active", "expired", "unused", "invalid"};
  return (unsigned)s <= ECR_LEDGER_INVALID ? names[s] : "invalid";
}

static const char *const level_names[] = {"Write", "Permissions management", "Tagging", "Read",
                                          "List"};
#define N_LEVELS (sizeof(level_names) / sizeof(level_names[0]))

static const char *const entry_fields[] = {"id",      "principal",     "repositories",
                                           "actions", "justification", "approved_by",
                                           "ticket",  "expires"};
#define N_FIELDS (sizeof(entry_fields) / sizeof(entry_fields[0]))

/* Canonical access-level name for s (case-insensitive), NULL when none. */
static const char *level_find(const char *s) {
  for (size_t i = 0; i < N_LEVELS; i++)
    if (ecr_strcasecmp_ascii(s, level_names[i]) == 0) return level_names[i];
  return NULL;
}

/* A string without ':' and without wildcards is meant as an access level. */
static bool looks_like_level(const char *s) {
  return !strpbrk(s, ":*?");
}

/* days since 1970-01-01 -> "YYYY-MM-DD" (Howard Hinnant's civil_from_days) */
static void date_from_days(long z, char out[11]) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  if (y < 0) y = 0;
  if (y > 9999) y = 9999;
  char tmp[64];
  snprintf(tmp, sizeof(tmp), "%04ld-%02ld-%02ld", y, m, d);
  memcpy(out, tmp, 10);
  out[10] = '\0';
}

/* 1-based line and column (in characters) of byte offset off in text. */
static void position_of(const char *text, size_t off, long *line, long *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '\n') {
      (*line)++;
      *col = 1;
    } else if ((c & 0xc0) != 0x80) {
      (*col)++;
    }
  }
}

/* A user value quoted for a reason: control characters become '?', long
 * values are cut at a character boundary. Caller frees. */
static char *show(const char *s) {
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_buf_putc(&b, '"');
  for (size_t i = 0; s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if (i >= SHOW_MAX && (c & 0xc0) != 0x80) {
      ecr_buf_puts(&b, "...");
      break;
    }
    ecr_buf_putc(&b, (c < 0x20 || c == 0x7f) ? '?' : (char)c);
  }
  ecr_buf_putc(&b, '"');
  return ecr_buf_steal(&b);
}

static const char *type_name(const cJSON *it) {
  if (cJSON_IsString(it)) return "a string";
  if (cJSON_IsNumber(it)) return "a number";
  if (cJSON_IsBool(it)) return "a boolean";
  if (cJSON_IsNull(it)) return "null";
  if (cJSON_IsArray(it)) return "an array";
  if (cJSON_IsObject(it)) return "an object";
  return "an unknown value";
}

/* Problems of one entry, joined with "; " into one sentence. */
static void problem(ecr_buf *probs, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void problem(ecr_buf *probs, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  char *s = ecr_xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  if (probs->len) ecr_buf_puts(probs, "; ");
  ecr_buf_puts(probs, s);
  free(s);
}

/* Why glob g is unusable, NULL when it is fine. */
static const char *glob_defect(const char *g) {
  size_t n = strlen(g);
  if (n == 0) return "it is empty";
  if (n > ECR_LEDGER_MAX_PATTERN) return "it is longer than the 1024-character limit for a pattern";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)g[i];
    if (c < 0x20 || c == 0x7f) return "it contains a control character";
  }
  if (g[0] == ' ' || g[n - 1] == ' ') return "it has leading or trailing spaces";
  return NULL;
}

static bool all_digits(const char *s, size_t n) {
  if (strlen(s) != n) return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

static bool blank(const char *s) {
  for (; *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
  return true;
}

/* A scalar string field. NULL when missing, null or not a string. */
static char *string_field(const cJSON *obj, const char *name, bool required, ecr_buf *probs) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
  if (!it || cJSON_IsNull(it)) {
    if (required) problem(probs, "%s is missing", name);
    return NULL;
  }
  if (!cJSON_IsString(it) || !it->valuestring) {
    problem(probs, "%s must be a string, not %s", name, type_name(it));
    return NULL;
  }
  if (blank(it->valuestring)) problem(probs, "%s is empty", name);
  return ecr_xstrdup(it->valuestring);
}

/* A string or an array of strings; keeps the string elements. */
static char **list_field(const cJSON *obj, const char *name, size_t *n_out, ecr_buf *probs) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
  char **v = NULL;
  size_t n = 0, cap = 0;
  *n_out = 0;
  if (!it || cJSON_IsNull(it)) {
    problem(probs, "%s is missing", name);
    return NULL;
  }
  if (cJSON_IsString(it) && it->valuestring) {
    ECR_PUSH(v, n, cap, ecr_xstrdup(it->valuestring));
  } else if (cJSON_IsArray(it)) {
    if (!it->child) problem(probs, "%s is empty", name);
    size_t idx = 0;
    for (const cJSON *el = it->child; el; el = el->next, idx++) {
      if (cJSON_IsString(el) && el->valuestring)
        ECR_PUSH(v, n, cap, ecr_xstrdup(el->valuestring));
      else
        problem(probs, "%s[%zu] must be a string, not %s", name, idx, type_name(el));
    }
  } else {
    problem(probs, "%s must be a string or an array of strings, not %s", name, type_name(it));
  }
  *n_out = n;
  return v;
}

static void check_fields(const cJSON *obj, ecr_buf *probs) {
  for (const cJSON *c = obj->child; c; c = c->next) {
    const char *k = c->string ? c->string : "";
    if (ecr_str_has_prefix(k, "x-")) continue;
    bool known = false;
    const char *near = NULL;
    for (size_t i = 0; i < N_FIELDS; i++) {
      if (strcmp(k, entry_fields[i]) == 0)
        known = true;
      else if (ecr_strcasecmp_ascii(k, entry_fields[i]) == 0)
        near = entry_fields[i];
    }
    char *shown = show(k);
    if (!known) {
      if (near)
        problem(probs, "unknown field %s (did you mean \"%s\"?)", shown, near);
      else
        problem(probs, "unknown field %s", shown);
    } else {
      size_t before = 0;
      for (const cJSON *p = obj->child; p != c; p = p->next)
        if (p->string && strcmp(p->string, k) == 0) before++;
      if (before == 1) problem(probs, "field %s appears more than once", shown);
    }
    free(shown);
  }
}

static void check_principal(const char *p, ecr_buf *probs) {
  const char *defect = glob_defect(p);
  char *shown = show(p);
  if (defect) {
    if (*p) problem(probs, "principal %s is not a valid glob: %s", shown, defect);
  } else if (all_digits(p, 12)) {
    problem(probs, "principal %s is a bare account id: write \"arn:aws:iam::%s:root\"", shown, p);
  } else if (!ecr_str_has_prefix(p, "arn:") && !ecr_str_has_prefix(p, "service:") && p[0] != '*' &&
             p[0] != '?') {
    problem(probs,
            "principal %s is not a principal glob (\"*\", \"arn:...\" or \"service:<name>\")",
            shown);
  }
  free(shown);
}

static void check_repository(const char *g, size_t idx, ecr_buf *probs) {
  const char *defect = glob_defect(g);
  char *shown = show(g);
  if (defect)
    problem(probs, "repositories[%zu] %s is not a valid glob: %s", idx, shown, defect);
  else if (!ecr_str_has_prefix(g, "arn:") && g[0] != '*' && g[0] != '?')
    problem(probs,
            "repositories[%zu] %s is not a repository ARN glob "
            "(such as \"arn:aws:ecr:*:111122223333:repository/team-a/*\")",
            idx, shown);
  free(shown);
}

static void check_action(const char *g, size_t idx, ecr_buf *probs) {
  const char *defect = glob_defect(g);
  char *shown = show(g);
  if (defect)
    problem(probs, "actions[%zu] %s is not a valid glob: %s", idx, shown, defect);
  else if (looks_like_level(g) && !level_find(g))
    problem(probs,
            "actions[%zu] %s is neither an access level (Write, Permissions management, "
            "Tagging, Read, List) nor an action glob such as \"ecr:PutImage\"",
            idx, shown);
  free(shown);
}

/* Fill e from obj; problems go to probs. */
static void parse_entry(const cJSON *obj, size_t pos, ecr_ledger_entry *e, ecr_buf *probs,
                        bool *id_written) {
  e->position = pos;
  e->expires_days = -1;
  *id_written = false;
  if (!cJSON_IsObject(obj)) {
    e->id = ecr_xasprintf("#%zu", pos);
    problem(probs, "the entry is %s, not an object", type_name(obj));
    return;
  }
  check_fields(obj, probs);

  const cJSON *idv = cJSON_GetObjectItemCaseSensitive(obj, "id");
  if (!idv || cJSON_IsNull(idv)) {
    problem(probs, "id is missing");
  } else if (!cJSON_IsString(idv) || !idv->valuestring) {
    problem(probs, "id must be a string, not %s", type_name(idv));
  } else if (blank(idv->valuestring)) {
    problem(probs, "id is empty");
  } else {
    const char *defect = glob_defect(idv->valuestring);
    if (defect && strcmp(defect, "it contains a control character") == 0)
      problem(probs, "id contains a control character");
    e->id = ecr_xstrdup(idv->valuestring);
    *id_written = true;
  }
  if (!e->id) e->id = ecr_xasprintf("#%zu", pos);

  e->principal = string_field(obj, "principal", true, probs);
  if (e->principal && !blank(e->principal)) check_principal(e->principal, probs);

  e->repositories = list_field(obj, "repositories", &e->n_repositories, probs);
  for (size_t i = 0; i < e->n_repositories; i++) check_repository(e->repositories[i], i, probs);

  e->actions = list_field(obj, "actions", &e->n_actions, probs);
  for (size_t i = 0; i < e->n_actions; i++) check_action(e->actions[i], i, probs);

  e->justification = string_field(obj, "justification", true, probs);
  e->approved_by = string_field(obj, "approved_by", true, probs);
  e->ticket = string_field(obj, "ticket", false, probs);

  e->expires = string_field(obj, "expires", true, probs);
  if (e->expires && !blank(e->expires)) {
    long days = 0;
    if (ecr_date_parse(e->expires, &days)) {
      e->expires_days = days;
    } else {
      char *shown = show(e->expires);
      problem(probs, "expires %s is not a calendar date in the form YYYY-MM-DD", shown);
      free(shown);
    }
  }
}

static void lx_free(struct ecr_ledger_index *x);

static void entry_cleanup(ecr_ledger_entry *e) {
  free(e->id);
  free(e->principal);
  for (size_t k = 0; k < e->n_repositories; k++) free(e->repositories[k]);
  free(e->repositories);
  for (size_t k = 0; k < e->n_actions; k++) free(e->actions[k]);
  free(e->actions);
  free(e->justification);
  free(e->approved_by);
  free(e->ticket);
  free(e->expires);
  free(e->reason);
}

void ecr_ledger_free(ecr_ledger *l) {
  if (!l) return;
  for (size_t i = 0; i < l->n_entries; i++) entry_cleanup(&l->entries[i]);
  free(l->entries);
  free(l->path);
  lx_free(l->index);
  free(l);
}

/* ---- hashing: duplicate ids, and the principal index of matching ------- */
static uint64_t fnv_step(uint64_t h, unsigned char c) {
  return (h ^ c) * 1099511628211ull;
}
static uint64_t fnv(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = fnv_step(h, (unsigned char)s[i]);
  return h;
}

/* Entries grouped by the literal prefix of their principal pattern (up to
 * its first '*' or '?'; the whole ARN when it has none). A principal can
 * only be covered by entries whose prefix is a prefix of it: matching looks
 * up each prefix of the principal once (a rolling hash) instead of trying
 * every entry. */
typedef struct lx_bucket {
  const char *key;
  size_t klen;
  uint64_t h;
  size_t *idx, n, cap;
} lx_bucket;

struct ecr_ledger_index {
  lx_bucket *b; /* in order of creation, found through ix */
  size_t n_b, cap_b;
  ecr_index ix;
  size_t *cand, n_cand, cap_cand;
};

typedef struct lx_query {
  const struct ecr_ledger_index *x;
  const char *key;
  size_t klen;
  uint64_t h;
} lx_query;

static uint64_t lx_mix(uint64_t h) {
  return h ^ (h >> 31);
}

static bool lx_eq(const void *ctx, size_t item) {
  const lx_query *q = ctx;
  const lx_bucket *b = &q->x->b[item];
  return b->h == q->h && b->klen == q->klen && memcmp(b->key, q->key, q->klen) == 0;
}

static uint64_t lx_rehash(const void *ctx, size_t item) {
  return lx_mix(((const lx_query *)ctx)->x->b[item].h);
}

/* The bucket of key[0..klen) (hash h), NULL when no entry has that prefix. */
static const lx_bucket *lx_find(const struct ecr_ledger_index *x, const char *key, size_t klen,
                                uint64_t h) {
  lx_query q = {x, key, klen, h};
  size_t at = ecr_index_find(&x->ix, lx_mix(h), lx_eq, &q);
  return at == ECR_INDEX_NONE ? NULL : &x->b[at];
}

static struct ecr_ledger_index *lx_build(const ecr_ledger *l) {
  struct ecr_ledger_index *x = ecr_xcalloc(1, sizeof(*x));
  for (size_t i = 0; i < l->n_entries; i++) {
    const ecr_ledger_entry *e = &l->entries[i];
    if (e->state == ECR_LEDGER_INVALID || !e->principal) continue;
    size_t klen = strcspn(e->principal, "*?");
    uint64_t h = fnv(e->principal, klen);
    lx_query q = {x, e->principal, klen, h};
    bool found;
    size_t at = ecr_index_get(&x->ix, lx_mix(h), lx_eq, lx_rehash, &q, x->n_b, &found);
    if (!found) {
      lx_bucket b0 = {e->principal, klen, h, NULL, 0, 0};
      ECR_PUSH(x->b, x->n_b, x->cap_b, b0);
    }
    lx_bucket *b = &x->b[at];
    ECR_PUSH(b->idx, b->n, b->cap, i);
  }
  return x;
}

static void lx_free(struct ecr_ledger_index *x) {
  if (!x) return;
  for (size_t i = 0; i < x->n_b; i++) free(x->b[i].idx);
  free(x->b);
  ecr_index_cleanup(&x->ix);
  free(x->cand);
  free(x);
}

/* An id sought among the entries seen so far (ecr_index items: entry indices). */
typedef struct id_query {
  const ecr_ledger *l;
  const char *id;
} id_query;

static bool id_eq(const void *ctx, size_t item) {
  const id_query *q = ctx;
  return strcmp(q->l->entries[item].id, q->id) == 0;
}

static uint64_t id_rehash(const void *ctx, size_t item) {
  const char *id = ((const id_query *)ctx)->l->entries[item].id;
  return fnv(id, strlen(id));
}

/* Build the ledger from the entries array. */
static ecr_ledger *ledger_build(const char *path, const cJSON *arr, long as_of_days) {
  ecr_ledger *l = ecr_xcalloc(1, sizeof(*l));
  l->path = ecr_xstrdup(path);
  date_from_days(as_of_days, l->as_of);
  size_t n = (size_t)cJSON_GetArraySize(arr);
  l->entries = ecr_xcalloc(n ? n : 1, sizeof(ecr_ledger_entry));
  bool *written = ecr_xcalloc(n ? n : 1, sizeof(bool));
  ecr_index ids = {0}; /* the entries written so far, by id */
  ecr_buf probs;
  ecr_buf_init(&probs);
  size_t i = 0;
  for (const cJSON *el = arr->child; el && i < n; el = el->next, i++) {
    ecr_ledger_entry *e = &l->entries[i];
    ecr_buf_reset(&probs);
    parse_entry(el, i + 1, e, &probs, &written[i]);
    if (written[i]) { /* ids seen so far, in a hash set: linear in the ledger */
      id_query q = {l, e->id};
      bool found;
      size_t at = ecr_index_get(&ids, fnv(e->id, strlen(e->id)), id_eq, id_rehash, &q, i, &found);
      if (found) {
        char *shown = show(e->id);
        problem(&probs, "id %s is already used by entry #%zu", shown, at + 1);
        free(shown);
      }
    }
    if (probs.len) {
      e->state = ECR_LEDGER_INVALID;
      e->reason = ecr_xasprintf("%s.", probs.data);
    } else if (as_of_days > e->expires_days) {
      e->state = ECR_LEDGER_EXPIRED;
      e->reason =
          ecr_xasprintf("Expired on %s (as of %s), so it excepts nothing.", e->expires, l->as_of);
    } else {
      e->state = ECR_LEDGER_ACTIVE;
    }
  }
  l->n_entries = i;
  ecr_buf_cleanup(&probs);
  free(written);
  ecr_index_cleanup(&ids);
  return l;
}

ecr_status ecr_ledger_parse(const char *path, const char *data, size_t len, long as_of_days,
                            ecr_ledger **out, ecr_error *err) {
  const char *name = path ? path : "<exceptions ledger>";
  ecr_status st = ECR_OK;
  char *copy = NULL;
  cJSON *doc = NULL;
  long line = 0, col = 0;
  *out = NULL;
  if (!data) data = "";

  const char *nul = memchr(data, '\0', len);
  if (nul) {
    position_of(data, (size_t)(nul - data), &line, &col);
    st = ecr_error_set_at(err, ECR_E_INPUT, name, line, col,
                          "exceptions ledger contains a NUL byte (expected UTF-8 JSON text)");
    goto done;
  }
  {
    size_t off = ecr_utf8_first_invalid(data, len);
    if (off < len) {
      position_of(data, off, &line, &col);
      st = ecr_error_set_at(err, ECR_E_INPUT, name, line, col,
                            "exceptions ledger is not valid UTF-8 (byte 0x%02x)",
                            (unsigned)(unsigned char)data[off]);
      goto done;
    }
  }

  {
    size_t bad = 0, first = SIZE_MAX;
    char why[160];
    if (!ecr_json_check(data, len, &bad, &first, why, sizeof(why))) {
      position_of(data, bad, &line, &col);
      st = ecr_error_set_at(err, ECR_E_INPUT, name, line, col, "exceptions ledger: %s", why);
      goto done;
    }
  }
  size_t skip = (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) ? 3 : 0;
  copy = ecr_xstrndup(data + skip, len - skip);
  const char *end = NULL;
  /* length includes the NUL: cJSON's require_null_terminated check wants it */
  doc = cJSON_ParseWithLengthOpts(copy, len - skip + 1, &end, 1);
  if (!doc) {
    size_t off = end && end >= copy ? (size_t)(end - copy) : 0;
    if (off > len - skip) off = len - skip;
    position_of(copy, off, &line, &col);
    if (off >= len - skip || blank(copy + off))
      st = ecr_error_set_at(err, ECR_E_INPUT, name, line, col,
                            "malformed JSON in exceptions ledger: unexpected end of input");
    else {
      char near[24];
      size_t nn = 0;
      for (size_t i = off; copy[i] && nn < 16; i++) {
        unsigned char c = (unsigned char)copy[i];
        if (c == '\n' || c == '\r') break;
        if (nn >= 12 && (c & 0xc0) != 0x80) break;
        near[nn++] = (char)c;
      }
      near[nn] = '\0';
      st = ecr_error_set_at(err, ECR_E_INPUT, name, line, col,
                            "malformed JSON in exceptions ledger near '%s'", near);
    }
    goto done;
  }

  const cJSON *arr = NULL;
  if (cJSON_IsArray(doc)) {
    arr = doc;
  } else if (cJSON_IsObject(doc)) {
    arr = cJSON_GetObjectItemCaseSensitive(doc, "exceptions");
    if (!arr) {
      st = ecr_error_set(err, ECR_E_INPUT, name,
                         "not an exceptions ledger: the object has no \"exceptions\" array");
      goto done;
    }
    if (!cJSON_IsArray(arr)) {
      st = ecr_error_set(err, ECR_E_INPUT, name,
                         "not an exceptions ledger: \"exceptions\" is %s, not an array",
                         type_name(arr));
      goto done;
    }
  } else {
    st = ecr_error_set(err, ECR_E_INPUT, name,
                       "not an exceptions ledger: the document is %s, not an array of entries "
                       "or an object with an \"exceptions\" array",
                       type_name(doc));
    goto done;
  }

  ecr_ledger *l = ledger_build(name, arr, as_of_days);
  ecr_sha256_hex(data, len, l->sha256);
  *out = l;

done:
  cJSON_Delete(doc);
  free(copy);
  return st;
}

ecr_status ecr_ledger_load(const char *path, long as_of_days, ecr_ledger **out, ecr_error *err) {
  char *data = NULL;
  size_t len = 0;
  *out = NULL;
  struct stat sb;
  if (stat(path, &sb) != 0 && errno == ENOENT)
    return ecr_error_set(err, ECR_E_INPUT, path, "cannot read the exceptions ledger: no such file");
  ecr_status st = ecr_file_read(path, &data, &len, err);
  if (st != ECR_OK) {
    if (err) {
      char msg[sizeof(err->message)];
      snprintf(msg, sizeof(msg), "%s", err->message);
      ecr_error_set(err, st, path, "cannot read the exceptions ledger: %s", msg);
    }
    return st;
  }
  st = ecr_ledger_parse(path, data, len, as_of_days, out, err);
  free(data);
  return st;
}

bool ecr_ledger_entry_covers(const ecr_ledger_entry *e, const char *principal,
                             const char *const *repositories, size_t n_repositories,
                             const char *const *actions, size_t n_actions,
                             const char *access_level) {
  if (!e || e->state == ECR_LEDGER_INVALID || !e->principal || !principal) return false;
  if (!n_repositories || !n_actions || !repositories || !actions) return false;
  if (!ecr_glob_match(e->principal, principal, false)) return false;
  for (size_t i = 0; i < n_repositories; i++) {
    bool ok = false;
    for (size_t k = 0; !ok && k < e->n_repositories; k++)
      ok = repositories[i] && ecr_glob_match(e->repositories[k], repositories[i], false);
    if (!ok) return false;
  }
  for (size_t i = 0; i < n_actions; i++) {
    bool ok = false;
    for (size_t k = 0; !ok && k < e->n_actions; k++) {
      const char *g = e->actions[k];
      if (looks_like_level(g))
        ok = access_level && ecr_strcasecmp_ascii(g, access_level) == 0;
      else
        ok = actions[i] && ecr_glob_match(g, actions[i], true);
    }
    if (!ok) return false;
  }
  return true;
}

const ecr_ledger_entry *ecr_ledger_match(ecr_ledger *l, const char *principal,
                                         const char *const *repositories, size_t n_repositories,
                                         const char *const *actions, size_t n_actions,
                                         const char *access_level) {
  if (!l || !principal) return NULL;
  if (!l->index) l->index = lx_build(l);
  struct ecr_ledger_index *x = l->index;
  /* candidates: entries whose literal prefix is a prefix of principal */
  x->n_cand = 0;
  size_t plen = strlen(principal);
  uint64_t h = fnv(principal, 0);
  for (size_t k = 0;; k++) {
    const lx_bucket *b = lx_find(x, principal, k, h);
    for (size_t m = 0; b && m < b->n; m++) ECR_PUSH(x->cand, x->n_cand, x->cap_cand, b->idx[m]);
    if (k == plen) break;
    h = fnv_step(h, (unsigned char)principal[k]);
  }
  const ecr_ledger_entry *active = NULL, *expired = NULL;
  for (size_t c = 0; c < x->n_cand; c++) {
    ecr_ledger_entry *e = &l->entries[x->cand[c]];
    if (!ecr_ledger_entry_covers(e, principal, repositories, n_repositories, actions, n_actions,
                                 access_level))
      continue;
    e->matched++;
    /* the first in file order wins, as before the index */
    if (e->state == ECR_LEDGER_ACTIVE && (!active || e < active)) active = e;
    if (e->state == ECR_LEDGER_EXPIRED && (!expired || e < expired)) expired = e;
  }
  return active ? active : expired;
}

void ecr_ledger_mark_unused(ecr_ledger *l) {
  if (!l) return;
  for (size_t i = 0; i < l->n_entries; i++) {
    ecr_ledger_entry *e = &l->entries[i];
    if (e->state != ECR_LEDGER_ACTIVE || e->matched) continue;
    e->state = ECR_LEDGER_UNUSED;
    free(e->reason);
    e->reason = ecr_xasprintf("Active until %s but covers no finding (an entry must cover "
                              "every repository and every action of a finding).",
                              e->expires);
  }
}
