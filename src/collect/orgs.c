/* Service control policies through AWS Organizations, when permitted:
 * DescribeOrganization, ListParents up to the root, ListPoliciesForTarget
 * and DescribePolicy for the root, every OU on the way and the account.
 * Written only when complete; otherwise a gap (AWSOrganizationsNotInUse
 * means there are no SCPs: no file, no gap). */
#include <stdlib.h>
#include <string.h>

#include "collect/aws.h"

#define ORGS_TARGET "AWSOrganizationsV20161128"
#define MAX_LEVELS 12
#define MAX_PAGES 1000

/* Call op with body; on failure record a gap and return NULL. */
static cJSON *orgs_call(ecr_collect_ctx *ctx, const char *op, cJSON *req, const char *resource,
                        bool *not_in_use) {
  char *body = cJSON_PrintUnformatted(req);
  cJSON_Delete(req);
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_error err;
  const char *region = ctx->partition && strcmp(ctx->partition, "aws-cn") == 0 ? "cn-northwest-1"
                       : ctx->partition && strcmp(ctx->partition, "aws-us-gov") == 0
                           ? "us-gov-west-1"
                           : "us-east-1";
  ecr_status st =
      ecr_aws_json(ctx->client, "organizations", region, ORGS_TARGET, op, body, &resp, &err);
  free(body);
  cJSON *doc = NULL;
  if (st == ECR_OK) {
    doc = cJSON_ParseWithLength(resp.body.data, resp.body.len);
    if (!cJSON_IsObject(doc)) {
      cJSON_Delete(doc);
      doc = NULL;
      resp.error_code = ecr_xstrdup("InvalidResponse");
      resp.error_message = ecr_xasprintf("%s response is not a JSON object", op);
    }
  }
  if (!doc) {
    if (not_in_use && resp.error_code &&
        strcmp(resp.error_code, "AWSOrganizationsNotInUseException") == 0) {
      *not_in_use = true;
    } else {
      char *source = ecr_xasprintf("organizations:%s", op);
      ecr_collect_gap(ctx, source, resource, &resp);
      free(source);
    }
  }
  ecr_aws_response_cleanup(&resp);
  return doc;
}

static const char *str(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Policies of one target as [{"Id","Name","Content"}], NULL on failure. */
static cJSON *target_policies(ecr_collect_ctx *ctx, const char *target) {
  cJSON *out = cJSON_CreateArray();
  char *token = NULL;
  int pages = 0;
  ecr_token_set seen = {0};
  do {
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "TargetId", target);
    cJSON_AddStringToObject(req, "Filter", "SERVICE_CONTROL_POLICY");
    if (token) cJSON_AddStringToObject(req, "NextToken", token);
    free(token);
    token = NULL;
    cJSON *doc = orgs_call(ctx, "ListPoliciesForTarget", req, target, NULL);
    if (!doc) goto fail;
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(doc, "Policies")) {
      const char *id = str(p, "Id");
      if (!id) continue;
      cJSON *dreq = cJSON_CreateObject();
      cJSON_AddStringToObject(dreq, "PolicyId", id);
      cJSON *d = orgs_call(ctx, "DescribePolicy", dreq, id, NULL);
      if (!d) {
        cJSON_Delete(doc);
        goto fail;
      }
      const cJSON *pol = cJSON_GetObjectItemCaseSensitive(d, "Policy");
      const cJSON *sum = cJSON_GetObjectItemCaseSensitive(pol, "PolicySummary");
      const char *content = str(pol, "Content");
      const char *name = str(sum, "Name") ? str(sum, "Name") : str(p, "Name");
      cJSON *e = cJSON_CreateObject();
      cJSON_AddStringToObject(e, "Id", id);
      cJSON_AddStringToObject(e, "Name", name ? name : "");
      cJSON_AddStringToObject(e, "Content", content ? content : "");
      cJSON_AddItemToArray(out, e);
      cJSON_Delete(d);
    }
    const char *next = str(doc, "NextToken");
    if (next && *next) token = ecr_xstrdup(next);
    cJSON_Delete(doc);
    if (token && ecr_token_set_add(&seen, token)) {
      ecr_aws_response r = {0};
      r.error_code = (char *)"PaginationLoop";
      r.error_message = (char *)"NextToken repeats one the call already returned";
      ecr_collect_gap(ctx, "organizations:ListPoliciesForTarget", target, &r);
      goto fail;
    }
  } while (token && ++pages < MAX_PAGES);
  free(token);
  ecr_token_set_cleanup(&seen);
  return out;
fail:
  free(token);
  ecr_token_set_cleanup(&seen);
  cJSON_Delete(out);
  return NULL;
}

void ecr_orgs_collect(ecr_collect_ctx *ctx) {
  if (!ctx->account) return;
  bool not_in_use = false;
  cJSON *org =
      orgs_call(ctx, "DescribeOrganization", cJSON_CreateObject(), "organization", &not_in_use);
  if (!org) return;
  cJSON_Delete(org);
  /* the chain of targets, account first, root last */
  char *chain[MAX_LEVELS + 1];
  size_t n = 0;
  chain[n++] = ecr_xstrdup(ctx->account);
  bool ok = false;
  cJSON *scps = NULL;
  while (n <= MAX_LEVELS) {
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "ChildId", chain[n - 1]);
    cJSON *doc = orgs_call(ctx, "ListParents", req, chain[n - 1], NULL);
    if (!doc) goto cleanup;
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "Parents"), 0);
    const char *id = str(first, "Id");
    const char *type = str(first, "Type");
    if (!id) {
      cJSON_Delete(doc);
      ecr_aws_response r = {0};
      r.error_code = (char *)"InvalidResponse";
      r.error_message = (char *)"ListParents returned no parent";
      ecr_collect_gap(ctx, "organizations:ListParents", chain[n - 1], &r);
      goto cleanup;
    }
    chain[n++] = ecr_xstrdup(id);
    bool root = type && strcmp(type, "ROOT") == 0;
    cJSON_Delete(doc);
    if (root) {
      ok = true;
      break;
    }
  }
  if (!ok) goto cleanup;
  ecr_collect_progress(ctx, false, "SCPs: %zu levels", n);
  scps = cJSON_CreateArray();
  for (size_t i = n; i-- > 0;) {
    cJSON *pols = target_policies(ctx, chain[i]);
    if (!pols) {
      ok = false;
      goto cleanup;
    }
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "target", chain[i]);
    cJSON_AddItemToObject(t, "policies", pols);
    cJSON_AddItemToArray(scps, t);
  }
  ecr_collect_progress(ctx, true, "SCPs: %zu levels collected", n);
  ecr_error err;
  if (ecr_bundle_write_json(ctx, "organizations/scps.json", scps, &err) != ECR_OK) {
    ecr_aws_response r = {0};
    r.error_code = (char *)"WriteError";
    r.error_message = err.message;
    ecr_collect_gap(ctx, "organizations:ListPoliciesForTarget", ctx->account, &r);
  }
cleanup:
  cJSON_Delete(scps);
  for (size_t i = 0; i < n; i++)
    free(chain[i]);
}
