/* Indirect access: the hop graph over sts:AssumeRole* and `ecraudit paths`
 * (include/ecraudit/paths.h, DESIGN.md "Indirect access").
 *
 * A hop P -> R is evaluated like an ECR action with R's trust policy as the
 * resource policy (AWS "Policy evaluation logic", "How IAM roles differ from
 * resource-based policies"):
 *   allow = (trust names P directly  |  trust names P's account root AND an
 *            identity policy of P allows sts:AssumeRole on R)
 *           AND P's permissions boundary AND the SCPs (not for service-linked
 *           roles)
 *   hop   = allow AND NOT (a Deny in any of those layers or in the trust).
 * Every term is three-valued, a pair (y, m) as in the matrix: y the roles
 * surely reached, m those reached at least conditionally.
 *
 * Cost: the account's roles are bit positions (sorted by ARN), so one
 * principal's hops are a few bitwise operations over n_roles/64 words.
 * Identity statements that can grant sts:AssumeRole are compiled once per
 * policy into a role bitset (resource patterns cached by their text);
 * principals with the same policies, boundary and kind share one identity
 * evaluation; trust statements are indexed by the principals they name
 * (what "*" and the account root grant is one bitset for all principals).
 */
#include "ecraudit/paths.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/util.h"

#define POD_IDENTITY_SERVICE "pods.eks.amazonaws.com"

/* ---- bitsets over the roles ------------------------------------------------ */
typedef struct yb {
  uint64_t *y, *m; /* y: surely, m: at least conditionally (y subset of m) */
} yb;

static void yb_alloc(yb *b, size_t w) {
  b->y = ecr_xcalloc(w + 1, sizeof(uint64_t));
  b->m = ecr_xcalloc(w + 1, sizeof(uint64_t));
}
static void yb_free(yb *b) {
  free(b->y);
  free(b->m);
}
static void yb_clear(yb *b, size_t w) {
  memset(b->y, 0, w * sizeof(uint64_t));
  memset(b->m, 0, w * sizeof(uint64_t));
}
static void yb_copy(yb *d, const yb *s, size_t w) {
  memcpy(d->y, s->y, w * sizeof(uint64_t));
  memcpy(d->m, s->m, w * sizeof(uint64_t));
}
static inline void bit_set(uint64_t *b, size_t i) {
  b[i >> 6] |= 1ull << (i & 63);
}
static inline bool bit_get(const uint64_t *b, size_t i) {
  return (b[i >> 6] >> (i & 63)) & 1u;
}
/* y/m of one position from a match */
static void yb_set(yb *b, size_t i, ecr_match mt) {
  if (mt == ECR_MATCH_NO) return;
  if (mt == ECR_MATCH_YES) bit_set(b->y, i);
  bit_set(b->m, i);
}

/* ---- small hash maps --------------------------------------------------------- */
#define fnv ecr_fnv1a
#define FNV0 ECR_FNV1A_SEED

/* key (bytes) -> value pointer; keys copied. Items in insertion order,
 * found through an ecr_index (util). */
typedef struct hmap {
  struct hitem {
    void *key;
    size_t klen;
    uint64_t h;
    void *val;
  } * s;
  size_t cap, n;
  ecr_index ix;
} hmap;

typedef struct hmap_query {
  const hmap *m;
  const void *key;
  size_t klen;
  uint64_t h;
} hmap_query;

static bool hmap_eq(const void *ctx, size_t item) {
  const hmap_query *q = ctx;
  const struct hitem *it = &q->m->s[item];
  return it->h == q->h && it->klen == q->klen && !memcmp(it->key, q->key, q->klen);
}

static uint64_t hmap_rehash(const void *ctx, size_t item) {
  return ((const hmap_query *)ctx)->m->s[item].h;
}

static void **hmap_slot(hmap *m, const void *key, size_t klen) {
  uint64_t h = fnv(key, klen, FNV0);
  hmap_query q = {m, key, klen, h};
  bool found;
  size_t at = ecr_index_get(&m->ix, h, hmap_eq, hmap_rehash, &q, m->n, &found);
  if (!found) {
    struct hitem it = {ecr_xmalloc(klen + 1), klen, h, NULL};
    memcpy(it.key, key, klen);
    ECR_PUSH(m->s, m->n, m->cap, it);
  }
  return &m->s[at].val;
}

static void hmap_free(hmap *m, void (*free_val)(void *)) {
  for (size_t i = 0; i < m->n; i++) {
    free(m->s[i].key);
    if (free_val) free_val(m->s[i].val);
  }
  free(m->s);
  ecr_index_cleanup(&m->ix);
}

/* ---- statements: actions and conditions ---------------------------------------- */
static bool acts_match(const ecr_statement *s, const char *action) {
  bool hit = false;
  for (size_t i = 0; i < s->n_action_patterns && !hit; i++)
    hit = ecr_glob_match(s->action_patterns[i], action, true);
  return s->not_action ? !hit : hit;
}

/* A hop statement's Condition, for every principal alike: undecided
 * (conditional) when there is one -- cond_for() then decides the principal
 * keys per own principal with the Condition engine --, an unknown operator
 * never matches, and for web
 * identity the trust policy's StringEquals / StringLike on "<sub_key>" is
 * not a condition of the hop but the `sub` the starting principal is spelled
 * with: its values are returned in *pins (NULL when none pins it: the start
 * is then "#*"). Every other key -- aud, amr, sts:ExternalId,
 * aws:SourceIdentity, request context -- stays undecided. */
static ecr_match hop_condition(const ecr_statement *s, const char *sub_key, char ***pins,
                               size_t *n_pins) {
  if (pins) {
    *pins = NULL;
    *n_pins = 0;
  }
  if (s->cond == ECR_COND_NONE) return ECR_MATCH_YES;
  if (s->cond == ECR_COND_NEVER) return ECR_MATCH_NO;
  if (!sub_key || !pins) return ECR_MATCH_MAYBE;
  cJSON *st = cJSON_Parse(s->json);
  const cJSON *cond = st ? cJSON_GetObjectItemCaseSensitive(st, "Condition") : NULL;
  const cJSON *op, *key;
  size_t cap = 0, other = 0;
  const cJSON *pin_key = NULL;
  /* StringEquals pins before StringLike: both on the sub are ANDed; the
   * first pins, the other stays a condition */
  for (int pass = 0; pass < 2 && !pin_key; pass++) {
    const char *want = pass == 0 ? "StringEquals" : "StringLike";
    cJSON_ArrayForEach(op, cond) {
      if (ecr_strcasecmp_ascii(op->string, want) != 0) continue;
      cJSON_ArrayForEach(key, op) {
        if (ecr_strcasecmp_ascii(key->string, sub_key) == 0 && !pin_key) pin_key = key;
      }
    }
  }
  cJSON_ArrayForEach(op, cond) {
    cJSON_ArrayForEach(key, op) {
      if (key != pin_key) other++;
    }
  }
  if (pin_key) {
    if (cJSON_IsString(pin_key)) {
      ECR_PUSH(*pins, *n_pins, cap, ecr_xstrdup(pin_key->valuestring));
    } else if (cJSON_IsArray(pin_key)) {
      const cJSON *v;
      cJSON_ArrayForEach(v, pin_key) {
        if (cJSON_IsString(v)) ECR_PUSH(*pins, *n_pins, cap, ecr_xstrdup(v->valuestring));
      }
    }
    if (*n_pins == 0) other++; /* a pin that is not a string: undecided */
  }
  cJSON_Delete(st);
  return other ? ECR_MATCH_MAYBE : ECR_MATCH_YES;
}

/* Does a MAYBE Condition test keys the evidence fixes per principal? */
static bool principal_decidable(const ecr_statement *s) {
  return s->condition && (ecr_condition_classes(s->condition) & ECR_KEY_PRINCIPAL);
}

static void free_strv(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* ---- the graph ------------------------------------------------------------------- */
/* a starting principal that is not an IAM user or role of the account */
typedef enum ext_kind { K_STAR = 0, K_AWS, K_SERVICE, K_WEB, K_SAML } ext_kind;

typedef struct cand {
  char *name;    /* start spelling, owned */
  uint32_t role; /* role index */
  ext_kind kind;
  const char *base; /* principal value as written (deny matching), borrowed */
  bool pods;        /* EKS Pod Identity: sts:TagSession is needed as well */
  bool ay, am, ty, tm;
} cand;

typedef struct named {
  const char *arn; /* an IAM principal of the account, borrowed */
  uint32_t role;
  bool deny, y;
  const ecr_statement *s; /* the trust statement, for a Condition decided per principal */
  bool session;           /* names a session of the principal: only some of its sessions */
} named;

typedef struct role_rows {
  size_t n;
  size_t *target; /* ECR_MATRIX_REGISTRY or a repository index */
  ecr_actset *y, *m;
} role_rows;

struct ecr_paths {
  const ecr_evidence *ev;
  const ecr_matrix *mx;
  size_t n_roles, w;
  size_t *role_ev; /* role index -> principal index, roles sorted by ARN */
  long *ev_role;   /* principal index -> role index, -1 for users */
  /* nodes: the IAM principals (evidence index), then the other starts */
  size_t n_nodes;
  char **ext_name; /* names of nodes n_principals.., owned */
  size_t *adj_first;
  uint32_t *adj; /* role index << 1 | y */
  size_t n_adj;
  size_t *starts; /* nodes with a hop, sorted by name */
  size_t n_starts;
  role_rows *rows;                      /* per role: its matrix rows (roles some hop reaches) */
  uint64_t *useful[ECR_PATHS_MAX_HOPS]; /* [k]: holds something within k more hops */
  ecr_paths_stats stats;
  /* reachability (ecr_paths_reach), made on first use: per role its hops as
     bitsets, and per distinct hop list the roles reached within k hops */
  uint64_t *succ_y, *succ_m; /* n_roles rows of w words */
  struct reach *reach;
  size_t n_reach, cap_reach;
  ecr_index reach_index;
  size_t *start_reach; /* per start: reach index + 1, 0 until made */
};

/* The roles reached from a hop list within k + 1 hops, k < MAX_HOPS:
   y through hops that are all unconditional, m through any. */
typedef struct reach {
  const uint32_t *adj; /* the hop list it was made from (borrowed) */
  size_t n_adj;
  uint64_t hash;
  uint64_t *y[ECR_PATHS_MAX_HOPS], *m[ECR_PATHS_MAX_HOPS];
} reach;

static const char *node_name(const ecr_paths *p, size_t node) {
  return node < p->ev->n_principals ? p->ev->principals[node].arn
                                    : p->ext_name[node - p->ev->n_principals];
}

/* ---- building context -------------------------------------------------------------- */
typedef struct builder {
  ecr_paths *p;
  const ecr_evidence *ev;
  char *session_prefix; /* arn:<partition>:sts::<account>:assumed-role/ */
  hmap patterns;        /* resource pattern -> uint64_t[w] */
  hmap policies;        /* policy pointer -> struct cpol */
  hmap groups;          /* identity key -> struct gval */
  /* trust side, for the account's own principals */
  yb star, deleg, uni_deny;
  named *named;
  size_t n_named, cap_named;
  struct special {
    uint32_t role;
    const ecr_statement *s;
  } * special; /* NotPrincipal */
  size_t n_special, cap_special;
  /* trust statements naming "*" or the account root whose Condition tests
     principal keys: decided per principal (own_hops), not in star / deleg */
  struct pstmt {
    uint32_t role;
    const ecr_statement *s;
    bool deleg;
  } * pstmts;
  size_t n_pstmts, cap_pstmts;
  long *mx_of; /* evidence principal -> matrix principal, -1 */
  /* SCPs */
  yb scp, scp_deny;
  uint64_t *all;    /* every role */
  size_t *role_idx; /* 0, 1, ..., n_roles - 1: the roles sorted by ARN, for ecr_sorted_find */
  /* other starts */
  cand *cands;
  size_t n_cands, cap_cands;
  struct star_stmt {
    uint32_t role;
    const ecr_statement *s;
    ecr_match c;
  } * stars;
  size_t n_stars, cap_stars;
} builder;

/* ---- identity side ------------------------------------------------------------------ */
typedef struct cstmt {
  const ecr_statement *s;
  const ecr_policy *pol;
  ecr_match c;    /* the condition */
  bool pcond;     /* c is MAYBE and the Condition tests principal keys: decided per principal */
  uint64_t *bits; /* roles matched (NULL when the patterns hold variables) */
} cstmt;

typedef struct cpol {
  cstmt *st;
  size_t n;
  bool vars;  /* some statement's resources hold policy variables */
  bool pcond; /* some statement's Condition is decided per principal */
} cpol;

static void cpol_free(void *v) {
  cpol *c = v;
  if (!c) return;
  for (size_t i = 0; i < c->n; i++) free(c->st[i].bits);
  free(c->st);
  free(c);
}

static int role_vs_arn(size_t i, const void *arn, void *ctx) {
  const builder *b = ctx;
  return strcmp(b->ev->principals[b->p->role_ev[i]].arn, arn);
}

static const uint64_t *pattern_bits(builder *b, const char *pat) {
  void **slot = hmap_slot(&b->patterns, pat, strlen(pat));
  if (*slot) return *slot;
  uint64_t *bits = ecr_xcalloc(b->p->w + 1, sizeof(uint64_t));
  if (!strpbrk(pat, "*?")) {
    long r = ecr_sorted_find(b->role_idx, b->p->n_roles, pat, role_vs_arn, b);
    if (r >= 0) bit_set(bits, (size_t)r);
  } else {
    for (size_t r = 0; r < b->p->n_roles; r++)
      if (ecr_glob_match(pat, b->ev->principals[b->p->role_ev[r]].arn, false)) bit_set(bits, r);
  }
  *slot = bits;
  return bits;
}

/* The statements of a policy that can allow or deny sts:AssumeRole. */
static const cpol *compile_policy(builder *b, const ecr_policy *pol) {
  if (!pol) return NULL;
  void **slot = hmap_slot(&b->policies, &pol, sizeof(pol));
  if (*slot) return *slot;
  cpol *cp = ecr_xcalloc(1, sizeof(*cp));
  cp->st = ecr_xcalloc(pol->n_statements + 1, sizeof(cstmt));
  size_t w = b->p->w;
  for (size_t i = 0; i < pol->n_statements; i++) {
    const ecr_statement *s = &pol->statements[i];
    if (!acts_match(s, "sts:AssumeRole")) continue;
    ecr_match c = hop_condition(s, NULL, NULL, NULL);
    if (c == ECR_MATCH_NO) continue;
    cstmt *cs = &cp->st[cp->n++];
    cs->s = s;
    cs->pol = pol;
    cs->c = c;
    cs->pcond = c == ECR_MATCH_MAYBE && principal_decidable(s);
    cp->pcond |= cs->pcond;
    bool vars = false;
    for (size_t k = 0; k < s->n_resources; k++)
      if (ecr_pattern_has_variables(s->resources[k], pol->variables)) vars = true;
    if (vars) {
      cp->vars = true;
      continue;
    }
    cs->bits = ecr_xcalloc(w + 1, sizeof(uint64_t));
    for (size_t k = 0; k < s->n_resources; k++) {
      const uint64_t *pb = pattern_bits(b, s->resources[k]);
      for (size_t x = 0; x < w; x++) cs->bits[x] |= pb[x];
    }
    if (s->not_resource)
      for (size_t x = 0; x < w; x++) cs->bits[x] = ~cs->bits[x] & b->all[x];
  }
  *slot = cp;
  return cp;
}

typedef struct varctx {
  ecr_var_context v;
  const char **tags;
} varctx;

static void varctx_init(const builder *b, size_t pi, varctx *vc) {
  const ecr_iam_principal *ip = &b->ev->principals[pi];
  memset(vc, 0, sizeof(*vc));
  vc->v.account = b->ev->account;
  vc->v.principal_arn = ip->arn;
  if (ip->cls == ECR_PRINCIPAL_USER) {
    vc->v.username = ip->name;
    vc->v.userid = ip->id;
    vc->v.principal_type = "User";
  } else {
    vc->v.principal_type = "AssumedRole";
  }
  vc->tags = ecr_xcalloc(ip->n_tags * 2 + 1, sizeof(char *));
  for (size_t i = 0; i < ip->n_tags; i++) {
    vc->tags[2 * i] = ip->tags[i].key;
    vc->tags[2 * i + 1] = ip->tags[i].value;
  }
  vc->v.tags = vc->tags;
}

/* A statement's Condition for own principal pi (SIZE_MAX: none): c, or,
 * when c is MAYBE and the Condition tests principal keys, what the
 * evidence decides for pi (ecr_matrix_hop_condition). */
static ecr_match cond_for(const builder *b, const ecr_statement *s, ecr_match c, size_t pi) {
  if (c != ECR_MATCH_MAYBE || pi == SIZE_MAX || !principal_decidable(s) || b->mx_of[pi] < 0)
    return c;
  return ecr_matrix_hop_condition(b->p->mx, (size_t)b->mx_of[pi], s->condition);
}

/* Add one compiled statement to allow or deny (principal pi for variables
 * and principal conditions; SIZE_MAX for SCPs, which hold neither here). */
static void apply_stmt(builder *b, const cstmt *cs, size_t pi, yb *allow, yb *deny) {
  yb *a = cs->s->deny ? deny : allow;
  size_t w = b->p->w;
  ecr_match c = cs->pcond ? cond_for(b, cs->s, cs->c, pi) : cs->c;
  if (c == ECR_MATCH_NO) return;
  if (cs->bits) {
    for (size_t x = 0; x < w; x++) {
      if (c == ECR_MATCH_YES) a->y[x] |= cs->bits[x];
      a->m[x] |= cs->bits[x];
    }
    return;
  }
  varctx vc;
  varctx_init(b, pi, &vc);
  const ecr_statement *s = cs->s;
  for (size_t r = 0; r < b->p->n_roles; r++) {
    const char *arn = b->ev->principals[b->p->role_ev[r]].arn;
    ecr_match any = ECR_MATCH_NO;
    for (size_t k = 0; k < s->n_resources && any != ECR_MATCH_YES; k++) {
      ecr_match mt = ecr_resource_match(s->resources[k], cs->pol->variables, &vc.v, arn);
      if (mt > any) any = mt;
    }
    if (s->not_resource)
      any = any == ECR_MATCH_YES     ? ECR_MATCH_NO
            : any == ECR_MATCH_MAYBE ? ECR_MATCH_MAYBE
                                     : ECR_MATCH_YES;
    if (c == ECR_MATCH_MAYBE && any == ECR_MATCH_YES) any = ECR_MATCH_MAYBE;
    yb_set(a, r, any);
  }
  free(vc.tags);
}

/* The identity part of one principal: what its policies allow (id), what
 * its boundary allows (bnd), the Denies of both (deny). */
typedef struct gval {
  yb id, bnd, deny;
} gval;

static void gval_free(void *v) {
  gval *g = v;
  if (!g) return;
  yb_free(&g->id);
  yb_free(&g->bnd);
  yb_free(&g->deny);
  free(g);
}

static const gval *identity_part(builder *b, size_t pi) {
  const ecr_evidence *ev = b->ev;
  const ecr_iam_principal *ip = &ev->principals[pi];
  /* the policies that decide: inline, managed, groups', boundary */
  const ecr_policy **pols = NULL;
  size_t n = 0, cap = 0;
  bool vars = false;
  for (size_t i = 0; i < ip->n_inline; i++) ECR_PUSH(pols, n, cap, ip->inline_policies[i].doc);
  for (size_t i = 0; i < ip->n_managed; i++)
    ECR_PUSH(pols, n, cap, ev->managed[ip->managed[i]].doc);
  for (size_t g = 0; g < ip->n_groups; g++) {
    const ecr_group *grp = &ev->groups[ip->groups[g]];
    for (size_t i = 0; i < grp->n_inline; i++) ECR_PUSH(pols, n, cap, grp->inline_policies[i].doc);
    for (size_t i = 0; i < grp->n_managed; i++)
      ECR_PUSH(pols, n, cap, ev->managed[grp->managed[i]].doc);
  }
  size_t n_id = n;
  const ecr_policy *bpol =
      ip->has_boundary && ip->boundary >= 0 ? ev->managed[ip->boundary].doc : NULL;
  for (size_t i = 0; i < n; i++) {
    const cpol *cp = compile_policy(b, pols[i]);
    if (cp && (cp->vars || cp->pcond)) vars = true;
  }
  const cpol *bcp = compile_policy(b, bpol);
  if (bcp && (bcp->vars || bcp->pcond)) vars = true;
  /* key: the policy pointers, the boundary state, and the principal itself
   * when a statement's resources hold variables or its Condition tests
   * principal keys */
  uintptr_t *key = ecr_xcalloc(n + 4, sizeof(uintptr_t));
  size_t kn = 0;
  for (size_t i = 0; i < n; i++)
    if (pols[i] && compile_policy(b, pols[i])->n) key[kn++] = (uintptr_t)pols[i];
  key[kn++] = (uintptr_t)bpol;
  key[kn++] = ip->has_boundary ? 1 + (ip->boundary < 0) : 0;
  key[kn++] = vars ? pi + 1 : 0;
  void **slot = hmap_slot(&b->groups, key, kn * sizeof(uintptr_t));
  free(key);
  if (*slot) {
    free(pols);
    return *slot;
  }
  size_t w = b->p->w;
  gval *g = ecr_xcalloc(1, sizeof(*g));
  yb_alloc(&g->id, w);
  yb_alloc(&g->bnd, w);
  yb_alloc(&g->deny, w);
  for (size_t i = 0; i < n_id; i++) {
    const cpol *cp = compile_policy(b, pols[i]);
    for (size_t k = 0; cp && k < cp->n; k++) apply_stmt(b, &cp->st[k], pi, &g->id, &g->deny);
  }
  if (!ip->has_boundary) {
    memcpy(g->bnd.y, b->all, w * sizeof(uint64_t));
    memcpy(g->bnd.m, b->all, w * sizeof(uint64_t));
  } else if (!bpol) { /* boundary not in the bundle: it may allow anything */
    memcpy(g->bnd.m, b->all, w * sizeof(uint64_t));
  } else {
    for (size_t k = 0; bcp && k < bcp->n; k++) apply_stmt(b, &bcp->st[k], pi, &g->bnd, &g->deny);
  }
  free(pols);
  *slot = g;
  return g;
}

static void scp_init(builder *b) {
  const ecr_evidence *ev = b->ev;
  size_t w = b->p->w;
  yb_alloc(&b->scp, w);
  yb_alloc(&b->scp_deny, w);
  memcpy(b->scp.y, b->all, w * sizeof(uint64_t));
  memcpy(b->scp.m, b->all, w * sizeof(uint64_t));
  if (!ev->scps_present) return;
  yb lvl;
  yb_alloc(&lvl, w);
  for (size_t l = 0; l < ev->n_scp_levels; l++) {
    const ecr_scp_level *L = &ev->scp_levels[l];
    if (L->n_policies == 0) continue; /* missing evidence: a gap (as the matrix does) */
    yb_clear(&lvl, w);
    for (size_t k = 0; k < L->n_policies; k++) {
      const cpol *cp = compile_policy(b, L->policies[k].doc);
      /* SCP resources with variables: matched without a principal */
      for (size_t i = 0; cp && i < cp->n; i++) {
        if (cp->st[i].bits) {
          apply_stmt(b, &cp->st[i], SIZE_MAX, &lvl, &b->scp_deny);
          continue;
        }
        yb *a = cp->st[i].s->deny ? &b->scp_deny : &lvl;
        for (size_t r = 0; r < b->p->n_roles; r++)
          yb_set(a, r, cp->st[i].s->deny ? ECR_MATCH_MAYBE : ECR_MATCH_NO);
      }
    }
    for (size_t x = 0; x < w; x++) {
      b->scp.y[x] &= lvl.y[x];
      b->scp.m[x] &= lvl.m[x];
    }
  }
  yb_free(&lvl);
}

/* ---- trust side ---------------------------------------------------------------------- */
static bool is_own_root(const builder *b, const char *v) {
  char *acct = ecr_arn_account(v);
  bool own = acct && strcmp(acct, b->ev->account) == 0;
  free(acct);
  size_t n = strlen(v);
  return own && strstr(v, ":iam::") && n > 5 && strcmp(v + n - 5, ":root") == 0;
}

/* The role of the account a session ARN "…:assumed-role/<name>/<session>"
 * belongs to, -1 when none. */
static long session_principal(const builder *b, const char *v) {
  if (!ecr_str_has_prefix(v, b->session_prefix)) return -1;
  const char *name = v + strlen(b->session_prefix), *slash = strchr(name, '/');
  if (!slash || slash == name) return -1;
  for (size_t r = 0; r < b->p->n_roles; r++) {
    const ecr_iam_principal *ip = &b->ev->principals[b->p->role_ev[r]];
    if (strlen(ip->name) == (size_t)(slash - name) &&
        !strncmp(ip->name, name, (size_t)(slash - name)))
      return (long)b->p->role_ev[r];
  }
  return -1;
}

static bool is_saml(const char *v) {
  return strstr(v, ":saml-provider/") != NULL;
}

/* The provider part of a web identity provider ("oidc.eks.../id/X" of an
 * oidc-provider ARN, or the name itself: "cognito-identity.amazonaws.com"). */
static const char *web_provider(const char *v) {
  const char *at = strstr(v, ":oidc-provider/");
  return at ? at + strlen(":oidc-provider/") : v;
}

/* The cluster whose OIDC issuer is this provider, NULL when none. */
static const ecr_eks_cluster *irsa_cluster(const builder *b, const char *provider) {
  for (size_t i = 0; i < b->ev->n_clusters; i++) {
    const char *iss = b->ev->clusters[i].oidc_issuer;
    if (!iss) continue;
    if (ecr_str_has_prefix(iss, "https://")) iss += strlen("https://");
    size_t n = strlen(iss);
    while (n && iss[n - 1] == '/') n--;
    if (strlen(provider) == n && strncmp(provider, iss, n) == 0) return &b->ev->clusters[i];
  }
  return NULL;
}

/* "system:serviceaccount:<ns>:<sa>" -> "<ns>/<sa>"; "*" -> "*" + "/" + "*";
 * NULL when the sub names no service account. Patterns stay as written. */
static char *service_account_of(const char *sub) {
  static const char pre[] = "system:serviceaccount:";
  if (strcmp(sub, "*") == 0) return ecr_xstrdup("*/*");
  if (!ecr_str_has_prefix(sub, pre)) return NULL;
  const char *rest = sub + sizeof(pre) - 1, *colon = strchr(rest, ':');
  if (colon) return ecr_xasprintf("%.*s/%s", (int)(colon - rest), rest, colon + 1);
  size_t n = strlen(rest);
  if (n && rest[n - 1] == '*') return ecr_xasprintf("%s/*", rest);
  return NULL;
}

static void add_cand(builder *b, char *name, uint32_t role, ext_kind kind, const char *base,
                     bool pods, ecr_match a, ecr_match t) {
  for (char *q = name; *q; q++) /* a sub holding a tab or newline must not break the TSV */
    if ((unsigned char)*q < 0x20 || *q == 0x7f) *q = '?';
  cand c = {name,
            role,
            kind,
            base,
            pods,
            a == ECR_MATCH_YES,
            a != ECR_MATCH_NO,
            t == ECR_MATCH_YES,
            t != ECR_MATCH_NO};
  ECR_PUSH(b->cands, b->n_cands, b->cap_cands, c);
}

/* One Allow statement of role r's trust policy. */
static void trust_allow(builder *b, uint32_t r, const ecr_statement *s) {
  const ecr_evidence *ev = b->ev;
  ecr_match c = hop_condition(s, NULL, NULL, NULL);
  if (c == ECR_MATCH_NO) return;
  bool assume = acts_match(s, "sts:AssumeRole"), tag = acts_match(s, "sts:TagSession");
  ecr_match ca = assume ? c : ECR_MATCH_NO;
  if (s->not_principal) {
    /* applies to every principal not listed: as "*", never surely */
    if (!assume) return;
    yb_set(&b->star, r, ECR_MATCH_MAYBE);
    struct star_stmt st = {r, s, ECR_MATCH_MAYBE};
    ECR_PUSH(b->stars, b->n_stars, b->cap_stars, st);
    add_cand(b, ecr_xstrdup("*"), r, K_STAR, "*", false, ECR_MATCH_MAYBE, ECR_MATCH_NO);
    return;
  }
  const ecr_iam_principal *role = &ev->principals[b->p->role_ev[r]];
  for (size_t i = 0; i < s->n_principals; i++) {
    const ecr_principal_ref *ref = &s->principals[i];
    switch (ref->type) {
    case ECR_PT_STAR:
      if (!assume && !tag) break;
      if (assume) {
        if (c == ECR_MATCH_MAYBE && principal_decidable(s)) {
          struct pstmt ps = {r, s, false}; /* own principals: decided one by one */
          ECR_PUSH(b->pstmts, b->n_pstmts, b->cap_pstmts, ps);
        } else {
          yb_set(&b->star, r, c);
        }
        add_cand(b, ecr_xstrdup("*"), r, K_STAR, "*", false, c, ECR_MATCH_NO);
      }
      {
        struct star_stmt st = {r, s, c};
        ECR_PUSH(b->stars, b->n_stars, b->cap_stars, st);
      }
      break;
    case ECR_PT_AWS: {
      if (!assume) break;
      long pi = ecr_evidence_find_principal(ev, ref->value);
      long sess = pi < 0 ? session_principal(b, ref->value) : -1;
      if (is_own_root(b, ref->value)) {
        if (c == ECR_MATCH_MAYBE && principal_decidable(s)) {
          struct pstmt ps = {r, s, true};
          ECR_PUSH(b->pstmts, b->n_pstmts, b->cap_pstmts, ps);
        } else {
          yb_set(&b->deleg, r, c);
        }
      } else if (pi >= 0 || sess >= 0) {
        named nm = {ev->principals[pi >= 0 ? pi : sess].arn,
                    r,
                    false,
                    pi >= 0 && c == ECR_MATCH_YES, /* a session: only some */
                    s,
                    pi < 0};
        ECR_PUSH(b->named, b->n_named, b->cap_named, nm);
      } else {
        add_cand(b, ecr_xstrdup(ref->value), r, K_AWS, ref->value, false, c, ECR_MATCH_NO);
      }
      break;
    }
    case ECR_PT_SERVICE: {
      bool pods = strcmp(ref->value, POD_IDENTITY_SERVICE) == 0;
      if (!assume && !(pods && tag)) break;
      ecr_match ct = tag ? c : ECR_MATCH_NO;
      size_t n_assoc = 0;
      for (size_t k = 0; pods && k < ev->n_pod_identities; k++) {
        const ecr_pod_identity *pa = &ev->pod_identities[k];
        if (strcmp(pa->role_arn, role->arn) != 0) continue;
        n_assoc++;
        add_cand(
            b, ecr_xasprintf("k8s:%s#%s/%s", pa->cluster_arn, pa->namespace_, pa->service_account),
            r, K_SERVICE, ref->value, true, ca, ct);
      }
      if (!n_assoc)
        add_cand(b, ecr_xasprintf("service:%s", ref->value), r, K_SERVICE, ref->value, pods, ca,
                 ct);
      break;
    }
    case ECR_PT_FEDERATED: {
      if (is_saml(ref->value)) {
        if (acts_match(s, "sts:AssumeRoleWithSAML"))
          add_cand(b, ecr_xasprintf("federated:%s", ref->value), r, K_SAML, ref->value, false, c,
                   ECR_MATCH_NO);
        break;
      }
      if (!acts_match(s, "sts:AssumeRoleWithWebIdentity")) break;
      const char *prov = web_provider(ref->value);
      char *sub_key = ecr_xasprintf("%s:sub", prov);
      char **pins = NULL;
      size_t n_pins = 0;
      ecr_match cw = hop_condition(s, sub_key, &pins, &n_pins);
      free(sub_key);
      const ecr_eks_cluster *cl = irsa_cluster(b, prov);
      for (size_t k = 0; k < (n_pins ? n_pins : 1); k++) {
        const char *sub = n_pins ? pins[k] : "*";
        char *sa = cl ? service_account_of(sub) : NULL;
        char *name = sa ? ecr_xasprintf("k8s:%s#%s", cl->arn, sa)
                        : ecr_xasprintf("federated:%s#%s", ref->value, sub);
        free(sa);
        add_cand(b, name, r, K_WEB, ref->value, false, cw, ECR_MATCH_NO);
      }
      free_strv(pins, n_pins);
      break;
    }
    case ECR_PT_CANONICAL: break;
    }
  }
}

/* One Deny statement of role r's trust policy, for the account's own
 * principals (the others are matched in deny_of). */
static void trust_deny(builder *b, uint32_t r, const ecr_statement *s) {
  ecr_match c = hop_condition(s, NULL, NULL, NULL);
  if (c == ECR_MATCH_NO || !acts_match(s, "sts:AssumeRole")) return;
  if (s->not_principal) {
    struct special sp = {r, s};
    ECR_PUSH(b->special, b->n_special, b->cap_special, sp);
    return;
  }
  for (size_t i = 0; i < s->n_principals; i++) {
    const ecr_principal_ref *ref = &s->principals[i];
    if (ref->type == ECR_PT_STAR || (ref->type == ECR_PT_AWS && is_own_root(b, ref->value))) {
      yb_set(&b->uni_deny, r, c);
    } else if (ref->type == ECR_PT_AWS) {
      long pi = ecr_evidence_find_principal(b->ev, ref->value);
      long sess = pi < 0 ? session_principal(b, ref->value) : -1;
      if (pi < 0 && sess < 0) continue;
      named nm = {b->ev->principals[pi >= 0 ? pi : sess].arn,
                  r,
                  true,
                  pi >= 0 && c == ECR_MATCH_YES,
                  s,
                  pi < 0};
      ECR_PUSH(b->named, b->n_named, b->cap_named, nm);
    }
  }
}

static int cmp_named(const void *a, const void *b) {
  const named *x = a, *y = b;
  int c = strcmp(x->arn, y->arn);
  return c ? c : (x->role > y->role) - (x->role < y->role);
}

/* Does a reference name a start of this kind and base? */
static bool ref_names(const ecr_principal_ref *ref, ext_kind kind, const char *base) {
  if (ref->type == ECR_PT_STAR) return true;
  if (kind == K_STAR) return false;
  switch (ref->type) {
  case ECR_PT_AWS: return kind == K_AWS && strcmp(ref->value, base) == 0;
  case ECR_PT_SERVICE: return kind == K_SERVICE && strcmp(ref->value, base) == 0;
  case ECR_PT_FEDERATED: return (kind == K_WEB || kind == K_SAML) && strcmp(ref->value, base) == 0;
  default: return false;
  }
}

static const char *kind_action(ext_kind k) {
  return k == K_WEB    ? "sts:AssumeRoleWithWebIdentity"
         : k == K_SAML ? "sts:AssumeRoleWithSAML"
                       : "sts:AssumeRole";
}

/* The Denies of role r's trust policy for an outside start: (y, m) of
 * the Deny applying to action. */
static void deny_of(const ecr_policy *trust, ext_kind kind, const char *base, const char *action,
                    bool *dy, bool *dm) {
  for (size_t i = 0; trust && i < trust->n_statements; i++) {
    const ecr_statement *s = &trust->statements[i];
    if (!s->deny || !acts_match(s, action)) continue;
    ecr_match c = hop_condition(s, NULL, NULL, NULL);
    if (c == ECR_MATCH_NO) continue;
    bool hit = false;
    for (size_t k = 0; k < s->n_principals && !hit; k++)
      hit = ref_names(&s->principals[k], kind, base);
    if (s->not_principal) hit = !hit || kind == K_STAR;
    if (!hit) continue;
    *dm = true;
    if (c == ECR_MATCH_YES) *dy = true;
  }
}

static int cmp_cand(const void *a, const void *b) {
  const cand *x = a, *y = b;
  int c = ecr_tsv_cmp(x->name, y->name);
  return c ? c : (x->role > y->role) - (x->role < y->role);
}

/* The outside starts: named ones, then what "*" statements give every one
 * of them, then the trust Denies. */
static void outside_starts(builder *b) {
  ecr_paths *p = b->p;
  const ecr_evidence *ev = b->ev;
  /* the distinct outside starts named so far (AWS principals and services:
   * "*" covers them as the matrix's "*" rule does) */
  size_t n0 = b->n_cands;
  if (n0) qsort(b->cands, n0, sizeof(cand), cmp_cand);
  for (size_t i = 0; i < n0; i++) {
    if (i && strcmp(b->cands[i - 1].name, b->cands[i].name) == 0) continue;
    const cand copy = b->cands[i], *c = &copy; /* add_cand moves the array */
    if (c->kind != K_AWS && c->kind != K_SERVICE) continue;
    for (size_t k = 0; k < b->n_stars; k++) {
      const struct star_stmt *st = &b->stars[k];
      ecr_match a = acts_match(st->s, "sts:AssumeRole") ? st->c : ECR_MATCH_NO;
      ecr_match t = c->pods && acts_match(st->s, "sts:TagSession") ? st->c : ECR_MATCH_NO;
      if (st->s->not_principal) {
        bool listed = false;
        for (size_t j = 0; j < st->s->n_principals; j++)
          listed |= ref_names(&st->s->principals[j], c->kind, c->base);
        if (listed) continue;
      }
      if (a == ECR_MATCH_NO && t == ECR_MATCH_NO) continue;
      add_cand(b, ecr_xstrdup(c->name), st->role, c->kind, c->base, c->pods, a, t);
    }
  }
  if (b->n_cands) qsort(b->cands, b->n_cands, sizeof(cand), cmp_cand);
  /* merge per (name, role), apply the Denies, build nodes */
  size_t n_ext = 0;
  for (size_t i = 0; i < b->n_cands; i++)
    if (!i || strcmp(b->cands[i - 1].name, b->cands[i].name) != 0) n_ext++;
  p->ext_name = ecr_xcalloc(n_ext + 1, sizeof(char *));
  p->n_nodes = ev->n_principals + n_ext;
  size_t *first = ecr_xcalloc(p->n_nodes + 1, sizeof(size_t));
  memcpy(first, p->adj_first, (ev->n_principals + 1) * sizeof(size_t));
  free(p->adj_first);
  p->adj_first = first;
  size_t cap = p->n_adj, node = ev->n_principals;
  for (size_t i = 0; i < b->n_cands;) {
    const char *name = b->cands[i].name;
    p->ext_name[node - ev->n_principals] = ecr_xstrdup(name);
    while (i < b->n_cands && strcmp(b->cands[i].name, name) == 0) {
      uint32_t r = b->cands[i].role;
      bool ay = false, am = false, ty = false, pods = false;
      ext_kind kind = b->cands[i].kind;
      const char *base = b->cands[i].base;
      for (; i < b->n_cands && b->cands[i].role == r && strcmp(b->cands[i].name, name) == 0; i++) {
        ay |= b->cands[i].ay;
        am |= b->cands[i].am;
        ty |= b->cands[i].ty;
        pods |= b->cands[i].pods;
      }
      const ecr_policy *trust = ev->principals[p->role_ev[r]].trust;
      bool dy = false, dm = false;
      deny_of(trust, kind, base, kind_action(kind), &dy, &dm);
      if (pods) {
        /* EKS Pod Identity passes session tags (sts:TagSession) unless the
         * association disables them, which the evidence does not say: a
         * trust without TagSession leaves the hop conditional */
        bool ddy = false, ddm = false;
        deny_of(trust, kind, base, "sts:TagSession", &ddy, &ddm);
        ay = ay && ty && !ddm;
      }
      bool y = ay && !dm, m = am && !dy;
      if (!m) continue;
      ECR_PUSH(p->adj, p->n_adj, cap, (uint32_t)(r << 1 | (y ? 1u : 0u)));
    }
    node++;
    p->adj_first[node] = p->n_adj;
  }
}

/* ---- the account's own principals ---------------------------------------------------- */
static void own_hops(builder *b) {
  ecr_paths *p = b->p;
  const ecr_evidence *ev = b->ev;
  size_t w = p->w;
  if (b->n_named) qsort(b->named, b->n_named, sizeof(named), cmp_named);
  yb dir, tdeny, allow, deleg;
  yb_alloc(&dir, w);
  yb_alloc(&deleg, w);
  yb_alloc(&tdeny, w);
  yb_alloc(&allow, w);
  p->adj_first = ecr_xcalloc(ev->n_principals + 1, sizeof(size_t));
  size_t cap = 0;
  for (size_t pi = 0; pi < ev->n_principals; pi++) {
    const ecr_iam_principal *ip = &ev->principals[pi];
    p->adj_first[pi] = p->n_adj;
    const gval *g = identity_part(b, pi);
    yb_copy(&dir, &b->star, w);
    yb_copy(&tdeny, &b->uni_deny, w);
    /* trust statements naming this principal */
    size_t lo = 0, hi = b->n_named;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (strcmp(b->named[mid].arn, ip->arn) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (; lo < b->n_named && strcmp(b->named[lo].arn, ip->arn) == 0; lo++) {
      const named *nm = &b->named[lo];
      ecr_match c = nm->y ? ECR_MATCH_YES : cond_for(b, nm->s, ECR_MATCH_MAYBE, pi);
      if (c == ECR_MATCH_NO) continue;
      if (nm->session && c == ECR_MATCH_YES) c = ECR_MATCH_MAYBE; /* only some sessions */
      yb_set(nm->deny ? &tdeny : &dir, nm->role, c);
    }
    /* trust statements to "*" or the account root whose Condition tests
       principal keys, decided for this principal */
    yb_copy(&deleg, &b->deleg, w);
    for (size_t k = 0; k < b->n_pstmts; k++) {
      const struct pstmt *ps = &b->pstmts[k];
      ecr_match c = cond_for(b, ps->s, ECR_MATCH_MAYBE, pi);
      if (c != ECR_MATCH_NO) yb_set(ps->deleg ? &deleg : &dir, ps->role, c);
    }
    for (size_t k = 0; k < b->n_special; k++) { /* NotPrincipal Deny */
      const ecr_statement *s = b->special[k].s;
      bool listed = false;
      for (size_t j = 0; j < s->n_principals; j++)
        if (s->principals[j].type == ECR_PT_AWS && strcmp(s->principals[j].value, ip->arn) == 0)
          listed = true;
      if (listed && !ip->has_boundary) continue; /* AWS: a boundary makes it apply anyway */
      yb_set(&tdeny, b->special[k].role, hop_condition(s, NULL, NULL, NULL));
    }
    const yb *scp = ip->service_linked ? NULL : &b->scp;
    for (size_t x = 0; x < w; x++) {
      uint64_t sy = scp ? scp->y[x] : b->all[x], sm = scp ? scp->m[x] : b->all[x];
      uint64_t ay = (dir.y[x] | (g->id.y[x] & deleg.y[x])) & g->bnd.y[x] & sy;
      uint64_t am = (dir.m[x] | (g->id.m[x] & deleg.m[x])) & g->bnd.m[x] & sm;
      uint64_t dy = g->deny.y[x] | tdeny.y[x] | (scp ? b->scp_deny.y[x] : 0);
      uint64_t dm = g->deny.m[x] | tdeny.m[x] | (scp ? b->scp_deny.m[x] : 0);
      allow.m[x] = am & ~dy;
      allow.y[x] = ay & ~dm & allow.m[x];
    }
    long self = p->ev_role[pi];
    for (size_t x = 0; x < w; x++) {
      uint64_t bits = allow.m[x];
      while (bits) {
        size_t r = x * 64 + (size_t)__builtin_ctzll(bits);
        bits &= bits - 1;
        if ((long)r == self) continue; /* no role twice: not itself */
        ECR_PUSH(p->adj, p->n_adj, cap, (uint32_t)(r << 1 | (bit_get(allow.y, r) ? 1u : 0u)));
      }
    }
  }
  p->adj_first[ev->n_principals] = p->n_adj;
  yb_free(&dir);
  yb_free(&deleg);
  yb_free(&tdeny);
  yb_free(&allow);
}

static int cmp_role(const void *a, const void *b, void *ctx) {
  const ecr_evidence *ev = ctx;
  return strcmp(ev->principals[*(const size_t *)a].arn, ev->principals[*(const size_t *)b].arn);
}

static int cmp_start(const void *a, const void *b, void *ctx) {
  const ecr_paths *p = ctx;
  return ecr_tsv_cmp(node_name(p, *(const size_t *)a), node_name(p, *(const size_t *)b));
}

/* The ECR rows of every role some hop reaches, and which roles can still
 * lead to one within k more hops. */
static void role_rows_init(ecr_paths *p) {
  const ecr_evidence *ev = p->ev;
  size_t nr = p->n_roles, w = p->w;
  long *mx_of = ecr_xcalloc(ev->n_principals + 1, sizeof(long));
  for (size_t i = 0; i < ev->n_principals; i++) mx_of[i] = -1;
  for (size_t i = 0; i < ecr_matrix_principal_count(p->mx); i++) {
    const ecr_matrix_principal *mp = ecr_matrix_principal_at(p->mx, i);
    if (mp->iam_index >= 0) mx_of[mp->iam_index] = (long)i;
  }
  bool *reached = ecr_xcalloc(nr + 1, sizeof(bool));
  for (size_t k = 0; k < p->n_adj; k++) reached[p->adj[k] >> 1] = true;
  p->rows = ecr_xcalloc(nr + 1, sizeof(role_rows));
  for (size_t r = 0; r < nr; r++) {
    long mi = mx_of[p->role_ev[r]];
    if (!reached[r] || mi < 0) continue;
    role_rows *rr = &p->rows[r];
    size_t cap = 0, cy = 0, cm = 0;
    for (size_t t = 0; t <= ev->n_repos; t++) {
      size_t target = t == 0 ? ECR_MATRIX_REGISTRY : t - 1; /* "*" sorts first */
      ecr_actset y = 0, c = 0;
      ecr_matrix_get(p->mx, (size_t)mi, target, &y, &c);
      if (!(y | c)) continue;
      size_t n = rr->n;
      ECR_PUSH(rr->target, n, cap, target);
      n = rr->n;
      ECR_PUSH(rr->y, n, cy, y);
      n = rr->n;
      ECR_PUSH(rr->m, n, cm, y | c);
      rr->n++;
    }
  }
  free(reached);
  free(mx_of);
  for (size_t k = 0; k < ECR_PATHS_MAX_HOPS; k++) {
    p->useful[k] = ecr_xcalloc(w + 1, sizeof(uint64_t));
    for (size_t r = 0; r < nr; r++) {
      bool u = p->rows[r].n > 0;
      if (!u && k > 0) {
        size_t node = p->role_ev[r];
        for (size_t e = p->adj_first[node]; e < p->adj_first[node + 1] && !u; e++)
          u = bit_get(p->useful[k - 1], p->adj[e] >> 1);
      }
      if (u) bit_set(p->useful[k], r);
    }
  }
}

ecr_status ecr_paths_build(const ecr_evidence *ev, const ecr_matrix *m, ecr_paths **out,
                           ecr_error *err) {
  (void)err;
  ecr_paths *p = ecr_xcalloc(1, sizeof(*p));
  p->ev = ev;
  p->mx = m;
  p->role_ev = ecr_xcalloc(ev->n_principals + 1, sizeof(size_t));
  p->ev_role = ecr_xcalloc(ev->n_principals + 1, sizeof(long));
  for (size_t i = 0; i < ev->n_principals; i++) {
    p->ev_role[i] = -1;
    if (ev->principals[i].cls == ECR_PRINCIPAL_ROLE) p->role_ev[p->n_roles++] = i;
  }
  ecr_sort_idx(p->role_ev, p->n_roles, cmp_role, (void *)ev);
  for (size_t r = 0; r < p->n_roles; r++) p->ev_role[p->role_ev[r]] = (long)r;
  p->w = (p->n_roles + 63) / 64;
  if (p->w == 0) p->w = 1;

  builder b = {0};
  b.p = p;
  b.ev = ev;
  b.session_prefix = ecr_xasprintf("arn:%s:sts::%s:assumed-role/", ev->partition, ev->account);
  b.all = ecr_xcalloc(p->w + 1, sizeof(uint64_t));
  for (size_t r = 0; r < p->n_roles; r++) bit_set(b.all, r);
  b.role_idx = ecr_xcalloc(p->n_roles + 1, sizeof(size_t));
  for (size_t r = 0; r < p->n_roles; r++) b.role_idx[r] = r;
  yb_alloc(&b.star, p->w);
  yb_alloc(&b.deleg, p->w);
  yb_alloc(&b.uni_deny, p->w);
  b.mx_of = ecr_xcalloc(ev->n_principals + 1, sizeof(long));
  for (size_t i = 0; i < ev->n_principals; i++) b.mx_of[i] = -1;
  for (size_t i = 0; i < ecr_matrix_principal_count(m); i++) {
    const ecr_matrix_principal *mp = ecr_matrix_principal_at(m, i);
    if (mp->iam_index >= 0) b.mx_of[mp->iam_index] = (long)i;
  }
  scp_init(&b);
  for (size_t r = 0; r < p->n_roles; r++) {
    const ecr_policy *trust = ev->principals[p->role_ev[r]].trust;
    for (size_t i = 0; trust && i < trust->n_statements; i++) {
      const ecr_statement *s = &trust->statements[i];
      if (s->deny)
        trust_deny(&b, (uint32_t)r, s);
      else
        trust_allow(&b, (uint32_t)r, s);
    }
  }
  own_hops(&b);
  outside_starts(&b);

  /* starts: every node with a hop */
  p->starts = ecr_xcalloc(p->n_nodes + 1, sizeof(size_t));
  for (size_t n = 0; n < p->n_nodes; n++)
    if (p->adj_first[n + 1] > p->adj_first[n]) p->starts[p->n_starts++] = n;
  ecr_sort_idx(p->starts, p->n_starts, cmp_start, p);
  /* the roles' ECR rows are needed by the TSV only: made there (a report
     with findings through chains never reads them) */
  p->stats.starts = p->n_starts;
  p->stats.hops = p->n_adj;

  for (size_t i = 0; i < b.n_cands; i++) free(b.cands[i].name);
  free(b.cands);
  free(b.stars);
  free(b.named);
  free(b.special);
  free(b.pstmts);
  free(b.mx_of);
  free(b.all);
  free(b.role_idx);
  yb_free(&b.star);
  yb_free(&b.deleg);
  yb_free(&b.uni_deny);
  yb_free(&b.scp);
  yb_free(&b.scp_deny);
  hmap_free(&b.patterns, free);
  hmap_free(&b.policies, cpol_free);
  hmap_free(&b.groups, gval_free);
  free(b.session_prefix);
  *out = p;
  return ECR_OK;
}

void ecr_paths_free(ecr_paths *p) {
  if (!p) return;
  for (size_t i = 0; i + p->ev->n_principals < p->n_nodes; i++) free(p->ext_name[i]);
  free(p->ext_name);
  free(p->adj_first);
  free(p->adj);
  free(p->starts);
  for (size_t r = 0; p->rows && r < p->n_roles; r++) {
    free(p->rows[r].target);
    free(p->rows[r].y);
    free(p->rows[r].m);
  }
  free(p->rows);
  for (size_t k = 0; k < ECR_PATHS_MAX_HOPS; k++) free(p->useful[k]);
  for (size_t i = 0; i < p->n_reach; i++)
    for (size_t k = 0; k < ECR_PATHS_MAX_HOPS; k++) {
      free(p->reach[i].y[k]);
      free(p->reach[i].m[k]);
    }
  free(p->reach);
  ecr_index_cleanup(&p->reach_index);
  free(p->start_reach);
  free(p->succ_y);
  free(p->succ_m);
  free(p->role_ev);
  free(p->ev_role);
  free(p);
}

size_t ecr_paths_start_count(const ecr_paths *p) {
  return p->n_starts;
}

const char *ecr_paths_start_name(const ecr_paths *p, size_t i) {
  return i < p->n_starts ? node_name(p, p->starts[i]) : NULL;
}

ecr_decision ecr_paths_hop(const ecr_paths *p, const char *from, const char *role_arn) {
  for (size_t i = 0; i < p->n_starts; i++) {
    size_t n = p->starts[i];
    if (strcmp(node_name(p, n), from) != 0) continue;
    for (size_t e = p->adj_first[n]; e < p->adj_first[n + 1]; e++) {
      const char *arn = p->ev->principals[p->role_ev[p->adj[e] >> 1]].arn;
      if (strcmp(arn, role_arn) == 0)
        return (p->adj[e] & 1) ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL;
    }
  }
  return ECR_DECISION_DENY;
}

size_t ecr_paths_hop_count(const ecr_paths *p, size_t i) {
  if (i >= p->n_starts) return 0;
  size_t n = p->starts[i];
  return p->adj_first[n + 1] - p->adj_first[n];
}

const char *ecr_paths_hop_at(const ecr_paths *p, size_t i, size_t k, ecr_decision *d) {
  if (i >= p->n_starts) return NULL;
  size_t n = p->starts[i];
  size_t e = p->adj_first[n] + k;
  if (e >= p->adj_first[n + 1]) return NULL;
  if (d) *d = (p->adj[e] & 1) ? ECR_DECISION_ALLOW : ECR_DECISION_CONDITIONAL;
  return p->ev->principals[p->role_ev[p->adj[e] >> 1]].arn;
}

void ecr_paths_get_stats(const ecr_paths *p, ecr_paths_stats *out) {
  *out = p->stats;
}

/* ---- reachability (findings with a chain) ------------------------------------------- */
static void succ_init(ecr_paths *p) {
  size_t w = p->w, nr = p->n_roles;
  p->succ_y = ecr_xcalloc(nr * w + 1, sizeof(uint64_t));
  p->succ_m = ecr_xcalloc(nr * w + 1, sizeof(uint64_t));
  for (size_t r = 0; r < nr; r++) {
    size_t node = p->role_ev[r];
    for (size_t e = p->adj_first[node]; e < p->adj_first[node + 1]; e++) {
      size_t to = p->adj[e] >> 1;
      bit_set(p->succ_m + r * w, to);
      if (p->adj[e] & 1) bit_set(p->succ_y + r * w, to);
    }
  }
}

typedef struct reach_query {
  const ecr_paths *p;
  const uint32_t *adj;
  size_t n;
} reach_query;

static bool reach_equal(const void *ctx, size_t item) {
  const reach_query *q = ctx;
  const reach *rc = &q->p->reach[item];
  return rc->n_adj == q->n && memcmp(rc->adj, q->adj, q->n * sizeof(uint32_t)) == 0;
}

static uint64_t reach_hash_of(const void *ctx, size_t item) {
  return ((const reach_query *)ctx)->p->reach[item].hash;
}

/* One layer more: next = cur | the hops of the roles cur added last. */
static void reach_step(const ecr_paths *p, const uint64_t *succ, const uint64_t *prev,
                       const uint64_t *cur, uint64_t *next) {
  size_t w = p->w;
  memcpy(next, cur, w * sizeof(uint64_t));
  for (size_t x = 0; x < w; x++) {
    uint64_t fresh = cur[x] & ~(prev ? prev[x] : 0);
    while (fresh) {
      size_t r = x * 64 + (size_t)__builtin_ctzll(fresh);
      fresh &= fresh - 1;
      const uint64_t *s = succ + r * w;
      for (size_t k = 0; k < w; k++) next[k] |= s[k];
    }
  }
}

static const reach *reach_of(ecr_paths *p, size_t start) {
  if (!p->succ_y) {
    succ_init(p);
    p->start_reach = ecr_xcalloc(p->n_starts + 1, sizeof(size_t));
  }
  if (p->start_reach[start]) return &p->reach[p->start_reach[start] - 1];
  size_t node = p->starts[start], w = p->w;
  reach_query q = {p, p->adj + p->adj_first[node], p->adj_first[node + 1] - p->adj_first[node]};
  uint64_t h = ECR_FNV1A_SEED; /* word by word: hop lists run to thousands of entries */
  for (size_t e = 0; e < q.n; e++) {
    h = (h ^ q.adj[e]) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
  }
  bool found;
  size_t at = ecr_index_get(&p->reach_index, h, reach_equal, reach_hash_of, &q, p->n_reach, &found);
  if (!found) {
    reach rc = {q.adj, q.n, h, {0}, {0}};
    for (size_t k = 0; k < ECR_PATHS_MAX_HOPS; k++) {
      rc.y[k] = ecr_xcalloc(w + 1, sizeof(uint64_t));
      rc.m[k] = ecr_xcalloc(w + 1, sizeof(uint64_t));
    }
    for (size_t e = 0; e < q.n; e++) {
      bit_set(rc.m[0], q.adj[e] >> 1);
      if (q.adj[e] & 1) bit_set(rc.y[0], q.adj[e] >> 1);
    }
    for (size_t k = 1; k < ECR_PATHS_MAX_HOPS; k++) {
      reach_step(p, p->succ_y, k > 1 ? rc.y[k - 2] : NULL, rc.y[k - 1], rc.y[k]);
      reach_step(p, p->succ_m, k > 1 ? rc.m[k - 2] : NULL, rc.m[k - 1], rc.m[k]);
    }
    ECR_PUSH(p->reach, p->n_reach, p->cap_reach, rc);
  }
  p->start_reach[start] = at + 1;
  return &p->reach[at];
}

size_t ecr_paths_reach(ecr_paths *p, size_t start, const uint64_t **y, const uint64_t **m) {
  const reach *rc = reach_of(p, start);
  *y = rc->y[ECR_PATHS_MAX_HOPS - 1];
  *m = rc->m[ECR_PATHS_MAX_HOPS - 1];
  return (size_t)(rc - p->reach);
}

size_t ecr_paths_role_count(const ecr_paths *p) {
  return p->n_roles;
}

size_t ecr_paths_role_principal(const ecr_paths *p, size_t role) {
  return p->role_ev[role];
}

long ecr_paths_start_principal(const ecr_paths *p, size_t start) {
  size_t node = p->starts[start];
  return node < p->ev->n_principals ? (long)node : -1;
}

size_t ecr_paths_chain(ecr_paths *p, size_t start, size_t role, bool y,
                       size_t out[ECR_PATHS_MAX_HOPS]) {
  const reach *rc = reach_of(p, start);
  uint64_t *const *layer = y ? rc->y : rc->m;
  const uint64_t *succ = y ? p->succ_y : p->succ_m;
  size_t k = 0;
  while (k < ECR_PATHS_MAX_HOPS && !bit_get(layer[k], role)) k++;
  if (k == ECR_PATHS_MAX_HOPS) return 0;
  size_t n = k + 1, at = role;
  out[k] = role;
  /* back from the role: a predecessor reached one hop earlier (the
     shortest chain never holds a role twice, nor the start itself) */
  while (k > 0) {
    size_t prev = SIZE_MAX;
    for (size_t x = 0; x < p->w && prev == SIZE_MAX; x++) {
      uint64_t bits = layer[k - 1][x];
      while (bits) {
        size_t r = x * 64 + (size_t)__builtin_ctzll(bits);
        bits &= bits - 1;
        if (bit_get(succ + r * p->w, at)) {
          prev = r;
          break;
        }
      }
    }
    if (prev == SIZE_MAX) return 0; /* cannot happen: layer k came from layer k - 1 */
    out[--k] = at = prev;
  }
  return n;
}

/* ---- TSV -------------------------------------------------------------------------------- */
#define OUT_CHUNK (4u << 20)

typedef struct out {
  char *buf;
  size_t len;
  FILE *fp;
  bool ok;
} out;

static void out_flush(out *o) {
  if (o->ok && o->len && fwrite(o->buf, 1, o->len, o->fp) != o->len) o->ok = false;
  o->len = 0;
}

static void out_put(out *o, const char *s, size_t n) {
  if (o->len + n > OUT_CHUNK) out_flush(o);
  if (n > OUT_CHUNK) {
    if (o->ok && fwrite(s, 1, n, o->fp) != n) o->ok = false;
    return;
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}

typedef struct walk {
  ecr_paths *p;
  out *o;
  size_t start;   /* node */
  ecr_buf prefix; /* "<principal>\t<via>\t" */
  bool *on_chain; /* per role */
  char **tail_y, **tail_c;
  size_t *len_y, *len_c;
  const char *const *res; /* per repository: ARN; the registry is "*" */
} walk;

static void emit(walk *wk, size_t r, bool chain_y) {
  const role_rows *rr = &wk->p->rows[r];
  if (!rr->n) return;
  wk->p->stats.chains++;
  for (size_t k = 0; k < rr->n && wk->o->ok; k++) {
    const char *res = rr->target[k] == ECR_MATRIX_REGISTRY ? "*" : wk->res[rr->target[k]];
    size_t rl = strlen(res);
    ecr_actset bits = rr->m[k];
    while (bits) {
      size_t a = (size_t)__builtin_ctzll(bits);
      bits &= bits - 1;
      out_put(wk->o, wk->prefix.data, wk->prefix.len);
      out_put(wk->o, res, rl);
      if (chain_y && (rr->y[k] >> a & 1u))
        out_put(wk->o, wk->tail_y[a], wk->len_y[a]);
      else
        out_put(wk->o, wk->tail_c[a], wk->len_c[a]);
      wk->p->stats.rows++;
    }
  }
}

/* Chains from node, `depth` hops taken; prefix ends with the via so far
 * (without the trailing tab). */
static void dfs(walk *wk, size_t node, size_t depth, bool chain_y) {
  ecr_paths *p = wk->p;
  size_t left = ECR_PATHS_MAX_HOPS - depth; /* hops still allowed, >= 1 */
  for (size_t e = p->adj_first[node]; e < p->adj_first[node + 1] && wk->o->ok; e++) {
    size_t r = p->adj[e] >> 1;
    bool y = chain_y && (p->adj[e] & 1);
    if (wk->on_chain[r] || p->role_ev[r] == wk->start) continue;
    if (!bit_get(p->useful[left - 1], r)) continue;
    size_t keep = wk->prefix.len;
    if (depth) ecr_buf_puts(&wk->prefix, " > ");
    ecr_buf_puts(&wk->prefix, p->ev->principals[p->role_ev[r]].arn);
    ecr_buf_putc(&wk->prefix, '\t');
    emit(wk, r, y);
    wk->prefix.len--; /* drop the tab */
    wk->prefix.data[wk->prefix.len] = '\0';
    if (left > 1) {
      wk->on_chain[r] = true;
      dfs(wk, p->role_ev[r], depth + 1, y);
      wk->on_chain[r] = false;
    }
    wk->prefix.len = keep;
    wk->prefix.data[keep] = '\0';
  }
}

ecr_status ecr_paths_write_tsv(ecr_paths *p, FILE *fp, ecr_error *err) {
  if (!p->rows) role_rows_init(p);
  out o = {ecr_xmalloc(OUT_CHUNK), 0, fp, true};
  static const char header[] = "principal\tvia\trepository\taction\tdecision\n";
  out_put(&o, header, sizeof(header) - 1);
  size_t na = ecr_catalog_count();
  walk wk = {0};
  wk.p = p;
  wk.o = &o;
  wk.tail_y = ecr_xcalloc(na, sizeof(char *));
  wk.tail_c = ecr_xcalloc(na, sizeof(char *));
  wk.len_y = ecr_xcalloc(na, sizeof(size_t));
  wk.len_c = ecr_xcalloc(na, sizeof(size_t));
  for (size_t a = 0; a < na; a++) {
    wk.tail_y[a] = ecr_xasprintf("\t%s\tallow\n", ecr_catalog_action(a)->name);
    wk.tail_c[a] = ecr_xasprintf("\t%s\tconditional\n", ecr_catalog_action(a)->name);
    wk.len_y[a] = strlen(wk.tail_y[a]);
    wk.len_c[a] = strlen(wk.tail_c[a]);
  }
  const char **res = ecr_xcalloc(p->ev->n_repos + 1, sizeof(char *));
  for (size_t i = 0; i < p->ev->n_repos; i++) res[i] = p->ev->repos[i].arn;
  wk.res = res;
  wk.on_chain = ecr_xcalloc(p->n_roles + 1, sizeof(bool));
  ecr_buf_init(&wk.prefix);
  p->stats.chains = p->stats.rows = 0;
  for (size_t i = 0; i < p->n_starts && o.ok; i++) {
    wk.start = p->starts[i];
    ecr_buf_reset(&wk.prefix);
    ecr_buf_puts(&wk.prefix, node_name(p, wk.start));
    ecr_buf_putc(&wk.prefix, '\t');
    dfs(&wk, wk.start, 0, true);
  }
  out_flush(&o);
  if (o.ok && fflush(fp) != 0) o.ok = false;
  for (size_t a = 0; a < na; a++) {
    free(wk.tail_y[a]);
    free(wk.tail_c[a]);
  }
  free(wk.tail_y);
  free(wk.tail_c);
  free(wk.len_y);
  free(wk.len_c);
  free(res);
  free(wk.on_chain);
  ecr_buf_cleanup(&wk.prefix);
  free(o.buf);
  if (!o.ok) return ecr_error_set(err, ECR_E_OUTPUT, "<stdout>", "cannot write the paths");
  return ECR_OK;
}
