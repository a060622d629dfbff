#!/bin/bash
# IAM Access Advisor collection (issue 21), against the stand-in: one ACTION_LEVEL
# GenerateServiceLastAccessedDetails per user and role, jobs IN_PROGRESS on their first poll
# and polled again (backoff), at most 32 in flight, every page read (Marker), only the ecr
# entry kept; the served bundle's omitted principal (acme-ml-sagemaker) and --usage-fail
# principals FAILED -> gaps; a refused Generate -> one gap and no file; --no-usage -> no call;
# the loader's strict checks (exit 2, one line naming the file); --timeout cutting the jobs
# (one gap, what completed kept); and the cost at scale:
# USAGE_BENCH=N principals (default 300 here; 10000 for the figure in docs/evidence-bundle.md).
# Env (set by CTest): ECRAUDIT, ECR_SRC.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
: "${ECRAUDIT:?set ECRAUDIT to the ecraudit binary}"
PY=/usr/bin/python3
ECR_FAKE_WORK_NAME=ecraudit-usage
. "$here/common.sh"
acme=$src/samples/acme

start_server() { # bundle, extra args...
  local b=$1
  shift
  stop_server
  rm -f "$work/port"
  : >"$work/server.log"
  "$PY" "$here/fake_aws.py" --bundle "$b" --port-file "$work/port" --log "$work/server.log" \
    --access-key "$AK" --secret-key "$SK" --session-token "$TOK" "$@" 2>"$work/server.err" &
  server_pid=$!
  await_server
}
collect() { # out, extra args...
  local out=$1
  shift
  env -i PATH="$PATH" HOME="$work" LC_ALL=C AWS_CONFIG_FILE=/nonexistent \
    AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_ACCESS_KEY_ID="$AK" \
    AWS_SECRET_ACCESS_KEY="$SK" AWS_SESSION_TOKEN="$TOK" \
    "$ECRAUDIT" collect --out "$out" --endpoint-url "http://127.0.0.1:$port" --region us-east-1 \
    --quiet "$@" 2>"$out.err"
}
check() { # scenario out served
  "$PY" - "$@" "$work/server.log" <<'PYEOF' || fails=$((fails + 1))
import collections, json, os, sys
scenario, out, served, log = sys.argv[1:]
bad = 0
def ok(cond, msg):
    global bad
    print(("ok: " if cond else "FAIL: ") + "%s: %s" % (scenario, msg))
    bad += not cond
REL = "iam/service-last-accessed.json"
entries = [json.loads(l) for l in open(log)]
gen = [e for e in entries if e.get("op") == "GenerateServiceLastAccessedDetails"]
get = [e for e in entries if e.get("op") == "GetServiceLastAccessedDetails"]
m = json.load(open(os.path.join(out, "manifest.json")))
gaps = [g for g in m["gaps"] if g["source"].startswith("iam:")]
listed = {f["path"] for f in m["files"]}
path = os.path.join(out, REL)
doc = json.load(open(path)) if os.path.exists(path) else None
iam = json.load(open(os.path.join(served, "iam/account-authorization-details.json")))
arns = [u["Arn"] for u in iam["UserDetailList"]] + [r["Arn"] for r in iam["RoleDetailList"]]
if scenario in ("acme", "pages", "fail"):
    ok(sorted(e["principal"] for e in gen) == sorted(arns), "one Generate per user and role (%d)" % len(gen))
    ok(all(e["status"] == 200 for e in gen + get), "every call answered 200")
    polls = collections.Counter(e["principal"] for e in get if e.get("poll") == 1)
    ok(set(polls) == set(arns) and set(polls.values()) == {1}, "every job polled while IN_PROGRESS, once")
    ok(max(e.get("in_flight", 0) for e in gen) <= 32, "at most 32 jobs in flight (%d)"
       % max(e.get("in_flight", 0) for e in gen))
    ok(doc is not None and REL in listed, "%s written and in the manifest" % REL)
    served_doc = json.load(open(os.path.join(served, REL)))
    want = {e["Arn"]: e for e in served_doc}
    failed = sorted(set(arns) - set(want)) + (["arn:aws:iam::111122223333:user/bob.dev"] if scenario == "fail" else [])
    for a in failed:
        want.pop(a, None)
    got = {e["Arn"]: e for e in doc or []}
    ok(sorted(got) == sorted(want), "the completed principals, and only they (%d)" % len(got))
    same = all(got[a]["ServicesLastAccessed"] == want[a]["ServicesLastAccessed"]
               and got[a]["JobStatus"] == "COMPLETED" and got[a]["JobType"] == "ACTION_LEVEL"
               and got[a]["IsTruncated"] is False
               and got[a]["JobCompletionDate"] == want[a]["JobCompletionDate"] for a in got)
    ok(same, "each output equals the served one, the ecr entry only (the s3 entry dropped)")
    ok(all(list(e)[0] == "Arn" for e in doc or []), "the ARN is each object's first key")
    ok([e["Arn"] for e in doc or []] == [a for a in arns if a in got],
       "in the order of the authorization details (users, then roles)")
    ok(sorted(g["resource"] for g in gaps) == sorted(failed)
       and all(g["source"] == "iam:GetServiceLastAccessedDetails" and g["error"].startswith("ServiceFailure: ")
               for g in gaps), "a FAILED job is a gap naming the principal: %s" % [g["resource"] for g in gaps])
    pages = collections.Counter(e["principal"] for e in get if e.get("poll", 0) >= 2)
    if scenario == "pages":  # one page per service: s3, then ecr
        ok(all(pages[a] == 2 for a in got), "every page read (Marker): 2 pages a principal")
    else:
        ok(all(pages[a] == 1 for a in arns), "one more poll completes each job")
elif scenario == "denied":
    ok(len(gen) == 1 and not get, "a refused first Generate stops: %d call(s)" % len(gen))
    ok(doc is None and REL not in listed, "no file")
    ok([(g["source"], g["resource"], g["error"].split(":")[0]) for g in gaps]
       == [("iam:GenerateServiceLastAccessedDetails", "111122223333", "AccessDenied")],
       "one gap for the account: %s" % gaps)
elif scenario == "no-usage":
    ok(not gen and not get, "--no-usage: no Access Advisor call")
    ok(doc is None and REL not in listed and not gaps, "--no-usage: no file, no gap")
elif scenario == "bench":
    ok(doc is not None and len(doc) == len(arns) and not gaps, "all %d principals completed" % len(arns))
    ok(len(gen) == len(arns) and len(get) == 2 * len(arns),
       "calls: %d Generate + %d Get = 3 per principal" % (len(gen), len(get)))
    ok(max(e.get("in_flight", 0) for e in gen) <= 32, "at most 32 in flight")
sys.exit(1 if bad else 0)
PYEOF
}

# 1. the sample account: 26 completed, acme-ml-sagemaker (omitted by the served file) FAILED
start_server "$acme"
collect "$work/acme" || fail "collect: $(cat "$work/acme.err")"
check acme "$work/acme" "$acme"
# the bundle reads, and the report marks the sample's unused access
"$ECRAUDIT" report --evidence "$work/acme" --out "$work/acme-r" --format json --as-of 2025-11-20 \
  --quiet 2>"$work/r.err"
[ $? -le 1 ] && "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["usage"]["unused"] > 0 else 1)' \
  "$work/acme-r/findings.json" && ok "the collected bundle reports unused access" || fail "report: $(cat "$work/r.err")"

# 2. one service a page: the collector follows Marker
start_server "$acme" --usage-page-size 1
collect "$work/pages" || fail "collect: $(cat "$work/pages.err")"
check pages "$work/pages" "$acme"

# 3. one more FAILED job (--usage-fail)
start_server "$acme" --usage-fail arn:aws:iam::111122223333:user/bob.dev
collect "$work/fail" || fail "collect: $(cat "$work/fail.err")"
check fail "$work/fail" "$acme"

# 4. Generate refused: one gap, no file, the rest of the bundle as usual
start_server "$acme" --deny-op GenerateServiceLastAccessedDetails
collect "$work/denied" || fail "collect: $(cat "$work/denied.err")"
check denied "$work/denied" "$acme"

# 5. --no-usage
start_server "$acme"
collect "$work/nousage" --no-usage || fail "collect --no-usage: $(cat "$work/nousage.err")"
check no-usage "$work/nousage" "$acme"
stop_server

# 6. the loader: a wrong shape is exit 2 with one line naming the file (and nothing written)
bad_case() { # name, python expression turning d (the acme file's list) into the bad document
  local b=$work/bad-$1
  rm -rf "$b" && cp -r "$acme" "$b" && rm -f "$b/manifest.json"
  "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); d=$2; json.dump(d, open(sys.argv[1], 'w'))" \
    "$b/iam/service-last-accessed.json"
  "$ECRAUDIT" report --evidence "$b" --out "$b.out" --format json --as-of 2025-11-20 --quiet \
    2>"$b.err" >/dev/null
  local rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l <"$b.err")" -eq 1 ] && grep -q "iam/service-last-accessed.json" "$b.err" &&
     grep -q -- "$3" "$b.err" && [ ! -e "$b.out/findings.json" ]; then
    ok "bad $1: exit 2: $(cat "$b.err")"
  else
    fail "bad $1: exit $rc: $(cat "$b.err")"
  fi
}
bad_case object '{"x": d}' "must be a JSON array"
bad_case no-arn '[{k: v for k, v in e.items() if k != "Arn"} for e in d]' "Arn is missing"
bad_case status '[dict(d[0], JobStatus="DONE")] + d[1:]' "JobStatus must be"
bad_case services '[dict(d[0], ServicesLastAccessed={})] + d[1:]' "ServicesLastAccessed must be an array"
bad_case date '[dict(d[0], ServicesLastAccessed=[dict(d[0]["ServicesLastAccessed"][0], LastAuthenticated="yesterday")])] + d[1:]' "LastAuthenticated must be an ISO 8601"
bad_case action '[dict(d[0], ServicesLastAccessed=[dict(d[0]["ServicesLastAccessed"][0], TrackedActionsLastAccessed=[{"LastAccessedTime": "2025-01-01T00:00:00+00:00"}])])] + d[1:]' "ActionName"
bad_case twice 'd + [d[0]]' "listed twice"
bad_case ecr-twice '[dict(d[0], ServicesLastAccessed=d[0]["ServicesLastAccessed"] * 2)] + d[1:]' "ecr service twice"

# 7. cost at scale: USAGE_BENCH principals (half users, half roles), no repositories
n=${USAGE_BENCH:-300}
big=$work/big
mkdir -p "$big/sts" "$big/iam" "$big/ecr/us-east-1"
cp "$acme/sts/caller-identity.json" "$big/sts/"
echo '{"repositories": []}' >"$big/ecr/us-east-1/repositories.json"
"$PY" - "$big" "$n" <<'PYEOF'
import json, sys
big, n = sys.argv[1], int(sys.argv[2])
A = "arn:aws:iam::111122223333:"
users = [{"Path": "/", "UserName": "u%05d" % i, "UserId": "AIDAFAKE%012d" % i, "Arn": A + "user/u%05d" % i,
          "CreateDate": "2024-01-01T00:00:00+00:00", "UserPolicyList": [], "GroupList": [],
          "AttachedManagedPolicies": [], "Tags": []} for i in range(n // 2)]
roles = [{"Path": "/", "RoleName": "r%05d" % i, "RoleId": "AROAFAKE%012d" % i, "Arn": A + "role/r%05d" % i,
          "CreateDate": "2024-01-01T00:00:00+00:00", "AssumeRolePolicyDocument": {"Version": "2012-10-17",
          "Statement": []}, "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": [],
          "InstanceProfileList": [], "RoleLastUsed": {}} for i in range(n - n // 2)]
json.dump({"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": []},
          open(big + "/iam/account-authorization-details.json", "w"))
PYEOF
start_server "$big" --iam-page-size 1000
t0=$(date +%s.%N)
collect "$work/big-out" || fail "collect ($n principals): $(cat "$work/big-out.err")"
t1=$(date +%s.%N)
check bench "$work/big-out" "$big"
secs=$("$PY" -c "print('%.1f' % ($t1 - $t0))")
calls=$(grep -c 'ServiceLastAccessedDetails' "$work/server.log")
echo "measure: $n principals: $calls Access Advisor calls, whole collection ${secs} s at the stand-in"
# 8. --timeout cuts the usage jobs (collected last), not the rest: one gap, the completed ones kept
: >"$work/server.log"
t2=$(date +%s)
collect "$work/cut" --timeout 3 || fail "collect --timeout 3: $(cat "$work/cut.err")"
t3=$(date +%s)
"$PY" - "$work/cut" "$n" $((t3 - t2)) <<'PYEOF' || fails=$((fails + 1))
import json, os, sys
out, n, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
m = json.load(open(os.path.join(out, "manifest.json")))
gaps = [(g["source"], g["resource"], g["error"].split(":")[0]) for g in m["gaps"]]
doc = json.load(open(os.path.join(out, "iam/service-last-accessed.json")))
good = (gaps == [("iam:GetServiceLastAccessedDetails", "111122223333", "RequestTimeout")]
        and 0 < len(doc) < n and secs <= 10)
print(("ok: " if good else "FAIL: ") + "--timeout 3: %d of %d principals, one gap %s, %d s" % (len(doc), n, gaps, secs))
sys.exit(0 if good else 1)
PYEOF
stop_server

[ $fails -eq 0 ] && echo "test_collect_usage: all passed" || { echo "test_collect_usage: $fails failed"; exit 1; }
