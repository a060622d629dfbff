#!/usr/bin/env bash
# findings.json against its schema (docs/findings.md, docs/findings.schema.json,
# tests/cli/findings_schema.py):
#  1. the renderer's output for the hand-built fixture (plain and hostile),
#     written by the cmocka test test_render_json with ECR_JSON_OUT;
#  2. the checker itself rejects broken documents (so it cannot pass vacuously),
#     and so does the JSON Schema on its own (python3-jsonschema; required
#     when CI=true, else skipped when the module is missing);
#  3. the real CLI on samples/acme (when the sample exists): contract, SHA-256
#     of every evidence file and of the ledger, byte-identical second run.
# Env (from CTest): ECRAUDIT, ECR_SRC, ECR_BUILD.
set -euo pipefail

PY=/usr/bin/python3
CHECK="$ECR_SRC/tests/cli/findings_schema.py"
tmp=$(mktemp -d "${ECR_BUILD}/findings-schema.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1"; }

# ---- 1. fixture output ------------------------------------------------------
ECR_JSON_OUT="$tmp" "$ECR_BUILD/tests/test_render_json" >"$tmp/unit.log" 2>&1 ||
  { cat "$tmp/unit.log"; bad "test_render_json ran"; }
for f in fixture.json fixture-hostile.json; do
  if [ -s "$tmp/$f" ] && "$PY" "$CHECK" "$tmp/$f"; then ok "$f matches the contract"
  else bad "$f matches the contract"; fi
done

# ---- 2. the checker rejects broken documents ------------------------------------
if "$PY" - "$CHECK" "$tmp/fixture.json" <<'EOF'; then ok "checker rejects every mutation"; else bad "checker rejects every mutation"; fi
import copy, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("fs", sys.argv[1])
fs = importlib.util.module_from_spec(spec); spec.loader.exec_module(fs)
base = json.load(open(sys.argv[2], encoding="utf-8"))
def dump(d): return fs.layout(d).encode()
assert fs.check_text(dump(base)) == [], fs.check_text(dump(base))
def m(name, fn, expect):
    d = copy.deepcopy(base); fn(d)
    errs = fs.check_text(dump(d))
    if not any(expect in e for e in errs):
        print(f"mutation {name!r}: expected an error with {expect!r}, got {errs}")
        return False
    return True
def drop(path):
    def fn(d):
        *head, last = path
        for k in head: d = d[k]
        del d[last]
    return fn
def setv(path, v):
    def fn(d):
        *head, last = path
        for k in head: d = d[k]
        d[last] = v
    return fn
def reorder(d):
    f = d["findings"][0]; s = f.pop("id"); f["id"] = s
results = [
    m("schema", setv(["schema"], "ecraudit.findings/v1"), "$.schema"),
    m("no control", drop(["control"]), "missing key 'control'"),
    m("control name", setv(["control", "name"], "x"), "$.control.name"),
    m("account", setv(["account"], 123456789012), "$.account"),
    m("generated_at", setv(["generated_at"], "2026-11-27 12:00"), "$.generated_at"),
    m("as_of", setv(["as_of"], "2026-02-30"), "$.as_of"),
    m("summary count", setv(["summary", "fail"], 99), "$.summary.fail"),
    m("summary type", setv(["summary", "pass"], "1"), "$.summary.pass"),
    m("status", setv(["findings", 0, "status"], "failed"), "$.findings[0].status"),
    m("severity", setv(["findings", 0, "severity"], "severe"), "$.findings[0].severity"),
    m("kind", setv(["findings", 0, "principal", "kind"], "group"), ".principal.kind"),
    m("all_repositories type", setv(["findings", 0, "all_repositories"], "true"),
      ".all_repositories"),
    m("repositories empty", setv(["repository_sets", base["findings"][0]["repository_set"],
      "repositories"], []), "must not be empty"),
    m("repository arn", setv(["repository_sets", base["findings"][0]["repository_set"],
      "repositories"], ["team-a/api"]), "not a repository ARN"),
    m("star with others", setv(["repository_sets", base["findings"][0]["repository_set"],
      "repositories"], ["*", "arn:aws:ecr:us-east-1:111122223333:repository/a"]),
      "must stand alone"),
    m("unknown set", setv(["findings", 0, "repository_set"], "rs-999999"), "not a key of"),
    m("set key", setv(["repository_sets", "set-1"], {"all": False, "repositories": ["*"]}),
      "does not match"),
    m("count", setv(["findings", 0, "repository_count"], 12345), ".repository_count"),
    m("unused set", setv(["repository_sets", "rs-999999"], {"all": False, "repositories": ["*"]}),
      "no finding refers"),
    m("access level", setv(["findings", 0, "access_level"], "write"), ".access_level"),
    m("action", setv(["findings", 0, "actions"], ["ecr-public:PutImage"]), ".actions[0]"),
    m("actions empty", setv(["findings", 0, "actions"], []), "must not be empty"),
    m("decision", setv(["findings", 0, "decision"], "deny"), ".decision"),
    m("via source", setv(["findings", 0, "via", 0, "source"], "scp"), ".via[0].source"),
    m("via statement", setv(["findings", 0, "via", 0, "statement"], 0), ".via[0].statement"),
    m("impact", drop(["findings", 0, "impact"]), "missing key 'impact'"),
    m("exception missing", drop(["findings", 0, "exception"]), "missing key 'exception'"),
    m("excepted without exception", setv(["findings", 3, "exception"], None),
      "needs an active exception"),
    m("exception state", setv(["findings", 3, "exception", "state"], "unused"),
      "only active or expired"),
    m("unknown key", setv(["findings", 0, "colour"], "red"), "unexpected key 'colour'"),
    m("key order", reorder, "must come first"),
    m("duplicate id", setv(["findings", 1, "id"], base["findings"][0]["id"]), "not unique"),
    m("ledger state", setv(["exceptions", 0, "state"], "lapsed"), "$.exceptions[0].state"),
    m("coverage", setv(["coverage"], "none"), "$.coverage"),
    m("file sha", setv(["evidence", "files", 0, "sha256"], "ABC"), ".sha256"),
    m("gaps", drop(["evidence", "gaps"]), "missing key 'gaps'"),
    m("overall", setv(["overall"], "pass"), "$.overall"),
]
# layout and encoding
text = dump(base)
for name, raw, expect in [
    ("tabs", json.dumps(base, indent="\t", ensure_ascii=False).encode() + b"\n", "layout"),
    ("indented findings", json.dumps(base, indent=2, ensure_ascii=False).encode() + b"\n", "layout"),
    ("no newline", text[:-1], "layout"),
    ("compact", json.dumps(base, ensure_ascii=False).encode() + b"\n", "layout"),
    ("latin-1", text.replace(b"111122223333", b"11112222\xe9333", 1), "UTF-8"),
    ("duplicate key", text.replace(b'"schema": "ecraudit.findings/v2",',
                                   b'"schema": "ecraudit.findings/v2",\n  "schema": "x",', 1),
     "duplicate key"),
    ("duplicate key in a finding", text.replace(b'{"id":', b'{"id":"x","id":', 1),
     "duplicate key"),
]:
    errs = fs.check_text(raw)
    ok_ = any(expect in e for e in errs)
    if not ok_: print(f"mutation {name!r}: expected {expect!r}, got {errs}")
    results.append(ok_)
sys.exit(0 if all(results) else 1)
EOF

# ---- 2b. the JSON Schema on its own ------------------------------------------------
if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
  if [ "${CI:-}" = true ]; then bad "python3-jsonschema is installed (.ci/packages.txt)"
  else echo "skip - python3-jsonschema not installed: docs/findings.schema.json not applied"; fi
else
  if "$PY" - "$CHECK" "$tmp/fixture.json" "$tmp/fixture-hostile.json" <<'EOF'; then ok "the JSON Schema accepts the fixtures and rejects every mutation"; else bad "the JSON Schema accepts the fixtures and rejects every mutation"; fi
import copy, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("fs", sys.argv[1])
fs = importlib.util.module_from_spec(spec); spec.loader.exec_module(fs)
ok = True
for path in sys.argv[2:]:
    errs = fs.schema_errors(json.load(open(path, encoding="utf-8")))
    if errs != []:
        print(f"{path}: {errs[:5]}"); ok = False
base = json.load(open(sys.argv[2], encoding="utf-8"))
def at(d, path):
    for k in path[:-1]: d = d[k]
    return d, path[-1]
def setv(*pairs):
    def fn(d):
        for path, v in pairs:
            o, k = at(d, path); o[k] = v
    return fn
def drop(path):
    def fn(d):
        o, k = at(d, path); del o[k]
    return fn
f0 = base["findings"][0]
excepted = next(i for i, f in enumerate(base["findings"]) if f["status"] == "excepted")
allow = next(i for i, f in enumerate(base["findings"]) if f["decision"] == "allow")
rs0 = f0["repository_set"]
no_change = {"sha256": "0" * 64, "generated_at": None, "new": [], "resolved": [], "changed": []}
every_unchanged = [(["findings", i, "change"], "unchanged") for i in range(len(base["findings"]))]
cases = [
    ("status", setv((["findings", 0, "status"], "failed")), "$.findings[0].status"),
    ("severity", setv((["findings", 0, "severity"], "severe")), "$.findings[0].severity"),
    ("kind", setv((["findings", 0, "principal", "kind"], "group")), "$.findings[0].principal.kind"),
    ("access_level", setv((["findings", 0, "access_level"], "write")), "$.findings[0].access_level"),
    ("decision", setv((["findings", 0, "decision"], "deny")), "$.findings[0].decision"),
    ("via source", setv((["findings", 0, "via"], [{"policy": "p", "statement": "0", "source": "scp"}])),
     "$.findings[0].via[0].source"),
    ("limited_by source", setv((["findings", 0, "limited_by"],
                                [{"policy": "p", "statement": "0", "source": "identity"}])),
     "$.findings[0].limited_by[0].source"),
    ("change without baseline", setv((["findings", 0, "change"], "new")), "$.findings[0]"),
    ("change value", setv((["baseline"], no_change), *every_unchanged,
                          (["findings", 0, "change"], "moved")), "$.findings[0].change"),
    ("change missing", setv((["baseline"], no_change)), "$.findings[0]"),
    ("ledger state", setv((["exceptions", 0, "state"], "lapsed")), "$.exceptions[0].state"),
    ("exception state", setv((["findings", excepted, "exception", "state"], "unused")),
     f"$.findings[{excepted}].exception"),
    ("excepted without exception", setv((["findings", excepted, "exception"], None)),
     f"$.findings[{excepted}].exception"),
    ("allow with undecided keys",
     setv((["findings", allow, "undecided_conditions"], ["aws:SourceIp"])),
     f"$.findings[{allow}].undecided_conditions"),
    ("no actions", setv((["findings", 0, "status"], "fail"), (["findings", 0, "actions"], [])),
     "$.findings[0].actions"),
    ("action", setv((["findings", 0, "actions"], ["ecr-public:PutImage"])),
     "$.findings[0].actions[0]"),
    ("passing write", setv((["findings", 0, "status"], "pass"),
                           (["findings", 0, "access_level"], "Write")),
     "$.findings[0].access_level"),
    ("missing key", drop(["findings", 0, "remediation"]), "$.findings[0]"),
    ("unknown key", setv((["findings", 0, "colour"], "red")), "$.findings[0]"),
    ("repository_set key", setv((["findings", 0, "repository_set"], "set-1")),
     "$.findings[0].repository_set"),
    ("set name", setv((["repository_sets", "set-1"], {"all": False, "repositories": ["*"]})),
     "$.repository_sets"),
    ("registry with others", setv((["repository_sets", rs0, "repositories"],
                                   ["*", "arn:aws:ecr:us-east-1:111122223333:repository/a"])),
     f"$.repository_sets.{rs0}.repositories"),
    ("registry is not every repository",
     setv((["repository_sets", rs0], {"all": True, "repositories": ["*"]})),
     f"$.repository_sets.{rs0}.all"),
    ("repository", setv((["repository_sets", rs0, "repositories"], ["team-a/api"])),
     f"$.repository_sets.{rs0}.repositories[0]"),
    ("schema", setv((["schema"], "ecraudit.findings/v1")), "$.schema"),
    ("as_of", setv((["as_of"], "2026-02-30")), "$.as_of"),
    ("generated_at", setv((["generated_at"], "2026-11-27 12:00")), "$.generated_at"),
    ("sha256", setv((["evidence", "files", 0, "sha256"], "ABC")), "$.evidence.files[0].sha256"),
    ("overall", setv((["overall"], "pass")), "$.overall"),
    ("summary type", setv((["summary", "pass"], "1")), "$.summary.pass"),
    ("mapping", setv((["control", "mappings"], [{"framework": "SOC 2"}])), "$.control.mappings[0]"),
]
for name, fn, where in cases:
    d = copy.deepcopy(base); fn(d)
    errs = fs.schema_errors(d)
    if not any(e.startswith(f"schema: {where}") for e in errs):
        print(f"JSON Schema mutation {name!r}: expected an error at {where}, got {errs}"); ok = False
sys.exit(0 if ok else 1)
EOF
  # the checker's command line fails on a file with a bad enum value, naming the schema
  "$PY" - "$CHECK" "$tmp/fixture.json" "$tmp/bad-enum.json" <<'EOF'
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("fs", sys.argv[1])
fs = importlib.util.module_from_spec(spec); spec.loader.exec_module(fs)
d = json.load(open(sys.argv[2], encoding="utf-8"))
d["findings"][0]["severity"] = "severe"
open(sys.argv[3], "w", encoding="utf-8").write(fs.layout(d))
EOF
  rc=0
  "$PY" "$CHECK" "$tmp/bad-enum.json" >"$tmp/bad-enum.log" 2>&1 || rc=$?
  if [ "$rc" = 1 ] && grep -qF "schema: \$.findings[0].severity: 'severe' is not one of" "$tmp/bad-enum.log"
  then ok "findings_schema.py exits 1 on a bad severity, naming the JSON Schema's verdict"
  else cat "$tmp/bad-enum.log"; bad "findings_schema.py exits 1 on a bad severity (exit $rc)"; fi
fi

# ---- 3. the real report on samples/acme ---------------------------------------------
acme="$ECR_SRC/samples/acme"
if [ -f "$acme/ledger.json" ]; then
  run() {
    local out=$1 rc=0
    SOURCE_DATE_EPOCH=1795780800 "$ECRAUDIT" report --evidence "$acme" \
      --exceptions "$acme/ledger.json" --format json --out "$out" >"$out.log" 2>&1 || rc=$?
    echo "$rc"
  }
  rc=$(run "$tmp/acme1")
  if { [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && [ -s "$tmp/acme1/findings.json" ]; then
    ok "ecraudit report on samples/acme (exit $rc)"
  else
    cat "$tmp/acme1.log"; bad "ecraudit report on samples/acme (exit $rc)"
  fi
  if [ -s "$tmp/acme1/findings.json" ] &&
    "$PY" "$CHECK" "$tmp/acme1/findings.json" --evidence "$acme" --ledger "$acme/ledger.json"
  then ok "acme findings.json matches the contract and the evidence hashes"
  else bad "acme findings.json matches the contract and the evidence hashes"; fi
  if [ -s "$tmp/acme1/findings.json" ] && "$PY" - "$tmp/acme1/findings.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
states = {e["state"] for e in d["exceptions"]}
missing = {"active", "expired", "unused", "invalid"} - states
if missing: print("acme ledger lacks states:", sorted(missing)); sys.exit(1)
EOF
  then ok "acme findings.json shows every ledger state"
  else bad "acme findings.json shows every ledger state"; fi
  rc2=$(run "$tmp/acme2")
  if [ "$rc2" = "$rc" ] && cmp -s "$tmp/acme1/findings.json" "$tmp/acme2/findings.json"; then
    ok "acme findings.json is byte-identical across runs"
  else bad "acme findings.json is byte-identical across runs"; fi
else
  echo "skip - samples/acme/ledger.json not present yet"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
