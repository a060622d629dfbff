#!/usr/bin/env python3
"""Generate the hostile-input cases for test_hostile.sh (nothing committed).

usage: gen_hostile.py SAMPLE_BUNDLE OUT_DIR
Each case is OUT_DIR/<name>/ with
  bundle/        a complete evidence bundle (samples/acme with one change)
  ledger.json    the --exceptions file (the sample ledger unless the case changes it)
  expect         "error FILE"  : exit 2, one stderr line naming FILE, nothing written
                 "report"      : exit 0/1 and valid, escaped reports
                 "either FILE" : one of the two (wrong types the loader may ignore)
  payload        (report cases) strings that must come through unchanged in findings.json
Standard library only.
"""
import copy
import json
import os
import shutil
import sys

IAM = "iam/account-authorization-details.json"
REPOS = "ecr/us-east-1/repositories.json"
POLS = "ecr/us-east-1/repository-policies.json"
REG = "ecr/us-east-1/registry-policy.json"
SCPS = "organizations/scps.json"
STS = "sts/caller-identity.json"
JSON_FILES = [IAM, STS, SCPS, REPOS, POLS, REG, "ecr/eu-west-1/repositories.json",
              "ecr/eu-west-1/repository-policies.json"]

# HTML, XML, PDF and bidi specials in one string (no control characters).
PAYLOAD = ('<script>alert(1)</script><img src=x onerror=alert(1)><b>INJ</b>'
           ']]><!-- & &amp; "q" \'a\' (p) \\) \\( \\\\ %PDF-1.7 %%EOF '
           '\u2028\u2029 \u202eRTL\u202c \u200f \U0001F600 \ufeff')
# Same with every C0 control (escaped in JSON), DEL and C1.
CONTROL = PAYLOAD + "".join(chr(c) for c in range(1, 32)) + "\x7f\x85\x9b"

cases = 0


def load(bundle, rel):
    with open(os.path.join(bundle, rel), encoding="utf-8") as f:
        return json.load(f)


def new_case(out, name, sample, ledger, expect, payload=None):
    global cases
    cases += 1
    d = os.path.join(out, name)
    shutil.copytree(sample, os.path.join(d, "bundle"),
                    ignore=shutil.ignore_patterns("manifest.json", "README.md", "ledger.json"))
    shutil.copy(ledger, os.path.join(d, "ledger.json"))
    with open(os.path.join(d, "expect"), "w") as f:
        f.write(expect + "\n")
    if payload is not None:
        with open(os.path.join(d, "payload"), "w", encoding="utf-8") as f:
            json.dump(payload, f)
    return d


def write_bytes(d, rel, data):
    path = os.path.join(d, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def write_json(d, rel, v):
    write_bytes(d, rel, json.dumps(v, indent=1).encode("utf-8"))


def schema_paths(v, path=(), seen=None, out=None):
    """First occurrence of every distinct key path (array indices folded)."""
    if seen is None:
        seen, out = set(), []
    key = tuple("[]" if isinstance(p, int) else p for p in path)
    if key not in seen:
        seen.add(key)
        out.append(path)
    if isinstance(v, dict):
        for k, x in v.items():
            schema_paths(x, path + (k,), seen, out)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            schema_paths(x, path + (i,), seen, out)
    return out


def get(v, path):
    for p in path:
        v = v[p]
    return v


def put(v, path, value):
    if not path:
        return value
    get(v, path[:-1])[path[-1]] = value
    return v


def wrong(value):
    if isinstance(value, bool):
        return "true"
    if isinstance(value, str):
        return 7
    if isinstance(value, (int, float)):
        return "7"
    if isinstance(value, list):
        return {"not": "an array"}
    if isinstance(value, dict):
        return ["not", "an", "object"]
    return {}


def main():
    sample, out = sys.argv[1], sys.argv[2]
    ledger = os.path.join(sample, "ledger.json")
    os.makedirs(out, exist_ok=True)

    # -- truncated, invalid, empty, NUL, invalid UTF-8, deep nesting: every file
    for rel in JSON_FILES:
        tag = rel.replace("/", "_").replace(".json", "")
        with open(os.path.join(sample, rel), "rb") as f:
            raw = f.read()
        d = new_case(out, "truncated_" + tag, sample, ledger, "error " + rel)
        write_bytes(d, "bundle/" + rel, raw[: len(raw) // 2])
        d = new_case(out, "empty_" + tag, sample, ledger, "error " + rel)
        write_bytes(d, "bundle/" + rel, b"")
        d = new_case(out, "invalid_" + tag, sample, ledger, "error " + rel)
        write_bytes(d, "bundle/" + rel, raw.replace(b":", b";", 1))
        d = new_case(out, "nul_" + tag, sample, ledger, "error " + rel)
        write_bytes(d, "bundle/" + rel, raw[:40] + b"\x00" + raw[40:])
        d = new_case(out, "utf8_" + tag, sample, ledger, "error " + rel)
        q = raw.index(b'"', 10)
        write_bytes(d, "bundle/" + rel, raw[: q + 1] + b"\xc3\x28\xed\xa0\x80\xff" + raw[q + 1:])
        d = new_case(out, "deep_" + tag, sample, ledger, "error " + rel)
        write_bytes(d, "bundle/" + rel, b"[" * 10000 + b"]" * 10000)
        # raw control bytes: between tokens and inside a string value (the AWS CLI
        # never prints them; cJSON takes bytes <= 0x20 as white space and keeps
        # them in strings, so a report is acceptable if it escapes them)
        d = new_case(out, "rawctl_" + tag, sample, ledger, "either " + rel)
        v = raw.index(b'": "') + 4
        write_bytes(d, "bundle/" + rel, b"\x01\x1b" + raw[:v] + b"\x01\x1b\x7f" + raw[v:])

    # deep nesting inside a valid document: a policy document and a tag value
    iam = load(sample, IAM)
    deep = {"a": None}
    cur = deep
    for _ in range(10000):
        cur["a"] = {"a": None}
        cur = cur["a"]
    d = new_case(out, "deep_policy_text", sample, ledger, "error " + POLS)
    pols = load(sample, POLS)
    pols[0]["policyText"] = "[" * 10000 + "]" * 10000
    write_json(d, "bundle/" + POLS, pols)
    d = new_case(out, "deep_inside_iam", sample, ledger, "error " + IAM)
    v = copy.deepcopy(iam)
    v["UserDetailList"][0]["Tags"] = [{"Key": "k", "Value": "v"}]
    text = json.dumps(v).replace('"Value": "v"', '"Value": ' + "[" * 10000 + "]" * 10000, 1)
    write_bytes(d, "bundle/" + IAM, text.encode())

    # -- wrong types at every level of every file
    for rel in JSON_FILES:
        doc = load(sample, rel)
        tag = rel.replace("/", "_").replace(".json", "")
        for i, path in enumerate(schema_paths(doc)):
            v = put(copy.deepcopy(doc), path, wrong(get(doc, path)))
            d = new_case(out, "type_%s_%03d" % (tag, i), sample, ledger,
                         ("error " if not path else "either ") + rel)
            write_json(d, "bundle/" + rel, v)
            with open(os.path.join(d, "where"), "w") as f:
                f.write("/".join(str(p) for p in path) + "\n")
    led = load(sample, "ledger.json")
    for i, path in enumerate(schema_paths(led)):
        d = new_case(out, "type_ledger_%03d" % i, sample, ledger,
                     ("error " if not path else "either ") + "ledger.json")
        write_json(d, "ledger.json", put(copy.deepcopy(led), path, wrong(get(led, path))))
    for name, data in [("truncated", json.dumps(led).encode()[:100]), ("deep", b"[" * 10000),
                       ("nul", b'[{"id": "a\x00"}]'), ("utf8", b'[{"id": "\xff"}]'),
                       ("empty", b"")]:
        d = new_case(out, "ledger_" + name, sample, ledger, "error ledger.json")
        write_bytes(d, "ledger.json", data)

    # -- hostile strings in every user-controlled string that reaches a report
    for label, s in [("special", PAYLOAD), ("control", CONTROL)]:
        expect = "report" if label == "special" else "either " + IAM
        acct = "111122223333"
        v = copy.deepcopy(iam)
        user = v["UserDetailList"][0]
        user["UserName"] = "u" + s
        user["Arn"] = "arn:aws:iam::%s:user/u%s" % (acct, s)
        user["Tags"] = [{"Key": "k" + s, "Value": "v" + s}]
        user["UserPolicyList"] = [{"PolicyName": "p" + s, "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Sid": "S" + s, "Effect": "Allow",
                                                     "Action": "ecr:*", "Resource": "*"}]}}]
        role = v["RoleDetailList"][0]
        role["RoleName"] = "r" + s
        role["Arn"] = "arn:aws:iam::%s:role/r%s" % (acct, s)
        role["Description"] = "d" + s
        role["Tags"] = [{"Key": "k" + s, "Value": "v" + s}]
        role["AssumeRolePolicyDocument"] = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/t" + s},
            "Action": "sts:AssumeRole"}]}
        role["RolePolicyList"] = [{"PolicyName": "rp" + s, "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Sid": "R" + s, "Effect": "Allow",
                                                     "Action": "ecr:PutImage",
                                                     "Resource": "*"}]}}]
        repos = load(sample, REPOS)
        rname = "team-x/n" + "".join(c for c in s if c not in "\\")
        repos["repositories"][0]["repositoryName"] = rname
        repos["repositories"][0]["repositoryArn"] = \
            "arn:aws:ecr:us-east-1:%s:repository/%s" % (acct, rname)
        pols = [{"registryId": acct, "repositoryName": rname, "policyText": json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Sid": "P" + s, "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:role/x" + s},
                "Action": ["ecr:PutImage", "ecr:SetRepositoryPolicy"]}]})}]
        lg = copy.deepcopy(led)
        for e in lg:
            e["justification"] = "j" + s
            e["approved_by"] = "a" + s
            e["ticket"] = "t" + s
        lg.append({"id": "i" + s, "principal": "arn:aws:iam::%s:role/r%s" % (acct, s),
                   "repositories": ["*"], "actions": ["Write"], "justification": "j" + s,
                   "approved_by": "a" + s, "ticket": "t" + s, "expires": "2099-12-31"})
        manifest = {"tool": "ecraudit", "account": acct, "collected_at": "2025-11-20T09:14:03Z",
                    "gaps": [{"source": "ecr:GetRepositoryPolicy",
                              "resource": "arn:aws:ecr:eu-west-1:%s:repository/g%s" % (acct, s),
                              "error": "AccessDenied: e" + s}]}
        scps = load(sample, SCPS)
        for level in scps:
            for p in level.get("policies", []):
                p["Name"] = "n" + s
        d = new_case(out, "strings_" + label, sample, ledger, expect,
                     payload=["arn:aws:iam::%s:role/r%s" % (acct, s),
                              "arn:aws:iam::444455556666:role/x" + s])
        write_json(d, "bundle/" + IAM, v)
        write_json(d, "bundle/" + REPOS, repos)
        write_json(d, "bundle/" + POLS, pols)
        write_json(d, "bundle/" + SCPS, scps)
        write_json(d, "bundle/manifest.json", manifest)
        write_json(d, "ledger.json", lg)

    # -- huge strings (10 MB) and arrays (1e6 items)
    big = "A<&>" * (10 * 1024 * 1024 // 4)
    v = copy.deepcopy(iam)
    v["RoleDetailList"][0]["Description"] = big
    v["RoleDetailList"][0]["Tags"] = [{"Key": "big", "Value": big}]
    d = new_case(out, "huge_string_description", sample, ledger, "either " + IAM)
    write_json(d, "bundle/" + IAM, v)
    v = copy.deepcopy(iam)
    v["RoleDetailList"][0]["RolePolicyList"] = [{"PolicyName": "big", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Sid": "S" + "x" * (10 * 1024 * 1024),
                                                 "Effect": "Allow", "Action": "ecr:PutImage",
                                                 "Resource": "*"}]}}]
    d = new_case(out, "huge_string_sid", sample, ledger, "either " + IAM)
    write_json(d, "bundle/" + IAM, v)
    lg = copy.deepcopy(led)
    lg[0]["justification"] = big
    d = new_case(out, "huge_string_ledger", sample, ledger, "either ledger.json")
    write_json(d, "ledger.json", lg)
    v = copy.deepcopy(iam)
    v["UserDetailList"][0]["Tags"] = [{"Key": "k%d" % i, "Value": "v"} for i in range(1000000)]
    d = new_case(out, "huge_array_tags", sample, ledger, "either " + IAM)
    write_bytes(d, "bundle/" + IAM, json.dumps(v, separators=(",", ":")).encode())
    v = copy.deepcopy(iam)
    v["UserDetailList"][0]["GroupList"] = ["g"] * 1000001
    d = new_case(out, "huge_array_over_limit", sample, ledger, "either " + IAM)
    write_bytes(d, "bundle/" + IAM, json.dumps(v, separators=(",", ":")).encode())
    d = new_case(out, "huge_array_statements", sample, ledger, "either " + IAM)
    v = copy.deepcopy(iam)
    v["UserDetailList"][0]["UserPolicyList"] = [{"PolicyName": "many", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
                                                 "Resource": "*"}] * 10001}}]
    write_bytes(d, "bundle/" + IAM, json.dumps(v, separators=(",", ":")).encode())
    issue17(sample, out, ledger, iam, led)
    print("%d cases" % cases)


def issue17(sample, out, ledger, iam, led):
    """Issue 17: duplicate keys, U+0000, duplicate ARNs, manifest paths (all
    input errors naming the file) and bidi controls in names (a report that
    shows them escaped)."""
    acct = "111122223333"
    dumps = lambda v: json.dumps(v, indent=1)

    def raw_case(name, rel, text, expect_rel=None):
        d = new_case(out, "i17_" + name, sample, ledger, "error " + (expect_rel or rel))
        write_bytes(d, ("" if rel == "ledger.json" else "bundle/") + rel, text.encode("utf-8"))
        return d

    # a second UserDetailList: cJSON keeps the first, jq/Python the last
    t = dumps(iam)
    raw_case("dup_user_detail_list", IAM, t[: t.rindex("}")] + ', "UserDetailList": []}')
    # the same with an escaped spelling of the key
    raw_case("dup_user_detail_list_escaped", IAM,
             t[: t.rindex("}")] + ', "\\u0055serDetailList": []}')
    # duplicate Statement / Principal in an inline identity policy (an object)
    v = copy.deepcopy(iam)
    v["UserDetailList"][0]["UserPolicyList"] = [{"PolicyName": "dup", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*",
                                                 "Resource": "*"}]}}]
    t = dumps(v).replace('"Statement": [', '"Statement": [], "Statement": [', 1)
    raw_case("dup_statement_identity", IAM, t)
    # ...and inside an embedded repository policy document (a string)
    pols = load(sample, POLS)
    public = ('{"Version": "2012-10-17", "Statement": [{"Sid": "Pub", "Effect": "Allow", '
              '"Principal": "*", "Action": "ecr:*"}], "Statement": []}')
    p2 = copy.deepcopy(pols)
    p2[0]["policyText"] = public
    raw_case("dup_statement_policy_text", POLS, dumps(p2))
    p2 = copy.deepcopy(pols)
    p2[0]["policyText"] = ('{"Version": "2012-10-17", "Statement": [{"Sid": "Pub", '
                           '"Effect": "Allow", "Principal": "*", "Principal": {"AWS": '
                           '"arn:aws:iam::111122223333:root"}, "Action": "ecr:*"}]}')
    raw_case("dup_principal_policy_text", POLS, dumps(p2))
    # URL-encoded embedded document (as IAM returns it) with a duplicate key
    from urllib.parse import quote
    p2 = copy.deepcopy(pols)
    p2[0]["policyText"] = quote(public, safe="")
    raw_case("dup_statement_policy_urlencoded", POLS, dumps(p2))
    # U+0000 truncates identifiers: user/alice\u0000mallory
    v = copy.deepcopy(iam)
    v["UserDetailList"][0]["Arn"] = "arn:aws:iam::%s:user/alice\u0000mallory" % acct
    raw_case("nul_escape_arn", IAM, dumps(v))
    p2 = copy.deepcopy(pols)
    p2[0]["policyText"] = public.replace(', "Statement": []', "").replace('"Pub"', '"P\\u0000b"')
    raw_case("nul_escape_policy_text", POLS, dumps(p2))
    p2 = copy.deepcopy(pols)
    p2[0]["policyText"] = quote(public.replace(', "Statement": []', ""), safe="").replace(
        "Pub", "P%00b")
    raw_case("nul_percent_policy_text", POLS, dumps(p2))
    # duplicate principal ARNs: two users, and a user and a role
    v = copy.deepcopy(iam)
    twin = copy.deepcopy(v["UserDetailList"][0])
    twin["UserName"] = twin["UserName"] + "-twin"
    v["UserDetailList"].append(twin)
    raw_case("dup_arn_users", IAM, dumps(v))
    v = copy.deepcopy(iam)
    v["RoleDetailList"][0]["Arn"] = v["UserDetailList"][0]["Arn"]
    raw_case("dup_arn_user_role", IAM, dumps(v))
    # ledger: duplicate key (top level and in an entry) and U+0000
    t = dumps(led)
    raw_case("ledger_dup_key", "ledger.json", t.replace('"id":', '"id": "X", "id":', 1))
    raw_case("ledger_dup_exceptions", "ledger.json",
             '{"exceptions": %s, "exceptions": []}' % t)
    raw_case("ledger_nul_escape", "ledger.json", t.replace('"id": "', '"id": "\\u0000', 1))
    # manifest paths that leave the bundle are input errors, not skipped
    man = load(sample, "manifest.json")
    for tag, path in [("dotdot", "../outside.json"), ("absolute", "/etc/hostname"),
                      ("dotdot_inner", "iam/../../outside.json")]:
        m = copy.deepcopy(man)
        m["files"].append({"path": path, "sha256": "0" * 64, "size": 1})
        d = new_case(out, "i17_manifest_" + tag, sample, ledger, "error manifest.json")
        # new_case drops the sample manifest: this one lists the real files
        write_json(d, "bundle/manifest.json", m)
    # duplicate key in the manifest and in a region file
    t = dumps(man)
    raw_case("dup_manifest_files", "manifest.json", t[: t.rindex("}")] + ', "files": []}')
    t = dumps(load(sample, REPOS))
    raw_case("dup_repositories", REPOS, t[: t.rindex("}")] + ', "repositories": []}')
    # bidi controls in a repository name and a principal: shown escaped in
    # HTML, JUnit and PDF, kept as written in findings.json
    bidi = "\u202egnp.exe\u202c\u2066x\u2069\u200f\u061c"
    v = copy.deepcopy(iam)
    v["UserDetailList"][0]["Arn"] = "arn:aws:iam::%s:user/bidi%s" % (acct, bidi)
    v["UserDetailList"][0]["UserPolicyList"] = [{"PolicyName": "p" + bidi, "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:PutImage",
                                                 "Resource": "*"}]}}]
    repos = load(sample, REPOS)
    rname = "team-x/bidi" + bidi
    repos["repositories"][0]["repositoryName"] = rname
    repos["repositories"][0]["repositoryArn"] = \
        "arn:aws:ecr:us-east-1:%s:repository/%s" % (acct, rname)
    d = new_case(out, "strings_bidi", sample, ledger, "report",
                 payload=["arn:aws:iam::%s:user/bidi%s" % (acct, bidi)])
    write_json(d, "bundle/" + IAM, v)
    write_json(d, "bundle/" + REPOS, repos)


if __name__ == "__main__":
    main()
