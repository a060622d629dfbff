/* Renderer registry, sinks, and atomic file output. Escaping lives in each
 * format's own file (libxml2's tree/writer APIs for HTML and XML). */
#include "ecraudit/render.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#include <libxml/parser.h>

static const ecr_renderer renderers[] = {
    {"json", "findings.json", ecr_render_json, false},
    {"junit", "report.junit.xml", ecr_render_junit, false},
    {"html", "report.html", ecr_render_html, false},
    {"pdf", "report.pdf", ecr_render_pdf, false},
    {"asff", "findings.asff.json", ecr_render_asff, true},
};

const ecr_renderer *ecr_renderers(size_t *n) {
  *n = sizeof(renderers) / sizeof(renderers[0]);
  return renderers;
}

const ecr_renderer *ecr_renderer_find(const char *name) {
  for (size_t i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++)
    if (strcmp(renderers[i].name, name) == 0) return &renderers[i];
  return NULL;
}

int ecr_sink_write(ecr_sink *sink, const void *data, size_t len) {
  if (!len) return 0;
  return sink->write(sink->ctx, data, len);
}

int ecr_sink_puts(ecr_sink *sink, const char *s) {
  return ecr_sink_write(sink, s, strlen(s));
}

int ecr_sink_buf_write(void *ctx, const void *data, size_t len) {
  ecr_buf_append((ecr_buf *)ctx, data, len);
  return 0;
}

void ecr_render_findings_sha256(const ecr_report *report, const ecr_render_opts *opts,
                                char out[65]) {
  if (opts && opts->findings_sha256[0]) {
    memcpy(out, opts->findings_sha256, 65);
    return;
  }
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_sink sink = {ecr_sink_buf_write, &b};
  ecr_error err;
  ecr_error_clear(&err);
  if (ecr_render_json(report, opts, &sink, &err) == ECR_OK)
    ecr_sha256_hex(b.data ? b.data : "", b.len, out);
  else
    out[0] = '\0';
  ecr_buf_cleanup(&b);
}

static int atomic_sink_write(void *ctx, const void *data, size_t len) {
  return ecr_atomic_write((ecr_atomic_file *)ctx, data, len) ? 0 : -1;
}

/* Render r into a finished temporary file of dir/<filename>; not published. */
static ecr_status render_tmp(const ecr_renderer *r, const ecr_report *report,
                             const ecr_render_opts *opts, const char *dir, ecr_atomic_file *af,
                             ecr_error *err) {
  char *path = ecr_path_join(dir, r->filename);
  ecr_status st = ecr_atomic_open(af, path, err);
  if (st != ECR_OK) goto done;
  ecr_sink sink = {atomic_sink_write, af};
  st = r->render(report, opts, &sink, err);
  if (st == ECR_OK && af->failed)
    st = ecr_error_set(err, ECR_E_OUTPUT, path, "cannot write (write failed)");
  if (st != ECR_OK) {
    ecr_atomic_abort(af);
    if (st == ECR_E_OUTPUT && err && !err->file[0]) {
      char why[sizeof(err->message)];
      snprintf(why, sizeof(why), "%s", err->message);
      ecr_error_set(err, ECR_E_OUTPUT, path, "cannot write: %s", why);
    }
    goto done;
  }
  st = ecr_atomic_finish(af, err);
done:
  free(path);
  return st;
}

ecr_status ecr_render_collect_failure(const char *dir, const char *message, ecr_error *err) {
  char *path = ecr_path_join(dir, "report.junit.xml");
  ecr_atomic_file af;
  ecr_status st = ecr_atomic_open(&af, path, err);
  if (st == ECR_OK) {
    ecr_sink sink = {atomic_sink_write, &af};
    st = ecr_render_junit_collect_failure(message, &sink, err);
    if (st == ECR_OK && af.failed)
      st = ecr_error_set(err, ECR_E_OUTPUT, path, "cannot write (write failed)");
    if (st != ECR_OK) {
      ecr_atomic_abort(&af);
    } else {
      st = ecr_atomic_finish(&af, err);
      if (st == ECR_OK) st = ecr_atomic_publish(&af, err);
    }
  }
  free(path);
  return st;
}

ecr_status ecr_render_to_file(const ecr_renderer *r, const ecr_report *report,
                              const ecr_render_opts *opts, const char *dir, ecr_error *err) {
  ecr_atomic_file af;
  ecr_status st = render_tmp(r, report, opts, dir, &af, err);
  if (st != ECR_OK) return st;
  return ecr_atomic_publish(&af, err);
}

typedef struct render_job {
  const ecr_renderer *r;
  const ecr_report *report;
  const ecr_render_opts *opts;
  const char *dir;
  ecr_atomic_file af;
  ecr_error err;
  ecr_status st;
} render_job;

static void *render_thread(void *arg) {
  render_job *j = arg;
  ecr_error_clear(&j->err);
  j->st = render_tmp(j->r, j->report, j->opts, j->dir, &j->af, &j->err);
  return NULL;
}

/* Every format is rendered into its temporary file first (concurrently);
 * only when all succeeded are they renamed into place, so a failure leaves
 * the previous set of reports as it was, never a mix of old and new; the
 * directory is locked meanwhile, so a concurrent run's set never mixes in. */
ecr_status ecr_render_all(const ecr_renderer *const *list, size_t n, const ecr_report *report,
                          const ecr_render_opts *opts, const char *dir, ecr_error *err) {
  if (n == 0) return ECR_OK;
  /* two runs into one directory: the second waits, so sets never interleave */
  int lock_fd = -1;
  ecr_status lst = ecr_dir_lock(dir, &lock_fd, err);
  if (lst != ECR_OK) return lst;
  xmlInitParser(); /* libxml2's globals, once, before threads use it */
  /* HTML and PDF print the SHA-256 of findings.json: computed once, from
     the bytes the json renderer writes (a pure function of the model) */
  ecr_render_opts local = {0};
  if (opts) local = *opts;
  if (!local.findings_sha256[0]) ecr_render_findings_sha256(report, NULL, local.findings_sha256);
  opts = &local;
  render_job *jobs = ecr_xcalloc(n, sizeof(render_job));
  pthread_t *threads = ecr_xcalloc(n, sizeof(pthread_t));
  bool *started = ecr_xcalloc(n, sizeof(bool));
  for (size_t i = 0; i < n; i++) {
    jobs[i].r = list[i];
    jobs[i].report = report;
    jobs[i].opts = opts;
    jobs[i].dir = dir;
    /* the last job runs on this thread; others get their own */
    if (i + 1 < n && pthread_create(&threads[i], NULL, render_thread, &jobs[i]) == 0)
      started[i] = true;
    else
      render_thread(&jobs[i]);
  }
  for (size_t i = 0; i < n; i++)
    if (started[i]) pthread_join(threads[i], NULL);
  ecr_status st = ECR_OK;
  for (size_t i = 0; i < n && st == ECR_OK; i++) {
    if (jobs[i].st != ECR_OK) {
      st = jobs[i].st;
      if (err) *err = jobs[i].err;
    }
  }
  for (size_t i = 0; i < n; i++) {
    if (jobs[i].st != ECR_OK) continue; /* its temporary file is already gone */
    if (st == ECR_OK) {
      st = ecr_atomic_publish(&jobs[i].af, err);
    } else {
      ecr_atomic_abort(&jobs[i].af);
    }
  }
  free(jobs);
  free(threads);
  free(started);
  ecr_dir_unlock(lock_fd);
  return st;
}
