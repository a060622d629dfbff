#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

char *ecr_test_tmpdir(const char *tag) {
  static unsigned counter;
  char *dir =
      ecr_xasprintf("%s/test-tmp/%s-%ld-%u", ECR_BINARY_DIR, tag, (long)getpid(), counter++);
  ecr_test_rmrf(dir);
  if (ecr_mkdirs(dir, NULL) != ECR_OK) {
    fprintf(stderr, "cannot create %s\n", dir);
    abort();
  }
  return dir;
}

void ecr_test_write(const char *dir, const char *rel, const char *text) {
  char *path = ecr_path_join(dir, rel);
  char *slash = strrchr(path, '/');
  if (slash) {
    *slash = '\0';
    if (ecr_mkdirs(path, NULL) != ECR_OK) abort();
    *slash = '/';
  }
  FILE *fp = fopen(path, "wb");
  if (!fp) {
    fprintf(stderr, "cannot write %s\n", path);
    abort();
  }
  fputs(text, fp);
  fclose(fp);
  free(path);
}

void ecr_test_rmrf(const char *path) {
  char *cmd = ecr_xasprintf("rm -rf '%s'", path);
  if (system(cmd) != 0) fprintf(stderr, "rm -rf %s failed\n", path);
  free(cmd);
}

char *ecr_test_slurp(const char *path) {
  char *data = NULL;
  size_t len = 0;
  if (ecr_file_read(path, &data, &len, NULL) != ECR_OK) {
    fprintf(stderr, "cannot read %s\n", path);
    abort();
  }
  return data;
}
