/* sts:GetCallerIdentity and sts:AssumeRole (Query protocol, XML). */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>

#include "collect/aws.h"

#define STS_VERSION "2011-06-15"

/* Text of the first element called name under n (depth-first), caller frees;
 * NULL when absent. */
static char *find_text(xmlNodePtr n, const char *name) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (xmlStrcmp(n->name, BAD_CAST name) == 0) {
      xmlChar *s = xmlNodeGetContent(n);
      char *out = ecr_xstrdup((const char *)s);
      if (s) {
        OPENSSL_cleanse(s, strlen((const char *)s));
        xmlFree(s);
      }
      return out;
    }
    char *sub = find_text(n->children, name);
    if (sub) return sub;
  }
  return NULL;
}

static xmlDocPtr parse(const ecr_aws_response *r) {
  return xmlReadMemory(r->body.data, (int)r->body.len, "sts.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* The temporary credentials of an AssumeRole* answer (call names the call
 * and role the role in an error); out is left empty on error. */
static ecr_status creds_of(const ecr_aws_response *resp, const char *call, const char *role,
                           ecr_aws_creds *out, ecr_error *err) {
  xmlDocPtr doc = parse(resp);
  xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
  out->access_key_id = find_text(root, "AccessKeyId");
  out->secret_access_key = find_text(root, "SecretAccessKey");
  out->session_token = find_text(root, "SessionToken");
  char *exp = find_text(root, "Expiration");
  out->expiration = ecr_aws_parse_time(exp);
  free(exp);
  if (doc) xmlFreeDoc(doc);
  if (out->access_key_id && out->secret_access_key && out->session_token) return ECR_OK;
  ecr_aws_creds_cleanup(out);
  return ecr_error_set(err, ECR_E_COLLECT, NULL, "%s %s: unexpected response (no credentials)",
                       call, role);
}

ecr_status ecr_sts_get_caller_identity(ecr_aws_client *c, const char *region, cJSON **out,
                                       ecr_error *err) {
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  xmlDocPtr doc = NULL;
  char *user = NULL, *acct = NULL, *arn = NULL;
  *out = NULL;
  ecr_status st =
      ecr_aws_query(c, "sts", region, STS_VERSION, "GetCallerIdentity", NULL, &resp, err);
  if (st != ECR_OK) goto cleanup;
  doc = parse(&resp);
  xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
  user = find_text(root, "UserId");
  acct = find_text(root, "Account");
  arn = find_text(root, "Arn");
  if (!acct || !arn || !user) {
    st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                       "sts:GetCallerIdentity: unexpected response (no Account/Arn/UserId)");
    goto cleanup;
  }
  *out = cJSON_CreateObject();
  cJSON_AddStringToObject(*out, "UserId", user);
  cJSON_AddStringToObject(*out, "Account", acct);
  cJSON_AddStringToObject(*out, "Arn", arn);
cleanup:
  free(user);
  free(acct);
  free(arn);
  if (doc) xmlFreeDoc(doc);
  ecr_aws_response_cleanup(&resp);
  return st;
}

ecr_status ecr_sts_assume_role(ecr_aws_client *c, const ecr_assume_role_params *p,
                               ecr_aws_creds *out, ecr_error *err) {
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_buf params;
  ecr_buf_init(&params);
  memset(out, 0, sizeof(*out));
  ecr_aws_form_add(&params, "RoleArn", p->role_arn);
  ecr_aws_form_add(&params, "RoleSessionName", p->session_name);
  if (p->external_id) ecr_aws_form_add(&params, "ExternalId", p->external_id);
  if (p->duration_seconds) ecr_aws_form_add(&params, "DurationSeconds", p->duration_seconds);
  ecr_status st = ecr_aws_query(c, "sts", p->region ? p->region : "us-east-1", STS_VERSION,
                                "AssumeRole", params.data, &resp, err);
  if (st != ECR_OK) {
    char *msg = ecr_xasprintf("assuming %s: %s", p->role_arn, err ? err->message : "");
    st = ecr_error_set(err, ECR_E_COLLECT, NULL, "%s", msg);
    free(msg);
    goto cleanup;
  }
  st = creds_of(&resp, "sts:AssumeRole", p->role_arn, out, err);
cleanup:
  /* the response body holds the new secret key */
  if (resp.body.data) OPENSSL_cleanse(resp.body.data, resp.body.len);
  ecr_aws_response_cleanup(&resp);
  ecr_buf_cleanup(&params);
  return st;
}

ecr_status ecr_sts_assume_role_with_web_identity(ecr_aws_client *c,
                                                 const ecr_web_identity_params *p,
                                                 ecr_aws_creds *out, ecr_error *err) {
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  ecr_buf params;
  ecr_buf_init(&params);
  memset(out, 0, sizeof(*out));
  ecr_aws_form_add(&params, "RoleArn", p->role_arn);
  ecr_aws_form_add(&params, "RoleSessionName", p->session_name);
  ecr_aws_form_add(&params, "WebIdentityToken", p->token);
  if (p->duration_seconds) ecr_aws_form_add(&params, "DurationSeconds", p->duration_seconds);
  ecr_status st = ecr_aws_query(c, "sts", p->region ? p->region : "us-east-1", STS_VERSION,
                                "AssumeRoleWithWebIdentity", params.data, &resp, err);
  if (st != ECR_OK) goto cleanup;
  st = creds_of(&resp, "sts:AssumeRoleWithWebIdentity", p->role_arn, out, err);
cleanup:
  if (resp.body.data) OPENSSL_cleanse(resp.body.data, resp.body.len);
  ecr_aws_response_cleanup(&resp);
  /* the request held the token */
  if (params.data) OPENSSL_cleanse(params.data, params.len);
  ecr_buf_cleanup(&params);
  return st;
}
