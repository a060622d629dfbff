/* The organisation report: report --evidence on the organisation layout and
 * merge of per-account findings.json files (include/ecraudit/org.h). Both
 * produce per-account findings.json documents for one merger: report
 * --evidence renders each account's in memory (several accounts evaluated
 * at once, one per core), merge reads them from the files. */
#include "ecraudit/org.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/evaluate.h"
#include "ecraudit/evidence.h"
#include "ecraudit/ledger.h"
#include "ecraudit/render.h"
#include "org/org_internal.h"
#include "util/util.h"

typedef struct org_ctx {
  const char *dir;
  char **ids;
  const ecr_org_opts *opts;
} org_ctx;

/* One account of the layout: evaluated as `report --evidence
 * DIR/accounts/<id>` would, its findings.json rendered into memory. */
static ecr_status evaluate_account(void *arg, size_t i, char **name, char **data, size_t *len,
                                   ecr_error *err) {
  const org_ctx *c = arg;
  char *accounts = ecr_path_join(c->dir, "accounts");
  char *bundle = ecr_path_join(accounts, c->ids[i]);
  free(accounts);
  *name = ecr_xstrdup(bundle);
  ecr_evidence *ev = NULL;
  ecr_matrix *m = NULL;
  ecr_ledger *ledger = NULL;
  ecr_report *report = NULL;
  ecr_buf out;
  ecr_buf_init(&out);
  ecr_status st = ECR_OK;
  if (c->opts->exceptions &&
      (st = ecr_ledger_load(c->opts->exceptions, c->opts->as_of_days, &ledger, err)) != ECR_OK)
    goto done;
  if ((st = ecr_evidence_load(bundle, &ev, err)) != ECR_OK) {
    /* the loader names files within the bundle: name the bundle too */
    if (err && err->file[0] && err->file[0] != '/') {
      char *full = ecr_path_join(bundle, err->file);
      snprintf(err->file, sizeof(err->file), "%s", full);
      free(full);
    }
    goto done;
  }
  if (strcmp(ev->account, c->ids[i]) != 0) {
    st = ecr_error_set(err, ECR_E_INPUT, bundle,
                       "is the bundle of account %s, not of %s (accounts/<id>/ holds account "
                       "<id>'s bundle)",
                       ev->account, c->ids[i]);
    goto done;
  }
  if ((st = ecr_matrix_eval(ev, &m, err)) != ECR_OK) goto done;
  if ((st = ecr_report_build(ev, m, ledger, c->opts->as_of, &report, err)) != ECR_OK) goto done;
  /* as a per-account report does (cmd_report), so that merge agrees */
  ecr_report_usage(report, ev, c->opts->unused_days);
  if ((st = ecr_org_cross_account(report, ev, c->dir, err)) != ECR_OK) goto done;
  ecr_render_opts ropts = {0};
  ecr_sink sink = {ecr_sink_buf_write, &out};
  st = ecr_render_json(report, &ropts, &sink, err);
done:
  ecr_report_free(report);
  ecr_matrix_free(m);
  ecr_evidence_free(ev);
  ecr_ledger_free(ledger);
  free(bundle);
  if (st == ECR_OK) {
    *len = out.len;
    *data = ecr_buf_steal(&out);
  }
  ecr_buf_cleanup(&out);
  return st;
}

static ecr_status finish(ecr_org_merge *m, ecr_org_summary **summary, ecr_error *err) {
  ecr_status st = ecr_org_merge_finish(m, err);
  if (st == ECR_OK) st = ecr_org_merge_publish(m, err);
  if (st == ECR_OK) *summary = ecr_org_merge_take_summary(m);
  return st;
}

/* The accounts organization/account-ids.txt lists (collect --org: the
   ACTIVE accounts, one id a line) that have no bundle in accounts/: each
   enters the report as unknown, with the error of its gaps/<id>.json. */
static ecr_status add_missing(ecr_org_merge *m, const char *dir, char *const *ids, size_t n,
                              const char *as_of, ecr_error *err) {
  char *path = ecr_path_join(dir, "organization/account-ids.txt");
  char *data = NULL;
  size_t len = 0;
  ecr_error ignore = {0};
  ecr_status st = ECR_OK;
  if (ecr_file_read(path, &data, &len, &ignore) == ECR_OK) {
    for (char *line = data, *next; line && *line && st == ECR_OK; line = next) {
      next = strchr(line, '\n');
      if (next) *next++ = '\0';
      size_t l = strlen(line);
      if (l && line[l - 1] == '\r') line[--l] = '\0';
      if (!l) continue;
      bool digits = l == 12;
      for (size_t k = 0; k < l && digits; k++) digits = line[k] >= '0' && line[k] <= '9';
      if (!digits) {
        st = ecr_error_set(err, ECR_E_INPUT, path, "\"%s\" is not a 12-digit account id", line);
        break;
      }
      bool have = false;
      for (size_t k = 0; k < n && !have; k++) have = strcmp(ids[k], line) == 0;
      if (have) continue;
      char *reason = ecr_org_gap_reason_file(dir, line);
      char *doc = ecr_org_gap_document(line, reason, as_of);
      char *name = ecr_xasprintf("%s (no bundle in accounts/)", line);
      st = ecr_org_merge_add(m, name, doc, strlen(doc), err);
      free(name);
      free(doc);
      free(reason);
    }
  }
  free(data);
  free(path);
  return st;
}

ecr_status ecr_org_report(const char *dir, const ecr_org_opts *opts, ecr_org_summary **summary,
                          ecr_error *err) {
  *summary = NULL;
  char **ids = NULL;
  size_t n = 0;
  ecr_org_merge *m = NULL;
  ecr_status st = ecr_org_list_accounts(dir, &ids, &n, err);
  if (st == ECR_OK) st = ecr_mkdirs(opts->out_dir, err);
  if (st == ECR_OK) st = ecr_org_merge_new(opts->out_dir, &m, err);
  if (st == ECR_OK && opts->junit) st = ecr_org_merge_want_junit(m, err);
  if (st == ECR_OK && opts->html) ecr_org_merge_want_html(m);
  if (st == ECR_OK && opts->pdf) ecr_org_merge_want_pdf(m);
  if (st == ECR_OK) {
    org_ctx c = {dir, ids, opts};
    st = ecr_org_merge_add_produced(m, n, evaluate_account, &c, opts->jobs, err);
  }
  if (st == ECR_OK) st = add_missing(m, dir, ids, n, opts->as_of, err);
  if (st == ECR_OK) st = finish(m, summary, err);
  ecr_org_merge_free(m);
  ecr_org_ids_free(ids, n);
  return st;
}

ecr_status ecr_org_merge_files(const char *const *paths, size_t n, const ecr_org_opts *opts,
                               ecr_org_summary **summary, ecr_error *err) {
  *summary = NULL;
  ecr_org_merge *m = NULL;
  ecr_status st = ecr_mkdirs(opts->out_dir, err);
  if (st == ECR_OK) st = ecr_org_merge_new(opts->out_dir, &m, err);
  if (st == ECR_OK && opts->junit) st = ecr_org_merge_want_junit(m, err);
  if (st == ECR_OK && opts->html) ecr_org_merge_want_html(m);
  if (st == ECR_OK && opts->pdf) ecr_org_merge_want_pdf(m);
  if (st == ECR_OK) st = ecr_org_merge_add_files(m, paths, n, opts->jobs, err);
  if (st == ECR_OK) st = finish(m, summary, err);
  ecr_org_merge_free(m);
  return st;
}
