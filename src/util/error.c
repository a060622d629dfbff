#include "ecraudit/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static ecr_fatal_fn fatal_cb;
static void *fatal_ctx;

void ecr_set_fatal_cb(ecr_fatal_fn fn, void *ctx) {
  fatal_cb = fn;
  fatal_ctx = ctx;
}

void ecr_fatal(const char *fmt, ...) {
  char msg[512]; /* no allocation: this may report that there is no memory */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (fatal_cb) fatal_cb(fatal_ctx, msg);
  abort();
}

void ecr_error_clear(ecr_error *err) {
  if (!err) return;
  memset(err, 0, sizeof(*err));
}

#if defined(__GNUC__)
__attribute__((format(printf, 6, 0)))
#endif
static ecr_status
error_vset(ecr_error *err, ecr_status code, const char *file, long line, long column,
           const char *fmt, va_list ap) {
  if (!err) return code;
  err->code = code;
  snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
  err->line = line;
  err->column = column;
  vsnprintf(err->message, sizeof(err->message), fmt, ap);
  return code;
}

ecr_status ecr_error_set(ecr_error *err, ecr_status code, const char *file, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ecr_status s = error_vset(err, code, file, 0, 0, fmt, ap);
  va_end(ap);
  return s;
}

ecr_status ecr_error_set_at(ecr_error *err, ecr_status code, const char *file, long line,
                            long column, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ecr_status s = error_vset(err, code, file, line, column, fmt, ap);
  va_end(ap);
  return s;
}

void ecr_error_format(const ecr_error *err, char *buf, size_t size) {
  if (!size) return;
  char pos[64] = "";
  if (err->line > 0 && err->column > 0)
    snprintf(pos, sizeof(pos), "line %ld, column %ld: ", err->line, err->column);
  else if (err->line > 0)
    snprintf(pos, sizeof(pos), "line %ld: ", err->line);
  if (err->file[0])
    snprintf(buf, size, "%s: %s%s", err->file, pos, err->message);
  else
    snprintf(buf, size, "%s%s", pos, err->message);
  for (char *p = buf; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c < 0x20 || c == 0x7f) *p = '?';
  }
}

int ecr_error_exit_code(ecr_status code) {
  switch (code) {
  case ECR_OK: return 0;
  case ECR_E_COLLECT: return 3;
  case ECR_E_OUTPUT: return 4;
  case ECR_E_USAGE:
  case ECR_E_INPUT:
  case ECR_E_INTERNAL:
  default: return 2;
  }
}
