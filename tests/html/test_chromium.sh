#!/usr/bin/env bash
# report.html in a real browser (Debian's chromium, headless):
#   - renders the fixture reports (hostile strings, plain, 10,000 findings)
#     with the unit test binary (ECR_HTML_OUT_DIR), and samples/acme through
#     the CLI once `ecraudit report` works;
#   - --dump-dom with JavaScript on and off: every section and finding there;
#   - --screenshot at 1280x2000 (kept in the output directory for review);
#   - tests/html/cdp_check.py over the DevTools protocol: fails on any
#     network request, script error, console/CSP error or dialog, exercises
#     sorting/filtering, prints to PDF and checks the PDF text.
# Environment (set by CTest): ECRAUDIT, ECR_SRC, ECR_BUILD.
set -u

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PY=/usr/bin/python3
OUT="${ECR_BUILD:?}/test-tmp/html-chromium"
rm -rf "$OUT"
mkdir -p "$OUT"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

command -v "$CHROMIUM" >/dev/null || { echo "FAIL: $CHROMIUM not installed"; exit 1; }
command -v pdftotext >/dev/null || { echo "FAIL: pdftotext (poppler-utils) not installed"; exit 1; }

# 1. the reports
ECR_HTML_OUT_DIR="$OUT" "$ECR_BUILD/tests/test_render_html" >"$OUT/unit.log" 2>&1 ||
  { cat "$OUT/unit.log"; echo "FAIL: test_render_html"; exit 1; }
files=("$OUT/hostile.html" "$OUT/plain.html" "$OUT/large.html" "$OUT/scale.html")
for f in "${files[@]}"; do [ -s "$f" ] || { echo "FAIL: $f not written"; exit 1; }; done

if [ -d "$ECR_SRC/samples/acme" ] && [ -n "${ECRAUDIT:-}" ] && [ -x "$ECRAUDIT" ]; then
  "$ECRAUDIT" report --evidence "$ECR_SRC/samples/acme" --format html --out "$OUT/acme" \
    >"$OUT/acme.log" 2>&1
  rc=$?
  if [ -s "$OUT/acme/report.html" ] && { [ $rc -eq 0 ] || [ $rc -eq 1 ]; }; then
    cp "$OUT/acme/report.html" "$OUT/acme.html"
    files+=("$OUT/acme.html")
  else
    echo "note: samples/acme not rendered (ecraudit report exit $rc); fixture reports only"
  fi
fi

browser() {
  local profile
  profile=$(mktemp -d)
  timeout 180 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" "$@" \
    2>>"$OUT/chromium.log"
  local rc=$?
  rm -rf "$profile"
  return $rc
}

# 2. dump the DOM (JavaScript on; cdp_check.py covers JavaScript off); screenshot
for f in "${files[@]}"; do
  name=$(basename "$f" .html)
  [ "$name" = large ] || [ "$name" = scale ] && continue # covered by the DevTools check below
  browser --dump-dom "file://$f" >"$OUT/$name.dom.html" || fail "$name: --dump-dom failed"
  for sec in summary findings repositories principals exceptions coverage evidence; do
    grep -q "id=\"$sec\"" "$OUT/$name.dom.html" || fail "$name: section $sec missing"
  done
  # the script ran (so the CSP hash matches the inlined script)
  grep -q 'Showing [0-9]* of [0-9]* findings' "$OUT/$name.dom.html" ||
    fail "$name: the report script did not run (CSP hash mismatch?)"
  grep -qi '<img' "$OUT/$name.dom.html" && fail "$name: <img> in the live DOM"
  browser --hide-scrollbars --window-size=1280,2000 --screenshot="$OUT/$name.png" "file://$f" \
    >/dev/null || fail "$name: --screenshot failed"
  [ "$(head -c 8 "$OUT/$name.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "$name: screenshot is not a PNG"
done
grep -q 'id="C0222-000000005eed0000"' "$OUT/hostile.dom.html" || fail "hostile: finding anchor missing"
# hostile text is in the DOM as text (escaped when serialized), never as markup
grep -q '&lt;img src=x onerror=alert(1)&gt;' "$OUT/hostile.dom.html" ||
  fail "hostile: the hostile text is not shown as text"

# 3. DevTools protocol: network, errors, interaction, print, JavaScript off
small=()
for f in "${files[@]}"; do
  case "$(basename "$f")" in large.html | scale.html) ;; *) small+=("$f") ;; esac
done
"$PY" "$ECR_SRC/tests/html/cdp_check.py" --chromium "$CHROMIUM" --out "$OUT" "${small[@]}" ||
  fail "DevTools checks"
# 10,009 findings: load, filter, one sort, no errors (no print: hundreds of pages);
# scale.html: 1,501 passing findings without detail blocks, the repository
# table with the "access on every repository" list (the streamed page)
"$PY" "$ECR_SRC/tests/html/cdp_check.py" --light --chromium "$CHROMIUM" --out "$OUT" \
  "$OUT/large.html" "$OUT/scale.html" || fail "DevTools checks (large, scale)"

# 3b. the checker itself must fail on a tampered page (an external image,
#     a script error, an image the CSP blocks)
"$PY" - "$OUT/plain.html" "$OUT" <<'PYEOF'
import re, sys
src, out = sys.argv[1], sys.argv[2]
s = open(src, encoding="utf-8").read()
nocsp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", s)
open(out + "/tampered-net.html", "w").write(nocsp.replace("</main>", '<img src="http://127.0.0.1:9/x.png"></main>'))
open(out + "/tampered-err.html", "w").write(nocsp.replace("</body>", "<script>null.x()</script></body>"))
open(out + "/tampered-csp.html", "w").write(s.replace("</main>", '<img src="http://127.0.0.1:9/x.png"></main>'))
PYEOF
for t in net err csp; do
  "$PY" "$ECR_SRC/tests/html/cdp_check.py" --light --chromium "$CHROMIUM" --out "$OUT/tampered" \
    "$OUT/tampered-$t.html" >"$OUT/tampered-$t.log" 2>&1 &&
    fail "the DevTools check passed a tampered page ($t)"
done
grep -q "FAIL.*network request: http://127.0.0.1:9/x.png" "$OUT/tampered-net.log" ||
  fail "tampered-net: network request not reported"
grep -q "FAIL.*script error" "$OUT/tampered-err.log" || fail "tampered-err: script error not reported"
grep -q "FAIL.*Content Security Policy" "$OUT/tampered-csp.log" ||
  fail "tampered-csp: CSP violation not reported"

# 4. the printed PDFs hold the report (print stylesheet, details opened for print)
for f in "${small[@]}"; do
  name=$(basename "$f" .html)
  pdf="$OUT/$name.print.pdf"
  [ -s "$pdf" ] || { fail "$name: no printed PDF"; continue; }
  pdftotext -layout "$pdf" "$OUT/$name.print.txt" || { fail "$name: pdftotext failed"; continue; }
  for want in "Summary" "Findings" "Repositories" "Principals" "Exceptions ledger" \
    "Coverage and limitations" "Evidence appendix"; do
    grep -q "$want" "$OUT/$name.print.txt" || fail "$name: printed PDF lacks \"$want\""
  done
  grep -q "Filter findings" "$OUT/$name.print.txt" && fail "$name: screen controls printed"
done
grep -q "Narrow statement PushImages" "$OUT/plain.print.txt" ||
  fail "plain: printed PDF lacks the finding details (remediation)"
grep -q "Page 1 of" "$OUT/plain.print.txt" || fail "plain: printed PDF has no page numbers"

echo "outputs in $OUT"
[ $fails -eq 0 ] && echo "PASS" && exit 0
echo "$fails failure(s)"
exit 1
