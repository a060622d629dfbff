#include "ecraudit/evaluate.h"
ecr_status ecr_report_build(const ecr_evidence *ev, const ecr_matrix *m, ecr_ledger *ledger,
                            const char *as_of, ecr_report **out, ecr_error *err) {
  return ecr_error_set(err, ECR_E_INTERNAL, NULL, "not yet");
}
