/* iam/service-last-accessed.json into the evidence model (usage.c). */
#ifndef ECRAUDIT_EVIDENCE_USAGE_INTERNAL_H
#define ECRAUDIT_EVIDENCE_USAGE_INTERNAL_H

#include <cjson/cJSON.h>

#include "ecraudit/evidence.h"

/* Fill ev->usage (parallel to ev->principals, which must be loaded and
 * indexed) from the parsed file. ECR_E_INPUT naming the file and the item
 * when the shape is wrong. */
ecr_status ecr_evidence_usage_load(ecr_evidence *ev, const cJSON *doc, ecr_error *err);
void ecr_evidence_usage_free(ecr_evidence *ev);

#endif
