/* libFuzzer harness: IAM Condition blocks.
 *
 * The input is one Condition block (JSON text). It is compiled with and
 * without policy variables and evaluated against an attribute table drawn
 * from the input's own bytes (every key present, absent or undecided, with
 * zero to three values), for every combination of key classes.
 *
 * Invariants (abort = finding): a compile error is ECR_E_INPUT naming the
 * file and the statement; results are one of the three; undecided keys are
 * reported only for MAYBE and each is a key of the block; evaluating more
 * classes never turns FALSE into something else; an undocumented operator
 * makes every evaluation FALSE; the keys of the block are distinct. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/condition.h"
#include "fuzz_common.h"
#include "util/util.h"

typedef struct fz_attrs {
  uint64_t seed;
  const char *vals[3];
} fz_attrs;

static uint64_t hash_ci(const char *s, uint64_t h) {
  for (; *s; s++) h = (h ^ (unsigned char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s)) * 1099511628211u;
  return h;
}

/* Same key (case-insensitively), same answer within one input. */
static ecr_attr fz_lookup(void *ctx, const char *key) {
  const fz_attrs *a = ctx;
  uint64_t h = hash_ci(key, a->seed);
  ecr_attr r = {(ecr_attr_state)(h % 3), a->vals, 0};
  if (r.state == ECR_ATTR_PRESENT) r.n = (size_t)((h >> 8) % 4);
  return r;
}

static void die(const char *what, const char *input) {
  fprintf(stderr, "fuzz_condition: %s\ninput: %s\n", what, input);
  abort();
}

static bool is_key(const ecr_condition *c, const char *k) {
  for (size_t i = 0; i < ecr_condition_n_keys(c); i++)
    if (ecr_strcasecmp_ascii(ecr_condition_key(c, i), k) == 0) return true;
  return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 16 * 1024) return -1;
  char *text = fz_strndup(data, size);
  cJSON *j = cJSON_Parse(text);
  if (!j) {
    free(text);
    return 0;
  }
  fz_attrs attrs = {14695981039346656037u,
                    {"arn:aws:iam::111122223333:user/alice", "10.0.0.1", "true"}};
  for (size_t i = 0; i < size; i++) attrs.seed = (attrs.seed ^ data[i]) * 1099511628211u;
  for (int variables = 0; variables < 2; variables++) {
    ecr_condition *c = NULL;
    ecr_error err;
    ecr_error_clear(&err);
    ecr_status rc = ecr_condition_compile(j, variables, "fuzz.json", 7, &c, &err);
    if (rc != ECR_OK) {
      if (rc != ECR_E_INPUT || c || strcmp(err.file, "fuzz.json") != 0 ||
          !strstr(err.message, "statement 7"))
        die("bad compile error", text);
      fz_check_error(&err, true);
      continue;
    }
    for (size_t a = 0; a < ecr_condition_n_keys(c); a++)
      for (size_t b = a + 1; b < ecr_condition_n_keys(c); b++)
        if (ecr_strcasecmp_ascii(ecr_condition_key(c, a), ecr_condition_key(c, b)) == 0)
          die("a key listed twice", text);
    ecr_cond_result res[8];
    for (unsigned classes = 0; classes < 8; classes++) {
      ecr_keylist kl = {0};
      res[classes] = ecr_condition_eval(c, classes, fz_lookup, &attrs, &kl);
      if (res[classes] > ECR_COND_TRUE) die("result out of range", text);
      if ((kl.n > 0) != (res[classes] == ECR_COND_MAYBE)) die("undecided keys vs result", text);
      for (size_t k = 0; k < kl.n; k++)
        if (!is_key(c, kl.keys[k])) die("undecided key not in the block", text);
      if (ecr_condition_never(c) && res[classes] != ECR_COND_FALSE)
        die("never but not FALSE", text);
      ecr_keylist_free(&kl);
    }
    for (unsigned sub = 0; sub < 8; sub++)
      for (unsigned sup = 0; sup < 8; sup++)
        if ((sub & ~sup) == 0 && res[sub] == ECR_COND_FALSE && res[sup] != ECR_COND_FALSE)
          die("more classes undid a FALSE", text);
    size_t n = 0;
    for (size_t i = 0; i < ecr_condition_n_keys(c); i++) {
      const char *const *v = ecr_condition_values(c, ecr_condition_key(c, i), &n);
      for (size_t k = 0; v && k < n; k++)
        if (!v[k]) die("NULL value", text);
    }
    ecr_condition_free(c);
  }
  cJSON_Delete(j);
  free(text);
  return 0;
}
