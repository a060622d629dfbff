/* Usage evidence on the findings (issue 21): IAM Access Advisor's last
 * accessed data (iam/service-last-accessed.json) says when a user or role
 * last used ECR — or, where AWS tracks them, each ECR action. A finding whose
 * access shows no use for more than unused_days before the as-of date is
 * *unused access*: removing it is unlikely to break anything because the
 * tracking shows no use. Where the data is missing nothing is claimed.
 *
 * Wording comes from templates/text/impact/usage-*.txt and
 * templates/text/remediation/unused.txt; this file decides what is said.
 *
 * AWS's rules (IAM User Guide, "Refining permissions in AWS using last
 * accessed information"): data covers at most the last 400 days, and a
 * principal only from its creation; the report lists the services the
 * principal's own policies allow, so access granted only through a resource
 * policy has no entry (untracked here, never unused). */
#include <stdlib.h>
#include <string.h>

#include "ecraudit/findings.h"
#include "util/util.h"

#define T ecr_text /* templates/text/<name>.txt expanded with kv */

/* Days since the epoch of an ISO 8601 date or date-time; false when not one. */
static bool day_of(const char *iso, long *days) {
  if (!iso || strlen(iso) < 10) return false;
  char d[11];
  memcpy(d, iso, 10);
  d[10] = '\0';
  return ecr_date_parse(d, days);
}

static char *day_text(long days) {
  char d[11];
  ecr_time_date((time_t)days * 86400, d);
  return ecr_xstrdup(d);
}

static void append(char **text, char *para, bool front) {
  if (!para || !*para) {
    free(para);
    return;
  }
  char *old = *text ? *text : ecr_xstrdup("");
  *text = !*old   ? ecr_xstrdup(para)
          : front ? ecr_xasprintf("%s %s", para, old)
                  : ecr_xasprintf("%s%s%s", old, old[strlen(old) - 1] == '\n' ? "\n" : " ", para);
  free(old);
  free(para);
}

static const ecr_action_usage *tracked(const ecr_usage *u, const char *action) {
  for (size_t i = 0; i < u->n_actions; i++)
    if (ecr_strcasecmp_ascii(u->actions[i].action, action) == 0) return &u->actions[i];
  return NULL;
}

static char *join_actions(const ecr_finding *f) {
  ecr_buf b;
  ecr_buf_init(&b);
  size_t n = f->n_actions < 6 ? f->n_actions : 6;
  for (size_t i = 0; i < n; i++) ecr_buf_printf(&b, "%s%s", i ? ", " : "", f->actions[i]);
  if (f->n_actions > n) ecr_buf_printf(&b, " and %zu more", f->n_actions - n);
  return ecr_buf_steal(&b);
}

/* One finding: its usage, impact note and, for unused access, remediation. */
static void one(ecr_report *r, ecr_finding *f, const ecr_evidence *ev, long as_of,
                long unused_days) {
  if (f->status == ECR_CHECK_PASS) return;
  if (f->principal_kind != ECR_PK_USER && f->principal_kind != ECR_PK_ROLE) return;
  /* through a chain of roles the ECR calls are the last role's session's:
     Access Advisor records them for that role, not for this principal, so
     its own record says nothing about the path (usage unknown) */
  if (f->n_via_chain) return;
  long p = ecr_evidence_find_principal(ev, f->principal);
  if (p < 0) return;
  const ecr_iam_principal *ip = &ev->principals[p];
  if (ip->service_linked) return; /* AWS owns it: nothing to remove */
  const ecr_usage *u = &ev->usage[p];
  ecr_finding_usage *fu = ecr_xcalloc(1, sizeof(*fu));
  fu->days = -1;
  f->usage = fu;
  if (!u->known) {
    r->n_usage_untracked++;
    const char *why =
        !u->listed ? "the evidence has no Access Advisor report for it (see the collection gaps)"
        : strcmp(u->job_status, "COMPLETED") != 0
            ? "its Access Advisor job did not complete"
            : "its Access Advisor report has no ECR entry: AWS lists the services the "
              "principal's own policies allow, so access granted only by a repository policy "
              "is not tracked";
    append(&f->impact,
           T("impact/usage-untracked", (const char *const[]){"name", ip->name, "why", why, NULL}),
           false);
    return;
  }
  fu->tracked = true;
  r->n_usage_tracked++;
  /* action level when AWS tracks every action of the finding; best: the
     finding's tracked action used last (also when only some are tracked) */
  bool all = u->action_level && f->n_actions > 0;
  const ecr_action_usage *best = NULL;
  for (size_t i = 0; u->action_level && i < f->n_actions; i++) {
    const ecr_action_usage *a = tracked(u, f->actions[i]);
    if (!a) {
      all = false;
    } else if (a->last_accessed && (!best || strcmp(a->last_accessed, best->last_accessed) > 0)) {
      best = a;
    }
  }
  const char *last = all ? (best ? best->last_accessed : NULL) : u->last_used;
  const char *region = all ? (best ? best->region : NULL) : u->last_region;
  /* the tracking covers 400 days before the job, and the principal only
     from its creation */
  long job = as_of, created, since;
  if (!day_of(u->job_done, &job) && !day_of(u->job_created, &job)) job = as_of;
  since = job - ECR_USAGE_TRACKED_DAYS;
  if (day_of(ip->create_date, &created) && created > since) since = created;
  fu->tracked_since = day_text(since);
  long last_day;
  char *days_s = NULL, *date_s = NULL, *what = NULL;
  if (last && day_of(last, &last_day)) {
    fu->last_used = ecr_xstrdup(last);
    fu->action = all && best ? ecr_xstrdup(best->action) : NULL;
    fu->days = as_of - last_day;
    fu->unused = fu->days > unused_days;
    days_s = ecr_xasprintf("%ld day%s", fu->days, fu->days == 1 ? "" : "s");
    date_s = day_text(last_day);
    char *in = region ? ecr_xasprintf(" in %s", region) : ecr_xstrdup("");
    if (fu->action)
      append(
          &f->impact,
          T("impact/usage-last-action", (const char *const[]){"action", fu->action, "date", date_s,
                                                              "days", days_s, "region", in, NULL}),
          false);
    else
      append(&f->impact,
             T("impact/usage-last-used",
               (const char *const[]){"date", date_s, "days", days_s, "region", in, NULL}),
             false);
    long best_day;
    if (!all && best && day_of(best->last_accessed, &best_day)) {
      /* some of the finding's actions are tracked: the last of them, for
         the reader (the service date above decides, an untracked action may
         be more recent) */
      char *bd = day_text(best_day);
      char *bdays = ecr_xasprintf("%ld day%s", as_of - best_day, as_of - best_day == 1 ? "" : "s");
      append(&f->impact,
             T("impact/usage-last-tracked",
               (const char *const[]){"action", best->action, "date", bd, "days", bdays, NULL}),
             false);
      free(bd);
      free(bdays);
    }
    free(in);
  } else {
    fu->unused = as_of - since > unused_days;
    char *acts = all ? join_actions(f) : NULL;
    what = all ? ecr_xasprintf("use of %s", acts) : ecr_xstrdup("ECR use");
    append(&f->impact,
           T("impact/usage-none", (const char *const[]){"what", what, "name", ip->name, "since",
                                                        fu->tracked_since, NULL}),
           false);
    free(acts);
  }
  if (fu->unused) {
    r->n_unused++;
    if (f->status == ECR_CHECK_FAIL || f->status == ECR_CHECK_UNKNOWN) r->n_unused_open++;
    char *threshold = ecr_xasprintf("%ld", unused_days);
    char *evidence = fu->last_used
                         ? ecr_xasprintf("last use of %s on %s, %s before the as-of date",
                                         fu->action ? fu->action : "ECR", date_s, days_s)
                         : ecr_xasprintf("no %s recorded since %s", what, fu->tracked_since);
    append(&f->remediation,
           T("remediation/unused", (const char *const[]){"name", ip->name, "threshold", threshold,
                                                         "evidence", evidence, NULL}),
           true);
    free(threshold);
    free(evidence);
  }
  free(days_s);
  free(date_s);
  free(what);
}

void ecr_report_usage(ecr_report *r, const ecr_evidence *ev, long unused_days) {
  if (!r || !ev || !ev->usage_present || !ev->usage) return;
  if (unused_days < 1) unused_days = ECR_USAGE_UNUSED_DAYS;
  long as_of = 0;
  if (!ecr_date_parse(r->as_of, &as_of)) return;
  r->usage_present = true;
  r->unused_days = unused_days;
  for (size_t i = 0; i < r->n_findings; i++) one(r, &r->findings[i], ev, as_of, unused_days);
}

char *ecr_report_usage_text(const ecr_report *r) {
  if (!r || !r->usage_present) return NULL;
  char unused[32], open[32], tracked[32], untracked[32], days[32];
  snprintf(unused, sizeof(unused), "%zu", r->n_unused);
  snprintf(open, sizeof(open), "%zu", r->n_unused_open);
  snprintf(tracked, sizeof(tracked), "%zu", r->n_usage_tracked);
  snprintf(untracked, sizeof(untracked), "%zu", r->n_usage_untracked);
  snprintf(days, sizeof(days), "%ld", r->unused_days);
  return T("pack/usage-counts",
           (const char *const[]){"unused", unused, "open", open, "tracked", tracked, "untracked",
                                 untracked, "days", days, NULL});
}
