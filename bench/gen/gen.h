/* ecraudit-gen — deterministic synthetic evidence bundles (issue 9).
 *
 * Internal header of the generator: PRNG, JSON writer, small cJSON helpers.
 * The generator is a standalone program (it links cJSON and OpenSSL, not
 * libecraudit), so it keeps working while the core changes.
 */
#ifndef ECRAUDIT_GEN_H
#define ECRAUDIT_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* ---- PRNG: splitmix64 (same seed -> same stream on every platform) ---- */
typedef struct gen_rng {
  uint64_t s;
} gen_rng;

uint64_t gen_rng_next(gen_rng *r);
/* Uniform-enough integer in [0, n); n == 0 -> 0. */
uint64_t gen_rng_below(gen_rng *r, uint64_t n);
/* True with probability ppm / 1,000,000 (integers only: no float drift). */
bool gen_rng_ppm(gen_rng *r, uint32_t ppm);
/* An independent stream for (seed, domain, index). */
gen_rng gen_rng_derive(uint64_t seed, uint64_t domain, uint64_t index);

/* ---- JSON text ----------------------------------------------------------
 * Python's json.dumps(indent=4, ensure_ascii=False) layout, the layout the
 * AWS CLI prints with --output json. policyText uses a 2-space, " : "
 * layout (what ECR gives back for documents saved by the console). */
typedef struct gen_json_style {
  int indent;        /* spaces per level */
  const char *colon; /* ": " or " : " */
} gen_json_style;

extern const gen_json_style GEN_STYLE_CLI;
extern const gen_json_style GEN_STYLE_ECR;

/* Print v at nesting depth `depth` (the caller already wrote the leading
 * indentation of the first line). */
void gen_json_print(FILE *fp, const cJSON *v, int depth, const gen_json_style *st);
/* Whole document as a string (caller frees). compact: no whitespace. */
char *gen_json_string(const cJSON *v, const gen_json_style *st);
char *gen_json_compact(const cJSON *v);
void gen_json_print_string(FILE *fp, const char *s);

/* ---- cJSON construction helpers (abort on allocation failure) ---------- */
cJSON *gen_obj(void);
cJSON *gen_arr(void);
cJSON *gen_str(const char *s);
cJSON *gen_strf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Array of the NULL-terminated list of strings. */
cJSON *gen_strs(const char *first, ...);
void gen_add(cJSON *obj, const char *key, cJSON *item);
void gen_add_str(cJSON *obj, const char *key, const char *s);
void gen_push(cJSON *arr, cJSON *item);
/* A one-element array becomes a bare string (both spellings are legal IAM). */
cJSON *gen_maybe_single(cJSON *arr, bool single);

/* ---- misc ---------------------------------------------------------------- */
void *gen_xmalloc(size_t n);
void *gen_xcalloc(size_t n, size_t size);
void *gen_xrealloc(void *p, size_t n);
char *gen_xstrdup(const char *s);
char *gen_xasprintf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* "2019-05-14T19:13:02+00:00" (IAM) or with ".123000" fraction (ECR). */
void gen_time_iam(int64_t epoch, char out[32]);
void gen_time_ecr(int64_t epoch, unsigned millis, char out[40]);
/* mkdir -p. Returns 0 or -1 (errno set). */
int gen_mkdirs(const char *path);
/* Lower-case hex SHA-256 and size of a file; 0 or -1. */
int gen_sha256_file(const char *path, char hex[65], uint64_t *size);

#endif
