/* iam/service-last-accessed.json: a JSON array of `aws iam
 * get-service-last-accessed-details` outputs, each with the "Arn" of the user
 * or role its job was generated for (docs/evidence-bundle.md). Validated
 * strictly: a wrong shape is an input error naming the file and the item. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "evidence/usage_internal.h"
#include "util/util.h"

typedef struct uctx {
  ecr_error *err;
  char where[96];
} uctx;

static ecr_status bad(uctx *u, const char *key, const char *want) {
  return ecr_error_set(u->err, ECR_E_INPUT, ECR_USAGE_FILE, "%s%s%s must be %s", u->where,
                       key[0] ? "." : "", key, want);
}

/* Optional string; a date-time when time is set ("2025-11-19T21:48:13+00:00"). */
static ecr_status str(uctx *u, const cJSON *obj, const char *key, bool time, char **out) {
  *out = NULL;
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v || cJSON_IsNull(v)) return ECR_OK;
  if (!cJSON_IsString(v)) return bad(u, key, "a string");
  if (time) {
    char day[11];
    snprintf(day, sizeof(day), "%s", v->valuestring);
    if (strlen(v->valuestring) < 10 || !ecr_date_parse(day, NULL) ||
        (v->valuestring[10] && v->valuestring[10] != 'T'))
      return bad(u, key, "an ISO 8601 date-time");
  }
  *out = ecr_xstrdup(v->valuestring);
  return ECR_OK;
}

static ecr_status arr(uctx *u, const cJSON *obj, const char *key, const cJSON **out) {
  *out = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!*out || cJSON_IsNull(*out)) {
    *out = NULL;
    return ECR_OK;
  }
  if (!cJSON_IsArray(*out)) return bad(u, key, "an array");
  return ECR_OK;
}

static void usage_cleanup(ecr_usage *x) {
  free(x->job_status);
  free(x->job_created);
  free(x->job_done);
  free(x->last_used);
  free(x->last_region);
  for (size_t k = 0; k < x->n_actions; k++) {
    free(x->actions[k].action);
    free(x->actions[k].last_accessed);
    free(x->actions[k].region);
  }
  free(x->actions);
  memset(x, 0, sizeof(*x));
}

/* The ecr entry of ServicesLastAccessed (u->where names it). */
static ecr_status ecr_entry(uctx *u, const cJSON *s, ecr_usage *x) {
  char *tmp = NULL;
  ecr_status st = str(u, s, "ServiceName", false, &tmp);
  free(tmp);
  tmp = NULL;
  if (st == ECR_OK) st = str(u, s, "LastAuthenticated", true, &x->last_used);
  if (st == ECR_OK) st = str(u, s, "LastAuthenticatedRegion", false, &x->last_region);
  if (st == ECR_OK) st = str(u, s, "LastAuthenticatedEntity", false, &tmp);
  free(tmp);
  tmp = NULL;
  const cJSON *n = cJSON_GetObjectItemCaseSensitive(s, "TotalAuthenticatedEntities");
  if (st == ECR_OK && n && !cJSON_IsNull(n) && !cJSON_IsNumber(n))
    st = bad(u, "TotalAuthenticatedEntities", "a number");
  const cJSON *tracked = NULL, *a;
  if (st == ECR_OK) st = arr(u, s, "TrackedActionsLastAccessed", &tracked);
  if (st != ECR_OK) return st;
  x->action_level = tracked != NULL;
  size_t cap = 0, base = strlen(u->where), i = 0;
  cJSON_ArrayForEach(a, tracked) {
    snprintf(u->where + base, sizeof(u->where) - base, ".TrackedActionsLastAccessed[%zu]", i++);
    if (!cJSON_IsObject(a)) return bad(u, "", "an object");
    ecr_action_usage au = {0};
    char *name = NULL;
    st = str(u, a, "ActionName", false, &name);
    if (st == ECR_OK && (!name || !*name)) st = bad(u, "ActionName", "a non-empty string");
    if (st == ECR_OK) st = str(u, a, "LastAccessedTime", true, &au.last_accessed);
    if (st == ECR_OK) st = str(u, a, "LastAccessedRegion", false, &au.region);
    if (st == ECR_OK) st = str(u, a, "LastAccessedEntity", false, &tmp);
    free(tmp);
    tmp = NULL;
    if (st != ECR_OK) {
      free(name);
      free(au.last_accessed);
      free(au.region);
      return st;
    }
    /* AWS names tracked actions without the service prefix ("PutImage") */
    au.action = strncmp(name, "ecr:", 4) == 0 ? ecr_xstrdup(name) : ecr_xasprintf("ecr:%s", name);
    free(name);
    ECR_PUSH(x->actions, x->n_actions, cap, au);
  }
  u->where[base] = '\0';
  return ECR_OK;
}

static ecr_status item(uctx *u, const cJSON *it, size_t idx, ecr_evidence *ev) {
  snprintf(u->where, sizeof(u->where), "[%zu]", idx);
  if (!cJSON_IsObject(it)) return bad(u, "", "an object");
  ecr_usage x = {0};
  char *arn = NULL;
  ecr_status st = str(u, it, "Arn", false, &arn);
  if (st == ECR_OK && !arn)
    st = ecr_error_set(u->err, ECR_E_INPUT, ECR_USAGE_FILE,
                       "%s.Arn is missing (the ARN of the user or role the job was generated for)",
                       u->where);
  if (st == ECR_OK) st = str(u, it, "JobStatus", false, &x.job_status);
  if (st == ECR_OK && (!x.job_status || (strcmp(x.job_status, "COMPLETED") != 0 &&
                                         strcmp(x.job_status, "IN_PROGRESS") != 0 &&
                                         strcmp(x.job_status, "FAILED") != 0)))
    st = bad(u, "JobStatus", "COMPLETED, IN_PROGRESS or FAILED");
  if (st == ECR_OK) st = str(u, it, "JobCreationDate", true, &x.job_created);
  if (st == ECR_OK) st = str(u, it, "JobCompletionDate", true, &x.job_done);
  char *tmp = NULL;
  if (st == ECR_OK) st = str(u, it, "JobType", false, &tmp);
  free(tmp);
  const cJSON *services = NULL, *s;
  if (st == ECR_OK) st = arr(u, it, "ServicesLastAccessed", &services);
  if (st == ECR_OK && !services && strcmp(x.job_status, "COMPLETED") == 0)
    st = bad(u, "ServicesLastAccessed", "an array (the job is COMPLETED)");
  size_t i = 0;
  bool have_ecr = false;
  cJSON_ArrayForEach(s, services) {
    if (st != ECR_OK) break;
    snprintf(u->where, sizeof(u->where), "[%zu].ServicesLastAccessed[%zu]", idx, i++);
    if (!cJSON_IsObject(s)) {
      st = bad(u, "", "an object");
      break;
    }
    char *ns = NULL;
    st = str(u, s, "ServiceNamespace", false, &ns);
    if (st == ECR_OK && !ns) st = bad(u, "ServiceNamespace", "a string");
    if (st == ECR_OK && strcmp(ns, "ecr") == 0) {
      if (have_ecr)
        st = ecr_error_set(u->err, ECR_E_INPUT, ECR_USAGE_FILE,
                           "[%zu].ServicesLastAccessed lists the ecr service twice", idx);
      else
        st = ecr_entry(u, s, &x);
      have_ecr = true;
    }
    free(ns);
  }
  if (st == ECR_OK) {
    /* an ARN that the authorization details do not list (a principal deleted
       between the two calls) is ignored */
    long p = ecr_evidence_find_principal(ev, arn);
    if (p >= 0 && ev->usage[p].listed)
      st = ecr_error_set(u->err, ECR_E_INPUT, ECR_USAGE_FILE,
                         "[%zu].Arn %s is listed twice (one entry per principal)", idx, arn);
    else if (p >= 0) {
      x.listed = true;
      x.known = have_ecr && strcmp(x.job_status, "COMPLETED") == 0;
      ev->usage[p] = x;
      memset(&x, 0, sizeof(x));
    }
  }
  free(arn);
  usage_cleanup(&x);
  return st;
}

ecr_status ecr_evidence_usage_load(ecr_evidence *ev, const cJSON *doc, ecr_error *err) {
  uctx u = {err, ""};
  if (!cJSON_IsArray(doc))
    return ecr_error_set(err, ECR_E_INPUT, ECR_USAGE_FILE,
                         "must be a JSON array of `aws iam get-service-last-accessed-details` "
                         "outputs, each with its \"Arn\"");
  size_t n = (size_t)cJSON_GetArraySize(doc);
  if (n > ECR_MAX_ITEMS)
    return ecr_error_set(err, ECR_E_INPUT, ECR_USAGE_FILE, "has more than %d items", ECR_MAX_ITEMS);
  ev->usage_present = true;
  ev->usage = ecr_xcalloc(ev->n_principals + 1, sizeof(ecr_usage));
  size_t idx = 0;
  ecr_status st = ECR_OK;
  const cJSON *it;
  cJSON_ArrayForEach(it, doc) {
    st = item(&u, it, idx++, ev);
    if (st != ECR_OK) break;
  }
  return st;
}

void ecr_evidence_usage_free(ecr_evidence *ev) {
  if (!ev->usage) return;
  for (size_t i = 0; i < ev->n_principals; i++) usage_cleanup(&ev->usage[i]);
  free(ev->usage);
  ev->usage = NULL;
}
