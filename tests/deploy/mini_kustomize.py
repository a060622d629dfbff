#!/usr/bin/python3
"""The subset of `kubectl kustomize` that deploy/kubernetes uses, for machines
without kubectl (Debian 12 has no package for it): resources (files and
directories with a kustomization.yaml), patches given inline as JSON 6902 "add"
operations on a target kind/name, and labels pairs (metadata labels only).
Anything else in a kustomization is an error, so the fallback cannot silently
check less than kustomize would render. Usage: mini_kustomize.py DIR > out.yaml"""
import os
import sys

import yaml

KNOWN = {"apiVersion", "kind", "resources", "patches", "labels"}


def build(d):
    k = yaml.safe_load(open(os.path.join(d, "kustomization.yaml")))
    unknown = set(k) - KNOWN
    if unknown:
        sys.exit("mini_kustomize: %s: unsupported keys %s" % (d, sorted(unknown)))
    docs = []
    for r in k.get("resources", []):
        p = os.path.normpath(os.path.join(d, r))
        if os.path.isdir(p):
            docs += build(p)
        else:
            docs += [x for x in yaml.safe_load_all(open(p)) if x]
    for patch in k.get("patches", []):
        t = patch["target"]
        ops = yaml.safe_load(patch["patch"])
        for doc in docs:
            if doc.get("kind") != t.get("kind") or doc["metadata"].get("name") != t.get("name"):
                continue
            for op in ops:
                if op["op"] != "add":
                    sys.exit("mini_kustomize: only add operations: %r" % op)
                parts = op["path"].strip("/").split("/")
                node = doc
                for part in parts[:-1]:
                    node = node.setdefault(part.replace("~1", "/").replace("~0", "~"), {})
                node[parts[-1].replace("~1", "/").replace("~0", "~")] = op["value"]
    for lab in k.get("labels", []):
        if set(lab) - {"pairs"}:
            sys.exit("mini_kustomize: labels with options are not supported: %r" % lab)
        for doc in docs:
            doc["metadata"].setdefault("labels", {}).update(lab["pairs"])
    return docs


if __name__ == "__main__":
    yaml.safe_dump_all(build(sys.argv[1]), sys.stdout, sort_keys=False)
