"""Every bad input to inkdex-server is refused with INVALID_ARGUMENT and a
message naming the field (the proto field path), never a crash: one case per
checked field of every request message."""

import math
import os
import unittest

import grpc

import server_fixture as fx
from server_fixture import artist_pb2, pb
from inkdex.v1 import stream_ingest_pb2 as spb

TOKEN = "validation-write-token"
LEEDS = (53.7997, -1.5492)


def search(**fields):
    """A valid radius search with `fields` changed (a callable sets nested
    fields: fields[name](request))."""
    request = pb.SearchRequest(date=fx.FIXED_DAY)
    request.point.lat, request.point.lon = LEEDS
    request.radius_km = 25
    for name, value in fields.items():
        if callable(value):
            value(request)
        elif isinstance(value, list):
            getattr(request, name).extend(value)
        else:
            setattr(request, name, value)
    return request


def without_point(request):
    request.ClearField("point")


def with_bbox(south, west, north, east, keep_radius=False):
    def apply(request):
        if not keep_radius:
            request.ClearField("radius_km")
        request.bbox.south, request.bbox.west = south, west
        request.bbox.north, request.bbox.east = north, east
    return apply


def point(lat, lon):
    def apply(request):
        request.point.lat, request.point.lon = lat, lon
    return apply


def ranking(**values):
    def apply(request):
        for name, value in values.items():
            setattr(request.ranking, name, value)
    return apply


def no_geo(request):
    request.ClearField("point")
    request.ClearField("radius_km")


def artist(artist_id="e2e-new-1", version=10, **overrides):
    record = artist_pb2.Artist(id=artist_id, name="Valid Artist", version=version)
    record.location.latitude, record.location.longitude = LEEDS
    record.styles.append("fineline")
    for name, value in overrides.items():
        if callable(value):
            value(record)
        else:
            setattr(record, name, value)
    return record


# (case name, request, the text the message must contain)
SEARCH_CASES = [
    ("radius_negative", search(radius_km=-3), "radius_km"),
    ("radius_zero", search(radius_km=0), "radius_km"),
    ("radius_too_large", search(radius_km=20000.5), "radius_km"),
    ("radius_nan", search(radius_km=math.nan), "radius_km"),
    ("radius_without_point", search(point=without_point), "radius_km"),
    ("lat_out_of_range", search(point=point(90.5, 0)), "point.lat"),
    ("lat_infinite", search(point=point(math.inf, 0)), "point.lat"),
    ("lon_out_of_range", search(point=point(10, -180.5)), "point.lon"),
    ("lon_nan", search(point=point(10, math.nan)), "point.lon"),
    ("bbox_with_radius", search(bbox=with_bbox(50, -2, 54, 0, keep_radius=True)), "bbox"),
    ("bbox_south_of_range", search(bbox=with_bbox(-91, -2, 54, 0)), "bbox.south"),
    ("bbox_east_of_range", search(bbox=with_bbox(50, -2, 54, 181)), "bbox.east"),
    ("bbox_south_above_north", search(bbox=with_bbox(55, -2, 54, 0)), "bbox"),
    ("bbox_empty", search(bbox=with_bbox(54, -2, 54, 0)), "bbox"),
    ("limit_negative", search(limit=-1), "limit"),
    ("limit_too_large", search(limit=101), "limit"),
    ("text_too_long", search(text="x" * 1025), "text"),
    ("style_unknown", search(styles=["blackwork", "finelin"]), "styles[1]"),
    ("too_many_styles", search(styles=["fineline"] * 65), "styles"),
    ("style_empty", search(styles=[""]), "styles[0]"),
    ("style_match_unknown", search(style_match=7), "style_match"),
    ("min_rating_negative", search(min_rating=-0.5), "min_rating"),
    ("min_rating_too_large", search(min_rating=5.5), "min_rating"),
    ("max_hourly_rate_negative", search(max_hourly_rate=-1), "max_hourly_rate"),
    ("min_years_negative", search(min_years_active=-1), "min_years_active"),
    ("date_not_a_date", search(date="tomorrow"), "date"),
    ("date_bad_month", search(date="2026-13-01"), "date"),
    ("date_bad_day", search(date="2026-02-30"), "date"),
    ("sort_unknown", search(sort=42), "sort"),
    ("sort_distance_without_point", search(sort=pb.SORT_ORDER_DISTANCE, point=no_geo), "sort"),
    ("page_token_garbage", search(page_token="not-a-token"), "page_token"),
    ("page_token_bad_base64", search(page_token="%%%"), "page_token"),
    ("max_per_studio_negative", search(max_per_studio=-1), "max_per_studio"),
    ("max_per_studio_too_large", search(max_per_studio=101), "max_per_studio"),
    ("top_cities_negative", search(top_cities=-1), "top_cities"),
    ("top_cities_too_large", search(top_cities=101), "top_cities"),
    ("ranking_text_weight", search(ranking=ranking(text_weight=-1)), "ranking.text_weight"),
    ("ranking_distance_weight", search(ranking=ranking(distance_weight=math.nan)),
     "ranking.distance_weight"),
    ("ranking_quality_weight", search(ranking=ranking(quality_weight=-0.1)),
     "ranking.quality_weight"),
    ("ranking_distance_scale", search(ranking=ranking(distance_scale_km=0)),
     "ranking.distance_scale_km"),
    ("ranking_prior_rating", search(ranking=ranking(prior_rating=6)), "ranking.prior_rating"),
    ("ranking_prior_weight", search(ranking=ranking(prior_weight=-1)), "ranking.prior_weight"),
]

SUGGEST_CASES = [
    ("prefix_empty", pb.SuggestRequest(prefix=""), "prefix"),
    ("prefix_too_long", pb.SuggestRequest(prefix="a" * 101), "prefix"),
    ("limit_negative", pb.SuggestRequest(prefix="lon", limit=-1), "limit"),
    ("limit_too_large", pb.SuggestRequest(prefix="lon", limit=51), "limit"),
    ("near_lat", pb.SuggestRequest(prefix="lon", near=pb.LatLng(lat=91, lon=0)), "near.lat"),
    ("near_lon", pb.SuggestRequest(prefix="lon", near=pb.LatLng(lat=0, lon=200)), "near.lon"),
    ("date", pb.SuggestRequest(prefix="lon", date="2027-02-30"), "date"),
]

GET_CASES = [
    ("id_empty", pb.GetArtistRequest(id=""), "id"),
    ("id_too_long", pb.GetArtistRequest(id="a" * 257), "id"),
]

BATCH_GET_CASES = [
    ("no_ids", pb.BatchGetArtistsRequest(), "ids"),
    ("too_many_ids", pb.BatchGetArtistsRequest(ids=["artist-%07d" % i for i in range(101)]),
     "ids"),
    ("empty_id", pb.BatchGetArtistsRequest(ids=["artist-0000001", ""]), "ids[1]"),
    ("long_id", pb.BatchGetArtistsRequest(ids=["a" * 257]), "ids[0]"),
]

UPSERT_CASES = [
    ("no_artists", pb.UpsertArtistsRequest(), "artists"),
    ("too_many_artists",
     pb.UpsertArtistsRequest(artists=[artist("e2e-bulk-%d" % i) for i in range(1001)]),
     "artists"),
    # Internal to the stream reader: it would make every later write stale.
    ("stream_sequence_set",
     pb.UpsertArtistsRequest(artists=[artist("e2e-seq-ok"),
                                      artist("e2e-seq", stream_sequence="4100000000000012345")]),
     "artists[1].stream_sequence: set only by the stream reader"),
]

DELETE_CASES = [
    ("no_deletions", pb.DeleteArtistsRequest(), "deletions"),
    ("too_many_deletions", pb.DeleteArtistsRequest(
        deletions=[pb.ArtistDeletion(id="x%d" % i, version=5) for i in range(1001)]),
     "deletions"),
]


class ValidationTest(fx.ServiceTestCase):
    @classmethod
    def setUpClass(cls):
        cls.index = fx.shared_index()
        cls.server = cls.start_class_server(cls.index.fresh_copy("served"), write_token=TOKEN)

    def run_cases(self, method, cases, **kwargs):
        for name, request, field in cases:
            with self.subTest(case=name):
                self.assertRpcError(grpc.StatusCode.INVALID_ARGUMENT, method, request,
                                    field=field, **kwargs)
        self.assertTrue(self.server.running(), "the server died on bad input")

    def test_search_fields(self):
        self.assertGreater(self.server.search.Search(search(), timeout=10).total, 0,
                           "the base request must be valid")
        self.run_cases(self.server.search.Search, SEARCH_CASES)

    def test_unknown_style_names_closest(self):
        error = self.assertRpcError(grpc.StatusCode.INVALID_ARGUMENT, self.server.search.Search,
                                    search(styles=["finelin"]), field="styles[0]")
        self.assertIn("finelin", error.details())
        self.assertIn("fineline", error.details())  # the closest known style

    def test_page_token_from_another_query(self):
        first = self.server.search.Search(search(limit=2), timeout=10)
        self.assertTrue(first.next_page_token)
        other = search(limit=2, radius_km=30, page_token=first.next_page_token)
        self.assertRpcError(grpc.StatusCode.INVALID_ARGUMENT, self.server.search.Search, other,
                            field="page_token")
        same = search(limit=2, page_token=first.next_page_token)
        self.assertEqual(len(self.server.search.Search(same, timeout=10).hits), 2)

    def test_suggest_fields(self):
        self.run_cases(self.server.search.Suggest, SUGGEST_CASES)

    def test_get_fields(self):
        self.run_cases(self.server.search.GetArtist, GET_CASES)
        self.run_cases(self.server.search.BatchGetArtists, BATCH_GET_CASES)

    def test_requests_that_do_not_parse_name_the_field(self):
        """A read request that is not a valid message (a string field that is
        not UTF-8, or bytes that are not protobuf at all) is INVALID_ARGUMENT
        naming the field, logged with its request id, not gRPC's INTERNAL."""
        def raw(method):
            return self.server.channel.unary_unary("/inkdex.v1.ArtistSearch/" + method,
                                                   request_serializer=lambda b: b,
                                                   response_deserializer=lambda b: b)

        def spoiled(message):
            # MARK -> four bytes that are not UTF-8, lengths unchanged.
            data = message.SerializeToString()
            self.assertEqual(data.count(b"MARK"), 1)
            return data.replace(b"MARK", b"\xff\xfe\xff\xfe")

        cases = [
            ("Search", spoiled(search(text="dragon MARK")), "text: is not valid UTF-8"),
            ("Search", spoiled(search(styles=["japanese", "MARK"])),
             "styles[1]: is not valid UTF-8"),
            ("Search", b"\xff\xff\xff",
             "request: is not a valid inkdex.v1.SearchRequest message"),
            ("Suggest", spoiled(pb.SuggestRequest(prefix="MARK")), "prefix: is not valid UTF-8"),
            ("GetArtist", spoiled(pb.GetArtistRequest(id="MARK")), "id: is not valid UTF-8"),
            ("BatchGetArtists", spoiled(pb.BatchGetArtistsRequest(ids=["a", "MARK"])),
             "ids[1]: is not valid UTF-8"),
            ("GetStats", b"\x0b", "request: is not a valid inkdex.v1.GetStatsRequest message"),
        ]
        for i, (method, data, message) in enumerate(cases):
            with self.subTest(method=method, message=message):
                request_id = "e2e-unparsable-%d" % i
                error = self.assertRpcError(grpc.StatusCode.INVALID_ARGUMENT, raw(method), data,
                                            metadata=(("x-request-id", request_id),))
                self.assertTrue(error.details().startswith(message), error.details())
                logged = self.server.wait_for_log(lambda e: e.get("request_id") == request_id)
                self.assertIsNotNone(logged, request_id)
                self.assertEqual(fx.status_name(logged.get("code")), "INVALID_ARGUMENT", logged)
                self.assertTrue(str(logged.get("method")).endswith(method), logged)
        self.assertTrue(self.server.running(), "the server died on bad input")
        self.assertGreater(self.server.search.Search(search(), timeout=10).total, 0)
        # libprotobuf's own complaint is a warning: the client's mistake.
        self.assertEqual([e for e in self.server.logs() if e.get("event") == "protobuf"
                          and e.get("level") != "warn"], [])

    def test_writes_that_do_not_parse_name_the_field(self):
        """The synchronous methods too: a write whose request does not parse
        is INVALID_ARGUMENT naming the field for a writer with the token,
        refused as any call without it, logged either way; nothing is
        written."""
        def raw(path):
            return self.server.channel.unary_unary(path, request_serializer=lambda b: b,
                                                   response_deserializer=lambda b: b)

        def spoiled(message):
            data = message.SerializeToString()
            self.assertEqual(data.count(b"MARK"), 1)
            return data.replace(b"MARK", b"\xff\xfe\xff\xfe")

        upsert = pb.UpsertArtistsRequest(artists=[artist("e2e-unparsed-1", version=1),
                                                  artist("e2e-unparsed-2", version=1)])
        upsert.artists[1].studio.name = "Studio MARK"
        cases = [
            ("/inkdex.v1.ArtistSearch/UpsertArtists", spoiled(upsert),
             "artists[1].studio.name: is not valid UTF-8"),
            ("/inkdex.v1.ArtistSearch/DeleteArtists",
             spoiled(pb.DeleteArtistsRequest(deletions=[pb.ArtistDeletion(id="MARK", version=9)])),
             "deletions[0].id: is not valid UTF-8"),
            ("/inkdex.v1.ArtistSearch/UpsertArtists", b"\x0a\x05\x0a",
             "request: is not a valid inkdex.v1.UpsertArtistsRequest message"),
            ("/inkdex.v1.Admin/SwapIndex", spoiled(pb.SwapIndexRequest(directory="/tmp/MARK")),
             "directory: is not valid UTF-8"),
            ("/inkdex.v1.StreamIngest/ApplyStreamRecords",
             spoiled(spb.ApplyStreamRecordsRequest(records_json=["{}", "MARK"])),
             "records_json[1]: is not valid UTF-8"),
        ]
        for i, (path, data, message) in enumerate(cases):
            with self.subTest(path=path, message=message):
                request_id = "e2e-unparsed-write-%d" % i
                error = self.assertRpcError(
                    grpc.StatusCode.INVALID_ARGUMENT, raw(path), data,
                    metadata=fx.bearer(TOKEN) + (("x-request-id", request_id),))
                self.assertTrue(error.details().startswith(message), error.details())
                logged = self.server.wait_for_log(lambda e: e.get("request_id") == request_id)
                self.assertIsNotNone(logged, request_id)
                self.assertEqual(fx.status_name(logged.get("code")), "INVALID_ARGUMENT", logged)
                # Without the token: refused for that, before anything else.
                self.assertRpcError(grpc.StatusCode.UNAUTHENTICATED, raw(path), data)
        # ExportArtists streams its answer: the same, on its first read.
        export = self.server.channel.unary_stream("/inkdex.v1.Admin/ExportArtists",
                                                  request_serializer=lambda b: b,
                                                  response_deserializer=lambda b: b)
        for metadata, code, message in (
                (fx.bearer(TOKEN), grpc.StatusCode.INVALID_ARGUMENT,
                 "request: is not a valid inkdex.v1.ExportArtistsRequest message"),
                ((), grpc.StatusCode.UNAUTHENTICATED, "")):
            with self.assertRaises(grpc.RpcError) as raised:
                list(export(b"\x0a\x05\x0a", metadata=metadata, timeout=10))
            self.assertEqual(raised.exception.code(), code, raised.exception.details())
            self.assertTrue(raised.exception.details().startswith(message),
                            raised.exception.details())
        self.assertRpcError(grpc.StatusCode.NOT_FOUND, self.server.search.GetArtist,
                            pb.GetArtistRequest(id="e2e-unparsed-1"))
        # The same methods still take what parses.
        written = self.server.search.UpsertArtists(
            pb.UpsertArtistsRequest(artists=[artist("e2e-unparsed-ok", version=1)]),
            metadata=fx.bearer(TOKEN), timeout=10)
        self.assertEqual([r.outcome for r in written.results], [pb.WriteResult.OUTCOME_APPLIED])

    def test_write_batch_sizes(self):
        md = fx.bearer(TOKEN)
        self.run_cases(self.server.search.UpsertArtists, UPSERT_CASES, metadata=md)
        self.run_cases(self.server.search.DeleteArtists, DELETE_CASES, metadata=md)
        # Nothing of a refused request is written.
        self.assertRpcError(grpc.StatusCode.NOT_FOUND, self.server.search.GetArtist,
                            pb.GetArtistRequest(id="e2e-seq-ok"))

    def test_swap_index_needs_directory(self):
        self.assertRpcError(grpc.StatusCode.INVALID_ARGUMENT, self.server.admin.SwapIndex,
                            pb.SwapIndexRequest(directory=""), field="directory",
                            metadata=fx.bearer(TOKEN))
        # The file system would read the path only up to the NUL, and swap in
        # an index the caller did not name.
        error = self.assertRpcError(
            grpc.StatusCode.INVALID_ARGUMENT, self.server.admin.SwapIndex,
            pb.SwapIndexRequest(directory=self.index.fresh_copy() + "\0/elsewhere"),
            field="directory", metadata=fx.bearer(TOKEN))
        self.assertIn("NUL", error.details())

    def test_message_size_limit(self):
        server = self.start_server(self.index.fresh_copy(), write_token=TOKEN,
                                   extra_args=["--max-message-bytes", 1 << 20])
        big = [artist("e2e-big-%d" % i, biography="ink " * 2000) for i in range(200)]
        self.assertRpcError(grpc.StatusCode.RESOURCE_EXHAUSTED, server.search.UpsertArtists,
                            pb.UpsertArtistsRequest(artists=big), metadata=fx.bearer(TOKEN))
        self.assertRpcError(grpc.StatusCode.NOT_FOUND, server.search.GetArtist,
                            pb.GetArtistRequest(id="e2e-big-0"))
        small = server.search.UpsertArtists(pb.UpsertArtistsRequest(artists=big[:50]),
                                            metadata=fx.bearer(TOKEN), timeout=10)
        self.assertEqual({r.outcome for r in small.results}, {pb.WriteResult.OUTCOME_APPLIED})

    def test_response_over_the_message_limit_is_resource_exhausted_as_logged(self):
        server = self.start_server(self.index.fresh_copy(),
                                   extra_args=["--max-message-bytes", 4096])
        self.assertGreater(len(server.search.Search(search(limit=2), timeout=10).hits), 0)
        error = self.assertRpcError(grpc.StatusCode.RESOURCE_EXHAUSTED, server.search.Search,
                                    search(limit=100, explain=True, radius_km=20000),
                                    field="--max-message-bytes",
                                    metadata=(("x-request-id", "e2e-too-big"),))
        self.assertIn("4096", error.details())
        self.assertIn("limit", error.details())
        logged = server.wait_for_log(lambda e: e.get("request_id") == "e2e-too-big")
        self.assertIsNotNone(logged)
        self.assertEqual(fx.status_name(logged.get("code")), "RESOURCE_EXHAUSTED", logged)
        self.assertIn('code="RESOURCE_EXHAUSTED",method="Search"', server.metrics())

    def test_get_artist_over_the_message_limit_is_resource_exhausted_as_logged(self):
        root = fx.make_temp_dir()
        big = {"artistId": "e2e-huge-bio", "artistName": "Huge Bio", "latitude": 53.8,
               "longitude": -1.55, "biography": "ink " * 2000}
        directory = fx.build_index(os.path.join(root, "index"),
                                   fx.write_jsonl(os.path.join(root, "in.jsonl"), [big]))
        server = self.start_server(directory, extra_args=["--max-message-bytes", 4096])
        error = self.assertRpcError(grpc.StatusCode.RESOURCE_EXHAUSTED, server.search.GetArtist,
                                    pb.GetArtistRequest(id="e2e-huge-bio"),
                                    field="--max-message-bytes",
                                    metadata=(("x-request-id", "e2e-huge-get"),))
        self.assertIn("4096", error.details())
        logged = server.wait_for_log(lambda e: e.get("request_id") == "e2e-huge-get")
        self.assertIsNotNone(logged)
        self.assertEqual(fx.status_name(logged.get("code")), "RESOURCE_EXHAUSTED", logged)
        self.assertIn('code="RESOURCE_EXHAUSTED",method="GetArtist"', server.metrics())

    def test_a_write_whose_answer_could_pass_the_limit_is_refused_before_commit(self):
        # Deletions of version 0 are tiny but each is answered with a reason:
        # the answer is larger than the request. Refused after the commit, the
        # valid deletions would be applied while the caller saw an error.
        server = self.start_server(self.index.fresh_copy(), write_token=TOKEN,
                                   extra_args=["--max-message-bytes", 8192])
        victims = sorted(self.index.visible_ids())[:20]
        deletions = [pb.ArtistDeletion(id=i, version=1 << 62) for i in victims]
        deletions += [pb.ArtistDeletion(id="z%d" % i, version=0) for i in range(150)]
        request = pb.DeleteArtistsRequest(deletions=deletions)
        self.assertLess(request.ByteSize(), 8192)
        error = self.assertRpcError(grpc.StatusCode.RESOURCE_EXHAUSTED,
                                    server.search.DeleteArtists, request,
                                    field="--max-message-bytes", metadata=fx.bearer(TOKEN))
        self.assertIn("nothing was applied", error.details())
        for artist_id in victims:
            server.search.GetArtist(pb.GetArtistRequest(id=artist_id), timeout=10)
        # A batch whose answer fits is applied, answered and counted OK.
        small = server.search.DeleteArtists(pb.DeleteArtistsRequest(deletions=deletions[:20]),
                                            metadata=fx.bearer(TOKEN), timeout=10)
        self.assertEqual({r.outcome for r in small.results}, {pb.WriteResult.OUTCOME_APPLIED})

    def test_bad_items_are_rejected_one_by_one(self):
        """A bad record in a write batch is REJECTED naming its field; the
        rest of the batch is applied."""
        def bad_lat(record):
            record.location.latitude = 123

        def bad_lon(record):
            record.location.longitude = -200

        cases = [
            (artist("e2e-v-ok-1", version=3), None),
            (artist("", version=3), "id"),
            (artist("e2e-v-zero", version=0), "version"),
            (artist("e2e-v-lat", version=3, location=bad_lat), "latitude"),
            (artist("e2e-v-lon", version=3, location=bad_lon), "longitude"),
            (artist("e2e-v-rating", version=3, rating=7.5), "rating"),
            (artist("x" * 257, version=3), "id"),
            (artist("e2e-v-ok-2", version=3), None),
        ]
        response = self.server.search.UpsertArtists(
            pb.UpsertArtistsRequest(artists=[c[0] for c in cases]), metadata=fx.bearer(TOKEN),
            timeout=10)
        self.assertEqual(len(response.results), len(cases))
        for (record, field), result in zip(cases, response.results):
            with self.subTest(id=record.id[:20], field=field):
                self.assertEqual(result.id, record.id)
                if field is None:
                    self.assertEqual(result.outcome, pb.WriteResult.OUTCOME_APPLIED, result)
                else:
                    self.assertEqual(result.outcome, pb.WriteResult.OUTCOME_REJECTED, result)
                    # The library names record fields in data-model spelling
                    # ("artistId"), the API in proto spelling ("id").
                    self.assertIn(field, result.reason.lower())
        deletions = [pb.ArtistDeletion(id="", version=4), pb.ArtistDeletion(id="e2e-v-ok-1"),
                     pb.ArtistDeletion(id="e2e-v-ok-2", version=4)]
        response = self.server.search.DeleteArtists(pb.DeleteArtistsRequest(deletions=deletions),
                                                    metadata=fx.bearer(TOKEN), timeout=10)
        self.assertEqual([r.outcome for r in response.results],
                         [pb.WriteResult.OUTCOME_REJECTED, pb.WriteResult.OUTCOME_REJECTED,
                          pb.WriteResult.OUTCOME_APPLIED])
        self.assertIn("id", response.results[0].reason.lower())
        self.assertIn("version", response.results[1].reason.lower())


if __name__ == "__main__":
    unittest.main()
