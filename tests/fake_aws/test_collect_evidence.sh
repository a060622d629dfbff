#!/bin/bash
# The optional evidence `ecraudit collect` gathers besides IAM and the ECR
# policies, against the stand-in serving tests/fake_aws/bundle: repository tags,
# the organization, its accounts (every page), the SCPs and RCPs of each level,
# EKS clusters and Pod Identity associations (REST GETs, every page) — each file
# equal to the served one — and the gaps when the stand-in refuses a call
# (--deny-op), repeats a token, or serves no RCPs / no organization.
# Env (set by CTest): ECRAUDIT, ECR_SRC.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${ECRAUDIT:?set ECRAUDIT to the ecraudit binary}"
PY=/usr/bin/python3
ECR_FAKE_WORK_NAME=ecraudit-evidence
. "$here/common.sh"
bundle=$here/bundle

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
collect() { # out
  env -i PATH="$PATH" HOME="$work" LC_ALL=C AWS_CONFIG_FILE=/nonexistent \
    AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_ACCESS_KEY_ID="$AK" \
    AWS_SECRET_ACCESS_KEY="$SK" AWS_SESSION_TOKEN="$TOK" \
    "$ECRAUDIT" collect --out "$1" --endpoint-url "http://127.0.0.1:$port" --region us-east-1 \
    --quiet 2>"$1.err"
}
# check OUT SERVED SCENARIO: the Python checks below for one scenario
check() {
  "$PY" - "$@" "$work/server.log" <<'PYEOF' || fails=$((fails + 1))
import json, os, sys
out, served, scenario, log = sys.argv[1:]
bad = 0
def ok(cond, msg):
    global bad
    print(("ok: " if cond else "FAIL: ") + "%s: %s" % (scenario, msg))
    bad += not cond
def load(base, rel):
    p = os.path.join(base, rel)
    return json.load(open(p)) if os.path.exists(p) else None
m = json.load(open(os.path.join(out, "manifest.json")))
gaps = [(g["source"], g["resource"], g["error"].split(":")[0]) for g in m["gaps"]
        if g["source"] != "ecr:GetRepositoryPolicy"]
listed = {f["path"] for f in m["files"]}
entries = [json.loads(l) for l in open(log)]
ok(all(e.get("signed") for e in entries), "every request signed (%d)" % len(entries))
TAGS = "ecr/us-east-1/repository-tags.json"
ORG = ["organizations/organization.json", "organizations/accounts.json",
       "organizations/scps.json", "organizations/rcps.json"]
EKS = ["eks/us-east-1/clusters.json", "eks/us-east-1/pod-identity-associations.json"]
ACCT = "arn:aws:ecr:us-east-1:111122223333:repository/"
CL = "arn:aws:eks:us-east-1:111122223333:cluster/"
def same(rel):
    a, b = load(out, rel), load(served, rel)
    ok(a is not None and a == b and rel in listed, "%s equals the served one, in the manifest" % rel)
def absent(rel):
    ok(load(out, rel) is None and rel not in listed, "%s not written" % rel)
def ops(name):
    return [e for e in entries if e.get("op") == name]
if scenario == "all":
    for rel in [TAGS] + ORG + EKS:
        same(rel)
    ok(gaps == [], "no gap but the served repository policy's: %s" % gaps)
    ok(len([e for e in ops("ListAccounts") if e["status"] == 200]) >= 3, "ListAccounts followed NextToken")
    ok(all(e.get("method") == "GET" for e in ops("ListClusters") + ops("DescribeCluster")),
       "EKS calls are GETs")
    ok(len(ops("ListPodIdentityAssociations")) == 3, "ListPodIdentityAssociations followed nextToken")
    ok(len(ops("ListPoliciesForTarget")) >= 6, "one walk, two policy kinds")
    ok(len(ops("ListParents")) == 2, "the parents walked once for SCPs and RCPs")
    ok(json.load(open(os.path.join(out, EKS[1])))[0]["association"]["createdAt"]
       == "2024-06-01T10:00:00.500000+00:00", "EKS epoch timestamps printed as the CLI does")
elif scenario == "denied":
    ok(load(out, TAGS) == [] and TAGS in listed, "tags file holds no refused repository")
    want = sorted([("ecr:ListTagsForResource", ACCT + r, "AccessDeniedException") for r in ("app/api", "app/web", "base")]
                  + [("organizations:ListAccounts", "organization", "AccessDeniedException"),
                     ("eks:ListClusters", "us-east-1", "AccessDeniedException")])
    ok(sorted(gaps) == want, "one gap per refused call: %s" % sorted(gaps))
    absent(ORG[1])
    for rel in (ORG[0], ORG[2], ORG[3]):
        same(rel)
    for rel in EKS:
        absent(rel)
elif scenario == "describe-denied":
    ok(load(out, EKS[0]) == [] and load(out, EKS[1]) == [], "EKS files without the refused items")
    want = sorted([("eks:DescribeCluster", CL + "prod", "AccessDeniedException"),
                   ("eks:DescribeCluster", CL + "tools", "AccessDeniedException")] +
                  [("eks:DescribePodIdentityAssociation",
                    "arn:aws:eks:us-east-1:111122223333:podidentityassociation/%s" % a, "AccessDeniedException")
                   for a in ("prod/a-0123456789abcdefg", "prod/a-1123456789abcdefg", "tools/a-2123456789abcdefg")])
    ok(sorted(gaps) == want, "a gap per cluster and association: %s" % sorted(gaps))
elif scenario == "no-parents":
    same(ORG[0]); same(ORG[1]); absent(ORG[2]); absent(ORG[3])
    ok(gaps == [("organizations:ListParents", "111122223333", "AccessDeniedException")],
       "ListParents refused: one gap, neither SCPs nor RCPs: %s" % gaps)
elif scenario == "member":
    for rel in ORG:
        absent(rel)
    ok(gaps == [("organizations:DescribeOrganization", "organization", "AccessDeniedException")],
       "DescribeOrganization refused: one gap: %s" % gaps)
elif scenario == "no-rcps":
    same(ORG[2]); absent(ORG[3])
    ok(gaps == [], "RCPs not enabled: no file and no gap: %s" % gaps)
elif scenario == "no-org":
    for rel in ORG:
        absent(rel)
    ok(gaps == [], "not in an organization: no file and no gap: %s" % gaps)
elif scenario == "eks-loop":
    for rel in EKS:
        absent(rel)
    ok(gaps == [("eks:ListClusters", "us-east-1", "PaginationLoop")], "a repeated nextToken is a gap: %s" % gaps)
sys.exit(1 if bad else 0)
PYEOF
}

run() { # scenario bundle stand-in-args...
  local scenario=$1 b=$2
  shift 2
  start_server "$b" "$@"
  if collect "$work/$scenario"; then
    check "$work/$scenario" "$b" "$scenario"
    if "$ECRAUDIT" matrix --evidence "$work/$scenario" >/dev/null 2>"$work/$scenario.matrix.err"; then
      ok "$scenario: the collected bundle loads"
    else
      fail "$scenario: the collected bundle does not load: $(cat "$work/$scenario.matrix.err")"
    fi
  else
    fail "$scenario: collect failed: $(cat "$work/$scenario.err")"
  fi
}

run all "$bundle"
run denied "$bundle" --deny-op ListTagsForResource --deny-op ListAccounts --deny-op ListClusters
run describe-denied "$bundle" --deny-op DescribeCluster --deny-op DescribePodIdentityAssociation
run no-parents "$bundle" --deny-op ListParents
run member "$bundle" --deny-op DescribeOrganization
run eks-loop "$bundle" --eks-token-loop
cp -r "$bundle" "$work/b-norcps" && rm "$work/b-norcps/organizations/rcps.json" "$work/b-norcps/manifest.json"
run no-rcps "$work/b-norcps"
cp -r "$bundle" "$work/b-noorg" && rm -r "$work/b-noorg/organizations" "$work/b-noorg/manifest.json"
run no-org "$work/b-noorg"

if [ $fails -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all collect evidence checks passed"
