/* TEMPORARY stub: replaced by the json renderer's author. */
#include "ecraudit/render.h"

ecr_status ecr_render_json(const ecr_report *report, const ecr_render_opts *opts, ecr_sink *sink,
                         ecr_error *err) {
  return ecr_error_set(err, ECR_E_INTERNAL, NULL, "json renderer not built yet");
}
