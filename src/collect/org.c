/* collect --org: the organisation's evidence once (OUT/organization/), then
 * one bundle per ACTIVE account (OUT/accounts/<id>/), assumed through the
 * same role name in each, jobs accounts at a time on threads. Every account
 * has its own client (its own retries and backoff); a failed account is a
 * gap of the organisation (OUT/organization/gaps/<id>.json), not a failure
 * of the run. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "collect/aws.h"

#define ORG_SUBDIR "organization"
#define ACCOUNT_LIST "account-ids.txt"

/* Role names: IAM's [\w+=,.@-] plus "/" for a path, 1 to 64 characters. */
static bool valid_role_name(const char *n) {
  size_t len = strlen(n);
  if (len == 0 || len > 64 || n[0] == '/' || n[len - 1] == '/') return false;
  for (size_t i = 0; i < len; i++) {
    char c = n[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          strchr("_+=,.@-/", c)))
      return false;
  }
  return true;
}

/* "aws", "aws-cn" or "aws-us-gov": of the organization's ARN in
 * org_dir/organization.json, else "aws". Caller frees. */
static char *org_partition(const char *org_dir) {
  char *path = ecr_path_join(org_dir, "organization.json");
  char *text = NULL, *out = NULL;
  size_t len = 0;
  if (ecr_file_read(path, &text, &len, NULL) == ECR_OK) {
    cJSON *doc = cJSON_ParseWithLength(text, len);
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "Organization"), "Arn");
    if (cJSON_IsString(arn) && ecr_str_has_prefix(arn->valuestring, "arn:")) {
      const char *p = arn->valuestring + 4, *colon = strchr(p, ':');
      if (colon && colon > p) out = ecr_xstrndup(p, (size_t)(colon - p));
    }
    cJSON_Delete(doc);
  }
  free(text);
  free(path);
  return out ? out : ecr_xstrdup("aws");
}

/* The partition the management credentials are in, from the region. */
static const char *partition_of_region(const char *region) {
  if (region && ecr_str_has_prefix(region, "cn-")) return "aws-cn";
  if (region && ecr_str_has_prefix(region, "us-gov-")) return "aws-us-gov";
  return "aws";
}

ecr_status ecr_org_account_at(const char *org_out, long index, char **id, size_t *count,
                              ecr_error *err) {
  *id = NULL;
  *count = 0;
  char *dir = ecr_path_join(org_out, ORG_SUBDIR);
  char *path = ecr_path_join(dir, ACCOUNT_LIST);
  free(dir);
  char *text = NULL;
  size_t len = 0;
  ecr_status st = ecr_file_read(path, &text, &len, err);
  if (st != ECR_OK) {
    char why[sizeof(err->message)];
    snprintf(why, sizeof(why), "%s", err ? err->message : "");
    st = ecr_error_set(err, ECR_E_INPUT, path,
                       "cannot read the account list (written by collect --org): %s", why);
    goto cleanup;
  }
  size_t line = 0;
  for (char *p = text, *end; p < text + len; p = end + 1) {
    end = memchr(p, '\n', (size_t)(text + len - p));
    if (!end) end = text + len;
    *end = '\0';
    line++;
    if (!ecr_aws_account_id_valid(p)) {
      st = ecr_error_set(err, ECR_E_INPUT, path, "line %zu is not a 12-digit account id", line);
      free(*id);
      *id = NULL;
      goto cleanup;
    }
    if ((long)*count == index) *id = ecr_xstrdup(p);
    (*count)++;
  }
cleanup:
  free(text);
  free(path);
  return st;
}

/* OUT/organization/gaps/<account>.json: why the account has no bundle. */
static ecr_status write_gap_file(const char *org_dir, const char *account, const char *source,
                                 const char *resource, const char *error, ecr_error *err) {
  char *gaps = ecr_path_join(org_dir, "gaps");
  ecr_status st = ecr_mkdirs(gaps, err);
  if (st == ECR_OK) {
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "account", account);
    cJSON *list = cJSON_AddArrayToObject(doc, "gaps");
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "source", source);
    cJSON_AddStringToObject(g, "resource", resource);
    cJSON_AddStringToObject(g, "error", error);
    cJSON_AddItemToArray(list, g);
    char *text = ecr_json_print_cli(doc);
    cJSON_Delete(doc);
    char *name = ecr_xasprintf("%s.json", account);
    char *path = ecr_path_join(gaps, name);
    st = ecr_atomic_write_file(path, text, strlen(text), err);
    free(path);
    free(name);
    free(text);
  }
  free(gaps);
  return st;
}

ecr_status ecr_org_collect_account(const ecr_collect_opts *base, const char *org_out,
                                   const char *account, const char *role_name, ecr_error *err) {
  if (!account || !ecr_aws_account_id_valid(account))
    return ecr_error_set(err, ECR_E_USAGE, NULL, "not a 12-digit account id: %s",
                         account ? account : "");
  if (!role_name || !valid_role_name(role_name))
    return ecr_error_set(err, ECR_E_USAGE, NULL, "--role-name: not an IAM role name: %s",
                         role_name ? role_name : "");
  char *org_dir = ecr_path_join(org_out, ORG_SUBDIR);
  char *accounts = ecr_path_join(org_out, "accounts");
  char *out_dir = ecr_path_join(accounts, account);
  char *partition = org_partition(org_dir);
  char *role_arn = ecr_xasprintf("arn:%s:iam::%s:role/%s", partition, account, role_name);
  ecr_collect_opts o = *base;
  o.out_dir = out_dir;
  o.role_arn = role_arn;
  o.org_dir = org_dir;
  const char *failed = "collect";
  ecr_status st = ecr_mkdirs(accounts, err);
  if (st == ECR_OK) st = ecr_collect_bundle(&o, &failed, err);
  char *name = ecr_xasprintf("gaps/%s.json", account);
  char *gap_path = ecr_path_join(org_dir, name);
  if (st == ECR_OK) {
    if (unlink(gap_path) != 0 && errno != ENOENT)
      st = ecr_error_set(err, ECR_E_OUTPUT, gap_path, "cannot remove: %s", strerror(errno));
  } else if (st != ECR_E_USAGE) {
    ecr_error werr;
    ecr_error_clear(&werr);
    const char *resource = strcmp(failed, "sts:AssumeRole") == 0 ? role_arn : account;
    if (write_gap_file(org_dir, account, failed, resource, err ? err->message : "failed", &werr) !=
            ECR_OK &&
        err)
      *err = werr;
  }
  free(gap_path);
  free(name);
  free(role_arn);
  free(partition);
  free(out_dir);
  free(accounts);
  free(org_dir);
  return st;
}

/* ---- the fan-out ------------------------------------------------------- */

typedef struct fanout {
  const ecr_org_collect_opts *opts;
  char **ids;
  size_t n_ids, next;
  size_t done, collected, failed;
  pthread_mutex_t lock;
} fanout;

static void *worker(void *arg) {
  fanout *f = arg;
  const ecr_org_collect_opts *opts = f->opts;
  for (;;) {
    pthread_mutex_lock(&f->lock);
    size_t i = f->next < f->n_ids ? f->next++ : f->n_ids;
    pthread_mutex_unlock(&f->lock);
    if (i >= f->n_ids) break;
    ecr_collect_opts base = opts->collect;
    base.progress = NULL; /* one line per account below, not its phases */
    ecr_error e;
    ecr_error_clear(&e);
    ecr_status st =
        ecr_org_collect_account(&base, opts->collect.out_dir, f->ids[i], opts->role_name, &e);
    pthread_mutex_lock(&f->lock);
    f->done++;
    if (st == ECR_OK)
      f->collected++;
    else
      f->failed++;
    if (opts->collect.progress) {
      char line[1200];
      snprintf(line, sizeof(line), "account %zu/%zu %s: %s%s", f->done, f->n_ids, f->ids[i],
               st == ECR_OK ? "collected" : "gap: ", st == ECR_OK ? "" : e.message);
      opts->collect.progress(opts->collect.progress_ctx, true, line);
    }
    pthread_mutex_unlock(&f->lock);
  }
  return NULL;
}

/* OUT/organization/ through a temporary directory next to it. */
static ecr_status collect_organization(const ecr_org_collect_opts *opts, char ***ids, size_t *n_ids,
                                       ecr_error *err) {
  const ecr_collect_opts *c = &opts->collect;
  const char *region = c->n_regions && strcmp(c->regions[0], "all") != 0 ? c->regions[0] : NULL;
  if (!region) region = getenv("AWS_REGION");
  if (!region || !*region) region = getenv("AWS_DEFAULT_REGION");
  if (region && !*region) region = NULL;
  ecr_collect_session *session = NULL;
  ecr_collect_ctx ctx;
  memset(&ctx, 0, sizeof(ctx));
  char *org_dir = ecr_path_join(c->out_dir, ORG_SUBDIR);
  char *tmp = NULL;
  ecr_status st = ecr_mkdirs(c->out_dir, err);
  if (st != ECR_OK) goto cleanup;
  st = ecr_collect_session_open(c, region, &session, err);
  if (st != ECR_OK) goto cleanup;
  ctx.client = ecr_collect_session_client(session);
  ctx.partition = ecr_xstrdup(partition_of_region(region));
  ctx.progress = c->progress;
  ctx.progress_ctx = c->progress_ctx;
  ecr_collect_progress(&ctx, true, "credentials: %s", ecr_collect_session_source(session));
  tmp = ecr_xasprintf("%s.tmp-XXXXXX", org_dir);
  if (!mkdtemp(tmp)) {
    st = ecr_error_set(err, ECR_E_OUTPUT, org_dir, "cannot create a temporary directory: %s",
                       strerror(errno));
    free(tmp);
    tmp = NULL;
    goto cleanup;
  }
  chmod(tmp, 0755);
  ctx.tmp_dir = tmp;
  st = ecr_orgs_collect_organization(&ctx, ids, n_ids, err);
  if (st != ECR_OK) goto cleanup;
  {
    ecr_buf list;
    ecr_buf_init(&list);
    for (size_t i = 0; i < *n_ids; i++) ecr_buf_printf(&list, "%s\n", (*ids)[i]);
    char *path = ecr_path_join(tmp, ACCOUNT_LIST);
    st = ecr_atomic_write_file(path, list.data ? list.data : "", list.len, err);
    free(path);
    ecr_buf_cleanup(&list);
    if (st != ECR_OK) goto cleanup;
    char *rel = ecr_xstrdup(ACCOUNT_LIST);
    ECR_PUSH(ctx.files, ctx.n_files, ctx.cap_files, rel);
  }
  st = ecr_bundle_write_manifest(&ctx, NULL, 0, err);
  if (st != ECR_OK) goto cleanup;
  st = ecr_bundle_move_into_place(tmp, org_dir, err);
  if (st != ECR_OK) goto cleanup;
  ecr_collect_progress(&ctx, true, "wrote %s (%zu accounts, %zu gaps)", org_dir, *n_ids,
                       ctx.n_gaps);
cleanup:
  if (st != ECR_OK) {
    for (size_t i = 0; i < *n_ids; i++) free((*ids)[i]);
    free(*ids);
    *ids = NULL;
    *n_ids = 0;
    if (tmp) ecr_rmrf(tmp);
  }
  free(tmp);
  ecr_collect_ctx_cleanup(&ctx);
  ecr_collect_session_free(session);
  free(org_dir);
  return st;
}

ecr_status ecr_collect_org(const ecr_org_collect_opts *opts, ecr_org_collect_result *res,
                           ecr_error *err) {
  ecr_org_collect_result dummy;
  if (!res) res = &dummy;
  memset(res, 0, sizeof(*res));
  if (!opts || !opts->collect.out_dir || !*opts->collect.out_dir)
    return ecr_error_set(err, ECR_E_USAGE, NULL, "collect --org: --out DIR is required");
  if (opts->collect.role_arn || opts->collect.org_dir)
    return ecr_error_set(err, ECR_E_USAGE, NULL, "collect --org: no role ARN or org dir");
  if (opts->role_name && !valid_role_name(opts->role_name))
    return ecr_error_set(err, ECR_E_USAGE, NULL, "--role-name: not an IAM role name: %s",
                         opts->role_name);
  int jobs = opts->jobs ? opts->jobs : ECR_ORG_DEFAULT_JOBS;
  if (jobs < 1 || jobs > ECR_ORG_MAX_JOBS)
    return ecr_error_set(err, ECR_E_USAGE, NULL, "--jobs must be from 1 to %d", ECR_ORG_MAX_JOBS);
  xmlInitParser(); /* libxml2's globals, once, before the workers parse STS answers */
  fanout f;
  memset(&f, 0, sizeof(f));
  f.opts = opts;
  ecr_status st = collect_organization(opts, &f.ids, &f.n_ids, err);
  if (st != ECR_OK) return st;
  res->n_accounts = f.n_ids;
  if (opts->role_name && f.n_ids) {
    pthread_mutex_init(&f.lock, NULL);
    size_t n_threads = (size_t)jobs < f.n_ids ? (size_t)jobs : f.n_ids;
    pthread_t *threads = ecr_xcalloc(n_threads, sizeof(*threads));
    size_t started = 0;
    for (; started < n_threads; started++)
      if (pthread_create(&threads[started], NULL, worker, &f) != 0) break;
    if (started == 0) worker(&f); /* no thread could start: this one does the work */
    for (size_t i = 0; i < started; i++) pthread_join(threads[i], NULL);
    free(threads);
    pthread_mutex_destroy(&f.lock);
    res->n_collected = f.collected;
    res->n_failed = f.failed;
    if (f.collected == 0)
      st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "collect --org: no account could be collected (%zu gaps in "
                         "%s/" ORG_SUBDIR "/gaps/)",
                         f.failed, opts->collect.out_dir);
  }
  for (size_t i = 0; i < f.n_ids; i++) free(f.ids[i]);
  free(f.ids);
  return st;
}
