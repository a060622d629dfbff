/* Condition blocks as data (include/ecraudit/condition.h).
 *
 * Compile: every "Operator": {"key": values} pair becomes one entry (the
 * operator's family and negation, its ForAnyValue:/ForAllValues: prefix and
 * IfExists suffix, the key and its class, the values parsed once: numbers,
 * dates, CIDRs and base64 up front, strings as token arrays with policy
 * variables as references). Evaluate: one pass over the entries, no
 * allocation unless a value with variables expands past a stack buffer, a
 * key has more than 64 values, or undecided keys are reported.
 *
 * The AWS rules implemented here, and the pages they come from, are listed
 * in tests/unit/README-condition.md.
 */
#include "ecraudit/condition.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/util.h"

/* ---- the operator table (the only one: policy.c asks this file) -------- */
typedef enum family {
  F_STR,    /* StringEquals: case-sensitive equality */
  F_STR_IC, /* StringEqualsIgnoreCase */
  F_LIKE,   /* StringLike: '*' and '?' wildcards, case-sensitive */
  F_NUM,
  F_DATE,
  F_BOOL,
  F_BINARY,
  F_IP,
  F_ARN, /* ArnEquals and ArnLike behave identically (AWS) */
  F_NULL
} family;

typedef enum rel { REL_EQ, REL_LT, REL_LE, REL_GT, REL_GE } rel;

typedef struct op_info {
  const char *name;
  family fam;
  rel rel;
  bool negated;
  bool vars; /* policy variables are substituted in values */
} op_info;

/* "IAM JSON policy elements: Condition operators". Policy variables: the
 * string and ARN operators, and Bool (that page's Boolean section). */
static const op_info ops[] = {
    {"StringEquals", F_STR, REL_EQ, false, true},
    {"StringNotEquals", F_STR, REL_EQ, true, true},
    {"StringEqualsIgnoreCase", F_STR_IC, REL_EQ, false, true},
    {"StringNotEqualsIgnoreCase", F_STR_IC, REL_EQ, true, true},
    {"StringLike", F_LIKE, REL_EQ, false, true},
    {"StringNotLike", F_LIKE, REL_EQ, true, true},
    {"NumericEquals", F_NUM, REL_EQ, false, false},
    {"NumericNotEquals", F_NUM, REL_EQ, true, false},
    {"NumericLessThan", F_NUM, REL_LT, false, false},
    {"NumericLessThanEquals", F_NUM, REL_LE, false, false},
    {"NumericGreaterThan", F_NUM, REL_GT, false, false},
    {"NumericGreaterThanEquals", F_NUM, REL_GE, false, false},
    {"DateEquals", F_DATE, REL_EQ, false, false},
    {"DateNotEquals", F_DATE, REL_EQ, true, false},
    {"DateLessThan", F_DATE, REL_LT, false, false},
    {"DateLessThanEquals", F_DATE, REL_LE, false, false},
    {"DateGreaterThan", F_DATE, REL_GT, false, false},
    {"DateGreaterThanEquals", F_DATE, REL_GE, false, false},
    {"Bool", F_BOOL, REL_EQ, false, true},
    {"BinaryEquals", F_BINARY, REL_EQ, false, false},
    {"IpAddress", F_IP, REL_EQ, false, false},
    {"NotIpAddress", F_IP, REL_EQ, true, false},
    {"ArnEquals", F_ARN, REL_EQ, false, true},
    {"ArnLike", F_ARN, REL_EQ, false, true},
    {"ArnNotEquals", F_ARN, REL_EQ, true, true},
    {"ArnNotLike", F_ARN, REL_EQ, true, true},
    {"Null", F_NULL, REL_EQ, false, false},
};

typedef enum set_op { SET_NONE = 0, SET_ANY, SET_ALL } set_op;

/* Operator names are case-sensitive. Returns NULL for an operator AWS does
 * not document (Null takes no IfExists). */
static const op_info *parse_operator(const char *name, set_op *set, bool *if_exists) {
  *set = SET_NONE;
  *if_exists = false;
  if (ecr_str_has_prefix(name, "ForAnyValue:")) {
    *set = SET_ANY;
    name += strlen("ForAnyValue:");
  } else if (ecr_str_has_prefix(name, "ForAllValues:")) {
    *set = SET_ALL;
    name += strlen("ForAllValues:");
  }
  size_t n = strlen(name);
  const size_t sl = strlen("IfExists");
  if (n > sl && strcmp(name + n - sl, "IfExists") == 0) {
    n -= sl;
    *if_exists = true;
  }
  for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
    if (strlen(ops[i].name) != n || strncmp(ops[i].name, name, n) != 0) continue;
    if (ops[i].fam == F_NULL && *if_exists) return NULL;
    return &ops[i];
  }
  return NULL;
}

/* ---- key classes -------------------------------------------------------- */
static const char *const principal_keys[] = {"aws:PrincipalArn",
                                             "aws:PrincipalAccount",
                                             "aws:PrincipalType",
                                             "aws:PrincipalIsAWSService",
                                             "aws:PrincipalServiceName",
                                             "aws:userid",
                                             "aws:username",
                                             "aws:PrincipalOrgID",
                                             "aws:PrincipalOrgPaths"};
static const char *const resource_keys[] = {"aws:ResourceAccount", "aws:ResourceOrgID",
                                            "aws:RequestedRegion"};
/* Keys AWS documents as multivalued ("AWS global condition context keys",
 * Value type: Multivalued). */
static const char *const multivalued_keys[] = {"aws:CalledVia", "aws:PrincipalOrgPaths",
                                               "aws:PrincipalServiceNamesList",
                                               "aws:ResourceOrgPaths", "aws:TagKeys"};

static bool has_prefix_ci(const char *s, const char *prefix) {
  size_t n = strlen(prefix);
  return strncasecmp(s, prefix, n) == 0 && s[n] != '\0';
}

static bool in_list_ci(const char *key, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (ecr_strcasecmp_ascii(key, list[i]) == 0) return true;
  return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

ecr_key_class ecr_condition_key_class(const char *key) {
  if (!key) return ECR_KEY_REQUEST;
  if (in_list_ci(key, principal_keys, COUNT(principal_keys)) ||
      has_prefix_ci(key, "aws:PrincipalTag/"))
    return ECR_KEY_PRINCIPAL;
  if (in_list_ci(key, resource_keys, COUNT(resource_keys)) ||
      has_prefix_ci(key, "aws:ResourceTag/") || has_prefix_ci(key, "ecr:ResourceTag/"))
    return ECR_KEY_RESOURCE;
  return ECR_KEY_REQUEST;
}

/* ---- compiled form ------------------------------------------------------ */
/* String values are token arrays: 0..255 a byte, TOK_STAR / TOK_ONE the
 * wildcards of StringLike and the ARN operators, TOK_VAR + i variable i. */
enum { TOK_STAR = 256, TOK_ONE = 257, TOK_VAR = 258 };

typedef struct cvar {
  char *key;
  char *def; /* ${key, 'default'}: NULL when none */
  ecr_key_class cls;
} cvar;

typedef struct cvalue {
  char *raw; /* as written (numbers and booleans in their string form) */
  int *tok;
  size_t ntok;
  cvar *vars;
  size_t nvars;
  bool ok;                /* the value parses for its operator (else it matches nothing) */
  double num;             /* F_NUM, F_DATE (seconds since the epoch) */
  int boolean;            /* F_NULL: 1 true, 0 false */
  unsigned char addr[16]; /* F_IP */
  int af;
  int prefix;
  unsigned char *bin; /* F_BINARY */
  size_t nbin;
} cvalue;

typedef struct centry {
  const op_info *op; /* NULL: an operator AWS does not document */
  set_op set;
  bool if_exists;
  bool multivalued; /* a key AWS documents as multivalued */
  char *key;
  ecr_key_class kclass;
  unsigned classes; /* key class | classes of variables in values */
  cvalue *vals;
  size_t nvals;
  const char **raw; /* vals[i].raw, for ecr_condition_values */
} centry;

struct ecr_condition {
  centry *e;
  size_t n;
  bool never;
  unsigned classes;
  const char **keys; /* distinct keys (case-insensitive), first spelling */
  size_t nkeys;
};

/* ---- value parsers (no allocation) -------------------------------------- */
static bool parse_number(const char *s, size_t n, double *out) {
  char buf[64];
  if (n == 0 || n >= sizeof(buf)) return false;
  size_t i = 0, digits = 0;
  if (s[i] == '+' || s[i] == '-') i++;
  while (i < n && isdigit((unsigned char)s[i])) i++, digits++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && isdigit((unsigned char)s[i])) i++, digits++;
  }
  if (i != n || digits == 0) return false;
  memcpy(buf, s, n);
  buf[n] = '\0';
  *out = strtod(buf, NULL);
  return true;
}

static long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long)doe - 719468;
}

static int digits_at(const char *s, size_t n, size_t at, size_t count) {
  if (at + count > n) return -1;
  int v = 0;
  for (size_t i = 0; i < count; i++) {
    if (!isdigit((unsigned char)s[at + i])) return -1;
    v = v * 10 + (s[at + i] - '0');
  }
  return v;
}

/* W3C ISO 8601 profile (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.s]]TZD,
 * TZD Z or +hh:mm / -hh:mm; a missing TZD is read as UTC) or epoch seconds. */
static bool parse_date(const char *s, size_t n, double *out) {
  bool all_digits = n > 0;
  for (size_t i = (n && s[0] == '-') ? 1 : 0; i < n; i++)
    if (!isdigit((unsigned char)s[i])) all_digits = false;
  if (all_digits && n != 4) return parse_number(s, n, out);
  int y = digits_at(s, n, 0, 4), mo = 1, d = 1, h = 0, mi = 0, sec = 0;
  double frac = 0, tz = 0;
  if (y < 0) return false;
  size_t i = 4;
  if (i < n) {
    if (s[i] != '-' || (mo = digits_at(s, n, i + 1, 2)) < 1 || mo > 12) return false;
    i += 3;
  }
  if (i < n) {
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s[i] != '-' || (d = digits_at(s, n, i + 1, 2)) < 1 || d > mdays[mo - 1]) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap) return false;
    i += 3;
  }
  if (i < n) {
    if (s[i] != 'T' || (h = digits_at(s, n, i + 1, 2)) < 0 || h > 23 || s[i + 3] != ':' ||
        (mi = digits_at(s, n, i + 4, 2)) < 0 || mi > 59)
      return false;
    i += 6;
    if (i < n && s[i] == ':') {
      if ((sec = digits_at(s, n, i + 1, 2)) < 0 || sec > 60) return false;
      i += 3;
      if (i < n && s[i] == '.') {
        size_t j = i + 1;
        double scale = 0.1;
        while (j < n && isdigit((unsigned char)s[j])) frac += (s[j++] - '0') * scale, scale /= 10;
        if (j == i + 1) return false;
        i = j;
      }
    }
    if (i < n && s[i] == 'Z') {
      i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
      int th = digits_at(s, n, i + 1, 2), tm = digits_at(s, n, i + 4, 2);
      if (th < 0 || th > 23 || tm < 0 || tm > 59 || s[i + 3] != ':') return false;
      tz = (s[i] == '+' ? 1 : -1) * (th * 3600.0 + tm * 60.0);
      i += 6;
    }
    if (i != n) return false;
  }
  *out = (double)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400.0 + h * 3600.0 + mi * 60.0 +
         sec + frac - tz;
  return true;
}

static int parse_bool(const char *s, size_t n) {
  if (n == 4 && strncasecmp(s, "true", 4) == 0) return 1;
  if (n == 5 && strncasecmp(s, "false", 5) == 0) return 0;
  return -1;
}

/* An address or CIDR ("203.0.113.0/24", "2001:DB8::/64"); no prefix is the
 * whole address (/32, /128). */
static bool parse_ip(const char *s, unsigned char addr[16], int *af, int *prefix) {
  char buf[64];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof(buf)) return false;
  memcpy(buf, s, n + 1);
  char *slash = strchr(buf, '/');
  int bits = -1;
  if (slash) {
    *slash = '\0';
    const char *p = slash + 1;
    if (!*p || strlen(p) > 3) return false;
    bits = 0;
    for (; *p; p++) {
      if (!isdigit((unsigned char)*p)) return false;
      bits = bits * 10 + (*p - '0');
    }
  }
  memset(addr, 0, 16);
  if (inet_pton(AF_INET, buf, addr) == 1) {
    *af = 4;
    if (bits > 32) return false;
    *prefix = bits < 0 ? 32 : bits;
    return true;
  }
  if (inet_pton(AF_INET6, buf, addr) == 1) {
    *af = 6;
    if (bits > 128) return false;
    *prefix = bits < 0 ? 128 : bits;
    return true;
  }
  return false;
}

static int b64_index(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Standard base64 with padding; NULL when malformed. */
static unsigned char *b64_decode(const char *s, size_t *out_n) {
  size_t n = strlen(s);
  if (n % 4 != 0) return NULL;
  unsigned char *out = ecr_xmalloc(n / 4 * 3 + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i += 4) {
    int v[4];
    for (int k = 0; k < 4; k++) {
      unsigned char c = (unsigned char)s[i + k];
      v[k] = (c == '=' && i + 4 == n && k >= 2) ? -2 : b64_index(c);
      if (v[k] == -1 || (k == 3 && v[2] == -2 && v[3] != -2)) {
        free(out);
        return NULL;
      }
    }
    out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
    if (v[2] >= 0) out[o++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
    if (v[3] >= 0) out[o++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
  }
  *out_n = o;
  return out;
}

/* ---- compiling values --------------------------------------------------- */
static char *trim_dup(const char *s, size_t n) {
  while (n && (*s == ' ' || *s == '\t')) s++, n--;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
  return ecr_xstrndup(s, n);
}

/* "${...}" at p (p[0..1] == "${"): a variable (key and default) or one of the
 * escapes ${*} ${?} ${$} (*esc). false when it is not a variable at all
 * (no closing brace, empty key, a default not in single quotes): the text
 * stays literal. *end is the byte after '}'. */
static bool parse_variable(const char *p, const char **end, int *esc, char **key, char **def) {
  const char *close = strchr(p + 2, '}');
  *esc = -1;
  *key = *def = NULL;
  if (!close) return false;
  char *inner = trim_dup(p + 2, (size_t)(close - p - 2));
  *end = close + 1;
  if (strcmp(inner, "*") == 0 || strcmp(inner, "?") == 0 || strcmp(inner, "$") == 0) {
    *esc = inner[0];
    free(inner);
    return true;
  }
  char *comma = strchr(inner, ',');
  if (comma) {
    char *d = trim_dup(comma + 1, strlen(comma + 1));
    size_t dl = strlen(d);
    if (dl < 2 || d[0] != '\'' || d[dl - 1] != '\'') {
      free(d);
      free(inner);
      return false;
    }
    *def = ecr_xstrndup(d + 1, dl - 2);
    free(d);
    *comma = '\0';
    char *k = trim_dup(inner, strlen(inner));
    free(inner);
    inner = k;
  }
  if (!*inner || strchr(inner, '$') || strchr(inner, '{')) {
    free(inner);
    free(*def);
    *def = NULL;
    return false;
  }
  *key = inner;
  return true;
}

static void tokenize(cvalue *v, bool wildcards, bool variables, unsigned *classes) {
  size_t cap = strlen(v->raw) + 1, nvcap = 0;
  v->tok = ecr_xmalloc(cap * sizeof(int));
  for (const char *p = v->raw; *p;) {
    if (variables && p[0] == '$' && p[1] == '{') {
      const char *end = NULL;
      int esc;
      char *key, *def;
      if (parse_variable(p, &end, &esc, &key, &def)) {
        if (esc >= 0) {
          v->tok[v->ntok++] = esc; /* always a literal character */
        } else {
          cvar cv = {key, def, ecr_condition_key_class(key)};
          *classes |= (unsigned)cv.cls;
          v->tok[v->ntok++] = TOK_VAR + (int)v->nvars;
          ECR_PUSH(v->vars, v->nvars, nvcap, cv);
        }
        p = end;
        continue;
      }
    }
    int t = (unsigned char)*p;
    if (wildcards && *p == '*')
      t = TOK_STAR;
    else if (wildcards && *p == '?')
      t = TOK_ONE;
    v->tok[v->ntok++] = t;
    p++;
  }
}

static void compile_value(const op_info *op, bool variables, cvalue *v, unsigned *classes) {
  const char *s = v->raw;
  size_t n = strlen(s);
  switch (op->fam) {
  case F_NUM: v->ok = parse_number(s, n, &v->num); break;
  case F_DATE: v->ok = parse_date(s, n, &v->num); break;
  case F_NULL:
    v->boolean = parse_bool(s, n);
    v->ok = v->boolean >= 0;
    break;
  case F_IP: v->ok = parse_ip(s, v->addr, &v->af, &v->prefix); break;
  case F_BINARY:
    v->bin = b64_decode(s, &v->nbin);
    v->ok = v->bin != NULL;
    break;
  case F_STR:
  case F_STR_IC:
  case F_BOOL:
  case F_LIKE:
  case F_ARN:
    v->ok = true;
    tokenize(v, op->fam == F_LIKE || op->fam == F_ARN, variables && op->vars, classes);
    break;
  }
}

static void free_value(cvalue *v) {
  free(v->raw);
  free(v->tok);
  for (size_t i = 0; i < v->nvars; i++) {
    free(v->vars[i].key);
    free(v->vars[i].def);
  }
  free(v->vars);
  free(v->bin);
}

static char *json_scalar_string(const cJSON *j) {
  if (cJSON_IsString(j)) return ecr_xstrdup(j->valuestring);
  if (cJSON_IsTrue(j)) return ecr_xstrdup("true");
  if (cJSON_IsFalse(j)) return ecr_xstrdup("false");
  if (cJSON_IsNumber(j)) {
    double d = j->valuedouble;
    if (d == floor(d) && fabs(d) < 1e15) return ecr_xasprintf("%.0f", d);
    return ecr_xasprintf("%.17g", d);
  }
  return NULL;
}

static bool is_scalar(const cJSON *j) {
  return cJSON_IsString(j) || cJSON_IsNumber(j) || cJSON_IsBool(j);
}

void ecr_condition_free(ecr_condition *c) {
  if (!c) return;
  for (size_t i = 0; i < c->n; i++) {
    centry *e = &c->e[i];
    for (size_t k = 0; k < e->nvals; k++) free_value(&e->vals[k]);
    free(e->vals);
    free(e->raw);
    free(e->key);
  }
  free(c->e);
  free(c->keys);
  free(c);
}

ecr_status ecr_condition_compile(const cJSON *block, bool variables, const char *file,
                                 size_t stmt_index, ecr_condition **out, ecr_error *err) {
  *out = NULL;
  if (!cJSON_IsObject(block))
    return ecr_error_set(err, ECR_E_INPUT, file,
                         "policy statement %zu: Condition must be an object", stmt_index);
  ecr_condition *c = ecr_xcalloc(1, sizeof(*c));
  size_t cap = 0, kcap = 0;
  const cJSON *opj;
  cJSON_ArrayForEach(opj, block) {
    if (!cJSON_IsObject(opj)) {
      ecr_condition_free(c);
      return ecr_error_set(err, ECR_E_INPUT, file,
                           "policy statement %zu: Condition operator \"%s\" must be an object of "
                           "condition keys",
                           stmt_index, opj->string);
    }
    set_op set;
    bool if_exists;
    const op_info *op = parse_operator(opj->string, &set, &if_exists);
    if (!op) c->never = true;
    const cJSON *kj;
    cJSON_ArrayForEach(kj, opj) {
      bool array = cJSON_IsArray(kj);
      bool bad = !array && !is_scalar(kj);
      const cJSON *it;
      if (array) cJSON_ArrayForEach(it, kj) if (!is_scalar(it)) bad = true;
      if (bad) {
        ecr_condition_free(c);
        return ecr_error_set(err, ECR_E_INPUT, file,
                             "policy statement %zu: Condition %s \"%s\" must be a string, number "
                             "or boolean, or an array of them",
                             stmt_index, opj->string, kj->string);
      }
      centry e;
      memset(&e, 0, sizeof(e));
      e.op = op;
      e.set = set;
      e.if_exists = if_exists;
      e.key = ecr_xstrdup(kj->string);
      e.kclass = ecr_condition_key_class(e.key);
      e.classes = (unsigned)e.kclass;
      e.multivalued = in_list_ci(e.key, multivalued_keys, COUNT(multivalued_keys));
      size_t nv = array ? (size_t)cJSON_GetArraySize(kj) : 1;
      e.vals = ecr_xcalloc(nv ? nv : 1, sizeof(cvalue));
      e.raw = ecr_xcalloc(nv ? nv : 1, sizeof(char *));
      if (array) {
        cJSON_ArrayForEach(it, kj) e.vals[e.nvals++].raw = json_scalar_string(it);
      } else {
        e.vals[e.nvals++].raw = json_scalar_string(kj);
      }
      for (size_t k = 0; k < e.nvals; k++) {
        if (op) compile_value(op, variables, &e.vals[k], &e.classes);
        e.raw[k] = e.vals[k].raw;
      }
      ECR_PUSH(c->e, c->n, cap, e);
      c->classes |= e.classes;
      const char *key = c->e[c->n - 1].key;
      if (!in_list_ci(key, c->keys, c->nkeys)) ECR_PUSH(c->keys, c->nkeys, kcap, key);
    }
  }
  *out = c;
  return ECR_OK;
}

unsigned ecr_condition_classes(const ecr_condition *c) {
  return c ? c->classes : 0;
}
bool ecr_condition_never(const ecr_condition *c) {
  return c && c->never;
}
size_t ecr_condition_n_keys(const ecr_condition *c) {
  return c ? c->nkeys : 0;
}
const char *ecr_condition_key(const ecr_condition *c, size_t i) {
  return c && i < c->nkeys ? c->keys[i] : NULL;
}
size_t ecr_condition_n_entries(const ecr_condition *c) {
  return c ? c->n : 0;
}

const char *const *ecr_condition_values(const ecr_condition *c, const char *key, size_t *n) {
  *n = 0;
  if (!c || !key) return NULL;
  for (size_t i = 0; i < c->n; i++) {
    const centry *e = &c->e[i];
    if (!e->op || e->op->negated || ecr_strcasecmp_ascii(e->key, key) != 0) continue;
    if (e->op->fam != F_STR && e->op->fam != F_STR_IC && e->op->fam != F_LIKE &&
        e->op->fam != F_ARN)
      continue;
    *n = e->nvals;
    return e->raw;
  }
  return NULL;
}

/* ---- matching ----------------------------------------------------------- */
static bool utf8_cont(char c) {
  return ((unsigned char)c & 0xC0) == 0x80;
}

/* Glob over tokens against n bytes of text; '*' spans anything, '?' one
 * character (a whole UTF-8 sequence). Iterative, backtracking only to the
 * last star: O(np * nt) worst case. */
static bool tok_glob(const int *p, size_t np, const char *text, size_t nt) {
  size_t i = 0, j = 0, star_i = SIZE_MAX, star_j = 0;
  while (j < nt) {
    if (i < np && p[i] == TOK_STAR) {
      star_i = ++i;
      star_j = j;
    } else if (i < np && p[i] == TOK_ONE) {
      i++;
      j++;
      while (j < nt && utf8_cont(text[j])) j++;
    } else if (i < np && p[i] == (unsigned char)text[j]) {
      i++;
      j++;
    } else if (star_i != SIZE_MAX) {
      i = star_i;
      star_j++;
      while (star_j < nt && utf8_cont(text[star_j])) star_j++;
      j = star_j;
    } else {
      return false;
    }
  }
  while (i < np && p[i] == TOK_STAR) i++;
  return i == np;
}

static bool tok_equal(const int *p, size_t np, const char *s, bool ignore_case) {
  size_t n = strlen(s);
  if (n != np) return false;
  for (size_t i = 0; i < n; i++) {
    int a = p[i], b = (unsigned char)s[i];
    if (ignore_case && a < 256) a = tolower(a), b = tolower(b);
    if (a != b) return false;
  }
  return true;
}

/* ARN operators: each of the six colon-separated components is matched on
 * its own (the sixth, the resource, keeps any further colons). */
static bool arn_match(const int *p, size_t np, const char *s) {
  size_t pc[7], sc[7], npc = 1, nsc = 1, n = strlen(s);
  pc[0] = sc[0] = 0;
  for (size_t i = 0; i < np && npc < 6; i++)
    if (p[i] == ':') pc[npc++] = i + 1;
  for (size_t i = 0; i < n && nsc < 6; i++)
    if (s[i] == ':') sc[nsc++] = i + 1;
  if (npc != 6 || nsc != 6) return false;
  pc[6] = np + 1;
  sc[6] = n + 1;
  for (int k = 0; k < 6; k++)
    if (!tok_glob(p + pc[k], pc[k + 1] - 1 - pc[k], s + sc[k], sc[k + 1] - 1 - sc[k])) return false;
  return true;
}

static bool rel_holds(rel r, double req, double pol) {
  switch (r) {
  case REL_EQ: return req == pol;
  case REL_LT: return req < pol;
  case REL_LE: return req <= pol;
  case REL_GT: return req > pol;
  case REL_GE: return req >= pol;
  }
  return false;
}

static bool ip_in(const cvalue *v, const char *s) {
  unsigned char a[16];
  int af, prefix;
  if (!parse_ip(s, a, &af, &prefix) || af != v->af) return false;
  int full = v->prefix / 8, rest = v->prefix % 8;
  if (memcmp(a, v->addr, (size_t)full) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = (unsigned char)(0xff << (8 - rest));
  return (a[full] & mask) == (v->addr[full] & mask);
}

/* Does request value s match policy value v (tokens t/nt after variables)? */
static bool value_match(const op_info *op, const cvalue *v, const int *t, size_t nt,
                        const char *s) {
  double d;
  switch (op->fam) {
  case F_STR: return tok_equal(t, nt, s, false);
  case F_STR_IC: return tok_equal(t, nt, s, true);
  case F_LIKE: return tok_glob(t, nt, s, strlen(s));
  case F_ARN: return arn_match(t, nt, s);
  case F_BOOL: {
    char b[6];
    if (nt > 5) return false;
    for (size_t i = 0; i < nt; i++) b[i] = (char)t[i];
    int pb = parse_bool(b, nt), rb = parse_bool(s, strlen(s));
    return pb >= 0 && pb == rb;
  }
  case F_NUM: return parse_number(s, strlen(s), &d) && rel_holds(op->rel, d, v->num);
  case F_DATE: return parse_date(s, strlen(s), &d) && rel_holds(op->rel, d, v->num);
  case F_IP: return ip_in(v, s);
  case F_BINARY: return strlen(s) == v->nbin && memcmp(s, v->bin, v->nbin) == 0;
  case F_NULL: return false;
  }
  return false;
}

typedef enum tri { T_FALSE = 0, T_MAYBE, T_TRUE } tri;

/* A token buffer on the stack, on the heap when a value expands past it. */
typedef struct tokbuf {
  int stack[256];
  int *t;
  size_t n, cap;
} tokbuf;

static void tb_push(tokbuf *b, int tok) {
  if (b->n == b->cap) {
    size_t cap = b->cap * 2;
    if (b->t == b->stack) {
      int *h = ecr_xmalloc(cap * sizeof(int));
      memcpy(h, b->stack, b->n * sizeof(int));
      b->t = h;
    } else {
      b->t = ecr_xrealloc(b->t, cap * sizeof(int));
    }
    b->cap = cap;
  }
  b->t[b->n++] = tok;
}

/* Expand value v's variables into b. T_TRUE: expanded; T_FALSE: a variable
 * has no value and no default (the value is null: it matches nothing);
 * T_MAYBE: a variable the evidence does not decide. */
static tri expand(const cvalue *v, ecr_attr_lookup lookup, void *ctx, tokbuf *b) {
  b->n = 0;
  for (size_t i = 0; i < v->ntok; i++) {
    int t = v->tok[i];
    if (t < TOK_VAR) {
      tb_push(b, t);
      continue;
    }
    const cvar *var = &v->vars[t - TOK_VAR];
    if (var->cls == ECR_KEY_REQUEST) return T_MAYBE;
    ecr_attr a = lookup(ctx, var->key);
    const char *val;
    if (a.state == ECR_ATTR_UNDECIDED) return T_MAYBE;
    if (a.state == ECR_ATTR_PRESENT && a.n > 1) return T_MAYBE; /* not a variable AWS allows */
    if (a.state == ECR_ATTR_PRESENT && a.n == 1 && a.values[0])
      val = a.values[0];
    else if (var->def)
      val = var->def;
    else
      return T_FALSE;
    for (const char *p = val; *p; p++) tb_push(b, (unsigned char)*p);
  }
  return T_TRUE;
}

/* Every value of the entry is a policy variable without a value here (a
 * null value: it matches nothing, "Policy variables with no value"). */
static bool all_values_null(const centry *e, ecr_attr_lookup lookup, void *ctx) {
  tokbuf b;
  b.t = b.stack;
  b.cap = sizeof(b.stack) / sizeof(b.stack[0]);
  bool all = e->nvals > 0;
  for (size_t k = 0; k < e->nvals && all; k++) {
    const cvalue *v = &e->vals[k];
    if (v->ok && (!v->nvars || expand(v, lookup, ctx, &b) != T_FALSE)) all = false;
  }
  if (b.t != b.stack) free(b.t);
  return all;
}

static tri eval_entry(const centry *e, ecr_attr_lookup lookup, void *ctx) {
  const op_info *op = e->op;
  /* Access Analyzer policy checks, "Null condition operator with a set
   * operator": ForAllValues:Null is always true, ForAnyValue:Null false. */
  if (op->fam == F_NULL && e->set != SET_NONE) return e->set == SET_ALL ? T_TRUE : T_FALSE;
  if (e->kclass == ECR_KEY_REQUEST) return T_MAYBE;
  ecr_attr a = lookup(ctx, e->key);
  if (a.state == ECR_ATTR_UNDECIDED) {
    /* the key's value is unknown, but when no value of the entry can match
       anything, present and absent may still agree */
    if (op->fam == F_NULL || !all_values_null(e, lookup, ctx)) return T_MAYBE;
    tri present = op->negated ? T_TRUE : T_FALSE;
    tri absent_r = e->if_exists || e->set == SET_ALL ? T_TRUE
                   : e->set == SET_ANY               ? T_FALSE
                   : op->negated                     ? T_TRUE
                                                     : T_FALSE;
    return present == absent_r ? present : T_MAYBE;
  }
  bool absent = a.state == ECR_ATTR_ABSENT || a.n == 0;
  if (op->fam == F_NULL) {
    for (size_t k = 0; k < e->nvals; k++)
      if (e->vals[k].ok && (e->vals[k].boolean == 1) == absent) return T_TRUE;
    return T_FALSE;
  }
  if (absent) {
    if (e->if_exists || e->set == SET_ALL) return T_TRUE;
    if (e->set == SET_ANY) return T_FALSE;
    return op->negated ? T_TRUE : T_FALSE;
  }
  /* a multivalued key needs a set operator; AWS does not say what a plain
     operator does with several values: undecided */
  if (e->set == SET_NONE && (a.n > 1 || e->multivalued)) return T_MAYBE;

  bool hit_stack[64], *hit = a.n <= 64 ? hit_stack : ecr_xcalloc(a.n, sizeof(bool));
  memset(hit, 0, (a.n <= 64 ? a.n : 0) * sizeof(bool));
  tokbuf b;
  b.t = b.stack;
  b.cap = sizeof(b.stack) / sizeof(b.stack[0]);
  b.n = 0;
  tri r = T_TRUE;
  for (size_t k = 0; k < e->nvals && r == T_TRUE; k++) {
    const cvalue *v = &e->vals[k];
    if (!v->ok) continue;
    const int *t = v->tok;
    size_t nt = v->ntok;
    if (v->nvars) {
      tri x = expand(v, lookup, ctx, &b);
      if (x == T_MAYBE) r = T_MAYBE;
      if (x != T_TRUE) continue; /* null value: no equal or like value */
      t = b.t;
      nt = b.n;
    }
    for (size_t j = 0; j < a.n; j++)
      if (!hit[j] && a.values[j] && value_match(op, v, t, nt, a.values[j])) hit[j] = true;
  }
  if (r == T_TRUE) {
    /* per request value: matches one of the values (negated: none of them) */
    bool any = false, all = true;
    for (size_t j = 0; j < a.n; j++) {
      bool f = op->negated ? !hit[j] : hit[j];
      any |= f;
      all &= f;
    }
    bool res = e->set == SET_ALL ? all : any; /* SET_NONE: a.n == 1 */
    r = res ? T_TRUE : T_FALSE;
  }
  if (b.t != b.stack) free(b.t);
  if (hit != hit_stack) free(hit);
  return r;
}

ecr_cond_result ecr_condition_eval(const ecr_condition *c, unsigned classes, ecr_attr_lookup lookup,
                                   void *ctx, ecr_keylist *undecided) {
  if (!c) return ECR_COND_TRUE;
  if (c->never) return ECR_COND_FALSE;
  bool maybe = false;
  for (size_t i = 0; i < c->n; i++) {
    const centry *e = &c->e[i];
    if (e->classes & ~classes) continue;
    tri r = eval_entry(e, lookup, ctx);
    if (r == T_FALSE) return ECR_COND_FALSE;
    if (r == T_MAYBE) maybe = true;
  }
  if (!maybe) return ECR_COND_TRUE;
  if (undecided) /* second pass only on the rare undecided outcome */
    for (size_t i = 0; i < c->n; i++) {
      const centry *e = &c->e[i];
      if (!(e->classes & ~classes) && eval_entry(e, lookup, ctx) == T_MAYBE)
        ecr_keylist_add(undecided, e->key);
    }
  return ECR_COND_MAYBE;
}

/* ---- key lists ---------------------------------------------------------- */
void ecr_keylist_add(ecr_keylist *l, const char *key) {
  for (size_t i = 0; i < l->n; i++)
    if (ecr_strcasecmp_ascii(l->keys[i], key) == 0) return;
  ECR_PUSH(l->keys, l->n, l->cap, ecr_xstrdup(key));
}

void ecr_keylist_free(ecr_keylist *l) {
  if (!l) return;
  for (size_t i = 0; i < l->n; i++) free(l->keys[i]);
  free(l->keys);
  l->keys = NULL;
  l->n = l->cap = 0;
}
