"""inkdex-server under time pressure and change: deadlines and cancellation
stop a slow call early, load beyond --max-concurrent-requests is refused at
once, SIGTERM drains calls in flight, and an index swapped in (Admin.SwapIndex
or SIGHUP on a re-pointed symlink) drops no request, and what start-up
refuses or warns about.

Slow calls come from the hidden --test-search-delay-ms flag: each Search and
Suggest first waits that long, stopping early when cancelled or past its
deadline."""

import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import unittest

import grpc

import server_fixture as fx
from server_fixture import artist_pb2, pb

TOKEN = "e2e-lifecycle-token"
MARKER_ID = "e2e-swap-marker"
MARKER_WORD = "Quenbyswapmarker"
LONDON = (51.5074, -0.1278)


def second_index():
    """A different index for swapping in: other artists, plus the marker."""
    marker = {"artistId": MARKER_ID, "artistName": "Ottilie " + MARKER_WORD,
              "latitude": 51.5074, "longitude": -0.1278, "styles": ["blackwork"],
              "locationCity": "London", "locationCountry": "GB"}
    return fx.shared_index(count=1500, seed=11, extra_records=[marker])


def rid(value):
    return (("x-request-id", value),)


def london_search(**fields):
    request = pb.SearchRequest(date=fx.FIXED_DAY, limit=10, **fields)
    request.point.lat, request.point.lon = LONDON
    request.radius_km = 50
    return request


class DeadlineTest(fx.ServiceTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = cls.start_class_server(fx.shared_index().fresh_copy(),
                                            extra_args=["--test-search-delay-ms", "2000"])

    def assertStoppedEarly(self, request_id, codes):
        entry = self.server.wait_for_log(lambda e: e.get("request_id") == request_id, timeout=5)
        self.assertIsNotNone(entry, "no log line with request_id %s" % request_id)
        self.assertIn(fx.status_name(entry.get("code")), codes, entry)
        self.assertIn("duration_ms", entry)
        # The handler waits 2000 ms unless it notices the call is over.
        self.assertLess(float(entry["duration_ms"]), 1000, entry)

    def test_deadline_exceeded_returns_quickly(self):
        for name, call, request in (("Search", self.server.search.Search, london_search()),
                                    ("Suggest", self.server.search.Suggest,
                                     pb.SuggestRequest(prefix="lon"))):
            with self.subTest(method=name):
                request_id = "e2e-deadline-" + name
                started = time.monotonic()
                self.assertRpcError(grpc.StatusCode.DEADLINE_EXCEEDED, call, request, timeout=0.2,
                                    metadata=rid(request_id))
                self.assertLess(time.monotonic() - started, 1.0)
                self.assertStoppedEarly(request_id, ("DEADLINE_EXCEEDED", "CANCELLED"))

    def test_cancelled_call_stops(self):
        future = self.server.search.Search.future(london_search(), timeout=10,
                                                  metadata=rid("e2e-cancel-1"))
        time.sleep(0.3)
        self.assertTrue(future.cancel())
        self.assertStoppedEarly("e2e-cancel-1", ("CANCELLED", "DEADLINE_EXCEEDED"))

    def test_slow_call_within_deadline_succeeds(self):
        started = time.monotonic()
        response = self.server.search.Search(london_search(), timeout=10)
        self.assertGreaterEqual(time.monotonic() - started, 1.9)
        self.assertGreater(response.total, 0)


class OverloadTest(fx.ServiceTestCase):
    def test_resource_exhausted_at_once(self):
        server = self.start_server(fx.shared_index().fresh_copy(), extra_args=[
            "--max-concurrent-requests", "2", "--test-search-delay-ms", "1500"])
        calls = 10
        done_at = [None] * calls
        started = time.monotonic()
        futures = []
        for i in range(calls):
            future = server.search.Search.future(london_search(), timeout=15)
            future.add_done_callback(lambda f, i=i: done_at.__setitem__(i, time.monotonic()))
            futures.append(future)
        codes = []
        for future in futures:
            try:
                future.result()
                codes.append(grpc.StatusCode.OK)
            except grpc.RpcError as e:
                codes.append(e.code())
        ok = [i for i, c in enumerate(codes) if c == grpc.StatusCode.OK]
        exhausted = [i for i, c in enumerate(codes) if c == grpc.StatusCode.RESOURCE_EXHAUSTED]
        self.assertEqual(len(ok) + len(exhausted), calls, [c.name for c in codes])
        self.assertEqual(len(ok), 2, [c.name for c in codes])
        for i in exhausted:
            self.assertLess(done_at[i] - started, 1.0, "call %d was refused only after %.2f s" %
                            (i, done_at[i] - started))
        # Capacity is back once the slow calls end.
        self.assertGreater(server.search.Search(london_search(), timeout=10).total, 0)
        self.assertTrue(server.running())


class DrainTest(fx.ServiceTestCase):
    def test_sigterm_drains_calls_in_flight(self):
        server = self.start_server(fx.shared_index().fresh_copy(),
                                   extra_args=["--test-search-delay-ms", "1500"])
        self.assertEqual(server.http_get("/healthz")[0], 200)
        futures = [server.search.Search.future(london_search(), timeout=20) for _ in range(5)]
        futures.append(server.search.Suggest.future(pb.SuggestRequest(prefix="lon"), timeout=20))
        time.sleep(0.4)  # all of them are inside their handlers now
        self.assertFalse(any(f.done() for f in futures))
        signalled = time.monotonic()
        server.send_signal(signal.SIGTERM)
        time.sleep(0.2)

        # New calls are refused while the old ones finish.
        channel = server.new_channel()
        try:
            self.assertRpcError(grpc.StatusCode.UNAVAILABLE,
                                fx.pb_grpc.ArtistSearchStub(channel).GetStats,
                                pb.GetStatsRequest(), timeout=3)
        finally:
            channel.close()
        self.assertEqual(server.http_get("/healthz", timeout=2)[0], 503, "/healthz while draining")

        for future in futures:
            self.assertIsNotNone(future.result(timeout=10))  # every call in flight completes OK
        code = server.stop(signal.SIGTERM, timeout=12)
        self.assertEqual(code, 0)
        self.assertLess(time.monotonic() - signalled, 10)

    def test_sigterm_ends_health_watches_at_once(self):
        # A health Watch is an endless stream: the drain must end it (with
        # NOT_SERVING first) rather than let it run into the drain deadline
        # (8 s), where it would end CANCELLED.
        server = self.start_server(fx.shared_index().fresh_copy())
        watch = server.health.Watch(fx.health_pb2.HealthCheckRequest(service=""), timeout=30)
        self.assertEqual(next(watch).status, fx.health_pb2.HealthCheckResponse.SERVING)
        signalled = time.monotonic()
        server.send_signal(signal.SIGTERM)
        self.assertEqual(next(watch).status, fx.health_pb2.HealthCheckResponse.NOT_SERVING)
        with self.assertRaises(grpc.RpcError) as ended:
            next(watch)
        self.assertEqual(ended.exception.code(), grpc.StatusCode.UNAVAILABLE)
        self.assertLess(time.monotonic() - signalled, 2, "the watch ran on into the drain")
        self.assertEqual(server.stop(signal.SIGTERM, timeout=12), 0)
        self.assertLess(time.monotonic() - signalled, 10)

    def test_a_client_that_keeps_its_channel_open_does_not_hold_the_drain(self):
        # After the GOAWAY gRPC waits for each client to close its connection.
        # This client's channel stays open and idle (as a frozen Lambda's
        # would): the drain closed it only at the client's own timer, ~5 s
        # later (or the 8 s deadline); now half a second after the last call.
        server = self.start_server(fx.shared_index().fresh_copy())
        self.assertGreater(server.search.Search(london_search(), timeout=10).total, 0)
        self.assertEqual(server.stop(signal.SIGTERM, timeout=12), 0)
        self.assertLess(server.exit_seconds, 3.5)
        drained = server.wait_for_log(lambda e: e.get("event") == "drained", timeout=1)
        self.assertIsNotNone(drained, "\n".join(server.log_lines()[-5:]))
        self.assertTrue(drained["idle_connections_closed"], drained)
        self.assertLess(drained["duration_ms"], 3000, drained)

    def test_sigint_also_drains(self):
        server = self.start_server(fx.shared_index().fresh_copy(),
                                   extra_args=["--test-search-delay-ms", "800"])
        future = server.search.Search.future(london_search(), timeout=20)
        time.sleep(0.3)
        self.assertEqual(server.stop(signal.SIGINT, timeout=12), 0)
        self.assertGreater(future.result(timeout=1).total, 0)


class QueryRunner:
    """Threads that search without pause, recording every failure and, per
    call, whether the swap marker was found."""

    def __init__(self, server, threads=3):
        self._server = server
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.errors = []
        self.observations = []  # (monotonic start, monotonic end, marker found)
        self.calls = 0
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                         for i in range(threads)]
        for t in self._threads:
            t.start()

    def _run(self, number):
        stub = self._server.search
        i = 0
        while not self._stop.is_set():
            i += 1
            try:
                if (i + number) % 2:
                    started = time.monotonic()
                    response = stub.Search(pb.SearchRequest(text=MARKER_WORD,
                                                            date=fx.FIXED_DAY), timeout=10)
                    found = [h.id for h in response.hits] == [MARKER_ID]
                    with self._lock:
                        self.observations.append((started, time.monotonic(), found))
                else:
                    response = stub.Search(london_search(), timeout=10)
                    if response.total <= 0:
                        raise AssertionError("a London search matched nothing")
            except Exception as e:  # noqa: BLE001 - every failure is a test failure
                with self._lock:
                    self.errors.append(repr(e))
            with self._lock:
                self.calls += 1

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(20)


class SwapTest(fx.ServiceTestCase):
    def assertSwitchedOnce(self, runner, swapped_at):
        """No failure; a call that ended before the swap started used the old
        index, a call that started after the swap returned used the new one
        (calls in flight during the swap may use either), and once a call saw
        the new index no later-started call saw the old one."""
        self.assertEqual(runner.errors, [])
        self.assertGreater(runner.calls, 20)
        swap_started, swap_finished = swapped_at
        before = [found for start, end, found in runner.observations if end < swap_started]
        after = [found for start, end, found in runner.observations if start > swap_finished]
        self.assertTrue(before and after, "no queries before or after the swap")
        self.assertFalse(any(before), "the new index was served before the swap")
        self.assertTrue(all(after), "the old index was served after the swap")
        first_new_end = min(end for start, end, found in runner.observations if found)
        for start, end, found in runner.observations:
            if start > first_new_end:
                self.assertTrue(found, "results switched back to the old index")

    def assertServesSecondIndex(self, server, directory):
        stats = server.search.GetStats(pb.GetStatsRequest(), timeout=10)
        self.assertEqual(stats.index_generation, 2)
        self.assertEqual(os.path.realpath(stats.index_directory), os.path.realpath(directory))
        self.assertEqual(stats.documents, len(second_index().records))
        server.search.GetArtist(pb.GetArtistRequest(id=MARKER_ID), timeout=10)
        self.assertRpcError(grpc.StatusCode.NOT_FOUND, server.search.GetArtist,
                            pb.GetArtistRequest(id="e2e-visible-1"))

    def test_swap_index_rpc_while_queries_run(self):
        old = fx.shared_index().fresh_copy()
        new = second_index().fresh_copy()
        server = self.start_server(old, write_token=TOKEN,
                                   extra_args=["--test-search-delay-ms", "20"])
        runner = QueryRunner(server)
        try:
            time.sleep(0.6)
            started = time.monotonic()
            response = server.admin.SwapIndex(pb.SwapIndexRequest(directory=new, verify=True),
                                              metadata=fx.bearer(TOKEN), timeout=30)
            finished = time.monotonic()
            time.sleep(0.6)
        finally:
            runner.stop()
        self.assertEqual(os.path.realpath(response.directory), os.path.realpath(new))
        self.assertEqual(response.documents, len(second_index().records))
        self.assertEqual(response.index_generation, 2)
        self.assertSwitchedOnce(runner, (started, finished))
        self.assertServesSecondIndex(server, new)

    def test_sighup_reopens_symlinked_index_while_queries_run(self):
        root = fx.make_temp_dir()
        old = fx.shared_index().fresh_copy()
        new = second_index().fresh_copy()
        link = os.path.join(root, "current")
        os.symlink(old, link)
        server = self.start_server(link, extra_args=["--test-search-delay-ms", "20"])
        runner = QueryRunner(server)
        try:
            time.sleep(0.6)
            os.symlink(new, link + ".next")
            os.replace(link + ".next", link)  # what an operator's `ln -sfn` does
            started = time.monotonic()
            server.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 10
            while server.search.GetStats(pb.GetStatsRequest(),
                                         timeout=10).index_generation < 2:
                self.assertLess(time.monotonic(), deadline, "SIGHUP swapped nothing in 10 s")
                time.sleep(0.05)
            finished = time.monotonic()
            time.sleep(0.6)
        finally:
            runner.stop()
        self.assertTrue(server.running())
        self.assertSwitchedOnce(runner, (started, finished))
        self.assertServesSecondIndex(server, new)

    def test_failed_swap_keeps_serving(self):
        server = self.start_server(fx.shared_index().fresh_copy(), write_token=TOKEN)
        root = fx.make_temp_dir()
        empty = os.path.join(root, "empty")
        os.mkdir(empty)
        for directory in (os.path.join(root, "no-such-dir"), empty):
            with self.subTest(directory=directory):
                error = fx.rpc_error(server.admin.SwapIndex,
                                     pb.SwapIndexRequest(directory=directory),
                                     metadata=fx.bearer(TOKEN), timeout=30)
                self.assertIn(error.code(), (grpc.StatusCode.NOT_FOUND,
                                             grpc.StatusCode.FAILED_PRECONDITION),
                              error.details())
                self.assertIn(directory, error.details())
        stats = server.search.GetStats(pb.GetStatsRequest(), timeout=10)
        self.assertEqual(stats.index_generation, 1)
        self.assertEqual(stats.documents, len(fx.shared_index().records))
        self.assertEqual(os.listdir(empty), [], "a failed swap created an index")

    def test_pending_writes_are_committed_to_the_old_index(self):
        old = fx.shared_index().fresh_copy()
        # A write in the first 5 s after the start waits for its commit (commits
        # start at most once per interval); the swap commits it first.
        server = self.start_server(old, write_token=TOKEN,
                                   extra_args=["--commit-interval-ms", "5000"])
        record = artist_pb2.Artist(id="e2e-swap-write", name="Before Swap", version=5)
        record.location.latitude, record.location.longitude = LONDON
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            write = pool.submit(server.search.UpsertArtists,
                                pb.UpsertArtistsRequest(artists=[record]),
                                metadata=fx.bearer(TOKEN), timeout=20)
            time.sleep(0.3)
            self.assertFalse(write.done())
            server.admin.SwapIndex(pb.SwapIndexRequest(directory=second_index().fresh_copy()),
                                   metadata=fx.bearer(TOKEN), timeout=30)
            self.assertEqual(write.result(timeout=10).results[0].outcome,
                             pb.WriteResult.OUTCOME_APPLIED)
        self.assertEqual(server.stop(), 0)
        self.assertEqual(fx.inkdex_json("get", "--index", old, "e2e-swap-write")["artistName"],
                         "Before Swap")

    def test_swap_to_an_index_open_in_another_process(self):
        other = self.start_server(fx.shared_index().fresh_copy())
        server = self.start_server(fx.shared_index().fresh_copy(), write_token=TOKEN)
        error = fx.rpc_error(server.admin.SwapIndex,
                             pb.SwapIndexRequest(directory=other.index_dir),
                             metadata=fx.bearer(TOKEN), timeout=30)
        self.assertEqual(error.code(), grpc.StatusCode.FAILED_PRECONDITION, error.details())
        self.assertIn("index: '%s' is open for writing in another process" % other.index_dir,
                      error.details())
        self.assertNotIn("IO error", error.details())
        self.assertEqual(server.search.GetStats(pb.GetStatsRequest(),
                                                timeout=10).index_generation, 1)

    def test_sighup_after_swap_index_reopens_the_original_index(self):
        # A swap lasts for the process (artist_search.proto, SwapIndex).
        original = fx.shared_index().fresh_copy()
        server = self.start_server(original, write_token=TOKEN)
        server.admin.SwapIndex(pb.SwapIndexRequest(directory=second_index().fresh_copy()),
                               metadata=fx.bearer(TOKEN), timeout=30)
        server.send_signal(signal.SIGHUP)
        swapped = server.wait_for_log(
            lambda e: e.get("event") == "swapped" and e.get("trigger") == "SIGHUP", timeout=20)
        self.assertIsNotNone(swapped, "\n".join(server.log_lines()[-10:]))
        stats = server.search.GetStats(pb.GetStatsRequest(), timeout=10)
        self.assertEqual(stats.index_generation, 3)
        self.assertEqual(os.path.realpath(stats.index_directory), os.path.realpath(original))

    def test_a_swapped_in_index_is_prefetched_before_it_serves(self):
        server = self.start_server(fx.shared_index().fresh_copy(), write_token=TOKEN)
        new_dir = second_index().fresh_copy()
        server.admin.SwapIndex(pb.SwapIndexRequest(directory=new_dir),
                               metadata=fx.bearer(TOKEN), timeout=30)
        entry = server.wait_for_log(lambda e: e.get("method") == "SwapIndex")
        self.assertEqual(entry["code"], "OK", entry)
        self.assertEqual(entry["prefetched_bytes"], text_bytes(new_dir), entry)
        self.assertNotIn("prefetch_error", entry)


def text_bytes(index_dir):
    """The size of an index's search index files (text/)."""
    text = os.path.join(index_dir, "text")
    return sum(os.path.getsize(os.path.join(text, name)) for name in os.listdir(text)
               if os.path.isfile(os.path.join(text, name)))


def run_server_until_exit(*args, timeout=60):
    """Runs inkdex-server with `args` (it is expected to exit by itself);
    returns (exit code, parsed JSON log lines)."""
    proc = subprocess.run([fx.server_bin(), "--listen", "127.0.0.1:0", *map(str, args)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout)
    lines = [json.loads(line) for line in proc.stderr.splitlines() if line.strip()]
    return proc.returncode, lines


class StartTest(fx.ServiceTestCase):
    def test_a_missing_index_parent_is_refused(self):
        root = fx.make_temp_dir()
        index = os.path.join(root, "no-such-parent", "index")
        code, lines = run_server_until_exit("--index", index, "--metrics-listen", "off")
        self.assertEqual(code, 2, lines)
        failed = [e for e in lines if e.get("level") == "error"]
        self.assertEqual(len(failed), 1, lines)
        self.assertIn("--index", failed[0]["message"])
        self.assertIn(os.path.join(root, "no-such-parent") + "' does not exist",
                      failed[0]["message"])
        self.assertFalse(os.path.exists(os.path.join(root, "no-such-parent")))

    def test_a_missing_index_directory_is_created_with_a_warning(self):
        index = os.path.join(fx.make_temp_dir(), "new-index")
        server = self.start_server(index)
        created = server.wait_for_log(lambda e: e.get("event") == "index_created")
        self.assertIsNotNone(created)
        self.assertEqual(created["level"], "warn")
        self.assertIn("new empty index", created["message"])
        self.assertEqual(server.search.GetStats(pb.GetStatsRequest(), timeout=10).documents, 0)
        # An existing index: no warning.
        again = self.start_server(fx.shared_index().fresh_copy())
        self.assertIsNone(again.wait_for_log(lambda e: e.get("event") == "index_created",
                                             timeout=0.2))

    def test_sigterm_while_the_index_opens_stops_it(self):
        # text/ lost: the open rebuilds the search index from the stored
        # records, seconds at this size, and SIGTERM arrives meanwhile.
        root = fx.make_temp_dir()
        data = os.path.join(root, "artists.jsonl")
        index = os.path.join(root, "index")
        subprocess.run([fx.inkdex_bin(), "synth", "--quiet", "--count", "60000", "--seed", "3",
                        "--out", data], check=True)
        subprocess.run([fx.inkdex_bin(), "build", "--input", data, "--index", index,
                        "--progress", "off"], check=True, capture_output=True)
        for attempt in range(3):
            shutil.rmtree(os.path.join(index, "text"))
            proc = subprocess.Popen(
                [fx.server_bin(), "--index", index, "--listen", "127.0.0.1:0",
                 "--metrics-listen", "127.0.0.1:0"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True)
            lines = []
            for line in proc.stderr:  # the open starts right after the metrics listener
                lines.append(json.loads(line))
                if lines[-1].get("event") == "metrics_listening":
                    break
            time.sleep(0.2)
            signalled = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            _, rest = proc.communicate(timeout=60)
            took = time.monotonic() - signalled
            lines += [json.loads(line) for line in rest.splitlines() if line.strip()]
            events = [e.get("event") for e in lines]
            if "index_opened" in events:
                continue  # the open won the race: again, from a lost text/ again
            self.assertEqual(proc.returncode, 0, lines)
            self.assertIn("stopped_while_opening", events, lines)
            self.assertNotIn("listening", events)
            stopped = lines[events.index("stopped_while_opening")]
            self.assertEqual(stopped["signal"], "SIGTERM")
            self.assertLess(took, 5, lines)
            break
        else:
            self.fail("the index opened before SIGTERM in every attempt")
        # Nothing lost: the next open rebuilds the search index.
        verified = subprocess.run([fx.inkdex_bin(), "verify", "--index", index],
                                  capture_output=True, text=True, timeout=300)
        self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)
        self.assertIn("ok: 60000 documents (", verified.stdout)

    def test_the_search_index_is_prefetched_before_the_server_listens(self):
        index_dir = fx.shared_index().fresh_copy()
        server = self.start_server(index_dir)
        self.assertIsNotNone(server.wait_for_log(lambda e: e.get("event") == "listening"))
        lines = server.logs()
        events = [e.get("event") for e in lines]
        self.assertLess(events.index("index_opened"), events.index("index_prefetched"))
        self.assertLess(events.index("index_prefetched"), events.index("listening"))
        prefetched = lines[events.index("index_prefetched")]
        # The budget (half of the available memory) holds this small index.
        self.assertGreater(prefetched["budget_bytes"], prefetched["search_index_bytes"])
        self.assertEqual(prefetched["search_index_bytes"], text_bytes(index_dir))
        self.assertEqual(prefetched["bytes_read"], prefetched["search_index_bytes"])
        self.assertEqual(server.stop(), 0)
        # A budget reads that much at most; 0 turns it off.
        server = self.start_server(index_dir, extra_args=("--prefetch-mb", 1))
        prefetched = server.wait_for_log(lambda e: e.get("event") == "index_prefetched")
        self.assertEqual(prefetched["budget_bytes"], 1 << 20)
        self.assertEqual(prefetched["bytes_read"], min(1 << 20, text_bytes(index_dir)))
        self.assertEqual(server.stop(), 0)
        server = self.start_server(index_dir, extra_args=("--prefetch-mb", 0))
        self.assertNotIn("index_prefetched", [e.get("event") for e in server.logs()])

    def test_drifted_slots_are_renumbered_at_start_when_asked(self):
        index_dir = fx.shared_index().fresh_copy()
        server = self.start_server(index_dir, write_token=TOKEN)
        opened = server.wait_for_log(lambda e: e.get("event") == "index_opened")
        self.assertEqual(opened["slot_drift"], 0)  # built offline
        # 200 artists moved far away keep their slots: out of cell order.
        moved = []
        for i in range(0, 4000, 20):
            record = artist_pb2.Artist(id="artist-%07d" % i, name="Moved Nomad %d" % i,
                                       version=10 ** 15 + i, is_active=True)
            record.location.latitude = -40 + (i * 37) % 100
            record.location.longitude = -170 + (i * 53) % 340
            record.styles.append("blackwork")
            moved.append(record)
        response = server.search.UpsertArtists(pb.UpsertArtistsRequest(artists=moved),
                                               metadata=fx.bearer(TOKEN), timeout=30)
        self.assertTrue(all(r.outcome == pb.WriteResult.OUTCOME_APPLIED
                            for r in response.results))
        self.assertEqual(server.stop(), 0)

        def answers(server):
            request = pb.SearchRequest(text="nomad", date=fx.FIXED_DAY, limit=100)
            return [(h.id, round(h.score, 9)) for h in server.search.Search(request,
                                                                           timeout=10).hits]

        server = self.start_server(index_dir)
        drift = server.wait_for_log(lambda e: e.get("event") == "index_opened")["slot_drift"]
        self.assertGreater(drift, 0.02)
        layout = server.search.GetStats(pb.GetStatsRequest(), timeout=10).slot_layout
        self.assertAlmostEqual(layout.drift, drift)
        self.assertAlmostEqual(layout.drift, layout.breaks / (2 * layout.artists))
        before = answers(server)
        self.assertEqual(len(before), 100)
        self.assertEqual(server.stop(), 0)
        # Above the threshold: renumbered before serving, answering the same.
        server = self.start_server(index_dir, extra_args=("--renumber-slots-at-drift", 0.02))
        opened = server.wait_for_log(lambda e: e.get("event") == "index_opened")
        self.assertEqual(opened["slot_drift"], 0)
        events = [e.get("event") for e in server.logs()]
        self.assertLess(events.index("slot_renumbering"), events.index("index_opened"))
        told = server.logs()[events.index("slot_renumbering")]
        self.assertAlmostEqual(told["slot_drift"], drift)
        self.assertEqual(told["threshold"], 0.02)
        self.assertEqual(answers(server), before)
        self.assertEqual(server.stop(), 0)

    def test_drifted_slots_are_renumbered_while_serving_when_asked(self):
        index_dir = fx.shared_index().fresh_copy("online")
        server = self.start_server(index_dir, write_token=TOKEN,
                                   extra_args=("--renumber-online-at-drift", 0.02,
                                               "--slot-drift-interval", "1s"))
        # --index became a symlink to the generation it serves.
        self.assertTrue(os.path.islink(index_dir))
        first_generation = os.path.realpath(index_dir)
        self.assertIn(".gen-", first_generation)

        def nomads():
            request = pb.SearchRequest(text="nomad", date=fx.FIXED_DAY, limit=100)
            response = server.search.Search(request, timeout=10)
            return response.total, sorted(h.id for h in response.hits)

        # Writes and searches run throughout; none may fail.
        stop = threading.Event()
        steady, failures, searches = [], [], [0]

        def write_steadily():
            n = 0
            while not stop.is_set():
                record = artist_pb2.Artist(id="steady-%05d" % n, name="Steady Walker %d" % n,
                                           version=1, is_active=True)
                record.location.latitude = 53.8 + n * 1e-4
                record.location.longitude = -1.55
                record.styles.append("fineline")
                try:
                    response = server.search.UpsertArtists(
                        pb.UpsertArtistsRequest(artists=[record]), metadata=fx.bearer(TOKEN),
                        timeout=30)
                    if response.results[0].outcome != pb.WriteResult.OUTCOME_APPLIED:
                        failures.append(("write", response.results[0].reason))
                    steady.append(record.id)
                except grpc.RpcError as e:
                    failures.append(("write", e.code(), e.details()))
                n += 1
                time.sleep(0.01)

        def search_steadily():
            while not stop.is_set():
                try:
                    nomads()
                    searches[0] += 1
                except grpc.RpcError as e:
                    failures.append(("search", e.code(), e.details()))

        threads = [threading.Thread(target=write_steadily),
                   threading.Thread(target=search_steadily)]
        for t in threads:
            t.start()
        try:
            # 200 artists moved far away keep their slots: out of cell order.
            response = server.search.UpsertArtists(
                pb.UpsertArtistsRequest(artists=[fx.moved_far(i, 10 ** 15 + i)
                                                 for i in range(0, 4000, 20)]),
                metadata=fx.bearer(TOKEN), timeout=30)
            self.assertTrue(all(r.outcome == pb.WriteResult.OUTCOME_APPLIED
                                for r in response.results))
            before = nomads()
            self.assertEqual(before[0], 200)
            started = server.wait_for_log(lambda e: e.get("event") == "slot_renumbering",
                                          timeout=30)
            self.assertIsNotNone(started, server.log_lines()[-20:])
            self.assertTrue(started["online"])
            self.assertGreater(started["slot_drift"], 0.02)
            done = server.wait_for_log(lambda e: e.get("event") in ("slots_renumbered",
                                                                   "slot_renumbering_failed"),
                                       timeout=120)
            time.sleep(0.3)  # writes and searches after the swap too
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertIsNotNone(done, server.log_lines()[-20:])
        self.assertEqual(done["event"], "slots_renumbered", done)
        # The steady writer wrote while the copy was opened (~0.7 s here):
        # those writes reached the renumbered index by the replay.
        self.assertGreater(done["replayed_changes"], 0, done)
        self.assertEqual(failures, [])
        self.assertGreater(searches[0], 0)
        self.assertGreater(len(steady), 10)
        self.assertLess(done["slot_drift_after"], 0.02)
        self.assertEqual(done["removed"], [first_generation])
        self.assertFalse(os.path.exists(first_generation))
        self.assertEqual(os.path.realpath(index_dir), done["directory"])
        self.assertEqual(nomads(), before)
        layout = server.search.GetStats(pb.GetStatsRequest(), timeout=10).slot_layout
        self.assertLess(layout.drift, 0.02)
        self.assertIn('inkdex_slot_renumberings_total{result="ok"} 1', server.metrics())
        # Every acknowledged write is in the served index, and in the one a
        # restart opens.
        def found(server):
            ids = []
            for i in range(0, len(steady), 100):
                got = server.search.BatchGetArtists(
                    pb.BatchGetArtistsRequest(ids=steady[i:i + 100], allow_missing=True),
                    timeout=30)
                ids.extend(a.id for a in got.artists)
            return sorted(ids)

        self.assertEqual(found(server), sorted(steady))
        self.assertEqual(server.stop(), 0)
        server = self.start_server(index_dir)
        self.assertEqual(found(server), sorted(steady))
        self.assertEqual(nomads(), before)
        self.assertLess(server.search.GetStats(pb.GetStatsRequest(), timeout=10)
                        .slot_layout.drift, 0.02)
        self.assertEqual(server.stop(), 0)

    def test_healthz_listens_before_the_index_opens(self):
        # The index is held by another server, so this one's open fails: the
        # metrics listener was up (/healthz 503) before it tried.
        holder = self.start_server(fx.shared_index().fresh_copy())
        code, lines = run_server_until_exit("--index", holder.index_dir,
                                            "--metrics-listen", "127.0.0.1:0")
        self.assertEqual(code, 1, lines)
        events = [e.get("event") for e in lines]
        self.assertIn("metrics_listening", events)
        self.assertIn("index_open_failed", events)
        self.assertLess(events.index("metrics_listening"), events.index("index_open_failed"))
        failed = lines[events.index("index_open_failed")]
        self.assertEqual(failed["code"], "FAILED_PRECONDITION", failed)
        self.assertIn("is open for writing in another process", failed["message"])
        # A server that opens its index says the same, in the same order.
        server = self.start_server(fx.shared_index().fresh_copy())
        events = [e.get("event") for e in server.logs()]
        self.assertLess(events.index("metrics_listening"), events.index("index_opened"))


if __name__ == "__main__":
    unittest.main()
