#!/usr/bin/env python3
"""The "findings must be true" rule (docs/findings.md), checked from outside.

    check_truth.py MATRIX.tsv FINDINGS.json BUNDLE_DIR

Expands every finding of findings.json (v2) into claims — each repository
of its repository set with each of its actions and its decision — and
compares them with the access matrix both ways:
  * every claim is a matrix row of that principal with exactly that decision;
  * every matrix row is claimed by exactly one finding;
  * a finding that says "every repository, present and future" names every
    repository of the bundle, and the registry ("*") is never "every
    repository";
  * one finding has one principal, one level, one decision: its actions all
    belong to its access level in the catalog.
Findings without actions (evidence-gap findings) claim nothing.
Prints one line per violation (at most 20) and exits 1 when there is any.
"""
import json
import os
import sys


def load_catalog(path):
    with open(path, encoding="utf-8") as f:
        cat = json.load(f)
    actions = cat["actions"] if isinstance(cat, dict) else cat
    level = {}
    for a in actions:
        name = a.get("name") or a.get("action")
        if not name.startswith("ecr:"):
            name = "ecr:" + name
        level[name] = a.get("access_level") or a.get("level")
    return level


def bundle_repositories(bundle):
    arns = set()
    ecr = os.path.join(bundle, "ecr")
    if not os.path.isdir(ecr):
        return arns
    for region in os.listdir(ecr):
        p = os.path.join(ecr, region, "repositories.json")
        if os.path.exists(p):
            with open(p, encoding="utf-8") as f:
                for r in json.load(f).get("repositories", []):
                    arns.add(r["repositoryArn"])
    return arns


def main():
    matrix_path, findings_path, bundle = sys.argv[1:4]
    catalog = sys.argv[4] if len(sys.argv) > 4 else None
    rows = {}
    with open(matrix_path, encoding="utf-8") as f:
        header = f.readline()
        assert header == "principal\trepository\taction\tdecision\n", header
        for line in f:
            p, r, a, d = line.rstrip("\n").split("\t")
            rows[(p, r, a)] = d
    with open(findings_path, encoding="utf-8") as f:
        doc = json.load(f)
    assert doc["schema"] == "ecraudit.findings/v2", doc["schema"]
    sets = doc["repository_sets"]
    levels = load_catalog(catalog) if catalog else None
    every = bundle_repositories(bundle)
    errors = []
    claimed = {}
    for f in doc["findings"]:
        if not f["actions"]:
            continue
        fid, p, d = f["id"], f["principal"]["arn"], f["decision"]
        rs = sets[f["repository_set"]]
        repos = rs["repositories"]
        if f["repository_count"] != len(repos):
            errors.append(f"{fid}: repository_count {f['repository_count']} but {len(repos)} listed")
        if f["all_repositories"]:
            if set(repos) != every:
                errors.append(f"{fid}: says every repository but lists {len(repos)} of {len(every)}")
        if repos == ["*"] and f["all_repositories"]:
            errors.append(f"{fid}: the registry is not every repository")
        if levels:
            for a in f["actions"]:
                if levels.get(a) != f["access_level"]:
                    errors.append(f"{fid}: {a} is {levels.get(a)}, the finding says {f['access_level']}")
        for r in repos:
            for a in f["actions"]:
                key = (p, r, a)
                have = rows.get(key)
                if have != d:
                    errors.append(f"{fid}: claims {p} {r} {a} {d}; the matrix says {have or 'deny'}")
                if key in claimed:
                    errors.append(f"{fid}: {p} {r} {a} is claimed by {claimed[key]} too")
                claimed[key] = fid
    for key, d in sorted(rows.items()):
        if key not in claimed:
            errors.append(f"matrix row {key[0]} {key[1]} {key[2]} {d} is in no finding")
    for e in errors[:20]:
        print("truth: " + e)
    if len(errors) > 20:
        print(f"truth: ... and {len(errors) - 20} more")
    n_claims = len(claimed)
    print(f"truth: {len(doc['findings'])} findings, {n_claims} claims, {len(rows)} matrix rows, "
          f"{len(errors)} violations")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
