#!/usr/bin/env bash
# Smoke test of the performance tooling (issue 9): the generator is
# deterministic and writes a bundle ecraudit accepts; the benchmark runs.
# Env (tests/CMakeLists.txt): ECRAUDIT, ECR_BUILD; cwd = build dir.
set -euo pipefail

GEN=$ECR_BUILD/bench/ecraudit-gen
BENCH=$ECR_BUILD/bench/ecraudit-bench
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$GEN" ] || fail "$GEN not built"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(--users 20 --roles 20 --groups 9 --policies 20 --repos 5 --regions 2
      --repo-policy-share 0.6 --scp-levels 3)

"$GEN" "${args[@]}" --seed 7 --out "$tmp/a"
"$GEN" "${args[@]}" --seed 7 --out "$tmp/b"
"$GEN" "${args[@]}" --seed 8 --out "$tmp/c"

# 1. Determinism: the same files, byte for byte.
sums() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }
sums "$tmp/a" > "$tmp/a.sums"
sums "$tmp/b" > "$tmp/b.sums"
diff -u "$tmp/a.sums" "$tmp/b.sums" || fail "same parameters gave different bundles"
n=$(wc -l < "$tmp/a.sums")
[ "$n" -ge 9 ] || fail "expected >= 9 files in the bundle, got $n"
for f in manifest.json sts/caller-identity.json iam/account-authorization-details.json \
         organizations/scps.json ecr/us-east-1/repositories.json \
         ecr/us-east-1/repository-policies.json ecr/eu-west-1/repositories.json; do
  [ -s "$tmp/a/$f" ] || fail "missing $f"
done
# ... and the seed matters.
cmp -s "$tmp/a/iam/account-authorization-details.json" "$tmp/c/iam/account-authorization-details.json" \
  && fail "a different seed gave the same IAM document"

# 2. The manifest records the real SHA-256 of every other file.
/usr/bin/python3 - "$tmp/a" <<'PY'
import hashlib, json, os, sys
root = sys.argv[1]
m = json.load(open(os.path.join(root, "manifest.json")))
listed = {f["path"]: f["sha256"] for f in m["files"]}
on_disk = set()
for d, _, files in os.walk(root):
    for f in files:
        rel = os.path.relpath(os.path.join(d, f), root)
        if rel != "manifest.json":
            on_disk.add(rel)
            json.load(open(os.path.join(root, rel)))  # every file is JSON
assert set(listed) == on_disk, (sorted(listed), sorted(on_disk))
for rel, sha in listed.items():
    assert hashlib.sha256(open(os.path.join(root, rel), "rb").read()).hexdigest() == sha, rel
iam = json.load(open(os.path.join(root, "iam/account-authorization-details.json")))
assert len(iam["UserDetailList"]) == 20 and len(iam["RoleDetailList"]) == 20, "principal counts"
assert len(iam["GroupDetailList"]) == 9, "group count"
repos = sum(len(json.load(open(os.path.join(root, "ecr", r, "repositories.json")))["repositories"])
            for r in os.listdir(os.path.join(root, "ecr")))
assert repos == 5, repos
# Every policy document the CLI would print is an object with statements.
for p in iam["Policies"]:
    defaults = [v for v in p["PolicyVersionList"] if v["IsDefaultVersion"]]
    assert len(defaults) == 1 and defaults[0]["VersionId"] == p["DefaultVersionId"], p["PolicyName"]
    assert defaults[0]["Document"]["Statement"], p["PolicyName"]
PY

# 3. ecraudit accepts the bundle: exit 0, the header, sorted lines.
rc=0; "$ECRAUDIT" matrix --evidence "$tmp/a" > "$tmp/matrix.tsv" || rc=$?
[ "$rc" -eq 0 ] || fail "ecraudit matrix exited $rc"
[ "$(head -n1 "$tmp/matrix.tsv")" = "$(printf 'principal\trepository\taction\tdecision')" ] \
  || fail "no matrix header line"
[ "$(wc -l < "$tmp/matrix.tsv")" -gt 1 ] || fail "the matrix has no grants"
tail -n +2 "$tmp/matrix.tsv" | LC_ALL=C sort -c || fail "matrix not sorted bytewise"

# 4. The benchmark runs on it and reports every phase.
[ -x "$BENCH" ] || fail "$BENCH not built"
rc=0; "$BENCH" --kv --threads "$tmp/a" > "$tmp/bench.out" || rc=$?
[ "$rc" -eq 0 ] || { cat "$tmp/bench.out"; fail "ecraudit-bench exited $rc"; }
for key in cjson_ms= load_ms= evaluate_ms= matrix-tsv_ms= findings_ms= render-json_ms= \
           render-junit_ms= render-html_ms= render-pdf_ms= render-all-2-threads_ms= peak_mib=; do
  grep -q "^BENCH .* $key" "$tmp/bench.out" || { cat "$tmp/bench.out"; fail "bench output lacks $key"; }
done
lines=$(sed -n 's/^BENCH .* matrix_lines=\([0-9]*\).*/\1/p' "$tmp/bench.out")
[ "$lines" = "$(wc -l < "$tmp/matrix.tsv")" ] \
  || fail "bench counted $lines matrix lines, ecraudit matrix printed $(wc -l < "$tmp/matrix.tsv")"
# 5. The broad profile (issue 12): deterministic, the default profile is
# unchanged by it, and ecraudit reports on it.
bargs=(--profile broad --users 80 --roles 120 --groups 16 --policies 100 --repos 50 --regions 2
       --scp-levels 3)
"$GEN" "${bargs[@]}" --seed 7 --out "$tmp/broad-a"
"$GEN" "${bargs[@]}" --seed 7 --out "$tmp/broad-b"
sums "$tmp/broad-a" > "$tmp/broad-a.sums"
sums "$tmp/broad-b" > "$tmp/broad-b.sums"
diff -u "$tmp/broad-a.sums" "$tmp/broad-b.sums" || fail "same parameters gave different broad bundles"
"$GEN" "${args[@]}" --seed 7 --profile rare --out "$tmp/rare"
[ "$(sums "$tmp/rare")" = "$(cat "$tmp/a.sums")" ] || fail "--profile rare is not the default"
cmp -s "$tmp/a/iam/account-authorization-details.json" "$tmp/broad-a/iam/account-authorization-details.json" \
  && fail "--profile broad wrote the rare IAM document"
/usr/bin/python3 - "$tmp/broad-a" <<'PY'
import json, os, sys
root = sys.argv[1]
m = json.load(open(os.path.join(root, "manifest.json")))
assert m["synthetic"]["profile"] == "broad", m["synthetic"]
iam = json.load(open(os.path.join(root, "iam/account-authorization-details.json")))
assert len(iam["UserDetailList"]) == 80 and len(iam["RoleDetailList"]) == 120
names, pols = [], 0
for r in os.listdir(os.path.join(root, "ecr")):
    names += [x["repositoryName"] for x in json.load(open(os.path.join(root, "ecr", r, "repositories.json")))["repositories"]]
    pols += len(json.load(open(os.path.join(root, "ecr", r, "repository-policies.json"))))
assert len(names) == 50, len(names)
assert any(n.startswith("prod-") for n in names) and any(n.startswith("platform/") for n in names), names
assert pols >= 10, pols  # about 40 % of the repositories
text = open(os.path.join(root, "iam/account-authorization-details.json")).read()
for needle in ('"arn:aws:iam::aws:policy/AdministratorAccess"', '"arn:aws:iam::aws:policy/PowerUserAccess"',
               '"NotResource"', '"NotAction"', 'repository/prod-*', 'repository/platform/*'):
    assert needle in text, needle
assert "repository/prod-*" in open(os.path.join(root, "organizations/scps.json")).read()
PY
rc=0; "$ECRAUDIT" matrix --evidence "$tmp/broad-a" > "$tmp/broad-matrix.tsv" || rc=$?
[ "$rc" -eq 0 ] || fail "ecraudit matrix exited $rc on the broad bundle"
[ "$(head -n1 "$tmp/broad-matrix.tsv")" = "$(printf 'principal\trepository\taction\tdecision')" ] \
  || fail "no matrix header line (broad)"
[ "$(wc -l < "$tmp/broad-matrix.tsv")" -gt 10000 ] || fail "the broad matrix is small: $(wc -l < "$tmp/broad-matrix.tsv") lines"
rc=0; "$ECRAUDIT" report --evidence "$tmp/broad-a" --out "$tmp/broad-report" > /dev/null 2> "$tmp/broad-report.err" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || { cat "$tmp/broad-report.err" >&2; fail "ecraudit report exited $rc on the broad bundle"; }
for f in report.html report.pdf report.junit.xml findings.json; do
  [ -s "$tmp/broad-report/$f" ] || fail "ecraudit report did not write $f (broad)"
done
/usr/bin/python3 "${ECR_SRC:?}/tests/cli/findings_schema.py" --tree "$tmp" >"$tmp/schema.log" ||
  { cat "$tmp/schema.log" >&2; fail "findings.json breaks its schema (docs/findings.schema.json)"; }
echo "ok"
