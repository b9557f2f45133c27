"""A test harness around DynamoDB Local (AWS's emulator, with the Streams API):
one JVM per DynamoDBLocal, in memory on a free loopback port, with boto3
clients for it and the directory's table (directory_table.py: single-table
design, stream NEW_AND_OLD_IMAGES, see shared/reference/data-model.md; its
stream is read with dynamodb_stream.py).

The emulator comes from scripts/install-dynamodb-local.sh (run by
scripts/install-deps.sh) into <repo>/.cache/dynamodb-local/<version>/emulator;
INKDEX_DYNAMODB_LOCAL_DIR overrides that folder. A missing emulator or java is
an error (EmulatorMissing), never a skip: the install script provides both.

Typical use (stdlib unittest, /usr/bin/python3, boto3 from Debian):

    ddb = dynamodb_local.DynamoDBLocal()          # starts the JVM, waits for it
    self.addCleanup(ddb.stop)                     # or `with DynamoDBLocal() as ddb:`
    table = ddb.create_directory_table("directory")
    table.put_artist({"artistId": "a1", "artistName": "X", "latitude": 51.5, ...})
    table.update_artist("a1", rating=4.5)
    table.delete_artist("a1")
    records = table.stream().read(expected=3)     # INSERT, MODIFY, REMOVE

Run alone (`python3 dynamodb_local.py [TABLE]`) it serves until interrupted
and prints its endpoint, for manual runs and benchmarks.

Processes: the JVM runs in its own process group and gets SIGKILL when the
Python thread that started it exits (PR_SET_PDEATHSIG via setpriv; so start it
from a thread that outlives its use, normally the main one), so neither a failing
test, a forgotten stop() nor a ctest timeout leaves a java process behind.
stop() is idempotent; every instance is also stopped at interpreter exit.

Thread-safety: start and stop a DynamoDBLocal from one thread; its boto3
clients may be shared (make more with client() and streams_client()).
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import boto3
import botocore.config
import botocore.exceptions

import directory_table

EMULATOR_VERSION = "2.9.30"  # keep in step with scripts/install-dynamodb-local.sh
REGION = "us-east-1"
# DynamoDB Local checks neither key, but boto3 needs some. -sharedDb makes every
# key and region see the same tables, so a client signing with other
# credentials (inkdex-server) reads the tables the tests create.
ACCESS_KEY_ID = "inkdexlocal"
SECRET_ACCESS_KEY = "inkdexlocal"

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_INSTALL_HINT = "run scripts/install-deps.sh (as root) to install Java and DynamoDB Local"


class EmulatorMissing(AssertionError):
    """Java or the DynamoDB Local files are not installed."""


class StartError(AssertionError):
    """DynamoDB Local did not come up; the message carries its log tail."""


def emulator_dir():
    """The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/."""
    return os.environ.get("INKDEX_DYNAMODB_LOCAL_DIR") or os.path.join(
        _REPO_ROOT, ".cache", "dynamodb-local", EMULATOR_VERSION, "emulator")


def _java():
    java = shutil.which("java")
    if not java:
        raise EmulatorMissing("java is not on PATH; " + _INSTALL_HINT)
    return java


def _free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return "(no log: %s)" % e


_LIVE = []


@atexit.register
def _stop_all():
    for ddb in list(_LIVE):
        ddb.stop()


def inkdex_bin():
    """The inkdex binary that tests/dynamodb/CMakeLists.txt names in INKDEX_BIN."""
    path = os.environ.get("INKDEX_BIN")
    if not path or not os.path.isfile(path):
        raise AssertionError("INKDEX_BIN must name the inkdex binary (got %r)" % path)
    return path


def env_without_aws(home):
    """os.environ without AWS settings and with HOME=`home` (so no shared
    credentials file either): the programs under test then sign with the
    dummy credentials they use for --dynamodb-endpoint."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = home
    return env


class DynamoDBLocal:
    """One DynamoDB Local JVM, in memory, on 127.0.0.1:<free port>.

    `endpoint` is its URL (http://127.0.0.1:PORT); `startup_seconds` how long
    the JVM took to answer ListTables; `dynamodb` and `streams` are boto3
    clients for it, closed by stop(). The constructor returns only once it
    answers, or raises StartError (with the log tail) after `timeout` seconds,
    or EmulatorMissing."""

    def __init__(self, timeout=60.0, attempts=3):
        java = _java()
        folder = emulator_dir()
        jar = os.path.join(folder, "DynamoDBLocal.jar")
        if not os.path.isfile(jar):
            raise EmulatorMissing("DynamoDB Local is not installed (%s is missing); %s"
                                  % (jar, _INSTALL_HINT))
        self._workdir = tempfile.mkdtemp(prefix="inkdex-ddblocal-")
        self.log_path = os.path.join(self._workdir, "dynamodb-local.log")
        self._proc = None
        self._clients = []
        _LIVE.append(self)
        try:
            # The free port can be taken between probing and binding: retry on
            # an early exit with a fresh port.
            for attempt in range(attempts):
                self.port = _free_loopback_port()
                self.endpoint = "http://127.0.0.1:%d" % self.port
                started = time.monotonic()
                self._launch(java, folder, jar)
                if self._wait_ready(started + timeout):
                    self.startup_seconds = time.monotonic() - started
                    self.dynamodb = self.client()
                    self.streams = self.streams_client()
                    self._clients += [self.dynamodb, self.streams]
                    return
                self._kill()
                if attempt + 1 == attempts or "Address already in use" not in _tail(self.log_path):
                    break
            raise StartError("DynamoDB Local did not answer ListTables on %s within %.0f s "
                             "(exit code %s); log tail:\n%s"
                             % (self.endpoint, timeout, self._proc.returncode,
                                _tail(self.log_path)))
        except BaseException:
            self.stop()
            raise

    def _launch(self, java, folder, jar):
        # setpriv (util-linux, Essential in Debian) sets the parent-death
        # signal before it execs java: no preexec_fn, which is unsafe in a
        # test process that runs threads (grpc).
        cmd = ["setpriv", "--pdeathsig", "KILL", java,
               # A short-lived test server: the C1 compiler and a small serial
               # heap start fastest and keep CPU free for parallel tests.
               "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss1m", "-Xmx512m",
               "-Djava.library.path=" + os.path.join(folder, "DynamoDBLocal_lib"),
               "-jar", jar, "-inMemory", "-sharedDb", "-disableTelemetry",
               "-port", str(self.port)]
        with open(self.log_path, "ab") as log:
            log.write(("$ %s\n" % " ".join(cmd)).encode())
            log.flush()
            self._proc = subprocess.Popen(cmd, cwd=self._workdir, stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)

    def _wait_ready(self, deadline):
        probe = self.client(connect_timeout=0.5, read_timeout=2)
        try:
            while time.monotonic() < deadline:
                if self._proc.poll() is not None:
                    return False
                try:
                    probe.list_tables(Limit=1)
                    return True
                except (botocore.exceptions.EndpointConnectionError,
                        botocore.exceptions.ConnectionClosedError,
                        botocore.exceptions.ReadTimeoutError):
                    time.sleep(0.05)
            return False
        finally:
            probe.close()

    @property
    def pid(self):
        return self._proc.pid if self._proc else None

    def _client(self, service, connect_timeout, read_timeout):
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY,
            config=botocore.config.Config(connect_timeout=connect_timeout,
                                          read_timeout=read_timeout,
                                          retries={"max_attempts": 1}))

    def client(self, connect_timeout=2, read_timeout=10):
        """A new boto3 'dynamodb' client for this emulator (no retries, so a
        fault shows up in the test that caused it); the caller closes it."""
        return self._client("dynamodb", connect_timeout, read_timeout)

    def streams_client(self, connect_timeout=2, read_timeout=10):
        """A new boto3 'dynamodbstreams' client for this emulator; the caller
        closes it."""
        return self._client("dynamodbstreams", connect_timeout, read_timeout)

    def create_directory_table(self, name="directory", global_secondary_indexes=None):
        """Creates the directory's table (see directory_table.create) and
        waits until it is ACTIVE."""
        return directory_table.create(self.dynamodb, self.streams, name,
                                      global_secondary_indexes)

    def _kill(self):
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            proc.wait(timeout=10)

    def stop(self):
        """Stops the JVM (SIGTERM, then SIGKILL after 5 s) and removes its
        files. Idempotent."""
        for client in self._clients:
            client.close()
        self._clients = []
        self._kill()
        if self in _LIVE:
            _LIVE.remove(self)
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def main(argv):
    """`python3 dynamodb_local.py [TABLE]`: runs DynamoDB Local for manual use
    and benchmarks, creates TABLE (if given), prints the endpoint, and stops on
    SIGINT/SIGTERM."""
    with DynamoDBLocal() as ddb:
        if len(argv) > 1:
            ddb.create_directory_table(argv[1])
        print(ddb.endpoint, flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
