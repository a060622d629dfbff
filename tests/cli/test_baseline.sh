#!/usr/bin/env bash
# Drift against a previous run (issue 15 point 11): two bundles built from
# samples/acme, the second with one grant removed (dana.contractor's push on
# team-b/worker) and one added (the management account 999988880000, inside the organization, may push to team-a/api).
# `report --baseline OLD/findings.json` marks the removed grant resolved and
# the added one new in findings.json (schema-checked), the PDF, the HTML and
# the JUnit file; a file that is not a findings.json is refused with exit 2.
set -euo pipefail
: "${ECRAUDIT:?}" "${ECR_SRC:?}" "${ECR_BUILD:?}"
PY=/usr/bin/python3
work=$(mktemp -d "$ECR_BUILD/baseline-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cp -r "$ECR_SRC/samples/acme" "$work/old"
cp -r "$ECR_SRC/samples/acme" "$work/new"
"$PY" - "$work/new" <<'PYEOF'
import hashlib, json, os, sys
root = sys.argv[1]
path = os.path.join(root, "ecr/us-east-1/repository-policies.json")
pols = json.load(open(path))
out = []
for p in pols:
    doc = json.loads(p["policyText"])
    if p["repositoryName"] == "team-b/worker":
        doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") != "ContractorPush"]
    if p["repositoryName"] == "team-a/api":
        doc["Statement"].append({"Sid": "PartnerPush", "Effect": "Allow",
                                 "Principal": {"AWS": "arn:aws:iam::999988880000:root"},
                                 "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                                            "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                                            "ecr:PutImage"]})
    if doc["Statement"]:
        p["policyText"] = json.dumps(doc, indent=2)
        out.append(p)
with open(path, "w") as f:
    json.dump(out, f, indent=2)
man = os.path.join(root, "manifest.json")
m = json.load(open(man))
for f in m.get("files", []):
    data = open(os.path.join(root, f["path"]), "rb").read()
    f["sha256"] = hashlib.sha256(data).hexdigest()
    f["size"] = len(data)
json.dump(m, open(man, "w"), indent=4)
PYEOF

run() { # run OUT EVIDENCE [args]: report, exit 0 or 1 expected
  local out=$1 ev=$2
  shift 2
  set +e
  "$ECRAUDIT" report --evidence "$ev" --exceptions "$ev/ledger.json" --as-of 2026-11-27 \
    --out "$out" "$@" >"$work/cli.out" 2>"$work/cli.err"
  local rc=$?
  set -e
  [ "$rc" -le 1 ] || { cat "$work/cli.err"; fail "ecraudit report exited $rc"; }
  echo "$rc"
}
run "$work/r-old" "$work/old" >/dev/null
rc=$(run "$work/r-new" "$work/new" --baseline "$work/r-old/findings.json")

"$PY" "$ECR_SRC/tests/cli/findings_schema.py" "$work/r-new/findings.json" >/dev/null ||
  fail "findings.json with a baseline breaks the schema: $("$PY" "$ECR_SRC/tests/cli/findings_schema.py" "$work/r-new/findings.json" | head -5)"
ids=$("$PY" - "$work/r-old/findings.json" "$work/r-new/findings.json" <<'PYEOF'
import hashlib, json, sys
old = json.load(open(sys.argv[1])); new = json.load(open(sys.argv[2]))
b = new["baseline"]
assert b["sha256"] == hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest(), "baseline.sha256"
assert b["generated_at"] == old["generated_at"], "baseline.generated_at"
old_ids = {f["id"]: f for f in old["findings"]}
new_ids = {f["id"]: f for f in new["findings"]}
assert set(b["resolved"]) == set(old_ids) - set(new_ids), "resolved = old ids not in the new file"
assert set(b["new"]) == set(new_ids) - set(old_ids), "new = ids not in the old file"
dana = [i for i in b["resolved"] if old_ids[i]["principal"]["arn"].endswith(":user/dana.contractor")
        and old_ids[i]["access_level"] == "Write"]
assert dana, f"dana.contractor's removed push is not resolved: {b['resolved']}"
partner = [i for i in b["new"] if new_ids[i]["principal"]["arn"] == "arn:aws:iam::999988880000:root"]
assert partner and all(new_ids[i]["change"] == "new" for i in partner), "the added grant is not new"
assert any(new_ids[i]["status"] == "fail" for i in partner), "the added grant does not fail"
for i, f in new_ids.items():
    if i in old_ids:
        same = (f["status"], f["severity"]) == (old_ids[i]["status"], old_ids[i]["severity"])
        assert f["change"] == ("unchanged" if same else "changed"), (i, f["change"])
print(dana[0], [i for i in partner if new_ids[i]["status"] == "fail"][0])
PYEOF
) || fail "baseline in findings.json"
read -r resolved_id new_id <<<"$ids"
echo "findings.json: $resolved_id resolved, $new_id new"

# PDF: the cover counts, the drift section lists the resolved finding
cover=$(pdftotext -raw -f 1 -l 1 "$work/r-new/report.pdf" - | tr -s ' \n' ' ')
[[ $cover == *"Since the baseline of"*"resolved"* ]] || fail "PDF cover has no baseline counts"
pdftotext -raw "$work/r-new/report.pdf" - | tr -d ' \n' >"$work/pdf.txt"
grep -q "Changessincethebaseline" "$work/pdf.txt" || fail "PDF has no baseline section"
grep -q "$resolved_id" "$work/pdf.txt" || fail "PDF does not list the resolved $resolved_id"
grep -q "$new_id·new" "$work/pdf.txt" || fail "PDF does not mark $new_id new"
# HTML: the drift section lists the resolved one, the new finding's row says new
"$PY" - "$work/r-new/report.html" "$resolved_id" "$new_id" <<'PYEOF' || fail "HTML baseline"
import sys
from html.parser import HTMLParser
html = open(sys.argv[1], encoding="utf-8").read()
drift = html[html.index('id="drift"'):html.index('id="findings"')]
assert sys.argv[2] in drift, "resolved id not in the drift section"
row = html[html.index(f'id="{sys.argv[3]}"'):]
row = row[:row.index("</tr>")]
assert 'class="chg chg-new"' in row, "new finding row has no new marker"
PYEOF
# JUnit: the new failure is named in its message (check_junit.py checks every new failure)
"$PY" "$ECR_SRC/tests/junit/check_junit.py" "$work/r-new/report.junit.xml" \
  --findings "$work/r-new/findings.json" --exit-status "$rc" || fail "junit with a baseline"
grep -q "\[new: $new_id\]" "$work/r-new/report.junit.xml" || fail "JUnit does not name $new_id as new"
echo "PDF, HTML and JUnit show the drift"

# not a findings.json: exit 2, one line naming the file, nothing written
for bad in "$work/old/manifest.json" "$work/missing.json"; do
  set +e
  "$ECRAUDIT" report --evidence "$work/old" --baseline "$bad" --out "$work/r-bad" \
    >/dev/null 2>"$work/bad.err"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "--baseline $bad exited $rc, want 2"
  [ "$(wc -l <"$work/bad.err")" -eq 1 ] || fail "--baseline $bad: not one line: $(cat "$work/bad.err")"
  grep -qF "$bad" "$work/bad.err" || fail "--baseline $bad: the message does not name the file"
  [ ! -e "$work/r-bad/findings.json" ] || fail "--baseline $bad: a report was written"
done
grep -q "not an ecraudit findings.json" <("$ECRAUDIT" report --evidence "$work/old" \
  --baseline "$work/old/manifest.json" --out "$work/r-bad" 2>&1) || fail "no reason for a wrong file"
# scan takes the option too, and refuses a wrong one before collecting anything
set +e
"$ECRAUDIT" scan --out "$work/scan-bad" --baseline "$work/old/manifest.json" \
  --endpoint-url http://127.0.0.1:9 --quiet --timeout 5 >/dev/null 2>"$work/scan.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "scan --baseline (not a findings.json) exited $rc, want 2"
[ ! -e "$work/scan-bad/evidence" ] || fail "scan collected before refusing a wrong --baseline"
"$ECRAUDIT" scan --help | grep -q -- --baseline || fail "scan --help does not mention --baseline"
"$ECRAUDIT" report --help | grep -q -- --baseline || fail "report --help does not mention --baseline"
echo PASS
