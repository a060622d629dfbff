/* AWS Signature Version 4 with OpenSSL HMAC-SHA256 / SHA-256. */
#include "collect/sigv4.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "util/util.h"

static bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

char *ecr_sigv4_uri_encode(const char *s, size_t len, bool keep_slash) {
  static const char hex[] = "0123456789ABCDEF";
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      ecr_buf_putc(&b, (char)c);
    } else {
      char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
      ecr_buf_append(&b, esc, 3);
    }
  }
  return ecr_buf_steal(&b);
}

/* ---- canonical URI ----------------------------------------------------- */

char *ecr_sigv4_canonical_uri(const char *path) {
  if (!path || !*path) path = "/";
  size_t n = strlen(path);
  /* segments as (start, len) pairs into path */
  size_t *start = ecr_xcalloc(n + 1, sizeof(size_t));
  size_t *slen = ecr_xcalloc(n + 1, sizeof(size_t));
  size_t nseg = 0;
  bool trailing = n > 0 && path[n - 1] == '/';
  size_t i = 0;
  while (i < n) {
    while (i < n && path[i] == '/') i++;
    size_t s = i;
    while (i < n && path[i] != '/') i++;
    size_t l = i - s;
    if (l == 0) break;
    bool last = i >= n;
    if (l == 1 && path[s] == '.') {
      if (last) trailing = true;
    } else if (l == 2 && path[s] == '.' && path[s + 1] == '.') {
      if (nseg > 0) nseg--;
      if (last) trailing = true;
    } else {
      start[nseg] = s;
      slen[nseg] = l;
      nseg++;
    }
  }
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t k = 0; k < nseg; k++) {
    char *enc = ecr_sigv4_uri_encode(path + start[k], slen[k], false);
    ecr_buf_putc(&b, '/');
    ecr_buf_puts(&b, enc);
    free(enc);
  }
  if (nseg == 0 || trailing) ecr_buf_putc(&b, '/');
  free(start);
  free(slen);
  return ecr_buf_steal(&b);
}

/* ---- canonical query --------------------------------------------------- */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decode %XX (not '+') then encode as SigV4 wants. */
static char *requote(const char *s, size_t len) {
  char *dec = ecr_xmalloc(len + 1);
  size_t j = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      dec[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      dec[j++] = s[i];
    }
  }
  char *enc = ecr_sigv4_uri_encode(dec, j, false);
  free(dec);
  return enc;
}

typedef struct qparam {
  char *key;
  char *value;
} qparam;

static int qparam_cmp(const void *a, const void *b) {
  const qparam *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : strcmp(x->value, y->value);
}

char *ecr_sigv4_canonical_query(const char *query) {
  if (!query) query = "";
  qparam *params = NULL;
  size_t n = 0, cap = 0;
  const char *p = query;
  while (*p) {
    const char *amp = strchr(p, '&');
    size_t len = amp ? (size_t)(amp - p) : strlen(p);
    if (len > 0) {
      const char *eq = memchr(p, '=', len);
      qparam q;
      if (eq) {
        q.key = requote(p, (size_t)(eq - p));
        q.value = requote(eq + 1, len - (size_t)(eq - p) - 1);
      } else {
        q.key = requote(p, len);
        q.value = ecr_xstrdup("");
      }
      ECR_PUSH(params, n, cap, q);
    }
    p += len;
    if (*p == '&') p++;
  }
  if (n > 1) qsort(params, n, sizeof(*params), qparam_cmp);
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < n; i++) {
    if (i) ecr_buf_putc(&b, '&');
    ecr_buf_printf(&b, "%s=%s", params[i].key, params[i].value);
    free(params[i].key);
    free(params[i].value);
  }
  free(params);
  return ecr_buf_steal(&b);
}

/* ---- canonical headers ------------------------------------------------- */

typedef struct hentry {
  char *name;  /* lower case */
  char *value; /* trimmed, collapsed */
  size_t order;
} hentry;

static int hentry_cmp(const void *a, const void *b) {
  const hentry *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c) return c;
  return x->order < y->order ? -1 : x->order > y->order;
}

static char *trim_collapse(const char *v) {
  ecr_buf b;
  ecr_buf_init(&b);
  bool pending_space = false;
  for (const char *p = v; *p; p++) {
    if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
      if (b.len > 0) pending_space = true;
      continue;
    }
    if (pending_space) ecr_buf_putc(&b, ' ');
    pending_space = false;
    ecr_buf_putc(&b, *p);
  }
  return ecr_buf_steal(&b);
}

void ecr_sigv4_canonical_headers(const ecr_sigv4_header *headers, size_t n, char **canonical_out,
                                 char **signed_out) {
  hentry *h = ecr_xcalloc(n ? n : 1, sizeof(*h));
  for (size_t i = 0; i < n; i++) {
    h[i].name = ecr_xstrdup(headers[i].name ? headers[i].name : "");
    for (char *c = h[i].name; *c; c++) *c = (char)tolower((unsigned char)*c);
    h[i].value = trim_collapse(headers[i].value ? headers[i].value : "");
    h[i].order = i;
  }
  if (n > 1) qsort(h, n, sizeof(*h), hentry_cmp);
  ecr_buf canon, sig;
  ecr_buf_init(&canon);
  ecr_buf_init(&sig);
  for (size_t i = 0; i < n; i++) {
    bool first = i == 0 || strcmp(h[i].name, h[i - 1].name) != 0;
    if (first) {
      if (i) ecr_buf_putc(&canon, '\n');
      if (sig.len) ecr_buf_putc(&sig, ';');
      ecr_buf_puts(&sig, h[i].name);
      ecr_buf_printf(&canon, "%s:%s", h[i].name, h[i].value);
    } else {
      ecr_buf_printf(&canon, ",%s", h[i].value);
    }
  }
  if (n) ecr_buf_putc(&canon, '\n');
  for (size_t i = 0; i < n; i++) {
    free(h[i].name);
    OPENSSL_cleanse(h[i].value, strlen(h[i].value));
    free(h[i].value);
  }
  free(h);
  *canonical_out = ecr_buf_steal(&canon);
  *signed_out = ecr_buf_steal(&sig);
}

/* ---- the four tasks ---------------------------------------------------- */

char *ecr_sigv4_canonical_request(const ecr_sigv4_request *req, char **signed_headers_out) {
  char *uri = ecr_sigv4_canonical_uri(req->path);
  char *query = ecr_sigv4_canonical_query(req->query);
  char *canon_headers = NULL, *signed_headers = NULL;
  ecr_sigv4_canonical_headers(req->headers, req->n_headers, &canon_headers, &signed_headers);
  char payload_hash[65];
  ecr_sha256_hex(req->payload ? req->payload : "", req->payload ? req->payload_len : 0,
                 payload_hash);
  char *out = ecr_xasprintf("%s\n%s\n%s\n%s\n%s\n%s", req->method ? req->method : "GET", uri, query,
                            canon_headers, signed_headers, payload_hash);
  free(uri);
  free(query);
  free(canon_headers);
  if (signed_headers_out)
    *signed_headers_out = signed_headers;
  else
    free(signed_headers);
  return out;
}

static void date_stamp(const ecr_sigv4_params *p, char out[9]) {
  size_t i = 0;
  for (; i < 8 && p->amz_date && p->amz_date[i]; i++) out[i] = p->amz_date[i];
  out[i] = '\0';
}

char *ecr_sigv4_scope(const ecr_sigv4_params *p) {
  char date[9];
  date_stamp(p, date);
  return ecr_xasprintf("%s/%s/%s/aws4_request", date, p->region, p->service);
}

char *ecr_sigv4_string_to_sign(const ecr_sigv4_params *p, const char *canonical_request) {
  char hash[65];
  ecr_sha256_hex(canonical_request, strlen(canonical_request), hash);
  char *scope = ecr_sigv4_scope(p);
  char *out = ecr_xasprintf("AWS4-HMAC-SHA256\n%s\n%s\n%s", p->amz_date, scope, hash);
  free(scope);
  return out;
}

static void hmac(const unsigned char *key, size_t keylen, const char *msg, unsigned char out[32]) {
  unsigned int outlen = 32;
  if (!HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), out,
            &outlen)) {
    /* HMAC-SHA256 cannot fail short of OpenSSL misconfiguration. */
    memset(out, 0, 32);
  }
}

void ecr_sigv4_signature(const ecr_sigv4_params *p, const char *string_to_sign, char out[65]) {
  char date[9];
  date_stamp(p, date);
  size_t slen = strlen(p->secret_key);
  unsigned char *k0 = ecr_xmalloc(slen + 5);
  memcpy(k0, "AWS4", 4);
  memcpy(k0 + 4, p->secret_key, slen);
  unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
  hmac(k0, slen + 4, date, k1);
  hmac(k1, 32, p->region, k2);
  hmac(k2, 32, p->service, k3);
  hmac(k3, 32, "aws4_request", k4);
  hmac(k4, 32, string_to_sign, sig);
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hex[sig[i] >> 4];
    out[2 * i + 1] = hex[sig[i] & 15];
  }
  out[64] = '\0';
  OPENSSL_cleanse(k0, slen + 5);
  OPENSSL_cleanse(k1, 32);
  OPENSSL_cleanse(k2, 32);
  OPENSSL_cleanse(k3, 32);
  OPENSSL_cleanse(k4, 32);
  free(k0);
}

char *ecr_sigv4_authorization(const ecr_sigv4_request *req, const ecr_sigv4_params *p) {
  char *signed_headers = NULL;
  char *creq = ecr_sigv4_canonical_request(req, &signed_headers);
  char *sts = ecr_sigv4_string_to_sign(p, creq);
  char sig[65];
  ecr_sigv4_signature(p, sts, sig);
  char *scope = ecr_sigv4_scope(p);
  char *out = ecr_xasprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                            p->access_key, scope, signed_headers, sig);
  free(scope);
  free(creq);
  free(sts);
  free(signed_headers);
  return out;
}

/* ---- raw request parser (tests, fuzzing) ------------------------------- */

struct ecr_sigv4_raw {
  char *text;                /* mutable copy, fields point into it */
  ecr_sigv4_header *headers; /* n entries */
  size_t n, cap;
};

void ecr_sigv4_raw_free(ecr_sigv4_raw *raw) {
  if (!raw) return;
  free(raw->headers);
  free(raw->text);
  free(raw);
}

ecr_sigv4_raw *ecr_sigv4_raw_parse(const char *text, size_t len, ecr_sigv4_request *req) {
  ecr_sigv4_raw *raw = ecr_xcalloc(1, sizeof(*raw));
  raw->text = ecr_xmalloc(len + 1);
  memcpy(raw->text, text, len);
  raw->text[len] = '\0';
  memset(req, 0, sizeof(*req));
  char *t = raw->text;
  char *end = t + len;
  if (memchr(t, '\0', len)) goto fail;
  /* request line */
  char *eol = strchr(t, '\n');
  char *line_end = eol ? eol : end;
  if (line_end > t && line_end[-1] == '\r') line_end[-1] = '\0';
  *line_end = '\0';
  char *sp1 = strchr(t, ' ');
  if (!sp1) goto fail;
  *sp1 = '\0';
  req->method = t;
  char *target = sp1 + 1;
  char *sp2 = strrchr(target, ' ');
  if (!sp2 || strncmp(sp2 + 1, "HTTP/", 5) != 0) goto fail;
  *sp2 = '\0';
  char *qm = strchr(target, '?');
  if (qm) {
    *qm = '\0';
    req->query = qm + 1;
  }
  req->path = target;
  char *p = eol ? eol + 1 : end;
  while (p < end) {
    char *nl = strchr(p, '\n');
    char *le = nl ? nl : end;
    if (le > p && le[-1] == '\r') le[-1] = '\0';
    *le = '\0';
    char *next = nl ? nl + 1 : end;
    if (*p == '\0') { /* blank line: body follows */
      req->payload = next;
      req->payload_len = (size_t)(end - next);
      break;
    }
    if ((*p == ' ' || *p == '\t') && raw->n > 0) {
      /* folded continuation line: another value of the previous header */
      ecr_sigv4_header h = raw->headers[raw->n - 1];
      h.value = p;
      ECR_PUSH(raw->headers, raw->n, raw->cap, h);
    } else {
      char *colon = strchr(p, ':');
      if (!colon) goto fail;
      *colon = '\0';
      ecr_sigv4_header h = {p, colon + 1};
      ECR_PUSH(raw->headers, raw->n, raw->cap, h);
    }
    p = next;
  }
  if (!req->payload) {
    req->payload = "";
    req->payload_len = 0;
  }
  req->headers = raw->headers;
  req->n_headers = raw->n;
  return raw;
fail:
  ecr_sigv4_raw_free(raw);
  memset(req, 0, sizeof(*req));
  return NULL;
}
