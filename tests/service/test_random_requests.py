"""Random read requests against inkdex-server: every one is answered OK or
INVALID_ARGUMENT naming a field of the request (never INTERNAL, UNKNOWN or a
dropped connection), every OK answer keeps the promises its request asked
for (radius, viewport, styles, filters, order, page size, paging), and the
server logs no error for any of it.

test_validation.py has one case per checked field; this test combines them
at random (seeded, so a failure reproduces; INKDEX_RANDOM_SEED picks another
sequence): valid and invalid values of
every field together, the way a buggy client or a fuzzer would send them.
"""

import math
import os
import random
import re
import unittest

import grpc

import server_fixture as fx
from server_fixture import pb

# INKDEX_RANDOM_SEED=N runs another sequence (to explore; CI uses this one).
SEED = int(os.environ.get("INKDEX_RANDOM_SEED", "20261201"))
SEARCHES = 700
SUGGESTS = 200
GETS = 100

LEEDS = (53.7997, -1.5492)
NAN = float("nan")
INF = float("inf")

# A field path as the server names one: "radius_km", "styles[3]",
# "ranking.distance_scale_km", "bbox.south".
FIELD_MESSAGE = re.compile(r"^([a-z_]+)(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*: \S")


def pick(rng, *choices):
    """One of the choices; a callable is called with rng."""
    value = rng.choice(choices)
    return value(rng) if callable(value) else value


# How often a field takes one of its invalid values: with ~20 fields, about
# half of the requests are valid and most invalid ones have one bad field.
BAD = 0.035


def either(rng, good, bad):
    """pick() from `bad` with probability BAD, else from `good`."""
    return pick(rng, *(bad if bad and rng.random() < BAD else good))


def random_text(rng):
    words = ["koi", "dragon", "traditional", "fine", "line", "leeds", "rose", "a", "the",
             "zephyrine", "botanical", "sleeves", "neo-traditional", "-koi", "tattoo",
             "xqzv", "ünïcødé", "東京", "🐉", "\"fine line\"", "\"", "*", "AND", "NOT", "(",
             "https://instagram.com/x", "0", "99", "'", "\\", "%", "\u200b", "\x00"]
    return " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))


def random_lat(rng):
    return either(rng, (LEEDS[0], lambda r: r.uniform(-90, 90), 90.0, -90.0),
                  (91.0, -90.5, NAN, INF))


def random_lon(rng):
    return either(rng, (LEEDS[1], lambda r: r.uniform(-180, 180), 180.0, -180.0),
                  (181.0, NAN, -INF))


def random_search(rng, style_ids):
    r = pb.SearchRequest()
    if rng.random() < 0.6:
        r.text = either(rng, (random_text, random_text, "", "  "), ("x" * 1025, "koi " * 300))
    geo = rng.random()
    if geo < 0.7:
        r.point.lat, r.point.lon = random_lat(rng), random_lon(rng)
        if rng.random() < 0.3:  # near Leeds, where the handwritten artists are
            r.point.lat, r.point.lon = LEEDS[0] + rng.uniform(-1, 1), LEEDS[1] + rng.uniform(-1, 1)
    if geo < 0.45:
        r.radius_km = either(rng, (5, 25, 100, 500, lambda r_: r_.uniform(0.01, 3000), 20000),
                             (20001, 0, -1, NAN, INF, 1e300))
    elif geo < 0.85 and rng.random() < 0.7:
        south = either(rng, (lambda r_: r_.uniform(-90, 50), 50.0, -90.0), (-91.0, NAN))
        north = either(rng, (lambda r_: r_.uniform(56, 90), 56.0, 90.0, south), (INF, south - 1))
        west = either(rng, (lambda r_: r_.uniform(-180, 180), -5.0, 170.0), (-181.0,))
        east = either(rng, (lambda r_: r_.uniform(-180, 180), 2.0, -170.0), (NAN,))
        r.bbox.south, r.bbox.west, r.bbox.north, r.bbox.east = south, west, north, east
        if rng.random() < BAD:
            r.radius_km = 10  # with a bbox: refused
    for _ in range(either(rng, (0, 0, 1, 2, 3), (70,))):
        r.styles.append(either(rng, (lambda r_: r_.choice(style_ids), "fine line", "neotraditional",
                                     "Irezumi", "american traditional", "FINE_LINE"),
                               ("", "nope", "tradtional", "x" * 300)))
    r.style_match = either(rng, (0, 1), (7,))
    if rng.random() < 0.3:
        r.min_rating = either(rng, (0, 3.5, 4.5, 5), (5.01, -0.1, NAN))
    if rng.random() < 0.2:
        r.max_hourly_rate = either(rng, (0, 50, 120, 1e12), (-1, NAN, INF))
    r.booking_open = rng.random() < 0.2
    if rng.random() < 0.2:
        r.min_years_active = either(rng, (0, 3, 10, 2**31 - 1), (-1, -(2**31)))
    r.date = either(rng, ("", fx.FIXED_DAY, "2024-02-29", "9999-12-31", "0001-01-01"),
                    ("2026-02-29", "2026-13-01", "tomorrow", "2026-1-1"))
    r.sort = either(rng, (0, 0, 1, 2, 3, 4), (42,))
    if rng.random() < 0.2:
        for name in ("text_weight", "distance_weight", "quality_weight", "distance_scale_km",
                     "prior_rating", "prior_weight"):
            if rng.random() < 0.4:
                setattr(r.ranking, name, either(rng, (0.5, 1, 3), (-1, NAN, INF, 60)))
    r.limit = either(rng, (0, 0, 1, 5, 20, 100), (101, -1, 2**31 - 1))
    if rng.random() < BAD:
        r.page_token = pick(rng, "garbage", "AAAA", "\u00e9", "x" * 5000, "=")
    r.max_per_studio = either(rng, (0, 0, 0, 1, 2), (-1,))
    r.explain = rng.random() < 0.2
    if rng.random() < 0.3:
        r.facets = rng.random() < 0.5
    if rng.random() < 0.2:
        r.top_cities = either(rng, (0, 3, 10, 100), (101, -1))
    if rng.random() < 0.2:
        r.currency = either(rng, ("GBP", "gbp", "EUR", "XXX"), ("GB", "€", "USDX"))
    return r


def random_suggest(rng):
    r = pb.SuggestRequest()
    r.prefix = either(rng, ("z", "zeph", "lee", "Le", "fine l", "neo", "東", "🐉", random_text),
                      ("", " ", "-", "x" * 101))
    if rng.random() < 0.5:
        r.near.lat, r.near.lon = random_lat(rng), random_lon(rng)
    r.limit = either(rng, (0, 1, 10, 50), (51, -3))
    r.date = either(rng, ("", fx.FIXED_DAY), ("2026-02-30", "soon"))
    return r


def in_bbox(lat, lon, box):
    if not box.south - 1e-9 <= lat <= box.north + 1e-9:
        return False
    if abs(lat) == 90:
        return True  # a pole is at every longitude

    def within(x):
        if box.west <= box.east:
            return box.west - 1e-9 <= x <= box.east + 1e-9
        return x >= box.west - 1e-9 or x <= box.east + 1e-9  # across the antimeridian

    # -180 and 180 are one meridian.
    return within(lon) or (abs(lon) == 180 and within(-lon))


class RandomRequestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        index = fx.shared_index()
        cls.server = fx.Server(index.fresh_copy("random"))
        styles = cls.server.search.ListStyles(pb.ListStylesRequest(), timeout=10).styles
        cls.style_ids = [s.id for s in styles]
        # Every name a request may use for a style -> its canonical id.
        cls.canonical = {}
        for s in styles:
            for name in [s.id, s.name, *s.aliases]:
                cls.canonical[name.lower()] = s.id

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()

    def call(self, method, request, kinds):
        """method(request); the answer, or None when refused with a code in
        `kinds` (INVALID_ARGUMENT must name one of the request's fields)."""
        try:
            return method(request, timeout=30)
        except grpc.RpcError as e:
            code, details = e.code(), e.details()
            context = "%s\n%s" % (details, request)
            self.assertIn(code, kinds, context)
            if code == grpc.StatusCode.INVALID_ARGUMENT:
                match = FIELD_MESSAGE.match(details)
                self.assertIsNotNone(match, "no field named: " + context)
                self.assertIn(match.group(1), request.DESCRIPTOR.fields_by_name, context)
            return None

    def canonical_styles(self, request):
        return {self.canonical.get(s.lower(), s) for s in request.styles}

    def check_search(self, request, reply):
        context = "%s\n%s" % (request, reply)
        limit = request.limit or 20
        self.assertLessEqual(len(reply.hits), limit, context)
        self.assertGreaterEqual(reply.total, len(reply.hits), context)
        ids = [h.id for h in reply.hits]
        self.assertEqual(len(ids), len(set(ids)), context)
        has_point = request.HasField("point")
        for h in reply.hits:
            self.assertTrue(math.isfinite(h.score), context)
            if request.HasField("radius_km"):
                self.assertLessEqual(h.distance_km, request.radius_km + 1e-6, context)
            if request.HasField("bbox"):
                self.assertTrue(in_bbox(h.matched_location.lat, h.matched_location.lon,
                                        request.bbox), context)
            # From the point, or from a viewport's centre (README).
            self.assertEqual(h.HasField("distance_km"), has_point or request.HasField("bbox"),
                             context)
            if request.HasField("min_rating"):
                self.assertGreaterEqual(h.rating, request.min_rating - 1e-9, context)
            if request.booking_open:
                self.assertTrue(h.booking_open, context)
            if request.HasField("max_hourly_rate"):
                self.assertTrue(h.HasField("hourly_rate"), context)
                self.assertLessEqual(h.hourly_rate, request.max_hourly_rate, context)
            if request.styles:
                wanted, has = self.canonical_styles(request), set(h.styles)
                if request.style_match == pb.STYLE_MATCH_ALL:
                    self.assertTrue(wanted <= has, context)
                else:
                    self.assertTrue(wanted & has, context)
            self.assertEqual(h.HasField("explanation"), request.explain, context)
        # A point alone is nearest-first: by distance without text (README,
        # "Search semantics"), by a score that blends distance in with text.
        point_alone = has_point and not (request.HasField("radius_km") or
                                         request.HasField("bbox"))
        if request.sort == pb.SORT_ORDER_DISTANCE or (
                point_alone and request.sort == pb.SORT_ORDER_RELEVANCE and not request.text):
            distances = [h.distance_km for h in reply.hits]
            self.assertEqual(distances, sorted(distances), context)
        elif request.sort == pb.SORT_ORDER_RELEVANCE and not point_alone:
            scores = [h.score for h in reply.hits]
            self.assertEqual(scores, sorted(scores, reverse=True), context)
        if request.max_per_studio > 0 and reply.hits:
            # Studios are told apart by id (names repeat across cities).
            artists = self.server.search.BatchGetArtists(
                pb.BatchGetArtistsRequest(ids=[h.id for h in reply.hits]), timeout=30).artists
            studios = [a.studio.id for a in artists if a.studio.id]
            for studio in set(studios):
                self.assertLessEqual(studios.count(studio), request.max_per_studio, context)
        facets = reply.facets
        if request.HasField("facets") and not request.facets:
            self.assertEqual(facets.ByteSize(), 0, context)
        for value in [*facets.distance_rings, *facets.hourly_rate_bands, *facets.rating_bands,
                      *facets.cities]:
            # Every band and ring is listed, empty ones with 0.
            self.assertTrue(0 <= value.count <= reply.total, context)
        top_cities = request.top_cities if request.HasField("top_cities") else 10
        self.assertLessEqual(len(facets.cities), top_cities, context)

    def check_pages(self, request, reply, pages):
        """Up to `pages` more pages of an answered search: each OK, with the
        same total and no artist of an earlier page again; walked to the
        last page, each of `total` artists exactly once (no writes run
        meanwhile)."""
        seen = {h.id for h in reply.hits}
        count = len(seen)
        follow = pb.SearchRequest()
        follow.CopyFrom(request)
        first = reply
        while reply.next_page_token and pages > 0:
            pages -= 1
            follow.page_token = reply.next_page_token
            reply = self.call(self.server.search.Search, follow, ())
            context = "%s\n%s" % (follow, reply)
            self.assertEqual(reply.total, first.total, context)
            page = {h.id for h in reply.hits}
            self.assertFalse(seen & page, context)
            seen |= page
            count += len(reply.hits)
        if not reply.next_page_token:
            self.assertEqual(count, first.total, request)

    def test_random_searches(self):
        rng = random.Random(SEED)
        answered = refused = followed = walked = 0
        for _ in range(SEARCHES):
            request = random_search(rng, self.style_ids)
            reply = self.call(self.server.search.Search, request,
                              (grpc.StatusCode.INVALID_ARGUMENT,))
            if reply is None:
                refused += 1
                continue
            answered += 1
            self.check_search(request, reply)
            if reply.next_page_token and not request.page_token and followed < 60:
                followed += 1
                # Fifteen walked to the end; the others one page on.
                walk = request.max_per_studio == 0 and reply.total <= 400 and walked < 15
                walked += walk
                self.check_pages(request, reply, pages=10**6 if walk else 1)
        # Both kinds of answer were exercised, not only refusals.
        self.assertGreater(answered, SEARCHES // 3)
        self.assertGreater(refused, SEARCHES // 5)
        self.assertGreater(followed, 10)
        self.assertGreater(walked, 3)
        print("searches: %d answered, %d refused, %d next pages, %d walked to the end" %
              (answered, refused, followed, walked))

    def test_random_suggests(self):
        rng = random.Random(SEED + 1)
        answered = 0
        for _ in range(SUGGESTS):
            request = random_suggest(rng)
            reply = self.call(self.server.search.Suggest, request,
                              (grpc.StatusCode.INVALID_ARGUMENT,))
            if reply is None:
                continue
            answered += 1
            self.assertLessEqual(len(reply.suggestions), request.limit or 10, request)
            for s in reply.suggestions:
                self.assertGreater(s.count, 0, request)
                if not request.HasField("near"):
                    self.assertFalse(s.HasField("distance_km"), request)
        self.assertGreater(answered, SUGGESTS // 2)

    def test_random_gets(self):
        rng = random.Random(SEED + 2)
        ids = ["e2e-visible-1", "e2e-opted-out", "nope", "", "x" * 257, "é", "\x00", "a/b"]
        for _ in range(GETS):
            chosen = [rng.choice(ids) for _ in range(pick(rng, 0, 1, 3, 101))]
            if len(chosen) == 1:
                reply = self.call(self.server.search.GetArtist, pb.GetArtistRequest(id=chosen[0]),
                                  (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND))
                if reply is not None:
                    self.assertEqual(reply.id, chosen[0])
            request = pb.BatchGetArtistsRequest(ids=chosen, allow_missing=rng.random() < 0.5)
            reply = self.call(self.server.search.BatchGetArtists, request,
                              (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND))
            if reply is not None:
                self.assertEqual(len(reply.artists) + len(reply.missing_ids), len(chosen), request)

    def test_zz_server_survived_and_logged_no_error(self):
        # Named to run after the others (unittest runs a class's tests in
        # name order).
        self.assertTrue(self.server.running())
        reply = self.server.health.Check(fx.health_pb2.HealthCheckRequest(), timeout=10)
        self.assertEqual(reply.status, fx.health_pb2.HealthCheckResponse.SERVING)
        errors = [e for e in self.server.logs() if e.get("level") in ("error", "fatal")]
        self.assertEqual(errors, [])
        self.assertEqual(self.server.non_json_log_lines(), [])


if __name__ == "__main__":
    unittest.main()
