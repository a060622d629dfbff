/* The findings.json printer of src/render/json.c, shared with the writers
 * of documents in the same layout (src/org/merge.c): strings exactly as
 * cJSON escapes them, values 2-space indented (depth >= 0, Python's
 * json.dumps(indent=2)) or on one line (depth < 0, json.dumps with
 * separators=(",", ":")). */
#ifndef ECRAUDIT_JSON_PRINT_H
#define ECRAUDIT_JSON_PRINT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "util/util.h"

void ecr_json_print_string(ecr_buf *b, const char *s);
/* false on allocation failure */
bool ecr_json_print_value(ecr_buf *b, const cJSON *v, int depth);

#endif
