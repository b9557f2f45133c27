"""Fixtures for end-to-end tests of inkdex-server: indexes built with the real
`inkdex` CLI and the real `inkdex-server` binary on a free loopback port.

Environment (set by tests/service/CMakeLists.txt):
    INKDEX_BIN          the inkdex CLI (synth, build, search --json, ...)
    INKDEX_SERVER_BIN   inkdex-server
    PYTHONPATH          the generated stubs (inkdex.v1.artist_search_pb2, ...,
                        health.v1.health_pb2, reflection.v1alpha.reflection_pb2)

Typical use:

    index = server_fixture.shared_index()          # built once per process
    server = server_fixture.Server(index.fresh_copy(), write_token="s3cret")
    self.addCleanup(server.kill)                   # or `with Server(...) as s:`
    reply = server.search.Search(pb.SearchRequest(text="koi"), timeout=10)
    code = server.stop()                           # SIGTERM; the exit code

Every Server is killed at interpreter exit even when a test forgets to.
"""

import atexit
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import grpc

from health.v1 import health_pb2, health_pb2_grpc
from inkdex import artist_pb2
from inkdex.v1 import artist_search_pb2 as pb
from inkdex.v1 import artist_search_pb2_grpc as pb_grpc
from reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

__all__ = ["artist_pb2", "pb", "pb_grpc", "health_pb2", "reflection_pb2"]


def _required_env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError("%s is not set (run the tests through ctest)" % name)
    return value


def inkdex_bin():
    return _required_env("INKDEX_BIN")


def server_bin():
    return _required_env("INKDEX_SERVER_BIN")


def run_inkdex(*args, stdin=None, check=True, timeout=120):
    """Runs the inkdex CLI; with check, a non-zero exit raises with its output."""
    proc = subprocess.run([inkdex_bin(), *[str(a) for a in args]], input=stdin,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError("inkdex %s: exit %d\n%s%s" % (" ".join(map(str, args)),
                                                           proc.returncode, proc.stdout,
                                                           proc.stderr))
    return proc


def inkdex_json(*args):
    """Runs an inkdex command that prints one JSON object (search/suggest/stats
    --json) and returns it parsed."""
    return json.loads(run_inkdex(*args).stdout)


# ---------------------------------------------------------------------------
# Indexes

# A day the search tests pin so that guest spots do not depend on today's date.
FIXED_DAY = "2026-12-01"

# Hand-written artists beside the synthetic ones, with ids and words the tests
# can name. Locations are in central Leeds, away from most synthetic artists.
HANDWRITTEN = [
    {"artistId": "e2e-visible-1", "artistName": "Zephyrine Quillfeather",
     "latitude": 53.7997, "longitude": -1.5492, "styles": ["fineline", "floral"],
     "locationDisplay": "City Centre, Leeds, UK", "locationCity": "Leeds",
     "locationCountry": "GB", "rating": 4.9, "reviewCount": 210,
     "studioInfo": {"studioId": "e2e-studio-1", "studioName": "Quillfeather Ink"},
     "pricing": {"hourlyRate": 110, "minimumCharge": 60, "currency": "GBP"},
     "availability": {"bookingOpen": True}, "experience": {"yearsActive": 9},
     "biography": "Botanical hummingbird sleeves in fine line."},
    {"artistId": "e2e-visible-2", "artistName": "Zephyrine Otterburn",
     "latitude": 53.8100, "longitude": -1.5600, "styles": ["blackwork"],
     "locationDisplay": "Headingley, Leeds, UK", "locationCity": "Leeds",
     "locationCountry": "GB", "rating": 4.1, "reviewCount": 12},
    {"artistId": "e2e-opted-out", "artistName": "Zephyrine Hidden",
     "latitude": 53.8000, "longitude": -1.5500, "styles": ["fineline"],
     "locationCity": "Leeds", "locationCountry": "GB", "opted_out": True},
]


class IndexFixture:
    """A built index directory plus the records it was built from.

    `directory` is never served directly by tests that write: use
    fresh_copy() to get a private copy (an index directory is opened
    read-write by one process at a time, the CLI included)."""

    def __init__(self, root, directory, records):
        self.root = root
        self.directory = directory
        self.records = records  # artistId -> input record (dict), in file order
        self._copies = 0

    def fresh_copy(self, name="copy"):
        self._copies += 1
        target = os.path.join(self.root, "%s-%d" % (name, self._copies))
        shutil.copytree(self.directory, target)
        return target

    def path(self, name):
        return os.path.join(self.root, name)

    def version_of(self, artist_id):
        """The version `inkdex build` gave the artist: its line number."""
        return list(self.records).index(artist_id) + 1

    def visible_ids(self):
        """Ids GetArtist finds: neither opted out nor inactive."""
        return [i for i, r in self.records.items()
                if not r.get("opted_out") and r.get("isActive", True)]


_TEMP_ROOTS = []


def make_temp_dir(prefix="inkdex-e2e-"):
    """A temporary directory removed at interpreter exit."""
    path = tempfile.mkdtemp(prefix=prefix)
    _TEMP_ROOTS.append(path)
    return path


def write_jsonl(path, records):
    with open(path, "w") as f:
        for record in records:
            f.write(json.dumps(record) + "\n")
    return path


def build_index(directory, *inputs):
    """`inkdex build` of the given JSON Lines files into `directory`."""
    args = ["build", "--index", directory, "--progress", "off"]
    for path in inputs:
        args += ["--input", path]
    run_inkdex(*args)
    return directory


def make_index(root, name, count=4000, seed=7, extra_records=HANDWRITTEN):
    """Synthesizes `count` artists (plus extra_records, appended last so they
    get the largest versions) and builds them into root/name."""
    data = os.path.join(root, name + ".jsonl")
    run_inkdex("synth", "--quiet", "--count", count, "--seed", seed, "--out", data)
    with open(data, "a") as f:
        for record in extra_records:
            f.write(json.dumps(record) + "\n")
    records = {}
    with open(data) as f:
        for line in f:
            record = json.loads(line)
            records[record["artistId"]] = record
    directory = build_index(os.path.join(root, name), data)
    return IndexFixture(root, directory, records)


_SHARED = {}


def shared_index(count=4000, seed=7, extra_records=HANDWRITTEN):
    """One index per (count, seed, extra_records) per process, built on first
    use. Treat its `directory` as read-only; serve fresh_copy()s of it."""
    key = (count, seed, json.dumps(extra_records, sort_keys=True))
    if key not in _SHARED:
        name = "index-%d-%d-%d" % (count, seed, len(_SHARED))
        _SHARED[key] = make_index(make_temp_dir(), name, count, seed, extra_records)
    return _SHARED[key]


# ---------------------------------------------------------------------------
# The server process

_LIVE_SERVERS = []


class ServerStartError(AssertionError):
    pass


def moved_far(i, version):
    """Artist i of shared_index() moved across the world (a "Moved Nomad"):
    it keeps its slot, now out of cell order, so the slot drift grows."""
    record = artist_pb2.Artist(id="artist-%07d" % i, name="Moved Nomad %d" % i,
                               version=version, is_active=True)
    record.location.latitude = -40 + (i * 37) % 100
    record.location.longitude = -170 + (i * 53) % 340
    record.styles.append("blackwork")
    return record


def bearer(token):
    return (("authorization", "Bearer " + token),)


class Server:
    """A running inkdex-server on 127.0.0.1 with free ports.

    address / metrics_address: "127.0.0.1:PORT" from the listening line.
    channel and stubs: search (ArtistSearch), admin (Admin), health (Health),
    reflection (ServerReflection). stderr lines are collected as they come:
    log_lines() raw, logs() parsed JSON (a line that is not JSON is kept in
    log_lines() and reported by non_json_log_lines()).
    """

    def __init__(self, index_dir, write_token=None, read_token=None, extra_args=(), env=None,
                 start_timeout=30, metrics=True):
        self.index_dir = index_dir
        self.write_token = write_token
        self.read_token = read_token
        self._tmp = make_temp_dir("inkdex-e2e-server-")
        args = [server_bin(), "--index", index_dir, "--listen", "127.0.0.1:0",
                "--metrics-listen", "127.0.0.1:0" if metrics else "off"]
        if write_token is not None:
            args += ["--write-token-file", self._token_file("write-token", write_token)]
        if read_token is not None:
            args += ["--read-token-file", self._token_file("read-token", read_token)]
        args += [str(a) for a in extra_args]
        self.args = args
        full_env = dict(os.environ)
        for name in ("INKDEX_WRITE_TOKEN", "INKDEX_READ_TOKEN", "INKDEX_LISTEN",
                     "INKDEX_METRICS_LISTEN", "INKDEX_INDEX", "INKDEX_TEST_SEARCH_DELAY_MS"):
            full_env.pop(name, None)
        full_env.update(env or {})
        self._lock = threading.Lock()
        self._listening = threading.Event()
        self._stderr_lines = []
        self._stderr_flowing = threading.Event()  # cleared: stderr is not read
        self._stderr_flowing.set()
        self._stdout_lines = []
        self.listening = None
        self.address = None
        self.metrics_address = None
        self._channel = None
        self.exit_seconds = None  # set by stop(): from its signal to the exit
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=full_env)
        _LIVE_SERVERS.append(self)
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        self._wait_listening(start_timeout)

    # -- start-up ----------------------------------------------------------

    def _token_file(self, name, token):
        path = os.path.join(self._tmp, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
        return path

    def _read_stdout(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lock:
                self._stdout_lines.append(line)
            if self.listening is None:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict) and event.get("event") == "listening":
                    self.listening = event
                    self._listening.set()

    def _read_stderr(self):
        for raw in self.proc.stderr:
            self._stderr_flowing.wait()
            with self._lock:
                self._stderr_lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def pause_stderr(self):
        """Stops reading the server's stderr (after the line being read), as a
        log driver that stalls would: the pipe then fills."""
        self._stderr_flowing.clear()

    def resume_stderr(self):
        self._stderr_flowing.set()

    def _wait_listening(self, timeout):
        deadline = time.monotonic() + timeout
        while not self._listening.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                exited = self.proc.poll()
                self.kill()
                for reader in self._readers:
                    reader.join(2)
                why = ("exited with code %d" % exited if exited is not None else
                       "printed no listening line within %g s" % timeout)
                raise ServerStartError("inkdex-server %s\ncommand: %s\nstdout:\n%s\nstderr "
                                       "(last 40 lines):\n%s" %
                                       (why, " ".join(self.args), "\n".join(self.stdout_lines()),
                                        "\n".join(self.log_lines()[-40:])))
        self.address = self.listening["grpc"]
        self.metrics_address = self.listening.get("metrics") or None

    # -- clients -----------------------------------------------------------

    @property
    def channel(self):
        if self._channel is None:
            self._channel = self.new_channel()
        return self._channel

    def new_channel(self):
        """A new channel (its own connection) to the server; the caller closes it."""
        return grpc.insecure_channel(self.address, options=[
            ("grpc.max_receive_message_length", 64 << 20),
            ("grpc.max_send_message_length", 64 << 20),
            ("grpc.enable_retries", 0),
        ])

    @property
    def search(self):
        return pb_grpc.ArtistSearchStub(self.channel)

    @property
    def admin(self):
        return pb_grpc.AdminStub(self.channel)

    @property
    def health(self):
        return health_pb2_grpc.HealthStub(self.channel)

    @property
    def reflection(self):
        return reflection_pb2_grpc.ServerReflectionStub(self.channel)

    def write_metadata(self):
        """authorization metadata with this server's write token."""
        return bearer(self.write_token)

    def list_services(self, timeout=10):
        """Service names from reflection's list_services."""
        request = reflection_pb2.ServerReflectionRequest(list_services="*")
        replies = list(self.reflection.ServerReflectionInfo(iter([request]), timeout=timeout))
        return sorted(s.name for r in replies for s in r.list_services_response.service)

    def http_get(self, path, timeout=10):
        """(status, body text) of GET http://METRICS<path>."""
        if not self.metrics_address:
            raise AssertionError("the server has no metrics listener")
        url = "http://%s%s" % (self.metrics_address, path)
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def metrics(self):
        status, body = self.http_get("/metrics")
        if status != 200:
            raise AssertionError("/metrics: HTTP %d\n%s" % (status, body))
        return body

    # -- logs --------------------------------------------------------------

    def log_lines(self):
        with self._lock:
            return list(self._stderr_lines)

    def stdout_lines(self):
        with self._lock:
            return list(self._stdout_lines)

    def logs(self):
        """The stderr lines that are JSON objects, parsed, in order."""
        out = []
        for line in self.log_lines():
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                out.append(value)
        return out

    def non_json_log_lines(self):
        bad = []
        for line in self.log_lines():
            if not line.strip():
                continue
            try:
                if isinstance(json.loads(line), dict):
                    continue
            except ValueError:
                pass
            bad.append(line)
        return bad

    def wait_for_log(self, predicate, timeout=5):
        """The first parsed log line for which predicate(line) is true,
        waiting up to `timeout` s for it to be written; None if none came."""
        deadline = time.monotonic() + timeout
        while True:
            for entry in self.logs():
                if predicate(entry):
                    return entry
            if time.monotonic() > deadline:
                return None
            time.sleep(0.02)

    # -- stopping ----------------------------------------------------------

    def running(self):
        return self.proc.poll() is None

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Sends `sig` and waits for the exit; returns the exit code (negative:
        killed by that signal). Kills the server and raises if it outlives
        `timeout` s."""
        if self.proc.poll() is None:
            signalled = time.monotonic()
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
                # From the signal to the exit, without the time the output
                # readers then take to drain (see _finish).
                self.exit_seconds = time.monotonic() - signalled
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError("inkdex-server did not exit within %g s of signal %d; "
                                     "stderr tail:\n%s" %
                                     (timeout, sig, "\n".join(self.log_lines()[-20:])))
        self._finish()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self._finish()

    def _finish(self):
        for reader in self._readers:
            reader.join(5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None and not pipe.closed:
                pipe.close()
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self in _LIVE_SERVERS:
            _LIVE_SERVERS.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        return False


def _cleanup_at_exit():
    for server in list(_LIVE_SERVERS):
        server.kill()
    for root in _TEMP_ROOTS:
        shutil.rmtree(root, ignore_errors=True)


atexit.register(_cleanup_at_exit)


# ---------------------------------------------------------------------------
# Helpers for assertions

def rpc_error(call, *args, **kwargs):
    """Calls call(*args, **kwargs), expecting it to fail; returns the
    grpc.RpcError. Raises AssertionError if the call succeeded."""
    try:
        reply = call(*args, **kwargs)
    except grpc.RpcError as e:
        return e
    raise AssertionError("expected the call to fail, it returned:\n%s" % (reply,))


def status_name(value):
    """A log line's status code as a grpc.StatusCode name, whether it was
    logged as a name ("DEADLINE_EXCEEDED") or a number (4)."""
    if isinstance(value, int) and not isinstance(value, bool):
        for code in grpc.StatusCode:
            if code.value[0] == value:
                return code.name
    return str(value)


def optional_value(message, field):
    """message.field if it is set (proto3 optional), else None."""
    return getattr(message, field) if message.HasField(field) else None


class ServiceTestCase(unittest.TestCase):
    """unittest base with server helpers: start_server() kills the server
    when the test (or, from setUpClass, the class) ends."""

    def start_server(self, index_dir, **kwargs):
        server = Server(index_dir, **kwargs)
        self.addCleanup(server.kill)
        return server

    @classmethod
    def start_class_server(cls, index_dir, **kwargs):
        server = Server(index_dir, **kwargs)
        cls.addClassCleanup(server.kill)
        return server

    def assertRpcError(self, code, call, request, field=None, **kwargs):
        """Asserts that call(request, **kwargs) fails with `code` and, when
        `field` is given, that the message names it. Returns the error."""
        kwargs.setdefault("timeout", 10)
        error = rpc_error(call, request, **kwargs)
        self.assertEqual(error.code(), code,
                         "expected %s, got %s: %s\nrequest: %s" %
                         (code.name, error.code().name, error.details(), request))
        if field is not None:
            self.assertIn(field, error.details() or "",
                          "the %s message does not name %r\nrequest: %s" %
                          (code.name, field, request))
        return error
