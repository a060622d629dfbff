#!/usr/bin/python3
"""Check a findings.json (schema "ecraudit.findings/v2", docs/findings.md)
against the JSON Schema docs/findings.schema.json and against the rules that
schema cannot state: repository_set names a key of repository_sets, counts
and flags agree with that set, summary and overall agree with the findings,
ids are unique, every set is used, baseline lists agree with the per-finding
"change", key order and the file's layout, evidence and ledger SHA-256.

The hand-written checks below use the standard library only and always run;
the JSON Schema is applied too when the jsonschema module is importable
(Debian: python3-jsonschema; .ci/packages.txt installs it). Usage:

    findings_schema.py FILE [--evidence DIR] [--ledger FILE]
    findings_schema.py --tree DIR

--evidence DIR   also check every evidence.files[].sha256 against DIR/<path>
--ledger FILE    also check ledger.sha256 against FILE
--tree DIR       check every file named findings.json under DIR (what a test
                 wrote); exit 1 also when there is none

Exit 0 and "OK: ..." when valid; exit 1 with one line per problem otherwise.
"""
import datetime
import hashlib
import json
import os
import re
import sys

STATUS = ["fail", "excepted", "unknown", "pass"]
SEVERITY = ["critical", "high", "medium", "low", "info"]
KIND = ["user", "role", "public", "account", "external", "service", "federated", "k8s"]
LEVEL = ["Write", "Permissions management", "Tagging", "Read", "List"]
DECISION = ["allow", "conditional"]
SOURCE = ["identity", "group", "resource", "registry"]
LIMIT_SOURCE = ["identity", "group", "resource", "registry", "boundary", "scp", "rcp"]
LEDGER_STATE = ["active", "expired", "unused", "invalid"]

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                           "findings.schema.json")
_validator = None


def jsonschema_available():
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return False
    return True


def schema_errors(doc):
    """Problems of doc against docs/findings.schema.json, one line each
    ("schema: $.path: message"); None when jsonschema is not installed."""
    global _validator
    try:
        import jsonschema
    except ImportError:
        return None
    if _validator is None:
        with open(SCHEMA_FILE, encoding="utf-8") as fh:
            schema = json.load(fh)
        cls = jsonschema.Draft202012Validator
        cls.check_schema(schema)
        _validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    out = []
    for e in sorted(_validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
        msg = e.message if len(e.message) <= 300 else e.message[:300] + "..."
        out.append(f"schema: {where}: {msg}")
    return out


SHA256 = re.compile(r"^[0-9a-f]{64}$")
ACCOUNT = re.compile(r"^[0-9]{12}$")
TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")
# A repository ARN; region "*" or a name with "*" (never a repository name's
# character) is a pattern, which only the sets of unknown findings (evidence
# gaps: "every repository of the region / account") may hold.
REPO_ARN = re.compile(r"^arn:aws[a-z-]*:ecr:([a-z0-9-]+|\*):[0-9]{12}:repository/.+$", re.S)
ACTION = re.compile(r"^ecr:[A-Za-z]+$")


# ---- a tiny schema language ----------------------------------------------
# A schema is one of:
#   str / int / bool / type(None)        that JSON type (int: non-negative)
#   ("enum", [values])                   one of the strings
#   ("re", compiled)                     a string matching
#   ("date",)                            YYYY-MM-DD, a real date
#   ("nullable", schema)                 null or schema
#   ("array", schema)                    an array of schema
#   ("nonempty", schema)                 a non-empty array of schema
#   ("map", key_re, schema)              an object whose keys match key_re, each
#                                        value of schema
#   ("object", required, optional)       dicts key -> schema; required keys
#                                        first in this order, then optional
#                                        ones; no other keys

def obj(required, optional=None):
    return ("object", required, optional or {})


VIA = obj({"policy": str, "statement": str, "source": ("enum", SOURCE)},
          {"deny": bool, "conditional": bool, "owner": ("nullable", str)})
LIMIT = obj({"policy": str, "statement": str, "source": ("enum", LIMIT_SOURCE)},
            {"deny": bool, "conditional": bool, "owner": ("nullable", str)})
EXCEPTION = obj({"id": str, "state": ("enum", LEDGER_STATE),
                 "expires": ("nullable", str), "justification": ("nullable", str),
                 "approved_by": ("nullable", str), "ticket": ("nullable", str)},
                {"reason": ("nullable", str)})
FINDING = obj({
    "id": str,
    "status": ("enum", STATUS),
    "severity": ("enum", SEVERITY),
    "principal": obj({"arn": str, "kind": ("enum", KIND)}),
    "repository_set": str,  # a key of repository_sets: semantic()
    "repository_count": int,
    "all_repositories": bool,
    "access_level": ("enum", LEVEL),
    "actions": ("array", ("re", ACTION)),  # non-empty unless unknown: semantic()
    "decision": ("enum", DECISION),
    "undecided_conditions": ("array", str),
    "via": ("array", VIA),
    "impact": str,
    "remediation": str,
    "exception": ("nullable", EXCEPTION),
}, {
    "can_push": bool,
    "status_reason": ("nullable", str),
    "suggested_statement": ("nullable", str),
    "limited_by": ("array", LIMIT),
    "via_omitted": int,
    "via_chain": ("array", ("re", re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/"))),
    "account": ("re", re.compile(r"^[0-9]{12}$")),
    "change": ("enum", ["new", "changed", "unchanged"]),
    "usage": obj({"tracked": bool}, {"last_used": ("nullable", str), "days": ("nullable", int),
                                     "action": ("re", ACTION), "tracked_since": ("date",),
                                     "unused": bool}),
})
REPOSITORY_SET = obj({"all": bool, "repositories": ("nonempty", str)})
LEDGER_ENTRY = obj({"id": str, "state": ("enum", LEDGER_STATE)}, {
    "principal": ("nullable", str),
    "repositories": ("array", str),
    "actions": ("array", str),
    "justification": ("nullable", str),
    "approved_by": ("nullable", str),
    "ticket": ("nullable", str),
    "expires": ("nullable", str),
    "reason": ("nullable", str),
    "matched": int,
})
DOCUMENT = obj({
    "schema": ("enum", ["ecraudit.findings/v2"]),
    "control": obj({"id": ("enum", ["C-0222"]),
                    "name": ("enum", ["Minimize user access to Amazon ECR"])},
                   {"mappings": ("nonempty", obj({"framework": str, "id": str}))}),
    "account": ("re", ACCOUNT),
    "generated_at": ("re", TIMESTAMP),
    "as_of": ("date",),
    "summary": obj({"fail": int, "excepted": int, "unknown": int, "pass": int}),
    "repository_sets": ("map", re.compile(r"^rs-[0-9]+$"), REPOSITORY_SET),
    "findings": ("array", FINDING),
    "coverage": ("array", str),
    "exceptions": ("array", LEDGER_ENTRY),
    "evidence": obj({
        "files": ("array", obj({"path": str, "sha256": ("re", SHA256)}, {"size": int})),
        "gaps": ("array", obj({"source": str, "resource": str, "error": str})),
    }),
}, {
    "overall": ("enum", ["fail", "unknown", "pass"]),
    "accounts": ("array", ("re", ACCOUNT)),
    "tool": obj({"name": str, "version": str, "catalog": ("nullable", str)}),
    "ledger": ("nullable", obj({"path": str, "sha256": ("re", SHA256)})),
    "usage": obj({"unused_days": int, "tracked": int, "untracked": int, "unused": int,
                  "unused_open": int}),
    "baseline": obj({"sha256": ("re", SHA256), "generated_at": ("nullable", str),
                     "new": ("array", str), "resolved": ("array", str),
                     "changed": ("array", str)}),
})

TYPE_NAMES = {str: "a string", int: "a non-negative integer", bool: "a boolean",
              type(None): "null"}


def describe(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    return "an object"


def validate(v, schema, path, errors):
    if schema in (str, bool, type(None)):
        ok = isinstance(v, schema) if schema is not type(None) else v is None
        if schema is str and isinstance(v, bool):
            ok = False
        if not ok:
            errors.append(f"{path}: expected {TYPE_NAMES[schema]}, got {describe(v)}")
        return
    if schema is int:
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            errors.append(f"{path}: expected a non-negative integer, got {describe(v)} {v!r}")
        return
    tag = schema[0]
    if tag == "nullable":
        if v is not None:
            validate(v, schema[1], path, errors)
    elif tag == "enum":
        if not isinstance(v, str) or v not in schema[1]:
            errors.append(f"{path}: {v!r} is not one of {schema[1]}")
    elif tag == "re":
        if not isinstance(v, str) or not schema[1].match(v):
            errors.append(f"{path}: {v!r} does not match {schema[1].pattern}")
    elif tag == "date":
        try:
            if not isinstance(v, str) or not re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", v):
                raise ValueError
            datetime.date.fromisoformat(v)
        except ValueError:
            errors.append(f"{path}: {v!r} is not a date YYYY-MM-DD")
    elif tag in ("array", "nonempty"):
        if not isinstance(v, list):
            errors.append(f"{path}: expected an array, got {describe(v)}")
            return
        if tag == "nonempty" and not v:
            errors.append(f"{path}: must not be empty")
        for i, item in enumerate(v):
            validate(item, schema[1], f"{path}[{i}]", errors)
    elif tag == "map":
        if not isinstance(v, dict):
            errors.append(f"{path}: expected an object, got {describe(v)}")
            return
        for key, item in v.items():
            if not schema[1].match(key):
                errors.append(f"{path}: key {key!r} does not match {schema[1].pattern}")
            validate(item, schema[2], f"{path}.{key}", errors)
    elif tag == "object":
        if not isinstance(v, dict):
            errors.append(f"{path}: expected an object, got {describe(v)}")
            return
        required, optional = schema[1], schema[2]
        for key, sub in required.items():
            if key not in v:
                errors.append(f"{path}: missing key {key!r}")
            else:
                validate(v[key], sub, f"{path}.{key}", errors)
        for key, sub in optional.items():
            if key in v:
                validate(v[key], sub, f"{path}.{key}", errors)
        for key in v:
            if key not in required and key not in optional:
                errors.append(f"{path}: unexpected key {key!r}")
        present = [k for k in required if k in v]
        if list(v)[:len(present)] != present:
            errors.append(f"{path}: the contract's keys must come first, in order")
    else:  # pragma: no cover
        raise AssertionError(tag)


def layout(doc):
    """The file as ecraudit writes it: json.dumps(indent=2), except that each
    repository set and each finding is one compact line."""
    if not isinstance(doc, dict):
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    compact = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    parts = []
    for key, value in doc.items():
        head = "  " + json.dumps(key, ensure_ascii=False) + ": "
        if key == "repository_sets" and isinstance(value, dict) and value:
            body = ",\n".join("    " + json.dumps(k, ensure_ascii=False) + ": " + compact(v)
                              for k, v in value.items())
            parts.append(head + "{\n" + body + "\n  }")
        elif key == "findings" and isinstance(value, list) and value:
            parts.append(head + "[\n" + ",\n".join("    " + compact(f) for f in value) + "\n  ]")
        else:
            inner = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            parts.append(head + inner)
    return "{\n" + ",\n".join(parts) + "\n}\n"


def semantic(doc, errors):
    """Rules that span several keys."""
    findings = doc.get("findings") if isinstance(doc.get("findings"), list) else []
    counts = {s: 0 for s in STATUS}
    ids = set()
    ledger_ids = {}
    for e in doc.get("exceptions") or []:
        if isinstance(e, dict):
            ledger_ids.setdefault(e.get("id"), []).append(e.get("state"))
    sets = doc.get("repository_sets") if isinstance(doc.get("repository_sets"), dict) else {}
    used = set()
    for key, rs in sets.items():
        repos = rs.get("repositories") if isinstance(rs, dict) else None
        if not isinstance(repos, list):
            continue
        where = f"$.repository_sets.{key}"
        if "*" in repos and repos != ["*"]:
            errors.append(f"{where}.repositories: \"*\" (registry level) must stand alone")
        for k, r in enumerate(repos):
            if r != "*" and isinstance(r, str) and not REPO_ARN.match(r):
                errors.append(f"{where}.repositories[{k}]: {r!r} is not a repository ARN")
        if len(set(map(str, repos))) != len(repos):
            errors.append(f"{where}.repositories: duplicates")
        if repos == ["*"] and rs.get("all"):
            errors.append(f"{where}.all: the registry is not \"every repository\"")
    for i, f in enumerate(findings):
        if not isinstance(f, dict):
            continue
        where = f"$.findings[{i}]"
        if f.get("status") in counts:
            counts[f["status"]] += 1
        fid = f.get("id")
        if fid in ids:
            errors.append(f"{where}.id: {fid!r} is not unique")
        ids.add(fid)
        if isinstance(fid, str) and not fid:
            errors.append(f"{where}.id: empty")
        key = f.get("repository_set")
        if isinstance(key, str) and key not in sets:
            errors.append(f"{where}.repository_set: {key!r} is not a key of repository_sets")
        elif isinstance(key, str):
            used.add(key)
            rs = sets[key]
            repos = rs.get("repositories") if isinstance(rs, dict) else None
            if (f.get("status") != "unknown" and isinstance(repos, list) and
                    any(isinstance(r, str) and r != "*" and "*" in r for r in repos)):
                errors.append(f"{where}.repository_set: {key} holds a repository pattern, "
                              "which only an unknown finding (an evidence gap) may have")
            if isinstance(repos, list) and f.get("repository_count") != len(repos):
                errors.append(f"{where}.repository_count: {f.get('repository_count')!r} but "
                              f"{key} has {len(repos)} repositories")
            if isinstance(rs, dict) and rs.get("all") != f.get("all_repositories"):
                errors.append(f"{where}.all_repositories: differs from {key}.all")
        if f.get("decision") == "allow" and f.get("undecided_conditions"):
            errors.append(f"{where}.undecided_conditions: an allow decides every condition")
        exc = f.get("exception")
        status = f.get("status")
        if f.get("actions") == [] and status != "unknown":
            errors.append(f"{where}.actions: must not be empty (only an unknown finding, "
                          "whose evidence has a gap, may name no action)")
        if status == "excepted":
            if not isinstance(exc, dict) or exc.get("state") != "active":
                errors.append(f"{where}: an excepted finding needs an active exception")
        if isinstance(exc, dict):
            if exc.get("state") not in ("active", "expired"):
                errors.append(f"{where}.exception.state: {exc.get('state')!r}: only active "
                              "or expired entries can match a finding")
            if exc.get("state") == "expired" and status == "excepted":
                errors.append(f"{where}: an expired exception excepts nothing")
            if doc.get("exceptions") is not None and exc.get("id") not in ledger_ids:
                errors.append(f"{where}.exception.id: {exc.get('id')!r} is not in exceptions")
        if status == "pass" and f.get("access_level") in ("Write", "Permissions management",
                                                          "Tagging"):
            errors.append(f"{where}: a {f.get('access_level')} grant cannot pass")
    for key in sets:
        if key not in used:
            errors.append(f"$.repository_sets.{key}: no finding refers to it")
    summary = doc.get("summary")
    if isinstance(summary, dict):
        for s in STATUS:
            if isinstance(summary.get(s), int) and summary.get(s) != counts[s]:
                errors.append(f"$.summary.{s}: {summary.get(s)} but {counts[s]} findings "
                              f"have status {s!r}")
    overall = doc.get("overall")
    if overall is not None:
        want = "fail" if counts["fail"] else "unknown" if counts["unknown"] else "pass"
        if overall != want:
            errors.append(f"$.overall: {overall!r} but the findings say {want!r}")
    usage = doc.get("usage")  # issue 21: the counts are those of the findings' usage
    fu = [f.get("usage") for f in findings if isinstance(f, dict) and isinstance(f.get("usage"), dict)]
    if fu and not isinstance(usage, dict):
        errors.append("$.usage: findings carry usage but the document has no usage summary")
    if isinstance(usage, dict):
        want = {"tracked": sum(1 for u in fu if u.get("tracked")),
                "untracked": sum(1 for u in fu if not u.get("tracked")),
                "unused": sum(1 for u in fu if u.get("unused")),
                "unused_open": sum(1 for f in findings if isinstance(f, dict)
                                   and isinstance(f.get("usage"), dict) and f["usage"].get("unused")
                                   and f.get("status") in ("fail", "unknown"))}
        for k, n in want.items():
            if usage.get(k) != n:
                errors.append(f"$.usage.{k}: {usage.get(k)!r} but the findings say {n}")
        for i, u in enumerate(fu):
            if not u.get("tracked") and u.get("unused"):
                errors.append(f"$.findings: untracked access marked unused ({u})")
    base = doc.get("baseline")
    if isinstance(base, dict):
        by_change = {"new": set(), "changed": set()}
        for i, f in enumerate(findings):
            if not isinstance(f, dict):
                continue
            if "change" not in f:
                errors.append(f"$.findings[{i}]: a report with a baseline marks every finding's change")
            elif f["change"] in by_change:
                by_change[f["change"]].add(f.get("id"))
        for key in ("new", "changed"):
            if isinstance(base.get(key), list) and set(base[key]) != by_change[key]:
                errors.append(f"$.baseline.{key}: differs from the findings marked {key!r}")
        if isinstance(base.get("resolved"), list) and set(base["resolved"]) & ids:
            errors.append("$.baseline.resolved: lists a finding this report still has")
    elif any(isinstance(f, dict) and "change" in f for f in findings):
        errors.append("$.findings: \"change\" without a \"baseline\"")
    ev = doc.get("evidence")
    if isinstance(ev, dict) and isinstance(ev.get("files"), list):
        paths = [f.get("path") for f in ev["files"] if isinstance(f, dict)]
        if len(set(paths)) != len(paths):
            errors.append("$.evidence.files: duplicate paths")


def check_text(raw, evidence_dir=None, ledger_file=None):
    """All problems of one findings.json given as bytes."""
    errors = []
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        return [f"not valid UTF-8: {e}"]
    dups = []

    def pairs(kv):
        seen = set()
        for k, _ in kv:
            if k in seen:
                dups.append(k)
            seen.add(k)
        return dict(kv)

    try:
        doc = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as e:
        return [f"not JSON: {e}"]
    for k in dups:
        errors.append(f"duplicate key {k!r}")
    validate(doc, DOCUMENT, "$", errors)
    errors.extend(schema_errors(doc) or [])
    if isinstance(doc, dict):
        semantic(doc, errors)
    canonical = layout(doc)
    if text != canonical:
        line = next((i + 1 for i, (a, b) in
                     enumerate(zip(text.splitlines(), canonical.splitlines())) if a != b),
                    min(len(text.splitlines()), len(canonical.splitlines())) + 1)
        errors.append(f"layout is not ecraudit's (2-space indented, one line per repository set "
                      f"and finding, a trailing newline) "
                      f"(first difference on line {line})")
    if evidence_dir and isinstance(doc, dict):
        for f in (doc.get("evidence") or {}).get("files") or []:
            p = os.path.join(evidence_dir, f.get("path", ""))
            try:
                with open(p, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            except OSError as e:
                errors.append(f"evidence file {f.get('path')!r}: {e.strerror}")
                continue
            if digest != f.get("sha256"):
                errors.append(f"evidence file {f.get('path')!r}: sha256 {f.get('sha256')} "
                              f"but the file hashes to {digest}")
    if ledger_file and isinstance(doc, dict):
        with open(ledger_file, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        led = doc.get("ledger")
        if not isinstance(led, dict) or led.get("sha256") != digest:
            errors.append(f"$.ledger.sha256: does not match {ledger_file} ({digest})")
    return errors


def check_tree(top):
    """Every findings.json under top; the number checked and the problems."""
    n, problems = 0, []
    for d, _, names in os.walk(top):
        if "findings.json" in names:
            path = os.path.join(d, "findings.json")
            n += 1
            with open(path, "rb") as fh:
                problems += [f"{path}: {e}" for e in check_text(fh.read())[:5]]
    return n, problems


def main(argv):
    args = list(argv[1:])
    evidence = ledger = None
    files = []
    if len(args) == 2 and args[0] == "--tree":
        n, problems = check_tree(args[1])
        for e in problems:
            print(e)
        if not n:
            print(f"{args[1]}: no findings.json")
        if problems or not n:
            return 1
        print(f"OK: {n} findings.json under {args[1]}")
        return 0
    while args:
        a = args.pop(0)
        if a == "--evidence" and args:
            evidence = args.pop(0)
        elif a == "--ledger" and args:
            ledger = args.pop(0)
        elif a.startswith("-"):
            print(__doc__, file=sys.stderr)
            return 2
        else:
            files.append(a)
    if len(files) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(files[0], "rb") as fh:
        raw = fh.read()
    errors = check_text(raw, evidence, ledger)
    for e in errors:
        print(f"{files[0]}: {e}")
    if errors:
        return 1
    doc = json.loads(raw)
    print(f"OK: {files[0]}: {len(doc['findings'])} findings, "
          f"{len(doc['exceptions'])} ledger entries, {len(doc['evidence']['files'])} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
