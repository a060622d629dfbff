/* TEMPORARY stub: replaced by the pdf renderer's author. */
#include "ecraudit/render.h"

ecr_status ecr_render_pdf(const ecr_report *report, const ecr_render_opts *opts, ecr_sink *sink,
                         ecr_error *err) {
  return ecr_error_set(err, ECR_E_INTERNAL, NULL, "pdf renderer not built yet");
}
