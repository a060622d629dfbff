#!/usr/bin/env bash
# JUnit output, checked by real components:
#  1. the renderer's own unit test writes the fixture documents (plain,
#     hostile strings, every forbidden character) into a temporary directory;
#  2. xmllint validates each against the Jenkins JUnit schema (and must reject
#     a deliberately invalid copy, so the check has teeth);
#  3. junitparser (Debian's python3-junitparser, /usr/bin/python3) reads the
#     expected counts;
#     and the counts agree with a hand-written findings.json of the fixture;
#  4. for samples/acme: `ecraudit report --format junit,json` and the JUnit
#     counts agree with findings.json (summary and per-principal statuses).
#
# ECR_JUNIT_SAMPLES=require makes step 4 mandatory; the default (auto) runs it
# when samples/acme exists and the CLI writes both files, and says so when not.
set -euo pipefail
: "${ECR_SRC:?}" "${ECR_BUILD:?}"
XSD="$ECR_SRC/tests/data/junit/jenkins-junit.xsd"
PY=/usr/bin/python3
CHECK="$ECR_SRC/tests/junit/check_junit.py"
UNIT="$ECR_BUILD/tests/test_render_junit"
mode="${ECR_JUNIT_SAMPLES:-auto}"

mkdir -p "$ECR_BUILD/test-tmp"
work=$(mktemp -d "$ECR_BUILD/test-tmp/junit-sh.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. fixture documents
[ -x "$UNIT" ] || fail "$UNIT not built"
ECR_JUNIT_OUT="$work" "$UNIT" >"$work/unit.log" 2>&1 || { cat "$work/unit.log"; fail "unit test failed"; }
for f in fixture fixture-hostile fixture-forbidden; do
  [ -s "$work/$f.junit.xml" ] || fail "$f.junit.xml not written"
done

# 2. schema
for f in fixture fixture-hostile fixture-forbidden; do
  xmllint --noout --schema "$XSD" "$work/$f.junit.xml" || fail "$f.junit.xml is not schema-valid"
done
sed 's/<skipped>/<skipped message="x">/' "$work/fixture.junit.xml" >"$work/invalid.xml"
cmp -s "$work/fixture.junit.xml" "$work/invalid.xml" && fail "negative control did not change the file"
if xmllint --noout --schema "$XSD" "$work/invalid.xml" 2>/dev/null; then
  fail "xmllint accepted a document the schema forbids"
fi

# 3. junitparser
"$PY" -c 'import junitparser' || fail "python3-junitparser is not installed for /usr/bin/python3"
"$PY" "$CHECK" "$work/fixture.junit.xml" --expect tests=13,failures=7,errors=3,skipped=1 \
  --expect-name-contains 'arn:aws:iam::111122223333:role/tagger' \
  --expect-name-contains 'exception EX-002' || fail "junitparser check (fixture)"
"$PY" "$CHECK" "$work/fixture-hostile.junit.xml" --expect tests=13,failures=7,errors=3,skipped=1 \
  --expect-name-contains $'\u041f\u0440\u0438\u0432\u0435\u0442 \u6f22\u5b57' \
  --expect-name-contains '<img src=x onerror=alert(1)> "quoted"' || fail "junitparser check (hostile)"
"$PY" "$CHECK" "$work/fixture-forbidden.junit.xml" --expect tests=13,failures=7,errors=3,skipped=1 \
  || fail "junitparser check (forbidden characters)"
# the checker itself must notice wrong counts
if "$PY" "$CHECK" "$work/fixture.junit.xml" --expect tests=12 >/dev/null; then
  fail "check_junit.py accepted a wrong count"
fi
# the findings.json agreement check, on a hand-written findings.json for the
# fixture (tests/data/junit/fixture-findings.json), and on a wrong copy
FJ="$ECR_SRC/tests/data/junit/fixture-findings.json"
"$PY" "$CHECK" "$work/fixture.junit.xml" --findings "$FJ" --exit-status 1 \
  || fail "junit of the fixture disagrees with its findings.json"
sed 's/"status": "unknown"/"status": "pass"/' "$FJ" >"$work/wrong-findings.json"
if "$PY" "$CHECK" "$work/fixture.junit.xml" --findings "$work/wrong-findings.json" >/dev/null; then
  fail "check_junit.py accepted a findings.json that disagrees"
fi
echo "fixture: schema-valid, junitparser counts 13/7/3/1, agrees with its findings.json"

# 4. samples/acme through the CLI
sample="$ECR_SRC/samples/acme"
skip_sample() {
  [ "$mode" = require ] && fail "sample check required: $*"
  echo "NOTE: sample check not run: $*"
  exit 0
}
[ "$mode" = skip ] && exit 0
[ -f "$sample/ledger.json" ] || skip_sample "$sample/ledger.json does not exist yet"
: "${ECRAUDIT:?}"
out="$work/acme"
set +e
"$ECRAUDIT" report --evidence "$sample" --exceptions "$sample/ledger.json" \
  --format junit,json --out "$out" >"$work/cli.out" 2>"$work/cli.err"
rc=$?
set -e
if [ ! -f "$out/report.junit.xml" ] && [ ! -f "$out/findings.json" ]; then
  skip_sample "ecraudit report (exit $rc) wrote no report yet: $(head -c 300 "$work/cli.err")"
fi
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || { cat "$work/cli.err"; fail "ecraudit report exited $rc"; }
[ -s "$out/report.junit.xml" ] || fail "report.junit.xml missing"
[ -s "$out/findings.json" ] || fail "findings.json missing"
xmllint --noout --schema "$XSD" "$out/report.junit.xml" || fail "samples/acme report.junit.xml is not schema-valid"
"$PY" "$CHECK" "$out/report.junit.xml" --findings "$out/findings.json" --exit-status "$rc" \
  || fail "samples/acme: junit disagrees with findings.json"
echo "samples/acme: schema-valid, junit agrees with findings.json (exit $rc)"

# 5. a scan whose collection fails (exit 3) still writes report.junit.xml
#    with one error case (issue 15 point 14): nothing listens on port 9.
scan="$work/scan"
set +e
env -i PATH="$PATH" HOME="$work" AWS_ACCESS_KEY_ID=AKIAEXAMPLE AWS_SECRET_ACCESS_KEY=x \
  AWS_REGION=us-east-1 "$ECRAUDIT" scan --out "$scan" --endpoint-url http://127.0.0.1:9 \
  --quiet --timeout 5 >"$work/scan.out" 2>"$work/scan.err"
rc=$?
set -e
[ "$rc" -eq 3 ] || { cat "$work/scan.err"; fail "scan against a dead endpoint exited $rc, want 3"; }
[ -s "$scan/report.junit.xml" ] || fail "scan exit 3 wrote no report.junit.xml"
xmllint --noout --schema "$XSD" "$scan/report.junit.xml" || fail "collection-failure junit is not schema-valid"
"$PY" "$CHECK" "$scan/report.junit.xml" --expect tests=1,failures=0,errors=1,skipped=0 \
  --expect-name-contains 'evidence collection' || fail "junitparser check (collection failure)"
"$PY" - "$scan/report.junit.xml" "$work/scan.err" <<'PYEOF' || fail "collection-failure message"
import sys
from junitparser import JUnitXml, Error
suite = next(iter(JUnitXml.fromfile(sys.argv[1])))
case = next(iter(suite))
err = [r for r in case.result if isinstance(r, Error)][0]
stderr = open(sys.argv[2]).read().strip().removeprefix("ecraudit: ")
assert err.message.startswith("Evidence collection failed: "), err.message
assert stderr in err.message, (stderr, err.message)
PYEOF
echo "scan with a failed collection: exit 3, report.junit.xml with one error case"
# every findings.json written above: docs/findings.schema.json and tests/cli/findings_schema.py
"$PY" "$ECR_SRC/tests/cli/findings_schema.py" --tree "$work" || fail "findings.json breaks its schema"
