#include "evidence/json_file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/evidence.h"
#include "util/util.h"

/* Depth check before cJSON recurses: cJSON's own limit is 1000; we refuse
 * documents nested deeper than ECR_MAX_JSON_DEPTH with a clear message. */
static long scan_depth(const char *data, size_t len, size_t *at) {
  long depth = 0, max = 0;
  bool in_str = false;
  for (size_t i = 0; i < len; i++) {
    char c = data[i];
    if (in_str) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"')
      in_str = true;
    else if (c == '{' || c == '[') {
      if (++depth > max) {
        max = depth;
        if (max > ECR_MAX_JSON_DEPTH) {
          *at = i;
          return max;
        }
      }
    } else if (c == '}' || c == ']')
      depth--;
  }
  return max;
}

/* A string value or key longer than ECR_MAX_STRING (nesting is bounded by
 * ECR_MAX_JSON_DEPTH, so the recursion is too). */
static bool too_long(const cJSON *v, const cJSON **which) {
  if ((v->string && strlen(v->string) > ECR_MAX_STRING) ||
      (cJSON_IsString(v) && v->valuestring && strlen(v->valuestring) > ECR_MAX_STRING)) {
    *which = v;
    return true;
  }
  for (const cJSON *c = v->child; c; c = c->next)
    if (too_long(c, which)) return true;
  return false;
}

static void position(const char *data, size_t off, long *line, long *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++) {
    if (data[i] == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}

ecr_status ecr_json_parse(const char *data, size_t len, const char *rel, cJSON **out,
                          ecr_error *err) {
  *out = NULL;
  long line, col;
  size_t at = 0;
  const char *p = data;
  if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3; /* BOM */
  /* one pass says yes to every check below in the common case; when it does
   * not, they run one by one, in this order, for the message */
  size_t longest = SIZE_MAX;
  if (!ecr_json_check_fast(data, len, ECR_MAX_JSON_DEPTH, &longest)) {
    longest = SIZE_MAX;
    if (memchr(data, '\0', len)) {
      position(data, (size_t)((const char *)memchr(data, '\0', len) - data), &line, &col);
      return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col, "invalid JSON: NUL byte");
    }
    if (scan_depth(data, len, &at) > ECR_MAX_JSON_DEPTH) {
      position(data, at, &line, &col);
      return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col, "JSON nested deeper than %d levels",
                              ECR_MAX_JSON_DEPTH);
    }
    size_t bad_at = ecr_utf8_first_invalid(data, len);
    if (bad_at < len) {
      position(data, bad_at, &line, &col);
      return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col, "invalid UTF-8");
    }
    char why[160];
    size_t first = SIZE_MAX;
    if (!ecr_json_check(data, len, &at, &first, why, sizeof(why))) {
      position(data, at, &line, &col);
      if (first != SIZE_MAX) {
        long fl, fc;
        position(data, first, &fl, &fc);
        return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col,
                                "invalid JSON: %s (first at line %ld, column %ld)", why, fl, fc);
      }
      return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col, "invalid JSON: %s", why);
    }
  }
  const char *end = NULL;
  /* data is NUL-terminated and holds no NUL byte (checked above) */
  cJSON *v = cJSON_ParseWithLengthOpts(p, len - (size_t)(p - data) + 1, &end, true);
  if (!v) {
    size_t off = end ? (size_t)(end - data) : len;
    if (off > len) off = len;
    position(data, off, &line, &col);
    if (off >= len)
      return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col,
                              "invalid JSON: unexpected end of file (truncated?)");
    return ecr_error_set_at(err, ECR_E_INPUT, rel, line, col, "invalid JSON (byte offset %zu)",
                            off);
  }
  const cJSON *which = NULL;
  /* no string token longer than the limit: no decoded string is */
  if (longest > ECR_MAX_STRING && too_long(v, &which)) {
    size_t n = which->valuestring ? strlen(which->valuestring) : strlen(which->string);
    cJSON_Delete(v);
    return ecr_error_set(err, ECR_E_INPUT, rel,
                         "a string of %zu bytes exceeds the %u KiB limit for one value", n,
                         ECR_MAX_STRING / 1024u);
  }
  *out = v;
  return ECR_OK;
}

ecr_status ecr_json_read_file(const char *path, const char *rel, cJSON **out, char sha256[65],
                              size_t *size, ecr_error *err) {
  char *data = NULL;
  size_t len = 0;
  *out = NULL;
  ecr_status st = ecr_file_read(path, &data, &len, err);
  if (st != ECR_OK) {
    if (err) snprintf(err->file, sizeof(err->file), "%s", rel);
    return st;
  }
  if (sha256) ecr_sha256_hex(data, len, sha256);
  if (size) *size = len;
  st = ecr_json_parse(data, len, rel, out, err);
  free(data);
  return st;
}

int ecr_json_depth(const cJSON *v) {
  int max = 0;
  const cJSON *c;
  if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) return 0;
  cJSON_ArrayForEach(c, v) {
    int d = ecr_json_depth(c);
    if (d > max) max = d;
  }
  return max + 1;
}
