"""The reference Lambda handler (infra/lambda/stream-forwarder/handler.py):
its plain functions with a fake transport, and the whole path end to end —
events built from real DynamoDB Local stream records, forwarded to two
inkdex-server replicas, one of which is stopped in the middle of a batch:
batchItemFailures names the first record that replica missed, and after
Lambda's retry (the batch from that record on) both replicas equal the
table, artist by artist."""

import json
import os
import time
import unittest

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
