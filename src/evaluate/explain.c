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
static void add_via(vlist *l, const ecr_cstmt *c, ecr_source src, const char *owner) {
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].source == src && strcmp(l->v[i].policy, c->policy_name) == 0 &&
        l->v[i].deny == c->s->deny) {
      char idx[32];
      snprintf(idx, sizeof(idx), "%zu", c->s->index);
      if (strcmp(l->v[i].statement, c->s->sid ? c->s->sid : idx) == 0) return;
    }
  ecr_via v = {0};
  v.policy = ecr_xstrdup(c->policy_name ? c->policy_name : "");
  v.statement = c->s->sid && c->s->sid[0] ? ecr_xstrdup(c->s->sid) : ecr_xasprintf("%zu", c->s->index);
  v.source = src;
  v.deny = c->s->deny;
  v.conditional = c->s->cond != ECR_COND_NONE;
  v.owner = owner ? ecr_xstrdup(owner) : NULL;
  v.json = c->s->json ? ecr_xstrdup(c->s->json) : NULL;
  ECR_PUSH(l->v, l->n, l->cap, v);
}

static size_t target_of(const ecr_matrix *m, size_t r) {
  return r == ECR_MATRIX_REGISTRY ? m->registry : r;
}

static ecr_actset mask_of(const ecr_matrix *m, size_t t) {
  return t == m->registry ? m->registry_mask : m->repo_mask;
}

/* Identity-side statement: include when it touches the finding's cells. */
static void consider(const ecr_matrix *m, vlist *l, const ecr_cstmt *c, ecr_source src,
                     const char *owner, size_t p,
                     const size_t *repos, size_t n_repos, ecr_actset actions, bool denies_only) {
  if (denies_only && !c->s->deny) return;
  /* an unconditional Deny removed what it covers: it decides nothing that is
     still granted; only conditional Denies limit a grant */
  if (c->s->deny && c->s->cond == ECR_COND_NONE && !c->vars) return;
  for (size_t i = 0; i < n_repos; i++) {
    size_t t = target_of(m, repos[i]);
    ecr_actset act = c->s->actions & actions & mask_of(m, t);
    if (!act) continue;
    if (ecr_cstmt_match(m, c, p, t) != ECR_MATCH_NO) {
      add_via(l, c, src, owner);
      return;
    }
  }
}

static void consider_policy(const ecr_matrix *m, vlist *l, const ecr_policy *pol, ecr_source src,
                            const char *owner, size_t p,
                            const size_t *repos, size_t n, ecr_actset actions, bool denies_only) {
  const ecr_cpolicy *cp = ecr_matrix_cpolicy(m, pol);
  for (size_t i = 0; cp && i < cp->n; i++)
    consider(m, l, &cp->st[i], src, owner, p, repos, n, actions, denies_only);
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
  size_t n_resource = 0;
  *n_omitted = 0;
  const ecr_evidence *ev = m->ev;
  const ecr_mprincipal *mp = &m->principals[p];
  const ecr_iam_principal *ip = mp->pub.iam_index >= 0 ? &ev->principals[mp->pub.iam_index] : NULL;
  if (ip) {
    for (size_t i = 0; i < ip->n_inline; i++)
      consider_policy(m, &l, ip->inline_policies[i].doc, ECR_SRC_IDENTITY, NULL, p, repos, n_repos, actions, false);
    for (size_t i = 0; i < ip->n_managed; i++)
      consider_policy(m, &l, ev->managed[ip->managed[i]].doc, ECR_SRC_IDENTITY, NULL, p, repos, n_repos, actions, false);
    for (size_t g = 0; g < ip->n_groups; g++) {
      const ecr_group *grp = &ev->groups[ip->groups[g]];
      for (size_t i = 0; i < grp->n_inline; i++)
        consider_policy(m, &l, grp->inline_policies[i].doc, ECR_SRC_GROUP, grp->name, p, repos, n_repos, actions, false);
      for (size_t i = 0; i < grp->n_managed; i++)
        consider_policy(m, &l, ev->managed[grp->managed[i]].doc, ECR_SRC_GROUP, grp->name, p, repos, n_repos, actions, false);
    }
  }
  /* resource-side statements on these targets */
  for (size_t i = 0; i < n_repos; i++) {
    size_t t = target_of(m, repos[i]);
    for (size_t k = m->rst_first[t]; k < m->rst_first[t + 1]; k++) {
      const ecr_cstmt *c = m->rst[k].c;
      if (!(c->s->actions & actions & mask_of(m, t))) continue;
      if (c->s->deny && c->s->cond == ECR_COND_NONE) continue;
      if (ecr_rstmt_applies(m, c, p) == ECR_MATCH_NO) continue;
      if (c->vars && ecr_cstmt_match(m, c, p, t) == ECR_MATCH_NO) continue;
      if (c->source == ECR_SRC_RESOURCE) {
        /* each repository has its own policy: distinct statements (grants
           and the conditional Denies that limit them alike) */
        if (n_resource >= max_resource) {
          (*n_omitted)++;
          continue;
        }
        n_resource++;
      }
      add_via(&l, c, c->source, c->owner);
    }
  }
  if (ip) {
    for (size_t i = 0; ip->has_boundary && ip->boundary >= 0 && i < 1; i++)
      consider_policy(m, &l, ev->managed[ip->boundary].doc, ECR_SRC_BOUNDARY, NULL, p, repos, n_repos, actions, true);
    for (size_t k = 0; !ip->service_linked && k < m->n_scp_stmts; k++)
      consider(m, &l, m->scp_stmts[k], ECR_SRC_SCP, m->scp_stmts[k]->owner, p, repos, n_repos, actions, true);
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
  return sorted;
}
