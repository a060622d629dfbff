/* libFuzzer harness: SigV4 canonicalization.
 *
 * The first byte picks the entry point (the rest is the argument):
 *   0 raw request in the test suite's ".req" form -> canonical request,
 *     string to sign, signature, Authorization header
 *   1 canonical URI of a path
 *   2 canonical query string (must be idempotent: canonicalizing a canonical
 *     query gives it back)
 *   3 URI encoding (output only unreserved bytes and %XX)
 *   4 canonical headers from "name:value" lines
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sigv4.h"
#include "fuzz_common.h"
#include "util/util.h"

#define CHECK(c, ...)                                                                              \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "sigv4 invariant failed: %s: ", #c);                                         \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

static bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

static bool hexdig(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static void check_encoded(const char *s, bool slash_ok) {
  for (size_t i = 0; s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%') {
      CHECK(hexdig(s[i + 1]) && hexdig(s[i + 2]), "bad escape in %s", s);
      i += 2;
    } else {
      CHECK(unreserved(c) || (slash_ok && c == '/'), "byte 0x%02x left unencoded", c);
    }
  }
}

static const ecr_sigv4_params params = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                        "us-east-1", "service", "20150830T123600Z"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool fz_memmem(const char *hay, size_t n, const char *needle, size_t k) {
  for (size_t i = 0; k && i + k <= n; i++)
    if (memcmp(hay + i, needle, k) == 0) return true;
  return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 64 * 1024) return -1;
  unsigned op = data[0] % 5;
  const char *arg = (const char *)data + 1;
  size_t n = size - 1;
  char *s = fz_strndup((const uint8_t *)arg, n);
  switch (op) {
  case 0: {
    ecr_sigv4_request req;
    memset(&req, 0, sizeof(req));
    ecr_sigv4_raw *raw = ecr_sigv4_raw_parse(arg, n, &req);
    if (!raw) break;
    char *signed_headers = NULL;
    char *creq = ecr_sigv4_canonical_request(&req, &signed_headers);
    CHECK(creq != NULL, "no canonical request");
    char *sts = ecr_sigv4_string_to_sign(&params, creq);
    char sig[65];
    ecr_sigv4_signature(&params, sts, sig);
    CHECK(strlen(sig) == 64, "signature length");
    char *auth = ecr_sigv4_authorization(&req, &params);
    CHECK(auth && strstr(auth, sig) != NULL, "authorization does not carry the signature");
    /* the secret never leaks into what is sent, unless the request itself
       carried it (an input that spells the key, as libFuzzer's dictionary
       will): then it is the input's, not a leak */
    bool in_input = fz_memmem(arg, n, params.secret_key, strlen(params.secret_key));
    CHECK(in_input || strstr(auth, params.secret_key) == NULL,
          "secret in the Authorization header");
    CHECK(in_input || strstr(creq, params.secret_key) == NULL, "secret in the canonical request");
    free(auth);
    free(sts);
    free(creq);
    free(signed_headers);
    ecr_sigv4_raw_free(raw);
    break;
  }
  case 1: {
    char *u = ecr_sigv4_canonical_uri(s);
    CHECK(u && u[0] == '/', "canonical URI must start with '/': %s", u ? u : "(null)");
    check_encoded(u, true);
    free(u);
    break;
  }
  case 2: {
    char *q = ecr_sigv4_canonical_query(s);
    CHECK(q != NULL, "no canonical query");
    for (size_t i = 0; q[i]; i++)
      CHECK(q[i] != ' ' && q[i] != '+' && (unsigned char)q[i] >= 0x21, "raw byte in query");
    char *q2 = ecr_sigv4_canonical_query(q);
    CHECK(strcmp(q, q2) == 0, "canonical query not idempotent:\n%s\n%s", q, q2);
    free(q2);
    free(q);
    break;
  }
  case 3: {
    char *e = ecr_sigv4_uri_encode(arg, n, (n & 1) != 0);
    check_encoded(e, (n & 1) != 0);
    char *d = ecr_url_decode(e);
    /* the decoder maps bytes that are not UTF-8 to U+FFFD (as the AWS CLI's
       unquote does): the round trip is exact for UTF-8 input, and the result
       is always UTF-8 */
    if (ecr_utf8_valid(s, strlen(s)))
      CHECK(strlen(d) == strlen(s) && memcmp(d, s, strlen(s)) == 0, "encode/decode round trip");
    CHECK(ecr_utf8_valid(d, strlen(d)), "decoded text is not UTF-8");
    free(d);
    free(e);
    break;
  }
  case 4: {
    ecr_sigv4_header hdrs[32];
    size_t nh = 0;
    char *save = NULL;
    for (char *line = strtok_r(s, "\n", &save); line && nh < 32;
         line = strtok_r(NULL, "\n", &save)) {
      char *colon = strchr(line, ':');
      if (!colon) continue;
      *colon = '\0';
      hdrs[nh].name = line;
      hdrs[nh].value = colon + 1;
      nh++;
    }
    char *canon = NULL, *signed_list = NULL;
    ecr_sigv4_canonical_headers(hdrs, nh, &canon, &signed_list);
    CHECK(canon && signed_list, "no canonical headers");
    for (size_t i = 0; signed_list[i]; i++)
      CHECK(!(signed_list[i] >= 'A' && signed_list[i] <= 'Z'), "signed header not lower case");
    free(canon);
    free(signed_list);
    break;
  }
  default: break;
  }
  free(s);
  return 0;
}
