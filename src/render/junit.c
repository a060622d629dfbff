/* TEMPORARY stub: replaced by the junit renderer's author. */
#include "ecraudit/render.h"

ecr_status ecr_render_junit(const ecr_report *report, const ecr_render_opts *opts, ecr_sink *sink,
                         ecr_error *err) {
  return ecr_error_set(err, ECR_E_INTERNAL, NULL, "junit renderer not built yet");
}
