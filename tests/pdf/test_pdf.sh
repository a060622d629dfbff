#!/usr/bin/env bash
# The PDF evidence pack, checked with real PDF tools (issue 5):
#   qpdf --check; pdfinfo page count and metadata; pdftotext shows every
#   finding's principal and id and every ledger entry id; pdftoppm renders
#   every page without a complaint; pdftotext -bbox-layout finds no word
#   outside the page box or its margins (nothing cut off, nothing running
#   into the header or footer).
# Inputs: the renderer fixture (plain, hostile, 1,009 findings, a summarized
# 309-finding report with 306 failed, pathological sizes) written by the unit
# test, and the CLI's report for samples/acme. Needs qpdf, poppler-utils and /usr/bin/python3.
set -euo pipefail
: "${ECR_BUILD:?}" "${ECR_SRC:?}" "${ECRAUDIT:?}"

PY=/usr/bin/python3
CHECK="$ECR_SRC/tests/pdf/check_pdf.py"
UNIT="$ECR_BUILD/tests/test_render_pdf"
export SOURCE_DATE_EPOCH=1795780800

work=$(mktemp -d "$ECR_BUILD/pdf-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# check_pdf FILE EXPECT.json MIN_PAGES RESOLUTION FINDING_BOOKMARKS
check_pdf() {
  local pdf=$1 expect=$2 min_pages=$3 res=$4 marks=$5
  echo "== $pdf"
  qpdf --check "$pdf" >"$work/qpdf.log" 2>&1 || { cat "$work/qpdf.log"; fail "qpdf --check $pdf"; }
  grep -q "No syntax or stream encoding errors" "$work/qpdf.log" || fail "qpdf: $(cat "$work/qpdf.log")"
  local pages
  pages=$("$PY" "$CHECK" info "$pdf" "$min_pages" | tee /dev/stderr | sed -n 's/.*info ok (\([0-9]*\) pages.*/\1/p')
  [ -n "$pages" ] || fail "no page count for $pdf"
  "$PY" "$CHECK" text "$pdf" "$expect"
  "$PY" "$CHECK" bbox "$pdf"
  "$PY" "$CHECK" outline "$pdf" "$marks"
  rm -f "$work"/page-*.png
  pdftoppm -r "$res" -png "$pdf" "$work/page" 2>"$work/ppm.err" || fail "pdftoppm $pdf: $(cat "$work/ppm.err")"
  [ ! -s "$work/ppm.err" ] || fail "pdftoppm $pdf complained: $(head -5 "$work/ppm.err")"
  local n
  n=$(find "$work" -name 'page-*.png' -size +0 | wc -l)
  [ "$n" -eq "$pages" ] || fail "pdftoppm rendered $n of $pages pages of $pdf"
  rm -f "$work"/page-*.png
  echo "   rendered $n pages"
}

# 1. The fixture, rendered by the unit test.
[ -x "$UNIT" ] || fail "unit test binary $UNIT not built"
ECR_PDF_OUT="$work/fx" "$UNIT" >"$work/unit.log" 2>&1 || { cat "$work/unit.log"; fail "test_render_pdf"; }
for name in plain hostile large limited pathological empty; do
  [ -s "$work/fx/$name.pdf" ] || fail "unit test wrote no $name.pdf"
done
check_pdf "$work/fx/plain.pdf" "$work/fx/plain.expect.json" 10 40 9
check_pdf "$work/fx/hostile.pdf" "$work/fx/hostile.expect.json" 10 40 12
# 1,009 findings: every row of the table and every detail block, paginated
check_pdf "$work/fx/large.pdf" "$work/fx/large.expect.json" 300 12 1009
# detail limit 5: 5 of the 306 failed findings, and the 3 others
check_pdf "$work/fx/limited.pdf" "$work/fx/limited.expect.json" 20 20 8
# a table row taller than a page, a 3,000-line note, a 40,000-character JSON
check_pdf "$work/fx/pathological.pdf" "$work/fx/pathological.expect.json" 20 12 9
# nothing to report: still every section, and a PASS
check_pdf "$work/fx/empty.pdf" "$work/fx/empty.expect.json" 8 30 0
cover=$(pdftotext -raw -f 1 -l 1 "$work/fx/empty.pdf" -)
[[ $cover == *PASS* && $cover == *COMPLIANT* && $cover != *"NOT COMPLIANT"* ]] ||
  fail "empty.pdf: the cover does not say PASS / COMPLIANT"

# The summarized report says so.
pdftotext -raw "$work/fx/limited.pdf" - | tr -s ' \n' ' ' >"$work/limited.txt"
grep -q "Detail blocks are shown for the first 5 of 306 findings in this group" "$work/limited.txt" ||
  fail "limited.pdf does not say that detail blocks were summarized"
# Hostile text stays text: the markup is printed, control characters and
# characters the font lacks are shown as [U+XXXX].
pdftotext -raw "$work/fx/hostile.pdf" - >"$work/hostile.txt"
grep -qF '<img src=x onerror=alert(1)>' "$work/hostile.txt" || fail "hostile markup not shown as text"
grep -qF '[U+0001][U+001F]' "$work/hostile.txt" || fail "control characters not mapped"
grep -qF 'Привет' "$work/hostile.txt" || fail "Cyrillic text lost"
grep -qF '[U+6F22][U+5B57]' "$work/hostile.txt" || fail "CJK (not in DejaVu) not mapped"
# The checks can fail: a principal that is not in the document is reported.
echo '{"principals": ["arn:aws:iam::111122223333:role/not-in-the-report"]}' >"$work/neg.json"
if "$PY" "$CHECK" text "$work/fx/plain.pdf" "$work/neg.json" >/dev/null 2>&1; then
  fail "check_pdf.py text accepted a principal that is not in the PDF"
fi

# 2. The CLI on samples/acme: the PDF is valid, complete and reproducible.
acme="$ECR_SRC/samples/acme"
if [ -d "$acme" ]; then
  ledger_args=()
  [ -f "$acme/ledger.json" ] && ledger_args=(--exceptions "$acme/ledger.json")
  for run in a b; do
    set +e
    "$ECRAUDIT" report --evidence "$acme" "${ledger_args[@]}" --format pdf,json \
      --as-of 2026-11-27 --out "$work/acme-$run" >"$work/cli.log" 2>&1
    rc=$?
    set -e
    [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || { cat "$work/cli.log"; fail "ecraudit report exited $rc"; }
    [ -s "$work/acme-$run/report.pdf" ] || fail "no report.pdf for samples/acme"
  done
  cmp -s "$work/acme-a/report.pdf" "$work/acme-b/report.pdf" ||
    fail "samples/acme: two runs with SOURCE_DATE_EPOCH gave different PDFs"
  "$PY" "$CHECK" expect "$work/acme-a/findings.json" "$work/acme.expect.json"
  n=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' \
    "$work/acme-a/findings.json")
  check_pdf "$work/acme-a/report.pdf" "$work/acme.expect.json" 5 30 "$n"
else
  echo "samples/acme not present: CLI part skipped"
fi
echo "PASS"
