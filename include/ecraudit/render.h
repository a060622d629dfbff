/* ecraudit — renderers: pure functions of the report model.
 *
 * A table in src/render/render.c maps --format names to renderers; a new
 * format is one new row. Each renderer writes through an ecr_sink, so the
 * same code serves files (atomically), memory buffers (tests) and fuzzers.
 */
#ifndef ECRAUDIT_RENDER_H
#define ECRAUDIT_RENDER_H

#include <stddef.h>

#include "ecraudit/error.h"
#include "ecraudit/report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Byte sink. write returns 0 on success, -1 on failure (then the renderer
 * stops and returns ECR_E_OUTPUT). */
typedef struct ecr_sink {
  int (*write)(void *ctx, const void *data, size_t len);
  void *ctx;
} ecr_sink;

/* Convenience: write all or fail. */
int ecr_sink_write(ecr_sink *sink, const void *data, size_t len);
int ecr_sink_puts(ecr_sink *sink, const char *s);

/* The pictures of a report (src/render/picture.h): laid out once, drawn by
 * the HTML (inline SVG) and the PDF renderers. */
typedef struct ecr_pictures ecr_pictures;
struct ecr_paths; /* include/ecraudit/paths.h */

typedef struct ecr_render_opts {
  const char *font_path;        /* PDF: TrueType font; NULL -> search DejaVu */
  const char *font_mono_path;   /* PDF: monospace TrueType; NULL -> search DejaVu Sans Mono */
  size_t detail_limit;          /* HTML/PDF: full detail for at most this many
                                   findings per group before summarizing; 0 = default */
  char findings_sha256[65];     /* HTML/PDF sign-off: SHA-256 of findings.json; "" -> the
                                   renderer computes it (ecr_render_findings_sha256) */
  const ecr_pictures *pictures; /* HTML/PDF: ecr_pictures_build's layout, shared by both;
                                   NULL -> each renderer lays out its own, without chains */
} ecr_render_opts;

/* Lay out the report's pictures: per group of repositories with the same
 * risky writers, who can write to it (through the role chains of paths, the
 * hop graph of the report's evidence, or directly only when NULL; paths is
 * read during the call only), and the Write heat map. Owned by caller
 * (ecr_pictures_free). */
ecr_pictures *ecr_pictures_build(const ecr_report *r, const struct ecr_paths *paths);
void ecr_pictures_free(ecr_pictures *p);

typedef ecr_status (*ecr_render_fn)(const ecr_report *report, const ecr_render_opts *opts,
                                    ecr_sink *sink, ecr_error *err);

ecr_status ecr_render_html(const ecr_report *, const ecr_render_opts *, ecr_sink *, ecr_error *);
ecr_status ecr_render_pdf(const ecr_report *, const ecr_render_opts *, ecr_sink *, ecr_error *);
ecr_status ecr_render_junit(const ecr_report *, const ecr_render_opts *, ecr_sink *, ecr_error *);
ecr_status ecr_render_json(const ecr_report *, const ecr_render_opts *, ecr_sink *, ecr_error *);
/* findings.asff.json: AWS Security Finding Format (Security Hub BatchImportFindings input). */
ecr_status ecr_render_asff(const ecr_report *, const ecr_render_opts *, ecr_sink *, ecr_error *);

typedef struct ecr_renderer {
  const char *name;     /* "html" */
  const char *filename; /* "report.html" */
  ecr_render_fn render;
  bool on_request; /* written only when --format names it (not by default) */
} ecr_renderer;

/* NULL when unknown. */
const ecr_renderer *ecr_renderer_find(const char *name);
/* All renderers, in output order; *n set. */
const ecr_renderer *ecr_renderers(size_t *n);

/* Render into DIR/<filename> atomically (temporary file, then rename).
 * ECR_E_OUTPUT on any write failure; an earlier file stays intact. */
ecr_status ecr_render_to_file(const ecr_renderer *r, const ecr_report *report,
                              const ecr_render_opts *opts, const char *dir, ecr_error *err);

/* Render several formats into dir, concurrently (one thread each, up to
 * the number of formats); the files are the same as rendering one by one.
 * On failure the first failing renderer in list order decides err. */
ecr_status ecr_render_all(const ecr_renderer *const *renderers, size_t n, const ecr_report *report,
                          const ecr_render_opts *opts, const char *dir, ecr_error *err);

/* JUnit for a scan whose collection failed: DIR/report.junit.xml with one
 * test case in error, its message the collection error (atomically). */
ecr_status ecr_render_junit_collect_failure(const char *message, ecr_sink *sink, ecr_error *err);
ecr_status ecr_render_collect_failure(const char *dir, const char *message, ecr_error *err);

/* SHA-256 of the findings.json this report renders to (the same bytes
 * ecr_render_json writes): opts->findings_sha256 when set, else computed. */
void ecr_render_findings_sha256(const ecr_report *report, const ecr_render_opts *opts,
                                char out[65]);

/* Memory sink helper: ctx is an ecr_buf* (src/util/util.h). */
int ecr_sink_buf_write(void *ctx, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
