#!/usr/bin/env bash
# ecraudit-gen --org N (bench/gen/org.c): the organisation layout of DESIGN
# "Organisation evidence (layout)", deterministic, every manifest's SHA-256
# right, every account a bundle ecraudit reports on, mixed sizes, SCPs and
# RCPs per OU, the seeded cross-account grant on both sides; the
# single-account output is still byte for byte what it was before --org
# existed; and `collect --org` of the generated organisation served by the
# stand-in gives back its organisation files.
# Env (tests/CMakeLists.txt): ECRAUDIT, ECR_BUILD, ECR_SRC; cwd = build dir.
set -u
GEN=$ECR_BUILD/bench/ecraudit-gen
PY=/usr/bin/python3
here=$ECR_SRC/tests/fake_aws
[ -x "$GEN" ] || { echo "FAIL: $GEN not built"; exit 1; }
ECR_FAKE_WORK_NAME=ecraudit-gen-org
. "$here/common.sh"

sums() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }

# 1. the default single-account bundle: the files of the generator before --org
#    (a deliberate change of the generator updates this hash, with the reason)
"$GEN" --out "$work/single" >/dev/null
h=$(sums "$work/single" | sha256sum | cut -d' ' -f1)
[ "$h" = 0ccb227bf34f21a971dfd80d8194786b07f1f94149fac1bec07e725cb2627c4d ] &&
  ok "single-account output byte-identical to the generator before --org" ||
  fail "single-account output changed ($h)"

# 2. an organisation of 7, twice the same
args=(--org 7 --users 16 --roles 24 --groups 6 --policies 20 --repos 8 --regions 2 --seed 5)
"$GEN" "${args[@]}" --out "$work/o1" || fail "ecraudit-gen --org"
"$GEN" "${args[@]}" --out "$work/o2" >/dev/null
diff <(sums "$work/o1") <(sums "$work/o2") >/dev/null && ok "--org: same parameters, same files" ||
  fail "--org is not deterministic"
"$GEN" "${args[@]}" --out "$work/o1" >/dev/null 2>"$work/again.err"
[ "$?" = 2 ] && grep -q "already holds an organisation" "$work/again.err" &&
  ok "--org into an existing organisation: exit 2 without --force" || fail "--org over an organisation"
"$GEN" --org 0 --out "$work/o0" 2>/dev/null
[ "$?" = 2 ] && ok "--org 0: exit 2" || fail "--org 0 accepted"

"$PY" - "$work/o1" <<'EOF' && ok "--org: layout, manifests, sizes, OUs, SCPs/RCPs, the seeded grant" || fail "--org layout"
import hashlib, json, os, sys
d = sys.argv[1]
od = os.path.join(d, "organization")
ids = open(os.path.join(od, "account-ids.txt")).read().split()
assert len(ids) == 7 and ids == sorted(ids), ids
accts = json.load(open(os.path.join(od, "accounts.json")))["Accounts"]
assert [a["Id"] for a in accts] == ids and all(a["State"] == "ACTIVE" for a in accts)
org = json.load(open(os.path.join(od, "organization.json")))["Organization"]
assert org["MasterAccountId"] == ids[0]
def check_manifest(root):
    m = json.load(open(os.path.join(root, "manifest.json")))
    listed = sorted(f["path"] for f in m["files"])
    for f in m["files"]:
        assert hashlib.sha256(open(os.path.join(root, f["path"]), "rb").read()).hexdigest() == f["sha256"], (root, f)
    return listed
listed = check_manifest(od)
assert listed == sorted(n for n in os.listdir(od) if n != "manifest.json"), listed
ous, users = set(), set()
for a in ids:
    b = os.path.join(d, "accounts", a)
    check_manifest(b)
    for k in ("scps", "rcps"):
        mine = json.load(open(os.path.join(b, "organizations", k + ".json")))
        assert mine == json.load(open(os.path.join(od, "%s-%s.json" % (a, k)))), (a, k)
        assert mine[0]["target"].startswith("r-") and mine[-1]["target"] == a
        if len(mine) == 3:
            ous.add(mine[1]["target"])
    iam = json.load(open(os.path.join(b, "iam/account-authorization-details.json")))
    users.add(len(iam["UserDetailList"]))
    ident = json.load(open(os.path.join(b, "sts/caller-identity.json")))
    assert ident["Account"] == a
assert len(ous) == 3, ous          # prod, dev, sandbox
assert len(users) >= 2, users      # mixed sizes
# the seeded grant: account 2's repository policy names account 3's role, which can push there
g = json.load(open(os.path.join(od, "manifest.json")))["synthetic"]["seeded_cross_account_grant"]
role = "arn:aws:iam::%s:role/org-ci-pusher" % ids[2]
assert g["principal"] == role and ids[1] in g["repository"], g
pols = json.load(open(os.path.join(d, "accounts", ids[1], "ecr/us-east-1/repository-policies.json")))
p = next(x for x in pols if x["repositoryName"] == "org-shared/base-images")
doc = json.loads(p["policyText"])
assert doc["Statement"][0]["Principal"] == {"AWS": role} and "ecr:PutImage" in doc["Statement"][0]["Action"]
iam = json.load(open(os.path.join(d, "accounts", ids[2], "iam/account-authorization-details.json")))
r = next(x for x in iam["RoleDetailList"] if x["Arn"] == role)
st = r["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]
assert "ecr:PutImage" in st["Action"] and ids[1] in st["Resource"], st
EOF

# 3. every account's bundle is one ecraudit reports on; the grant shows in account 2's findings
bad=0
for a in $(cat "$work/o1/organization/account-ids.txt"); do
  "$ECRAUDIT" report --evidence "$work/o1/accounts/$a" --out "$work/r-$a" --format json --quiet 2>"$work/r.err"
  rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 1 ] || { bad=1; fail "report on account $a: exit $rc $(cat "$work/r.err")"; }
done
[ "$bad" = 0 ] && ok "report --evidence on every generated account: exit 0 or 1"
a2=$(sed -n 2p "$work/o1/organization/account-ids.txt")
grep -q "org-ci-pusher" "$work/r-$a2/findings.json" &&
  ok "account 2's findings name the seeded cross-account grantee" || fail "the seeded grant is not in account 2's findings"

# 4. the generated organisation served by the stand-in: collect --org gives back its files
mgmt=$(sed -n 1p "$work/o1/organization/account-ids.txt")
"$PY" "$here/fake_aws.py" --bundle "$work/o1/accounts/$mgmt" --org "$work/o1" --port-file "$work/port" \
  --access-key "$AK" --secret-key "$SK" --iam-page-size 50 --ecr-page-size 50 2>"$work/server.err" &
server_pid=$!
await_server
env -i PATH="$PATH" HOME="$work" AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_REGION=us-east-1 \
  AWS_EC2_METADATA_DISABLED=true "$ECRAUDIT" collect --org --role-name ecraudit-readonly --jobs 3 \
  --out "$work/c" --region us-east-1 --region eu-west-1 --quiet --endpoint-url "http://127.0.0.1:$port" 2>"$work/c.err"
rc=$?
"$PY" - "$work/o1" "$work/c" <<'EOF' && [ "$rc" = 0 ] && ok "collect --org of the generated organisation: the same organisation files and accounts" || fail "collect --org of the generated organisation (exit $rc): $(cat "$work/c.err")"
import json, os, sys
g, c = (os.path.join(x, "organization") for x in sys.argv[1:])
for n in sorted(os.listdir(g)):
    if n.endswith("-scps.json") or n.endswith("-rcps.json") or n in ("account-ids.txt",):
        a, b = open(os.path.join(g, n)).read(), open(os.path.join(c, n)).read()
        assert (json.loads(a) == json.loads(b)) if n.endswith(".json") else a == b, n
for a in open(os.path.join(g, "account-ids.txt")).read().split():
    m = json.load(open(os.path.join(sys.argv[2], "accounts", a, "manifest.json")))
    assert m["account"] == a, a
EOF

[ "$fails" = 0 ] && echo "all ecraudit-gen --org checks passed"
exit $((fails > 0))
