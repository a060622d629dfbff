/* ecraudit — AWS Signature Version 4 (internal API).
 *
 * Written against the AWS "Signature Version 4 Test Suite" (2015 edition,
 * tests/data/sigv4-test-suite); HMAC-SHA256 and SHA-256 come from OpenSSL.
 * The canonicalization steps are exposed one by one so that tests and fuzz
 * harnesses can drive them directly.
 */
#ifndef ECRAUDIT_COLLECT_SIGV4_H
#define ECRAUDIT_COLLECT_SIGV4_H

#include <stdbool.h>
#include <stddef.h>

/* One request header as sent (name in any case, value untrimmed). */
typedef struct ecr_sigv4_header {
  const char *name;
  const char *value;
} ecr_sigv4_header;

/* A request to sign. All fields are borrowed. */
typedef struct ecr_sigv4_request {
  const char *method;              /* "GET", "POST" */
  const char *path;                /* raw, not percent-encoded ("/example space/"); NULL -> "/" */
  const char *query;               /* raw query without '?' ("a=b&c"); NULL or "" -> none */
  const ecr_sigv4_header *headers; /* every header to sign (host, x-amz-date, ...) */
  size_t n_headers;
  const void *payload; /* body, may be NULL when payload_len is 0 */
  size_t payload_len;
} ecr_sigv4_request;

/* Signing parameters. secret_key is borrowed and never copied into any output. */
typedef struct ecr_sigv4_params {
  const char *access_key;
  const char *secret_key;
  const char *region;   /* "us-east-1" */
  const char *service;  /* "iam", "ecr", "sts", "organizations" */
  const char *amz_date; /* "20150830T123600Z" (the x-amz-date header value) */
} ecr_sigv4_params;

/* Percent-encode every byte except the unreserved set A-Z a-z 0-9 - _ . ~
 * (and '/' when keep_slash). Hex digits are upper case. Caller frees. */
char *ecr_sigv4_uri_encode(const char *s, size_t len, bool keep_slash);

/* Canonical URI: dot segments removed, repeated '/' collapsed (RFC 3986
 * normalization as the suite's normalize-path cases require), then encoded.
 * Caller frees. */
char *ecr_sigv4_canonical_uri(const char *path);

/* Canonical query string: parameters split on '&', "%XX" decoded then
 * re-encoded, sorted by name then value; "a" becomes "a=". Caller frees. */
char *ecr_sigv4_canonical_query(const char *query);

/* Canonical headers block ("name:value\n" per distinct lower-cased name,
 * sorted; values trimmed, inner runs of spaces collapsed, repeated headers
 * joined with ',' in order) and the signed-headers list ("host;x-amz-date").
 * Both caller-freed. */
void ecr_sigv4_canonical_headers(const ecr_sigv4_header *headers, size_t n, char **canonical_out,
                                 char **signed_out);

/* The whole canonical request (task 1). Caller frees. signed_headers_out
 * (may be NULL) receives the signed-headers list, caller frees. */
char *ecr_sigv4_canonical_request(const ecr_sigv4_request *req, char **signed_headers_out);

/* Credential scope "20150830/us-east-1/service/aws4_request". Caller frees. */
char *ecr_sigv4_scope(const ecr_sigv4_params *p);

/* String to sign (task 2) for a canonical request. Caller frees. */
char *ecr_sigv4_string_to_sign(const ecr_sigv4_params *p, const char *canonical_request);

/* Lower-case hex signature (task 3) of a string to sign; out holds 65 bytes.
 * Intermediate keys are wiped. */
void ecr_sigv4_signature(const ecr_sigv4_params *p, const char *string_to_sign, char out[65]);

/* The Authorization header value (task 4):
 * "AWS4-HMAC-SHA256 Credential=AK/scope, SignedHeaders=..., Signature=...".
 * Caller frees. */
char *ecr_sigv4_authorization(const ecr_sigv4_request *req, const ecr_sigv4_params *p);

/* Test/fuzz helper: parse a raw HTTP/1.1 request in the test suite's ".req"
 * form ("METHOD PATH?QUERY HTTP/1.1", header lines "Name:value", folded
 * continuation lines as extra values of the previous header, blank line,
 * body). Fills *req with pointers into storage owned by the returned handle;
 * free with ecr_sigv4_raw_free. NULL when the text is not a request. */
typedef struct ecr_sigv4_raw ecr_sigv4_raw;
ecr_sigv4_raw *ecr_sigv4_raw_parse(const char *text, size_t len, ecr_sigv4_request *req);
void ecr_sigv4_raw_free(ecr_sigv4_raw *raw);

#endif
