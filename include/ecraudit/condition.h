/* ecraudit — IAM Condition blocks as data.
 *
 * A statement's Condition block is compiled once (policy.c): every entry is
 * one operator (with its ...IfExists and ForAnyValue:/ForAllValues: modifiers)
 * applied to one key and its values (policy variables kept as references).
 * It is then evaluated, possibly many times and in parts, against the
 * attributes the evidence fixes: principal-side keys once per principal (or
 * profile), repository-side keys once per repository, request-context keys
 * never (always undecided). The keys of a block are ANDed, the values of a
 * key ORed (AWS "Condition element", "Creating a condition with multiple
 * keys or values").
 */
#ifndef ECRAUDIT_CONDITION_H
#define ECRAUDIT_CONDITION_H

#include <stdbool.h>
#include <stddef.h>

#include "ecraudit/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct cJSON;

/* Which side of a request fixes a key (DESIGN.md "Evaluation semantics"). */
typedef enum ecr_key_class {
  ECR_KEY_PRINCIPAL = 1, /* aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
                            aws:PrincipalIsAWSService, aws:PrincipalServiceName,
                            aws:userid, aws:username, aws:PrincipalTag/<k>,
                            aws:PrincipalOrgID, aws:PrincipalOrgPaths */
  ECR_KEY_RESOURCE = 2,  /* aws:ResourceAccount, aws:ResourceOrgID, aws:ResourceTag/<k>,
                            ecr:ResourceTag/<k>, aws:RequestedRegion */
  ECR_KEY_REQUEST = 4    /* everything else: request context, never decided */
} ecr_key_class;

/* The class of a condition key (key names are case-insensitive). */
ecr_key_class ecr_condition_key_class(const char *key);

/* What the evidence says of one key for one principal / repository. */
typedef enum ecr_attr_state {
  ECR_ATTR_UNDECIDED = 0, /* the evidence does not fix it (e.g. "*" row's ARN) */
  ECR_ATTR_ABSENT,        /* decided: the key is not in the request context */
  ECR_ATTR_PRESENT        /* decided: present with these values */
} ecr_attr_state;

typedef struct ecr_attr {
  ecr_attr_state state;
  const char *const *values; /* PRESENT: n values (single-valued keys: n == 1) */
  size_t n;
} ecr_attr;

/* Attribute lookup supplied by the evaluator. key is spelled as in the
 * policy; the lookup compares key names case-insensitively. Also used for
 * policy variables in values (${aws:username}, ${aws:PrincipalTag/team}). */
typedef ecr_attr (*ecr_attr_lookup)(void *ctx, const char *key);

typedef struct ecr_condition ecr_condition; /* opaque, immutable once compiled */

/* Compile a Condition object. variables: policy variables are substituted
 * in values (Version 2012-10-17); otherwise "${...}" is literal text.
 * Malformed blocks (not an object of objects, values not strings/numbers/
 * booleans or arrays of them) are ECR_E_INPUT naming file and statement. */
ecr_status ecr_condition_compile(const struct cJSON *block, bool variables, const char *file,
                                 size_t stmt_index, ecr_condition **out, ecr_error *err);
void ecr_condition_free(ecr_condition *c);

/* OR of the ecr_key_class of every entry's key and of the variables in
 * its values. */
unsigned ecr_condition_classes(const ecr_condition *c);
/* true when some entry uses an operator AWS does not document: such an
 * entry never matches, so the block never applies. */
bool ecr_condition_never(const ecr_condition *c);

typedef enum ecr_cond_result {
  ECR_COND_FALSE = 0,
  ECR_COND_MAYBE, /* decided entries true, some entry undecided */
  ECR_COND_TRUE
} ecr_cond_result;

/* Undecided keys of an evaluation, as written in the policy, each once. */
typedef struct ecr_keylist {
  char **keys;
  size_t n, cap;
} ecr_keylist;
/* Adds a copy of key unless the list has it already (compared
 * case-insensitively: key names are). A zeroed ecr_keylist is empty. */
void ecr_keylist_add(ecr_keylist *l, const char *key);
void ecr_keylist_free(ecr_keylist *l);

/* Evaluate the entries whose classes (key and value variables) all lie in
 * `classes`; the other entries count as true (the caller ANDs the parts it
 * evaluates separately). ECR_KEY_REQUEST entries are undecided whenever
 * evaluated, except where AWS's semantics decide them without the value
 * (ForAllValues:Null is always true, ForAnyValue:Null always false). A block
 * with an undocumented operator is FALSE. undecided may be NULL; otherwise,
 * when the result is ECR_COND_MAYBE, the keys of the undecided entries are
 * added to it (nothing is added for TRUE or FALSE). No allocation except
 * for those keys and for values that expand past a stack buffer. */
ecr_cond_result ecr_condition_eval(const ecr_condition *c, unsigned classes, ecr_attr_lookup lookup,
                                   void *ctx, ecr_keylist *undecided);

/* Entries of the block (one per operator and key; 0 for "Condition": {}). */
size_t ecr_condition_n_entries(const ecr_condition *c);
/* Keys of the block in order of appearance, each once (compared
 * case-insensitively, first spelling kept), for reports. */
size_t ecr_condition_n_keys(const ecr_condition *c);
const char *ecr_condition_key(const ecr_condition *c, size_t i);
/* Values an entry with this key (case-insensitive) and a String/Arn
 * equality-like operator (StringEquals, StringEqualsIgnoreCase, StringLike,
 * ArnEquals, ArnLike, with or without IfExists / set prefix; not the negated
 * ones) compares with, as written (for remediation: "already has
 * aws:PrincipalOrgID = o-..."), the first such entry; NULL (and *n 0) when
 * the block has no such entry. Owned by c. */
const char *const *ecr_condition_values(const ecr_condition *c, const char *key, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
