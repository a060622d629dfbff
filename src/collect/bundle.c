/* Bundle writer: JSON the way the AWS CLI prints it, manifest.json with the
 * SHA-256 of every file and the collection gaps. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect/aws.h"

/* ---- JSON as `aws ... --output json` prints it ------------------------- */

static void put_indent(ecr_buf *b, int depth) {
  for (int i = 0; i < depth * 4; i++) ecr_buf_putc(b, ' ');
}

static void put_string(ecr_buf *b, const char *s) {
  ecr_buf_putc(b, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': ecr_buf_puts(b, "\\\""); break;
    case '\\': ecr_buf_puts(b, "\\\\"); break;
    case '\n': ecr_buf_puts(b, "\\n"); break;
    case '\r': ecr_buf_puts(b, "\\r"); break;
    case '\t': ecr_buf_puts(b, "\\t"); break;
    case '\b': ecr_buf_puts(b, "\\b"); break;
    case '\f': ecr_buf_puts(b, "\\f"); break;
    default:
      if (*p < 0x20)
        ecr_buf_printf(b, "\\u%04x", *p);
      else
        ecr_buf_putc(b, (char)*p);
    }
  }
  ecr_buf_putc(b, '"');
}

static void put_number(ecr_buf *b, double d) {
  if (!isfinite(d)) {
    ecr_buf_puts(b, "null");
    return;
  }
  if (d == floor(d) && fabs(d) < 9007199254740992.0) {
    ecr_buf_printf(b, "%lld", (long long)d);
    return;
  }
  char tmp[40];
  for (int prec = 1; prec <= 17; prec++) { /* shortest text that reads back the same */
    snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
    if (strtod(tmp, NULL) == d) break;
  }
  ecr_buf_puts(b, tmp);
}

static void put_value(ecr_buf *b, const cJSON *v, int depth) {
  if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
    bool obj = cJSON_IsObject(v);
    if (!v->child) {
      ecr_buf_puts(b, obj ? "{}" : "[]");
      return;
    }
    ecr_buf_puts(b, obj ? "{\n" : "[\n");
    for (const cJSON *c = v->child; c; c = c->next) {
      put_indent(b, depth + 1);
      if (obj) {
        put_string(b, c->string ? c->string : "");
        ecr_buf_puts(b, ": ");
      }
      put_value(b, c, depth + 1);
      ecr_buf_puts(b, c->next ? ",\n" : "\n");
    }
    put_indent(b, depth);
    ecr_buf_putc(b, obj ? '}' : ']');
  } else if (cJSON_IsString(v)) {
    put_string(b, v->valuestring ? v->valuestring : "");
  } else if (cJSON_IsNumber(v)) {
    put_number(b, v->valuedouble);
  } else if (cJSON_IsTrue(v)) {
    ecr_buf_puts(b, "true");
  } else if (cJSON_IsFalse(v)) {
    ecr_buf_puts(b, "false");
  } else {
    ecr_buf_puts(b, "null");
  }
}

char *ecr_json_print_cli(const cJSON *v) {
  ecr_buf b;
  ecr_buf_init(&b);
  put_value(&b, v, 0);
  ecr_buf_putc(&b, '\n');
  return ecr_buf_steal(&b);
}

/* ---- timestamps --------------------------------------------------------- */

char *ecr_aws_time_from_iso(const char *s) {
  size_t n = strlen(s);
  if (n < 20 || s[n - 1] != 'Z' || s[10] != 'T') return ecr_xstrdup(s);
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_buf_append(&b, s, 19);
  if (s[19] == '.') { /* fraction: Python prints microseconds, or none when 0 */
    char frac[7] = "000000";
    size_t i = 20, k = 0;
    bool nonzero = false;
    for (; i < n - 1 && s[i] >= '0' && s[i] <= '9'; i++, k++)
      if (k < 6) {
        frac[k] = s[i];
        if (s[i] != '0') nonzero = true;
      }
    if (nonzero) ecr_buf_printf(&b, ".%s", frac);
  }
  ecr_buf_puts(&b, "+00:00");
  return ecr_buf_steal(&b);
}

char *ecr_aws_time_from_epoch(double t) {
  double whole = floor(t);
  long micro = lround((t - whole) * 1e6);
  if (micro >= 1000000) {
    whole += 1;
    micro -= 1000000;
  }
  time_t tt = (time_t)whole;
  struct tm tm;
  gmtime_r(&tt, &tm);
  char base[32];
  strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
  if (micro) return ecr_xasprintf("%s.%06ld+00:00", base, micro);
  return ecr_xasprintf("%s+00:00", base);
}

/* ---- files -------------------------------------------------------------- */

static ecr_status write_file(ecr_collect_ctx *ctx, const char *rel, const char *data, size_t len,
                             ecr_error *err) {
  char *path = ecr_path_join(ctx->tmp_dir, rel);
  char *slash = strrchr(path, '/');
  ecr_status st = ECR_OK;
  if (slash) {
    *slash = '\0';
    st = ecr_mkdirs(path, err);
    *slash = '/';
  }
  if (st == ECR_OK) st = ecr_atomic_write_file(path, data, len, err);
  free(path);
  return st;
}

ecr_status ecr_bundle_write_json(ecr_collect_ctx *ctx, const char *rel, const cJSON *v,
                                 ecr_error *err) {
  char *text = ecr_json_print_cli(v);
  ecr_status st = write_file(ctx, rel, text, strlen(text), err);
  free(text);
  if (st == ECR_OK) ECR_PUSH(ctx->files, ctx->n_files, ctx->cap_files, ecr_xstrdup(rel));
  return st;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

ecr_status ecr_bundle_write_manifest(ecr_collect_ctx *ctx, const char *const *regions,
                                     size_t n_regions, ecr_error *err) {
  ecr_status st = ECR_OK;
  cJSON *m = cJSON_CreateObject();
  cJSON_AddStringToObject(m, "tool", "ecraudit");
  cJSON_AddStringToObject(m, "tool_version", ECRAUDIT_VERSION);
  cJSON_AddStringToObject(m, "account", ctx->account ? ctx->account : "");
  cJSON *regs = cJSON_AddArrayToObject(m, "regions");
  for (size_t i = 0; i < n_regions; i++) cJSON_AddItemToArray(regs, cJSON_CreateString(regions[i]));
  char when[21];
  ecr_time_iso8601(ecr_time_now(), when);
  cJSON_AddStringToObject(m, "collected_at", when);
  cJSON *files = cJSON_AddArrayToObject(m, "files");
  if (ctx->n_files > 1) qsort(ctx->files, ctx->n_files, sizeof(char *), cmp_str);
  for (size_t i = 0; i < ctx->n_files; i++) {
    char *path = ecr_path_join(ctx->tmp_dir, ctx->files[i]);
    char *data = NULL;
    size_t len = 0;
    st = ecr_file_read(path, &data, &len, err);
    free(path);
    if (st != ECR_OK) {
      st = ECR_E_OUTPUT;
      if (err) err->code = ECR_E_OUTPUT;
      goto cleanup;
    }
    char hex[65];
    ecr_sha256_hex(data, len, hex);
    free(data);
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "path", ctx->files[i]);
    cJSON_AddStringToObject(f, "sha256", hex);
    cJSON_AddNumberToObject(f, "size", (double)len);
    cJSON_AddItemToArray(files, f);
  }
  cJSON *gaps = cJSON_AddArrayToObject(m, "gaps");
  for (size_t i = 0; i < ctx->n_gaps; i++) {
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "source", ctx->gaps[i].source);
    cJSON_AddStringToObject(g, "resource", ctx->gaps[i].resource);
    cJSON_AddStringToObject(g, "error", ctx->gaps[i].error);
    cJSON_AddItemToArray(gaps, g);
  }
  char *text = ecr_json_print_cli(m);
  st = write_file(ctx, "manifest.json", text, strlen(text), err);
  free(text);
cleanup:
  cJSON_Delete(m);
  return st;
}
