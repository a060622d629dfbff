# Shared by the stand-in tests (source it): a work directory removed on exit
# with the stand-in stopped, fail/ok counters, and the fake credentials —
# long enough that a leak cannot be a coincidence.
#   ECR_FAKE_WORK_NAME  prefix of the work directory (default ecraudit-fake-aws)
work=$(mktemp -d "${TMPDIR:-/tmp}/${ECR_FAKE_WORK_NAME:-ecraudit-fake-aws}.XXXXXX")
server_pid=
fails=0
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

AK=AKIAFAKETESTKEY00001
SK='fake/Secret+Key0123456789abcdefGHIJKLMNOP'
TOK='FakeSessionToken//0123456789+abcdefghijklmnopqrstuvwxyzABCDEFGH=='
