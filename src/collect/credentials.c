/* Credentials as the AWS SDKs find them: environment, web identity (IRSA),
 * the profile (roles chained through source_profile / credential_source /
 * web_identity_token_file, SSO, static keys, credential_process), container
 * credentials (ECS, EKS Pod Identity, CodeBuild) and last the EC2 instance
 * metadata service (IMDSv2). The network goes through the ecr_cred_io
 * callbacks, so unit tests replace it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "collect/aws.h"

/* ---- a tiny INI reader for ~/.aws/config and ~/.aws/credentials -------- */

typedef struct ini_entry {
  char *section;
  char *key; /* lower case, as configparser stores it */
  char *value;
} ini_entry;

typedef struct ini {
  ini_entry *e;
  size_t n, cap;
  char **sections;
  size_t ns, caps;
} ini;

static void ini_cleanup(ini *f) {
  for (size_t i = 0; i < f->n; i++) {
    free(f->e[i].section);
    free(f->e[i].key);
    if (f->e[i].value) OPENSSL_cleanse(f->e[i].value, strlen(f->e[i].value));
    free(f->e[i].value);
  }
  for (size_t i = 0; i < f->ns; i++) free(f->sections[i]);
  free(f->e);
  free(f->sections);
  memset(f, 0, sizeof(*f));
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = '\0';
  return s;
}

/* Missing file = empty; unreadable or malformed lines are skipped like
 * botocore skips what it cannot use (a file that exists but cannot be read
 * is an error). */
static ecr_status ini_load(const char *path, ini *f, ecr_error *err) {
  memset(f, 0, sizeof(*f));
  if (!path || !ecr_file_exists(path)) return ECR_OK;
  char *text = NULL;
  size_t len = 0;
  if (ecr_file_read(path, &text, &len, err) != ECR_OK) return ECR_E_COLLECT;
  char *section = NULL;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    bool indented = line[0] == ' ' || line[0] == '\t';
    char *t = trim(line);
    if (!*t || *t == '#' || *t == ';') continue;
    if (indented) continue; /* nested sub-values (s3 = ...) are not ours */
    if (*t == '[') {
      char *close = strchr(t, ']');
      if (!close) continue;
      *close = '\0';
      free(section);
      section = ecr_xstrdup(trim(t + 1));
      ECR_PUSH(f->sections, f->ns, f->caps, ecr_xstrdup(section));
      continue;
    }
    if (!section) continue;
    char *eq = strchr(t, '=');
    if (!eq) continue;
    *eq = '\0';
    char *k = trim(t);
    char *v = trim(eq + 1);
    for (char *c = k; *c; c++)
      if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
    ini_entry e = {ecr_xstrdup(section), ecr_xstrdup(k), ecr_xstrdup(v)};
    ECR_PUSH(f->e, f->n, f->cap, e);
  }
  free(section);
  OPENSSL_cleanse(text, len);
  free(text);
  return ECR_OK;
}

static const char *ini_get(const ini *f, const char *section, const char *key) {
  const char *found = NULL;
  for (size_t i = 0; i < f->n; i++) /* last one wins */
    if (strcmp(f->e[i].section, section) == 0 && strcmp(f->e[i].key, key) == 0)
      found = f->e[i].value;
  return found;
}

static bool ini_has(const ini *f, const char *section) {
  for (size_t i = 0; i < f->ns; i++)
    if (strcmp(f->sections[i], section) == 0) return true;
  return false;
}

/* ---- profiles ----------------------------------------------------------- */

typedef struct files {
  ini config;
  ini creds;
} files;

/* Config section of a profile: "default" or "profile NAME" (botocore also
 * accepts "profile default"). */
static char *config_section(const files *fs, const char *profile) {
  char *named = ecr_xasprintf("profile %s", profile);
  if (ini_has(&fs->config, named)) return named;
  free(named);
  if (strcmp(profile, "default") == 0 && ini_has(&fs->config, "default"))
    return ecr_xstrdup("default");
  return NULL;
}

/* Merged view: the credentials file overrides the config file (botocore). */
static const char *prof_get(const files *fs, const char *profile, const char *key) {
  const char *v = ini_get(&fs->creds, profile, key);
  if (v && *v) return v;
  char *sec = config_section(fs, profile);
  if (!sec) return NULL;
  v = ini_get(&fs->config, sec, key);
  free(sec);
  return v && *v ? v : NULL;
}

static bool prof_exists(const files *fs, const char *profile) {
  char *sec = config_section(fs, profile);
  bool ok = sec != NULL || ini_has(&fs->creds, profile);
  free(sec);
  return ok;
}

static char *expand_home(const char *path) {
  if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
    const char *home = getenv("HOME");
    return ecr_xasprintf("%s%s", home ? home : "", path + 1);
  }
  return ecr_xstrdup(path);
}

static char *file_path(const char *env, const char *deflt) {
  const char *v = getenv(env);
  if (v && *v) return expand_home(v);
  return expand_home(deflt);
}

static bool env_creds(ecr_aws_creds *out, ecr_error *err, ecr_status *st) {
  const char *ak = getenv("AWS_ACCESS_KEY_ID");
  const char *sk = getenv("AWS_SECRET_ACCESS_KEY");
  const char *tok = getenv("AWS_SESSION_TOKEN");
  if (!tok || !*tok) tok = getenv("AWS_SECURITY_TOKEN");
  bool has_ak = ak && *ak, has_sk = sk && *sk;
  *st = ECR_OK;
  if (!has_ak && !has_sk) return false;
  if (has_ak != has_sk) {
    *st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                        "partial credentials in the environment: %s is set but %s is not",
                        has_ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                        has_ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    return true;
  }
  out->access_key_id = ecr_xstrdup(ak);
  out->secret_access_key = ecr_xstrdup(sk);
  out->session_token = tok && *tok ? ecr_xstrdup(tok) : NULL;
  return true;
}

/* Static keys of one profile in one file (config_file false: the shared
 * credentials file); false when it has none. */
static bool static_creds_in(const files *fs, const char *profile, bool config_file,
                            ecr_aws_creds *out, ecr_error *err, ecr_status *st) {
  *st = ECR_OK;
  const char *ak, *sk, *tok;
  if (!config_file) {
    ak = ini_get(&fs->creds, profile, "aws_access_key_id");
    sk = ini_get(&fs->creds, profile, "aws_secret_access_key");
    tok = ini_get(&fs->creds, profile, "aws_session_token");
  } else {
    char *sec = config_section(fs, profile);
    ak = sec ? ini_get(&fs->config, sec, "aws_access_key_id") : NULL;
    sk = sec ? ini_get(&fs->config, sec, "aws_secret_access_key") : NULL;
    tok = sec ? ini_get(&fs->config, sec, "aws_session_token") : NULL;
    free(sec);
  }
  bool has_ak = ak && *ak, has_sk = sk && *sk;
  if (!has_ak && !has_sk) return false;
  if (has_ak != has_sk) {
    *st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                        "profile \"%s\": partial credentials (%s without %s)", profile,
                        has_ak ? "aws_access_key_id" : "aws_secret_access_key",
                        has_ak ? "aws_secret_access_key" : "aws_access_key_id");
    return true;
  }
  out->access_key_id = ecr_xstrdup(ak);
  out->secret_access_key = ecr_xstrdup(sk);
  out->session_token = tok && *tok ? ecr_xstrdup(tok) : NULL;
  return true;
}

/* Static keys of one profile, credentials file first; false when none. */
static bool static_creds(const files *fs, const char *profile, ecr_aws_creds *out,
                         const char **where, ecr_error *err, ecr_status *st) {
  *where = "shared-credentials-file";
  if (static_creds_in(fs, profile, false, out, err, st)) return true;
  *where = "config-file";
  return static_creds_in(fs, profile, true, out, err, st);
}

/* ---- small helpers ------------------------------------------------------ */

static void wipe_free(char *s) {
  if (!s) return;
  OPENSSL_cleanse(s, strlen(s));
  free(s);
}

static const char *env(const char *name) {
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

static bool env_true(const char *name) {
  const char *v = env(name);
  return v && ecr_strcasecmp_ascii(v, "true") == 0;
}

/* One-line, bounded copy of text that came from elsewhere (a process's
 * stderr, a service's message) for an error message. */
static char *one_line(const char *s, size_t max) {
  if (!s) s = "";
  char *out = ecr_xstrndup(s, strnlen(s, max));
  for (char *p = out; *p; p++)
    if ((unsigned char)*p < 0x20) *p = ' ';
  size_t n = strlen(out);
  while (n && out[n - 1] == ' ') out[--n] = '\0';
  return out;
}

/* A token file (OIDC token, container authorization token), whitespace
 * trimmed. The caller wipes and frees *out. */
static ecr_status read_token_file(const char *path, const char *what, char **out, ecr_error *err) {
  char *text = NULL;
  size_t len = 0;
  *out = NULL;
  ecr_error ferr;
  ecr_error_clear(&ferr);
  if (!ecr_file_exists(path))
    return ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: token file %s does not exist", what, path);
  if (ecr_file_read(path, &text, &len, &ferr) != ECR_OK)
    return ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: cannot read token file %s", what, path);
  char *t = text;
  while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r') t++;
  size_t n = strlen(t);
  while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' || t[n - 1] == '\r')) n--;
  if (n == 0) {
    OPENSSL_cleanse(text, len);
    free(text);
    return ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: token file %s is empty", what, path);
  }
  *out = ecr_xstrndup(t, n);
  OPENSSL_cleanse(text, len);
  free(text);
  return ECR_OK;
}

static const char *json_str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/* Credentials out of a JSON object with the given member names (container,
 * IMDS, credential_process); false when the keys are missing. */
static bool creds_from_json(const cJSON *doc, const char *token_key, ecr_aws_creds *out) {
  const char *ak = json_str(doc, "AccessKeyId");
  const char *sk = json_str(doc, "SecretAccessKey");
  const char *tok = json_str(doc, token_key);
  if (!ak || !sk) return false;
  out->access_key_id = ecr_xstrdup(ak);
  out->secret_access_key = ecr_xstrdup(sk);
  out->session_token = ecr_xstrdup(tok);
  out->expiration = ecr_aws_parse_time(json_str(doc, "Expiration"));
  return true;
}

/* cJSON keeps copies of every string: wipe them before freeing. */
static void json_wipe(cJSON *v) {
  for (; v; v = v->next) {
    if (v->valuestring) OPENSSL_cleanse(v->valuestring, strlen(v->valuestring));
    json_wipe(v->child);
  }
}

static void json_wipe_delete(cJSON *v) {
  if (!v) return;
  if (v->valuestring) OPENSSL_cleanse(v->valuestring, strlen(v->valuestring));
  json_wipe(v->child);
  cJSON_Delete(v);
}

static void buf_wipe_cleanup(ecr_buf *b) {
  if (b->data) OPENSSL_cleanse(b->data, b->len);
  ecr_buf_cleanup(b);
}

#define MAX_CHAIN 8

typedef struct resolver {
  files fs;
  const ecr_cred_io *io;
  const char *region; /* for STS calls */
  const char *chain[MAX_CHAIN];
  size_t depth;
  ecr_buf tried; /* "environment, web identity, ..." for the final message */
} resolver;

static void tried(resolver *r, const char *what) {
  if (r->tried.len) ecr_buf_puts(&r->tried, ", ");
  ecr_buf_puts(&r->tried, what);
}

static void default_session(char buf[64]) {
  snprintf(buf, 64, "ecraudit-%lld", (long long)time(NULL));
}

/* ---- web identity (IRSA, any OIDC provider) ------------------------------ */

static ecr_status web_identity(resolver *r, const char *what, const char *role_arn,
                               const char *token_file, const char *session, const char *duration,
                               ecr_aws_creds *out, ecr_error *err) {
  char name[64];
  if (!session) {
    default_session(name);
    session = name;
  }
  if (!r->io || !r->io->web_identity)
    return ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: cannot call STS here", what);
  char *token = NULL;
  ecr_status st = read_token_file(token_file, what, &token, err);
  if (st != ECR_OK) return st;
  ecr_web_identity_params p = {.role_arn = role_arn,
                               .session_name = session,
                               .token = token,
                               .duration_seconds = duration,
                               .region = r->region};
  ecr_error sub;
  ecr_error_clear(&sub);
  st = r->io->web_identity(r->io->ctx, &p, out, &sub);
  if (st != ECR_OK) {
    /* a service that echoes the token must not put it in our message */
    char *hit;
    size_t tl = strlen(token);
    while (tl >= 8 && (hit = strstr(sub.message, token)) != NULL) {
      static const char mark[] = "<redacted>";
      memmove(hit + sizeof(mark) - 1, hit + tl, strlen(hit + tl) + 1);
      memcpy(hit, mark, sizeof(mark) - 1);
    }
    st =
        ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: assuming %s: %s", what, role_arn, sub.message);
  }
  OPENSSL_cleanse(sub.message, strlen(sub.message));
  wipe_free(token);
  return st;
}

/* ---- HTTP credential endpoints -------------------------------------------- */

/* GET/PUT with a few attempts on transport errors and 5xx. */
static ecr_status http_try(resolver *r, const ecr_http_req *req, int attempts, long *status,
                           ecr_buf *body, ecr_error *err) {
  ecr_status st = ECR_E_COLLECT;
  for (int i = 0; i < attempts; i++) {
    ecr_buf_reset(body);
    ecr_error_clear(err);
    st = r->io->http(r->io->ctx, req, status, body, err);
    if (st == ECR_OK && *status < 500) return ECR_OK;
  }
  if (st == ECR_OK) st = ECR_E_COLLECT; /* 5xx every time */
  return st;
}

static char *body_message(const ecr_buf *b) {
  cJSON *doc = cJSON_ParseWithLength(b->data ? b->data : "", b->len);
  const char *m = json_str(doc, "message");
  if (!m) m = json_str(doc, "Message");
  char *out = m ? one_line(m, 200) : one_line(b->data ? b->data : "", b->len < 200 ? b->len : 200);
  cJSON_Delete(doc);
  return out;
}

/* http only to loopback or the ECS / EKS Pod Identity agent addresses
 * (botocore's rule); https anywhere. */
static bool container_url_allowed(const char *url) {
  if (ecr_str_has_prefix(url, "https://")) return true;
  if (!ecr_str_has_prefix(url, "http://")) return false;
  const char *h = url + 7;
  static const char *const hosts[] = {"127.",          "localhost",      "[::1]",
                                      "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"};
  for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
    size_t n = strlen(hosts[i]);
    if (strncmp(h, hosts[i], n) != 0) continue;
    if (hosts[i][n - 1] == '.') return true;
    char next = h[n];
    if (next == '\0' || next == ':' || next == '/') return true;
  }
  return false;
}

static ecr_status container_creds(resolver *r, ecr_aws_creds *out, ecr_error *err) {
  const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  const char *what = rel ? "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)"
                         : "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)";
  char *url = rel ? ecr_xasprintf("http://169.254.170.2%s%s", rel[0] == '/' ? "" : "/", rel)
                  : ecr_xstrdup(full);
  ecr_status st = ECR_OK;
  char *token = NULL, *header = NULL;
  ecr_buf body;
  ecr_buf_init(&body);
  cJSON *doc = NULL;
  if (!rel && !container_url_allowed(url)) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "%s: %s is neither https nor a loopback, ECS or EKS Pod Identity address",
                       what, url);
    goto cleanup;
  }
  const char *token_file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  if (token_file) {
    st = read_token_file(token_file, what, &token, err);
    if (st != ECR_OK) goto cleanup;
  } else if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    token = ecr_xstrdup(env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
  }
  if (token && strpbrk(token, "\r\n")) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: the authorization token holds a line break",
                       what);
    goto cleanup;
  }
  const char *headers[2];
  size_t nh = 0;
  headers[nh++] = "Accept: application/json";
  if (token) headers[nh++] = header = ecr_xasprintf("Authorization: %s", token);
  if (!r->io || !r->io->http) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: no HTTP client here", what);
    goto cleanup;
  }
  ecr_http_req req = {"GET", url, headers, nh, 2000, NULL};
  long status = 0;
  ecr_error sub;
  ecr_error_clear(&sub);
  if (http_try(r, &req, 3, &status, &body, &sub) != ECR_OK) {
    st = status ? ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s answered HTTP %ld", what, url,
                                status)
                : ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s", what, sub.message);
    goto cleanup;
  }
  if (status != 200) {
    char *msg = body_message(&body);
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s answered HTTP %ld: %s", what, url, status,
                       msg);
    free(msg);
    goto cleanup;
  }
  doc = cJSON_ParseWithLength(body.data ? body.data : "", body.len);
  if (!creds_from_json(doc, "Token", out))
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "%s: %s: the response has no AccessKeyId/SecretAccessKey", what, url);
cleanup:
  json_wipe_delete(doc);
  buf_wipe_cleanup(&body);
  wipe_free(header);
  wipe_free(token);
  free(url);
  return st;
}

/* IMDSv2: a session token (PUT), the role name, the role's credentials.
 * *present is false when the service cannot be reached at its default
 * address (not on EC2): the chain then ends with "no credentials". */
static ecr_status imds_creds(resolver *r, ecr_aws_creds *out, bool *present, char **why,
                             ecr_error *err) {
  const char *configured = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  const char *mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
  char *base =
      ecr_xstrdup(configured                                        ? configured
                  : mode && ecr_strcasecmp_ascii(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                                    : "http://169.254.169.254");
  size_t bl = strlen(base);
  while (bl && base[bl - 1] == '/') base[--bl] = '\0';
  const char *what = "instance metadata (IMDSv2)";
  long timeout = 1000;
  int attempts = 1;
  if (env("AWS_METADATA_SERVICE_TIMEOUT"))
    timeout = 1000 * strtol(env("AWS_METADATA_SERVICE_TIMEOUT"), NULL, 10);
  if (env("AWS_METADATA_SERVICE_NUM_ATTEMPTS"))
    attempts = (int)strtol(env("AWS_METADATA_SERVICE_NUM_ATTEMPTS"), NULL, 10);
  if (timeout <= 0) timeout = 1000;
  if (attempts <= 0) attempts = 1;
  *present = true;
  *why = NULL;
  ecr_status st = ECR_OK;
  ecr_buf body;
  ecr_buf_init(&body);
  char *token = NULL, *token_header = NULL, *role = NULL, *url = NULL;
  cJSON *doc = NULL;
  long status = 0;
  ecr_error sub;
  ecr_error_clear(&sub);
  if (!r->io || !r->io->http) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: no HTTP client here", what);
    goto cleanup;
  }
  url = ecr_xasprintf("%s/latest/api/token", base);
  const char *put_headers[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600"};
  ecr_http_req put = {"PUT", url, put_headers, 1, timeout, NULL};
  if (http_try(r, &put, attempts, &status, &body, &sub) != ECR_OK || status != 200) {
    char *reason = status ? ecr_xasprintf("the token request to %s answered HTTP %ld", url, status)
                          : ecr_xasprintf("%s", sub.message);
    if (!configured) {
      /* not on EC2, IMDS disabled on the instance (403), or something else
       * at the address: no credentials here, said in the final message */
      *present = false;
      *why = reason;
      goto cleanup;
    }
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s", what, reason);
    free(reason);
    goto cleanup;
  }
  token = ecr_xstrndup(body.data ? body.data : "", body.len);
  token_header = ecr_xasprintf("X-aws-ec2-metadata-token: %s", token);
  const char *get_headers[] = {token_header};
  free(url);
  url = ecr_xasprintf("%s/latest/meta-data/iam/security-credentials/", base);
  ecr_http_req get = {"GET", url, get_headers, 1, timeout, NULL};
  if (http_try(r, &get, attempts, &status, &body, &sub) != ECR_OK || status != 200) {
    st = status == 404 ? ecr_error_set(err, ECR_E_COLLECT, NULL,
                                       "%s: the instance has no IAM role (instance profile)", what)
         : status ? ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s answered HTTP %ld", what, url,
                                  status)
                  : ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s", what, sub.message);
    goto cleanup;
  }
  role = ecr_xstrndup(body.data ? body.data : "", body.len);
  role[strcspn(role, "\r\n")] = '\0';
  if (!*role || strchr(role, '/')) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: the instance has no IAM role", what);
    goto cleanup;
  }
  free(url);
  url = ecr_xasprintf("%s/latest/meta-data/iam/security-credentials/%s", base, role);
  get.url = url;
  if (http_try(r, &get, attempts, &status, &body, &sub) != ECR_OK || status != 200) {
    st = status ? ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s answered HTTP %ld", what, url,
                                status)
                : ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s", what, sub.message);
    goto cleanup;
  }
  doc = cJSON_ParseWithLength(body.data ? body.data : "", body.len);
  const char *code = json_str(doc, "Code");
  if (code && strcmp(code, "Success") != 0) {
    char *c = one_line(code, 80);
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: role %s: Code %s", what, role, c);
    free(c);
    goto cleanup;
  }
  if (!creds_from_json(doc, "Token", out))
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "%s: role %s: the response has no AccessKeyId/SecretAccessKey", what, role);
cleanup:
  json_wipe_delete(doc);
  buf_wipe_cleanup(&body);
  wipe_free(token_header);
  wipe_free(token);
  free(role);
  free(url);
  free(base);
  return st;
}

/* ---- SSO: cached token + the portal's GetRoleCredentials ------------------ */

static char *sha1_hex(const char *s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s, strlen(s), md, &n, EVP_sha1(), NULL);
  char *out = ecr_xmalloc(2 * n + 1);
  for (unsigned int i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
  return out;
}

static char *url_encode(const char *s) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
        *p == '-' || *p == '_' || *p == '.' || *p == '~')
      ecr_buf_putc(&b, (char)*p);
    else
      ecr_buf_printf(&b, "%%%02X", *p);
  }
  if (!b.data) ecr_buf_puts(&b, "");
  return ecr_buf_steal(&b);
}

/* Rewrite the SSO cache file (0600, renamed into place) with a refreshed token. */
static bool sso_cache_write(const char *path, const cJSON *cache) {
  char *text = cJSON_PrintUnformatted(cache);
  char *tmp = ecr_xasprintf("%s.tmp-%ld", path, (long)getpid());
  bool ok = false;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    size_t len = strlen(text), off = 0;
    while (off < len) {
      ssize_t w = write(fd, text + off, len - off);
      if (w <= 0) break;
      off += (size_t)w;
    }
    ok = off == len && close(fd) == 0 && rename(tmp, path) == 0;
    if (!ok) unlink(tmp);
  }
  OPENSSL_cleanse(text, strlen(text));
  free(text);
  free(tmp);
  return ok;
}

/* An expired sso-session token: the SDKs' refresh through SSO OIDC CreateToken
 * (grant refresh_token) with the client registration cached beside it. On
 * success the cache holds the new token (as the AWS CLI writes it) and
 * *token is replaced. *why says why not otherwise. */
static bool sso_refresh(resolver *r, const char *sso_region, const char *cache_path, cJSON *cache,
                        char **why) {
  const char *rt = json_str(cache, "refreshToken"), *id = json_str(cache, "clientId");
  const char *secret = json_str(cache, "clientSecret");
  *why = NULL;
  if (!rt || !id || !secret) {
    *why = ecr_xstrdup("no refresh token in the cache");
    return false;
  }
  long long reg = ecr_aws_parse_time(json_str(cache, "registrationExpiresAt"));
  if (reg && reg <= (long long)time(NULL)) {
    *why = ecr_xstrdup("the client registration expired");
    return false;
  }
  if (!r->io || !r->io->http) {
    *why = ecr_xstrdup("no HTTP client here");
    return false;
  }
  const char *base = r->io->endpoint_url;
  if (!base) base = env("AWS_ENDPOINT_URL_SSO_OIDC");
  if (!base) base = env("AWS_ENDPOINT_URL");
  char *url = base ? ecr_xasprintf("%s/token", base)
                   : ecr_xasprintf("https://oidc.%s.amazonaws.com/token", sso_region);
  cJSON *req_doc = cJSON_CreateObject();
  cJSON_AddStringToObject(req_doc, "clientId", id);
  cJSON_AddStringToObject(req_doc, "clientSecret", secret);
  cJSON_AddStringToObject(req_doc, "grantType", "refresh_token");
  cJSON_AddStringToObject(req_doc, "refreshToken", rt);
  char *body_text = cJSON_PrintUnformatted(req_doc);
  json_wipe_delete(req_doc);
  const char *headers[] = {"Content-Type: application/json", "Accept: application/json"};
  ecr_http_req req = {"POST", url, headers, 2, 10000, body_text};
  long status = 0;
  ecr_buf body;
  ecr_buf_init(&body);
  ecr_error sub;
  ecr_error_clear(&sub);
  bool ok = false;
  cJSON *doc = NULL;
  if (http_try(r, &req, 2, &status, &body, &sub) != ECR_OK) {
    *why = ecr_xasprintf("CreateToken: %s", status ? "5xx" : sub.message);
  } else if (status != 200) {
    char *msg = body_message(&body);
    *why = ecr_xasprintf("CreateToken: HTTP %ld: %s", status, msg);
    free(msg);
  } else {
    doc = cJSON_ParseWithLength(body.data ? body.data : "", body.len);
    const char *at = json_str(doc, "accessToken");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(doc, "expiresIn");
    if (!at || !cJSON_IsNumber(in)) {
      *why = ecr_xstrdup("CreateToken: the response has no accessToken/expiresIn");
    } else {
      char when[21];
      ecr_time_iso8601((time_t)(time(NULL) + (time_t)in->valuedouble), when);
      cJSON_ReplaceItemInObjectCaseSensitive(cache, "accessToken", cJSON_CreateString(at));
      if (cJSON_GetObjectItemCaseSensitive(cache, "expiresAt"))
        cJSON_ReplaceItemInObjectCaseSensitive(cache, "expiresAt", cJSON_CreateString(when));
      else
        cJSON_AddStringToObject(cache, "expiresAt", when);
      const char *nrt = json_str(doc, "refreshToken");
      if (nrt)
        cJSON_ReplaceItemInObjectCaseSensitive(cache, "refreshToken", cJSON_CreateString(nrt));
      ok = true;
      if (!sso_cache_write(cache_path, cache))
        *why = ecr_xasprintf("the refreshed token could not be written to %s", cache_path);
    }
  }
  json_wipe_delete(doc);
  buf_wipe_cleanup(&body);
  OPENSSL_cleanse(body_text, strlen(body_text));
  free(body_text);
  free(url);
  return ok;
}

static ecr_status sso_creds(resolver *r, const char *profile, ecr_aws_creds *out, ecr_error *err) {
  const files *fs = &r->fs;
  const char *session = prof_get(fs, profile, "sso_session");
  const char *start_url = prof_get(fs, profile, "sso_start_url");
  const char *sso_region = prof_get(fs, profile, "sso_region");
  const char *account = prof_get(fs, profile, "sso_account_id");
  const char *role = prof_get(fs, profile, "sso_role_name");
  char *what = ecr_xasprintf("SSO (profile \"%s\")", profile);
  char *cache_key = NULL, *cache_path = NULL, *token = NULL, *header = NULL, *url = NULL;
  char *text = NULL;
  size_t len = 0;
  cJSON *cache = NULL, *doc = NULL;
  ecr_buf body;
  ecr_buf_init(&body);
  ecr_status st = ECR_OK;
  if (session) {
    char *sec = ecr_xasprintf("sso-session %s", session);
    if (!ini_has(&fs->config, sec)) {
      st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: sso_session \"%s\" has no [%s] section",
                         what, session, sec);
      free(sec);
      goto cleanup;
    }
    const char *u = ini_get(&fs->config, sec, "sso_start_url");
    const char *rg = ini_get(&fs->config, sec, "sso_region");
    if (u && *u) start_url = u;
    if (rg && *rg) sso_region = rg;
    free(sec);
    cache_key = sha1_hex(session);
  } else if (start_url) {
    cache_key = sha1_hex(start_url);
  }
  const char *missing = !start_url    ? "sso_start_url"
                        : !sso_region ? "sso_region"
                        : !account    ? "sso_account_id"
                        : !role       ? "sso_role_name"
                                      : NULL;
  if (missing) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s is not set", what, missing);
    goto cleanup;
  }
  {
    const char *home = getenv("HOME");
    cache_path = ecr_xasprintf("%s/.aws/sso/cache/%s.json", home ? home : "", cache_key);
  }
  char *login = session ? ecr_xasprintf("aws sso login --sso-session %s", session)
                        : ecr_xasprintf("aws sso login --profile %s", profile);
  if (!ecr_file_exists(cache_path)) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: no cached token (%s); run `%s`", what,
                       cache_path, login);
    free(login);
    goto cleanup;
  }
  ecr_error ferr;
  ecr_error_clear(&ferr);
  if (ecr_file_read(cache_path, &text, &len, &ferr) != ECR_OK ||
      !(cache = cJSON_ParseWithLength(text, len)) || !json_str(cache, "accessToken")) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "%s: the cached token %s is unreadable or has no accessToken; run `%s`",
                       what, cache_path, login);
    free(login);
    goto cleanup;
  }
  long long expires = ecr_aws_parse_time(json_str(cache, "expiresAt"));
  if (expires && expires <= (long long)time(NULL) + 60) {
    char *why = NULL;
    char *was = ecr_xstrdup(json_str(cache, "expiresAt"));
    if (!session || !sso_refresh(r, sso_region, cache_path, cache, &why)) {
      st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "%s: the cached token expired at %s%s%s; run `%s`", what, was,
                         why ? " and was not refreshed: " : "", why ? why : "", login);
      free(why);
      free(was);
      free(login);
      goto cleanup;
    }
    free(why); /* refreshed; a failed write-back is not fatal */
    free(was);
  }
  free(login);
  token = ecr_xstrdup(json_str(cache, "accessToken"));
  {
    const char *portal = r->io ? r->io->endpoint_url : NULL;
    if (!portal) portal = env("AWS_ENDPOINT_URL_SSO");
    if (!portal) portal = env("AWS_ENDPOINT_URL");
    char *base = portal ? ecr_xstrdup(portal)
                        : ecr_xasprintf("https://portal.sso.%s.amazonaws.com", sso_region);
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') base[--bl] = '\0';
    char *a = url_encode(account), *ro = url_encode(role);
    url = ecr_xasprintf("%s/federation/credentials?account_id=%s&role_name=%s", base, a, ro);
    free(a);
    free(ro);
    free(base);
  }
  header = ecr_xasprintf("x-amz-sso_bearer_token: %s", token);
  const char *headers[] = {header, "Accept: application/json"};
  if (!r->io || !r->io->http) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: no HTTP client here", what);
    goto cleanup;
  }
  ecr_http_req req = {"GET", url, headers, 2, 10000, NULL};
  long status = 0;
  ecr_error sub;
  ecr_error_clear(&sub);
  if (http_try(r, &req, 3, &status, &body, &sub) != ECR_OK) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: GetRoleCredentials: %s", what,
                       status ? "the portal answered 5xx" : sub.message);
    goto cleanup;
  }
  if (status != 200) {
    char *msg = body_message(&body);
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "%s: GetRoleCredentials for %s in account %s: HTTP %ld: %s%s", what, role,
                       account, status, msg,
                       status == 401 ? " (the SSO session expired: run aws sso login)" : "");
    free(msg);
    goto cleanup;
  }
  doc = cJSON_ParseWithLength(body.data ? body.data : "", body.len);
  const cJSON *rc = cJSON_GetObjectItemCaseSensitive(doc, "roleCredentials");
  const char *ak = json_str(rc, "accessKeyId"), *sk = json_str(rc, "secretAccessKey");
  if (!ak || !sk) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "%s: GetRoleCredentials: the response has no roleCredentials", what);
    goto cleanup;
  }
  out->access_key_id = ecr_xstrdup(ak);
  out->secret_access_key = ecr_xstrdup(sk);
  out->session_token = ecr_xstrdup(json_str(rc, "sessionToken"));
  const cJSON *exp = cJSON_GetObjectItemCaseSensitive(rc, "expiration");
  if (cJSON_IsNumber(exp)) out->expiration = (long long)(exp->valuedouble / 1000.0);
cleanup:
  json_wipe_delete(doc);
  json_wipe_delete(cache);
  buf_wipe_cleanup(&body);
  if (text) OPENSSL_cleanse(text, len);
  free(text);
  wipe_free(header);
  wipe_free(token);
  free(url);
  free(cache_path);
  free(cache_key);
  free(what);
  return st;
}

/* ---- credential_process ------------------------------------------------- */

/* Split a command line as Python's shlex.split (botocore) does: blanks
 * separate words, '...' is literal, "..." and \ escape. NULL when a quote is
 * not closed. The caller frees the array and its strings. */
static char **shlex_split(const char *cmd, size_t *n_out) {
  char **argv = NULL;
  size_t n = 0, cap = 0;
  ecr_buf w;
  ecr_buf_init(&w);
  bool in_word = false;
  const char *p = cmd;
  while (*p) {
    if (*p == ' ' || *p == '\t' || *p == '\n') {
      if (in_word) {
        ecr_buf_puts(&w, "");
        ECR_PUSH(argv, n, cap, ecr_buf_steal(&w));
        ecr_buf_init(&w);
        in_word = false;
      }
      p++;
    } else if (*p == '\'') {
      in_word = true;
      const char *end = strchr(p + 1, '\'');
      if (!end) goto bad;
      ecr_buf_append(&w, p + 1, (size_t)(end - p - 1));
      p = end + 1;
    } else if (*p == '"') {
      in_word = true;
      p++;
      while (*p && *p != '"') {
        if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`')) p++;
        ecr_buf_putc(&w, *p++);
      }
      if (*p != '"') goto bad;
      p++;
    } else if (*p == '\\' && p[1]) {
      in_word = true;
      ecr_buf_putc(&w, p[1]);
      p += 2;
    } else {
      in_word = true;
      ecr_buf_putc(&w, *p++);
    }
  }
  if (in_word) {
    ecr_buf_puts(&w, "");
    ECR_PUSH(argv, n, cap, ecr_buf_steal(&w));
  }
  ecr_buf_cleanup(&w);
  ECR_PUSH(argv, n, cap, NULL);
  *n_out = n - 1;
  return argv;
bad:
  ecr_buf_cleanup(&w);
  for (size_t i = 0; i < n; i++) free(argv[i]);
  free(argv);
  return NULL;
}

#define PROCESS_TIMEOUT_MS 60000
#define PROCESS_MAX_OUTPUT (1u << 20)

static ecr_status process_creds(const char *profile, const char *cmd, ecr_aws_creds *out,
                                ecr_error *err) {
  char *what = ecr_xasprintf("credential_process (profile \"%s\")", profile);
  size_t argc = 0;
  char **argv = shlex_split(cmd, &argc);
  ecr_status st = ECR_OK;
  ecr_buf so, se;
  ecr_buf_init(&so);
  ecr_buf_init(&se);
  cJSON *doc = NULL;
  int po[2] = {-1, -1}, pe[2] = {-1, -1};
  if (!argv || argc == 0) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: the command is empty or has an open quote",
                       what);
    goto cleanup;
  }
  if (pipe(po) != 0 || pipe(pe) != 0) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: pipe: %s", what, strerror(errno));
    goto cleanup;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: fork: %s", what, strerror(errno));
    goto cleanup;
  }
  if (pid == 0) {
    dup2(po[1], 1);
    dup2(pe[1], 2);
    close(po[0]);
    close(pe[0]);
    close(po[1]);
    close(pe[1]);
    execvp(argv[0], argv);
    /* fd 2 is now pe[1]: this is the child's stderr, which the parent reads
       into the error message, not the process's stderr */
    dprintf(2, "cannot run %s: %s", argv[0], strerror(errno));
    _exit(127);
  }
  close(po[1]);
  close(pe[1]);
  po[1] = pe[1] = -1;
  struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
  int open_fds = 2;
  time_t start = time(NULL);
  bool timed_out = false;
  while (open_fds > 0) {
    int rc = poll(fds, 2, 1000);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) break;
    if ((time(NULL) - start) * 1000 > PROCESS_TIMEOUT_MS) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char chunk[4096];
      ssize_t got = read(fds[i].fd, chunk, sizeof(chunk));
      if (got <= 0) {
        close(fds[i].fd);
        if (i == 0)
          po[0] = -1;
        else
          pe[0] = -1;
        fds[i].fd = -1;
        open_fds--;
        continue;
      }
      ecr_buf *b = i == 0 ? &so : &se;
      if (b->len < PROCESS_MAX_OUTPUT) ecr_buf_append(b, chunk, (size_t)got);
    }
  }
  int wst = 0;
  while (waitpid(pid, &wst, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s did not finish within %d s", what, argv[0],
                       PROCESS_TIMEOUT_MS / 1000);
    goto cleanup;
  }
  if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
    char *msg = one_line(se.data ? se.data : "", se.len < 300 ? se.len : 300);
    if (WIFEXITED(wst))
      st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s exited with status %d%s%s", what,
                         argv[0], WEXITSTATUS(wst), *msg ? ": " : "", msg);
    else
      st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s was killed by signal %d", what, argv[0],
                         WTERMSIG(wst));
    free(msg);
    goto cleanup;
  }
  doc = cJSON_ParseWithLength(so.data ? so.data : "", so.len);
  const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "Version");
  if (!cJSON_IsObject(doc)) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s did not print a JSON object", what,
                       argv[0]);
  } else if (!cJSON_IsNumber(ver) || ver->valuedouble != 1) {
    st =
        ecr_error_set(err, ECR_E_COLLECT, NULL,
                      "%s: %s printed no \"Version\": 1 (the only version defined)", what, argv[0]);
  } else if (!creds_from_json(doc, "SessionToken", out)) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s printed no AccessKeyId/SecretAccessKey",
                       what, argv[0]);
  } else if (json_str(doc, "Expiration") && !out->expiration) {
    ecr_aws_creds_cleanup(out);
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "%s: %s printed an Expiration that is not an ISO 8601 time", what, argv[0]);
  }
cleanup:
  for (int i = 0; i < 2; i++) {
    if (po[i] >= 0) close(po[i]);
    if (pe[i] >= 0) close(pe[i]);
  }
  json_wipe_delete(doc);
  buf_wipe_cleanup(&so);
  buf_wipe_cleanup(&se);
  if (argv) {
    for (size_t i = 0; i < argc; i++) free(argv[i]);
    free(argv);
  }
  free(what);
  return st;
}

/* ---- profiles and role chains ------------------------------------------ */

/* *found is false when the profile holds no credential settings at all. */
static ecr_status resolve_profile(resolver *r, const char *profile, ecr_aws_creds *out,
                                  const char **source, bool *found, ecr_error *err);

static ecr_status assume_from(resolver *r, const char *profile, const char *role_arn,
                              ecr_aws_creds *out, ecr_error *err) {
  const files *fs = &r->fs;
  const char *src_profile = prof_get(fs, profile, "source_profile");
  const char *cred_source = prof_get(fs, profile, "credential_source");
  const char *token_file = prof_get(fs, profile, "web_identity_token_file");
  ecr_aws_creds source = {0};
  ecr_status st = ECR_OK;
  char session[64];
  const char *name = prof_get(fs, profile, "role_session_name");
  if (!name) {
    default_session(session);
    name = session;
  }
  if (prof_get(fs, profile, "mfa_serial")) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "profile \"%s\": roles that need MFA (mfa_serial) are not supported; "
                       "export temporary credentials instead",
                       profile);
    goto cleanup;
  }
  if ((src_profile != NULL) + (cred_source != NULL) + (token_file != NULL) > 1) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "profile \"%s\": source_profile, credential_source and "
                       "web_identity_token_file exclude each other",
                       profile);
    goto cleanup;
  }
  if (token_file) {
    char *what = ecr_xasprintf("web identity (profile \"%s\", web_identity_token_file %s)", profile,
                               token_file);
    char *path = expand_home(token_file);
    st = web_identity(r, what, role_arn, path, name, prof_get(fs, profile, "duration_seconds"), out,
                      err);
    free(path);
    free(what);
    goto cleanup;
  }
  if (src_profile) {
    if (strcmp(src_profile, profile) == 0) {
      const char *where;
      if (!static_creds(fs, profile, &source, &where, err, &st)) {
        st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                           "profile \"%s\" is its own source_profile but has no static keys",
                           profile);
      }
      if (st != ECR_OK) goto cleanup;
    } else {
      if (!prof_exists(fs, src_profile)) {
        st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                           "profile \"%s\": source_profile \"%s\" not found", profile, src_profile);
        goto cleanup;
      }
      const char *ignored;
      bool found = false;
      st = resolve_profile(r, src_profile, &source, &ignored, &found, err);
      if (st == ECR_OK && !found)
        st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                           "profile \"%s\": source_profile \"%s\" has no credentials", profile,
                           src_profile);
      if (st != ECR_OK) goto cleanup;
    }
  } else if (cred_source) {
    if (strcmp(cred_source, "Environment") == 0) {
      if (!env_creds(&source, err, &st)) {
        st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                           "profile \"%s\": credential_source = Environment but "
                           "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set",
                           profile);
      }
    } else if (strcmp(cred_source, "EcsContainer") == 0) {
      if (!env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") &&
          !env("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
        st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                           "profile \"%s\": credential_source = EcsContainer but neither "
                           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor _FULL_URI is set",
                           profile);
      else
        st = container_creds(r, &source, err);
    } else if (strcmp(cred_source, "Ec2InstanceMetadata") == 0) {
      bool present = true;
      char *why = NULL;
      st = imds_creds(r, &source, &present, &why, err);
      if (st == ECR_OK && !present)
        st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                           "profile \"%s\": credential_source = Ec2InstanceMetadata: %s", profile,
                           why ? why : "instance metadata unreachable");
      free(why);
    } else {
      st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "profile \"%s\": credential_source = %s is not one of Environment, "
                         "EcsContainer, Ec2InstanceMetadata",
                         profile, cred_source);
    }
    if (st != ECR_OK) goto cleanup;
  } else {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "profile \"%s\": role_arn needs source_profile, credential_source or "
                       "web_identity_token_file",
                       profile);
    goto cleanup;
  }
  ecr_assume_role_params p = {.role_arn = role_arn,
                              .session_name = name,
                              .external_id = prof_get(fs, profile, "external_id"),
                              .duration_seconds = prof_get(fs, profile, "duration_seconds"),
                              .region = r->region};
  if (!r->io || !r->io->assume) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "profile \"%s\": cannot assume roles here",
                       profile);
    goto cleanup;
  }
  st = r->io->assume(r->io->ctx, &source, &p, out, err);
cleanup:
  ecr_aws_creds_cleanup(&source);
  return st;
}

static ecr_status resolve_profile(resolver *r, const char *profile, ecr_aws_creds *out,
                                  const char **source, bool *found, ecr_error *err) {
  *found = true;
  for (size_t i = 0; i < r->depth; i++)
    if (strcmp(r->chain[i], profile) == 0)
      return ecr_error_set(err, ECR_E_COLLECT, NULL,
                           "profile \"%s\": source_profile chain loops back to itself", profile);
  if (r->depth >= MAX_CHAIN)
    return ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "profile \"%s\": source_profile chain longer than %d", profile, MAX_CHAIN);
  r->chain[r->depth++] = profile;
  ecr_status st = ECR_OK;
  const files *fs = &r->fs;
  const char *role_arn = prof_get(fs, profile, "role_arn");
  const char *process = prof_get(fs, profile, "credential_process");
  if (role_arn) {
    *source = prof_get(fs, profile, "web_identity_token_file") ? "web-identity" : "assume-role";
    st = assume_from(r, profile, role_arn, out, err);
    goto done;
  }
  if (prof_get(fs, profile, "sso_session") || prof_get(fs, profile, "sso_start_url") ||
      prof_get(fs, profile, "sso_account_id")) {
    *source = "sso";
    st = sso_creds(r, profile, out, err);
    goto done;
  }
  /* botocore: credentials file, then credential_process, then config file */
  *source = "shared-credentials-file";
  if (static_creds_in(fs, profile, false, out, err, &st)) goto done;
  if (process) {
    *source = "credential-process";
    st = process_creds(profile, process, out, err);
    goto done;
  }
  *source = "config-file";
  if (static_creds_in(fs, profile, true, out, err, &st)) goto done;
  *source = NULL;
  *found = false;
done:
  r->depth--;
  return st;
}

void ecr_cred_result_cleanup(ecr_cred_result *r) {
  if (!r) return;
  ecr_aws_creds_cleanup(&r->creds);
  free(r->profile);
  free(r->region);
  free(r->source);
  free(r->max_attempts);
  free(r->retry_mode);
  free(r->endpoint_url);
  memset(r, 0, sizeof(*r));
}

ecr_status ecr_credentials_resolve(const char *profile_arg, const ecr_cred_io *io,
                                   ecr_cred_result *out, ecr_error *err) {
  memset(out, 0, sizeof(*out));
  resolver r;
  memset(&r, 0, sizeof(r));
  r.io = io;
  ecr_buf_init(&r.tried);
  ecr_status st = ECR_OK;
  char *config_path = file_path("AWS_CONFIG_FILE", "~/.aws/config");
  char *creds_path = file_path("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
  const char *profile = profile_arg && *profile_arg ? profile_arg : NULL;
  if (!profile) profile = getenv("AWS_PROFILE");
  if (!profile || !*profile) profile = getenv("AWS_DEFAULT_PROFILE");
  if (!profile || !*profile) profile = "default";
  out->profile = ecr_xstrdup(profile);
  const char *source = NULL;
  st = ini_load(config_path, &r.fs.config, err);
  if (st != ECR_OK) goto cleanup;
  st = ini_load(creds_path, &r.fs.creds, err);
  if (st != ECR_OK) goto cleanup;
  out->region = ecr_xstrdup(prof_get(&r.fs, profile, "region"));
  out->max_attempts = ecr_xstrdup(prof_get(&r.fs, profile, "max_attempts"));
  out->retry_mode = ecr_xstrdup(prof_get(&r.fs, profile, "retry_mode"));
  out->endpoint_url = ecr_xstrdup(prof_get(&r.fs, profile, "endpoint_url"));
  const char *env_region = env("AWS_REGION");
  if (!env_region) env_region = env("AWS_DEFAULT_REGION");
  r.region = env_region ? env_region : out->region;

  /* 1. environment keys; an explicit --profile negates them (botocore). */
  if (!(profile_arg && *profile_arg)) {
    tried(&r, "environment");
    if (env_creds(&out->creds, err, &st)) {
      source = "environment";
      goto cleanup;
    }
  }
  /* 2. web identity from the environment (EKS IRSA) */
  const char *token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
  const char *role_arn = env("AWS_ROLE_ARN");
  if (token_file || role_arn) {
    tried(&r, "web identity");
    if (!token_file || !role_arn) {
      st = ecr_error_set(err, ECR_E_COLLECT, NULL, "web identity: %s is set but %s is not",
                         token_file ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN",
                         token_file ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE");
      goto cleanup;
    }
    char *what =
        ecr_xasprintf("web identity (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE %s)", token_file);
    st = web_identity(&r, what, role_arn, token_file, env("AWS_ROLE_SESSION_NAME"), NULL,
                      &out->creds, err);
    free(what);
    source = "web-identity";
    goto cleanup;
  }
  /* 3. the profile */
  bool explicit_profile = (profile_arg && *profile_arg) || strcmp(profile, "default") != 0;
  if (explicit_profile && !prof_exists(&r.fs, profile)) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "profile \"%s\" not found in %s or %s", profile,
                       config_path, creds_path);
    goto cleanup;
  }
  {
    char *label = ecr_xasprintf("profile \"%s\"", profile);
    tried(&r, label);
    free(label);
    bool found = false;
    st = resolve_profile(&r, profile, &out->creds, &source, &found, err);
    if (st != ECR_OK || found) goto cleanup;
    source = NULL;
  }
  /* 4. container credentials (ECS, EKS Pod Identity, CodeBuild) */
  if (env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    tried(&r, "container credentials");
    st = container_creds(&r, &out->creds, err);
    source = "container";
    goto cleanup;
  }
  /* 5. EC2 instance metadata, last */
  if (env_true("AWS_EC2_METADATA_DISABLED")) {
    tried(&r, "instance metadata (disabled by AWS_EC2_METADATA_DISABLED)");
  } else {
    bool present = true;
    char *why = NULL;
    st = imds_creds(&r, &out->creds, &present, &why, err);
    if (st != ECR_OK || present) {
      free(why);
      source = "instance-metadata";
      goto cleanup;
    }
    char *label = ecr_xasprintf("instance metadata: %s", why);
    tried(&r, label);
    free(label);
    free(why);
  }
  st = ecr_error_set(err, ECR_E_COLLECT, NULL, "no AWS credentials found (tried %s)",
                     r.tried.data ? r.tried.data : "nothing");
cleanup:
  if (st == ECR_OK) out->source = ecr_xstrdup(source);
  if (st != ECR_OK) ecr_aws_creds_cleanup(&out->creds);
  ecr_buf_cleanup(&r.tried);
  ini_cleanup(&r.fs.config);
  ini_cleanup(&r.fs.creds);
  free(config_path);
  free(creds_path);
  return st;
}
