/* Signed AWS requests over libcurl: endpoints, SigV4, retries with
 * exponential backoff and full jitter, timeouts, error parsing, redacted
 * debug log. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>

#include "collect/aws.h"
#include "collect/sigv4.h"

/* ---- credentials helpers ---------------------------------------------- */

static void wipe_free(char *s) {
  if (!s) return;
  OPENSSL_cleanse(s, strlen(s));
  free(s);
}

void ecr_aws_creds_cleanup(ecr_aws_creds *c) {
  if (!c) return;
  wipe_free(c->access_key_id);
  wipe_free(c->secret_access_key);
  wipe_free(c->session_token);
  memset(c, 0, sizeof(*c));
}

void ecr_aws_creds_copy(ecr_aws_creds *dst, const ecr_aws_creds *src) {
  dst->access_key_id = ecr_xstrdup(src->access_key_id);
  dst->secret_access_key = ecr_xstrdup(src->secret_access_key);
  dst->session_token = ecr_xstrdup(src->session_token);
  dst->expiration = src->expiration;
}

long long ecr_aws_parse_time(const char *s) {
  if (!s) return 0;
  int y, mo, d, h, mi, sec;
  int n = 0;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6) return 0;
  const char *p = s + n;
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++) {
    }
  long off = 0;
  if (*p == '+' || *p == '-') {
    int oh = 0, om = 0;
    if (sscanf(p + 1, "%2d:%2d", &oh, &om) < 1) return 0;
    off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
  } else if (*p != 'Z' && *p != 'z' && *p != '\0') {
    return 0;
  }
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return (long long)timegm(&tm) - off;
}

/* ---- endpoints ---------------------------------------------------------- */

void ecr_aws_endpoint(const char *service, const char *region, char **url,
                      const char **sign_region) {
  bool cn = ecr_str_has_prefix(region, "cn-");
  bool gov = ecr_str_has_prefix(region, "us-gov-");
  const char *suffix = cn ? "amazonaws.com.cn" : "amazonaws.com";
  *sign_region = region;
  if (strcmp(service, "iam") == 0) {
    if (cn) {
      *url = ecr_xasprintf("https://iam.cn-north-1.%s", suffix);
      *sign_region = "cn-north-1";
    } else if (gov) {
      *url = ecr_xstrdup("https://iam.us-gov.amazonaws.com");
      *sign_region = "us-gov-west-1";
    } else {
      *url = ecr_xstrdup("https://iam.amazonaws.com");
      *sign_region = "us-east-1";
    }
  } else if (strcmp(service, "organizations") == 0) {
    if (cn) {
      *url = ecr_xasprintf("https://organizations.cn-northwest-1.%s", suffix);
      *sign_region = "cn-northwest-1";
    } else if (gov) {
      *url = ecr_xstrdup("https://organizations.us-gov-west-1.amazonaws.com");
      *sign_region = "us-gov-west-1";
    } else {
      *url = ecr_xstrdup("https://organizations.us-east-1.amazonaws.com");
      *sign_region = "us-east-1";
    }
  } else if (strcmp(service, "ecr") == 0) {
    *url = ecr_xasprintf("https://api.ecr.%s.%s", region, suffix);
  } else {
    *url = ecr_xasprintf("https://%s.%s.%s", service, region, suffix);
  }
}

bool ecr_aws_retryable(long status, const char *code) {
  static const char *const throttles[] = {
      "Throttling",
      "ThrottlingException",
      "ThrottledException",
      "TooManyRequestsException",
      "RequestLimitExceeded",
      "RequestThrottled",
      "RequestThrottledException",
      "SlowDown",
      "ServiceUnavailable",
      "InternalFailure",
      "InternalError",
      "RequestTimeout",
      "RequestTimeoutException",
      "PriorRequestNotComplete",
      "ServerException",
  };
  if (status == 429 || status >= 500) return true;
  if (code)
    for (size_t i = 0; i < sizeof(throttles) / sizeof(throttles[0]); i++)
      if (strcmp(code, throttles[i]) == 0) return true;
  return false;
}

/* ---- client ------------------------------------------------------------- */

static bool curl_ready;

ecr_status ecr_aws_client_init(ecr_aws_client *c, const ecr_aws_creds *creds,
                               const char *endpoint_url, ecr_error *err) {
  memset(c, 0, sizeof(*c));
  if (!curl_ready) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      return ecr_error_set(err, ECR_E_COLLECT, NULL, "cannot initialize libcurl");
    curl_ready = true;
  }
  c->curl = curl_easy_init();
  if (!c->curl) return ecr_error_set(err, ECR_E_COLLECT, NULL, "cannot initialize libcurl");
  if (creds) ecr_aws_creds_copy(&c->creds, creds);
  if (endpoint_url && *endpoint_url) {
    c->endpoint_url = ecr_xstrdup(endpoint_url);
    size_t n = strlen(c->endpoint_url);
    while (n > 0 && c->endpoint_url[n - 1] == '/') c->endpoint_url[--n] = '\0';
  }
  c->connect_timeout_ms = 10000;
  c->timeout_ms = 60000;
  c->call_timeout_ms = 120000;
  c->max_attempts = 5;
  const char *mode = getenv("AWS_RETRY_MODE");
  if (mode && (strcmp(mode, "standard") == 0 || strcmp(mode, "adaptive") == 0)) c->max_attempts = 3;
  const char *attempts = getenv("AWS_MAX_ATTEMPTS");
  if (attempts && *attempts) {
    char *end = NULL;
    long v = strtol(attempts, &end, 10);
    if (!end || *end || v < 1 || v > 100)
      return ecr_error_set(err, ECR_E_USAGE, NULL,
                           "AWS_MAX_ATTEMPTS must be a number from 1 to 100, not \"%s\"", attempts);
    c->max_attempts = (int)v;
  }
  c->refresh_margin = 900;
  const char *margin = getenv("ECRAUDIT_CREDENTIAL_REFRESH_MARGIN");
  if (margin && *margin) c->refresh_margin = strtol(margin, NULL, 10);
  c->base_delay_ms = 200;
  c->max_delay_ms = 20000;
  c->rng = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32) ^
           (unsigned long long)(uintptr_t)c;
  if (!c->rng) c->rng = 88172645463325252ull;
  return ECR_OK;
}

void ecr_aws_client_cleanup(ecr_aws_client *c) {
  if (!c) return;
  if (c->curl) curl_easy_cleanup(c->curl);
  ecr_aws_creds_cleanup(&c->creds);
  free(c->endpoint_url);
  free(c->profile_endpoint);
  memset(c, 0, sizeof(*c));
}

void ecr_aws_response_init(ecr_aws_response *r) {
  memset(r, 0, sizeof(*r));
  ecr_buf_init(&r->body);
}

void ecr_aws_response_cleanup(ecr_aws_response *r) {
  if (!r) return;
  ecr_buf_cleanup(&r->body);
  free(r->error_code);
  free(r->error_message);
  memset(r, 0, sizeof(*r));
}

static void response_reset(ecr_aws_response *r) {
  r->status = 0;
  ecr_buf_reset(&r->body);
  free(r->error_code);
  free(r->error_message);
  r->error_code = r->error_message = NULL;
}

void ecr_aws_form_add(ecr_buf *b, const char *key, const char *value) {
  char *k = ecr_sigv4_uri_encode(key, strlen(key), false);
  char *v = ecr_sigv4_uri_encode(value, strlen(value), false);
  ecr_buf_printf(b, "&%s=%s", k, v);
  free(k);
  free(v);
}

/* ---- one HTTP exchange -------------------------------------------------- */

typedef struct hdr_capture {
  char *error_type; /* x-amzn-ErrorType */
} hdr_capture;

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *ud) {
  ecr_buf *b = ud;
  size_t n = size * nmemb;
  if (b->len + n > ECR_MAX_INPUT_FILE) return 0; /* refuse absurd bodies */
  ecr_buf_append(b, ptr, n);
  return n;
}

static size_t header_cb(char *ptr, size_t size, size_t nmemb, void *ud) {
  hdr_capture *h = ud;
  size_t n = size * nmemb;
  static const char name[] = "x-amzn-errortype:";
  if (n > sizeof(name) - 1 && strncasecmp(ptr, name, sizeof(name) - 1) == 0) {
    const char *v = ptr + sizeof(name) - 1;
    size_t vl = n - (sizeof(name) - 1);
    while (vl && (*v == ' ' || *v == '\t')) v++, vl--;
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' ')) vl--;
    free(h->error_type);
    h->error_type = ecr_xstrndup(v, vl);
  }
  return n;
}

/* Split "https://host:port/path" into host header value and path. */
static bool split_url(const char *url, char **host, char **path) {
  const char *p = strstr(url, "://");
  if (!p) return false;
  bool https = strncasecmp(url, "https", 5) == 0;
  p += 3;
  const char *slash = strchr(p, '/');
  size_t hl = slash ? (size_t)(slash - p) : strlen(p);
  if (hl == 0) return false;
  char *h = ecr_xstrndup(p, hl);
  for (char *q = h; *q; q++) *q = (char)tolower((unsigned char)*q);
  /* drop the default port, as botocore does */
  size_t l = strlen(h);
  if (https && l > 4 && strcmp(h + l - 4, ":443") == 0) h[l - 4] = '\0';
  if (!https && l > 3 && strcmp(h + l - 3, ":80") == 0) h[l - 3] = '\0';
  *host = h;
  *path = ecr_xstrdup(slash ? slash : "/");
  return true;
}

static void amz_now(char out[17]) {
  time_t t = time(NULL); /* signing needs the real clock, never SOURCE_DATE_EPOCH */
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static void debug_log(const ecr_aws_client *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void debug_log(const ecr_aws_client *c, const char *fmt, ...) {
  if (!c->debug) return;
  ecr_buf line;
  ecr_buf_init(&line);
  va_list ap;
  va_start(ap, fmt);
  ecr_buf_vprintf(&line, fmt, ap);
  va_end(ap);
  c->debug(c->debug_ctx, line.data ? line.data : "");
  ecr_buf_cleanup(&line);
}

/* Error code and message out of an error body (JSON 1.1 or Query XML). */
static void parse_error(ecr_aws_response *r, const char *error_type_header, bool json) {
  char *code = NULL, *msg = NULL;
  if (json) {
    cJSON *doc = cJSON_ParseWithLength(r->body.data, r->body.len);
    if (doc) {
      const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "__type");
      const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "message");
      if (!cJSON_IsString(m)) m = cJSON_GetObjectItemCaseSensitive(doc, "Message");
      if (cJSON_IsString(t)) code = ecr_xstrdup(t->valuestring);
      if (cJSON_IsString(m)) msg = ecr_xstrdup(m->valuestring);
      cJSON_Delete(doc);
    }
    if (!code && error_type_header) code = ecr_xstrdup(error_type_header);
  } else if (r->body.len > 0) {
    xmlDocPtr doc = xmlReadMemory(r->body.data, (int)r->body.len, "error.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc) {
      /* <ErrorResponse><Error><Code/><Message/></Error></ErrorResponse> (or <Response><Errors>) */
      xmlNodePtr stack[8];
      int depth = 0;
      xmlNodePtr n = xmlDocGetRootElement(doc);
      while (n && (!code || !msg)) {
        if (n->type == XML_ELEMENT_NODE) {
          if (!code && xmlStrcmp(n->name, BAD_CAST "Code") == 0) {
            xmlChar *s = xmlNodeGetContent(n);
            code = ecr_xstrdup((const char *)s);
            xmlFree(s);
          } else if (!msg && xmlStrcmp(n->name, BAD_CAST "Message") == 0) {
            xmlChar *s = xmlNodeGetContent(n);
            msg = ecr_xstrdup((const char *)s);
            xmlFree(s);
          } else if (n->children && depth < 8) {
            stack[depth++] = n;
            n = n->children;
            continue;
          }
        }
        while (n && !n->next && depth > 0) n = stack[--depth];
        n = n ? n->next : NULL;
      }
      xmlFreeDoc(doc);
    }
  }
  if (code) {
    /* "com.amazonaws.ecr#RepositoryNotFoundException" / "Code:http://..." */
    char *hash = strrchr(code, '#');
    if (hash) memmove(code, hash + 1, strlen(hash + 1) + 1);
    char *colon = strchr(code, ':');
    if (colon) *colon = '\0';
  }
  if (!code || !*code) {
    free(code);
    code = ecr_xasprintf("HTTP%ld", r->status);
  }
  if (!msg) msg = ecr_xasprintf("HTTP status %ld", r->status);
  r->error_code = code;
  r->error_message = msg;
}

typedef struct call_spec {
  const char *service;
  const char *region;
  const char *op_name; /* for messages: "iam:GetAccountAuthorizationDetails" */
  const char *content_type;
  const char *target; /* X-Amz-Target or NULL */
  const char *body;
  bool json;
  const char *method;    /* NULL -> POST; "GET" sends no body */
  const char *rest_path; /* REST: appended to the endpoint's path, already encoded */
  const char *query;     /* REST: "k=v&k2=v2", already encoded; NULL -> none */
} call_spec;

/* Error messages end up in manifest.json and on stderr: remove any secret
 * (SignatureDoesNotMatch echoes the canonical request, token included),
 * keep one line, bound the length. */
static char *redact(const char *msg, const ecr_aws_creds *creds) {
  char *out = ecr_xstrdup(msg);
  const char *secrets[] = {creds->secret_access_key, creds->session_token};
  for (size_t k = 0; k < 2; k++) {
    const char *sec = secrets[k];
    if (!sec || strlen(sec) < 4) continue;
    char *hit;
    while ((hit = strstr(out, sec)) != NULL) {
      char *next = ecr_xasprintf("%.*s<redacted>%s", (int)(hit - out), out, hit + strlen(sec));
      OPENSSL_cleanse(out, strlen(out));
      free(out);
      out = next;
    }
  }
  for (char *p = out; *p; p++)
    if ((unsigned char)*p < 0x20) *p = ' ';
  if (strlen(out) > 400) strcpy(out + 397, "...");
  return out;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool transport_retryable(CURLcode rc) {
  switch (rc) {
  case CURLE_COULDNT_CONNECT:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_SSL_CONNECT_ERROR: return true;
  default: return false;
  }
}

static unsigned long long rng_next(ecr_aws_client *c) {
  c->rng ^= c->rng << 13;
  c->rng ^= c->rng >> 7;
  c->rng ^= c->rng << 17;
  return c->rng;
}

static void backoff_sleep(ecr_aws_client *c, int attempt) {
  unsigned long long cap = c->base_delay_ms;
  for (int i = 0; i < attempt && cap < c->max_delay_ms; i++) cap *= 2;
  if (cap > c->max_delay_ms) cap = c->max_delay_ms;
  unsigned long long ms = cap ? rng_next(c) % (cap + 1) : 0; /* full jitter */
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* One attempt: sign, send, fill resp. Returns the curl code. */
static CURLcode perform(ecr_aws_client *c, const call_spec *s, const char *url,
                        const char *sign_region, ecr_aws_response *resp, hdr_capture *hc) {
  char *host = NULL, *path = NULL;
  if (!split_url(url, &host, &path)) return CURLE_URL_MALFORMAT;
  const char *method = s->method ? s->method : "POST";
  bool get = strcmp(method, "GET") == 0;
  char *full_url = NULL;
  if (s->rest_path) { /* REST: the endpoint's path + the operation's, and the query */
    char *joined = ecr_xasprintf("%s%s", strcmp(path, "/") == 0 ? "" : path, s->rest_path);
    free(path);
    path = joined;
    full_url = ecr_xasprintf("%s%s%s%s", url, s->rest_path, s->query && *s->query ? "?" : "",
                             s->query ? s->query : "");
  }
  char amz_date[17];
  amz_now(amz_date);
  ecr_sigv4_header h[6];
  size_t nh = 0;
  if (s->content_type) h[nh++] = (ecr_sigv4_header){"Content-Type", s->content_type};
  h[nh++] = (ecr_sigv4_header){"Host", host};
  h[nh++] = (ecr_sigv4_header){"X-Amz-Date", amz_date};
  if (c->creds.session_token)
    h[nh++] = (ecr_sigv4_header){"X-Amz-Security-Token", c->creds.session_token};
  if (s->target) h[nh++] = (ecr_sigv4_header){"X-Amz-Target", s->target};
  ecr_sigv4_request req = {.method = method,
                           .path = path,
                           .query = s->query,
                           .headers = h,
                           .n_headers = nh,
                           .payload = s->body,
                           .payload_len = strlen(s->body)};
  ecr_sigv4_params p = {.access_key = c->creds.access_key_id,
                        .secret_key = c->creds.secret_access_key,
                        .region = sign_region,
                        .service = s->service,
                        .amz_date = amz_date};
  bool anonymous = c->creds.access_key_id == NULL;
  char *authz = anonymous ? NULL : ecr_sigv4_authorization(&req, &p);

  struct curl_slist *list = NULL;
  char *lines[8];
  size_t nl = 0;
  for (size_t i = 0; i < nh; i++) lines[nl++] = ecr_xasprintf("%s: %s", h[i].name, h[i].value);
  if (authz) lines[nl++] = ecr_xasprintf("Authorization: %s", authz);
  lines[nl++] = ecr_xstrdup("Expect:");
  for (size_t i = 0; i < nl; i++) list = curl_slist_append(list, lines[i]);
  debug_log(c, "%s %s service=%s region=%s %s%s", method, full_url ? full_url : url, s->service,
            sign_region, s->target ? "target=" : "action=", s->target ? s->target : s->op_name);
  if (c->debug)
    for (size_t i = 0; i < nh; i++) {
      bool secret = ecr_strcasecmp_ascii(h[i].name, "X-Amz-Security-Token") == 0;
      debug_log(c, "  %s: %s", h[i].name, secret ? "<redacted>" : h[i].value);
    }
  debug_log(c, "  Authorization: %s", anonymous ? "(unsigned)" : "<redacted>");

  CURL *curl = c->curl;
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, full_url ? full_url : url);
  if (get) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, s->body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(s->body));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "ecraudit/" ECRAUDIT_VERSION);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp->body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, hc);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   c->attempt_timeout_ms > 0 ? c->attempt_timeout_ms : c->timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  const char *ca = getenv("AWS_CA_BUNDLE");
  if (ca && *ca) curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
  debug_log(c, "  -> %s, HTTP %ld, %zu bytes", curl_easy_strerror(rc), resp->status,
            resp->body.len);
  /* the header list held the signature and token: wipe it */
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(list);
  for (size_t i = 0; i < nl; i++) wipe_free(lines[i]);
  wipe_free(authz);
  free(host);
  free(path);
  free(full_url);
  return rc;
}

/* Endpoint of a call, in the SDKs' order: --endpoint-url, then
 * AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's endpoint_url
 * (the last three unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), then the
 * service's own endpoint. */
static char *service_url(const ecr_aws_client *c, const char *service, const char *region,
                         const char **sign_region) {
  char *url = NULL;
  ecr_aws_endpoint(service, region, &url, sign_region);
  if (c->endpoint_url) {
    free(url);
    return ecr_xstrdup(c->endpoint_url);
  }
  const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  if (ignore && ecr_strcasecmp_ascii(ignore, "true") == 0) return url;
  char name[64];
  size_t n = (size_t)snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", service);
  for (size_t i = 17; i < n && i < sizeof(name); i++)
    name[i] = (name[i] == '-' || name[i] == ' ') ? '_' : (char)toupper((unsigned char)name[i]);
  const char *v = getenv(name);
  if (!v || !*v) v = getenv("AWS_ENDPOINT_URL");
  if (!v || !*v) v = c->profile_endpoint;
  if (v && *v) {
    free(url);
    url = ecr_xstrdup(v);
    size_t l = strlen(url);
    while (l > 0 && url[l - 1] == '/') url[--l] = '\0';
  }
  return url;
}

static bool expired_code(const char *code) {
  return code && (strcmp(code, "ExpiredToken") == 0 || strcmp(code, "ExpiredTokenException") == 0 ||
                  strcmp(code, "RequestExpired") == 0);
}

/* Replace the client's credentials with fresh ones from c->refresh. */
static ecr_status refresh_creds(ecr_aws_client *c, ecr_error *err) {
  ecr_aws_creds fresh = {0};
  ecr_status st = c->refresh(c->refresh_ctx, &fresh, err);
  if (st != ECR_OK) return st;
  ecr_aws_creds_cleanup(&c->creds);
  c->creds = fresh;
  c->refreshes++;
  debug_log(c, "credentials refreshed (%lu)", c->refreshes);
  return ECR_OK;
}

static ecr_status call(ecr_aws_client *c, const call_spec *s, ecr_aws_response *resp,
                       ecr_error *err) {
  const char *sign_region = NULL;
  char *url = service_url(c, s->service, s->region, &sign_region);
  if (!ecr_str_has_prefix(url, "https://") && !ecr_str_has_prefix(url, "http://")) {
    response_reset(resp);
    resp->error_code = ecr_xstrdup("InvalidEndpoint");
    resp->error_message =
        ecr_xasprintf("endpoint URL must start with https:// or http://: %s", url);
    ecr_status bad =
        ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s", s->op_name, resp->error_message);
    free(url);
    return bad;
  }
  bool refreshed_after_error = false;
  ecr_status st = ECR_E_COLLECT;
  /* every call is bounded (call_timeout_ms with its retries), and so is the
   * whole collection (deadline_ms, --timeout): a server that stalls after
   * the headers costs at most that, not max_attempts x timeout_ms */
  long long call_end = now_ms() + (c->call_timeout_ms > 0 ? c->call_timeout_ms : c->timeout_ms);
  if (c->deadline_ms > 0 && c->deadline_ms < call_end) call_end = c->deadline_ms;
  for (int attempt = 0; attempt < c->max_attempts; attempt++) {
    if (attempt > 0) {
      c->retries++;
      backoff_sleep(c, attempt - 1);
    }
    long long left = call_end - now_ms();
    if (left <= 0) {
      response_reset(resp);
      resp->error_code = ecr_xstrdup("RequestTimeout");
      resp->error_message =
          ecr_xasprintf("%s", c->deadline_ms > 0 && now_ms() >= c->deadline_ms
                                  ? "the collection's time limit (--timeout) was reached"
                                  : "no answer within the time limit for one call");
      break;
    }
    c->attempt_timeout_ms = left < c->timeout_ms ? (long)left : c->timeout_ms;
    response_reset(resp);
    if (c->refresh && c->creds.expiration &&
        (long long)time(NULL) + c->refresh_margin >= c->creds.expiration) {
      ecr_error rerr;
      ecr_error_clear(&rerr);
      if (refresh_creds(c, &rerr) != ECR_OK) {
        resp->error_code = ecr_xstrdup("CredentialRefreshFailed");
        resp->error_message = ecr_xstrdup(rerr.message);
        break;
      }
    }
    hdr_capture hc = {NULL};
    CURLcode rc = perform(c, s, url, sign_region, resp, &hc);
    bool retry = false;
    if (rc != CURLE_OK) {
      resp->error_code = ecr_xstrdup("RequestError");
      resp->error_message = ecr_xasprintf("%s (%s)", curl_easy_strerror(rc), url);
      retry = transport_retryable(rc);
    } else if (resp->status >= 200 && resp->status < 300) {
      st = ECR_OK;
    } else {
      parse_error(resp, hc.error_type, s->json);
      char *clean = redact(resp->error_message, &c->creds);
      free(resp->error_message);
      resp->error_message = clean;
      clean = redact(resp->error_code, &c->creds);
      free(resp->error_code);
      resp->error_code = clean;
      retry = ecr_aws_retryable(resp->status, resp->error_code);
      if (!retry && c->refresh && !refreshed_after_error && expired_code(resp->error_code)) {
        /* the credentials expired earlier than they said: refresh once and retry */
        ecr_error rerr;
        ecr_error_clear(&rerr);
        refreshed_after_error = true;
        retry = refresh_creds(c, &rerr) == ECR_OK;
      }
      debug_log(c, "  error %s", resp->error_code ? resp->error_code : "?");
    }
    free(hc.error_type);
    if (st == ECR_OK || !retry) break;
  }
  if (st != ECR_OK)
    ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s: %s", s->op_name, resp->error_code,
                  resp->error_message);
  free(url);
  return st;
}

ecr_status ecr_aws_query(ecr_aws_client *c, const char *service, const char *region,
                         const char *version, const char *action, const char *params,
                         ecr_aws_response *resp, ecr_error *err) {
  ecr_buf body;
  ecr_buf_init(&body);
  ecr_buf_printf(&body, "Action=%s&Version=%s%s", action, version, params ? params : "");
  char *op = ecr_xasprintf("%s:%s", service, action);
  call_spec s = {.service = service,
                 .region = region,
                 .op_name = op,
                 .content_type = "application/x-www-form-urlencoded; charset=utf-8",
                 .target = NULL,
                 .body = body.data,
                 .json = false};
  ecr_status st = call(c, &s, resp, err);
  /* the body of AssumeRole may carry an external id: wipe it */
  OPENSSL_cleanse(body.data, body.len);
  ecr_buf_cleanup(&body);
  free(op);
  return st;
}

ecr_status ecr_aws_json(ecr_aws_client *c, const char *service, const char *region,
                        const char *target_prefix, const char *op, const char *json_body,
                        ecr_aws_response *resp, ecr_error *err) {
  char *target = ecr_xasprintf("%s.%s", target_prefix, op);
  char *op_name = ecr_xasprintf("%s:%s", service, op);
  call_spec s = {.service = service,
                 .region = region,
                 .op_name = op_name,
                 .content_type = "application/x-amz-json-1.1",
                 .target = target,
                 .body = json_body ? json_body : "{}",
                 .json = true};
  ecr_status st = call(c, &s, resp, err);
  free(target);
  free(op_name);
  return st;
}

ecr_status ecr_aws_rest_get(ecr_aws_client *c, const char *service, const char *region,
                            const char *op, const char *path, const char *query,
                            ecr_aws_response *resp, ecr_error *err) {
  char *op_name = ecr_xasprintf("%s:%s", service, op);
  call_spec s = {.service = service,
                 .region = region,
                 .op_name = op_name,
                 .content_type = NULL,
                 .target = NULL,
                 .body = "",
                 .json = true,
                 .method = "GET",
                 .rest_path = path,
                 .query = query};
  ecr_status st = call(c, &s, resp, err);
  free(op_name);
  return st;
}

/* ---- plain HTTP for credential providers --------------------------------- */

ecr_status ecr_http_send(void *ctx, const ecr_http_req *req, long *status, ecr_buf *body,
                         ecr_error *err) {
  (void)ctx;
  *status = 0;
  if (!curl_ready) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      return ecr_error_set(err, ECR_E_COLLECT, NULL, "cannot initialize libcurl");
    curl_ready = true;
  }
  CURL *curl = curl_easy_init();
  if (!curl) return ecr_error_set(err, ECR_E_COLLECT, NULL, "cannot initialize libcurl");
  struct curl_slist *list = NULL;
  for (size_t i = 0; i < req->n_headers; i++) list = curl_slist_append(list, req->headers[i]);
  curl_easy_setopt(curl, CURLOPT_URL, req->url);
  if (strcmp(req->method, "PUT") == 0) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
  } else if (strcmp(req->method, "POST") == 0) {
    const char *b = req->body ? req->body : "";
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, b);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(b));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "ecraudit/" ECRAUDIT_VERSION);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, req->timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*"); /* link-local and loopback services */
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  const char *ca = getenv("AWS_CA_BUNDLE");
  if (ca && *ca) curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
  CURLcode rc = curl_easy_perform(curl);
  ecr_status st = ECR_OK;
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  } else {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s %s: %s", req->method, req->url,
                       curl_easy_strerror(rc));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return st;
}
