"""The read RPCs of inkdex-server other than Search (GetArtist,
BatchGetArtists, Suggest, ListStyles, GetStats) and the standard services
(grpc.health.v1.Health, server reflection), checked against the library's
answers through the `inkdex` CLI on an identical copy of the index."""

import os
import re
import time
import unittest

import grpc

import server_fixture as fx
from server_fixture import health_pb2, pb

KIND_NAMES = {
    pb.Suggestion.KIND_ARTIST: "artist",
    pb.Suggestion.KIND_STUDIO: "studio",
    pb.Suggestion.KIND_STYLE: "style",
    pb.Suggestion.KIND_CITY: "city",
}


class ReadsTest(fx.ServiceTestCase):
    @classmethod
    def setUpClass(cls):
        cls.index = fx.shared_index()
        cls.cli_index = cls.index.fresh_copy("cli")
        cls.started_before = time.time()
        cls.served_dir = cls.index.fresh_copy("served")
        cls.server = cls.start_class_server(cls.served_dir)
        cls.started_after = time.time()

    def cli_get(self, artist_id):
        return fx.inkdex_json("get", "--index", self.cli_index, artist_id)

    # -- GetArtist / BatchGetArtists ---------------------------------------

    def assertArtistMatchesRecord(self, artist, stored):
        """`artist` (inkdex.Artist from the server) against `inkdex get`'s
        JSON for the same id (data-model field names)."""
        self.assertEqual(artist.id, stored["artistId"])
        self.assertEqual(artist.name, stored["artistName"])
        self.assertEqual(artist.version, stored["version"])
        self.assertAlmostEqual(artist.location.latitude, stored["latitude"], places=9)
        self.assertAlmostEqual(artist.location.longitude, stored["longitude"], places=9)
        self.assertEqual(artist.location.display, stored.get("locationDisplay", ""))
        self.assertEqual(artist.location.city, stored.get("locationCity", ""))
        self.assertEqual(artist.location.country, stored.get("locationCountry", ""))
        self.assertEqual(list(artist.styles), stored.get("styles", []))
        self.assertEqual(list(artist.specialties), stored.get("specialties", []))
        self.assertEqual(artist.biography, stored.get("biography", ""))
        self.assertEqual(artist.review_count, stored.get("reviewCount", 0))
        if "rating" in stored:
            self.assertAlmostEqual(artist.rating, stored["rating"], places=5)
        studio = stored.get("studioInfo", {})
        self.assertEqual(artist.studio.id, studio.get("studioId", ""))
        self.assertEqual(artist.studio.name, studio.get("studioName", ""))
        pricing = stored.get("pricing", {})
        if "hourlyRate" in pricing:
            self.assertAlmostEqual(artist.pricing.hourly_rate, pricing["hourlyRate"])
        self.assertEqual(artist.pricing.currency, pricing.get("currency", ""))
        self.assertEqual(artist.availability.booking_open,
                         stored.get("availability", {}).get("bookingOpen", False))

    def test_get_artist_equals_library(self):
        ids = ["e2e-visible-1", "artist-0000000", "artist-0001234", "artist-0003999"]
        for artist_id in ids:
            with self.subTest(id=artist_id):
                artist = self.server.search.GetArtist(pb.GetArtistRequest(id=artist_id),
                                                      timeout=10)
                self.assertArtistMatchesRecord(artist, self.cli_get(artist_id))
        self.assertEqual(self.server.search.GetArtist(pb.GetArtistRequest(id="e2e-visible-1"),
                                                      timeout=10).version,
                         self.index.version_of("e2e-visible-1"))

    def test_get_artist_not_found(self):
        for artist_id in ("no-such-artist", "e2e-opted-out"):
            with self.subTest(id=artist_id):
                error = self.assertRpcError(grpc.StatusCode.NOT_FOUND,
                                            self.server.search.GetArtist,
                                            pb.GetArtistRequest(id=artist_id))
                self.assertIn(artist_id, error.details())

    def test_batch_get_in_request_order(self):
        ids = ["artist-0000042", "e2e-visible-2", "artist-0000007", "e2e-visible-1"]
        response = self.server.search.BatchGetArtists(pb.BatchGetArtistsRequest(ids=ids),
                                                      timeout=10)
        self.assertEqual([a.id for a in response.artists], ids)
        self.assertEqual(list(response.missing_ids), [])
        for artist in response.artists:
            self.assertArtistMatchesRecord(artist, self.cli_get(artist.id))

    def test_batch_get_missing(self):
        ids = ["e2e-visible-1", "no-such-artist", "e2e-opted-out", "artist-0000001"]
        error = self.assertRpcError(grpc.StatusCode.NOT_FOUND, self.server.search.BatchGetArtists,
                                    pb.BatchGetArtistsRequest(ids=ids))
        self.assertIn("no-such-artist", error.details())
        self.assertIn("e2e-opted-out", error.details())
        self.assertNotIn("artist-0000001", error.details())
        response = self.server.search.BatchGetArtists(
            pb.BatchGetArtistsRequest(ids=ids, allow_missing=True), timeout=10)
        self.assertEqual([a.id for a in response.artists], ["e2e-visible-1", "artist-0000001"])
        self.assertEqual(list(response.missing_ids), ["no-such-artist", "e2e-opted-out"])

    def test_batch_get_hundred_ids(self):
        ids = self.index.visible_ids()[::37][:100]
        self.assertEqual(len(ids), 100)
        response = self.server.search.BatchGetArtists(pb.BatchGetArtistsRequest(ids=ids),
                                                      timeout=10)
        self.assertEqual([a.id for a in response.artists], ids)

    # -- Suggest -------------------------------------------------------------

    def test_suggest_equals_library(self):
        cases = [("zeph", None, 0), ("lon", (51.5074, -0.1278), 5), ("fine", None, 10),
                 ("tra", (40.7128, -74.0060), 50), ("Quill", (53.8, -1.55), 3)]
        for prefix, near, limit in cases:
            with self.subTest(prefix=prefix, near=near):
                request = pb.SuggestRequest(prefix=prefix, limit=limit)
                args = ["suggest", "--index", self.cli_index, "--json", "--prefix", prefix,
                        "--limit", str(limit or 10)]
                if near:
                    request.near.lat, request.near.lon = near
                    args += ["--lat=%r" % near[0], "--lon=%r" % near[1]]
                response = self.server.search.Suggest(request, timeout=10)
                got = [{"kind": KIND_NAMES[s.kind], "text": s.text, "id": s.id, "count": s.count,
                        "distance_km": fx.optional_value(s, "distance_km")}
                       for s in response.suggestions]
                expected = fx.inkdex_json(*args)["suggestions"]
                self.assertTrue(expected, "prefix %r suggests nothing: a weak check" % prefix)
                self.assertEqual(got, expected)
                if near:
                    self.assertTrue(any(s.HasField("distance_km") for s in response.suggestions))
                else:
                    self.assertFalse(any(s.HasField("distance_km") for s in response.suggestions))

    def test_suggest_finds_artist_by_name_prefix(self):
        response = self.server.search.Suggest(pb.SuggestRequest(prefix="Zephyrine Q"), timeout=10)
        self.assertIn(("e2e-visible-1", pb.Suggestion.KIND_ARTIST),
                      [(s.id, s.kind) for s in response.suggestions])
        self.assertNotIn("e2e-opted-out", [s.id for s in response.suggestions])

    # -- ListStyles / GetStats ------------------------------------------------

    def test_list_styles_counts_equal_library(self):
        stats = fx.inkdex_json("stats", "--index", self.cli_index, "--json")
        response = self.server.search.ListStyles(pb.ListStylesRequest(), timeout=10)
        self.assertEqual([(s.id, s.name, s.artist_count) for s in response.styles],
                         [(s["id"], s["label"], s["count"]) for s in stats["styles"]])
        self.assertEqual(response.commit_seq, stats["commit_seq"])
        by_id = {s.id: s for s in response.styles}
        self.assertGreaterEqual(len(by_id), 27)
        self.assertTrue(any("fine line" == a.lower() for a in by_id["fineline"].aliases),
                        list(by_id["fineline"].aliases))
        self.assertGreater(sum(s.artist_count for s in response.styles), 0)
        # The same counts as the style facet of a search with no constraint.
        everything = self.server.search.Search(pb.SearchRequest(limit=1), timeout=30)
        facet = {v.value: v.count for v in everything.facets.styles}
        self.assertEqual({k: v for k, v in facet.items() if v},
                         {s.id: s.artist_count for s in response.styles if s.artist_count})

    def test_get_stats(self):
        stats = fx.inkdex_json("stats", "--index", self.cli_index, "--json")
        response = self.server.search.GetStats(pb.GetStatsRequest(), timeout=10)
        for field in ("documents", "searchable", "tombstones", "commit_seq",
                      "last_commit_unix_micros"):
            self.assertEqual(getattr(response, field), stats[field], field)
        self.assertEqual(response.documents, len(self.index.records))
        self.assertGreater(response.disk_bytes, 0)
        self.assertGreater(response.memory_bytes, 0)
        self.assertEqual(os.path.realpath(response.index_directory),
                         os.path.realpath(self.served_dir))
        version = fx.run_inkdex("--version").stdout.split()[1]
        self.assertEqual(response.version, version)
        self.assertRegex(response.build, r"^.+ .+, commit ([0-9a-f]{4,}|unknown)$")
        self.assertGreaterEqual(response.started_unix_micros, int(self.started_before * 1e6) - 1e6)
        self.assertLessEqual(response.started_unix_micros, int(self.started_after * 1e6) + 1e6)
        self.assertEqual(response.index_generation, 1)

    # -- standard services ---------------------------------------------------

    def test_health_serving(self):
        for service in ("", "inkdex.v1.ArtistSearch"):
            with self.subTest(service=service):
                response = self.server.health.Check(
                    health_pb2.HealthCheckRequest(service=service), timeout=10)
                self.assertEqual(response.status, health_pb2.HealthCheckResponse.SERVING)
        self.assertRpcError(grpc.StatusCode.NOT_FOUND, self.server.health.Check,
                            health_pb2.HealthCheckRequest(service="no.such.Service"))

    def test_reflection_lists_services(self):
        services = self.server.list_services()
        for name in ("inkdex.v1.ArtistSearch", "inkdex.v1.Admin", "grpc.health.v1.Health"):
            self.assertIn(name, services)

    def test_reflection_describes_search(self):
        request = fx.reflection_pb2.ServerReflectionRequest(
            file_containing_symbol="inkdex.v1.ArtistSearch")
        replies = list(self.server.reflection.ServerReflectionInfo(iter([request]), timeout=10))
        self.assertEqual(len(replies), 1)
        files = replies[0].file_descriptor_response.file_descriptor_proto
        self.assertTrue(files, replies[0])
        from google.protobuf import descriptor_pb2
        names = []
        for blob in files:
            proto = descriptor_pb2.FileDescriptorProto.FromString(blob)
            names.append(proto.name)
            if proto.package == "inkdex.v1":
                methods = [m.name for s in proto.service if s.name == "ArtistSearch"
                           for m in s.method]
                self.assertIn("Search", methods)
                self.assertIn("UpsertArtists", methods)
        self.assertTrue(any(re.search(r"artist_search\.proto$", n) for n in names), names)


if __name__ == "__main__":
    unittest.main()
