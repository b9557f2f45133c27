"""inkdex-server --stream-table against DynamoDB Local: the served index
must equal the table's artist items, checked artist by artist, after a
bootstrap by scan, after inserts, modifies, removes and opted_out flips
read from the stream, across restarts from checkpoints, after kill -9 under a
heavy write load, with throttling and 5xx injected, and after the re-syncs a
re-enabled stream or trimmed data force."""

import os
import random
import signal
import threading
import time
import unittest

from fault_proxy import FaultProxy
from server_fixture import make_temp_dir, pb
import directory_table as dt
import stream_fixture as sf


def setUpModule():
    sf.Emulator.start()


def tearDownModule():
    sf.Emulator.stop()


def sk_of(i):
    """The sort key fill() gives artist i: every 11th has the older PROFILE."""
    return "PROFILE" if i % 11 == 5 else "METADATA"


def fill(table, count, seed=1):
    """`count` artists (every 17th opted out, every 19th inactive, every
    11th under the older SK PROFILE), two studios, a style item, an
    artist's review item and a malformed artist (no latitude)."""
    rng = random.Random(seed)
    for i in range(count):
        overrides = {}
        if i % 17 == 3:
            overrides["opted_out"] = True
        elif i % 19 == 4:
            overrides["isActive"] = False
        table.put_artist(sf.make_artist(i, rng, **overrides),
                         sk=sk_of(i))
    table.put_studio("studio-1", studioName="Ink & Steel")
    table.put_studio("studio-2", studioName="Needle Point")
    table.put_item({"PK": {"S": "STYLE#blackwork"}, "SK": {"S": "METADATA"},
                    "name": {"S": "Blackwork"}})
    table.put_item({"PK": {"S": "ARTIST#artist-00000"}, "SK": {"S": "REVIEW#1"},
                    "stars": {"N": "5"}})
    table.put_item({**dt.artist_key("broken-1"), "artistId": {"S": "broken-1"},
                    "artistName": {"S": "No Coordinates"}})


class StreamServerTest(unittest.TestCase):
    def setUp(self):
        self.table = sf.Emulator.new_table()
        self.root = make_temp_dir("inkdex-stream-")
        self.index = os.path.join(self.root, "index")
        self.servers = []
        self.proxies = []

    def tearDown(self):
        for server in self.servers:
            server.kill()
        for proxy in self.proxies:
            proxy.stop()

    def start(self, endpoint=None, **kwargs):
        server = sf.StreamServer(self.index, self.table.name,
                                 endpoint or sf.Emulator.instance.endpoint, **kwargs)
        self.servers.append(server)
        return server

    def proxy(self, fault):
        proxy = FaultProxy(sf.Emulator.instance.endpoint, fault)
        self.proxies.append(proxy)
        return proxy

    def events(self, server, name):
        return [e for e in server.logs() if e.get("event") == name]

    def move_across_cities(self, server):
        """Moves 30 of fill(300)'s artists in the table: 15 from London onto
        Leeds artists' places and 15 the other way. Moved artists keep their
        slots, each now among neighbours in cell order whose slots are a
        city's run (75) or more away. Returns ({id: Artist} as served
        before, [(moved, onto)])."""
        london = ["artist-%05d" % i for i in range(0, 300, 4)]
        leeds = ["artist-%05d" % i for i in range(3, 300, 4)]
        served = server.visible(london + leeds)
        pairs = [(a, b) for a, b in zip(london, reversed(leeds)) if a in served and b in served]
        pairs = pairs[:15] + [(b, a) for a, b in pairs[15:30]]
        self.assertEqual(len(pairs), 30)
        for moved, onto in pairs:
            place = served[onto].location
            self.table.update_artist(moved, sk=sk_of(int(moved[len("artist-"):])),
                                     latitude=place.latitude, longitude=place.longitude)
        return served, pairs

    def assert_moved(self, server, served, pairs):
        """A few moved artists are found at their new places."""
        for moved, onto in pairs[:3]:
            hits = server.search.Search(pb.SearchRequest(
                point=pb.LatLng(lat=served[onto].location.latitude,
                                lon=served[onto].location.longitude),
                radius_km=0.01, limit=10), timeout=10).hits
            self.assertIn(moved, [h.id for h in hits])

    def test_bootstrap_then_inserts_modifies_removes_and_flips_follow(self):
        fill(self.table, 300)
        server = self.start()
        server.wait_serving()
        sf.wait_equal(self, server, self.table, extra_ids=["broken-1"])
        started = self.events(server, "resync_started")
        self.assertEqual([e["reason"] for e in started], ["bootstrap"])
        self.assertTrue(os.path.islink(self.index), "--index became a generation symlink")
        rejected = [e for e in server.logs() if e.get("event") == "scan_item_rejected"]
        self.assertEqual([e["artist_id"] for e in rejected], ["broken-1"])
        self.assertIn("latitude", rejected[0]["reason"])

        rng = random.Random(9)
        self.table.put_artist(sf.make_artist(1000, rng, artistName="Brand New Artist"))
        self.table.update_artist("artist-00001", artistName="Renamed Artist")
        self.table.update_artist("artist-00002", rating=4.9)
        self.table.delete_artist("artist-00006")
        self.table.update_artist("artist-00007", opted_out=True)
        self.table.update_artist("artist-00003", opted_out=False)  # was opted out
        self.table.update_artist("artist-00008", isActive=False)
        self.table.delete_artist("artist-00005", sk="PROFILE")
        self.table.put_studio("studio-3", studioName="Ignored Studio")
        # A malformed MODIFY: rejected, and the artist stays as it was.
        self.table.update_artist("artist-00009", remove=["latitude"])
        # The malformed MODIFY is the last write: once it is rejected, every
        # earlier record has been committed (a shard is applied in order).
        log = server.wait_for_log(lambda e: e.get("event") == "stream_record_rejected"
                                  and e.get("artist_id") == "artist-00009", timeout=20)
        self.assertIsNotNone(log, "\n".join(server.log_lines()[-20:]))
        self.assertEqual(log["artist_id"], "artist-00009")
        self.assertIn("latitude", log["reason"])
        served = server.visible(["artist-00009", "artist-01000", "artist-00001", "artist-00006",
                                 "artist-00007", "artist-00003", "artist-00008", "artist-00005"])
        self.assertIn("artist-00009", served, "a rejected MODIFY keeps the indexed document")
        self.assertEqual(served["artist-01000"].name, "Brand New Artist")
        self.assertEqual(served["artist-00001"].name, "Renamed Artist")
        self.assertIn("artist-00003", served)
        for gone in ("artist-00006", "artist-00007", "artist-00008", "artist-00005"):
            self.assertNotIn(gone, served)
        self.assertGreaterEqual(server.metric("inkdex_stream_records_total", source="reader",
                                              outcome="ignored", reason="other_item"), 1)
        self.assertGreaterEqual(server.metric("inkdex_stream_records_total", source="reader",
                                              outcome="applied"), 8)
        self.assertEqual(server.metric("inkdex_stream_state", state="following"), 1)
        self.assertIn('inkdex_stream_shard_lag_seconds{shard="', server.metrics())
        # The rest of the table, artist by artist (artist-00009 now has no
        # latitude in the table, so the comparison leaves it out).
        self.table.update_artist("artist-00009", latitude=51.5)
        sf.wait_equal(self, server, self.table, extra_ids=["broken-1"])

    def test_migrating_profile_to_metadata_keeps_the_artist(self):
        """The data model's older SK PROFILE: the migration writes METADATA,
        then deletes PROFILE. The artist follows its METADATA item (the
        first sort-key pattern), so PROFILE's REMOVE leaves it searchable;
        a re-sync's scan of both items prefers METADATA too."""
        rng = random.Random(12)
        self.table.put_artist(sf.make_artist(1, rng, artistName="Profile Name"), sk="PROFILE")
        server = self.start()
        server.wait_serving()
        sf.wait_equal(self, server, self.table)
        self.table.put_artist(sf.make_artist(1, rng, artistName="Metadata Name"), sk="METADATA")
        self.table.delete_artist("artist-00001", sk="PROFILE")
        # PROFILE's REMOVE comes back stale (outranked): once it has, both
        # records are applied.
        deadline = time.monotonic() + 20
        while server.metric("inkdex_stream_records_total", source="reader",
                            outcome="stale") < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertGreaterEqual(server.metric("inkdex_stream_records_total", source="reader",
                                              outcome="stale"), 1,
                                "\n".join(server.log_lines()[-20:]))
        served = server.visible(["artist-00001"])
        self.assertIn("artist-00001", served, "PROFILE's REMOVE did not take the artist away")
        self.assertEqual(served["artist-00001"].name, "Metadata Name")
        sf.wait_equal(self, server, self.table)

    def test_removing_metadata_falls_back_to_the_profile_item(self):
        """An artist with both items: the bootstrap scan reads both and
        serves METADATA; a PROFILE change read from the stream while
        METADATA is served is kept, and METADATA's REMOVE serves PROFILE's
        latest image, as the table now has it (the index kept the PROFILE
        item's state instead of deleting the artist)."""
        rng = random.Random(13)
        self.table.put_artist(sf.make_artist(2, rng, artistName="Profile Name"), sk="PROFILE")
        self.table.put_artist(sf.make_artist(2, rng, artistName="Metadata Name"), sk="METADATA")
        fill(self.table, 2)  # artists 0 and 1, and the other items
        server = self.start()
        server.wait_serving()
        sf.wait_equal(self, server, self.table, extra_ids=["broken-1"])
        self.assertEqual(server.visible(["artist-00002"])["artist-00002"].name, "Metadata Name")
        self.table.update_artist("artist-00002", sk="PROFILE", artistName="Profile Renamed",
                                 rating=2.5)
        self.table.delete_artist("artist-00002", sk="METADATA")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            served = server.visible(["artist-00002"]).get("artist-00002")
            if served is not None and served.name == "Profile Renamed":
                break
            time.sleep(0.1)
        served = server.visible(["artist-00002"])
        self.assertIn("artist-00002", served, "METADATA's REMOVE took the artist away: " +
                      "\n".join(server.log_lines()[-20:]))
        self.assertEqual(served["artist-00002"].name, "Profile Renamed")
        self.assertAlmostEqual(served["artist-00002"].rating, 2.5)
        sf.wait_equal(self, server, self.table, extra_ids=["broken-1"])
        # PROFILE removed as well: gone.
        self.table.delete_artist("artist-00002", sk="PROFILE")
        sf.wait_equal(self, server, self.table, extra_ids=["broken-1", "artist-00002"])
        self.assertNotIn("artist-00002", server.visible(["artist-00002"]))

    def test_direct_writes_and_other_tables_records_are_refused(self):
        """The table is the source of the artists: a write that bypasses it
        would be missing from the next re-sync, so it is refused at once."""
        import grpc
        from inkdex.v1 import stream_ingest_pb2 as spb
        from inkdex.v1 import stream_ingest_pb2_grpc as spb_grpc
        fill(self.table, 5)
        server = self.start(write_token="s3cret")
        server.wait_serving()
        sf.wait_equal(self, server, self.table, extra_ids=["broken-1"])
        sf.assert_direct_upsert_refused(self, server, self.table, "--stream-table")
        with self.assertRaises(grpc.RpcError) as raised:
            server.search.DeleteArtists(
                pb.DeleteArtistsRequest(deletions=[pb.ArtistDeletion(id="artist-00000",
                                                                     version=1 << 40)]),
                metadata=server.write_metadata(), timeout=10)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        ingest = spb_grpc.StreamIngestStub(server.channel)
        other = "arn:aws:dynamodb:us-east-1:000000000000:table/not-%s/stream/2026" % (
            self.table.name)
        with self.assertRaises(grpc.RpcError) as raised:
            ingest.ApplyStreamRecords(
                spb.ApplyStreamRecordsRequest(records_json=["{}"], event_source_arn=other),
                metadata=server.write_metadata(), timeout=10)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertIn("event_source_arn", raised.exception.details())
        self.assertNotIn("direct-1", server.visible(["direct-1"]))
        self.assertIn("artist-00000", server.visible(["artist-00000"]))

    def test_restart_resumes_from_checkpoints_without_resync_or_duplicates(self):
        fill(self.table, 100)
        first = self.start()
        first.wait_serving()
        sf.wait_equal(self, first, self.table)
        self.assertEqual(first.stop(), 0)
        rng = random.Random(3)
        for i in range(100, 130):
            self.table.put_artist(sf.make_artist(i, rng))
        for i in range(10, 20):
            self.table.delete_artist("artist-%05d" % i, sk=sk_of(i))
        second = self.start()
        second.wait_serving()
        sf.wait_equal(self, second, self.table)
        self.assertEqual(self.events(second, "resync_started"), [],
                         "a restart resumes from its checkpoints, no re-sync")
        # The reader counts a page's outcomes once its commit returns, which
        # may be after a search already sees it.
        deadline = time.monotonic() + 20
        while second.metric("inkdex_stream_records_total", source="reader",
                            outcome="applied") < 40 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(second.metric("inkdex_stream_records_total", source="reader",
                                       outcome="stale"), 0, "no record applied twice")
        self.assertEqual(second.metric("inkdex_stream_records_total", source="reader",
                                       outcome="applied"), 40)

    def test_kill_9_under_heavy_write_load_loses_nothing(self):
        fill(self.table, 150)
        server = self.start()
        server.wait_serving()
        stop = threading.Event()
        errors = []

        def writer(seed):
            rng = random.Random(seed)
            client = sf.Emulator.instance.client()
            table = dt.DirectoryTable(client, None, self.table.name)
            try:
                while not stop.is_set():
                    i = rng.randrange(200)
                    sk = sk_of(i)  # one profile item per artist, as fill() wrote it
                    op = rng.random()
                    if op < 0.6:
                        table.put_artist(sf.make_artist(i, rng, artistName="W%d %f" % (
                            seed, rng.random())), sk=sk)
                    elif op < 0.8:
                        table.delete_artist("artist-%05d" % i, sk=sk)
                    else:
                        table.put_artist(sf.make_artist(i, rng, opted_out=rng.random() < 0.5),
                                         sk=sk)
            except Exception as e:  # reported by the test thread
                errors.append(e)
            finally:
                client.close()

        writers = [threading.Thread(target=writer, args=(s,)) for s in range(3)]
        for w in writers:
            w.start()
        try:
            time.sleep(3)
            server.kill()  # SIGKILL, mid-commit as likely as not
            time.sleep(1)
            restarted = self.start()
            time.sleep(3)
        finally:
            stop.set()
            for w in writers:
                w.join()
        self.assertEqual(errors, [])
        restarted.wait_serving()
        sf.wait_equal(self, restarted, self.table, timeout=60)
        self.assertEqual(self.events(restarted, "resync_started"), [])
        self.assertEqual(restarted.metric("inkdex_stream_records_total", source="reader",
                                          outcome="stale"), 0,
                         "checkpoints commit with the documents: nothing is applied twice")

    def test_throttling_and_5xx_are_retried_and_nothing_is_lost(self):
        fill(self.table, 120)
        lock = threading.Lock()

        def fault(operation, n, body):
            if operation == "GetRecords" and n % 3 == 1:
                return (400, "ProvisionedThroughputExceededException")
            if operation == "GetRecords" and n % 7 == 2:
                return (500, "InternalServerError")
            if operation == "Scan" and n % 2 == 0:
                return (400, "ThrottlingException")
            if operation == "GetShardIterator" and n == 0:
                return (400, "LimitExceededException")
            return None

        proxy = self.proxy(fault)
        server = self.start(endpoint=proxy.endpoint)
        server.wait_serving()
        rng = random.Random(5)
        with lock:
            for i in range(120, 160):
                self.table.put_artist(sf.make_artist(i, rng))
            for i in range(0, 20):
                self.table.update_artist("artist-%05d" % i, sk=sk_of(i),
                                         artistName="Throttled %d" % i)
        sf.wait_equal(self, server, self.table, timeout=60)
        _, faults = proxy.counts()
        self.assertGreater(faults["GetRecords"], 0)
        self.assertGreater(faults["Scan"], 0)
        self.assertGreater(server.metric("inkdex_dynamodb_requests_total", api="streams",
                                         kind="throttled"), 0)
        self.assertGreater(server.metric("inkdex_dynamodb_requests_total", api="dynamodb",
                                         kind="throttled"), 0)

    def test_reenabled_stream_resyncs_while_the_old_index_serves(self):
        fill(self.table, 120)
        server = self.start()
        server.wait_serving()
        sf.wait_equal(self, server, self.table)
        failures = []
        stop = threading.Event()

        def search_continuously():
            while not stop.is_set():
                try:
                    reply = server.search.Search(pb.SearchRequest(
                        point=pb.LatLng(lat=51.5074, lon=-0.1278), radius_km=50), timeout=5)
                    if reply.total == 0:
                        failures.append("no hits")
                except Exception as e:  # noqa: BLE001 - any failure is reported
                    failures.append(repr(e))
                time.sleep(0.01)

        searcher = threading.Thread(target=search_continuously)
        searcher.start()
        try:
            generation = server.documents()
            self.table.reenable_stream()
            rng = random.Random(11)
            for i in range(120, 140):
                self.table.put_artist(sf.make_artist(i, rng))
            self.table.delete_artist("artist-00001")
            done = server.wait_for_log(lambda e: e.get("event") == "resync_done"
                                       and e.get("reason") != "bootstrap", timeout=60)
            self.assertIsNotNone(done, "\n".join(server.log_lines()[-20:]))
            self.assertEqual(done["reason"], "stream_arn_changed")
            sf.wait_equal(self, server, self.table)
        finally:
            stop.set()
            searcher.join()
        self.assertEqual(failures, [])
        self.assertGreater(server.documents().index_generation, generation.index_generation)
        self.assertEqual(server.metric("inkdex_stream_resyncs_total",
                                       reason="stream_arn_changed"), 1)

    def test_trimmed_data_forces_a_resync_that_loses_nothing(self):
        fill(self.table, 80)
        trim = threading.Event()

        def fault(operation, n, body):
            if trim.is_set() and operation == "GetRecords":
                trim.clear()
                return (400, "TrimmedDataAccessException")
            return None

        proxy = self.proxy(fault)
        server = self.start(endpoint=proxy.endpoint)
        server.wait_serving()
        sf.wait_equal(self, server, self.table)
        rng = random.Random(13)
        for i in range(80, 90):
            self.table.put_artist(sf.make_artist(i, rng))
        trim.set()
        done = server.wait_for_log(
            lambda e: e.get("event") == "resync_done" and e.get("reason") != "bootstrap",
            timeout=60)
        self.assertIsNotNone(done, "\n".join(server.log_lines()[-20:]))
        self.assertEqual(done["reason"], "trimmed_data")
        self.table.update_artist("artist-00002", artistName="After The Resync")
        sf.wait_equal(self, server, self.table)

    def test_slot_drift_forces_a_resync_that_restores_the_cell_order(self):
        fill(self.table, 300)
        server = self.start(extra_args=("--resync-at-slot-drift", "0.03",
                                        "--slot-drift-interval", "1s"))
        server.wait_serving()
        sf.wait_equal(self, server, self.table)
        self.assertEqual(server.documents().slot_layout.breaks, 0)
        served, pairs = self.move_across_cities(server)
        needed = server.wait_for_log(lambda e: e.get("event") == "stream_resync_needed"
                                     and e.get("cause") == "slot_drift", timeout=60)
        self.assertIsNotNone(needed, "\n".join(server.log_lines()[-20:]))
        self.assertGreaterEqual(needed["slot_drift"], 0.03)
        self.assertEqual(needed["threshold"], 0.03)
        done = server.wait_for_log(lambda e: e.get("event") == "resync_done"
                                   and e.get("reason") == "slot_drift", timeout=60)
        self.assertIsNotNone(done, "\n".join(server.log_lines()[-20:]))
        self.assertEqual(done["slot_drift"], 0)
        sf.wait_equal(self, server, self.table)
        self.assertEqual(server.documents().slot_layout.breaks, 0)
        self.assert_moved(server, served, pairs)
        # Measured every second, the new index's drift is what it started
        # from: no second re-sync.
        time.sleep(3)
        self.assertEqual(server.metric("inkdex_stream_resyncs_total", reason="slot_drift"), 1)
        self.assertEqual(len(self.events(server, "resync_started")), 2)  # bootstrap, slot_drift

    def test_slot_drift_renumbers_online_while_the_stream_is_followed(self):
        fill(self.table, 300)
        server = self.start(extra_args=("--renumber-online-at-drift", "0.03",
                                        "--slot-drift-interval", "1s"))
        server.wait_serving()
        sf.wait_equal(self, server, self.table)
        self.assertEqual(server.documents().slot_layout.breaks, 0)
        bootstrapped = os.path.realpath(self.index)
        served, pairs = self.move_across_cities(server)
        # The stream goes on while the copy is renumbered: new artists keep
        # arriving until it is done, and must all be served afterwards.
        renumbered = threading.Event()
        rng = random.Random(11)

        def write_more():
            i = 300
            while not renumbered.is_set() and i < 400:
                self.table.put_artist(sf.make_artist(i, rng))
                i += 1
                time.sleep(0.05)

        writer = threading.Thread(target=write_more)
        writer.start()
        try:
            done = server.wait_for_log(lambda e: e.get("event") in (
                "slots_renumbered", "slot_renumbering_failed"), timeout=90)
        finally:
            renumbered.set()
            writer.join()
        self.assertIsNotNone(done, "\n".join(server.log_lines()[-20:]))
        self.assertEqual(done["event"], "slots_renumbered", done)
        self.assertGreaterEqual(done["slot_drift_before"], 0.03)
        self.assertLess(done["slot_drift_after"], 0.03)
        self.assertNotEqual(os.path.realpath(self.index), bootstrapped)
        # Nothing holds the replaced index (the stream's commits go to the
        # served one): closed, and its generation removed.
        self.assertIn(bootstrapped, done["removed"])
        self.assertFalse(os.path.exists(bootstrapped))
        self.assertEqual(self.events(server, "slot_renumbering_failed"), [])
        # Renumbered, not re-synced: the bootstrap was the only scan.
        self.assertEqual(len(self.events(server, "resync_started")), 1)
        sf.wait_equal(self, server, self.table)
        self.assert_moved(server, served, pairs)
        self.assertEqual(server.metric("inkdex_slot_renumberings_total", result="ok"), 1)

        # The renumbered index carries the stream's checkpoints: a restart
        # resumes from them (no re-sync, nothing applied twice) and follows
        # what was written while it was down.
        self.assertEqual(server.stop(), 0)
        for i in range(400, 410):
            self.table.put_artist(sf.make_artist(i, rng))
        second = self.start()
        second.wait_serving()
        sf.wait_equal(self, second, self.table)
        self.assertEqual(self.events(second, "resync_started"), [])
        self.assertEqual(second.metric("inkdex_stream_records_total", source="reader",
                                       outcome="stale"), 0)

    def test_bootstrap_is_served_only_once_the_replay_read_past_short_pages(self):
        # 600 artists written, then 560 of them deleted: after the scan (40
        # artists) the replay reads 1160 records in pages of at most 100
        # (real DynamoDB Streams returns short pages too, 1 MB at most), so a
        # short page must not count as caught up or deleted artists are served.
        rng = random.Random(21)
        for i in range(600):
            self.table.put_artist(sf.make_artist(i, rng))
        for i in range(40, 600):
            self.table.delete_artist("artist-%05d" % i)

        def fault(operation, n, body):
            if operation == "GetRecords" and body.get("Limit", 1000) > 100:
                return ("rewrite", dict(body, Limit=100))
            return None

        proxy = self.proxy(fault)
        server = self.start(endpoint=proxy.endpoint)
        server.wait_serving(timeout=120)
        ids = ["artist-%05d" % i for i in range(600)]
        self.assertEqual(sf.differences(server, self.table, extra_ids=ids)[:10], [],
                         "the new index is exact the moment it is served")
        done = self.events(server, "resync_done")
        self.assertEqual(done[0]["documents"], 40)
        requests, _ = proxy.counts()
        self.assertGreaterEqual(requests["GetRecords"], 12, "pages of 100 of 1160 records")

    def test_a_stalled_reader_is_logged_counted_and_its_lag_grows(self):
        fill(self.table, 30)
        denied = threading.Event()

        def fault(operation, n, body):
            if denied.is_set() and operation in ("GetRecords", "GetShardIterator"):
                return (400, "AccessDeniedException")
            return None

        proxy = self.proxy(fault)
        # With the log lines the ECS deployment's stream-lag alarm reads.
        server = self.start(endpoint=proxy.endpoint, extra_args=["--emf-interval", "1s"])
        server.wait_serving()
        sf.wait_equal(self, server, self.table)
        denied.set()
        error = server.wait_for_log(lambda e: e.get("event") == "stream_read_error", timeout=30)
        self.assertIsNotNone(error, "\n".join(server.log_lines()[-20:]))
        self.assertEqual(error["error"], "AccessDeniedException")
        self.assertEqual(error["level"], "error")
        self.assertFalse(error["retryable"])
        time.sleep(3)
        self.assertGreater(server.metric("inkdex_stream_read_errors_total",
                                         code="AccessDeniedException"), 1)
        self.assertGreaterEqual(server.metric("inkdex_stream_max_lag_seconds"), 2,
                                "a reader that cannot read falls behind")
        # The same in the embedded-metric-format lines (README "Metrics in
        # CloudWatch"): the lag, and read errors counted once over the lines.
        lagging = server.wait_for_log(
            lambda e: e.get("event") == "metrics" and e.get("inkdex_stream_max_lag_seconds", 0) >= 2,
            timeout=10)
        self.assertIsNotNone(lagging, "no metrics line shows the lag")
        names = {m["Name"] for m in lagging["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
        self.assertLessEqual({"inkdex_stream_max_lag_seconds", "inkdex_stream_read_errors",
                              "inkdex_stream_records_applied"}, names)
        lines = self.events(server, "metrics")
        errors = server.metric("inkdex_stream_read_errors_total")  # every code, as the lines
        self.assertLessEqual(sum(e["inkdex_stream_read_errors"] for e in lines), errors)
        self.assertGreater(sum(e["inkdex_stream_read_errors"] for e in lines), 0)
        # Rate-limited: one line per shard per minute, however many failures.
        lines = self.events(server, "stream_read_error")
        self.assertLessEqual(len(lines), len({e["shard"] for e in lines}))
        # Fixed credentials: reading resumes, nothing was lost.
        denied.clear()
        self.table.update_artist("artist-00002", sk=sk_of(2), artistName="After The Denial")
        sf.wait_equal(self, server, self.table, timeout=60)

    def test_a_changed_mapping_file_forces_a_resync(self):
        fill(self.table, 60)
        server = self.start()
        server.wait_serving()
        sf.wait_equal(self, server, self.table, extra_ids=["broken-1"])
        self.assertEqual(server.stop(), 0)
        # Artists under the older SK PROFILE are no longer artists.
        mapping = os.path.join(self.root, "mapping.json")
        with open(mapping, "w") as f:
            f.write('{"artistItems": {"partitionKey": "ARTIST#*", "sortKey": ["METADATA"]}}')
        again = self.start(extra_args=["--mapping", mapping])
        done = again.wait_for_log(lambda e: e.get("event") == "resync_done", timeout=60)
        self.assertIsNotNone(done, "\n".join(again.log_lines()[-20:]))
        self.assertEqual(done["reason"], "mapping_changed")
        self.assertEqual(len(self.events(again, "stream_mapping_changed")), 1)
        profile_only = ["artist-%05d" % i for i in range(60) if sk_of(i) == "PROFILE"]
        self.assertEqual(again.visible(profile_only), {})
        self.assertEqual(again.stop(), 0)
        # The same mapping again: nothing to rebuild.
        third = self.start(extra_args=["--mapping", mapping])
        third.wait_serving()
        time.sleep(1)
        self.assertEqual(self.events(third, "resync_started"), [])

    def test_health_is_not_serving_while_the_first_bootstrap_runs(self):
        fill(self.table, 60)
        slow = threading.Event()
        slow.set()

        def fault(operation, n, body):
            if operation == "Scan" and slow.is_set():
                return ("delay", 0.5)
            return None

        proxy = self.proxy(fault)
        server = self.start(endpoint=proxy.endpoint, extra_args=["--scan-segments", "1"])
        self.assertFalse(server.serving(), "NOT_SERVING during the first bootstrap")
        status, _ = server.http_get("/healthz")
        self.assertEqual(status, 503)
        slow.clear()
        server.wait_serving()
        sf.wait_equal(self, server, self.table)
        # A second start finds checkpoints: serving at once, no bootstrap.
        self.assertEqual(server.stop(), 0)
        again = self.start()
        self.assertTrue(again.serving())
        self.assertEqual(self.events(again, "resync_started"), [])

    def test_an_unreachable_table_is_retried_while_nothing_is_served(self):
        fill(self.table, 30)
        down = threading.Event()
        down.set()

        def fault(operation, n, body):
            return (500, "InternalServerError") if down.is_set() else None

        proxy = self.proxy(fault)
        server = self.start(endpoint=proxy.endpoint)
        error = server.wait_for_log(lambda e: e.get("event") == "stream_error", timeout=60)
        self.assertIsNotNone(error, "\n".join(server.log_lines()[-20:]))
        self.assertIn("InternalServerError", error["message"])
        self.assertFalse(server.serving(), "an empty index is not served before its bootstrap")
        down.clear()
        server.wait_serving(timeout=90)
        sf.wait_equal(self, server, self.table)

    def test_sigterm_while_aws_keeps_failing_exits_promptly(self):
        proxy = self.proxy(lambda operation, n, body: (500, "InternalServerError"))
        server = self.start(endpoint=proxy.endpoint)
        time.sleep(1.5)  # inside the client's retry waits
        self.assertEqual(server.stop(signal.SIGTERM), 0)
        self.assertLess(server.exit_seconds, 10, "the retry waits end with the stop signal")

    def test_sigterm_during_bootstrap_exits_promptly_and_restarts_it(self):
        fill(self.table, 40)

        def fault(operation, n, body):
            return ("delay", 1.0) if operation == "Scan" else None

        proxy = self.proxy(fault)
        server = self.start(endpoint=proxy.endpoint, extra_args=["--scan-segments", "1"])
        time.sleep(0.3)
        self.assertEqual(server.stop(signal.SIGTERM), 0)
        self.assertLess(server.exit_seconds, 10)
        again = self.start()
        again.wait_serving()
        sf.wait_equal(self, again, self.table)


if __name__ == "__main__":
    unittest.main()
