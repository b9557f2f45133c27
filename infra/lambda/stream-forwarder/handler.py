"""stream-forwarder: an AWS Lambda handler (Python 3.12) for a DynamoDB stream
event source mapping with ReportBatchItemFailures. It forwards each batch of
stream records, REMOVE events included, to every inkdex-server replica with
the StreamIngest.ApplyStreamRecords RPC (proto/inkdex/v1/stream_ingest.proto)
and reports the first record any replica failed, so Lambda retries from
there (its semantics: that record and everything after it in the batch).

Environment:
    INKDEX_TARGETS              host:port[,host:port...]: every replica, or
    INKDEX_DISCOVERY_NAME       a DNS name with one A/AAAA record per replica
                                (an AWS Cloud Map service, as infra/modules/inkdex
                                sets up) with INKDEX_GRPC_PORT: resolved on
                                each invocation, so scaling needs no redeploy
    INKDEX_WRITE_TOKEN          the servers' write token, or one of:
    INKDEX_WRITE_TOKEN_SSM_PARAMETER   an SSM parameter name (SecureString)
    INKDEX_WRITE_TOKEN_SECRET_ID       a Secrets Manager secret id (SecretString)
    INKDEX_TLS                  "1": TLS to the replicas (system roots, or
                                INKDEX_TLS_CA_FILE)
    INKDEX_RPC_TIMEOUT_SECONDS  per call (default 10); each call is also
                                cut to the time the invocation has left, less
                                a reserve to return the report
    INKDEX_MAX_RECORDS_PER_CALL records per RPC (default 10000, the RPC's limit)

Outcomes per record (from every replica): APPLIED, STALE (a duplicate or older
record: already there), IGNORED (not an artist) and REJECTED (cannot be
indexed: logged, never retried, so one poison record cannot block the
shard) are done; FAILED (the replica's commit failed), a failed or timed-out
call, or a missing result mean the replica does not have the record, and
the batch is reported failed from the earliest such record over all
replicas. A request that no longer fits before the invocation's deadline is
not sent, and its records count as failed too: the invocation returns its
report in time instead of timing out (which would retry the whole batch and
lose the report). Re-sending records a replica already applied is harmless: they
come back STALE (versions are sequence numbers).

The logic is plain functions over a `send(target, request, timeout)`
callable, testable without AWS (tests/lambda/).
"""

import concurrent.futures
import json
import os
import sys
import threading
import time

import grpc

from inkdex.v1 import stream_ingest_pb2 as pb
from inkdex.v1 import stream_ingest_pb2_grpc as pb_grpc

Result = pb.StreamRecordResult
DONE_OUTCOMES = frozenset({Result.OUTCOME_APPLIED, Result.OUTCOME_STALE, Result.OUTCOME_IGNORED,
                           Result.OUTCOME_REJECTED})
DEFAULT_TIMEOUT_SECONDS = 10.0
MAX_RECORDS_PER_CALL = 10000
# Time kept back from the invocation's deadline to build and return the answer.
DEADLINE_MARGIN_SECONDS = 0.5
# A call that would get less time than this is not started.
MIN_CALL_SECONDS = 0.1


def log(event, **fields):
    """One JSON line on stdout (CloudWatch Logs)."""
    print(json.dumps({"event": event, **fields}, default=str), file=sys.stdout, flush=True)


def discover_targets(name, port, resolve=None):
    """Every address `name` resolves to, as "address:port" (sorted, unique);
    ValueError naming the variables when it resolves to nothing."""
    import socket
    resolve = resolve or (lambda host: [info[4][0] for info in socket.getaddrinfo(
        host, None, proto=socket.IPPROTO_TCP)])
    if not str(port).isdigit():
        raise ValueError("INKDEX_GRPC_PORT: %r is not a port" % (port,))
    try:
        addresses = sorted(set(resolve(name)))
    except OSError as e:
        raise ValueError("INKDEX_DISCOVERY_NAME: cannot resolve %r: %s" % (name, e)) from e
    if not addresses:
        raise ValueError("INKDEX_DISCOVERY_NAME: %r has no replica" % name)
    return [("[%s]:%s" if ":" in a else "%s:%s") % (a, port) for a in addresses]


def targets_from_env(env, resolve=None):
    """INKDEX_TARGETS when set, else INKDEX_DISCOVERY_NAME + INKDEX_GRPC_PORT."""
    if env.get("INKDEX_TARGETS") or not env.get("INKDEX_DISCOVERY_NAME"):
        return parse_targets(env.get("INKDEX_TARGETS"))
    return discover_targets(env["INKDEX_DISCOVERY_NAME"], env.get("INKDEX_GRPC_PORT", ""),
                            resolve)


def parse_targets(value):
    """"host:port,host:port" -> ["host:port", ...]; ValueError when empty or
    an entry has no port."""
    targets = [t.strip() for t in (value or "").split(",") if t.strip()]
    if not targets:
        raise ValueError("INKDEX_TARGETS: no replica given (host:port[,host:port...]; or set "
                         "INKDEX_DISCOVERY_NAME and INKDEX_GRPC_PORT)")
    for target in targets:
        host, _, port = target.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("INKDEX_TARGETS: %r is not host:port" % target)
    return targets


def load_write_token(env, ssm_client=None, secrets_client=None):
    """The write token: INKDEX_WRITE_TOKEN, else the SSM parameter or the
    secret named in env (clients made with boto3 when not given). None when
    nothing is configured (the servers then refuse the writes)."""
    if env.get("INKDEX_WRITE_TOKEN"):
        return env["INKDEX_WRITE_TOKEN"]
    if env.get("INKDEX_WRITE_TOKEN_SSM_PARAMETER"):
        if ssm_client is None:
            import boto3  # in the Lambda runtime
            ssm_client = boto3.client("ssm")
        answer = ssm_client.get_parameter(Name=env["INKDEX_WRITE_TOKEN_SSM_PARAMETER"],
                                          WithDecryption=True)
        return answer["Parameter"]["Value"]
    if env.get("INKDEX_WRITE_TOKEN_SECRET_ID"):
        if secrets_client is None:
            import boto3
            secrets_client = boto3.client("secretsmanager")
        answer = secrets_client.get_secret_value(SecretId=env["INKDEX_WRITE_TOKEN_SECRET_ID"])
        return answer["SecretString"]
    return None


def event_source_arn(records):
    """The batch's stream ARN (one event source mapping reads one stream)."""
    for record in records:
        if record.get("eventSourceARN"):
            return record["eventSourceARN"]
    return ""


def build_requests(records, max_per_call=MAX_RECORDS_PER_CALL):
    """The batch as ApplyStreamRecords requests of at most max_per_call
    records each, in order: [(first record index, request), ...]."""
    arn = event_source_arn(records)
    requests = []
    for start in range(0, len(records), max_per_call):
        chunk = records[start:start + max_per_call]
        requests.append((start, pb.ApplyStreamRecordsRequest(
            records_json=[json.dumps(r, separators=(",", ":")) for r in chunk],
            event_source_arn=arn)))
    return requests


def first_undone(response, count):
    """Index (within the request) of the first record the response does not
    report done (FAILED, no outcome, or no result at all); None when all are."""
    results = list(response.results)
    for i in range(count):
        if i >= len(results) or results[i].outcome not in DONE_OUTCOMES:
            return i
    return None


def forward_to_replica(target, requests, send, timeout, deadline=None, clock=time.monotonic):
    """Sends the requests to one replica in order, stopping at the first that
    leaves a record undone. Each call gets `timeout`, cut to what is left
    before `deadline` (a clock() value; None: no deadline); a request with
    less than MIN_CALL_SECONDS left is not sent and is undone. Returns (index
    of the first undone record in the batch or None, [(index, sequence
    number, reason) of rejected records])."""
    rejected = []
    for start, request in requests:
        call_timeout = timeout
        if deadline is not None:
            call_timeout = min(timeout, deadline - clock())
            if call_timeout < MIN_CALL_SECONDS:
                log("replica_out_of_time", target=target, first_record=start,
                    records_not_sent=sum(len(r.records_json) for s, r in requests if s >= start))
                return start, rejected
        try:
            response = send(target, request, call_timeout)
        except grpc.RpcError as e:
            log("replica_call_failed", target=target, first_record=start,
                code=str(e.code()), message=e.details())
            return start, rejected
        for i, result in enumerate(response.results):
            if result.outcome == Result.OUTCOME_REJECTED:
                rejected.append((start + i, result.sequence_number, result.reason))
        undone = first_undone(response, len(request.records_json))
        if undone is not None:
            reason = (response.results[undone].reason if undone < len(response.results)
                      else "no result")
            log("replica_record_failed", target=target, record=start + undone, reason=reason)
            return start + undone, rejected
    return None, rejected


def handle_records(records, targets, send, timeout=DEFAULT_TIMEOUT_SECONDS,
                   max_per_call=MAX_RECORDS_PER_CALL, deadline=None, clock=time.monotonic):
    """Forwards the batch to every target (in parallel) and returns the Lambda
    answer: {"batchItemFailures": [{"itemIdentifier": <SequenceNumber>}]}
    naming the earliest record any replica failed or could not be sent
    before `deadline` (see forward_to_replica), or an empty list."""
    if not records:
        return {"batchItemFailures": []}
    requests = build_requests(records, max_per_call)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(targets)) as pool:
        outcomes = list(pool.map(
            lambda t: forward_to_replica(t, requests, send, timeout, deadline, clock), targets))
    failed = [index for index, _ in outcomes if index is not None]
    seen_rejects = set()
    for _, rejected in outcomes:
        for index, sequence_number, reason in rejected:
            if index not in seen_rejects:
                seen_rejects.add(index)
                log("record_rejected", sequence_number=sequence_number, reason=reason)
    if not failed:
        return {"batchItemFailures": []}
    first = min(failed)
    return {"batchItemFailures": [
        {"itemIdentifier": records[first]["dynamodb"]["SequenceNumber"]}]}


class GrpcSender:
    """send(target, request, timeout) over one cached channel per target, with
    the write token as bearer metadata. Thread-safe."""

    def __init__(self, token=None, tls=False, ca_file=None):
        self._metadata = (("authorization", "Bearer " + token),) if token else ()
        self._credentials = None
        if tls:
            roots = open(ca_file, "rb").read() if ca_file else None
            self._credentials = grpc.ssl_channel_credentials(root_certificates=roots)
        self._stubs = {}
        self._lock = threading.Lock()

    def _stub(self, target):
        with self._lock:
            if target not in self._stubs:
                channel = (grpc.secure_channel(target, self._credentials) if self._credentials
                           else grpc.insecure_channel(target))
                self._stubs[target] = pb_grpc.StreamIngestStub(channel)
            return self._stubs[target]

    def __call__(self, target, request, timeout):
        return self._stub(target).ApplyStreamRecords(request, timeout=timeout,
                                                     metadata=self._metadata)


_sender = None
_sender_lock = threading.Lock()


def _default_sender():
    """Built on the first invocation and kept for the container's life."""
    global _sender
    with _sender_lock:
        if _sender is None:
            _sender = GrpcSender(load_write_token(os.environ), tls=os.environ.get("INKDEX_TLS") == "1",
                                 ca_file=os.environ.get("INKDEX_TLS_CA_FILE"))
        return _sender


def lambda_handler(event, context):
    """The Lambda entry point (handler.lambda_handler)."""
    records = event.get("Records") or []
    targets = targets_from_env(os.environ)
    timeout = float(os.environ.get("INKDEX_RPC_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    start = time.monotonic()
    # Every call is cut to this, not just the first: with several requests
    # per replica (INKDEX_MAX_RECORDS_PER_CALL below the batch size) their
    # timeouts would otherwise add up past the invocation's deadline.
    deadline = None
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        deadline = (start + context.get_remaining_time_in_millis() / 1000.0
                    - DEADLINE_MARGIN_SECONDS)
    max_per_call = int(os.environ.get("INKDEX_MAX_RECORDS_PER_CALL", MAX_RECORDS_PER_CALL))
    answer = handle_records(records, targets, _default_sender(), timeout, max_per_call,
                            deadline=deadline)
    log("batch", records=len(records), replicas=len(targets),
        failed_from=(answer["batchItemFailures"][0]["itemIdentifier"]
                     if answer["batchItemFailures"] else None),
        duration_ms=round((time.monotonic() - start) * 1000, 1))
    return answer
