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
/* "ecraudit-gen: MESSAGE" on stderr, exit 2. */
void gen_die(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;
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

/* ---- --org (org.c): an organisation of generated accounts ---------------- */
typedef struct gen gen; /* one bundle being generated (gen.c) */
typedef struct gen_org gen_org;

gen_org *gen_org_new(const char *out, size_t n, uint64_t seed);
void gen_org_free(gen_org *o);
const char *gen_org_account(const gen_org *o, size_t k); /* 12 digits */
char *gen_org_account_dir(const gen_org *o, size_t k);   /* caller frees */
unsigned gen_org_scale_permille(const gen_org *o, size_t k);
uint64_t gen_org_seed(const gen_org *o, size_t k);
/* The 9 external-account strings of account k's bundle (3 root ARNs, 3 bare
 * ids, 3 ids for policies.c): the following member accounts. Valid until
 * the next call. */
const char *const *gen_org_external(gen_org *o, size_t k);
/* Account k's organizations/ files and, for accounts 2 and 3, the seeded
 * cross-account grant (before the bundle's manifest is written). */
void gen_org_write_account(const gen_org *o, size_t k, gen *g);
/* DIR/organization/ after every account. */
void gen_org_write_organization(const gen_org *o);

/* {"Id", "Name", "Content": doc compact} of scps.json / rcps.json; takes doc. */
cJSON *gen_policy_entry(const char *id, const char *name, cJSON *doc);

/* gen.c, for org.c: write / re-hash a bundle file, the bundle's directory and
 * first region. */
void gen_bundle_write_doc(gen *g, const char *rel, const cJSON *doc);
void gen_bundle_rehash(gen *g, const char *rel);
const char *gen_bundle_dir(const gen *g);
const char *gen_bundle_region(const gen *g);

#endif
