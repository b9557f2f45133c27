"""A full disk, for real: the index lives on a small tmpfs that the test
fills. `inkdex build` fails with a clear error and leaves nothing behind;
inkdex-server refuses writes with RESOURCE_EXHAUSTED while it stays up and
serves reads, takes writes again once space is back (no restart), and keeps
every acknowledged write (`inkdex verify` agrees after).

Before the free-space reserve (lib/src/index/disk_space.h) and
store/info_log.h, both processes died here: RocksDB's file logger asserted
after a failed LOG write, and Xapian terminated when a commit failed with
ENOSPC. Needs root to mount the tmpfs; without it the test says so and is
reported skipped."""

import errno
import json
import os
import subprocess
import time
import unittest

import grpc

import server_fixture as fx
from server_fixture import artist_pb2, pb

TOKEN = "e2e-disk-full-token"
# Room for the index and the commits' 128 MiB reserve (IndexOptions::
# min_free_disk_bytes, --min-free-disk-mb).
TMPFS_SIZE = "256m"
RESERVE_MESSAGE = "every commit keeps in reserve"


def fill(directory):
    """Writes zeros to directory/fill until the filesystem is full."""
    chunk = b"\0" * (1 << 20)
    with open(os.path.join(directory, "fill"), "wb", buffering=0) as f:
        while True:
            try:
                f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                break
    # What a small write can still get: nothing worth counting.
    st = os.statvfs(directory)
    return st.f_bavail * st.f_frsize


def artist(artist_id, version):
    record = artist_pb2.Artist(id=artist_id, name="Disk Full %s" % artist_id, version=version)
    record.location.latitude, record.location.longitude = 53.7997, -1.5492
    record.styles.append("fineline")
    record.biography = "x" * 2000
    record.is_active = True
    return record


class DiskFullTest(fx.ServiceTestCase):
    def setUp(self):
        self.mount = fx.make_temp_dir("inkdex-disk-full-")
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs",
                                  self.mount], capture_output=True, text=True)
        if mounted.returncode != 0:
            reason = "inkdex-skip: cannot mount a tmpfs (%s)" % mounted.stderr.strip()
            print(reason)
            self.skipTest(reason)
        self.addCleanup(subprocess.run, ["umount", "-l", self.mount], capture_output=True)

    def records(self, count):
        path = os.path.join(fx.make_temp_dir("inkdex-disk-full-input-"), "artists.jsonl")
        fx.run_inkdex("synth", "--count", count, "--seed", 3, "--out", path, "--quiet")
        return path

    def test_build_on_a_full_disk_fails_with_the_reason_and_leaves_nothing(self):
        records = self.records(20000)
        fill(self.mount)
        os.truncate(os.path.join(self.mount, "fill"),
                    os.path.getsize(os.path.join(self.mount, "fill")) - (4 << 20))
        target = os.path.join(self.mount, "index")
        built = fx.run_inkdex("build", "--input", records, "--index", target, "--progress",
                              "off", check=False, timeout=300)
        self.assertEqual(built.returncode, 1, "exit by a signal is a crash:\n" + built.stderr)
        self.assertIn(RESERVE_MESSAGE, built.stderr)
        self.assertEqual(sorted(os.listdir(self.mount)), ["fill"],
                         "the staged build directory was removed")

    def test_server_refuses_writes_serves_reads_and_recovers_when_space_is_back(self):
        index = fx.build_index(os.path.join(self.mount, "index"), self.records(500))
        server = self.start_server(index, write_token=TOKEN)
        meta = server.write_metadata()
        search = pb.SearchRequest(point=pb.LatLng(lat=53.7997, lon=-1.5492),
                                  radius_km=20000, limit=1)
        total_before = server.search.Search(search, timeout=10).total
        ok = server.search.UpsertArtists(pb.UpsertArtistsRequest(artists=[artist("ok-1", 1)]),
                                         metadata=meta, timeout=30)
        self.assertEqual(ok.results[0].outcome, pb.WriteResult.OUTCOME_APPLIED)

        fill(self.mount)
        refused = []
        for i in range(3):
            request = pb.UpsertArtistsRequest(
                artists=[artist("full-%d-%d" % (i, n), 1) for n in range(50)])
            with self.assertRaises(grpc.RpcError) as raised:
                server.search.UpsertArtists(request, metadata=meta, timeout=30)
            refused.append(raised.exception)
        for error in refused:
            self.assertEqual(error.code(), grpc.StatusCode.RESOURCE_EXHAUSTED, error.details())
            self.assertIn(RESERVE_MESSAGE, error.details())
        self.assertTrue(server.running(), "the server died on the full disk:\n%s" %
                        "\n".join(server.log_lines()[-8:]))
        self.assertEqual(server.search.Search(search, timeout=10).total, total_before + 1)

        os.remove(os.path.join(self.mount, "fill"))
        deadline = time.monotonic() + 60
        while True:
            try:
                after = server.search.UpsertArtists(
                    pb.UpsertArtistsRequest(artists=[artist("after-1", 1)]), metadata=meta,
                    timeout=30)
                break
            except grpc.RpcError as e:
                self.assertIn(e.code(), (grpc.StatusCode.RESOURCE_EXHAUSTED,
                                         grpc.StatusCode.UNAVAILABLE), e.details())
                self.assertLess(time.monotonic(), deadline, "writes never resumed: %s" %
                                e.details())
                time.sleep(0.5)
        self.assertEqual(after.results[0].outcome, pb.WriteResult.OUTCOME_APPLIED)
        self.assertEqual(server.stop(), 0)

        verified = fx.run_inkdex("verify", "--index", index, check=False)
        self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)
        got = fx.run_inkdex("get", "--index", index, "ok-1", "after-1").stdout.splitlines()
        self.assertEqual([json.loads(line)["artistId"] for line in got], ["ok-1", "after-1"])


if __name__ == "__main__":
    unittest.main()
