/* Utilities: glob, URL decoding, UTF-8 validation, dates, SOURCE_DATE_EPOCH,
 * template expansion, errors, atomic files (commit, abort, unwritable
 * directory). */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include "util/util.h"

/* ---- glob ------------------------------------------------------------------ */

static void glob_basics(void **state) {
  (void)state;
  assert_true(ecr_glob_match("ecr:PutImage", "ecr:PutImage", false));
  assert_false(ecr_glob_match("ecr:PutImage", "ecr:PutImages", false));
  assert_false(ecr_glob_match("ecr:PutImages", "ecr:PutImage", false));
  assert_true(ecr_glob_match("", "", false));
  assert_false(ecr_glob_match("", "a", false));
  assert_true(ecr_glob_match("*", "", false));
  assert_true(ecr_glob_match("*", "anything at all", false));
  assert_true(ecr_glob_match("**", "x", false));
  /* case */
  assert_false(ecr_glob_match("ecr:putimage", "ecr:PutImage", false));
  assert_true(ecr_glob_match("ecr:putimage", "ecr:PutImage", true));
  assert_true(ecr_glob_match("ECR:PUT*", "ecr:PutImage", true));
  assert_false(ecr_glob_match("ECR:PUT*", "ecr:PutImage", false));
  /* '?' is exactly one byte */
  assert_true(ecr_glob_match("ecr:?utImage", "ecr:PutImage", false));
  assert_false(ecr_glob_match("ecr:??utImage", "ecr:PutImage", false));
  assert_false(ecr_glob_match("a?", "a", false));
  assert_true(ecr_glob_match("a?c", "a/c", false));
  /* '*' spans '/' and ':' */
  assert_true(ecr_glob_match("arn:aws:ecr:*:111122223333:repository/*",
                             "arn:aws:ecr:eu-west-1:111122223333:repository/team/a/b", false));
  assert_true(ecr_glob_match("arn:*", "arn:aws:ecr:us-east-1:1:repository/x", false));
  assert_true(ecr_glob_match("a*z", "a/b:c/z", false));
  /* literal prefix / suffix */
  assert_false(ecr_glob_match("arn:aws:ecr:us-east-1:*:repository/app",
                              "arn:aws:ecr:us-east-1:1:repository/app2", false));
  assert_true(ecr_glob_match("*app", "repository/app", false));
  assert_false(ecr_glob_match("*app", "repository/apps", false));
}

static void glob_backtracking(void **state) {
  (void)state;
  /* the first '*' must give back what it swallowed */
  assert_true(ecr_glob_match("a*b*c", "aXbYbZc", false));
  assert_true(ecr_glob_match("*ab", "aab", false));
  assert_true(ecr_glob_match("*aab", "aaab", false));
  assert_true(ecr_glob_match("a*bc", "abcbc", false));
  assert_false(ecr_glob_match("a*bc", "abcbd", false));
  assert_true(ecr_glob_match("*?x", "yx", false));
  assert_false(ecr_glob_match("*?x", "x", false));
  assert_true(ecr_glob_match("*a?c*", "zzabzabcz", false));
  assert_true(ecr_glob_match("repository/*/prod", "repository/team/x/prod", false));
  assert_false(ecr_glob_match("repository/*/prod", "repository/prod", false));
}

static void glob_long_inputs(void **state) {
  (void)state;
  /* 200,000 'a' against 40 stars: a naive recursive matcher explodes */
  size_t n = 200000;
  char *text = ecr_xmalloc(n + 2);
  memset(text, 'a', n);
  text[n] = '\0';
  ecr_buf p;
  ecr_buf_init(&p);
  for (int i = 0; i < 40; i++) ecr_buf_puts(&p, "*a");
  ecr_buf_puts(&p, "*b");
  clock_t t0 = clock();
  assert_false(ecr_glob_match(p.data, text, false));
  text[n] = 'b';
  text[n + 1] = '\0';
  assert_true(ecr_glob_match(p.data, text, false));
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
  if (secs > 5.0) fail_msg("glob on a 200 KB input took %.1f s", secs);
  /* long literal pattern */
  char *copy = ecr_xstrdup(text);
  assert_true(ecr_glob_match(copy, text, false));
  copy[n / 2] = 'c';
  assert_false(ecr_glob_match(copy, text, false));
  free(copy);
  free(text);
  ecr_buf_cleanup(&p);
}

/* ---- URL decoding -------------------------------------------------------------- */

static void url_decode(void **state) {
  (void)state;
  struct {
    const char *in, *out;
  } cases[] = {
      {"%7B%22Version%22%3A%222012-10-17%22%7D", "{\"Version\":\"2012-10-17\"}"},
      {"a+b", "a+b"}, /* '+' kept (IAM encodes spaces as %20) */
      {"a%20b", "a b"},
      {"%2B", "+"},
      {"%2b%2F", "+/"}, /* lower-case hex */
      {"100%", "100%"}, /* invalid escapes are copied as written */
      {"%4", "%4"},
      {"%zz%41", "%zzA"},
      {"%%41", "%A"},
      {"", ""},
      {"no escapes", "no escapes"},
      {"%C3%A9", "\xC3\xA9"},
      /* ill-formed UTF-8: one U+FFFD per maximal subpart (utf8.c), as
         Python's unquote(errors="replace") */
      {"%E2%82A%FF", "\xEF\xBF\xBD"
                     "A\xEF\xBF\xBD"},
      {"%C0%AF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *d = ecr_url_decode(cases[i].in);
    if (strcmp(d, cases[i].out) != 0)
      fail_msg("url_decode(\"%s\") = \"%s\", want \"%s\"", cases[i].in, d, cases[i].out);
    free(d);
  }
}

/* ---- UTF-8 -------------------------------------------------------------------------- */

static void utf8(void **state) {
  (void)state;
  struct {
    const char *s;
    size_t len, first_bad; /* first_bad == len: valid */
  } cases[] = {
      {"plain ascii", 11, 11},
      {"caf\xC3\xA9", 5, 5},
      {"\xE2\x82\xAC", 3, 3},     /* euro sign */
      {"\xF0\x9F\x90\xB3", 4, 4}, /* whale emoji */
      {"\xF4\x8F\xBF\xBF", 4, 4}, /* U+10FFFF */
      {"ab\xC0\x80", 4, 2},       /* overlong NUL */
      {"\xC1\xBF", 2, 0},         /* overlong */
      {"\xE0\x80\x80", 3, 0},     /* overlong 3-byte */
      {"\xF0\x80\x80\x80", 4, 0}, /* overlong 4-byte */
      {"x\xED\xA0\x80", 4, 1},    /* surrogate U+D800 */
      {"\xF4\x90\x80\x80", 4, 0}, /* > U+10FFFF */
      {"\xF5\x80\x80\x80", 4, 0},
      {"abc\x80", 4, 3}, /* lone continuation byte */
      {"ab\xC3", 3, 2},  /* truncated at the end */
      {"\xE2\x82", 2, 0},
      {"\xC3\x28", 2, 0}, /* bad continuation */
      {"\xFF", 1, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    size_t got = ecr_utf8_first_invalid(cases[i].s, cases[i].len);
    if (got != cases[i].first_bad)
      fail_msg("case %zu: first invalid at %zu, want %zu", i, got, cases[i].first_bad);
    assert_int_equal(ecr_utf8_valid(cases[i].s, cases[i].len), cases[i].first_bad == cases[i].len);
  }
  /* an embedded NUL is a valid UTF-8 byte; length counts */
  assert_true(ecr_utf8_valid("a\0b", 3));
}

/* ---- dates and time -------------------------------------------------------------------- */

static void dates(void **state) {
  (void)state;
  long d = -1;
  assert_true(ecr_date_parse("1970-01-01", &d));
  assert_int_equal(d, 0);
  assert_true(ecr_date_parse("2000-03-01", &d));
  assert_int_equal(d, 11017);
  assert_true(ecr_date_parse("2024-02-29", &d)); /* leap year */
  assert_int_equal(d, 19782);
  assert_true(ecr_date_parse("2000-02-29", NULL));  /* divisible by 400 */
  assert_false(ecr_date_parse("2100-02-29", NULL)); /* divisible by 100 only */
  assert_false(ecr_date_parse("2025-02-29", NULL));
  assert_false(ecr_date_parse("2025-02-30", NULL));
  assert_true(ecr_date_parse("2025-02-28", NULL));
  assert_false(ecr_date_parse("2025-04-31", NULL));
  assert_true(ecr_date_parse("2025-12-31", NULL));
  assert_false(ecr_date_parse("2025-13-01", NULL));
  assert_false(ecr_date_parse("2025-00-10", NULL));
  assert_false(ecr_date_parse("2025-01-00", NULL));
  assert_false(ecr_date_parse("2025-1-01", NULL));
  assert_false(ecr_date_parse("2025-01-01x", NULL));
  assert_false(ecr_date_parse("2025/01/01", NULL));
  assert_false(ecr_date_parse(" 2025-01-01", NULL));
  assert_false(ecr_date_parse("", NULL));
  assert_false(ecr_date_parse(NULL, NULL));
  assert_false(ecr_date_parse("20a5-01-01", NULL));
  /* consecutive days differ by one across a month and a leap day */
  long a, b;
  assert_true(ecr_date_parse("2024-02-29", &a));
  assert_true(ecr_date_parse("2024-03-01", &b));
  assert_int_equal(b - a, 1);
  assert_true(ecr_date_parse("2026-12-31", &a));
  assert_true(ecr_date_parse("2027-01-01", &b));
  assert_int_equal(b - a, 1);
}

static void source_date_epoch(void **state) {
  (void)state;
  char iso[21], day[11];
  setenv("SOURCE_DATE_EPOCH", "1795780800", 1);
  time_t t = ecr_time_now();
  assert_int_equal((long long)t, 1795780800LL);
  ecr_time_iso8601(t, iso);
  assert_string_equal(iso, "2026-11-27T12:00:00Z");
  ecr_time_date(t, day);
  assert_string_equal(day, "2026-11-27");
  /* invalid values fall back to the clock */
  const char *bad[] = {"abc", "12x", "-5", ""};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    setenv("SOURCE_DATE_EPOCH", bad[i], 1);
    time_t now = time(NULL), got = ecr_time_now();
    if (got < now - 5 || got > now + 5)
      fail_msg("SOURCE_DATE_EPOCH=\"%s\" gave %lld, not the clock", bad[i], (long long)got);
  }
  unsetenv("SOURCE_DATE_EPOCH");
  time_t now = time(NULL);
  assert_true(ecr_time_now() >= now - 5 && ecr_time_now() <= now + 5);
  ecr_time_iso8601(0, iso);
  assert_string_equal(iso, "1970-01-01T00:00:00Z");
}

/* ---- templates ---------------------------------------------------------------------------- */

static void templates(void **state) {
  (void)state;
  const char *kv[] = {"name", "ci-role", "repos", "app, web", "empty", NULL, NULL};
  char *s = ecr_template_expand("{{name}} pushes to {{repos}}.", kv);
  assert_string_equal(s, "ci-role pushes to app, web.");
  free(s);
  s = ecr_template_expand("[{{unknown}}][{{empty}}]", kv);
  assert_string_equal(s, "[][]");
  free(s);
  s = ecr_template_expand("{{name}}{{name}}", kv);
  assert_string_equal(s, "ci-roleci-role");
  free(s);
  s = ecr_template_expand("no placeholders", kv);
  assert_string_equal(s, "no placeholders");
  free(s);
  s = ecr_template_expand("open {{name and never closed", kv);
  assert_string_equal(s, "open {{name and never closed");
  free(s);
  s = ecr_template_expand("{{name}}", NULL);
  assert_string_equal(s, "");
  free(s);
  /* a value holding braces is not expanded again */
  const char *kv2[] = {"a", "{{b}}", "b", "X", NULL};
  s = ecr_template_expand("{{a}}", kv2);
  assert_string_equal(s, "{{b}}");
  free(s);
  /* names match whole: {{nam}} is not {{name}} */
  s = ecr_template_expand("{{nam}}|{{namex}}", kv);
  assert_string_equal(s, "|");
  free(s);
  s = ecr_template_expand("", kv);
  assert_string_equal(s, "");
  free(s);
  /* the embedded text templates exist */
  assert_non_null(ecr_embedded_get("templates/text/impact/can-push.txt", NULL));
  assert_non_null(ecr_embedded_get("data/ecr-actions.json", NULL));
  assert_null(ecr_embedded_get("templates/text/nope.txt", NULL));
}

/* ---- errors -------------------------------------------------------------------------------- */

static void errors(void **state) {
  (void)state;
  ecr_error e;
  ecr_error_clear(&e);
  assert_int_equal(e.code, ECR_OK);
  char line[256];
  assert_int_equal(ecr_error_set_at(&e, ECR_E_INPUT, "iam/x.json", 3, 7, "bad %s", "thing"),
                   ECR_E_INPUT);
  ecr_error_format(&e, line, sizeof(line));
  assert_string_equal(line, "iam/x.json: line 3, column 7: bad thing");
  ecr_error_set(&e, ECR_E_OUTPUT, NULL, "two\nlines\t!");
  ecr_error_format(&e, line, sizeof(line));
  assert_string_equal(line, "two?lines?!");
  assert_int_equal(ecr_error_exit_code(ECR_OK), 0);
  assert_int_equal(ecr_error_exit_code(ECR_E_USAGE), 2);
  assert_int_equal(ecr_error_exit_code(ECR_E_INPUT), 2);
  assert_int_equal(ecr_error_exit_code(ECR_E_COLLECT), 3);
  assert_int_equal(ecr_error_exit_code(ECR_E_OUTPUT), 4);
  /* NULL error: still returns the code */
  assert_int_equal(ecr_error_set(NULL, ECR_E_INPUT, "f", "x"), ECR_E_INPUT);
}

/* ---- atomic files ----------------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir other than "." and "..", sorted, joined with ','. */
static char *listing(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  char *names[64];
  size_t n = 0;
  struct dirent *de;
  while ((de = readdir(d)) && n < 64) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    names[n++] = ecr_xstrdup(de->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof(char *), cmp_name);
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < n; i++) {
    if (i) ecr_buf_putc(&b, ',');
    ecr_buf_puts(&b, names[i]);
    free(names[i]);
  }
  return ecr_buf_steal(&b);
}

static void atomic_commit_and_abort(void **state) {
  (void)state;
  char *dir = ecr_test_tmpdir("atomic");
  char *path = ecr_path_join(dir, "out.txt");
  ecr_error err;
  ecr_error_clear(&err);

  /* commit: data appears under the final name, no temporary file remains */
  ecr_atomic_file af;
  assert_int_equal(ecr_atomic_open(&af, path, &err), ECR_OK);
  assert_true(ecr_atomic_write(&af, "hello ", 6));
  assert_true(ecr_atomic_write(&af, "world\n", 6));
  assert_false(ecr_file_exists(path)); /* not visible before the commit */
  assert_int_equal(ecr_atomic_commit(&af, &err), ECR_OK);
  char *got = ecr_test_slurp(path);
  assert_string_equal(got, "hello world\n");
  free(got);
  char *ls = listing(dir);
  assert_string_equal(ls, "out.txt");
  free(ls);

  /* abort: the previous file stays, the temporary file is gone */
  assert_int_equal(ecr_atomic_open(&af, path, &err), ECR_OK);
  assert_true(ecr_atomic_write(&af, "partial", 7));
  ecr_atomic_abort(&af);
  got = ecr_test_slurp(path);
  assert_string_equal(got, "hello world\n");
  free(got);
  ls = listing(dir);
  assert_string_equal(ls, "out.txt");
  free(ls);

  /* abort on a fresh name leaves nothing at all */
  char *fresh = ecr_path_join(dir, "fresh.txt");
  assert_int_equal(ecr_atomic_open(&af, fresh, &err), ECR_OK);
  assert_true(ecr_atomic_write(&af, "x", 1));
  ecr_atomic_abort(&af);
  assert_false(ecr_file_exists(fresh));
  ls = listing(dir);
  assert_string_equal(ls, "out.txt");
  free(ls);

  /* convenience writer replaces the file */
  assert_int_equal(ecr_atomic_write_file(path, "v2", 2, &err), ECR_OK);
  got = ecr_test_slurp(path);
  assert_string_equal(got, "v2");
  free(got);

  /* a commit that cannot rename (the target is a non-empty directory):
     ECR_E_OUTPUT naming the path, temporary removed, directory intact */
  char *blocker = ecr_path_join(dir, "blocked");
  ecr_test_write(dir, "blocked/keep", "keep");
  assert_int_equal(ecr_atomic_open(&af, blocker, &err), ECR_OK);
  assert_true(ecr_atomic_write(&af, "data", 4));
  assert_int_equal(ecr_atomic_commit(&af, &err), ECR_E_OUTPUT);
  assert_string_equal(err.file, blocker);
  ls = listing(dir);
  assert_string_equal(ls, "blocked,out.txt");
  free(ls);
  char *keep = ecr_path_join(blocker, "keep");
  got = ecr_test_slurp(keep);
  assert_string_equal(got, "keep");
  free(got);
  free(keep);
  free(blocker);

  /* a directory that does not exist */
  char *missing = ecr_path_join(dir, "no/such/dir/file.txt");
  ecr_error_clear(&err);
  assert_int_equal(ecr_atomic_write_file(missing, "x", 1, &err), ECR_E_OUTPUT);
  assert_string_equal(err.file, missing);
  assert_non_null(strstr(err.message, "cannot write"));
  free(missing);

  free(fresh);
  free(path);
  ecr_test_rmrf(dir);
  free(dir);
}

/* Unwritable directory: as root, permission bits do not stop us, so the
 * attempt runs in a child that dropped to nobody. The child exits with
 * 0 when ecr_atomic_write_file returned ECR_E_OUTPUT naming the path. */
static void atomic_unwritable_dir(void **state) {
  (void)state;
  char *dir = ecr_test_tmpdir("atomic-ro");
  char *path = ecr_path_join(dir, "findings.json");
  ecr_test_write(dir, "findings.json", "previous");
  assert_int_equal(chmod(dir, 0555), 0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(10);
    ecr_error err;
    ecr_error_clear(&err);
    ecr_status st = ecr_atomic_write_file(path, "new contents", 12, &err);
    if (st != ECR_E_OUTPUT) _exit(11);
    if (strcmp(err.file, path) != 0) _exit(12);
    if (!strstr(err.message, "Permission denied")) _exit(13);
    _exit(0);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  if (WEXITSTATUS(status) != 0) fail_msg("child check failed with code %d", WEXITSTATUS(status));
  assert_int_equal(chmod(dir, 0755), 0);
  char *got = ecr_test_slurp(path);
  assert_string_equal(got, "previous");
  free(got);
  char *ls = listing(dir);
  assert_string_equal(ls, "findings.json"); /* no temporary file left behind */
  free(ls);
  free(path);
  ecr_test_rmrf(dir);
  free(dir);
}

static void file_read_errors(void **state) {
  (void)state;
  char *dir = ecr_test_tmpdir("read");
  char *path = ecr_path_join(dir, "absent.json");
  char *data = NULL;
  size_t len = 0;
  ecr_error err;
  ecr_error_clear(&err);
  assert_int_equal(ecr_file_read(path, &data, &len, &err), ECR_E_INPUT);
  assert_null(data);
  assert_string_equal(err.file, path);
  assert_non_null(strstr(err.message, "missing"));
  /* a directory is not a regular file */
  assert_int_equal(ecr_file_read(dir, &data, &len, &err), ECR_E_INPUT);
  assert_non_null(strstr(err.message, "not a regular file"));
  ecr_test_write(dir, "f.txt", "abc");
  char *f = ecr_path_join(dir, "f.txt");
  assert_int_equal(ecr_file_read(f, &data, &len, &err), ECR_OK);
  assert_int_equal(len, 3);
  assert_string_equal(data, "abc");
  free(data);
  char hex[65];
  ecr_sha256_hex("abc", 3, hex);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  free(f);
  free(path);
  ecr_test_rmrf(dir);
  free(dir);
}

/* issue 17: duplicate keys (after unescaping) and U+0000, linear */
static bool jc(const char *s, size_t *off, size_t *first, char *msg) {
  return ecr_json_check(s, strlen(s), off, first, msg, 160);
}

static void json_check_rules(void **state) {
  (void)state;
  size_t off, first;
  char msg[160];
  assert_true(
      jc("{\"a\": 1, \"b\": {\"a\": 2}, \"c\": [{\"a\": 1}, {\"a\": 2}]}", &off, &first, msg));
  assert_true(jc("[\"a\", \"a\", {\"x\": \"a\", \"y\": \"a\"}]", &off, &first, msg));
  assert_true(jc("{\"a\": \"\\\\u0000\"}", &off, &first, msg));      /* an escaped backslash */
  assert_true(jc("{\"k\": \"{\\\"k\\\": 1}\"}", &off, &first, msg)); /* braces in a string */

  assert_false(jc("{\"a\": 1, \"a\": 2}", &off, &first, msg));
  assert_int_equal(off, 9);
  assert_int_equal(first, 1);
  assert_non_null(strstr(msg, "duplicate key \"a\""));
  /* keys are compared decoded, as jq and Python do */
  assert_false(jc("{\"Statement\": [], \"\\u0053tatement\": []}", &off, &first, msg));
  assert_non_null(strstr(msg, "Statement"));
  assert_false(jc("{\"\\ud83d\\ude00\": 1, \"\xf0\x9f\x98\x80\": 2}", &off, &first, msg));
  /* a nested object's keys do not clash with its parent's */
  assert_false(jc("{\"a\": {\"a\": {\"b\": 1, \"b\": 2}}}", &off, &first, msg));
  assert_int_equal(off, 21);
  /* the empty key twice */
  assert_false(jc("{\"\": 1, \"\": 2}", &off, &first, msg));

  assert_false(jc("[\"user/alice\\u0000mallory\"]", &off, &first, msg));
  assert_int_equal(off, 12);
  assert_int_equal(first, SIZE_MAX);
  assert_non_null(strstr(msg, "U+0000"));
  assert_false(jc("{\"k\\u0000\": 1}", &off, &first, msg));
  /* cJSON reads a \u without four hex digits as U+0000 too (fuzz_json_check) */
  assert_false(jc("{\"\\u\\u0ap1\": 2, \"a\": 2}", &off, &first, msg));
  assert_non_null(strstr(msg, "invalid \\u escape"));

  /* syntax errors are the parser's: the scan never fails on them */
  assert_true(jc("{\"a\" 1 \"b\"", &off, &first, msg));
  assert_true(jc("}}]]\"", &off, &first, msg));
  assert_true(jc("{\"a\\", &off, &first, msg));
}

static void json_check_linear(void **state) {
  (void)state;
  /* 200,000 distinct keys in one object, and 200,000 one-key objects */
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_buf_putc(&b, '{');
  for (int i = 0; i < 200000; i++) ecr_buf_printf(&b, "%s\"k%d\": %d", i ? "," : "", i, i);
  ecr_buf_putc(&b, '}');
  size_t off, first;
  char msg[160];
  clock_t t0 = clock();
  assert_true(ecr_json_check(b.data, b.len, &off, &first, msg, sizeof(msg)));
  ecr_buf_reset(&b);
  ecr_buf_putc(&b, '[');
  for (int i = 0; i < 200000; i++) ecr_buf_printf(&b, "%s{\"k\": %d}", i ? "," : "", i);
  ecr_buf_putc(&b, ']');
  assert_true(ecr_json_check(b.data, b.len, &off, &first, msg, sizeof(msg)));
  double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
  assert_true(secs < 5.0);
  ecr_buf_cleanup(&b);
}

/* issue 17: temporaries never follow a planted link; FIFOs are refused */
static void atomic_and_special_files(void **state) {
  (void)state;
  char *dir = ecr_test_tmpdir("special");
  char *path = ecr_path_join(dir, "out.txt");
  char *victim = ecr_path_join(dir, "victim");
  ecr_error err;
  ecr_error_clear(&err);
  FILE *v = fopen(victim, "w");
  fputs("keep", v);
  fclose(v);
  /* the old predictable name, and a second planted link */
  char *old_tmp = ecr_xasprintf("%s.tmp.%ld", path, (long)getpid());
  assert_int_equal(symlink(victim, old_tmp), 0);
  ecr_atomic_file af;
  assert_int_equal(ecr_atomic_open(&af, path, &err), ECR_OK);
  assert_string_not_equal(af.tmp_path, old_tmp);
  assert_true(ecr_atomic_write(&af, "new", 3));
  assert_int_equal(ecr_atomic_commit(&af, &err), ECR_OK);
  char *got = ecr_test_slurp(victim);
  assert_string_equal(got, "keep");
  free(got);
  got = ecr_test_slurp(path);
  assert_string_equal(got, "new");
  free(got);
  unlink(old_tmp);
  free(old_tmp);

  char *fifo = ecr_path_join(dir, "fifo");
  assert_int_equal(mkfifo(fifo, 0600), 0);
  char *data = NULL;
  size_t len = 0;
  assert_int_equal(ecr_file_read(fifo, &data, &len, &err), ECR_E_INPUT); /* does not block */
  assert_non_null(strstr(err.message, "not a regular file"));
  assert_null(data);
  free(fifo);
  free(path);
  free(victim);
  ecr_test_rmrf(dir);
  free(dir);
}

/* ---- fatal conditions: the handler the CLI sets, else silence ----------------------- */

static void fatal_to_fd(void *ctx, const char *message) {
  int fd = *(const int *)ctx;
  ssize_t w = write(fd, message, strlen(message));
  (void)w;
}

/* Run ecr_fatal in a child with stderr on a pipe; returns what the child
 * wrote to stderr and (through *handler_out) what the handler got. */
static void run_fatal(bool with_handler, char *stderr_out, char *handler_out, size_t size) {
  int err_pipe[2], cb_pipe[2];
  assert_int_equal(pipe(err_pipe), 0);
  assert_int_equal(pipe(cb_pipe), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(err_pipe[1], 2);
    close(err_pipe[0]);
    close(cb_pipe[0]);
    if (with_handler) ecr_set_fatal_cb(fatal_to_fd, &cb_pipe[1]);
    ecr_fatal("out of memory (allocating %zu bytes)", (size_t)42);
  }
  close(err_pipe[1]);
  close(cb_pipe[1]);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGABRT);
  ssize_t n = read(err_pipe[0], stderr_out, size - 1);
  stderr_out[n > 0 ? n : 0] = '\0';
  n = read(cb_pipe[0], handler_out, size - 1);
  handler_out[n > 0 ? n : 0] = '\0';
  close(err_pipe[0]);
  close(cb_pipe[0]);
}

static void fatal_never_prints(void **state) {
  (void)state;
  char err_text[256], cb_text[256];
  run_fatal(false, err_text, cb_text, sizeof(err_text));
  assert_string_equal(err_text, ""); /* the library aborts without a word */
  assert_string_equal(cb_text, "");
  run_fatal(true, err_text, cb_text, sizeof(err_text));
  assert_string_equal(err_text, "");
  assert_string_equal(cb_text, "out of memory (allocating 42 bytes)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(glob_basics),
      cmocka_unit_test(glob_backtracking),
      cmocka_unit_test(glob_long_inputs),
      cmocka_unit_test(url_decode),
      cmocka_unit_test(utf8),
      cmocka_unit_test(fatal_never_prints),
      cmocka_unit_test(dates),
      cmocka_unit_test(source_date_epoch),
      cmocka_unit_test(templates),
      cmocka_unit_test(errors),
      cmocka_unit_test(atomic_commit_and_abort),
      cmocka_unit_test(atomic_unwritable_dir),
      cmocka_unit_test(file_read_errors),
      cmocka_unit_test(json_check_rules),
      cmocka_unit_test(json_check_linear),
      cmocka_unit_test(atomic_and_special_files),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
