/* The findings stage's private header (src/report/): the builder every
 * part works on, and the functions one part calls in another (prefix
 * ecr_rb_, "report builder"). Not installed. */
#ifndef ECRAUDIT_REPORT_INTERNAL_H
#define ECRAUDIT_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ecraudit/findings.h"
#include "ecraudit/paths.h"
#include "util/util.h"

/* templates/text/<name>.txt expanded with kv (ecr_text). Every name is a
 * string literal of src/report/ files ("dir/name"), and test_report checks that
 * each one is embedded. Caller frees. */
#define T ecr_text

/* One finding's cells: an access level, a decision and one exact action
 * set, on a set of targets (DESIGN.md "Findings must be true": every
 * target of the set holds exactly these actions of this level with this
 * decision, so no finding is a union over repositories). */
typedef struct group {
  ecr_access_level level;
  ecr_decision decision;
  ecr_actset actions;
  bool registry;
  bool gap;
  size_t *targets;
  size_t n, cap;
} group;

/* A repository set under construction: targets (matrix indices) or, for
 * evidence-gap findings, one literal resource string. */
typedef struct bset {
  bool all;
  size_t *targets; /* NULL for a literal set */
  size_t n;
  const char *literal;
  uint64_t hash;
  cJSON *globs; /* repo_globs() of the set, made on first use */
} bset;

/* A profile's finding skeleton: what every principal with the same row and
 * the same flags shares (cells, set, severity inputs, can-push). */
typedef struct pgroup {
  ecr_access_level level;
  ecr_decision decision;
  ecr_actset actions;
  bool registry, gap, all, can_push;
  size_t set;
} pgroup;

typedef struct profile {
  const void *row; /* matrix row (interned: equal rows, equal pointers) */
  unsigned flags;
  uint64_t hash;
  pgroup *g;
  size_t n;
  size_t cells; /* cells at Write, Permissions management and Tagging */
} profile;

typedef struct builder {
  const ecr_evidence *ev;
  const ecr_matrix *m;
  ecr_matrix_layout tg; /* m's targets (ecr_matrix_layout_of) */
  ecr_ledger *ledger;
  ecr_report *r;
  size_t fcap;
  size_t *finding_principal; /* matrix principal index per finding, (size_t)-1 for gap findings */
  size_t fpcap;
  /* per repository: principals that can push (matrix indices) */
  size_t *first_pusher; /* per repository: the first principal that can push */
  size_t *n_pushers;
  bool *can_login;   /* per matrix principal: GetAuthorizationToken granted (own principals) */
  size_t pool_cap;   /* r->name_pool capacity */
  char **target_str; /* per matrix target: its string in the pool, NULL until used */
  /* repository sets, interned */
  bset *sets;
  size_t n_sets, sets_cap, rsets_cap;
  ecr_index set_index;
  /* profiles, by row and flags */
  profile *profiles;
  size_t n_profiles, profiles_cap;
  ecr_index profile_index;
  const char *as_of;
  size_t n_chain_findings; /* findings through a chain of roles */
  size_t n_chain_capped;   /* starts that reach more role profiles than listed */
} builder;

/* A repository or region whose evidence is missing: unknown, never pass. */
typedef enum gap_kind { GAP_REPO, GAP_REGION, GAP_SCP } gap_kind;

/* Repository-policy statements listed per finding (the rest are counted). */
#define VIA_MAX_RESOURCE 5
/* ... and for a passing finding (reading by the account's own principal,
   listed for the record): one, and the count */
#define VIA_MAX_RESOURCE_PASS 1
/* Roles listed per starting principal of a chain, widest first (chains.c). */
#define CHAIN_MAX_ROLES 16

/* Condition keys that limit a public grant to the organization, and the
 * confused-deputy keys of a service grant (wording.c). */
extern const char *const ecr_rb_org_keys[];
extern const char *const ecr_rb_deputy_keys[];

/* Is target t a repository (not a probe, not the registry)? A probe? */
static inline bool ecr_rb_is_repo(const builder *B, size_t t) {
  return t < B->tg.n_repos;
}
static inline bool ecr_rb_is_probe(const builder *B, size_t t) {
  return t >= B->tg.n_repos && t < B->tg.n_repos + B->tg.n_probes;
}

/* ---- findings.c ---- */
ecr_severity ecr_rb_severity_of(ecr_access_level level, ecr_principal_kind kind, bool all);
char *ecr_rb_pool_add(builder *B, char *owned);
bool ecr_rb_target_gap(const builder *B, size_t t);
char **ecr_rb_actions_of(ecr_actset set, size_t *n);
char *ecr_rb_join(char *const *v, size_t n, const char *sep, size_t limit);
char *ecr_rb_finding_id(const char *account, const char *principal, ecr_access_level level,
                        ecr_decision d, bool registry, bool gap, const char *extra);
void ecr_rb_undecided_keys(ecr_finding *f);
char *ecr_rb_action_key(ecr_actset set);
ecr_finding *ecr_rb_new_finding(builder *B, size_t principal_index);
void ecr_rb_apply_ledger(builder *B, ecr_finding *f);
const profile *ecr_rb_profile_of(builder *B, size_t p);
void ecr_rb_use_set(builder *B, ecr_finding *f, size_t set);
void ecr_rb_principal_findings(builder *B, size_t p, const char *as_of);
void ecr_rb_gap_finding(builder *B, const char *resource, const char *error, gap_kind kind,
                        const char *region_name);

/* ---- chains.c ---- */
size_t ecr_rb_risky_cells(const ecr_matrix_row *row);
long ecr_rb_matrix_find(const ecr_matrix *m, const char *name);
void ecr_rb_chain_findings(builder *B, ecr_paths *given);

/* ---- wording.c ---- */
void ecr_rb_para(ecr_buf *b, char *s);
cJSON *ecr_rb_condition_values(const char *statement_json, const char *key);
bool ecr_rb_organization_only(const ecr_finding *f);
char *ecr_rb_repos_phrase_n(const builder *B, const ecr_finding *f, size_t limit);
char *ecr_rb_write_effects(const ecr_finding *f);
char *ecr_rb_impact_text(builder *B, const ecr_finding *f, size_t p);
char *ecr_rb_remediation_text(builder *B, ecr_finding *f, size_t p, const char *as_of);

/* ---- suggestions.c ---- */
cJSON *ecr_rb_repo_globs(const builder *B, const ecr_finding *f);
bool ecr_rb_aws_managed(const char *policy);
char *ecr_rb_suggest(const builder *B, const ecr_finding *f, const ecr_via *grant, bool human,
                     bool own);

/* ---- build.c ---- */
char *ecr_rb_trust_summary(const ecr_evidence *ev, const ecr_iam_principal *ip);
char *ecr_rb_account_in(const char *arn);

#endif
