/* libFuzzer harness: IAM GetAccountAuthorizationDetails XML responses.
 *
 * The input is one response page. ecr_iam_parse_page converts it into the
 * JSON the AWS CLI prints (what `ecraudit collect` writes into
 * iam/account-authorization-details.json). Invariants: a failure is a
 * one-line ECR_E_COLLECT; a success printed with ecr_json_print_cli must be
 * JSON that the evidence loader's reader accepts (what the collector writes,
 * the loader must read); and the converted document is then loaded as a
 * bundle and evaluated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "collect/aws.h"
#include "evidence/json_file.h"
#include "fuzz_common.h"

static const char caller[] = "{\"UserId\":\"AIDAFUZZFUZZFUZZFUZZ1\",\"Account\":\"111122223333\","
                             "\"Arn\":\"arn:aws:iam::111122223333:user/alice\"}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 256 * 1024) return -1;
  cJSON *acc = cJSON_CreateObject();
  char *marker = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = ecr_iam_parse_page((const char *)data, size, acc, &marker, &err);
  if (st != ECR_OK) {
    if (st != ECR_E_COLLECT) {
      fprintf(stderr, "ecr_iam_parse_page returned %d\n", (int)st);
      abort();
    }
    fz_check_error(&err, false);
    if (marker) {
      fprintf(stderr, "marker set on error\n");
      abort();
    }
    cJSON_Delete(acc);
    return 0;
  }
  free(marker);
  char *text = ecr_json_print_cli(acc);
  cJSON_Delete(acc);
  cJSON *back = NULL;
  if (ecr_json_parse(text, strlen(text), "iam/account-authorization-details.json", &back, &err) !=
      ECR_OK) {
    fprintf(stderr, "collector output is not loadable JSON: %s (line %ld, column %ld)\n",
            err.message, err.line, err.column);
    abort();
  }
  cJSON_Delete(back);
  fz_clear();
  fz_write("iam/account-authorization-details.json", text, strlen(text));
  fz_write("sts/caller-identity.json", caller, sizeof(caller) - 1);
  free(text);
  fz_load_and_evaluate(NULL, false);
  return 0;
}
