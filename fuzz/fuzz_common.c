/* ecraudit fuzzing: shared helpers (see fuzz_common.h). */
#define _XOPEN_SOURCE 700
#include "fuzz_common.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "ecraudit/evaluate.h"
#include "ecraudit/paths.h"
#include "ecraudit/render.h"
#include "util/util.h"

#define FZ_CHECK(cond, ...)                                                                        \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "fuzz check failed: %s: ", #cond);                                           \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

static char *scratch;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  if (ftw->level > 0) remove(path);
  return 0;
}

static void remove_scratch(void) {
  if (!scratch) return;
  nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  rmdir(scratch);
  free(scratch);
  scratch = NULL;
}

static void silence_xml(void *ctx, const char *msg, ...) {
  (void)ctx;
  (void)msg;
}

const char *fz_dir(void) {
  if (scratch) return scratch;
  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  char tmpl[256];
  snprintf(tmpl, sizeof(tmpl), "%s/ecraudit-fuzz-XXXXXX", base);
  FZ_CHECK(mkdtemp(tmpl) != NULL, "mkdtemp %s: %s", tmpl, strerror(errno));
  scratch = ecr_xstrdup(tmpl);
  atexit(remove_scratch);
  xmlSetGenericErrorFunc(NULL, silence_xml);
  return scratch;
}

void fz_clear(void) {
  const char *d = fz_dir();
  nftw(d, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void fz_write(const char *rel, const void *data, size_t len) {
  char *path = ecr_path_join(fz_dir(), rel);
  char *slash = strrchr(path, '/');
  *slash = '\0';
  ecr_error err;
  FZ_CHECK(ecr_mkdirs(path, &err) == ECR_OK, "%s", err.message);
  *slash = '/';
  FILE *fp = fopen(path, "wb");
  FZ_CHECK(fp != NULL, "%s: %s", path, strerror(errno));
  FZ_CHECK(len == 0 || fwrite(data, 1, len, fp) == len, "%s", path);
  FZ_CHECK(fclose(fp) == 0, "%s", path);
  free(path);
}

char *fz_strndup(const uint8_t *data, size_t size) {
  char *s = ecr_xmalloc(size + 1);
  if (size) memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

char *fz_read_source(const char *rel, size_t *len) {
  char *path = ecr_path_join(ECR_SOURCE_DIR, rel);
  char *data = NULL;
  ecr_error err;
  FZ_CHECK(ecr_file_read(path, &data, len, &err) == ECR_OK, "%s: %s", path, err.message);
  free(path);
  return data;
}

void fz_check_error(const ecr_error *err, bool must_name_file) {
  char line[2048];
  ecr_error_format(err, line, sizeof(line));
  FZ_CHECK(line[0] != '\0', "empty error message");
  FZ_CHECK(strchr(line, '\n') == NULL && strchr(line, '\r') == NULL,
           "error message spans lines: %s", line);
  FZ_CHECK(err->message[0] != '\0', "error without message: %s", line);
  if (must_name_file) FZ_CHECK(err->file[0] != '\0', "error names no file: %s", line);
}

/* ---- output checks ------------------------------------------------------ */
static void check_json(const ecr_buf *b) {
  cJSON *v = cJSON_ParseWithLength(b->data, b->len);
  FZ_CHECK(v != NULL, "findings.json does not parse");
  FZ_CHECK(ecr_utf8_valid(b->data, b->len), "findings.json is not UTF-8");
  const cJSON *schema = cJSON_GetObjectItemCaseSensitive(v, "schema");
  FZ_CHECK(cJSON_IsString(schema) && strcmp(schema->valuestring, "ecraudit.findings/v2") == 0,
           "findings.json schema");
  cJSON_Delete(v);
}

static void check_xml(const ecr_buf *b) {
  xmlDocPtr doc = xmlReadMemory(b->data, (int)b->len, "report.junit.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  FZ_CHECK(doc != NULL, "report.junit.xml is not well-formed XML");
  xmlFreeDoc(doc);
}

static void html_walk(xmlNodePtr n, size_t *scripts) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    const char *name = (const char *)n->name;
    if (ecr_strcasecmp_ascii(name, "script") == 0) (*scripts)++;
    static const char *const banned[] = {"iframe", "object", "embed",    "img",          "base",
                                         "form",   "frame",  "frameset", "math",         "link",
                                         "input",  "image",  "use",      "foreignobject"};
    for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
      FZ_CHECK(ecr_strcasecmp_ascii(name, banned[i]) != 0, "injected <%s> in report.html", name);
    /* the pictures' inline SVG (src/render/svg.c) sits in its wrapper only */
    if (ecr_strcasecmp_ascii(name, "svg") == 0) {
      xmlChar *cls = n->parent ? xmlGetProp(n->parent, BAD_CAST "class") : NULL;
      bool wrapped = cls && strcmp((const char *)cls, "picture-scroll") == 0;
      xmlFree(cls);
      FZ_CHECK(wrapped, "injected <svg> in report.html (outside the pictures' wrapper)");
    }
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
      const char *an = (const char *)a->name;
      FZ_CHECK(!((an[0] == 'o' || an[0] == 'O') && (an[1] == 'n' || an[1] == 'N')),
               "event attribute %s on <%s> in report.html", an, name);
    }
    html_walk(n->children, scripts);
  }
}

static void check_html(const ecr_buf *b) {
  FZ_CHECK(ecr_utf8_valid(b->data, b->len), "report.html is not UTF-8");
  htmlDocPtr doc = htmlReadMemory(b->data, (int)b->len, "report.html", "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  FZ_CHECK(doc != NULL, "report.html does not parse");
  size_t scripts = 0;
  html_walk(xmlDocGetRootElement(doc), &scripts);
  FZ_CHECK(scripts == 1, "report.html has %zu <script> elements (the template has 1)", scripts);
  xmlFreeDoc(doc);
}

static void check_pdf(const ecr_buf *b) {
  FZ_CHECK(b->len > 16 && memcmp(b->data, "%PDF-", 5) == 0, "report.pdf header");
  size_t tail = b->len > 32 ? b->len - 32 : 0;
  bool eof = false;
  for (size_t i = tail; i + 5 <= b->len; i++)
    if (memcmp(b->data + i, "%%EOF", 5) == 0) eof = true;
  FZ_CHECK(eof, "report.pdf has no %%%%EOF trailer");
}

static void render_all(const ecr_report *report, size_t detail_limit) {
  size_t n = 0;
  const ecr_renderer *all = ecr_renderers(&n);
  ecr_render_opts opts = {0};
  opts.detail_limit = detail_limit;
  for (size_t i = 0; i < n; i++) {
    ecr_buf b;
    ecr_buf_init(&b);
    ecr_sink sink = {ecr_sink_buf_write, &b};
    ecr_error err;
    ecr_error_clear(&err);
    ecr_status st = all[i].render(report, &opts, &sink, &err);
    if (st != ECR_OK) fz_check_error(&err, false);
    FZ_CHECK(st == ECR_OK, "renderer %s failed on a valid report model: %s", all[i].name,
             err.message);
    if (strcmp(all[i].name, "json") == 0)
      check_json(&b);
    else if (strcmp(all[i].name, "junit") == 0)
      check_xml(&b);
    else if (strcmp(all[i].name, "html") == 0)
      check_html(&b);
    else if (strcmp(all[i].name, "pdf") == 0)
      check_pdf(&b);
    ecr_buf_cleanup(&b);
  }
}

void fz_evaluate(const ecr_evidence *ev, ecr_ledger *ledger, bool render) {
  static unsigned calls;
  calls++;
  ecr_error err;
  ecr_error_clear(&err);
  ecr_matrix *m = NULL;
  ecr_report *report = NULL;
  if (ecr_matrix_eval(ev, &m, &err) != ECR_OK) {
    fz_check_error(&err, false);
    goto done;
  }
  char *tsv = NULL;
  size_t tsv_len = 0;
  FILE *fp = open_memstream(&tsv, &tsv_len);
  FZ_CHECK(fp != NULL, "open_memstream");
  FZ_CHECK(ecr_matrix_write_tsv(m, fp, &err) == ECR_OK, "matrix TSV: %s", err.message);
  fclose(fp);
  FZ_CHECK(tsv_len > 0 && ecr_str_has_prefix(tsv, "principal\trepository\taction\tdecision\n"),
           "matrix TSV header");
  free(tsv);

  /* the hop graph; its TSV only while it is small (chains multiply) */
  ecr_paths *paths = NULL;
  FZ_CHECK(ecr_paths_build(ev, m, &paths, &err) == ECR_OK, "paths: %s", err.message);
  ecr_paths_stats pst;
  ecr_paths_get_stats(paths, &pst);
  for (size_t i = 0; i < ecr_paths_start_count(paths) && i < 64; i++)
    FZ_CHECK(ecr_paths_start_name(paths, i) != NULL, "paths start %zu", i);
  if (pst.hops <= 64) {
    fp = open_memstream(&tsv, &tsv_len);
    FZ_CHECK(fp != NULL, "open_memstream");
    FZ_CHECK(ecr_paths_write_tsv(paths, fp, &err) == ECR_OK, "paths TSV: %s", err.message);
    fclose(fp);
    FZ_CHECK(ecr_str_has_prefix(tsv, "principal\tvia\trepository\taction\tdecision\n"),
             "paths TSV header");
    free(tsv);
  }
  ecr_paths_free(paths);

  size_t np = ecr_matrix_principal_count(m);
  for (size_t p = 0; p < np && p < 64; p++) {
    const ecr_matrix_principal *mp = ecr_matrix_principal_at(m, p);
    FZ_CHECK(mp && mp->name, "matrix principal %zu", p);
    size_t repos[9];
    size_t nr = 0;
    repos[nr++] = ECR_MATRIX_REGISTRY;
    for (size_t r = 0; r < ev->n_repos && nr < 9; r++) repos[nr++] = r;
    ecr_actset allow = 0, cond = 0, any = 0;
    for (size_t k = 0; k < nr; k++) {
      ecr_matrix_get(m, p, repos[k], &allow, &cond);
      any |= allow | cond;
    }
    (void)ecr_matrix_covers_future(m, p, any);
    size_t nv = 0;
    ecr_via *via = ecr_matrix_explain(m, p, repos, nr, any ? any : ecr_catalog_all(), &nv);
    for (size_t k = 0; k < nv; k++) ecr_via_cleanup(&via[k]);
    free(via);
  }

  if (ecr_report_build(ev, m, ledger, "2026-01-15", &report, &err) != ECR_OK) {
    fz_check_error(&err, false);
    goto done;
  }
  size_t total = 0;
  for (int s = 0; s < ECR_CHECK_COUNT; s++) total += report->by_status[s];
  FZ_CHECK(total == report->n_findings, "summary counts %zu findings, model has %zu", total,
           report->n_findings);
  /* every other report with a short detail limit: the summarizing paths, and
     a faster PDF */
  if (render) render_all(report, (calls & 1) ? 2 : 0);
done:
  ecr_report_free(report);
  ecr_matrix_free(m);
}

void fz_load_and_evaluate(ecr_ledger *ledger, bool render) {
  ecr_error err;
  ecr_error_clear(&err);
  ecr_evidence *ev = NULL;
  ecr_status st = ecr_evidence_load(fz_dir(), &ev, &err);
  if (st != ECR_OK) {
    FZ_CHECK(ev == NULL, "evidence returned on error");
    FZ_CHECK(st == ECR_E_INPUT, "load returned status %d: %s", (int)st, err.message);
    fz_check_error(&err, true);
    return;
  }
  fz_evaluate(ev, ledger, render);
  ecr_evidence_free(ev);
}
