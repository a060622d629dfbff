#include "fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/evaluate.h"
#include "util/util.h"

const char ECR_FIXTURE_HOSTILE[] =
    "<img src=x onerror=alert(1)> \"quoted\" & 'single' \x01\x1f ]]> \xd0\x9f\xd1\x80\xd0\xb8"
    "\xd0\xb2\xd0\xb5\xd1\x82 \xe6\xbc\xa2\xe5\xad\x97 %s %n \\";

static char *hs(bool hostile, const char *plain) {
  return hostile ? ecr_xasprintf("%s %s", plain, ECR_FIXTURE_HOSTILE) : ecr_xstrdup(plain);
}

static char **strv(size_t n, ...) {
  char **v = ecr_xcalloc(n ? n : 1, sizeof(char *));
  va_list ap;
  va_start(ap, n);
  for (size_t i = 0; i < n; i++) v[i] = ecr_xstrdup(va_arg(ap, const char *));
  va_end(ap);
  return v;
}

static ecr_via via(const char *policy, const char *stmt, ecr_source src, bool deny, bool hostile) {
  ecr_via v = {0};
  v.policy = hs(hostile && src == ECR_SRC_IDENTITY, policy);
  v.statement = ecr_xstrdup(stmt);
  v.source = src;
  v.deny = deny;
  v.json = ecr_xstrdup("{\"Effect\":\"Allow\",\"Action\":\"ecr:*\",\"Resource\":\"*\"}");
  return v;
}

typedef struct fspec {
  ecr_check_status status;
  ecr_severity sev;
  const char *principal;
  ecr_principal_kind kind;
  ecr_access_level level;
  bool all;
  bool push;
} fspec;

static void fill_finding(ecr_finding *f, const fspec *s, size_t idx, bool hostile,
                         const ecr_ledger_entry *exc) {
  f->id = ecr_xasprintf("C0222-%016zx", (size_t)0x5eed0000u + idx);
  f->status = s->status;
  f->severity = s->sev;
  f->principal = hs(hostile && s->kind == ECR_PK_ROLE, s->principal);
  f->principal_kind = s->kind;
  if (s->level == ECR_LEVEL_PERMISSIONS && s->all) {
    f->repositories = strv(1, "*");
    f->n_repositories = 1;
  } else {
    f->repositories = strv(2, "arn:aws:ecr:us-east-1:111122223333:repository/team-a/api",
                           "arn:aws:ecr:us-east-1:111122223333:repository/team-b/web-frontend");
    f->n_repositories = 2;
    if (hostile) {
      free(f->repositories[1]);
      f->repositories[1] =
          ecr_xasprintf("arn:aws:ecr:us-east-1:111122223333:repository/x%s", ECR_FIXTURE_HOSTILE);
    }
  }
  f->all_repositories = s->all && strcmp(f->repositories[0], "*") != 0; /* never the registry */
  f->access_level = s->level;
  if (s->level == ECR_LEVEL_WRITE) {
    f->actions = strv(5, "ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage",
                      "ecr:UploadLayerPart", "ecr:BatchDeleteImage");
    f->n_actions = 5;
  } else if (s->level == ECR_LEVEL_PERMISSIONS) {
    f->actions = strv(2, "ecr:DeleteRepositoryPolicy", "ecr:SetRepositoryPolicy");
    f->n_actions = 2;
  } else if (s->level == ECR_LEVEL_TAGGING) {
    f->actions = strv(2, "ecr:TagResource", "ecr:UntagResource");
    f->n_actions = 2;
  } else {
    f->actions = strv(2, "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer");
    f->n_actions = 2;
  }
  f->decision = (idx % 3 == 2) ? ECR_DECISION_CONDITIONAL : ECR_DECISION_ALLOW;
  f->can_push = s->push;
  f->n_via = 2;
  f->via = ecr_xcalloc(2, sizeof(ecr_via));
  f->via[0] = via("arn:aws:iam::111122223333:policy/EcrPush", "PushImages", ECR_SRC_IDENTITY, false,
                  hostile);
  f->via[1] = via("DenyOutsideBusinessHours", "1", ECR_SRC_GROUP, true, hostile);
  f->via[1].conditional = true;
  f->via[1].owner = ecr_xstrdup("developers");
  f->impact = hs(hostile, "Used by codebuild.amazonaws.com; last used 2026-11-20 in us-east-1.\n"
                          "It is the only principal that can push to team-a/api: removing the "
                          "access stops publishing there.");
  f->remediation =
      hs(hostile, "Narrow statement PushImages of arn:aws:iam::111122223333:policy/EcrPush to the "
                  "repositories this role publishes to, or record a ledger exception.");
  f->suggested_statement = hostile ? ecr_xasprintf("{\n  \"Sid\": \"%s\"\n}", "<b>&amp;")
                                   : ecr_xstrdup("{\n  \"Effect\": \"Allow\",\n  \"Action\": "
                                                 "[\"ecr:PutImage\"],\n  \"Resource\": \"*\"\n}");
  f->exception = exc;
  if (s->status == ECR_CHECK_UNKNOWN)
    f->status_reason = ecr_xstrdup("The repository policy of team-b/web-frontend could not be "
                                   "collected (AccessDeniedException).");
  else if (exc && exc->state == ECR_LEDGER_EXPIRED)
    f->status_reason = ecr_xasprintf("Exception %s lapsed on %s.", exc->id, exc->expires);
  else if (s->status == ECR_CHECK_EXCEPTED)
    f->status_reason = ecr_xasprintf("Covered by exception %s until %s.", exc->id, exc->expires);
}

static ecr_ledger_entry entry(const char *id, ecr_ledger_state st, const char *exp,
                              const char *reason, bool hostile, size_t matched) {
  ecr_ledger_entry e = {0};
  e.id = ecr_xstrdup(id);
  e.principal = ecr_xstrdup("arn:aws:iam::111122223333:role/codebuild-*");
  e.repositories = strv(1, "arn:aws:ecr:*:111122223333:repository/team-a/*");
  e.n_repositories = 1;
  e.actions = strv(1, "Write");
  e.n_actions = 1;
  e.justification = hs(hostile, "CI pipeline publishes release images");
  e.approved_by = hs(hostile, "jane.doe@acme.example");
  e.ticket = ecr_xstrdup("SEC-1234");
  e.expires = ecr_xstrdup(exp);
  e.state = st;
  e.reason = reason ? ecr_xstrdup(reason) : NULL;
  e.matched = matched;
  return e;
}

ecr_fixture ecr_fixture_make(bool hostile, size_t extra) {
  ecr_fixture fx = {0};
  ecr_report *r = ecr_xcalloc(1, sizeof(*r));
  fx.report = r;
  fx.n_entries = 4;
  fx.entries = ecr_xcalloc(4, sizeof(ecr_ledger_entry));
  fx.entries[0] = entry("EX-001", ECR_LEDGER_ACTIVE, "2099-12-31", NULL, hostile, 1);
  fx.entries[1] = entry("EX-002", ECR_LEDGER_EXPIRED, "2024-01-31",
                        "Expired on 2024-01-31 (as of 2026-11-27).", hostile, 1);
  fx.entries[2] =
      entry("EX-003", ECR_LEDGER_UNUSED, "2099-01-01", "Matches no finding.", hostile, 0);
  fx.entries[3] = entry("EX-004", ECR_LEDGER_INVALID, "2025-02-30",
                        "expires: \"2025-02-30\" is not a calendar date.", hostile, 0);

  r->tool_version = ecr_xstrdup("0.1.0");
  r->catalog_version = ecr_xstrdup("AWS Service Authorization Reference (ecr), 2026-06-14");
  r->control_id = ecr_xstrdup("C-0222");
  r->control_name = ecr_xstrdup("Minimize user access to Amazon ECR");
  r->control_ref = ecr_xstrdup("CIS Amazon EKS Benchmark 5.1.2");
  r->account = ecr_xstrdup("111122223333");
  r->caller_arn = hs(hostile, "arn:aws:iam::111122223333:user/auditor");
  r->evidence_time = ecr_xstrdup("2026-11-26T08:00:00Z");
  r->generated_at = ecr_xstrdup("2026-11-27T12:00:00Z");
  r->as_of = ecr_xstrdup("2026-11-27");
  r->regions = strv(2, "eu-west-1", "us-east-1");
  r->n_regions = 2;
  r->n_principals_evaluated = 21;
  r->n_repositories = 7;

  static const fspec specs[] = {
      {ECR_CHECK_FAIL, ECR_SEV_CRITICAL, "*", ECR_PK_PUBLIC, ECR_LEVEL_WRITE, false, true},
      {ECR_CHECK_FAIL, ECR_SEV_HIGH, "arn:aws:iam::111122223333:user/alice", ECR_PK_USER,
       ECR_LEVEL_PERMISSIONS, true, false},
      {ECR_CHECK_FAIL, ECR_SEV_MEDIUM, "arn:aws:iam::111122223333:role/codebuild-push", ECR_PK_ROLE,
       ECR_LEVEL_WRITE, false, true},
      {ECR_CHECK_EXCEPTED, ECR_SEV_MEDIUM, "arn:aws:iam::111122223333:role/codebuild-release",
       ECR_PK_ROLE, ECR_LEVEL_WRITE, false, true},
      {ECR_CHECK_UNKNOWN, ECR_SEV_LOW, "arn:aws:iam::111122223333:role/tagger", ECR_PK_ROLE,
       ECR_LEVEL_TAGGING, false, false},
      {ECR_CHECK_FAIL, ECR_SEV_INFO, "arn:aws:iam::444455556666:root", ECR_PK_ACCOUNT,
       ECR_LEVEL_READ, false, false},
      {ECR_CHECK_FAIL, ECR_SEV_CRITICAL, "service:codebuild.amazonaws.com", ECR_PK_SERVICE,
       ECR_LEVEL_WRITE, false, true},
      {ECR_CHECK_PASS, ECR_SEV_INFO, "arn:aws:iam::111122223333:role/eks-node", ECR_PK_ROLE,
       ECR_LEVEL_READ, true, false},
      {ECR_CHECK_FAIL, ECR_SEV_CRITICAL, "arn:aws:iam::777788889999:role/deployer", ECR_PK_EXTERNAL,
       ECR_LEVEL_PERMISSIONS, false, false},
  };
  size_t nspec = sizeof(specs) / sizeof(specs[0]);
  r->n_findings = nspec + extra;
  r->findings = ecr_xcalloc(r->n_findings, sizeof(ecr_finding));
  for (size_t i = 0; i < r->n_findings; i++) {
    fspec s;
    if (i < nspec) {
      s = specs[i];
    } else {
      s = specs[2];
      s.sev = (i % 2) ? ECR_SEV_MEDIUM : ECR_SEV_HIGH;
      s.principal = NULL;
    }
    char name[128];
    if (!s.principal) {
      snprintf(name, sizeof(name), "arn:aws:iam::111122223333:role/generated/ci-role-%05zu", i);
      s.principal = name;
    }
    const ecr_ledger_entry *exc = NULL;
    if (i == 3) exc = &fx.entries[0];
    if (i == 2) exc = &fx.entries[1];
    fill_finding(&r->findings[i], &s, i, hostile, exc);
    r->by_status[s.status]++;
    if (s.status != ECR_CHECK_PASS) r->by_severity[s.sev]++;
    r->by_status_severity[s.status][s.sev]++;
  }
  r->overall = ECR_CHECK_FAIL;

  /* the pool owns every borrowed string: the three names below, then the
     findings' repository ARNs */
  size_t pool_cap = 0;
  ECR_PUSH(r->name_pool, r->n_name_pool, pool_cap, ecr_xstrdup("*"));
  ECR_PUSH(r->name_pool, r->n_name_pool, pool_cap, ecr_xstrdup(r->findings[2].principal));
  ECR_PUSH(r->name_pool, r->n_name_pool, pool_cap,
           ecr_xstrdup("arn:aws:iam::111122223333:user/alice"));
  for (size_t i = 0; i < r->n_findings; i++)
    for (size_t k = 0; k < r->findings[i].n_repositories; k++)
      ECR_PUSH(r->name_pool, r->n_name_pool, pool_cap, r->findings[i].repositories[k]);
  /* one repository set per finding: the set owns the array, the finding
     borrows it (as the report builder does) */
  r->n_repo_sets = r->n_findings;
  r->repo_sets = ecr_xcalloc(r->n_findings + 1, sizeof(ecr_repo_set));
  for (size_t i = 0; i < r->n_findings; i++) {
    ecr_finding *f = &r->findings[i];
    r->repo_sets[i].key = ecr_xasprintf("rs-%zu", i + 1);
    r->repo_sets[i].all = f->all_repositories;
    r->repo_sets[i].repositories = f->repositories;
    r->repo_sets[i].n = f->n_repositories;
    f->repo_set = i;
  }
  r->n_repo_views = 2;
  r->repositories = ecr_xcalloc(2, sizeof(ecr_repo_view));
  for (size_t i = 0; i < 2; i++) {
    ecr_repo_view *v = &r->repositories[i];
    v->arn = ecr_xstrdup(r->findings[2].repositories[i]);
    v->name = ecr_xstrdup(i ? "team-b/web-frontend" : "team-a/api");
    v->region = ecr_xstrdup("us-east-1");
    v->has_policy = i == 0;
    v->gap = i == 1;
    v->gap_error = i == 1 ? ecr_xstrdup("AccessDeniedException: not authorized") : NULL;
    v->n_push = 2;
    v->push = ecr_xcalloc(2, sizeof(ecr_repo_access));
    v->push[0].principal = r->name_pool[0];
    v->push[0].decision = ECR_DECISION_ALLOW;
    v->push[1].principal = r->name_pool[1];
    v->push[1].decision = ECR_DECISION_CONDITIONAL;
    v->n_delete = 1;
    v->delete_ = ecr_xcalloc(1, sizeof(ecr_repo_access));
    v->delete_[0].principal = r->name_pool[2];
    v->delete_[0].decision = ECR_DECISION_ALLOW;
  }

  ecr_report_mark_everywhere(r);
  r->n_principal_views = nspec;
  r->principals = ecr_xcalloc(nspec, sizeof(ecr_principal_view));
  for (size_t i = 0; i < nspec; i++) {
    ecr_principal_view *v = &r->principals[i];
    v->principal = ecr_xstrdup(r->findings[i].principal);
    v->kind = r->findings[i].principal_kind;
    v->name = ecr_xstrdup(v->principal);
    v->n_findings = 1;
    v->findings = ecr_xcalloc(1, sizeof(size_t));
    v->findings[0] = i;
    v->worst_status = r->findings[i].status;
    v->worst_severity = r->findings[i].severity;
    if (v->kind == ECR_PK_ROLE) {
      v->used_by = hs(hostile, "codebuild.amazonaws.com");
      v->last_used = ecr_xstrdup("2026-11-20T10:00:00Z");
    }
  }

  r->ledger_path = ecr_xstrdup("samples/acme/ledger.json");
  memcpy(r->ledger_sha256, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 65);
  r->ledger = fx.entries;
  r->n_ledger = fx.n_entries;

  r->n_coverage = 3;
  r->coverage =
      strv(3, "Condition values are not known from static evidence: 2 grants are conditional.",
           "Session policies are not part of the evidence.",
           "The identity policies of account 444455556666 decide what its principals can do.");
  r->n_files = 2; /* sorted by path, as the model keeps them */
  r->files = ecr_xcalloc(2, sizeof(ecr_evidence_file));
  r->files[0].path = hs(hostile, "ecr/us-east-1/repositories.json");
  memcpy(r->files[0].sha256, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
         65);
  r->files[0].size = 678;
  r->files[1].path = ecr_xstrdup("iam/account-authorization-details.json");
  memcpy(r->files[1].sha256, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         65);
  r->files[1].size = 12345;
  ecr_report_evidence_sha256(r->files, r->n_files, r->evidence_sha256);
  r->n_gaps = 1;
  r->gaps = ecr_xcalloc(1, sizeof(ecr_gap));
  r->gaps[0].source = ecr_xstrdup("ecr:GetRepositoryPolicy");
  r->gaps[0].resource = ecr_xstrdup(r->repositories[1].arn);
  r->gaps[0].error = hs(hostile, "AccessDeniedException: not authorized");
  ecr_report_pack(r); /* mappings, sources, principals per kind, totals */
  return fx;
}

void ecr_fixture_free(ecr_fixture *fx) {
  for (size_t i = 0; i < fx->n_entries; i++) {
    ecr_ledger_entry *e = &fx->entries[i];
    free(e->id);
    free(e->principal);
    for (size_t k = 0; k < e->n_repositories; k++) free(e->repositories[k]);
    free(e->repositories);
    for (size_t k = 0; k < e->n_actions; k++) free(e->actions[k]);
    free(e->actions);
    free(e->justification);
    free(e->approved_by);
    free(e->ticket);
    free(e->expires);
    free(e->reason);
  }
  free(fx->entries);
  ecr_report_free(fx->report);
  fx->report = NULL;
}
