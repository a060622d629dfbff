/* PDF renderer: finding the DejaVu TrueType fonts at run time. */
#include <stdlib.h>
#include <string.h>

#include "render/pdf_internal.h"

static const char *const font_files[PDF_F_COUNT] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf",
                                                    "DejaVuSansMono.ttf"};

/* Searched after $ECRAUDIT_FONT_DIR, in order. */
static const char *const font_dirs[] = {
    "/usr/share/fonts/truetype/dejavu", /* Debian, Ubuntu (fonts-dejavu-core) */
    "/usr/share/fonts/dejavu",          /* Fedora, Alpine */
    "/usr/share/fonts/TTF",             /* Arch */
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/share/fonts/dejavu-sans-mono-fonts",
    "/usr/local/share/fonts",
    "/usr/local/share/fonts/dejavu",
    "/opt/homebrew/share/fonts",
    "/Library/Fonts",
};

static char *search(const char *file, ecr_buf *searched) {
  const char *env = getenv("ECRAUDIT_FONT_DIR");
  if (env && *env) {
    char *p = ecr_path_join(env, file);
    if (ecr_file_exists(p)) return p;
    free(p);
    ecr_buf_printf(searched, "%s, ", env);
  }
  for (size_t i = 0; i < sizeof(font_dirs) / sizeof(font_dirs[0]); i++) {
    char *p = ecr_path_join(font_dirs[i], file);
    if (ecr_file_exists(p)) return p;
    free(p);
    ecr_buf_printf(searched, "%s, ", font_dirs[i]);
  }
  return NULL;
}

/* "…/DejaVuSans.ttf" -> "…/DejaVuSans-Bold.ttf" (NULL when no ".ttf"). */
static char *bold_sibling(const char *path) {
  size_t n = strlen(path);
  if (n < 4 || ecr_strcasecmp_ascii(path + n - 4, ".ttf") != 0) return NULL;
  return ecr_xasprintf("%.*s-Bold%s", (int)(n - 4), path, path + n - 4);
}

ecr_status ecr_pdf_fonts_find(const ecr_render_opts *opts, char *paths[PDF_F_COUNT],
                              ecr_error *err) {
  ecr_status st = ECR_OK;
  ecr_buf searched;
  ecr_buf_init(&searched);
  for (int i = 0; i < PDF_F_COUNT; i++) paths[i] = NULL;

  const char *reg = opts ? opts->font_path : NULL;
  const char *mono = opts ? opts->font_mono_path : NULL;
  if (reg) {
    if (!ecr_file_exists(reg)) {
      st = ecr_error_set(err, ECR_E_INPUT, reg, "font file not found (PDF font)");
      goto done;
    }
    paths[PDF_F_REG] = ecr_xstrdup(reg);
    char *b = bold_sibling(reg);
    if (b && ecr_file_exists(b))
      paths[PDF_F_BOLD] = b;
    else
      free(b);
  }
  if (mono) {
    if (!ecr_file_exists(mono)) {
      st = ecr_error_set(err, ECR_E_INPUT, mono, "font file not found (PDF monospace font)");
      goto done;
    }
    paths[PDF_F_MONO] = ecr_xstrdup(mono);
  }
  for (int i = 0; i < PDF_F_COUNT; i++) {
    if (paths[i]) continue;
    if (i == PDF_F_BOLD && reg) continue; /* custom regular font: no DejaVu bold mixed in */
    ecr_buf_reset(&searched);
    paths[i] = search(font_files[i], &searched);
    if (!paths[i] && i != PDF_F_BOLD) {
      if (searched.len >= 2) searched.data[searched.len - 2] = '\0';
      st = ecr_error_set(err, ECR_E_INPUT, font_files[i],
                         "TrueType font not found for the PDF report (searched %s); install "
                         "fonts-dejavu-core or set ECRAUDIT_FONT_DIR",
                         searched.data);
      goto done;
    }
  }
  if (!paths[PDF_F_BOLD]) paths[PDF_F_BOLD] = ecr_xstrdup(paths[PDF_F_REG]);
done:
  if (st != ECR_OK)
    for (int i = 0; i < PDF_F_COUNT; i++) {
      free(paths[i]);
      paths[i] = NULL;
    }
  ecr_buf_cleanup(&searched);
  return st;
}
