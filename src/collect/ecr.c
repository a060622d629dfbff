/* ECR, per region: DescribeRepositories (nextToken pages), GetRepositoryPolicy
 * and ListTagsForResource per repository, GetRegistryPolicy. JSON 1.1 protocol. */
#include <stdlib.h>
#include <string.h>

#include "collect/aws.h"

#define ECR_TARGET "AmazonEC2ContainerRegistry_V20150921"
#define MAX_PAGES 100000

static bool is_code(const ecr_aws_response *r, const char *code) {
  return r->error_code && strcmp(r->error_code, code) == 0;
}

/* createdAt arrives as epoch seconds; the CLI prints ISO 8601. */
static void fix_times(cJSON *repo) {
  cJSON *t = cJSON_GetObjectItemCaseSensitive(repo, "createdAt");
  if (cJSON_IsNumber(t)) {
    char *iso = ecr_aws_time_from_epoch(t->valuedouble);
    cJSON_ReplaceItemInObjectCaseSensitive(repo, "createdAt", cJSON_CreateString(iso));
    free(iso);
  }
}

/* All repositories of the region, or NULL (a gap is recorded). */
static cJSON *describe_repositories(ecr_collect_ctx *ctx, const char *region) {
  cJSON *repos = cJSON_CreateArray();
  char *token = NULL;
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_error err;
  int page = 0;
  bool ok = true;
  ecr_token_set seen = {0};
  do {
    cJSON *req = cJSON_CreateObject();
    if (token) cJSON_AddStringToObject(req, "nextToken", token);
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    ecr_status st = ecr_aws_json(ctx->client, "ecr", region, ECR_TARGET, "DescribeRepositories",
                                 body, &resp, &err);
    free(body);
    free(token);
    token = NULL;
    if (st != ECR_OK) {
      ecr_collect_gap(ctx, "ecr:DescribeRepositories", region, &resp);
      ok = false;
      break;
    }
    cJSON *doc = cJSON_ParseWithLength(resp.body.data, resp.body.len);
    cJSON *list = doc ? cJSON_GetObjectItemCaseSensitive(doc, "repositories") : NULL;
    /* a 200 without "repositories" is not an empty region: a gap */
    if (!doc || !cJSON_IsArray(list)) {
      free(resp.error_code);
      free(resp.error_message);
      resp.error_code = ecr_xstrdup("InvalidResponse");
      resp.error_message = ecr_xstrdup(
          list ? "DescribeRepositories response is not the expected JSON"
               : "DescribeRepositories response (HTTP 200) has no \"repositories\" list");
      ecr_collect_gap(ctx, "ecr:DescribeRepositories", region, &resp);
      cJSON_Delete(doc);
      ok = false;
      break;
    }
    cJSON *item;
    while (list && (item = cJSON_DetachItemFromArray(list, 0)) != NULL) {
      fix_times(item);
      cJSON_AddItemToArray(repos, item);
    }
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(doc, "nextToken");
    if (cJSON_IsString(next) && next->valuestring[0]) token = ecr_xstrdup(next->valuestring);
    cJSON_Delete(doc);
    page++;
    ecr_collect_progress(ctx, token == NULL, "%s: repositories page %d (%d so far)", region, page,
                         cJSON_GetArraySize(repos));
    const char *why = NULL;
    if (token && ecr_token_set_add(&seen, token))
      why = "nextToken repeats one the call already returned (pagination loop)";
    else if (token && page >= MAX_PAGES)
      why = "more than 100000 pages";
    if (why) {
      free(resp.error_code);
      free(resp.error_message);
      resp.error_code = ecr_xstrdup("PaginationLoop");
      resp.error_message = ecr_xasprintf("%s, after page %d", why, page);
      ecr_collect_gap(ctx, "ecr:DescribeRepositories", region, &resp);
      ok = false;
      break;
    }
  } while (token);
  free(token);
  ecr_token_set_cleanup(&seen);
  ecr_aws_response_cleanup(&resp);
  if (!ok) {
    cJSON_Delete(repos);
    return NULL;
  }
  return repos;
}

static cJSON *repository_policies(ecr_collect_ctx *ctx, const char *region, const cJSON *repos) {
  cJSON *out = cJSON_CreateArray();
  int total = cJSON_GetArraySize(repos), done = 0;
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_error err;
  const cJSON *repo;
  cJSON_ArrayForEach(repo, repos) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(repo, "repositoryName");
    const cJSON *reg = cJSON_GetObjectItemCaseSensitive(repo, "registryId");
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(repo, "repositoryArn");
    done++;
    if (!cJSON_IsString(name)) continue;
    cJSON *req = cJSON_CreateObject();
    if (cJSON_IsString(reg)) cJSON_AddStringToObject(req, "registryId", reg->valuestring);
    cJSON_AddStringToObject(req, "repositoryName", name->valuestring);
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    ecr_status st = ecr_aws_json(ctx->client, "ecr", region, ECR_TARGET, "GetRepositoryPolicy",
                                 body, &resp, &err);
    free(body);
    if (st == ECR_OK) {
      cJSON *doc = cJSON_ParseWithLength(resp.body.data, resp.body.len);
      if (cJSON_IsObject(doc)) {
        cJSON_AddItemToArray(out, doc);
      } else {
        cJSON_Delete(doc);
        free(resp.error_code);
        free(resp.error_message);
        resp.error_code = ecr_xstrdup("InvalidResponse");
        resp.error_message = ecr_xstrdup("GetRepositoryPolicy response is not a JSON object");
        ecr_collect_gap(ctx, "ecr:GetRepositoryPolicy",
                        cJSON_IsString(arn) ? arn->valuestring : name->valuestring, &resp);
      }
    } else if (!is_code(&resp, "RepositoryPolicyNotFoundException")) {
      ecr_collect_gap(ctx, "ecr:GetRepositoryPolicy",
                      cJSON_IsString(arn) ? arn->valuestring : name->valuestring, &resp);
    }
    ecr_collect_progress(ctx, done == total, "%s: repository policies %d/%d", region, done, total);
  }
  ecr_aws_response_cleanup(&resp);
  return out;
}

/* [{"resourceArn", "tags"}]: one ListTagsForResource answer per repository
 * (the API has no pages); a repository whose call fails is absent and a gap. */
static cJSON *repository_tags(ecr_collect_ctx *ctx, const char *region, const cJSON *repos) {
  cJSON *out = cJSON_CreateArray();
  int total = cJSON_GetArraySize(repos), done = 0;
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_error err;
  const cJSON *repo;
  cJSON_ArrayForEach(repo, repos) {
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(repo, "repositoryArn");
    done++;
    if (!cJSON_IsString(arn)) continue;
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "resourceArn", arn->valuestring);
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    ecr_status st = ecr_aws_json(ctx->client, "ecr", region, ECR_TARGET, "ListTagsForResource",
                                 body, &resp, &err);
    free(body);
    if (st == ECR_OK) {
      cJSON *doc = cJSON_ParseWithLength(resp.body.data, resp.body.len);
      cJSON *tags =
          cJSON_IsObject(doc) ? cJSON_DetachItemFromObjectCaseSensitive(doc, "tags") : NULL;
      if (!tags && cJSON_IsObject(doc)) tags = cJSON_CreateArray(); /* no "tags": none */
      if (cJSON_IsArray(tags)) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "resourceArn", arn->valuestring);
        cJSON_AddItemToObject(e, "tags", tags);
        cJSON_AddItemToArray(out, e);
      } else {
        cJSON_Delete(tags);
        free(resp.error_code);
        free(resp.error_message);
        resp.error_code = ecr_xstrdup("InvalidResponse");
        resp.error_message =
            ecr_xstrdup("ListTagsForResource response is not a JSON object with a \"tags\" list");
        ecr_collect_gap(ctx, "ecr:ListTagsForResource", arn->valuestring, &resp);
      }
      cJSON_Delete(doc);
    } else {
      ecr_collect_gap(ctx, "ecr:ListTagsForResource", arn->valuestring, &resp);
    }
    ecr_collect_progress(ctx, done == total, "%s: repository tags %d/%d", region, done, total);
  }
  ecr_aws_response_cleanup(&resp);
  return out;
}

static void registry_policy(ecr_collect_ctx *ctx, const char *region) {
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_error err;
  ecr_status st =
      ecr_aws_json(ctx->client, "ecr", region, ECR_TARGET, "GetRegistryPolicy", "{}", &resp, &err);
  char *resource = ecr_xasprintf("arn:%s:ecr:%s:%s:registry", ctx->partition, region,
                                 ctx->account ? ctx->account : "");
  if (st == ECR_OK) {
    cJSON *doc = cJSON_ParseWithLength(resp.body.data, resp.body.len);
    if (cJSON_IsObject(doc)) {
      char *rel = ecr_xasprintf("ecr/%s/registry-policy.json", region);
      if (ecr_bundle_write_json(ctx, rel, doc, &err) != ECR_OK) {
        free(resp.error_code);
        resp.error_code = ecr_xstrdup("WriteError");
        free(resp.error_message);
        resp.error_message = ecr_xstrdup(err.message);
        ecr_collect_gap(ctx, "ecr:GetRegistryPolicy", resource, &resp);
      }
      free(rel);
    } else {
      free(resp.error_code);
      free(resp.error_message);
      resp.error_code = ecr_xstrdup("InvalidResponse");
      resp.error_message = ecr_xstrdup("GetRegistryPolicy response is not a JSON object");
      ecr_collect_gap(ctx, "ecr:GetRegistryPolicy", resource, &resp);
    }
    cJSON_Delete(doc);
  } else if (!is_code(&resp, "RegistryPolicyNotFoundException")) {
    ecr_collect_gap(ctx, "ecr:GetRegistryPolicy", resource, &resp);
  }
  free(resource);
  ecr_aws_response_cleanup(&resp);
}

static void write_or_gap(ecr_collect_ctx *ctx, const char *rel, const cJSON *v, const char *source,
                         const char *resource) {
  ecr_error err;
  if (ecr_bundle_write_json(ctx, rel, v, &err) == ECR_OK) return;
  ecr_aws_response r = {0};
  r.error_code = (char *)"WriteError";
  r.error_message = err.message;
  ecr_collect_gap(ctx, source, resource, &r);
}

void ecr_ecr_collect_region(ecr_collect_ctx *ctx, const char *region) {
  cJSON *repos = describe_repositories(ctx, region);
  if (repos) {
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "repositories", repos);
    char *rel = ecr_xasprintf("ecr/%s/repositories.json", region);
    write_or_gap(ctx, rel, doc, "ecr:DescribeRepositories", region);
    free(rel);
    cJSON *pols = repository_policies(ctx, region, repos);
    rel = ecr_xasprintf("ecr/%s/repository-policies.json", region);
    write_or_gap(ctx, rel, pols, "ecr:GetRepositoryPolicy", region);
    free(rel);
    cJSON_Delete(pols);
    cJSON *tags = repository_tags(ctx, region, repos);
    rel = ecr_xasprintf("ecr/%s/repository-tags.json", region);
    write_or_gap(ctx, rel, tags, "ecr:ListTagsForResource", region);
    free(rel);
    cJSON_Delete(tags);
    cJSON_Delete(doc);
  }
  registry_policy(ctx, region);
}
