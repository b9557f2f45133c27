"""The C++ stream follower (service/stream/stream_follower.h) against DynamoDB
Local: the directory table gets inserts, modifies (PutItem over an item,
UpdateItem) and removes, some before the follower starts and the rest while
it runs; the gtest StreamFollowerDynamoDbLocalTest (the
stream_follower_dynamodb_local binary) follows the table's stream with a recording sink, stops halfway,
restarts from its committed checkpoints, and checks that every record
arrived exactly once, in write order, with the right images.

Needs that binary: INKDEX_STREAM_TEST_BIN (set by tests/dynamodb/CMakeLists.txt)."""

import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import unittest

import dynamodb_local as ddbl

GTEST = "StreamFollowerDynamoDbLocalTest.*"


def stream_test_bin():
    path = os.environ.get("INKDEX_STREAM_TEST_BIN")
    if not path or not os.path.isfile(path):
        raise AssertionError("INKDEX_STREAM_TEST_BIN must name the stream_follower_dynamodb_local "
                             "binary (got %r)" % path)
    return path


class Writer:
    """Writes artists and studios and keeps the stream record each write
    must produce (every write below changes its item, so each makes one)."""

    def __init__(self, table, seed=7):
        self.table = table
        self.rng = random.Random(seed)
        self.live = set()
        self.expected = []

    def _expect(self, event_name, pk, sk):
        self.expected.append({"eventName": event_name, "PK": pk, "SK": sk})

    def put(self, artist_id):
        self.table.put_artist({"artistId": artist_id,
                               "artistName": "Artist %s %d" % (artist_id, len(self.expected)),
                               "latitude": 51.5 + self.rng.uniform(-0.1, 0.1),
                               "longitude": -0.12 + self.rng.uniform(-0.1, 0.1),
                               "styles": ["blackwork"], "rating": len(self.expected) % 5 + 0.5})
        self._expect("MODIFY" if artist_id in self.live else "INSERT",
                     "ARTIST#" + artist_id, "METADATA")
        self.live.add(artist_id)

    def update(self, artist_id):
        assert artist_id in self.live
        # writeCount makes every update a change (an UpdateItem that changes
        # nothing writes no stream record).
        self.table.update_artist(artist_id, rating=len(self.expected) % 5 + 0.25,
                                 opted_out=len(self.expected) % 3 == 0,
                                 writeCount=len(self.expected))
        self._expect("MODIFY", "ARTIST#" + artist_id, "METADATA")

    def delete(self, artist_id):
        assert artist_id in self.live
        self.table.delete_artist(artist_id)
        self._expect("REMOVE", "ARTIST#" + artist_id, "METADATA")
        self.live.discard(artist_id)

    def studio(self, studio_id):
        self.table.put_studio(studio_id, name="Studio %d" % len(self.expected))
        self._expect("INSERT", "STUDIO#" + studio_id, "PROFILE")

    def random_write(self, ids):
        artist_id = self.rng.choice(ids)
        if artist_id not in self.live:
            self.put(artist_id)
        else:
            self.rng.choice([self.put, self.update, self.update, self.delete])(artist_id)


class StreamFollowerTest(unittest.TestCase):
    def setUp(self):
        self.binary = stream_test_bin()
        self.ddb = ddbl.DynamoDBLocal()
        self.addCleanup(self.ddb.stop)
        self.table = self.ddb.create_directory_table("directory")

    def test_follows_writes_in_order_through_a_restart(self):
        ids = ["a%02d" % i for i in range(12)]
        writer = Writer(self.table)
        # Planned first (so the expected file is complete before the follower
        # reads it), by replaying the same writes on a dry-run copy.
        plan = Writer(_DryTable(), seed=7)
        self._writes(plan, ids)
        workdir = tempfile.mkdtemp(prefix="inkdex-stream-follower-")
        self.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
        expected_path = os.path.join(workdir, "expected.json")
        with open(expected_path, "w") as f:
            json.dump(plan.expected, f)

        env = dict(os.environ, INKDEX_DYNAMODB_ENDPOINT=self.ddb.endpoint,
                   INKDEX_STREAM_ARN=self.table.stream_arn,
                   INKDEX_STREAM_EXPECTED=expected_path)
        writes = self._writes(writer, ids, lazily=True)
        for _ in range(20):  # written before the follower starts
            next(writes)
        proc = subprocess.Popen([self.binary, "--gtest_filter=" + GTEST], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            for _ in writes:  # the rest while it follows (and restarts)
                time.sleep(0.01)
            output, _ = proc.communicate(timeout=150)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(writer.expected, plan.expected, "the plan and the writes agree")
        self.assertEqual(proc.returncode, 0, output)
        self.assertIn("[  PASSED  ] 1 test", output)
        self.assertNotIn("SKIPPED", output)

    @staticmethod
    def _writes(writer, ids, lazily=False):
        """About 100 writes: inserts, then a random mix, then a studio and
        removes of what is left; a generator when `lazily`."""
        def steps():
            for artist_id in ids[:6]:
                writer.put(artist_id)
                yield
            for _ in range(80):
                writer.random_write(ids)
                yield
            writer.studio("s1")
            yield
            for artist_id in sorted(writer.live):
                writer.delete(artist_id)
                yield
        if lazily:
            return steps()
        for _ in steps():
            pass
        return None


class _DryTable:
    """Accepts the writes of a Writer and does nothing (to plan them)."""

    def put_artist(self, *args, **kwargs):
        pass

    def update_artist(self, *args, **kwargs):
        pass

    def delete_artist(self, *args, **kwargs):
        pass

    def put_studio(self, *args, **kwargs):
        pass


if __name__ == "__main__":
    unittest.main()
