"""What operators see of inkdex-server: Prometheus metrics at /metrics with
per-method, per-code counts; /healthz; JSON log lines on stderr with a
request id per call (the caller's x-request-id echoed back, or a generated
one), and never a token."""

import json
import os
import re
import signal
import time
import unittest

import grpc

import server_fixture as fx
from server_fixture import artist_pb2, pb

TOKEN = "tok-SECRET-e2e-5b21d9"
READ_TOKEN = "read-SECRET-e2e-77aa01"
WRONG_TOKEN = "wrong-SECRET-e2e-0c4f"

METRIC_NAMES = [
    "inkdex_requests_total", "inkdex_request_duration_seconds", "inkdex_in_flight_requests",
    "inkdex_read_queue_wait_seconds",
    "inkdex_documents", "inkdex_searchable_documents", "inkdex_commit_age_seconds",
    "inkdex_commits_total", "inkdex_commit_duration_seconds", "inkdex_index_generation",
    "inkdex_index_memory_bytes", "inkdex_index_disk_bytes", "inkdex_index_disk_free_bytes",
    "inkdex_index_item_states", "inkdex_index_slot_layout_drift", "process_resident_memory_bytes",
    "process_cpu_seconds_total", "process_start_time_seconds",
]

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text format -> [(name, {label: value}, float)]."""
    samples = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = _SAMPLE.match(line.strip())
        if not match:
            raise AssertionError("not a Prometheus sample line: %r" % line)
        labels = dict(_LABEL.findall(match.group(3) or ""))
        samples.append((match.group(1), labels, float(match.group(4))))
    return samples


def method_is(label, method):
    """The method label may be "Search" or a full path ending in it."""
    return label == method or label.endswith("/" + method) or label.endswith("." + method)


def metric_value(samples, name, method=None, code=None):
    """Sum of `name` samples matching the method/code labels given."""
    total, found = 0.0, False
    for sample_name, labels, value in samples:
        if sample_name != name:
            continue
        if method is not None and not method_is(labels.get("method", ""), method):
            continue
        if code is not None and labels.get("code") != code:
            continue
        total += value
        found = True
    return total if found else None


def response_header(call_or_error, key):
    """A response metadata value: initial metadata, or trailing metadata for a
    call that failed before sending headers (trailers-only response)."""
    for metadata in (call_or_error.initial_metadata(), call_or_error.trailing_metadata()):
        for k, v in metadata or ():
            if k == key:
                return v
    return None


class MetricsTest(fx.ServiceTestCase):
    def test_metrics_count_calls_per_method_and_code(self):
        index = fx.shared_index()
        server = self.start_server(index.fresh_copy(), write_token=TOKEN)
        search = server.search
        for _ in range(3):
            search.Search(pb.SearchRequest(text="dragon", date=fx.FIXED_DAY), timeout=10)
        for _ in range(2):
            fx.rpc_error(search.Search, pb.SearchRequest(limit=101), timeout=10)
        fx.rpc_error(search.GetArtist, pb.GetArtistRequest(id="no-such-artist"), timeout=10)
        stats = search.GetStats(pb.GetStatsRequest(), timeout=10)

        samples = parse_metrics(server.metrics())
        names = {name for name, _, _ in samples}
        for name in METRIC_NAMES:
            self.assertTrue(any(n == name or n.startswith(name + "_") for n in names),
                            "no metric %s in /metrics" % name)
        requests = "inkdex_requests_total"
        self.assertEqual(metric_value(samples, requests, "Search", "OK"), 3)
        self.assertEqual(metric_value(samples, requests, "Search", "INVALID_ARGUMENT"), 2)
        self.assertEqual(metric_value(samples, requests, "GetArtist", "NOT_FOUND"), 1)
        self.assertEqual(metric_value(samples, requests, "GetStats", "OK"), 1)
        self.assertIsNone(metric_value(samples, requests, "Suggest", "OK"))
        self.assertEqual(metric_value(samples, "inkdex_request_duration_seconds_count", "Search"),
                         5)
        # Latency per method and code (only gRPC code names as values).
        duration_count = "inkdex_request_duration_seconds_count"
        self.assertEqual(metric_value(samples, duration_count, "Search", "OK"), 3)
        self.assertEqual(metric_value(samples, duration_count, "Search", "INVALID_ARGUMENT"), 2)
        self.assertEqual(metric_value(samples, duration_count, "GetArtist", "NOT_FOUND"), 1)
        codes = {labels.get("code") for n, labels, _ in samples
                 if n.startswith("inkdex_request_duration_seconds")}
        self.assertLessEqual(codes, {c.name for c in grpc.StatusCode})
        buckets = [(labels, v) for n, labels, v in samples
                   if n == "inkdex_request_duration_seconds_bucket"
                   and method_is(labels.get("method", ""), "Search")]
        self.assertTrue(buckets, "no latency histogram buckets for Search")
        # The +Inf buckets (one series per code) hold every call.
        self.assertEqual(sum(v for labels, v in buckets if labels.get("le") == "+Inf"), 5)
        self.assertEqual(metric_value(samples, "inkdex_in_flight_requests"), 0)
        # Every Search went through the read loops' queue (5); GetArtist and
        # GetStats are point reads, run at admission, not counted.
        self.assertEqual(metric_value(samples, "inkdex_read_queue_wait_seconds_count"), 5)
        self.assertEqual(metric_value(samples, "inkdex_documents"), stats.documents)
        self.assertEqual(metric_value(samples, "inkdex_searchable_documents"), stats.searchable)
        self.assertEqual(metric_value(samples, "inkdex_index_generation"), 1)
        self.assertGreaterEqual(metric_value(samples, "inkdex_commit_age_seconds"), 0)
        self.assertGreater(metric_value(samples, "inkdex_index_memory_bytes"), 0)
        self.assertGreater(metric_value(samples, "inkdex_index_disk_bytes"), 0)
        self.assertGreater(metric_value(samples, "inkdex_index_disk_free_bytes"), 0)
        self.assertGreater(stats.disk_free_bytes, 0)
        self.assertEqual(metric_value(samples, "inkdex_index_item_states"), stats.item_states)
        # Built offline (`inkdex build`): slots in cell order.
        self.assertEqual(metric_value(samples, "inkdex_index_slot_layout_drift"), 0)
        self.assertTrue(stats.HasField("slot_layout"))
        self.assertEqual(stats.slot_layout.artists, stats.searchable)
        self.assertEqual((stats.slot_layout.breaks, stats.slot_layout.drift), (0, 0))
        # The server's own resident set: at least its index structures.
        self.assertGreater(metric_value(samples, "process_resident_memory_bytes"),
                           metric_value(samples, "inkdex_index_memory_bytes"))
        self.assertGreater(metric_value(samples, "process_cpu_seconds_total"), 0)
        self.assertLessEqual(abs(metric_value(samples, "process_start_time_seconds") - time.time()),
                             600)
        commits_before = metric_value(samples, "inkdex_commits_total") or 0

        record = artist_pb2.Artist(id="e2e-m-1", name="Metric Artist", version=3)
        record.location.latitude, record.location.longitude = 53.8, -1.55
        search.UpsertArtists(pb.UpsertArtistsRequest(artists=[record]),
                             metadata=fx.bearer(TOKEN), timeout=10)
        samples = parse_metrics(server.metrics())
        self.assertEqual(metric_value(samples, "inkdex_commits_total"), commits_before + 1)
        self.assertEqual(metric_value(samples, "inkdex_documents"), stats.documents + 1)
        self.assertEqual(metric_value(samples, requests, "UpsertArtists", "OK"), 1)
        self.assertGreaterEqual(
            metric_value(samples, "inkdex_commit_duration_seconds_count") or
            metric_value(samples, "inkdex_commit_duration_seconds") or 0, 1)
        self.assertLess(metric_value(samples, "inkdex_commit_age_seconds"), 60)

    def test_healthz(self):
        server = self.start_server(fx.shared_index().fresh_copy())
        status, body = server.http_get("/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(body.strip(), "ok")

    def test_reads_are_served_by_the_read_loops_alone(self):
        # Any callback-API method (gRPC's built-in health service is one)
        # starts gRPC's "nexting" threads, which poll the same sockets as the
        # read loops and hand calls over to them (service/server/read_loops.h):
        # a quiet loss of ~15 % of throughput at 1M (bench/load/ANALYSIS.md).
        server = self.start_server(fx.shared_index().fresh_copy())
        server.search.Search(pb.SearchRequest(), timeout=10)
        server.health.Check(fx.health_pb2.HealthCheckRequest(), timeout=10)
        task_dir = "/proc/%d/task" % server.proc.pid
        names = []
        for task in os.listdir(task_dir):
            with open(os.path.join(task_dir, task, "comm")) as f:
                names.append(f.read().strip())
        self.assertNotIn("nexting_thread", names)

    def test_metrics_can_be_turned_off(self):
        server = self.start_server(fx.shared_index().fresh_copy(), metrics=False)
        self.assertIsNone(server.metrics_address)
        server.search.GetStats(pb.GetStatsRequest(), timeout=10)


EMF_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "emf_schema.json")


def emf_problems(doc):
    """What keeps CloudWatch Logs from extracting metrics from `doc`: the
    schema (emf_schema.json, checked by Debian's python3-jsonschema), and
    that each metric and dimension it names is a root member of the right
    type (a number, a string), which a schema cannot say."""
    import jsonschema  # python3-jsonschema (scripts/install-deps.sh)
    with open(EMF_SCHEMA) as f:
        schema = json.load(f)
    problems = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
    for directive in doc.get("_aws", {}).get("CloudWatchMetrics", []):
        for dimension_set in directive.get("Dimensions", []):
            for name in dimension_set:
                if not isinstance(doc.get(name), str):
                    problems.append("dimension %s: no string member" % name)
        for metric in directive.get("Metrics", []):
            value = doc.get(metric.get("Name"))
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append("metric %s: no number member" % metric.get("Name"))
    return problems


class EmfTest(fx.ServiceTestCase):
    """--emf-interval: the key metrics as CloudWatch embedded metric format
    lines in the log, which CloudWatch Logs turns into metrics (the ECS
    deployment's alarms read them)."""

    def test_emf_lines_are_valid_and_count_every_call_once(self):
        server = self.start_server(
            fx.shared_index().fresh_copy(), write_token=TOKEN,
            # Warn: the call lines are off, the metrics lines must not be.
            extra_args=["--emf-interval", "1s", "--log-level", "warn"],
            env={"INKDEX_EMF_DIMENSIONS": "ClusterName=e2e-cluster"})
        search = server.search
        for _ in range(3):
            search.Search(pb.SearchRequest(text="dragon", date=fx.FIXED_DAY), timeout=10)
        fx.rpc_error(search.Search, pb.SearchRequest(limit=101), timeout=10)
        stats = search.GetStats(pb.GetStatsRequest(), timeout=10)
        first = server.wait_for_log(lambda e: e.get("event") == "metrics", timeout=15)
        self.assertIsNotNone(first, "no metrics line within 15 s:\n%s" %
                             "\n".join(server.log_lines()[-20:]))
        samples = parse_metrics(server.metrics())
        calls = metric_value(samples, "inkdex_requests_total")
        self.assertEqual(server.stop(), 0)

        lines = [e for e in server.logs() if e.get("event") == "metrics"]
        self.assertGreaterEqual(len(lines), 2)  # at least one timed, one at the drain
        self.assertFalse([e for e in server.logs() if e.get("event") == "rpc"],
                         "call lines at --log-level warn")
        for line in lines:
            self.assertEqual(emf_problems(line), [], line)
            self.assertEqual(line["level"], "info")
            directive = line["_aws"]["CloudWatchMetrics"][0]
            self.assertEqual(directive["Namespace"], "Inkdex")
            self.assertEqual(directive["Dimensions"], [["ClusterName"]])
            self.assertEqual(line["ClusterName"], "e2e-cluster")
            self.assertLess(abs(line["_aws"]["Timestamp"] / 1000 - time.time()), 600)
            units = {m["Name"]: m.get("Unit") for m in directive["Metrics"]}
            self.assertEqual(units["inkdex_documents"], "Count")
            self.assertEqual(units["inkdex_commit_age_seconds"], "Seconds")
            self.assertEqual(units["inkdex_index_disk_free_bytes"], "Bytes")
            # Not following a table: the stream reader's metrics stay out.
            self.assertNotIn("inkdex_stream_max_lag_seconds", units)
            self.assertEqual(line["inkdex_documents"], stats.documents)
        # Counters are the growth since the previous line: over all lines,
        # every call the server answered, once (the scrape is not a call).
        self.assertEqual(sum(e["inkdex_requests"] for e in lines), calls)
        self.assertGreaterEqual(calls, 5)
        self.assertEqual(sum(e["inkdex_request_errors"] for e in lines), 0)  # INVALID_ARGUMENT

    def test_no_emf_lines_by_default(self):
        server = self.start_server(fx.shared_index().fresh_copy())
        server.search.GetStats(pb.GetStatsRequest(), timeout=10)
        self.assertEqual(server.stop(), 0)
        self.assertFalse([e for e in server.logs() if e.get("event") == "metrics"])
        started = [e for e in server.logs() if e.get("event") == "starting"]
        self.assertEqual(started[0]["emf_interval"], "off")


class LogsTest(fx.ServiceTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = cls.start_class_server(fx.shared_index().fresh_copy(), write_token=TOKEN,
                                            read_token=READ_TOKEN)
        cls.read_md = fx.bearer(READ_TOKEN)

    def log_for(self, request_id):
        entry = self.server.wait_for_log(lambda e: e.get("request_id") == request_id)
        self.assertIsNotNone(entry, "no log line with request_id %r" % request_id)
        return entry

    def test_request_id_echoed_and_logged(self):
        request = pb.SearchRequest(text="dragon", date=fx.FIXED_DAY)
        _, call = self.server.search.Search.with_call(
            request, metadata=self.read_md + (("x-request-id", "e2e-rid-123"),), timeout=10)
        self.assertEqual(response_header(call, "x-request-id"), "e2e-rid-123")
        entry = self.log_for("e2e-rid-123")
        self.assertTrue(method_is(str(entry.get("method")), "Search"), entry)
        self.assertEqual(fx.status_name(entry.get("code")), "OK", entry)
        self.assertIsInstance(entry.get("duration_ms"), (int, float), entry)
        self.assertGreaterEqual(entry["duration_ms"], 0)

    def test_request_id_generated_when_absent(self):
        ids = set()
        for _ in range(2):
            _, call = self.server.search.GetStats.with_call(pb.GetStatsRequest(),
                                                            metadata=self.read_md, timeout=10)
            generated = response_header(call, "x-request-id")
            self.assertTrue(generated, "no x-request-id in the response")
            ids.add(generated)
            self.assertTrue(method_is(str(self.log_for(generated).get("method")), "GetStats"))
        self.assertEqual(len(ids), 2, "generated request ids repeat")

    def test_failed_call_logged_with_its_code(self):
        error = fx.rpc_error(self.server.search.Search, pb.SearchRequest(limit=500),
                             metadata=self.read_md + (("x-request-id", "e2e-rid-bad"),),
                             timeout=10)
        self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(response_header(error, "x-request-id"), "e2e-rid-bad")
        self.assertEqual(fx.status_name(self.log_for("e2e-rid-bad").get("code")),
                         "INVALID_ARGUMENT")

    def test_start_up_says_what_was_opened_and_how_long_it_took(self):
        opened = self.server.wait_for_log(lambda e: e.get("event") == "index_opened")
        self.assertIsNotNone(opened, "no index_opened line")
        stats = self.server.search.GetStats(pb.GetStatsRequest(), metadata=self.read_md,
                                            timeout=10)
        self.assertEqual(opened.get("documents"), stats.documents, opened)
        self.assertGreater(opened.get("searchable", 0), 0, opened)
        self.assertIsInstance(opened.get("duration_ms"), (int, float), opened)
        self.assertGreaterEqual(opened["duration_ms"], 0)
        # The read threads actually running ("starting" shows the flag, 0 =
        # one per core).
        listening = self.server.wait_for_log(lambda e: e.get("event") == "listening")
        self.assertIsNotNone(listening)
        self.assertEqual(listening.get("read_threads"), os.cpu_count(), listening)

    def test_logs_are_json_lines_without_tokens(self):
        """Runs last in its own server: every kind of token use, then a
        shutdown, and then reads the whole log."""
        server = self.start_server(fx.shared_index().fresh_copy(), write_token=TOKEN,
                                   read_token=READ_TOKEN)
        record = artist_pb2.Artist(id="e2e-l-1", name="Logged Artist", version=3)
        record.location.latitude, record.location.longitude = 53.8, -1.55
        upsert = pb.UpsertArtistsRequest(artists=[record])
        server.search.UpsertArtists(upsert, metadata=fx.bearer(TOKEN), timeout=10)
        for token in (WRONG_TOKEN, READ_TOKEN):
            fx.rpc_error(server.search.UpsertArtists, upsert, metadata=fx.bearer(token),
                         timeout=10)
        server.search.Search(pb.SearchRequest(text="logged"), metadata=fx.bearer(READ_TOKEN),
                             timeout=10)
        fx.rpc_error(server.search.Search, pb.SearchRequest(), metadata=fx.bearer(WRONG_TOKEN),
                     timeout=10)
        self.assertEqual(server.stop(signal.SIGTERM), 0)

        lines = server.log_lines()
        self.assertGreater(len(lines), 5)
        self.assertEqual(server.non_json_log_lines(), [])
        for entry in server.logs():
            self.assertIn("ts", entry)
            self.assertIn("level", entry)
        call_lines = [e for e in server.logs() if "request_id" in e]
        self.assertGreaterEqual(len(call_lines), 5)
        codes = [fx.status_name(e.get("code")) for e in call_lines]
        self.assertIn("PERMISSION_DENIED", codes)
        self.assertIn("OK", codes)
        for line in lines + server.stdout_lines():
            for secret in (TOKEN, READ_TOKEN, WRONG_TOKEN, "SECRET"):
                self.assertNotIn(secret, line)

    def test_protobuf_complaints_are_json_lines(self):
        # A string field that is not UTF-8 (GetArtistRequest.id = b"\xff"),
        # sent as raw bytes: libprotobuf refuses to parse it and says why,
        # which by default is a plain-text line on stderr. The client's
        # mistake: INVALID_ARGUMENT, and a warning.
        server = self.start_server(fx.shared_index().fresh_copy())
        get_artist = server.channel.unary_unary("/inkdex.v1.ArtistSearch/GetArtist",
                                                request_serializer=lambda raw: raw,
                                                response_deserializer=lambda raw: raw)
        error = fx.rpc_error(get_artist, b"\x0a\x01\xff", timeout=10)
        self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT, error.details())
        complaint = server.wait_for_log(lambda e: e.get("event") == "protobuf")
        self.assertIsNotNone(complaint, "\n".join(server.log_lines()[-10:]))
        self.assertIn("UTF-8", complaint.get("message", ""))
        self.assertEqual(complaint.get("level"), "warn", complaint)
        self.assertEqual(server.stop(signal.SIGTERM), 0)
        self.assertEqual(server.non_json_log_lines(), [])


class StalledLogTest(fx.ServiceTestCase):
    """stderr's reader stops reading (a log driver blocked on its
    destination): calls, health and the drain go on, and the lines that do
    not fit the log's buffer are dropped, counted and announced."""

    def start_unread_server(self):
        """A server with a 1 MiB log buffer whose stderr is not read."""
        server = self.start_server(fx.shared_index().fresh_copy(),
                                   extra_args=("--log-buffer-mb", 1))
        server.pause_stderr()
        return server

    def assertSearchesAnswer(self, server, calls, batch=30):
        """`calls` searches, `batch` at a time, every one answered OK."""
        request = pb.SearchRequest(text="dragon", date=fx.FIXED_DAY)
        for done in range(0, calls, batch):
            futures = [server.search.Search.future(request, timeout=20) for _ in range(batch)]
            codes = [future.code() for future in futures]
            self.assertEqual(codes, [grpc.StatusCode.OK] * batch, "after %d calls" % done)

    def test_a_stalled_log_reader_holds_no_call(self):
        server = self.start_unread_server()
        # A call's line is ~250 bytes: 6,000 of them are far beyond the pipe
        # (64 KiB) and the 1 MiB buffer. Before the log had a writer thread of
        # its own, the calls stopped at the pipe's limit (DEADLINE_EXCEEDED).
        self.assertSearchesAnswer(server, 6000)
        health = server.health.Check(fx.health_pb2.HealthCheckRequest(), timeout=5)
        self.assertEqual(health.status, fx.health_pb2.HealthCheckResponse.SERVING)
        dropped = metric_value(parse_metrics(server.metrics()), "inkdex_log_lines_dropped_total")
        self.assertGreater(dropped, 0)
        self.assertLess(dropped, 6000)

        # Read again: what was buffered, then a line saying what was lost.
        server.resume_stderr()
        notice = server.wait_for_log(lambda e: e.get("event") == "log_lines_dropped", timeout=20)
        self.assertIsNotNone(notice, "\n".join(server.log_lines()[-5:]))
        self.assertEqual(notice.get("level"), "warn", notice)
        self.assertEqual(server.stop(signal.SIGTERM), 0)
        self.assertEqual(server.non_json_log_lines(), [])
        announced = sum(e["lines"] for e in server.logs() if e.get("event") == "log_lines_dropped")
        self.assertGreaterEqual(announced, dropped)
        # Every call's line was either written or counted in a notice.
        calls = [e for e in server.logs() if e.get("request_id")
                 and method_is(str(e.get("method")), "Search")]
        self.assertLess(len(calls), 6000)
        self.assertGreaterEqual(len(calls) + announced, 6000)

    def test_a_stalled_log_reader_does_not_hold_the_drain(self):
        server = self.start_unread_server()
        self.assertSearchesAnswer(server, 1000, batch=25)
        # The pipe is full and stays unread: the exit waits for the log at
        # most a second after the drain, within the 10 s a SIGTERM is given.
        # (Logging "draining" on the signal thread used to block there, and
        # the process never exited.)
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        self.assertEqual(server.proc.wait(timeout=15), 0)
        self.assertLess(time.monotonic() - started, 10)


if __name__ == "__main__":
    unittest.main()
