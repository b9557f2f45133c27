"""`inkdex build --from-dynamodb` against DynamoDB Local: a table holding
~2,000 artist items (some opted out or inactive, some with the older SK
PROFILE), studio and style items, an artist's non-profile item and malformed
artist items is scanned in 4 parallel segments with small pages, and the
index is compared with the table artist by artist (`inkdex get`), by counts
(`inkdex stats`, the build summary) and by search (`inkdex search`).

Needs INKDEX_BIN (the inkdex binary; set by tests/dynamodb/CMakeLists.txt)."""

import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import unittest

import directory_table as dt
from fault_proxy import FaultProxy
import dynamodb_local as ddbl

_DDB = None
def setUpModule():
    global _DDB
    _DDB = ddbl.DynamoDBLocal()


def tearDownModule():
    _DDB.stop()


inkdex_bin = ddbl.inkdex_bin


def make_artists(count, seed=4):
    rng = random.Random(seed)
    artists = []
    for i in range(count):
        artist = dt.synthetic_artist(i, rng)
        if i % 7 == 0:
            # A string set (SS) rather than a list (L); a NULL attribute.
            artist["styles"] = set(artist["styles"])
            artist["nextGuestSpot"] = None
        if i % 97 == 5:
            artist["opted_out"] = True
        elif i % 89 == 7:
            artist["isActive"] = False
        artists.append(artist)
    return artists


def is_searchable(artist):
    return not artist.get("opted_out", False) and artist.get("isActive", True)


def scan_fault_proxy(fault):
    """A FaultProxy whose `fault(n, body)` sees the Scan requests only."""
    return FaultProxy(_DDB.endpoint,
                      lambda operation, n, body: fault(n, body) if operation == "Scan" else None)


def scan_faults(proxy):
    return proxy.counts()[1]["Scan"]


build_env = ddbl.env_without_aws


class BuildFromDynamoDBTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.table = _DDB.create_directory_table("directory-build")
        cls.artists = make_artists(2000)
        for i, artist in enumerate(cls.artists):
            # Older items use SK PROFILE; both are artist profiles.
            extra = {"gsi1pk": "CITY#" + artist["locationDisplay"]}
            if i == 7:
                # An artistId attribute that disagrees with the key: the key wins, with a warning.
                extra["artistId"] = "legacy-id-7"
            cls.table.put_artist(artist, sk="PROFILE" if i % 50 == 3 else "METADATA", **extra)
        # A migrated artist: its older PROFILE item is still in the table
        # beside METADATA, which takes precedence (met first by the scan: its
        # sort key sorts first; the pipeline's later line would win by
        # version alone).
        cls.migrated = cls.artists[0]
        cls.table.put_artist(dict(cls.migrated, artistName="Legacy Profile Name",
                                  latitude=40.0, longitude=40.0), sk="PROFILE")
        for i in range(30):
            cls.table.put_studio("studio-%03d" % i, studioName="Studio %03d" % i)
        for style in dt.STYLES[:5]:
            cls.table.put_item({"PK": {"S": "STYLE#" + style}, "SK": {"S": "METADATA"},
                                "label": {"S": style}})
        # An artist's non-profile item: skipped, even though it names the artist.
        cls.table.put_item({"PK": {"S": "ARTIST#artist-00001"}, "SK": {"S": "REVIEW#r1"},
                            "artistId": {"S": "artist-00001"}, "rating": {"N": "5"}})
        # Malformed artists: no coordinates; a latitude out of range.
        cls.table.put_item({**dt.artist_key("bad-nocoords"), "artistId": {"S": "bad-nocoords"},
                            "artistName": {"S": "No Coordinates"}})
        cls.table.put_item({**dt.artist_key("bad-latitude"), "artistId": {"S": "bad-latitude"},
                            "artistName": {"S": "Bad Latitude"}, "latitude": {"N": "123.5"},
                            "longitude": {"N": "0"}})
        cls.workdir = tempfile.mkdtemp(prefix="inkdex-build-ddb-")
        cls.index = os.path.join(cls.workdir, "index")
        cls.rejects = os.path.join(cls.workdir, "rejects.txt")
        env = build_env(cls.workdir)
        cls.build = subprocess.run(
            [inkdex_bin(), "build", "--from-dynamodb", cls.table.name, "--dynamodb-endpoint",
             _DDB.endpoint, "--segments", "4", "--scan-page-size", "100", "--index", cls.index,
             "--rejects", cls.rejects, "--progress", "log"],
            capture_output=True, text=True, timeout=300, env=env)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def inkdex(self, *args, check=True):
        result = subprocess.run([inkdex_bin(), *args], capture_output=True, text=True,
                                timeout=120)
        if check and result.returncode != 0:
            self.fail("inkdex %s: exit %d\n%s" % (" ".join(args), result.returncode,
                                                  result.stderr))
        return result

    def test_build_succeeds_and_its_summary_counts_every_item(self):
        self.assertEqual(self.build.returncode, 0, self.build.stderr + self.build.stdout)
        out = self.build.stdout
        self.assertIn("(2000 records applied)", out)
        # 2000 artists (one with a PROFILE item too) + 30 studios + 5 styles
        # + 1 review + 2 malformed.
        self.assertRegex(out, r"items scanned:\s+2039 from table directory-build \(4 segment")
        self.assertRegex(out, r"items rejected:\s+2\n")
        self.assertRegex(out, r"other items:\s+36 skipped \(not artist profiles: "
                              r"ARTIST/REVIEW 1, STUDIO 30, STYLE 5\)")
        self.assertIn("dummy credentials", self.build.stderr)
        self.assertRegex(out, r"last line version:\s+2003\n")

    def test_an_artist_id_that_disagrees_with_the_key_is_a_warning(self):
        self.assertEqual(self.build.returncode, 0, self.build.stderr)
        key_id = self.artists[7]["artistId"]
        self.assertIn("directory-build item PK=ARTIST#%s SK=METADATA: artistId: 'legacy-id-7' "
                      "differs from the item key's id '%s'; the key's id is used" % (key_id, key_id),
                      self.build.stdout)
        self.assertGreaterEqual(int(re.search(r"warnings:\s+(\d+)", self.build.stdout).group(1)),
                                1)
        self.assertEqual(json.loads(self.inkdex("get", "--index", self.index, "--include-hidden",
                                                key_id).stdout)[
            "artistName"], self.artists[7]["artistName"])
        self.assertEqual(self.inkdex("get", "--index", self.index, "legacy-id-7",
                                     check=False).returncode, 1)

    def test_the_higher_ranked_item_of_an_artist_wins(self):
        self.assertEqual(self.build.returncode, 0, self.build.stderr)
        self.assertRegex(self.build.stdout, r"stale:\s+1 ")
        got = json.loads(self.inkdex("get", "--index", self.index,
                                     self.migrated["artistId"]).stdout)
        self.assertEqual(got["artistName"], self.migrated["artistName"])
        self.assertEqual(got["sourceRank"], 1)
        # PROFILE's copy is kept as that item's state, for a METADATA removal.
        stats = json.loads(self.inkdex("stats", "--index", self.index, "--json").stdout)
        self.assertEqual(stats["item_states"], 1)  # artists with kept states

    def test_malformed_artists_are_rejected_with_the_item_key_and_reason(self):
        self.assertEqual(self.build.returncode, 0, self.build.stderr)
        with open(self.rejects) as f:
            rejects = sorted(f.read().splitlines())
        self.assertEqual(len(rejects), 2, rejects)
        self.assertRegex(rejects[0], r"^directory-build item PK=ARTIST#bad-latitude SK=METADATA: "
                                     r"latitude: .*123\.5")
        self.assertRegex(rejects[1], r"^directory-build item PK=ARTIST#bad-nocoords SK=METADATA: "
                                     r"latitude: missing")
        self.assertIn("directory-build item PK=ARTIST#bad-", self.build.stdout)
        got = self.inkdex("get", "--index", self.index, "bad-nocoords", check=False)
        self.assertEqual(got.returncode, 1)

    def test_every_artist_is_stored_with_the_fields_of_its_item(self):
        self.assertEqual(self.build.returncode, 0, self.build.stderr)
        # The truth is the table: its artist profile items, decoded (METADATA
        # over PROFILE).
        table = {}
        for item in self.table.scan_items():
            if (item["PK"]["S"].startswith("ARTIST#")
                    and item["SK"]["S"] in ("METADATA", "PROFILE") and "latitude" in item
                    and float(item["latitude"]["N"]) <= 90
                    and (item["SK"]["S"] == "METADATA"
                         or item["PK"]["S"][len("ARTIST#"):] not in table)):
                table[item["PK"]["S"][len("ARTIST#"):]] = dt.from_attribute_values(item)
        self.assertEqual(len(table), len(self.artists))
        ids = sorted(a["artistId"] for a in self.artists)
        got = self.inkdex("get", "--index", self.index, "--include-hidden", *ids)
        stored = {}
        for line in got.stdout.splitlines():
            record = json.loads(line)
            stored[record["artistId"]] = record
        self.assertEqual(sorted(stored), ids)
        versions = set()
        for artist in self.artists:
            record = stored[artist["artistId"]]
            item = table[artist["artistId"]]
            self.assertEqual(record["artistName"], item["artistName"])
            self.assertAlmostEqual(record["latitude"], float(item["latitude"]), places=9)
            self.assertAlmostEqual(record["longitude"], float(item["longitude"]), places=9)
            self.assertEqual(sorted(record["styles"]), sorted(item["styles"]))
            self.assertAlmostEqual(record["rating"], float(item["rating"]), places=9)
            # A count of 0 is not written back (proto3 default).
            self.assertEqual(record.get("reviewCount", 0), int(item["reviewCount"]))
            self.assertEqual(record["locationDisplay"], item["locationDisplay"])
            self.assertEqual(record["instagramHandle"], item["instagramHandle"])
            self.assertEqual(record["studioInfo"]["studioName"],
                             item["studioInfo"]["studioName"])
            # Positions among the 2003 artist items scanned: 1..2003, all distinct.
            self.assertGreaterEqual(record["version"], 1)
            self.assertLessEqual(record["version"], 2003)
            versions.add(record["version"])
        self.assertEqual(len(versions), len(self.artists))

    def test_hidden_artists_are_stored_but_not_searchable(self):
        self.assertEqual(self.build.returncode, 0, self.build.stderr)
        hidden = [a["artistId"] for a in self.artists if not is_searchable(a)]
        self.assertGreater(len(hidden), 10)
        for artist_id in hidden[:5]:
            self.assertEqual(self.inkdex("get", "--index", self.index, artist_id,
                                         check=False).returncode, 1)
        stats = json.loads(self.inkdex("stats", "--index", self.index, "--json").stdout)
        self.assertEqual(stats["documents"], 2000)
        self.assertEqual(stats["searchable"], 2000 - len(hidden))

    def test_search_finds_exactly_the_searchable_artists_of_the_table(self):
        self.assertEqual(self.build.returncode, 0, self.build.stderr)
        for city, lat, lon in dt.CITIES:
            for style in ("japanese", "fineline"):
                expected = {a["artistId"] for a in self.artists
                            if is_searchable(a) and a["locationDisplay"] == city
                            and style in a["styles"]}
                found, token = set(), None
                while True:
                    args = ["search", "--index", self.index, "--lat", str(lat), "--lon", str(lon),
                            "--radius-km", "30", "--style", style, "--limit", "100", "--json",
                            "--no-facets"]
                    if token:
                        args += ["--page-token", token]
                    page = json.loads(self.inkdex(*args).stdout)
                    found |= {hit["id"] for hit in page["hits"]}
                    token = page.get("next_page_token")
                    if not token:
                        break
                self.assertEqual(found, expected, "%s %s" % (city, style))

    def test_a_missing_table_fails_naming_the_error_and_leaves_no_index(self):
        index = os.path.join(self.workdir, "missing-table-index")
        result = subprocess.run(
            [inkdex_bin(), "build", "--from-dynamodb", "no-such-table", "--dynamodb-endpoint",
             _DDB.endpoint, "--index", index], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("ResourceNotFoundException", result.stderr)
        self.assertFalse(os.path.exists(index) and os.listdir(index))

    def build_through(self, proxy, index, *extra):
        return subprocess.run(
            [inkdex_bin(), "build", "--from-dynamodb", self.table.name, "--dynamodb-endpoint",
             proxy.endpoint, "--segments", "4", "--scan-page-size", "150", "--index", index,
             "--progress", "off", *extra],
            capture_output=True, text=True, timeout=300, env=build_env(self.workdir))

    def test_throttling_and_5xx_are_retried_and_nothing_is_lost(self):
        # Every other Scan request is throttled or fails with a 500.
        faults = [None, (400, "ProvisionedThroughputExceededException"), None,
                  (400, "ThrottlingException"), None, (500, "InternalServerError")]
        proxy = scan_fault_proxy(lambda n, body: faults[n % len(faults)])
        self.addCleanup(proxy.stop)
        index = os.path.join(self.workdir, "throttled-index")
        result = self.build_through(proxy, index)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertGreater(scan_faults(proxy), 5)
        self.assertIn("(2000 records applied)", result.stdout)
        self.assertRegex(result.stdout, r"items scanned:\s+2039 ")
        self.assertRegex(result.stdout, r"requests:\s+\d+ HTTP \(%d retried: %d throttled, "
                                        r"%d 5xx" % (scan_faults(proxy), scan_faults(proxy) * 2 // 3,
                                                     scan_faults(proxy) // 3))
        with_faults = self.inkdex("get", "--index", index, "--include-hidden",
                                  *[a["artistId"] for a in self.artists]).stdout.splitlines()
        self.assertEqual(len(with_faults), 2000)

    def test_a_scan_error_fails_the_build_and_installs_nothing(self):
        # Segment 2's second page is refused (not retryable).
        proxy = scan_fault_proxy(lambda n, body: (
            (400, "ValidationException")
            if body.get("Segment") == 2 and "ExclusiveStartKey" in body else None))
        self.addCleanup(proxy.stop)
        index = os.path.join(self.workdir, "failed-index")
        result = self.build_through(proxy, index)
        self.assertEqual(result.returncode, 1, result.stderr + result.stdout)
        self.assertRegex(result.stderr, r"scan of directory-build segment 2/4: "
                                        r"DynamoDB_20120810\.Scan: ValidationException "
                                        r"\(HTTP 400\): injected by the test")
        self.assertFalse(os.path.exists(index))

    def test_strict_stops_at_a_malformed_artist_without_hanging_the_scanners(self):
        proxy = scan_fault_proxy(lambda n, body: None)
        self.addCleanup(proxy.stop)
        index = os.path.join(self.workdir, "strict-index")
        result = self.build_through(proxy, index, "--strict")
        self.assertEqual(result.returncode, 1, result.stderr + result.stdout)
        self.assertRegex(result.stderr, r"directory-build item PK=ARTIST#bad-\w+ SK=METADATA: "
                                        r"latitude")
        self.assertFalse(os.path.exists(index))

    def test_input_and_from_dynamodb_are_exclusive(self):
        result = subprocess.run(
            [inkdex_bin(), "build", "--from-dynamodb", "t", "--input", "x.jsonl", "--index",
             os.path.join(self.workdir, "x")], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 2, result.stderr)
        result = subprocess.run(
            [inkdex_bin(), "build", "--index", os.path.join(self.workdir, "x")],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--from-dynamodb", result.stderr)


if __name__ == "__main__":
    unittest.main()
