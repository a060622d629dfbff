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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "evidence/json_file.h"
#include "org/org_internal.h"
#include "render/json_print.h"
#include "util/util.h"

/* ---- one converted document ----------------------------------------------- */

typedef struct span {
  size_t off, len;
} span;

typedef struct conv_finding {
  span head;  /* up to and including "rs- of the repository_set value */
  span tail;  /* the rest of the line, the account included */
  size_t set; /* local set index */
} conv_finding;

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
} conv;

static void conv_cleanup(conv *c) {
  free(c->name);
  free(c->account);
  ecr_buf_cleanup(&c->text);
  free(c->sets);
  free(c->findings);
  free(c->sum.account);
  free(c->sum.source);
  for (size_t i = 0; i < c->sum.n_worst; i++) {
    free(c->sum.worst[i].id);
    free(c->sum.worst[i].principal);
    free(c->sum.worst[i].access_level);
  }
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

static int status_of(const char *s) {
  for (int i = 0; i < ECR_CHECK_COUNT; i++)
    if (strcmp(s, ecr_check_status_name((ecr_check_status)i)) == 0) return i;
  return -1;
}

static int severity_of(const char *s) {
  for (int i = 0; i < ECR_SEV_COUNT; i++)
    if (strcmp(s, ecr_severity_name((ecr_severity)i)) == 0) return i;
  return -1;
}

/* fail before unknown before excepted (pass is never "worst") */
static int open_rank(ecr_check_status s) {
  return s == ECR_CHECK_FAIL ? 0 : s == ECR_CHECK_UNKNOWN ? 1 : 2;
}

static void keep_worst(ecr_org_acct *a, const cJSON *f, ecr_check_status st, ecr_severity sev) {
  if (st == ECR_CHECK_PASS) return;
  size_t at = a->n_worst;
  while (at > 0) {
    const ecr_org_worst *w = &a->worst[at - 1];
    int r0 = open_rank(w->status), r1 = open_rank(st);
    if (r0 < r1 || (r0 == r1 && w->severity <= sev)) break;
    at--;
  }
  if (at >= ECR_ORG_WORST) return;
  if (a->n_worst == ECR_ORG_WORST) {
    ecr_org_worst *last = &a->worst[ECR_ORG_WORST - 1];
    free(last->id);
    free(last->principal);
    free(last->access_level);
    a->n_worst--;
  }
  memmove(&a->worst[at + 1], &a->worst[at], (a->n_worst - at) * sizeof(ecr_org_worst));
  a->n_worst++;
  ecr_org_worst *w = &a->worst[at];
  const cJSON *p = field(f, "principal");
  const cJSON *lvl = field(f, "access_level"), *cnt = field(f, "repository_count");
  w->id = ecr_xstrdup(field(f, "id")->valuestring);
  w->status = st;
  w->severity = sev;
  w->principal = ecr_xstrdup(cJSON_GetStringValue(field(p, "arn")));
  w->access_level = ecr_xstrdup(cJSON_IsString(lvl) ? lvl->valuestring : "");
  w->repository_count = cJSON_IsNumber(cnt) && cnt->valuedouble > 0 ? (size_t)cnt->valuedouble : 0;
}

typedef struct set_key {
  const char *key;
  size_t index;
} set_key;

static int cmp_set_key(const void *a, const void *b) {
  return strcmp(((const set_key *)a)->key, ((const set_key *)b)->key);
}

static cJSON *detach(cJSON *root, const char *key) {
  return cJSON_DetachItemFromObjectCaseSensitive(root, key);
}

#define BAD(...) (c->st = ecr_error_set(&c->err, ECR_E_INPUT, c->name, __VA_ARGS__))

/* Convert one document (c->name set); c->st says how it went. */
static void convert(conv *c, const char *data, size_t len) {
  cJSON *root = NULL;
  set_key *keys = NULL;
  ecr_buf_init(&c->text);
  c->st = ecr_json_parse(data, len, c->name, &root, &c->err);
  if (c->st != ECR_OK) goto done;
  if (!cJSON_IsObject(root)) {
    BAD("is not a findings.json (not a JSON object)");
    goto done;
  }
  const cJSON *schema = field(root, "schema");
  if (!cJSON_IsString(schema) || strcmp(schema->valuestring, "ecraudit.findings/v2") != 0) {
    BAD("is not a findings.json of schema ecraudit.findings/v2");
    goto done;
  }
  if (field(root, "accounts")) {
    BAD("is already an organisation report (it has \"accounts\"): merge per-account "
        "findings.json files");
    goto done;
  }
  const cJSON *acct = field(root, "account");
  if (!cJSON_IsString(acct) || !is_account(acct->valuestring)) {
    BAD("\"account\" must be a 12-digit account id");
    goto done;
  }
  c->account = ecr_xstrdup(acct->valuestring);
  const cJSON *sets = field(root, "repository_sets"), *findings = field(root, "findings");
  if (!cJSON_IsObject(sets) || !cJSON_IsArray(findings)) {
    BAD("needs \"repository_sets\" (an object) and \"findings\" (an array)");
    goto done;
  }
  const cJSON *as_of = field(root, "as_of");
  if (!cJSON_IsString(as_of) || !ecr_date_parse(as_of->valuestring, NULL)) {
    BAD("\"as_of\" must be a date (YYYY-MM-DD)");
    goto done;
  }
  c->as_of = ecr_xstrdup(as_of->valuestring);
  c->sum.account = ecr_xstrdup(c->account);
  c->sum.source = ecr_xstrdup(c->name);

  /* repository sets: bodies, and their keys sorted for the findings */
  size_t n_keys = (size_t)cJSON_GetArraySize(sets);
  keys = ecr_xcalloc(n_keys + 1, sizeof(set_key));
  size_t k = 0;
  for (const cJSON *s = sets->child; s; s = s->next, k++) {
    const cJSON *repos = field(s, "repositories");
    if (!cJSON_IsObject(s) || !cJSON_IsBool(field(s, "all")) || !cJSON_IsArray(repos)) {
      BAD("repository_sets.%s must be {\"all\": bool, \"repositories\": [...]}", s->string);
      goto done;
    }
    span sp = {c->text.len, 0};
    if (!ecr_json_print_value(&c->text, s, -1)) {
      c->st = ecr_error_set(&c->err, ECR_E_INTERNAL, c->name, "out of memory");
      goto done;
    }
    sp.len = c->text.len - sp.off;
    ECR_PUSH(c->sets, c->n_sets, c->cap_sets, sp);
    keys[k].key = s->string;
    keys[k].index = k;
  }
  qsort(keys, n_keys, sizeof(set_key), cmp_set_key);
  for (size_t i = 1; i < n_keys; i++)
    if (strcmp(keys[i - 1].key, keys[i].key) == 0) {
      BAD("repository_sets has the key %s twice", keys[i].key);
      goto done;
    }

  /* findings */
  size_t i = 0;
  for (const cJSON *f = findings->child; f; f = f->next, i++) {
    const cJSON *id = field(f, "id"), *st = field(f, "status"), *sev = field(f, "severity");
    const cJSON *rs = field(f, "repository_set"), *p = field(f, "principal");
    int si = cJSON_IsString(st) ? status_of(st->valuestring) : -1;
    int vi = cJSON_IsString(sev) ? severity_of(sev->valuestring) : -1;
    if (!cJSON_IsObject(f) || !cJSON_IsString(id) || si < 0 || vi < 0 || !cJSON_IsString(rs) ||
        !cJSON_IsObject(p) || !cJSON_IsString(field(p, "arn"))) {
      BAD("findings[%zu] is not a finding (id, status, severity, principal, repository_set)", i);
      goto done;
    }
    set_key want = {rs->valuestring, 0};
    const set_key *hit = bsearch(&want, keys, n_keys, sizeof(set_key), cmp_set_key);
    if (!hit) {
      BAD("findings[%zu].repository_set %s is not a key of repository_sets", i, rs->valuestring);
      goto done;
    }
    conv_finding cf = {{c->text.len, 0}, {0, 0}, hit->index};
    ecr_buf_putc(&c->text, '{');
    bool first = true, ok = true;
    for (const cJSON *m = f->child; m && ok; m = m->next) {
      if (strcmp(m->string, "change") == 0 || strcmp(m->string, "account") == 0) continue;
      if (!first) ecr_buf_putc(&c->text, ',');
      first = false;
      ecr_json_print_string(&c->text, m->string);
      ecr_buf_putc(&c->text, ':');
      if (m == rs) {
        ecr_buf_puts(&c->text, "\"rs-");
        cf.head.len = c->text.len - cf.head.off;
        cf.tail.off = c->text.len;
        ecr_buf_putc(&c->text, '"');
      } else {
        ok = ecr_json_print_value(&c->text, m, -1);
      }
    }
    ecr_buf_puts(&c->text, ",\"account\":");
    ecr_json_print_string(&c->text, c->account);
    ecr_buf_putc(&c->text, '}');
    if (!ok) {
      c->st = ecr_error_set(&c->err, ECR_E_INTERNAL, c->name, "out of memory");
      goto done;
    }
    cf.tail.len = c->text.len - cf.tail.off;
    ECR_PUSH(c->findings, c->n_findings, c->cap_findings, cf);
    c->sum.by_status[si]++;
    c->sum.by_status_severity[si][vi]++;
    c->sum.n_findings++;
    keep_worst(&c->sum, f, (ecr_check_status)si, (ecr_severity)vi);
  }
  c->sum.overall = c->sum.by_status[ECR_CHECK_FAIL]      ? ECR_CHECK_FAIL
                   : c->sum.by_status[ECR_CHECK_UNKNOWN] ? ECR_CHECK_UNKNOWN
                                                         : ECR_CHECK_PASS;

  /* the small parts */
  c->control = detach(root, "control");
  c->coverage = detach(root, "coverage");
  c->exceptions = detach(root, "exceptions");
  c->tool = detach(root, "tool");
  c->ledger = detach(root, "ledger");
  cJSON *ev = cJSON_GetObjectItemCaseSensitive(root, "evidence");
  if (ev) {
    c->files = detach(ev, "files");
    c->gaps = detach(ev, "gaps");
  }
  if (!cJSON_IsObject(c->control) || !cJSON_IsArray(c->coverage) || !cJSON_IsArray(c->exceptions) ||
      !cJSON_IsArray(c->files) || !cJSON_IsArray(c->gaps)) {
    BAD("needs \"control\", \"coverage\", \"exceptions\" and \"evidence\" {files, gaps}");
    goto done;
  }
  for (const cJSON *s = c->coverage->child; s; s = s->next)
    if (!cJSON_IsString(s)) {
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
done:
  free(keys);
  cJSON_Delete(root);
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
};

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
  for (size_t i = 0; i < a->n_worst; i++) {
    free(a->worst[i].id);
    free(a->worst[i].principal);
    free(a->worst[i].access_level);
  }
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

/* Append one converted document (takes its small parts). */
static ecr_status absorb(ecr_org_merge *m, conv *c, ecr_error *err) {
  for (size_t i = 0; i < m->sum.n_accounts; i++)
    if (strcmp(m->sum.accounts[i].account, c->account) == 0)
      return ecr_error_set(err, ECR_E_INPUT, c->name,
                           "account %s is already in the merge (from %s)", c->account,
                           m->sum.accounts[i].source);
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

typedef struct job {
  ecr_org_producer produce;
  void *ctx;
  size_t index;
  conv c;
} job;

static void *run_job(void *arg) {
  job *j = arg;
  char *data = NULL, *name = NULL;
  size_t len = 0;
  j->c.st = j->produce(j->ctx, j->index, &name, &data, &len, &j->c.err);
  j->c.name = name ? name : ecr_xstrdup("?");
  if (j->c.st == ECR_OK) convert(&j->c, data, len);
  free(data);
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
  job *batch = ecr_xcalloc(jobs, sizeof(job));
  pthread_t th[MAX_JOBS];
  bool started[MAX_JOBS];
  ecr_status st = ECR_OK;
  for (size_t i = 0; i < n && st == ECR_OK; i += jobs) {
    size_t k = n - i < jobs ? n - i : jobs;
    for (size_t j = 0; j < k; j++) {
      memset(&batch[j], 0, sizeof(job));
      batch[j].produce = produce;
      batch[j].ctx = ctx;
      batch[j].index = i + j;
      started[j] = j > 0 && pthread_create(&th[j], NULL, run_job, &batch[j]) == 0;
    }
    for (size_t j = 0; j < k; j++)
      if (!started[j]) run_job(&batch[j]);
    for (size_t j = 0; j < k; j++)
      if (started[j]) pthread_join(th[j], NULL);
    for (size_t j = 0; j < k; j++) {
      if (st == ECR_OK) {
        if (batch[j].c.st != ECR_OK) {
          st = batch[j].c.st;
          *err = batch[j].c.err;
        } else {
          st = absorb(m, &batch[j].c, err);
        }
      }
      conv_cleanup(&batch[j].c);
    }
  }
  free(batch);
  return st;
}

static ecr_status read_one(void *ctx, size_t i, char **name, char **data, size_t *len,
                           ecr_error *err) {
  const char *path = ((const char *const *)ctx)[i];
  *name = ecr_xstrdup(path);
  return ecr_file_read(path, data, len, err);
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

ecr_status ecr_org_merge_finish(ecr_org_merge *m, ecr_error *err) {
  if (m->sum.n_accounts == 0) return ecr_error_set(err, ECR_E_INPUT, NULL, "no account to merge");
  /* the accounts in order of id for the summary; coverage keeps indices
     into the merge order, so sort a copy of the order first */
  size_t n = m->sum.n_accounts;
  cJSON *cov = coverage_json(m);
  qsort(m->sum.accounts, n, sizeof(ecr_org_acct), cmp_account);
  m->sum.overall = m->sum.by_status[ECR_CHECK_FAIL]      ? ECR_CHECK_FAIL
                   : m->sum.by_status[ECR_CHECK_UNKNOWN] ? ECR_CHECK_UNKNOWN
                                                         : ECR_CHECK_PASS;
  for (size_t i = 0; i < n; i++) m->sum.accounts_by_overall[m->sum.accounts[i].overall]++;
  m->sum.account = ecr_xstrdup(m->sum.accounts[0].account);
  char now[21];
  ecr_time_iso8601(ecr_time_now(), now);
  m->sum.generated_at = ecr_xstrdup(now);

  /* evidence files sorted by path */
  qsort(m->files, m->n_files, sizeof(cJSON *), cmp_file_item);
  cJSON *files = cJSON_CreateArray();
  for (size_t i = 0; i < m->n_files; i++) cJSON_AddItemToArray(files, m->files[i]);
  m->n_files = 0;

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
done_buf:
  ecr_buf_cleanup(&b);
done:
  cJSON_Delete(head);
  cJSON_Delete(tail);
  return st;
}

const ecr_org_summary *ecr_org_merge_summary(const ecr_org_merge *m) {
  return &m->sum;
}

ecr_status ecr_org_merge_publish(ecr_org_merge *m, ecr_error *err) {
  return ecr_atomic_publish(&m->final, err);
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
