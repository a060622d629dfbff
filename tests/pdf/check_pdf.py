#!/usr/bin/python3
"""Checks for ecraudit's PDF evidence pack, driven by tests/pdf/test_pdf.sh.

  check_pdf.py text  PDF EXPECT.json   every principal, finding id and ledger
                                       entry id is in the extracted text, and
                                       every "strings" entry; no "absent" entry
  check_pdf.py bbox  PDF               no word outside the page box or its
                                       margins; every word in the header
                                       band, the footer band or the body
  check_pdf.py info  PDF MIN_PAGES     pdfinfo: page count and metadata
  check_pdf.py outline PDF N          bookmarks: every section, and N finding
                                       bookmarks ("#<n> STATUS severity: ...")
  check_pdf.py pack PDF FINDINGS.json FINDINGS.json MATRIX.tsv
                                       evidence pack (issue 15): population,
                                       sign-off hashes, mapping, compact passes
  check_pdf.py expect FINDINGS.json OUT.json
                                       expectations from the CLI's findings.json

Uses poppler-utils (pdftotext, pdfinfo) only; exits 1 with a message naming
what is missing or where.
"""
import json
import re
import subprocess
import sys


def run(args):
    p = subprocess.run(args, capture_output=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    err = p.stderr.decode(errors="replace").strip()
    if err:
        # poppler prints syntax warnings (bad CMaps, broken fonts) on stderr
        sys.exit(f"{' '.join(args)} complained: {err[:2000]}")
    return p.stdout.decode("utf-8", errors="strict")


def no_glyph(o):
    # DejaVu Sans and Sans Mono have no CJK ideographs, kana or Hangul.
    return 0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF


def escaped(o):
    return (o < 0x20 or 0x7F <= o < 0xA0 or o == 0xAD or 0x200B <= o <= 0x200F
            or 0x2028 <= o <= 0x202E or 0x2060 <= o <= 0x206F or o in (0xFEFF, 0xFFFE, 0xFFFF)
            or 0xFFF0 <= o <= 0xFFFC or 0xFE00 <= o <= 0xFE0F or o > 0xFFFF)


def shown(s):
    """How the renderer prints s (see src/render/pdf_text.c)."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch in "\n\r":
            out.append(" ")
        elif ch == "\t":
            out.append("    ")
        elif escaped(o) or no_glyph(o):
            out.append("[U+%04X]" % o)
        else:
            out.append(ch)
    return "".join(out)


def short(s, n=120):
    return s if len(s) <= n else s[:n] + f"... ({len(s)} characters)"


def squash(s):
    return re.sub(r"\s+", "", s)


def cmd_text(pdf, expect_path):
    with open(expect_path, encoding="utf-8") as f:
        exp = json.load(f)
    # Only the body of each page (A4: 842 pt high; header and footer are in
    # the outer 50 pt), so that text continued on the next page is
    # contiguous in the output.
    text = squash(run(["pdftotext", "-raw", "-enc", "UTF-8", "-x", "0", "-y", "50", "-W", "600",
                       "-H", "742", pdf, "-"]))
    missing = []
    for kind in ("principals", "finding_ids", "ledger_ids"):
        for v in exp.get(kind, []):
            if squash(shown(v)) not in text:
                missing.append(f"{kind}: {short(v)!r} (looked for {short(squash(shown(v)))!r})")
    if exp.get("account") and exp["account"] not in text:
        missing.append(f"account {exp['account']}")
    for s in exp.get("strings", []):
        if squash(s) not in text:
            missing.append(f"text {s!r}")
    for s in exp.get("absent", []):
        if squash(s) in text:
            missing.append(f"text that should not be there: {s!r}")
    if missing:
        sys.exit(f"{pdf}: {len(missing)} expected strings not in the text:\n  " +
                 "\n  ".join(missing[:20]))
    print(f"{pdf}: text ok ({len(exp.get('principals', []))} principals, "
          f"{len(exp.get('ledger_ids', []))} ledger entries)")


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def cmd_bbox(pdf):
    html = run(["pdftotext", "-bbox-layout", pdf, "-"])
    pages = PAGE.split(html)
    # split gives [head, w, h, body, w, h, body, ...]
    bad = []
    n_words = 0
    n_pages = 0
    for i in range(1, len(pages), 3):
        n_pages += 1
        w, h, body = float(pages[i]), float(pages[i + 1]), pages[i + 2]
        for m in WORD.finditer(body):
            x0, y0, x1, y1 = map(float, m.group(1, 2, 3, 4))
            n_words += 1
            where = f"page {n_pages} word {m.group(5)[:40]!r} at ({x0:.1f},{y0:.1f})-({x1:.1f},{y1:.1f})"
            if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
                bad.append("outside the page box: " + where)
            elif x0 < 50 or x1 > w - 50:
                bad.append("in the side margin: " + where)
            elif not (y1 <= 50 or y0 >= h - 50 or (y0 >= 58 and y1 <= h - 52)):
                bad.append("between body and header/footer: " + where)
    if n_pages == 0 or n_words == 0:
        sys.exit(f"{pdf}: no pages or words found by pdftotext -bbox-layout")
    if bad:
        sys.exit(f"{pdf}: {len(bad)} words out of place:\n  " + "\n  ".join(bad[:20]))
    print(f"{pdf}: bbox ok ({n_pages} pages, {n_words} words inside the margins)")


def cmd_info(pdf, min_pages):
    out = run(["pdfinfo", "-enc", "UTF-8", pdf])
    info = {}
    for line in out.splitlines():
        k, _, v = line.partition(":")
        info[k.strip()] = v.strip()
    problems = []
    for key, want in (("Title", "C-0222"), ("Subject", "Minimize user access to Amazon ECR"),
                      ("Author", "ecraudit"), ("Creator", "ecraudit"), ("CreationDate", ""),
                      ("ModDate", "")):
        if key not in info or want not in info[key] or not info[key]:
            problems.append(f"{key}: {info.get(key)!r} (want {want!r})")
    pages = int(info.get("Pages", "0"))
    if pages < int(min_pages):
        problems.append(f"Pages: {pages} < {min_pages}")
    if info.get("Encrypted") != "no":
        problems.append(f"Encrypted: {info.get('Encrypted')}")
    if problems:
        sys.exit(f"{pdf}: pdfinfo: " + "; ".join(problems))
    print(f"{pdf}: info ok ({pages} pages, title {info['Title']!r})")
    return pages


SECTIONS = ("Contents", "Executive summary", "Scope and methodology", "Findings",
            "Finding details", "Repository access", "Exceptions ledger",
            "Coverage and limitations", "Evidence appendix", "Evidence files", "Collection gaps",
            "Population appendix", "Sign-off")


def cmd_outline(pdf, n_findings):
    p = subprocess.run(["qpdf", "--json=2", "--json-key=outlines", pdf], capture_output=True)
    if p.returncode != 0:
        sys.exit(f"qpdf --json {pdf} failed: {p.stderr.decode(errors='replace')}")
    doc = json.loads(p.stdout)
    titles = []

    def walk(items):
        for o in items:
            if o.get("destpageposfrom1") is None:
                sys.exit(f"{pdf}: bookmark {o.get('title')!r} has no destination page")
            titles.append(o["title"])
            walk(o.get("kids", []))

    walk(doc.get("outlines", []))
    missing = [s for s in SECTIONS if not any(t.split("  ", 1)[-1] == s for t in titles)]
    findings = [t for t in titles if re.match(r"#\d+ (FAIL|UNKNOWN|EXCEPTED|PASS) ", t)]
    if missing:
        sys.exit(f"{pdf}: no bookmark for {missing}")
    if len(findings) != int(n_findings):
        sys.exit(f"{pdf}: {len(findings)} finding bookmarks, want {n_findings}")
    print(f"{pdf}: outline ok ({len(titles)} bookmarks, {len(findings)} findings)")


def outline_titles(pdf):
    p = subprocess.run(["qpdf", "--json=2", "--json-key=outlines", pdf], capture_output=True)
    if p.returncode != 0:
        sys.exit(f"qpdf --json {pdf} failed: {p.stderr.decode(errors='replace')}")
    out = []

    def walk(items):
        for o in items:
            out.append((o["title"], o.get("destpageposfrom1")))
            walk(o.get("kids", []))

    walk(json.loads(p.stdout).get("outlines", []))
    return out


def section_text(pdf, first, last):
    """Body text of pages first..last (1-based), squashed."""
    return squash(run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(first), "-l", str(last),
                       "-x", "0", "-y", "50", "-W", "600", "-H", "742", pdf, "-"]))


def cmd_pack(pdf, findings_path, findings_file, matrix_path):
    """Issue 15 points 7, 8, 10, 12 on a CLI report: the population appendix
    lists every principal of the matrix; the sign-off prints the SHA-256 of
    findings.json and the evidence-set digest; the framework mapping is
    there; passing findings are one compact table (no bookmark each, few
    pages) and finding bookmarks are unique per principal."""
    import hashlib
    with open(findings_path, encoding="utf-8") as f:
        doc = json.load(f)
    titles = outline_titles(pdf)
    page = {t.split("  ", 1)[-1]: p for t, p in titles if re.match(r"^\d+(\.\d+)?  ", t)}
    problems = []
    for sec in ("Scope and methodology", "Population appendix", "Sign-off"):
        if sec not in page:
            problems.append(f"no bookmark {sec!r}")
    if problems:
        sys.exit(f"{pdf}: " + "; ".join(problems))
    n_pages = int(run(["pdfinfo", pdf]).split("Pages:")[1].split()[0])
    pop = section_text(pdf, page["Population appendix"], page["Sign-off"])
    with open(matrix_path, encoding="utf-8") as f:
        principals = sorted({line.split("\t")[0] for line in f.read().splitlines()[1:] if line})
    for p in principals:
        if squash(shown(p)) not in pop:
            problems.append(f"matrix principal {p!r} is not in the population appendix")
    sign = section_text(pdf, page["Sign-off"], n_pages)
    with open(findings_file, "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    if "findings.jsonSHA-256" + want not in sign:
        problems.append(f"sign-off does not print the SHA-256 of findings.json ({want})")
    lines = "".join(f"{x['sha256']}  {x['path']}\n" for x in doc["evidence"]["files"])
    digest = hashlib.sha256(lines.encode()).hexdigest()
    if "Evidence-setdigest" + digest not in sign:
        problems.append(f"sign-off does not print the evidence-set digest {digest}")
    if doc.get("caller_arn") and doc["caller_arn"] not in sign:
        problems.append("sign-off does not name the caller")
    for word in ("Reviewedby", "Date", "Signature"):
        if word not in sign:
            problems.append(f"sign-off has no {word!r} line")
    scope = section_text(pdf, page["Scope and methodology"], page["Findings"])
    for m in doc["control"].get("mappings", []):
        if squash(m["id"]) not in scope or squash(m["framework"]) not in scope:
            problems.append(f"framework mapping {m['framework']} {m['id']} not in the scope section")
    for word in ("Thequestion", "Population", "Evidencesourcesandcoverage",
                 "HowAWSevaluationlogicisapplied", "Whatstaticevidencecannotdecide", "Versions"):
        if word not in scope:
            problems.append(f"scope section has no {word!r}")
    # passing findings: no bookmark each, one compact table
    n_pass = sum(1 for f in doc["findings"] if f["status"] == "pass")
    marks = [t for t, _ in titles if re.match(r"#\d+ ", t)]
    if any(re.match(r"#\d+ PASS ", t) for t in marks):
        problems.append("passing findings still have one bookmark each")
    grp = [p for t, p in titles if re.match(r"^\d+\.\d+  Passing findings", t)]
    if n_pass and grp:
        span = page.get("Who can write: pictures", page["Repository access"]) - grp[0] + 1
        if span > n_pass // 12 + 2:  # about a dozen rows a page, against one page each before
            problems.append(f"{n_pass} passing findings take {span} pages: not a compact table")
    per = {}
    for t in marks:
        key = re.sub(r"^#\d+ ", "", t)
        if key in per:
            problems.append(f"two finding bookmarks read the same: {key!r}")
        per[key] = True
    if problems:
        sys.exit(f"{pdf}: {len(problems)} problems:\n  " + "\n  ".join(problems[:20]))
    print(f"{pdf}: pack ok ({len(principals)} principals in the appendix, sign-off hashes match, "
          f"{len(doc['control'].get('mappings', []))} mappings, {n_pass} passing findings compact)")


def cmd_expect(findings_path, out_path):
    with open(findings_path, encoding="utf-8") as f:
        doc = json.load(f)
    exp = {
        "principals": [x["principal"]["arn"] for x in doc.get("findings", [])],
        "finding_ids": [x["id"] for x in doc.get("findings", [])],
        "ledger_ids": [x["id"] for x in doc.get("exceptions", [])],
        "account": doc.get("account"),
        "strings": [doc["evidence"]["files"][i]["sha256"] for i in
                    range(len(doc.get("evidence", {}).get("files", [])))],
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(exp, f)
    print(f"{out_path}: {len(exp['principals'])} findings, {len(exp['ledger_ids'])} ledger entries")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "text" and len(sys.argv) == 4:
        cmd_text(sys.argv[2], sys.argv[3])
    elif cmd == "bbox" and len(sys.argv) == 3:
        cmd_bbox(sys.argv[2])
    elif cmd == "info" and len(sys.argv) == 4:
        cmd_info(sys.argv[2], sys.argv[3])
    elif cmd == "outline" and len(sys.argv) == 4:
        cmd_outline(sys.argv[2], sys.argv[3])
    elif cmd == "pack" and len(sys.argv) == 6:
        cmd_pack(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif cmd == "expect" and len(sys.argv) == 4:
        cmd_expect(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
