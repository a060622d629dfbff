#!/bin/bash
# `ecraudit collect` against the loopback stand-in (fake_aws.py), which checks
# every request's SigV4 signature with botocore, serves paginated IAM XML and
# ECR JSON, throttles once and denies one repository policy.
#
# Env (set by CTest): ECRAUDIT (binary), ECR_SRC (source dir).
# FAKE_AWS_BUNDLE: the bundle the stand-in serves; default samples/acme when it
# exists, else tests/fake_aws/bundle.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
: "${ECRAUDIT:?set ECRAUDIT to the ecraudit binary}"
PY=/usr/bin/python3
bundle=${FAKE_AWS_BUNDLE:-}
if [ -z "$bundle" ]; then
  if [ -f "$src/samples/acme/sts/caller-identity.json" ] &&
     [ -f "$src/samples/acme/iam/account-authorization-details.json" ]; then
    bundle=$src/samples/acme
  else
    bundle=$here/bundle
  fi
fi

ECR_FAKE_WORK_NAME=ecraudit-fake-aws
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

start_server() { # extra args...
  stop_server
  rm -f "$work/port"
  : >"$work/server.log"
  "$PY" "$here/fake_aws.py" --bundle "$bundle" --port-file "$work/port" --log "$work/server.log" \
    --access-key "$AK" --secret-key "$SK" --session-token "$TOK" "$@" \
    2>"$work/server.err" &
  server_pid=$!
  await_server
}

# A clean environment: no real AWS configuration can leak in.
run_env() {
  env -i PATH="$PATH" HOME="$work/home" LC_ALL=C \
    AWS_CONFIG_FILE="$work/home/.aws/config" \
    AWS_SHARED_CREDENTIALS_FILE="$work/home/.aws/credentials" "$@"
}
mkdir -p "$work/home/.aws"

no_secrets() { # label files...
  local label=$1
  shift
  if grep -rqF -e "$SK" -e "$TOK" "$@" 2>/dev/null; then
    fail "$label: secret key or session token found"
  else
    ok "$label: no secret key or session token"
  fi
}

# collect every region the served bundle has (us-east-1 first when present)
region_args=(--region us-east-1)
for d in "$bundle"/ecr/*/; do
  r=$(basename "$d")
  [ -d "$d" ] && [ "$r" != us-east-1 ] && region_args+=(--region "$r")
done
regions_json=$(printf '%s\n' "${region_args[@]}" | grep -v -- --region | "$PY" -c 'import json,sys; print(json.dumps([l.strip() for l in sys.stdin if l.strip()]))')

echo "== serving $bundle (${region_args[*]})"
start_server

# ---- 1. environment credentials with a session token ----------------------
out=$work/out
run_env AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_SESSION_TOKEN="$TOK" \
  ECRAUDIT_DEBUG=1 \
  "$ECRAUDIT" collect --out "$out" --endpoint-url "http://127.0.0.1:$port" "${region_args[@]}" \
  >"$work/stdout" 2>"$work/stderr"
rc=$?
[ $rc -eq 0 ] && ok "collect exit 0" || { fail "collect exit $rc"; cat "$work/stderr"; }
grep -q 'Authorization: <redacted>' "$work/stderr" && ok "debug log redacts Authorization" ||
  fail "debug log (ECRAUDIT_DEBUG=1) missing or not redacted"
no_secrets "output dir" "$out"
no_secrets "stdout/stderr" "$work/stdout" "$work/stderr"
ls "$work" | grep -q '^out\.tmp' && fail "temporary directory left behind" || ok "no temporary directory left"

"$PY" - "$out" "$bundle" "$work/server.log" "$regions_json" <<'EOF' || fails=$((fails + 1))
import datetime, hashlib, json, os, sys
out, served, log, regions = sys.argv[1:]
regions = json.loads(regions)
bad = []
def check(cond, msg):
    print(("ok: " if cond else "FAIL: ") + msg)
    if not cond: bad.append(msg)

m = json.load(open(os.path.join(out, "manifest.json")))
ident = json.load(open(os.path.join(served, "sts/caller-identity.json")))
check(m.get("tool") == "ecraudit" and m.get("tool_version"), "manifest tool and version")
check(m.get("account") == ident["Account"], "manifest account")
check(m.get("regions") == regions, "manifest regions %s" % m.get("regions"))
try:
    datetime.datetime.strptime(m.get("collected_at", ""), "%Y-%m-%dT%H:%M:%SZ")
    check(True, "collected_at is UTC ISO 8601")
except ValueError:
    check(False, "collected_at is UTC ISO 8601: %r" % m.get("collected_at"))

# every file of the served bundle (but the manifest) was collected
want = set()
for root, _, files in os.walk(served):
    for f in files:
        rel = os.path.relpath(os.path.join(root, f), served)
        if rel != "manifest.json" and rel.endswith(".json") and (
                rel.startswith(("sts/", "iam/", "organizations/", "ecr/"))):
            want.add(rel)
listed = {f["path"] for f in m["files"]}
on_disk = set()
for root, _, files in os.walk(out):
    for f in files:
        on_disk.add(os.path.relpath(os.path.join(root, f), out))
check(want <= on_disk, "every bundle file collected (missing: %s)" % sorted(want - on_disk))
check(listed == on_disk - {"manifest.json"}, "manifest lists exactly the files written")
for f in m["files"]:
    data = open(os.path.join(out, f["path"]), "rb").read()
    check(hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"],
          "sha256 and size of " + f["path"])

# the denied repository policy is a gap, nothing else is
served_manifest = {}
try:
    served_manifest = json.load(open(os.path.join(served, "manifest.json")))
except FileNotFoundError:
    pass
denied = {g["resource"] for g in served_manifest.get("gaps", []) if g["source"] == "ecr:GetRepositoryPolicy"}
got = {g["resource"] for g in m["gaps"] if g["source"] == "ecr:GetRepositoryPolicy"}
check(len(got) >= 1 and all("AccessDenied" in g["error"] for g in m["gaps"]
                            if g["source"] == "ecr:GetRepositoryPolicy"), "denied repository policy is a gap")
check(denied <= got, "the served bundle's repository-policy gaps are gaps again")
# principals the served iam/service-last-accessed.json omits: their Access Advisor job FAILED
USAGE = "iam:GetServiceLastAccessedDetails"
failed = {g["resource"] for g in served_manifest.get("gaps", []) if g["source"] == USAGE}
check(failed == {g["resource"] for g in m["gaps"] if g["source"] == USAGE},
      "the served bundle's failed usage jobs are gaps again: %s" % sorted(failed))
check(set(g["source"] for g in m["gaps"]) <= {"ecr:GetRepositoryPolicy", USAGE}, "no other gaps: %s" % m["gaps"])

# collected JSON == served JSON (timestamps compared as instants)
TIME_KEYS = {"CreateDate", "UpdateDate", "LastUsedDate", "createdAt"}
DOC_KEYS = {"PolicyDocument", "AssumeRolePolicyDocument", "Document"}
import urllib.parse
def norm(v, key=None):
    if key in DOC_KEYS and isinstance(v, str):  # URL-encoded (raw API) = decoded (CLI)
        v = json.loads(urllib.parse.unquote(v))
    if isinstance(v, dict):
        return {k: norm(x, k) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if key in TIME_KEYS and isinstance(v, str):
        return datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
    return v
for rel in sorted(want):
    a = norm(json.load(open(os.path.join(out, rel))))
    b = norm(json.load(open(os.path.join(served, rel))))
    check(a == b, "collected %s equals the served one" % rel)
iam = json.load(open(os.path.join(out, "iam/account-authorization-details.json")))
check(list(iam)[:4] == ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"],
      "IAM output keys as the CLI spells them")
docs = [v["Document"] for p in iam["Policies"] for v in p.get("PolicyVersionList", [])]
check(any(isinstance(d, dict) for d in docs), "policy documents decoded into JSON objects")

# the stand-in's view: every request signed, throttled once, paginated
entries = [json.loads(l) for l in open(log)]
check(entries and all(e.get("signed") for e in entries),
      "every request's signature verified by botocore (%d requests)" % len(entries))
ops = [(e.get("op"), e.get("status"), e.get("error")) for e in entries]
check(("GetAccountAuthorizationDetails", 400, "Throttling") in ops, "IAM throttled once")
check(("DescribeRepositories", 400, "ThrottlingException") in ops, "ECR throttled once")
check(("GetRegistryPolicy", 503, "ServiceUnavailableException") in ops, "5xx once")
iam_pages = sum(1 for o in ops if o[0] == "GetAccountAuthorizationDetails" and o[1] == 200)
check(iam_pages >= 2, "IAM served in %d pages" % iam_pages)
ecr_pages = sum(1 for o in ops if o[0] == "DescribeRepositories" and o[1] == 200)
check(ecr_pages >= 2,
      "ECR served in %d pages" % ecr_pages)
sys.exit(1 if bad else 0)
EOF

# ---- 2. the matrix of the collected bundle equals the served one ----------
if "$ECRAUDIT" matrix --evidence "$bundle" >"$work/matrix.served" 2>"$work/matrix.err" &&
   head -1 "$work/matrix.served" | grep -q "^principal"; then
  # the served bundle may be a sample without a manifest: compare on the collected one
  if "$ECRAUDIT" matrix --evidence "$out" >"$work/matrix.collected" 2>>"$work/matrix.err" &&
     cmp -s "$work/matrix.served" "$work/matrix.collected"; then
    ok "matrix of the collected bundle equals the served bundle's ($(wc -l <"$work/matrix.served") lines)"
  else
    fail "matrix differs"
    diff "$work/matrix.served" "$work/matrix.collected" | head -20
  fi
else
  echo "SKIP: ecraudit matrix not available yet ($(head -c 200 "$work/matrix.err"))"
fi

# ---- 2b. `scan` gives the same findings as `report` on the served bundle ----
# (findings.json without the evidence file list: the collected files carry their
# own manifest and timestamps)
if SOURCE_DATE_EPOCH=1763600000 "$ECRAUDIT" report --evidence "$bundle" --out "$work/rep" \
     --format json --as-of 2025-11-20 >/dev/null 2>"$work/report.err" ||
   [ -f "$work/rep/findings.json" ]; then
  run_env AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_SESSION_TOKEN="$TOK" \
    SOURCE_DATE_EPOCH=1763600000 "$ECRAUDIT" scan --out "$work/scan" \
    --endpoint-url "http://127.0.0.1:$port" "${region_args[@]}" --format json \
    --as-of 2025-11-20 --quiet >"$work/scan.out" 2>"$work/scan.err"
  rc=$?
  if [ $rc -le 1 ] && "$PY" - "$work/scan/findings.json" "$work/rep/findings.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in (a, b):
    d.get("evidence", {}).pop("files", None)
if a != b:
    for k in a:
        if a[k] != b.get(k):
            print("findings.json differs in %s" % k)
    sys.exit(1)
print("ok: %d findings, %d gaps" % (len(a["findings"]), len(a["evidence"].get("gaps", []))))
EOF
  then
    ok "scan against the stand-in = report on the served bundle (findings.json)"
  else
    fail "scan (exit $rc) differs from report: $(head -c 300 "$work/scan.err")"
  fi
  no_secrets "scan output" "$work/scan" "$work/scan.out" "$work/scan.err"
else
  echo "SKIP: ecraudit report not available yet ($(head -c 200 "$work/report.err"))"
fi

# ---- 3. an existing ecraudit bundle at --out is replaced; other dirs are not
run_env AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_SESSION_TOKEN="$TOK" \
  "$ECRAUDIT" collect --out "$out" --endpoint-url "http://127.0.0.1:$port" "${region_args[@]}" \
  --quiet >"$work/stdout2" 2>"$work/stderr2"
rc=$?
[ $rc -eq 0 ] && ok "re-collect over an earlier bundle" || { fail "re-collect exit $rc"; cat "$work/stderr2"; }
[ ! -s "$work/stderr2" ] && ok "--quiet: nothing on stderr" || fail "--quiet printed: $(head -3 "$work/stderr2")"
mkdir -p "$work/precious" && echo keep >"$work/precious/file"
run_env AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_SESSION_TOKEN="$TOK" \
  "$ECRAUDIT" collect --out "$work/precious" --endpoint-url "http://127.0.0.1:$port" --region us-east-1 \
  --quiet >/dev/null 2>"$work/stderr3"
rc=$?
[ $rc -eq 4 ] && [ "$(cat "$work/precious/file")" = keep ] && ok "refuses to replace a non-bundle directory (exit 4)" ||
  fail "non-bundle --out: exit $rc"

# ---- 4. a wrong secret is rejected by the stand-in -> exit 3 --------------
run_env AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="wrong$SK" AWS_SESSION_TOKEN="$TOK" \
  "$ECRAUDIT" collect --out "$work/badsig" --endpoint-url "http://127.0.0.1:$port" --region us-east-1 \
  >"$work/stdout4" 2>"$work/stderr4"
rc=$?
[ $rc -eq 3 ] && grep -q SignatureDoesNotMatch "$work/stderr4" && [ ! -e "$work/badsig" ] &&
  ok "bad signature: exit 3, SignatureDoesNotMatch, no output" || fail "bad signature: exit $rc: $(cat "$work/stderr4")"
no_secrets "bad-signature stdout/stderr" "$work/stdout4" "$work/stderr4"

# ---- 5. a profile that assumes a role (role_arn + source_profile) --------
cat >"$work/home/.aws/credentials" <<EOF
[base]
aws_access_key_id = $AK
aws_secret_access_key = $SK
aws_session_token = $TOK
EOF
cat >"$work/home/.aws/config" <<EOF
[default]
region = eu-west-3

[profile audit]
role_arn = arn:aws:iam::$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Account"])' "$bundle/sts/caller-identity.json"):role/auditor-role
source_profile = base
role_session_name = ecraudit-test
region = us-east-1
EOF
: >"$work/server.log"
run_env "$ECRAUDIT" collect --out "$work/assumed" --profile audit \
  --endpoint-url "http://127.0.0.1:$port" >"$work/stdout5" 2>"$work/stderr5"
rc=$?
[ $rc -eq 0 ] && ok "assume-role profile: exit 0" || { fail "assume-role profile: exit $rc"; cat "$work/stderr5"; }
"$PY" - "$work/assumed" "$work/server.log" <<'EOF' || fails=$((fails + 1))
import json, sys
out, log = sys.argv[1:]
bad = 0
ident = json.load(open(out + "/sts/caller-identity.json"))
m = json.load(open(out + "/manifest.json"))
entries = [json.loads(l) for l in open(log)]
first = entries[0] if entries else {}
checks = [
    (":assumed-role/auditor-role/ecraudit-test" in ident["Arn"], "identity is the assumed role: " + ident["Arn"]),
    (first.get("op") == "AssumeRole" and first.get("status") == 200, "first call is sts:AssumeRole"),
    (all(e.get("signed") for e in entries), "every request signed"),
    (all(e["access_key"].startswith("ASIAFAKE") for e in entries[1:]), "later calls use the role's keys"),
    (m["regions"] == ["us-east-1"], "region from the profile (not [default])"),
]
for cond, msg in checks:
    print(("ok: " if cond else "FAIL: ") + msg)
    bad += not cond
sys.exit(1 if bad else 0)
EOF
no_secrets "assumed-role output" "$work/assumed" "$work/stdout5" "$work/stderr5"
rm -f "$work/home/.aws/credentials" "$work/home/.aws/config"

# ---- 6. IAM denied -> exit 3, nothing written -------------------------------
start_server --deny-iam
run_env AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_SESSION_TOKEN="$TOK" \
  "$ECRAUDIT" collect --out "$work/denied" --endpoint-url "http://127.0.0.1:$port" --region us-east-1 \
  >"$work/stdout6" 2>"$work/stderr6"
rc=$?
if [ $rc -eq 3 ] && grep -q "AccessDenied" "$work/stderr6" && [ ! -e "$work/denied" ] &&
   ! ls "$work" | grep -q '^denied\.tmp'; then
  ok "IAM denied: exit 3, AccessDenied named, nothing written"
else
  fail "IAM denied: exit $rc: $(cat "$work/stderr6")"
fi

# ---- 7. no credentials at all -> exit 3 --------------------------------------
run_env "$ECRAUDIT" collect --out "$work/nocreds" --endpoint-url "http://127.0.0.1:$port" \
  --region us-east-1 >/dev/null 2>"$work/stderr7"
rc=$?
[ $rc -eq 3 ] && grep -qi "credentials" "$work/stderr7" && ok "no credentials: exit 3" ||
  fail "no credentials: exit $rc: $(cat "$work/stderr7")"

# every findings.json written above: docs/findings.schema.json and tests/cli/findings_schema.py
if "$PY" "$src/tests/cli/findings_schema.py" --tree "$work" >"$work/schema.log" 2>&1
then ok "$(tail -1 "$work/schema.log")"; else fail "findings.json schema: $(head -5 "$work/schema.log")"; fi

if [ $fails -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all fake_aws checks passed"
