#!/usr/bin/env bash
# The "findings must be true" rule on every golden case, every sample and a
# generated broad-access account (tests/truth/check_truth.py says what is
# checked); each findings.json is also checked against its schema
# (docs/findings.schema.json and tests/cli/findings_schema.py) and the SHA-256
# of every evidence file. Inputs: ECRAUDIT (the CLI), ECR_SRC, ECR_BUILD.
set -euo pipefail
: "${ECRAUDIT:?}" "${ECR_SRC:?}" "${ECR_BUILD:?}"
PY=/usr/bin/python3
CHECK="$ECR_SRC/tests/truth/check_truth.py"
CATALOG="$ECR_SRC/data/ecr-actions.json"
SCHEMA_CHECK="$ECR_SRC/tests/cli/findings_schema.py"
work=$(mktemp -d "$ECR_BUILD/truth.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 failed=0 names=()

# check NAME BUNDLE [nopaths]: nopaths skips the chain check, for bundles
# whose `ecraudit paths` output (every chain of up to 5 hops) runs to
# gigabytes; smaller generated accounts below check chains instead.
check() {
  local name=$1 bundle=$2 out="$work/$1" with_paths=${3:-paths}
  mkdir -p "$out"
  local rc=0 paths_arg=()
  "$ECRAUDIT" matrix --evidence "$bundle" >"$out/matrix.tsv" 2>"$out/err" || rc=$?
  if [ "$rc" != 0 ]; then
    echo "FAIL $name: ecraudit matrix exit $rc: $(head -c 300 "$out/err")"; failed=$((failed + 1)); names+=("$name"); return
  fi
  if [ "$with_paths" = paths ]; then
    rc=0
    "$ECRAUDIT" paths --evidence "$bundle" >"$out/paths.tsv" 2>"$out/err" || rc=$?
    if [ "$rc" != 0 ]; then
      echo "FAIL $name: ecraudit paths exit $rc: $(head -c 300 "$out/err")"; failed=$((failed + 1)); names+=("$name"); return
    fi
    paths_arg=(--paths "$out/paths.tsv")
  fi
  rc=0
  "$ECRAUDIT" report --evidence "$bundle" --out "$out/r" --format json --as-of 2026-11-27 \
    >/dev/null 2>"$out/err" || rc=$?
  if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
    echo "FAIL $name: ecraudit report exit $rc: $(head -c 300 "$out/err")"; failed=$((failed + 1)); names+=("$name"); return
  fi
  if ! "$PY" "$SCHEMA_CHECK" "$out/r/findings.json" --evidence "$bundle" >"$out/schema.log"; then
    head -20 "$out/schema.log"; echo "FAIL $name: findings.json breaks its schema"
    failed=$((failed + 1)); names+=("$name"); return
  fi
  if "$PY" "$CHECK" "$out/matrix.tsv" "$out/r/findings.json" "$bundle" "$CATALOG" "${paths_arg[@]}" >"$out/log"; then
    echo "ok   $name: $(tail -1 "$out/log")"; pass=$((pass + 1))
  else
    cat "$out/log"; echo "FAIL $name"; failed=$((failed + 1)); names+=("$name")
  fi
}

for d in "$ECR_SRC"/tests/golden/*/bundle; do
  check "golden-$(basename "$(dirname "$d")")" "$d"
done
for d in "$ECR_SRC"/samples/*/; do
  [ -f "$d/iam/account-authorization-details.json" ] && check "sample-$(basename "$d")" "${d%/}"
done
[ -d "$ECR_SRC/tests/fake_aws/bundle" ] && check "fake_aws" "$ECR_SRC/tests/fake_aws/bundle"

# generated accounts: the broad profile (Deny and NotResource carve-outs,
# many repository policies) and the rare one, a few seeds each
GEN="$ECR_BUILD/bench/ecraudit-gen"
if [ -x "$GEN" ]; then
  for profile in broad rare; do
    for seed in 1 2 3; do
      "$GEN" --profile "$profile" --users 80 --roles 120 --groups 20 --policies 120 --repos 40 \
        --regions 2 --repo-policy-share 0.4 --scp-levels 3 --seed "$seed" \
        --out "$work/gen-$profile-$seed" >/dev/null
      check "gen-$profile-$seed" "$work/gen-$profile-$seed" nopaths
      rm -rf "$work/gen-$profile-$seed"
      # few roles: every chain fits in a paths TSV of tens of MB
      "$GEN" --profile "$profile" --users 30 --roles 10 --groups 6 --policies 40 --repos 12 \
        --regions 1 --repo-policy-share 0.4 --scp-levels 2 --seed "$seed" \
        --out "$work/chains-$profile-$seed" >/dev/null
      check "chains-$profile-$seed" "$work/chains-$profile-$seed"
      rm -rf "$work/chains-$profile-$seed"
    done
  done
else
  echo "FAIL: $GEN not built"; failed=$((failed + 1)); names+=("generator")
fi

echo "$pass passed, $failed failed"
[ "$failed" = 0 ] || { echo "failed: ${names[*]}"; exit 1; }
