/* The access matrix: AWS policy evaluation restricted to ECR.
 *
 * Every statement is compiled once: its action set is a bitset over the
 * catalog, its resource patterns are matched once per target (repository,
 * per-region probe for "future" repositories, and the registry "*") and
 * cached by pattern string. A principal's row is then a few bitwise
 * operations per target; identical rows are interned, so thousands of
 * principals sharing the same policies cost one row of memory.
 *
 * Three-valued logic: every term is a pair (y, m) of action sets, y the
 * actions granted unconditionally, m those granted at least conditionally
 * (y is a subset of m). AND/OR act on both; an explicit Deny removes y
 * wherever it may apply (its m) and m wherever it surely applies (its y).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "evaluate/matrix_internal.h"
#include "util/util.h"

/* ---- variables --------------------------------------------------------------------- */

static void varctx_init(const ecr_matrix *m, const ecr_mprincipal *p, varctx *vc) {
  memset(vc, 0, sizeof(*vc));
  const ecr_iam_principal *ip = ecr_mx_iam_of(m, p);
  vc->v.account = p->account;
  vc->v.principal_arn = p->pub.name;
  if (!ip) return;
  if (ip->cls == ECR_PRINCIPAL_USER) {
    vc->v.username = ip->name;
    vc->v.userid = ip->id;
    vc->v.principal_type = "User";
  } else {
    vc->v.principal_type = "AssumedRole";
  }
  vc->v.tags_undecided =
      m->tag_session && ip->cls == ECR_PRINCIPAL_ROLE && m->tag_session[p->pub.iam_index];
  vc->tags = ecr_xcalloc(ip->n_tags * 2 + 1, sizeof(char *));
  for (size_t i = 0; i < ip->n_tags; i++) {
    vc->tags[2 * i] = ip->tags[i].key;
    vc->tags[2 * i + 1] = ip->tags[i].value;
  }
  vc->v.tags = vc->tags;
}

/* A statement whose resource patterns hold variables on a probe: its
 * patterns are not known before substitution, so it counts as the widest
 * carve-out (low probe: Denies apply, Allows do not; high: the reverse). */
static ecr_match probe_vars_match(const ecr_matrix *m, const ecr_cstmt *c, size_t t) {
  return ecr_probe_is_low(m, t) == c->s->deny ? ECR_MATCH_YES : ECR_MATCH_NO;
}

static ecr_match stmt_match_vars(const ecr_matrix *m, const ecr_cstmt *c, const varctx *vc,
                                 size_t t) {
  const ecr_statement *s = c->s;
  if (ecr_target_is_probe(m, t)) return probe_vars_match(m, c, t);
  ecr_match any = ECR_MATCH_NO;
  for (size_t i = 0; i < s->n_resources && any != ECR_MATCH_YES; i++) {
    ecr_match r = ecr_resource_match(s->resources[i], c->pol->variables, vc ? &vc->v : NULL,
                                     m->target_res[t]);
    if (r > any) any = r;
  }
  if (!s->not_resource) return any;
  return any == ECR_MATCH_YES     ? ECR_MATCH_NO
         : any == ECR_MATCH_MAYBE ? ECR_MATCH_MAYBE
                                  : ECR_MATCH_YES;
}

ecr_match ecr_cstmt_match(const ecr_matrix *m, const ecr_cstmt *c, size_t p, size_t t) {
  if (!c->vars) return ecr_bit_get(c->match, t) ? ECR_MATCH_YES : ECR_MATCH_NO;
  varctx vc;
  varctx_init(m, &m->principals[p], &vc);
  ecr_match r = stmt_match_vars(m, c, &vc, t);
  free(vc.tags);
  return r;
}

/* ---- accumulation ----------------------------------------------------------------- */

void ecr_mx_acc_alloc(acc *a, size_t n) {
  a->y = ecr_xcalloc(n, sizeof(ecr_actset));
  a->m = ecr_xcalloc(n, sizeof(ecr_actset));
}

static void acc_clear(acc *a, size_t n) {
  memset(a->y, 0, n * sizeof(ecr_actset));
  memset(a->m, 0, n * sizeof(ecr_actset));
}

void ecr_mx_acc_free(acc *a) {
  free(a->y);
  free(a->m);
}

/* The Condition of c for principal pi (ECR_NOWHERE: not fixed) at target t. */
ecr_cond_result ecr_mx_cond_at(const ecr_matrix *m, const ecr_cstmt *c, size_t pi, size_t t,
                               cscratch *sc) {
  if (c->cond < 0) return c->s->cond == ECR_COND_NONE ? ECR_COND_TRUE : ECR_COND_MAYBE;
  const struct ecr_cond_entry *e = &m->conds[c->cond];
  bool pside = e->cls & ECR_KEY_PRINCIPAL, rside = e->cls & ECR_KEY_RESOURCE;
  if (!rside && (!pside || pi == ECR_NOWHERE)) return e->constant;
  if (!pside)
    return ecr_bit_get(e->ry, t)   ? ECR_COND_TRUE
           : ecr_bit_get(e->rm, t) ? ECR_COND_MAYBE
                                   : ECR_COND_FALSE;
  if (rside) return ecr_matrix_cond_eval(m, e->c, ~0u, pi, t, NULL);
  if (sc && sc->gen[c->cond] == sc->cur) return sc->res[c->cond];
  ecr_cond_result r = ecr_matrix_cond_eval(m, e->c, ~0u, pi, ECR_NOWHERE, NULL);
  if (sc) {
    sc->gen[c->cond] = sc->cur;
    sc->res[c->cond] = r;
  }
  return r;
}

/* Does c's Condition depend on the target (repository-side keys)? */
static bool cond_per_target(const ecr_matrix *m, const ecr_cstmt *c) {
  return c->cond >= 0 && (m->conds[c->cond].cls & ECR_KEY_RESOURCE);
}

static inline void acc_add(acc *a, size_t t, ecr_actset act, bool sure) {
  if (sure) a->y[t] |= act;
  a->m[t] |= act;
}

/* The range [*lo, *hi) of m->repos_by_name that a pattern can match: the
 * repositories whose name starts with the literal text following the
 * pattern's ":repository/" (an ARN holds ":repository/" once, and names
 * never hold ':'). Without such a literal, every repository. */
static void candidates(const ecr_matrix *m, const ecr_pattern *p, size_t *lo, size_t *hi) {
  static const char marker[] = ":repository/";
  const size_t ml = sizeof(marker) - 1;
  *lo = 0;
  *hi = m->n_repos;
  if (p->never) {
    *hi = 0;
    return;
  }
  size_t at = (size_t)-1;
  for (size_t i = 0; i + ml <= p->n && at == (size_t)-1; i++) {
    size_t k = 0;
    while (k < ml && p->tokens[i + k] == (unsigned char)marker[k]) k++;
    if (k == ml) at = i + ml;
  }
  if (at == (size_t)-1) return;
  char prefix[256];
  size_t len = 0;
  while (at + len < p->n && p->tokens[at + len] < 256 && len + 1 < sizeof(prefix)) {
    prefix[len] = (char)p->tokens[at + len];
    len++;
  }
  prefix[len] = '\0';
  if (!len) return;
  size_t a = 0, b = m->n_repos;
  while (a < b) { /* first name >= prefix */
    size_t mid = (a + b) / 2;
    if (strcmp(m->ev->repos[m->repos_by_name[mid]].name, prefix) < 0)
      a = mid + 1;
    else
      b = mid;
  }
  size_t e = a;
  while (e < m->n_repos && strncmp(m->ev->repos[m->repos_by_name[e]].name, prefix, len) == 0) e++;
  *lo = a;
  *hi = e;
}

/* Add a compiled identity-side statement to allow or deny accumulators, for
 * principal pi (ECR_NOWHERE: a layer evaluated for every principal alike). */
static void apply_stmt(const ecr_matrix *m, const ecr_cstmt *c, const varctx *vc, size_t pi,
                       cscratch *sc, acc *allow, acc *deny) {
  const ecr_statement *s = c->s;
  acc *a = s->deny ? deny : allow;
  bool per_t = cond_per_target(m, c);
  ecr_cond_result once = per_t ? ECR_COND_MAYBE : ecr_mx_cond_at(m, c, pi, 0, sc);
  if (once == ECR_COND_FALSE) return;
  if (!c->vars) {
    for (size_t w = 0; w < m->words; w++) {
      uint64_t bits = c->match[w];
      while (bits) {
        size_t t = w * 64 + (size_t)__builtin_ctzll(bits);
        bits &= bits - 1;
        ecr_actset act = s->actions & ecr_mx_target_mask(m, t);
        if (!act) continue;
        ecr_cond_result r = per_t ? ecr_mx_cond_at(m, c, pi, t, sc) : once;
        if (r != ECR_COND_FALSE) acc_add(a, t, act, r == ECR_COND_TRUE);
      }
    }
    return;
  }
  /* variables: substitute once for this principal, then match the targets */
  ecr_pattern *pats = ecr_xcalloc(s->n_resources + 1, sizeof(ecr_pattern));
  for (size_t i = 0; i < s->n_resources; i++)
    ecr_pattern_compile(&pats[i], s->resources[i], c->pol->variables, vc ? &vc->v : NULL);
  ecr_match *res = ecr_xcalloc(m->n_targets, sizeof(ecr_match));
  if (!s->not_resource) {
    /* only repositories whose name starts with each pattern's literal name
       prefix can match (plus the probes and the registry) */
    for (size_t i = 0; i < s->n_resources; i++) {
      size_t lo = 0, hi = 0;
      candidates(m, &pats[i], &lo, &hi);
      for (size_t k = lo; k < hi; k++) {
        size_t t = m->repos_by_name[k];
        ecr_match r = ecr_pattern_match(&pats[i], m->target_res[t]);
        if (r > res[t]) res[t] = r;
      }
      for (size_t t = m->n_repos; t < m->n_targets; t++) {
        ecr_match r = ecr_target_is_probe(m, t) ? probe_vars_match(m, c, t)
                                                : ecr_pattern_match(&pats[i], m->target_res[t]);
        if (r > res[t]) res[t] = r;
      }
    }
  } else {
    for (size_t t = 0; t < m->n_targets; t++) {
      ecr_match any = ECR_MATCH_NO;
      for (size_t i = 0; i < s->n_resources && any != ECR_MATCH_YES; i++) {
        ecr_match r = ecr_pattern_match(&pats[i], m->target_res[t]);
        if (r > any) any = r;
      }
      res[t] = any == ECR_MATCH_YES     ? ECR_MATCH_NO
               : any == ECR_MATCH_MAYBE ? ECR_MATCH_MAYBE
                                        : ECR_MATCH_YES;
      if (ecr_target_is_probe(m, t)) res[t] = probe_vars_match(m, c, t);
    }
  }
  for (size_t t = 0; t < m->n_targets; t++) {
    if (res[t] == ECR_MATCH_NO) continue;
    ecr_actset act = s->actions & ecr_mx_target_mask(m, t);
    if (!act) continue;
    ecr_cond_result r = per_t ? ecr_mx_cond_at(m, c, pi, t, sc) : once;
    if (r != ECR_COND_FALSE) acc_add(a, t, act, res[t] == ECR_MATCH_YES && r == ECR_COND_TRUE);
  }
  free(res);
  for (size_t i = 0; i < s->n_resources; i++) ecr_pattern_cleanup(&pats[i]);
  free(pats);
}

static void apply_policy(const ecr_matrix *m, const ecr_cpolicy *cp, const varctx *vc, size_t pi,
                         cscratch *sc, acc *allow, acc *deny) {
  if (!cp) return;
  for (size_t i = 0; i < cp->n; i++) apply_stmt(m, &cp->st[i], vc, pi, sc, allow, deny);
}

/* An organization guardrail (SCPs, RCPs): every level must allow, a Deny in
 * any level denies. y/mm start as the full masks; deny collects the Denies. */
void ecr_mx_guard_eval(const ecr_matrix *m, const ecr_scp_level *levels, size_t n_levels,
                       const varctx *vc, size_t pi, cscratch *sc, acc *lvl, ecr_actset *y,
                       ecr_actset *mm, acc *deny) {
  size_t n = m->n_targets;
  for (size_t t = 0; t < n; t++) y[t] = mm[t] = ecr_mx_target_mask(m, t);
  for (size_t l = 0; l < n_levels; l++) {
    const ecr_scp_level *L = &levels[l];
    /* a level without policies is missing evidence (AWS requires one):
       it limits nothing here, which can only over-report; the loader
       recorded a gap that makes the report unknown */
    if (L->n_policies == 0) continue;
    acc_clear(lvl, n);
    for (size_t k = 0; k < L->n_policies; k++)
      apply_policy(m, ecr_matrix_cpolicy(m, L->policies[k].doc), vc, pi, sc, lvl, deny);
    for (size_t t = 0; t < n; t++) {
      y[t] &= lvl->y[t];
      mm[t] &= lvl->m[t];
    }
  }
}

/* Compile a guardrail's policies; true when some statement needs the
 * principal (principal-side condition keys or resource variables). */
bool ecr_mx_guard_compile(ecr_matrix *m, const ecr_scp_level *levels, size_t n_levels,
                          ecr_source src, ecr_cstmt ***stmts, size_t *n_stmts) {
  bool per_principal = false;
  size_t cap = 0;
  for (size_t l = 0; l < n_levels; l++)
    for (size_t k = 0; k < levels[l].n_policies; k++) {
      const ecr_cpolicy *cp = ecr_mx_compile_policy(
          m, levels[l].policies[k].doc, levels[l].policies[k].id, levels[l].target, src, false);
      for (size_t i = 0; cp && i < cp->n; i++) {
        ECR_PUSH(*stmts, *n_stmts, cap, &cp->st[i]);
        const ecr_cstmt *c = &cp->st[i];
        if (c->vars || (c->cond >= 0 && (m->conds[c->cond].cls & ECR_KEY_PRINCIPAL)))
          per_principal = true;
      }
    }
  return per_principal;
}

/* ---- interning rows ----------------------------------------------------------------- */
static bool row_eq(const void *ctx, size_t item) {
  const struct row_table *tb = ctx;
  const ecr_row *r = tb->rows[item], *t = tb->probe;
  return r->hash == t->hash && r->n == t->n &&
         !memcmp(r->target, t->target, t->n * sizeof(uint32_t)) &&
         !memcmp(r->y, t->y, t->n * sizeof(ecr_actset)) &&
         !memcmp(r->m, t->m, t->n * sizeof(ecr_actset));
}

static uint64_t row_hash(const void *ctx, size_t item) {
  return ((const struct row_table *)ctx)->rows[item]->hash;
}

static const ecr_row *intern_row(struct row_table *tb, ecr_row *tmp) {
  uint64_t h = ECR_FNV1A_SEED;
  h = ecr_fnv1a(tmp->target, tmp->n * sizeof(uint32_t), h);
  h = ecr_fnv1a(tmp->y, tmp->n * sizeof(ecr_actset), h);
  h = ecr_fnv1a(tmp->m, tmp->n * sizeof(ecr_actset), h);
  tmp->hash = h;
  tb->probe = tmp;
  bool found;
  size_t at = ecr_index_get(&tb->ix, h, row_eq, row_hash, tb, tb->n_rows, &found);
  if (found) return tb->rows[at];
  ecr_row *r = ecr_xcalloc(1, sizeof(*r));
  r->n = tmp->n;
  r->hash = h;
  r->target = ecr_xmalloc((tmp->n + 1) * sizeof(uint32_t));
  r->y = ecr_xmalloc((tmp->n + 1) * sizeof(ecr_actset));
  r->m = ecr_xmalloc((tmp->n + 1) * sizeof(ecr_actset));
  memcpy(r->target, tmp->target, tmp->n * sizeof(uint32_t));
  memcpy(r->y, tmp->y, tmp->n * sizeof(ecr_actset));
  memcpy(r->m, tmp->m, tmp->n * sizeof(ecr_actset));
  ECR_PUSH(tb->rows, tb->n_rows, tb->rows_cap, r);
  return r;
}

/* ---- the evaluation ------------------------------------------------------------------ */
/* One evaluation thread's scratch space. */
typedef struct worker {
  acc id, bnd, dny, ru, rb, lvl, sd, rd;
  ecr_actset *sy, *sm, *ry, *rm; /* per-principal SCP / RCP layers */
  cscratch sc;
  ecr_row tmp;
} worker;

static void eval_principal(ecr_matrix *m, size_t pi, worker *wk, struct row_table *table) {
  const ecr_evidence *ev = m->ev;
  ecr_mprincipal *p = &m->principals[pi];
  const ecr_iam_principal *ip = ecr_mx_iam_of(m, p);
  size_t n = m->n_targets;
  acc *id = &wk->id, *bnd = &wk->bnd, *dny = &wk->dny, *ru = &wk->ru, *rb = &wk->rb;
  cscratch *sc = &wk->sc;
  ecr_row *tmp = &wk->tmp;
  sc->cur++;
  varctx vc;
  varctx_init(m, p, &vc);
  acc_clear(id, n);
  acc_clear(dny, n);
  acc_clear(ru, n);
  acc_clear(rb, n);
  bool has_bnd = false, is_role = false, slr = false;
  if (ip) {
    is_role = ip->cls == ECR_PRINCIPAL_ROLE;
    slr = ip->service_linked;
    ecr_mx_policy_walk w;
    const ecr_policy *doc;
    ecr_source src;
    const char *owner;
    ecr_mx_policy_walk_init(&w, ev, ip);
    while (ecr_mx_policy_walk_next(&w, &doc, &src, &owner))
      apply_policy(m, ecr_matrix_cpolicy(m, doc), &vc, pi, sc, id, dny);
    if (ip->has_boundary) {
      has_bnd = true;
      acc_clear(bnd, n);
      if (ip->boundary >= 0)
        apply_policy(m, ecr_matrix_cpolicy(m, ev->managed[ip->boundary].doc), &vc, pi, sc, bnd,
                     dny);
      else /* boundary not in the bundle: it may allow anything */
        for (size_t t = 0; t < n; t++) bnd->m[t] = ecr_mx_target_mask(m, t);
    }
  }
  /* organization guardrails: SCPs limit the account's principals (not its
     service-linked roles); RCPs limit every request to the account's
     repositories (service-linked roles exempt), and registry-level actions
     of the account's own principals only (another account's RCPs decide
     its callers' GetAuthorizationToken) */
  const ecr_actset *scp_y = m->scp_y, *scp_m = m->scp_m, *scp_dy = m->scp_dy, *scp_dm = m->scp_dm;
  if (ip && !slr && m->scp_active && m->scp_per_principal) {
    acc_clear(&wk->sd, n);
    ecr_mx_guard_eval(m, ev->scp_levels, ev->n_scp_levels, &vc, pi, sc, &wk->lvl, wk->sy, wk->sm,
                      &wk->sd);
    scp_y = wk->sy, scp_m = wk->sm, scp_dy = wk->sd.y, scp_dm = wk->sd.m;
  }
  bool rcp = m->rcp_active && !slr;
  const ecr_actset *rcp_y = m->rcp_y, *rcp_m = m->rcp_m, *rcp_dy = m->rcp_dy, *rcp_dm = m->rcp_dm;
  if (rcp && m->rcp_per_principal) {
    acc_clear(&wk->rd, n);
    ecr_mx_guard_eval(m, ev->rcp_levels, ev->n_rcp_levels, &vc, pi, sc, &wk->lvl, wk->ry, wk->rm,
                      &wk->rd);
    rcp_y = wk->ry, rcp_m = wk->rm, rcp_dy = wk->rd.y, rcp_dm = wk->rd.m;
  }
  /* resource side: the account's own principals take the uniform part in
     bulk and test only the statements that name them or need a test;
     other principals (few) test every statement */
  size_t n_list = m->n_rst;
  const size_t *list = NULL;
  size_t *merged = NULL;
  if (ip) {
    for (size_t t = 0; t < n; t++) {
      acc *a = is_role ? rb : ru;
      a->y[t] |= m->uni_allow_y[t];
      a->m[t] |= m->uni_allow_m[t];
      dny->y[t] |= m->uni_deny_y[t];
      dny->m[t] |= m->uni_deny_m[t];
    }
    for (size_t j = 0; j < m->n_unicond; j++) {
      const ecr_rstmt *r = &m->rst[m->unicond[j]];
      const ecr_cstmt *c = r->c;
      ecr_actset act = c->s->actions & ecr_mx_target_mask(m, r->target);
      ecr_cond_result cr = act ? ecr_mx_cond_at(m, c, pi, r->target, sc) : ECR_COND_FALSE;
      if (cr == ECR_COND_FALSE) continue;
      acc_add(c->s->deny ? dny : is_role ? rb : ru, r->target, act, cr == ECR_COND_TRUE);
    }
    const struct name_slot *sl = ecr_mx_name_slot(m, p->pub.name, false);
    n_list = (sl ? sl->n : 0) + m->n_special;
    merged = ecr_xcalloc(n_list + 1, sizeof(size_t));
    if (sl && sl->n) memcpy(merged, sl->idx, sl->n * sizeof(size_t));
    if (m->n_special) memcpy(merged + (sl ? sl->n : 0), m->special, m->n_special * sizeof(size_t));
    list = merged;
  }
  for (size_t j = 0; j < n_list; j++) {
    size_t k = list ? list[j] : j;
    const ecr_rstmt *r = &m->rst[k];
    const ecr_cstmt *c = r->c;
    size_t t = r->target;
    ecr_actset act = c->s->actions & ecr_mx_target_mask(m, t);
    if (!act) continue;
    ecr_match res = c->vars ? stmt_match_vars(m, c, &vc, t) : ECR_MATCH_YES;
    if (res == ECR_MATCH_NO) continue;
    bool session = false;
    ecr_match who = ecr_mx_rstmt_applies(m, c, pi, &session);
    if (who == ECR_MATCH_NO) continue;
    ecr_cond_result cr = ecr_mx_cond_at(m, c, pi, t, sc);
    if (cr == ECR_COND_FALSE) continue;
    bool sure = res == ECR_MATCH_YES && who == ECR_MATCH_YES && cr == ECR_COND_TRUE;
    acc *a;
    if (c->s->deny)
      a = dny;
    else if (ip && is_role && !(session && who == ECR_MATCH_MAYBE))
      a = rb; /* a role's boundary still limits the grant (not a session's) */
    else
      a = ru; /* users: not limited; others have no boundary */
    acc_add(a, t, act, sure);
  }
  free(merged);
  /* combine */
  tmp->n = 0;
  for (size_t t = 0; t < n; t++) {
    ecr_actset mask = ecr_mx_target_mask(m, t);
    ecr_actset by = has_bnd ? bnd->y[t] : mask, bm = has_bnd ? bnd->m[t] : mask;
    ecr_actset sy = mask, sm = mask;
    if (ip && !slr) {
      sy = scp_y[t];
      sm = scp_m[t];
    }
    bool rcp_here = rcp && (ip || t != m->registry);
    if (rcp_here) {
      sy &= rcp_y[t];
      sm &= rcp_m[t];
    }
    ecr_actset ay = ((id->y[t] & by) | ru->y[t] | (rb->y[t] & by)) & sy;
    ecr_actset am = ((id->m[t] & bm) | ru->m[t] | (rb->m[t] & bm)) & sm;
    ecr_actset dy = dny->y[t], dm = dny->m[t];
    if (ip && !slr) {
      dy |= scp_dy[t];
      dm |= scp_dm[t];
    }
    if (rcp_here) {
      dy |= rcp_dy[t];
      dm |= rcp_dm[t];
    }
    ecr_actset fy = ay & ~dm & mask, fm = am & ~dy & mask;
    fy &= fm;
    if (!fm) continue;
    tmp->target[tmp->n] = (uint32_t)t;
    tmp->y[tmp->n] = fy;
    tmp->m[tmp->n] = fm;
    tmp->n++;
  }
  p->row = intern_row(table, tmp);
  free(vc.tags);
}

typedef struct eval_job {
  ecr_matrix *m;
  size_t from, to;
  struct row_table *table;
} eval_job;

/* Evaluate principals [from, to): each thread has its own scratch space and
 * row table; everything else it reads was built before and is not changed. */
static void *eval_range(void *arg) {
  eval_job *j = arg;
  ecr_matrix *m = j->m;
  size_t n = m->n_targets;
  worker wk = {0};
  acc *accs[] = {&wk.id, &wk.bnd, &wk.dny, &wk.ru, &wk.rb, &wk.lvl, &wk.sd, &wk.rd};
  for (size_t i = 0; i < sizeof(accs) / sizeof(accs[0]); i++) ecr_mx_acc_alloc(accs[i], n);
  ecr_actset **layers[] = {&wk.sy, &wk.sm, &wk.ry, &wk.rm};
  for (size_t i = 0; i < 4; i++) *layers[i] = ecr_xcalloc(n, sizeof(ecr_actset));
  wk.sc.res = ecr_xcalloc(m->n_conds + 1, sizeof(ecr_cond_result));
  wk.sc.gen = ecr_xcalloc(m->n_conds + 1, sizeof(uint32_t));
  wk.tmp.target = ecr_xcalloc(n, sizeof(uint32_t));
  wk.tmp.y = ecr_xcalloc(n, sizeof(ecr_actset));
  wk.tmp.m = ecr_xcalloc(n, sizeof(ecr_actset));
  for (size_t p = j->from; p < j->to; p++) eval_principal(m, p, &wk, j->table);
  free(wk.tmp.target);
  free(wk.tmp.y);
  free(wk.tmp.m);
  free(wk.sc.res);
  free(wk.sc.gen);
  for (size_t i = 0; i < 4; i++) free(*layers[i]);
  for (size_t i = 0; i < sizeof(accs) / sizeof(accs[0]); i++) ecr_mx_acc_free(accs[i]);
  return NULL;
}

/* Below this many principals a second thread costs more than it saves. */
#define EVAL_PARALLEL_MIN 512

ecr_status ecr_matrix_eval(const ecr_evidence *ev, ecr_matrix **out, ecr_error *err) {
  (void)err;
  ecr_matrix *m = ecr_xcalloc(1, sizeof(*m));
  m->ev = ev;
  ecr_mx_targets_init(m);
  m->session_prefix = ecr_xasprintf("arn:%s:sts::%s:assumed-role/", ev->partition, ev->account);
  ecr_mx_build_name_indexes(m);
  ecr_matrix_conditions_init(m);
  ecr_mx_compile_all(m);
  ecr_mx_build_principals(m);
  size_t half = m->n_principals / 2;
  eval_job jobs[2] = {{m, 0, half, &m->tables[0]}, {m, half, m->n_principals, &m->tables[1]}};
  pthread_t th;
  if (m->n_principals >= EVAL_PARALLEL_MIN &&
      pthread_create(&th, NULL, eval_range, &jobs[0]) == 0) {
    eval_range(&jobs[1]);
    pthread_join(th, NULL);
  } else {
    jobs[0].to = m->n_principals;
    eval_range(&jobs[0]);
  }
  *out = m;
  return ECR_OK;
}

void ecr_matrix_free(ecr_matrix *m) {
  if (!m) return;
  for (size_t t = 0; t < m->n_targets; t++) free(m->target_res[t]);
  free(m->target_res);
  free(m->target_region);
  for (size_t r = 0; r < m->n_regions; r++) free(m->probe_prefix[r]);
  free(m->probe_prefix);
  for (size_t i = 0; i < m->n_principals; i++) {
    free(m->principals[i].pub.name);
    free(m->principals[i].account);
  }
  free(m->principals);
  for (size_t i = 0; i < m->cpol_n; i++) {
    ecr_cpolicy *cp = m->cpol[i].val;
    for (size_t k = 0; k < cp->n; k++) {
      free(cp->st[k].match);
      if (cp->st[k].source == ECR_SRC_REGISTRY) free((char *)cp->st[k].policy_name);
    }
    free(cp->st);
    free(cp);
  }
  free(m->cpol);
  ecr_index_cleanup(&m->cpol_ix);
  free(m->rst);
  free(m->rst_first);
  free(m->roles_by_name);
  free(m->repos_by_name);
  free(m->repo_sorted);
  free(m->uni_allow_y);
  free(m->uni_allow_m);
  free(m->uni_deny_y);
  free(m->uni_deny_m);
  free(m->special);
  for (size_t i = 0; i < m->names_n; i++) free(m->names[i].idx);
  free(m->names);
  ecr_index_cleanup(&m->names_ix);
  free(m->scp_stmts);
  free(m->scp_y);
  free(m->scp_m);
  free(m->scp_dy);
  free(m->scp_dm);
  free(m->session_prefix);
  free(m->unicond);
  free(m->rcp_stmts);
  free(m->rcp_y);
  free(m->rcp_m);
  free(m->rcp_dy);
  free(m->rcp_dm);
  ecr_matrix_conditions_free(m);
  for (size_t k = 0; k < 2; k++) {
    struct row_table *tb = &m->tables[k];
    ecr_index_cleanup(&tb->ix);
    for (size_t i = 0; i < tb->n_rows; i++) {
      free(tb->rows[i]->target);
      free(tb->rows[i]->y);
      free(tb->rows[i]->m);
      free(tb->rows[i]);
    }
    free(tb->rows);
  }
  for (size_t i = 0; i < m->pat_n; i++) {
    free(m->pat[i].key);
    free(m->pat[i].bits);
  }
  free(m->pat);
  ecr_index_cleanup(&m->pat_ix);
  free(m);
}

size_t ecr_matrix_principal_count(const ecr_matrix *m) {
  return m->n_principals;
}

const ecr_matrix_principal *ecr_matrix_principal_at(const ecr_matrix *m, size_t i) {
  return i < m->n_principals ? &m->principals[i].pub : NULL;
}

ecr_matrix_layout ecr_matrix_layout_of(const ecr_matrix *m) {
  ecr_matrix_layout l = {m->n_repos, m->n_probes, m->n_targets, m->registry, m->repo_mask};
  return l;
}

const char *ecr_matrix_target_resource(const ecr_matrix *m, size_t t) {
  return m->target_res[t];
}

long ecr_matrix_target_region(const ecr_matrix *m, size_t t) {
  return m->target_region[t];
}

const ecr_matrix_row *ecr_matrix_row_of(const ecr_matrix *m, size_t p) {
  return m->principals[p].row;
}

bool ecr_matrix_principal_gap(const ecr_matrix *m, size_t p) {
  return m->principals[p].gap;
}

bool ecr_matrix_tag_session(const ecr_matrix *m, size_t i) {
  return m->tag_session[i];
}

void ecr_matrix_get(const ecr_matrix *m, size_t p, size_t r, ecr_actset *allow, ecr_actset *cond) {
  *allow = *cond = 0;
  if (p >= m->n_principals) return;
  size_t t = r == ECR_MATRIX_REGISTRY ? m->registry : r;
  const ecr_row *row = m->principals[p].row;
  size_t lo = 0, hi = row->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (row->target[mid] == t) {
      *allow = row->y[mid];
      *cond = row->m[mid] & ~row->y[mid];
      return;
    }
    if (row->target[mid] < t)
      lo = mid + 1;
    else
      hi = mid;
  }
}

bool ecr_matrix_covers_future(const ecr_matrix *m, size_t p, ecr_actset actions) {
  return ecr_matrix_future_decision(m, p, actions, ECR_DECISION_ALLOW) ||
         ecr_matrix_future_decision(m, p, actions, ECR_DECISION_CONDITIONAL);
}

bool ecr_matrix_future_decision(const ecr_matrix *m, size_t p, ecr_actset actions, ecr_decision d) {
  if (m->n_regions == 0 || !actions) return false;
  for (size_t r = 0; r < m->n_regions; r++) {
    size_t probes[2] = {ecr_probe_low(m, r), ecr_probe_high(m, r)};
    for (size_t k = 0; k < 2; k++) {
      ecr_actset y, c;
      ecr_matrix_get(m, p, probes[k], &y, &c);
      ecr_actset have = d == ECR_DECISION_ALLOW ? y : c;
      if ((have & actions) != actions) return false;
    }
  }
  return true;
}
