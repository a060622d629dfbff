#!/usr/bin/env python3
"""Checks an organisation report.html or report.pdf against its findings.json
(the same report): usage: check_pages.py html|pdf PAGE FINDINGS.json

HTML: no script and no external reference; the accounts table names every
account with its counts by status; one section per account listing its
open findings (fail, unknown, excepted), worst first (status, then
severity), 25 at most, each with its status, severity, principal, access
level and impact; the "more open findings" line exactly when there are more.
PDF: qpdf finds no error; one bookmark per account; each account's section
holds 25 (or all) of its open findings with their principals."""
import html.parser
import json
import re
import subprocess
import sys

class P(html.parser.HTMLParser):
    """rows of the accounts table; per account section (id account-N): the
    finding ids of its findings table and its text"""
    def __init__(self):
        super().__init__(); self.rows = []; self.cell = None; self.tags = set(); self.attrs = []
        self.table = None; self.section = None; self.listed = {}; self.text = {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag); self.attrs += [v or "" for _, v in attrs]
        if tag == "table": self.table = a.get("class")
        if tag == "section":
            self.section = a["id"].removeprefix("account-"); self.listed[self.section] = []
            self.text[self.section] = ""
        if tag == "tr" and self.table == "accounts": self.rows.append([])
        if tag == "tr" and self.table == "findings": self.listed[self.section].append([])
        if tag in ("td", "th"): self.cell = []
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            if self.table == "accounts" and self.rows:
                self.rows[-1].append("".join(self.cell).strip())
            if self.table == "findings" and self.listed[self.section]:
                self.listed[self.section][-1].append("".join(self.cell).strip())
            self.cell = None
        if tag == "table": self.table = None
    def handle_data(self, data):
        if self.cell is not None: self.cell.append(data)
        if self.section: self.text[self.section] += data

def check_html(path, d):
    doc = open(path, encoding="utf-8").read()
    p = P(); p.feed(doc)
    assert "script" not in p.tags and not any("http" in a for a in p.attrs), "script or external reference"
    rows = {r[0]: r for r in p.rows[1:]}
    assert sorted(rows) == sorted(d["accounts"]), (sorted(rows), d["accounts"])
    assert sorted(p.listed) == sorted(d["accounts"]), "one section per account"
    rank = {"fail": 0, "unknown": 1, "excepted": 2}
    sev = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    for acct in d["accounts"]:
        fs = [f for f in d["findings"] if f["account"] == acct]
        want = [str(sum(1 for f in fs if f["status"] == s)) for s in ("fail", "unknown", "excepted", "pass")]
        assert rows[acct][2:6] == want, (acct, rows[acct], want)
        # the section lists the account's open findings, worst first, 25 at most
        open_ = [f for f in fs if f["status"] in rank]
        listed = p.listed[acct][1:]
        assert len(listed) == min(25, len(open_)), (acct, len(listed), len(open_))
        byid = {f["id"]: f for f in open_}
        keys = [(rank[byid[r[0]]["status"]], sev[byid[r[0]]["severity"]]) for r in listed]
        assert keys == sorted(keys), (acct, keys)
        worst = sorted((rank[f["status"]], sev[f["severity"]]) for f in open_)[:len(listed)]
        assert keys == worst, (acct, keys, worst)
        for r in listed:
            f = byid[r[0]]
            assert r[1] == f["status"] and r[2] == f["severity"] and r[3] == f["principal"]["arn"], r
            assert r[4].startswith(f["access_level"]) and (f.get("impact") or "—") == r[6], r
        assert (len(open_) > 25) == ("more open findings of account " + acct in p.text[acct]), acct


def check_pdf(path, d):
    pdf = path
    subprocess.run(["qpdf", "--check", pdf], check=True, capture_output=True)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", pdf, "-"], check=True, capture_output=True, text=True).stdout
    # pdftotext joins a word broken after "-" at a line end without its "-":
    # compare without white space and hyphens
    flat = re.sub(r"[\s-]+", "", text)
    marks = subprocess.run(["qpdf", "--json", "--json-key=outlines", pdf], check=True, capture_output=True, text=True).stdout
    titles = [o["title"] for o in json.loads(marks)["outlines"]]
    assert ["Account " + a for a in sorted(d["accounts"])] == sorted(t for t in titles if t.startswith("Account ")), titles
    rank = {"fail": 0, "unknown": 1, "excepted": 2}
    # the sections, in document order: each account's text runs from its heading to the next one
    order = sorted(d["accounts"], key=lambda a: flat.index("Account" + a, flat.index("Worstfindings")))
    for acct in d["accounts"]:
        fs = [f for f in d["findings"] if f["account"] == acct and f["status"] in rank]
        i = order.index(acct)
        start = flat.index("Account" + acct, flat.index("Worstfindings"))
        end = flat.index("Account" + order[i + 1], start + 1) if i + 1 < len(order) else len(flat)
        section = flat[start:end]
        listed = [f["id"] for f in fs if f["id"].replace("-", "") in section]
        assert len(listed) == min(25, len(fs)), (acct, len(listed), len(fs))
        for f in fs:
            if f["id"].replace("-", "") in section:
                assert re.sub(r"[\s-]+", "", f["principal"]["arn"]) in section, f["id"]


if __name__ == "__main__":
    kind, page, findings = sys.argv[1:4]
    {"html": check_html, "pdf": check_pdf}[kind](page, json.load(open(findings)))
