/* libFuzzer harness: the evidence bundle loader.
 *
 * The input is split at lines "=====" into up to four files of a bundle:
 *   1 iam/account-authorization-details.json
 *   2 ecr/us-east-1/repository-policies.json
 *   3 ecr/us-east-1/repositories.json   (absent part: a fixed two-repository file)
 *   4 organizations/scps.json           (absent part: no SCPs)
 * The bundle is loaded; when it loads it is evaluated into a matrix, the
 * explanations and a report model. A load error must be ECR_E_INPUT with a
 * one-line message naming the file. */
#include <stdlib.h>
#include <string.h>

#include "ecraudit/evaluate.h"
#include "fuzz_common.h"
#include "util/util.h"

static const char default_repos[] =
    "{\"repositories\":["
    "{\"repositoryArn\":\"arn:aws:ecr:us-east-1:111122223333:repository/app\","
    "\"registryId\":\"111122223333\",\"repositoryName\":\"app\","
    "\"repositoryUri\":\"111122223333.dkr.ecr.us-east-1.amazonaws.com/app\","
    "\"createdAt\":\"2023-02-01T10:00:00+00:00\",\"imageTagMutability\":\"MUTABLE\"},"
    "{\"repositoryArn\":\"arn:aws:ecr:us-east-1:111122223333:repository/team/web\","
    "\"registryId\":\"111122223333\",\"repositoryName\":\"team/web\","
    "\"repositoryUri\":\"111122223333.dkr.ecr.us-east-1.amazonaws.com/team/web\","
    "\"createdAt\":\"2023-02-01T10:00:00+00:00\",\"imageTagMutability\":\"IMMUTABLE\"}]}";

static const char *const part_files[] = {
    "iam/account-authorization-details.json",
    "ecr/us-east-1/repository-policies.json",
    "ecr/us-east-1/repositories.json",
    "organizations/scps.json",
};

static const char SEP[] = "\n=====\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 256 * 1024) return -1;
  fz_clear();
  const char *p = (const char *)data, *end = p + size;
  size_t part = 0;
  bool have_repos = false;
  while (part < 4) {
    const char *cut = NULL;
    for (const char *q = p; q + sizeof(SEP) - 1 <= end; q++)
      if (memcmp(q, SEP, sizeof(SEP) - 1) == 0) {
        cut = q;
        break;
      }
    const char *stop = cut ? cut : end;
    fz_write(part_files[part], p, (size_t)(stop - p));
    if (part == 2) have_repos = true;
    part++;
    if (!cut) break;
    p = cut + sizeof(SEP) - 1;
  }
  if (!have_repos) fz_write(part_files[2], default_repos, sizeof(default_repos) - 1);
  fz_load_and_evaluate(NULL, false);
  return 0;
}
