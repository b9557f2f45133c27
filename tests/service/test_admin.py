"""Admin.VerifyIndex, Admin.ExportArtists and Admin.RenumberSlots on a
running inkdex-server:
the served index checked while writes go on (each check is of one commit and
finds nothing wrong), every stored artist streamed in id order from the view
the call started with, both behind the write token, messages within the
server's --max-message-bytes, and an export the client abandons stops; the
served index renumbered when asked (and only then), refused without
--renumber-online, and left serving when the call is cancelled."""

import os
import signal
import threading
import time

import grpc

import server_fixture as fx
from server_fixture import artist_pb2, pb, pb_grpc

TOKEN = "e2e-admin-token-5d21"


def upsert_request(artist_id, name, version, lat=53.80, lon=-1.55):
    artist = artist_pb2.Artist(id=artist_id, name=name, version=version)
    artist.location.latitude, artist.location.longitude = lat, lon
    artist.location.city, artist.location.country = "Leeds", "GB"
    artist.styles.append("fineline")
    return pb.UpsertArtistsRequest(artists=[artist])


def export(server, token=TOKEN, **fields):
    """(messages, artists) of a whole ExportArtists stream."""
    messages = list(server.admin.ExportArtists(pb.ExportArtistsRequest(**fields),
                                               metadata=fx.bearer(token), timeout=60))
    return messages, [a for m in messages for a in m.artists]


class VerifyIndexTest(fx.ServiceTestCase):
    def test_checks_one_commit_while_writes_go_on(self):
        index = fx.shared_index()
        server = self.start_server(index.fresh_copy(), write_token=TOKEN)
        errors, written = [], [0]
        stop = threading.Event()

        def write():
            version = 1000
            while not stop.is_set():
                version += 1
                try:
                    # New artists and new versions of old ones, moved each time.
                    artist_id = "admin-w-%d" % (version % 40)
                    server.search.UpsertArtists(
                        upsert_request(artist_id, "Writer %d" % version, version,
                                       lat=50 + (version % 7) * 0.5),
                        metadata=fx.bearer(TOKEN), timeout=30)
                    written[0] += 1
                except grpc.RpcError as e:
                    errors.append("%s: %s" % (e.code().name, e.details()))

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        try:
            reports = []
            for i in range(4):
                time.sleep(0.2)
                # Every other one checks the posting lists too.
                reports.append(server.admin.VerifyIndex(
                    pb.VerifyIndexRequest(check_postings=i % 2 == 1), metadata=fx.bearer(TOKEN),
                    timeout=60))
        finally:
            stop.set()
            writer.join(30)
        self.assertEqual(errors, [])
        self.assertGreater(written[0], 4, "the writer should have committed meanwhile")
        commits = []
        for i, report in enumerate(reports):
            self.assertTrue(report.consistent, list(report.problems))
            if i % 2 == 1:
                # ~10 terms or more an artist.
                self.assertGreater(report.postings_checked, 10 * len(index.records))
            else:
                self.assertEqual(report.postings_checked, 0)
            self.assertEqual(list(report.problems), [])
            self.assertGreaterEqual(report.documents_checked, len(index.records))
            self.assertEqual(report.index_generation, 1)
            self.assertTrue(report.index_directory)
            commits.append(report.commit_seq)
        self.assertEqual(commits, sorted(commits))
        self.assertGreater(commits[-1], commits[0], "no commit between the checks")
        stats = server.search.GetStats(pb.GetStatsRequest(), timeout=10)
        final = server.admin.VerifyIndex(pb.VerifyIndexRequest(), metadata=fx.bearer(TOKEN),
                                         timeout=60)
        self.assertTrue(final.consistent)
        self.assertEqual(final.commit_seq, stats.commit_seq)
        self.assertEqual(final.documents_checked, stats.documents + stats.tombstones)
        entry = server.wait_for_log(lambda e: e.get("method") == "VerifyIndex")
        self.assertEqual(entry["code"], "OK")
        self.assertEqual(entry["problems"], 0)

    def test_needs_the_write_token(self):
        server = self.start_server(fx.shared_index().fresh_copy(), write_token=TOKEN)
        self.assertRpcError(grpc.StatusCode.UNAUTHENTICATED, server.admin.VerifyIndex,
                            pb.VerifyIndexRequest())
        self.assertRpcError(grpc.StatusCode.PERMISSION_DENIED, server.admin.VerifyIndex,
                            pb.VerifyIndexRequest(), metadata=fx.bearer("not-" + TOKEN))


class ExportArtistsTest(fx.ServiceTestCase):
    @classmethod
    def setUpClass(cls):
        cls.index = fx.shared_index()
        cls.server = cls.start_class_server(cls.index.fresh_copy(), write_token=TOKEN)

    def test_every_stored_artist_in_id_order_with_its_version(self):
        messages, artists = export(self.server)
        ids = [a.id for a in artists]
        self.assertEqual(ids, sorted(self.index.records))
        for a in artists:
            self.assertEqual(a.version, self.index.version_of(a.id), a.id)
        self.assertGreater(len(messages), 1)
        for m in messages:
            self.assertGreater(len(m.artists), 0)
            self.assertLessEqual(len(m.artists), 1000)
        # Hidden artists (opted out, inactive) only without searchable_only.
        _, searchable = export(self.server, searchable_only=True)
        self.assertEqual([a.id for a in searchable], sorted(self.index.visible_ids()))
        self.assertLess(len(searchable), len(artists))
        # As GetArtist returns them.
        for a in searchable[:: max(1, len(searchable) // 20)]:
            got = self.server.search.GetArtist(pb.GetArtistRequest(id=a.id), timeout=10)
            self.assertEqual(got, a)

    def test_needs_the_write_token(self):
        for metadata, code in [((), grpc.StatusCode.UNAUTHENTICATED),
                               (fx.bearer("wrong"), grpc.StatusCode.PERMISSION_DENIED)]:
            with self.assertRaises(grpc.RpcError) as caught:
                list(self.server.admin.ExportArtists(pb.ExportArtistsRequest(),
                                                     metadata=metadata, timeout=10))
            self.assertEqual(caught.exception.code(), code)

    def test_abandoned_export_stops(self):
        # Without BDP probing the connection's window stays at 64 KiB, so the
        # server cannot send the whole export (~1 MB) ahead of the reader.
        channel = grpc.insecure_channel(self.server.address,
                                        options=[("grpc.http2.bdp_probe", 0)])
        self.addCleanup(channel.close)
        stream = pb_grpc.AdminStub(channel).ExportArtists(
            pb.ExportArtistsRequest(), metadata=fx.bearer(TOKEN), timeout=60)
        first = next(stream)
        self.assertGreater(len(first.artists), 0)
        time.sleep(0.3)  # the server is blocked on the window, not done
        stream.cancel()
        entry = self.server.wait_for_log(
            lambda e: e.get("method") == "ExportArtists" and e.get("code") == "CANCELLED",
            timeout=10)
        self.assertIsNotNone(entry, "the server did not stop the abandoned export")
        self.assertLess(entry["artists"], len(self.index.records))


class ExportViewTest(fx.ServiceTestCase):
    def test_export_sees_the_index_as_it_was_when_it_started(self):
        index = fx.shared_index()
        server = self.start_server(index.fresh_copy(), write_token=TOKEN)
        last_id = sorted(index.visible_ids())[-1]
        # Without BDP probing the window stays at 64 KiB: the server is still
        # mid-export (blocked on the window) when the writes below commit.
        channel = grpc.insecure_channel(server.address, options=[("grpc.http2.bdp_probe", 0)])
        self.addCleanup(channel.close)
        stream = pb_grpc.AdminStub(channel).ExportArtists(
            pb.ExportArtistsRequest(), metadata=fx.bearer(TOKEN), timeout=60)
        artists = list(next(stream).artists)
        # Written while the stream is open: a new artist last in id order, and
        # a delete of the last artist that was there.
        server.search.UpsertArtists(upsert_request("zzzz-admin-late", "Late Writer", 1),
                                    metadata=fx.bearer(TOKEN), timeout=30)
        server.search.DeleteArtists(
            pb.DeleteArtistsRequest(deletions=[pb.ArtistDeletion(id=last_id, version=10**9)]),
            metadata=fx.bearer(TOKEN), timeout=30)
        for message in stream:
            artists.extend(message.artists)
        ids = [a.id for a in artists]
        self.assertEqual(ids, sorted(index.records))
        self.assertIn(last_id, ids)
        _, after = export(server)
        after_ids = [a.id for a in after]
        self.assertIn("zzzz-admin-late", after_ids)
        self.assertNotIn(last_id, after_ids)

    def test_messages_fit_max_message_bytes(self):
        index = fx.shared_index()
        limit = 8192
        server = self.start_server(index.fresh_copy(), write_token=TOKEN,
                                   extra_args=["--max-message-bytes", limit])
        messages, artists = export(server)
        self.assertEqual(len(artists), len(index.records))
        for m in messages:
            self.assertLessEqual(m.ByteSize(), limit)
        self.assertGreater(len(messages), len(artists) // 30)

    def test_sigterm_ends_a_stalled_export_within_the_drain(self):
        server = self.start_server(fx.shared_index().fresh_copy(), write_token=TOKEN)
        channel = grpc.insecure_channel(server.address, options=[("grpc.http2.bdp_probe", 0)])
        self.addCleanup(channel.close)
        stream = pb_grpc.AdminStub(channel).ExportArtists(
            pb.ExportArtistsRequest(), metadata=fx.bearer(TOKEN), timeout=60)
        next(stream)  # then never read again: the server waits on the window
        signalled = time.monotonic()
        self.assertEqual(server.stop(signal.SIGTERM, timeout=15), 0)
        self.assertLess(time.monotonic() - signalled, 10)
        with self.assertRaises(grpc.RpcError):
            for _ in stream:
                pass



class RenumberSlotsTest(fx.ServiceTestCase):
    def renumber(self, server, token=TOKEN, **fields):
        return server.admin.RenumberSlots(pb.RenumberSlotsRequest(**fields),
                                          metadata=fx.bearer(token) if token else None,
                                          timeout=120)

    def test_renumbers_when_asked_and_only_then(self):
        index_dir = fx.shared_index().fresh_copy("renumber-asked")
        server = self.start_server(index_dir, write_token=TOKEN,
                                   extra_args=("--renumber-online", "--slot-drift-interval", "1s"))
        self.assertTrue(os.path.islink(index_dir))
        first_generation = os.path.realpath(index_dir)
        response = server.search.UpsertArtists(
            pb.UpsertArtistsRequest(artists=[fx.moved_far(i, 10 ** 15 + i)
                                             for i in range(0, 4000, 20)]),
            metadata=fx.bearer(TOKEN), timeout=30)
        self.assertTrue(all(r.outcome == pb.WriteResult.OUTCOME_APPLIED for r in response.results))
        nomads = pb.SearchRequest(text="nomad", date=fx.FIXED_DAY, limit=100)
        before = sorted(h.id for h in server.search.Search(nomads, timeout=10).hits)
        self.assertEqual(len(before), 100)

        # Bad requests and callers change nothing.
        for token, code in (("", grpc.StatusCode.UNAUTHENTICATED),
                            ("not-the-token", grpc.StatusCode.PERMISSION_DENIED)):
            with self.assertRaises(grpc.RpcError) as caught:
                self.renumber(server, token=token)
            self.assertEqual(caught.exception.code(), code)
        for bad in (-0.1, 1.5, float("nan")):
            with self.assertRaises(grpc.RpcError) as caught:
                self.renumber(server, min_drift=bad)
            self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn("min_drift", caught.exception.details())

        # Drifted, but not as far as asked: nothing done. The drift is
        # measured at the call (the 1 s figure may be older).
        skipped = self.renumber(server, min_drift=0.9)
        self.assertFalse(skipped.renumbered)
        self.assertGreater(skipped.before.drift, 0.02)
        self.assertEqual(skipped.directory, "")
        # No renumbering by itself either (no --renumber-online-at-drift).
        time.sleep(2)
        self.assertEqual(os.path.realpath(index_dir), first_generation)

        done = self.renumber(server)
        self.assertTrue(done.renumbered)
        self.assertEqual(done.before.drift, skipped.before.drift)
        self.assertEqual(done.after.breaks, 0)
        self.assertEqual(done.after.artists, done.before.artists)
        self.assertEqual(done.index_generation, 2)
        self.assertEqual(done.directory, os.path.realpath(index_dir))
        self.assertEqual(list(done.removed), [first_generation])
        self.assertFalse(os.path.exists(first_generation))
        self.assertGreater(done.open_ms, 0)
        stats = server.search.GetStats(pb.GetStatsRequest(), timeout=10)
        self.assertEqual(stats.slot_layout.breaks, 0)
        self.assertEqual(stats.index_generation, 2)
        self.assertEqual(sorted(h.id for h in server.search.Search(nomads, timeout=10).hits),
                         before)
        started = [e for e in server.logs() if e.get("event") == "slot_renumbering"]
        self.assertEqual(len(started), 1)
        self.assertTrue(started[0]["asked"])
        self.assertIsNone(started[0]["threshold"])
        self.assertIn('inkdex_slot_renumberings_total{result="ok"} 1', server.metrics())
        self.assertIn("inkdex_slot_renumbering_in_progress 0", server.metrics())

    def test_refused_by_a_server_that_cannot_renumber_online(self):
        index_dir = fx.shared_index().fresh_copy("renumber-refused")
        server = self.start_server(index_dir, write_token=TOKEN)
        with self.assertRaises(grpc.RpcError) as caught:
            self.renumber(server)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertIn("--renumber-online", caught.exception.details())
        self.assertFalse(os.path.islink(index_dir))

    def test_a_cancelled_call_leaves_the_old_index_serving(self):
        index_dir = fx.shared_index().fresh_copy("renumber-cancelled")
        server = self.start_server(index_dir, write_token=TOKEN, extra_args=("--renumber-online",))
        served = os.path.realpath(index_dir)
        # A deadline far shorter than the renumbering of 4,000 artists.
        with self.assertRaises(grpc.RpcError) as caught:
            server.admin.RenumberSlots(pb.RenumberSlotsRequest(), metadata=fx.bearer(TOKEN),
                                       timeout=0.05)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        failed = server.wait_for_log(lambda e: e.get("event") == "slot_renumbering_failed",
                                     timeout=30)
        self.assertIsNotNone(failed, server.log_lines()[-20:])
        self.assertEqual(failed["code"], "CANCELLED")
        self.assertFalse(os.path.exists(failed["directory"]))
        self.assertEqual(os.path.realpath(index_dir), served)
        # And the next one, asked, runs at once (no wait after a failure).
        done = self.renumber(server)
        self.assertTrue(done.renumbered)
