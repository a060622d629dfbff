#!/usr/bin/python3
"""Loopback stand-in for STS, IAM, ECR and Organizations, for tests only.

Serves the evidence of a bundle directory (DESIGN.md layout: the AWS CLI's
JSON) in the services' wire formats: IAM and STS as Query-protocol XML with
URL-encoded policy documents, ECR and Organizations as JSON 1.1 with
nextToken pages. Every request's SigV4 signature is recomputed with
botocore's own implementation (botocore.auth.SigV4Auth) and a mismatch is
answered with 403 SignatureDoesNotMatch.

Behaviour for tests:
  * IAM answers in pages of --iam-page-size items (Marker/IsTruncated).
  * ECR DescribeRepositories answers in pages of --ecr-page-size.
  * The first GetAccountAuthorizationDetails and the first
    DescribeRepositories are throttled (Throttling / ThrottlingException),
    the first GetRegistryPolicy answers 503.
  * GetRepositoryPolicy is denied (AccessDeniedException) for every
    repository listed as an ecr:GetRepositoryPolicy gap in the bundle's
    manifest.json, plus --deny-repo NAME.
  * --deny-iam answers AccessDenied to GetAccountAuthorizationDetails.
  * --iam-marker-loop / --ecr-token-loop / --eks-token-loop repeat a pagination token,
    --ecr-no-repositories answers DescribeRepositories with 200 and {},
    --stall-op OP sends the headers of OP's answer and then nothing.
  * organizations/scps.json present -> Organizations is served from it,
    otherwise AWSOrganizationsNotInUseException.
  * sts:AssumeRole issues temporary credentials (with a session token) for
    any role ARN of the account; they are accepted afterwards.
  * Credential endpoints, each issuing temporary credentials that expire after
    --credential-lifetime seconds (afterwards: 403 ExpiredToken):
      - sts:AssumeRoleWithWebIdentity, unsigned, for --web-identity-token;
      - GET /container/credentials (ECS / EKS Pod Identity shape), needs
        "Authorization: --container-token";
      - IMDSv2: PUT /latest/api/token, then GET
        /latest/meta-data/iam/security-credentials/[ROLE] with the token
        (requests without it: 401, as an instance with IMDSv2 required);
      - the SSO portal: GET /federation/credentials?account_id=&role_name=
        with "x-amz-sso_bearer_token: --sso-token"; SSO OIDC POST /token
        (grant refresh_token with --sso-refresh-token) answers --sso-token.
  * --delay-ms slows every signed request (long collections).
  * ec2:DescribeRegions (for --region all): the bundle's regions and eu-north-1.
  * ecr:ListTagsForResource (from ecr/<region>/repository-tags.json, else no
    tags), iam:GenerateCredentialReport and GetCredentialReport (a report of the
    bundle's users), organizations DescribeOrganization (organization.json, else
    an organization o-fake managed by the account), ListAccounts (accounts.json,
    else the account alone; one account a page, JoinedTimestamp as epoch
    seconds) and ListPoliciesForTarget honouring Filter (RESOURCE_CONTROL_POLICY:
    rcps.json, else PolicyTypeNotEnabledException).
  * iam:GenerateServiceLastAccessedDetails / GetServiceLastAccessedDetails (usage_*):
    every job is IN_PROGRESS on its first poll, then COMPLETED with an S3 entry and the
    principal's entries of iam/service-last-accessed.json (pages of --usage-page-size);
    FAILED for --usage-fail ARN and for principals that a bundle with that file omits.
  * EKS (REST-JSON GETs, signed for "eks"): ListClusters, DescribeCluster,
    ListPodIdentityAssociations and DescribePodIdentityAssociation from
    eks/<region>/clusters.json and pod-identity-associations.json (no file: no
    clusters), one item a page (nextToken), timestamps as epoch seconds; the
    request's query parameters must be ones botocore's eks model names.
  * --deny-op OP answers AccessDeniedException to every call of OP (ECR,
    Organizations, EKS): the collector must record gaps.
  * --org DIR: an organisation (see "Organisation stand-in" below): DIR/organization/
    (organization.json, accounts.json, <id>-scps.json, <id>-rcps.json) answers
    Organizations for the --bundle's (management) credentials, and sts:AssumeRole
    into arn:aws:iam::<id>:role/NAME of an ACTIVE account with DIR/accounts/<id>/
    issues credentials that are served that bundle (STS, IAM, ECR, EKS);
    --refuse-account ID answers that account's AssumeRole with AccessDenied,
    --throttle-account ID with Throttling, every time.

Every request is logged as one JSON line to --log:
  {"service","op","status","error","access_key","signed":true|false}
  (Access Advisor calls add "principal", and "in_flight" / "poll": jobs running, poll number)
The chosen port is written to --port-file once the server listens.
"""

import argparse
import base64
import datetime
import json
import os
import secrets
import sys
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

DOC_KEYS = {"PolicyDocument", "AssumeRolePolicyDocument", "Document"}
EKS_QUERY_NAMES = {"ListClusters": {"maxResults", "nextToken", "include"},
                   "DescribeCluster": set(),
                   "ListPodIdentityAssociations": {"namespace", "serviceAccount", "maxResults",
                                                   "nextToken"},
                   "DescribePodIdentityAssociation": set()}
_eks_model = []


def eks_model():
    if not _eks_model:
        _eks_model.append(botocore.session.get_session().get_service_model("eks"))
    return _eks_model[0]
TIME_KEYS = {"CreateDate", "UpdateDate", "LastUsedDate"}
USAGE_OPS = {"GenerateServiceLastAccessedDetails", "GetServiceLastAccessedDetails"}
IAM_RESULT_KEYS = ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"]


def load_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def iso_to_wire(s):
    """CLI ISO 8601 ("...+00:00") -> IAM wire form ("...Z")."""
    try:
        d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return s
    d = d.astimezone(datetime.timezone.utc)
    text = d.strftime("%Y-%m-%dT%H:%M:%S")
    if d.microsecond:
        text += ".%03d" % (d.microsecond // 1000)
    return text + "Z"


def iso_to_epoch(s):
    if isinstance(s, (int, float)):
        return s
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return d.timestamp()


def to_xml(name, value):
    """CLI JSON -> Query-protocol XML element."""
    if isinstance(value, list):
        inner = "".join(to_xml("member", v) for v in value)
        return "<%s>%s</%s>" % (name, inner, name)
    if isinstance(value, dict):
        if name in DOC_KEYS:
            text = urllib.parse.quote(json.dumps(value), safe="-_.~*'()!")
            return "<%s>%s</%s>" % (name, escape(text), name)
        inner = "".join(to_xml(k, v) for k, v in value.items())
        return "<%s>%s</%s>" % (name, inner, name)
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = ""
    elif name in TIME_KEYS:
        text = iso_to_wire(value)
    elif name in DOC_KEYS and isinstance(value, str):
        text = value  # a bundle's string document is already URL-encoded, as the API sends it
    else:
        text = str(value)
    return "<%s>%s</%s>" % (name, escape(text), name)


class State:
    def __init__(self, args):
        self.args = args
        self.bundle = args.bundle
        self.lock = threading.Lock()
        self.identity = load_json(os.path.join(self.bundle, "sts/caller-identity.json"))
        self.account = self.identity["Account"]
        self.iam = load_json(os.path.join(self.bundle, "iam/account-authorization-details.json"))
        self.scps = load_json(os.path.join(self.bundle, "organizations/scps.json"))
        manifest = load_json(os.path.join(self.bundle, "manifest.json"), {}) or {}
        # repository name -> (error code, message): the served gaps come back as they were
        self.denied_repos = {}
        for gap in manifest.get("gaps", []):
            if gap.get("source") == "ecr:GetRepositoryPolicy":
                arn = gap.get("resource", "")
                code, sep, msg = gap.get("error", "").partition(": ")
                if not sep or not code.isalnum():
                    code, msg = "AccessDeniedException", gap.get("error", "")
                self.denied_repos[arn.split(":repository/", 1)[-1]] = (code, msg)
        for name in args.deny_repo or []:
            self.denied_repos[name] = (
                "AccessDeniedException",
                "User is not authorized to perform: ecr:GetRepositoryPolicy on %s" % name)
        # access key -> (secret, token, (role, session) or None, expires epoch or None)
        self.creds = {args.access_key: (args.secret_key, args.session_token or None, None, None)}
        self.throttled = set()
        self.imds_tokens = set()
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None
        self.usage_jobs = {}  # JobId -> {"arn", "granularity", "polls"} (usage_* handlers)
        self.usage_known = None  # ARNs of the bundle's users and roles
        self.usage_dates = {}  # ARN -> (JobCreationDate, JobCompletionDate) of the bundle's file

    def ecr(self, region):
        base = os.path.join(self.bundle, "ecr", region)
        repos = (load_json(os.path.join(base, "repositories.json"), {}) or {}).get(
            "repositories", []
        )
        pols = load_json(os.path.join(base, "repository-policies.json"), []) or []
        registry = load_json(os.path.join(base, "registry-policy.json"))
        return repos, {p["repositoryName"]: p for p in pols}, registry

    def issue(self, role, session):
        """New temporary credentials for role/session: (ak, secret, token, expiration ISO)."""
        new_ak = "ASIAFAKE" + secrets.token_hex(6).upper()
        new_secret = secrets.token_urlsafe(30)
        new_token = "FQoFAKE" + secrets.token_urlsafe(60)
        now = datetime.datetime.now(datetime.timezone.utc)
        exp = now + datetime.timedelta(seconds=self.args.credential_lifetime)
        with self.lock:
            self.creds[new_ak] = (new_secret, new_token, (role, session), exp.timestamp())
            if self.args.issued_log:  # for the tests' "no secret in any output" checks
                with open(self.args.issued_log, "a", encoding="utf-8") as f:
                    f.write("%s\n%s\n" % (new_secret, new_token))
        return new_ak, new_secret, new_token, exp.strftime("%Y-%m-%dT%H:%M:%SZ")

    def once(self, key):
        with self.lock:
            if key in self.throttled:
                return False
            self.throttled.add(key)
            return True

    def record(self, entry):
        """One log line per request (the first call wins: send() logs before the body)."""
        if entry.get("_logged"):
            return
        line = json.dumps(entry)
        entry["_logged"] = True
        if self.log:
            with self.lock:
                self.log.write(line + "\n")
                self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    state = None

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    # ---- responses ----------------------------------------------------
    def send(self, status, body, ctype, extra=None):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "fake-" + secrets.token_hex(4))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.entry.get("op") in (self.state.args.stall_op or []):
            # headers sent, then nothing: a server that stalls mid-response
            self.wfile.flush()
            self.entry["stalled"] = True
            self.entry["status"] = status
            self.state.record(self.entry)
            import time
            time.sleep(3600)
        self.entry["status"] = status
        # logged before the body goes out: a client that has its answer finds it in the log
        self.state.record(self.entry)
        self.wfile.write(data)

    def xml_ok(self, op, inner, ns):
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<%sResponse xmlns="%s"><%sResult>%s</%sResult>'
            "<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></%sResponse>"
            % (op, ns, op, inner, op, op)
        )
        self.send(200, body, "text/xml")

    def xml_error(self, status, code, message):
        self.entry["error"] = code
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type>'
            "<Code>%s</Code><Message>%s</Message></Error><RequestId>fake</RequestId>"
            "</ErrorResponse>" % (escape(code), escape(message))
        )
        self.send(status, body, "text/xml")

    def json_ok(self, obj):
        self.send(200, json.dumps(obj), "application/x-amz-json-1.1")

    def json_error(self, status, code, message):
        self.entry["error"] = code
        body = json.dumps({"__type": code, "message": message})
        self.send(status, body, "application/x-amz-json-1.1", {"x-amzn-ErrorType": code})

    # ---- signature check with botocore ----------------------------------
    def verify(self, body):
        """Returns (service, region, access_key) or None after answering 403."""
        authz = self.headers.get("Authorization", "")
        prefix = "AWS4-HMAC-SHA256 "
        if not authz.startswith(prefix):
            return self.deny_sig("missing or non-SigV4 Authorization header")
        parts = {}
        for item in authz[len(prefix):].split(","):
            k, _, v = item.strip().partition("=")
            parts[k] = v
        try:
            ak, date, region, service, term = parts["Credential"].split("/")
            signed = parts["SignedHeaders"].split(";")
            signature = parts["Signature"]
        except (KeyError, ValueError):
            return self.deny_sig("malformed Authorization header")
        self.entry.update(service=service, access_key=ak)
        known = self.state.creds.get(ak)
        if not known:
            return self.deny_sig("unknown access key", "InvalidClientTokenId")
        secret, token, role, expires = known
        if expires is not None and datetime.datetime.utcnow().timestamp() > expires:
            return self.deny_sig("credentials expired", "ExpiredToken")
        amz_date = self.headers.get("X-Amz-Date", "")
        if term != "aws4_request" or amz_date[:8] != date:
            return self.deny_sig("credential scope does not match X-Amz-Date")
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
        except ValueError:
            return self.deny_sig("bad X-Amz-Date")
        if abs((datetime.datetime.utcnow() - when).total_seconds()) > 900:
            return self.deny_sig("request time too skewed")
        must = {"host", "x-amz-date"}
        if self.command == "POST":
            must.add("content-type")
        if "X-Amz-Target" in self.headers:
            must.add("x-amz-target")
        if token is not None:
            must.add("x-amz-security-token")
            if self.headers.get("X-Amz-Security-Token") != token:
                return self.deny_sig("missing or wrong session token", "InvalidClientTokenId")
        elif "X-Amz-Security-Token" in self.headers:
            return self.deny_sig("unexpected session token", "InvalidClientTokenId")
        if not must.issubset(signed):
            return self.deny_sig("headers not signed: %s" % sorted(must - set(signed)))
        headers = {}
        for name in signed:
            value = self.headers.get_all(name)
            if value is None:
                return self.deny_sig("signed header %s not sent" % name)
            headers[name] = ",".join(value)
        url = "http://%s%s" % (self.headers["Host"], self.path)
        req = AWSRequest(method=self.command, url=url, data=body, headers=headers)
        req.context["timestamp"] = amz_date
        auth = SigV4Auth(Credentials(ak, secret, token), service, region)
        if auth.signed_headers(auth.headers_to_sign(req)) != parts["SignedHeaders"]:
            return self.deny_sig("SignedHeaders list is not canonical")
        canonical = auth.canonical_request(req)
        expected = auth.signature(auth.string_to_sign(req, canonical), req)
        if not secrets.compare_digest(expected, signature):
            return self.deny_sig("signature mismatch")
        self.entry["signed"] = True
        return service, region, ak, role

    def deny_sig(self, why, code="SignatureDoesNotMatch"):
        self.entry["why"] = why
        if "X-Amz-Target" in self.headers:
            self.json_error(403, code, why)
        else:
            self.xml_error(403, code, why)
        return None

    # ---- dispatch --------------------------------------------------------
    def do_POST(self):
        self.entry = {"signed": False}
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        try:
            if "Authorization" not in self.headers and self.path == "/token":
                self.entry.update(service="sso-oidc", op="CreateToken")
                self.create_token(json.loads(body or b"{}"))
                self.state.record(self.entry)
                return
            if "Authorization" not in self.headers and b"Action=AssumeRoleWithWebIdentity" in body:
                params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8")).items()}
                self.entry.update(service="sts", op="AssumeRoleWithWebIdentity")
                self.web_identity(params)
                self.state.record(self.entry)
                return
            if self.state.args.delay_ms:
                threading.Event().wait(self.state.args.delay_ms / 1000.0)
            got = self.verify(body)
            if got:
                service, region, ak, role = got
                org = org_of(self.state)
                if org:
                    self.state = org.state_for(self.state, ak)  # this request only
                target = self.headers.get("X-Amz-Target")
                if target:
                    op = target.split(".", 1)[-1]
                    self.entry["op"] = op
                    params = json.loads(body or b"{}")
                    if op in (self.state.args.deny_op or []):
                        self.json_error(400, "AccessDeniedException",
                                        "User is not authorized to perform: %s:%s" % (service, op))
                    elif service == "ecr":
                        self.ecr(op, params, region)
                    elif service == "organizations" and org_of(self.state):
                        org_orgs(self, org_of(self.state), op, params)
                    elif service == "organizations":
                        self.orgs(op, params)
                    else:
                        self.json_error(400, "UnknownOperationException", target)
                else:
                    params = {
                        k: v[0]
                        for k, v in urllib.parse.parse_qs(
                            body.decode("utf-8"), keep_blank_values=True
                        ).items()
                    }
                    op = params.get("Action", "")
                    self.entry["op"] = op
                    if service == "sts" and op == "AssumeRole" and org_of(self.state) and \
                            org_of(self.state).handles_assume(params):
                        org_assume_role(self, org_of(self.state), params)
                    elif service == "sts":
                        self.sts(op, params, ak, role)
                    elif service == "iam":
                        self.iam(op, params)
                    elif service == "ec2":
                        self.ec2(op, params)
                    else:
                        self.xml_error(400, "InvalidAction", op)
        except Exception as e:  # report, never hang the client
            self.entry["exception"] = repr(e)
            self.json_error(500, "InternalFailure", "stand-in error: %r" % (e,))
        self.state.record(self.entry)

    # ---- credential endpoints ---------------------------------------------
    def web_identity(self, p):
        ns = "https://sts.amazonaws.com/doc/2011-06-15/"
        acct = self.state.account
        arn = p.get("RoleArn", "")
        want = self.state.args.web_identity_token
        if not want or not secrets.compare_digest(p.get("WebIdentityToken", ""), want):
            return self.xml_error(400, "InvalidIdentityToken", "the web identity token is not valid")
        if not arn.startswith("arn:aws:iam::%s:role/" % acct) or not p.get("RoleSessionName"):
            return self.xml_error(403, "AccessDenied",
                                  "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        name = arn.rsplit("/", 1)[-1]
        ak, sk, tok, exp = self.state.issue(name, p["RoleSessionName"])
        self.entry["issued"] = ak
        inner = (
            "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
            "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
            "<SubjectFromWebIdentityToken>system:serviceaccount:audit:ecraudit"
            "</SubjectFromWebIdentityToken>"
            "<AssumedRoleUser><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn>"
            "<AssumedRoleId>AROAFAKE:%s</AssumedRoleId></AssumedRoleUser>"
            % (ak, sk, tok, exp, acct, name, escape(p["RoleSessionName"]),
               escape(p["RoleSessionName"])))
        return self.xml_ok("AssumeRoleWithWebIdentity", inner, ns)

    def create_token(self, p):
        """SSO OIDC CreateToken, grant refresh_token: --sso-refresh-token -> --sso-token."""
        want = self.state.args.sso_refresh_token
        if (p.get("grantType") != "refresh_token" or not want or p.get("refreshToken") != want
                or not p.get("clientId") or not p.get("clientSecret")):
            return self.plain_json(400, {"error": "invalid_grant", "message": "Invalid refresh token"})
        return self.plain_json(200, {"accessToken": self.state.args.sso_token, "expiresIn": 3600,
                                     "tokenType": "Bearer", "refreshToken": want})

    def plain_json(self, status, obj):
        self.send(status, json.dumps(obj), "application/json")

    def do_GET(self):
        self.entry = {"signed": False, "method": "GET"}
        try:
            if self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
                if self.state.args.delay_ms:
                    threading.Event().wait(self.state.args.delay_ms / 1000.0)
                got = self.verify(b"")
                if got:
                    service, region = got[0], got[1]
                    if service == "eks":
                        self.eks(region)
                    else:
                        self.entry["op"] = "GET " + self.path
                        self.json_error(400, "UnknownOperationException", self.path)
                self.state.record(self.entry)
                return
            self.credential_get()
        except Exception as e:  # report, never hang the client
            self.entry["exception"] = repr(e)
            self.plain_json(500, {"message": "stand-in error: %r" % (e,)})
        self.state.record(self.entry)

    def do_PUT(self):
        self.entry = {"signed": False, "method": "PUT", "op": "IMDSToken"}
        length = int(self.headers.get("Content-Length", "0"))
        if length:
            self.rfile.read(length)
        if self.path != "/latest/api/token":
            self.send(404, "", "text/plain")
        elif not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.send(400, "", "text/plain")
        else:
            tok = "imds-" + secrets.token_urlsafe(24)
            with self.state.lock:
                self.state.imds_tokens.add(tok)
            self.send(200, tok, "text/plain")
        self.state.record(self.entry)

    def credential_get(self):
        url = urllib.parse.urlsplit(self.path)
        args = self.state.args
        if url.path == "/container/credentials":
            self.entry["op"] = "ContainerCredentials"
            want = args.container_token
            if not want or self.headers.get("Authorization") != want:
                return self.plain_json(403, {"code": "AccessDenied",
                                             "message": "Authorization token is missing or wrong"})
            ak, sk, tok, exp = self.state.issue("container-role", "container")
            self.entry["issued"] = ak
            return self.plain_json(200, {"AccessKeyId": ak, "SecretAccessKey": sk, "Token": tok,
                                         "Expiration": exp, "RoleArn": "arn:aws:iam::%s:role/container-role" % self.state.account})
        if url.path.startswith("/latest/meta-data/iam/security-credentials/"):
            self.entry["op"] = "IMDSCredentials"
            if self.headers.get("X-aws-ec2-metadata-token") not in self.state.imds_tokens:
                return self.send(401, "", "text/plain")
            role = url.path[len("/latest/meta-data/iam/security-credentials/"):]
            if not role:
                return self.send(200, "jenkins-role", "text/plain")
            if role != "jenkins-role":
                return self.send(404, "", "text/plain")
            ak, sk, tok, exp = self.state.issue("jenkins-role", "i-0fake")
            self.entry["issued"] = ak
            return self.plain_json(200, {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": ak,
                                         "SecretAccessKey": sk, "Token": tok, "Expiration": exp,
                                         "LastUpdated": exp})
        if url.path == "/federation/credentials":
            self.entry["op"] = "GetRoleCredentials"
            q = dict(urllib.parse.parse_qsl(url.query))
            want = args.sso_token
            if not want or self.headers.get("x-amz-sso_bearer_token") != want:
                return self.plain_json(401, {"message": "Session token not found or invalid"})
            if q.get("account_id") != self.state.account or not q.get("role_name"):
                return self.plain_json(403, {"message": "No access"})
            ak, sk, tok, exp = self.state.issue(q["role_name"], "sso-user")
            self.entry["issued"] = ak
            exp_ms = int(datetime.datetime.fromisoformat(exp.replace("Z", "+00:00")).timestamp() * 1000)
            return self.plain_json(200, {"roleCredentials": {
                "accessKeyId": ak, "secretAccessKey": sk, "sessionToken": tok,
                "expiration": exp_ms}})
        self.entry["op"] = "GET " + url.path
        return self.send(404, "", "text/plain")

    # ---- STS -------------------------------------------------------------
    def sts(self, op, p, ak, role):
        ns = "https://sts.amazonaws.com/doc/2011-06-15/"
        acct = self.state.account
        if op == "GetCallerIdentity":
            if role:
                ident = {
                    "Arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role[0], role[1]),
                    "UserId": "AROAFAKE:%s" % role[1],
                    "Account": acct,
                }
            else:
                ident = self.state.identity
            inner = "".join(to_xml(k, ident[k]) for k in ("Arn", "UserId", "Account"))
            return self.xml_ok(op, inner, ns)
        if op == "AssumeRole":
            arn = p.get("RoleArn", "")
            if not arn.startswith("arn:aws:iam::%s:role/" % acct) or not p.get("RoleSessionName"):
                return self.xml_error(403, "AccessDenied", "not authorized to assume %s" % arn)
            name = arn.rsplit("/", 1)[-1]
            new_ak, new_secret, new_token, exp = self.state.issue(name, p["RoleSessionName"])
            inner = (
                "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
                "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
                "<AssumedRoleUser><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn>"
                "<AssumedRoleId>AROAFAKE:%s</AssumedRoleId></AssumedRoleUser>"
                % (new_ak, new_secret, new_token, exp, acct, name,
                   escape(p["RoleSessionName"]), escape(p["RoleSessionName"]))
            )
            return self.xml_ok(op, inner, ns)
        return self.xml_error(400, "InvalidAction", op)

    # ---- IAM -------------------------------------------------------------
    def iam(self, op, p):
        ns = "https://iam.amazonaws.com/doc/2010-05-08/"
        if op == "GenerateCredentialReport":
            return self.xml_ok(op, "<State>COMPLETE</State><Description>fake</Description>", ns)
        if op == "GetCredentialReport":
            report = load_json(os.path.join(self.state.bundle, "iam/credential-report.json"))
            if report is not None:
                return self.xml_ok(op, "<Content>%s</Content><ReportFormat>%s</ReportFormat>"
                                   "<GeneratedTime>%s</GeneratedTime>" % (
                                       report["Content"], report.get("ReportFormat", "text/csv"),
                                       iso_to_wire(report.get("GeneratedTime", "2026-11-20T09:00:00Z"))), ns)
            cols = ["user", "arn", "user_creation_time", "password_enabled", "password_last_used",
                    "access_key_1_active", "access_key_1_last_used_date"]
            rows = [",".join(cols)]
            for u in self.state.iam.get("UserDetailList", []):
                rows.append(",".join([u["UserName"], u["Arn"], iso_to_wire(u.get("CreateDate", "")),
                                      "false", "N/A", "false", "N/A"]))
            content = base64.b64encode(("\n".join(rows) + "\n").encode()).decode()
            return self.xml_ok(op, "<Content>%s</Content><ReportFormat>text/csv</ReportFormat>"
                               "<GeneratedTime>2026-11-20T09:00:00Z</GeneratedTime>" % content, ns)
        if op in USAGE_OPS:  # Access Advisor jobs: usage_* below
            return self.usage_dispatch(op, p, ns)
        if op != "GetAccountAuthorizationDetails":
            return self.xml_error(400, "InvalidAction", op)
        if self.state.args.deny_iam:
            return self.xml_error(
                403, "AccessDenied",
                "User is not authorized to perform: iam:GetAccountAuthorizationDetails")
        if self.state.once("iam-throttle"):
            return self.xml_error(400, "Throttling", "Rate exceeded")
        items = [(k, v) for k in IAM_RESULT_KEYS for v in self.state.iam.get(k, [])]
        start = 0
        if p.get("Marker"):
            start = int(base64.b64decode(p["Marker"]).decode())
        size = self.state.args.iam_page_size
        if p.get("MaxItems"):
            size = min(size, int(p["MaxItems"]))
        page = items[start:start + size]
        inner = ""
        for key in IAM_RESULT_KEYS:
            inner += to_xml(key, [v for k, v in page if k == key])
        truncated = start + size < len(items)
        inner += "<IsTruncated>%s</IsTruncated>" % ("true" if truncated else "false")
        if self.state.args.iam_marker_loop and truncated:
            start = 0  # the same Marker again and again
        if truncated:
            inner += "<Marker>%s</Marker>" % base64.b64encode(str(start + size).encode()).decode()
        self.xml_ok(op, inner, ns)

    # ---- EC2 (for --region all) --------------------------------------------
    # ---- IAM Access Advisor: service last accessed jobs (issue 21) ------------
    def usage_dispatch(self, op, p, ns):
        if op in (self.state.args.deny_op or []):
            return self.xml_error(403, "AccessDenied",
                                  "User is not authorized to perform: iam:%s" % op)
        if op == "GenerateServiceLastAccessedDetails":
            return self.usage_generate(p, ns)
        return self.usage_get(p, ns)

    def usage_generate(self, p, ns):
        arn, gran = p.get("Arn", ""), p.get("Granularity", "SERVICE_LEVEL")
        if gran not in ("SERVICE_LEVEL", "ACTION_LEVEL"):
            return self.xml_error(400, "InvalidInput", "Granularity must be SERVICE_LEVEL or ACTION_LEVEL")
        with self.state.lock:
            if self.state.usage_known is None:
                self.state.usage_known = {e["Arn"] for k in ("UserDetailList", "RoleDetailList")
                                          for e in self.state.iam.get(k, [])}
        if arn not in self.state.usage_known:
            return self.xml_error(404, "NoSuchEntity", "The entity %s cannot be found." % arn)
        job = str(uuid.uuid4())  # a JobId is 36 characters (botocore checks it)
        self.entry["principal"] = arn
        with self.state.lock:
            self.state.usage_jobs[job] = {"arn": arn, "granularity": gran, "polls": 0}
            self.entry["in_flight"] = len(self.state.usage_jobs)  # jobs not yet finished
        return self.xml_ok("GenerateServiceLastAccessedDetails", "<JobId>%s</JobId>" % job, ns)

    def usage_services(self, arn, gran):
        """ServicesLastAccessed of arn: the bundle's file (its ecr entry), behind one other
        service, so that a collector must look for ECR and may have to page."""
        doc = load_json(os.path.join(self.state.bundle, "iam/service-last-accessed.json"))
        entry = None
        for e in doc or []:
            if e.get("Arn") == arn:
                entry = e
        if doc is not None and entry is None:
            return None  # listed nowhere in a bundle that has the file: the job fails
        if entry:
            self.state.usage_dates[arn] = (entry.get("JobCreationDate"), entry.get("JobCompletionDate"))
        services = [{"ServiceName": "Amazon S3", "ServiceNamespace": "s3",
                     "TotalAuthenticatedEntities": 0}]
        for s in (entry or {}).get("ServicesLastAccessed", []):
            s = dict(s)
            if gran != "ACTION_LEVEL":
                s.pop("TrackedActionsLastAccessed", None)
            services.append(s)
        return services

    def usage_get(self, p, ns):
        op = "GetServiceLastAccessedDetails"
        with self.state.lock:
            job = self.state.usage_jobs.get(p.get("JobId", ""))
            if job:
                job["polls"] += 1
                self.entry.update(principal=job["arn"], poll=job["polls"])
        if not job:
            return self.xml_error(404, "NoSuchEntity", "No job %s" % p.get("JobId", ""))
        created = "2026-11-20T09:00:00Z"
        head = "<JobType>%s</JobType><JobCreationDate>%s</JobCreationDate>" % (job["granularity"], created)
        if job["polls"] == 1:  # every job is in progress once
            return self.xml_ok(op, "<JobStatus>IN_PROGRESS</JobStatus>" + head +
                               "<ServicesLastAccessed/>", ns)
        services = self.usage_services(job["arn"], job["granularity"])
        created, completed = self.state.usage_dates.get(job["arn"], (None, None))
        created = iso_to_wire(created or "2026-11-20T09:00:00Z")
        completed = iso_to_wire(completed or "2026-11-20T09:00:05Z")
        head = "<JobType>%s</JobType><JobCreationDate>%s</JobCreationDate>" % (job["granularity"], created)
        if job["arn"] in (self.state.args.usage_fail or []) or services is None:
            with self.state.lock:
                self.state.usage_jobs.pop(p.get("JobId", ""), None)
            return self.xml_ok(op, "<JobStatus>FAILED</JobStatus>" + head +
                               "<ServicesLastAccessed/><JobCompletionDate>%s</JobCompletionDate>"
                               "<Error><Message>The report for %s could not be generated"
                               "</Message><Code>ServiceFailure</Code></Error>"
                               % (created, escape(job["arn"])), ns)
        start = int(p["Marker"]) if p.get("Marker") else 0
        size = min(int(p.get("MaxItems") or 100), self.state.args.usage_page_size)
        page = services[start:start + size]
        more = start + size < len(services)
        if not more:
            with self.state.lock:
                self.state.usage_jobs.pop(p.get("JobId", ""), None)
        times = {"LastAuthenticated", "LastAccessedTime"}
        def member(v):
            inner = ""
            for k, x in v.items():
                if isinstance(x, list):
                    inner += "<%s>%s</%s>" % (k, "".join(member(i) for i in x), k)
                elif x is not None:
                    inner += "<%s>%s</%s>" % (k, escape(iso_to_wire(x) if k in times else str(x)), k)
            return "<member>%s</member>" % inner
        inner = ("<JobStatus>COMPLETED</JobStatus>" + head +
                 "<ServicesLastAccessed>%s</ServicesLastAccessed>" % "".join(member(s) for s in page) +
                 "<JobCompletionDate>%s</JobCompletionDate>" % completed +
                 "<IsTruncated>%s</IsTruncated>" % ("true" if more else "false"))
        if more:
            inner += "<Marker>%d</Marker>" % (start + size)
        return self.xml_ok(op, inner, ns)

    def ec2(self, op, p):
        ns = "http://ec2.amazonaws.com/doc/2016-11-15/"
        if op != "DescribeRegions":
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>'
                    'InvalidAction</Code><Message>%s</Message></Error></Errors></Response>' % escape(op))
            self.entry["error"] = "InvalidAction"
            return self.send(400, body, "text/xml")
        # the bundle's regions plus one enabled region without repositories
        names = sorted(set(os.listdir(os.path.join(self.state.bundle, "ecr"))) | {"eu-north-1"})
        items = "".join("<item><regionName>%s</regionName><regionEndpoint>ec2.%s.amazonaws.com"
                        "</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>"
                        % (n, n) for n in names)
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<DescribeRegionsResponse xmlns="%s">'
                "<requestId>fake</requestId><regionInfo>%s</regionInfo></DescribeRegionsResponse>"
                % (ns, items))
        self.send(200, body, "text/xml")

    # ---- ECR -------------------------------------------------------------
    def ecr(self, op, p, region):
        repos, pols, registry = self.state.ecr(region)
        if op == "DescribeRepositories":
            if self.state.once("ecr-throttle"):
                return self.json_error(400, "ThrottlingException", "Rate exceeded")
            start = int(p.get("nextToken") or 0)
            size = min(self.state.args.ecr_page_size, int(p.get("maxResults") or 1000))
            out = []
            for r in repos[start:start + size]:
                r = dict(r)
                if "createdAt" in r:
                    r["createdAt"] = iso_to_epoch(r["createdAt"])
                out.append(r)
            resp = {"repositories": out}
            if start + size < len(repos):
                resp["nextToken"] = str(start + size)
            if self.state.args.ecr_token_loop:
                resp["nextToken"] = "0"  # the same token forever: 100,000 pages
            if self.state.args.ecr_no_repositories:
                resp = {}  # HTTP 200 without "repositories"
            return self.json_ok(resp)
        if op == "GetRepositoryPolicy":
            name = p.get("repositoryName")
            if not any(r["repositoryName"] == name for r in repos):
                return self.json_error(400, "RepositoryNotFoundException", name or "")
            if name in self.state.denied_repos:
                code, msg = self.state.denied_repos[name]
                return self.json_error(400, code, msg)
            if name not in pols:
                return self.json_error(
                    400, "RepositoryPolicyNotFoundException",
                    "Repository policy does not exist for the repository with name '%s'" % name)
            return self.json_ok(pols[name])
        if op == "ListTagsForResource":
            arn = p.get("resourceArn", "")
            if not any(r.get("repositoryArn") == arn for r in repos):
                return self.json_error(400, "RepositoryNotFoundException", arn)
            tags = load_json(os.path.join(self.state.bundle, "ecr", region, "repository-tags.json"), []) or []
            for t in tags:
                if t.get("resourceArn") == arn:
                    return self.json_ok({"tags": t.get("tags", [])})
            return self.json_ok({"tags": []})
        if op == "GetRegistryPolicy":
            if self.state.once("ecr-503"):
                return self.json_error(503, "ServiceUnavailableException", "try again")
            if registry is None:
                return self.json_error(400, "RegistryPolicyNotFoundException",
                                       "Registry policy does not exist")
            return self.json_ok(registry)
        return self.json_error(400, "UnknownOperationException", op)

    # ---- EKS (REST-JSON) -------------------------------------------------
    EKS_TIME_KEYS = {"createdAt", "modifiedAt", "activationExpiry"}

    def eks_wire(self, v):
        """CLI JSON -> wire JSON: timestamps as epoch seconds."""
        if isinstance(v, dict):
            return {k: (iso_to_epoch(x) if k in self.EKS_TIME_KEYS and isinstance(x, str)
                        else self.eks_wire(x)) for k, x in v.items()}
        if isinstance(v, list):
            return [self.eks_wire(x) for x in v]
        return v

    def eks_page(self, items, q, key):
        start = int(q.get("nextToken") or 0)
        size = min(1, int(q.get("maxResults") or 100))  # one per page: exercises nextToken
        resp = {key: items[start:start + size]}
        if start + size < len(items):
            resp["nextToken"] = str(start + size)
        if self.state.args.eks_token_loop:
            resp["nextToken"] = "0"  # the same token forever
        return self.json_ok(resp)

    def eks(self, region):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        parts = [urllib.parse.unquote(x) for x in url.path.split("/") if x]
        ops = {1: "ListClusters", 2: "DescribeCluster", 3: "ListPodIdentityAssociations",
               4: "DescribePodIdentityAssociation"}
        op = ops.get(len(parts)) if parts and parts[0] == "clusters" and (
            len(parts) < 3 or parts[2] == "pod-identity-associations") else None
        self.entry["op"] = op or "GET " + url.path
        if op is None:
            return self.json_error(404, "NotFoundException", "no such EKS resource: " + url.path)
        # the query names botocore's eks model gives the operation, nothing else (Debian 12's
        # botocore 1.29 predates Pod Identity: those two fall back to the names of botocore
        # 1.43's model)
        allowed = EKS_QUERY_NAMES[op]
        model = eks_model()
        if op in model.operation_names:
            allowed = {m.serialization.get("name")
                       for m in model.operation_model(op).input_shape.members.values()
                       if m.serialization.get("location") == "querystring"}
        if set(q) - allowed:
            return self.json_error(400, "InvalidParameterException",
                                   "unknown query parameters %s" % sorted(set(q) - allowed))
        if op in (self.state.args.deny_op or []):
            return self.json_error(403, "AccessDeniedException",
                                   "User is not authorized to perform: eks:%s" % op)
        base = os.path.join(self.state.bundle, "eks", region)
        clusters = load_json(os.path.join(base, "clusters.json"), []) or []
        assocs = load_json(os.path.join(base, "pod-identity-associations.json"), []) or []
        by_name = {c["cluster"]["name"]: c for c in clusters}
        if op == "ListClusters":
            return self.eks_page(sorted(by_name), q, "clusters")
        name = parts[1]
        if name not in by_name:
            return self.json_error(404, "ResourceNotFoundException", "No cluster found for name: %s." % name)
        if op == "DescribeCluster":
            return self.json_ok(self.eks_wire(by_name[name]))
        mine = [a["association"] for a in assocs if a["association"].get("clusterName") == name]
        if op == "ListPodIdentityAssociations":
            summary = [{k: a[k] for k in ("clusterName", "namespace", "serviceAccount",
                                          "associationArn", "associationId", "ownerArn") if k in a}
                       for a in mine]
            return self.eks_page(summary, q, "associations")
        one = next((a for a in mine if a.get("associationId") == parts[3]), None)
        if one is None:
            return self.json_error(404, "ResourceNotFoundException", "association %s" % parts[3])
        return self.json_ok(self.eks_wire({"association": one}))

    # ---- Organizations ---------------------------------------------------
    def orgs(self, op, p):
        scps = self.state.scps
        if scps is None:
            return self.json_error(400, "AWSOrganizationsNotInUseException",
                                   "Your account is not a member of an organization.")
        chain = [t["target"] for t in scps]  # root, OUs..., account
        policies = {}
        for t in scps:
            for pol in t["policies"]:
                policies[pol["Id"]] = pol
        for t in load_json(os.path.join(self.state.bundle, "organizations/rcps.json"), []) or []:
            for pol in t["policies"]:
                policies.setdefault(pol["Id"], pol)
        if op == "DescribeOrganization":
            org = load_json(os.path.join(self.state.bundle, "organizations/organization.json"))
            if org is None:
                org = {"Organization": {"Id": "o-fake", "MasterAccountId": self.state.account}}
            return self.json_ok(org)
        if op == "ListParents":
            child = p.get("ChildId")
            if child not in chain or chain.index(child) == 0:
                return self.json_error(400, "ChildNotFoundException", str(child))
            parent = chain[chain.index(child) - 1]
            kind = "ROOT" if parent.startswith("r-") else "ORGANIZATIONAL_UNIT"
            return self.json_ok({"Parents": [{"Id": parent, "Type": kind}]})
        if op == "ListAccounts":
            accts = load_json(os.path.join(self.state.bundle, "organizations/accounts.json"))
            if accts is None:
                accts = {"Accounts": [{"Id": self.state.account, "Arn": "arn:aws:organizations::%s:account/o-fake/%s" % (self.state.account, self.state.account),
                                       "Name": "fake", "Status": "ACTIVE"}]}
            items = accts.get("Accounts", [])
            start = int(p.get("NextToken") or 0)
            page = []
            for a in items[start:start + 1]:  # one per page: exercises NextToken
                a = dict(a)
                if "JoinedTimestamp" in a:
                    a["JoinedTimestamp"] = iso_to_epoch(a["JoinedTimestamp"])
                page.append(a)
            resp = {"Accounts": page}
            if start + 1 < len(items):
                resp["NextToken"] = str(start + 1)
            return self.json_ok(resp)
        if op == "ListPoliciesForTarget" and p.get("Filter") == "RESOURCE_CONTROL_POLICY":
            rcps = load_json(os.path.join(self.state.bundle, "organizations/rcps.json"))
            if rcps is None:
                return self.json_error(400, "PolicyTypeNotEnabledException",
                                       "This operation can be performed only for enabled policy types.")
            scps = rcps
            for t in rcps:
                for pol in t["policies"]:
                    policies[pol["Id"]] = pol
        if op == "ListPoliciesForTarget":
            target = p.get("TargetId")
            entry = next((t for t in scps if t["target"] == target), None)
            if entry is None:
                return self.json_error(400, "TargetNotFoundException", str(target))
            pols = entry["policies"]
            start = int(p.get("NextToken") or 0)
            page = pols[start:start + 1]  # one per page: exercises NextToken
            resp = {"Policies": [{"Id": x["Id"], "Name": x["Name"],
                                  "Type": "SERVICE_CONTROL_POLICY"} for x in page]}
            if start + 1 < len(pols):
                resp["NextToken"] = str(start + 1)
            return self.json_ok(resp)
        if op == "DescribePolicy":
            pol = policies.get(p.get("PolicyId"))
            if pol is None:
                return self.json_error(400, "PolicyNotFoundException", str(p.get("PolicyId")))
            return self.json_ok({"Policy": {"PolicySummary": {"Id": pol["Id"], "Name": pol["Name"],
                                                              "Type": "SERVICE_CONTROL_POLICY"},
                                            "Content": pol["Content"]}})
        return self.json_error(400, "UnknownOperationException", op)


# ---- Organisation stand-in (--org DIR) ------------------------------------
# Kept apart from the single-account server above: the management account is
# --bundle; members are DIR/accounts/<id>/, reached only through AssumeRole.

class OrgStandIn:
    def __init__(self, base, args):
        self.dir = args.org
        odir = os.path.join(self.dir, "organization")
        self.organization = load_json(os.path.join(odir, "organization.json"))
        self.accounts = load_json(os.path.join(odir, "accounts.json"))["Accounts"]
        self.refuse = set(args.refuse_account or [])
        self.throttle = set(args.throttle_account or [])
        self.scps, self.rcps = {}, {}  # account -> levels (root first)
        for a in self.accounts:
            for kind, into in (("scps", self.scps), ("rcps", self.rcps)):
                v = load_json(os.path.join(odir, "%s-%s.json" % (a["Id"], kind)))
                if v is not None:
                    into[a["Id"]] = v
        self.key_account = {}  # access key -> member account it was issued for
        self.members = {}      # account -> its State
        self.base = base

    def active(self, acct):
        a = next((x for x in self.accounts if x["Id"] == acct), None)
        return a is not None and a.get("State", a.get("Status")) == "ACTIVE" and \
            os.path.isdir(os.path.join(self.dir, "accounts", acct))

    def handles_assume(self, p):
        """AssumeRole into an account of the organisation (the management one too)."""
        arn = p.get("RoleArn", "")
        return arn.startswith("arn:aws:iam::") and \
            any(a["Id"] == arn.split(":")[4] for a in self.accounts)

    def member(self, acct):
        """A State serving DIR/accounts/<acct>/: its own throttles, shared credentials and log."""
        with self.base.lock:
            if acct not in self.members:
                import copy
                m = copy.copy(self.base)
                m.bundle = os.path.join(self.dir, "accounts", acct)
                m.identity = load_json(os.path.join(m.bundle, "sts/caller-identity.json"))
                m.account = acct
                m.iam = load_json(os.path.join(m.bundle, "iam/account-authorization-details.json"))
                m.scps = None
                m.denied_repos = {}
                m.throttled = set()
                self.members[acct] = m
            return self.members[acct]

    def state_for(self, state, ak):
        acct = self.key_account.get(ak)
        return self.member(acct) if acct else state


def org_of(state):
    return getattr(state, "org", None)


def org_assume_role(h, org, p):
    ns = "https://sts.amazonaws.com/doc/2011-06-15/"
    arn = p.get("RoleArn", "")
    acct = arn.split(":")[4]
    h.entry["account"] = acct
    if acct in org.throttle:
        return h.xml_error(400, "Throttling", "Rate exceeded")
    if acct in org.refuse or not org.active(acct) or not p.get("RoleSessionName"):
        return h.xml_error(403, "AccessDenied",
                           "User is not authorized to perform: sts:AssumeRole on resource: %s" % arn)
    name = arn.rsplit("/", 1)[-1]
    ak, sk, tok, exp = h.state.issue(name, p["RoleSessionName"])
    with h.state.lock:
        org.key_account[ak] = acct
    h.entry["issued"] = ak  # the test maps later requests to their account with it
    inner = (
        "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
        "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
        "<AssumedRoleUser><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn>"
        "<AssumedRoleId>AROAFAKE:%s</AssumedRoleId></AssumedRoleUser>"
        % (ak, sk, tok, exp, acct, escape(name), escape(p["RoleSessionName"]),
           escape(p["RoleSessionName"])))
    return h.xml_ok("AssumeRole", inner, ns)


def org_orgs(h, org, op, p):
    """Organizations for the whole organisation, asked with the management credentials."""
    if h.state is not org.base:
        return h.json_error(400, "AccessDeniedException",
                            "You don't have permissions to access this resource.")
    if op == "DescribeOrganization":
        return h.json_ok(org.organization)
    if op == "ListAccounts":
        start = int(p.get("NextToken") or 0)
        page = []
        for a in org.accounts[start:start + 2]:  # two per page: exercises NextToken
            a = dict(a)
            if "JoinedTimestamp" in a:
                a["JoinedTimestamp"] = iso_to_epoch(a["JoinedTimestamp"])
            page.append(a)
        resp = {"Accounts": page}
        if start + 2 < len(org.accounts):
            resp["NextToken"] = str(start + 2)
        return h.json_ok(resp)
    parent = {}  # child -> parent over every account's chain
    for levels in list(org.scps.values()) + list(org.rcps.values()):
        chain = [t["target"] for t in levels]
        for up, down in zip(chain, chain[1:]):
            parent[down] = up
    if op == "ListParents":
        child = p.get("ChildId")
        if child not in parent:
            return h.json_error(400, "ChildNotFoundException", str(child))
        up = parent[child]
        return h.json_ok({"Parents": [{"Id": up, "Type": "ROOT" if up.startswith("r-")
                                       else "ORGANIZATIONAL_UNIT"}]})
    rcp = p.get("Filter") == "RESOURCE_CONTROL_POLICY"
    source = org.rcps if rcp else org.scps
    if op == "ListPoliciesForTarget":
        if rcp and not org.rcps:
            return h.json_error(400, "PolicyTypeNotEnabledException",
                                "This operation can be performed only for enabled policy types.")
        target = p.get("TargetId")
        entry = next((t for levels in source.values() for t in levels if t["target"] == target),
                     None)
        if entry is None:
            return h.json_error(400, "TargetNotFoundException", str(target))
        kind = "RESOURCE_CONTROL_POLICY" if rcp else "SERVICE_CONTROL_POLICY"
        return h.json_ok({"Policies": [{"Id": x["Id"], "Name": x["Name"], "Type": kind}
                                       for x in entry["policies"]]})
    if op == "DescribePolicy":
        for levels in list(org.scps.values()) + list(org.rcps.values()):
            for t in levels:
                for pol in t["policies"]:
                    if pol["Id"] == p.get("PolicyId"):
                        return h.json_ok({"Policy": {"PolicySummary": {
                            "Id": pol["Id"], "Name": pol["Name"]}, "Content": pol["Content"]}})
        return h.json_error(400, "PolicyNotFoundException", str(p.get("PolicyId")))
    return h.json_error(400, "UnknownOperationException", op)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", default="/work/main/samples/acme")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--access-key", required=True)
    ap.add_argument("--secret-key", required=True)
    ap.add_argument("--session-token")
    ap.add_argument("--deny-repo", action="append")
    ap.add_argument("--deny-iam", action="store_true")
    ap.add_argument("--deny-op", action="append",
                    help="answer AccessDeniedException to this ECR, Organizations or EKS operation")
    ap.add_argument("--iam-page-size", type=int, default=2)
    ap.add_argument("--ecr-page-size", type=int, default=2)
    # hostile servers (issue 17): pagination loops, a malformed 200, a stall
    ap.add_argument("--iam-marker-loop", action="store_true")
    ap.add_argument("--ecr-token-loop", action="store_true")
    ap.add_argument("--ecr-no-repositories", action="store_true")
    ap.add_argument("--eks-token-loop", action="store_true")
    ap.add_argument("--stall-op", action="append",
                    help="send the headers of this operation's answer, then stall")
    ap.add_argument("--web-identity-token")
    ap.add_argument("--container-token")
    ap.add_argument("--sso-token")
    ap.add_argument("--sso-refresh-token")
    ap.add_argument("--credential-lifetime", type=int, default=3600)
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--usage-fail", action="append",
                    help="this principal's service-last-accessed job ends FAILED")
    ap.add_argument("--usage-page-size", type=int, default=100,
                    help="ServicesLastAccessed items a page (Marker/IsTruncated)")
    ap.add_argument("--issued-log", help="append every issued secret key and token (one a line)")
    ap.add_argument("--org", help="an organisation directory: organization/ and accounts/<id>/")
    ap.add_argument("--refuse-account", action="append",
                    help="--org: answer AssumeRole into this account with AccessDenied")
    ap.add_argument("--throttle-account", action="append",
                    help="--org: answer AssumeRole into this account with Throttling, always")
    args = ap.parse_args()
    Handler.state = State(args)
    if args.org:
        Handler.state.org = OrgStandIn(Handler.state, args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
