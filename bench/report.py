#!/usr/bin/python3
"""Turns the benchmark outputs into bench/RESULTS.md (Markdown on stdout).

Inputs: the Google Benchmark JSON of inkdex_search_bench
(--benchmark_out_format=json), the JSON objects inkdex_build_bench writes
(one per index size), and a text file holding the exact commands run.

The "gRPC service" section comes from inkdex_load's JSON (bench/serve_bench.sh):
  report.py --splice-serve REPORT --serve serve-N.json... --commands F --repo R
rewrites that section of REPORT in place (appending it when missing) and
leaves the rest alone. A full report (bench/run.sh) given --previous REPORT
carries that section, and the stream section (bench/stream/report.py), over
from the report it replaces.

The "Peers" section comes from inkdex_compare's JSON (--compare), with a PNG
plot of p50 latency against data size per system (--compare-plot, matplotlib);
  report.py --splice-peers REPORT --compare J [--compare-plot PNG] --commands F --repo R
rewrites only that section of REPORT (a standalone inkdex_compare run).
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

# (what, class or metric, artists, limit, unit) -- the targets of issue 2.
LATENCY_TARGETS = [
    ("Q1_local", "p50_us", 150),
    ("Q1_local", "p99_us", 1000),
    ("Q2_text", "p99_us", 3000),
    ("Q3_viewport", "p99_us", 2000),
    ("Q4_nearest", "p99_us", 2000),
    ("Q5_suggest", "p99_us", 500),
    ("Q6_wide", "p99_us", 20000),
]
BUILD_TARGET_PER_S = 30000
MEMORY_TARGET_BYTES = 1024
DISK_TARGET_BYTES = 3 * 1024

NAME_RE = re.compile(r"^(latency|throughput)/(Q\d_\w+?)/(\d+)/")


def thp_mode():
    """The machine's transparent huge page mode (the bracketed word), or "unknown"."""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            text = f.read()
    except OSError:
        return "unknown"
    start, end = text.find("["), text.find("]")
    return text[start + 1:end] if 0 <= start < end else "unknown"


def fmt_us(us):
    if us >= 1000:
        return f"{us / 1000:.2f} ms"
    return f"{us:.0f} us"


def fmt_bytes(b):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= size:
            return f"{b / size:.1f} {unit}"
    return f"{b:.0f} B"


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# What the runs write themselves: their being rewritten is not a change to
# what was measured.
# bench/run.sh writes the report to RESULTS.md.tmp first, so that file exists
# while this runs.
REPORT_OUTPUTS = ["bench/RESULTS.md", "bench/RESULTS.md.tmp", "bench/peers-latency.png"]


def uncommitted(repo, dirs):
    """git status of `dirs` in `repo`, the report's own outputs left out;
    None when git status itself fails (then nothing is known either way)."""
    cmd = ["git", "-C", repo, "status", "--porcelain", "--", *dirs] + [
        f":(exclude){path}" for path in REPORT_OUTPUTS]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as e:
        err = getattr(e, "stderr", "") or str(e)
        print(f"report: git status failed: {err.strip()}", file=sys.stderr)
        return None


def uncommitted_note(repo, dirs):
    """What the "Commit:" line adds about uncommitted changes in `dirs`."""
    names = ", ".join(f"{d}/" for d in dirs[:-1]) + f" or {dirs[-1]}/"
    dirty = uncommitted(repo, dirs)
    if dirty is None:
        return f" (git status failed: whether {names} held uncommitted changes is unknown)"
    return f" plus uncommitted changes in {names}" if dirty else ""


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": fmt_bytes(mem_kib * 1024),
        "kernel": platform.release(),
        "load": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def load_search(path):
    with open(path) as f:
        data = json.load(f)
    latency, throughput = {}, {}
    for b in data.get("benchmarks", []):
        m = NAME_RE.match(b["name"])
        if not m:
            continue
        kind, cls, artists = m.group(1), m.group(2), int(m.group(3))
        if b.get("error_occurred"):
            b = dict(b, error=b.get("error_message", "error"))
        (latency if kind == "latency" else throughput)[(cls, artists)] = b
    return data.get("context", {}), latency, throughput


SERVE_BEGIN = "<!-- serve-bench: begin (bench/serve_bench.sh rewrites this section) -->"
SERVE_END = "<!-- serve-bench: end -->"
# The stream section (bench/stream/report.py), carried over like the serve one.
STREAM_BEGIN = "<!-- stream-bench: begin (bench/stream/run.sh rewrites this section) -->"
STREAM_END = "<!-- stream-bench: end -->"
SERVE_TARGET = (1000000, 5000, 10.0)  # artists, searches/s, p99 ms -- the target of issue 3
CURVE_WIDTH = 48
CURVE_MIN_MS, CURVE_MAX_MS = 0.1, 1000.0


def write_commands(w, commands):
    w("Commands:")
    w("")
    w("```")
    w(commands)
    w("```")
    w("")


def fmt_ms(us):
    return f"{us / 1000:.2f} ms"


def fmt_share(x):
    return "-" if x is None or x < 0 else f"{x * 100:.0f} %"


def other_share(step):
    """CPU taken by processes other than the load generator and the server."""
    parts = [step.get(k) for k in ("machine_busy_share", "client_cpu_share", "server_cpu_share")]
    if any(p is None or p < 0 for p in parts):
        return None
    return max(0.0, parts[0] - parts[1] - parts[2])


def curve_column(ms):
    import math
    ms = min(max(ms, CURVE_MIN_MS), CURVE_MAX_MS)
    span = math.log10(CURVE_MAX_MS) - math.log10(CURVE_MIN_MS)
    return int(round((math.log10(ms) - math.log10(CURVE_MIN_MS)) / span * (CURVE_WIDTH - 1)))


def serve_curve(steps, slo_ms):
    """Text plot of p50 (o) and p99 (#) per offered rate, log scale."""
    slo_col = curve_column(slo_ms)
    # The SLO label ends at the ':' column; rows start with 11 characters.
    slo_label = f"{slo_ms:g} ms:"
    lines = [f"{'offered/s':>9}  {'0.1 ms':<{slo_col + 1 - len(slo_label)}}{slo_label}"
             f"{'1 s':>{CURVE_WIDTH - slo_col - 1}}"]
    for st in steps:
        if st["mode"] != "open":
            continue
        lat = st["latency"]
        row = [" "] * CURVE_WIDTH
        row[slo_col] = ":"
        p50, p99 = curve_column(lat["p50_us"] / 1000), curve_column(lat["p99_us"] / 1000)
        for i in range(p50, p99 + 1):
            row[i] = "#"
        row[p50] = "o"
        errors = sum(st["errors"].values())
        note = f"p50 {fmt_ms(lat['p50_us'])}, p99 {fmt_ms(lat['p99_us'])}"
        if errors:
            note += f", {errors:,} errors"
        lines.append(f"{st['offered_qps']:>9,.0f} |{''.join(row)}| {note}")
    return lines


def serve_section(jsons, commands, repo):
    runs = []
    for path in jsons:
        with open(path) as f:
            run = json.load(f)
        m = re.search(r"serve-(\d+)\.json$", path)
        run["artists"] = int(m.group(1)) if m else 0
        runs.append(run)
    runs.sort(key=lambda r: r["artists"])
    mach = machine()
    commit = sh(["git", "-C", repo, "rev-parse", "--short", "HEAD"])
    dirty_note = uncommitted_note(repo, ["lib", "service", "bench"])
    out = [SERVE_BEGIN, "## gRPC service (inkdex-server)", ""]
    w = out.append
    w("Generated by `bench/serve_bench.sh`: `inkdex-server` on the benchmark index, loaded over "
      "gRPC by `inkdex_load` (bench/load/; bench/README.md \"gRPC load generator\").")
    w("")
    w(f"- Report written: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} "
      "(each size below says when it was measured)")
    w(f"- Commit: `{commit}`" + dirty_note)
    w(f"- CPU: {mach['cpu']}, {mach['cpus']} cores (`nproc`); memory {mach['memory']}; "
      f"Linux {mach['kernel']}; load average at the end: {mach['load']}")
    if runs:
        cfg = runs[0]["config"]
        w(f"- Server and load generator share the {mach['cpus']} cores (nothing pinned), over "
          "loopback; the server runs with its default flags (64 concurrent requests, an info-level "
          "JSON log line per call, to a file).")
        w(f"- Load: {cfg['channels']} channels, {cfg['threads']} completion-queue thread(s), "
          f"deadline {cfg['deadline_ms']} ms; each step {cfg['warmup_s']:g} s warm-up + "
          f"{cfg['duration_s']:g} s measured. Open loop: calls due at fixed times, latency from the "
          "due time (no coordinated omission); percentiles over OK calls, errors counted apart. "
          f"Mix: `{cfg['mix']}` ({cfg['queries_per_class']} queries per class).")
        w("- CPU columns: share of one core over the measured window (200 % = both cores); other "
          "CPU: what the machine's other processes took (niced ones included: compilers at nice 19 "
          "still delay the benchmark's wake-ups); steal: time the hypervisor ran something else on "
          "our virtual CPUs. Each step waits until other processes take under a quarter of a core; "
          "a step during which they took more anyway is repeated (up to twice) and the least "
          "disturbed attempt kept; \"(disturbed)\" marks one that stayed over.")
    w("")
    write_commands(w, commands)
    target_n, target_qps, target_p99 = SERVE_TARGET
    w("| Target | Limit | Measured | |")
    w("|---|---:|---:|---|")
    for run in runs:
        best = run.get("best_within_slo")
        slo = run["config"]["slo_p99_ms"]
        if best is None:
            measured = f"no step with p99 <= {slo:g} ms"
            ok = False
        else:
            st = run["steps"][best]
            measured = (f"{st['achieved_qps']:,.0f}/s at p99 {fmt_ms(st['latency']['p99_us'])} "
                        f"(offered {st['offered_qps']:,.0f}/s)")
            ok = st["achieved_qps"] >= 0.99 * target_qps and st["latency"]["p99_us"] <= target_p99 * 1000
        label = f"{run['artists']:,} artists: searches/s with p99 <= {target_p99:g} ms"
        verdict = ("met" if ok else "**missed**") if run["artists"] == target_n else "(not the target size)"
        w(f"| {label} | >= {target_qps:,}/s | {measured} | {verdict} |")
    w("")
    for run in runs:
        w(f"### {run['artists']:,} artists" + (f" (measured {run['date']})" if "date" in run else ""))
        w("")
        w("| Load | achieved/s | p50 | p90 | p99 | p99.9 | max | errors | client CPU | server CPU | "
          "other CPU | steal |")
        w("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
        for st in run["steps"]:
            lat = st["latency"]
            load = (f"{st['offered_qps']:,.0f}/s offered" if st["mode"] == "open"
                    else f"closed loop, {st['concurrency']} in flight")
            if st.get("disturbed"):
                load += " (disturbed)"
            errors = ", ".join(f"{k} {v:,}" for k, v in st["errors"].items()) or "-"
            w(f"| {load} | {st['achieved_qps']:,.0f} | {fmt_ms(lat['p50_us'])} | "
              f"{fmt_ms(lat['p90_us'])} | {fmt_ms(lat['p99_us'])} | {fmt_ms(lat['p999_us'])} | "
              f"{fmt_ms(lat['max_us'])} | {errors} | {fmt_share(st.get('client_cpu_share'))} | "
              f"{fmt_share(st.get('server_cpu_share'))} | {fmt_share(other_share(st))} | "
              f"{fmt_share(st.get('steal_share'))} |")
        w("")
        if run.get("stop_reason"):
            w(f"Sweep: {run['stop_reason']}.")
            w("")
        w("Latency curve (`o` p50, `#` up to p99, log scale; `:` marks "
          f"{run['config']['slo_p99_ms']:g} ms):")
        w("")
        w("```")
        out.extend(serve_curve(run["steps"], run["config"]["slo_p99_ms"]))
        w("```")
        w("")
        best = run.get("best_within_slo")
        if best is not None:
            st = run["steps"][best]
            w(f"Per class at {st['offered_qps']:,.0f}/s offered:")
            w("")
            w("| Class | calls | p50 | p90 | p99 | max |")
            w("|---|---:|---:|---:|---:|---:|")
            for cls, lat in st["per_class"].items():
                w(f"| {cls} | {lat['count']:,} | {fmt_ms(lat['p50_us'])} | {fmt_ms(lat['p90_us'])} | "
                  f"{fmt_ms(lat['p99_us'])} | {fmt_ms(lat['max_us'])} |")
            w("")
    append_analysis(w, "load")
    w(SERVE_END)
    return out


def extract_serve(text, begin_marker=SERVE_BEGIN, end_marker=SERVE_END):
    """The serve (or another marked) section of a report, markers included, or None."""
    begin, end = text.find(begin_marker), text.find(end_marker)
    if begin < 0 or end < begin:
        return None
    return text[begin:end + len(end_marker)]


def trailing_text(text):
    """What a report holds after its last marked section, without the blank
    lines around it: the hand-written log of what each working session
    measured, appended at the end of bench/RESULTS.md. A full run regenerates
    everything else, so it must carry this over; "" when the report has no
    marked section (nothing then says where generated text ends)."""
    ends = [text.rfind(m) + len(m) for m in (PEERS_END, SERVE_END, STREAM_END) if m in text]
    return text[max(ends):].strip("\n") if ends else ""


def splice_serve(report_path, section, begin_marker=SERVE_BEGIN, end_marker=SERVE_END):
    text = ""
    if os.path.exists(report_path):
        with open(report_path, encoding="utf-8") as f:
            text = f.read()
    old = extract_serve(text, begin_marker, end_marker)
    if old is not None:
        text = text.replace(old, section)
    else:
        text = text.rstrip("\n") + ("\n\n" if text.strip() else "") + section
    if not text.endswith("\n"):
        text += "\n"
    with open(report_path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(report_path + ".tmp", report_path)


# --- Peers (inkdex_compare, bench/compare/) -----------------------------------

PEERS_BEGIN = "<!-- peers: begin (bench/run.sh, or report.py --splice-peers, rewrites this section) -->"
PEERS_END = "<!-- peers: end -->"
PEER_ORDER = ["inkdex", "grpc", "sqlite", "postgis", "xapian"]
PEER_LABELS = {"inkdex": "inkdex", "grpc": "inkdex (gRPC)", "sqlite": "SQLite",
               "postgis": "PostgreSQL+PostGIS", "xapian": "plain Xapian"}
# inkdex itself, served by inkdex-server: compared for its overhead, not a
# peer the speed-up targets are about.
PEER_NOT_TARGETS = {"inkdex", "grpc"}
PEER_CLASSES = ["Q1_local", "Q2_text", "Q3_viewport", "Q4_nearest", "Q5_suggest", "Q6_wide"]
PEER_SPEEDUP_TARGET = (1000000, ["Q1_local", "Q2_text", "Q6_wide"], 10.0)  # issue 5


def peer_rows(compare):
    """{(system, artists): system row} and the sizes, from inkdex_compare's JSON."""
    rows, sizes = {}, []
    for run in compare.get("runs", []):
        sizes.append(run["artists"])
        for s in run.get("systems", []):
            rows[(s["name"], run["artists"])] = s
    systems = [p for p in PEER_ORDER if any(k[0] == p for k in rows)]
    return rows, sorted(sizes), systems


def peer_class(row, cls):
    for c in (row or {}).get("classes", []):
        if c["class"] == cls:
            return c
    return None


def growth_exponent(rows, system, cls, a, b):
    ca, cb = peer_class(rows.get((system, a)), cls), peer_class(rows.get((system, b)), cls)
    if not ca or not cb or "p50_us" not in ca or "p50_us" not in cb or ca["p50_us"] <= 0:
        return None
    import math
    return math.log(cb["p50_us"] / ca["p50_us"]) / math.log(b / a)


def peers_plot(rows, sizes, systems, path):
    """p50 latency against data size, one subplot per class; False without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharex=True)
    for ax, cls in zip(axes.flat, PEER_CLASSES):
        for system in systems:
            pts = [(n, peer_class(rows.get((system, n)), cls)) for n in sizes]
            pts = [(n, c["p50_us"] / 1000) for n, c in pts if c and "p50_us" in c]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                        label=PEER_LABELS.get(system, system))
        ax.set_title(cls)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_xlabel("artists")
        ax.set_ylabel("p50 latency (ms)")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Median latency (single thread) against data size")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def peers_section(compare, plot_path, commands_note):
    rows, sizes, systems = peer_rows(compare)
    cfg = compare.get("config", {})
    out = [PEERS_BEGIN, "## Peers: inkdex against SQLite, PostgreSQL+PostGIS and plain Xapian", ""]
    w = out.append
    w("Generated by `inkdex_compare` (bench/compare/; bench/README.md \"Peers\"): every system is "
      "loaded with the same artists and asked the same queries in one run, each used the way its "
      "experts would (bench/peers/<system>/ says how). " + commands_note)
    w("")
    mach = machine()
    w(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; "
      f"CPU: {mach['cpu']}, {mach['cpus']} cores; memory {mach['memory']}; Linux {mach['kernel']}; "
      f"load average at the end: {mach['load']} (a shared machine: compare medians).")
    w(f"- Queries per class: {cfg.get('queries_per_class', '?')} timed (single thread, each once, "
      f"after {cfg.get('warmup_per_class', '?')} warm-up queries per class; a class stops early "
      f"after {cfg.get('class_budget_seconds', '?')} s); throughput: the same list split over "
      f"{cfg.get('threads', '?')} threads, each with its own connection/reader, repeated for at "
      f"least {cfg.get('throughput_seconds', '?')} s.")
    w(f"- Correctness gate before any timing: the first {cfg.get('gate_queries_per_class', '?')} "
      "queries of each search class; every system must return inkdex's match set (all ids), "
      "total, facet counts and page (ties in the sort key may swap); ids within 1e-6 km of a "
      "radius may differ (bench/compare/gate.h). Q5 (suggest) is timed, not gated.")
    w("- Memory: growth of the benchmark process's resident set over opening the store and the "
      "warm-up; PostgreSQL's server memory (proportional set size of its processes) apart. "
      "Disk: each store's bytes.")
    if "grpc" in systems:
        w("- inkdex (gRPC): the same index and queries through inkdex-server on 127.0.0.1 "
          "(bench/peers/inkdex_grpc/), one synchronous channel shared by the throughput threads; "
          "its server memory is the server process's resident set, its store the library's.")
    w("")
    w("### Gate")
    w("")
    w("| System | " + " | ".join(f"{n:,} artists" for n in sizes) + " |")
    w("|---|" + "---:|" * len(sizes))
    failures = []
    for system in systems:
        cells = []
        for n in sizes:
            r = rows.get((system, n))
            if r is None:
                cells.append("not run")
            elif "error" in r:
                cells.append("**error**")
                failures.append(f"{system} at {n:,}: {r['error']}")
            else:
                g = r["gate"]
                cells.append(f"{g['checked'] - g['failed']}/{g['checked']} identical" +
                             ("" if g["failed"] == 0 else " **FAILED**"))
                failures.extend(g["mismatches"][:3])
        w(f"| {PEER_LABELS.get(system, system)} | " + " | ".join(cells) + " |")
    w("")
    if failures:
        w("First mismatches and errors:")
        w("")
        w("```")
        out.extend(failures[:12])
        w("```")
        w("")
    for n in sizes:
        ink = rows.get(("inkdex", n))
        w(f"### {n:,} artists")
        w("")
        w("Latency, single thread: p50 / p99, and the peer's p50 as a multiple of inkdex's.")
        w("")
        w("| Class | " + " | ".join(PEER_LABELS.get(s, s) for s in systems) + " |")
        w("|---|" + "---:|" * len(systems))
        for cls in PEER_CLASSES:
            base = peer_class(ink, cls)
            cells = []
            for s in systems:
                c = peer_class(rows.get((s, n)), cls)
                if c is None:
                    cells.append("-")
                elif "error" in c:
                    cells.append("error")
                else:
                    cell = f"{fmt_us(c['p50_us'])} / {fmt_us(c['p99_us'])}"
                    if s != "inkdex" and base and base.get("p50_us"):
                        cell += f" ({c['p50_us'] / base['p50_us']:.1f}x)"
                    if c["queries"] < cfg.get("queries_per_class", c["queries"]):
                        cell += f" [{c['queries']} q]"
                    cells.append(cell)
            w(f"| {cls} | " + " | ".join(cells) + " |")
        w("")
        w(f"Queries/s: 1 thread / {cfg.get('threads', 2)} threads.")
        w("")
        w("| Class | " + " | ".join(PEER_LABELS.get(s, s) for s in systems) + " |")
        w("|---|" + "---:|" * len(systems))
        for cls in PEER_CLASSES:
            cells = []
            for s in systems:
                c = peer_class(rows.get((s, n)), cls)
                if c is None or "error" in c:
                    cells.append("-")
                else:
                    qt = f"{c['qps_threads']:,.0f}" if "qps_threads" in c else "-"
                    cells.append(f"{c['qps_1thread']:,.0f} / {qt}")
            w(f"| {cls} | " + " | ".join(cells) + " |")
        w("")
        w("| System | build | artists/s | memory / artist | server memory | disk / artist |")
        w("|---|---:|---:|---:|---:|---:|")
        for s in systems:
            r = rows.get((s, n))
            if r is None or "build" not in r:
                continue
            b = r["build"]
            cached = " (recorded)" if b.get("cached") else ""
            if b.get("store"):
                cached += f" ({PEER_LABELS.get(b['store'], b['store'])}'s store)"
            server = r.get("server_resident_bytes", 0)
            w(f"| {PEER_LABELS.get(s, s)} | {b['seconds']:.1f} s{cached} | "
              f"{b['artists_per_second']:,.0f} | {max(0, r['rss_delta_bytes']) / n:.0f} B | "
              f"{fmt_bytes(server) if server else '-'} | {r['disk_bytes'] / n:.0f} B |")
        w("")
    if len(sizes) >= 2:
        w("### Growth exponents")
        w("")
        w("log(p50 at the larger size / p50 at the smaller) / log(size ratio): 0 is flat, "
          "1 linear in the data.")
        w("")
        pairs = list(zip(sizes, sizes[1:]))
        w("| Class | " + " | ".join(f"{PEER_LABELS.get(s, s)} {a // 1000:,}k->{b // 1000:,}k"
                                    for s in systems for a, b in pairs) + " |")
        w("|---|" + "---:|" * (len(systems) * len(pairs)))
        for cls in PEER_CLASSES:
            cells = []
            for s in systems:
                for a, b in pairs:
                    g = growth_exponent(rows, s, cls, a, b)
                    cells.append("-" if g is None else f"{g:.2f}")
            w(f"| {cls} | " + " | ".join(cells) + " |")
        w("")
    target_n, target_classes, target_x = PEER_SPEEDUP_TARGET
    n = target_n if target_n in sizes else (sizes[-1] if sizes else 0)
    if n and any(s not in PEER_NOT_TARGETS for s in systems):
        w(f"### Targets ({n:,} artists" + ("" if n == target_n else "; the target is at 1M") + ")")
        w("")
        w("| Target | Measured | |")
        w("|---|---|---|")
        ink = rows.get(("inkdex", n))
        for cls in target_classes:
            base = peer_class(ink, cls)
            for s in systems:
                if s in PEER_NOT_TARGETS:
                    continue
                c = peer_class(rows.get((s, n)), cls)
                if not base or not c or "p50_us" not in c or "p50_us" not in base:
                    w(f"| {cls}: >= {target_x:g}x faster than {PEER_LABELS.get(s, s)} | not measured | |")
                    continue
                x = c["p50_us"] / base["p50_us"]
                w(f"| {cls}: >= {target_x:g}x faster than {PEER_LABELS.get(s, s)} (p50) | {x:.1f}x | "
                  f"{'met' if x >= target_x else '**missed**'} |")
        if len(sizes) >= 2:
            for cls in PEER_CLASSES[:5]:
                g = growth_exponent(rows, "inkdex", cls, sizes[0], sizes[-1])
                if g is not None:
                    w(f"| inkdex {cls} grows sub-linearly | exponent {g:.2f} | "
                      f"{'met' if g < 1 else '**missed**'} |")
        w("")
    if plot_path and peers_plot(rows, sizes, systems, plot_path):
        w(f"![p50 latency against data size per system]({os.path.basename(plot_path)})")
        w("")
    elif plot_path:
        w("(No plot: python3-matplotlib is not installed; `scripts/install-deps.sh --bench`.)")
        w("")
    append_analysis(w, "compare")
    w(PEERS_END)
    return out


def append_analysis(w, subdir):
    """The hand-written bench/<subdir>/ANALYSIS.md, when there is one."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), subdir, "ANALYSIS.md")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            w(f.read().rstrip("\n"))
        w("")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--search")
    ap.add_argument("--build", nargs="+")
    ap.add_argument("--commands", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--serve", nargs="+", help="inkdex_load JSON files (serve-N.json)")
    ap.add_argument("--splice-serve", metavar="REPORT",
                    help="only rewrite the gRPC service section of REPORT from --serve")
    ap.add_argument("--compare", help="inkdex_compare JSON: adds the Peers section")
    ap.add_argument("--compare-plot", metavar="PNG",
                    help="write the peers latency plot here (next to the report)")
    ap.add_argument("--splice-peers", metavar="REPORT",
                    help="only rewrite the Peers section of REPORT from --compare")
    ap.add_argument("--previous", metavar="REPORT",
                    help="carry the gRPC service and stream sections, and the sessions' "
                         "log after them, over from this report")
    args = ap.parse_args()
    if args.splice_peers:
        if not args.compare:
            ap.error("--splice-peers needs --compare")
        with open(args.compare) as f:
            compare = json.load(f)
        with open(args.commands) as f:
            commands = f.read().strip()
        note = f"Run with:\n\n```\n{commands}\n```"
        splice_serve(args.splice_peers, "\n".join(peers_section(compare, args.compare_plot, note)),
                     PEERS_BEGIN, PEERS_END)
        return
    if args.splice_serve:
        if not args.serve:
            ap.error("--splice-serve needs --serve")
        with open(args.commands) as f:
            commands = f.read().strip()
        splice_serve(args.splice_serve, "\n".join(serve_section(args.serve, commands, args.repo)))
        return
    if not args.search or not args.build:
        ap.error("--search and --build are required")

    context, latency, throughput = load_search(args.search)
    builds = []
    for path in args.build:
        with open(path) as f:
            builds.append(json.load(f))
    builds.sort(key=lambda b: b["artists"])
    with open(args.commands) as f:
        commands = f.read().strip()
    mach = machine()
    commit = sh(["git", "-C", args.repo, "rev-parse", "--short", "HEAD"])
    dirty_note = uncommitted_note(args.repo, ["lib", "bench", "tools"])
    sizes = sorted({a for (_, a) in latency})
    largest = max(sizes) if sizes else 0

    out = []
    w = out.append
    w("# inkdex library benchmarks")
    w("")
    w("Generated by `bench/run.sh`" + (" --quick (100k only)" if args.quick else "") +
      "; bench/README.md describes the workload and the query classes.")
    w("")
    w("## Machine and run")
    w("")
    w(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    w(f"- Commit: `{commit}`" + dirty_note)
    w(f"- CPU: {mach['cpu']}, {mach['cpus']} cores (`nproc`); memory {mach['memory']}; "
      f"Linux {mach['kernel']}")
    w(f"- Load average at the end of the run: {mach['load']}. The machine is shared with other "
      "engineers compiling on the same 2 cores, so absolute numbers are noisy: compare medians "
      "(p50); tails (p99, max) include time the benchmark thread was not scheduled.")
    w("- Build type: Release. Google Benchmark 1.7.1 "
      "(Debian's libbenchmark reports itself as a DEBUG build; that concerns the harness only).")
    w("- Allocator: the benchmarks, like inkdex-server and the CLI, allocate with tcmalloc on "
      "transparent huge pages (tools/malloc/; this machine's THP mode: "
      f"{thp_mode()}).")
    w(f"- Queries per class: {context.get('inkdex_queries_per_class', '?')} "
      "(latency: the list once, single-threaded, after a 50-query warm-up; "
      "throughput: the same list split over 2 threads).")
    w("")
    write_commands(w, commands)

    w("## Search latency and throughput")
    w("")
    w("| Class | Artists | p50 | p90 | p99 | max | q/s (1 thread) | q/s (2 threads) | mean matches | no hit |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (cls, artists) in sorted(latency, key=lambda k: (k[1], k[0])):
        b = latency[(cls, artists)]
        if "error" in b:
            w(f"| {cls} | {artists:,} | error: {b['error']} | | | | | | | |")
            continue
        t = throughput.get((cls, artists), {})
        qps2 = f"{t['items_per_second']:,.0f}" if "items_per_second" in t else "-"
        w(f"| {cls} | {artists:,} | {fmt_us(b['p50_us'])} | {fmt_us(b['p90_us'])} | "
          f"{fmt_us(b['p99_us'])} | {fmt_us(b['max_us'])} | {b['items_per_second']:,.0f} | "
          f"{qps2} | {b['mean_total']:,.1f} | {b['empty'] * 100:.0f}% |")
    w("")
    w("\"mean matches\" is SearchResponse.total (suggestions returned, for Q5); "
      "\"no hit\" the share of queries that matched nothing.")
    w("")

    w("## Build, memory and disk")
    w("")
    w("| Artists | artists/s | build | of which parse | of which Apply | peak RSS | "
      "serving RSS / artist | engine memory / artist | disk / artist | open | verify |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")

    def seconds(b, key):  # results of builds before these were measured lack them
        return f"{b[key]:.1f} s" if key in b else "-"

    for b in builds:
        n = b["artists"]
        w(f"| {n:,} | {b['artists_per_second']:,.0f} | {b['build_seconds']:.1f} s | "
          f"{b['parse_seconds']:.1f} s | {b['apply_seconds']:.1f} s | "
          f"{fmt_bytes(b['peak_rss_bytes'])} | {b['serving_rss_bytes_per_artist']:.0f} B | "
          f"{b['stats_memory_bytes'] / n:.0f} B | {b['disk_bytes_per_artist']:.0f} B | "
          f"{seconds(b, 'open_seconds')} | {seconds(b, 'verify_seconds')} |")
    w("")
    w("Build: N records generated as JSON lines in memory first (not timed), then parsed "
      "(`ParseArtistRecord`) and applied as `inkdex build` applies them (`BulkLoader`: all "
      "held, sorted by location, `Index::Apply` in batches of 10,000, sync off) on one "
      "thread; the time includes opening the new index and closing it. Peak RSS includes the "
      "JSON input held in memory and the held records (~500 B each; input bytes: " +
      ", ".join(f"{fmt_bytes(b['input_bytes'])} for {b['artists']:,}" for b in builds) + "). "
      "Serving RSS: the growth of the resident set when the finished index is opened and 200 "
      "queries run, with the input freed. Engine memory: `IndexStats.memory_bytes`. "
      "Disk: `IndexStats.disk_bytes` (RocksDB + Xapian). Open: `Index::Open` of the finished "
      "index in a fresh process (the snapshot load); verify: `Index::Verify` right after it "
      "(every stored record against the search index and the snapshot).")
    w("")

    w("## Targets")
    w("")
    w(f"Measured on the largest index built ({largest:,} artists).")
    w("")
    w("| Target | Limit | Measured | |")
    w("|---|---:|---:|---|")

    def row(what, limit_text, measured, ok):
        w(f"| {what} | {limit_text} | {measured} | {'met' if ok else '**missed**'} |")

    for cls, counter, limit in LATENCY_TARGETS:
        b = latency.get((cls, largest))
        if b is None or "error" in b:
            row(f"{cls} {counter[:-3]}", fmt_us(limit), "not run", False)
            continue
        row(f"{cls} {counter[:-3]}", fmt_us(limit), fmt_us(b[counter]), b[counter] <= limit)
    big = [b for b in builds if b["artists"] == largest] or builds[-1:]
    if big:
        b = big[0]
        row("build throughput", f">= {BUILD_TARGET_PER_S:,} artists/s",
            f"{b['artists_per_second']:,.0f} artists/s", b["artists_per_second"] >= BUILD_TARGET_PER_S)
        row("memory per artist (serving RSS)", f"<= {MEMORY_TARGET_BYTES} B",
            f"{b['serving_rss_bytes_per_artist']:.0f} B",
            b["serving_rss_bytes_per_artist"] <= MEMORY_TARGET_BYTES)
        row("disk per artist", f"<= {DISK_TARGET_BYTES} B", f"{b['disk_bytes_per_artist']:.0f} B",
            b["disk_bytes_per_artist"] <= DISK_TARGET_BYTES)
    w("")
    # The hand-written analysis (what bounds a missed target, run-to-run
    # spread) lives in bench/ANALYSIS.md and is carried into every report.
    append_analysis(w, "")
    if args.compare:
        with open(args.compare) as f:
            compare = json.load(f)
        out.extend(peers_section(compare, args.compare_plot,
                                 "Its command line is among the commands above."))
    if args.previous and os.path.exists(args.previous):
        with open(args.previous, encoding="utf-8") as f:
            previous = f.read()
        for begin, end in ((SERVE_BEGIN, SERVE_END), (STREAM_BEGIN, STREAM_END)):
            section = extract_serve(previous, begin, end)
            if section is not None:
                w(section)
                w("")
        tail = trailing_text(previous)
        if tail:
            w(tail)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
