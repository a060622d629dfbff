#!/bin/bash
# `ecraudit collect` against hostile servers (issue 17, item 7), with the
# loopback stand-in (fake_aws.py):
#  - a repeated ECR nextToken is a gap naming ecr:DescribeRepositories (not
#    100,000 pages); a repeated IAM Marker fails the collection (exit 3);
#  - an HTTP 200 DescribeRepositories without "repositories" is a gap, not an
#    empty region;
#  - a server that stalls after the headers costs at most --timeout for the
#    whole collection (not 5 x 60 s per call).
# Env (set by CTest): ECRAUDIT, ECR_SRC.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
: "${ECRAUDIT:?set ECRAUDIT to the ecraudit binary}"
PY=/usr/bin/python3
bundle=$src/samples/acme
ECR_FAKE_WORK_NAME=ecraudit-collect-hostile
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

start_server() {
  stop_server
  rm -f "$work/port"
  "$PY" "$here/fake_aws.py" --bundle "$bundle" --port-file "$work/port" --log "$work/server.log" \
    --access-key "$AK" --secret-key "$SK" "$@" 2>"$work/server.err" &
  server_pid=$!
  await_server
}
mkdir -p "$work/home/.aws"
# collect NAME TIME_LIMIT [collect args...]: sets rc and secs
collect() {
  local name=$1 limit=$2
  shift 2
  local t0=$SECONDS
  env -i PATH="$PATH" HOME="$work/home" LC_ALL=C AWS_CONFIG_FILE="$work/home/.aws/config" \
    AWS_SHARED_CREDENTIALS_FILE="$work/home/.aws/credentials" \
    AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" \
    timeout "$limit" "$ECRAUDIT" collect --out "$work/$name" --quiet \
    --endpoint-url "http://127.0.0.1:$port" --region us-east-1 "$@" \
    >"$work/$name.stdout" 2>"$work/$name.stderr"
  rc=$?
  secs=$((SECONDS - t0))
}
# has_gap NAME SOURCE CODE
has_gap() {
  "$PY" - "$work/$1/manifest.json" "$2" "$3" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
sys.exit(0 if any(g["source"] == sys.argv[2] and g["error"].startswith(sys.argv[3])
                  for g in m.get("gaps", [])) else 1)
EOF
}

# 1. ECR nextToken loop
start_server --ecr-token-loop --ecr-page-size 1
collect token_loop 60
if [ "$rc" -eq 124 ]; then fail "nextToken loop: still paging after 60 s"
elif [ "$rc" -ne 0 ]; then fail "nextToken loop: exit $rc: $(head -c 300 "$work/token_loop.stderr")"
elif has_gap token_loop ecr:DescribeRepositories PaginationLoop; then ok "nextToken loop is a gap"
else fail "nextToken loop: no ecr:DescribeRepositories PaginationLoop gap: $(grep -A3 DescribeRepositories "$work/token_loop/manifest.json" | head -c 400)"; fi
pages=$(grep -c '"DescribeRepositories"' "$work/server.log")
[ "$pages" -le 10 ] && ok "nextToken loop stopped after $pages pages" ||
  fail "nextToken loop: $pages DescribeRepositories requests"

# 2. IAM Marker loop: IAM is required, so the collection fails, naming the call
start_server --iam-marker-loop --iam-page-size 1
collect marker_loop 60
if [ "$rc" -eq 3 ] && grep -q 'GetAccountAuthorizationDetails.*PaginationLoop' "$work/marker_loop.stderr"; then
  ok "Marker loop: exit 3 naming the call"
else
  fail "Marker loop: exit $rc: $(head -c 300 "$work/marker_loop.stderr")"
fi

# 3. HTTP 200 without "repositories"
start_server --ecr-no-repositories
collect no_repos 60
if [ "$rc" -eq 0 ] && has_gap no_repos ecr:DescribeRepositories InvalidResponse; then
  ok "200 without repositories is a gap"
else
  fail "200 without repositories: exit $rc, no InvalidResponse gap"
fi
[ ! -e "$work/no_repos/ecr/us-east-1/repositories.json" ] && ok "no empty repositories.json written" ||
  fail "an empty repositories.json was written for a malformed answer"

# 4. a stall after the headers, bounded by --timeout
start_server --stall-op GetRepositoryPolicy
collect stall 60 --timeout 6
if [ "$rc" -eq 124 ]; then
  fail "stall: not finished after 60 s with --timeout 6"
elif [ "$secs" -gt 20 ]; then
  fail "stall: took $secs s with --timeout 6"
elif [ "$rc" -ne 0 ] || ! has_gap stall ecr:GetRepositoryPolicy RequestTimeout &&
     ! has_gap stall ecr:GetRepositoryPolicy RequestError; then
  fail "stall: exit $rc, no GetRepositoryPolicy timeout gap: $(head -c 300 "$work/stall.stderr")"
else
  ok "stall: finished in $secs s with timeout gaps"
fi
"$ECRAUDIT" collect --out "$work/x" --timeout 0 >/dev/null 2>"$work/usage.err"
[ $? -eq 2 ] && grep -q -- --timeout "$work/usage.err" && ok "--timeout 0 is a usage error" ||
  fail "--timeout 0 accepted"

echo "collect hostile: $fails failures"
[ "$fails" -eq 0 ]
