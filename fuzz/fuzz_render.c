/* libFuzzer harness: end to end, every renderer.
 *
 * The bundle is samples/acme (manifest without its "files" hashes, so a
 * changed file is not refused as tampered) plus samples/acme/ledger.json.
 * The first input byte picks one of them (modulo the table below), the rest
 * of the input replaces that file. The bundle is loaded, evaluated, built
 * into a report with the ledger and rendered in every format into memory;
 * fuzz_common.c checks each output (findings.json parses, the JUnit XML is
 * well-formed, the HTML has no injected element, the PDF is complete). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/evaluate.h"
#include "fuzz_common.h"
#include "util/util.h"

static const char *const files[] = {
    "iam/account-authorization-details.json",
    "sts/caller-identity.json",
    "organizations/scps.json",
    "ecr/us-east-1/repositories.json",
    "ecr/us-east-1/repository-policies.json",
    "ecr/us-east-1/registry-policy.json",
    "ecr/eu-west-1/repositories.json",
    "ecr/eu-west-1/repository-policies.json",
    "manifest.json",
    "ledger.json", /* the --exceptions file, not part of the bundle */
};
#define N_FILES (sizeof(files) / sizeof(files[0]))
#define LEDGER (N_FILES - 1)
#define MANIFEST (N_FILES - 2)

static char *content[N_FILES];
static size_t content_len[N_FILES];

static void init(void) {
  if (content[0]) return;
  for (size_t i = 0; i < N_FILES; i++) {
    char *rel = ecr_xasprintf("samples/acme/%s", files[i]);
    content[i] = fz_read_source(rel, &content_len[i]);
    free(rel);
  }
  cJSON *m = cJSON_Parse(content[MANIFEST]);
  if (m) {
    cJSON_DeleteItemFromObjectCaseSensitive(m, "files");
    free(content[MANIFEST]);
    content[MANIFEST] = cJSON_Print(m);
    content_len[MANIFEST] = strlen(content[MANIFEST]);
    cJSON_Delete(m);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 512 * 1024) return -1;
  init();
  size_t pick = data[0] % N_FILES;
  const char *repl = (const char *)data + 1;
  size_t repl_len = size - 1;
  fz_clear();
  for (size_t i = 0; i < LEDGER; i++) {
    if (i == pick)
      fz_write(files[i], repl, repl_len);
    else
      fz_write(files[i], content[i], content_len[i]);
  }
  long as_of = 0;
  ecr_date_parse("2026-01-15", &as_of);
  ecr_ledger *ledger = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  if (pick == LEDGER)
    ecr_ledger_parse("ledger.json", repl, repl_len, as_of, &ledger, &err);
  else
    ecr_ledger_parse("ledger.json", content[LEDGER], content_len[LEDGER], as_of, &ledger, &err);
  fz_load_and_evaluate(ledger, true);
  ecr_ledger_free(ledger);
  return 0;
}
