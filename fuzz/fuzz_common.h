/* ecraudit fuzzing: helpers shared by the libFuzzer harnesses (not part of
 * the library). Every harness keeps one private scratch directory (tmpfs when
 * available) for the bundle it builds from the input, removed at exit. */
#ifndef ECRAUDIT_FUZZ_COMMON_H
#define ECRAUDIT_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecraudit/error.h"

struct ecr_evidence;
struct ecr_ledger;

/* The scratch directory (created on first use, removed at exit). */
const char *fz_dir(void);
/* Make fz_dir() empty again. */
void fz_clear(void);
/* Write data to fz_dir()/rel, creating parent directories; aborts on failure
 * (a harness that cannot write its input is broken, not the target). */
void fz_write(const char *rel, const void *data, size_t len);
/* NUL-terminated copy of a fuzz input; free() it. */
char *fz_strndup(const uint8_t *data, size_t size);
/* Read a whole file of the source tree (ECR_SOURCE_DIR/rel); aborts when
 * missing. *len set; free() the result. */
char *fz_read_source(const char *rel, size_t *len);

/* Evaluate a loaded bundle: matrix (TSV to a memory stream), explanations of
 * every granted cell, report model with the ledger (may be NULL). When
 * render is true every renderer runs into a memory sink and its output is
 * checked (findings.json parses, JUnit XML is well-formed, the HTML holds no
 * element or event attribute the template does not have, the PDF starts with
 * %PDF- and ends with %%EOF); a failed check aborts. */
void fz_evaluate(const struct ecr_evidence *ev, struct ecr_ledger *ledger, bool render);
/* Load fz_dir() as a bundle and fz_evaluate it when it loads; a load error
 * must name a file and must not be ECR_E_INTERNAL / ECR_E_OUTPUT. */
void fz_load_and_evaluate(struct ecr_ledger *ledger, bool render);
/* Check an error the way the CLI prints it: one line, non-empty. */
void fz_check_error(const ecr_error *err, bool must_name_file);

#endif
