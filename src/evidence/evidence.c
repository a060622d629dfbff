/* The evidence bundle loader: AWS CLI JSON output on disk -> account model.
 * Every error names the bundle file and what is wrong with it. */
#include "ecraudit/evidence.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "evidence/json_file.h"
#include "evidence/usage_internal.h"
#include "util/util.h"

#define IAM_FILE "iam/account-authorization-details.json"

typedef struct loader {
  ecr_evidence *ev;
  ecr_error *err;
  size_t cap_files, cap_gaps, cap_principals, cap_groups, cap_managed, cap_repos, cap_regions;
  /* sorted indices for lookups */
  size_t *managed_by_arn;
  size_t *groups_by_name;
} loader;

/* ---- small JSON accessors with precise messages ------------------------ */
static const cJSON *field(const cJSON *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static ecr_status type_error(loader *L, const char *rel, const char *where, const char *key,
                             const char *want) {
  return ecr_error_set(L->err, ECR_E_INPUT, rel, "%s%s%s must be %s", where,
                       where[0] && key[0] ? "." : "", key, want);
}

/* Optional string field: NULL when absent or null; error when another type. */
static ecr_status opt_str(loader *L, const char *rel, const char *where, const cJSON *obj,
                          const char *key, char **out) {
  *out = NULL;
  const cJSON *v = field(obj, key);
  if (!v || cJSON_IsNull(v)) return ECR_OK;
  if (!cJSON_IsString(v)) return type_error(L, rel, where, key, "a string");
  *out = ecr_xstrdup(v->valuestring);
  return ECR_OK;
}

static ecr_status req_str(loader *L, const char *rel, const char *where, const cJSON *obj,
                          const char *key, char **out) {
  ecr_status st = opt_str(L, rel, where, obj, key, out);
  if (st != ECR_OK) return st;
  if (!*out)
    return ecr_error_set(L->err, ECR_E_INPUT, rel, "%s%s%s is missing", where, where[0] ? "." : "",
                         key);
  return ECR_OK;
}

/* A timestamp: the CLI prints ISO strings, the raw API epoch numbers. */
static ecr_status opt_time(loader *L, const char *rel, const char *where, const cJSON *obj,
                           const char *key, char **out) {
  *out = NULL;
  const cJSON *v = field(obj, key);
  if (!v || cJSON_IsNull(v)) return ECR_OK;
  if (cJSON_IsNumber(v)) {
    char buf[21];
    ecr_time_iso8601((time_t)v->valuedouble, buf);
    *out = ecr_xstrdup(buf);
    return ECR_OK;
  }
  if (!cJSON_IsString(v)) return type_error(L, rel, where, key, "a string or a number");
  *out = ecr_xstrdup(v->valuestring);
  return ECR_OK;
}

/* Optional array: NULL when absent; error when another type. */
static ecr_status opt_array(loader *L, const char *rel, const char *where, const cJSON *obj,
                            const char *key, const cJSON **out) {
  *out = NULL;
  const cJSON *v = field(obj, key);
  if (!v || cJSON_IsNull(v)) return ECR_OK;
  if (!cJSON_IsArray(v)) return type_error(L, rel, where, key, "an array");
  if (cJSON_GetArraySize(v) > ECR_MAX_ITEMS)
    return ecr_error_set(L->err, ECR_E_INPUT, rel, "%s%s%s has more than %d items", where,
                         where[0] ? "." : "", key, ECR_MAX_ITEMS);
  *out = v;
  return ECR_OK;
}

static void add_file(loader *L, const char *rel, const char sha[65], size_t size) {
  ecr_evidence_file f = {0};
  f.path = ecr_xstrdup(rel);
  memcpy(f.sha256, sha, 65);
  f.size = size;
  ECR_PUSH(L->ev->files, L->ev->n_files, L->cap_files, f);
}

static void add_gap(loader *L, const char *source, const char *resource, const char *error) {
  ecr_gap g = {ecr_xstrdup(source), ecr_xstrdup(resource), ecr_xstrdup(error)};
  ECR_PUSH(L->ev->gaps, L->ev->n_gaps, L->cap_gaps, g);
}

/* Read an optional/required JSON file of the bundle. *out NULL when absent. */
static ecr_status read_json(loader *L, const char *rel, bool required, cJSON **out) {
  *out = NULL;
  char *path = ecr_path_join(L->ev->dir, rel);
  struct stat sb;
  /* only a path that does not exist is absent: a FIFO or a directory in its
   * place is an input error (ecr_file_read says which) */
  if (!required && stat(path, &sb) != 0 && errno == ENOENT) {
    free(path);
    return ECR_OK;
  }
  char sha[65];
  size_t size = 0;
  ecr_status st = ecr_json_read_file_arena(path, rel, out, sha, &size, L->err);
  free(path);
  if (st == ECR_OK) add_file(L, rel, sha, size);
  return st;
}

/* ---- policy documents ---------------------------------------------------- */
static ecr_status policy_doc(loader *L, const char *rel, const char *where, const cJSON *v,
                             ecr_policy **out) {
  *out = NULL;
  if (!v || cJSON_IsNull(v))
    return ecr_error_set(L->err, ECR_E_INPUT, rel, "%s: policy document is missing", where);
  ecr_error perr;
  ecr_error_clear(&perr);
  ecr_status st = ecr_policy_parse_value(v, rel, out, &perr);
  if (st != ECR_OK) return ecr_error_set(L->err, st, rel, "%s: %s", where, perr.message);
  return ECR_OK;
}

static ecr_status inline_policies(loader *L, const char *where, const cJSON *obj, const char *key,
                                  ecr_inline_policy **out, size_t *n) {
  const cJSON *arr;
  *out = NULL;
  *n = 0;
  ecr_status st = opt_array(L, IAM_FILE, where, obj, key, &arr);
  if (st != ECR_OK || !arr) return st;
  *out = ecr_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(ecr_inline_policy));
  const cJSON *it;
  size_t i = 0;
  cJSON_ArrayForEach(it, arr) {
    char w[600];
    snprintf(w, sizeof(w), "%s.%s[%zu]", where, key, i++);
    ecr_inline_policy *ip = &(*out)[*n];
    if (!cJSON_IsObject(it)) return type_error(L, IAM_FILE, w, "", "an object");
    if ((st = req_str(L, IAM_FILE, w, it, "PolicyName", &ip->name)) != ECR_OK) return st;
    (*n)++;
    if ((st = policy_doc(L, IAM_FILE, w, field(it, "PolicyDocument"), &ip->doc)) != ECR_OK)
      return st;
  }
  return ECR_OK;
}

static int cmp_managed(const void *a, const void *b, void *ctx) {
  const ecr_evidence *ev = ctx;
  return strcmp(ev->managed[*(const size_t *)a].arn, ev->managed[*(const size_t *)b].arn);
}

static int managed_vs_arn(size_t i, const void *arn, void *ctx) {
  return strcmp(((const ecr_evidence *)ctx)->managed[i].arn, arn);
}

static long find_managed(loader *L, const char *arn) {
  return ecr_sorted_find(L->managed_by_arn, L->ev->n_managed, arn, managed_vs_arn, L->ev);
}

static int cmp_principal(const void *a, const void *b, void *ctx) {
  const ecr_evidence *ev = ctx;
  return strcmp(ev->principals[*(const size_t *)a].arn, ev->principals[*(const size_t *)b].arn);
}

static int cmp_group(const void *a, const void *b, void *ctx) {
  const ecr_evidence *ev = ctx;
  return strcmp(ev->groups[*(const size_t *)a].name, ev->groups[*(const size_t *)b].name);
}

static int group_vs_name(size_t i, const void *name, void *ctx) {
  return strcmp(((const ecr_evidence *)ctx)->groups[i].name, name);
}

static long find_group(loader *L, const char *name) {
  return ecr_sorted_find(L->groups_by_name, L->ev->n_groups, name, group_vs_name, L->ev);
}

static ecr_status managed_policies(loader *L, const cJSON *root) {
  const cJSON *arr;
  ecr_status st = opt_array(L, IAM_FILE, "", root, "Policies", &arr);
  if (st != ECR_OK || !arr) goto index;
  const cJSON *it;
  size_t i = 0;
  cJSON_ArrayForEach(it, arr) {
    char w[64];
    snprintf(w, sizeof(w), "Policies[%zu]", i++);
    if (!cJSON_IsObject(it)) return type_error(L, IAM_FILE, w, "", "an object");
    ecr_managed_policy mp = {0};
    ECR_PUSH(L->ev->managed, L->ev->n_managed, L->cap_managed, mp);
    ecr_managed_policy *m = &L->ev->managed[L->ev->n_managed - 1];
    if ((st = req_str(L, IAM_FILE, w, it, "Arn", &m->arn)) != ECR_OK) return st;
    if ((st = opt_str(L, IAM_FILE, w, it, "PolicyName", &m->name)) != ECR_OK) return st;
    if ((st = opt_str(L, IAM_FILE, w, it, "DefaultVersionId", &m->default_version)) != ECR_OK)
      return st;
    m->aws_managed = ecr_str_has_prefix(m->arn, "arn:aws:iam::aws:policy/") ||
                     strstr(m->arn, ":iam::aws:policy/") != NULL;
    const cJSON *vers;
    if ((st = opt_array(L, IAM_FILE, w, it, "PolicyVersionList", &vers)) != ECR_OK) return st;
    const cJSON *v;
    size_t k = 0;
    cJSON_ArrayForEach(v, vers) {
      char wv[128];
      snprintf(wv, sizeof(wv), "%s.PolicyVersionList[%zu]", w, k++);
      if (!cJSON_IsObject(v)) return type_error(L, IAM_FILE, wv, "", "an object");
      const cJSON *isdef = field(v, "IsDefaultVersion");
      if (isdef && !cJSON_IsBool(isdef))
        return type_error(L, IAM_FILE, wv, "IsDefaultVersion", "true or false");
      char *vid = NULL;
      if ((st = opt_str(L, IAM_FILE, wv, v, "VersionId", &vid)) != ECR_OK) return st;
      bool is_default = cJSON_IsTrue(isdef) || (!isdef && vid && m->default_version &&
                                                strcmp(vid, m->default_version) == 0);
      free(vid);
      if (!is_default) continue;
      if (m->doc) {
        return ecr_error_set(L->err, ECR_E_INPUT, IAM_FILE, "%s: more than one default version", w);
      }
      if ((st = policy_doc(L, IAM_FILE, wv, field(v, "Document"), &m->doc)) != ECR_OK) return st;
    }
  }
index:
  L->managed_by_arn = ecr_xcalloc(L->ev->n_managed + 1, sizeof(size_t));
  for (size_t k = 0; k < L->ev->n_managed; k++) L->managed_by_arn[k] = k;
  ecr_sort_idx(L->managed_by_arn, L->ev->n_managed, cmp_managed, L->ev);
  return st;
}

/* AttachedManagedPolicies -> indices, missing ARNs recorded. */
static ecr_status attached(loader *L, const char *where, const cJSON *obj, size_t **idx, size_t *n,
                           char ***missing, size_t *n_missing) {
  const cJSON *arr;
  ecr_status st = opt_array(L, IAM_FILE, where, obj, "AttachedManagedPolicies", &arr);
  if (st != ECR_OK || !arr) return st;
  size_t cap = 0, mcap = 0;
  const cJSON *it;
  size_t i = 0;
  cJSON_ArrayForEach(it, arr) {
    char w[600];
    snprintf(w, sizeof(w), "%s.AttachedManagedPolicies[%zu]", where, i++);
    if (!cJSON_IsObject(it)) return type_error(L, IAM_FILE, w, "", "an object");
    char *arn = NULL;
    if ((st = req_str(L, IAM_FILE, w, it, "PolicyArn", &arn)) != ECR_OK) return st;
    long m = find_managed(L, arn);
    if (m >= 0 && L->ev->managed[m].doc) {
      ECR_PUSH(*idx, *n, cap, (size_t)m);
      free(arn);
    } else {
      ECR_PUSH(*missing, *n_missing, mcap, arn);
      add_gap(L, "iam:GetAccountAuthorizationDetails", arn,
              "attached managed policy (default version) is not in the bundle");
    }
  }
  return ECR_OK;
}

static ecr_status tags(loader *L, const char *where, const cJSON *obj, ecr_tag **out, size_t *n) {
  const cJSON *arr;
  ecr_status st = opt_array(L, IAM_FILE, where, obj, "Tags", &arr);
  if (st != ECR_OK || !arr) return st;
  *out = ecr_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(ecr_tag));
  const cJSON *it;
  cJSON_ArrayForEach(it, arr) {
    char w[600];
    snprintf(w, sizeof(w), "%s.Tags[%zu]", where, *n);
    if (!cJSON_IsObject(it)) return type_error(L, IAM_FILE, w, "", "an object");
    ecr_tag *t = &(*out)[*n];
    if ((st = req_str(L, IAM_FILE, w, it, "Key", &t->key)) != ECR_OK) return st;
    (*n)++;
    if ((st = opt_str(L, IAM_FILE, w, it, "Value", &t->value)) != ECR_OK) return st;
    if (!t->value) t->value = ecr_xstrdup("");
  }
  return ECR_OK;
}

static ecr_status groups(loader *L, const cJSON *root) {
  const cJSON *arr;
  ecr_status st = opt_array(L, IAM_FILE, "", root, "GroupDetailList", &arr);
  if (st == ECR_OK && arr) {
    const cJSON *it;
    size_t i = 0;
    cJSON_ArrayForEach(it, arr) {
      char w[64];
      snprintf(w, sizeof(w), "GroupDetailList[%zu]", i++);
      if (!cJSON_IsObject(it)) return type_error(L, IAM_FILE, w, "", "an object");
      ecr_group g0 = {0};
      ECR_PUSH(L->ev->groups, L->ev->n_groups, L->cap_groups, g0);
      ecr_group *g = &L->ev->groups[L->ev->n_groups - 1];
      if ((st = req_str(L, IAM_FILE, w, it, "GroupName", &g->name)) != ECR_OK) return st;
      if ((st = opt_str(L, IAM_FILE, w, it, "Arn", &g->arn)) != ECR_OK) return st;
      if ((st = inline_policies(L, w, it, "GroupPolicyList", &g->inline_policies, &g->n_inline)) !=
          ECR_OK)
        return st;
      if ((st = attached(L, w, it, &g->managed, &g->n_managed, &g->missing_managed,
                         &g->n_missing_managed)) != ECR_OK)
        return st;
    }
  }
  if (st != ECR_OK) return st;
  L->groups_by_name = ecr_xcalloc(L->ev->n_groups + 1, sizeof(size_t));
  for (size_t k = 0; k < L->ev->n_groups; k++) L->groups_by_name[k] = k;
  ecr_sort_idx(L->groups_by_name, L->ev->n_groups, cmp_group, L->ev);
  return ECR_OK;
}

static ecr_status boundary(loader *L, const char *where, const cJSON *obj, ecr_iam_principal *p) {
  const cJSON *b = field(obj, "PermissionsBoundary");
  p->boundary = -1;
  if (!b || cJSON_IsNull(b)) return ECR_OK;
  if (!cJSON_IsObject(b)) return type_error(L, IAM_FILE, where, "PermissionsBoundary", "an object");
  char w[600];
  snprintf(w, sizeof(w), "%s.PermissionsBoundary", where);
  ecr_status st = req_str(L, IAM_FILE, w, b, "PermissionsBoundaryArn", &p->boundary_arn);
  if (st != ECR_OK) return st;
  p->has_boundary = true;
  long m = find_managed(L, p->boundary_arn);
  if (m >= 0 && L->ev->managed[m].doc) {
    p->boundary = m;
  } else {
    size_t cap = p->n_missing_managed;
    ECR_PUSH(p->missing_managed, p->n_missing_managed, cap, ecr_xstrdup(p->boundary_arn));
    add_gap(L, "iam:GetAccountAuthorizationDetails", p->boundary_arn,
            "permissions boundary policy is not in the bundle");
  }
  return ECR_OK;
}

static ecr_status principal_common(loader *L, const char *w, const cJSON *it, ecr_iam_principal *p,
                                   const char *name_key, const char *id_key,
                                   const char *inline_key) {
  ecr_status st;
  if ((st = req_str(L, IAM_FILE, w, it, name_key, &p->name)) != ECR_OK) return st;
  if ((st = req_str(L, IAM_FILE, w, it, "Arn", &p->arn)) != ECR_OK) return st;
  if ((st = opt_str(L, IAM_FILE, w, it, id_key, &p->id)) != ECR_OK) return st;
  if ((st = opt_str(L, IAM_FILE, w, it, "Path", &p->path)) != ECR_OK) return st;
  if ((st = opt_time(L, IAM_FILE, w, it, "CreateDate", &p->create_date)) != ECR_OK) return st;
  if ((st = inline_policies(L, w, it, inline_key, &p->inline_policies, &p->n_inline)) != ECR_OK)
    return st;
  if ((st = attached(L, w, it, &p->managed, &p->n_managed, &p->missing_managed,
                     &p->n_missing_managed)) != ECR_OK)
    return st;
  if ((st = boundary(L, w, it, p)) != ECR_OK) return st;
  return tags(L, w, it, &p->tags, &p->n_tags);
}

static ecr_status users(loader *L, const cJSON *root) {
  const cJSON *arr;
  ecr_status st = opt_array(L, IAM_FILE, "", root, "UserDetailList", &arr);
  if (st != ECR_OK || !arr) return st;
  const cJSON *it;
  size_t i = 0;
  cJSON_ArrayForEach(it, arr) {
    char w[64];
    snprintf(w, sizeof(w), "UserDetailList[%zu]", i++);
    if (!cJSON_IsObject(it)) return type_error(L, IAM_FILE, w, "", "an object");
    ecr_iam_principal p0 = {0};
    p0.cls = ECR_PRINCIPAL_USER;
    ECR_PUSH(L->ev->principals, L->ev->n_principals, L->cap_principals, p0);
    ecr_iam_principal *p = &L->ev->principals[L->ev->n_principals - 1];
    if ((st = principal_common(L, w, it, p, "UserName", "UserId", "UserPolicyList")) != ECR_OK)
      return st;
    if ((st = opt_time(L, IAM_FILE, w, it, "PasswordLastUsed", &p->last_used)) != ECR_OK) return st;
    const cJSON *gl;
    if ((st = opt_array(L, IAM_FILE, w, it, "GroupList", &gl)) != ECR_OK) return st;
    const cJSON *g;
    size_t gcap = 0, mcap = 0, k = 0;
    cJSON_ArrayForEach(g, gl) {
      if (!cJSON_IsString(g)) {
        char wg[128];
        snprintf(wg, sizeof(wg), "%s.GroupList[%zu]", w, k);
        return type_error(L, IAM_FILE, wg, "", "a string");
      }
      k++;
      long gi = find_group(L, g->valuestring);
      if (gi >= 0) {
        ECR_PUSH(p->groups, p->n_groups, gcap, (size_t)gi);
      } else {
        ECR_PUSH(p->missing_groups, p->n_missing_groups, mcap, ecr_xstrdup(g->valuestring));
        add_gap(L, "iam:GetAccountAuthorizationDetails", g->valuestring,
                "group is not in GroupDetailList");
      }
    }
  }
  return ECR_OK;
}

static ecr_status roles(loader *L, const cJSON *root) {
  const cJSON *arr;
  ecr_status st = opt_array(L, IAM_FILE, "", root, "RoleDetailList", &arr);
  if (st != ECR_OK || !arr) return st;
  const cJSON *it;
  size_t i = 0;
  cJSON_ArrayForEach(it, arr) {
    char w[64];
    snprintf(w, sizeof(w), "RoleDetailList[%zu]", i++);
    if (!cJSON_IsObject(it)) return type_error(L, IAM_FILE, w, "", "an object");
    ecr_iam_principal p0 = {0};
    p0.cls = ECR_PRINCIPAL_ROLE;
    ECR_PUSH(L->ev->principals, L->ev->n_principals, L->cap_principals, p0);
    ecr_iam_principal *p = &L->ev->principals[L->ev->n_principals - 1];
    if ((st = principal_common(L, w, it, p, "RoleName", "RoleId", "RolePolicyList")) != ECR_OK)
      return st;
    const cJSON *trust = field(it, "AssumeRolePolicyDocument");
    if (trust && !cJSON_IsNull(trust)) {
      char wt[128];
      snprintf(wt, sizeof(wt), "%s.AssumeRolePolicyDocument", w);
      if ((st = policy_doc(L, IAM_FILE, wt, trust, &p->trust)) != ECR_OK) return st;
    }
    const cJSON *lu = field(it, "RoleLastUsed");
    if (lu && !cJSON_IsNull(lu)) {
      if (!cJSON_IsObject(lu)) return type_error(L, IAM_FILE, w, "RoleLastUsed", "an object");
      char wl[128];
      snprintf(wl, sizeof(wl), "%s.RoleLastUsed", w);
      p->usage_known = true;
      if ((st = opt_time(L, IAM_FILE, wl, lu, "LastUsedDate", &p->last_used)) != ECR_OK) return st;
      if ((st = opt_str(L, IAM_FILE, wl, lu, "Region", &p->last_used_region)) != ECR_OK) return st;
    }
    p->service_linked = p->path && ecr_str_has_prefix(p->path, "/aws-service-role/");
  }
  return ECR_OK;
}

/* ---- account identity ---------------------------------------------------- */
static char *partition_of_arn(const char *arn) {
  if (!ecr_str_has_prefix(arn, "arn:")) return NULL;
  const char *p = arn + 4, *e = strchr(p, ':');
  if (!e || e == p) return NULL;
  return ecr_xstrndup(p, (size_t)(e - p));
}

static bool valid_account(const char *s) {
  if (!s || strlen(s) != 12) return false;
  for (int i = 0; i < 12; i++)
    if (!isdigit((unsigned char)s[i])) return false;
  return true;
}

static ecr_status caller_identity(loader *L) {
  cJSON *root = NULL;
  const char *rel = "sts/caller-identity.json";
  ecr_status st = read_json(L, rel, false, &root);
  if (st != ECR_OK || !root) return st;
  if (!cJSON_IsObject(root)) {
    ecr_json_free(root);
    return ecr_error_set(L->err, ECR_E_INPUT, rel, "must be a JSON object");
  }
  if ((st = opt_str(L, rel, "", root, "Account", &L->ev->account)) == ECR_OK &&
      (st = opt_str(L, rel, "", root, "Arn", &L->ev->caller_arn)) == ECR_OK)
    st = opt_str(L, rel, "", root, "UserId", &L->ev->caller_user_id);
  ecr_json_free(root);
  if (st == ECR_OK && L->ev->account && !valid_account(L->ev->account))
    st = ecr_error_set(L->err, ECR_E_INPUT, rel, "Account must be a 12-digit account id");
  return st;
}

/* ---- manifest -------------------------------------------------------------- */
static ecr_status manifest(loader *L, cJSON **out) {
  const char *rel = "manifest.json";
  ecr_status st = read_json(L, rel, false, out);
  if (st != ECR_OK || !*out) return st;
  cJSON *m = *out;
  if (!cJSON_IsObject(m)) return ecr_error_set(L->err, ECR_E_INPUT, rel, "must be a JSON object");
  char *account = NULL;
  if ((st = opt_str(L, rel, "", m, "account", &account)) != ECR_OK) return st;
  if (account && !valid_account(account)) {
    free(account);
    return ecr_error_set(L->err, ECR_E_INPUT, rel, "account must be a 12-digit account id");
  }
  if (account && !L->ev->account)
    L->ev->account = account;
  else
    free(account);
  if ((st = opt_str(L, rel, "", m, "collected_at", &L->ev->collected_at)) != ECR_OK) return st;
  if ((st = opt_str(L, rel, "", m, "tool_version", &L->ev->collector_version)) != ECR_OK) return st;
  const cJSON *gaps;
  if ((st = opt_array(L, rel, "", m, "gaps", &gaps)) != ECR_OK) return st;
  const cJSON *g;
  size_t i = 0;
  cJSON_ArrayForEach(g, gaps) {
    char w[64];
    snprintf(w, sizeof(w), "gaps[%zu]", i++);
    if (!cJSON_IsObject(g)) return type_error(L, rel, w, "", "an object");
    char *src = NULL, *res = NULL, *e = NULL;
    if ((st = req_str(L, rel, w, g, "source", &src)) == ECR_OK &&
        (st = opt_str(L, rel, w, g, "resource", &res)) == ECR_OK &&
        (st = opt_str(L, rel, w, g, "error", &e)) == ECR_OK)
      add_gap(L, src, res ? res : "", e ? e : "");
    free(src);
    free(res);
    free(e);
    if (st != ECR_OK) return st;
  }
  return ECR_OK;
}

/* A manifest path names a file of the bundle: relative, no "." or ".."
 * component, no empty component. */
static bool inside_bundle(const char *path) {
  if (!*path || path[0] == '/') return false;
  for (const char *c = path; *c;) {
    const char *e = strchr(c, '/');
    size_t n = e ? (size_t)(e - c) : strlen(c);
    if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) return false;
    if (!e) break;
    c = e + 1;
  }
  return true;
}

/* Files the manifest lists must have the SHA-256 it records. */
static ecr_status manifest_verify(loader *L, const cJSON *m) {
  const char *rel = "manifest.json";
  const cJSON *files;
  ecr_status st = opt_array(L, rel, "", m, "files", &files);
  if (st != ECR_OK || !files) return st;
  const cJSON *f;
  size_t i = 0;
  cJSON_ArrayForEach(f, files) {
    char w[64];
    snprintf(w, sizeof(w), "files[%zu]", i++);
    if (!cJSON_IsObject(f)) return type_error(L, rel, w, "", "an object");
    char *path = NULL, *sha = NULL;
    if ((st = req_str(L, rel, w, f, "path", &path)) != ECR_OK) return st;
    if ((st = req_str(L, rel, w, f, "sha256", &sha)) != ECR_OK) {
      free(path);
      return st;
    }
    const ecr_evidence_file *have = NULL;
    for (size_t k = 0; k < L->ev->n_files; k++)
      if (strcmp(L->ev->files[k].path, path) == 0) have = &L->ev->files[k];
    if (!inside_bundle(path)) {
      st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                         "%s: path %s is absolute or leaves the bundle (its SHA-256 cannot be "
                         "checked)",
                         w, path);
      free(path);
      free(sha);
      return st;
    }
    if (!have) {
      char *full = ecr_path_join(L->ev->dir, path);
      char *data = NULL;
      size_t len = 0;
      ecr_error e2;
      ecr_error_clear(&e2);
      if (ecr_file_read(full, &data, &len, &e2) != ECR_OK) {
        free(full);
        if (strcmp(e2.message, "required file is missing") == 0)
          st = ecr_error_set(L->err, ECR_E_INPUT, rel, "lists %s, which is missing from the bundle",
                             path);
        else
          st = ecr_error_set(L->err, ECR_E_INPUT, rel, "lists %s, which cannot be read: %s", path,
                             e2.message);
        free(path);
        free(sha);
        return st;
      }
      char hex[65];
      ecr_sha256_hex(data, len, hex);
      add_file(L, path, hex, len);
      have = &L->ev->files[L->ev->n_files - 1];
      free(data);
      free(full);
    }
    if (have && ecr_strcasecmp_ascii(have->sha256, sha) != 0) {
      st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                         "SHA-256 of %s is %s, but the manifest records %s (file changed after "
                         "collection)",
                         path, have->sha256, sha);
      free(path);
      free(sha);
      return st;
    }
    free(path);
    free(sha);
  }
  return ECR_OK;
}

/* ---- ECR --------------------------------------------------------------------- */
static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static ecr_repository *find_repo(loader *L, size_t from, size_t to, const char *name) {
  for (size_t i = from; i < to; i++)
    if (strcmp(L->ev->repos[i].name, name) == 0) return &L->ev->repos[i];
  return NULL;
}

/* What describe-repositories returns: arn:<partition>:ecr:<region of the
 * file>:<12-digit registry>:repository/<repositoryName>. Anything else is not
 * what AWS printed, and would reach every report as a repository "ARN". */
static bool repository_arn_ok(const char *arn, const char *partition, const char *region,
                              const char *name) {
  char *head = ecr_xasprintf("arn:%s:ecr:%s:", partition ? partition : "aws", region);
  size_t n = strlen(head);
  bool ok = strncmp(arn, head, n) == 0;
  free(head);
  if (!ok) return false;
  const char *p = arn + n;
  for (int i = 0; i < 12; i++, p++)
    if (*p < '0' || *p > '9') return false;
  static const char sep[] = ":repository/";
  if (strncmp(p, sep, sizeof(sep) - 1) != 0) return false;
  return strcmp(p + sizeof(sep) - 1, name) == 0;
}

static ecr_status region_repositories(loader *L, ecr_region *reg, size_t *first) {
  char *rel = ecr_xasprintf("ecr/%s/repositories.json", reg->name);
  cJSON *root = NULL;
  ecr_status st = read_json(L, rel, false, &root);
  *first = L->ev->n_repos;
  if (st != ECR_OK) goto done;
  if (!root) {
    reg->repositories_gap = true;
    reg->gap_error = ecr_xasprintf("%s is missing from the bundle", rel);
    add_gap(L, "ecr:DescribeRepositories", reg->name, reg->gap_error);
    goto done;
  }
  const cJSON *arr;
  if (!cJSON_IsObject(root)) {
    st = ecr_error_set(L->err, ECR_E_INPUT, rel, "must be a JSON object with \"repositories\"");
    goto done;
  }
  if ((st = opt_array(L, rel, "", root, "repositories", &arr)) != ECR_OK) goto done;
  if (!arr) {
    st = ecr_error_set(L->err, ECR_E_INPUT, rel, "repositories is missing");
    goto done;
  }
  const cJSON *it;
  size_t i = 0;
  cJSON_ArrayForEach(it, arr) {
    char w[64];
    snprintf(w, sizeof(w), "repositories[%zu]", i++);
    if (!cJSON_IsObject(it)) {
      st = type_error(L, rel, w, "", "an object");
      goto done;
    }
    ecr_repository r0 = {0};
    ECR_PUSH(L->ev->repos, L->ev->n_repos, L->cap_repos, r0);
    ecr_repository *r = &L->ev->repos[L->ev->n_repos - 1];
    r->region = ecr_xstrdup(reg->name);
    if ((st = req_str(L, rel, w, it, "repositoryName", &r->name)) != ECR_OK ||
        (st = opt_str(L, rel, w, it, "repositoryArn", &r->arn)) != ECR_OK ||
        (st = opt_str(L, rel, w, it, "registryId", &r->registry_id)) != ECR_OK ||
        (st = opt_str(L, rel, w, it, "repositoryUri", &r->uri)) != ECR_OK ||
        (st = opt_time(L, rel, w, it, "createdAt", &r->created_at)) != ECR_OK ||
        (st = opt_str(L, rel, w, it, "imageTagMutability", &r->tag_mutability)) != ECR_OK)
      goto done;
    if (r->arn && !repository_arn_ok(r->arn, L->ev->partition, reg->name, r->name)) {
      st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                         "%s: repositoryArn is not arn:%s:ecr:%s:<account>:repository/ followed by "
                         "its repositoryName",
                         w, L->ev->partition ? L->ev->partition : "aws", reg->name);
      goto done;
    }
    if (!r->arn) {
      const char *acct = r->registry_id ? r->registry_id : L->ev->account;
      if (!acct) {
        st = ecr_error_set(L->err, ECR_E_INPUT, rel, "%s: repositoryArn is missing", w);
        goto done;
      }
      r->arn = ecr_xasprintf("arn:%s:ecr:%s:%s:repository/%s",
                             L->ev->partition ? L->ev->partition : "aws", reg->name, acct, r->name);
    }
  }
done:
  ecr_json_free(root);
  free(rel);
  return st;
}

static ecr_status region_policies(loader *L, ecr_region *reg, size_t first) {
  char *rel = ecr_xasprintf("ecr/%s/repository-policies.json", reg->name);
  cJSON *root = NULL;
  ecr_status st = read_json(L, rel, false, &root);
  if (st != ECR_OK) goto done;
  if (!root) {
    for (size_t i = first; i < L->ev->n_repos; i++) {
      ecr_repository *r = &L->ev->repos[i];
      r->policy_gap = true;
      r->gap_error = ecr_xasprintf("%s is missing from the bundle", rel);
      add_gap(L, "ecr:GetRepositoryPolicy", r->arn, r->gap_error);
    }
    goto done;
  }
  if (!cJSON_IsArray(root) && !cJSON_IsObject(root)) {
    st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                       "must be a JSON array of get-repository-policy outputs");
    goto done;
  }
  cJSON *single = NULL;
  const cJSON *arr = root;
  if (cJSON_IsObject(root)) { /* one saved get-repository-policy output */
    single = cJSON_CreateArray();
    cJSON_AddItemReferenceToArray(single, root);
    arr = single;
  }
  const cJSON *it;
  size_t i = 0;
  cJSON_ArrayForEach(it, arr) {
    char w[64];
    snprintf(w, sizeof(w), "[%zu]", i++);
    if (!cJSON_IsObject(it)) {
      st = type_error(L, rel, w, "", "an object");
      break;
    }
    char *name = NULL;
    if ((st = req_str(L, rel, w, it, "repositoryName", &name)) != ECR_OK) break;
    ecr_repository *r = find_repo(L, first, L->ev->n_repos, name);
    free(name);
    if (!r) continue; /* policy of a repository not listed: nothing to evaluate */
    const cJSON *pt = field(it, "policyText");
    if (!cJSON_IsString(pt) && !cJSON_IsObject(pt)) {
      st = type_error(L, rel, w, "policyText", "a string holding the policy JSON");
      break;
    }
    if (r->policy) {
      st = ecr_error_set(L->err, ECR_E_INPUT, rel, "%s: second policy for repository %s", w,
                         r->name);
      break;
    }
    char where[700];
    snprintf(where, sizeof(where), "%s (repository %s) policyText", w, r->name);
    if ((st = policy_doc(L, rel, where, pt, &r->policy)) != ECR_OK) break;
  }
  cJSON_Delete(single);
done:
  ecr_json_free(root);
  free(rel);
  return st;
}

static ecr_status region_registry_policy(loader *L, ecr_region *reg) {
  char *rel = ecr_xasprintf("ecr/%s/registry-policy.json", reg->name);
  cJSON *root = NULL;
  ecr_status st = read_json(L, rel, false, &root);
  if (st == ECR_OK && root) {
    if (!cJSON_IsObject(root)) {
      st = ecr_error_set(L->err, ECR_E_INPUT, rel, "must be a JSON object");
    } else {
      const cJSON *pt = field(root, "policyText");
      if (pt && !cJSON_IsNull(pt)) {
        if (!cJSON_IsString(pt) && !cJSON_IsObject(pt))
          st = type_error(L, rel, "", "policyText", "a string holding the policy JSON");
        else
          st = policy_doc(L, rel, "policyText", pt, &reg->registry_policy);
      }
    }
  }
  ecr_json_free(root);
  free(rel);
  return st;
}

/* ecr/<region>/repository-tags.json (optional): [{"resourceArn", "tags": [{"Key",
 * "Value"}]}]. An entry for an ARN that is no repository of this region is
 * ignored, as a policy of an unlisted repository is (a repository deleted
 * between the calls, or tags saved for more repositories than described):
 * there is nothing to evaluate. The same ARN twice, or one key twice in one
 * repository's tags, is an input error naming both entries. */
typedef struct tag_entry {
  const char *arn;
  size_t index;
} tag_entry;

static int cmp_tag_entry(const void *a, const void *b) {
  const tag_entry *x = a, *y = b;
  int c = strcmp(x->arn, y->arn);
  return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int cmp_region_repo(const void *a, const void *b, void *ctx) {
  const ecr_evidence *ev = ctx;
  return strcmp(ev->repos[*(const size_t *)a].arn, ev->repos[*(const size_t *)b].arn);
}

static int region_repo_vs_arn(size_t i, const void *arn, void *ctx) {
  return strcmp(((const ecr_evidence *)ctx)->repos[i].arn, arn);
}

static ecr_status repository_tag_list(loader *L, const char *rel, const char *w, const cJSON *it,
                                      ecr_repository *r) {
  const cJSON *arr;
  ecr_status st = opt_array(L, rel, w, it, "tags", &arr);
  if (st != ECR_OK) return st;
  if (!arr) return ecr_error_set(L->err, ECR_E_INPUT, rel, "%s.tags is missing", w);
  ecr_tag *tags = ecr_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(ecr_tag));
  size_t n = 0;
  const cJSON *t;
  cJSON_ArrayForEach(t, arr) {
    char wt[96];
    snprintf(wt, sizeof(wt), "%s.tags[%zu]", w, n);
    if (!cJSON_IsObject(t)) {
      st = type_error(L, rel, wt, "", "an object");
      break;
    }
    char *key = NULL, *value = NULL;
    if ((st = req_str(L, rel, wt, t, "Key", &key)) != ECR_OK) break;
    if ((st = opt_str(L, rel, wt, t, "Value", &value)) != ECR_OK) {
      free(key);
      break;
    }
    for (size_t k = 0; k < n && st == ECR_OK; k++)
      if (strcmp(tags[k].key, key) == 0)
        st = ecr_error_set(L->err, ECR_E_INPUT, rel, "%s.tags[%zu] and %s: key %s twice", w, k, wt,
                           key);
    if (st != ECR_OK) {
      free(key);
      free(value);
      break;
    }
    tags[n].key = key;
    tags[n].value = value ? value : ecr_xstrdup("");
    n++;
  }
  if (st != ECR_OK || !r) {
    for (size_t k = 0; k < n; k++) {
      free(tags[k].key);
      free(tags[k].value);
    }
    free(tags);
    return st;
  }
  r->tags = tags;
  r->n_tags = n;
  r->tags_known = true;
  return ECR_OK;
}

static ecr_status region_tags(loader *L, ecr_region *reg, size_t first) {
  char *rel = ecr_xasprintf("ecr/%s/repository-tags.json", reg->name);
  cJSON *root = NULL;
  tag_entry *entries = NULL;
  size_t *by_arn = NULL;
  ecr_status st = read_json(L, rel, false, &root);
  if (st != ECR_OK || !root) goto done;
  reg->tags_present = true;
  if (!cJSON_IsArray(root)) {
    st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                       "must be a JSON array of {\"resourceArn\", \"tags\"} (one "
                       "list-tags-for-resource output per repository)");
    goto done;
  }
  size_t n = (size_t)cJSON_GetArraySize(root);
  if (n > ECR_MAX_ITEMS) {
    st = ecr_error_set(L->err, ECR_E_INPUT, rel, "has more than %d items", ECR_MAX_ITEMS);
    goto done;
  }
  /* every entry's shape and ARN first, then duplicates, then the repositories */
  entries = ecr_xcalloc(n + 1, sizeof(tag_entry));
  const cJSON *it;
  size_t i = 0;
  cJSON_ArrayForEach(it, root) {
    char w[64];
    snprintf(w, sizeof(w), "[%zu]", i);
    const cJSON *arn = field(it, "resourceArn");
    if (!cJSON_IsObject(it))
      st = type_error(L, rel, w, "", "an object");
    else if (!arn || cJSON_IsNull(arn))
      st = ecr_error_set(L->err, ECR_E_INPUT, rel, "%s.resourceArn is missing", w);
    else if (!cJSON_IsString(arn))
      st = type_error(L, rel, w, "resourceArn", "a string");
    if (st != ECR_OK) goto done;
    entries[i] = (tag_entry){arn->valuestring, i};
    i++;
  }
  if (n > 1) qsort(entries, n, sizeof(tag_entry), cmp_tag_entry);
  for (size_t k = 1; k < n; k++)
    if (strcmp(entries[k - 1].arn, entries[k].arn) == 0) {
      st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                         "[%zu] and [%zu] are both repository %s (each repository must be "
                         "listed once)",
                         entries[k - 1].index, entries[k].index, entries[k].arn);
      goto done;
    }
  size_t n_repos = L->ev->n_repos - first;
  by_arn = ecr_xcalloc(n_repos + 1, sizeof(size_t));
  for (size_t k = 0; k < n_repos; k++) by_arn[k] = first + k;
  ecr_sort_idx(by_arn, n_repos, cmp_region_repo, L->ev);
  i = 0;
  cJSON_ArrayForEach(it, root) {
    char w[64];
    snprintf(w, sizeof(w), "[%zu]", i++);
    const char *arn = field(it, "resourceArn")->valuestring;
    long r = ecr_sorted_find(by_arn, n_repos, arn, region_repo_vs_arn, L->ev);
    /* an unknown repository's tags are checked but not kept */
    if ((st = repository_tag_list(L, rel, w, it, r >= 0 ? &L->ev->repos[r] : NULL)) != ECR_OK)
      goto done;
  }
done:
  free(entries);
  free(by_arn);
  ecr_json_free(root);
  free(rel);
  return st;
}

static int cmp_repo(const void *a, const void *b) {
  return strcmp(((const ecr_repository *)a)->arn, ((const ecr_repository *)b)->arn);
}

static ecr_status ecr_dirs(loader *L) {
  char *ecrdir = ecr_path_join(L->ev->dir, "ecr");
  DIR *d = opendir(ecrdir);
  free(ecrdir);
  if (!d) {
    add_gap(L, "ecr:DescribeRepositories", "*", "the bundle has no ecr/ directory");
    return ECR_OK;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char *sub = ecr_xasprintf("%s/ecr/%s", L->ev->dir, de->d_name);
    bool isdir = ecr_dir_exists(sub);
    free(sub);
    if (isdir) ECR_PUSH(names, n, cap, ecr_xstrdup(de->d_name));
  }
  closedir(d);
  if (n) qsort(names, n, sizeof(char *), cmp_str);
  if (n == 0) add_gap(L, "ecr:DescribeRepositories", "*", "ecr/ holds no region directory");
  ecr_status st = ECR_OK;
  L->ev->regions = ecr_xcalloc(n + 1, sizeof(ecr_region));
  for (size_t i = 0; i < n; i++) {
    ecr_region *reg = &L->ev->regions[L->ev->n_regions++];
    reg->name = names[i];
    names[i] = NULL;
    size_t first = 0;
    if (st == ECR_OK) st = region_repositories(L, reg, &first);
    if (st == ECR_OK && !reg->repositories_gap) st = region_policies(L, reg, first);
    if (st == ECR_OK) st = region_tags(L, reg, first);
    if (st == ECR_OK) st = region_registry_policy(L, reg);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  if (st == ECR_OK && L->ev->n_repos)
    qsort(L->ev->repos, L->ev->n_repos, sizeof(ecr_repository), cmp_repo);
  for (size_t i = 1; st == ECR_OK && i < L->ev->n_repos; i++)
    if (strcmp(L->ev->repos[i - 1].arn, L->ev->repos[i].arn) == 0)
      st = ecr_error_set(L->err, ECR_E_INPUT, "ecr", "repository %s is listed twice",
                         L->ev->repos[i].arn);
  return st;
}

/* Manifest gaps name repositories and regions: mark them. */
static void apply_gaps(loader *L) {
  ecr_evidence *ev = L->ev;
  for (size_t g = 0; g < ev->n_gaps; g++) {
    const ecr_gap *gap = &ev->gaps[g];
    if (strcmp(gap->source, "ecr:GetRepositoryPolicy") == 0) {
      for (size_t i = 0; i < ev->n_repos; i++)
        if (strcmp(ev->repos[i].arn, gap->resource) == 0 && !ev->repos[i].policy_gap) {
          ev->repos[i].policy_gap = true;
          free(ev->repos[i].gap_error);
          ev->repos[i].gap_error = ecr_xstrdup(gap->error);
        }
    } else if (strcmp(gap->source, "ecr:GetRegistryPolicy") == 0 ||
               strcmp(gap->source, "ecr:DescribeRepositories") == 0) {
      bool registry = strcmp(gap->source, "ecr:GetRegistryPolicy") == 0;
      for (size_t r = 0; r < ev->n_regions; r++) {
        ecr_region *reg = &ev->regions[r];
        char *needle = ecr_xasprintf(":%s:", reg->name);
        bool hit = strcmp(gap->resource, reg->name) == 0 || strstr(gap->resource, needle);
        free(needle);
        if (!hit) continue;
        if (registry)
          reg->registry_policy_gap = true;
        else
          reg->repositories_gap = true;
        if (!reg->gap_error) reg->gap_error = ecr_xstrdup(gap->error);
      }
    }
  }
}

/* organizations/scps.json and rcps.json (optional, one shape):
 * [{"target", "policies": [{"Id", "Name", "Content"}]}], every level kept in
 * file order; kind ("SCP", "RCP") names the policies in the gap of a level
 * without any. */
static ecr_status org_policy_levels(loader *L, const char *rel, const char *kind, bool *present,
                                    ecr_scp_level **out, size_t *n_out) {
  cJSON *root = NULL;
  ecr_status st = read_json(L, rel, false, &root);
  if (st != ECR_OK || !root) return st;
  *present = true;
  if (!cJSON_IsArray(root)) {
    ecr_json_free(root);
    return ecr_error_set(L->err, ECR_E_INPUT, rel, "must be a JSON array of {target, policies}");
  }
  *out = ecr_xcalloc((size_t)cJSON_GetArraySize(root) + 1, sizeof(ecr_scp_level));
  const cJSON *lv;
  size_t i = 0;
  cJSON_ArrayForEach(lv, root) {
    char w[64];
    snprintf(w, sizeof(w), "[%zu]", i++);
    if (!cJSON_IsObject(lv)) {
      st = type_error(L, rel, w, "", "an object");
      break;
    }
    ecr_scp_level *level = &(*out)[(*n_out)++];
    if ((st = req_str(L, rel, w, lv, "target", &level->target)) != ECR_OK) break;
    const cJSON *pols;
    if ((st = opt_array(L, rel, w, lv, "policies", &pols)) != ECR_OK) break;
    if (!pols) {
      st = ecr_error_set(L->err, ECR_E_INPUT, rel, "%s.policies is missing", w);
      break;
    }
    level->policies = ecr_xcalloc((size_t)cJSON_GetArraySize(pols) + 1, sizeof(ecr_scp_policy));
    const cJSON *p;
    size_t k = 0;
    cJSON_ArrayForEach(p, pols) {
      char wp[96];
      snprintf(wp, sizeof(wp), "%s.policies[%zu]", w, k++);
      if (!cJSON_IsObject(p)) {
        st = type_error(L, rel, wp, "", "an object");
        break;
      }
      const cJSON *src = p;
      const cJSON *inner = field(p, "Policy"); /* aws organizations describe-policy */
      if (cJSON_IsObject(inner)) src = inner;
      const cJSON *summary = field(src, "PolicySummary");
      const cJSON *names = cJSON_IsObject(summary) ? summary : src;
      ecr_scp_policy *sp = &level->policies[level->n_policies++];
      if ((st = opt_str(L, rel, wp, names, "Id", &sp->id)) != ECR_OK ||
          (st = opt_str(L, rel, wp, names, "Name", &sp->name)) != ECR_OK)
        break;
      if (!sp->id) sp->id = ecr_xasprintf("%s#%zu", level->target, k - 1);
      if ((st = policy_doc(L, rel, wp, field(src, "Content"), &sp->doc)) != ECR_OK) break;
    }
    if (st != ECR_OK) break;
    if (level->n_policies == 0) {
      char *msg = ecr_xasprintf("no %s listed for this level (AWS requires at least one): the "
                                "level's %ss are missing from the evidence",
                                kind, kind);
      add_gap(L, "organizations:ListPoliciesForTarget", level->target, msg);
      free(msg);
    }
  }
  ecr_json_free(root);
  return st;
}

/* An account bundle of an organisation layout (DESIGN.md "Organisation
 * evidence (layout)": <org>/accounts/<id>/ next to <org>/organization/)
 * without organizations/<name> of its own reads the organisation's copy,
 * <org>/organization/<org_name>, recorded as ../../organization/<org_name>.
 * Returns the path relative to the bundle to read (caller frees). */
static char *org_rel(const loader *L, const char *rel, const char *org_name) {
  char *own = ecr_path_join(L->ev->dir, rel);
  bool have = ecr_file_exists(own);
  free(own);
  if (have) return ecr_xstrdup(rel);
  char *up = ecr_path_join(L->ev->dir, "../../accounts");
  char *org = ecr_path_join(L->ev->dir, "../../organization");
  char *alt = ecr_xasprintf("../../organization/%s", org_name);
  char *path = ecr_path_join(L->ev->dir, alt);
  bool use = ecr_dir_exists(up) && ecr_dir_exists(org) && ecr_file_exists(path);
  free(up);
  free(org);
  free(path);
  if (use) return alt;
  free(alt);
  return ecr_xstrdup(rel);
}

static ecr_status scps(loader *L) {
  char *name = ecr_xasprintf("%s-scps.json", L->ev->account);
  char *rel = org_rel(L, "organizations/scps.json", name);
  ecr_status st = org_policy_levels(L, rel, "SCP", &L->ev->scps_present, &L->ev->scp_levels,
                                    &L->ev->n_scp_levels);
  free(rel);
  free(name);
  return st;
}

static ecr_status rcps(loader *L) {
  char *name = ecr_xasprintf("%s-rcps.json", L->ev->account);
  char *rel = org_rel(L, "organizations/rcps.json", name);
  ecr_status st = org_policy_levels(L, rel, "RCP", &L->ev->rcps_present, &L->ev->rcp_levels,
                                    &L->ev->n_rcp_levels);
  free(rel);
  free(name);
  return st;
}

/* organizations/organization.json (optional): `aws organizations
 * describe-organization`; Organization.Id ("o-" and 10 to 32 lower-case
 * letters or digits) is required, MasterAccountId (12 digits) optional. */
static bool valid_org_id(const char *s) {
  size_t n = strlen(s);
  if (n < 12 || n > 34 || strncmp(s, "o-", 2) != 0) return false;
  for (size_t i = 2; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))) return false;
  return true;
}

static ecr_status organization(loader *L) {
  char *rel_owned = org_rel(L, "organizations/organization.json", "organization.json");
  const char *rel = rel_owned;
  cJSON *root = NULL;
  ecr_status st = read_json(L, rel, false, &root);
  if (st != ECR_OK || !root) {
    free(rel_owned);
    return st;
  }
  L->ev->org_present = true;
  const cJSON *org = cJSON_IsObject(root) ? field(root, "Organization") : NULL;
  if (!cJSON_IsObject(org)) {
    st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                       "must be a JSON object with an \"Organization\" object (aws "
                       "organizations describe-organization)");
  } else if ((st = req_str(L, rel, "Organization", org, "Id", &L->ev->org_id)) == ECR_OK &&
             (st = opt_str(L, rel, "Organization", org, "MasterAccountId",
                           &L->ev->org_management_account)) == ECR_OK) {
    if (!valid_org_id(L->ev->org_id))
      st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                         "Organization.Id must be an organization id (o- and 10 to 32 lower-case "
                         "letters or digits), not \"%s\"",
                         L->ev->org_id);
    else if (L->ev->org_management_account && !valid_account(L->ev->org_management_account))
      st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                         "Organization.MasterAccountId must be a 12-digit account id");
  }
  ecr_json_free(root);
  free(rel_owned);
  return st;
}

static ecr_status org_accounts_in(loader *L, const char *rel);

/* organizations/accounts.json (optional): `aws organizations list-accounts`,
 * {"Accounts": [{"Id", "Arn", "Name", "Status" or "State"}]}; State (the
 * newer field) wins when both are present. One Id twice is an input error
 * naming both entries. */
static ecr_status org_accounts(loader *L) {
  char *rel_owned = org_rel(L, "organizations/accounts.json", "accounts.json");
  ecr_status st = org_accounts_in(L, rel_owned);
  free(rel_owned);
  return st;
}

static ecr_status org_accounts_in(loader *L, const char *rel) {
  cJSON *root = NULL;
  ecr_status st = read_json(L, rel, false, &root);
  if (st != ECR_OK || !root) return st;
  L->ev->accounts_present = true;
  const cJSON *arr = NULL;
  if (!cJSON_IsObject(root)) {
    st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                       "must be a JSON object with \"Accounts\" (aws organizations list-accounts)");
    goto done;
  }
  if ((st = opt_array(L, rel, "", root, "Accounts", &arr)) != ECR_OK) goto done;
  if (!arr) {
    st = ecr_error_set(L->err, ECR_E_INPUT, rel, "Accounts is missing");
    goto done;
  }
  L->ev->org_accounts = ecr_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(ecr_org_account));
  const cJSON *it;
  size_t i = 0;
  cJSON_ArrayForEach(it, arr) {
    char w[64];
    snprintf(w, sizeof(w), "Accounts[%zu]", i++);
    if (!cJSON_IsObject(it)) {
      st = type_error(L, rel, w, "", "an object");
      goto done;
    }
    ecr_org_account *a = &L->ev->org_accounts[L->ev->n_org_accounts++];
    char *state = NULL;
    if ((st = req_str(L, rel, w, it, "Id", &a->id)) != ECR_OK ||
        (st = opt_str(L, rel, w, it, "Arn", &a->arn)) != ECR_OK ||
        (st = opt_str(L, rel, w, it, "Name", &a->name)) != ECR_OK ||
        (st = opt_str(L, rel, w, it, "Status", &a->status)) != ECR_OK ||
        (st = opt_str(L, rel, w, it, "State", &state)) != ECR_OK)
      goto done;
    if (state) {
      free(a->status);
      a->status = state;
    }
    if (!valid_account(a->id)) {
      st = ecr_error_set(L->err, ECR_E_INPUT, rel, "%s.Id must be a 12-digit account id", w);
      goto done;
    }
    for (size_t k = 0; k + 1 < L->ev->n_org_accounts; k++)
      if (strcmp(L->ev->org_accounts[k].id, a->id) == 0) {
        st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                           "Accounts[%zu] and %s are both account %s (each account must be "
                           "listed once)",
                           k, w, a->id);
        goto done;
      }
  }
done:
  ecr_json_free(root);
  return st;
}

/* ---- iam/credential-report.json (optional) -------------------------------- */
/* `aws iam get-credential-report`: base64 CSV in "Content". The last use of a
 * user is the latest of password_last_used and access_key_{1,2}_last_used_date
 * (GetAccountAuthorizationDetails does not return it). */
#define CRED_FILE "iam/credential-report.json"

/* An ISO 8601 time (not N/A, no_information, not_supported); anything else
 * in the decoded CSV (it bypasses the JSON reader's UTF-8 check) is ignored. */
/* ---- EKS (optional): eks/<region>/clusters.json and pod-identity-associations.json ---- */
/* What the hop graph (src/paths/) needs: a cluster's OIDC issuer, for IRSA
 * trust policies, and the Pod Identity associations, which name a role and
 * the Kubernetes service account that gets it. */
static ecr_status eks_object(loader *L, const char *rel, const char *w, const cJSON *it,
                             const char *key, const cJSON **out) {
  *out = NULL;
  if (!cJSON_IsObject(it)) return type_error(L, rel, w, "", "an object");
  const cJSON *o = field(it, key);
  if (!cJSON_IsObject(o))
    return ecr_error_set(L->err, ECR_E_INPUT, rel,
                         "%s.%s must be an object (the %s of the "
                         "AWS CLI output)",
                         w, key, key);
  *out = o;
  return ECR_OK;
}

/* An array file, or one saved CLI output (an object) standing for a
 * one-element array, as repository-policies.json accepts. */
static ecr_status eks_array(loader *L, const char *rel, cJSON *root, const char *what,
                            cJSON **single, const cJSON **arr) {
  *single = NULL;
  *arr = root;
  if (cJSON_IsObject(root)) {
    *single = cJSON_CreateArray();
    cJSON_AddItemReferenceToArray(*single, root);
    *arr = *single;
    return ECR_OK;
  }
  if (!cJSON_IsArray(root))
    return ecr_error_set(L->err, ECR_E_INPUT, rel, "must be a JSON array of %s outputs", what);
  if (cJSON_GetArraySize(root) > ECR_MAX_ITEMS)
    return ecr_error_set(L->err, ECR_E_INPUT, rel, "has more than %d items", ECR_MAX_ITEMS);
  return ECR_OK;
}

static ecr_status eks_clusters(loader *L, const char *region, size_t *cap) {
  char *rel = ecr_xasprintf("eks/%s/clusters.json", region);
  cJSON *root = NULL, *single = NULL;
  const cJSON *arr = NULL, *it;
  ecr_status st = read_json(L, rel, false, &root);
  if (st != ECR_OK || !root) goto done;
  L->ev->eks_present = true;
  if ((st = eks_array(L, rel, root, "aws eks describe-cluster", &single, &arr)) != ECR_OK)
    goto done;
  size_t i = 0;
  cJSON_ArrayForEach(it, arr) {
    char w[64];
    snprintf(w, sizeof(w), "[%zu]", i++);
    const cJSON *c;
    if ((st = eks_object(L, rel, w, it, "cluster", &c)) != ECR_OK) goto done;
    snprintf(w, sizeof(w), "[%zu].cluster", i - 1);
    ecr_eks_cluster k = {0};
    k.region = ecr_xstrdup(region);
    const cJSON *id = field(c, "identity"), *oidc = cJSON_IsObject(id) ? field(id, "oidc") : NULL;
    if ((st = req_str(L, rel, w, c, "name", &k.name)) == ECR_OK &&
        (st = opt_str(L, rel, w, c, "arn", &k.arn)) == ECR_OK && id && !cJSON_IsNull(id) &&
        !cJSON_IsObject(id))
      st = type_error(L, rel, w, "identity", "an object");
    if (st == ECR_OK && oidc && !cJSON_IsNull(oidc) && !cJSON_IsObject(oidc))
      st = type_error(L, rel, w, "identity.oidc", "an object");
    if (st == ECR_OK && cJSON_IsObject(oidc))
      st = opt_str(L, rel, w, oidc, "issuer", &k.oidc_issuer);
    if (st == ECR_OK && !k.arn)
      k.arn = ecr_xasprintf("arn:%s:eks:%s:%s:cluster/%s", L->ev->partition, region, L->ev->account,
                            k.name);
    ECR_PUSH(L->ev->clusters, L->ev->n_clusters, *cap, k);
    if (st != ECR_OK) goto done;
  }
done:
  cJSON_Delete(single);
  ecr_json_free(root);
  free(rel);
  return st;
}

static const ecr_eks_cluster *eks_find_cluster(const ecr_evidence *ev, const char *region,
                                               const char *name) {
  for (size_t i = 0; i < ev->n_clusters; i++)
    if (strcmp(ev->clusters[i].region, region) == 0 && strcmp(ev->clusters[i].name, name) == 0)
      return &ev->clusters[i];
  return NULL;
}

static ecr_status eks_pod_identities(loader *L, const char *region, size_t *cap) {
  char *rel = ecr_xasprintf("eks/%s/pod-identity-associations.json", region);
  cJSON *root = NULL, *single = NULL;
  const cJSON *arr = NULL, *it;
  ecr_status st = read_json(L, rel, false, &root);
  if (st != ECR_OK || !root) goto done;
  L->ev->pod_identity_present = true;
  if ((st = eks_array(L, rel, root, "aws eks describe-pod-identity-association", &single, &arr)) !=
      ECR_OK)
    goto done;
  size_t i = 0;
  cJSON_ArrayForEach(it, arr) {
    char w[64];
    snprintf(w, sizeof(w), "[%zu]", i++);
    const cJSON *a;
    if ((st = eks_object(L, rel, w, it, "association", &a)) != ECR_OK) goto done;
    snprintf(w, sizeof(w), "[%zu].association", i - 1);
    ecr_pod_identity p = {0};
    p.region = ecr_xstrdup(region);
    if ((st = req_str(L, rel, w, a, "clusterName", &p.cluster_name)) == ECR_OK &&
        (st = req_str(L, rel, w, a, "namespace", &p.namespace_)) == ECR_OK &&
        (st = req_str(L, rel, w, a, "serviceAccount", &p.service_account)) == ECR_OK &&
        (st = req_str(L, rel, w, a, "roleArn", &p.role_arn)) == ECR_OK)
      st = opt_str(L, rel, w, a, "associationArn", &p.association_arn);
    if (st == ECR_OK) {
      const ecr_eks_cluster *c = eks_find_cluster(L->ev, region, p.cluster_name);
      p.cluster_arn = c ? ecr_xstrdup(c->arn)
                        : ecr_xasprintf("arn:%s:eks:%s:%s:cluster/%s", L->ev->partition, region,
                                        L->ev->account, p.cluster_name);
    }
    ECR_PUSH(L->ev->pod_identities, L->ev->n_pod_identities, *cap, p);
    if (st != ECR_OK) goto done;
  }
done:
  cJSON_Delete(single);
  ecr_json_free(root);
  free(rel);
  return st;
}

static int cmp_cluster(const void *a, const void *b) {
  return strcmp(((const ecr_eks_cluster *)a)->arn, ((const ecr_eks_cluster *)b)->arn);
}

/* One service account of one cluster gets one role once: the same
 * association listed twice (or two associations for the same service account,
 * which EKS refuses) is not what AWS returned. */
static int cmp_pod_identity(const void *a, const void *b) {
  const ecr_pod_identity *x = a, *y = b;
  int c = strcmp(x->cluster_arn, y->cluster_arn);
  if (!c) c = strcmp(x->namespace_, y->namespace_);
  if (!c) c = strcmp(x->service_account, y->service_account);
  return c;
}

static ecr_status eks(loader *L) {
  char *dir = ecr_path_join(L->ev->dir, "eks");
  DIR *d = opendir(dir);
  free(dir);
  if (!d) return ECR_OK;
  char **names = NULL;
  size_t n = 0, cap = 0, ccap = 0, pcap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char *sub = ecr_xasprintf("%s/eks/%s", L->ev->dir, de->d_name);
    bool isdir = ecr_dir_exists(sub);
    free(sub);
    if (isdir) ECR_PUSH(names, n, cap, ecr_xstrdup(de->d_name));
  }
  closedir(d);
  if (n) qsort(names, n, sizeof(char *), cmp_str);
  ecr_status st = ECR_OK;
  for (size_t i = 0; i < n && st == ECR_OK; i++) st = eks_clusters(L, names[i], &ccap);
  if (st == ECR_OK && L->ev->n_clusters) {
    qsort(L->ev->clusters, L->ev->n_clusters, sizeof(ecr_eks_cluster), cmp_cluster);
    for (size_t i = 1; i < L->ev->n_clusters && st == ECR_OK; i++)
      if (strcmp(L->ev->clusters[i - 1].arn, L->ev->clusters[i].arn) == 0) {
        char *rel = ecr_xasprintf("eks/%s/clusters.json", L->ev->clusters[i].region);
        st = ecr_error_set(L->err, ECR_E_INPUT, rel, "cluster %s is listed twice",
                           L->ev->clusters[i].arn);
        free(rel);
      }
  }
  for (size_t i = 0; i < n && st == ECR_OK; i++) st = eks_pod_identities(L, names[i], &pcap);
  if (st == ECR_OK && L->ev->n_pod_identities) {
    qsort(L->ev->pod_identities, L->ev->n_pod_identities, sizeof(ecr_pod_identity),
          cmp_pod_identity);
    for (size_t i = 1; i < L->ev->n_pod_identities && st == ECR_OK; i++) {
      const ecr_pod_identity *p = &L->ev->pod_identities[i];
      if (cmp_pod_identity(&L->ev->pod_identities[i - 1], p) != 0) continue;
      char *rel = ecr_xasprintf("eks/%s/pod-identity-associations.json", p->region);
      st = ecr_error_set(L->err, ECR_E_INPUT, rel,
                         "service account %s/%s of cluster %s has two associations", p->namespace_,
                         p->service_account, p->cluster_name);
      free(rel);
    }
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return st;
}

static void eks_free(ecr_evidence *ev) {
  for (size_t i = 0; i < ev->n_clusters; i++) {
    free(ev->clusters[i].name);
    free(ev->clusters[i].arn);
    free(ev->clusters[i].region);
    free(ev->clusters[i].oidc_issuer);
  }
  free(ev->clusters);
  for (size_t i = 0; i < ev->n_pod_identities; i++) {
    ecr_pod_identity *p = &ev->pod_identities[i];
    free(p->cluster_name);
    free(p->cluster_arn);
    free(p->region);
    free(p->namespace_);
    free(p->service_account);
    free(p->role_arn);
    free(p->association_arn);
  }
  free(ev->pod_identities);
}

static bool cred_time(const char *v) {
  if (!v || !(v[0] >= '0' && v[0] <= '9')) return false;
  size_t n = strspn(v, "0123456789-:T+Z.");
  return v[n] == '\0' && n <= 40;
}

static ecr_status credential_report(loader *L) {
  cJSON *doc = NULL;
  ecr_status st = read_json(L, CRED_FILE, false, &doc);
  if (st != ECR_OK || !doc) return st;
  const cJSON *content = cJSON_GetObjectItemCaseSensitive(doc, "Content");
  if (!cJSON_IsObject(doc) || !cJSON_IsString(content)) {
    ecr_json_free(doc);
    return ecr_error_set(
        L->err, ECR_E_INPUT, CRED_FILE,
        "must be an object with a base64 \"Content\" (aws iam get-credential-report)");
  }
  size_t len = strlen(content->valuestring);
  unsigned char *csv = ecr_xmalloc(len / 4 * 3 + 4);
  int n = len % 4 == 0 ? EVP_DecodeBlock(csv, (const unsigned char *)content->valuestring, (int)len)
                       : -1;
  if (n < 0) {
    free(csv);
    ecr_json_free(doc);
    return ecr_error_set(L->err, ECR_E_INPUT, CRED_FILE, "Content is not base64");
  }
  while (len >= 1 && content->valuestring[len - 1] == '=' && n > 0) { /* padding */
    n--;
    len--;
  }
  csv[n] = '\0';
  ecr_json_free(doc);
  /* header, then one line per user; fields hold no commas */
  int col_arn = -1, col_cols[3] = {-1, -1, -1}, col_pw = -1, col_keys[2] = {-1, -1};
  static const char *const last_cols[3] = {"password_last_used", "access_key_1_last_used_date",
                                           "access_key_2_last_used_date"};
  char *save_line = NULL;
  bool header = true;
  for (char *line = strtok_r((char *)csv, "\r\n", &save_line); line;
       line = strtok_r(NULL, "\r\n", &save_line)) {
    char *fields[32];
    int nf = 0;
    for (char *f = line; nf < 32;) {
      fields[nf++] = f;
      char *comma = strchr(f, ',');
      if (!comma) break;
      *comma = '\0';
      f = comma + 1;
    }
    if (header) {
      for (int i = 0; i < nf; i++) {
        if (strcmp(fields[i], "arn") == 0) col_arn = i;
        for (int k = 0; k < 3; k++)
          if (strcmp(fields[i], last_cols[k]) == 0) col_cols[k] = i;
        if (strcmp(fields[i], "password_enabled") == 0) col_pw = i;
        if (strcmp(fields[i], "access_key_1_active") == 0) col_keys[0] = i;
        if (strcmp(fields[i], "access_key_2_active") == 0) col_keys[1] = i;
      }
      header = false;
      if (col_arn < 0) {
        free(csv);
        return ecr_error_set(L->err, ECR_E_INPUT, CRED_FILE, "the report has no \"arn\" column");
      }
      continue;
    }
    if (col_arn >= nf) continue;
    for (size_t i = 0; i < L->ev->n_principals; i++) {
      ecr_iam_principal *p = &L->ev->principals[i];
      if (p->cls != ECR_PRINCIPAL_USER || strcmp(p->arn, fields[col_arn]) != 0) continue;
      p->usage_known = true;
      p->password_enabled = col_pw >= 0 && col_pw < nf && strcmp(fields[col_pw], "true") == 0;
      p->keys_active = 0;
      for (int k = 0; k < 2; k++)
        if (col_keys[k] >= 0 && col_keys[k] < nf && strcmp(fields[col_keys[k]], "true") == 0)
          p->keys_active++;
    }
    const char *latest = NULL;
    for (int k = 0; k < 3; k++)
      if (col_cols[k] >= 0 && col_cols[k] < nf && cred_time(fields[col_cols[k]]) &&
          (!latest || strcmp(fields[col_cols[k]], latest) > 0))
        latest = fields[col_cols[k]];
    if (!latest) continue;
    for (size_t i = 0; i < L->ev->n_principals; i++) {
      ecr_iam_principal *p = &L->ev->principals[i];
      if (p->cls != ECR_PRINCIPAL_USER || strcmp(p->arn, fields[col_arn]) != 0) continue;
      if (!p->last_used || strcmp(latest, p->last_used) > 0) {
        free(p->last_used);
        p->last_used = ecr_xstrdup(latest);
      }
    }
  }
  free(csv);
  return ECR_OK;
}

static int cmp_file(const void *a, const void *b) {
  return strcmp(((const ecr_evidence_file *)a)->path, ((const ecr_evidence_file *)b)->path);
}

/* "UserDetailList[3]" or "RoleDetailList[0]" for principals[i] (users are
 * loaded first, in file order, then roles). */
static void principal_where(const ecr_evidence *ev, size_t i, size_t n_users, char *w,
                            size_t size) {
  if (ev->principals[i].cls == ECR_PRINCIPAL_USER)
    snprintf(w, size, "UserDetailList[%zu]", i);
  else
    snprintf(w, size, "RoleDetailList[%zu]", i - n_users);
}

/* Two users or roles with one ARN would be two findings with one id: an
 * input error naming both entries (principals_by_arn is sorted by ARN). */
/* iam/service-last-accessed.json (optional; usage.c) */
static ecr_status usage_file(loader *L) {
  cJSON *doc = NULL;
  ecr_status st = read_json(L, ECR_USAGE_FILE, false, &doc);
  if (st == ECR_OK && doc) st = ecr_evidence_usage_load(L->ev, doc, L->err);
  ecr_json_free(doc);
  return st;
}

static ecr_status unique_principals(loader *L) {
  const ecr_evidence *ev = L->ev;
  size_t n_users = 0;
  for (size_t i = 0; i < ev->n_principals; i++)
    if (ev->principals[i].cls == ECR_PRINCIPAL_USER) n_users++;
  for (size_t k = 1; k < ev->n_principals; k++) {
    size_t a = ev->principals_by_arn[k - 1], b = ev->principals_by_arn[k];
    if (strcmp(ev->principals[a].arn, ev->principals[b].arn) != 0) continue;
    if (a > b) {
      size_t t = a;
      a = b;
      b = t;
    }
    char wa[64], wb[64];
    principal_where(ev, a, n_users, wa, sizeof(wa));
    principal_where(ev, b, n_users, wb, sizeof(wb));
    return ecr_error_set(L->err, ECR_E_INPUT, IAM_FILE,
                         "%s and %s have the same Arn (each principal must be listed once)", wa,
                         wb);
  }
  return ECR_OK;
}

ecr_status ecr_evidence_load(const char *dir, ecr_evidence **out, ecr_error *err) {
  *out = NULL;
  if (!ecr_dir_exists(dir))
    return ecr_error_set(err, ECR_E_INPUT, dir, "evidence directory does not exist");
  loader L = {0};
  L.err = err;
  L.ev = ecr_xcalloc(1, sizeof(ecr_evidence));
  L.ev->dir = ecr_xstrdup(dir);
  cJSON *iam = NULL, *man = NULL;
  ecr_status st = caller_identity(&L);
  if (st == ECR_OK) st = manifest(&L, &man);
  if (st == ECR_OK) st = read_json(&L, IAM_FILE, true, &iam);
  if (st == ECR_OK && !cJSON_IsObject(iam))
    st = ecr_error_set(err, ECR_E_INPUT, IAM_FILE,
                       "must be a JSON object (aws iam get-account-authorization-details)");
  if (st == ECR_OK) st = managed_policies(&L, iam);
  if (st == ECR_OK) st = groups(&L, iam);
  if (st == ECR_OK) st = users(&L, iam);
  if (st == ECR_OK) st = roles(&L, iam);
  if (st == ECR_OK) st = credential_report(&L);
  if (st == ECR_OK) {
    L.ev->principals_by_arn = ecr_xcalloc(L.ev->n_principals + 1, sizeof(size_t));
    for (size_t i = 0; i < L.ev->n_principals; i++) L.ev->principals_by_arn[i] = i;
    ecr_sort_idx(L.ev->principals_by_arn, L.ev->n_principals, cmp_principal, L.ev);
    st = unique_principals(&L);
  }
  if (st == ECR_OK) st = usage_file(&L);
  if (st == ECR_OK && !L.ev->account) {
    for (size_t i = 0; i < L.ev->n_principals && !L.ev->account; i++)
      L.ev->account = ecr_arn_account(L.ev->principals[i].arn);
  }
  if (st == ECR_OK) {
    const char *arn = L.ev->caller_arn;
    if (!arn && L.ev->n_principals) arn = L.ev->principals[0].arn;
    L.ev->partition = arn ? partition_of_arn(arn) : NULL;
    if (!L.ev->partition) L.ev->partition = ecr_xstrdup("aws");
  }
  if (st == ECR_OK) st = ecr_dirs(&L);
  if (st == ECR_OK && !L.ev->account && L.ev->n_repos)
    L.ev->account = ecr_arn_account(L.ev->repos[0].arn);
  if (st == ECR_OK && !L.ev->account)
    st = ecr_error_set(err, ECR_E_INPUT, "sts/caller-identity.json",
                       "the account id cannot be determined (no caller identity, manifest "
                       "account or ARN in the bundle)");
  if (st == ECR_OK) st = scps(&L);
  if (st == ECR_OK) st = rcps(&L);
  if (st == ECR_OK) st = organization(&L);
  if (st == ECR_OK) st = org_accounts(&L);
  if (st == ECR_OK) st = eks(&L);
  if (st == ECR_OK && man) st = manifest_verify(&L, man);
  if (st == ECR_OK) apply_gaps(&L);
  if (st == ECR_OK && L.ev->n_files)
    qsort(L.ev->files, L.ev->n_files, sizeof(ecr_evidence_file), cmp_file);
  ecr_json_free(iam);
  ecr_json_free(man);
  free(L.managed_by_arn);
  free(L.groups_by_name);
  if (st != ECR_OK) {
    ecr_evidence_free(L.ev);
    return st;
  }
  *out = L.ev;
  return ECR_OK;
}

static int principal_vs_arn(size_t i, const void *arn, void *ctx) {
  return strcmp(((const ecr_evidence *)ctx)->principals[i].arn, arn);
}

long ecr_evidence_find_principal(const ecr_evidence *ev, const char *arn) {
  if (!ev->principals_by_arn) { /* a model built by hand */
    for (size_t i = 0; i < ev->n_principals; i++)
      if (strcmp(ev->principals[i].arn, arn) == 0) return (long)i;
    return -1;
  }
  return ecr_sorted_find(ev->principals_by_arn, ev->n_principals, arn, principal_vs_arn,
                         (void *)ev);
}

/* ---- freeing ---------------------------------------------------------------- */
static void free_inline(ecr_inline_policy *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(p[i].name);
    ecr_policy_free(p[i].doc);
  }
  free(p);
}

static void free_strv(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

static void free_levels(ecr_scp_level *levels, size_t n) {
  for (size_t i = 0; i < n; i++) {
    ecr_scp_level *l = &levels[i];
    free(l->target);
    for (size_t k = 0; k < l->n_policies; k++) {
      free(l->policies[k].id);
      free(l->policies[k].name);
      ecr_policy_free(l->policies[k].doc);
    }
    free(l->policies);
  }
  free(levels);
}

void ecr_evidence_free(ecr_evidence *ev) {
  if (!ev) return;
  for (size_t i = 0; i < ev->n_principals; i++) {
    ecr_iam_principal *p = &ev->principals[i];
    free(p->arn);
    free(p->name);
    free(p->id);
    free(p->path);
    free(p->create_date);
    free_inline(p->inline_policies, p->n_inline);
    free(p->managed);
    free(p->groups);
    free_strv(p->missing_managed, p->n_missing_managed);
    free_strv(p->missing_groups, p->n_missing_groups);
    free(p->boundary_arn);
    ecr_policy_free(p->trust);
    for (size_t k = 0; k < p->n_tags; k++) {
      free(p->tags[k].key);
      free(p->tags[k].value);
    }
    free(p->tags);
    free(p->last_used);
    free(p->last_used_region);
  }
  ecr_evidence_usage_free(ev);
  free(ev->principals);
  free(ev->principals_by_arn);
  for (size_t i = 0; i < ev->n_groups; i++) {
    ecr_group *g = &ev->groups[i];
    free(g->name);
    free(g->arn);
    free_inline(g->inline_policies, g->n_inline);
    free(g->managed);
    free_strv(g->missing_managed, g->n_missing_managed);
  }
  free(ev->groups);
  for (size_t i = 0; i < ev->n_managed; i++) {
    free(ev->managed[i].arn);
    free(ev->managed[i].name);
    free(ev->managed[i].default_version);
    ecr_policy_free(ev->managed[i].doc);
  }
  free(ev->managed);
  for (size_t i = 0; i < ev->n_regions; i++) {
    free(ev->regions[i].name);
    ecr_policy_free(ev->regions[i].registry_policy);
    free(ev->regions[i].gap_error);
  }
  free(ev->regions);
  for (size_t i = 0; i < ev->n_repos; i++) {
    ecr_repository *r = &ev->repos[i];
    free(r->arn);
    free(r->name);
    free(r->region);
    free(r->registry_id);
    free(r->uri);
    free(r->created_at);
    free(r->tag_mutability);
    ecr_policy_free(r->policy);
    free(r->gap_error);
    for (size_t k = 0; k < r->n_tags; k++) {
      free(r->tags[k].key);
      free(r->tags[k].value);
    }
    free(r->tags);
  }
  free(ev->repos);
  free_levels(ev->scp_levels, ev->n_scp_levels);
  free_levels(ev->rcp_levels, ev->n_rcp_levels);
  free(ev->org_id);
  free(ev->org_management_account);
  for (size_t i = 0; i < ev->n_org_accounts; i++) {
    free(ev->org_accounts[i].id);
    free(ev->org_accounts[i].arn);
    free(ev->org_accounts[i].name);
    free(ev->org_accounts[i].status);
  }
  free(ev->org_accounts);
  eks_free(ev);
  for (size_t i = 0; i < ev->n_files; i++) free(ev->files[i].path);
  free(ev->files);
  for (size_t i = 0; i < ev->n_gaps; i++) {
    free(ev->gaps[i].source);
    free(ev->gaps[i].resource);
    free(ev->gaps[i].error);
  }
  free(ev->gaps);
  free(ev->dir);
  free(ev->account);
  free(ev->partition);
  free(ev->caller_arn);
  free(ev->caller_user_id);
  free(ev->collected_at);
  free(ev->collector_version);
  free(ev);
}
