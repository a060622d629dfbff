/* ecr_collect: credentials -> identity -> IAM -> ECR per region ->
 * Organizations (SCPs, RCPs, accounts) -> EKS per region -> IAM service last
 * accessed (usage.c) -> manifest, written into a temporary directory renamed to --out at the end.
 */
#define _XOPEN_SOURCE 700
#include "ecraudit/collect.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/aws.h"

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

void ecr_rmrf(const char *path) {
  if (path) nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool valid_region(const char *r) {
  size_t n = strlen(r);
  if (n == 0 || n > 40 || !(r[0] >= 'a' && r[0] <= 'z') || r[n - 1] == '-') return false;
  for (size_t i = 0; i < n; i++)
    if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9') || r[i] == '-'))
      return false;
  return true;
}

/* ---- credential providers' network: STS and plain HTTP ------------------ */

typedef struct assume_ctx {
  const char *endpoint_url;
  const char *region;
  const char *profile; /* for refreshing: --profile */
  ecr_cred_io io;
  void (*debug)(void *ctx, const char *line); /* the request log of every client */
  void *debug_ctx;
  const char *role_arn; /* --role-arn / --org: assumed on top of the chain, NULL: none */
} assume_ctx;

static ecr_status assume_role(void *vctx, const ecr_aws_creds *source,
                              const ecr_assume_role_params *p, ecr_aws_creds *out, ecr_error *err) {
  assume_ctx *actx = vctx;
  ecr_aws_client client;
  ecr_status st = ecr_aws_client_init(&client, source, actx->endpoint_url, err);
  if (st != ECR_OK) return st;
  client.debug = actx->debug;
  client.debug_ctx = actx->debug_ctx;
  ecr_assume_role_params q = *p;
  if (!q.region) q.region = actx->region;
  st = ecr_sts_assume_role(&client, &q, out, err);
  ecr_aws_client_cleanup(&client);
  return st;
}

static ecr_status web_identity(void *vctx, const ecr_web_identity_params *p, ecr_aws_creds *out,
                               ecr_error *err) {
  assume_ctx *actx = vctx;
  ecr_aws_client client;
  ecr_status st = ecr_aws_client_init(&client, NULL, actx->endpoint_url, err);
  if (st != ECR_OK) return st;
  client.debug = actx->debug;
  client.debug_ctx = actx->debug_ctx;
  ecr_web_identity_params q = *p;
  if (!q.region) q.region = actx->region;
  st = ecr_sts_assume_role_with_web_identity(&client, &q, out, err);
  ecr_aws_client_cleanup(&client);
  return st;
}

/* The role of role_arn, assumed with source. */
static ecr_status assume_target(assume_ctx *actx, const ecr_aws_creds *source, ecr_aws_creds *out,
                                ecr_error *err) {
  ecr_assume_role_params p = {0};
  p.role_arn = actx->role_arn;
  p.session_name = "ecraudit";
  return assume_role(actx, source, &p, out, err);
}

/* Fresh temporary credentials: the whole chain again (a rotated IRSA token
 * file, new container or instance credentials, a new role session), then the
 * target role when there is one. */
static ecr_status refresh(void *vctx, ecr_aws_creds *out, ecr_error *err) {
  assume_ctx *actx = vctx;
  ecr_cred_result r;
  ecr_status st = ecr_credentials_resolve(actx->profile, &actx->io, &r, err);
  if (st == ECR_OK && actx->role_arn) {
    st = assume_target(actx, &r.creds, out, err);
  } else if (st == ECR_OK) {
    *out = r.creds;
    memset(&r.creds, 0, sizeof(r.creds));
  }
  ecr_cred_result_cleanup(&r);
  return st;
}

/* ---- putting the bundle in place --------------------------------------- */

static bool is_our_bundle(const char *dir) {
  char *path = ecr_path_join(dir, "manifest.json");
  char *text = NULL;
  size_t len = 0;
  bool ours = false;
  if (ecr_file_read(path, &text, &len, NULL) == ECR_OK) {
    cJSON *m = cJSON_ParseWithLength(text, len);
    const cJSON *tool = cJSON_GetObjectItemCaseSensitive(m, "tool");
    ours = cJSON_IsString(tool) && strcmp(tool->valuestring, "ecraudit") == 0;
    cJSON_Delete(m);
    free(text);
  }
  free(path);
  return ours;
}

/* rename tmp to out; an earlier ecraudit bundle at out is replaced, anything
 * else is left alone. */
ecr_status ecr_bundle_move_into_place(const char *tmp, const char *out, ecr_error *err) {
  if (rename(tmp, out) == 0) return ECR_OK;
  if (errno != ENOTEMPTY && errno != EEXIST)
    return ecr_error_set(err, ECR_E_OUTPUT, out, "cannot rename %s into place: %s", tmp,
                         strerror(errno));
  if (!is_our_bundle(out))
    return ecr_error_set(err, ECR_E_OUTPUT, out,
                         "exists and is not an empty directory or an ecraudit bundle");
  char *old = ecr_xasprintf("%s.old-%ld", out, (long)getpid());
  ecr_status st = ECR_OK;
  if (rename(out, old) != 0) {
    st = ecr_error_set(err, ECR_E_OUTPUT, out, "cannot move the previous bundle aside: %s",
                       strerror(errno));
  } else if (rename(tmp, out) != 0) {
    st = ecr_error_set(err, ECR_E_OUTPUT, out, "cannot rename %s into place: %s", tmp,
                       strerror(errno));
    (void)rename(old, out);
  } else {
    ecr_rmrf(old);
  }
  free(old);
  return st;
}

/* ---- the collector ------------------------------------------------------ */

static char *partition_of(const char *arn) {
  /* arn:PARTITION:... */
  if (!arn || strncmp(arn, "arn:", 4) != 0) return ecr_xstrdup("aws");
  const char *p = arn + 4;
  const char *colon = strchr(p, ':');
  if (!colon || colon == p) return ecr_xstrdup("aws");
  return ecr_xstrndup(p, (size_t)(colon - p));
}

ecr_status ecr_collect(const ecr_collect_opts *opts, ecr_error *err) {
  return ecr_collect_bundle(opts, NULL, err);
}

/* arn:PARTITION:iam::ACCOUNT:role/NAME */
static bool valid_role_arn(const char *arn) {
  const char *iam = ecr_str_has_prefix(arn, "arn:") ? strstr(arn, ":iam::") : NULL;
  if (!iam) return false;
  char account[13];
  snprintf(account, sizeof(account), "%s", iam + 6);
  return ecr_aws_account_id_valid(account) && strncmp(iam + 18, ":role/", 6) == 0 &&
         iam[24] != '\0';
}

ecr_status ecr_collect_bundle(const ecr_collect_opts *opts, const char **failed, ecr_error *err) {
  ecr_status st = ECR_OK;
  const char *stage_dummy = NULL;
  if (!failed) failed = &stage_dummy;
  *failed = "collect";
  ecr_cred_result cred;
  memset(&cred, 0, sizeof(cred));
  ecr_aws_client client;
  memset(&client, 0, sizeof(client));
  ecr_collect_ctx ctx;
  memset(&ctx, 0, sizeof(ctx));
  const char **regions = NULL;
  size_t n_regions = 0, cap_regions = 0;
  char *tmp = NULL;
  cJSON *identity = NULL, *iam = NULL;

  if (!opts || !opts->out_dir || !*opts->out_dir)
    return ecr_error_set(err, ECR_E_USAGE, NULL, "collect: --out DIR is required");
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long timeout_s = opts->timeout_s > 0 ? opts->timeout_s : ECR_COLLECT_DEFAULT_TIMEOUT_S;
  const char *endpoint = opts->endpoint_url;
  if (endpoint && !*endpoint) endpoint = NULL;
  if (endpoint && !ecr_str_has_prefix(endpoint, "https://") &&
      !ecr_str_has_prefix(endpoint, "http://"))
    return ecr_error_set(err, ECR_E_USAGE, NULL,
                         "collect: --endpoint-url must start with https:// or http://: %s",
                         endpoint);
  const char *env_endpoint = getenv("AWS_ENDPOINT_URL");
  if (env_endpoint && *env_endpoint && !ecr_str_has_prefix(env_endpoint, "https://") &&
      !ecr_str_has_prefix(env_endpoint, "http://"))
    return ecr_error_set(err, ECR_E_USAGE, NULL,
                         "collect: AWS_ENDPOINT_URL must start with https:// or http://: %s",
                         env_endpoint);
  if (opts->role_arn && !valid_role_arn(opts->role_arn))
    return ecr_error_set(err, ECR_E_USAGE, NULL,
                         "collect: not a role ARN (arn:aws:iam::ACCOUNT:role/NAME): %s",
                         opts->role_arn);
  bool all_regions = false;
  char **enabled = NULL;
  size_t n_enabled = 0;
  for (size_t i = 0; i < opts->n_regions; i++)
    if (opts->regions[i] && strcmp(opts->regions[i], "all") == 0) all_regions = true;
  if (all_regions && opts->n_regions > 1)
    return ecr_error_set(err, ECR_E_USAGE, NULL,
                         "collect: --region all cannot be combined with other regions");
  for (size_t i = 0; !all_regions && i < opts->n_regions; i++)
    if (!opts->regions[i] || !valid_region(opts->regions[i]))
      return ecr_error_set(err, ECR_E_USAGE, NULL, "collect: invalid region \"%s\"",
                           opts->regions[i] ? opts->regions[i] : "");

  /* credentials (may assume a role through STS) */
  const char *env_region = getenv("AWS_REGION");
  if (!env_region || !*env_region) env_region = getenv("AWS_DEFAULT_REGION");
  if (env_region && !*env_region) env_region = NULL;
  assume_ctx actx = {endpoint,      opts->n_regions && !all_regions ? opts->regions[0] : env_region,
                     opts->profile, {0},
                     opts->debug,   opts->debug_ctx,
                     NULL};
  actx.io.assume = assume_role;
  actx.io.web_identity = web_identity;
  actx.io.http = ecr_http_send;
  actx.io.ctx = &actx;
  actx.io.endpoint_url = endpoint;
  actx.role_arn = opts->role_arn;
  ctx.progress = opts->progress;
  ctx.progress_ctx = opts->progress_ctx;
  *failed = "credentials";
  st = ecr_credentials_resolve(opts->profile, &actx.io, &cred, err);
  if (st != ECR_OK) goto cleanup;
  ecr_collect_progress(&ctx, true, "credentials: %s (profile %s)", cred.source, cred.profile);
  if (opts->role_arn) {
    *failed = "sts:AssumeRole";
    ecr_aws_creds role;
    st = assume_target(&actx, &cred.creds, &role, err);
    if (st != ECR_OK) goto cleanup;
    ecr_aws_creds_cleanup(&cred.creds);
    cred.creds = role;
    ecr_collect_progress(&ctx, true, "role: %s", opts->role_arn);
  }
  *failed = "collect";

  /* regions: --region, else AWS_REGION / AWS_DEFAULT_REGION, else the profile */
  if (all_regions) {
    /* after the client exists: ec2:DescribeRegions below */
  } else if (opts->n_regions) {
    for (size_t i = 0; i < opts->n_regions; i++) {
      bool dup = false;
      for (size_t j = 0; j < n_regions; j++) dup = dup || strcmp(regions[j], opts->regions[i]) == 0;
      if (!dup) ECR_PUSH(regions, n_regions, cap_regions, opts->regions[i]);
    }
  } else if (env_region || cred.region) {
    const char *r = env_region ? env_region : cred.region;
    if (!valid_region(r)) {
      st = ecr_error_set(err, ECR_E_USAGE, NULL, "collect: invalid region \"%s\"", r);
      goto cleanup;
    }
    ECR_PUSH(regions, n_regions, cap_regions, r);
  } else {
    st = ecr_error_set(err, ECR_E_USAGE, NULL,
                       "collect: no region: pass --region, set AWS_REGION or give profile "
                       "\"%s\" a region",
                       cred.profile);
    goto cleanup;
  }

  st = ecr_aws_client_init(&client, &cred.creds, endpoint, err);
  if (st != ECR_OK) goto cleanup;
  client.debug = opts->debug;
  client.debug_ctx = opts->debug_ctx;
  client.deadline_ms = (long long)t0.tv_sec * 1000 + t0.tv_nsec / 1000000 + timeout_s * 1000LL;
  if (client.call_timeout_ms > timeout_s * 1000L) client.call_timeout_ms = timeout_s * 1000L;
  if (client.timeout_ms > timeout_s * 1000L) client.timeout_ms = timeout_s * 1000L;
  /* the profile's retry settings, where the environment sets none */
  if (!getenv("AWS_RETRY_MODE") && cred.retry_mode &&
      (strcmp(cred.retry_mode, "standard") == 0 || strcmp(cred.retry_mode, "adaptive") == 0))
    client.max_attempts = 3;
  if (!getenv("AWS_MAX_ATTEMPTS") && cred.max_attempts) {
    long v = strtol(cred.max_attempts, NULL, 10);
    if (v < 1 || v > 100) {
      st = ecr_error_set(err, ECR_E_USAGE, NULL,
                         "profile \"%s\": max_attempts must be a number from 1 to 100",
                         cred.profile);
      goto cleanup;
    }
    client.max_attempts = (int)v;
  }
  if (cred.endpoint_url) client.profile_endpoint = ecr_xstrdup(cred.endpoint_url);
  if (cred.creds.expiration) {
    client.refresh = refresh;
    client.refresh_ctx = &actx;
  }
  ctx.client = &client;
  if (all_regions) {
    const char *home = env_region ? env_region : cred.region ? cred.region : "us-east-1";
    st = ecr_ec2_describe_regions(&client, home, &enabled, &n_enabled, err);
    if (st != ECR_OK) {
      char msg[sizeof(err->message)];
      snprintf(msg, sizeof(msg), "%s", err ? err->message : "ec2:DescribeRegions failed");
      st = ecr_error_set(err, ECR_E_COLLECT, NULL, "--region all: %s", msg);
      goto cleanup;
    }
    for (size_t i = 0; i < n_enabled; i++)
      if (valid_region(enabled[i])) ECR_PUSH(regions, n_regions, cap_regions, enabled[i]);
    ecr_collect_progress(&ctx, true, "regions: %zu enabled (ec2:DescribeRegions)", n_regions);
  }

  /* temporary directory next to --out */
  {
    char *out_copy = ecr_xstrdup(opts->out_dir);
    char *slash = strrchr(out_copy, '/');
    if (slash && slash != out_copy) {
      *slash = '\0';
      st = ecr_mkdirs(out_copy, err);
    }
    free(out_copy);
    if (st != ECR_OK) {
      st = ECR_E_OUTPUT;
      if (err) err->code = ECR_E_OUTPUT;
      goto cleanup;
    }
    size_t n = strlen(opts->out_dir);
    while (n > 1 && opts->out_dir[n - 1] == '/') n--;
    tmp = ecr_xasprintf("%.*s.tmp-XXXXXX", (int)n, opts->out_dir);
    if (!mkdtemp(tmp)) {
      st = ecr_error_set(err, ECR_E_OUTPUT, opts->out_dir,
                         "cannot create a temporary directory: %s", strerror(errno));
      free(tmp);
      tmp = NULL;
      goto cleanup;
    }
    chmod(tmp, 0755);
    ctx.tmp_dir = tmp;
  }

  /* identity: without it there is no bundle */
  ecr_collect_progress(&ctx, true, "identity (sts:GetCallerIdentity)");
  *failed = "sts:GetCallerIdentity";
  st = ecr_sts_get_caller_identity(&client, regions[0], &identity, err);
  if (st != ECR_OK) goto cleanup;
  const cJSON *acct = cJSON_GetObjectItemCaseSensitive(identity, "Account");
  const cJSON *arn = cJSON_GetObjectItemCaseSensitive(identity, "Arn");
  ctx.account = ecr_xstrdup(acct->valuestring);
  ctx.partition = partition_of(arn->valuestring);
  st = ecr_bundle_write_json(&ctx, "sts/caller-identity.json", identity, err);
  if (st != ECR_OK) goto cleanup;

  /* IAM: without it there is no bundle either */
  *failed = "iam:GetAccountAuthorizationDetails";
  st = ecr_iam_get_account_authorization_details(&ctx, &iam, err);
  if (st != ECR_OK) goto cleanup;
  *failed = "collect";
  st = ecr_bundle_write_json(&ctx, "iam/account-authorization-details.json", iam, err);
  if (st != ECR_OK) goto cleanup;

  ecr_iam_collect_credential_report(&ctx);
  for (size_t i = 0; i < n_regions; i++) ecr_ecr_collect_region(&ctx, regions[i]);
  if (opts->org_dir)
    ecr_orgs_copy(&ctx, opts->org_dir);
  else
    ecr_orgs_collect(&ctx);
  for (size_t i = 0; i < n_regions; i++) ecr_eks_collect_region(&ctx, regions[i]);
  /* last: the slowest part (one job per principal), and only sharpens the report */
  if (!opts->no_usage) ecr_usage_collect(&ctx, iam);

  st = ecr_bundle_write_manifest(&ctx, regions, n_regions, err);
  if (st != ECR_OK) goto cleanup;
  st = ecr_bundle_move_into_place(tmp, opts->out_dir, err);
  if (st != ECR_OK) goto cleanup;
  free(tmp);
  tmp = NULL;
  ecr_collect_progress(&ctx, true, "wrote %s (%zu files, %zu gaps%s)", opts->out_dir,
                       ctx.n_files + 1, ctx.n_gaps,
                       client.refreshes ? ", credentials refreshed" : "");

cleanup:
  if (tmp) {
    ecr_rmrf(tmp);
    free(tmp);
  }
  cJSON_Delete(identity);
  cJSON_Delete(iam);
  ecr_collect_ctx_cleanup(&ctx);
  free(regions);
  for (size_t i = 0; i < n_enabled; i++) free(enabled[i]);
  free(enabled);
  ecr_aws_client_cleanup(&client);
  ecr_cred_result_cleanup(&cred);
  return st;
}

/* ---- a session for the organisation's own calls (org.c) ------------------ */

struct ecr_collect_session {
  assume_ctx actx;
  ecr_cred_result cred;
  ecr_aws_client client;
};

ecr_status ecr_collect_session_open(const ecr_collect_opts *opts, const char *region,
                                    ecr_collect_session **out, ecr_error *err) {
  *out = NULL;
  const char *endpoint = opts->endpoint_url && *opts->endpoint_url ? opts->endpoint_url : NULL;
  if (endpoint && !ecr_str_has_prefix(endpoint, "https://") &&
      !ecr_str_has_prefix(endpoint, "http://"))
    return ecr_error_set(err, ECR_E_USAGE, NULL,
                         "collect: --endpoint-url must start with https:// or http://: %s",
                         endpoint);
  ecr_collect_session *s = ecr_xcalloc(1, sizeof(*s));
  s->actx.endpoint_url = endpoint;
  s->actx.region = region;
  s->actx.profile = opts->profile;
  s->actx.debug = opts->debug;
  s->actx.debug_ctx = opts->debug_ctx;
  s->actx.io.assume = assume_role;
  s->actx.io.web_identity = web_identity;
  s->actx.io.http = ecr_http_send;
  s->actx.io.ctx = &s->actx;
  s->actx.io.endpoint_url = endpoint;
  ecr_status st = ecr_credentials_resolve(opts->profile, &s->actx.io, &s->cred, err);
  if (st == ECR_OK) st = ecr_aws_client_init(&s->client, &s->cred.creds, endpoint, err);
  if (st != ECR_OK) {
    ecr_collect_session_free(s);
    return st;
  }
  s->client.debug = opts->debug;
  s->client.debug_ctx = opts->debug_ctx;
  long timeout_s = opts->timeout_s > 0 ? opts->timeout_s : ECR_COLLECT_DEFAULT_TIMEOUT_S;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  s->client.deadline_ms = (long long)t0.tv_sec * 1000 + t0.tv_nsec / 1000000 + timeout_s * 1000LL;
  if (s->cred.endpoint_url) s->client.profile_endpoint = ecr_xstrdup(s->cred.endpoint_url);
  if (s->cred.creds.expiration) {
    s->client.refresh = refresh;
    s->client.refresh_ctx = &s->actx;
  }
  *out = s;
  return ECR_OK;
}

ecr_aws_client *ecr_collect_session_client(ecr_collect_session *s) {
  return &s->client;
}

const char *ecr_collect_session_source(const ecr_collect_session *s) {
  return s->cred.source;
}

void ecr_collect_session_free(ecr_collect_session *s) {
  if (!s) return;
  if (s->client.curl) ecr_aws_client_cleanup(&s->client);
  ecr_cred_result_cleanup(&s->cred);
  free(s);
}
