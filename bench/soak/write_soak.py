#!/usr/bin/python3
"""Memory and disk of inkdex-server under a long run of writes: does either
keep growing while the number of artists stays the same?

    bench/soak/write_soak.py --build-dir BUILD --index DIR [--minutes 10]
        [--batch 500] [--rate 2000] [--new-strings 0.2] [--json OUT]

What it does:
  1. copies DIR (an index built by `inkdex build`, e.g. the benchmark's
     BUILD/bench-data/100000) and starts BUILD/bin/inkdex-server on the copy
     with a write token;
  2. reads every artist once (Admin.ExportArtists);
  3. for --minutes, sends UpsertArtists batches of --batch artists at
     --rate artists/s, each artist rewritten with a newer version: a new
     name (every write: its search document changes), a move of up to ~10 km,
     and with probability --new-strings a studio name and location display
     no artist had before (strings the server interns for its rows);
  4. every 10 s samples the server's RSS (/proc/PID/status VmRSS) and
     GetStats (disk_bytes, the index's size on disk; memory_bytes: rows,
     indexes and interned strings), and prints a line.

Prints the samples and a summary: RSS and disk at the first sample after
the warm-up minute and at the end, the growth per million writes, and the
writes/s achieved. Artists stay the same set (rewrites only), so a bounded
server ends near where the warm-up left it.

Runs with /usr/bin/python3 (Debian's grpcio); the stubs come from
BUILD/tests/service/py.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build-dir", required=True)
    p.add_argument("--index", required=True, help="an index directory to copy and serve")
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--rate", type=float, default=2000, help="artists written per second")
    p.add_argument("--new-strings", type=float, default=0.2,
                   help="share of writes with a never-seen studio name and location display")
    p.add_argument("--sample-s", type=float, default=10)
    p.add_argument("--json", help="write the samples and summary here")
    return p.parse_args()


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    args = parse_args()
    build = os.path.abspath(args.build_dir)
    sys.path.insert(0, os.path.join(build, "tests", "service", "py"))
    import grpc  # noqa: E402
    from inkdex.v1 import artist_search_pb2 as pb  # noqa: E402
    from inkdex.v1 import artist_search_pb2_grpc as pb_grpc  # noqa: E402

    work = tempfile.mkdtemp(prefix="inkdex-soak-")
    index = os.path.join(work, "index")
    shutil.copytree(args.index, index)
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write("soak-token\n")
    server = subprocess.Popen(
        [os.path.join(build, "bin", "inkdex-server"), "--index", index,
         "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
         "--write-token-file", token_file, "--log-level", "warn"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = None
        deadline = time.monotonic() + 120
        while address is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("event") == "listening":
                address = event["grpc"]
        if address is None:
            sys.exit("inkdex-server did not report its address")
        channel = grpc.insecure_channel(address, options=[
            ("grpc.max_receive_message_length", 64 << 20),
            ("grpc.max_send_message_length", 64 << 20)])
        search = pb_grpc.ArtistSearchStub(channel)
        admin = pb_grpc.AdminStub(channel)
        metadata = (("authorization", "Bearer soak-token"),)

        artists = []
        for chunk in admin.ExportArtists(pb.ExportArtistsRequest(), metadata=metadata,
                                         timeout=600):
            artists.extend(chunk.artists)
        print("soak: %d artists from %s, %s artists/s in batches of %d for %.1f min" %
              (len(artists), args.index, args.rate, args.batch, args.minutes), flush=True)

        rng = random.Random(7)
        samples = []
        written = applied = 0
        fresh = 0
        start = time.monotonic()
        next_sample = start
        end = start + args.minutes * 60
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_sample:
                stats = search.GetStats(pb.GetStatsRequest(), timeout=30)
                sample = {"t_s": round(now - start, 1), "written": written,
                          "rss_mb": round(rss_mb(server.pid), 1),
                          "disk_mb": round(stats.disk_bytes / 1e6, 1),
                          "documents": stats.documents,
                          "index_memory_mb": round(stats.memory_bytes / 1e6, 1)}
                samples.append(sample)
                print("soak: %(t_s)7.1f s  %(written)9d written  RSS %(rss_mb)8.1f MB  "
                      "index memory %(index_memory_mb)7.1f MB  disk %(disk_mb)8.1f MB  "
                      "%(documents)d documents" % sample, flush=True)
                next_sample += args.sample_s
            batch = []
            for _ in range(args.batch):
                i = rng.randrange(len(artists))
                a = type(artists[i])()
                a.CopyFrom(artists[i])
                a.version += 1  # newer than every earlier write of the artist
                a.name = "Soak %08x" % rng.getrandbits(32)
                a.location.latitude = max(-89.0, min(89.0, a.location.latitude +
                                                     rng.uniform(-0.1, 0.1)))
                a.location.longitude = max(-179.0, min(179.0, a.location.longitude +
                                                       rng.uniform(-0.1, 0.1)))
                if rng.random() < args.new_strings:
                    fresh += 1
                    a.studio.name = "Studio %d" % fresh
                    a.location.display = "Street %d, %s" % (fresh, a.location.city)
                artists[i] = a
                batch.append(a)
            response = search.UpsertArtists(pb.UpsertArtistsRequest(artists=batch),
                                            metadata=metadata, timeout=60)
            applied += sum(r.outcome == pb.WriteResult.OUTCOME_APPLIED for r in response.results)
            written += len(batch)
            lag = start + written / args.rate - time.monotonic()
            if lag > 0:
                time.sleep(lag)
        elapsed = time.monotonic() - start
        warm = next((s for s in samples if s["t_s"] >= 60), samples[0])
        last = samples[-1]
        per_million = (last["written"] - warm["written"]) / 1e6 or 1
        summary = {
            "artists": len(artists), "written": written, "applied": applied,
            "writes_per_s": round(written / elapsed),
            "rss_mb_after_warmup": warm["rss_mb"], "rss_mb_end": last["rss_mb"],
            "rss_mb_per_million_writes": round((last["rss_mb"] - warm["rss_mb"]) / per_million, 1),
            "disk_mb_after_warmup": warm["disk_mb"], "disk_mb_end": last["disk_mb"],
            "disk_mb_per_million_writes": round((last["disk_mb"] - warm["disk_mb"]) / per_million,
                                                1),
            "new_strings": fresh,
        }
        print("soak: " + json.dumps(summary), flush=True)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"args": vars(args), "samples": samples, "summary": summary}, f,
                          indent=1)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
