/* Policy documents: parse (object, JSON string or URL-encoded JSON string),
 * compile statements (action bitsets, principals, condition flag), and
 * match resource patterns with policy variables. */
#include "ecraudit/policy.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/util.h"

/* ---- helpers ------------------------------------------------------------ */
/* A string or an array of strings -> new string vector. */
static ecr_status string_list(const cJSON *v, const char *key, size_t sidx, const char *file,
                              char ***out, size_t *n, ecr_error *err) {
  *out = NULL;
  *n = 0;
  if (cJSON_IsString(v)) {
    *out = ecr_xcalloc(1, sizeof(char *));
    (*out)[0] = ecr_xstrdup(v->valuestring);
    *n = 1;
    return ECR_OK;
  }
  if (!cJSON_IsArray(v))
    return ecr_error_set(err, ECR_E_INPUT, file,
                         "policy statement %zu: %s must be a string or an array of strings", sidx,
                         key);
  size_t cnt = (size_t)cJSON_GetArraySize(v);
  *out = ecr_xcalloc(cnt ? cnt : 1, sizeof(char *));
  const cJSON *it;
  cJSON_ArrayForEach(it, v) {
    if (!cJSON_IsString(it)) {
      for (size_t i = 0; i < *n; i++) free((*out)[i]);
      free(*out);
      *out = NULL;
      *n = 0;
      return ecr_error_set(err, ECR_E_INPUT, file,
                           "policy statement %zu: %s must contain only strings", sidx, key);
    }
    (*out)[(*n)++] = ecr_xstrdup(it->valuestring);
  }
  return ECR_OK;
}

static void free_strv(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

static bool all_digits12(const char *s) {
  if (strlen(s) != 12) return false;
  for (int i = 0; i < 12; i++)
    if (!isdigit((unsigned char)s[i])) return false;
  return true;
}

static void add_principal(ecr_statement *st, size_t *cap, ecr_principal_type t, const char *v) {
  ecr_principal_ref ref = {t, NULL};
  if (t == ECR_PT_AWS && strcmp(v, "*") == 0) {
    ref.type = ECR_PT_STAR;
    ref.value = ecr_xstrdup("*");
  } else if (t == ECR_PT_AWS && all_digits12(v)) {
    ref.value = ecr_xasprintf("arn:aws:iam::%s:root", v);
  } else {
    ref.value = ecr_xstrdup(v);
  }
  ECR_PUSH(st->principals, st->n_principals, *cap, ref);
}

static ecr_status parse_principal(const cJSON *v, ecr_statement *st, const char *key,
                                  const char *file, ecr_error *err) {
  size_t cap = 0;
  if (cJSON_IsString(v)) {
    if (strcmp(v->valuestring, "*") != 0)
      return ecr_error_set(err, ECR_E_INPUT, file, "policy statement %zu: %s string must be \"*\"",
                           st->index, key);
    add_principal(st, &cap, ECR_PT_STAR, "*");
    return ECR_OK;
  }
  if (!cJSON_IsObject(v))
    return ecr_error_set(err, ECR_E_INPUT, file,
                         "policy statement %zu: %s must be \"*\" or an object", st->index, key);
  const cJSON *kv;
  cJSON_ArrayForEach(kv, v) {
    ecr_principal_type t;
    if (strcmp(kv->string, "AWS") == 0)
      t = ECR_PT_AWS;
    else if (strcmp(kv->string, "Service") == 0)
      t = ECR_PT_SERVICE;
    else if (strcmp(kv->string, "Federated") == 0)
      t = ECR_PT_FEDERATED;
    else if (strcmp(kv->string, "CanonicalUser") == 0)
      t = ECR_PT_CANONICAL;
    else
      return ecr_error_set(err, ECR_E_INPUT, file,
                           "policy statement %zu: unknown principal type \"%s\"", st->index,
                           kv->string);
    char **vals = NULL;
    size_t n = 0;
    ecr_status s = string_list(kv, key, st->index, file, &vals, &n, err);
    if (s != ECR_OK) return s;
    for (size_t i = 0; i < n; i++) add_principal(st, &cap, t, vals[i]);
    free_strv(vals, n);
  }
  return ECR_OK;
}

static const cJSON *get(const cJSON *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* The members parse_statement reads, each the first of its name (as
 * cJSON_GetObjectItemCaseSensitive finds it), in one pass over the object. */
enum {
  F_SID,
  F_EFFECT,
  F_ACTION,
  F_NOT_ACTION,
  F_RESOURCE,
  F_NOT_RESOURCE,
  F_PRINCIPAL,
  F_NOT_PRINCIPAL,
  F_CONDITION,
  F_COUNT
};
static const char *const field_names[F_COUNT] = {"Sid",       "Effect",       "Action",
                                                 "NotAction", "Resource",     "NotResource",
                                                 "Principal", "NotPrincipal", "Condition"};

static void statement_fields(const cJSON *s, const cJSON *f[F_COUNT]) {
  for (int i = 0; i < F_COUNT; i++) f[i] = NULL;
  for (const cJSON *m = s->child; m; m = m->next) {
    if (!m->string) continue;
    for (int i = 0; i < F_COUNT; i++)
      if (!f[i] && strcmp(m->string, field_names[i]) == 0) {
        f[i] = m;
        break;
      }
  }
}

static ecr_status parse_statement(const cJSON *s, size_t idx, const char *file, bool variables,
                                  ecr_statement *st, ecr_error *err) {
  memset(st, 0, sizeof(*st));
  st->index = idx;
  if (!cJSON_IsObject(s))
    return ecr_error_set(err, ECR_E_INPUT, file, "policy statement %zu: must be an object", idx);
  const cJSON *f[F_COUNT];
  statement_fields(s, f);
  const cJSON *sid = f[F_SID];
  if (sid && !cJSON_IsString(sid))
    return ecr_error_set(err, ECR_E_INPUT, file, "policy statement %zu: Sid must be a string", idx);
  if (sid) st->sid = ecr_xstrdup(sid->valuestring);
  const cJSON *effect = f[F_EFFECT];
  if (!cJSON_IsString(effect))
    return ecr_error_set(err, ECR_E_INPUT, file, "policy statement %zu: Effect is missing", idx);
  if (strcmp(effect->valuestring, "Deny") == 0)
    st->deny = true;
  else if (strcmp(effect->valuestring, "Allow") != 0)
    return ecr_error_set(err, ECR_E_INPUT, file,
                         "policy statement %zu: Effect must be \"Allow\" or \"Deny\", not \"%s\"",
                         idx, effect->valuestring);

  const cJSON *action = f[F_ACTION], *not_action = f[F_NOT_ACTION];
  if (action && not_action)
    return ecr_error_set(err, ECR_E_INPUT, file,
                         "policy statement %zu: has both Action and NotAction", idx);
  if (action || not_action) {
    char **acts = NULL;
    size_t n = 0;
    ecr_status rc = string_list(action ? action : not_action, action ? "Action" : "NotAction", idx,
                                file, &acts, &n, err);
    if (rc != ECR_OK) return rc;
    ecr_actset set = 0;
    for (size_t i = 0; i < n; i++) set |= ecr_catalog_match(acts[i]);
    st->action_patterns = acts; /* kept for actions outside the catalog (sts:AssumeRole) */
    st->n_action_patterns = n;
    st->not_action = not_action != NULL;
    st->actions = st->not_action ? (ecr_catalog_all() & ~set) : set;
  }

  const cJSON *res = f[F_RESOURCE], *not_res = f[F_NOT_RESOURCE];
  if (res && not_res)
    return ecr_error_set(err, ECR_E_INPUT, file,
                         "policy statement %zu: has both Resource and NotResource", idx);
  if (res || not_res) {
    ecr_status rc = string_list(res ? res : not_res, res ? "Resource" : "NotResource", idx, file,
                                &st->resources, &st->n_resources, err);
    if (rc != ECR_OK) return rc;
    st->not_resource = not_res != NULL;
  }

  const cJSON *pr = f[F_PRINCIPAL], *not_pr = f[F_NOT_PRINCIPAL];
  if (pr && not_pr)
    return ecr_error_set(err, ECR_E_INPUT, file,
                         "policy statement %zu: has both Principal and NotPrincipal", idx);
  if (pr || not_pr) {
    st->has_principal = true;
    st->not_principal = not_pr != NULL;
    ecr_status rc =
        parse_principal(pr ? pr : not_pr, st, pr ? "Principal" : "NotPrincipal", file, err);
    if (rc != ECR_OK) return rc;
  }

  const cJSON *cond = f[F_CONDITION];
  if (cond) {
    /* variables: the document's Version allows policy variables */
    ecr_status rc = ecr_condition_compile(cond, variables, file, idx, &st->condition, err);
    if (rc != ECR_OK) return rc;
    if (ecr_condition_never(st->condition)) {
      st->cond = ECR_COND_NEVER;
    } else if (ecr_condition_n_entries(st->condition) == 0) {
      /* "Condition": {} (or operators without keys): nothing to test */
      ecr_condition_free(st->condition);
      st->condition = NULL;
    } else {
      st->cond = ECR_COND_UNKNOWN;
    }
  }
  st->json = cJSON_PrintUnformatted(s);
  if (!st->json) st->json = ecr_xstrdup("{}");
  return ECR_OK;
}

static void statement_cleanup(ecr_statement *st) {
  free(st->sid);
  free_strv(st->resources, st->n_resources);
  free_strv(st->action_patterns, st->n_action_patterns);
  ecr_condition_free(st->condition);
  for (size_t i = 0; i < st->n_principals; i++) free(st->principals[i].value);
  free(st->principals);
  free(st->json);
}

void ecr_policy_free(ecr_policy *p) {
  if (!p) return;
  for (size_t i = 0; i < p->n_statements; i++) statement_cleanup(&p->statements[i]);
  free(p->statements);
  free(p->version);
  free(p->json);
  free(p);
}

/* A string as cJSON prints it (print_string_ptr: ", \\ and the C0 controls
 * escaped, every other byte as is). */
static void put_json_string(ecr_buf *b, const char *s) {
  ecr_buf_putc(b, '"');
  for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
    if (*c > 31 && *c != '"' && *c != '\\') {
      ecr_buf_putc(b, (char)*c);
      continue;
    }
    ecr_buf_putc(b, '\\');
    switch (*c) {
    case '\\': ecr_buf_putc(b, '\\'); break;
    case '"': ecr_buf_putc(b, '"'); break;
    case '\b': ecr_buf_putc(b, 'b'); break;
    case '\f': ecr_buf_putc(b, 'f'); break;
    case '\n': ecr_buf_putc(b, 'n'); break;
    case '\r': ecr_buf_putc(b, 'r'); break;
    case '\t': ecr_buf_putc(b, 't'); break;
    default: ecr_buf_printf(b, "u%04x", *c); break;
    }
  }
  ecr_buf_putc(b, '"');
}

/* cJSON_PrintUnformatted(doc), with the member stmts spelled from the
 * statements' texts (printed already: printing them again was as costly as
 * all the rest of the parse). NULL when a text is missing. */
static char *document_json(const cJSON *doc, const cJSON *stmts, const ecr_policy *p) {
  for (size_t i = 0; i < p->n_statements; i++)
    if (!p->statements[i].json || strcmp(p->statements[i].json, "{}") == 0) return NULL;
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_buf_putc(&b, '{');
  for (const cJSON *m = doc->child; m; m = m->next) {
    if (m != doc->child) ecr_buf_putc(&b, ',');
    put_json_string(&b, m->string);
    ecr_buf_putc(&b, ':');
    if (m == stmts && cJSON_IsObject(stmts)) {
      ecr_buf_puts(&b, p->statements[0].json);
    } else if (m == stmts) {
      ecr_buf_putc(&b, '[');
      for (size_t i = 0; i < p->n_statements; i++) {
        if (i) ecr_buf_putc(&b, ',');
        ecr_buf_puts(&b, p->statements[i].json);
      }
      ecr_buf_putc(&b, ']');
    } else {
      char *v = cJSON_PrintUnformatted(m);
      if (!v) {
        ecr_buf_cleanup(&b);
        return NULL;
      }
      ecr_buf_puts(&b, v);
      cJSON_free(v);
    }
  }
  ecr_buf_putc(&b, '}');
  return ecr_buf_steal(&b);
}

static ecr_status parse_document(const cJSON *doc, const char *file, ecr_policy **out,
                                 ecr_error *err) {
  *out = NULL;
  if (!cJSON_IsObject(doc))
    return ecr_error_set(err, ECR_E_INPUT, file, "policy document must be a JSON object");
  ecr_policy *p = ecr_xcalloc(1, sizeof(*p));
  const cJSON *ver = get(doc, "Version");
  if (ver && !cJSON_IsString(ver)) {
    ecr_policy_free(p);
    return ecr_error_set(err, ECR_E_INPUT, file, "policy Version must be a string");
  }
  if (ver) p->version = ecr_xstrdup(ver->valuestring);
  p->variables = p->version && strcmp(p->version, "2012-10-17") == 0;
  const cJSON *stmts = get(doc, "Statement");
  ecr_status rc = ECR_OK;
  if (stmts && !cJSON_IsArray(stmts) && !cJSON_IsObject(stmts)) {
    ecr_policy_free(p);
    return ecr_error_set(err, ECR_E_INPUT, file,
                         "policy Statement must be an object or an array of objects");
  }
  if (cJSON_IsObject(stmts)) {
    p->statements = ecr_xcalloc(1, sizeof(ecr_statement));
    p->n_statements = 1;
    rc = parse_statement(stmts, 0, file, p->variables, &p->statements[0], err);
  } else if (stmts) {
    size_t n = (size_t)cJSON_GetArraySize(stmts);
    if (n > ECR_MAX_STATEMENTS) {
      ecr_policy_free(p);
      return ecr_error_set(err, ECR_E_INPUT, file, "policy has more than %d statements",
                           ECR_MAX_STATEMENTS);
    }
    p->statements = ecr_xcalloc(n ? n : 1, sizeof(ecr_statement));
    const cJSON *s;
    cJSON_ArrayForEach(s, stmts) {
      rc = parse_statement(s, p->n_statements, file, p->variables, &p->statements[p->n_statements],
                           err);
      p->n_statements++;
      if (rc != ECR_OK) break;
    }
  }
  if (rc != ECR_OK) {
    ecr_policy_free(p);
    return rc;
  }
  for (size_t i = 0; i < p->n_statements; i++)
    if (p->statements[i].actions) p->touches_ecr = true;
  p->json = document_json(doc, stmts, p);
  if (!p->json) p->json = cJSON_PrintUnformatted(doc);
  *out = p;
  return ECR_OK;
}

ecr_status ecr_policy_parse_text(const char *text, const char *source_file, ecr_policy **out,
                                 ecr_error *err) {
  *out = NULL;
  const char *p = text;
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
  char *decoded = NULL;
  if (*p != '{') {
    /* %00 would decode to a NUL that ends the document early */
    for (const char *q = strchr(p, '%'); q; q = strchr(q + 1, '%'))
      if (q[1] == '0' && q[2] == '0')
        return ecr_error_set(err, ECR_E_INPUT, source_file,
                             "embedded policy document holds U+0000 (%%00 at character %zu of "
                             "the document)",
                             (size_t)(q - text));
    decoded = ecr_url_decode(p);
    p = decoded;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
  }
  const char *end = NULL;
  size_t bad = 0, first = SIZE_MAX;
  char why[160];
  cJSON *doc = NULL;
  ecr_status rc;
  if (!ecr_json_check(p, strlen(p), &bad, &first, why, sizeof(why))) {
    rc = ecr_error_set(err, ECR_E_INPUT, source_file,
                       "embedded policy document: %s (at character %zu of the document)", why, bad);
  } else if (!(doc = cJSON_ParseWithOpts(p, &end, true))) {
    size_t off = end ? (size_t)(end - p) : 0;
    rc = ecr_error_set(err, ECR_E_INPUT, source_file,
                       "embedded policy document is not valid JSON (at character %zu of the "
                       "document)",
                       off);
  } else {
    rc = parse_document(doc, source_file, out, err);
  }
  cJSON_Delete(doc);
  free(decoded);
  return rc;
}

ecr_status ecr_policy_parse_value(const cJSON *value, const char *source_file, ecr_policy **out,
                                  ecr_error *err) {
  *out = NULL;
  if (cJSON_IsString(value))
    return ecr_policy_parse_text(value->valuestring, source_file, out, err);
  if (cJSON_IsObject(value)) return parse_document(value, source_file, out, err);
  return ecr_error_set(err, ECR_E_INPUT, source_file,
                       "policy document must be a JSON object or a string");
}

/* ---- resource patterns with policy variables -------------------------- */
enum { TOK_STAR = 256, TOK_ONE = 257 };

static bool vars_pattern(const char *pattern, bool variables) {
  return variables && strstr(pattern, "${") != NULL;
}

bool ecr_pattern_has_variables(const char *pattern, bool variables) {
  return vars_pattern(pattern, variables);
}

/* Look up a variable's value. *absent when the key has no value for this
 * principal; NULL return without absent: value only known per request. */
static const char *var_value(const char *key, const ecr_var_context *vars, bool *absent) {
  *absent = false;
  if (!vars) return NULL;
  if (ecr_strcasecmp_ascii(key, "aws:username") == 0) {
    *absent = vars->username == NULL;
    return vars->username;
  }
  if (ecr_strcasecmp_ascii(key, "aws:PrincipalAccount") == 0) return vars->account;
  if (ecr_strcasecmp_ascii(key, "aws:PrincipalArn") == 0) return vars->principal_arn;
  if (ecr_strcasecmp_ascii(key, "aws:PrincipalType") == 0) return vars->principal_type;
  if (ecr_strcasecmp_ascii(key, "aws:userid") == 0) return vars->userid;
  const char *tp = "aws:PrincipalTag/";
  if (strlen(key) > strlen(tp) && strncasecmp(key, tp, strlen(tp)) == 0) {
    const char *tk = key + strlen(tp);
    if (vars->tags_undecided) return NULL; /* session tags may set any tag */
    for (size_t i = 0; vars->tags && vars->tags[i]; i += 2)
      if (ecr_strcasecmp_ascii(vars->tags[i], tk) == 0) return vars->tags[i + 1];
    *absent = true;
    return NULL;
  }
  return NULL; /* a request-time key: unknown */
}

/* Compile a pattern into tokens. Returns false when the pattern can match
 * nothing (an absent variable without default). *maybe when a request-time
 * variable was replaced by a wildcard. */
static bool compile_pattern(const char *pat, bool variables, const ecr_var_context *vars, int **out,
                            size_t *n, bool *maybe) {
  size_t cap = strlen(pat) + 16, len = 0;
  int *t = ecr_xmalloc(cap * sizeof(int));
  *maybe = false;
  for (const char *p = pat; *p;) {
    if (variables && p[0] == '$' && p[1] == '{') {
      const char *close = strchr(p + 2, '}');
      if (close) {
        char *inner = ecr_xstrndup(p + 2, (size_t)(close - p - 2));
        char *def = NULL;
        char *comma = strchr(inner, ',');
        if (comma) {
          *comma = '\0';
          char *d = comma + 1;
          while (*d == ' ') d++;
          size_t dl = strlen(d);
          while (dl && d[dl - 1] == ' ') d[--dl] = '\0';
          if (dl >= 2 && d[0] == '\'' && d[dl - 1] == '\'') def = ecr_xstrndup(d + 1, dl - 2);
        }
        size_t il = strlen(inner);
        while (il && inner[il - 1] == ' ') inner[--il] = '\0';
        const char *val = NULL;
        bool absent = false, literal = false;
        if (strcmp(inner, "*") == 0 || strcmp(inner, "?") == 0 || strcmp(inner, "$") == 0) {
          literal = true;
        } else {
          val = var_value(inner, vars, &absent);
          if (!val && absent && def) {
            val = def;
            absent = false;
          }
        }
        const char *ins = literal ? inner : val;
        size_t need = len + (ins ? strlen(ins) : 1) + 1;
        if (need > cap) {
          cap = need * 2;
          t = ecr_xrealloc(t, cap * sizeof(int));
        }
        if (ins) {
          for (const char *c = ins; *c; c++) t[len++] = (unsigned char)*c;
        } else if (absent) {
          free(inner);
          free(def);
          free(t);
          return false;
        } else {
          t[len++] = TOK_STAR;
          *maybe = true;
        }
        free(inner);
        free(def);
        p = close + 1;
        continue;
      }
    }
    if (len + 1 > cap) {
      cap *= 2;
      t = ecr_xrealloc(t, cap * sizeof(int));
    }
    t[len++] = *p == '*' ? TOK_STAR : *p == '?' ? TOK_ONE : (unsigned char)*p;
    p++;
  }
  *out = t;
  *n = len;
  return true;
}

static bool token_match(const int *p, size_t np, const char *text) {
  const unsigned char *t = (const unsigned char *)text;
  size_t i = 0, star_i = (size_t)-1;
  const unsigned char *star_t = NULL;
  while (*t) {
    if (i < np && p[i] == TOK_STAR) {
      while (i < np && p[i] == TOK_STAR) i++;
      if (i == np) return true;
      star_i = i;
      star_t = t;
    } else if (i < np && (p[i] == TOK_ONE || p[i] == *t)) {
      i++;
      t++;
    } else if (star_t) {
      i = star_i;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (i < np && p[i] == TOK_STAR) i++;
  return i == np;
}

void ecr_pattern_compile(ecr_pattern *p, const char *pattern, bool variables,
                         const ecr_var_context *vars) {
  memset(p, 0, sizeof(*p));
  p->never = !compile_pattern(pattern, variables, vars, &p->tokens, &p->n, &p->maybe);
}

ecr_match ecr_pattern_match(const ecr_pattern *p, const char *res) {
  if (p->never || !token_match(p->tokens, p->n, res)) return ECR_MATCH_NO;
  return p->maybe ? ECR_MATCH_MAYBE : ECR_MATCH_YES;
}

void ecr_pattern_cleanup(ecr_pattern *p) {
  free(p->tokens);
  memset(p, 0, sizeof(*p));
}

ecr_match ecr_resource_match(const char *pattern, bool variables, const ecr_var_context *vars,
                             const char *res) {
  if (!vars_pattern(pattern, variables))
    return ecr_glob_match(pattern, res, false) ? ECR_MATCH_YES : ECR_MATCH_NO;
  int *toks = NULL;
  size_t n = 0;
  bool maybe = false;
  if (!compile_pattern(pattern, variables, vars, &toks, &n, &maybe)) return ECR_MATCH_NO;
  bool m = token_match(toks, n, res);
  free(toks);
  if (!m) return ECR_MATCH_NO;
  return maybe ? ECR_MATCH_MAYBE : ECR_MATCH_YES;
}
