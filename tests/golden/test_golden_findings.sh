#!/bin/bash
# Golden findings (issue 20 point 7): for the cases whose findings logic decides
# something (severity, status, organization scope, "every repository, present and
# future", undecided keys), tests/golden/<case>/findings.tsv holds the expected
# findings, derived BY HAND (the case's README, section "Findings"), never by
# running ecraudit. One line per finding, fields separated by TABs:
#   principal  access_level  decision  status  severity  all  repositories  actions  undecided
# (repositories by name, comma-separated, "*" for the registry; actions and
# undecided keys comma-separated, sorted; principals without the
# "arn:aws:iam::" prefix). Lines are compared as sets.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
: "${ECRAUDIT:?ECRAUDIT is not set (path to the ecraudit binary)}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for want in "$src"/tests/golden/*/findings.tsv; do
  c=$(basename "$(dirname "$want")")
  rm -rf "$tmp/out"
  "$ECRAUDIT" report --evidence "$src/tests/golden/$c/bundle" --out "$tmp/out" --format json \
    --as-of 2026-12-01 --quiet >/dev/null 2>"$tmp/err"
  rc=$?
  if [ $rc -gt 1 ]; then
    echo "FAIL $c: ecraudit report exited with status $rc: $(head -3 "$tmp/err")"
    fail=$((fail + 1)); continue
  fi
  /usr/bin/python3 - "$tmp/out/findings.json" >"$tmp/got" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sets = d["repository_sets"]
for f in d["findings"]:
    repos = sets[f["repository_set"]]["repositories"]
    names = ",".join(r if r == "*" else r.split(":repository/", 1)[1] for r in repos)
    print("\t".join([f["principal"]["arn"].replace("arn:aws:iam::", ""), f["access_level"],
                     f["decision"], f["status"], f["severity"],
                     "true" if f.get("all_repositories") else "false", names,
                     ",".join(sorted(f["actions"])),
                     ",".join(sorted(f.get("undecided_conditions") or []))]))
PY
  if diff -u --label "$c/findings.tsv" --label "ecraudit report ($c)" \
       <(grep -v '^#' "$want" | LC_ALL=C sort) <(LC_ALL=C sort "$tmp/got"); then
    echo "ok   $c"; pass=$((pass + 1))
  else
    echo "FAIL $c: findings differ ('-' expected only, '+' tool only)"; fail=$((fail + 1))
  fi
done
echo "test_golden_findings: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
