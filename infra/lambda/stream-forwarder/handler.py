"""stream-forwarder: an AWS Lambda handler (Python 3.12) for a DynamoDB stream
event source mapping with ReportBatchItemFailures. It forwards each batch of
stream records, REMOVE events included, to every inkdex-server replica with
the StreamIngest.ApplyStreamRecords RPC (proto/inkdex/v1/stream_ingest.proto)
and reports the first record a replica that gates the batch failed, so
Lambda retries from there (its semantics: that record and everything after
it in the batch).

Environment (replicas: the first of these that is set):
    INKDEX_TARGETS              host:port[,host:port...]: a fixed list
    INKDEX_DISCOVERY_NAMESPACE  an AWS Cloud Map namespace (its HttpName: for a
    INKDEX_DISCOVERY_SERVICE    private DNS namespace, its name) and service,
                                with INKDEX_GRPC_PORT: every instance registered
                                in it (DiscoverInstances, HealthStatus=ALL), with
                                its health; asked on each invocation (as
                                infra/modules/inkdex sets up)
    INKDEX_DISCOVERY_NAME       a DNS name with one A/AAAA record per replica,
                                with INKDEX_GRPC_PORT: resolved on each
                                invocation (healthy Cloud Map instances only)
    INKDEX_WRITE_TOKEN          the servers' write token, or one of:
    INKDEX_WRITE_TOKEN_SSM_PARAMETER   an SSM parameter name (SecureString)
    INKDEX_WRITE_TOKEN_SECRET_ID       a Secrets Manager secret id (SecretString)
    INKDEX_TLS                  "1": TLS to the replicas (system roots, or
                                INKDEX_TLS_CA_FILE)
    INKDEX_RPC_TIMEOUT_SECONDS  per call (default 10); each call is also
                                cut to the time the invocation has left, less
                                a reserve to return the report
    INKDEX_UNHEALTHY_RPC_TIMEOUT_SECONDS  per call to a replica that does not
                                gate the batch (default 3; at most the above)
    INKDEX_MAX_RECORDS_PER_CALL records per RPC (default 10000, the RPC's limit)
A variable that is missing or malformed is a ValueError naming it: the
invocation fails (a deployment error, retried like any function error).

Outcomes per record (from every replica): APPLIED, STALE (a duplicate or older
record: already there), IGNORED (not an artist) and REJECTED (cannot be
indexed: logged, never retried, so one poison record cannot block the
shard) are done; FAILED (the replica's commit failed), a failed or timed-out
call, or a missing result mean the replica does not have the record. A
request that no longer fits before the invocation's deadline is not sent,
and its records count as failed too: the invocation returns its report in
time instead of timing out (which would retry the whole batch and lose the
report). Re-sending records a replica already applied is harmless: they
come back STALE (versions are sequence numbers).

Which replicas gate the batch. Every replica gets the batch. The batch is
reported failed from the earliest record a *gating* replica failed: every
replica of INKDEX_TARGETS or the DNS name, and every Cloud Map instance but
those Cloud Map reports UNHEALTHY (ECS sets the health of the service's
instances from the task's: a task still scanning the table, NOT_SERVING, or
one failing its health check). An UNHEALTHY replica's failure is logged
(`unhealthy_replica_missed`: its address, instance id, first record and
record count) and counted (metric UnhealthyReplicaRecordsMissed), never
reported: a wedged task that is not serving must neither hold the stream up
for the replicas that are nor, once Lambda's retries run out, get every
replica's changes dropped to the on-failure queue. Its calls get the shorter
INKDEX_UNHEALTHY_RPC_TIMEOUT_SECONDS and stop at its first failure, so a
wedged one adds at most that to an invocation. UNKNOWN gates (Cloud Map's
answer just after an instance registers, before ECS reports its health; an
instance listed with no health at all, as a service without a health check
may list every one, counts as UNKNOWN, and not gating there would lose
failed changes silently): the cost is a retry, not a loss. When
no instance gates (all UNHEALTHY: the only task is being replaced, or every
one is failing), all of them gate: there is no serving replica to hold up,
and a retry beats a loss.

What a miss costs: a push that fails before the replica's bootstrap scan
starts is harmless (inkdex-server opens its gRPC port before it starts the
scan, which then reads the item after the change); a change missed after
the scan read the item stays stale there until the item changes again, and
is served stale once the task turns healthy. The alarm on the metric says
when to replace that task (a new one scans the table again).

Discovery failures. The Cloud Map call (botocore standard retries: 3
attempts, 1 s to connect and 2 s to read each) failing (throttling, the VPC
endpoint or the API unreachable, access denied, no such namespace or
service), or answering with no instance or with an instance without a valid
AWS_INSTANCE_IPV4, or the DNS name not resolving, is a DiscoveryError:
nothing is sent, the whole batch is reported failed (its first record,
`discovery_failed` logged, metric DiscoveryFailures), and Lambda retries it
within the mapping's bounds (retries, record age; then the on-failure
queue). The instance list is not cached across invocations: a task
registered since the list was read would miss changes, the very gap
discovering with HealthStatus=ALL closes. That is one DiscoverInstances call
per invocation (a few per second per shard at most, far under its quota).

Metrics: one CloudWatch embedded metric format line per invocation
(namespace Inkdex/Forwarder, dimension FunctionName): Replicas,
UnhealthyReplicas, UnhealthyReplicaRecordsMissed, DiscoveryFailures.

The logic is plain functions over a `send(target, request, timeout)`
callable and a servicediscovery client, testable without AWS (tests/lambda/).
"""

import concurrent.futures
import ipaddress
import json
import os
import sys
import threading
import time
import typing

import grpc

from inkdex.v1 import stream_ingest_pb2 as pb
from inkdex.v1 import stream_ingest_pb2_grpc as pb_grpc

Result = pb.StreamRecordResult
DONE_OUTCOMES = frozenset({Result.OUTCOME_APPLIED, Result.OUTCOME_STALE, Result.OUTCOME_IGNORED,
                           Result.OUTCOME_REJECTED})
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_UNHEALTHY_TIMEOUT_SECONDS = 3.0
MAX_RECORDS_PER_CALL = 10000
# Time kept back from the invocation's deadline to build and return the answer.
DEADLINE_MARGIN_SECONDS = 0.5
# A call that would get less time than this is not started.
MIN_CALL_SECONDS = 0.1
# DiscoverInstances does not page: ask for its maximum.
DISCOVERY_MAX_RESULTS = 1000
# Cloud Map's health of an instance that does not gate the batch.
UNHEALTHY = "UNHEALTHY"
METRICS_NAMESPACE = "Inkdex/Forwarder"


class DiscoveryError(ValueError):
    """The replicas could not be listed this time (the batch is retried)."""


class Replica(typing.NamedTuple):
    """A replica to push to: "address:port" and, from Cloud Map, its health
    (HEALTHY, UNHEALTHY, UNKNOWN; "" when not from Cloud Map) and instance id."""
    address: str
    health: str = ""
    instance_id: str = ""


def log(event, **fields):
    """One JSON line on stdout (CloudWatch Logs)."""
    print(json.dumps({"event": event, **fields}, default=str), file=sys.stdout, flush=True)


def emit_metrics(function_name, **metrics):
    """One CloudWatch embedded metric format line: `metrics` (counts) in
    METRICS_NAMESPACE with the dimension FunctionName."""
    log("metrics", _aws={"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
        "Namespace": METRICS_NAMESPACE, "Dimensions": [["FunctionName"]],
        "Metrics": [{"Name": name, "Unit": "Count"} for name in metrics]}]},
        FunctionName=function_name, **metrics)


def env_number(env, name, default, convert=float):
    """The positive number in env[name], or `default` when unset; ValueError
    naming the variable otherwise."""
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        number = convert(value)
    except ValueError:
        number = None
    if number is None or not number > 0:
        raise ValueError("%s: %r is not a positive %s" % (
            name, value, "whole number" if convert is int else "number"))
    return number


def grpc_port(port):
    """INKDEX_GRPC_PORT as a string of digits; ValueError naming it."""
    if not str(port).isdigit() or not 0 < int(port) < 65536:
        raise ValueError("INKDEX_GRPC_PORT: %r is not a port" % (port,))
    return str(int(port))


def discover_targets(name, port, resolve=None):
    """Every address `name` resolves to, as "address:port" (sorted, unique);
    DiscoveryError naming the variable when it resolves to nothing."""
    import socket
    resolve = resolve or (lambda host: [info[4][0] for info in socket.getaddrinfo(
        host, None, proto=socket.IPPROTO_TCP)])
    port = grpc_port(port)
    try:
        addresses = sorted(set(resolve(name)))
    except OSError as e:
        raise DiscoveryError("INKDEX_DISCOVERY_NAME: cannot resolve %r: %s" % (name, e)) from e
    if not addresses:
        raise DiscoveryError("INKDEX_DISCOVERY_NAME: %r has no replica" % name)
    return [("[%s]:%s" if ":" in a else "%s:%s") % (a, port) for a in addresses]


def cloud_map_replicas(namespace, service, port, client):
    """Every instance Cloud Map has registered in `service` of `namespace`,
    whatever its health (DiscoverInstances with HealthStatus=ALL), as
    Replicas "AWS_INSTANCE_IPV4:port" with their health, sorted by address
    (an address listed twice is kept once, gating if either gates).
    DiscoveryError, naming the variables, when the call fails or lists no
    instance, and naming the instance when one has no valid IPv4 address (it
    could not be sent to: refusing the list beats leaving a replica behind)."""
    port = grpc_port(port)
    where = "Cloud Map service %r in namespace %r (INKDEX_DISCOVERY_SERVICE, " \
            "INKDEX_DISCOVERY_NAMESPACE)" % (service, namespace)
    try:
        answer = client.discover_instances(NamespaceName=namespace, ServiceName=service,
                                           HealthStatus="ALL", MaxResults=DISCOVERY_MAX_RESULTS)
    except Exception as e:  # botocore's ClientError (throttled, denied, not found), BotoCoreError
        raise DiscoveryError("%s: DiscoverInstances failed: %s" % (where, e)) from e
    instances = answer.get("Instances") or []
    if not instances:
        raise DiscoveryError("%s has no registered instance" % where)
    if len(instances) >= DISCOVERY_MAX_RESULTS:
        log("discovery_maybe_truncated", namespace=namespace, service=service,
            instances=len(instances))
    replicas = {}
    for instance in instances:
        instance_id = instance.get("InstanceId") or "?"
        attributes = instance.get("Attributes") or {}
        ip = attributes.get("AWS_INSTANCE_IPV4")
        if not ip:
            raise DiscoveryError("%s: instance %r has no AWS_INSTANCE_IPV4 attribute (it has %s)"
                                 % (where, instance_id, sorted(attributes) or "none"))
        try:
            ipaddress.IPv4Address(ip)
        except ValueError as e:
            raise DiscoveryError("%s: instance %r: AWS_INSTANCE_IPV4 %r is not an IPv4 address"
                                 % (where, instance_id, ip)) from e
        replica = Replica("%s:%s" % (ip, port), instance.get("HealthStatus") or "UNKNOWN",
                          instance_id)
        previous = replicas.get(replica.address)
        if previous is None or previous.health == UNHEALTHY:
            replicas[replica.address] = replica
    return [replicas[address] for address in sorted(replicas)]


def targets_from_env(env, resolve=None):
    """INKDEX_TARGETS when set, else INKDEX_DISCOVERY_NAME + INKDEX_GRPC_PORT."""
    if env.get("INKDEX_TARGETS") or not env.get("INKDEX_DISCOVERY_NAME"):
        return parse_targets(env.get("INKDEX_TARGETS"))
    return discover_targets(env["INKDEX_DISCOVERY_NAME"], env.get("INKDEX_GRPC_PORT", ""),
                            resolve)


def replicas_from_env(env, resolve=None, discovery_client=None):
    """The replicas to push to: INKDEX_TARGETS when set; else the Cloud Map
    service INKDEX_DISCOVERY_NAMESPACE + INKDEX_DISCOVERY_SERVICE (with
    INKDEX_GRPC_PORT; `discovery_client` made with boto3 when not given);
    else INKDEX_DISCOVERY_NAME (+ INKDEX_GRPC_PORT). ValueError naming the
    variable when the configuration is wrong; DiscoveryError when the
    replicas cannot be listed now."""
    if env.get("INKDEX_TARGETS"):
        return [Replica(t) for t in parse_targets(env["INKDEX_TARGETS"])]
    namespace = env.get("INKDEX_DISCOVERY_NAMESPACE")
    service = env.get("INKDEX_DISCOVERY_SERVICE")
    if namespace or service:
        for name, value in (("INKDEX_DISCOVERY_NAMESPACE", namespace),
                            ("INKDEX_DISCOVERY_SERVICE", service)):
            if not value:
                raise ValueError("%s: not set (Cloud Map discovery needs both "
                                 "INKDEX_DISCOVERY_NAMESPACE and INKDEX_DISCOVERY_SERVICE)" % name)
        port = grpc_port(env.get("INKDEX_GRPC_PORT", ""))
        return cloud_map_replicas(namespace, service, port,
                                  discovery_client or _discovery_client())
    return [Replica(t) for t in targets_from_env(env, resolve)]


def parse_targets(value):
    """"host:port,host:port" -> ["host:port", ...]; ValueError when empty or
    an entry has no port."""
    targets = [t.strip() for t in (value or "").split(",") if t.strip()]
    if not targets:
        raise ValueError("INKDEX_TARGETS: no replica given (host:port[,host:port...]; or set "
                         "INKDEX_DISCOVERY_NAMESPACE, INKDEX_DISCOVERY_SERVICE and "
                         "INKDEX_GRPC_PORT, or INKDEX_DISCOVERY_NAME and INKDEX_GRPC_PORT)")
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


def gating(replicas):
    """The replicas whose failures fail the batch: every one but those Cloud
    Map reports UNHEALTHY, or all of them when that leaves none."""
    gates = [r for r in replicas if r.health != UNHEALTHY]
    return set(gates or replicas)


def forward_batch(records, replicas, send, timeout=DEFAULT_TIMEOUT_SECONDS,
                  max_per_call=MAX_RECORDS_PER_CALL, deadline=None, clock=time.monotonic,
                  unhealthy_timeout=DEFAULT_UNHEALTHY_TIMEOUT_SECONDS):
    """Forwards the batch to every replica (Replicas, or "host:port" strings:
    gating) in parallel. Returns (the Lambda answer: {"batchItemFailures":
    [{"itemIdentifier": <SequenceNumber>}]} naming the earliest record a
    gating replica failed or could not be sent before `deadline` (see
    forward_to_replica), or an empty list; a summary: {"replicas",
    "unhealthy_replicas", "unhealthy_records_missed"}). A replica that does
    not gate gets calls of at most `unhealthy_timeout`; the records it
    missed (from its first failure on) are logged and counted, not reported."""
    replicas = [r if isinstance(r, Replica) else Replica(r) for r in replicas]
    gates = gating(replicas)
    summary = {"replicas": len(replicas),
               "unhealthy_replicas": sum(1 for r in replicas if r not in gates),
               "unhealthy_records_missed": 0}
    if not records:
        return {"batchItemFailures": []}, summary
    requests = build_requests(records, max_per_call)

    def forward(replica):
        call_timeout = timeout if replica in gates else min(timeout, unhealthy_timeout)
        return forward_to_replica(replica.address, requests, send, call_timeout, deadline, clock)

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(replicas)) as pool:
        outcomes = list(pool.map(forward, replicas))
    failed = []
    for replica, (index, _) in zip(replicas, outcomes):
        if index is None:
            continue
        if replica in gates:
            failed.append(index)
            continue
        summary["unhealthy_records_missed"] += len(records) - index
        log("unhealthy_replica_missed", target=replica.address, instance=replica.instance_id,
            health=replica.health, first_record=index,
            sequence_number=records[index].get("dynamodb", {}).get("SequenceNumber"),
            records=len(records) - index)
    seen_rejects = set()
    for _, rejected in outcomes:
        for index, sequence_number, reason in rejected:
            if index not in seen_rejects:
                seen_rejects.add(index)
                log("record_rejected", sequence_number=sequence_number, reason=reason)
    if not failed:
        return {"batchItemFailures": []}, summary
    return {"batchItemFailures": [
        {"itemIdentifier": records[min(failed)]["dynamodb"]["SequenceNumber"]}]}, summary


def handle_records(records, targets, send, timeout=DEFAULT_TIMEOUT_SECONDS,
                   max_per_call=MAX_RECORDS_PER_CALL, deadline=None, clock=time.monotonic):
    """forward_batch's Lambda answer alone."""
    return forward_batch(records, targets, send, timeout, max_per_call, deadline, clock)[0]


class GrpcSender:
    """send(target, request, timeout) over one cached channel per target, with
    the write token as bearer metadata. Thread-safe. retain() closes the
    channels of targets no longer in use: replicas come and go (every
    deployment replaces them), and a warm container lives for hours."""

    def __init__(self, token=None, tls=False, ca_file=None):
        self._metadata = (("authorization", "Bearer " + token),) if token else ()
        self._credentials = None
        if tls:
            roots = open(ca_file, "rb").read() if ca_file else None
            self._credentials = grpc.ssl_channel_credentials(root_certificates=roots)
        self._stubs = {}
        self._channels = {}
        self._lock = threading.Lock()

    def _stub(self, target):
        with self._lock:
            if target not in self._stubs:
                channel = (grpc.secure_channel(target, self._credentials) if self._credentials
                           else grpc.insecure_channel(target))
                self._channels[target] = channel
                self._stubs[target] = pb_grpc.StreamIngestStub(channel)
            return self._stubs[target]

    def __call__(self, target, request, timeout):
        return self._stub(target).ApplyStreamRecords(request, timeout=timeout,
                                                     metadata=self._metadata)

    def retain(self, targets):
        """Closes and forgets the channels of targets not in `targets`."""
        keep = set(targets)
        with self._lock:
            gone = [t for t in self._stubs if t not in keep]
            channels = [self._channels.pop(t) for t in gone]
            for t in gone:
                del self._stubs[t]
        for channel in channels:
            channel.close()

    def targets(self):
        """The targets with an open channel."""
        with self._lock:
            return sorted(self._stubs)


_sender = None
_sender_lock = threading.Lock()
_discovery = None


def _default_sender():
    """Built on the first invocation and kept for the container's life."""
    global _sender
    with _sender_lock:
        if _sender is None:
            _sender = GrpcSender(load_write_token(os.environ), tls=os.environ.get("INKDEX_TLS") == "1",
                                 ca_file=os.environ.get("INKDEX_TLS_CA_FILE"))
        return _sender


def discovery_client(**kwargs):
    """A boto3 servicediscovery client: DiscoverInstances goes to
    data-servicediscovery.<region> (its VPC endpoint, from private subnets).
    Each attempt is bounded (1 s to connect, 2 s to read) and throttling or
    5xx are retried (botocore's standard mode, 3 attempts in all)."""
    import boto3  # in the Lambda runtime
    from botocore.config import Config
    return boto3.client("servicediscovery", config=Config(
        connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 3}),
        **kwargs)


def _discovery_client():
    """The client, built on first use and kept for the container's life (the
    instance list is not: it is asked for on every invocation)."""
    global _discovery
    with _sender_lock:
        if _discovery is None:
            _discovery = discovery_client()
        return _discovery


def lambda_handler(event, context):
    """The Lambda entry point (handler.lambda_handler)."""
    env = os.environ
    records = event.get("Records") or []
    timeout = env_number(env, "INKDEX_RPC_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)
    unhealthy_timeout = env_number(env, "INKDEX_UNHEALTHY_RPC_TIMEOUT_SECONDS",
                                   DEFAULT_UNHEALTHY_TIMEOUT_SECONDS)
    max_per_call = env_number(env, "INKDEX_MAX_RECORDS_PER_CALL", MAX_RECORDS_PER_CALL, int)
    function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "stream-forwarder")
    start = time.monotonic()
    if not records:
        return {"batchItemFailures": []}
    try:
        replicas = replicas_from_env(env)
    except DiscoveryError as e:
        # Nothing sent: the whole batch again, once discovery answers.
        log("discovery_failed", error=str(e), records=len(records))
        emit_metrics(function_name, DiscoveryFailures=1)
        return {"batchItemFailures": [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]}
    # Every call is cut to this, not just the first: with several requests
    # per replica (INKDEX_MAX_RECORDS_PER_CALL below the batch size) their
    # timeouts would otherwise add up past the invocation's deadline.
    deadline = None
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        deadline = (time.monotonic() + context.get_remaining_time_in_millis() / 1000.0
                    - DEADLINE_MARGIN_SECONDS)
    sender = _default_sender()
    if hasattr(sender, "retain"):  # GrpcSender; a bare send callable has none
        sender.retain(r.address for r in replicas)
    answer, summary = forward_batch(records, replicas, sender, timeout, max_per_call,
                                    deadline=deadline, unhealthy_timeout=unhealthy_timeout)
    log("batch", records=len(records), replicas=summary["replicas"],
        unhealthy_replicas=summary["unhealthy_replicas"],
        failed_from=(answer["batchItemFailures"][0]["itemIdentifier"]
                     if answer["batchItemFailures"] else None),
        duration_ms=round((time.monotonic() - start) * 1000, 1))
    emit_metrics(function_name, DiscoveryFailures=0, Replicas=summary["replicas"],
                 UnhealthyReplicas=summary["unhealthy_replicas"],
                 UnhealthyReplicaRecordsMissed=summary["unhealthy_records_missed"])
    return answer
