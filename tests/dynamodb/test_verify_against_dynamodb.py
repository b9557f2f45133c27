"""`inkdex verify --index DIR --against-dynamodb TABLE` against DynamoDB
Local: an index built from the table (`inkdex build --from-dynamodb`, the
CLI's scan path) equals what the table makes through the server's scan path,
artist by artist; after the table changes under the index (a delete, a
rename, a new artist, an opted_out flip, an item that can no longer be
indexed) each difference is named, and the scratch index is removed, also
when the comparison is interrupted.

Needs INKDEX_BIN (the inkdex binary; set by tests/dynamodb/CMakeLists.txt)."""

import fcntl
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import directory_table as dt
import dynamodb_local as ddbl

_DDB = None


def setUpModule():
    global _DDB
    _DDB = ddbl.DynamoDBLocal()


def tearDownModule():
    _DDB.stop()


inkdex_bin = ddbl.inkdex_bin


class VerifyAgainstDynamoDBTest(unittest.TestCase):
    COUNT = 300

    def setUp(self):
        self.table = _DDB.create_directory_table("verify-%d" % random.randrange(1 << 30))
        rng = random.Random(11)
        for i in range(self.COUNT):
            artist = dt.synthetic_artist(i, rng)
            if i % 7 == 0:
                artist["styles"] = set(artist["styles"])  # a string set (SS)
            if i % 41 == 3:
                artist["opted_out"] = True
            self.table.put_artist(artist, sk="PROFILE" if i % 50 == 3 else "METADATA")
        # An artist with both items: METADATA takes precedence over PROFILE.
        self.table.put_artist(dt.synthetic_artist(1, rng, artistName="Old Profile"), sk="PROFILE")
        self.table.put_studio("studio-001", studioName="Studio 001")
        self.table.put_item({**dt.artist_key("bad-nocoords"), "artistId": {"S": "bad-nocoords"},
                             "artistName": {"S": "No Coordinates"}})
        self.workdir = tempfile.mkdtemp(prefix="inkdex-verify-ddb-")
        self.env = ddbl.env_without_aws(self.workdir)
        self.index = os.path.join(self.workdir, "index")
        self.scratch = os.path.join(self.workdir, "scratch")
        os.mkdir(self.scratch)
        self.inkdex("build", "--from-dynamodb", self.table.name, "--dynamodb-endpoint",
                    _DDB.endpoint, "--index", self.index, "--progress", "off")

    def tearDown(self):
        shutil.rmtree(self.workdir, ignore_errors=True)

    def inkdex(self, *args, expect=0):
        result = subprocess.run([inkdex_bin(), *args], capture_output=True, text=True,
                                timeout=300, env=self.env)
        if result.returncode != expect:
            self.fail("inkdex %s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s" % (
                " ".join(args), result.returncode, expect, result.stdout, result.stderr))
        return result

    def verify(self, *extra, expect):
        return self.inkdex("verify", "--index", self.index, "--against-dynamodb",
                           self.table.name, "--dynamodb-endpoint", _DDB.endpoint,
                           "--segments", "3", "--scratch-dir", self.scratch, *extra,
                           expect=expect)

    def test_an_index_built_from_the_table_equals_it(self):
        out = self.verify(expect=0).stdout
        # 300 artists and the rejected one's item, the extra PROFILE item and
        # the studio.
        self.assertIn("table %s: 303 items scanned, 300 artists, 1 artist item rejected"
                      % self.table.name, out)
        self.assertIn("index %s: 300 artists" % self.index, out)
        self.assertIn("ok: the index holds exactly the table's 300 artists", out)
        self.assertEqual(os.listdir(self.scratch), [], "the scratch index was not removed")

    def test_every_kind_of_difference_is_named(self):
        self.table.delete_artist("artist-00010")
        self.table.update_artist("artist-00020", artistName="Renamed Twenty", rating=4.9)
        self.table.put_artist(dt.synthetic_artist(5000, random.Random(1)))
        self.table.update_artist("artist-00030", opted_out=True)
        self.table.update_artist("artist-00040", latitude=123.0)  # can no longer be indexed
        self.table.update_artist("artist-00050", studioInfo={"studioId": "studio-999",
                                                             "studioName": "Moved Studio"})
        # The PROFILE item is deleted too, but METADATA, served, is unchanged.
        self.table.delete_artist("artist-00001", sk="PROFILE")
        out = self.verify(expect=1).stdout
        self.assertIn("index %s: 300 artists" % self.index, out)
        self.assertIn("equal: 295", out)
        self.assertRegex(out, r"different: 3\n  artist-00020: name, rating\n"
                              r"  artist-00030: opted_out\n  artist-00050: studio\n")
        self.assertIn("missing from the index: 1\n  artist-05000\n", out)
        self.assertRegex(out, r"only in the index: 2\n  artist-00010\n"
                              r"  artist-00040 \(its item was rejected: latitude: [^\n]+\)\n")
        self.assertIn("run again to confirm", out)
        self.assertEqual(os.listdir(self.scratch), [])

    def test_the_list_is_bounded(self):
        for i in range(100, 110):
            self.table.delete_artist("artist-%05d" % i, sk="PROFILE" if i % 50 == 3 else "METADATA")
        out = self.verify("--list", "3", expect=1).stdout
        self.assertIn("only in the index: 10\n  artist-00100\n  artist-00101\n  artist-00102\n"
                      "  ... and 7 more\n", out)

    def test_flags_and_errors(self):
        err = self.inkdex("verify", "--server", "127.0.0.1:1", "--against-dynamodb",
                          self.table.name, expect=2).stderr
        self.assertIn("--against-dynamodb compares an index on disk", err)
        err = self.inkdex("verify", "--index", self.index, "--dynamodb-endpoint",
                          _DDB.endpoint, expect=2).stderr
        self.assertRegex(err, r"--dynamodb-endpoint.*requires.*--against-dynamodb")
        err = self.inkdex("verify", "--index", self.index, "--against-dynamodb", "no-such-table",
                          "--dynamodb-endpoint", _DDB.endpoint, expect=1).stderr
        self.assertRegex(err, re.compile(r"no-such-table|ResourceNotFound|not found", re.I))
        err = self.inkdex("verify", "--index", self.index, "--against-dynamodb",
                          self.table.name, "--dynamodb-endpoint", _DDB.endpoint,
                          "--scratch-dir", os.path.join(self.workdir, "no", "such"),
                          expect=1).stderr
        self.assertRegex(err, r"scratch index: cannot make a directory in .*/no/such: ")

    def test_an_index_held_elsewhere_is_refused_without_offering_server(self):
        # The document store's lock, held as another process's open would
        # hold it (fcntl locks are per process).
        with open(os.path.join(self.index, "docs", "LOCK"), "r+") as lock:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            err = self.verify(expect=1).stderr
        self.assertIn("open for writing in another process", err)
        self.assertIn("stop the server first", err)
        self.assertNotIn("--server", err)

    def test_an_index_built_from_json_lines_equals_the_table_too(self):
        # Exported JSON Lines carry no source ranks: the build's artists are
        # unranked where the table's are ranked, and still equal.
        lines = os.path.join(self.workdir, "artists.jsonl")
        self.inkdex("export", "--index", self.index, "--out", lines)
        self.index = os.path.join(self.workdir, "from-lines")
        self.inkdex("build", "--input", lines, "--index", self.index, "--progress", "off")
        out = self.verify(expect=0).stdout
        self.assertIn("ok: the index holds exactly the table's 300 artists", out)

    def test_an_interrupted_comparison_removes_its_scratch_index(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=sig.name):
                # One item a page: a scan of ~300 requests, signalled as soon
                # as the scratch index exists.
                proc = subprocess.Popen(
                    [inkdex_bin(), "verify", "--index", self.index, "--against-dynamodb",
                     self.table.name, "--dynamodb-endpoint", _DDB.endpoint, "--segments", "1",
                     "--scan-page-size", "1", "--scratch-dir", self.scratch],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
                deadline = time.monotonic() + 60
                while not os.listdir(self.scratch) and proc.poll() is None:
                    self.assertLess(time.monotonic(), deadline, "no scratch index appeared")
                    time.sleep(0.002)
                self.assertIsNone(proc.poll(), "the comparison ended before it was signalled")
                proc.send_signal(sig)
                out, err = proc.communicate(timeout=60)
                self.assertEqual(proc.returncode, 1, "stdout:\n%s\nstderr:\n%s" % (out, err))
                self.assertIn("inkdex verify: interrupted", err)
                self.assertNotIn("ok:", out)
                self.assertEqual(os.listdir(self.scratch), [], "the scratch index was left")


if __name__ == "__main__":
    unittest.main()
