#!/bin/bash
# The README's AWS CLI recipe, run as printed (between the recipe markers) with
# Debian's real AWS CLI against the loopback stand-in: it must give a bundle
# that ecraudit reads, with the same access matrix and the same findings as
# `ecraudit collect` against the same stand-in; a refused GetRepositoryPolicy is
# a gap (never "no policy"), no call leaves an empty or partial file, the optional
# files (tags, organization, accounts, SCPs, RCPs, EKS) equal collect's, and no
# secret lands in the bundle. No region is configured anywhere: the recipe
# names it on every call.
# Env (set by CTest): ECRAUDIT, ECR_SRC.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
: "${ECRAUDIT:?}"
PY=/usr/bin/python3
AWS=/usr/bin/aws
if [ ! -x "$AWS" ]; then echo "SKIP: Debian's awscli is not installed (.ci/packages.txt installs it)"; exit 0; fi
bundle=${FAKE_AWS_BUNDLE:-$src/samples/acme}
work=$(mktemp -d "${TMPDIR:-/tmp}/ecraudit-recipe.XXXXXX")
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fails=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

AK=AKIAFAKERECIPETEST01
SK='fake/RecipeSecret+0123456789abcdefGHIJKL'
TOK='FakeRecipeSessionToken//0123456789+abcdefghijklmnop=='
"$PY" "$here/fake_aws.py" --bundle "$bundle" --port-file "$work/port" --log "$work/server.log" \
  --access-key "$AK" --secret-key "$SK" --session-token "$TOK" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/server.err"; echo "FAIL: stand-in did not start"; exit 1; }
url="http://127.0.0.1:$(cat "$work/port")"

# the recipe, exactly as the README prints it; only REGIONS and EV are set
sed -n '/<!-- aws-cli-recipe:begin -->/,/<!-- aws-cli-recipe:end -->/p' "$src/README.md" |
  sed '1,/^```sh$/d; /^```$/,$d' >"$work/recipe.sh"
[ -s "$work/recipe.sh" ] && ok "recipe extracted from README.md ($(wc -l <"$work/recipe.sh") lines)" ||
  { fail "no recipe between the aws-cli-recipe markers in README.md"; exit 1; }
regions=$(cd "$bundle/ecr" && ls | tr '\n' ' ' | sed 's/ $//')
sed -i "s|^REGIONS=.*|REGIONS=\"$regions\"|; s|^EV=.*|EV=\"$work/ev\"|" "$work/recipe.sh"

# This AWS CLI (2.9) predates AWS_ENDPOINT_URL: a wrapper adds --endpoint-url.
mkdir -p "$work/bin" "$work/home"
printf '#!/bin/sh\nexec %s --endpoint-url "%s" "$@"\n' "$AWS" "$url" >"$work/bin/aws"
chmod +x "$work/bin/aws"
clean_env=(env -i PATH="$work/bin:/usr/bin:/bin" HOME="$work/home" LC_ALL=C.UTF-8
  AWS_CONFIG_FILE=/nonexistent/config AWS_SHARED_CREDENTIALS_FILE=/nonexistent/credentials
  AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK"
  AWS_SESSION_TOKEN="$TOK")

"${clean_env[@]}" bash "$work/recipe.sh" >"$work/recipe.out" 2>"$work/recipe.err"
rc=$?
[ $rc -eq 0 ] && ok "recipe: exit 0 ($(tail -1 "$work/recipe.err"))" ||
  fail "recipe: exit $rc: $(tail -5 "$work/recipe.err")"

"${clean_env[@]}" "$ECRAUDIT" collect --out "$work/collected" --endpoint-url "$url" \
  $(for r in $regions; do printf -- '--region %s ' "$r"; done) --quiet 2>"$work/collect.err" ||
  fail "collect: $(cat "$work/collect.err")"

"$PY" - "$work/ev" "$work/collected" "$bundle" <<'PYEOF' || fails=$((fails + 1))
import json, os, sys
ev, col, served = sys.argv[1:]
bad = 0
def check(cond, msg):
    global bad
    print(("ok: " if cond else "FAIL: ") + msg)
    bad += not cond
leftovers, empty = [], []
for root, _, files in os.walk(ev):
    for f in files:
        p = os.path.join(root, f)
        rel = os.path.relpath(p, ev)
        if not rel.endswith(".json"):
            leftovers.append(rel)
        elif os.path.getsize(p) == 0:
            empty.append(rel)
        else:
            json.load(open(p))
check(not leftovers, "no temporary files left (%s)" % leftovers)
check(not empty, "no empty files (%s)" % empty)
for region in os.listdir(os.path.join(served, "ecr")):
    has = os.path.exists(os.path.join(served, "ecr", region, "registry-policy.json"))
    got = os.path.exists(os.path.join(ev, "ecr", region, "registry-policy.json"))
    check(has == got, "%s: registry-policy.json only when there is a registry policy" % region)
m = json.load(open(os.path.join(ev, "manifest.json")))
mc = json.load(open(os.path.join(col, "manifest.json")))
def gapset(man, source):
    return sorted(g["resource"] for g in man.get("gaps", []) if g["source"] == source)
rg, cg = gapset(m, "ecr:GetRepositoryPolicy"), gapset(mc, "ecr:GetRepositoryPolicy")
check(rg and rg == cg, "refused repository policies are gaps, the same as collect's: %s" % rg)
check(all("AccessDenied" in g["error"] for g in m["gaps"] if g["source"] == "ecr:GetRepositoryPolicy"),
      "the gap keeps the AWS error code")
# Debian 12's AWS CLI (2.9) predates EKS Pod Identity (needs 2.14 / 1.31, README): with it the
# recipe records that call as a gap, which is what a user with that CLI gets; the comparison of
# the association file is then skipped, and only then
old_cli = [g for g in m["gaps"] if g["source"] == "eks:ListPodIdentityAssociations"
           and "Invalid choice" in g["error"]]
if old_cli:
    print("note: this AWS CLI has no list-pod-identity-associations; its gap is expected")
# IAM Access Advisor (issue 21): the stand-in fails the jobs of principals that the served
# iam/service-last-accessed.json omits; the recipe records the same gaps as collect
USAGE = "iam:GetServiceLastAccessedDetails"
ug, cug = gapset(m, USAGE), gapset(mc, USAGE)
check(ug == cug, "failed usage jobs are gaps, the same as collect's: %s" % ug)
other = [g for g in m["gaps"] if g["source"] not in ("ecr:GetRepositoryPolicy", USAGE)
         and g not in old_cli]
check(not other, "no other gaps: %s" % other)
rel = "iam/service-last-accessed.json"
if os.path.exists(os.path.join(col, rel)):
    def by_arn(d):
        return {e["Arn"]: (e["JobStatus"], e["ServicesLastAccessed"])
                for e in json.load(open(os.path.join(d, rel)))}
    ra = by_arn(ev) if os.path.exists(os.path.join(ev, rel)) else None
    check(ra == by_arn(col), "%s: the recipe's equals collect's (%d principals)" % (rel, len(ra or {})))
# the optional evidence: the recipe writes what collect writes, file for file
optional = ["organizations/organization.json", "organizations/accounts.json",
            "organizations/scps.json", "organizations/rcps.json"]
for region in os.listdir(os.path.join(served, "ecr")):
    optional += ["ecr/%s/repository-tags.json" % region, "eks/%s/clusters.json" % region]
    if not old_cli:
        optional.append("eks/%s/pod-identity-associations.json" % region)
# Debian's AWS CLI (botocore 1.29) predates Account.State and drops it from its output
NEWER = {"State"}
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in NEWER}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
for rel in sorted(optional):
    a, b = (os.path.join(d, rel) for d in (ev, col))
    if not os.path.exists(b):
        check(not os.path.exists(a), "%s: neither writes it" % rel)
        continue
    same = os.path.exists(a) and strip(json.load(open(a))) == strip(json.load(open(b)))
    check(same, "%s: the recipe's equals collect's" % rel)
sys.exit(1 if bad else 0)
PYEOF

"$ECRAUDIT" matrix --evidence "$work/ev" >"$work/m.recipe" 2>"$work/m.err" || fail "matrix of the recipe's bundle: $(cat "$work/m.err")"
"$ECRAUDIT" matrix --evidence "$work/collected" >"$work/m.collect" 2>>"$work/m.err"
if [ -s "$work/m.recipe" ] && cmp -s "$work/m.recipe" "$work/m.collect"; then
  ok "access matrix of the recipe's bundle = collect's ($(wc -l <"$work/m.recipe") lines)"
else
  fail "matrices differ"; diff "$work/m.recipe" "$work/m.collect" | head -10
fi
for b in ev collected; do
  SOURCE_DATE_EPOCH=1795780800 "$ECRAUDIT" report --evidence "$work/$b" --exceptions "$bundle/ledger.json" \
    --format json --out "$work/r-$b" --as-of 2026-11-27 --quiet 2>"$work/r-$b.err"
  echo "exit $?" >"$work/r-$b.rc"
done
"$PY" - "$work/r-ev/findings.json" "$work/r-collected/findings.json" <<'PYEOF' || fails=$((fails + 1))
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
key = lambda d: sorted((f["id"], f["status"], f["severity"], f["principal"]["arn"], f["access_level"],
                        f["decision"]) for f in d["findings"])
same = key(a) == key(b) and a["summary"] == b["summary"]
print(("ok: " if same else "FAIL: ") + "the recipe's bundle gives the same findings as collect's (%s)" % a["summary"])
if not same:
    ka, kb = set(key(a)), set(key(b))
    for x in sorted(ka - kb)[:5]: print("  only recipe:", x)
    for x in sorted(kb - ka)[:5]: print("  only collect:", x)
sys.exit(0 if same else 1)
PYEOF
cmp -s "$work/r-ev.rc" "$work/r-collected.rc" && ok "same exit status ($(cat "$work/r-ev.rc"))" ||
  fail "exit status differs: $(cat "$work/r-ev.rc") vs $(cat "$work/r-collected.rc")"
if grep -rqF -e "$SK" -e "$TOK" "$work/ev" "$work/recipe.out" "$work/recipe.err"; then
  fail "a secret is in the recipe's bundle or output"
else ok "no secret in the recipe's bundle or output"; fi

# every findings.json written above: docs/findings.schema.json and tests/cli/findings_schema.py
if "$PY" "$src/tests/cli/findings_schema.py" --tree "$work" >"$work/schema.log" 2>&1
then ok "$(tail -1 "$work/schema.log")"; else fail "findings.json schema: $(head -5 "$work/schema.log")"; fi

[ $fails -eq 0 ] && echo "all recipe checks passed" || { echo "$fails check(s) failed"; exit 1; }
