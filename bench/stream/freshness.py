#!/usr/bin/python3
"""Freshness of inkdex-server following a DynamoDB table's stream (issue 4,
"Speed": from a PutItem acknowledged by DynamoDB Local to the artist being
returned by Search over gRPC, p99 <= 1 s over at least 1,000 writes).

    bench/stream/freshness.py --build-dir BUILD [--artists 10000]
        [--writes 1000 --rate 20 --writers 4] [--burst 500 --burst-writers 8]
        [--commit-interval-ms MS] [--server-arg=--flag=value ...] [--json OUT]

What it does:
  1. starts DynamoDB Local (tests/dynamodb/dynamodb_local.py, in memory) and
     creates the directory table (NEW_AND_OLD_IMAGES stream) holding
     --artists synthetic artists (`inkdex synth --seed 42`, the data model's
     full shape) written with BatchWriteItem;
  2. starts BUILD/bin/inkdex-server --stream-table on it (production flags
     unless given: --commit-interval-ms etc. at their defaults), waits for
     the bootstrap scan to finish (health SERVING, every artist indexed);
  3. paced phase: --writes PutItems at --rate per second, on --writers
     threads so that a slow PutItem does not delay the schedule; burst
     phase: --burst PutItems as fast as --burst-writers threads go. Each
     write either inserts a new artist (synthetic records after the table's)
     or rewrites an existing one (a whole-item PutItem, a MODIFY record)
     with a new name; either way the name carries a token no other write
     uses;
  4. a poller sends Search(text=<token>, point=<artist's location>) for every
     write not yet seen, round-robin, every --poll-ms; a write is seen when
     a response lists its artist id. Freshness = (when that response
     arrived) - (when PutItem returned), so it includes up to one polling
     interval plus one Search call;
  5. after the last write, waits up to --settle-s for the stragglers, then
     scrapes the server's inkdex_stream_* metrics.

Prints a summary and (--json) writes per phase: count, p50/p90/p99/max in
milliseconds, unseen (writes never returned within --settle-s: must be 0),
the PutItem latency, plus the configuration, machine load and metrics.

Runs with /usr/bin/python3 (Debian's boto3 and grpcio); the stubs and test
helpers come from BUILD/tests/service/py, tests/service, tests/dynamodb and
tests/stream_e2e. Exit status 1 when a write was never seen.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", required=True, help="build directory (bin/, tests/service/py)")
    ap.add_argument("--artists", type=int, default=10000, help="artists in the table at start")
    ap.add_argument("--writes", type=int, default=1000, help="paced phase: PutItems")
    ap.add_argument("--rate", type=float, default=20.0, help="paced phase: PutItems per second")
    ap.add_argument("--writers", type=int, default=4, help="paced phase: writer threads")
    ap.add_argument("--burst", type=int, default=500, help="burst phase: PutItems (0: none)")
    ap.add_argument("--burst-writers", type=int, default=8, help="burst phase: writer threads")
    ap.add_argument("--insert-share", type=float, default=0.5,
                    help="share of writes that insert a new artist (the rest rename one)")
    ap.add_argument("--poll-ms", type=float, default=10.0,
                    help="pause between polling rounds over the unseen writes")
    ap.add_argument("--settle-s", type=float, default=30.0,
                    help="after the last write, how long to wait for unseen ones")
    ap.add_argument("--commit-interval-ms", type=int, default=None,
                    help="passed to inkdex-server (default: the server's default)")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra inkdex-server argument (repeatable), e.g. "
                         "--server-arg=--scan-segments=4")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    if args.writes < 1 or args.rate <= 0 or args.writers < 1 or args.burst < 0:
        ap.error("--writes, --rate and --writers must be positive, --burst >= 0")
    if args.burst and args.burst_writers < 1:
        ap.error("--burst-writers must be positive")
    return args


def setup_paths(build):
    os.environ.setdefault("INKDEX_BIN", os.path.join(build, "bin", "inkdex"))
    os.environ.setdefault("INKDEX_SERVER_BIN", os.path.join(build, "bin", "inkdex-server"))
    for path in (os.path.join(build, "tests", "service", "py"),
                 os.path.join(REPO, "tests", "service"),
                 os.path.join(REPO, "tests", "dynamodb"),
                 os.path.join(REPO, "tests", "stream_e2e")):
        sys.path.insert(0, path)


def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, int(-(-q * len(sorted_values) // 100)))  # ceil(q/100 * n)
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(values_s):
    v = sorted(x * 1000.0 for x in values_s)
    return {"count": len(v), "p50_ms": percentile(v, 50), "p90_ms": percentile(v, 90),
            "p99_ms": percentile(v, 99), "max_ms": v[-1] if v else None,
            "mean_ms": sum(v) / len(v) if v else None}


def searchable(record):
    return not record.get("opted_out", False) and record.get("isActive", True)


def token_of(n):
    """A unique, letters-only word for write n ("zq" + 6 letters)."""
    letters = []
    x = n + 26 ** 5  # fixed length: 6 letters
    for _ in range(6):
        letters.append(chr(ord("a") + x % 26))
        x //= 26
    return "zq" + "".join(reversed(letters))


def synth_records(count, today):
    """`inkdex synth --seed 42` records 0..count-1 (plain JSON objects)."""
    proc = subprocess.run([os.environ["INKDEX_BIN"], "synth", "--count", str(count), "--seed",
                           "42", "--today", today, "--out", "-", "--quiet"],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit("inkdex synth failed (exit %d): %s" % (proc.returncode, proc.stderr))
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


class Write:
    __slots__ = ("n", "phase", "kind", "artist_id", "token", "lat", "lon", "acked", "seen",
                 "put_s")

    def __init__(self, n, phase, kind, artist_id, token, lat, lon):
        self.n, self.phase, self.kind = n, phase, kind
        self.artist_id, self.token, self.lat, self.lon = artist_id, token, lat, lon
        self.acked = None  # monotonic time PutItem returned
        self.seen = None   # monotonic time a Search response listed it
        self.put_s = None  # PutItem latency


class Poller(threading.Thread):
    """Searches for every acknowledged, unseen write until stopped."""

    def __init__(self, stub, pb, poll_s, on_seen):
        super().__init__(daemon=True)
        self.on_seen = on_seen
        self.stub, self.pb, self.poll_s = stub, pb, poll_s
        self.lock = threading.Lock()
        self.pending = []
        self.stop_event = threading.Event()
        self.searches = 0
        self.errors = 0

    def add(self, write):
        with self.lock:
            self.pending.append(write)

    def unseen(self):
        with self.lock:
            return len(self.pending)

    def run(self):
        while not self.stop_event.is_set():
            with self.lock:
                batch = list(self.pending)
            for w in batch:
                request = self.pb.SearchRequest(text=w.token,
                                                point=self.pb.LatLng(lat=w.lat, lon=w.lon),
                                                limit=10)
                try:
                    reply = self.stub.Search(request, timeout=5)
                except Exception:  # noqa: BLE001 - counted; the write stays pending
                    self.errors += 1
                    continue
                now = time.monotonic()
                self.searches += 1
                if any(hit.id == w.artist_id for hit in reply.hits):
                    w.seen = now
                    with self.lock:
                        self.pending.remove(w)
                    self.on_seen(w)
            self.stop_event.wait(self.poll_s)


def run_phase(name, writes, writers, rate, table, poller, plan):
    """Runs `writes` PutItems (plan(n) -> (Write, item)); at `rate`/s when
    rate, else back to back; on `writers` threads."""
    out = []
    lock = threading.Lock()
    next_index = [0]
    start = time.monotonic() + 0.05
    errors = []

    def worker():
        client_table = table
        while True:
            with lock:
                i = next_index[0]
                if i >= writes:
                    return
                next_index[0] += 1
                w, item = plan(name)
                out.append(w)
            if rate:
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            t0 = time.monotonic()
            try:
                client_table.put_item(item)
            except Exception as e:  # noqa: BLE001 - reported, the run fails
                errors.append(repr(e))
                continue
            w.acked = time.monotonic()
            w.put_s = w.acked - t0
            poller.add(w)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(writers)]
    t_begin = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t_begin
    if errors:
        raise SystemExit("%s: %d PutItems failed, first: %s" % (name, len(errors), errors[0]))
    return out, elapsed


def stream_metrics(text):
    return [line for line in text.splitlines()
            if line.startswith("inkdex_stream_") or line.startswith("inkdex_index_")]


def main(argv):
    args = parse_args(argv)
    build = os.path.abspath(args.build_dir)
    setup_paths(build)
    import dynamodb_local as ddbl  # noqa: E402 - paths set above
    import directory_table as dt
    import stream_fixture as sf
    from server_fixture import Server, make_temp_dir, pb

    class FollowingServer(sf.StreamServer):
        """StreamServer's helpers, with this tool's flags instead of the tests'
        (which shorten --commit-interval-ms)."""

        def __init__(self, index_dir, **kwargs):
            Server.__init__(self, index_dir, **kwargs)  # pylint: disable=non-parent-init-called

    rng = random.Random(args.seed)
    today = "2026-11-29"
    total_new = args.writes + args.burst  # enough for any insert share
    t = time.monotonic()
    records = synth_records(args.artists + total_new, today)
    base, spare = records[:args.artists], records[args.artists:]
    print("synth: %d records in %.1f s" % (len(records), time.monotonic() - t), flush=True)

    ddb = ddbl.DynamoDBLocal()
    try:
        ddb.create_directory_table("directory")
        t = time.monotonic()
        items = []
        for r in base:
            item = dt.to_attribute_values(r)
            item.update(dt.artist_key(r["artistId"]))
            items.append(item)

        def load(chunk):
            client = ddb.client(read_timeout=60)
            try:
                for s in range(0, len(chunk), 25):
                    requests = [{"PutRequest": {"Item": it}} for it in chunk[s:s + 25]]
                    while requests:
                        reply = client.batch_write_item(RequestItems={"directory": requests})
                        requests = reply.get("UnprocessedItems", {}).get("directory", [])
            finally:
                client.close()

        loaders = [threading.Thread(target=load, args=(items[k::4],)) for k in range(4)]
        for th in loaders:
            th.start()
        for th in loaders:
            th.join()
        print("table: %d artists written in %.1f s" % (len(items), time.monotonic() - t),
              flush=True)

        root = make_temp_dir("inkdex-freshness-")
        server_args = ["--stream-table", "directory", "--dynamodb-endpoint", ddb.endpoint]
        if args.commit_interval_ms is not None:
            server_args += ["--commit-interval-ms", str(args.commit_interval_ms)]
        server_args += args.server_arg
        t = time.monotonic()
        server = FollowingServer(os.path.join(root, "index"), extra_args=server_args,
                                 env=ddbl.env_without_aws(make_temp_dir("inkdex-freshness-home-")),
                                 start_timeout=60)
        try:
            server.wait_serving(timeout=300)
            deadline = time.monotonic() + 300
            while server.search.GetStats(pb.GetStatsRequest(), timeout=10).documents < len(base):
                if time.monotonic() > deadline:
                    raise SystemExit("the bootstrap did not index %d artists" % len(base))
                time.sleep(0.1)
            print("server: bootstrapped %d artists in %.1f s" % (len(base), time.monotonic() - t),
                  flush=True)

            # Each write's artist: a new one (from `spare`) or an existing one.
            known = {r["artistId"]: r for r in base}
            # Hidden artists (opted out, inactive) are never returned by
            # Search: writes go to searchable ones only.
            known_ids = [i for i, r in known.items() if searchable(r)]
            spare[:] = [r for r in spare if searchable(r)]
            counter = [0]
            # Artists with a write not yet seen: not rewritten until it is, or
            # the later write could hide the earlier one's token for good.
            busy = set()
            busy_lock = threading.Lock()

            def on_seen(w):
                with busy_lock:
                    busy.discard(w.artist_id)

            def plan(phase):
                n = counter[0]
                counter[0] += 1
                token = token_of(n)
                if spare and rng.random() < args.insert_share:
                    record = dict(spare.pop())
                    kind = "insert"
                    known_ids.append(record["artistId"])
                else:
                    while True:
                        artist_id = rng.choice(known_ids)
                        with busy_lock:
                            if artist_id not in busy:
                                break
                    record = dict(known[artist_id])
                    kind = "rename"
                with busy_lock:
                    busy.add(record["artistId"])
                name = record.get("artistName", "")
                record["artistName"] = "%s %s" % (re.sub(r" zq[a-z]{6}$", "", name), token)
                known[record["artistId"]] = record
                item = dt.to_attribute_values(record)
                item.update(dt.artist_key(record["artistId"]))
                return (Write(n, phase, kind, record["artistId"], token, record["latitude"],
                              record["longitude"]), item)

            poller = Poller(server.search, pb, args.poll_ms / 1000.0, on_seen)
            poller.start()
            writer_tables = dt.DirectoryTable(ddb.client(read_timeout=30), ddb.streams,
                                              "directory")
            phases = [("paced", args.writes, args.writers, args.rate)]
            if args.burst:
                phases.append(("burst", args.burst, args.burst_writers, None))
            all_writes = []
            elapsed = {}
            for name, count, writers, rate in phases:
                print("%s: %d writes%s on %d threads" %
                      (name, count, " at %g/s" % rate if rate else " back to back", writers),
                      flush=True)
                done, elapsed[name] = run_phase(name, count, writers, rate, writer_tables,
                                                poller, plan)
                all_writes += done
                # Let the phase drain before the next starts.
                deadline = time.monotonic() + args.settle_s
                while poller.unseen() and time.monotonic() < deadline:
                    time.sleep(0.05)
            poller.stop_event.set()
            poller.join(timeout=10)
            metrics_text = server.metrics()
            load = os.getloadavg()
        finally:
            code = server.stop()
    finally:
        ddb.stop()

    result = {
        "config": {k: v for k, v in vars(args).items() if k != "json"},
        "server_args": server_args[4:] if len(server_args) > 4 else [],
        "server_exit": code,
        "nproc": os.cpu_count(),
        "loadavg_end": load,
        "searches": poller.searches,
        "search_errors": poller.errors,
        "phases": {},
        "metrics": stream_metrics(metrics_text),
    }
    unseen_total = 0
    for name, _, _, _ in phases:
        ws = [w for w in all_writes if w.phase == name]
        seen = [w.seen - w.acked for w in ws if w.seen is not None]
        unseen = sum(1 for w in ws if w.seen is None)
        unseen_total += unseen
        phase = summarize(seen)
        phase.update({"writes": len(ws), "unseen": unseen,
                      "inserts": sum(1 for w in ws if w.kind == "insert"),
                      "renames": sum(1 for w in ws if w.kind == "rename"),
                      "seconds": round(elapsed[name], 2),
                      "writes_per_s": round(len(ws) / elapsed[name], 1),
                      "putitem": summarize([w.put_s for w in ws])})
        result["phases"][name] = phase
    seen_all = [w.seen - w.acked for w in all_writes if w.seen is not None]
    result["phases"]["all"] = dict(summarize(seen_all), writes=len(all_writes),
                                   unseen=unseen_total)

    for name, p in result["phases"].items():
        if p["count"]:
            print("%-6s writes %5d  unseen %d  freshness p50 %7.1f ms  p90 %7.1f  p99 %7.1f  "
                  "max %7.1f" % (name, p["writes"], p["unseen"], p["p50_ms"], p["p90_ms"],
                                 p["p99_ms"], p["max_ms"]))
        else:
            print("%-6s writes %5d  unseen %d" % (name, p["writes"], p["unseen"]))
    print("searches %d (errors %d); load average %.2f %.2f %.2f" %
          ((poller.searches, poller.errors) + tuple(load)))
    for line in result["metrics"]:
        if line.startswith("inkdex_stream_"):
            print(line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 1 if unseen_total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
