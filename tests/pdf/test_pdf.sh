#!/usr/bin/env bash
# The PDF evidence pack, checked with real PDF tools (issue 5):
#   qpdf --check; pdfinfo page count and metadata; pdftotext shows every
#   finding's principal and id and every ledger entry id; pdftoppm renders
#   every page without a complaint; pdftotext -bbox-layout finds no word
#   outside the page box or its margins (nothing cut off, nothing running
#   into the header or footer).
# Inputs: the renderer fixture (plain, hostile, 1,009 findings, a summarized
# 309-finding report with 306 failed, pathological sizes, a 10,009-finding
# account at scale, a document of more than 8,191 pages) written by the unit
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
  if [ "$res" = 0 ]; then # large documents: the text, bbox and outline checks only
    echo "   (not rendered to images)"
    return 0
  fi
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
for name in plain hostile large limited pathological empty scale manypages; do
  [ -s "$work/fx/$name.pdf" ] || fail "unit test wrote no $name.pdf"
done
# (the last argument: finding bookmarks; each fixture has one passing finding,
# which is a row of the compact passing table, not a detail block)
check_pdf "$work/fx/plain.pdf" "$work/fx/plain.expect.json" 10 40 8
check_pdf "$work/fx/hostile.pdf" "$work/fx/hostile.expect.json" 10 40 11
# 1,009 findings: every row of the table and every open detail block, paginated
check_pdf "$work/fx/large.pdf" "$work/fx/large.expect.json" 300 12 1008
# detail limit 5: 5 of the 306 failed findings, and the 2 other open ones
check_pdf "$work/fx/limited.pdf" "$work/fx/limited.expect.json" 20 20 7
# a table row taller than a page, a 3,000-line note, a 40,000-character JSON
check_pdf "$work/fx/pathological.pdf" "$work/fx/pathological.expect.json" 20 12 8
# nothing to report: still every section, and a PASS
check_pdf "$work/fx/empty.pdf" "$work/fx/empty.expect.json" 8 30 0
cover=$(pdftotext -raw -f 1 -l 1 "$work/fx/empty.pdf" -)
[[ $cover == *PASS* && $cover == *COMPLIANT* && $cover != *"NOT COMPLIANT"* ]] ||
  fail "empty.pdf: the cover does not say PASS / COMPLIANT"

# An account at scale (issue 9): 1,608 open findings, 8,401 passing ones
# summarized; every open finding in the text and the outline, the summaries
# there, the passing findings' ids and repositories past the list limit not.
pages=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pages"])' "$work/fx/scale.expect.json")
open_n=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["n_findings"])' "$work/fx/scale.expect.json")
check_pdf "$work/fx/scale.pdf" "$work/fx/scale.expect.json" "$pages" 0 "$open_n"
pdftoppm -r 20 -png -f 1 -l 12 "$work/fx/scale.pdf" "$work/page" 2>"$work/ppm.err" ||
  fail "pdftoppm scale.pdf: $(cat "$work/ppm.err")"
[ ! -s "$work/ppm.err" ] || fail "pdftoppm scale.pdf complained: $(head -5 "$work/ppm.err")"
rm -f "$work"/page-*.png
# More than 8,191 pages (libharu's array limit): a valid page tree.
echo "== $work/fx/manypages.pdf"
qpdf --check "$work/fx/manypages.pdf" >"$work/qpdf.log" 2>&1 || { tail -5 "$work/qpdf.log"; fail "qpdf --check manypages.pdf"; }
grep -q "No syntax or stream encoding errors" "$work/qpdf.log" || fail "qpdf: $(tail -5 "$work/qpdf.log")"
many=$(pdfinfo "$work/fx/manypages.pdf" | sed -n 's/^Pages: *//p')
[ "$many" -gt 8191 ] || fail "manypages.pdf has $many pages, want more than 8191"
last=$(pdftotext -raw -f "$many" -l "$many" "$work/fx/manypages.pdf" -)
[[ $last == *"Page $many of $many"* ]] || fail "manypages.pdf: the last page does not say Page $many of $many"
echo "   $many pages"

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
echo '{"absent": ["111122223333"]}' >"$work/neg2.json"
if "$PY" "$CHECK" text "$work/fx/plain.pdf" "$work/neg2.json" >/dev/null 2>&1; then
  fail "check_pdf.py text accepted an absent string that is in the PDF"
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
  "$PY" "$ECR_SRC/tests/cli/findings_schema.py" --tree "$work" >"$work/schema.log" ||
    { cat "$work/schema.log"; fail "findings.json breaks its schema (docs/findings.schema.json)"; }
  "$PY" "$CHECK" expect "$work/acme-a/findings.json" "$work/acme.expect.json"
  n=$("$PY" -c 'import json,sys; print(sum(f["status"] != "pass" for f in json.load(open(sys.argv[1]))["findings"]))' \
    "$work/acme-a/findings.json")
  check_pdf "$work/acme-a/report.pdf" "$work/acme.expect.json" 5 30 "$n"
  # the evidence pack (issue 15 points 7, 8, 10, 12)
  "$ECRAUDIT" matrix --evidence "$acme" >"$work/acme.tsv"
  "$PY" "$CHECK" pack "$work/acme-a/report.pdf" "$work/acme-a/findings.json" \
    "$work/acme-a/findings.json" "$work/acme.tsv"
  # the check has teeth: another findings.json's hash is not the printed one
  sed 's/"as_of"/"as_of" /' "$work/acme-a/findings.json" >"$work/other.json"
  if "$PY" "$CHECK" pack "$work/acme-a/report.pdf" "$work/acme-a/findings.json" \
    "$work/other.json" "$work/acme.tsv" >/dev/null 2>&1; then
    fail "check_pdf.py pack accepted the hash of another findings.json"
  fi
  # evidence age (point 9): collected 2025-11-20; a warning on the cover
  # exactly when the as-of date is more than 30 days later
  for days in 29:2025-12-19 30:2025-12-20 31:2025-12-21; do
    d=${days%%:*} as_of=${days#*:}
    "$ECRAUDIT" report --evidence "$acme" --format pdf,html --as-of "$as_of" \
      --out "$work/age-$d" >/dev/null 2>&1 || true
    cover=$(pdftotext -raw -f 1 -l 1 "$work/age-$d/report.pdf" - | tr -s ' \n' ' ')
    head=$(sed -n '/<header/,/<\/header>/p' "$work/age-$d/report.html" | tr -s ' \n' ' ')
    want="Evidence collected $d days before the as-of date"
    if [ "$d" -gt 30 ]; then
      [[ $cover == *"$want"* ]] || fail "as of $as_of ($d days): no age warning on the PDF cover"
      [[ $head == *"$want"* ]] || fail "as of $as_of ($d days): no age warning in the HTML header"
    else
      [[ $cover != *"Evidence collected"*"days before"* ]] || fail "as of $as_of ($d days): age warning on the cover"
      [[ $head != *"days before the as-of date"* ]] || fail "as of $as_of ($d days): age warning in the HTML header"
    fi
  done
  echo "   evidence-age warning exactly after 30 days (29, 30, 31 checked)"
else
  echo "samples/acme not present: CLI part skipped"
fi
echo "PASS"
