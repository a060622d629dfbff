/* Reading JSON evidence files with errors that name the file and position. */
#ifndef ECRAUDIT_JSON_FILE_H
#define ECRAUDIT_JSON_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "ecraudit/error.h"

/* Parse the file at path (display name rel for messages). Malformed JSON:
 * ECR_E_INPUT with line and column. sha256/size of the bytes are filled. */
ecr_status ecr_json_read_file(const char *path, const char *rel, cJSON **out, char sha256[65],
                              size_t *size, ecr_error *err);
/* As ecr_json_read_file, the tree allocated in one arena (faster to build
 * and to drop): read it, never change it, and free it with ecr_json_free,
 * never cJSON_Delete. */
ecr_status ecr_json_read_file_arena(const char *path, const char *rel, cJSON **out, char sha256[65],
                                    size_t *size, ecr_error *err);
/* Free a tree of ecr_json_read_file_arena (any other tree: cJSON_Delete). */
void ecr_json_free(cJSON *tree);
/* Parse a buffer (same error shape). */
ecr_status ecr_json_parse(const char *data, size_t len, const char *rel, cJSON **out,
                          ecr_error *err);
/* Nesting depth of a parsed value (arrays/objects). */
int ecr_json_depth(const cJSON *v);

#endif
