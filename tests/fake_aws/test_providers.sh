#!/bin/bash
# Credential providers of `ecraudit collect` against the loopback stand-in
# (fake_aws.py): web identity (EKS IRSA), container credentials (EKS Pod
# Identity / ECS / CodeBuild), IMDSv2 (EC2), SSO (cached token + portal),
# credential_process, refresh of temporary credentials during a long
# collection, and the message of a provider that is configured but fails.
# No secret (stand-in-issued keys and tokens, the OIDC / container / SSO
# tokens) may appear in stdout, stderr or the bundle.
#
# Env (set by CTest): ECRAUDIT (binary), ECR_SRC (source dir).
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
: "${ECRAUDIT:?set ECRAUDIT to the ecraudit binary}"
PY=/usr/bin/python3
bundle=$here/bundle
[ -f "$src/samples/acme/sts/caller-identity.json" ] && bundle=$src/samples/acme
acct=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Account"])' "$bundle/sts/caller-identity.json")

ECR_FAKE_WORK_NAME=ecraudit-providers
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
OIDC='eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YXVkaXQ6ZWNyYXVkaXQifQ.fakeOIDCsig'
CTOK='fake-pod-identity-authorization-token-0123456789'
SSOTOK='aoaAAAAAGfakeSSOaccessToken0123456789abcdefghij'
SSORT='aorAAAAAGfakeSSOrefreshToken0123456789abcdefghij'
SSOCS='fakeSSOclientSecret0123456789abcdefghijklmnopqrst'

start_server() { # extra args...
  stop_server
  rm -f "$work/port"
  : >"$work/server.log"
  "$PY" "$here/fake_aws.py" --bundle "$bundle" --port-file "$work/port" --log "$work/server.log" \
    --access-key "$AK" --secret-key "$SK" --session-token "$TOK" \
    --web-identity-token "$OIDC" --container-token "$CTOK" --sso-token "$SSOTOK" \
    --sso-refresh-token "$SSORT" \
    --issued-log "$work/issued" "$@" 2>"$work/server.err" &
  server_pid=$!
  await_server
  url="http://127.0.0.1:$port"
}

mkdir -p "$work/home/.aws"
# A clean environment; instance metadata off unless a case turns it on (the
# link-local address may answer anything on a build machine).
run_env() {
  env -i PATH="$PATH" HOME="$work/home" LC_ALL=C AWS_EC2_METADATA_DISABLED=true \
    AWS_CONFIG_FILE="$work/home/.aws/config" \
    AWS_SHARED_CREDENTIALS_FILE="$work/home/.aws/credentials" "$@"
}

no_secrets() { # label files...
  local label=$1
  shift
  local pats=("$SK" "$TOK" "$OIDC" "$CTOK" "$SSOTOK" "$SSORT" "$SSOCS")
  if [ -s "$work/issued" ]; then
    while IFS= read -r l; do [ -n "$l" ] && pats+=("$l"); done <"$work/issued"
  fi
  local args=()
  for p in "${pats[@]}"; do args+=(-e "$p"); done
  if grep -rqF "${args[@]}" "$@" 2>/dev/null; then
    fail "$label: a secret key or token appears in the output"
  else
    ok "$label: no secret (${#pats[@]} checked)"
  fi
}

# collect NAME ENV...: collect into $work/NAME, outputs in $work/NAME.{out,err}
collect() {
  local name=$1
  shift
  : >"$work/server.log"
  run_env "$@" "$ECRAUDIT" collect --out "$work/$name" --endpoint-url "$url" --region us-east-1 \
    >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
}

# expect_identity NAME ROLE OP: exit 0, the bundle's identity is ROLE's
# session, the stand-in served OP, and nothing secret is printed or written.
expect_identity() {
  local name=$1 role=$2 op=$3
  if [ $rc -ne 0 ]; then fail "$name: exit $rc: $(cat "$work/$name.err")"; return; fi
  local arn
  arn=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Arn"])' "$work/$name/sts/caller-identity.json")
  case "$arn" in
    "arn:aws:sts::$acct:assumed-role/$role/"*) ok "$name: exit 0, identity $arn" ;;
    *) fail "$name: identity $arn, not role $role" ;;
  esac
  if grep -q "\"op\": \"$op\", \"status\": 200\|\"op\": \"$op\".*\"status\": 200" "$work/server.log"; then
    ok "$name: the stand-in served $op"
  else
    fail "$name: no successful $op in the stand-in's log"
  fi
  no_secrets "$name" "$work/$name" "$work/$name.out" "$work/$name.err"
}

start_server

# ---- web identity from the environment (EKS IRSA) ---------------------------
printf '%s\n' "$OIDC" >"$work/oidc-token"
collect irsa AWS_ROLE_ARN="arn:aws:iam::$acct:role/ecraudit-irsa" \
  AWS_WEB_IDENTITY_TOKEN_FILE="$work/oidc-token" AWS_ROLE_SESSION_NAME=cronjob
expect_identity irsa ecraudit-irsa AssumeRoleWithWebIdentity
grep -q '^collect: credentials: web-identity' "$work/irsa.err" &&
  ok "irsa: progress names the provider (stderr is not a TTY: plain lines)" ||
  fail "irsa: no 'collect: credentials: web-identity' line: $(head -3 "$work/irsa.err")"
if grep -q $'\r\|\033' "$work/irsa.err"; then fail "irsa: terminal control characters in non-TTY progress"
else ok "irsa: no carriage returns or escapes in non-TTY progress"; fi

# wrong token: which provider and why, exit 3, nothing written
printf 'not-the-token\n' >"$work/bad-token"
collect irsa-bad AWS_ROLE_ARN="arn:aws:iam::$acct:role/ecraudit-irsa" \
  AWS_WEB_IDENTITY_TOKEN_FILE="$work/bad-token"
if [ $rc -eq 3 ] && grep -q "web identity (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE $work/bad-token)" "$work/irsa-bad.err" &&
   grep -q "InvalidIdentityToken" "$work/irsa-bad.err" && [ ! -e "$work/irsa-bad" ]; then
  ok "irsa with a bad token: exit 3, names web identity and InvalidIdentityToken"
else
  fail "irsa with a bad token: exit $rc: $(cat "$work/irsa-bad.err")"
fi
no_secrets "irsa-bad" "$work/irsa-bad.out" "$work/irsa-bad.err"

# ---- web identity from a profile ----------------------------------------------
cat >"$work/home/.aws/config" <<EOF
[profile irsa]
role_arn = arn:aws:iam::$acct:role/profile-webid
web_identity_token_file = $work/oidc-token
role_session_name = from-profile
EOF
collect irsa-profile AWS_PROFILE=irsa
expect_identity irsa-profile profile-webid AssumeRoleWithWebIdentity
rm -f "$work/home/.aws/config"

# ---- container credentials (EKS Pod Identity shape: full URI + token file) ----
printf '%s' "$CTOK" >"$work/pod-identity-token"
collect pod-identity AWS_CONTAINER_CREDENTIALS_FULL_URI="$url/container/credentials" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$work/pod-identity-token"
expect_identity pod-identity container-role ContainerCredentials
# ECS / CodeBuild shape: the token in a variable
collect ecs AWS_CONTAINER_CREDENTIALS_FULL_URI="$url/container/credentials" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN="$CTOK"
expect_identity ecs container-role ContainerCredentials
collect container-bad AWS_CONTAINER_CREDENTIALS_FULL_URI="$url/container/credentials" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong
if [ $rc -eq 3 ] && grep -q "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI): .*answered HTTP 403" "$work/container-bad.err" &&
   ! grep -q "no AWS credentials found" "$work/container-bad.err"; then
  ok "container credentials refused: exit 3, names the provider and HTTP 403"
else
  fail "container credentials refused: exit $rc: $(cat "$work/container-bad.err")"
fi

# ---- IMDSv2 (Jenkins on EC2) ----------------------------------------------------
collect imds AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="$url"
expect_identity imds jenkins-role IMDSCredentials
if grep -q '"op": "IMDSToken", "status": 200' "$work/server.log" &&
   ! grep -q '"op": "IMDSCredentials", "status": 401' "$work/server.log"; then
  ok "imds: a session token first, every metadata request carries it (IMDSv2)"
else
  fail "imds: not IMDSv2: $(grep IMDS "$work/server.log" | head -3)"
fi

# ---- SSO: sso_session, the cached token, the portal -------------------------------
cat >"$work/home/.aws/config" <<EOF
[profile sso]
sso_session = corp
sso_account_id = $acct
sso_role_name = AuditReadOnly

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1
EOF
run_env "$ECRAUDIT" collect --profile sso --out "$work/sso-nocache" --endpoint-url "$url" \
  --region us-east-1 >/dev/null 2>"$work/sso-nocache.err"
rc=$?
if [ $rc -eq 3 ] && grep -q 'SSO (profile "sso"): no cached token .*aws sso login --sso-session corp' "$work/sso-nocache.err"; then
  ok "sso without a cached token: exit 3, says to run aws sso login"
else
  fail "sso without a cached token: exit $rc: $(cat "$work/sso-nocache.err")"
fi
key=$(printf '%s' corp | sha1sum | cut -d' ' -f1)
mkdir -p "$work/home/.aws/sso/cache"
cat >"$work/home/.aws/sso/cache/$key.json" <<EOF
{"startUrl": "https://corp.awsapps.com/start", "region": "eu-central-1", "accessToken": "$SSOTOK",
 "expiresAt": "2099-01-01T00:00:00Z"}
EOF
: >"$work/server.log"
run_env "$ECRAUDIT" collect --profile sso --out "$work/sso" --endpoint-url "$url" \
  --region us-east-1 >"$work/sso.out" 2>"$work/sso.err"
rc=$?
expect_identity sso AuditReadOnly GetRoleCredentials
# an expired token with a refresh token: SSO OIDC CreateToken, then the portal
printf '{"startUrl": "https://corp.awsapps.com/start", "region": "eu-central-1", "accessToken": "expired-%s", "expiresAt": "2020-01-01T00:00:00Z", "refreshToken": "%s", "clientId": "fake-client", "clientSecret": "%s", "registrationExpiresAt": "2099-01-01T00:00:00Z"}\n' \
  "$SSOTOK" "$SSORT" "$SSOCS" >"$work/home/.aws/sso/cache/$key.json"
: >"$work/server.log"
run_env "$ECRAUDIT" collect --profile sso --out "$work/sso-refresh" --endpoint-url "$url" \
  --region us-east-1 >"$work/sso-refresh.out" 2>"$work/sso-refresh.err"
rc=$?
expect_identity sso-refresh AuditReadOnly CreateToken
if grep -Eq "\"accessToken\": *\"$SSOTOK\"" "$work/home/.aws/sso/cache/$key.json" &&
   [ "$(stat -c %a "$work/home/.aws/sso/cache/$key.json")" = 600 ]; then
  ok "sso-refresh: the refreshed token is written back to the cache (mode 600)"
else
  fail "sso-refresh: cache not updated: $(stat -c %a "$work/home/.aws/sso/cache/$key.json")"
fi
rm -rf "$work/home/.aws/config" "$work/home/.aws/sso"

# ---- credential_process ---------------------------------------------------------------
cat >"$work/cred-helper" <<EOF
#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "%s"}\n' '$AK' '$SK' '$TOK'
EOF
chmod +x "$work/cred-helper"
printf '#!/bin/sh\necho "helper: not logged in" >&2\nexit 2\n' >"$work/cred-fail"
chmod +x "$work/cred-fail"
cat >"$work/home/.aws/config" <<EOF
[profile proc]
credential_process = $work/cred-helper
[profile procfail]
credential_process = $work/cred-fail
EOF
run_env "$ECRAUDIT" collect --profile proc --out "$work/proc" --endpoint-url "$url" \
  --region us-east-1 >"$work/proc.out" 2>"$work/proc.err"
rc=$?
if [ $rc -eq 0 ] && grep -q '^collect: credentials: credential-process (profile proc)' "$work/proc.err"; then
  ok "credential_process: exit 0"
else
  fail "credential_process: exit $rc: $(cat "$work/proc.err")"
fi
no_secrets "credential_process" "$work/proc" "$work/proc.out" "$work/proc.err"
run_env "$ECRAUDIT" collect --profile procfail --out "$work/procfail" --endpoint-url "$url" \
  --region us-east-1 >/dev/null 2>"$work/procfail.err"
rc=$?
if [ $rc -eq 3 ] && grep -q 'credential_process (profile "procfail"): .*cred-fail exited with status 2: helper: not logged in' "$work/procfail.err"; then
  ok "failing credential_process: exit 3, its status and stderr named"
else
  fail "failing credential_process: exit $rc: $(cat "$work/procfail.err")"
fi
rm -f "$work/home/.aws/config"

# ---- nothing configured: every provider tried is listed ----------------------------
collect none
if [ $rc -eq 3 ] && grep -q 'no AWS credentials found (tried environment, profile "default", instance metadata (disabled by AWS_EC2_METADATA_DISABLED))' "$work/none.err"; then
  ok "no credentials: exit 3, lists what it tried"
else
  fail "no credentials: exit $rc: $(cat "$work/none.err")"
fi

# ---- endpoints and retries from the environment and the profile -------------------
env_keys=(AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_SESSION_TOKEN="$TOK")
run_env "${env_keys[@]}" AWS_ENDPOINT_URL_STS="$url" AWS_ENDPOINT_URL_IAM="$url" \
  AWS_ENDPOINT_URL_ECR="$url/" AWS_ENDPOINT_URL_ORGANIZATIONS="$url" \
  "$ECRAUDIT" collect --out "$work/svc" --region us-east-1 --quiet 2>"$work/svc.err"
rc=$?
[ $rc -eq 0 ] && [ -s "$work/svc/manifest.json" ] && ok "AWS_ENDPOINT_URL_<SERVICE> for every service: exit 0" ||
  fail "AWS_ENDPOINT_URL_<SERVICE>: exit $rc: $(cat "$work/svc.err")"
run_env "${env_keys[@]}" AWS_ENDPOINT_URL_STS="$url" AWS_ENDPOINT_URL="http://127.0.0.1:9" \
  AWS_MAX_ATTEMPTS=1 "$ECRAUDIT" collect --out "$work/svc2" --region us-east-1 --quiet 2>"$work/svc2.err"
rc=$?
[ $rc -eq 3 ] && grep -q "iam:GetAccountAuthorizationDetails: RequestError: .*127.0.0.1:9" "$work/svc2.err" &&
  ok "AWS_ENDPOINT_URL_STS beats AWS_ENDPOINT_URL; the others go to AWS_ENDPOINT_URL" ||
  fail "endpoint precedence: exit $rc: $(cat "$work/svc2.err")"
start_server # fresh throttling: the first IAM call is throttled once
printf '[default]\nendpoint_url = %s\n' "$url" >"$work/home/.aws/config"
run_env "${env_keys[@]}" AWS_MAX_ATTEMPTS=1 "$ECRAUDIT" collect --out "$work/once" --region us-east-1 \
  --quiet 2>"$work/once.err"
rc=$?
[ $rc -eq 3 ] && grep -q "Throttling" "$work/once.err" &&
  ok "profile endpoint_url used; AWS_MAX_ATTEMPTS=1: a throttled call is not retried (exit 3)" ||
  fail "AWS_MAX_ATTEMPTS=1: exit $rc: $(cat "$work/once.err")"
run_env "${env_keys[@]}" AWS_RETRY_MODE=standard "$ECRAUDIT" collect --out "$work/std" --region us-east-1 \
  --quiet 2>"$work/std.err"
rc=$?
[ $rc -eq 0 ] && ok "profile endpoint_url, AWS_RETRY_MODE=standard: retried, exit 0" ||
  fail "AWS_RETRY_MODE=standard: exit $rc: $(cat "$work/std.err")"
run_env "${env_keys[@]}" AWS_MAX_ATTEMPTS=lots "$ECRAUDIT" collect --out "$work/bad" --region us-east-1 \
  --quiet 2>"$work/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "AWS_MAX_ATTEMPTS" "$work/bad.err" && ok "AWS_MAX_ATTEMPTS=lots: exit 2" ||
  fail "AWS_MAX_ATTEMPTS=lots: exit $rc: $(cat "$work/bad.err")"
rm -f "$work/home/.aws/config"

# ---- progress: one plain line per phase and region when stderr is not a TTY ----------
start_server
run_env "${env_keys[@]}" "$ECRAUDIT" collect --out "$work/prog" --endpoint-url "$url" \
  --region us-east-1 --region eu-west-1 >/dev/null 2>"$work/prog.err"
if grep -q '^collect: us-east-1: repository policies ' "$work/prog.err" &&
   grep -q '^collect: eu-west-1: repositories page ' "$work/prog.err" &&
   grep -q '^collect: wrote ' "$work/prog.err" && [ "$(sort "$work/prog.err" | uniq -d | wc -l)" -eq 0 ] &&
   ! grep -q $'\r' "$work/prog.err"; then
  ok "progress: one line per phase and region ($(wc -l <"$work/prog.err") lines, no repeats)"
else
  fail "progress lines: $(cat "$work/prog.err")"
fi

# on a terminal (script(1) gives it a pty): one line rewritten in place
if command -v script >/dev/null; then
  printf '#!/bin/sh\nexec env -i PATH="%s" HOME="%s" AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID="%s" AWS_SECRET_ACCESS_KEY="%s" AWS_SESSION_TOKEN="%s" "%s" collect --out "%s" --endpoint-url "%s" --region us-east-1\n' \
    "$PATH" "$work/home" "$AK" "$SK" "$TOK" "$ECRAUDIT" "$work/tty" "$url" >"$work/tty.sh"
  chmod +x "$work/tty.sh"
  script -qec "$work/tty.sh" /dev/null >"$work/tty.out" 2>&1
  if grep -q $'\rcollect: ' "$work/tty.out" && grep -q $'\033\\[K' "$work/tty.out" && [ -s "$work/tty/manifest.json" ]; then
    ok "progress on a terminal: one line rewritten in place (carriage return + erase)"
  else
    fail "progress on a terminal: $(head -c 300 "$work/tty.out" | od -c | head -5)"
  fi
  no_secrets "tty" "$work/tty.out"
fi

# ---- --region all: the account's enabled regions (ec2:DescribeRegions) --------------
: >"$work/server.log"
run_env AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_SESSION_TOKEN="$TOK" AWS_REGION=eu-west-1 \
  "$ECRAUDIT" collect --out "$work/all" --endpoint-url "$url" --region all >"$work/all.out" 2>"$work/all.err"
rc=$?
want=$(cd "$bundle/ecr" && { ls; echo eu-north-1; } | sort -u | "$PY" -c 'import json,sys; print(json.dumps([l.strip() for l in sys.stdin]))')
got=$("$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["regions"]))' "$work/all/manifest.json" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$got" = "$want" ] && grep -q '"service": "ec2".*"op": "DescribeRegions"\|"op": "DescribeRegions"' "$work/server.log" &&
   grep -q '"repositories": \[\]' "$work/all/ecr/eu-north-1/repositories.json"; then
  ok "--region all: every enabled region collected ($got), the empty one too"
else
  fail "--region all: exit $rc, regions $got (want $want): $(cat "$work/all.err")"
fi
grep -q '^collect: regions: ' "$work/all.err" && ok "--region all: a progress line names the regions found" ||
  fail "--region all: no regions progress line"
run_env AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" "$ECRAUDIT" collect --out "$work/all2" \
  --endpoint-url "$url" --region all --region us-east-1 >/dev/null 2>"$work/all2.err"
rc=$?
[ $rc -eq 2 ] && grep -q "cannot be combined" "$work/all2.err" && ok "--region all with another region: exit 2" ||
  fail "--region all + us-east-1: exit $rc: $(cat "$work/all2.err")"

# ---- refresh: credentials that live 3 s, a collection that takes longer ---------------
start_server --credential-lifetime 3 --delay-ms 120
collect refresh AWS_ROLE_ARN="arn:aws:iam::$acct:role/ecraudit-irsa" \
  AWS_WEB_IDENTITY_TOKEN_FILE="$work/oidc-token" ECRAUDIT_CREDENTIAL_REFRESH_MARGIN=2
"$PY" - "$work/server.log" "$rc" "$work/refresh.err" <<'EOF' || fails=$((fails + 1))
import json, sys
log, rc, err = sys.argv[1], int(sys.argv[2]), sys.argv[3]
entries = [json.loads(l) for l in open(log)]
issued = [e for e in entries if e.get("op") == "AssumeRoleWithWebIdentity" and e.get("status") == 200]
keys = {e.get("access_key") for e in entries if e.get("signed")}
expired = [e for e in entries if e.get("error") == "ExpiredToken"]
bad = 0
for cond, msg in [
    (rc == 0, "refresh: exit %d" % rc),
    (len(issued) >= 2, "refresh: web identity called %d times during the collection" % len(issued)),
    (len(keys) >= 2, "refresh: requests signed with %d different keys" % len(keys)),
    (not expired, "refresh: no request was sent with expired credentials (%d)" % len(expired)),
    ("credentials refreshed" in open(err).read(), "refresh: the summary line says so"),
]:
    print(("ok: " if cond else "FAIL: ") + msg)
    bad += not cond
sys.exit(1 if bad else 0)
EOF
no_secrets "refresh" "$work/refresh" "$work/refresh.out" "$work/refresh.err"

if [ $fails -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all provider checks passed"
