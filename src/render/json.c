/* findings.json (DESIGN.md "findings.json", schema "ecraudit.findings/v2"):
 * a pure function of the report model.
 *
 * The document is built as a cJSON tree (contract keys first, in the
 * contract's order, then this renderer's additions) and printed by a small
 * printer below: 2-space indent, one array element per line, "key": value,
 * a trailing newline (the layout of Python's json.dumps(indent=2)), except
 * that each repository set and each finding is one compact line
 * (json.dumps(v, separators=(",", ":"))). Scalars
 * are printed by cJSON itself, so string escaping is cJSON's (quote,
 * backslash and every control character). Strings are made valid UTF-8
 * first: each maximal ill-formed subpart becomes one U+FFFD (util/utf8.c,
 * the rule of every format).
 *
 * Each repository set is written once under "repository_sets" and findings
 * name it by key; both the sets and the findings are streamed (one set or
 * one finding's tree at a time).
 *
 * Additions the contract leaves room for:
 *   top level   "tool" {name, version, catalog}, "overall", "ledger" {path, sha256} | null
 *   (contract additions: control.mappings always, "baseline" and per-finding
 *   "change" with --baseline)
 *   finding     "can_push", "status_reason", "suggested_statement",
 *               "limited_by" [{policy, statement, source, deny, conditional, owner}]
 *               for boundary/SCP statements (the contract's via.source has
 *               only identity|group|resource|registry)
 *               "usage" {tracked, last_used, days, action, tracked_since, unused} with
 *               iam/service-last-accessed.json (issue 21); top level "usage"
 *               {unused_days, tracked, untracked, unused, unused_open} then too
 *   via         "deny", "conditional", "owner"
 *   exception   "reason"
 *   exceptions  every ledger field plus "reason", "matched"
 *   files       "size"
 */
#include "ecraudit/render.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/util.h"
#include "render/json_print.h"

/* ---- valid UTF-8 strings -------------------------------------------------- */

static cJSON *jstr(const char *s) {
  if (!s) return cJSON_CreateNull();
  char *fixed = ecr_utf8_repair(s);
  cJSON *it = cJSON_CreateString(fixed ? fixed : s);
  free(fixed);
  return it;
}

/* ---- tree helpers ------------------------------------------------------- */

static void add(cJSON *obj, const char *key, cJSON *val) {
  cJSON_AddItemToObjectCS(obj, key, val);
}
static void add_str(cJSON *obj, const char *key, const char *s) {
  add(obj, key, jstr(s));
}
/* Text the contract types as a string: NULL becomes "". */
static void add_text(cJSON *obj, const char *key, const char *s) {
  add(obj, key, jstr(s ? s : ""));
}
static void add_bool(cJSON *obj, const char *key, bool b) {
  add(obj, key, cJSON_CreateBool(b));
}
static void add_num(cJSON *obj, const char *key, size_t n) {
  add(obj, key, cJSON_CreateNumber((double)n));
}
static cJSON *str_array(char *const *v, size_t n) {
  cJSON *a = cJSON_CreateArray();
  for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(a, jstr(v[i]));
  return a;
}

/* ---- document ------------------------------------------------------------ */

/* Additions with their default value (false, null, [], 0) are left out:
 * at 70,000 findings they were a tenth of the file. */
static cJSON *via_json(const ecr_via *v) {
  cJSON *o = cJSON_CreateObject();
  add_text(o, "policy", v->policy);
  add_text(o, "statement", v->statement);
  add_str(o, "source", ecr_source_name(v->source));
  if (v->deny) add_bool(o, "deny", true);
  if (v->conditional) add_bool(o, "conditional", true);
  if (v->owner) add_str(o, "owner", v->owner);
  return o;
}

static bool via_in_contract(ecr_source s) {
  return s == ECR_SRC_IDENTITY || s == ECR_SRC_GROUP || s == ECR_SRC_RESOURCE ||
         s == ECR_SRC_REGISTRY;
}

static cJSON *exception_json(const ecr_ledger_entry *e) {
  if (!e) return cJSON_CreateNull();
  cJSON *o = cJSON_CreateObject();
  add_text(o, "id", e->id);
  add_str(o, "state", ecr_ledger_state_name(e->state));
  add_str(o, "expires", e->expires);
  add_str(o, "justification", e->justification);
  add_str(o, "approved_by", e->approved_by);
  add_str(o, "ticket", e->ticket);
  add_str(o, "reason", e->reason);
  return o;
}

/* IAM Access Advisor's word on one finding (ecr_finding_usage). */
static cJSON *usage_json(const ecr_finding_usage *u) {
  cJSON *o = cJSON_CreateObject();
  add_bool(o, "tracked", u->tracked);
  if (u->tracked) {
    add_str(o, "last_used", u->last_used);
    add(o, "days", u->last_used ? cJSON_CreateNumber((double)u->days) : cJSON_CreateNull());
    if (u->action) add_str(o, "action", u->action);
    add_str(o, "tracked_since", u->tracked_since);
  }
  add_bool(o, "unused", u->unused);
  return o;
}

static cJSON *finding_json(const ecr_report *r, const ecr_finding *f) {
  cJSON *o = cJSON_CreateObject();
  add_text(o, "id", f->id);
  add_str(o, "status", ecr_check_status_name(f->status));
  add_str(o, "severity", ecr_severity_name(f->severity));
  cJSON *p = cJSON_CreateObject();
  add_text(p, "arn", f->principal);
  add_str(p, "kind", ecr_principal_kind_name(f->principal_kind));
  add(o, "principal", p);
  add_text(o, "repository_set", r->repo_sets[f->repo_set].key);
  add_num(o, "repository_count", f->n_repositories);
  add_bool(o, "all_repositories", f->all_repositories);
  add_str(o, "access_level", ecr_access_level_name(f->access_level));
  add(o, "actions", str_array(f->actions, f->n_actions));
  add_str(o, "decision", ecr_decision_name(f->decision));
  add(o, "undecided_conditions", str_array(f->undecided_conditions, f->n_undecided));
  cJSON *via = cJSON_CreateArray(), *limited = cJSON_CreateArray();
  for (size_t i = 0; i < f->n_via; i++)
    cJSON_AddItemToArray(via_in_contract(f->via[i].source) ? via : limited, via_json(&f->via[i]));
  add(o, "via", via);
  add_text(o, "impact", f->impact);
  add_text(o, "remediation", f->remediation);
  add(o, "exception", exception_json(f->exception));
  if (f->n_via_chain) add(o, "via_chain", str_array(f->via_chain, f->n_via_chain));
  if (f->change != ECR_CHANGE_NONE) add_str(o, "change", ecr_change_name(f->change));
  add_bool(o, "can_push", f->can_push);
  if (f->status_reason) add_str(o, "status_reason", f->status_reason);
  if (f->suggested_statement) add_str(o, "suggested_statement", f->suggested_statement);
  if (limited->child)
    add(o, "limited_by", limited);
  else
    cJSON_Delete(limited);
  if (f->n_via_omitted) add_num(o, "via_omitted", f->n_via_omitted);
  if (f->usage) add(o, "usage", usage_json(f->usage));
  return o;
}

static cJSON *ledger_entry_json(const ecr_ledger_entry *e) {
  cJSON *o = cJSON_CreateObject();
  add_text(o, "id", e->id);
  add_str(o, "state", ecr_ledger_state_name(e->state));
  add_str(o, "principal", e->principal);
  add(o, "repositories", str_array(e->repositories, e->n_repositories));
  add(o, "actions", str_array(e->actions, e->n_actions));
  add_str(o, "justification", e->justification);
  add_str(o, "approved_by", e->approved_by);
  add_str(o, "ticket", e->ticket);
  add_str(o, "expires", e->expires);
  add_str(o, "reason", e->reason);
  add_num(o, "matched", e->matched);
  return o;
}

static cJSON *report_json(const ecr_report *r) {
  cJSON *root = cJSON_CreateObject();
  add_str(root, "schema", "ecraudit.findings/v2");
  cJSON *control = cJSON_CreateObject();
  add_text(control, "id", r->control_id);
  add_text(control, "name", r->control_name);
  if (r->n_mappings) {
    cJSON *maps = cJSON_CreateArray();
    for (size_t i = 0; i < r->n_mappings; i++) {
      cJSON *m = cJSON_CreateObject();
      add_text(m, "framework", r->mappings[i].framework);
      add_text(m, "id", r->mappings[i].id);
      cJSON_AddItemToArray(maps, m);
    }
    add(control, "mappings", maps);
  }
  add(root, "control", control);
  add_text(root, "account", r->account);
  add_text(root, "generated_at", r->generated_at);
  add_text(root, "as_of", r->as_of);

  cJSON *summary = cJSON_CreateObject();
  static const ecr_check_status order[] = {ECR_CHECK_FAIL, ECR_CHECK_EXCEPTED, ECR_CHECK_UNKNOWN,
                                           ECR_CHECK_PASS};
  for (size_t i = 0; i < ECR_CHECK_COUNT; i++)
    add_num(summary, ecr_check_status_name(order[i]), r->by_status[order[i]]);
  add(root, "summary", summary);

  /* placeholder: the sets are streamed one by one (see ecr_render_json) */
  add(root, "repository_sets", cJSON_CreateObject());

  /* placeholder: the findings are streamed one by one (see ecr_render_json) */
  add(root, "findings", cJSON_CreateArray());

  add(root, "coverage", str_array(r->coverage, r->n_coverage));

  cJSON *exceptions = cJSON_CreateArray();
  for (size_t i = 0; i < r->n_ledger; i++)
    cJSON_AddItemToArray(exceptions, ledger_entry_json(&r->ledger[i]));
  add(root, "exceptions", exceptions);

  cJSON *evidence = cJSON_CreateObject();
  cJSON *files = cJSON_CreateArray();
  for (size_t i = 0; i < r->n_files; i++) {
    cJSON *fo = cJSON_CreateObject();
    add_text(fo, "path", r->files[i].path);
    add_text(fo, "sha256", r->files[i].sha256);
    add_num(fo, "size", r->files[i].size);
    cJSON_AddItemToArray(files, fo);
  }
  add(evidence, "files", files);
  cJSON *gaps = cJSON_CreateArray();
  for (size_t i = 0; i < r->n_gaps; i++) {
    cJSON *g = cJSON_CreateObject();
    add_text(g, "source", r->gaps[i].source);
    add_text(g, "resource", r->gaps[i].resource);
    add_text(g, "error", r->gaps[i].error);
    cJSON_AddItemToArray(gaps, g);
  }
  add(evidence, "gaps", gaps);
  add(root, "evidence", evidence);

  add_str(root, "overall", ecr_check_status_name(r->overall));
  cJSON *tool = cJSON_CreateObject();
  add_str(tool, "name", "ecraudit");
  add_str(tool, "version", r->tool_version);
  add_str(tool, "catalog", r->catalog_version);
  add(root, "tool", tool);
  if (r->ledger_path) {
    cJSON *ledger = cJSON_CreateObject();
    add_str(ledger, "path", r->ledger_path);
    add_str(ledger, "sha256", r->ledger_sha256);
    add(root, "ledger", ledger);
  } else {
    add(root, "ledger", cJSON_CreateNull());
  }
  if (r->baseline) {
    const ecr_baseline *b = r->baseline;
    cJSON *bo = cJSON_CreateObject();
    add_str(bo, "sha256", b->sha256);
    add(bo, "generated_at", jstr(b->generated_at));
    cJSON *lists[3] = {cJSON_CreateArray(), cJSON_CreateArray(), cJSON_CreateArray()};
    for (size_t i = 0; i < r->n_findings; i++) {
      const ecr_finding *f = &r->findings[i];
      if (f->change == ECR_CHANGE_NEW) cJSON_AddItemToArray(lists[0], jstr(f->id));
      if (f->change == ECR_CHANGE_CHANGED) cJSON_AddItemToArray(lists[2], jstr(f->id));
    }
    for (size_t i = 0; i < b->n_resolved; i++)
      cJSON_AddItemToArray(lists[1], jstr(b->resolved[i].id));
    add(bo, "new", lists[0]);
    add(bo, "resolved", lists[1]);
    add(bo, "changed", lists[2]);
    add(root, "baseline", bo);
  }
  if (r->usage_present) {
    cJSON *u = cJSON_CreateObject();
    add_num(u, "unused_days", (size_t)r->unused_days);
    add_num(u, "tracked", r->n_usage_tracked);
    add_num(u, "untracked", r->n_usage_untracked);
    add_num(u, "unused", r->n_unused);
    add_num(u, "unused_open", r->n_unused_open);
    add(root, "usage", u);
  }
  return root;
}

/* ---- printer --------------------------------------------------------------- */

static void indent(ecr_buf *b, int depth) {
  for (int i = 0; i < depth; i++) ecr_buf_puts(b, "  ");
}

/* A JSON string exactly as cJSON escapes it: quote, backslash, \b \f \n \r
 * \t, other control characters as \u00XX; everything else (UTF-8 included)
 * as is. Written by hand because one allocation per scalar dominated. */
static void print_string(ecr_buf *b, const char *s) {
  static const char hex[] = "0123456789abcdef";
  ecr_buf_putc(b, '"');
  const char *run = s;
  for (const char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    ecr_buf_append(b, run, (size_t)(p - run));
    run = p + 1;
    char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    default:
      esc[1] = 'u';
      esc[2] = '0';
      esc[3] = '0';
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
    }
    ecr_buf_puts(b, esc);
  }
  ecr_buf_puts(b, run);
  ecr_buf_putc(b, '"');
}

/* Scalars: strings by hand, the rest through cJSON; false on allocation failure. */
static bool print_scalar(ecr_buf *b, const cJSON *it) {
  if (cJSON_IsString(it)) {
    print_string(b, it->valuestring ? it->valuestring : "");
    return true;
  }
  if (cJSON_IsTrue(it)) {
    ecr_buf_puts(b, "true");
    return true;
  }
  if (cJSON_IsFalse(it)) {
    ecr_buf_puts(b, "false");
    return true;
  }
  if (cJSON_IsNull(it)) {
    ecr_buf_puts(b, "null");
    return true;
  }
  char *s = cJSON_PrintUnformatted(it);
  if (!s) return false;
  ecr_buf_puts(b, s);
  cJSON_free(s);
  return true;
}

/* A value, indented (depth >= 0: 2 spaces a level, one element a line, as
 * Python's json.dumps(indent=2)) or on one line (depth < 0: as
 * json.dumps(v, separators=(",", ":")); each repository set and each
 * finding is one line of the file, for grep and diff by finding). */
static bool print_value(ecr_buf *b, const cJSON *it, int depth) {
  bool obj = cJSON_IsObject(it), compact = depth < 0;
  if (!obj && !cJSON_IsArray(it)) return print_scalar(b, it);
  if (!it->child) {
    ecr_buf_puts(b, obj ? "{}" : "[]");
    return true;
  }
  ecr_buf_puts(b, compact ? (obj ? "{" : "[") : (obj ? "{\n" : "[\n"));
  for (const cJSON *c = it->child; c; c = c->next) {
    if (!compact) indent(b, depth + 1);
    if (obj) {
      print_string(b, c->string ? c->string : "");
      ecr_buf_puts(b, compact ? ":" : ": ");
    }
    if (!print_value(b, c, compact ? depth : depth + 1)) return false;
    if (compact) {
      if (c->next) ecr_buf_putc(b, ',');
    } else {
      ecr_buf_puts(b, c->next ? ",\n" : "\n");
    }
  }
  if (!compact) indent(b, depth);
  ecr_buf_putc(b, obj ? '}' : ']');
  return true;
}

#define JSON_ONE_LINE (-1) /* print_value depth: the compact layout */

/* Stream buffered output to the sink once it grows past this. */
#define JSON_FLUSH (1u << 20)

static bool flush(ecr_buf *b, ecr_sink *sink, bool force) {
  if (!force && b->len < JSON_FLUSH) return true;
  bool ok = ecr_sink_write(sink, b->data, b->len) == 0;
  ecr_buf_reset(b);
  return ok;
}

/* The top-level object, with the findings array streamed one finding at a
 * time (bounded memory: one finding's tree at once). Same bytes as printing
 * the whole tree. */
ecr_status ecr_render_json(const ecr_report *report, const ecr_render_opts *opts, ecr_sink *sink,
                           ecr_error *err) {
  ecr_status st = ECR_OK;
  ecr_buf out;
  ecr_buf_init(&out);
  cJSON *root = report_json(report);
  bool ok = true;
  ecr_buf_puts(&out, "{\n");
  for (const cJSON *c = root->child; c && ok; c = c->next) {
    indent(&out, 1);
    print_string(&out, c->string);
    ecr_buf_puts(&out, ": ");
    if (strcmp(c->string, "repository_sets") == 0 && report->n_repo_sets) {
      ecr_buf_puts(&out, "{\n");
      for (size_t i = 0; i < report->n_repo_sets && ok; i++) {
        const ecr_repo_set *rs = &report->repo_sets[i];
        cJSON *so = cJSON_CreateObject();
        add_bool(so, "all", rs->all);
        add(so, "repositories", str_array(rs->repositories, rs->n));
        indent(&out, 2);
        print_string(&out, rs->key);
        ecr_buf_puts(&out, ": ");
        ok = print_value(&out, so, JSON_ONE_LINE);
        cJSON_Delete(so);
        ecr_buf_puts(&out, i + 1 < report->n_repo_sets ? ",\n" : "\n");
        if (ok && !flush(&out, sink, false)) {
          st = ecr_error_set(err, ECR_E_OUTPUT, NULL, "findings.json: write failed");
          goto done;
        }
      }
      indent(&out, 1);
      ecr_buf_putc(&out, '}');
    } else if (strcmp(c->string, "findings") == 0 && report->n_findings) {
      ecr_buf_puts(&out, "[\n");
      for (size_t i = 0; i < report->n_findings && ok; i++) {
        cJSON *f = finding_json(report, &report->findings[i]);
        indent(&out, 2);
        ok = print_value(&out, f, JSON_ONE_LINE);
        cJSON_Delete(f);
        ecr_buf_puts(&out, i + 1 < report->n_findings ? ",\n" : "\n");
        if (ok && !flush(&out, sink, false)) {
          st = ecr_error_set(err, ECR_E_OUTPUT, NULL, "findings.json: write failed");
          goto done;
        }
      }
      indent(&out, 1);
      ecr_buf_putc(&out, ']');
    } else {
      ok = print_value(&out, c, 1);
    }
    ecr_buf_puts(&out, c->next ? ",\n" : "\n");
  }
  ecr_buf_puts(&out, "}\n");
  if (!ok) {
    st = ecr_error_set(err, ECR_E_INTERNAL, NULL, "findings.json: out of memory");
    goto done;
  }
  if (!flush(&out, sink, true))
    st = ecr_error_set(err, ECR_E_OUTPUT, NULL, "findings.json: write failed");
done:
  cJSON_Delete(root);
  ecr_buf_cleanup(&out);
  return st;
}

/* src/render/json_print.h: the printer above, for writers of documents in
 * this layout (the organisation report, src/org/merge.c). */
void ecr_json_print_string(ecr_buf *b, const char *s) {
  print_string(b, s);
}
bool ecr_json_print_value(ecr_buf *b, const cJSON *v, int depth) {
  return print_value(b, v, depth);
}
