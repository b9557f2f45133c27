"""The reference Lambda handler (infra/lambda/stream-forwarder/handler.py):
its plain functions with a fake transport; replica discovery through a fake
Cloud Map client (which instances gate the batch, discovery failures,
configuration errors) and boto3's own client with its HTTP answer faked (no
network); and the whole path end to end —
events built from real DynamoDB Local stream records, forwarded to two
inkdex-server replicas, one of which is stopped in the middle of a batch:
batchItemFailures names the first record that replica missed, and after
Lambda's retry (the batch from that record on) both replicas equal the
table, artist by artist."""

import contextlib
import io
import json
import os
import time
import unittest

import botocore.awsrequest
import botocore.exceptions
import grpc

import directory_table as dt
import dynamodb_local
import dynamodb_stream
import handler
import server_fixture
from inkdex.v1 import stream_ingest_pb2 as spb

pb = server_fixture.pb
R = spb.StreamRecordResult
TOKEN = "forwarder-s3cret"


def fake_record(seq):
    return {"eventName": "INSERT", "eventSourceARN": "arn:stream",
            "dynamodb": {"SequenceNumber": "%021d" % seq, "Keys": {}}}


def response(*outcomes):
    return spb.ApplyStreamRecordsResponse(results=[R(outcome=o) for o in outcomes])


class FakeRpcError(grpc.RpcError):
    def code(self):
        return grpc.StatusCode.UNAVAILABLE

    def details(self):
        return "connection refused"


class HandlerFunctionsTest(unittest.TestCase):
    def test_parse_targets(self):
        self.assertEqual(handler.parse_targets(" a:1, b:2 ,"), ["a:1", "b:2"])
        for bad in ["", None, "host", "host:port", ":80"]:
            with self.assertRaises(ValueError):
                handler.parse_targets(bad)

    def test_targets_from_env_discovers_replicas_by_dns(self):
        resolved = {"inkdex.internal": ["10.0.1.7", "10.0.2.9", "10.0.1.7"]}
        env = {"INKDEX_DISCOVERY_NAME": "inkdex.internal", "INKDEX_GRPC_PORT": "50051"}
        self.assertEqual(handler.targets_from_env(env, resolve=resolved.get),
                         ["10.0.1.7:50051", "10.0.2.9:50051"])
        self.assertEqual(handler.targets_from_env(
            {**env, "INKDEX_TARGETS": "a:1"}, resolve=resolved.get), ["a:1"])
        self.assertEqual(handler.discover_targets("v6", 7, resolve=lambda h: ["fd00::1"]),
                         ["[fd00::1]:7"])
        with self.assertRaisesRegex(ValueError, "INKDEX_DISCOVERY_NAME: 'gone' has no replica"):
            handler.targets_from_env({**env, "INKDEX_DISCOVERY_NAME": "gone"},
                                     resolve=lambda h: [])
        with self.assertRaisesRegex(ValueError, "INKDEX_GRPC_PORT"):
            handler.targets_from_env({**env, "INKDEX_GRPC_PORT": "x"}, resolve=resolved.get)
        with self.assertRaisesRegex(ValueError, "INKDEX_TARGETS: no replica"):
            handler.targets_from_env({})

    def test_requests_carry_every_record_in_order_with_the_stream_arn(self):
        records = [fake_record(i) for i in range(5)]
        requests = handler.build_requests(records, max_per_call=2)
        self.assertEqual([start for start, _ in requests], [0, 2, 4])
        self.assertEqual([json.loads(r) for _, req in requests for r in req.records_json], records)
        self.assertTrue(all(req.event_source_arn == "arn:stream" for _, req in requests))

    def test_the_earliest_failure_over_all_replicas_is_reported(self):
        records = [fake_record(i) for i in range(6)]
        A, S, I, J, F = (R.OUTCOME_APPLIED, R.OUTCOME_STALE, R.OUTCOME_IGNORED,
                         R.OUTCOME_REJECTED, R.OUTCOME_FAILED)

        def send(target, request, timeout):
            n = len(request.records_json)
            first = json.loads(request.records_json[0])["dynamodb"]["SequenceNumber"]
            if target == "a:1":
                return response(*[A] * n)
            if target == "b:1" and first == "%021d" % 2:
                return response(S, F)
            return response(*([S, I, J] * 2)[:n])

        answer = handler.handle_records(records, ["a:1", "b:1", "c:1"], send, max_per_call=2)
        # b failed record 3 (the second of its chunk starting at record 2).
        self.assertEqual(answer, {"batchItemFailures": [{"itemIdentifier": "%021d" % 3}]})

    def test_rejected_stale_and_ignored_records_are_done(self):
        records = [fake_record(i) for i in range(3)]
        send = lambda target, request, timeout: response(R.OUTCOME_REJECTED, R.OUTCOME_STALE,
                                                        R.OUTCOME_IGNORED)
        self.assertEqual(handler.handle_records(records, ["a:1"], send),
                         {"batchItemFailures": []})

    def test_a_failed_call_fails_from_its_first_record_and_stops_that_replica(self):
        records = [fake_record(i) for i in range(6)]
        calls = []

        def send(target, request, timeout):
            start = json.loads(request.records_json[0])["dynamodb"]["SequenceNumber"]
            calls.append((target, start))
            if target == "b:1" and start == "%021d" % 2:
                raise FakeRpcError()
            return response(*[R.OUTCOME_APPLIED] * len(request.records_json))

        answer = handler.handle_records(records, ["a:1", "b:1"], send, max_per_call=2)
        self.assertEqual(answer, {"batchItemFailures": [{"itemIdentifier": "%021d" % 2}]})
        self.assertNotIn(("b:1", "%021d" % 4), calls)  # nothing after the failure
        self.assertIn(("a:1", "%021d" % 4), calls)

    def test_missing_or_unspecified_results_are_failures(self):
        records = [fake_record(i) for i in range(3)]
        short = lambda target, request, timeout: response(R.OUTCOME_APPLIED)
        self.assertEqual(handler.handle_records(records, ["a:1"], short),
                         {"batchItemFailures": [{"itemIdentifier": "%021d" % 1}]})
        unspecified = lambda target, request, timeout: response(
            R.OUTCOME_APPLIED, R.OUTCOME_APPLIED, R.OUTCOME_UNSPECIFIED)
        self.assertEqual(handler.handle_records(records, ["a:1"], unspecified),
                         {"batchItemFailures": [{"itemIdentifier": "%021d" % 2}]})
        self.assertEqual(handler.handle_records([], ["a:1"], short), {"batchItemFailures": []})

    def test_calls_are_cut_to_the_deadline_and_unsent_records_fail(self):
        """A slow replica takes each call's whole timeout: with four requests
        of 10 s each and 25 s left, the third gets the 5 s that remain and
        the fourth is not sent; its records are reported failed instead of
        the invocation timing out."""
        records = [fake_record(i) for i in range(8)]
        now = [100.0]
        timeouts = []

        def send(target, request, timeout):
            timeouts.append(timeout)
            now[0] += timeout
            return response(*[R.OUTCOME_APPLIED] * len(request.records_json))

        answer = handler.handle_records(records, ["a:1"], send, timeout=10, max_per_call=2,
                                        deadline=125.0, clock=lambda: now[0])
        self.assertEqual(timeouts, [10, 10, 5])
        self.assertLessEqual(now[0], 125.0)
        self.assertEqual(answer, {"batchItemFailures": [{"itemIdentifier": "%021d" % 6}]})
        # With time to spare, every call gets its full timeout.
        now[0], timeouts[:] = 0.0, []
        self.assertEqual(handler.handle_records(records, ["a:1"], send, timeout=10, max_per_call=2,
                                                deadline=1000.0, clock=lambda: now[0]),
                         {"batchItemFailures": []})
        self.assertEqual(timeouts, [10, 10, 10, 10])

    def test_lambda_handler_returns_its_report_before_the_deadline(self):
        records = [fake_record(i) for i in range(10)]
        env = {"INKDEX_TARGETS": "a:1", "INKDEX_MAX_RECORDS_PER_CALL": "1",
               "INKDEX_RPC_TIMEOUT_SECONDS": "10"}
        for name, value in env.items():
            os.environ[name] = value
            self.addCleanup(os.environ.pop, name, None)
        timeouts = []

        def send(target, request, timeout):
            timeouts.append(timeout)
            time.sleep(min(timeout, 0.3))
            return response(R.OUTCOME_APPLIED)

        saved = handler._default_sender
        handler._default_sender = lambda: send
        self.addCleanup(setattr, handler, "_default_sender", saved)

        class Context:
            def get_remaining_time_in_millis(self):
                return 1500

        started = time.monotonic()
        answer = handler.lambda_handler({"Records": records}, Context())
        self.assertLess(time.monotonic() - started, 1.5, "returned before the Lambda deadline")
        self.assertLess(len(timeouts), 10)
        self.assertTrue(all(t <= 1.0 for t in timeouts), timeouts)
        self.assertEqual(answer, {"batchItemFailures": [
            {"itemIdentifier": "%021d" % len(timeouts)}]})

    def test_write_token_sources(self):
        class Ssm:
            def get_parameter(self, Name, WithDecryption):
                assert WithDecryption and Name == "/inkdex/token"
                return {"Parameter": {"Value": "from-ssm"}}

        class Secrets:
            def get_secret_value(self, SecretId):
                assert SecretId == "inkdex-token"
                return {"SecretString": "from-secrets"}

        self.assertEqual(handler.load_write_token({"INKDEX_WRITE_TOKEN": "t"}), "t")
        self.assertEqual(handler.load_write_token(
            {"INKDEX_WRITE_TOKEN_SSM_PARAMETER": "/inkdex/token"}, ssm_client=Ssm()), "from-ssm")
        self.assertEqual(handler.load_write_token(
            {"INKDEX_WRITE_TOKEN_SECRET_ID": "inkdex-token"}, secrets_client=Secrets()),
            "from-secrets")
        self.assertIsNone(handler.load_write_token({}))


def instance(instance_id, ip, health):
    """One instance of a DiscoverInstances answer, as ECS registers a task
    (A records: no AWS_INSTANCE_PORT)."""
    attributes = {"AVAILABILITY_ZONE": "eu-west-2a", "ECS_CLUSTER_NAME": "tattoo-dev-inkdex"}
    if ip is not None:
        attributes["AWS_INSTANCE_IPV4"] = ip
    return {"InstanceId": instance_id, "NamespaceName": "inkdex.dev.internal",
            "ServiceName": "inkdex", "HealthStatus": health, "Attributes": attributes}


class FakeServiceDiscovery:
    """A servicediscovery client: answers each discover_instances call with
    the next of `answers` (a list of instances, or an exception to raise)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def discover_instances(self, **kwargs):
        self.calls.append(kwargs)
        answer = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return {"Instances": answer, "InstancesRevision": 7}


CLOUD_MAP_ENV = {"INKDEX_DISCOVERY_NAMESPACE": "inkdex.dev.internal",
                 "INKDEX_DISCOVERY_SERVICE": "inkdex", "INKDEX_GRPC_PORT": "50051"}
HEALTHY_A = instance("task-a", "10.0.1.7", "HEALTHY")
BOOTSTRAPPING_B = instance("task-b", "10.0.2.9", "UNHEALTHY")
A, B = "10.0.1.7:50051", "10.0.2.9:50051"


def throttled():
    return botocore.exceptions.ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
        "DiscoverInstances")


class CloudMapDiscoveryTest(unittest.TestCase):
    """Replicas from Cloud Map: every registered instance gets the batch; only
    the failures of those not reported UNHEALTHY fail it."""

    def setUp(self):
        self.sent = []  # (target, first record, records, timeout)
        self.fail = {}  # target -> first record from which its calls fail

    def send(self, target, request, timeout):
        first = int(json.loads(request.records_json[0])["dynamodb"]["SequenceNumber"])
        self.sent.append((target, first, len(request.records_json), timeout))
        if target in self.fail and first + len(request.records_json) > self.fail[target]:
            if first >= self.fail[target]:
                raise FakeRpcError()
            done = self.fail[target] - first
            return response(*([R.OUTCOME_APPLIED] * done + [R.OUTCOME_FAILED]))
        return response(*[R.OUTCOME_APPLIED] * len(request.records_json))

    def received(self, target):
        """Sequence numbers the target was sent, in order."""
        return [first + i for t, first, n, _ in self.sent if t == target for i in range(n)]

    def invoke(self, records, client, env=None, context=None, sender=None):
        """lambda_handler with `env` on top of CLOUD_MAP_ENV, `client` as the
        discovery client and `sender` (default self.send) as the transport;
        -> (answer, the JSON lines it logged)."""
        for name, value in {**CLOUD_MAP_ENV, "AWS_LAMBDA_FUNCTION_NAME": "fwd",
                            **(env or {})}.items():
            self.addCleanup(os.environ.pop, name, None)
            os.environ[name] = value
        for name, value in (("_default_sender", lambda: sender or self.send),
                            ("_discovery", client)):
            self.addCleanup(setattr, handler, name, getattr(handler, name))
            setattr(handler, name, value)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            answer = handler.lambda_handler({"Records": records}, context)
        return answer, [json.loads(line) for line in out.getvalue().splitlines()]

    def metrics(self, lines):
        """The invocation's embedded-metric-format line, checked for shape."""
        [emf] = [line for line in lines if line["event"] == "metrics"]
        [directive] = emf["_aws"]["CloudWatchMetrics"]
        self.assertEqual(directive["Namespace"], "Inkdex/Forwarder")
        self.assertEqual(directive["Dimensions"], [["FunctionName"]])
        self.assertEqual(emf["FunctionName"], "fwd")
        names = [m["Name"] for m in directive["Metrics"]]
        self.assertTrue(all(isinstance(emf[n], int) for n in names), emf)
        return {n: emf[n] for n in names}

    def test_every_registered_instance_is_listed_with_its_health(self):
        client = FakeServiceDiscovery([
            instance("task-c", "10.0.3.3", "UNKNOWN"), HEALTHY_A, BOOTSTRAPPING_B,
            instance("task-b2", "10.0.2.9", "HEALTHY"),  # an address listed twice gates
            instance("task-d", "10.0.4.4", "UNHEALTHY")])
        replicas = handler.replicas_from_env(CLOUD_MAP_ENV, discovery_client=client)
        self.assertEqual(client.calls, [{"NamespaceName": "inkdex.dev.internal",
                                         "ServiceName": "inkdex", "HealthStatus": "ALL",
                                         "MaxResults": 1000}])
        self.assertEqual(replicas, [
            handler.Replica(A, "HEALTHY", "task-a"), handler.Replica(B, "HEALTHY", "task-b2"),
            handler.Replica("10.0.3.3:50051", "UNKNOWN", "task-c"),
            handler.Replica("10.0.4.4:50051", "UNHEALTHY", "task-d")])
        self.assertEqual(handler.gating(replicas), set(replicas[:3]))

    def test_healthy_and_unhealthy_replicas_both_receive_the_batch(self):
        records = [fake_record(i) for i in range(5)]
        answer, lines = self.invoke(records, FakeServiceDiscovery([HEALTHY_A, BOOTSTRAPPING_B]),
                                    env={"INKDEX_MAX_RECORDS_PER_CALL": "2"})
        self.assertEqual(answer, {"batchItemFailures": []})
        self.assertEqual(self.received(A), list(range(5)))
        self.assertEqual(self.received(B), list(range(5)))
        self.assertEqual(self.metrics(lines), {"DiscoveryFailures": 0, "Replicas": 2,
                                               "UnhealthyReplicas": 1,
                                               "UnhealthyReplicaRecordsMissed": 0})

    def test_an_unhealthy_replicas_failure_is_logged_and_counted_not_reported(self):
        records = [fake_record(i) for i in range(6)]
        self.fail[B] = 2  # its second call (records 2-3) fails
        answer, lines = self.invoke(records, FakeServiceDiscovery([HEALTHY_A, BOOTSTRAPPING_B]),
                                    env={"INKDEX_MAX_RECORDS_PER_CALL": "2"})
        self.assertEqual(answer, {"batchItemFailures": []})
        self.assertEqual(self.received(A), list(range(6)))
        self.assertEqual(self.received(B), [0, 1, 2, 3])  # stopped at its failure
        [missed] = [line for line in lines if line["event"] == "unhealthy_replica_missed"]
        self.assertEqual(missed, {"event": "unhealthy_replica_missed", "target": B,
                                  "instance": "task-b", "health": "UNHEALTHY", "first_record": 2,
                                  "sequence_number": "%021d" % 2, "records": 4})
        self.assertEqual(self.metrics(lines)["UnhealthyReplicaRecordsMissed"], 4)
        # A FAILED outcome, not only a failed call.
        self.sent, self.fail = [], {B: 5}
        answer, lines = self.invoke(records, FakeServiceDiscovery([HEALTHY_A, BOOTSTRAPPING_B]))
        self.assertEqual(answer, {"batchItemFailures": []})
        self.assertEqual(self.metrics(lines)["UnhealthyReplicaRecordsMissed"], 1)

    def test_a_healthy_replicas_failure_is_reported(self):
        records = [fake_record(i) for i in range(6)]
        self.fail = {A: 3, B: 1}
        answer, lines = self.invoke(records, FakeServiceDiscovery([HEALTHY_A, BOOTSTRAPPING_B]))
        self.assertEqual(answer, {"batchItemFailures": [{"itemIdentifier": "%021d" % 3}]})
        self.assertEqual(self.metrics(lines)["UnhealthyReplicaRecordsMissed"], 5)

    def test_unknown_gates_and_when_none_is_healthy_all_gate(self):
        records = [fake_record(i) for i in range(4)]
        self.fail = {A: 2}
        for health in ("UNKNOWN", "HEALTHY", ""):
            self.assertEqual(handler.handle_records(
                records, [handler.Replica(A, health), handler.Replica(B, "UNHEALTHY")], self.send),
                {"batchItemFailures": [{"itemIdentifier": "%021d" % 2}]}, health)
        # Only unhealthy replicas: there is no serving one to hold up.
        answer, summary = handler.forward_batch(
            records, [handler.Replica(A, "UNHEALTHY"), handler.Replica(B, "UNHEALTHY")], self.send)
        self.assertEqual(answer, {"batchItemFailures": [{"itemIdentifier": "%021d" % 2}]})
        self.assertEqual(summary, {"replicas": 2, "unhealthy_replicas": 0,
                                   "unhealthy_records_missed": 0})

    def test_unhealthy_replicas_get_the_shorter_timeout(self):
        records = [fake_record(0)]
        self.invoke(records, FakeServiceDiscovery([HEALTHY_A, BOOTSTRAPPING_B]),
                    env={"INKDEX_RPC_TIMEOUT_SECONDS": "8",
                         "INKDEX_UNHEALTHY_RPC_TIMEOUT_SECONDS": "1.5"})
        self.assertEqual(sorted((t, timeout) for t, _, _, timeout in self.sent),
                         [(A, 8.0), (B, 1.5)])
        self.sent = []
        handler.forward_batch(records, [handler.Replica(B, "UNHEALTHY"), handler.Replica(A)],
                              self.send, timeout=2, unhealthy_timeout=5)
        self.assertEqual(sorted((t, timeout) for t, _, _, timeout in self.sent),
                         [(A, 2), (B, 2)])  # never more than the gating timeout

    def test_a_discovery_failure_fails_the_whole_batch_and_sends_nothing(self):
        records = [fake_record(i) for i in range(3, 6)]
        for answer_, message in ((throttled(), "DiscoverInstances failed: .*ThrottlingException"),
                                 ([], "has no registered instance")):
            client = FakeServiceDiscovery(answer_, [HEALTHY_A])
            answer, lines = self.invoke(records, client)
            self.assertEqual(answer, {"batchItemFailures": [{"itemIdentifier": "%021d" % 3}]})
            self.assertEqual(self.sent, [])
            [failed] = [line for line in lines if line["event"] == "discovery_failed"]
            self.assertRegex(failed["error"], "Cloud Map service 'inkdex' in namespace "
                             "'inkdex.dev.internal' \\(INKDEX_DISCOVERY_SERVICE, "
                             "INKDEX_DISCOVERY_NAMESPACE\\).*" + message)
            self.assertEqual(self.metrics(lines), {"DiscoveryFailures": 1})
            # Nothing is remembered: the retry asks again and goes through.
            answer, lines = self.invoke(records, client)
            self.assertEqual(answer, {"batchItemFailures": []})
            self.assertEqual(self.received(A), [3, 4, 5])
            self.assertEqual(len(client.calls), 2)
            self.sent = []

    def test_an_instance_without_an_ipv4_address_is_refused_naming_it(self):
        for attribute, message in ((None, "instance 'task-x' has no AWS_INSTANCE_IPV4 attribute "
                                          "\\(it has \\['AVAILABILITY_ZONE', 'ECS_CLUSTER_NAME'\\]\\)"),
                                   ("fd00::7", "instance 'task-x': AWS_INSTANCE_IPV4 'fd00::7' is "
                                               "not an IPv4 address"),
                                   ("10.0.9", "instance 'task-x': AWS_INSTANCE_IPV4 '10.0.9'")):
            client = FakeServiceDiscovery([HEALTHY_A, instance("task-x", attribute, "HEALTHY")])
            with self.assertRaisesRegex(handler.DiscoveryError, message):
                handler.cloud_map_replicas("inkdex.dev.internal", "inkdex", "50051", client)
            # In the handler: the batch fails, nothing is sent (not even to
            # task-a: the list is refused, not trimmed).
            answer, lines = self.invoke([fake_record(0)], client)
            self.assertEqual(answer, {"batchItemFailures": [{"itemIdentifier": "%021d" % 0}]})
            self.assertEqual(self.sent, [])
            self.assertTrue(any(line["event"] == "discovery_failed" and "task-x" in line["error"]
                                for line in lines), lines)

    def test_the_instance_list_is_asked_for_on_every_invocation(self):
        """A task registered since the last invocation gets the next batch."""
        client = FakeServiceDiscovery([HEALTHY_A], [HEALTHY_A, BOOTSTRAPPING_B])
        self.invoke([fake_record(0)], client)
        self.invoke([fake_record(1)], client)
        self.assertEqual(len(client.calls), 2)
        self.assertEqual(self.received(A), [0, 1])
        self.assertEqual(self.received(B), [1])

    def test_channels_of_replicas_gone_are_closed(self):
        """Each invocation keeps the channels of the replicas discovered and
        closes the others (a replaced task's address never comes back)."""
        grpc_sender = handler.GrpcSender(TOKEN)
        gone = grpc_sender._stub("10.0.1.5:50051")  # a channel, not connected
        grpc_sender._stub(A)
        retained = []
        test = self

        class Sender:
            def __call__(self, target, request, timeout):
                return test.send(target, request, timeout)

            def retain(self, targets):
                targets = list(targets)
                retained.append(targets)
                grpc_sender.retain(targets)

        answer, _ = self.invoke([fake_record(0)], FakeServiceDiscovery([HEALTHY_A]),
                                sender=Sender())
        self.assertEqual(answer, {"batchItemFailures": []})
        self.assertEqual(retained, [[A]])
        self.assertEqual(grpc_sender.targets(), [A])
        with self.assertRaisesRegex(ValueError, "closed channel"):
            gone.ApplyStreamRecords(handler.pb.ApplyStreamRecordsRequest(records_json=["{}"]),
                                    timeout=1)

    def test_configuration_errors_name_the_variable(self):
        client = FakeServiceDiscovery([HEALTHY_A])
        for env, variable in (
                ({"INKDEX_DISCOVERY_NAMESPACE": "inkdex.dev.internal", "INKDEX_GRPC_PORT": "1"},
                 "INKDEX_DISCOVERY_SERVICE: not set"),
                ({"INKDEX_DISCOVERY_SERVICE": "inkdex", "INKDEX_GRPC_PORT": "1"},
                 "INKDEX_DISCOVERY_NAMESPACE: not set"),
                ({**CLOUD_MAP_ENV, "INKDEX_GRPC_PORT": ""}, "INKDEX_GRPC_PORT: '' is not a port"),
                ({**CLOUD_MAP_ENV, "INKDEX_GRPC_PORT": "70000"}, "INKDEX_GRPC_PORT"),
                ({}, "INKDEX_TARGETS: no replica given .*INKDEX_DISCOVERY_NAMESPACE")):
            with self.assertRaisesRegex(ValueError, variable):
                handler.replicas_from_env(env, discovery_client=client)
        self.assertEqual(client.calls, [])  # refused before any call
        for variable, value in (("INKDEX_RPC_TIMEOUT_SECONDS", "ten"),
                                ("INKDEX_UNHEALTHY_RPC_TIMEOUT_SECONDS", "0"),
                                ("INKDEX_MAX_RECORDS_PER_CALL", "1.5")):
            # A configuration error fails the invocation: it is no DiscoveryError.
            with self.assertRaisesRegex(ValueError, "^%s: '%s' is not a positive" % (
                    variable, value)) as caught:
                self.invoke([fake_record(0)], client, env={variable: value})
            self.assertNotIsInstance(caught.exception, handler.DiscoveryError)
            os.environ.pop(variable)
        self.assertEqual(client.calls, [])

    def test_targets_then_cloud_map_then_the_dns_name(self):
        client = FakeServiceDiscovery([HEALTHY_A])
        resolved = []
        resolve = lambda host: resolved.append(host) or ["10.9.9.9"]
        self.assertEqual(handler.replicas_from_env({**CLOUD_MAP_ENV, "INKDEX_TARGETS": "t:1"},
                                                   resolve, client), [handler.Replica("t:1")])
        self.assertEqual(client.calls, [])
        self.assertEqual(handler.replicas_from_env(
            {**CLOUD_MAP_ENV, "INKDEX_DISCOVERY_NAME": "inkdex.dev.internal"}, resolve, client),
            [handler.Replica(A, "HEALTHY", "task-a")])
        self.assertEqual(resolved, [])
        self.assertEqual(handler.replicas_from_env(
            {"INKDEX_DISCOVERY_NAME": "inkdex.dev.internal", "INKDEX_GRPC_PORT": "50051"},
            resolve, client), [handler.Replica("10.9.9.9:50051")])
        # A name that does not resolve fails the batch like Cloud Map's errors.
        with self.assertRaises(handler.DiscoveryError):
            handler.replicas_from_env({"INKDEX_DISCOVERY_NAME": "gone", "INKDEX_GRPC_PORT": "1"},
                                      lambda host: [])


class Boto3DiscoveryClientTest(unittest.TestCase):
    """handler.discovery_client() is boto3's own client: its request, with the
    HTTP answer faked (no network)."""

    def test_discover_instances_goes_to_the_data_endpoint_and_is_parsed(self):
        client = handler.discovery_client(region_name="eu-west-2", aws_access_key_id="AKIDTEST",
                                          aws_secret_access_key="secret")
        config = client.meta.config
        self.assertEqual((config.connect_timeout, config.read_timeout), (1, 2))
        self.assertEqual(config.retries, {"mode": "standard", "total_max_attempts": 3})
        requests = []

        def answer(request, **kwargs):
            requests.append(request)
            body = json.dumps({"Instances": [HEALTHY_A, BOOTSTRAPPING_B],
                               "InstancesRevision": 3}).encode()

            class Raw:
                def stream(self, **kwargs):
                    return iter([body])

            return botocore.awsrequest.AWSResponse(
                request.url, 200, {"Content-Type": "application/x-amz-json-1.1"}, Raw())

        client.meta.events.register("before-send.servicediscovery.DiscoverInstances", answer)
        replicas = handler.cloud_map_replicas("inkdex.dev.internal", "inkdex", "50051", client)
        self.assertEqual(replicas, [handler.Replica(A, "HEALTHY", "task-a"),
                                    handler.Replica(B, "UNHEALTHY", "task-b")])
        [request] = requests
        # The host the VPC endpoint com.amazonaws.REGION.data-servicediscovery serves.
        self.assertEqual(request.url, "https://data-servicediscovery.eu-west-2.amazonaws.com/")
        self.assertEqual(request.headers["X-Amz-Target"],
                         b"Route53AutoNaming_v20170314.DiscoverInstances")
        self.assertEqual(json.loads(request.body), {
            "NamespaceName": "inkdex.dev.internal", "ServiceName": "inkdex",
            "MaxResults": 1000, "HealthStatus": "ALL"})

    def test_an_error_answer_is_a_discovery_error(self):
        client = handler.discovery_client(region_name="eu-west-2", aws_access_key_id="AKIDTEST",
                                          aws_secret_access_key="secret")

        def answer(request, **kwargs):
            body = json.dumps({"__type": "NamespaceNotFound",
                               "Message": "No namespace exists with the specified ID."}).encode()

            class Raw:
                def stream(self, **kwargs):
                    return iter([body])

            return botocore.awsrequest.AWSResponse(request.url, 400, {}, Raw())

        client.meta.events.register("before-send.servicediscovery.DiscoverInstances", answer)
        with self.assertRaisesRegex(handler.DiscoveryError,
                                    "INKDEX_DISCOVERY_NAMESPACE.*NamespaceNotFound"):
            handler.cloud_map_replicas("inkdex.dev.internal", "inkdex", "50051", client)


def artist(i, **fields):
    record = {"artistId": "fw-%03d" % i, "artistName": "Forwarded Artist %d" % i,
              "latitude": 51.0 + i / 100.0, "longitude": -0.5 + i / 100.0,
              "styles": ["blackwork"], "rating": 4.0}
    record.update(fields)
    return record


class ForwarderEndToEndTest(unittest.TestCase):
    def setUp(self):
        self.ddb = dynamodb_local.DynamoDBLocal()
        self.addCleanup(self.ddb.stop)
        self.table = self.ddb.create_directory_table("directory")
        self.reader = self.table.stream()
        root = server_fixture.make_temp_dir("inkdex-forwarder-")
        seed = server_fixture.write_jsonl(os.path.join(root, "seed.jsonl"), [
            {"artistId": "seed-0", "artistName": "Seed", "latitude": 1.0, "longitude": 1.0}])
        self.index_dirs = []
        self.replicas = []
        for name in ("replica-a", "replica-b"):
            directory = server_fixture.build_index(os.path.join(root, name), seed)
            self.index_dirs.append(directory)
            self.replicas.append(self.start(directory))
        self.sender = handler.GrpcSender(TOKEN)

    def start(self, directory):
        server = server_fixture.Server(directory, write_token=TOKEN)
        self.addCleanup(server.kill)
        return server

    def event(self, expected):
        records = self.reader.read(expected=expected)
        return dynamodb_stream.lambda_event(records, self.table.stream_arn)["Records"]

    def forward(self, records, send=None, max_per_call=handler.MAX_RECORDS_PER_CALL):
        targets = [r.address for r in self.replicas]
        return handler.handle_records(records, targets, send or self.sender, timeout=10,
                                      max_per_call=max_per_call)

    def assert_replicas_equal_table(self, removed=()):
        """Each replica holds exactly the table's artists; `removed` ids
        (deleted from the table) are gone from every replica."""
        items = self.table.scan_items()
        artists = {}
        for item in items:
            pk, sk = item["PK"]["S"], item["SK"]["S"]
            if pk.startswith("ARTIST#") and sk in ("METADATA", "PROFILE"):
                artists[pk[len("ARTIST#"):]] = dt.from_attribute_values(item)
        # An artist item without coordinates cannot be indexed (rejected).
        indexable = {i for i, a in artists.items() if "latitude" in a}
        searchable = {i for i in indexable
                      if not artists[i].get("opted_out") and artists[i].get("isActive", True)}
        for replica in self.replicas:
            stats = replica.search.GetStats(pb.GetStatsRequest(), timeout=10)
            # Every indexable artist item (hidden ones included) plus the seed.
            self.assertEqual(stats.documents, len(indexable) + 1, replica.address)
            for artist_id, record in sorted(artists.items()):
                try:
                    got = replica.search.GetArtist(pb.GetArtistRequest(id=artist_id), timeout=10)
                except grpc.RpcError as e:
                    self.assertEqual(e.code(), grpc.StatusCode.NOT_FOUND)
                    self.assertNotIn(artist_id, searchable, (replica.address, artist_id))
                    continue
                self.assertIn(artist_id, searchable, (replica.address, artist_id))
                self.assertEqual(got.name, record["artistName"], (replica.address, artist_id))
                self.assertAlmostEqual(got.location.latitude, float(record["latitude"]))
                self.assertAlmostEqual(got.location.longitude, float(record["longitude"]))
                self.assertAlmostEqual(got.rating, float(record["rating"]))
            for artist_id in removed:
                self.assertNotIn(artist_id, artists)
                with self.assertRaises(grpc.RpcError) as caught:
                    replica.search.GetArtist(pb.GetArtistRequest(id=artist_id), timeout=10)
                self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_replica_stopped_mid_batch_is_caught_up_by_the_retry(self):
        # Batch 1: inserts, a studio, an older PROFILE item; both replicas up.
        for i in range(8):
            self.table.put_artist(artist(i), sk="PROFILE" if i == 7 else "METADATA")
        self.table.put_studio("studio-1", studioName="Studio One")
        records = self.event(expected=9)
        self.assertEqual(self.forward(records), {"batchItemFailures": []})
        self.assert_replicas_equal_table()

        # Batch 2: modifies, opted_out flips, an inactive artist, removes
        # (REMOVE events included), a malformed artist, new inserts.
        self.table.update_artist("fw-000", artistName="Renamed Zero", rating=4.9)
        self.table.update_artist("fw-001", opted_out=True)
        self.table.update_artist("fw-002", isActive=False)
        self.table.delete_artist("fw-003")
        self.table.put_item({**dt.artist_key("fw-bad"), "artistId": {"S": "fw-bad"},
                             "artistName": {"S": "No Coordinates"}})
        for i in range(8, 12):
            self.table.put_artist(artist(i))
        self.table.update_artist("fw-001", opted_out=False, artistName="Back Again")
        self.table.delete_artist("fw-004")
        self.table.delete_item(dt.studio_key("studio-1"))
        records = self.event(expected=12)
        self.assertEqual(len(records), 12)
        self.assertIn("REMOVE", [r["eventName"] for r in records])

        # Replica b stops after its first call of 4 records.
        stopped = self.replicas[1]
        calls = {"b": 0}

        def send(target, request, timeout):
            if target == stopped.address:
                calls["b"] += 1
                if calls["b"] == 2:
                    stopped.kill()
            return self.sender(target, request, timeout)

        answer = self.forward(records, send=send, max_per_call=4)
        self.assertEqual(answer, {"batchItemFailures": [
            {"itemIdentifier": records[4]["dynamodb"]["SequenceNumber"]}]})

        # Lambda retries from that record on, once the replica is back.
        self.replicas[1] = self.start(self.index_dirs[1])
        retry = records[4:]
        self.assertEqual(self.forward(retry, max_per_call=4), {"batchItemFailures": []})
        self.assert_replicas_equal_table(removed=["fw-003", "fw-004"])

        # A duplicate delivery of the whole batch changes nothing.
        self.assertEqual(self.forward(records), {"batchItemFailures": []})
        self.assert_replicas_equal_table(removed=["fw-003", "fw-004"])

    def test_lambda_handler_entry_point(self):
        self.table.put_artist(artist(50))
        self.table.delete_artist("fw-050")
        event = {"Records": self.event(expected=2)}
        os.environ["INKDEX_TARGETS"] = ",".join(r.address for r in self.replicas)
        os.environ["INKDEX_WRITE_TOKEN"] = TOKEN
        self.addCleanup(os.environ.pop, "INKDEX_TARGETS", None)
        self.addCleanup(os.environ.pop, "INKDEX_WRITE_TOKEN", None)
        handler._sender = None

        class Context:
            def get_remaining_time_in_millis(self):
                return 30000

        self.assertEqual(handler.lambda_handler(event, Context()), {"batchItemFailures": []})
        for replica in self.replicas:
            with self.assertRaises(grpc.RpcError) as caught:
                replica.search.GetArtist(pb.GetArtistRequest(id="fw-050"), timeout=10)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)
            stats = replica.search.GetStats(pb.GetStatsRequest(), timeout=10)
            self.assertEqual(stats.tombstones, 1)


if __name__ == "__main__":
    unittest.main()
