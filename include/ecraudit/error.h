/* ecraudit — errors as values.
 *
 * Library code never prints and never exits: a fallible call returns an
 * ecr_status and fills an ecr_error. Only the CLI turns it into a message
 * and an exit status (see ecr_error_exit_code).
 */
#ifndef ECRAUDIT_ERROR_H
#define ECRAUDIT_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ecr_status {
  ECR_OK = 0,
  ECR_E_USAGE,   /* bad command line                         -> exit 2 */
  ECR_E_INPUT,   /* bad or missing input file                -> exit 2 */
  ECR_E_COLLECT, /* live collection failed                   -> exit 3 */
  ECR_E_OUTPUT,  /* an output could not be written           -> exit 4 */
  ECR_E_INTERNAL /* a bug or resource exhaustion             -> exit 2 */
} ecr_status;

typedef struct ecr_error {
  ecr_status code;
  char file[512]; /* file the problem is in, "" when none */
  long line;      /* 1-based, 0 when unknown */
  long column;    /* 1-based, 0 when unknown */
  char message[768];
} ecr_error;

/* Reset to ECR_OK with empty fields. */
void ecr_error_clear(ecr_error *err);

/* Fill err (if not NULL) and return code. file may be NULL. */
ecr_status ecr_error_set(ecr_error *err, ecr_status code, const char *file, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Same with a position inside file. */
ecr_status ecr_error_set_at(ecr_error *err, ecr_status code, const char *file, long line,
                            long column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* One line, no newline: "FILE: line L, column C: MESSAGE" (parts omitted
 * when unknown). Control characters are replaced by '?'. */
void ecr_error_format(const ecr_error *err, char *buf, size_t size);

/* Unrecoverable conditions that are not errors of the input: allocation
 * failure, the crypto library failing, a broken embedded data file (which
 * the tests rule out). The library then calls fn(ctx, message) (one line,
 * no newline, no "ecraudit: " prefix) and aborts; without a handler it
 * aborts without a word. Like jq's jq_set_error_cb: the library never
 * prints, the CLI installs a handler that writes to stderr. Process-wide;
 * set it before any other call. */
typedef void (*ecr_fatal_fn)(void *ctx, const char *message);
void ecr_set_fatal_cb(ecr_fatal_fn fn, void *ctx);

/* Process exit status for an error code (DESIGN.md: 2 input, 3 collect, 4 output). */
int ecr_error_exit_code(ecr_status code);

#ifdef __cplusplus
}
#endif
#endif
