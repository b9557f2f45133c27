"""StreamIngest.ApplyStreamRecords against a real inkdex-server: records of a
Lambda DynamoDB event applied idempotently by sequence number (duplicates,
out-of-order batches), REMOVE, opted_out flips, non-artist and malformed
records, a rejected MODIFY keeping the previous document, request limits,
auth, metrics and logs."""

import json
import os
import re
import threading
import unittest

import grpc

import server_fixture
from inkdex.v1 import stream_ingest_pb2 as spb
from inkdex.v1 import stream_ingest_pb2_grpc as spb_grpc

pb = server_fixture.pb
TOKEN = "lambda-s3cret"
ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/directory/stream/2026-12-01T00:00:00.000"
R = spb.StreamRecordResult


def artist_image(artist_id, name="Ink Artist", lat=51.5, lon=-0.1, sk="METADATA", **extra):
    image = {"PK": {"S": "ARTIST#" + artist_id}, "SK": {"S": sk},
             "artistId": {"S": artist_id}, "artistName": {"S": name},
             "latitude": {"N": repr(lat)}, "longitude": {"N": repr(lon)},
             "styles": {"L": [{"S": "fineline"}]}}
    image.update(extra)
    return image


def keys_of(image):
    return {"PK": image["PK"], "SK": image["SK"]}


def record(event, seq, image=None, old=None, keys=None, arn=ARN):
    dynamodb = {"SequenceNumber": "%021d" % seq if isinstance(seq, int) else seq,
                "Keys": keys or keys_of(image or old), "SizeBytes": 100,
                "ApproximateCreationDateTime": 1767225600,
                "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if image is not None:
        dynamodb["NewImage"] = image
    if old is not None:
        dynamodb["OldImage"] = old
    return {"eventID": "ev-%s" % seq, "eventName": event, "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "us-east-1", "dynamodb": dynamodb,
            "eventSourceARN": arn}


def request(*records, arn=ARN):
    return spb.ApplyStreamRecordsRequest(
        records_json=[r if isinstance(r, str) else json.dumps(r) for r in records],
        event_source_arn=arn)


def empty_index():
    root = server_fixture.make_temp_dir("inkdex-lambda-")
    data = server_fixture.write_jsonl(os.path.join(root, "seed.jsonl"), [
        {"artistId": "seed-1", "artistName": "Seed Artist", "latitude": 40.0, "longitude": -3.0}])
    return server_fixture.build_index(os.path.join(root, "index"), data)


class ApplyStreamRecordsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Messages above the RPC's own 16 MiB limit reach the handler.
        cls.server = server_fixture.Server(empty_index(), write_token=TOKEN,
                                           extra_args=["--max-message-bytes", 64 << 20])
        cls.stub = spb_grpc.StreamIngestStub(cls.server.channel)

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()

    def apply(self, *records, arn=ARN):
        return self.stub.ApplyStreamRecords(request(*records, arn=arn),
                                            metadata=server_fixture.bearer(TOKEN), timeout=30)

    def outcomes(self, response):
        return [R.Outcome.Name(r.outcome) for r in response.results]

    def get(self, artist_id):
        try:
            return self.server.search.GetArtist(pb.GetArtistRequest(id=artist_id), timeout=10)
        except grpc.RpcError as e:
            self.assertEqual(e.code(), grpc.StatusCode.NOT_FOUND, e.details())
            return None

    def test_insert_modify_and_duplicates(self):
        first = record("INSERT", 100, artist_image("dup-1", "First"))
        reply = self.apply(first)
        self.assertEqual(self.outcomes(reply), ["OUTCOME_APPLIED"])
        self.assertEqual(reply.results[0].artist_id, "dup-1")
        self.assertEqual(reply.results[0].sequence_number, "%021d" % 100)
        self.assertEqual(reply.results[0].event_id, "ev-100")
        self.assertGreater(reply.commit_seq, 0)
        self.assertEqual(self.get("dup-1").name, "First")
        # The same batch again (a Lambda retry): nothing changes.
        reply = self.apply(first)
        self.assertEqual(self.outcomes(reply), ["OUTCOME_STALE"])
        # A duplicate inside one batch: the second copy is stale.
        second = record("MODIFY", 101, artist_image("dup-1", "Second"),
                        old=artist_image("dup-1", "First"))
        reply = self.apply(second, second)
        self.assertEqual(self.outcomes(reply), ["OUTCOME_APPLIED", "OUTCOME_STALE"])
        self.assertEqual(self.get("dup-1").name, "Second")

    def test_older_batch_after_newer_applies_only_what_is_new(self):
        newer = self.apply(record("INSERT", 2000, artist_image("ooo-1", "Newer")))
        self.assertEqual(self.outcomes(newer), ["OUTCOME_APPLIED"])
        older = self.apply(record("INSERT", 1000, artist_image("ooo-1", "Older")),
                           record("INSERT", 1001, artist_image("ooo-2", "Only In Older")))
        self.assertEqual(self.outcomes(older), ["OUTCOME_STALE", "OUTCOME_APPLIED"])
        self.assertEqual(self.get("ooo-1").name, "Newer")
        self.assertEqual(self.get("ooo-2").name, "Only In Older")

    def test_remove_deletes_and_an_older_modify_cannot_bring_it_back(self):
        image = artist_image("rm-1", "Removed Soon")
        self.assertEqual(self.outcomes(self.apply(record("INSERT", 3000, image))),
                         ["OUTCOME_APPLIED"])
        self.assertIsNotNone(self.get("rm-1"))
        reply = self.apply(record("REMOVE", 3002, old=image))
        self.assertEqual(self.outcomes(reply), ["OUTCOME_APPLIED"])
        self.assertEqual(reply.results[0].artist_id, "rm-1")
        self.assertIsNone(self.get("rm-1"))
        reply = self.apply(record("MODIFY", 3001, artist_image("rm-1", "Late"), old=image))
        self.assertEqual(self.outcomes(reply), ["OUTCOME_STALE"])
        self.assertIsNone(self.get("rm-1"))

    def test_opted_out_and_inactive_hide_and_flip_back(self):
        image = artist_image("flip-1", "Flipper")
        self.apply(record("INSERT", 4000, image))
        hidden = artist_image("flip-1", "Flipper", opted_out={"BOOL": True})
        self.assertEqual(self.outcomes(self.apply(record("MODIFY", 4001, hidden, old=image))),
                         ["OUTCOME_APPLIED"])
        self.assertIsNone(self.get("flip-1"))
        self.apply(record("MODIFY", 4002, image, old=hidden))
        self.assertIsNotNone(self.get("flip-1"))
        inactive = artist_image("flip-1", "Flipper", isActive={"BOOL": False})
        self.apply(record("MODIFY", 4003, inactive, old=image))
        self.assertIsNone(self.get("flip-1"))

    def test_removes_of_calls_that_share_a_commit_delete(self):
        """Calls that arrive together share one group commit; each REMOVE
        keeps its sequence number there (merging once turned them into
        "version 0" deletes, STALE, and the artists stayed searchable)."""
        ids = ["cc-%d" % i for i in range(8)]
        images = {i: artist_image(i, "Concurrent " + i) for i in ids}
        inserted = self.apply(*[record("INSERT", 7000 + n, images[i]) for n, i in enumerate(ids)])
        self.assertEqual(self.outcomes(inserted), ["OUTCOME_APPLIED"] * len(ids))
        replies = [None] * len(ids)

        def remove(n):
            replies[n] = self.apply(record("REMOVE", 7100 + n, old=images[ids[n]]))

        threads = [threading.Thread(target=remove, args=(n,)) for n in range(len(ids))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # They arrived within the commit interval of the INSERT's commit.
        self.assertLess(len({r.commit_seq for r in replies}), len(ids))
        for n, reply in enumerate(replies):
            self.assertEqual(self.outcomes(reply), ["OUTCOME_APPLIED"], reply.results[0].reason)
            self.assertIsNone(self.get(ids[n]), ids[n])

    def test_metadata_remove_falls_back_to_the_profile_item(self):
        """An artist with both items (the older SK PROFILE and SK METADATA):
        PROFILE's changes while METADATA is served are kept, and METADATA's
        REMOVE serves PROFILE's latest image; a retried batch changes
        nothing."""
        profile = artist_image("mp-1", "Profile Name", lat=53.8, lon=-1.55, sk="PROFILE")
        renamed = artist_image("mp-1", "Profile Renamed", lat=53.8, lon=-1.55, sk="PROFILE")
        metadata = artist_image("mp-1", "Metadata Name", sk="METADATA")
        first = [record("INSERT", 6000, profile), record("INSERT", 6001, metadata),
                 record("MODIFY", 6002, renamed, old=profile)]
        reply = self.apply(*first)
        self.assertEqual(self.outcomes(reply),
                         ["OUTCOME_APPLIED", "OUTCOME_APPLIED", "OUTCOME_STALE"])
        self.assertRegex(reply.results[2].reason,
                         r"^outranked: .*SK METADATA.* \(kept: the artist falls back to it")
        self.assertEqual(self.get("mp-1").name, "Metadata Name")
        reply = self.apply(record("REMOVE", 6003, old=metadata))
        self.assertEqual(self.outcomes(reply), ["OUTCOME_APPLIED"])
        served = self.get("mp-1")
        self.assertIsNotNone(served, "METADATA's REMOVE took the artist away")
        self.assertEqual(served.name, "Profile Renamed")
        self.assertAlmostEqual(served.location.latitude, 53.8)
        # The Lambda retries the first batch: METADATA does not come back.
        self.assertEqual(self.outcomes(self.apply(*first)), ["OUTCOME_STALE"] * 3)
        self.assertEqual(self.get("mp-1").name, "Profile Renamed")
        self.apply(record("REMOVE", 6004, old=renamed))
        self.assertIsNone(self.get("mp-1"))

    def test_non_artist_and_malformed_records_never_fail_the_batch(self):
        studio = {"PK": {"S": "STUDIO#s1"}, "SK": {"S": "PROFILE"}, "studioName": {"S": "S"}}
        no_coords = artist_image("bad-1", "No Coordinates")
        del no_coords["latitude"]
        reply = self.apply(
            record("INSERT", 5000, studio),
            "{not json",
            json.dumps({"eventName": "INSERT"}),
            record("INSERT", 5001, no_coords),
            record("INSERT", "12ab", artist_image("bad-2")),
            record("INSERT", 5003, artist_image("other-stream"), arn=ARN + "-other"),
            record("INSERT", 5004, artist_image("good-after-bad", "Good")))
        self.assertEqual(self.outcomes(reply), [
            "OUTCOME_IGNORED", "OUTCOME_REJECTED", "OUTCOME_REJECTED", "OUTCOME_REJECTED",
            "OUTCOME_REJECTED", "OUTCOME_REJECTED", "OUTCOME_APPLIED"])
        reasons = [r.reason for r in reply.results]
        self.assertEqual(reasons[0], "STUDIO")
        self.assertRegex(reasons[1], r"^record: not valid JSON: ")
        self.assertEqual(reasons[2], "dynamodb: missing or not an object")
        self.assertEqual(reasons[3], "latitude: missing")
        self.assertEqual(reply.results[3].artist_id, "bad-1")
        self.assertRegex(reasons[4], r"^dynamodb.SequenceNumber: must be 1..40 decimal digits")
        self.assertRegex(reasons[5], r"^eventSourceARN: .* is not the request's event_source_arn")
        self.assertIsNone(self.get("bad-1"))
        self.assertIsNotNone(self.get("good-after-bad"))
        logged = self.server.wait_for_log(
            lambda e: e.get("event") == "stream_record_rejected" and
            e.get("artist_id") == "bad-1")
        self.assertEqual(logged["reason"], "latitude: missing")
        metrics = self.server.metrics()
        for outcome, reason in [("ignored", "other_item"), ("rejected", "invalid_field"),
                                ("rejected", "invalid_record"), ("applied", "none")]:
            self.assertRegex(metrics, r'inkdex_stream_records_total\{[^}]*outcome="%s",'
                                      r'reason="%s",source="lambda"\} [1-9]' % (outcome, reason))

    def test_a_rejected_modify_keeps_the_previous_document(self):
        image = artist_image("keep-1", "Kept Name")
        self.apply(record("INSERT", 6000, image))
        broken = artist_image("keep-1", "Broken Update")
        broken["latitude"] = {"S": "north"}
        reply = self.apply(record("MODIFY", 6001, broken, old=image))
        self.assertEqual(self.outcomes(reply), ["OUTCOME_REJECTED"])
        self.assertRegex(reply.results[0].reason, r"^latitude: ")
        self.assertEqual(self.get("keep-1").name, "Kept Name")

    def test_request_limits_name_the_field(self):
        cases = [
            (spb.ApplyStreamRecordsRequest(), "records_json: must hold 1..10000 records, got 0"),
            (spb.ApplyStreamRecordsRequest(records_json=["{}"] * 10001),
             "records_json: must hold 1..10000 records, got 10001"),
            (spb.ApplyStreamRecordsRequest(records_json=["{}", " " * ((1 << 20) + 1)]),
             "records_json[1]: must be at most 1048576 bytes, got 1048577"),
            (spb.ApplyStreamRecordsRequest(records_json=[" " * (1 << 20)] * 17),
             "records_json: must hold at most 16777216 bytes in all"),
            (spb.ApplyStreamRecordsRequest(records_json=["{}"], event_source_arn="a" * 2049),
             "event_source_arn: must be at most 2048 bytes, got 2049"),
        ]
        for req, message in cases:
            with self.assertRaises(grpc.RpcError) as caught:
                self.stub.ApplyStreamRecords(req, metadata=server_fixture.bearer(TOKEN),
                                             timeout=30)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertTrue(caught.exception.details().startswith(message),
                            caught.exception.details())

    def test_needs_the_write_token(self):
        req = request(record("INSERT", 7000, artist_image("auth-1")))
        for metadata, code in [((), grpc.StatusCode.UNAUTHENTICATED),
                               (server_fixture.bearer("wrong"), grpc.StatusCode.PERMISSION_DENIED)]:
            with self.assertRaises(grpc.RpcError) as caught:
                self.stub.ApplyStreamRecords(req, metadata=metadata, timeout=10)
            self.assertEqual(caught.exception.code(), code)
        self.assertIsNone(self.get("auth-1"))


class FailedCommitTest(unittest.TestCase):
    def test_a_failed_commit_fails_the_changes_and_keeps_the_other_outcomes(self):
        # A reserve no disk has: every commit is refused (RESOURCE_EXHAUSTED).
        with server_fixture.Server(empty_index(), write_token=TOKEN,
                                   extra_args=["--min-free-disk-mb", 1 << 29]) as server:
            stub = spb_grpc.StreamIngestStub(server.channel)
            studio = {"PK": {"S": "STUDIO#s1"}, "SK": {"S": "PROFILE"}, "studioName": {"S": "S"}}
            no_coords = artist_image("bad-1")
            del no_coords["latitude"]
            reply = stub.ApplyStreamRecords(
                request(record("INSERT", 10, artist_image("new-1")), record("INSERT", 11, studio),
                        record("INSERT", 12, no_coords), "{not json",
                        record("REMOVE", 13, old=artist_image("seed-1"))),
                metadata=server_fixture.bearer(TOKEN), timeout=30)
            self.assertEqual([R.Outcome.Name(r.outcome) for r in reply.results], [
                "OUTCOME_FAILED", "OUTCOME_IGNORED", "OUTCOME_REJECTED", "OUTCOME_REJECTED",
                "OUTCOME_FAILED"])
            self.assertEqual([r.artist_id for r in reply.results],
                             ["new-1", "", "bad-1", "", "seed-1"])
            self.assertEqual([r.sequence_number for r in reply.results][:3],
                             ["%021d" % 10, "%021d" % 11, "%021d" % 12])
            self.assertRegex(reply.results[0].reason, r"^commit failed: ")
            self.assertEqual(reply.results[1].reason, "STUDIO")
            self.assertEqual(reply.results[2].reason, "latitude: missing")
            self.assertRegex(reply.results[4].reason, r"^commit failed: ")
            self.assertEqual(reply.commit_seq, 0)
            metrics = server.metrics()
            for outcome, reason in [("failed", "commit_failed"), ("ignored", "other_item"),
                                    ("rejected", "invalid_field")]:
                self.assertRegex(metrics, r'inkdex_stream_records_total\{[^}]*outcome="%s",'
                                          r'reason="%s",source="lambda"\} [1-9]' % (outcome, reason))


class WithoutWriteTokenTest(unittest.TestCase):
    def test_refused_when_the_server_has_no_write_token(self):
        with server_fixture.Server(empty_index()) as server:
            stub = spb_grpc.StreamIngestStub(server.channel)
            with self.assertRaises(grpc.RpcError) as caught:
                stub.ApplyStreamRecords(request(record("INSERT", 1, artist_image("x"))),
                                        metadata=server_fixture.bearer(TOKEN), timeout=10)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)


if __name__ == "__main__":
    unittest.main()
