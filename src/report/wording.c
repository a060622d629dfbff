/* What a finding says: impact notes, remediation and status texts. Wording
 * comes from templates/text/ (ecr_text); this file decides what is said,
 * never how it is phrased. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "report/report_internal.h"

/* ---- templates ------------------------------------------------------------ */
/* templates/text/<name>.txt expanded with kv (ecr_text). Every name is a
 * string literal of this file ("dir/name"), and test_report checks that each
 * one is embedded. Caller frees. */

void ecr_rb_para(ecr_buf *b, char *s) {
  if (!s) return;
  if (b->len) ecr_buf_putc(b, b->data[b->len - 1] == '\n' ? '\n' : ' ');
  ecr_buf_puts(b, s);
  free(s);
}

/* ---- what a statement's Condition already limits ------------------------------------ */
/* The values a statement compares `key` with through an equality or Like
 * operator (String*, ForAnyValue:String*, Arn*), as a cJSON array owned by
 * the caller; NULL when the statement has no such test of the key. */
cJSON *ecr_rb_condition_values(const char *statement_json, const char *key) {
  if (!statement_json) return NULL;
  cJSON *j = cJSON_Parse(statement_json), *out = NULL;
  const cJSON *cond = cJSON_GetObjectItemCaseSensitive(j, "Condition"), *op, *k;
  cJSON_ArrayForEach(op, cond) {
    const char *name = op->string;
    if (ecr_str_has_prefix(name, "ForAnyValue:")) name += strlen("ForAnyValue:");
    if (!ecr_str_has_prefix(name, "StringEquals") && !ecr_str_has_prefix(name, "StringLike") &&
        !ecr_str_has_prefix(name, "ArnEquals") && !ecr_str_has_prefix(name, "ArnLike"))
      continue;
    cJSON_ArrayForEach(k, op) {
      if (!k->string || ecr_strcasecmp_ascii(k->string, key) != 0) continue;
      if (!out) out = cJSON_CreateArray();
      if (cJSON_IsArray(k)) {
        const cJSON *v;
        cJSON_ArrayForEach(v, k) cJSON_AddItemToArray(out, cJSON_Duplicate(v, 1));
      } else {
        cJSON_AddItemToArray(out, cJSON_Duplicate(k, 1));
      }
    }
  }
  cJSON_Delete(j);
  return out;
}

/* Does every granting statement of the finding test `key` (one of keys)? */
static bool grants_all_test(const ecr_finding *f, const char *const *keys) {
  size_t grants = 0;
  for (size_t i = 0; i < f->n_via; i++) {
    const ecr_via *v = &f->via[i];
    if (v->deny) continue;
    grants++;
    bool has = false;
    for (size_t k = 0; keys[k] && !has; k++) {
      cJSON *vals = ecr_rb_condition_values(v->json, keys[k]);
      has = vals != NULL;
      cJSON_Delete(vals);
    }
    if (!has) return false;
  }
  return grants > 0 && f->n_via_omitted == 0;
}

const char *const ecr_rb_org_keys[] = {"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", NULL};
const char *const ecr_rb_deputy_keys[] = {"aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID",
                                          NULL};

/* A public grant that only the organization can use: every granting
 * statement limits aws:PrincipalOrgID (or OrgPaths). */
bool ecr_rb_organization_only(const ecr_finding *f) {
  return f->principal_kind == ECR_PK_PUBLIC && f->decision == ECR_DECISION_CONDITIONAL &&
         grants_all_test(f, ecr_rb_org_keys);
}

/* A service grant guarded against the confused deputy. */
static bool deputy_guarded(const ecr_finding *f) {
  return f->principal_kind == ECR_PK_SERVICE && grants_all_test(f, ecr_rb_deputy_keys);
}

/* The values of keys the granting statements test, once each, joined ("o-a, o-b"). */
static char *tested_values(const ecr_finding *f, const char *const *keys) {
  ecr_buf b;
  ecr_buf_init(&b);
  cJSON *seen = cJSON_CreateArray();
  for (size_t i = 0; i < f->n_via; i++) {
    if (f->via[i].deny) continue;
    for (size_t k = 0; keys[k]; k++) {
      cJSON *vals = ecr_rb_condition_values(f->via[i].json, keys[k]);
      const cJSON *v;
      cJSON_ArrayForEach(v, vals) {
        char *text = cJSON_IsString(v) ? ecr_xstrdup(v->valuestring) : cJSON_PrintUnformatted(v);
        bool dup = false;
        const cJSON *x;
        cJSON_ArrayForEach(x, seen) dup |= strcmp(x->valuestring, text) == 0;
        if (!dup) {
          cJSON_AddItemToArray(seen, cJSON_CreateString(text));
          ecr_buf_printf(&b, "%s%s", b.len ? ", " : "", text);
        }
        free(text);
      }
      cJSON_Delete(vals);
    }
  }
  cJSON_Delete(seen);
  return ecr_buf_steal(&b);
}

/* "aws:SourceAccount = 111122223333, aws:SourceArn = arn:..." */
static char *tested_keys(const ecr_finding *f, const char *const *keys) {
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t k = 0; keys[k]; k++) {
    const char *one[] = {keys[k], NULL};
    char *vals = tested_values(f, one);
    if (*vals) ecr_buf_printf(&b, "%s%s = %s", b.len ? ", " : "", keys[k], vals);
    free(vals);
  }
  return ecr_buf_steal(&b);
}

/* ---- impact ---------------------------------------------------------------------------- */
/* "team-a/api, team-a/web" — with the region when the report spans several. */

static char *repos_phrase(const builder *B, const ecr_finding *f) {
  return ecr_rb_repos_phrase_n(B, f, 8);
}

/* ... naming at most `limit` repositories and counting the rest. */
char *ecr_rb_repos_phrase_n(const builder *B, const ecr_finding *f, size_t limit) {
  if (ecr_finding_registry(f)) return ecr_xstrdup("the registry");
  if (f->all_repositories) return ecr_xstrdup("every repository, present and future");
  bool regions = B->ev->n_regions > 1;
  /* ecr_rb_join() names `limit` and counts the rest: spell only those (it never
     reads past its limit) */
  size_t n_named = f->n_repositories < limit ? f->n_repositories : limit;
  char **names = ecr_xcalloc(f->n_repositories + 1, sizeof(char *));
  for (size_t i = 0; i < n_named; i++) {
    const char *arn = f->repositories[i];
    const char *colon = strstr(arn, ":repository/");
    const char *name = colon ? colon + strlen(":repository/") : arn;
    /* arn:partition:ecr:REGION:... */
    const char *r0 = arn;
    for (int k = 0; k < 3 && r0; k++) {
      r0 = strchr(r0, ':');
      if (r0) r0++;
    }
    const char *r1 = r0 ? strchr(r0, ':') : NULL;
    if (regions && colon && r0 && r1)
      names[i] = ecr_xasprintf("%s (%.*s)", name, (int)(r1 - r0), r0);
    else
      names[i] = ecr_xstrdup(name);
  }
  char *s = ecr_rb_join(names, f->n_repositories, ", ", limit);
  for (size_t i = 0; i < n_named; i++) free(names[i]);
  free(names);
  return s;
}

/* How a principal is named in a sentence. */
static const char *display_name(const ecr_finding *f, const ecr_iam_principal *ip, char **owned) {
  *owned = NULL;
  if (ip) return ip->name;
  switch (f->principal_kind) {
  case ECR_PK_PUBLIC: return "anyone";
  case ECR_PK_SERVICE: return f->principal + strlen("service:");
  case ECR_PK_ACCOUNT: {
    char *acct = ecr_rb_account_in(f->principal);
    *owned = ecr_xasprintf("account %s", acct);
    free(acct);
    return *owned;
  }
  default: return f->principal;
  }
}

/* What the usage evidence says, and which usage evidence there is: a
 * role's RoleLastUsed (IAM tracks 400 days), a user's console password
 * (GetAccountAuthorizationDetails) and, with the credential report, each
 * access key's last use. "No use" is said only where the evidence covers it. */
static void usage_note(ecr_buf *b, const ecr_iam_principal *ip) {
  bool role = ip->cls == ECR_PRINCIPAL_ROLE;
  const char *source = role ? "IAM RoleLastUsed"
                       : ip->usage_known
                           ? "credential report: console password and access keys"
                           : "console password only; access-key use is not in the evidence";
  if (ip->last_used) {
    char *region =
        ip->last_used_region ? ecr_xasprintf(" in %s", ip->last_used_region) : ecr_xstrdup("");
    ecr_rb_para(b, T("impact/last-used", (const char *const[]){"date", ip->last_used, "region",
                                                               region, "source", source, NULL}));
    free(region);
  } else if (role && ip->usage_known) {
    ecr_rb_para(
        b, T("impact/never-used",
             (const char *const[]){"source", "IAM RoleLastUsed (400 days of tracking)", NULL}));
  } else if (!role && ip->usage_known) {
    ecr_rb_para(b,
                T("impact/never-used",
                  (const char *const[]){
                      "source", "The credential report (console password and access keys)", NULL}));
  } else if (!role) {
    ecr_rb_para(
        b,
        T("impact/usage-unknown",
          (const char *const[]){
              "missing",
              "no console password use is recorded, and access-key use needs the credential report (iam/credential-report.json)",
              NULL}));
  }
}

/* What removing Write access stops, from the finding's actions. */
char *ecr_rb_write_effects(const ecr_finding *f) {
  static const struct {
    const char *action, *effect;
  } map[] = {{"ecr:PutImage", "push"},
             {"ecr:InitiateLayerUpload", "push"},
             {"ecr:UploadLayerPart", "push"},
             {"ecr:CompleteLayerUpload", "push"},
             {"ecr:BatchDeleteImage", "delete-images"},
             {"ecr:DeleteRepository", "delete-repository"},
             {"ecr:ReplicateImage", "replicate"},
             {"ecr:CreateRepository", "create-repository"},
             {"ecr:PutImageScanningConfiguration", "settings"},
             {"ecr:PutImageTagMutability", "settings"},
             {"ecr:PutLifecyclePolicy", "settings"},
             {"ecr:DeleteLifecyclePolicy", "settings"},
             {"ecr:StartLifecyclePolicyPreview", "settings"},
             {"ecr:UpdateImageStorageClass", "settings"},
             {"ecr:StartImageScan", "scan"},
             {"ecr:BatchImportUpstreamImage", "import"}};
  /* template names (literals: test_report checks each is embedded); the
     effect is the part after "effect/" */
  static const char *const order[] = {"effect/push",
                                      "effect/delete-images",
                                      "effect/delete-repository",
                                      "effect/replicate",
                                      "effect/create-repository",
                                      "effect/import",
                                      "effect/settings",
                                      "effect/scan"};
  bool has[8] = {0};
  for (size_t i = 0; i < f->n_actions; i++)
    for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
      if (strcmp(f->actions[i], map[k].action) == 0)
        for (size_t o = 0; o < 8; o++)
          if (strcmp(order[o] + strlen("effect/"), map[k].effect) == 0) has[o] = true;
  char *parts[8];
  size_t n = 0;
  for (size_t o = 0; o < 8; o++) {
    if (!has[o]) continue;
    parts[n++] = T(order[o], NULL);
  }
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < n; i++) {
    ecr_buf_printf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", parts[i]);
    free(parts[i]);
  }
  if (!n) ecr_buf_puts(&b, "change images");
  return ecr_buf_steal(&b);
}

char *ecr_rb_impact_text(builder *B, const ecr_finding *f, size_t p) {
  const ecr_matrix_principal *mp = ecr_matrix_principal_at(B->m, p);
  const ecr_iam_principal *ip = mp->iam_index >= 0 ? &B->ev->principals[mp->iam_index] : NULL;
  ecr_buf b;
  ecr_buf_init(&b);
  char *repos = repos_phrase(B, f);
  char *owned_name = NULL;
  const char *name = display_name(f, ip, &owned_name);
  if (ecr_rb_organization_only(f)) name = "the organization's principals";
  /* a passing finding (reading by the account's own principal, listed for
     the record) says what breaks, not again who the principal is and when it
     was used: that is in the principal's other findings and its view */
  bool describe = f->status != ECR_CHECK_PASS;
  if (!describe && ip) {
    /* nothing */
  } else if (ip && ip->service_linked) {
    ecr_rb_para(&b, T("impact/service-linked", (const char *const[]){"name", name, NULL}));
  } else if (ip && ip->cls == ECR_PRINCIPAL_USER) {
    ecr_rb_para(&b, T("impact/user", (const char *const[]){"name", name, NULL}));
  } else if (ip) {
    char *used = ecr_rb_trust_summary(B->ev, ip);
    if (used)
      ecr_rb_para(&b, T("impact/role", (const char *const[]){"name", name, "used_by", used, NULL}));
    else
      ecr_rb_para(&b, T("impact/role-no-trust", (const char *const[]){"name", name, NULL}));
    free(used);
  } else if (ecr_rb_organization_only(f)) {
    char *org = tested_values(f, ecr_rb_org_keys);
    ecr_rb_para(&b, T("impact/organization", (const char *const[]){"org", org, NULL}));
    free(org);
  } else if (f->principal_kind == ECR_PK_PUBLIC) {
    ecr_rb_para(&b, T("impact/public", NULL));
  } else if (f->principal_kind == ECR_PK_ACCOUNT) {
    char *acct = ecr_rb_account_in(f->principal);
    ecr_rb_para(&b, T("impact/account", (const char *const[]){"account", acct, NULL}));
    free(acct);
  } else if (deputy_guarded(f)) {
    char *keys = tested_keys(f, ecr_rb_deputy_keys);
    ecr_rb_para(&b, T("impact/service-guarded",
                      (const char *const[]){"service", f->principal + 8, "keys", keys, NULL}));
    free(keys);
  } else if (f->principal_kind == ECR_PK_SERVICE) {
    ecr_rb_para(&b, T("impact/service", (const char *const[]){"service", f->principal + 8, NULL}));
  } else if (ecr_str_has_prefix(f->principal, "arn:")) {
    char *acct = ecr_rb_account_in(f->principal);
    ecr_rb_para(&b, T("impact/external",
                      (const char *const[]){"name", f->principal, "account", acct, NULL}));
    free(acct);
  } else {
    ecr_rb_para(&b, T("impact/federated", (const char *const[]){"name", f->principal, NULL}));
  }
  if (ip && describe) usage_note(&b, ip);
  bool registry = ecr_finding_registry(f);
  char *effects = ecr_rb_write_effects(f);
  const char *kv[] = {"name", name, "repos", repos, "effects", effects, NULL};
  switch (f->access_level) {
  case ECR_LEVEL_WRITE:
    ecr_rb_para(&b, T(registry ? "impact/breaks-write-registry" : "impact/breaks-write", kv));
    break;
  case ECR_LEVEL_PERMISSIONS: ecr_rb_para(&b, T("impact/breaks-permissions", kv)); break;
  case ECR_LEVEL_TAGGING: ecr_rb_para(&b, T("impact/breaks-tagging", kv)); break;
  default:
    ecr_rb_para(&b, T(registry ? "impact/breaks-read-registry" : "impact/breaks-read", kv));
    break;
  }
  if (f->can_push) ecr_rb_para(&b, T("impact/can-push", kv));
  /* the only principal able to push to some of these repositories */
  if (f->access_level == ECR_LEVEL_WRITE && !registry) {
    const bset *set = &B->sets[f->repo_set];
    char **only = ecr_xcalloc(set->n + 1, sizeof(char *));
    size_t n_only = 0;
    for (size_t k = 0; set->targets && k < set->n; k++) {
      size_t i = set->targets[k];
      if (i < B->tg.n_repos && B->n_pushers[i] == 1 && B->first_pusher[i] == p)
        only[n_only++] = B->ev->repos[i].name;
    }
    if (n_only) {
      char *list = ecr_rb_join(only, n_only, ", ", 8);
      ecr_rb_para(&b, T("impact/only-pusher", (const char *const[]){"repos", list, NULL}));
      free(list);
    }
    free(only);
  }
  if (f->decision == ECR_DECISION_CONDITIONAL) {
    char *keys = f->n_undecided ? ecr_rb_join(f->undecided_conditions, f->n_undecided, ", ", 12)
                                : ecr_xstrdup("not named by the evidence");
    ecr_rb_para(&b, T("impact/conditional", (const char *const[]){"keys", keys, NULL}));
    free(keys);
  }
  if (f->status == ECR_CHECK_UNKNOWN) ecr_rb_para(&b, T("impact/gap", NULL));
  free(effects);
  free(repos);
  free(owned_name);
  return ecr_buf_steal(&b);
}

static char *ledger_example(const builder *B, const ecr_finding *f, const char *as_of) {
  cJSON *e = cJSON_CreateObject();
  char *id = ecr_xasprintf("EX-%s", f->id + 6);
  cJSON_AddStringToObject(e, "id", id);
  free(id);
  cJSON_AddStringToObject(e, "principal", f->principal);
  cJSON_AddItemToObject(e, "repositories", ecr_rb_repo_globs(B, f));
  cJSON_AddItemToObject(
      e, "actions",
      cJSON_CreateStringArray((const char *[]){ecr_access_level_name(f->access_level)}, 1));
  cJSON_AddStringToObject(e, "justification", "<why this access is needed>");
  cJSON_AddStringToObject(e, "approved_by", "<approver>");
  cJSON_AddStringToObject(e, "ticket", "<ticket>");
  long days = 0;
  char exp[11] = "YYYY-MM-DD";
  if (ecr_date_parse(as_of, &days)) ecr_time_date((time_t)(days + 90) * 86400, exp);
  cJSON_AddStringToObject(e, "expires", exp);
  char *s = cJSON_PrintUnformatted(e);
  cJSON_Delete(e);
  char *out = ecr_xstrdup(s);
  free(s);
  return out;
}

char *ecr_rb_remediation_text(builder *B, ecr_finding *f, size_t p, const char *as_of) {
  ecr_buf b;
  ecr_buf_init(&b);
  if (p == (size_t)-1) return NULL; /* gap findings set their own */
  const ecr_matrix_principal *mp = ecr_matrix_principal_at(B->m, p);
  const ecr_iam_principal *ip = mp->iam_index >= 0 ? &B->ev->principals[mp->iam_index] : NULL;
  const char *name = ip ? ip->name : f->principal;
  if (f->status == ECR_CHECK_PASS) {
    ecr_rb_para(&b, T("remediation/pass", NULL));
    return ecr_buf_steal(&b);
  }
  char *actions = ecr_rb_join(f->actions, f->n_actions, ", ", 12);
  char *scope = repos_phrase(B, f);
  const ecr_via *first_grant = NULL;
  size_t said = 0; /* statements named so far: the actions and scope are spelled once */
  for (size_t i = 0; i < f->n_via; i++) {
    const ecr_via *v = &f->via[i];
    if (v->deny) continue;
    if (!first_grant) first_grant = v;
    if (ip && ip->service_linked) break; /* AWS owns its policies: nothing to edit */
    const char *acts = said ? "the same actions" : actions;
    const char *where = said ? "the same repositories" : scope;
    said++;
    if (v->source == ECR_SRC_RESOURCE || v->source == ECR_SRC_REGISTRY) {
      const char *kind = v->source == ECR_SRC_RESOURCE ? "repository policy" : "registry policy";
      ecr_rb_para(
          &b, T("remediation/resource",
                (const char *const[]){"statement", v->statement, "kind", kind, "policy", v->policy,
                                      "actions", acts, "principal", f->principal, NULL}));
    } else {
      char *pol = v->owner ? ecr_xasprintf("%s (attached to group %s)", v->policy, v->owner)
                           : ecr_xstrdup(v->policy);
      ecr_rb_para(
          &b, T(ecr_rb_aws_managed(v->policy) ? "remediation/aws-managed" : "remediation/identity",
                (const char *const[]){"statement", v->statement, "policy", pol, "source",
                                      ecr_source_name(v->source), "actions", acts, "scope", where,
                                      NULL}));
      free(pol);
    }
    if (i >= 4) break;
  }
  bool human = ip && ip->cls == ECR_PRINCIPAL_USER;
  bool via_resource = first_grant && (first_grant->source == ECR_SRC_RESOURCE ||
                                      first_grant->source == ECR_SRC_REGISTRY);
  ecr_actset replication = (ecr_actset)1 << ecr_catalog_find("ecr:ReplicateImage") |
                           (ecr_actset)1 << ecr_catalog_find("ecr:CreateRepository");
  ecr_actset fa = 0;
  for (size_t i = 0; i < f->n_actions; i++) {
    int a = ecr_catalog_find(f->actions[i]);
    if (a >= 0) fa |= (ecr_actset)1 << a;
  }
  bool is_replication = fa && (fa & ~replication) == 0 && via_resource;
  if (is_replication) {
    char *acct = ecr_rb_account_in(f->principal);
    ecr_rb_para(&b, T("remediation/replication", (const char *const[]){"account", acct, NULL}));
    free(acct);
  } else if (ip && ip->service_linked) {
    ecr_rb_para(&b, T("remediation/service-linked", NULL));
  } else if (ecr_rb_organization_only(f)) {
    char *org = tested_values(f, ecr_rb_org_keys);
    ecr_rb_para(&b, T("remediation/organization", (const char *const[]){"org", org, NULL}));
    free(org);
  } else if (f->principal_kind == ECR_PK_PUBLIC) {
    ecr_rb_para(&b, T(f->access_level == ECR_LEVEL_READ || f->access_level == ECR_LEVEL_LIST
                          ? "remediation/public-read"
                          : "remediation/public",
                      NULL));
  } else if (f->principal_kind == ECR_PK_ACCOUNT || f->principal_kind == ECR_PK_EXTERNAL) {
    char *acct = ecr_rb_account_in(f->principal);
    ecr_rb_para(&b, T("remediation/external", (const char *const[]){"account", acct, NULL}));
    free(acct);
  } else if (deputy_guarded(f)) {
    char *keys = tested_keys(f, ecr_rb_deputy_keys);
    ecr_rb_para(&b, T("remediation/service-guarded",
                      (const char *const[]){"service", f->principal + 8, "keys", keys, NULL}));
    free(keys);
  } else if (f->principal_kind == ECR_PK_SERVICE) {
    ecr_rb_para(&b,
                T("remediation/service", (const char *const[]){"service", f->principal + 8, NULL}));
  } else if (f->access_level == ECR_LEVEL_PERMISSIONS) {
    ecr_rb_para(&b, T("remediation/permissions", (const char *const[]){"actions", actions, NULL}));
  } else if (f->access_level == ECR_LEVEL_TAGGING) {
    ecr_rb_para(&b, T("remediation/tagging", NULL));
  } else if (ip && via_resource && f->access_level == ECR_LEVEL_WRITE) {
    ecr_rb_para(&b, T("remediation/resource-own", (const char *const[]){"name", name, NULL}));
  } else if (f->access_level == ECR_LEVEL_WRITE && human) {
    ecr_rb_para(&b, T("remediation/human-write", (const char *const[]){"actions", actions, NULL}));
  } else if (f->access_level == ECR_LEVEL_WRITE) {
    if (f->all_repositories)
      ecr_rb_para(&b, T("remediation/scope-repos", (const char *const[]){"name", name, NULL}));
    ecr_rb_para(&b, T("remediation/narrow-pull", (const char *const[]){"name", name, NULL}));
  } else {
    ecr_rb_para(&b, T("remediation/narrow-pull", (const char *const[]){"name", name, NULL}));
  }
  char *entry = ledger_example(B, f, as_of);
  ecr_rb_para(&b, T("remediation/ledger", (const char *const[]){"entry", entry, NULL}));
  free(entry);
  f->suggested_statement = is_replication || (ip && ip->service_linked)
                               ? NULL
                               : ecr_rb_suggest(B, f, first_grant, human, ip != NULL);
  free(actions);
  free(scope);
  return ecr_buf_steal(&b);
}
