/* Organisation evidence layout (DESIGN.md "Organisation evidence (layout)"):
 * <dir>/organization/ and <dir>/accounts/<account id>/, one bundle each. */
#include "ecraudit/org.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

bool ecr_org_is_layout(const char *dir) {
  char *accounts = ecr_path_join(dir, "accounts");
  char *iam = ecr_path_join(dir, "iam/account-authorization-details.json");
  bool yes = ecr_dir_exists(accounts) && !ecr_file_exists(iam);
  free(accounts);
  free(iam);
  return yes;
}

static bool account_id(const char *s) {
  size_t n = 0;
  for (; s[n]; n++)
    if (s[n] < '0' || s[n] > '9') return false;
  return n == 12;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void ecr_org_ids_free(char **ids, size_t n) {
  for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
}

ecr_status ecr_org_list_accounts(const char *dir, char ***ids, size_t *n, ecr_error *err) {
  *ids = NULL;
  *n = 0;
  char *accounts = ecr_path_join(dir, "accounts");
  DIR *d = opendir(accounts);
  if (!d) {
    ecr_status st = ecr_error_set(err, ECR_E_INPUT, accounts, "cannot list the account bundles");
    free(accounts);
    return st;
  }
  char **out = NULL;
  size_t cap = 0, count = 0;
  ecr_status st = ECR_OK;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char *sub = ecr_path_join(accounts, e->d_name);
    bool is_dir = ecr_dir_exists(sub);
    free(sub);
    if (!is_dir || !account_id(e->d_name)) {
      st = ecr_error_set(err, ECR_E_INPUT, accounts,
                         "\"%s\" is not an account bundle (accounts/ holds one directory per "
                         "account, named by its 12-digit id)",
                         e->d_name);
      break;
    }
    char *id = ecr_xstrdup(e->d_name);
    ECR_PUSH(out, count, cap, id);
  }
  closedir(d);
  if (st == ECR_OK && count == 0)
    st = ecr_error_set(err, ECR_E_INPUT, accounts, "holds no account bundle");
  if (st != ECR_OK) {
    ecr_org_ids_free(out, count);
    free(accounts);
    return st;
  }
  if (count) qsort(out, count, sizeof(char *), cmp_str);
  free(accounts);
  *ids = out;
  *n = count;
  return ECR_OK;
}
