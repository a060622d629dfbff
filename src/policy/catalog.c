/* The ECR action catalog: data/ecr-actions.json, embedded at build time and
 * parsed once. Only "ecr:" actions enter the matrix. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ecraudit/policy.h"
#include "util/util.h"

static ecr_action_info actions[ECR_MAX_ACTIONS];
static size_t n_actions;
static char *version;
static ecr_actset registry_set, level_sets[ECR_LEVEL_COUNT], push_set;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The catalog is embedded at build time and test_policy loads it: a broken
 * one is a build error, never an input error. */
static _Noreturn void die(const char *what) {
  ecr_fatal("embedded action catalog is broken: %s", what);
}

static int cmp_action(const void *a, const void *b) {
  return strcmp(((const ecr_action_info *)a)->name, ((const ecr_action_info *)b)->name);
}

static bool parse_level(const char *s, ecr_access_level *out) {
  static const char *const names[] = {"List", "Read", "Write", "Permissions management", "Tagging"};
  for (int i = 0; i < ECR_LEVEL_COUNT; i++)
    if (strcmp(s, names[i]) == 0) {
      *out = (ecr_access_level)i;
      return true;
    }
  return false;
}

static void load(void) {
  size_t len = 0;
  const char *data = ecr_embedded_get("data/ecr-actions.json", &len);
  if (!data) die("data/ecr-actions.json not embedded");
  cJSON *root = cJSON_ParseWithLength(data, len);
  if (!cJSON_IsArray(root)) die("not a JSON array");
  const cJSON *item;
  cJSON_ArrayForEach(item, root) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "action");
    const cJSON *level = cJSON_GetObjectItemCaseSensitive(item, "access_level");
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(item, "resource_types");
    const cJSON *po = cJSON_GetObjectItemCaseSensitive(item, "permission_only");
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(item, "description");
    if (!cJSON_IsString(name) || !cJSON_IsString(level) || !cJSON_IsArray(rt))
      die("entry without action/access_level/resource_types");
    if (!ecr_str_has_prefix(name->valuestring, "ecr:")) continue;
    if (n_actions == ECR_MAX_ACTIONS) die("more than 64 ecr: actions");
    ecr_action_info *a = &actions[n_actions++];
    a->name = ecr_xstrdup(name->valuestring);
    if (!parse_level(level->valuestring, &a->level)) die("unknown access level");
    a->registry_level = cJSON_GetArraySize(rt) == 1 && cJSON_IsString(cJSON_GetArrayItem(rt, 0)) &&
                        strcmp(cJSON_GetArrayItem(rt, 0)->valuestring, "*") == 0;
    a->permission_only = cJSON_IsTrue(po);
    a->description = ecr_xstrdup(cJSON_IsString(desc) ? desc->valuestring : "");
  }
  cJSON_Delete(root);
  if (n_actions == 0) die("no ecr: actions");
  qsort(actions, n_actions, sizeof(actions[0]), cmp_action);
  for (size_t i = 0; i < n_actions; i++) {
    ecr_actset bit = (ecr_actset)1 << i;
    if (actions[i].registry_level) registry_set |= bit;
    level_sets[actions[i].level] |= bit;
  }
  static const char *const push[] = {"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                                     "ecr:InitiateLayerUpload",   "ecr:UploadLayerPart",
                                     "ecr:CompleteLayerUpload",   "ecr:PutImage"};
  for (size_t k = 0; k < sizeof(push) / sizeof(push[0]); k++) {
    size_t i = 0;
    while (i < n_actions && strcmp(actions[i].name, push[k]) != 0) i++;
    if (i == n_actions) die("push action missing");
    push_set |= (ecr_actset)1 << i;
  }
  const char *v = ecr_embedded_get("data/ecr-actions.version", &len);
  version = v ? ecr_xstrndup(v, strcspn(v, "\r\n")) : ecr_xstrdup("unknown");
}

static inline void ensure(void) {
  pthread_once(&once, load);
}

size_t ecr_catalog_count(void) {
  ensure();
  return n_actions;
}

const ecr_action_info *ecr_catalog_action(size_t i) {
  ensure();
  return i < n_actions ? &actions[i] : NULL;
}

const char *ecr_catalog_version(void) {
  ensure();
  return version;
}

int ecr_catalog_find(const char *name) {
  ensure();
  for (size_t i = 0; i < n_actions; i++)
    if (ecr_strcasecmp_ascii(actions[i].name, name) == 0) return (int)i;
  return -1;
}

ecr_actset ecr_catalog_match(const char *glob) {
  ensure();
  /* every name starts "ecr:" (load keeps no other): a glob whose literal
   * start spells something else ("s3:*", "sts:AssumeRole") matches none */
  for (size_t i = 0; i < 4 && glob[i] != '*' && glob[i] != '?' && glob[i]; i++) {
    char c = glob[i] >= 'A' && glob[i] <= 'Z' ? (char)(glob[i] + 32) : glob[i];
    if (c != "ecr:"[i]) return 0;
  }
  ecr_actset set = 0;
  for (size_t i = 0; i < n_actions; i++)
    if (ecr_glob_match(glob, actions[i].name, true)) set |= (ecr_actset)1 << i;
  return set;
}

ecr_actset ecr_catalog_all(void) {
  ensure();
  return n_actions == 64 ? ~(ecr_actset)0 : (((ecr_actset)1 << n_actions) - 1);
}

ecr_actset ecr_catalog_registry_level(void) {
  ensure();
  return registry_set;
}

ecr_actset ecr_catalog_level(ecr_access_level level) {
  ensure();
  return (unsigned)level < ECR_LEVEL_COUNT ? level_sets[level] : 0;
}

ecr_actset ecr_catalog_push_set(void) {
  ensure();
  return push_set;
}
