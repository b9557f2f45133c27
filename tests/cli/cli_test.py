#!/usr/bin/env python3
"""End-to-end tests of the `inkdex` binary: synth, build, search, get,
suggest, stats, verify, help. Run by CTest, one test class per CTest test:

    cli_test.py --bin build/bin/inkdex [unittest args, e.g. SearchTest]

Each class builds the small indexes it needs in a temporary directory.
"""

import argparse
import fcntl
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402

BIN = None
# A day on which no guest spot of the fixtures is active.
PLAIN_DAY = "2026-01-15"


def run(*args, stdin=None):
    return subprocess.run([BIN, *[str(a) for a in args]], input=stdin, capture_output=True,
                          text=True, timeout=120)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def read(path, binary=False):
    with open(path, "rb" if binary else "r") as f:
        return f.read()


def read_gzip(path):
    with gzip.open(path, "rt") as f:
        return f.read()


def summary_number(stdout, key):
    match = re.search(r"^\s*%s:\s+(\d+)" % re.escape(key), stdout, re.M)
    if not match:
        raise AssertionError("no '%s:' in build summary:\n%s" % (key, stdout))
    return int(match.group(1))


class CliTestCase(unittest.TestCase):
    tmp = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="inkdex-cli-test-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def path(cls, name):
        return os.path.join(cls.tmp, name)

    def ok(self, *args, stdin=None):
        proc = run(*args, stdin=stdin)
        self.assertEqual(proc.returncode, 0,
                         "inkdex %s failed:\n%s%s" % (" ".join(map(str, args)), proc.stdout,
                                                      proc.stderr))
        return proc

    def fails(self, code, *args, stdin=None):
        proc = run(*args, stdin=stdin)
        self.assertEqual(proc.returncode, code,
                         "inkdex %s: expected exit %d, got %d:\n%s%s" %
                         (" ".join(map(str, args)), code, proc.returncode, proc.stdout,
                          proc.stderr))
        self.assertTrue(proc.stderr.strip(), "a failure must explain itself on stderr")
        return proc

    @classmethod
    def build(cls, index, *inputs, extra=()):
        proc = run("build", "--index", index, "--progress", "off", *extra,
                   *[a for i in inputs for a in ("--input", i)])
        if proc.returncode != 0:
            raise AssertionError("build failed:\n%s%s" % (proc.stdout, proc.stderr))
        return proc

    @classmethod
    def build_handwritten(cls, name="hand"):
        data = write(cls.path(name + ".jsonl"), fixtures.jsonl(fixtures.HANDWRITTEN))
        index = cls.path(name + "-index")
        cls.build(index, data)
        return index

    def search(self, index, *args):
        return json.loads(self.ok("search", "--index", index, "--json", *args).stdout)

    def search_ids(self, index, *args):
        return [h["id"] for h in self.search(index, *args)["hits"]]

    def get(self, index, artist_id):
        return json.loads(self.ok("get", "--index", index, artist_id).stdout)


class HelpTest(CliTestCase):
    def test_version(self):
        self.assertRegex(self.ok("--version").stdout, r"^inkdex \d+\.\d+\.\d+")

    def test_help_lists_every_command(self):
        out = self.ok("help").stdout
        for command in ("synth", "build", "search", "get", "export", "suggest", "stats",
                        "verify", "repair"):
            self.assertRegex(out, r"\n\s+%s\s" % command)

    def test_command_help_explains_flags(self):
        out = self.ok("search", "--help").stdout
        for flag in ("--radius-km", "--bbox", "--style", "--sort", "--page-token", "--json"):
            self.assertIn(flag, out)
        self.assertEqual(self.ok("help", "build").stdout, self.ok("build", "--help").stdout)
        self.assertIn("--strict", self.ok("help", "build").stdout)

    def test_usage_errors_exit_2(self):
        self.fails(2)  # no command
        self.fails(2, "frobnicate")
        self.fails(2, "help", "frobnicate")
        self.assertIn("--limit", self.fails(2, "search", "--index", "x", "--limit", "abc").stderr)
        self.assertIn("--index", self.fails(2, "search").stderr)


class SynthTest(CliTestCase):
    def synth(self, *args):
        return self.ok("synth", "--quiet", *args)

    def test_deterministic(self):
        a, b, c = self.path("a.jsonl"), self.path("b.jsonl"), self.path("c.jsonl")
        self.synth("--count", 2000, "--seed", 7, "--out", a, "--threads", 1)
        self.synth("--count", 2000, "--seed", 7, "--out", b, "--threads", 4)
        self.synth("--count", 2000, "--seed", 8, "--out", c)
        data = read(a, binary=True)
        self.assertEqual(data, read(b, binary=True))
        self.assertNotEqual(data, read(c, binary=True))
        lines = data.decode().splitlines()
        self.assertEqual(len(lines), 2000)
        first = json.loads(lines[0])
        for field in ("artistId", "artistName", "latitude", "longitude", "styles"):
            self.assertIn(field, first)
        self.assertEqual(len({json.loads(l)["artistId"] for l in lines}), 2000)

    def test_stdout_and_gzip(self):
        plain, packed = self.path("p.jsonl"), self.path("p.jsonl.gz")
        self.synth("--count", 300, "--seed", 3, "--out", plain)
        self.synth("--count", 300, "--seed", 3, "--out", packed)
        stdout = self.synth("--count", 300, "--seed", 3, "--out", "-").stdout
        with open(packed, "rb") as f:
            self.assertEqual(f.read(2), b"\x1f\x8b")
        self.assertEqual(read_gzip(packed), read(plain))
        self.assertEqual(stdout, read(plain))

    def test_bad_flags(self):
        self.fails(2, "synth", "--out", self.path("x"))  # --count missing
        proc = self.fails(2, "synth", "--count", "-5", "--out", self.path("x"))
        self.assertIn("--count: must be a whole number >= 0, got -5", proc.stderr)
        self.assertIn("/no/such/dir", self.fails(1, "synth", "--count", 5, "--out",
                                                 "/no/such/dir/x.jsonl").stderr)


class BuildTest(CliTestCase):
    def test_json_lines(self):
        index = self.build_handwritten()
        proc = self.ok("stats", "--index", index, "--json")
        stats = json.loads(proc.stdout)
        self.assertEqual(stats["documents"], len(fixtures.HANDWRITTEN))
        self.assertEqual(stats["searchable"], len(fixtures.SEARCHABLE_IDS))

    def test_summary_counts(self):
        data = write(self.path("s.jsonl"), fixtures.jsonl(fixtures.HANDWRITTEN))
        out = self.build(self.path("s-index"), data).stdout
        self.assertEqual(summary_number(out, "records applied"), len(fixtures.HANDWRITTEN))
        self.assertEqual(summary_number(out, "lines rejected"), 0)
        self.assertEqual(summary_number(out, "duplicate ids"), 0)
        self.assertRegex(out, r"elapsed:\s+[\d.]+ s \(\d+ records/s\)")

    def test_summary_counts_artists_apart_from_records(self):
        # Two lines of one id apply twice but leave one artist; an opted-out
        # artist is held but not searchable.
        first, second, third = fixtures.HANDWRITTEN[:3]
        lines = [dict(first, version=1), dict(first, version=2), dict(second, opted_out=True),
                 third]
        data = write(self.path("counts.jsonl"), fixtures.jsonl(lines))
        index = self.path("counts-index")
        out = self.build(index, data).stdout
        self.assertEqual(summary_number(out, "records applied"), 4)
        self.assertEqual(summary_number(out, "duplicate ids"), 1)
        self.assertIn("  artists in index:  3 (2 searchable, 1 opted out or inactive)\n", out)
        self.assertTrue(out.startswith("inkdex build: 3 artists in %s, 2 searchable "
                                       "(4 records applied)\n" % index), out)
        self.assertEqual(self.ok("verify", "--index", index).stdout,
                         "ok: 3 documents (2 searchable) checked at commit %d; store and search "
                         "index agree\n"
                         % json.loads(self.ok("stats", "--index", index, "--json").stdout)[
                             "commit_seq"])
        deep = self.ok("verify", "--index", index, "--deep").stdout
        self.assertRegex(deep, r"^ok: 3 documents \(2 searchable\), (\d+) postings checked at "
                         r"commit \d+; store and search index agree\n$")
        self.assertGreater(int(re.search(r", (\d+) postings", deep).group(1)), 20)

    def test_versions_follow_line_order(self):
        index = self.build_handwritten("versions")
        for position, artist_id in enumerate(fixtures.IDS[:6], start=1):
            if artist_id in fixtures.SEARCHABLE_IDS:
                self.assertEqual(self.get(index, artist_id)["version"], position)

    def test_the_free_space_reserve_stops_a_build_and_leaves_the_target_alone(self):
        data = write(self.path("reserve.jsonl"), fixtures.jsonl(fixtures.HANDWRITTEN))
        target = self.path("reserve-index")
        # More than any volume has: the first commit is refused.
        proc = self.fails(1, "build", "--index", target, "--progress", "off",
                          "--min-free-disk-mb", 1 << 30, "--input", data)
        self.assertIn("every commit keeps in reserve", proc.stderr)
        self.assertFalse(os.path.exists(target))
        self.assertEqual([n for n in os.listdir(os.path.dirname(target))
                          if n.startswith("reserve-index.inkdex-build")], [])
        self.assertIn("--min-free-disk-mb", self.fails(2, "build", "--index", target,
                                                       "--min-free-disk-mb", -1,
                                                       "--input", data).stderr)
        self.build(target, data, extra=("--min-free-disk-mb", 0))

    def test_dynamodb_json_and_other_items(self):
        lines = [fixtures.to_dynamodb_line(r) for r in fixtures.HANDWRITTEN]
        lines.insert(3, json.dumps({"Item": {"PK": {"S": "STUDIO#s1"}, "SK": {"S": "PROFILE"},
                                             "studioName": {"S": "Needle and Thread"}}}))
        lines.append(json.dumps({"Item": {"PK": {"S": "STYLE#fineline"},
                                          "SK": {"S": "METADATA"}}}))
        ddb = write(self.path("export.json"), "\n".join(lines) + "\n")
        plain_index = self.build_handwritten("plain")
        ddb_index = self.path("ddb-index")
        out = self.build(ddb_index, ddb).stdout
        self.assertEqual(summary_number(out, "records applied"), len(fixtures.HANDWRITTEN))
        self.assertEqual(summary_number(out, "lines rejected"), 0)
        self.assertRegex(out, r"other items:\s+2 skipped .*STUDIO 1.*STYLE 1")
        for artist_id in ("hw-leeds-fine-1", "hw-manchester-guest-5", "hw-tokyo-jp-9"):
            from_plain, from_ddb = self.get(plain_index, artist_id), self.get(ddb_index, artist_id)
            from_plain.pop("version"), from_ddb.pop("version")
            self.assertEqual(from_ddb.pop("sourceRank"), 1)  # SK METADATA
            self.assertEqual(from_plain, from_ddb)

    def test_table_items_follow_the_tables_keys(self):
        def item(pk, sk, **attributes):
            values = {k: fixtures.to_dynamodb_value(v) for k, v in attributes.items()}
            return json.dumps({"Item": {"PK": {"S": pk}, "SK": {"S": sk}, **values}})
        where = dict(latitude=51.5, longitude=-0.1)
        lines = [
            # A migration's two items: METADATA wins in either order.
            item("ARTIST#p1", "METADATA", artistId="p1", artistName="From Metadata", **where),
            item("ARTIST#p1", "PROFILE", artistId="p1", artistName="From Profile", **where),
            item("ARTIST#p4", "PROFILE", artistId="p4", artistName="Old Profile", **where),
            item("ARTIST#p4", "METADATA", artistId="p4", artistName="New Metadata", **where),
            # An artist's other item, and a studio, each naming an artist.
            item("ARTIST#p2", "METADATA", artistId="p2", artistName="Current", **where),
            item("ARTIST#p2", "HISTORY#2020-01-01", artistId="p2", artistName="Old Snapshot",
                 **where),
            item("STUDIO#s9", "PROFILE", artistId="owner", artistName="A Studio", **where),
            # The key names the artist: an artistId that disagrees, or none.
            item("ARTIST#p3", "METADATA", artistId="not-p3", artistName="Keyed", **where),
            item("ARTIST#p5", "METADATA", artistName="No Id Attribute", **where),
        ]
        ddb = write(self.path("keyed.json"), "\n".join(lines) + "\n")
        index = self.path("keyed-index")
        out = self.build(index, ddb).stdout
        self.assertEqual(summary_number(out, "lines rejected"), 0, out)
        self.assertRegex(out, r"other items:\s+2 skipped .*ARTIST/HISTORY 1.*STUDIO 1")
        self.assertEqual(summary_number(out, "stale"), 1, out)  # p1's PROFILE
        self.assertIn("differs from the item key's id 'p3'", out)
        names = {i: self.get(index, i)["artistName"] for i in ("p1", "p2", "p3", "p4", "p5")}
        self.assertEqual(names, {"p1": "From Metadata", "p2": "Current", "p3": "Keyed",
                                 "p4": "New Metadata", "p5": "No Id Attribute"})
        for missing in ("owner", "not-p3"):
            self.fails(1, "get", "--index", index, missing)
        self.ok("verify", "--index", index)

    def test_lines_nested_too_deep_are_rejected(self):
        # Table keys and integers beyond 64 bits each send a line through a
        # second parser, whose writer recursed once per level: 200,000
        # levels overflowed the stack. Every such line is a bad line.
        junk = "[" * 200000 + "]" * 200000
        head = ('{"PK":"ARTIST#deep","SK":"METADATA","artistName":"D","latitude":1,'
                '"longitude":2,')
        lines = [
            json.dumps(fixtures.HANDWRITTEN[0]),
            head + '"junk":' + junk + "}",
            head + '"reviewCount":123456789012345678901234567890,"junk":' + junk + "}",
            '{"artistId":"big","artistName":"B","latitude":1,"longitude":2,'
            '"reviewCount":123456789012345678901234567890,"junk":' + junk + "}",
            '{"Item":{"PK":{"S":"ARTIST#ddb"},"SK":{"S":"METADATA"},"junk":' + junk + "}}",
            json.dumps(fixtures.HANDWRITTEN[1]),
        ]
        data = write(self.path("deep.jsonl"), "\n".join(lines) + "\n")
        rejects = self.path("deep-rejects.txt")
        proc = self.ok("build", "--index", self.path("deep-index"), "--input", data,
                       "--rejects", rejects, "--progress", "off")
        self.assertEqual(summary_number(proc.stdout, "records applied"), 2, proc.stdout)
        self.assertEqual(summary_number(proc.stdout, "lines rejected"), 4, proc.stdout)
        listed = read(rejects).splitlines()
        self.assertEqual(len(listed), 4, listed)
        for number, line in zip((2, 3, 4, 5), listed):
            self.assertRegex(line, r"^%s:%d: json: arrays and objects nested deeper than 1024 "
                             r"levels at byte \d+$" % (re.escape(data), number))

    def test_gzip_and_stdin(self):
        text = fixtures.jsonl(fixtures.HANDWRITTEN)
        packed = self.path("hand.jsonl.data")  # gzip is detected from content, not name
        with gzip.open(packed, "wt") as f:
            f.write(text)
        gz_index = self.path("gz-index")
        self.assertEqual(summary_number(self.build(gz_index, packed).stdout, "records applied"),
                         len(fixtures.HANDWRITTEN))
        stdin_index = self.path("stdin-index")
        proc = self.ok("build", "--index", stdin_index, "--input", "-", stdin=text)
        self.assertEqual(summary_number(proc.stdout, "records applied"), len(fixtures.HANDWRITTEN))
        self.assertEqual(self.get(gz_index, "hw-tokyo-jp-8"), self.get(stdin_index, "hw-tokyo-jp-8"))

    def bad_file(self):
        good = fixtures.HANDWRITTEN
        unknown_style = dict(good[1], styles=["fineline", "dragonz"])
        lines = [
            json.dumps(good[0]),                                   # 1
            "this is not json",                                    # 2
            json.dumps(dict(good[2], latitude=123)),               # 3
            json.dumps({k: v for k, v in good[3].items() if k != "artistId"}),  # 4
            "",                                                    # 5
            json.dumps(unknown_style),                             # 6
            json.dumps(good[4])[:40],                              # 7: truncated
            json.dumps(good[7]),                                   # 8
        ]
        return write(self.path("bad.jsonl"), "\n".join(lines) + "\n")

    def test_bad_lines_are_reported_not_dropped(self):
        bad = self.bad_file()
        rejects = self.path("rejects.txt")
        proc = self.ok("build", "--index", self.path("bad-index"), "--input", bad,
                       "--rejects", rejects, "--progress", "off")
        out = proc.stdout
        self.assertEqual(summary_number(out, "records applied"), 3)
        self.assertEqual(summary_number(out, "lines rejected"), 4)
        self.assertGreaterEqual(summary_number(out, "warnings"), 1)
        self.assertRegex(out, re.escape(bad) + r":2: json")
        self.assertRegex(out, re.escape(bad) + r":3: latitude")
        self.assertRegex(out, re.escape(bad) + r":4: artistId")
        self.assertRegex(out, re.escape(bad) + r":7: json")
        self.assertRegex(out, re.escape(bad) + r":6: .*dragonz")
        listed = read(rejects).splitlines()
        self.assertEqual([int(re.match(re.escape(bad) + r":(\d+): ", l).group(1)) for l in listed],
                         [2, 3, 4, 7])
        self.assertIn("dragonz", json.dumps(self.get(self.path("bad-index"), "hw-leeds-fine-2")))

    def test_lines_read_ahead_in_small_chunks_keep_their_files_and_numbers(self):
        # Chunks of 2 lines, read ahead on their own thread, across two files
        # and their blank lines: every count, version and rejected line's
        # place is as one pass over the lines gives them.
        bad = self.bad_file()  # 8 lines: 3 records, 4 rejected, line 5 blank
        second = write(self.path("second.jsonl"),
                       "\n" + fixtures.jsonl(fixtures.HANDWRITTEN[8:10]) + "not json\n")
        rejects = self.path("chunked-rejects.txt")
        index = self.path("chunked-index")
        out = self.ok("build", "--index", index, "--input", bad, "--input", second,
                      "--rejects", rejects, "--batch-size", 2, "--progress", "off").stdout
        self.assertEqual(summary_number(out, "records applied"), 5, out)
        self.assertEqual(summary_number(out, "lines rejected"), 5, out)
        self.assertRegex(out, r"lines read:\s+12 \(2 blank\) from 2 file\(s\)")
        places = [l.split(": ", 1)[0] for l in read(rejects).splitlines()]
        self.assertEqual(places, ["%s:%d" % (bad, n) for n in (2, 3, 4, 7)] + [second + ":4"])
        # A record's version is its line's place in the whole input: the
        # second file's line 2 is the 10th line.
        self.assertEqual(self.get(index, fixtures.HANDWRITTEN[8]["artistId"])["version"], 10)
        self.assertEqual(self.get(index, fixtures.HANDWRITTEN[9]["artistId"])["version"], 11)

    def test_input_quirks_fail_safe(self):
        """A byte order mark is not a reason to reject line 1; an unreadable
        opt-out or activity flag hides the artist; an undated guest spot is
        dropped (it would count on every day); a rating without a review
        count is a rating."""
        def rec(i, **extra):
            return fixtures._artist("q-%d" % i, "Quirk %d" % i, 10.0, 10.0, ["blackwork"], **extra)
        records = [rec(1), rec(2, opted_out="yes"), rec(3, isActive="no"), rec(4, opted_out=1),
                   rec(5, guestSpots=[{"latitude": 20.0, "longitude": 20.0}]),
                   rec(6, rating=4.8), rec(7, rating=3.0, reviewCount=10),
                   rec(8, rating=0, reviewCount=0)]
        data = self.path("quirks.jsonl")
        with open(data, "wb") as f:
            f.write(b"\xef\xbb\xbf" + fixtures.jsonl(records).encode())
        index = self.path("quirks-index")
        out = self.build(index, data).stdout
        self.assertEqual(summary_number(out, "lines rejected"), 0)
        self.assertRegex(out, r"quirks.jsonl:2: opted_out: must be true or false.*kept out of search")
        self.assertRegex(out, r"quirks.jsonl:3: isActive: must be true or false")
        self.assertRegex(out, r"quirks.jsonl:5: guestSpots\[0\].from: a guest spot needs")
        here = ("--lat", 10, "--lon", 10, "--radius-km", 5)
        self.assertEqual(sorted(self.search_ids(index, *here)),
                         ["q-1", "q-5", "q-6", "q-7", "q-8"])
        self.assertEqual(self.search_ids(index, "--lat", 20, "--lon", 20, "--radius-km", 5), [])
        self.assertEqual(sorted(self.search_ids(index, *here, "--min-rating", 4)), ["q-6"])
        hits = self.search(index, *here, "--sort", "rating")["hits"]
        self.assertEqual([h["id"] for h in hits][:2], ["q-6", "q-7"])
        by_id = {h["id"]: h for h in hits}
        self.assertEqual(by_id["q-6"]["rating"], 4.8)
        self.assertIsNone(by_id["q-8"]["rating"])
        self.assertIsNone(by_id["q-1"]["rating"])

    def test_strict_stops_and_leaves_nothing(self):
        bad = self.bad_file()
        index = self.path("strict-index")
        proc = self.fails(1, "build", "--index", index, "--input", bad, "--strict")
        self.assertIn(bad + ":2: json", proc.stderr)
        self.assertFalse(os.path.exists(index))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith("strict-index")], [])

    def test_existing_index_needs_force_or_append(self):
        index = self.build_handwritten("existing")
        self.assertIn("--force", self.fails(2, "build", "--index", index, "--input",
                                            self.path("existing.jsonl")).stderr)
        one = write(self.path("one.jsonl"), fixtures.jsonl(fixtures.HANDWRITTEN[:1]))
        self.build(index, one, extra=("--force",))
        self.assertEqual(json.loads(self.ok("stats", "--index", index, "--json").stdout)
                         ["documents"], 1)
        self.assertEqual(os.listdir(self.tmp).count("existing-index"), 1)
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith("existing-index.")], [])

    def test_an_index_in_use_says_what_to_do_instead(self):
        # Every open of an index is a writer's; a command that can ask the
        # server holding it says so, the others say to stop the server.
        index = self.build_handwritten("held")
        with open(os.path.join(index, "docs", "LOCK"), "r+") as lock:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            for args in (("search", "--text", "rose"), ("get", "a1"), ("stats",),
                         ("verify",), ("suggest", "--prefix", "ro"), ("export",)):
                with self.subTest(command=args[0]):
                    proc = self.fails(1, *args, "--index", index)
                    self.assertIn("--index %s: " % index, proc.stderr)
                    self.assertIn("open for writing in another process", proc.stderr)
                    self.assertIn("--server HOST:PORT instead of --index", proc.stderr)
            for args in (("repair",), ("purge-tombstones", "--older-than", "168h")):
                with self.subTest(command=args[0]):
                    proc = self.fails(1, *args, "--index", index)
                    self.assertIn("open for writing in another process", proc.stderr)
                    self.assertIn("stop the server first", proc.stderr)
                    self.assertNotIn("--server", proc.stderr)

    def test_force_replaces_only_an_index(self):
        # A mistyped --index naming some other directory is left alone.
        other = self.path("not-an-index")
        os.makedirs(os.path.join(other, "docs"))
        write(os.path.join(other, "notes.txt"), "keep me\n")
        write(os.path.join(other, "docs", "report.txt"), "keep me too\n")
        one = write(self.path("force-one.jsonl"), fixtures.jsonl(fixtures.HANDWRITTEN[:1]))
        proc = self.fails(2, "build", "--index", other, "--input", one, "--force")
        self.assertIn("--index " + other, proc.stderr)
        self.assertIn("holds no inkdex index", proc.stderr)
        self.assertEqual(sorted(os.listdir(other)), ["docs", "notes.txt"])
        # Without --force too, and --force is not suggested for it.
        proc = self.fails(2, "build", "--index", other, "--input", one)
        self.assertIn("holds no inkdex index", proc.stderr)
        self.assertNotIn("pass --force", proc.stderr)
        self.assertEqual(sorted(os.listdir(other)), ["docs", "notes.txt"])
        self.assertEqual(os.listdir(os.path.join(other, "docs")), ["report.txt"])
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith("not-an-index.")], [])
        # An empty directory is built into without --force.
        empty = self.path("force-empty-dir")
        os.makedirs(empty)
        self.build(empty, one)
        self.assertEqual(json.loads(self.ok("stats", "--index", empty, "--json").stdout)
                         ["documents"], 1)

    def test_force_never_replaces_an_index_in_use(self):
        # An index another process has open for writing (a server, an
        # append) holds RocksDB's lock, an fcntl write lock on docs/LOCK.
        index = self.build_handwritten("in-use")
        one = write(self.path("in-use-one.jsonl"), fixtures.jsonl(fixtures.HANDWRITTEN[:1]))
        with open(os.path.join(index, "docs", "LOCK"), "r+") as lock:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            proc = self.fails(1, "build", "--index", index, "--input", one, "--force")
            self.assertIn("open for writing in another process", proc.stderr)
            self.assertIn("--index " + index, proc.stderr)
        # Untouched, and nothing left beside it.
        self.assertEqual(json.loads(self.ok("stats", "--index", index, "--json").stdout)
                         ["documents"], len(fixtures.HANDWRITTEN))
        self.ok("verify", "--index", index)
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith("in-use-index.")], [])
        # Once released, --force replaces it.
        self.build(index, one, extra=("--force",))
        self.assertEqual(json.loads(self.ok("stats", "--index", index, "--json").stdout)
                         ["documents"], 1)

    def test_append_needs_an_existing_index(self):
        one = write(self.path("append-one.jsonl"), fixtures.jsonl(fixtures.HANDWRITTEN[:1]))
        missing = self.path("no-such-index")
        proc = self.fails(2, "build", "--index", missing, "--input", one, "--append")
        self.assertIn("--index %s: no index there to --append to" % missing, proc.stderr)
        self.assertFalse(os.path.exists(missing))
        empty = self.path("empty-dir")
        os.mkdir(empty)
        self.fails(2, "build", "--index", empty, "--input", one, "--append")
        self.assertEqual(os.listdir(empty), [])

    def test_strict_append_to_an_index_in_use_is_not_a_bad_line(self):
        index = self.build_handwritten("strict-held")
        one = write(self.path("strict-held-one.jsonl"), fixtures.jsonl(fixtures.HANDWRITTEN[:1]))
        with open(os.path.join(index, "docs", "LOCK"), "r+") as lock:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            proc = self.fails(1, "build", "--index", index, "--input", one, "--append",
                              "--strict")
        self.assertIn("open for writing in another process", proc.stderr)
        self.assertNotIn("bad line", proc.stderr)
        # A bad line under --strict --append still says what stayed applied.
        bad = write(self.path("strict-bad.jsonl"), "not json\n")
        proc = self.fails(1, "build", "--index", index, "--input", bad, "--append", "--strict")
        self.assertIn("--strict: stopped at the first bad line; batches before it were applied",
                      proc.stderr)

    def test_append_continues_versions(self):
        index = self.build_handwritten("append")
        renamed = dict(fixtures.HANDWRITTEN[0], artistName="Amy Rhodes-Updated")
        old = dict(fixtures.HANDWRITTEN[2], artistName="Too Old", version=1)
        update = write(self.path("update.jsonl"), fixtures.jsonl([renamed, old]))
        out = self.build(index, update, extra=("--append",)).stdout
        self.assertEqual(summary_number(out, "records applied"), 1)
        self.assertEqual(summary_number(out, "stale"), 1)
        self.assertEqual(self.get(index, "hw-leeds-fine-1")["artistName"], "Amy Rhodes-Updated")
        self.assertEqual(self.get(index, "hw-leeds-fine-1")["version"],
                         len(fixtures.HANDWRITTEN) + 1)
        self.assertEqual(self.get(index, "hw-leeds-trad-3")["artistName"], "Carl Dawson")

    def test_an_interrupted_append_leaves_a_base_above_what_it_applied(self):
        # Unversioned lines get the stored base + their line; the records are
        # applied by location, so any early batch may hold the highest line.
        count = 3000
        news = [fixtures._artist("cut-%04d" % i, "Cut Artist", 40 + (i % 97) * 0.2,
                                 -120 + (i * 37) % 240, ["blackwork"]) for i in range(count)]
        data = write(self.path("cut-append.jsonl"), fixtures.jsonl(news))
        base = len(fixtures.HANDWRITTEN)
        index = None
        for attempt, delay in enumerate((0.6, 1.2, 0.3, 2.4, 0.15)):
            index = self.build_handwritten("cut-append-%d" % attempt)
            # One commit per record: seconds in all, so a signal lands part way.
            proc = subprocess.Popen([BIN, "build", "--append", "--input", data, "--index", index,
                                     "--batch-size", "1", "--progress", "off"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(delay)
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=120)
            documents = json.loads(self.ok("stats", "--index", index, "--json").stdout)["documents"]
            if base < documents < base + count:
                break
        else:
            self.fail("no interruption landed part way through the append")
        newest = max((self.get(index, i) for i in
                      self.search_ids(index, "--text", "cut", "--limit", 100)),
                     key=lambda a: a["version"])
        self.assertGreater(newest["version"], base + 1)
        renamed = write(self.path("cut-rename.jsonl"), fixtures.jsonl(
            [dict(news[int(newest["artistId"][4:])], artistName="Renamed Later")]))
        out = self.build(index, renamed, extra=("--append",)).stdout
        self.assertEqual(summary_number(out, "stale"), 0, out)
        self.assertEqual(self.get(index, newest["artistId"])["artistName"], "Renamed Later")
        self.ok("verify", "--index", index)

    def test_later_line_wins(self):
        first = fixtures.HANDWRITTEN[0]
        data = write(self.path("dups.jsonl"), fixtures.jsonl(
            [first, fixtures.HANDWRITTEN[1], dict(first, artistName="Second Amy")]))
        index = self.path("dups-index")
        out = self.build(index, data, extra=("--batch-size", 2)).stdout
        self.assertEqual(summary_number(out, "duplicate ids"), 1)
        self.assertEqual(self.get(index, first["artistId"])["artistName"], "Second Amy")

    def test_parallel_build_equals_sequential(self):
        data = self.path("synth.jsonl")
        self.ok("synth", "--quiet", "--count", 2000, "--seed", 11, "--messy", "--out", data)
        seq, par = self.path("seq-index"), self.path("par-index")
        out_seq = self.build(seq, data, extra=("--threads", 1, "--batch-size", 100000)).stdout
        out_par = self.build(par, data, extra=("--threads", 4, "--batch-size", 97)).stdout
        for key in ("records applied", "lines rejected", "warnings", "duplicate ids"):
            self.assertEqual(summary_number(out_seq, key), summary_number(out_par, key), key)
        self.assertGreater(summary_number(out_seq, "lines rejected"), 0)
        for point in (("51.5", "-0.12"), ("40.7", "-74.0"), ("-33.9", "151.2")):
            args = ("--lat", point[0], "--lon", point[1], "--limit", 100, "--no-facets")
            from_seq, from_par = self.search(seq, *args), self.search(par, *args)
            from_seq.pop("commit_seq"), from_par.pop("commit_seq")
            self.assertEqual(from_seq, from_par)
        stats = [json.loads(self.ok("stats", "--index", i, "--json").stdout) for i in (seq, par)]
        for key in ("documents", "searchable", "tombstones"):
            self.assertEqual(stats[0][key], stats[1][key])

    def test_order_window_changes_nothing_but_the_order(self):
        # Records are held and indexed sorted by location (--order-window);
        # any window, input order (0) included, gives the same index and the
        # same counts. Window 1 with batch 1 flushes after every line (the
        # last flush then commits only the last line version).
        data = self.path("window.jsonl")
        self.ok("synth", "--quiet", "--count", 1500, "--seed", 13, "--messy", "--out", data)
        builds = {}
        for name, extra in (("input-order", ("--order-window", 0)),
                            ("every-line", ("--order-window", 1, "--batch-size", 1)),
                            ("small", ("--order-window", 7, "--batch-size", 3)),
                            ("default", ())):
            index = self.path("window-" + name)
            builds[name] = (index, self.build(index, data, extra=extra).stdout)
        keys = ("records applied", "lines rejected", "warnings", "duplicate ids", "stale",
                "last line version")
        _, reference = builds["input-order"]
        self.assertGreater(summary_number(reference, "duplicate ids"), 0)
        for name, (index, out) in builds.items():
            for key in keys:
                self.assertEqual(summary_number(out, key), summary_number(reference, key),
                                 (name, key))
            self.assertIn("verified:          yes", out)
        for point in (("51.5", "-0.12"), ("40.7", "-74.0"), ("-33.9", "151.2")):
            args = ("--lat", point[0], "--lon", point[1], "--limit", 100, "--text", "bl")
            results = []
            for index, _ in builds.values():
                found = self.search(index, *args)
                found.pop("commit_seq")
                results.append(found)
            for other in results[1:]:
                self.assertEqual(other, results[0])

    def test_progress_log_shows_records_held_before_any_is_indexed(self):
        # Sorting by location means nothing is indexed until the window is
        # read; the log says what is held meanwhile, then counts it down.
        data = self.path("progress.jsonl")
        self.ok("synth", "--quiet", "--count", 1500, "--seed", 13, "--out", data)
        proc = self.ok("build", "--index", self.path("progress-index"), "--input", data,
                       "--progress", "log", "--progress-every", "0.001", "--batch-size", 100)
        lines = [l for l in proc.stderr.splitlines() if l.startswith("inkdex build:")]
        self.assertTrue(lines, proc.stderr)
        # A new index: its text is indexed at the end, by writers beside the load.
        self.assertEqual(lines[-1],
                         "inkdex build: indexing the text of 1500 artists (one writer per core)...")
        lines = lines[:-1]
        seen = []  # (artists indexed, records held) per line; lines closer than 1 ms are skipped
        for line in lines:
            artists = int(re.search(r"(\d+) artists ", line).group(1))
            ahead = re.search(r"\((\d+) read ahead", line)
            seen.append((artists, int(ahead.group(1)) if ahead else 0))
        reading = [held for artists, held in seen if artists == 0]
        self.assertTrue(reading and reading[-1] > 0, lines)  # held, none indexed yet
        self.assertEqual(reading, sorted(reading), lines)
        for artists, held in seen:
            if artists > 0:
                self.assertEqual(artists + held, 1500, lines)  # one window, counted down
        self.fails(2, "build", "--index", self.path("progress-bad"), "--input", data,
                   "--progress-every", "0")
        # --append indexes commit by commit: nothing is left for the end.
        appended = self.ok("build", "--index", self.path("progress-index"), "--input", data,
                           "--append", "--progress", "log")
        self.assertNotIn("indexing the text", appended.stderr)
        self.assertGreater(self.search(self.path("progress-index"), "--text", "tattoo")["total"], 0)

    def test_a_killed_builds_leftovers_are_cleaned_up(self):
        data = write(self.path("leftover.jsonl"), fixtures.jsonl(fixtures.HANDWRITTEN))
        index = self.path("leftover-index")
        dead = 2147483000  # beyond any pid_max: no such process
        staged = "%s.inkdex-build-%d" % (index, dead)
        os.makedirs(os.path.join(staged, "docs"))
        proc = self.build(index, data)
        self.assertFalse(os.path.exists(staged))
        self.assertIn("left by an interrupted build", proc.stderr)
        # A Commit killed between moving the old index aside and renaming the
        # new one in: the next build puts the old one back first.
        moved = "%s.inkdex-old-%d" % (index, dead)
        os.rename(index, moved)
        proc = self.fails(2, "build", "--index", index, "--input", data, "--progress", "off")
        self.assertIn("put back the previous index", proc.stderr)
        self.assertFalse(os.path.exists(moved))
        self.assertEqual(self.get(index, fixtures.IDS[0])["artistId"], fixtures.IDS[0])

    def test_messy_input_is_counted(self):
        data = self.path("messy.jsonl.gz")
        rejects = self.path("messy-rejects.txt")
        self.ok("synth", "--quiet", "--count", 2000, "--seed", 5, "--messy", "--out", data)
        out = self.build(self.path("messy-index"), data, extra=("--rejects", rejects)).stdout
        rejected = summary_number(out, "lines rejected")
        self.assertGreater(rejected, 0)
        self.assertGreater(summary_number(out, "warnings"), 0)
        self.assertGreater(summary_number(out, "records applied"), 1500)
        listed = read(rejects).splitlines()
        self.assertEqual(len(listed), rejected)
        for line in listed:
            self.assertRegex(line, "^" + re.escape(data) + r":\d+: \S+")

    def test_interrupt_leaves_nothing(self):
        data = self.path("big.jsonl")
        self.ok("synth", "--quiet", "--count", 20000, "--seed", 9, "--out", data)
        index = self.path("interrupted-index")
        for delay in (0.7, 0.3, 0.1):
            proc = subprocess.Popen([BIN, "build", "--input", data, "--index", index,
                                     "--batch-size", "500", "--progress", "off"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
            if proc.returncode != 0:
                break
            shutil.rmtree(index)  # finished first: again, interrupted sooner
        self.assertEqual(proc.returncode, 1, stderr)
        self.assertIn("interrupted", stderr)
        self.assertFalse(os.path.exists(index))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith("interrupted-index")],
                         [])

    def test_input_failures(self):
        missing = self.path("no-such-file.jsonl")
        proc = self.fails(1, "build", "--index", self.path("m-index"), "--input", missing)
        self.assertIn(missing, proc.stderr)
        self.assertFalse(os.path.exists(self.path("m-index")))
        truncated = self.path("truncated.jsonl.gz")
        payload = gzip.compress(fixtures.jsonl(fixtures.HANDWRITTEN * 20).encode())
        with open(truncated, "wb") as f:
            f.write(payload[: len(payload) // 2])
        proc = self.fails(1, "build", "--index", self.path("t-index"), "--input", truncated)
        self.assertIn(truncated, proc.stderr)
        self.assertFalse(os.path.exists(self.path("t-index")))


class SearchTest(CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.index = cls.build_handwritten()

    def leeds(self, *args, radius=5):
        lat, lon = fixtures.LEEDS
        return self.search_ids(self.index, "--lat", lat, "--lon", lon, "--radius-km", radius,
                               "--date", PLAIN_DAY, *args)

    def test_radius_and_style(self):
        self.assertEqual(sorted(self.leeds("--style", "fineline")),
                         ["hw-leeds-fine-1", "hw-leeds-fine-2"])
        self.assertEqual(sorted(self.leeds("--style", "Fine Line", radius=20)),
                         ["hw-bradford-fine-4", "hw-leeds-fine-1", "hw-leeds-fine-2"])

    def test_guest_spot_counts_on_its_dates(self):
        lat, lon = fixtures.LEEDS
        result = self.search(self.index, "--lat", lat, "--lon", lon, "--radius-km", 5,
                             "--style", "fineline", "--date", "2026-06-03")
        guest = [h for h in result["hits"] if h["id"] == "hw-manchester-guest-5"]
        self.assertEqual(len(guest), 1)
        self.assertTrue(guest[0]["guest_spot"])
        self.assertLess(guest[0]["distance_km"], 1)
        self.assertNotIn("hw-manchester-guest-5", self.leeds("--style", "fineline"))

    def test_text_style_and_place(self):
        lat, lon = fixtures.TOKYO
        near_tokyo = ("--lat", lat, "--lon", lon, "--radius-km", 15)
        self.assertEqual(self.search_ids(self.index, *near_tokyo, "--text", "dragon",
                                         "--style", "japanese"), ["hw-tokyo-jp-8"])
        self.assertEqual(sorted(self.search_ids(self.index, *near_tokyo, "--text", "dragon")),
                         ["hw-tokyo-jp-8", "hw-tokyo-trad-10"])
        self.assertEqual(sorted(self.search_ids(self.index, *near_tokyo, "--style", "irezumi")),
                         ["hw-tokyo-jp-8", "hw-tokyo-jp-9"])
        self.assertEqual(self.search_ids(self.index, "--text", "rhodes"), ["hw-leeds-fine-1"])

    def test_bbox_sorted_by_rating(self):
        self.assertEqual(self.search_ids(self.index, "--bbox", fixtures.BERLIN_BBOX, "--sort",
                                         "rating"), ["hw-berlin-11", "hw-berlin-12"])

    def test_filters(self):
        self.assertEqual(sorted(self.leeds("--min-rating", 4.4, radius=20)),
                         ["hw-leeds-fine-1", "hw-leeds-trad-3"])
        self.assertEqual(sorted(self.leeds("--max-hourly-rate", 90, radius=20)),
                         ["hw-bradford-fine-4", "hw-leeds-fine-2"])
        self.assertEqual(sorted(self.leeds("--booking-open", radius=20)),
                         ["hw-leeds-fine-1", "hw-leeds-trad-3"])
        self.assertEqual(self.leeds("--min-years", 10, radius=20), ["hw-leeds-trad-3"])
        self.assertEqual(self.leeds("--style", "fineline,blackwork", "--all-styles"),
                         ["hw-leeds-fine-2"])
        self.assertEqual(sorted(self.leeds("--style", "fineline", "--style", "blackwork",
                                           radius=20)),
                         ["hw-bradford-fine-4", "hw-leeds-fine-1", "hw-leeds-fine-2"])

    def test_sorts(self):
        self.assertEqual(self.leeds("--sort", "distance", radius=20),
                         ["hw-leeds-fine-1", "hw-leeds-trad-3", "hw-leeds-fine-2",
                          "hw-bradford-fine-4"])
        self.assertEqual(self.leeds("--sort", "rating", radius=20),
                         ["hw-leeds-fine-1", "hw-leeds-trad-3", "hw-leeds-fine-2",
                          "hw-bradford-fine-4"])
        by_price = ["hw-bradford-fine-4", "hw-leeds-fine-2", "hw-leeds-fine-1", "hw-leeds-trad-3"]
        self.assertEqual(self.leeds("--sort", "price_asc", radius=20), by_price)
        self.assertEqual(self.leeds("--sort", "price_desc", radius=20), by_price[::-1])

    def test_distances(self):
        lat, lon = fixtures.LEEDS
        hits = self.search(self.index, "--lat", lat, "--lon", lon, "--radius-km", 20, "--date",
                           PLAIN_DAY)["hits"]
        distance = {h["id"]: h["distance_km"] for h in hits}
        self.assertAlmostEqual(distance["hw-leeds-fine-1"], 0, places=3)
        self.assertAlmostEqual(distance["hw-leeds-trad-3"], 1.24, delta=0.05)
        self.assertAlmostEqual(distance["hw-bradford-fine-4"], 13.8, delta=0.3)

    def test_max_per_studio(self):
        ids = self.leeds("--max-per-studio", 1)
        self.assertIn("hw-leeds-trad-3", ids)
        self.assertEqual(len({"hw-leeds-fine-1", "hw-leeds-fine-2"} & set(ids)), 1)

    def test_paging_gives_each_artist_once(self):
        lat, lon = fixtures.LEEDS
        args = ("--lat", lat, "--lon", lon, "--radius-km", 20, "--date", PLAIN_DAY)
        everything = self.search_ids(self.index, *args, "--limit", 100)
        seen, token = [], None
        while True:
            page = self.search(self.index, *args, "--limit", 1,
                               *(("--page-token", token) if token else ()))
            self.assertEqual(page["total"], len(everything))
            seen += [h["id"] for h in page["hits"]]
            token = page["next_page_token"]
            if token is None:
                break
        self.assertEqual(seen, everything)

    def test_json_schema(self):
        lat, lon = fixtures.LEEDS
        result = self.search(self.index, "--lat", lat, "--lon", lon, "--radius-km", 5,
                             "--explain", "--date", PLAIN_DAY)
        self.assertEqual(set(result), {"total", "hits", "facets", "next_page_token",
                                       "spelling_suggestion", "commit_seq"})
        hit = next(h for h in result["hits"] if h["id"] == "hw-leeds-fine-1")
        self.assertEqual(hit["name"], "Amy Rhodes")
        self.assertEqual(hit["studio"], "Needle and Thread")
        self.assertTrue(hit["city"].startswith("Leeds"), hit["city"])
        self.assertEqual(hit["styles"], ["fineline"])
        self.assertEqual(hit["rating"], 4.9)
        self.assertEqual(hit["review_count"], 200)
        self.assertEqual(hit["hourly_rate"], 100)
        self.assertEqual(hit["currency"], "GBP")
        self.assertIs(hit["booking_open"], True)
        self.assertIs(hit["guest_spot"], False)
        self.assertIsInstance(hit["score"], float)
        self.assertEqual(set(hit["explanation"]),
                         {"text_raw", "text", "distance", "quality_raw", "quality"})
        self.assertEqual(set(result["facets"]), {"styles", "distance_rings", "hourly_rate_bands",
                                                 "rating_bands", "cities"})
        styles = {f["value"]: f["count"] for f in result["facets"]["styles"]}
        self.assertEqual(styles.get("fineline"), 2)
        for facet in result["facets"].values():
            for value in facet:
                self.assertEqual(set(value), {"value", "label", "count"})
        self.assertIsNone(result["next_page_token"])
        no_point = self.search(self.index, "--text", "rhodes")
        self.assertIsNone(no_point["hits"][0]["distance_km"])
        self.assertNotIn("explanation", no_point["hits"][0])

    def test_table_output(self):
        lat, lon = fixtures.LEEDS
        out = self.ok("search", "--index", self.index, "--lat", lat, "--lon", lon,
                      "--radius-km", 5, "--date", PLAIN_DAY, "--limit", 2).stdout
        header = out.splitlines()[0].split()
        self.assertEqual(header[:4], ["#", "name", "studio", "location"])
        self.assertIn("Amy Rhodes", out)
        self.assertRegex(out, r"\n3 artists match; showing 2\n")
        self.assertRegex(out, r"next page: --page-token \S+")
        self.assertIn("facets:", out)
        self.assertIn("(no artists match)",
                      self.ok("search", "--index", self.index, "--text", "zzzzqqq").stdout)

    def test_table_shows_no_control_characters(self):
        # Record text is anyone's: an escape sequence must not reach the
        # terminal, nor a line break split a row. --json escapes them.
        record = dict(fixtures.HANDWRITTEN[0], artistId="ctl-1",
                      artistName="Tab\tName\u001b[31mRED\u009b1m\u007f",
                      studioInfo={"studioId": "ctl", "studioName": "Two\nLines"},
                      locationDisplay="Cr\rCity")
        data = write(self.path("controls.jsonl"), json.dumps(record) + "\n")
        index = self.path("controls-index")
        self.build(index, data)
        out = self.ok("search", "--index", index, "--text", "tab").stdout
        self.assertIsNone(re.search("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]", out), repr(out))
        self.assertIn("Tab\ufffdName\ufffd[31mRED\ufffd1m\ufffd", out)
        rows = out.splitlines()
        self.assertEqual(rows[2], "", repr(out))  # header, one row, then the blank line
        self.assertIn("Two\ufffdLines", rows[1])
        hits = json.loads(self.ok("search", "--index", index, "--text", "tab", "--json").stdout)
        self.assertEqual(hits["hits"][0]["name"], record["artistName"])
        suggest = self.ok("suggest", "--index", index, "--prefix", "tab").stdout
        self.assertNotIn("\x1b", suggest)

    def test_table_shows_distances_from_a_point_or_a_viewport(self):
        def km_column(*args):
            out = self.ok("search", "--index", self.index, "--no-facets", *args).stdout
            lines = out.splitlines()
            if " km " not in lines[0]:
                return None, out
            # A right-aligned column: each value ends where its header does.
            end = lines[0].index(" km ") + 3
            rows = lines[1:lines.index("")]
            return [float(row[:end].split()[-1]) for row in rows], out
        as_json = self.search(self.index, "--bbox", fixtures.BERLIN_BBOX, "--sort", "rating")
        km, out = km_column("--bbox", fixtures.BERLIN_BBOX, "--sort", "rating")
        self.assertEqual(km, [round(h["distance_km"], 2) for h in as_json["hits"]])
        self.assertIn("(km: from the viewport's centre)", out)
        lat, lon = fixtures.LEEDS
        km, out = km_column("--lat", lat, "--lon", lon, "--radius-km", 5, "--date", PLAIN_DAY)
        self.assertEqual(len(km), 3)
        self.assertTrue(all(0 <= k <= 5 for k in km), km)
        self.assertNotIn("viewport", out)
        km, out = km_column("--text", "rhodes")
        self.assertIsNone(km)


class SearchErrorsTest(CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.index = cls.build_handwritten()

    def rejects(self, expected, *args, code=2):
        proc = self.fails(code, "search", "--index", self.index, *args)
        self.assertIn(expected, proc.stderr)
        return proc

    def test_coordinates(self):
        self.rejects("inkdex search: --lat: must be in [-90, 90], got 91", "--lat", 91, "--lon", 0)
        self.rejects("inkdex search: --lon: must be in [-180, 180]", "--lat", 0, "--lon", 181)
        self.rejects("--lat", "--lat", 10)
        self.rejects("--lon", "--lon", 10)

    def test_radius(self):
        self.rejects("--radius-km: must be in (0, 20000], got 0", "--lat", 1, "--lon", 1,
                     "--radius-km", 0)
        self.rejects("--radius-km: must be", "--lat", 1, "--lon", 1, "--radius-km", 20001)
        self.rejects("--radius-km", "--radius-km", 5)

    def test_bbox(self):
        self.rejects("bbox", "--bbox", "52.58,13.25,52.45,13.55")  # south north of north
        self.rejects("inkdex search: --bbox north: must be in [-90, 90], got 91", "--bbox",
                     "0,0,91,1")
        self.rejects("inkdex search: --bbox west: must be in [-180, 180], got -181", "--bbox",
                     "0,-181,1,1")
        self.rejects("--bbox", "--bbox", "1,2,3")
        self.rejects("--bbox", "--bbox", "a,b,c,d")
        self.rejects("--bbox", "--bbox", fixtures.BERLIN_BBOX, "--lat", 1, "--lon", 1,
                     "--radius-km", 5)

    def test_distance_scale(self):
        lat, lon = fixtures.LEEDS
        args = ("--lat", lat, "--lon", lon, "--radius-km", 20, "--explain", "--date", PLAIN_DAY)
        def distance_parts(*extra):
            hits = self.search(self.index, *args, *extra)["hits"]
            return {h["id"]: h["explanation"]["distance"] for h in hits}
        near, far = distance_parts(), distance_parts("--distance-scale-km", 1000)
        self.assertEqual(set(near), set(far))
        # A longer scale decays less: every hit away from the point keeps more.
        for artist_id, part in near.items():
            self.assertGreaterEqual(far[artist_id], part, artist_id)
        self.assertTrue(any(far[i] > near[i] for i in near))
        self.rejects("--distance-scale-km: must be in (0, 20000], got 0", *args,
                     "--distance-scale-km", 0)

    def test_limit_text_token(self):
        self.assertIn("--limit: must be in 1..100, got 0",
                      self.rejects("limit", "--limit", 0).stderr)
        self.rejects("--limit: must be in 1..100", "--limit", 101)
        self.rejects("--text: is 1025 bytes", "--text", "x" * 1025)
        self.rejects("--page-token: is malformed (not a page token inkdex issued)", "--page-token",
                     "garbage-token")

    def test_style_sort_date_filters(self):
        proc = self.rejects("inkdex search: --style: unknown style 'dragonz'", "--style", "dragonz")
        self.assertIn("closest", proc.stderr)
        self.rejects("--sort", "--sort", "sideways")
        self.rejects("--sort: distance needs a point", "--sort", "distance")
        self.rejects("--date: must be a date YYYY-MM-DD", "--date", "2026-13-45")
        self.rejects("--min-rating: must be in [0, 5], got 6", "--min-rating", 6)
        self.rejects("--max-hourly-rate: must be", "--max-hourly-rate", -1)
        self.rejects("--min-years: must be in", "--min-years", -1)
        self.rejects("--currency: must be an ISO 4217 code", "--currency", "pounds")
        self.rejects("--top-cities: must be in 0..100", "--top-cities", 101)
        self.rejects("--max-per-studio: must be in", "--max-per-studio", -1)

    def test_an_empty_style_is_an_error_not_the_next_flag(self):
        for value in (",", "", "fineline,", ",fineline", "fineline,,blackwork", " "):
            with self.subTest(value=value):
                proc = self.rejects("inkdex search: --style: empty style name in '%s'" % value,
                                    "--style", value, "--limit", 1)
                self.assertNotIn("--limit", proc.stderr)
        self.assertEqual(self.search(self.index, "--style", "fineline,blackwork", "--style",
                                     "japanese", "--limit", 1)["total"] >= 1, True)

    def test_text_that_is_not_utf8(self):
        # "\udcff" is the byte 0xff on the command line (surrogateescape).
        self.rejects("inkdex search: --text: is not valid UTF-8", "--text", "rose \udcff\udcfe")
        self.rejects("inkdex search: --text: is not valid UTF-8", "--text", "dragon \udcc3")
        self.rejects("inkdex search: --style: is not valid UTF-8", "--style", "trad\udcff")
        proc = self.fails(2, "suggest", "--index", self.index, "--prefix", "Lond\udcc3")
        self.assertIn("inkdex suggest: --prefix: is not valid UTF-8", proc.stderr)

    def test_missing_index(self):
        missing = self.path("nowhere")
        proc = self.fails(1, "search", "--index", missing, "--text", "x")
        self.assertIn("--index", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(missing, "docs")))


class PagingTest(CliTestCase):
    """Paging through 2000 synthetic artists."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        data = cls.path("synth.jsonl")
        proc = run("synth", "--quiet", "--count", 2000, "--seed", 42, "--out", data)
        assert proc.returncode == 0, proc.stderr
        cls.index = cls.path("index")
        cls.build(cls.index, data)

    def all_pages(self, *args):
        ids, pages, token = [], [], None
        while True:
            page = self.search(self.index, "--limit", 100, "--no-facets", *args,
                               *(("--page-token", token) if token else ()))
            pages.append(page)
            ids += [h["id"] for h in page["hits"]]
            token = page["next_page_token"]
            if token is None:
                return ids, pages

    def test_nearest_first_pages_cover_everything_once(self):
        ids, pages = self.all_pages("--lat", 51.5, "--lon", -0.12, "--sort", "distance")
        searchable = json.loads(self.ok("stats", "--index", self.index, "--json").stdout)[
            "searchable"]
        self.assertEqual(pages[0]["total"], searchable)
        self.assertEqual(len(ids), searchable)
        self.assertEqual(len(set(ids)), searchable)
        distances = [h["distance_km"] for p in pages for h in p["hits"]]
        self.assertEqual(distances, sorted(distances))

    def test_rating_order_holds_across_pages(self):
        ids, pages = self.all_pages("--sort", "rating", "--style", "fineline,blackwork")
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(len(ids), pages[0]["total"])
        ratings = [h["rating"] for p in pages for h in p["hits"]]
        rated = [r for r in ratings if r is not None]
        # Rated artists first, best first; the unrated (null) after them.
        self.assertEqual(ratings[:len(rated)], sorted(rated, reverse=True))
        self.assertTrue(all(r is None for r in ratings[len(rated):]))


class ToolsTest(CliTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.index = cls.build_handwritten()

    def test_get(self):
        artist = self.get(self.index, "hw-tokyo-jp-8")
        self.assertEqual(artist["artistId"], "hw-tokyo-jp-8")
        self.assertEqual(artist["artistName"], "Kenji Sato")
        self.assertEqual(artist["styles"], ["japanese"])
        two = self.ok("get", "--index", self.index, "hw-berlin-11", "hw-berlin-12").stdout
        self.assertEqual([json.loads(l)["artistId"] for l in two.splitlines()],
                         ["hw-berlin-11", "hw-berlin-12"])
        proc = self.fails(1, "get", "--index", self.index, "hw-berlin-11", "hw-nobody")
        self.assertIn("hw-nobody", proc.stderr)
        self.assertIn("hw-berlin-11", proc.stdout)
        self.fails(1, "get", "--index", self.index, "hw-leeds-optedout-6")
        self.ok("get", "--index", self.index, "--include-hidden", "hw-leeds-optedout-6")

    def test_get_output_builds_the_same_artist(self):
        line = self.ok("get", "--index", self.index, "hw-leeds-fine-1").stdout
        copy = self.path("copy-index")
        self.build(copy, write(self.path("copy.jsonl"), line))
        self.assertEqual(self.get(copy, "hw-leeds-fine-1"), json.loads(line))

    def test_export_builds_an_index_with_the_same_documents(self):
        proc = self.ok("export", "--index", self.index)
        lines = proc.stdout.splitlines()
        records = [json.loads(l) for l in lines]
        ids = [r["artistId"] for r in records]
        self.assertEqual(ids, sorted(ids))
        self.assertIn("hw-leeds-optedout-6", ids)  # hidden artists are data too
        self.assertEqual(records[ids.index("hw-tokyo-jp-8")], self.get(self.index, "hw-tokyo-jp-8"))
        hidden = sum(1 for r in records if r.get("opted_out") or r.get("isActive") is False)
        self.assertGreater(hidden, 0)
        self.assertIn("%d artists (%d of them hidden) to stdout" % (len(lines), hidden),
                      proc.stderr)
        # Round trip: built again, the export is the same bytes.
        copy = self.path("export-copy-index")
        self.build(copy, write(self.path("export.jsonl"), proc.stdout))
        self.assertEqual(self.ok("export", "--index", copy).stdout, proc.stdout)
        self.assertIn("ok:", self.ok("verify", "--index", copy).stdout)
        searchable = self.ok("export", "--index", self.index, "--searchable-only").stdout
        self.assertEqual(len(searchable.splitlines()), len(lines) - hidden)
        self.assertNotIn("hw-leeds-optedout-6", searchable)

    def test_export_out_file_appears_only_when_whole(self):
        out_dir = self.path("export-out")
        os.makedirs(out_dir, exist_ok=True)
        out = os.path.join(out_dir, "artists.jsonl")
        write(out, "an older export\n")
        proc = self.ok("export", "--index", self.index, "--out", out)
        self.assertEqual(proc.stdout, "")
        self.assertIn("to " + out, proc.stderr)
        self.assertEqual(read(out), self.ok("export", "--index", self.index).stdout)
        self.assertEqual(os.listdir(out_dir), ["artists.jsonl"])  # no temporary left
        missing = os.path.join(self.path("no-such-dir"), "artists.jsonl")
        self.assertIn("--out: cannot create '%s'" % missing,
                      self.fails(2, "export", "--index", self.index, "--out", missing).stderr)
        self.assertIn("no index", self.fails(1, "export", "--index", self.path("nothing")).stderr)
        with open("/dev/full", "w") as full:
            failed = subprocess.run([BIN, "export", "--index", self.index], stdout=full,
                                    stderr=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(failed.returncode, 1, failed.stderr)
        self.assertIn("stdout: write failed", failed.stderr)

    def test_suggest(self):
        result = json.loads(self.ok("suggest", "--index", self.index, "--prefix", "amy",
                                    "--json").stdout)
        artists = [s for s in result["suggestions"] if s["kind"] == "artist"]
        self.assertIn("Amy Rhodes", [s["text"] for s in artists])
        for s in result["suggestions"]:
            self.assertEqual(set(s), {"kind", "text", "id", "count", "distance_km"})
        studios = json.loads(self.ok("suggest", "--index", self.index, "--prefix", "needle",
                                     "--json").stdout)["suggestions"]
        self.assertIn("studio", [s["kind"] for s in studios])
        near = json.loads(self.ok("suggest", "--index", self.index, "--prefix", "amy", "--lat",
                                  53.8, "--lon", -1.55, "--json").stdout)["suggestions"]
        self.assertIsNotNone(near[0]["distance_km"])
        table = self.ok("suggest", "--index", self.index, "--prefix", "amy").stdout
        self.assertIn("Amy Rhodes", table)
        self.assertIn("inkdex suggest: --prefix: must be 1..100 bytes",
                      self.fails(2, "suggest", "--index", self.index, "--prefix", "").stderr)
        self.assertIn("inkdex suggest: --lat: must be in [-90, 90], got 95",
                      self.fails(2, "suggest", "--index", self.index, "--prefix", "a", "--lat",
                                 95, "--lon", 0).stderr)
        for limit in (0, 51):
            self.assertIn("inkdex suggest: --limit: must be in 1..50, got %d" % limit,
                          self.fails(2, "suggest", "--index", self.index, "--prefix", "a",
                                     "--limit", limit).stderr)
        self.assertIn("--lat", self.fails(2, "suggest", "--index", self.index, "--prefix", "a",
                                          "--lat", 1).stderr)

    def test_suggest_counts_guest_spots_on_their_days(self):
        # Erin Foster (Manchester) is in Leeds from 2026-06-01 to 2026-06-07 only.
        def near_leeds(date):
            out = json.loads(self.ok("suggest", "--index", self.index, "--prefix", "erin",
                                     "--lat", 53.799, "--lon", -1.548, "--date", date,
                                     "--json").stdout)["suggestions"]
            return [s["distance_km"] for s in out if s["text"] == "Erin Foster"]
        [during] = near_leeds("2026-06-03")
        self.assertLess(during, 1)
        [after] = near_leeds("2026-06-08")
        self.assertGreater(after, 50)  # Manchester
        self.assertIn("inkdex suggest: --date: must be a date YYYY-MM-DD",
                      self.fails(2, "suggest", "--index", self.index, "--prefix", "erin",
                                 "--date", "2026-02-30").stderr)

    def test_stats(self):
        stats = json.loads(self.ok("stats", "--index", self.index, "--json").stdout)
        self.assertEqual(stats["documents"], len(fixtures.HANDWRITTEN))
        self.assertEqual(stats["searchable"], len(fixtures.SEARCHABLE_IDS))
        self.assertGreater(stats["commit_seq"], 0)
        counts = {s["id"]: s["count"] for s in stats["styles"]}
        self.assertEqual(counts["fineline"], 4)  # 1, 2, 4 and the Manchester guest artist
        self.assertEqual(counts["japanese"], 2)
        # Built offline: every searchable artist measured, slots in cell order.
        self.assertEqual(stats["slot_layout"],
                         {"artists": len(fixtures.SEARCHABLE_IDS), "breaks": 0, "drift": 0})
        text = self.ok("stats", "--index", self.index).stdout
        self.assertRegex(text, r"documents:\s+%d" % len(fixtures.HANDWRITTEN))
        self.assertRegex(text, r"fineline\s+Fine")
        self.assertRegex(text, r"slot drift:\s+0\.000 \(0 breaks of cell order among %d artists"
                         % len(fixtures.SEARCHABLE_IDS))

    def test_verify(self):
        self.assertIn("ok", self.ok("verify", "--index", self.index).stdout)
        self.assertIn("--index", self.fails(1, "verify", "--index", self.path("none")).stderr)

    def test_repair_rebuilds_the_search_index_from_the_documents(self):
        copy = self.path("repair-index")
        shutil.copytree(self.index, copy)
        query = ("--text", "fine", "--limit", 50)
        before = self.search(copy, *query)
        # A search index that lost its files: repair rebuilds it whole.
        shutil.rmtree(os.path.join(copy, "text"))
        out = self.ok("repair", "--index", copy).stdout
        self.assertRegex(out, r"^renumbered the slots of and rebuilt the search index from %d "
                         r"documents" % len(fixtures.HANDWRITTEN))
        self.assertIn("store and search index agree", out)
        self.assertTrue(os.path.isdir(os.path.join(copy, "text")))
        after = self.search(copy, *query)
        for key in ("total", "hits", "facets"):
            self.assertEqual(after[key], before[key], key)
        self.assertGreater(before["total"], 0)
        # --keep-slots: the search index alone.
        shutil.rmtree(os.path.join(copy, "text"))
        out = self.ok("repair", "--keep-slots", "--index", copy).stdout
        self.assertRegex(out, r"^rebuilt the search index from %d documents" %
                         len(fixtures.HANDWRITTEN))
        self.assertEqual(self.search(copy, *query)["hits"], before["hits"])
        self.assertIn("--index", self.fails(1, "repair", "--index", self.path("none")).stderr)


def main():
    global BIN
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True, help="the inkdex binary")
    args, rest = parser.parse_known_args()
    BIN = os.path.abspath(args.bin)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
