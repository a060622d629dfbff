/* SigV4: every case of the AWS Signature Version 4 Test Suite
 * (tests/data/sigv4-test-suite) must give the suite's canonical request,
 * string to sign and Authorization header. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "collect/sigv4.h"
#include "util/util.h"

#define SUITE ECR_SOURCE_DIR "/tests/data/sigv4-test-suite"

static const ecr_sigv4_params suite_params = {
    .access_key = "AKIDEXAMPLE",
    .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    .region = "us-east-1",
    .service = "service",
    .amz_date = "20150830T123600Z",
};

static char *read_case(const char *dir, const char *name, const char *ext) {
  char *path = ecr_xasprintf("%s/%s.%s", dir, name, ext);
  char *text = ecr_test_slurp(path);
  free(path);
  /* the suite's files have CRLF-free LF lines and no final newline */
  return text;
}

static int n_cases;
static int n_failed;

static void check_case(const char *dir, const char *name) {
  char *req_text = read_case(dir, name, "req");
  char *want_creq = read_case(dir, name, "creq");
  char *want_sts = read_case(dir, name, "sts");
  char *want_authz = read_case(dir, name, "authz");
  ecr_sigv4_request req;
  ecr_sigv4_raw *raw = ecr_sigv4_raw_parse(req_text, strlen(req_text), &req);
  if (!raw) {
    fprintf(stdout, "%s: cannot parse .req\n", name);
    n_failed++;
    goto done;
  }
  char *creq = ecr_sigv4_canonical_request(&req, NULL);
  char *sts = ecr_sigv4_string_to_sign(&suite_params, creq);
  char *authz = ecr_sigv4_authorization(&req, &suite_params);
  if (strcmp(creq, want_creq) != 0) {
    fprintf(stdout, "%s: canonical request differs\n--- got\n%s\n--- want\n%s\n", name, creq,
            want_creq);
    n_failed++;
  } else if (strcmp(sts, want_sts) != 0) {
    fprintf(stdout, "%s: string to sign differs\n%s\n", name, sts);
    n_failed++;
  } else if (strcmp(authz, want_authz) != 0) {
    fprintf(stdout, "%s: authorization differs\n%s\n%s\n", name, authz, want_authz);
    n_failed++;
  }
  n_cases++;
  free(creq);
  free(sts);
  free(authz);
  ecr_sigv4_raw_free(raw);
done:
  free(req_text);
  free(want_creq);
  free(want_sts);
  free(want_authz);
}

static void walk(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  char **names = NULL;
  size_t n = 0, cap = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    ECR_PUSH(names, n, cap, ecr_xstrdup(e->d_name));
  }
  closedir(d);
  for (size_t i = 0; i < n; i++) {
    char *sub = ecr_path_join(dir, names[i]);
    struct stat st;
    if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
      char *req = ecr_xasprintf("%s/%s.req", sub, names[i]);
      if (ecr_file_exists(req))
        check_case(sub, names[i]);
      else
        walk(sub);
      free(req);
    }
    free(sub);
    free(names[i]);
  }
  free(names);
}

static void test_suite_all_cases(void **state) {
  (void)state;
  n_cases = n_failed = 0;
  walk(SUITE);
  fprintf(stdout, "sigv4 suite: %d cases, %d failed\n", n_cases, n_failed);
  assert_int_equal(n_cases, 31);
  assert_int_equal(n_failed, 0);
}

static void test_uri_encode(void **state) {
  (void)state;
  char *s = ecr_sigv4_uri_encode("a b/c~d+e=\xe1\x88\xb4", 13, false);
  assert_string_equal(s, "a%20b%2Fc~d%2Be%3D%E1%88%B4");
  free(s);
  s = ecr_sigv4_uri_encode("/a b/", 5, true);
  assert_string_equal(s, "/a%20b/");
  free(s);
}

static void test_canonical_uri(void **state) {
  (void)state;
  static const char *cases[][2] = {
      {"/", "/"},      {"", "/"},          {"/a/b/../c", "/a/c"}, {"/a/./b/", "/a/b/"},
      {"/../..", "/"}, {"//a//b", "/a/b"}, {"/a/b/..", "/a/"},    {"/%41", "/%2541"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *u = ecr_sigv4_canonical_uri(cases[i][0]);
    assert_string_equal(u, cases[i][1]);
    free(u);
  }
}

static void test_canonical_query(void **state) {
  (void)state;
  char *q = ecr_sigv4_canonical_query("b=2&a=x%20y&a=1&c&&d=%2f");
  assert_string_equal(q, "a=1&a=x%20y&b=2&c=&d=%2F");
  free(q);
  q = ecr_sigv4_canonical_query(NULL);
  assert_string_equal(q, "");
  free(q);
}

/* A request signed with a session token: the token header is signed and
 * the result matches the suite's post-sts-header-before case. */
static void test_token_signed(void **state) {
  (void)state;
  char *token = read_case(SUITE "/post-sts-token", "readme", "txt");
  char *tok = strstr(token, "AQoDYXdz");
  assert_non_null(tok);
  tok[strcspn(tok, " \r\n")] = '\0';
  ecr_sigv4_header h[] = {{"Host", "example.amazonaws.com"},
                          {"X-Amz-Date", "20150830T123600Z"},
                          {"X-Amz-Security-Token", tok}};
  ecr_sigv4_request req = {.method = "POST", .path = "/", .headers = h, .n_headers = 3};
  char *authz = ecr_sigv4_authorization(&req, &suite_params);
  char *want =
      read_case(SUITE "/post-sts-token/post-sts-header-before", "post-sts-header-before", "authz");
  assert_string_equal(authz, want);
  assert_null(strstr(authz, suite_params.secret_key));
  free(authz);
  free(want);
  free(token);
}

static void test_raw_parse_rejects(void **state) {
  (void)state;
  ecr_sigv4_request req;
  assert_null(ecr_sigv4_raw_parse("garbage", 7, &req));
  assert_null(ecr_sigv4_raw_parse("GET / HTTP/1.1\nNoColonHere\n", 27, &req));
  assert_null(ecr_sigv4_raw_parse("GET /\0 HTTP/1.1", 15, &req));
  ecr_sigv4_raw *raw = ecr_sigv4_raw_parse("GET /x?y=1 HTTP/1.1\nHost:h\n\nbody", 32, &req);
  assert_non_null(raw);
  assert_string_equal(req.path, "/x");
  assert_string_equal(req.query, "y=1");
  assert_int_equal(req.n_headers, 1);
  assert_int_equal(req.payload_len, 4);
  ecr_sigv4_raw_free(raw);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_suite_all_cases), cmocka_unit_test(test_uri_encode),
      cmocka_unit_test(test_canonical_uri),   cmocka_unit_test(test_canonical_query),
      cmocka_unit_test(test_token_signed),    cmocka_unit_test(test_raw_parse_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
