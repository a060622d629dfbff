/* ecraudit-gen — PRNG, JSON writer, cJSON helpers, files. */
#include "gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>

/* ---- PRNG ------------------------------------------------------------- */
uint64_t gen_rng_next(gen_rng *r) {
  uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

uint64_t gen_rng_below(gen_rng *r, uint64_t n) {
  if (n == 0) return 0;
  return gen_rng_next(r) % n;
}

bool gen_rng_ppm(gen_rng *r, uint32_t ppm) {
  return gen_rng_below(r, 1000000u) < ppm;
}

gen_rng gen_rng_derive(uint64_t seed, uint64_t domain, uint64_t index) {
  gen_rng r = {seed ^ (domain * UINT64_C(0xD6E8FEB86659FD93))};
  r.s ^= gen_rng_next(&r) + index * UINT64_C(0xA0761D6478BD642F);
  (void)gen_rng_next(&r);
  return r;
}

/* ---- allocation --------------------------------------------------------- */
static void oom(void) {
  fputs("ecraudit-gen: out of memory\n", stderr);
  abort();
}

void *gen_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom();
  return p;
}

void *gen_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) oom();
  return p;
}

void *gen_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom();
  return q;
}

char *gen_xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = gen_xmalloc(n);
  memcpy(d, s, n);
  return d;
}

static char *vfmt(const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 0)))
#endif
    ;
static char *vfmt(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0) oom();
  char *s = gen_xmalloc((size_t)n + 1);
  vsnprintf(s, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return s;
}

char *gen_xasprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = vfmt(fmt, ap);
  va_end(ap);
  return s;
}

/* ---- cJSON helpers ------------------------------------------------------ */
static cJSON *chk(cJSON *v) {
  if (!v) oom();
  return v;
}

cJSON *gen_obj(void) {
  return chk(cJSON_CreateObject());
}
cJSON *gen_arr(void) {
  return chk(cJSON_CreateArray());
}
cJSON *gen_str(const char *s) {
  return chk(cJSON_CreateString(s));
}

cJSON *gen_strf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = vfmt(fmt, ap);
  va_end(ap);
  cJSON *v = gen_str(s);
  free(s);
  return v;
}

cJSON *gen_strs(const char *first, ...) {
  cJSON *a = gen_arr();
  va_list ap;
  va_start(ap, first);
  for (const char *s = first; s; s = va_arg(ap, const char *)) gen_push(a, gen_str(s));
  va_end(ap);
  return a;
}

void gen_add(cJSON *obj, const char *key, cJSON *item) {
  if (!cJSON_AddItemToObject(obj, key, item)) oom();
}

void gen_add_str(cJSON *obj, const char *key, const char *s) {
  gen_add(obj, key, gen_str(s));
}

void gen_push(cJSON *arr, cJSON *item) {
  if (!cJSON_AddItemToArray(arr, item)) oom();
}

cJSON *gen_maybe_single(cJSON *arr, bool single) {
  if (!single || cJSON_GetArraySize(arr) != 1) return arr;
  cJSON *only = cJSON_DetachItemFromArray(arr, 0);
  cJSON_Delete(arr);
  return only;
}

/* ---- JSON writer ----------------------------------------------------------- */
const gen_json_style GEN_STYLE_CLI = {4, ": "};
const gen_json_style GEN_STYLE_ECR = {2, " : "};
static const gen_json_style STYLE_COMPACT = {-1, ":"};

void gen_json_print_string(FILE *fp, const char *s) {
  putc('"', fp);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': fputs("\\\"", fp); break;
    case '\\': fputs("\\\\", fp); break;
    case '\n': fputs("\\n", fp); break;
    case '\r': fputs("\\r", fp); break;
    case '\t': fputs("\\t", fp); break;
    case '\b': fputs("\\b", fp); break;
    case '\f': fputs("\\f", fp); break;
    default:
      if (*p < 0x20)
        fprintf(fp, "\\u%04x", *p);
      else
        putc(*p, fp);
    }
  }
  putc('"', fp);
}

static void newline_indent(FILE *fp, int depth, const gen_json_style *st) {
  if (st->indent < 0) return;
  putc('\n', fp);
  for (int i = 0; i < depth * st->indent; i++) putc(' ', fp);
}

void gen_json_print(FILE *fp, const cJSON *v, int depth, const gen_json_style *st) {
  if (cJSON_IsString(v)) {
    gen_json_print_string(fp, v->valuestring);
  } else if (cJSON_IsNumber(v)) {
    fprintf(fp, "%lld", (long long)v->valuedouble);
  } else if (cJSON_IsTrue(v)) {
    fputs("true", fp);
  } else if (cJSON_IsFalse(v)) {
    fputs("false", fp);
  } else if (cJSON_IsNull(v)) {
    fputs("null", fp);
  } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
    bool obj = cJSON_IsObject(v);
    putc(obj ? '{' : '[', fp);
    if (!v->child) {
      putc(obj ? '}' : ']', fp);
      return;
    }
    for (const cJSON *c = v->child; c; c = c->next) {
      newline_indent(fp, depth + 1, st);
      if (obj) {
        gen_json_print_string(fp, c->string);
        fputs(st->colon, fp);
      }
      gen_json_print(fp, c, depth + 1, st);
      if (c->next) putc(',', fp);
    }
    newline_indent(fp, depth, st);
    putc(obj ? '}' : ']', fp);
  }
}

char *gen_json_string(const cJSON *v, const gen_json_style *st) {
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  if (!fp) oom();
  gen_json_print(fp, v, 0, st);
  if (fclose(fp) != 0) oom();
  return buf;
}

char *gen_json_compact(const cJSON *v) {
  return gen_json_string(v, &STYLE_COMPACT);
}

/* ---- time and files ------------------------------------------------------ */
void gen_time_iam(int64_t epoch, char out[32]) {
  time_t t = (time_t)epoch;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

void gen_time_ecr(int64_t epoch, unsigned millis, char out[40]) {
  time_t t = (time_t)epoch;
  struct tm tm;
  char base[24];
  gmtime_r(&t, &tm);
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out, 40, "%s.%03u000+00:00", base, millis % 1000u);
}

int gen_mkdirs(const char *path) {
  char *p = gen_xstrdup(path);
  int rc = 0;
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = '\0';
    if (mkdir(p, 0755) != 0 && errno != EEXIST) rc = -1;
    *s = '/';
    if (rc) goto done;
  }
  if (mkdir(p, 0755) != 0 && errno != EEXIST) rc = -1;
done:
  free(p);
  return rc;
}

int gen_sha256_file(const char *path, char hex[65], uint64_t *size) {
  int rc = -1;
  unsigned char md[32];
  unsigned int mdlen = 0;
  unsigned char buf[1 << 16];
  FILE *fp = fopen(path, "rb");
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!fp || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) goto done;
  *size = 0;
  for (;;) {
    size_t n = fread(buf, 1, sizeof buf, fp);
    if (n > 0 && !EVP_DigestUpdate(ctx, buf, n)) goto done;
    *size += n;
    if (n < sizeof buf) break;
  }
  if (ferror(fp) || !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32) goto done;
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
  rc = 0;
done:
  if (fp) fclose(fp);
  EVP_MD_CTX_free(ctx);
  return rc;
}

void gen_die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ecraudit-gen: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}
