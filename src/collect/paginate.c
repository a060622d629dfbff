/* Pagination tokens seen by one paginated call: a server that hands out a
 * token it already returned would make the loop run to its page limit. */
#include <stdlib.h>
#include <string.h>

#include "collect/aws.h"

static uint64_t token_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h ? h : 1; /* 0 marks an empty slot */
}

bool ecr_token_set_add(ecr_token_set *t, const char *token) {
  if ((t->n + 1) * 2 > t->cap) {
    size_t ncap = t->cap ? t->cap * 2 : 64;
    uint64_t *nv = ecr_xcalloc(ncap, sizeof(uint64_t));
    for (size_t i = 0; i < t->cap; i++) {
      if (!t->v[i]) continue;
      size_t j = (size_t)t->v[i] & (ncap - 1);
      while (nv[j]) j = (j + 1) & (ncap - 1);
      nv[j] = t->v[i];
    }
    free(t->v);
    t->v = nv;
    t->cap = ncap;
  }
  uint64_t h = token_hash(token);
  size_t j = (size_t)h & (t->cap - 1);
  while (t->v[j]) {
    if (t->v[j] == h) return true;
    j = (j + 1) & (t->cap - 1);
  }
  t->v[j] = h;
  t->n++;
  return false;
}

void ecr_token_set_cleanup(ecr_token_set *t) {
  free(t->v);
  memset(t, 0, sizeof(*t));
}
