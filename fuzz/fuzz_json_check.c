/* libFuzzer harness: the JSON pre-scan (ecr_json_check, issue 17).
 *
 * The input is any text. Oracle, for every document cJSON parses: the scan
 * reports a duplicate key exactly when some object of cJSON's tree (which
 * keeps both members of a duplicate) has two members with one name, unless
 * it stopped earlier at a U+0000 or invalid \u escape (cJSON reads both as
 * U+0000); and the offsets it reports lie
 * inside the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/util.h"

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "json_check invariant failed: %s\n", #c);                                    \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

static bool has_dup(const cJSON *v) {
  if (cJSON_IsObject(v))
    for (const cJSON *a = v->child; a; a = a->next)
      for (const cJSON *b = a->next; b; b = b->next)
        if (a->string && b->string && strcmp(a->string, b->string) == 0) return true;
  for (const cJSON *c = v->child; c; c = c->next)
    if (has_dup(c)) return true;
  return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 16) return 0;
  char *text = ecr_xstrndup((const char *)data, size); /* stops at a NUL: fine */
  size_t len = strlen(text);
  size_t off = 0, first = 0;
  char msg[160];
  bool ok = ecr_json_check(text, len, &off, &first, msg, sizeof(msg));
  if (!ok) {
    CHECK(off < len);
    CHECK(first == SIZE_MAX || first < off);
    CHECK(msg[0]);
  }
  const char *end = NULL; /* the whole text, as the tool parses it */
  cJSON *doc = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
  if (doc) {
    bool nul = !ok && (strncmp(msg, "U+0000", 6) == 0 || strncmp(msg, "invalid \\u", 10) == 0);
    if (ok) CHECK(!has_dup(doc));
    if (!ok && !nul) CHECK(has_dup(doc));
  }
  cJSON_Delete(doc);
  free(text);
  return 0;
}
