/* Remediation policy suggestions: a replacement statement for a grant,
 * as pretty JSON, and the globs of a finding's repositories. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "report/report_internal.h"

/* ---- remediation ---------------------------------------------------------------------------- */
static cJSON *str_array(char *const *v, size_t n) {
  cJSON *a = cJSON_CreateArray();
  for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
  return a;
}

static char *print_json(cJSON *j) {
  char *s = cJSON_Print(j);
  cJSON_Delete(j);
  char *out = ecr_xstrdup(s ? s : "{}");
  free(s);
  /* cJSON indents with tabs: use two spaces for reports */
  ecr_buf b;
  ecr_buf_init(&b);
  for (const char *c = out; *c; c++) {
    if (*c == '\t')
      ecr_buf_puts(&b, c > out && c[-1] == ':' ? " " : "  ");
    else
      ecr_buf_putc(&b, *c);
  }
  free(out);
  return ecr_buf_steal(&b);
}

static const char *const pull_set[] = {"ecr:GetAuthorizationToken",
                                       "ecr:BatchCheckLayerAvailability",
                                       "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"};

/* Repository globs standing for a finding's repositories in examples: the
 * ARNs themselves when few, else one glob per region from their common
 * prefix (a ledger entry or a policy a person would write). */
#define EXAMPLE_MAX_REPOS 5

static cJSON *repo_globs_of(const builder *B, const ecr_finding *f) {
  if (f->all_repositories && !ecr_finding_registry(f)) {
    char *g = ecr_xasprintf("arn:%s:ecr:*:%s:repository/*", B->ev->partition, B->ev->account);
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, cJSON_CreateString(g));
    free(g);
    return a;
  }
  if (f->n_repositories <= EXAMPLE_MAX_REPOS) return str_array(f->repositories, f->n_repositories);
  cJSON *a = cJSON_CreateArray();
  /* repositories are sorted by ARN, so each region is one run */
  size_t i = 0;
  while (i < f->n_repositories) {
    const char *first = f->repositories[i];
    const char *slash = strstr(first, ":repository/");
    size_t region_len = slash ? (size_t)(slash - first) : 0;
    size_t j = i + 1, common = strlen(first);
    while (j < f->n_repositories && region_len &&
           strncmp(f->repositories[j], first, region_len) == 0 &&
           f->repositories[j][region_len] == ':') {
      size_t k = 0;
      while (k < common && first[k] == f->repositories[j][k]) k++;
      common = k;
      j++;
    }
    char *g = ecr_xasprintf("%.*s*", (int)common, first);
    cJSON_AddItemToArray(a, cJSON_CreateString(g));
    free(g);
    i = j;
  }
  return a;
}

/* The same, made once per repository set (findings of many principals
 * share a set); the caller owns the copy. */
cJSON *ecr_rb_repo_globs(const builder *B, const ecr_finding *f) {
  bset *set = &B->sets[f->repo_set];
  if (!set->globs) set->globs = repo_globs_of(B, f);
  return cJSON_Duplicate(set->globs, 1);
}

/* arn:<partition>:iam::aws:policy/...: AWS owns it, nobody can edit it. */
bool ecr_rb_aws_managed(const char *policy) {
  return policy && ecr_str_has_prefix(policy, "arn:") &&
         strstr(policy, ":iam::aws:policy/") != NULL;
}

/* A statement whose actions reach beyond ECR ("*", "s3:*", NotAction):
 * narrowing it to ECR actions would strip every other right it gives. */
static bool broad_actions(const char *statement_json) {
  cJSON *j = statement_json ? cJSON_Parse(statement_json) : NULL;
  bool broad = cJSON_GetObjectItemCaseSensitive(j, "NotAction") != NULL;
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "Action"), *it;
  if (cJSON_IsString(a)) broad |= strncasecmp(a->valuestring, "ecr:", 4) != 0;
  const cJSON *list = cJSON_IsArray(a) ? a : NULL;
  cJSON_ArrayForEach(it, list) broad |=
      !cJSON_IsString(it) || strncasecmp(it->valuestring, "ecr:", 4) != 0;
  cJSON_Delete(j);
  return broad;
}

char *ecr_rb_suggest(const builder *B, const ecr_finding *f, const ecr_via *grant, bool human,
                     bool own) {
  bool registry = ecr_finding_registry(f);
  if (f->status == ECR_CHECK_PASS || f->status == ECR_CHECK_UNKNOWN || !grant) return NULL;
  cJSON *s = cJSON_CreateObject();
  bool resource_side = grant->source == ECR_SRC_RESOURCE || grant->source == ECR_SRC_REGISTRY;
  if (f->access_level == ECR_LEVEL_PERMISSIONS && !resource_side) {
    cJSON_AddStringToObject(s, "Sid", "DenyEcrPolicyChanges");
    cJSON_AddStringToObject(s, "Effect", "Deny");
    const char *acts[] = {"ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy",
                          "ecr:PutRegistryPolicy", "ecr:DeleteRegistryPolicy"};
    cJSON_AddItemToObject(s, "Action", cJSON_CreateStringArray(acts, 4));
    cJSON_AddStringToObject(s, "Resource", "*");
    return print_json(s);
  }
  if (!resource_side && (ecr_rb_aws_managed(grant->policy) || broad_actions(grant->json))) {
    /* keep the policy (AWS-managed, or granting more than ECR): deny the
       finding's actions where they are granted */
    char *sid =
        ecr_xasprintf("DenyEcr%s", f->access_level == ECR_LEVEL_TAGGING ? "Tagging" : "Write");
    cJSON_AddStringToObject(s, "Sid", sid);
    free(sid);
    cJSON_AddStringToObject(s, "Effect", "Deny");
    cJSON_AddItemToObject(s, "Action", str_array(f->actions, f->n_actions));
    if (registry) {
      cJSON_AddStringToObject(s, "Resource", "*");
    } else if (f->all_repositories) {
      char *every = ecr_xasprintf("arn:%s:ecr:*:%s:repository/*", B->ev->partition, B->ev->account);
      cJSON_AddStringToObject(s, "Resource", every);
      free(every);
    } else {
      cJSON_AddItemToObject(s, "Resource", ecr_rb_repo_globs(B, f));
    }
    return print_json(s);
  }
  char *sid = ecr_xasprintf("%sNarrowed", grant->statement[0] >= '0' && grant->statement[0] <= '9'
                                              ? "Statement"
                                              : grant->statement);
  cJSON_AddStringToObject(s, "Sid", sid);
  free(sid);
  cJSON_AddStringToObject(s, "Effect", "Allow");
  if (resource_side) {
    /* the statement's own Principal, every principal it names: one
       suggestion per statement, whichever of its principals' findings shows it */
    cJSON *orig = grant->json ? cJSON_Parse(grant->json) : NULL;
    cJSON *pr = cJSON_DetachItemFromObjectCaseSensitive(orig, "Principal");
    cJSON_Delete(orig);
    if (!pr) {
      pr = cJSON_CreateObject();
      if (f->principal_kind == ECR_PK_SERVICE)
        cJSON_AddStringToObject(pr, "Service", f->principal + 8);
      else
        cJSON_AddStringToObject(pr, "AWS", f->principal);
    }
    cJSON_AddItemToObject(s, "Principal", pr);
    cJSON_AddItemToObject(s, "Action", cJSON_CreateStringArray(pull_set + 1, 3));
    /* the statement's own Condition stays; a guard is added only where it
       has none, with the value the evidence knows */
    cJSON *stmt = grant->json ? cJSON_Parse(grant->json) : NULL;
    cJSON *cond = cJSON_DetachItemFromObjectCaseSensitive(stmt, "Condition");
    cJSON_Delete(stmt);
    if (own) { /* the account's own principal: no org condition needed */
      if (cond) cJSON_AddItemToObject(s, "Condition", cond);
      return print_json(s);
    }
    bool service = f->principal_kind == ECR_PK_SERVICE;
    const char *const *guard = service ? ecr_rb_deputy_keys : ecr_rb_org_keys;
    bool has = false;
    for (size_t k = 0; guard[k] && !has; k++) {
      cJSON *vals = ecr_rb_condition_values(grant->json, guard[k]);
      has = vals != NULL;
      cJSON_Delete(vals);
    }
    if (!has) {
      if (!cond) cond = cJSON_CreateObject();
      cJSON *op = cJSON_GetObjectItemCaseSensitive(cond, "StringEquals");
      if (!op) cJSON_AddItemToObject(cond, "StringEquals", op = cJSON_CreateObject());
      if (service)
        cJSON_AddStringToObject(op, "aws:SourceAccount", B->ev->account);
      else /* a placeholder only where the evidence has no organization */
        cJSON_AddStringToObject(op, "aws:PrincipalOrgID",
                                B->ev->org_id ? B->ev->org_id : "<your organization id>");
    }
    if (cond) cJSON_AddItemToObject(s, "Condition", cond);
    return print_json(s);
  }
  if (human || f->access_level == ECR_LEVEL_READ || f->access_level == ECR_LEVEL_LIST) {
    cJSON_AddItemToObject(s, "Action", cJSON_CreateStringArray(pull_set, 4));
    cJSON_AddStringToObject(s, "Resource", "*");
    return print_json(s);
  }
  if (f->access_level == ECR_LEVEL_WRITE && !registry) {
    /* a publisher needs the push set, nothing that deletes or reconfigures */
    static const char *const push[] = {"ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                                       "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                                       "ecr:PutImage"};
    cJSON_AddItemToObject(s, "Action", cJSON_CreateStringArray(push, 5));
  } else {
    cJSON_AddItemToObject(s, "Action", str_array(f->actions, f->n_actions));
  }
  if (registry) {
    cJSON_AddStringToObject(s, "Resource", "*");
  } else if (f->all_repositories) {
    char *r = ecr_xasprintf("arn:%s:ecr:<region>:%s:repository/<repositories it publishes to>",
                            B->ev->partition, B->ev->account);
    cJSON_AddStringToObject(s, "Resource", r);
    free(r);
  } else {
    cJSON_AddItemToObject(s, "Resource", ecr_rb_repo_globs(B, f));
  }
  return print_json(s);
}
