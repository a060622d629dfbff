/* Condition blocks as data (include/ecraudit/condition.h). */
#include <stdlib.h>

#include "ecraudit/condition.h"

struct ecr_condition {
  int unused;
};

void ecr_condition_free(ecr_condition *c) { free(c); }
