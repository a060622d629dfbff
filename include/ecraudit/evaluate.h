/* ecraudit — evaluation: the access matrix (matrix.h) and the findings
 * and report model built from it (findings.h). An umbrella for the two.
 */
#ifndef ECRAUDIT_EVALUATE_H
#define ECRAUDIT_EVALUATE_H

#include "ecraudit/findings.h"
#include "ecraudit/ledger.h"
#include "ecraudit/matrix.h"
#include "ecraudit/policy.h"
#include "ecraudit/report.h"

#endif
