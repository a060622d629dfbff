/* Why a principal holds a grant: the statements that grant it and the
 * (conditional) Denies that limit it. */
#include <stdlib.h>
#include <string.h>

#include "evaluate/matrix_internal.h"
#include "util/util.h"

typedef struct vlist {
  ecr_via *v;
  size_t n, cap;
} vlist;

/* src/owner: where the policy is attached for this principal (a managed
 * policy is compiled once but may reach a principal through a group or as a
 * boundary). */
static void add_via(vlist *l, const ecr_cstmt *c, ecr_source src, const char *owner,
                    ecr_cond_result cond, ecr_keylist *keys) {
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].source == src && strcmp(l->v[i].policy, c->policy_name) == 0 &&
        l->v[i].deny == c->s->deny) {
      char idx[32];
      snprintf(idx, sizeof(idx), "%zu", c->s->index);
      if (strcmp(l->v[i].statement, c->s->sid ? c->s->sid : idx) == 0) {
        ecr_keylist_free(keys);
        return;
      }
    }
  ecr_via v = {0};
  v.policy = ecr_xstrdup(c->policy_name ? c->policy_name : "");
  v.statement =
      c->s->sid && c->s->sid[0] ? ecr_xstrdup(c->s->sid) : ecr_xasprintf("%zu", c->s->index);
  v.source = src;
  v.deny = c->s->deny;
  v.conditional = cond != ECR_COND_TRUE;
  v.undecided = keys->keys;
  v.n_undecided = keys->n;
  v.owner = owner ? ecr_xstrdup(owner) : NULL;
  v.json = c->s->json ? ecr_xstrdup(c->s->json) : NULL;
  ECR_PUSH(l->v, l->n, l->cap, v);
}

/* One explanation's memo of the Conditions that depend only on the
 * principal (it is fixed for the whole explanation): blocks are few,
 * statements naming them many. */
typedef struct cmemo {
  ecr_cond_result *r;
  ecr_keylist *keys;
  bool *have;
} cmemo;

static ecr_cond_result cond_of(const ecr_matrix *m, cmemo *mo, const ecr_cstmt *c, size_t p,
                               size_t t, ecr_keylist *keys) {
  if (c->cond < 0 || (m->conds[c->cond].cls & ECR_KEY_RESOURCE))
    return ecr_cstmt_condition(m, c, p, t, keys);
  int id = c->cond;
  if (!mo->have[id]) {
    mo->r[id] = ecr_cstmt_condition(m, c, p, t, &mo->keys[id]);
    mo->have[id] = true;
  }
  for (size_t i = 0; i < mo->keys[id].n; i++) ecr_keylist_add(keys, mo->keys[id].keys[i]);
  return mo->r[id];
}

static size_t target_of(const ecr_matrix *m, size_t r) {
  return r == ECR_MATRIX_REGISTRY ? m->registry : r;
}

static ecr_actset mask_of(const ecr_matrix *m, size_t t) {
  return t == m->registry ? m->registry_mask : m->repo_mask;
}

/* How statement c applies to principal p over the finding's targets: its
 * Condition, the worst (least decided) over the targets where it matches,
 * with the keys left undecided there. false when it applies nowhere. */
static bool applies(const ecr_matrix *m, cmemo *mo, const ecr_cstmt *c, size_t p,
                    const size_t *repos, size_t n_repos, ecr_actset actions, ecr_cond_result *cond,
                    ecr_keylist *keys, bool *sure_match) {
  bool any = false;
  *cond = ECR_COND_TRUE;
  *sure_match = true;
  for (size_t i = 0; i < n_repos; i++) {
    size_t t = target_of(m, repos[i]);
    if (!(c->s->actions & actions & mask_of(m, t))) continue;
    ecr_match mt = ecr_cstmt_match(m, c, p, t);
    if (mt == ECR_MATCH_NO) continue;
    ecr_cond_result r = cond_of(m, mo, c, p, t, keys);
    if (r == ECR_COND_FALSE) continue;
    any = true;
    if (mt != ECR_MATCH_YES) *sure_match = false;
    if (r < *cond) *cond = r;
    /* without repository-side keys the Condition is the same on every target */
    if (c->cond < 0 || !(m->conds[c->cond].cls & ECR_KEY_RESOURCE)) break;
  }
  return any;
}

/* Identity-side statement: include when it touches the finding's cells. */
static void consider(const ecr_matrix *m, cmemo *mo, vlist *l, const ecr_cstmt *c, ecr_source src,
                     const char *owner, size_t p, const size_t *repos, size_t n_repos,
                     ecr_actset actions, bool denies_only) {
  if (denies_only && !c->s->deny) return;
  ecr_keylist keys = {0};
  ecr_cond_result cond;
  bool sure;
  if (!applies(m, mo, c, p, repos, n_repos, actions, &cond, &keys, &sure)) {
    ecr_keylist_free(&keys);
    return;
  }
  /* an unconditional Deny removed what it covers: it decides nothing that is
     still granted; only conditional Denies limit a grant */
  if (c->s->deny && cond == ECR_COND_TRUE && sure && !c->vars) {
    ecr_keylist_free(&keys);
    return;
  }
  add_via(l, c, src, owner, cond, &keys);
}

static void consider_policy(const ecr_matrix *m, cmemo *mo, vlist *l, const ecr_policy *pol,
                            ecr_source src, const char *owner, size_t p, const size_t *repos,
                            size_t n, ecr_actset actions, bool denies_only) {
  const ecr_cpolicy *cp = ecr_matrix_cpolicy(m, pol);
  for (size_t i = 0; cp && i < cp->n; i++)
    consider(m, mo, l, &cp->st[i], src, owner, p, repos, n, actions, denies_only);
}

ecr_via *ecr_matrix_explain(const ecr_matrix *m, size_t p, const size_t *repos, size_t n_repos,
                            ecr_actset actions, size_t *n_out) {
  size_t omitted = 0;
  return ecr_matrix_explain_limited(m, p, repos, n_repos, actions, (size_t)-1, n_out, &omitted);
}

ecr_via *ecr_matrix_explain_limited(const ecr_matrix *m, size_t p, const size_t *repos,
                                    size_t n_repos, ecr_actset actions, size_t max_resource,
                                    size_t *n_out, size_t *n_omitted) {
  vlist l = {0};
  cmemo mo = {ecr_xcalloc(m->n_conds + 1, sizeof(ecr_cond_result)),
              ecr_xcalloc(m->n_conds + 1, sizeof(ecr_keylist)),
              ecr_xcalloc(m->n_conds + 1, sizeof(bool))};
  size_t n_resource = 0;
  *n_omitted = 0;
  const ecr_evidence *ev = m->ev;
  const ecr_mprincipal *mp = &m->principals[p];
  const ecr_iam_principal *ip = mp->pub.iam_index >= 0 ? &ev->principals[mp->pub.iam_index] : NULL;
  if (ip) {
    ecr_mx_policy_walk w;
    const ecr_policy *doc;
    ecr_source src;
    const char *owner;
    ecr_mx_policy_walk_init(&w, ev, ip);
    while (ecr_mx_policy_walk_next(&w, &doc, &src, &owner))
      consider_policy(m, &mo, &l, doc, src, owner, p, repos, n_repos, actions, false);
  }
  /* resource-side statements on these targets */
  for (size_t i = 0; i < n_repos; i++) {
    size_t t = target_of(m, repos[i]);
    for (size_t k = m->rst_first[t]; k < m->rst_first[t + 1]; k++) {
      const ecr_cstmt *c = m->rst[k].c;
      if (!(c->s->actions & actions & mask_of(m, t))) continue;
      ecr_match who = ecr_rstmt_applies(m, c, p);
      if (who == ECR_MATCH_NO) continue;
      ecr_match mt = c->vars ? ecr_cstmt_match(m, c, p, t) : ECR_MATCH_YES;
      if (mt == ECR_MATCH_NO) continue;
      ecr_keylist keys = {0};
      ecr_cond_result cond = cond_of(m, &mo, c, p, t, &keys);
      if (cond == ECR_COND_FALSE ||
          (c->s->deny && cond == ECR_COND_TRUE && who == ECR_MATCH_YES && mt == ECR_MATCH_YES)) {
        ecr_keylist_free(&keys);
        continue;
      }
      if (c->source == ECR_SRC_RESOURCE) {
        /* each repository has its own policy: distinct statements (grants
           and the conditional Denies that limit them alike) */
        if (n_resource >= max_resource) {
          (*n_omitted)++;
          ecr_keylist_free(&keys);
          continue;
        }
        n_resource++;
      }
      add_via(&l, c, c->source, c->owner, cond, &keys);
    }
  }
  if (ip) {
    for (size_t i = 0; ip->has_boundary && ip->boundary >= 0 && i < 1; i++)
      consider_policy(m, &mo, &l, ev->managed[ip->boundary].doc, ECR_SRC_BOUNDARY, NULL, p, repos,
                      n_repos, actions, true);
    for (size_t k = 0; !ip->service_linked && k < m->n_scp_stmts; k++)
      consider(m, &mo, &l, m->scp_stmts[k], ECR_SRC_SCP, m->scp_stmts[k]->owner, p, repos, n_repos,
               actions, true);
  }
  /* RCPs: every principal but the account's service-linked roles, on the
     repositories (registry-level actions: the account's own principals) */
  if (m->rcp_active && !(ip && ip->service_linked)) {
    size_t *rr = ecr_xcalloc(n_repos + 1, sizeof(size_t)), nr = 0;
    for (size_t i = 0; i < n_repos; i++)
      if (ip || repos[i] != ECR_MATRIX_REGISTRY) rr[nr++] = repos[i];
    for (size_t k = 0; nr && k < m->n_rcp_stmts; k++)
      consider(m, &mo, &l, m->rcp_stmts[k], ECR_SRC_RCP, m->rcp_stmts[k]->owner, p, rr, nr, actions,
               true);
    free(rr);
  }
  /* granting statements first, then limiting Denies; stable otherwise */
  size_t w = 0;
  ecr_via *sorted = ecr_xcalloc(l.n + 1, sizeof(ecr_via));
  for (size_t i = 0; i < l.n; i++)
    if (!l.v[i].deny) sorted[w++] = l.v[i];
  for (size_t i = 0; i < l.n; i++)
    if (l.v[i].deny) sorted[w++] = l.v[i];
  free(l.v);
  *n_out = w;
  for (size_t i = 0; i < m->n_conds; i++) ecr_keylist_free(&mo.keys[i]);
  free(mo.r);
  free(mo.keys);
  free(mo.have);
  return sorted;
}
