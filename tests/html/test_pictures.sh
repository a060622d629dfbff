#!/usr/bin/env bash
# The pictures (issue 21 point 3) end to end, on samples/acme:
#   - the layout's standalone SVG files (test_picture, ECR_PICTURE_OUT_DIR)
#     and every inline <svg> of report.html are well-formed XML (xmllint);
#   - report.html in headless Chromium (picture_check.py): rendered size,
#     no external references, role="img" + <title>/<desc>, the visually
#     hidden text equivalent holds the two-hop chain gina.sre > acme-ops-jump
#     > acme-platform-admin, the Kubernetes service account that can push
#     (ci/image-builder) and the GitHub Actions web identity (the Pod
#     Identity role acme-payments-pod only pulls: no risky access, no box);
#   - report.pdf passes qpdf --check and pdftotext finds the pictures'
#     labels on the pictures' pages.
# Environment (set by CTest): ECRAUDIT, ECR_SRC, ECR_BUILD.
set -u
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
OUT="${ECR_BUILD:?}/test-tmp/pictures"
rm -rf "$OUT"
mkdir -p "$OUT/svg"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for tool in xmllint qpdf pdftotext "$CHROMIUM"; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed"; exit 1; }
done

# 1. the layout's own SVG documents
ECR_PICTURE_OUT_DIR="$OUT/svg" "$ECR_BUILD/tests/test_picture" >"$OUT/unit.log" 2>&1 ||
  { cat "$OUT/unit.log"; fail "test_picture"; }
n=0
for f in "$OUT"/svg/*.svg; do
  [ -s "$f" ] || continue
  n=$((n + 1))
  xmllint --noout --nonet "$f" 2>"$OUT/xmllint.err" || fail "$f: $(head -c 300 "$OUT/xmllint.err")"
  grep -Eq '(href|src)=' "$f" && fail "$f: a reference"
done
[ "$n" -ge 2 ] || fail "test_picture wrote $n SVG files"

# 2. the reports
"$ECRAUDIT" report --evidence "$ECR_SRC/samples/acme" --format html,pdf --out "$OUT/acme" \
  --as-of 2026-12-01 >"$OUT/report.log" 2>&1
rc=$?
{ [ $rc -eq 0 ] || [ $rc -eq 1 ]; } || { cat "$OUT/report.log"; echo "FAIL: report exit $rc"; exit 1; }

# 3. HTML in Chromium (also extracts and xmllints every inline svg)
/usr/bin/python3 "$ECR_SRC/tests/html/picture_check.py" --chromium "$CHROMIUM" --out "$OUT/html" \
  --shot "$OUT/acme-pictures.png" \
  --expect "arn:aws:iam::111122223333:user/gina.sre can assume arn:aws:iam::111122223333:role/acme-ops-jump" \
  --expect "arn:aws:iam::111122223333:role/acme-ops-jump can assume arn:aws:iam::111122223333:role/acme-platform-admin" \
  --expect "k8s:arn:aws:eks:us-east-1:111122223333:cluster/acme-prod#ci/image-builder can assume" \
  --expect "federated:arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com#repo:acme-corp/team-a-api:ref:refs/heads/main can assume" \
  --expect "P1 " \
  "$OUT/acme/report.html" || fail "picture_check.py"
[ "$(head -c 8 "$OUT/acme-pictures.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
  fail "no screenshot of the pictures"

# 4. PDF: qpdf, and the labels on the pictures' pages
qpdf --check "$OUT/acme/report.pdf" >"$OUT/qpdf.log" 2>&1 || { cat "$OUT/qpdf.log"; fail "qpdf --check"; }
pdftotext -layout "$OUT/acme/report.pdf" "$OUT/acme.txt" || fail "pdftotext"
/usr/bin/python3 - "$OUT/acme.txt" <<'PYEOF' || fail "PDF picture labels"
import re, sys
pages = open(sys.argv[1], encoding="utf-8").read().split("\f")
pic = [p for p in pages if "Who can write to " in p or "Write access: principals by access profile" in p]
if not pic:
    sys.exit("no picture pages")
text = "\n".join(pic)
need = ["Who can write: pictures", "gina.sre", "acme-ops-jump", "acme-platform-admin",
        "role (assumed)", "Kubernetes service account", "federated identity", "allow",
        "conditional", "Write access: principals by access profile", "P1", "R1",
        "gina.sre can assume arn:aws:iam::111122223333:role/acme-ops-jump"]
missing = [n for n in need if n not in re.sub(r"[ \t]+", " ", text)]
if missing:
    sys.exit("missing on the picture pages: %s" % missing)
print("PDF: %d picture pages, labels found" % len(pic))
PYEOF

if [ "$fails" -gt 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "pictures ok"
