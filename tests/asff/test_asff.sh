#!/usr/bin/env bash
# findings.asff.json against Security Hub's own service model: botocore's
# parameter validator (python3-botocore, as the AWS CLI uses it) checks every
# slice of at most 100 findings as a BatchImportFindings request; the ASFF
# findings are exactly the failing, unknown and excepted findings of
# findings.json, with the statuses, severities, ids and repositories it says.
# Also: asff is written only when asked, and a hostile sample stays valid.
set -euo pipefail
: "${ECRAUDIT:?}" "${ECR_SRC:?}" "${ECR_BUILD:?}"
PY=/usr/bin/python3
work=$(mktemp -d "$ECR_BUILD/asff.XXXXXX")
trap 'rm -rf "$work"' EXIT
if ! "$PY" -c 'import botocore' 2>/dev/null; then
  echo "FAIL: python3-botocore is not installed (.ci/packages.txt installs it)"; exit 1
fi
fail() { echo "FAIL: $*"; exit 1; }

acme="$ECR_SRC/samples/acme"
rc=0
"$ECRAUDIT" report --evidence "$acme" --exceptions "$acme/ledger.json" --as-of 2026-11-27 \
  --out "$work/acme" --format json,asff >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "report on samples/acme: exit $rc (want 1: non-compliant)"
[ -s "$work/acme/findings.asff.json" ] || fail "no findings.asff.json"
rc=0
"$ECRAUDIT" report --evidence "$acme" --out "$work/default" --as-of 2026-11-27 >/dev/null 2>&1 || rc=$?
[ ! -e "$work/default/findings.asff.json" ] || fail "findings.asff.json written without --format asff"

# a bundle with a public push and invalid UTF-8 in names: still valid ASFF
gen="$ECR_BUILD/bench/ecraudit-gen"
"$gen" --profile broad --users 30 --roles 40 --groups 6 --policies 30 --repos 60 --regions 2 \
  --repo-policy-share 0.5 --scp-levels 2 --seed 7 --out "$work/gen" >/dev/null
rc=0
"$ECRAUDIT" report --evidence "$work/gen" --out "$work/genr" --format json,asff >/dev/null 2>&1 || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "report on a generated account: exit $rc"

for d in "$work/acme" "$work/genr"; do
"$PY" - "$d/findings.asff.json" "$d/findings.json" <<'PYEOF' || fail "ASFF check of $d"
import json, sys
import botocore.session
from botocore.validate import ParamValidator
asff = json.load(open(sys.argv[1], encoding="utf-8"))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
model = botocore.session.get_session().get_service_model("securityhub")
shape = model.operation_model("BatchImportFindings").input_shape
items = asff["Findings"]
errors = []
for i in range(0, max(len(items), 1), 100):
    report = ParamValidator().validate({"Findings": items[i:i + 100]}, shape)
    if report.has_errors():
        errors.append(report.generate_report()[:2000])
assert not errors, errors[0]
# the validator is not a no-op: a finding without a required member is refused
broken = json.loads(json.dumps(items[:1]))
if broken:
    del broken[0]["AwsAccountId"]
    broken[0]["Severity"]["Label"] = "SEVERE"
    assert ParamValidator().validate({"Findings": broken}, shape).has_errors(), "validator accepts a broken finding"
open_ = [f for f in doc["findings"] if f["status"] != "pass"]
assert len(items) == len(open_), (len(items), len(open_))
sev = {"critical": "CRITICAL", "high": "HIGH", "medium": "MEDIUM", "low": "LOW", "info": "INFORMATIONAL"}
ids = set()
for a, f in zip(items, open_):
    assert a["Id"] == f"ecraudit/{doc['account']}/{f['id']}", (a["Id"], f["id"])
    assert a["Id"] not in ids, a["Id"]
    ids.add(a["Id"])
    assert a["AwsAccountId"] == doc["account"]
    assert a["Severity"]["Label"] == sev[f["severity"]], (a["Severity"], f["severity"])
    want = {"fail": ("FAILED", "NEW"), "excepted": ("FAILED", "SUPPRESSED"),
            "unknown": ("NOT_AVAILABLE", "NEW")}[f["status"]]
    assert (a["Compliance"]["Status"], a["Workflow"]["Status"]) == want, (a["Compliance"], f["status"])
    assert a["Resources"][0]["Id"] == f["principal"]["arn"]
    repos = doc["repository_sets"][f["repository_set"]]["repositories"]
    listed = [r["Id"] for r in a["Resources"][1:]]
    if repos != ["*"]:
        assert listed == repos[:31], (listed[:3], repos[:3])
    assert a["ProductFields"]["ecraudit/repository_count"] == str(len(repos))
    assert len(a["Description"]) <= 1024 and len(a["Remediation"]["Recommendation"]["Text"]) <= 512
    assert "CIS Amazon EKS Benchmark 5.1.2" in a["Compliance"]["RelatedRequirements"]
print(f"ok {sys.argv[1]}: {len(items)} ASFF findings valid for BatchImportFindings")
PYEOF
done
# every findings.json written above: docs/findings.schema.json and tests/cli/findings_schema.py
"$PY" "$ECR_SRC/tests/cli/findings_schema.py" --tree "$work" || fail "findings.json breaks its schema"
echo "1 passed, 0 failed"
