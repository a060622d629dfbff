/* ecraudit — live collector entry point (work in progress). */
#include "ecraudit/collect.h"

ecr_status ecr_collect(const ecr_collect_opts *opts, ecr_error *err) {
  if (!opts || !opts->out_dir)
    return ecr_error_set(err, ECR_E_USAGE, NULL, "collect: --out is required");
  return ecr_error_set(err, ECR_E_COLLECT, NULL, "collect: not implemented yet");
}
