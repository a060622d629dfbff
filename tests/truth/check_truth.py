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

With --paths PATHS.tsv (the output of `ecraudit paths`), findings that carry
a chain of roles (via_chain) are checked against it the same way:
  * every claim is a paths row of that principal and that exact chain with
    exactly that decision (not a matrix row: the principal holds it only by
    becoming the last role);
  * every (principal, repository, action) at Write, Permissions management
    or Tagging that some chain reaches with a better decision than the
    principal's own matrix row holds is claimed by a chain finding of that
    principal with that decision (what a principal reaches only indirectly
    is never missing from the findings). Chains that end in a service-linked
    role are left out (only its AWS service can assume it).
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


RANK = {"conditional": 1, "allow": 2}
RISKY = {"Write", "Permissions management", "Tagging"}


def check_chains(doc, rows, paths_path, levels, errors):
    """The chain findings against the paths TSV (see the module docstring)."""
    sets = doc["repository_sets"]
    chains = [f for f in doc["findings"] if f.get("via_chain") and f["actions"]]
    wanted = {(f["principal"]["arn"], " > ".join(f["via_chain"])) for f in chains}
    exact = {}  # (principal, via, repository, action) -> decision, for the chains findings name
    best = {}  # (principal, repository, action) -> best decision over every chain, risky levels
    with open(paths_path, encoding="utf-8") as f:
        header = f.readline()
        assert header == "principal\tvia\trepository\taction\tdecision\n", header
        for line in f:
            p, via, r, a, d = line.rstrip("\n").split("\t")
            if (p, via) in wanted:
                exact[(p, via, r, a)] = d
            # a chain ending in a service-linked role (IAM path
            # /aws-service-role/, which only its AWS service can assume) is
            # not reported: the role's own finding holds that access
            if ":role/aws-service-role/" in via.rsplit(" > ", 1)[-1]:
                continue
            if levels is None or levels.get(a) in RISKY:
                k = (p, r, a)
                if RANK[d] > RANK.get(best.get(k), 0):
                    best[k] = d
    claimed = {}
    for f in chains:
        fid, p, d = f["id"], f["principal"]["arn"], f["decision"]
        via = " > ".join(f["via_chain"])
        for r in sets[f["repository_set"]]["repositories"]:
            for a in f["actions"]:
                have = exact.get((p, via, r, a))
                if have != d:
                    errors.append(f"{fid}: claims {p} via {via} {r} {a} {d}; paths says {have or 'no row'}")
                k = (p, r, a)
                if RANK[d] > RANK.get(claimed.get(k), 0):
                    claimed[k] = d
    for k, d in sorted(best.items()):
        direct = rows.get(k)
        if RANK.get(direct, 0) >= RANK[d] or RANK.get(claimed.get(k), 0) >= RANK[d]:
            continue
        errors.append(f"{k[0]} reaches {k[1]} {k[2]} {d} through a chain, in no finding "
                      f"(its own access: {direct or 'none'})")
    return len(chains)


def main():
    args = sys.argv[1:]
    paths_path = None
    if "--paths" in args:
        i = args.index("--paths")
        paths_path = args[i + 1]
        del args[i:i + 2]
    matrix_path, findings_path, bundle = args[0:3]
    catalog = args[3] if len(args) > 3 else None
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
        if f.get("via_chain"):
            if levels:
                for a in f["actions"]:
                    if levels.get(a) != f["access_level"]:
                        errors.append(f"{f['id']}: {a} is {levels.get(a)}, the finding says {f['access_level']}")
            continue  # checked against the paths (check_chains)
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
    n_chain = sum(1 for f in doc["findings"] if f.get("via_chain"))
    if paths_path:
        check_chains(doc, rows, paths_path, levels, errors)
    for e in errors[:20]:
        print("truth: " + e)
    if len(errors) > 20:
        print(f"truth: ... and {len(errors) - 20} more")
    n_claims = len(claimed)
    print(f"truth: {len(doc['findings'])} findings ({n_chain} through chains"
          f"{'' if paths_path else ', not checked'}), {n_claims} claims, "
          f"{len(rows)} matrix rows, {len(errors)} violations")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
