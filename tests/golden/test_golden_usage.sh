#!/bin/bash
# Golden usage notes (issue 21): tests/golden/26_usage/usage.tsv, derived BY HAND in the case's
# README ("Derivation"), against `ecraudit report` of its bundle: per finding whether the
# access is tracked, the last use, its age in days, the action (action level), unused, and the
# exact impact sentence; the counts; the unused remediation; --unused-days; no file, no usage.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
: "${ECRAUDIT:?ECRAUDIT is not set (path to the ecraudit binary)}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case=$src/tests/golden/26_usage
fails=0
run() { # out, extra args...
  local out=$1
  shift
  "$ECRAUDIT" report --evidence "$case/bundle" --out "$out" --format json --as-of 2026-12-01 \
    --quiet "$@" >/dev/null 2>"$tmp/err"
  [ $? -le 1 ] || { echo "FAIL: report $*: $(head -3 "$tmp/err")"; fails=$((fails + 1)); }
}
run "$tmp/a"
run "$tmp/b" --unused-days 60
cp -r "$case/bundle" "$tmp/nofile" && rm "$tmp/nofile/iam/service-last-accessed.json"
"$ECRAUDIT" report --evidence "$tmp/nofile" --out "$tmp/c" --format json --as-of 2026-12-01 \
  --quiet >/dev/null 2>&1
/usr/bin/python3 - "$case/usage.tsv" "$tmp/a/findings.json" "$tmp/b/findings.json" \
  "$tmp/c/findings.json" <<'PY' || fails=$((fails + 1))
import json, sys
want_path, a, b, c = sys.argv[1:]
bad = 0
def check(cond, msg):
    global bad
    print(("ok: " if cond else "FAIL: ") + msg)
    bad += not cond
def rows(doc):
    out = {}
    for f in doc["findings"]:
        u = f.get("usage")
        if u is None:
            continue
        note = f["impact"][f["impact"].find("IAM Access Advisor:"):]
        out[(f["principal"]["arn"].split(":", 5)[5], f["access_level"])] = (
            "true" if u["tracked"] else "false", (u.get("last_used") or "-")[:10],
            "-" if u.get("days") is None else str(u["days"]), u.get("action") or "-",
            "true" if u["unused"] else "false", note)
    return out
want = {}
for line in open(want_path, encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    p, level, *rest = line.rstrip("\n").split("\t")
    want[(p, level)] = tuple(rest)
da, db, dc = (json.load(open(p)) for p in (a, b, c))
got = rows(da)
for k in sorted(set(want) | set(got)):
    check(want.get(k) == got.get(k), "%s %s: %s" % (k[0], k[1], got.get(k, "no usage")) +
          ("" if want.get(k) == got.get(k) else "\n      want %s" % (want.get(k, "no usage"),)))
check(da.get("usage") == {"unused_days": 90, "tracked": 6, "untracked": 2, "unused": 2,
                          "unused_open": 2}, "counts: %s" % da.get("usage"))
unused = sorted(f["principal"]["arn"].split(":", 5)[5] for f in da["findings"]
                if f["remediation"].startswith("Unused access:"))
check(unused == ["user/never", "user/old-ci"], "unused remediation on exactly %s" % unused)
check(all("the tracking shows no use" in f["remediation"] for f in da["findings"]
          if f.get("usage", {}).get("unused")), "unused remediation says why: the tracking shows no use")
ub = sorted(f["principal"]["arn"].split(":", 5)[5] for f in db["findings"] if f.get("usage", {}).get("unused"))
check(ub == ["role/threshold", "user/never", "user/old-ci"] and db["usage"]["unused_days"] == 60,
      "--unused-days 60 marks threshold too: %s" % ub)
check("usage" not in dc and not any("usage" in f for f in dc["findings"])
      and not any("Unused access" in f["remediation"] or "Access Advisor" in f["impact"] for f in dc["findings"]),
      "without iam/service-last-accessed.json: no usage, nothing unused")
sys.exit(1 if bad else 0)
PY
"$ECRAUDIT" report --evidence "$case/bundle" --out "$tmp/d" --unused-days 0 >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "unused-days" "$tmp/err" && echo "ok: --unused-days 0 is a usage error (exit 2)" ||
  { echo "FAIL: --unused-days 0: exit $rc $(cat "$tmp/err")"; fails=$((fails + 1)); }
[ $fails -eq 0 ] && echo "test_golden_usage: all passed" || { echo "test_golden_usage: $fails failed"; exit 1; }
