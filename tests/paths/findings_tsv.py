#!/usr/bin/env python3
"""The findings of findings.json that carry a chain of roles, one TSV line
each (principal, kind, via_chain joined by " > ", access level, decision,
severity, repositories joined by ",", actions joined by ","), header first,
lines sorted bytewise: the shape of tests/paths/<case>/expected_findings.tsv."""
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    doc = json.load(f)
sets = doc["repository_sets"]
lines = []
for x in doc["findings"]:
    if not x.get("via_chain"):
        continue
    lines.append("\t".join([
        x["principal"]["arn"], x["principal"]["kind"], " > ".join(x["via_chain"]),
        x["access_level"], x["decision"], x["severity"],
        ",".join(sets[x["repository_set"]]["repositories"]), ",".join(x["actions"])]))
print("principal\tkind\tvia_chain\taccess_level\tdecision\tseverity\trepositories\tactions")
for line in sorted(lines, key=lambda s: s.encode()):
    print(line)
