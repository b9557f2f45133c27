"""Search through inkdex-server equals the library's search: every query is
run both as a gRPC Search and as `inkdex search --json` on an identical copy
of the index, and the two answers must be the same (hits in order with every
field, exact total, facets, page tokens, spelling suggestion, commit)."""

import math
import unittest

import server_fixture as fx
from server_fixture import pb

LONDON = (51.5074, -0.1278)
NEW_YORK = (40.7128, -74.0060)
BERLIN = (52.5200, 13.4050)
TOKYO = (35.6762, 139.6503)
SYDNEY = (-33.8688, 151.2093)
EUROPE = (35.0, -10.0, 60.0, 30.0)
# Crosses the antimeridian: New Zealand, Fiji, the Pacific.
PACIFIC = (-50.0, 165.0, -10.0, -170.0)

SORTS = {
    "relevance": pb.SORT_ORDER_RELEVANCE,
    "distance": pb.SORT_ORDER_DISTANCE,
    "rating": pb.SORT_ORDER_RATING,
    "price_asc": pb.SORT_ORDER_PRICE_ASC,
    "price_desc": pb.SORT_ORDER_PRICE_DESC,
}

# name -> query spec. Keys: text, point, radius_km, bbox, styles, all_styles,
# min_rating, max_hourly_rate, booking_open, min_years, sort, date, limit,
# max_per_studio, explain, facets, top_cities. Dates are pinned (guest spots)
# except in `today`.
QUERIES = {
    "radius_and_styles": dict(point=LONDON, radius_km=800, styles=["fine line", "Black & Grey"],
                              limit=50),
    "radius_all_styles": dict(point=NEW_YORK, radius_km=3000, styles=["traditional", "blackwork"],
                              all_styles=True, limit=30),
    "text": dict(text="dragon", limit=40),
    "text_phrase_near_point": dict(text='"fine line"', point=BERLIN, limit=25),
    "text_prefix_and_radius": dict(text="zephyrine quill", point=(53.8, -1.55), radius_km=50),
    "bbox_rating_sort": dict(bbox=EUROPE, sort="rating", min_rating=4.0, limit=40),
    "bbox_distance_sort": dict(bbox=EUROPE, sort="distance", limit=30),
    "bbox_antimeridian": dict(bbox=PACIFIC, limit=20),
    "nearest": dict(point=TOKYO, limit=30),
    "filters_price_asc": dict(booking_open=True, max_hourly_rate=150, min_years=5,
                              sort="price_asc", limit=30, top_cities=3),
    "price_desc_no_facets": dict(point=SYDNEY, radius_km=2000, sort="price_desc", limit=20,
                                 facets=False),
    "diversity_and_explain": dict(point=LONDON, radius_km=1000, max_per_studio=1, explain=True,
                                  limit=30),
    "no_cities": dict(point=NEW_YORK, radius_km=500, top_cities=0),
    "misspelt_text": dict(text="dragn", limit=10),  # matches nothing; suggests "dragon"
    "today": dict(point=LONDON, radius_km=300, date=None),
}


def to_proto(spec, page_token=""):
    request = pb.SearchRequest(text=spec.get("text", ""), date=spec.get("date", fx.FIXED_DAY)
                               or "", page_token=page_token)
    if "point" in spec:
        request.point.lat, request.point.lon = spec["point"]
    if "radius_km" in spec:
        request.radius_km = spec["radius_km"]
    if "bbox" in spec:
        box = request.bbox
        box.south, box.west, box.north, box.east = spec["bbox"]
    request.styles.extend(spec.get("styles", []))
    request.style_match = pb.STYLE_MATCH_ALL if spec.get("all_styles") else pb.STYLE_MATCH_ANY
    if "min_rating" in spec:
        request.min_rating = spec["min_rating"]
    if "max_hourly_rate" in spec:
        request.max_hourly_rate = spec["max_hourly_rate"]
    request.booking_open = spec.get("booking_open", False)
    if "min_years" in spec:
        request.min_years_active = spec["min_years"]
    request.sort = SORTS[spec.get("sort", "relevance")]
    request.limit = spec.get("limit", 0)
    request.max_per_studio = spec.get("max_per_studio", 0)
    request.explain = spec.get("explain", False)
    if "facets" in spec:
        request.facets = spec["facets"]
    if "top_cities" in spec:
        request.top_cities = spec["top_cities"]
    return request


def to_cli_args(spec, page_token=""):
    args = []
    if spec.get("text"):
        args += ["--text", spec["text"]]
    if "point" in spec:
        args += ["--lat=%r" % spec["point"][0], "--lon=%r" % spec["point"][1]]
    if "radius_km" in spec:
        args.append("--radius-km=%r" % spec["radius_km"])
    if "bbox" in spec:
        args.append("--bbox=" + ",".join(repr(v) for v in spec["bbox"]))
    for style in spec.get("styles", []):
        args += ["--style", style]
    if spec.get("all_styles"):
        args.append("--all-styles")
    if "min_rating" in spec:
        args += ["--min-rating", repr(spec["min_rating"])]
    if "max_hourly_rate" in spec:
        args += ["--max-hourly-rate", repr(spec["max_hourly_rate"])]
    if spec.get("booking_open"):
        args.append("--booking-open")
    if "min_years" in spec:
        args += ["--min-years", str(spec["min_years"])]
    args += ["--sort", spec.get("sort", "relevance")]
    date = spec.get("date", fx.FIXED_DAY)
    if date:
        args += ["--date", date]
    args += ["--limit", str(spec.get("limit", 20))]
    if spec.get("max_per_studio"):
        args += ["--max-per-studio", str(spec["max_per_studio"])]
    if spec.get("explain"):
        args.append("--explain")
    if spec.get("facets") is False:
        args.append("--no-facets")
    if "top_cities" in spec:
        args += ["--top-cities", str(spec["top_cities"])]
    if page_token:
        args += ["--page-token", page_token]
    return args


def _rounded(value):
    """Floats compared to 9 decimals (both sides are the same doubles; this
    only absorbs the JSON round trip)."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _facet_values(values):
    return [{"value": v.value, "label": v.label, "count": v.count} for v in values]


def response_as_cli_json(response, explain):
    """The SearchResponse in the shape `inkdex search --json` prints."""
    hits = []
    for h in response.hits:
        hit = {
            "id": h.id, "name": h.name, "studio": h.studio_name, "location": h.location,
            "city": h.city, "lat": h.matched_location.lat, "lon": h.matched_location.lon,
            "distance_km": fx.optional_value(h, "distance_km"), "score": h.score,
            "styles": list(h.styles),
            # The CLI prints ratings to two decimals (stored in single precision),
            # and null for an unrated hit (rating 0 with no reviews).
            "rating": (None if h.rating == 0 and h.review_count == 0
                       else math.floor(h.rating * 100 + 0.5) / 100),
            "review_count": h.review_count, "hourly_rate": fx.optional_value(h, "hourly_rate"),
            "currency": h.currency, "booking_open": h.booking_open, "guest_spot": h.guest_spot,
        }
        if explain:
            e = h.explanation
            hit["explanation"] = {"text_raw": e.text_raw, "text": e.text, "distance": e.distance,
                                  "quality_raw": e.quality_raw, "quality": e.quality}
        hits.append(hit)
    f = response.facets
    return _rounded({
        "total": response.total,
        "hits": hits,
        "facets": {"styles": _facet_values(f.styles),
                   "distance_rings": _facet_values(f.distance_rings),
                   "hourly_rate_bands": _facet_values(f.hourly_rate_bands),
                   "rating_bands": _facet_values(f.rating_bands),
                   "cities": _facet_values(f.cities)},
        "next_page_token": response.next_page_token or None,
        "spelling_suggestion": response.spelling_suggestion or None,
        "commit_seq": response.commit_seq,
    })


class SearchParityTest(fx.ServiceTestCase):
    @classmethod
    def setUpClass(cls):
        index = fx.shared_index()
        # The CLI opens an index read-write, so it reads its own copy.
        cls.cli_index = index.fresh_copy("cli")
        cls.server = cls.start_class_server(index.fresh_copy("served"))

    def library(self, spec, page_token=""):
        return _rounded(fx.inkdex_json("search", "--index", self.cli_index, "--json",
                                       *to_cli_args(spec, page_token)))

    def served(self, spec, page_token=""):
        return self.server.search.Search(to_proto(spec, page_token), timeout=30)

    def test_queries_equal_library(self):
        suggestions = 0
        for name, spec in QUERIES.items():
            with self.subTest(query=name):
                expected = self.library(spec)
                got = response_as_cli_json(self.served(spec), spec.get("explain", False))
                if name != "misspelt_text":
                    self.assertGreater(expected["total"], 0, "query %s matches nothing: a "
                                       "weak parity check; change the query" % name)
                self.assertEqual(got, expected)
                suggestions += expected["spelling_suggestion"] is not None
        self.assertGreater(suggestions, 0, "no query exercised the spelling suggestion")

    def test_paging_with_tokens_equals_library(self):
        spec = dict(point=LONDON, radius_km=500, styles=["fineline"], limit=7)
        pages, token, seen = 0, "", []
        while True:
            response = self.served(spec, token)
            expected = self.library(spec, token)  # the library continues the server's token
            self.assertEqual(response_as_cli_json(response, False), expected, "page %d" % pages)
            seen += [h.id for h in response.hits]
            pages += 1
            token = response.next_page_token
            if not token:
                break
            self.assertLess(pages, 50, "paging does not end")
        self.assertGreaterEqual(pages, 3, "too few pages to exercise paging")
        self.assertEqual(len(seen), len(set(seen)), "an artist appeared on two pages")
        self.assertEqual(len(seen), response.total)
        whole = self.served(dict(spec, limit=100))
        self.assertLessEqual(whole.total, 100)
        self.assertEqual(seen, [h.id for h in whole.hits])

    def test_facets_off_keeps_exact_total(self):
        spec = QUERIES["radius_and_styles"]
        with_facets = self.served(spec)
        without = self.served(dict(spec, facets=False))
        self.assertEqual(without.total, with_facets.total)
        self.assertEqual([h.id for h in without.hits], [h.id for h in with_facets.hits])
        self.assertTrue(with_facets.facets.styles)
        self.assertEqual(without.facets, pb.Facets())

    def test_ranking_options_change_scores_as_documented(self):
        spec = dict(point=LONDON, radius_km=500, explain=True, limit=10)
        request = to_proto(spec)
        request.ranking.distance_weight = 3.0
        request.ranking.distance_scale_km = 50.0
        request.ranking.quality_weight = 0.0
        response = self.server.search.Search(request, timeout=30)
        self.assertGreater(len(response.hits), 0)
        for hit in response.hits:
            e = hit.explanation
            self.assertAlmostEqual(e.distance, 3.0 * math.exp(-hit.distance_km / 50.0), places=6)
            self.assertEqual(e.quality, 0.0)
            self.assertAlmostEqual(hit.score, e.text + e.distance + e.quality, places=6)
        scores = [h.score for h in response.hits]
        self.assertEqual(scores, sorted(scores, reverse=True))
        default = self.server.search.Search(to_proto(spec), timeout=30)
        self.assertNotEqual([h.score for h in default.hits], scores)


if __name__ == "__main__":
    unittest.main()
