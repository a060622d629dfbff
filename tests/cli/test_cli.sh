#!/usr/bin/env bash
# The real binary: exit statuses and stderr of every error path, the report
# on samples/acme, a compliant bundle, unwritable outputs, determinism and
# the TSV order of `ecraudit matrix`.
# Env (from CTest): ECRAUDIT (binary), ECR_SRC (source tree), ECR_BUILD.
set -uo pipefail

: "${ECRAUDIT:?ECRAUDIT must name the ecraudit binary}"
ECR_SRC=${ECR_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ECR_BUILD=${ECR_BUILD:-$PWD}
ACME="$ECR_SRC/samples/acme"
PY=/usr/bin/python3

tmp=$(mktemp -d "${ECR_BUILD}/cli-test.XXXXXX")
chmod 755 "$tmp"
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && printf '    %s\n' "$2"; }

# run NAME: runs "${cmd[@]}", leaves rc, out ($tmp/out), err ($tmp/err)
run() {
  "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
}

# expect_error WANT_RC NEEDLE... -- ARGS: exit WANT_RC, exactly one line on
# stderr starting "ecraudit: " and containing every NEEDLE, empty stdout.
expect_error() {
  local want=$1; shift
  local needles=()
  while [ "$1" != "--" ]; do needles+=("$1"); shift; done
  shift
  local name="ecraudit $* -> exit $want, one line"
  run "$ECRAUDIT" "$@"
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -ne "$want" ]; then bad "$name" "exit $rc: $(head -3 "$tmp/err")"; return; fi
  if [ "$lines" -ne 1 ]; then bad "$name" "$lines lines on stderr: $(head -3 "$tmp/err" | tr '\n' '|')"; return; fi
  if ! grep -q '^ecraudit: ' "$tmp/err"; then bad "$name" "stderr: $(cat "$tmp/err")"; return; fi
  if [ -s "$tmp/out" ]; then bad "$name" "stdout not empty: $(head -c 200 "$tmp/out")"; return; fi
  for n in "${needles[@]}"; do
    if ! grep -qF -- "$n" "$tmp/err"; then bad "$name" "stderr lacks '$n': $(cat "$tmp/err")"; return; fi
  done
  ok "$name"
}

# ---- a tiny compliant bundle (reads by the account's own principals only) ------
mkbundle() { # DIR
  mkdir -p "$1/sts" "$1/iam" "$1/ecr/us-east-1"
  cat >"$1/sts/caller-identity.json" <<'EOF'
{"UserId": "AIDAAUDITOR", "Account": "111122223333", "Arn": "arn:aws:iam::111122223333:user/auditor"}
EOF
  cat >"$1/iam/account-authorization-details.json" <<'EOF'
{
  "UserDetailList": [
    {"UserName": "reader", "UserId": "AIDAREADER", "Arn": "arn:aws:iam::111122223333:user/reader", "Path": "/",
     "UserPolicyList": [{"PolicyName": "pull", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
       {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], "Resource": "*"}]}}]}
  ],
  "GroupDetailList": [], "RoleDetailList": [], "Policies": []
}
EOF
  cat >"$1/ecr/us-east-1/repositories.json" <<'EOF'
{"repositories": [{"repositoryArn": "arn:aws:ecr:us-east-1:111122223333:repository/app",
  "registryId": "111122223333", "repositoryName": "app"}]}
EOF
  echo '[]' >"$1/ecr/us-east-1/repository-policies.json"
}
tiny="$tmp/tiny"
mkbundle "$tiny"

# ---- help and version --------------------------------------------------------------
run "$ECRAUDIT" --help
if [ $rc -eq 0 ] && grep -q 'ecraudit report' "$tmp/out" && grep -q 'ecraudit matrix' "$tmp/out"; then
  ok "--help exits 0 with the usage on stdout"
else bad "--help exits 0 with the usage on stdout" "exit $rc"; fi
run "$ECRAUDIT" --version
if [ $rc -eq 0 ] && grep -Eq '^ecraudit [0-9]+\.[0-9]+' "$tmp/out"; then ok "--version exits 0"
else bad "--version exits 0" "exit $rc: $(cat "$tmp/out")"; fi

# every command's --help / -h: its own usage on stdout, exit 0, nothing on stderr
for c in report matrix paths collect scan; do
  for h in --help -h; do
    run "$ECRAUDIT" "$c" "$h"
    if [ $rc -eq 0 ] && grep -q "^usage: ecraudit $c " "$tmp/out" && [ ! -s "$tmp/err" ]; then
      ok "ecraudit $c $h: its usage on stdout, exit 0"
    else bad "ecraudit $c $h: its usage on stdout, exit 0" "exit $rc: $(head -2 "$tmp/err")"; fi
  done
done
run "$ECRAUDIT" report --evidence /nonexistent --help
if [ $rc -eq 0 ] && grep -q "^usage: ecraudit report" "$tmp/out"; then ok "--help after other options still helps"
else bad "--help after other options still helps" "exit $rc"; fi
if "$ECRAUDIT" report --help | grep -q -- "--fail-on SEVERITY"; then ok "report --help documents --fail-on"
else bad "report --help documents --fail-on"; fi
run "$ECRAUDIT" -V
if [ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = "$("$ECRAUDIT" --version)" ]; then ok "-V = --version"
else bad "-V = --version" "exit $rc: $(cat "$tmp/out" "$tmp/err")"; fi
# built from git: the version is git describe's (x.y.z-g<hash> or a tag's)
if git -C "$ECR_SRC" rev-parse --git-dir >/dev/null 2>&1; then
  # (the commit it names must be one of this repository's: a binary built
  # before the latest commit names an older one)
  vhash=$("$ECRAUDIT" --version | sed -n 's/^ecraudit [0-9][^ ]*-g\([0-9a-f]\{7,\}\).*/\1/p')
  if { [ -n "$vhash" ] && git -C "$ECR_SRC" cat-file -e "$vhash^{commit}" 2>/dev/null; } ||
     git -C "$ECR_SRC" describe --tags --exact-match >/dev/null 2>&1; then
    ok "--version carries git describe ($("$ECRAUDIT" --version | cut -d' ' -f1-2))"
  else bad "--version carries git describe" "$("$ECRAUDIT" --version)"; fi
fi

# ---- usage errors: exit 2, one line naming the problem -------------------------------
# no arguments at all: one line, not the whole usage text
# (fails today: src/cli/main.c main() prints the 10-line usage to stderr)
expect_error 2 --
expect_error 2 "unknown command" "frobnicate" -- frobnicate
expect_error 2 "unknown option" "--bogus" -- matrix --bogus
expect_error 2 "--bogus" -- report --evidence "$tiny" --bogus
expect_error 2 "--evidence" -- matrix
expect_error 2 "--evidence" -- report
expect_error 2 "--evidence" -- matrix --evidence
expect_error 2 "--evidence" -- paths
expect_error 2 "--exceptions" -- paths --evidence "$tiny" --exceptions x.json
expect_error 2 "unexpected argument" "stray" -- paths --evidence "$tiny" stray
expect_error 2 "--as-of" "2025-02-30" -- report --evidence "$tiny" --as-of 2025-02-30
expect_error 2 "--as-of" "27/11/2026" -- report --evidence "$tiny" --as-of 27/11/2026
expect_error 2 "--format" "xml" -- report --evidence "$tiny" --format json,xml
expect_error 2 "--format" -- report --evidence "$tiny" --format ,
expect_error 2 "unexpected argument" "stray" -- matrix --evidence "$tiny" stray
# an option the command does not take, given with its value: the message must
# name the option (fails today: main.c parse_options names argv[optind-1],
# which is the value "x.json")
expect_error 2 "--exceptions" -- matrix --evidence "$tiny" --exceptions x.json

# --out - is not a stream: refused before anything is written (no directory named "-")
( cd "$tmp" && "$ECRAUDIT" report --evidence "$tiny" --out - >"$tmp/out" 2>"$tmp/err" ); rc=$?
if [ $rc -eq 2 ] && grep -q -- "--out -" "$tmp/err" && [ ! -e "$tmp/-" ]; then ok "report --out -: exit 2, no directory named -"
else bad "report --out -: exit 2, no directory named -" "exit $rc: $(cat "$tmp/err")"; fi
for c in collect scan; do
  ( cd "$tmp" && "$ECRAUDIT" $c --out - >"$tmp/out" 2>"$tmp/err" ); rc=$?
  if [ $rc -eq 2 ] && [ ! -e "$tmp/-" ]; then ok "$c --out -: exit 2"; else bad "$c --out -: exit 2" "exit $rc"; fi
done
expect_error 2 "--fail-on" "severe" -- report --evidence "$tiny" --fail-on severe
expect_error 2 "--fail-on" -- matrix --evidence "$tiny" --fail-on high

# ---- input errors: exit 2, one line naming the file -----------------------------------
expect_error 2 "$tmp/nonexistent" "does not exist" -- matrix --evidence "$tmp/nonexistent"
noiam="$tmp/noiam"; mkbundle "$noiam"; rm "$noiam/iam/account-authorization-details.json"
expect_error 2 "iam/account-authorization-details.json" "missing" -- matrix --evidence "$noiam"
broken="$tmp/broken"; mkbundle "$broken"
printf '{\n  "UserDetailList": [\n    {"UserName": "a",, "Arn": "x"}\n  ]\n}\n' \
  >"$broken/iam/account-authorization-details.json"
expect_error 2 "iam/account-authorization-details.json: line 3, column" -- matrix --evidence "$broken"
trunc="$tmp/trunc"; mkbundle "$trunc"
printf '{"repositories": [' >"$trunc/ecr/us-east-1/repositories.json"
expect_error 2 "ecr/us-east-1/repositories.json: line 1, column" -- matrix --evidence "$trunc"
wrongtype="$tmp/wrongtype"; mkbundle "$wrongtype"
echo '{"repositories": [{"repositoryName": 42}]}' >"$wrongtype/ecr/us-east-1/repositories.json"
expect_error 2 "ecr/us-east-1/repositories.json" "repositories[0].repositoryName must be a string" -- \
  matrix --evidence "$wrongtype"
# a repositoryArn that is not this region's ARN of that repository (found by
# validating every findings.json against docs/findings.schema.json)
for arn in 'arn:aws:ecr:eu-west-1:111122223333:repository/app' \
           'arn:aws:ecr:us-east-1:111122223333:repository/other' \
           'arn:aws:ecr:us-east-1:1111222233:repository/app' 'app'; do
  badarn="$tmp/badarn"; rm -rf "$badarn"; mkbundle "$badarn"
  printf '{"repositories": [{"repositoryName": "app", "repositoryArn": "%s"}]}\n' "$arn" \
    >"$badarn/ecr/us-east-1/repositories.json"
  expect_error 2 "ecr/us-east-1/repositories.json" "repositories[0]: repositoryArn is not" -- \
    matrix --evidence "$badarn"
done
wt2="$tmp/wt2"; mkbundle "$wt2"
echo '{"UserDetailList": {"UserName": "a"}}' >"$wt2/iam/account-authorization-details.json"
expect_error 2 "iam/account-authorization-details.json" "UserDetailList must be an array" -- \
  report --evidence "$wt2" --out "$tmp/wt2-out"
if [ ! -e "$tmp/wt2-out" ]; then ok "an input error writes nothing (no --out directory)"
else bad "an input error writes nothing (no --out directory)"; fi
badpol="$tmp/badpol"; mkbundle "$badpol"
echo '[{"repositoryName": "app", "policyText": "{\"Statement\": [{\"Effect\": \"Perhaps\"}]}"}]' \
  >"$badpol/ecr/us-east-1/repository-policies.json"
expect_error 2 "ecr/us-east-1/repository-policies.json" "Effect" -- matrix --evidence "$badpol"
tamper="$tmp/tamper"; mkbundle "$tamper"
echo '{"account": "111122223333", "files": [{"path": "ecr/us-east-1/repositories.json", "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}]}' \
  >"$tamper/manifest.json"
expect_error 2 "manifest.json" "SHA-256" -- matrix --evidence "$tamper"

# ---- the ledger: unreadable or not a ledger -> 2 ---------------------------------------
expect_error 2 "$tmp/no-ledger.json" -- report --evidence "$tiny" --exceptions "$tmp/no-ledger.json" --out "$tmp/l-out"
mkdir -p "$tmp/ledger-dir.json"
expect_error 2 "$tmp/ledger-dir.json" -- report --evidence "$tiny" --exceptions "$tmp/ledger-dir.json" --out "$tmp/l-out"
printf '[{"id": "EX-1",\n' >"$tmp/ledger-broken.json"
expect_error 2 "$tmp/ledger-broken.json" -- report --evidence "$tiny" --exceptions "$tmp/ledger-broken.json" --out "$tmp/l-out"
echo '"just a string"' >"$tmp/ledger-string.json"
expect_error 2 "$tmp/ledger-string.json" -- report --evidence "$tiny" --exceptions "$tmp/ledger-string.json" --out "$tmp/l-out"
if [ ! -e "$tmp/l-out" ]; then ok "a bad ledger writes nothing"; else bad "a bad ledger writes nothing"; fi

# ---- report on samples/acme: non-compliant, every file written ------------------------------
if [ -d "$ACME" ]; then
  run "$ECRAUDIT" report --evidence "$ACME" --exceptions "$ACME/ledger.json" --out "$tmp/acme" --as-of 2026-11-27
  if [ $rc -eq 1 ]; then ok "report on samples/acme exits 1 (non-compliant)"
  else bad "report on samples/acme exits 1 (non-compliant)" "exit $rc: $(cat "$tmp/err")"; fi
  for f in findings.json report.junit.xml report.html report.pdf; do
    if [ -s "$tmp/acme/$f" ]; then ok "samples/acme: $f written"; else bad "samples/acme: $f written"; fi
  done
  if [ -z "$(find "$tmp/acme" -name '*.tmp*')" ]; then ok "samples/acme: no temporary files left"
  else bad "samples/acme: no temporary files left"; fi
  if "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["summary"]["fail"] > 0 else 1)' \
       "$tmp/acme/findings.json"; then ok "samples/acme: findings.json counts failures"
  else bad "samples/acme: findings.json counts failures"; fi

  # determinism: matrix and findings.json byte-identical across runs
  "$ECRAUDIT" matrix --evidence "$ACME" >"$tmp/m1.tsv" 2>/dev/null; r1=$?
  "$ECRAUDIT" matrix --evidence "$ACME" >"$tmp/m2.tsv" 2>/dev/null; r2=$?
  if [ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ -s "$tmp/m1.tsv" ] && cmp -s "$tmp/m1.tsv" "$tmp/m2.tsv"; then
    ok "matrix output is identical across runs"
  else bad "matrix output is identical across runs" "exit $r1/$r2"; fi
  if [ "$(head -n 1 "$tmp/m1.tsv")" = "$(printf 'principal\trepository\taction\tdecision')" ]; then
    ok "matrix header first"
  else bad "matrix header first" "$(head -n 1 "$tmp/m1.tsv")"; fi
  if tail -n +2 "$tmp/m1.tsv" | LC_ALL=C sort -c 2>"$tmp/sort.err"; then ok "matrix body is LC_ALL=C sorted"
  else bad "matrix body is LC_ALL=C sorted" "$(cat "$tmp/sort.err")"; fi
  if tail -n +2 "$tmp/m1.tsv" | LC_ALL=C sort -u -c 2>/dev/null; then ok "matrix body has no duplicate lines"
  else bad "matrix body has no duplicate lines"; fi
  if awk -F'\t' 'NR > 1 && (NF != 4 || ($4 != "allow" && $4 != "conditional") || $3 !~ /^ecr:[A-Za-z]+$/) { bad = 1 }
                 END { exit bad }' "$tmp/m1.tsv"; then ok "matrix lines: 4 fields, ecr: action, allow|conditional"
  else bad "matrix lines: 4 fields, ecr: action, allow|conditional"; fi
  SOURCE_DATE_EPOCH=1795780800 "$ECRAUDIT" report --evidence "$ACME" --exceptions "$ACME/ledger.json" \
    --format json --out "$tmp/d1" --as-of 2026-11-27 2>/dev/null
  SOURCE_DATE_EPOCH=1795780800 "$ECRAUDIT" report --evidence "$ACME" --exceptions "$ACME/ledger.json" \
    --format json --out "$tmp/d2" --as-of 2026-11-27 2>/dev/null
  if [ -s "$tmp/d1/findings.json" ] && cmp -s "$tmp/d1/findings.json" "$tmp/d2/findings.json" &&
     grep -q '"generated_at": *"2026-11-27T12:00:00Z"' "$tmp/d1/findings.json"; then
    ok "findings.json identical across runs, generated_at from SOURCE_DATE_EPOCH"
  else bad "findings.json identical across runs, generated_at from SOURCE_DATE_EPOCH"; fi
  if [ "$(ls "$tmp/d1")" = "findings.json" ]; then ok "--format json writes only findings.json"
  else bad "--format json writes only findings.json" "$(ls "$tmp/d1" | tr '\n' ' ')"; fi
else
  bad "samples/acme exists" "$ACME"
fi

# ---- a compliant bundle: exit 0 ---------------------------------------------------------------
run "$ECRAUDIT" report --evidence "$tiny" --format json --out "$tmp/tiny-out" --as-of 2026-11-27
if [ $rc -eq 0 ] && [ -s "$tmp/tiny-out/findings.json" ]; then ok "compliant bundle: exit 0"
else bad "compliant bundle: exit 0" "exit $rc: $(cat "$tmp/err")"; fi
run "$ECRAUDIT" matrix --evidence "$tiny"
want=$(printf 'principal\trepository\taction\tdecision\narn:aws:iam::111122223333:user/reader\t*\tecr:GetAuthorizationToken\tallow\narn:aws:iam::111122223333:user/reader\tarn:aws:ecr:us-east-1:111122223333:repository/app\tecr:BatchGetImage\tallow')
if [ $rc -eq 0 ] && [ "$(cat "$tmp/out")" = "$want" ]; then ok "compliant bundle: exact matrix"
else bad "compliant bundle: exact matrix" "$(cat "$tmp/out" "$tmp/err")"; fi
# ...and the same bundle with a gap (no repository-policies.json): unknown -> 1
gap="$tmp/gap"; mkbundle "$gap"; rm "$gap/ecr/us-east-1/repository-policies.json"
run "$ECRAUDIT" report --evidence "$gap" --format json --out "$tmp/gap-out" --as-of 2026-11-27
if [ $rc -eq 1 ]; then ok "evidence gap: exit 1 (unknown is not compliant)"
else bad "evidence gap: exit 1 (unknown is not compliant)" "exit $rc"; fi

# ---- --fail-on: exit 1 only for an open finding at that severity or above ----------------------
# expected statuses computed from findings.json (the contract), for every threshold
fail_on_check() { # LABEL BUNDLE [report args...]
  local label=$1 b=$2; shift 2
  local sev want
  for sev in critical high medium low info; do
    "$ECRAUDIT" report --evidence "$b" --out "$tmp/fo" --format json --as-of 2026-11-27 "$@" \
      --fail-on "$sev" >/dev/null 2>"$tmp/fo.err"
    rc=$?
    want=$("$PY" -c '
import json, sys
order = ["critical", "high", "medium", "low", "info"]
d = json.load(open(sys.argv[1]))
t = order.index(sys.argv[2])
print(1 if any(f["status"] in ("fail", "unknown") and order.index(f["severity"]) <= t
               for f in d["findings"]) else 0)' "$tmp/fo/findings.json" "$sev")
    if [ "$rc" = "$want" ]; then ok "$label --fail-on $sev: exit $rc"
    else bad "$label --fail-on $sev: exit $rc, findings.json says $want" "$(cat "$tmp/fo.err")"; fi
  done
}
tagger="$tmp/tagger"; mkbundle "$tagger"
cat >"$tagger/iam/account-authorization-details.json" <<'EOF'
{"UserDetailList": [{"UserName": "tagger", "UserId": "AIDATAGGER", "Arn": "arn:aws:iam::111122223333:user/tagger", "Path": "/",
 "UserPolicyList": [{"PolicyName": "tag", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["ecr:TagResource"], "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/app"}]}}]}],
 "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
EOF
fail_on_check "tagging-only bundle" "$tagger"
# the tagging grant is an open finding below high: exit 0 at high, and it says why
"$ECRAUDIT" report --evidence "$tagger" --out "$tmp/fo" --format json --as-of 2026-11-27 --fail-on high 2>"$tmp/fo.err"
rc=$?
if [ $rc -eq 0 ] && grep -q "none at --fail-on high or above" "$tmp/fo.err"; then
  ok "--fail-on high with only a lower open finding: exit 0, and says why"
else bad "--fail-on high with only a lower open finding: exit 0, and says why" "exit $rc: $(cat "$tmp/fo.err")"; fi
"$ECRAUDIT" report --evidence "$tagger" --out "$tmp/fo" --format json --as-of 2026-11-27 >/dev/null 2>&1
rc=$?
if [ $rc -eq 1 ]; then ok "without --fail-on the same bundle exits 1"; else bad "without --fail-on the same bundle exits 1" "exit $rc"; fi
[ -d "$ACME" ] && fail_on_check "samples/acme" "$ACME" --exceptions "$ACME/ledger.json"
run "$ECRAUDIT" report --evidence "$tiny" --format json --out "$tmp/fo2" --as-of 2026-11-27 --fail-on info
if [ $rc -eq 0 ]; then ok "compliant bundle --fail-on info: exit 0"; else bad "compliant bundle --fail-on info: exit 0" "exit $rc"; fi

# ---- unwritable --out: exit 4, nothing half-written ----------------------------------------------
echo "not a directory" >"$tmp/plainfile"
expect_error 4 "$tmp/plainfile" -- report --evidence "$tiny" --out "$tmp/plainfile/out" --as-of 2026-11-27
# a directory the process cannot write into (as root: run the binary as nobody)
ro="$tmp/ro-out"; mkdir -p "$ro"; chmod 555 "$ro"
if [ "$(id -u)" -eq 0 ]; then
  asuser=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
  asuser=()
fi
chmod -R a+rX "$tiny"
"${asuser[@]}" "$ECRAUDIT" report --evidence "$tiny" --out "$ro" --as-of 2026-11-27 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 4 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF "$ro" "$tmp/err"; then
  ok "unwritable --out directory: exit 4, one line naming it"
else bad "unwritable --out directory: exit 4, one line naming it" "exit $rc: $(cat "$tmp/err")"; fi
if [ -z "$(ls -A "$ro")" ]; then ok "unwritable --out directory: nothing written"
else bad "unwritable --out directory: nothing written" "$(ls -A "$ro" | tr '\n' ' ')"; fi
# an output that cannot be replaced (report.html is a directory): exit 4,
# no temporary files, what was written is complete
blk="$tmp/blocked"; mkdir -p "$blk/report.html/keep"
run "$ECRAUDIT" report --evidence "$tiny" --out "$blk" --as-of 2026-11-27
if [ $rc -eq 4 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'report.html' "$tmp/err"; then
  ok "blocked report.html: exit 4, one line naming it"
else bad "blocked report.html: exit 4, one line naming it" "exit $rc: $(cat "$tmp/err")"; fi
if [ -z "$(find "$blk" -name '*.tmp*')" ]; then ok "blocked report.html: no temporary files"
else bad "blocked report.html: no temporary files" "$(find "$blk" -name '*.tmp*')"; fi
if [ ! -e "$blk/findings.json" ] || "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$blk/findings.json"; then
  ok "blocked report.html: any findings.json written is complete"
else bad "blocked report.html: any findings.json written is complete"; fi
# an earlier report stays intact when a rewrite fails
keep="$tmp/keep"; mkdir -p "$keep"
"$ECRAUDIT" report --evidence "$tiny" --format json --out "$keep" --as-of 2026-11-27 2>/dev/null
cp "$keep/findings.json" "$tmp/keep-before.json"
chmod 555 "$keep"
"${asuser[@]}" "$ECRAUDIT" report --evidence "$tiny" --format json --out "$keep" --as-of 2026-11-28 >/dev/null 2>&1
rc=$?
chmod 755 "$keep"
if [ $rc -eq 4 ] && cmp -s "$keep/findings.json" "$tmp/keep-before.json" && [ "$(ls -A "$keep")" = "findings.json" ]; then
  ok "failed rewrite: exit 4, the previous findings.json intact"
else bad "failed rewrite: exit 4, the previous findings.json intact" "exit $rc; $(ls -A "$keep" | tr '\n' ' ')"; fi

# every findings.json these cases wrote, against docs/findings.schema.json and
# the checks of tests/cli/findings_schema.py
if "$PY" "$ECR_SRC/tests/cli/findings_schema.py" --tree "$tmp" >"$tmp/schema.log" 2>&1; then
  ok "$(tail -1 "$tmp/schema.log" | sed "s|$tmp|the test's outputs|")"
else bad "every findings.json written here matches its schema" "$(head -5 "$tmp/schema.log")"; fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
