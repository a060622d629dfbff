/* Exceptions ledger: parsing, every state, expiry boundaries, every
 * invalid reason, coverage rules, SHA-256, and input errors. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/ledger.h"
#include "util/util.h"

#define ACCT "111122223333"
#define REPO(n) "arn:aws:ecr:us-east-1:" ACCT ":repository/" n

static long day(const char *d) {
  long v = 0;
  if (!ecr_date_parse(d, &v)) fail_msg("bad test date %s", d);
  return v;
}

static ecr_ledger *parse_ok(const char *json, const char *as_of) {
  ecr_ledger *l = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = ecr_ledger_parse("ledger.json", json, strlen(json), day(as_of), &l, &err);
  if (st != ECR_OK) fail_msg("parse failed: %s", err.message);
  assert_non_null(l);
  return l;
}

/* One entry with every field; fields overridable by text substitution. */
#define ENTRY(id, extra)                                                                           \
  "{\"id\": \"" id "\", \"principal\": \"arn:aws:iam::" ACCT ":role/ci-*\", "                      \
  "\"repositories\": [\"" REPO(                                                                    \
      "team-a/*") "\"], \"actions\": [\"Write\"], "                                                \
                  "\"justification\": \"CI publishes images\", \"approved_by\": \"jane\", "        \
                  "\"ticket\": \"SEC-1\"" extra "}"

static const ecr_ledger_entry *find(const ecr_ledger *l, const char *id) {
  for (size_t i = 0; i < l->n_entries; i++)
    if (strcmp(l->entries[i].id, id) == 0) return &l->entries[i];
  fail_msg("no entry %s", id);
  return NULL;
}

static void assert_reason(const ecr_ledger_entry *e, const char *needle) {
  assert_non_null(e->reason);
  if (!strstr(e->reason, needle))
    fail_msg("entry %s: reason \"%s\" lacks \"%s\"", e->id, e->reason, needle);
}

/* ---- forms and fields ---------------------------------------------------- */

static void array_and_object_forms(void **state) {
  (void)state;
  const char *arr = "[" ENTRY("EX-1", ", \"expires\": \"2030-01-01\"") "]";
  const char *obj = "{\"description\": \"acme\", \"exceptions\": [" ENTRY(
      "EX-1", ", \"expires\": \"2030-01-01\"") "]}";
  ecr_ledger *a = parse_ok(arr, "2026-11-27");
  ecr_ledger *o = parse_ok(obj, "2026-11-27");
  assert_int_equal(a->n_entries, 1);
  assert_int_equal(o->n_entries, 1);
  const ecr_ledger_entry *e = &a->entries[0];
  assert_string_equal(e->id, "EX-1");
  assert_string_equal(e->principal, "arn:aws:iam::" ACCT ":role/ci-*");
  assert_int_equal(e->n_repositories, 1);
  assert_string_equal(e->repositories[0], REPO("team-a/*"));
  assert_int_equal(e->n_actions, 1);
  assert_string_equal(e->actions[0], "Write");
  assert_string_equal(e->justification, "CI publishes images");
  assert_string_equal(e->approved_by, "jane");
  assert_string_equal(e->ticket, "SEC-1");
  assert_string_equal(e->expires, "2030-01-01");
  assert_int_equal(e->expires_days, day("2030-01-01"));
  assert_int_equal(e->state, ECR_LEDGER_ACTIVE);
  assert_null(e->reason);
  assert_int_equal(e->position, 1);
  assert_string_equal(a->path, "ledger.json");
  assert_string_equal(a->as_of, "2026-11-27");
  assert_string_equal(o->entries[0].id, "EX-1");
  assert_int_equal(o->entries[0].state, ECR_LEDGER_ACTIVE);
  /* the hash is of the bytes, so the two forms differ */
  assert_string_not_equal(a->sha256, o->sha256);
  ecr_ledger_free(a);
  ecr_ledger_free(o);

  ecr_ledger *empty = parse_ok("[]", "2026-11-27");
  assert_int_equal(empty->n_entries, 0);
  ecr_ledger_free(empty);
  empty = parse_ok("{\"exceptions\": []}", "2026-11-27");
  assert_int_equal(empty->n_entries, 0);
  ecr_ledger_free(empty);
  ecr_ledger_free(NULL);
}

static void optional_and_single_string_fields(void **state) {
  (void)state;
  /* ticket absent or null; repositories/actions as single strings; x- annotations */
  const char *json =
      "[{\"id\": \"A\", \"principal\": \"*\", \"repositories\": \"*\", \"actions\": \"ecr:*\","
      " \"justification\": \"j\", \"approved_by\": \"a\", \"expires\": \"2030-01-01\","
      " \"x-note\": {\"anything\": [1, 2]}},"
      " {\"id\": \"B\", \"principal\": \"service:codebuild.amazonaws.com\","
      " \"repositories\": [\"*\"], \"actions\": [\"read\", \"LIST\"], \"justification\": \"j\","
      " \"approved_by\": \"a\", \"ticket\": null, \"expires\": \"2030-01-01\"}]";
  ecr_ledger *l = parse_ok(json, "2026-11-27");
  assert_int_equal(l->n_entries, 2);
  for (size_t i = 0; i < 2; i++) {
    assert_int_equal(l->entries[i].state, ECR_LEDGER_ACTIVE);
    assert_null(l->entries[i].ticket);
  }
  assert_int_equal(l->entries[0].n_repositories, 1);
  assert_string_equal(l->entries[0].repositories[0], "*");
  assert_string_equal(l->entries[0].actions[0], "ecr:*");
  assert_int_equal(l->entries[1].position, 2);
  ecr_ledger_free(l);
}

/* ---- states and expiry ---------------------------------------------------- */

static ecr_ledger_state state_for(const char *expires, const char *as_of) {
  char *json = ecr_xasprintf("[" ENTRY("E", ", \"expires\": \"%s\"") "]", expires);
  ecr_ledger *l = parse_ok(json, as_of);
  ecr_ledger_state s = l->entries[0].state;
  ecr_ledger_free(l);
  free(json);
  return s;
}

static void expiry_boundary(void **state) {
  (void)state;
  assert_int_equal(state_for("2026-11-27", "2026-11-26"), ECR_LEDGER_ACTIVE);
  assert_int_equal(state_for("2026-11-27", "2026-11-27"), ECR_LEDGER_ACTIVE);
  assert_int_equal(state_for("2026-11-27", "2026-11-28"), ECR_LEDGER_EXPIRED);
  /* month and year ends */
  assert_int_equal(state_for("2026-12-31", "2026-12-31"), ECR_LEDGER_ACTIVE);
  assert_int_equal(state_for("2026-12-31", "2027-01-01"), ECR_LEDGER_EXPIRED);
  assert_int_equal(state_for("2026-04-30", "2026-05-01"), ECR_LEDGER_EXPIRED);

  char *json = ecr_xasprintf("[" ENTRY("E", ", \"expires\": \"%s\"") "]", "2024-01-31");
  ecr_ledger *l = parse_ok(json, "2026-11-27");
  assert_int_equal(l->entries[0].state, ECR_LEDGER_EXPIRED);
  assert_string_equal(l->entries[0].reason,
                      "Expired on 2024-01-31 (as of 2026-11-27), so it excepts nothing.");
  ecr_ledger_free(l);
  free(json);
}

static void leap_days(void **state) {
  (void)state;
  /* 2028-02-29 exists: active on the day, expired on 03-01 */
  assert_int_equal(state_for("2028-02-29", "2028-02-29"), ECR_LEDGER_ACTIVE);
  assert_int_equal(state_for("2028-02-29", "2028-03-01"), ECR_LEDGER_EXPIRED);
  /* expiring 02-28 of a leap year: the 29th is the day after */
  assert_int_equal(state_for("2028-02-28", "2028-02-29"), ECR_LEDGER_EXPIRED);
  /* 2000 was a leap year (divisible by 400) */
  assert_int_equal(state_for("2000-02-29", "2000-02-29"), ECR_LEDGER_ACTIVE);
  /* no 29th in 2027 or 2100 (century, not divisible by 400) */
  assert_int_equal(state_for("2027-02-29", "2026-01-01"), ECR_LEDGER_INVALID);
  assert_int_equal(state_for("2100-02-29", "2026-01-01"), ECR_LEDGER_INVALID);
  assert_int_equal(state_for("2100-02-28", "2026-01-01"), ECR_LEDGER_ACTIVE);
  /* as-of date printed back correctly across a leap day */
  ecr_ledger *l = parse_ok("[]", "2028-02-29");
  assert_string_equal(l->as_of, "2028-02-29");
  ecr_ledger_free(l);
  l = parse_ok("[]", "1970-01-01");
  assert_string_equal(l->as_of, "1970-01-01");
  ecr_ledger_free(l);
}

static void state_names(void **state) {
  (void)state;
  assert_string_equal(ecr_ledger_state_name(ECR_LEDGER_ACTIVE), "active");
  assert_string_equal(ecr_ledger_state_name(ECR_LEDGER_EXPIRED), "expired");
  assert_string_equal(ecr_ledger_state_name(ECR_LEDGER_UNUSED), "unused");
  assert_string_equal(ecr_ledger_state_name(ECR_LEDGER_INVALID), "invalid");
}

/* ---- invalid entries ------------------------------------------------------- */

typedef struct bad_case {
  const char *entry; /* JSON of one entry */
  const char *reason;
} bad_case;

#define BASE(id)                                                                                   \
  "\"id\": \"" id "\", \"principal\": \"arn:aws:iam::" ACCT ":role/ci\", "                         \
  "\"justification\": \"j\", \"approved_by\": \"a\", \"expires\": \"2030-01-01\""
#define BASE_RA(id) BASE(id) ", \"repositories\": [\"*\"], \"actions\": [\"Write\"]"

static const bad_case bad_cases[] = {
    {"{" BASE("R1") ", \"repositories\": [], \"actions\": [\"Write\"]}", "repositories is empty"},
    {"{" BASE("R2") ", \"repositories\": [\"*\"], \"actions\": []}", "actions is empty"},
    {"{" BASE("R3") ", \"actions\": [\"Write\"]}", "repositories is missing"},
    {"{" BASE("R4") ", \"repositories\": [\"*\"]}", "actions is missing"},
    {"{" BASE("R5") ", \"repositories\": [\"\"], \"actions\": [\"Write\"]}",
     "repositories[0] \"\" is not a valid glob: it is empty"},
    {"{" BASE("R6") ", \"repositories\": [\"*\", \"arn:aws:ecr:*\\u0001\"], \"actions\": "
                    "[\"Write\"]}",
     "repositories[1] \"arn:aws:ecr:*?\" is not a valid glob: it contains a control character"},
    {"{" BASE("R7") ", \"repositories\": [\" arn:aws:ecr:*\"], \"actions\": [\"Write\"]}",
     "leading or trailing spaces"},
    {"{" BASE("R8") ", \"repositories\": [\"team-a/api\"], \"actions\": [\"Write\"]}",
     "repositories[0] \"team-a/api\" is not a repository ARN glob"},
    {"{" BASE("R9") ", \"repositories\": [1], \"actions\": [\"Write\"]}",
     "repositories[0] must be a string, not a number"},
    {"{" BASE("R10") ", \"repositories\": {\"a\": 1}, \"actions\": [\"Write\"]}",
     "repositories must be a string or an array of strings, not an object"},
    {"{" BASE("A1") ", \"repositories\": [\"*\"], \"actions\": [\"Writ\"]}",
     "actions[0] \"Writ\" is neither an access level"},
    {"{" BASE("A2") ", \"repositories\": [\"*\"], \"actions\": [\"Write\", "
                    "\"Permissions-management\"]}",
     "actions[1] \"Permissions-management\" is neither an access level"},
    {"{" BASE("A3") ", \"repositories\": [\"*\"], \"actions\": [\"\"]}",
     "actions[0] \"\" is not a valid glob: it is empty"},
    {"{" BASE("A4") ", \"repositories\": [\"*\"], \"actions\": true}",
     "actions must be a string or an array of strings, not a boolean"},
    {"{" BASE("A5") ", \"repositories\": [\"*\"], \"actions\": [\"ecr:Put\\t*\"]}",
     "it contains a control character"},
    {"{\"id\": \"P1\", \"justification\": \"j\", \"approved_by\": \"a\", \"expires\": "
     "\"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "principal is missing"},
    {"{\"id\": \"P2\", \"principal\": {}, \"justification\": \"j\", \"approved_by\": \"a\", "
     "\"expires\": \"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "principal must be a string, not an object"},
    {"{\"id\": \"P3\", \"principal\": \"" ACCT "\", \"justification\": \"j\", \"approved_by\": "
     "\"a\", \"expires\": \"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "is a bare account id: write \"arn:aws:iam::" ACCT ":root\""},
    {"{\"id\": \"P4\", \"principal\": \"alice\", \"justification\": \"j\", \"approved_by\": "
     "\"a\", \"expires\": \"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "principal \"alice\" is not a principal glob"},
    {"{\"id\": \"P5\", \"principal\": \"\", \"justification\": \"j\", \"approved_by\": "
     "\"a\", \"expires\": \"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "principal is empty"},
    {"{\"id\": \"P6\", \"principal\": \"arn:aws:iam::" ACCT ":role/ci \", \"justification\": "
     "\"j\", \"approved_by\": \"a\", \"expires\": \"2030-01-01\", \"repositories\": [\"*\"], "
     "\"actions\": [\"Write\"]}",
     "leading or trailing spaces"},
    {"{\"id\": \"J1\", \"principal\": \"*\", \"approved_by\": \"a\", \"expires\": "
     "\"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "justification is missing"},
    {"{\"id\": \"J2\", \"principal\": \"*\", \"justification\": \"  \", \"approved_by\": \"a\", "
     "\"expires\": \"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "justification is empty"},
    {"{\"id\": \"J3\", \"principal\": \"*\", \"justification\": 42, \"approved_by\": \"a\", "
     "\"expires\": \"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "justification must be a string, not a number"},
    {"{\"id\": \"B1\", \"principal\": \"*\", \"justification\": \"j\", \"expires\": "
     "\"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "approved_by is missing"},
    {"{\"id\": \"B2\", \"principal\": \"*\", \"justification\": \"j\", \"approved_by\": null, "
     "\"expires\": \"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "approved_by is missing"},
    {"{\"id\": \"E1\", \"principal\": \"*\", \"justification\": \"j\", \"approved_by\": \"a\", "
     "\"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "expires is missing"},
    {"{\"id\": \"E2\", \"principal\": \"*\", \"justification\": \"j\", \"approved_by\": \"a\", "
     "\"expires\": \"2025-02-30\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "expires \"2025-02-30\" is not a calendar date in the form YYYY-MM-DD"},
    {"{\"id\": \"E3\", \"principal\": \"*\", \"justification\": \"j\", \"approved_by\": \"a\", "
     "\"expires\": \"tomorrow\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "expires \"tomorrow\" is not a calendar date"},
    {"{\"id\": \"E4\", \"principal\": \"*\", \"justification\": \"j\", \"approved_by\": \"a\", "
     "\"expires\": 20300101, \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "expires must be a string, not a number"},
    {"{\"id\": \"E5\", \"principal\": \"*\", \"justification\": \"j\", \"approved_by\": \"a\", "
     "\"expires\": \"2030-1-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "not a calendar date"},
    {"{\"id\": \"E6\", \"principal\": \"*\", \"justification\": \"j\", \"approved_by\": \"a\", "
     "\"expires\": \"2030-01-01T00:00:00Z\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "not a calendar date"},
    {"{\"id\": \"E7\", \"principal\": \"*\", \"justification\": \"j\", \"approved_by\": \"a\", "
     "\"expires\": \"2030-13-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}",
     "not a calendar date"},
    {"{" BASE_RA("T1") ", \"ticket\": 5}", "ticket must be a string, not a number"},
    {"{" BASE_RA("T2") ", \"ticket\": \"\"}", "ticket is empty"},
    {"{" BASE_RA("F1") ", \"Principal\": \"*\"}",
     "unknown field \"Principal\" (did you mean \"principal\"?)"},
    {"{" BASE_RA("F2") ", \"expiry\": \"2030-01-01\"}", "unknown field \"expiry\""},
};

static void every_invalid_reason(void **state) {
  (void)state;
  size_t n = sizeof(bad_cases) / sizeof(bad_cases[0]);
  for (size_t i = 0; i < n; i++) {
    char *json = ecr_xasprintf("[%s]", bad_cases[i].entry);
    ecr_ledger *l = parse_ok(json, "2026-11-27");
    assert_int_equal(l->n_entries, 1);
    const ecr_ledger_entry *e = &l->entries[0];
    if (e->state != ECR_LEDGER_INVALID)
      fail_msg("case %zu (%s) is %s, not invalid", i, e->id, ecr_ledger_state_name(e->state));
    assert_reason(e, bad_cases[i].reason);
    /* one sentence: ends with '.', no line breaks */
    size_t len = strlen(e->reason);
    assert_true(len > 1 && e->reason[len - 1] == '.');
    assert_null(strchr(e->reason, '\n'));
    /* an invalid entry covers nothing, even a grant it would otherwise match */
    const char *repos[] = {"*"};
    const char *acts[] = {"ecr:PutImage"};
    assert_false(ecr_ledger_entry_covers(e, "*", repos, 1, acts, 1, "Write"));
    ecr_ledger_free(l);
    free(json);
  }
}

static void ids_and_entry_shapes(void **state) {
  (void)state;
  const char *json = "[\"not an entry\", {" BASE_RA("X") "}, {" BASE_RA("X") "}, {" BASE_RA(
      "x") "},"
           " {\"principal\": \"*\", \"justification\": \"j\", \"approved_by\": \"a\", \"expires\": "
           "\"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]},"
           " {\"id\": 7, \"principal\": \"*\", \"justification\": \"j\", \"approved_by\": \"a\", "
           "\"expires\": \"2030-01-01\", \"repositories\": [\"*\"], \"actions\": [\"Write\"]}]";
  ecr_ledger *l = parse_ok(json, "2026-11-27");
  assert_int_equal(l->n_entries, 6);
  assert_string_equal(l->entries[0].id, "#1");
  assert_int_equal(l->entries[0].state, ECR_LEDGER_INVALID);
  assert_reason(&l->entries[0], "the entry is a string, not an object");
  /* first X stays active, the second is invalid */
  assert_int_equal(l->entries[1].state, ECR_LEDGER_ACTIVE);
  assert_int_equal(l->entries[2].state, ECR_LEDGER_INVALID);
  assert_string_equal(l->entries[2].id, "X");
  assert_reason(&l->entries[2], "id \"X\" is already used by entry #2");
  /* ids are case-sensitive */
  assert_int_equal(l->entries[3].state, ECR_LEDGER_ACTIVE);
  assert_string_equal(l->entries[4].id, "#5");
  assert_reason(&l->entries[4], "id is missing");
  assert_string_equal(l->entries[5].id, "#6");
  assert_reason(&l->entries[5], "id must be a string, not a number");
  ecr_ledger_free(l);
}

static void several_problems_one_sentence(void **state) {
  (void)state;
  const char *json = "[{\"id\": \"M\", \"principal\": \"*\", \"repositories\": [], "
                     "\"actions\": [\"Writ\"], \"expires\": \"tomorrow\"}]";
  ecr_ledger *l = parse_ok(json, "2026-11-27");
  const ecr_ledger_entry *e = &l->entries[0];
  assert_int_equal(e->state, ECR_LEDGER_INVALID);
  assert_string_equal(
      e->reason, "repositories is empty; actions[0] \"Writ\" is neither an access level (Write, "
                 "Permissions management, Tagging, Read, List) nor an action glob such as "
                 "\"ecr:PutImage\"; justification is missing; approved_by is missing; expires "
                 "\"tomorrow\" is not a calendar date in the form YYYY-MM-DD.");
  assert_int_equal(e->expires_days, -1);
  ecr_ledger_free(l);
}

static void hostile_values_in_reasons(void **state) {
  (void)state;
  /* control characters are shown as '?', long values are cut */
  char longv[400];
  memset(longv, 'z', sizeof(longv) - 1);
  longv[sizeof(longv) - 1] = '\0';
  char *json = ecr_xasprintf("[{" BASE("H") ", \"repositories\": [\"%s\"], \"actions\": "
                                            "[\"<b>\\u001b[31m\"]}]",
                             longv);
  ecr_ledger *l = parse_ok(json, "2026-11-27");
  const ecr_ledger_entry *e = &l->entries[0];
  assert_int_equal(e->state, ECR_LEDGER_INVALID);
  assert_reason(e, "actions[0] \"<b>?[31m\" is not a valid glob: it contains a control character");
  assert_reason(e, "zzz...\" is not a repository ARN glob");
  assert_true(strlen(e->reason) < 600);
  for (const char *p = e->reason; *p; p++) assert_true((unsigned char)*p >= 0x20);
  /* the value itself is kept as written */
  assert_string_equal(e->actions[0], "<b>\x1b[31m");
  ecr_ledger_free(l);
  free(json);
}

/* ---- coverage --------------------------------------------------------------- */

static const char *const A_API = REPO("team-a/api");
static const char *const A_WEB = REPO("team-a/web");
static const char *const B_WEB = REPO("team-b/web");

static void coverage_rules(void **state) {
  (void)state;
  const char *json =
      "[{\"id\": \"team-a-write\", \"principal\": \"arn:aws:iam::" ACCT ":role/ci-*\","
      " \"repositories\": [\"" REPO(
          "team-a/*") "\"], \"actions\": [\"write\"],"
                      " \"justification\": \"j\", \"approved_by\": \"a\", \"expires\": "
                      "\"2030-01-01\"},"
                      " {\"id\": \"put-only\", \"principal\": \"arn:aws:iam::" ACCT ":user/*\","
                      " \"repositories\": [\"" REPO("team-a/*") "\", \"" REPO(
                          "team-b/*") "\"],"
                                      " \"actions\": [\"ECR:put*\"], \"justification\": \"j\", "
                                      "\"approved_by\": \"a\","
                                      " \"expires\": \"2030-01-01\"},"
                                      " {\"id\": \"registry\", \"principal\": \"*\", "
                                      "\"repositories\": [\"*\"],"
                                      " \"actions\": [\"Permissions Management\"], "
                                      "\"justification\": \"j\", \"approved_by\":"
                                      " \"a\", \"expires\": \"2030-01-01\"},"
                                      " {\"id\": \"arn-star\", \"principal\": \"*\", "
                                      "\"repositories\": [\"arn:aws:ecr:*\"],"
                                      " \"actions\": [\"ecr:*\"], \"justification\": \"j\", "
                                      "\"approved_by\": \"a\","
                                      " \"expires\": \"2030-01-01\"}]";
  ecr_ledger *l = parse_ok(json, "2026-11-27");
  for (size_t i = 0; i < l->n_entries; i++)
    assert_int_equal(l->entries[i].state, ECR_LEDGER_ACTIVE);
  const ecr_ledger_entry *tw = find(l, "team-a-write"), *po = find(l, "put-only"),
                         *rg = find(l, "registry"), *as = find(l, "arn-star");
  const char *role = "arn:aws:iam::" ACCT ":role/ci-build";
  const char *write_acts[] = {"ecr:CompleteLayerUpload", "ecr:PutImage"};

  /* access level name (case-insensitive) covers every action of that level */
  const char *repos_a[] = {A_API, A_WEB};
  assert_true(ecr_ledger_entry_covers(tw, role, repos_a, 2, write_acts, 2, "Write"));
  assert_false(ecr_ledger_entry_covers(tw, role, repos_a, 2, write_acts, 2, "Tagging"));
  assert_false(ecr_ledger_entry_covers(tw, role, repos_a, 2, write_acts, 2, NULL));
  /* partial repository coverage does not cover */
  const char *repos_ab[] = {A_API, B_WEB};
  assert_false(ecr_ledger_entry_covers(tw, role, repos_ab, 2, write_acts, 2, "Write"));
  /* principals are case-sensitive globs */
  assert_false(ecr_ledger_entry_covers(tw, "arn:aws:iam::" ACCT ":role/CI-build", repos_a, 2,
                                       write_acts, 2, "Write"));
  assert_false(ecr_ledger_entry_covers(tw, "arn:aws:iam::" ACCT ":user/ci-x", repos_a, 2,
                                       write_acts, 2, "Write"));
  /* repositories are case-sensitive */
  const char *repos_upper[] = {REPO("Team-a/api")};
  assert_false(ecr_ledger_entry_covers(tw, role, repos_upper, 1, write_acts, 2, "Write"));
  /* registry-level finding ("*") is not covered by a repository glob */
  const char *star[] = {"*"};
  assert_false(ecr_ledger_entry_covers(tw, role, star, 1, write_acts, 2, "Write"));
  assert_false(ecr_ledger_entry_covers(as, role, star, 1, write_acts, 2, "Write"));
  assert_true(ecr_ledger_entry_covers(as, role, repos_ab, 2, write_acts, 2, "Write"));
  /* ... only by a glob matching the literal "*" */
  const char *perm_acts[] = {"ecr:SetRegistryPolicy"};
  assert_true(ecr_ledger_entry_covers(rg, role, star, 1, perm_acts, 1, "Permissions management"));
  assert_true(
      ecr_ledger_entry_covers(rg, "*", repos_ab, 2, perm_acts, 1, "Permissions management"));
  assert_false(ecr_ledger_entry_covers(rg, role, star, 1, perm_acts, 1, "Write"));

  /* action globs: case-insensitive, every action must match */
  const char *user = "arn:aws:iam::" ACCT ":user/alice";
  const char *puts_[] = {"ecr:PutImage", "ecr:PutLifecyclePolicy"};
  const char *mixed[] = {"ecr:BatchDeleteImage", "ecr:PutImage"};
  assert_true(ecr_ledger_entry_covers(po, user, repos_ab, 2, puts_, 2, "Write"));
  assert_false(ecr_ledger_entry_covers(po, user, repos_ab, 2, mixed, 2, "Write"));
  const char *third[] = {A_API, REPO("team-c/x")};
  assert_false(ecr_ledger_entry_covers(po, user, third, 2, puts_, 2, "Write"));
  /* nothing to cover is never covered */
  assert_false(ecr_ledger_entry_covers(po, user, repos_ab, 0, puts_, 2, "Write"));
  assert_false(ecr_ledger_entry_covers(po, user, repos_ab, 2, puts_, 0, "Write"));
  assert_false(ecr_ledger_entry_covers(NULL, user, repos_ab, 2, puts_, 2, "Write"));
  ecr_ledger_free(l);
}

static void multiple_globs_combine(void **state) {
  (void)state;
  const char *json =
      "[{\"id\": \"C\", \"principal\": \"arn:aws:iam::" ACCT ":role/?i-*\","
      " \"repositories\": [\"" REPO("team-a/*") "\", \"" REPO(
          "team-b/web") "\"],"
                        " \"actions\": [\"ecr:Put*\", \"ecr:BatchDeleteImage\", \"Tagging\"],"
                        " \"justification\": \"j\", \"approved_by\": \"a\", \"expires\": "
                        "\"2030-01-01\"}]";
  ecr_ledger *l = parse_ok(json, "2026-11-27");
  const ecr_ledger_entry *e = &l->entries[0];
  const char *repos[] = {A_API, B_WEB};
  const char *acts[] = {"ecr:BatchDeleteImage", "ecr:PutImage"};
  assert_true(
      ecr_ledger_entry_covers(e, "arn:aws:iam::" ACCT ":role/ci-x", repos, 2, acts, 2, "Write"));
  const char *tag[] = {"ecr:TagResource", "ecr:UntagResource"};
  assert_true(
      ecr_ledger_entry_covers(e, "arn:aws:iam::" ACCT ":role/ci-x", repos, 2, tag, 2, "Tagging"));
  const char *repos2[] = {A_API, REPO("team-b/web2")};
  assert_false(
      ecr_ledger_entry_covers(e, "arn:aws:iam::" ACCT ":role/ci-x", repos2, 2, acts, 2, "Write"));
  ecr_ledger_free(l);
}

/* ---- matching and unused ------------------------------------------------------- */

static void match_and_unused(void **state) {
  (void)state;
  const char *json = "[" ENTRY("old", ", \"expires\": \"2025-01-01\"") "," ENTRY(
      "current",
      ", \"expires\": \"2030-01-01\"") "," ENTRY("spare",
                                                 ", \"expires\": \"2030-01-01\","
                                                 " \"Principal\": \"x\"") ","
                                                                          "{\"id\": "
                                                                          "\"lapsed-only\", "
                                                                          "\"principal\": "
                                                                          "\"arn:aws:iam::" ACCT
                                                                          ":user/bob\","
                                                                          " \"repositories\": "
                                                                          "[\"*\"], \"actions\": "
                                                                          "[\"Tagging\"], "
                                                                          "\"justification\": "
                                                                          "\"j\","
                                                                          " \"approved_by\": "
                                                                          "\"a\", \"expires\": "
                                                                          "\"2025-06-30\"},"
                                                                          "{\"id\": \"never\", "
                                                                          "\"principal\": "
                                                                          "\"arn:aws:iam::" ACCT
                                                                          ":user/nobody\","
                                                                          " \"repositories\": "
                                                                          "[\"*\"], \"actions\": "
                                                                          "[\"Tagging\"], "
                                                                          "\"justification\": "
                                                                          "\"j\","
                                                                          " \"approved_by\": "
                                                                          "\"a\", \"expires\": "
                                                                          "\"2030-06-30\"},"
                                                                          "{\"id\": "
                                                                          "\"expired-unmatched\", "
                                                                          "\"principal\": "
                                                                          "\"arn:aws:iam::" ACCT
                                                                          ":user/nobody\","
                                                                          " \"repositories\": "
                                                                          "[\"*\"], \"actions\": "
                                                                          "[\"Tagging\"], "
                                                                          "\"justification\": "
                                                                          "\"j\","
                                                                          " \"approved_by\": "
                                                                          "\"a\", \"expires\": "
                                                                          "\"2020-06-30\"}]";
  ecr_ledger *l = parse_ok(json, "2026-11-27");
  assert_int_equal(l->n_entries, 6);
  /* "spare" has an unknown field "Principal": invalid */
  assert_int_equal(find(l, "spare")->state, ECR_LEDGER_INVALID);
  const char *role = "arn:aws:iam::" ACCT ":role/ci-push";
  const char *repos[] = {A_API};
  const char *acts[] = {"ecr:PutImage"};
  /* active wins over an earlier expired entry; both count as matched */
  const ecr_ledger_entry *m = ecr_ledger_match(l, role, repos, 1, acts, 1, "Write");
  assert_non_null(m);
  assert_string_equal(m->id, "current");
  assert_int_equal(find(l, "old")->matched, 1);
  assert_int_equal(find(l, "current")->matched, 1);
  assert_int_equal(find(l, "spare")->matched, 0);
  /* only an expired entry: it is returned, so the report can say "lapsed" */
  const char *star[] = {"*"};
  const char *tag[] = {"ecr:TagResource"};
  m = ecr_ledger_match(l, "arn:aws:iam::" ACCT ":user/bob", star, 1, tag, 1, "Tagging");
  assert_non_null(m);
  assert_string_equal(m->id, "lapsed-only");
  assert_int_equal(m->state, ECR_LEDGER_EXPIRED);
  /* nothing */
  assert_null(ecr_ledger_match(l, "arn:aws:iam::" ACCT ":user/carol", star, 1, tag, 1, "Tagging"));
  assert_null(ecr_ledger_match(NULL, role, repos, 1, acts, 1, "Write"));

  ecr_ledger_mark_unused(l);
  assert_int_equal(find(l, "current")->state, ECR_LEDGER_ACTIVE);
  assert_int_equal(find(l, "old")->state, ECR_LEDGER_EXPIRED);
  assert_int_equal(find(l, "lapsed-only")->state, ECR_LEDGER_EXPIRED);
  assert_int_equal(find(l, "expired-unmatched")->state, ECR_LEDGER_EXPIRED);
  assert_int_equal(find(l, "spare")->state, ECR_LEDGER_INVALID);
  const ecr_ledger_entry *nv = find(l, "never");
  assert_int_equal(nv->state, ECR_LEDGER_UNUSED);
  assert_string_equal(nv->reason, "Active until 2030-06-30 but covers no finding (an entry "
                                  "must cover every repository and every action of a finding).");
  ecr_ledger_mark_unused(NULL);
  ecr_ledger_free(l);
}

/* ---- files, hashing and errors ---------------------------------------------------- */

static void sha256_matches_sha256sum(void **state) {
  (void)state;
  char *dir = ecr_test_tmpdir("ledger-sha");
  const char *text = "{\"exceptions\": [" ENTRY("EX-1", ", \"expires\": \"2030-01-01\"") "]}\n";
  ecr_test_write(dir, "ledger.json", text);
  char *path = ecr_path_join(dir, "ledger.json");
  ecr_ledger *l = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_ledger_load(path, day("2026-11-27"), &l, &err), ECR_OK);
  char *cmd = ecr_xasprintf("sha256sum '%s'", path);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  char line[256] = "";
  assert_non_null(fgets(line, sizeof(line), p));
  assert_int_equal(pclose(p), 0);
  line[64] = '\0';
  assert_string_equal(l->sha256, line);
  assert_string_equal(l->path, path);
  assert_int_equal(l->entries[0].state, ECR_LEDGER_ACTIVE);
  ecr_ledger_free(l);

  /* a byte-order mark is skipped for parsing but part of the hash */
  char *bom = ecr_xasprintf("\xef\xbb\xbf%s", text);
  l = parse_ok(bom, "2026-11-27");
  char expect[65];
  ecr_sha256_hex(bom, strlen(bom), expect);
  assert_string_equal(l->sha256, expect);
  assert_string_not_equal(l->sha256, line);
  ecr_ledger_free(l);
  free(bom);
  free(cmd);
  free(path);
  ecr_test_rmrf(dir);
  free(dir);
}

static ecr_error parse_err(const char *json, size_t len) {
  ecr_ledger *l = (ecr_ledger *)(uintptr_t)1;
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = ecr_ledger_parse("acme/ledger.json", json, len, day("2026-11-27"), &l, &err);
  assert_int_equal(st, ECR_E_INPUT);
  assert_int_equal(err.code, ECR_E_INPUT);
  assert_null(l);
  assert_string_equal(err.file, "acme/ledger.json");
  return err;
}

static void input_errors(void **state) {
  (void)state;
  ecr_error e;
  /* malformed JSON: line and column of the parse position */
  const char *trailing = "[\n  {\"id\": \"a\",\n   \"principal\": \"*\",}\n]\n";
  e = parse_err(trailing, strlen(trailing));
  assert_int_equal(e.line, 3);
  assert_true(e.column >= 20 && e.column <= 22);
  assert_non_null(strstr(e.message, "malformed JSON"));
  char buf[1024];
  ecr_error_format(&e, buf, sizeof(buf));
  assert_non_null(strstr(buf, "acme/ledger.json: line 3, column"));

  const char *truncated = "{\"exceptions\": [\n {\"id\": \"a\"";
  e = parse_err(truncated, strlen(truncated));
  assert_int_equal(e.line, 2);
  assert_non_null(strstr(e.message, "malformed JSON"));

  const char *garbage_after = "[]\n]";
  e = parse_err(garbage_after, strlen(garbage_after));
  assert_int_equal(e.line, 2);

  e = parse_err("", 0);
  assert_non_null(strstr(e.message, "end of input"));

  /* not a ledger */
  e = parse_err("\"hello\"", 7);
  assert_non_null(strstr(e.message, "not an exceptions ledger"));
  assert_non_null(strstr(e.message, "a string"));
  e = parse_err("{\"entries\": []}", 15);
  assert_non_null(strstr(e.message, "no \"exceptions\" array"));
  e = parse_err("{\"exceptions\": {}}", 18);
  assert_non_null(strstr(e.message, "\"exceptions\" is an object, not an array"));
  e = parse_err("42", 2);
  assert_non_null(strstr(e.message, "a number"));

  /* issue 17: a duplicate key (cJSON keeps the first, jq and Python the last)
   * and U+0000 are input errors with the position, not invalid entries */
  const char *dup = "[{" BASE_RA("F3") ",\n \"approved_by\": \"b\"}]";
  e = parse_err(dup, strlen(dup));
  assert_int_equal(e.code, ECR_E_INPUT);
  assert_int_equal(e.line, 2);
  assert_int_equal(e.column, 2);
  assert_non_null(strstr(e.message, "duplicate key \"approved_by\""));
  const char *dup_esc = "[{" BASE_RA("I1") ", \"\\u0069d\": \"again\"}]";
  e = parse_err(dup_esc, strlen(dup_esc));
  assert_non_null(strstr(e.message, "duplicate key \"id\""));
  const char *dup_top = "{\"exceptions\": [], \"exceptions\": [{" BASE_RA("X") "}]}";
  e = parse_err(dup_top, strlen(dup_top));
  assert_non_null(strstr(e.message, "duplicate key \"exceptions\""));
  const char *nul_esc = "[{" BASE_RA("N\\u0000x") "}]";
  e = parse_err(nul_esc, strlen(nul_esc));
  assert_int_equal(e.code, ECR_E_INPUT);
  assert_non_null(strstr(e.message, "U+0000"));
  /* the same key in two different objects is fine */
  ecr_ledger *two = parse_ok("[{" BASE_RA("A") "}, {" BASE_RA("B") "}]", "2026-11-27");
  assert_int_equal(two->n_entries, 2);
  ecr_ledger_free(two);

  /* NUL byte and invalid UTF-8, with their position */
  e = parse_err("[\n  \0]", 6);
  assert_int_equal(e.line, 2);
  assert_int_equal(e.column, 3);
  assert_non_null(strstr(e.message, "NUL"));
  const char *latin1 = "[{\"id\": \"caf\xe9\"}]";
  e = parse_err(latin1, strlen(latin1));
  assert_int_equal(e.line, 1);
  assert_int_equal(e.column, 13);
  assert_non_null(strstr(e.message, "not valid UTF-8"));
  /* UTF-8 counts characters in columns */
  const char *utf = "[\"\xd0\x9f\xd1\x80\", ]";
  e = parse_err(utf, strlen(utf));
  assert_int_equal(e.line, 1);
}

static void file_errors(void **state) {
  (void)state;
  char *dir = ecr_test_tmpdir("ledger-err");
  char *missing = ecr_path_join(dir, "missing.json");
  ecr_ledger *l = NULL;
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_ledger_load(missing, 0, &l, &err), ECR_E_INPUT);
  assert_null(l);
  assert_string_equal(err.file, missing);
  assert_string_equal(err.message, "cannot read the exceptions ledger: no such file");

  /* a directory is not a ledger file */
  ecr_error_clear(&err);
  assert_int_equal(ecr_ledger_load(dir, 0, &l, &err), ECR_E_INPUT);
  assert_string_equal(err.file, dir);
  assert_string_equal(err.message, "cannot read the exceptions ledger: not a regular file");

  /* malformed file: name and line */
  ecr_test_write(dir, "bad.json", "[\n\n  {\"id\": }\n]\n");
  char *bad = ecr_path_join(dir, "bad.json");
  ecr_error_clear(&err);
  assert_int_equal(ecr_ledger_load(bad, 0, &l, &err), ECR_E_INPUT);
  assert_string_equal(err.file, bad);
  assert_int_equal(err.line, 3);
  assert_int_equal(err.column, 10);
  assert_int_equal(ecr_error_exit_code(err.code), 2);
  free(bad);
  free(missing);
  ecr_test_rmrf(dir);
  free(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(array_and_object_forms),
      cmocka_unit_test(optional_and_single_string_fields),
      cmocka_unit_test(expiry_boundary),
      cmocka_unit_test(leap_days),
      cmocka_unit_test(state_names),
      cmocka_unit_test(every_invalid_reason),
      cmocka_unit_test(ids_and_entry_shapes),
      cmocka_unit_test(several_problems_one_sentence),
      cmocka_unit_test(hostile_values_in_reasons),
      cmocka_unit_test(coverage_rules),
      cmocka_unit_test(multiple_globs_combine),
      cmocka_unit_test(match_and_unused),
      cmocka_unit_test(sha256_matches_sha256sum),
      cmocka_unit_test(input_errors),
      cmocka_unit_test(file_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
