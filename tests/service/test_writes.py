"""Writes through inkdex-server: the token rules (UNAUTHENTICATED,
PERMISSION_DENIED, FAILED_PRECONDITION without a configured token), the
per-item outcomes (applied, stale, rejected with a reason), group commit
(visible to search once acknowledged, within the commit interval), durability
across a SIGTERM restart, and the read token."""

import concurrent.futures
import signal
import threading
import time
import unittest

import grpc

import server_fixture as fx
from server_fixture import artist_pb2, pb

TOKEN = "e2e-write-token-7f3a"
READ_TOKEN = "e2e-read-token-19c2"
LEEDS = (53.7997, -1.5492)
Outcome = pb.WriteResult


def artist(artist_id, version, name="Written Artist", lat_lon=LEEDS, styles=("fineline",)):
    record = artist_pb2.Artist(id=artist_id, name=name, version=version)
    record.location.latitude, record.location.longitude = lat_lon
    record.location.city = "Leeds"
    record.location.country = "GB"
    record.styles.extend(styles)
    record.is_active = True
    return record


def upsert(*artists):
    return pb.UpsertArtistsRequest(artists=list(artists))


def delete(*pairs):
    return pb.DeleteArtistsRequest(
        deletions=[pb.ArtistDeletion(id=i, version=v) for i, v in pairs])


def text_search(text):
    return pb.SearchRequest(text=text, date=fx.FIXED_DAY, limit=100)


class WriteAuthTest(fx.ServiceTestCase):
    @classmethod
    def setUpClass(cls):
        cls.index = fx.shared_index()
        cls.server = cls.start_class_server(cls.index.fresh_copy("served"), write_token=TOKEN)

    def write_calls(self, server):
        return [
            ("UpsertArtists", server.search.UpsertArtists, upsert(artist("e2e-auth-1", 50))),
            ("DeleteArtists", server.search.DeleteArtists, delete(("artist-0000001", 99999))),
            ("SwapIndex", server.admin.SwapIndex,
             pb.SwapIndexRequest(directory=self.index.fresh_copy())),
            # Not writes, but Admin's: they read every document.
            ("VerifyIndex", server.admin.VerifyIndex, pb.VerifyIndexRequest()),
            ("ExportArtists",
             lambda request, **kwargs: list(server.admin.ExportArtists(request, **kwargs)),
             pb.ExportArtistsRequest()),
        ]

    def assertNothingWritten(self, server):
        self.assertRpcError(grpc.StatusCode.NOT_FOUND, server.search.GetArtist,
                            pb.GetArtistRequest(id="e2e-auth-1"))
        server.search.GetArtist(pb.GetArtistRequest(id="artist-0000001"), timeout=10)
        self.assertEqual(server.search.GetStats(pb.GetStatsRequest(), timeout=10)
                         .index_generation, 1)

    def test_no_token_is_unauthenticated(self):
        for method, call, request in self.write_calls(self.server):
            with self.subTest(method=method):
                self.assertRpcError(grpc.StatusCode.UNAUTHENTICATED, call, request)
        self.assertNothingWritten(self.server)

    def test_wrong_token_is_permission_denied(self):
        for token in ("wrong-token", TOKEN + "x", TOKEN[:-1], TOKEN.upper()):
            for method, call, request in self.write_calls(self.server):
                with self.subTest(method=method, token=token):
                    self.assertRpcError(grpc.StatusCode.PERMISSION_DENIED, call, request,
                                        metadata=fx.bearer(token))
        self.assertNothingWritten(self.server)

    def test_server_without_write_token_refuses_writes(self):
        server = self.start_server(self.index.fresh_copy())
        for method, call, request in self.write_calls(server):
            for metadata in ((), fx.bearer(TOKEN)):
                with self.subTest(method=method, with_token=bool(metadata)):
                    error = self.assertRpcError(grpc.StatusCode.FAILED_PRECONDITION, call,
                                                request, metadata=metadata)
                    self.assertIn("--write-token-file", error.details())
        self.assertNothingWritten(server)
        # Reads stay open.
        self.assertGreater(server.search.GetStats(pb.GetStatsRequest(), timeout=10).documents, 0)


class WriteOutcomesTest(fx.ServiceTestCase):
    @classmethod
    def setUpClass(cls):
        cls.index = fx.shared_index()
        cls.server = cls.start_class_server(cls.index.fresh_copy("served"), write_token=TOKEN,
                                            extra_args=["--commit-interval-ms", "100"])

    def write(self, request):
        call = (self.server.search.UpsertArtists if isinstance(request, pb.UpsertArtistsRequest)
                else self.server.search.DeleteArtists)
        return call(request, metadata=fx.bearer(TOKEN), timeout=10)

    def stats(self):
        return self.server.search.GetStats(pb.GetStatsRequest(), timeout=10)

    def found_by_text(self, word):
        return [h.id for h in self.server.search.Search(text_search(word), timeout=10).hits]

    def test_upsert_applied_then_stale(self):
        before = self.stats()
        first = self.write(upsert(artist("e2e-w-1", 10, name="Aurelio Fennimore")))
        self.assertEqual([(r.id, r.outcome) for r in first.results],
                         [("e2e-w-1", Outcome.OUTCOME_APPLIED)])
        self.assertGreater(first.commit_seq, before.commit_seq)
        stored = self.server.search.GetArtist(pb.GetArtistRequest(id="e2e-w-1"), timeout=10)
        self.assertEqual((stored.name, stored.version), ("Aurelio Fennimore", 10))
        self.assertEqual(self.found_by_text("Fennimore"), ["e2e-w-1"])
        after = self.stats()
        self.assertEqual(after.documents, before.documents + 1)
        self.assertGreaterEqual(after.commit_seq, first.commit_seq)

        for version in (10, 5):  # a replay, then an older change
            with self.subTest(version=version):
                stale = self.write(upsert(artist("e2e-w-1", version, name="Older Name")))
                self.assertEqual(stale.results[0].outcome, Outcome.OUTCOME_STALE)
                self.assertIn("version", stale.results[0].reason)
        self.assertEqual(self.server.search.GetArtist(pb.GetArtistRequest(id="e2e-w-1"),
                                                      timeout=10).name, "Aurelio Fennimore")
        newer = self.write(upsert(artist("e2e-w-1", 11, name="Aurelio Pendlebury")))
        self.assertEqual(newer.results[0].outcome, Outcome.OUTCOME_APPLIED)
        self.assertEqual(self.found_by_text("Pendlebury"), ["e2e-w-1"])
        self.assertEqual(self.found_by_text("Fennimore"), [])

    def test_source_rank_is_ignored_versions_decide(self):
        # An API write is unranked: ranks copied from GetArtist or an export
        # must not make a newer version stale or let an older one win.
        ranked = artist("e2e-w-rank", 100, name="Ranked Hundred")
        ranked.source_rank = 2
        self.assertEqual(self.write(upsert(ranked)).results[0].outcome,
                         Outcome.OUTCOME_APPLIED)
        older = artist("e2e-w-rank", 50, name="Ranked Fifty")
        older.source_rank = 1
        stale = self.write(upsert(older))
        self.assertEqual(stale.results[0].outcome, Outcome.OUTCOME_STALE)
        newer = artist("e2e-w-rank", 200, name="Ranked Twohundred")
        newer.source_rank = 3
        self.assertEqual(self.write(upsert(newer)).results[0].outcome,
                         Outcome.OUTCOME_APPLIED)
        stored = self.server.search.GetArtist(pb.GetArtistRequest(id="e2e-w-rank"), timeout=10)
        self.assertEqual((stored.version, stored.name, stored.source_rank),
                         (200, "Ranked Twohundred", 0))

    def test_results_per_item_in_order(self):
        bad = artist("e2e-w-bad", 3)
        bad.location.latitude = 123
        response = self.write(upsert(artist("e2e-w-a", 3), bad, artist("e2e-w-b", 3),
                                     artist("e2e-w-a", 2)))
        self.assertEqual([(r.id, r.outcome) for r in response.results],
                         [("e2e-w-a", Outcome.OUTCOME_APPLIED),
                          ("e2e-w-bad", Outcome.OUTCOME_REJECTED),
                          ("e2e-w-b", Outcome.OUTCOME_APPLIED),
                          ("e2e-w-a", Outcome.OUTCOME_STALE)])
        self.assertIn("latitude", response.results[1].reason)
        self.assertRpcError(grpc.StatusCode.NOT_FOUND, self.server.search.GetArtist,
                            pb.GetArtistRequest(id="e2e-w-bad"))

    def test_styles_resolved_and_unknown_reported(self):
        response = self.write(upsert(artist("e2e-w-styles", 4,
                                            styles=("Fine Line", "neo-traditional", "dragonz"))))
        result = response.results[0]
        self.assertEqual(result.outcome, Outcome.OUTCOME_APPLIED)
        self.assertIn("dragonz", result.reason)
        stored = self.server.search.GetArtist(pb.GetArtistRequest(id="e2e-w-styles"), timeout=10)
        self.assertEqual(sorted(stored.styles), ["fineline", "neo_traditional"])
        self.assertEqual(list(stored.unknown_styles), ["dragonz"])
        request = pb.SearchRequest(styles=["neotraditional"], date=fx.FIXED_DAY, limit=100)
        request.point.lat, request.point.lon = LEEDS
        request.radius_km = 1
        self.assertIn("e2e-w-styles",
                      [h.id for h in self.server.search.Search(request, timeout=10).hits])

    def test_delete_then_stale_then_resurrect(self):
        victim = "artist-0000003"
        self.server.search.GetArtist(pb.GetArtistRequest(id=victim), timeout=10)
        before = self.stats()
        version = len(self.index.records) + 100
        response = self.write(delete((victim, version)))
        self.assertEqual([(r.id, r.outcome) for r in response.results],
                         [(victim, Outcome.OUTCOME_APPLIED)])
        self.assertRpcError(grpc.StatusCode.NOT_FOUND, self.server.search.GetArtist,
                            pb.GetArtistRequest(id=victim))
        after = self.stats()
        self.assertEqual(after.documents, before.documents - 1)
        self.assertEqual(after.tombstones, before.tombstones + 1)
        self.assertEqual(self.write(delete((victim, version))).results[0].outcome,
                         Outcome.OUTCOME_STALE)
        old = self.write(upsert(artist(victim, version - 1, name="Lazarus Older")))
        self.assertEqual(old.results[0].outcome, Outcome.OUTCOME_STALE)
        self.assertEqual(self.found_by_text("Lazarus"), [])
        new = self.write(upsert(artist(victim, version + 1, name="Lazarus Newer")))
        self.assertEqual(new.results[0].outcome, Outcome.OUTCOME_APPLIED)
        self.assertEqual(self.found_by_text("Lazarus"), [victim])

    def test_write_visible_within_commit_interval(self):
        for i in range(3):
            word = "Quintessa%c" % "abc"[i]
            started = time.monotonic()
            response = self.write(upsert(artist("e2e-w-fresh-%d" % i, 5, name="Fresh " + word)))
            acknowledged = time.monotonic() - started
            self.assertEqual(response.results[0].outcome, Outcome.OUTCOME_APPLIED)
            # Acknowledged = committed: searchable at once, no waiting.
            found = self.server.search.Search(text_search(word), timeout=10)
            self.assertEqual([h.id for h in found.hits], ["e2e-w-fresh-%d" % i])
            self.assertGreaterEqual(found.commit_seq, response.commit_seq)
            # The commit interval is 100 ms; allow scheduling slack, not seconds.
            self.assertLess(acknowledged, 0.1 + 0.9, "the write took %.3f s" % acknowledged)


class GroupCommitTest(fx.ServiceTestCase):
    def test_concurrent_writes_share_commits(self):
        interval = 0.5
        server = self.start_server(fx.shared_index().fresh_copy(), write_token=TOKEN,
                                   extra_args=["--commit-interval-ms", int(interval * 1000)])
        before = server.search.GetStats(pb.GetStatsRequest(), timeout=10).commit_seq
        writers = 6
        barrier = threading.Barrier(writers)

        def one(i):
            barrier.wait()
            started = time.monotonic()
            response = server.search.UpsertArtists(upsert(artist("e2e-g-%d" % i, 7)),
                                                   metadata=fx.bearer(TOKEN), timeout=10)
            return response, time.monotonic() - started

        with concurrent.futures.ThreadPoolExecutor(writers) as pool:
            outcomes = list(pool.map(one, range(writers)))
        seqs = set()
        for response, elapsed in outcomes:
            self.assertEqual(response.results[0].outcome, Outcome.OUTCOME_APPLIED)
            self.assertLess(elapsed, interval + 1.5)
            seqs.add(response.commit_seq)
        self.assertLess(len(seqs), writers, "no two concurrent writes shared a commit")
        after = server.search.GetStats(pb.GetStatsRequest(), timeout=10).commit_seq
        self.assertEqual(after - before, len(seqs))
        ids = ["e2e-g-%d" % i for i in range(writers)]
        got = server.search.BatchGetArtists(pb.BatchGetArtistsRequest(ids=ids), timeout=10)
        self.assertEqual([a.id for a in got.artists], ids)


class TombstonePurgeTest(fx.ServiceTestCase):
    """--tombstone-ttl: the server forgets deletes older than the TTL (their
    memory and slots are freed), reports it in logs and metrics, and keeps
    younger ones, so an older upsert stays stale until the TTL has passed."""

    def test_old_tombstones_are_purged_young_ones_kept(self):
        server = self.start_server(fx.shared_index().fresh_copy(), write_token=TOKEN,
                                   extra_args=["--tombstone-ttl", "2s",
                                               "--tombstone-purge-interval", "200ms"])
        md = fx.bearer(TOKEN)
        stats = lambda: server.search.GetStats(pb.GetStatsRequest(), timeout=10)
        before = stats()
        response = server.search.DeleteArtists(delete(("artist-0000020", 99999),
                                                      ("artist-0000021", 99999)),
                                               metadata=md, timeout=10)
        self.assertEqual([r.outcome for r in response.results], [Outcome.OUTCOME_APPLIED] * 2)
        deleted_at = time.monotonic()
        self.assertEqual(stats().tombstones, before.tombstones + 2)
        # Within the TTL the delete wins over an older upsert.
        old = server.search.UpsertArtists(upsert(artist("artist-0000020", 5, name="Revenant")),
                                          metadata=md, timeout=10)
        self.assertEqual(old.results[0].outcome, Outcome.OUTCOME_STALE)
        self.assertLess(time.monotonic() - deleted_at, 2.0, "the machine was too slow to tell")

        entry = server.wait_for_log(
            lambda e: e.get("event") == "tombstone_purge" and e.get("purged", 0) >= 2,
            timeout=30)
        self.assertIsNotNone(entry, "no tombstone_purge log line")
        self.assertGreaterEqual(time.monotonic() - deleted_at, 2.0, "purged before the TTL")
        self.assertEqual(stats().tombstones, before.tombstones)
        self.assertEqual(stats().documents, before.documents - 2)
        metrics = server.metrics()
        self.assertRegex(metrics, r"(?m)^inkdex_tombstones_purged_total(\{\})? ([2-9]|\d\d)")
        self.assertRegex(metrics, r'(?m)^inkdex_tombstone_purges_total\{result="ok"\} [1-9]')
        self.assertRegex(metrics, r"(?m)^inkdex_tombstones %d\b" % before.tombstones)
        # Forgotten: the same older upsert now brings the artist back.
        again = server.search.UpsertArtists(upsert(artist("artist-0000020", 5, name="Revenant")),
                                            metadata=md, timeout=10)
        self.assertEqual(again.results[0].outcome, Outcome.OUTCOME_APPLIED)
        found = server.search.Search(text_search("Revenant"), timeout=10)
        self.assertEqual([h.id for h in found.hits], ["artist-0000020"])
        self.assertEqual(server.stop(signal.SIGTERM), 0)

    def test_ttl_zero_keeps_tombstones(self):
        server = self.start_server(fx.shared_index().fresh_copy(), write_token=TOKEN,
                                   extra_args=["--tombstone-ttl", "0",
                                               "--tombstone-purge-interval", "100ms"])
        server.search.DeleteArtists(delete(("artist-0000022", 99999)), metadata=fx.bearer(TOKEN),
                                    timeout=10)
        tombstones = server.search.GetStats(pb.GetStatsRequest(), timeout=10).tombstones
        time.sleep(1.0)
        self.assertEqual(server.search.GetStats(pb.GetStatsRequest(), timeout=10).tombstones,
                         tombstones)
        self.assertIsNone(server.wait_for_log(lambda e: e.get("event") == "tombstone_purge",
                                              timeout=0.1))


class DurabilityTest(fx.ServiceTestCase):
    def test_acknowledged_writes_survive_sigterm_restart(self):
        directory = fx.shared_index().fresh_copy()
        server = self.start_server(directory, write_token=TOKEN)
        md = fx.bearer(TOKEN)
        server.search.UpsertArtists(upsert(artist("e2e-d-1", 20, name="Durable Ottoline"),
                                           artist("e2e-d-2", 20)), metadata=md, timeout=10)
        server.search.DeleteArtists(delete(("artist-0000010", 99999)), metadata=md, timeout=10)
        stats = server.search.GetStats(pb.GetStatsRequest(), timeout=10)
        self.assertEqual(server.stop(signal.SIGTERM), 0)

        again = self.start_server(directory, write_token=TOKEN)
        restarted = again.search.GetStats(pb.GetStatsRequest(), timeout=10)
        for field in ("documents", "searchable", "tombstones", "commit_seq"):
            self.assertEqual(getattr(restarted, field), getattr(stats, field), field)
        got = again.search.BatchGetArtists(
            pb.BatchGetArtistsRequest(ids=["e2e-d-1", "e2e-d-2", "artist-0000010"],
                                      allow_missing=True), timeout=10)
        self.assertEqual([a.id for a in got.artists], ["e2e-d-1", "e2e-d-2"])
        self.assertEqual(list(got.missing_ids), ["artist-0000010"])
        self.assertEqual([h.id for h in again.search.Search(text_search("Ottoline"),
                                                            timeout=10).hits], ["e2e-d-1"])

    def test_pending_write_is_committed_on_sigterm(self):
        directory = fx.shared_index().fresh_copy()
        # Commits start at most once per interval, counted from the server's
        # start: a write in the first 5 s waits for its commit.
        server = self.start_server(directory, write_token=TOKEN,
                                   extra_args=["--commit-interval-ms", "5000"])
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(server.search.UpsertArtists,
                                  upsert(artist("e2e-d-pending", 30, name="Pending Wilhelmina")),
                                  metadata=fx.bearer(TOKEN), timeout=15)
            time.sleep(0.4)  # the write is waiting for its commit
            self.assertFalse(pending.done(), "the write did not wait for its commit")
            code = server.stop(signal.SIGTERM)
            self.assertLess(server.exit_seconds, 10)
            self.assertEqual(code, 0)
            response = pending.result(timeout=1)
        self.assertEqual(response.results[0].outcome, Outcome.OUTCOME_APPLIED)
        again = self.start_server(directory)
        self.assertEqual(again.search.GetArtist(pb.GetArtistRequest(id="e2e-d-pending"),
                                                timeout=10).name, "Pending Wilhelmina")


    def test_sigterm_commits_pending_writes_at_once_with_a_long_interval(self):
        # The interval outlasts the drain deadline (8 s): the drain must
        # commit at once, not wait it out and cancel the callers.
        directory = fx.shared_index().fresh_copy()
        server = self.start_server(directory, write_token=TOKEN,
                                   extra_args=["--commit-interval-ms", "20000"])
        ids = ["e2e-d-long-%d" % i for i in range(5)]
        with concurrent.futures.ThreadPoolExecutor(len(ids)) as pool:
            pending = [pool.submit(server.search.UpsertArtists, upsert(artist(i, 31)),
                                   metadata=fx.bearer(TOKEN), timeout=30) for i in ids]
            deadline = time.monotonic() + 10
            while self._in_flight(server) < len(ids):
                self.assertLess(time.monotonic(), deadline, "the writes never reached the server")
                time.sleep(0.05)
            self.assertFalse(any(f.done() for f in pending), "a write did not wait")
            code = server.stop(signal.SIGTERM, timeout=12)
            # Waiting the interval out would take the drain deadline (8 s)
            # and cancel the callers; the exit takes ~0.1 s here, but its
            # commit is synced, and a full `ctest -j2` once saw stop() take
            # 5.02 s (fsyncs behind other tests' I/O, or the fixture's 5 s
            # reader joins, which exit_seconds leaves out).
            self.assertLess(server.exit_seconds, 7.5, "\n".join(server.log_lines()[-15:]))
            self.assertEqual(code, 0)
            responses = [f.result(timeout=1) for f in pending]
        self.assertEqual([r.results[0].outcome for r in responses],
                         [Outcome.OUTCOME_APPLIED] * len(ids))
        again = self.start_server(directory)
        got = again.search.BatchGetArtists(pb.BatchGetArtistsRequest(ids=ids), timeout=10)
        self.assertEqual(sorted(a.id for a in got.artists), ids)

    @staticmethod
    def _in_flight(server):
        for line in server.metrics().splitlines():
            if line.startswith("inkdex_in_flight_requests "):
                return float(line.split()[1])
        raise AssertionError("no inkdex_in_flight_requests on /metrics")


class ReadTokenTest(fx.ServiceTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = cls.start_class_server(fx.shared_index().fresh_copy(), write_token=TOKEN,
                                            read_token=READ_TOKEN)

    def read_calls(self):
        s = self.server.search
        return [
            ("Search", s.Search, pb.SearchRequest(text="dragon", date=fx.FIXED_DAY)),
            ("GetArtist", s.GetArtist, pb.GetArtistRequest(id="artist-0000000")),
            ("BatchGetArtists", s.BatchGetArtists,
             pb.BatchGetArtistsRequest(ids=["artist-0000000"])),
            ("Suggest", s.Suggest, pb.SuggestRequest(prefix="lon")),
            ("ListStyles", s.ListStyles, pb.ListStylesRequest()),
            ("GetStats", s.GetStats, pb.GetStatsRequest()),
        ]

    def test_reads_need_a_token(self):
        for method, call, request in self.read_calls():
            with self.subTest(method=method):
                self.assertRpcError(grpc.StatusCode.UNAUTHENTICATED, call, request)
                self.assertRpcError(grpc.StatusCode.PERMISSION_DENIED, call, request,
                                    metadata=fx.bearer("not-the-read-token"))
                for token in (READ_TOKEN, TOKEN):  # the write token also reads
                    call(request, metadata=fx.bearer(token), timeout=10)

    def test_read_token_cannot_write(self):
        self.assertRpcError(grpc.StatusCode.PERMISSION_DENIED, self.server.search.UpsertArtists,
                            upsert(artist("e2e-r-1", 3)), metadata=fx.bearer(READ_TOKEN))
        response = self.server.search.UpsertArtists(upsert(artist("e2e-r-1", 3)),
                                                    metadata=fx.bearer(TOKEN), timeout=10)
        self.assertEqual(response.results[0].outcome, Outcome.OUTCOME_APPLIED)


if __name__ == "__main__":
    unittest.main()
