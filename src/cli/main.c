/* ecraudit command line: argv -> options -> pipeline -> exit status. */
#include <getopt.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecraudit/collect.h"
#include "ecraudit/evaluate.h"
#include "ecraudit/evidence.h"
#include "ecraudit/ledger.h"
#include "ecraudit/org.h"
#include "ecraudit/paths.h"
#include "ecraudit/render.h"
#include "util/util.h"

static const char usage_text[] =
    "usage:\n"
    "  ecraudit report  --evidence DIR [--exceptions FILE] [--out DIR] [--format html,pdf,junit,json,asff]\n"
    "                   [--as-of YYYY-MM-DD] [--baseline OLD/findings.json] [--fail-on SEVERITY] [--quiet]\n"
    "                   [--unused-days N]\n"
    "  ecraudit matrix  --evidence DIR\n"
    "  ecraudit paths   --evidence DIR\n"
    "  ecraudit merge   --out DIR FINDINGS.json... [--format json,junit] [--fail-on SEVERITY] [--quiet]\n"
    "  ecraudit collect --out DIR [--profile NAME] [--region R ... | --region all] [--endpoint-url URL] [--quiet]\n"
    "                   [--timeout SECONDS]  (whole collection, default 1800) [--no-usage]\n"
    "                   [--org [--role-name NAME [--jobs N]]]\n"
    "  ecraudit scan    --out DIR [collect options] [report options]\n"
    "                   [--org --role-name NAME --account-index N]\n"
    "  ecraudit --help | --version | -V\n"
    "  ecraudit COMMAND --help\n"
    "\n"
    "Audits an AWS account for C-0222 \"Minimize user access to Amazon ECR\" (CIS EKS 5.1.2).\n"
    "Exit status: 0 compliant, 1 non-compliant, 2 usage or input error, 3 collection failed,\n"
    "4 an output could not be written.\n";

static const char report_help[] =
    "usage: ecraudit report --evidence DIR [options]\n"
    "\n"
    "Evaluates an evidence bundle and writes report.html, report.pdf, report.junit.xml and\n"
    "findings.json into --out.\n"
    "\n"
    "  --evidence DIR       the evidence bundle (ecraudit collect, or AWS CLI output)\n"
    "  --exceptions FILE    exceptions ledger (JSON)\n"
    "  --out DIR            output directory (default ./ecraudit-report)\n"
    "  --format LIST        comma-separated: html,pdf,junit,json,asff (default all but asff)\n"
    "  --as-of YYYY-MM-DD   date exceptions expire against (default today, UTC)\n"
    "  --baseline FILE      a findings.json of an earlier run: every format marks findings\n"
    "                       new, changed (status or severity) or unchanged, and lists the\n"
    "                       resolved ones (in the old file, not in this run)\n"
    "  --fail-on SEVERITY   exit 1 only when an open (fail or unknown) finding has this\n"
    "                       severity or a higher one: critical, high, medium, low, info\n"
    "  --unused-days N      with iam/service-last-accessed.json: a grant whose principal has not\n"
    "                       used ECR for more than N days (default 90) is marked unused access\n"
    "  --quiet              no summary line on stderr\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 compliant, 1 non-compliant, 2 usage or input error, 4 output not written.\n";

static const char merge_help[] =
    "usage: ecraudit merge --out DIR FINDINGS.json... [options]\n"
    "\n"
    "Writes one organisation report into --out from per-account findings.json files (each\n"
    "written by `ecraudit report` or `scan` for one account), without the bundles and without\n"
    "evaluating again: DIR/findings.json with every account's findings (each with its\n"
    "\"account\"), \"accounts\" and a summary over all, DIR/report.junit.xml (an\n"
    "organisation summary suite, then each account's suite), and DIR/report.html and\n"
    "DIR/report.pdf (the organisation summary, then each account's open findings). The same\n"
    "report as `ecraudit report\n"
    "--evidence ORG` on the organisation layout (ORG/organization/, ORG/accounts/<id>/).\n"
    "\n"
    "  --out DIR            output directory (required)\n"
    "  --format LIST        of json,junit,html,pdf (the default: all four; organisation\n"
    "                       reports have no asff)\n"
    "  --fail-on SEVERITY   as for report\n"
    "  --quiet              no summary line on stderr\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: as report (0 compliant, 1 non-compliant, 2 usage or input error: one line\n"
    "naming the file, nothing written; 4 output not written).\n";

static const char matrix_help[] =
    "usage: ecraudit matrix --evidence DIR\n"
    "\n"
    "Prints the access matrix as TSV on stdout: principal, repository, action, decision\n"
    "(allow | conditional), header first, rows sorted bytewise.\n"
    "\n"
    "  --evidence DIR       the evidence bundle\n"
    "  -h, --help           this text\n";

static const char paths_help[] =
    "usage: ecraudit paths --evidence DIR\n"
    "\n"
    "Prints indirect access as TSV on stdout: principal, via, repository, action, decision\n"
    "(allow | conditional), header first, rows sorted bytewise. One row per starting principal,\n"
    "chain of roles assumed (via, joined by \" > \", at most 5 hops, no role twice) and ECR\n"
    "action the chain's last role holds in the matrix. A hop is an sts:AssumeRole (for\n"
    "federated principals sts:AssumeRoleWithWebIdentity / AssumeRoleWithSAML) that the role's\n"
    "trust policy and the caller's policies, boundary and SCPs allow. Starting principals are\n"
    "spelled as in the matrix, plus federated:<provider ARN>#<sub>, federated:<SAML provider\n"
    "ARN> and k8s:<cluster ARN>#<namespace>/<service account> (EKS Pod Identity, IRSA).\n"
    "\n"
    "  --evidence DIR       the evidence bundle\n"
    "  -h, --help           this text\n";

static const char collect_help[] =
    "usage: ecraudit collect --out DIR [options]\n"
    "\n"
    "Collects the evidence bundle straight from AWS (read-only calls; see the README's IAM\n"
    "policy). Credentials are found as the AWS CLI finds them: environment, web identity\n"
    "(AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), the profile (roles, SSO, static keys,\n"
    "credential_process), container credentials, EC2 instance metadata.\n"
    "\n"
    "  --out DIR            bundle directory to write (an earlier bundle there is replaced)\n"
    "  --profile NAME       profile of ~/.aws/config (default AWS_PROFILE, then default)\n"
    "  --region R           region to collect, repeatable (default AWS_REGION, then the profile);\n"
    "                       --region all: every region enabled for the account\n"
    "  --endpoint-url URL   send every request to URL (a stand-in or a proxy)\n"
    "  --quiet              no progress on stderr\n"
    "  --timeout SECONDS    bound the whole collection (default 1800); what is left becomes gaps\n"
    "                       (with --org: each account's)\n"
    "  --org                the credentials are the management account's (or a delegated\n"
    "                       administrator's): write the organisation evidence into\n"
    "                       DIR/organization/ (organization.json, accounts.json, <id>-scps.json,\n"
    "                       <id>-rcps.json per ACTIVE account, account-ids.txt, manifest.json)\n"
    "  --role-name NAME     with --org: assume arn:aws:iam::<id>:role/NAME in every ACTIVE\n"
    "                       account and collect its bundle into DIR/accounts/<id>/; an account\n"
    "                       that fails (role refused, throttled past the retries) is a gap of\n"
    "                       the organisation, DIR/organization/gaps/<id>.json, not a failure\n"
    "  --jobs N             with --role-name: accounts collected at a time, 1 to 64 (default 4)\n"
    "  --no-usage           skip iam/service-last-accessed.json (IAM Access Advisor: one job per\n"
    "                       user and role, about 3 calls each)\n"
    "  -h, --help           this text\n"
    "\n"
    "Progress goes to stderr: a rewritten line on a terminal, one line per phase and region\n"
    "otherwise. Exit status: 0 collected (--org: at least one account, or the organisation\n"
    "evidence alone without --role-name), 2 usage error, 3 collection failed, 4 output not\n"
    "written.\n";

static const char scan_help[] =
    "usage: ecraudit scan --out DIR [collect options] [report options]\n"
    "\n"
    "collect into DIR/evidence, then report into DIR. Options: --profile, --region,\n"
    "--endpoint-url, --quiet, --timeout, --no-usage (collect); --exceptions, --format, --as-of,\n"
    "--baseline, --fail-on, --unused-days (report); -h, --help.\n"
    "\n"
    "One account of an organisation (the per-index command of a Kubernetes Indexed Job or of\n"
    "scripts/org-local.sh; DIR holds DIR/organization/ from `collect --org`):\n"
    "  --org --role-name NAME --account-index N\n"
    "                       the N-th (from 0) account of DIR/organization/account-ids.txt:\n"
    "                       assume arn:aws:iam::<id>:role/NAME, collect DIR/accounts/<id>/, report\n"
    "                       into DIR/findings/<id>/; a failed collection is recorded in\n"
    "                       DIR/organization/gaps/<id>.json. N past the end: nothing to do, exit 0.\n"
    "                       Without --account-index: JOB_COMPLETION_INDEX (a Kubernetes Indexed\n"
    "                       Job), else AWS_BATCH_JOB_ARRAY_INDEX (an AWS Batch array job).\n"
    "\n"
    "Exit status: as report; 3 when the collection failed (DIR/report.junit.xml then holds one\n"
    "error test case saying why, when --format includes junit, the default).\n";

static int fail(const ecr_error *err) {
  char line[2048];
  ecr_error_format(err, line, sizeof(line));
  fprintf(stderr, "ecraudit: %s\n", line);
  return ecr_error_exit_code(err->code);
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int
usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "ecraudit: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (see ecraudit --help)\n");
  va_end(ap);
  return 2;
}

typedef struct options {
  const char *evidence;
  const char *exceptions;
  const char *out;
  const char *format;
  const char *as_of;
  const char *profile;
  const char *endpoint_url;
  const char **regions;
  size_t n_regions, cap_regions;
  int quiet;
  const char *fail_on;
  const char *baseline;
  int help;
  long timeout_s;
  int org;
  const char *role_name;
  int jobs;
  long account_index; /* -1: not given */
  int no_usage;       /* --no-usage (collect, scan) */
  long unused_days;   /* --unused-days (report, scan); 0: ECR_USAGE_UNUSED_DAYS */
} options;

enum {
  OPT_EVIDENCE = 1000,
  OPT_EXCEPTIONS,
  OPT_OUT,
  OPT_FORMAT,
  OPT_AS_OF,
  OPT_PROFILE,
  OPT_REGION,
  OPT_ENDPOINT,
  OPT_QUIET,
  OPT_FAIL_ON,
  OPT_HELP,
  OPT_TIMEOUT,
  OPT_BASELINE,
  OPT_ORG,
  OPT_ROLE_NAME,
  OPT_JOBS,
  OPT_ACCOUNT_INDEX,
  OPT_NO_USAGE,
  OPT_UNUSED
};

/* Parse options for a command; allowed is a string of the option ids the
 * command accepts (as characters 'a' + id - OPT_EVIDENCE). */
static int parse_options(int argc, char **argv, const char *allowed, options *o) {
  static const struct option longopts[] = {
      {"evidence", required_argument, NULL, OPT_EVIDENCE},
      {"exceptions", required_argument, NULL, OPT_EXCEPTIONS},
      {"out", required_argument, NULL, OPT_OUT},
      {"format", required_argument, NULL, OPT_FORMAT},
      {"as-of", required_argument, NULL, OPT_AS_OF},
      {"profile", required_argument, NULL, OPT_PROFILE},
      {"region", required_argument, NULL, OPT_REGION},
      {"endpoint-url", required_argument, NULL, OPT_ENDPOINT},
      {"quiet", no_argument, NULL, OPT_QUIET},
      {"fail-on", required_argument, NULL, OPT_FAIL_ON},
      {"help", no_argument, NULL, OPT_HELP},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {"baseline", required_argument, NULL, OPT_BASELINE},
      {"org", no_argument, NULL, OPT_ORG},
      {"role-name", required_argument, NULL, OPT_ROLE_NAME},
      {"jobs", required_argument, NULL, OPT_JOBS},
      {"account-index", required_argument, NULL, OPT_ACCOUNT_INDEX},
      {"no-usage", no_argument, NULL, OPT_NO_USAGE},
      {"unused-days", required_argument, NULL, OPT_UNUSED},
      {NULL, 0, NULL, 0}};
  opterr = 0;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
    if (c == 'h' || c == OPT_HELP) {
      o->help = 1;
      return 0; /* help wins over everything after it */
    }
    if (c == '?' || c == ':') {
      const char *bad = argv[optind - 1];
      if (optopt) return usage_error("option %s needs a value or is unknown", bad);
      return usage_error("unknown option %s", bad);
    }
    if (!strchr(allowed, 'a' + (c - OPT_EVIDENCE))) {
      const char *name = "?";
      for (size_t k = 0; longopts[k].name; k++)
        if (longopts[k].val == c) name = longopts[k].name;
      return usage_error("option --%s does not apply to this command", name);
    }
    switch (c) {
    case OPT_EVIDENCE: o->evidence = optarg; break;
    case OPT_EXCEPTIONS: o->exceptions = optarg; break;
    case OPT_OUT: o->out = optarg; break;
    case OPT_FORMAT: o->format = optarg; break;
    case OPT_AS_OF: o->as_of = optarg; break;
    case OPT_PROFILE: o->profile = optarg; break;
    case OPT_REGION: ECR_PUSH(o->regions, o->n_regions, o->cap_regions, optarg); break;
    case OPT_ENDPOINT: o->endpoint_url = optarg; break;
    case OPT_QUIET: o->quiet = 1; break;
    case OPT_FAIL_ON: o->fail_on = optarg; break;
    case OPT_BASELINE: o->baseline = optarg; break;
    case OPT_ORG: o->org = 1; break;
    case OPT_ROLE_NAME: o->role_name = optarg; break;
    case OPT_JOBS: {
      char *end = NULL;
      long v = strtol(optarg, &end, 10);
      if (!*optarg || *end || v < 1 || v > ECR_ORG_MAX_JOBS)
        return usage_error("--jobs needs a number from 1 to %d, not \"%s\"", ECR_ORG_MAX_JOBS,
                           optarg);
      o->jobs = (int)v;
      break;
    }
    case OPT_ACCOUNT_INDEX: {
      char *end = NULL;
      long v = strtol(optarg, &end, 10);
      if (!*optarg || *end || v < 0 || v > 10000000)
        return usage_error("--account-index needs a number from 0, not \"%s\"", optarg);
      o->account_index = v;
      break;
    }
    case OPT_NO_USAGE: o->no_usage = 1; break;
    case OPT_UNUSED: {
      char *end = NULL;
      long v = strtol(optarg, &end, 10);
      if (!*optarg || *end || v < 1 || v > 400)
        return usage_error("--unused-days needs a number of days from 1 to 400, not \"%s\"",
                           optarg);
      o->unused_days = v;
      break;
    }
    case OPT_TIMEOUT: {
      char *end = NULL;
      long v = strtol(optarg, &end, 10);
      if (!*optarg || *end || v < 1 || v > 86400)
        return usage_error("--timeout needs a number of seconds from 1 to 86400, not \"%s\"",
                           optarg);
      o->timeout_s = v;
      break;
    }
    default: break;
    }
  }
  if (optind < argc) return usage_error("unexpected argument %s", argv[optind]);
  if (!o->org && (o->role_name || o->jobs || o->account_index >= 0))
    return usage_error("--role-name, --jobs and --account-index need --org");
  if (o->out && strcmp(o->out, "-") == 0)
    return usage_error("--out - is not supported: reports and bundles are directories; name one");
  if (o->out && !*o->out) return usage_error("--out needs a directory name");
  return 0;
}

/* --fail-on name -> severity (ECR_SEV_CRITICAL ... ECR_SEV_INFO), -1 when unknown. */
static int parse_severity(const char *name) {
  for (int s = 0; s < ECR_SEV_COUNT; s++)
    if (strcmp(name, ecr_severity_name((ecr_severity)s)) == 0) return s;
  return -1;
}

/* Exit status of a report: 1 when an open (fail or unknown) finding is at
 * least as severe as threshold (-1: any open finding, the default rule). */
static int report_status(const ecr_report *report, int threshold) {
  if (threshold < 0) return ecr_report_exit_code(report);
  for (int s = 0; s <= threshold && s < ECR_SEV_COUNT; s++)
    if (report->by_status_severity[ECR_CHECK_FAIL][s] ||
        report->by_status_severity[ECR_CHECK_UNKNOWN][s])
      return 1;
  return 0;
}

static int cmd_matrix(const options *o) {
  if (!o->evidence) return usage_error("matrix needs --evidence DIR");
  ecr_error err;
  ecr_error_clear(&err);
  ecr_evidence *ev = NULL;
  ecr_matrix *m = NULL;
  int rc = 0;
  if (ecr_evidence_load(o->evidence, &ev, &err) != ECR_OK ||
      ecr_matrix_eval(ev, &m, &err) != ECR_OK || ecr_matrix_write_tsv(m, stdout, &err) != ECR_OK)
    rc = fail(&err);
  ecr_matrix_free(m);
  ecr_evidence_free(ev);
  return rc;
}

static int cmd_paths(const options *o) {
  if (!o->evidence) return usage_error("paths needs --evidence DIR");
  ecr_error err;
  ecr_error_clear(&err);
  ecr_evidence *ev = NULL;
  ecr_matrix *m = NULL;
  ecr_paths *p = NULL;
  int rc = 0;
  if (ecr_evidence_load(o->evidence, &ev, &err) != ECR_OK ||
      ecr_matrix_eval(ev, &m, &err) != ECR_OK || ecr_paths_build(ev, m, &p, &err) != ECR_OK ||
      ecr_paths_write_tsv(p, stdout, &err) != ECR_OK)
    rc = fail(&err);
  ecr_paths_free(p);
  ecr_matrix_free(m);
  ecr_evidence_free(ev);
  return rc;
}

/* --format list -> renderer flags; NULL list = all. */
static int parse_formats(const char *list, const ecr_renderer **chosen, size_t *n) {
  size_t total;
  const ecr_renderer *all = ecr_renderers(&total);
  *n = 0;
  if (!list) {
    for (size_t i = 0; i < total; i++)
      if (!all[i].on_request) chosen[(*n)++] = &all[i];
    return 0;
  }
  char *copy = ecr_xstrdup(list), *save = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    const ecr_renderer *r = ecr_renderer_find(tok);
    if (!r) {
      int rc = usage_error("unknown --format %s (choose from html, pdf, junit, json, asff)", tok);
      free(copy);
      return rc;
    }
    bool dup = false;
    for (size_t i = 0; i < *n; i++) dup |= chosen[i] == r;
    if (!dup) chosen[(*n)++] = r;
  }
  free(copy);
  if (*n == 0) return usage_error("--format is empty");
  return 0;
}

static int check_fail_on(const options *o, int *threshold) {
  *threshold = -1;
  if (!o->fail_on) return 0;
  *threshold = parse_severity(o->fail_on);
  if (*threshold < 0)
    return usage_error("unknown --fail-on %s (choose from critical, high, medium, low, info)",
                       o->fail_on);
  return 0;
}

/* The pictures (src/render/picture.h) are drawn by HTML and PDF only. */
static bool wants_pictures(const ecr_renderer *const *chosen, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(chosen[i]->name, "html") == 0 || strcmp(chosen[i]->name, "pdf") == 0) return true;
  return false;
}

static int run_report(const options *o, const char *evidence_dir) {
  const ecr_renderer *chosen[16];
  size_t n_chosen = 0;
  int threshold;
  int rc = check_fail_on(o, &threshold);
  if (rc) return rc;
  rc = parse_formats(o->format, chosen, &n_chosen);
  if (rc) return rc;
  char today[11];
  long as_of_days = 0;
  if (o->as_of) {
    if (!ecr_date_parse(o->as_of, &as_of_days))
      return usage_error("--as-of %s is not a date (YYYY-MM-DD)", o->as_of);
    snprintf(today, sizeof(today), "%s", o->as_of);
  } else {
    ecr_time_date(time(NULL), today);
    ecr_date_parse(today, &as_of_days);
  }
  const char *out = o->out ? o->out : "ecraudit-report";
  ecr_error err;
  ecr_error_clear(&err);
  ecr_evidence *ev = NULL;
  ecr_matrix *m = NULL;
  ecr_ledger *ledger = NULL;
  ecr_report *report = NULL;
  ecr_render_opts ropts = {0};
  ecr_paths *paths = NULL;
  ecr_pictures *pictures = NULL;
  if (o->exceptions && ecr_ledger_load(o->exceptions, as_of_days, &ledger, &err) != ECR_OK)
    goto failed;
  if (ecr_evidence_load(evidence_dir, &ev, &err) != ECR_OK) goto failed;
  if (ecr_matrix_eval(ev, &m, &err) != ECR_OK) goto failed;
  /* the hop graph once: the findings through chains and the pictures */
  if (ecr_paths_build(ev, m, &paths, &err) != ECR_OK) goto failed;
  if (ecr_report_build_with_paths(ev, m, ledger, today, paths, &report, &err) != ECR_OK)
    goto failed;
  ecr_report_usage(report, ev, o->unused_days ? o->unused_days : ECR_USAGE_UNUSED_DAYS);
  {
    /* a bundle of an organisation layout: cross-account grants decided on
       both sides, as in the organisation report */
    char *org = ecr_org_dir_of(evidence_dir, ev->account);
    ecr_status xs = org ? ecr_org_cross_account(report, ev, org, &err) : ECR_OK;
    free(org);
    if (xs != ECR_OK) goto failed;
  }
  if (o->baseline && ecr_report_baseline(report, o->baseline, &err) != ECR_OK) goto failed;
  if (ecr_mkdirs(out, &err) != ECR_OK) goto failed;
  if (wants_pictures(chosen, n_chosen)) {         /* laid out once, for HTML and PDF */
    pictures = ecr_pictures_build(report, paths); /* copies what it keeps */
    ropts.pictures = pictures;
  }
  ecr_paths_free(paths); /* before the renderers' peak */
  paths = NULL;
  if (ecr_render_all(chosen, n_chosen, report, &ropts, out, &err) != ECR_OK) goto failed;
  rc = report_status(report, threshold);
  if (!o->quiet) {
    char below[96] = "";
    if (threshold >= 0 && rc == 0 && ecr_report_exit_code(report))
      snprintf(below, sizeof(below), " (none at --fail-on %s or above)", o->fail_on);
    fprintf(stderr, "ecraudit: %s: %zu fail, %zu unknown, %zu excepted, %zu pass%s -> %s\n",
            report->overall == ECR_CHECK_PASS ? "compliant" : "non-compliant",
            report->by_status[ECR_CHECK_FAIL], report->by_status[ECR_CHECK_UNKNOWN],
            report->by_status[ECR_CHECK_EXCEPTED], report->by_status[ECR_CHECK_PASS], below, out);
  }
  goto done;
failed:
  rc = fail(&err);
done:
  ecr_pictures_free(pictures);
  ecr_paths_free(paths);
  ecr_report_free(report);
  ecr_matrix_free(m);
  ecr_evidence_free(ev);
  ecr_ledger_free(ledger);
  return rc;
}

/* Organisation reports: findings.json, report.junit.xml, report.html and
 * report.pdf (all four by default); no asff. */
static int org_formats(const char *list, ecr_org_opts *oo) {
  if (!list) {
    oo->json = oo->junit = oo->html = oo->pdf = true;
    return 0;
  }
  const ecr_renderer *chosen[16];
  size_t n = 0;
  int rc = parse_formats(list, chosen, &n);
  if (rc) return rc;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(chosen[i]->name, "json") == 0)
      oo->json = true;
    else if (strcmp(chosen[i]->name, "junit") == 0)
      oo->junit = true;
    else if (strcmp(chosen[i]->name, "html") == 0)
      oo->html = true;
    else if (strcmp(chosen[i]->name, "pdf") == 0)
      oo->pdf = true;
    else
      return usage_error("--format %s: an organisation report writes findings.json, "
                         "report.junit.xml, report.html and report.pdf only "
                         "(--format json,junit,html,pdf)",
                         chosen[i]->name);
  }
  return 0;
}

static void org_summary_line(const options *o, const ecr_org_summary *s, int rc, int threshold,
                             const char *out) {
  if (o->quiet) return;
  char below[96] = "";
  if (threshold >= 0 && rc == 0 && ecr_org_exit_code(s, -1))
    snprintf(below, sizeof(below), " (none at --fail-on %s or above)", o->fail_on);
  fprintf(stderr,
          "ecraudit: organisation of %zu accounts (%zu fail, %zu unknown, %zu pass): %s: %zu "
          "fail, %zu unknown, %zu excepted, %zu pass%s -> %s\n",
          s->n_accounts, s->accounts_by_overall[ECR_CHECK_FAIL],
          s->accounts_by_overall[ECR_CHECK_UNKNOWN], s->accounts_by_overall[ECR_CHECK_PASS],
          s->overall == ECR_CHECK_PASS ? "compliant" : "non-compliant",
          s->by_status[ECR_CHECK_FAIL], s->by_status[ECR_CHECK_UNKNOWN],
          s->by_status[ECR_CHECK_EXCEPTED], s->by_status[ECR_CHECK_PASS], below, out);
}

/* report --evidence ORG on the organisation layout; merge FILES (files != NULL). */
static int run_org(const options *o, const char *const *files, size_t n_files) {
  /* thousands of documents, each read into a tree of small allocations and
     freed next to buffers of megabytes: glibc's fast bins then get
     consolidated on every large free (a fifth of merge's CPU). Without fast
     bins (the thread caches stay) that work is gone. */
  mallopt(M_MXFAST, 0);
  int threshold;
  int rc = check_fail_on(o, &threshold);
  if (rc) return rc;
  ecr_org_opts oo = {0};
  if ((rc = org_formats(o->format, &oo)) != 0) return rc;
  if (o->baseline) return usage_error("--baseline does not apply to an organisation report");
  char today[11];
  if (o->as_of) {
    if (!ecr_date_parse(o->as_of, &oo.as_of_days))
      return usage_error("--as-of %s is not a date (YYYY-MM-DD)", o->as_of);
    snprintf(today, sizeof(today), "%s", o->as_of);
  } else {
    ecr_time_date(time(NULL), today);
    ecr_date_parse(today, &oo.as_of_days);
  }
  oo.as_of = today;
  oo.unused_days = o->unused_days ? o->unused_days : ECR_USAGE_UNUSED_DAYS;
  oo.out_dir = o->out ? o->out : "ecraudit-report";
  oo.exceptions = o->exceptions;
  ecr_error err;
  ecr_error_clear(&err);
  ecr_org_summary *s = NULL;
  ecr_status st = files ? ecr_org_merge_files(files, n_files, &oo, &s, &err)
                        : ecr_org_report(o->evidence, &oo, &s, &err);
  if (st != ECR_OK) return fail(&err);
  rc = ecr_org_exit_code(s, threshold);
  org_summary_line(o, s, rc, threshold, oo.out_dir);
  ecr_org_summary_free(s);
  return rc;
}

static int cmd_report(const options *o) {
  if (!o->evidence) return usage_error("report needs --evidence DIR");
  if (ecr_org_is_layout(o->evidence)) return run_org(o, NULL, 0);
  return run_report(o, o->evidence);
}

/* merge --out DIR FILE... [--format LIST] [--fail-on S] [--quiet]: options
 * and files in any order ("--" ends the options). */
static int cmd_merge(int argc, char **argv) {
  options o;
  memset(&o, 0, sizeof(o));
  const char **files = ecr_xcalloc((size_t)argc + 1, sizeof(char *));
  size_t n = 0;
  bool opts_done = false;
  int rc = 0;
  for (int i = 2; i < argc && !rc; i++) {
    const char *a = argv[i];
    const char **slot = NULL;
    if (opts_done || a[0] != '-' || !a[1]) {
      files[n++] = a;
      continue;
    }
    if (!strcmp(a, "--")) {
      opts_done = true;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(merge_help, stdout);
      free(files);
      return 0;
    } else if (!strcmp(a, "--quiet")) {
      o.quiet = 1;
    } else if (!strcmp(a, "--out")) {
      slot = &o.out;
    } else if (!strcmp(a, "--format")) {
      slot = &o.format;
    } else if (!strcmp(a, "--fail-on")) {
      slot = &o.fail_on;
    } else {
      rc = usage_error("unknown option %s for merge", a);
    }
    if (slot) {
      if (i + 1 >= argc)
        rc = usage_error("option %s needs a value", a);
      else
        *slot = argv[++i];
    }
  }
  if (!rc && !o.out) rc = usage_error("merge needs --out DIR");
  if (!rc && !*o.out) rc = usage_error("--out needs a directory name");
  if (!rc && n == 0) rc = usage_error("merge needs at least one findings.json");
  if (!rc) rc = run_org(&o, files, n);
  free(files);
  return rc;
}

/* Progress on stderr: on a terminal one line rewritten in place; otherwise
 * (CI logs, kubectl logs) one line per finished phase and region. */
static void progress_tty(void *ctx, bool done, const char *text) {
  (void)ctx;
  fprintf(stderr, "\rcollect: %s\033[K%s", text, done ? "\n" : "");
  fflush(stderr);
}

static void progress_lines(void *ctx, bool done, const char *text) {
  (void)ctx;
  if (!done) return;
  fprintf(stderr, "collect: %s\n", text);
  fflush(stderr);
}

/* ECRAUDIT_DEBUG=1: the library's redacted request log on stderr. */
static void debug_line(void *ctx, const char *line) {
  (void)ctx;
  fprintf(stderr, "ecraudit debug: %s\n", line);
}

/* The library's unrecoverable conditions (out of memory, ...): it aborts
 * after this. */
static void fatal_line(void *ctx, const char *message) {
  (void)ctx;
  fprintf(stderr, "ecraudit: %s\n", message);
}

static ecr_collect_opts collect_opts(const options *o, const char *dir) {
  ecr_collect_opts co = {0};
  co.out_dir = dir;
  co.profile = o->profile;
  co.regions = o->regions;
  co.n_regions = o->n_regions;
  co.endpoint_url = o->endpoint_url;
  co.timeout_s = o->timeout_s;
  co.no_usage = o->no_usage != 0;
  if (!o->quiet) co.progress = isatty(2) && !o->org ? progress_tty : progress_lines;
  const char *dbg = getenv("ECRAUDIT_DEBUG");
  if (dbg && strcmp(dbg, "1") == 0) co.debug = debug_line;
  return co;
}

/* why (may be NULL): the error line, for the scan's JUnit error case.
 * org_account: collect that account of the organisation in o->out instead. */
static int run_collect(const options *o, const char *dir, const char *org_account, char *why,
                       size_t why_len) {
  ecr_collect_opts co = collect_opts(o, dir);
  ecr_error err;
  ecr_error_clear(&err);
  ecr_status st = org_account
                      ? ecr_org_collect_account(&co, o->out, org_account, o->role_name, &err)
                      : ecr_collect(&co, &err);
  if (st != ECR_OK) {
    if (why) ecr_error_format(&err, why, why_len);
    return fail(&err);
  }
  return 0;
}

static int cmd_collect_org(const options *o) {
  ecr_org_collect_opts oo = {0};
  oo.collect = collect_opts(o, o->out);
  oo.role_name = o->role_name;
  oo.jobs = o->jobs;
  ecr_org_collect_result res;
  ecr_error err;
  ecr_error_clear(&err);
  if (ecr_collect_org(&oo, &res, &err) != ECR_OK) return fail(&err);
  if (!o->quiet) {
    if (o->role_name)
      fprintf(stderr, "ecraudit: organisation: %zu accounts, %zu collected, %zu gaps -> %s\n",
              res.n_accounts, res.n_collected, res.n_failed, o->out);
    else
      fprintf(stderr, "ecraudit: organisation evidence: %zu accounts -> %s/organization\n",
              res.n_accounts, o->out);
  }
  return 0;
}

static int cmd_collect(const options *o) {
  if (!o->out) return usage_error("collect needs --out DIR");
  if (o->jobs && !o->role_name) return usage_error("--jobs needs --role-name");
  if (o->org) return cmd_collect_org(o);
  return run_collect(o, o->out, NULL, NULL, 0);
}

/* scan = collect into OUT/evidence, then report into OUT; with --org, one
 * account of the organisation in OUT: OUT/accounts/<id>/, then report into
 * OUT/findings/<id>/. */
/* scan --org without --account-index: the index a Kubernetes Indexed Job
 * (JOB_COMPLETION_INDEX) or an AWS Batch array job (AWS_BATCH_JOB_ARRAY_INDEX)
 * gives the process; -1 when neither is set, -2 when one is not a number. */
static long index_from_env(const char **name) {
  static const char *const vars[] = {"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
    const char *v = getenv(vars[i]);
    if (!v || !*v) continue;
    *name = vars[i];
    char *end = NULL;
    long n = strtol(v, &end, 10);
    return *end || n < 0 || n > 10000000 ? -2 : n;
  }
  return -1;
}

static int cmd_scan(const options *o) {
  if (!o->out) return usage_error("scan needs --out DIR");
  options with_index;
  if (o->org && o->account_index < 0) {
    const char *var = NULL;
    with_index = *o;
    with_index.account_index = index_from_env(&var);
    if (with_index.account_index == -2)
      return usage_error("%s is not an account index: \"%s\"", var, getenv(var));
    o = &with_index;
  }
  if (o->org && (!o->role_name || o->account_index < 0))
    return usage_error("scan --org needs --role-name NAME and --account-index N (or "
                       "JOB_COMPLETION_INDEX / AWS_BATCH_JOB_ARRAY_INDEX set; the whole "
                       "organisation: collect --org --role-name NAME)");
  const ecr_renderer *chosen[16];
  size_t n = 0;
  int threshold;
  int rc = check_fail_on(o, &threshold);
  if (rc) return rc;
  rc = parse_formats(o->format, chosen, &n);
  if (rc) return rc;
  if (o->as_of && !ecr_date_parse(o->as_of, NULL))
    return usage_error("--as-of %s is not a date (YYYY-MM-DD)", o->as_of);
  ecr_error err;
  ecr_error_clear(&err);
  if (o->baseline) { /* a wrong --baseline is exit 2 before a long collection, not after */
    ecr_report *probe = ecr_xcalloc(1, sizeof(*probe));
    ecr_status bst = ecr_report_baseline(probe, o->baseline, &err);
    ecr_report_free(probe);
    if (bst != ECR_OK) return fail(&err);
  }
  char *account = NULL, *evidence = NULL, *report_dir = NULL;
  if (o->org) {
    size_t count = 0;
    if (ecr_org_account_at(o->out, o->account_index, &account, &count, &err) != ECR_OK)
      return fail(&err);
    if (!account) {
      if (!o->quiet)
        fprintf(stderr,
                "ecraudit: scan --org: no account at index %ld (%zu accounts): nothing "
                "to do\n",
                o->account_index, count);
      return 0;
    }
    char *accounts = ecr_path_join(o->out, "accounts");
    char *findings = ecr_path_join(o->out, "findings");
    evidence = ecr_path_join(accounts, account);
    report_dir = ecr_path_join(findings, account);
    free(accounts);
    free(findings);
  } else {
    evidence = ecr_path_join(o->out, "evidence");
    report_dir = ecr_xstrdup(o->out);
  }
  /* an organisation's account gets its report directory only with a result */
  if (!account && ecr_mkdirs(report_dir, &err) != ECR_OK) {
    rc = fail(&err);
    goto done;
  }
  char why[2048] = "";
  rc = run_collect(o, evidence, account, why, sizeof(why));
  bool junit = false;
  for (size_t i = 0; i < n; i++) junit |= strcmp(chosen[i]->name, "junit") == 0;
  if (rc == 3 && junit) {
    /* the CI step that publishes the JUnit file finds one error case */
    ecr_error_clear(&err);
    if (ecr_mkdirs(report_dir, &err) != ECR_OK ||
        ecr_render_collect_failure(report_dir, why, &err) != ECR_OK)
      fail(&err);
  }
  if (rc == 0) {
    options ro = *o;
    ro.out = report_dir;
    rc = run_report(&ro, evidence);
  }
done:
  free(account);
  free(evidence);
  free(report_dir);
  return rc;
}

int main(int argc, char **argv) {
  ecr_set_fatal_cb(fatal_line, NULL);
  if (argc < 2) return usage_error("missing command (report, matrix, paths, merge, collect, scan)");
  ecr_atomic_cleanup_on_signals(); /* no *.tmp.* left behind by SIGINT/SIGTERM */
  const char *cmd = argv[1];
  if (!strcmp(cmd, "merge")) return cmd_merge(argc, argv);
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
    printf("ecraudit %s (action catalog: %s)\n", ECRAUDIT_VERSION, ecr_catalog_version());
    return 0;
  }
  options o;
  memset(&o, 0, sizeof(o));
  o.account_index = -1;
  /* letters: a evidence, b exceptions, c out, d format, e as-of, f profile,
     g region, h endpoint-url, i quiet, j fail-on, k help, l timeout, m baseline,
     n org, o role-name, p jobs, q account-index, r no-usage, s unused-days */
  static const struct {
    const char *name, *allowed, *help;
    int (*run)(const options *);
  } commands[] = {
      {"matrix", "a", matrix_help, cmd_matrix},
      {"paths", "a", paths_help, cmd_paths},
      {"report", "abcdeijms", report_help, cmd_report},
      {"collect", "cfghilnopr", collect_help, cmd_collect},
      {"scan", "bcdefghijlmnoqrs", scan_help, cmd_scan},
  };
  int rc = -1;
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (strcmp(cmd, commands[i].name) != 0) continue;
    rc = parse_options(argc - 1, argv + 1, commands[i].allowed, &o);
    if (!rc && o.help) {
      fputs(commands[i].help, stdout);
    } else if (!rc) {
      rc = commands[i].run(&o);
    }
    break;
  }
  if (rc < 0) rc = usage_error("unknown command %s", cmd);
  free(o.regions);
  return rc;
}
