#!/usr/bin/python3
"""Writes the "DynamoDB stream" section of the benchmark report from the
outputs of bench/stream/run.sh: the Google Benchmark JSON of
inkdex_stream_apply_bench (--benchmark_repetitions runs) and the JSON of each
bench/stream/freshness.py run.

    report.py --report REPORT --apply apply.json --freshness f1.json [f2.json...]
              [--scan-load scan.json]
              --commands COMMANDS_FILE --load-start "L1 L5 L15" --repo REPO

Only the section between the stream-bench markers is rewritten (appended
when missing), with bench/report.py's splice; the hand-written analysis in
bench/stream/ANALYSIS.md is carried into it. Medians are over the runs.
"""
import argparse
import datetime
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import report as bench_report  # noqa: E402 - bench/report.py: machine(), splice

BEGIN, END = bench_report.STREAM_BEGIN, bench_report.STREAM_END
APPLY_TARGET = 10000  # records/s
FRESHNESS_TARGET_MS = 1000  # p99

APPLY_ROWS = [
    ("parse_records/lean:0", "GetRecords text -> StreamRecords (ParseJson, ParseStreamRecord)", "-"),
    ("parse_records/lean:1", "the same without unread OldImages", "-"),
    ("read_page/premap:0", "a page read into trees without unread OldImages, each record mapped", "-"),
    ("read_page/premap:1", "a page read with its records mapped from the DOM (the stream reader's)", "-"),
    ("parse_record_texts/lean:0", "one record's text -> StreamRecord (ParseJson)", "-"),
    ("parse_record_texts/lean:1", "the same without unread OldImages (ApplyStreamRecords)", "-"),
    ("parse_and_map/direct:0", "one record's text parsed and mapped, general path", "-"),
    ("parse_and_map/direct:1", "the same by RecordMapper::ParseAndMap (ApplyStreamRecords)", "-"),
    ("map", "RecordMapper::Map only", "-"),
    ("index_apply/sync:1", "Index::Apply of the mapped batch (commit only)", "on"),
    ("index_apply/sync:0", "Index::Apply of the mapped batch (commit only)", "off"),
    ("apply_record_batch/sync:1", "StreamApplier::Apply (ApplyRecordBatch end to end)", "on"),
    ("apply_record_batch/sync:0", "StreamApplier::Apply (ApplyRecordBatch end to end)", "off"),
    ("read_shard/read_ahead:1/premap:1",
     "ShardReader over 10 pages, reading ahead, mapping as it reads (ms / batch: per 10 pages)", "on"),
    ("read_shard/read_ahead:1/premap:0", "the same, pages read into trees and mapped from them", "on"),
    ("read_shard/read_ahead:0/premap:1", "the same as the first, each commit before the next read", "on"),
]

# The end-to-end rows of the other record mixes: (benchmark, what).
MIX_ROWS = [
    ("apply_record_batch/sync:1", "sink, sync on"),
    ("apply_record_batch/sync:0", "sink, sync off"),
    ("read_shard/read_ahead:1/premap:1", "reader, read ahead (per 10 pages)"),
    ("read_shard/read_ahead:0/premap:1", "reader, no read ahead (per 10 pages)"),
]


def apply_runs(path):
    """{benchmark name without the min_time/real_time suffixes: [iteration runs]}."""
    with open(path) as f:
        data = json.load(f)
    runs = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") != "iteration":
            continue
        name = re.sub(r"/min_time:[0-9.]+", "", b.get("run_name", b["name"])).replace("/real_time", "")
        runs.setdefault(name, []).append(b)
    return data.get("context", {}), runs


def fmt(v, spec=",.0f"):
    return "-" if v is None else format(v, spec)


def section(args):
    mach = bench_report.machine()
    commit = bench_report.sh(["git", "-C", args.repo, "rev-parse", "--short", "HEAD"])
    dirty_note = bench_report.uncommitted_note(args.repo, ["lib", "service", "bench"])
    context, runs = apply_runs(args.apply)
    fresh = []
    for path in args.freshness:
        with open(path) as f:
            fresh.append(json.load(f))

    out = []
    w = out.append
    w(BEGIN)
    w("## DynamoDB stream: apply throughput and freshness (issue 4)")
    w("")
    w(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; "
      f"commit `{commit}`" + dirty_note)
    w(f"- CPU: {mach['cpu']}, {mach['cpus']} cores (`nproc`); memory {mach['memory']}; "
      f"Linux {mach['kernel']}. Release build.")
    w(f"- Load average (1, 5, 15 min) at the start: {args.load_start}; at the end: "
      f"{mach['load']}. The 2 cores are shared with other engineers' builds and tests, so "
      "wall-clock numbers are noisy; medians over the runs are shown.")
    w("")
    bench_report.write_commands(w, args.commands_text)

    w("### Apply throughput (stream records into the index)")
    w("")
    w(f"ShardBatches of {context.get('inkdex_records_per_batch', '?')} records "
      f"({context.get('inkdex_mix', '?')}) applied to a copy of the "
      f"{int(context.get('inkdex_existing_artists', '0')):,}-artist benchmark index, one commit "
      "per batch holding the changes and the shard checkpoint; bench/stream/apply_bench.cc "
      "describes the records (synthetic artists of the data model as DynamoDB images, "
      "NEW_AND_OLD_IMAGES). Records/s is wall-clock; CPU ms is the benchmark thread's CPU per "
      "batch (the indexing threads Index::Apply starts are not in it).")
    w("")
    w("| Benchmark | What | sync | records/s (median) | min - max | ms / batch | CPU ms / batch | runs |")
    w("|---|---|---|---:|---:|---:|---:|---:|")
    medians = {}
    for name, what, sync in APPLY_ROWS:
        rs = runs.get(name, [])
        ok = [r for r in rs if not r.get("error_occurred")]
        if not ok:
            err = rs[0].get("error_message", "not run") if rs else "not run"
            w(f"| `{name}` | {what} | {sync} | {err} | | | | 0 |")
            continue
        ips = [r["items_per_second"] for r in ok]
        medians[name] = statistics.median(ips)
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
        real = statistics.median(r["real_time"] * scale[r.get("time_unit", "ns")] for r in ok)
        cpu = statistics.median(r["cpu_time"] * scale[r.get("time_unit", "ns")] for r in ok)
        w(f"| `{name}` | {what} | {sync} | {medians[name]:,.0f} | {min(ips):,.0f} - "
          f"{max(ips):,.0f} | {real:.1f} | {cpu:.1f} | {len(ok)} |")
    w("")
    mix_medians = {}
    if args.apply_mix:
        w("The same end to end (`apply_record_batch`) with other record mixes: the one above "
          "is a stress mix (every MODIFY renames the artist, so its search document is "
          "rewritten); an update that changes no indexed text (a new review, availability) "
          "leaves the search document alone (content hash), which is what most of the "
          "directory's updates are.")
        w("")
        w("| Mix | what | records/s (median) | min - max | ms / batch | runs |")
        w("|---|---|---:|---:|---:|---:|")
        for spec in args.apply_mix:
            label, _, path = spec.partition("=")
            mix_context, mix_runs = apply_runs(path)
            for name, what in MIX_ROWS:
                ok = [r for r in mix_runs.get(name, []) if not r.get("error_occurred")]
                if not ok:
                    w(f"| {label} | {what} | not run | | | 0 |")
                    continue
                ips = [r["items_per_second"] for r in ok]
                scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
                real = statistics.median(r["real_time"] * scale[r.get("time_unit", "ns")]
                                         for r in ok)
                if name in ("apply_record_batch/sync:1", "read_shard/read_ahead:1/premap:1"):
                    mix_medians[(label, name)] = statistics.median(ips)
                w(f"| {label} ({mix_context.get('inkdex_mix', '?')}; "
                  f"{int(mix_context.get('inkdex_existing_artists', '0')):,} artists) | "
                  f"{what} | {statistics.median(ips):,.0f} | "
                  f"{min(ips):,.0f} - {max(ips):,.0f} | {real:.1f} | {len(ok)} |")
        w("")

    w("### Freshness (PutItem acknowledged by DynamoDB Local -> returned by Search over gRPC)")
    w("")
    if fresh:
        c = fresh[0]["config"]
        extra = " ".join(fresh[0].get("server_args") or []) or "none (defaults)"
        w(f"A table of {c['artists']:,} synthetic artists, bootstrapped by inkdex-server "
          f"--stream-table (server flags beyond the table and endpoint: {extra}); then a paced "
          f"phase of {c['writes']:,} PutItems at {c['rate']:g}/s on {c['writers']} threads and a "
          f"burst of {c['burst']:,} back to back on {c['burst_writers']} threads; "
          f"{c['insert_share'] * 100:.0f}% insert a new artist, the rest rewrite an existing one "
          "(a whole-item PutItem: MODIFY) with a new name. Each name carries a unique token; a "
          f"poller searches (text = token, point = the artist's location) every {c['poll_ms']:g} "
          "ms for every write not yet seen, so a time includes up to one polling round and one "
          "Search call. Unseen = never returned within "
          f"{c['settle_s']:g} s after the phase (must be 0).")
    w("")
    w("| Run | Phase | writes | writes/s | unseen | p50 | p90 | p99 | max | PutItem p50 | PutItem p99 | load at end |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    per_phase = {}
    for i, f in enumerate(fresh, 1):
        for phase in ("paced", "burst"):
            p = f["phases"].get(phase)
            if not p:
                continue
            per_phase.setdefault(phase, []).append(p)
            put = p.get("putitem", {})
            w(f"| {i} | {phase} | {p['writes']:,} | {p['writes_per_s']:,.1f} | {p['unseen']} | "
              f"{fmt(p['p50_ms'])} ms | {fmt(p['p90_ms'])} ms | {fmt(p['p99_ms'])} ms | "
              f"{fmt(p['max_ms'])} ms | {fmt(put.get('p50_ms'), '.1f')} ms | "
              f"{fmt(put.get('p99_ms'), '.1f')} ms | "
              f"{', '.join(f'{x:.2f}' for x in f['loadavg_end'])} |")
    for phase, ps in per_phase.items():
        def med(key, ps=ps):
            vals = [p[key] for p in ps if p[key] is not None]
            return statistics.median(vals) if vals else None
        w(f"| median | {phase} | | | {sum(p['unseen'] for p in ps)} (total) | "
          f"{fmt(med('p50_ms'))} ms | {fmt(med('p90_ms'))} ms | {fmt(med('p99_ms'))} ms | "
          f"{fmt(med('max_ms'))} ms | | | |")
    w("")
    if fresh:
        w("Stream metrics of the last run's server at its end:")
        w("")
        w("```")
        for line in fresh[-1]["metrics"]:
            if line.startswith("inkdex_stream_") and not line.endswith(" 0"):
                w(line)
        w("```")
        w("")

    if args.scan_load:
        with open(args.scan_load) as f:
            scan = json.load(f)
        w("### Reading a table (bench/stream/scan_load.py)")
        w("")
        w(f"{scan['artists']:,} synthetic artists served as Scan pages of 1,000 items by a local "
          f"endpoint (pages held in memory), {scan['segments']} segments: `inkdex build "
          "--from-dynamodb`, and a table load (the server's bootstrap and re-sync, run by "
          "`inkdex verify --against-dynamodb`: the load, then one compare pass), each with the "
          "items read from each page's DOM (the default) and through nlohmann trees (a mapping "
          "the DOM readers do not serve). Every built index was verified equal to the table.")
        w("")
        w("| What | Reading | artists/s (median) | wall s (median) | CPU s (median) | runs |")
        w("|---|---|---:|---:|---:|---:|")
        groups = {}
        for r in scan["runs"]:
            groups.setdefault((r["what"], r["reading"]), []).append(r)
        for (what, reading), rs in groups.items():
            w(f"| {what} | {reading} | "
              f"{statistics.median(r['artists_per_s'] for r in rs):,.0f} | "
              f"{statistics.median(r['wall_s'] for r in rs):.2f} | "
              f"{statistics.median(r['cpu_s'] for r in rs):.2f} | {len(rs)} |")
        w("")

    w("### Targets")
    w("")
    w("| Target | Limit | Measured | |")
    w("|---|---:|---:|---|")
    ips = medians.get("apply_record_batch/sync:1")
    w(f"| apply throughput (`apply_record_batch/sync:1`, median) | >= {APPLY_TARGET:,} records/s | "
      f"{fmt(ips)} records/s | {'met' if ips and ips >= APPLY_TARGET else '**missed**'} |")
    ips = medians.get("read_shard/read_ahead:1/premap:1")
    w(f"| reader throughput (`read_shard/read_ahead:1/premap:1`, median) | >= {APPLY_TARGET:,} records/s | "
      f"{fmt(ips)} records/s | {'met' if ips and ips >= APPLY_TARGET else '**missed**'} |")
    for (label, name), v in mix_medians.items():
        w(f"| apply throughput, {label} mix (`{name}`, median) | >= {APPLY_TARGET:,} records/s | "
          f"{fmt(v)} records/s | {'met' if v >= APPLY_TARGET else '**missed**'} |")
    paced = per_phase.get("paced", [])
    worst = max((p["p99_ms"] for p in paced if p["p99_ms"] is not None), default=None)
    unseen = sum(p["unseen"] for p in paced)
    ok = worst is not None and worst <= FRESHNESS_TARGET_MS and unseen == 0
    w(f"| freshness p99 (paced phase, worst of {len(paced)} runs; unseen {unseen}) | "
      f"<= {FRESHNESS_TARGET_MS:,} ms | {fmt(worst)} ms | {'met' if ok else '**missed**'} |")
    w("")
    bench_report.append_analysis(w, "stream")
    w(END)
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--report", required=True, help="the report to splice the section into")
    ap.add_argument("--apply", required=True, help="inkdex_stream_apply_bench JSON")
    ap.add_argument("--apply-mix", action="append", default=[], metavar="LABEL=JSON",
                    help="inkdex_stream_apply_bench JSON of another record mix (repeatable)")
    ap.add_argument("--freshness", nargs="+", default=[], help="freshness.py JSON files")
    ap.add_argument("--scan-load", help="scan_load.py JSON")
    ap.add_argument("--commands", required=True, help="file with the commands run")
    ap.add_argument("--load-start", required=True, help="load average when the run started")
    ap.add_argument("--repo", required=True)
    args = ap.parse_args()
    with open(args.commands) as f:
        args.commands_text = f.read().strip()
    bench_report.splice_serve(args.report, section(args), BEGIN, END)


if __name__ == "__main__":
    main()
