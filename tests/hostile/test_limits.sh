#!/usr/bin/env bash
# Costs on hostile input are linear or bounded (issue 17, item 5): each run
# must finish within a time limit that the old quadratic code exceeded
# (plain build: 256 KiB user and repository names in the PDF 23 s, 100k-entry ledger over 60 s, a
# 100k-character glob against a 256 KiB name over a minute).
# Env: ECRAUDIT, ECR_SRC.
set -uo pipefail
: "${ECRAUDIT:?}" "${ECR_SRC:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/ecraudit-limits.XXXXXX")
trap 'rm -rf "$work"' EXIT
sample="$ECR_SRC/samples/acme"
scale=1 n_ledger=100000
if nm "$ECRAUDIT" 2>/dev/null | grep -q __asan_init || ldd "$ECRAUDIT" 2>/dev/null | grep -q libasan; then
  scale=10 n_ledger=25000 # sanitizers are 10-50x slower
fi
failures=0
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

python3 - "$sample" "$work" "$n_ledger" <<'EOF'
import json, os, shutil, sys
sample, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
ign = shutil.ignore_patterns("manifest.json", "README.md", "ledger.json")
d = os.path.join(work, "longname")
shutil.copytree(sample, d, ignore=ign)
p = os.path.join(d, "iam/account-authorization-details.json")
v = json.load(open(p))
name = "n" * (256 * 1024)
u = v["UserDetailList"][0]
u["UserName"] = name
u["Arn"] = "arn:aws:iam::111122223333:user/" + name
u["UserPolicyList"] = [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "*"}]}}]
json.dump(v, open(p, "w"))
# a repository name of the same length (table cells fit it with an ellipsis)
r = os.path.join(d, "ecr/us-east-1/repositories.json")
rv = json.load(open(r))
rn = "team-x/" + "r" * (256 * 1024)
rv["repositories"][0]["repositoryName"] = rn
rv["repositories"][0]["repositoryArn"] = "arn:aws:ecr:us-east-1:111122223333:repository/" + rn
json.dump(rv, open(r, "w"))
base = json.load(open(os.path.join(sample, "ledger.json")))
out = []
for i in range(n):
    e = dict(base[i % len(base)])
    e["id"] = "E-%06d" % i
    if i % 2:
        e["principal"] = "arn:aws:iam::111122223333:role/r%06d" % i
    out.append(e)
json.dump(out, open(os.path.join(work, "big-ledger.json"), "w"))
e = dict(base[0])
e["id"] = "G"
e["principal"] = "*" + "n" * 100000 + "x"
json.dump([e], open(os.path.join(work, "glob-ledger.json"), "w"))
EOF

# run NAME LIMIT_SECONDS ARGS...: exit 0 or 1 within the limit
run() {
  local name=$1 limit=$(($2 * scale)); shift 2
  local t0 t1 rc
  t0=$(date +%s.%N)
  timeout "$limit" "$ECRAUDIT" report --as-of 2026-01-15 --out "$work/out-$name" "$@" \
    >/dev/null 2>"$work/$name.err"
  rc=$?
  t1=$(date +%s.%N)
  printf 'limits: %s took %.1f s (limit %d s)\n' "$name" "$(echo "$t1 - $t0" | bc)" "$limit"
  [ "$rc" -eq 124 ] && { fail "$name" "not finished after $limit s"; return; }
  [ "$rc" -le 1 ] || fail "$name" "exit $rc: $(head -c 300 "$work/$name.err")"
}

run pdf_256k_name 12 --evidence "$work/longname" --format pdf
run ledger_${n_ledger} 20 --evidence "$sample" --exceptions "$work/big-ledger.json" --format json
run glob_100k 10 --evidence "$work/longname" --exceptions "$work/glob-ledger.json" --format json
# the over-long pattern is an invalid entry with its reason, not a hang
python3 - "$work/out-glob_100k/findings.json" <<'EOF' || fail glob_100k "entry G is not invalid"
import json, sys
ex = {e["id"]: e for e in json.load(open(sys.argv[1]))["exceptions"]}
sys.exit(0 if ex["G"]["state"] == "invalid" else 1)
EOF

echo "limits: $failures failures"
[ "$failures" -eq 0 ]
