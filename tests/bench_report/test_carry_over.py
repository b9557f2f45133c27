"""A full benchmark run rewrites bench/RESULTS.md from its measurements, the
hand-written analysis files and the previous report's marked sections
(bench/report.py main, --previous). The log each working session appends
after the last marked section must come through it unchanged: before
report.trailing_text, a full run dropped ~1,400 lines of it."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import report

LOG = """## Thirty-ninth session (a session's log)

**A finding.** Measured with `some command`: 1,234 us.

| a | b |
|---|---|
| 1 | 2 |"""

BUILD = {
    "artists": 100000, "index_dir": "/tmp/x", "generate_seconds": 0.9, "input_bytes": 1,
    "build_seconds": 4.9, "parse_seconds": 0.4, "apply_seconds": 4.5,
    "artists_per_second": 20362.1, "peak_rss_bytes": 1, "peak_rss_bytes_per_artist": 1.0,
    "rss_before_open_bytes": 1, "rss_open_bytes": 1, "serving_rss_bytes": 1,
    "stats_memory_bytes": 1, "disk_bytes": 1, "documents": 100000, "open_seconds": 0.9,
    "verify_seconds": 0.3, "serving_rss_bytes_per_artist": 881.1,
    "disk_bytes_per_artist": 1063.0,
}


def previous_report(log):
    return "\n".join([
        "# inkdex library benchmarks", "", "old generated tables", "",
        report.SERVE_BEGIN, "## gRPC service (inkdex-server)", "serve numbers", report.SERVE_END,
        "", report.STREAM_BEGIN, "## DynamoDB stream", "stream numbers", report.STREAM_END,
        "", log, ""])


class TrailingTextTest(unittest.TestCase):
    def test_the_log_after_the_last_section(self):
        self.assertEqual(report.trailing_text(previous_report(LOG)), LOG)

    def test_nothing_after_the_last_section(self):
        self.assertEqual(report.trailing_text(previous_report("")), "")

    def test_a_report_without_marked_sections_carries_nothing(self):
        self.assertEqual(report.trailing_text("# old report\n\n" + LOG + "\n"), "")

    def test_the_last_marker_counts_whichever_it_is(self):
        text = "\n".join([report.STREAM_BEGIN, "s", report.STREAM_END, report.SERVE_BEGIN, "v",
                          report.SERVE_END, "", LOG])
        self.assertEqual(report.trailing_text(text), LOG)


class FullRunTest(unittest.TestCase):
    def test_a_full_run_keeps_the_sections_and_the_log(self):
        with tempfile.TemporaryDirectory() as tmp:
            def put(name, text):
                path = os.path.join(tmp, name)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                return path

            search = put("search.json", json.dumps({"context": {}, "benchmarks": []}))
            build = put("build-100000.json", json.dumps(BUILD))
            commands = put("commands.txt", "bench/run.sh BUILD_DIR\n")
            previous = put("RESULTS.md", previous_report(LOG))
            script = os.path.join(os.path.dirname(report.__file__), "report.py")
            out = subprocess.run(
                [sys.executable, script, "--search", search, "--build", build, "--commands",
                 commands, "--repo", tmp, "--previous", previous],
                check=True, capture_output=True, text=True).stdout
        self.assertIn("serve numbers", out)
        self.assertIn("stream numbers", out)
        self.assertNotIn("old generated tables", out)
        self.assertTrue(out.rstrip("\n").endswith(LOG), out[-400:])
        # Once, not once per run: the new report's log is the old one's.
        self.assertEqual(out.count("## Thirty-ninth session"), 1)


if __name__ == "__main__":
    unittest.main()
