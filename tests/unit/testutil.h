/* Helpers shared by the cmocka unit tests. */
#ifndef ECR_TESTUTIL_H
#define ECR_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* A fresh empty directory under the build tree (removed by the caller with
 * ecr_test_rmrf). Caller frees the string. */
char *ecr_test_tmpdir(const char *tag);
/* Write text to dir/rel, creating parent directories. */
void ecr_test_write(const char *dir, const char *rel, const char *text);
/* rm -rf path */
void ecr_test_rmrf(const char *path);
/* Read a file (abort on failure). Caller frees. */
char *ecr_test_slurp(const char *path);

#endif
