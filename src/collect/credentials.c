/* Credentials as the AWS CLI finds them: environment, shared credentials
 * file, config file, and roles assumed through source_profile /
 * credential_source=Environment. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

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
  for (size_t i = 0; i < f->ns; i++)
    free(f->sections[i]);
  free(f->e);
  free(f->sections);
  memset(f, 0, sizeof(*f));
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    s[--n] = '\0';
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

/* Static keys of one profile; false when it has none. */
static bool static_creds(const files *fs, const char *profile, ecr_aws_creds *out,
                         const char **where, ecr_error *err, ecr_status *st) {
  *st = ECR_OK;
  const char *ak = ini_get(&fs->creds, profile, "aws_access_key_id");
  const char *sk = ini_get(&fs->creds, profile, "aws_secret_access_key");
  const char *tok = ini_get(&fs->creds, profile, "aws_session_token");
  *where = "shared-credentials-file";
  if (!(ak && *ak) && !(sk && *sk)) {
    char *sec = config_section(fs, profile);
    ak = sec ? ini_get(&fs->config, sec, "aws_access_key_id") : NULL;
    sk = sec ? ini_get(&fs->config, sec, "aws_secret_access_key") : NULL;
    tok = sec ? ini_get(&fs->config, sec, "aws_session_token") : NULL;
    free(sec);
    *where = "config-file";
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

#define MAX_CHAIN 8

typedef struct resolver {
  files fs;
  ecr_assume_role_fn assume;
  void *assume_ctx;
  const char *region; /* for STS calls */
  const char *chain[MAX_CHAIN];
  size_t depth;
} resolver;

static ecr_status resolve_profile(resolver *r, const char *profile, ecr_aws_creds *out,
                                  const char **source, ecr_error *err);

static ecr_status assume_from(resolver *r, const char *profile, const char *role_arn,
                              ecr_aws_creds *out, ecr_error *err) {
  const files *fs = &r->fs;
  const char *src_profile = prof_get(fs, profile, "source_profile");
  const char *cred_source = prof_get(fs, profile, "credential_source");
  ecr_aws_creds source = {0};
  ecr_status st = ECR_OK;
  char session[64];
  if (prof_get(fs, profile, "mfa_serial")) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "profile \"%s\": roles that need MFA (mfa_serial) are not supported; "
                       "export temporary credentials instead",
                       profile);
    goto cleanup;
  }
  if (src_profile && cred_source) {
    st =
        ecr_error_set(err, ECR_E_COLLECT, NULL,
                      "profile \"%s\": both source_profile and credential_source are set", profile);
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
      st = resolve_profile(r, src_profile, &source, &ignored, err);
      if (st != ECR_OK) goto cleanup;
    }
  } else if (cred_source) {
    if (strcmp(cred_source, "Environment") != 0) {
      st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "profile \"%s\": credential_source = %s is not supported (only "
                         "Environment)",
                         profile, cred_source);
      goto cleanup;
    }
    if (!env_creds(&source, err, &st)) {
      st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "profile \"%s\": credential_source = Environment but "
                         "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set",
                         profile);
    }
    if (st != ECR_OK) goto cleanup;
  } else {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "profile \"%s\": role_arn needs source_profile or credential_source",
                       profile);
    goto cleanup;
  }
  const char *name = prof_get(fs, profile, "role_session_name");
  if (!name) {
    snprintf(session, sizeof(session), "ecraudit-%lld", (long long)time(NULL));
    name = session;
  }
  ecr_assume_role_params p = {.role_arn = role_arn,
                              .session_name = name,
                              .external_id = prof_get(fs, profile, "external_id"),
                              .duration_seconds = prof_get(fs, profile, "duration_seconds"),
                              .region = r->region};
  if (!r->assume) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "profile \"%s\": cannot assume roles here",
                       profile);
    goto cleanup;
  }
  st = r->assume(r->assume_ctx, &source, &p, out, err);
cleanup:
  ecr_aws_creds_cleanup(&source);
  return st;
}

static ecr_status resolve_profile(resolver *r, const char *profile, ecr_aws_creds *out,
                                  const char **source, ecr_error *err) {
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
  if (role_arn) {
    *source = "assume-role";
    st = assume_from(r, profile, role_arn, out, err);
    goto done;
  }
  if (static_creds(fs, profile, out, source, err, &st)) goto done;
  static const char *const unsupported[] = {"credential_process", "sso_start_url", "sso_session",
                                            "web_identity_token_file"};
  for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
    if (prof_get(fs, profile, unsupported[i])) {
      st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "profile \"%s\": %s is not supported; export temporary credentials "
                         "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) instead",
                         profile, unsupported[i]);
      goto done;
    }
  st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                     "no AWS credentials found for profile \"%s\" (environment, shared "
                     "credentials file, config file)",
                     profile);
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
  memset(r, 0, sizeof(*r));
}

ecr_status ecr_credentials_resolve(const char *profile_arg, ecr_assume_role_fn assume,
                                   void *assume_ctx, ecr_cred_result *out, ecr_error *err) {
  memset(out, 0, sizeof(*out));
  resolver r;
  memset(&r, 0, sizeof(r));
  r.assume = assume;
  r.assume_ctx = assume_ctx;
  ecr_status st = ECR_OK;
  char *config_path = file_path("AWS_CONFIG_FILE", "~/.aws/config");
  char *creds_path = file_path("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
  const char *profile = profile_arg && *profile_arg ? profile_arg : NULL;
  if (!profile) profile = getenv("AWS_PROFILE");
  if (!profile || !*profile) profile = getenv("AWS_DEFAULT_PROFILE");
  if (!profile || !*profile) profile = "default";
  out->profile = ecr_xstrdup(profile);
  st = ini_load(config_path, &r.fs.config, err);
  if (st != ECR_OK) goto cleanup;
  st = ini_load(creds_path, &r.fs.creds, err);
  if (st != ECR_OK) goto cleanup;
  out->region = ecr_xstrdup(prof_get(&r.fs, profile, "region"));
  const char *env_region = getenv("AWS_REGION");
  if (!env_region || !*env_region) env_region = getenv("AWS_DEFAULT_REGION");
  r.region = env_region && *env_region ? env_region : out->region;
  /* An explicit --profile negates environment keys (botocore). */
  if (!(profile_arg && *profile_arg)) {
    if (env_creds(&out->creds, err, &st)) {
      out->source = ecr_xstrdup("environment");
      goto cleanup;
    }
  }
  bool explicit_profile = (profile_arg && *profile_arg) || strcmp(profile, "default") != 0;
  if (explicit_profile && !prof_exists(&r.fs, profile)) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "profile \"%s\" not found in %s or %s", profile,
                       config_path, creds_path);
    goto cleanup;
  }
  const char *source = NULL;
  st = resolve_profile(&r, profile, &out->creds, &source, err);
  if (st == ECR_OK) out->source = ecr_xstrdup(source);
cleanup:
  if (st != ECR_OK) ecr_aws_creds_cleanup(&out->creds);
  ini_cleanup(&r.fs.config);
  ini_cleanup(&r.fs.creds);
  free(config_path);
  free(creds_path);
  return st;
}
