/* Hop graph rules the golden cases (tests/paths/) do not show one by one:
 * role sessions in a trust policy, NotPrincipal Denies, service-linked roles
 * and SCPs, policy variables in identity resources, a boundary missing from
 * the bundle, a role never hopping to itself, "*" in a trust policy, chains
 * longer than five hops. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/evaluate.h"
#include "ecraudit/evidence.h"
#include "ecraudit/paths.h"
#include "util/util.h"

#include "bundle.h"

/* The bundles below are quote-free JSON built from string macros, laid out by
 * hand: clang-format cannot break them readably. */
/* clang-format off */

#define TRUST(stmts) ",'AssumeRolePolicyDocument':" DOCQ(stmts)
#define TALLOW(pr) "{'Effect':'Allow','Principal':" pr ",'Action':'sts:AssumeRole'}"
#define TDENY(pr) "{'Effect':'Deny','Principal':" pr ",'Action':'sts:AssumeRole'}"
#define ROOTQ "{'AWS':'arn:aws:iam::" ACCT ":root'}"
#define PUSHQ ",'RolePolicyList':[" INLINE("push", ALLOW("'ecr:PutImage'", "'" USE1("app") "'")) "]"
#define ASSUME_ANY_ROLE_POLICY ",'RolePolicyList':[" INLINE("any", ALLOW("'sts:AssumeRole'", "'*'")) "]"
#define ASSUME_ANY ",'UserPolicyList':[" INLINE("any", ALLOW("'sts:AssumeRole'", "'*'")) "]"

typedef struct world {
  char *dir;
  ecr_evidence *ev;
  ecr_matrix *m;
  ecr_paths *p;
} world;

static void world_load(world *w) {
  w->ev = load_ok(w->dir);
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_matrix_eval(w->ev, &w->m, &err), ECR_OK);
  assert_int_equal(ecr_paths_build(w->ev, w->m, &w->p, &err), ECR_OK);
}

static void world_free(world *w) {
  ecr_paths_free(w->p);
  ecr_matrix_free(w->m);
  ecr_evidence_free(w->ev);
  ecr_test_rmrf(w->dir);
  free(w->dir);
}

static char *tsv(world *w) {
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_paths_write_tsv(w->p, fp, &err), ECR_OK);
  fclose(fp);
  return buf;
}

static void sessions_notprincipal_and_self(void **state) {
  (void)state;
  world w = {bundle_new("paths-sess"), NULL, NULL, NULL};
  bundle_iam(w.dir, USER("u", ASSUME_ANY) "," USER("v", ASSUME_ANY), NULL,
             /* a: trusts one session of role b (only some sessions: conditional) */
             ROLE("a", TRUST(TALLOW("{'AWS':'arn:aws:sts::" ACCT ":assumed-role/b/deploy'}")) PUSHQ) ","
             /* b: trusts the root, Denies everyone but v (NotPrincipal), may assume any role */
             ROLE("b", TRUST(TALLOW(ROOTQ) ",{'Effect':'Deny','NotPrincipal':{'AWS':'" USER_ARN("v")
                             "'},'Action':'sts:AssumeRole'}")
                           ",'RolePolicyList':[" INLINE("any", ALLOW("'sts:AssumeRole'", "'*'")) "]") ","
             /* c: trusts itself and "*" */
             ROLE("c", TRUST(TALLOW("{'AWS':'" ROLE_ARN("c") "'}") "," TALLOW("'*'")) PUSHQ), NULL);
  bundle_repos(w.dir, "us-east-1", "app");
  world_load(&w);
  assert_int_equal(ecr_paths_hop(w.p, ROLE_ARN("b"), ROLE_ARN("a")), ECR_DECISION_CONDITIONAL);
  assert_int_equal(ecr_paths_hop(w.p, USER_ARN("u"), ROLE_ARN("b")), ECR_DECISION_DENY);
  assert_int_equal(ecr_paths_hop(w.p, USER_ARN("v"), ROLE_ARN("b")), ECR_DECISION_ALLOW);
  assert_int_equal(ecr_paths_hop(w.p, ROLE_ARN("c"), ROLE_ARN("c")), ECR_DECISION_DENY);
  /* "*" in a trust grants everyone directly, and is a starting principal */
  assert_int_equal(ecr_paths_hop(w.p, USER_ARN("u"), ROLE_ARN("c")), ECR_DECISION_ALLOW);
  assert_int_equal(ecr_paths_hop(w.p, "*", ROLE_ARN("c")), ECR_DECISION_ALLOW);
  char *out = tsv(&w);
  /* v > b > a: the hop b -> a is through a session: conditional */
  assert_non_null(strstr(out, USER_ARN("v") "\t" ROLE_ARN("b") " > " ROLE_ARN("a") "\t" USE1("app")
                              "\tecr:PutImage\tconditional\n"));
  assert_null(strstr(out, USER_ARN("u") "\t" ROLE_ARN("b")));
  free(out);
  world_free(&w);
}

static void scps_service_linked_variables_missing_boundary(void **state) {
  (void)state;
  world w = {bundle_new("paths-scp"), NULL, NULL, NULL};
  bundle_iam(w.dir,
             /* alice may assume roles named after her; bob has a boundary that is not in the bundle */
             USER("alice", ",'UserPolicyList':[" INLINE("own", ALLOW("'sts:AssumeRole'",
                           "'arn:aws:iam::" ACCT ":role/${aws:username}-*'")) "]") ","
             USER("bob", ASSUME_ANY ",'PermissionsBoundary':{'PermissionsBoundaryType':'Policy',"
                         "'PermissionsBoundaryArn':'arn:aws:iam::" ACCT ":policy/Gone'}"),
             NULL,
             ROLE("alice-ci", TRUST(TALLOW(ROOTQ)) PUSHQ) "," ROLE("bob-ci", TRUST(TALLOW(ROOTQ)) PUSHQ) ","
             "{'RoleName':'AWSServiceRoleForX','RoleId':'AROASLR','Arn':'arn:aws:iam::" ACCT
             ":role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX','Path':'/aws-service-role/x.amazonaws.com/'"
             ASSUME_ANY_ROLE_POLICY "}",
             NULL);
  bundle_repos(w.dir, "us-east-1", "app");
  /* an SCP that denies every sts:AssumeRole: service-linked roles are not limited */
  writeq(w.dir, "organizations/scps.json",
         "[{'target':'" ACCT "','policies':[{'Id':'p-1','Content':" DOCQ(ALLOW("'*'", "'*'") ","
         "{'Effect':'Deny','Action':'sts:AssumeRole','Resource':'" ROLE_ARN("bob-ci") "'}") "}]}]");
  world_load(&w);
  assert_int_equal(ecr_paths_hop(w.p, USER_ARN("alice"), ROLE_ARN("alice-ci")), ECR_DECISION_ALLOW);
  assert_int_equal(ecr_paths_hop(w.p, USER_ARN("alice"), ROLE_ARN("bob-ci")), ECR_DECISION_DENY);
  /* bob's boundary is missing: it may or may not allow */
  assert_int_equal(ecr_paths_hop(w.p, USER_ARN("bob"), ROLE_ARN("alice-ci")), ECR_DECISION_CONDITIONAL);
  assert_int_equal(ecr_paths_hop(w.p, USER_ARN("bob"), ROLE_ARN("bob-ci")), ECR_DECISION_DENY);
  const char *slr = "arn:aws:iam::" ACCT ":role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX";
  assert_int_equal(ecr_paths_hop(w.p, slr, ROLE_ARN("bob-ci")), ECR_DECISION_ALLOW);
  world_free(&w);
}

static void at_most_five_hops(void **state) {
  (void)state;
  world w = {bundle_new("paths-five"), NULL, NULL, NULL};
  /* u -> r1 -> r2 -> ... -> r7, only r7 holds PutImage: u reaches it in 7 hops
   * (too many), r2 in 5 */
#define LINK(n, prev) ROLE(n, TRUST(TALLOW("{'AWS':'" prev "'}")))
  bundle_iam(w.dir, USER("u", ""), NULL,
             LINK("r1", USER_ARN("u")) "," LINK("r2", ROLE_ARN("r1")) "," LINK("r3", ROLE_ARN("r2")) ","
             LINK("r4", ROLE_ARN("r3")) "," LINK("r5", ROLE_ARN("r4")) "," LINK("r6", ROLE_ARN("r5")) ","
             ROLE("r7", TRUST(TALLOW("{'AWS':'" ROLE_ARN("r6") "'}")) PUSHQ),
             NULL);
  bundle_repos(w.dir, "us-east-1", "app");
  world_load(&w);
  char *out = tsv(&w);
  assert_null(strstr(out, USER_ARN("u") "\t"));
  assert_null(strstr(out, ROLE_ARN("r1") "\t"));
  assert_non_null(strstr(out, ROLE_ARN("r2") "\t" ROLE_ARN("r3") " > " ROLE_ARN("r4") " > " ROLE_ARN("r5")
                              " > " ROLE_ARN("r6") " > " ROLE_ARN("r7") "\t"));
  ecr_paths_stats st;
  ecr_paths_get_stats(w.p, &st);
  assert_int_equal(st.hops, 7);
  assert_int_equal(st.rows, 5); /* r2..r6 each reach r7 */
  free(out);
  world_free(&w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sessions_notprincipal_and_self),
      cmocka_unit_test(scps_service_linked_variables_missing_boundary),
      cmocka_unit_test(at_most_five_hops),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
