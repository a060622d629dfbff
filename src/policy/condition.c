/* Condition blocks as data (include/ecraudit/condition.h).
 * Placeholder until the engine lands: policy.c compiles no blocks yet, so
 * every statement's condition is NULL and these are never reached. */
#include <stdlib.h>

#include "ecraudit/condition.h"

struct ecr_condition {
  int unused;
};

void ecr_condition_free(ecr_condition *c) { free(c); }
unsigned ecr_condition_classes(const ecr_condition *c) { return c ? ECR_KEY_REQUEST : 0; }
ecr_key_class ecr_condition_key_class(const char *key) { (void)key; return ECR_KEY_REQUEST; }
ecr_cond_result ecr_condition_eval(const ecr_condition *c, unsigned classes, ecr_attr_lookup lookup,
                                   void *ctx, ecr_keylist *undecided) {
  (void)c, (void)classes, (void)lookup, (void)ctx, (void)undecided;
  return ECR_COND_MAYBE;
}
void ecr_keylist_free(ecr_keylist *l) {
  for (size_t i = 0; i < l->n; i++) free(l->keys[i]);
  free(l->keys);
  l->keys = NULL;
  l->n = l->cap = 0;
}
size_t ecr_condition_n_keys(const ecr_condition *c) { (void)c; return 0; }
const char *ecr_condition_key(const ecr_condition *c, size_t i) { (void)c, (void)i; return NULL; }
const char *const *ecr_condition_values(const ecr_condition *c, const char *key, size_t *n) {
  (void)c, (void)key;
  *n = 0;
  return NULL;
}
