#!/usr/bin/env bash
# The organisation report (issue 18; DESIGN.md "Organisation evidence (layout)", `merge`):
#  1. report --evidence on the hand-written layout tests/org/evidence: the findings of
#     expected.tsv (README.md derives them), exit 1, schema-valid;
#  2. merge of the per-account reports (report --evidence evidence/accounts/<id>) agrees with
#     it: same ids, statuses, severities, accounts and summary; schema-valid;
#  3. merge of bad input: one line naming the file, exit 2, nothing written, an earlier
#     findings.json left as it was; usage errors; --fail-on.
# Env (from CTest): ECRAUDIT, ECR_SRC, ECR_BUILD.
set -euo pipefail

PY=/usr/bin/python3
CHECK="$ECR_SRC/tests/cli/findings_schema.py"
PAGES="$ECR_SRC/tests/org/check_pages.py"
ORG="$ECR_SRC/tests/org/evidence"
tmp=$(mktemp -d "${ECR_BUILD}/org-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1"; }
check() { if "$@"; then ok "$desc"; else bad "$desc"; fi; }
export SOURCE_DATE_EPOCH=1764547200 # 2025-12-01: byte-stable generated_at

# ---- 1. report --evidence on the organisation layout ----------------------------
rc=0
"$ECRAUDIT" report --evidence "$ORG" --out "$tmp/org" --as-of 2026-12-01 2>"$tmp/org.err" || rc=$?
desc="report --evidence ORG exits 1 (non-compliant)"; check [ "$rc" = 1 ]
desc="report --evidence ORG: summary line names the organisation"
check grep -q "organisation of 3 accounts (2 fail, 0 unknown, 1 pass): non-compliant: 9 fail, 0 unknown, 0 excepted, 8 pass" "$tmp/org.err"
desc="report --evidence ORG writes findings.json, report.html, report.junit.xml and report.pdf"
check [ "$(ls "$tmp/org" | tr '\n' ' ')" = "findings.json report.html report.junit.xml report.pdf " ]
desc="organisation report.pdf: qpdf finds no error; one bookmark per account; each account's open findings (worst first, 25 at most) are in its text"
check "$PY" "$PAGES" pdf "$tmp/org/report.pdf" "$tmp/org/findings.json"
desc="organisation report.html: parses as HTML, names every account with its counts, no script"
check "$PY" "$PAGES" html "$tmp/org/report.html" "$tmp/org/findings.json"
desc="organisation findings.json matches the contract"; check "$PY" "$CHECK" "$tmp/org/findings.json"
desc="organisation findings.json: every file's SHA-256 (paths relative to ORG)"
check "$PY" "$CHECK" "$tmp/org/findings.json" --evidence "$ORG"
desc="organisation findings are expected.tsv"
check "$PY" - "$tmp/org/findings.json" "$ECR_SRC/tests/org/expected.tsv" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((f["account"], f["principal"]["arn"], f["access_level"], f["status"],
              str(f["repository_count"])) for f in d["findings"])
want = sorted(tuple(l.rstrip("\n").split("\t")) for l in open(sys.argv[2]) if not l.startswith("#"))
if got != want:
    for x in sorted(set(got) ^ set(want)): print("differs:", x, "(got)" if x in got else "(expected)")
    sys.exit(1)
assert d["accounts"] == ["111111111111", "222222222222", "333333333333"], d["accounts"]
assert d["account"] == "111111111111"
assert d["summary"] == {"fail": 9, "excepted": 0, "unknown": 0, "pass": 8}, d["summary"]
# cross-account grants decided on both sides: account 222222222222's principals named
x = {(f["access_level"], tuple(f["actions"])): f["impact"] for f in d["findings"]
     if f["principal"]["arn"] == "arn:aws:iam::222222222222:root"}
push = x[("Write", ("ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"))]
assert push.startswith("Decided on both sides") and "are: arn:aws:iam::222222222222:user/bob." in push, push
assert "role/reader" not in push, push
read = x[("Read", ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"))]
assert "are: arn:aws:iam::222222222222:user/bob." in read and "some of these actions or repositories by their own policies: arn:aws:iam::222222222222:role/reader." in read, read
delete = x[("Write", ("ecr:DeleteRepository",))]
assert "none of its principals" in delete and "user/bob" not in delete, delete  # B's SCP denies it
assert not any("The identity policies of account 222222222222 decide" in c for c in d["coverage"]), d["coverage"]
assert any("Account 222222222222 is in the organisation's evidence" in c for c in d["coverage"]), d["coverage"]
assert d["overall"] == "fail"
# bob's DeleteRepository: denied by the OU's SCP from organization/222222222222-scps.json
bob = [f for f in d["findings"] if f["principal"]["arn"].endswith(":user/bob")]
assert bob and not any("ecr:DeleteRepository" in f["actions"] for f in bob), bob
paths = [f["path"] for f in d["evidence"]["files"]]
assert "organization/222222222222-scps.json" in paths and "accounts/222222222222/iam/account-authorization-details.json" in paths, paths
# repository sets renumbered over the organisation: keys rs-1..rs-N, each used
assert sorted(d["repository_sets"], key=lambda k: int(k[3:])) == ["rs-%d" % i for i in range(1, len(d["repository_sets"]) + 1)]
assert len({f["id"] for f in d["findings"]}) == len(d["findings"])
assert any("333333333333" in c and "Service control policies were not collected" in c for c in d["coverage"]), d["coverage"]
PYEOF

desc="organisation report.junit.xml is valid against the Jenkins JUnit schema"
check xmllint --noout --schema "$ECR_SRC/tests/data/junit/jenkins-junit.xsd" "$tmp/org/report.junit.xml"
desc="organisation report.junit.xml: a summary suite (one case per account), then each account's suite"
check "$PY" - "$tmp/org/report.junit.xml" "$tmp/org/findings.json" <<'PYEOF'
import json, sys
from junitparser import Error, Failure, JUnitXml, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
d = json.load(open(sys.argv[2]))
suites = list(xml)
assert [s.name for s in suites] == ["C-0222 Minimize user access to Amazon ECR: organisation summary"] + \
    ["%s C-0222 Minimize user access to Amazon ECR" % a for a in d["accounts"]], [s.name for s in suites]
total = {"tests": 0, "failures": 0, "errors": 0}
for s in suites:
    cases = list(s)
    kinds = [type(r).__name__ for c in cases for r in c.result]
    assert s.tests == len(cases) and s.failures == kinds.count("Failure") and s.errors == kinds.count("Error"), s.name
    total["tests"] += len(cases); total["failures"] += s.failures; total["errors"] += s.errors
assert (xml.tests, xml.failures, xml.errors) == (total["tests"], total["failures"], total["errors"])
summary = {c.name: c for c in suites[0]}
assert sorted(summary) == d["accounts"]
assert isinstance(summary["111111111111"].result[0], Failure) and summary["111111111111"].result[0].type == "critical"
assert "arn:aws:iam::222222222222:root" in summary["111111111111"].result[0].message
assert isinstance(summary["222222222222"].result[0], Failure) and summary["222222222222"].result[0].type == "high"
assert not summary["333333333333"].result
# each account's suite: one case per principal with findings, failing when one of its findings fails
for s in suites[1:]:
    acct = s.name.split()[0]
    principals = {f["principal"]["arn"] for f in d["findings"] if f["account"] == acct}
    assert {c.name for c in s} == principals, (acct, {c.name for c in s}, principals)
PYEOF

# ---- 2. per-account reports, then merge: the same findings --------------------------
for a in 111111111111 222222222222 333333333333; do
  rc=0
  "$ECRAUDIT" report --evidence "$ORG/accounts/$a" --out "$tmp/acct/$a" --format json --as-of 2026-12-01 --quiet || rc=$?
  desc="report on accounts/$a alone exits $([ $a = 333333333333 ] && echo 0 || echo 1)"
  check [ "$rc" = "$([ $a = 333333333333 ] && echo 0 || echo 1)" ]
done
rc=0
"$ECRAUDIT" merge --out "$tmp/merged" "$tmp"/acct/*/findings.json 2>"$tmp/merge.err" || rc=$?
desc="merge exits 1 (non-compliant)"; check [ "$rc" = 1 ]
desc="merged findings.json matches the contract"; check "$PY" "$CHECK" "$tmp/merged/findings.json"
desc="merge and report --evidence agree (ids, statuses, severities, accounts, summary, sets)"
check "$PY" - "$tmp/org/findings.json" "$tmp/merged/findings.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda d: sorted((f["id"], f["status"], f["severity"], f["account"], f["principal"]["arn"],
                        f["access_level"], tuple(f["actions"]),
                        tuple(d["repository_sets"][f["repository_set"]]["repositories"])) for f in d["findings"])
assert key(a) == key(b), set(key(a)) ^ set(key(b))
for k in ("accounts", "summary", "overall", "account", "coverage", "exceptions"):
    assert a[k] == b[k], (k, a[k], b[k])
PYEOF
desc="merge and report --evidence write the same report.junit.xml (byte for byte)"
check cmp "$tmp/org/report.junit.xml" "$tmp/merged/report.junit.xml"
desc="merge and report --evidence write the same report.html (byte for byte)"
check cmp "$tmp/org/report.html" "$tmp/merged/report.html"
desc="merge and report --evidence write the same report.pdf (byte for byte)"
check cmp "$tmp/org/report.pdf" "$tmp/merged/report.pdf"
desc="merge of account 111111111111 alone: its grant to 222222222222 (not in that report) is listed as access for a principal outside the accounts"
rc=0; "$ECRAUDIT" merge --quiet --out "$tmp/m1" "$tmp/acct/111111111111/findings.json" || rc=$?
check bash -c '[ "$1" = 1 ] && "$2" "$3" html "$4/report.html" "$4/findings.json" && grep -q "give access to principals outside these accounts" "$4/report.html" && "$2" "$3" pdf "$4/report.pdf" "$4/findings.json"' _ "$rc" "$PY" "$PAGES" "$tmp/m1"
desc="... and with 222222222222 in the report it is not (decided on both sides instead)"
check bash -c 'grep -q "No open finding gives access to a principal outside the 3 accounts" "$1"' _ "$tmp/merged/report.html"
desc="merge --format json writes findings.json only"
rc=0; "$ECRAUDIT" merge --quiet --format json --out "$tmp/mj" "$tmp"/acct/*/findings.json || rc=$?
check [ "$(ls "$tmp/mj")" = findings.json ]
desc="merge of the files in another order writes the same findings.json"
rc=0
"$ECRAUDIT" merge --quiet --out "$tmp/merged2" "$tmp/acct/333333333333/findings.json" \
  "$tmp/acct/111111111111/findings.json" "$tmp/acct/222222222222/findings.json" || rc=$?
check "$PY" - "$tmp/merged/findings.json" "$tmp/merged2/findings.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ids = lambda d: sorted((f["id"], f["status"]) for f in d["findings"])
assert ids(a) == ids(b) and a["accounts"] == b["accounts"] and a["summary"] == b["summary"]
PYEOF
desc="merge --fail-on critical exits 1 (a critical cross-account push fails)"
rc=0; "$ECRAUDIT" merge --quiet --fail-on critical --out "$tmp/m3" "$tmp"/acct/*/findings.json || rc=$?
check [ "$rc" = 1 ]
desc="merge of the compliant account alone exits 0"
rc=0; "$ECRAUDIT" merge --quiet --out "$tmp/m4" "$tmp/acct/333333333333/findings.json" || rc=$?
check [ "$rc" = 0 ]
desc="report on accounts/111111111111 alone decides the cross-account grants too (its siblings are there)"
check grep -q "Decided on both sides: account 222222222222 is in the evidence" "$tmp/acct/111111111111/findings.json"
desc="merge --fail-on critical without the platform account exits 0 (bob's push is high)"
rc=0; "$ECRAUDIT" merge --quiet --fail-on critical --out "$tmp/m5" "$tmp/acct/222222222222/findings.json" || rc=$?
check [ "$rc" = 0 ]

# ---- 2b. inputs merge must take as they are -----------------------------------------
desc="merge reads findings.json in another layout and key order (pretty-printed, findings first, a stale 'change'): same findings.json"
"$PY" - "$tmp/acct/111111111111/findings.json" "$tmp/other.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
keys = list(d); keys.remove("findings"); keys.insert(0, "findings")
d = {k: d[k] for k in keys}
d["findings"][0]["change"] = "new"
open(sys.argv[2], "w").write(json.dumps(d, indent=4, ensure_ascii=True))
PYEOF
rc=0
"$ECRAUDIT" merge --quiet --out "$tmp/other" "$tmp/other.json" "$tmp/acct/222222222222/findings.json" \
  "$tmp/acct/333333333333/findings.json" || rc=$?
check cmp "$tmp/other/findings.json" "$tmp/merged/findings.json"
desc="merge: hostile strings reach findings.json and report.junit.xml escaped (XML 1.0 valid)"
"$PY" - "$tmp/acct/222222222222/findings.json" "$tmp/hostile.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"][0]
f["principal"]["arn"] = 'arn:aws:iam::222222222222:user/<x>&"\u0001\ufffe]]></testcase>'
f["remediation"] = "line\u0002 <script>alert(1)</script> & more"
d["coverage"].append("a \u0007 sentence with </system-out> in it")
open(sys.argv[2], "w").write(json.dumps(d, indent=2, ensure_ascii=False))
PYEOF
rc=0
"$ECRAUDIT" merge --quiet --out "$tmp/hostile" "$tmp/hostile.json" || rc=$?
check bash -c '[ "$1" = 1 ] && xmllint --noout --schema "$2" "$3/report.junit.xml" && python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$3/findings.json"' _ "$rc" "$ECR_SRC/tests/data/junit/jenkins-junit.xsd" "$tmp/hostile"
desc="merge: the hostile principal reaches report.html escaped"
check bash -c 'xmllint --html --noout "$1" 2>/dev/null && grep -qF "user/&lt;x&gt;&amp;" "$1" && ! grep -q "<x>" "$1"' _ "$tmp/hostile/report.html"
desc="report --evidence ORG --exceptions: one ledger for every account, listed once, matched counts added"
cat >"$tmp/ledger.json" <<'JSON'
[
  {"id": "EX-1", "principal": "arn:aws:iam::222222222222:user/bob", "repositories": ["*"],
   "actions": ["Write"], "justification": "release pipeline until CI moves", "approved_by": "sec",
   "ticket": "SEC-1", "expires": "2027-01-31"},
  {"id": "EX-2", "principal": "arn:aws:iam::999999999999:user/nobody", "repositories": ["*"],
   "actions": ["*"], "justification": "unused", "approved_by": "sec", "ticket": "SEC-2",
   "expires": "2027-01-31"}
]
JSON
rc=0
"$ECRAUDIT" report --quiet --evidence "$ORG" --out "$tmp/orgx" --as-of 2026-12-01 --exceptions "$tmp/ledger.json" --format json || rc=$?
check "$PY" - "$tmp/orgx/findings.json" "$rc" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert sys.argv[2] == "1"  # alice and the cross-account grant still fail
ex = {e["id"]: e for e in d["exceptions"]}
assert sorted(ex) == ["EX-1", "EX-2"], ex
assert ex["EX-1"]["state"] == "active" and ex["EX-1"]["matched"] == 1, ex["EX-1"]
assert ex["EX-2"]["state"] == "unused" and ex["EX-2"]["matched"] == 0, ex["EX-2"]
bob = [f for f in d["findings"] if f["principal"]["arn"].endswith(":user/bob") and f["access_level"] == "Write"]
assert len(bob) == 1 and bob[0]["status"] == "excepted", bob
assert d["summary"]["excepted"] == 1 and d["ledger"]["sha256"]
PYEOF
desc="findings_schema.py accepts it"; check "$PY" "$CHECK" "$tmp/orgx/findings.json"

# ---- 3. bad input ------------------------------------------------------------------
mkdir -p "$tmp/bad" "$tmp/keep"
cp "$tmp/merged/findings.json" "$tmp/keep/findings.json"
head -c 2000 "$tmp/acct/111111111111/findings.json" >"$tmp/bad/truncated.json"
echo '[1, 2]' >"$tmp/bad/array.json"
sed 's/"ecraudit.findings\/v2"/"ecraudit.findings\/v1"/' "$tmp/acct/111111111111/findings.json" >"$tmp/bad/schema.json"
bad_case() { # name, expected stderr pattern, files...
  local name=$1 pat=$2; shift 2
  local rc=0
  "$ECRAUDIT" merge --out "$tmp/keep" "$@" 2>"$tmp/err" || rc=$?
  desc="merge $name: exit 2"; check [ "$rc" = 2 ]
  desc="merge $name: one line on stderr matching '$pat'"
  check bash -c '[ "$(wc -l <"$1")" = 1 ] && grep -q -- "$2" "$1"' _ "$tmp/err" "$pat"
  desc="merge $name: the earlier findings.json intact, no temporary file left"
  check bash -c 'cmp -s "$1/findings.json" "$2" && [ "$(ls "$1")" = findings.json ]' _ "$tmp/keep" "$tmp/merged/findings.json"
}
bad_case "a truncated file" "truncated.json: line" "$tmp/acct/222222222222/findings.json" "$tmp/bad/truncated.json"
bad_case "not an object" "array.json: is not a findings.json" "$tmp/bad/array.json"
bad_case "another schema" "schema.json: is not a findings.json of schema ecraudit.findings/v2" "$tmp/bad/schema.json"
bad_case "a missing file" "nope.json" "$tmp/acct/222222222222/findings.json" "$tmp/bad/nope.json"
bad_case "one account twice" "account 222222222222 is already in the merge" \
  "$tmp/acct/222222222222/findings.json" "$tmp/acct/222222222222/findings.json"
bad_case "an organisation report" "is already an organisation report" "$tmp/org/findings.json"
sed 's/222222222222/444444444444/g' "$tmp/acct/222222222222/findings.json" >"$tmp/bad/copy.json"
bad_case "a copy under another account (same ids)" "copy.json: findings\[0\] has the id of a finding of an earlier file" \
  "$tmp/acct/222222222222/findings.json" "$tmp/bad/copy.json"
desc="an unreadable bundle of another account: report on accounts/111111111111 still decides its own findings, the cross-account side stays undecided (a coverage sentence)"
cp -r "$ORG" "$tmp/broken"
echo '{"UserDetailList": [' >"$tmp/broken/accounts/222222222222/iam/account-authorization-details.json"
rc=0
"$ECRAUDIT" report --quiet --evidence "$tmp/broken/accounts/111111111111" --out "$tmp/brokenA" --format json --as-of 2026-12-01 || rc=$?
check bash -c '[ "$1" = 1 ] && grep -q "The bundle of account 222222222222 in the organisation could not be read (accounts/222222222222/iam/account-authorization-details.json: line 2" "$2" && ! grep -q "Decided on both sides" "$2"' _ "$rc" "$tmp/brokenA/findings.json"
desc="... and the organisation report is exit 2 naming that bundle's file"
rc=0
"$ECRAUDIT" report --evidence "$tmp/broken" --out "$tmp/brokenO" 2>"$tmp/err" || rc=$?
check bash -c '[ "$1" = 2 ] && grep -q "accounts/222222222222/iam/account-authorization-details.json: line 2" "$2" && [ ! -e "$3/findings.json" ]' _ "$rc" "$tmp/err" "$tmp/brokenO"
for args in "" "--out $tmp/x" "$tmp/acct/222222222222/findings.json" "--out $tmp/x --bogus $tmp/acct/222222222222/findings.json" \
  "--out $tmp/x --format asff $tmp/acct/222222222222/findings.json"; do
  rc=0
  # shellcheck disable=SC2086
  "$ECRAUDIT" merge $args 2>"$tmp/err" || rc=$?
  desc="merge ${args:-(no arguments)}: usage error, exit 2"; check [ "$rc" = 2 ]
done
desc="merge --help"; check bash -c '"$1" merge --help | grep -q "usage: ecraudit merge"' _ "$ECRAUDIT"

# an account collect --org listed but could not collect: unknown, never left out
cp -r "$ORG" "$tmp/gapped"
(ls "$ORG/accounts"; echo 444444444444) >"$tmp/gapped/organization/account-ids.txt"
mkdir -p "$tmp/gapped/organization/gaps"
cat >"$tmp/gapped/organization/gaps/444444444444.json" <<'JSON'
{"account": "444444444444", "gaps": [{"source": "sts:AssumeRole", "resource": "arn:aws:iam::444444444444:role/ecraudit-readonly", "error": "AccessDenied: not authorized to perform sts:AssumeRole"}]}
JSON
rc=0
"$ECRAUDIT" report --evidence "$tmp/gapped" --out "$tmp/gappedO" --as-of 2026-12-01 2>"$tmp/gapped.err" || rc=$?
desc="an account listed in account-ids.txt without a bundle is unknown (exit 1, 4 accounts, 1 unknown)"
check bash -c '[ "$1" = 1 ] && grep -q "organisation of 4 accounts (2 fail, 1 unknown, 1 pass): non-compliant: 9 fail, 1 unknown" "$2"' _ "$rc" "$tmp/gapped.err"
desc="... its finding names the recorded error, and the report keeps its schema"
check bash -c '"$1" "$2" "$3" >/dev/null && grep -q "sts:AssumeRole on arn:aws:iam::444444444444:role/ecraudit-readonly: AccessDenied" "$3" && grep -q ">444444444444</a></th>" "$4"' _ "$PY" "$CHECK" "$tmp/gappedO/findings.json" "$tmp/gappedO/report.html"
rc=0
"$ECRAUDIT" merge --out "$tmp/gappedM" "$tmp"/acct/*/findings.json "$tmp/gapped/organization/gaps/444444444444.json" 2>"$tmp/gappedM.err" || rc=$?
desc="merge takes the gap file too: the same organisation (4 accounts, 1 unknown)"
check bash -c '[ "$1" = 1 ] && grep -q "organisation of 4 accounts (2 fail, 1 unknown, 1 pass)" "$2"' _ "$rc" "$tmp/gappedM.err"

echo "# $passed passed, $failed failed"
[ "$failed" = 0 ]
