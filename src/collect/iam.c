/* iam:GetAccountAuthorizationDetails: Query protocol, XML pages joined by
 * Marker/IsTruncated, converted into the JSON the AWS CLI prints (policy
 * documents URL-decoded into JSON objects, timestamps in ISO 8601). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "collect/aws.h"

#define IAM_VERSION "2010-05-08"

/* Shapes of the GetAccountAuthorizationDetails output (botocore iam model). */
static const char *const list_names[] = {
    "UserDetailList",    "GroupDetailList", "RoleDetailList",          "Policies",
    "UserPolicyList",    "GroupList",       "AttachedManagedPolicies", "Tags",
    "GroupPolicyList",   "RolePolicyList",  "InstanceProfileList",     "Roles",
    "PolicyVersionList",
};
static const char *const struct_names[] = {"PermissionsBoundary", "RoleLastUsed"};
static const char *const bool_names[] = {"IsTruncated", "IsDefaultVersion", "IsAttachable"};
static const char *const int_names[] = {"AttachmentCount", "PermissionsBoundaryUsageCount",
                                        "MaxSessionDuration"};
static const char *const doc_names[] = {"PolicyDocument", "AssumeRolePolicyDocument", "Document"};
static const char *const time_names[] = {"CreateDate", "UpdateDate", "LastUsedDate"};
/* result lists merged across pages, in the CLI's order */
static const char *const result_keys[] = {"UserDetailList", "GroupDetailList", "RoleDetailList",
                                          "Policies"};

#define IN(name, table) in_table(name, table, sizeof(table) / sizeof(table[0]))

static bool in_table(const char *name, const char *const *t, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(name, t[i]) == 0) return true;
  return false;
}

static bool has_element_children(xmlNodePtr n) {
  for (xmlNodePtr c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return true;
  return false;
}

static char *text_of(xmlNodePtr n) {
  xmlChar *s = xmlNodeGetContent(n);
  char *out = ecr_xstrdup(s ? (const char *)s : "");
  xmlFree(s);
  return out;
}

static cJSON *convert(xmlNodePtr n, int depth);

/* Set when a response holds what AWS never sends: an element twice in one
 * structure, or a policy document with a duplicate key or U+0000 (the
 * bundle would then be rejected by the loader; the collector says so). */
static _Thread_local const char *convert_bad;

static cJSON *convert_struct(xmlNodePtr n, int depth) {
  cJSON *obj = cJSON_CreateObject();
  for (xmlNodePtr c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    cJSON *v = convert(c, depth + 1);
    if (!v) continue;
    if (cJSON_GetObjectItemCaseSensitive(obj, (const char *)c->name)) {
      convert_bad = "an element repeated in one structure";
      cJSON_Delete(v);
      continue;
    }
    cJSON_AddItemToObject(obj, (const char *)c->name, v);
  }
  return obj;
}

/* One element -> JSON by the shape tables; unknown leaves are strings. */
static cJSON *convert(xmlNodePtr n, int depth) {
  const char *name = (const char *)n->name;
  if (depth > 32) return cJSON_CreateNull();
  if (IN(name, list_names)) {
    cJSON *arr = cJSON_CreateArray();
    for (xmlNodePtr c = n->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      cJSON *item;
      if (has_element_children(c)) {
        item = convert_struct(c, depth + 1);
      } else {
        char *t = text_of(c);
        item = cJSON_CreateString(t);
        free(t);
      }
      cJSON_AddItemToArray(arr, item);
    }
    return arr;
  }
  if (IN(name, struct_names) || has_element_children(n)) return convert_struct(n, depth);
  char *t = text_of(n);
  cJSON *v;
  if (IN(name, bool_names)) {
    v = cJSON_CreateBool(strcmp(t, "true") == 0);
  } else if (IN(name, int_names)) {
    v = cJSON_CreateNumber(strtod(t, NULL));
  } else if (IN(name, doc_names)) {
    /* as botocore's json_decode_policies: unquote, then JSON (order kept) */
    char *decoded = ecr_url_decode(t);
    size_t off = 0, first = 0;
    char msg[160];
    size_t dlen = strlen(decoded);
    if (strstr(t, "%00")) convert_bad = "a policy document with U+0000";
    v = cJSON_Parse(decoded);
    if (v && !ecr_json_check(decoded, dlen, &off, &first, msg, sizeof(msg)))
      convert_bad = "a policy document with a duplicate key or U+0000";
    if (!v) v = cJSON_CreateString(decoded);
    free(decoded);
  } else if (IN(name, time_names)) {
    char *iso = ecr_aws_time_from_iso(t);
    v = cJSON_CreateString(iso);
    free(iso);
  } else {
    v = cJSON_CreateString(t);
  }
  free(t);
  return v;
}

static xmlNodePtr child(xmlNodePtr n, const char *name) {
  for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0) return c;
  return NULL;
}

ecr_status ecr_iam_parse_page(const char *xml, size_t len, cJSON *acc, char **marker,
                              ecr_error *err) {
  *marker = NULL;
  xmlDocPtr doc =
      xmlReadMemory(xml, (int)len, "iam.xml", NULL,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
  ecr_status st = ECR_OK;
  xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
  xmlNodePtr result = child(root, "GetAccountAuthorizationDetailsResult");
  if (!result) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "iam:GetAccountAuthorizationDetails: unexpected response (%s)",
                       doc ? "no GetAccountAuthorizationDetailsResult" : "not XML");
    goto cleanup;
  }
  convert_bad = NULL;
  for (size_t i = 0; i < sizeof(result_keys) / sizeof(result_keys[0]); i++) {
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(acc, result_keys[i]);
    if (!arr) arr = cJSON_AddArrayToObject(acc, result_keys[i]);
    xmlNodePtr list = child(result, result_keys[i]);
    if (!list) continue;
    cJSON *page = convert(list, 0);
    cJSON *item;
    while ((item = cJSON_DetachItemFromArray(page, 0)) != NULL) cJSON_AddItemToArray(arr, item);
    cJSON_Delete(page);
  }
  if (convert_bad) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "iam:GetAccountAuthorizationDetails: malformed response (%s)", convert_bad);
    goto cleanup;
  }
  xmlNodePtr trunc = child(result, "IsTruncated");
  xmlNodePtr mark = child(result, "Marker");
  if (trunc) {
    char *t = text_of(trunc);
    if (strcmp(t, "true") == 0) {
      if (mark) *marker = text_of(mark);
      if (!*marker || !**marker) {
        free(*marker);
        *marker = NULL;
        st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                           "iam:GetAccountAuthorizationDetails: IsTruncated without Marker");
      }
    }
    free(t);
  }
cleanup:
  if (doc) xmlFreeDoc(doc);
  return st;
}

#define MAX_PAGES 10000

ecr_status ecr_iam_get_account_authorization_details(ecr_collect_ctx *ctx, cJSON **out,
                                                     ecr_error *err) {
  cJSON *acc = cJSON_CreateObject();
  for (size_t i = 0; i < sizeof(result_keys) / sizeof(result_keys[0]); i++)
    cJSON_AddArrayToObject(acc, result_keys[i]);
  char *marker = NULL;
  ecr_status st = ECR_OK;
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_buf params;
  ecr_buf_init(&params);
  int page = 0;
  ecr_token_set seen = {0};
  do {
    ecr_buf_reset(&params);
    if (marker) ecr_aws_form_add(&params, "Marker", marker);
    /* IAM is global: the region argument only picks the partition */
    st = ecr_aws_query(ctx->client, "iam",
                       ctx->partition && strcmp(ctx->partition, "aws-cn") == 0 ? "cn-north-1"
                       : ctx->partition && strcmp(ctx->partition, "aws-us-gov") == 0
                           ? "us-gov-west-1"
                           : "us-east-1",
                       IAM_VERSION, "GetAccountAuthorizationDetails", params.data, &resp, err);
    if (st != ECR_OK) goto cleanup;
    free(marker);
    marker = NULL;
    st = ecr_iam_parse_page(resp.body.data, resp.body.len, acc, &marker, err);
    if (st != ECR_OK) goto cleanup;
    page++;
    ecr_collect_progress(ctx, marker == NULL, "IAM authorization details: page %d", page);
    if (marker && ecr_token_set_add(&seen, marker)) {
      st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "iam:GetAccountAuthorizationDetails: PaginationLoop: page %d repeats a "
                         "Marker the call already returned",
                         page);
      goto cleanup;
    }
    if (page >= MAX_PAGES) {
      st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "iam:GetAccountAuthorizationDetails: more than %d pages", MAX_PAGES);
      goto cleanup;
    }
  } while (marker);
cleanup:
  free(marker);
  ecr_token_set_cleanup(&seen);
  ecr_buf_cleanup(&params);
  ecr_aws_response_cleanup(&resp);
  if (st != ECR_OK) {
    cJSON_Delete(acc);
    acc = NULL;
  }
  *out = acc;
  return st;
}

/* Text of the first element called name anywhere under n; caller frees. */
static char *xml_text(xmlNodePtr n, const char *name) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (xmlStrcmp(n->name, BAD_CAST name) == 0) {
      xmlChar *s = xmlNodeGetContent(n);
      char *out = ecr_xstrdup((const char *)s);
      xmlFree(s);
      return out;
    }
    char *sub = xml_text(n->children, name);
    if (sub) return sub;
  }
  return NULL;
}

static char *iam_call_text(ecr_collect_ctx *ctx, const char *op, const char *name,
                           ecr_aws_response *resp, ecr_error *err) {
  const char *region = ctx->partition && strcmp(ctx->partition, "aws-cn") == 0 ? "cn-north-1"
                       : ctx->partition && strcmp(ctx->partition, "aws-us-gov") == 0
                           ? "us-gov-west-1"
                           : "us-east-1";
  if (ecr_aws_query(ctx->client, "iam", region, IAM_VERSION, op, NULL, resp, err) != ECR_OK)
    return NULL;
  xmlDocPtr doc =
      xmlReadMemory(resp->body.data, (int)resp->body.len, "iam.xml", NULL,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
  char *v = doc ? xml_text(xmlDocGetRootElement(doc), name) : NULL;
  if (doc) xmlFreeDoc(doc);
  return v;
}

void ecr_iam_collect_credential_report(ecr_collect_ctx *ctx) {
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_error err;
  char *state = NULL, *content = NULL, *format = NULL, *when = NULL;
  const char *resource = ctx->account ? ctx->account : "";
  /* GenerateCredentialReport until COMPLETE (AWS builds it in seconds, at most every 4 h) */
  for (int i = 0; i < 10; i++) {
    free(state);
    state = iam_call_text(ctx, "GenerateCredentialReport", "State", &resp, &err);
    if (!state) {
      ecr_collect_gap(ctx, "iam:GenerateCredentialReport", resource, &resp);
      goto cleanup;
    }
    if (strcmp(state, "COMPLETE") == 0) break;
    struct timespec ts = {1, 0};
    nanosleep(&ts, NULL);
  }
  content = iam_call_text(ctx, "GetCredentialReport", "Content", &resp, &err);
  if (!content) {
    if (!resp.error_code) {
      resp.error_code = ecr_xstrdup("InvalidResponse");
      resp.error_message = ecr_xstrdup("GetCredentialReport response has no Content");
    }
    ecr_collect_gap(ctx, "iam:GetCredentialReport", resource, &resp);
    goto cleanup;
  }
  {
    xmlDocPtr doc =
        xmlReadMemory(resp.body.data, (int)resp.body.len, "iam.xml", NULL,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
    format = doc ? xml_text(xmlDocGetRootElement(doc), "ReportFormat") : NULL;
    when = doc ? xml_text(xmlDocGetRootElement(doc), "GeneratedTime") : NULL;
    if (doc) xmlFreeDoc(doc);
  }
  cJSON *out = cJSON_CreateObject();
  cJSON_AddStringToObject(out, "Content", content);
  if (format) cJSON_AddStringToObject(out, "ReportFormat", format);
  if (when) {
    char *iso = ecr_aws_time_from_iso(when);
    cJSON_AddStringToObject(out, "GeneratedTime", iso ? iso : when);
    free(iso);
  }
  if (ecr_bundle_write_json(ctx, "iam/credential-report.json", out, &err) != ECR_OK) {
    ecr_aws_response w = {0};
    w.error_code = (char *)"WriteError";
    w.error_message = err.message;
    ecr_collect_gap(ctx, "iam:GetCredentialReport", resource, &w);
  }
  cJSON_Delete(out);
  ecr_collect_progress(ctx, true, "IAM credential report");
cleanup:
  free(state);
  free(content);
  free(format);
  free(when);
  ecr_aws_response_cleanup(&resp);
}
