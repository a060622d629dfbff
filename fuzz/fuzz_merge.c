/* libFuzzer harness: `ecraudit merge` input (src/org/scan.c, merge.c,
 * model.c, junit.c, html.c). A per-account findings.json comes from
 * anywhere (a pod's shared volume, a CI artifact): whatever its bytes, the
 * merger either takes it or refuses it with a message and ECR_E_INPUT,
 * never crashes, leaks or hangs, and what it takes renders as the
 * organisation report (findings.json, report.junit.xml, report.html, report.pdf, in a
 * scratch directory, never published). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/org.h"
#include "org/org_internal.h"
#include "util/util.h"

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "merge invariant failed: %s\n", #c);                                         \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

static char *scratch;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 20) return 0;
  if (!scratch) {
    char t[] = "/tmp/ecraudit-fuzz-merge.XXXXXX";
    CHECK(mkdtemp(t) != NULL);
    scratch = strdup(t);
  }
  ecr_org_merge *m = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  CHECK(ecr_org_merge_new(scratch, &m, &err) == ECR_OK);
  CHECK(ecr_org_merge_want_junit(m, &err) == ECR_OK);
  ecr_org_merge_want_html(m);
  ecr_org_merge_want_pdf(m);
  ecr_status st = ecr_org_merge_add(m, "fuzz.json", (const char *)data, size, &err);
  if (st == ECR_OK) {
    st = ecr_org_merge_finish(m, &err);
    CHECK(st == ECR_OK || st == ECR_E_INPUT);
  } else {
    CHECK(st == ECR_E_INPUT && err.message[0]);
  }
  ecr_org_merge_free(m); /* nothing published: the scratch files go */
  return 0;
}
