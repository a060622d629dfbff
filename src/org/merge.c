/* The organisation findings.json: per-account findings.json documents merged
 * as they come (include/ecraudit/org.h).
 *
 * Each document is converted on its own (a worker thread may do it): parsed,
 * checked, its repository sets and findings printed in the findings.json
 * layout (one compact line each, src/render/json_print.h) with the set keys
 * left open, its small parts (coverage, ledger, evidence lists) detached.
 * The writer, in input order, gives the sets their organisation keys
 * (rs-1.. over all accounts), tags every finding with its "account", appends
 * both to two part files next to the output and keeps the counts. Finishing
 * writes the header (summary over all accounts), copies the parts, writes
 * the rest; every file is temporary until published, removed otherwise.
 *
 * Per-account keys the organisation report cannot keep: "baseline" and the
 * per-finding "change" (a drift is per account; merge reports the state).
 */
#include "ecraudit/org.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "ecraudit/evaluate.h"
#include "evidence/json_file.h"
#include "org/org_internal.h"
#include "render/json_print.h"
#include "util/util.h"

/* ---- one converted document ----------------------------------------------- */

typedef struct span {
  size_t off, len;
} span;

typedef struct conv_finding {
  span head;   /* up to and including "rs- of the repository_set value */
  span tail;   /* the rest of the line, the account included */
  size_t set;  /* local set index */
  uint64_t id; /* the id's 64 bits ("C0222-" and 16 hex digits), else a hash of it */
} conv_finding;

/* "C0222-" and 16 hex digits -> those 64 bits; any other id -> FNV-1a of it
 * with the top bit set (a C0222 id decides its own value). */
static uint64_t id_key(const char *d, ecr_jspan v) {
  const char *p = d + v.off + 1;
  size_t n = v.len >= 2 ? v.len - 2 : 0;
  if (n == 22 && memcmp(p, "C0222-", 6) == 0) {
    uint64_t k = 0;
    size_t i = 6;
    for (; i < 22; i++) {
      char ch = p[i];
      int h = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
      if (h < 0) break;
      k = k << 4 | (uint64_t)h;
    }
    if (i == 22) return k;
  }
  return ecr_fnv1a(p, n, 1469598103934665603ull) | (1ull << 63);
}

typedef struct conv {
  ecr_status st;
  ecr_error err;
  char *name;
  char *account;
  ecr_buf text; /* set bodies and finding parts */
  span *sets;   /* compact {"all":..,"repositories":[..]} */
  size_t n_sets, cap_sets;
  conv_finding *findings;
  size_t n_findings, cap_findings;
  ecr_org_acct sum; /* account, counts, worst (source = name) */
  cJSON *control, *coverage, *exceptions, *files, *gaps, *tool, *ledger;
  char *as_of;
  bool want_junit;
  ecr_buf junit;          /* the account's <testsuite> */
  size_t junit_totals[3]; /* its tests, failures, errors */
} conv;

static void conv_cleanup(conv *c) {
  free(c->name);
  free(c->account);
  ecr_buf_cleanup(&c->text);
  ecr_buf_cleanup(&c->junit);
  free(c->sets);
  free(c->findings);
  free(c->sum.account);
  free(c->sum.source);
  for (size_t i = 0; i < c->sum.n_worst; i++) ecr_org_worst_cleanup(&c->sum.worst[i]);
  for (size_t i = 0; i < c->sum.n_outside; i++) ecr_org_worst_cleanup(&c->sum.outside[i]);
  free(c->sum.outside);
  free(c->sum.grantees);
  cJSON_Delete(c->control);
  cJSON_Delete(c->coverage);
  cJSON_Delete(c->exceptions);
  cJSON_Delete(c->files);
  cJSON_Delete(c->gaps);
  cJSON_Delete(c->tool);
  cJSON_Delete(c->ledger);
  free(c->as_of);
  memset(c, 0, sizeof(*c));
}

static const cJSON *field(const cJSON *o, const char *k) {
  return cJSON_GetObjectItemCaseSensitive(o, k);
}

static bool is_account(const char *s) {
  size_t n = 0;
  for (; s[n]; n++)
    if (s[n] < '0' || s[n] > '9') return false;
  return n == 12;
}

/* the status or severity whose JSON string is exactly span, -1 when none */
static int status_of(const char *d, ecr_jspan v) {
  char q[32];
  for (int i = 0; i < ECR_CHECK_COUNT; i++) {
    snprintf(q, sizeof(q), "\"%s\"", ecr_check_status_name((ecr_check_status)i));
    if (ecr_jspan_is(d, v, q)) return i;
  }
  return -1;
}

static int severity_of(const char *d, ecr_jspan v) {
  char q[32];
  for (int i = 0; i < ECR_SEV_COUNT; i++) {
    snprintf(q, sizeof(q), "\"%s\"", ecr_severity_name((ecr_severity)i));
    if (ecr_jspan_is(d, v, q)) return i;
  }
  return -1;
}

/* A validated value as a cJSON tree (small values only). */
static cJSON *tree(const char *d, ecr_jspan v) {
  return v.len ? cJSON_ParseWithLength(d + v.off, v.len) : NULL;
}

/* A validated JSON string's text (caller frees), NULL when v is no string. */
static char *text_of(const char *d, ecr_jspan v) {
  if (!v.len || d[v.off] != '"') return NULL;
  if (!memchr(d + v.off, '\\', v.len)) return ecr_xstrndup(d + v.off + 1, v.len - 2);
  cJSON *t = tree(d, v);
  char *out = ecr_xstrdup(cJSON_GetStringValue(t));
  cJSON_Delete(t);
  return out;
}

/* fail before unknown before excepted (pass is never "worst") */
static int open_rank(ecr_check_status s) {
  return s == ECR_CHECK_FAIL ? 0 : s == ECR_CHECK_UNKNOWN ? 1 : 2;
}

typedef struct finding_spans {
  ecr_jspan id, status, severity, principal, repository_set, access_level, repository_count;
  ecr_jspan decision, all_repositories, impact, remediation;
  bool drop; /* has "change" or "account" (left out, "account" written anew) */
} finding_spans;

void ecr_org_worst_cleanup(ecr_org_worst *w) {
  free(w->id);
  free(w->principal);
  free(w->access_level);
  free(w->decision);
  free(w->impact);
  free(w->remediation);
  free(w->repositories);
  memset(w, 0, sizeof(*w));
}

/* Insert a finding into v (*n of cap, worst first: fail, unknown, excepted;
 * by severity; in document order within), dropping the last when full.
 * Returns the entry filled, NULL when it ranks below all of a full v. */
static ecr_org_worst *keep_ranked(ecr_org_worst *v, size_t *n, size_t cap, const char *d,
                                  const finding_spans *f, const cJSON *principal,
                                  ecr_check_status st, ecr_severity sev, size_t set) {
  size_t at = *n;
  while (at > 0) {
    const ecr_org_worst *w = &v[at - 1];
    int r0 = open_rank(w->status), r1 = open_rank(st);
    if (r0 < r1 || (r0 == r1 && w->severity <= sev)) break;
    at--;
  }
  if (at >= cap) return NULL;
  if (*n == cap) ecr_org_worst_cleanup(&v[--*n]);
  memmove(&v[at + 1], &v[at], (*n - at) * sizeof(ecr_org_worst));
  (*n)++;
  ecr_org_worst *w = &v[at];
  memset(w, 0, sizeof(*w));
  cJSON *cnt = tree(d, f->repository_count);
  w->id = text_of(d, f->id);
  w->status = st;
  w->severity = sev;
  w->principal = ecr_xstrdup(cJSON_GetStringValue(field(principal, "arn")));
  w->access_level = text_of(d, f->access_level);
  if (!w->access_level) w->access_level = ecr_xstrdup("");
  w->decision = text_of(d, f->decision);
  if (!w->decision) w->decision = ecr_xstrdup("");
  w->impact = text_of(d, f->impact);
  w->remediation = text_of(d, f->remediation);
  w->repository_count = ecr_org_json_count(cnt);
  w->all_repositories = ecr_jspan_is(d, f->all_repositories, "true");
  w->set = set;
  cJSON_Delete(cnt);
  return w;
}

/* The account a finding's principal belongs to when it is another account
 * or anyone (kinds public, account, external): its id or "*", into out;
 * false for the account's own principals, services and federated ones. */
static bool grantee_of(const cJSON *p, const char *own, char out[16]) {
  const char *kind = cJSON_GetStringValue(field(p, "kind"));
  const char *arn = cJSON_GetStringValue(field(p, "arn"));
  bool yes = false;
  if (kind && arn && strcmp(kind, "public") == 0) {
    snprintf(out, 16, "*");
    yes = true;
  } else if (kind && arn && (strcmp(kind, "account") == 0 || strcmp(kind, "external") == 0)) {
    /* arn:partition:service::ACCOUNT:... */
    const char *q = arn;
    for (int k = 0; k < 4 && q; k++) q = strchr(q, ':') ? strchr(q, ':') + 1 : NULL;
    size_t len = 0;
    while (q && q[len] >= '0' && q[len] <= '9') len++;
    if (q && len == 12 && q[12] == ':' && (!own || strncmp(q, own, 12) != 0)) {
      memcpy(out, q, 12);
      out[12] = '\0';
      yes = true;
    }
  }
  return yes;
}

/* An open finding for another account or anyone (g): counted per grantee
 * and kept among the account's outside findings. */
static void keep_outside(ecr_org_acct *a, const char *d, const finding_spans *f,
                         const cJSON *principal, const char *g, ecr_check_status st,
                         ecr_severity sev, size_t set) {
  size_t k = 0;
  while (k < a->n_grantees && strcmp(a->grantees[k].account, g) != 0) k++;
  if (k == a->n_grantees) {
    ecr_org_grantee e;
    memset(&e, 0, sizeof(e));
    snprintf(e.account, sizeof(e.account), "%s", g);
    ECR_PUSH(a->grantees, a->n_grantees, a->cap_grantees, e);
  }
  a->grantees[k].n++;
  if (!a->outside) a->outside = ecr_xcalloc(ECR_ORG_OUTSIDE_KEPT, sizeof(ecr_org_worst));
  ecr_org_worst *w =
      keep_ranked(a->outside, &a->n_outside, ECR_ORG_OUTSIDE_KEPT, d, f, principal, st, sev, set);
  if (w) snprintf(w->grantee, sizeof(w->grantee), "%s", g);
}

static void keep_worst(ecr_org_acct *a, const char *d, const finding_spans *f, ecr_check_status st,
                       ecr_severity sev, size_t set) {
  if (st == ECR_CHECK_PASS) return;
  cJSON *p = tree(d, f->principal); /* parsed once for both lists */
  keep_ranked(a->worst, &a->n_worst, ECR_ORG_LISTED, d, f, p, st, sev, set);
  char g[16];
  if (grantee_of(p, a->account, g)) keep_outside(a, d, f, p, g, st, sev, set);
  cJSON_Delete(p);
}

typedef struct set_key {
  char *key;
  size_t index;
} set_key;

static int cmp_set_key(const void *a, const void *b) {
  return strcmp(((const set_key *)a)->key, ((const set_key *)b)->key);
}

static cJSON *detach(cJSON *root, const char *key) {
  return cJSON_DetachItemFromObjectCaseSensitive(root, key);
}

#define BAD(...) (c->st = ecr_error_set(&c->err, ECR_E_INPUT, c->name, __VA_ARGS__))

typedef struct top_spans {
  ecr_jspan schema, account, accounts, as_of, sets, findings, control, coverage, exceptions,
      evidence, tool, ledger;
} top_spans;

typedef struct conv_run {
  conv *c;
  const char *d;
  top_spans top;
  set_key *keys;
  size_t n_keys, cap_keys;
  size_t index; /* of the finding being read */
  finding_spans f;
  ecr_jspan *members; /* of the finding being read: key, value, key, value, ... */
  size_t n_members, cap_members;
  bool header_checked, sets_read;
  bool sets_done; /* sets read and header checked: findings can stream */
  bool findings_done;
} conv_run;

static bool finding_entry(void *ctx, ecr_jscan *s, ecr_jspan key);
static bool read_sets(conv_run *r);

static bool top_member(void *ctx, ecr_jscan *s, ecr_jspan key) {
  conv_run *r = ctx;
  if (r->sets_done && ecr_jspan_is(r->d, key, "\"findings\"")) {
    size_t off = s->pos;
    if (r->d[s->pos] != '[') return ecr_jscan_value(s, &r->top.findings, 1);
    bool ok = ecr_jscan_members(s, finding_entry, r);
    r->top.findings = (ecr_jspan){off, s->pos - off};
    r->findings_done = ok;
    return ok;
  }
  ecr_jspan v;
  if (!ecr_jscan_value(s, &v, 1)) return false;
  static const struct {
    const char *key;
    size_t offset;
  } keys[] = {
      {"\"schema\"", offsetof(top_spans, schema)},
      {"\"account\"", offsetof(top_spans, account)},
      {"\"accounts\"", offsetof(top_spans, accounts)},
      {"\"as_of\"", offsetof(top_spans, as_of)},
      {"\"repository_sets\"", offsetof(top_spans, sets)},
      {"\"findings\"", offsetof(top_spans, findings)},
      {"\"control\"", offsetof(top_spans, control)},
      {"\"coverage\"", offsetof(top_spans, coverage)},
      {"\"exceptions\"", offsetof(top_spans, exceptions)},
      {"\"evidence\"", offsetof(top_spans, evidence)},
      {"\"tool\"", offsetof(top_spans, tool)},
      {"\"ledger\"", offsetof(top_spans, ledger)},
  };
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    if (ecr_jspan_is(r->d, key, keys[i].key)) *(ecr_jspan *)((char *)&r->top + keys[i].offset) = v;
  /* the account comes first in findings.json; the sets need it for nothing
     but the findings need the sets: read them as soon as they are there */
  if (ecr_jspan_is(r->d, key, "\"repository_sets\"") && r->d[v.off] == '{') return read_sets(r);
  return true;
}

/* the keys "all" (a boolean) and "repositories" (an array) of a set */
typedef struct set_check {
  const char *d;
  bool all, repositories;
} set_check;

static bool set_member(void *ctx, ecr_jspan key, ecr_jspan v, bool canonical) {
  (void)canonical;
  set_check *sc = ctx;
  char c0 = sc->d[v.off];
  if (ecr_jspan_is(sc->d, key, "\"all\"")) sc->all = c0 == 't' || c0 == 'f';
  if (ecr_jspan_is(sc->d, key, "\"repositories\"")) sc->repositories = c0 == '[';
  return true;
}

static bool append_printed(conv *c, const char *d, ecr_jspan v) {
  cJSON *t = tree(d, v);
  bool ok = t && ecr_json_print_value(&c->text, t, -1);
  cJSON_Delete(t);
  return ok;
}

static bool set_entry(void *ctx, ecr_jspan key, ecr_jspan v, bool canonical) {
  conv_run *r = ctx;
  conv *c = r->c;
  char *k = text_of(r->d, key);
  set_check sc = {r->d, false, false};
  if (r->d[v.off] == '{') ecr_jscan_each(r->d, v, set_member, &sc, NULL);
  if (!sc.all || !sc.repositories) {
    BAD("repository_sets.%s must be {\"all\": bool, \"repositories\": [...]}", k);
    free(k);
    return false;
  }
  span sp = {c->text.len, 0};
  if (canonical) {
    ecr_buf_append(&c->text, r->d + v.off, v.len);
  } else if (!append_printed(c, r->d, v)) {
    BAD("repository_sets.%s cannot be read as JSON", k);
    free(k);
    return false;
  }
  sp.len = c->text.len - sp.off;
  set_key sk = {k, c->n_sets};
  ECR_PUSH(c->sets, c->n_sets, c->cap_sets, sp);
  ECR_PUSH(r->keys, r->n_keys, r->cap_keys, sk);
  return true;
}

static bool finding_member(void *ctx, ecr_jscan *s, ecr_jspan key) {
  conv_run *r = ctx;
  ecr_jspan v;
  if (!ecr_jscan_value(s, &v, 2)) return false;
  ECR_PUSH(r->members, r->n_members, r->cap_members, key);
  ECR_PUSH(r->members, r->n_members, r->cap_members, v);
  finding_spans *f = &r->f;
  const char *d = r->d;
  if (ecr_jspan_is(d, key, "\"id\""))
    f->id = v;
  else if (ecr_jspan_is(d, key, "\"status\""))
    f->status = v;
  else if (ecr_jspan_is(d, key, "\"severity\""))
    f->severity = v;
  else if (ecr_jspan_is(d, key, "\"principal\""))
    f->principal = v;
  else if (ecr_jspan_is(d, key, "\"repository_set\""))
    f->repository_set = v;
  else if (ecr_jspan_is(d, key, "\"access_level\""))
    f->access_level = v;
  else if (ecr_jspan_is(d, key, "\"repository_count\""))
    f->repository_count = v;
  else if (ecr_jspan_is(d, key, "\"decision\""))
    f->decision = v;
  else if (ecr_jspan_is(d, key, "\"all_repositories\""))
    f->all_repositories = v;
  else if (ecr_jspan_is(d, key, "\"impact\""))
    f->impact = v;
  else if (ecr_jspan_is(d, key, "\"remediation\""))
    f->remediation = v;
  return true;
}

/* A canonical finding from its members: `"key":value` joined by commas,
 * without "change" and "account", repository_set's value cut after "rs-. */
static void emit_members(conv_run *r, conv_finding *cf) {
  conv *c = r->c;
  const char *d = r->d;
  ecr_buf_putc(&c->text, '{');
  bool first = true;
  for (size_t i = 0; i < r->n_members; i += 2) {
    ecr_jspan key = r->members[i], v = r->members[i + 1];
    if (ecr_jspan_is(d, key, "\"change\"") || ecr_jspan_is(d, key, "\"account\"")) continue;
    if (!first) ecr_buf_putc(&c->text, ',');
    first = false;
    if (v.off == r->f.repository_set.off) {
      ecr_buf_append(&c->text, d + key.off, key.len);
      ecr_buf_puts(&c->text, ":\"rs-");
      cf->head.len = c->text.len - cf->head.off;
      cf->tail.off = c->text.len;
      ecr_buf_putc(&c->text, '"');
    } else {
      ecr_buf_append(&c->text, d + key.off, v.off + v.len - key.off);
    }
  }
}

/* A finding that is not as the printer writes it: through a tree. */
static bool emit_printed(conv_run *r, ecr_jspan v, conv_finding *cf) {
  conv *c = r->c;
  cJSON *f = tree(r->d, v);
  if (!f) return false;
  ecr_buf_putc(&c->text, '{');
  bool first = true, ok = true;
  for (const cJSON *m = f->child; m && ok; m = m->next) {
    if (strcmp(m->string, "change") == 0 || strcmp(m->string, "account") == 0) continue;
    if (!first) ecr_buf_putc(&c->text, ',');
    first = false;
    ecr_json_print_string(&c->text, m->string);
    ecr_buf_putc(&c->text, ':');
    if (strcmp(m->string, "repository_set") == 0) {
      ecr_buf_puts(&c->text, "\"rs-");
      cf->head.len = c->text.len - cf->head.off;
      cf->tail.off = c->text.len;
      ecr_buf_putc(&c->text, '"');
    } else {
      ok = ecr_json_print_value(&c->text, m, -1);
    }
  }
  cJSON_Delete(f);
  return ok;
}

static bool finding_entry(void *ctx, ecr_jscan *s, ecr_jspan key) {
  (void)key;
  conv_run *r = ctx;
  conv *c = r->c;
  size_t i = r->index++;
  memset(&r->f, 0, sizeof(r->f));
  r->n_members = 0;
  if (s->pos >= s->end || r->d[s->pos] != '{') {
    BAD("findings[%zu] is not an object", i);
    return false;
  }
  size_t start = s->pos, ws0 = s->ws, odd0 = s->odd;
  if (!ecr_jscan_members(s, finding_member, r)) return false;
  ecr_jspan v = {start, s->pos - start};
  bool canonical = s->ws == ws0 && s->odd == odd0;
  const finding_spans *f = &r->f;
  int si = status_of(r->d, f->status), vi = severity_of(r->d, f->severity);
  char *rs = text_of(r->d, f->repository_set), *id = NULL;
  if (si < 0 || vi < 0 || !rs || !f->id.len || r->d[f->id.off] != '"' || !f->principal.len ||
      r->d[f->principal.off] != '{') {
    BAD("findings[%zu] is not a finding (id, status, severity, principal, repository_set)", i);
    free(rs);
    return false;
  }
  set_key want = {rs, 0};
  const set_key *hit =
      r->n_keys ? bsearch(&want, r->keys, r->n_keys, sizeof(set_key), cmp_set_key) : NULL;
  if (!hit) {
    BAD("findings[%zu].repository_set %s is not a key of repository_sets", i, rs);
    free(rs);
    return false;
  }
  free(rs);
  free(id);
  conv_finding cf = {{c->text.len, 0}, {0, 0}, hit->index, id_key(r->d, f->id)};
  bool ok = true;
  if (canonical) {
    emit_members(r, &cf);
  } else {
    ok = emit_printed(r, v, &cf);
  }
  if (!ok) {
    BAD("findings[%zu] cannot be read as JSON", i);
    return false;
  }
  ecr_buf_puts(&c->text, ",\"account\":");
  ecr_json_print_string(&c->text, c->account);
  ecr_buf_putc(&c->text, '}');
  cf.tail.len = c->text.len - cf.tail.off;
  ECR_PUSH(c->findings, c->n_findings, c->cap_findings, cf);
  c->sum.by_status[si]++;
  c->sum.by_status_severity[si][vi]++;
  c->sum.n_findings++;
  keep_worst(&c->sum, r->d, f, (ecr_check_status)si, (ecr_severity)vi, hit->index);
  return true;
}

/* schema, accounts, account and as_of; false (c->st set) when wrong */
static bool header_check(conv_run *r) {
  conv *c = r->c;
  const char *data = r->d;
  const top_spans *t = &r->top;
  if (r->header_checked) return c->st == ECR_OK; /* once (a key given twice comes back here) */
  r->header_checked = true;
  if (!ecr_jspan_is(data, t->schema, "\"ecraudit.findings/v2\"")) {
    BAD("is not a findings.json of schema ecraudit.findings/v2");
    return false;
  }
  if (t->accounts.len) {
    BAD("is already an organisation report (it has \"accounts\"): merge per-account "
        "findings.json files");
    return false;
  }
  c->account = text_of(data, t->account);
  if (!c->account || !is_account(c->account)) {
    BAD("\"account\" must be a 12-digit account id");
    return false;
  }
  c->as_of = text_of(data, t->as_of);
  if (!c->as_of || !ecr_date_parse(c->as_of, NULL)) {
    BAD("\"as_of\" must be a date (YYYY-MM-DD)");
    return false;
  }
  c->sum.account = ecr_xstrdup(c->account);
  c->sum.source = ecr_xstrdup(c->name);
  return true;
}

/* repository sets, their keys sorted for the findings */
static bool read_sets(conv_run *r) {
  conv *c = r->c;
  if (!ecr_jscan_each(r->d, r->top.sets, set_entry, r, NULL)) {
    if (c->st == ECR_OK) BAD("repository_sets is malformed");
    return false;
  }
  if (r->n_keys) qsort(r->keys, r->n_keys, sizeof(set_key), cmp_set_key);
  for (size_t i = 1; i < r->n_keys; i++)
    if (strcmp(r->keys[i - 1].key, r->keys[i].key) == 0) {
      BAD("repository_sets has the key %s twice", r->keys[i].key);
      return false;
    }
  r->sets_read = true;
  /* in ecraudit's own order the header is read by now: findings can stream */
  if (r->top.schema.len && r->top.account.len && r->top.as_of.len) {
    if (!header_check(r)) return false;
    r->sets_done = true;
  }
  return true;
}

static void position(const char *data, size_t off, long *line, long *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++) {
    if (data[i] == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}

/* A listed finding's repository set in words (w->repositories): its
 * repository names, the first ECR_ORG_NAMES of them and a count, or
 * "every repository" when the set says so. */
#define ECR_ORG_NAMES 5
static void set_words(conv *c, ecr_org_worst *w) {
  if (w->set >= c->n_sets) return;
  cJSON *t = cJSON_ParseWithLength(c->text.data + c->sets[w->set].off, c->sets[w->set].len);
  const cJSON *repos = field(t, "repositories");
  size_t n = (size_t)cJSON_GetArraySize(repos), k = 0;
  char count[32], more[32];
  ecr_fmt_count(n, count);
  ecr_buf names;
  ecr_buf_init(&names);
  for (const cJSON *e = repos ? repos->child : NULL; e && k < ECR_ORG_NAMES; e = e->next, k++) {
    const char *arn = cJSON_GetStringValue(e);
    if (!arn) continue;
    const char *name = strstr(arn, ":repository/");
    if (k) ecr_buf_puts(&names, ", ");
    ecr_buf_puts(&names, name ? name + strlen(":repository/") : arn);
  }
  ecr_buf_putc(&names, '\0');
  ecr_fmt_count(n - k, more);
  const char *kv[] = {"count", count, "names", names.data, "more", more, NULL};
  bool registry = n == 1 && strcmp(names.data, "*") == 0; /* ecr_finding_registry */
  w->repositories = ecr_text(registry              ? "org/repositories-registry"
                             : w->all_repositories ? "org/repositories-all"
                             : n > k               ? "org/repositories-more"
                                                   : "org/repositories",
                             kv);
  ecr_buf_cleanup(&names);
  cJSON_Delete(t);
}

/* Convert one document (c->name set); c->st says how it went. */
static void convert(conv *c, const char *data, size_t len) {
  conv_run r;
  memset(&r, 0, sizeof(r));
  r.c = c;
  r.d = data;
  cJSON *ev = NULL;
  ecr_buf_init(&c->text);
  long line, col;
  size_t at = 0, first = SIZE_MAX;
  char why[160];
  if ((at = ecr_utf8_first_invalid(data, len)) < len || memchr(data, '\0', len)) {
    if (at >= len) at = (size_t)((const char *)memchr(data, '\0', len) - data);
    position(data, at, &line, &col);
    c->st =
        ecr_error_set_at(&c->err, ECR_E_INPUT, c->name, line, col, "invalid UTF-8 or a NUL byte");
    goto done;
  }
  ecr_jscan s;
  ecr_jspan all = {0, len};
  ecr_jscan_init(&s, data, all);
  if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) s.pos = 3;
  while (s.pos < len && strchr(" \t\r\n", data[s.pos])) s.pos++;
  if (s.pos >= len || data[s.pos] != '{') {
    BAD("is not a findings.json (not a JSON object)");
    goto done;
  }
  const top_spans *t = &r.top;
  /* the header first: a wrong file is named before its findings are read */
  bool ok = ecr_jscan_members(&s, top_member, &r) && ecr_jscan_at_end(&s);
  if (c->st != ECR_OK) goto done;
  /* the scanner compares keys as written; a key with an escape could equal
     another one once unescaped: the exact check, over the whole document */
  if (ok && s.escaped_keys && !ecr_json_check(data, len, &at, &first, why, sizeof(why))) {
    position(data, at, &line, &col);
    c->st = ecr_error_set_at(&c->err, ECR_E_INPUT, c->name, line, col, "invalid JSON: %s", why);
    goto done;
  }
  if (!ok) {
    position(data, s.err_pos, &line, &col);
    c->st = ecr_error_set_at(&c->err, ECR_E_INPUT, c->name, line, col, "invalid JSON: %s",
                             s.why ? s.why : "malformed");
    goto done;
  }
  if (!r.header_checked && !header_check(&r)) goto done;
  if (t->accounts.len) { /* after the findings in an organisation report */
    BAD("is already an organisation report (it has \"accounts\"): merge per-account "
        "findings.json files");
    goto done;
  }
  if (!r.sets_read || !t->findings.len || data[t->findings.off] != '[') {
    BAD("needs \"repository_sets\" (an object) and \"findings\" (an array)");
    goto done;
  }
  if (!r.findings_done) { /* findings before the sets or the header: read them now */
    ecr_jscan fs;
    ecr_jscan_init(&fs, data, t->findings);
    if (!ecr_jscan_members(&fs, finding_entry, &r)) {
      if (c->st == ECR_OK) BAD("findings: %s", fs.why ? fs.why : "malformed");
      goto done;
    }
  }
  for (size_t i = 0; i < c->sum.n_worst; i++) set_words(c, &c->sum.worst[i]);
  for (size_t i = 0; i < c->sum.n_outside; i++) set_words(c, &c->sum.outside[i]);
  c->sum.overall = c->sum.by_status[ECR_CHECK_FAIL]      ? ECR_CHECK_FAIL
                   : c->sum.by_status[ECR_CHECK_UNKNOWN] ? ECR_CHECK_UNKNOWN
                                                         : ECR_CHECK_PASS;

  /* the small parts */
  c->control = tree(data, t->control);
  c->coverage = tree(data, t->coverage);
  c->exceptions = tree(data, t->exceptions);
  c->tool = tree(data, t->tool);
  c->ledger = tree(data, t->ledger);
  ev = tree(data, t->evidence);
  if (ev) {
    c->files = detach(ev, "files");
    c->gaps = detach(ev, "gaps");
  }
  if (!cJSON_IsObject(c->control) || !cJSON_IsArray(c->coverage) || !cJSON_IsArray(c->exceptions) ||
      !cJSON_IsArray(c->files) || !cJSON_IsArray(c->gaps)) {
    BAD("needs \"control\", \"coverage\", \"exceptions\" and \"evidence\" {files, gaps}");
    goto done;
  }
  for (const cJSON *e = c->coverage->child; e; e = e->next)
    if (!cJSON_IsString(e)) {
      BAD("coverage must be an array of strings");
      goto done;
    }
  for (const cJSON *e = c->exceptions->child; e; e = e->next)
    if (!cJSON_IsObject(e) || !cJSON_IsString(field(e, "id"))) {
      BAD("exceptions must be an array of ledger entries with an id");
      goto done;
    }
  for (const cJSON *e = c->files->child; e; e = e->next)
    if (!cJSON_IsObject(e) || !cJSON_IsString(field(e, "path")) ||
        !cJSON_IsString(field(e, "sha256"))) {
      BAD("evidence.files must be an array of {path, sha256}");
      goto done;
    }
  if (c->want_junit) {
    ecr_report *model = NULL;
    ecr_ledger *ledger = NULL;
    ecr_buf_init(&c->junit);
    c->st = ecr_org_model_from_json(c->name, data, len, &model, &ledger, &c->err);
    if (c->st == ECR_OK) c->st = ecr_org_junit_account(model, &c->junit, c->junit_totals, &c->err);
    ecr_report_free(model);
    ecr_ledger_free(ledger);
  }
done:
  for (size_t i = 0; i < r.n_keys; i++) free(r.keys[i].key);
  free(r.keys);
  free(r.members);
  cJSON_Delete(ev);
}

/* ---- the merger -------------------------------------------------------------- */

typedef struct coverage_line {
  char *text;
  size_t *accounts; /* indices into m->sum.accounts, in merge order */
  size_t n, cap;
} coverage_line;

struct ecr_org_merge {
  char *out_dir;
  ecr_atomic_file sets_part, findings_part, final;
  bool junit; /* also report.junit.xml */
  ecr_atomic_file junit_part, junit_final;
  bool html; /* also report.html (the organisation summary, then each account) */
  ecr_atomic_file html_final;
  bool pdf; /* also report.pdf (the same content) */
  ecr_atomic_file pdf_final;
  size_t junit_totals[3];
  size_t n_sets_written, n_findings_written;
  ecr_org_summary sum;
  size_t cap_accounts;
  cJSON *control, *tool, *ledger;
  coverage_line *coverage;
  size_t n_coverage, cap_coverage;
  ecr_index coverage_ix;
  cJSON *exceptions; /* one entry per id */
  cJSON **files;     /* evidence files, one per path (detached items) */
  size_t n_files, cap_files;
  cJSON *gaps;
  ecr_index files_ix;
  ecr_buf line;
  uint64_t *ids; /* open addressing, 0 = empty (an id of 0 is stored as ~0) */
  size_t ids_cap, ids_n;
};

ecr_status ecr_org_merge_want_junit(ecr_org_merge *m, ecr_error *err) {
  if (m->junit) return ECR_OK;
  char *path = ecr_path_join(m->out_dir, "report.junit.xml.suites");
  ecr_status st = ecr_atomic_open(&m->junit_part, path, err);
  free(path);
  if (st == ECR_OK) m->junit = true;
  return st;
}

void ecr_org_merge_want_html(ecr_org_merge *m) {
  m->html = true;
}

void ecr_org_merge_want_pdf(ecr_org_merge *m) {
  m->pdf = true;
}

ecr_status ecr_org_merge_new(const char *out_dir, ecr_org_merge **out, ecr_error *err) {
  *out = NULL;
  ecr_org_merge *m = ecr_xcalloc(1, sizeof(*m));
  m->out_dir = ecr_xstrdup(out_dir);
  ecr_buf_init(&m->line);
  m->exceptions = cJSON_CreateArray();
  m->gaps = cJSON_CreateArray();
  char *a = ecr_path_join(out_dir, "findings.json.sets");
  char *b = ecr_path_join(out_dir, "findings.json.findings");
  ecr_status st = ecr_atomic_open(&m->sets_part, a, err);
  if (st == ECR_OK) {
    st = ecr_atomic_open(&m->findings_part, b, err);
    if (st != ECR_OK) ecr_atomic_abort(&m->sets_part);
  }
  free(a);
  free(b);
  if (st != ECR_OK) {
    ecr_org_merge_free(m);
    return st;
  }
  *out = m;
  return ECR_OK;
}

static void free_account(ecr_org_acct *a) {
  free(a->account);
  free(a->source);
  for (size_t i = 0; i < a->n_worst; i++) ecr_org_worst_cleanup(&a->worst[i]);
  for (size_t i = 0; i < a->n_outside; i++) ecr_org_worst_cleanup(&a->outside[i]);
  free(a->outside);
  free(a->grantees);
}

void ecr_org_summary_free(ecr_org_summary *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n_accounts; i++) free_account(&s->accounts[i]);
  free(s->accounts);
  free(s->account);
  free(s->generated_at);
  free(s->as_of);
  free(s);
}

void ecr_org_merge_free(ecr_org_merge *m) {
  if (!m) return;
  /* each is zeroed once published or released: abort is then a no-op */
  ecr_atomic_abort(&m->sets_part);
  ecr_atomic_abort(&m->findings_part);
  ecr_atomic_abort(&m->final);
  ecr_atomic_abort(&m->junit_part);
  ecr_atomic_abort(&m->junit_final);
  ecr_atomic_abort(&m->html_final);
  ecr_atomic_abort(&m->pdf_final);
  for (size_t i = 0; i < m->sum.n_accounts; i++) free_account(&m->sum.accounts[i]);
  free(m->sum.accounts);
  free(m->sum.account);
  free(m->sum.generated_at);
  free(m->sum.as_of);
  cJSON_Delete(m->control);
  cJSON_Delete(m->tool);
  cJSON_Delete(m->ledger);
  for (size_t i = 0; i < m->n_coverage; i++) {
    free(m->coverage[i].text);
    free(m->coverage[i].accounts);
  }
  free(m->coverage);
  ecr_index_cleanup(&m->coverage_ix);
  ecr_index_cleanup(&m->files_ix);
  cJSON_Delete(m->exceptions);
  for (size_t i = 0; i < m->n_files; i++) cJSON_Delete(m->files[i]);
  free(m->files);
  cJSON_Delete(m->gaps);
  ecr_buf_cleanup(&m->line);
  free(m->ids);
  free(m->out_dir);
  free(m);
}

static uint64_t hash_str(const char *s) {
  return ecr_fnv1a(s, strlen(s), 1469598103934665603ull);
}

typedef struct lookup {
  const ecr_org_merge *m;
  const char *key;
} lookup;

static bool coverage_eq(const void *ctx, size_t i) {
  const lookup *l = ctx;
  return strcmp(l->m->coverage[i].text, l->key) == 0;
}
static uint64_t coverage_hash(const void *ctx, size_t i) {
  return hash_str(((const lookup *)ctx)->m->coverage[i].text);
}

static const char *file_path(const ecr_org_merge *m, size_t i) {
  return field(m->files[i], "path")->valuestring;
}
static bool file_eq(const void *ctx, size_t i) {
  const lookup *l = ctx;
  return strcmp(file_path(l->m, i), l->key) == 0;
}
static uint64_t file_hash(const void *ctx, size_t i) {
  return hash_str(file_path(((const lookup *)ctx)->m, i));
}

/* A bundle path as the organisation sees it: accounts/<id>/<path>, and a
 * file the bundle read from the organisation's directory
 * (../../organization/<name>, src/evidence/evidence.c) as organization/<name>. */
static char *org_path(const char *account, const char *path) {
  if (ecr_str_has_prefix(path, "../../organization/")) return ecr_xstrdup(path + 6);
  return ecr_xasprintf("accounts/%s/%s", account, path);
}

static ecr_status write_part(ecr_atomic_file *af, const ecr_buf *b, ecr_error *err) {
  if (!ecr_atomic_write(af, b->data, b->len))
    return ecr_error_set(err, ECR_E_OUTPUT, af->path, "cannot write (write failed)");
  return ECR_OK;
}

/* Record a finding id; false when an earlier document had it. */
static bool id_insert(ecr_org_merge *m, uint64_t k) {
  if (k == 0) k = ~(uint64_t)0;
  if ((m->ids_n + 1) * 2 > m->ids_cap) {
    size_t cap = m->ids_cap ? m->ids_cap * 2 : 1u << 16;
    uint64_t *t = ecr_xcalloc(cap, sizeof(uint64_t));
    for (size_t i = 0; i < m->ids_cap; i++) {
      if (!m->ids[i]) continue;
      size_t j = (size_t)(m->ids[i] * 0x9E3779B97F4A7C15ull) & (cap - 1);
      while (t[j]) j = (j + 1) & (cap - 1);
      t[j] = m->ids[i];
    }
    free(m->ids);
    m->ids = t;
    m->ids_cap = cap;
  }
  size_t j = (size_t)(k * 0x9E3779B97F4A7C15ull) & (m->ids_cap - 1);
  while (m->ids[j]) {
    if (m->ids[j] == k) return false;
    j = (j + 1) & (m->ids_cap - 1);
  }
  m->ids[j] = k;
  m->ids_n++;
  return true;
}

/* Append one converted document (takes its small parts). */
static ecr_status absorb(ecr_org_merge *m, conv *c, ecr_error *err) {
  for (size_t i = 0; i < m->sum.n_accounts; i++)
    if (strcmp(m->sum.accounts[i].account, c->account) == 0)
      return ecr_error_set(err, ECR_E_INPUT, c->name,
                           "account %s is already in the merge (from %s)", c->account,
                           m->sum.accounts[i].source);
  /* ids are distinct across accounts (they are derived from the account):
     one twice means a file was edited or copied under another account */
  for (size_t i = 0; i < c->n_findings; i++)
    if (!id_insert(m, c->findings[i].id))
      return ecr_error_set(err, ECR_E_INPUT, c->name,
                           "findings[%zu] has the id of a finding of an earlier file (ids are "
                           "distinct across accounts: is this a copy of another account's file?)",
                           i);
  size_t base = m->n_sets_written;
  ecr_buf *b = &m->line;
  ecr_buf_reset(b);
  for (size_t i = 0; i < c->n_sets; i++) {
    ecr_buf_printf(b, "%s    \"rs-%zu\": ", m->n_sets_written ? ",\n" : "", base + i + 1);
    ecr_buf_append(b, c->text.data + c->sets[i].off, c->sets[i].len);
    m->n_sets_written++;
    if (b->len > (1u << 20)) {
      if (write_part(&m->sets_part, b, err) != ECR_OK) return ECR_E_OUTPUT;
      ecr_buf_reset(b);
    }
  }
  if (write_part(&m->sets_part, b, err) != ECR_OK) return ECR_E_OUTPUT;
  ecr_buf_reset(b);
  for (size_t i = 0; i < c->n_findings; i++) {
    const conv_finding *f = &c->findings[i];
    ecr_buf_puts(b, m->n_findings_written ? ",\n    " : "    ");
    ecr_buf_append(b, c->text.data + f->head.off, f->head.len);
    ecr_buf_printf(b, "%zu", base + f->set + 1);
    ecr_buf_append(b, c->text.data + f->tail.off, f->tail.len);
    m->n_findings_written++;
    if (b->len > (1u << 20)) {
      if (write_part(&m->findings_part, b, err) != ECR_OK) return ECR_E_OUTPUT;
      ecr_buf_reset(b);
    }
  }
  if (write_part(&m->findings_part, b, err) != ECR_OK) return ECR_E_OUTPUT;
  ecr_buf_reset(b);

  if (m->junit) {
    if (write_part(&m->junit_part, &c->junit, err) != ECR_OK) return ECR_E_OUTPUT;
    for (int k = 0; k < 3; k++) m->junit_totals[k] += c->junit_totals[k];
  }

  /* summary */
  size_t ai = m->sum.n_accounts;
  ECR_PUSH(m->sum.accounts, m->sum.n_accounts, m->cap_accounts, c->sum);
  memset(&c->sum, 0, sizeof(c->sum));
  const ecr_org_acct *a = &m->sum.accounts[ai];
  for (int s = 0; s < ECR_CHECK_COUNT; s++) {
    m->sum.by_status[s] += a->by_status[s];
    for (int v = 0; v < ECR_SEV_COUNT; v++)
      m->sum.by_status_severity[s][v] += a->by_status_severity[s][v];
  }
  if (!m->sum.as_of || strcmp(c->as_of, m->sum.as_of) > 0) {
    free(m->sum.as_of);
    m->sum.as_of = ecr_xstrdup(c->as_of);
  }
  if (!m->control) {
    m->control = c->control;
    c->control = NULL;
  }
  if (!m->tool && cJSON_IsObject(c->tool)) {
    m->tool = c->tool;
    c->tool = NULL;
  }
  if (!m->ledger && cJSON_IsObject(c->ledger)) {
    m->ledger = c->ledger;
    c->ledger = NULL;
  }

  /* coverage: each sentence once, with the accounts that have it */
  for (const cJSON *s = c->coverage->child; s; s = s->next) {
    lookup l = {m, s->valuestring};
    bool found;
    size_t k = ecr_index_get(&m->coverage_ix, hash_str(s->valuestring), coverage_eq, coverage_hash,
                             &l, m->n_coverage, &found);
    if (!found) {
      coverage_line cl = {ecr_xstrdup(s->valuestring), NULL, 0, 0};
      ECR_PUSH(m->coverage, m->n_coverage, m->cap_coverage, cl);
    }
    coverage_line *cl = &m->coverage[k];
    if (!cl->n || cl->accounts[cl->n - 1] != ai) ECR_PUSH(cl->accounts, cl->n, cl->cap, ai);
  }

  /* ledger entries: one per id; matched adds up, a match anywhere makes an
     entry "unused" in one account active (or expired) for the organisation */
  cJSON *e;
  while ((e = cJSON_DetachItemFromArray(c->exceptions, 0)) != NULL) {
    const char *id = field(e, "id")->valuestring;
    cJSON *have = NULL;
    for (cJSON *h = m->exceptions->child; h && !have; h = h->next)
      if (strcmp(field(h, "id")->valuestring, id) == 0) have = h;
    if (!have) {
      cJSON_AddItemToArray(m->exceptions, e);
      continue;
    }
    const cJSON *hs = field(have, "state"), *es = field(e, "state");
    if (cJSON_IsString(hs) && cJSON_IsString(es) && strcmp(hs->valuestring, "unused") == 0 &&
        strcmp(es->valuestring, "unused") != 0)
      cJSON_ReplaceItemInObjectCaseSensitive(have, "state", cJSON_CreateString(es->valuestring));
    cJSON *hm = cJSON_GetObjectItemCaseSensitive(have, "matched");
    const cJSON *em = field(e, "matched");
    if (cJSON_IsNumber(hm) && cJSON_IsNumber(em))
      cJSON_SetNumberValue(hm, hm->valuedouble + em->valuedouble);
    cJSON_Delete(e);
  }

  /* evidence: paths as the organisation sees them, each once */
  while ((e = cJSON_DetachItemFromArray(c->files, 0)) != NULL) {
    char *path = org_path(c->account, field(e, "path")->valuestring);
    lookup l = {m, path};
    bool found;
    ecr_index_get(&m->files_ix, hash_str(path), file_eq, file_hash, &l, m->n_files, &found);
    if (!found) {
      cJSON_ReplaceItemInObjectCaseSensitive(e, "path", cJSON_CreateString(path));
      ECR_PUSH(m->files, m->n_files, m->cap_files, e);
    } else {
      cJSON_Delete(e);
    }
    free(path);
  }
  while ((e = cJSON_DetachItemFromArray(c->gaps, 0)) != NULL) cJSON_AddItemToArray(m->gaps, e);
  return ECR_OK;
}

ecr_status ecr_org_merge_add(ecr_org_merge *m, const char *name, const char *data, size_t len,
                             ecr_error *err) {
  conv c;
  memset(&c, 0, sizeof(c));
  c.name = ecr_xstrdup(name);
  c.want_junit = m->junit;
  convert(&c, data, len);
  ecr_status st = c.st;
  if (st != ECR_OK)
    *err = c.err;
  else
    st = absorb(m, &c, err);
  conv_cleanup(&c);
  return st;
}

ecr_status ecr_org_merge_add_file(ecr_org_merge *m, const char *path, ecr_error *err) {
  char *data = NULL;
  size_t len = 0;
  ecr_status st = ecr_file_read(path, &data, &len, err);
  if (st == ECR_OK) st = ecr_org_merge_add(m, path, data, len, err);
  free(data);
  return st;
}

/* A pool of workers converting documents ahead of the writer: worker k
 * takes the next index, waits for a free slot of the ring (at most 2 x
 * jobs documents converted and not yet written), converts into it; the
 * writer absorbs the slots in order. */
typedef struct slot {
  conv c;
  bool ready;
} slot;

typedef struct pool {
  ecr_org_producer produce;
  void *ctx;
  size_t n, next, written, ring;
  bool stop, junit;
  slot *slots;
  pthread_mutex_t mu;
  pthread_cond_t cv;
} pool;

static void *worker(void *arg) {
  pool *p = arg;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->stop && p->next < p->n && p->next >= p->written + p->ring)
      pthread_cond_wait(&p->cv, &p->mu);
    if (p->stop || p->next >= p->n) break;
    size_t i = p->next++;
    pthread_mutex_unlock(&p->mu);
    conv c;
    memset(&c, 0, sizeof(c));
    char *data = NULL, *name = NULL;
    size_t len = 0;
    c.st = p->produce(p->ctx, i, &name, &data, &len, &c.err);
    c.name = name ? name : ecr_xstrdup("?");
    c.want_junit = p->junit;
    if (c.st == ECR_OK) convert(&c, data, len);
    free(data);
    pthread_mutex_lock(&p->mu);
    p->slots[i % p->ring].c = c;
    p->slots[i % p->ring].ready = true;
    pthread_cond_broadcast(&p->cv);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

size_t ecr_org_cores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (size_t)n : 1;
}

#define MAX_JOBS 16

ecr_status ecr_org_merge_add_produced(ecr_org_merge *m, size_t n, ecr_org_producer produce,
                                      void *ctx, size_t jobs, ecr_error *err) {
  if (jobs == 0) jobs = ecr_org_cores();
  if (jobs > MAX_JOBS) jobs = MAX_JOBS;
  if (jobs > n) jobs = n ? n : 1;
  pool p = {.produce = produce,
            .ctx = ctx,
            .n = n,
            .ring = 2 * jobs,
            .junit = m->junit,
            .mu = PTHREAD_MUTEX_INITIALIZER,
            .cv = PTHREAD_COND_INITIALIZER};
  p.slots = ecr_xcalloc(p.ring, sizeof(slot));
  pthread_t th[MAX_JOBS];
  size_t started = 0;
  for (size_t k = 0; k < jobs; k++)
    if (pthread_create(&th[started], NULL, worker, &p) == 0) started++;
  ecr_status st = ECR_OK;
  if (started == 0) { /* no thread: convert in this one, one at a time */
    p.ring = 1;
    for (size_t i = 0; i < n && st == ECR_OK; i++) {
      p.next = i;
      p.written = i;
      p.n = i + 1;
      worker(&p);
      slot *s = &p.slots[0];
      st = s->c.st == ECR_OK ? absorb(m, &s->c, err) : (*err = s->c.err, s->c.st);
      conv_cleanup(&s->c);
      s->ready = false;
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      slot *s = &p.slots[i % p.ring];
      pthread_mutex_lock(&p.mu);
      while (!s->ready) pthread_cond_wait(&p.cv, &p.mu);
      pthread_mutex_unlock(&p.mu);
      if (st == ECR_OK) {
        if (s->c.st != ECR_OK) {
          st = s->c.st;
          *err = s->c.err;
        } else {
          st = absorb(m, &s->c, err);
        }
      }
      conv_cleanup(&s->c);
      pthread_mutex_lock(&p.mu);
      s->ready = false;
      p.written = i + 1;
      if (st != ECR_OK) p.stop = true;
      pthread_cond_broadcast(&p.cv);
      pthread_mutex_unlock(&p.mu);
      if (st != ECR_OK) break;
    }
  }
  pthread_mutex_lock(&p.mu);
  p.stop = true;
  pthread_cond_broadcast(&p.cv);
  pthread_mutex_unlock(&p.mu);
  for (size_t k = 0; k < started; k++) pthread_join(th[k], NULL);
  for (size_t k = 0; k < p.ring; k++)
    if (p.slots[k].ready) conv_cleanup(&p.slots[k].c);
  free(p.slots);
  pthread_mutex_destroy(&p.mu);
  pthread_cond_destroy(&p.cv);
  return st;
}

static ecr_status read_one(void *ctx, size_t i, char **name, char **data, size_t *len,
                           ecr_error *err) {
  const char *path = ((const char *const *)ctx)[i];
  *name = ecr_xstrdup(path);
  ecr_status st = ecr_file_read(path, data, len, err);
  char *account = NULL, *reason = NULL;
  if (st == ECR_OK && ecr_org_is_gap_doc(*data, *len, &account, &reason)) {
    /* organization/gaps/<id>.json: the account enters as unknown */
    char today[11];
    ecr_time_date(ecr_time_now(), today);
    free(*data);
    *data = ecr_org_gap_document(account, reason, today);
    *len = strlen(*data);
  }
  free(account);
  free(reason);
  return st;
}

ecr_status ecr_org_merge_add_files(ecr_org_merge *m, const char *const *paths, size_t n,
                                   size_t jobs, ecr_error *err) {
  return ecr_org_merge_add_produced(m, n, read_one, (void *)paths, jobs, err);
}

/* ---- finishing ------------------------------------------------------------- */

static int cmp_account(const void *a, const void *b) {
  return strcmp(((const ecr_org_acct *)a)->account, ((const ecr_org_acct *)b)->account);
}

static int cmp_file_item(const void *a, const void *b) {
  const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
  return strcmp(field(x, "path")->valuestring, field(y, "path")->valuestring);
}

/* The coverage of the organisation: a sentence every account has as it is,
 * others prefixed with the accounts that have it. */
static cJSON *coverage_json(const ecr_org_merge *m) {
  cJSON *a = cJSON_CreateArray();
  ecr_buf b;
  ecr_buf_init(&b);
  for (size_t i = 0; i < m->n_coverage; i++) {
    const coverage_line *cl = &m->coverage[i];
    ecr_buf_reset(&b);
    if (cl->n < m->sum.n_accounts) {
      ecr_buf_puts(&b, cl->n == 1 ? "Account " : "Accounts ");
      for (size_t k = 0; k < cl->n; k++)
        ecr_buf_printf(&b, "%s%s", k ? ", " : "", m->sum.accounts[cl->accounts[k]].account);
      ecr_buf_puts(&b, ": ");
    }
    ecr_buf_puts(&b, cl->text);
    cJSON_AddItemToArray(a, cJSON_CreateString(b.data));
  }
  ecr_buf_cleanup(&b);
  return a;
}

static ecr_status finish_junit(ecr_org_merge *m, ecr_error *err);

/* A whole document into out_dir/name (not yet published). */
static ecr_status finish_doc(ecr_org_merge *m, ecr_atomic_file *af, const char *name,
                             const ecr_buf *b, ecr_error *err) {
  char *path = ecr_path_join(m->out_dir, name);
  ecr_status st = ecr_atomic_open(af, path, err);
  free(path);
  if (st == ECR_OK && !ecr_atomic_write(af, b->data, b->len))
    st = ecr_error_set(err, ECR_E_OUTPUT, af->path, "cannot write (write failed)");
  if (st == ECR_OK) st = ecr_atomic_finish(af, err);
  return st;
}

/* report.html and report.pdf: the organisation summary, then each account
 * (src/org/html.c, src/org/pdf.c). */
static ecr_status finish_pages(ecr_org_merge *m, const char *control_name, const char *tool_version,
                               ecr_error *err) {
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_status st = ECR_OK;
  if (m->html) {
    st = ecr_org_html(&m->sum, control_name, &b, err);
    if (st == ECR_OK) st = finish_doc(m, &m->html_final, "report.html", &b, err);
  }
  b.len = 0;
  if (st == ECR_OK && m->pdf) {
    st = ecr_org_pdf(&m->sum, control_name, tool_version, &b, err);
    if (st == ECR_OK) st = finish_doc(m, &m->pdf_final, "report.pdf", &b, err);
  }
  ecr_buf_cleanup(&b);
  return st;
}

static ecr_status copy_part(ecr_org_merge *m, ecr_atomic_file *part, ecr_error *err) {
  if (fflush(part->fp) != 0 || ferror(part->fp))
    return ecr_error_set(err, ECR_E_OUTPUT, m->final.path, "cannot write (write failed)");
  FILE *in = fopen(part->tmp_path, "rb");
  if (!in) return ecr_error_set(err, ECR_E_OUTPUT, m->final.path, "cannot read back a part");
  char *chunk = ecr_xmalloc(1 << 16);
  size_t got;
  bool ok = true;
  while (ok && (got = fread(chunk, 1, 1 << 16, in)) > 0)
    ok = ecr_atomic_write(&m->final, chunk, got);
  ok = ok && !ferror(in);
  fclose(in);
  free(chunk);
  ecr_atomic_abort(part); /* the part is in the final file now */
  if (!ok) return ecr_error_set(err, ECR_E_OUTPUT, m->final.path, "cannot write (write failed)");
  return ECR_OK;
}

static int cmp_acct_key(const void *key, const void *elem) {
  return strcmp(key, ((const ecr_org_acct *)elem)->account);
}

/* Once every account is known (s->accounts sorted): which of a's grants to
 * other accounts go outside them; a's outside list keeps those, at most
 * ECR_ORG_LISTED. */
static void outside_of(ecr_org_summary *s, ecr_org_acct *a) {
  for (size_t k = 0; k < a->n_grantees; k++) {
    const char *g = a->grantees[k].account;
    if (strcmp(g, "*") == 0 ||
        !bsearch(g, s->accounts, s->n_accounts, sizeof(ecr_org_acct), cmp_acct_key))
      a->outside_open += a->grantees[k].n;
  }
  size_t kept = 0;
  for (size_t i = 0; i < a->n_outside; i++) {
    ecr_org_worst *w = &a->outside[i];
    bool out = strcmp(w->grantee, "*") == 0 ||
               !bsearch(w->grantee, s->accounts, s->n_accounts, sizeof(ecr_org_acct), cmp_acct_key);
    if (out && kept < ECR_ORG_LISTED)
      a->outside[kept++] = *w;
    else
      ecr_org_worst_cleanup(w);
  }
  a->n_outside = kept;
  free(a->grantees);
  a->grantees = NULL;
  a->n_grantees = a->cap_grantees = 0;
  s->outside_open += a->outside_open;
  if (a->outside_open) s->outside_accounts++;
}

ecr_status ecr_org_merge_finish(ecr_org_merge *m, ecr_error *err) {
  if (m->sum.n_accounts == 0) return ecr_error_set(err, ECR_E_INPUT, NULL, "no account to merge");
  /* the accounts in order of id for the summary; coverage keeps indices
     into the merge order, so sort a copy of the order first */
  size_t n = m->sum.n_accounts;
  cJSON *cov = coverage_json(m);
  if (n) qsort(m->sum.accounts, n, sizeof(ecr_org_acct), cmp_account);
  m->sum.overall = m->sum.by_status[ECR_CHECK_FAIL]      ? ECR_CHECK_FAIL
                   : m->sum.by_status[ECR_CHECK_UNKNOWN] ? ECR_CHECK_UNKNOWN
                                                         : ECR_CHECK_PASS;
  for (size_t i = 0; i < n; i++) m->sum.accounts_by_overall[m->sum.accounts[i].overall]++;
  for (size_t i = 0; i < n; i++) outside_of(&m->sum, &m->sum.accounts[i]);
  m->sum.account = ecr_xstrdup(m->sum.accounts[0].account);
  char now[21];
  ecr_time_iso8601(ecr_time_now(), now);
  m->sum.generated_at = ecr_xstrdup(now);

  /* evidence files sorted by path */
  if (m->n_files) qsort(m->files, m->n_files, sizeof(cJSON *), cmp_file_item);
  cJSON *files = cJSON_CreateArray();
  for (size_t i = 0; i < m->n_files; i++) cJSON_AddItemToArray(files, m->files[i]);
  m->n_files = 0;

  const cJSON *cname = cJSON_GetObjectItemCaseSensitive(m->control, "name");
  char *control_name = ecr_xstrdup(cJSON_IsString(cname) ? cname->valuestring : ecr_control_name());
  cJSON *head = cJSON_CreateObject(), *tail = cJSON_CreateObject();
  cJSON_AddStringToObject(head, "schema", "ecraudit.findings/v2");
  cJSON_AddItemToObject(head, "control", m->control);
  m->control = NULL;
  cJSON_AddStringToObject(head, "account", m->sum.account);
  cJSON_AddStringToObject(head, "generated_at", now);
  cJSON_AddStringToObject(head, "as_of", m->sum.as_of);
  cJSON *summary = cJSON_CreateObject();
  static const ecr_check_status order[] = {ECR_CHECK_FAIL, ECR_CHECK_EXCEPTED, ECR_CHECK_UNKNOWN,
                                           ECR_CHECK_PASS};
  for (size_t i = 0; i < ECR_CHECK_COUNT; i++)
    cJSON_AddNumberToObject(summary, ecr_check_status_name(order[i]),
                            (double)m->sum.by_status[order[i]]);
  cJSON_AddItemToObject(head, "summary", summary);
  cJSON_AddItemToObject(tail, "coverage", cov);
  cJSON_AddItemToObject(tail, "exceptions", m->exceptions);
  cJSON *ev = cJSON_CreateObject();
  cJSON_AddItemToObject(ev, "files", files);
  cJSON_AddItemToObject(ev, "gaps", m->gaps);
  m->exceptions = m->gaps = NULL;
  cJSON_AddItemToObject(tail, "evidence", ev);
  cJSON_AddStringToObject(tail, "overall", ecr_check_status_name(m->sum.overall));
  cJSON *accounts = cJSON_CreateArray();
  for (size_t i = 0; i < n; i++)
    cJSON_AddItemToArray(accounts, cJSON_CreateString(m->sum.accounts[i].account));
  cJSON_AddItemToObject(tail, "accounts", accounts);
  if (m->tool) {
    cJSON_AddItemToObject(tail, "tool", m->tool);
    m->tool = NULL;
  }
  if (m->ledger) {
    cJSON_AddItemToObject(tail, "ledger", m->ledger);
    m->ledger = NULL;
  } else {
    cJSON_AddItemToObject(tail, "ledger", cJSON_CreateNull());
  }

  char *path = ecr_path_join(m->out_dir, "findings.json");
  ecr_status st = ecr_atomic_open(&m->final, path, err);
  free(path);
  if (st != ECR_OK) goto done;
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_buf_puts(&b, "{\n");
  for (const cJSON *c = head->child; c; c = c->next) {
    ecr_buf_puts(&b, "  ");
    ecr_json_print_string(&b, c->string);
    ecr_buf_puts(&b, ": ");
    ecr_json_print_value(&b, c, 1);
    ecr_buf_puts(&b, ",\n");
  }
  ecr_buf_puts(&b, m->n_sets_written ? "  \"repository_sets\": {\n" : "  \"repository_sets\": {}");
  bool ok = ecr_atomic_write(&m->final, b.data, b.len);
  ecr_buf_reset(&b);
  if (ok && m->n_sets_written) {
    if ((st = copy_part(m, &m->sets_part, err)) != ECR_OK) goto done_buf;
    ecr_buf_puts(&b, "\n  }");
  }
  ecr_buf_puts(&b, m->n_findings_written ? ",\n  \"findings\": [\n" : ",\n  \"findings\": []");
  ok = ok && ecr_atomic_write(&m->final, b.data, b.len);
  ecr_buf_reset(&b);
  if (ok && m->n_findings_written) {
    if ((st = copy_part(m, &m->findings_part, err)) != ECR_OK) goto done_buf;
    ecr_buf_puts(&b, "\n  ]");
  }
  for (const cJSON *c = tail->child; c; c = c->next) {
    ecr_buf_puts(&b, ",\n  ");
    ecr_json_print_string(&b, c->string);
    ecr_buf_puts(&b, ": ");
    ecr_json_print_value(&b, c, 1);
  }
  ecr_buf_puts(&b, "\n}\n");
  ok = ok && ecr_atomic_write(&m->final, b.data, b.len);
  if (!ok) {
    st = ecr_error_set(err, ECR_E_OUTPUT, m->final.path, "cannot write (write failed)");
    goto done_buf;
  }
  st = ecr_atomic_finish(&m->final, err);
  if (st == ECR_OK && m->junit) st = finish_junit(m, err);
  if (st == ECR_OK && (m->html || m->pdf)) {
    const cJSON *ver = field(field(tail, "tool"), "version");
    st = finish_pages(m, control_name, cJSON_GetStringValue(ver), err);
  }
done_buf:
  ecr_buf_cleanup(&b);
done:
  free(control_name);
  cJSON_Delete(head);
  cJSON_Delete(tail);
  return st;
}

const ecr_org_summary *ecr_org_merge_summary(const ecr_org_merge *m) {
  return &m->sum;
}

ecr_status ecr_org_merge_publish(ecr_org_merge *m, ecr_error *err) {
  ecr_status st = ecr_atomic_publish(&m->final, err);
  if (st == ECR_OK && m->junit) st = ecr_atomic_publish(&m->junit_final, err);
  if (st == ECR_OK && m->html) st = ecr_atomic_publish(&m->html_final, err);
  if (st == ECR_OK && m->pdf) st = ecr_atomic_publish(&m->pdf_final, err);
  return st;
}

/* report.junit.xml: the summary suite, the accounts' suites, the end. */
static ecr_status finish_junit(ecr_org_merge *m, ecr_error *err) {
  ecr_buf b;
  ecr_buf_init(&b);
  ecr_status st = ecr_org_junit_head(&m->sum, m->junit_totals, &b, err);
  char *path = ecr_path_join(m->out_dir, "report.junit.xml");
  if (st == ECR_OK) st = ecr_atomic_open(&m->junit_final, path, err);
  free(path);
  if (st != ECR_OK) goto done;
  bool ok = ecr_atomic_write(&m->junit_final, b.data, b.len);
  if (ok) {
    if (fflush(m->junit_part.fp) != 0) ok = false;
    FILE *in = ok ? fopen(m->junit_part.tmp_path, "rb") : NULL;
    char *chunk = ecr_xmalloc(1 << 16);
    size_t got;
    while (in && ok && (got = fread(chunk, 1, 1 << 16, in)) > 0)
      ok = ecr_atomic_write(&m->junit_final, chunk, got);
    ok = ok && in && !ferror(in);
    if (in) fclose(in);
    free(chunk);
    ecr_atomic_abort(&m->junit_part);
  }
  ok = ok && ecr_atomic_write(&m->junit_final, "</testsuites>\n", 14);
  if (!ok) {
    st = ecr_error_set(err, ECR_E_OUTPUT, m->junit_final.path, "cannot write (write failed)");
    goto done;
  }
  st = ecr_atomic_finish(&m->junit_final, err);
done:
  ecr_buf_cleanup(&b);
  return st;
}

ecr_org_summary *ecr_org_merge_take_summary(ecr_org_merge *m) {
  ecr_org_summary *s = ecr_xcalloc(1, sizeof(*s));
  *s = m->sum;
  memset(&m->sum, 0, sizeof(m->sum));
  return s;
}

int ecr_org_exit_code(const ecr_org_summary *s, int threshold) {
  if (threshold < 0) return s->by_status[ECR_CHECK_FAIL] || s->by_status[ECR_CHECK_UNKNOWN] ? 1 : 0;
  for (int v = 0; v <= threshold && v < ECR_SEV_COUNT; v++)
    if (s->by_status_severity[ECR_CHECK_FAIL][v] || s->by_status_severity[ECR_CHECK_UNKNOWN][v])
      return 1;
  return 0;
}
