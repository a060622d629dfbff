/* AWS Organizations, when permitted: DescribeOrganization
 * (organizations/organization.json), ListAccounts (accounts.json, every page),
 * then one walk of ListParents up to the root and, for the root, every OU on
 * the way and the account, ListPoliciesForTarget and DescribePolicy for the
 * service control policies (scps.json) and the resource control policies
 * (rcps.json). Each file is written only when complete; otherwise a gap.
 * AWSOrganizationsNotInUse means no organization: no file, no gap; so does
 * PolicyTypeNotEnabled for the RCPs (the type is not enabled: none apply). */
#include <stdlib.h>
#include <string.h>

#include "collect/aws.h"

#define ORGS_TARGET "AWSOrganizationsV20161128"
#define MAX_LEVELS 12
#define MAX_PAGES 1000

/* Call op with body; on failure record a gap and return NULL, except for the
 * error code absent_code (may be NULL), which sets *absent instead. */
static cJSON *orgs_call(ecr_collect_ctx *ctx, const char *op, cJSON *req, const char *resource,
                        const char *absent_code, bool *absent) {
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
    if (absent_code && resp.error_code && strcmp(resp.error_code, absent_code) == 0) {
      *absent = true;
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

/* Policies of one kind (filter "SERVICE_CONTROL_POLICY" or
 * "RESOURCE_CONTROL_POLICY") of one target as [{"Id","Name","Content"}],
 * NULL on failure (a gap) or when the policy type is not enabled (*off). */
static cJSON *target_policies(ecr_collect_ctx *ctx, const char *target, const char *filter,
                              bool *off) {
  cJSON *out = cJSON_CreateArray();
  char *token = NULL;
  int pages = 0;
  ecr_token_set seen = {0};
  do {
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "TargetId", target);
    cJSON_AddStringToObject(req, "Filter", filter);
    if (token) cJSON_AddStringToObject(req, "NextToken", token);
    free(token);
    token = NULL;
    cJSON *doc =
        orgs_call(ctx, "ListPoliciesForTarget", req, target, "PolicyTypeNotEnabledException", off);
    if (!doc) goto fail;
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(doc, "Policies")) {
      const char *id = str(p, "Id");
      if (!id) continue;
      cJSON *dreq = cJSON_CreateObject();
      cJSON_AddStringToObject(dreq, "PolicyId", id);
      cJSON *d = orgs_call(ctx, "DescribePolicy", dreq, id, NULL, NULL);
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

static void write_or_gap(ecr_collect_ctx *ctx, const char *rel, const cJSON *v, const char *source,
                         const char *resource) {
  ecr_error err;
  if (ecr_bundle_write_json(ctx, rel, v, &err) == ECR_OK) return;
  ecr_aws_response r = {0};
  r.error_code = (char *)"WriteError";
  r.error_message = err.message;
  ecr_collect_gap(ctx, source, resource, &r);
}

/* ListAccounts, every page merged into {"Accounts": [...]} as the CLI prints
 * it (JoinedTimestamp in ISO 8601); NULL on failure (a gap). */
static cJSON *list_accounts(ecr_collect_ctx *ctx) {
  cJSON *accounts = cJSON_CreateArray();
  char *token = NULL;
  int pages = 0;
  ecr_token_set seen = {0};
  do {
    cJSON *req = cJSON_CreateObject();
    if (token) cJSON_AddStringToObject(req, "NextToken", token);
    free(token);
    token = NULL;
    cJSON *doc = orgs_call(ctx, "ListAccounts", req, "organization", NULL, NULL);
    if (!doc) goto fail;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "Accounts");
    cJSON *a;
    while (cJSON_IsArray(list) && (a = cJSON_DetachItemFromArray(list, 0)) != NULL) {
      cJSON *t = cJSON_GetObjectItemCaseSensitive(a, "JoinedTimestamp");
      if (cJSON_IsNumber(t)) {
        char *iso = ecr_aws_time_from_epoch(t->valuedouble);
        cJSON_ReplaceItemInObjectCaseSensitive(a, "JoinedTimestamp", cJSON_CreateString(iso));
        free(iso);
      }
      cJSON_AddItemToArray(accounts, a);
    }
    const char *next = str(doc, "NextToken");
    if (next && *next) token = ecr_xstrdup(next);
    cJSON_Delete(doc);
    const char *why = NULL;
    if (token && ecr_token_set_add(&seen, token))
      why = "NextToken repeats one the call already returned";
    else if (token && pages + 1 >= MAX_PAGES)
      why = "more than 1000 pages";
    if (why) {
      ecr_aws_response r = {0};
      r.error_code = (char *)"PaginationLoop";
      r.error_message = (char *)why;
      ecr_collect_gap(ctx, "organizations:ListAccounts", "organization", &r);
      goto fail;
    }
  } while (token && ++pages < MAX_PAGES);
  free(token);
  ecr_token_set_cleanup(&seen);
  cJSON *out = cJSON_CreateObject();
  cJSON_AddItemToObject(out, "Accounts", accounts);
  return out;
fail:
  free(token);
  ecr_token_set_cleanup(&seen);
  cJSON_Delete(accounts);
  return NULL;
}

/* The levels of one policy kind, root first: [{"target","policies"}];
 * NULL on a gap or when the type is not enabled. */
static cJSON *policy_levels(ecr_collect_ctx *ctx, char *const *chain, size_t n,
                            const char *filter) {
  cJSON *levels = cJSON_CreateArray();
  for (size_t i = n; i-- > 0;) {
    bool off = false;
    cJSON *pols = target_policies(ctx, chain[i], filter, &off);
    if (!pols) {
      cJSON_Delete(levels);
      return NULL;
    }
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "target", chain[i]);
    cJSON_AddItemToObject(t, "policies", pols);
    cJSON_AddItemToArray(levels, t);
  }
  return levels;
}

void ecr_orgs_collect(ecr_collect_ctx *ctx) {
  if (!ctx->account) return;
  bool not_in_use = false;
  cJSON *org = orgs_call(ctx, "DescribeOrganization", cJSON_CreateObject(), "organization",
                         "AWSOrganizationsNotInUseException", &not_in_use);
  if (!org) return;
  write_or_gap(ctx, "organizations/organization.json", org, "organizations:DescribeOrganization",
               "organization");
  cJSON_Delete(org);
  cJSON *accounts = list_accounts(ctx);
  if (accounts) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(accounts, "Accounts");
    ecr_collect_progress(ctx, true, "organization: %d accounts", cJSON_GetArraySize(list));
    write_or_gap(ctx, "organizations/accounts.json", accounts, "organizations:ListAccounts",
                 "organization");
    cJSON_Delete(accounts);
  }
  /* the chain of targets, account first, root last: one walk for both kinds */
  char *chain[MAX_LEVELS + 1];
  size_t n = 0;
  chain[n++] = ecr_xstrdup(ctx->account);
  bool ok = false;
  while (n <= MAX_LEVELS) {
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "ChildId", chain[n - 1]);
    cJSON *doc = orgs_call(ctx, "ListParents", req, chain[n - 1], NULL, NULL);
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
  static const struct {
    const char *filter, *file, *label;
  } kinds[] = {{"SERVICE_CONTROL_POLICY", "organizations/scps.json", "SCPs"},
               {"RESOURCE_CONTROL_POLICY", "organizations/rcps.json", "RCPs"}};
  for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
    ecr_collect_progress(ctx, false, "%s: %zu levels", kinds[k].label, n);
    cJSON *levels = policy_levels(ctx, chain, n, kinds[k].filter);
    if (!levels) continue;
    ecr_collect_progress(ctx, true, "%s: %zu levels collected", kinds[k].label, n);
    write_or_gap(ctx, kinds[k].file, levels, "organizations:ListPoliciesForTarget", ctx->account);
    cJSON_Delete(levels);
  }
cleanup:
  for (size_t i = 0; i < n; i++) free(chain[i]);
}
