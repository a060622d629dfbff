/* EKS, per region (REST-JSON GETs, SigV4 service "eks"): ListClusters and
 * DescribeCluster -> eks/<region>/clusters.json, ListPodIdentityAssociations
 * per cluster and DescribePodIdentityAssociation ->
 * eks/<region>/pod-identity-associations.json. Every list call follows
 * nextToken with the loop guard; every failure is a gap and the item is left
 * out; a region where ListClusters fails has neither file. */
#include <stdlib.h>
#include <string.h>

#include "collect/aws.h"
#include "collect/sigv4.h"

#define MAX_PAGES 10000

/* Timestamps arrive as epoch seconds; the CLI prints ISO 8601. */
static void fix_times(cJSON *v) {
  static const char *const keys[] = {"createdAt", "modifiedAt", "activationExpiry"};
  cJSON *c;
  cJSON_ArrayForEach(c, v) {
    if (c->string && cJSON_IsNumber(c))
      for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcmp(c->string, keys[i]) == 0) {
          char *iso = ecr_aws_time_from_epoch(c->valuedouble);
          cJSON *s = cJSON_CreateString(iso);
          free(iso);
          /* the replacement takes c's key and place in the list */
          s->string = c->string;
          c->string = NULL;
          cJSON_ReplaceItemViaPointer(v, c, s);
          c = s;
          break;
        }
    if (cJSON_IsObject(c) || cJSON_IsArray(c)) fix_times(c);
  }
}

static void gap_code(ecr_collect_ctx *ctx, const char *source, const char *resource,
                     const char *code, const char *msg) {
  ecr_aws_response r = {0};
  r.error_code = (char *)code;
  r.error_message = (char *)msg;
  ecr_collect_gap(ctx, source, resource, &r);
}

/* GET path?query; the parsed JSON object, or NULL with a gap recorded. */
static cJSON *eks_get(ecr_collect_ctx *ctx, const char *region, const char *op, const char *path,
                      const char *query, const char *resource) {
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_error err;
  char *source = ecr_xasprintf("eks:%s", op);
  cJSON *doc = NULL;
  if (ecr_aws_rest_get(ctx->client, "eks", region, op, path, query, &resp, &err) == ECR_OK) {
    doc = cJSON_ParseWithLength(resp.body.data, resp.body.len);
    if (!cJSON_IsObject(doc)) {
      cJSON_Delete(doc);
      doc = NULL;
      free(resp.error_code);
      free(resp.error_message);
      resp.error_code = ecr_xstrdup("InvalidResponse");
      resp.error_message = ecr_xasprintf("%s response is not a JSON object", op);
    }
  }
  if (!doc) ecr_collect_gap(ctx, source, resource, &resp);
  free(source);
  ecr_aws_response_cleanup(&resp);
  return doc;
}

/* Every item of list_key over all pages of a list call, or NULL (a gap). */
static cJSON *eks_list(ecr_collect_ctx *ctx, const char *region, const char *op, const char *path,
                       const char *list_key, const char *resource) {
  cJSON *items = cJSON_CreateArray();
  char *token = NULL;
  ecr_token_set seen = {0};
  int page = 0;
  for (;;) {
    char *query = NULL;
    if (token) {
      char *enc = ecr_sigv4_uri_encode(token, strlen(token), false);
      query = ecr_xasprintf("maxResults=100&nextToken=%s", enc);
      free(enc);
    } else {
      query = ecr_xstrdup("maxResults=100");
    }
    free(token);
    token = NULL;
    cJSON *doc = eks_get(ctx, region, op, path, query, resource);
    free(query);
    if (!doc) goto fail;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, list_key);
    if (list && !cJSON_IsArray(list)) {
      cJSON_Delete(doc);
      char *source = ecr_xasprintf("eks:%s", op);
      char *msg = ecr_xasprintf("%s response: \"%s\" is not a list", op, list_key);
      gap_code(ctx, source, resource, "InvalidResponse", msg);
      free(source);
      free(msg);
      goto fail;
    }
    cJSON *it;
    while (list && (it = cJSON_DetachItemFromArray(list, 0)) != NULL)
      cJSON_AddItemToArray(items, it);
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(doc, "nextToken");
    if (cJSON_IsString(next) && next->valuestring[0]) token = ecr_xstrdup(next->valuestring);
    cJSON_Delete(doc);
    page++;
    if (!token) break;
    if (ecr_token_set_add(&seen, token) || page >= MAX_PAGES) {
      char *source = ecr_xasprintf("eks:%s", op);
      char *msg = ecr_xasprintf("nextToken repeats one the call already returned (pagination "
                                "loop), after page %d",
                                page);
      gap_code(ctx, source, resource, "PaginationLoop", msg);
      free(source);
      free(msg);
      goto fail;
    }
  }
  ecr_token_set_cleanup(&seen);
  return items;
fail:
  free(token);
  ecr_token_set_cleanup(&seen);
  cJSON_Delete(items);
  return NULL;
}

/* A path segment that needs no percent-encoding (EKS cluster names and
 * association ids never do): sent and signed as is. */
static bool plain_segment(const char *s) {
  if (!s || !*s || strlen(s) > 255) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '-' || *s == '_' || *s == '.'))
      return false;
  return true;
}

/* The pod identity associations of one cluster, appended to out. */
static void cluster_associations(ecr_collect_ctx *ctx, const char *region, const char *name,
                                 const char *cluster_arn, cJSON *out) {
  char *path = ecr_xasprintf("/clusters/%s/pod-identity-associations", name);
  cJSON *list =
      eks_list(ctx, region, "ListPodIdentityAssociations", path, "associations", cluster_arn);
  const cJSON *a;
  cJSON_ArrayForEach(a, list) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "associationId");
    const cJSON *aarn = cJSON_GetObjectItemCaseSensitive(a, "associationArn");
    char *resource =
        cJSON_IsString(aarn)
            ? ecr_xstrdup(aarn->valuestring)
            : ecr_xasprintf("%s/%s", cluster_arn, cJSON_IsString(id) ? id->valuestring : "?");
    if (!cJSON_IsString(id) || !plain_segment(id->valuestring)) {
      gap_code(ctx, "eks:DescribePodIdentityAssociation", resource, "InvalidResponse",
               "ListPodIdentityAssociations gave an association without a usable associationId");
      free(resource);
      continue;
    }
    char *one = ecr_xasprintf("%s/%s", path, id->valuestring);
    cJSON *doc = eks_get(ctx, region, "DescribePodIdentityAssociation", one, NULL, resource);
    if (doc && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "association"))) {
      cJSON_Delete(doc);
      doc = NULL;
      gap_code(ctx, "eks:DescribePodIdentityAssociation", resource, "InvalidResponse",
               "DescribePodIdentityAssociation response has no \"association\" object");
    }
    if (doc) {
      fix_times(doc);
      cJSON_AddItemToArray(out, doc);
    }
    free(one);
    free(resource);
  }
  cJSON_Delete(list);
  free(path);
}

static void write_or_gap(ecr_collect_ctx *ctx, const char *rel, const cJSON *v, const char *source,
                         const char *resource) {
  ecr_error err;
  if (ecr_bundle_write_json(ctx, rel, v, &err) == ECR_OK) return;
  gap_code(ctx, source, resource, "WriteError", err.message);
}

void ecr_eks_collect_region(ecr_collect_ctx *ctx, const char *region) {
  cJSON *names = eks_list(ctx, region, "ListClusters", "/clusters", "clusters", region);
  if (!names) return;
  cJSON *clusters = cJSON_CreateArray();
  cJSON *assocs = cJSON_CreateArray();
  int total = cJSON_GetArraySize(names), done = 0;
  const cJSON *n;
  cJSON_ArrayForEach(n, names) {
    done++;
    if (!cJSON_IsString(n)) continue;
    const char *name = n->valuestring;
    char *arn =
        ecr_xasprintf("arn:%s:eks:%s:%s:cluster/%s", ctx->partition ? ctx->partition : "aws",
                      region, ctx->account ? ctx->account : "", name);
    if (!plain_segment(name)) {
      gap_code(ctx, "eks:DescribeCluster", arn, "InvalidResponse",
               "ListClusters gave a cluster name that is not a valid EKS name");
      free(arn);
      continue;
    }
    char *path = ecr_xasprintf("/clusters/%s", name);
    cJSON *doc = eks_get(ctx, region, "DescribeCluster", path, NULL, arn);
    if (doc && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "cluster"))) {
      cJSON_Delete(doc);
      doc = NULL;
      gap_code(ctx, "eks:DescribeCluster", arn, "InvalidResponse",
               "DescribeCluster response has no \"cluster\" object");
    }
    if (doc) {
      fix_times(doc);
      cJSON_AddItemToArray(clusters, doc);
    }
    free(path);
    cluster_associations(ctx, region, name, arn, assocs);
    free(arn);
    ecr_collect_progress(ctx, done == total, "%s: EKS clusters %d/%d", region, done, total);
  }
  char *rel = ecr_xasprintf("eks/%s/clusters.json", region);
  write_or_gap(ctx, rel, clusters, "eks:DescribeCluster", region);
  free(rel);
  rel = ecr_xasprintf("eks/%s/pod-identity-associations.json", region);
  write_or_gap(ctx, rel, assocs, "eks:DescribePodIdentityAssociation", region);
  free(rel);
  cJSON_Delete(clusters);
  cJSON_Delete(assocs);
  cJSON_Delete(names);
}
