#!/usr/bin/env python3
"""Seed corpora for the libFuzzer harnesses, generated from samples/ and
tests/golden/ (nothing is committed: run this before fuzzing).

usage: fuzz/make-corpus.py SOURCE_DIR OUT_DIR
writes OUT_DIR/<harness>/seed-NNN for every harness in fuzz/.
Plain Python 3 standard library only.
"""
import glob
import hashlib
import json
import os
import sys
import urllib.parse
from xml.sax.saxutils import escape

SEP = "\n=====\n"
DOC_KEYS = {"PolicyDocument", "AssumeRolePolicyDocument", "Document"}
IAM = "iam/account-authorization-details.json"


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def bundles(src):
    out = [os.path.join(src, "samples", "acme")]
    out += sorted(glob.glob(os.path.join(src, "tests", "golden", "*", "bundle")))
    out += sorted(glob.glob(os.path.join(src, "tests", "fake_aws", "bundle")))
    return [b for b in out if os.path.isfile(os.path.join(b, IAM))]


def policy_docs(bundle):
    """Every policy document of a bundle, as text."""
    docs = []

    def walk(v, key=None):
        if isinstance(v, dict):
            for k, x in v.items():
                if k in DOC_KEYS:
                    docs.append(x if isinstance(x, str) else json.dumps(x, indent=2))
                else:
                    walk(x, k)
        elif isinstance(v, list):
            for x in v:
                walk(x, key)

    walk(json.loads(read(os.path.join(bundle, IAM))))
    for f in glob.glob(os.path.join(bundle, "ecr", "*", "*.json")):
        v = json.loads(read(f))
        for item in v if isinstance(v, list) else [v]:
            if isinstance(item, dict) and isinstance(item.get("policyText"), str):
                docs.append(item["policyText"])
    scps = os.path.join(bundle, "organizations", "scps.json")
    if os.path.isfile(scps):
        for level in json.loads(read(scps)):
            for p in level.get("policies", []):
                docs.append(p.get("Content", ""))
    return docs


def to_xml(name, value):
    """AWS CLI JSON -> IAM Query-protocol XML (as tests/fake_aws serves it)."""
    if isinstance(value, list):
        return "<%s>%s</%s>" % (name, "".join(to_xml("member", v) for v in value), name)
    if isinstance(value, dict):
        if name in DOC_KEYS:
            text = urllib.parse.quote(json.dumps(value), safe="-_.~*'()!")
            return "<%s>%s</%s>" % (name, escape(text), name)
        return "<%s>%s</%s>" % (name, "".join(to_xml(k, v) for k, v in value.items()), name)
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = ""
    else:
        text = str(value)
    return "<%s>%s</%s>" % (name, escape(text), name)


def iam_xml(bundle, truncated):
    iam = json.loads(read(os.path.join(bundle, IAM)))
    inner = "".join(to_xml(k, iam.get(k, []))
                    for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"))
    inner += "<IsTruncated>%s</IsTruncated>" % ("true" if truncated else "false")
    if truncated:
        inner += "<Marker>MTA=</Marker>"
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
            "<GetAccountAuthorizationDetailsResult>%s</GetAccountAuthorizationDetailsResult>"
            "<ResponseMetadata><RequestId>seed</RequestId></ResponseMetadata>"
            "</GetAccountAuthorizationDetailsResponse>" % inner)


def condition_blocks(docs):
    """The Condition blocks of policy documents, one seed each."""
    out = []
    for d in docs:
        try:
            doc = json.loads(d if d.lstrip().startswith("{") else urllib.parse.unquote(d))
        except ValueError:
            continue
        stmts = doc.get("Statement", []) if isinstance(doc, dict) else []
        for st in stmts if isinstance(stmts, list) else [stmts]:
            if isinstance(st, dict) and "Condition" in st:
                out.append(json.dumps(st["Condition"]).encode())
    return out


def main():
    src, out = sys.argv[1], sys.argv[2]
    seeds = {h: [] for h in ("policy", "evidence", "ledger", "iam_xml", "sigv4", "render",
                             "json_check", "condition", "merge")}
    for b in bundles(src):
        seeds["policy"] += [d.encode() for d in policy_docs(b)]
        seeds["condition"] += condition_blocks(policy_docs(b))
        regions = sorted(glob.glob(os.path.join(b, "ecr", "*")))
        parts = [read(os.path.join(b, IAM))]
        pol = os.path.join(regions[0], "repository-policies.json") if regions else ""
        parts.append(read(pol) if pol and os.path.isfile(pol) else "[]")
        repos = os.path.join(regions[0], "repositories.json") if regions else ""
        if repos and os.path.isfile(repos):
            parts.append(read(repos))
            scps = os.path.join(b, "organizations", "scps.json")
            if os.path.isfile(scps):
                parts.append(read(scps))
        seeds["evidence"].append(SEP.join(parts).encode())
        seeds["iam_xml"].append(iam_xml(b, False).encode())
        seeds["iam_xml"].append(iam_xml(b, True).encode())
    # condition: one block per operator family and modifier
    seeds["condition"] += [
        b'{"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": ["a", "${aws:username}"]}}',
        b'{"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": ["o-1/*", "${*}x${?}"]}}',
        b'{"ForAnyValue:StringNotEqualsIfExists": {"aws:TagKeys": []}, "Null": {"aws:x": true}}',
        b'{"NumericLessThan": {"aws:PrincipalTag/n": 10}, "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00+02:00"}}',
        b'{"Bool": {"aws:SecureTransport": false}, "BinaryEquals": {"k": "QQ=="}}',
        b'{"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}}',
        b'{"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/${aws:PrincipalTag/r, \'d\'}"}}',
        b'{"Unknown": {"k": "v"}}',
    ]
    seeds["ledger"].append(read(os.path.join(src, "samples", "acme", "ledger.json"), "rb"))
    seeds["ledger"].append(b'{"description": "empty", "exceptions": []}')
    seeds["ledger"].append(b'[{"id": "A", "principal": "*", "repositories": "*", "actions": "Write",'
                           b' "justification": "j", "approved_by": "b", "ticket": null,'
                           b' "expires": "2026-01-15", "x-note": "n"}]')
    for req in sorted(glob.glob(os.path.join(src, "tests", "data", "sigv4-test-suite", "*", "*.req"))):
        raw = read(req, "rb")
        seeds["sigv4"].append(b"\x00" + raw)
        line = raw.split(b"\n", 1)[0].split(b" ")
        target = line[1] if len(line) > 2 else b"/"
        path, _, query = target.partition(b"?")
        seeds["sigv4"].append(b"\x01" + path)
        seeds["sigv4"].append(b"\x02" + query)
        seeds["sigv4"].append(b"\x03" + target)
        seeds["sigv4"].append(b"\x04" + raw.split(b"\n\n", 1)[0].split(b"\n", 1)[-1])
    files = ["iam/account-authorization-details.json", "sts/caller-identity.json",
             "organizations/scps.json", "ecr/us-east-1/repositories.json",
             "ecr/us-east-1/repository-policies.json", "ecr/us-east-1/registry-policy.json",
             "ecr/eu-west-1/repositories.json", "ecr/eu-west-1/repository-policies.json",
             "manifest.json", "ledger.json"]  # the table in fuzz_render.c
    acme = os.path.join(src, "samples", "acme")
    for i, f in enumerate(files):
        seeds["render"].append(bytes([i]) + read(os.path.join(acme, f), "rb"))
    # json_check: every JSON file of the sample, plus duplicate keys and U+0000
    for f in files:
        seeds["json_check"].append(read(os.path.join(acme, f), "rb"))
    seeds["json_check"] += [b'{"a": 1, "a": 2}', b'{"a": {"b": 1}, "b": {"a": 1, "a": 0}}',
                            b'{"\\u0061": 1, "a": 2}', b'["x\\u0000y"]', b'{"k": "\\ud83d\\ude00",'
                            b' "\\ud83d\\ude00": 1, "\\ud83d\\ude00": 2}']
    # merge: per-account findings.json documents of the shape ecraudit writes
    # (the organisation tests' fixtures are bundles; these are written out here)
    doc = {"schema": "ecraudit.findings/v2",
           "control": {"id": "C-0222", "name": "Minimize user access to Amazon ECR"},
           "account": "111122223333", "generated_at": "2026-12-01T00:00:00Z", "as_of": "2026-12-01",
           "summary": {"fail": 1, "excepted": 0, "unknown": 0, "pass": 0},
           "repository_sets": {"rs-1": {"all": False, "repositories": [
               "arn:aws:ecr:us-east-1:111122223333:repository/app"]}},
           "findings": [{"id": "C0222-0123456789abcdef", "status": "fail", "severity": "medium",
                         "principal": {"arn": "arn:aws:iam::111122223333:user/a", "kind": "user"},
                         "repository_set": "rs-1", "repository_count": 1, "all_repositories": False,
                         "access_level": "Write", "actions": ["ecr:PutImage"], "decision": "allow",
                         "undecided_conditions": [], "via": [{"policy": "p", "statement": "0",
                                                              "source": "identity"}],
                         "impact": "i <b>", "remediation": "r", "exception": None,
                         "via_chain": ["arn:aws:iam::111122223333:role/r"]}],
           "coverage": ["c"], "exceptions": [], "evidence": {"files": [{"path": "a", "sha256": "0" * 64}],
                                                             "gaps": []},
           "overall": "fail", "ledger": None}
    import json as _json
    seeds["merge"].append(_json.dumps(doc).encode())
    seeds["merge"].append(_json.dumps(doc, indent=2).encode())
    seeds["merge"].append(b'{"account": "444444444444", "gaps": [{"source": "sts:AssumeRole",'
                          b' "resource": "r", "error": "AccessDenied"}]}')
    for h, items in seeds.items():
        d = os.path.join(out, h)
        os.makedirs(d, exist_ok=True)
        for data in items:
            name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (h, len(items)))


if __name__ == "__main__":
    main()
