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

/* What one organisation walk has fetched already, so that the OUs shared by
 * many accounts are asked once: the parent of a child and the policies of a
 * target per policy kind (failures too: one gap, not one per account). */
typedef struct orgs_entry {
  char *key;    /* "parent|ID" or "FILTER|ID" */
  cJSON *value; /* parent: {"Id","Type"}; policies: the array; NULL: failed or off */
  bool off;     /* the policy type is not enabled */
} orgs_entry;

typedef struct orgs_cache {
  orgs_entry *v;
  size_t n, cap;
} orgs_cache;

static orgs_entry *cache_find(orgs_cache *c, const char *key) {
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->v[i].key, key) == 0) return &c->v[i];
  return NULL;
}

static void cache_put(orgs_cache *c, char *key, cJSON *value, bool off) {
  orgs_entry e = {key, value, off};
  ECR_PUSH(c->v, c->n, c->cap, e);
}

static void cache_cleanup(orgs_cache *c) {
  for (size_t i = 0; i < c->n; i++) {
    free(c->v[i].key);
    cJSON_Delete(c->v[i].value);
  }
  free(c->v);
  memset(c, 0, sizeof(*c));
}

/* target_policies through the cache: a copy the caller frees, NULL on a gap
 * or when the type is off (*off). */
static cJSON *cached_policies(ecr_collect_ctx *ctx, orgs_cache *cache, const char *target,
                              const char *filter, bool *off) {
  char *key = ecr_xasprintf("%s|%s", filter, target);
  orgs_entry *e = cache_find(cache, key);
  if (!e) {
    bool o = false;
    cJSON *pols = target_policies(ctx, target, filter, &o);
    cache_put(cache, key, pols, o);
    e = &cache->v[cache->n - 1];
  } else {
    free(key);
  }
  *off = e->off;
  return e->value ? cJSON_Duplicate(e->value, true) : NULL;
}

/* The levels of one policy kind, root first: [{"target","policies"}];
 * NULL on a gap or when the type is not enabled. */
static cJSON *policy_levels(ecr_collect_ctx *ctx, orgs_cache *cache, char *const *chain, size_t n,
                            const char *filter) {
  cJSON *levels = cJSON_CreateArray();
  for (size_t i = n; i-- > 0;) {
    bool off = false;
    cJSON *pols = cached_policies(ctx, cache, chain[i], filter, &off);
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

/* The chain of targets of account, the account first, the root last, into
 * chain (caller frees the strings); false on a gap. */
static bool chain_of(ecr_collect_ctx *ctx, orgs_cache *cache, const char *account,
                     char *chain[MAX_LEVELS + 1], size_t *n) {
  *n = 0;
  chain[(*n)++] = ecr_xstrdup(account);
  while (*n <= MAX_LEVELS) {
    const char *child = chain[*n - 1];
    char *key = ecr_xasprintf("parent|%s", child);
    orgs_entry *e = cache_find(cache, key);
    if (e) {
      free(key);
    } else {
      cJSON *req = cJSON_CreateObject();
      cJSON_AddStringToObject(req, "ChildId", child);
      cJSON *doc = orgs_call(ctx, "ListParents", req, child, NULL, NULL);
      cJSON *parent = NULL;
      if (doc) {
        const cJSON *first =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "Parents"), 0);
        if (str(first, "Id")) {
          parent = cJSON_CreateObject();
          cJSON_AddStringToObject(parent, "Id", str(first, "Id"));
          cJSON_AddStringToObject(parent, "Type", str(first, "Type") ? str(first, "Type") : "");
        } else {
          ecr_aws_response r = {0};
          r.error_code = (char *)"InvalidResponse";
          r.error_message = (char *)"ListParents returned no parent";
          ecr_collect_gap(ctx, "organizations:ListParents", child, &r);
        }
        cJSON_Delete(doc);
      }
      cache_put(cache, key, parent, false);
      e = &cache->v[cache->n - 1];
    }
    if (!e->value) return false;
    chain[(*n)++] = ecr_xstrdup(str(e->value, "Id"));
    if (strcmp(str(e->value, "Type"), "ROOT") == 0) return true;
  }
  return false;
}

/* SCPs and RCPs of account into the files scp_rel and rcp_rel. */
static void account_policies(ecr_collect_ctx *ctx, orgs_cache *cache, const char *account,
                             const char *scp_rel, const char *rcp_rel) {
  char *chain[MAX_LEVELS + 1];
  size_t n = 0;
  if (chain_of(ctx, cache, account, chain, &n)) {
    const struct {
      const char *filter, *file, *label;
    } kinds[] = {{"SERVICE_CONTROL_POLICY", scp_rel, "SCPs"},
                 {"RESOURCE_CONTROL_POLICY", rcp_rel, "RCPs"}};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
      ecr_collect_progress(ctx, false, "%s %s: %zu levels", account, kinds[k].label, n);
      cJSON *levels = policy_levels(ctx, cache, chain, n, kinds[k].filter);
      if (!levels) continue;
      ecr_collect_progress(ctx, true, "%s %s: %zu levels collected", account, kinds[k].label, n);
      write_or_gap(ctx, kinds[k].file, levels, "organizations:ListPoliciesForTarget", account);
      cJSON_Delete(levels);
    }
  }
  for (size_t i = 0; i < n; i++) free(chain[i]);
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
  orgs_cache cache = {0};
  account_policies(ctx, &cache, ctx->account, "organizations/scps.json", "organizations/rcps.json");
  cache_cleanup(&cache);
}

static int cmp_id(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The error of the gap the last failed call recorded, as err. */
static ecr_status last_gap_error(ecr_collect_ctx *ctx, ecr_error *err) {
  if (!ctx->n_gaps)
    return ecr_error_set(err, ECR_E_COLLECT, NULL, "organizations: the call failed");
  const ecr_collected_gap *g = &ctx->gaps[ctx->n_gaps - 1];
  return ecr_error_set(err, ECR_E_COLLECT, NULL, "%s: %s", g->source, g->error);
}

ecr_status ecr_orgs_collect_organization(ecr_collect_ctx *ctx, char ***ids, size_t *n_ids,
                                         ecr_error *err) {
  *ids = NULL;
  *n_ids = 0;
  bool not_in_use = false;
  cJSON *org = orgs_call(ctx, "DescribeOrganization", cJSON_CreateObject(), "organization",
                         "AWSOrganizationsNotInUseException", &not_in_use);
  if (not_in_use)
    return ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "--org: the account is not a member of an organization");
  if (!org) return last_gap_error(ctx, err);
  const char *master =
      str(cJSON_GetObjectItemCaseSensitive(org, "Organization"), "MasterAccountId");
  if (!ctx->account && master) ctx->account = ecr_xstrdup(master); /* the manifest's account */
  ecr_status st = ecr_bundle_write_json(ctx, "organization.json", org, err);
  cJSON_Delete(org);
  if (st != ECR_OK) return st;
  cJSON *accounts = list_accounts(ctx);
  if (!accounts) return last_gap_error(ctx, err);
  st = ecr_bundle_write_json(ctx, "accounts.json", accounts, err);
  if (st != ECR_OK) {
    cJSON_Delete(accounts);
    return st;
  }
  size_t cap = 0;
  const cJSON *a;
  cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(accounts, "Accounts")) {
    const char *id = str(a, "Id");
    /* State replaces the deprecated Status; either says ACTIVE */
    const char *state = str(a, "State") ? str(a, "State") : str(a, "Status");
    if (!id || !ecr_aws_account_id_valid(id) || !state || strcmp(state, "ACTIVE") != 0) continue;
    bool dup = false;
    for (size_t i = 0; i < *n_ids; i++) dup = dup || strcmp((*ids)[i], id) == 0;
    if (!dup) ECR_PUSH(*ids, *n_ids, cap, ecr_xstrdup(id));
  }
  cJSON_Delete(accounts);
  if (*n_ids > 1) qsort(*ids, *n_ids, sizeof(char *), cmp_id);
  ecr_collect_progress(ctx, true, "organization: %zu active accounts", *n_ids);
  orgs_cache cache = {0};
  for (size_t i = 0; i < *n_ids; i++) {
    char *scp = ecr_xasprintf("%s-scps.json", (*ids)[i]);
    char *rcp = ecr_xasprintf("%s-rcps.json", (*ids)[i]);
    account_policies(ctx, &cache, (*ids)[i], scp, rcp);
    free(scp);
    free(rcp);
  }
  cache_cleanup(&cache);
  return ECR_OK;
}

/* org_dir/name parsed, NULL when absent or not JSON. */
static cJSON *read_json(const char *org_dir, const char *name) {
  char *path = ecr_path_join(org_dir, name);
  char *text = NULL;
  size_t len = 0;
  cJSON *v = NULL;
  if (ecr_file_read(path, &text, &len, NULL) == ECR_OK) v = cJSON_ParseWithLength(text, len);
  free(text);
  free(path);
  return v;
}

static bool rcps_enabled(const cJSON *org) {
  const cJSON *t;
  cJSON_ArrayForEach(
      t, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(org, "Organization"),
                                          "AvailablePolicyTypes")) {
    const char *type = str(t, "Type"), *status = str(t, "Status");
    if (type && status && strcmp(type, "RESOURCE_CONTROL_POLICY") == 0 &&
        strcmp(status, "ENABLED") == 0)
      return true;
  }
  return false;
}

void ecr_orgs_copy(ecr_collect_ctx *ctx, const char *org_dir) {
  if (!ctx->account) return;
  char *scp_name = ecr_xasprintf("%s-scps.json", ctx->account);
  char *rcp_name = ecr_xasprintf("%s-rcps.json", ctx->account);
  cJSON *org = read_json(org_dir, "organization.json");
  const struct {
    const char *name, *rel, *source;
    bool wanted;
  } files[] = {
      {"organization.json", "organizations/organization.json", "organizations:DescribeOrganization",
       true},
      {"accounts.json", "organizations/accounts.json", "organizations:ListAccounts", true},
      {scp_name, "organizations/scps.json", "organizations:ListPoliciesForTarget", true},
      {rcp_name, "organizations/rcps.json", "organizations:ListPoliciesForTarget",
       rcps_enabled(org)},
  };
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    cJSON *v = i == 0 ? org : read_json(org_dir, files[i].name);
    if (v) {
      write_or_gap(ctx, files[i].rel, v, files[i].source, ctx->account);
    } else if (files[i].wanted) {
      ecr_aws_response r = {0};
      r.error_code = (char *)"NotCollected";
      r.error_message = ecr_xasprintf("the organisation evidence %s has no valid %s (its "
                                      "manifest.json lists why)",
                                      org_dir, files[i].name);
      ecr_collect_gap(ctx, files[i].source, i < 2 ? "organization" : ctx->account, &r);
      free(r.error_message);
    }
    if (i != 0) cJSON_Delete(v);
  }
  cJSON_Delete(org);
  free(scp_name);
  free(rcp_name);
}
