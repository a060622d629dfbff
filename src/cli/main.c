/* ecraudit command line: argv -> options -> pipeline -> exit status. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecraudit/collect.h"
#include "ecraudit/evaluate.h"
#include "ecraudit/evidence.h"
#include "ecraudit/ledger.h"
#include "ecraudit/render.h"
#include "util/util.h"

static const char usage_text[] =
    "usage:\n"
    "  ecraudit report  --evidence DIR [--exceptions FILE] [--out DIR] [--format html,pdf,junit,json] [--as-of YYYY-MM-DD]\n"
    "  ecraudit matrix  --evidence DIR\n"
    "  ecraudit collect --out DIR [--profile NAME] [--region R ...] [--endpoint-url URL] [--quiet]\n"
    "                   [--timeout SECONDS]  (whole collection, default 1800)\n"
    "  ecraudit scan    --out DIR [collect options] [report options]\n"
    "  ecraudit --help | --version\n"
    "\n"
    "Audits an AWS account for C-0222 \"Minimize user access to Amazon ECR\" (CIS EKS 5.1.2).\n"
    "Exit status: 0 compliant, 1 non-compliant, 2 usage or input error, 3 collection failed,\n"
    "4 an output could not be written.\n";

static int fail(const ecr_error *err) {
  char line[2048];
  ecr_error_format(err, line, sizeof(line));
  fprintf(stderr, "ecraudit: %s\n", line);
  return ecr_error_exit_code(err->code);
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int usage_error(const char *fmt, ...) {
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
  long timeout_s;
} options;

enum { OPT_EVIDENCE = 1000, OPT_EXCEPTIONS, OPT_OUT, OPT_FORMAT, OPT_AS_OF, OPT_PROFILE,
       OPT_REGION, OPT_ENDPOINT, OPT_QUIET, OPT_TIMEOUT };

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
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {NULL, 0, NULL, 0}};
  opterr = 0;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
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

/* --format list -> renderer flags; NULL list = all. */
static int parse_formats(const char *list, const ecr_renderer **chosen, size_t *n) {
  size_t total;
  const ecr_renderer *all = ecr_renderers(&total);
  *n = 0;
  if (!list) {
    for (size_t i = 0; i < total; i++) chosen[(*n)++] = &all[i];
    return 0;
  }
  char *copy = ecr_xstrdup(list), *save = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    const ecr_renderer *r = ecr_renderer_find(tok);
    if (!r) {
      int rc = usage_error("unknown --format %s (choose from html, pdf, junit, json)", tok);
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

static int run_report(const options *o, const char *evidence_dir) {
  const ecr_renderer *chosen[16];
  size_t n_chosen = 0;
  int rc = parse_formats(o->format, chosen, &n_chosen);
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
  if (o->exceptions && ecr_ledger_load(o->exceptions, as_of_days, &ledger, &err) != ECR_OK)
    goto failed;
  if (ecr_evidence_load(evidence_dir, &ev, &err) != ECR_OK) goto failed;
  if (ecr_matrix_eval(ev, &m, &err) != ECR_OK) goto failed;
  if (ecr_report_build(ev, m, ledger, today, &report, &err) != ECR_OK) goto failed;
  if (ecr_mkdirs(out, &err) != ECR_OK) goto failed;
  if (ecr_render_all(chosen, n_chosen, report, &ropts, out, &err) != ECR_OK) goto failed;
  rc = ecr_report_exit_code(report);
  fprintf(stderr, "ecraudit: %s: %zu fail, %zu unknown, %zu excepted, %zu pass -> %s\n",
          report->overall == ECR_CHECK_PASS ? "compliant" : "non-compliant",
          report->by_status[ECR_CHECK_FAIL], report->by_status[ECR_CHECK_UNKNOWN],
          report->by_status[ECR_CHECK_EXCEPTED], report->by_status[ECR_CHECK_PASS], out);
  goto done;
failed:
  rc = fail(&err);
done:
  ecr_report_free(report);
  ecr_matrix_free(m);
  ecr_evidence_free(ev);
  ecr_ledger_free(ledger);
  return rc;
}

static int cmd_report(const options *o) {
  if (!o->evidence) return usage_error("report needs --evidence DIR");
  return run_report(o, o->evidence);
}

static int run_collect(const options *o, const char *dir) {
  ecr_collect_opts co = {0};
  co.out_dir = dir;
  co.profile = o->profile;
  co.regions = o->regions;
  co.n_regions = o->n_regions;
  co.endpoint_url = o->endpoint_url;
  co.quiet = o->quiet;
  co.timeout_s = o->timeout_s;
  co.progress = !o->quiet && isatty(2);
  ecr_error err;
  ecr_error_clear(&err);
  if (ecr_collect(&co, &err) != ECR_OK) return fail(&err);
  return 0;
}

static int cmd_collect(const options *o) {
  if (!o->out) return usage_error("collect needs --out DIR");
  return run_collect(o, o->out);
}

/* scan = collect into OUT/evidence, then report into OUT. */
static int cmd_scan(const options *o) {
  if (!o->out) return usage_error("scan needs --out DIR");
  const ecr_renderer *chosen[16];
  size_t n = 0;
  int rc = parse_formats(o->format, chosen, &n);
  if (rc) return rc;
  if (o->as_of && !ecr_date_parse(o->as_of, NULL))
    return usage_error("--as-of %s is not a date (YYYY-MM-DD)", o->as_of);
  char *evidence = ecr_path_join(o->out, "evidence");
  ecr_error err;
  ecr_error_clear(&err);
  if (ecr_mkdirs(o->out, &err) != ECR_OK) {
    free(evidence);
    return fail(&err);
  }
  rc = run_collect(o, evidence);
  if (rc == 0) {
    options ro = *o;
    ro.out = o->out;
    rc = run_report(&ro, evidence);
  }
  free(evidence);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage_error("missing command (report, matrix, collect, scan)");
  ecr_atomic_cleanup_on_signals(); /* no *.tmp.* left behind by SIGINT/SIGTERM */
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version")) {
    printf("ecraudit %s (action catalog: %s)\n", ECRAUDIT_VERSION, ecr_catalog_version());
    return 0;
  }
  options o;
  memset(&o, 0, sizeof(o));
  int rc;
  /* letters: a evidence, b exceptions, c out, d format, e as-of, f profile,
     g region, h endpoint-url, i quiet */
  if (!strcmp(cmd, "matrix")) {
    rc = parse_options(argc - 1, argv + 1, "a", &o);
    if (!rc) rc = cmd_matrix(&o);
  } else if (!strcmp(cmd, "report")) {
    rc = parse_options(argc - 1, argv + 1, "abcde", &o);
    if (!rc) rc = cmd_report(&o);
  } else if (!strcmp(cmd, "collect")) {
    rc = parse_options(argc - 1, argv + 1, "cfghij", &o);
    if (!rc) rc = cmd_collect(&o);
  } else if (!strcmp(cmd, "scan")) {
    rc = parse_options(argc - 1, argv + 1, "bcdefghij", &o);
    if (!rc) rc = cmd_scan(&o);
  } else {
    rc = usage_error("unknown command %s", cmd);
  }
  free(o.regions);
  return rc;
}
