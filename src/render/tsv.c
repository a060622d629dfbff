/* The access matrix as TSV (`ecraudit matrix`, DESIGN.md "Access matrix
 * (TSV)"): one line per principal, repository (or the registry "*") and
 * action it is granted, allow or conditional. A renderer of the matrix, not
 * of the report: it reads the matrix through matrix.h alone. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecraudit/matrix.h"
#include "util/util.h"

/* Lines are assembled with memcpy into a large buffer: the matrix of a large
 * account is millions of lines, and per-character appends dominated. */
#define TSV_CHUNK (256u << 10) /* stays in cache */

typedef struct tsv_out {
  char *buf;
  size_t len;
  FILE *fp;
  bool ok;
} tsv_out;

static inline void tsv_flush(tsv_out *o) {
  if (o->ok && o->len && fwrite(o->buf, 1, o->len, o->fp) != o->len) o->ok = false;
  o->len = 0;
}

static inline void tsv_put(tsv_out *o, const char *s, size_t n) {
  if (o->len + n > TSV_CHUNK) tsv_flush(o);
  if (n > TSV_CHUNK) { /* a pathological name: write it straight through */
    if (o->ok && fwrite(s, 1, n, o->fp) != n) o->ok = false;
    return;
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
}

ecr_status ecr_matrix_write_tsv(const ecr_matrix *m, FILE *fp, ecr_error *err) {
  tsv_out o = {ecr_xmalloc(TSV_CHUNK), 0, fp, true};
  static const char header[] = "principal\trepository\taction\tdecision\n";
  tsv_put(&o, header, sizeof(header) - 1);
  size_t na = ecr_catalog_count();
  /* "\t<action>\tallow\n" and "\t<action>\tconditional\n" per action */
  char **tail_y = ecr_xcalloc(na, sizeof(char *)), **tail_c = ecr_xcalloc(na, sizeof(char *));
  size_t *len_y = ecr_xcalloc(na, sizeof(size_t)), *len_c = ecr_xcalloc(na, sizeof(size_t));
  for (size_t a = 0; a < na; a++) {
    tail_y[a] = ecr_xasprintf("\t%s\tallow\n", ecr_catalog_action(a)->name);
    tail_c[a] = ecr_xasprintf("\t%s\tconditional\n", ecr_catalog_action(a)->name);
    len_y[a] = strlen(tail_y[a]);
    len_c[a] = strlen(tail_c[a]);
  }
  ecr_matrix_layout tg = ecr_matrix_layout_of(m);
  const char **res = ecr_xcalloc(tg.n_targets, sizeof(char *));
  size_t *res_len = ecr_xcalloc(tg.n_targets, sizeof(size_t));
  for (size_t t = 0; t < tg.n_targets; t++) {
    res[t] = ecr_matrix_target_resource(m, t);
    res_len[t] = strlen(res[t]);
  }
  char *head = NULL; /* "principal\trepository", once per cell */
  size_t head_cap = 0;
  size_t np = ecr_matrix_principal_count(m);
  for (size_t p = 0; p < np && o.ok; p++) {
    const ecr_matrix_row *row = ecr_matrix_row_of(m, p);
    const char *pname = ecr_matrix_principal_at(m, p)->name;
    size_t plen = strlen(pname);
    /* the registry target sorts first ("*" < "arn:...") */
    for (size_t pass = 0; pass < 2; pass++) {
      for (size_t k = 0; k < row->n; k++) {
        size_t t = row->target[k];
        bool is_reg = t == tg.registry;
        if ((pass == 0) != is_reg) continue;
        if (!is_reg && t >= tg.n_repos) continue; /* a probe */
        ecr_actset bits = row->m[k];
        if (!bits) continue;
        size_t hl = plen + 1 + res_len[t];
        if (hl > head_cap) {
          head_cap = hl * 2;
          head = ecr_xrealloc(head, head_cap);
        }
        memcpy(head, pname, plen);
        head[plen] = '\t';
        memcpy(head + plen + 1, res[t], res_len[t]);
        while (bits) {
          size_t a = (size_t)__builtin_ctzll(bits);
          bits &= bits - 1;
          tsv_put(&o, head, hl);
          if (row->y[k] & ((ecr_actset)1 << a))
            tsv_put(&o, tail_y[a], len_y[a]);
          else
            tsv_put(&o, tail_c[a], len_c[a]);
        }
      }
    }
  }
  tsv_flush(&o);
  if (o.ok && fflush(fp) != 0) o.ok = false;
  for (size_t a = 0; a < na; a++) {
    free(tail_y[a]);
    free(tail_c[a]);
  }
  free(tail_y);
  free(tail_c);
  free(len_y);
  free(len_c);
  free(res);
  free(res_len);
  free(head);
  free(o.buf);
  if (!o.ok) return ecr_error_set(err, ECR_E_OUTPUT, "<stdout>", "cannot write the matrix");
  return ECR_OK;
}
