/* Findings through a chain of roles (DESIGN.md "Indirect access"). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "report/report_internal.h"

/* ---- findings through a chain of roles ------------------------------------------------
 * DESIGN.md "Indirect access": a principal that reaches Write, Permissions
 * management or Tagging only by becoming a role gets findings of its own,
 * carrying the chain. Per starting principal, the roles it can become
 * (ecr_paths_reach) are taken widest access first, unconditional chains
 * before conditional ones. A role adds findings only for the groups that
 * neither the principal's own access nor a role taken before already covers
 * with at least that decision: every cell the principal reaches only
 * indirectly is in a finding, and no principal gets one finding per role it
 * could become. A finding is one group of the role's own skeleton (one
 * level, decision, action set and repository set), so each of its cells is
 * a `paths` row of that chain with that decision: the role's decision, or
 * conditional when a hop is. */
#define POD_IDENTITY "pods.eks.amazonaws.com"

typedef struct chain_emit {
  size_t role, mx, profile, group;
  bool y;
} chain_emit;

typedef struct chain_memo {
  size_t reach;
  const void *row; /* the start's own matrix row, NULL when it has none */
  long self;       /* the start when it is a role it reaches again (through a cycle), else -1 */
  bool iam;        /* the start is an IAM user or role of the account */
  uint64_t hash;
  chain_emit *e;
  size_t n;
  bool capped;
} chain_memo;

typedef struct chain_cand {
  size_t role, mx, profile, cells;
  bool y;
} chain_cand;

/* The statements behind one group of one role, explained once and copied
   into every start's finding through that role. */
typedef struct via_memo {
  size_t mx, profile, group;
  ecr_via *via;
  size_t n, omitted;
} via_memo;

typedef struct reach_cands {
  chain_cand *c;
  size_t n;
  bool made;
} reach_cands;

typedef struct chains {
  ecr_paths *paths;
  long *role_of_ev; /* evidence principal -> paths role index, -1 */
  reach_cands *rc;  /* per reach id */
  size_t cap_rc;
  size_t *taken; /* per profile: the plan that took it (stamp) */
  size_t cap_taken, stamp;
  via_memo *vias;
  size_t n_vias, cap_vias;
  ecr_index via_index;
  long *mx_of_ev;       /* evidence principal -> matrix principal, -1 */
  size_t *role_profile; /* paths role -> profile index + 1, 0 until known */
  ecr_actset *uy, *um;  /* per matrix target: cells covered so far */
  size_t *touched;
  size_t n_touched, cap_touched;
  chain_memo *memo;
  size_t n_memo, cap_memo;
  ecr_index memo_index;
  size_t n_findings, n_capped;
} chains;

static ecr_actset risky_mask(void) {
  return ecr_catalog_level(ECR_LEVEL_WRITE) | ecr_catalog_level(ECR_LEVEL_PERMISSIONS) |
         ecr_catalog_level(ECR_LEVEL_TAGGING);
}

static bool risky_level(ecr_access_level l) {
  return l == ECR_LEVEL_WRITE || l == ECR_LEVEL_PERMISSIONS || l == ECR_LEVEL_TAGGING;
}

/* Cells of a row at the risky levels (how wide a role's access is). */
size_t ecr_rb_risky_cells(const ecr_matrix_row *row) {
  ecr_actset rm = risky_mask();
  size_t n = 0;
  for (size_t k = 0; k < row->n; k++) n += (size_t)__builtin_popcountll(row->m[k] & rm);
  return n;
}

static void cover(chains *C, size_t t, ecr_actset y, ecr_actset m) {
  if (!C->uy[t] && !C->um[t]) ECR_PUSH(C->touched, C->n_touched, C->cap_touched, t);
  C->uy[t] |= y;
  C->um[t] |= m;
}

/* Does what is covered so far hold every cell of the row (y: its
   unconditional cells count as unconditional)? */
static bool row_covered(const chains *C, const ecr_matrix_row *row, bool y) {
  ecr_actset rm = risky_mask();
  for (size_t k = 0; k < row->n; k++) {
    size_t t = row->target[k];
    ecr_actset ey = y ? row->y[k] & rm : 0, em = row->m[k] & rm;
    if ((ey & ~C->uy[t]) || (em & ~C->um[t])) return false;
  }
  return true;
}

static bool group_covered(const builder *B, const chains *C, const pgroup *g, ecr_decision d) {
  const bset *set = &B->sets[g->set];
  for (size_t k = 0; k < set->n; k++) {
    size_t t = g->registry ? B->tg.registry : set->targets[k];
    ecr_actset have = d == ECR_DECISION_ALLOW ? C->uy[t] : C->um[t];
    if (g->actions & ~have) return false;
  }
  return true;
}

static int cmp_cand_profile(const void *a, const void *b) {
  const chain_cand *x = a, *y = b;
  if (x->profile != y->profile) return x->profile < y->profile ? -1 : 1;
  if (x->y != y->y) return x->y ? -1 : 1;
  return (x->role > y->role) - (x->role < y->role);
}

static int cmp_cand_width(const void *a, const void *b) {
  const chain_cand *x = a, *y = b;
  if (x->y != y->y) return x->y ? -1 : 1;
  if (x->cells != y->cells) return x->cells > y->cells ? -1 : 1;
  return (x->role > y->role) - (x->role < y->role);
}

typedef struct memo_query {
  const chains *C;
  size_t reach;
  const void *row;
  long self;
  bool iam;
} memo_query;

static bool memo_equal(const void *ctx, size_t item) {
  const memo_query *q = ctx;
  const chain_memo *mm = &q->C->memo[item];
  return mm->reach == q->reach && mm->row == q->row && mm->self == q->self && mm->iam == q->iam;
}

static uint64_t memo_hash_of(const void *ctx, size_t item) {
  return ((const memo_query *)ctx)->C->memo[item].hash;
}

/* The roles a reach holds that have risky access, widest first (see
   cmp_cand_width), at most two per access profile (the best two: so that a
   start that is itself the best of its profile still has one). Made once
   per reach, shared by every start with it. */
static const reach_cands *reach_candidates(builder *B, chains *C, size_t reach, const uint64_t *ry,
                                           const uint64_t *rm) {
  const ecr_evidence *ev = B->ev;
  if (reach >= C->cap_rc) {
    size_t old = C->cap_rc;
    C->cap_rc = 2 * reach + 16;
    C->rc = ecr_xrealloc(C->rc, C->cap_rc * sizeof(reach_cands));
    memset(C->rc + old, 0, (C->cap_rc - old) * sizeof(reach_cands));
  }
  reach_cands *out = &C->rc[reach];
  if (out->made) return out;
  out->made = true;
  size_t nr = ecr_paths_role_count(C->paths), nc = 0, cap_c = 0;
  chain_cand *cands = NULL;
  for (size_t x = 0; x < (nr + 63) / 64; x++) {
    uint64_t bits = rm[x];
    while (bits) {
      size_t r = x * 64 + (size_t)__builtin_ctzll(bits);
      bits &= bits - 1;
      size_t ev_i = ecr_paths_role_principal(C->paths, r);
      long mx = C->mx_of_ev[ev_i];
      if (mx < 0) continue;
      /* becoming a service-linked role (only its AWS service can: AWS owns
         the trust policy) is not a path anyone can narrow; the role's own
         finding says what it holds */
      if (ev->principals[ev_i].service_linked) continue;
      if (!C->role_profile[r]) {
        const profile *pf = ecr_rb_profile_of(B, (size_t)mx);
        C->role_profile[r] = (size_t)(pf - B->profiles) + 1;
      }
      size_t pi = C->role_profile[r] - 1;
      if (!B->profiles[pi].cells) continue;
      chain_cand c = {r, (size_t)mx, pi, B->profiles[pi].cells, (ry[x] >> (r % 64)) & 1};
      ECR_PUSH(cands, nc, cap_c, c);
    }
  }
  if (nc) qsort(cands, nc, sizeof(chain_cand), cmp_cand_profile);
  size_t nu = 0;
  for (size_t i = 0; i < nc; i++)
    if (nu < 2 || cands[nu - 1].profile != cands[i].profile ||
        cands[nu - 2].profile != cands[i].profile)
      cands[nu++] = cands[i];
  if (nu) qsort(cands, nu, sizeof(chain_cand), cmp_cand_width);
  out->c = cands;
  out->n = nu;
  return out;
}

/* What the starts with this reach and this own row get: the groups to
   emit, per role. */
static const chain_memo *chain_plan(builder *B, chains *C, size_t start, long start_ev,
                                    long start_mx) {
  const uint64_t *ry, *rm;
  size_t reach = ecr_paths_reach(C->paths, start, &ry, &rm);
  const ecr_matrix_row *own_row = start_mx >= 0 ? ecr_matrix_row_of(B->m, start_mx) : NULL;
  /* only the start's risky cells count as covered: a row without any (a
     reader) plans like no row, so such starts share one plan per reach */
  if (own_row && !ecr_rb_risky_cells(own_row)) own_row = NULL;
  long self = -1;
  long sr = start_ev >= 0 ? C->role_of_ev[start_ev] : -1; /* the start's role index */
  if (sr >= 0 && (rm[(size_t)sr / 64] >> ((size_t)sr % 64) & 1)) self = start_ev;
  memo_query q = {C, reach, own_row, self, start_ev >= 0};
  uint64_t h = (reach * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)(uintptr_t)own_row >> 4) ^
               ((uint64_t)(self + 1) << 40) ^ (uint64_t)q.iam;
  bool found;
  size_t at = ecr_index_get(&C->memo_index, h, memo_equal, memo_hash_of, &q, C->n_memo, &found);
  if (found) return &C->memo[at];
  chain_memo mm = {reach, own_row, self, q.iam, h, NULL, 0, false};
  size_t cap_e = 0;
  const reach_cands *rcs = reach_candidates(B, C, reach, ry, rm);
  /* one candidate per profile, never the start itself (the list keeps two
     roles per profile for that) */
  size_t stamp = ++C->stamp;
  if (C->cap_taken < B->n_profiles + 1) {
    size_t old = C->cap_taken;
    C->cap_taken = 2 * (B->n_profiles + 1);
    C->taken = ecr_xrealloc(C->taken, C->cap_taken * sizeof(size_t));
    memset(C->taken + old, 0, (C->cap_taken - old) * sizeof(size_t));
  }
  chain_cand *cands = ecr_xcalloc(rcs->n + 1, sizeof(chain_cand));
  size_t nu = 0;
  for (size_t i = 0; i < rcs->n; i++) {
    const chain_cand *c = &rcs->c[i];
    if ((long)ecr_paths_role_principal(C->paths, c->role) == start_ev) continue;
    if (C->taken[c->profile] == stamp) continue;
    C->taken[c->profile] = stamp;
    cands[nu++] = *c;
  }
  /* covered so far: the start's own access */
  ecr_actset mask = risky_mask();
  for (size_t k = 0; own_row && k < own_row->n; k++)
    cover(C, own_row->target[k], own_row->y[k] & mask, own_row->m[k] & mask);
  size_t kept = 0;
  for (size_t i = 0; i < nu; i++) {
    const chain_cand *c = &cands[i];
    const ecr_matrix_row *row = ecr_matrix_row_of(B->m, c->mx);
    if (row_covered(C, row, c->y)) continue;
    if (kept == CHAIN_MAX_ROLES) {
      mm.capped = true;
      break;
    }
    kept++;
    const profile *pf = &B->profiles[c->profile];
    for (size_t gi = 0; gi < pf->n; gi++) {
      const pgroup *g = &pf->g[gi];
      if (!risky_level(g->level)) continue;
      ecr_decision d = c->y ? g->decision : ECR_DECISION_CONDITIONAL;
      if (group_covered(B, C, g, d)) continue;
      chain_emit e = {c->role, c->mx, c->profile, gi, c->y};
      ECR_PUSH(mm.e, mm.n, cap_e, e);
    }
    for (size_t k = 0; k < row->n; k++)
      cover(C, row->target[k], c->y ? row->y[k] & mask : 0, row->m[k] & mask);
  }
  for (size_t i = 0; i < C->n_touched; i++) C->uy[C->touched[i]] = C->um[C->touched[i]] = 0;
  C->n_touched = 0;
  free(cands);
  ECR_PUSH(C->memo, C->n_memo, C->cap_memo, mm);
  return &C->memo[at];
}

typedef struct via_query {
  const chains *C;
  const chain_emit *e;
} via_query;

static bool via_equal(const void *ctx, size_t item) {
  const via_query *q = ctx;
  const via_memo *v = &q->C->vias[item];
  return v->mx == q->e->mx && v->profile == q->e->profile && v->group == q->e->group;
}

static uint64_t via_hash(size_t mx, size_t pf, size_t gi) {
  return (mx * 0x9e3779b97f4a7c15ull) ^ (pf * 0xc2b2ae3d27d4eb4full) ^ gi;
}

static uint64_t via_hash_of(const void *ctx, size_t item) {
  const via_memo *v = &((const via_query *)ctx)->C->vias[item];
  return via_hash(v->mx, v->profile, v->group);
}

/* The granting statements of the role's group (as a direct finding of the
   role lists them), explained on first use. */
static const via_memo *chain_vias(builder *B, chains *C, const chain_emit *e, const pgroup *g) {
  via_query q = {C, e};
  bool found;
  size_t at = ecr_index_get(&C->via_index, via_hash(e->mx, e->profile, e->group), via_equal,
                            via_hash_of, &q, C->n_vias, &found);
  if (found) return &C->vias[at];
  via_memo v = {e->mx, e->profile, e->group, NULL, 0, 0};
  const bset *set = &B->sets[g->set];
  v.via = ecr_matrix_explain_limited(
      B->m, e->mx, g->registry ? (size_t[]){ECR_MATRIX_REGISTRY} : set->targets,
      g->registry ? 1 : set->n, g->actions, VIA_MAX_RESOURCE, &v.n, &v.omitted);
  ECR_PUSH(C->vias, C->n_vias, C->cap_vias, v);
  return &C->vias[at];
}

static ecr_principal_kind start_kind(const ecr_evidence *ev, const char *name, long ev_i) {
  if (ev_i >= 0) return ev->principals[ev_i].cls == ECR_PRINCIPAL_USER ? ECR_PK_USER : ECR_PK_ROLE;
  if (strcmp(name, "*") == 0) return ECR_PK_PUBLIC;
  if (ecr_str_has_prefix(name, "service:")) return ECR_PK_SERVICE;
  if (ecr_str_has_prefix(name, "federated:")) return ECR_PK_FEDERATED;
  if (ecr_str_has_prefix(name, "k8s:")) return ECR_PK_K8S;
  size_t n = strlen(name);
  if (n > 5 && strcmp(name + n - 5, ":root") == 0) return ECR_PK_ACCOUNT;
  return ECR_PK_EXTERNAL;
}

/* A web identity start whose trust pins no sub is anyone holding a token of
   that provider: as outside as the public. */
static bool start_unpinned(const char *name) {
  size_t n = strlen(name);
  return ecr_str_has_prefix(name, "federated:") && n > 2 && strcmp(name + n - 2, "#*") == 0;
}

/* "GitHub Actions workflows of repository acme/web, branch main" ... */
static char *who_of(const ecr_evidence *ev, const char *name, long ev_i, ecr_principal_kind k) {
  if (ev_i >= 0)
    return T(k == ECR_PK_USER ? "chain/who-user" : "chain/who-role",
             (const char *const[]){"name", ev->principals[ev_i].name, NULL});
  if (k == ECR_PK_PUBLIC) return T("chain/who-public", NULL);
  if (k == ECR_PK_SERVICE)
    return T("chain/who-service", (const char *const[]){"service", name + 8, NULL});
  if (k == ECR_PK_ACCOUNT || k == ECR_PK_EXTERNAL) {
    char *acct = ecr_rb_account_in(name);
    char *s = T(k == ECR_PK_ACCOUNT ? "chain/who-account" : "chain/who-external",
                (const char *const[]){"account", acct, "name", name, NULL});
    free(acct);
    return s;
  }
  if (k == ECR_PK_K8S) { /* k8s:<cluster ARN>#<ns>/<sa> */
    const char *hash = strrchr(name, '#');
    const char *slash = hash ? strchr(hash, '/') : NULL;
    if (!hash || !slash) return ecr_xstrdup(name);
    char *cluster = ecr_xasprintf("%.*s", (int)(hash - name - 4), name + 4);
    const char *cl = strstr(cluster, ":cluster/");
    char *ns = ecr_xasprintf("%.*s", (int)(slash - hash - 1), hash + 1);
    char *s = T("chain/who-k8s", (const char *const[]){"sa", slash + 1, "ns", ns, "cluster",
                                                       cl ? cl + 9 : cluster, NULL});
    free(ns);
    free(cluster);
    return s;
  }
  /* federated:<provider ARN>[#<sub>] */
  const char *prov = name + strlen("federated:");
  const char *hash = strchr(prov, '#');
  char *provider = hash ? ecr_xasprintf("%.*s", (int)(hash - prov), prov) : ecr_xstrdup(prov);
  char *s;
  if (!hash) {
    s = T("chain/who-saml", (const char *const[]){"provider", provider, NULL});
  } else if (strstr(provider, "token.actions.githubusercontent.com")) {
    const char *sub = hash + 1;
    if (strcmp(sub, "*") == 0) {
      s = T("chain/who-github-any", NULL);
    } else {
      /* repo:OWNER/NAME:ref:refs/heads/BRANCH, :ref:refs/tags/TAG, :environment:ENV,
         :pull_request ... */
      char *what;
      const char *r = ecr_str_has_prefix(sub, "repo:") ? sub + 5 : NULL;
      const char *colon = r ? strchr(r, ':') : NULL;
      if (r) {
        char *rname = colon ? ecr_xasprintf("%.*s", (int)(colon - r), r) : ecr_xstrdup(r);
        bool pattern = strchr(rname, '*') != NULL;
        char *repo = T(pattern ? "chain/gh-repos" : "chain/gh-repo",
                       (const char *const[]){"repo", rname, NULL});
        const char *rest = colon ? colon + 1 : NULL;
        static const struct {
          const char *prefix, *tmpl;
        } refs[] = {{"ref:refs/heads/", "chain/gh-branch"},
                    {"ref:refs/tags/", "chain/gh-tag"},
                    {"environment:", "chain/gh-environment"}};
        const char *tmpl = rest ? "chain/gh-other" : NULL, *ref = rest;
        for (size_t j = 0; rest && j < sizeof(refs) / sizeof(refs[0]); j++)
          if (ecr_str_has_prefix(rest, refs[j].prefix)) {
            tmpl = refs[j].tmpl;
            ref = rest + strlen(refs[j].prefix);
            break;
          }
        what = tmpl ? T(tmpl, (const char *const[]){"repo", repo, "ref", ref, NULL})
                    : ecr_xstrdup(repo);
        free(repo);
        free(rname);
      } else {
        what = T("chain/gh-sub", (const char *const[]){"sub", sub, NULL});
      }
      s = T("chain/who-github", (const char *const[]){"what", what, NULL});
      free(what);
    }
  } else if (strcmp(hash + 1, "*") == 0) {
    s = T("chain/who-web-any", (const char *const[]){"provider", provider, NULL});
  } else {
    s = T("chain/who-web", (const char *const[]){"provider", provider, "sub", hash + 1, NULL});
  }
  free(provider);
  return s;
}

/* The statement of the first role's trust policy that lets the start in:
   the one naming it exactly, else one delegating to its account's IAM
   policies (*delegated), else one naming "*". NULL when none is found. */
static char *trust_statement(const ecr_evidence *ev, const ecr_iam_principal *role,
                             const char *name, long ev_i, ecr_principal_kind k, bool *delegated) {
  *delegated = false;
  if (!role->trust) return NULL;
  const ecr_statement *best = NULL;
  int rank = 0; /* 3 exact, 2 delegated, 1 star */
  char *root = ecr_xasprintf("arn:%s:iam::%s:root", ev->partition, ev->account);
  const char *prov = ecr_str_has_prefix(name, "federated:") ? name + 10 : NULL;
  size_t prov_len = prov ? strcspn(prov, "#") : 0;
  for (size_t i = 0; i < role->trust->n_statements; i++) {
    const ecr_statement *s = &role->trust->statements[i];
    if (s->deny || s->not_principal) continue;
    for (size_t j = 0; j < s->n_principals; j++) {
      const ecr_principal_ref *ref = &s->principals[j];
      int r = 0;
      switch (ref->type) {
      case ECR_PT_STAR: r = 1; break;
      case ECR_PT_AWS:
        if (strcmp(ref->value, name) == 0)
          r = 3;
        else if (ev_i >= 0 &&
                 (strcmp(ref->value, root) == 0 || strcmp(ref->value, ev->account) == 0))
          r = 2;
        else if (k == ECR_PK_ACCOUNT && strlen(ref->value) == 12 && strstr(name, ref->value))
          r = 3;
        break;
      case ECR_PT_SERVICE:
        if ((k == ECR_PK_SERVICE && strcmp(ref->value, name + 8) == 0) ||
            (k == ECR_PK_K8S && strcmp(ref->value, POD_IDENTITY) == 0))
          r = 3;
        break;
      case ECR_PT_FEDERATED:
        if ((prov && strlen(ref->value) == prov_len && strncmp(ref->value, prov, prov_len) == 0) ||
            (k == ECR_PK_K8S && strstr(ref->value, ":oidc-provider/")))
          r = 3;
        break;
      case ECR_PT_CANONICAL: break;
      }
      if (r > rank) {
        rank = r;
        best = s;
      }
    }
  }
  free(root);
  if (!best) return NULL;
  *delegated = rank == 2;
  return best->sid ? ecr_xstrdup(best->sid) : ecr_xasprintf("%zu", best->index);
}

static void chain_texts(builder *B, ecr_finding *f, const char *who, const char *who_short,
                        long start_ev, ecr_principal_kind kind, bool hops_y) {
  const ecr_evidence *ev = B->ev;
  const char *first_arn = f->via_chain[0], *last_arn = f->via_chain[f->n_via_chain - 1];
  long fi = ecr_evidence_find_principal(ev, first_arn),
       li = ecr_evidence_find_principal(ev, last_arn);
  const char *first = fi >= 0 ? ev->principals[fi].name : first_arn;
  const char *role = li >= 0 ? ev->principals[li].name : last_arn;
  ecr_buf path;
  ecr_buf_init(&path);
  for (size_t i = 0; i < f->n_via_chain; i++) {
    long pi = ecr_evidence_find_principal(ev, f->via_chain[i]);
    ecr_buf_printf(&path, "%s%s", i ? " > " : "",
                   pi >= 0 ? ev->principals[pi].name : f->via_chain[i]);
  }
  char *cond = hops_y ? ecr_xstrdup("") : T("chain/impact-conditional", NULL);
  char *repos = ecr_rb_repos_phrase_n(B, f, 3);
  char *effects = f->access_level == ECR_LEVEL_WRITE         ? ecr_rb_write_effects(f)
                  : f->access_level == ECR_LEVEL_PERMISSIONS ? T("effect/permissions", NULL)
                                                             : T("effect/tagging", NULL);
  ecr_buf b;
  ecr_buf_init(&b);
  char *how = T(f->n_via_chain == 1 ? "chain/how-one" : "chain/how-chain",
                (const char *const[]){"role", role, "path", path.data, NULL});
  ecr_rb_para(&b,
              T("chain/impact", (const char *const[]){"who", who, "how", how, "hops", cond,
                                                      "effects", effects, "repos", repos, NULL}));
  free(how);
  /* (can_push says whether the whole push set is there; that removing the
     path leaves the role its own access is said once, in the report's
     coverage, not per finding) */
  if (f->decision == ECR_DECISION_CONDITIONAL && f->n_undecided) {
    char *keys = ecr_rb_join(f->undecided_conditions, f->n_undecided, ", ", 12);
    ecr_rb_para(&b, T("impact/conditional", (const char *const[]){"keys", keys, NULL}));
    free(keys);
  }
  if (f->status == ECR_CHECK_UNKNOWN) ecr_rb_para(&b, T("impact/gap", NULL));
  f->impact = ecr_buf_steal(&b);

  ecr_buf_init(&b);
  bool delegated = false;
  f->chain_trust =
      fi >= 0 ? trust_statement(ev, &ev->principals[fi], f->principal, start_ev, kind, &delegated)
              : NULL;
  const char *stmt = f->chain_trust ? f->chain_trust : "(not found)";
  ecr_rb_para(&b, T(delegated ? "chain/remediation-delegated" : "chain/remediation-trust",
                    (const char *const[]){"first", first, "statement", stmt, "who_short", who_short,
                                          "role", role, NULL}));
  ecr_rb_para(&b, T("chain/ledger", NULL));
  f->remediation = ecr_buf_steal(&b);
  free(effects);
  free(repos);
  free(cond);
  ecr_buf_cleanup(&path);
}

/* The matrix principal spelled `name`, -1 when none (principals are sorted
   in TSV order). */
long ecr_rb_matrix_find(const ecr_matrix *m, const char *name) {
  size_t lo = 0, hi = ecr_matrix_principal_count(m);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = ecr_tsv_cmp(ecr_matrix_principal_at(m, mid)->name, name);
    if (c == 0) return (long)mid;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

void ecr_rb_chain_findings(builder *B, ecr_paths *given) {
  const ecr_evidence *ev = B->ev;
  const ecr_matrix *m = B->m;
  chains C = {0};
  ecr_error err = {0};
  C.paths = given;
  if (!given && ecr_paths_build(ev, m, &C.paths, &err) != ECR_OK) return;
  C.mx_of_ev = ecr_xcalloc(ev->n_principals + 1, sizeof(long));
  for (size_t i = 0; i < ev->n_principals; i++) C.mx_of_ev[i] = -1;
  for (size_t i = 0; i < ecr_matrix_principal_count(m); i++)
    if (ecr_matrix_principal_at(m, i)->iam_index >= 0)
      C.mx_of_ev[ecr_matrix_principal_at(m, i)->iam_index] = (long)i;
  C.role_profile = ecr_xcalloc(ecr_paths_role_count(C.paths) + 1, sizeof(size_t));
  C.role_of_ev = ecr_xcalloc(ev->n_principals + 1, sizeof(long));
  for (size_t i = 0; i < ev->n_principals; i++) C.role_of_ev[i] = -1;
  for (size_t r = 0; r < ecr_paths_role_count(C.paths); r++)
    C.role_of_ev[ecr_paths_role_principal(C.paths, r)] = (long)r;
  C.uy = ecr_xcalloc(B->tg.n_targets + 1, sizeof(ecr_actset));
  C.um = ecr_xcalloc(B->tg.n_targets + 1, sizeof(ecr_actset));
  size_t n_starts = ecr_paths_start_count(C.paths);
  for (size_t s = 0; s < n_starts; s++) {
    const char *name = ecr_paths_start_name(C.paths, s);
    long start_ev = ecr_paths_start_principal(C.paths, s);
    long start_mx = start_ev >= 0 ? C.mx_of_ev[start_ev] : ecr_rb_matrix_find(m, name);
    const chain_memo *plan = chain_plan(B, &C, s, start_ev, start_mx);
    if (!plan->n) continue;
    if (plan->capped) C.n_capped++;
    size_t n_emit = plan->n;
    chain_emit *emits = ecr_xcalloc(n_emit + 1, sizeof(chain_emit));
    memcpy(emits, plan->e, n_emit * sizeof(chain_emit)); /* the memo array may move */
    ecr_principal_kind kind = start_kind(ev, name, start_ev);
    ecr_principal_kind sev_kind = start_unpinned(name)                             ? ECR_PK_PUBLIC
                                  : kind == ECR_PK_FEDERATED || kind == ECR_PK_K8S ? ECR_PK_ROLE
                                                                                   : kind;
    char *who = who_of(ev, name, start_ev, kind);
    const char *who_short = start_ev >= 0 ? ev->principals[start_ev].name : name;
    for (size_t i = 0; i < n_emit; i++) {
      const chain_emit *e = &emits[i];
      const pgroup *g = &B->profiles[e->profile].g[e->group];
      size_t chain[ECR_PATHS_MAX_HOPS];
      size_t n_chain = ecr_paths_chain(C.paths, s, e->role, e->y, chain);
      if (!n_chain) continue;
      ecr_finding *f = ecr_rb_new_finding(B, start_mx >= 0 ? (size_t)start_mx : (size_t)-1);
      f->principal = ecr_xstrdup(name);
      f->principal_kind = kind;
      f->access_level = g->level;
      f->decision = e->y ? g->decision : ECR_DECISION_CONDITIONAL;
      f->actions = ecr_rb_actions_of(g->actions, &f->n_actions);
      ecr_rb_use_set(B, f, g->set);
      f->all_repositories = g->all;
      f->can_push = g->can_push;
      f->severity = ecr_rb_severity_of(g->level, sev_kind, g->all || g->registry);
      f->status = g->gap ? ECR_CHECK_UNKNOWN : ECR_CHECK_FAIL;
      if (g->gap) f->status_reason = T("status/gap-finding", NULL);
      f->via_chain = ecr_xcalloc(n_chain + 1, sizeof(char *));
      ecr_buf key;
      ecr_buf_init(&key);
      ecr_buf_puts(&key, "chain");
      for (size_t k = 0; k < n_chain; k++) {
        f->via_chain[k] =
            ecr_xstrdup(ev->principals[ecr_paths_role_principal(C.paths, chain[k])].arn);
        ecr_buf_printf(&key, "\n%s", f->via_chain[k]);
      }
      f->n_via_chain = n_chain;
      char *akey = ecr_rb_action_key(g->actions);
      ecr_buf_printf(&key, "\n%s\n%s", akey, ecr_decision_name(g->decision));
      free(akey);
      f->id = ecr_rb_finding_id(ev->account, f->principal, g->level, f->decision, g->registry,
                                g->gap, key.data);
      ecr_buf_cleanup(&key);
      const via_memo *vm = chain_vias(B, &C, e, g);
      f->via = ecr_via_copy(vm->via, vm->n);
      f->n_via = vm->n;
      f->n_via_omitted = vm->omitted;
      ecr_rb_undecided_keys(f);
      ecr_rb_apply_ledger(B, f);
      chain_texts(B, f, who, who_short, start_ev, kind, e->y);
      C.n_findings++;
    }
    free(who);
    free(emits);
  }
  B->n_chain_findings = C.n_findings;
  B->n_chain_capped = C.n_capped;
  for (size_t i = 0; i < C.n_memo; i++) free(C.memo[i].e);
  for (size_t i = 0; i < C.cap_rc; i++) free(C.rc[i].c);
  free(C.rc);
  free(C.taken);
  for (size_t i = 0; i < C.n_vias; i++) {
    for (size_t k = 0; k < C.vias[i].n; k++) ecr_via_cleanup(&C.vias[i].via[k]);
    free(C.vias[i].via);
  }
  free(C.vias);
  ecr_index_cleanup(&C.via_index);
  free(C.memo);
  ecr_index_cleanup(&C.memo_index);
  free(C.mx_of_ev);
  free(C.role_of_ev);
  free(C.role_profile);
  free(C.uy);
  free(C.um);
  free(C.touched);
  if (!given) ecr_paths_free(C.paths);
}
