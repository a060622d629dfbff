/* Allocation, buffers, strings, time, hashing, embedded files. */
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

static _Noreturn void oom(size_t n) {
  ecr_fatal("out of memory (allocating %zu bytes)", n);
}

void *ecr_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom(n);
  return p;
}

void *ecr_xcalloc(size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) oom(count * size);
  return p;
}

void *ecr_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom(n);
  return q;
}

char *ecr_xstrdup(const char *s) {
  if (!s) return NULL;
  return ecr_xstrndup(s, strlen(s));
}

char *ecr_xstrndup(const char *s, size_t n) {
  char *d = ecr_xmalloc(n + 1);
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

char *ecr_xasprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) ecr_fatal("vsnprintf failed (format \"%s\")", fmt);
  char *s = ecr_xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

void ecr_grow(void **arr, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return;
  size_t ncap = *cap ? *cap : 8;
  while (ncap < need) {
    if (ncap > ((size_t)-1) / 2 / elem) oom(need * elem);
    ncap *= 2;
  }
  *arr = ecr_xrealloc(*arr, ncap * elem);
  *cap = ncap;
}

/* ---- buffers ---- */
void ecr_buf_init(ecr_buf *b) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void ecr_buf_cleanup(ecr_buf *b) {
  free(b->data);
  ecr_buf_init(b);
}

void ecr_buf_reset(ecr_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = '\0';
}

static void buf_reserve(ecr_buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t ncap = b->cap ? b->cap : 64;
  while (ncap < b->len + extra + 1) ncap *= 2;
  b->data = ecr_xrealloc(b->data, ncap);
  b->cap = ncap;
}

void ecr_buf_append(ecr_buf *b, const void *data, size_t n) {
  if (b->len + n + 1 > b->cap) buf_reserve(b, n);
  if (n) memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void ecr_buf_puts(ecr_buf *b, const char *s) {
  ecr_buf_append(b, s, strlen(s));
}

void ecr_buf_putc(ecr_buf *b, char c) {
  if (b->len + 2 > b->cap) buf_reserve(b, 1);
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}

void ecr_buf_vprintf(ecr_buf *b, const char *fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0) ecr_fatal("vsnprintf failed (format \"%s\")", fmt);
  buf_reserve(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
  va_end(again);
  b->len += (size_t)n;
}

void ecr_buf_printf(ecr_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ecr_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *ecr_buf_steal(ecr_buf *b) {
  if (!b->data) return ecr_xstrdup("");
  char *d = b->data;
  ecr_buf_init(b);
  return d;
}

/* ---- hashing ---- */
void ecr_sha256_hex(const void *data, size_t len, char out[65]) {
  unsigned char md[32];
  unsigned int mdlen = 0;
  if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
    ecr_fatal("SHA-256 failed");
  }
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[64] = '\0';
}

/* ---- time ---- */
time_t ecr_time_now(void) {
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  if (sde && *sde) {
    char *end = NULL;
    errno = 0;
    long long v = strtoll(sde, &end, 10);
    if (errno == 0 && end && *end == '\0' && v >= 0) return (time_t)v;
  }
  return time(NULL);
}

void ecr_time_iso8601(time_t t, char out[21]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ecr_time_date(time_t t, char out[11]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 11, "%Y-%m-%d", &tm);
}

/* days from civil (Howard Hinnant's algorithm) */
static long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long)doe - 719468;
}

bool ecr_date_parse(const char *s, long *days_out) {
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i = 0; i < 10; i++) {
    if (i == 4 || i == 7) continue;
    if (!isdigit((unsigned char)s[i])) return false;
  }
  long y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
  unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
  if (y < 1970 || m < 1 || m > 12 || d < 1) return false;
  static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned maxd = mdays[m - 1];
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && leap) maxd = 29;
  if (d > maxd) return false;
  if (days_out) *days_out = days_from_civil(y, m, d);
  return true;
}

/* ---- strings ---- */
static inline unsigned char fold(unsigned char c, bool ic) {
  return (ic && c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool ecr_glob_match(const char *pattern, const char *text, bool ignore_case) {
  const unsigned char *p = (const unsigned char *)pattern;
  const unsigned char *t = (const unsigned char *)text;
  const unsigned char *star_p = NULL, *star_t = NULL;
  while (*t) {
    if (*p == '*') {
      while (*p == '*') p++;
      if (!*p) return true;
      star_p = p;
      star_t = t;
    } else if (*p && (*p == '?' || fold(*p, ignore_case) == fold(*t, ignore_case))) {
      p++;
      t++;
    } else if (star_p) {
      p = star_p;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (*p == '*') p++;
  return *p == '\0';
}

/* Can the glob match some text `prefix` + s, where s is made of the bytes
 * in `suffix_chars` (NULL: any byte)? A set of reachable pattern positions
 * is carried through the prefix; then the rest of the pattern from some
 * reachable position must be spellable with those bytes. O(pattern x
 * prefix) time, O(pattern) memory. */
bool ecr_glob_prefix_match(const char *pattern, const char *prefix, const char *suffix_chars) {
  size_t n = strlen(pattern);
  bool *reach = ecr_xcalloc(n + 1, sizeof(bool)), *next = ecr_xcalloc(n + 1, sizeof(bool));
  bool *ok = ecr_xcalloc(n + 1, sizeof(bool));
  ok[n] = true;
  for (size_t i = n; i-- > 0;) {
    char c = pattern[i];
    bool spellable = c == '*' || c == '?' || !suffix_chars || (c && strchr(suffix_chars, c));
    ok[i] = ok[i + 1] && spellable;
  }
  reach[0] = true;
  for (size_t i = 0; i < n; i++)
    if (reach[i] && pattern[i] == '*') reach[i + 1] = true;
  bool any = true;
  for (const char *t = prefix; *t && any; t++) {
    memset(next, 0, (n + 1) * sizeof(bool));
    any = false;
    for (size_t i = 0; i < n; i++) {
      if (!reach[i]) continue;
      if (pattern[i] == '*')
        next[i] = true;
      else if (pattern[i] == '?' || pattern[i] == *t)
        next[i + 1] = true;
    }
    for (size_t i = 0; i < n; i++)
      if (next[i] && pattern[i] == '*') next[i + 1] = true;
    for (size_t i = 0; i <= n; i++) any |= next[i];
    bool *sw = reach;
    reach = next;
    next = sw;
  }
  bool found = false;
  for (size_t i = 0; any && i <= n && !found; i++) found = reach[i] && ok[i];
  free(reach);
  free(next);
  free(ok);
  return found;
}

/* Does the glob match every text that starts with `prefix`? Exactly when
 * it ends in '*' and matches the prefix itself (the part before the last
 * '*' then matches a prefix of it, and the '*' takes any rest). */
bool ecr_glob_covers_prefix(const char *pattern, const char *prefix, bool ignore_case) {
  size_t n = strlen(pattern);
  return n && pattern[n - 1] == '*' && ecr_glob_match(pattern, prefix, ignore_case);
}

bool ecr_str_has_prefix(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

int ecr_strcasecmp_ascii(const char *a, const char *b) {
  for (;; a++, b++) {
    int ca = fold((unsigned char)*a, true), cb = fold((unsigned char)*b, true);
    if (ca != cb || !ca) return ca - cb;
  }
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char *ecr_url_decode(const char *s) {
  size_t n = strlen(s);
  char *out = ecr_xmalloc(n + 1);
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out[j++] = s[i];
    }
  }
  out[j] = '\0';
  /* ill-formed UTF-8 becomes U+FFFD, one per maximal subpart, as Python's
     unquote (which the AWS CLI uses) does with errors="replace" */
  if (ecr_utf8_valid(out, j)) return out;
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_utf8_repair_append(&b, out, j);
  free(out);
  return ecr_buf_steal(&b);
}

char *ecr_arn_account(const char *arn) {
  if (!arn || !ecr_str_has_prefix(arn, "arn:")) return NULL;
  const char *p = arn;
  for (int i = 0; i < 4; i++) {
    p = strchr(p, ':');
    if (!p) return NULL;
    p++;
  }
  const char *e = strchr(p, ':');
  if (!e || e - p != 12) return NULL;
  for (const char *c = p; c < e; c++)
    if (!isdigit((unsigned char)*c)) return NULL;
  return ecr_xstrndup(p, 12);
}

void ecr_sort_idx(size_t *idx, size_t n, int (*cmp)(const void *, const void *, void *),
                  void *ctx) {
  if (n < 2) return;
  size_t *tmp = ecr_xmalloc(n * sizeof(size_t));
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = cmp(&idx[i], &idx[j], ctx) <= 0 ? idx[i++] : idx[j++];
      while (i < mid) tmp[k++] = idx[i++];
      while (j < hi) tmp[k++] = idx[j++];
    }
    memcpy(idx, tmp, n * sizeof(size_t));
  }
  free(tmp);
}

long ecr_sorted_find(const size_t *idx, size_t n, const void *key,
                     int (*cmp)(size_t elem, const void *key, void *ctx), void *ctx) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = cmp(idx[mid], key, ctx);
    if (c == 0) return (long)idx[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

/* ---- embedded files and templates ---- */
const char *ecr_embedded_lookup(const char *path, size_t *len); /* generated */

const char *ecr_embedded_get(const char *path, size_t *len) {
  return ecr_embedded_lookup(path, len);
}

char *ecr_template_expand(const char *tmpl, const char *const *kv) {
  ecr_buf b;
  ecr_buf_init(&b);
  const char *p = tmpl;
  while (*p) {
    const char *open = strstr(p, "{{");
    if (!open) {
      ecr_buf_puts(&b, p);
      break;
    }
    const char *close = strstr(open + 2, "}}");
    if (!close) {
      ecr_buf_puts(&b, p);
      break;
    }
    ecr_buf_append(&b, p, (size_t)(open - p));
    size_t klen = (size_t)(close - open - 2);
    for (size_t i = 0; kv && kv[i]; i += 2) {
      if (strlen(kv[i]) == klen && strncmp(kv[i], open + 2, klen) == 0) {
        if (kv[i + 1]) ecr_buf_puts(&b, kv[i + 1]);
        break;
      }
    }
    p = close + 2;
  }
  return ecr_buf_steal(&b);
}

/* ---- index ---- */
size_t ecr_index_get(ecr_index *ix, uint64_t h, bool (*eq)(const void *ctx, size_t item),
                     uint64_t (*hash_of)(const void *ctx, size_t item), const void *ctx,
                     size_t fresh, bool *found) {
  if ((ix->n + 1) * 2 > ix->cap) {
    size_t ncap = ix->cap ? ix->cap * 2 : 256;
    size_t *slots = ecr_xcalloc(ncap, sizeof(size_t));
    for (size_t i = 0; i < ix->cap; i++) {
      if (!ix->slots[i]) continue;
      size_t k = hash_of(ctx, ix->slots[i] - 1) & (ncap - 1);
      while (slots[k]) k = (k + 1) & (ncap - 1);
      slots[k] = ix->slots[i];
    }
    free(ix->slots);
    ix->slots = slots;
    ix->cap = ncap;
  }
  size_t k = h & (ix->cap - 1);
  for (; ix->slots[k]; k = (k + 1) & (ix->cap - 1)) {
    if (eq(ctx, ix->slots[k] - 1)) {
      *found = true;
      return ix->slots[k] - 1;
    }
  }
  ix->slots[k] = fresh + 1;
  ix->n++;
  *found = false;
  return fresh;
}

size_t ecr_index_find(const ecr_index *ix, uint64_t h, bool (*eq)(const void *ctx, size_t item),
                      const void *ctx) {
  if (!ix->cap) return ECR_INDEX_NONE;
  for (size_t k = h & (ix->cap - 1); ix->slots[k]; k = (k + 1) & (ix->cap - 1))
    if (eq(ctx, ix->slots[k] - 1)) return ix->slots[k] - 1;
  return ECR_INDEX_NONE;
}

void ecr_index_cleanup(ecr_index *ix) {
  free(ix->slots);
  memset(ix, 0, sizeof(*ix));
}

uint64_t ecr_fnv1a(const void *data, size_t n, uint64_t h) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

int ecr_tsv_cmp(const char *a, const char *b) {
  for (;; a++, b++) {
    unsigned char ca = *a ? (unsigned char)*a : '\t', cb = *b ? (unsigned char)*b : '\t';
    if (!*a && !*b) return 0;
    if (ca != cb) return ca < cb ? -1 : 1;
    if (!*a || !*b) return *a ? 1 : -1;
  }
}

char *ecr_text(const char *name, const char *const *kv) {
  char path[160];
  snprintf(path, sizeof(path), "templates/text/%s.txt", name);
  const char *tmpl = ecr_embedded_get(path, NULL);
  if (!tmpl) return ecr_xstrdup("");
  char *s = ecr_template_expand(tmpl, kv);
  size_t n = strlen(s);
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
  return s;
}

void ecr_fmt_count(size_t n, char out[32]) {
  char digits[32];
  int len = snprintf(digits, sizeof(digits), "%zu", n);
  size_t o = 0;
  for (int i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0) out[o++] = ',';
    out[o++] = digits[i];
  }
  out[o] = '\0';
}

/* Template texts without placeholders, expanded once and kept for the
 * process (the renderers run in threads, so the table is locked). */
typedef struct {
  char *name, *text;
} label_entry;
static pthread_mutex_t label_lock = PTHREAD_MUTEX_INITIALIZER;
static label_entry *label_tab;
static size_t label_n, label_cap;

const char *ecr_label(const char *name) {
  pthread_mutex_lock(&label_lock);
  const char *text = NULL;
  for (size_t i = 0; i < label_n && !text; i++)
    if (strcmp(label_tab[i].name, name) == 0) text = label_tab[i].text;
  if (!text) {
    label_entry e = {ecr_xstrdup(name), ecr_text(name, NULL)};
    ECR_PUSH(label_tab, label_n, label_cap, e);
    text = e.text;
  }
  pthread_mutex_unlock(&label_lock);
  return text;
}

const char *ecr_control_id(void) {
  return ecr_label("control/id");
}

const char *ecr_control_name(void) {
  return ecr_label("control/name");
}

const char *ecr_control_ref(void) {
  return ecr_label("control/ref");
}
