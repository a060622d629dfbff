#!/bin/bash
# deploy/: the Kubernetes manifests (kustomize base + IRSA and Pod Identity
# overlays), the IAM policies and the Dockerfile, checked as far as a machine
# without a cluster or a container daemon allows:
#  - both overlays render with `kubectl kustomize` (when kubectl is installed;
#    else with tests/deploy/mini_kustomize.py, the subset they use) and hold a CronJob that runs
#    `ecraudit scan` as a restricted, non-root pod with the reports on the PVC,
#    under the service account the overlays bind to the role;
#  - the CronJob's command line, run by /bin/sh, gives arguments the real
#    binary accepts;
#  - deploy/aws/iam-policy.json is the README's policy, read-only, and allows
#    every call `ecraudit collect` makes against the stand-in (its request log);
#  - the trust policies name the manifests' namespace and service account;
#  - the Dockerfile: Debian 12 build stage, slim Debian 12 runtime that installs
#    the .deb (and so the font), the pod's user, ENTRYPOINT ecraudit; its build
#    packages are in .ci/packages.txt. Built and run when a docker daemon answers.
# Env (from CTest): ECRAUDIT, ECR_SRC.
set -u
: "${ECRAUDIT:?}" "${ECR_SRC:?}"
PY=/usr/bin/python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ecraudit-deploy.XXXXXX")
server_pid=
org_server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; [ -n "$org_server_pid" ] && kill "$org_server_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0

# ---- render the overlays -------------------------------------------------------
# (org, org/pod-identity: the organisation's list, Indexed scan and merge Jobs)
for o in irsa pod-identity org org/pod-identity; do
  f=${o//\//-} # the rendered file: org-pod-identity.yaml
  if command -v kubectl >/dev/null; then
    if ! kubectl kustomize "$ECR_SRC/deploy/kubernetes/$o" >"$tmp/$f.yaml" 2>"$tmp/$f.err"; then
      echo "FAIL: kubectl kustomize deploy/kubernetes/$o: $(cat "$tmp/$f.err")"
      fails=$((fails + 1))
    else
      echo "ok: kubectl kustomize deploy/kubernetes/$o renders"
      # the fallback for machines without kubectl renders the same objects
      if "$PY" "$ECR_SRC/tests/deploy/mini_kustomize.py" "$ECR_SRC/deploy/kubernetes/$o" >"$tmp/$f.mini" &&
         "$PY" -c 'import json, sys, yaml
canon = lambda p: sorted(json.dumps(d, sort_keys=True) for d in yaml.safe_load_all(open(p)) if d)
sys.exit(0 if canon(sys.argv[1]) == canon(sys.argv[2]) else 1)' "$tmp/$f.yaml" "$tmp/$f.mini"; then
        echo "ok: mini_kustomize.py renders deploy/kubernetes/$o exactly as kubectl does"
      else
        echo "FAIL: mini_kustomize.py and kubectl differ on deploy/kubernetes/$o"; fails=$((fails + 1))
      fi
    fi
  else
    # no kubectl (Debian 12 does not package it): the subset of kustomize the overlays use
    if "$PY" "$ECR_SRC/tests/deploy/mini_kustomize.py" "$ECR_SRC/deploy/kubernetes/$o" >"$tmp/$f.yaml" 2>"$tmp/$f.err"; then
      echo "ok: deploy/kubernetes/$o renders (mini_kustomize.py: kubectl is not installed)"
    else
      echo "FAIL: mini_kustomize deploy/kubernetes/$o: $(cat "$tmp/$f.err")"
      fails=$((fails + 1))
    fi
  fi
done

# ---- what `ecraudit collect` calls (the stand-in's log) ------------------------------
AK=AKIAFAKEDEPLOYTEST01
SK=fakeDeploySecretKey0123456789
"$PY" "$ECR_SRC/tests/fake_aws/fake_aws.py" --bundle "$ECR_SRC/tests/fake_aws/bundle" \
  --port-file "$tmp/port" --log "$tmp/calls.log" --access-key "$AK" --secret-key "$SK" \
  2>"$tmp/server.err" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
env -i PATH="$PATH" HOME="$tmp" AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" \
  AWS_EC2_METADATA_DISABLED=true "$ECRAUDIT" collect --out "$tmp/bundle" --quiet \
  --endpoint-url "http://127.0.0.1:$(cat "$tmp/port")" --region all >/dev/null 2>"$tmp/collect.err" ||
  { echo "FAIL: collect against the stand-in: $(cat "$tmp/collect.err")"; fails=$((fails + 1)); }

# ---- what `ecraudit collect --org --role-name` calls with the auditor's credentials ----------
"$PY" "$ECR_SRC/tests/fake_aws/org_fixture.py" "$ECR_SRC/tests/fake_aws/bundle" "$tmp/org"
"$PY" "$ECR_SRC/tests/fake_aws/fake_aws.py" --bundle "$tmp/org/accounts/999988887777" --org "$tmp/org" \
  --port-file "$tmp/org-port" --log "$tmp/org-calls.log" --access-key "$AK" --secret-key "$SK" \
  2>"$tmp/org-server.err" &
org_server_pid=$!
for _ in $(seq 1 100); do [ -s "$tmp/org-port" ] && break; sleep 0.1; done
env -i PATH="$PATH" HOME="$tmp" AWS_ACCESS_KEY_ID="$AK" AWS_SECRET_ACCESS_KEY="$SK" AWS_REGION=us-east-1 \
  AWS_EC2_METADATA_DISABLED=true "$ECRAUDIT" collect --org --role-name ecraudit-readonly --out "$tmp/orgout" \
  --quiet --endpoint-url "http://127.0.0.1:$(cat "$tmp/org-port")" >/dev/null 2>"$tmp/org-collect.err" ||
  { echo "FAIL: collect --org against the stand-in: $(cat "$tmp/org-collect.err")"; fails=$((fails + 1)); }
kill "$org_server_pid" 2>/dev/null
wait "$org_server_pid" 2>/dev/null
org_server_pid=

# ---- the CronJob's command line, through /bin/sh, with a recording ecraudit ----------------
mkdir -p "$tmp/stub"
printf '#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done > "%s/argv"\n' "$tmp" >"$tmp/stub/ecraudit"
chmod +x "$tmp/stub/ecraudit"

"$PY" - "$tmp" "$ECR_SRC" "$ECRAUDIT" "$AK" <<'PYEOF' || fails=$((fails + 1))
import json, os, re, subprocess, sys
import yaml

tmp, src, binary, auditor_key = sys.argv[1:]
bad = 0
def check(cond, msg):
    global bad
    print(("ok: " if cond else "FAIL: ") + msg)
    bad += not cond

def docs(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]

def one(ds, kind):
    found = [d for d in ds if d.get("kind") == kind]
    return found[0] if len(found) == 1 else None

for overlay in ("irsa", "pod-identity"):
    ds = docs(os.path.join(tmp, overlay + ".yaml"))
    kinds = sorted(d["kind"] for d in ds)
    check(kinds == ["CronJob", "Namespace", "PersistentVolumeClaim", "ServiceAccount"],
          "%s: Namespace, ServiceAccount, PVC and CronJob (%s)" % (overlay, kinds))
    ns, sa, pvc, cj = (one(ds, k) for k in ("Namespace", "ServiceAccount", "PersistentVolumeClaim", "CronJob"))
    if not (ns and sa and pvc and cj):
        bad += 1
        continue
    name_ns = ns["metadata"]["name"]
    check(all(d["metadata"].get("namespace") == name_ns for d in (sa, pvc, cj)),
          "%s: everything in namespace %s" % (overlay, name_ns))
    check(ns["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") == "restricted",
          "%s: the namespace enforces the restricted Pod Security Standard" % overlay)
    check(cj["apiVersion"] == "batch/v1", "%s: CronJob is batch/v1" % overlay)
    spec = cj["spec"]
    check(spec.get("concurrencyPolicy") == "Forbid", "%s: runs never overlap" % overlay)
    job = spec["jobTemplate"]["spec"]
    check(job.get("backoffLimit") == 0, "%s: a non-compliant run is not retried" % overlay)
    pod = job["template"]["spec"]
    check(pod.get("serviceAccountName") == sa["metadata"]["name"],
          "%s: the pod runs as service account %s" % (overlay, sa["metadata"]["name"]))
    check(pod.get("restartPolicy") == "Never", "%s: restartPolicy Never" % overlay)
    psc = pod.get("securityContext", {})
    c = pod["containers"][0]
    csc = c.get("securityContext", {})
    check(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 65532
          and psc.get("seccompProfile", {}).get("type") == "RuntimeDefault"
          and csc.get("allowPrivilegeEscalation") is False
          and csc.get("readOnlyRootFilesystem") is True
          and csc.get("capabilities", {}).get("drop") == ["ALL"],
          "%s: restricted security context (non-root 65532, no escalation, read-only root, no capabilities)" % overlay)
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
    claim_vol = [n for n, v in vols.items()
                 if v.get("persistentVolumeClaim", {}).get("claimName") == pvc["metadata"]["name"]]
    check(len(claim_vol) == 1 and claim_vol[0] in mounts,
          "%s: the reports volume is the PVC %s, mounted" % (overlay, pvc["metadata"]["name"]))
    reports = mounts.get(claim_vol[0]) if claim_vol else None
    # run the command line as the container would, with a recording ecraudit
    env = {"PATH": os.path.join(tmp, "stub") + ":/usr/bin:/bin"}
    for e in c.get("env", []):
        env[e["name"]] = e["value"]
    argv_file = os.path.join(tmp, "argv")
    if os.path.exists(argv_file):
        os.remove(argv_file)
    subprocess.run(c["command"] + c.get("args", []), env=env, check=False)
    argv = open(argv_file).read().splitlines() if os.path.exists(argv_file) else []
    check(argv[:1] == ["scan"], "%s: the container runs `ecraudit scan` (%s)" % (overlay, argv))
    out = argv[argv.index("--out") + 1] if "--out" in argv else ""
    check(reports is not None and out.startswith(reports + "/") and
          re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z", out[len(reports) + 1:] or "x") is not None,
          "%s: each run writes under the PVC in its own UTC-stamped directory (%s)" % (overlay, out))
    r = subprocess.run([binary] + argv + ["--help"], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout.startswith("usage: ecraudit scan"),
          "%s: the real ecraudit accepts these arguments (%s)" % (overlay, r.stderr.strip()))
    ann = sa["metadata"].get("annotations", {}) or {}
    if overlay == "irsa":
        check(re.fullmatch(r"arn:aws:iam::\d{12}:role/[\w+=,.@/-]+", ann.get("eks.amazonaws.com/role-arn", "")) is not None,
              "irsa: the service account names the IAM role (eks.amazonaws.com/role-arn)")
        sa_irsa = (name_ns, sa["metadata"]["name"])
    else:
        check("eks.amazonaws.com/role-arn" not in ann,
              "pod-identity: no IRSA annotation (the association binds the role)")

# ---- the organisation's Jobs (deploy/kubernetes/org) ------------------------------------
def run_sh(c, extra_env):
    """c's command through /bin/sh as the container would; the recorded argv."""
    env = {"PATH": os.path.join(tmp, "stub") + ":/usr/bin:/bin"}
    env.update(extra_env)
    for e in c.get("env", []):
        env[e["name"]] = e["value"]
    argv_file = os.path.join(tmp, "argv")
    if os.path.exists(argv_file):
        os.remove(argv_file)
    r = subprocess.run(c["command"] + c.get("args", []), env=env, check=False, timeout=20,
                       capture_output=True)
    return (open(argv_file).read().splitlines() if os.path.exists(argv_file) else []), r.returncode

for overlay in ("org", "org-pod-identity"):
    ds = docs(os.path.join(tmp, overlay + ".yaml"))
    kinds = sorted(d["kind"] for d in ds)
    check(kinds == ["ConfigMap", "Job", "Job", "Job", "Namespace", "PersistentVolumeClaim", "ServiceAccount"],
          "%s: Namespace, ServiceAccount, PVC, settings ConfigMap and three Jobs (%s)" % (overlay, kinds))
    sa, pvc, cm = one(ds, "ServiceAccount"), one(ds, "PersistentVolumeClaim"), one(ds, "ConfigMap")
    jobs = {d["metadata"]["name"]: d for d in ds if d["kind"] == "Job"}
    if not (sa and pvc and cm and set(jobs) == {"ecraudit-org-list", "ecraudit-org-scan", "ecraudit-org-merge"}):
        check(False, "%s: the objects are there (%s)" % (overlay, sorted(jobs)))
        continue
    check(all(d["metadata"].get("namespace") == "ecraudit" for d in ds if d["kind"] != "Namespace"),
          "%s: everything in namespace ecraudit" % overlay)
    check("ReadWriteMany" in pvc["spec"]["accessModes"],
          "%s: the shared volume is ReadWriteMany (pods on any node write at once)" % overlay)
    settings = dict(cm["data"])
    check(set(settings) >= {"RUN", "ROLE_NAME", "AWS_REGION"}, "%s: settings RUN, ROLE_NAME, AWS_REGION" % overlay)
    argvs = {}
    for name, job in jobs.items():
        pod = job["spec"]["template"]["spec"]
        check(pod.get("serviceAccountName") == sa["metadata"]["name"] and pod.get("restartPolicy") == "Never",
              "%s: %s runs as %s, restartPolicy Never" % (overlay, name, sa["metadata"]["name"]))
        psc = pod.get("securityContext", {})
        for c in pod.get("initContainers", []) + pod["containers"]:
            csc = c.get("securityContext", {})
            check(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 65532
                  and csc.get("allowPrivilegeEscalation") is False and csc.get("readOnlyRootFilesystem") is True
                  and csc.get("capabilities", {}).get("drop") == ["ALL"]
                  and c.get("envFrom") == [{"configMapRef": {"name": cm["metadata"]["name"]}}],
                  "%s: %s/%s: restricted security context, the settings as env" % (overlay, name, c["name"]))
            mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
            vols = {v["name"]: v for v in pod.get("volumes", [])}
            check(vols.get("data", {}).get("persistentVolumeClaim", {}).get("claimName") == pvc["metadata"]["name"]
                  and mounts.get("data") == "/data",
                  "%s: %s/%s mounts the shared volume at /data" % (overlay, name, c["name"]))
        env = dict(settings, JOB_COMPLETION_INDEX="0")
        argvs[name] = run_sh(pod["containers"][0], env)[0]
    scan = jobs["ecraudit-org-scan"]["spec"]
    check(scan.get("completionMode") == "Indexed" and scan.get("completions", 0) >= 1 and
          scan.get("parallelism", 0) >= 1 and scan.get("backoffLimitPerIndex", 0) >= 1,
          "%s: the scan Job is Indexed, with completions, parallelism and a retry per index" % overlay)
    run_dir = "/data/" + settings["RUN"]
    check(argvs["ecraudit-org-list"][:4] == ["collect", "--org", "--out", run_dir] and
          "--role-name" not in argvs["ecraudit-org-list"],
          "%s: the list Job writes the organisation evidence only (%s)" % (overlay, argvs["ecraudit-org-list"]))
    per_index = ["scan", "--org", "--out", run_dir, "--role-name", settings["ROLE_NAME"],
                 "--account-index", "0", "--format", "json"]
    a = argvs["ecraudit-org-scan"]
    check(a[:len(per_index)] == per_index,
          "%s: a scan pod runs the per-index command with JOB_COMPLETION_INDEX (%s)" % (overlay, a))
    # scripts/org-local.sh runs the very same command (with its own OUT and role name)
    lst = os.path.join(tmp, "local", "organization")
    os.makedirs(lst, exist_ok=True)
    open(os.path.join(lst, "account-ids.txt"), "w").write("111122223333\n")
    subprocess.run([os.path.join(src, "scripts/org-local.sh"), "--reuse-list", "--out",
                    os.path.join(tmp, "local"), "--role-name", settings["ROLE_NAME"], "--jobs", "1",
                    "--", "--region", settings["AWS_REGION"]],
                   env={"PATH": "/usr/bin:/bin", "ECRAUDIT": os.path.join(tmp, "stub", "ecraudit")},
                   capture_output=True, check=False, timeout=60)
    local = open(os.path.join(tmp, "argv")).read().splitlines() if os.path.exists(os.path.join(tmp, "argv")) else []
    want_local = [run_dir if x == run_dir else x for x in per_index]
    want_local[3] = os.path.join(tmp, "local")
    check(local[:len(per_index)] == want_local and local[len(per_index):] == a[len(per_index):],
          "%s: scripts/org-local.sh runs the scan pods' command (%s)" % (overlay, local))
    for name in ("ecraudit-org-scan",):
        r = subprocess.run([binary] + a + ["--help"], capture_output=True, text=True)
        check(r.returncode == 0 and r.stdout.startswith("usage: ecraudit scan"),
              "%s: the real ecraudit accepts the scan pods' arguments (%s)" % (overlay, r.stderr.strip()))
    r = subprocess.run([binary] + argvs["ecraudit-org-list"] + ["--help"], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout.startswith("usage: ecraudit collect"),
          "%s: the real ecraudit accepts the list Job's arguments (%s)" % (overlay, r.stderr.strip()))
    m = argvs["ecraudit-org-merge"]
    check(m[:3] == ["merge", "--out", run_dir + "/report"],
          "%s: the merge Job runs ecraudit merge into %s/report (%s)" % (overlay, run_dir, m))
    ann = sa["metadata"].get("annotations", {}) or {}
    if overlay == "org":
        org_role = ann.get("eks.amazonaws.com/role-arn", "")
        check(re.fullmatch(r"arn:aws:iam::\d{12}:role/[\w+=,.@/-]+", org_role) is not None,
              "org: the service account names the auditor role (IRSA)")
        org_settings = settings
    else:
        check("eks.amazonaws.com/role-arn" not in ann, "org/pod-identity: no IRSA annotation")

# the auditor's policy allows what collect --org asked with its credentials; the members'
# role trusts the auditor role
opol = json.load(open(os.path.join(src, "deploy/aws/org-policy.json")))
oallowed = {}
for st in opol["Statement"]:
    acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
    for a_ in acts:
        oallowed[a_.lower()] = st["Resource"]
ocalls = set()
for line in open(os.path.join(tmp, "org-calls.log")):
    e = json.loads(line)
    if e.get("signed") and e.get("access_key") == auditor_key and e.get("op"):
        ocalls.add("%s:%s" % (e["service"], e["op"]))
ocalls.discard("sts:GetCallerIdentity")
check("sts:AssumeRole" in ocalls and any(c.startswith("organizations:") for c in ocalls),
      "collect --org asked Organizations and sts:AssumeRole with the auditor's credentials (%s)" % sorted(ocalls))
check(all(c.lower() in oallowed for c in ocalls),
      "deploy/aws/org-policy.json allows them (missing: %s)" % sorted(c for c in ocalls if c.lower() not in oallowed))
check(all(a_.startswith(("organizations:describe", "organizations:list")) or a_ == "sts:assumerole" for a_ in oallowed),
      "org-policy.json: Organizations reads and sts:AssumeRole only")
check(oallowed.get("sts:assumerole") == "arn:aws:iam::*:role/" + org_settings["ROLE_NAME"],
      "org-policy.json: AssumeRole only into the settings' ROLE_NAME")
tm = json.load(open(os.path.join(src, "deploy/aws/trust-org-member.json")))
check(tm["Statement"][0]["Principal"] == {"AWS": org_role} and tm["Statement"][0]["Action"] == "sts:AssumeRole",
      "trust-org-member.json trusts the org service account's role")

# ---- IAM policies ------------------------------------------------------------------
pol = json.load(open(os.path.join(src, "deploy/aws/iam-policy.json")))
readme = open(os.path.join(src, "README.md")).read()
m = re.search(r"\*\*Minimal read-only IAM policy\*\*.*?```json\n(.*?)```", readme, re.S)
check(m is not None and json.loads(m.group(1)) == pol, "deploy/aws/iam-policy.json is the README's policy")
allowed = set()
for st in pol["Statement"]:
    check(st["Effect"] == "Allow" and st.get("Resource") == "*", "policy statement %s: Allow on *" % st.get("Sid"))
    acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
    allowed |= {a.lower() for a in acts}
# read-only: Get/List/Describe, plus iam:GenerateCredentialReport and
# iam:GenerateServiceLastAccessedDetails (access level Read in the Service Authorization
# Reference: they only start a report or an Access Advisor job)
generate = {"iam:generatecredentialreport", "iam:generateservicelastaccesseddetails"}
check(all(re.match(r"^[a-z0-9-]+:(get|list|describe)", a) or a in generate for a in allowed),
      "the policy is read-only (Get/List/Describe, the two IAM Generate calls): %s" % sorted(allowed))
calls = set()
for line in open(os.path.join(tmp, "calls.log")):
    e = json.loads(line)
    if e.get("signed") and e.get("service") and e.get("op"):
        calls.add("%s:%s" % (e["service"], e["op"]))
calls.discard("sts:GetCallerIdentity")  # needs no permission
check(len(calls) >= 5, "collect made %d kinds of signed calls" % len(calls))
missing = sorted(c for c in calls if c.lower() not in allowed)
check(not missing, "the policy allows every call collect makes (missing: %s)" % missing)
trust = json.load(open(os.path.join(src, "deploy/aws/trust-irsa.json")))
cond = json.dumps(trust["Statement"][0].get("Condition", {}))
check("system:serviceaccount:%s:%s" % sa_irsa in cond and
      trust["Statement"][0]["Action"] == "sts:AssumeRoleWithWebIdentity",
      "trust-irsa.json pins system:serviceaccount:%s:%s" % sa_irsa)
tpi = json.load(open(os.path.join(src, "deploy/aws/trust-pod-identity.json")))
check(tpi["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"} and
      "sts:TagSession" in tpi["Statement"][0]["Action"],
      "trust-pod-identity.json trusts pods.eks.amazonaws.com (AssumeRole + TagSession)")

# ---- Dockerfile ------------------------------------------------------------------------
df = open(os.path.join(src, "Dockerfile")).read()
froms = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", df, re.M)
check(len(froms) == 2 and froms[0][0] == "debian:12" and froms[1][0] == "debian:12-slim",
      "Dockerfile: debian:12 build stage, debian:12-slim runtime (%s)" % froms)
stages = df.split("\nFROM ")
runtime = stages[-1]
check(re.search(r"apt-get install[^\n]*(\\\n[^\n]*)*/tmp/ecraudit_\*\.deb", runtime) is not None,
      "Dockerfile: the runtime installs the .deb (its Depends bring the libraries and the font)")
check(re.search(r"^USER 65532:65532$", runtime, re.M) is not None,
      "Dockerfile: runs as 65532, the CronJob's runAsUser")
check('ENTRYPOINT ["ecraudit"]' in runtime, "Dockerfile: ENTRYPOINT ecraudit")
build = stages[1] if len(stages) == 3 else ""
pkgs = set(re.findall(r"\b(lib[a-z0-9.+-]+-dev|build-essential|cmake|pkg-config)\b", build))
ci = {l.strip() for l in open(os.path.join(src, ".ci/packages.txt")) if l.strip() and not l.startswith("#")}
check(pkgs and pkgs <= ci, "Dockerfile build packages are the CI's (%s)" % sorted(pkgs - ci))
sys.exit(1 if bad else 0)
PYEOF

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  if docker build -q -t ecraudit-test "$ECR_SRC" >"$tmp/docker.log" 2>&1 &&
     docker run --rm ecraudit-test --version | grep -q '^ecraudit '; then
    echo "ok: docker build + run --version"
  else
    echo "FAIL: docker build: $(tail -5 "$tmp/docker.log")"; fails=$((fails + 1))
  fi
else
  echo "note: no docker daemon here: the image is not built (the checks above are static)"
fi

[ $fails -eq 0 ] && echo "all deploy checks passed" || { echo "$fails check(s) failed"; exit 1; }
