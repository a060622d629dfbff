/* libFuzzer harness: the exceptions ledger (ecr_ledger_parse).
 *
 * The input is a ledger file. After parsing, a fixed set of grants is
 * matched against it (as the report builder does), unused entries are
 * marked, and the documented invariants of every entry are checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/ledger.h"
#include "fuzz_common.h"
#include "util/util.h"

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "ledger invariant failed: %s\n", #c);                                        \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

typedef struct grant {
  const char *principal;
  const char *repos[2];
  size_t n_repos;
  const char *actions[3];
  size_t n_actions;
  const char *level;
} grant;

static const grant grants[] = {
    {"arn:aws:iam::111122223333:role/acme-codebuild-push",
     {"arn:aws:ecr:us-east-1:111122223333:repository/team-a/api", NULL},
     1,
     {"ecr:PutImage", "ecr:UploadLayerPart", NULL},
     2,
     "Write"},
    {"*",
     {"arn:aws:ecr:us-east-1:111122223333:repository/base-images/python", NULL},
     1,
     {"ecr:BatchGetImage", NULL, NULL},
     1,
     "Read"},
    {"arn:aws:iam::111122223333:user/frank.ci-legacy",
     {"*", NULL},
     1,
     {"ecr:GetAuthorizationToken", NULL, NULL},
     1,
     "Read"},
    {"arn:aws:iam::444455556666:root",
     {"arn:aws:ecr:eu-west-1:111122223333:repository/a",
      "arn:aws:ecr:eu-west-1:111122223333:repository/b"},
     2,
     {"ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy", NULL},
     2,
     "Permissions management"},
    {"service:codebuild.amazonaws.com",
     {"arn:aws:ecr:us-east-1:111122223333:repository/x", NULL},
     1,
     {"ecr:TagResource", NULL, NULL},
     1,
     "Tagging"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 256 * 1024) return -1;
  long as_of = 0;
  ecr_date_parse("2026-01-15", &as_of);
  ecr_ledger *l = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  /* data is not NUL-terminated here: the parser must honour len */
  ecr_status st = ecr_ledger_parse("ledger.json", (const char *)data, size, as_of, &l, &err);
  if (st != ECR_OK) {
    CHECK(l == NULL);
    CHECK(st == ECR_E_INPUT);
    fz_check_error(&err, true);
    return 0;
  }
  CHECK(l != NULL);
  CHECK(strlen(l->sha256) == 64);
  for (size_t i = 0; i < l->n_entries; i++) {
    const ecr_ledger_entry *e = &l->entries[i];
    CHECK(e->id != NULL && e->id[0] != '\0');
    CHECK(e->position == i + 1);
    if (e->state == ECR_LEDGER_INVALID) {
      CHECK(e->reason != NULL && e->reason[0] != '\0');
    } else {
      CHECK(e->principal && e->justification && e->approved_by && e->expires);
      CHECK(e->expires_days >= 0);
      CHECK(e->n_repositories > 0 && e->n_actions > 0);
      CHECK((e->state == ECR_LEDGER_EXPIRED) == (as_of > e->expires_days));
    }
    CHECK(ecr_ledger_state_name(e->state) != NULL);
  }
  for (size_t g = 0; g < sizeof(grants) / sizeof(grants[0]); g++) {
    const grant *gr = &grants[g];
    const ecr_ledger_entry *hit = ecr_ledger_match(l, gr->principal, gr->repos, gr->n_repos,
                                                   gr->actions, gr->n_actions, gr->level);
    if (hit) CHECK(hit->state == ECR_LEDGER_ACTIVE || hit->state == ECR_LEDGER_EXPIRED);
    for (size_t i = 0; i < l->n_entries; i++) {
      bool c = ecr_ledger_entry_covers(&l->entries[i], gr->principal, gr->repos, gr->n_repos,
                                       gr->actions, gr->n_actions, gr->level);
      if (l->entries[i].state == ECR_LEDGER_INVALID) CHECK(!c);
    }
  }
  ecr_ledger_mark_unused(l);
  for (size_t i = 0; i < l->n_entries; i++) {
    const ecr_ledger_entry *e = &l->entries[i];
    if (e->state == ECR_LEDGER_UNUSED) CHECK(e->matched == 0 && e->reason);
    if (e->state == ECR_LEDGER_ACTIVE) CHECK(e->matched > 0);
  }
  ecr_ledger_free(l);
  return 0;
}
