/* Conditions in the matrix: the attributes the evidence fixes for a
 * principal and a target (DESIGN.md "Evaluation semantics"), and the
 * distinct Condition blocks of the account, each evaluated once per target
 * (repository-side keys) or once per principal (principal-side keys).
 *
 * What the evidence fixes, per principal kind:
 * - the account's IAM users and roles: ARN, account, type, userid (users),
 *   username (users; absent for roles), tags (users; roles unless their trust
 *   policy lets a caller pass session tags, which may add or override any
 *   tag), organization id and path (with organizations evidence), "not an
 *   AWS service";
 * - another account's root row: its account, "not a service", its
 *   organization when accounts.json lists it; nothing else (it stands for
 *   every principal of that account);
 * - a named external user or role ARN: the same plus its ARN and type;
 * - a service principal: "is a service", its name, and no organization;
 * - "*": nothing.
 * Repository side: the account, the organization, the region, the tags when
 * repository-tags.json lists the repository. The registry target ("*",
 * registry-level actions) and repositories not created yet fix no tags.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "evaluate/matrix_internal.h"
#include "util/util.h"

typedef struct look {
  const ecr_matrix *m;
  size_t p, t; /* ECR_NOWHERE when not fixed */
  const char *slot[16];
  unsigned next;
  /* a principal of an account that accounts.json does not list: outside the
     organization, so aws:PrincipalOrgID is absent (world 1) or another
     organization's id (world 2); evaluated in both (ecr_matrix_cond_eval) */
  int outside_world;
} look;

static const ecr_attr UNDECIDED = {ECR_ATTR_UNDECIDED, NULL, 0};
static const ecr_attr ABSENT = {ECR_ATTR_ABSENT, NULL, 0};

static ecr_attr one(look *L, const char *v) {
  if (!v) return UNDECIDED;
  const char **s = &L->slot[L->next++ & 15];
  *s = v;
  return (ecr_attr){ECR_ATTR_PRESENT, s, 1};
}

static bool key_is(const char *key, const char *name) {
  return ecr_strcasecmp_ascii(key, name) == 0;
}

static const char *key_after(const char *key, const char *prefix) {
  size_t n = strlen(prefix);
  return strncasecmp(key, prefix, n) == 0 ? key + n : NULL;
}

/* Tag keys compare case-insensitively (IAM and ECR keep one spelling per key). */
static ecr_attr tag_attr(const ecr_tag *tags, size_t n, const char *k) {
  for (size_t i = 0; i < n; i++)
    if (ecr_strcasecmp_ascii(tags[i].key, k) == 0)
      return (ecr_attr){ECR_ATTR_PRESENT, (const char *const *)&tags[i].value, 1};
  return ABSENT;
}

/* Is account listed in organizations/accounts.json? */
static bool listed(const ecr_evidence *ev, const char *account) {
  for (size_t i = 0; ev->accounts_present && i < ev->n_org_accounts; i++)
    if (ev->org_accounts[i].id && strcmp(ev->org_accounts[i].id, account) == 0) return true;
  return false;
}

/* Outside the organization: another account that accounts.json does not list. */
static bool outside_org(const ecr_matrix *m, const char *account) {
  const ecr_evidence *ev = m->ev;
  return account && ev->org_present && ev->accounts_present && strcmp(account, ev->account) != 0 &&
         !listed(ev, account);
}

/* The organization an account belongs to, NULL when the evidence does not say. */
static const char *org_of(const ecr_matrix *m, const char *account) {
  const ecr_evidence *ev = m->ev;
  if (!account || !ev->org_present || !ev->org_id) return NULL;
  return strcmp(account, ev->account) == 0 || listed(ev, account) ? ev->org_id : NULL;
}

static const ecr_iam_principal *iam(const ecr_matrix *m, const ecr_mprincipal *p) {
  return p->pub.iam_index >= 0 ? &m->ev->principals[p->pub.iam_index] : NULL;
}

static ecr_attr principal_attr(look *L, const char *key) {
  const ecr_matrix *m = L->m;
  if (L->p == ECR_NOWHERE) return UNDECIDED;
  const ecr_mprincipal *p = &m->principals[L->p];
  const ecr_iam_principal *ip = iam(m, p);
  ecr_principal_kind k = p->pub.kind;
  if (k == ECR_PK_PUBLIC) return UNDECIDED;
  if (k == ECR_PK_SERVICE) {
    if (key_is(key, "aws:PrincipalIsAWSService")) return one(L, "true");
    if (key_is(key, "aws:PrincipalServiceName")) return one(L, p->pub.name + strlen("service:"));
    /* present only for members of an organization: a service principal is
       none (AWS's RCP examples exempt services for this very reason) */
    if (key_is(key, "aws:PrincipalOrgID") || key_is(key, "aws:PrincipalOrgPaths")) return ABSENT;
    return UNDECIDED;
  }
  bool arn_principal = ecr_str_has_prefix(p->pub.name, "arn:");
  if (!arn_principal) return UNDECIDED; /* federated, canonical user */
  if (key_is(key, "aws:PrincipalIsAWSService")) return one(L, "false");
  if (key_is(key, "aws:PrincipalServiceName")) return ABSENT;
  if (key_is(key, "aws:PrincipalAccount")) return one(L, p->account);
  if (key_is(key, "aws:PrincipalOrgID")) {
    if (L->outside_world == 1) return ABSENT;
    if (L->outside_world == 2) return one(L, "o-(another organization)");
    return one(L, org_of(m, p->account));
  }
  if (key_is(key, "aws:PrincipalOrgPaths"))
    return p->account && strcmp(p->account, m->ev->account) == 0 ? one(L, m->org_path) : UNDECIDED;
  if (k == ECR_PK_ACCOUNT) return UNDECIDED; /* any principal of that account */
  bool user = ip ? ip->cls == ECR_PRINCIPAL_USER : strstr(p->pub.name, ":user/") != NULL;
  bool role = ip ? ip->cls == ECR_PRINCIPAL_ROLE : strstr(p->pub.name, ":role/") != NULL;
  if (key_is(key, "aws:PrincipalArn")) return user || role ? one(L, p->pub.name) : UNDECIDED;
  if (key_is(key, "aws:PrincipalType"))
    return user ? one(L, "User") : role ? one(L, "AssumedRole") : UNDECIDED;
  if (!ip) return UNDECIDED; /* another account's user or role: its tags and ids are not here */
  if (key_is(key, "aws:username")) return user ? one(L, ip->name) : ABSENT;
  if (key_is(key, "aws:userid"))
    return user ? one(L, ip->id) : UNDECIDED; /* roles: "<id>:<session>" */
  const char *tk = key_after(key, "aws:PrincipalTag/");
  if (tk) {
    if (role && m->tag_session && m->tag_session[p->pub.iam_index]) return UNDECIDED;
    return tag_attr(ip->tags, ip->n_tags, tk);
  }
  return UNDECIDED;
}

static ecr_attr resource_attr(look *L, const char *key) {
  const ecr_matrix *m = L->m;
  const ecr_evidence *ev = m->ev;
  if (L->t == ECR_NOWHERE || L->t == m->registry) return UNDECIDED;
  /* a repository's account is its registry's (another account's, when an
     organisation report evaluates one account's principals on another's
     repositories, src/org/cross.c) */
  const char *racct =
      L->t < m->n_repos && ev->repos[L->t].registry_id ? ev->repos[L->t].registry_id : ev->account;
  if (key_is(key, "aws:ResourceAccount")) return one(L, racct);
  if (key_is(key, "aws:ResourceOrgID")) return one(L, org_of(m, racct));
  if (key_is(key, "aws:RequestedRegion")) {
    long r = m->target_region[L->t];
    return r >= 0 ? one(L, ev->regions[r].name) : UNDECIDED;
  }
  const char *tk = key_after(key, "aws:ResourceTag/");
  if (!tk) tk = key_after(key, "ecr:ResourceTag/");
  if (tk) {
    if (!ecr_target_is_repo(m, L->t)) return UNDECIDED; /* not created yet: any tags */
    const ecr_repository *r = &ev->repos[L->t];
    return r->tags_known ? tag_attr(r->tags, r->n_tags, tk) : UNDECIDED;
  }
  return UNDECIDED;
}

static ecr_attr lookup(void *ctx, const char *key) {
  look *L = ctx;
  switch (ecr_condition_key_class(key)) {
  case ECR_KEY_PRINCIPAL: return principal_attr(L, key);
  case ECR_KEY_RESOURCE: return resource_attr(L, key);
  default: return UNDECIDED;
  }
}

/* Values compared with aws:PrincipalOrgID are exact (no wildcard): an
 * unknown other organization's id equals none of them. */
static bool org_values_exact(const ecr_condition *c) {
  size_t n = 0;
  const char *const *v = ecr_condition_values(c, "aws:PrincipalOrgID", &n);
  for (size_t i = 0; v && i < n; i++)
    if (strpbrk(v[i], "*?$")) return false;
  return true;
}

static bool names_key(const ecr_condition *c, const char *key) {
  for (size_t i = 0; i < ecr_condition_n_keys(c); i++)
    if (key_is(ecr_condition_key(c, i), key)) return true;
  return false;
}

ecr_cond_result ecr_matrix_cond_eval(const ecr_matrix *m, const ecr_condition *c, unsigned classes,
                                     size_t p, size_t t, ecr_keylist *undecided) {
  look L = {.m = m, .p = p, .t = t};
  if (p != ECR_NOWHERE && outside_org(m, m->principals[p].account) &&
      names_key(c, "aws:PrincipalOrgID") && org_values_exact(c)) {
    /* decided when both worlds agree */
    L.outside_world = 1;
    ecr_cond_result a = ecr_condition_eval(c, classes, lookup, &L, NULL);
    L.outside_world = 2;
    ecr_cond_result b = ecr_condition_eval(c, classes, lookup, &L, NULL);
    if (a == b) {
      if (a == ECR_COND_MAYBE && undecided) {
        L.outside_world = 1;
        ecr_condition_eval(c, classes, lookup, &L, undecided);
      }
      return a;
    }
    L.outside_world = 0;
  }
  return ecr_condition_eval(c, classes, lookup, &L, undecided);
}

ecr_match ecr_matrix_hop_condition(const ecr_matrix *m, size_t p, const ecr_condition *c) {
  if (!c) return ECR_MATCH_YES;
  if (ecr_condition_never(c)) return ECR_MATCH_NO;
  ecr_cond_result r = ecr_matrix_cond_eval(m, c, ECR_KEY_PRINCIPAL, p, ECR_NOWHERE, NULL);
  if (r == ECR_COND_FALSE) return ECR_MATCH_NO;
  if (r == ECR_COND_TRUE && !(ecr_condition_classes(c) & ~(unsigned)ECR_KEY_PRINCIPAL))
    return ECR_MATCH_YES;
  return ECR_MATCH_MAYBE;
}

/* ---- distinct Condition blocks ---------------------------------------------------------- */
static uint64_t text_hash(const char *s) {
  return ecr_fnv1a(s, strlen(s), ECR_FNV1A_SEED);
}

struct cond_ctx {
  const ecr_matrix *m;
  const char *text;
};

static bool cond_eq(const void *ctx, size_t item) {
  const struct cond_ctx *c = ctx;
  return strcmp(c->m->conds[item].text, c->text) == 0;
}

static uint64_t cond_rehash(const void *ctx, size_t item) {
  return text_hash(((const struct cond_ctx *)ctx)->m->conds[item].text);
}

/* The Condition object of a statement as compact JSON (its identity). */
static char *condition_text(const ecr_statement *s, bool variables) {
  cJSON *j = cJSON_Parse(s->json);
  const cJSON *cond = cJSON_GetObjectItemCaseSensitive(j, "Condition");
  char *body = cond ? cJSON_PrintUnformatted(cond) : NULL;
  cJSON_Delete(j);
  /* the same text means another thing where variables are not substituted */
  char *text = ecr_xasprintf("%c%s", variables ? 'v' : 'l', body ? body : "{}");
  free(body);
  return text;
}

static void set_bit(uint64_t *b, size_t i) {
  b[i >> 6] |= 1ull << (i & 63);
}

int ecr_matrix_intern_condition(ecr_matrix *m, const ecr_statement *s, bool variables) {
  if (!s->condition) return -1;
  char *text = condition_text(s, variables);
  struct cond_ctx ctx = {m, text};
  bool found = false;
  size_t id =
      ecr_index_get(&m->cond_ix, text_hash(text), cond_eq, cond_rehash, &ctx, m->n_conds, &found);
  if (found) {
    free(text);
    return (int)id;
  }
  struct ecr_cond_entry e = {0};
  e.text = text;
  e.c = s->condition;
  e.cls = ecr_condition_classes(s->condition);
  e.constant = ecr_matrix_cond_eval(m, e.c, ~0u, ECR_NOWHERE, ECR_NOWHERE, NULL);
  if ((e.cls & ECR_KEY_RESOURCE) && !(e.cls & ECR_KEY_PRINCIPAL)) {
    e.ry = ecr_xcalloc(m->words, sizeof(uint64_t));
    e.rm = ecr_xcalloc(m->words, sizeof(uint64_t));
    for (size_t t = 0; t < m->n_targets; t++) {
      ecr_cond_result r = ecr_matrix_cond_eval(m, e.c, ~0u, ECR_NOWHERE, t, NULL);
      if (r == ECR_COND_TRUE) set_bit(e.ry, t);
      if (r != ECR_COND_FALSE) set_bit(e.rm, t);
    }
  }
  ECR_PUSH(m->conds, m->n_conds, m->conds_cap, e);
  return (int)id;
}

void ecr_matrix_conditions_init(ecr_matrix *m) {
  const ecr_evidence *ev = m->ev;
  /* aws:PrincipalOrgPaths of the account's principals: o-id/r-root/ou-.../ */
  const ecr_scp_level *lv = ev->scps_present ? ev->scp_levels : ev->rcp_levels;
  size_t nl = ev->scps_present ? ev->n_scp_levels : ev->n_rcp_levels;
  if (ev->org_present && ev->org_id && nl && lv[0].target &&
      ecr_str_has_prefix(lv[0].target, "r-")) {
    ecr_buf b;
    ecr_buf_init(&b);
    ecr_buf_printf(&b, "%s/", ev->org_id);
    for (size_t i = 0; i < nl; i++)
      if (ecr_str_has_prefix(lv[i].target, "r-") || ecr_str_has_prefix(lv[i].target, "ou-"))
        ecr_buf_printf(&b, "%s/", lv[i].target);
    m->org_path = ecr_buf_steal(&b);
  }
  /* roles whose trust policy lets some caller pass session tags */
  m->tag_session = ecr_xcalloc(ev->n_principals + 1, sizeof(bool));
  for (size_t i = 0; i < ev->n_principals; i++) {
    const ecr_policy *tp = ev->principals[i].trust;
    for (size_t k = 0; tp && k < tp->n_statements; k++) {
      const ecr_statement *s = &tp->statements[k];
      if (s->deny) continue;
      bool hit = false;
      for (size_t a = 0; a < s->n_action_patterns; a++)
        if (ecr_glob_match(s->action_patterns[a], "sts:TagSession", true)) hit = true;
      if (s->not_action ? !hit : hit) m->tag_session[i] = true;
    }
  }
}

void ecr_matrix_conditions_free(ecr_matrix *m) {
  for (size_t i = 0; i < m->n_conds; i++) {
    free(m->conds[i].text);
    free(m->conds[i].ry);
    free(m->conds[i].rm);
  }
  free(m->conds);
  ecr_index_cleanup(&m->cond_ix);
  free(m->org_path);
  free(m->tag_session);
}

ecr_cond_result ecr_cstmt_condition(const ecr_matrix *m, const ecr_cstmt *c, size_t p, size_t t,
                                    ecr_keylist *undecided) {
  if (!c->s->condition) return c->s->cond == ECR_COND_NONE ? ECR_COND_TRUE : ECR_COND_MAYBE;
  return ecr_matrix_cond_eval(m, c->s->condition, ~0u, p, t, undecided);
}
