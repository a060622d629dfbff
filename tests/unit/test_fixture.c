/* The renderer fixture itself is consistent (counts match findings). */
#include "testutil.h"
#include "fixture.h"

static void fixture_counts_match(void **state) {
  (void)state;
  ecr_fixture fx = ecr_fixture_make(true, 10);
  size_t total = 0;
  for (int s = 0; s < ECR_CHECK_COUNT; s++) total += fx.report->by_status[s];
  assert_int_equal(total, fx.report->n_findings);
  assert_int_equal(fx.report->n_findings, 19);
  assert_non_null(fx.report->findings[3].exception);
  ecr_fixture_free(&fx);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(fixture_counts_match)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
