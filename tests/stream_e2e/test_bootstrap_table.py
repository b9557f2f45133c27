"""inkdex-server --bootstrap-table against DynamoDB Local: a replica fed by
ApplyStreamRecords (the forwarder Lambda's path) loads the table by a scan
first, NOT_SERVING meanwhile, while records pushed during the scan are
applied at once; the scan's older copies never undo them (an update, a
REMOVE of a scanned artist), and the final index equals the table. A
restart finds the bootstrap marker and serves at once."""

import json
import os
import random
import threading
import unittest

from inkdex.v1 import stream_ingest_pb2 as spb
from inkdex.v1 import stream_ingest_pb2_grpc as spb_grpc
from fault_proxy import FaultProxy
from server_fixture import make_temp_dir
import dynamodb_stream
import stream_fixture as sf

TOKEN = "forwarder-s3cret"


def setUpModule():
    sf.Emulator.start()


def tearDownModule():
    sf.Emulator.stop()


class BootstrapTableTest(unittest.TestCase):
    def setUp(self):
        self.table = sf.Emulator.new_table()
        self.index = os.path.join(make_temp_dir("inkdex-bootstrap-"), "index")
        self.servers, self.proxies = [], []

    def tearDown(self):
        for server in self.servers:
            server.kill()
        for proxy in self.proxies:
            proxy.stop()

    def start(self, endpoint):
        server = sf.StreamServer(self.index, self.table.name, endpoint,
                                 table_flag="--bootstrap-table", write_token=TOKEN)
        self.servers.append(server)
        return server

    def push(self, server, records):
        """What the forwarder does: the records, as a Lambda event carries
        them, in one ApplyStreamRecords call; returns the outcomes by event."""
        event = dynamodb_stream.lambda_event(records, self.table.stream_arn)
        stub = spb_grpc.StreamIngestStub(server.channel)
        reply = stub.ApplyStreamRecords(
            spb.ApplyStreamRecordsRequest(
                records_json=[json.dumps(r, default=str) for r in event["Records"]],
                event_source_arn=self.table.stream_arn),
            metadata=server.write_metadata(), timeout=30)
        names = spb.StreamRecordResult.Outcome.Name
        return [(r["eventName"], names(result.outcome))
                for r, result in zip(records, reply.results)]

    def segment_ids(self, segment, total):
        """Artist ids a parallel Scan reads in `segment` of `total`."""
        page = self.table.client.scan(TableName=self.table.name, Segment=segment,
                                      TotalSegments=total, ConsistentRead=True)
        return sorted(i["PK"]["S"][len("ARTIST#"):] for i in page["Items"]
                      if i["PK"]["S"].startswith("ARTIST#"))

    def test_scan_and_records_pushed_meanwhile_end_equal_to_the_table(self):
        rng = random.Random(4)
        for i in range(40):
            self.table.put_artist(sf.make_artist(i, rng), sk="PROFILE" if i == 7 else "METADATA")
        self.table.put_studio("studio-1", studioName="Ignored")
        stream = self.table.stream()
        initial = stream.read(expected=41)
        # The scan reads segment 0 at once and segment 1 only after `gate`
        # opens, so the changes below happen after the scan read the old
        # state of segment 0's artists and before it applies them.
        first = self.segment_ids(0, 2)
        self.assertGreaterEqual(len(first), 3, "DynamoDB Local split the table unevenly")
        updated, removed = first[0], first[1]
        gate = threading.Event()

        def fault(operation, n, body):
            if operation == "Scan" and body.get("Segment") == 1 and not gate.is_set():
                gate.wait(30)
            return None

        proxy = FaultProxy(sf.Emulator.instance.endpoint, fault)
        self.proxies.append(proxy)
        server = self.start(proxy.endpoint)
        server.wait_for_log(lambda e: e.get("event") == "bootstrap_started", timeout=20)
        self.assertFalse(server.serving(), "NOT_SERVING while the bootstrap scan runs")
        self.assertEqual(server.http_get("/healthz")[0], 503)

        # The Lambda keeps pushing during the scan: the table's earlier
        # records (a replay, as after a retry), then an update and a REMOVE
        # of artists the scan has already read.
        self.table.update_artist(updated, artistName="Renamed During The Scan")
        self.table.delete_artist(removed)
        changes = stream.read(expected=2)
        outcomes = self.push(server, initial + changes)
        self.assertEqual(outcomes[-2:], [("MODIFY", "OUTCOME_APPLIED"),
                                         ("REMOVE", "OUTCOME_APPLIED")])
        self.assertFalse(server.serving(), "the scan is still running")
        gate.set()
        server.wait_serving(timeout=60)
        done = server.wait_for_log(lambda e: e.get("event") == "bootstrap_done", timeout=5)
        self.assertIsNotNone(done)
        sf.wait_equal(self, server, self.table, extra_ids=[removed])
        served = server.visible([updated, removed])
        self.assertEqual(served[updated].name, "Renamed During The Scan",
                         "the scan's older copy did not overwrite the pushed update")
        self.assertNotIn(removed, served, "the scan's copy did not undo the pushed REMOVE")
        self.assertEqual(server.metric("inkdex_stream_resyncs_total", reason="bootstrap"), 1)
        self.assertEqual(server.metric("inkdex_stream_state", state="stopped"), 1)

        # The table is the only source: a direct write is refused, naming
        # the table and the flag, and changes nothing.
        sf.assert_direct_upsert_refused(self, server, self.table, "--bootstrap-table")

        # After the scan: pushes apply as usual.
        self.table.update_artist(first[2], artistName="Renamed After The Scan")
        self.table.put_artist(sf.make_artist(100, rng))
        self.push(server, stream.read(expected=2))
        sf.wait_equal(self, server, self.table, extra_ids=[removed])

        # A restart finds the marker: serving at once, no second scan.
        self.assertEqual(server.stop(), 0)
        again = self.start(sf.Emulator.instance.endpoint)
        self.assertTrue(again.serving())
        self.assertEqual([e for e in again.logs() if e.get("event") == "bootstrap_started"], [])
        sf.wait_equal(self, again, self.table, extra_ids=[removed])

    def test_a_failing_scan_is_retried_while_nothing_is_served(self):
        rng = random.Random(5)
        for i in range(10):
            self.table.put_artist(sf.make_artist(i, rng))
        down = threading.Event()
        down.set()

        def fault(operation, n, body):
            return (500, "InternalServerError") if down.is_set() else None

        proxy = FaultProxy(sf.Emulator.instance.endpoint, fault)
        self.proxies.append(proxy)
        server = self.start(proxy.endpoint)
        failed = server.wait_for_log(lambda e: e.get("event") == "bootstrap_failed", timeout=60)
        self.assertIsNotNone(failed, "\n".join(server.log_lines()[-20:]))
        self.assertFalse(server.serving())
        down.clear()
        server.wait_serving(timeout=90)
        sf.wait_equal(self, server, self.table)
        self.assertGreaterEqual(server.metric("inkdex_stream_resync_failures_total"), 1)


if __name__ == "__main__":
    unittest.main()
