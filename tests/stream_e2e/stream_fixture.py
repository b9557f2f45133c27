"""Shared pieces of the stream reader's end-to-end tests: a DynamoDB Local
per test module, directory tables with artists, an inkdex-server following
a table (--stream-table), and the comparison of the served index with the
table, artist by artist.

Thread-safety: one test thread; the helpers that write from threads say so."""

import os
import random
import re
import time

import grpc

import directory_table as dt
import dynamodb_local as ddbl
from server_fixture import Server, artist_pb2, make_temp_dir, pb

ARTIST_SKS = ("METADATA", "PROFILE")
make_artist = dt.synthetic_artist


class StreamServer(Server):
    """An inkdex-server following `table` at `endpoint` (or, with
    table_flag="--bootstrap-table", loading it once for a forwarder)."""

    def __init__(self, index_dir, table, endpoint, extra_args=(), table_flag="--stream-table",
                 **kwargs):
        home = make_temp_dir("inkdex-stream-home-")
        args = [table_flag, table, "--dynamodb-endpoint", endpoint,
                "--stream-describe-interval-ms", "500", "--commit-interval-ms", "20"]
        if "--scan-segments" not in extra_args:
            args += ["--scan-segments", "2"]
        args += list(extra_args)
        super().__init__(index_dir, extra_args=args, env=ddbl.env_without_aws(home), **kwargs)

    def serving(self):
        from health.v1 import health_pb2
        try:
            reply = self.health.Check(health_pb2.HealthCheckRequest(), timeout=5)
        except grpc.RpcError:
            return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING

    def wait_serving(self, timeout=60):
        deadline = time.monotonic() + timeout
        while not self.serving():
            if not self.running():
                raise AssertionError("inkdex-server exited; log tail:\n" +
                                     "\n".join(self.log_lines()[-30:]))
            if time.monotonic() > deadline:
                raise AssertionError("not SERVING within %g s; log tail:\n%s" %
                                     (timeout, "\n".join(self.log_lines()[-30:])))
            time.sleep(0.05)

    def metric(self, name, **labels):
        """The value of one series of /metrics (0 when absent)."""
        want = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
        total = 0.0
        for line in self.metrics().splitlines():
            m = re.match(r'^([a-z_]+)(?:\{([^}]*)\})? ([-+.eE0-9na]+)$', line)
            if not m or m.group(1) != name:
                continue
            got = ",".join(sorted(p for p in (m.group(2) or "").split(",") if p))
            if all(p in got.split(",") for p in want.split(",") if p):
                total += float(m.group(3))
        return total

    def visible(self, ids):
        """{id: Artist} of the ids GetArtist finds (searchable ones)."""
        out = {}
        ids = list(ids)
        for start in range(0, len(ids), 100):
            reply = self.search.BatchGetArtists(
                pb.BatchGetArtistsRequest(ids=ids[start:start + 100], allow_missing=True),
                timeout=30)
            for a in reply.artists:
                out[a.id] = a
        return out

    def documents(self):
        return self.search.GetStats(pb.GetStatsRequest(), timeout=10)


def table_artists(table):
    """{artistId: plain record} of the table's artist profile items; of two
    items of one artist, the higher-ranked (the earlier in ARTIST_SKS), as
    the index serves it."""
    out, rank_of = {}, {}
    for item in table.scan_items():
        pk, sk = item.get("PK", {}).get("S", ""), item.get("SK", {}).get("S", "")
        if pk.startswith("ARTIST#") and sk in ARTIST_SKS:
            artist_id, rank = pk[len("ARTIST#"):], ARTIST_SKS.index(sk)
            if rank_of.get(artist_id, len(ARTIST_SKS)) > rank:
                out[artist_id], rank_of[artist_id] = dt.from_attribute_values(item), rank
    return out


def indexable(record):
    try:
        return (isinstance(record.get("artistName"), str) and record["artistName"].strip() != ""
                and -90 <= float(record["latitude"]) <= 90
                and -180 <= float(record["longitude"]) <= 180)
    except (KeyError, TypeError, ValueError):
        return False


def searchable(record):
    return (indexable(record) and not record.get("opted_out", False)
            and record.get("isActive", True))


def differences(server, table, extra_ids=()):
    """Artist-by-artist differences between the table and what the server
    serves: every searchable table artist found with its name, coordinates
    and rating; every other id (hidden, deleted, unknown) not found."""
    truth = table_artists(table)
    ids = sorted(set(truth) | set(extra_ids))
    seen = server.visible(ids)
    problems = []
    for artist_id in ids:
        record = truth.get(artist_id)
        want = record is not None and searchable(record)
        got = seen.get(artist_id)
        if want and got is None:
            problems.append("%s: in the table, not served" % artist_id)
        elif not want and got is not None:
            problems.append("%s: served, but %s" % (
                artist_id, "not in the table" if record is None else "hidden or unindexable"))
        elif want:
            if got.name != record["artistName"]:
                problems.append("%s: name %r != %r" % (artist_id, got.name, record["artistName"]))
            if abs(got.location.latitude - float(record["latitude"])) > 1e-9:
                problems.append("%s: latitude differs" % artist_id)
            if "rating" in record and abs(got.rating - float(record["rating"])) > 1e-9:
                problems.append("%s: rating %s != %s" % (artist_id, got.rating, record["rating"]))
    return problems


def assert_direct_upsert_refused(test, server, table, flag):
    """A server whose artists come from `table` (named by `flag`) refuses
    UpsertArtists with FAILED_PRECONDITION naming the table and the flag,
    and the write changes nothing."""
    direct = artist_pb2.Artist(id="direct-1", name="Direct Write")
    direct.location.latitude, direct.location.longitude = 51.5, -0.1
    with test.assertRaises(grpc.RpcError) as raised:
        server.search.UpsertArtists(pb.UpsertArtistsRequest(artists=[direct]),
                                    metadata=server.write_metadata(), timeout=10)
    test.assertEqual(raised.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
    test.assertIn("follows the DynamoDB table '%s' (%s)" % (table.name, flag),
                  raised.exception.details())
    test.assertNotIn("direct-1", server.visible(["direct-1"]))


def wait_equal(test, server, table, extra_ids=(), timeout=30):
    """Waits until the server serves exactly the table; fails listing the
    first differences otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        problems = differences(server, table, extra_ids)
        if not problems:
            return
        if time.monotonic() > deadline:
            test.fail("index != table after %g s (%d differences):\n  %s\nlog tail:\n%s" % (
                timeout, len(problems), "\n  ".join(problems[:15]),
                "\n".join(server.log_lines()[-15:])))
        time.sleep(0.1)


class Emulator:
    """One DynamoDB Local per test module (setUpModule/tearDownModule)."""
    instance = None

    @classmethod
    def start(cls):
        cls.instance = ddbl.DynamoDBLocal()

    @classmethod
    def stop(cls):
        if cls.instance is not None:
            cls.instance.stop()

    @classmethod
    def new_table(cls, prefix="directory"):
        name = "%s-%d-%d" % (prefix, os.getpid(), random.randrange(1 << 30))
        return cls.instance.create_directory_table(name)
