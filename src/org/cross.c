/* Cross-account grants decided on both sides (DESIGN.md "Organisation
 * evidence (layout)"; AWS: a request from account B to a resource of account
 * A needs an Allow in A's resource policy AND in B's identity policies, within
 * B's boundaries and SCPs, and no Deny in either:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
 *
 * A's report already holds A's side: a finding for arn:aws:iam::B:root (or a
 * named principal of B) is exactly what A's repository and registry
 * policies, and A's RCPs, let B do. When B's bundle is in the same
 * organisation layout, B's side is evaluated here: B's own users and roles
 * against A's repositories, with B's identity policies, boundaries and SCPs
 * and no resource policy at all (a principal of another account gets
 * nothing from A's policies alone), so a cell B's matrix allows is one B's
 * side allows. The finding then names the principals of B for which both
 * sides allow every action on every repository of the finding, in its
 * impact, instead of "that account decides"; the matrix rows, statuses and
 * ids do not change (A's finding stays true: it is A's grant).
 */
#include <stdlib.h>
#include <string.h>

#include "ecraudit/evaluate.h"
#include "ecraudit/evidence.h"
#include "ecraudit/org.h"
#include "ecraudit/policy.h"
#include "org/org_internal.h"
#include "util/util.h"

#define MAX_NAMED 20 /* principals named per finding, then a count */

#define T ecr_text /* templates/text/<name>.txt expanded with kv */

char *ecr_org_dir_of(const char *bundle, const char *account) {
  char *org = ecr_path_join(bundle, "../..");
  char *accounts = ecr_path_join(org, "accounts");
  char *own = ecr_path_join(accounts, account);
  char *iam = ecr_path_join(own, "iam/account-authorization-details.json");
  char *here = ecr_path_join(bundle, "iam/account-authorization-details.json");
  /* the bundle is <org>/accounts/<account>: the same file seen both ways */
  bool yes = ecr_org_is_layout(org) && ecr_file_exists(iam) && ecr_file_exists(here);
  if (yes) {
    char *a = realpath(iam, NULL), *b = realpath(here, NULL);
    yes = a && b && strcmp(a, b) == 0;
    free(a);
    free(b);
  }
  free(accounts);
  free(own);
  free(iam);
  free(here);
  if (!yes) {
    free(org);
    return NULL;
  }
  return org;
}

/* Account B's side: its principals on A's repositories. */
typedef struct other {
  char *account;
  ecr_evidence *ev;  /* B's bundle as loaded */
  ecr_evidence view; /* B's principals and SCPs, A's repositories without policies */
  ecr_repository *repos;
  ecr_region *regions;
  ecr_matrix *m;
} other;

static void other_free(other *o) {
  if (!o) return;
  ecr_matrix_free(o->m);
  free(o->repos);
  free(o->regions);
  ecr_evidence_free(o->ev);
  free(o->account);
  free(o);
}

static ecr_status other_load(other *o, const char *org, const char *account, const ecr_evidence *a,
                             ecr_error *err) {
  o->account = ecr_xstrdup(account);
  char *accounts = ecr_path_join(org, "accounts");
  char *dir = ecr_path_join(accounts, account);
  free(accounts);
  ecr_status st = ecr_evidence_load(dir, &o->ev, err);
  free(dir);
  if (st != ECR_OK) return st;
  /* a shallow copy: B's principals, groups, policies, SCPs and organisation
     evidence; A's repositories and regions, stripped of A's policies (A's
     side is A's report); no RCPs (B's RCPs guard B's resources, not A's) */
  o->view = *o->ev;
  o->repos = ecr_xcalloc(a->n_repos + 1, sizeof(ecr_repository));
  for (size_t i = 0; i < a->n_repos; i++) {
    o->repos[i] = a->repos[i];
    o->repos[i].policy = NULL;
    o->repos[i].policy_gap = false;
  }
  o->regions = ecr_xcalloc(a->n_regions + 1, sizeof(ecr_region));
  for (size_t i = 0; i < a->n_regions; i++) {
    o->regions[i] = a->regions[i];
    o->regions[i].registry_policy = NULL;
    o->regions[i].registry_policy_gap = false;
  }
  o->view.repos = o->repos;
  o->view.n_repos = a->n_repos;
  o->view.regions = o->regions;
  o->view.n_regions = a->n_regions;
  o->view.rcps_present = false;
  o->view.rcp_levels = NULL;
  o->view.n_rcp_levels = 0;
  o->view.pod_identities = NULL;
  o->view.n_pod_identities = 0;
  return ecr_matrix_eval(&o->view, &o->m, err);
}

static int repo_vs_arn(size_t i, const void *arn, void *ctx) {
  return strcmp(((const ecr_evidence *)ctx)->repos[i].arn, arn);
}

/* The repository index of arn in ev (sorted by ARN), ECR_MATRIX_REGISTRY for
 * "*", -2 when absent. */
static long repo_index(const ecr_evidence *ev, const char *arn, size_t *idx) {
  if (strcmp(arn, "*") == 0) {
    *idx = ECR_MATRIX_REGISTRY;
    return 0;
  }
  size_t lo = 0, hi = ev->n_repos;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = repo_vs_arn(mid, arn, (void *)ev);
    if (c == 0) {
      *idx = mid;
      return 0;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -2;
}

typedef enum { NONE = 0, PARTLY, CONDITIONAL, ALLOWED } side_b;

/* What B's side lets principal p do with the finding's actions on its repositories. */
static side_b b_side(const other *o, size_t p, const size_t *repos, size_t n, ecr_actset want) {
  bool all_y = true, all_m = true, any = false;
  for (size_t k = 0; k < n; k++) {
    ecr_actset y = 0, c = 0;
    ecr_matrix_get(o->m, p, repos[k], &y, &c);
    ecr_actset mm = y | c;
    if ((y & want) != want) all_y = false;
    if ((mm & want) != want) all_m = false;
    if (mm & want) any = true;
  }
  return all_y ? ALLOWED : all_m ? CONDITIONAL : any ? PARTLY : NONE;
}

static void name_list(ecr_buf *b, char **names, size_t n) {
  for (size_t i = 0; i < n && i < MAX_NAMED; i++)
    ecr_buf_printf(b, "%s%s", i ? (i + 1 == n ? " and " : ", ") : "", names[i]);
  if (n > MAX_NAMED) ecr_buf_printf(b, " and %zu more", n - MAX_NAMED);
}

/* Rewrite one finding's impact from B's side. */
static void decide(ecr_finding *f, const ecr_evidence *a, const other *o, bool named) {
  size_t *repos = ecr_xcalloc(f->n_repositories + 1, sizeof(size_t));
  size_t n = 0;
  for (size_t i = 0; i < f->n_repositories; i++)
    if (repo_index(a, f->repositories[i], &repos[n]) == 0) n++;
  ecr_actset want = 0;
  for (size_t i = 0; i < f->n_actions; i++) {
    int k = ecr_catalog_find(f->actions[i]);
    if (k >= 0) want |= (ecr_actset)1 << k;
  }
  char **yes = NULL, **partly = NULL;
  size_t n_yes = 0, n_partly = 0, cap_yes = 0, cap_partly = 0;
  for (size_t p = 0; n && want && p < ecr_matrix_principal_count(o->m); p++) {
    const ecr_matrix_principal *mp = ecr_matrix_principal_at(o->m, p);
    if (mp->iam_index < 0) continue; /* B's own users and roles only */
    if (named && strcmp(mp->name, f->principal) != 0) continue;
    side_b s = b_side(o, p, repos, n, want);
    /* a conditional finding stays conditional whatever B's side says */
    bool cond = s == CONDITIONAL || f->decision == ECR_DECISION_CONDITIONAL;
    if (s == ALLOWED || s == CONDITIONAL) {
      char *name = ecr_xasprintf("%s%s", mp->name, cond ? " (conditional)" : "");
      ECR_PUSH(yes, n_yes, cap_yes, name);
    } else if (s == PARTLY) {
      char *name = ecr_xstrdup(mp->name);
      ECR_PUSH(partly, n_partly, cap_partly, name);
    }
  }
  ecr_buf list, part;
  ecr_buf_init(&list);
  ecr_buf_init(&part);
  name_list(&list, yes, n_yes);
  if (n_partly) {
    ecr_buf_puts(&part,
                 " Allowed only some of these actions or repositories by their own policies: ");
    name_list(&part, partly, n_partly);
    ecr_buf_putc(&part, '.');
  }
  const char *kv[] = {"account", o->account, "principals", list.data, "partial", part.data, NULL};
  char *sentence = T(n_yes ? "org/cross-account" : "org/cross-account-none", kv);
  /* the impact's first sentence says that account B decides: replace it */
  const char *template_first = ecr_embedded_get("templates/text/impact/account.txt", NULL);
  char *first =
      template_first
          ? ecr_template_expand(template_first, (const char *const[]){"account", o->account, NULL})
          : ecr_xstrdup("");
  size_t fl = strlen(first);
  while (fl && (first[fl - 1] == '\n' || first[fl - 1] == '\r')) first[--fl] = '\0';
  const char *impact = f->impact ? f->impact : "";
  char *next;
  if (fl && strncmp(impact, first, fl) == 0)
    next = ecr_xasprintf("%s%s", sentence, impact + fl);
  else
    next = ecr_xasprintf("%s%s%s", sentence, impact[0] ? " " : "", impact);
  free(f->impact);
  f->impact = next;
  free(first);
  free(sentence);
  ecr_buf_cleanup(&list);
  ecr_buf_cleanup(&part);
  for (size_t i = 0; i < n_yes; i++) free(yes[i]);
  for (size_t i = 0; i < n_partly; i++) free(partly[i]);
  free(yes);
  free(partly);
  free(repos);
}

/* The coverage sentence "account B decides" becomes "decided" for B. */
static void decided_coverage(ecr_report *r, const char *account) {
  const char *tmpl = ecr_embedded_get("templates/text/coverage/external.txt", NULL);
  if (!tmpl) return;
  char *old = ecr_template_expand(tmpl, (const char *const[]){"account", account, NULL});
  size_t n = strlen(old);
  while (n && (old[n - 1] == '\n' || old[n - 1] == '\r')) old[--n] = '\0';
  for (size_t i = 0; i < r->n_coverage; i++)
    if (strcmp(r->coverage[i], old) == 0) {
      free(r->coverage[i]);
      r->coverage[i] =
          T("org/cross-account-coverage", (const char *const[]){"account", account, NULL});
    }
  free(old);
}

ecr_status ecr_org_cross_account(ecr_report *r, const ecr_evidence *a, const char *org,
                                 ecr_error *err) {
  other **others = NULL; /* each on the heap: its matrix points at its view */
  size_t n_others = 0, cap = 0, cov_cap = r->n_coverage;
  char **failed = NULL; /* accounts whose bundle could not be read */
  size_t n_failed = 0, cap_failed = 0;
  (void)err; /* an unreadable bundle of B leaves B's side undecided (a coverage
                sentence); B's own report names what is wrong with it */
  for (size_t i = 0; i < r->n_findings; i++) {
    ecr_finding *f = &r->findings[i];
    bool named = f->principal_kind == ECR_PK_EXTERNAL;
    if (f->principal_kind != ECR_PK_ACCOUNT && !named) continue;
    if (named && !strstr(f->principal, ":user/") && !strstr(f->principal, ":role/")) continue;
    char *b = ecr_arn_account(f->principal);
    if (!b || strcmp(b, a->account) == 0) {
      free(b);
      continue;
    }
    other *o = NULL;
    for (size_t k = 0; k < n_others && !o; k++)
      if (strcmp(others[k]->account, b) == 0) o = others[k];
    bool failed_before = false;
    for (size_t k = 0; k < n_failed; k++) failed_before |= strcmp(failed[k], b) == 0;
    if (failed_before) {
      free(b);
      continue;
    }
    if (!o) {
      char *accounts = ecr_path_join(org, "accounts");
      char *dir = ecr_path_join(accounts, b);
      bool present = ecr_dir_exists(dir);
      free(accounts);
      free(dir);
      if (!present) {
        free(b);
        continue;
      }
      o = ecr_xcalloc(1, sizeof(other));
      ecr_error berr;
      ecr_error_clear(&berr);
      if (other_load(o, org, b, a, &berr) != ECR_OK) {
        /* B's own report says what is wrong with its bundle; here its side
           stays undecided, as without its bundle */
        char line[1024];
        if (berr.file[0] && berr.file[0] != '/') { /* within B's bundle */
          char *rel = ecr_xasprintf("accounts/%s/%s", b, berr.file);
          snprintf(berr.file, sizeof(berr.file), "%s", rel);
          free(rel);
        }
        ecr_error_format(&berr, line, sizeof(line));
        char *note = T("org/cross-account-unreadable",
                       (const char *const[]){"account", b, "error", line, NULL});
        ECR_PUSH(r->coverage, r->n_coverage, cov_cap, note);
        other_free(o);
        ECR_PUSH(failed, n_failed, cap_failed, b);
        continue;
      }
      ECR_PUSH(others, n_others, cap, o);
      decided_coverage(r, b);
    }
    free(b);
    decide(f, a, o, named);
  }
  for (size_t k = 0; k < n_others; k++) other_free(others[k]);
  free(others);
  for (size_t k = 0; k < n_failed; k++) free(failed[k]);
  free(failed);
  return ECR_OK;
}
