/* PDF evidence pack (libharu): a pure function of the report model.
 *
 * Layout: cover, contents (pages reserved up front and filled at the end),
 * executive summary, scope and methodology, changes since the baseline
 * (with --baseline), findings table, finding details (passing findings as
 * one compact table), repository access, exceptions ledger, coverage and
 * limitations, evidence appendix, population appendix, sign-off. Headers
 * and footers ("Page X of Y") are drawn once every page exists. Text is
 * drawn with embedded DejaVu TrueType fonts through libharu's UTF-8
 * encoder; see pdf_text.c for how characters are mapped.
 *
 * Reproducible: no clock, no randomness. The document dates come from
 * report->generated_at; libharu writes no /ID unless encryption is on
 * (it is not), so the same model gives the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

#include "render/pdf_internal.h"
#include "render/picture.h"

#define DEFAULT_DETAIL_LIMIT 2000

/* ---- libharu errors ------------------------------------------------------ */

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user) {
  pdf_ctx *c = user;
  if (!c->hpdf_error) {
    c->hpdf_error = error_no;
    c->hpdf_detail = detail_no;
  }
}

/* ---- contents ------------------------------------------------------------ */

static const pdf_style toc_h1 = {PDF_F_BOLD, 10.5, 20, {0.11f, 0.14f, 0.19f}};
static const pdf_style toc_h2 = {PDF_F_REG, 9.5, 15, {0.11f, 0.14f, 0.19f}};

static void reserve_toc(pdf_report *R) {
  pdf_ctx *c = &R->c;
  double h = 22 + 10; /* heading */
  for (size_t i = 0; i < R->n_toc; i++) h += R->toc[i].level ? toc_h2.leading : toc_h1.leading;
  double room = c->top - c->bottom;
  R->toc_pages = (size_t)(h / room) + 1;
  R->toc_first_page = c->n_pages;
  for (size_t i = 0; i < R->toc_pages; i++) ecr_pdf_new_page(c);
  c->page = c->pages[R->toc_first_page];
  ecr_pdf_outline_add(R, NULL, ecr_label("pdf/contents"), ecr_pdf_dest_here(R));
  c->page = c->pages[c->n_pages - 1];
  c->y = c->bottom; /* filled at the end: the next section starts a new page */
}

static void fill_toc(pdf_report *R) {
  pdf_ctx *c = &R->c;
  size_t pg = R->toc_first_page;
  c->page = c->pages[pg];
  c->y = c->top;
  pdf_style h = ecr_pdf_st(PDF_F_BOLD, 16, 22, PDF_ACCENT);
  ecr_pdf_draw_line(c, &h, c->left, ecr_pdf_baseline(c->y, &h), ecr_label("pdf/contents"), 0, 0);
  c->y -= h.leading;
  ecr_pdf_stroke_line(c, c->left, c->y - 2, c->right, c->y - 2, 1.2, PDF_ACCENT);
  c->y -= 10;
  for (size_t i = 0; i < R->n_toc; i++) {
    const pdf_toc_entry *e = &R->toc[i];
    const pdf_style *st = e->level ? &toc_h2 : &toc_h1;
    if (c->y - st->leading < c->bottom && pg + 1 < R->toc_first_page + R->toc_pages) {
      c->page = c->pages[++pg];
      c->y = c->top;
    }
    double x = c->left + (e->level ? 18 : 0);
    double bl = ecr_pdf_baseline(c->y, st);
    char num[32];
    snprintf(num, sizeof(num), "%zu", e->set ? e->page + 1 : 0);
    double nw = ecr_pdf_draw_line(c, st, c->right, bl, num, 0, 1);
    double tw = ecr_pdf_draw_line(c, st, x, bl, e->title, c->right - x - nw - 24, 0);
    /* dot leader, drawn as a dotted line so that it stays out of the text */
    double from = x + tw + 6, to = c->right - nw - 6;
    if (to > from) {
      static const HPDF_UINT16 dots[] = {1, 3};
      HPDF_Page_SetDash(c->page, dots, 2, 0);
      HPDF_Page_SetLineCap(c->page, HPDF_ROUND_END);
      ecr_pdf_stroke_line(c, from, bl + 0.5, to, bl + 0.5, 0.8, PDF_MUTED);
      HPDF_Page_SetDash(c->page, NULL, 0, 0);
      HPDF_Page_SetLineCap(c->page, HPDF_BUTT_END);
    }
    if (e->set) {
      HPDF_Rect rect = {(HPDF_REAL)x, (HPDF_REAL)(c->y - st->leading), (HPDF_REAL)c->right,
                        (HPDF_REAL)c->y};
      HPDF_Destination td = HPDF_Page_CreateDestination(c->pages[e->page]);
      if (td) HPDF_Destination_SetFitH(td, (HPDF_REAL)(e->y + 6 > c->ph ? c->ph : e->y + 6));
      HPDF_Annotation a = HPDF_Page_CreateLinkAnnot(c->page, rect, td);
      if (a) HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
    }
    c->y -= st->leading;
  }
}

/* ---- page furniture, links, info ------------------------------------------------ */

void ecr_pdf_furniture(pdf_ctx *c, const char *head_left, const char *head_right,
                       const char *foot_left) {
  pdf_style hs = ecr_pdf_st(PDF_F_REG, 7.5, 10, PDF_MUTED);
  pdf_style hsb = ecr_pdf_st(PDF_F_BOLD, 7.5, 10, PDF_MUTED);
  double hy = c->ph - 34, fy = 30;
  for (size_t i = 0; i < c->n_pages; i++) {
    c->page = c->pages[i];
    double w = ecr_pdf_draw_line(c, &hsb, c->right, hy, head_right, (c->right - c->left) * 0.4, 1);
    ecr_pdf_draw_line(c, &hs, c->left, hy, head_left, c->right - c->left - w - 16, 0);
    ecr_pdf_stroke_line(c, c->left, hy - 6, c->right, hy - 6, 0.5, PDF_RULE);
    ecr_pdf_stroke_line(c, c->left, fy + 12, c->right, fy + 12, 0.5, PDF_RULE);
    char page[32], pages[32];
    snprintf(page, sizeof(page), "%zu", i + 1);
    snprintf(pages, sizeof(pages), "%zu", c->n_pages);
    const char *pkv[] = {"page", page, "pages", pages, NULL};
    char *pg = ecr_text("pdf/page-of", pkv);
    double pw = ecr_pdf_draw_line(c, &hsb, c->right, fy, pg, 0, 1);
    ecr_pdf_draw_line(c, &hs, c->left, fy, foot_left, c->right - c->left - pw - 16, 0);
    free(pg);
  }
}

static void decorate(pdf_report *R) {
  const ecr_report *r = R->r;
  char *hl = ecr_xasprintf("%s \xc2\xb7 %s", ecr_pdf_nz(r->control_id, ecr_control_id()),
                           ecr_pdf_nz(r->control_name, ecr_control_name()));
  const char *akv[] = {"account", ecr_pdf_nz(r->account, "?"), NULL};
  char *hr = ecr_text("pdf/aws-account", akv);
  const char *fkv[] = {"version",
                       ecr_pdf_nz(r->tool_version, "?"),
                       "generated_at",
                       ecr_pdf_nz(r->generated_at, "?"),
                       "as_of",
                       ecr_pdf_nz(r->as_of, "?"),
                       NULL};
  char *fl = ecr_text("pdf/footer", fkv);
  ecr_pdf_furniture(&R->c, hl, hr, fl);
  free(hl);
  free(hr);
  free(fl);
}

static void table_links(pdf_report *R) {
  pdf_ctx *c = &R->c;
  for (size_t i = 0; i < R->r->n_findings; i++) {
    if (!R->detail_dest[i] || R->row_page[i] >= c->n_pages) continue;
    HPDF_Rect rect = R->row_rect[i];
    if (rect.top <= rect.bottom) continue;
    rect.right = (HPDF_REAL)(rect.left + 24); /* the "#" column */
    HPDF_Annotation a =
        HPDF_Page_CreateLinkAnnot(c->pages[R->row_page[i]], rect, R->detail_dest[i]);
    if (a) HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
  }
}

static bool parse_iso(const char *s, HPDF_Date *d) {
  int y, mo, da, h, mi, se;
  if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &da, &h, &mi, &se) != 6) return false;
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || se > 59 || y < 1) return false;
  memset(d, 0, sizeof(*d));
  d->year = y, d->month = mo, d->day = da, d->hour = h, d->minutes = mi, d->seconds = se;
  d->ind = 'Z';
  return true;
}

void ecr_pdf_info(pdf_ctx *c, const char *title, const char *subject, const char *creator,
                  const char *keywords, const char *generated_at) {
  char *vals[4] = {ecr_pdf_text_plain(title, 300), ecr_pdf_text_plain(subject, 300),
                   ecr_pdf_text_plain(creator, 100), ecr_pdf_text_plain(keywords, 300)};
  HPDF_SetInfoAttr(c->doc, HPDF_INFO_TITLE, vals[0]);
  HPDF_SetInfoAttr(c->doc, HPDF_INFO_SUBJECT, vals[1]);
  HPDF_SetInfoAttr(c->doc, HPDF_INFO_AUTHOR, "ecraudit");
  HPDF_SetInfoAttr(c->doc, HPDF_INFO_CREATOR, vals[2]);
  HPDF_SetInfoAttr(c->doc, HPDF_INFO_KEYWORDS, vals[3]);
  HPDF_Date d;
  if (parse_iso(generated_at, &d)) {
    HPDF_SetInfoDateAttr(c->doc, HPDF_INFO_CREATION_DATE, d);
    HPDF_SetInfoDateAttr(c->doc, HPDF_INFO_MOD_DATE, d);
  }
  for (int i = 0; i < 4; i++) free(vals[i]);
}

static void doc_info(pdf_report *R) {
  const ecr_report *r = R->r;
  const char *tikv[] = {"control_id", ecr_pdf_nz(r->control_id, ecr_control_id()), "account",
                        ecr_pdf_nz(r->account, "?"), NULL};
  char *title = ecr_text("pdf/doc-title", tikv);
  char *subject = ecr_xasprintf("%s %s (%s): %s", ecr_pdf_nz(r->control_id, ecr_control_id()),
                                ecr_pdf_nz(r->control_name, ecr_control_name()),
                                ecr_pdf_nz(r->control_ref, ecr_control_ref()),
                                ecr_check_status_name(r->overall));
  const char *ckv[] = {"version", ecr_pdf_nz(r->tool_version, "?"), NULL};
  char *creator = ecr_text("label/tool", ckv);
  const char *kkv[] = {"control_id", ecr_pdf_nz(r->control_id, ecr_control_id()), "control_ref",
                       ecr_pdf_nz(r->control_ref, ecr_control_ref()), NULL};
  char *keywords = ecr_text("pdf/keywords", kkv);
  ecr_pdf_info(&R->c, title, subject, creator, keywords, r->generated_at);
  free(title);
  free(subject);
  free(creator);
  free(keywords);
}

/* libharu's ToUnicode CMap for its UTF-8 encoder is malformed (it uses
 * cidrange operators), so text extraction and search are unreliable.
 * The codes it draws with are the Unicode code points themselves
 * (Identity-H, 2 bytes), so the correct CMap is the identity over the BMP. */
static void fix_tounicode(HPDF_Font font) {
  HPDF_Dict tu = HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT);
  if (!tu || !tu->stream) return;
  HPDF_MemStream_FreeData(tu->stream);
  HPDF_Stream s = tu->stream;
  HPDF_Stream_WriteStr(s,
                       "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                       "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                       "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                       "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
  int hi[256], n = 0;
  for (int h = 0; h < 256; h++)
    if (h < 0xD8 || h > 0xDF) hi[n++] = h;
  char buf[64];
  for (int i = 0; i < n; i += 100) {
    int m = n - i < 100 ? n - i : 100;
    snprintf(buf, sizeof(buf), "%d beginbfrange\n", m);
    HPDF_Stream_WriteStr(s, buf);
    for (int k = 0; k < m; k++) {
      snprintf(buf, sizeof(buf), "<%02X00> <%02XFF> <%02X00>\n", hi[i + k], hi[i + k], hi[i + k]);
      HPDF_Stream_WriteStr(s, buf);
    }
    HPDF_Stream_WriteStr(s, "endbfrange\n");
  }
  HPDF_Stream_WriteStr(s, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

static ecr_status load_fonts(pdf_ctx *c, const ecr_render_opts *opts, ecr_error *err) {
  char *paths[PDF_F_COUNT];
  ecr_status st = ecr_pdf_fonts_find(opts, paths, err);
  if (st != ECR_OK) return st;
  for (int i = 0; i < PDF_F_COUNT; i++) c->f[i].path = paths[i]; /* freed by the caller */
  for (int i = 0; i < PDF_F_COUNT; i++) {
    int same = -1;
    for (int k = 0; k < i; k++)
      if (strcmp(paths[k], paths[i]) == 0) same = k;
    if (same >= 0) {
      c->f[i].font = c->f[same].font;
      c->f[i].def = c->f[same].def;
    } else {
      const char *name = HPDF_LoadTTFontFromFile(c->doc, paths[i], HPDF_TRUE);
      HPDF_Font f = name ? HPDF_GetFont(c->doc, name, "UTF-8") : NULL;
      if (!f) {
        st = ecr_error_set(err, ECR_E_INPUT, paths[i],
                           "not a usable TrueType font for the PDF report (libharu error 0x%04X)",
                           (unsigned)c->hpdf_error);
        return st;
      }
      fix_tounicode(f);
      c->f[i].font = f;
      c->f[i].def = ((HPDF_FontAttr)f->attr)->fontdef;
    }
    c->f[i].width = ecr_xmalloc(65536 * sizeof(int16_t));
    memset(c->f[i].width, 0xff, 65536 * sizeof(int16_t)); /* -1: not looked up */
    c->f[i].has = ecr_xcalloc(65536, 1);
  }
  return ECR_OK;
}

ecr_status ecr_pdf_save(pdf_ctx *c, ecr_sink *sink, ecr_error *err) {
  if (c->hpdf_error)
    return ecr_error_set(err, ECR_E_INTERNAL, NULL, "PDF: libharu error 0x%04X (detail %u)",
                         (unsigned)c->hpdf_error, (unsigned)c->hpdf_detail);
  if (HPDF_SaveToStream(c->doc) != HPDF_OK || c->hpdf_error)
    return ecr_error_set(err, ECR_E_INTERNAL, NULL,
                         "PDF: libharu could not save the document (error 0x%04X, detail %u)",
                         (unsigned)c->hpdf_error, (unsigned)c->hpdf_detail);
  HPDF_BYTE buf[65536];
  for (;;) {
    HPDF_UINT32 n = sizeof(buf);
    HPDF_STATUS rs = HPDF_ReadFromStream(c->doc, buf, &n);
    if (n && ecr_sink_write(sink, buf, n) != 0)
      return ecr_error_set(err, ECR_E_OUTPUT, NULL, "PDF: write failed");
    if (rs == HPDF_STREAM_EOF) break;
    if (rs != HPDF_OK)
      return ecr_error_set(err, ECR_E_INTERNAL, NULL,
                           "PDF: cannot read the saved document (0x%04X)", (unsigned)rs);
    if (!n) break;
  }
  return ECR_OK;
}

ecr_status ecr_pdf_open(pdf_ctx *c, const ecr_render_opts *opts, ecr_error *err) {
  ecr_buf_init(&c->utf8);
  c->doc = HPDF_New(on_hpdf_error, c);
  if (!c->doc)
    return ecr_error_set(err, ECR_E_INTERNAL, NULL, "PDF: cannot create a libharu document");
  /* a two-level page tree: any page count fits libharu's 8191-entry arrays */
  HPDF_SetPagesConfiguration(c->doc, PDF_PAGES_PER_NODE);
  HPDF_SetCompressionMode(c->doc, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(c->doc);
  HPDF_SetCurrentEncoder(c->doc, "UTF-8");
  c->enc = HPDF_GetEncoder(c->doc, "UTF-8");
  HPDF_SetPageMode(c->doc, HPDF_PAGE_MODE_USE_OUTLINE);
  c->pw = 595.276;
  c->ph = 841.89;
  c->left = 56;
  c->right = c->pw - 56;
  c->top = c->ph - 62;
  c->bottom = 56;
  return load_fonts(c, opts, err);
}

void ecr_pdf_close(pdf_ctx *c) {
  if (c->doc) HPDF_Free(c->doc);
  c->doc = NULL;
  for (int i = 0; i < PDF_F_COUNT; i++) {
    free(c->f[i].width);
    free(c->f[i].has);
    free(c->f[i].path);
  }
  free(c->pages);
  ecr_pdf_text_cleanup(&c->tmp);
  ecr_pdf_lines_cleanup(&c->lines);
  ecr_buf_cleanup(&c->utf8);
}

ecr_status ecr_render_pdf(const ecr_report *report, const ecr_render_opts *opts, ecr_sink *sink,
                          ecr_error *err) {
  ecr_status st = ECR_OK;
  pdf_report R;
  memset(&R, 0, sizeof(R));
  ecr_pictures *own_pics = NULL;
  const ecr_pictures *pics = NULL;
  R.r = report;
  R.c.r = report;
  R.detail_limit = opts && opts->detail_limit ? opts->detail_limit : DEFAULT_DETAIL_LIMIT;
  R.pass_summarized = report->by_status[ECR_CHECK_PASS] > PDF_PASS_ROW_LIMIT;
  ecr_render_findings_sha256(report, opts, R.findings_sha256);
  size_t nf = report->n_findings ? report->n_findings : 1;
  R.detail_dest = ecr_xcalloc(nf, sizeof(HPDF_Destination));
  R.row_rect = ecr_xcalloc(nf, sizeof(HPDF_Rect));
  R.row_page = ecr_xcalloc(nf, sizeof(size_t));

  pdf_ctx *c = &R.c;
  st = ecr_pdf_open(c, opts, err);
  if (st != ECR_OK) goto done;

  /* Table of contents entries, fixed before layout (numbered in order; the
     baseline section only with --baseline). */
  int sec = 0;
  size_t t_sum =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", ++sec, ecr_label("pdf/toc-summary")));
  size_t t_scope =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", ++sec, ecr_label("pdf/toc-scope")));
  size_t t_drift =
      report->baseline
          ? ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", ++sec, ecr_label("pdf/toc-drift")))
          : 0;
  size_t t_tab =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", ++sec, ecr_label("pdf/toc-findings")));
  int det_sec = ++sec;
  size_t t_det =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", det_sec, ecr_label("pdf/toc-details")));
  size_t group_toc[ECR_CHECK_COUNT] = {0};
  {
    static const ecr_check_status order[] = {ECR_CHECK_FAIL, ECR_CHECK_UNKNOWN, ECR_CHECK_EXCEPTED,
                                             ECR_CHECK_PASS};
    size_t sub = 1;
    for (size_t i = 0; i < 4; i++) {
      ecr_check_status s = order[i];
      if (!report->by_status[s]) continue;
      group_toc[s] =
          ecr_pdf_toc_add(&R, 1,
                          ecr_xasprintf("%d.%zu  %s (%zu)", det_sec, sub++,
                                        ecr_pdf_status_group_title(s), report->by_status[s]));
    }
  }
  size_t t_pic =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", ++sec, ecr_label("pdf/toc-pictures")));
  size_t t_repo =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", ++sec, ecr_label("pdf/toc-repositories")));
  size_t t_led =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", ++sec, ecr_label("pdf/toc-ledger")));
  size_t t_cov =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", ++sec, ecr_label("pdf/toc-coverage")));
  int evi_sec = ++sec;
  size_t t_evi =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", evi_sec, ecr_label("pdf/toc-evidence")));
  size_t t_files =
      ecr_pdf_toc_add(&R, 1, ecr_xasprintf("%d.1  %s", evi_sec, ecr_label("pdf/toc-files")));
  size_t t_gaps =
      ecr_pdf_toc_add(&R, 1, ecr_xasprintf("%d.2  %s", evi_sec, ecr_label("pdf/toc-gaps")));
  size_t t_pop =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", ++sec, ecr_label("pdf/toc-population")));
  size_t t_sign =
      ecr_pdf_toc_add(&R, 0, ecr_xasprintf("%d  %s", ++sec, ecr_label("pdf/toc-signoff")));

  ecr_pdf_cover(&R);
  HPDF_Destination cd = HPDF_Page_CreateDestination(c->pages[0]);
  ecr_pdf_outline_add(&R, NULL, ecr_label("pdf/cover"), cd);
  reserve_toc(&R);
  ecr_pdf_summary(&R, t_sum);
  ecr_pdf_scope(&R, t_scope);
  if (report->baseline) ecr_pdf_drift(&R, t_drift);
  ecr_pdf_findings_table(&R, t_tab);
  ecr_pdf_details(&R, t_det, group_toc);
  pics = ecr_pictures_for(report, opts, &own_pics);
  ecr_pdf_pictures(&R, t_pic, pics);
  ecr_pictures_free(own_pics);
  own_pics = NULL;
  ecr_pdf_repositories(&R, t_repo);
  ecr_pdf_ledger(&R, t_led);
  ecr_pdf_coverage(&R, t_cov);
  ecr_pdf_evidence(&R, t_evi, t_files, t_gaps);
  ecr_pdf_population(&R, t_pop);
  ecr_pdf_signoff(&R, t_sign);
  fill_toc(&R);
  table_links(&R);
  decorate(&R);
  doc_info(&R);
  st = ecr_pdf_save(c, sink, err);

done:
  ecr_pictures_free(own_pics);
  ecr_pdf_close(c);
  for (size_t i = 0; i < R.n_toc; i++) free(R.toc[i].title);
  free(R.toc);
  free(R.detail_dest);
  free(R.row_rect);
  free(R.row_page);
  return st;
}
