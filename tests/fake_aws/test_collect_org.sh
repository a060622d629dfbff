#!/bin/bash
# `ecraudit collect --org` and the per-index `scan --org --account-index N`
# against the stand-in's organisation (fake_aws.py --org, org_fixture.py):
# five accounts, one SUSPENDED, one refusing sts:AssumeRole. Checks the
# layout (DESIGN "Organisation evidence (layout)"), the gap of the refusing
# account, --jobs, and scripts/org-local.sh producing the per-account outputs.
#
# Env (set by CTest): ECRAUDIT (binary), ECR_SRC (source dir).
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
: "${ECRAUDIT:?set ECRAUDIT to the ecraudit binary}"
PY=/usr/bin/python3

ECR_FAKE_WORK_NAME=ecraudit-fake-org
. "$here/common.sh"

ROLE=OrganizationAccountAccessRole
MGMT=999988887777
REFUSING=555566667777
ACTIVE="111122223333 444455556666 $REFUSING $MGMT" # sorted, as account-ids.txt
COLLECTED="111122223333 444455556666 $MGMT"
SUSPENDED=222233334444

"$PY" "$here/org_fixture.py" "$here/bundle" "$work/org" || { echo "FAIL: org_fixture.py"; exit 1; }
: >"$work/issued.log"

start_server() { # extra args...
  stop_server
  rm -f "$work/port"
  : >"$work/server.log"
  "$PY" "$here/fake_aws.py" --bundle "$work/org/accounts/$MGMT" --org "$work/org" \
    --port-file "$work/port" --log "$work/server.log" --access-key "$AK" --secret-key "$SK" \
    --session-token "$TOK" --issued-log "$work/issued.log" "$@" 2>"$work/server.err" &
  server_pid=$!
  await_server
}

run() { # ecraudit args... (the management account's static credentials)
  env -i PATH="$PATH" HOME="$work/home" LC_ALL=C AWS_EC2_METADATA_DISABLED=true \
    AWS_CONFIG_FILE="$work/home/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$work/home/.aws/credentials" \
    AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_SESSION_TOKEN="$TOK" \
    AWS_REGION=us-east-1 AWS_MAX_ATTEMPTS="${MAX_ATTEMPTS:-5}" ECRAUDIT="$ECRAUDIT" "$@"
}
mkdir -p "$work/home/.aws"
endpoint() { echo "--endpoint-url=http://127.0.0.1:$port"; }

no_secrets() { # label files...
  local label=$1
  shift
  local pats=(-e "$SK" -e "$TOK")
  while read -r line; do [ -n "$line" ] && pats+=(-e "$line"); done <"$work/issued.log"
  if grep -rqF "${pats[@]}" "$@" 2>/dev/null; then
    fail "$label: a secret key or session token was printed or written"
  else
    ok "$label: no secret key or session token in the output"
  fi
}

json_eq() { # a b: same JSON value
  "$PY" -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else 1)' "$1" "$2"
}

# ---- collect --org --role-name --jobs 2 ------------------------------------------
start_server --refuse-account "$REFUSING"
out=$work/out
run "$ECRAUDIT" collect --org --role-name "$ROLE" --jobs 2 --out "$out" "$(endpoint)" \
  >"$work/c.out" 2>"$work/c.err"
rc=$?
[ "$rc" = 0 ] && ok "collect --org: exit 0 with one refusing account" ||
  fail "collect --org: exit $rc: $(tail -3 "$work/c.err")"
od=$out/organization
for f in organization.json accounts.json account-ids.txt manifest.json; do
  [ -f "$od/$f" ] || fail "organization/$f missing"
done
if [ "$(tr '\n' ' ' <"$od/account-ids.txt")" = "$ACTIVE " ]; then
  ok "account-ids.txt: the ACTIVE accounts, sorted (not the SUSPENDED one)"
else
  fail "account-ids.txt: $(tr '\n' ' ' <"$od/account-ids.txt")"
fi
for a in $ACTIVE; do
  for k in scps rcps; do
    if json_eq "$od/$a-$k.json" "$work/org/organization/$a-$k.json"; then :; else
      fail "organization/$a-$k.json differs from what the organization holds"
    fi
  done
done
[ -e "$od/$SUSPENDED-scps.json" ] && fail "SCPs of the SUSPENDED account collected"
ok "organization/<id>-scps.json and <id>-rcps.json per ACTIVE account, as served"
# the manifest: tool, the management account, every file's SHA-256
"$PY" - "$od" <<'EOF' && ok "organization/manifest.json: SHA-256 of every file, no gaps" || fail "organization/manifest.json"
import hashlib, json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
assert m["tool"] == "ecraudit" and m["account"] == "999988887777", m
names = sorted(f for f in os.listdir(d) if f.endswith((".json", ".txt")) and f != "manifest.json")
assert [f["path"] for f in m["files"]] == names, (m["files"], names)
for f in m["files"]:
    assert hashlib.sha256(open(os.path.join(d, f["path"]), "rb").read()).hexdigest() == f["sha256"]
assert m["gaps"] == [], m["gaps"]
EOF
for a in $COLLECTED; do
  b=$out/accounts/$a
  if [ -f "$b/manifest.json" ] && grep -q "\"account\": \"$a\"" "$b/manifest.json" &&
     grep -q "\"Account\": \"$a\"" "$b/sts/caller-identity.json" &&
     grep -q "assumed-role/$ROLE/" "$b/sts/caller-identity.json" &&
     json_eq "$b/organizations/scps.json" "$od/$a-scps.json" &&
     json_eq "$b/organizations/rcps.json" "$od/$a-rcps.json" &&
     json_eq "$b/organizations/accounts.json" "$od/accounts.json"; then
    ok "accounts/$a: the account's own bundle (assumed $ROLE), its SCPs and RCPs from organization/"
  else
    fail "accounts/$a: not the account's bundle"
  fi
  "$ECRAUDIT" report --evidence "$b" --out "$work/rep-$a" --format json --quiet >/dev/null 2>"$work/rep.err"
  rc=$?
  { [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && ok "report --evidence accounts/$a: exit $rc" ||
    fail "report --evidence accounts/$a: exit $rc: $(cat "$work/rep.err")"
  [ -e "$od/gaps/$a.json" ] && fail "a gap for the collected account $a"
done
for a in $REFUSING $SUSPENDED; do
  [ -e "$out/accounts/$a" ] && fail "accounts/$a exists"
done
"$PY" - "$od/gaps/$REFUSING.json" "$REFUSING" "$ROLE" <<'EOF' && ok "organization/gaps/$REFUSING.json: sts:AssumeRole AccessDenied on the role" || fail "the refusing account's gap: $(cat "$od/gaps/$REFUSING.json" 2>&1)"
import json, sys
g = json.load(open(sys.argv[1]))
assert g["account"] == sys.argv[2]
[gap] = g["gaps"]
assert gap["source"] == "sts:AssumeRole", gap
assert gap["resource"] == "arn:aws:iam::%s:role/%s" % (sys.argv[2], sys.argv[3]), gap
assert "AccessDenied" in gap["error"], gap
EOF
grep -q "4 accounts, 3 collected, 1 gaps" "$work/c.err" && ok "summary line: 4 accounts, 3 collected, 1 gaps" ||
  fail "summary line: $(tail -1 "$work/c.err")"
# the stand-in's log: each OU asked once, each account's calls signed with its own credentials
"$PY" - "$work/server.log" "$AK" <<'EOF' && ok "stand-in log: OUs asked once; every account's calls with the keys issued for it" || fail "stand-in log"
import collections, json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
parents = [e for e in log if e.get("op") == "ListParents"]
assert len(parents) == 6, len(parents)  # 4 accounts + 2 OUs: the OUs once, not per account
issued = {e["issued"]: e["account"] for e in log if e.get("issued")}
assert sorted(set(issued.values())) == ["111122223333", "444455556666", "999988887777"], issued
iam = [e for e in log if e.get("op") == "GetAccountAuthorizationDetails" and e.get("status") == 200]
per = collections.Counter(issued.get(e["access_key"]) for e in iam)
assert set(per) == set(issued.values()), per  # no IAM call with the management key
assert all(e["access_key"] != sys.argv[2] for e in log if e.get("service") in ("iam", "ecr", "eks"))
EOF
no_secrets "collect --org" "$work/c.out" "$work/c.err" "$out"

# ---- --jobs: 1 collects one account after the other, 3 at once --------------------
interleaved() { # log: 0 when two accounts' requests interleave
  "$PY" - "$1" <<'EOF'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
owner = {e["issued"]: e["account"] for e in log if e.get("issued")}
seq = [owner[e["access_key"]] for e in log if e.get("access_key") in owner]
runs = [a for i, a in enumerate(seq) if i == 0 or seq[i - 1] != a]
sys.exit(0 if len(runs) > len(set(runs)) else 1)
EOF
}
start_server --refuse-account "$REFUSING" --delay-ms 20
run "$ECRAUDIT" collect --org --role-name "$ROLE" --jobs 1 --out "$work/j1" --quiet "$(endpoint)" 2>"$work/j1.err"
rc=$?
if [ "$rc" = 0 ] && ! interleaved "$work/server.log"; then
  ok "--jobs 1: one account after the other"
else
  fail "--jobs 1: exit $rc, or accounts interleaved"
fi
start_server --refuse-account "$REFUSING" --delay-ms 20
run "$ECRAUDIT" collect --org --role-name "$ROLE" --jobs 3 --out "$work/j3" --quiet "$(endpoint)" 2>"$work/j3.err"
rc=$?
if [ "$rc" = 0 ] && interleaved "$work/server.log"; then
  ok "--jobs 3: accounts collected at the same time"
else
  fail "--jobs 3: exit $rc, or no two accounts at once"
fi
for a in $COLLECTED; do
  [ -f "$work/j3/accounts/$a/manifest.json" ] || fail "--jobs 3: accounts/$a missing"
done

# ---- throttled past the retries: a gap; nothing collected: exit 3 ---------------------
start_server --throttle-account 444455556666
MAX_ATTEMPTS=2 run "$ECRAUDIT" collect --org --role-name "$ROLE" --out "$work/thr" --quiet "$(endpoint)" 2>"$work/thr.err"
rc=$?
if [ "$rc" = 0 ] && grep -q Throttling "$work/thr/organization/gaps/444455556666.json" 2>/dev/null &&
   [ -f "$work/thr/accounts/$REFUSING/manifest.json" ]; then
  ok "an account throttled past the retries is a gap (Throttling), the run exits 0"
else
  fail "throttled account: exit $rc $(cat "$work/thr.err")"
fi
start_server --refuse-account 111122223333 --refuse-account 444455556666 \
  --refuse-account "$REFUSING" --refuse-account "$MGMT"
run "$ECRAUDIT" collect --org --role-name "$ROLE" --out "$work/none" --quiet "$(endpoint)" 2>"$work/none.err"
rc=$?
n=$(ls "$work/none/organization/gaps" 2>/dev/null | wc -l)
if [ "$rc" = 3 ] && [ "$n" = 4 ] && grep -q "no account could be collected" "$work/none.err"; then
  ok "every account refusing: exit 3, 4 gaps, organization/ written"
else
  fail "every account refusing: exit $rc, $n gaps: $(cat "$work/none.err")"
fi

# ---- the organisation evidence alone; usage errors ------------------------------------
start_server --refuse-account "$REFUSING"
run "$ECRAUDIT" collect --org --out "$work/only" "$(endpoint)" 2>"$work/only.err"
rc=$?
if [ "$rc" = 0 ] && [ -f "$work/only/organization/account-ids.txt" ] && [ ! -e "$work/only/accounts" ]; then
  ok "collect --org without --role-name: organization/ only"
else
  fail "collect --org alone: exit $rc $(cat "$work/only.err")"
fi
usage() { # label expected-stderr args...
  local label=$1 want=$2
  shift 2
  if [ "$1" = env ]; then run "$@"; else run "$ECRAUDIT" "$@"; fi >/dev/null 2>"$work/u.err"
  local rc=$?
  if [ "$rc" = 2 ] && [ "$(wc -l <"$work/u.err")" = 1 ] && grep -q -- "$want" "$work/u.err"; then
    ok "usage: $label: exit 2, one line"
  else
    fail "usage: $label: exit $rc: $(cat "$work/u.err")"
  fi
}
usage "--role-name without --org" "need --org" collect --out "$work/x" --role-name "$ROLE"
usage "--jobs 0" "--jobs needs a number" collect --org --role-name "$ROLE" --jobs 0 --out "$work/x"
usage "--jobs 65" "--jobs needs a number" collect --org --role-name "$ROLE" --jobs 65 --out "$work/x"
usage "--jobs without --role-name" "--jobs needs --role-name" collect --org --jobs 2 --out "$work/x"
usage "bad role name" "not an IAM role name" collect --org --role-name 'a b' --out "$work/x" "$(endpoint)"
usage "scan --org without --account-index" "--account-index" scan --org --role-name "$ROLE" --out "$out"
usage "--account-index -1" "--account-index needs" scan --org --role-name "$ROLE" --account-index -1 --out "$out"
usage "collect --account-index" "does not apply to this command" collect --org --account-index 0 --out "$out"
usage "scan --org, no account list" "account-ids.txt" scan --org --role-name "$ROLE" --account-index 0 --out "$work/empty"
[ -e "$work/x" ] && fail "a usage error wrote $work/x"

# ---- scan --org --account-index N: the per-index command ---------------------------------
sc=$work/scan
run "$ECRAUDIT" collect --org --out "$sc" --quiet "$(endpoint)" 2>/dev/null
run "$ECRAUDIT" scan --org --role-name "$ROLE" --account-index 0 --out "$sc" --format json --quiet "$(endpoint)" 2>"$work/s0.err"
rc=$?
if { [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && [ -f "$sc/findings/111122223333/findings.json" ] &&
   [ -f "$sc/accounts/111122223333/manifest.json" ] && grep -q '"111122223333"' "$sc/findings/111122223333/findings.json"; then
  ok "scan --org --account-index 0: accounts/111122223333/ and findings/111122223333/findings.json (exit $rc)"
else
  fail "scan --org --account-index 0: exit $rc $(cat "$work/s0.err")"
fi
run "$ECRAUDIT" scan --org --role-name "$ROLE" --account-index 2 --out "$sc" --format json,junit "$(endpoint)" 2>"$work/s2.err"
rc=$?
if [ "$rc" = 3 ] && [ -f "$sc/organization/gaps/$REFUSING.json" ] && [ -f "$sc/findings/$REFUSING/report.junit.xml" ] &&
   [ ! -e "$sc/findings/$REFUSING/findings.json" ] && [ ! -e "$sc/accounts/$REFUSING" ]; then
  ok "scan --org of the refusing account: exit 3, organization/gaps/$REFUSING.json, the JUnit error case"
else
  fail "scan --org of the refusing account: exit $rc $(cat "$work/s2.err")"
fi
run "$ECRAUDIT" scan --org --role-name "$ROLE" --account-index 4 --out "$sc" "$(endpoint)" 2>"$work/s4.err"
rc=$?
[ "$rc" = 0 ] && grep -q "no account at index 4 (4 accounts)" "$work/s4.err" &&
  ok "scan --org past the end of the list: nothing to do, exit 0" || fail "index 4: exit $rc $(cat "$work/s4.err")"
# the index from the environment: AWS Batch array jobs, Indexed Jobs without a shell
run env AWS_BATCH_JOB_ARRAY_INDEX=1 "$ECRAUDIT" scan --org --role-name "$ROLE" --out "$sc" --format json --quiet "$(endpoint)" 2>"$work/sb.err"
rc=$?
{ [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && [ -f "$sc/findings/444455556666/findings.json" ] &&
  ok "scan --org without --account-index: AWS_BATCH_JOB_ARRAY_INDEX=1 picks 444455556666" ||
  fail "AWS_BATCH_JOB_ARRAY_INDEX: exit $rc $(cat "$work/sb.err")"
usage "JOB_COMPLETION_INDEX not a number" "JOB_COMPLETION_INDEX is not an account index" \
  env JOB_COMPLETION_INDEX=x "$ECRAUDIT" scan --org --role-name "$ROLE" --out "$sc"
# the account lets the role in later: its gap goes, its findings come
start_server
run "$ECRAUDIT" scan --org --role-name "$ROLE" --account-index 2 --out "$sc" --format json --quiet "$(endpoint)" 2>"$work/s2b.err"
rc=$?
if { [ "$rc" = 0 ] || [ "$rc" = 1 ]; } && [ ! -e "$sc/organization/gaps/$REFUSING.json" ] && [ -f "$sc/findings/$REFUSING/findings.json" ]; then
  ok "scan --org again once the account allows the role: the gap is removed"
else
  fail "rescan: exit $rc $(cat "$work/s2b.err")"
fi
printf '111122223333\nnot-an-id\n' >"$work/bad-list.txt"
mkdir -p "$work/badlist/organization" && cp "$work/bad-list.txt" "$work/badlist/organization/account-ids.txt"
usage "malformed account list" "line 2 is not a 12-digit account id" scan --org --role-name "$ROLE" --account-index 0 --out "$work/badlist"

# ---- scripts/org-local.sh: the same per-index command under xargs -P ---------------------
start_server --refuse-account "$REFUSING"
ol=$work/local
run "$src/scripts/org-local.sh" --out "$ol" --role-name "$ROLE" --jobs 2 -- "$(endpoint)" >"$work/ol.out" 2>"$work/ol.err"
rc=$?
if "$ECRAUDIT" merge --help >/dev/null 2>&1; then want="0 1"; else want=0; fi
case " $want " in *" $rc "*) ok "org-local.sh: exit $rc" ;; *) fail "org-local.sh: exit $rc: $(tail -5 "$work/ol.err")" ;; esac
for a in $COLLECTED; do
  if [ -f "$ol/accounts/$a/manifest.json" ] && [ -f "$ol/findings/$a/findings.json" ]; then :; else
    fail "org-local.sh: accounts/$a or findings/$a/findings.json missing"
  fi
done
[ -f "$ol/organization/gaps/$REFUSING.json" ] && [ ! -e "$ol/findings/$REFUSING" ] &&
  ok "org-local.sh: per-account bundles and findings, the refusing account a gap" ||
  fail "org-local.sh: the refusing account"
grep -q "4 accounts: 3 scanned, 1 gaps" "$work/ol.err" && ok "org-local.sh: summary" ||
  fail "org-local.sh summary: $(cat "$work/ol.err")"
# the script's findings are those of the one-by-one scans
json_key() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps([(f.get("id"), f.get("status")) for f in d["findings"]], sort_keys=True))' "$1"; }
[ "$(json_key "$ol/findings/111122223333/findings.json")" = "$(json_key "$sc/findings/111122223333/findings.json")" ] &&
  ok "org-local.sh: findings as scan --org --account-index gives them" || fail "org-local.sh: findings differ"
no_secrets "org-local.sh" "$work/ol.out" "$work/ol.err" "$ol"
run "$src/scripts/org-local.sh" --out "$ol" --role-name "$ROLE" --jobs x >/dev/null 2>"$work/olu.err"
[ "$?" = 2 ] && ok "org-local.sh --jobs x: exit 2" || fail "org-local.sh --jobs x"

[ "$fails" = 0 ] && echo "all collect --org checks passed"
exit $((fails > 0))
