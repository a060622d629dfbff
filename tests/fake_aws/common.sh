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

# After starting the stand-in in the background (server_pid=$!): wait for it
# to write $work/port (10 s), then set port.
await_server() {
  for _ in $(seq 1 100); do
    [ -s "$work/port" ] && break
    sleep 0.1
  done
  [ -s "$work/port" ] || { cat "$work/server.err"; echo "FAIL: stand-in did not start"; exit 1; }
  port=$(cat "$work/port")
}
stop_server() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  server_pid=
}
