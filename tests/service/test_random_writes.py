"""Random write batches against inkdex-server, checked against a model of
the version rules: upserts and deletes of a pool of ids (new ones and ones
the index already holds), with versions that go up, repeat and go back,
some records invalid, some hidden (opted out, inactive). Each item's outcome
must be what the model says (APPLIED only for a newer version, STALE
otherwise, REJECTED only for a record made invalid, with a reason naming the
field); after every batch GetArtist and Search show exactly the model's
visible records; at the end VerifyIndex finds the index consistent, and so
does a restart after SIGTERM, with the same artists.

Seeded (INKDEX_RANDOM_SEED picks another sequence), so a failure
reproduces.
"""

import math
import os
import random
import re
import unittest

import grpc

import server_fixture as fx
from server_fixture import artist_pb2, pb

SEED = int(os.environ.get("INKDEX_RANDOM_SEED", "20261202"))
BATCHES = 150
NEW_IDS = 12
EXISTING_IDS = 4
TOKEN = "random-writes-token"
LEEDS = (53.7997, -1.5492)
Outcome = pb.WriteResult

# What the server names a refused item by: "artists[3].location.latitude: ...".
ITEM_FIELD = re.compile(r"^(artists|deletions)\[(\d+)\](\.[a-z_]+(\[\d+\])?)*: \S")
# A rejected item's reason names its field: "location.latitude: ...".
REASON_FIELD = re.compile(r"^[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*: \S")


def letters(n, width):
    out = ""
    for _ in range(width):
        n, r = divmod(n, 26)
        out = chr(ord("a") + r) + out
    return out


def name_token(id_index, version):
    """A word only this id at this version has: fixed length, so that as
    the last (prefix) word of a search it matches no other token."""
    return "qzv" + letters(id_index, 2) + letters(version, 3)


# Ways to make a record invalid: (what breaks it, the field its reason names).
def _lat(a):
    a.location.latitude = 91


def _lon(a):
    a.location.longitude = float("nan")


def _rating(a):
    a.rating = 6


def _rate(a):
    a.pricing.hourly_rate = -5


def _years(a):
    a.years_active = 101


def _guest_dates(a):
    g = a.guest_spots.add()
    g.location.latitude, g.location.longitude = LEEDS
    g.to = "2026-13-01"


def _name(a):
    a.name = ""


def _stream_sequence(a):
    a.stream_sequence = "4900000000000000000001"  # the stream reader's alone: the call is refused


BREAKS = [(_lat, "location.latitude"), (_lon, "location.longitude"), (_rating, "rating"),
          (_rate, "pricing.hourly_rate"), (_years, "years_active"),
          (_guest_dates, "guest_spots[0].to"), (_name, "name"),
          (_stream_sequence, "stream_sequence")]


class Model:
    """What the index must hold: per id, the largest version seen (upsert or
    delete) and the record it left (None for a delete)."""

    def __init__(self):
        self.version = {}
        self.record = {}

    def apply_upsert(self, record):
        if record.version <= self.version.get(record.id, 0):
            return Outcome.OUTCOME_STALE
        self.version[record.id] = record.version
        self.record[record.id] = record
        return Outcome.OUTCOME_APPLIED

    def apply_delete(self, artist_id, version):
        if version <= self.version.get(artist_id, 0):
            return Outcome.OUTCOME_STALE
        self.version[artist_id] = version
        self.record[artist_id] = None
        return Outcome.OUTCOME_APPLIED

    def visible(self, artist_id):
        """The record GetArtist and Search show, or None."""
        r = self.record.get(artist_id)
        if r is None or r.opted_out or (r.HasField("is_active") and not r.is_active):
            return None
        return r


class RandomWritesTest(fx.ServiceTestCase):
    def setUp(self):
        index = fx.shared_index()
        self.index_dir = index.fresh_copy("random-writes")
        self.server = self.start_server(self.index_dir, write_token=TOKEN,
                                        extra_args=["--commit-interval-ms", "20"])
        self.rng = random.Random(SEED)
        self.model = Model()
        self.seen = {"applied": 0, "stale": 0, "rejected": 0, "refused calls": 0, "hidden": 0}
        existing = self.rng.sample(index.visible_ids()[:4000], EXISTING_IDS)
        self.ids = ["rw-%d" % i for i in range(NEW_IDS)] + existing
        for artist_id in existing:
            # `inkdex build` gave each the version of its line.
            self.model.version[artist_id] = index.version_of(artist_id)
            self.model.record[artist_id] = self.server.search.GetArtist(
                pb.GetArtistRequest(id=artist_id), timeout=10)

    def random_version(self, artist_id):
        base = self.model.version.get(artist_id, 0)
        return max(1, base + self.rng.randint(-3, 4))

    def random_artist(self, artist_id):
        version = self.random_version(artist_id)
        a = artist_pb2.Artist(id=artist_id, version=version)
        a.name = "Ink %s" % name_token(self.ids.index(artist_id), version)
        a.location.latitude = LEEDS[0] + self.rng.uniform(-0.2, 0.2)
        a.location.longitude = LEEDS[1] + self.rng.uniform(-0.2, 0.2)
        a.location.city = "Leeds"
        a.styles.extend(self.rng.sample(["fineline", "blackwork", "Irezumi", "dragonz"],
                                        self.rng.randint(0, 2)))
        if self.rng.random() < 0.5:
            a.rating = self.rng.choice([0, 3.5, 5])
        if self.rng.random() < 0.3:
            a.pricing.hourly_rate, a.pricing.currency = 80, "GBP"
        r = self.rng.random()
        if r < 0.1:
            a.opted_out = True
        elif r < 0.2:
            a.is_active = False
        elif r < 0.5:
            a.is_active = True
        return a

    def write(self, request):
        call = (self.server.search.UpsertArtists if isinstance(request, pb.UpsertArtistsRequest)
                else self.server.search.DeleteArtists)
        return call(request, metadata=fx.bearer(TOKEN), timeout=30)

    def run_batch(self):
        if self.rng.random() < 0.7:
            items, broken = [], {}
            for i in range(self.rng.randint(1, 8)):
                a = self.random_artist(self.rng.choice(self.ids))
                if self.rng.random() < 0.12:
                    brk, field = self.rng.choice(BREAKS)
                    brk(a)
                    broken[i] = field
                items.append(a)
            request = pb.UpsertArtistsRequest(artists=items)
        else:
            items = [pb.ArtistDeletion(id=d, version=self.random_version(d))
                     for d in self.rng.sample(self.ids, self.rng.randint(1, 4))]
            broken = {}
            request = pb.DeleteArtistsRequest(deletions=items)
        try:
            response = self.write(request)
        except grpc.RpcError as e:
            # A call refused whole names a broken item, and writes nothing.
            self.assertEqual(e.code(), grpc.StatusCode.INVALID_ARGUMENT, e.details())
            match = ITEM_FIELD.match(e.details())
            self.assertIsNotNone(match, e.details())
            self.assertIn(int(match.group(2)), broken, "%s\n%s" % (e.details(), request))
            self.assertIn(broken[int(match.group(2))], e.details())
            self.seen["refused calls"] += 1
            return []
        self.assertEqual(len(response.results), len(items))
        for i, (item, result) in enumerate(zip(items, response.results)):
            context = "item %d: %s\n%s" % (i, result, request)
            self.assertEqual(result.id, item.id, context)
            if i in broken:
                # A broken record that is stale anyway may be told so first.
                if (result.outcome == Outcome.OUTCOME_STALE and
                        item.version <= self.model.version.get(item.id, 0)):
                    continue
                self.assertEqual(result.outcome, Outcome.OUTCOME_REJECTED, context)
                self.assertIsNotNone(REASON_FIELD.match(result.reason), context)
                self.assertIn(broken[i], result.reason, context)
                self.seen["rejected"] += 1
                continue
            expected = (self.model.apply_upsert(item) if isinstance(item, artist_pb2.Artist)
                        else self.model.apply_delete(item.id, item.version))
            self.assertEqual(result.outcome, expected, context)
            if expected == Outcome.OUTCOME_STALE:
                self.assertIn("version", result.reason, context)
                self.seen["stale"] += 1
            else:
                self.seen["applied"] += 1
                if self.model.record[item.id] is not None and self.model.visible(item.id) is None:
                    self.seen["hidden"] += 1
        return [item.id for item in items]

    def assertShows(self, server, artist_id):
        """GetArtist and a search for its name's token show exactly what the
        model says of `artist_id`."""
        want = self.model.visible(artist_id)
        try:
            got = server.search.GetArtist(pb.GetArtistRequest(id=artist_id), timeout=10)
        except grpc.RpcError as e:
            self.assertEqual(e.code(), grpc.StatusCode.NOT_FOUND, e.details())
            got = None
        self.assertEqual(got is None, want is None, "%s: got %s, want %s" % (artist_id, got, want))
        if want is None:
            return
        self.assertEqual((got.version, got.name), (want.version, want.name), artist_id)
        if not want.name.startswith("Ink qzv"):
            return  # an artist of the built index, not rewritten yet
        token = want.name.split()[-1]
        hits = server.search.Search(pb.SearchRequest(text=token, limit=100), timeout=10).hits
        self.assertEqual([h.id for h in hits], [artist_id], token)

    def test_random_batches_follow_the_version_rules(self):
        for _ in range(BATCHES):
            for artist_id in set(self.run_batch()):
                self.assertShows(self.server, artist_id)
        for artist_id in self.ids:
            self.assertShows(self.server, artist_id)
        # Each kind of outcome was exercised.
        print(self.seen)
        for kind in ("applied", "stale", "rejected", "hidden"):
            self.assertGreater(self.seen[kind], 5, kind)
        self.assertGreater(self.seen["refused calls"], 0)
        # No earlier version's name is found any more (a sample of them).
        for index, artist_id in enumerate(self.ids[:NEW_IDS]):
            live = self.model.visible(artist_id)
            for version in range(1, self.model.version.get(artist_id, 0) + 1):
                if live is not None and version == live.version:
                    continue
                if self.rng.random() < 0.2:  # a sample: each is a search
                    hits = self.server.search.Search(
                        pb.SearchRequest(text=name_token(index, version)), timeout=10).hits
                    self.assertEqual(list(hits), [], (artist_id, version))
        report = self.server.admin.VerifyIndex(pb.VerifyIndexRequest(), metadata=fx.bearer(TOKEN),
                                               timeout=60)
        self.assertTrue(report.consistent, list(report.problems))

        self.assertEqual(self.server.stop(), 0)
        restarted = self.start_server(self.index_dir, write_token=TOKEN)
        for artist_id in self.ids:
            self.assertShows(restarted, artist_id)
        report = restarted.admin.VerifyIndex(pb.VerifyIndexRequest(), metadata=fx.bearer(TOKEN),
                                             timeout=60)
        self.assertTrue(report.consistent, list(report.problems))


if __name__ == "__main__":
    unittest.main()
