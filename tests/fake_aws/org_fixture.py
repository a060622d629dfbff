#!/usr/bin/python3
"""Writes a small organisation for the stand-in (fake_aws.py --org DIR) from
the single-account bundle tests/fake_aws/bundle: every member account is that
bundle with its account id replaced.

  DIR/organization/organization.json, accounts.json, <id>-scps.json, <id>-rcps.json
  DIR/accounts/<id>/          one bundle per ACTIVE account (the management one too)

Accounts: 999988887777 management (under the root), 111122223333 and
444455556666 in ou-ab12-workload1, 555566667777 in ou-ab12-sandbox (the test
makes it refuse AssumeRole), 222233334444 SUSPENDED (never collected).
Usage: org_fixture.py BUNDLE DIR"""
import json
import os
import shutil
import sys

SRC_ACCOUNT = "111122223333"
MANAGEMENT = "999988887777"
ACCOUNTS = [  # id, name, state, OU (None: under the root)
    (MANAGEMENT, "management", "ACTIVE", None),
    ("111122223333", "workload-1", "ACTIVE", "ou-ab12-workload1"),
    ("222233334444", "workload-2", "SUSPENDED", "ou-ab12-workload1"),
    ("444455556666", "workload-3", "ACTIVE", "ou-ab12-workload1"),
    ("555566667777", "sandbox-1", "ACTIVE", "ou-ab12-sandbox"),
]


def dump(path, v):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(v, f, indent=4)
        f.write("\n")


def main(bundle, out):
    src_scps = json.load(open(os.path.join(bundle, "organizations/scps.json")))
    src_rcps = json.load(open(os.path.join(bundle, "organizations/rcps.json")))
    org = json.load(open(os.path.join(bundle, "organizations/organization.json")))
    pol = lambda levels, i: levels[i]["policies"]
    accounts = []
    for acct, name, state, ou in ACCOUNTS:
        accounts.append({
            "Id": acct,
            "Arn": "arn:aws:organizations::%s:account/o-ab12cd34ef/%s" % (MANAGEMENT, acct),
            "Email": "%s@example.com" % name, "Name": name, "Status": state, "State": state,
            "JoinedMethod": "CREATED", "JoinedTimestamp": "2021-03-04T05:06:07+00:00"})
        if state != "ACTIVE":
            continue
        for kind, src in (("scps", src_scps), ("rcps", src_rcps)):
            levels = [{"target": "r-ab12", "policies": pol(src, 0)}]
            if ou:
                levels.append({"target": ou, "policies": pol(src, 1) if ou.endswith("workload1")
                               else pol(src, 2)})
            levels.append({"target": acct, "policies": pol(src, 2)})
            dump(os.path.join(out, "organization", "%s-%s.json" % (acct, kind)), levels)
        # the member's bundle: the source bundle with the account id replaced
        dst = os.path.join(out, "accounts", acct)
        for root, _, files in os.walk(bundle):
            rel = os.path.relpath(root, bundle)
            if rel.split(os.sep)[0] == "organizations":
                continue
            for f in files:
                text = open(os.path.join(root, f), encoding="utf-8").read()
                os.makedirs(os.path.join(dst, rel), exist_ok=True)
                with open(os.path.join(dst, rel, f), "w", encoding="utf-8") as g:
                    g.write(text.replace(SRC_ACCOUNT, acct))
        if acct == MANAGEMENT:  # the caller: an auditor user of the management account
            dump(os.path.join(dst, "sts/caller-identity.json"),
                 {"UserId": "AIDAEXAMPLEAUDITOR01", "Account": MANAGEMENT,
                  "Arn": "arn:aws:iam::%s:user/auditor" % MANAGEMENT})
    dump(os.path.join(out, "organization", "organization.json"), org)
    dump(os.path.join(out, "organization", "accounts.json"), {"Accounts": accounts})


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    if os.path.exists(sys.argv[2]):
        shutil.rmtree(sys.argv[2])
    main(sys.argv[1], sys.argv[2])
