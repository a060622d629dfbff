#!/usr/bin/python3
"""Read report.junit.xml with a real JUnit parser (Debian's python3-junitparser)
and check it: declared totals equal what the testcases say, one result per
testcase, optional expected counts, and (with --findings) agreement with
findings.json: summary, one testcase per principal with the right outcome
and failure type, ledger problems and evidence gaps.

Run with /usr/bin/python3 (the pyenv python on PATH lacks junitparser).
Exit status 0 when every check holds; 1 with one line per problem otherwise.
"""
import argparse
import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite

SEVERITIES = ["critical", "high", "medium", "low", "info"]
# worst first, as the report model orders principals
STATUS_ORDER = ["fail", "unknown", "excepted", "pass"]
RESULT_OF_STATUS = {"fail": "failure", "unknown": "error", "excepted": "skipped", "pass": "pass"}
CLASS_PREFIX = "ecraudit.C-0222."

problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


def outcome(case):
    kinds = []
    for r in case.result:
        if isinstance(r, Failure):
            kinds.append("failure")
        elif isinstance(r, Error):
            kinds.append("error")
        elif isinstance(r, Skipped):
            kinds.append("skipped")
    check(len(kinds) <= 1, f"testcase {case.name!r} has {len(kinds)} results {kinds}")
    return kinds[0] if kinds else "pass"


def forbidden_char(s):
    for ch in s or "":
        cp = ord(ch)
        if cp < 0x20 and ch not in "\t\n\r":
            return True
        if cp in (0xFFFE, 0xFFFF) or 0xD800 <= cp <= 0xDFFF:
            return True
    return False


def load(path):
    xml = JUnitXml.fromfile(path)
    if isinstance(xml, TestSuite):  # root <testsuite>: not what ecraudit writes
        problems.append("root element is <testsuite>, expected <testsuites>")
        sys.exit(report())
    return xml


def report():
    for p in problems:
        print("check_junit: " + p)
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("junit")
    ap.add_argument("--expect", default="", help="tests=13,failures=7,errors=3,skipped=1")
    ap.add_argument("--findings", help="findings.json written from the same report")
    ap.add_argument("--exit-status", type=int,
                    help="exit status of the ecraudit run (with --findings)")
    ap.add_argument("--expect-name-contains", action="append", default=[],
                    help="some testcase name must contain this text")
    args = ap.parse_args()

    xml = load(args.junit)
    suites = list(xml)
    check(len(suites) == 1, f"{len(suites)} testsuites, expected 1")
    suite = suites[0]
    check(suite.name == "C-0222 Minimize user access to Amazon ECR", f"suite name {suite.name!r}")
    cases = list(suite)
    counted = {"tests": len(cases), "failures": 0, "errors": 0, "skipped": 0}
    by_name = {}
    for case in cases:
        o = outcome(case)
        if o == "failure":
            counted["failures"] += 1
        elif o == "error":
            counted["errors"] += 1
        elif o == "skipped":
            counted["skipped"] += 1
        check(case.name not in by_name, f"duplicate testcase name {case.name!r}")
        by_name[case.name] = (case, o)
        check((case.classname or "").startswith(CLASS_PREFIX),
              f"testcase {case.name!r} classname {case.classname!r}")
        check(not forbidden_char(case.name), f"forbidden character in {case.name!r}")
        for r in case.result:
            check(not forbidden_char(r.message) and not forbidden_char(r.text),
                  f"forbidden character in a result of {case.name!r}")

    # declared totals (suite and root) agree with the testcases
    for key, n in counted.items():
        check(getattr(suite, key) == n, f"testsuite {key}={getattr(suite, key)}, testcases say {n}")
        if key != "skipped":  # the Jenkins schema has no skipped on <testsuites>
            check(getattr(xml, key) == n, f"testsuites {key}={getattr(xml, key)}, testcases say {n}")

    if args.expect:
        for item in args.expect.split(","):
            key, val = item.split("=")
            check(counted[key] == int(val), f"{key}={counted[key]}, expected {val}")

    for text in args.expect_name_contains:
        check(any(text in name for name in by_name), f"no testcase name contains {text!r}")

    props = {p.name: p.value for p in suite.properties()}
    # a scan whose collection failed has no report: only the tool version
    keys = ("tool_version",) if props.get("overall") == "error" else (
        "account", "as_of", "evidence_sha256", "tool_version", "catalog_version")
    for key in keys:
        check(key in props, f"property {key} missing")

    if args.findings:
        check_findings(args.findings, by_name, props, counted, args.exit_status)
    return report()


def check_findings(path, by_name, props, counted, exit_status):
    with open(path, encoding="utf-8") as fp:
        doc = json.load(fp)
    summary = doc["summary"]
    for status in STATUS_ORDER:
        check(props.get("findings." + status) == str(summary[status]),
              f"findings.{status}: junit {props.get('findings.' + status)}, "
              f"findings.json {summary[status]}")
        check(props.get("principals." + status) is not None, f"no principals.{status} property")
    check("failing finding" in (props.get("summary") or ""), "no summary property naming findings")
    for m in doc["control"].get("mappings", []):
        key = f"mapping.{m['framework']} {m['id']}"
        check(key in props, f"no property {key!r} for control.mappings")
    if isinstance(doc.get("baseline"), dict):
        check(props.get("baseline_sha256") == doc["baseline"]["sha256"], "baseline_sha256 differs")
        for k in ("new", "changed", "resolved"):
            check(props.get("baseline." + k) == str(len(doc["baseline"][k])),
                  f"baseline.{k}: junit {props.get('baseline.' + k)}, findings.json "
                  f"{len(doc['baseline'][k])}")
    check(props.get("account") == doc["account"], "account differs")
    check(props.get("as_of") == doc["as_of"], "as_of differs")

    # per principal: worst status and highest failing severity from findings.json
    principals = {}
    for f in doc["findings"]:
        arn = f["principal"]["arn"]
        p = principals.setdefault(arn, {"kind": f["principal"]["kind"], "statuses": [],
                                        "fail_sev": []})
        p["statuses"].append(f["status"])
        if f["status"] == "fail":
            p["fail_sev"].append(f["severity"])
    base = doc.get("baseline")
    new_ids = set(base["new"]) if isinstance(base, dict) else set()
    for arn, p in principals.items():
        name = "public (*)" if arn == "*" else arn  # issue 15 point 14
        if not check(name in by_name, f"principal {arn!r} of findings.json has no testcase "
                     f"named {name!r}"):
            continue
        case, o = by_name[arn] = by_name.pop(name)
        worst = min(p["statuses"], key=STATUS_ORDER.index)
        check(o == RESULT_OF_STATUS[worst],
              f"{arn}: testcase outcome {o}, findings.json worst status {worst}")
        check(case.classname == CLASS_PREFIX + p["kind"],
              f"{arn}: classname {case.classname}, kind {p['kind']}")
        if worst == "fail":
            want = min(p["fail_sev"], key=SEVERITIES.index)
            got = [r.type for r in case.result if isinstance(r, Failure)]
            check(got == [want], f"{arn}: failure type {got}, expected {want}")
            fails = [r for r in case.result if isinstance(r, Failure)]
            msg = fails[0].message or "" if fails else ""
            # the first line says what to change; counts name findings
            check(msg.startswith("Remove ") and "or record an approved exception" in msg,
                  f"{arn}: failure message does not start with what to change: {msg[:120]!r}")
            check(" failing finding" in msg, f"{arn}: failure message names no finding count")
            for f in doc["findings"]:
                if f["principal"]["arn"] != arn or f["status"] != "fail":
                    continue
                if f["id"] in new_ids:
                    check(f"[new: {f['id']}]" in msg,
                          f"{arn}: new failing finding {f['id']} not named in the message")
                rs = doc.get("repository_sets", {}).get(f.get("repository_set"), {})
                if rs.get("repositories", f.get("repositories")) == ["*"]:
                    check("on the registry" in msg,
                          f"{arn}: registry-level finding {f['id']} does not say registry")
    # testcases for principals without findings must pass
    for name, (case, o) in by_name.items():
        cls = case.classname or ""
        if cls.endswith(".ledger") or cls.endswith(".evidence"):
            continue
        if name not in principals:
            check(o == "pass", f"{name}: {o} but it has no finding in findings.json")

    # ledger problems and gaps
    ledger_cases = {n: o for n, (c, o) in by_name.items() if c.classname.endswith(".ledger")}
    for e in doc.get("exceptions", []):
        name = "exception " + e["id"]
        want = {"expired": "failure", "invalid": "error", "unused": "pass"}.get(e["state"])
        if want is None:
            check(name not in ledger_cases, f"{name}: active entry has a testcase")
            continue
        check(ledger_cases.get(name) == want,
              f"{name} ({e['state']}): testcase outcome {ledger_cases.get(name)}, want {want}")
    gaps = doc.get("evidence", {}).get("gaps", [])
    gap_cases = [o for n, (c, o) in by_name.items() if c.classname.endswith(".evidence")]
    check(len(gap_cases) == len(gaps) and all(o == "error" for o in gap_cases),
          f"{len(gaps)} gaps in findings.json, evidence testcases {gap_cases}")

    # totals follow from the above
    n_fail_principals = sum(1 for p in principals.values()
                            if min(p["statuses"], key=STATUS_ORDER.index) == "fail")
    n_expired = sum(1 for e in doc.get("exceptions", []) if e["state"] == "expired")
    check(counted["failures"] == n_fail_principals + n_expired,
          f"failures {counted['failures']} != failing principals {n_fail_principals} "
          f"+ expired exceptions {n_expired}")

    # exit status 1 exactly when some principal's testcase fails or errs
    if exit_status is not None:
        bad = sum(1 for n, (c, o) in by_name.items()
                  if not c.classname.endswith((".ledger", ".evidence")) and o in ("failure", "error"))
        noncompliant = summary["fail"] + summary["unknown"] > 0
        check(exit_status == (1 if noncompliant else 0),
              f"exit status {exit_status} but findings.json summary {summary}")
        check((bad > 0) == noncompliant,
              f"{bad} principal testcases fail/err but findings.json summary {summary}")


if __name__ == "__main__":
    sys.exit(main())
