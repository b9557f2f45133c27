#!/usr/bin/python3
"""Cross-checks inkdex's SigV4 signer against an independent implementation.

Generates many requests (random paths and query strings with unusual
characters, repeated keys, headers with odd spacing and case, session
tokens, DynamoDB-style POSTs, S3-style paths), signs each one with
inkdex_sigv4_sign_tool (inkdex::aws::SignRequest) and with Debian's
python3-botocore (botocore.auth.SigV4Auth / S3SigV4Auth, its clock fixed the
way botocore's own tests fix it), and requires identical X-Amz-Date,
X-Amz-Security-Token, x-amz-content-sha256 and Authorization headers.

Both signers are given the same URL as it goes on the wire; the query is
given to botocore as decoded parameters (its `params` path, which encodes
them itself) and to inkdex in a randomly chosen but valid percent-encoding,
so the two encoders are compared rather than one being fed the other's
output.

Run: INKDEX_SIGV4_SIGN_TOOL=build/bin/inkdex_sigv4_sign_tool \
     /usr/bin/python3 tests/aws/sigv4_botocore_test.py
"""

import base64
import datetime
import hashlib
import json
import os
import random
import subprocess
import unittest
from unittest import mock
from urllib.parse import quote

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REQUESTS = 3000
SEED = 20150830

UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~"
# Characters with a meaning in URLs, and others a naive encoder gets wrong.
SPECIAL = " ~*%+=&!'()$,;:@/?#[]\"<>\\^`{|}"
UNICODE = ["é", "ß", "ሴ", "日本", "😀", "\u00a0"]
# Characters a query or path may carry unencoded (RFC 3986 sub-delims, ':' and '@').
RAW_OK = set("!$'()*,;:@")

SIGNED_BY_SIGNER = ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")


def random_text(rng, max_len, allow_empty=True):
    length = rng.randint(0 if allow_empty else 1, max_len)
    parts = []
    for _ in range(length):
        kind = rng.random()
        if kind < 0.6:
            parts.append(rng.choice(UNRESERVED))
        elif kind < 0.9:
            parts.append(rng.choice(SPECIAL))
        else:
            parts.append(rng.choice(UNICODE))
    return "".join(parts)


def percent(byte, rng):
    text = "%{:02X}".format(byte)
    return text.lower() if rng.random() < 0.2 else text


def encode_for_wire(text, rng, raw_ok):
    """Percent-encodes `text` the way some client might: always where needed,
    sometimes needlessly (unreserved characters, with lower-case hex)."""
    out = []
    for ch in text:
        raw = ch.encode("utf-8")
        if ch in UNRESERVED:
            out.append(ch if rng.random() < 0.9 else "".join(percent(b, rng) for b in raw))
        elif ch in raw_ok and rng.random() < 0.5:
            out.append(ch)
        elif len(raw) > 1 and ch != "\u00a0" and rng.random() < 0.2:
            out.append(ch)  # raw UTF-8 in the URL: both signers must encode it
        else:
            out.append("".join(percent(b, rng) for b in raw))
    return "".join(out)


def random_path(rng, s3):
    segments = []
    for _ in range(rng.randint(0, 5)):
        kind = rng.random()
        if not s3 and kind < 0.1:
            segments.append(rng.choice([".", "..", ""]))
        else:
            segments.append(random_text(rng, 12, allow_empty=False))
    trailing = "/" if segments and rng.random() < 0.2 else ""
    if s3:
        # botocore's S3 signer takes the path as already canonically encoded.
        return quote("/" + "/".join(segments) + trailing, safe="/~")
    # A '/' inside a segment goes on the wire as %2F; the separators stay raw.
    return "/" + "/".join(encode_for_wire(s, rng, RAW_OK | {"+", "="}) for s in segments) + trailing


def random_query(rng):
    params = []
    for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
        if params and rng.random() < 0.15:
            key = rng.choice(params)[0]  # a repeated key
        else:
            key = random_text(rng, 8, allow_empty=rng.random() < 0.05)
        value = random_text(rng, 10) if rng.random() < 0.85 else ""
        if not key and not value:
            key = "k"
        params.append((key, value))
    components = []
    for key, value in params:
        wire_key = encode_for_wire(key, rng, RAW_OK | {"+", "/", "?"})
        wire_value = encode_for_wire(value, rng, RAW_OK | {"+", "=", "/", "?"})
        if not value and rng.random() < 0.5:
            components.append(wire_key)  # "key" and "key=" mean the same
        else:
            components.append(wire_key + "=" + wire_value)
    if components and rng.random() < 0.1:
        components.insert(rng.randrange(len(components)), "")  # "a=1&&b=2"
    return params, "&".join(components)


def random_header_value(rng):
    words = ["".join(rng.choice(UNRESERVED + "/=+:;,\"()") for _ in range(rng.randint(1, 8)))
             for _ in range(rng.randint(0, 4))]
    spaces = lambda: "".join(rng.choice(" \t") for _ in range(rng.choice([0, 1, 1, 2, 3])))
    return spaces() + " ".join(spaces() + w for w in words) + spaces()


def random_headers(rng, dynamodb):
    headers = []
    if dynamodb:
        headers.append(("Content-Type", "application/x-amz-json-1.0"))
        headers.append(("X-Amz-Target", "DynamoDB_20120810." +
                        rng.choice(["GetItem", "PutItem", "Query", "Scan"])))
    names = ["X-Custom", "x-custom", "Content-Type", "Accept", "X-Amz-Meta-Tag", "My-Header",
             "User-Agent", "X-Amzn-Trace-Id", "Expect", "X-Amz-Date", "Range", "If-Match"]
    for _ in range(rng.randint(0, 5)):
        name = rng.choice(names)
        if rng.random() < 0.3:
            name = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in name)
        headers.append((name, random_header_value(rng)))
    if rng.random() < 0.1:
        headers.append(("Host", "Example.amazonaws.com"))
    return headers


def random_time(rng):
    fixed = [datetime.datetime(2015, 8, 30, 12, 36, 0), datetime.datetime(2024, 2, 29, 23, 59, 59),
             datetime.datetime(2026, 12, 31, 23, 59, 59), datetime.datetime(2000, 1, 1, 0, 0, 0)]
    if rng.random() < 0.3:
        return rng.choice(fixed)
    return datetime.datetime(2010, 1, 1) + datetime.timedelta(seconds=rng.randrange(20 * 365 * 86400))


def random_case(rng):
    kind = rng.random()
    s3 = kind < 0.1
    dynamodb = 0.1 <= kind < 0.35
    scheme = rng.choice(["http", "https"])
    if dynamodb:
        host = rng.choice(["dynamodb.eu-west-1.amazonaws.com", "localhost:8000",
                           "127.0.0.1:8765", "streams.dynamodb.us-east-1.amazonaws.com"])
    else:
        host = rng.choice(["example.amazonaws.com", "Example.AmazonAWS.com",
                           "example.amazonaws.com:443", "example.amazonaws.com:80",
                           "example.amazonaws.com:8443", "[::1]:9000", "bucket.s3.amazonaws.com"])
    path = "/" if dynamodb else random_path(rng, s3)
    params, wire_query = ([], "") if dynamodb else random_query(rng)
    if dynamodb:
        body = json.dumps({"TableName": "artists", "Key": {"PK": {"S": random_text(rng, 10)}}},
                          ensure_ascii=rng.random() < 0.5).encode("utf-8")
        method = "POST"
    else:
        method = rng.choice(["GET", "GET", "POST", "PUT", "DELETE", "get", "Post"])
        body = bytes(rng.randrange(256) for _ in range(rng.choice([0, 0, 1, 17, 300])))
    headers = random_headers(rng, dynamodb)
    unsigned_payload = not s3 and rng.random() < 0.05
    if unsigned_payload:
        headers.append(("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"))
    token = ""
    if rng.random() < 0.5:
        token = base64.b64encode(bytes(rng.randrange(256) for _ in range(rng.randint(20, 300))))
        token = token.decode("ascii")
    if dynamodb:
        service = "dynamodb"
    else:
        service = "s3" if s3 else rng.choice(["service", "execute-api", "iam", "sts"])
    return {
        "method": method,
        "scheme": scheme,
        "host": host,
        "path": path,
        "params": params,
        "wire_query": wire_query,
        "headers": headers,
        "body": body,
        "service": service,
        "region": rng.choice(["us-east-1", "eu-west-1", "ap-southeast-2", "ddblocal"]),
        "access_key": "AKID" + "".join(rng.choice(UNRESERVED[26:62]) for _ in range(16)),
        "secret_key": base64.b64encode(bytes(rng.randrange(256) for _ in range(30))).decode(),
        "token": token,
        "time": random_time(rng),
        "s3": s3,
        "add_content_sha256": s3 or (not unsigned_payload and rng.random() < 0.1),
    }


def tool_input(case):
    url = "{}://{}{}".format(case["scheme"], case["host"], case["path"])
    if case["wire_query"]:
        url += "?" + case["wire_query"]
    return {
        "method": case["method"],
        "url": url,
        "headers": [list(h) for h in case["headers"]],
        "body_b64": base64.b64encode(case["body"]).decode("ascii"),
        "service": case["service"],
        "region": case["region"],
        "access_key": case["access_key"],
        "secret_key": case["secret_key"],
        "session_token": case["token"],
        "time": case["time"].strftime("%Y%m%dT%H%M%SZ"),
        "add_content_sha256": case["add_content_sha256"],
        "s3": case["s3"],
    }


def botocore_sign(case):
    """Returns ({lower-case name: value} of the signer's headers, canonical request)."""
    url = "{}://{}{}".format(case["scheme"], case["host"], case["path"])
    request = AWSRequest(method=case["method"], url=url, data=case["body"])
    for name, value in case["headers"]:
        request.headers[name] = value  # appends: repeated names are kept
    if case["add_content_sha256"] and not case["s3"]:
        request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(case["body"]).hexdigest()
    request.params = list(case["params"])
    credentials = Credentials(case["access_key"], case["secret_key"], case["token"] or None)
    signer_class = S3SigV4Auth if case["s3"] else SigV4Auth
    signer = signer_class(credentials, case["service"], case["region"])
    # The canonical request as botocore signed it (computing it again
    # afterwards would include the Authorization header).
    canonical = []
    compute_canonical = signer.canonical_request
    signer.canonical_request = lambda r: canonical.append(compute_canonical(r)) or canonical[-1]
    with mock.patch("botocore.auth.datetime") as patched:
        patched.datetime.utcnow.return_value = case["time"]
        signer.add_auth(request)
    result = {}
    for name, value in request.headers.items():
        if name.lower() in SIGNED_BY_SIGNER:
            result[name.lower()] = value
    return result, canonical[0]


def inkdex_headers(case, output):
    """The signer's headers as the request would carry them: the caller's
    own x-amz-content-sha256 and X-Amz-Security-Token stay unless replaced."""
    result = {}
    for name, value in case["headers"]:
        if name.lower() in ("x-amz-content-sha256",) and name.lower() not in result:
            result[name.lower()] = value
    for name, value in output["headers"]:
        result[name.lower()] = value
    return result


class SigV4AgainstBotocoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tool = os.environ.get("INKDEX_SIGV4_SIGN_TOOL")
        if not cls.tool or not os.path.exists(cls.tool):
            raise unittest.SkipTest("INKDEX_SIGV4_SIGN_TOOL does not name the built sign tool")

    def run_tool(self, inputs):
        text = "".join(json.dumps(i) + "\n" for i in inputs)
        completed = subprocess.run([self.tool], input=text.encode("utf-8"), capture_output=True,
                                   check=True, timeout=120)
        lines = completed.stdout.decode("utf-8").splitlines()
        self.assertEqual(len(lines), len(inputs), completed.stderr.decode())
        return [json.loads(line) for line in lines]

    def test_botocore_vectors_sanity(self):
        # The harness itself must reproduce AWS's published get-vanilla
        # signature, or a broken clock patch would compare garbage.
        case = {"method": "GET", "scheme": "https", "host": "example.amazonaws.com", "path": "/",
                "params": [], "wire_query": "", "headers": [], "body": b"", "service": "service",
                "region": "us-east-1", "access_key": "AKIDEXAMPLE",
                "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token": "",
                "time": datetime.datetime(2015, 8, 30, 12, 36, 0), "s3": False,
                "add_content_sha256": False}
        expected, _ = botocore_sign(case)
        self.assertTrue(expected["authorization"].endswith(
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"))
        (output,) = self.run_tool([tool_input(case)])
        self.assertEqual(inkdex_headers(case, output), expected)

    def test_random_requests_match_botocore(self):
        rng = random.Random(SEED)
        cases = [random_case(rng) for _ in range(REQUESTS)]
        outputs = self.run_tool([tool_input(c) for c in cases])
        coverage = {"session token": 0, "dynamodb": 0, "s3": 0, "query": 0, "repeated key": 0,
                    "unicode": 0, "dot segments": 0, "unsigned payload": 0}
        mismatches = []
        for case, output in zip(cases, outputs):
            self.assertNotIn("error", output, json.dumps(tool_input(case)))
            expected, canonical = botocore_sign(case)
            actual = inkdex_headers(case, output)
            if actual != expected:
                mismatches.append("request {}\nbotocore canonical request:\n{}\n"
                                  "inkdex canonical request:\n{}\nbotocore: {}\ninkdex:   {}".format(
                                      json.dumps(tool_input(case), ensure_ascii=False), canonical,
                                      output["canonical_request"], expected, actual))
            keys = [k for k, _ in case["params"]]
            coverage["session token"] += bool(case["token"])
            coverage["dynamodb"] += case["service"] == "dynamodb"
            coverage["s3"] += case["s3"]
            coverage["query"] += bool(case["params"])
            coverage["repeated key"] += len(set(keys)) < len(keys)
            coverage["unicode"] += any(ord(c) > 127 for c in case["path"] + str(case["params"]))
            coverage["dot segments"] += "/./" in case["path"] or "/../" in case["path"]
            coverage["unsigned payload"] += "UNSIGNED-PAYLOAD" in str(case["headers"])
        print("coverage over {} requests: {}".format(REQUESTS, coverage))
        for what, count in coverage.items():
            self.assertGreater(count, 10, "generator produced too few requests with " + what)
        if mismatches:
            self.fail("{} of {} requests differ; the first ones:\n{}".format(
                len(mismatches), REQUESTS, "\n\n".join(mismatches[:3])))

    def test_a_changed_request_changes_the_signature(self):
        # Guards the comparison: both signers must react to every signed part.
        rng = random.Random(SEED + 1)
        case = random_case(rng)
        case["headers"].append(("X-Custom", "a"))
        base = self.run_tool([tool_input(case)])[0]
        case["headers"][-1] = ("X-Custom", "b")
        changed = self.run_tool([tool_input(case)])[0]
        self.assertNotEqual(inkdex_headers(case, base)["authorization"],
                            inkdex_headers(case, changed)["authorization"])
        self.assertEqual(inkdex_headers(case, changed), botocore_sign(case)[0])


if __name__ == "__main__":
    unittest.main()
