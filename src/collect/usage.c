/* iam/service-last-accessed.json: IAM Access Advisor's service last accessed
 * data of every user and role (issue 21). GenerateServiceLastAccessedDetails
 * (Granularity ACTION_LEVEL) starts an asynchronous job per principal;
 * GetServiceLastAccessedDetails is polled until JobStatus is COMPLETED or
 * FAILED. At most USAGE_IN_FLIGHT jobs run at once (a rolling window: a new
 * job starts as soon as one ends); each job is polled with exponential
 * backoff. A refused call or a FAILED job is a gap naming the principal.
 *
 * Cost: one Generate call per principal, then one Get call per poll (and per
 * further page of a completed job). Only the ecr entry of ServicesLastAccessed
 * is kept (docs/evidence-bundle.md): the file stays small at 10k principals. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "collect/aws.h"

#define IAM_VERSION "2010-05-08"
#define USAGE_FILE "iam/service-last-accessed.json"
#define USAGE_IN_FLIGHT 32      /* jobs generated and not yet finished */
#define USAGE_FIRST_POLL_MS 250 /* first poll this long after Generate */
#define USAGE_MAX_POLL_MS 8000  /* backoff doubles up to this */
#define USAGE_MAX_POLLS 40      /* then the job is a gap (about 4.5 minutes); messages say 40 */
#define USAGE_MAX_PAGES 100     /* pages of one completed job; messages say 100 */
#define USAGE_MAX_ITEMS "1000"  /* MaxItems: the API's maximum */

typedef struct usage_job {
  size_t principal; /* index into the ARN list */
  char *id;         /* JobId */
  int polls;
  unsigned delay_ms;
  long long due_ms; /* next poll, CLOCK_MONOTONIC */
} usage_job;

static long long mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long long ms) {
  if (ms <= 0) return;
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* The collection's --timeout has passed: the loop records one gap for what is left. */
static bool past_deadline(const ecr_collect_ctx *ctx) {
  return ctx->client->deadline_ms > 0 && mono_ms() >= ctx->client->deadline_ms;
}

static const char *iam_region(const ecr_collect_ctx *ctx) {
  return ctx->partition && strcmp(ctx->partition, "aws-cn") == 0       ? "cn-north-1"
         : ctx->partition && strcmp(ctx->partition, "aws-us-gov") == 0 ? "us-gov-west-1"
                                                                       : "us-east-1";
}

static xmlNodePtr child(xmlNodePtr n, const char *name) {
  for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0) return c;
  return NULL;
}

/* Text of n's child name, NULL when absent or empty; caller frees. */
static char *child_text(xmlNodePtr n, const char *name) {
  xmlNodePtr c = child(n, name);
  if (!c) return NULL;
  xmlChar *s = xmlNodeGetContent(c);
  char *out = s && *s ? ecr_xstrdup((const char *)s) : NULL;
  xmlFree(s);
  return out;
}

static void add_text(cJSON *obj, xmlNodePtr n, const char *name, bool time) {
  char *t = child_text(n, name);
  if (!t) return;
  if (time) {
    char *iso = ecr_aws_time_from_iso(t);
    cJSON_AddStringToObject(obj, name, iso ? iso : t);
    free(iso);
  } else {
    cJSON_AddStringToObject(obj, name, t);
  }
  free(t);
}

/* One ServiceLastAccessed member, as the CLI prints it (botocore's member order). */
static cJSON *service_json(xmlNodePtr m) {
  cJSON *s = cJSON_CreateObject();
  add_text(s, m, "ServiceName", false);
  add_text(s, m, "LastAuthenticated", true);
  add_text(s, m, "ServiceNamespace", false);
  add_text(s, m, "LastAuthenticatedEntity", false);
  add_text(s, m, "LastAuthenticatedRegion", false);
  char *total = child_text(m, "TotalAuthenticatedEntities");
  if (total) cJSON_AddNumberToObject(s, "TotalAuthenticatedEntities", strtod(total, NULL));
  free(total);
  xmlNodePtr tracked = child(m, "TrackedActionsLastAccessed");
  if (tracked) {
    cJSON *arr = cJSON_AddArrayToObject(s, "TrackedActionsLastAccessed");
    for (xmlNodePtr a = tracked->children; a; a = a->next) {
      if (a->type != XML_ELEMENT_NODE) continue;
      cJSON *o = cJSON_CreateObject();
      add_text(o, a, "ActionName", false);
      add_text(o, a, "LastAccessedEntity", false);
      add_text(o, a, "LastAccessedTime", true);
      add_text(o, a, "LastAccessedRegion", false);
      cJSON_AddItemToArray(arr, o);
    }
  }
  return s;
}

typedef enum { POLL_ERROR, POLL_IN_PROGRESS, POLL_COMPLETED, POLL_FAILED } poll_state;

/* One GetServiceLastAccessedDetails page into *out (created on the first
 * page: the job's fields, the ecr services appended on later ones). */
static poll_state parse_get(const ecr_buf *body, cJSON **out, char **marker, char **fail_code,
                            char **fail_msg) {
  *marker = NULL;
  xmlDocPtr doc = xmlReadMemory(body->data, (int)body->len, "iam.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                    XML_PARSE_NOBLANKS | XML_PARSE_HUGE);
  xmlNodePtr res =
      doc ? child(xmlDocGetRootElement(doc), "GetServiceLastAccessedDetailsResult") : NULL;
  poll_state st = POLL_ERROR;
  char *status = child_text(res, "JobStatus");
  if (!status) goto done;
  if (strcmp(status, "IN_PROGRESS") == 0) {
    st = POLL_IN_PROGRESS;
    goto done;
  }
  if (strcmp(status, "FAILED") == 0) {
    xmlNodePtr e = child(res, "Error");
    *fail_code = child_text(e, "Code");
    *fail_msg = child_text(e, "Message");
    st = POLL_FAILED;
    goto done;
  }
  if (strcmp(status, "COMPLETED") != 0) goto done;
  if (!*out) {
    *out = cJSON_CreateObject();
    cJSON_AddStringToObject(*out, "JobStatus", "COMPLETED");
    add_text(*out, res, "JobType", false);
    add_text(*out, res, "JobCreationDate", true);
    cJSON_AddArrayToObject(*out, "ServicesLastAccessed");
    add_text(*out, res, "JobCompletionDate", true);
    cJSON_AddBoolToObject(*out, "IsTruncated", false); /* every page is read */
  }
  cJSON *services = cJSON_GetObjectItemCaseSensitive(*out, "ServicesLastAccessed");
  xmlNodePtr list = child(res, "ServicesLastAccessed");
  for (xmlNodePtr m = list ? list->children : NULL; m; m = m->next) {
    if (m->type != XML_ELEMENT_NODE) continue;
    char *ns = child_text(m, "ServiceNamespace");
    if (ns && strcmp(ns, "ecr") == 0) cJSON_AddItemToArray(services, service_json(m));
    free(ns);
  }
  char *trunc = child_text(res, "IsTruncated");
  if (trunc && strcmp(trunc, "true") == 0) *marker = child_text(res, "Marker");
  free(trunc);
  st = POLL_COMPLETED;
done:
  free(status);
  if (doc) xmlFreeDoc(doc);
  return st;
}

static void gap_text(ecr_collect_ctx *ctx, const char *source, const char *arn, const char *code,
                     const char *msg) {
  ecr_aws_response r;
  ecr_aws_response_init(&r);
  r.error_code = ecr_xstrdup(code);
  r.error_message = ecr_xstrdup(msg);
  ecr_collect_gap(ctx, source, arn, &r);
  ecr_aws_response_cleanup(&r);
}

/* Start the job of arn: its JobId, or NULL after recording a gap. */
static char *generate(ecr_collect_ctx *ctx, const char *arn, ecr_aws_response *resp,
                      ecr_buf *params) {
  ecr_error err;
  ecr_buf_reset(params);
  ecr_aws_form_add(params, "Arn", arn);
  ecr_aws_form_add(params, "Granularity", "ACTION_LEVEL");
  if (ecr_aws_query(ctx->client, "iam", iam_region(ctx), IAM_VERSION,
                    "GenerateServiceLastAccessedDetails", params->data, resp, &err) != ECR_OK) {
    if (!past_deadline(ctx))
      ecr_collect_gap(ctx, "iam:GenerateServiceLastAccessedDetails", arn, resp);
    return NULL;
  }
  xmlDocPtr doc = xmlReadMemory(resp->body.data, (int)resp->body.len, "iam.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  char *id =
      doc ? child_text(child(xmlDocGetRootElement(doc), "GenerateServiceLastAccessedDetailsResult"),
                       "JobId")
          : NULL;
  if (doc) xmlFreeDoc(doc);
  if (!id)
    gap_text(ctx, "iam:GenerateServiceLastAccessedDetails", arn, "InvalidResponse",
             "GenerateServiceLastAccessedDetails response has no JobId");
  return id;
}

/* Poll job j once; on COMPLETED read every page. Returns true when the job
 * is over (its output in *slot, or a gap recorded). */
static bool poll(ecr_collect_ctx *ctx, usage_job *j, const char *arn, cJSON **slot,
                 ecr_aws_response *resp, ecr_buf *params) {
  ecr_error err;
  cJSON *out = NULL;
  char *marker = NULL;
  for (int page = 0;; page++) {
    ecr_buf_reset(params);
    ecr_aws_form_add(params, "JobId", j->id);
    ecr_aws_form_add(params, "MaxItems", USAGE_MAX_ITEMS);
    if (marker) ecr_aws_form_add(params, "Marker", marker);
    free(marker);
    marker = NULL;
    if (ecr_aws_query(ctx->client, "iam", iam_region(ctx), IAM_VERSION,
                      "GetServiceLastAccessedDetails", params->data, resp, &err) != ECR_OK) {
      if (!past_deadline(ctx)) ecr_collect_gap(ctx, "iam:GetServiceLastAccessedDetails", arn, resp);
      cJSON_Delete(out);
      return true;
    }
    char *code = NULL, *msg = NULL;
    poll_state st = parse_get(&resp->body, &out, &marker, &code, &msg);
    if (st == POLL_IN_PROGRESS && !out) {
      j->polls++;
      if (j->polls >= USAGE_MAX_POLLS) {
        gap_text(ctx, "iam:GetServiceLastAccessedDetails", arn, "Timeout",
                 "the job was still IN_PROGRESS after 40 polls");
        return true;
      }
      j->due_ms = mono_ms() + j->delay_ms;
      j->delay_ms = j->delay_ms * 2 > USAGE_MAX_POLL_MS ? USAGE_MAX_POLL_MS : j->delay_ms * 2;
      return false;
    }
    if (st == POLL_FAILED) {
      gap_text(ctx, "iam:GetServiceLastAccessedDetails", arn, code ? code : "JobFailed",
               msg ? msg : "the job ended FAILED");
      free(code);
      free(msg);
      cJSON_Delete(out);
      return true;
    }
    if (st != POLL_COMPLETED) {
      gap_text(ctx, "iam:GetServiceLastAccessedDetails", arn, "InvalidResponse",
               "GetServiceLastAccessedDetails response has no known JobStatus");
      cJSON_Delete(out);
      free(marker);
      return true;
    }
    if (!marker) break;
    if (page + 1 >= USAGE_MAX_PAGES) {
      gap_text(ctx, "iam:GetServiceLastAccessedDetails", arn, "PaginationLimit",
               "more than 100 pages");
      cJSON_Delete(out);
      free(marker);
      return true;
    }
  }
  cJSON *item = cJSON_CreateObject();
  cJSON_AddStringToObject(item, "Arn", arn);
  cJSON *f;
  while ((f = out->child) != NULL) {
    cJSON_DetachItemViaPointer(out, f);
    cJSON_AddItemToObject(item, f->string, f);
  }
  cJSON_Delete(out);
  *slot = item;
  return true;
}

static void arns_of(const cJSON *iam, const char *list, char ***v, size_t *n, size_t *cap) {
  const cJSON *it;
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(iam, list)) {
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(it, "Arn");
    if (cJSON_IsString(arn)) ECR_PUSH(*v, *n, *cap, arn->valuestring);
  }
}

void ecr_usage_collect(ecr_collect_ctx *ctx, const cJSON *iam) {
  char **arns = NULL;
  size_t n = 0, cap = 0;
  arns_of(iam, "UserDetailList", &arns, &n, &cap);
  arns_of(iam, "RoleDetailList", &arns, &n, &cap);
  cJSON **done_items = ecr_xcalloc(n + 1, sizeof(cJSON *)); /* by principal: file order */
  size_t n_items = 0;
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_buf params;
  ecr_buf_init(&params);
  usage_job jobs[USAGE_IN_FLIGHT];
  size_t active = 0, next = 0, done = 0, started = 0;
  bool refused = false;
  while ((next < n && !refused) || active) {
    /* --timeout reached: one gap for what is left, not one per principal */
    if (past_deadline(ctx)) {
      char *msg = ecr_xasprintf("the collection's time limit (--timeout) was reached after %zu of "
                                "%zu principals: the others have no usage data",
                                n_items, n);
      gap_text(ctx, "iam:GetServiceLastAccessedDetails", ctx->account ? ctx->account : "",
               "RequestTimeout", msg);
      free(msg);
      for (size_t i = 0; i < active; i++) free(jobs[i].id);
      active = 0;
      break;
    }
    /* fill the window */
    while (active < USAGE_IN_FLIGHT && next < n && !refused) {
      size_t before = ctx->n_gaps;
      char *id = generate(ctx, arns[next], &resp, &params);
      if (id) {
        jobs[active++] =
            (usage_job){next, id, 0, USAGE_FIRST_POLL_MS, mono_ms() + USAGE_FIRST_POLL_MS};
        started++;
      } else {
        done++;
        /* refused before any job started: the caller may not call it at all;
           one gap says so instead of one per principal */
        if (!started && ctx->n_gaps > before && resp.error_code &&
            (strstr(resp.error_code, "AccessDenied") || strstr(resp.error_code, "Unauthorized"))) {
          refused = true;
          free(ctx->gaps[ctx->n_gaps - 1].resource);
          ctx->gaps[ctx->n_gaps - 1].resource = ecr_xstrdup(ctx->account ? ctx->account : "");
        }
      }
      next++;
    }
    if (!active) break;
    /* the job due first */
    size_t k = 0;
    for (size_t i = 1; i < active; i++)
      if (jobs[i].due_ms < jobs[k].due_ms) k = i;
    long long until = jobs[k].due_ms;
    if (ctx->client->deadline_ms > 0 && until > ctx->client->deadline_ms) {
      sleep_ms(ctx->client->deadline_ms - mono_ms());
      continue; /* the deadline check above ends the loop */
    }
    sleep_ms(until - mono_ms());
    if (poll(ctx, &jobs[k], arns[jobs[k].principal], &done_items[jobs[k].principal], &resp,
             &params)) {
      n_items += done_items[jobs[k].principal] != NULL;
      free(jobs[k].id);
      jobs[k] = jobs[--active];
      done++;
      ecr_collect_progress(ctx, done == n, "IAM service last accessed %zu/%zu", done, n);
    }
  }
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; i < n; i++)
    if (done_items[i]) cJSON_AddItemToArray(arr, done_items[i]);
  free(done_items);
  if (!refused) {
    ecr_error err;
    if (ecr_bundle_write_json(ctx, USAGE_FILE, arr, &err) != ECR_OK)
      gap_text(ctx, "iam:GetServiceLastAccessedDetails", ctx->account ? ctx->account : "",
               "WriteError", err.message);
  }
  cJSON_Delete(arr);
  ecr_buf_cleanup(&params);
  ecr_aws_response_cleanup(&resp);
  free(arns);
}
