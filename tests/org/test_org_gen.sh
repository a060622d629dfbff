#!/usr/bin/env bash
# Issue 18's scale test, on a generated organisation (ecraudit-gen --org):
#  - `report --evidence ORG` holds every account's findings (the same ids,
#    statuses and repositories as each account's own report);
#  - the fan-out (one `report` per account, as the Kubernetes pods run) then
#    `merge` gives the same organisation findings.json, report.junit.xml and
#    report.html as `report --evidence ORG`;
#  - the seeded cross-account grant (account 2's org-shared/base-images lets
#    account 3's org-ci-pusher push; organization/manifest.json) is decided on
#    both sides: account 2's finding for that role names it as able to use the
#    grant with its own identity policy (generator: a matching identity Allow).
# Env (tests/CMakeLists.txt): ECRAUDIT, ECR_BUILD, ECR_SRC. ORG_GEN_ACCOUNTS
# (default 6) sets the size.
set -u
GEN=$ECR_BUILD/bench/ecraudit-gen
PY=/usr/bin/python3
n=${ORG_GEN_ACCOUNTS:-6}
[ -x "$GEN" ] || { echo "FAIL: $GEN not built"; exit 1; }
tmp=$(mktemp -d "$ECR_BUILD/org-gen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { if "$@"; then echo "ok - $desc"; passed=$((passed + 1)); else echo "not ok - $desc"; failed=$((failed + 1)); fi; }
export SOURCE_DATE_EPOCH=1764547200

"$GEN" --org "$n" --users 16 --roles 24 --groups 6 --policies 20 --repos 8 --regions 2 --seed 11 \
  --repo-policy-share 0.4 --out "$tmp/org" >/dev/null
rc=0
"$ECRAUDIT" report --evidence "$tmp/org" --out "$tmp/r" --as-of 2026-12-01 --quiet || rc=$?
desc="report --evidence on $n generated accounts: exit 0 or 1"; check [ "$rc" -le 1 ]
ids=$(cat "$tmp/org/organization/account-ids.txt")
for id in $ids; do
  "$ECRAUDIT" report --evidence "$tmp/org/accounts/$id" --out "$tmp/a/$id" --format json \
    --as-of 2026-12-01 --quiet || [ $? = 1 ] || echo "report of $id failed"
done
"$ECRAUDIT" merge --out "$tmp/m" --quiet "$tmp"/a/*/findings.json || [ $? = 1 ]
desc="the organisation report holds every account's own findings (ids, statuses, repositories)"
check "$PY" - "$tmp/r/findings.json" "$tmp/a" <<'PYEOF'
import json, os, sys
org = json.load(open(sys.argv[1]))
osets = org["repository_sets"]
got = {}
for f in org["findings"]:
    got[(f["account"], f["id"])] = (f["status"], tuple(osets[f["repository_set"]]["repositories"]))
want = {}
for acct in os.listdir(sys.argv[2]):
    d = json.load(open(os.path.join(sys.argv[2], acct, "findings.json")))
    for f in d["findings"]:
        want[(acct, f["id"])] = (f["status"], tuple(d["repository_sets"][f["repository_set"]]["repositories"]))
assert sorted(org["accounts"]) == sorted(os.listdir(sys.argv[2])), org["accounts"]
assert got == want, (len(got), len(want), sorted(set(got) ^ set(want))[:5])
PYEOF
desc="merge of the per-account reports = report --evidence ORG (findings.json, report.junit.xml, report.html, report.pdf)"
check bash -c 'cmp "$1/findings.json" "$2/findings.json" && cmp "$1/report.junit.xml" "$2/report.junit.xml" && cmp "$1/report.html" "$2/report.html" && cmp "$1/report.pdf" "$2/report.pdf"' _ "$tmp/r" "$tmp/m"
desc="report.html: each account's section lists its worst open findings (25 at most, the rest counted)"
check "$PY" "$ECR_SRC/tests/org/check_pages.py" html "$tmp/r/report.html" "$tmp/r/findings.json"
desc="report.pdf: the same findings in each account's section"
check "$PY" "$ECR_SRC/tests/org/check_pages.py" pdf "$tmp/r/report.pdf" "$tmp/r/findings.json"
desc="some account has more than 25 open findings (the cap is exercised)"
check "$PY" -c 'import json, sys, collections; d = json.load(open(sys.argv[1])); c = collections.Counter(f["account"] for f in d["findings"] if f["status"] != "pass"); assert max(c.values()) > 25, c' "$tmp/r/findings.json"
desc="the seeded cross-account grant is decided on both sides (account 2's finding names account 3's org-ci-pusher as able to use it)"
check "$PY" - "$tmp/org/organization/manifest.json" "$tmp/r/findings.json" <<'PYEOF'
import json, sys
g = json.load(open(sys.argv[1]))["synthetic"]["seeded_cross_account_grant"]
grantor = g["repository"].split(":")[4]
role = g["principal"]
grantee = role.split(":")[4]
d = json.load(open(sys.argv[2]))
hits = [f for f in d["findings"] if f["account"] == grantor and f["access_level"] == "Write"
        and f["principal"]["arn"] in (role, "arn:aws:iam::%s:root" % grantee)
        and "Decided on both sides" in f["impact"] and role in f["impact"]]
assert hits, "no Write finding of %s decided on both sides naming %s" % (grantor, role)
PYEOF
echo "# $passed passed, $failed failed"
[ "$failed" = 0 ]
