#!/usr/bin/env bash
# The documentation lives in the repository (docs/README.md) and stays in step
# with the code:
#  1. README.md and docs/*.md point at nothing outside the repository (no
#     ../shared/...), and every relative Markdown link resolves;
#  2. docs/findings.schema.json is JSON (and a valid draft 2020-12 schema when
#     python3-jsonschema is installed);
#  3. every key the schema names is described in docs/findings.md;
#  4. the names the C code writes (src/report/model.c, src/report/baseline.c,
#     src/ledger/ledger.c) are exactly the schema's enums (principal kinds: the
#     code's are a subset, the contract reserves federated and k8s).
# Env (from CTest): ECR_SRC.
set -euo pipefail
: "${ECR_SRC:?}"
exec /usr/bin/python3 - "$ECR_SRC" <<'EOF'
import glob, json, os, re, sys

src = sys.argv[1]
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}" + (f": {detail}" if detail else ""))


pages = [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
check(len(pages) >= 6, "docs/ holds README, evidence-bundle, evaluation, findings and ledger pages",
      ", ".join(os.path.basename(p) for p in pages))

# ---- 1. nothing outside the repository ---------------------------------------------
for page in pages:
    text = open(page, encoding="utf-8").read()
    rel = os.path.relpath(page, src)
    outside = sorted(set(re.findall(r"\.\./shared\S*|shared/DESIGN\.md", text)))
    check(not outside, f"{rel} points at nothing outside the repository", ", ".join(outside))
    broken = []
    for m in re.finditer(r"\]\(([^)\s#]+)(?:#[^)]*)?\)", text):
        target = m.group(1)
        if re.match(r"^[a-z]+:", target):
            continue
        path = os.path.normpath(os.path.join(os.path.dirname(page), target))
        if not path.startswith(os.path.normpath(src) + os.sep) or not os.path.exists(path):
            broken.append(target)
    check(not broken, f"{rel}: every relative link resolves inside the repository", ", ".join(broken))

# ---- 2. the schema is a schema ---------------------------------------------------------
schema_path = os.path.join(src, "docs", "findings.schema.json")
try:
    schema = json.load(open(schema_path, encoding="utf-8"))
    check(True, "docs/findings.schema.json is JSON")
except ValueError as e:
    check(False, "docs/findings.schema.json is JSON", str(e))
    schema = {}
try:
    import jsonschema
except ImportError:
    jsonschema = None
    if os.environ.get("CI") == "true":
        check(False, "python3-jsonschema is installed (.ci/packages.txt)")
    else:
        print("skip - python3-jsonschema not installed: the schema's own validity is not checked")
if jsonschema is not None:
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        check(True, "docs/findings.schema.json is a valid draft 2020-12 schema")
    except jsonschema.exceptions.SchemaError as e:
        check(False, "docs/findings.schema.json is a valid draft 2020-12 schema", e.message)

# ---- 3. every key is documented ----------------------------------------------------------
keys = set()


def walk(node):
    if isinstance(node, dict):
        for k, v in (node.get("properties") or {}).items():
            keys.add(k)
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)


walk(schema)
findings_md = open(os.path.join(src, "docs", "findings.md"), encoding="utf-8").read()
missing = sorted(k for k in keys if f"`{k}`" not in findings_md)
check(keys and not missing, f"docs/findings.md describes every key of the schema ({len(keys)})",
      ", ".join(missing))

# ---- 4. the code's names are the schema's enums -----------------------------------------------
defs = schema.get("$defs", {})


def c_names(rel, anchor):
    text = open(os.path.join(src, rel), encoding="utf-8").read()
    i = text.find(anchor)
    if i < 0:
        return None
    body = text[i:text.find("};", i)]
    return [n for n in re.findall(r'"([^"]*)"', body) if n]


def enum_of(d):
    return d.get("enum") or []


pairs = [
    ("status", "src/report/model.c", "ecr_check_status_name", enum_of(defs.get("status", {})), "eq"),
    ("severity", "src/report/model.c", "ecr_severity_name", enum_of(defs.get("severity", {})), "eq"),
    ("principal kind", "src/report/model.c", "ecr_principal_kind_name", enum_of(defs.get("kind", {})), "sub"),
    ("ledger state", "src/ledger/ledger.c", "ecr_ledger_state_name", enum_of(defs.get("ledger_state", {})), "eq"),
    ("access level", "src/ledger/ledger.c", "level_names[]", enum_of(defs.get("access_level", {})), "eq"),
    ("change", "src/report/baseline.c", "ecr_change_name",
     enum_of(defs.get("finding", {}).get("properties", {}).get("change", {})), "eq"),
    ("via and limited_by source", "src/report/model.c", "ecr_source_name",
     enum_of(defs.get("via", {}).get("properties", {}).get("source", {})) +
     enum_of(defs.get("limit", {}).get("properties", {}).get("source", {})), "eq"),
]
for what, rel, anchor, enum, how in pairs:
    names = c_names(rel, anchor)
    if names is None:
        check(False, f"{what}: names found in {rel}", f"no {anchor}")
        continue
    ok = set(names) <= set(enum) if how == "sub" else sorted(names) == sorted(enum)
    check(ok and enum, f"{what}: {rel} writes the schema's values", f"code {names}, schema {enum}")
decision = c_names("src/report/model.c", "ecr_decision_name")
check(decision is not None and sorted(set(decision) - {"deny"}) == sorted(enum_of(defs.get("decision", {}))),
      "decision: the schema has the code's values except deny (a denied cell is no finding)",
      f"code {decision}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
