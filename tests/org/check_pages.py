#!/usr/bin/env python3
"""Checks an organisation report.html or report.pdf against its findings.json
(the same report): usage: check_pages.py html|pdf PAGE FINDINGS.json

HTML: no script and no external reference; the accounts table names every
account with its counts by status; one section per account listing its
open findings (fail, unknown, excepted), worst first (status, then
severity), 25 at most, each with its status, severity, principal, access
level and impact; the "more open findings" line exactly when there are more.
The "outside" table: the open findings whose principal is anyone ("*") or
an account (or a principal of one) that is not among the report's accounts,
per account worst first, 25 at most, and the count of them all.
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
        self.outside = []; self.outside_text = ""; self.in_outside = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag); self.attrs += [v or "" for _, v in attrs]
        if tag == "table": self.table = a.get("class")
        if tag == "section" and a.get("id") == "outside":
            self.in_outside = True
        elif tag == "section":
            self.in_outside = False
            self.section = a["id"].removeprefix("account-"); self.listed[self.section] = []
            self.text[self.section] = ""
        if tag == "tr" and self.table == "accounts": self.rows.append([])
        if tag == "tr" and self.table == "findings": self.listed[self.section].append([])
        if tag == "tr" and self.table == "outside": self.outside.append([])
        if tag in ("td", "th"): self.cell = []
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            if self.table == "accounts" and self.rows:
                self.rows[-1].append("".join(self.cell).strip())
            if self.table == "outside" and self.outside:
                self.outside[-1].append("".join(self.cell).strip())
            if self.table == "findings" and self.listed[self.section]:
                self.listed[self.section][-1].append("".join(self.cell).strip())
            self.cell = None
        if tag == "table": self.table = None
    def handle_data(self, data):
        if self.cell is not None: self.cell.append(data)
        if self.section: self.text[self.section] += data
        elif self.in_outside: self.outside_text += data

RANK = {"fail": 0, "unknown": 1, "excepted": 2}
SEV = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def outside(d):
    """per account, its open findings for principals outside d's accounts"""
    out = {}
    for f in d["findings"]:
        p = f["principal"]
        if f["status"] not in RANK or p["kind"] not in ("public", "account", "external"):
            continue
        parts = p["arn"].split(":")
        if p["kind"] == "public":
            pass
        elif len(parts) > 4 and re.fullmatch(r"\d{12}", parts[4]) and parts[4] != f["account"]:
            if parts[4] in d["accounts"]:
                continue
        else:
            continue
        out.setdefault(f["account"], []).append(f)
    return out


def check_html(path, d):
    doc = open(path, encoding="utf-8").read()
    p = P(); p.feed(doc)
    assert "script" not in p.tags and not any("http" in a for a in p.attrs), "script or external reference"
    rows = {r[0]: r for r in p.rows[1:]}
    assert sorted(rows) == sorted(d["accounts"]), (sorted(rows), d["accounts"])
    assert sorted(p.listed) == sorted(d["accounts"]), "one section per account"
    want_out = outside(d)
    total = sum(len(v) for v in want_out.values())
    assert (("%d open findings in %d of the" % (total, len(want_out))) in p.outside_text) == (total > 0), p.outside_text
    got = {}
    for r in p.outside[1:]:
        if len(r) == 7:
            got.setdefault(r[0], []).append(r[1])
    for acct, fs in want_out.items():
        ranked = sorted(fs, key=lambda f: (RANK[f["status"]], SEV[f["severity"]]))
        keys = [(RANK[f["status"]], SEV[f["severity"]]) for f in ranked[:25]]
        byid = {f["id"]: f for f in fs}
        assert all(i in byid for i in got.get(acct, [])), (acct, got.get(acct))
        assert [(RANK[byid[i]["status"]], SEV[byid[i]["severity"]]) for i in got.get(acct, [])] == keys, acct
    assert set(got) <= set(want_out), (got, want_out)
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
    assert "Access for principals outside these accounts" in titles, titles
    # the outside section (before the first account's) names its findings
    out_start = flat.index("Accessforprincipalsoutsidetheseaccounts")
    out_end = min(flat.index("Account" + a, out_start) for a in d["accounts"])
    for fs in outside(d).values():
        n = sum(1 for f in fs if f["id"].replace("-", "") in flat[out_start:out_end])
        assert n == min(25, len(fs)), (fs[0]["account"], n, len(fs))
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
