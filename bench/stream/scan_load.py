#!/usr/bin/python3
"""How fast inkdex reads a DynamoDB table, less DynamoDB: `inkdex build
--from-dynamodb` (a parallel Scan, items written as lines into the build
pipeline) and a table load (stream::LoadTable, inkdex-server's bootstrap
and re-sync, run here by `inkdex verify --against-dynamodb`, which loads
the table into a scratch index and compares it with an index), against a
local endpoint that answers Scans (Segment/TotalSegments, LastEvaluatedKey
paging) from pages prepared in memory: the time is inkdex's (reading and
mapping pages, building the index), not the emulator's. DynamoDB Local's
own scan is far slower than DynamoDB's.

    scan_load.py --build-dir BUILD [--artists 100000] [--segments 2]
                 [--rounds 2] [--json OUT]

The table holds `inkdex synth --seed 42` artists as the data model's items
(tests/dynamodb/directory_table.py), in pages of 1,000 items. Each round
runs both readings, in alternating order: the default mapping, where items
are read straight from each page's simdjson DOM (stream::ArtistItemLine for
the build, RecordMapper::ParseScanPage for the load), and a mapping file
that renames a field to itself, which those do not serve (every item
through nlohmann trees, as before the thirty-seventh session). Each reading
builds an index, then verifies it against the table (so a build that read
an item differently fails the run). Prints wall and CPU seconds (user +
sys) and artists/s for each build and each verify.
"""
import argparse
import http.server
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "dynamodb"))
import directory_table as dt  # noqa: E402

PAGE_ITEMS = 1000


def synth_items(inkdex, count):
    proc = subprocess.run([inkdex, "synth", "--count", str(count), "--seed", "42", "--out", "-",
                           "--quiet"], capture_output=True, text=True, check=True)
    items = []
    for line in proc.stdout.splitlines():
        if line.strip():
            record = json.loads(line)
            item = dt.to_attribute_values(record)
            item.update(dt.artist_key(record["artistId"]))
            items.append(item)
    return items


class ScanTable:
    """Scan answers by (segment, total segments, page): each segment of the
    table is its share of the items, in pages of PAGE_ITEMS."""

    def __init__(self, items):
        self.items = items
        self.cache = {}
        self.lock = threading.Lock()

    def answer(self, segment, total, page):
        key = (segment, total, page)
        with self.lock:
            if key in self.cache:
                return self.cache[key]
        share = self.items[segment::total]
        chunk = share[page * PAGE_ITEMS:(page + 1) * PAGE_ITEMS]
        body = {"Items": chunk, "Count": len(chunk), "ScannedCount": len(chunk)}
        if (page + 1) * PAGE_ITEMS < len(share):
            body["LastEvaluatedKey"] = {"PK": {"S": "page"}, "SK": {"S": str(page + 1)}}
        text = json.dumps(body).encode()
        with self.lock:
            self.cache[key] = text
        return text


def serve(table):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
            target = self.headers.get("X-Amz-Target", "")
            if target.endswith(".DescribeTable"):
                body = json.dumps({"Table": {
                    "TableName": request["TableName"], "TableStatus": "ACTIVE",
                    "ItemCount": len(table.items),
                    "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"},
                                  {"AttributeName": "SK", "KeyType": "RANGE"}]}}).encode()
            elif target.endswith(".Scan"):
                start = request.get("ExclusiveStartKey")
                page = int(start["SK"]["S"]) if start else 0
                body = table.answer(request.get("Segment", 0), request.get("TotalSegments", 1),
                                    page)
            else:
                self.send_response(400)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(command):
    """(wall s, CPU s) of one inkdex command, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit("%s failed (exit %d): %s%s" % (" ".join(command[:2]), proc.returncode,
                                                        proc.stdout[-2000:], proc.stderr[-2000:]))
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--artists", type=int, default=100000)
    ap.add_argument("--segments", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", help="write the runs here")
    args = ap.parse_args(argv)
    inkdex = os.path.join(args.build_dir, "bin", "inkdex")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "scanload")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "scanload")
    os.environ.setdefault("AWS_REGION", "us-east-1")
    items = synth_items(inkdex, args.artists)
    table = ScanTable(items)
    server = serve(table)
    endpoint = "http://127.0.0.1:%d" % server.server_address[1]
    runs = []
    with tempfile.TemporaryDirectory(prefix="inkdex-scan-load-") as workdir:
        general = os.path.join(workdir, "general-mapping.json")
        with open(general, "w") as f:
            json.dump({"fields": {"artistName": "artistName"}}, f)
        scan = ["--dynamodb-endpoint", endpoint, "--segments", str(args.segments)]
        readings = [("mapped as parsed", []), ("through trees", ["--mapping", general])]
        for r in range(-1, args.rounds):  # round 0 warms the endpoint and the page cache
            order = readings if r % 2 == 0 else list(reversed(readings))
            for label, extra in order:
                index = os.path.join(workdir, "index")
                shutil.rmtree(index, ignore_errors=True)
                build = run([inkdex, "build", "--from-dynamodb", "directory", "--index", index,
                             "--progress", "off", "--no-verify"] + scan + extra)
                load = run([inkdex, "verify", "--index", index, "--against-dynamodb",
                            "directory", "--scratch-dir", workdir] + scan + extra)
                if r < 0:
                    continue
                for what, (wall, cpu) in (("build", build), ("table load + compare", load)):
                    runs.append({"round": r + 1, "reading": label, "what": what, "wall_s": wall,
                                 "cpu_s": cpu, "artists_per_s": args.artists / wall})
                    print("round %d  %-16s  %-20s  wall %6.2f s  cpu %6.2f s  %8.0f artists/s"
                          % (r + 1, label, what, wall, cpu, args.artists / wall), flush=True)
    server.shutdown()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"artists": args.artists, "segments": args.segments, "runs": runs}, f,
                      indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
