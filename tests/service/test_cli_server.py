"""The `inkdex` CLI against a running inkdex-server (--server HOST:PORT):
search, get and suggest print exactly what the same command prints on an
identical local copy of the index, stats the same fields and the server's
own; upsert and delete write through the
server with the write token; bad flags, a missing or wrong token, an
unreachable server and a missed deadline give the documented exit codes and
messages."""

import json
import os
import re
import shutil
import socket
import subprocess
import unittest

import server_fixture as fx

WRITE_TOKEN = "cli-write-token-3f9a"
READ_TOKEN = "cli-read-token-77c1"

# Searches compared byte for byte between --index and --server. Each pins
# --date so that guest spots do not depend on the day the test runs.
SEARCHES = [
    ["--lat", "53.7997", "--lon", "-1.5492", "--radius-km", "25"],
    ["--lat", "51.5074", "--lon", "-0.1278", "--radius-km", "30", "--style", "fineline",
     "--style", "black and grey"],
    ["--text", "Zephyrine"],
    ["--text", "fine line butterflies", "--explain", "--limit", "5"],
    ["--lat", "40.7128", "--lon", "-74.0060"],  # nearest first, no radius
    ["--bbox", "35,-10,60,30", "--sort", "rating", "--limit", "7", "--top-cities", "3"],
    ["--bbox", "-50,170,10,-170"],  # across the antimeridian
    ["--style", "traditional,realism", "--all-styles", "--min-rating", "3.5",
     "--sort", "price_asc"],
    ["--lat", "35.6762", "--lon", "139.6503", "--radius-km", "200", "--booking-open",
     "--max-hourly-rate", "20000", "--min-years", "3", "--sort", "distance", "--no-facets"],
    ["--style", "traditional", "--max-per-studio", "1", "--limit", "30", "--sort", "price_desc"],
    ["--text", "tokyo"],
]


def free_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args, env=None, stdin=None):
    """Runs the CLI without raising; `env` entries are added to a copy of the
    environment that has no INKDEX_*TOKEN variables of its own."""
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("INKDEX_TOKEN", "INKDEX_READ_TOKEN", "INKDEX_WRITE_TOKEN")}
    full_env.update(env or {})
    return subprocess.run([fx.inkdex_bin(), *[str(a) for a in args]], input=stdin, env=full_env,
                          capture_output=True, text=True, timeout=120)


def summary_counts(stdout, command):
    """(applied, stale, rejected) from the "inkdex upsert: ..." summary line."""
    match = re.search(r"^inkdex %s: (\d+) applied, (\d+) stale, (\d+) rejected" % command,
                      stdout, re.M)
    if match is None:
        raise AssertionError("no %s summary in:\n%s" % (command, stdout))
    return tuple(int(g) for g in match.groups())


class CliTestCase(fx.ServiceTestCase):
    def ok(self, *args, **kwargs):
        proc = cli(*args, **kwargs)
        self.assertEqual(proc.returncode, 0, "inkdex %s\nstdout:\n%s\nstderr:\n%s" %
                         (" ".join(map(str, args)), proc.stdout, proc.stderr))
        return proc

    def fails(self, code, *args, **kwargs):
        proc = cli(*args, **kwargs)
        self.assertEqual(proc.returncode, code, "inkdex %s: expected exit %d\nstdout:\n%s\n"
                         "stderr:\n%s" % (" ".join(map(str, args)), code, proc.stdout,
                                          proc.stderr))
        return proc

    def token_file(self, token, name="token"):
        path = os.path.join(fx.make_temp_dir("inkdex-cli-token-"), name)
        with open(path, "w") as f:
            f.write(token + "\n")
        return path


class ReadCommandsTest(CliTestCase):
    """search, get, suggest: --server prints what --index prints; stats adds
    the server's own lines."""

    @classmethod
    def setUpClass(cls):
        cls.index = fx.shared_index()
        cls.local = cls.index.fresh_copy("cli-local")
        cls.served = cls.index.fresh_copy("cli-served")
        cls.server = cls.start_class_server(cls.served)

    def both(self, command, *args):
        """The command's stdout on the local copy and through the server."""
        local = self.ok(command, "--index", self.local, *args).stdout
        remote = self.ok(command, "--server", self.server.address, *args).stdout
        return local, remote

    def test_search_table_and_json_equal_local(self):
        for query in SEARCHES:
            args = [*query, "--date", fx.FIXED_DAY]
            with self.subTest(query=" ".join(query)):
                local, remote = self.both("search", *args)
                self.assertEqual(remote, local)
                local_json, remote_json = self.both("search", "--json", *args)
                self.assertEqual(remote_json, local_json)
                self.assertGreater(json.loads(remote_json)["total"], 0,
                                   "a query that matches nothing compares little")

    def test_search_pages_through_server_like_local(self):
        args = ["--style", "traditional", "--limit", "9", "--date", fx.FIXED_DAY, "--json"]
        local_page = json.loads(self.ok("search", "--index", self.local, *args).stdout)
        remote_page = json.loads(
            self.ok("search", "--server", self.server.address, *args).stdout)
        for _ in range(3):
            self.assertEqual(remote_page, local_page)
            token = remote_page["next_page_token"]
            self.assertTrue(token)
            local_page = json.loads(self.ok("search", "--index", self.local, *args,
                                            "--page-token", token).stdout)
            remote_page = json.loads(self.ok("search", "--server", self.server.address, *args,
                                             "--page-token", token).stdout)
        self.assertEqual(remote_page, local_page)

    def test_search_errors_like_local(self):
        # Values the library rejects come back from the server as
        # INVALID_ARGUMENT naming the field, which the CLI words as the
        # flag: exit 2 and the same message as the local check.
        for args, message in ((["--limit", "500"], "--limit: must be in 1..100"),
                              (["--style", "dragonz"], "--style: unknown style 'dragonz'"),
                              (["--lat", "95", "--lon", "0", "--radius-km", "5"],
                               "--lat: must be in [-90, 90], got 95"),
                              (["--min-rating", "7"], "--min-rating: must be in [0, 5], got 7"),
                              (["--bbox", "60,0,50,1"], "--bbox: south (60) is north of north"),
                              (["--text", "x", "--page-token", "not-a-token"],
                               "--page-token: is malformed"),
                              # Text a proto3 string cannot carry: refused before sending.
                              (["--text", "rose \udcff"], "--text: is not valid UTF-8"),
                              (["--style", "trad\udcff"], "--style: is not valid UTF-8")):
            with self.subTest(args=args):
                local = self.fails(2, "search", "--index", self.local, *args)
                remote = self.fails(2, "search", "--server", self.server.address, *args)
                self.assertIn(message, local.stderr)
                self.assertEqual(remote.stderr, local.stderr)
                self.assertTrue(remote.stderr.startswith("inkdex search: "), remote.stderr)
                self.assertEqual(remote.stdout, "")
        # Flag syntax is checked before anything is sent.
        proc = self.fails(2, "search", "--server", "127.0.0.1:%d" % free_port(),
                          "--bbox", "1,2,3")
        self.assertIn("--bbox", proc.stderr)
        proc = self.fails(2, "search", "--server", self.server.address, "--lat", "53")
        self.assertIn("--lat: needs --lon", proc.stderr)

    def test_get_equals_local(self):
        ids = ["e2e-visible-1", "artist-0000000", "e2e-visible-2"]
        local, remote = self.both("get", *ids)
        self.assertEqual(remote, local)
        self.assertEqual([json.loads(line)["artistId"] for line in remote.splitlines()], ids)

    def test_get_missing_and_hidden(self):
        proc = self.fails(1, "get", "--server", self.server.address, "e2e-visible-1",
                          "no-such-artist", "e2e-opted-out")
        self.assertEqual([json.loads(line)["artistId"] for line in proc.stdout.splitlines()],
                         ["e2e-visible-1"])
        self.assertIn("inkdex get: no-such-artist: ", proc.stderr)
        self.assertIn("inkdex get: e2e-opted-out: ", proc.stderr)
        # The server never serves opted-out artists: --include-hidden is --index only.
        proc = self.fails(2, "get", "--server", self.server.address, "--include-hidden",
                          "e2e-opted-out")
        self.assertIn("--include-hidden", proc.stderr)

    def test_suggest_equals_local(self):
        for args in (["--prefix", "Zeph"], ["--prefix", "fine"],
                     ["--prefix", "Lo", "--lat", "51.5", "--lon", "-0.12", "--limit", "20"],
                     ["--prefix", "Lo", "--lat", "51.5", "--lon", "-0.12", "--date",
                      "2027-04-07"]):
            with self.subTest(args=args):
                local, remote = self.both("suggest", *args)
                self.assertEqual(remote, local)
                local_json, remote_json = self.both("suggest", "--json", *args)
                self.assertEqual(remote_json, local_json)
                self.assertTrue(json.loads(remote_json)["suggestions"])
        self.fails(2, "suggest", "--server", self.server.address, "--prefix", "x" * 101)
        # Refused alike on both paths: a limit of 0 (which the server would
        # read as its default) and a prefix that is not UTF-8.
        for args, message in ((["--prefix", "Lo", "--limit", "0"],
                               "inkdex suggest: --limit: must be in 1..50, got 0\n"),
                              (["--prefix", "Lond\udcc3"],
                               "inkdex suggest: --prefix: is not valid UTF-8\n")):
            with self.subTest(args=args):
                local = self.fails(2, "suggest", "--index", self.local, *args)
                remote = self.fails(2, "suggest", "--server", self.server.address, *args)
                self.assertEqual(local.stderr, message)
                self.assertEqual(remote.stderr, message)

    def test_stats(self):
        local = json.loads(self.ok("stats", "--index", self.local, "--json").stdout)
        remote = json.loads(self.ok("stats", "--server", self.server.address, "--json").stdout)
        for key in ("documents", "searchable", "tombstones", "commit_seq",
                    "last_commit_unix_micros", "styles", "slot_layout"):
            self.assertEqual(remote[key], local[key], key)
        self.assertEqual(remote["documents"], len(self.index.records))
        server = remote["server"]
        self.assertEqual(server["address"], self.server.address)
        self.assertEqual(os.path.realpath(server["index_directory"]),
                         os.path.realpath(self.served))
        self.assertEqual(server["index_generation"], 1)
        self.assertTrue(server["version"])
        self.assertNotIn("server", local)

        text = self.ok("stats", "--server", self.server.address).stdout
        self.assertIn("documents:    %d\n" % local["documents"], text)
        self.assertIn("server:       %s\n" % self.server.address, text)
        self.assertIn("slot drift:   0.000 (0 breaks of cell order among %d artists"
                      % local["searchable"], text)
        self.assertRegex(text, r"\nfineline +Fine Line +%d\n" %
                         next(s["count"] for s in local["styles"] if s["id"] == "fineline"))

    def test_source_flags(self):
        proc = self.fails(2, "search", "--text", "x")
        self.assertIn("--index", proc.stderr)
        self.assertIn("--server", proc.stderr)
        self.fails(2, "search", "--index", self.local, "--server", self.server.address)
        proc = self.fails(2, "get", "--index", self.local, "--timeout-ms", "50", "e2e-visible-1")
        self.assertIn("--timeout-ms", proc.stderr)
        self.fails(2, "stats", "--server", self.server.address, "--timeout-ms", "0")

    def test_unreachable_server(self):
        address = "127.0.0.1:%d" % free_port()
        for args in (["search", "--text", "x"], ["get", "e2e-visible-1"],
                     ["suggest", "--prefix", "ze"], ["stats"]):
            with self.subTest(command=args[0]):
                proc = self.fails(1, args[0], "--server", address, *args[1:],
                                  "--timeout-ms", "3000")
                self.assertIn("--server %s: server unavailable" % address, proc.stderr)

    def test_help_mentions_server(self):
        for command in ("search", "get", "suggest", "stats"):
            with self.subTest(command=command):
                text = self.ok(command, "--help").stdout
                self.assertIn("--server HOST:PORT", text)
                self.assertIn("--timeout-ms", text)
        self.assertIn("--token-file", self.ok("help", "upsert").stdout)
        self.assertIn("--version", self.ok("help", "delete").stdout)
        top = self.ok("--help").stdout
        self.assertIn("inkdex upsert --server", top)


class DeadlineAndTokenTest(CliTestCase):
    def test_deadline_exceeded_is_reported(self):
        server = self.start_server(fx.shared_index().fresh_copy("cli-slow"),
                                   extra_args=["--test-search-delay-ms", "3000"])
        proc = self.fails(1, "search", "--server", server.address, "--text", "x",
                          "--timeout-ms", "300")
        self.assertIn("no answer within --timeout-ms 300", proc.stderr)

    def test_read_token(self):
        server = self.start_server(fx.shared_index().fresh_copy("cli-read-token"),
                                   read_token=READ_TOKEN, write_token=WRITE_TOKEN)
        args = ["search", "--server", server.address, "--text", "Zephyrine", "--json"]
        proc = self.fails(1, *args)
        self.assertIn("INKDEX_READ_TOKEN", proc.stderr)  # the hint
        proc = self.fails(1, *args, "--token-file", self.token_file("not-the-token"))
        self.assertIn("was refused", proc.stderr)
        self.assertNotIn("not-the-token", proc.stderr)
        expected = json.loads(self.ok(*args, "--token-file", self.token_file(READ_TOKEN)).stdout)
        self.assertGreater(expected["total"], 0)
        for env in ({"INKDEX_READ_TOKEN": READ_TOKEN}, {"INKDEX_TOKEN": READ_TOKEN},
                    {"INKDEX_TOKEN": WRITE_TOKEN}):
            with self.subTest(env=list(env)):
                self.assertEqual(json.loads(self.ok(*args, env=env).stdout), expected)
        # A read command does not send the write token by itself.
        self.fails(1, *args, env={"INKDEX_WRITE_TOKEN": WRITE_TOKEN})

    def test_bad_token_files(self):
        server = "127.0.0.1:%d" % free_port()
        proc = self.fails(2, "delete", "--server", server, "--token-file",
                          "/nonexistent/token", "a")
        self.assertIn("--token-file /nonexistent/token", proc.stderr)
        proc = self.fails(2, "delete", "--server", server, "--token-file", self.token_file(""),
                          "a")
        self.assertIn("empty", proc.stderr)
        proc = self.fails(2, "delete", "--server", server, "--token-file",
                          self.token_file("tab\tinside"), "a")
        self.assertIn("printable ASCII", proc.stderr)


class WriteCommandsTest(CliTestCase):
    """upsert and delete, each test on its own server and index copy."""

    def setUp(self):
        self.index = fx.shared_index()
        self.server = self.start_server(self.index.fresh_copy(), write_token=WRITE_TOKEN)
        self.token = self.token_file(WRITE_TOKEN)
        self.tmp = fx.make_temp_dir("inkdex-cli-writes-")

    def get(self, artist_id):
        proc = cli("get", "--server", self.server.address, artist_id)
        return json.loads(proc.stdout) if proc.returncode == 0 else None

    def write_lines(self, name, lines):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            for line in lines:
                f.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
        return path

    def new_artist(self, artist_id, name, **fields):
        record = {"artistId": artist_id, "artistName": name, "latitude": 53.80,
                  "longitude": -1.55, "styles": ["fineline"], "locationCity": "Leeds",
                  "locationCountry": "GB"}
        record.update(fields)
        return record

    def upsert(self, *args, **kwargs):
        return cli("upsert", "--server", self.server.address, *args, **kwargs)

    def test_upsert_reports_each_item_and_is_searchable(self):
        before = self.get("e2e-visible-2")
        data = self.write_lines("changes.jsonl", [
            self.new_artist("cli-new-1", "Quenbyrna Vasterholt",
                            styles=["fine line", "dragonz"]),
            "",  # blank lines are skipped
            dict(self.index.records["e2e-visible-2"], artistName="Zephyrine Renamed"),
            "{not json",
            dict(self.index.records["e2e-visible-1"], version=1),  # older than stored
        ])
        proc = self.upsert("--token-file", self.token, "--input", data)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)  # one line rejected
        self.assertEqual(summary_counts(proc.stdout, "upsert"), (2, 1, 1))
        self.assertRegex(proc.stdout, r"(?m)^%s:4: rejected: json: " % re.escape(data))
        self.assertRegex(proc.stdout, r"(?m)^%s:5: e2e-visible-1: stale: " % re.escape(data))
        self.assertRegex(proc.stdout, r"(?m)^%s:1: cli-new-1: warning: .*dragonz" %
                         re.escape(data))

        # Acknowledged means committed: visible at once, through get and search.
        created = self.get("cli-new-1")
        self.assertEqual(created["artistName"], "Quenbyrna Vasterholt")
        self.assertEqual(created["styles"], ["fineline"])
        self.assertEqual(created["unknownStyles"], ["dragonz"])
        renamed = self.get("e2e-visible-2")
        self.assertEqual(renamed["artistName"], "Zephyrine Renamed")
        self.assertGreater(renamed["version"], before["version"])
        hits = json.loads(self.ok("search", "--server", self.server.address, "--text",
                                  "Quenbyrna", "--json").stdout)["hits"]
        self.assertEqual([h["id"] for h in hits], ["cli-new-1"])
        self.assertEqual(self.get("e2e-visible-1")["version"],
                         fx.inkdex_json("get", "--index", self.index.directory,
                                        "e2e-visible-1")["version"])

    def test_upsert_splits_batches_of_large_records_by_size(self):
        # 150 records of ~130 KB (a biography and specialties near their
        # limits): ~19 MB, past the server's 16 MiB message limit as one
        # batch of the default 500 records. Sent as batches under 4 MiB.
        big = [self.new_artist("cli-big-%d" % i, "Big %d" % i, biography="b" * 65000,
                               specialties=["%d-%s" % (k, "s" * 1000) for k in range(64)])
               for i in range(150)]
        data = self.write_lines("big.jsonl", big)
        self.assertGreater(os.path.getsize(data), 16 << 20)
        proc = self.upsert("--token-file", self.token, "--input", data)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(summary_counts(proc.stdout, "upsert"), (150, 0, 0))
        self.assertEqual(len(self.get("cli-big-149")["biography"]), 65000)
        self.assertIn("4 MiB", self.ok("help", "upsert").stdout)

    def test_upsert_versions(self):
        data = self.write_lines("versions.jsonl", [
            self.new_artist("cli-v-1", "First"),
            self.new_artist("cli-v-2", "Second", version=7),
            self.new_artist("cli-v-1", "First Again"),  # a later line wins
        ])
        proc = self.upsert("--token-file", self.token, "--input", data, "--version-base", "1000")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(summary_counts(proc.stdout, "upsert"), (3, 0, 0))
        self.assertEqual(self.get("cli-v-1")["version"], 1003)
        self.assertEqual(self.get("cli-v-1")["artistName"], "First Again")
        self.assertEqual(self.get("cli-v-2")["version"], 7)
        # Replaying the same versions changes nothing: every item is stale.
        proc = self.upsert("--token-file", self.token, "--input", data, "--version-base", "1000")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(summary_counts(proc.stdout, "upsert"), (0, 3, 0))
        # Without --version-base, versions come from the clock: newer than both.
        proc = self.upsert("--token-file", self.token, "--input", data)
        self.assertEqual(summary_counts(proc.stdout, "upsert"), (2, 1, 0))
        self.assertGreater(self.get("cli-v-1")["version"], 10 ** 15)

    def test_upsert_batches_stdin_and_dynamodb(self):
        records = [self.new_artist("cli-b-%d" % i, "Batch %d" % i) for i in range(7)]
        text = "".join(json.dumps(r) + "\n" for r in records)
        proc = self.upsert("--token-file", self.token, "--input", "-", "--batch-size", "3",
                           stdin=text)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(summary_counts(proc.stdout, "upsert"), (7, 0, 0))
        for record in records:
            self.assertEqual(self.get(record["artistId"])["artistName"], record["artistName"])

        ddb = self.write_lines("ddb.jsonl", [
            {"Item": {"artistId": {"S": "cli-ddb-1"}, "artistName": {"S": "Dynamo Dora"},
                      "latitude": {"N": "53.8"}, "longitude": {"N": "-1.55"},
                      "styles": {"L": [{"S": "blackwork"}]}}},
            {"Item": {"PK": {"S": "STUDIO#s1"}, "SK": {"S": "METADATA"},
                      "studioName": {"S": "Not An Artist"}}},
        ])
        proc = self.upsert("--token-file", self.token, "--input", ddb)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(summary_counts(proc.stdout, "upsert"), (1, 0, 0))
        self.assertIn("1 other items skipped", proc.stdout)
        self.assertEqual(self.get("cli-ddb-1")["styles"], ["blackwork"])

    def test_upsert_needs_the_write_token(self):
        data = self.write_lines("one.jsonl", [self.new_artist("cli-t-1", "Token Test")])
        proc = self.upsert("--input", data)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("INKDEX_WRITE_TOKEN", proc.stderr)
        proc = self.upsert("--input", data, "--token-file", self.token_file("wrong-token"))
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("was refused", proc.stderr)
        self.assertNotIn("wrong-token", proc.stderr + proc.stdout)
        self.assertIsNone(self.get("cli-t-1"))
        # The read token does not allow writes either... and the environment works.
        for env in ({"INKDEX_WRITE_TOKEN": WRITE_TOKEN}, {"INKDEX_TOKEN": WRITE_TOKEN}):
            with self.subTest(env=list(env)):
                proc = self.upsert("--input", data, env=env)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(self.get("cli-t-1")["artistName"], "Token Test")

    def test_writes_disabled_without_server_token(self):
        server = self.start_server(self.index.fresh_copy())
        data = self.write_lines("one.jsonl", [self.new_artist("cli-d-1", "Disabled")])
        proc = cli("upsert", "--server", server.address, "--input", data,
                   "--token-file", self.token)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("writes are disabled", proc.stderr)
        proc = cli("delete", "--server", server.address, "--token-file", self.token, "x")
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("writes are disabled", proc.stderr)

    def test_upsert_bad_flags(self):
        data = self.write_lines("one.jsonl", [self.new_artist("cli-f-1", "Flags")])
        self.fails(2, "upsert", "--input", data)  # no --server
        self.fails(2, "upsert", "--server", self.server.address)  # no --input
        self.fails(2, "upsert", "--server", self.server.address, "--input", data,
                   "--batch-size", "1001")
        self.fails(2, "upsert", "--server", self.server.address, "--input", data,
                   "--format", "xml")
        proc = self.fails(1, "upsert", "--server", self.server.address, "--token-file",
                          self.token, "--input", os.path.join(self.tmp, "missing.jsonl"))
        self.assertIn("missing.jsonl", proc.stderr)

    def test_delete(self):
        ids_file = self.write_lines("ids.txt", ["# artists to remove", "", "  artist-0000001  ",
                                                "artist-0000002"])
        self.assertIsNotNone(self.get("artist-0000001"))
        proc = self.ok("delete", "--server", self.server.address, "--token-file", self.token,
                       "e2e-visible-2", "--input", ids_file)
        self.assertEqual(summary_counts(proc.stdout, "delete"), (3, 0, 0))
        for artist_id in ("e2e-visible-2", "artist-0000001", "artist-0000002"):
            self.assertIsNone(self.get(artist_id), artist_id)
        hits = json.loads(self.ok("search", "--server", self.server.address, "--text",
                                  "Otterburn", "--json").stdout)["hits"]
        self.assertEqual(hits, [])
        # An older delete is stale (exit 0, reported per id).
        proc = self.ok("delete", "--server", self.server.address, "--token-file", self.token,
                       "--version", "1", "e2e-visible-1")
        self.assertEqual(summary_counts(proc.stdout, "delete"), (0, 1, 0))
        self.assertRegex(proc.stdout, r"(?m)^e2e-visible-1: stale: ")
        self.assertIsNotNone(self.get("e2e-visible-1"))
        # A delete remembers its version: an older upsert cannot bring it back.
        self.ok("delete", "--server", self.server.address, "--token-file", self.token,
                "--version", "5000000", "cli-z-1")
        data = self.write_lines("late.jsonl", [self.new_artist("cli-z-1", "Late", version=9)])
        proc = self.upsert("--token-file", self.token, "--input", data)
        self.assertEqual(summary_counts(proc.stdout, "upsert"), (0, 1, 0))
        self.assertIsNone(self.get("cli-z-1"))

    def test_purge_tombstones_of_a_stopped_servers_index(self):
        directory = self.index.fresh_copy("purge")
        server = self.start_server(directory, write_token=WRITE_TOKEN,
                                   extra_args=["--tombstone-ttl", "0"])
        self.ok("delete", "--server", server.address, "--token-file", self.token,
                "artist-0000031", "artist-0000032")
        self.assertEqual(server.stop(), 0)
        stats = json.loads(self.ok("stats", "--index", directory, "--json").stdout)
        self.assertGreaterEqual(stats["tombstones"], 2)
        # Deleted a moment ago: an hour's horizon keeps them.
        kept = json.loads(self.ok("purge-tombstones", "--index", directory, "--older-than",
                                  "1h", "--json").stdout)
        self.assertEqual(kept["purged"], 0)
        self.assertEqual(kept["remaining"], stats["tombstones"])
        out = self.ok("purge-tombstones", "--index", directory, "--older-than", "0s",
                      "--batch", "1").stdout
        self.assertRegex(out, r"^purged %d tombstones of artists deleted before .* UTC; 0 remain"
                         % stats["tombstones"])
        after = json.loads(self.ok("stats", "--index", directory, "--json").stdout)
        self.assertEqual(after["tombstones"], 0)
        self.assertEqual(after["documents"], stats["documents"])
        self.assertIn("agree", self.ok("verify", "--index", directory).stdout)
        proc = self.fails(2, "purge-tombstones", "--index", directory, "--older-than", "7d")
        self.assertIn("--older-than", proc.stderr)
        self.fails(2, "purge-tombstones", "--index", directory)  # --older-than is required
        proc = self.fails(1, "purge-tombstones", "--index", os.path.join(self.tmp, "none"),
                          "--older-than", "1h")
        self.assertIn("--index", proc.stderr)

    def test_verify_and_export_through_the_server(self):
        directory = self.index.fresh_copy("admin")
        server = self.start_server(directory, write_token=WRITE_TOKEN)
        self.ok("delete", "--server", server.address, "--token-file", self.token,
                "artist-0000031")
        out = self.ok("verify", "--server", server.address, "--token-file", self.token).stdout
        self.assertRegex(out, r"^server 127\.0\.0\.1:\d+: index .+ \(generation 1\)\n"
                              r"ok: \d+ documents \(\d+ searchable\) and 1 tombstone checked "
                              r"at commit \d+; store and search index agree\n$")
        served = os.path.join(self.tmp, "served.jsonl")
        proc = self.ok("export", "--server", server.address, "--token-file", self.token,
                       "--out", served)
        self.assertRegex(proc.stderr, r"^inkdex export: \d+ artists to %s from --server "
                                      r"127\.0\.0\.1:\d+\n$" % re.escape(served))
        searchable = self.ok("export", "--server", server.address, "--token-file", self.token,
                             "--searchable-only").stdout.splitlines()
        stats = json.loads(self.ok("stats", "--server", server.address, "--json").stdout)
        self.assertEqual(len(searchable), stats["searchable"])
        # Both are Admin methods: the write token, with the flag to look at.
        for command in ("verify", "export"):
            proc = self.fails(1, command, "--server", server.address)
            self.assertIn("INKDEX_WRITE_TOKEN", proc.stderr)
        self.fails(2, "export", "--server", server.address, "--index", directory)
        # The server's export is what an export of its index says once it stops.
        self.assertEqual(server.stop(), 0)
        local = os.path.join(self.tmp, "local.jsonl")
        self.ok("export", "--index", directory, "--out", local)
        with open(served) as a, open(local) as b:
            lines = a.read()
            self.assertEqual(lines, b.read())
        ids = [json.loads(line)["artistId"] for line in lines.splitlines()]
        self.assertEqual(len(ids), stats["documents"])
        self.assertNotIn("artist-0000031", ids)
        # Counted as stats counts: documents, of them searchable, tombstones.
        self.assertEqual(stats["tombstones"], 1)
        self.assertRegex(self.ok("verify", "--index", directory).stdout,
                         r"^ok: %d documents \(%d searchable\) and 1 tombstone checked at commit "
                         r"\d+; store and search index agree\n$"
                         % (stats["documents"], stats["searchable"]))

    def test_repair_through_the_server_renumbers_while_serving(self):
        directory = self.index.fresh_copy("renumber")
        server = self.start_server(directory, write_token=WRITE_TOKEN,
                                   extra_args=("--renumber-online",))
        moved = os.path.join(self.tmp, "moved.jsonl")
        with open(moved, "w") as f:
            for i in range(0, 4000, 40):
                f.write(json.dumps({"artistId": "artist-%07d" % i, "name": "Moved %d" % i,
                                    "latitude": -40 + (i * 37) % 100,
                                    "longitude": -170 + (i * 53) % 340,
                                    "styles": ["blackwork"], "version": 10 ** 15 + i}) + "\n")
        self.ok("upsert", "--server", server.address, "--token-file", self.token,
                "--input", moved)
        out = self.ok("repair", "--server", server.address, "--token-file", self.token,
                      "--min-drift", "0.99").stdout
        self.assertRegex(out, r"^server 127\.0\.0\.1:\d+: slot drift 0\.\d{4} is under "
                              r"--min-drift 0\.9900: nothing done\n$")
        out = self.ok("repair", "--server", server.address, "--token-file", self.token).stdout
        self.assertRegex(out, r"^server 127\.0\.0\.1:\d+: renumbered the slots of \d+ documents "
                              r"while serving: slot drift 0\.\d{4} -> 0\.0000\n"
                              r"  index .+\.gen-\d+ \(generation 2\)\n"
                              r"  copy \d+ ms, open \d+ ms, replay \d+ ms \(0 changes\), "
                              r"writes held \d+ ms\n$")
        stats = json.loads(self.ok("stats", "--server", server.address, "--json").stdout)
        self.assertEqual(stats["slot_layout"]["breaks"], 0)
        # The write token; --index-only and server-only flags refused.
        self.assertIn("INKDEX_WRITE_TOKEN",
                      self.fails(1, "repair", "--server", server.address).stderr)
        self.assertIn("--keep-slots", self.fails(2, "repair", "--server", server.address,
                                                 "--token-file", self.token,
                                                 "--keep-slots").stderr)
        self.assertIn("--min-drift", self.fails(2, "repair", "--index", directory,
                                                "--min-drift", "0.1").stderr)
        self.fails(2, "repair", "--server", server.address, "--min-drift", "2")
        # A server without --renumber-online says how to get one.
        other = self.start_server(self.index.fresh_copy("renumber-no"), write_token=WRITE_TOKEN)
        proc = self.fails(1, "repair", "--server", other.address, "--token-file", self.token)
        self.assertIn("--renumber-online", proc.stderr)

    def test_delete_errors(self):
        proc = self.fails(2, "delete", "--server", self.server.address, "--token-file",
                          self.token)
        self.assertIn("no ids", proc.stderr)
        proc = self.fails(2, "delete", "--server", self.server.address, "--token-file",
                          self.token, "--version", "0", "x")
        self.assertIn("--version", proc.stderr)
        proc = self.fails(1, "delete", "--server", self.server.address, "e2e-visible-1")
        self.assertIn("INKDEX_WRITE_TOKEN", proc.stderr)
        self.assertIsNotNone(self.get("e2e-visible-1"))
        self.fails(2, "delete", "e2e-visible-1")  # no --server


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
class TlsTest(CliTestCase):
    def test_search_over_tls(self):
        tmp = fx.make_temp_dir("inkdex-cli-tls-")
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key,
                        "-out", cert], check=True, capture_output=True)
        index = fx.shared_index()
        local = index.fresh_copy("cli-tls-local")
        server = self.start_server(index.fresh_copy("cli-tls-served"),
                                   extra_args=["--tls-cert", cert, "--tls-key", key])
        args = ["--text", "Zephyrine", "--date", fx.FIXED_DAY]
        remote = self.ok("search", "--server", server.address, "--tls-ca", cert, *args).stdout
        self.assertEqual(remote, self.ok("search", "--index", local, *args).stdout)
        # Plain text to a TLS server, or TLS without trusting its CA, fails.
        self.fails(1, "search", "--server", server.address, "--timeout-ms", "3000", *args)
        self.fails(1, "search", "--server", server.address, "--tls", "--timeout-ms", "3000",
                   *args)


if __name__ == "__main__":
    unittest.main()
